#pragma once
// A sweep's grid file (docs/sweep.md): a base scenario, parameter axes and seeds.
//
//   {"scenario": "balancer-crash.json",
//    "axes": [{"parameter": "heartbeat_timeout", "values": ["1s", "2s", "3s"]},
//             {"parameter": "sync", "values": ["off", "per-connection"]}],
//    "seeds": {"first": 1, "count": 3}}
//
// Each axis names a parameter the scenario declares ("parameters"); a variant sets one value
// per axis exactly as `--set NAME=VALUE` would (docs/scenario-format.md), so the scenario
// loader checks every value where the scenario uses it. The grid is their cartesian product
// times the seeds; variant i is row-major: the first axis outermost, the seed innermost.
// Mistakes are Diagnostics (file, JSON pointer, message), as the scenario loader reports them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/diagnostics.hpp"
#include "runner/document.hpp"
#include "sim/time.hpp"

namespace nlb::sweep {

using runner::Json;

struct Axis {
  std::string parameter;
  std::vector<Json> values;
  std::string description;
};

struct Grid {
  std::string file;  // as given, for messages
  std::string name;  // default: the file's name without .json and .grid
  std::string description;
  std::string scenario_text;       // as written in the grid
  std::filesystem::path scenario;  // the grid file's directory / scenario_text
  std::vector<Axis> axes;
  std::vector<std::uint64_t> seeds;  // empty: each variant runs with the scenario's own seed
  std::optional<sim::Time> until;    // instead of the scenario's duration

  std::size_t combinations() const;  // product of the axes' sizes (1 without axes)
  std::size_t runs_per_combination() const { return seeds.empty() ? 1 : seeds.size(); }
  std::size_t variants() const { return combinations() * runs_per_combination(); }
};

struct GridResult {
  std::optional<Grid> grid;  // set when there is no error
  runner::Diagnostics diagnostics;
};

inline constexpr std::size_t kMaxVariants = 100'000;
inline constexpr std::size_t kMaxSeedCount = 100'000;

GridResult parse_grid(const std::filesystem::path& file,
                      const runner::FileReader& reader = runner::read_file_bytes);
// `text` stands for the content of a file named `file_name` (the scenario is relative to it).
GridResult parse_grid_text(std::string_view text, const std::string& file_name);

}  // namespace nlb::sweep
