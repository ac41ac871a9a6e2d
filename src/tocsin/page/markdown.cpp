#include "tocsin/page/markdown.hpp"

#include <md4c-html.h>
#include <md4c.h>

#include <algorithm>
#include <cctype>

namespace tocsin::page {
namespace {

void Append(const MD_CHAR* text, MD_SIZE size, void* userdata) {
    static_cast<std::string*>(userdata)->append(text, size);
}

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool IsSameSitePath(std::string_view url) {
    return !url.empty() && ((url[0] == '/' && (url.size() == 1 || url[1] != '/')) || url[0] == '#');
}

bool IsSafeLink(std::string_view url) {
    std::string l = Lower(url);
    return l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0 || l.rfind("mailto:", 0) == 0 ||
           IsSameSitePath(url);
}

// md4c escapes '"' in text and attribute values, so ` href="` and ` src="` in its output
// can only be the attributes it wrote itself.
std::string SanitizeAttributes(const std::string& html) {
    std::string out;
    out.reserve(html.size());
    std::size_t i = 0;
    while (i < html.size()) {
        std::size_t img = html.find("<img src=\"", i);
        std::size_t href = html.find(" href=\"", i);
        std::size_t next = std::min(img, href);
        if (next == std::string::npos) {
            out.append(html, i, std::string::npos);
            break;
        }
        if (next == img) {
            std::size_t vstart = img + 10;
            std::size_t vend = html.find('"', vstart);
            std::size_t tag_end = html.find('>', vend);
            if (vend == std::string::npos || tag_end == std::string::npos) {
                out.append(html, i, std::string::npos);
                break;
            }
            std::string url = html.substr(vstart, vend - vstart);
            out.append(html, i, img - i);
            if (IsSameSitePath(url) && url[0] == '/') {
                out.append(html, img, tag_end + 1 - img);
            } else {
                // A remote image would be fetched from another host: link to it instead.
                std::string alt;
                std::size_t a = html.find(" alt=\"", vend);
                if (a != std::string::npos && a < tag_end) {
                    std::size_t aend = html.find('"', a + 6);
                    alt = html.substr(a + 6, aend - (a + 6));
                }
                if (alt.empty()) alt = url;
                bool safe = IsSafeLink(url);
                out += "<a href=\"" + (safe ? url : std::string("#")) + "\" rel=\"nofollow noopener\">" + alt + "</a>";
            }
            i = tag_end + 1;
        } else {
            std::size_t vstart = href + 7;
            std::size_t vend = html.find('"', vstart);
            if (vend == std::string::npos) {
                out.append(html, i, std::string::npos);
                break;
            }
            std::string url = html.substr(vstart, vend - vstart);
            out.append(html, i, href - i);
            out += " href=\"";
            out += IsSafeLink(url) ? url : "#";
            out += "\" rel=\"nofollow noopener\"";
            i = vend + 1;
        }
    }
    return out;
}

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
    std::string html;
    html.reserve(markdown.size() * 2);
    unsigned parser_flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
    int rc = md_html(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &Append, &html, parser_flags, 0);
    if (rc != 0) return "<p>" + EscapeHtml(markdown) + "</p>";
    return SanitizeAttributes(html);
}

std::string EscapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace tocsin::page
