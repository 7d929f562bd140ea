// The run's outputs (docs/trace-format.md): deterministic, complete or absent, in the format
// the GUI reads.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/runner/run_support.hpp"

namespace nlb::run {
namespace {

using sim::Time;
using test::files_in;
using test::fresh_dir;
using test::load_shipped;
using test::read_file;

RunResult run_to(const runner::Scenario& s, const test::fs::path& dir, Time until, bool trace = true,
                 bool pcap = false, std::optional<std::uint64_t> seed = {}) {
  RunOptions o;
  o.out_dir = dir;
  o.until = until;
  o.trace = trace;
  o.pcap = pcap;
  o.seed = seed;
  return run_scenario(s, o);
}

// Byte for byte, without holding two traces of a few hundred megabytes in memory.
bool same_bytes(const test::fs::path& x, const test::fs::path& y) {
  std::ifstream a(x, std::ios::binary), b(y, std::ios::binary);
  if (!a || !b) return false;
  std::vector<char> p(1 << 20), q(1 << 20);
  while (a && b) {
    a.read(p.data(), static_cast<std::streamsize>(p.size()));
    b.read(q.data(), static_cast<std::streamsize>(q.size()));
    if (a.gcount() != b.gcount() || !std::equal(p.begin(), p.begin() + a.gcount(), q.begin())) return false;
  }
  return a.eof() && b.eof();
}

// The determinism test's scenarios, each to its first fault and 2 s of what follows (the faults
// are where state is torn down and rebuilt): the cheap ones. Every scenario, whole, and the
// release build against the sanitizer build: scripts/reliability determinism.
const char* const kDeterminismScenarios[] = {"figure3-single-public-ip", "figure4-flow", "split-brain",
                                             "failover-firewall-master"};

Time determinism_horizon(const runner::Scenario& s) {
  if (s.timeline.empty()) return std::min(s.duration, Time::s(10));
  return s.timeline.front().at + Time::s(2);
}

TEST_CASE(
    "two runs of a shipped scenario with one seed write byte-identical trace, captures, metrics, report") {
  for (const std::string name : kDeterminismScenarios) {
    CAPTURE(name);
    const runner::Scenario s = load_shipped(name);
    const auto a = fresh_dir("determinism-a"), b = fresh_dir("determinism-b");
    const Time until = determinism_horizon(s);
    RunResult ra = run_to(s, a, until, true, true);
    RunResult rb = run_to(s, b, until, true, true);
    REQUIRE(ra.exit_code != kExitBadInput);
    CHECK(ra.exit_code == rb.exit_code);
    CHECK(ra.events == rb.events);
    const std::vector<std::string> files = files_in(a);
    CHECK(files == files_in(b));
    CHECK(files.size() == 3 + s.lans.size());  // trace, metrics, report and a capture per LAN
    for (const std::string& f : files) {
      CAPTURE(f);
      CHECK(test::fs::file_size(a / f) > 0);
      CHECK(same_bytes(a / f, b / f));
    }
  }
  test::fs::remove_all(test::kBinary / "test-run-outputs" / "determinism-a");
  test::fs::remove_all(test::kBinary / "test-run-outputs" / "determinism-b");
}

TEST_CASE("another seed gives another run, and the report says which seed") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto a = fresh_dir("seed-a"), b = fresh_dir("seed-b");
  REQUIRE(run_to(s, a, Time::s(5), true, false, 1).exit_code != kExitBadInput);
  REQUIRE(run_to(s, b, Time::s(5), true, false, 2).exit_code != kExitBadInput);
  CHECK(read_file(a / kTraceFile) != read_file(b / kTraceFile));
  auto rep = nlohmann::json::parse(read_file(b / kReportFile));
  CHECK(rep["seed"] == 2);
}

TEST_CASE("the trace adds no event to the run: the report is the same with and without it") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto a = fresh_dir("trace-on"), b = fresh_dir("trace-off");
  run_to(s, a, Time::s(21), true);
  run_to(s, b, Time::s(21), false);
  CHECK(read_file(a / kReportFile) == read_file(b / kReportFile));
  CHECK(files_in(b) == std::vector<std::string>{kMetricsFile, kReportFile});
}

TEST_CASE("a scenario the builder cannot run exits 2, names the JSON pointer and writes nothing") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  s.balancer_pairs[0].clusters[0].advisor.kind = runner::AdvisorKind::Ping;
  const auto dir = fresh_dir("unsupported");
  RunResult r = run_to(s, dir, Time::s(1));
  CHECK(r.exit_code == kExitBadInput);
  CHECK_FALSE(r.report.has_value());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].pointer == "/balancer_pairs/0/clusters/0/advisor/kind");
  CHECK(r.diagnostics[0].message.find("not supported yet") != std::string::npos);
  CHECK(files_in(dir).empty());
}

TEST_CASE("an interrupted run leaves no output and no temporary file") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto dir = fresh_dir("interrupted");
  std::atomic<bool> stop{false};
  RunOptions o;
  o.out_dir = dir;
  o.trace = true;
  o.pcap = true;
  o.interrupt = &stop;
  // Stop once the run is well under way, with the trace and captures half written.
  o.progress = [&stop](Time now, Time, std::uint64_t) {
    if (now >= Time::s(3)) stop = true;
  };
  RunResult r = run_scenario(s, o);
  CHECK(r.exit_code == kExitInterrupted);
  CHECK_FALSE(r.report.has_value());
  CHECK(files_in(dir).empty());
}

TEST_CASE("an earlier run's outputs stay whole when a later run into the same directory fails") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto dir = fresh_dir("rerun");
  // Over before the crash at 20 s: its failover expectation fails (exit 1), the outputs are written.
  REQUIRE(run_to(s, dir, Time::s(2)).exit_code == kExitExpectationFailed);
  const std::string before = read_file(dir / kReportFile);
  std::atomic<bool> stop{true};
  RunOptions o;
  o.out_dir = dir;
  o.trace = true;
  o.interrupt = &stop;
  CHECK(run_scenario(s, o).exit_code == kExitInterrupted);
  CHECK(read_file(dir / kReportFile) == before);
  CHECK(files_in(dir) == std::vector<std::string>{kMetricsFile, kReportFile, kTraceFile});
}

TEST_CASE("an output directory that cannot be made is bad input, found before the run") {
  const auto dir = fresh_dir("not-a-dir");
  { std::ofstream(dir / "file") << "x"; }
  RunResult r = run_to(load_shipped("figure3-single-public-ip"), dir / "file" / "out", Time::s(1));
  CHECK(r.exit_code == kExitBadInput);
  CHECK(r.error.find("cannot create") != std::string::npos);
  CHECK(r.events == 0);
}

TEST_CASE("trace.jsonl: a header with the topology, then events in time order, frames with their bytes") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto dir = fresh_dir("trace-format");
  REQUIRE(run_to(s, dir, Time::s(22)).exit_code == kExitOk);
  std::ifstream in(dir / kTraceFile);
  std::string line;
  REQUIRE(std::getline(in, line));
  const auto h = nlohmann::json::parse(line);
  CHECK(h["type"] == "header");
  CHECK(h["format"] == "nlbsim-trace");
  CHECK(h["version"] == 1);
  CHECK(h["scenario"] == "figure3-single-public-ip");
  CHECK(h["topology"]["lans"].size() == s.lans.size());
  REQUIRE(h["topology"]["nodes"].size() == s.nodes.size());
  const auto& lb1 = h["topology"]["nodes"][s.node_index("lb1")];
  CHECK(lb1["role"] == "balancer");
  CHECK(lb1["interfaces"].back()["loopback"] == true);
  CHECK(lb1["interfaces"].back()["lan"].is_null());
  CHECK(h["faults"][0]["action"] == "crash");
  CHECK(h["faults"][0]["node"] == "lb1");

  std::int64_t last = 0;
  std::map<std::string, int> kinds, evs;
  bool nlbs_moved = false, fault_seen = false;
  while (std::getline(in, line)) {
    const auto e = nlohmann::json::parse(line);
    const std::int64_t t = e["t"];
    CHECK(t >= last);
    last = t;
    const std::string ev = e["ev"];
    ++evs[ev];
    if (ev == "frame") {
      ++kinds[e["kind"]];
      const std::string hex = e["hex"];
      CHECK(hex.size() == 2 * e["len"].get<std::size_t>());
      if (e["dir"] == "drop") CHECK(e.contains("reason"));
    } else if (ev == "addr" && e["addr"] == "192.168.10.10/24" && e["op"] == "add" &&
               e["node"] == s.node_index("lb2")) {
      nlbs_moved = true;  // the NLBS alias moved to the backup after the crash
    } else if (ev == "fault") {
      fault_seen = e["action"] == "crash" && e["node"] == "lb1" && t == Time::s(20).nanos();
    }
  }
  for (const char* k :
       {"arp", "garp", "vrrp", "heartbeat", "sync", "tcp", "http-request", "http-response", "icmp"}) {
    CAPTURE(k);
    CHECK(kinds[k] > 0);
  }
  for (const char* k : {"frame", "state", "addr", "arp", "conn", "weights", "fault", "request"}) {
    CAPTURE(k);
    CHECK(evs[k] > 0);
  }
  CHECK(nlbs_moved);
  CHECK(fault_seen);
}

TEST_CASE("metrics.csv: one row per 100 ms, a column per server, fault times in the report") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto dir = fresh_dir("metrics");
  REQUIRE(run_to(s, dir, Time::s(22), false).exit_code == kExitOk);
  std::istringstream csv(read_file(dir / kMetricsFile));
  std::string header;
  std::getline(csv, header);
  CHECK(header ==
        "time_s,active_connections,requests_ok,requests_failed,throughput_mbps,latency_p50_ms,latency_p99_ms,"
        "active:srv1,active:srv2,active:srv3,active:srv4");
  std::vector<std::string> rows;
  for (std::string line; std::getline(csv, line);) rows.push_back(line);
  REQUIRE(rows.size() == 220);
  CHECK(rows.front().rfind("0.1,", 0) == 0);
  CHECK(rows.back().rfind("22,", 0) == 0);
  std::uint64_t ok = 0;
  for (const std::string& r : rows) {
    std::istringstream f(r);
    std::string cell;
    std::vector<std::string> cells;
    while (std::getline(f, cell, ',')) cells.push_back(cell);
    REQUIRE(cells.size() == 11);
    ok += std::stoull(cells[2]);
  }
  auto rep = nlohmann::json::parse(read_file(dir / kReportFile));
  CHECK(ok == rep["requests"]["ok"].get<std::uint64_t>());
  CHECK(rep["faults"][0]["at_ns"] == Time::s(20).nanos());
}

TEST_CASE("the per-LAN captures dissect without malformed packets or bad checksums (tshark)") {
  if (std::system("command -v tshark > /dev/null 2>&1") != 0) {
    MESSAGE("tshark not installed: captures not checked");
    return;
  }
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  const auto dir = fresh_dir("pcap");
  RunResult r = run_to(s, dir, Time::s(22), false, true);
  REQUIRE(r.exit_code == kExitOk);
  for (const auto& lan : s.lans) {
    const auto pcap = dir / (lan.name + ".pcap");
    CAPTURE(pcap.string());
    REQUIRE(test::fs::exists(pcap));
    const auto out = dir / (lan.name + ".bad");
    const std::string cmd =
        "tshark -r '" + pcap.string() +
        "' -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
        "-Y '_ws.malformed || _ws.expert.severity >= error' > '" +
        out.string() + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    CHECK(read_file(out).empty());
  }
}

}  // namespace
}  // namespace nlb::run
