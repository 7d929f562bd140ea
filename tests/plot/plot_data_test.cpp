// What nlbsim-plot draws, read from a run's outputs: metrics.csv's columns, the report's
// faults and takeovers, and bad files refused with where they are wrong.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "plot/plot_data.hpp"

namespace nlb::plot {
namespace {

namespace fs = std::filesystem;

const char* kCsv =
    "time_s,active_connections,requests_ok,requests_failed,throughput_mbps,latency_p50_ms,latency_p99_ms,"
    "active:srv1,active:srv2\n"
    "0.1,0,0,0,0,0.000,0.000,0,0\n"
    "0.2,3,5,1,1.5,12.000,40.000,2,1\n";

const char* kReport =
    R"({"scenario":"demo","duration_ns":30000000000,"faults":[)"
    R"({"at_ns":20000000000,"action":"crash","node":"lb1","name":"crash","applied":true,"detection_ns":1719000000},)"
    R"({"at_ns":25000000000,"action":"recover","node":"lb1","name":"back","applied":true,"back_ns":219000000},)"
    R"({"at_ns":40000000000,"action":"crash","node":"lb2","name":"late","applied":false}]})";

fs::path run_dir(const std::string& name, const std::string& csv, const std::string& report) {
  fs::path d = fs::path(NLBSIM_BINARY_DIR) / "test-run-outputs" / ("plot-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  std::ofstream(d / "metrics.csv") << csv;
  std::ofstream(d / "report.json") << report;
  return d;
}

TEST_CASE("metrics.csv is read column by column, servers by their active: prefix") {
  Metrics m;
  std::string error;
  REQUIRE(parse_metrics(kCsv, m, error));
  CHECK(m.time_s == std::vector<double>{0.1, 0.2});
  REQUIRE(m.column("requests_failed"));
  CHECK(m.column("requests_failed")->values == std::vector<double>{0, 1});
  const auto servers = m.servers();
  REQUIRE(servers.size() == 2);
  CHECK(servers[0]->name == "active:srv1");
  CHECK(servers[1]->values == std::vector<double>{0, 1});
  CHECK(m.column("nope") == nullptr);
}

TEST_CASE("a metrics.csv with a short row, a bad number or no header is refused with its line") {
  Metrics m;
  std::string error;
  CHECK_FALSE(parse_metrics("time_s,a,b\n1,2\n", m, error));
  CHECK(error == "line 2: 2 cells, the header has 3");
  CHECK_FALSE(parse_metrics("time_s,a\n1,x\n", m, error));
  CHECK(error == "line 2, column a: not a number: x");
  CHECK_FALSE(parse_metrics("a,b\n", m, error));
  CHECK(error == "line 1: the header does not start with time_s");
  CHECK_FALSE(parse_metrics("time_s,a\n", m, error));
  CHECK(error == "no rows");
}

TEST_CASE("the report's applied faults become markers, with their measured takeover") {
  std::string error;
  auto d = load_run(run_dir("report", kCsv, kReport), error);
  INFO(error);
  REQUIRE(d);
  CHECK(d->scenario == "demo");
  CHECK(d->end_s == 30.0);
  CHECK_FALSE(d->traced);
  REQUIRE(d->markers.size() == 3);  // the crash, its takeover, the recover; not the late crash
  CHECK(d->markers[0].label == "crash lb1");
  CHECK(d->markers[0].kind == Marker::Fault);
  CHECK(d->markers[1].kind == Marker::Takeover);
  CHECK(d->markers[1].t == doctest::Approx(21.719));
  CHECK(d->markers[2].kind == Marker::Restore);
  CHECK(d->outages.empty());
}

TEST_CASE("a run directory without metrics or with a broken report is refused by name") {
  std::string error;
  CHECK_FALSE(load_run(fs::path(NLBSIM_BINARY_DIR) / "test-run-outputs" / "plot-none-such", error));
  CHECK(error.find("not a directory") != std::string::npos);
  CHECK_FALSE(load_run(run_dir("bad-report", kCsv, "{}"), error));
  CHECK(error.find("report.json: not a report.json") != std::string::npos);
  const fs::path d = run_dir("bad-csv", "x\n", kReport);
  CHECK_FALSE(load_run(d, error));
  CHECK(error.find("metrics.csv: line 1") != std::string::npos);
}

}  // namespace
}  // namespace nlb::plot
