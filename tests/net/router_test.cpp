#include <doctest/doctest.h>

#include <vector>

#include "models/link/trace_events.hpp"
#include "models/net/network.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"
#include "tests/net/net_helpers.hpp"

using namespace nlb;
using namespace nlb::net;
using namespace nlb::net::test;
using sim::Time;

namespace {
// client 10.0.1.2 --lan1-- 10.0.1.1 router 10.0.2.1 --lan2-- 10.0.2.2 server
struct Routed {
  Routed() : net(sim), drops(sim) {
    lan1 = &net.add_lan("lan1");
    lan2 = &net.add_lan("lan2");
    HostConfig rc;
    rc.forwarding = true;
    client = &net.add_host("client");
    router = &net.add_host("router", rc);
    server = &net.add_host("server");
    net.connect(*client, "eth0", *lan1);
    net.connect(*router, "eth0", *lan1);
    net.connect(*router, "eth1", *lan2);
    net.connect(*server, "eth0", *lan2);
    client->add_address(0, ip("10.0.1.2"), 24);
    router->add_address(0, ip("10.0.1.1"), 24);
    router->add_address(1, ip("10.0.2.1"), 24);
    server->add_address(0, ip("10.0.2.2"), 24);
    client->add_default_route(ip("10.0.1.1"));
    server->add_default_route(ip("10.0.2.1"));
    sim.trace().subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
      if (e.node == server->id()) at_server.push_back(e.frame);
    });
    client->on_protocol(wire::IpProto::Icmp, [this](const RxDatagram& d) {
      auto m = wire::Icmp::parse(d.payload);
      REQUIRE(m);
      icmp.push_back({d.src(), *m, *wire::Icmp::quoted_header(d.payload)});
    });
  }
  void settle() { sim.run_until(sim.now() + Time::ms(10)); }
  struct IcmpSeen {
    wire::Ipv4 from;
    wire::Icmp msg;
    wire::Ipv4Header quoted;
  };
  sim::Simulation sim;
  Network net;
  link::Lan *lan1, *lan2;
  Host *client, *router, *server;
  Drops drops;
  std::vector<link::FrameRef> at_server;
  std::vector<IcmpSeen> icmp;
};
}  // namespace

TEST_CASE("a router forwards with the TTL decremented, the checksum still right, and its own MAC as source") {
  Routed t;
  Sink sink(*t.server);
  send_test(*t.client, ip("10.0.2.2"), 4);
  t.settle();
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].ttl == 63);
  CHECK(sink.got[0].src == ip("10.0.1.2"));
  CHECK(sink.got[0].src_mac == t.router->mac(1));
  CHECK(t.router->counters().forwarded == 1);
  // The bytes the server got verify as a whole header (RFC 1624 update, not a recompute).
  REQUIRE(t.at_server.size() == 2);  // the router's ARP request, then the datagram
  auto eth = wire::EthernetView::checked(t.at_server[1]->bytes());
  auto h = wire::Ipv4Header::parse(eth->payload());
  REQUIRE(h);
  CHECK(h->ttl == 63);
  wire::Ipv4Header again = *h;
  std::byte buf[20];
  again.emit(buf);
  CHECK(wire::get16(buf, 10) == h->checksum);
  // The reply comes back the same way.
  Sink back(*t.client);
  send_test(*t.server, ip("10.0.1.2"), 5);
  t.settle();
  REQUIRE(back.got.size() == 1);
  CHECK(back.got[0].ttl == 63);
}

TEST_CASE("a router drops a datagram whose TTL runs out and answers Time Exceeded") {
  Routed t;
  Sink sink(*t.server);
  send_test(*t.client, ip("10.0.2.2"), 1, /*ttl=*/1);
  t.settle();
  CHECK(sink.got.empty());
  CHECK(t.router->drops("ttl-expired") == 1);
  REQUIRE(t.icmp.size() == 1);
  CHECK(t.icmp[0].from == ip("10.0.1.1"));
  CHECK(t.icmp[0].msg.type == wire::IcmpType::TimeExceeded);
  CHECK(t.icmp[0].quoted.dst == ip("10.0.2.2"));
  CHECK(t.icmp[0].quoted.ttl == 1);
  // TTL 2 is enough for one router.
  send_test(*t.client, ip("10.0.2.2"), 2, 2);
  t.settle();
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].ttl == 1);
}

TEST_CASE("a router without a route drops with no-route and answers Destination Unreachable") {
  Routed t;
  send_test(*t.client, ip("10.9.9.9"));
  t.settle();
  CHECK(t.router->drops("no-route") == 1);
  REQUIRE(t.icmp.size() == 1);
  CHECK(t.icmp[0].msg.type == wire::IcmpType::DestUnreachable);
  CHECK(t.icmp[0].msg.code == wire::icmp::kNetUnreachable);
  // Never an ICMP error about an ICMP error: the router's own error to an unroutable source.
  t.router->routes().clear();
  t.router->add_address(0, ip("10.0.1.1"), 24);  // no-op: already there, routes stay cleared
  send_test(*t.client, ip("10.9.9.9"));
  t.settle();
  CHECK(t.router->drops("no-route") == 3);  // the datagram, then the error it could not send
  CHECK(t.icmp.size() == 1);
}

TEST_CASE("a host routes by longest prefix and picks its source from the outgoing interface") {
  Routed t;
  Host& r = *t.router;
  r.add_route(prefix("172.16.0.0/12"), ip("10.0.1.2"));
  r.add_route(prefix("172.16.5.0/24"), ip("10.0.2.2"));
  r.add_default_route(ip("10.0.2.2"));
  auto via = [&](const char* dst) { return r.route_to(ip(dst)).value(); };
  CHECK(via("172.16.5.1").next_hop == ip("10.0.2.2"));
  CHECK(via("172.16.5.1").iface == 1);
  CHECK(via("172.16.5.1").src == ip("10.0.2.1"));
  CHECK(via("172.17.0.1").next_hop == ip("10.0.1.2"));
  CHECK(via("172.17.0.1").src == ip("10.0.1.1"));
  CHECK(via("8.8.8.8").iface == 1);
  CHECK(via("10.0.1.77").next_hop == ip("10.0.1.77"));
  CHECK(via("10.0.2.1").local);
  // Forwarding follows the same table.
  Sink at_client(*t.client);
  Sink at_server(*t.server);
  t.client->add_address(0, ip("172.16.9.9"), 32, true);
  t.server->add_address(0, ip("172.16.5.1"), 32, true);
  send_test(*t.server, ip("172.16.9.9"), 1);
  send_test(*t.client, ip("172.16.5.1"), 2);
  t.settle();
  REQUIRE(at_client.got.size() == 1);
  REQUIRE(at_server.got.size() == 1);
  CHECK(at_server.got[0].tag == 2);
}

TEST_CASE("a router does not forward broadcasts or link-layer broadcast frames") {
  Routed t;
  Sink at_server(*t.server);
  Ipv4Send s;
  s.dst = ip("255.255.255.255");
  s.proto = kTestProto;
  s.iface = 0;
  std::byte b[1] = {std::byte{1}};
  t.client->send(s, b);
  t.settle();
  CHECK(at_server.got.empty());
  CHECK(t.router->counters().forwarded == 0);
}
