// nlbsim addresses SCENARIO [--json]: the public address audit.
#include <memory>

#include "cli/command.hpp"
#include "runner/addresses.hpp"

namespace nlb::cli {

namespace {

// A public_addresses expectation can be checked without a run: say whether it holds.
std::string expectation_lines(const runner::Scenario& s, std::size_t count) {
  std::string out;
  for (const auto& e : s.expectations) {
    if (e.measure != runner::Measure::PublicAddresses) continue;
    bool holds =
        (!e.min || static_cast<double>(count) >= *e.min) && (!e.max || static_cast<double>(count) <= *e.max);
    out += "expectation \"" + e.name + "\": " + std::to_string(count) + (holds ? " holds" : " FAILS") + "\n";
  }
  return out;
}

}  // namespace

void add_addresses_command(CLI::App& app, Context& ctx) {
  struct Args {
    ScenarioArgs scenario;
    bool json = false;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "addresses", "List every public address the site must own, where it is configured and why");
  add_scenario_args(*sub, args->scenario);
  sub->add_flag("--json", args->json, "print JSON instead of a table");
  sub->add_option("-o,--output", args->output, "write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto s = load_or_report(args->scenario, ctx);
      if (!s) return static_cast<int>(kBadInput);
      runner::AddressAudit audit = runner::audit_public_addresses(*s);
      std::string text = args->json ? runner::audit_json(*s, audit)
                                    : runner::audit_table(*s, audit) + expectation_lines(*s, audit.count());
      return emit_output(args->output, text, ctx);
    };
  });
}

}  // namespace nlb::cli
