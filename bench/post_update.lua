-- wrk script: POST an incident update to one incident, as fast as the server takes them.
-- Usage: wrk ... -s post_update.lua http://host:port -- /api/v1/incidents/ID/updates TOKEN
local path, token
local n = 0

function init(args)
    path, token = args[1], args[2]
    if not path or not token then
        error("usage: wrk ... -s post_update.lua URL -- /api/v1/incidents/ID/updates TOKEN")
    end
end

function request()
    n = n + 1
    local body = string.format('{"body": "wrk update %d", "status": "identified"}', n)
    return wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. token,
    }, body)
end
