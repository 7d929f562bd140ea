// Every frame copy a LAN carries is accounted for: received by a NIC, dropped with a reason at a
// stage, or still in flight. The invariant checker (runner/check) relies on it.
#include <doctest/doctest.h>

#include <vector>

#include "models/link/trace_events.hpp"
#include "tests/link/link_helpers.hpp"

using namespace nlb;
using namespace nlb::link;
using namespace nlb::link::test;
using sim::Time;

namespace {

// Counts what the trace says happened on one LAN.
struct Ledger {
  explicit Ledger(sim::Simulation& sim) {
    auto& t = sim.trace();
    t.subscribe<FrameSent>([this](const FrameSent&) { ++sent; });
    t.subscribe<FrameReceived>([this](const FrameReceived&) { ++received; });
    t.subscribe<FrameDropped>([this](const FrameDropped& d) { drops.push_back(d); });
  }
  std::uint64_t count(DropStage s) const {
    std::uint64_t n = 0;
    for (const auto& d : drops) n += d.stage == s;
    return n;
  }
  // sent + the switch's extra copies == received + dropped on the link or at the NIC + in flight
  bool balances(const Lan& lan) const {
    const auto& c = lan.counters();
    return sent + c.copies_out - c.frames_in ==
           received + count(DropStage::Link) + count(DropStage::Receive) + lan.in_flight();
  }
  std::uint64_t sent = 0, received = 0;
  std::vector<FrameDropped> drops;
};

}  // namespace

TEST_CASE("flooded, forwarded and filtered copies balance, in flight and after") {
  ThreeHosts t;
  Ledger l(t.sim);
  t.a.dev.send(make_frame(t.pool, kB, kA, 60, 1));  // unknown: flooded to B and C, C filters it
  t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kA, 60, 2));
  t.sim.run_until(Time::ns(700));  // both still on their way
  CHECK(t.lan.in_flight() > 0);
  CHECK(l.balances(t.lan));
  t.sim.run();
  t.b.dev.send(make_frame(t.pool, kA, kB, 60, 3));  // A learned: one copy
  t.sim.run();
  CHECK(t.lan.in_flight() == 0);
  CHECK(l.sent == 3);
  CHECK(t.lan.counters().copies_out == 5);  // 2 + 2 + 1
  CHECK(l.received == 4);
  CHECK(l.count(DropStage::Receive) == 1);  // C's address filter
  CHECK(l.balances(t.lan));
}

TEST_CASE("a port going down drops what is on its link at the link stage, and the copies still balance") {
  ThreeHosts t;
  Ledger l(t.sim);
  for (std::uint8_t k = 0; k < 5; ++k) t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kA, 1514, k));
  t.sim.run_until(Time::us(20));
  t.lan.set_port_up(1, false);  // B's cable, with copies queued for it
  t.sim.run();
  CHECK(l.count(DropStage::Link) > 0);
  for (const auto& d : l.drops) CHECK(std::string(d.reason) == drop::kLinkDown);
  CHECK(l.balances(t.lan));
}

TEST_CASE("a frame the sender cannot put on its link is a send-stage drop, not a copy on the link") {
  ThreeHosts t;
  Ledger l(t.sim);
  t.lan.set_port_up(0, false);
  t.a.dev.send(make_frame(t.pool, kB, kA));  // A's own cable is down
  t.sim.run();
  REQUIRE(l.drops.size() == 1);
  CHECK(l.drops[0].stage == DropStage::Send);
  CHECK(l.drops[0].node == 0);
  CHECK(l.sent == 0);
  CHECK(l.balances(t.lan));
}

TEST_CASE("lost frames are link-stage drops; a NIC that is down refuses at the receive stage") {
  LanConfig cfg;
  cfg.link.set_loss(0.5);
  ThreeHosts t(cfg);
  Ledger l(t.sim);
  t.c.dev.set_up(false);
  for (std::uint8_t k = 0; k < 40; ++k) t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kA, 60, k));
  t.sim.run();
  CHECK(l.count(DropStage::Link) > 0);
  CHECK(l.count(DropStage::Receive) > 0);
  for (const auto& d : l.drops) CHECK((d.stage == DropStage::Link) == (std::string(d.reason) == drop::kLoss));
  CHECK(l.balances(t.lan));
}

TEST_CASE("a switch's unicast back to the port it came from is dropped with a reason, not lost silently") {
  ThreeHosts t;
  Ledger l(t.sim);
  t.b.dev.send(make_frame(t.pool, kA, kB));  // the switch learns B on port 1
  t.sim.run();
  t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kB));  // B's MAC as source: B moves to port 0
  t.sim.run();
  t.a.dev.send(make_frame(t.pool, kB, kA));  // to B, whose port is now A's own
  t.sim.run();
  CHECK(t.lan.counters().same_port == 1);
  REQUIRE(l.count(DropStage::Link) == 1);
  CHECK(std::string(l.drops.back().reason) == drop::kSamePort);
  CHECK(l.balances(t.lan));
}

TEST_CASE("on a shared medium a NIC whose port is down gets no copy") {
  LanConfig cfg;
  cfg.kind = LanKind::Shared;
  ThreeHosts t(cfg);
  Ledger l(t.sim);
  t.lan.set_port_up(2, false);
  t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kA));
  t.sim.run();
  CHECK(t.b.got.size() == 1);
  CHECK(t.c.got.empty());
  CHECK(t.lan.counters().copies_out == 1);
  CHECK(l.drops.empty());
  CHECK(l.balances(t.lan));
}
