#include "tocsin/app/application.hpp"

#include "tocsin/api/admin_api.hpp"
#include "tocsin/api/openapi.hpp"
#include "tocsin/api/public_site.hpp"
#include "tocsin/app/demo_data.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/common/metrics.hpp"
#include "tocsin/engine/engine_runner.hpp"
#include "tocsin/engine/maintenance_transitions.hpp"
#include "tocsin/engine/snapshot_publisher.hpp"
#include "tocsin/http/server.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

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
        // The commit is durable already; a failed rebuild only delays the page until the next change or tick.
        if (auto r = publisher.Refresh(); !r) log->error("[app.OnChange] snapshot rebuild failed: {}", r.error().message);
    }});
    api::RegisterOpenApi(router);
    api::RegisterPublicRoutes(router, [&publisher] { return publisher.Current(); }, metrics);

    http::Server server(cfg.server, router, metrics);
    if (auto r = server.Listen(); !r) return fail("listen", r.error());

    engine::MaintenanceTransitions maintenance(store, &publisher, cfg.maintenance_interval);
    engine::PageClockEngine page_clock(publisher);
    engine::EngineRunner runner(clock, metrics);
    runner.Add(maintenance);
    runner.Add(page_clock);
    runner.Start();

    std::string host = cfg.server.address.find(':') != std::string::npos ? "[" + cfg.server.address + "]" : cfg.server.address;
    std::printf("tocsin listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(server.Port()));
    std::fflush(stdout);
    log->info("[app.Serve] listening on {}:{}, data in {}", host, server.Port(), cfg.data_dir);

    server.Run([&runner] { runner.Stop(); });
    runner.Stop();
    log->info("[app.Serve] stopped");
    return 0;
}

}  // namespace tocsin::app
