#include "tocsin/domain/page_settings.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>

namespace tocsin::domain {
namespace {

// Settings that pass; each case below breaks exactly one field.
PageSettings Good() {
    PageSettings s;
    s.page_id = "abcdefghijkl";
    s.name = "Acme Status";
    s.url = "https://status.example.com";
    s.footer_links = {{"Home", "https://example.com"}, {"Support", "mailto:ops@example.com"}, {"About", "/about"}};
    s.frame_ancestors = {"https://intranet.example.com"};
    return s;
}

TEST(PageSettingsValidate, AcceptsDefaultsAndGoodValues) {
    EXPECT_TRUE(PageSettings{}.Validate());
    auto r = Good().Validate();
    EXPECT_TRUE(r) << r.error().field << ": " << r.error().message;
}

TEST(PageSettingsValidate, AcceptsEdgeValues) {
    struct Case {
        std::string_view name;
        std::function<void(PageSettings&)> edit;
    };
    const Case cases[] = {
        {"200-character name", [](PageSettings& s) { s.name = std::string(200, 'n'); }},
        {"empty url (not published yet)", [](PageSettings& s) { s.url.clear(); }},
        {"plain http url", [](PageSettings& s) { s.url = "http://status.local"; }},
        {"one-letter host", [](PageSettings& s) { s.url = "http://a"; }},
        {"url with a path", [](PageSettings& s) { s.url = "https://example.com/status"; }},
        {"German", [](PageSettings& s) { s.default_language = "de"; }},
        {"short hex colour", [](PageSettings& s) { s.accent_color = "#AbC"; }},
        {"upper-case hex colour", [](PageSettings& s) { s.accent_color = "#FF00AA"; }},
        {"100-character footer label", [](PageSettings& s) { s.footer_links[0].label = std::string(100, 'l'); }},
        {"http footer link", [](PageSettings& s) { s.footer_links[0].url = "http://example.com/x"; }},
        {"no footer links", [](PageSettings& s) { s.footer_links.clear(); }},
        {"frame ancestor with wildcard host", [](PageSettings& s) { s.frame_ancestors = {"https://*.example.com"}; }},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        PageSettings s = Good();
        c.edit(s);
        auto r = s.Validate();
        EXPECT_TRUE(r) << r.error().field << ": " << r.error().message;
    }
}

TEST(PageSettingsValidate, NamesTheOffendingField) {
    struct Case {
        std::string_view name;
        std::function<void(PageSettings&)> edit;
        std::string_view field;
    };
    const Case cases[] = {
        {"empty name", [](PageSettings& s) { s.name.clear(); }, "name"},
        {"201-character name", [](PageSettings& s) { s.name = std::string(201, 'n'); }, "name"},
        {"ftp url", [](PageSettings& s) { s.url = "ftp://status.example.com"; }, "url"},
        {"url without scheme", [](PageSettings& s) { s.url = "status.example.com"; }, "url"},
        {"script url", [](PageSettings& s) { s.url = "javascript:alert(1)"; }, "url"},
        {"scheme only", [](PageSettings& s) { s.url = "https://"; }, "url"},
        {"empty host", [](PageSettings& s) { s.url = "https:///status"; }, "url"},
        {"url with a space", [](PageSettings& s) { s.url = "https://status.example.com/a b"; }, "url"},
        {"url with a quote", [](PageSettings& s) { s.url = "https://status.example.com/\"x"; }, "url"},
        {"url with a trailing slash", [](PageSettings& s) { s.url = "https://status.example.com/"; }, "url"},
        {"empty time zone", [](PageSettings& s) { s.time_zone.clear(); }, "time_zone"},
        {"unsupported language", [](PageSettings& s) { s.default_language = "fr"; }, "default_language"},
        {"empty language", [](PageSettings& s) { s.default_language.clear(); }, "default_language"},
        {"colour without #", [](PageSettings& s) { s.accent_color = "2563eb"; }, "accent_color"},
        {"colour of 5 digits", [](PageSettings& s) { s.accent_color = "#2563e"; }, "accent_color"},
        {"colour with non-hex digit", [](PageSettings& s) { s.accent_color = "#2563eg"; }, "accent_color"},
        {"colour name", [](PageSettings& s) { s.accent_color = "blue"; }, "accent_color"},
        {"empty footer label", [](PageSettings& s) { s.footer_links[1].label.clear(); }, "footer_links[1].label"},
        {"101-character footer label",
         [](PageSettings& s) { s.footer_links[0].label = std::string(101, 'l'); },
         "footer_links[0].label"},
        {"script footer link",
         [](PageSettings& s) { s.footer_links[2].url = "javascript:alert(1)"; },
         "footer_links[2].url"},
        {"protocol-relative footer link",
         [](PageSettings& s) { s.footer_links[0].url = "//evil.example.com"; },
         "footer_links[0].url"},
        {"data footer link",
         [](PageSettings& s) { s.footer_links[0].url = "data:text/html,<script>"; },
         "footer_links[0].url"},
        {"empty footer link", [](PageSettings& s) { s.footer_links[1].url.clear(); }, "footer_links[1].url"},
        {"wildcard frame ancestor",
         [](PageSettings& s) {
             s.frame_ancestors = {"https://ok.example.com", "*"};
         },
         "frame_ancestors[1]"},
        {"frame ancestor keyword", [](PageSettings& s) { s.frame_ancestors = {"'self'"}; }, "frame_ancestors[0]"},
        {"frame ancestor that injects a CSP directive",
         [](PageSettings& s) { s.frame_ancestors = {"https://a.example.com;sandbox"}; },
         "frame_ancestors[0]"},
        {"frame ancestor that starts a second CSP policy",
         [](PageSettings& s) { s.frame_ancestors = {"https://a.example.com,https://b.example.com"}; },
         "frame_ancestors[0]"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        PageSettings s = Good();
        c.edit(s);
        auto r = s.Validate();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
        EXPECT_FALSE(r.error().message.empty());
    }
}

}  // namespace
}  // namespace tocsin::domain
