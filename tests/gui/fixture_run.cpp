#include "tests/gui/fixture_run.hpp"

#include "runner/load.hpp"
#include "runner/run/run.hpp"

namespace nlb::gui::test {

bool run_with_trace(const std::string& scenario, const std::string& out_dir, std::string& error) {
  runner::LoadResult s = runner::load_scenario(scenario);
  if (!s.ok()) {
    error = scenario + " does not load";
    for (const auto& d : s.diagnostics) error += "\n" + d.str();
    return false;
  }
  run::RunOptions o;
  o.out_dir = out_dir;
  o.trace = true;
  run::RunResult r = run::run_scenario(std::move(*s.scenario), o);
  if (r.exit_code != run::kExitOk) {
    error = scenario + ": the run exited with " + std::to_string(r.exit_code) + " " + r.error;
    return false;
  }
  return true;
}

}  // namespace nlb::gui::test
