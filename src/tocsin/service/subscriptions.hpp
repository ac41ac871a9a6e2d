/// @file
/// @brief The write rules of subscribers: public double opt-in, confirmation, preferences,
/// unsubscribing, admin additions and CSV import/export.
///
/// Each function runs inside a caller's store transaction and writes the subscriber change
/// and the outbox message it causes together (the dispatcher sends what the message asks
/// for). Nothing here does I/O besides the store or reads a clock: `now` is a parameter.
///
/// Outbox messages written here (payload {"subscriber_id":"..."}):
///   "subscriber.confirm"  key "subscriber.confirm:<id>:<now ms>"   the confirmation request
///   "subscriber.welcome"  key "subscriber.welcome:<id>:<now ms>"   "you are subscribed" with
///                                                                    manage/unsubscribe links
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/domain/subscriber.hpp"
#include "tocsin/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::service {

/// Name of the store secret that keys subscriber links (64 hex digits of a 32-byte key).
inline constexpr std::string_view kLinkKeySecret = "subscriber_links";

/// The 32 raw bytes of the link key, created (notify::LinkSigner::NewKey) and stored on
/// first use. Two servers starting at once agree: the first insert wins and both read it.
/// Internal error if the stored value is not 64 hex digits.
[[nodiscard]] Result<std::string> LoadOrCreateLinkKey(store::Store& store);

/// What a public subscription request did. For tests and logs only: the visitor sees the
/// same answer in every case, so the form does not tell who is subscribed.
enum class SubscribeOutcome {
    kCreated,           // new unconfirmed subscriber, confirmation request queued
    kConfirmationSent,  // existed unconfirmed: preferences replaced, another request queued
    kReminded,          // existed confirmed: nothing changed; e-mail gets a welcome (manage link) queued
};

struct SubscribeRequest {
    domain::Channel channel = domain::Channel::kEmail;
    std::string target;  // e-mail addresses are normalised here (domain lower-cased)
    std::string language = "en";
    std::vector<std::string> component_ids;  // empty: the whole page
    std::string secret;                      // webhook signing secret, optional
};

struct SubscribeResult {
    SubscribeOutcome outcome = SubscribeOutcome::kCreated;
    std::string subscriber_id;
};

/// A visitor's request from the public form. Invalid input names its field ("target",
/// "secret", "language", "components", "channel"); the Mastodon channel is not for the public.
/// Rate limits are the caller's.
[[nodiscard]] Result<SubscribeResult> SubscribePublic(store::Tx& tx, SubscribeRequest in, TimePoint now);

enum class ConfirmOutcome { kConfirmed, kAlreadyConfirmed };

/// Confirms the subscriber (idempotent: confirmed_at is set once). The first confirmation of
/// an e-mail subscriber queues the welcome message; other channels get none. NotFound if the
/// subscriber no longer exists.
[[nodiscard]] Result<ConfirmOutcome> Confirm(store::Tx& tx, const std::string& subscriber_id, TimePoint now);

/// Replaces language and components (validated; unknown component → Invalid "components").
/// NotFound if the subscriber no longer exists. Returns the saved subscriber.
[[nodiscard]] Result<domain::Subscriber> UpdatePreferences(
    store::Tx& tx, const std::string& subscriber_id, const std::string& language, std::vector<std::string> component_ids
);

/// Deletes the subscriber (with its deliveries). Returns false if there was none.
[[nodiscard]] Result<bool> Unsubscribe(store::Tx& tx, const std::string& subscriber_id);

/// Every component id must exist; duplicates are removed (order kept). The first unknown
/// id is an Invalid error on "components".
[[nodiscard]] Result<std::vector<std::string>> CheckComponents(store::Tx& tx, std::vector<std::string> ids);

/// Adds a subscriber from the admin API or an import: `s.id` and `s.created_at` are filled
/// when empty, e-mail addresses normalised, everything validated. Confirmed → confirmed_at =
/// now; otherwise the confirmation request is queued. Conflict if channel and target exist.
[[nodiscard]] Result<domain::Subscriber> AdminAdd(store::Tx& tx, domain::Subscriber s, bool confirmed, TimePoint now);

/// An admin's change; absent fields stay as they are.
struct SubscriberPatch {
    std::optional<std::string> language;
    std::optional<std::vector<std::string>> component_ids;
    std::optional<std::string> secret;
    /// true confirms (no welcome: the admin vouches); false withdraws the confirmation.
    std::optional<bool> confirmed;
};

[[nodiscard]] Result<domain::Subscriber> AdminUpdate(
    store::Tx& tx, const std::string& subscriber_id, const SubscriberPatch& patch, TimePoint now
);

// ---- CSV ---------------------------------------------------------------------------------

/// The header line of exports (and accepted, in any column order, on import).
inline constexpr std::string_view kCsvHeader = "channel,target,language,components,confirmed,created_at";

/// One CSV line (CRLF-terminated, RFC 4180 quoting) per subscriber, after the header.
/// Secrets are never exported.
[[nodiscard]] std::string CsvHeaderLine();
[[nodiscard]] std::string CsvLine(const domain::Subscriber& s);

/// Parses RFC 4180 text into records. Each record has the 1-based line number where it
/// starts. Unterminated quotes are an error of that record (returned with `error` set).
struct CsvRecord {
    int line = 0;
    std::vector<std::string> fields;
    std::string error;  // non-empty: the record is malformed
};
[[nodiscard]] std::vector<CsvRecord> ParseCsv(std::string_view text);

struct ImportError {
    int line = 0;
    std::string field;
    std::string message;
};

struct ImportReport {
    std::int64_t imported = 0;
    std::int64_t skipped_existing = 0;
    std::int64_t failed = 0;          // lines not imported because of an error
    std::vector<ImportError> errors;  // the first 1000 of them
};

/// Imports subscribers from CSV: an optional header line (names as in kCsvHeader, any order;
/// without one the columns are in kCsvHeader's order), then one subscriber per record.
/// language defaults to "en", components to the whole page (space-separated ids, each must
/// exist), confirmed ("true"/"false") to false (a confirmation request is queued),
/// created_at (ISO-8601) to now. Valid lines are imported, lines whose channel and target
/// exist are counted and skipped, every other line is reported with its number and field.
[[nodiscard]] Result<ImportReport> ImportCsv(store::Tx& tx, std::string_view csv, TimePoint now);

}  // namespace tocsin::service
