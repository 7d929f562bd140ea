#pragma once
// The GUI's read-only view of a run: trace.jsonl (docs/trace-format.md) parsed into compact
// records. No Qt here, so the model is unit-testable and shared by every view.
//
// A million events must load and stay small: each event is one 32-byte record in time order
// (the runner writes them with non-decreasing `t`, so a binary search finds any time), its
// summary text sits in one character arena, its frame bytes in one byte blob, and the few
// fields of each event type in a side table of plain structs. Nothing keeps a JSON object
// per event.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gui/model/flat_json.hpp"

namespace nlb::gui {

enum class Role : std::uint8_t { Client, Internet, Firewall, Balancer, Server, Router, Host };
Role role_from(std::string_view text);  // unknown roles read as Host
const char* to_string(Role r);

// docs/trace-format.md's `ev` values. Peer and SplitBrain are a balancer's view of its peer
// (they fold into its states like State); Mac is a switch's MAC table; End closes a whole trace.
enum class EventType : std::uint8_t {
  Frame,
  State,
  Addr,
  Arp,
  Conn,
  Weights,
  Fault,
  Request,
  Mac,
  Peer,
  SplitBrain,
  End,
  Unknown
};
const char* to_string(EventType t);

// docs/trace-format.md: "kind classifies a frame for colouring and filtering".
enum class FrameKind : std::uint8_t {
  Arp,
  Garp,
  Vrrp,
  Heartbeat,
  Sync,
  Tcp,
  HttpRequest,
  HttpResponse,
  Udp,
  Icmp,
  Other
};
inline constexpr int kFrameKindCount = 11;
FrameKind frame_kind_from(std::string_view text);
const char* to_string(FrameKind k);

enum class Dir : std::uint8_t { None, Tx, Rx, Drop };
const char* to_string(Dir d);

// ---- Header: the topology ----
struct IfaceAddress {
  std::uint32_t ip = 0;
  std::uint8_t len = 32;
};

struct Interface {
  int index = 0;
  std::string name;
  int lan = -1;   // LAN position in Header::lans, -1 for loopback
  int port = -1;  // its port on that LAN (`mac` lines and drops inside a LAN name ports)
  std::uint64_t mac = 0;
  bool loopback = false;
  std::vector<IfaceAddress> addresses;
};

struct Route {
  std::string dest;  // "203.0.113.10/32"
  std::string via;   // next hop, empty when direct
  int iface = -1;
  std::string kind;  // direct, static, default
};

struct Node {
  int id = 0;  // the trace's id
  std::string name;
  Role role = Role::Host;
  std::vector<Interface> interfaces;
  std::vector<Route> routes;
  const Interface* interface(int index) const;
};

struct Lan {
  int id = 0;
  std::string name;
  std::string subnet;
};

struct FaultSpec {
  std::int64_t at_ns = 0;
  std::string action;
  std::string target;  // what it hits, for display: "lb1", "fw1/eth1", "lan ias", "pair nlb"
  std::string name;    // the timeline entry's name
};

struct Header {
  std::string scenario;
  std::uint64_t seed = 0;
  std::int64_t duration_ns = 0;
  std::vector<Lan> lans;
  std::vector<Node> nodes;
  std::vector<FaultSpec> faults;
  int node_by_name(std::string_view name) const;  // position, -1 if absent
  int lan_by_name(std::string_view name) const;
  // The node and interface (positions) on a LAN's port; {-1, -1} if none.
  std::pair<int, int> at_port(int lan, int port) const;
  std::string port_name(int lan, int port) const;  // "port 5 (fw1 eth1)"
};

// ---- Events ----
// Node, LAN and interface are positions in the header's vectors (ids are mapped at load). A
// frame dropped inside a LAN has no node: `iface` then holds the LAN's port.
struct EventRecord {
  std::int64_t t = 0;
  std::uint32_t summary = 0;  // offset in the text arena
  std::uint32_t extra = 0;    // index in the side table of `type`
  std::int32_t node = -1;
  std::int16_t lan = -1;
  std::int16_t iface = -1;
  EventType type = EventType::Unknown;
  FrameKind kind = FrameKind::Other;  // frames only
  Dir dir = Dir::None;                // frames only
};
static_assert(sizeof(EventRecord) <= 32);

struct FrameInfo {
  std::uint64_t id = 0;
  std::uint64_t bytes_at = 0;  // offset in the byte blob
  std::uint32_t vlen = 0;
  std::uint16_t len = 0;
  std::uint32_t reason = 0;  // interned text, 0 = none
  // Found at load, so that neither the animation nor the trail searches for copies: for a
  // send, ns until its last reception or drop on its LAN (whether it is still in flight); for
  // a reception or drop, ns since its send (where the send is).
  std::uint32_t delay_ns = 0;
};
static_assert(sizeof(FrameInfo) <= 32);
struct StateInfo {
  std::uint32_t machine = 0, from = 0, to = 0, why = 0;  // interned
};
struct AddrInfo {
  std::uint32_t ip = 0;
  std::uint8_t len = 32;
  bool add = true;
  bool alias = false;
};
enum class ArpOp : std::uint8_t { Add, Update, Expire, Fail };
struct ArpInfo {
  std::uint32_t ip = 0;
  ArpOp op = ArpOp::Add;
  std::uint64_t mac = 0;
  std::uint64_t old_mac = 0;
  std::uint32_t state = 0;  // interned
};
enum class ConnOp : std::uint8_t { Add, Sync, Expire, End };
struct ConnInfo {
  ConnOp op = ConnOp::Add;
  std::uint32_t proto = 0, client = 0, vip = 0, server = 0, outcome = 0;  // interned
};
struct FaultInfo {
  std::uint32_t action = 0;  // interned
  std::uint32_t target = 0;  // interned: as FaultSpec::target
  std::uint32_t name = 0;    // interned: the timeline entry's name (`of` for the end of a duration)
};
struct MacInfo {
  std::uint64_t mac = 0;
  std::uint32_t op = 0;  // interned: learn, move, forget, age
  std::int32_t port = -1, old_port = -1;
};
struct RequestInfo {
  std::uint32_t outcome = 0;  // interned
  std::uint32_t server = 0;   // interned
  std::int64_t latency_ns = 0;
};

// Short strings that repeat (machines, states, addresses) are stored once. Id 0 is "".
class StringTable {
 public:
  StringTable() { intern(""); }
  std::uint32_t intern(std::string_view s);
  const std::string& operator[](std::uint32_t id) const { return strings_[id]; }
  std::size_t size() const { return strings_.size(); }

 private:
  // Transparent hashing: looking up a string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> strings_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
};

struct LoadStats {
  std::size_t lines = 0;
  bool ended = false;                 // the `end` line was there: the runner finished writing the trace
  std::size_t skipped = 0;            // malformed event lines, kept out of the model
  std::vector<std::string> warnings;  // the first few, "line 12: ..."
  bool reordered = false;             // events were not in time order and were sorted
};

class TraceModel {
 public:
  // Parses a whole trace. Returns false with `error` ("line 1: ...") when the header is
  // missing or unusable; bad event lines are skipped and counted in stats().
  bool load(std::istream& in, std::string& error);
  bool load_file(const std::string& path, std::string& error);

  const Header& header() const { return header_; }
  const LoadStats& stats() const { return stats_; }
  std::size_t size() const { return events_.size(); }
  const EventRecord& event(std::size_t i) const { return events_[i]; }
  const std::vector<EventRecord>& events() const { return events_; }
  std::string_view summary(std::size_t i) const;
  const std::string& text(std::uint32_t interned) const { return strings_[interned]; }

  const FrameInfo& frame(const EventRecord& e) const { return frames_[e.extra]; }
  const StateInfo& state(const EventRecord& e) const { return states_[e.extra]; }
  const AddrInfo& addr(const EventRecord& e) const { return addrs_[e.extra]; }
  const ArpInfo& arp(const EventRecord& e) const { return arps_[e.extra]; }
  const ConnInfo& conn(const EventRecord& e) const { return conns_[e.extra]; }
  const FaultInfo& fault(const EventRecord& e) const { return faults_[e.extra]; }
  const RequestInfo& request(const EventRecord& e) const { return requests_[e.extra]; }
  const MacInfo& mac(const EventRecord& e) const { return macs_[e.extra]; }
  // State, Peer and SplitBrain events: machine ("ha peer", "split-brain"), from, to, why.
  // The frame's real bytes (vlen virtual zero bytes follow them on the wire).
  std::basic_string_view<std::uint8_t> frame_bytes(const EventRecord& e) const;

  // Time index: the first event with t > time (so events [0, upper_bound(t)) have happened).
  std::size_t upper_bound(std::int64_t time) const;
  std::size_t lower_bound(std::int64_t time) const;
  std::int64_t start_time() const { return 0; }
  std::int64_t end_time() const;  // the header's duration, or the last event if later

  // Per-node event lists (indices in time order) so that folding a node's tables at time t
  // reads only that node's events: status = state/addr/fault, then ARP, then connections.
  const std::vector<std::uint32_t>& status_events(int node) const { return status_index_[node]; }
  const std::vector<std::uint32_t>& arp_events(int node) const { return arp_index_[node]; }
  const std::vector<std::uint32_t>& conn_events(int node) const { return conn_index_[node]; }
  const std::vector<std::uint32_t>& fault_events() const { return fault_index_; }

  // For the animation: the rx/drop events of the frame sent by event `tx` (same frame id on
  // the same LAN), up to its last arrival (FrameInfo::delay_ns), at most `window` events on.
  std::vector<std::uint32_t> deliveries(std::size_t tx, std::size_t window = 1 << 18) const;
  // The tx event of a received or dropped frame (same id and LAN, at its delay_ns), if any.
  std::optional<std::size_t> sender_of(std::size_t event) const;

 private:
  bool parse_header(std::string_view line, std::string& error);
  bool parse_event(std::string_view line, std::string& error);
  void add_summary(EventRecord& e, std::string_view text);
  bool parse_frame(const FlatJson& j, EventRecord& e, std::string& error);
  std::string parse_peer_line(const FlatJson& j, EventRecord& e);
  std::string parse_mac_line(const FlatJson& j, EventRecord& e);
  void finish();
  void warn(std::size_t line, const std::string& what);

  Header header_;
  LoadStats stats_;
  std::vector<EventRecord> events_;
  std::string arena_;
  std::vector<std::uint8_t> blob_;
  StringTable strings_;
  std::vector<FrameInfo> frames_;
  std::vector<StateInfo> states_;
  std::vector<AddrInfo> addrs_;
  std::vector<ArpInfo> arps_;
  std::vector<ConnInfo> conns_;
  std::vector<FaultInfo> faults_;
  std::vector<RequestInfo> requests_;
  std::vector<MacInfo> macs_;
  std::unordered_map<int, int> node_pos_, lan_pos_;  // trace id -> position
  FlatJson line_;                                    // reused for every event line
  // The copies of one frame (tx, then rx at each receiver) carry the same bytes and summary:
  // a small cache by frame id stores them once.
  struct RecentFrame {
    std::uint64_t id = 0;
    std::uint64_t bytes_at = 0;
    std::uint16_t len = 0;
    std::uint32_t summary = 0;
    bool used = false;
  };
  std::vector<RecentFrame> recent_ = std::vector<RecentFrame>(256);
  // Recent sends by (frame id, LAN), so that each reception or drop finds its send (delay_ns).
  // Direct-mapped, large enough for the sends of a 20 ms WAN crossing in a dense trace.
  struct SentFrame {
    std::uint64_t id = 0;
    std::int16_t lan = -1;
    std::uint32_t frame = 0;  // index in frames_
    std::int64_t t = 0;
  };
  std::vector<SentFrame> sent_ = std::vector<SentFrame>(1 << 16);
  void note_arrival(const EventRecord& e, const FrameInfo& f, std::uint32_t frame);
  std::vector<std::vector<std::uint32_t>> status_index_, arp_index_, conn_index_;
  std::vector<std::uint32_t> fault_index_;
};

// Text forms used by every view.
std::string ip_str(std::uint32_t ip);
std::string mac_str(std::uint64_t mac);
bool parse_ip(std::string_view text, std::uint32_t& ip);
bool parse_prefix(std::string_view text, std::uint32_t& ip, std::uint8_t& len);  // "a.b.c.d/n" or bare
bool parse_mac(std::string_view text, std::uint64_t& mac);
std::string time_str(std::int64_t ns);  // "3.609375s" (exact, as the engine prints it)

}  // namespace nlb::gui
