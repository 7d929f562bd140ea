// nlbsim validate SCENARIO: load and check a scenario, print every problem.
#include <memory>

#include "cli/command.hpp"

namespace nlb::cli {

namespace {

std::string summary(const runner::Scenario& s) {
  std::size_t clusters = 0;
  for (const auto& p : s.balancer_pairs) clusters += p.clusters.size();
  auto n = [](std::size_t k, const char* one, const char* many) {
    return std::to_string(k) + " " + (k == 1 ? one : many);
  };
  return n(s.nodes.size(), "node", "nodes") + ", " + n(s.lans.size(), "LAN", "LANs") + ", " +
         n(s.vrrp_groups.size(), "VRRP group", "VRRP groups") + ", " +
         n(s.balancer_pairs.size(), "balancer pair", "balancer pairs") + ", " +
         n(clusters, "cluster", "clusters") + ", " + n(s.traffic.size(), "traffic entry", "traffic entries") +
         ", " + n(s.timeline.size(), "timeline entry", "timeline entries") + ", " +
         n(s.expectations.size(), "expectation", "expectations");
}

}  // namespace

void add_validate_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ScenarioArgs>();
  CLI::App* sub =
      app.add_subcommand("validate", "Check a scenario and print every mistake as FILE:POINTER: message");
  add_scenario_args(*sub, *args);
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto s = load_or_report(*args, ctx);
      if (!s) return static_cast<int>(kBadInput);
      ctx.out << args->path << ": ok (" << summary(*s) << ")\n";
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace nlb::cli
