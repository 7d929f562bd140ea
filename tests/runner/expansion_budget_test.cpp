// The expansion budget as an option (LoadOptions::max_expansion_bytes): the fuzzer lowers it so
// that a legal scenario at the limits (100 000 generated nodes: seconds under its
// instrumentation, a "timeout" finding, docs/reliability.md) is an error there.
#include <doctest/doctest.h>

#include <filesystem>

#include "runner/load.hpp"
#include "tests/fuzz/limits.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);

// Minimal plus `count` generated clients on the Internet LAN.
std::string with_clients(int count) {
  return R"({"extends": ")" + (kSource / "tests/runner/good/minimal.json").string() +
         R"(", "nodes": [{"name": "c{i}", "count": )" + std::to_string(count) +
         R"(, "role": "client", "interfaces": [{"name": "eth0", "lan": "internet", "address": "{198.51.100.100 + i}/24"}]}]})";
}

std::string all(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += d.str() + "\n";
  return s;
}

}  // namespace

TEST_CASE("a lower expansion budget makes a large generator an error at its place, naming the budget") {
  const std::string file = (kSource / "tests/runner/good/generated.json").string();
  LoadResult whole = load_scenario_text(with_clients(100), file);
  INFO(all(whole.diagnostics));
  CHECK(whole.ok());

  LoadOptions small;
  small.max_expansion_bytes = std::size_t{8} << 10;
  LoadResult cut = load_scenario_text(with_clients(100), file, small);
  CHECK_FALSE(cut.ok());
  REQUIRE(cut.diagnostics.size() == 1);
  CHECK(cut.diagnostics[0].file == file);
  CHECK(cut.diagnostics[0].pointer == "/nodes/0");  // the generator, in the file that holds it
  CHECK(cut.diagnostics[0].message == "generators expand the scenario past 8 KiB");
}

TEST_CASE("the fuzzer's lower budget still takes every shipped scenario whole") {
  LoadOptions fuzz;
  fuzz.max_expansion_bytes = nlb::fuzz::kExpansionBytes;
  for (const auto& e : fs::directory_iterator(kSource / "scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "schema.json") continue;
    CAPTURE(e.path().string());
    LoadResult r = load_scenario(e.path(), fuzz);
    INFO(all(r.diagnostics));
    CHECK(r.ok());
  }
}
