#include "runner/explain/trace_index.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"

namespace nlb::explain {

using Json = nlohmann::json;

namespace {

// The value of `"key":"..."` in a line our trace writer wrote (no spaces, no escapes in these
// values), or "" when absent. Only used to decide whether a line is worth parsing.
// `"key"` followed by `tail`, built piecewise: `"\"" + std::string(key)` makes GCC 12 at -O3
// report a false -Werror=restrict (GCC PR 105329).
std::string quoted_key(std::string_view key, std::string_view tail) {
  std::string pat = "\"";
  pat += key;
  pat += '"';
  pat += tail;
  return pat;
}

std::string_view quick_str(std::string_view line, std::string_view key) {
  std::string pat = quoted_key(key, ":\"");
  auto at = line.find(pat);
  if (at == std::string_view::npos) return {};
  at += pat.size();
  auto end = line.find('"', at);
  return end == std::string_view::npos ? std::string_view{} : line.substr(at, end - at);
}

std::optional<std::uint64_t> quick_uint(std::string_view line, std::string_view key) {
  std::string pat = quoted_key(key, ":");
  auto at = line.find(pat);
  if (at == std::string_view::npos) return std::nullopt;
  at += pat.size();
  std::uint64_t v = 0;
  bool any = false;
  for (; at < line.size() && line[at] >= '0' && line[at] <= '9'; ++at) {
    v = v * 10 + static_cast<std::uint64_t>(line[at] - '0');
    any = true;
  }
  return any ? std::optional(v) : std::nullopt;
}

bool data_kind(std::string_view kind) {
  return kind == "tcp" || kind == "http-request" || kind == "http-response" || kind == "udp";
}
bool control_kind(std::string_view kind) {
  return kind == "arp" || kind == "garp" || kind == "heartbeat" || kind == "vrrp";
}

// Field access that records the first missing or mistyped field instead of throwing.
class Fields {
 public:
  explicit Fields(const Json& j) : j_(j) {}
  std::string str(const char* key, bool required = true) {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_string()) return it->get<std::string>();
    if (required) miss(key);
    return {};
  }
  std::uint32_t id(const char* key, bool required = true) {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_number_unsigned()) return it->get<std::uint32_t>();
    if (required || (it != j_.end() && !it->is_null())) miss(key);
    return kNone;
  }
  Time time(const char* key, bool required = true) {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_number_integer()) return Time::ns(it->get<std::int64_t>());
    if (required) miss(key);
    return Time::zero();
  }
  wire::Ipv4 ip(const char* key, bool required = true) {
    auto s = str(key, required);
    if (s.empty()) return {};
    auto a = wire::Ipv4::parse(s);
    if (!a) miss(key);
    return a.value_or(wire::Ipv4{});
  }
  wire::Mac mac(const char* key, bool required = true) {
    auto s = str(key, required);
    if (s.empty()) return {};
    auto m = wire::Mac::parse(s);
    if (!m) miss(key);
    return m.value_or(wire::Mac{});
  }
  Endpoint endpoint(const char* key) {
    auto s = str(key);
    auto colon = s.rfind(':');
    Endpoint e;
    auto a = colon == std::string::npos ? std::nullopt : wire::Ipv4::parse(s.substr(0, colon));
    if (!a) {
      miss(key);
      return e;
    }
    e.ip = *a;
    e.port = static_cast<std::uint16_t>(std::strtoul(s.c_str() + colon + 1, nullptr, 10));
    return e;
  }
  const char* missing() const { return missing_; }

 private:
  void miss(const char* key) {
    if (!missing_) missing_ = key;
  }
  const Json& j_;
  const char* missing_ = nullptr;
};

std::vector<std::byte> from_hex(std::string_view hex) {
  std::vector<std::byte> out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<std::byte>(hi << 4 | lo));
  }
  return out;
}

// The headers explain reasons about; a frame whose bytes do not parse keeps what did.
void decode(FrameLine& f, std::string_view hex, std::uint32_t vlen) {
  const auto bytes = from_hex(hex);
  auto eth = wire::EthernetView::checked(bytes);
  if (!eth) return;
  f.src = eth->src();
  f.dst = eth->dst();
  if (eth->ethertype() == wire::EtherType::Arp) {
    auto a = wire::Arp::parse(eth->payload());
    if (a) f.arp = *a;
    return;
  }
  if (eth->ethertype() != wire::EtherType::Ipv4) return;
  auto ip = wire::Ipv4View::checked(eth->payload(), vlen);
  if (!ip) return;
  f.ip = true;
  f.ip_src = ip->src();
  f.ip_dst = ip->dst();
  f.proto = static_cast<std::uint8_t>(ip->protocol());
  const auto payload = ip->payload();
  if ((ip->protocol() == wire::IpProto::Tcp || ip->protocol() == wire::IpProto::Udp) && payload.size() >= 4) {
    f.sport = static_cast<std::uint16_t>(std::to_integer<unsigned>(payload[0]) << 8 |
                                         std::to_integer<unsigned>(payload[1]));
    f.dport = static_cast<std::uint16_t>(std::to_integer<unsigned>(payload[2]) << 8 |
                                         std::to_integer<unsigned>(payload[3]));
  }
  // RFC 9293 3.1: the flags are the 14th byte of the TCP header.
  if (ip->protocol() == wire::IpProto::Tcp && payload.size() >= 14)
    f.tcp_flags = static_cast<std::uint8_t>(std::to_integer<unsigned>(payload[13]));
  // RFC 5798 5.1: the VRID is the advert's second byte.
  if (ip->protocol() == wire::IpProto::Vrrp && payload.size() >= 2) f.vrid = std::to_integer<int>(payload[1]);
}

class Reader {
 public:
  Reader(const std::string& name, std::string& error) : name_(name), error_(error) {}

  bool header(const std::string& line) {
    Json h = Json::parse(line, nullptr, false);
    if (h.is_discarded() || !h.is_object() || h.value("type", "") != "header" ||
        h.value("format", "") != "nlbsim-trace")
      return fail("not an nlbsim trace: the first line is not its header");
    if (!h.contains("topology") || !h["topology"].is_object()) return fail("header: no topology");
    Fields f(h);
    out.scenario = f.str("scenario");
    out.duration = f.time("duration_ns");
    out.seed = h.value("seed", std::uint64_t{0});
    const Json& topo = h["topology"];
    for (const Json& l : topo.value("lans", Json::array())) out.lans.push_back({l.value("name", "")});
    for (const Json& n : topo.value("nodes", Json::array())) {
      if (!n.is_object()) return fail("header: a node is not an object");
      NodeInfo node{n.value("name", ""), n.value("role", ""), {}, {}};
      for (const Json& i : n.value("interfaces", Json::array())) {
        if (!i.is_object()) return fail("header: an interface is not an object");
        Fields fi(i);
        IfInfo itf;
        itf.name = fi.str("name");
        itf.lan = fi.id("lan", false);
        itf.port = fi.id("port", false);
        itf.mac = fi.mac("mac", false);
        itf.loopback = i.value("loopback", false);
        for (const Json& a : i.value("addresses", Json::array())) {
          auto p = a.is_string() ? wire::Prefix::parse(a.get<std::string>()) : std::nullopt;
          auto host = a.is_string()
                          ? wire::Ipv4::parse(a.get<std::string>().substr(0, a.get<std::string>().find('/')))
                          : std::nullopt;
          if (!p || !host) return fail("header: node " + node.name + ": a bad address");
          itf.addresses.push_back(*p);
          itf.hosts.push_back(*host);
        }
        if (fi.missing())
          return fail(std::string("header: node ") + node.name + ": interface field " + fi.missing());
        node.interfaces.push_back(std::move(itf));
      }
      for (const Json& r : n.value("routes", Json::array())) {
        RouteInfo route;
        auto dest = r.value("dest", "");
        if (auto p = wire::Prefix::parse(dest)) route.dest = *p;
        if (r.contains("via") && r["via"].is_string())
          route.via = wire::Ipv4::parse(r["via"].get<std::string>()).value_or(wire::Ipv4{});
        if (r.contains("iface") && r["iface"].is_number_unsigned())
          route.iface = r["iface"].get<std::uint32_t>();
        node.routes.push_back(route);
      }
      out.nodes.push_back(std::move(node));
    }
    return true;
  }

  bool event(std::string_view line) {
    if (out.has_end) return fail("a line after the `end` line");
    const auto ev = quick_str(line, "ev");
    if (ev == "frame") {
      const auto dir = quick_str(line, "dir");
      const auto kind = quick_str(line, "kind");
      if (dir != "drop" && !control_kind(kind)) {
        if (dir == "rx" && data_kind(kind)) {
          if (auto id = quick_uint(line, "id")) out.accepted.push_back(*id);
        }
        return true;
      }
    } else if (ev == "weights") {
      return true;  // not part of any chain explain tells
    }
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    return dispatch(j);
  }

  bool fail(const std::string& what) {
    error_ = name_;
    if (line_) {  // piecewise, for GCC 12's false -Werror=restrict at -O3 (GCC PR 105329)
      error_ += ':';
      error_ += std::to_string(line_);
    }
    error_ += ": ";
    error_ += what;
    return false;
  }

  void set_line(std::uint64_t n) { line_ = n; }
  TraceIndex out;

 private:
  bool dispatch(const Json& j) {
    Fields f(j);
    const Time t = f.time("t");
    const std::string ev = f.str("ev");
    if (ev == "frame") {
      FrameLine fr;
      fr.t = t;
      const std::string dir = f.str("dir");
      fr.dir = dir == "rx" ? Dir::Rx : dir == "tx" ? Dir::Tx : Dir::Drop;
      fr.node = f.id("node", false);
      fr.iface = f.id("if", false);
      fr.port = f.id("port", false);
      fr.lan = f.id("lan", false);
      fr.id = j.value("id", std::uint64_t{0});
      fr.kind = f.str("kind", false);
      fr.reason = f.str("reason", false);
      decode(fr, f.str("hex", false), j.value("vlen", 0u));
      out.frames.push_back(std::move(fr));
    } else if (ev == "fault") {
      FaultLine fl{t,
                   f.str("action"),
                   f.str("name"),
                   f.str("node", false),
                   f.str("lan", false),
                   f.str("if", false),
                   f.str("pair", false),
                   f.str("of", false),
                   std::nullopt,
                   std::nullopt};
      if (j.contains("probability") && j["probability"].is_number())
        fl.probability = j["probability"].get<double>();
      if (j.contains("duration_ns")) fl.duration = f.time("duration_ns");
      out.faults.push_back(std::move(fl));
    } else if (ev == "state") {
      out.states.push_back(
          {t, f.id("node"), f.str("machine"), f.str("from"), f.str("to"), f.str("why", false)});
    } else if (ev == "peer" || ev == "split-brain") {
      const char* flag = ev == "peer" ? "alive" : "won";
      out.ha.push_back({t, f.id("node"), ev == "split-brain", j.value(flag, false), f.str("why", false)});
    } else if (ev == "end") {
      out.has_end = true;
      end_lines_ = j.value("lines", std::uint64_t{0});
      if (end_lines_ + 1 != line_)
        return fail("the end line counts " + std::to_string(end_lines_) + " event lines, the file has " +
                    std::to_string(line_ - 1));
    } else if (ev == "addr") {
      AddrLine a{t, f.id("node"), f.id("if"), f.str("op") == "add", {}};
      const std::string addr = f.str("addr");
      a.addr = wire::Ipv4::parse(addr.substr(0, addr.find('/'))).value_or(wire::Ipv4{});
      out.addrs.push_back(a);
    } else if (ev == "arp") {
      out.arps.push_back({t, f.id("node"), f.id("if"), f.ip("ip"), f.str("op"), f.mac("mac", false),
                          f.mac("old_mac", false), f.str("state", false)});
    } else if (ev == "mac") {
      out.macs.push_back(
          {t, f.id("lan"), f.mac("mac"), f.str("op"), f.id("port", false), f.id("old_port", false)});
      out.has_mac_lines = true;
    } else if (ev == "conn") {
      out.conns.push_back({t, f.id("node"), f.str("op"), f.endpoint("client"), f.endpoint("vip"),
                           f.str("server", false), f.str("outcome", false)});
    } else if (ev == "request") {
      out.requests.push_back(
          {t, f.id("node"), f.str("outcome"), f.time("latency_ns"), f.str("server", false)});
    }
    // Other kinds (later additions) are skipped: explain reads what it knows.
    if (f.missing())
      return fail(std::string("`") + ev + "` line: missing or bad field `" + f.missing() + "`");
    if (t < last_) return fail("time goes backwards");
    last_ = t;
    return true;
  }

  const std::string& name_;
  std::string& error_;
  std::uint64_t line_ = 0;
  std::uint64_t end_lines_ = 0;
  Time last_ = Time::zero();
};

}  // namespace

std::optional<TraceIndex> read_trace(std::istream& in, const std::string& name, std::string& error) {
  Reader r(name, error);
  std::string line;
  std::uint64_t n = 0;
  bool complete_line = true;
  while (std::getline(in, line)) {
    ++n;
    r.set_line(n);
    complete_line = !in.eof();  // getline stopped at a newline, not at the end of the file
    if (n == 1) {
      if (!r.header(line)) return std::nullopt;
      continue;
    }
    if (line.empty()) continue;
    if (line.front() != '{' || line.back() != '}' || !complete_line) {
      r.fail(complete_line ? "not a JSON object" : "truncated: the last line ends before its newline");
      return std::nullopt;
    }
    if (!r.event(line)) return std::nullopt;
  }
  if (n == 0) {
    r.fail("empty: no header line");
    return std::nullopt;
  }
  if (!r.out.has_end) {
    r.set_line(0);
    r.fail("truncated: no `end` line after line " + std::to_string(n) +
           " (the file was cut short, or written by an nlbsim that did not end its traces: run again)");
    return std::nullopt;
  }
  r.out.lines = n;
  std::sort(r.out.accepted.begin(), r.out.accepted.end());
  return std::move(r.out);
}

}  // namespace nlb::explain
