#pragma once
// The nodes tests' window on the trace bus: every frame sent, received or dropped (with a copy
// of its bytes), and the protocol events, in the order the run produced them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"
#include "sim/simulation.hpp"

namespace nlb::nodes::test {

inline wire::Ipv4 ip(const char* text) { return *wire::Ipv4::parse(text); }

struct FrameRecord {
  enum class Dir : std::uint8_t { Sent, Received, Dropped };
  Dir dir = Dir::Sent;
  sim::Time at;
  link::NodeId node = link::kNoNode;
  link::IfIndex iface = link::kNoIface;
  std::uint64_t id = 0;
  std::vector<std::byte> bytes;
  std::uint32_t vlen = 0;  // virtual bytes after `bytes`
  std::string reason;

  wire::Mac dst() const { return wire::get_mac(bytes, 0); }
  wire::Mac src() const { return wire::get_mac(bytes, 6); }
  std::optional<wire::Arp> arp() const {
    auto eth = wire::EthernetView::checked(bytes);
    if (!eth || eth->ethertype() != wire::EtherType::Arp) return std::nullopt;
    auto a = wire::Arp::parse(eth->payload());
    return a ? std::optional<wire::Arp>(*a) : std::nullopt;
  }
  std::optional<wire::Ipv4View> ipv4() const {
    auto eth = wire::EthernetView::checked(bytes);
    if (!eth || eth->ethertype() != wire::EtherType::Ipv4) return std::nullopt;
    auto v = wire::Ipv4View::checked(eth->payload(), vlen);
    return v ? std::optional<wire::Ipv4View>(*v) : std::nullopt;
  }
};

struct TraceLog {
  explicit TraceLog(sim::Simulation& sim) {
    auto& t = sim.trace();
    t.subscribe<link::FrameSent>([this](const link::FrameSent& e) {
      add(FrameRecord::Dir::Sent, e.at, e.node, e.iface, e.frame, "");
    });
    t.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
      add(FrameRecord::Dir::Received, e.at, e.node, e.iface, e.frame, "");
    });
    t.subscribe<link::FrameDropped>([this](const link::FrameDropped& e) {
      add(FrameRecord::Dir::Dropped, e.at, e.node, e.iface, e.frame, e.reason);
    });
    t.subscribe<net::ArpChanged>([this](const net::ArpChanged& e) { arp.push_back(e); });
    t.subscribe<protocols::VrrpStateChanged>(
        [this](const protocols::VrrpStateChanged& e) { vrrp.push_back(e); });
    t.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) { ha.push_back(e); });
    t.subscribe<protocols::AliasChanged>([this](const protocols::AliasChanged& e) { aliases.push_back(e); });
    t.subscribe<Dispatched>([this](const Dispatched& e) { dispatched.push_back(e); });
    t.subscribe<protocols::ServerHealthChanged>(
        [this](const protocols::ServerHealthChanged& e) { health.push_back(e); });
  }

  void add(FrameRecord::Dir dir, sim::Time at, link::NodeId node, link::IfIndex iface,
           const link::FrameRef& f, const char* reason) {
    if (!f) return;
    auto b = f->bytes();
    frames.push_back({dir, at, node, iface, f->id, {b.begin(), b.end()}, f->virtual_len, reason});
  }

  // The first frame record matching `pred` at or after `from`, or nullptr.
  template <typename P>
  const FrameRecord* first(P&& pred, sim::Time from = sim::Time::zero()) const {
    for (const auto& f : frames)
      if (f.at >= from && pred(f)) return &f;
    return nullptr;
  }
  template <typename P>
  std::size_t count(P&& pred) const {
    std::size_t n = 0;
    for (const auto& f : frames) n += pred(f) ? 1 : 0;
    return n;
  }

  std::vector<FrameRecord> frames;
  std::vector<net::ArpChanged> arp;
  std::vector<protocols::VrrpStateChanged> vrrp;
  std::vector<protocols::HaStateChanged> ha;
  std::vector<protocols::AliasChanged> aliases;
  std::vector<Dispatched> dispatched;
  std::vector<protocols::ServerHealthChanged> health;
};

}  // namespace nlb::nodes::test
