// VRRP takeover on the built site matches RFC 5798's Master_Down_Interval to the nanosecond:
// from the moment the backup heard the old master's last advertisement to its own state change.
#include <doctest/doctest.h>

#include "models/nodes/site.hpp"
#include "tests/nodes/trace_log.hpp"

namespace nlb::nodes {
namespace {

using protocols::VrrpFlavor;
using protocols::VrrpVersion;
using sim::Time;
using test::FrameRecord;

struct Case {
  const char* name;
  VrrpVersion version;
  VrrpFlavor flavor;
  Time interval;
  std::uint8_t backup_priority;
};

bool vrrp_advert(const FrameRecord& r, std::uint8_t vrid) {
  auto v = r.ipv4();
  if (!v || v->protocol() != wire::IpProto::Vrrp) return false;
  auto p = v->payload();
  return p.size() > 1 && static_cast<std::uint8_t>(p[1]) == vrid;
}

void check_takeover(const Case& c) {
  const std::string name = c.name;
  CAPTURE(name);
  sim::Simulation sim(3);
  SiteConfig cfg;
  cfg.vrrp.version = c.version;
  cfg.vrrp.flavor = c.flavor;
  cfg.vrrp.advert_interval = c.interval;
  cfg.firewall_priority = {200, c.backup_priority};
  Site site = build_figure3(sim, cfg);
  test::TraceLog log(sim);
  site.boot();
  const Time crash_at = Time::s(10) + Time::ms(7) + Time::ns(123);
  sim.run_until(crash_at);
  Firewall& fw1 = *site.firewalls[0];
  Firewall& fw2 = *site.firewalls[1];
  REQUIRE(site.master_firewall() == &fw1);
  fw1.crash();
  sim.run_until(crash_at + Time::s(10));
  REQUIRE(site.master_firewall() == &fw2);

  // On the Internet Access Subnet (vrid 1): fw1's last advert as fw2 received it, fw2's takeover.
  const FrameRecord* last_heard = nullptr;
  const FrameRecord* last_sent = nullptr;
  for (const auto& r : log.frames) {
    if (!vrrp_advert(r, 1) || r.at > crash_at) continue;
    if (r.dir == FrameRecord::Dir::Received && r.node == fw2.id()) last_heard = &r;
    if (r.dir == FrameRecord::Dir::Sent && r.node == fw1.id()) last_sent = &r;
  }
  REQUIRE(last_heard != nullptr);
  REQUIRE(last_sent != nullptr);
  // RFC 5798 7.3 (Rfc flavor): adverts come from the virtual MAC; keepalived's from the NIC's.
  CHECK(last_sent->src() == (c.flavor == VrrpFlavor::Rfc ? wire::Mac::vrrp_virtual(1) : fw1.mac(1)));
  Time became_master = Time::max();
  for (const auto& e : log.vrrp)
    if (e.node == fw2.id() && e.vrid == 1 && e.to == protocols::VrrpState::Master && e.at > crash_at) {
      became_master = e.at;
      break;
    }
  REQUIRE(became_master != Time::max());
  const Time mdi =
      protocols::vrrp_master_down_interval(c.version, c.flavor, c.backup_priority, c.interval,
                                           fw2.vrrp_group(1).config().keepalived.down_timer_adverts);
  MESSAGE(name, ": Master_Down_Interval ", mdi.str(), ", advert sent -> takeover ",
          (became_master - last_sent->at).str());
  CHECK(became_master - last_heard->at == mdi);
  CHECK(became_master - last_sent->at > mdi);  // plus the advert's transit
}

TEST_CASE("VRRP takeover after a master crash is Master_Down_Interval after the last advert heard") {
  const Case cases[] = {
      {"v3 RFC, priority 100, 1 s", VrrpVersion::V3, VrrpFlavor::Rfc, Time::s(1), 100},
      {"v3 RFC, priority 150, 100 ms", VrrpVersion::V3, VrrpFlavor::Rfc, Time::ms(100), 150},
      {"v3 RFC, priority 155, 10 ms (skew truncated to the ns)", VrrpVersion::V3, VrrpFlavor::Rfc,
       Time::ms(10), 155},
      {"v2 RFC, priority 199, 1 s", VrrpVersion::V2, VrrpFlavor::Rfc, Time::s(1), 199},
      {"v3 keepalived, priority 100, 1 s", VrrpVersion::V3, VrrpFlavor::Keepalived, Time::s(1), 100},
      {"v2 keepalived, priority 50, 2 s", VrrpVersion::V2, VrrpFlavor::Keepalived, Time::s(2), 50},
  };
  for (const Case& c : cases) check_takeover(c);
}

TEST_CASE("a gracefully stopped master hands over after Skew_Time, not Master_Down_Interval") {
  sim::Simulation sim(3);
  Site site = build_figure3(sim);
  test::TraceLog log(sim);
  site.boot();
  sim.run_until(Time::s(10));
  Firewall& fw2 = *site.firewalls[1];
  site.firewalls[0]->graceful_stop();
  const Time stop_at = sim.now();
  sim.run_until(Time::s(12));
  REQUIRE(site.master_firewall() == &fw2);
  // The priority-0 advert reached fw2 at once (a LAN hop); RFC 5798 6.4.2: Skew_Time then.
  const FrameRecord* zero = nullptr;
  for (const auto& r : log.frames)
    if (r.dir == FrameRecord::Dir::Received && r.node == fw2.id() && vrrp_advert(r, 1) && r.at >= stop_at) {
      zero = &r;
      break;
    }
  REQUIRE(zero != nullptr);
  CHECK(static_cast<std::uint8_t>(zero->ipv4()->payload()[2]) == 0);
  Time master_at = Time::max();
  for (const auto& e : log.vrrp)
    if (e.node == fw2.id() && e.vrid == 1 && e.to == protocols::VrrpState::Master && e.at >= stop_at)
      master_at = e.at;
  CHECK(master_at - zero->at == fw2.vrrp_group(1).instance().skew_time());
}

}  // namespace
}  // namespace nlb::nodes
