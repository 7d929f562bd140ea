#include "models/protocols/trace_events.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/trace_bus.hpp"
#include "tests/protocols/ha_pair.hpp"

using namespace nlb::protocols;
using nlb::sim::Time;
using nlb::sim::TraceBus;

TEST_CASE("the glue can publish an HA machine's transitions as trace events, built only when wanted") {
  TraceBus bus;
  BalancerHa ha(test::ha_config(HaRole::Backup, 12));
  // What the node glue does with a machine's actions.
  auto publish = [&bus](Time now, TraceNodeId node, const BalancerHa::Actions& acts) {
    for (const auto& a : acts) {
      if (auto* s = std::get_if<ha::StateChanged>(&a); s && bus.wants<HaStateChanged>())
        bus.publish(HaStateChanged{now, node, s->from, s->to, s->why});
      if (auto* al = std::get_if<ha::AddAlias>(&a); al && bus.wants<AliasChanged>())
        bus.publish(AliasChanged{now, node, 0, al->address, al->prefix_len, true, "became active"});
    }
  };
  publish(Time::zero(), 4, ha.start(Time::zero()));  // nobody listens yet
  std::vector<HaStateChanged> states;
  std::vector<AliasChanged> aliases;
  bus.subscribe<HaStateChanged>([&](const HaStateChanged& e) { states.push_back(e); });
  bus.subscribe<AliasChanged>([&](const AliasChanged& e) { aliases.push_back(e); });
  publish(Time::s(2), 4, ha.poll(Time::s(2)));  // alone: active after the heartbeat timeout
  REQUIRE(states.size() == 1);
  CHECK(states[0].at == Time::s(2));
  CHECK(states[0].node == 4);
  CHECK(states[0].from == HaState::Initial);
  CHECK(states[0].to == HaState::Active);
  CHECK(std::string(states[0].why) == "no peer heartbeat at startup");
  REQUIRE(aliases.size() == 1);
  CHECK(aliases[0].address == nlb::wire::Ipv4(10, 1, 0, 100));
  CHECK(aliases[0].added);
}

TEST_CASE("connection-table operations print as docs/trace-format.md's conn ops") {
  CHECK(std::string(to_string(ConnOp::Add)) == "add");
  CHECK(std::string(to_string(ConnOp::SyncSent)) == "sync");
  CHECK(std::string(to_string(ConnOp::Expire)) == "expire");
}
