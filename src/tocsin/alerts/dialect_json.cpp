#include "tocsin/alerts/dialect_json.hpp"

#include <boost/json.hpp>

namespace tocsin::alerts::detail {

namespace json = boost::json;

Result<json::value> ParseJson(std::string_view body) {
    if (body.empty()) return Error::Invalid("", "the body is empty; send a JSON object");
    json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opts);
    if (ec == json::error::too_deep) {
        return Error::Invalid("", "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (ec) return Error::Invalid("", "the body is not valid JSON: " + ec.message());
    if (!v.is_object()) return Error::Invalid("", "the body must be a JSON object, not " + std::string(TypeName(v)));
    return v;
}

std::size_t CodePoints(std::string_view utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) {
        if ((c & 0xC0) != 0x80) ++n;  // count every byte that is not a continuation byte
    }
    return n;
}

Result<std::vector<std::pair<std::string, std::string>>> StringMap(
    const json::object& parent, std::string_view key, std::string_view name
) {
    std::vector<std::pair<std::string, std::string>> out;
    const json::value* v = parent.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return out;
    if (!v->is_object()) {
        return Error::Invalid(
            std::string(name), std::string(name) + " must be an object of strings, not " + std::string(TypeName(*v))
        );
    }
    for (const auto& kv : v->as_object()) {
        if (!kv.value().is_string()) {
            std::string field = std::string(name) + "." + std::string(kv.key());
            return Error::Invalid(field, field + " must be a string, not " + std::string(TypeName(kv.value())));
        }
        out.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
    }
    return out;
}

std::string_view Lookup(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view key) {
    for (const auto& [k, v] : pairs) {
        if (k == key) return v;
    }
    return {};
}

std::string PairsToJson(const std::vector<std::pair<std::string, std::string>>& pairs) {
    json::object o;
    for (const auto& [k, v] : pairs) o[k] = v;
    return json::serialize(o);
}

std::string_view TypeName(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "a boolean";
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_:
            return "a number";
        case json::kind::string:
            return "a string";
        case json::kind::array:
            return "an array";
        case json::kind::object:
            return "an object";
    }
    return "a value";
}

}  // namespace tocsin::alerts::detail
