#pragma once
// The scenario's topology as a graph (Boost.Graph): nodes and LANs are vertices, each
// interface an edge between its node and its LAN, so the graph is bipartite. It answers the
// connectivity questions a scenario must pass (no islands, clients reach the cluster, servers
// reach the firewalls) and draws itself as Graphviz DOT.

#include <cstddef>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "runner/diagnostics.hpp"
#include "runner/scenario.hpp"

namespace nlb::runner {

struct TopologyVertex {
  bool is_lan = false;
  std::size_t index = 0;  // into Scenario::nodes or Scenario::lans
};

struct TopologyEdge {
  std::size_t node = 0;
  std::size_t interface = 0;
};

using TopologyGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopologyVertex, TopologyEdge>;

class Topology {
 public:
  using Vertex = TopologyGraph::vertex_descriptor;

  explicit Topology(const Scenario& s);

  const TopologyGraph& graph() const { return g_; }
  Vertex node_vertex(std::size_t node) const { return node; }
  Vertex lan_vertex(std::size_t lan) const { return nodes_ + lan; }

  // Connected components, each as (node indices, LAN indices), the largest first.
  struct Island {
    std::vector<std::size_t> nodes;
    std::vector<std::size_t> lans;
  };
  std::vector<Island> islands() const;

  // Nodes reachable from `sources` when only LANs and forwarding nodes pass traffic on (a
  // server or a client is an end, not a path). Indexed by node; sources are reachable.
  std::vector<bool> reachable_nodes(const std::vector<std::size_t>& sources) const;

 private:
  const Scenario& s_;
  std::size_t nodes_;
  TopologyGraph g_;
};

// Connectivity checks; pointers are into the composed document (the loader maps them).
Diagnostics check_topology(const Scenario& s);

// Graphviz DOT: nodes shaped and coloured by role, LANs with their subnets, VRRP and NLBS
// addresses, interfaces as edges labelled with their addresses.
std::string to_dot(const Scenario& s);

}  // namespace nlb::runner
