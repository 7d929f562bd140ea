#include "models/protocols/vrrp.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/protocols/vrrp_lan.hpp"

using namespace nlb::protocols;
using nlb::protocols::test::vrrp_config;
using nlb::protocols::test::VrrpLan;
using nlb::sim::Time;
using nlb::wire::Ipv4;
using nlb::wire::Mac;

namespace {
const Ipv4 kMasterIp(10, 1, 0, 200);

VrrpAdvert advert(std::uint8_t prio, std::uint16_t cs = 100, Ipv4 from = kMasterIp) {
  return {from, prio, cs};
}

// A lone backup that heard one advert at `at`.
VrrpInstance backup_that_heard(std::uint8_t prio, std::uint16_t cs, Time at) {
  VrrpInstance r(vrrp_config(prio, 1));
  r.startup(Time::zero());
  r.on_advert(at, advert(255, cs));
  return r;
}
}  // namespace

TEST_CASE("skew time and master down interval follow RFC 5798 6.1 exactly") {
  const auto v3 = VrrpVersion::V3;
  const auto rfc = VrrpFlavor::Rfc;
  CHECK(vrrp_skew_time(v3, rfc, 100, Time::s(1)) == Time::ns(609'375'000));
  CHECK(vrrp_master_down_interval(v3, rfc, 100, Time::s(1)) == Time::ns(3'609'375'000));
  CHECK(vrrp_master_down_interval(v3, rfc, 254, Time::s(1)) == Time::ns(3'007'812'500));
  CHECK(vrrp_master_down_interval(v3, rfc, 1, Time::s(1)) == Time::ns(3'996'093'750));
  CHECK(vrrp_master_down_interval(v3, rfc, 200, Time::ms(500)) == Time::ns(1'609'375'000));
  // Skew scales with the interval in v3: 106 * 30 ms / 256 = 12.421875 ms.
  CHECK(vrrp_master_down_interval(v3, rfc, 150, Time::ms(30)) == Time::ns(102'421'875));
  // 155 * 10 ms / 256 = 6.0546875 ms: the half nanosecond is truncated.
  CHECK(vrrp_skew_time(v3, rfc, 101, Time::ms(10)) == Time::ns(6'054'687));
}

TEST_CASE("VRRPv2 skew is (256 - priority) / 256 s whatever the interval (RFC 3768 6.1)") {
  const auto v2 = VrrpVersion::V2;
  CHECK(vrrp_skew_time(v2, VrrpFlavor::Rfc, 100, Time::s(1)) == Time::ns(609'375'000));
  CHECK(vrrp_skew_time(v2, VrrpFlavor::Rfc, 100, Time::s(5)) == Time::ns(609'375'000));
  CHECK(vrrp_master_down_interval(v2, VrrpFlavor::Rfc, 100, Time::s(5)) == Time::ns(15'609'375'000));
}

TEST_CASE("keepalived's integer microsecond skew equals the RFC value at 1 s and truncates at 10 ms") {
  const auto v3 = VrrpVersion::V3;
  const auto ka = VrrpFlavor::Keepalived;
  CHECK(vrrp_skew_time(v3, ka, 100, Time::s(1)) == Time::us(609'375));
  CHECK(vrrp_skew_time(v3, ka, 101, Time::ms(10)) == Time::us(6'054));  // RFC: 6'054'687 ns
  CHECK(vrrp_skew_time(VrrpVersion::V2, ka, 100, Time::s(3)) == Time::us(609'375));
  CHECK(vrrp_master_down_interval(v3, ka, 100, Time::s(1), 5) == Time::ns(5'609'375'000));
}

TEST_CASE("advert interval converts to centiseconds in v3 and seconds in v2") {
  CHECK(vrrp_interval_to_wire(VrrpVersion::V3, Time::s(1)) == 100);
  CHECK(vrrp_interval_to_wire(VrrpVersion::V3, Time::ms(40950)) == 4095);
  CHECK(vrrp_interval_to_wire(VrrpVersion::V2, Time::s(3)) == 3);
  CHECK(vrrp_interval_from_wire(VrrpVersion::V3, 250) == Time::ms(2500));
  CHECK(vrrp_interval_from_wire(VrrpVersion::V3, 0xf064) == Time::s(1));  // rsvd bits ignored
  CHECK(vrrp_interval_from_wire(VrrpVersion::V2, 2) == Time::s(2));
}

TEST_CASE("backup with priority 100 takes over exactly 3.609375 s after the last advert") {
  VrrpInstance r = backup_that_heard(100, 100, Time::s(10));
  CHECK(r.state() == VrrpState::Backup);
  CHECK(r.next_deadline() == Time::ns(13'609'375'000));
  CHECK(r.poll(Time::ns(13'609'374'999)).empty());
  CHECK(r.state() == VrrpState::Backup);
  auto acts = r.poll(Time::ns(13'609'375'000));
  CHECK(r.state() == VrrpState::Master);
  auto* sc = acts.find<vrrp::StateChanged>();
  REQUIRE(sc);
  CHECK(sc->from == VrrpState::Backup);
  CHECK(std::string(sc->why) == "master down timer expired");
  // RFC 5798 6.4.2: send an ADVERTISEMENT and a gratuitous ARP for each address.
  auto* ad = acts.find<vrrp::SendAdvert>();
  REQUIRE(ad);
  CHECK(ad->priority == 100);
  CHECK(ad->max_adver_int == 100);
  CHECK(ad->source_mac == Mac::vrrp_virtual(7));
  auto* garp = acts.find<vrrp::SendGratuitousArps>();
  REQUIRE(garp);
  CHECK(garp->count == 1);
  CHECK(garp->mac == Mac::vrrp_virtual(7));
  // Claim before announcing: the node must answer ARP for what it announces.
  CHECK(acts.index_of<vrrp::ClaimAddresses>() < acts.index_of<vrrp::SendGratuitousArps>());
  CHECK(r.next_deadline() == Time::ns(14'609'375'000));  // Adver_Timer
}

TEST_CASE("takeover after the last advert matches Master_Down_Interval to the nanosecond") {
  struct Row {
    std::uint8_t prio;
    std::uint16_t cs;
    std::int64_t mdi_ns;
  };
  const Row rows[] = {{100, 100, 3'609'375'000},   {254, 100, 3'007'812'500}, {1, 100, 3'996'093'750},
                      {200, 50, 1'609'375'000},    {150, 3, 102'421'875},     {101, 1, 36'054'687},
                      {100, 4095, 147'803'906'250}};
  for (const auto& row : rows) {
    CAPTURE(int(row.prio));
    CAPTURE(row.cs);
    const Time interval = Time::ms(10) * row.cs;
    auto master_cfg = vrrp_config(255, 200);
    master_cfg.advert_interval = interval;
    VrrpLan lan;
    auto master = lan.add(master_cfg);
    auto backup = lan.add(vrrp_config(row.prio, 1));
    const Time offset = Time::ns(123);
    lan.run_until(offset);
    lan.startup(master);
    lan.startup(backup);
    const Time last = offset + interval * 3;
    lan.run_until(last);  // the master's last advert arrives at `last`...
    lan.cut_both_ways(master, backup);
    lan.run_until(last + Time::ns(row.mdi_ns) + Time::s(1));
    CHECK(lan.entered(backup, VrrpState::Master) - last == Time::ns(row.mdi_ns));
  }
}

TEST_CASE("the address owner becomes master at startup and accepts traffic for its addresses") {
  VrrpInstance r(vrrp_config(255, 1));
  auto acts = r.startup(Time::s(2));
  CHECK(r.state() == VrrpState::Master);
  REQUIRE(acts.find<vrrp::ClaimAddresses>());
  CHECK(acts.find<vrrp::ClaimAddresses>()->accept);
  CHECK(acts.count<vrrp::SendAdvert>() == 1);
  CHECK(acts.find<vrrp::SendAdvert>()->priority == 255);
  CHECK(r.next_deadline() == Time::s(3));
  CHECK(r.startup(Time::s(3)).empty());  // a second startup is not an event
}

TEST_CASE("a non-owner master accepts traffic for the addresses only in accept mode") {
  auto cfg = vrrp_config(100, 1);
  VrrpInstance plain(cfg);
  plain.startup(Time::zero());
  auto a = plain.poll(plain.next_deadline());
  REQUIRE(a.find<vrrp::ClaimAddresses>());
  CHECK_FALSE(a.find<vrrp::ClaimAddresses>()->accept);
  cfg.accept_mode = true;
  VrrpInstance accepting(cfg);
  accepting.startup(Time::zero());
  auto b = accepting.poll(accepting.next_deadline());
  CHECK(b.find<vrrp::ClaimAddresses>()->accept);
}

TEST_CASE("a lone backup becomes master one Master_Down_Interval after startup") {
  VrrpInstance r(vrrp_config(100, 1));
  auto acts = r.startup(Time::s(1));
  CHECK(r.state() == VrrpState::Backup);
  CHECK(acts.count<vrrp::SendAdvert>() == 0);
  CHECK(r.next_deadline() == Time::ns(4'609'375'000));
}

TEST_CASE("a master advertises every Advertisement_Interval") {
  VrrpLan lan;
  auto a = lan.add(vrrp_config(255, 1));
  lan.startup(a);
  lan.run_until(Time::ms(10'500));
  CHECK(lan.count<vrrp::SendAdvert>(a) == 11);  // t = 0, 1, ..., 10 s
}

TEST_CASE("a higher-priority router that starts later preempts after its own Master_Down_Interval") {
  VrrpLan lan;
  auto low = lan.add(vrrp_config(100, 1));
  auto high = lan.add(vrrp_config(200, 2));
  lan.startup(low);
  lan.run_until(Time::s(10));
  CHECK(lan.router(low).state() == VrrpState::Master);
  lan.startup(high);
  lan.run_until(Time::s(30));
  // The high router discards the lower adverts and takes over when its timer runs out:
  // 3 s + (56 / 256) s after its startup at 10 s.
  CHECK(lan.entered(high, VrrpState::Master) == Time::ns(13'218'750'000));
  // The low master steps down on the first advert of the new one, at the same instant.
  CHECK(lan.entered(low, VrrpState::Backup) == Time::ns(13'218'750'000));
  CHECK(lan.router(low).state() == VrrpState::Backup);
  CHECK(lan.router(low).master_address() == Ipv4(10, 1, 0, 2));
}

TEST_CASE("with preemption off a higher-priority backup leaves a working master alone") {
  VrrpLan lan;
  auto low = lan.add(vrrp_config(100, 1));
  auto cfg = vrrp_config(200, 2);
  cfg.preempt = false;
  auto high = lan.add(cfg);
  lan.startup(low);
  lan.run_until(Time::s(10));
  lan.startup(high);
  lan.run_until(Time::s(60));
  CHECK(lan.router(low).state() == VrrpState::Master);
  CHECK(lan.router(high).state() == VrrpState::Backup);
}

TEST_CASE("a priority-0 advert on graceful shutdown lets the backup take over after Skew_Time only") {
  VrrpLan lan;
  auto master = lan.add(vrrp_config(200, 2));
  auto backup = lan.add(vrrp_config(100, 1));
  lan.startup(master);
  lan.startup(backup);
  lan.run_until(Time::ms(20'300));
  REQUIRE(lan.router(master).state() == VrrpState::Master);
  lan.shutdown(master);
  CHECK(lan.router(master).state() == VrrpState::Initialize);
  CHECK(lan.router(master).counters().priority_zero_sent == 1);
  lan.run_until(Time::s(30));
  CHECK(lan.entered(backup, VrrpState::Master) - Time::ms(20'300) == Time::ns(609'375'000));
}

TEST_CASE("a stopping master releases its addresses and falls silent") {
  VrrpInstance r(vrrp_config(255, 1));
  r.startup(Time::zero());
  auto acts = r.shutdown(Time::s(1));
  REQUIRE(acts.find<vrrp::SendAdvert>());
  CHECK(acts.find<vrrp::SendAdvert>()->priority == 0);
  CHECK(acts.count<vrrp::ReleaseAddresses>() == 1);
  CHECK(acts.find<vrrp::StateChanged>()->to == VrrpState::Initialize);
  CHECK(r.next_deadline() == Time::max());
  CHECK(r.on_advert(Time::s(2), advert(100)).empty());
}

TEST_CASE("a master that hears priority 0 sends an advert at once") {
  VrrpInstance r(vrrp_config(255, 1));
  r.startup(Time::zero());
  auto acts = r.on_advert(Time::ms(300), advert(0));
  CHECK(acts.count<vrrp::SendAdvert>() == 1);
  CHECK(r.state() == VrrpState::Master);
  CHECK(r.next_deadline() == Time::ms(1300));
}

TEST_CASE("a master that hears a higher priority becomes backup and learns its interval") {
  VrrpInstance r(vrrp_config(100, 1));
  r.startup(Time::zero());
  r.poll(r.next_deadline());
  REQUIRE(r.state() == VrrpState::Master);
  auto acts = r.on_advert(Time::s(5), advert(150, 200));
  CHECK(r.state() == VrrpState::Backup);
  CHECK(acts.count<vrrp::ReleaseAddresses>() == 1);
  CHECK(std::string(acts.find<vrrp::StateChanged>()->why) == "higher priority advert");
  CHECK(r.master_adver_interval() == Time::s(2));
  // 3 * 2 s + 156 * 2 s / 256.
  CHECK(r.next_deadline() == Time::s(5) + Time::ns(7'218'750'000));
}

TEST_CASE("an RFC 5798 master discards a lower-priority advert") {
  VrrpInstance r(vrrp_config(255, 1));
  r.startup(Time::zero());
  auto acts = r.on_advert(Time::ms(500), advert(100));
  CHECK(acts.empty());
  CHECK(r.state() == VrrpState::Master);
  CHECK(r.counters().adverts_discarded == 1);
}

TEST_CASE("equal priorities elect the router with the greater primary address") {
  VrrpLan lan;
  auto small = lan.add(vrrp_config(100, 1));
  auto big = lan.add(vrrp_config(100, 2));
  lan.startup(small);
  lan.startup(big);
  lan.run_until(Time::s(20));
  // Both time out together and become master; each then hears the other, and only the
  // smaller address yields (RFC 5798 6.4.3).
  CHECK(lan.router(big).state() == VrrpState::Master);
  CHECK(lan.router(small).state() == VrrpState::Backup);
  CHECK(lan.entered(small, VrrpState::Backup) == Time::ns(3'609'375'000));
}

TEST_CASE("split brain when adverts are lost both ways, resolved by the next advert") {
  VrrpLan lan;
  lan.set_delay(Time::us(50));
  auto a = lan.add(vrrp_config(200, 1));
  auto b = lan.add(vrrp_config(100, 2));
  lan.startup(a);
  lan.startup(b);
  lan.run_until(Time::s(10));
  REQUIRE(lan.router(a).state() == VrrpState::Master);
  lan.cut_both_ways(a, b);
  lan.run_until(Time::s(20));
  CHECK(lan.router(a).state() == VrrpState::Master);
  CHECK(lan.router(b).state() == VrrpState::Master);  // both forward: split brain
  const Time b_master = lan.entered(b, VrrpState::Master);
  CHECK(b_master > Time::s(10));
  CHECK(b_master <= Time::s(10) + Time::ns(3'609'375'000));
  lan.heal_both_ways(a, b);
  lan.run_until(Time::s(30));
  CHECK(lan.router(a).state() == VrrpState::Master);
  CHECK(lan.router(b).state() == VrrpState::Backup);
  // b yields on a's first advert after the heal: a advertises at 3.21875 s + k s.
  CHECK(lan.entered(b, VrrpState::Backup) == Time::ns(20'218'750'000) + Time::us(50));
}

TEST_CASE("a v3 backup adopts the master's advertised interval") {
  VrrpInstance r = backup_that_heard(100, 25, Time::s(1));
  CHECK(r.master_adver_interval() == Time::ms(250));
  CHECK(r.next_deadline() == Time::s(1) + Time::ms(750) + Time::ns(152'343'750));
}

TEST_CASE("a v2 router drops adverts whose interval differs from its own (RFC 3768 7.1)") {
  auto cfg = vrrp_config(100, 1);
  cfg.version = VrrpVersion::V2;
  VrrpInstance r(cfg);
  r.startup(Time::zero());
  const Time before = r.next_deadline();
  r.on_advert(Time::s(1), advert(200, 2));
  CHECK(r.next_deadline() == before);
  CHECK(r.counters().adverts_discarded == 1);
  r.on_advert(Time::s(1), advert(200, 1));
  CHECK(r.next_deadline() == Time::s(1) + Time::ns(3'609'375'000));
}

TEST_CASE("a router ignores its own advert looped back by the LAN") {
  VrrpInstance r(vrrp_config(100, 1));
  r.startup(Time::zero());
  const Time before = r.next_deadline();
  r.on_advert(Time::s(1), advert(200, 100, Ipv4(10, 1, 0, 1)));
  CHECK(r.next_deadline() == before);
}

TEST_CASE("keepalived flavor advertises and announces from the interface's real MAC") {
  VrrpInstance r(vrrp_config(255, 1, VrrpFlavor::Keepalived));
  auto acts = r.startup(Time::zero());
  CHECK(acts.find<vrrp::SendAdvert>()->source_mac == Mac::local(1));
  CHECK(acts.find<vrrp::SendGratuitousArps>()->mac == Mac::local(1));
  CHECK(acts.find<vrrp::ClaimAddresses>()->mac == Mac::local(1));
}

TEST_CASE("keepalived flavor sends 5 gratuitous ARPs at master entry and 5 more after 5 s") {
  VrrpLan lan;
  auto a = lan.add(vrrp_config(255, 1, VrrpFlavor::Keepalived));
  lan.startup(a);
  lan.run_until(Time::s(60));
  std::vector<std::pair<Time, unsigned>> bursts;
  for (const auto& e : lan.log())
    if (auto* g = std::get_if<vrrp::SendGratuitousArps>(&e.action)) bursts.emplace_back(e.at, g->count);
  REQUIRE(bursts.size() == 2);
  CHECK(bursts[0] == std::pair<Time, unsigned>{Time::zero(), 5});
  CHECK(bursts[1] == std::pair<Time, unsigned>{Time::s(5), 5});
  CHECK(lan.router(a).counters().garps_sent == 10);
}

TEST_CASE(
    "keepalived garp_master_refresh repeats gratuitous ARPs while master; delay 0 sends no second burst") {
  auto cfg = vrrp_config(255, 1, VrrpFlavor::Keepalived);
  cfg.keepalived.garp_master_delay = Time::zero();
  cfg.keepalived.garp_master_refresh = Time::s(100);
  cfg.keepalived.garp_master_refresh_repeat = 2;
  VrrpLan lan;
  auto a = lan.add(cfg);
  lan.startup(a);
  lan.run_until(Time::s(350));
  std::vector<Time> at;
  for (const auto& e : lan.log())
    if (std::holds_alternative<vrrp::SendGratuitousArps>(e.action)) at.push_back(e.at);
  CHECK(at == std::vector<Time>{Time::zero(), Time::s(100), Time::s(200), Time::s(300)});
}

TEST_CASE("keepalived down_timer_adverts sets how many adverts a backup may miss") {
  auto cfg = vrrp_config(100, 1, VrrpFlavor::Keepalived);
  cfg.keepalived.down_timer_adverts = 5;
  VrrpInstance r(cfg);
  r.startup(Time::zero());
  r.on_advert(Time::s(2), advert(200));
  CHECK(r.next_deadline() == Time::s(2) + Time::ns(5'609'375'000));
}

TEST_CASE("keepalived master answers a lower-priority master at once, unless lower_prio_no_advert") {
  VrrpInstance r(vrrp_config(255, 1, VrrpFlavor::Keepalived));
  r.startup(Time::zero());
  CHECK(r.on_advert(Time::ms(400), advert(100)).count<vrrp::SendAdvert>() == 1);
  auto cfg = vrrp_config(255, 1, VrrpFlavor::Keepalived);
  cfg.keepalived.lower_prio_no_advert = true;
  VrrpInstance quiet(cfg);
  quiet.startup(Time::zero());
  CHECK(quiet.on_advert(Time::ms(400), advert(100)).count<vrrp::SendAdvert>() == 0);
}

TEST_CASE("a keepalived master that hears a lower priority refreshes ARP caches now and after 5 s") {
  VrrpInstance r(vrrp_config(255, 1, VrrpFlavor::Keepalived));
  r.startup(Time::zero());
  auto run_to = [&r](Time t) {
    while (r.next_deadline() < t) r.poll(r.next_deadline());
  };
  run_to(Time::s(20));
  auto acts = r.on_advert(Time::s(20), advert(100));
  // vrrp_state_master_rx: the advert first (RFC 9568), then garp_lower_prio_repeat (5) GARPs.
  CHECK(acts.index_of<vrrp::SendAdvert>() < acts.index_of<vrrp::SendGratuitousArps>());
  CHECK(acts.find<vrrp::SendGratuitousArps>()->count == 5);
  run_to(Time::s(25));
  CHECK(r.next_deadline() == Time::s(25));
  auto later = r.poll(Time::s(25));
  REQUIRE(later.find<vrrp::SendGratuitousArps>());
  CHECK(std::string(later.find<vrrp::SendGratuitousArps>()->why) == "garp_lower_prio_delay");
  CHECK(r.counters().garps_sent == 10 + 10);  // master entry (5 + 5) and lower priority (5 + 5)
  // repeat 0 turns it off: the RFC 5798 flavor never does it.
  auto cfg = vrrp_config(255, 1, VrrpFlavor::Keepalived);
  cfg.keepalived.garp_lower_prio_repeat = 0;
  VrrpInstance off(cfg);
  off.startup(Time::zero());
  CHECK(off.on_advert(Time::s(20), advert(100)).count<vrrp::SendGratuitousArps>() == 0);
  VrrpInstance rfc(vrrp_config(255, 1));
  rfc.startup(Time::zero());
  CHECK(rfc.on_advert(Time::s(20), advert(100)).empty());
}

namespace {
// keepalived#542: the master is cut off from the backup's adverts (a VM snapshot stun) long
// enough for the backup to take over and announce; when the master's adverts come back the
// backup yields at once. Returns the routers that sent GARPs after the heal.
std::vector<std::size_t> garps_after_false_takeover(bool higher_prio_send_advert) {
  VrrpLan lan;
  lan.set_delay(Time::us(50));
  auto high_cfg = vrrp_config(200, 1, VrrpFlavor::Keepalived);
  auto low_cfg = vrrp_config(100, 2, VrrpFlavor::Keepalived);
  low_cfg.keepalived.higher_prio_send_advert = higher_prio_send_advert;
  auto high = lan.add(high_cfg);
  auto low = lan.add(low_cfg);
  lan.startup(high);
  lan.startup(low);
  lan.run_until(Time::s(10));
  lan.cut_both_ways(high, low);
  lan.run_until(Time::s(15));
  REQUIRE(lan.router(low).state() == VrrpState::Master);
  lan.heal_both_ways(high, low);
  lan.run_until(Time::s(40));
  CHECK(lan.router(high).state() == VrrpState::Master);
  CHECK(lan.router(low).state() == VrrpState::Backup);
  std::vector<std::size_t> who;
  for (const auto& e : lan.log())
    if (e.at > Time::s(15) && std::holds_alternative<vrrp::SendGratuitousArps>(e.action) &&
        std::string(std::get<vrrp::SendGratuitousArps>(e.action).why) != "garp_master_delay")
      who.push_back(e.router);
  return who;
}
}  // namespace

TEST_CASE("after a false takeover only higher_prio_send_advert makes the real master announce again") {
  // The backup yields on the master's first advert without a word: the master never hears a
  // lower priority, so the ARP caches keep the backup's MAC (keepalived#542, #1927).
  CHECK(garps_after_false_takeover(false).empty());
  // With it the backup's last advert reaches the master, which refreshes at once and 5 s later.
  CHECK(garps_after_false_takeover(true) == std::vector<std::size_t>{0, 0});
}

TEST_CASE("keepalived 'state MASTER' waits one interval plus the smallest skew at startup") {
  auto cfg = vrrp_config(100, 1, VrrpFlavor::Keepalived);
  cfg.keepalived.start_as_master = true;
  VrrpInstance r(cfg);
  r.startup(Time::zero());
  CHECK(r.next_deadline() == Time::s(1) + Time::us(3'906));
}

TEST_CASE("preempt_delay holds a higher-priority backup behind a lower master until it expires") {
  VrrpLan lan;
  auto low = lan.add(vrrp_config(100, 1));
  auto cfg = vrrp_config(200, 2);
  cfg.preempt_delay = Time::s(10);
  auto high = lan.add(cfg);
  lan.startup(low);
  lan.run_until(Time::ms(10'500));
  lan.startup(high);
  lan.run_until(Time::s(60));
  // low advertises at 3.609375 s + k s. Its adverts are accepted while the delay (10.5 s +
  // 10 s) runs; the one at 20.609375 s is not, so high takes over one Master_Down_Interval
  // after the 19.609375 s advert.
  CHECK(lan.entered(high, VrrpState::Master) == Time::ns(19'609'375'000) + Time::ns(3'218'750'000));
}

TEST_CASE("configuration errors name the field") {
  auto c = vrrp_config(100, 1);
  CHECK(c.check().empty());
  c.priority = 0;
  CHECK(c.check().rfind("priority:", 0) == 0);
  c = vrrp_config(100, 1);
  c.advert_interval = Time::ms(15);
  CHECK(c.check().rfind("advert_interval:", 0) == 0);
  c.version = VrrpVersion::V2;
  c.advert_interval = Time::ms(1500);
  CHECK(c.check().rfind("advert_interval:", 0) == 0);
  c = vrrp_config(100, 1);
  c.virtual_addresses.clear();
  CHECK(c.check().rfind("virtual_addresses:", 0) == 0);
  c = vrrp_config(100, 1, VrrpFlavor::Keepalived);
  c.keepalived.down_timer_adverts = 0;
  CHECK(c.check().rfind("keepalived.down_timer_adverts:", 0) == 0);
  c = vrrp_config(100, 1);
  c.vrid = 0;
  CHECK(c.check().rfind("vrid:", 0) == 0);
}
