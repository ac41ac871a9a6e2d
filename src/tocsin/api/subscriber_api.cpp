#include "tocsin/api/subscriber_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/service/subscriptions.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using domain::Subscriber;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr std::size_t kMaxImportBytes = 1024 * 1024;  // the server's default body limit
constexpr int kExportPage = 1000;

json::value TimeOrNull(const std::optional<TimePoint>& t) {
    return t ? json::value(FormatIso8601(*t)) : json::value(nullptr);
}

json::object SubscriberJson(const Subscriber& s) {
    json::array components;
    for (const auto& id : s.component_ids) components.emplace_back(id);
    return json::object{
        {"id", s.id},
        {"channel", domain::ToString(s.channel)},
        {"target", s.target},
        {"language", s.language},
        {"components", std::move(components)},
        {"confirmed", s.confirmed_at.has_value()},
        {"confirmed_at", TimeOrNull(s.confirmed_at)},
        {"created_at", FormatIso8601(s.created_at)},
        {"source", s.source},
        {"has_secret", !s.secret.empty()},
    };
}

json::object DeliveryJson(const store::Delivery& d) {
    return json::object{
        {"id", d.id},
        {"idempotency_key", d.idempotency_key},
        {"outbox_seq", d.outbox_seq},
        {"subscriber_id", d.subscriber_id.empty() ? json::value(nullptr) : json::value(d.subscriber_id)},
        {"channel", domain::ToString(d.channel)},
        {"state", store::ToString(d.state)},
        {"attempts", d.attempts},
        {"next_attempt_at", FormatIso8601(d.next_attempt_at)},
        {"last_error", d.last_error},
        {"created_at", FormatIso8601(d.created_at)},
        {"sent_at", TimeOrNull(d.sent_at)},
    };
}

json::object ProgressJson(const store::DeliveryProgress& p) {
    return json::object{{"pending", p.pending}, {"sent", p.sent}, {"dead", p.dead}, {"failing", p.failing}};
}

json::object NotificationJson(const store::OutboxRow& row, const store::DeliveryProgress& p, bool with_payload) {
    json::object o{
        {"seq", row.seq},
        {"topic", row.message.topic},
        {"idempotency_key", row.message.idempotency_key},
        {"created_at", FormatIso8601(row.message.created_at)},
        {"dispatched_at", TimeOrNull(row.dispatched_at)},
        {"progress", ProgressJson(p)},
    };
    if (with_payload) {
        boost::system::error_code ec;
        auto v = json::parse(row.message.payload, ec);
        o["payload"] = ec ? json::value(row.message.payload) : std::move(v);
    }
    return o;
}

int ParseLimit(const Request& req) {
    auto v = req.QueryParam("limit");
    if (!v) return kDefaultLimit;
    int n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > kMaxLimit) {
        throw HttpError(
            400, "invalid-query", "limit must be an integer from 1 to " + std::to_string(kMaxLimit), "limit"
        );
    }
    return n;
}

std::optional<std::int64_t> ParseInt64(const Request& req, const char* key) {
    auto v = req.QueryParam(key);
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < 0) {
        throw HttpError(400, "invalid-query", std::string(key) + " must be a non-negative integer", key);
    }
    return n;
}

// The value of a path segment that is a sequence number or delivery id; absent → 404.
std::int64_t PathNumber(const Request& req, std::string_view name, const std::string& what) {
    auto text = req.Param(name);
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || p != text.data() + text.size() || n < 1) {
        throw HttpError(404, "not-found", what + " " + std::string(text) + " does not exist");
    }
    return n;
}

// Keyset pagination: the next page starts after the last item of this one.
void SetNextLink(Response& res, const Request& req, const std::string& key, const std::string& last, int limit) {
    std::string query;
    std::string_view rest = req.query;
    // Keeps the filters, drops the old cursor and limit.
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto part = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        auto name = part.substr(0, part.find('='));
        if (name == key || name == "limit" || part.empty()) continue;
        query += std::string(part) + "&";
    }
    query += key + "=" + last + "&limit=" + std::to_string(limit);
    res.SetHeader("Link", "<" + std::string(req.path) + "?" + query + ">; rel=\"next\"");
}

class SubscriberApi : public std::enable_shared_from_this<SubscriberApi> {
public:
    explicit SubscriberApi(SubscriberApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (SubscriberApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        // The literal paths first: the router takes the first pattern that matches.
        add(Method::kPost, "/api/v1/subscribers/import", Role::kOwner, &SubscriberApi::Import);
        add(Method::kGet, "/api/v1/subscribers/export", Role::kOwner, &SubscriberApi::Export);
        add(Method::kGet, "/api/v1/subscribers", Role::kResponder, &SubscriberApi::List);
        add(Method::kPost, "/api/v1/subscribers", Role::kResponder, &SubscriberApi::Create);
        add(Method::kGet, "/api/v1/subscribers/{id}", Role::kResponder, &SubscriberApi::Get);
        add(Method::kPatch, "/api/v1/subscribers/{id}", Role::kResponder, &SubscriberApi::Patch);
        add(Method::kDelete, "/api/v1/subscribers/{id}", Role::kResponder, &SubscriberApi::Delete);
        add(Method::kGet, "/api/v1/deliveries", Role::kResponder, &SubscriberApi::ListDeliveries);
        add(Method::kPost, "/api/v1/deliveries/{id}/retry", Role::kResponder, &SubscriberApi::RetryDelivery);
        add(Method::kGet, "/api/v1/notifications", Role::kResponder, &SubscriberApi::ListNotifications);
        add(Method::kGet, "/api/v1/notifications/{seq}", Role::kResponder, &SubscriberApi::GetNotification);
    }

private:
    void Outbox() {
        if (d_.on_outbox) d_.on_outbox();
    }
    void Changed() {
        if (d_.on_change) d_.on_change();
    }

    // ---- subscribers --------------------------------------------------------------------

    void List(const Request& req, Response& res, const auth::Principal&) {
        store::SubscriberFilter f;
        if (auto c = req.QueryParam("channel")) {
            f.channel = domain::ParseChannel(*c);
            if (!f.channel) {
                throw HttpError(
                    400,
                    "invalid-query",
                    "channel must be one of email, webhook, slack, teams, discord, telegram, mastodon",
                    "channel"
                );
            }
        }
        if (auto c = req.QueryParam("confirmed")) {
            if (*c != "true" && *c != "false")
                throw HttpError(400, "invalid-query", "confirmed must be true or false", "confirmed");
            f.confirmed = *c == "true";
        }
        if (auto q = req.QueryParam("q")) {
            if (q->size() > 200) throw HttpError(400, "invalid-query", "q must be at most 200 bytes", "q");
            f.query = *q;
        }
        f.limit = ParseLimit(req);
        std::vector<Subscriber> list;
        std::int64_t total = 0;
        auto count_filter = f;
        if (auto a = req.QueryParam("after")) f.after_id = *a;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(l, tx.ListSubscribers(f));
            TOCSIN_ASSIGN(n, tx.CountSubscribers(count_filter));
            list = std::move(l);
            total = n;
            return {};
        }));
        json::array arr;
        for (const auto& s : list) arr.push_back(SubscriberJson(s));
        WriteJson(res, arr);
        res.SetHeader("X-Total-Count", std::to_string(total));
        if (static_cast<int>(list.size()) == f.limit) SetNextLink(res, req, "after", list.back().id, f.limit);
    }

    Subscriber Load(const std::string& id) {
        std::optional<Subscriber> s;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetSubscriber(id));
            s = std::move(found);
            return {};
        }));
        if (!s) throw HttpError(404, "not-found", "subscriber " + id + " does not exist");
        return std::move(*s);
    }

    void Create(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "subscriber");
        Fields f(body);
        f.RejectUnknown({"channel", "target", "language", "components", "secret", "skip_confirmation"});
        Subscriber s;
        auto channel_text = f.String("channel", 16).value_or("email");
        auto channel = domain::ParseChannel(channel_text);
        if (!channel) {
            throw HttpError(
                400,
                "invalid-field",
                "channel must be one of email, webhook, slack, teams, discord, telegram",
                "channel"
            );
        }
        s.channel = *channel;
        s.target = f.String("target", 2048, false).value_or("");
        if (s.target.empty()) throw HttpError(400, "invalid-field", "target is required", "target");
        s.language = f.String("language", 8).value_or("en");
        s.component_ids = f.StringArray("components", 200).value_or(std::vector<std::string>{});
        s.secret = f.String("secret", 256).value_or("");
        s.source = "api";
        bool confirmed = f.Bool("skip_confirmation").value_or(false);
        Subscriber created;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(added, service::AdminAdd(tx, s, confirmed, d_.clock.Now()));
            created = std::move(added);
            return {};
        }));
        if (!confirmed) Outbox();
        Changed();
        WriteJson(res, SubscriberJson(created), 201);
        res.SetHeader("Location", "/api/v1/subscribers/" + created.id);
    }

    void Get(const Request& req, Response& res, const auth::Principal&) {
        WriteJson(res, SubscriberJson(Load(std::string(req.Param("id")))));
    }

    void Patch(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "subscriber");
        Fields f(body);
        f.RejectUnknown({"language", "components", "secret", "confirmed"});
        service::SubscriberPatch p;
        p.language = f.String("language", 8);
        p.component_ids = f.StringArray("components", 200);
        p.secret = f.String("secret", 256);
        p.confirmed = f.Bool("confirmed");
        std::string id(req.Param("id"));
        Subscriber saved;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(s, service::AdminUpdate(tx, id, p, d_.clock.Now()));
            saved = std::move(s);
            return {};
        }));
        Changed();
        WriteJson(res, SubscriberJson(saved));
    }

    void Delete(const Request& req, Response& res, const auth::Principal&) {
        std::string id(req.Param("id"));
        bool deleted = false;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(d, service::Unsubscribe(tx, id));
            deleted = d;
            return {};
        }));
        if (!deleted) throw HttpError(404, "not-found", "subscriber " + id + " does not exist");
        Changed();
        res.status = 204;
        res.body.clear();
    }

    void Import(const Request& req, Response& res, const auth::Principal&) {
        auto ct = req.Header("Content-Type");
        if (ct.substr(0, ct.find(';')) != "text/csv") {
            throw HttpError(415, "unsupported-media-type", "send the subscribers as text/csv");
        }
        if (req.body.size() > kMaxImportBytes) {
            throw HttpError(413, "body-too-large", "the CSV must be at most 1 MiB; split it");
        }
        if (req.body.empty()) throw HttpError(400, "invalid-body", "the CSV is empty");
        service::ImportReport report;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(r, service::ImportCsv(tx, req.body, d_.clock.Now()));
            report = std::move(r);
            return {};
        }));
        if (report.imported > 0) Outbox();
        if (report.imported > 0) Changed();
        json::array errors;
        for (const auto& e : report.errors) {
            errors.push_back(json::object{{"line", e.line}, {"field", e.field}, {"message", e.message}});
        }
        WriteJson(
            res,
            json::object{
                {"imported", report.imported},
                {"skipped_existing", report.skipped_existing},
                {"failed", report.failed},
                {"errors", std::move(errors)},
            }
        );
    }

    void Export(const Request&, Response& res, const auth::Principal&) {
        std::string csv = service::CsvHeaderLine();
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            store::SubscriberFilter f;
            f.limit = kExportPage;
            while (true) {
                TOCSIN_ASSIGN(page, tx.ListSubscribers(f));
                for (const auto& s : page) csv += service::CsvLine(s);
                if (static_cast<int>(page.size()) < f.limit) return {};
                f.after_id = page.back().id;
            }
        }));
        res.status = 200;
        res.content_type = "text/csv; charset=utf-8";
        res.body = std::move(csv);
        res.SetHeader("Content-Disposition", "attachment; filename=\"subscribers.csv\"");
        res.SetHeader("Cache-Control", "no-store");
    }

    // ---- deliveries and notifications ----------------------------------------------------

    void ListDeliveries(const Request& req, Response& res, const auth::Principal&) {
        store::DeliveryFilter f;
        if (auto s = req.QueryParam("state")) {
            f.state = store::ParseDeliveryState(*s);
            if (!f.state) throw HttpError(400, "invalid-query", "state must be pending, sent or dead", "state");
        }
        f.outbox_seq = ParseInt64(req, "outbox_seq");
        if (auto s = req.QueryParam("subscriber_id")) f.subscriber_id = s->substr(0, 64);
        f.after_id = ParseInt64(req, "after").value_or(0);
        f.limit = ParseLimit(req);
        std::vector<store::Delivery> list;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(l, tx.ListDeliveries(f));
            list = std::move(l);
            return {};
        }));
        json::array arr;
        for (const auto& d : list) arr.push_back(DeliveryJson(d));
        WriteJson(res, arr);
        if (static_cast<int>(list.size()) == f.limit)
            SetNextLink(res, req, "after", std::to_string(list.back().id), f.limit);
    }

    void RetryDelivery(const Request& req, Response& res, const auth::Principal&) {
        auto id = PathNumber(req, "id", "delivery");
        store::Delivery after;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetDelivery(id));
            if (!found) return Error::NotFound("delivery " + std::to_string(id) + " does not exist");
            if (found->state != store::DeliveryState::kDead) {
                return Error::Conflict(
                    "delivery " + std::to_string(id) + " is " + std::string(store::ToString(found->state)) +
                    "; only dead deliveries are retried"
                );
            }
            TOCSIN_TRY(tx.RetryDelivery(id, d_.clock.Now()));
            TOCSIN_ASSIGN(updated, tx.GetDelivery(id));
            if (!updated) return Error::Internal("the retried delivery vanished");
            after = std::move(*updated);
            return {};
        }));
        Outbox();
        WriteJson(res, DeliveryJson(after));
    }

    void ListNotifications(const Request& req, Response& res, const auth::Principal&) {
        auto before = ParseInt64(req, "before").value_or(0);
        int limit = ParseLimit(req);
        std::vector<std::pair<store::OutboxRow, store::DeliveryProgress>> rows;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListOutbox(before, limit));
            for (auto& row : list) {
                TOCSIN_ASSIGN(p, tx.GetDeliveryProgress(row.seq));
                rows.emplace_back(std::move(row), p);
            }
            return {};
        }));
        json::array arr;
        for (const auto& [row, p] : rows) arr.push_back(NotificationJson(row, p, false));
        WriteJson(res, arr);
        if (static_cast<int>(rows.size()) == limit)
            SetNextLink(res, req, "before", std::to_string(rows.back().first.seq), limit);
    }

    void GetNotification(const Request& req, Response& res, const auth::Principal&) {
        auto seq = PathNumber(req, "seq", "notification");
        std::optional<store::OutboxRow> row;
        store::DeliveryProgress progress;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetOutbox(seq));
            if (!found) return {};
            TOCSIN_ASSIGN(p, tx.GetDeliveryProgress(seq));
            row = std::move(found);
            progress = p;
            return {};
        }));
        if (!row) throw HttpError(404, "not-found", "notification " + std::to_string(seq) + " does not exist");
        WriteJson(res, NotificationJson(*row, progress, true));
    }

    SubscriberApiDeps d_;
};

}  // namespace

void RegisterSubscriberRoutes(http::Router& router, SubscriberApiDeps deps) {
    auto api = std::make_shared<SubscriberApi>(std::move(deps));
    api->Register(router);
}

}  // namespace tocsin::api
