#include "gui/tools/synthetic_run.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "models/wire/arp.hpp"
#include "models/wire/describe.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ha.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"
#include "models/wire/vrrp.hpp"

namespace nlb::gui::synth {

namespace {

namespace w = nlb::wire;
using json = nlohmann::ordered_json;
using Buf = std::vector<std::uint8_t>;

constexpr std::int64_t kUs = 1'000, kMs = 1'000'000, kS = 1'000'000'000;
constexpr std::int64_t kLanDelay = 20 * kUs;  // switch and wire, per LAN crossing
constexpr std::int64_t kWanDelay = 10 * kMs;  // the Internet node's one-way delay
constexpr std::int64_t kHop = 5 * kUs;        // a node's forwarding time
constexpr std::int64_t kHeartbeatEvery = 500 * kMs;
constexpr std::int64_t kHeartbeatTimeout = 2 * kS;  // REFERENCE.md: ND fails over after 2 s

enum : int { Client1, Client2, Inet, Fw1, Fw2, Lb1, Lb2, Srv1, Srv2, Srv3, kNodeCount };
enum : int { ClientLan, Outside, Access, ServerLan };

const w::Ipv4 kCluster{203, 0, 113, 10};
const w::Ipv4 kNlbs{10, 1, 0, 100};
const w::Ipv4 kVipOutside{192, 0, 2, 10}, kVipAccess{10, 1, 0, 254}, kVipServer{10, 2, 0, 254};

struct Nic {
  std::string name;
  int lan = -1;  // -1: loopback
  w::Mac mac;
  w::Ipv4 ip;
  int len = 24;
};

struct SimNode {
  std::string name, role;
  std::vector<Nic> nics;
  json routes = json::array();
};

w::Mac mac_of(int node, int nic) {
  return w::Mac::local(static_cast<std::uint32_t>((node + 1) * 256 + nic + 1));
}
w::Mac vmac(int vrid) { return w::Mac::vrrp_virtual(static_cast<std::uint8_t>(vrid)); }

json route(const std::string& dest, const std::string& via, int iface, const char* kind) {
  return {{"dest", dest}, {"via", via}, {"iface", iface}, {"kind", kind}};
}

std::vector<SimNode> topology() {
  std::vector<SimNode> n(kNodeCount);
  auto nic = [&](int node, std::string name, int lan, w::Ipv4 ip, int len = 24) {
    n[node].nics.push_back(
        {std::move(name), lan, mac_of(node, static_cast<int>(n[node].nics.size())), ip, len});
  };
  n[Client1] = {"client1", "client", {}, {}};
  nic(Client1, "eth0", ClientLan, {198, 51, 100, 10});
  n[Client2] = {"client2", "client", {}, {}};
  nic(Client2, "eth0", ClientLan, {198, 51, 100, 11});
  for (int c : {Client1, Client2}) n[c].routes.push_back(route("0.0.0.0/0", "198.51.100.1", 0, "default"));
  n[Inet] = {"internet", "internet", {}, {}};
  nic(Inet, "eth0", ClientLan, {198, 51, 100, 1});
  nic(Inet, "eth1", Outside, {192, 0, 2, 1});
  n[Inet].routes.push_back(route("203.0.113.0/24", "192.0.2.10", 1, "static"));
  for (int f : {Fw1, Fw2}) {
    std::uint8_t k = f == Fw1 ? 1 : 2;
    n[f] = {f == Fw1 ? "fw1" : "fw2", "firewall", {}, {}};
    nic(f, "eth0", Outside, {192, 0, 2, std::uint8_t(1 + k)});
    nic(f, "eth1", Access, {10, 1, 0, k});
    nic(f, "eth2", ServerLan, {10, 2, 0, k});
    // Seed, ROUTING: "Cluster Public IP@ - Static Route - NLBS IP@".
    n[f].routes.push_back(route("203.0.113.10/32", "10.1.0.100", 1, "static"));
    n[f].routes.push_back(route("0.0.0.0/0", "192.0.2.1", 0, "default"));
  }
  for (int b : {Lb1, Lb2}) {
    std::uint8_t k = b == Lb1 ? 11 : 12;
    n[b] = {b == Lb1 ? "lb1" : "lb2", "balancer", {}, {}};
    nic(b, "eth0", Access, {10, 1, 0, k});
    nic(b, "eth1", ServerLan, {10, 2, 0, k});
    n[b].nics.push_back({"lo", -1, w::Mac::zero(), kCluster, 32});
    n[b].routes.push_back(route("0.0.0.0/0", "10.1.0.254", 0, "default"));
  }
  for (int s : {Srv1, Srv2, Srv3}) {
    std::uint8_t k = static_cast<std::uint8_t>(21 + s - Srv1);
    n[s] = {"srv" + std::to_string(1 + s - Srv1), "server", {}, {}};
    nic(s, "eth0", ServerLan, {10, 2, 0, k});
    n[s].nics.push_back({"lo", -1, w::Mac::zero(), kCluster, 32});
    // Seed, ROUTING, Network Server: default route via the firewalls' VRRP address.
    n[s].routes.push_back(route("0.0.0.0/0", "10.2.0.254", 0, "default"));
  }
  return n;
}

// ---- frame bytes ----

Buf eth(w::Mac dst, w::Mac src, w::EtherType type, std::size_t payload) {
  Buf b(w::ethernet::kHeaderLen + payload);
  w::EthernetHeader{dst, src, type}.emit(w::MutBytes(reinterpret_cast<std::byte*>(b.data()), b.size()));
  return b;
}

w::MutBytes span_at(Buf& b, std::size_t at) {
  return {reinterpret_cast<std::byte*>(b.data()) + at, b.size() - at};
}

void pad(Buf& b) {
  if (b.size() < w::ethernet::kMinFrameLen) b.resize(w::ethernet::kMinFrameLen, 0);
}

Buf arp_frame(w::Mac dst, w::Mac src, const w::Arp& a) {
  Buf b = eth(dst, src, w::EtherType::Arp, w::arp::kLen);
  a.emit(span_at(b, w::ethernet::kHeaderLen));
  pad(b);
  return b;
}

// An IPv4 packet of `l4` real bytes followed by `vlen` virtual ones.
Buf ip_frame(w::Mac dst, w::Mac src, w::Ipv4Header ip, const Buf& l4, std::uint32_t vlen) {
  ip.set_payload_len(l4.size() + vlen);
  Buf b = eth(dst, src, w::EtherType::Ipv4, ip.header_len() + l4.size());
  ip.emit(span_at(b, w::ethernet::kHeaderLen));
  std::copy(l4.begin(), l4.end(), b.begin() + static_cast<long>(w::ethernet::kHeaderLen + ip.header_len()));
  pad(b);
  return b;
}

struct Segment {
  w::Ipv4 src, dst;
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::string data;  // real payload
  std::uint32_t vlen = 0;
};

Buf tcp_bytes(const Segment& s) {
  w::TcpHeader h;
  h.src_port = s.sport;
  h.dst_port = s.dport;
  h.seq = s.seq;
  h.ack = s.ack;
  h.flags.bits = s.flags;
  h.window = 64240;
  if (s.flags & w::TcpFlags::kSyn) {
    w::TcpOptions o;
    o.mss = 1460;
    h.set_options(o);
  }
  Buf b(h.header_len() + s.data.size());
  std::copy(s.data.begin(), s.data.end(), b.begin() + static_cast<long>(h.header_len()));
  w::Bytes payload(reinterpret_cast<const std::byte*>(s.data.data()), s.data.size());
  h.emit(span_at(b, 0), s.src, s.dst, payload, s.vlen);
  return b;
}

Buf udp_bytes(w::Ipv4 src, w::Ipv4 dst, std::uint16_t port, const Buf& data) {
  w::UdpHeader h;
  h.src_port = port;
  h.dst_port = port;
  Buf b(w::udp::kHeaderLen + data.size());
  std::copy(data.begin(), data.end(), b.begin() + static_cast<long>(w::udp::kHeaderLen));
  w::Bytes payload(reinterpret_cast<const std::byte*>(data.data()), data.size());
  h.emit(span_at(b, 0), src, dst, payload, 0);
  return b;
}

// RFC 5798 5.1 advertisement, checksum over the IPv4 pseudo-header (keepalived's default).
Buf vrrp_bytes(w::Ipv4 src, std::uint8_t vrid, std::uint8_t prio, w::Ipv4 vip) {
  w::Vrrp v;
  v.vrid = vrid;
  v.priority = prio;
  v.addresses.push_back(vip);
  Buf b(v.wire_len());
  v.emit(span_at(b, 0), src, w::vrrp::kMulticastGroup);
  return b;
}

// The balancer pair's messages (models/wire/ha.hpp).
Buf ha_bytes(const w::HaHeartbeat& h) {
  Buf b(h.wire_len());
  h.emit(span_at(b, 0));
  return b;
}

Buf ha_bytes(const w::HaSync& s) {
  Buf b(s.wire_len());
  s.emit(span_at(b, 0));
  return b;
}

w::Bytes view(const Buf& b) { return {reinterpret_cast<const std::byte*>(b.data()), b.size()}; }

std::string hex_of(const Buf& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

struct Wire {
  Buf bytes;
  std::uint32_t vlen = 0;
  const char* kind = "other";
  std::string summary;
};

// A frame as the runner traces it: models/wire's kind and one-line description. The balancer
// pair's messages are UDP to wire; their kind comes from the HA message type.
Wire wire_of(Buf bytes, std::uint32_t vlen = 0, const char* kind = nullptr) {
  Wire f{std::move(bytes), vlen, kind, {}};
  if (!f.kind) f.kind = w::frame_kind(view(f.bytes), vlen);
  f.summary = w::describe_frame(view(f.bytes), vlen);
  return f;
}

Wire tcp_wire(w::Mac dst, w::Mac src, std::uint8_t ttl, const Segment& s) {
  w::Ipv4Header ip;
  ip.protocol = w::IpProto::Tcp;
  ip.src = s.src;
  ip.dst = s.dst;
  ip.ttl = ttl;
  ip.dont_fragment = true;
  ip.ident = static_cast<std::uint16_t>(s.sport ^ s.seq);
  return wire_of(ip_frame(dst, src, ip, tcp_bytes(s), s.vlen), s.vlen);
}

// ---- the event writer ----

struct Line {
  std::int64_t t;
  std::uint64_t seq;
  std::string text;
};

struct Conn {
  int client = 0;
  std::uint16_t port = 0;
  int server = -1;
  std::int64_t open = 0, close = -1;
  std::int64_t latency = -1;
  std::uint64_t bytes = 0;
  bool ok = false;
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o), nodes_(topology()) {}
  Run run();

 private:
  // Output
  std::uint64_t emit(std::int64_t t, const char* ev, json fields);
  std::uint64_t frame(std::int64_t t, const char* dir, int node, int nic, std::uint64_t id, const Wire& f,
                      const char* reason = nullptr);
  // tx by (node, nic) at t; rx by each receiver at t + kLanDelay; returns the tx line's seq.
  std::uint64_t hop(std::int64_t t, int node, int nic, const Wire& f,
                    const std::vector<std::pair<int, int>>& rx);
  std::uint64_t state(std::int64_t t, int node, const std::string& machine, const char* from, const char* to,
                      const std::string& why);
  std::uint64_t addr(std::int64_t t, int node, int nic, const char* op, w::Ipv4 ip, int len);
  std::uint64_t arp(std::int64_t t, int node, int nic, w::Ipv4 ip, const char* op, std::optional<w::Mac> mac,
                    std::optional<w::Mac> old_mac, const char* st);
  std::uint64_t conn(std::int64_t t, int node, const char* op, const Conn& c, const char* outcome = nullptr);
  json header() const;

  // Protocol pieces
  void startup();
  void vrrp_adverts();
  void heartbeats();
  void failover();
  void weights();
  void plan();                                // the failover's times, before any traffic
  int active_balancer(std::int64_t t) const;  // -1 during the outage
  w::Mac fw1_nlbs(std::int64_t t) const;      // fw1's ARP entry for the NLBS address at t
  void mark(std::uint64_t seq, std::int64_t Landmarks::*slot);
  bool balancer_up(int b, std::int64_t t) const;
  Wire arp_wire(w::Mac dst, w::Mac src, const w::Arp& a);

  // One segment client -> server through Internet, fw1, the balancer holding fw1's ARP
  // entry, and the server; returns the arrival time at the server, or nothing if dropped.
  std::optional<std::int64_t> to_server(std::int64_t t, Conn& c, const Segment& s);
  // One segment server -> client directly via the firewalls (the seed's direct return).
  std::int64_t to_client(std::int64_t t, const Conn& c, const Segment& s);
  std::int64_t resolve_nlbs(std::int64_t t);  // fw1's ARP for the NLBS address, if missing
  // A segment with retransmission (RFC 6298: 1 s, doubling) until it reaches the server.
  std::optional<std::int64_t> deliver(std::int64_t t, Conn& c, const Segment& s);
  void connection(std::int64_t t, int client, int server_hint);
  int choose_server();

  void metrics_csv(std::string& out) const;
  void report_json(std::string& out) const;

  Options o_;
  std::vector<SimNode> nodes_;
  std::vector<Line> lines_;
  std::uint64_t seq_ = 0, frame_id_ = 0;
  bool fw1_resolved_ = false;                                 // fw1 has asked for the NLBS address once
  std::map<std::pair<int, std::uint16_t>, int> lb_conns_[2];  // (client, port) -> server, per balancer
  std::vector<Conn> conns_;
  int next_server_ = 1;  // srv2 first: the Figure 4 picture
  std::int64_t takeover_at_ = -1, garp_at_ = -1, first_drop_ = -1, first_flow_after_ = -1;
  Landmarks marks_;
  std::map<std::uint64_t, std::int64_t Landmarks::*> mark_seq_;
  std::vector<std::int64_t Landmarks::*> marked_;
};

std::uint64_t Generator::emit(std::int64_t t, const char* ev, json fields) {
  json j;
  j["t"] = t;
  j["ev"] = ev;
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  lines_.push_back({t, seq_, j.dump()});
  return seq_++;
}

std::uint64_t Generator::frame(std::int64_t t, const char* dir, int node, int nic, std::uint64_t id,
                               const Wire& f, const char* reason) {
  json j = {{"dir", dir},
            {"node", node},
            {"if", nic},
            {"lan", nodes_[node].nics[nic].lan},
            {"id", id},
            {"len", f.bytes.size()},
            {"vlen", f.vlen},
            {"kind", f.kind},
            {"summary", f.summary}};
  if (reason) j["reason"] = reason;
  j["hex"] = hex_of(f.bytes);
  return emit(t, "frame", std::move(j));
}

std::uint64_t Generator::hop(std::int64_t t, int node, int nic, const Wire& f,
                             const std::vector<std::pair<int, int>>& rx) {
  std::uint64_t id = ++frame_id_;
  std::uint64_t s = frame(t, "tx", node, nic, id, f);
  for (auto [n, i] : rx) {
    if (balancer_up(n, t + kLanDelay))
      frame(t + kLanDelay, "rx", n, i, id, f);
    else
      frame(t + kLanDelay, "drop", n, i, id, f, "node-down");
  }
  return s;
}

std::uint64_t Generator::state(std::int64_t t, int node, const std::string& machine, const char* from,
                               const char* to, const std::string& why) {
  return emit(t, "state", {{"node", node}, {"machine", machine}, {"from", from}, {"to", to}, {"why", why}});
}

std::uint64_t Generator::addr(std::int64_t t, int node, int nic, const char* op, w::Ipv4 ip, int len) {
  return emit(t, "addr",
              {{"node", node},
               {"if", nic},
               {"op", op},
               {"addr", ip.str() + "/" + std::to_string(len)},
               {"alias", true}});
}

std::uint64_t Generator::arp(std::int64_t t, int node, int nic, w::Ipv4 ip, const char* op,
                             std::optional<w::Mac> mac, std::optional<w::Mac> old_mac, const char* st) {
  json j = {{"node", node}, {"if", nic}, {"ip", ip.str()}, {"op", op}};
  if (mac) j["mac"] = mac->str();
  if (old_mac) j["old_mac"] = old_mac->str();
  j["state"] = st;
  return emit(t, "arp", std::move(j));
}

std::uint64_t Generator::conn(std::int64_t t, int node, const char* op, const Conn& c, const char* outcome) {
  json j = {{"node", node},
            {"op", op},
            {"proto", "tcp"},
            {"client", nodes_[c.client].nics[0].ip.str() + ":" + std::to_string(c.port)},
            {"vip", kCluster.str() + ":80"},
            {"server", nodes_[c.server].name}};
  if (outcome) j["outcome"] = outcome;
  return emit(t, "conn", std::move(j));
}

bool Generator::balancer_up(int b, std::int64_t t) const {
  if (b != Lb1 || !o_.failover) return true;
  return t < o_.crash_at_ns || t >= o_.recover_at_ns;
}

void Generator::plan() {
  if (!o_.failover) return;
  // The last heartbeat lb2 heard was sent before the crash; it declares lb1 dead
  // kHeartbeatTimeout later (seed, "High Availability": heartbeat).
  std::int64_t last_hb = (o_.crash_at_ns / kHeartbeatEvery) * kHeartbeatEvery + kLanDelay;
  takeover_at_ = last_hb + kHeartbeatTimeout;
  garp_at_ = takeover_at_ + 20 * kUs;
}

w::Mac Generator::fw1_nlbs(std::int64_t t) const {
  bool moved = o_.failover && t >= garp_at_ + kLanDelay + kHop;
  return moved ? mac_of(Lb2, 0) : mac_of(Lb1, 0);
}

void Generator::mark(std::uint64_t seq, std::int64_t Landmarks::*slot) {
  if (std::find(marked_.begin(), marked_.end(), slot) != marked_.end()) return;
  marked_.push_back(slot);
  mark_seq_[seq] = slot;
}

int Generator::active_balancer(std::int64_t t) const {
  if (!o_.failover || t < o_.crash_at_ns) return Lb1;
  return t >= takeover_at_ ? Lb2 : -1;
}

Wire Generator::arp_wire(w::Mac dst, w::Mac src, const w::Arp& a) { return wire_of(arp_frame(dst, src, a)); }

void Generator::startup() {
  // RFC 5798 6.4.1: the highest priority router becomes master, adds the addresses, and
  // broadcasts a gratuitous ARP for each (7.3: from the virtual MAC).
  struct Group {
    int vrid, nic;
    w::Ipv4 vip;
  };
  for (Group g : {Group{1, 0, kVipOutside}, Group{2, 1, kVipAccess}, Group{3, 2, kVipServer}}) {
    std::string m = "vrrp/" + std::to_string(g.vrid);
    std::int64_t t = 1 * kMs + g.vrid * 10 * kUs;
    state(t, Fw1, m, "initialize", "master", "priority 200, highest");
    state(t, Fw2, m, "initialize", "backup", "priority 100");
    addr(t, Fw1, g.nic, "add", g.vip, 24);
    hop(t + kHop, Fw1, g.nic,
        arp_wire(w::Mac::broadcast(), vmac(g.vrid), w::Arp::gratuitous_request(vmac(g.vrid), g.vip)),
        {{Fw2, g.nic}});
  }
  // Seed, "Initial and active states": the primary defines the NLBS address as an alias and
  // announces it; the secondary stays standby without it.
  state(2 * kMs, Lb1, "ha", "initial", "active", "primary, peer not active");
  addr(2 * kMs, Lb1, 0, "add", kNlbs, 24);
  hop(2 * kMs + kHop, Lb1, 0,
      arp_wire(w::Mac::broadcast(), mac_of(Lb1, 0), w::Arp::gratuitous_request(mac_of(Lb1, 0), kNlbs)),
      {{Fw1, 1}, {Fw2, 1}, {Lb2, 0}});
  state(2 * kMs + 50 * kUs, Lb2, "ha", "initial", "standby", "peer active");
  for (int s : {Srv1, Srv2, Srv3}) {
    std::string m = "advisor/" + nodes_[s].name;
    state(300 * kMs, Lb1, m, "unknown", "up", "HTTP probe ok");
    state(300 * kMs, Lb2, m, "unknown", "up", "HTTP probe ok");
  }
  // Tables the clients, the Internet node and the servers filled before the story starts,
  // each by an ordinary request/reply (only the balancers' and fw1's ARP is shown in full).
  std::int64_t t = 400 * kMs;
  for (int c : {Client1, Client2})
    arp(t, c, 0, {198, 51, 100, 1}, "add", mac_of(Inet, 0), std::nullopt, "reachable");
  arp(t, Inet, 1, kVipOutside, "add", vmac(1), std::nullopt, "reachable");
  for (int c : {Client1, Client2})
    arp(t, Inet, 0, nodes_[c].nics[0].ip, "add", mac_of(c, 0), std::nullopt, "reachable");
  arp(t, Fw1, 0, {192, 0, 2, 1}, "add", mac_of(Inet, 1), std::nullopt, "reachable");
  for (int s : {Srv1, Srv2, Srv3}) {
    arp(t, s, 0, kVipServer, "add", vmac(3), std::nullopt, "reachable");
    for (int b : {Lb1, Lb2})
      arp(t, b, 1, nodes_[s].nics[0].ip, "add", mac_of(s, 0), std::nullopt, "reachable");
  }
}

void Generator::vrrp_adverts() {
  // RFC 5798 6.4.3: the master advertises every Advertisement_Interval (1 s).
  for (std::int64_t t = 1 * kS; t < o_.duration_ns; t += kS) {
    for (int g = 1; g <= 3; ++g) {
      int nic = g - 1;
      w::Ipv4 vip = g == 1 ? kVipOutside : g == 2 ? kVipAccess : kVipServer;
      w::Ipv4Header ip;
      ip.protocol = w::IpProto::Vrrp;
      ip.ttl = 255;
      ip.src = nodes_[Fw1].nics[nic].ip;
      ip.dst = w::Ipv4(224, 0, 0, 18);
      Buf v = vrrp_bytes(ip.src, static_cast<std::uint8_t>(g), 200, vip);
      Wire f = wire_of(ip_frame(w::Mac({0x01, 0x00, 0x5e, 0x00, 0x00, 0x12}), vmac(g), ip, v, 0));
      hop(t + 300 * kUs + g * 10 * kUs, Fw1, nic, f, {{Fw2, nic}});
    }
  }
}

void Generator::heartbeats() {
  // The balancers' heartbeat on the server LAN, every 0.5 s each way (REFERENCE.md: ND).
  for (std::int64_t t = 500 * kMs; t < o_.duration_ns; t += kHeartbeatEvery) {
    for (int b : {Lb1, Lb2}) {
      if (!balancer_up(b, t)) continue;
      int peer = b == Lb1 ? Lb2 : Lb1;
      w::Ipv4Header ip;
      ip.protocol = w::IpProto::Udp;
      ip.src = nodes_[b].nics[1].ip;
      ip.dst = nodes_[peer].nics[1].ip;
      w::HaHeartbeat hb;
      hb.state = b == active_balancer(t) ? w::HaState::Active : w::HaState::Standby;
      hb.role = b == Lb1 ? w::HaRole::Primary : w::HaRole::Backup;
      hb.priority = b == Lb1 ? 200 : 100;
      hb.sync = w::HaSyncStatus::Synchronized;
      hb.hears_peer = balancer_up(peer, t);
      hb.sequence = static_cast<std::uint32_t>(t / kHeartbeatEvery);
      Wire f = wire_of(ip_frame(mac_of(peer, 1), mac_of(b, 1), ip,
                                udp_bytes(ip.src, ip.dst, w::ha::kUdpPort, ha_bytes(hb)), 0),
                       0, "heartbeat");
      hop(t + (b == Lb1 ? 0 : 100 * kUs), b, 1, f, {{peer, 1}});
    }
  }
}

void Generator::failover() {
  if (!o_.failover) return;
  mark(emit(o_.crash_at_ns, "fault", {{"action", "crash"}, {"node", "lb1"}}), &Landmarks::crash);
  mark(state(takeover_at_, Lb2, "ha", "standby", "active", "no heartbeat from lb1 for 2s"),
       &Landmarks::takeover);
  // Seed, "Switch from a Network Load Balancer to an other": define the alias, broadcast an
  // ARP request with its own MAC and the NLBS address.
  addr(takeover_at_ + 10 * kUs, Lb2, 0, "add", kNlbs, 24);
  std::uint64_t s =
      hop(garp_at_, Lb2, 0,
          arp_wire(w::Mac::broadcast(), mac_of(Lb2, 0), w::Arp::gratuitous_request(mac_of(Lb2, 0), kNlbs)),
          {{Fw1, 1}, {Fw2, 1}});
  mark(s, &Landmarks::gratuitous_arp);
  // RFC 826 merge: fw1 has an entry for 10.1.0.100, so the announcement updates it; fw2 has
  // none and learns nothing.
  if (fw1_resolved_)
    mark(arp(garp_at_ + kLanDelay + kHop, Fw1, 1, kNlbs, "update", mac_of(Lb2, 0), mac_of(Lb1, 0),
             "reachable"),
         &Landmarks::fw_arp_update);
  emit(o_.recover_at_ns, "fault", {{"action", "recover"}, {"node", "lb1"}});
  state(o_.recover_at_ns + 50 * kMs, Lb1, "ha", "initial", "standby", "peer active, no preemption");
}

void Generator::weights() {
  for (std::int64_t t = 5 * kS; t < o_.duration_ns; t += 5 * kS) {
    int b = active_balancer(t);
    if (b < 0) continue;
    emit(t, "weights",
         {{"node", b}, {"cluster", kCluster.str()}, {"weights", {{"srv1", 10}, {"srv2", 10}, {"srv3", 10}}}});
  }
}

std::int64_t Generator::resolve_nlbs(std::int64_t t) {
  if (fw1_resolved_) return t;
  fw1_resolved_ = true;
  // Seed, DATA FLOWS: fw1 "broadcasts an ARP request with the NLBS IP address on the Internet
  // Access Subnet"; only the balancer with the alias answers.
  arp(t, Fw1, 1, kNlbs, "add", std::nullopt, std::nullopt, "incomplete");
  std::uint64_t s = hop(t, Fw1, 1,
                        arp_wire(w::Mac::broadcast(), mac_of(Fw1, 1),
                                 w::Arp::request(mac_of(Fw1, 1), nodes_[Fw1].nics[1].ip, kNlbs)),
                        {{Fw2, 1}, {Lb1, 0}, {Lb2, 0}});
  mark(s, &Landmarks::first_arp_request);
  int b = active_balancer(t);
  std::int64_t r = t + kLanDelay + kHop;
  s = hop(r, b, 0,
          arp_wire(mac_of(Fw1, 1), mac_of(b, 0),
                   w::Arp::reply(mac_of(b, 0), kNlbs, mac_of(Fw1, 1), nodes_[Fw1].nics[1].ip)),
          {{Fw1, 1}});
  mark(s, &Landmarks::first_arp_reply);
  arp(r + kLanDelay, Fw1, 1, kNlbs, "update", mac_of(b, 0), std::nullopt, "reachable");
  return r + kLanDelay + kHop;
}

int Generator::choose_server() {
  int s = Srv1 + next_server_;
  next_server_ = (next_server_ + 1) % 3;
  return s;
}

std::optional<std::int64_t> Generator::to_server(std::int64_t t, Conn& c, const Segment& s) {
  Wire f = tcp_wire(mac_of(Inet, 0), mac_of(c.client, 0), 64, s);
  hop(t, c.client, 0, f, {{Inet, 0}});
  t += kLanDelay + kWanDelay;
  hop(t, Inet, 1, tcp_wire(vmac(1), mac_of(Inet, 1), 63, s), {{Fw1, 0}});
  t = resolve_nlbs(t + kLanDelay + kHop);
  // fw1 sends to whatever MAC its ARP table holds for the NLBS address.
  w::Mac next = fw1_nlbs(t);
  int b = next == mac_of(Lb1, 0) ? Lb1 : Lb2;
  hop(t, Fw1, 1, tcp_wire(next, mac_of(Fw1, 1), 62, s), {{b, 0}});
  t += kLanDelay;
  if (!balancer_up(b, t) || active_balancer(t) != b) {
    if (first_drop_ < 0) first_drop_ = t;
    return std::nullopt;
  }
  if (takeover_at_ >= 0 && t > takeover_at_ && first_flow_after_ < 0) first_flow_after_ = t;
  auto& table = lb_conns_[b == Lb1 ? 0 : 1];
  auto key = std::make_pair(c.client, c.port);
  if (!table.count(key)) {
    table[key] = c.server;
    conn(t + kHop, b, "add", c);
    // Seed, "High Availability": the connection table is synchronised to the standby.
    int peer = b == Lb1 ? Lb2 : Lb1;
    if (balancer_up(peer, t)) {
      w::Ipv4Header ip;
      ip.protocol = w::IpProto::Udp;
      ip.src = nodes_[b].nics[1].ip;
      ip.dst = nodes_[peer].nics[1].ip;
      w::HaSync batch;
      batch.sequence = static_cast<std::uint32_t>(conns_.size());
      batch.entries.push_back({w::ha::kProtoTcp, w::ConnState::SynRecv, nodes_[c.client].nics[0].ip, c.port,
                               kCluster, 80, nodes_[c.server].nics[0].ip, 0});
      Wire sync = wire_of(ip_frame(mac_of(peer, 1), mac_of(b, 1), ip,
                                   udp_bytes(ip.src, ip.dst, w::ha::kUdpPort, ha_bytes(batch)), 0),
                          0, "sync");
      hop(t + 2 * kHop, b, 1, sync, {{peer, 1}});
      lb_conns_[peer == Lb1 ? 0 : 1][key] = c.server;
      conn(t + 2 * kHop + kLanDelay, peer, "sync", c);
    }
  }
  // Seed, DATA FLOWS: replace the destination MAC with the selected server's and send the
  // datagram on the server subnet; the IP header is untouched (same TTL, same checksum).
  int srv = table[key];
  std::uint64_t rs = hop(t + kHop, b, 1, tcp_wire(mac_of(srv, 0), mac_of(b, 1), 62, s), {{srv, 0}});
  if (s.flags & w::TcpFlags::kSyn) mark(rs, &Landmarks::first_rewritten_syn);
  return t + kHop + kLanDelay;
}

std::int64_t Generator::to_client(std::int64_t t, const Conn& c, const Segment& s) {
  // Seed: the server "sends back a reply to the Internet Firewall using the VRRP IP address".
  std::uint64_t sa = hop(t, c.server, 0, tcp_wire(vmac(3), mac_of(c.server, 0), 64, s), {{Fw1, 2}});
  if (s.flags == (w::TcpFlags::kSyn | w::TcpFlags::kAck)) mark(sa, &Landmarks::first_syn_ack);
  t += kLanDelay + kHop;
  hop(t, Fw1, 0, tcp_wire(mac_of(Inet, 1), mac_of(Fw1, 0), 63, s), {{Inet, 1}});
  t += kLanDelay + kWanDelay;
  hop(t, Inet, 0, tcp_wire(mac_of(c.client, 0), mac_of(Inet, 0), 62, s), {{c.client, 0}});
  return t + kLanDelay;
}

std::optional<std::int64_t> Generator::deliver(std::int64_t t, Conn& c, const Segment& s) {
  std::int64_t rto = 1 * kS;
  for (int attempt = 0; attempt < 6; ++attempt, t += rto, rto *= 2)
    if (auto at = to_server(t, c, s)) return at;
  return std::nullopt;
}

void Generator::connection(std::int64_t t, int client, int server) {
  Conn c;
  c.client = client;
  c.port = static_cast<std::uint16_t>(40000 + conns_.size());
  c.server = server;
  c.open = t;
  w::Ipv4 cip = nodes_[client].nics[0].ip;
  std::uint32_t cs = 1000u + static_cast<std::uint32_t>(conns_.size()) * 7919u, ss = 5000u;
  auto seg = [&](bool up, std::uint8_t flags, std::string data = {}, std::uint32_t vlen = 0) {
    Segment s;
    s.src = up ? cip : kCluster;
    s.dst = up ? kCluster : cip;
    s.sport = up ? c.port : 80;
    s.dport = up ? 80 : c.port;
    s.seq = up ? cs : ss;
    s.ack = flags & w::TcpFlags::kAck ? (up ? ss : cs) : 0;
    s.flags = flags;
    s.data = std::move(data);
    s.vlen = vlen;
    return s;
  };
  constexpr std::uint8_t S = w::TcpFlags::kSyn, A = w::TcpFlags::kAck, P = w::TcpFlags::kPsh,
                         F = w::TcpFlags::kFin;
  auto at = deliver(t, c, seg(true, S));
  if (!at) return conns_.push_back(c);
  ++cs;
  std::int64_t back = to_client(*at + 50 * kUs, c, seg(false, S | A));
  ++ss;
  std::string get = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n";
  auto req_at = deliver(back + 20 * kUs, c, seg(true, P | A, get));
  if (!req_at) return conns_.push_back(c);
  cs += static_cast<std::uint32_t>(get.size());
  std::int64_t service = 100 * kMs + (c.port % 7) * 60 * kMs;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1200\r\n\r\n";
  std::int64_t resp_at = to_client(*req_at + service, c, seg(false, P | A, head, 1200));
  ss += static_cast<std::uint32_t>(head.size() + 1200);
  c.latency = resp_at - c.open;
  c.bytes = head.size() + 1200;
  c.ok = true;
  emit(resp_at, "request",
       {{"node", client}, {"outcome", "ok"}, {"latency_ns", c.latency}, {"server", nodes_[c.server].name}});
  auto fin_at = deliver(resp_at + 20 * kUs, c, seg(true, F | A));
  ++cs;
  std::int64_t end = fin_at ? to_client(*fin_at + 30 * kUs, c, seg(false, F | A)) : resp_at + 10 * kS;
  c.close = end;
  emit(end, "conn",
       {{"node", client},
        {"op", "end"},
        {"proto", "tcp"},
        {"client", cip.str() + ":" + std::to_string(c.port)},
        {"vip", kCluster.str() + ":80"},
        {"server", nodes_[c.server].name},
        {"outcome", "completed"}});
  for (int b : {Lb1, Lb2}) {
    auto& table = lb_conns_[b == Lb1 ? 0 : 1];
    if (table.erase({client, c.port}) && balancer_up(b, end + 1 * kS)) conn(end + 1 * kS, b, "expire", c);
  }
  conns_.push_back(c);
}

json Generator::header() const {
  json lans = json::array();
  const char* names[] = {"client-lan", "outside", "internet-access", "server-access"};
  const char* subnets[] = {"198.51.100.0/24", "192.0.2.0/24", "10.1.0.0/24", "10.2.0.0/24"};
  for (int i = 0; i < 4; ++i) lans.push_back({{"id", i}, {"name", names[i]}, {"subnet", subnets[i]}});
  json nodes = json::array();
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    json ifs = json::array();
    for (std::size_t i = 0; i < nodes_[n].nics.size(); ++i) {
      const Nic& nic = nodes_[n].nics[i];
      ifs.push_back({{"index", i},
                     {"name", nic.name},
                     {"lan", nic.lan < 0 ? json(nullptr) : json(nic.lan)},
                     {"mac", nic.mac.str()},
                     {"addresses", {nic.ip.str() + "/" + std::to_string(nic.len)}},
                     {"loopback", nic.lan < 0}});
    }
    nodes.push_back({{"id", n},
                     {"name", nodes_[n].name},
                     {"role", nodes_[n].role},
                     {"interfaces", ifs},
                     {"routes", nodes_[n].routes}});
  }
  json faults = json::array();
  if (o_.failover) {
    faults.push_back({{"at_ns", o_.crash_at_ns}, {"action", "crash"}, {"node", "lb1"}});
    faults.push_back({{"at_ns", o_.recover_at_ns}, {"action", "recover"}, {"node", "lb1"}});
  }
  return {{"type", "header"},
          {"format", "nlbsim-trace"},
          {"version", 1},
          {"scenario", "synthetic-figure4-failover"},
          {"seed", 1},
          {"duration_ns", o_.duration_ns},
          {"topology", {{"lans", lans}, {"nodes", nodes}}},
          {"faults", faults}};
}

void Generator::metrics_csv(std::string& out) const {
  std::ostringstream s;
  s << "time_s,active_connections,requests_ok,requests_failed,throughput_mbps,latency_p50_ms,latency_p99_ms,"
       "active:srv1,active:srv2,active:srv3\n";
  constexpr std::int64_t kStep = 100 * kMs;
  for (std::int64_t t = kStep; t <= o_.duration_ns; t += kStep) {
    int active = 0, per[3] = {0, 0, 0}, ok = 0;
    std::uint64_t bytes = 0;
    std::vector<double> lat;
    for (const Conn& c : conns_) {
      if (c.open <= t && (c.close < 0 || c.close > t)) {
        ++active;
        ++per[c.server - Srv1];
      }
      std::int64_t done = c.open + c.latency;
      if (c.ok && done > t - kStep && done <= t) {
        ++ok;
        bytes += c.bytes;
        lat.push_back(static_cast<double>(c.latency) / 1e6);
      }
    }
    std::sort(lat.begin(), lat.end());
    double p50 = lat.empty() ? 0 : lat[lat.size() / 2], p99 = lat.empty() ? 0 : lat.back();
    s << static_cast<double>(t) / 1e9 << "," << active << "," << ok << ",0,"
      << static_cast<double>(bytes) * 8 / 0.1 / 1e6 << "," << p50 << "," << p99 << "," << per[0] << ","
      << per[1] << "," << per[2] << "\n";
  }
  out = s.str();
}

void Generator::report_json(std::string& out) const {
  json entries = json::array();
  for (int n : {Lb1, Lb2, Srv1, Srv2, Srv3})
    entries.push_back({{"address", kCluster.str()},
                       {"node", nodes_[n].name},
                       {"where", "lo alias"},
                       {"why", "cluster address"}});
  int ok = 0;
  std::vector<std::int64_t> lat;
  for (const Conn& c : conns_)
    if (c.ok) {
      ++ok;
      lat.push_back(c.latency);
    }
  std::sort(lat.begin(), lat.end());
  json faults = json::array();
  if (o_.failover)
    faults.push_back({{"at_ns", o_.crash_at_ns},
                      {"action", "crash"},
                      {"node", "lb1"},
                      {"detection_ns", takeover_at_ - o_.crash_at_ns},
                      {"recovery_ns", garp_at_ - o_.crash_at_ns},
                      {"first_datagram_ns", first_flow_after_ < 0 ? -1 : first_flow_after_ - o_.crash_at_ns},
                      {"arp_update_ns", garp_at_ + kLanDelay + kHop - o_.crash_at_ns},
                      {"datagrams_lost", 0},
                      {"connections_open", 0},
                      {"connections_completed", 0}});
  double p50 = lat.empty() ? 0 : static_cast<double>(lat[lat.size() / 2]) / 1e6;
  double p99 = lat.empty() ? 0 : static_cast<double>(lat.back()) / 1e6;
  json r = {
      {"scenario", "synthetic-figure4-failover"},
      {"seed", 1},
      {"duration_ns", o_.duration_ns},
      {"events", lines_.size()},
      {"addresses", {{"public_count", 1}, {"entries", entries}}},
      {"faults", faults},
      {"latency", {{"p50_ms", p50}, {"p99_ms", p99}}},
      {"requests", {{"ok", ok}, {"failed", static_cast<int>(conns_.size()) - ok}}},
      {"expectations",
       json::array({{{"name", "public_addresses"}, {"bound", "<= 1"}, {"measured", "1"}, {"ok", true}}})},
      {"ok", true}};
  out = r.dump(2) + "\n";
}

Run Generator::run() {
  plan();
  startup();
  vrrp_adverts();
  heartbeats();
  // Seed, Figure 4: the first request, to srv2.
  connection(1 * kS, Client1, choose_server());
  // After the first request: the failover's ARP update needs fw1's entry.
  failover();
  for (int k = 0; k < o_.connections; ++k) {
    std::int64_t t =
        1500 * kMs + k * (o_.duration_ns - 3 * kS) / std::max(1, o_.connections) + (k % 3) * 7 * kMs;
    connection(t, k % 2 ? Client2 : Client1, choose_server());
  }
  weights();
  std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) { return a.t < b.t; });
  Run r;
  r.trace = header().dump() + "\n";
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    r.trace += lines_[i].text + "\n";
    if (auto it = mark_seq_.find(lines_[i].seq); it != mark_seq_.end())
      marks_.*(it->second) = static_cast<std::int64_t>(i);
  }
  metrics_csv(r.metrics);
  report_json(r.report);
  r.marks = marks_;
  return r;
}

}  // namespace

Run make_run(const Options& o) { return Generator(o).run(); }

bool write_run(const std::string& dir, const Options& o, std::string& error, Landmarks* marks) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = dir + ": " + ec.message();
    return false;
  }
  Run r = make_run(o);
  for (auto [name, text] :
       {std::pair{"trace.jsonl", &r.trace}, {"metrics.csv", &r.metrics}, {"report.json", &r.report}}) {
    std::string path = (std::filesystem::path(dir) / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << *text;
    if (!out) {
      error = path + ": cannot write";
      return false;
    }
  }
  if (marks) *marks = r.marks;
  return true;
}

}  // namespace nlb::gui::synth
