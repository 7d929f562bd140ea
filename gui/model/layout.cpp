#include "gui/model/layout.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/random_layout.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

namespace nlb::gui {

namespace {

constexpr double kColumn = 120;  // between layers
constexpr double kBusMargin = 26;

// Column of each role; a LAN sits in the odd column before the right-most nodes it joins.
int layer_of(Role r) {
  switch (r) {
    case Role::Client:
      return 0;
    case Role::Internet:
      return 2;
    case Role::Firewall:
      return 4;
    case Role::Balancer:
      return 6;
    case Role::Server:
      return 8;
    default:
      return 8;
  }
}

// Vertical room per node: firewalls are spread wider so that their stubs to the server LAN
// pass outside the balancers between them.
double spacing_of(Role r) {
  switch (r) {
    case Role::Firewall:
      return 300;
    case Role::Balancer:
      return 170;
    case Role::Internet:
      return 120;
    case Role::Client:
      return 100;  // a name and one address
    default:
      return 120;
  }
}

std::vector<int> network_interfaces(const Node& n) {
  std::vector<int> out;
  for (std::size_t i = 0; i < n.interfaces.size(); ++i)
    if (!n.interfaces[i].loopback && n.interfaces[i].lan >= 0) out.push_back(static_cast<int>(i));
  return out;
}

// Offset of a stub along the node's side, so that two stubs of one node never overlap.
double stub_offset(const Node& n, int iface_pos) {
  auto ifs = network_interfaces(n);
  auto it = std::find(ifs.begin(), ifs.end(), iface_pos);
  if (it == ifs.end()) return 0;
  double k = static_cast<double>(it - ifs.begin());
  return (k - (static_cast<double>(ifs.size()) - 1) / 2) * kStubSpacing;
}

constexpr double kSubColumn = 100;  // between the sub-columns of a large column

// One role's column, centred on y = 0. A column much taller than the core of the site (the
// Internet router, firewalls and balancers) - the seed's twenty clients, or two thousand - is
// folded into sub-columns that grow away from the bus (`away` = -1: to the left), each
// shifted down by a fraction of a row so that the stubs of the farther ones pass between the
// nearer nodes instead of through them; a very large one becomes a block about as wide as
// it is tall.
void place_column(const Header& h, const std::vector<int>& members, double x, double core_height, int away,
                  TopologyLayout& l) {
  double total = 0;
  for (int n : members) total += spacing_of(h.nodes[n].role);
  if (members.size() < 2 || total <= core_height * 1.3) {
    double y = -total / 2;
    for (int n : members) {
      double s = spacing_of(h.nodes[n].role);
      l.nodes[n] = {x, y + s / 2};
      y += s;
    }
    return;
  }
  double row = total / static_cast<double>(members.size());
  double height = std::max(core_height, std::sqrt(total * kSubColumn));
  auto columns = static_cast<std::size_t>(std::ceil(total / height));
  std::size_t rows = (members.size() + columns - 1) / columns;
  double top = -static_cast<double>(rows) * row / 2;
  for (std::size_t k = 0; k < members.size(); ++k) {
    std::size_t c = k / rows, r = k % rows;
    double stagger = static_cast<double>(c) * row / static_cast<double>(columns);
    l.nodes[members[k]] = {x + away * static_cast<double>(c) * kSubColumn,
                           top + (static_cast<double>(r) + 0.5) * row + stagger};
  }
}

// Pushes nodes off a horizontal bus line they sit on, so each keeps a visible stub.
void clear_buses(const Header& h, TopologyLayout& l) {
  for (std::size_t n = 0; n < h.nodes.size(); ++n) {
    for (const Interface& i : h.nodes[n].interfaces) {
      if (i.lan < 0) continue;
      double dy = l.nodes[n].y - l.lans[i.lan].y;
      if (std::abs(dy) < 60) l.nodes[n].y = l.lans[i.lan].y + (dy < 0 ? -60 : 60);
    }
  }
}

}  // namespace

bool seed_like(const Header& h) {
  bool core = false;
  for (const Node& n : h.nodes) {
    if (n.role == Role::Router || n.role == Role::Host) return false;
    core = core || n.role == Role::Firewall || n.role == Role::Balancer;
  }
  return core;
}

TopologyLayout layered_layout(const Header& h) {
  TopologyLayout l;
  l.layered = true;
  l.axis = BusAxis::Vertical;
  l.nodes.resize(h.nodes.size());
  l.lans.resize(h.lans.size());
  std::map<int, std::vector<int>> columns;
  for (std::size_t n = 0; n < h.nodes.size(); ++n)
    columns[layer_of(h.nodes[n].role)].push_back(static_cast<int>(n));
  // The core's height: the tallest column of the Internet router, firewalls and balancers.
  double core = 360;
  for (auto& [layer, members] : columns) {
    if (layer != layer_of(Role::Internet) && layer != layer_of(Role::Firewall) &&
        layer != layer_of(Role::Balancer))
      continue;
    double total = 0;
    for (int n : members) total += spacing_of(h.nodes[n].role);
    core = std::max(core, total);
  }
  for (auto& [layer, members] : columns)
    place_column(h, members, layer * kColumn, core, layer == layer_of(Role::Server) ? 1 : -1, l);
  for (std::size_t lan = 0; lan < h.lans.size(); ++lan) {
    int left = 1 << 20, right = -1;
    for (const Node& n : h.nodes)
      for (const Interface& i : n.interfaces)
        if (i.lan == static_cast<int>(lan)) {
          left = std::min(left, layer_of(n.role));
          right = std::max(right, layer_of(n.role));
        }
    int column = right < 0 ? 1 : right > left ? right - 1 : right + 1;  // a LAN of one column hangs right
    l.lans[lan] = {column * kColumn, 0};
  }
  return l;
}

TopologyLayout force_layout(const Header& h, unsigned seed) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  using Topology = boost::square_topology<boost::minstd_rand>;
  std::size_t nodes = h.nodes.size(), lans = h.lans.size();
  Graph g(nodes + lans);
  for (std::size_t n = 0; n < nodes; ++n)
    for (const Interface& i : h.nodes[n].interfaces)
      if (i.lan >= 0) boost::add_edge(n, nodes + static_cast<std::size_t>(i.lan), g);
  // A fixed generator: the same topology always gets the same picture.
  boost::minstd_rand gen(seed);
  double side = 160.0 * std::sqrt(static_cast<double>(nodes + lans) + 1.0);
  Topology topo(gen, side);
  std::vector<Topology::point_type> pos(nodes + lans);
  auto pm = boost::make_iterator_property_map(pos.begin(), boost::get(boost::vertex_index, g));
  boost::random_graph_layout(g, pm, topo);
  boost::fruchterman_reingold_force_directed_layout(g, pm, topo,
                                                    boost::cooling(boost::linear_cooling<double>(200)));
  // Scale so that a node sits about kEdge from its LAN, whatever the force model's units.
  constexpr double kEdge = 170;
  double total = 0;
  std::size_t edges = 0;
  for (auto [e, end] = boost::edges(g); e != end; ++e, ++edges) {
    auto a = pos[boost::source(*e, g)], b = pos[boost::target(*e, g)];
    total += std::hypot(a[0] - b[0], a[1] - b[1]);
  }
  double k = edges && total > 0 ? kEdge / (total / static_cast<double>(edges)) : 1.0;
  TopologyLayout l;
  l.axis = BusAxis::Horizontal;
  for (std::size_t v = 0; v < nodes; ++v) l.nodes.push_back({pos[v][0] * k, pos[v][1] * k});
  for (std::size_t v = 0; v < lans; ++v) l.lans.push_back({pos[nodes + v][0] * k, pos[nodes + v][1] * k});
  clear_buses(h, l);
  return l;
}

TopologyLayout compute_layout(const Header& h) { return seed_like(h) ? layered_layout(h) : force_layout(h); }

Segment stub(const Header& h, const TopologyLayout& l, int node, int iface_pos) {
  const Node& n = h.nodes[node];
  const Interface& i = n.interfaces[iface_pos];
  Point c = l.nodes[node];
  if (i.loopback || i.lan < 0) return {c, c};
  Point b = l.lans[i.lan];
  double off = stub_offset(n, iface_pos);
  if (l.axis == BusAxis::Vertical) {
    double y = c.y + off;
    double edge = c.x + (b.x >= c.x ? kNodeWidth / 2 : -kNodeWidth / 2);
    return {{edge, y}, {b.x, y}};
  }
  double x = c.x + off;
  double edge = c.y + (b.y >= c.y ? kNodeHeight / 2 : -kNodeHeight / 2);
  return {{x, edge}, {x, b.y}};
}

Segment bus(const Header& h, const TopologyLayout& l, int lan) {
  Point c = l.lans[lan];
  double lo = 0, hi = 0;
  bool any = false;
  for (std::size_t n = 0; n < h.nodes.size(); ++n) {
    for (std::size_t i = 0; i < h.nodes[n].interfaces.size(); ++i) {
      if (h.nodes[n].interfaces[i].lan != lan) continue;
      Point p = stub(h, l, static_cast<int>(n), static_cast<int>(i)).b;
      double v = l.axis == BusAxis::Vertical ? p.y : p.x;
      lo = any ? std::min(lo, v) : v;
      hi = any ? std::max(hi, v) : v;
      any = true;
    }
  }
  if (!any) lo = hi = l.axis == BusAxis::Vertical ? c.y : c.x;
  lo -= kBusMargin;
  hi += kBusMargin;
  if (l.axis == BusAxis::Vertical) return {{c.x, lo}, {c.x, hi}};
  return {{lo, c.y}, {hi, c.y}};
}

SavedPositions positions_of(const Header& h, const TopologyLayout& l) {
  SavedPositions p;
  for (std::size_t n = 0; n < h.nodes.size(); ++n) p.nodes[h.nodes[n].name] = l.nodes[n];
  for (std::size_t i = 0; i < h.lans.size(); ++i) p.lans[h.lans[i].name] = l.lans[i];
  return p;
}

void apply_positions(const Header& h, const SavedPositions& p, TopologyLayout& l) {
  for (std::size_t n = 0; n < h.nodes.size(); ++n)
    if (auto it = p.nodes.find(h.nodes[n].name); it != p.nodes.end()) l.nodes[n] = it->second;
  for (std::size_t i = 0; i < h.lans.size(); ++i)
    if (auto it = p.lans.find(h.lans[i].name); it != p.lans.end()) l.lans[i] = it->second;
}

std::string positions_json(const SavedPositions& p) {
  nlohmann::json j = {
      {"version", 1}, {"nodes", nlohmann::json::object()}, {"lans", nlohmann::json::object()}};
  for (auto& [name, pt] : p.nodes) j["nodes"][name] = {pt.x, pt.y};
  for (auto& [name, pt] : p.lans) j["lans"][name] = {pt.x, pt.y};
  return j.dump(2) + "\n";
}

bool parse_positions(const std::string& text, SavedPositions& out, std::string& error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return false;
  }
  out = SavedPositions();
  for (const char* key : {"nodes", "lans"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) continue;
    auto& dest = std::string(key) == "nodes" ? out.nodes : out.lans;
    for (auto e = it->begin(); e != it->end(); ++e) {
      const auto& v = e.value();
      if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) {
        error = std::string("/") + key + "/" + e.key() + ": expected [x, y]";
        return false;
      }
      dest[e.key()] = {v[0].get<double>(), v[1].get<double>()};
    }
  }
  return true;
}

}  // namespace nlb::gui
