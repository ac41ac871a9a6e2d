#include "tocsin/api/json_input.hpp"

#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

namespace tocsin::api {

namespace json = boost::json;

boost::json::object ParseBody(const http::Request& req, std::string_view wrapper, std::size_t max_bytes) {
    if (req.body.size() > max_bytes) {
        throw http::HttpError(413, "body-too-large", "request body exceeds " + std::to_string(max_bytes) + " bytes");
    }
    auto ct = req.Header("Content-Type");
    if (!ct.empty() && ct.find("json") == std::string_view::npos) {
        throw http::HttpError(415, "unsupported-media-type", "send the body as application/json");
    }
    if (req.body.empty()) throw http::HttpError(400, "invalid-json", "the request needs a JSON object body");
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 16;
    json::value v = json::parse(json::string_view(req.body.data(), req.body.size()), ec, {}, opts);
    if (ec) throw http::HttpError(400, "invalid-json", "the body is not valid JSON: " + ec.message());
    if (!v.is_object()) throw http::HttpError(400, "invalid-json", "the body must be a JSON object");
    auto& o = v.as_object();
    if (!wrapper.empty() && o.size() == 1) {
        if (auto* inner = o.if_contains(json::string_view(wrapper.data(), wrapper.size()));
            inner && inner->is_object()) {
            return inner->as_object();
        }
    }
    return std::move(o);
}

void WriteJson(http::Response& res, const boost::json::value& v, int status) {
    res.status = status;
    res.content_type = "application/json";
    res.body = json::serialize(v);
}

bool Fields::Has(std::string_view key) const {
    return o_.contains(json::string_view(key.data(), key.size()));
}

bool Fields::IsNull(std::string_view key) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    return v && v->is_null();
}

std::optional<std::string> Fields::String(std::string_view key, std::size_t max_len, bool allow_empty) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) throw http::HttpError(400, "invalid-field", Name(key) + " must be a string", Name(key));
    std::string s(v->as_string());
    if (s.size() > max_len) {
        throw http::HttpError(
            400, "invalid-field", Name(key) + " must be at most " + std::to_string(max_len) + " bytes", Name(key)
        );
    }
    if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw http::HttpError(400, "invalid-field", Name(key) + " must not be empty", Name(key));
    }
    return s;
}

std::optional<bool> Fields::Bool(std::string_view key) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_bool()) throw http::HttpError(400, "invalid-field", Name(key) + " must be true or false", Name(key));
    return v->as_bool();
}

std::optional<std::int64_t> Fields::Int(std::string_view key, std::int64_t min, std::int64_t max) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return std::nullopt;
    std::int64_t n = 0;
    if (v->is_int64()) {
        n = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        n = static_cast<std::int64_t>(v->as_uint64());
    } else {
        throw http::HttpError(400, "invalid-field", Name(key) + " must be an integer", Name(key));
    }
    if (n < min || n > max) {
        throw http::HttpError(
            400,
            "invalid-field",
            Name(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max),
            Name(key)
        );
    }
    return n;
}

std::optional<TimePoint> Fields::Time(std::string_view key) const {
    auto s = String(key, 64);
    if (!s) return std::nullopt;
    auto t = ParseIso8601(*s);
    if (!t) {
        throw http::HttpError(
            400,
            "invalid-field",
            Name(key) + " must be an ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00Z",
            Name(key)
        );
    }
    return t;
}

const boost::json::object* Fields::Object(std::string_view key) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) throw http::HttpError(400, "invalid-field", Name(key) + " must be an object", Name(key));
    return &v->as_object();
}

std::optional<std::vector<std::string>> Fields::StringArray(std::string_view key, std::size_t max_items) const {
    auto* v = o_.if_contains(json::string_view(key.data(), key.size()));
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array())
        throw http::HttpError(400, "invalid-field", Name(key) + " must be an array of strings", Name(key));
    if (v->as_array().size() > max_items) {
        throw http::HttpError(
            400, "invalid-field", Name(key) + " has more than " + std::to_string(max_items) + " items", Name(key)
        );
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
        const auto& item = v->as_array()[i];
        std::string at = Name(key) + "[" + std::to_string(i) + "]";
        if (!item.is_string()) throw http::HttpError(400, "invalid-field", at + " must be a string", at);
        out.emplace_back(item.as_string());
    }
    return out;
}

void Fields::RejectUnknown(const std::vector<std::string_view>& known) const {
    for (const auto& [k, v] : o_) {
        bool ok = false;
        for (auto n : known) ok = ok || k == json::string_view(n.data(), n.size());
        if (!ok) {
            std::string name = Name(std::string_view(k.data(), k.size()));
            throw http::HttpError(400, "unknown-field", name + " is not a field of this object", name);
        }
    }
}

void ThrowError(const Error& e) {
    switch (e.kind) {
        case ErrorKind::kInvalidInput:
            throw http::HttpError(
                400, "invalid-field", e.field.empty() ? e.message : e.field + " " + e.message, e.field
            );
        case ErrorKind::kNotFound:
            throw http::HttpError(404, "not-found", e.message);
        case ErrorKind::kConflict:
            throw http::HttpError(409, "conflict", e.message);
        case ErrorKind::kUnavailable:
            throw http::HttpError(503, "unavailable", e.message);
        case ErrorKind::kInternal:
            break;
    }
    throw std::runtime_error(e.message);  // logged by the server as a 500
}

}  // namespace tocsin::api
