#include <doctest/doctest.h>

#include "models/nodes/site.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;

TEST_CASE("the Figure 3 site elects a VRRP master and an active balancer, and serves a request") {
  sim::Simulation sim(7);
  SiteConfig cfg;
  apps::HttpClientConfig h;
  h.arrivals = apps::Arrivals::fixed(Time::ms(500));
  h.start = Time::s(5);
  h.max_requests = 4;
  cfg.traffic = h;
  Site site = build_figure3(sim, cfg);
  site.boot();
  sim.run_until(Time::s(10));
  REQUIRE(site.master_firewall() == site.firewalls[0]);
  REQUIRE(site.active_balancer() == site.balancers[0]);
  CHECK(site.balancers[1]->ha_state() == wire::HaState::Standby);
  const auto& c = site.clients[0]->http(0).counters();
  CHECK(c.started == 4);
  CHECK(c.ok == 4);
  CHECK(site.balancers[0]->counters().new_connections == 8);
}

}  // namespace
}  // namespace nlb::nodes
