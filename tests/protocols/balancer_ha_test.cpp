#include "models/protocols/balancer_ha.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/protocols/ha_pair.hpp"

using namespace nlb::protocols;
using nlb::protocols::test::ha_config;
using nlb::protocols::test::HaPair;
using nlb::sim::Time;
using nlb::wire::Ipv4;

namespace {
constexpr std::size_t P = 0;  // primary, 10.1.0.11
constexpr std::size_t B = 1;  // backup, 10.1.0.12

HaPair pair(HaRecovery recovery = HaRecovery::Auto) {
  auto p = ha_config(HaRole::Primary, 11);
  auto b = ha_config(HaRole::Backup, 12);
  p.recovery = b.recovery = recovery;
  return HaPair(p, b);
}

// Both started at 0 and left to settle: P active, B standby and synchronised.
HaPair settled(HaRecovery recovery = HaRecovery::Auto) {
  HaPair h = pair(recovery);
  h.start(P);
  h.start(B);
  h.run_until(Time::s(10));
  return h;
}

// P settled as active, crashed at 10 s and rebooted at 20 s, run to 40 s; a bulk transfer
// takes 3 s.
HaPair rebooted_primary(const HaConfig& p) {
  HaPair h(p, ha_config(HaRole::Backup, 12));
  h.start(P);
  h.start(B);
  h.run_until(Time::s(10));
  h.set_bulk_duration(Time::s(3));
  h.crash(P);
  h.run_until(Time::s(20));
  h.reboot(P);
  h.run_until(Time::s(40));
  return h;
}

// Time of the last action A of node i before `before`.
template <typename A>
Time last_before(const HaPair& h, std::size_t i, Time before) {
  Time t = Time::max();
  for (const auto& [at, a] : h.all<A>(i))
    if (at < before) t = at;
  return t;
}
}  // namespace

TEST_CASE("primary and backup started together: the primary becomes active and announces the NLBS address") {
  HaPair h = pair();
  h.start(P);
  h.start(B);
  h.run_until(Time::s(1));
  CHECK(h.node(P).state() == HaState::Active);
  CHECK(h.node(B).state() == HaState::Standby);
  CHECK(h.entered(P, HaState::Active) == Time::us(100));  // at the backup's first heartbeat
  CHECK(h.entered(B, HaState::Standby) == Time::us(100));
  CHECK(h.has_alias(P));
  CHECK_FALSE(h.has_alias(B));
  CHECK(h.forwarding(P));
  CHECK_FALSE(h.forwarding(B));
  CHECK(h.arp_owner() == P);
  // The seed's order: alias first, then the gratuitous ARP with the NLBS address.
  std::vector<std::size_t> kinds;
  for (const auto& e : h.log())
    if (e.node == P && e.at == Time::us(100)) kinds.push_back(e.action.index());
  // peer heard, state, alias, forwarding, gratuitous ARP, heartbeat
  CHECK(kinds == std::vector<std::size_t>{7, 0, 1, 4, 3, 5});
  auto alias = h.all<ha::AddAlias>(P);
  REQUIRE(alias.size() == 1);
  CHECK(alias[0].second.address == Ipv4(10, 1, 0, 100));
  CHECK(alias[0].second.prefix_len == 24);
  auto garp = h.all<ha::SendGratuitousArp>(P);
  REQUIRE(garp.size() == 1);
  CHECK(garp[0].second.address == Ipv4(10, 1, 0, 100));
  CHECK(garp[0].second.count == 1);
}

TEST_CASE("standby balancer takes over 2 s after the last heartbeat and announces the NLBS address") {
  HaPair h = settled();
  const Time last_heard = h.node(B).peer().heard_at;
  CHECK(last_heard == Time::ms(9'500) + Time::us(200));  // P beats every 0.5 s from 100 us
  h.crash(P);
  h.run_until(Time::s(20));
  CHECK(h.entered(B, HaState::Active) == last_heard + Time::s(2));
  CHECK(h.node(B).state() == HaState::Active);
  CHECK(h.has_alias(B));
  CHECK(h.arp_owner() == B);
  CHECK(h.arp_owner_since() == last_heard + Time::s(2));
  auto peer = h.all<ha::PeerChanged>(B);
  REQUIRE_FALSE(peer.empty());
  CHECK_FALSE(peer.back().second.alive);
}

TEST_CASE("a balancer alone on the heartbeat path becomes active 2 s after it starts") {
  HaPair h = pair();
  h.start(B);
  h.run_until(Time::s(5));
  CHECK(h.entered(B, HaState::Active) == Time::s(2));
  auto changes = h.all<ha::StateChanged>(B);
  REQUIRE(changes.size() == 2);
  CHECK(std::string(changes[1].second.why) == "no peer heartbeat at startup");
}

TEST_CASE(
    "graceful stop releases the NLBS address at once and the standby takes over on the inop heartbeat") {
  HaPair h = settled();
  h.stop(P);
  CHECK(h.node(P).state() == HaState::Inop);
  CHECK_FALSE(h.has_alias(P));
  CHECK_FALSE(h.forwarding(P));
  h.run_until(Time::s(20));
  CHECK(h.entered(B, HaState::Active) == Time::s(10) + Time::us(100));
  CHECK(h.node(P).next_deadline() == Time::max());
  CHECK(h.node(P).stop(Time::s(20)).empty());  // already stopped
}

TEST_CASE("with manual recovery the returning primary stays standby until the operator says takeover") {
  HaPair h = settled(HaRecovery::Manual);
  h.crash(P);
  h.run_until(Time::s(20));
  REQUIRE(h.node(B).state() == HaState::Active);
  h.reboot(P);
  h.run_until(Time::s(60));
  CHECK(h.node(P).state() == HaState::Standby);
  CHECK(h.node(P).sync_status() == HaSyncStatus::Synchronized);  // bulk sync from B
  CHECK(h.node(B).state() == HaState::Active);
  h.takeover(P);
  h.run_until(Time::s(61));
  // Handshake: P asks, B yields (100 us later), P takes over on B's standby heartbeat.
  CHECK(h.entered(B, HaState::Standby) == Time::s(60) + Time::us(100));
  CHECK(h.entered(P, HaState::Active) == Time::s(60) + Time::us(200));
  CHECK(h.has_alias(P));
  CHECK_FALSE(h.has_alias(B));
  CHECK(h.arp_owner() == P);
}

TEST_CASE("with auto recovery the returning primary takes back only once its table is synchronised") {
  HaPair h = settled();
  h.set_bulk_duration(Time::s(3));
  h.crash(P);
  h.run_until(Time::s(20));
  h.reboot(P);
  h.run_until(Time::s(40));
  const Time standby = h.entered(P, HaState::Standby);
  CHECK(standby > Time::s(20));
  CHECK(standby <= Time::s(20) + Time::ms(501));  // at B's next heartbeat
  // B starts a bulk transfer when it sees P standing by unsynchronised (100 us); P is
  // synchronised 3 s after it starts arriving (200 us), asks (300 us), B yields (400 us).
  CHECK(h.all<ha::StartBulkSync>(B).size() == 1);
  CHECK(h.entered(P, HaState::Active) - standby == Time::s(3) + Time::us(400));
  CHECK(h.node(P).state() == HaState::Active);
  CHECK(h.node(B).state() == HaState::Standby);
}

TEST_CASE("without wait_for_sync the returning primary preempts before its table is synchronised") {
  auto p = ha_config(HaRole::Primary, 11);
  p.wait_for_sync = false;
  HaPair h = rebooted_primary(p);
  const Time standby = h.entered(P, HaState::Standby);
  // It asks in its very first standby heartbeat: active 200 us later, with an empty table.
  CHECK(h.entered(P, HaState::Active) - standby == Time::us(200));
  CHECK(h.all<ha::StartBulkSync>(B).empty());  // B yielded before it could send the table
}

TEST_CASE("a primary waiting for synchronisation gives up after sync_wait_limit") {
  HaPair h = settled();
  h.set_bulk_duration(Time::s(1000));  // the bulk transfer never ends
  h.crash(P);
  h.run_until(Time::s(20));
  h.reboot(P);
  h.run_until(Time::s(80));
  const Time standby = h.entered(P, HaState::Standby);
  CHECK(h.entered(P, HaState::Active) - standby == Time::s(30) + Time::us(200));
}

TEST_CASE("started together, one measuring its reach before the other's heartbeat says so: one active") {
  // The fault matrix's case (docs/reliability.md): the backup's first ping reply comes back
  // before the primary's first heartbeat, which says reach 0 of 0. Comparing 1 with that 0 the
  // backup elected itself, while the primary, comparing 0 with the backup's own first 0, had
  // elected itself too: both active, both hearing each other.
  HaPair h = pair();
  h.start(P);
  h.start(B);
  h.run_until(Time::us(50));
  h.reach(B, 1, 1);
  h.run_until(Time::s(5));
  CHECK(h.entered(P, HaState::Active) == Time::us(100));
  CHECK(h.entered(B, HaState::Active) == Time::max());
  CHECK(h.node(B).state() == HaState::Standby);
  CHECK(h.all<ha::SplitBrainResolved>(P).empty());
  CHECK(h.all<ha::SplitBrainResolved>(B).empty());
  SUBCASE("once both have measured, the one reaching more still wins") {
    h.reach(P, 0, 1);
    h.run_until(Time::s(6));
    CHECK(h.node(P).state() == HaState::Standby);
    CHECK(h.node(B).state() == HaState::Active);
  }
}

TEST_CASE(
    "a standby that reaches more targets takes over, and the primary takes back when it reaches as many") {
  HaPair h = settled();
  h.reach(P, 2, 3);
  h.reach(B, 2, 3);
  h.run_until(Time::s(15));
  CHECK(h.node(P).state() == HaState::Active);
  h.reach(B, 3, 3);  // B's heartbeat carries it at once
  h.run_until(Time::s(20));
  CHECK(h.entered(P, HaState::Standby) == Time::s(15) + Time::us(100));
  CHECK(h.entered(B, HaState::Active) == Time::s(15) + Time::us(200));
  CHECK_FALSE(h.node(P).takeover_requested());  // reaches fewer: not healthy enough to take back
  h.reach(P, 3, 3);
  h.run_until(Time::s(25));
  CHECK(h.entered(P, HaState::Active) == Time::s(20) + Time::us(200));
  CHECK(h.node(B).state() == HaState::Standby);
}

TEST_CASE("an active balancer whose reach drops below the standby's yields at once") {
  HaPair h = settled();
  h.reach(P, 2, 2);
  h.reach(B, 2, 2);
  h.run_until(Time::s(15));
  h.reach(P, 1, 2);
  CHECK(h.node(P).state() == HaState::Standby);
  CHECK_FALSE(h.has_alias(P));
  h.run_until(Time::s(16));
  CHECK(h.entered(B, HaState::Active) == Time::s(15) + Time::us(100));
}

TEST_CASE(
    "split brain when heartbeats are lost both ways: both active until they return, then the primary wins") {
  HaPair h = settled();
  h.cut();
  h.run_until(Time::s(20));
  CHECK(h.node(P).state() == HaState::Active);
  CHECK(h.node(B).state() == HaState::Active);
  CHECK(h.has_alias(P));
  CHECK(h.has_alias(B));
  CHECK(h.arp_owner() == B);  // B announced last: the firewalls now send to B
  CHECK_FALSE(h.node(P).peer().alive);
  h.heal();
  h.run_until(Time::s(30));
  CHECK(h.node(P).state() == HaState::Active);
  CHECK(h.node(B).state() == HaState::Standby);
  CHECK_FALSE(h.has_alias(B));
  // B beats at 11.5002 s + k/2 s, so P's heartbeat of 20.0001 s reaches B (20.0002 s) before
  // B's own goes out: B sees both active, loses to the primary and yields.
  auto lost = h.all<ha::SplitBrainResolved>(B);
  REQUIRE(lost.size() == 1);
  CHECK_FALSE(lost[0].second.won);
  CHECK(lost[0].first == Time::s(20) + Time::us(200));
  CHECK(h.entered(B, HaState::Standby) == Time::s(20) + Time::us(200));
  // P only ever sees B standing by, but B was away while P was active: P announces again, so
  // the firewalls stop sending to B.
  CHECK(h.arp_owner() == P);
  CHECK(h.arp_owner_since() == Time::s(20) + Time::us(300));
  CHECK(std::string(h.all<ha::SendGratuitousArp>(P).back().second.why) == "peer back while active");
}

TEST_CASE("the split-brain winner that sees both active reports it and announces again") {
  HaPair h = settled();
  h.cut();
  h.run_until(Time::s(20));
  h.reach(P, 1, 2);  // heard by nobody: the path is still cut
  h.reach(B, 2, 2);
  h.heal();
  h.run_until(Time::s(30));
  // Both beat next at 20.5 s; P's heartbeat reaches B first: B wins on reach and says so.
  auto won = h.all<ha::SplitBrainResolved>(B);
  REQUIRE(won.size() == 1);
  CHECK(won[0].second.won);
  CHECK(won[0].first == Time::ms(20'500) + Time::us(100));
  CHECK(h.node(B).state() == HaState::Active);
  CHECK(h.node(P).state() == HaState::Standby);
  CHECK(h.arp_owner() == B);
  CHECK(h.arp_owner_since() == won[0].first);
  CHECK(h.node(B).counters().split_brains == 1);
}

TEST_CASE(
    "without a re-announce after split brain the firewalls keep sending to the loser (keepalived#166)") {
  auto p = ha_config(HaRole::Primary, 11);
  p.regarp_after_split_brain = false;
  HaPair h(p, ha_config(HaRole::Backup, 12));
  h.start(P);
  h.start(B);
  h.run_until(Time::s(10));
  h.cut();
  h.run_until(Time::s(20));
  h.heal();
  h.run_until(Time::s(30));
  CHECK(h.node(P).state() == HaState::Active);
  CHECK(h.node(B).state() == HaState::Standby);
  CHECK(h.arp_owner() == B);  // stale: B no longer holds the NLBS address
  CHECK_FALSE(h.has_alias(B));
}

// The fault matrix's race (docs/reliability.md): the primary boots while the backup is active,
// hears only stale heartbeats from the backup's start (held in its ARP queue) and goes active;
// the backup announces the address, sees the primary active and yields. The primary never saw
// the backup active, so only the backup's announcement tells it that the firewalls may point
// there.
struct StaleStart {
  explicit StaleStart(HaConfig c = ha_config(HaRole::Primary, 11)) : a(c) {
    a.start(Time::zero());
    a.on_heartbeat(Time::ms(1), beat(HaState::Initial, 1), kPeer);  // sent as the backup started
    REQUIRE(a.state() == HaState::Active);
  }
  static nlb::wire::HaHeartbeat beat(HaState state, std::uint32_t sequence) {
    nlb::wire::HaHeartbeat hb;
    hb.state = state;
    hb.role = HaRole::Backup;
    hb.priority = 100;
    hb.sequence = sequence;
    return hb;
  }
  static std::size_t garps(const BalancerHa::Actions& out) { return out.count<ha::SendGratuitousArp>(); }
  static constexpr Ipv4 kPeer{10, 1, 0, 12};
  BalancerHa a;
};

TEST_CASE("an active balancer whose peer announced the NLBS address, then stood down, announces it again") {
  StaleStart s;
  s.a.on_address_claimed();  // the backup's announcement (it was active)
  const auto out = s.a.on_heartbeat(Time::ms(2), StaleStart::beat(HaState::Standby, 9), StaleStart::kPeer);
  CHECK(StaleStart::garps(out) == 1);
  // Once: our announcement is the last word again.
  CHECK(StaleStart::garps(
            s.a.on_heartbeat(Time::ms(500), StaleStart::beat(HaState::Standby, 10), StaleStart::kPeer)) == 0);
}

TEST_CASE("a peer that stands by without having announced the address gets no second announcement") {
  StaleStart s;
  CHECK(StaleStart::garps(
            s.a.on_heartbeat(Time::ms(2), StaleStart::beat(HaState::Standby, 9), StaleStart::kPeer)) == 0);
}

TEST_CASE(
    "a peer that announced the address and then fell silent: the active balancer announces at the timeout") {
  StaleStart s;
  s.a.on_address_claimed();
  const Time deadline = Time::ms(1) + s.a.config().heartbeat_timeout;
  CHECK(s.a.next_deadline() <= deadline);
  std::size_t n = 0;
  for (Time t = s.a.next_deadline(); t <= deadline; t = s.a.next_deadline())
    n += StaleStart::garps(s.a.poll(t));
  CHECK(n == 1);
  CHECK_FALSE(s.a.peer().alive);
}

TEST_CASE("with re-announcing off, a claim by the peer changes nothing (the seed's scripts)") {
  auto c = ha_config(HaRole::Primary, 11);
  c.regarp_after_split_brain = false;
  StaleStart s(c);
  s.a.on_address_claimed();
  CHECK(StaleStart::garps(
            s.a.on_heartbeat(Time::ms(2), StaleStart::beat(HaState::Standby, 9), StaleStart::kPeer)) == 0);
}

TEST_CASE(
    "with garp_refresh the active balancer re-announces every period, so a stale owner lasts one period at "
    "most") {
  auto p = ha_config(HaRole::Primary, 11);
  p.regarp_after_split_brain = false;
  p.garp_refresh = Time::s(10);  // keepalived#20's request: a GARP from the master every X s
  HaPair h(p, ha_config(HaRole::Backup, 12));
  h.start(P);
  h.start(B);
  h.run_until(Time::s(10));
  h.cut();
  h.run_until(Time::s(13));
  h.heal();
  h.run_until(Time::s(13) + Time::ms(1));
  CHECK(h.arp_owner() == B);  // the false takeover's GARP, nobody re-announced on heal
  h.run_until(Time::s(30));
  CHECK(h.arp_owner() == P);
  // P became active at 100 us: refreshes at 10.0001, 20.0001, 30.0001 s ...
  std::vector<Time> refresh;
  for (const auto& [at, g] : h.all<ha::SendGratuitousArp>(P))
    if (std::string(g.why) == "refresh") refresh.push_back(at);
  CHECK(refresh == std::vector<Time>{Time::s(10) + Time::us(100), Time::s(20) + Time::us(100)});
  CHECK(h.arp_owner_since() == Time::s(20) + Time::us(100));
  CHECK(h.all<ha::SendGratuitousArp>(B).size() == 1);  // a standby never refreshes
}

TEST_CASE("with preempt_delay a returning primary asks for the role only after standing by that long") {
  auto p = ha_config(HaRole::Primary, 11);
  p.wait_for_sync = false;
  p.preempt_delay = Time::s(5);  // keepalived preempt_delay
  HaPair h = rebooted_primary(p);
  const Time standby = h.entered(P, HaState::Standby);
  // Its first standby heartbeat does not ask; B sends the table meanwhile (done after 3 s).
  CHECK(h.all<ha::StartBulkSync>(B).size() == 1);
  CHECK(h.entered(P, HaState::Active) - standby == Time::s(5) + Time::us(200));
  CHECK(h.node(P).sync_status() == HaSyncStatus::Synchronized);
}

TEST_CASE("each balancer sends a heartbeat every 0.5 s carrying its state, role, reach and sync status") {
  HaPair h = settled();
  h.reach(P, 2, 3);
  h.run_until(Time::s(20));
  std::size_t n = 0;
  for (const auto& [at, hb] : h.all<ha::SendHeartbeat>(P))
    if (at > Time::s(11) && at <= Time::s(15)) ++n;
  CHECK(n == 8);
  const auto last = h.all<ha::SendHeartbeat>(P).back().second.heartbeat;
  CHECK(last.state == HaState::Active);
  CHECK(last.role == HaRole::Primary);
  CHECK(last.reach == 2);
  CHECK(last.reach_total == 3);
  CHECK(last.sync == HaSyncStatus::Synchronized);
  CHECK(last.hears_peer);
  const auto& b = h.node(P).peer().last;
  CHECK(b.state == HaState::Standby);
  CHECK(b.role == HaRole::Backup);
  CHECK(b.sync == HaSyncStatus::Synchronized);
}

TEST_CASE("an active balancer sends its table once to a standby that reports Not Synchronized") {
  HaPair h = settled();
  h.run_until(Time::s(60));
  auto bulks = h.all<ha::StartBulkSync>(P);
  REQUIRE(bulks.size() == 1);
  CHECK(bulks[0].first == Time::us(200));  // B's first standby heartbeat
  CHECK(h.node(B).sync_status() == HaSyncStatus::Synchronized);
}

TEST_CASE("heartbeats with an unknown state or role are dropped") {
  BalancerHa n(ha_config(HaRole::Backup, 12));
  n.start(Time::zero());
  nlb::wire::HaHeartbeat hb;
  hb.state = HaState{9};
  CHECK(n.on_heartbeat(Time::ms(100), hb, Ipv4(10, 1, 0, 11)).empty());
  hb.state = HaState::Active;
  hb.role = HaRole{0};
  CHECK(n.on_heartbeat(Time::ms(100), hb, Ipv4(10, 1, 0, 11)).empty());
  CHECK(n.counters().heartbeats_dropped == 2);
  CHECK(n.state() == HaState::Initial);
  CHECK_FALSE(n.peer().alive);
}

TEST_CASE("a heartbeat older than the last heard is ignored: a path that comes back late undoes nothing") {
  // The soak run's case (docs/reliability.md): the active balancer yields to its peer's
  // takeover request, then a standby heartbeat the peer sent before it asked arrives over the
  // other path. Acting on it, the balancer went active again.
  BalancerHa n(ha_config(HaRole::Primary, 11));
  n.start(Time::zero());
  const Ipv4 peer(10, 1, 0, 12);
  nlb::wire::HaHeartbeat hb;
  hb.role = HaRole::Backup;
  hb.state = HaState::Standby;
  hb.sequence = 7;
  n.on_heartbeat(Time::ms(100), hb, peer);  // the backup stands by: the primary wins the election
  REQUIRE(n.state() == HaState::Active);
  hb.takeover_request = true;
  hb.sequence = 9;
  n.on_heartbeat(Time::ms(200), hb, peer);
  REQUIRE(n.state() == HaState::Standby);  // yielded to the request
  hb.takeover_request = false;
  hb.sequence = 8;  // sent before the request, delivered after it
  n.on_heartbeat(Time::ms(201), hb, peer);
  CHECK(n.state() == HaState::Standby);
  hb.sequence = 9;  // the request again, over the second path
  n.on_heartbeat(Time::ms(202), hb, peer);
  CHECK(n.counters().heartbeats_stale == 2);
  CHECK(n.counters().heartbeats_received == 2);
  SUBCASE("a restarted peer's heartbeats count from its first again") {
    hb.state = HaState::Initial;
    hb.sequence = 1;
    n.on_heartbeat(Time::ms(300), hb, peer);
    CHECK(n.counters().heartbeats_received == 3);
    CHECK(n.peer().last.sequence == 1);
  }
}

TEST_CASE("an operator takeover on a standby whose peer is gone activates at once") {
  HaPair h = settled();
  h.crash(P);
  h.run_until(Time::s(10) + Time::ms(100));
  REQUIRE(h.node(B).state() == HaState::Standby);
  h.takeover(B);
  h.run_until(Time::s(13));
  // The peer is still thought alive (heard 0.6 s ago): B asks, nobody answers, the heartbeat
  // timeout then makes it active anyway.
  CHECK(h.node(B).state() == HaState::Active);
  HaPair alone = pair();
  alone.start(B);
  alone.run_until(Time::s(1));
  alone.takeover(B);  // Initial, not standby: nothing to take over yet
  CHECK(alone.node(B).state() == HaState::Initial);
}

TEST_CASE("a stopped balancer restarts through Initial and finds its peer active") {
  HaPair h = settled();
  h.set_bulk_duration(Time::s(3));
  h.stop(P);
  h.run_until(Time::s(20));
  h.start(P);
  h.run_until(Time::s(21));
  CHECK(h.node(P).state() == HaState::Standby);
  CHECK(h.node(P).sync_status() == HaSyncStatus::Synchronizing);
  h.run_until(Time::s(30));
  CHECK(h.node(P).state() == HaState::Active);  // Auto recovery once synchronised
}

TEST_CASE("several gratuitous ARPs can be spaced out when a balancer becomes active") {
  auto b = ha_config(HaRole::Backup, 12);
  b.garp_count = 3;
  b.garp_interval = Time::s(1);
  HaPair h(ha_config(HaRole::Primary, 11), b);
  h.start(B);
  h.run_until(Time::s(10));
  auto garps = h.all<ha::SendGratuitousArp>(B);
  REQUIRE(garps.size() == 3);
  CHECK(garps[0].first == Time::s(2));
  CHECK(garps[1].first == Time::s(3));
  CHECK(garps[2].first == Time::s(4));
  CHECK(h.node(B).counters().garps_sent == 3);
}

TEST_CASE("HA configuration errors name the field") {
  {
    auto c = ha_config(HaRole::Primary, 11);
    c.garp_refresh = Time::s(-1);
    CHECK(c.check().rfind("garp_refresh:", 0) == 0);
    c = ha_config(HaRole::Primary, 11);
    c.preempt_delay = Time::s(-1);
    CHECK(c.check().rfind("preempt_delay:", 0) == 0);
  }
  auto c = ha_config(HaRole::Primary, 11);
  CHECK(c.check().empty());
  c.heartbeat_timeout = Time::ms(500);
  CHECK(c.check().rfind("heartbeat_timeout:", 0) == 0);
  c = ha_config(HaRole::Primary, 11);
  c.nlbs_address = Ipv4();
  CHECK(c.check().rfind("nlbs_address:", 0) == 0);
  c = ha_config(HaRole::Primary, 11);
  c.garp_count = 0;
  CHECK(c.check().rfind("garp_count:", 0) == 0);
}
