#include <doctest/doctest.h>

#include "models/net/interface_table.hpp"
#include "models/net/routing_table.hpp"
#include "tests/net/net_helpers.hpp"

using namespace nlb;
using namespace nlb::net;
using nlb::net::test::ip;
using nlb::net::test::prefix;

TEST_CASE("every address of every interface is local, aliases and loopback included") {
  InterfaceTable t;
  IfIndex eth0 = t.add("eth0", nullptr);
  IfIndex lo = t.add_loopback();
  CHECK(t.add_address(eth0, {ip("10.1.0.2"), 24, false}));
  CHECK(t.add_address(eth0, {ip("10.1.0.100"), 24, true}));
  CHECK(t.add_address(lo, {ip("203.0.113.10"), 32, true}));
  CHECK_FALSE(t.add_address(eth0, {ip("10.1.0.2"), 24, false}));  // already there
  CHECK(t.is_local(ip("10.1.0.2")));
  CHECK(t.is_local(ip("10.1.0.100")));
  CHECK(t.is_local(ip("203.0.113.10")));
  CHECK_FALSE(t.is_local(ip("10.1.0.3")));
  CHECK(t.owner_of(ip("203.0.113.10")) == lo);
  CHECK(t.has_address(eth0, ip("10.1.0.100")));
  CHECK_FALSE(t.has_address(eth0, ip("203.0.113.10")));
  CHECK(t.loopback() == lo);
  CHECK(t.find("eth0") == eth0);
  CHECK_FALSE(t.find("eth9"));
  CHECK(t.remove_address(eth0, ip("10.1.0.100")));
  CHECK_FALSE(t.remove_address(eth0, ip("10.1.0.100")));
  CHECK_FALSE(t.is_local(ip("10.1.0.100")));
  CHECK(t.is_local(ip("10.1.0.2")));
}

TEST_CASE("the source address is a primary on the destination's subnet, never an alias") {
  InterfaceTable t;
  IfIndex eth0 = t.add("eth0", nullptr);
  IfIndex eth1 = t.add("eth1", nullptr);
  IfIndex lo = t.add_loopback();
  t.add_address(eth0, {ip("10.1.0.100"), 24, true});  // an alias added first
  t.add_address(eth0, {ip("10.1.0.2"), 24, false});
  t.add_address(eth0, {ip("192.168.5.2"), 24, false});
  t.add_address(eth1, {ip("10.2.0.2"), 24, false});
  t.add_address(lo, {ip("203.0.113.10"), 32, true});
  CHECK(t.primary(eth0) == ip("10.1.0.2"));
  CHECK(t.source_for(eth0, ip("10.1.0.1")) == ip("10.1.0.2"));
  CHECK(t.source_for(eth0, ip("192.168.5.9")) == ip("192.168.5.2"));
  CHECK(t.source_for(eth0, ip("8.8.8.8")) == ip("10.1.0.2"));  // off-subnet: the primary
  CHECK(t.source_for(lo, ip("8.8.8.8")) == ip("203.0.113.10"));
  IfIndex bare = t.add("eth2", nullptr);
  // No address of its own: the first primary of another interface, never an alias.
  CHECK(t.source_for(bare, ip("8.8.8.8")) == ip("10.1.0.2"));
}

TEST_CASE("a subnet's directed broadcast is recognised, but not on /31 and /32") {
  InterfaceTable t;
  IfIndex eth0 = t.add("eth0", nullptr);
  t.add_address(eth0, {ip("10.1.0.2"), 24, false});
  t.add_address(eth0, {ip("10.9.0.0"), 31, false});
  CHECK(t.is_subnet_broadcast(eth0, ip("10.1.0.255")));
  CHECK_FALSE(t.is_subnet_broadcast(eth0, ip("10.1.1.255")));
  CHECK_FALSE(t.is_subnet_broadcast(eth0, ip("10.9.0.1")));
}

TEST_CASE("the routing table picks the longest matching prefix") {
  RoutingTable r;
  r.add_default(ip("10.0.0.1"), 0);
  r.add({prefix("10.0.0.0/8"), {}, 0, RouteKind::Direct, 0, {}});
  r.add({prefix("10.1.0.0/16"), ip("10.0.0.2"), 0, RouteKind::Static, 0, {}});
  r.add({prefix("10.1.2.3/32"), ip("10.0.0.3"), 0, RouteKind::Static, 0, {}});
  r.add({prefix("192.168.1.0/24"), {}, 1, RouteKind::Direct, 0, {}});
  auto hop = [&](const char* dst) { return r.lookup(ip(dst)).value().next_hop; };
  CHECK(hop("10.1.2.3") == ip("10.0.0.3"));
  CHECK(hop("10.1.2.4") == ip("10.0.0.2"));
  CHECK(hop("10.200.0.1") == ip("10.200.0.1"));  // direct: the destination itself
  CHECK(hop("8.8.8.8") == ip("10.0.0.1"));
  CHECK(r.lookup(ip("192.168.1.7"))->iface == 1);
  CHECK(r.lookup(ip("192.168.1.7"))->route->kind == RouteKind::Direct);
  // In match order.
  REQUIRE(r.routes().size() == 5);
  CHECK(r.routes().front().dest.length() == 32);
  CHECK(r.routes().back().dest.length() == 0);
}

TEST_CASE("without a default route an unmatched destination has no route") {
  RoutingTable r;
  r.add({prefix("10.0.0.0/24"), {}, 0, RouteKind::Direct, 0, {}});
  CHECK_FALSE(r.lookup(ip("10.0.1.1")));
  CHECK(r.lookup(ip("10.0.0.255")));
}

TEST_CASE("equal prefixes go to the lower metric, then to the route added first") {
  RoutingTable r;
  r.add({prefix("10.5.0.0/16"), ip("10.0.0.7"), 0, RouteKind::Static, 10, {}});
  r.add({prefix("10.5.0.0/16"), ip("10.0.0.8"), 0, RouteKind::Static, 5, {}});
  r.add({prefix("10.5.0.0/16"), ip("10.0.0.9"), 0, RouteKind::Static, 5, {}});
  CHECK(r.lookup(ip("10.5.1.1"))->next_hop == ip("10.0.0.8"));
  CHECK(r.remove(prefix("10.5.0.0/16"), ip("10.0.0.8")) == 1);
  CHECK(r.lookup(ip("10.5.1.1"))->next_hop == ip("10.0.0.9"));
  // Adding the same route again replaces it rather than doubling it.
  r.add({prefix("10.5.0.0/16"), ip("10.0.0.9"), 0, RouteKind::Static, 5, {}});
  CHECK(r.routes().size() == 2);
}

TEST_CASE("a gateway route without an interface takes the interface of the gateway's subnet") {
  RoutingTable r;
  r.add({prefix("10.1.0.0/24"), {}, 3, RouteKind::Direct, 0, {}});
  r.add({prefix("203.0.113.10/32"), ip("10.1.0.100"), kNoIface, RouteKind::Static, 0, {}});
  r.add({prefix("198.51.100.0/24"), ip("172.16.0.1"), kNoIface, RouteKind::Static, 0, {}});
  auto hop = r.lookup(ip("203.0.113.10"));
  REQUIRE(hop);
  CHECK(hop->iface == 3);
  CHECK(hop->next_hop == ip("10.1.0.100"));
  CHECK_FALSE(r.lookup(ip("198.51.100.1")));  // gateway on no connected subnet: unusable
  CHECK(r.remove_direct(prefix("10.1.0.0/24"), 3));
  CHECK_FALSE(r.lookup(ip("203.0.113.10")));
}
