/// @file
/// @brief Serves the public page from the current snapshot, plus /healthz and /metrics.
///
/// Runs on the I/O threads and never touches the store: a request picks a language and
/// an encoding, looks the entry up and hands its bytes to the server without copying.
#pragma once

#include "tocsin/common/metrics.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/page/snapshot.hpp"

#include <functional>
#include <memory>

namespace tocsin::api {

using SnapshotSource = std::function<std::shared_ptr<const page::Snapshot>()>;

void RegisterPublicRoutes(http::Router& router, SnapshotSource source, MetricsRegistry& metrics);

/// The language for a request: ?lang= if supported, else the best Accept-Language
/// match, else the page's default.
std::string_view ChooseLanguage(const http::Request& req, const page::Snapshot& snap);

}  // namespace tocsin::api
