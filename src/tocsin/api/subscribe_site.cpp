#include "tocsin/api/subscribe_site.hpp"

#include "tocsin/api/json_input.hpp"
#include "tocsin/common/check.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/page_settings.hpp"
#include "tocsin/domain/subscriber.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/service/subscriptions.hpp"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <unordered_set>
#include <vector>

// The page module's embedded web files (templates, i18n), as the snapshot builder reads them.
namespace tocsin::page::embedded {
std::string_view Find(std::string_view name);
}  // namespace tocsin::page::embedded

namespace tocsin::api {

// ---- rate limiting -----------------------------------------------------------------------

RateLimiter::RateLimiter(int per_hour, int burst, std::size_t max_keys)
    : interval_us_(per_hour > 0 ? 3'600'000'000LL / per_hour : 0),
      tolerance_us_(interval_us_ * (std::max(1, burst) - 1)),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

std::chrono::seconds RateLimiter::Take(const std::string& key, TimePoint now) {
    if (interval_us_ == 0) return std::chrono::seconds(0);
    const std::int64_t now_us = ToMillis(now) * 1000;
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        // The least recently used key goes: unseen for a while, it would be allowed anyway.
        while (entries_.size() >= max_keys_) {
            entries_.erase(lru_.back());
            lru_.pop_back();
        }
        lru_.push_front(key);
        it = entries_.emplace(key, Entry{now_us, lru_.begin()}).first;
    } else {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    std::int64_t tat = std::max(it->second.tat_us, now_us);
    if (tat - now_us > tolerance_us_) {
        std::int64_t wait_us = tat - tolerance_us_ - now_us;
        return std::chrono::seconds((wait_us + 999'999) / 1'000'000);
    }
    it->second.tat_us = tat + interval_us_;
    return std::chrono::seconds(0);
}

std::size_t RateLimiter::Size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

std::string ClientKey(std::string_view address) {
    if (address.find(':') == std::string_view::npos) return std::string(address);
    if (auto dot = address.find('.'); dot != std::string_view::npos) {
        return std::string(address.substr(address.rfind(':') + 1));  // ::ffff:192.0.2.1
    }
    auto zone = address.find('%');
    if (zone != std::string_view::npos) address = address.substr(0, zone);
    // Expand "::" and keep the first four groups.
    auto split = [](std::string_view s) {
        std::vector<std::string> groups;
        while (!s.empty()) {
            auto colon = s.find(':');
            groups.emplace_back(s.substr(0, colon));
            if (colon == std::string_view::npos) break;
            s = s.substr(colon + 1);
        }
        return groups;
    };
    std::vector<std::string> head, tail;
    auto gap = address.find("::");
    if (gap == std::string_view::npos) {
        head = split(address);
    } else {
        head = split(address.substr(0, gap));
        tail = split(address.substr(gap + 2));
    }
    std::vector<std::string> groups = head;
    for (std::size_t i = head.size() + tail.size(); i < 8; ++i) groups.emplace_back("0");
    groups.insert(groups.end(), tail.begin(), tail.end());
    std::string out;
    for (std::size_t i = 0; i < 4 && i < groups.size(); ++i) {
        std::string g = groups[i];
        std::transform(g.begin(), g.end(), g.begin(), [](unsigned char c) { return std::tolower(c); });
        g.erase(0, std::min(g.find_first_not_of('0'), g.size() - 1));  // no leading zeros
        out += g.empty() ? "0" : g;
        out += ':';
    }
    return out + ":/64";
}

namespace {

namespace mu = kainjow::mustache;
using domain::Channel;
using domain::Subscriber;
using http::Request;
using http::Response;

const std::string kHtml = "text/html; charset=utf-8";
const std::string kDefaultCsp =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";
constexpr std::size_t kMaxFormFields = 500;
constexpr std::size_t kMaxTargetBytes = 2048;

// The channels the second form offers, in its order.
constexpr Channel kChatChannels[] = {
    Channel::kWebhook, Channel::kSlack, Channel::kTeams, Channel::kDiscord, Channel::kTelegram};

std::string_view Embedded(std::string_view name) {
    auto bytes = page::embedded::Find(name);
    TOCSIN_CHECK(!bytes.empty(), "embedded subscribe template missing from the build");
    return bytes;
}

// A parsed application/x-www-form-urlencoded body (or query): repeated names keep every value.
class Form {
public:
    static std::optional<Form> Parse(std::string_view body) {
        Form f;
        while (!body.empty()) {
            auto amp = body.find('&');
            auto pair = body.substr(0, amp);
            body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
            if (pair.empty()) continue;
            if (f.pairs_.size() >= kMaxFormFields) return std::nullopt;
            auto eq = pair.find('=');
            f.pairs_.emplace_back(
                http::PercentDecode(pair.substr(0, eq), true),
                eq == std::string_view::npos ? std::string() : http::PercentDecode(pair.substr(eq + 1), true)
            );
        }
        return f;
    }

    [[nodiscard]] std::string Get(std::string_view name) const {
        for (const auto& [k, v] : pairs_) {
            if (k == name) return v;
        }
        return {};
    }

    [[nodiscard]] std::vector<std::string> All(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : pairs_) {
            if (k == name && !v.empty()) out.push_back(v);
        }
        return out;
    }

private:
    std::vector<std::pair<std::string, std::string>> pairs_;
};

std::string Trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

bool IsSupportedLanguage(std::string_view l) {
    const auto& all = domain::SupportedLanguages();
    return std::find(all.begin(), all.end(), l) != all.end();
}

// What a rendered page needs from the store.
struct PageData {
    domain::PageSettings settings;
    std::vector<domain::Component> components;
};

// The components to choose from, groups with their children, marking `chosen`.
mu::data ComponentTree(const std::vector<domain::Component>& all, const std::set<std::string>& chosen) {
    auto item = [&](const domain::Component& c) {
        mu::object o{{"id", c.id}, {"name", c.name}};
        o["checked"] = mu::data(chosen.count(c.id) > 0);
        o["is_group"] = mu::data(c.is_group);
        o["children"] = mu::list{};
        return o;
    };
    std::unordered_set<std::string> groups;
    for (const auto& c : all) {
        if (c.is_group) groups.insert(c.id);
    }
    mu::list top;
    for (const auto& c : all) {
        if (c.group_id && groups.count(*c.group_id)) continue;  // listed inside its group
        auto o = item(c);
        if (c.is_group) {
            mu::list children;
            for (const auto& child : all) {
                if (child.group_id && *child.group_id == c.id) children.emplace_back(item(child));
            }
            o["children"] = children;
        }
        top.emplace_back(o);
    }
    return top;
}

// A choice of components from a form: "scope=all" (or nothing chosen) is the whole page;
// a chosen group brings its current children along.
struct Scope {
    std::vector<std::string> ids;
    bool error_none_chosen = false;
};

Scope ReadScope(const Form& form, const std::vector<domain::Component>& all) {
    Scope s;
    auto chosen = form.All("component");
    auto scope = form.Get("scope");
    if (scope == "all" || (scope.empty() && chosen.empty())) return s;
    if (chosen.empty()) {
        s.error_none_chosen = true;
        return s;
    }
    std::set<std::string> seen;
    for (const auto& id : chosen) {
        if (!seen.insert(id).second) continue;
        s.ids.push_back(id);
        for (const auto& c : all) {
            if (c.group_id && *c.group_id == id && seen.insert(c.id).second) s.ids.push_back(c.id);
        }
    }
    return s;
}

class SubscribeSite : public std::enable_shared_from_this<SubscribeSite> {
public:
    explicit SubscribeSite(SubscribeSiteDeps deps)
        : d_(std::move(deps)),
          cat_(page::Catalog::Embedded()),
          by_client_(d_.options.client_posts_per_hour, d_.options.client_burst, d_.options.max_tracked),
          by_target_(d_.options.target_messages_per_hour, d_.options.target_messages_per_hour, d_.options.max_tracked) {
        // Fail at start-up, not on the first visitor, if a template is broken.
        for (auto name :
             {"templates/layout.mustache",
              "templates/subscribe.mustache",
              "templates/subscribe_manage.mustache",
              "templates/subscribe_message.mustache",
              "templates/subscribe_components.mustache"}) {
            mu::mustache t{std::string(Embedded(name))};
            TOCSIN_CHECK(t.is_valid(), "embedded subscribe template does not parse");
        }
    }

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](http::Method m, const std::string& path, void (SubscribeSite::*fn)(const Request&, Response&)) {
            r.Add(
                m,
                path,
                [self, fn](const Request& q, Response& s) { ((*self).*fn)(q, s); },
                http::RouteOptions{.blocking = true}
            );
        };
        add(http::Method::kGet, "/subscribe", &SubscribeSite::GetForm);
        add(http::Method::kPost, "/subscribe", &SubscribeSite::PostForm);
        add(http::Method::kGet, "/subscribe/confirm", &SubscribeSite::GetConfirm);
        add(http::Method::kPost, "/subscribe/confirm", &SubscribeSite::PostConfirm);
        add(http::Method::kGet, "/subscribe/manage", &SubscribeSite::GetManage);
        add(http::Method::kPost, "/subscribe/manage", &SubscribeSite::PostManage);
        add(http::Method::kGet, "/unsubscribe", &SubscribeSite::GetUnsubscribe);
        add(http::Method::kPost, "/unsubscribe", &SubscribeSite::PostUnsubscribe);
    }

private:
    // ---- page plumbing ----------------------------------------------------------------------

    PageData Load() {
        PageData p;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(settings, tx.GetPageSettings());
            TOCSIN_ASSIGN(components, tx.ListComponents());
            p.settings = std::move(settings);
            p.components = std::move(components);
            return {};
        }));
        return p;
    }

    // ?lang= if supported, else `preferred` (a subscriber's own language), else Accept-Language,
    // else the page's default.
    static std::string Language(const Request& req, const domain::PageSettings& s, std::string_view preferred = {}) {
        if (auto l = req.QueryParam("lang"); l && IsSupportedLanguage(*l)) return *l;
        if (!preferred.empty() && IsSupportedLanguage(preferred)) return std::string(preferred);
        page::Snapshot langs;
        langs.default_language = IsSupportedLanguage(s.default_language) ? s.default_language : "en";
        langs.languages.push_back(langs.default_language);
        for (const auto& l : domain::SupportedLanguages()) {
            if (l != langs.default_language) langs.languages.push_back(l);
        }
        return std::string(ChooseLanguage(req, langs));
    }

    mu::object Strings(const std::string& lang) const {
        mu::object t;
        for (const auto& [k, v] : cat_.All(lang)) t[k] = v;
        return t;
    }

    mu::list LanguageOptions(const std::string& selected) const {
        mu::list out;
        for (const auto& code : domain::SupportedLanguages()) {
            mu::object o{{"code", code}, {"name", cat_.Get(code, "lang_name")}};
            o["selected"] = mu::data(code == selected);
            out.emplace_back(o);
        }
        return out;
    }

    // Renders `body` inside the page layout and fills `res` with it and the page's headers.
    // `path_query` is the page's own path with the query to keep on language links
    // ("/subscribe/manage?token=..."); `alternates` only for pages without a token.
    void Render(
        Response& res,
        int status,
        const PageData& p,
        const std::string& lang,
        std::string_view body_template,
        mu::data body,
        const std::string& title,
        const std::string& path_query,
        bool alternates
    ) {
        auto snap = d_.snapshot ? d_.snapshot() : nullptr;
        auto t = Strings(lang);
        body.set("lang", lang);
        body.set("t", t);
        std::string components_partial(Embedded("templates/subscribe_components.mustache"));
        body.set("subscribe_components", mu::partial([components_partial] { return components_partial; }));
        mu::mustache content_tmpl{std::string(body_template)};
        std::string content = content_tmpl.render(body);

        mu::data d;
        d.set("lang", lang);
        d.set("t", t);
        d.set("title", title + " – " + p.settings.name);
        d.set("page_name", p.settings.name);
        d.set("logo", mu::data(!p.settings.logo.empty()));
        std::string theme_version = "0";
        if (snap) {
            if (const auto* e = snap->Find(page::Snapshot::Key("/assets/theme.css")); e && e->etag.size() > 9) {
                theme_version = e->etag.substr(1, 8);
            }
        }
        d.set("theme_version", theme_version);
        page::TimeFormatter time(p.settings.time_zone, cat_, lang);
        d.set("times_in", cat_.Format(lang, "times_in", time.ZoneName()));
        mu::list langs, alts;
        auto sep = path_query.find('?') == std::string::npos ? "?" : "&";
        for (const auto& code : domain::SupportedLanguages()) {
            std::string upper = code;
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            mu::object o{{"code", code}, {"code_upper", upper}, {"href", path_query + sep + "lang=" + code}};
            o["current"] = mu::data(code == lang);
            langs.emplace_back(o);
            if (alternates && !p.settings.url.empty()) {
                alts.emplace_back(mu::object{
                    {"code", code}, {"href", p.settings.url + path_query + sep + "lang=" + code}});
            }
        }
        d.set("languages", langs);
        d.set("alternates", alts);
        mu::list links;
        for (const auto& l : p.settings.footer_links)
            links.emplace_back(mu::object{{"label", l.label}, {"url", l.url}});
        d.set("has_footer_links", mu::data(!links.empty()));
        d.set("footer_links", links);
        bool uptime = snap && snap->Find(page::Snapshot::Key("/uptime", lang)) != nullptr;
        d.set("uptime_href", uptime ? mu::data("/uptime?lang=" + lang) : mu::data(false));
        d.set("content", content);
        mu::mustache layout{std::string(Embedded("templates/layout.mustache"))};

        res.status = status;
        res.content_type = kHtml;
        res.body = layout.render(d);
        res.SetHeader("Cache-Control", "no-store");
        res.SetHeader("Vary", "Accept-Language");
        res.SetHeader("Content-Language", lang);
        res.SetHeader("X-Content-Type-Options", "nosniff");
        res.SetHeader("Referrer-Policy", "no-referrer");  // the URL may hold a token
        res.SetHeader("Content-Security-Policy", snap ? snap->content_security_policy : kDefaultCsp);
        if (!snap) {
            res.SetHeader("X-Frame-Options", "DENY");
        } else if (!snap->frame_options.empty()) {
            res.SetHeader("X-Frame-Options", snap->frame_options);
        }
    }

    // A page of a heading, paragraphs, links and optionally a one-button form.
    struct Message {
        std::string title;
        std::vector<std::string> paragraphs;
        std::vector<std::pair<std::string, std::string>> links;  // label, href
        std::string button;                                      // non-empty: a POST form
        std::string action;
        bool alert = false;
    };

    void RenderMessage(
        Response& res,
        int status,
        const PageData& p,
        const std::string& lang,
        const Message& m,
        const std::string& path_query
    ) {
        mu::data body;
        body.set("heading", m.title);
        body.set("alert", mu::data(m.alert));
        mu::list paragraphs;
        for (const auto& text : m.paragraphs) paragraphs.emplace_back(text);
        body.set("paragraphs", paragraphs);
        mu::list links;
        for (const auto& [label, href] : m.links) links.emplace_back(mu::object{{"label", label}, {"href", href}});
        body.set("links", links);
        if (!m.button.empty()) {
            body.set("form", mu::object{{"action", m.action}, {"button", m.button}});
        } else {
            body.set("form", mu::data(false));
        }
        Render(
            res, status, p, lang, Embedded("templates/subscribe_message.mustache"), body, m.title, path_query, false
        );
    }

    std::vector<std::pair<std::string, std::string>> BackLink(const std::string& lang) const {
        return {{cat_.Get(lang, "back_to_status"), "/?lang=" + lang}};
    }

    void InvalidLink(Response& res, const PageData& p, const std::string& lang, const std::string& path) {
        Message m;
        m.title = cat_.Get(lang, "sub_invalid_link_title");
        m.paragraphs = {cat_.Get(lang, "sub_invalid_link")};
        m.links = {{cat_.Get(lang, "sub_subscribe_again"), "/subscribe?lang=" + lang}};
        m.alert = true;
        RenderMessage(res, 400, p, lang, m, path);
    }

    // A link's token: nullopt if it is missing, broken, of another purpose or expired;
    // otherwise the subscriber it names, if they still exist.
    struct Held {
        std::string token;
        std::string id;
        std::optional<Subscriber> subscriber;
    };

    std::optional<Held> Hold(const Request& req, notify::LinkPurpose purpose) {
        auto t = req.QueryParam("token");
        if (!t || t->empty() || t->size() > 1024) return std::nullopt;
        auto id = d_.signer.Verify(purpose, *t, d_.clock.Now());
        if (!id) return std::nullopt;
        Held h{*t, *id, std::nullopt};
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetSubscriber(h.id));
            h.subscriber = std::move(found);
            return {};
        }));
        return h;
    }

    static std::string WithToken(std::string_view path, const std::string& token) {
        return std::string(path) + "?token=" + UrlEncode(token);
    }

    static std::string UrlEncode(std::string_view s) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back('%');
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
            }
        }
        return out;
    }

    std::string ChannelLabel(const std::string& lang, Channel c) const {
        return cat_.Get(lang, "channel_" + std::string(domain::ToString(c)));
    }

    // ---- GET/POST /subscribe ----------------------------------------------------------------

    // What the visitor typed, to show the form again after an error.
    struct FormState {
        std::string form = "email";  // which of the two forms: email | chat
        Channel channel = Channel::kEmail;
        std::string target;
        std::string language;
        bool all = true;
        std::set<std::string> chosen;
    };

    void RenderForm(
        Response& res,
        int status,
        const PageData& p,
        const std::string& lang,
        const FormState* state,
        const std::string& error
    ) {
        auto form_data = [&](const std::string& which) {
            bool mine = state && state->form == which;
            mu::object o{{"form", which}, {"action", "/subscribe?lang=" + lang}};
            o["target"] = mine ? state->target : std::string();
            o["all"] = mu::data(!mine || state->all);
            o["languages"] = LanguageOptions(mine && !state->language.empty() ? state->language : lang);
            o["components"] = ComponentTree(p.components, mine ? state->chosen : std::set<std::string>{});
            o["has_components"] = mu::data(!p.components.empty());
            o["open"] = mu::data(mine);  // the chat form is folded unless it is being corrected
            if (which == "chat") {
                mu::list channels;
                for (auto c : kChatChannels) {
                    mu::object co{{"value", std::string(domain::ToString(c))}, {"label", ChannelLabel(lang, c)}};
                    co["selected"] = mu::data(mine && state->channel == c);
                    channels.emplace_back(co);
                }
                o["channels"] = channels;
            }
            return o;
        };
        mu::data body;
        body.set("error", error.empty() ? mu::data(false) : mu::data(error));
        body.set("email", form_data("email"));
        body.set("chat", form_data("chat"));
        Render(
            res,
            status,
            p,
            lang,
            Embedded("templates/subscribe.mustache"),
            body,
            cat_.Get(lang, "sub_title"),
            "/subscribe",
            true
        );
    }

    void GetForm(const Request& req, Response& res) {
        auto p = Load();
        RenderForm(res, 200, p, Language(req, p.settings), nullptr, {});
    }

    // The message for an invalid field, in the visitor's language.
    std::string FieldError(const std::string& lang, const std::string& field, Channel channel) const {
        if (field == "target") {
            if (channel == Channel::kEmail) return cat_.Get(lang, "sub_error_email");
            if (channel == Channel::kTelegram) return cat_.Get(lang, "sub_error_chat_id");
            return cat_.Get(lang, "sub_error_url");
        }
        if (field == "secret") return cat_.Get(lang, "sub_error_secret");
        if (field == "language") return cat_.Get(lang, "sub_error_language");
        if (field == "components") return cat_.Get(lang, "sub_error_components");
        if (field == "channel") return cat_.Get(lang, "sub_error_channel");
        return cat_.Get(lang, "sub_error_form");
    }

    void TooMany(Response& res, const PageData& p, const std::string& lang, std::chrono::seconds wait) {
        auto minutes = std::max<std::int64_t>(1, (wait.count() + 59) / 60);
        Message m;
        m.title = cat_.Get(lang, "sub_too_many_title");
        m.paragraphs = {cat_.Format(lang, "sub_too_many", std::to_string(minutes))};
        m.links = BackLink(lang);
        m.alert = true;
        RenderMessage(res, 429, p, lang, m, "/subscribe");
        res.SetHeader("Retry-After", std::to_string(wait.count()));
    }

    std::string ClientAddress(const Request& req) const {
        if (!d_.options.client_address_header.empty()) {
            auto h = req.Header(d_.options.client_address_header);
            auto comma = h.rfind(',');
            auto last = Trimmed(comma == std::string_view::npos ? h : h.substr(comma + 1));
            if (!last.empty()) return last;
        }
        return std::string(req.remote_address);
    }

    // Checks size and media type of a form post; renders the error page and returns nullopt.
    std::optional<Form> ReadForm(const Request& req, Response& res, const PageData& p, const std::string& lang) {
        if (req.body.size() > d_.options.body_limit) {
            Message m;
            m.title = cat_.Get(lang, "sub_error_title");
            m.paragraphs = {cat_.Get(lang, "sub_error_too_large")};
            m.links = BackLink(lang);
            m.alert = true;
            RenderMessage(res, 413, p, lang, m, "/subscribe");
            return std::nullopt;
        }
        auto ct = req.Header("Content-Type");
        auto media = Trimmed(ct.substr(0, ct.find(';')));
        std::transform(media.begin(), media.end(), media.begin(), ::tolower);
        std::optional<Form> form;
        if (media == "application/x-www-form-urlencoded") form = Form::Parse(req.body);
        if (!form) {
            Message m;
            m.title = cat_.Get(lang, "sub_error_title");
            m.paragraphs = {cat_.Get(lang, "sub_error_form")};
            m.links = {{cat_.Get(lang, "sub_title"), "/subscribe?lang=" + lang}};
            m.alert = true;
            RenderMessage(res, media == "application/x-www-form-urlencoded" ? 400 : 415, p, lang, m, "/subscribe");
        }
        return form;
    }

    void PostForm(const Request& req, Response& res) {
        auto p = Load();
        auto lang = Language(req, p.settings);
        auto now = d_.clock.Now();
        if (auto wait = by_client_.Take("client " + ClientKey(ClientAddress(req)), now); wait.count() > 0) {
            return TooMany(res, p, lang, wait);
        }
        auto form = ReadForm(req, res, p, lang);
        if (!form) return;

        FormState state;
        auto channel_text = form->Get("channel");
        auto channel = domain::ParseChannel(channel_text.empty() ? "email" : channel_text);
        state.form = channel && *channel == Channel::kEmail ? "email" : "chat";
        state.channel = channel.value_or(Channel::kWebhook);
        state.target = Trimmed(form->Get("target"));
        state.language = form->Get("language");
        auto scope = ReadScope(*form, p.components);
        state.all = scope.ids.empty() && !scope.error_none_chosen;
        state.chosen = std::set<std::string>(scope.ids.begin(), scope.ids.end());
        auto fail = [&](const std::string& message) { RenderForm(res, 400, p, lang, &state, message); };
        if (!channel || *channel == Channel::kMastodon) return fail(FieldError(lang, "channel", state.channel));
        if (state.target.empty() || state.target.size() > kMaxTargetBytes) {
            return fail(FieldError(lang, "target", *channel));
        }
        if (scope.error_none_chosen) return fail(cat_.Get(lang, "sub_error_no_components"));

        service::SubscribeRequest in;
        in.channel = *channel;
        in.target = state.target;
        in.language = state.language.empty() ? lang : state.language;
        in.component_ids = scope.ids;
        in.secret = *channel == Channel::kWebhook ? Trimmed(form->Get("secret")) : std::string();

        // Everything that needs no store first, so that a mistyped address costs no quota.
        Subscriber check;
        check.channel = in.channel;
        check.target = in.channel == Channel::kEmail ? domain::NormalizeEmailAddress(in.target) : in.target;
        check.language = in.language;
        check.secret = in.secret;
        if (auto valid = domain::ValidateSubscriber(check); !valid) {
            return fail(FieldError(lang, valid.error().field, *channel));
        }
        std::string target_key = std::string(domain::ToString(check.channel)) + " " + check.target;
        std::transform(target_key.begin(), target_key.end(), target_key.begin(), ::tolower);
        if (auto wait = by_target_.Take(target_key, now); wait.count() > 0) return TooMany(res, p, lang, wait);

        std::optional<Error> invalid;
        service::SubscribeResult result;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto r = service::SubscribePublic(tx, in, now);
            if (!r && r.error().kind == ErrorKind::kInvalidInput) {
                invalid = r.error();
                return {};  // nothing was written
            }
            if (!r) return r.error();
            result = *r;
            return {};
        }));
        if (invalid) return fail(FieldError(lang, invalid->field, *channel));
        Logger("api")->info(
            "subscription request {} for subscriber {} ({})",
            result.outcome == service::SubscribeOutcome::kCreated            ? "created"
            : result.outcome == service::SubscribeOutcome::kConfirmationSent ? "resent"
            : in.channel == Channel::kEmail                                  ? "reminded"
                                                                             : "ignored (already confirmed)",
            result.subscriber_id,
            domain::ToString(in.channel)
        );
        if (d_.on_outbox) d_.on_outbox();

        // The same page whatever happened: the form does not tell who is subscribed.
        Message m;
        m.title = cat_.Get(lang, "sub_check_title");
        m.paragraphs = {cat_.Get(lang, *channel == Channel::kEmail ? "sub_check_inbox" : "sub_check_chat")};
        m.links = BackLink(lang);
        RenderMessage(res, 200, p, lang, m, "/subscribe");
    }

    // A page that asks about the held subscriber and posts the answer to `path` (GET never
    // changes anything): title, question and button are `<keys>_title`, `_question`, `_button`.
    void AskWithButton(
        const Request& req,
        Response& res,
        const PageData& p,
        const Held& held,
        const std::string& path,
        const std::string& keys
    ) {
        const auto& s = *held.subscriber;
        auto lang = Language(req, p.settings, s.language);
        Message m;
        m.title = cat_.Get(lang, keys + "_title");
        m.paragraphs = {cat_.Format(lang, keys + "_question", s.target)};
        m.button = cat_.Get(lang, keys + "_button");
        m.action = WithToken(path, held.token) + "&lang=" + lang;
        m.links = BackLink(lang);
        RenderMessage(res, 200, p, lang, m, WithToken(path, held.token));
    }

    // ---- confirm ----------------------------------------------------------------------------

    // A GET only asks: mail scanners and link previews open every link in a message, and must
    // not subscribe someone who never clicked. The button posts to the same URL.
    void GetConfirm(const Request& req, Response& res) {
        auto p = Load();
        auto held = Hold(req, notify::LinkPurpose::kConfirm);
        if (!held || !held->subscriber) return InvalidLink(res, p, Language(req, p.settings), "/subscribe/confirm");
        AskWithButton(req, res, p, *held, "/subscribe/confirm", "sub_confirm");
    }

    // Confirms (again: nothing changes) and links to the manage page.
    void PostConfirm(const Request& req, Response& res) {
        auto p = Load();
        auto held = Hold(req, notify::LinkPurpose::kConfirm);
        if (!held || !held->subscriber) return InvalidLink(res, p, Language(req, p.settings), "/subscribe/confirm");
        const auto& token = held->token;
        auto s = held->subscriber;
        auto lang = Language(req, p.settings, s->language);
        bool gone = false;
        bool queued = false;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto r = service::Confirm(tx, s->id, d_.clock.Now());
            if (!r && r.error().kind == ErrorKind::kNotFound) {
                gone = true;  // unsubscribed in between
                return {};
            }
            if (!r) return r.error();
            queued = *r == service::ConfirmOutcome::kConfirmed;
            return {};
        }));
        if (gone) return InvalidLink(res, p, lang, "/subscribe/confirm");
        if (queued && d_.on_outbox) d_.on_outbox();
        auto manage = d_.signer.Sign(notify::LinkPurpose::kManage, s->id, std::nullopt);
        Message m;
        m.title = cat_.Get(lang, "sub_confirmed_title");
        m.paragraphs = {cat_.Get(lang, "sub_confirmed")};
        m.links = {
            {cat_.Get(lang, "sub_manage_link"), WithToken("/subscribe/manage", manage) + "&lang=" + lang},
            BackLink(lang).front()};
        RenderMessage(res, 200, p, lang, m, WithToken("/subscribe/confirm", token));
    }

    // ---- manage -----------------------------------------------------------------------------

    void RenderManage(
        Response& res,
        int status,
        const PageData& p,
        const std::string& lang,
        const Subscriber& s,
        const std::string& token,
        bool saved,
        const std::string& error,
        const std::set<std::string>* chosen_override = nullptr
    ) {
        std::set<std::string> chosen(s.component_ids.begin(), s.component_ids.end());
        if (chosen_override) chosen = *chosen_override;
        mu::object manage{{"form", "manage"}, {"action", WithToken("/subscribe/manage", token) + "&lang=" + lang}};
        manage["all"] = mu::data(chosen.empty());
        manage["languages"] = LanguageOptions(s.language);
        manage["components"] = ComponentTree(p.components, chosen);
        manage["has_components"] = mu::data(!p.components.empty());
        mu::data body;
        body.set("manage", manage);
        body.set("saved", mu::data(saved));
        body.set("error", error.empty() ? mu::data(false) : mu::data(error));
        body.set(
            "for_text", cat_.Format(lang, "sub_manage_for", s.target + " (" + ChannelLabel(lang, s.channel) + ")")
        );
        auto unsubscribe = d_.signer.Sign(notify::LinkPurpose::kUnsubscribe, s.id, std::nullopt);
        body.set("unsubscribe_href", WithToken("/unsubscribe", unsubscribe) + "&lang=" + lang);
        Render(
            res,
            status,
            p,
            lang,
            Embedded("templates/subscribe_manage.mustache"),
            body,
            cat_.Get(lang, "sub_manage_title"),
            WithToken("/subscribe/manage", token),
            false
        );
    }

    void GetManage(const Request& req, Response& res) {
        auto p = Load();
        auto held = Hold(req, notify::LinkPurpose::kManage);
        if (!held || !held->subscriber) return InvalidLink(res, p, Language(req, p.settings), "/subscribe/manage");
        const auto& s = *held->subscriber;
        RenderManage(res, 200, p, Language(req, p.settings, s.language), s, held->token, false, {});
    }

    void PostManage(const Request& req, Response& res) {
        auto p = Load();
        auto held = Hold(req, notify::LinkPurpose::kManage);
        if (!held || !held->subscriber) return InvalidLink(res, p, Language(req, p.settings), "/subscribe/manage");
        const auto& token = held->token;
        auto& s = held->subscriber;
        auto lang = Language(req, p.settings, s->language);
        auto form = ReadForm(req, res, p, lang);
        if (!form) return;
        auto scope = ReadScope(*form, p.components);
        std::set<std::string> chosen(scope.ids.begin(), scope.ids.end());
        if (scope.error_none_chosen) {
            return RenderManage(
                res, 400, p, lang, *s, token, false, cat_.Get(lang, "sub_error_no_components"), &chosen
            );
        }
        auto language = form->Get("language");
        if (language.empty()) language = s->language;
        std::optional<Error> invalid;
        bool gone = false;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto r = service::UpdatePreferences(tx, s->id, language, scope.ids);
            if (r) {
                *s = std::move(*r);
                return {};
            }
            if (r.error().kind == ErrorKind::kInvalidInput) {
                invalid = r.error();
                return {};
            }
            if (r.error().kind == ErrorKind::kNotFound) {
                gone = true;
                return {};
            }
            return r.error();
        }));
        if (gone) return InvalidLink(res, p, lang, "/subscribe/manage");
        if (invalid) {
            return RenderManage(
                res, 400, p, lang, *s, token, false, FieldError(lang, invalid->field, s->channel), &chosen
            );
        }
        RenderManage(res, 200, p, lang, *s, token, true, {});
    }

    // ---- unsubscribe ------------------------------------------------------------------------

    void GetUnsubscribe(const Request& req, Response& res) {
        auto p = Load();
        auto held = Hold(req, notify::LinkPurpose::kUnsubscribe);
        if (!held) return InvalidLink(res, p, Language(req, p.settings), "/unsubscribe");
        if (!held->subscriber) {
            // An intact link of a subscription that is gone: nothing to do, and nothing to hide.
            auto lang = Language(req, p.settings);
            Message m;
            m.title = cat_.Get(lang, "sub_unsubscribed_title");
            m.paragraphs = {cat_.Get(lang, "sub_not_subscribed")};
            m.links = {{cat_.Get(lang, "sub_subscribe_again"), "/subscribe?lang=" + lang}, BackLink(lang).front()};
            return RenderMessage(res, 200, p, lang, m, WithToken("/unsubscribe", held->token));
        }
        AskWithButton(req, res, p, *held, "/unsubscribe", "sub_unsubscribe");
    }

    void PostUnsubscribe(const Request& req, Response& res) {
        auto t = req.QueryParam("token");
        auto id = t ? d_.signer.Verify(notify::LinkPurpose::kUnsubscribe, *t, d_.clock.Now()) : std::nullopt;
        // RFC 8058: a mail client posts "List-Unsubscribe=One-Click" (urlencoded or multipart)
        // and expects a plain success, no redirect and no page to click through.
        bool one_click = req.body.size() <= d_.options.body_limit &&
                         req.body.find("List-Unsubscribe") != std::string_view::npos &&
                         req.body.find("One-Click") != std::string_view::npos;
        if (one_click && id) {
            ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
                TOCSIN_ASSIGN(deleted, service::Unsubscribe(tx, *id));
                if (deleted) Logger("api")->info("subscriber {} unsubscribed (one-click)", *id);
                return {};
            }));
            res.status = 200;
            res.content_type = "text/plain; charset=utf-8";
            res.body = "unsubscribed\n";
            res.SetHeader("Cache-Control", "no-store");
            return;
        }
        auto p = Load();
        if (!id) {
            if (one_click) {
                http::WriteProblem(res, 400, "invalid-token", "the unsubscribe link is broken or expired");
                return;
            }
            return InvalidLink(res, p, Language(req, p.settings), "/unsubscribe");
        }
        std::optional<Subscriber> s;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetSubscriber(*id));
            s = std::move(found);
            if (s) TOCSIN_TRY(service::Unsubscribe(tx, *id));
            return {};
        }));
        if (s) Logger("api")->info("subscriber {} unsubscribed", *id);
        auto lang = Language(req, p.settings, s ? s->language : std::string());
        Message m;
        m.title = cat_.Get(lang, "sub_unsubscribed_title");
        m.paragraphs = {cat_.Get(lang, s ? "sub_unsubscribed" : "sub_not_subscribed")};
        m.links = {{cat_.Get(lang, "sub_subscribe_again"), "/subscribe?lang=" + lang}, BackLink(lang).front()};
        RenderMessage(res, 200, p, lang, m, WithToken("/unsubscribe", *t));
    }

    SubscribeSiteDeps d_;
    const page::Catalog& cat_;
    RateLimiter by_client_;
    RateLimiter by_target_;
};

}  // namespace

void RegisterSubscribeRoutes(http::Router& router, SubscribeSiteDeps deps) {
    auto site = std::make_shared<SubscribeSite>(std::move(deps));
    site->Register(router);
}

}  // namespace tocsin::api
