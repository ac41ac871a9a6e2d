/// @file
/// @brief `tocsin alerts list|ack|resolve|note|merge`: alert work from a shell, on the store.
///
/// An alert is named by its id or its tiny id; ack, resolve and note also take an alert
/// incident's id (then they apply to the incident). Writes go through the same service
/// functions as the API, with "cli" in the log.
#pragma once

#include "tocsin/common/clock.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace tocsin::app {

class AlertsCli {
public:
    /// Adds the `alerts` command and its subcommands to `cli`; `data_dir` is read when it runs.
    AlertsCli(CLI::App& cli, std::string& data_dir);

    /// True when `alerts ...` was given on the command line.
    [[nodiscard]] bool Selected() const;
    /// Runs the chosen subcommand; returns the process exit code (0, 1 for not found/refused, 2 for errors).
    int Run(const Clock& clock);

private:
    std::string& data_dir_;
    CLI::App* alerts_ = nullptr;
    CLI::App* list_ = nullptr;
    CLI::App* ack_ = nullptr;
    CLI::App* resolve_ = nullptr;
    CLI::App* note_ = nullptr;
    CLI::App* merge_ = nullptr;
    CLI::App* escalate_ = nullptr;  // issue 7
    int level_ = 0;                 // escalate --level (1-based); 0: the next level
    std::string service_, state_ = "open", target_, text_, actor_ = "cli";
    std::vector<std::string> sources_;
    int limit_ = 50;
    bool incidents_ = false;
    bool json_ = false;
};

}  // namespace tocsin::app
