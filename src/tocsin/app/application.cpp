#include "tocsin/app/application.hpp"

#include "tocsin/api/admin_api.hpp"
#include "tocsin/api/monitor_api.hpp"
#include "tocsin/api/openapi.hpp"
#include "tocsin/api/public_site.hpp"
#include "tocsin/api/subscribe_site.hpp"
#include "tocsin/api/subscriber_api.hpp"
#include "tocsin/app/demo_data.hpp"
#include "tocsin/app/monitoring.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/checks/check_engine.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/common/metrics.hpp"
#include "tocsin/engine/engine_runner.hpp"
#include "tocsin/engine/maintenance_transitions.hpp"
#include "tocsin/engine/monitor_automation.hpp"
#include "tocsin/engine/notification_dispatcher.hpp"
#include "tocsin/engine/rollup_engine.hpp"
#include "tocsin/engine/snapshot_publisher.hpp"
#include "tocsin/engine/uptime_loader.hpp"
#include "tocsin/http/server.hpp"
#include "tocsin/notify/content.hpp"
#include "tocsin/notify/links.hpp"
#include "tocsin/notify/transport.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/service/subscriptions.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

namespace tocsin::app {
namespace {

double ResidentBytes() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

Result<void> ApplyProvision(store::Store& store, const config::PageProvision& p, TimePoint now) {
    if (!p.name && !p.url && !p.time_zone && !p.default_language) return {};
    if (p.time_zone && !page::IsKnownTimeZone(*p.time_zone)) {
        return Error::Invalid("page.time_zone", "is not an IANA time zone name");
    }
    return store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetPageSettings());
        if (p.name) s.name = *p.name;
        if (p.url) s.url = *p.url;
        if (p.time_zone) s.time_zone = *p.time_zone;
        if (p.default_language) s.default_language = *p.default_language;
        auto valid = s.Validate();
        if (!valid) return Error::Invalid("page." + valid.error().field, valid.error().message);
        s.updated_at = now;
        return tx.SavePageSettings(s);
    });
}

// Returns freed heap to the system once a minute. With thousands of monitors the minute
// engines (rollups, uptime) parse every definition and free it again; glibc keeps those
// pages, and bench/monitors_vs_blackbox.sh saw RSS at 143 MB held with 60 MB in use
// (99 MB right after a trim).
class MemoryTrimEngine final : public engine::Engine {
public:
    std::string_view Name() const override { return "memory_trim"; }
    std::chrono::milliseconds Interval() const override { return std::chrono::minutes(1); }
    Result<void> RunOnce(TimePoint) override {
        malloc_trim(0);
        return {};
    }
};

// Re-reads the config file's monitors on SIGHUP. A file that does not parse, or monitors
// that do not fit the database, leave the running set as it is (logged).
class ConfigReloadEngine final : public engine::Engine {
public:
    ConfigReloadEngine(
        std::string path, config::Config base, store::Store& store, engine::MonitorAutomation& automation
    )
        : path_(std::move(path)), base_(std::move(base)), store_(store), automation_(automation) {}

    void Request() { requested_ = true; }

    std::string_view Name() const override { return "config_reload"; }
    std::chrono::milliseconds Interval() const override { return std::chrono::seconds(1); }
    Result<void> RunOnce(TimePoint now) override {
        if (!requested_.exchange(false)) return {};
        auto log = Logger("app");
        if (path_.empty()) {
            log->info("[app.Reload] SIGHUP ignored: the server was started without --config");
            return {};
        }
        config::Config fresh = base_;
        fresh.monitors = {};
        if (auto r = config::LoadFile(path_, fresh); !r) {
            log->error("[app.Reload] {} not applied, the running configuration stays: {}", path_, r.error().message);
            return {};
        }
        auto changed = SyncDeclaredMonitors(store_, fresh.monitors, now);
        if (!changed) {
            log->error("[app.Reload] monitors not applied, the running set stays: {}", changed.error().message);
            return {};
        }
        log->info(
            "[app.Reload] {} reloaded: {} declared monitors{}",
            path_,
            fresh.monitors.monitors.size(),
            *changed ? ", changes applied" : ", nothing changed"
        );
        if (*changed) automation_.MonitorsChanged();
        return {};
    }

private:
    std::string path_;
    config::Config base_;
    store::Store& store_;
    engine::MonitorAutomation& automation_;
    std::atomic<bool> requested_{false};
};

}  // namespace

int Serve(const ServeOptions& options) {
    const auto& cfg = options.config;
    SetLogLevel(cfg.log_level);
    auto log = Logger("app");
    auto fail = [&](const std::string& what, const Error& e) {
        log->critical("[app.Serve] {}: {}{}", what, e.field.empty() ? "" : e.field + ": ", e.message);
        return 2;
    };
    if (auto r = auth::Init(); !r) return fail("start-up", r.error());
    if (auto r = cfg.server.Validate(); !r) return fail("configuration", r.error());

    std::error_code ec;
    std::filesystem::create_directories(cfg.data_dir, ec);
    if (ec) return fail("data folder", Error::Invalid("data", "cannot create " + cfg.data_dir + ": " + ec.message()));
    SystemClock clock;
    auto opened = store::sqlite::SqliteStore::Open((std::filesystem::path(cfg.data_dir) / "tocsin.db").string(), clock);
    if (!opened) return fail("database", opened.error());
    auto& store = **opened;
    if (auto r = ApplyProvision(store, cfg.page, clock.Now()); !r) return fail("configuration", r.error());
    if (auto r = SyncDeclaredMonitors(store, cfg.monitors, clock.Now()); !r) return fail("configuration", r.error());
    if (options.demo) {
        auto seeded = SeedDemo(store, clock.Now());
        if (!seeded) return fail("demo data", seeded.error());
        if (*seeded) log->info("[app.Serve] seeded the demo page");
    }

    MetricsRegistry metrics;
    metrics.AddGauge("tocsin_resident_memory_bytes", "Resident set size of the process", ResidentBytes);
    page::SnapshotBuilder builder;
    engine::SnapshotPublisher publisher(store, clock, builder, metrics);
    if (auto r = publisher.Refresh(); !r) return fail("first snapshot", r.error());

    http::Router router;
    api::RegisterAdminRoutes(router, api::AdminApiDeps{store, clock, [&publisher, log] {
                                                           // The commit is durable already; a failed rebuild only
                                                           // delays the page until the next change or tick.
                                                           if (auto r = publisher.Refresh(); !r)
                                                               log->error(
                                                                   "[app.OnChange] snapshot rebuild failed: {}",
                                                                   r.error().message
                                                               );
                                                       }});
    const std::string& location = cfg.monitoring.location;
    engine::MonitorAutomation automation(store, &publisher, metrics, {.local_location = location});
    checks::CheckEngine checker(
        clock,
        {.location = location.empty() ? "local" : location},
        [&automation](monitor::CheckResult r) { automation.Submit(std::move(r)); }
    );
    automation.OnPlans([&checker](std::vector<monitor::CheckPlan> plans) { checker.SetPlans(std::move(plans)); });
    metrics.AddGauge(
        "tocsin_check_lateness_p99_seconds",
        "Schedule lateness of local checks, p99 of the last 10,000",
        [&checker] { return static_cast<double>(checker.Stats().lateness_p99.count()) / 1e6; }
    );
    metrics.AddGauge("tocsin_checks_in_flight", "Local checks running now", [&checker] {
        return static_cast<double>(checker.Stats().in_flight);
    });
    metrics.AddGauge("tocsin_check_results_queued", "Check results waiting to be stored", [&automation] {
        return static_cast<double>(automation.QueueLength());
    });
    api::RegisterMonitorRoutes(
        router,
        api::MonitorApiDeps{
            store,
            clock,
            [&automation] { automation.MonitorsChanged(); },
            [&automation](monitor::CheckResult r, bool stored) { automation.Submit(std::move(r), stored); },
            [&checker, &automation](monitor::CheckPlan plan) -> std::optional<monitor::CheckResult> {
                auto promise = std::make_shared<std::promise<monitor::CheckResult>>();
                auto future = promise->get_future();
                auto timeout = plan.spec.timeout + std::chrono::seconds(5);
                checker.CheckNow(std::move(plan), [promise, &automation](monitor::CheckResult r) {
                    automation.Submit(r);
                    promise->set_value(std::move(r));
                });
                if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
                return future.get();
            },
            [&publisher, log] {
                if (auto r = publisher.Refresh(); !r) {
                    log->error("[app.OnChange] snapshot rebuild failed: {}", r.error().message);
                }
            }}
    );
    const auto& notifications = cfg.notifications;
    auto templates = notify::Templates::Load(notifications.delivery.templates_dir);
    if (!templates) return fail("notification templates", templates.error());
    auto link_key = service::LoadOrCreateLinkKey(store);
    if (!link_key) return fail("subscriber link key", link_key.error());
    api::RegisterSubscriberRoutes(router, api::SubscriberApiDeps{store, clock});
    api::SubscribeSiteOptions subscribe_options;
    subscribe_options.client_posts_per_hour = notifications.subscribe_per_client_per_hour;
    subscribe_options.target_messages_per_hour = notifications.subscribe_per_address_per_hour;
    subscribe_options.client_address_header = notifications.subscribe_client_address_header;
    api::RegisterSubscribeRoutes(
        router,
        api::SubscribeSiteDeps{
            .store = store,
            .clock = clock,
            .signer = notify::LinkSigner(*link_key),
            .snapshot = [&publisher] { return publisher.Current(); },
            .options = subscribe_options,
        }
    );
    api::RegisterOpenApi(router);
    api::RegisterPublicRoutes(
        router, [&publisher] { return publisher.Current(); }, metrics
    );

    ConfigReloadEngine reload(options.config_path, cfg, store, automation);
    auto server_options = cfg.server;
    // SIGHUP never kills the server: without a config file there is just nothing to reload.
    server_options.on_reload = [&reload] { reload.Request(); };
    http::Server server(server_options, router, metrics);
    if (auto r = server.Listen(); !r) return fail("listen", r.error());
    std::string host =
        cfg.server.address.find(':') != std::string::npos ? "[" + cfg.server.address + "]" : cfg.server.address;

    engine::MaintenanceTransitions maintenance(store, &publisher, cfg.maintenance_interval);
    engine::PageClockEngine page_clock(publisher);
    engine::UptimeEngine uptime(store, publisher);
    automation.OnChange([&uptime] { uptime.Poke(); });
    engine::RollupEngine rollups(
        store,
        engine::RetentionOptions{
            std::chrono::hours(24 * cfg.monitoring.raw_retention_days),
            std::chrono::hours(24 * cfg.monitoring.hourly_retention_days),
            std::chrono::hours(24 * cfg.monitoring.daily_retention_days)}
    );
    // Notifications run on a runner of their own: a fan-out to 100,000 subscribers must not
    // hold up maintenance transitions or monitor automation.
    notify::Transport transport(notifications.transport);
    engine::NotificationDispatcher dispatcher(
        store,
        transport,
        *templates,
        notify::LinkSigner(*link_key),
        engine::NotificationDispatcher::Settings{
            .delivery = notifications.delivery,
            .policy = notifications.policy,
            .mastodon = notifications.mastodon,
            .telegram = notifications.telegram,
            .fallback_url = "http://" + host + ":" + std::to_string(server.Port()),
        },
        metrics
    );
    metrics.AddGauge(
        "tocsin_notifications_in_flight",
        "Deliveries handed to senders, outcome not yet recorded",
        [&dispatcher] { return static_cast<double>(dispatcher.InFlight()); }
    );
    metrics.AddGauge("tocsin_notifications_transport_pending", "Messages queued or being sent", [&transport] {
        return static_cast<double>(transport.Pending());
    });
    engine::EngineRunner notify_runner(clock, metrics);
    notify_runner.Add(dispatcher);

    engine::EngineRunner runner(clock, metrics);
    runner.Add(maintenance);
    runner.Add(page_clock);
    runner.Add(automation);
    runner.Add(uptime);
    runner.Add(rollups);
    runner.Add(reload);
    MemoryTrimEngine trim;
    runner.Add(trim);
    checker.Start();
    runner.Start();
    if (notifications.enabled) {
        transport.Start();
        notify_runner.Start();
    }

    std::printf("tocsin listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(server.Port()));
    std::fflush(stdout);
    log->info("[app.Serve] listening on {}:{}, data in {}", host, server.Port(), cfg.data_dir);

    auto stop_notifications = [&] {
        // Outcomes that arrived before the transport stopped are recorded; messages not yet
        // sent stay pending and go out after the next start.
        notify_runner.Stop();
        transport.Stop();
        if (auto r = dispatcher.Flush(clock.Now()); !r) {
            log->error("[app.Serve] recording the last notification outcomes failed: {}", r.error().message);
        }
    };
    server.Run([&runner, &checker, &stop_notifications] {
        checker.Stop();
        runner.Stop();
        stop_notifications();
    });
    checker.Stop();
    runner.Stop();
    stop_notifications();
    log->info("[app.Serve] stopped");
    return 0;
}

}  // namespace tocsin::app
