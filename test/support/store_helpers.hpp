/// @file
/// @brief Fixture helpers that put rows into a Store and read them back, for tests.
#pragma once

#include "tocsin/common/ids.hpp"
#include "tocsin/store/store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tocsin::test {

/// Inserts `c` with a new id, created and updated at `now`, and returns the id; the other
/// fields are as given. A failed write fails the test (not fatally).
inline std::string AddComponent(store::Store& store, TimePoint now, domain::Component c) {
    c.id = NewId();
    c.created_at = c.updated_at = now;
    auto r = store.Write([&](store::Tx& tx) { return tx.InsertComponent(c); });
    EXPECT_TRUE(r) << r.error().message;
    return c.id;
}

/// Inserts a component named `name` with every other field at its default; returns its id.
inline std::string AddComponent(store::Store& store, TimePoint now, std::string name) {
    domain::Component c;
    c.name = std::move(name);
    return AddComponent(store, now, std::move(c));
}

/// Runs `f(tx)`, which returns a Result<T>, in a read transaction and returns its value; a
/// failure fails the test (not fatally) and gives T{}.
template <class T, class F>
T ReadValue(store::Store& store, F&& f) {
    T out{};
    auto r = store.Read([&](store::Tx& tx) -> Result<void> {
        auto v = f(tx);
        if (!v) return v.error();
        out = std::move(*v);
        return {};
    });
    EXPECT_TRUE(r) << r.error().message;
    return out;
}

/// The outbox rows, newest first (the first 1000).
inline std::vector<store::OutboxRow> OutboxRows(store::Store& store) {
    return ReadValue<std::vector<store::OutboxRow>>(store, [](store::Tx& tx) { return tx.ListOutbox(0, 1000); });
}

}  // namespace tocsin::test
