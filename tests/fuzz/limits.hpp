#pragma once
// Limits the fuzz targets set lower than the product's, shared with the doctest that checks
// they still take every shipped scenario (tests/runner/expansion_budget_test.cpp).
#include <cstddef>

namespace nlb::fuzz {

// What parameters and generators may add to a scenario in scenario_fuzz (the product allows
// 64 MiB, runner/compose.hpp). 100 000 generated nodes are legal there and take seconds under
// the fuzzer's instrumentation, a "timeout" finding that is no bug; 1 MiB still takes
// scenarios/at-scale.json (2000 clients, 200 servers) whole.
inline constexpr std::size_t kExpansionBytes = std::size_t{1} << 20;

}  // namespace nlb::fuzz
