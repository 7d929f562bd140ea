#pragma once
// What nlbsim-plot draws, read from a run's outputs without Qt (so it is unit-tested):
// metrics.csv's series, the timeline's faults and their measured takeovers from report.json,
// and, when the run has a trace, the takeovers (balancer active, VRRP master) and the outages
// nlbsim explain finds. docs/failure-modes.md shows the figures.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nlb::plot {

struct Series {
  std::string name;
  std::vector<double> values;  // one per row
};

// metrics.csv (docs/trace-format.md): time_s first, then the counters, then active:<server>.
struct Metrics {
  std::vector<double> time_s;
  std::vector<Series> columns;  // every column but time_s, in file order
  const Series* column(const std::string& name) const;
  std::vector<const Series*> servers() const;  // the active:<server> columns
};
bool parse_metrics(const std::string& text, Metrics& out, std::string& error);

struct Marker {
  double t = 0;       // seconds
  std::string label;  // "crash lb1", "lb2 active"
  enum Kind { Fault, Takeover, Restore } kind = Fault;
};

struct Span {
  double from = 0, to = 0;  // seconds
  std::string label;        // "outage 1"
  bool open = false;        // still open when the run ended
};

struct PlotData {
  std::string scenario;
  double end_s = 0;
  Metrics metrics;
  std::vector<Marker> markers;
  std::vector<Span> outages;
  bool traced = false;  // markers and outages came from a trace
};

// Reads DIR/metrics.csv and DIR/report.json (both required) and DIR/trace.jsonl if present.
std::optional<PlotData> load_run(const std::filesystem::path& dir, std::string& error);

}  // namespace nlb::plot
