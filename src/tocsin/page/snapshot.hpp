/// @file
/// @brief An immutable, pre-rendered copy of every public output of the page.
///
/// Built once per change (or per minute for time-dependent text) off the request path
/// and swapped in atomically. Serving a request is a map lookup and a write of bytes
/// that already exist, gzip included. Nothing here touches the store.
#pragma once

#include "tocsin/common/clock.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tocsin::page {

struct Entry {
    int status = 200;
    std::string content_type;
    std::string body;
    std::string gzip;  // empty when compression does not pay (tiny or binary bodies)
    std::string etag;  // strong validator of `body`, with quotes
    std::string etag_gzip;
    std::string last_modified;  // HTTP date
    std::string cache_control;
    bool localized = false;  // varies by language: send Vary: Accept-Language
    bool html = false;       // a document: send the page's content security policy
    // Every response header but Content-Type, prepared once per snapshot so that serving
    // allocates nothing: for the identity body and for the gzip body.
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> headers_gzip;
};

class Snapshot {
public:
    /// Key of a language-neutral output ("/api/v2/summary.json") or of a localized one
    /// ("/history?page=2" in "de").
    static std::string Key(std::string_view path, std::string_view lang = {});

    /// The entry for `key`, or nullptr.
    [[nodiscard]] const Entry* Find(const std::string& key) const;

    std::unordered_map<std::string, Entry> entries;
    std::vector<std::string> languages;  // languages rendered, default first
    std::string default_language;
    std::string content_security_policy;  // for HTML documents
    std::string frame_options;            // X-Frame-Options value, empty when framing is allowed somewhere
    std::uint64_t generation = 0;
    TimePoint built_at{};
};

}  // namespace tocsin::page
