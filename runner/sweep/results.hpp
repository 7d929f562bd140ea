#pragma once
// The results of a sweep: one row per variant (its parameter values, seed, the report's key
// measures and its expectations), the aggregate over seeds of each combination, and the files
// they are written to (docs/sweep.md):
//   results.csv, results.json  one row per variant; identical for any --jobs and any number of
//                              MPI ranks (nothing in them depends on how the sweep ran)
//   aggregate.csv              per combination of the axes: mean, min and max over its seeds
//   timing.csv                 wall time per variant and the rank that ran it (varies run to run)
// A row's JSON form is also what MPI ranks send to rank 0; it round-trips exactly (doubles are
// written as their shortest exact text).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/run/report.hpp"
#include "runner/sweep/grid.hpp"

namespace nlb::sweep {

enum class Status : std::uint8_t { Ok, Failed, Error };  // every expectation held / one did not / no report
std::string status_name(Status s);

struct FaultRow {
  std::string name, action;
  run::FaultMeasure kind = run::FaultMeasure::Restore;
  bool applied = false;
  // Seconds from the fault (failover: detection, first datagram dispatched, firewalls' ARP
  // update; restore: back in service; shift: load moved), or none.
  std::optional<double> detection_s, recovery_s, arp_update_s, back_s, load_shift_s;
  std::uint64_t datagrams_lost = 0, connections_open = 0, connections_survived = 0;
};

struct Row {
  std::size_t variant = 0;
  std::vector<Json> values;  // per axis
  std::uint64_t seed = 0;
  Status status = Status::Error;
  std::string error;  // Status::Error: why there is no report
  std::uint64_t public_addresses = 0, requests_ok = 0, requests_failed = 0, events = 0;
  double error_rate = 0, share_min = 0, share_max = 0, imbalance = 0, cv = 0;
  std::optional<double> latency_p50_s, latency_p99_s;  // none without a successful request
  std::vector<FaultRow> faults;
  std::vector<run::ExpectationResult> expectations;
  std::size_t expectations_failed() const;
};

// A variant's row from its run's report.
Row row_from_report(const Grid& g, std::size_t variant, const run::Report& r);
Row error_row(const Grid& g, std::size_t variant, std::uint64_t seed, std::string error);

// Wire and results.json form of one row; row_from_json is false on anything it did not write.
nlohmann::ordered_json row_json(const Grid& g, const Row& r);
bool row_from_json(const Grid& g, const nlohmann::ordered_json& j, Row& out);

// One measure over the seeds of a combination (runs where it was measured).
struct Stat {
  std::size_t n = 0;
  double mean = 0, min = 0, max = 0;
};

struct AggregateRow {
  std::size_t combination = 0;
  std::vector<Json> values;  // per axis
  std::size_t runs = 0, ok = 0, failed = 0, errors = 0;
  std::vector<std::pair<std::string, Stat>> measures;             // by column name, in column order
  std::vector<std::pair<std::string, std::size_t>> expectations;  // name -> runs where it held
};

// Groups `rows` (sorted by variant) by combination, in order.
std::vector<AggregateRow> aggregate(const Grid& g, const std::vector<Row>& rows);

// A flat table: column names and one row of cells (CSV text) per row.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::string csv() const;  // RFC 4180: quoted when needed, CRLF-free ("\n" line ends)
};
Table results_table(const Grid& g, const std::vector<Row>& rows);
Table aggregate_table(const Grid& g, const std::vector<AggregateRow>& rows);
std::string results_json(const Grid& g, const std::vector<Row>& rows, const std::vector<AggregateRow>& agg);

// The column an axis's values go in: the parameter's name, unless a measure has that name.
std::string axis_column(const Grid& g, std::size_t axis);

}  // namespace nlb::sweep
