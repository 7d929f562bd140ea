#include <doctest/doctest.h>

#include <vector>

#include "models/link/trace_events.hpp"
#include "tests/link/link_helpers.hpp"

using namespace nlb;
using namespace nlb::link;
using nlb::link::test::make_frame;
using nlb::link::test::RecordingNic;
using sim::Time;

namespace {
const wire::Mac kA = wire::Mac::local(1);
const wire::Mac kB = wire::Mac::local(2);
const wire::Mac kVrrpGroup = *wire::Mac::parse("01:00:5e:00:00:12");

struct Pair {
  Pair() : lan(sim, 4, "lan4"), a(sim, kA), b(sim, kB) {
    a.dev.set_identity(1, 0);
    b.dev.set_identity(2, 3);
    lan.attach(a.dev);
    lan.attach(b.dev);
  }
  sim::Simulation sim;
  FramePool pool;
  Lan lan;
  RecordingNic a, b;
};
}  // namespace

TEST_CASE("a NIC pads a short frame with zeros to 60 bytes and leaves a shared original alone") {
  Pair p;
  FrameRef f = make_frame(p.pool, kB, kA, 42, 5);
  f.mut().data[41] = std::byte{0xee};
  FrameRef keep = f;  // shared: the NIC must pad a copy
  p.a.dev.send(f);
  p.sim.run();
  REQUIRE(p.b.got.size() == 1);
  CHECK(p.b.got[0].len == 60);
  CHECK(keep->len == 42);
  CHECK(p.a.dev.counters().tx_bytes == 60);
}

TEST_CASE("padding a frame with a virtual payload only lengthens the virtual part") {
  Pair p;
  std::vector<FrameRef> got;
  p.b.dev.set_receiver([&](const FrameRef& f) { got.push_back(f); });
  FrameRef f = make_frame(p.pool, kB, kA, 20);
  f.mut().virtual_len = 10;
  p.a.dev.send(std::move(f));
  p.sim.run();
  REQUIRE(got.size() == 1);
  CHECK(got[0]->len == 20);
  CHECK(got[0]->virtual_len == 40);
}

TEST_CASE("a NIC accepts a multicast group only while it has joined it") {
  Pair p;
  p.a.dev.send(make_frame(p.pool, kVrrpGroup, kA));
  p.sim.run();
  CHECK(p.b.got.empty());
  CHECK(p.b.dev.counters().filtered == 1);
  p.b.dev.join_multicast(kVrrpGroup);
  p.b.dev.join_multicast(kVrrpGroup);  // joining twice is one membership
  p.a.dev.send(make_frame(p.pool, kVrrpGroup, kA));
  p.sim.run();
  CHECK(p.b.got.size() == 1);
  p.b.dev.leave_multicast(kVrrpGroup);
  p.a.dev.send(make_frame(p.pool, kVrrpGroup, kA));
  p.sim.run();
  CHECK(p.b.got.size() == 1);
  CHECK(p.b.dev.counters().filtered == 2);
}

TEST_CASE("a NIC accepts an extra unicast MAC only while told to, or anything when promiscuous") {
  Pair p;
  const wire::Mac vmac = wire::Mac::vrrp_virtual(1);
  CHECK_FALSE(p.b.dev.accepts(vmac));
  p.b.dev.accept_unicast(vmac);
  CHECK(p.b.dev.accepts(vmac));
  CHECK(p.b.dev.accepts(kB));
  CHECK(p.b.dev.accepts(wire::Mac::broadcast()));
  CHECK_FALSE(p.b.dev.accepts(wire::Mac::local(99)));
  p.b.dev.stop_accepting(vmac);
  CHECK_FALSE(p.b.dev.accepts(vmac));
  p.b.dev.set_promiscuous(true);
  CHECK(p.b.dev.accepts(wire::Mac::local(99)));
}

TEST_CASE("sending and accepting publish FrameSent and FrameReceived with the NIC's identity") {
  Pair p;
  std::vector<FrameSent> sent;
  std::vector<FrameReceived> received;
  std::vector<FrameDropped> dropped;
  p.sim.trace().subscribe<FrameSent>([&](const FrameSent& e) { sent.push_back(e); });
  p.sim.trace().subscribe<FrameReceived>([&](const FrameReceived& e) { received.push_back(e); });
  p.sim.trace().subscribe<FrameDropped>([&](const FrameDropped& e) { dropped.push_back(e); });
  FrameRef f = make_frame(p.pool, kB, kA);
  std::uint64_t id = f->id;
  p.a.dev.send(std::move(f));
  p.a.dev.send(make_frame(p.pool, wire::Mac::local(50), kA));
  p.sim.run();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].at == Time::zero());
  CHECK(sent[0].node == 1);
  CHECK(sent[0].iface == 0);
  CHECK(sent[0].lan == 4);
  CHECK(sent[0].frame->id == id);
  REQUIRE(received.size() == 1);
  CHECK(received[0].node == 2);
  CHECK(received[0].iface == 3);
  CHECK(received[0].frame->id == id);  // the switch forwards the same frame, not a copy
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].node == 2);
  CHECK(std::string(dropped[0].reason) == "filtered");
}

TEST_CASE("a NIC destroyed before its LAN leaves the port down and unattached") {
  sim::Simulation sim;
  FramePool pool;
  Lan lan(sim, 0, "lan0");
  RecordingNic a(sim, kA);
  PortIndex port = kNoPort;
  {
    Device b(sim, kB);
    port = lan.attach(b);
    CHECK(lan.port_up(port));
  }
  CHECK_FALSE(lan.port_up(port));
  CHECK(lan.device(port) == nullptr);
  lan.attach(a.dev);
  a.dev.send(make_frame(pool, wire::Mac::broadcast(), kA));
  sim.run();
  CHECK(lan.counters().flooded == 1);
}

TEST_CASE("a LAN destroyed before its NIC leaves the NIC without carrier") {
  sim::Simulation sim;
  FramePool pool;
  Device a(sim, kA);
  {
    Lan lan(sim, 0, "lan0");
    lan.attach(a);
    CHECK(a.carrier());
  }
  CHECK(a.lan() == nullptr);
  CHECK_FALSE(a.carrier());
  CHECK_FALSE(a.send(make_frame(pool, kB, kA)));
}
