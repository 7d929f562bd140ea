#pragma once
// Loading a scenario: file -> composed JSON -> validated Scenario, once. Every mistake comes
// back as a Diagnostic (file, JSON pointer, message); nothing throws to the caller.
//
//   LoadResult r = load_scenario("scenarios/figure3-single-public-ip.json");
//   if (!r.ok()) { for (auto& d : r.diagnostics) std::cerr << d.str() << "\n"; return 2; }
//   build(*r.scenario);
//
// Errors come in rounds: a file that cannot be read or parsed stops everything; form errors
// (types, ranges, unknown or missing keys) are all reported together; the cross-checks
// (references, addresses, the seed's rules) and the topology checks run once the form is right.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runner/diagnostics.hpp"
#include "runner/scenario.hpp"

namespace nlb::runner {

struct LoadOptions {
  // Reads a file's bytes (nullopt: cannot). Default: the file system. Tests and fuzzers give
  // their own to load from memory.
  std::function<std::optional<std::string>(const std::filesystem::path&)> reader;
  // Parameter overrides, name -> value text ("42", "\"text\"", "[1,2]" or a bare string).
  std::vector<std::pair<std::string, std::string>> parameters;
  bool check_topology = true;
  // What parameters and generators may add to the document; nullopt: kMaxExpansionBytes
  // (runner/compose.hpp). The fuzzer sets less.
  std::optional<std::size_t> max_expansion_bytes;
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set when there is no error (warnings allowed)
  Diagnostics diagnostics;           // sorted by file and pointer
  bool ok() const { return scenario.has_value(); }
};

LoadResult load_scenario(const std::filesystem::path& file, const LoadOptions& options = {});
// `text` stands for the content of a file named `file_name` (relative includes start there).
LoadResult load_scenario_text(std::string_view text, const std::string& file_name,
                              const LoadOptions& options = {});

}  // namespace nlb::runner
