#include "runner/sweep/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nlb::sweep {

namespace {

std::string fixed(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// "0.742 s" for one run or equal runs, else "0.742 s [0.521, 0.983]" (mean [min, max]).
std::string spread(const Stat& s, const char* unit, int digits) {
  std::string out = fixed(s.mean, digits) + unit;
  if (s.n > 1 && s.min != s.max) out += " [" + fixed(s.min, digits) + ", " + fixed(s.max, digits) + "]";
  return out;
}

const Stat* find(const AggregateRow& a, const std::string& column) {
  auto it =
      std::find_if(a.measures.begin(), a.measures.end(), [&](const auto& m) { return m.first == column; });
  return it == a.measures.end() || it->second.n == 0 ? nullptr : &it->second;
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string shape_text(const Grid& g) {
  std::string out;
  for (const Axis& a : g.axes)
    out += (out.empty() ? "" : " x ") + a.parameter + " " + std::to_string(a.values.size());
  if (!g.seeds.empty()) out += (out.empty() ? "" : " x ") + plural(g.seeds.size(), "seed");
  return out.empty() ? "one run" : out;
}

// The failover faults' measures of one combination, a line per fault.
void fault_lines(const AggregateRow& a, const Row& first, std::string& out) {
  for (const FaultRow& f : first.faults) {
    if (f.kind != run::FaultMeasure::Failover) continue;
    const std::string p = f.name + ": ";
    std::string line;
    auto add = [&](const char* label, const char* column, const char* unit, int digits) {
      if (const Stat* s = find(a, p + column))
        line += std::string(line.empty() ? "" : ", ") + label + " " + spread(*s, unit, digits);
    };
    add("detection", "detection_s", " s", 3);
    add("recovery", "recovery_s", " s", 3);
    add("ARP update", "arp_update_s", " s", 3);
    const Stat* open = find(a, p + "connections_open");
    const Stat* survived = find(a, p + "connections_survived");
    if (open && survived) {
      const auto total = [](const Stat* s) {
        return static_cast<long long>(std::llround(s->mean * static_cast<double>(s->n)));
      };
      line += std::string(line.empty() ? "" : ", ") + "connections survived " +
              std::to_string(total(survived)) + " of " + std::to_string(total(open));
    }
    if (!line.empty()) out += "  " + f.name + ": " + line + "\n";
  }
}

}  // namespace

std::string values_text(const Grid& g, const std::vector<Json>& values) {
  std::string out;
  for (std::size_t k = 0; k < g.axes.size() && k < values.size(); ++k)
    out += (k ? ", " : "") + g.axes[k].parameter + "=" +
           (values[k].is_string() ? values[k].get<std::string>() : values[k].dump());
  return out.empty() ? "the scenario" : out;
}

std::string summary_text(const Grid& g, const std::vector<Row>& rows, const std::vector<AggregateRow>& agg,
                         const RunShape& shape) {
  std::size_t ok = 0, failed = 0, errors = 0;
  for (const Row& r : rows) {
    ok += r.status == Status::Ok;
    failed += r.status == Status::Failed;
    errors += r.status == Status::Error;
  }
  std::string out =
      "Sweep " + g.name + ": " + plural(rows.size(), "variant") + " of " + g.scenario_text + " (" +
      shape_text(g) + ") in " + fixed(shape.wall_s, 1) + " s, " + plural(shape.jobs, "job") +
      (shape.ranks > 1 ? " x " + plural(static_cast<std::size_t>(shape.ranks), "MPI rank") : "") + "\n";
  out += std::to_string(ok) + " held every expectation, " + std::to_string(failed) + " failed one, " +
         plural(errors, "error") + "\n";
  const std::size_t runs = g.runs_per_combination();
  for (const AggregateRow& a : agg) {
    // The newline apart: `"\n" + values_text(...)` makes GCC 12 at -O3 report a false
    // -Werror=restrict (GCC PR 105329).
    out += '\n';
    out +=
        values_text(g, a.values) + ": " + std::to_string(a.ok) + " of " + std::to_string(a.runs) + " held\n";
    // The faults come from the combination's first run with a report.
    for (std::size_t v = a.combination * runs; v < (a.combination + 1) * runs && v < rows.size(); ++v)
      if (rows[v].status != Status::Error) {
        fault_lines(a, rows[v], out);
        break;
      }
    if (const Stat* e = find(a, "error_rate"); e && e->max > 0)
      out += "  error rate " + spread(*e, "", 4) + "\n";
    for (const auto& [name, held] : a.expectations)
      if (held < a.runs - a.errors)
        out += "  failed in " + std::to_string(a.runs - a.errors - held) + " of " + std::to_string(a.runs) +
               ": " + name + "\n";
    for (std::size_t v = a.combination * runs; v < (a.combination + 1) * runs && v < rows.size(); ++v)
      if (rows[v].status == Status::Error)
        out += "  variant " + std::to_string(v) + " (seed " + std::to_string(rows[v].seed) +
               "): " + rows[v].error + "\n";
  }
  return out;
}

}  // namespace nlb::sweep
