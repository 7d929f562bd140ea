#include "gui/model/trace_model.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/time.hpp"

namespace nlb::gui {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxWarnings = 20;

// Field access that never throws: a trace is untrusted input (DESIGN.md, "Bad input is data").
std::string_view str_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

bool int_of(const json& j, const char* key, std::int64_t& out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  out = it->get<std::int64_t>();
  return true;
}

std::int64_t int_or(const json& j, const char* key, std::int64_t fallback) {
  std::int64_t v = fallback;
  int_of(j, key, v);
  return v;
}

bool bool_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

// The same reads over one event line.
std::string_view str_of(const FlatJson& j, const char* key) { return j.str(key); }
bool int_of(const FlatJson& j, const char* key, std::int64_t& out) { return j.integer(key, out); }
std::int64_t int_or(const FlatJson& j, const char* key, std::int64_t fallback) {
  std::int64_t v = fallback;
  j.integer(key, v);
  return v;
}
bool bool_of(const FlatJson& j, const char* key) { return j.boolean(key); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool append_hex(std::string_view hex, std::vector<std::uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return true;
}

EventType event_type_from(std::string_view ev) {
  static constexpr std::pair<std::string_view, EventType> kTypes[] = {
      {"frame", EventType::Frame},
      {"state", EventType::State},
      {"addr", EventType::Addr},
      {"arp", EventType::Arp},
      {"conn", EventType::Conn},
      {"weights", EventType::Weights},
      {"fault", EventType::Fault},
      {"request", EventType::Request},
      {"mac", EventType::Mac},
      {"peer", EventType::Peer},
      {"split-brain", EventType::SplitBrain},
      {"end", EventType::End},
  };
  for (auto [name, type] : kTypes)
    if (ev == name) return type;
  return EventType::Unknown;
}

template <typename E, std::size_t N>
E enum_from(std::string_view text, const std::string_view (&names)[N], E fallback) {
  for (std::size_t i = 0; i < N; ++i)
    if (text == names[i]) return static_cast<E>(i);
  return fallback;
}

constexpr std::string_view kRoleNames[] = {"client", "internet", "firewall", "balancer",
                                           "server", "router",   "host"};
constexpr std::string_view kKindNames[] = {"arp",  "garp", "vrrp",         "heartbeat",
                                           "sync", "tcp",  "http-request", "http-response",
                                           "udp",  "icmp", "other"};
constexpr std::string_view kArpOps[] = {"add", "update", "expire", "fail"};
constexpr std::string_view kConnOps[] = {"add", "sync", "expire", "end"};

// What a fault hits, for display: the node (with "/if" for one of its interfaces), the LAN or
// the pair, whichever the line names. `str(key)` reads a string member, empty if absent.
template <typename Str>
std::string fault_target(Str str) {
  std::string node(str("node")), iface(str("if"));
  if (!node.empty()) return iface.empty() ? node : node + "/" + iface;
  for (const char* key : {"lan", "pair"})
    if (!str(key).empty()) return std::string(str(key));
  return {};
}

std::string fault_target(const json& j) {
  return fault_target([&](const char* k) { return str_of(j, k); });
}

std::string fault_target(const FlatJson& j) {
  return fault_target([&](const char* k) { return j.str(k); });
}

// The parameters a fault carries besides its action and target, as "key=value" text.
std::string fault_params(const FlatJson& j) {
  std::string out;
  for (const auto& [k, v] : j.members()) {
    if (k == "t" || k == "ev" || k == "action" || k == "name" || k == "of" || k == "node" || k == "lan" ||
        k == "pair" || k == "if")
      continue;
    out += " " + std::string(k) + "=" + std::string(v.text);
  }
  return out;
}

}  // namespace

// ---- small text helpers ----

Role role_from(std::string_view text) { return enum_from(text, kRoleNames, Role::Host); }
const char* to_string(Role r) { return kRoleNames[static_cast<int>(r)].data(); }
FrameKind frame_kind_from(std::string_view text) { return enum_from(text, kKindNames, FrameKind::Other); }
const char* to_string(FrameKind k) { return kKindNames[static_cast<int>(k)].data(); }

const char* to_string(EventType t) {
  static constexpr const char* kNames[] = {"frame",       "state", "addr",    "arp", "conn",
                                           "weights",     "fault", "request", "mac", "peer",
                                           "split-brain", "end",   "?"};
  return kNames[static_cast<int>(t)];
}

const char* to_string(Dir d) {
  static constexpr const char* kNames[] = {"", "tx", "rx", "drop"};
  return kNames[static_cast<int>(d)];
}

std::string ip_str(std::uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::string mac_str(std::uint64_t mac) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 5; i >= 0; --i) {
    auto b = static_cast<unsigned>((mac >> (8 * i)) & 0xff);
    out += kHex[b >> 4];
    out += kHex[b & 15];
    if (i) out += ':';
  }
  return out;
}

bool parse_ip(std::string_view text, std::uint32_t& ip) {
  std::uint32_t v = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  for (int part = 0; part < 4; ++part) {
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || next == p || octet > 255) return false;
    v = (v << 8) | octet;
    p = next;
    if (part < 3) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  if (p != end) return false;
  ip = v;
  return true;
}

bool parse_prefix(std::string_view text, std::uint32_t& ip, std::uint8_t& len) {
  auto slash = text.find('/');
  unsigned l = 32;
  if (slash != std::string_view::npos) {
    auto tail = text.substr(slash + 1);
    auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), l);
    if (ec != std::errc{} || p != tail.data() + tail.size() || l > 32) return false;
    text = text.substr(0, slash);
  }
  if (!parse_ip(text, ip)) return false;
  len = static_cast<std::uint8_t>(l);
  return true;
}

bool parse_mac(std::string_view text, std::uint64_t& mac) {
  if (text.size() != 17) return false;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 17; i += 3) {
    int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0 || (i + 2 < 17 && text[i + 2] != ':' && text[i + 2] != '-')) return false;
    v = (v << 8) | static_cast<std::uint64_t>(hi * 16 + lo);
  }
  mac = v;
  return true;
}

std::string time_str(std::int64_t ns) { return sim::Time::ns(ns).str(); }

// ---- header ----

const Interface* Node::interface(int index) const {
  for (const Interface& i : interfaces)
    if (i.index == index) return &i;
  return nullptr;
}

int Header::node_by_name(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

int Header::lan_by_name(std::string_view name) const {
  for (std::size_t i = 0; i < lans.size(); ++i)
    if (lans[i].name == name) return static_cast<int>(i);
  return -1;
}

std::pair<int, int> Header::at_port(int lan, int port) const {
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (const Interface& i : nodes[n].interfaces)
      if (i.lan == lan && i.port == port && port >= 0) return {static_cast<int>(n), i.index};
  return {-1, -1};
}

std::string Header::port_name(int lan, int port) const {
  std::string out = "port " + std::to_string(port);
  auto [node, iface] = at_port(lan, port);
  if (node >= 0) out += " (" + nodes[node].name + " " + nodes[node].interface(iface)->name + ")";
  return out;
}

std::uint32_t StringTable::intern(std::string_view s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(strings_.size());
  strings_.emplace_back(s);
  ids_.emplace(strings_.back(), id);
  return id;
}

namespace {

Interface parse_interface(const json& j, const std::unordered_map<int, int>& lan_pos) {
  Interface i;
  i.index = static_cast<int>(int_or(j, "index", 0));
  i.name = str_of(j, "name");
  std::int64_t lan = -1;
  if (int_of(j, "lan", lan)) {
    auto it = lan_pos.find(static_cast<int>(lan));
    i.lan = it == lan_pos.end() ? -1 : it->second;
  }
  parse_mac(str_of(j, "mac"), i.mac);
  i.port = static_cast<int>(int_or(j, "port", -1));
  i.loopback = bool_of(j, "loopback");
  if (auto a = j.find("addresses"); a != j.end() && a->is_array()) {
    for (const json& x : *a) {
      IfaceAddress addr;
      if (x.is_string() && parse_prefix(x.get_ref<const std::string&>(), addr.ip, addr.len))
        i.addresses.push_back(addr);
    }
  }
  return i;
}

Route parse_route(const json& j) {
  Route r;
  r.dest = str_of(j, "dest");
  r.via = str_of(j, "via");
  r.iface = static_cast<int>(int_or(j, "iface", -1));
  r.kind = str_of(j, "kind");
  return r;
}

}  // namespace

bool TraceModel::parse_header(std::string_view line, std::string& error) {
  json h = json::parse(line, nullptr, false);
  if (h.is_discarded() || !h.is_object()) {
    error = "line 1: not a JSON object";
    return false;
  }
  if (str_of(h, "type") != "header" || str_of(h, "format") != "nlbsim-trace") {
    error = "line 1: expected the header {\"type\":\"header\",\"format\":\"nlbsim-trace\",...}";
    return false;
  }
  if (int_or(h, "version", 0) != 1) {
    error = "line 1: unsupported trace version " + std::to_string(int_or(h, "version", 0)) + " (expected 1)";
    return false;
  }
  header_.scenario = str_of(h, "scenario");
  header_.seed = static_cast<std::uint64_t>(int_or(h, "seed", 0));
  header_.duration_ns = int_or(h, "duration_ns", 0);
  const json empty = json::array();
  auto topo = h.find("topology");
  if (topo == h.end() || !topo->is_object()) {
    error = "line 1: the header has no topology object";
    return false;
  }
  const json& lans = topo->contains("lans") ? (*topo)["lans"] : empty;
  const json& nodes = topo->contains("nodes") ? (*topo)["nodes"] : empty;
  for (const json& l : lans) {
    if (!l.is_object()) continue;
    Lan lan{static_cast<int>(int_or(l, "id", 0)), std::string(str_of(l, "name")),
            std::string(str_of(l, "subnet"))};
    lan_pos_[lan.id] = static_cast<int>(header_.lans.size());
    header_.lans.push_back(std::move(lan));
  }
  for (const json& n : nodes) {
    if (!n.is_object()) continue;
    Node node;
    node.id = static_cast<int>(int_or(n, "id", 0));
    node.name = str_of(n, "name");
    node.role = role_from(str_of(n, "role"));
    if (auto it = n.find("interfaces"); it != n.end() && it->is_array())
      for (const json& i : *it)
        if (i.is_object()) node.interfaces.push_back(parse_interface(i, lan_pos_));
    if (auto it = n.find("routes"); it != n.end() && it->is_array())
      for (const json& r : *it)
        if (r.is_object()) node.routes.push_back(parse_route(r));
    node_pos_[node.id] = static_cast<int>(header_.nodes.size());
    header_.nodes.push_back(std::move(node));
  }
  if (auto f = h.find("faults"); f != h.end() && f->is_array()) {
    for (const json& x : *f) {
      if (!x.is_object()) continue;
      header_.faults.push_back({int_or(x, "at_ns", 0), std::string(str_of(x, "action")), fault_target(x),
                                std::string(str_of(x, "name"))});
    }
  }
  return true;
}

// ---- events ----

void TraceModel::add_summary(EventRecord& e, std::string_view text) {
  e.summary = static_cast<std::uint32_t>(arena_.size());
  arena_.append(text);
  arena_.push_back('\0');
}

std::string_view TraceModel::summary(std::size_t i) const { return arena_.data() + events_[i].summary; }

std::basic_string_view<std::uint8_t> TraceModel::frame_bytes(const EventRecord& e) const {
  const FrameInfo& f = frame(e);
  return {blob_.data() + f.bytes_at, f.len};
}

bool TraceModel::parse_frame(const FlatJson& j, EventRecord& e, std::string& error) {
  FrameInfo f;
  f.id = static_cast<std::uint64_t>(int_or(j, "id", 0));
  f.vlen = static_cast<std::uint32_t>(int_or(j, "vlen", 0));
  f.bytes_at = blob_.size();
  if (!append_hex(str_of(j, "hex"), blob_)) {
    blob_.resize(f.bytes_at);
    error = "\"hex\" is not an even string of hex digits";
    return false;
  }
  f.len = static_cast<std::uint16_t>(blob_.size() - f.bytes_at);
  f.reason = strings_.intern(str_of(j, "reason"));
  auto dir = str_of(j, "dir");
  e.dir = dir == "tx" ? Dir::Tx : dir == "rx" ? Dir::Rx : dir == "drop" ? Dir::Drop : Dir::None;
  e.kind = frame_kind_from(str_of(j, "kind"));
  std::string_view summary = str_of(j, "summary");
  // Another copy of a recent frame: point at the stored bytes and summary.
  RecentFrame& r = recent_[f.id % recent_.size()];
  bool same = r.used && r.id == f.id && r.len == f.len &&
              std::equal(blob_.begin() + static_cast<long>(r.bytes_at),
                         blob_.begin() + static_cast<long>(r.bytes_at + r.len),
                         blob_.begin() + static_cast<long>(f.bytes_at)) &&
              std::string_view(arena_.data() + r.summary) == summary;
  if (same) {
    blob_.resize(f.bytes_at);
    f.bytes_at = r.bytes_at;
    e.summary = r.summary;
  } else {
    add_summary(e, summary);
    r = {f.id, f.bytes_at, f.len, e.summary, true};
  }
  e.extra = static_cast<std::uint32_t>(frames_.size());
  frames_.push_back(f);
  note_arrival(e, f, e.extra);
  return true;
}

void TraceModel::note_arrival(const EventRecord& e, const FrameInfo& f, std::uint32_t frame) {
  SentFrame& s = sent_[(f.id * 64 + static_cast<std::uint64_t>(e.lan + 1)) % sent_.size()];
  if (e.dir == Dir::Tx) {
    s = {f.id, e.lan, frame, e.t};
    return;
  }
  if (s.id != f.id || s.lan != e.lan || e.t < s.t) return;
  auto delay = static_cast<std::uint32_t>(std::min<std::int64_t>(e.t - s.t, UINT32_MAX));
  frames_[s.frame].delay_ns = std::max(frames_[s.frame].delay_ns, delay);
  frames_[frame].delay_ns = delay;
}

bool TraceModel::parse_event(std::string_view line, std::string& error) {
  if (!line_.parse(line, error)) return false;
  const FlatJson& j = line_;
  EventRecord e;
  if (!int_of(j, "t", e.t)) {
    error = "no integer \"t\"";
    return false;
  }
  e.type = event_type_from(str_of(j, "ev"));
  if (std::int64_t id; int_of(j, "node", id)) {
    auto it = node_pos_.find(static_cast<int>(id));
    if (it == node_pos_.end()) {
      error = "node " + std::to_string(id) + " is not in the header";
      return false;
    }
    e.node = it->second;
  }
  if (std::int64_t id; int_of(j, "lan", id)) {
    auto it = lan_pos_.find(static_cast<int>(id));
    e.lan = static_cast<std::int16_t>(it == lan_pos_.end() ? -1 : it->second);
  }
  if (std::int64_t i; int_of(j, "if", i)) e.iface = static_cast<std::int16_t>(i);
  if (std::int64_t p; e.node < 0 && int_of(j, "port", p)) e.iface = static_cast<std::int16_t>(p);

  std::string text;
  switch (e.type) {
    case EventType::Frame:
      if (!parse_frame(j, e, error)) return false;
      events_.push_back(e);
      return true;
    case EventType::State: {
      StateInfo s{strings_.intern(str_of(j, "machine")), strings_.intern(str_of(j, "from")),
                  strings_.intern(str_of(j, "to")), strings_.intern(str_of(j, "why"))};
      e.extra = static_cast<std::uint32_t>(states_.size());
      states_.push_back(s);
      text = strings_[s.machine] + ": " + strings_[s.from] + " -> " + strings_[s.to];
      if (s.why) text += " (" + strings_[s.why] + ")";
      break;
    }
    case EventType::Addr: {
      AddrInfo a;
      if (!parse_prefix(str_of(j, "addr"), a.ip, a.len)) {
        error = "\"addr\" is not a.b.c.d/len";
        return false;
      }
      a.add = str_of(j, "op") != "del";
      a.alias = bool_of(j, "alias");
      e.extra = static_cast<std::uint32_t>(addrs_.size());
      addrs_.push_back(a);
      text = std::string(a.add ? "add " : "del ") + (a.alias ? "alias " : "") + ip_str(a.ip) + "/" +
             std::to_string(a.len) + " on if " + std::to_string(e.iface);
      break;
    }
    case EventType::Arp: {
      ArpInfo a;
      if (!parse_ip(str_of(j, "ip"), a.ip)) {
        error = "\"ip\" is not a.b.c.d";
        return false;
      }
      a.op = enum_from(str_of(j, "op"), kArpOps, ArpOp::Update);
      parse_mac(str_of(j, "mac"), a.mac);
      parse_mac(str_of(j, "old_mac"), a.old_mac);
      a.state = strings_.intern(str_of(j, "state"));
      e.extra = static_cast<std::uint32_t>(arps_.size());
      arps_.push_back(a);
      text = std::string(kArpOps[static_cast<int>(a.op)]) + " " + ip_str(a.ip);
      if (a.mac) text += " is-at " + mac_str(a.mac);
      if (a.old_mac) text += " (was " + mac_str(a.old_mac) + ")";
      if (a.state) text += " [" + strings_[a.state] + "]";
      break;
    }
    case EventType::Conn: {
      ConnInfo c;
      c.op = enum_from(str_of(j, "op"), kConnOps, ConnOp::Add);
      c.proto = strings_.intern(str_of(j, "proto"));
      c.client = strings_.intern(str_of(j, "client"));
      c.vip = strings_.intern(str_of(j, "vip"));
      c.server = strings_.intern(str_of(j, "server"));
      c.outcome = strings_.intern(str_of(j, "outcome"));
      e.extra = static_cast<std::uint32_t>(conns_.size());
      conns_.push_back(c);
      text = std::string(kConnOps[static_cast<int>(c.op)]) + " " + strings_[c.proto] + " " +
             strings_[c.client] + " -> " + strings_[c.vip];
      if (c.server) text += " => " + strings_[c.server];
      if (c.outcome) text += " (" + strings_[c.outcome] + ")";
      break;
    }
    case EventType::Weights: {
      text = "cluster " + std::string(str_of(j, "cluster")) + ":";
      // A nested object: rare enough to hand to nlohmann::json.
      if (const FlatJson::Value* w = j.find("weights"); w && w->kind == FlatJson::Kind::Object) {
        // In the runner's order (the balancer's server list), not sorted by name.
        auto weights = nlohmann::ordered_json::parse(w->text, nullptr, false);
        if (weights.is_object())
          for (auto it = weights.begin(); it != weights.end(); ++it)
            text += " " + it.key() + "=" + it->dump();
      }
      break;
    }
    case EventType::Fault: {
      // The end of a duration names its entry in `of`, an applied fault in `name`.
      std::string_view name = str_of(j, "of").empty() ? str_of(j, "name") : str_of(j, "of");
      FaultInfo f{strings_.intern(str_of(j, "action")), strings_.intern(fault_target(j)),
                  strings_.intern(name)};
      e.extra = static_cast<std::uint32_t>(faults_.size());
      faults_.push_back(f);
      // Here node, LAN and interface are names, as in the scenario (docs/trace-format.md).
      if (e.lan < 0 && !str_of(j, "lan").empty())
        e.lan = static_cast<std::int16_t>(header_.lan_by_name(str_of(j, "lan")));
      if (e.node < 0 && !str_of(j, "node").empty()) e.node = header_.node_by_name(str_of(j, "node"));
      if (e.node >= 0 && !str_of(j, "if").empty()) {
        for (const Interface& i : header_.nodes[e.node].interfaces)
          if (i.name == str_of(j, "if")) e.iface = static_cast<std::int16_t>(i.index);
      }
      text = strings_[f.action] + " " + strings_[f.target] + fault_params(j);
      if (f.name) text += " (" + strings_[f.name] + ")";
      break;
    }
    case EventType::Request: {
      RequestInfo r{strings_.intern(str_of(j, "outcome")), strings_.intern(str_of(j, "server")),
                    int_or(j, "latency_ns", 0)};
      e.extra = static_cast<std::uint32_t>(requests_.size());
      requests_.push_back(r);
      text = strings_[r.outcome] + " in " + time_str(r.latency_ns);
      if (r.server) text += " from " + strings_[r.server];
      break;
    }
    case EventType::Peer:
    case EventType::SplitBrain:
      text = parse_peer_line(j, e);
      break;
    case EventType::Mac:
      text = parse_mac_line(j, e);
      break;
    case EventType::End:
      stats_.ended = true;
      text = "end of the run (" + std::to_string(int_or(j, "lines", 0)) + " event lines)";
      break;
    case EventType::Unknown:
      text = "ev=" + std::string(str_of(j, "ev"));
      break;
  }
  add_summary(e, text);
  events_.push_back(e);
  return true;
}

// A balancer hearing its peer or not, and the outcome of a split brain: rows of its states.
std::string TraceModel::parse_peer_line(const FlatJson& j, EventRecord& e) {
  bool peer = e.type == EventType::Peer, yes = bool_of(j, peer ? "alive" : "won");
  StateInfo s{strings_.intern(peer ? "ha peer" : "split-brain"), 0,
              strings_.intern(peer ? (yes ? "heard" : "lost") : (yes ? "won" : "yielded")),
              strings_.intern(str_of(j, "why"))};
  e.extra = static_cast<std::uint32_t>(states_.size());
  states_.push_back(s);
  std::string text = strings_[s.machine] + ": " + strings_[s.to];
  if (s.why) text += " (" + strings_[s.why] + ")";
  return text;
}

// A switch's MAC table: "learn 02:00:00:00:16:02 at port 5 (fw1 eth1)".
std::string TraceModel::parse_mac_line(const FlatJson& j, EventRecord& e) {
  MacInfo x;
  parse_mac(str_of(j, "mac"), x.mac);
  x.op = strings_.intern(str_of(j, "op"));
  x.port = static_cast<std::int32_t>(int_or(j, "port", -1));
  x.old_port = static_cast<std::int32_t>(int_or(j, "old_port", -1));
  e.extra = static_cast<std::uint32_t>(macs_.size());
  macs_.push_back(x);
  std::string text = strings_[x.op] + " " + mac_str(x.mac);
  if (x.old_port >= 0) text += " from " + header_.port_name(e.lan, x.old_port);
  if (x.port >= 0) text += (x.old_port >= 0 ? " to " : " at ") + header_.port_name(e.lan, x.port);
  return text;
}

void TraceModel::warn(std::size_t line, const std::string& what) {
  ++stats_.skipped;
  if (stats_.warnings.size() < kMaxWarnings)
    stats_.warnings.push_back("line " + std::to_string(line) + ": " + what);
}

bool TraceModel::load(std::istream& in, std::string& error) {
  *this = TraceModel();
  std::string line;
  bool have_header = false;
  while (std::getline(in, line)) {
    ++stats_.lines;
    if (line.empty() || line == "\r") continue;
    if (!have_header) {
      if (!parse_header(line, error)) return false;
      have_header = true;
      continue;
    }
    std::string what;
    if (!parse_event(line, what)) warn(stats_.lines, what);
  }
  if (!have_header) {
    error = "line 1: the trace is empty (expected a header line)";
    return false;
  }
  finish();
  return true;
}

bool TraceModel::load_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  if (!load(in, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

void TraceModel::finish() {
  // The runner writes in time order; a hand-made trace might not. Stable, so events at one
  // time keep their order.
  if (!std::is_sorted(events_.begin(), events_.end(), [](auto& a, auto& b) { return a.t < b.t; })) {
    std::stable_sort(events_.begin(), events_.end(), [](auto& a, auto& b) { return a.t < b.t; });
    stats_.reordered = true;
  }
  std::size_t n = header_.nodes.size();
  status_index_.assign(n, {});
  arp_index_.assign(n, {});
  conn_index_.assign(n, {});
  for (std::size_t i = 0; i < events_.size(); ++i) {
    const EventRecord& e = events_[i];
    auto idx = static_cast<std::uint32_t>(i);
    if (e.type == EventType::Fault) fault_index_.push_back(idx);
    if (e.node < 0) continue;
    switch (e.type) {
      case EventType::State:
      case EventType::Peer:
      case EventType::SplitBrain:
      case EventType::Addr:
      case EventType::Fault:
        status_index_[e.node].push_back(idx);
        break;
      case EventType::Arp:
        arp_index_[e.node].push_back(idx);
        break;
      case EventType::Conn:
        conn_index_[e.node].push_back(idx);
        break;
      default:
        break;
    }
  }
  blob_.shrink_to_fit();
  arena_.shrink_to_fit();
}

std::size_t TraceModel::upper_bound(std::int64_t time) const {
  auto it = std::upper_bound(events_.begin(), events_.end(), time,
                             [](std::int64_t t, const EventRecord& e) { return t < e.t; });
  return static_cast<std::size_t>(it - events_.begin());
}

std::size_t TraceModel::lower_bound(std::int64_t time) const {
  auto it = std::lower_bound(events_.begin(), events_.end(), time,
                             [](const EventRecord& e, std::int64_t t) { return e.t < t; });
  return static_cast<std::size_t>(it - events_.begin());
}

std::int64_t TraceModel::end_time() const {
  std::int64_t last = events_.empty() ? 0 : events_.back().t;
  return std::max(last, header_.duration_ns);
}

std::vector<std::uint32_t> TraceModel::deliveries(std::size_t tx, std::size_t window) const {
  std::vector<std::uint32_t> out;
  const EventRecord& s = events_[tx];
  if (s.type != EventType::Frame || s.dir != Dir::Tx) return out;
  std::uint64_t id = frame(s).id;
  std::size_t end = std::min(upper_bound(s.t + frame(s).delay_ns), tx + 1 + window);
  for (std::size_t i = tx + 1; i < end; ++i) {
    const EventRecord& e = events_[i];
    if (e.type != EventType::Frame || e.lan != s.lan || frame(e).id != id) continue;
    if (e.dir == Dir::Tx) break;  // the same frame sent again: a new hop, not ours
    out.push_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

}  // namespace nlb::gui

namespace nlb::gui {

std::optional<std::size_t> TraceModel::sender_of(std::size_t event) const {
  const EventRecord& r = events_[event];
  if (r.type != EventType::Frame) return std::nullopt;
  if (r.dir == Dir::Tx) return event;
  std::uint64_t id = frame(r).id;
  std::int64_t sent = r.t - frame(r).delay_ns;
  for (std::size_t i = lower_bound(sent); i < event; ++i) {
    const EventRecord& e = events_[i];
    if (e.t > sent) break;
    if (e.type == EventType::Frame && e.dir == Dir::Tx && e.lan == r.lan && frame(e).id == id) return i;
  }
  return std::nullopt;
}

}  // namespace nlb::gui
