/// @file
/// @brief The page's own settings: name, address, language, branding.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <string>
#include <vector>

namespace tocsin::domain {

struct FooterLink {
    std::string label;
    std::string url;
};

struct PageSettings {
    std::string page_id;  // 12-char id published in v2 JSON
    std::string name = "Status";
    std::string url;                // public base URL, e.g. https://status.example.com (no trailing slash)
    std::string time_zone = "UTC";  // IANA name; dates on the page are shown in it
    std::string default_language = "en";
    std::string accent_color = "#2563eb";
    std::vector<FooterLink> footer_links;
    std::string logo_content_type;  // empty: no logo
    std::string logo;               // bytes of the logo image, served by tocsin itself
    // Origins allowed to frame the page (CSP frame-ancestors); empty means 'none'.
    std::vector<std::string> frame_ancestors;
    TimePoint updated_at{};

    /// Checks every field; the error names the offending field.
    [[nodiscard]] Result<void> Validate() const;
};

/// Languages the public page is rendered in, default first when it is one of them.
inline const std::vector<std::string>& SupportedLanguages() {
    static const std::vector<std::string> kLangs = {"en", "de"};
    return kLangs;
}

}  // namespace tocsin::domain
