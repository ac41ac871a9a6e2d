/// @file
/// @brief The page's words in each language, from web/page/i18n/<lang>.json.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace tocsin::page {

class Catalog {
public:
    /// The catalog built into the binary. Parsed once; aborts at start-up if the embedded
    /// files are broken (a build defect, never user input).
    static const Catalog& Embedded();

    /// The text of `key` in `lang`, falling back to English, then to the key itself.
    [[nodiscard]] const std::string& Get(std::string_view lang, std::string_view key) const;
    /// Get() with "{n}" replaced by `n`.
    [[nodiscard]] std::string Format(std::string_view lang, std::string_view key, std::string_view n) const;
    [[nodiscard]] const std::unordered_map<std::string, std::string>& All(std::string_view lang) const;
    [[nodiscard]] bool Has(std::string_view lang) const;

private:
    std::unordered_map<std::string, std::unordered_map<std::string, std::string>> langs_;
    std::string missing_;
};

}  // namespace tocsin::page
