/// @file
/// @brief The escalation API (issue 7): escalation policies, a service's policy, escalate-now
/// and an incident's escalation state (admin, authenticated), plus the public answers to a
/// page: the signed one-time links /ack/{token} and /resolve/{token} (GET shows a confirm
/// page, POST acts, so a mail scanner that follows links acknowledges nothing) and the SMS
/// reply and voice key-press webhooks of the phone provider (secret in the path).
///
/// Roles: stakeholders read; responders and owners write policies, set a service's policy and
/// escalate. Every handler runs on the blocking pool and writes in one transaction.
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/notify/links.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace tocsin::api {

struct EscalationApiDeps {
    store::Store& store;
    const Clock& clock;
    notify::LinkSigner signer;   // verifies the page links (LinkPurpose::kPageAcknowledge/kPageResolve)
    std::string inbound_secret;  // empty: the provider webhooks answer 404
    const auth::Sessions* sessions = nullptr;
    /// Called with "alerts" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterEscalationRoutes(http::Router& router, EscalationApiDeps deps);

}  // namespace tocsin::api
