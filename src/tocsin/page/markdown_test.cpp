#include "tocsin/page/markdown.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::page {
namespace {

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool Contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// Every value of `attr="..."` in `html`, in order.
std::vector<std::string> AttributeValues(const std::string& html, std::string_view attr) {
    std::vector<std::string> out;
    std::string key = " " + std::string(attr) + "=\"";
    for (auto pos = html.find(key); pos != std::string::npos; pos = html.find(key, pos + 1)) {
        auto start = pos + key.size();
        out.push_back(html.substr(start, html.find('"', start) - start));
    }
    return out;
}

TEST(RenderMarkdown, RendersCommonMarkdown) {
    struct Case {
        std::string_view name;
        std::string_view markdown;
        std::string_view expected;  // a fragment of the output
    };
    const Case cases[] = {
        {"paragraph", "We are investigating.", "<p>We are investigating.</p>"},
        {"strong", "**Degraded** API", "<strong>Degraded</strong>"},
        {"emphasis", "_slow_ responses", "<em>slow</em>"},
        {"list", "- one\n- two\n", "<li>two</li>"},
        {"code span escapes its content", "`a < b`", "<code>a &lt; b</code>"},
        {"table (GFM)", "| a | b |\n|---|---|\n| 1 | 2 |\n", "<td>2</td>"},
        {"strikethrough (GFM)", "~~fixed~~", "<del>fixed</del>"},
        {"https link", "[status](https://example.com/x)", "href=\"https://example.com/x\""},
        {"upper-case scheme is still http", "[s](HTTPS://EXAMPLE.COM)", "href=\"HTTPS://EXAMPLE.COM\""},
        {"mailto link", "[mail](mailto:ops@example.com)", "href=\"mailto:ops@example.com\""},
        {"same-site path", "[history](/history)", "href=\"/history\""},
        {"fragment", "[top](#main)", "href=\"#main\""},
        {"www autolink (GFM)", "see www.example.com now", "href=\"http://www.example.com\""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto html = RenderMarkdown(c.markdown);
        EXPECT_TRUE(Contains(html, c.expected)) << html;
    }
}

TEST(RenderMarkdown, EscapesRawHtml) {
    struct Case {
        std::string_view name;
        std::string_view markdown;
        std::string_view escaped;  // must appear
        std::string_view raw;      // must not appear
    };
    const Case cases[] = {
        {"inline tag", "a <b>bold</b> move", "&lt;b&gt;bold&lt;/b&gt;", "<b>"},
        {"html block", "<div class=\"x\">\nhello\n</div>\n", "&lt;div", "<div"},
        {"image tag with handler", "x <img src=x onerror=alert(1)> y", "&lt;img", "<img"},
        {"anchor tag", "<a href=\"javascript:alert(1)\">click</a>", "&lt;a href=", "<a href=\"javascript"},
        {"iframe", "<iframe src=\"https://evil.example\"></iframe>", "&lt;iframe", "<iframe"},
        {"style", "<style>body{display:none}</style>", "&lt;style&gt;", "<style"},
        {"comment", "<!-- hidden -->", "&lt;!--", "<!--"},
        {"svg with script", "<svg><script>alert(1)</script></svg>", "&lt;svg&gt;", "<svg"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto html = RenderMarkdown(c.markdown);
        EXPECT_TRUE(Contains(html, c.escaped)) << html;
        EXPECT_FALSE(Contains(html, c.raw)) << html;
    }
}

TEST(RenderMarkdown, NeverEmitsAScriptElement) {
    const std::string_view inputs[] = {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "text\n\n<script>\nalert(1)\n</script>\n",
        "<scr<script>ipt>alert(1)</script>",
        "> <script>alert(1)</script>",
        "- <script>alert(1)</script>",
        "```html\n<script>alert(1)</script>\n```",
        "| <script>x</script> |\n|---|\n| y |",
        "[<script>alert(1)</script>](https://example.com)",
        "![<script>alert(1)</script>](https://example.com/a.png)",
    };
    for (auto md : inputs) {
        SCOPED_TRACE(std::string(md));
        auto html = Lower(RenderMarkdown(md));
        EXPECT_FALSE(Contains(html, "<script")) << html;
    }
}

TEST(RenderMarkdown, NeutralisesDangerousLinkTargets) {
    struct Case {
        std::string_view name;
        std::string_view markdown;
    };
    const Case cases[] = {
        {"javascript", "[x](javascript:alert(1))"},
        {"mixed-case javascript", "[x](JaVaScRiPt:alert(1))"},
        {"upper-case javascript", "[x](JAVASCRIPT:alert(1))"},
        {"entity-encoded javascript", "[x](&#106;avascript:alert(1))"},
        {"data", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
        {"mixed-case data", "[x](DaTa:text/html,<script>alert(1)</script>)"},
        {"vbscript", "[x](vbscript:msgbox(1))"},
        {"mixed-case vbscript", "[x](VbScRiPt:msgbox(1))"},
        {"autolink with a javascript scheme", "<javascript:alert(1)>"},
        {"reference link", "[x][ref]\n\n[ref]: javascript:alert(1)\n"},
        {"protocol-relative", "[x](//evil.example/path)"},
        {"other scheme", "[x](file:///etc/passwd)"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto html = RenderMarkdown(c.markdown);
        auto hrefs = AttributeValues(html, "href");
        ASSERT_FALSE(hrefs.empty()) << html;
        for (const auto& h : hrefs) EXPECT_EQ(h, "#") << html;
        auto lower = Lower(html);
        EXPECT_FALSE(Contains(lower, "href=\"javascript")) << html;
        EXPECT_FALSE(Contains(lower, "href=\"data")) << html;
        EXPECT_FALSE(Contains(lower, "href=\"vbscript")) << html;
    }
}

TEST(RenderMarkdown, LinksGetNoFollowAndKeepTheirTitle) {
    auto html = RenderMarkdown("[status](https://example.com \"Our status\")");
    EXPECT_TRUE(Contains(html, "rel=\"nofollow noopener\"")) << html;
    EXPECT_TRUE(Contains(html, "title=\"Our status\"")) << html;
}

TEST(RenderMarkdown, ATitleCannotSmuggleAnAttribute) {
    auto html = RenderMarkdown("[x](https://ok.example ' href=\"javascript:alert(1)\" onclick=\"alert(1)')");
    auto hrefs = AttributeValues(html, "href");
    ASSERT_EQ(hrefs.size(), 1u) << html;
    EXPECT_EQ(hrefs[0], "https://ok.example");
    EXPECT_FALSE(Contains(html, " onclick=\"")) << html;
}

TEST(RenderMarkdown, RemoteImagesBecomeLinks) {
    struct Case {
        std::string_view name;
        std::string_view markdown;
        std::string_view link;  // expected href of the replacement link
        std::string_view text;  // expected link text
    };
    const Case cases[] = {
        {"https image", "![graph](https://cdn.example.com/g.png)", "https://cdn.example.com/g.png", "graph"},
        {"http image", "![x](http://img.example/a.gif)", "http://img.example/a.gif", "x"},
        {"no alt text shows the address",
         "![](https://cdn.example.com/g.png)",
         "https://cdn.example.com/g.png",
         "https://cdn.example.com/g.png"},
        {"protocol-relative image", "![x](//cdn.example.com/a.png)", "#", "x"},
        {"javascript image", "![x](javascript:alert(1))", "#", "x"},
        {"data image", "![x](data:image/png;base64,iVBORw0KGgo=)", "#", "x"},
        {"fragment is not an image path", "![x](#frag)", "#frag", "x"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto html = RenderMarkdown(c.markdown);
        EXPECT_FALSE(Contains(html, "<img")) << html;
        std::string expected =
            "<a href=\"" + std::string(c.link) + "\" rel=\"nofollow noopener\">" + std::string(c.text) + "</a>";
        EXPECT_TRUE(Contains(html, expected)) << html;
    }
}

TEST(RenderMarkdown, KeepsSameSiteImages) {
    auto html = RenderMarkdown("Our logo: ![logo](/assets/logo)");
    EXPECT_TRUE(Contains(html, "<img src=\"/assets/logo\" alt=\"logo\"")) << html;
    EXPECT_FALSE(Contains(html, "<a ")) << html;
}

TEST(RenderMarkdown, HandlesSeveralImagesAndLinksInOneUpdate) {
    auto html = RenderMarkdown(
        "![a](/local.png) then ![b](https://remote.example/b.png) and [c](javascript:x) and [d](https://ok.example)"
    );
    EXPECT_TRUE(Contains(html, "<img src=\"/local.png\"")) << html;
    EXPECT_TRUE(Contains(html, "<a href=\"https://remote.example/b.png\" rel=\"nofollow noopener\">b</a>")) << html;
    auto hrefs = AttributeValues(html, "href");
    EXPECT_EQ(hrefs, (std::vector<std::string>{"https://remote.example/b.png", "#", "https://ok.example"})) << html;
}

TEST(EscapeHtml, EscapesTheFiveSpecialCharacters) {
    struct Case {
        std::string_view name;
        std::string_view input;
        std::string_view expected;
    };
    const Case cases[] = {
        {"empty", "", ""},
        {"plain", "All good", "All good"},
        {"ampersand", "R&D", "R&amp;D"},
        {"angle brackets", "<script>", "&lt;script&gt;"},
        {"double quote", "say \"hi\"", "say &quot;hi&quot;"},
        {"single quote", "it's", "it&#39;s"},
        {"already escaped is escaped again", "&amp;", "&amp;amp;"},
        {"utf-8 passes through", "Störung – 5 €", "Störung – 5 €"},
        {"attribute breakout", "\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(EscapeHtml(c.input), c.expected);
    }
}

}  // namespace
}  // namespace tocsin::page
