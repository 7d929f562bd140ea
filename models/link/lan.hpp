#pragma once
// A LAN segment: a store-and-forward learning switch (IEEE 802.1D transparent bridging), or a
// shared medium, with one link per port.
//
// Each port's link has two directions, each a Channel: `up` (NIC -> switch: the NIC's transmit
// queue and the cable) and `down` (switch -> NIC: the switch's output queue and the cable).
// A channel serializes frames at its bandwidth, holds a bounded queue of frames waiting behind
// the one being transmitted (tail drop), delays each by the propagation delay, and loses each
// with its direction's probability drawn from a named RNG stream, so a link can be lossy one
// way only (a duplex mismatch, a dirty fibre of one pair: keepalived#2179's lossy network).
//
// On a Shared segment the sender's `up` channel delivers straight to every other NIC (no
// switch hop); with two ports that is a point-to-point cable, which is how the WAN link is
// built. There are no collisions: each sender has its own transmit channel.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/link/frame.hpp"
#include "models/link/ids.hpp"
#include "models/link/ring.hpp"
#include "models/link/trace_events.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::link {

class Device;

struct LinkConfig {
  sim::Time delay = sim::Time::us(1);           // propagation, one way (about 200 m of cable)
  std::uint64_t bandwidth_bps = 1'000'000'000;  // 0 = infinitely fast (no serialization delay)
  // Frames waiting behind the one being transmitted; one more is dropped ("queue-full").
  // Linux's default txqueuelen.
  std::uint32_t queue_limit = 1000;
  // Bytes each frame costs on the wire beyond what a capture shows: preamble and SFD (8), FCS
  // (4) and the inter-frame gap (12), IEEE 802.3 clause 4. So a 60-byte frame takes 672 ns at
  // 1 Gb/s, the classic 1.488 Mpps line rate.
  std::uint32_t frame_overhead = 24;
  // Probability that a frame is lost: loss_out on the way from the NIC to the switch (what the
  // node sends), loss_in from the switch to the NIC (what it receives).
  double loss_out = 0.0;
  double loss_in = 0.0;
  // Both directions at once.
  LinkConfig& set_loss(double p) {
    loss_out = loss_in = p;
    return *this;
  }
};

enum class LanKind : std::uint8_t { Switch, Shared };

struct LanConfig {
  LanKind kind = LanKind::Switch;
  sim::Time mac_ageing = sim::Time::s(300);  // IEEE 802.1D-2004 7.9.2 recommended ageing time
  LinkConfig link;                           // for ports attached without their own
};

struct MacEntry {
  wire::Mac mac;
  PortIndex port = kNoPort;
  sim::Time last_seen;
  bool operator==(const MacEntry&) const = default;
};

struct LanCounters {
  std::uint64_t frames_in = 0;  // frames that reached the switch (or the medium)
  std::uint64_t flooded = 0;    // broadcast, multicast or unknown unicast frames flooded
  std::uint64_t same_port = 0;  // unicast to the port it came from: discarded (802.1D 7.7.1)
  // Copies the switch (or the medium) made of the frames that reached it: one per output port
  // a frame was queued for (tail drops included), one per same-port discard. With the FrameSent,
  // FrameReceived and FrameDropped events and in_flight(), every copy is accounted for.
  std::uint64_t copies_out = 0;
  std::uint64_t dropped_queue_full = 0;
  std::uint64_t dropped_link_down = 0;
  std::uint64_t dropped_loss = 0;
};

class Lan {
 public:
  Lan(sim::Simulation& sim, LanId id, std::string name, LanConfig config = {});
  ~Lan();
  Lan(const Lan&) = delete;
  Lan& operator=(const Lan&) = delete;

  LanId id() const { return id_; }
  const std::string& name() const { return name_; }
  const LanConfig& config() const { return config_; }

  // Connects a NIC to a new port whose link is configured by `link` (else the LAN's default).
  PortIndex attach(Device& device);
  PortIndex attach(Device& device, const LinkConfig& link);
  std::size_t port_count() const { return ports_.size(); }
  Device* device(PortIndex port) const;

  // A port going down drops what its link holds ("link-down") and forgets the MACs learned
  // on it, as a switch does on loss of carrier; frames sent to or from it are dropped until
  // it comes back up.
  void set_port_up(PortIndex port, bool up);
  bool port_up(PortIndex port) const;
  // Applies to frames enqueued from now on.
  void set_link_config(PortIndex port, const LinkConfig& link);
  const LinkConfig& link_config(PortIndex port) const;

  // The switch's filtering database now, ordered by MAC (entries past their age left out).
  std::vector<MacEntry> mac_table() const;
  std::optional<PortIndex> port_of(wire::Mac mac) const;
  const LanCounters& counters() const { return counters_; }
  // Frame copies in every channel of the LAN: queued, being transmitted or on the wire.
  std::size_t in_flight() const;
  // Frames waiting in a port's queues (not counting the one being transmitted or in flight).
  std::size_t queued(PortIndex port, bool upward) const;

  // Called by a Device: the frame enters the port's `up` channel. False if it was dropped.
  bool transmit(PortIndex from, FrameRef frame);
  // Called by a Device that is being destroyed: the port goes down silently.
  void detach(PortIndex port);

  // Time to put `bytes` (as captured, without overhead) on a link: ceil(bits / bandwidth).
  static sim::Time serialization(const LinkConfig& link, std::size_t bytes);

 private:
  class Channel;
  struct Port;

  void from_port(PortIndex in, FrameRef frame);  // the head of an `up` channel arrived
  void to_device(PortIndex out, const FrameRef& frame);
  void flood(PortIndex in, const FrameRef& frame);
  void learn(wire::Mac src, PortIndex port);
  void forget_port(PortIndex port);
  std::optional<PortIndex> lookup(wire::Mac dst);
  bool live(const MacEntry& e) const { return sim_.now() - e.last_seen < config_.mac_ageing; }
  void drop(PortIndex port, bool upward, const FrameRef& frame, const char* reason, DropStage stage);

  sim::Simulation& sim_;
  LanId id_;
  std::string name_;
  LanConfig config_;
  std::vector<std::unique_ptr<Port>> ports_;
  // Looked up by key only; mac_table() sorts before anyone sees the order.
  std::unordered_map<wire::Mac, MacEntry> fdb_;
  LanCounters counters_;
};

}  // namespace nlb::link
