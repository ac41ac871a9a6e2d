/// @file
/// @brief Subscribers, deliveries and notification progress under /api/v1.
///
///   GET/POST          /api/v1/subscribers             responder (list: keyset `after`, `limit`)
///   GET/PATCH/DELETE  /api/v1/subscribers/{id}        responder
///   POST              /api/v1/subscribers/import      owner (text/csv)
///   GET               /api/v1/subscribers/export      owner (text/csv attachment)
///   GET               /api/v1/deliveries              responder (keyset `after`)
///   POST              /api/v1/deliveries/{id}/retry   responder (dead → pending)
///   GET               /api/v1/notifications           responder (outbox, newest first, progress)
///   GET               /api/v1/notifications/{seq}     responder
///
/// Subscribers are personal data, so even reading them needs the responder role; a webhook's
/// secret is never returned (`has_secret` says whether there is one).
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>

namespace tocsin::api {

struct SubscriberApiDeps {
    store::Store& store;
    const Clock& clock;
    /// Called after a committed write that queued an outbox message or made a delivery due
    /// (wake the dispatcher); may be empty.
    std::function<void()> on_outbox = {};
    /// Called after every committed write to subscribers (live admin screens); may be empty.
    std::function<void()> on_change = {};
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
};

void RegisterSubscriberRoutes(http::Router& router, SubscriberApiDeps deps);

}  // namespace tocsin::api
