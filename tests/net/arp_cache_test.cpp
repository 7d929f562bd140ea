#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

#include "models/link/trace_events.hpp"
#include "models/net/arp_cache.hpp"
#include "tests/net/net_helpers.hpp"

using namespace nlb;
using namespace nlb::net;
using nlb::net::test::ip;
using sim::Time;
using wire::Arp;
using wire::Mac;

namespace {
const Mac kMe = Mac::local(1);
const Mac kB = Mac::local(2);
const Mac kC = Mac::local(3);

// Records what the table asks for.
struct Recorder : ArpCache::Output {
  struct Request {
    Time at;
    wire::Ipv4 target;
    Mac dst;
  };
  explicit Recorder(sim::Simulation& s) : sim(s) {}
  void arp_request(wire::Ipv4 target, Mac dst) override { requests.push_back({sim.now(), target, dst}); }
  void arp_release(link::FrameRef d, Mac mac) override { released.push_back({d->data[0], mac}); }
  void arp_drop(link::FrameRef d, const char* reason) override { dropped.push_back({d->data[0], reason}); }
  void arp_changed(const ArpChange& c) override { changes.push_back(c); }
  sim::Simulation& sim;
  std::vector<Request> requests;
  std::vector<std::pair<std::byte, Mac>> released;
  std::vector<std::pair<std::byte, std::string>> dropped;
  std::vector<ArpChange> changes;
};

ArpConfig fixed_timers() {
  ArpConfig c;
  c.randomize_reachable_time = false;  // REACHABLE lasts exactly 30 s
  return c;
}

struct Fixture {
  explicit Fixture(ArpConfig c = fixed_timers()) : out(sim), cache(sim, c, out, sim.rng().stream("arp")) {}
  link::FrameRef datagram(std::uint8_t tag) {
    link::FrameRef f = pool.make(60);
    f.mut().data[0] = std::byte{tag};
    return f;
  }
  // Resolves, returning the MAC if there is one now.
  std::optional<Mac> send(wire::Ipv4 to, std::uint8_t tag = 0) {
    link::FrameRef f = datagram(tag);
    return cache.resolve(to, f);
  }
  sim::Simulation sim;
  link::FramePool pool;
  Recorder out;
  ArpCache cache;
};

const wire::Ipv4 kIpB = ip("10.0.0.2");
}  // namespace

TEST_CASE("a miss sends a broadcast request and queues the datagram until the reply releases it") {
  Fixture f;
  CHECK_FALSE(f.send(kIpB, 1));
  CHECK_FALSE(f.send(kIpB, 2));
  REQUIRE(f.out.requests.size() == 1);  // one request per resolution, not per datagram
  CHECK(f.out.requests[0].dst == Mac::broadcast());
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Incomplete);
  CHECK(f.cache.lookup(kIpB)->queued == 2);
  f.sim.run_until(Time::ms(300));
  CHECK(f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true) == ArpCache::Learned::Updated);
  REQUIRE(f.out.released.size() == 2);
  CHECK(f.out.released[0] == std::pair{std::byte{1}, kB});
  CHECK(f.out.released[1] == std::pair{std::byte{2}, kB});
  auto e = f.cache.lookup(kIpB);
  CHECK(e->state == ArpState::Reachable);
  CHECK(e->mac == kB);
  CHECK(e->updated == Time::ms(300));
  CHECK(e->deadline == Time::ms(300) + Time::s(30));
  CHECK(f.send(kIpB) == kB);
}

TEST_CASE("datagrams beyond the queue limit are dropped with arp-queue-full") {
  Fixture f;
  for (std::uint8_t i = 0; i < 5; ++i) f.send(kIpB, i);
  CHECK(f.cache.lookup(kIpB)->queued == 3);
  REQUIRE(f.out.dropped.size() == 2);
  CHECK(f.out.dropped[0] == std::pair{std::byte{3}, std::string("arp-queue-full")});
  CHECK(f.out.dropped[1] == std::pair{std::byte{4}, std::string("arp-queue-full")});
}

TEST_CASE("resolution retries every second and after three requests drops the queue with arp-failed") {
  Fixture f;
  f.send(kIpB, 7);
  f.sim.run_until(Time::s(10));
  REQUIRE(f.out.requests.size() == 3);
  CHECK(f.out.requests[1].at == Time::s(1));
  CHECK(f.out.requests[2].at == Time::s(2));
  REQUIRE(f.out.dropped.size() == 1);
  CHECK(f.out.dropped[0].second == "arp-failed");
  CHECK(f.out.changes.back().kind == ArpChangeKind::Fail);
  CHECK(f.out.changes.back().state == ArpState::Failed);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Failed);
  // The next datagram starts over.
  CHECK_FALSE(f.send(kIpB, 8));
  CHECK(f.out.requests.size() == 4);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Incomplete);
}

TEST_CASE("a failed entry is forgotten after gc_stale_time") {
  Fixture f;
  f.send(kIpB);
  f.sim.run_until(Time::s(3));
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Failed);
  f.sim.run_until(Time::s(63) - Time::ns(1));
  CHECK(f.cache.lookup(kIpB));
  f.sim.run_until(Time::s(63));
  CHECK_FALSE(f.cache.lookup(kIpB));
  CHECK(f.out.changes.back().kind == ArpChangeKind::Expire);
}

TEST_CASE("any ARP from a known sender updates its MAC: the RFC 826 merge rule") {
  Fixture f;
  f.cache.input(Arp::request(kB, kIpB, ip("10.0.0.1")), true, false);  // B asks for us: learned
  CHECK(f.cache.lookup(kIpB)->mac == kB);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Stale);
  SUBCASE("a gratuitous request") {
    CHECK(f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false) == ArpCache::Learned::Updated);
  }
  SUBCASE("a gratuitous reply") {
    CHECK(f.cache.input(Arp::gratuitous_reply(kC, kIpB), false, false) == ArpCache::Learned::Updated);
  }
  SUBCASE("a request for someone else") {
    CHECK(f.cache.input(Arp::request(kC, kIpB, ip("10.0.0.9")), false, false) == ArpCache::Learned::Updated);
  }
  CHECK(f.cache.lookup(kIpB)->mac == kC);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Stale);
  const ArpChange& c = f.out.changes.back();
  CHECK(c.kind == ArpChangeKind::Update);
  CHECK(c.mac == kC);
  CHECK(c.old_mac == kB);
  CHECK(f.send(kIpB) == kC);
}

TEST_CASE("an ARP not for us never creates an entry (arp_accept=0)") {
  Fixture f;
  CHECK(f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false) == ArpCache::Learned::Ignored);
  CHECK(f.cache.input(Arp::reply(kC, kIpB, kB, ip("10.0.0.3")), false, false) == ArpCache::Learned::Ignored);
  CHECK(f.cache.size() == 0);
  CHECK(f.out.changes.empty());
}

TEST_CASE("an RFC 5227 probe teaches nothing, even about a known address") {
  Fixture f;
  f.cache.add_static(ip("10.0.0.5"), kB);
  CHECK(f.cache.input(Arp::probe(kC, ip("10.0.0.1")), true, false) == ArpCache::Learned::Ignored);
  CHECK(f.cache.input(Arp::gratuitous_request(kC, ip("10.0.0.5")), false, false) ==
        ArpCache::Learned::Ignored);
  CHECK(f.cache.lookup(ip("10.0.0.5"))->mac == kB);  // permanent entries never move
  CHECK(f.cache.size() == 1);
}

TEST_CASE("a reachable entry goes stale after the reachable time, then expires unused after gc_stale_time") {
  Fixture f;
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  f.sim.run_until(Time::s(30) - Time::ns(1));
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Reachable);
  f.sim.run_until(Time::s(30));
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Stale);
  f.sim.run_until(Time::s(90));
  CHECK_FALSE(f.cache.lookup(kIpB));
  CHECK(f.out.changes.back().kind == ArpChangeKind::Expire);
  CHECK(f.out.changes.back().old_mac == kB);
}

TEST_CASE("a stale entry in use is probed by unicast after 5 s and fails after three unanswered probes") {
  Fixture f;
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  f.sim.run_until(Time::s(40));
  CHECK(f.send(kIpB, 1) == kB);  // stale: used at once ...
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Delay);
  f.sim.run_until(Time::s(45));  // ... and checked 5 s later
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Probe);
  REQUIRE(f.out.requests.size() == 2);
  CHECK(f.out.requests[1].at == Time::s(45));
  CHECK(f.out.requests[1].dst == kB);  // unicast to the cached MAC
  CHECK(f.send(kIpB, 2) == kB);        // still used while probing
  f.sim.run_until(Time::s(48));
  CHECK(f.out.requests.size() == 4);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Failed);
}

TEST_CASE("a probe answered by a unicast reply makes the entry reachable again") {
  Fixture f;
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  f.sim.run_until(Time::s(40));
  f.send(kIpB);
  f.sim.run_until(Time::s(45) + Time::ms(1));
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Reachable);
  CHECK(f.cache.lookup(kIpB)->deadline == Time::s(75) + Time::ms(1));
}

TEST_CASE("an upper-layer confirmation keeps an entry reachable without ARP traffic") {
  Fixture f;
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  f.sim.run_until(Time::s(20));
  f.cache.confirm(kIpB);
  f.sim.run_until(Time::s(49));
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Reachable);
  f.sim.run_until(Time::s(50));
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Stale);
  CHECK(f.out.requests.size() == 1);
}

TEST_CASE("reachable times are drawn in [15 s, 45 s) when randomised") {
  ArpConfig c;
  Fixture f(c);
  for (int i = 0; i < 50; ++i) {
    wire::Ipv4 a(10, 0, 1, static_cast<std::uint8_t>(i));
    f.cache.input(Arp::reply(kB, a, kMe, ip("10.0.0.1")), true, true);
    Time d = f.cache.lookup(a)->deadline;
    CHECK(d >= Time::s(15));
    CHECK(d < Time::s(45));
  }
}

TEST_CASE("a router's fixed-lifetime cache keeps an entry for exactly its lifetime, refreshed by any ARP") {
  ArpConfig c;
  c.fixed_lifetime = Time::min(240);  // Cisco IOS: 4 hours
  Fixture f(c);
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);
  f.sim.run_until(Time::min(200));
  CHECK(f.send(kIpB) == kB);  // no Stale/Delay/Probe: nothing is re-checked
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Reachable);
  CHECK(f.out.requests.size() == 1);
  // A gratuitous ARP moves it and restarts the lifetime.
  f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false);
  CHECK(f.cache.lookup(kIpB)->mac == kC);
  f.sim.run_until(Time::min(440) - Time::ns(1));
  CHECK(f.cache.lookup(kIpB)->mac == kC);
  f.sim.run_until(Time::min(440));
  CHECK_FALSE(f.cache.lookup(kIpB));
  CHECK_FALSE(f.send(kIpB));  // re-resolved by broadcast
  CHECK(f.out.requests.back().dst == Mac::broadcast());
}

TEST_CASE("gratuitous ARPs move an entry, or not, as the table's policy says") {
  // The same entry (10.0.0.2 at B), then a takeover announced by C as a request and as a reply.
  auto run = [](GratuitousArp policy) {
    ArpConfig c = fixed_timers();
    c.gratuitous = policy;
    Fixture f(c);
    f.cache.input(Arp::request(kB, kIpB, ip("10.0.0.1")), true, false);
    const auto by_request = f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false);
    const Mac after_request = f.cache.lookup(kIpB)->mac;
    f.cache.input(Arp::request(kB, kIpB, ip("10.0.0.1")), true, false);  // back at B
    const auto by_reply = f.cache.input(Arp::gratuitous_reply(kC, kIpB), false, false);
    return std::tuple{by_request, after_request, by_reply, f.cache.lookup(kIpB)->mac};
  };
  using L = ArpCache::Learned;
  // RFC 826 merge rule (Linux, Cisco IOS): both move it.
  CHECK(run(GratuitousArp::Update) == std::tuple{L::Updated, kC, L::Updated, kC});
  // Junos without gratuitous-arp-reply: the request moves it, the reply does not.
  CHECK(run(GratuitousArp::RequestsOnly) == std::tuple{L::Updated, kC, L::Ignored, kB});
  CHECK(run(GratuitousArp::Ignore) == std::tuple{L::Ignored, kB, L::Ignored, kB});
}

TEST_CASE("a router that ignores gratuitous ARPs keeps a moved address until its entry expires") {
  ArpConfig c;
  c.fixed_lifetime = Time::min(240);
  c.gratuitous = GratuitousArp::Ignore;
  Fixture f(c);
  f.send(kIpB);
  f.cache.input(Arp::reply(kB, kIpB, kMe, ip("10.0.0.1")), true, true);  // learned at 0
  f.sim.run_until(Time::s(10));
  f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false);  // the address moved to C
  f.sim.run_until(Time::min(240) - Time::ns(1));
  CHECK(f.send(kIpB) == kB);  // still the old MAC: 4 h minus 10 s of blackhole
  f.sim.run_until(Time::min(240));
  CHECK_FALSE(f.cache.lookup(kIpB));
  // An ordinary (non-gratuitous) reply to the new resolution is learned.
  CHECK_FALSE(f.send(kIpB));
  f.cache.input(Arp::reply(kC, kIpB, kMe, ip("10.0.0.1")), true, true);
  CHECK(f.send(kIpB) == kC);
}

TEST_CASE("with arp_accept=1 a gratuitous ARP creates a stale entry; other ARPs not for us still do not") {
  ArpConfig c = fixed_timers();
  c.accept_unsolicited = true;
  Fixture f(c);
  CHECK(f.cache.input(Arp::request(kC, ip("10.0.0.7"), ip("10.0.0.9")), false, false) ==
        ArpCache::Learned::Ignored);
  CHECK(f.cache.input(Arp::gratuitous_request(kC, kIpB), false, false) == ArpCache::Learned::Created);
  CHECK(f.cache.lookup(kIpB)->mac == kC);
  CHECK(f.cache.lookup(kIpB)->state == ArpState::Stale);  // Linux: unconfirmed, so STALE
  CHECK(f.send(kIpB) == kC);                              // used at once, checked later
  CHECK(f.out.requests.empty());
}

TEST_CASE("clearing the table drops the waiting datagrams with the given reason and reports each entry") {
  Fixture f;
  f.send(kIpB, 1);
  f.cache.input(Arp::request(kC, ip("10.0.0.3"), ip("10.0.0.1")), true, false);
  f.cache.clear("node-down");
  CHECK(f.cache.size() == 0);
  REQUIRE(f.out.dropped.size() == 1);
  CHECK(f.out.dropped[0].second == "node-down");
  CHECK(f.out.changes.back().kind == ArpChangeKind::Expire);
  f.sim.run();
  CHECK(f.out.requests.size() == 1);  // no timer left running
}

TEST_CASE("entries read back in address order with their state") {
  Fixture f;
  f.cache.input(Arp::request(kC, ip("10.0.0.9"), ip("10.0.0.1")), true, false);
  f.cache.input(Arp::request(kB, ip("10.0.0.3"), ip("10.0.0.1")), true, false);
  f.send(ip("10.0.0.5"));
  auto all = f.cache.entries();
  REQUIRE(all.size() == 3);
  CHECK(all[0].ip == ip("10.0.0.3"));
  CHECK(all[1].ip == ip("10.0.0.5"));
  CHECK(all[1].state == ArpState::Incomplete);
  CHECK(all[1].queued == 1);
  CHECK(all[2].ip == ip("10.0.0.9"));
  CHECK(std::string(to_string(all[2].state)) == "stale");
}
