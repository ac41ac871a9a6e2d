#include "tocsin/oncall/schedule.hpp"

namespace tocsin::oncall {

std::optional<Layer::Kind> ParseLayerKind(std::string_view text) {
    if (text == "daily") return Layer::Kind::kDaily;
    if (text == "weekly") return Layer::Kind::kWeekly;
    if (text == "custom") return Layer::Kind::kCustom;
    return std::nullopt;
}

const char* LayerKindName(Layer::Kind kind) {
    switch (kind) {
        case Layer::Kind::kDaily:
            return "daily";
        case Layer::Kind::kWeekly:
            return "weekly";
        case Layer::Kind::kCustom:
            return "custom";
    }
    return "weekly";
}

std::vector<std::string> OnCallAt(const Schedule&, TimePoint) {
    return {};
}
std::vector<Shift> Shifts(const Schedule&, TimePoint, TimePoint) {
    return {};
}
std::vector<Shift> LayerShifts(const Schedule&, int, TimePoint, TimePoint) {
    return {};
}
Result<void> Validate(const Schedule&) {
    return {};
}

}  // namespace tocsin::oncall
