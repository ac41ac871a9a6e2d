/// @file
/// @brief TOCSIN_CHECK: asserts a belief about program state in every build.
///
/// Use it only for states that are impossible unless tocsin has a bug; anything a
/// user, a peer or the disk can cause is handled as a Result instead.
#pragma once

#include <cstdio>
#include <cstdlib>

#define TOCSIN_CHECK(cond, msg)                                                                              \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::fprintf(stderr, "TOCSIN_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, msg); \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)
