#pragma once
// What `nlbsim explain` reads of a run's trace.jsonl (docs/trace-format.md): the header's
// topology and every line that can take part in a chain of causes — faults, state changes,
// addresses, ARP and switch-table changes, connection-table changes, requests — plus the frame
// lines that matter to one: drops, ARP and gratuitous ARP, heartbeats and VRRP adverts, and
// the ids of the clients' frames some NIC accepted (a frame flooded to NICs that all filter it
// is lost; one accepted somewhere is not).
//
// The frames of the data path are most of a trace (a 30 s Figure 3 run writes about 100 MB),
// so a line is classified from its first fields before anything is parsed, and only kept
// lines go through a JSON parser. A trace is rejected (never half-read) when its first line is
// not the header, a line is not a complete JSON object (a truncated file), or a kept line
// lacks a field it needs; the error names the line.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "models/wire/addr.hpp"
#include "models/wire/arp.hpp"
#include "sim/time.hpp"

namespace nlb::explain {

using sim::Time;
inline constexpr std::uint32_t kNone = UINT32_MAX;

struct IfInfo {
  std::string name;
  std::uint32_t lan = kNone;
  std::uint32_t port = kNone;  // the LAN's port (headers since the `mac` events; kNone before)
  wire::Mac mac;               // zero for a loopback
  bool loopback = false;
  std::vector<wire::Prefix> addresses;  // configured at build time (aliases come as `addr` events)
  std::vector<wire::Ipv4> hosts;        // the same addresses, host parts
};

struct RouteInfo {
  wire::Prefix dest;
  wire::Ipv4 via;  // unspecified for a direct route
  std::uint32_t iface = kNone;
};

struct NodeInfo {
  std::string name;
  std::string role;
  std::vector<IfInfo> interfaces;
  std::vector<RouteInfo> routes;
};

struct LanInfo {
  std::string name;
};

struct FaultLine {
  Time t;
  std::string action;  // crash, recover, ..., resume, heartbeat-restored
  std::string name;
  std::string node, lan, iface, pair;  // names, as in the scenario
  std::string of;                      // the entry a resume/heartbeat-restored ends
  std::optional<double> probability;
  std::optional<Time> duration;
};

struct StateLine {
  Time t;
  std::uint32_t node = kNone;
  std::string machine;  // vrrp/<vrid>, ha, advisor/<server>
  std::string from, to, why;
};

// A balancer started or stopped hearing its peer (`peer`), or resolved a split brain
// (`split-brain`: won or yielded).
struct HaLine {
  Time t;
  std::uint32_t node = kNone;
  bool split_brain = false;
  bool flag = false;  // peer: alive; split-brain: won
  std::string why;
};

struct AddrLine {
  Time t;
  std::uint32_t node = kNone, iface = kNone;
  bool added = true;
  wire::Ipv4 addr;
};

struct ArpLine {
  Time t;
  std::uint32_t node = kNone, iface = kNone;
  wire::Ipv4 ip;
  std::string op;  // add, update, expire, fail
  wire::Mac mac, old_mac;
  std::string state;
};

struct MacLine {
  Time t;
  std::uint32_t lan = kNone;
  wire::Mac mac;
  std::string op;  // learn, move, forget, age
  std::uint32_t port = kNone, old_port = kNone;
};

struct Endpoint {
  wire::Ipv4 ip;
  std::uint16_t port = 0;
  std::string str() const { return ip.str() + ":" + std::to_string(port); }
  auto operator<=>(const Endpoint&) const = default;
};

struct ConnLine {
  Time t;
  std::uint32_t node = kNone;
  std::string op;  // add, sync, expire, end
  Endpoint client, vip;
  std::string server, outcome;
};

struct RequestLine {
  Time t;
  std::uint32_t node = kNone;
  std::string outcome;
  Time latency;
  std::string server;
};

enum class Dir : std::uint8_t { Tx, Rx, Drop };

// A kept frame line with the headers nlbsim explain reasons about, decoded from its bytes.
struct FrameLine {
  Time t;
  Dir dir = Dir::Tx;
  std::uint32_t node = kNone, iface = kNone, port = kNone, lan = kNone;
  std::uint64_t id = 0;
  std::string kind, reason;
  wire::Mac src, dst;
  std::optional<wire::Arp> arp;
  bool ip = false;
  wire::Ipv4 ip_src, ip_dst;
  std::uint8_t proto = 0;
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t tcp_flags = 0;  // TCP: the flags byte (RST is 0x04)
  int vrid = -1;               // VRRP: the advert's VRID (keepalived sends it from a real MAC)
};

struct TraceIndex {
  std::string scenario;
  std::uint64_t seed = 0;
  Time duration;  // the run's end
  std::vector<LanInfo> lans;
  std::vector<NodeInfo> nodes;
  std::vector<FaultLine> faults;
  std::vector<StateLine> states;
  std::vector<HaLine> ha;
  std::vector<AddrLine> addrs;
  std::vector<ArpLine> arps;
  std::vector<MacLine> macs;
  std::vector<ConnLine> conns;
  std::vector<RequestLine> requests;
  std::vector<FrameLine> frames;
  // Ids of the clients' data frames (tcp, http, udp) some NIC accepted, sorted.
  std::vector<std::uint64_t> accepted;
  bool has_mac_lines = false;  // false for traces written before `mac` events existed
  bool has_end = false;        // the `end` line was read (traces before it existed have none)
  std::uint64_t lines = 0;
};

// Reads a whole trace. `name` prefixes errors ("trace.jsonl:12: ...").
std::optional<TraceIndex> read_trace(std::istream& in, const std::string& name, std::string& error);

}  // namespace nlb::explain
