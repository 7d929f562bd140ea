#pragma once
// What the run tests share: loading a shipped scenario, a fresh output directory, reading files.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runner/load.hpp"
#include "runner/run/run.hpp"

namespace nlb::run::test {

namespace fs = std::filesystem;

inline const fs::path kSource(NLBSIM_SOURCE_DIR);
inline const fs::path kBinary(NLBSIM_BINARY_DIR);

inline runner::Scenario load_shipped(const std::string& name) {
  runner::LoadResult r = runner::load_scenario(kSource / "scenarios" / (name + ".json"));
  std::string msgs;
  for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

// An empty directory of its own under the build tree, for one test's outputs.
inline fs::path fresh_dir(const std::string& name) {
  fs::path d = kBinary / "test-run-outputs" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file in a directory (temporaries included), sorted.
inline std::vector<std::string> files_in(const fs::path& d) {
  std::vector<std::string> out;
  if (!fs::exists(d)) return out;
  for (const auto& e : fs::directory_iterator(d)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string diagnostics_text(const RunResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.str() + "\n";
  return out + r.error;
}

}  // namespace nlb::run::test
