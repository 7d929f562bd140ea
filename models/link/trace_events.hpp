#pragma once
// Events the link layer publishes on sim::TraceBus (DESIGN.md, "One trace bus, many sinks").
// The JSON-lines trace, the pcap writers, metrics and the GUI subscribe to them; the net layer
// publishes FrameDropped too, so every drop in a run arrives by one road. Publishers build an
// event only `if (trace.wants<E>())`.
//
// A FrameRef in an event keeps the frame alive only while a subscriber holds a copy.

#include <cstdint>

#include "models/link/frame.hpp"
#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"
#include "sim/time.hpp"

namespace nlb::link {

// Why a frame or datagram was dropped. Static strings: events carry the pointer, and sinks
// print it as it is ("frame" events' `reason`, docs/trace-format.md).
namespace drop {
inline constexpr const char* kQueueFull = "queue-full";         // tail drop in a link queue
inline constexpr const char* kLinkDown = "link-down";           // port or link down, or went down in flight
inline constexpr const char* kIfaceDown = "iface-down";         // the NIC is administratively down
inline constexpr const char* kNodeDown = "node-down";           // the node has crashed
inline constexpr const char* kLoss = "loss";                    // random loss on a link
inline constexpr const char* kFiltered = "filtered";            // NIC address filter
inline constexpr const char* kNoRoute = "no-route";             // no route to the destination
inline constexpr const char* kArpFailed = "arp-failed";         // resolution gave up
inline constexpr const char* kArpQueueFull = "arp-queue-full";  // too many datagrams awaiting resolution
inline constexpr const char* kTtlExpired = "ttl-expired";       // forwarding with TTL <= 1
inline constexpr const char* kNotForUs = "not-for-us";          // IP destination not local, not a router
inline constexpr const char* kMalformed = "malformed";          // a header did not parse
inline constexpr const char* kNoHandler = "no-handler";         // no transport for the protocol number
inline constexpr const char* kTooBig = "too-big";               // does not fit the MTU (no fragmentation)
inline constexpr const char* kSamePort = "same-port";           // a switch's unicast back to its own port
}  // namespace drop

// Where on its way a frame was dropped. A frame copy is on the link from the FrameSent that put
// it there until a NIC takes it (FrameReceived) or it is dropped at Link or Receive; Send and
// Node drops are of frames that never were, or no longer are, on a link. The invariant checker
// (runner/check) balances every LAN's copies with this: sent = received + dropped + in flight.
enum class DropStage : std::uint8_t {
  Send,     // the sending NIC or its transmit queue refused it: never on the link
  Link,     // lost on the link: a channel's queue, loss, a port going down, the switch
  Receive,  // the receiving NIC refused it: its address filter, or the NIC is down
  Node,     // the node's stack dropped a datagram (no route, ARP failed, not for us, ...)
};
inline const char* to_string(DropStage s) {
  switch (s) {
    case DropStage::Send:
      return "send";
    case DropStage::Link:
      return "link";
    case DropStage::Receive:
      return "receive";
    case DropStage::Node:
      return "node";
  }
  return "?";
}

// A frame left a NIC onto its LAN (accepted into the NIC's transmit queue).
struct FrameSent {
  sim::Time at;
  NodeId node = kNoNode;
  IfIndex iface = kNoIface;
  LanId lan = kNoLan;
  FrameRef frame;
};

// A NIC accepted a frame (it passed the address filter) and hands it to its node.
struct FrameReceived {
  sim::Time at;
  NodeId node = kNoNode;
  IfIndex iface = kNoIface;
  LanId lan = kNoLan;
  FrameRef frame;
};

// A frame (or the frame a datagram arrived in / was to leave in) was dropped. `node` is
// kNoNode for drops inside a LAN (a switch queue, a lossy or down link); then `iface` names
// the LAN's port.
struct FrameDropped {
  sim::Time at;
  NodeId node = kNoNode;
  IfIndex iface = kNoIface;
  LanId lan = kNoLan;
  FrameRef frame;
  const char* reason = "";
  DropStage stage = DropStage::Node;
};

// A LAN port (the link between a switch and one NIC) went up or down.
struct PortStateChanged {
  sim::Time at;
  LanId lan = kNoLan;
  PortIndex port = kNoPort;
  bool up = false;
};

// A switch learned a MAC on a port, or saw it move (old_port != kNoPort), or forgot it because
// its port went down (port == kNoPort, old_port the port), or found it aged out (aged, port ==
// kNoPort, old_port where it was). Ageing is checked lazily, when a frame for the MAC is next
// forwarded, so an `aged` event comes at that frame, not at the moment the entry grew old.
struct MacLearned {
  sim::Time at;
  LanId lan = kNoLan;
  wire::Mac mac;
  PortIndex port = kNoPort;
  PortIndex old_port = kNoPort;
  bool aged = false;
};

// The one way to publish a drop; the caller counts it in its own counters.
inline void publish_drop(sim::Simulation& sim, NodeId node, IfIndex iface, LanId lan, const FrameRef& frame,
                         const char* reason, DropStage stage) {
  auto& trace = sim.trace();
  if (trace.wants<FrameDropped>())
    trace.publish(FrameDropped{sim.now(), node, iface, lan, frame, reason, stage});
}

}  // namespace nlb::link
