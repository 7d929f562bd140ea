#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/link/trace_events.hpp"
#include "tests/link/link_helpers.hpp"

using namespace nlb;
using namespace nlb::link;
using namespace nlb::link::test;
using sim::Time;

namespace {

LinkConfig gigabit(std::uint32_t queue_limit = 1000) {
  LinkConfig l;
  l.delay = Time::us(1);
  l.bandwidth_bps = 1'000'000'000;
  l.queue_limit = queue_limit;
  l.frame_overhead = 24;
  return l;
}

struct Drops {
  explicit Drops(sim::Simulation& sim) {
    sim.trace().subscribe<FrameDropped>([this](const FrameDropped& d) { all.push_back(d); });
  }
  std::size_t count(const std::string& reason) const {
    std::size_t n = 0;
    for (const auto& d : all) n += reason == d.reason;
    return n;
  }
  std::vector<FrameDropped> all;
};

}  // namespace

TEST_CASE("a 60-byte frame crosses a gigabit switch in exactly two hops of 672 ns plus 1 us") {
  LanConfig cfg;
  cfg.link = gigabit();
  ThreeHosts t(cfg);
  CHECK(Lan::serialization(cfg.link, 60) == Time::ns(672));
  CHECK(Lan::serialization(cfg.link, 1514) == Time::ns(12'304));
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run();
  REQUIRE(t.b.got.size() == 1);
  CHECK(t.b.got[0].at == Time::ns(2 * (672 + 1000)));
}

TEST_CASE("a switch floods unknown unicast, then forwards only to the learned port") {
  ThreeHosts t;
  t.a.dev.send(make_frame(t.pool, kB, kA, 60, 1));  // B unknown: flooded to B and C
  t.sim.run();
  CHECK(t.b.got.size() == 1);
  CHECK(t.c.dev.counters().filtered == 1);  // C's NIC threw it away
  CHECK(t.lan.counters().flooded == 1);
  t.b.dev.send(make_frame(t.pool, kA, kB, 60, 2));  // A was learned from the first frame
  t.sim.run();
  CHECK(t.a.got.size() == 1);
  CHECK(t.c.dev.counters().filtered == 1);
  CHECK(t.lan.counters().flooded == 1);
  t.a.dev.send(make_frame(t.pool, kB, kA, 60, 3));  // B now known too
  t.sim.run();
  CHECK(t.b.got.size() == 2);
  CHECK(t.c.dev.counters().filtered == 1);
  auto table = t.lan.mac_table();
  REQUIRE(table.size() == 2);
  CHECK(table[0].mac == kA);
  CHECK(table[0].port == 0);
  CHECK(table[1].mac == kB);
  CHECK(table[1].port == 1);
}

TEST_CASE("a switch relearns a MAC that moves to another port at once") {
  ThreeHosts t;
  std::vector<MacLearned> learned;
  t.sim.trace().subscribe<MacLearned>([&](const MacLearned& e) { learned.push_back(e); });
  const wire::Mac vmac = wire::Mac::vrrp_virtual(7);
  // A owns the virtual MAC first and speaks from it, then C takes it over (a VRRP takeover).
  t.a.dev.accept_unicast(vmac);
  t.a.dev.send(make_frame(t.pool, wire::Mac::broadcast(), vmac));
  t.sim.run();
  CHECK(t.lan.port_of(vmac) == 0u);
  t.a.dev.stop_accepting(vmac);
  t.c.dev.accept_unicast(vmac);
  t.c.dev.send(make_frame(t.pool, wire::Mac::broadcast(), vmac));
  t.sim.run();
  CHECK(t.lan.port_of(vmac) == 2u);
  REQUIRE(learned.size() == 2);
  CHECK(learned[1].port == 2);
  CHECK(learned[1].old_port == 0);
  t.a.got.clear();
  t.b.dev.send(make_frame(t.pool, vmac, kB, 60, 9));
  t.sim.run();
  CHECK(t.a.got.empty());
  CHECK(t.a.dev.counters().filtered == 0);  // not even flooded to A's port
  REQUIRE(t.c.got.size() == 2);             // the broadcast from A, then this one
  CHECK(t.c.got[1].tag == 9);
}

TEST_CASE("a learned MAC ages out after the ageing time and its frames flood again") {
  LanConfig cfg;
  cfg.mac_ageing = Time::s(10);
  ThreeHosts t(cfg);
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run_until(Time::s(9));
  CHECK(t.lan.port_of(kA) == 0u);
  t.sim.run_until(Time::s(10));
  // Learned at 1.672 us: still there just before 10 s after that, gone at it.
  CHECK(t.lan.port_of(kA) == 0u);
  t.sim.run_until(Time::s(10) + Time::ns(1672));
  CHECK_FALSE(t.lan.port_of(kA).has_value());
  CHECK(t.lan.mac_table().empty());
  t.b.dev.send(make_frame(t.pool, kA, kB));
  t.sim.run();
  CHECK(t.a.got.size() == 1);
  CHECK(t.c.dev.counters().filtered == 2);  // both frames were flooded
}

TEST_CASE("a switch reports an aged-out MAC when a frame for it next arrives, with the port it was on") {
  LanConfig cfg;
  cfg.mac_ageing = Time::s(10);
  ThreeHosts t(cfg);
  std::vector<MacLearned> learned;
  t.sim.trace().subscribe<MacLearned>([&](const MacLearned& e) { learned.push_back(e); });
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run_until(Time::s(20));
  REQUIRE(learned.size() == 1);  // A learned; nothing said when it grew old
  CHECK_FALSE(learned[0].aged);
  t.b.dev.send(make_frame(t.pool, kA, kB));
  t.sim.run();
  // B learned, then the frame for A found A's entry aged: reported then, with A's old port.
  REQUIRE(learned.size() == 3);
  CHECK(learned[1].mac == kB);
  CHECK(learned[2].mac == kA);
  CHECK(learned[2].aged);
  CHECK(learned[2].port == kNoPort);
  CHECK(learned[2].old_port == 0);
  CHECK(learned[2].at > Time::s(20));
}

TEST_CASE("a busy link keeps one event in the engine however many frames it holds") {
  ThreeHosts t;
  for (int i = 0; i < 100; ++i) t.a.dev.send(make_frame(t.pool, kB, kA));
  CHECK(t.sim.pending_events() == 1);
  t.sim.run();
  CHECK(t.b.got.size() == 100);
}

TEST_CASE(
    "a NIC transmit queue holds queue_limit frames behind the one on the wire and tail-drops the rest") {
  sim::Simulation sim;
  FramePool pool;
  Drops drops(sim);
  LanConfig cfg;
  cfg.link = gigabit(2);
  Lan lan(sim, 3, "lan3", cfg);
  RecordingNic a(sim, kA), b(sim, kB);
  a.dev.set_identity(10, 1);
  lan.attach(a.dev);
  lan.attach(b.dev);
  int accepted = 0;
  for (std::uint8_t i = 0; i < 5; ++i) accepted += a.dev.send(make_frame(pool, kB, kA, 60, i)) ? 1 : 0;
  CHECK(accepted == 3);
  CHECK(lan.queued(0, true) == 2);
  REQUIRE(drops.all.size() == 2);
  CHECK(drops.count("queue-full") == 2);
  CHECK(drops.all[0].node == 10);  // the NIC's own queue: the node's drop
  CHECK(drops.all[0].iface == 1);
  CHECK(drops.all[0].lan == 3);
  CHECK(a.dev.counters().dropped == 2);
  sim.run();
  REQUIRE(b.got.size() == 3);
  CHECK(b.got[0].at == Time::ns(3344));
  CHECK(b.got[1].at == Time::ns(4016));
  CHECK(b.got[2].at == Time::ns(4688));
  CHECK(b.got[2].tag == 2);
}

TEST_CASE("a switch output queue tail-drops when two senders converge on one port") {
  sim::Simulation sim;
  FramePool pool;
  Drops drops(sim);
  LanConfig cfg;
  cfg.link = gigabit();
  Lan lan(sim, 0, "lan0", cfg);
  RecordingNic a(sim, kA), b(sim, kB), c(sim, kC);
  lan.attach(a.dev);
  PortIndex pb = lan.attach(b.dev, gigabit(1));
  lan.attach(c.dev);
  // B announces itself so nothing floods.
  b.dev.send(make_frame(pool, wire::Mac::broadcast(), kB));
  sim.run();
  Time t0 = sim.now();
  for (std::uint8_t i = 0; i < 3; ++i) a.dev.send(make_frame(pool, kB, kA, 60, i));
  for (std::uint8_t i = 0; i < 3; ++i) c.dev.send(make_frame(pool, kB, kC, 60, 10 + i));
  sim.run();
  // Both reach the switch at 1672 ns, 2344 ns, 3016 ns. B's port sends one, holds one, and
  // drops what finds its single waiting slot taken: C's second and third frames.
  REQUIRE(b.got.size() == 4);
  std::vector<std::uint8_t> tags;
  for (auto& g : b.got) tags.push_back(g.tag);
  CHECK(tags == std::vector<std::uint8_t>{0, 10, 1, 2});
  CHECK(b.got[0].at - t0 == Time::ns(3344));
  CHECK(b.got[1].at - t0 == Time::ns(4016));
  CHECK(b.got[2].at - t0 == Time::ns(4688));
  CHECK(b.got[3].at - t0 == Time::ns(5360));
  REQUIRE(drops.count("queue-full") == 2);
  CHECK(drops.all[0].node == kNoNode);  // a switch port's drop
  CHECK(drops.all[0].iface == pb);
  CHECK(lan.counters().dropped_queue_full == 2);
}

TEST_CASE("a port going down drops the frames on its link and those sent to it afterwards") {
  ThreeHosts t;
  Drops drops(t.sim);
  t.b.dev.send(make_frame(t.pool, wire::Mac::broadcast(), kB));
  t.sim.run();
  Time t0 = t.sim.now();
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run_until(t0 + Time::ns(2000));  // on B's downlink now
  std::vector<MacLearned> learned;
  t.sim.trace().subscribe<MacLearned>([&](const MacLearned& e) { learned.push_back(e); });
  t.lan.set_port_up(1, false);
  CHECK(drops.count("link-down") == 1);
  REQUIRE(learned.size() == 1);
  CHECK(learned[0].mac == kB);
  CHECK(learned[0].port == kNoPort);
  CHECK(learned[0].old_port == 1);
  CHECK_FALSE(t.b.dev.carrier());
  // B's MAC was forgotten with its port: the next frame floods, reaching only C.
  t.a.dev.send(make_frame(t.pool, kB, kA));
  CHECK_FALSE(t.b.dev.send(make_frame(t.pool, kA, kB)));
  t.sim.run();
  CHECK(t.b.got.size() == 0);
  CHECK(t.c.dev.counters().filtered == 1);
  CHECK(drops.count("link-down") == 2);
  CHECK(t.lan.counters().dropped_link_down == 2);
  t.lan.set_port_up(1, true);
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run();
  CHECK(t.b.got.size() == 1);
}

TEST_CASE("a NIC that is down neither sends nor receives") {
  ThreeHosts t;
  Drops drops(t.sim);
  t.b.dev.set_up(false);
  CHECK_FALSE(t.b.dev.send(make_frame(t.pool, kA, kB)));
  t.a.dev.send(make_frame(t.pool, kB, kA));
  t.sim.run();
  CHECK(t.b.got.empty());
  CHECK(drops.count("iface-down") == 2);
  CHECK(t.b.dev.counters().dropped == 2);
}

namespace {
std::size_t delivered_with_loss(std::uint64_t seed) {
  LanConfig cfg;
  cfg.kind = LanKind::Shared;
  cfg.link.loss_out = 0.3;  // on A's transmit side only
  sim::Simulation sim(seed);
  FramePool pool;
  Lan wan(sim, 0, "wan", cfg);
  RecordingNic a(sim, kA), b(sim, kB);
  wan.attach(a.dev);
  wan.attach(b.dev);
  for (int i = 0; i < 1000; ++i) a.dev.send(make_frame(pool, kB, kA));
  sim.run();
  CHECK(wan.counters().dropped_loss + b.got.size() == 1000);
  return b.got.size();
}
}  // namespace

TEST_CASE("link loss follows its probability and repeats exactly with the same seed") {
  std::size_t first = delivered_with_loss(7);
  CHECK(first > 640);
  CHECK(first < 760);
  CHECK(delivered_with_loss(7) == first);
  CHECK(delivered_with_loss(8) != first);
}

TEST_CASE("a link lossy in one direction loses only what goes that way") {
  // B's cable loses 40 % of what the switch sends to B and nothing B sends (loss_in only).
  ThreeHosts t({}, 11);
  LinkConfig lossy = t.lan.link_config(1);
  lossy.loss_in = 0.4;
  t.lan.set_link_config(1, lossy);
  for (int i = 0; i < 1000; ++i) {
    t.a.dev.send(make_frame(t.pool, kB, kA));
    t.b.dev.send(make_frame(t.pool, kA, kB));
  }
  t.sim.run();
  CHECK(t.a.got.size() == 1000);
  CHECK(t.b.got.size() > 550);
  CHECK(t.b.got.size() < 650);
  CHECK(t.lan.counters().dropped_loss == 1000 - t.b.got.size());
}

TEST_CASE("on a shared segment the receiver's loss_in applies to each copy separately") {
  LanConfig cfg;
  cfg.kind = LanKind::Shared;
  sim::Simulation sim(5);
  FramePool pool;
  Lan hub(sim, 0, "hub", cfg);
  RecordingNic a(sim, kA), b(sim, kB), c(sim, kC);
  hub.attach(a.dev);
  LinkConfig deaf;
  deaf.loss_in = 1.0;
  hub.attach(b.dev, deaf);
  hub.attach(c.dev);
  for (int i = 0; i < 10; ++i) a.dev.send(make_frame(pool, wire::Mac::broadcast(), kA));
  b.dev.send(make_frame(pool, wire::Mac::broadcast(), kB));
  sim.run();
  CHECK(b.got.empty());       // B hears nothing
  CHECK(c.got.size() == 11);  // C hears A and B
  CHECK(a.got.size() == 1);   // B's own sending is not lossy
}

TEST_CASE("a two-port shared segment is a point-to-point cable: one serialization, one delay") {
  sim::Simulation sim;
  FramePool pool;
  LanConfig cfg;
  cfg.kind = LanKind::Shared;
  cfg.link.delay = Time::ms(20);
  cfg.link.bandwidth_bps = 10'000'000;
  Lan wan(sim, 0, "wan", cfg);
  RecordingNic a(sim, kA), b(sim, kB);
  wan.attach(a.dev);
  wan.attach(b.dev);
  a.dev.send(make_frame(pool, kB, kA, 1514));
  a.dev.send(make_frame(pool, kA, kB, 1514));  // not for B: its NIC filters it
  sim.run();
  REQUIRE(b.got.size() == 1);
  // (1514 + 24) * 8 bits at 10 Mb/s = 1230.4 us, rounded up to the nanosecond.
  CHECK(b.got[0].at == Time::ms(20) + Time::ns(1'230'400));
  CHECK(b.dev.counters().filtered == 1);
  CHECK(wan.mac_table().empty());  // a cable learns nothing
}
