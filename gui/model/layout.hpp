#pragma once
// Where the topology view draws nodes and LANs. Two layouts:
// - layered, for the seed's topologies (every node a client, internet, firewall, balancer or
//   server): columns left to right in the order a request travels, clients -> Internet ->
//   firewalls -> Internet Access LAN -> balancers -> server LAN -> servers, each LAN a
//   vertical bus just before the right-most nodes it joins;
// - force-directed (Boost.Graph's Fruchterman-Reingold) for anything else, LANs as
//   horizontal buses.
// A node joins a bus by a straight stub perpendicular to it, one stub per interface.
// Positions can be saved beside the trace or scenario and restored (user drags win).

#include <map>
#include <string>
#include <vector>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

struct Point {
  double x = 0, y = 0;
};

enum class BusAxis { Vertical, Horizontal };

struct TopologyLayout {
  std::vector<Point> nodes;  // node centres, by header position
  std::vector<Point> lans;   // a point on each LAN's bus line (its centre when laid out)
  BusAxis axis = BusAxis::Vertical;
  bool layered = false;
};

inline constexpr double kNodeWidth = 84;
inline constexpr double kNodeHeight = 56;
inline constexpr double kStubSpacing = 14;  // between stubs of one node's interfaces

// True when every node has one of the seed's roles and there is a firewall or a balancer.
bool seed_like(const Header& h);
TopologyLayout layered_layout(const Header& h);
TopologyLayout force_layout(const Header& h, unsigned seed = 1);
TopologyLayout compute_layout(const Header& h);

struct Segment {
  Point a, b;
};
// The stub of a node's interface (position in Node::interfaces): from the node's edge to
// the bus. Loopback interfaces have none (a = b = the node centre).
Segment stub(const Header& h, const TopologyLayout& l, int node, int iface_pos);
// The bus of a LAN: long enough to meet every stub, with a margin.
Segment bus(const Header& h, const TopologyLayout& l, int lan);

// Saved positions, by node and LAN name: {"version":1,"nodes":{"fw1":[x,y]},"lans":{...}}.
struct SavedPositions {
  std::map<std::string, Point> nodes, lans;
};
SavedPositions positions_of(const Header& h, const TopologyLayout& l);
void apply_positions(const Header& h, const SavedPositions& p, TopologyLayout& l);  // unknown names ignored
std::string positions_json(const SavedPositions& p);
bool parse_positions(const std::string& text, SavedPositions& out, std::string& error);

}  // namespace nlb::gui
