/// @file
/// @brief Markdown of incident updates to safe HTML (md4c, raw HTML off).
#pragma once

#include <string>
#include <string_view>

namespace tocsin::page {

/// Renders GitHub-flavoured Markdown. Raw HTML in the input is escaped, link targets
/// other than http(s), mailto and same-site paths become "#", and images that would be
/// fetched from another host turn into plain links, so the page never loads third-party
/// content and never runs script from an update.
std::string RenderMarkdown(std::string_view markdown);

/// Escapes text for HTML element content and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace tocsin::page
