// The invariant checker on trace events of the tests' own making: each invariant holds when it
// should and fails when it should, at the bounds the timers give.
#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "tests/matrix/matrix_support.hpp"

namespace nlb::check {
namespace {

using sim::Time;
using test::Rig;
using wire::Ipv4;

const Ipv4 kNlbs = *Ipv4::parse("192.168.10.10");

net::AddressChanged alias(link::NodeId n, bool added) { return {Time::zero(), n, 0, kNlbs, 24, true, added}; }
protocols::HaPeerChanged peer(link::NodeId n, bool alive) { return {Time::zero(), n, alive, "test"}; }
protocols::HaSplitBrain split_brain(link::NodeId n, bool won) { return {Time::zero(), n, won, "test"}; }
net::ArpChanged arp(link::NodeId fw, wire::Mac mac) {
  return {Time::zero(), fw, 1,
          net::ArpChange{net::ArpChangeKind::Update, kNlbs, mac, {}, net::ArpState::Reachable}};
}

// A balancer's gratuitous ARP for the NLBS address, as it leaves its access interface.
link::FrameSent garp(link::FramePool& pool, const nodes::Node& b) {
  const wire::Mac mac = b.device(0).mac();
  link::FrameRef f = pool.make(wire::ethernet::kHeaderLen + wire::arp::kLen);
  wire::MutBytes out{f.mut().data, f->len};
  wire::EthernetHeader{wire::Mac::broadcast(), mac, wire::EtherType::Arp}.emit(out);
  wire::Arp::gratuitous_request(mac, kNlbs).emit(out.subspan(wire::ethernet::kHeaderLen));
  return {Time::zero(), b.id(), 0, b.device(0).lan_id(), std::move(f)};
}

// lb1 and lb2 hear each other; lb1 holds the NLBS address from 2 s; fw1 resolves it to lb1.
struct Pair : Rig {
  Pair() {
    lb1 = id("lb1");
    lb2 = id("lb2");
    fw1 = id("fw1");
    at(Time::s(1), peer(lb1, true));
    at(Time::s(1), peer(lb2, true));
    at(Time::s(2), alias(lb1, true));
    at(Time::s(3), arp(fw1, mac("lb1")));
  }
  wire::Mac mac(const std::string& balancer) { return node(balancer).device(0).mac(); }
  // `balancer` takes the address from the other at t and announces it.
  void take_over(Time t, const std::string& balancer) {
    const link::NodeId to = id(balancer), from = to == lb1 ? lb2 : lb1;
    at(t, alias(from, false));
    at(t, alias(to, true));
    at(t, garp(pool, node(balancer)));
  }
  // No violation but of counters-balance, which the made-up frames upset on purpose.
  bool state_ok() const { return checker.result().total_failures() == failures(Invariant::CountersBalance); }
  link::FramePool pool;
  link::NodeId lb1, lb2, fw1;
};

TEST_CASE(
    "two balancers holding the NLBS address while both hear their peer must report it within a heartbeat") {
  // Both hear their peer: one of them learns of the other from its next heartbeat (500 ms, plus
  // 50 ms of transit) and must say split brain by then.
  Pair p;
  p.at(Time::s(5), alias(p.lb2, true));
  SUBCASE("nobody says so: a violation at 5.55 s") {
    p.finish(Time::s(10));
    CHECK(p.failures(Invariant::SingleOwner) == 1);
    REQUIRE(!p.checker.result().violations.empty());
    CHECK(p.checker.result().violations[0].at == Time::ms(5550));
  }
  SUBCASE("lb2 hears lb1's next heartbeat, says split brain and yields: no violation") {
    // A booting primary made active by a stale heartbeat its peer's ARP queue held back.
    p.at(Time::ms(5001), split_brain(p.lb2, false));
    p.at(Time::ms(5001), alias(p.lb2, false));
    p.finish(Time::s(10));
    CHECK(p.state_ok());
  }
  SUBCASE("a split brain said before the two holders began does not count") {
    Pair q;
    q.at(Time::s(4), split_brain(q.lb2, true));
    q.at(Time::s(5), alias(q.lb2, true));
    q.finish(Time::s(10));
    CHECK(q.failures(Invariant::SingleOwner) == 1);
  }
}

TEST_CASE("one heartbeat path lost one way: the deaf one lost its peer, the other says split brain") {
  Pair p;
  p.at(Time::s(5), peer(p.lb2, false));  // lb2 no longer hears lb1 and takes over
  p.at(Time::s(5), alias(p.lb2, true));
  SUBCASE("lb1, still hearing lb2, reports the split brain it wins: no violation") {
    p.at(Time::ms(5400), split_brain(p.lb1, true));
    p.finish(Time::s(20));
    CHECK(p.state_ok());
  }
  SUBCASE("lb1 says nothing: a violation once the heartbeat timeout has passed") {
    p.finish(Time::s(20));
    CHECK(p.failures(Invariant::SingleOwner) == 1);
  }
}

TEST_CASE("a handover within one instant is no violation: the state is judged at the instant's end") {
  Pair p;
  p.at(Time::s(5), alias(p.lb2, true));   // lb2 takes the address ...
  p.at(Time::s(5), alias(p.lb1, false));  // ... and lb1 releases it, at the same instant
  p.at(Time::s(5), garp(p.pool, p.node("lb2")));
  p.at(Time::s(5) + Time::us(5), arp(p.fw1, p.mac("lb2")));
  p.finish(Time::s(10));
  CHECK(p.state_ok());
  CHECK(p.checker.result().checks[static_cast<std::size_t>(Invariant::SingleOwner)] > 0);
}

TEST_CASE("a reported split brain may hold two owners if the other notices within its heartbeat timeout") {
  Pair p;
  p.at(Time::s(5), peer(p.lb2, false));  // lb2 hears nothing and takes over
  p.at(Time::s(5), alias(p.lb2, true));
  SUBCASE("lb1 notices 1.5 s later: a split brain, no violation") {
    p.at(Time::ms(6500), peer(p.lb1, false));
    p.at(Time::s(15), alias(p.lb2, false));  // resolved
    p.finish(Time::s(20));
    CHECK(p.state_ok());
    CHECK(p.checker.result().longest_split_brain == Time::s(10));
  }
  SUBCASE("lb1 never notices: a violation once its 2 s heartbeat timeout has passed") {
    p.finish(Time::s(20));
    CHECK(p.failures(Invariant::SingleOwner) == 1);
    REQUIRE(!p.checker.result().violations.empty());
    CHECK(p.checker.result().violations[0].at == Time::s(7));
  }
}

TEST_CASE("the firewall's ARP entry must follow a new holder within the announcement bound") {
  Pair p;
  const Time bound = p.checker.result().bounds.announce;
  // 1000-frame queues of 1514-byte frames at 1 Gb/s on two hops, and 1 us of cable each.
  CHECK(bound == (Time::ns(12'304) * 1001 + Time::us(1)) * 2);
  p.take_over(Time::s(10), "lb2");
  SUBCASE("followed after 10 us") {
    p.at(Time::s(10) + Time::us(10), arp(p.fw1, p.mac("lb2")));
    p.finish(Time::s(20));
    CHECK(p.state_ok());
    CHECK(p.checker.result().slowest_announce_follow == Time::us(10));
  }
  SUBCASE("followed exactly at the bound") {
    p.at(Time::s(10) + bound, arp(p.fw1, p.mac("lb2")));
    p.finish(Time::s(20));
    CHECK(p.state_ok());
  }
  SUBCASE("followed a nanosecond late") {
    p.at(Time::s(10) + bound + Time::ns(1), arp(p.fw1, p.mac("lb2")));
    p.finish(Time::s(20));
    CHECK(p.failures(Invariant::ArpFollowsOwner) == 1);
  }
  SUBCASE("never followed") {
    p.finish(Time::s(20));
    CHECK(p.failures(Invariant::ArpFollowsOwner) == 1);
  }
}

TEST_CASE("a firewall that could not hear the announcement gets the relearn bound from when it can") {
  Pair p;
  const nodes::Node& fw = p.node("fw1");
  const link::PortStateChanged down{Time::zero(), fw.device(1).lan_id(), fw.device(1).port(), false};
  link::PortStateChanged up = down;
  up.up = true;
  p.at(Time::s(9), down);  // fw1's cable to the access LAN: the announcement is lost to it
  p.take_over(Time::s(10), "lb2");
  p.at(Time::s(40), up);
  const Time relearn = p.checker.result().bounds.relearn;
  // Linux defaults: REACHABLE up to 45 s, then gc_stale_time 60 s outlasts DELAY + probes.
  CHECK(relearn == Time::s(105) + p.checker.result().bounds.announce);
  SUBCASE("relearned by NUD a minute after the cable came back") {
    p.at(Time::s(100), arp(p.fw1, p.mac("lb2")));
    p.finish(Time::s(200));
    CHECK(p.state_ok());
    CHECK(p.checker.result().slowest_relearn == Time::s(90));
  }
  SUBCASE("still wrong past the bound") {
    p.finish(Time::s(40) + relearn + Time::s(1));
    CHECK(p.failures(Invariant::ArpFollowsOwner) == 1);
  }
  SUBCASE("a later announcement binds again, from when it was sent") {
    p.at(Time::s(60), garp(p.pool, p.node("lb2")));
    p.finish(Time::s(61));
    CHECK(p.failures(Invariant::ArpFollowsOwner) == 1);
    REQUIRE(!p.checker.result().violations.empty());
    CHECK(p.checker.result().violations[0].at == Time::s(60) + p.checker.result().bounds.announce);
  }
  SUBCASE("an entry that goes away is not wrong") {
    p.at(Time::s(50),
         net::ArpChanged{Time::zero(), p.fw1, 1,
                         net::ArpChange{net::ArpChangeKind::Expire, kNlbs, {}, {}, net::ArpState::Stale}});
    p.finish(Time::s(400));
    CHECK(p.state_ok());
  }
}

TEST_CASE("a split brain that ends by the other side leaving owes no announcement: the relearn bound") {
  Pair p;
  p.at(Time::s(5), peer(p.lb1, false));  // heartbeats lost both ways
  p.at(Time::s(5), peer(p.lb2, false));
  p.at(Time::s(5), alias(p.lb2, true));
  p.at(Time::s(5), garp(p.pool, p.node("lb2")));
  p.at(Time::s(5) + Time::us(5), arp(p.fw1, p.mac("lb2")));  // the firewall follows lb2
  p.at(Time::s(8), alias(p.lb2, false));  // lb2 stops; lb1, which held it all along, is alone
  SUBCASE("the entry relearned within the bound") {
    p.at(Time::s(60), arp(p.fw1, p.mac("lb1")));
    p.finish(Time::s(70));
    CHECK(p.state_ok());
    CHECK(p.checker.result().slowest_relearn == Time::s(52));
  }
  SUBCASE("lb1 announces again when the heartbeats return: from then, the announcement bound") {
    p.at(Time::s(20), garp(p.pool, p.node("lb1")));
    p.finish(Time::s(21));
    CHECK(p.failures(Invariant::ArpFollowsOwner) == 1);
  }
}

TEST_CASE("no new connection goes to a server the balancer's advisor marked down") {
  Pair p;
  const Ipv4 srv2 = *Ipv4::parse("10.0.2.12");
  const Ipv4 cluster = *Ipv4::parse("203.0.113.10");
  auto health = [&](Ipv4 s, bool up) {
    protocols::ServerHealthChanged e;
    e.node = p.lb1;
    e.server_address = s;
    e.up = up;
    return e;
  };
  auto dispatch = [&](Ipv4 s, bool created) {
    return nodes::Dispatched{Time::zero(), p.lb1, cluster, 0, s, 1, created};
  };
  p.at(Time::s(5), health(srv2, false));
  p.at(Time::s(6), dispatch(srv2, false));  // a connection it already had: allowed (ND)
  CHECK(p.state_ok());
  CHECK(p.checker.result().kept_to_down_server == 1);
  p.at(Time::s(6), dispatch(srv2, true));
  CHECK(p.failures(Invariant::NoDispatchToDown) == 1);
  p.at(Time::s(7), health(srv2, true));
  p.at(Time::s(8), dispatch(srv2, true));
  CHECK(p.failures(Invariant::NoDispatchToDown) == 1);
  SUBCASE("with every server down the manager dispatches anyway (ND): counted, not a violation") {
    for (const char* s : {"10.0.2.11", "10.0.2.12", "10.0.2.13", "10.0.2.14"})
      p.at(Time::s(9), health(*Ipv4::parse(s), false));
    p.at(Time::s(10), dispatch(srv2, true));
    CHECK(p.failures(Invariant::NoDispatchToDown) == 1);
    CHECK(p.checker.result().dispatched_all_down == 1);
  }
  SUBCASE("a balancer that restarts forgets its advisors' verdicts") {
    p.at(Time::s(9), health(srv2, false));
    p.at(Time::s(10), nodes::NodeFault{Time::zero(), p.lb1, nodes::FaultKind::Crash});
    p.at(Time::s(11), nodes::NodeFault{Time::zero(), p.lb1, nodes::FaultKind::Recover});
    p.at(Time::s(12), dispatch(srv2, true));
    CHECK(p.failures(Invariant::NoDispatchToDown) == 1);
  }
}

TEST_CASE("a TCP connection that leaves its host's table without an end has vanished") {
  Rig r;
  const link::NodeId c = r.id("client1");
  transport::FourTuple tuple{{*Ipv4::parse("198.51.100.11"), 32768}, {*Ipv4::parse("203.0.113.10"), 80}};
  r.at(Time::s(1), transport::TcpOpenedEvent{Time::zero(), c, 7, tuple, false});
  r.at(Time::s(1), transport::TcpOpenedEvent{Time::zero(), c, 8, tuple, false});
  r.at(Time::s(2), transport::TcpClosedEvent{
                       Time::zero(), c, 8, tuple, transport::TcpOutcome::Completed, false, true, false, {}});
  SUBCASE("closed twice") {
    r.at(Time::s(3),
         transport::TcpClosedEvent{
             Time::zero(), c, 8, tuple, transport::TcpOutcome::Completed, false, true, false, {}});
    r.finish(Time::s(10));
    CHECK(r.failures(Invariant::TcpEnds) == 2);  // and 7 vanished
  }
  SUBCASE("never closed, and not in client1's table") {
    r.finish(Time::s(10));
    CHECK(r.failures(Invariant::TcpEnds) == 1);
    CHECK(r.checker.result().open_at_end == 1);
    CHECK(r.checker.result().completed == 1);
  }
}

TEST_CASE("a frame put on a LAN that is neither received, dropped nor in flight unbalances the counters") {
  Rig r;
  const nodes::Node& c = r.node("client1");
  link::FramePool pool;
  r.at(Time::s(1), link::FrameSent{Time::zero(), c.id(), 0, c.device(0).lan_id(), pool.make(60)});
  r.finish(Time::s(2));
  // The LAN's balance, and client1's NIC, whose counters never saw that frame.
  CHECK(r.failures(Invariant::CountersBalance) == 2);
}

}  // namespace
}  // namespace nlb::check
