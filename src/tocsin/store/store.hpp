/// @file
/// @brief Persistence of every aggregate behind one transactional interface.
///
/// A backend (SQLite today, PostgreSQL for HA) implements Store and Tx. Every method
/// is blocking: call it on the blocking thread pool, never on an I/O thread. A state
/// change and the outbox messages it causes are written through one Tx, so they commit
/// together or not at all (transactional outbox).
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/alerts/service.hpp"
#include "tocsin/alerts/severity.hpp"
#include "tocsin/alerts/silence.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/page_settings.hpp"
#include "tocsin/domain/page_state.hpp"
#include "tocsin/domain/subscriber.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/monitor/rollup.hpp"
#include "tocsin/oncall/contact.hpp"
#include "tocsin/oncall/schedule.hpp"
#include "tocsin/store/escalation_records.hpp"
#include "tocsin/store/schedule_records.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::store {

struct IncidentFilter {
    std::optional<domain::IncidentKind> kind;
    std::vector<domain::IncidentStatus> statuses;  // empty: any
    std::optional<TimePoint> since;                // started_at >= since
    std::optional<TimePoint> until;                // started_at < until
    std::string query;                             // substring of the name, case-insensitive
    int limit = 50;
    int offset = 0;
};

struct ApiToken {
    std::string id;
    std::string name;
    std::string role;  // owner | responder | stakeholder (auth owns the meaning)
    TimePoint created_at{};
    std::optional<TimePoint> revoked_at;
};

struct User {
    std::string id;
    std::string email;
    std::string name;
    std::string role;
    std::string password_hash;  // argon2id encoded string
    TimePoint created_at{};
    std::string language = "en";  // of the admin app and the user's e-mails: en | de
    std::optional<TimePoint> last_login_at;
};

/// A signed-in browser session (the admin app). The cookie carries a secret; the store
/// keeps only its hash, which is also the key.
struct Session {
    std::string secret_hash;
    std::string user_id;
    std::string csrf_token;  // sent back by the app in X-CSRF-Token on unsafe requests
    TimePoint created_at{};
    TimePoint last_seen_at{};
    TimePoint expires_at{};  // absolute end, whatever the activity
    std::string user_agent;
    std::string client_address;
};

/// A prepared text for a new incident or maintenance. `kind` and `status` use the incident
/// vocabulary; the status is one that `kind` may take (checked by the caller).
struct IncidentTemplate {
    std::string id;
    domain::IncidentKind kind = domain::IncidentKind::kIncident;
    std::string name;  // unique per kind, case-insensitive
    std::string title;
    domain::IncidentStatus status = domain::IncidentStatus::kInvestigating;
    std::string body;  // Markdown
    TimePoint created_at{};
    TimePoint updated_at{};
};

/// A message for a later sender (notifications, webhooks). The idempotency key makes a
/// second enqueue of the same event a no-op and travels with the delivery.
struct OutboxMessage {
    std::string topic;
    std::string idempotency_key;
    std::string payload;  // JSON
    TimePoint created_at{};
};

/// An outbox message as stored, with its sequence number and fan-out progress.
struct OutboxRow {
    std::int64_t seq = 0;
    OutboxMessage message;
    /// Fan-out progress: the id of the last subscriber whose delivery rows were written
    /// ("" before the first batch).
    std::string fanout_cursor;
    std::optional<TimePoint> dispatched_at;
};

struct SubscriberFilter {
    std::optional<domain::Channel> channel;
    std::optional<bool> confirmed;
    std::string query;     // substring of the target, case-insensitive
    std::string after_id;  // keyset pagination: ids greater than this
    int limit = 100;
};

enum class DeliveryState { kPending, kSent, kDead };
std::string_view ToString(DeliveryState s);
std::optional<DeliveryState> ParseDeliveryState(std::string_view s);

/// One message to one destination, caused by one outbox message. The idempotency key,
/// unique, is "<outbox idempotency key>/<subscriber id or channel>": a fan-out that runs
/// twice writes each row once, and the key travels with the delivery (webhook header,
/// Message-ID) so a destination can drop a repeat after a crash between send and record.
struct Delivery {
    std::int64_t id = 0;
    std::string idempotency_key;
    std::int64_t outbox_seq = 0;
    std::string subscriber_id;  // "" for the page's own Mastodon account
    domain::Channel channel = domain::Channel::kEmail;
    DeliveryState state = DeliveryState::kPending;
    int attempts = 0;
    TimePoint next_attempt_at{};
    std::string last_error;
    TimePoint created_at{};
    std::optional<TimePoint> sent_at;
};

struct DeliveryFilter {
    std::optional<DeliveryState> state;
    std::optional<std::int64_t> outbox_seq;
    std::string subscriber_id;
    std::int64_t after_id = 0;  // keyset pagination
    int limit = 100;
};

/// Counts per state for one outbox message (or all, with seq 0).
struct DeliveryProgress {
    std::int64_t pending = 0;
    std::int64_t sent = 0;
    std::int64_t dead = 0;
    std::int64_t failing = 0;  // pending with at least one failed attempt
};

/// A monitor state change as stored (monitor_events), with its row id.
struct MonitorEvent {
    std::int64_t id = 0;
    monitor::StateChange change;
};

struct ResultFilter {
    std::string monitor_id;
    std::optional<TimePoint> since;  // at >= since
    std::optional<TimePoint> until;  // at < until
    std::string location;            // empty: any
    int limit = 100;
};

struct AlertFilter {
    std::string service_id;   // empty: any
    std::string incident_id;  // empty: any
    std::string dedup_key;    // empty: any
    std::optional<alerts::AlertState> state;
    bool open_only = false;           // triggered or acknowledged
    std::optional<TimePoint> since;   // created_at >= since
    std::int64_t before_tiny_id = 0;  // keyset pagination (newest first): tiny_id < this; 0: none
    int limit = 100;
};

struct AlertIncidentFilter {
    std::string service_id;
    std::optional<alerts::AlertState> state;
    bool open_only = false;
    std::optional<TimePoint> since;
    std::int64_t before_number = 0;  // keyset pagination (newest first)
    int limit = 100;
};

/// How many alerts of an incident are in each state (IncidentState roll-up without loading them).
struct IncidentAlertCounts {
    std::int64_t triggered = 0, acknowledged = 0, resolved = 0;
    std::int64_t open_not_silenced = 0;
};

/// An open alert after a repeat (RepeatOpenAlert).
struct AlertRepeat {
    std::string id, incident_id;
    std::int64_t tiny_id = 0, count = 0;
};

/// Whether an incident has alerts in each open state: three index probes, independent of how
/// many alerts the incident holds (CountIncidentAlerts reads every one).
struct IncidentAlertPresence {
    bool triggered = false, acknowledged = false, open_not_silenced = false;
};

/// An active integration key with the hash its secret is looked up by.
struct ActiveIntegrationKey {
    alerts::IntegrationKey key;
    std::string secret_hash;
};

/// A user as the on-call code needs them (PEOPLE): who, how to write to them, and when.
struct UserProfile {
    std::string id, email, name;
    std::string language = "en";    // en | de
    std::string time_zone = "UTC";  // IANA
};

/// The pending verification code of a contact method; only its hash is kept.
struct ContactVerification {
    std::string contact_method_id;
    std::string code_hash;  // oncall::HashVerificationCode
    TimePoint sent_at{};
    TimePoint expires_at{};
    int attempts = 0;  // wrong codes entered so far
};

/// One open transaction. Obtained only inside Store::Write / Store::Read; not thread-safe;
/// every error is a value, and an error returned from the callback rolls everything back.
class Tx {
public:
    virtual ~Tx() = default;

    // Page settings: exactly one row, created by the first migration.
    [[nodiscard]] virtual Result<domain::PageSettings> GetPageSettings() = 0;
    [[nodiscard]] virtual Result<void> SavePageSettings(const domain::PageSettings& s) = 0;

    // Components, ordered by position then name.
    [[nodiscard]] virtual Result<std::vector<domain::Component>> ListComponents() = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Component>> GetComponent(const std::string& id) = 0;
    [[nodiscard]] virtual Result<void> InsertComponent(const domain::Component& c) = 0;
    /// Replaces every field of the row with the same id; NotFound if there is none.
    [[nodiscard]] virtual Result<void> UpdateComponent(const domain::Component& c) = 0;
    /// Deletes the component; its children lose their group; incidents lose the link.
    [[nodiscard]] virtual Result<void> DeleteComponent(const std::string& id) = 0;

    // Incidents and maintenances, newest first (started_at, then created_at), each with its
    // component ids and its updates (newest first).
    [[nodiscard]] virtual Result<std::vector<domain::Incident>> ListIncidents(const IncidentFilter& f) = 0;
    [[nodiscard]] virtual Result<std::int64_t> CountIncidents(const IncidentFilter& f) = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Incident>> GetIncident(const std::string& id) = 0;
    /// Inserts the incident, its component links and all of its updates.
    [[nodiscard]] virtual Result<void> InsertIncident(const domain::Incident& i) = 0;
    /// Replaces the incident row and its component links; updates are left alone.
    [[nodiscard]] virtual Result<void> UpdateIncident(const domain::Incident& i) = 0;
    [[nodiscard]] virtual Result<void> DeleteIncident(const std::string& id) = 0;
    [[nodiscard]] virtual Result<void> InsertUpdate(const domain::IncidentUpdate& u) = 0;
    /// Replaces body, status, display_at, updated_at and deliver_notifications of an update.
    [[nodiscard]] virtual Result<void> UpdateUpdate(const domain::IncidentUpdate& u) = 0;
    [[nodiscard]] virtual Result<void> DeleteUpdate(const std::string& incident_id, const std::string& update_id) = 0;

    /// Adds a message unless one with the same idempotency key exists.
    [[nodiscard]] virtual Result<void> EnqueueOutbox(const OutboxMessage& m) = 0;
    [[nodiscard]] virtual Result<std::int64_t> CountOutbox() = 0;

    // Outbox reading (the dispatcher). Oldest first.
    [[nodiscard]] virtual Result<std::vector<OutboxRow>> ListUndispatchedOutbox(int limit) = 0;
    [[nodiscard]] virtual Result<std::optional<OutboxRow>> GetOutbox(std::int64_t seq) = 0;
    [[nodiscard]] virtual Result<void> SaveFanoutCursor(std::int64_t seq, const std::string& after_subscriber_id) = 0;
    [[nodiscard]] virtual Result<void> MarkOutboxDispatched(std::int64_t seq, TimePoint at) = 0;
    /// Outbox rows with seq < before_seq (0: any), newest first (for the API's progress view).
    [[nodiscard]] virtual Result<std::vector<OutboxRow>> ListOutbox(std::int64_t before_seq, int limit) = 0;

    // Subscribers, ordered by id.
    /// Conflict if a subscriber with the same channel and target exists.
    [[nodiscard]] virtual Result<void> InsertSubscriber(const domain::Subscriber& s) = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Subscriber>> GetSubscriber(const std::string& id) = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Subscriber>> FindSubscriber(
        domain::Channel channel, const std::string& target
    ) = 0;
    /// Replaces language, secret, component ids and confirmed_at; NotFound if absent.
    [[nodiscard]] virtual Result<void> UpdateSubscriber(const domain::Subscriber& s) = 0;
    /// Deletes the subscriber, its component links and its deliveries (the address is gone).
    [[nodiscard]] virtual Result<void> DeleteSubscriber(const std::string& id) = 0;
    [[nodiscard]] virtual Result<std::vector<domain::Subscriber>> ListSubscribers(const SubscriberFilter& f) = 0;
    [[nodiscard]] virtual Result<std::int64_t> CountSubscribers(const SubscriberFilter& f) = 0;

    // Deliveries.
    /// Inserts each row unless its idempotency key exists; returns how many were new.
    [[nodiscard]] virtual Result<std::int64_t> InsertDeliveries(const std::vector<Delivery>& rows) = 0;
    /// Pending deliveries due at `now` (next_attempt_at <= now), oldest due first, then by id.
    [[nodiscard]] virtual Result<std::vector<Delivery>> ListDueDeliveries(TimePoint now, int limit) = 0;
    [[nodiscard]] virtual Result<std::optional<Delivery>> GetDelivery(std::int64_t id) = 0;
    [[nodiscard]] virtual Result<void> MarkDeliverySent(std::int64_t id, int attempts, TimePoint at) = 0;
    /// Records a failed attempt: pending again at `next_attempt_at`, or dead when `dead`.
    [[nodiscard]] virtual Result<void> MarkDeliveryFailed(
        std::int64_t id, int attempts, TimePoint next_attempt_at, const std::string& error, bool dead
    ) = 0;
    /// A dead delivery back to pending, due at `at` (attempts kept). NotFound / Conflict.
    [[nodiscard]] virtual Result<void> RetryDelivery(std::int64_t id, TimePoint at) = 0;
    [[nodiscard]] virtual Result<std::vector<Delivery>> ListDeliveries(const DeliveryFilter& f) = 0;
    [[nodiscard]] virtual Result<DeliveryProgress> GetDeliveryProgress(std::int64_t outbox_seq) = 0;

    // Small server secrets (the key that signs subscriber links). Insert keeps an existing value.
    [[nodiscard]] virtual Result<std::optional<std::string>> GetSecret(const std::string& name) = 0;
    [[nodiscard]] virtual Result<void> InsertSecretIfAbsent(const std::string& name, const std::string& value) = 0;

    // The Mastodon status that the next post about an incident replies to.
    [[nodiscard]] virtual Result<std::optional<std::string>> GetThreadPost(const std::string& incident_id) = 0;
    [[nodiscard]] virtual Result<void> SaveThreadPost(const std::string& incident_id, const std::string& status_id) = 0;

    // API tokens: only the hash of a secret is stored.
    [[nodiscard]] virtual Result<void> InsertToken(const ApiToken& t, const std::string& secret_hash) = 0;
    [[nodiscard]] virtual Result<std::optional<ApiToken>> FindTokenByHash(const std::string& secret_hash) = 0;
    [[nodiscard]] virtual Result<std::vector<ApiToken>> ListTokens() = 0;
    [[nodiscard]] virtual Result<void> RevokeToken(const std::string& id, TimePoint at) = 0;

    // Monitors. The definition is stored whole; ListMonitors is ordered by name, then id.
    [[nodiscard]] virtual Result<std::vector<monitor::Monitor>> ListMonitors() = 0;
    [[nodiscard]] virtual Result<std::optional<monitor::Monitor>> GetMonitor(const std::string& id) = 0;
    [[nodiscard]] virtual Result<std::optional<monitor::Monitor>> FindMonitorByHeartbeatHash(const std::string& hash
    ) = 0;
    [[nodiscard]] virtual Result<void> InsertMonitor(const monitor::Monitor& m) = 0;
    /// Replaces the definition; NotFound if there is no such monitor.
    [[nodiscard]] virtual Result<void> UpdateMonitor(const monitor::Monitor& m) = 0;
    /// Deletes the monitor with its state, results, events and rollups.
    [[nodiscard]] virtual Result<void> DeleteMonitor(const std::string& id) = 0;

    [[nodiscard]] virtual Result<std::optional<monitor::MonitorState>> GetMonitorState(const std::string& monitor_id
    ) = 0;
    [[nodiscard]] virtual Result<std::vector<monitor::MonitorState>> ListMonitorStates() = 0;
    [[nodiscard]] virtual Result<void> SaveMonitorState(const monitor::MonitorState& s) = 0;

    /// Appends results; results of monitors that no longer exist are skipped.
    [[nodiscard]] virtual Result<void> InsertCheckResults(const std::vector<monitor::CheckResult>& results) = 0;
    /// Newest first.
    [[nodiscard]] virtual Result<std::vector<monitor::CheckResult>> ListCheckResults(const ResultFilter& f) = 0;
    /// Outcome and total time of every result of a monitor in [since, until), for rollups.
    [[nodiscard]] virtual Result<std::vector<monitor::ResultSample>> ListResultSamples(
        const std::string& monitor_id, TimePoint since, TimePoint until
    ) = 0;
    /// The oldest result time of a monitor, if any.
    [[nodiscard]] virtual Result<std::optional<TimePoint>> OldestResultAt(const std::string& monitor_id) = 0;
    /// Deletes results older than `before`; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> DeleteResultsBefore(TimePoint before) = 0;

    [[nodiscard]] virtual Result<std::int64_t> InsertMonitorEvent(const monitor::StateChange& c) = 0;
    /// Events of one monitor (all when monitor_id is empty) in [since, until), oldest first.
    [[nodiscard]] virtual Result<std::vector<MonitorEvent>> ListMonitorEvents(
        const std::string& monitor_id, TimePoint since, TimePoint until
    ) = 0;

    /// Inserts or replaces the rollup with the same (monitor, period, start).
    [[nodiscard]] virtual Result<void> SaveRollup(const monitor::Rollup& r) = 0;
    /// Oldest first.
    [[nodiscard]] virtual Result<std::vector<monitor::Rollup>> ListRollups(
        const std::string& monitor_id, monitor::RollupPeriod period, TimePoint since, TimePoint until
    ) = 0;
    /// The start of the newest stored rollup of that period.
    [[nodiscard]] virtual Result<std::optional<TimePoint>> LatestRollupStart(
        const std::string& monitor_id, monitor::RollupPeriod period
    ) = 0;
    [[nodiscard]] virtual Result<std::int64_t> DeleteRollupsBefore(monitor::RollupPeriod period, TimePoint before) = 0;

    // Users (the admin UI signs them in; the CLI creates them). E-mails are unique,
    // compared case-insensitively.
    /// Conflict if the e-mail is taken. `last_login_at` is stored as given.
    [[nodiscard]] virtual Result<void> InsertUser(const User& u) = 0;
    [[nodiscard]] virtual Result<std::optional<User>> FindUserByEmail(const std::string& email) = 0;
    [[nodiscard]] virtual Result<std::optional<User>> GetUser(const std::string& id) = 0;
    /// Ordered by created_at, then id.
    [[nodiscard]] virtual Result<std::vector<User>> ListUsers() = 0;
    /// How many users there are; with `role` not empty, how many have that role.
    [[nodiscard]] virtual Result<std::int64_t> CountUsers(const std::string& role) = 0;
    /// Replaces name, role, language and password hash (e-mail and times stay). NotFound.
    [[nodiscard]] virtual Result<void> UpdateUser(const User& u) = 0;
    [[nodiscard]] virtual Result<void> SetUserLastLogin(const std::string& id, TimePoint at) = 0;
    /// Deletes the user and, through the foreign key, their sessions. NotFound if absent.
    [[nodiscard]] virtual Result<void> DeleteUser(const std::string& id) = 0;

    // Sessions of the admin app, keyed by the hash of their secret.
    /// Conflict if the hash exists (a secret drawn twice: practically impossible).
    [[nodiscard]] virtual Result<void> InsertSession(const Session& s) = 0;
    /// The session whatever its times; the caller decides whether it has expired.
    [[nodiscard]] virtual Result<std::optional<Session>> FindSessionByHash(const std::string& secret_hash) = 0;
    /// Sets last_seen_at; a missing session is not an error (it was just deleted).
    [[nodiscard]] virtual Result<void> TouchSession(const std::string& secret_hash, TimePoint at) = 0;
    /// Deletes one session; false if there was none.
    [[nodiscard]] virtual Result<bool> DeleteSession(const std::string& secret_hash) = 0;
    /// Deletes every session of a user except the one hashed `keep_hash` ("" keeps none);
    /// returns how many went.
    [[nodiscard]] virtual Result<std::int64_t> DeleteUserSessions(
        const std::string& user_id, const std::string& keep_hash
    ) = 0;
    /// Deletes sessions whose absolute end is at or before `now`, or that have not been
    /// seen since `idle_before`; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> DeleteExpiredSessions(TimePoint now, TimePoint idle_before) = 0;

    // Incident templates, ordered by kind, then name.
    [[nodiscard]] virtual Result<std::vector<IncidentTemplate>> ListTemplates() = 0;
    [[nodiscard]] virtual Result<std::optional<IncidentTemplate>> GetTemplate(const std::string& id) = 0;
    /// Conflict if a template of the same kind has the same name.
    [[nodiscard]] virtual Result<void> InsertTemplate(const IncidentTemplate& t) = 0;
    /// Replaces every field but id and created_at; NotFound / Conflict (name taken).
    [[nodiscard]] virtual Result<void> UpdateTemplate(const IncidentTemplate& t) = 0;
    [[nodiscard]] virtual Result<void> DeleteTemplate(const std::string& id) = 0;

    // Services (alert intake), ordered by name. component_ids are stored in service_components.
    [[nodiscard]] virtual Result<std::vector<alerts::Service>> ListServices() = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::Service>> GetService(const std::string& id) = 0;
    /// Conflict if the name is taken (case-insensitive) or a component does not exist.
    [[nodiscard]] virtual Result<void> InsertService(const alerts::Service& s) = 0;
    /// Replaces every field but id and created_at, and the component links; NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateService(const alerts::Service& s) = 0;
    /// Deletes the service with its keys, alerts, incidents and change events; NotFound.
    [[nodiscard]] virtual Result<void> DeleteService(const std::string& id) = 0;
    /// Services linked to a component.
    [[nodiscard]] virtual Result<std::vector<std::string>> ListServicesOfComponent(const std::string& component_id) = 0;

    // Integration keys. Only the secret's hash is stored.
    [[nodiscard]] virtual Result<void> InsertIntegrationKey(
        const alerts::IntegrationKey& k, const std::string& hash
    ) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::IntegrationKey>> GetIntegrationKey(const std::string& id) = 0;
    /// A service's keys, revoked ones included, oldest first.
    [[nodiscard]] virtual Result<std::vector<alerts::IntegrationKey>> ListIntegrationKeys(const std::string& service_id
    ) = 0;
    /// Every key not revoked, with its hash (IntakeAuth's cache).
    [[nodiscard]] virtual Result<std::vector<ActiveIntegrationKey>> ListActiveIntegrationKeys() = 0;
    /// New secret for a key: replaces hash and prefix, sets rotated_at; NotFound (or revoked).
    [[nodiscard]] virtual Result<void> RotateIntegrationKey(
        const std::string& id, const std::string& hash, const std::string& prefix, TimePoint at
    ) = 0;
    /// Sets revoked_at (idempotent); NotFound.
    [[nodiscard]] virtual Result<void> RevokeIntegrationKey(const std::string& id, TimePoint at) = 0;
    /// Sets last_used_at.
    [[nodiscard]] virtual Result<void> TouchIntegrationKey(const std::string& id, TimePoint at) = 0;

    // Alerts. At most one open alert per (service, dedup key): InsertAlert gives Conflict.
    [[nodiscard]] virtual Result<void> InsertAlert(const alerts::Alert& a) = 0;
    /// Replaces every field but id, tiny_id, service_id and created_at; NotFound.
    [[nodiscard]] virtual Result<void> UpdateAlert(const alerts::Alert& a) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::Alert>> GetAlert(const std::string& id) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::Alert>> GetAlertByTinyId(std::int64_t tiny_id) = 0;
    /// The open alert of a service with this dedup key.
    [[nodiscard]] virtual Result<std::optional<alerts::Alert>> FindOpenAlert(
        const std::string& service_id, const std::string& dedup_key
    ) = 0;
    /// The newest alert (open or not) of a service with this dedup key.
    [[nodiscard]] virtual Result<std::optional<alerts::Alert>> FindLatestAlert(
        const std::string& service_id, const std::string& dedup_key
    ) = 0;
    /// Newest first (by tiny id).
    [[nodiscard]] virtual Result<std::vector<alerts::Alert>> ListAlerts(const AlertFilter& f) = 0;
    /// The next tiny id (1 + the largest used).
    [[nodiscard]] virtual Result<std::int64_t> NextAlertTinyId() = 0;
    /// Open alerts whose snooze ended or whose acknowledgement expired at or before `now`.
    [[nodiscard]] virtual Result<std::vector<alerts::Alert>> ListDueAlertTimers(TimePoint now, int limit) = 0;
    /// A repeat of the open alert of (service, dedup key), if there is one: count + 1 and
    /// last_event_at/updated_at = `at`, in one statement that touches no index; returns what
    /// the intake's answer needs (id, tiny_id, incident_id, dedup_key, count), or nullopt.
    [[nodiscard]] virtual Result<std::optional<AlertRepeat>> RepeatOpenAlert(
        const std::string& service_id, const std::string& dedup_key, TimePoint at
    ) = 0;

    // Alert incidents. label_signature is grouping's LabelSignature() of the first alert.
    [[nodiscard]] virtual Result<void> InsertAlertIncident(
        const alerts::AlertIncident& i, const std::string& label_signature
    ) = 0;
    /// Replaces every field but id, number, service_id, group_key, label signature, created_at.
    [[nodiscard]] virtual Result<void> UpdateAlertIncident(const alerts::AlertIncident& i) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::AlertIncident>> GetAlertIncident(const std::string& id) = 0;
    /// Newest first (by number).
    [[nodiscard]] virtual Result<std::vector<alerts::AlertIncident>> ListAlertIncidents(const AlertIncidentFilter& f
    ) = 0;
    /// A service's open incidents as grouping sees them.
    [[nodiscard]] virtual Result<std::vector<alerts::GroupCandidate>> ListGroupCandidates(const std::string& service_id
    ) = 0;
    [[nodiscard]] virtual Result<std::int64_t> NextAlertIncidentNumber() = 0;
    [[nodiscard]] virtual Result<IncidentAlertCounts> CountIncidentAlerts(const std::string& incident_id) = 0;
    [[nodiscard]] virtual Result<IncidentAlertPresence> ProbeIncidentAlerts(const std::string& incident_id) = 0;

    // The append-only alert log; InsertAlertLog returns the new seq.
    [[nodiscard]] virtual Result<std::int64_t> InsertAlertLog(const alerts::AlertLogEntry& e) = 0;
    /// Rows of an alert (alert_id) or of an incident (incident_id, including its alerts' rows), oldest first.
    [[nodiscard]] virtual Result<std::vector<alerts::AlertLogEntry>> ListAlertLog(
        const std::string& alert_id, const std::string& incident_id, int limit
    ) = 0;

    // Change events, newest first.
    [[nodiscard]] virtual Result<void> InsertChangeEvent(const alerts::ChangeEvent& e) = 0;
    [[nodiscard]] virtual Result<std::vector<alerts::ChangeEvent>> ListChangeEvents(
        const std::string& service_id, int limit
    ) = 0;

    // Opsgenie request records. Saving an existing id replaces it.
    [[nodiscard]] virtual Result<void> SaveIntakeRequest(const alerts::IntakeRequestRecord& r) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::IntakeRequestRecord>> GetIntakeRequest(const std::string& id
    ) = 0;
    /// Deletes records processed before `before`; returns how many.
    [[nodiscard]] virtual Result<std::int64_t> DeleteIntakeRequestsBefore(TimePoint before) = 0;

    // Silences, ordered by starts_at.
    [[nodiscard]] virtual Result<std::vector<alerts::Silence>> ListSilences() = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::Silence>> GetSilence(const std::string& id) = 0;
    [[nodiscard]] virtual Result<void> InsertSilence(const alerts::Silence& s) = 0;
    /// Replaces every field but id and created_at; NotFound.
    [[nodiscard]] virtual Result<void> UpdateSilence(const alerts::Silence& s) = 0;
    [[nodiscard]] virtual Result<void> DeleteSilence(const std::string& id) = 0;

    // The severity map (seeded by the migration with SeverityTable::Default()).
    [[nodiscard]] virtual Result<alerts::SeverityTable> GetSeverityMap() = 0;
    [[nodiscard]] virtual Result<void> SaveSeverityMap(const alerts::SeverityTable& t) = 0;

    // Opsgenie heartbeats, unique by (integration key, name).
    [[nodiscard]] virtual Result<void> InsertHeartbeat(const alerts::Heartbeat& h) = 0;
    [[nodiscard]] virtual Result<std::optional<alerts::Heartbeat>> GetHeartbeat(
        const std::string& integration_key_id, const std::string& name
    ) = 0;
    /// A key's heartbeats by name; an empty key id lists every heartbeat.
    [[nodiscard]] virtual Result<std::vector<alerts::Heartbeat>> ListHeartbeats(const std::string& integration_key_id
    ) = 0;
    /// Replaces every field but id, integration_key_id and created_at (name included); NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateHeartbeat(const alerts::Heartbeat& h) = 0;
    [[nodiscard]] virtual Result<void> DeleteHeartbeat(const std::string& id) = 0;

    // ---- Escalation (issue 7, ESC; store/sqlite/sqlite_escalation_tables.cpp) ----------------
    // Policies, ordered by name. Insert: Conflict on a duplicate name. Update replaces every
    // field but id and created_at (NotFound / Conflict). Delete: NotFound; Conflict while a
    // service uses it.
    [[nodiscard]] virtual Result<std::vector<oncall::EscalationPolicy>> ListEscalationPolicies() = 0;
    [[nodiscard]] virtual Result<std::optional<oncall::EscalationPolicy>> GetEscalationPolicy(const std::string& id
    ) = 0;
    [[nodiscard]] virtual Result<void> InsertEscalationPolicy(const oncall::EscalationPolicy& p) = 0;
    [[nodiscard]] virtual Result<void> UpdateEscalationPolicy(const oncall::EscalationPolicy& p) = 0;
    [[nodiscard]] virtual Result<void> DeleteEscalationPolicy(const std::string& id) = 0;
    /// A service's paging settings; nullopt if the service does not exist.
    [[nodiscard]] virtual Result<std::optional<ServiceEscalation>> GetServiceEscalation(const std::string& service_id
    ) = 0;
    /// NotFound for an unknown service; Invalid ("escalation_policy_id") for an unknown policy.
    [[nodiscard]] virtual Result<void> SetServiceEscalation(
        const std::string& service_id, const ServiceEscalation& e
    ) = 0;
    // One escalation per incident. Insert: Conflict if the incident already has one.
    [[nodiscard]] virtual Result<void> InsertIncidentEscalation(const IncidentEscalation& e) = 0;
    [[nodiscard]] virtual Result<std::optional<IncidentEscalation>> GetIncidentEscalation(const std::string& incident_id
    ) = 0;
    /// Writes epoch, epoch_kind, epoch_started_at, stopped_at, last_level, last_pass.
    [[nodiscard]] virtual Result<void> UpdateIncidentEscalation(const IncidentEscalation& e) = 0;
    /// Incidents acknowledged and not resolved whose service re-escalates and whose quiet time
    /// (since the acknowledgement, or since the current epoch was answered) reached the
    /// service's reescalate_after at `now`, with that acknowledgement time; at most `limit`.
    [[nodiscard]] virtual Result<std::vector<std::pair<IncidentEscalation, TimePoint>>> ListReescalationDue(
        TimePoint now, int limit
    ) = 0;
    /// Inserts a timer; false (nothing written) if its step (incident, kind, epoch, level, pass,
    /// user, contact method) already has a row: a step is never inserted twice.
    [[nodiscard]] virtual Result<bool> InsertEscalationTimer(const EscalationTimer& t) = 0;
    /// Pending timers due at or before `now`, oldest due first.
    [[nodiscard]] virtual Result<std::vector<EscalationTimer>> ListDueEscalationTimers(TimePoint now, int limit) = 0;
    /// pending -> done with `outcome`; false if it was not pending (someone else claimed it).
    [[nodiscard]] virtual Result<bool> CompleteEscalationTimer(const std::string& id, const std::string& outcome) = 0;
    /// An incident's timers in due order.
    [[nodiscard]] virtual Result<std::vector<EscalationTimer>> ListEscalationTimers(const std::string& incident_id) = 0;
    // Notification attempts. Update writes state, bundled_into, bundled_count, error, status,
    // sent_at, answered_at, answer.
    [[nodiscard]] virtual Result<void> InsertNotificationAttempt(const NotificationAttempt& a) = 0;
    [[nodiscard]] virtual Result<void> UpdateNotificationAttempt(const NotificationAttempt& a) = 0;
    [[nodiscard]] virtual Result<std::optional<NotificationAttempt>> GetNotificationAttempt(const std::string& id) = 0;
    /// Oldest first.
    [[nodiscard]] virtual Result<std::vector<NotificationAttempt>> ListNotificationAttempts(
        const NotificationAttemptFilter& f
    ) = 0;
    /// Contact methods with queued attempts.
    [[nodiscard]] virtual Result<std::vector<std::string>> ListQueuedContactMethods(int limit) = 0;
    /// The newest sending/sent attempt to `address` with `reply_code` created at or after `since`.
    [[nodiscard]] virtual Result<std::optional<NotificationAttempt>> FindAttemptByReply(
        const std::string& address, const std::string& reply_code, TimePoint since
    ) = 0;
    /// Marks a one-time link token used; false if it was used before.
    [[nodiscard]] virtual Result<bool> UseEscalationToken(const std::string& token_hash, TimePoint at) = 0;
    /// Triggered incidents of services with a policy that have no escalation yet and an open
    /// alert that was silenced or snoozed (escalation held back), oldest first.
    [[nodiscard]] virtual Result<std::vector<std::string>> ListHeldBackIncidents(int limit) = 0;
    /// Whether the incident has open alerts and every one of them is snoozed past `now`.
    [[nodiscard]] virtual Result<bool> IncidentSnoozedAt(const std::string& incident_id, TimePoint now) = 0;
    // Retries of failed attempts (0012). Insert is ignored (false) when the attempt already has one.
    [[nodiscard]] virtual Result<bool> InsertNotificationRetry(const NotificationRetry& r) = 0;
    /// Pending retries due at or before `now`, oldest due first.
    [[nodiscard]] virtual Result<std::vector<NotificationRetry>> ListDueNotificationRetries(
        TimePoint now, int limit
    ) = 0;
    /// pending -> done; false if it was not pending.
    [[nodiscard]] virtual Result<bool> CompleteNotificationRetry(
        const std::string& attempt_id, const std::string& retry_attempt_id
    ) = 0;
    /// The retry that queued attempt `retry_attempt_id` (nullopt: the attempt is a first try).
    [[nodiscard]] virtual Result<std::optional<NotificationRetry>> FindRetryQueuing(const std::string& retry_attempt_id
    ) = 0;
    /// Claims a handoff notice: false when one for the same shift and kind exists already.
    [[nodiscard]] virtual Result<bool> InsertHandoffNotice(const HandoffNotice& n) = 0;
    [[nodiscard]] virtual Result<void> SetHandoffNoticeOutcome(const HandoffNotice& n) = 0;
    [[nodiscard]] virtual Result<std::vector<HandoffNotice>> ListHandoffNotices(TimePoint since, int limit) = 0;

    // --- Schedules (issue 7, SCHED): definitions only (who is on call is computed by
    // oncall/schedule.hpp), overrides, hashed iCal feed tokens. sqlite_schedule_tables.cpp.

    /// Schedules by name, each with its layers and all of its overrides (oldest first).
    [[nodiscard]] virtual Result<std::vector<oncall::Schedule>> ListSchedules() = 0;
    /// With layers and all overrides (oldest first: the newest wins where they overlap).
    [[nodiscard]] virtual Result<std::optional<oncall::Schedule>> GetSchedule(const std::string& id) = 0;
    /// Stores id, name, description, time_zone, team_id and layers (not overrides); Conflict if
    /// the name is taken (case-insensitive).
    [[nodiscard]] virtual Result<void> InsertSchedule(const oncall::Schedule& s) = 0;
    /// Replaces name, description, time_zone, team_id and layers; overrides stay. NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateSchedule(const oncall::Schedule& s) = 0;
    /// Deletes the schedule with its overrides and feed token; NotFound.
    [[nodiscard]] virtual Result<void> DeleteSchedule(const std::string& id) = 0;
    /// NotFound for an unknown schedule; Invalid ("user_id") for an unknown user.
    [[nodiscard]] virtual Result<void> InsertScheduleOverride(
        const std::string& schedule_id, const oncall::Override& o
    ) = 0;
    /// NotFound if the schedule has no such override.
    [[nodiscard]] virtual Result<void> DeleteScheduleOverride(
        const std::string& schedule_id, const std::string& override_id
    ) = 0;
    /// Sets (or replaces: the old URL stops working) the feed token of a schedule or user
    /// (kind "schedule" | "user").
    [[nodiscard]] virtual Result<void> SetICalFeedToken(
        const std::string& kind, const std::string& subject_id, const std::string& token_hash
    ) = 0;
    [[nodiscard]] virtual Result<std::optional<ICalFeed>> FindICalFeed(const std::string& token_hash) = 0;

    // --- People on call (issue 7, PEOPLE): users' time zones, contact methods, verification
    // codes, notification rules, teams. sqlite_people_tables.cpp.

    /// NotFound if there is no such user.
    [[nodiscard]] virtual Result<UserProfile> GetUserProfile(const std::string& user_id) = 0;
    /// Sets the user's IANA zone (validated by the caller); NotFound.
    [[nodiscard]] virtual Result<void> SetUserTimeZone(const std::string& user_id, const std::string& time_zone) = 0;

    /// A user's methods, oldest first.
    [[nodiscard]] virtual Result<std::vector<oncall::ContactMethod>> ListContactMethods(const std::string& user_id) = 0;
    [[nodiscard]] virtual Result<std::optional<oncall::ContactMethod>> GetContactMethod(const std::string& id) = 0;
    /// Conflict if the user already has this kind and address; Invalid ("user_id") if the user is unknown.
    [[nodiscard]] virtual Result<void> InsertContactMethod(const oncall::ContactMethod& m) = 0;
    /// Replaces label, address, data_json and verified; NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateContactMethod(const oncall::ContactMethod& m) = 0;
    /// Deletes the method with its rules and pending code; NotFound.
    [[nodiscard]] virtual Result<void> DeleteContactMethod(const std::string& id) = 0;

    /// Replaces any pending code of the method (attempts back to 0).
    [[nodiscard]] virtual Result<void> SaveContactVerification(const ContactVerification& v) = 0;
    [[nodiscard]] virtual Result<std::optional<ContactVerification>> GetContactVerification(
        const std::string& contact_method_id
    ) = 0;
    /// Counts one wrong code; returns the new attempt count.
    [[nodiscard]] virtual Result<int> AddContactVerificationAttempt(const std::string& contact_method_id) = 0;
    [[nodiscard]] virtual Result<void> DeleteContactVerification(const std::string& contact_method_id) = 0;

    /// A user's rules ordered by urgency (high first), delay, then creation.
    [[nodiscard]] virtual Result<std::vector<oncall::NotificationRule>> ListNotificationRules(const std::string& user_id
    ) = 0;
    [[nodiscard]] virtual Result<std::optional<oncall::NotificationRule>> GetNotificationRule(const std::string& id
    ) = 0;
    /// Conflict if the same method, urgency and delay exist; Invalid ("contact_method_id") if the
    /// method does not exist.
    [[nodiscard]] virtual Result<void> InsertNotificationRule(const oncall::NotificationRule& r) = 0;
    /// Replaces contact_method_id, urgency and delay; NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateNotificationRule(const oncall::NotificationRule& r) = 0;
    [[nodiscard]] virtual Result<void> DeleteNotificationRule(const std::string& id) = 0;

    /// Teams by name.
    [[nodiscard]] virtual Result<std::vector<oncall::Team>> ListTeams() = 0;
    [[nodiscard]] virtual Result<std::optional<oncall::Team>> GetTeam(const std::string& id) = 0;
    /// Conflict if the name is taken (case-insensitive).
    [[nodiscard]] virtual Result<void> InsertTeam(const oncall::Team& t) = 0;
    /// Replaces name and description; NotFound / Conflict.
    [[nodiscard]] virtual Result<void> UpdateTeam(const oncall::Team& t) = 0;
    /// Deletes the team and its memberships; NotFound.
    [[nodiscard]] virtual Result<void> DeleteTeam(const std::string& id) = 0;
    /// A team's members by position, then user id (the round-robin order).
    [[nodiscard]] virtual Result<std::vector<oncall::TeamMember>> ListTeamMembers(const std::string& team_id) = 0;
    /// Adds or replaces the membership (role, position); Invalid ("user_id") if the user is unknown,
    /// NotFound if the team is.
    [[nodiscard]] virtual Result<void> SaveTeamMember(const oncall::TeamMember& m) = 0;
    /// NotFound if the user is not a member.
    [[nodiscard]] virtual Result<void> DeleteTeamMember(const std::string& team_id, const std::string& user_id) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    /// Runs `fn` in one write transaction and commits if it returns success. Durable on
    /// return: a crash after Write() returned keeps the change. Blocking; thread-safe.
    [[nodiscard]] virtual Result<void> Write(const std::function<Result<void>(Tx&)>& fn) = 0;

    /// Runs `fn` in one write transaction like Write(), but returns once the change is
    /// committed (later reads and writes see it), before it is on disk; `durable` runs once it
    /// is (on a thread of the store's, in commit order), or with the error if syncing failed.
    /// The intake's group commit prepares its next batch meanwhile and answers a batch from
    /// `durable`. Not called if the transaction fails (the error is returned). The default
    /// is Write() followed by `durable` on the calling thread.
    [[nodiscard]] virtual Result<void> WriteSyncLater(
        const std::function<Result<void>(Tx&)>& fn, std::function<void(Result<void>)> durable
    ) {
        auto r = Write(fn);
        if (r) durable(Result<void>{});
        return r;
    }

    /// Runs `fn` in a read transaction (a consistent view). Blocking; thread-safe.
    [[nodiscard]] virtual Result<void> Read(const std::function<Result<void>(Tx&)>& fn) = 0;
};

/// Reads everything the public page shows, in one consistent view.
[[nodiscard]] Result<domain::PageState> LoadPageState(Store& store);

}  // namespace tocsin::store
