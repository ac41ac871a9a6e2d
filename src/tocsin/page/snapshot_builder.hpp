/// @file
/// @brief Renders a PageState into a Snapshot: HTML in every language, Statuspage v2
/// JSON, Atom/RSS/iCal feeds and assets, each with gzip and ETag.
///
/// Pure function of (state, now): no store, no clock, no I/O. Safe to call from any
/// thread; the builder holds only immutable parsed templates.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/domain/page_state.hpp"
#include "tocsin/page/snapshot.hpp"

#include <cstdint>
#include <memory>

namespace tocsin::page {

struct PageOptions {
    int history_page_size = 20;  // incidents per /history page
    int past_days_on_index = 7;  // days of "past incidents" on the front page
    int feed_entries = 50;       // Atom/RSS items, and v2 list lengths
};

class SnapshotBuilder {
public:
    explicit SnapshotBuilder(PageOptions options = {});
    ~SnapshotBuilder();

    /// `previous`, when given, lends the gzip bytes and validators of entries whose body
    /// did not change, so a change to one incident does not recompress the whole site.
    [[nodiscard]] std::shared_ptr<const Snapshot> Build(
        const domain::PageState& state, TimePoint now, std::uint64_t generation, const Snapshot* previous = nullptr
    ) const;

private:
    struct Templates;
    PageOptions options_;
    std::unique_ptr<Templates> templates_;
};

// Pieces of the build, exposed for their own tests.

/// Statuspage v2 documents keyed by path ("/api/v2/summary.json", ...).
std::vector<std::pair<std::string, std::string>> RenderV2Json(
    const domain::PageState& state, TimePoint now, int list_limit
);
/// Atom and RSS of incidents and maintenance, in `lang`.
std::string RenderAtom(const domain::PageState& state, TimePoint now, const std::string& lang, int limit);
std::string RenderRss(const domain::PageState& state, TimePoint now, const std::string& lang, int limit);
/// iCalendar (RFC 5545) with one VEVENT per maintenance window.
std::string RenderICal(const domain::PageState& state, TimePoint now);
/// gzip (RFC 1952) of `data` at zlib level 6 (level 9 costs twice the time for ~4% less).
std::string Gzip(std::string_view data);

}  // namespace tocsin::page
