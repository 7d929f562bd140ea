#pragma once
// Events the network layer publishes on sim::TraceBus, besides link::FrameDropped (which it
// publishes for every datagram it drops, with a reason). docs/trace-format.md maps them to the
// `addr` and `arp` lines of trace.jsonl.

#include "models/link/ids.hpp"
#include "models/net/arp_cache.hpp"
#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::net {

// An address or alias was added to or removed from an interface (the NLBS alias moving).
struct AddressChanged {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  link::IfIndex iface = link::kNoIface;
  wire::Ipv4 addr;
  std::uint8_t prefix_len = 32;
  bool alias = false;
  bool added = true;  // false: removed
};

// An ARP table entry changed: added, updated (new MAC or new state), expired, or failed.
struct ArpChanged {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  link::IfIndex iface = link::kNoIface;
  ArpChange change;
};

// A node crashed (up = false) or came back.
struct NodeStateChanged {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  bool up = true;
};

}  // namespace nlb::net
