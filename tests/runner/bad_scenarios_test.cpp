// Every broken scenario of tests/runner/bad/ is rejected with an error at the exact place.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "runner/load.hpp"
#include "tests/runner/bad_cases.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;

namespace {

const fs::path kBad = fs::path(NLBSIM_SOURCE_DIR) / "tests/runner/bad";

std::string where_of(const Diagnostic& d) {
  if (!d.pointer.empty()) return d.pointer;
  if (d.line > 0) return std::to_string(d.line) + ":" + std::to_string(d.column);
  return "";
}

std::string all(const Diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += "  " + d.str() + "\n";
  return s;
}

}  // namespace

TEST_CASE("every broken scenario is rejected with an error at its exact place and a message that says why") {
  REQUIRE(nlb::test::bad_cases().size() >= 50);
  for (const auto& c : nlb::test::bad_cases()) {
    CAPTURE(c.file);
    REQUIRE(fs::exists(kBad / c.file));
    LoadResult r = load_scenario(kBad / c.file);
    INFO("diagnostics:\n" << all(r.diagnostics));
    CHECK_FALSE(r.ok());
    fs::path expected_file = (kBad / (c.in_file.empty() ? c.file : c.in_file)).lexically_normal();
    bool found = false;
    for (const auto& d : r.diagnostics)
      found =
          found || (d.severity == Severity::Error && fs::path(d.file).lexically_normal() == expected_file &&
                    where_of(d) == c.where && d.message.find(c.fragment) != std::string::npos);
    CHECK_MESSAGE(found, "expected an error at " << expected_file.string() << ":" << c.where
                                                 << " containing \"" << c.fragment << "\"");
  }
}

TEST_CASE("each bad case file is used by exactly one case, so none is forgotten") {
  std::set<std::string> listed;
  for (const auto& c : nlb::test::bad_cases()) {
    CHECK_MESSAGE(listed.insert(c.file).second, c.file << " is listed twice");
    if (!c.in_file.empty()) listed.insert(fs::path(c.in_file).filename().string());
  }
  for (const auto& e : fs::directory_iterator(kBad)) {
    std::string name = e.path().filename().string();
    bool helper = name == "fragment-array.json";  // included by include-not-object-with-keys.json
    CHECK_MESSAGE((listed.contains(name) || helper), name << " has no case in tests/runner/bad_cases.hpp");
  }
}

TEST_CASE("diagnostics of a broken scenario are sorted by pointer with indices compared as numbers") {
  LoadResult r = load_scenario(kBad / "unknown-key-typo.json");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].pointer == "/nodes/0/interfaces/0");
  CHECK(r.diagnostics[1].pointer == "/nodes/0/interfaces/0/adress");
  Diagnostics ds = {{Severity::Error, "f", "/nodes/10/name", "b"},
                    {Severity::Error, "f", "/nodes/2/name", "a"},
                    {Severity::Error, "f", "/nodes/2", "c"},
                    {Severity::Error, "f", "/lans", "d"}};
  sort_diagnostics(ds);
  CHECK(ds[0].pointer == "/lans");
  CHECK(ds[1].pointer == "/nodes/2");
  CHECK(ds[2].pointer == "/nodes/2/name");
  CHECK(ds[3].pointer == "/nodes/10/name");
}

TEST_CASE("a file that does not exist is reported by name, not thrown") {
  LoadResult r = load_scenario(kBad / "no-such-file.json");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].message == "cannot read the file");
  CHECK(r.diagnostics[0].str() == (kBad / "no-such-file.json").string() + ": cannot read the file");
}
