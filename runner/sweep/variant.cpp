#include "runner/sweep/variant.hpp"

#include "runner/run/build.hpp"
#include "runner/text.hpp"

namespace nlb::sweep {

Variant variant_at(const Grid& g, std::size_t index) {
  Variant v;
  v.index = index;
  const std::size_t runs = g.runs_per_combination();
  if (!g.seeds.empty()) v.seed = g.seeds[index % runs];
  v.combination = index / runs;
  v.values.resize(g.axes.size());
  std::size_t rest = v.combination;
  for (std::size_t k = g.axes.size(); k-- > 0;) {
    v.values[k] = rest % g.axes[k].values.size();
    rest /= g.axes[k].values.size();
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> parameter_overrides(const Grid& g, const Variant& v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t k = 0; k < g.axes.size(); ++k)
    out.emplace_back(g.axes[k].parameter, g.axes[k].values[v.values[k]].dump());
  return out;
}

std::string describe_values(const Grid& g, const Variant& v) {
  std::string out;
  for (std::size_t k = 0; k < g.axes.size(); ++k)
    out += (k ? ", " : "") + g.axes[k].parameter + "=" + g.axes[k].values[v.values[k]].dump();
  return out.empty() ? "no parameters" : out;
}

std::vector<std::size_t> rank_share(std::size_t count, int rank, int size) {
  std::vector<std::size_t> out;
  if (size <= 0 || rank < 0 || rank >= size) return out;
  for (std::size_t i = static_cast<std::size_t>(rank); i < count; i += static_cast<std::size_t>(size))
    out.push_back(i);
  return out;
}

runner::LoadResult load_variant(const Grid& g, const Variant& v, bool check_topology) {
  runner::LoadOptions o;
  o.parameters = parameter_overrides(g, v);
  o.check_topology = check_topology;
  return runner::load_scenario(g.scenario, o);
}

std::string CombinationError::text() const {
  std::string out = at.str() + "\n";
  for (const auto& d : scenario) out += "  " + d.str() + "\n";
  return out;
}

namespace {

// The loader reports an override of a parameter the scenario does not declare as
// "--set NAME: no parameter ..." about the whole file; in a grid that mistake is the axis's.
std::optional<CombinationError> unknown_parameter(const Grid& g, const runner::Diagnostics& ds) {
  for (const auto& d : ds) {
    if (!d.pointer.empty()) continue;
    for (std::size_t k = 0; k < g.axes.size(); ++k) {
      const std::string prefix = "--set " + g.axes[k].parameter + ": ";
      if (!d.message.starts_with(prefix)) continue;
      CombinationError e;
      e.at = {runner::Severity::Error, g.file,
              runner::pointer_join(runner::pointer_join("/axes", k), "parameter"),
              d.message.substr(prefix.size())};
      return e;
    }
  }
  return std::nullopt;
}

CombinationError scenario_error(const Grid& g, const Variant& v, runner::Diagnostics ds, const char* what) {
  CombinationError e;
  e.at.file = g.file;
  if (g.axes.empty()) {
    e.at.pointer = "/scenario";
    e.at.message = std::string("the scenario ") + what + ":";
  } else {
    e.at.pointer = g.axes.size() == 1 ? "/axes/0/values/" + std::to_string(v.values[0]) : "/axes";
    e.at.message = "with " + describe_values(g, v) + " the scenario " + what + ":";
  }
  for (auto& d : ds)
    if (d.severity == runner::Severity::Error) e.scenario.push_back(std::move(d));
  return e;
}

}  // namespace

std::optional<CombinationError> check_combination(const Grid& g, std::size_t combination) {
  const Variant v = combination_at(g, combination);
  runner::LoadResult r = load_variant(g, v);
  if (!r.ok()) {
    if (auto e = unknown_parameter(g, r.diagnostics)) return e;
    return scenario_error(g, v, std::move(r.diagnostics), "has errors");
  }
  // What the builder does not support yet is found now, not after hours of other variants.
  sim::Simulation sim(v.seed.value_or(r.scenario->seed));
  run::BuildResult b = run::build(sim, *r.scenario);
  if (!b.built) return scenario_error(g, v, std::move(b.diagnostics), "cannot be built");
  return std::nullopt;
}

}  // namespace nlb::sweep
