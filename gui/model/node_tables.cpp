#include "gui/model/node_tables.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace nlb::gui {

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && std::string_view(s).substr(s.size() - tail.size()) == tail;
}

void apply_addr(NodeTables& t, const TraceModel& m, const EventRecord& e) {
  const AddrInfo& a = m.addr(e);
  auto it =
      std::find_if(t.interfaces.begin(), t.interfaces.end(), [&](auto& i) { return i.index == e.iface; });
  if (it == t.interfaces.end()) return;
  auto& rows = it->addresses;
  auto same = [&](const AddrRow& r) { return r.ip == a.ip && r.len == a.len; };
  rows.erase(std::remove_if(rows.begin(), rows.end(), same), rows.end());
  if (a.add) rows.push_back({a.ip, a.len, a.alias, false, e.t});
}

void apply_state(std::vector<StateRow>& states, const TraceModel& m, const EventRecord& e) {
  const StateInfo& s = m.state(e);
  const std::string& machine = m.text(s.machine);
  auto it = std::find_if(states.begin(), states.end(), [&](auto& r) { return r.machine == machine; });
  if (it == states.end()) {
    states.push_back({machine, {}, {}, 0});
    it = states.end() - 1;
  }
  it->state = m.text(s.to);
  it->why = m.text(s.why);
  it->since = e.t;
}

// A fault aimed at the node itself (not one of its interfaces) moves it down or up.
void apply_fault(bool& down, std::string& why, const TraceModel& m, const EventRecord& e) {
  if (e.iface >= 0) return;
  const std::string& action = m.text(m.fault(e).action);
  if (fault_downs(action)) {
    down = true;
    why = action + " at " + time_str(e.t);
  } else if (fault_ups(action)) {
    down = false;
    why.clear();
  }
}

void apply_arp(std::vector<ArpRow>& rows, const TraceModel& m, const EventRecord& e) {
  const ArpInfo& a = m.arp(e);
  auto it =
      std::find_if(rows.begin(), rows.end(), [&](auto& r) { return r.iface == e.iface && r.ip == a.ip; });
  if (a.op == ArpOp::Expire || a.op == ArpOp::Fail) {
    if (it != rows.end()) rows.erase(it);
    return;
  }
  if (it == rows.end()) {
    rows.push_back({e.iface, a.ip, 0, {}, 0});
    it = rows.end() - 1;
  }
  it->mac = a.mac;
  it->state = m.text(a.state);
  it->since = e.t;
}

// Keyed by the interned (client, vip) pair: a balancer may hold a large table.
using ConnMap = std::map<std::pair<std::uint32_t, std::uint32_t>, ConnRow>;

void apply_conn(ConnMap& rows, const TraceModel& m, const EventRecord& e) {
  const ConnInfo& c = m.conn(e);
  auto key = std::make_pair(c.client, c.vip);
  if (c.op == ConnOp::Expire || c.op == ConnOp::End) {
    rows.erase(key);
    return;
  }
  rows[key] =
      ConnRow{m.text(c.proto), m.text(c.client), m.text(c.vip), m.text(c.server), c.op == ConnOp::Sync, e.t};
}

template <typename F>
void for_each_before(const std::vector<std::uint32_t>& index, std::size_t pos, F f) {
  for (std::uint32_t i : index) {
    if (i >= pos) break;
    f(i);
  }
}

NodeTables tables_from_header(const Node& n, int node) {
  NodeTables t;
  t.node = node;
  t.routes = n.routes;
  for (const Interface& i : n.interfaces) {
    IfaceRow row{i.index, i.name, i.lan, i.mac, i.loopback, {}};
    for (const IfaceAddress& a : i.addresses) row.addresses.push_back({a.ip, a.len, false, true, 0});
    t.interfaces.push_back(std::move(row));
  }
  return t;
}

}  // namespace

bool fault_downs(const std::string& action) {
  return action == "crash" || action == "stop" || action == "down" || ends_with(action, "-down") ||
         ends_with(action, "-crash") || ends_with(action, "-stop");
}

bool fault_ups(const std::string& action) {
  return action == "recover" || action == "up" || action == "start" || action == "restart" ||
         ends_with(action, "-up") || ends_with(action, "-recover") || ends_with(action, "-start");
}

const StateRow* NodeTables::state(const std::string& machine) const {
  for (const StateRow& s : states)
    if (s.machine == machine) return &s;
  return nullptr;
}

bool NodeStatus::active() const {
  if (down) return false;
  if (ha == "active") return true;
  return std::any_of(machines.begin(), machines.end(),
                     [](const StateRow& s) { return s.machine.starts_with("vrrp") && s.state == "master"; });
}

NodeTables fold_node(const TraceModel& m, int node, std::size_t pos, unsigned parts) {
  const Node& n = m.header().nodes[node];
  NodeTables t = tables_from_header(n, node);
  // A node that recovers from a crash has rebooted: its tables start again from the
  // scenario, so nothing before the recovery is folded.
  std::size_t reset = 0;
  for_each_before(m.status_events(node), pos, [&](std::uint32_t i) {
    const EventRecord& e = m.event(i);
    if (e.type == EventType::Addr) apply_addr(t, m, e);
    if (e.type == EventType::State) apply_state(t.states, m, e);
    if (e.type != EventType::Fault) return;
    bool was_down = t.down;
    apply_fault(t.down, t.down_why, m, e);
    if (was_down && !t.down) {
      NodeTables fresh = tables_from_header(n, node);
      t.interfaces = std::move(fresh.interfaces);
      t.states.clear();
      reset = i;
    }
  });
  auto after_reset = [&](std::uint32_t i) { return reset == 0 || i > reset; };
  if (parts & kFoldArp)
    for_each_before(m.arp_events(node), pos, [&](std::uint32_t i) {
      if (after_reset(i)) apply_arp(t.arp, m, m.event(i));
    });
  ConnMap conns;
  if (parts & kFoldConns)
    for_each_before(m.conn_events(node), pos, [&](std::uint32_t i) {
      if (after_reset(i)) apply_conn(conns, m, m.event(i));
    });
  t.conns.reserve(conns.size());
  for (auto& [key, row] : conns) t.conns.push_back(std::move(row));
  std::sort(t.arp.begin(), t.arp.end(),
            [](auto& a, auto& b) { return std::tie(a.iface, a.ip) < std::tie(b.iface, b.ip); });
  std::sort(t.states.begin(), t.states.end(), [](auto& a, auto& b) { return a.machine < b.machine; });
  return t;
}

std::vector<NodeStatus> fold_status(const TraceModel& m, std::size_t pos) {
  std::vector<NodeStatus> out(m.header().nodes.size());
  for (std::size_t n = 0; n < out.size(); ++n) {
    NodeStatus& s = out[n];
    std::string why;
    for_each_before(m.status_events(static_cast<int>(n)), pos, [&](std::uint32_t i) {
      const EventRecord& e = m.event(i);
      if (e.type == EventType::State) apply_state(s.machines, m, e);
      if (e.type != EventType::Fault) return;
      bool was_down = s.down;
      apply_fault(s.down, why, m, e);
      if (was_down && !s.down) s.machines.clear();  // rebooted
    });
    for (const StateRow& r : s.machines)
      if (r.machine == "ha") s.ha = r.state;
  }
  return out;
}

std::vector<bool> fold_lans_down(const TraceModel& m, std::size_t pos) {
  std::vector<bool> down(m.header().lans.size(), false);
  for_each_before(m.fault_events(), pos, [&](std::uint32_t i) {
    const EventRecord& e = m.event(i);
    if (e.lan < 0 || e.node >= 0 || static_cast<std::size_t>(e.lan) >= down.size()) return;
    const std::string& action = m.text(m.fault(e).action);
    if (fault_downs(action)) down[e.lan] = true;
    if (fault_ups(action)) down[e.lan] = false;
  });
  return down;
}

}  // namespace nlb::gui
