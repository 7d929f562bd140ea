// The VRRP daemon as a process (keepalived#1653): a burst of gratuitous ARPs keeps it from
// advertising, and vrrp_garp_interval spreads the burst so the adverts go out on time.
#include <doctest/doctest.h>

#include <vector>

#include "models/net/network.hpp"
#include "models/nodes/firewall.hpp"
#include "tests/nodes/trace_log.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;
using test::FrameRecord;
using test::ip;

// Two keepalived routers on one LAN; fw1 (priority 200) alone first, with `vips` addresses.
struct Pair {
  Pair(Time garp_send_time, Time garp_interval, std::size_t vips = 100) : sim(4), net(sim), log(sim) {
    link::Lan& lan = net.add_lan("lan");
    for (int k = 0; k < 2; ++k) {
      FirewallConfig fc;
      fc.vrrp_daemon.garp_send_time = garp_send_time;
      Firewall& f = net.add_node<Firewall>("fw" + std::to_string(k + 1), fc);
      const IfIndex i = net.connect(f, "eth0", lan);
      f.add_address(i, wire::Ipv4(10, 0, 0, static_cast<std::uint8_t>(2 + k)), 24);
      protocols::VrrpConfig v;
      v.vrid = 9;
      v.priority = k == 0 ? 200 : 100;
      v.flavor = protocols::VrrpFlavor::Keepalived;
      v.keepalived.garp_interval = garp_interval;
      v.keepalived.garp_master_delay = Time::zero();  // one burst: the one that matters here
      for (std::size_t a = 0; a < vips; ++a)
        v.virtual_addresses.push_back(
            wire::Ipv4(static_cast<std::uint32_t>(wire::Ipv4(10, 0, 1, 0).value() + a)));
      f.add_vrrp_group(i, v);
      fw.push_back(&f);
    }
  }
  // Times fw1 sent a VRRP advert / a gratuitous ARP.
  std::vector<Time> sent(bool adverts) const {
    std::vector<Time> out;
    for (const FrameRecord& r : log.frames) {
      if (r.dir != FrameRecord::Dir::Sent || r.node != fw[0]->id()) continue;
      const bool advert = r.ipv4() && r.ipv4()->protocol() == wire::IpProto::Vrrp;
      const bool garp = r.arp() && r.arp()->spa == r.arp()->tpa;
      if (adverts ? advert : garp) out.push_back(r.at);
    }
    return out;
  }
  sim::Simulation sim;
  net::Network net;
  test::TraceLog log;
  std::vector<Firewall*> fw;
};

TEST_CASE("a GARP burst occupies the VRRP daemon: the next advert waits for it to finish") {
  // 100 addresses x 5 GARPs x 8 ms = 4 s during which fw1 does nothing else.
  Pair p(Time::ms(8), Time::zero());
  p.fw[0]->boot();
  p.sim.run_until(Time::s(10));
  // Alone, fw1 becomes master one Master_Down_Interval after it starts (keepalived skew of
  // priority 200 at 1 s: 3 s + 218.75 ms), sends its advert, then the 500 GARPs back to back,
  // one every 8 ms (what each costs it), the last 499 x 8 ms after the first.
  const Time master = Time::ms(3218) + Time::us(750);
  const std::vector<Time> garps = p.sent(false);
  REQUIRE(garps.size() == 500);
  CHECK(garps.front() == master);
  CHECK(garps[1] == master + Time::ms(8));
  CHECK(garps.back() == master + Time::ms(8 * 499));
  const std::vector<Time> adverts = p.sent(true);
  REQUIRE(adverts.size() >= 3);
  CHECK(adverts[0] == master);
  // Its Adver_Timer was due 1 s later; the daemon is free only 4 s later.
  CHECK(adverts[1] == master + Time::s(4));
  CHECK(adverts[2] == master + Time::s(5));
  CHECK(p.fw[0]->vrrp_daemon().busy_until() == master + Time::s(4));
}

TEST_CASE("a backup that misses adverts during the burst takes over falsely, and fw1 answers only after it") {
  Pair p(Time::ms(8), Time::zero());
  p.fw[0]->boot();
  p.sim.run_until(Time::s(3));
  p.fw[1]->boot();  // hears fw1's first advert at 3.22 s, then nothing for 4 s
  p.sim.run_until(Time::s(20));
  Time fw2_master = Time::max(), fw2_backup = Time::max();
  for (const auto& e : p.log.vrrp) {
    if (e.node != p.fw[1]->id()) continue;
    if (e.to == protocols::VrrpState::Master && fw2_master == Time::max()) fw2_master = e.at;
    if (e.to == protocols::VrrpState::Backup && fw2_master != Time::max() && fw2_backup == Time::max())
      fw2_backup = e.at;
  }
  const Time master = Time::ms(3218) + Time::us(750);
  // fw2 (priority 100): Master_Down_Interval 3 s + 609.375 ms after the advert it heard.
  REQUIRE(fw2_master != Time::max());
  CHECK(fw2_master - master > Time::ms(3609));
  CHECK(fw2_master - master < Time::ms(3610));
  // fw2's advert waits in fw1's socket until the burst is over; fw1 answers then, and fw2
  // (itself busy with its own 500 GARPs until 4 s after it became master) yields after that.
  CHECK(fw2_backup >= fw2_master + Time::s(4));
  CHECK(p.fw[0]->vrrp_group(0).state() == protocols::VrrpState::Master);
}

TEST_CASE("with garp_interval the GARPs are queued and paced, and the adverts keep their time") {
  Pair p(Time::ms(8), Time::ms(10));
  p.fw[0]->boot();
  p.fw[1]->boot();
  p.sim.run_until(Time::s(12));
  const std::vector<Time> garps = p.sent(false);
  REQUIRE(garps.size() == 500);
  // One every 10 ms from the takeover: the last one 4.99 s after the first.
  CHECK(garps[1] - garps[0] == Time::ms(10));
  CHECK(garps.back() - garps.front() == Time::ms(4990));
  // No advert is late by more than one GARP's 8 ms.
  const std::vector<Time> adverts = p.sent(true);
  REQUIRE(adverts.size() >= 8);
  for (std::size_t k = 1; k < adverts.size(); ++k) CHECK(adverts[k] - adverts[k - 1] <= Time::ms(1008));
  // ... so fw2 never takes over.
  for (const auto& e : p.log.vrrp)
    CHECK_FALSE((e.node == p.fw[1]->id() && e.to == protocols::VrrpState::Master));
}

TEST_CASE("an instantaneous daemon (the default) sends the burst and the adverts on time") {
  Pair p(Time::zero(), Time::zero());
  p.fw[0]->boot();
  p.sim.run_until(Time::s(6));
  const std::vector<Time> adverts = p.sent(true);
  REQUIRE(adverts.size() >= 2);
  CHECK(adverts[1] - adverts[0] == Time::s(1));
  CHECK(p.fw[0]->vrrp_daemon().busy_until() == Time::zero());
}

}  // namespace
}  // namespace nlb::nodes
