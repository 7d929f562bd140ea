#include "runner/sweep/results.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "runner/sweep/variant.hpp"

namespace nlb::sweep {

using OJson = nlohmann::ordered_json;

std::string status_name(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::Failed:
      return "failed";
    case Status::Error:
      return "error";
  }
  return "error";
}

std::size_t Row::expectations_failed() const {
  return static_cast<std::size_t>(
      std::count_if(expectations.begin(), expectations.end(), [](const auto& e) { return !e.ok; }));
}

namespace {

std::optional<double> seconds(const std::optional<sim::Time>& t) {
  if (!t) return std::nullopt;
  return t->seconds();
}

std::vector<Json> values_of(const Grid& g, std::size_t variant) {
  const Variant v = variant_at(g, variant);
  std::vector<Json> out;
  for (std::size_t k = 0; k < g.axes.size(); ++k) out.push_back(g.axes[k].values[v.values[k]]);
  return out;
}

}  // namespace

Row row_from_report(const Grid& g, std::size_t variant, const run::Report& r) {
  Row row;
  row.variant = variant;
  row.values = values_of(g, variant);
  row.seed = r.seed;
  row.status = r.all_ok() ? Status::Ok : Status::Failed;
  row.public_addresses = r.public_count;
  row.requests_ok = r.ok;
  row.requests_failed = r.failed;
  row.error_rate = r.error_rate();
  if (r.ok > 0) {
    row.latency_p50_s = r.p50.seconds();
    row.latency_p99_s = r.p99.seconds();
  }
  if (!r.servers.empty()) {
    auto [lo, hi] = std::minmax_element(r.servers.begin(), r.servers.end(),
                                        [](const auto& a, const auto& b) { return a.share < b.share; });
    row.share_min = lo->share;
    row.share_max = hi->share;
  }
  row.imbalance = std::isfinite(r.imbalance) ? r.imbalance : 0;
  row.cv = std::isfinite(r.cv) ? r.cv : 0;
  row.events = r.events;
  for (const run::FaultReport& f : r.faults) {
    FaultRow fr;
    fr.name = f.name;
    fr.action = f.action;
    fr.kind = f.kind;
    fr.applied = f.applied;
    fr.detection_s = seconds(f.detection);
    fr.recovery_s = seconds(f.first_datagram);
    fr.arp_update_s = seconds(f.arp_update);
    fr.back_s = seconds(f.back);
    fr.load_shift_s = seconds(f.load_shift);
    fr.datagrams_lost = f.datagrams_lost;
    fr.connections_open = f.connections_open;
    fr.connections_survived = f.connections_completed;
    row.faults.push_back(std::move(fr));
  }
  row.expectations = r.expectations;
  return row;
}

Row error_row(const Grid& g, std::size_t variant, std::uint64_t seed, std::string error) {
  Row row;
  row.variant = variant;
  row.values = values_of(g, variant);
  row.seed = seed;
  row.status = Status::Error;
  row.error = std::move(error);
  return row;
}

std::string axis_column(const Grid& g, std::size_t axis) {
  static constexpr std::string_view kTaken[] = {"variant",
                                                "seed",
                                                "status",
                                                "expectations_failed",
                                                "public_addresses",
                                                "requests_ok",
                                                "requests_failed",
                                                "error_rate",
                                                "latency_p50_s",
                                                "latency_p99_s",
                                                "share_min",
                                                "share_max",
                                                "imbalance",
                                                "cv",
                                                "events",
                                                "error",
                                                "runs",
                                                "ok",
                                                "failed",
                                                "errors"};
  const std::string& p = g.axes[axis].parameter;
  const bool taken = std::find(std::begin(kTaken), std::end(kTaken), p) != std::end(kTaken);
  return taken ? "parameter " + p : p;
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

OJson opt(const std::optional<double>& x) { return x ? OJson(*x) : OJson(nullptr); }

const char* kind_name(run::FaultMeasure k) {
  switch (k) {
    case run::FaultMeasure::Failover:
      return "failover";
    case run::FaultMeasure::Shift:
      return "shift";
    case run::FaultMeasure::Restore:
      return "restore";
  }
  return "restore";
}

// The measured fields of a fault and of a row, by name: row_json writes them and row_from_json
// reads them back through the same lists, so the two cannot drift apart.
template <typename F, typename Fn>
void fault_fields(F& f, Fn&& field) {
  switch (f.kind) {
    case run::FaultMeasure::Failover:
      field("detection_s", f.detection_s);
      field("recovery_s", f.recovery_s);
      field("arp_update_s", f.arp_update_s);
      field("datagrams_lost", f.datagrams_lost);
      field("connections_open", f.connections_open);
      field("connections_survived", f.connections_survived);
      break;
    case run::FaultMeasure::Restore:
      field("back_s", f.back_s);
      break;
    case run::FaultMeasure::Shift:
      field("load_shift_s", f.load_shift_s);
      break;
  }
}

template <typename R, typename Fn>
void row_fields(R& r, Fn&& field) {
  field("public_addresses", r.public_addresses);
  field("requests_ok", r.requests_ok);
  field("requests_failed", r.requests_failed);
  field("error_rate", r.error_rate);
  field("latency_p50_s", r.latency_p50_s);
  field("latency_p99_s", r.latency_p99_s);
  field("share_min", r.share_min);
  field("share_max", r.share_max);
  field("imbalance", r.imbalance);
  field("cv", r.cv);
  field("events", r.events);
}

template <typename T>
OJson value_json(const T& v) {
  if constexpr (std::is_same_v<T, std::optional<double>>)
    return opt(v);
  else
    return OJson(v);
}

OJson fault_json(const FaultRow& f) {
  OJson j = {{"name", f.name}, {"action", f.action}, {"measure", kind_name(f.kind)}, {"applied", f.applied}};
  fault_fields(f, [&j](const char* key, const auto& v) { j[key] = value_json(v); });
  if (f.kind == run::FaultMeasure::Failover)
    j["connections_lost"] = f.connections_open - f.connections_survived;
  return j;
}

// Reading back what row_json wrote: every key must be there with its type.
class JsonIn {
 public:
  explicit JsonIn(const OJson& j) : j_(j) {}
  bool ok() const { return ok_; }
  const OJson& at(const char* key) {
    static const OJson null;
    auto it = j_.find(key);
    if (it == j_.end()) {
      ok_ = false;
      return null;
    }
    return *it;
  }
  template <typename T>
  void get(const char* key, T& out) {
    const OJson& v = at(key);
    if constexpr (std::is_same_v<T, std::string>) {
      if (v.is_string()) return void(out = v.get<std::string>());
    } else if constexpr (std::is_same_v<T, bool>) {
      if (v.is_boolean()) return void(out = v.get<bool>());
    } else if constexpr (std::is_floating_point_v<T>) {
      if (v.is_number()) return void(out = v.get<T>());
    } else {
      if (v.is_number_unsigned()) return void(out = v.get<T>());
    }
    ok_ = false;
  }
  void get(const char* key, std::optional<double>& out) {
    const OJson& v = at(key);
    if (v.is_null()) return void(out.reset());
    if (v.is_number()) return void(out = v.get<double>());
    ok_ = false;
  }

 private:
  const OJson& j_;
  bool ok_ = true;
};

bool fault_from_json(const OJson& j, FaultRow& f) {
  if (!j.is_object()) return false;
  JsonIn in(j);
  std::string kind;
  in.get("name", f.name);
  in.get("action", f.action);
  in.get("measure", kind);
  in.get("applied", f.applied);
  if (kind == "failover")
    f.kind = run::FaultMeasure::Failover;
  else if (kind == "restore")
    f.kind = run::FaultMeasure::Restore;
  else if (kind == "shift")
    f.kind = run::FaultMeasure::Shift;
  else
    return false;
  fault_fields(f, [&in](const char* key, auto& v) { in.get(key, v); });
  return in.ok();
}

}  // namespace

OJson row_json(const Grid& g, const Row& r) {
  OJson params = OJson::object();
  for (std::size_t k = 0; k < g.axes.size() && k < r.values.size(); ++k)
    params[g.axes[k].parameter] = OJson(r.values[k]);
  OJson j = {
      {"variant", r.variant}, {"parameters", params}, {"seed", r.seed}, {"status", status_name(r.status)}};
  if (r.status == Status::Error) {
    j["error"] = r.error;
    return j;
  }
  row_fields(r, [&j](const char* key, const auto& v) { j[key] = value_json(v); });
  OJson faults = OJson::array();
  for (const FaultRow& f : r.faults) faults.push_back(fault_json(f));
  j["faults"] = std::move(faults);
  OJson ex = OJson::array();
  for (const auto& e : r.expectations)
    ex.push_back({{"name", e.name},
                  {"measure", e.measure},
                  {"bound", e.bound},
                  {"measured", e.measured},
                  {"ok", e.ok}});
  j["expectations"] = std::move(ex);
  return j;
}

bool row_from_json(const Grid& g, const OJson& j, Row& out) {
  if (!j.is_object()) return false;
  JsonIn in(j);
  Row r;
  std::string status;
  in.get("variant", r.variant);
  in.get("seed", r.seed);
  in.get("status", status);
  if (!in.ok() || r.variant >= g.variants()) return false;
  r.values = values_of(g, r.variant);
  if (status == "error") {
    r.status = Status::Error;
    in.get("error", r.error);
    if (!in.ok()) return false;
    out = std::move(r);
    return true;
  }
  if (status != "ok" && status != "failed") return false;
  r.status = status == "ok" ? Status::Ok : Status::Failed;
  row_fields(r, [&in](const char* key, auto& v) { in.get(key, v); });
  const OJson& faults = in.at("faults");
  const OJson& ex = in.at("expectations");
  if (!in.ok() || !faults.is_array() || !ex.is_array()) return false;
  for (const OJson& f : faults) {
    FaultRow fr;
    if (!fault_from_json(f, fr)) return false;
    r.faults.push_back(std::move(fr));
  }
  for (const OJson& e : ex) {
    if (!e.is_object()) return false;
    JsonIn ein(e);
    run::ExpectationResult x;
    ein.get("name", x.name);
    ein.get("measure", x.measure);
    ein.get("bound", x.bound);
    ein.get("measured", x.measured);
    ein.get("ok", x.ok);
    if (!ein.ok()) return false;
    r.expectations.push_back(std::move(x));
  }
  out = std::move(r);
  return true;
}

// ---- flat columns -----------------------------------------------------------------------------

namespace {

// One cell of a row's flat form; `numeric` cells are aggregated over seeds.
struct Cell {
  std::string column;
  OJson value;  // null: not measured
  bool numeric = false;
};

// The columns after the axes and the seed, in order; the row's faults and expectations by name.
std::vector<Cell> measure_cells(const Row& r) {
  std::vector<Cell> c;
  auto num = [&](std::string col, OJson v) { c.push_back({std::move(col), std::move(v), true}); };
  c.push_back({"status", status_name(r.status), false});
  if (r.status == Status::Error) return c;  // no report: no measures
  num("expectations_failed", r.expectations_failed());
  row_fields(r, [&num](const char* key, const auto& v) { num(key, value_json(v)); });
  for (const FaultRow& f : r.faults) {
    const std::string p = f.name + ": ";
    fault_fields(f, [&num, &p](const char* key, const auto& v) { num(p + key, value_json(v)); });
    if (f.kind == run::FaultMeasure::Failover)
      num(p + "connections_lost", f.connections_open - f.connections_survived);
  }
  for (const auto& e : r.expectations) c.push_back({"expect: " + e.name, e.ok ? "held" : "FAILED", false});
  return c;
}

// Column names in first-seen order over the rows (variants differ when a parameter changes
// the timeline or the expectations).
std::vector<std::string> union_columns(const std::vector<std::vector<Cell>>& cells) {
  std::vector<std::string> cols;
  std::map<std::string, bool> seen;
  for (const auto& row : cells)
    for (const Cell& c : row)
      if (!seen[c.column]) {
        seen[c.column] = true;
        cols.push_back(c.column);
      }
  return cols;
}

std::string cell_text(const OJson& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<std::string> axis_texts(const std::vector<Json>& values) {
  std::vector<std::string> out;
  for (const Json& v : values) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

}  // namespace

std::string Table::csv() const {
  std::string out;
  auto line = [&out](const std::vector<std::string>& cells) {
    // Piecewise: `"," + csv_field(...)` makes GCC 12 at -O3 report a false -Werror=restrict
    // (GCC PR 105329).
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_field(cells[i]);
    }
    out += "\n";
  };
  line(columns);
  for (const auto& r : rows) line(r);
  return out;
}

Table results_table(const Grid& g, const std::vector<Row>& rows) {
  std::vector<std::vector<Cell>> cells;
  for (const Row& r : rows) cells.push_back(measure_cells(r));
  Table t;
  t.columns.push_back("variant");
  for (std::size_t k = 0; k < g.axes.size(); ++k) t.columns.push_back(axis_column(g, k));
  t.columns.push_back("seed");
  const std::vector<std::string> measures = union_columns(cells);
  t.columns.insert(t.columns.end(), measures.begin(), measures.end());
  t.columns.push_back("error");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> line{std::to_string(rows[i].variant)};
    for (std::string& v : axis_texts(rows[i].values)) line.push_back(std::move(v));
    line.push_back(std::to_string(rows[i].seed));
    for (const std::string& col : measures) {
      auto it =
          std::find_if(cells[i].begin(), cells[i].end(), [&](const Cell& c) { return c.column == col; });
      line.push_back(it == cells[i].end() ? "" : cell_text(it->value));
    }
    line.push_back(rows[i].error);
    t.rows.push_back(std::move(line));
  }
  return t;
}

// ---- aggregate ----------------------------------------------------------------------------------

std::vector<AggregateRow> aggregate(const Grid& g, const std::vector<Row>& rows) {
  std::vector<AggregateRow> out;
  const std::size_t runs = g.runs_per_combination();
  for (const Row& r : rows) {
    const std::size_t c = r.variant / runs;
    if (out.empty() || out.back().combination != c) {
      out.emplace_back();
      out.back().combination = c;
      out.back().values = r.values;
    }
    AggregateRow& a = out.back();
    ++a.runs;
    a.ok += r.status == Status::Ok;
    a.failed += r.status == Status::Failed;
    a.errors += r.status == Status::Error;
    for (const Cell& cell : measure_cells(r)) {
      if (cell.column.starts_with("expect: ")) {
        const std::string name = cell.column.substr(8);
        auto it = std::find_if(a.expectations.begin(), a.expectations.end(),
                               [&](const auto& e) { return e.first == name; });
        if (it == a.expectations.end()) it = a.expectations.insert(a.expectations.end(), {name, 0});
        it->second += cell.value == "held";
        continue;
      }
      if (!cell.numeric) continue;
      auto it = std::find_if(a.measures.begin(), a.measures.end(),
                             [&](const auto& m) { return m.first == cell.column; });
      if (it == a.measures.end()) it = a.measures.insert(a.measures.end(), {cell.column, Stat{}});
      if (cell.value.is_null()) continue;
      const double x = cell.value.get<double>();
      Stat& s = it->second;
      s.min = s.n == 0 ? x : std::min(s.min, x);
      s.max = s.n == 0 ? x : std::max(s.max, x);
      s.mean += x;  // a sum until the end
      ++s.n;
    }
  }
  for (AggregateRow& a : out)
    for (auto& [name, s] : a.measures)
      if (s.n > 0) s.mean /= static_cast<double>(s.n);
  return out;
}

Table aggregate_table(const Grid& g, const std::vector<AggregateRow>& rows) {
  Table t;
  for (std::size_t k = 0; k < g.axes.size(); ++k) t.columns.push_back(axis_column(g, k));
  for (const char* c : {"runs", "ok", "failed", "errors"}) t.columns.push_back(c);
  std::vector<std::string> measures, expectations;
  for (const AggregateRow& a : rows) {
    for (const auto& [name, s] : a.measures)
      if (std::find(measures.begin(), measures.end(), name) == measures.end()) measures.push_back(name);
    for (const auto& [name, n] : a.expectations)
      if (std::find(expectations.begin(), expectations.end(), name) == expectations.end())
        expectations.push_back(name);
  }
  for (const std::string& m : measures)
    for (const char* s : {" mean", " min", " max"}) t.columns.push_back(m + s);
  for (const std::string& e : expectations) t.columns.push_back("expect: " + e + " held");
  for (const AggregateRow& a : rows) {
    std::vector<std::string> line = axis_texts(a.values);
    for (std::size_t n : {a.runs, a.ok, a.failed, a.errors}) line.push_back(std::to_string(n));
    for (const std::string& m : measures) {
      auto it =
          std::find_if(a.measures.begin(), a.measures.end(), [&](const auto& x) { return x.first == m; });
      const bool have = it != a.measures.end() && it->second.n > 0;
      for (double Stat::*f : {&Stat::mean, &Stat::min, &Stat::max})
        line.push_back(have ? OJson(it->second.*f).dump() : "");
    }
    for (const std::string& e : expectations) {
      auto it = std::find_if(a.expectations.begin(), a.expectations.end(),
                             [&](const auto& x) { return x.first == e; });
      line.push_back(it == a.expectations.end() ? "" : std::to_string(it->second));
    }
    t.rows.push_back(std::move(line));
  }
  return t;
}

std::string results_json(const Grid& g, const std::vector<Row>& rows, const std::vector<AggregateRow>& agg) {
  OJson axes = OJson::array();
  for (const Axis& a : g.axes) {
    OJson values = OJson::array();
    for (const Json& v : a.values) values.push_back(OJson(v));
    axes.push_back({{"parameter", a.parameter}, {"values", std::move(values)}});
  }
  std::size_t ok = 0, failed = 0, errors = 0;
  OJson jrows = OJson::array();
  for (const Row& r : rows) {
    ok += r.status == Status::Ok;
    failed += r.status == Status::Failed;
    errors += r.status == Status::Error;
    jrows.push_back(row_json(g, r));
  }
  OJson jagg = OJson::array();
  for (const AggregateRow& a : agg) {
    OJson params = OJson::object();
    for (std::size_t k = 0; k < g.axes.size(); ++k) params[g.axes[k].parameter] = OJson(a.values[k]);
    OJson measures = OJson::object();
    for (const auto& [name, s] : a.measures)
      measures[name] =
          s.n == 0 ? OJson{{"n", 0}} : OJson{{"n", s.n}, {"mean", s.mean}, {"min", s.min}, {"max", s.max}};
    OJson held = OJson::object();
    for (const auto& [name, n] : a.expectations) held[name] = n;
    jagg.push_back({{"parameters", std::move(params)},
                    {"runs", a.runs},
                    {"ok", a.ok},
                    {"failed", a.failed},
                    {"errors", a.errors},
                    {"measures", std::move(measures)},
                    {"expectations_held", std::move(held)}});
  }
  OJson j = {{"grid", g.name},
             {"description", g.description},
             {"scenario", g.scenario_text},
             {"axes", std::move(axes)},
             {"seeds", g.seeds.empty() ? OJson(nullptr) : OJson(g.seeds)},
             {"until", g.until ? OJson(g.until->str()) : OJson(nullptr)},
             {"variants", rows.size()},
             {"ok", ok},
             {"failed", failed},
             {"errors", errors},
             {"rows", std::move(jrows)},
             {"aggregate", std::move(jagg)}};
  return j.dump(2) + "\n";
}

}  // namespace nlb::sweep
