// The timeline's actions act on the built network, and what the builder cannot do is an error
// naming the scenario's JSON pointer.
#include <nlohmann/json.hpp>

#include "runner/run/build.hpp"
#include "runner/run/timeline.hpp"
#include "tests/runner/run_support.hpp"

namespace nlb::run {
namespace {

using runner::FaultAction;
using runner::FaultSpec;
using sim::Time;
using test::load_shipped;

FaultSpec fault(const runner::Scenario& s, const char* name, Time at, FaultAction a, const char* node = "",
                const char* iface = "") {
  FaultSpec f;
  f.name = name;
  f.at = at;
  f.action = a;
  f.node = node;
  f.interface = iface;
  if (*node) f.node_index = s.node_index(node);
  if (*iface) f.interface_index = s.nodes[f.node_index].interface_named(iface);
  return f;
}

const FaultReport& by_name(const Report& r, const std::string& name) {
  for (const FaultReport& f : r.faults)
    if (f.name == name) return f;
  FAIL("no fault " << name);
  return r.faults.front();
}

TEST_CASE("every timeline action applies, publishes a fault line and is measured") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  s.timeline.clear();
  s.expectations.clear();
  // Manual recovery: the operator's takeover sticks (with auto recovery the primary would take
  // the address back at once).
  s.balancer_pairs[0].recovery = runner::RecoveryPolicy::Manual;
  // A manager that weighs active connections and the advisor's response time (not new
  // connections, which pull back toward equal shares), probing every 2 s: a slowed server
  // loses load within a few updates.
  runner::ClusterSpec& web = s.balancer_pairs[0].clusters[0];
  web.manager.proportions = {70, 0, 30, 0};
  web.advisor.interval = Time::s(2);
  FaultSpec takeover = fault(s, "takeover", Time::s(8), FaultAction::AdminTakeover);
  takeover.pair = "nlb";
  takeover.pair_index = 0;
  s.timeline.push_back(takeover);
  // lb2, active since the takeover, loses its access link: it can no longer reach the
  // firewalls' address (its reach target) while lb1 can, so lb1 takes over again.
  s.timeline.push_back(fault(s, "lb2-access-down", Time::s(14), FaultAction::LinkDown, "lb2", "eth0"));
  s.timeline.push_back(fault(s, "lb2-access-up", Time::s(24), FaultAction::LinkUp, "lb2", "eth0"));
  FaultSpec freeze = fault(s, "freeze-srv1", Time::s(26), FaultAction::Freeze, "srv1");
  freeze.duration = Time::s(3);
  s.timeline.push_back(freeze);
  FaultSpec loss = fault(s, "lossy-servers", Time::s(31), FaultAction::SetLoss);
  loss.lan = "servers";
  loss.lan_index = s.lan_index("servers");
  loss.probability = 0.02;
  s.timeline.push_back(loss);
  FaultSpec slow = fault(s, "slow-srv2", Time::s(33), FaultAction::SlowServer, "srv2");
  slow.service_time = runner::ServiceTimeSpec{runner::ServiceDistribution::Constant, Time::ms(400), {}, {}};
  s.timeline.push_back(slow);

  const auto dir = test::fresh_dir("timeline");
  RunOptions o;
  o.out_dir = dir;
  o.until = Time::s(45);
  o.trace = true;
  RunResult r = run_scenario(s, o);
  INFO(test::diagnostics_text(r));
  REQUIRE(r.report);
  const Report& rep = *r.report;
  for (const FaultReport& f : rep.faults) CHECK(f.applied);

  // The operator's takeover: lb2 active at once, the firewalls follow its gratuitous ARP.
  const FaultReport& t = by_name(rep, "takeover");
  REQUIRE(t.detection);
  CHECK(*t.detection < Time::ms(10));
  REQUIRE(t.arp_update);
  CHECK(*t.arp_update < Time::ms(10));
  CHECK(t.survival() == doctest::Approx(1.0));
  // The access link down: lb1 takes over once reach says lb2 is worse off (one ping interval).
  const FaultReport& down = by_name(rep, "lb2-access-down");
  REQUIRE(down.detection);
  CHECK(*down.detection <= Time::s(2));
  REQUIRE(down.first_datagram);
  // A slowed server: the manager moves load off it.
  const FaultReport& sl = by_name(rep, "slow-srv2");
  CHECK(sl.kind == FaultMeasure::Shift);
  CHECK(sl.share_before > 0.1);
  REQUIRE(sl.load_shift.has_value());
  CHECK(*sl.load_shift < Time::s(8));

  // The trace has one fault line per action, and one more when the freeze ends.
  std::ifstream in(dir / kTraceFile);
  std::string line;
  std::vector<std::string> actions;
  while (std::getline(in, line)) {
    if (line.find("\"ev\":\"fault\"") == std::string::npos) continue;
    actions.push_back(nlohmann::json::parse(line)["action"]);
  }
  CHECK(actions == std::vector<std::string>{"admin-takeover", "link-down", "link-up", "freeze", "resume",
                                            "set-loss", "slow-server"});
}

TEST_CASE("what the models cannot do yet is an error at its JSON pointer, all of them at once") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  const std::size_t c1 = s.node_index("client1"), lb1 = s.node_index("lb1");
  s.nodes[c1].http_server = runner::HttpServerSpec{};
  s.nodes[lb1].vrrp_garp_send_time = Time::ms(1);  // a balancer runs no VRRP daemon
  s.vrrp_groups[0].garp_master_repeat = 2;         // keepalived settings in an rfc5798 group
  s.vrrp_groups[0].higher_prio_send_advert = true;
  s.vrrp_groups[0].garp_interval = Time::ms(10);
  s.balancer_pairs[0].sync.batch_max = 100;  // more than one sync message holds
  s.balancer_pairs[0].clusters[0].advisor.kind = runner::AdvisorKind::Ping;
  s.traffic[0].think_time = Time::ms(100);

  RunResult r = run_scenario(s, RunOptions{});
  CHECK(r.exit_code == kExitBadInput);
  std::vector<std::string> pointers;
  for (const auto& d : r.diagnostics) pointers.push_back(d.pointer);
  const std::vector<std::string> expected{
      "/balancer_pairs/0/clusters/0/advisor/kind",
      "/balancer_pairs/0/sync/batch_max",
      "/nodes/" + std::to_string(c1) + "/http_server",
      "/nodes/" + std::to_string(lb1) + "/vrrp_garp_send_time",
      "/traffic/0/think_time",
      "/vrrp_groups/0/garp_interval",
      "/vrrp_groups/0/garp_master_repeat",
      "/vrrp_groups/0/higher_prio_send_advert",
  };
  CHECK(pointers == expected);
  for (const auto& d : r.diagnostics) CHECK(d.file == s.file);
}

TEST_CASE("set-loss on one direction of a cable changes that direction only") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  s.timeline.clear();
  s.expectations.clear();
  FaultSpec out = fault(s, "srv1-out", Time::s(2), FaultAction::SetLoss, "srv1", "eth0");
  out.probability = 0.25;
  out.direction = runner::LossDirection::Out;
  FaultSpec in = fault(s, "srv2-in", Time::s(2), FaultAction::SetLoss, "srv2", "eth0");
  in.probability = 0.5;
  in.direction = runner::LossDirection::In;
  s.timeline = {out, in};
  sim::Simulation sim(1);
  BuildResult b = build(sim, s);
  REQUIRE(b.built);
  Timeline t(sim, s, *b.built);
  t.schedule();
  b.built->boot();
  sim.run_until(Time::s(3));
  auto link_of = [&](const char* name) {
    const link::Device& d = b.built->nodes[s.node_index(name)]->device(0);
    return d.lan()->link_config(d.port());
  };
  CHECK(link_of("srv1").loss_out == 0.25);
  CHECK(link_of("srv1").loss_in == 0.0);
  CHECK(link_of("srv2").loss_out == 0.0);
  CHECK(link_of("srv2").loss_in == 0.5);
}

TEST_CASE("the failure settings of issue #10 reach the models") {
  runner::Scenario s = load_shipped("figure3-single-public-ip");
  const std::size_t fw1 = s.node_index("fw1"), c1 = s.node_index("client1");
  s.nodes[fw1].arp.timeout = Time::min(240);
  s.nodes[fw1].arp.gratuitous = runner::GratuitousPolicy::RequestsOnly;
  s.nodes[fw1].arp.accept_unsolicited = true;
  s.nodes[fw1].vrrp_garp_send_time = Time::ms(8);
  s.nodes[c1].interfaces[0].port.loss_in = 0.1;  // loss_out stays the LAN's 0
  runner::VrrpGroupSpec& g = s.vrrp_groups[0];
  g.mode = runner::VrrpMode::Keepalived;
  g.garp_master_repeat = 3;
  g.garp_interval = Time::ms(10);
  g.higher_prio_send_advert = true;
  g.garp_lower_prio_delay = Time::zero();
  g.down_timer_adverts = 5;
  runner::BalancerPairSpec& p = s.balancer_pairs[0];
  p.garp_refresh = Time::s(30);
  p.garp_on_peer_return = false;
  p.preempt_delay = Time::s(7);
  p.sync_wait_limit = Time::s(9);
  p.sync.bulk_rate = 1200;
  sim::Simulation sim(1);
  BuildResult b = build(sim, s);
  for (const auto& d : b.diagnostics) INFO(d.str());
  REQUIRE(b.built);
  auto& fw = static_cast<nodes::Firewall&>(*b.built->nodes[fw1]);
  const net::ArpConfig& arp = fw.arp(0).config();
  CHECK(arp.fixed_lifetime == Time::min(240));
  CHECK(arp.gratuitous == net::GratuitousArp::RequestsOnly);
  CHECK(arp.accept_unsolicited);
  CHECK(fw.vrrp_daemon().config().garp_send_time == Time::ms(8));
  const auto& k = fw.vrrp_group(0).config().keepalived;
  CHECK(k.garp_master_repeat == 3);
  CHECK(k.garp_lower_prio_repeat == 3);  // keepalived: the master value when unset
  CHECK(k.garp_lower_prio_delay == Time::zero());
  CHECK(k.garp_interval == Time::ms(10));
  CHECK(k.higher_prio_send_advert);
  CHECK(k.down_timer_adverts == 5);
  const link::Device& nic = b.built->nodes[c1]->device(0);
  CHECK(nic.lan()->link_config(nic.port()).loss_in == 0.1);
  CHECK(nic.lan()->link_config(nic.port()).loss_out == 0.0);
  const nodes::BalancerConfig& bc = b.built->pairs[0].members[0]->config();
  CHECK(bc.ha.garp_refresh == Time::s(30));
  CHECK_FALSE(bc.ha.regarp_after_split_brain);
  CHECK(bc.ha.preempt_delay == Time::s(7));
  CHECK(bc.ha.sync_wait_limit == Time::s(9));
  CHECK(bc.sync.bulk_rate == 1200);
}

}  // namespace
}  // namespace nlb::run
