// The nlbsim command: exit codes, messages, and output files that are whole or absent.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "runner/format.hpp"
#include "tests/runner/bad_cases.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);
const std::string kFig3 = (kSource / "scenarios/figure3-single-public-ip.json").string();
const std::string kFig2 = (kSource / "scenarios/figure2-prior-art.json").string();

struct Run {
  int code;
  std::string out, err;
};

Run nlbsim(std::vector<std::string> args) {
  args.insert(args.begin(), "nlbsim");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = nlb::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return Run{code, out.str(), err.str()};
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh empty directory for output files.
struct TempDir {
  fs::path path;
  explicit TempDir(const char* name) : path(fs::temp_directory_path() / name) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

}  // namespace

TEST_CASE("validate exits 0 on a good scenario and says what it holds") {
  Run r = nlbsim({"validate", kFig3});
  CHECK(r.code == 0);
  CHECK(r.out == kFig3 +
                     ": ok (29 nodes, 4 LANs, 3 VRRP groups, 1 balancer pair, 1 cluster, 1 traffic entry, "
                     "2 timeline entries, 2 expectations)\n");
  CHECK(r.err.empty());
}

TEST_CASE("validate exits 2 on a bad scenario and prints every error as FILE:POINTER: message") {
  fs::path bad = kSource / "tests/runner/bad/unknown-key-typo.json";
  Run r = nlbsim({"validate", bad.string()});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == bad.string() +
                     ":/nodes/0/interfaces/0: missing \"address\" in interface: primary address with its "
                     "prefix length, e.g. \"10.0.2.11/24\"\n" +
                     bad.string() +
                     ":/nodes/0/interfaces/0/adress: unknown key \"adress\" in interface (did you mean "
                     "\"address\"?)\n" +
                     bad.string() + ": 2 errors, 0 warnings\n");
}

TEST_CASE("every broken scenario exits 2 from every command and leaves no output file behind") {
  TempDir dir("nlbsim-cli-bad");
  for (const auto& c : nlb::test::bad_cases()) {
    CAPTURE(c.file);
    std::string path = (kSource / "tests/runner/bad" / c.file).string();
    CHECK(nlbsim({"validate", path}).code == 2);
    Run g = nlbsim({"graph", path, "-o", (dir.path / "g.dot").string()});
    CHECK(g.code == 2);
    CHECK(g.err.find(": ") != std::string::npos);
    CHECK(nlbsim({"addresses", path, "--json", "-o", (dir.path / "a.json").string()}).code == 2);
    CHECK(dir.entries() == 0);
  }
}

TEST_CASE("graph writes DOT to a file atomically, or to standard output") {
  TempDir dir("nlbsim-cli-graph");
  fs::path out = dir.path / "fig3.dot";
  Run r = nlbsim({"graph", kFig3, "-o", out.string()});
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  std::string dot = read(out);
  CHECK(dot.starts_with("graph \"figure3-single-public-ip\" {"));
  CHECK(dir.entries() == 1);  // no temporary left over
  CHECK(nlbsim({"graph", kFig3}).out == dot);

  // A failed run does not touch an existing file.
  Run bad = nlbsim({"graph", (kSource / "tests/runner/bad/role-typo.json").string(), "-o", out.string()});
  CHECK(bad.code == 2);
  CHECK(read(out) == dot);
  CHECK(dir.entries() == 1);
}

TEST_CASE("an output that cannot be written exits 2 and says why") {
  TempDir dir("nlbsim-cli-unwritable");
  Run r = nlbsim({"graph", kFig3, "-o", (dir.path / "no-such-dir" / "g.dot").string()});
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot write in") != std::string::npos);
  Run d = nlbsim({"graph", kFig3, "-o", dir.path.string()});
  CHECK(d.code == 2);
  CHECK(d.err.find("is a directory") != std::string::npos);
  CHECK(dir.entries() == 0);
}

TEST_CASE("addresses prints the audit: 6 for Figure 2, 1 for Figure 3, as a table or JSON") {
  Run f2 = nlbsim({"addresses", kFig2});
  CHECK(f2.code == 0);
  CHECK(f2.out.starts_with("figure2-prior-art: 6 public addresses the site must own\n"));
  CHECK(f2.out.find("expectation \"six public addresses (the seed, Figure 2)\": 6 holds") !=
        std::string::npos);
  Run f3 = nlbsim({"addresses", kFig3, "--json"});
  CHECK(f3.code == 0);
  auto j = nlohmann::json::parse(f3.out);
  CHECK(j["public_addresses"] == 1);
  CHECK(j["addresses"][0]["address"] == "203.0.113.10");
}

TEST_CASE("--set overrides a parameter, and a bad --set is bad input") {
  Run r = nlbsim({"validate", kFig3, "--set", "servers=10", "--set", "clients=3"});
  CHECK(r.code == 0);
  CHECK(r.out.find("(18 nodes,") != std::string::npos);  // 3 clients, inet, 2 fw, 2 lb, 10 servers
  Run typo = nlbsim({"validate", kFig3, "--set", "server=10"});
  CHECK(typo.code == 2);
  CHECK(typo.err.find("did you mean \"servers\"") != std::string::npos);
  CHECK(nlbsim({"validate", kFig3, "--set", "servers"}).code == 2);
}

TEST_CASE("schema prints the JSON Schema and --markdown the docs' reference") {
  TempDir dir("nlbsim-cli-schema");
  CHECK(nlbsim({"schema", "-o", (dir.path / "s.json").string()}).code == 0);
  CHECK(nlohmann::json::parse(read(dir.path / "s.json")) == nlb::runner::scenario_schema());
  Run md = nlbsim({"schema", "--markdown"});
  CHECK(md.code == 0);
  CHECK(md.out == nlb::runner::format_reference_markdown());
}

TEST_CASE("run --progress writes progress lines to a stderr that is not a terminal, and only then") {
  TempDir dir("nlbsim-cli-progress");
  // Exit 1: the scenario's expectations are about a crash after 1 s.
  Run quiet = nlbsim({"run", kFig3, "--until", "1s", "--out", (dir.path / "a").string()});
  CHECK(quiet.code == 1);
  CHECK(quiet.err.find("simulated") == std::string::npos);
  Run r = nlbsim({"run", kFig3, "--until", "1s", "--progress", "--out", (dir.path / "b").string()});
  CHECK(r.code == 1);
  CHECK(r.err.find('\r') == std::string::npos);
  // The last line is the end time, so a reader's bar reaches 100 %.
  CHECK(r.err.find("  1.0s / 1.0s simulated") != std::string::npos);
  CHECK(r.err.back() == '\n');
  // The outputs are the same run: progress reads the clock, never the simulation.
  CHECK(read(dir.path / "a/report.json") == read(dir.path / "b/report.json"));
}

TEST_CASE("--help and --version exit 0; usage mistakes exit 2") {
  Run v = nlbsim({"--version"});
  CHECK(v.code == 0);
  CHECK(v.out.starts_with("nlbsim "));
  Run h = nlbsim({"--help"});
  CHECK(h.code == 0);
  for (const char* sub : {"validate", "graph", "addresses", "schema"}) {
    CHECK(h.out.find(sub) != std::string::npos);
    Run sh = nlbsim({sub, "--help"});
    CHECK(sh.code == 0);
    CHECK(sh.out.find("Usage:") != std::string::npos);
  }
  CHECK(nlbsim({}).code == 2);
  CHECK(nlbsim({"frobnicate"}).code == 2);
  CHECK(nlbsim({"validate"}).code == 2);
  CHECK(nlbsim({"validate", kFig3, "--bogus"}).code == 2);
}

TEST_CASE("the nlbsim executable returns the same exit codes to the shell") {
  fs::path exe = fs::path(NLBSIM_BINARY_DIR) / "cli" / "nlbsim";
  REQUIRE_MESSAGE(fs::exists(exe), "build the nlbsim target first");
  auto status = [&](const std::string& args) {
    int s = std::system((exe.string() + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(status("validate " + kFig3) == 0);
  CHECK(status("validate " + (kSource / "tests/runner/bad/empty.json").string()) == 2);
  CHECK(status("--version") == 0);
  CHECK(status("") == 2);
}

TEST_CASE("nlbsim sweep checks its arguments: a grid, --jobs of at least 1, a readable file") {
  const std::string grid = (kSource / "tests/sweep/small.grid.json").string();
  CHECK(nlbsim({"sweep"}).code == 2);
  Run zero = nlbsim({"sweep", grid, "--jobs", "0"});
  CHECK(zero.code == 2);
  CHECK(zero.err.find("--jobs") != std::string::npos);
  Run missing = nlbsim({"sweep", "/nonexistent.grid.json"});
  CHECK(missing.code == 2);
  CHECK(missing.err == "/nonexistent.grid.json: cannot read the file\n");
  Run help = nlbsim({"sweep", "--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("mpirun -np K") != std::string::npos);
}
