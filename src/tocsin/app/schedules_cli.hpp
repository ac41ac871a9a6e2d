/// @file
/// @brief `tocsin schedules list|show|oncall`: on-call schedules from a shell, read from the store.
#pragma once

#include "tocsin/common/clock.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace tocsin::app {

class SchedulesCli {
public:
    /// Adds the `schedules` command and its subcommands to `cli`; `data_dir` is read when it runs.
    SchedulesCli(CLI::App& cli, std::string& data_dir);

    /// True when `schedules ...` was given on the command line.
    [[nodiscard]] bool Selected() const;
    /// Runs the chosen subcommand; returns the exit code (0, 1 for not found or bad input, 2 for errors).
    int Run(const Clock& clock);

private:
    std::string& data_dir_;
    CLI::App* schedules_ = nullptr;
    CLI::App* list_ = nullptr;
    CLI::App* show_ = nullptr;
    CLI::App* oncall_ = nullptr;
    std::string id_, at_;
    int days_ = 14;
};

}  // namespace tocsin::app
