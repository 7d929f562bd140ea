#pragma once
// A NIC attached to one LAN port. It pads short frames to Ethernet's 60-byte minimum on send,
// and on receive keeps only what a real NIC's address filter keeps: frames to its own MAC, to
// broadcast, to a multicast group it joined (VRRP's 01:00:5e:00:00:12), or to an extra unicast
// MAC it was told to accept (the VRRP virtual MAC while master, RFC 5798 7.3). The rest is
// dropped ("filtered") and counted, as the hardware filter would do without telling the host.

#include <cstdint>
#include <functional>
#include <vector>

#include "models/link/frame.hpp"
#include "models/link/ids.hpp"
#include "models/link/trace_events.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::link {

class Lan;

struct DeviceCounters {
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_bytes = 0;  // wire_len() after padding, without the link's overhead
  std::uint64_t rx_frames = 0;
  std::uint64_t rx_bytes = 0;
  std::uint64_t filtered = 0;  // not for this NIC's addresses
  std::uint64_t dropped = 0;   // NIC down, LAN port down, not attached, or transmit queue full
};

class Device {
 public:
  // Receives every accepted frame; the FrameRef may be kept.
  using Receiver = std::function<void(const FrameRef&)>;

  Device(sim::Simulation& sim, wire::Mac mac);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Who this NIC belongs to, for traces (a net::Host sets it when it adds the interface).
  void set_identity(NodeId node, IfIndex iface) {
    node_ = node;
    iface_ = iface;
  }
  NodeId node() const { return node_; }
  IfIndex iface() const { return iface_; }

  void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }

  wire::Mac mac() const { return mac_; }
  void set_mac(wire::Mac mac) { mac_ = mac; }
  // Administrative state (`ip link set dev X down`): a down NIC neither sends nor receives.
  // Its drops say `down_reason` ("iface-down" by default; a crashed node's NICs say "node-down").
  bool up() const { return up_; }
  void set_up(bool up, const char* down_reason = nullptr);
  // Carrier: up, attached, and the LAN port up.
  bool carrier() const;

  // Puts a frame on the LAN. Pads it to 60 bytes first (cloning it if it is shared). Returns
  // false, after publishing the drop, if it could not be sent.
  bool send(FrameRef frame);

  void join_multicast(wire::Mac group);
  void leave_multicast(wire::Mac group);
  void accept_unicast(wire::Mac mac);
  void stop_accepting(wire::Mac mac);
  void set_promiscuous(bool on) { promiscuous_ = on; }
  bool accepts(wire::Mac dst) const;

  Lan* lan() const { return lan_; }
  PortIndex port() const { return port_; }
  LanId lan_id() const;
  const DeviceCounters& counters() const { return counters_; }

  // Called by Lan.
  void attached(Lan* lan, PortIndex port) {
    lan_ = lan;
    port_ = port;
  }
  void receive(const FrameRef& frame);

 private:
  void drop(const FrameRef& frame, const char* reason, DropStage stage);

  sim::Simulation& sim_;
  wire::Mac mac_;
  NodeId node_ = kNoNode;
  IfIndex iface_ = kNoIface;
  Lan* lan_ = nullptr;
  PortIndex port_ = kNoPort;
  bool up_ = true;
  const char* down_reason_ = nullptr;
  bool promiscuous_ = false;
  std::vector<wire::Mac> multicast_;  // a handful at most: linear scans
  std::vector<wire::Mac> extra_unicast_;
  Receiver receiver_;
  DeviceCounters counters_;
};

// The destination and source MACs of a frame of at least 12 bytes (Ethernet's first fields).
wire::Mac frame_dst(const Frame& frame);
wire::Mac frame_src(const Frame& frame);

}  // namespace nlb::link
