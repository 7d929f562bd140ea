#include "runner/run/metrics.hpp"

#include <algorithm>
#include <cstdio>

#include "models/nodes/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "runner/measure/balance.hpp"

namespace nlb::run {

using sim::Time;

namespace {

constexpr std::size_t kChunk = 16 * 1024;  // rows are written to the stream this much at a time

void append_number(std::string& out, const char* format, double v) {
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, format, v);
  out.append(buf, static_cast<std::size_t>(std::max(0, n)));
}

// Seconds with the digits the time has ("0.1", "12.35"): exact, no rounding.
std::string seconds_text(Time t) {
  std::string s = t.str();
  s.pop_back();  // the "s"
  return s;
}

}  // namespace

MetricsSampler::MetricsSampler(sim::Simulation& sim, std::ostream& out, std::vector<wire::Ipv4> clusters,
                               std::vector<std::pair<link::NodeId, std::string>> servers, Time interval)
    : clusters_(std::move(clusters)),
      servers_(std::move(servers)),
      stream_(out),
      interval_(interval),
      row_end_(interval),
      per_server_(servers_.size(), 0) {
  out_ =
      "time_s,active_connections,requests_ok,requests_failed,throughput_mbps,latency_p50_ms,latency_p99_ms";
  for (const auto& s : servers_) out_ += ",active:" + s.second;
  out_ += "\n";
  auto& trace = sim.trace();
  trace.subscribe<transport::TcpOpenedEvent>([this](const transport::TcpOpenedEvent& e) {
    advance(e.at);
    if (!e.passive && is_cluster(e.tuple.remote.addr)) ++active_;
    if (e.passive && is_cluster(e.tuple.local.addr))
      if (int c = server_column(e.node); c >= 0) ++per_server_[static_cast<std::size_t>(c)];
  });
  trace.subscribe<transport::TcpClosedEvent>([this](const transport::TcpClosedEvent& e) {
    advance(e.at);
    // Every connection is announced (TcpOpenedEvent) before it can close.
    if (!e.passive && is_cluster(e.tuple.remote.addr)) --active_;
    if (e.passive && is_cluster(e.tuple.local.addr))
      if (int c = server_column(e.node); c >= 0) --per_server_[static_cast<std::size_t>(c)];
  });
  trace.subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) {
    advance(e.at);
    bytes_ += e.record.bytes_received;
    if (e.record.outcome == apps::HttpOutcome::Ok) {
      ++ok_;
      latencies_.push_back(e.record.latency());
    } else {
      ++failed_;
    }
  });
}

bool MetricsSampler::is_cluster(wire::Ipv4 a) const {
  return std::find(clusters_.begin(), clusters_.end(), a) != clusters_.end();
}

int MetricsSampler::server_column(link::NodeId node) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i].first == node) return static_cast<int>(i);
  return -1;
}

void MetricsSampler::advance(Time t) {
  while (t >= row_end_) close_row();
}

void MetricsSampler::close_row() {
  out_ += seconds_text(row_end_);
  out_ += ',' + std::to_string(active_) + ',' + std::to_string(ok_) + ',' + std::to_string(failed_) + ',';
  append_number(out_, "%.6g", static_cast<double>(bytes_) * 8.0 / interval_.seconds() / 1e6);
  std::sort(latencies_.begin(), latencies_.end());
  for (double q : {0.50, 0.99}) {
    out_ += ',';
    append_number(out_, "%.3f", measure::percentile(latencies_, q).seconds() * 1e3);
  }
  for (std::int64_t n : per_server_) out_ += ',' + std::to_string(n);
  out_ += '\n';
  ++rows_;
  ok_ = failed_ = bytes_ = 0;
  latencies_.clear();
  row_end_ += interval_;
  if (out_.size() >= kChunk) {
    stream_ << out_;
    out_.clear();
  }
}

void MetricsSampler::finish(Time end) {
  while (row_end_ <= end) close_row();
  stream_ << out_;
  out_.clear();
}

}  // namespace nlb::run
