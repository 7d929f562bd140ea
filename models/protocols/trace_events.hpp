#pragma once
// Events of the protocol layer for sim::TraceBus (DESIGN.md, "One trace bus, many sinks").
// The machines here are sans-IO and publish nothing themselves: the node glue turns their
// actions into these events, stamped with the simulated time and its node id, and publishes
// them `if (trace.wants<E>())`. docs/trace-format.md says how sinks write them:
//   VrrpStateChanged, HaStateChanged, ServerHealthChanged -> "state" (machine "vrrp/<vrid>",
//   "ha", "advisor/<server>"); AliasChanged -> "addr"; WeightsRecomputed -> "weights";
//   ConnEvent -> "conn". Strings are static (`why` points at a literal).

#include <cstdint>
#include <span>

#include "models/protocols/balancer_ha.hpp"
#include "models/protocols/conn_table.hpp"
#include "models/protocols/vrrp.hpp"
#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

// link::NodeId (models/link/ids.hpp), as the plain integer it is so that this layer does not
// depend on the link layer's headers.
using TraceNodeId = std::uint32_t;
inline constexpr TraceNodeId kNoTraceNode = UINT32_MAX;

// A VRRP instance changed state (VrrpInstance's vrrp::StateChanged).
struct VrrpStateChanged {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  std::uint8_t vrid = 0;
  VrrpState from = VrrpState::Initialize;
  VrrpState to = VrrpState::Initialize;
  const char* why = "";
};

// A balancer's HA state changed (the seed's initial / active / standby / inop).
struct HaStateChanged {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  HaState from = HaState::Inop;
  HaState to = HaState::Inop;
  const char* why = "";
};

// A balancer started or stopped hearing its peer, or resolved a split brain.
struct HaPeerChanged {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  bool alive = false;
  const char* why = "";
};
struct HaSplitBrain {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  bool won = false;
  const char* why = "";
};

// An address alias appeared or went (the NLBS address moving, VRRP virtual addresses).
struct AliasChanged {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  std::uint32_t iface = UINT32_MAX;  // link::IfIndex
  wire::Ipv4 address;
  std::uint8_t prefix_len = 32;
  bool added = false;
  const char* why = "";
};

// An advisor marked a server down or up. For a down verdict, `last_ok` and
// `first_failed_sent` bound when the failure happened (detection time = at - fault time).
struct ServerHealthChanged {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  ServerId server = kNoServer;
  wire::Ipv4 server_address;
  bool up = false;
  sim::Time last_ok = sim::Time::max();
  sim::Time first_failed_sent = sim::Time::max();
  sim::Time response_time;  // for an up verdict
  const char* why = "";
};

// The dispatcher's weights for one cluster address changed (the manager's update, a server
// marked down or up). `weights` is indexed by ServerId and valid during publish() only.
struct WeightsRecomputed {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  wire::Ipv4 cluster;
  std::span<const unsigned> weights;
};

// A connection-table change on a balancer.
enum class ConnOp : std::uint8_t {
  Add,          // the active balancer gave a new connection a server
  SyncSent,     // the active balancer sent the entry to its peer
  SyncApplied,  // the standby created or refreshed the entry from its peer
  Expire,       // the entry timed out
};
inline const char* to_string(ConnOp op) {
  switch (op) {
    case ConnOp::Add:
      return "add";
    case ConnOp::SyncSent:
      return "sync";
    case ConnOp::SyncApplied:
      return "sync-applied";
    case ConnOp::Expire:
      return "expire";
  }
  return "?";
}

struct ConnEvent {
  sim::Time at;
  TraceNodeId node = kNoTraceNode;
  ConnOp op = ConnOp::Add;
  ConnKey key;
  wire::Ipv4 server_address;
  ConnState state = ConnState::None;
};

}  // namespace nlb::protocols
