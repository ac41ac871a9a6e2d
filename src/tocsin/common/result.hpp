/// @file
/// @brief Result<T>: the return type of every fallible tocsin function.
///
/// An Error carries a machine-readable kind, the field it concerns (for bad input)
/// and a human message. It is a value: callers propagate it with early returns and
/// the HTTP edge turns it into problem+json. Nothing here throws except `.value()`
/// on an error, which is a programming mistake.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace tocsin {

enum class ErrorKind {
    kInvalidInput,  // the caller sent something we refuse; 400
    kNotFound,      // 404
    kConflict,      // state does not allow it; 409
    kUnavailable,   // a peer or the store failed; retryable; 503
    kInternal,      // a bug or an unexpected library failure; 500
};

struct Error {
    ErrorKind kind = ErrorKind::kInternal;
    std::string message;
    std::string field;  // dotted path of the offending input field, empty if none

    static Error Invalid(std::string field_name, std::string msg) {
        return Error{ErrorKind::kInvalidInput, std::move(msg), std::move(field_name)};
    }
    static Error NotFound(std::string msg) { return Error{ErrorKind::kNotFound, std::move(msg), {}}; }
    static Error Conflict(std::string msg) { return Error{ErrorKind::kConflict, std::move(msg), {}}; }
    static Error Unavailable(std::string msg) { return Error{ErrorKind::kUnavailable, std::move(msg), {}}; }
    static Error Internal(std::string msg) { return Error{ErrorKind::kInternal, std::move(msg), {}}; }
};

/// Thrown only by Result::value() on an error; found by boost::system::result via ADL.
struct ErrorException : std::exception {
    Error error;
    explicit ErrorException(Error e) : error(std::move(e)) {}
    const char* what() const noexcept override { return error.message.c_str(); }
};

[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw ErrorException(e);
}

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace tocsin

#define TOCSIN_CONCAT_INNER_(a, b) a##b
#define TOCSIN_CONCAT_(a, b) TOCSIN_CONCAT_INNER_(a, b)

/// Propagates the error of a Result expression from the enclosing function.
#define TOCSIN_TRY(expr) TOCSIN_TRY_IMPL_(expr, TOCSIN_CONCAT_(tocsin_try_r_, __COUNTER__))
#define TOCSIN_TRY_IMPL_(expr, name)    \
    do {                                \
        auto&& name = (expr);           \
        if (!name) return name.error(); \
    } while (false)

/// Declares `var` bound to the value of a Result expression, or propagates its error.
#define TOCSIN_ASSIGN(var, expr)                      \
    auto var##_result_ = (expr);                      \
    if (!var##_result_) return var##_result_.error(); \
    auto& var = *var##_result_
