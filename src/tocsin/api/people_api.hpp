/// @file
/// @brief People on call under /api/v1: a user's time zone and language, contact methods with
/// verification, notification rules, and teams with members.
///
///   GET    /api/v1/users/{id}/profile                          {id,email,name,language,time_zone}
///   PATCH  /api/v1/users/{id}/profile                          any of time_zone (IANA), language
///   GET    /api/v1/users/{id}/contact-methods                  {"data": [method...]}
///   POST   /api/v1/users/{id}/contact-methods                  {kind,address,label?,data?} → 201
///   GET    /api/v1/users/{id}/contact-methods/{mid}
///   PATCH  /api/v1/users/{id}/contact-methods/{mid}            label, address, data; verified (owners)
///   DELETE /api/v1/users/{id}/contact-methods/{mid}            204 (its rules go with it)
///   POST   /api/v1/users/{id}/contact-methods/{mid}/verify     sends a 6-digit code through the method
///   POST   /api/v1/users/{id}/contact-methods/{mid}/confirm    {code} → the method, verified
///   GET    /api/v1/users/{id}/notification-rules              {"data": [rule...]}
///   POST   /api/v1/users/{id}/notification-rules              {contact_method_id,urgency,delay_minutes}
///   PATCH  /api/v1/users/{id}/notification-rules/{rid}
///   DELETE /api/v1/users/{id}/notification-rules/{rid}
///   GET    /api/v1/teams, POST /api/v1/teams                   {name,description?}
///   GET    /api/v1/teams/{id} (with members), PATCH, DELETE
///   PUT    /api/v1/teams/{id}/members/{user_id}                {role?,position?} adds or changes
///   DELETE /api/v1/teams/{id}/members/{user_id}
///   GET    /api/v1/web-push/key                                {public_key} for PushManager.subscribe
///
/// Access: a signed-in user reads (stakeholder and up) and changes (responder and up) their own
/// profile, methods and rules; owners, and owner tokens, manage everyone's; anyone else gets 403
/// (404 first when the user does not exist). Teams: every role reads, owners write.
/// Changing a method's address or data makes it unverified again. Bad input is a 400 naming
/// the field; a wrong code counts against the attempt limit, after which the code is void.
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/notify/transport.hpp"
#include "tocsin/oncall/oncall_options.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <functional>
#include <string_view>

namespace tocsin::api {

struct PeopleApiDeps {
    store::Store& store;
    const Clock& clock;
    /// Verification limits (lifetime, attempts, resend interval).
    const oncall::OncallOptions& options;
    /// Complete sender settings (service::MakeSenderConfig): public URL, providers, VAPID key.
    const oncall::SenderConfig& senders;
    /// Hands a built message to notify::Transport; `done` runs once with the outcome. Empty:
    /// verification answers 503 (notifications disabled).
    std::function<void(oncall::Outgoing, notify::SendDone)> send;
    /// How long /verify waits for the outcome before answering 504.
    std::chrono::milliseconds send_timeout{40000};
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
    /// Called with "people" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterPeopleRoutes(http::Router& router, PeopleApiDeps deps);

}  // namespace tocsin::api
