/// @file
/// @brief Incident templates and the preview of a draft, under /api/v1.
///
///   GET/POST          /api/v1/templates        stakeholder / responder; list = {"data": [...]}
///   GET/PATCH/DELETE  /api/v1/templates/{id}   stakeholder / responder
///   POST              /api/v1/preview          responder
///
/// Template: {"id","kind":"incident|maintenance","name","title","status","body",
/// "created_at","updated_at"}; the status is one an update of that kind may have, the name
/// is unique per kind (409). The preview takes a draft {"kind","title","status","body",
/// "impact"?, "components":[{"id","status"}]?, "incident_id"?} and answers what it would
/// look like: {"body_html" (page::RenderMarkdown, as the public page shows it), "email":
/// {"en"|"de": {"subject","text","html"}}, "chat": {"en"|"de": plain text}} from the same
/// notify functions the dispatcher uses. Nothing is stored or sent.
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/notify/content.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace tocsin::api {

struct TemplateApiDeps {
    store::Store& store;
    const Clock& clock;
    /// The e-mail templates the dispatcher uses (notify::Templates::Load).
    std::shared_ptr<const notify::Templates> templates;
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
    /// Called with "templates" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterTemplateRoutes(http::Router& router, TemplateApiDeps deps);

}  // namespace tocsin::api
