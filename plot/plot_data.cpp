#include "plot/plot_data.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runner/explain/explain.hpp"

namespace nlb::plot {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

bool number(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

bool read_file(const fs::path& p, std::string& out, std::string& error) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    error = p.string() + ": cannot open";
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::string fault_target(const Json& f) {
  for (const char* key : {"node", "pair", "lan"})
    if (f.contains(key) && f[key].is_string()) return f[key].get<std::string>();
  return "";
}

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

bool read_report(const std::string& text, PlotData& out, std::string& error) {
  Json r = Json::parse(text, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("faults") || !r["faults"].is_array()) {
    error = "not a report.json (no \"faults\" array)";
    return false;
  }
  out.scenario = r.value("scenario", "");
  out.end_s = seconds(r.value("duration_ns", std::int64_t{0}));
  for (const Json& f : r["faults"]) {
    if (!f.is_object() || !f.value("applied", false)) continue;
    const double at = seconds(f.value("at_ns", std::int64_t{0}));
    const std::string action = f.value("action", "");
    const bool restore = action == "recover" || action == "start" || action == "link-up";
    out.markers.push_back({at, action + " " + fault_target(f), restore ? Marker::Restore : Marker::Fault});
    if (f.contains("detection_ns") && f["detection_ns"].is_number_integer())
      out.markers.push_back(
          {at + seconds(f["detection_ns"].get<std::int64_t>()), "takeover", Marker::Takeover});
  }
  return true;
}

// With a trace: the takeovers as they happened (which node became active or master), and the
// outages nlbsim explain finds.
bool read_trace(const fs::path& path, PlotData& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  auto index = explain::read_trace(in, path.string(), error);
  if (!index) return false;
  out.traced = true;
  double first_fault = out.end_s;
  for (const Marker& m : out.markers)
    if (m.kind == Marker::Fault) first_fault = std::min(first_fault, m.t);
  std::erase_if(out.markers, [](const Marker& m) { return m.kind == Marker::Takeover; });
  double last_t = -1;
  std::string last_node;
  for (const explain::StateLine& s : index->states) {
    const bool takeover =
        (s.machine == "ha" && s.to == "active") || (s.machine.rfind("vrrp/", 0) == 0 && s.to == "master");
    const double t = s.t.seconds();
    if (!takeover || t < first_fault) continue;
    const std::string node = index->nodes.at(s.node).name;
    if (t == last_t && node == last_node) continue;  // one marker for a router's groups at once
    last_t = t;
    last_node = node;
    out.markers.push_back({t, node + (s.machine == "ha" ? " active" : " master"), Marker::Takeover});
  }
  // The ends of faults with a duration are in the trace only (resume, heartbeat-restored).
  for (const explain::FaultLine& f : index->faults)
    if (!f.of.empty())
      out.markers.push_back(
          {f.t.seconds(), f.action + " " + (f.pair.empty() ? f.node : f.pair), Marker::Restore});
  const explain::Explanation e = explain::explain(*index);
  for (const explain::Outage& o : e.outages)
    out.outages.push_back({o.start.seconds(), o.end.value_or(e.end).seconds(),
                           "outage " + std::to_string(o.number), !o.end.has_value()});
  return true;
}

}  // namespace

const Series* Metrics::column(const std::string& name) const {
  for (const Series& s : columns)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<const Series*> Metrics::servers() const {
  std::vector<const Series*> out;
  for (const Series& s : columns)
    if (s.name.rfind("active:", 0) == 0) out.push_back(&s);
  return out;
}

bool parse_metrics(const std::string& text, Metrics& out, std::string& error) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) {
    error = "empty";
    return false;
  }
  const std::vector<std::string> head = split(line);
  if (head.empty() || head[0] != "time_s") {
    error = "line 1: the header does not start with time_s";
    return false;
  }
  out = {};
  for (std::size_t k = 1; k < head.size(); ++k) out.columns.push_back({head[k], {}});
  for (std::size_t n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line);
    if (cells.size() != head.size()) {
      error = "line " + std::to_string(n) + ": " + std::to_string(cells.size()) + " cells, the header has " +
              std::to_string(head.size());
      return false;
    }
    double v = 0;
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (!number(cells[k], v)) {
        error = "line " + std::to_string(n) + ", column " + head[k] + ": not a number: " + cells[k];
        return false;
      }
      (k == 0 ? out.time_s : out.columns[k - 1].values).push_back(v);
    }
  }
  if (out.time_s.empty()) {
    error = "no rows";
    return false;
  }
  return true;
}

std::optional<PlotData> load_run(const fs::path& dir, std::string& error) {
  PlotData out;
  std::string text;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    error = dir.string() + ": not a directory";
    return std::nullopt;
  }
  if (!read_file(dir / "metrics.csv", text, error)) return std::nullopt;
  if (!parse_metrics(text, out.metrics, error)) {
    error = (dir / "metrics.csv").string() + ": " + error;
    return std::nullopt;
  }
  if (!read_file(dir / "report.json", text, error)) return std::nullopt;
  if (!read_report(text, out, error)) {
    error = (dir / "report.json").string() + ": " + error;
    return std::nullopt;
  }
  if (out.end_s <= 0) out.end_s = out.metrics.time_s.back();
  if (fs::exists(dir / "trace.jsonl", ec) && !read_trace(dir / "trace.jsonl", out, error))
    return std::nullopt;
  return out;
}

}  // namespace nlb::plot
