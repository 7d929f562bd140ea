#include <doctest/doctest.h>

#include <algorithm>

#include "models/nodes/site.hpp"
#include "runner/measure/address_audit.hpp"
#include "tests/nodes/trace_log.hpp"

namespace nlb::nodes {
namespace {

using test::ip;

bool listed(const measure::AddressAudit& a, const char* addr) {
  return std::any_of(a.addresses.begin(), a.addresses.end(),
                     [&](const measure::PublicAddress& p) { return p.address == ip(addr); });
}

TEST_CASE("the prior art's Figure 2 site needs six public addresses") {
  sim::Simulation sim;
  Site site = build_figure2(sim);
  const auto audit = measure::audit_addresses(*site.network);
  MESSAGE(audit.table());
  CHECK(audit.count() == 6);
  // Seed: 201/202 the firewalls, 203 their VRRP address, 204/205 the balancers, 206 the cluster.
  for (const char* a :
       {"203.0.113.2", "203.0.113.3", "203.0.113.1", "203.0.113.4", "203.0.113.5", "203.0.113.10"})
    CHECK(listed(audit, a));
}

TEST_CASE("the invention's Figure 3 site needs one public address, the cluster address") {
  sim::Simulation sim;
  Site site = build_figure3(sim);
  const auto audit = measure::audit_addresses(*site.network);
  MESSAGE(audit.table());
  REQUIRE(audit.count() == 1);
  const auto& cluster = audit.addresses.front();
  CHECK(cluster.address == site.addr.cluster);
  // On both balancers' and every server's loopback, and nowhere else.
  CHECK(cluster.places.size() == 2 + site.servers.size());
  for (const auto& p : cluster.places) CHECK(p.where == "lo");
}

TEST_CASE("the audit counts the addresses a role takes at run time, before it has taken them") {
  sim::Simulation sim;
  Site site = build_figure2(sim);
  // Nothing booted: no VRRP master, no active balancer, so the VRRP address and the cluster
  // address on the access subnet are on no interface yet; they are public all the same.
  CHECK_FALSE(site.firewalls[0]->is_local(site.addr.vrrp_access));
  const auto audit = measure::audit_addresses(*site.network);
  CHECK(listed(audit, "203.0.113.1"));
  const auto& cluster =
      *std::find_if(audit.addresses.begin(), audit.addresses.end(),
                    [&](const measure::PublicAddress& p) { return p.address == site.addr.cluster; });
  CHECK(std::count_if(cluster.places.begin(), cluster.places.end(),
                      [](const measure::AddressPlace& p) { return p.where == "eth0 (at run time)"; }) == 2);
}

TEST_CASE("public means outside RFC 1918, shared, loopback, link-local and multicast space") {
  CHECK(measure::is_public(ip("203.0.113.10")));
  CHECK(measure::is_public(ip("8.8.8.8")));
  for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.4", "192.168.10.10", "100.64.0.1", "127.0.0.1",
                        "169.254.1.1", "224.0.0.18", "255.255.255.255", "0.0.0.0"})
    CHECK_FALSE(measure::is_public(ip(a)));
  CHECK(measure::is_public(ip("172.32.0.1")));
  CHECK(measure::is_public(ip("100.128.0.1")));
}

}  // namespace
}  // namespace nlb::nodes
