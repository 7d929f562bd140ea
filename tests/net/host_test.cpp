#include <doctest/doctest.h>

#include <vector>

#include "models/link/trace_events.hpp"
#include "models/net/network.hpp"
#include "models/net/trace_events.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "tests/net/net_helpers.hpp"

using namespace nlb;
using namespace nlb::net;
using namespace nlb::net::test;
using sim::Time;
using wire::Mac;

namespace {
// Three hosts on one gigabit switch (1 us links): A 10.0.0.1, B 10.0.0.2, C 10.0.0.3.
struct Lan3 {
  explicit Lan3(HostConfig cfg = {}) : net(sim), drops(sim), arp_seen(sim) {
    cfg.arp.randomize_reachable_time = false;
    lan = &net.add_lan("lan");
    a = &net.add_host("a", cfg);
    b = &net.add_host("b", cfg);
    c = &net.add_host("c", cfg);
    for (Host* h : {a, b, c}) net.connect(*h, "eth0", *lan);
    a->add_address(0, ip("10.0.0.1"), 24);
    b->add_address(0, ip("10.0.0.2"), 24);
    c->add_address(0, ip("10.0.0.3"), 24);
  }
  // Runs 10 ms on: long enough for any exchange here, short of any ARP timeout.
  void settle() { sim.run_until(sim.now() + Time::ms(10)); }
  sim::Simulation sim;
  Network net;
  link::Lan* lan;
  Host *a, *b, *c;
  Drops drops;
  ArpWatch arp_seen;
};

// One switch hop each way at 1 Gb/s with 1 us cables: 2 * (672 ns + 1 us) for a 60-byte frame.
constexpr Time kHop = Time::ns(3344);
}  // namespace

TEST_CASE("a datagram waits for ARP resolution and leaves when the reply comes") {
  Lan3 t;
  Sink sink(*t.b);
  CHECK(send_test(*t.a, ip("10.0.0.2"), 9));
  t.settle();
  REQUIRE(sink.got.size() == 1);
  // Request (broadcast), reply (unicast), then the datagram: three one-hop trips.
  CHECK(sink.got[0].at == kHop * 3);
  CHECK(sink.got[0].tag == 9);
  CHECK(sink.got[0].src == ip("10.0.0.1"));
  REQUIRE(t.arp_seen.packets.size() == 2);
  const auto& req = t.arp_seen.packets[0];
  CHECK(req.dst == Mac::broadcast());
  CHECK(req.arp.spa == ip("10.0.0.1"));
  CHECK(req.arp.tpa == ip("10.0.0.2"));
  CHECK(t.arp_seen.packets[1].arp.op == wire::ArpOp::Reply);
  CHECK(t.arp_seen.packets[1].dst == t.a->mac(0));
  CHECK(t.a->arp(0).lookup(ip("10.0.0.2"))->state == ArpState::Reachable);
  // B learned A from the request, which was for B (RFC 826): stale until confirmed.
  CHECK(t.b->arp(0).lookup(ip("10.0.0.1"))->state == ArpState::Stale);
  // C saw the broadcast request, not for it: nothing learned (arp_accept=0).
  CHECK(t.c->arp(0).size() == 0);
  // The second datagram needs no ARP.
  send_test(*t.a, ip("10.0.0.2"), 10);
  Time sent = t.sim.now();
  t.settle();
  CHECK(sink.got[1].at - sent == kHop);
}

TEST_CASE("datagrams beyond the ARP queue are dropped with arp-queue-full, the rest delivered") {
  Lan3 t;
  Sink sink(*t.b);
  int accepted = 0;
  for (std::uint8_t i = 0; i < 5; ++i) accepted += send_test(*t.a, ip("10.0.0.2"), i) ? 1 : 0;
  CHECK(accepted == 3);
  t.settle();
  REQUIRE(sink.got.size() == 3);
  CHECK(sink.got[2].tag == 2);
  CHECK(t.drops.count("arp-queue-full") == 2);
  CHECK(t.a->drops("arp-queue-full") == 2);
}

TEST_CASE("failed resolution drops the waiting datagrams with arp-failed after three requests") {
  Lan3 t;
  for (std::uint8_t i = 0; i < 2; ++i) send_test(*t.a, ip("10.0.0.99"), i);
  t.sim.run_until(Time::s(5));
  CHECK(t.arp_seen.requests() == 3);
  CHECK(t.a->drops("arp-failed") == 2);
  CHECK(t.drops.all.back().at == Time::s(3));
  CHECK(t.a->arp(0).lookup(ip("10.0.0.99"))->state == ArpState::Failed);
}

TEST_CASE("an expired ARP entry is resolved again by broadcast") {
  Lan3 t;
  Sink sink(*t.b);
  send_test(*t.a, ip("10.0.0.2"));
  t.sim.run_until(Time::s(1));
  CHECK(t.a->arp(0).lookup(ip("10.0.0.2"))->state == ArpState::Reachable);
  // Reachable 30 s, stale 60 s more, then gone.
  t.sim.run_until(Time::s(31));
  CHECK(t.a->arp(0).lookup(ip("10.0.0.2"))->state == ArpState::Stale);
  t.sim.run_until(Time::s(91));
  CHECK_FALSE(t.a->arp(0).lookup(ip("10.0.0.2")));
  CHECK(t.arp_seen.requests() == 1);
  send_test(*t.a, ip("10.0.0.2"), 2);
  t.sim.run_until(Time::s(92));
  CHECK(t.arp_seen.requests() == 2);
  CHECK(t.arp_seen.packets[2].dst == Mac::broadcast());
  CHECK(sink.got.size() == 2);
  CHECK(sink.got[1].at == Time::s(91) + kHop * 3);
}

TEST_CASE("a gratuitous ARP moves an address to a new MAC in another host's table") {
  Lan3 t;
  const auto vip = ip("10.0.0.100");
  t.b->add_address(0, vip, 24, true);
  Sink at_b(*t.b);
  Sink at_c(*t.c);
  std::vector<ArpChanged> changes;
  t.sim.trace().subscribe<ArpChanged>([&](const ArpChanged& e) { changes.push_back(e); });
  send_test(*t.a, vip, 1);
  t.settle();
  REQUIRE(at_b.got.size() == 1);
  CHECK(t.a->arp(0).lookup(vip)->mac == t.b->mac(0));
  // Takeover: B releases the alias, C adds it and announces it (RFC 5227 announcement form).
  Host::GarpForm form = Host::GarpForm::Request;
  SUBCASE("announcement (request form)") { form = Host::GarpForm::Request; }
  SUBCASE("gratuitous reply") { form = Host::GarpForm::Reply; }
  t.b->remove_address(0, vip);
  t.c->add_address(0, vip, 24, true);
  changes.clear();
  CHECK(t.c->send_gratuitous_arp(0, vip, form));
  t.settle();
  auto e = t.a->arp(0).lookup(vip);
  CHECK(e->mac == t.c->mac(0));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].node == t.a->id());
  CHECK(changes[0].change.kind == ArpChangeKind::Update);
  CHECK(changes[0].change.old_mac == t.b->mac(0));
  CHECK(changes[0].change.mac == t.c->mac(0));
  CHECK(t.b->arp(0).lookup(vip) == std::nullopt);  // B never had it as a neighbour: not created
  send_test(*t.a, vip, 2);
  t.settle();
  CHECK(at_b.got.size() == 1);
  REQUIRE(at_c.got.size() == 1);
  CHECK(at_c.got[0].tag == 2);
}

TEST_CASE("an ARP request for an address on the loopback gets no reply (arp_ignore=1)") {
  Lan3 t;
  const auto cluster = ip("203.0.113.10");
  IfIndex lo = t.b->add_loopback();
  t.b->add_address(lo, cluster, 32, true);
  t.a->add_route(wire::Prefix(cluster, 32), {}, 0);  // on-link for A: A will ARP for it
  Sink sink(*t.b);
  send_test(*t.a, cluster, 1);
  t.sim.run_until(Time::s(5));
  CHECK(t.arp_seen.requests() == 3);
  CHECK(t.arp_seen.replies() == 0);
  CHECK(t.a->drops("arp-failed") == 1);
  CHECK(sink.got.empty());
  // Yet B accepts the cluster address when a frame reaches its MAC (the balancer's rewrite).
  t.a->arp(0).add_static(cluster, t.b->mac(0));
  send_test(*t.a, cluster, 2);
  t.settle();
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].dst == cluster);
  CHECK(sink.got[0].iface == 0);
}

TEST_CASE("an ARP request for an address of another interface gets no reply (arp_ignore=1)") {
  Lan3 t;
  link::Lan& other = t.net.add_lan("other");
  IfIndex eth1 = t.net.connect(*t.b, "eth1", other);
  t.b->add_address(eth1, ip("192.168.9.1"), 24);
  auto reply = Host::arp_reply(t.b->interfaces(), 0, t.b->mac(0),
                               wire::Arp::request(t.a->mac(0), ip("10.0.0.1"), ip("192.168.9.1")));
  CHECK_FALSE(reply);
  reply = Host::arp_reply(t.b->interfaces(), 0, t.b->mac(0),
                          wire::Arp::request(t.a->mac(0), ip("10.0.0.1"), ip("10.0.0.2")));
  REQUIRE(reply);
  CHECK(*reply == wire::Arp::reply(t.b->mac(0), ip("10.0.0.2"), t.a->mac(0), ip("10.0.0.1")));
}

TEST_CASE("an ARP hook that drops a packet leaves the stack deaf to it") {
  Lan3 t;
  std::vector<wire::Arp> seen;
  t.b->add_arp_hook([&](IfIndex, const wire::Arp& a) {
    seen.push_back(a);
    return Host::ArpVerdict::Drop;
  });
  send_test(*t.a, ip("10.0.0.2"));
  t.sim.run_until(Time::s(5));
  CHECK(seen.size() == 3);
  CHECK(t.arp_seen.replies() == 0);
  CHECK(t.b->arp(0).size() == 0);
}

TEST_CASE("an ARP hook can answer in the stack's place while the stack still learns") {
  Lan3 t;
  const auto vip = ip("10.0.0.254");
  const wire::Mac vmac = wire::Mac::vrrp_virtual(1);
  t.b->add_address(0, vip, 24, true);
  int calls = 0;
  t.b->add_arp_hook([&](IfIndex, const wire::Arp&) {
    ++calls;
    return Host::ArpVerdict::Continue;  // the first hook passes ...
  });
  t.b->add_arp_hook([&](IfIndex i, const wire::Arp& a) {
    // ... the second plays a VRRP master: the virtual address is answered with the virtual MAC.
    if (a.op != wire::ArpOp::Request || a.tpa != vip) return Host::ArpVerdict::Continue;
    t.b->send_arp(i, wire::Arp::reply(vmac, vip, a.sha, a.spa), a.sha);
    return Host::ArpVerdict::NoReply;
  });
  Sink sink(*t.b);
  t.b->device(0).accept_unicast(vmac);
  send_test(*t.a, vip, 3);
  t.settle();
  CHECK(calls == 1);
  CHECK(t.arp_seen.replies() == 1);
  CHECK(t.a->arp(0).lookup(vip)->mac == vmac);
  CHECK(t.b->arp(0).lookup(ip("10.0.0.1"))->mac == t.a->mac(0));  // learned from the request
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].tag == 3);
}

TEST_CASE("a host that is not a router drops a datagram for another address as not-for-us") {
  Lan3 t;
  t.a->arp(0).add_static(ip("10.0.0.77"), t.b->mac(0));
  send_test(*t.a, ip("10.0.0.77"));
  t.settle();
  CHECK(t.b->drops("not-for-us") == 1);
  CHECK(t.a->drops("not-for-us") == 0);
}

TEST_CASE("a datagram with a bad header checksum is dropped as malformed") {
  Lan3 t;
  Sink sink(*t.b);
  t.a->arp(0).add_static(ip("10.0.0.2"), t.b->mac(0));
  Ipv4Send s;
  s.dst = ip("10.0.0.2");
  s.proto = kTestProto;
  OutDatagram d = t.a->prepare(s, 4);
  link::FrameRef f = d.frame();
  d = OutDatagram{};
  f.mut().data[14 + 10] ^= std::byte{0x01};
  t.a->send_frame(0, f, t.b->mac(0));
  t.settle();
  CHECK(sink.got.empty());
  CHECK(t.b->drops("malformed") == 1);
}

TEST_CASE("a host delivers to its own addresses through the loopback, without touching the LAN") {
  Lan3 t;
  IfIndex lo = t.a->add_loopback();
  t.a->add_address(lo, ip("203.0.113.10"), 32);
  Sink sink(*t.a);
  send_test(*t.a, ip("10.0.0.1"), 1);
  send_test(*t.a, ip("203.0.113.10"), 2);
  t.settle();
  REQUIRE(sink.got.size() == 2);
  CHECK(sink.got[0].at == Time::zero());
  CHECK(sink.got[1].src == ip("203.0.113.10"));
  CHECK(t.a->device(0).counters().tx_frames == 0);
}

TEST_CASE("broadcast and joined multicast reach the hosts that should get them") {
  Lan3 t;
  Sink at_b(*t.b);
  Sink at_c(*t.c);
  send_test(*t.a, ip("10.0.0.255"), 1);  // directed broadcast
  t.settle();
  CHECK(at_b.got.size() == 1);
  CHECK(at_c.got.size() == 1);
  CHECK(t.arp_seen.packets.empty());
  const auto group = ip("224.0.0.18");
  t.b->join_group(0, group);
  Ipv4Send s;
  s.dst = group;
  s.proto = kTestProto;
  s.iface = 0;
  std::byte payload[1] = {std::byte{2}};
  CHECK(t.a->send(s, payload));
  t.settle();
  REQUIRE(at_b.got.size() == 2);
  CHECK(at_b.got[1].ttl == 1);  // IP_MULTICAST_TTL default
  CHECK(at_c.got.size() == 1);
  CHECK(t.c->device(0).counters().filtered == 1);  // the NIC's multicast filter
  t.b->leave_group(0, group);
  t.a->send(s, payload);
  t.settle();
  CHECK(at_b.got.size() == 2);
}

TEST_CASE("adding and removing addresses publishes each change and keeps the direct route right") {
  Lan3 t;
  std::vector<AddressChanged> seen;
  t.sim.trace().subscribe<AddressChanged>([&](const AddressChanged& e) { seen.push_back(e); });
  CHECK(t.b->add_address(0, ip("10.0.0.100"), 24, true));
  CHECK_FALSE(t.b->add_address(0, ip("10.0.0.100"), 24, true));
  CHECK(t.b->routes().routes().size() == 1);  // the /24 is already there
  CHECK(t.b->remove_address(0, ip("10.0.0.100")));
  CHECK(t.b->routes().routes().size() == 1);  // 10.0.0.2/24 still holds it
  CHECK(t.b->remove_address(0, ip("10.0.0.2")));
  CHECK(t.b->routes().routes().empty());
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].alias);
  CHECK(seen[0].added);
  CHECK(seen[1].addr == ip("10.0.0.100"));
  CHECK_FALSE(seen[1].added);
  CHECK(seen[2].node == t.b->id());
}

TEST_CASE("a crashed node drops everything, stops its timers, and comes back with empty ARP tables") {
  Lan3 t;
  Sink sink(*t.b);
  send_test(*t.a, ip("10.0.0.2"), 1);
  send_test(*t.b, ip("10.0.0.3"), 1);
  t.sim.run_until(Time::ms(1));
  CHECK(t.b->arp(0).size() == 2);
  send_test(*t.b, ip("10.0.0.50"), 2);  // will never resolve: B's ARP timer is running
  t.b->set_up(false);
  CHECK(t.b->arp(0).size() == 0);
  CHECK(t.b->drops("node-down") == 1);  // the datagram that waited
  std::size_t requests = t.arp_seen.requests();
  send_test(*t.a, ip("10.0.0.2"), 3);
  CHECK_FALSE(send_test(*t.b, ip("10.0.0.1"), 4));
  t.sim.run_until(Time::s(5));
  CHECK(t.arp_seen.requests() == requests);  // B's resolution of 10.0.0.50 stopped with it
  CHECK(sink.got.size() == 1);
  CHECK(t.b->drops("node-down") == 2);            // what B's stack dropped ...
  CHECK(t.b->device(0).counters().dropped == 1);  // ... and what its NIC did
  CHECK(t.drops.count("node-down") == 3);
  t.b->set_up(true);
  CHECK(t.b->arp(0).size() == 0);
  send_test(*t.a, ip("10.0.0.2"), 5);
  t.settle();
  REQUIRE(sink.got.size() == 2);
  CHECK(sink.got[1].tag == 5);
}

TEST_CASE("an interface set down drops what it would send and receive") {
  Lan3 t;
  t.b->set_interface_up(0, false);
  CHECK_FALSE(send_test(*t.b, ip("10.0.0.1")));
  send_test(*t.a, ip("10.0.0.2"));
  t.sim.run_until(Time::s(5));
  CHECK(t.b->drops("iface-down") == 1);
  CHECK(t.b->device(0).counters().dropped >= 3);  // A's three ARP requests
  t.b->set_interface_up(0, true);
  CHECK(send_test(*t.b, ip("10.0.0.1")));
}

TEST_CASE("the ingress hook can take a datagram and send it on with only the destination MAC rewritten") {
  Lan3 t;
  const auto cluster = ip("203.0.113.10");
  IfIndex lo = t.c->add_loopback();
  t.c->add_address(lo, cluster, 32, true);
  Sink at_c(*t.c);
  // B plays the balancer: cluster traffic goes on to C's MAC, IP header untouched.
  t.b->add_ingress_hook([&](const RxDatagram& d) {
    if (d.dst() != cluster) return false;
    t.b->send_frame(0, *d.frame, t.c->mac(0));
    return true;
  });
  t.a->add_route(wire::Prefix(cluster, 32), ip("10.0.0.2"));
  std::vector<link::FrameRef> sent_by_a, got_by_c;
  t.sim.trace().subscribe<link::FrameSent>([&](const link::FrameSent& e) {
    if (e.node == t.a->id()) sent_by_a.push_back(e.frame);
  });
  t.sim.trace().subscribe<link::FrameReceived>([&](const link::FrameReceived& e) {
    if (e.node == t.c->id()) got_by_c.push_back(e.frame);
  });
  send_test(*t.a, cluster, 7);
  t.settle();
  REQUIRE(at_c.got.size() == 1);
  CHECK(at_c.got[0].ttl == 64);
  CHECK(t.b->counters().consumed == 1);
  link::FrameRef in = sent_by_a.back();
  link::FrameRef out = got_by_c.back();
  CHECK(link::frame_dst(*out) == t.c->mac(0));
  CHECK(link::frame_src(*out) == t.b->mac(0));
  CHECK(std::equal(in->bytes().begin() + 12, in->bytes().end(), out->bytes().begin() + 12));
  sent_by_a.clear();
  got_by_c.clear();
}

TEST_CASE("drops are counted per reason in the order reasons first occurred") {
  Lan3 t;
  t.a->arp(0).add_static(ip("10.0.0.77"), t.b->mac(0));
  send_test(*t.a, ip("10.0.0.77"));
  send_test(*t.a, ip("8.8.8.8"));
  send_test(*t.a, ip("10.0.0.77"));
  t.settle();
  CHECK(t.a->drops("no-route") == 1);
  CHECK(t.b->drops("not-for-us") == 2);
  REQUIRE(t.b->drop_counts().size() == 1);
  CHECK(t.b->total_drops() == 2);
  CHECK(t.drops.count("no-route") == 1);
}

TEST_CASE("send reports a datagram tail-dropped by the NIC's own queue") {
  sim::Simulation sim;
  Network net(sim);
  link::LanConfig slow;
  slow.link.bandwidth_bps = 1'000'000;
  slow.link.queue_limit = 0;  // nothing may wait behind the frame on the wire
  link::Lan& lan = net.add_lan("slow", slow);
  Host& a = net.add_host("a");
  Host& b = net.add_host("b");
  net.connect(a, "eth0", lan);
  net.connect(b, "eth0", lan);
  a.add_address(0, ip("10.0.0.1"), 24);
  b.add_address(0, ip("10.0.0.2"), 24);
  a.arp(0).add_static(ip("10.0.0.2"), b.mac(0));
  CHECK(send_test(a, ip("10.0.0.2"), 1));
  CHECK_FALSE(send_test(a, ip("10.0.0.2"), 2));
  CHECK(a.device(0).counters().dropped == 1);
}
