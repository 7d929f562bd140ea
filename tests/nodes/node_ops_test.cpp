// The timeline's operations on the built site: crash and recover, freeze and resume (a VM
// snapshot), heartbeat-path loss (split brain), and the firewall's filter; and the prior art's
// Figure 2 site carrying traffic and failing over the same way.
#include <doctest/doctest.h>

#include <algorithm>

#include "models/nodes/site.hpp"
#include "tests/nodes/trace_log.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;
using wire::HaState;

SiteConfig with_traffic(Time start = Time::s(5)) {
  SiteConfig cfg;
  apps::HttpClientConfig h;
  h.arrivals = apps::Arrivals::poisson(10);
  h.start = start;
  cfg.traffic = h;
  return cfg;
}

// The MAC the master firewall's ARP table gives the address the balancers are reached by.
wire::Mac firewall_entry(const Site& site, wire::Ipv4 front) {
  const Firewall* fw = site.master_firewall();
  if (!fw) return wire::Mac::zero();
  auto e = fw->arp(1).lookup(front);
  return e ? e->mac : wire::Mac::zero();
}

wire::Mac access_mac(const Balancer& b) { return b.mac(b.access_iface()); }

std::size_t actives(const Site& s) {
  return static_cast<std::size_t>(
      std::count_if(s.balancers.begin(), s.balancers.end(),
                    [](const Balancer* b) { return b->running() && b->ha_state() == HaState::Active; }));
}

TEST_CASE("a recovered primary boots with empty ARP tables, stands by, then takes back the active role") {
  sim::Simulation sim(1);
  Site site = build_figure3(sim, with_traffic());
  test::TraceLog log(sim);
  site.boot();
  sim.run_until(Time::s(20));
  Balancer& lb1 = *site.balancers[0];
  REQUIRE(lb1.arp(lb1.server_iface()).size() > 0);
  lb1.crash();
  sim.run_until(Time::s(30));
  REQUIRE(site.active_balancer() == site.balancers[1]);
  lb1.recover();
  // It starts resolving from scratch: every entry its first heartbeats and probes made is
  // still Incomplete.
  for (IfIndex i : {lb1.access_iface(), lb1.server_iface()})
    for (const auto& e : lb1.arp(i).entries()) CHECK(e.state == net::ArpState::Incomplete);
  CHECK(lb1.ha_state() == HaState::Initial);
  CHECK(lb1.table().size() == 0);
  sim.run_until(Time::s(40));
  // Auto recovery: once its table is synchronised (a bulk transfer), the primary asks back.
  std::vector<HaState> states;
  for (const auto& e : log.ha)
    if (e.node == lb1.id() && e.at >= Time::s(30)) states.push_back(e.to);
  CHECK(states == std::vector<HaState>{HaState::Initial, HaState::Standby, HaState::Active});
  CHECK(site.active_balancer() == &lb1);
  CHECK(actives(site) == 1);
  CHECK(firewall_entry(site, site.addr.nlbs) == access_mac(lb1));
  CHECK(site.clients[0]->http(0).counters().ok > 0);
}

TEST_CASE("a frozen VRRP master is replaced, and wakes up late believing it still is master") {
  sim::Simulation sim(2);
  Site site = build_figure3(sim);
  test::TraceLog log(sim);
  site.boot();
  sim.run_until(Time::s(20));
  Firewall& fw1 = *site.firewalls[0];
  Firewall& fw2 = *site.firewalls[1];
  fw1.freeze();
  sim.run_until(Time::s(25));
  CHECK(fw2.vrrp_group(1).state() == protocols::VrrpState::Master);
  // Frozen, fw1 still holds its state: its timers wait for the resume.
  CHECK(fw1.vrrp_group(1).state() == protocols::VrrpState::Master);
  fw1.resume();
  const Time resumed = sim.now();
  sim.run_until(Time::s(30));
  // Its overdue Adver_Timer fires at the resume; priority 200 beats 100: fw2 goes back to Backup.
  bool advert_at_resume = false;
  for (const auto& r : log.frames) {
    auto v = r.ipv4();
    advert_at_resume |= r.dir == test::FrameRecord::Dir::Sent && r.node == fw1.id() && r.at == resumed && v &&
                        v->protocol() == wire::IpProto::Vrrp;
  }
  CHECK(advert_at_resume);
  CHECK(fw1.vrrp_group(1).state() == protocols::VrrpState::Master);
  CHECK(fw2.vrrp_group(1).state() == protocols::VrrpState::Backup);
}

TEST_CASE("a frozen active balancer is replaced; after the resume exactly one balancer is active") {
  sim::Simulation sim(3);
  Site site = build_figure3(sim, with_traffic());
  site.boot();
  sim.run_until(Time::s(20));
  site.balancers[0]->freeze();
  sim.run_until(Time::s(26));
  CHECK(site.balancers[1]->ha_state() == HaState::Active);
  site.balancers[0]->resume();
  sim.run_until(Time::s(40));
  REQUIRE(actives(site) == 1);
  CHECK(firewall_entry(site, site.addr.nlbs) == access_mac(*site.active_balancer()));
}

TEST_CASE(
    "heartbeat loss on every path makes both balancers active; when it heals one yields and re-announces") {
  sim::Simulation sim(4);
  Site site = build_figure3(sim, with_traffic());
  test::TraceLog log(sim);
  site.boot();
  sim.run_until(Time::s(20));
  for (Balancer* b : site.balancers)
    for (std::size_t k = 0; k < 2; ++k) b->set_heartbeat_path(k, false);
  sim.run_until(Time::s(30));
  CHECK(actives(site) == 2);  // split brain
  // The firewalls follow whoever announced last: the backup's takeover.
  CHECK(firewall_entry(site, site.addr.nlbs) == access_mac(*site.balancers[1]));
  for (Balancer* b : site.balancers)
    for (std::size_t k = 0; k < 2; ++k) b->set_heartbeat_path(k, true);
  sim.run_until(Time::s(35));
  REQUIRE(actives(site) == 1);
  CHECK(firewall_entry(site, site.addr.nlbs) == access_mac(*site.active_balancer()));
}

TEST_CASE("the firewall's filter drops what is not the cluster's service and counts it") {
  sim::Simulation sim(5);
  SiteConfig cfg = with_traffic();
  cfg.traffic->max_requests = 3;
  Site site = build_figure3(sim, cfg);
  apps::HttpClientConfig ssh;
  ssh.server = {site.addr.cluster, 22};
  ssh.arrivals = apps::Arrivals::fixed(Time::s(1));
  ssh.start = Time::s(5);
  ssh.max_requests = 2;
  ssh.request_timeout = Time::s(5);
  site.clients[1]->add_http(ssh);
  test::TraceLog log(sim);
  site.boot();
  sim.run_until(Time::s(20));
  CHECK(site.clients[0]->http(0).counters().ok == 3);
  CHECK(site.clients[1]->http(1).counters().ok == 0);
  CHECK(site.firewalls[0]->counters().filtered >= 2);
  CHECK(log.count([&](const test::FrameRecord& r) {
    return r.dir == test::FrameRecord::Dir::Dropped && r.node == site.firewalls[0]->id() &&
           r.reason == "filtered";
  }) == site.firewalls[0]->counters().filtered);
  // Pings to the cluster address are allowed; the active balancer answers them itself.
  bool answered = false;
  site.clients[0]->transport().set_echo_listener(
      7, [&](wire::Ipv4 from, std::uint16_t, std::uint16_t) { answered = from == site.addr.cluster; });
  site.clients[0]->transport().send_echo_request(site.addr.cluster, 7, 1, 56);
  sim.run_until(Time::s(21));
  CHECK(answered);
}

TEST_CASE(
    "the prior art's Figure 2 site serves through the cluster address on the active balancer's interface") {
  sim::Simulation sim(6);
  Site site = build_figure2(sim, with_traffic());
  site.boot();
  sim.run_until(Time::s(20));
  Balancer& lb1 = *site.balancers[0];
  REQUIRE(site.active_balancer() == &lb1);
  CHECK(lb1.interfaces().has_address(lb1.access_iface(), site.addr.cluster));
  CHECK_FALSE(
      site.balancers[1]->interfaces().has_address(site.balancers[1]->access_iface(), site.addr.cluster));
  // The firewalls reach it directly across the public Internet Access Subnet.
  CHECK(firewall_entry(site, site.addr.cluster) == access_mac(lb1));
  const auto ok_before = site.clients[0]->http(0).counters().ok;
  CHECK(ok_before > 0);
  lb1.crash();
  sim.run_until(Time::s(30));
  CHECK(site.active_balancer() == site.balancers[1]);
  CHECK(firewall_entry(site, site.addr.cluster) == access_mac(*site.balancers[1]));
  CHECK(site.clients[0]->http(0).counters().ok > ok_before);
}

}  // namespace
}  // namespace nlb::nodes
