// libFuzzer target over the scenario loader (issue #7): JSON text -> parse -> compose (extends,
// include, parameters, generators) -> read -> validate -> topology checks. Built twice by
// scripts/fuzz (docs/reliability.md): scenario_fuzz, the loader alone (cheap to build, in CI),
// and scenario_build_fuzz (NLBSIM_FUZZ_BUILD), which also hands every scenario that passes the
// loader to the builder that turns it into a network.
//
// Input: one or more files separated by a line "#file" (kSeparator). The first is
// /fuzz/scenarios/main.json, the next ones f1.json, f2.json, ... beside it, so an input can
// extend or include its own files. The shipped scenarios (scenarios/, scenarios/base/) and
// tests/runner/good/ are there too, read once at start, so a seed that extends
// "base/figure3-no-faults.json" composes as it does on disk. Files are found by name whatever
// the directory a mutated path names: the loader's own path handling stays in play without the
// fuzzer having to guess directory names.
//
// Checked besides crashes and sanitizer reports: a load either yields a scenario or at least one
// error, and every diagnostic names a file.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "runner/load.hpp"
#include "tests/fuzz/limits.hpp"
#if NLBSIM_FUZZ_BUILD
#include "runner/run/build.hpp"
#include "sim/simulation.hpp"
#endif

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSeparator = "\n#file\n";
const fs::path kDir = "/fuzz/scenarios";

// File name -> content: the shipped files, then the input's own (which win).
std::map<std::string, std::string, std::less<>>& shipped() {
  static std::map<std::string, std::string, std::less<>> files;  // the fuzzer's process, not the product
  return files;
}

void read_shipped(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".json" || e.path().filename() == "schema.json") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    shipped()[e.path().filename().string()] = ss.str();
  }
}

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const fs::path src(NLBSIM_SOURCE_DIR);
  for (const char* d : {"scenarios", "scenarios/base", "tests/runner/good"}) read_shipped(src / d);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string_view, std::less<>> own;
  for (int k = 0;; ++k) {
    auto cut = input.find(kSeparator);
    own[k == 0 ? "main.json" : "f" + std::to_string(k) + ".json"] = input.substr(0, cut);
    if (cut == std::string_view::npos) break;
    input.remove_prefix(cut + kSeparator.size());
  }

  nlb::runner::LoadOptions options;
  // Beyond it the loader's own error stops the input (tests/fuzz/limits.hpp).
  options.max_expansion_bytes = nlb::fuzz::kExpansionBytes;
  options.reader = [&own](const fs::path& p) -> std::optional<std::string> {
    const std::string name = p.filename().string();
    if (auto it = own.find(name); it != own.end()) return std::string(it->second);
    if (auto it = shipped().find(name); it != shipped().end()) return it->second;
    return std::nullopt;
  };
  auto r = nlb::runner::load_scenario((kDir / "main.json").string(), options);
  require(r.ok() || nlb::runner::has_errors(r.diagnostics));
  for (const auto& d : r.diagnostics) require(!d.file.empty());
#if NLBSIM_FUZZ_BUILD
  if (!r.ok()) return 0;
  nlb::sim::Simulation sim(r.scenario->seed);
  auto built = nlb::run::build(sim, *r.scenario);
  require(built.built.has_value() || nlb::runner::has_errors(built.diagnostics));
#endif
  return 0;
}
