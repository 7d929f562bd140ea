#include "runner/measure/balance.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace nlb::measure {

BalanceMeter::BalanceMeter(sim::Simulation& sim, std::vector<wire::Ipv4> servers)
    : servers_(std::move(servers)) {
  whole_.from = Time::zero();
  whole_.to = Time::max();
  whole_.per_server.assign(servers_.size(), 0);
  sim.trace().subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) {
    if (e.new_connection) on_connection(e.at, index_of(e.server_address));
  });
  sim.trace().subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) { on_request(e); });
}

void BalanceMeter::watch(Time from, Time to) {
  if (find(from, to)) return;
  Window w;
  w.from = from;
  w.to = to;
  w.per_server.assign(servers_.size(), 0);
  windows_.push_back(std::move(w));
}

void BalanceMeter::watch_shift(const ShiftSpec& spec) {
  // The share is over the last `window` connections from the first one on.
  assert(connections_ == 0 && spec.window > 0);
  const Time from = std::max(Time::zero(), spec.at - spec.before);
  watch(from, spec.at);
  Shift s{spec, index_of(spec.server), 0, 0, false, {}};
  for (std::size_t i = 0; i < windows_.size(); ++i)
    if (windows_[i].from == from && windows_[i].to == spec.at) s.before = i;
  shifts_.push_back(s);
  if (ring_.size() < spec.window) ring_.assign(spec.window, kNone);
}

std::uint16_t BalanceMeter::index_of(wire::Ipv4 server) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i] == server) return static_cast<std::uint16_t>(i);
  return kNone;
}

void BalanceMeter::on_connection(Time at, std::uint16_t server) {
  if (server != kNone) {
    ++whole_.per_server[server];
    for (Window& w : windows_)
      if (at >= w.from && at < w.to) ++w.per_server[server];
  }
  const std::uint64_t n = connections_++;  // this connection's index
  for (Shift& s : shifts_) {
    if (s.server == kNone) continue;
    const std::size_t window = s.spec.window;
    s.in += server == s.server;
    // The connection that leaves the window; read before the ring's slot is overwritten.
    if (n >= window) s.in -= ring_[(n - window) % ring_.size()] == s.server;
    if (n + 1 < window || at < s.spec.at || (s.result.fell && s.result.rose)) continue;
    if (!s.started) {
      s.result = resolved(s);  // [at - before, at) is complete: no earlier connection can come
      s.started = true;
    }
    const double share = static_cast<double>(s.in) / static_cast<double>(window);
    if (!s.result.fell && share <= s.result.falling) s.result.fell = at - s.spec.at;
    if (!s.result.rose && share >= s.result.rising) s.result.rose = at - s.spec.at;
  }
  if (!ring_.empty()) ring_[n % ring_.size()] = server;
}

void BalanceMeter::on_request(const nodes::RequestDone& e) {
  const bool ok = e.record.outcome == apps::HttpOutcome::Ok;
  const Time start = e.record.start, latency = e.record.latency();
  auto add = [&](Window& w) {
    if (start < w.from || start >= w.to) return;
    if (!ok) {
      ++w.failed;
      return;
    }
    ++w.ok;
    w.sum += latency;
    w.latency.add(latency);
  };
  add(whole_);
  for (Window& w : windows_) add(w);
}

const BalanceMeter::Window* BalanceMeter::find(Time from, Time to) const {
  for (const Window& w : windows_)
    if (w.from == from && w.to == to) return &w;
  return nullptr;
}

BalanceStats BalanceMeter::balance(Time from, Time to) const {
  const Window* w = find(from, to);
  assert(w && "a window is declared (watch) before the run");
  if (w) return balance(*w);
  BalanceStats empty;
  for (wire::Ipv4 s : servers_) empty.servers.push_back({s, 0, 0});
  return empty;
}

BalanceStats BalanceMeter::balance(const Window& w) const {
  BalanceStats b;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    b.servers.push_back({servers_[i], w.per_server[i], 0});
    b.total += w.per_server[i];
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

LatencyStats BalanceMeter::latency(Time from, Time to) const {
  const Window* w = find(from, to);
  assert(w && "a window is declared (watch) before the run");
  return w ? latency(*w) : LatencyStats{};
}

LatencyStats BalanceMeter::latency(const Window& w) {
  LatencyStats l;
  l.ok = w.ok;
  l.failed = w.failed;
  l.p50 = w.latency.quantile(0.50);
  l.p99 = w.latency.quantile(0.99);
  l.max = w.latency.max();
  l.mean = w.ok == 0 ? Time::zero() : w.sum / static_cast<std::int64_t>(w.ok);
  return l;
}

ShiftResult BalanceMeter::resolved(const Shift& s) const {
  if (s.started) return s.result;
  ShiftResult r;
  const Window& before = windows_[s.before];
  std::uint64_t total = 0;
  for (std::uint64_t c : before.per_server) total += c;
  if (total > 0 && s.server != kNone)
    r.share_before = static_cast<double>(before.per_server[s.server]) / static_cast<double>(total);
  r.falling = s.spec.falling.value_or(r.share_before * 0.5);
  r.rising = s.spec.rising.value_or(std::min(1.0, r.share_before * 1.5));
  return r;
}

std::optional<ShiftResult> BalanceMeter::shift(wire::Ipv4 server, Time at) const {
  for (const Shift& s : shifts_)
    if (s.spec.server == server && s.spec.at == at) return resolved(s);
  return std::nullopt;
}

std::size_t BalanceMeter::footprint() const {
  auto window = [](const Window& w) {
    return sizeof(Window) + w.per_server.capacity() * sizeof(std::uint64_t) +
           w.latency.buckets() * sizeof(std::uint64_t);
  };
  std::size_t n =
      window(whole_) + ring_.capacity() * sizeof(std::uint16_t) + shifts_.capacity() * sizeof(Shift);
  for (const Window& w : windows_) n += window(w);
  return n;
}

Time percentile(const std::vector<Time>& sorted, double q) {
  if (sorted.empty()) return Time::zero();
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const std::size_t i = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace nlb::measure
