#include "tocsin/app/alerts_cli.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/service/alert_ops.hpp"
#include "tocsin/service/escalation_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <iostream>

namespace tocsin::app {
namespace {

namespace json = boost::json;

int Fail(const std::string& what, const Error& e) {
    std::cerr << "tocsin alerts " << what << ": " << e.message;
    if (!e.field.empty()) std::cerr << " (" << e.field << ")";
    std::cerr << "\n";
    return e.kind == ErrorKind::kNotFound || e.kind == ErrorKind::kConflict || e.kind == ErrorKind::kInvalidInput ? 1
                                                                                                                  : 2;
}

// An alert by id or tiny id.
Result<std::optional<alerts::Alert>> FindAlert(store::Tx& tx, const std::string& ref) {
    bool digits = !ref.empty() && ref.size() < 16;
    for (char c : ref) digits = digits && c >= '0' && c <= '9';
    if (digits) return tx.GetAlertByTinyId(std::stoll(ref));
    return tx.GetAlert(ref);
}

}  // namespace

AlertsCli::AlertsCli(CLI::App& cli, std::string& data_dir) : data_dir_(data_dir) {
    alerts_ = cli.add_subcommand("alerts", "List and act on alerts and alert incidents");
    alerts_->require_subcommand(1);
    auto data = [&](CLI::App* c) {
        c->add_option("--data", data_dir_, "Folder of the SQLite database")->envname("TOCSIN_DATA");
    };
    list_ = alerts_->add_subcommand("list", "List alerts (or --incidents), newest first");
    list_->add_option("--service", service_, "Only this service id");
    list_->add_option("--state", state_, "open, triggered, acknowledged, resolved or all")
        ->check(CLI::IsMember({"open", "triggered", "acknowledged", "resolved", "all"}))
        ->capture_default_str();
    list_->add_option("--limit", limit_, "At most this many")->check(CLI::Range(1, 1000))->capture_default_str();
    list_->add_flag("--incidents", incidents_, "List alert incidents instead of alerts");
    list_->add_flag("--json", json_, "One JSON object per line");
    data(list_);
    ack_ = alerts_->add_subcommand("ack", "Acknowledge an alert (id or tiny id) or an alert incident (id)");
    resolve_ = alerts_->add_subcommand("resolve", "Resolve an alert (id or tiny id) or an alert incident (id)");
    note_ = alerts_->add_subcommand("note", "Add a note to an alert or an alert incident");
    for (auto* c : {ack_, resolve_, note_}) {
        c->add_option("target", target_, "Alert id, tiny id, or alert incident id")->required();
        c->add_option("--as", actor_, "Name written in the log")->capture_default_str();
        data(c);
    }
    note_->add_option("text", text_, "The note")->required();
    merge_ = alerts_->add_subcommand("merge", "Merge alert incidents into the first one");
    merge_->add_option("target", target_, "Alert incident id to merge into")->required();
    merge_->add_option("sources", sources_, "Alert incident ids to merge")->required();
    merge_->add_option("--as", actor_, "Name written in the log")->capture_default_str();
    data(merge_);
    escalate_ = alerts_->add_subcommand("escalate", "Page an alert incident's next escalation level now");
    escalate_->add_option("target", target_, "Alert incident id")->required();
    escalate_->add_option("--level", level_, "Page this level (1-based) instead of the next one")
        ->check(CLI::Range(1, 20));
    escalate_->add_option("--as", actor_, "Name written in the log")->capture_default_str();
    data(escalate_);
}

bool AlertsCli::Selected() const {
    return alerts_ && alerts_->parsed();
}

int AlertsCli::Run(const Clock& clock) {
    auto opened = store::sqlite::SqliteStore::Open((std::filesystem::path(data_dir_) / "tocsin.db").string(), clock);
    if (!opened) return Fail("", opened.error());
    store::Store& store = **opened;
    const service::Actor by{actor_, "cli"};
    const TimePoint now = clock.Now();

    if (list_->parsed()) {
        std::optional<alerts::AlertState> state;
        if (state_ != "open" && state_ != "all") state = alerts::ParseAlertState(state_);
        auto r = store.Read([&](store::Tx& tx) -> Result<void> {
            if (incidents_) {
                store::AlertIncidentFilter f;
                f.service_id = service_;
                f.state = state;
                f.open_only = state_ == "open";
                f.limit = limit_;
                TOCSIN_ASSIGN(list, tx.ListAlertIncidents(f));
                for (const auto& i : list) {
                    if (json_) {
                        std::cout << json::serialize(json::object{
                                         {"id", i.id},
                                         {"number", i.number},
                                         {"service_id", i.service_id},
                                         {"state", alerts::ToString(i.state)},
                                         {"alert_count", i.alert_count},
                                         {"open_count", i.open_count},
                                         {"title", i.title}})
                                  << "\n";
                    } else {
                        std::cout << "#" << i.number << "\t" << alerts::ToString(i.state) << "\t" << i.open_count << "/"
                                  << i.alert_count << " open\t" << i.title << "\t" << i.id << "\n";
                    }
                }
                return {};
            }
            store::AlertFilter f;
            f.service_id = service_;
            f.state = state;
            f.open_only = state_ == "open";
            f.limit = limit_;
            TOCSIN_ASSIGN(list, tx.ListAlerts(f));
            for (const auto& a : list) {
                if (json_) {
                    std::cout << json::serialize(json::object{
                                     {"id", a.id},
                                     {"tiny_id", a.tiny_id},
                                     {"service_id", a.service_id},
                                     {"incident_id", a.incident_id},
                                     {"state", alerts::ToString(a.state)},
                                     {"severity", a.severity},
                                     {"count", a.count},
                                     {"dedup_key", a.dedup_key},
                                     {"summary", a.summary},
                                     {"silenced", a.silenced}})
                              << "\n";
                } else {
                    std::cout << a.tiny_id << "\t" << alerts::ToString(a.state) << "\t" << a.severity << "\tx"
                              << a.count << "\t" << a.summary << "\t" << a.id << "\n";
                }
            }
            return {};
        });
        if (!r) return Fail("list", r.error());
        return 0;
    }

    if (merge_->parsed()) {
        auto r = store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, service::MergeIncidents(tx, now, target_, sources_, by));
            std::cout << "merged into #" << inc.number << ": " << inc.alert_count << " alerts, "
                      << alerts::ToString(inc.state) << "\n";
            return {};
        });
        return r ? 0 : Fail("merge", r.error());
    }

    if (escalate_->parsed()) {
        // The running server's escalation engine picks the new timer up within its interval.
        auto r = store.Write([&](store::Tx& tx) -> Result<void> {
            std::optional<int> level;
            if (level_ > 0) level = level_ - 1;
            TOCSIN_ASSIGN(inc, service::EscalateNow(tx, now, target_, level, by));
            std::cout << "incident #" << inc.number << " escalated\n";
            return {};
        });
        return r ? 0 : Fail("escalate", r.error());
    }

    const std::string what = ack_->parsed() ? "ack" : resolve_->parsed() ? "resolve" : "note";
    auto r = store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(alert, FindAlert(tx, target_));
        if (alert) {
            if (what == "note") {
                TOCSIN_TRY(service::AddAlertNote(tx, now, alert->id, by, text_));
                std::cout << "noted on alert " << alert->tiny_id << "\n";
                return {};
            }
            TOCSIN_ASSIGN(
                a,
                what == "ack" ? service::AcknowledgeAlert(tx, now, alert->id, by)
                              : service::ResolveAlert(tx, now, alert->id, by)
            );
            std::cout << "alert " << a.tiny_id << " " << alerts::ToString(a.state) << "\n";
            return {};
        }
        TOCSIN_ASSIGN(incident, tx.GetAlertIncident(target_));
        if (!incident) return Error::NotFound("no alert or alert incident " + target_);
        if (what == "note") {
            TOCSIN_TRY(service::AddIncidentNote(tx, now, incident->id, by, text_));
            std::cout << "noted on incident #" << incident->number << "\n";
            return {};
        }
        TOCSIN_ASSIGN(
            i,
            what == "ack" ? service::AcknowledgeIncident(tx, now, incident->id, by)
                          : service::ResolveIncident(tx, now, incident->id, by)
        );
        std::cout << "incident #" << i.number << " " << alerts::ToString(i.state) << "\n";
        return {};
    });
    return r ? 0 : Fail(what, r.error());
}

}  // namespace tocsin::app
