// Issue #9's end-to-end check: `nlbsim run scenarios/emulation-balancer-crash.json` with a real
// client (curl) and real servers (python3 -m http.server) in network namespaces (cluster_lab.hpp),
// the simulated firewalls and balancer pair between them in real time, and the active balancer
// crashing mid-way. The client must be answered before the crash and again after the takeover.
// Bounds are generous (a loaded 2-core CI machine, ASan): the run stops as soon as the client
// has seen enough, within 40 s at worst. Without root or namespaces it says so and skips.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "runner/load.hpp"
#include "runner/run/run.hpp"
#include "runner/run/summary.hpp"
#include "tests/emulation/cluster_lab.hpp"

using namespace nlb;
using Clock = std::chrono::steady_clock;

namespace {

struct Answer {
  double t = 0;        // seconds since the run started (wall clock)
  std::string server;  // "srv1", or empty when the request failed
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

TEST_CASE(
    "a real client is answered by real servers through the simulated cluster before and after a balancer "
    "crash") {
  test::ClusterLab lab;
  if (!lab.ready()) {
    MESSAGE("skipped: " << lab.skip_reason());
    return;
  }
  constexpr double kCrashAt = 7;  // VRRP and the balancer pair elect in about 4 s
  runner::LoadOptions lo;
  lo.parameters = {{"prefix", lab.prefix}, {"duration", "60s"}, {"crash_at", "7s"}};
  runner::LoadResult loaded =
      runner::load_scenario(std::string(NLBSIM_SOURCE_DIR) + "/scenarios/emulation-balancer-crash.json", lo);
  std::string msgs;
  for (const auto& d : loaded.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(loaded.ok());
  // Generous for a loaded machine: the run is stopped below, this only keeps it from failing.
  loaded.scenario->realtime->max_lag = sim::Time::s(2);

  std::atomic<bool> stop{false};
  run::RunOptions o;
  o.interrupt = &stop;
  run::RunResult result;
  const Clock::time_point t0 = Clock::now();
  std::thread runner([&] { result = run::run_scenario(*loaded.scenario, o); });

  // The real client: a request every 100 ms (each a new TCP connection, so each is dispatched)
  // until it has been answered at least 5 times well after the crash, or 40 s.
  std::vector<Answer> answers;
  int after = 0;
  while (seconds_since(t0) < 40 && after < 5) {
    Answer a{seconds_since(t0), lab.request()};
    answers.push_back(a);
    if (!a.server.empty() && a.t > kCrashAt + 3) ++after;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  runner.join();

  std::map<std::string, int> by_server;
  int before = 0, failed = 0;
  double first = -1, last_ok = -1, gap = 0;
  for (const Answer& a : answers) {
    if (a.server.empty()) {
      failed += first >= 0;
      continue;
    }
    if (first < 0) first = a.t;
    if (last_ok >= 0) gap = std::max(gap, a.t - last_ok);
    last_ok = a.t;
    ++by_server[a.server];
    before += a.t < kCrashAt;
  }
  MESSAGE("client: " << answers.size() << " requests, first answer at " << first << " s, " << before
                     << " answered before the crash, " << after << " well after it, " << failed
                     << " failed after the first answer; longest gap " << gap << " s; srv1 "
                     << by_server["srv1\n"] << ", srv2 " << by_server["srv2\n"]);
  std::string why = result.error;
  for (const auto& d : result.diagnostics) why += "\n" + d.str();
  INFO(why);
  INFO(run::summary_text(result.report.value_or(run::Report{})));

  REQUIRE(result.report);
  CHECK(before >= 1);
  CHECK(after >= 5);
  CHECK(by_server["srv1\n"] >= 1);  // rr: both real servers take connections
  CHECK(by_server["srv2\n"] >= 1);

  const run::Report& r = *result.report;
  REQUIRE(r.faults.size() == 1);
  CHECK(r.faults[0].applied);
  CHECK(r.faults[0].detection.has_value());  // the backup took over
  REQUIRE(r.realtime);
  CHECK(r.realtime->ended == "interrupted");
  CHECK_FALSE(r.realtime->max_lag_exceeded);
  REQUIRE(r.realtime->ports.size() == 3);
  for (const run::ExternalPortReport& p : r.realtime->ports) {
    CAPTURE(p.node);
    CHECK(p.frames_in > 0);
    CHECK(p.frames_out > 0);
    CHECK(p.errors == 0);
  }
  std::uint64_t dispatched = 0;
  for (const run::ServerReport& s : r.servers) dispatched += s.connections;
  CHECK(dispatched >= static_cast<std::uint64_t>(before + after));
  MESSAGE("lag: mean " << r.realtime->mean_lag.str() << ", p50 " << r.realtime->p50_lag.str() << ", p99 "
                       << r.realtime->p99_lag.str() << ", max " << r.realtime->max_lag.str() << " over "
                       << r.realtime->events << " events");
}
