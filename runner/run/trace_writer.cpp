#include "runner/run/trace_writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "models/wire/describe.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ha.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/udp.hpp"
#include "runner/run/timeline.hpp"

namespace nlb::run {

using Json = nlohmann::ordered_json;
using sim::Time;
using wire::Ipv4;

namespace {

constexpr std::size_t kFlushAt = 1 << 20;

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
}

// The trace's kinds add the balancers' own messages to wire::frame_kind's.
const char* kind_of(const link::Frame& f) {
  const char* kind = wire::frame_kind(f.bytes(), f.virtual_len);
  if (std::string_view(kind) != "udp") return kind;
  auto eth = wire::EthernetView::checked(f.bytes());
  if (!eth) return kind;
  auto ip = wire::Ipv4View::checked(eth->payload(), f.virtual_len);
  if (!ip) return kind;
  auto udp = wire::UdpView::checked(ip->payload(), f.virtual_len);
  if (!udp || (udp->dst_port() != wire::ha::kUdpPort && udp->src_port() != wire::ha::kUdpPort)) return kind;
  auto type = wire::ha_message_type(udp->payload());
  if (!type) return kind;
  return *type == wire::HaMessageType::Heartbeat ? "heartbeat" : "sync";
}

std::string endpoint(Ipv4 a, std::uint16_t port) { return a.str() + ":" + std::to_string(port); }

Json fault_fields(const runner::FaultSpec& f) {
  Json j;
  j["action"] = std::string(runner::to_string(f.action));
  j["name"] = f.name;
  if (!f.node.empty()) j["node"] = f.node;
  if (!f.interface.empty()) j["if"] = f.interface;
  if (!f.lan.empty()) j["lan"] = f.lan;
  if (!f.pair.empty()) j["pair"] = f.pair;
  if (f.duration) j["duration_ns"] = f.duration->nanos();
  if (f.probability) j["probability"] = *f.probability;
  if (f.action == runner::FaultAction::SetLoss) j["direction"] = std::string(runner::to_string(f.direction));
  if (f.service_time) {
    j["service_time"] = std::string(runner::to_string(f.service_time->distribution));
    j["service_mean_ns"] = f.service_time->mean.nanos();
  }
  return j;
}

}  // namespace

namespace {

// An external node as the scenario declares it (nlbsim built nothing for it): its interfaces on
// their LANs, and the Linux interface each is bound to.
Json external_node(const runner::Scenario& s, const Built& built, std::size_t n) {
  const runner::NodeSpec& nd = s.nodes[n];
  Json ifs = Json::array();
  for (std::size_t i = 0; i < nd.interfaces.size(); ++i) {
    const runner::InterfaceSpec& itf = nd.interfaces[i];
    Json addrs = Json::array({itf.address.str()});
    for (const runner::IfAddress& a : itf.aliases) addrs.push_back(a.str());
    const link::Device* d = built.device(n, i);
    ifs.push_back({{"index", i},
                   {"name", itf.name},
                   {"lan", itf.lan_index},
                   {"port", d && d->lan() ? Json(d->port()) : Json(nullptr)},
                   {"mac", nullptr},  // the real host's own, unknown until its frames arrive
                   {"addresses", addrs},
                   {"loopback", false},
                   {"external", itf.external ? Json(itf.external->interface) : Json(nullptr)}});
  }
  Json lo = Json::array({"127.0.0.1/8"});
  for (const runner::IfAddress& a : nd.loopback) lo.push_back(a.str());
  ifs.push_back({{"index", nd.interfaces.size()},
                 {"name", "lo"},
                 {"lan", nullptr},
                 {"port", nullptr},
                 {"mac", nullptr},
                 {"addresses", lo},
                 {"loopback", true}});
  return {{"id", n},
          {"name", nd.name},
          {"role", std::string(runner::to_string(nd.role))},
          {"interfaces", ifs},
          {"routes", Json::array()}};
}

}  // namespace

std::string TraceWriter::header(const runner::Scenario& s, const Built& built, Time duration) {
  Json lans = Json::array();
  for (std::size_t l = 0; l < s.lans.size(); ++l) {
    Json j{{"id", l}, {"name", s.lans[l].name}};
    j["subnet"] = s.lans[l].subnet ? Json(s.lans[l].subnet->str()) : Json(nullptr);
    lans.push_back(std::move(j));
  }
  Json nodes = Json::array();
  for (std::size_t n = 0; n < s.nodes.size(); ++n) {
    if (built.is_external(n)) {
      nodes.push_back(external_node(s, built, n));
      continue;
    }
    const nodes::Node& node = built.node(n);
    Json ifs = Json::array();
    for (const net::Interface& itf : node.interfaces().all()) {
      Json addrs = Json::array();
      for (const net::IfAddress& a : itf.addresses)
        addrs.push_back(a.addr.str() + "/" + std::to_string(a.prefix_len));
      const bool attached = itf.device && itf.device->lan();
      Json lan = attached ? Json(itf.device->lan_id()) : Json(nullptr);
      Json port = attached ? Json(itf.device->port()) : Json(nullptr);
      Json mac = itf.device ? Json(itf.device->mac().str()) : Json(nullptr);
      ifs.push_back({{"index", itf.index},
                     {"name", itf.name},
                     {"lan", lan},
                     {"port", port},
                     {"mac", mac},
                     {"addresses", addrs},
                     {"loopback", itf.loopback}});
    }
    Json routes = Json::array();
    for (const net::Route& r : node.routes().routes()) {
      routes.push_back({{"dest", r.dest.str()},
                        {"via", r.gateway.is_unspecified() ? Json(nullptr) : Json(r.gateway.str())},
                        {"iface", r.iface == link::kNoIface ? Json(nullptr) : Json(r.iface)},
                        {"kind", net::to_string(r.kind)}});
    }
    nodes.push_back({{"id", n},
                     {"name", s.nodes[n].name},
                     {"role", std::string(runner::to_string(s.nodes[n].role))},
                     {"interfaces", ifs},
                     {"routes", routes}});
  }
  Json faults = Json::array();
  for (const runner::FaultSpec& f : s.timeline) {
    Json j{{"at_ns", f.at.nanos()}};
    j.update(fault_fields(f));
    faults.push_back(std::move(j));
  }
  Json h{{"type", "header"},
         {"format", "nlbsim-trace"},
         {"version", 1},
         {"scenario", s.name},
         {"seed", s.seed},
         {"duration_ns", duration.nanos()},
         {"topology", {{"lans", lans}, {"nodes", nodes}}},
         {"faults", faults}};
  // A real-time run exchanged frames with real hosts: its trace cannot be reproduced.
  if (s.realtime || s.has_external_nodes()) h["realtime"] = true;
  return h.dump() + "\n";
}

TraceWriter::TraceWriter(sim::Simulation& sim, const runner::Scenario& s, const Built& built, Time duration,
                         std::ostream& out)
    : s_(s), b_(built), out_(out) {
  buf_ = header(s, built, duration);
  buf_.reserve(kFlushAt + 4096);
  for (std::size_t k = 0; k < built.servers.size(); ++k)
    server_names_.emplace_back(built.server_addrs[k], s.nodes[built.servers[k]].name);
  std::sort(server_names_.begin(), server_names_.end());
  subscribe(sim);
}

TraceWriter::~TraceWriter() = default;

void TraceWriter::finish(Time end_time) {
  // The last line says the trace is whole: a reader that does not find it knows the file was
  // cut (a copy interrupted, a disk full), even at a line boundary.
  begin(end_time, "end");
  int_field("lines", static_cast<std::int64_t>(lines_ + 1));
  end();
}

bool TraceWriter::flush() {
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
  return static_cast<bool>(out_);
}

std::string TraceWriter::server_name(Ipv4 server) const {
  auto it = std::lower_bound(server_names_.begin(), server_names_.end(), server,
                             [](const auto& e, Ipv4 a) { return e.first < a; });
  return it != server_names_.end() && it->first == server ? it->second : server.str();
}

void TraceWriter::begin(Time at, const char* ev) {
  buf_ += "{\"t\":";
  buf_ += std::to_string(at.nanos());
  buf_ += ",\"ev\":\"";
  buf_ += ev;
  buf_ += '"';
}

void TraceWriter::end() {
  buf_ += "}\n";
  ++lines_;
  if (buf_.size() >= kFlushAt) flush();
}

void TraceWriter::str_field(const char* key, std::string_view value) {
  buf_ += ",\"";
  buf_ += key;
  buf_ += "\":\"";
  append_escaped(buf_, value);
  buf_ += '"';
}

void TraceWriter::int_field(const char* key, std::int64_t value) {
  buf_ += ",\"";
  buf_ += key;
  buf_ += "\":";
  buf_ += std::to_string(value);
}

void TraceWriter::node_field(std::uint32_t node) { int_field("node", node); }

const std::string& TraceWriter::frame_text(const link::Frame& f) {
  FrameText& c = frames_[f.id % frames_.size()];
  const auto bytes = f.bytes();
  // A frame forwarded unchanged keeps its id and bytes; one rewritten in place (the balancer's
  // MAC rewrite) keeps its id but not its bytes, so the bytes are compared too.
  if (c.id == f.id && c.vlen == f.virtual_len && c.bytes.size() == bytes.size() &&
      std::equal(bytes.begin(), bytes.end(), c.bytes.begin()))
    return c.text;
  c.id = f.id;
  c.vlen = f.virtual_len;
  c.bytes.assign(bytes.begin(), bytes.end());
  c.text.clear();
  c.text += ",\"len\":" + std::to_string(bytes.size()) + ",\"vlen\":" + std::to_string(f.virtual_len);
  c.text += ",\"kind\":\"";
  c.text += kind_of(f);
  c.text += "\",\"summary\":\"";
  append_escaped(c.text, wire::describe_frame(bytes, f.virtual_len));
  c.text += "\",\"hex\":\"";
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::byte b : bytes) {
    const auto u = static_cast<unsigned>(b);
    c.text += kHex[u >> 4];
    c.text += kHex[u & 15];
  }
  c.text += '"';
  return c.text;
}

void TraceWriter::frame(Time at, const char* dir, link::NodeId node, link::IfIndex iface, link::LanId lan,
                        const link::FrameRef& f, const char* reason, const char* stage) {
  begin(at, "frame");
  str_field("dir", dir);
  if (node != link::kNoNode) {
    node_field(node);
    int_field("if", iface);
  } else if (iface != link::kNoIface) {
    int_field("port", iface);  // a drop inside a LAN: `iface` is the LAN's port
  }
  if (lan != link::kNoLan) int_field("lan", lan);
  if (f) {
    int_field("id", static_cast<std::int64_t>(f->id));
    buf_ += frame_text(*f);
  }
  if (reason) str_field("reason", reason);
  if (stage) str_field("stage", stage);
  end();
}

void TraceWriter::subscribe(sim::Simulation& sim) {
  auto& t = sim.trace();
  t.subscribe<link::FrameSent>([this](const link::FrameSent& e) {
    frame(e.at, "tx", e.node, e.iface, e.lan, e.frame, nullptr, nullptr);
  });
  t.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
    frame(e.at, "rx", e.node, e.iface, e.lan, e.frame, nullptr, nullptr);
  });
  t.subscribe<link::FrameDropped>([this](const link::FrameDropped& e) {
    frame(e.at, "drop", e.node, e.iface, e.lan, e.frame, e.reason, link::to_string(e.stage));
  });

  t.subscribe<protocols::VrrpStateChanged>([this](const protocols::VrrpStateChanged& e) {
    begin(e.at, "state");
    node_field(e.node);
    str_field("machine", "vrrp/" + std::to_string(e.vrid));
    str_field("from", protocols::to_string(e.from));
    str_field("to", protocols::to_string(e.to));
    str_field("why", e.why);
    end();
  });
  t.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    begin(e.at, "state");
    node_field(e.node);
    str_field("machine", "ha");
    str_field("from", wire::to_string(e.from));
    str_field("to", wire::to_string(e.to));
    str_field("why", e.why);
    end();
  });
  t.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    begin(e.at, "state");
    node_field(e.node);
    str_field("machine", "advisor/" + server_name(e.server_address));
    str_field("from", e.up ? "down" : "up");
    str_field("to", e.up ? "up" : "down");
    str_field("why", e.why);
    end();
  });
  t.subscribe<net::AddressChanged>([this](const net::AddressChanged& e) {
    begin(e.at, "addr");
    node_field(e.node);
    int_field("if", e.iface);
    str_field("op", e.added ? "add" : "del");
    str_field("addr", e.addr.str() + "/" + std::to_string(e.prefix_len));
    buf_ += e.alias ? ",\"alias\":true" : ",\"alias\":false";
    end();
  });
  t.subscribe<net::ArpChanged>([this](const net::ArpChanged& e) {
    begin(e.at, "arp");
    node_field(e.node);
    int_field("if", e.iface);
    str_field("ip", e.change.ip.str());
    str_field("op", net::to_string(e.change.kind));
    if (e.change.mac != wire::Mac::zero()) str_field("mac", e.change.mac.str());
    if (e.change.old_mac != wire::Mac::zero()) str_field("old_mac", e.change.old_mac.str());
    str_field("state", net::to_string(e.change.state));
    end();
  });
  t.subscribe<link::MacLearned>([this](const link::MacLearned& e) {
    begin(e.at, "mac");
    int_field("lan", e.lan);
    str_field("mac", e.mac.str());
    const char* op = e.aged                        ? "age"
                     : e.port == link::kNoPort     ? "forget"
                     : e.old_port != link::kNoPort ? "move"
                                                   : "learn";
    str_field("op", op);
    if (e.port != link::kNoPort) int_field("port", e.port);
    if (e.old_port != link::kNoPort) int_field("old_port", e.old_port);
    end();
  });
  t.subscribe<protocols::HaPeerChanged>([this](const protocols::HaPeerChanged& e) {
    begin(e.at, "peer");
    node_field(e.node);
    buf_ += e.alive ? ",\"alive\":true" : ",\"alive\":false";
    str_field("why", e.why);
    end();
  });
  t.subscribe<protocols::HaSplitBrain>([this](const protocols::HaSplitBrain& e) {
    begin(e.at, "split-brain");
    node_field(e.node);
    buf_ += e.won ? ",\"won\":true" : ",\"won\":false";
    str_field("why", e.why);
    end();
  });
  t.subscribe<protocols::ConnEvent>([this](const protocols::ConnEvent& e) {
    // SyncSent changes no table: the standby's SyncApplied is the `sync` line.
    if (e.op == protocols::ConnOp::SyncSent) return;
    const std::string server = server_name(e.server_address);
    if (e.op != protocols::ConnOp::Expire) {
      const std::uint64_t key = std::uint64_t{e.key.client_ip.value()} << 16 | e.key.client_port;
      auto it = std::lower_bound(server_names_.begin(), server_names_.end(), e.server_address,
                                 [](const auto& x, Ipv4 a) { return x.first < a; });
      if (it != server_names_.end() && it->first == e.server_address)
        conn_server_[key] = static_cast<std::uint32_t>(it - server_names_.begin());
    }
    begin(e.at, "conn");
    node_field(e.node);
    str_field("op", e.op == protocols::ConnOp::Add      ? "add"
                    : e.op == protocols::ConnOp::Expire ? "expire"
                                                        : "sync");
    str_field("proto", e.key.protocol == wire::ha::kProtoTcp ? "tcp" : "udp");
    str_field("client", endpoint(e.key.client_ip, e.key.client_port));
    str_field("vip", endpoint(e.key.cluster_ip, e.key.cluster_port));
    str_field("server", server);
    end();
  });
  t.subscribe<transport::TcpClosedEvent>([this](const transport::TcpClosedEvent& e) {
    if (e.passive ||
        std::find(b_.clusters.begin(), b_.clusters.end(), e.tuple.remote.addr) == b_.clusters.end())
      return;
    const std::uint64_t key = std::uint64_t{e.tuple.local.addr.value()} << 16 | e.tuple.local.port;
    begin(e.at, "conn");
    node_field(e.node);
    str_field("op", "end");
    str_field("proto", "tcp");
    str_field("client", e.tuple.local.str());
    str_field("vip", e.tuple.remote.str());
    if (auto it = conn_server_.find(key); it != conn_server_.end()) {
      str_field("server", server_names_[it->second].second);
      conn_server_.erase(it);
    }
    str_field("outcome", transport::to_string(e.outcome));
    end();
  });
  t.subscribe<protocols::WeightsRecomputed>([this](const protocols::WeightsRecomputed& e) {
    begin(e.at, "weights");
    node_field(e.node);
    str_field("cluster", e.cluster.str());
    buf_ += ",\"weights\":{";
    const auto& servers = static_cast<const nodes::Balancer&>(b_.node(e.node)).config().servers;
    for (std::size_t k = 0; k < e.weights.size() && k < servers.size(); ++k) {
      if (k) buf_ += ',';
      buf_ += '"';
      append_escaped(buf_, server_name(servers[k].address));
      buf_ += "\":" + std::to_string(e.weights[k]);
    }
    buf_ += '}';
    end();
  });
  t.subscribe<FaultApplied>([this](const FaultApplied& e) {
    begin(e.at, "fault");
    Json j = fault_fields(*e.spec);
    if (e.end) {
      // The end of a fault's duration: the node resumes, the heartbeats flow again.
      j["action"] = e.spec->action == runner::FaultAction::Freeze ? "resume" : "heartbeat-restored";
      j["of"] = e.spec->name;
    }
    const std::string fields = j.dump();
    buf_ += ',';
    buf_.append(fields, 1, fields.size() - 2);  // the members, without the braces
    end();
  });
  t.subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) {
    begin(e.at, "request");
    node_field(e.node);
    str_field("outcome", apps::to_string(e.record.outcome));
    int_field("latency_ns", e.record.latency().nanos());
    const Ipv4 client = b_.node(e.node).interfaces().primary(0);
    const std::uint64_t key = std::uint64_t{client.value()} << 16 | e.record.local_port;
    if (auto it = conn_server_.find(key); it != conn_server_.end())
      str_field("server", server_names_[it->second].second);
    end();
  });
}

}  // namespace nlb::run
