#include "tocsin/monitor/observation.hpp"

#include <array>

namespace tocsin::monitor {
namespace {

constexpr std::array<std::pair<Outcome, std::string_view>, 3> kOutcomes{{
    {Outcome::kUp, "up"},
    {Outcome::kDegraded, "degraded"},
    {Outcome::kDown, "down"},
}};

constexpr std::array<std::pair<ErrorClass, std::string_view>, 10> kErrorClasses{{
    {ErrorClass::kNone, "none"},
    {ErrorClass::kDns, "dns"},
    {ErrorClass::kConnect, "connect"},
    {ErrorClass::kTimeout, "timeout"},
    {ErrorClass::kTls, "tls"},
    {ErrorClass::kProtocol, "protocol"},
    {ErrorClass::kCondition, "condition"},
    {ErrorClass::kUnsupported, "unsupported"},
    {ErrorClass::kMissed, "missed"},
    {ErrorClass::kInternal, "internal"},
}};

template <class Enum, std::size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum e) {
    for (const auto& [value, name] : table) {
        if (value == e) return name;
    }
    return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> Lookup(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view s) {
    for (const auto& [value, name] : table) {
        if (name == s) return value;
    }
    return std::nullopt;
}

}  // namespace

std::string_view OutcomeName(Outcome o) {
    return NameOf(kOutcomes, o);
}
std::optional<Outcome> ParseOutcome(std::string_view s) {
    return Lookup(kOutcomes, s);
}
std::string_view ErrorClassName(ErrorClass e) {
    return NameOf(kErrorClasses, e);
}
std::optional<ErrorClass> ParseErrorClass(std::string_view s) {
    return Lookup(kErrorClasses, s);
}

}  // namespace tocsin::monitor
