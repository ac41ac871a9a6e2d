-- wrk script: alternate GET / and GET /api/v2/summary.json; each thread stops at its
-- share of TOTAL responses and drops a marker file in DONE_DIR. wrk's main thread
-- only wakes at -d, so rss.sh watches for the markers and ends wrk with SIGINT,
-- after which wrk prints its usual summary with the real elapsed time.
-- Usage: wrk -tT ... -s count_requests.lua URL -- TOTAL T DONE_DIR
local threads_started = 0

function setup(thread)
    threads_started = threads_started + 1
    thread:set("thread_no", threads_started)
end

local requests_ = {}
local limit, done, next_, done_dir = 0, 0, 1, nil

function init(args)
    local total, threads = tonumber(args[1]), tonumber(args[2])
    done_dir = args[3]
    if not total or not threads or not done_dir then
        error("usage: wrk ... -s count_requests.lua URL -- TOTAL THREADS DONE_DIR")
    end
    limit = math.ceil(total / threads)
    requests_[1] = wrk.format("GET", "/")
    requests_[2] = wrk.format("GET", "/api/v2/summary.json")
end

function request()
    local r = requests_[next_]
    next_ = 3 - next_
    return r
end

function response(status, headers, body)
    done = done + 1
    if done == limit then
        local f = io.open(done_dir .. "/done-" .. tostring(thread_no), "w")
        if f then f:write(done, "\n"); f:close() end
        wrk.thread:stop()
    end
end
