#include "tocsin/app/probe_agent.hpp"

#include "tocsin/checks/check_engine.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/monitor/monitor_json.hpp"

#include <curl/curl.h>
#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <thread>

namespace tocsin::app {
namespace {

namespace json = boost::json;

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) {
    g_stop = true;
}

struct HttpReply {
    long status = 0;  // 0: no answer (connect error, timeout)
    std::string body;
    std::string error;
};

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out) {
    auto* s = static_cast<std::string*>(out);
    if (s->size() + size * n > 8 * 1024 * 1024) return 0;  // an assignment list beyond 8 MiB is refused
    s->append(data, size * n);
    return size * n;
}

// One blocking request with libcurl's easy interface: the agent has its own thread for
// this, so nothing here runs on the check engine's loop.
HttpReply Request(const ProbeOptions& o, const std::string& method, const std::string& path, const std::string& body) {
    HttpReply reply;
    CURL* curl = curl_easy_init();
    if (!curl) {
        reply.error = "curl_easy_init failed";
        return reply;
    }
    std::string url = o.server + path;
    std::string auth = "Authorization: Bearer " + o.token;
    curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30'000L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "tocsin-probe");
    if (method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    } else {
        reply.error = error[0] ? error : curl_easy_strerror(rc);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return reply;
}

std::string Escaped(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

// Parses the assignment document into plans; a monitor that does not parse is skipped
// (and logged): one bad monitor must not stop the others.
std::optional<std::vector<monitor::CheckPlan>> ParseAssignments(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto* list = v.as_object().if_contains("monitors");
    if (!list || !list->is_array()) return std::nullopt;
    std::vector<monitor::CheckPlan> plans;
    for (const auto& item : list->as_array()) {
        if (!item.is_object()) continue;
        auto o = item.as_object();
        auto* id = o.if_contains("id");
        if (!id || !id->is_string()) continue;
        std::string id_text(id->as_string());
        auto m = monitor::MonitorFromJson(o, monitor::Monitor{});
        if (!m) {
            Logger("probe")->error(
                "[app.Probe] monitor {} skipped: {} {}", id_text, m.error().field, m.error().message
            );
            continue;
        }
        m->id = id_text;
        auto plan = monitor::MakePlan(*m);
        if (!plan) continue;
        plans.push_back(std::move(*plan));
    }
    return plans;
}

}  // namespace

int RunProbe(const ProbeOptions& o) {
    auto log = Logger("probe");
    if (o.server.rfind("http://", 0) != 0 && o.server.rfind("https://", 0) != 0) {
        log->critical("[app.Probe] --server must be an http:// or https:// URL");
        return 2;
    }
    if (o.token.empty() || o.location.empty()) {
        log->critical("[app.Probe] --token and --location are required");
        return 2;
    }
    ProbeOptions opts = o;
    while (!opts.server.empty() && opts.server.back() == '/') opts.server.pop_back();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::signal(SIGTERM, OnStopSignal);
    std::signal(SIGINT, OnStopSignal);

    std::mutex mu;
    std::deque<monitor::CheckResult> buffer;
    std::uint64_t dropped = 0;
    SystemClock clock;
    checks::CheckEngine engine(clock, {.location = opts.location}, [&](monitor::CheckResult r) {
        std::lock_guard lock(mu);
        if (buffer.size() >= opts.max_buffer) {
            buffer.pop_front();
            ++dropped;
        }
        buffer.push_back(std::move(r));
    });
    engine.Start();
    log->info("[app.Probe] location {} reporting to {}", opts.location, opts.server);

    auto results_path = "/api/v1/probe/results?location=" + Escaped(opts.location);
    auto assignments_path = "/api/v1/probe/assignments?location=" + Escaped(opts.location);
    auto next_refresh = std::chrono::steady_clock::now();
    auto next_flush = std::chrono::steady_clock::now() + opts.flush;
    auto backoff = opts.flush;
    std::uint64_t reported_drops = 0;
    while (!g_stop) {
        auto now = std::chrono::steady_clock::now();
        if (now >= next_refresh) {
            auto reply = Request(opts, "GET", assignments_path, "");
            if (reply.status == 200) {
                if (auto plans = ParseAssignments(reply.body)) {
                    log->debug("[app.Probe] {} monitors assigned", plans->size());
                    engine.SetPlans(std::move(*plans));
                }
            } else if (reply.status == 0) {
                log->warn("[app.Probe] server unreachable, checking on with the last assignments: {}", reply.error);
            } else {
                log->error("[app.Probe] assignments refused with HTTP {}: {}", reply.status, reply.body.substr(0, 300));
            }
            next_refresh = now + opts.refresh;
        }
        if (now >= next_flush) {
            std::vector<monitor::CheckResult> batch;
            {
                std::lock_guard lock(mu);
                auto n = std::min(buffer.size(), opts.batch);
                batch.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
                if (dropped != reported_drops) {
                    log->warn("[app.Probe] buffer full: {} results dropped so far", dropped);
                    reported_drops = dropped;
                }
            }
            bool more = false;
            if (!batch.empty()) {
                json::array arr;
                for (const auto& r : batch) arr.push_back(monitor::CheckResultToJson(r));
                auto reply =
                    Request(opts, "POST", results_path, json::serialize(json::object{{"results", std::move(arr)}}));
                bool sent = reply.status == 202;
                // 400 means the server will never take these results (e.g. a monitor deleted
                // meanwhile is fine, but malformed data is not): drop them rather than loop.
                bool rejected = reply.status == 400 || reply.status == 413;
                if (sent || rejected) {
                    if (rejected)
                        log->error("[app.Probe] {} results rejected: {}", batch.size(), reply.body.substr(0, 300));
                    std::lock_guard lock(mu);
                    // The buffer may have dropped from its front meanwhile: drop at most what we sent.
                    auto n = std::min(batch.size(), buffer.size());
                    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
                    more = !buffer.empty();
                    backoff = opts.flush;
                } else {
                    log->warn(
                        "[app.Probe] results not delivered ({}), {} buffered; retrying",
                        reply.status == 0 ? reply.error : "HTTP " + std::to_string(reply.status),
                        batch.size()
                    );
                    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
                }
            }
            next_flush = std::chrono::steady_clock::now() + (more ? std::chrono::milliseconds(0) : backoff);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    log->info("[app.Probe] stopping");
    engine.Stop();
    // One last attempt to deliver what is buffered.
    std::vector<monitor::CheckResult> rest(buffer.begin(), buffer.end());
    for (std::size_t i = 0; i < rest.size(); i += opts.batch) {
        json::array arr;
        for (std::size_t j = i; j < std::min(rest.size(), i + opts.batch); ++j)
            arr.push_back(monitor::CheckResultToJson(rest[j]));
        auto reply = Request(opts, "POST", results_path, json::serialize(json::object{{"results", std::move(arr)}}));
        if (reply.status != 202) {
            log->warn("[app.Probe] {} results not delivered at shutdown", rest.size() - i);
            break;
        }
    }
    curl_global_cleanup();
    return 0;
}

}  // namespace tocsin::app
