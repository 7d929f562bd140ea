#include "runner/measure/balance.hpp"

#include <algorithm>
#include <cmath>

namespace nlb::measure {

BalanceMeter::BalanceMeter(sim::Simulation& sim, std::vector<wire::Ipv4> servers)
    : servers_(std::move(servers)) {
  sim.trace().subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) {
    if (e.new_connection) conns_.push_back({e.at, index_of(e.server_address)});
  });
  sim.trace().subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) {
    requests_.push_back({e.record.start, e.record.latency(), e.record.outcome == apps::HttpOutcome::Ok});
  });
}

std::uint16_t BalanceMeter::index_of(wire::Ipv4 server) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i] == server) return static_cast<std::uint16_t>(i);
  return kNone;
}

BalanceStats BalanceMeter::balance(Time from, Time to) const {
  BalanceStats b;
  for (wire::Ipv4 s : servers_) b.servers.push_back({s, 0, 0});
  for (const Conn& c : conns_) {
    if (c.at < from || c.at >= to || c.server == kNone) continue;
    ++b.servers[c.server].connections;
    ++b.total;
  }
  if (b.total == 0 || servers_.empty()) return b;
  const double mean = static_cast<double>(b.total) / static_cast<double>(servers_.size());
  double max = 0, var = 0;
  for (auto& s : b.servers) {
    const double n = static_cast<double>(s.connections);
    s.share = n / static_cast<double>(b.total);
    max = std::max(max, n);
    var += (n - mean) * (n - mean);
  }
  b.max_over_mean = max / mean;
  b.cv = std::sqrt(var / static_cast<double>(servers_.size())) / mean;
  return b;
}

Time percentile(const std::vector<Time>& sorted, double q) {
  if (sorted.empty()) return Time::zero();
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

LatencyStats BalanceMeter::latency(Time from, Time to) const {
  LatencyStats l;
  std::vector<Time> ok;
  Time sum = Time::zero();
  for (const Request& r : requests_) {
    if (r.start < from || r.start >= to) continue;
    if (!r.ok) {
      ++l.failed;
      continue;
    }
    ok.push_back(r.latency);
    sum += r.latency;
  }
  std::sort(ok.begin(), ok.end());
  l.ok = ok.size();
  l.p50 = percentile(ok, 0.50);
  l.p99 = percentile(ok, 0.99);
  l.max = ok.empty() ? Time::zero() : ok.back();
  l.mean = ok.empty() ? Time::zero() : sum / static_cast<std::int64_t>(ok.size());
  return l;
}

std::optional<Time> BalanceMeter::shift_time(wire::Ipv4 server, Time at, double threshold, bool falling,
                                             std::size_t window) const {
  const std::uint16_t s = index_of(server);
  if (s == kNone || window == 0) return std::nullopt;
  // Slide a window of the last `window` connections over the run; look only at windows that
  // end after `at`.
  std::size_t in_window = 0;
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    in_window += conns_[i].server == s;
    if (i >= window) in_window -= conns_[i - window].server == s;
    if (i + 1 < window || conns_[i].at < at) continue;
    const double share = static_cast<double>(in_window) / static_cast<double>(window);
    if (falling ? share <= threshold : share >= threshold) return conns_[i].at - at;
  }
  return std::nullopt;
}

}  // namespace nlb::measure
