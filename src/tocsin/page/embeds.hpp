/// @file
/// @brief Public embeds for other sites: a small status JSON, an iframe banner and SVG badges.
///
/// Pure renderers of a PageState, called by SnapshotBuilder once per change: serving them
/// is a snapshot lookup like every other public output.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/domain/page_state.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::page {

/// Maintenance starting within this window is listed by /embed/status.json and the banners.
inline constexpr auto kEmbedUpcomingWindow = std::chrono::hours(24 * 7);

/// /embed/status.json in `lang`: page name and url, overall status, active incidents,
/// maintenance active or starting within seven days. Nothing that has ended.
std::string RenderEmbedJson(const domain::PageState& state, TimePoint now, const std::string& lang);

/// /embed/banner: a self-contained HTML document (no script) for an iframe.
std::string RenderEmbedBanner(const domain::PageState& state, TimePoint now, const std::string& lang);

/// A flat two-part badge: grey `label`, `value` on `color` (#rrggbb). Text is escaped;
/// widths follow the text.
std::string RenderBadge(std::string_view label, std::string_view value, std::string_view color);

/// Approximate width in pixels of `text` at 11 px Verdana (what badge widths are made of).
int BadgeTextWidth(std::string_view text);

/// One badge output of a snapshot: its path (with the query it answers) and its SVG.
struct BadgeEntry {
    std::string path;
    std::string svg;
};

/// /badge.svg, /badge/components/{id}.svg and /badge/monitors/{id}/uptime.svg?days=N (N in
/// 1, 7, 30, 90; the path without ?days= is the 30-day badge) in `lang`.
std::vector<BadgeEntry> RenderBadges(const domain::PageState& state, TimePoint now, const std::string& lang);

}  // namespace tocsin::page
