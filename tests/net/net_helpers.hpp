#pragma once
// Shared by the net tests: addresses, a datagram recorder, and a drop recorder.

#include <cstdint>
#include <string>
#include <vector>

#include "models/link/trace_events.hpp"
#include "models/net/host.hpp"
#include "models/net/network.hpp"
#include "models/wire/ethernet.hpp"

namespace nlb::net::test {

inline wire::Ipv4 ip(const char* text) { return *wire::Ipv4::parse(text); }
inline wire::Prefix prefix(const char* text) { return *wire::Prefix::parse(text); }

// IP protocol 253 (RFC 3692: for experimentation): the tests' own datagrams.
inline constexpr auto kTestProto = wire::IpProto{253};

struct Received {
  sim::Time at;
  IfIndex iface;
  wire::Ipv4 src;
  wire::Ipv4 dst;
  std::uint8_t ttl;
  std::uint8_t tag;
  wire::Mac src_mac;
};

// Records every kTestProto datagram a host receives.
struct Sink {
  explicit Sink(Host& h) {
    h.on_protocol(kTestProto, [this, &h](const RxDatagram& d) {
      got.push_back({h.sim().now(), d.iface, d.src(), d.dst(), d.ip.ttl(),
                     d.payload.empty() ? std::uint8_t{0} : static_cast<std::uint8_t>(d.payload[0]),
                     d.src_mac});
    });
  }
  std::vector<Received> got;
};

inline bool send_test(Host& h, wire::Ipv4 dst, std::uint8_t tag = 0, std::uint8_t ttl = 0) {
  Ipv4Send s;
  s.dst = dst;
  s.proto = kTestProto;
  s.ttl = ttl;
  std::byte b[4] = {std::byte{tag}, std::byte{0}, std::byte{0}, std::byte{0}};
  return h.send(s, b);
}

struct Drops {
  explicit Drops(sim::Simulation& sim) {
    sim.trace().subscribe<link::FrameDropped>([this](const link::FrameDropped& d) {
      all.push_back({d.at, d.node, std::string(d.reason)});
    });
  }
  struct Drop {
    sim::Time at;
    link::NodeId node;
    std::string reason;
  };
  std::size_t count(const std::string& reason) const {
    std::size_t n = 0;
    for (const auto& d : all) n += d.reason == reason;
    return n;
  }
  std::vector<Drop> all;
};

// Counts ARP packets seen on the wire by operation.
struct ArpWatch {
  explicit ArpWatch(sim::Simulation& sim) {
    sim.trace().subscribe<link::FrameSent>([this](const link::FrameSent& e) {
      auto eth = wire::EthernetView::checked(e.frame->bytes());
      if (!eth || eth->ethertype() != wire::EtherType::Arp) return;
      auto a = wire::Arp::parse(eth->payload());
      if (a) packets.push_back({e.at, e.node, *a, eth->dst()});
    });
  }
  struct Seen {
    sim::Time at;
    link::NodeId node;
    wire::Arp arp;
    wire::Mac dst;
  };
  std::size_t requests() const {
    std::size_t n = 0;
    for (const auto& p : packets) n += p.arp.op == wire::ArpOp::Request;
    return n;
  }
  std::size_t replies() const { return packets.size() - requests(); }
  std::vector<Seen> packets;
};

}  // namespace nlb::net::test
