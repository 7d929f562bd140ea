#pragma once
// metrics.csv (docs/trace-format.md): one row per sample interval, built from the trace bus
// without any event of its own. A row is closed when the first event past its end arrives (or
// at the end of the run), so sampling adds nothing to the event queue and cannot change a run.
//
// Columns: time_s (end of the interval), active_connections (clients' TCP connections to a
// cluster address open at that instant), requests_ok and requests_failed (HTTP requests that
// finished in the interval), throughput_mbps (response bytes received by clients in the
// interval), latency_p50_ms and latency_p99_ms (of the requests that finished ok in it), then
// active:<server> (connections to a cluster address open on each server at that instant).
//
// Rows go to the stream as they close (a few KiB at a time), so memory does not grow with the
// length of the run (docs/reliability.md, "Long runs"); run_scenario streams them to a
// temporary file that becomes metrics.csv only when the run completes.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

class MetricsSampler {
 public:
  // `servers`: (node, name) of each server column, in column order. Writes to `out`.
  MetricsSampler(sim::Simulation& sim, std::ostream& out, std::vector<wire::Ipv4> clusters,
                 std::vector<std::pair<link::NodeId, std::string>> servers,
                 sim::Time interval = sim::Time::ms(100));
  MetricsSampler(const MetricsSampler&) = delete;
  MetricsSampler& operator=(const MetricsSampler&) = delete;

  // Closes every row up to `end` and writes what is left.
  void finish(sim::Time end);
  std::size_t rows() const { return rows_; }
  // Bytes held (the rows not yet written and the interval's response times), for the test that
  // it does not grow with the run.
  std::size_t footprint() const { return out_.capacity() + latencies_.capacity() * sizeof(sim::Time); }

 private:
  void advance(sim::Time t);
  void close_row();
  bool is_cluster(wire::Ipv4 a) const;
  int server_column(link::NodeId node) const;

  std::vector<wire::Ipv4> clusters_;
  std::vector<std::pair<link::NodeId, std::string>> servers_;
  std::ostream& stream_;
  sim::Time interval_;
  sim::Time row_end_;
  std::string out_;  // rows not yet written to stream_
  std::size_t rows_ = 0;
  // Instantaneous.
  std::int64_t active_ = 0;
  std::vector<std::int64_t> per_server_;
  // Per interval.
  std::uint64_t ok_ = 0, failed_ = 0, bytes_ = 0;
  std::vector<sim::Time> latencies_;
};

}  // namespace nlb::run
