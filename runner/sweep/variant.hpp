#pragma once
// The variants of a grid and how each becomes a scenario: the axes' values go to the loader as
// parameter overrides (`--set NAME=VALUE`), the seed and `until` to the run's options.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/load.hpp"
#include "runner/sweep/grid.hpp"

namespace nlb::sweep {

struct Variant {
  std::size_t index = 0;              // row-major: the first axis outermost, the seed innermost
  std::size_t combination = 0;        // the same order over the axes only
  std::vector<std::size_t> values;    // per axis, the index of its value
  std::optional<std::uint64_t> seed;  // nullopt: the scenario's own
};

Variant variant_at(const Grid& g, std::size_t index);
// The first variant of a combination (its first seed).
inline Variant combination_at(const Grid& g, std::size_t combination) {
  return variant_at(g, combination * g.runs_per_combination());
}

// NAME -> value as JSON text, for runner::LoadOptions::parameters.
std::vector<std::pair<std::string, std::string>> parameter_overrides(const Grid& g, const Variant& v);
// "heartbeat_timeout=\"2s\", sync=\"off\"" (or "no parameters"), for messages.
std::string describe_values(const Grid& g, const Variant& v);

// The indices of `count` items this rank takes, round-robin (item i goes to rank i % size):
// deterministic, and a grid whose cost grows along an axis spreads evenly.
std::vector<std::size_t> rank_share(std::size_t count, int rank, int size);

// Loads a variant's scenario (no topology check when `check_topology` is false: a checked
// combination loads the same every time).
runner::LoadResult load_variant(const Grid& g, const Variant& v, bool check_topology = true);

// Why a combination's scenario does not load or build: a diagnostic at the grid (the axis
// value when there is one axis, /axes for several, /scenario for none) naming the values, and
// the scenario's own errors, which name the scenario's file and pointer.
struct CombinationError {
  runner::Diagnostic at;
  runner::Diagnostics scenario;
  // The grid's line, then the scenario's indented by two spaces, each ending in a newline.
  std::string text() const;
};

// nullopt when the combination's scenario loads and builds. An unknown parameter is reported
// at its axis's "parameter" (with the loader's suggestion), not as a scenario error.
std::optional<CombinationError> check_combination(const Grid& g, std::size_t combination);

}  // namespace nlb::sweep
