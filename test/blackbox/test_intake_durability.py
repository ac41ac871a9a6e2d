"""Kill -9 under PagerDuty intake load: every event answered 202 survives, none is applied twice."""

import threading
import time

import requests

from intake_support import all_alerts, create_key, service_with_key

SENDERS = 16
REPEATS = 3  # each key is triggered up to this many times, in order, by one sender


def test_kill9_under_intake_load_keeps_every_202_and_nothing_twice(tocsin_factory):
    srv = tocsin_factory()
    svc, first = service_with_key(srv, "pagerduty", name="durable")
    # One key per sender: the per-key rate limit then leaves room for a real load.
    keys = [first] + [create_key(srv, svc["id"], "pagerduty", name=f"sender {n}") for n in range(1, SENDERS)]
    url = srv.url("/v2/enqueue")
    stop = threading.Event()
    lock = threading.Lock()
    sent = {}      # dedup key -> triggers sent (answered or not)
    answered = {}  # dedup key -> triggers answered 202
    other = []     # unexpected answers

    def sender(n):
        s = requests.Session()
        i = 0
        while not stop.is_set():
            dedup = f"s{n}-k{i}"
            for _ in range(REPEATS):
                if stop.is_set():
                    break
                with lock:
                    sent[dedup] = sent.get(dedup, 0) + 1
                body = {"routing_key": keys[n], "event_action": "trigger", "dedup_key": dedup,
                        "payload": {"summary": f"load {dedup}", "source": "loadgen", "severity": "error"}}
                try:
                    r = s.post(url, json=body, timeout=10)
                except requests.RequestException:
                    return  # the server is gone
                with lock:
                    if r.status_code == 202:
                        assert r.json()["dedup_key"] == dedup
                        answered[dedup] = answered.get(dedup, 0) + 1
                    elif r.status_code != 429:
                        other.append((r.status_code, r.text[:200]))
            i += 1

    threads = [threading.Thread(target=sender, args=(n,), daemon=True) for n in range(SENDERS)]
    for t in threads:
        t.start()
    # Kill once a fair number of events went through (bounded wait), while the senders still send.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            done = sum(answered.values())
        if done >= 300:
            break
        time.sleep(0.02)
    srv.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=15)
    assert not any(t.is_alive() for t in threads), "a sender hung after the kill"
    assert not other, f"unexpected answers: {other[:5]}"
    with lock:
        total = sum(answered.values())
    assert total >= 50, f"only {total} events answered before the kill: the load was too light to test anything"

    srv.start()
    stored = all_alerts(srv, svc["id"])
    print(f"kill -9 after {total} answered triggers of {sum(sent.values())} sent; {len(stored)} alerts after restart")
    by_key = {}
    for a in stored:
        by_key.setdefault(a["dedup_key"], []).append(a)
    twice = {k: v for k, v in by_key.items() if len(v) != 1}
    assert not twice, f"keys with more than one alert: {list(twice)[:5]}"
    missing = [k for k in answered if k not in by_key]
    assert not missing, f"{len(missing)} keys answered 202 are gone after kill -9, e.g. {missing[:5]}"
    for k, alerts_ in by_key.items():
        count = alerts_[0]["count"]
        # Every answered trigger counted; an unanswered one may or may not have committed; nothing twice.
        assert answered.get(k, 0) <= count <= sent.get(k, 0), \
            f"{k}: count {count}, answered {answered.get(k, 0)}, sent {sent.get(k, 0)}"
    unknown = [k for k in by_key if k not in sent]
    assert not unknown, f"alerts nobody sent: {unknown[:5]}"

    # The keys survive the restart (loaded from the store), and intake goes on where it stopped.
    k = next(iter(answered))
    n = int(k.split("-")[0][1:])
    before = by_key[k][0]["count"]
    r = srv.http.post(srv.url("/v2/enqueue"), json={  # a new port after the restart
        "routing_key": keys[n], "event_action": "trigger", "dedup_key": k,
        "payload": {"summary": f"load {k}", "source": "loadgen", "severity": "error"}})
    assert r.status_code == 202, r.text
    after = [a for a in all_alerts(srv, svc["id"]) if a["dedup_key"] == k]
    assert [a["count"] for a in after] == [before + 1]
