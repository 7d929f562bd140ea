// The topology graph: islands, reachability through forwarding nodes, DOT output.
#include <doctest/doctest.h>

#include <filesystem>

#include "runner/load.hpp"
#include "runner/topology.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);

Scenario load_text(const std::string& text) {
  LoadOptions o;
  o.check_topology = false;
  LoadResult r = load_scenario_text(text, "t.json", o);
  std::string msgs;
  for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

// a - r - b, and an island x on its own LAN.
const char* kChain = R"({
  "lans": [{"name": "l1", "subnet": "10.0.1.0/24"}, {"name": "l2", "subnet": "10.0.2.0/24"},
           {"name": "l3", "subnet": "10.0.3.0/24"}],
  "nodes": [
    {"name": "a", "role": "host", "interfaces": [{"name": "eth0", "lan": "l1", "address": "10.0.1.2/24"}]},
    {"name": "r", "role": "router", "interfaces": [{"name": "eth0", "lan": "l1", "address": "10.0.1.1/24"},
                                                    {"name": "eth1", "lan": "l2", "address": "10.0.2.1/24"}]},
    {"name": "b", "role": "host", "interfaces": [{"name": "eth0", "lan": "l2", "address": "10.0.2.2/24"}]},
    {"name": "x", "role": "host", "interfaces": [{"name": "eth0", "lan": "l3", "address": "10.0.3.2/24"}]},
    {"name": "y", "role": "host", "interfaces": [{"name": "eth0", "lan": "l3", "address": "10.0.3.3/24"}]}
  ]
})";

}  // namespace

TEST_CASE("nodes and LANs are the vertices and interfaces the edges of a bipartite graph") {
  Scenario s = load_text(kChain);
  Topology t(s);
  CHECK(boost::num_vertices(t.graph()) == 5 + 3);
  CHECK(boost::num_edges(t.graph()) == 6);
  for (auto [e, end] = boost::edges(t.graph()); e != end; ++e) {
    bool a = t.graph()[boost::source(*e, t.graph())].is_lan,
         b = t.graph()[boost::target(*e, t.graph())].is_lan;
    CHECK(a != b);
  }
}

TEST_CASE("islands are found, the largest first") {
  Scenario s = load_text(kChain);
  auto islands = Topology(s).islands();
  REQUIRE(islands.size() == 2);
  CHECK(islands[0].nodes == std::vector<std::size_t>{0, 1, 2});
  CHECK(islands[1].nodes == std::vector<std::size_t>{3, 4});
  CHECK(islands[1].lans == std::vector<std::size_t>{2});
  Diagnostics d = check_topology(s);
  REQUIRE(d.size() == 1);
  CHECK(d[0].severity == Severity::Warning);
  CHECK(d[0].pointer == "/nodes/3");
  CHECK(d[0].message == "island: x, y and LAN l3 are not connected to the rest of the network");
}

TEST_CASE("traffic crosses a router but not a host") {
  Scenario s = load_text(kChain);
  Topology t(s);
  CHECK(t.reachable_nodes({0}) == std::vector<bool>{true, true, true, false, false});
  s.nodes[1].forwarding = false;  // the router stops forwarding: b is cut off from a
  CHECK(Topology(s).reachable_nodes({0}) == std::vector<bool>{true, true, false, false, false});
}

TEST_CASE("the shipped figures pass the connectivity checks without a word") {
  for (const char* f : {"scenarios/figure2-prior-art.json", "scenarios/figure3-single-public-ip.json"}) {
    LoadResult r = load_scenario(kSource / f);
    REQUIRE(r.ok());
    CHECK(check_topology(*r.scenario).empty());
  }
}

TEST_CASE("a client with no path to the cluster is an error on its traffic entry") {
  LoadResult r = load_scenario(kSource / "tests/runner/bad/client-cannot-reach-cluster.json");
  REQUIRE_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.diagnostics)
    found = found || (d.severity == Severity::Error && d.pointer == "/traffic/0/clients" &&
                      d.message ==
                          "client cannot reach 203.0.113.10 (held by lb1 or lb2): no path through LANs and "
                          "forwarding nodes");
  CHECK(found);
}

TEST_CASE("the DOT output names every node and LAN, with roles as shapes and addresses as labels") {
  LoadResult r = load_scenario(kSource / "scenarios/figure3-single-public-ip.json");
  REQUIRE(r.ok());
  const Scenario& s = *r.scenario;
  std::string dot = to_dot(s);
  CHECK(dot.starts_with("graph \"figure3-single-public-ip\" {\n"));
  CHECK(dot.ends_with("}\n"));
  for (const auto& n : s.nodes) CHECK_MESSAGE(dot.find("\n" + n.name + "[") != std::string::npos, n.name);
  for (const auto& l : s.lans)
    CHECK_MESSAGE(dot.find("\n\"lan:" + l.name + "\"[") != std::string::npos, l.name);
  CHECK(dot.find("fw1[shape=box3d") != std::string::npos);
  CHECK(dot.find("lb1[shape=component") != std::string::npos);
  CHECK(dot.find("label=\"lb1\\nbalancer\\nlo 203.0.113.10\"") != std::string::npos);
  CHECK(dot.find("NLBS nlb: 192.168.10.10") != std::string::npos);
  CHECK(dot.find("VRRP fw-ias vrid 1: 192.168.10.1") != std::string::npos);
  CHECK(dot.find("lb1--\"lan:ias\" [label=\"eth0 192.168.10.4/24\"") != std::string::npos);
  std::size_t edges = 0;
  for (std::size_t p = dot.find("--"); p != std::string::npos; p = dot.find("--", p + 2)) ++edges;
  std::size_t interfaces = 0;
  for (const auto& n : s.nodes) interfaces += n.interfaces.size();
  CHECK(edges == interfaces);
}

TEST_CASE("names that DOT would misread are quoted") {
  Scenario s = load_text(R"({
    "name": "odd \"name\"",
    "lans": [{"name": "a-b.c"}],
    "nodes": [{"name": "node-1.x", "role": "host", "interfaces": [{"name": "eth0", "lan": "a-b.c", "address": "10.0.0.1/24"}]},
              {"name": "2nd", "role": "host", "interfaces": [{"name": "eth0", "lan": "a-b.c", "address": "10.0.0.2/24"}]}]
  })");
  std::string dot = to_dot(s);
  CHECK(dot.starts_with("graph \"odd \\\"name\\\"\" {"));
  CHECK(dot.find("\"node-1.x\"[") != std::string::npos);
  CHECK(dot.find("\"lan:a-b.c\"[") != std::string::npos);
}
