#include "runner/explain/world.hpp"

#include <algorithm>
#include <cstdio>

namespace nlb::explain {

std::optional<int> vrrp_vrid(wire::Mac mac) {
  const auto& b = mac.bytes();
  if (b[0] == 0x00 && b[1] == 0x00 && b[2] == 0x5e && b[3] == 0x00 && b[4] == 0x01) return b[5];
  return std::nullopt;
}

namespace {

template <typename Line>
bool at_or_before(const Line* l, Time t) {
  return l->t <= t;
}

}  // namespace

std::string seconds_text(Time t) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f s", t.seconds());
  return buf;
}

std::string duration_text(Time d) {
  char buf[48];
  const double s = d.seconds();
  if (s >= 1.0)
    std::snprintf(buf, sizeof buf, "%.3f s", s);
  else if (s >= 0.01)
    std::snprintf(buf, sizeof buf, "%.0f ms", s * 1e3);
  else if (s >= 0.001)
    std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f us", s * 1e6);
  return buf;
}

World::World(const TraceIndex& trace) : t_(trace), live_(trace.nodes.size()) {
  for (std::uint32_t n = 0; n < t_.nodes.size(); ++n) {
    by_name_.emplace(t_.nodes[n].name, n);
    for (const IfInfo& i : t_.nodes[n].interfaces) {
      if (i.loopback || i.mac == wire::Mac::zero()) continue;
      nic_mac_.emplace(std::pair{i.lan, i.mac.value()}, n);
      any_mac_.emplace(i.mac.value(), n);
    }
  }
  for (const FaultLine& f : t_.faults) {
    auto node = node_by_name(f.node);
    if (!node || !f.iface.empty()) continue;  // interface faults are links, not the node
    const std::string& a = f.action;
    Liveness l{f.t, true, "", &f};
    if (a == "crash")
      l = {f.t, false, "crashed", &f};
    else if (a == "freeze")
      l = {f.t, false, "froze", &f};
    else if (a == "graceful-stop")
      l = {f.t, false, "stopped", &f};
    else if (a == "recover")
      l = {f.t, true, "recovered", &f};
    else if (a == "resume")
      l = {f.t, true, "resumed", &f};
    else if (a == "start")
      l = {f.t, true, "started", &f};
    else
      continue;
    live_[*node].push_back(l);
  }
  for (const ArpLine& a : t_.arps) {
    arp_[{a.node, a.ip.value()}].push_back(&a);
    if (!is_forwarder(a.node) || a.mac == a.old_mac || (a.op != "add" && a.op != "update")) continue;
    if (auto it = any_mac_.find(a.mac.value()); it != any_mac_.end()) moves_[it->second].push_back(&a);
  }
  for (const ConnLine& c : t_.conns) {
    conns_[c.client].push_back(&c);
    any_sync_ |= c.op == "sync";
  }
}

const std::vector<const ConnLine*>& World::conn_history(const Endpoint& client) const {
  auto it = conns_.find(client);
  return it == conns_.end() ? no_conns_ : it->second;
}

const std::vector<const ArpLine*>& World::arp_moves_to(std::uint32_t node) const {
  static const std::vector<const ArpLine*> none;
  auto it = moves_.find(node);
  return it == moves_.end() ? none : it->second;
}

std::string World::node_name(std::uint32_t node) const {
  return node < t_.nodes.size() ? t_.nodes[node].name : "node " + std::to_string(node);
}

std::optional<std::uint32_t> World::node_by_name(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? std::nullopt : std::optional(it->second);
}

const std::string& World::role(std::uint32_t node) const {
  static const std::string none;
  return node < t_.nodes.size() ? t_.nodes[node].role : none;
}

bool World::is_forwarder(std::uint32_t node) const {
  const std::string& r = role(node);
  return r == "firewall" || r == "router" || r == "internet";
}

std::optional<std::uint32_t> World::mac_owner(wire::Mac mac, std::uint32_t lan, Time t) const {
  if (auto vrid = vrrp_vrid(mac)) {
    const std::string machine = "vrrp/" + std::to_string(*vrid);
    const StateLine* best = nullptr;
    for (std::uint32_t n = 0; n < t_.nodes.size(); ++n) {
      bool on_lan = false;
      for (const IfInfo& i : t_.nodes[n].interfaces) on_lan |= i.lan == lan;
      if (lan != kNone && !on_lan) continue;
      const StateLine* s = state_at(n, machine, t);
      if (s && s->to == "master" && (!best || s->t > best->t)) best = s;
    }
    return best ? std::optional(best->node) : std::nullopt;
  }
  if (auto it = nic_mac_.find({lan, mac.value()}); it != nic_mac_.end()) return it->second;
  if (auto it = any_mac_.find(mac.value()); it != any_mac_.end()) return it->second;
  return std::nullopt;
}

std::string World::mac_text(wire::Mac mac, std::uint32_t lan, Time t) const {
  auto owner = mac_owner(mac, lan, t);
  return mac.str() + (owner ? " (" + node_name(*owner) + ")" : "");
}

std::optional<std::uint32_t> World::port_node(std::uint32_t lan, std::uint32_t port) const {
  for (std::uint32_t n = 0; n < t_.nodes.size(); ++n)
    for (const IfInfo& i : t_.nodes[n].interfaces)
      if (i.lan == lan && i.port == port && port != kNone) return n;
  // Older headers have no ports: the NIC MAC a switch learned on the port names its node.
  for (const MacLine& m : t_.macs)
    if (m.lan == lan && m.port == port)
      if (auto it = nic_mac_.find({lan, m.mac.value()}); it != nic_mac_.end()) return it->second;
  return std::nullopt;
}

bool World::up(std::uint32_t node, Time t) const {
  const Liveness* l = last_change(node, t);
  return !l || l->up;
}

const Liveness* World::last_change(std::uint32_t node, Time t) const {
  if (node >= live_.size()) return nullptr;
  const Liveness* out = nullptr;
  for (const Liveness& l : live_[node])
    if (l.t <= t) out = &l;
  return out;
}

const Liveness* World::next_change(std::uint32_t node, Time after) const {
  if (node >= live_.size()) return nullptr;
  for (const Liveness& l : live_[node])
    if (l.t > after) return &l;
  return nullptr;
}

const AddrLine* World::last_addr(std::uint32_t node, wire::Ipv4 ip, Time t) const {
  const AddrLine* out = nullptr;
  for (const AddrLine& a : t_.addrs) {
    if (a.t > t) break;
    if (a.node == node && a.addr == ip) out = &a;
  }
  return out;
}

bool World::holds(std::uint32_t node, wire::Ipv4 ip, Time t) const {
  if (const AddrLine* a = last_addr(node, ip, t)) return a->added;
  if (node >= t_.nodes.size()) return false;
  for (const IfInfo& i : t_.nodes[node].interfaces)
    if (std::find(i.hosts.begin(), i.hosts.end(), ip) != i.hosts.end()) return true;
  return false;
}

std::vector<std::uint32_t> World::holders(wire::Ipv4 ip, Time t) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t n = 0; n < t_.nodes.size(); ++n)
    if (holds(n, ip, t)) out.push_back(n);
  return out;
}

std::optional<wire::Ipv4> World::next_hop(std::uint32_t node, wire::Ipv4 dst) const {
  if (node >= t_.nodes.size()) return std::nullopt;
  const RouteInfo* best = nullptr;
  for (const RouteInfo& r : t_.nodes[node].routes)
    if (r.dest.contains(dst) && (!best || r.dest.length() > best->dest.length())) best = &r;
  if (!best) return std::nullopt;
  return best->via.is_unspecified() ? dst : best->via;
}

const std::vector<const ArpLine*>& World::arp_history(std::uint32_t node, wire::Ipv4 ip) const {
  auto it = arp_.find({node, ip.value()});
  return it == arp_.end() ? no_arp_ : it->second;
}

const ArpLine* World::arp_at(std::uint32_t node, wire::Ipv4 ip, Time t) const {
  const ArpLine* out = nullptr;
  for (const ArpLine* a : arp_history(node, ip)) {
    if (!at_or_before(a, t)) break;
    out = a;
  }
  return out;
}

const ArpLine* World::arp_learned(std::uint32_t node, wire::Ipv4 ip, Time t) const {
  const ArpLine* out = nullptr;
  for (const ArpLine* a : arp_history(node, ip)) {
    if (!at_or_before(a, t)) break;
    if (a->op == "add" || (a->op == "update" && a->mac != a->old_mac)) out = a;
    if (a->op == "expire" || a->op == "fail") out = nullptr;
  }
  return out;
}

std::vector<const MacLine*> World::mac_history(std::uint32_t lan, wire::Mac mac) const {
  std::vector<const MacLine*> out;
  for (const MacLine& m : t_.macs)
    if (m.lan == lan && m.mac == mac) out.push_back(&m);
  return out;
}

const StateLine* World::state_at(std::uint32_t node, const std::string& machine, Time t) const {
  const StateLine* out = nullptr;
  for (const StateLine& s : t_.states) {
    if (s.t > t) break;
    if (s.node == node && s.machine == machine) out = &s;
  }
  return out;
}

const StateLine* World::last_state_in(std::uint32_t node, Time from, Time to) const {
  const StateLine* out = nullptr;
  for (const StateLine& s : t_.states) {
    if (s.t > to) break;
    if (s.node == node && s.t >= from && s.machine.rfind("advisor/", 0) != 0) out = &s;
  }
  return out;
}

const FrameLine* World::last_frame(std::uint32_t node, Dir dir, const std::string& kind, Time before) const {
  const FrameLine* out = nullptr;
  for (const FrameLine& f : t_.frames) {
    if (f.t >= before) break;
    if (f.node == node && f.dir == dir && f.kind == kind) out = &f;
  }
  return out;
}

std::vector<const FrameLine*> World::frames_in(Dir dir, const std::string& kind, Time from, Time to) const {
  std::vector<const FrameLine*> out;
  for (const FrameLine& f : t_.frames) {
    if (f.t > to) break;
    if (f.t > from && f.dir == dir && f.kind == kind) out.push_back(&f);
  }
  return out;
}

const FrameLine* World::tx_of(std::uint64_t id, Time at_or_before) const {
  const FrameLine* out = nullptr;
  for (const FrameLine& f : t_.frames) {
    if (f.t > at_or_before) break;
    if (f.id == id && f.dir == Dir::Tx) out = &f;
  }
  return out;
}

const FaultLine* World::fault_active(const std::string& action, const std::string& target, Time t) const {
  const FaultLine* out = nullptr;
  for (const FaultLine& f : t_.faults) {
    if (f.t > t) break;
    const bool same_target = f.pair == target || f.node == target || f.lan == target;
    if (f.action == action && same_target) {
      out = &f;
    } else if (out && !f.of.empty() && f.of == out->name) {
      out = nullptr;  // its duration ended
    }
  }
  if (out && out->duration && out->t + *out->duration <= t) return nullptr;
  return out;
}

std::string World::time_text(Time t) const { return seconds_text(t); }

}  // namespace nlb::explain
