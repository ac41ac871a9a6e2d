#include "tocsin/service/subscriptions.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/notify/links.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <unordered_set>

namespace tocsin::service {
namespace {

using domain::Channel;
using domain::Subscriber;

constexpr std::size_t kLinkKeyBytes = 32;
constexpr std::size_t kMaxImportErrors = 1000;

std::string ToHex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]);
        int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Queues one of the subscriber messages. Ids are [0-9a-z], so the payload needs no escaping.
Result<void> Enqueue(store::Tx& tx, std::string_view topic, const std::string& subscriber_id, TimePoint now) {
    store::OutboxMessage m;
    m.topic = std::string(topic);
    m.idempotency_key = fmt::format("{}:{}:{}", topic, subscriber_id, ToMillis(now));
    m.payload = fmt::format(R"({{"subscriber_id":"{}"}})", subscriber_id);
    m.created_at = now;
    return tx.EnqueueOutbox(m);
}

Result<void> EnqueueConfirm(store::Tx& tx, const std::string& id, TimePoint now) {
    return Enqueue(tx, "subscriber.confirm", id, now);
}

Result<void> EnqueueWelcome(store::Tx& tx, const std::string& id, TimePoint now) {
    return Enqueue(tx, "subscriber.welcome", id, now);
}

// Removes duplicates (first occurrence kept) and checks each id against `known`.
Result<std::vector<std::string>> CheckAgainst(
    const std::unordered_set<std::string>& known, std::vector<std::string> ids
) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (auto& id : ids) {
        if (!known.count(id)) return Error::Invalid("components", "names a component that does not exist: " + id);
        if (seen.insert(id).second) out.push_back(std::move(id));
    }
    return out;
}

Result<std::unordered_set<std::string>> KnownComponents(store::Tx& tx) {
    TOCSIN_ASSIGN(list, tx.ListComponents());
    std::unordered_set<std::string> ids;
    for (const auto& c : list) ids.insert(c.id);
    return ids;
}

// Normalises what every writer normalises; validation follows.
void Normalize(Subscriber& s) {
    s.target = std::string(Trim(s.target));
    if (s.channel == Channel::kEmail) s.target = domain::NormalizeEmailAddress(s.target);
}

// AdminAdd with the known components given (an import checks thousands of lines).
Result<Subscriber> Add(
    store::Tx& tx, Subscriber s, bool confirmed, TimePoint now, const std::unordered_set<std::string>& known
) {
    Normalize(s);
    if (s.channel == Channel::kMastodon) {
        return Error::Invalid("channel", "the page's Mastodon account is configured, not subscribed");
    }
    TOCSIN_ASSIGN(components, CheckAgainst(known, std::move(s.component_ids)));
    s.component_ids = std::move(components);
    TOCSIN_TRY(domain::ValidateSubscriber(s));
    if (s.id.empty()) s.id = NewId();
    if (s.created_at == TimePoint{}) s.created_at = now;
    if (confirmed) {
        s.confirmed_at = now;
    } else {
        s.confirmed_at.reset();
    }
    TOCSIN_ASSIGN(existing, tx.FindSubscriber(s.channel, s.target));
    if (existing) return Error::Conflict("a subscriber with this channel and target exists");
    TOCSIN_TRY(tx.InsertSubscriber(s));
    if (!confirmed) TOCSIN_TRY(EnqueueConfirm(tx, s.id, now));
    return s;
}

void AppendCsvField(std::string& out, std::string_view field) {
    bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!quote) {
        out += field;
        return;
    }
    out.push_back('"');
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

std::optional<bool> ParseBool(std::string_view s) {
    auto l = Lower(Trim(s));
    if (l == "true" || l == "1" || l == "yes") return true;
    if (l == "false" || l == "0" || l == "no") return false;
    return std::nullopt;
}

std::vector<std::string> SplitSpaces(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        std::size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

enum Column { kChannel, kTarget, kLanguage, kComponents, kConfirmed, kCreatedAt, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "channel", "target", "language", "components", "confirmed", "created_at"};

}  // namespace

Result<std::string> LoadOrCreateLinkKey(store::Store& store) {
    std::string key;
    TOCSIN_TRY(store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(existing, tx.GetSecret(std::string(kLinkKeySecret)));
        if (!existing) {
            TOCSIN_TRY(tx.InsertSecretIfAbsent(std::string(kLinkKeySecret), ToHex(notify::LinkSigner::NewKey())));
            TOCSIN_ASSIGN(stored, tx.GetSecret(std::string(kLinkKeySecret)));
            if (!stored) return Error::Internal("the subscriber link key was not stored");
            existing = std::move(stored);
        }
        auto raw = FromHex(*existing);
        if (!raw || raw->size() != kLinkKeyBytes) {
            return Error::Internal("the stored subscriber link key is not 64 hex digits");
        }
        key = std::move(*raw);
        return {};
    }));
    return key;
}

Result<std::vector<std::string>> CheckComponents(store::Tx& tx, std::vector<std::string> ids) {
    if (ids.empty()) return ids;
    TOCSIN_ASSIGN(known, KnownComponents(tx));
    return CheckAgainst(known, std::move(ids));
}

Result<SubscribeResult> SubscribePublic(store::Tx& tx, SubscribeRequest in, TimePoint now) {
    if (in.channel == Channel::kMastodon) return Error::Invalid("channel", "is not a channel visitors can choose");
    Subscriber s;
    s.channel = in.channel;
    s.target = std::move(in.target);
    s.language = std::move(in.language);
    s.secret = in.channel == Channel::kWebhook ? std::move(in.secret) : std::string();
    s.source = "public";
    Normalize(s);
    TOCSIN_ASSIGN(components, CheckComponents(tx, std::move(in.component_ids)));
    s.component_ids = std::move(components);
    TOCSIN_TRY(domain::ValidateSubscriber(s));

    TOCSIN_ASSIGN(existing, tx.FindSubscriber(s.channel, s.target));
    if (!existing) {
        s.id = NewId();
        s.created_at = now;
        TOCSIN_TRY(tx.InsertSubscriber(s));
        TOCSIN_TRY(EnqueueConfirm(tx, s.id, now));
        return SubscribeResult{SubscribeOutcome::kCreated, s.id};
    }
    if (existing->confirmed_at) {
        // Whoever filled in the form may not be the owner of the address: nothing changes, the
        // owner gets their manage link instead. Only e-mail has a welcome message (the
        // dispatcher drops it for other channels), so a chat or webhook gets nothing.
        if (existing->channel == Channel::kEmail) TOCSIN_TRY(EnqueueWelcome(tx, existing->id, now));
        return SubscribeResult{SubscribeOutcome::kReminded, existing->id};
    }
    // Not confirmed yet: the newest request is the one the owner will confirm.
    existing->language = s.language;
    existing->component_ids = s.component_ids;
    existing->secret = s.secret;
    TOCSIN_TRY(tx.UpdateSubscriber(*existing));
    TOCSIN_TRY(EnqueueConfirm(tx, existing->id, now));
    return SubscribeResult{SubscribeOutcome::kConfirmationSent, existing->id};
}

Result<ConfirmOutcome> Confirm(store::Tx& tx, const std::string& subscriber_id, TimePoint now) {
    TOCSIN_ASSIGN(s, tx.GetSubscriber(subscriber_id));
    if (!s) return Error::NotFound("subscriber " + subscriber_id + " does not exist");
    if (s->confirmed_at) return ConfirmOutcome::kAlreadyConfirmed;
    s->confirmed_at = now;
    TOCSIN_TRY(tx.UpdateSubscriber(*s));
    if (s->channel == Channel::kEmail) TOCSIN_TRY(EnqueueWelcome(tx, s->id, now));
    return ConfirmOutcome::kConfirmed;
}

Result<Subscriber> UpdatePreferences(
    store::Tx& tx, const std::string& subscriber_id, const std::string& language, std::vector<std::string> component_ids
) {
    TOCSIN_ASSIGN(s, tx.GetSubscriber(subscriber_id));
    if (!s) return Error::NotFound("subscriber " + subscriber_id + " does not exist");
    TOCSIN_ASSIGN(components, CheckComponents(tx, std::move(component_ids)));
    s->language = language;
    s->component_ids = std::move(components);
    TOCSIN_TRY(domain::ValidateSubscriber(*s));
    TOCSIN_TRY(tx.UpdateSubscriber(*s));
    return std::move(*s);
}

Result<bool> Unsubscribe(store::Tx& tx, const std::string& subscriber_id) {
    TOCSIN_ASSIGN(s, tx.GetSubscriber(subscriber_id));
    if (!s) return false;
    TOCSIN_TRY(tx.DeleteSubscriber(subscriber_id));
    return true;
}

Result<Subscriber> AdminAdd(store::Tx& tx, Subscriber s, bool confirmed, TimePoint now) {
    if (s.source.empty() || s.source == "public") s.source = "api";
    std::unordered_set<std::string> known;
    if (!s.component_ids.empty()) {
        TOCSIN_ASSIGN(k, KnownComponents(tx));
        known = std::move(k);
    }
    return Add(tx, std::move(s), confirmed, now, known);
}

Result<Subscriber> AdminUpdate(
    store::Tx& tx, const std::string& subscriber_id, const SubscriberPatch& patch, TimePoint now
) {
    TOCSIN_ASSIGN(s, tx.GetSubscriber(subscriber_id));
    if (!s) return Error::NotFound("subscriber " + subscriber_id + " does not exist");
    if (patch.language) s->language = *patch.language;
    if (patch.component_ids) {
        TOCSIN_ASSIGN(components, CheckComponents(tx, *patch.component_ids));
        s->component_ids = std::move(components);
    }
    if (patch.secret) s->secret = *patch.secret;
    if (patch.confirmed) {
        if (!*patch.confirmed) {
            s->confirmed_at.reset();
        } else if (!s->confirmed_at) {
            s->confirmed_at = now;
        }
    }
    TOCSIN_TRY(domain::ValidateSubscriber(*s));
    TOCSIN_TRY(tx.UpdateSubscriber(*s));
    return std::move(*s);
}

// ---- CSV ---------------------------------------------------------------------------------

std::string CsvHeaderLine() {
    return std::string(kCsvHeader) + "\r\n";
}

std::string CsvLine(const Subscriber& s) {
    std::string components;
    for (const auto& id : s.component_ids) components += (components.empty() ? "" : " ") + id;
    std::string out;
    AppendCsvField(out, domain::ToString(s.channel));
    out.push_back(',');
    AppendCsvField(out, s.target);
    out.push_back(',');
    AppendCsvField(out, s.language);
    out.push_back(',');
    AppendCsvField(out, components);
    out.push_back(',');
    out += s.confirmed_at ? "true" : "false";
    out.push_back(',');
    out += FormatIso8601(s.created_at);
    out += "\r\n";
    return out;
}

std::vector<CsvRecord> ParseCsv(std::string_view text) {
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.remove_prefix(3);  // spreadsheets write a BOM
    std::vector<CsvRecord> out;
    int line = 1;
    std::size_t i = 0;
    // One record per loop: fields until an unquoted line break or the end.
    while (i < text.size()) {
        CsvRecord rec;
        rec.line = line;
        std::string field;
        bool record_done = false;
        while (!record_done) {
            field.clear();
            if (i < text.size() && text[i] == '"') {
                ++i;
                bool closed = false;
                while (i < text.size()) {
                    char c = text[i++];
                    if (c == '"') {
                        if (i < text.size() && text[i] == '"') {
                            field.push_back('"');
                            ++i;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    if (c == '\n') ++line;
                    field.push_back(c);
                }
                if (!closed) {
                    rec.error = "a quoted field is not closed";
                    rec.fields.push_back(field);
                    out.push_back(std::move(rec));
                    return out;
                }
                if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
                    if (rec.error.empty()) rec.error = "text after a closing quote";
                    // Skip to the next separator so the following lines still parse.
                    while (i < text.size() && text[i] != ',' && text[i] != '\n') ++i;
                }
            } else {
                while (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
                    field.push_back(text[i++]);
            }
            rec.fields.push_back(field);
            if (i >= text.size()) {
                record_done = true;
            } else if (text[i] == ',') {
                ++i;
            } else {
                if (text[i] == '\r') ++i;
                if (i < text.size() && text[i] == '\n') ++i;
                ++line;
                record_done = true;
            }
        }
        bool blank = rec.fields.size() == 1 && Trim(rec.fields.front()).empty() && rec.error.empty();
        if (!blank) out.push_back(std::move(rec));
    }
    return out;
}

Result<ImportReport> ImportCsv(store::Tx& tx, std::string_view csv, TimePoint now) {
    ImportReport report;
    auto records = ParseCsv(csv);
    auto fail = [&](int line, std::string field, std::string message) {
        if (report.errors.size() < kMaxImportErrors)
            report.errors.push_back({line, std::move(field), std::move(message)});
        ++report.failed;
    };

    // Column positions: from a header line, else kCsvHeader's order.
    std::array<int, kColumnCount> at{};
    for (int c = 0; c < kColumnCount; ++c) at[c] = c;
    std::size_t first = 0;
    if (!records.empty() && records.front().error.empty() && !records.front().fields.empty() &&
        std::find(kColumnNames.begin(), kColumnNames.end(), Lower(Trim(records.front().fields.front()))) !=
            kColumnNames.end()) {
        at.fill(-1);
        const auto& header = records.front().fields;
        for (std::size_t i = 0; i < header.size(); ++i) {
            auto name = Lower(Trim(header[i]));
            auto it = std::find(kColumnNames.begin(), kColumnNames.end(), name);
            if (it == kColumnNames.end()) {
                return Error::Invalid(
                    "header", "unknown column '" + name + "' (known: " + std::string(kCsvHeader) + ")"
                );
            }
            auto col = static_cast<std::size_t>(it - kColumnNames.begin());
            if (at[col] >= 0) return Error::Invalid("header", "column '" + name + "' appears twice");
            at[col] = static_cast<int>(i);
        }
        if (at[kTarget] < 0) return Error::Invalid("header", "the column 'target' is missing");
        first = 1;
    }
    std::size_t columns = 0;
    for (int c : at) columns = std::max<std::size_t>(columns, c < 0 ? 0 : static_cast<std::size_t>(c) + 1);

    TOCSIN_ASSIGN(known, KnownComponents(tx));
    for (std::size_t r = first; r < records.size(); ++r) {
        const auto& rec = records[r];
        if (!rec.error.empty()) {
            fail(rec.line, "line", rec.error);
            continue;
        }
        if (rec.fields.size() > columns) {
            fail(rec.line, "line", fmt::format("has {} fields; expected at most {}", rec.fields.size(), columns));
            continue;
        }
        auto get = [&](Column c) -> std::string {
            int i = at[c];
            if (i < 0 || static_cast<std::size_t>(i) >= rec.fields.size()) return {};
            return std::string(Trim(rec.fields[static_cast<std::size_t>(i)]));
        };

        Subscriber s;
        s.source = "import";
        auto channel_text = Lower(get(kChannel));
        auto channel =
            channel_text.empty() ? std::optional<Channel>(Channel::kEmail) : domain::ParseChannel(channel_text);
        if (!channel) {
            fail(
                rec.line,
                "channel",
                "'" + channel_text + "' is not one of email, webhook, slack, teams, discord, telegram"
            );
            continue;
        }
        s.channel = *channel;
        s.target = get(kTarget);
        if (s.target.empty()) {
            fail(rec.line, "target", "is empty");
            continue;
        }
        auto language = get(kLanguage);
        s.language = language.empty() ? "en" : Lower(language);
        s.component_ids = SplitSpaces(get(kComponents));
        bool confirmed = false;
        if (auto text = get(kConfirmed); !text.empty()) {
            auto b = ParseBool(text);
            if (!b) {
                fail(rec.line, "confirmed", "must be true or false");
                continue;
            }
            confirmed = *b;
        }
        if (auto text = get(kCreatedAt); !text.empty()) {
            auto t = ParseIso8601(text);
            if (!t) {
                fail(rec.line, "created_at", "must be an ISO-8601 time");
                continue;
            }
            s.created_at = *t;
        }
        auto added = Add(tx, std::move(s), confirmed, now, known);
        if (added) {
            ++report.imported;
            continue;
        }
        const Error& e = added.error();
        if (e.kind == ErrorKind::kConflict) {
            ++report.skipped_existing;
        } else if (e.kind == ErrorKind::kInvalidInput) {
            fail(rec.line, e.field, e.message);
        } else {
            return e;  // the store failed: nothing of the import is kept
        }
    }
    return report;
}

}  // namespace tocsin::service
