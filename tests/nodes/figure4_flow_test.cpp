// The seed's Figure 4 main data flow ("DATA FLOWS", "Main data flow"), step by step, asserted on
// the trace of one HTTP request crossing a Figure 3 site whose two LANs behind the firewalls are
// shared segments (hubs), so that every NIC sees every frame as the seed's walk describes.
#include <doctest/doctest.h>

#include <algorithm>

#include "models/nodes/site.hpp"
#include "tests/nodes/trace_log.hpp"

namespace nlb::nodes {
namespace {

using sim::Time;
using test::FrameRecord;
using Dir = FrameRecord::Dir;

struct Flow {
  sim::Simulation sim{11};
  Site site;
  test::TraceLog log{sim};
  Time start = Time::s(5);

  Flow() {
    SiteConfig cfg;
    cfg.access_kind = link::LanKind::Shared;
    cfg.server_kind = link::LanKind::Shared;
    cfg.probe.enabled = false;  // no advisor traffic: the servers' ARP caches stay cold
    apps::HttpClientConfig h;
    h.arrivals = apps::Arrivals::fixed(Time::s(100));
    h.start = start;
    h.max_requests = 1;
    cfg.clients = 1;
    cfg.traffic = h;
    site = build_figure3(sim, cfg);
    site.boot();
    sim.run_until(Time::s(8));
  }
  Firewall& fw1() { return *site.firewalls[0]; }
  Balancer& active() { return *site.balancers[0]; }
  Balancer& standby() { return *site.balancers[1]; }
  wire::Ipv4 nlbs() const { return site.addr.nlbs; }
};

bool is_arp_request_for(const FrameRecord& f, wire::Ipv4 target) {
  auto a = f.arp();
  return a && a->op == wire::ArpOp::Request && a->tpa == target && a->spa != target;
}

TEST_CASE("Figure 4: the master firewall resolves the NLBS address and only the active balancer answers") {
  Flow f;
  REQUIRE(f.site.master_firewall() == &f.fw1());
  REQUIRE(f.active().ha_state() == wire::HaState::Active);
  REQUIRE(f.standby().ha_state() == wire::HaState::Standby);
  REQUIRE(f.site.clients[0]->http(0).counters().ok == 1);

  // "broadcasts an ARP request with the NLBS IP address on the Internet Access Subnet"
  const FrameRecord* req = f.log.first(
      [&](const FrameRecord& r) {
        return r.dir == Dir::Sent && r.node == f.fw1().id() && is_arp_request_for(r, f.nlbs());
      },
      f.start);
  REQUIRE(req != nullptr);
  CHECK(req->dst() == wire::Mac::broadcast());
  CHECK(req->arp()->spa == f.site.addr.firewall_access[0]);

  // Both balancers receive it; the standby "checks that the NLBS IP address is not in its
  // interface table" and "doesn't send back any ARP reply".
  auto received_by = [&](const Balancer& b) {
    return f.log.count(
        [&](const FrameRecord& r) { return r.dir == Dir::Received && r.node == b.id() && r.id == req->id; });
  };
  CHECK(received_by(f.active()) == 1);
  CHECK(received_by(f.standby()) == 1);
  auto replies_from = [&](const Balancer& b) {
    return f.log.count([&](const FrameRecord& r) {
      auto a = r.arp();
      return r.dir == Dir::Sent && r.node == b.id() && a && a->op == wire::ArpOp::Reply && a->spa == f.nlbs();
    });
  };
  CHECK(replies_from(f.active()) == 1);
  CHECK(replies_from(f.standby()) == 0);

  // "updates its ARP table by associating the NLBS IP address with the ... MAC address of the
  // Primary/Active Network Load Balancer"
  auto entry = f.fw1().arp(1).lookup(f.nlbs());
  REQUIRE(entry);
  CHECK(entry->mac == f.active().mac(f.active().access_iface()));
}

TEST_CASE(
    "Figure 4: the active balancer rewrites only the MAC header and the selected server replies via the VRRP "
    "address") {
  Flow f;
  REQUIRE(f.log.dispatched.size() >= 1);
  const Dispatched& syn = f.log.dispatched.front();
  CHECK(syn.new_connection);
  const Server* chosen = nullptr;
  for (Server* s : f.site.servers)
    if (s->interfaces().primary(0) == syn.server_address) chosen = s;
  REQUIRE(chosen != nullptr);

  // The datagram as it reached the active balancer, and as it left on the server subnet.
  const FrameRecord* in = f.log.first([&](const FrameRecord& r) {
    return r.dir == Dir::Received && r.node == f.active().id() && r.id == syn.frame_id;
  });
  REQUIRE(in != nullptr);
  const FrameRecord* out = f.log.first(
      [&](const FrameRecord& r) {
        auto v = r.ipv4();
        return r.dir == Dir::Sent && r.node == f.active().id() && r.iface == f.active().server_iface() && v &&
               v->dst() == f.site.addr.cluster;
      },
      in->at);
  REQUIRE(out != nullptr);
  const wire::Mac server_mac = chosen->mac(0);
  // In: Ethernet destination = our access NIC, source = the master firewall's NIC.
  CHECK(in->dst() == f.active().mac(f.active().access_iface()));
  CHECK(in->src() == f.fw1().mac(1));
  // Out: destination = the chosen server's MAC; source = our server-side NIC's, as any frame
  // leaving that NIC. Everything after the 12 MAC bytes — EtherType, the whole IPv4 header
  // (TTL and checksum included) and the TCP segment — is byte for byte the same.
  CHECK(out->dst() == server_mac);
  CHECK(out->src() == f.active().mac(f.active().server_iface()));
  REQUIRE(in->bytes.size() == out->bytes.size());
  CHECK(std::equal(in->bytes.begin() + 12, in->bytes.end(), out->bytes.begin() + 12));
  CHECK(in->ipv4()->ttl() == out->ipv4()->ttl());

  // The standby balancer saw the datagram on the shared segment and its NIC discarded it.
  CHECK(f.log.count([&](const FrameRecord& r) {
    return r.dir == Dir::Dropped && r.node == f.standby().id() && r.iface == f.standby().access_iface() &&
           r.id == in->id && r.reason == "filtered";
  }) == 1);
  CHECK(f.log.count([&](const FrameRecord& r) {
    return r.dir == Dir::Received && r.node == f.standby().id() && r.id == in->id;
  }) == 0);

  // The selected server accepts it through its loopback alias; the others discard it.
  for (Server* s : f.site.servers) {
    const bool received = f.log.count([&](const FrameRecord& r) {
      return r.dir == Dir::Received && r.node == s->id() && r.id == out->id;
    }) == 1;
    const bool filtered = f.log.count([&](const FrameRecord& r) {
      return r.dir == Dir::Dropped && r.node == s->id() && r.id == out->id && r.reason == "filtered";
    }) == 1;
    CHECK(received == (s == chosen));
    CHECK(filtered == (s != chosen));
  }

  // "sends back a reply to the Internet Firewall using the VRRP IP address": from the cluster
  // address, to the firewalls' virtual MAC on the server subnet (VRID 2), not via a balancer.
  const FrameRecord* reply = f.log.first(
      [&](const FrameRecord& r) {
        auto v = r.ipv4();
        return r.dir == Dir::Sent && r.node == chosen->id() && v && v->src() == f.site.addr.cluster;
      },
      out->at);
  REQUIRE(reply != nullptr);
  CHECK(reply->dst() == wire::Mac::vrrp_virtual(2));
  CHECK(reply->src() == server_mac);
  CHECK(f.log.count([&](const FrameRecord& r) {
    auto v = r.ipv4();
    return r.dir == Dir::Received && (r.node == f.active().id() || r.node == f.standby().id()) && v &&
           v->src() == f.site.addr.cluster;
  }) == 0);

  // The server resolved the VRRP address and the master answered with the virtual MAC; no
  // server ever answered ARP for the cluster address on its loopback.
  CHECK(f.log.count([&](const FrameRecord& r) {
    auto a = r.arp();
    return r.dir == Dir::Sent && r.node == f.fw1().id() && a && a->op == wire::ArpOp::Reply &&
           a->spa == f.site.addr.vrrp_servers && a->sha == wire::Mac::vrrp_virtual(2);
  }) >= 1);
  CHECK(f.log.count([&](const FrameRecord& r) {
    auto a = r.arp();
    return r.dir == Dir::Sent && a && a->op == wire::ArpOp::Reply && a->spa == f.site.addr.cluster;
  }) == 0);
}

}  // namespace
}  // namespace nlb::nodes
