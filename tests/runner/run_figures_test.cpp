// The shipped Figure 2 and Figure 3 scenarios run end to end through the builder: the public
// address audit, the Figure 4 flow of the first request, the measured failover, the balance.
#include "tests/runner/run_support.hpp"

namespace nlb::run {
namespace {

using sim::Time;
using test::load_shipped;

// Until 30 s: the crash at 20 s and its failover, not the recovery at 40 s.
RunResult run_until(const std::string& name, Time until = Time::s(30)) {
  RunOptions o;
  o.until = until;
  RunResult r = run_scenario(load_shipped(name), o);
  INFO(test::diagnostics_text(r));
  REQUIRE(r.report.has_value());
  return r;
}

TEST_CASE("Figure 3 comes to one public address, the cluster address on every loopback") {
  RunResult r = run_until("figure3-single-public-ip");
  const Report& rep = *r.report;
  CHECK(rep.public_count == 1);
  for (const AddressEntry& a : rep.addresses) CHECK(a.address == "203.0.113.10");
  // Configured on the loopback of both balancers and the four servers.
  CHECK(std::count_if(rep.addresses.begin(), rep.addresses.end(), [](auto& a) { return a.where == "lo"; }) ==
        6);
}

TEST_CASE("Figure 2 (prior art) comes to six public addresses") {
  RunResult r = run_until("figure2-prior-art");
  CHECK(r.report->public_count == 6);
  CHECK(r.exit_code == kExitOk);
}

TEST_CASE("Figure 3's first request follows the seed's Figure 4 flow") {
  RunResult r = run_until("figure3-single-public-ip");
  const Figure4Flow& f = r.report->flow;
  REQUIRE(f.started);
  REQUIRE(f.done);
  CHECK(f.cluster == *wire::Ipv4::parse("203.0.113.10"));
  // The master firewall asks for the NLBS address; only the active balancer answers.
  CHECK(f.arp_request);
  CHECK(f.arp_by == "fw1");
  CHECK(f.front == *wire::Ipv4::parse("192.168.10.10"));
  CHECK(f.replied_by == "lb1");
  CHECK(f.other_replies == 0);
  // The balancer rewrites the destination MAC only.
  CHECK(f.balancer == "lb1");
  CHECK(f.rewritten);
  CHECK(f.only_mac);
  CHECK(f.in_dst == f.replied_mac);
  CHECK(f.out_dst != f.in_dst);
  CHECK(f.ttl_in == f.ttl_out);
  // The chosen server replies through the servers' VRRP address to the master firewall.
  CHECK(f.replied);
  CHECK(f.reply_gateway == *wire::Ipv4::parse("10.0.2.1"));
  CHECK(f.reply_next_hop == "fw1");
  CHECK_FALSE(f.through_balancer);
  CHECK(f.outcome == "ok");
}

TEST_CASE("Figure 2's first request reaches the balancer by the cluster address itself") {
  RunResult r = run_until("figure2-prior-art");
  const Figure4Flow& f = r.report->flow;
  REQUIRE(f.arp_request);
  CHECK(f.front == f.cluster);
  CHECK(f.replied_by == "lb1");
  CHECK(f.outcome == "ok");
}

TEST_CASE(
    "a crash of the active balancer is measured: detection by heartbeat timeout, then traffic flows again") {
  RunResult r = run_until("figure3-single-public-ip");
  const Report& rep = *r.report;
  REQUIRE(rep.faults.size() == 2);
  const FaultReport& crash = rep.faults[0];
  CHECK(crash.action == "crash");
  CHECK(crash.target == "lb1");
  REQUIRE(crash.applied);
  REQUIRE(crash.detection);
  // ND: failover when no heartbeat came for 2 s; the last one left at most 0.5 s before.
  CHECK(*crash.detection > Time::s(1));
  CHECK(*crash.detection <= Time::s(2));
  REQUIRE(crash.first_datagram);
  CHECK(*crash.first_datagram >= *crash.detection);
  CHECK(*crash.first_datagram < *crash.detection + Time::ms(100));
  REQUIRE(crash.arp_update);
  CHECK(*crash.arp_update >= *crash.detection);
  REQUIRE(crash.first_response);
  CHECK(crash.datagrams_lost > 0);
  // With per-connection sync the connections open at the crash complete.
  CHECK(crash.connections_open > 0);
  CHECK(crash.survival() == doctest::Approx(1.0));
  // The recovery at 40 s is after --until: reported as not applied.
  CHECK_FALSE(rep.faults[1].applied);
}

TEST_CASE("the shipped figures hold every expectation they state") {
  for (const char* name : {"figure2-prior-art", "figure3-single-public-ip"}) {
    CAPTURE(name);
    RunResult r = run_scenario(load_shipped(name));
    INFO(test::diagnostics_text(r));
    REQUIRE(r.report);
    for (const ExpectationResult& e : r.report->expectations) {
      CAPTURE(e.name);
      CAPTURE(e.measured);
      CHECK(e.ok);
    }
    CHECK(r.exit_code == kExitOk);
    // Every server got a share of the load; the manager keeps it even.
    for (const ServerReport& s : r.report->servers) CHECK(s.share > 0.15);
    CHECK(r.report->imbalance < 1.2);
    CHECK(r.report->failed == 0);
    // The primary recovers at 40 s and, with automatic recovery, takes the NLBS address back.
    REQUIRE(r.report->faults.size() == 2);
    CHECK(r.report->faults[1].kind == FaultMeasure::Restore);
    REQUIRE(r.report->faults[1].back);
    CHECK(*r.report->faults[1].back < Time::s(5));
  }
}

}  // namespace
}  // namespace nlb::run
