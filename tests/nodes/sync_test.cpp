// Connection-table sync decides whether connections in flight survive a balancer takeover (the
// seed, "High Availability": "the great majority of the existing connections in flight will
// survive the failure"). Without sync the new active balancer gives their segments to the
// scheduler, a server that never saw the connection answers RST, and the client sees it reset.
#include <doctest/doctest.h>

#include <memory>

#include "models/nodes/site.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "runner/measure/failover.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;

struct Outcome {
  measure::FailoverResult failover;
  std::size_t server_resets = 0;  // RSTs servers sent for segments of unknown connections
  std::uint64_t client_resets = 0;
};

Outcome crash_active(SyncMode mode) {
  sim::Simulation sim(99);
  SiteConfig cfg;
  cfg.clients = 4;
  cfg.servers = 3;
  cfg.sync.mode = mode;
  cfg.http.service = apps::ServiceTime::constant(Time::ms(20));
  apps::HttpClientConfig h;
  h.arrivals = apps::Arrivals::poisson(10);
  // Five seconds of traffic around the crash, on balancers settled well before: by the crash
  // the open connections (25 to 30 at 10 new per second) are in their steady state. Longer
  // traffic adds nothing to what is checked, only time (under the sanitizers).
  h.start = Time::s(16);
  h.stop = Time::s(21);
  h.response_size = 1'000'000;  // about a second of transfer over the 40 ms WAN round trip
  cfg.traffic = h;
  Site site = build_figure3(sim, cfg);
  measure::FailoverMeter meter(sim,
                               measure::targets_of(*site.network, {site.addr.cluster}, {site.addr.nlbs}));
  Outcome out;
  sim.trace().subscribe<transport::TcpResetUnknownEvent>([&](const transport::TcpResetUnknownEvent& e) {
    for (Server* s : site.servers) out.server_resets += e.node == s->id();
  });
  site.boot();
  sim.run_until(Time::s(20));
  site.balancers[0]->crash();
  sim.run_until(Time::s(45));
  out.failover = meter.measure(Time::s(20), site.balancers[0]->id());
  for (Client* c : site.clients) out.client_resets += c->http(0).counters().reset;
  MESSAGE("sync ", std::string(to_string(mode)), ": ", out.failover.connections_completed, "/",
          out.failover.connections_open, " connections completed, ", out.server_resets,
          " RSTs from servers, ", out.client_resets, " requests reset");
  return out;
}

// The run without sync, which two tests compare against: one run (same seed, same outcome).
const Outcome& without_sync() {
  static const Outcome off = crash_active(SyncMode::Off);
  return off;
}

TEST_CASE("with per-connection sync every connection open at the balancer crash completes") {
  auto o = crash_active(SyncMode::PerConnection);
  REQUIRE(o.failover.connections_open >= 10);
  CHECK(o.failover.survival() == 1.0);
  CHECK(o.server_resets == 0);
  CHECK(o.client_resets == 0);
}

TEST_CASE("without sync the connections open at the balancer crash visibly break with server RSTs") {
  const Outcome& o = without_sync();
  REQUIRE(o.failover.connections_open >= 10);
  // A third of them may land on their own server again by chance; the rest are reset.
  CHECK(o.failover.survival() < 0.8);
  CHECK(o.server_resets > 0);
  CHECK(o.client_resets > 0);
}

TEST_CASE("batched sync (IPVS's rule, 2 s flush) saves the connections synced before the crash") {
  auto batch = crash_active(SyncMode::Batch);
  const Outcome& off = without_sync();
  REQUIRE(batch.failover.connections_open >= 10);
  // The same traffic (same seed) without sync: batching saves the connections it had sent...
  CHECK(batch.failover.survival() > off.failover.survival() + 0.2);
  CHECK(batch.server_resets < off.server_resets);
  // ...but those opened within the flush delay before the crash never reached the standby.
  CHECK(batch.failover.survival() < 1.0);
  CHECK(batch.server_resets > 0);
}

TEST_CASE("a returning primary catches up in table size over bulk_rate, then takes back (wait_for_sync)") {
  sim::Simulation sim(7);
  SiteConfig cfg;
  cfg.clients = 4;
  cfg.servers = 3;
  cfg.sync.bulk_rate = 600;  // 10 messages of 60 entries per second
  apps::HttpClientConfig h;
  h.arrivals = apps::Arrivals::poisson(40);
  h.start = Time::s(5);
  h.stop = Time::s(19);  // a table that does not grow during the transfer
  cfg.traffic = h;
  Site site = build_figure3(sim, cfg);
  site.boot();
  sim.run_until(Time::s(20));
  Balancer& lb1 = *site.balancers[0];
  Balancer& lb2 = *site.balancers[1];
  lb1.crash();
  sim.run_until(Time::s(40));
  // Closed connections linger (FIN_WAIT/TIME_WAIT 120 s): the whole run's are there.
  const std::size_t table = lb2.table().size();
  REQUIRE(table > 1200);
  lb1.recover();
  Time synced = Time::max(), active = Time::max();
  sim.trace().subscribe<protocols::HaStateChanged>([&](const protocols::HaStateChanged& e) {
    if (e.node == lb1.id() && e.to == wire::HaState::Active) active = e.at;
  });
  while (sim.now() < Time::s(70) && synced == Time::max()) {
    sim.run_until(sim.now() + Time::ms(1));
    if (lb1.ha().sync_status() == wire::HaSyncStatus::Synchronized) synced = sim.now();
  }
  REQUIRE(synced != Time::max());
  // It stands by within half a second (lb2's next heartbeat); the transfer starts at once and
  // sends ceil(table / 60) messages 100 ms apart: table / rate.
  const Time expected = Time::ms(100) * static_cast<std::int64_t>((table + 59) / 60 - 1);
  MESSAGE("table ", table, " entries: synchronised ", (synced - Time::s(40)).str(), " after the recovery");
  CHECK(synced - Time::s(40) >= expected);
  CHECK(synced - Time::s(40) <= expected + Time::ms(502));
  sim.run_until(synced + Time::ms(10));
  // It asked as soon as it was synchronised: active two heartbeat transits later.
  CHECK(active >= synced - Time::ms(1));
  CHECK(active <= synced + Time::ms(1));
  CHECK(lb2.ha_state() == wire::HaState::Standby);
}

}  // namespace
}  // namespace nlb::nodes
