#include "tocsin/page/i18n.hpp"

#include "tocsin/common/check.hpp"

#include <boost/json.hpp>

#include <vector>

namespace tocsin::page::embedded {
std::string_view Find(std::string_view name);
std::vector<std::string_view> Names();
}  // namespace tocsin::page::embedded

namespace tocsin::page {

const Catalog& Catalog::Embedded() {
    static const Catalog catalog = [] {
        Catalog c;
        for (const char* lang : {"en", "de"}) {
            auto text = embedded::Find(std::string("i18n/") + lang + ".json");
            TOCSIN_CHECK(!text.empty(), "i18n file missing from the build");
            boost::system::error_code ec;
            auto v = boost::json::parse(text, ec);
            TOCSIN_CHECK(!ec && v.is_object(), "i18n file is not a JSON object");
            auto& map = c.langs_[lang];
            for (const auto& [k, val] : v.as_object()) {
                if (val.is_string()) map[std::string(k)] = std::string(val.as_string());
            }
        }
        return c;
    }();
    return catalog;
}

const std::string& Catalog::Get(std::string_view lang, std::string_view key) const {
    for (std::string_view l : {lang, std::string_view("en")}) {
        auto it = langs_.find(std::string(l));
        if (it == langs_.end()) continue;
        auto kv = it->second.find(std::string(key));
        if (kv != it->second.end()) return kv->second;
    }
    return missing_;
}

std::string Catalog::Format(std::string_view lang, std::string_view key, std::string_view n) const {
    std::string s = Get(lang, key);
    auto pos = s.find("{n}");
    if (pos != std::string::npos) s.replace(pos, 3, n);
    return s;
}

const std::unordered_map<std::string, std::string>& Catalog::All(std::string_view lang) const {
    auto it = langs_.find(std::string(lang));
    return it != langs_.end() ? it->second : langs_.at("en");
}

bool Catalog::Has(std::string_view lang) const {
    return langs_.count(std::string(lang)) > 0;
}

}  // namespace tocsin::page
