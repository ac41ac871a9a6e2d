-- wrk script: alert events for bench/alert_intake.sh, in PagerDuty Events v2 form (tocsin's
-- POST /v2/enqueue) or as the equivalent Alertmanager API v2 alerts (POST /api/v2/alerts).
--
-- Usage: wrk -tT ... -s intake_events.lua URL -- MODE RUN KEYS OUT_DIR [LIMIT_PER_THREAD]
--   MODE   pd | am
--   RUN    a tag unique to this run (dedup keys are RUN-t<thread>-<n>, never reused across runs)
--   KEYS   comma-separated PagerDuty routing keys (pd) or service names (am); dedup key n goes to
--          KEYS[n % #KEYS], like many senders each with their own integration key
--   OUT_DIR done() writes the dedup keys tocsin accepted (pd) here; stop markers (limit) too
--   LIMIT_PER_THREAD  optional: only new keys, and the thread stops after this many responses
--
-- The mix without a limit: NEW_PCT % triggers with a new dedup key, RESOLVE_PCT % resolves, the
-- rest repeat triggers of a key that is still open (PagerDuty: "Deduplicated"; Alertmanager: the
-- same label set refreshed). A key chosen for resolving leaves the repeat pool first and is only
-- resolved RESOLVE_DELAY requests later, so no repeat of it can still be in flight (a trigger after
-- the resolve would be a new alert in both systems and the counts would stop meaning anything).
local NEW_PCT, RESOLVE_PCT, RESOLVE_DELAY, POOL_MAX = 30, 3, 2000, 5000

local threads_started = 0
all_threads = {}
function setup(thread)
    threads_started = threads_started + 1
    thread:set("thread_no", threads_started)
    all_threads[#all_threads + 1] = thread
end

-- Globals (not locals) where done() reads them with thread:get.
mode, run, out_dir = nil, nil, nil
generated, new_count, resolve_count, repeat_count = 0, 0, 0, 0
responses, ok, rejected, accepted = 0, 0, {}, {}
local keys, limit
local pool_key, pool_dedup = {}, {}   -- open keys that repeats pick from
local pending = {}                    -- {key index, dedup, generated at} waiting to be resolved
local pending_head, pending_tail = 1, 0
local accepted_seen = {}
local starts_at

local function pd_trigger(k, dedup)
    return string.format(
        '{"routing_key":"%s","event_action":"trigger","dedup_key":"%s","payload":{"summary":"Error rate above 5%% on %s",' ..
        '"source":"host-%d.bench.test","severity":"critical","component":"api","group":"bench","class":"http-errors",' ..
        '"custom_details":{"rate":0.07,"window":"5m"}}}', keys[k], dedup, dedup, k)
end

local function pd_resolve(k, dedup)
    return string.format('{"routing_key":"%s","event_action":"resolve","dedup_key":"%s"}', keys[k], dedup)
end

local function am_alert(k, dedup, ends_at)
    local ends = ""
    if ends_at then ends = string.format(',"endsAt":"%s"', ends_at) end
    return string.format(
        '[{"labels":{"alertname":"HighErrorRate","dedup":"%s","service":"%s","severity":"critical",' ..
        '"instance":"host-%d.bench.test"},"annotations":{"summary":"Error rate above 5%% on %s"},' ..
        '"startsAt":"%s"%s,"generatorURL":"http://bench.test/graph"}]', dedup, keys[k], k, dedup, starts_at, ends)
end

local function post(path, body)
    return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

local function trigger(k, dedup)
    if mode == "pd" then return post("/v2/enqueue", pd_trigger(k, dedup)) end
    return post("/api/v2/alerts", am_alert(k, dedup, nil))
end

local function resolve(k, dedup)
    if mode == "pd" then return post("/v2/enqueue", pd_resolve(k, dedup)) end
    return post("/api/v2/alerts", am_alert(k, dedup, os.date("!%Y-%m-%dT%H:%M:%SZ")))
end

function init(args)
    mode, run, out_dir = args[1], args[2], args[4]
    limit = tonumber(args[5] or "")
    if (mode ~= "pd" and mode ~= "am") or not run or not args[3] or not out_dir then
        error("usage: wrk ... -s intake_events.lua URL -- pd|am RUN KEYS OUT_DIR [LIMIT_PER_THREAD]")
    end
    keys = {}
    for k in string.gmatch(args[3], "[^,]+") do keys[#keys + 1] = k end
    -- Alertmanager refuses endsAt before startsAt: start the alerts a minute in the past.
    starts_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 60)
    math.randomseed(os.time() + (thread_no or 0) * 7919)
end

local function new_key()
    new_count = new_count + 1
    local dedup = string.format("%s-t%d-%d", run, thread_no or 0, new_count)
    local k = new_count % #keys + 1
    if #pool_dedup < POOL_MAX then
        pool_key[#pool_key + 1], pool_dedup[#pool_dedup + 1] = k, dedup
    else  -- the pool is full: this key replaces one (which stays open, just no longer repeated)
        local i = math.random(#pool_dedup)
        pool_key[i], pool_dedup[i] = k, dedup
    end
    return trigger(k, dedup)
end

function request()
    generated = generated + 1
    if limit then return new_key() end
    local r = math.random(100)
    if r <= RESOLVE_PCT and #pool_dedup > 100 then
        -- Move one open key out of the repeat pool; resolve the oldest such key once it is old enough.
        local i = math.random(#pool_dedup)
        pending_tail = pending_tail + 1
        pending[pending_tail] = {pool_key[i], pool_dedup[i], generated}
        pool_key[i], pool_dedup[i] = pool_key[#pool_key], pool_dedup[#pool_dedup]
        pool_key[#pool_key], pool_dedup[#pool_dedup] = nil, nil
        local head = pending[pending_head]
        if generated - head[3] >= RESOLVE_DELAY then
            pending[pending_head] = nil
            pending_head = pending_head + 1
            resolve_count = resolve_count + 1
            return resolve(head[1], head[2])
        end
    end
    if r > 100 - NEW_PCT or #pool_dedup == 0 then return new_key() end
    repeat_count = repeat_count + 1
    local i = math.random(#pool_dedup)
    return trigger(pool_key[i], pool_dedup[i])
end

function response(status, headers, body)
    responses = responses + 1
    if status >= 200 and status < 300 then
        ok = ok + 1
        if mode == "pd" then
            local dedup = string.match(body, '"dedup_key":"([^"]*)"')
            if dedup and not accepted_seen[dedup] then
                accepted_seen[dedup] = true
                accepted[#accepted + 1] = dedup
            end
        end
    else
        rejected[status] = (rejected[status] or 0) + 1
    end
    if limit and responses == limit then
        local f = io.open(string.format("%s/done-%s-%d", out_dir, run, thread_no or 0), "w")
        if f then f:write(responses, "\n"); f:close() end
        wrk.thread:stop()
    end
end

-- In wrk's main thread once every thread has stopped: the threads' counters, and the dedup keys
-- tocsin answered 2xx for (pd) in OUT_DIR/accepted-RUN.txt, for the script to compare with the store.
function done(summary, latency, requests)
    local t = {generated = 0, new = 0, ["repeat"] = 0, resolve = 0, responses = 0, ok = 0}
    local rej, run_, dir, n_acc = {}, nil, nil, 0
    local out
    for _, th in ipairs(all_threads) do
        run_, dir = th:get("run"), th:get("out_dir")
        t.generated = t.generated + th:get("generated")
        t.new = t.new + th:get("new_count")
        t["repeat"] = t["repeat"] + th:get("repeat_count")
        t.resolve = t.resolve + th:get("resolve_count")
        t.responses = t.responses + th:get("responses")
        t.ok = t.ok + th:get("ok")
        for s, n in pairs(th:get("rejected")) do rej[s] = (rej[s] or 0) + n end
        local acc = th:get("accepted")
        if #acc > 0 then
            out = out or io.open(string.format("%s/accepted-%s.txt", dir, run_), "w")
            for _, d in ipairs(acc) do out:write(d, "\n") end
            n_acc = n_acc + #acc
        end
    end
    if out then out:close() end
    local r = ""
    for s, n in pairs(rej) do r = r .. string.format(" %d:%d", s, n) end
    io.write(string.format("intake-counts: generated %d new %d repeat %d resolve %d responses %d ok %d accepted_keys %d rejected%s\n",
        t.generated, t.new, t["repeat"], t.resolve, t.responses, t.ok, n_acc, r))
end
