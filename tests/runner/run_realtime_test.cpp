// Real-time runs and external nodes (docs/emulation.md) where no privilege is needed: a paced
// replay, and an external interface that cannot be opened (missing, or no CAP_NET_RAW). The
// runs with real hosts are in tests/emulation (root and network namespaces).
#include <atomic>
#include <chrono>
#include <sstream>

#include "cli/command.hpp"
#include "runner/run/summary.hpp"
#include "tests/runner/run_support.hpp"

namespace nlb::run {
namespace {

using test::fresh_dir;

// Two simulated hosts pinging nothing in particular: a small model with some events, and an
// external node bound to `ifname` when it is given.
std::string small_scenario(const std::string& realtime, const std::string& ifname = "") {
  std::string s = R"({"name": "realtime-small", "duration": "300ms", )" + realtime + R"(
    "lans": [{"name": "lan", "subnet": "10.0.0.0/24"}],
    "nodes": [
      {"name": "a", "role": "router", "interfaces": [{"name": "eth0", "lan": "lan", "address": "10.0.0.1/24"}]},
      {"name": "b", "role": "router", "interfaces": [{"name": "eth0", "lan": "lan", "address": "10.0.0.2/24"}]})";
  if (!ifname.empty())
    s += R"(,
      {"name": "real", "role": "external",
       "interfaces": [{"name": "eth0", "lan": "lan", "address": "10.0.0.9/24", "external": ")" +
         ifname + R"("}]})";
  s += R"(],
    "vrrp_groups": [{"name": "g", "vrid": 1, "lan": "lan", "virtual_addresses": ["10.0.0.254"],
                     "advert_interval": "20ms",
                     "members": [{"node": "a", "priority": 200}, {"node": "b", "priority": 100}]}]})";
  return s;
}

runner::Scenario load_text(const std::string& text) {
  runner::LoadResult r = runner::load_scenario_text(text, "realtime-small.json");
  std::string msgs;
  for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

TEST_CASE("a realtime block paces a replay to the wall clock and the report gives the lag") {
  const auto dir = fresh_dir("realtime-replay");
  RunOptions o;
  o.out_dir = dir;
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = run_scenario(load_text(small_scenario(R"("realtime": {"late_threshold": "5ms"},)")), o);
  const auto wall = std::chrono::steady_clock::now() - t0;
  INFO(test::diagnostics_text(r));
  REQUIRE(r.report);
  CHECK(r.exit_code == kExitOk);
  CHECK(wall >= std::chrono::milliseconds(300));  // never ahead of the wall clock
  REQUIRE(r.report->realtime);
  const RealtimeReport& rt = *r.report->realtime;
  CHECK(rt.speed == "1/1");
  CHECK(rt.ended == "duration");
  CHECK(rt.events > 0);
  CHECK(rt.late_threshold == Time::ms(5));
  CHECK(rt.p50_lag <= rt.p99_lag);
  CHECK(rt.p99_lag <= rt.max_lag);
  CHECK(rt.mean_lag <= rt.max_lag);
  CHECK_FALSE(rt.max_lag_exceeded);
  CHECK(rt.ports.empty());

  // The report says it, and reads back.
  const std::string json = test::read_file(dir / kReportFile);
  CHECK(json.find("\"realtime\"") != std::string::npos);
  CHECK(json.find("\"p99\"") != std::string::npos);
  Report back;
  std::string error;
  REQUIRE(report_from_json(json, back, error));
  REQUIRE(back.realtime);
  CHECK(back.realtime->events == rt.events);
  CHECK(back.realtime->ended == "duration");
  CHECK(run::summary_text(*r.report).find("Real time (speed 1/1, ran its full duration)") !=
        std::string::npos);
}

TEST_CASE("a replay without a realtime block has no real-time report and is not paced") {
  RunResult r = run_scenario(load_text(small_scenario("")));
  REQUIRE(r.report);
  CHECK_FALSE(r.report->realtime);
  CHECK(report_json(*r.report).find("\"realtime\"") == std::string::npos);
}

TEST_CASE("a realtime run interrupted by a signal ends early and still reports what ran") {
  std::atomic<bool> interrupt{true};  // set before the first slice ends
  RunOptions o;
  o.interrupt = &interrupt;
  RunResult r = run_scenario(load_text(small_scenario(R"("realtime": {},)")), o);
  REQUIRE(r.report);
  CHECK(r.exit_code == kExitOk);
  REQUIRE(r.report->realtime);
  CHECK(r.report->realtime->ended == "interrupted");
  CHECK(r.report->duration < Time::ms(300));
  CHECK(run::summary_text(*r.report).find("stopped by SIGINT/SIGTERM") != std::string::npos);
}

TEST_CASE("an external interface that cannot be opened stops the run before it starts, at its pointer") {
  const auto dir = fresh_dir("realtime-missing-interface");
  RunOptions o;
  o.out_dir = dir / "out";
  RunResult r = run_scenario(load_text(small_scenario("", "nlbx-missing")), o);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_FALSE(r.report);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].pointer == "/nodes/2/interfaces/0/external");
  // As root the interface is missing; anyone else lacks the privilege to open a raw socket.
  const std::string& m = r.diagnostics[0].message;
  CHECK_MESSAGE((m == "no interface \"nlbx-missing\" (create it first, e.g. one end of a veth pair)" ||
                 m.find("needs CAP_NET_RAW: run as root") != std::string::npos),
                m);
  CHECK(test::files_in(dir / "out").empty());
}

TEST_CASE("nlbsim run names the missing external interface and exits 2") {
  const auto dir = fresh_dir("realtime-cli");
  const auto path = dir / "scenario.json";
  std::ofstream(path) << small_scenario("", "nlbx-missing");
  std::ostringstream out, err;
  const std::string file = path.string(), out_dir = (dir / "out").string();
  const char* argv[] = {"nlbsim", "run", file.c_str(), "--out", out_dir.c_str()};
  CHECK(cli::run_cli(5, argv, out, err) == 2);
  CHECK(err.str().find(file + ":/nodes/2/interfaces/0/external: ") != std::string::npos);
  CHECK(out.str().empty());
  CHECK(test::files_in(dir / "out").empty());
}

}  // namespace
}  // namespace nlb::run
