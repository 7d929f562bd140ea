#pragma once
// What the invariant and matrix tests share: a shipped scenario, built but not run, with the
// invariant checker attached, so that a test can feed it trace events of its own making.

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "runner/check/invariants.hpp"
#include "runner/run/build.hpp"
#include "runner/run/timeline.hpp"
#include "tests/runner/run_support.hpp"

namespace nlb::check::test {

using run::test::kSource;
using run::test::load_shipped;

// Figure 3 built, nothing booted; the checker sees only what the test publishes.
struct Rig {
  Rig() : s(load_shipped("figure3-single-public-ip")), sim(1) {
    run::BuildResult b = run::build(sim, s);
    REQUIRE(b.built);
    built = std::move(b.built);
    timeline = std::make_unique<run::Timeline>(sim, s, *built);
    checker.attach(view(s.duration));
  }
  run::RunView view(sim::Time end) { return {sim, s, *built, *timeline, end}; }
  link::NodeId id(const std::string& name) const {
    for (std::size_t k = 0; k < s.nodes.size(); ++k)
      if (s.nodes[k].name == name) return static_cast<link::NodeId>(k);
    FAIL("no node " << name);
    return link::kNoNode;
  }
  nodes::Node& node(const std::string& name) { return built->node(id(name)); }
  // Publishes an event as the models would, stamped `t`.
  template <typename E>
  void at(sim::Time t, E e) {
    e.at = t;
    sim.trace().publish(e);
  }
  const CheckResult& finish(sim::Time end) {
    checker.finish(view(end));
    return checker.result();
  }
  std::uint64_t failures(Invariant i) const { return checker.result().failures[static_cast<std::size_t>(i)]; }

  runner::Scenario s;
  sim::Simulation sim;
  std::optional<run::Built> built;
  std::unique_ptr<run::Timeline> timeline;
  InvariantChecker checker;
};

}  // namespace nlb::check::test
