/// @file
/// @brief `tocsin probe`: the check engine run elsewhere, as a remote location.
///
/// Fetches its assignments from the server (the monitors that list its location), runs
/// them on its own CheckEngine, buffers results in memory and pushes them in batches. While
/// the server is unreachable it keeps checking and buffering (bounded: the oldest results go
/// first once the buffer is full) and sends everything when the server is back.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace tocsin::app {

struct ProbeOptions {
    std::string server;  // base URL, e.g. https://status.example.com
    std::string token;   // a probe-role API token
    std::string location;
    std::chrono::seconds refresh{30};       // how often assignments are fetched
    std::chrono::milliseconds flush{2000};  // how often buffered results are sent
    std::size_t max_buffer = 100'000;       // results kept while the server is unreachable
    std::size_t batch = 1000;               // results per request
};

/// Runs until SIGTERM/SIGINT. Returns the exit code (0 clean, 2 bad options).
int RunProbe(const ProbeOptions& options);

}  // namespace tocsin::app
