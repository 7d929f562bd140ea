// nlbsim explain on the command line: what it accepts (a run directory, its report.json or its
// trace.jsonl), what it prints, and exit 2 with a clear message for anything else.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "cli/command.hpp"
#include "tests/explain/synthetic.hpp"

namespace {

namespace fs = std::filesystem;
using nlb::explain::test::kFw1;
using nlb::explain::test::kLb1;
using nlb::explain::test::kLb1Front;
using nlb::explain::test::kNlbs;
using nlb::explain::test::s;

struct Result {
  int code;
  std::string out, err;
};

Result explain(std::vector<std::string> args) {
  args.insert(args.begin(), {"nlbsim", "explain"});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = nlb::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

fs::path run_dir(const std::string& name, const std::string& trace, bool report = true) {
  const fs::path d = fs::path(NLBSIM_BINARY_DIR) / "test-run-outputs" / ("explain-cli-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  if (!trace.empty()) std::ofstream(d / "trace.jsonl", std::ios::binary) << trace;
  if (report) std::ofstream(d / "report.json") << "{}";
  return d;
}

std::string crash_trace(bool with_end = true) {
  nlb::explain::test::Trace tr;
  tr.arp(s(5), kFw1, 1, kNlbs, "add", kLb1Front);
  tr.fault(s(20), R"("action":"crash","name":"crash-lb1","node":"lb1")");
  tr.lost_at(s(20.5), kLb1, kLb1Front, "node-down");
  return tr.text(with_end);
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST_CASE("nlbsim explain reads a run directory, its report.json or its trace.jsonl alike") {
  const fs::path d = run_dir("good", crash_trace());
  for (const fs::path& p : {d, d / "report.json", d / "trace.jsonl"}) {
    CAPTURE(p);
    const Result r = explain({p.string()});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(has(r.out, "synthetic (seed 7, run to 40.000 s): 1 outage"));
    CHECK(has(r.out, "Outage 1: 20.000 s - still open at the end of the run (40.000 s): 20.000 s so far"));
    CHECK(has(r.out, "fw1 kept sending 192.168.10.10's traffic to lb1, which had crashed"));
  }
}

TEST_CASE("nlbsim explain --json prints the outages as JSON, and --outage selects one") {
  const fs::path d = run_dir("json", crash_trace());
  const Result r = explain({d.string(), "--json", "--outage", "1"});
  REQUIRE(r.code == 0);
  CHECK(has(r.out, "\"outage_count\": 1"));
  CHECK(has(r.out, "\"kind\": \"stale-arp\""));
  CHECK(has(r.out, "\"end_ns\": null"));
  const Result none = explain({d.string(), "--outage", "2"});
  CHECK(none.code == 2);
  CHECK(none.err == "--outage 2: the run has 1 outage\n");
}

TEST_CASE("nlbsim explain refuses a missing path, a directory that is no run, a run without a trace") {
  const Result missing = explain({"/nonexistent/run"});
  CHECK(missing.code == 2);
  CHECK(missing.err == "/nonexistent/run: no such file or directory\n");
  const fs::path empty = run_dir("empty", "", false);
  const Result not_run = explain({empty.string()});
  CHECK(not_run.code == 2);
  CHECK(has(not_run.err, "not a run directory (no report.json or trace.jsonl)"));
  const fs::path untraced = run_dir("untraced", "");
  const Result no_trace = explain({untraced.string()});
  CHECK(no_trace.code == 2);
  CHECK(has(no_trace.err, "the run has no trace.jsonl: run the scenario again with --trace"));
  const Result other = explain({(untraced / "report.json").string() + ".txt"});
  CHECK(other.code == 2);
  CHECK(explain({}).code == 2);
}

TEST_CASE("nlbsim explain refuses a truncated trace with exit status 2, naming the file") {
  const std::string whole = crash_trace();
  const fs::path cut = run_dir("cut", whole.substr(0, whole.size() - 10));
  const Result r = explain({cut.string()});
  CHECK(r.code == 2);
  CHECK(has(r.err, "trace.jsonl:"));
  CHECK(has(r.err, "truncated"));
  CHECK(r.out.empty());
  const fs::path no_end = run_dir("no-end", crash_trace(false));
  CHECK(has(explain({no_end.string()}).err, "truncated: no `end` line"));
}

}  // namespace

namespace {

TEST_CASE("nlbsim run --explain writes the trace and ends the summary with the run's outages") {
  const fs::path d = fs::path(NLBSIM_BINARY_DIR) / "test-run-outputs" / "explain-cli-run";
  fs::remove_all(d);
  std::vector<std::string> args{
      "nlbsim",    "run",   std::string(NLBSIM_SOURCE_DIR) + "/scenarios/figure4-flow.json",
      "--explain", "--out", d.string()};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = nlb::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  INFO(err.str());
  CHECK(code == 0);
  CHECK(fs::exists(d / "trace.jsonl"));
  const std::string text = out.str();
  const auto at = text.find("Outages (nlbsim explain ");
  REQUIRE(at != std::string::npos);
  CHECK(text.find("figure4-flow (seed 1, run to ", at) != std::string::npos);
  CHECK(text.find("no outage", at) != std::string::npos);
}

}  // namespace
