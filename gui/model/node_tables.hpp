#pragma once
// A node's tables at a replay position, folded from the header and the node's own events
// (docs/trace-format.md: "A node's tables at any replay time follow from the header plus the
// addr, arp, state and conn events up to that time").
//
// A crash loses what the node held in memory (its connection table and protocol states; the
// runner writes the ARP entries' expiry and the aliases' removal itself); a node that
// recovers has rebooted, so its tables start again from the header.
//
// A replay position `pos` means "events [0, pos) have happened": stepping one event forward
// is pos + 1, whatever the times, so two events at the same nanosecond are two steps.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

struct AddrRow {
  std::uint32_t ip = 0;
  std::uint8_t len = 32;
  bool alias = false;        // added at run time (an `addr` event with alias), e.g. the NLBS address
  bool from_header = false;  // configured in the scenario
  std::int64_t since = 0;
};

struct IfaceRow {
  int index = 0;
  std::string name;
  int lan = -1;
  std::uint64_t mac = 0;
  bool loopback = false;
  std::vector<AddrRow> addresses;
};

struct ArpRow {
  int iface = -1;
  std::uint32_t ip = 0;
  std::uint64_t mac = 0;
  std::string state;
  std::int64_t since = 0;  // last change
};

struct StateRow {
  std::string machine;  // "vrrp/1", "ha", "advisor/srv1"
  std::string state;
  std::string why;
  std::int64_t since = 0;
};

struct ConnRow {
  std::string proto, client, vip, server;
  bool synced = false;  // learned from the peer's sync, not dispatched here
  std::int64_t since = 0;
};

// What the timeline's faults (docs/run.md, "The timeline") have done to a node so far.
struct NodeFaults {
  bool down = false;            // crashed and not recovered: powered off
  bool stopped = false;         // stopped gracefully and not started: up, its protocols quiet
  bool frozen = false;          // paused (freeze) until its resume
  std::vector<int> links_down;  // interface indices whose cable is down
  std::string why;              // the last of these, "crash at 20s"
  bool link_down(int iface) const;
  const char* badge() const;  // "DOWN", "STOPPED", "FROZEN" or nullptr
};

struct NodeTables {
  int node = -1;
  std::vector<IfaceRow> interfaces;
  std::vector<Route> routes;
  std::vector<ArpRow> arp;       // by (iface, ip)
  std::vector<StateRow> states;  // by machine name
  std::vector<ConnRow> conns;    // one per (client, vip), oldest first
  NodeFaults faults;
  const StateRow* state(const std::string& machine) const;
};

// Which tables to fold: a balancer's connection table can be large, and the topology view
// only needs the addresses.
enum FoldParts : unsigned { kFoldStatus = 1, kFoldArp = 2, kFoldConns = 4, kFoldAll = 7 };

// Everything about one node at position pos. Cost: that node's events before pos.
NodeTables fold_node(const TraceModel& m, int node, std::size_t pos, unsigned parts = kFoldAll);

// What the topology view needs for every node, cheaply (state and fault events only).
struct NodeStatus {
  NodeFaults faults;
  std::string ha;                  // the "ha" machine's state, if any
  std::vector<StateRow> machines;  // every machine's state
  bool active() const;             // an active balancer or a VRRP master, running
};
std::vector<NodeStatus> fold_status(const TraceModel& m, std::size_t pos);

// LANs taken down by a fault and not brought back up, at pos.
std::vector<bool> fold_lans_down(const TraceModel& m, std::size_t pos);

// What a fault line's action does to its node or LAN (runner/scenario.hpp's FaultAction, plus
// `resume`, the end of a freeze). The others (heartbeat-loss, set-loss, slow-server,
// admin-takeover) change no node's state: they are marked on the timeline only.
enum class FaultEffect { None, Crash, Recover, Stop, Start, Freeze, Resume, LinkDown, LinkUp };
FaultEffect fault_effect(std::string_view action);

}  // namespace nlb::gui
