#include "tocsin/domain/page_settings.hpp"

#include <algorithm>
#include <cctype>

namespace tocsin::domain {
namespace {

bool IsHexColor(const std::string& c) {
    if (c.size() != 7 && c.size() != 4) return false;
    if (c[0] != '#') return false;
    return std::all_of(c.begin() + 1, c.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

bool IsHttpUrl(const std::string& u) {
    std::size_t host = u.rfind("https://", 0) == 0 ? 8 : u.rfind("http://", 0) == 0 ? 7 : 0;
    if (host == 0) return false;
    // The host must not be empty: "http://a" is a URL, "https:///path" is not.
    std::size_t host_end = std::min(u.find_first_of("/?#", host), u.size());
    return host_end > host && u.find_first_of(" \t\r\n\"<>") == std::string::npos;
}

bool IsFrameAncestor(const std::string& u) {
    // Each entry is written into the CSP header: ';' would start a new directive, ',' a new policy.
    return IsHttpUrl(u) && u.find_first_of(";,") == std::string::npos;
}

bool IsSafeLinkTarget(const std::string& u) {
    // Footer links may point anywhere a visitor can click to, but never to script.
    return IsHttpUrl(u) || u.rfind("mailto:", 0) == 0 || (u.size() > 1 && u[0] == '/' && u[1] != '/');
}

}  // namespace

Result<void> PageSettings::Validate() const {
    if (name.empty() || name.size() > 200) return Error::Invalid("name", "must be 1 to 200 characters");
    if (!url.empty() && !IsHttpUrl(url)) return Error::Invalid("url", "must be an http:// or https:// URL");
    // PageSettings promises a base URL without a trailing slash: links append "/path" to it.
    if (!url.empty() && url.back() == '/') return Error::Invalid("url", "must not end with '/'");
    if (time_zone.empty()) return Error::Invalid("time_zone", "must be an IANA time zone name");
    const auto& langs = SupportedLanguages();
    if (std::find(langs.begin(), langs.end(), default_language) == langs.end()) {
        return Error::Invalid("default_language", "must be one of: en, de");
    }
    if (!IsHexColor(accent_color)) return Error::Invalid("accent_color", "must be a colour like #2563eb");
    for (std::size_t i = 0; i < footer_links.size(); ++i) {
        const auto& l = footer_links[i];
        std::string at = "footer_links[" + std::to_string(i) + "]";
        if (l.label.empty() || l.label.size() > 100)
            return Error::Invalid(at + ".label", "must be 1 to 100 characters");
        if (!IsSafeLinkTarget(l.url)) return Error::Invalid(at + ".url", "must be an http(s) URL, mailto: or a path");
    }
    for (std::size_t i = 0; i < frame_ancestors.size(); ++i) {
        if (!IsFrameAncestor(frame_ancestors[i])) {
            return Error::Invalid("frame_ancestors[" + std::to_string(i) + "]", "must be an http(s) origin");
        }
    }
    return {};
}

}  // namespace tocsin::domain
