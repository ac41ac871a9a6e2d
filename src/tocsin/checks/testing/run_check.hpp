/// @file
/// @brief Test helper: runs one NetChecks check to its end on the test thread.
#pragma once

#include "tocsin/checks/net_checks.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>

namespace tocsin::checks::testing {

using StartCheck = void (detail::NetChecks::*)(const monitor::CheckSpec&, detail::ObservationDone);

/// Starts the check with `start`, drives `io` until it reports (bounded by the spec's timeout
/// plus 5 s) and expects `done` to run exactly once and never inside Start*. A check that never
/// reports comes back as an internal error "no result".
inline monitor::Observation RunCheck(
    boost::asio::io_context& io, detail::NetChecks& checks, StartCheck start, const monitor::CheckSpec& spec
) {
    using namespace std::chrono_literals;
    std::optional<monitor::Observation> result;
    int calls = 0;
    (checks.*start)(spec, [&](monitor::Observation obs) {
        ++calls;
        result = std::move(obs);
    });
    EXPECT_EQ(calls, 0) << "done ran inside Start*";
    const auto give_up = std::chrono::steady_clock::now() + spec.timeout + 5s;
    while (!result && std::chrono::steady_clock::now() < give_up) {
        if (io.stopped()) io.restart();  // run_one_for stops the context when it runs out of work
        io.run_one_for(20ms);
    }
    io.poll();  // a second call, if there were one, would already be queued
    EXPECT_EQ(calls, 1);
    if (!result) {
        monitor::Observation none;
        none.error = monitor::ErrorClass::kInternal;
        none.error_message = "no result";
        return none;
    }
    return *result;
}

}  // namespace tocsin::checks::testing
