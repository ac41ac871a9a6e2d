/// @file
/// @brief Reading API request bodies: every wrong type, value or missing field becomes an
/// HttpError 400 that names the field, so a script author sees what to fix.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/http/http_types.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::api {

/// Parses the request body as a JSON object. If it holds exactly one key named `wrapper`
/// whose value is an object (Statuspage's `{"incident": {...}}`), that inner object is
/// returned. Throws HttpError 400/413/415.
boost::json::object ParseBody(const http::Request& req, std::string_view wrapper, std::size_t max_bytes = 256 * 1024);

/// Typed access to an object's fields; `prefix` is prepended to field names in errors.
class Fields {
public:
    Fields(const boost::json::object& o, std::string prefix = {}) : o_(o), prefix_(std::move(prefix)) {}

    [[nodiscard]] bool Has(std::string_view key) const;
    [[nodiscard]] std::optional<std::string> String(std::string_view key, std::size_t max_len, bool allow_empty = true)
        const;
    [[nodiscard]] std::optional<bool> Bool(std::string_view key) const;
    [[nodiscard]] std::optional<std::int64_t> Int(std::string_view key, std::int64_t min, std::int64_t max) const;
    [[nodiscard]] std::optional<TimePoint> Time(std::string_view key) const;
    /// Null counts as present-and-null: returns true in `is_null`.
    [[nodiscard]] bool IsNull(std::string_view key) const;
    [[nodiscard]] const boost::json::object* Object(std::string_view key) const;
    [[nodiscard]] std::optional<std::vector<std::string>> StringArray(std::string_view key, std::size_t max_items)
        const;
    /// Rejects keys not in `known`, naming the first unknown one.
    void RejectUnknown(const std::vector<std::string_view>& known) const;

    [[nodiscard]] std::string Name(std::string_view key) const { return prefix_ + std::string(key); }

private:
    const boost::json::object& o_;
    std::string prefix_;
};

/// Sets a JSON response body with `status`.
void WriteJson(http::Response& res, const boost::json::value& v, int status = 200);

/// Throws HttpError for an Error value: invalid → 400, not found → 404, conflict → 409,
/// unavailable → 503, internal → 500.
[[noreturn]] void ThrowError(const Error& e);

/// Unwraps a Result or throws its error as HttpError.
template <class T>
T ValueOrThrow(Result<T> r) {
    if (!r) ThrowError(r.error());
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

}  // namespace tocsin::api
