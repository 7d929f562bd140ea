// Shipped scenarios keep every invariant, and other seeds change the traffic but not that.
// (Byte-identical outputs of two runs with one seed: tests/runner/run_outputs_test.cpp.)
#include <algorithm>

#include "runner/run/run.hpp"
#include "tests/matrix/matrix_support.hpp"

namespace nlb::check {
namespace {

using sim::Time;
using test::load_shipped;

struct Checked {
  run::RunResult run;
  CheckResult check;
};

Checked run_checked(const runner::Scenario& s, std::optional<std::uint64_t> seed = {},
                    std::optional<Time> until = {}) {
  InvariantChecker checker;
  run::RunOptions o;
  o.seed = seed;
  o.until = until;
  o.observers.push_back(&checker);
  Checked c{run::run_scenario(s, o), {}};
  c.check = checker.result();
  return c;
}

// The shipped scenarios CI checks, each to its first fault and 8 s of what follows (where state
// is torn down and rebuilt). Every scenario, whole: scripts/reliability check.
const char* const kCheap[] = {"figure3-single-public-ip",   "figure2-prior-art",        "figure4-flow",
                              "failover-balancer-graceful", "failover-firewall-master", "split-brain"};

Time horizon(const runner::Scenario& s) {
#if defined(__SANITIZE_ADDRESS__)
  const Time after = Time::s(3);  // ten times slower
#else
  const Time after = Time::s(8);
#endif
  return s.timeline.empty() ? std::min(s.duration, Time::s(22)) : s.timeline.front().at + after;
}

TEST_CASE("shipped scenarios keep every invariant through their first fault") {
  for (const char* name : kCheap) {
    CAPTURE(name);
    const runner::Scenario s = load_shipped(name);
    const Checked c = run_checked(s, {}, horizon(s));
    REQUIRE(c.run.exit_code != run::kExitBadInput);
    INFO(result_text(c.check));
    CHECK(c.check.ok());
    CHECK(c.check.checks[static_cast<std::size_t>(Invariant::TcpEnds)] > 0);
    CHECK(c.check.checks[static_cast<std::size_t>(Invariant::CountersBalance)] > s.lans.size());
  }
}

TEST_CASE("another seed changes the traffic, and every invariant still holds") {
  const runner::Scenario s = load_shipped("figure3-single-public-ip");
  std::vector<std::uint64_t> events;
  for (std::uint64_t seed : {1, 2, 1000003}) {
    CAPTURE(seed);
    const Checked c = run_checked(s, seed, Time::s(24));  // lb1 crashes at 20 s
    REQUIRE(c.run.report);
    CHECK(c.run.report->seed == seed);
    INFO(result_text(c.check));
    CHECK(c.check.ok());
    CHECK(c.check.checks[static_cast<std::size_t>(Invariant::ArpFollowsOwner)] > 0);  // lb1 crashes at 20 s
    events.push_back(c.run.events);
  }
  std::sort(events.begin(), events.end());
  CHECK(std::unique(events.begin(), events.end()) == events.end());  // three different runs
}

}  // namespace
}  // namespace nlb::check
