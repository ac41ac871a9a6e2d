/// @file
/// @brief Serves the OpenAPI 3 description of the admin API at /api/v1/openapi.json.
///
/// The document is web/api/openapi.json, built into the binary; openapi_test.cpp checks
/// that it lists exactly the routes the server registers.
#pragma once

#include "tocsin/http/router.hpp"

#include <string_view>

namespace tocsin::api {

/// The embedded document's bytes.
std::string_view OpenApiDocument();

void RegisterOpenApi(http::Router& router);

}  // namespace tocsin::api
