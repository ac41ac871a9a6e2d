/// @file
/// @brief The only place that knows concrete types: builds every module from Config,
/// runs the server and the engines, and shuts them down in order.
#pragma once

#include "tocsin/config/config.hpp"

namespace tocsin::app {

struct ServeOptions {
    config::Config config;
    bool demo = false;        // seed a demo page into an empty database
    std::string config_path;  // re-read on SIGHUP (monitors); empty: no file
};

/// Runs `tocsin serve` until SIGTERM/SIGINT. Returns the process exit code
/// (0 clean shutdown, 2 start-up/config failure).
int Serve(const ServeOptions& options);

/// Entry point for the command line: parses argv with CLI11 and runs the subcommand.
int RunCli(int argc, char** argv);

}  // namespace tocsin::app
