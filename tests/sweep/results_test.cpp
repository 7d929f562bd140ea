// A sweep's rows: from a run's report, through JSON (what MPI ranks send) and back exactly,
// into the CSV table, and the aggregate over seeds.
#include <doctest/doctest.h>

#include "runner/sweep/results.hpp"
#include "runner/sweep/summary.hpp"

namespace nlb::sweep {
namespace {

using sim::Time;

Grid two_by_two() {
  GridResult r =
      parse_grid_text(R"({"scenario": "s.json", "axes": [{"parameter": "timeout", "values": ["1s", "3s"]}],
                                     "seeds": [1, 2]})",
                      "g.json");
  REQUIRE(r.grid);
  return *r.grid;
}

// A report as a run would make it: one crash measured, one recovery, two servers, two expectations.
run::Report report(std::uint64_t seed, std::int64_t detection_ms, bool held) {
  run::Report r;
  r.scenario = "s";
  r.seed = seed;
  r.events = 1000 + seed;
  r.public_count = 1;
  r.ok = 98;
  r.failed = 2;
  r.p50 = Time::us(1500);
  r.p99 = Time::ms(12);
  r.imbalance = 1.25;
  r.cv = 0.1;
  r.servers = {{"srv1", "10.0.2.11", 60, 0.6, 60}, {"srv2", "10.0.2.12", 40, 0.4, 40}};
  run::FaultReport crash;
  crash.name = "crash, lb1";  // a comma: the CSV must quote its columns
  crash.action = "crash";
  crash.kind = run::FaultMeasure::Failover;
  crash.applied = true;
  crash.detection = Time::ms(detection_ms);
  crash.first_datagram = Time::ms(detection_ms + 3);
  crash.datagrams_lost = 4;
  crash.connections_open = 8;
  crash.connections_completed = 6;
  run::FaultReport back;
  back.name = "recover lb1";
  back.action = "recover";
  back.kind = run::FaultMeasure::Restore;
  back.applied = true;
  r.faults = {crash, back};
  r.expectations = {{"one address", "public_addresses", "= 1", "1", true},
                    {"fast \"detection\"", "detection_time", "<= 2s", "x", held}};
  return r;
}

TEST_CASE("a row carries the report's key measures in seconds and the expectations") {
  const Grid g = two_by_two();
  const Row row = row_from_report(g, 3, report(2, 2719, false));
  CHECK(row.values == std::vector<Json>{"3s"});
  CHECK(row.seed == 2);
  CHECK(row.status == Status::Failed);
  CHECK(row.expectations_failed() == 1);
  CHECK(row.error_rate == doctest::Approx(0.02));
  CHECK(row.latency_p50_s == 0.0015);
  CHECK(row.share_min == 0.4);
  CHECK(row.share_max == 0.6);
  REQUIRE(row.faults.size() == 2);
  CHECK(row.faults[0].detection_s == 2.719);
  CHECK(row.faults[0].recovery_s == 2.722);
  CHECK_FALSE(row.faults[0].arp_update_s.has_value());
  CHECK(row.faults[0].connections_survived == 6);
  CHECK_FALSE(row.faults[1].back_s.has_value());
}

TEST_CASE("a run without a successful request has no latency rather than zero") {
  run::Report r = report(1, 100, true);
  r.ok = 0;
  const Row row = row_from_report(two_by_two(), 0, r);
  CHECK_FALSE(row.latency_p50_s.has_value());
  CHECK(row.status == Status::Ok);
}

TEST_CASE("a row survives its JSON form exactly, as MPI ranks send it") {
  const Grid g = two_by_two();
  run::Report rep = report(1, 1719, true);
  rep.imbalance = 1.0 / 3.0;  // a double with no short decimal form
  rep.p99 = Time::ns(123456789);
  const Row row = row_from_report(g, 0, rep);
  Row back;
  REQUIRE(row_from_json(g, nlohmann::ordered_json::parse(row_json(g, row).dump()), back));
  CHECK(row_json(g, back) == row_json(g, row));
  CHECK(back.imbalance == row.imbalance);
  CHECK(back.latency_p99_s == row.latency_p99_s);
  const Row err = error_row(g, 2, 1, "it broke");
  REQUIRE(row_from_json(g, row_json(g, err), back));
  CHECK(back.status == Status::Error);
  CHECK(back.error == "it broke");
  CHECK(back.values == std::vector<Json>{"3s"});
}

TEST_CASE("row_from_json refuses what it did not write") {
  const Grid g = two_by_two();
  Row out;
  nlohmann::ordered_json j = row_json(g, row_from_report(g, 0, report(1, 1000, true)));
  CHECK_FALSE(row_from_json(g, nlohmann::ordered_json::array(), out));
  auto broken = j;
  broken["variant"] = 4;  // the grid has 4 variants: 0..3
  CHECK_FALSE(row_from_json(g, broken, out));
  broken = j;
  broken.erase("events");
  CHECK_FALSE(row_from_json(g, broken, out));
  broken = j;
  broken["status"] = "maybe";
  CHECK_FALSE(row_from_json(g, broken, out));
  broken = j;
  broken["faults"][0]["measure"] = "other";
  CHECK_FALSE(row_from_json(g, broken, out));
}

std::vector<Row> four_rows(const Grid& g) {
  return {row_from_report(g, 0, report(1, 1000, true)), row_from_report(g, 1, report(2, 1500, true)),
          row_from_report(g, 2, report(1, 2600, false)), error_row(g, 3, 2, "no report")};
}

TEST_CASE("the results table has a column per axis and measure, faults and expectations by name") {
  const Grid g = two_by_two();
  const Table t = results_table(g, four_rows(g));
  REQUIRE(t.rows.size() == 4);
  const std::vector<std::string> head(t.columns.begin(), t.columns.begin() + 5);
  CHECK(head == std::vector<std::string>{"variant", "timeout", "seed", "status", "expectations_failed"});
  auto col = [&](const std::string& name) {
    auto it = std::find(t.columns.begin(), t.columns.end(), name);
    REQUIRE(it != t.columns.end());
    return static_cast<std::size_t>(it - t.columns.begin());
  };
  CHECK(t.rows[1][col("crash, lb1: detection_s")] == "1.5");
  CHECK(t.rows[2][col("crash, lb1: connections_lost")] == "2");
  CHECK(t.rows[2][col("expect: fast \"detection\"")] == "FAILED");
  CHECK(t.rows[0][col("latency_p50_s")] == "0.0015");
  CHECK(t.rows[3][col("status")] == "error");
  CHECK(t.rows[3][col("error")] == "no report");
  CHECK(t.rows[3][col("events")].empty());
  const std::string csv = t.csv();
  CHECK(csv.find(",\"crash, lb1: detection_s\",") != std::string::npos);
  CHECK(csv.find(",\"expect: fast \"\"detection\"\"\",") != std::string::npos);
  CHECK(csv.find("\n3,3s,2,error,") != std::string::npos);
}

TEST_CASE("the aggregate gives mean, min and max over each combination's seeds") {
  const Grid g = two_by_two();
  const std::vector<AggregateRow> agg = aggregate(g, four_rows(g));
  REQUIRE(agg.size() == 2);
  CHECK(agg[0].values == std::vector<Json>{"1s"});
  CHECK(agg[0].runs == 2);
  CHECK(agg[0].ok == 2);
  auto stat = [](const AggregateRow& a, const std::string& m) {
    auto it = std::find_if(a.measures.begin(), a.measures.end(), [&](const auto& x) { return x.first == m; });
    REQUIRE(it != a.measures.end());
    return it->second;
  };
  const Stat d = stat(agg[0], "crash, lb1: detection_s");
  CHECK(d.n == 2);
  CHECK(d.mean == doctest::Approx(1.25));
  CHECK(d.min == 1.0);
  CHECK(d.max == 1.5);
  CHECK(stat(agg[0], "events").mean == doctest::Approx(1001.5));
  // The second combination: one failed run and one error, which counts but has no measures.
  CHECK(agg[1].runs == 2);
  CHECK(agg[1].failed == 1);
  CHECK(agg[1].errors == 1);
  CHECK(stat(agg[1], "crash, lb1: detection_s").n == 1);
  CHECK(stat(agg[1], "crash, lb1: detection_s").mean == 2.6);
  REQUIRE(agg[1].expectations.size() == 2);
  CHECK(agg[1].expectations[1] == std::pair<std::string, std::size_t>{"fast \"detection\"", 0});
  const Table t = aggregate_table(g, agg);
  CHECK(t.columns[0] == "timeout");
  CHECK(std::find(t.columns.begin(), t.columns.end(), "crash, lb1: detection_s mean") != t.columns.end());
  CHECK(t.rows[1][1] == "2");  // runs
}

TEST_CASE("the summary says per combination how many runs held and what failed") {
  const Grid g = two_by_two();
  const std::vector<Row> rows = four_rows(g);
  const std::string s = summary_text(g, rows, aggregate(g, rows), RunShape{2, 1, 3.25});
  CHECK(s.find("Sweep g: 4 variants of s.json (timeout 2 x 2 seeds) in 3.2 s, 2 jobs\n") == 0);
  CHECK(s.find("2 held every expectation, 1 failed one, 1 error\n") != std::string::npos);
  CHECK(s.find("timeout=1s: 2 of 2 held\n  crash, lb1: detection 1.250 s [1.000, 1.500], recovery 1.253 s "
               "[1.003, 1.503], connections survived 12 of 16\n") != std::string::npos);
  CHECK(s.find("timeout=3s: 0 of 2 held\n") != std::string::npos);
  CHECK(s.find("  failed in 1 of 2: fast \"detection\"\n") != std::string::npos);
  CHECK(s.find("  variant 3 (seed 2): no report\n") != std::string::npos);
}

TEST_CASE("an axis named like a measure gets its own column name") {
  GridResult r = parse_grid_text(R"({"scenario": "s.json", "axes": [{"parameter": "seed", "values": [1]},
                                     {"parameter": "rate", "values": [1]}]})",
                                 "g.json");
  REQUIRE(r.grid);
  CHECK(axis_column(*r.grid, 0) == "parameter seed");
  CHECK(axis_column(*r.grid, 1) == "rate");
}

}  // namespace
}  // namespace nlb::sweep
