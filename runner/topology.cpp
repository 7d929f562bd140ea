#include "runner/topology.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <sstream>

#include <boost/graph/connected_components.hpp>
#include <boost/graph/graphviz.hpp>

#include "runner/text.hpp"

namespace nlb::runner {

Topology::Topology(const Scenario& s) : s_(s), nodes_(s.nodes.size()), g_(s.nodes.size() + s.lans.size()) {
  for (std::size_t n = 0; n < s.nodes.size(); ++n) g_[node_vertex(n)] = TopologyVertex{false, n};
  for (std::size_t l = 0; l < s.lans.size(); ++l) g_[lan_vertex(l)] = TopologyVertex{true, l};
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    for (std::size_t i = 0; i < s.nodes[n].interfaces.size(); ++i)
      if (std::size_t l = s.nodes[n].interfaces[i].lan_index; l != kNone)
        boost::add_edge(node_vertex(n), lan_vertex(l), TopologyEdge{n, i}, g_);
}

std::vector<Topology::Island> Topology::islands() const {
  std::vector<int> comp(boost::num_vertices(g_));
  int count = boost::connected_components(g_, comp.data());
  std::vector<Island> out(static_cast<std::size_t>(count));
  for (std::size_t v = 0; v < comp.size(); ++v) {
    Island& is = out[static_cast<std::size_t>(comp[v])];
    (g_[v].is_lan ? is.lans : is.nodes).push_back(g_[v].index);
  }
  // Largest first; among equals, the one holding the lowest node first (stable, deterministic).
  std::stable_sort(out.begin(), out.end(), [](const Island& a, const Island& b) {
    return a.nodes.size() + a.lans.size() > b.nodes.size() + b.lans.size();
  });
  return out;
}

std::vector<bool> Topology::reachable_nodes(const std::vector<std::size_t>& sources) const {
  std::vector<bool> seen(boost::num_vertices(g_), false);
  std::deque<Vertex> queue;
  for (std::size_t n : sources) {
    seen[node_vertex(n)] = true;
    queue.push_back(node_vertex(n));
  }
  std::set<std::size_t> source_set(sources.begin(), sources.end());
  while (!queue.empty()) {
    Vertex v = queue.front();
    queue.pop_front();
    const TopologyVertex& tv = g_[v];
    // Traffic crosses a node only if it forwards; the sources themselves always send.
    if (!tv.is_lan && !source_set.contains(tv.index) && !s_.nodes[tv.index].forwarding) continue;
    for (auto [e, end] = boost::out_edges(v, g_); e != end; ++e) {
      Vertex w = boost::target(*e, g_);
      if (!seen[w]) {
        seen[w] = true;
        queue.push_back(w);
      }
    }
  }
  std::vector<bool> out(nodes_);
  for (std::size_t n = 0; n < nodes_; ++n) out[n] = seen[node_vertex(n)];
  return out;
}

namespace {

std::string node_ptr(std::size_t n) { return pointer_join(pointer_join("", "nodes"), n); }

std::vector<std::string> names_of(const Scenario& s, const std::vector<std::size_t>& nodes) {
  std::vector<std::string> out;
  for (std::size_t n : nodes) out.push_back(s.nodes[n].name);
  return out;
}

// Who holds `ip` statically, or as the cluster/NLBS address of a pair (its balancers).
std::vector<std::size_t> holders(const Scenario& s, wire::Ipv4 ip) {
  std::vector<std::size_t> out;
  for (const auto& pr : s.balancer_pairs) {
    bool mine = pr.nlbs_address == ip || std::any_of(pr.clusters.begin(), pr.clusters.end(),
                                                     [&](const ClusterSpec& c) { return c.address == ip; });
    if (mine)
      for (const auto& m : pr.members)
        if (m.node_index != kNone) out.push_back(m.node_index);
  }
  for (const auto& g : s.vrrp_groups)
    if (std::find(g.virtual_addresses.begin(), g.virtual_addresses.end(), ip) != g.virtual_addresses.end())
      for (const auto& m : g.members)
        if (m.node_index != kNone) out.push_back(m.node_index);
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    for (const auto& ifc : s.nodes[n].interfaces)
      if (ifc.address.ip == ip) out.push_back(n);
  return out;
}

}  // namespace

Diagnostics check_topology(const Scenario& s) {
  Diagnostics out;
  Topology topo(s);
  auto islands = topo.islands();
  for (std::size_t k = 1; k < islands.size(); ++k) {
    const auto& is = islands[k];
    if (is.nodes.empty()) continue;  // a LAN nobody attaches to: reported by the validator
    std::vector<std::string> names = names_of(s, is.nodes);
    for (std::size_t l : is.lans) names.push_back("LAN " + s.lans[l].name);
    out.push_back(Diagnostic{Severity::Warning, "", node_ptr(is.nodes.front()),
                             "island: " + join_words(names) + " " + (names.size() == 1 ? "is" : "are") +
                                 " not connected to the rest of the network"});
  }

  // Clients must reach whoever holds their target, through LANs and forwarding nodes.
  for (std::size_t t = 0; t < s.traffic.size(); ++t) {
    const TrafficSpec& tr = s.traffic[t];
    std::vector<std::size_t> targets = holders(s, tr.target);
    if (targets.empty()) continue;  // warned about by the validator
    std::vector<bool> reach = topo.reachable_nodes(targets);
    std::vector<std::string> cut;
    for (std::size_t c : tr.client_indices)
      if (!reach[c]) cut.push_back(s.nodes[c].name);
    if (!cut.empty()) {
      if (cut.size() > 5) cut.resize(5), cut.push_back("others");
      out.push_back(Diagnostic{
          Severity::Error, "", pointer_join(pointer_join(pointer_join("", "traffic"), t), "clients"),
          join_words(cut) + " cannot reach " + tr.target.str() + " (held by " +
              join_words(names_of(s, targets), "or") + "): no path through LANs and forwarding nodes"});
    }
  }

  // The seed's servers reply through the firewalls; every node should reach one.
  std::vector<std::size_t> firewalls;
  for (std::size_t n = 0; n < s.nodes.size(); ++n)
    if (s.nodes[n].role == Role::Firewall) firewalls.push_back(n);
  if (!firewalls.empty()) {
    std::vector<bool> reach = topo.reachable_nodes(firewalls);
    for (std::size_t n = 0; n < s.nodes.size(); ++n)
      if (!reach[n] && !s.nodes[n].interfaces.empty())
        out.push_back(Diagnostic{Severity::Warning, "", node_ptr(n),
                                 s.nodes[n].name + " cannot reach any firewall (" +
                                     join_words(names_of(s, firewalls), "or") +
                                     ") through LANs and forwarding nodes"});
  }
  return out;
}

// ---- DOT ------------------------------------------------------------------------------------

namespace {

struct Style {
  const char* shape;
  const char* fill;
};

Style role_style(Role r) {
  switch (r) {
    case Role::Client:
      return {"box", "#dbeafe"};
    case Role::Internet:
      return {"octagon", "#e5e7eb"};
    case Role::Firewall:
      return {"box3d", "#fecaca"};
    case Role::Balancer:
      return {"component", "#fde68a"};
    case Role::Server:
      return {"box", "#bbf7d0"};
    case Role::Router:
      return {"diamond", "#e9d5ff"};
    case Role::Host:
      return {"box", "#ffffff"};
    case Role::External:  // a real host: drawn apart from the simulated ones
      return {"box", "#fef3c7"};
  }
  return {"box", "#ffffff"};
}

// Text inside a DOT double-quoted string; "\n" is Graphviz's line break.
std::string dot_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string lines(const std::vector<std::string>& ls) {
  std::string out;
  for (const auto& l : ls) out += (out.empty() ? "" : "\\n") + dot_text(l);
  return out;
}

class DotVertexWriter {
 public:
  explicit DotVertexWriter(const Scenario& s, const TopologyGraph& g) : s_(s), g_(g) {}
  void operator()(std::ostream& out, TopologyGraph::vertex_descriptor v) const {
    const TopologyVertex& tv = g_[v];
    std::vector<std::string> ls;
    if (tv.is_lan) {
      const LanSpec& l = s_.lans[tv.index];
      ls.push_back(l.name);
      if (l.subnet) ls.push_back(l.subnet->str());
      for (const auto& g : s_.vrrp_groups)
        if (g.lan_index == tv.index)
          for (auto a : g.virtual_addresses)
            ls.push_back("VRRP " + g.name + " vrid " + std::to_string(g.vrid) + ": " + a.str());
      for (const auto& p : s_.balancer_pairs)
        if (p.access_lan_index == tv.index && p.nlbs_address)
          ls.push_back("NLBS " + p.name + ": " + p.nlbs_address->str());
      out << "[shape=ellipse, style=filled, fillcolor=\"#f3f4f6\", label=\"" << lines(ls) << "\"]";
      return;
    }
    const NodeSpec& n = s_.nodes[tv.index];
    ls.push_back(n.name);
    ls.push_back(std::string(to_string(n.role)));
    for (const auto& a : n.loopback) ls.push_back("lo " + a.ip.str());
    Style st = role_style(n.role);
    out << "[shape=" << st.shape << ", style=filled, fillcolor=\"" << st.fill << "\", label=\"" << lines(ls)
        << "\"]";
  }

 private:
  const Scenario& s_;
  const TopologyGraph& g_;
};

class DotEdgeWriter {
 public:
  explicit DotEdgeWriter(const Scenario& s, const TopologyGraph& g) : s_(s), g_(g) {}
  void operator()(std::ostream& out, TopologyGraph::edge_descriptor e) const {
    const TopologyEdge& te = g_[e];
    const InterfaceSpec& i = s_.nodes[te.node].interfaces[te.interface];
    std::vector<std::string> ls{i.name + " " + i.address.str()};
    for (const auto& a : i.aliases) ls.push_back("alias " + a.str());
    out << "[label=\"" << lines(ls) << "\", fontsize=10]";
  }

 private:
  const Scenario& s_;
  const TopologyGraph& g_;
};

class DotGraphWriter {
 public:
  explicit DotGraphWriter(const Scenario& s) : s_(s) {}
  void operator()(std::ostream& out) const {
    out << "label=\"" << dot_text(s_.name) << "\";\n";
    out << "fontname=\"Helvetica\";\n";
    out << "node [fontname=\"Helvetica\", fontsize=11];\n";
    out << "edge [fontname=\"Helvetica\"];\n";
  }

 private:
  const Scenario& s_;
};

}  // namespace

std::string to_dot(const Scenario& s) {
  Topology topo(s);
  const TopologyGraph& g = topo.graph();
  std::vector<std::string> ids(boost::num_vertices(g));
  for (std::size_t v = 0; v < ids.size(); ++v)
    ids[v] = g[v].is_lan ? "lan:" + s.lans[g[v].index].name : s.nodes[g[v].index].name;
  std::ostringstream out;
  boost::write_graphviz(out, g, DotVertexWriter(s, g), DotEdgeWriter(s, g), DotGraphWriter(s),
                        boost::make_iterator_property_map(ids.begin(), boost::get(boost::vertex_index, g)));
  // write_graphviz names every graph G; give it the scenario's name.
  std::string dot = out.str();
  if (dot.starts_with("graph G {")) dot.replace(0, 9, "graph \"" + dot_text(s.name) + "\" {");
  return dot;
}

}  // namespace nlb::runner
