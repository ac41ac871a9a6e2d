#!/usr/bin/python3
"""Drives Prometheus' blackbox_exporter like a Prometheus server scraping COUNT probe
targets every INTERVAL seconds: GET /probe?target=<url>&module=http_2xx, issued at a fixed
rate (COUNT / INTERVAL per second) so the probes are spread evenly over the interval, the
targets taken in turn.

Python 3.11 stdlib only (asyncio streams, HTTP/1.1 keep-alive to the exporter, a pool of at
most --max-conns connections). After --warmup seconds it samples the exporter's CPU time
(utime + stime from /proc/PID/stat), its own CPU time and the number of completed probes,
again after --measure more seconds, then stops and writes a JSON summary to --out. Its own
CPU is reported so that the caller can show it is not counted against the exporter.

Used by monitors_vs_blackbox.sh; not a general tool.
"""
import argparse
import asyncio
import json
import os
import time
import urllib.parse


def ticks(pid):
    """utime + stime of a process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def pct(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * len(v)))]


class Driver:
    def __init__(self, args):
        self.args = args
        self.host, port = args.exporter.split(":")
        self.port = int(port)
        self.idle = []          # idle (reader, writer) pairs
        self.open = 0
        self.slots = asyncio.Semaphore(args.max_conns)
        self.completed = 0      # probes answered or failed, whatever their outcome
        self.in_window = False
        self.send_lateness = []  # seconds, probes issued in the window
        self.response_times = []  # seconds, probes completed in the window
        self.w_completed = self.w_ok = self.w_failed = self.w_errors = 0

    async def connection(self):
        if self.idle:
            return self.idle.pop()
        self.open += 1
        return await asyncio.open_connection(self.host, self.port)

    def request(self, index):
        target = urllib.parse.quote(self.args.target_template.format(i=index), safe="")
        return (f"GET /probe?module={self.args.module}&target={target} HTTP/1.1\r\nHost: {self.args.exporter}\r\n"
                f"X-Prometheus-Scrape-Timeout-Seconds: {self.args.scrape_timeout}\r\n\r\n").encode()

    async def probe(self, request, scheduled):
        async with self.slots:
            counted = self.in_window
            conn = None
            sent = time.monotonic()
            if counted:
                self.send_lateness.append(max(0.0, sent - scheduled))
            try:
                conn = await self.connection()
                reader, writer = conn
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length, chunked = 0, False
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"transfer-encoding" and b"chunked" in value.lower():
                        chunked = True
                if chunked:  # Go's net/http chunks bodies it did not buffer whole
                    parts = []
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        if size == 0:
                            await reader.readuntil(b"\r\n")  # no trailers expected
                            break
                        parts.append((await reader.readexactly(size + 2))[:-2])
                    body = b"".join(parts)
                else:
                    body = await reader.readexactly(length) if length else b""
                status = int(head.split(b" ", 2)[1])
                self.idle.append(conn)
                conn = None
                if status != 200:
                    outcome = "error"
                elif b"\nprobe_success 1" in body:
                    outcome = "ok"
                else:
                    outcome = "failed"
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                outcome = "error"
                if conn is not None:
                    conn[1].close()
                    self.open -= 1
            self.completed += 1
            if counted and self.in_window:
                self.response_times.append(time.monotonic() - sent)
                self.w_completed += 1
                if outcome == "ok":
                    self.w_ok += 1
                elif outcome == "failed":
                    self.w_failed += 1
                else:
                    self.w_errors += 1

    async def run(self):
        a = self.args
        rate = a.count / a.interval
        start = time.monotonic()
        warm_end = start + a.warmup
        end = warm_end + a.measure
        requests = [self.request(i) for i in range(a.count)]
        tasks = set()
        marks = {}
        n = 0
        while True:
            now = time.monotonic()
            if "start" not in marks and now >= warm_end:
                marks["start"] = (now, ticks(a.pid), ticks(os.getpid()), self.completed)
                self.in_window = True
            if now >= end:
                self.in_window = False
                marks["end"] = (now, ticks(a.pid), ticks(os.getpid()), self.completed)
                break
            scheduled = start + n / rate
            if scheduled > now:
                await asyncio.sleep(min(scheduled, warm_end if "start" not in marks else end) - now)
                continue
            t = asyncio.create_task(self.probe(requests[n % a.count], scheduled))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
            n += 1
        s, e = marks["start"], marks["end"]
        hz = os.sysconf("SC_CLK_TCK")
        summary = {
            "window_s": e[0] - s[0],
            "issued_total": n,
            "completed_in_window": self.w_completed,
            "ok_in_window": self.w_ok,
            "failed_in_window": self.w_failed,
            "errors_in_window": self.w_errors,
            "exporter_cpu_s": (e[1] - s[1]) / hz,
            "driver_cpu_s": (e[2] - s[2]) / hz,
            "exporter_rss_kb": status_kb(a.pid, "VmRSS"),
            "exporter_hwm_kb": status_kb(a.pid, "VmHWM"),
            "driver_send_lateness_p50_s": pct(self.send_lateness, 50),
            "driver_send_lateness_p99_s": pct(self.send_lateness, 99),
            "probe_time_p50_s": pct(self.response_times, 50),
            "probe_time_p99_s": pct(self.response_times, 99),
            "connections_opened": self.open,
            "in_flight_at_end": len(tasks),
        }
        for t in tasks:
            t.cancel()
        with open(a.out, "w") as f:
            json.dump(summary, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--exporter", required=True, help="host:port of blackbox_exporter")
    p.add_argument("--pid", type=int, required=True, help="the exporter's pid, for its CPU time and RSS")
    p.add_argument("--target-template", required=True, help="probe target URL, {i} is the target's index")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--interval", type=float, default=30.0)
    p.add_argument("--warmup", type=float, default=30.0)
    p.add_argument("--measure", type=float, default=60.0)
    p.add_argument("--module", default="http_2xx")
    p.add_argument("--scrape-timeout", default="10")
    p.add_argument("--max-conns", type=int, default=256)
    p.add_argument("--out", required=True)
    asyncio.run(Driver(p.parse_args()).run())


if __name__ == "__main__":
    main()
