#include "tocsin/api/openapi.hpp"

namespace tocsin::api::embedded_openapi {
std::string_view Find(std::string_view name);
}  // namespace tocsin::api::embedded_openapi

namespace tocsin::api {

std::string_view OpenApiDocument() {
    return embedded_openapi::Find("openapi.json");
}

void RegisterOpenApi(http::Router& router) {
    router.Add(http::Method::kGet, "/api/v1/openapi.json", [](const http::Request&, http::Response& res) {
        res.content_type = "application/json";
        res.body = std::string(OpenApiDocument());
        res.SetHeader("Cache-Control", "public, max-age=300");
    });
}

}  // namespace tocsin::api
