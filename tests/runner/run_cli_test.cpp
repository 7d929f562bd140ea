// `nlbsim run` and `nlbsim compare` through the command line, in-process.
#include <sstream>

#include "cli/command.hpp"
#include "tests/runner/run_support.hpp"

namespace nlb::run {
namespace {

using test::fresh_dir;
using test::kSource;

struct Cli {
  std::ostringstream out, err;
  int code = -1;
  explicit Cli(std::vector<std::string> args) {
    args.insert(args.begin(), "nlbsim");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    code = cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  }
};

std::string shipped(const char* name) {
  return (kSource / "scenarios" / (std::string(name) + ".json")).string();
}

// A scenario extending Figure 3 with one more expectation.
std::string figure3_with(const test::fs::path& dir, const std::string& expectation) {
  const auto path = dir / "scenario.json";
  std::ofstream(path) << R"({"extends": ")" << shipped("figure3-single-public-ip")
                      << R"(", "name": "figure3-variant",
    "expectations": [)"
                      << expectation << "]}";
  return path.string();
}

TEST_CASE("nlbsim run exits 0 and prints the summary when every expectation holds") {
  const auto dir = fresh_dir("cli-ok");
  Cli c({"run", shipped("figure3-single-public-ip"), "--out", (dir / "out").string(), "--until", "25s"});
  INFO(c.err.str());
  CHECK(c.code == 0);
  const std::string s = c.out.str();
  CHECK(s.find("Public addresses the site must own: 1") != std::string::npos);
  CHECK(s.find("Figure 4 flow") != std::string::npos);
  CHECK(s.find("crash-active-balancer: crash lb1 at 20s") != std::string::npos);
  CHECK(s.find("Expectations: 2 of 2 hold") != std::string::npos);
  // Not on a terminal: no progress line, nothing on stderr.
  CHECK(c.err.str().empty());
  CHECK(test::fs::exists(dir / "out" / kReportFile));
}

TEST_CASE("nlbsim run exits 1 when an expectation fails, naming it with measured vs bound") {
  const auto dir = fresh_dir("cli-fail");
  const std::string path = figure3_with(
      dir,
      R"({"name": "failover within 1 ms", "measure": "recovery_time", "fault": "crash-active-balancer", "max": "1ms"})");
  Cli c({"run", path, "--out", (dir / "out").string(), "--until", "25s"});
  INFO(c.err.str());
  CHECK(c.code == 1);
  const std::string s = c.out.str();
  CHECK(s.find("FAIL  failover within 1 ms: recovery_time 1.") != std::string::npos);
  CHECK(s.find("(bound <= 0.001s)") != std::string::npos);
  // The outputs of a run whose expectation failed are written: they say why.
  const std::string report = test::read_file(dir / "out" / kReportFile);
  CHECK(report.find("\"ok\": false") != std::string::npos);
}

TEST_CASE("nlbsim run exits 2 on bad input and writes nothing") {
  const auto dir = fresh_dir("cli-bad");
  SUBCASE("a scenario with an error") {
    const auto path = dir / "bad.json";
    std::ofstream(path) << R"({"lans": [], "nodes": []})";
    Cli c({"run", path.string(), "--out", (dir / "out").string()});
    CHECK(c.code == 2);
    CHECK(!c.err.str().empty());
  }
  SUBCASE("a missing file") {
    Cli c({"run", (dir / "missing.json").string(), "--out", (dir / "out").string()});
    CHECK(c.code == 2);
  }
  SUBCASE("a bad --until") {
    Cli c({"run", shipped("figure3-single-public-ip"), "--out", (dir / "out").string(), "--until", "soon"});
    CHECK(c.code == 2);
    CHECK(c.err.str().find("--until") != std::string::npos);
  }
  CHECK_FALSE(test::fs::exists(dir / "out"));
}

TEST_CASE("nlbsim compare puts Figure 2 and Figure 3 side by side") {
  const auto dir = fresh_dir("cli-compare");
  Cli two({"run", shipped("figure2-prior-art"), "--out", (dir / "f2").string(), "--until", "22s"});
  REQUIRE(two.code == 0);
  // One side from an output directory, the other run now.
  Cli c({"compare", (dir / "f2").string(), shipped("figure3-single-public-ip"), "--until", "22s"});
  INFO(c.err.str());
  CHECK(c.code == 0);
  const std::string s = c.out.str();
  CHECK(s.find("figure2-prior-art") != std::string::npos);
  CHECK(s.find("figure3-single-public-ip") != std::string::npos);
  std::istringstream lines(s);
  std::string line;
  bool found = false;
  while (std::getline(lines, line))
    if (line.rfind("public addresses", 0) == 0) {
      std::istringstream f(line.substr(16));
      int a = 0, b = 0;
      f >> a >> b;
      CHECK(a == 6);
      CHECK(b == 1);
      found = true;
    }
  CHECK(found);
  CHECK(s.find("crash-active-balancer: detection") != std::string::npos);
}

}  // namespace
}  // namespace nlb::run
