// The loader turns a valid scenario into plain structs with every default filled in.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/load.hpp"

namespace fs = std::filesystem;
using namespace nlb::runner;
using nlb::sim::Time;
using nlb::wire::Ipv4;
using nlb::wire::Mac;
using nlb::wire::Prefix;

namespace {

const fs::path kSource(NLBSIM_SOURCE_DIR);

Scenario load_ok(const fs::path& p) {
  LoadResult r = load_scenario(p);
  std::string msgs;
  for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

Scenario load_text_ok(const std::string& text) {
  LoadResult r = load_scenario_text(text, "inline.json");
  std::string msgs;
  for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
  INFO(msgs);
  REQUIRE(r.ok());
  return std::move(*r.scenario);
}

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }

}  // namespace

TEST_CASE("a small scenario gets the documented defaults") {
  Scenario s = load_ok(kSource / "tests/runner/good/minimal.json");
  CHECK(s.name == "minimal");  // the file's stem
  CHECK(s.seed == 1);
  CHECK(s.duration == Time::s(30));

  const LanSpec& lan = s.lans[0];
  CHECK(lan.kind == LanKind::Switch);
  CHECK(lan.delay == Time::us(1));
  CHECK(lan.bandwidth_bps == 1'000'000'000);
  CHECK(lan.queue == 1000);
  CHECK(lan.loss == 0.0);
  CHECK(lan.mac_ageing == Time::s(300));

  const NodeSpec& fw1 = s.nodes[s.node_index("fw1")];
  CHECK(fw1.forwarding);
  CHECK_FALSE(fw1.http_server);
  CHECK(fw1.arp.reachable_time == Time::s(30));
  CHECK(fw1.arp.retrans_time == Time::s(1));
  CHECK(fw1.arp.probes == 3);
  CHECK(fw1.arp.queue == 3);
  CHECK_FALSE(fw1.arp.timeout);

  const NodeSpec& srv1 = s.nodes[s.node_index("srv1")];
  CHECK_FALSE(srv1.forwarding);
  REQUIRE(srv1.http_server);  // every server runs one
  CHECK(srv1.http_server->port == 80);
  CHECK(srv1.http_server->service_time.distribution == ServiceDistribution::Exponential);
  CHECK(srv1.http_server->service_time.mean == Time::ms(10));
  CHECK(srv1.http_server->workers == 256);
  CHECK(srv1.http_server->backlog == 511);
  REQUIRE(srv1.loopback.size() == 1);
  CHECK(srv1.loopback[0] == IfAddress{ip("203.0.113.10"), 32});

  const VrrpGroupSpec& g = s.vrrp_groups[1];
  CHECK(g.version == 3);
  CHECK(g.advert_interval == Time::s(1));
  CHECK(g.preempt);
  CHECK_FALSE(g.accept);
  CHECK(g.mode == VrrpMode::Rfc5798);
  CHECK(g.down_timer_adverts == 3);
  CHECK(g.members[1].priority == 100);
  CHECK(g.members[0].interface == "eth1");  // found from the group's LAN
  CHECK(g.members[0].interface_index == 1);

  const BalancerPairSpec& p = s.balancer_pairs[0];
  CHECK(p.heartbeat.interval == Time::ms(500));
  CHECK(p.heartbeat.timeout == Time::s(2));
  CHECK(p.heartbeat.lans == std::vector<std::string>{"ias"});
  CHECK(p.heartbeat.lan_indices == std::vector<std::size_t>{1});
  CHECK(p.recovery == RecoveryPolicy::Auto);
  CHECK_FALSE(p.wait_for_sync);
  CHECK(p.sync.mode == SyncMode::PerConnection);
  CHECK(p.garp_repeat == 1);
  CHECK(p.members[0].node_index == s.node_index("lb1"));
  CHECK(p.members[1].node_index == s.node_index("lb2"));
  CHECK(p.members[0].access_interface == 0);
  CHECK(p.members[0].server_interface == 1);
  CHECK(p.access_lan_index == 1);
  CHECK(p.server_lan_index == 2);

  const ClusterSpec& c = p.clusters[0];
  CHECK(c.name == "203.0.113.10");
  CHECK(c.ports == std::vector<std::uint16_t>{80});
  CHECK(c.scheduler == Scheduler::Manager);
  CHECK(c.manager.proportions.active == 50);
  CHECK(c.manager.proportions.new_connections == 50);
  CHECK(c.manager.proportions.port == 0);
  CHECK(c.manager.proportions.system == 0);
  CHECK(c.manager.interval == Time::s(2));
  CHECK(c.manager.sensitivity == 5.0);
  CHECK(c.manager.smoothing == 1.5);
  CHECK(c.manager.weightbound == 20);
  CHECK(c.advisor.port == 80);  // the cluster's first port
  CHECK(c.servers[0].weight == 10);
  CHECK(c.servers[1].node_index == s.node_index("srv2"));

  const TrafficSpec& t = s.traffic[0];
  CHECK(t.port == 80);
  CHECK(t.arrival == ArrivalProcess::Poisson);
  CHECK(t.rate == 10.0);
  CHECK_FALSE(t.stop);
  CHECK(t.client_indices == std::vector<std::size_t>{0});

  const FaultSpec& f = s.timeline[0];
  CHECK(f.node_index == s.node_index("lb1"));
  CHECK(f.interface_index == kNone);

  const ExpectationSpec& e = s.expectations[0];
  CHECK(e.measure == Measure::ErrorRate);
  CHECK(e.max == 0.01);
  CHECK_FALSE(e.min);
}

TEST_CASE("interfaces without a MAC get 02:00:00:NN:NN:II from their node and interface numbers") {
  Scenario s = load_ok(kSource / "tests/runner/good/minimal.json");
  const NodeSpec& fw1 = s.nodes[1];
  CHECK(fw1.interfaces[0].mac == *Mac::parse("02:00:00:00:02:01"));
  CHECK(fw1.interfaces[2].mac == *Mac::parse("02:00:00:00:02:03"));
  CHECK(fw1.interfaces[2].mac_generated);
}

TEST_CASE("routes resolve their interface from the next hop, and \"default\" is 0.0.0.0/0") {
  Scenario s = load_ok(kSource / "tests/runner/good/minimal.json");
  const RouteSpec& r = s.nodes[s.node_index("srv1")].routes[0];
  CHECK(r.destination == Prefix(Ipv4::any(), 0));
  CHECK(r.via == ip("10.0.2.1"));
  CHECK(r.interface == "eth0");
  CHECK(r.interface_index == 0);
  const RouteSpec& fw = s.nodes[s.node_index("fw1")].routes[0];
  CHECK(fw.destination == Prefix(ip("203.0.113.10"), 32));  // a bare address is a /32
  CHECK(fw.interface == "eth1");
}

TEST_CASE("every kind of field reads its text form") {
  Scenario s = load_text_ok(R"({
    "seed": 42, "duration": "2min",
    "lans": [{"name": "a", "subnet": "10.0.0.0/24", "kind": "shared", "delay": "2.5ms", "bandwidth": "1.5Gbps",
              "queue": 10, "loss": 0.25, "mac_ageing": "1h"}],
    "nodes": [
      {"name": "h1", "role": "host", "forwarding": true,
       "interfaces": [{"name": "eth0", "lan": "a", "address": "10.0.0.1/24", "mac": "02-AA-bb-00-00-01",
                       "aliases": ["10.0.0.9", "10.0.0.10/24"],
                       "port": {"delay": "3ms", "bandwidth": "10Mbps", "queue": 5, "loss_out": 0.5, "loss_in": 0.1}}],
       "arp": {"timeout": "4h", "accept_unsolicited": true, "probes": 5},
       "http_server": {"port": 8080, "service_time": {"distribution": "uniform", "min": "1ms", "max": "3ms"}},
       "filter": {"allow": [{"protocol": "tcp", "ports": [80, 443], "destination": "10.0.0.0/8"}], "default": "accept"}},
      {"name": "h2", "role": "host", "interfaces": [{"name": "eth0", "lan": "a", "address": "10.0.0.2/24"}],
       "routes": [{"to": "192.0.2.0/24", "via": "10.0.0.1"}, {"to": "198.51.100.7", "interface": "eth0"}]}
    ],
    "timeline": [
      {"at": "1s", "action": "set-loss", "node": "h1", "interface": "eth0", "probability": 0.3, "direction": "in"},
      {"at": "2s", "action": "slow-server", "node": "h1", "service_time": {"distribution": "constant", "mean": "50ms"}},
      {"at": "3s", "action": "freeze", "node": "h2", "duration": "500ms"},
      {"at": "4s", "action": "link-down", "lan": "a"}
    ]
  })");
  CHECK(s.seed == 42);
  CHECK(s.duration == Time::min(2));
  const LanSpec& l = s.lans[0];
  CHECK(l.kind == LanKind::Shared);
  CHECK(l.delay == Time::us(2500));
  CHECK(l.bandwidth_bps == 1'500'000'000);
  CHECK(l.mac_ageing == Time::s(3600));
  const NodeSpec& h1 = s.nodes[0];
  CHECK(h1.forwarding);
  const InterfaceSpec& i = h1.interfaces[0];
  CHECK(i.mac == *Mac::parse("02:aa:bb:00:00:01"));
  CHECK_FALSE(i.mac_generated);
  CHECK(i.aliases[0] == IfAddress{ip("10.0.0.9"), 32});
  CHECK(i.aliases[1] == IfAddress{ip("10.0.0.10"), 24});
  CHECK(i.port.delay == Time::ms(3));
  CHECK(i.port.bandwidth_bps == 10'000'000u);
  CHECK(i.port.loss_out == 0.5);
  CHECK(h1.arp.timeout == Time::s(4 * 3600));
  CHECK(h1.arp.accept_unsolicited);
  CHECK(h1.http_server->service_time.min == Time::ms(1));
  CHECK(h1.filter->default_action == FilterAction::Accept);
  CHECK(h1.filter->allow[0].ports == std::vector<std::uint16_t>{80, 443});
  CHECK(s.nodes[1].routes[1].interface_index == 0);
  CHECK_FALSE(s.nodes[1].routes[1].via);
  CHECK(s.timeline[0].name == "set-loss h1/eth0 at 1s");  // generated names
  CHECK(s.timeline[0].direction == LossDirection::In);
  CHECK(s.timeline[0].interface_index == 0);
  CHECK(s.timeline[1].service_time->mean == Time::ms(50));
  CHECK(s.timeline[2].duration == Time::ms(500));
  CHECK(s.timeline[3].lan_index == 0);
}

TEST_CASE("the shipped Figure 2 and Figure 3 scenarios load without a warning") {
  for (const char* f : {"scenarios/figure2-prior-art.json", "scenarios/figure3-single-public-ip.json"}) {
    CAPTURE(f);
    LoadResult r = load_scenario(kSource / f);
    std::string msgs;
    for (const auto& d : r.diagnostics) msgs += d.str() + "\n";
    INFO(msgs);
    REQUIRE(r.ok());
    CHECK(r.diagnostics.empty());
    CHECK(r.scenario->nodes.size() == 29);
    CHECK(r.scenario->files.size() == 2);  // the base and the figure
  }
}

TEST_CASE("Figure 2 and Figure 3 differ in addressing only") {
  Scenario f2 = load_ok(kSource / "scenarios/figure2-prior-art.json");
  Scenario f3 = load_ok(kSource / "scenarios/figure3-single-public-ip.json");
  CHECK(f2.nodes.size() == f3.nodes.size());
  for (std::size_t n = 0; n < f2.nodes.size(); ++n) {
    CHECK(f2.nodes[n].name == f3.nodes[n].name);
    CHECK(f2.nodes[n].role == f3.nodes[n].role);
    CHECK(f2.nodes[n].interfaces.size() == f3.nodes[n].interfaces.size());
  }
  CHECK_FALSE(f2.balancer_pairs[0].nlbs_address);
  CHECK(f3.balancer_pairs[0].nlbs_address == ip("192.168.10.10"));
  const NodeSpec& lb1 = f2.nodes[f2.node_index("lb1")];
  CHECK(lb1.interfaces[0].address == IfAddress{ip("203.0.113.4"), 28});
  CHECK(f3.nodes[f3.node_index("lb1")].interfaces[0].address == IfAddress{ip("192.168.10.4"), 24});
  CHECK(f3.timeline[0].name == "crash-active-balancer");
  CHECK(f3.timeline[0].node_index == f3.node_index("lb1"));
  CHECK(f3.traffic[0].client_indices.size() == 20);
  CHECK(f3.balancer_pairs[0].clusters[0].servers.size() == 4);
}

TEST_CASE("warnings do not stop a scenario from loading") {
  LoadResult r = load_scenario_text(R"({
    "lans": [{"name": "a", "subnet": "10.0.0.0/24"}],
    "nodes": [{"name": "lonely", "role": "balancer", "interfaces": [{"name": "eth0", "lan": "a", "address": "10.0.0.1/24"}]}]
  })",
                                    "w.json");
  REQUIRE(r.ok());
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].severity == Severity::Warning);
  CHECK(r.diagnostics[0].str() ==
        "w.json:/lans/0: warning: only one interface attaches to LAN a: nothing to talk to");
  CHECK(r.diagnostics[1].message.find("in no balancer pair") != std::string::npos);
}

TEST_CASE("form errors are all reported at once") {
  LoadResult r = load_scenario_text(R"({
    "seed": -1, "duration": "soon",
    "lans": [{"name": "a", "loss": 2, "colour": "red"}],
    "nodes": [{"name": "n", "role": "host"}]
  })",
                                    "many.json");
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 4);
  CHECK(r.diagnostics[0].pointer == "/duration");
  CHECK(r.diagnostics[1].pointer == "/lans/0/colour");
  CHECK(r.diagnostics[2].pointer == "/lans/0/loss");
  CHECK(r.diagnostics[3].pointer == "/seed");
}

TEST_CASE("the small scenario shown in docs/scenario-format.md loads") {
  std::ifstream in(kSource / "docs/scenario-format.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string docs = ss.str();
  auto start = docs.find("```json\n", docs.find("## A small scenario"));
  REQUIRE(start != std::string::npos);
  start += 8;
  std::string example = docs.substr(start, docs.find("```", start) - start);
  Scenario s = load_text_ok(example);
  CHECK(s.nodes.size() == 6);
  CHECK(s.balancer_pairs[0].clusters[0].servers.size() == 4);
  CHECK(s.timeline[0].name == "crash lb1 at 10s");
}
