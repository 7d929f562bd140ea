// Failover measured on the Figure 3 site (issue #4, "Failover measured, not assumed"): for each
// fault the detection time, the first datagram dispatched again, the first successful response,
// the firewalls' ARP update for the NLBS address, the datagrams lost, and the share of the
// clients' TCP connections open at the fault that completed.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "models/nodes/site.hpp"
#include "runner/measure/failover.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;

constexpr Time kFault = Time::s(20);

SiteConfig failover_site(SyncMode sync = SyncMode::PerConnection) {
  SiteConfig cfg;
  cfg.clients = 4;
  cfg.servers = 3;
  cfg.sync.mode = sync;
  cfg.probe.advisor.interval = Time::s(1);
  cfg.probe.advisor.timeout = Time::s(1);
  cfg.http.service = apps::ServiceTime::constant(Time::ms(20));
  apps::HttpClientConfig h;
  h.arrivals = apps::Arrivals::poisson(10);
  // From a settled site, three connection lifetimes (about a second each) before the fault, to
  // five seconds after it: past the slowest detection (a firewall's 3.6 s) and the first
  // response that follows. Longer traffic adds nothing to what is checked, only time (under
  // the sanitizers).
  h.start = Time::s(17);
  h.stop = Time::s(25);
  h.response_size = 300'000;  // several round trips: connections are open across the fault
  cfg.traffic = h;
  return cfg;
}

struct Run {
  sim::Simulation sim{2024};
  Site site;
  std::unique_ptr<measure::FailoverMeter> meter;

  explicit Run(const SiteConfig& cfg) {
    site = build_figure3(sim, cfg);
    meter = std::make_unique<measure::FailoverMeter>(
        sim, measure::targets_of(*site.network, {site.addr.cluster}, {site.addr.nlbs}), Time::s(15));
    site.boot();
    sim.run_until(kFault);
    REQUIRE(site.active_balancer() == site.balancers[0]);
    REQUIRE(site.master_firewall() == site.firewalls[0]);
  }
  measure::FailoverResult finish(link::NodeId node, const char* what) {
    sim.run_until(Time::s(55));
    auto r = meter->measure(kFault, node);
    auto opt = [](const std::optional<Time>& t) { return t ? t->str() : std::string("-"); };
    MESSAGE(std::string(what), ": detection ", opt(r.detection), ", first datagram ", opt(r.first_datagram),
            ", first response ", opt(r.first_response), ", ARP update ", opt(r.arp_update),
            ", datagrams lost ", r.datagrams_lost, ", connections ", r.connections_completed, "/",
            r.connections_open);
    return r;
  }
};

TEST_CASE(
    "active balancer crash: the standby takes over within the heartbeat timeout and connections survive") {
  Run run(failover_site());
  run.site.balancers[0]->crash();
  auto r = run.finish(run.site.balancers[0]->id(), "active balancer crash");
  REQUIRE(r.detection);
  // ND: no heartbeat for 2 s; the last one left at most 0.5 s before the crash.
  CHECK(*r.detection > Time::ms(1500));
  CHECK(*r.detection <= Time::s(2));
  // The takeover's gratuitous ARP moves the firewalls' entry at once (RFC 826 merge rule).
  REQUIRE(r.arp_update);
  CHECK(*r.arp_update - *r.detection < Time::ms(1));
  REQUIRE(r.first_datagram);
  CHECK(*r.first_datagram >= *r.detection);
  CHECK(*r.first_datagram < *r.detection + Time::s(1));
  REQUIRE(r.first_response);
  CHECK(r.datagrams_lost > 0);
  REQUIRE(r.connections_open > 0);
  CHECK(r.survival() == 1.0);
  CHECK(run.site.active_balancer() == run.site.balancers[1]);
}

TEST_CASE("balancer link down: the reach targets move the active role within two ping rounds") {
  Run run(failover_site());
  Balancer& lb1 = *run.site.balancers[0];
  lb1.set_link(lb1.access_iface(), false);
  auto r = run.finish(lb1.id(), "active balancer access link down");
  REQUIRE(r.detection);
  // lb1 still hears lb2 over the server subnet, so only reachability can tell: one ping
  // interval plus one timeout at most.
  CHECK(*r.detection <= Time::s(2) + Time::ms(10));
  REQUIRE(r.arp_update);
  REQUIRE(r.first_datagram);
  CHECK(r.survival() == 1.0);
  CHECK(lb1.ha_state() == wire::HaState::Standby);
}

TEST_CASE("balancer graceful stop: the inop heartbeat hands over at once") {
  Run run(failover_site());
  run.site.balancers[0]->graceful_stop();
  auto r = run.finish(run.site.balancers[0]->id(), "active balancer graceful stop");
  REQUIRE(r.detection);
  CHECK(*r.detection < Time::ms(1));
  REQUIRE(r.arp_update);
  CHECK(*r.arp_update < Time::ms(1));
  CHECK(r.survival() == 1.0);
  CHECK(run.site.balancers[0]->ha_state() == wire::HaState::Inop);
}

TEST_CASE("master firewall crash: the backup firewall takes over after Master_Down_Interval") {
  Run run(failover_site());
  run.site.firewalls[0]->crash();
  auto r = run.finish(run.site.firewalls[0]->id(), "master firewall crash");
  REQUIRE(r.detection);
  // RFC 5798: priority 100 at 1 s: 3.609375 s after the last advert heard (which left at most
  // one interval before the crash).
  CHECK(*r.detection > Time::ms(2609));
  CHECK(*r.detection <= Time::ns(3'609'375'000));
  // The new master has no entry for the NLBS address: it resolves it for the first datagram.
  REQUIRE(r.arp_update);
  CHECK(*r.arp_update >= *r.detection);
  REQUIRE(r.first_datagram);
  CHECK(r.survival() == 1.0);
  CHECK(run.site.master_firewall() == run.site.firewalls[1]);
}

TEST_CASE("server crash: the advisor marks it down and its connections are lost") {
  Run run(failover_site());
  Server& srv = *run.site.servers[1];
  srv.crash();
  auto r = run.finish(srv.id(), "server crash");
  REQUIRE(r.detection);
  // Advisor interval 1 s, timeout 1 s, no retry: at most two seconds.
  CHECK(*r.detection <= Time::s(2));
  CHECK_FALSE(run.site.balancers[0]->server_up(1));
  // Traffic to the other servers never stopped; the firewalls' ARP entry did not move.
  REQUIRE(r.first_datagram);
  CHECK(*r.first_datagram < Time::s(1));
  CHECK_FALSE(r.arp_update);
  // The server's own connections die with it (the others complete).
  CHECK(r.connections_completed < r.connections_open);
}

}  // namespace
}  // namespace nlb::nodes
