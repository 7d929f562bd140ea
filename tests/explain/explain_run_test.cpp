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

// ---- issue #10's failures (scenarios/failures), shortened the same way --------------------

TEST_CASE(
    "a false takeover: the firewall's long-lived entry stays on lb2, which nobody corrects, until it "
    "expires") {
  // The router's 4 h entry shortened to 10 s: the outage must end exactly when it expires.
  const Ran r = run_and_explain("failures/stale-arp-false-takeover", 5, Time::s(8), Time::s(22),
                                [](runner::Scenario& s) {
                                  for (auto& n : s.nodes)
                                    if (n.arp.timeout) n.arp.timeout = Time::s(10);
                                });
  const Outage* o = find_kind(r.e, "stale-arp");
  REQUIRE(o);
  INFO(chain_of(*o));
  CHECK(has(o->entry, "-> 02:00:00:00:19:01 (lb2)"));
  CHECK(has(o->headline, "lb1 did not announce it again after the split brain"));
  const std::string chain = chain_of(*o);
  CHECK(has(chain, "a false takeover: lb1 was alive and still active"));
  CHECK(has(chain, "lb2: released 192.168.10.10"));
  CHECK(
      has(chain, "lb1: won the split brain and stayed active, but sent no gratuitous ARP for 192.168.10.10"));
  CHECK(has(chain, "expired, 10.000 s after it was learned at"));
  // It went wrong when lb2 yielded and ended when the 10 s entry, learned from lb2's gratuitous
  // ARP at its takeover, ran out.
  REQUIRE(r.report.faults.front().arp_update);
  const Time learned = Time::s(8) + *r.report.faults.front().arp_update;
  REQUIRE(o->end);
  CHECK(*o->end == learned + Time::s(10));
  CHECK(o->start > learned);
  CHECK(o->datagrams_lost > 0);
}

TEST_CASE(
    "a frozen primary: its late timers re-announce it, and lb2's connections opened meanwhile are missing") {
  const Ran r = run_and_explain("failures/frozen-primary", 20, Time::s(8), Time::s(16));
  const Outage* freeze = find_kind(r.e, "stale-arp");
  REQUIRE(freeze);
  CHECK(freeze->start == Time::s(8));
  CHECK(has(freeze->headline, "lb1, which was frozen"));
  const Outage* o = find_kind(r.e, "missing-connection");
  REQUIRE(o);
  INFO(chain_of(*o));
  // It began at the resume (the freeze was 5 s), with lb1's gratuitous ARP.
  CHECK(o->start >= Time::s(13));
  CHECK(o->start < Time::s(13) + Time::ms(1));
  CHECK(has(o->entry, "opened while lb1 was frozen (fault snapshot-freeze)"));
  const std::string chain = chain_of(*o);
  CHECK(has(
      chain,
      "lb1: resumed after 5.000 s, still active: the timers that came due while it was frozen fired late"));
  CHECK(has(chain, "its peer timer expired"));
  CHECK(has(chain, "heard its peer's heartbeat again and announced 192.168.10.10 again"));
  CHECK(o->connections_moved > 0);
}

TEST_CASE(
    "a rebooted primary that preempts before resync: its table is empty, whoever opened the connections") {
  const Ran r = run_and_explain("failures/preempt-before-resync", 20, Time::s(8), Time::s(18),
                                [](runner::Scenario& s) { s.timeline.back().at = Time::s(14); });
  const Outage* o = find_kind(r.e, "missing-connection");
  REQUIRE(o);
  INFO(chain_of(*o));
  CHECK(has(o->entry, "lb1 came back at 14.000 s with an empty table and became active at"));
  CHECK(has(o->entry, "before its peer's bulk transfer had resynchronised them"));
  CHECK(o->connections_moved > 0);
  // lb1's own connections from before its crash and lb2's are one outage with one cause.
  int missing = 0;
  for (const Outage& x : r.e.outages) missing += x.kind == "missing-connection";
  CHECK(missing == 1);
}

TEST_CASE(
    "100 virtual addresses: each new master's burst of gratuitous ARPs silences it and the roles flap") {
  const Ran r = run_and_explain("failures/garp-burst-100-vips", 5, Time::s(8), Time::s(24));
  const Outage* o = find_kind(r.e, "flapping");
  REQUIRE(o);
  INFO(o->headline);
  INFO(chain_of(*o));
  CHECK(o->takeovers >= 3);
  CHECK(o->dual_master > Time::zero());
  CHECK(has(o->headline, "after a burst of gratuitous ARPs had delayed the master's adverts"));
  CHECK(has(chain_of(*o), "gratuitous ARPs one by one"));
  CHECK(has(chain_of(*o), "its Master_Down timer expired"));
}

TEST_CASE(
    "adverts lost on a one-way lossy link: the backup takes over again and again, the master never leaves") {
  // 70% of what fw1 sends lost from 8 s: runs of three lost adverts come every few seconds.
  const Ran r = run_and_explain("failures/advert-flapping-under-loss", 5, Time::s(8), Time::s(40),
                                [](runner::Scenario& s) { s.timeline.front().probability = 0.7; });
  const Outage* o = find_kind(r.e, "flapping");
  REQUIRE(o);
  INFO(o->headline);
  INFO(chain_of(*o));
  // The same count as the report's takeovers for the fault (fw2 becoming master each time).
  REQUIRE_FALSE(r.report.faults.empty());
  CHECK(o->takeovers >= 3);
  CHECK(o->takeovers == r.report.faults.front().takeovers);
  CHECK(o->start > Time::s(8));
  CHECK(has(o->headline, "after adverts were lost on the way"));
  CHECK(has(chain_of(*o), "fw2: vrrps from fw1 dropped on the way"));
  CHECK(has(chain_of(*o), "fw2: took over again"));
}

}  // namespace
}  // namespace nlb::explain
