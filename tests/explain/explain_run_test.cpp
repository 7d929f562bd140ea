// nlbsim explain on real runs of shipped scenarios, shortened (less traffic, the fault earlier,
// a shorter run) so each writes a trace of a few megabytes: the explanation must name the cause
// the scenario was built to show, with the times the models produced.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "runner/explain/explain.hpp"
#include "runner/load.hpp"
#include "runner/run/run.hpp"

namespace nlb::explain {
namespace {

namespace fs = std::filesystem;

struct Ran {
  Explanation e;
  run::Report report;
};

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::string chain_of(const Outage& o) {
  std::string out;
  for (const Step& st : o.chain) out += st.node + ": " + st.text + "\n";
  return out;
}

// Runs a shipped scenario with its fault moved to `fault_at`, traffic from 5 s at `rate` with
// small responses, to `until`, and explains its trace.
Ran run_and_explain(const std::string& name, double rate, Time fault_at, Time until,
                    const std::function<void(runner::Scenario&)>& more = {}) {
  runner::LoadResult r = runner::load_scenario(fs::path(NLBSIM_SOURCE_DIR) / "scenarios" / (name + ".json"));
  REQUIRE(r.ok());
  runner::Scenario s = std::move(*r.scenario);
  for (auto& t : s.traffic) {
    t.rate = rate;
    t.response_bytes = 2000;
  }
  const Time shift = fault_at - s.timeline.front().at;
  for (auto& f : s.timeline) f.at = f.at + shift;
  s.expectations.clear();
  if (more) more(s);
  const fs::path dir = fs::path(NLBSIM_BINARY_DIR) / "test-run-outputs" / ("explain-" + name);
  fs::remove_all(dir);
  run::RunOptions o;
  o.out_dir = dir;
  o.trace = true;
  o.until = until;
  run::RunResult res = run::run_scenario(s, o);
  REQUIRE(res.exit_code == run::kExitOk);
  std::ifstream in(dir / run::kTraceFile, std::ios::binary);
  std::string error;
  auto index = read_trace(in, "trace.jsonl", error);
  INFO(error);
  REQUIRE(index);
  return {explain(*index), *res.report};
}

const Outage* find_kind(const Explanation& e, const std::string& kind) {
  for (const Outage& o : e.outages)
    if (o.kind == kind) return &o;
  return nullptr;
}

TEST_CASE("a crashed active balancer: fw1's stale ARP entry, cleared by the backup's gratuitous ARP") {
  const Ran r = run_and_explain("failover-balancer-crash", 20, Time::s(8), Time::s(11));
  const Outage* o = find_kind(r.e, "stale-arp");
  REQUIRE(o);
  INFO(chain_of(*o));
  CHECK(o->start == Time::s(8));  // the crash itself
  REQUIRE(o->end);
  // The report's ARP update time is the same event, measured by the failover meter.
  REQUIRE(r.report.faults.front().arp_update);
  CHECK(*o->end - Time::s(8) == *r.report.faults.front().arp_update);
  CHECK(o->datagrams_lost > 0);
  CHECK(has(o->table, "ARP table"));
  CHECK(has(o->entry, "192.168.10.10 -> 02:00:00:00:18:01 (lb1)"));
  const std::string chain = chain_of(*o);
  CHECK(has(chain, "lb1: crashed (fault crash-active-balancer)"));
  CHECK(has(chain, "lb2: heard no heartbeat from lb1 for"));
  CHECK(has(chain, "became active (peer heartbeat lost) and sent a gratuitous ARP for 192.168.10.10"));
  CHECK(has(chain, "-> 02:00:00:00:19:01 (lb2)"));
  // With per-connection sync nothing else goes wrong.
  CHECK(r.e.outages.size() == 1);
}

TEST_CASE("without table sync the new active balancer resets the connections it does not know") {
  const Ran r = run_and_explain("sync-off-vs-on", 50, Time::s(8), Time::s(12));
  const Outage* o = find_kind(r.e, "missing-connection");
  REQUIRE(o);
  INFO(chain_of(*o));
  CHECK(has(o->table, "lb2 connection table"));
  CHECK(has(o->entry, "connection sync off"));
  CHECK(o->connections_moved > 0);
  CHECK(o->connections_broken > 0);
  CHECK(find_kind(r.e, "stale-arp"));  // and the takeover's own gap before it
}

TEST_CASE("a crashed server: the balancer dispatches to it until its advisor marks it down") {
  const Ran r = run_and_explain("server-crash", 50, Time::s(8), Time::s(12));
  const Outage* o = find_kind(r.e, "dead-server");
  REQUIRE(o);
  INFO(chain_of(*o));
  CHECK(o->start == Time::s(8));
  REQUIRE(o->end);
  CHECK(has(chain_of(*o), "srv2: crashed"));
  CHECK(has(chain_of(*o), "its advisor marked srv2 down"));
  // The advisor's verdict is the report's detection.
  REQUIRE(r.report.faults.front().detection);
  CHECK(*o->end - Time::s(8) == *r.report.faults.front().detection);
}

TEST_CASE(
    "a crashed VRRP master: the switch sends the gateway's virtual MAC to it until the backup takes over") {
  const Ran r = run_and_explain("failover-firewall-master", 20, Time::s(8), Time::s(12));
  REQUIRE_FALSE(r.e.outages.empty());
  bool named = false;
  for (const Outage& o : r.e.outages) {
    INFO(chain_of(o));
    CHECK(o.kind != "other");
    if (o.kind != "stale-mac" && o.kind != "no-master") continue;
    named = true;
    CHECK(o.start == Time::s(8));
    REQUIRE(o.end);
    CHECK(has(chain_of(o), "fw1: crashed (fault crash-master-firewall)"));
    CHECK(has(chain_of(o), "fw2: heard no VRRP advert"));
  }
  CHECK(named);
}

}  // namespace
}  // namespace nlb::explain
