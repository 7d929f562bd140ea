#pragma once
// Load balance measured (issue #4, "Balance measured"): a trace-bus subscriber that counts each
// new connection a balancer gave a server (nodes::Dispatched with new_connection) and each HTTP
// request a client finished (nodes::RequestDone), and gives, over the whole run or a window
// declared before the run,
//   per-server share of new connections, imbalance (max / mean and coefficient of variation),
//   p50 / p99 response time of the successful requests started in the window,
// and the time the dispatcher takes to shift load after a server slows down or recovers: the
// first moment after the change at which the server's share among the last `window` new
// connections crosses a threshold (the seed: "an optimal balance in the shortest possible time").
//
// Memory does not grow with the run (docs/reliability.md, "Long runs"): nothing is kept per
// connection or per request. Counts are summed as they come, response times go to a
// DurationHistogram (quantiles within 0.1 %; mean, maximum and counts exact), and the load shift
// is followed as the connections come, over a ring of the last new connections. So a window
// and a shift must be declared (watch(), watch_shift()) before the run reaches them.

#include <cstdint>
#include <optional>
#include <vector>

#include "models/nodes/trace_events.hpp"
#include "models/wire/addr.hpp"
#include "runner/measure/histogram.hpp"
#include "sim/simulation.hpp"

namespace nlb::measure {

using sim::Time;

struct ServerShare {
  wire::Ipv4 server;
  std::uint64_t connections = 0;
  double share = 0;
};

struct BalanceStats {
  std::vector<ServerShare> servers;  // in the order given to the meter
  std::uint64_t total = 0;
  double max_over_mean = 0;  // 1 = perfect
  double cv = 0;             // standard deviation / mean of the per-server counts
};

struct LatencyStats {
  std::size_t ok = 0;
  std::size_t failed = 0;
  Time p50, p99, mean, max;  // p50 and p99 within DurationHistogram's 2^-10
};

// A load shift to follow: from `at`, the server's share of the last `window` new connections
// (those before `at` included) against a threshold, falling (share <= falling) and rising
// (share >= rising). Unset thresholds are half and one and a half times (at most 1) the server's
// share of the new connections in [at - before, at).
struct ShiftSpec {
  wire::Ipv4 server;
  Time at;
  std::size_t window = 50;
  Time before = Time::s(10);
  std::optional<double> falling, rising;
};

struct ShiftResult {
  double share_before = 0;
  double falling = 0, rising = 0;  // the thresholds
  std::optional<Time> fell, rose;  // from `at` to the first crossing
};

class BalanceMeter {
 public:
  BalanceMeter(sim::Simulation& sim, std::vector<wire::Ipv4> servers);

  // Declares the window [from, to), before the run reaches `from`: new connections dispatched
  // in it, and requests started in it.
  void watch(Time from, Time to);
  // Declares a shift, before the run reaches `at` - `before`.
  void watch_shift(const ShiftSpec& spec);

  // The whole run, or a declared window (an undeclared one reads empty).
  BalanceStats balance() const { return balance(whole_); }
  BalanceStats balance(Time from, Time to) const;
  LatencyStats latency() const { return latency(whole_); }
  LatencyStats latency(Time from, Time to) const;
  // The shift declared for `server` at `at`, or nothing.
  std::optional<ShiftResult> shift(wire::Ipv4 server, Time at) const;
  std::uint64_t connections() const { return connections_; }

  // What the meter holds, for the test that it does not grow: bytes of its containers.
  std::size_t footprint() const;

 private:
  struct Window {
    Time from, to;
    std::vector<std::uint64_t> per_server;
    std::size_t ok = 0, failed = 0;
    Time sum;
    DurationHistogram latency;
  };
  struct Shift {
    ShiftSpec spec;
    std::uint16_t server;
    std::size_t before;    // its window in windows_
    std::size_t in = 0;    // the server's connections among the last spec.window
    bool started = false;  // a connection at or after `at` came: thresholds fixed
    ShiftResult result;
  };
  static constexpr std::uint16_t kNone = 0xffff;
  std::uint16_t index_of(wire::Ipv4 server) const;
  void on_connection(Time at, std::uint16_t server);
  void on_request(const nodes::RequestDone& e);
  BalanceStats balance(const Window& w) const;
  static LatencyStats latency(const Window& w);
  const Window* find(Time from, Time to) const;
  ShiftResult resolved(const Shift& s) const;

  std::vector<wire::Ipv4> servers_;
  Window whole_;
  std::vector<Window> windows_;
  std::vector<Shift> shifts_;
  // The server of each of the last ring_.size() new connections, oldest overwritten first.
  std::vector<std::uint16_t> ring_;
  std::uint64_t connections_ = 0;
};

// Nearest-rank percentile (q in (0, 1]) of sorted values; zero when empty.
Time percentile(const std::vector<Time>& sorted, double q);

}  // namespace nlb::measure
