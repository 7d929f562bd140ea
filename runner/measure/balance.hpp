#pragma once
// Load balance measured (issue #4, "Balance measured"): a trace-bus subscriber that records each
// new connection a balancer gave a server (nodes::Dispatched with new_connection) and each HTTP
// request a client finished (nodes::RequestDone), and computes over a time window
//   per-server share of new connections, imbalance (max / mean and coefficient of variation),
//   p50 / p99 response time of the successful requests started in the window,
// and the time the dispatcher takes to shift load after a server slows down or recovers: the
// first moment after the change at which the server's share among the last `window` new
// connections crosses a threshold (the seed: "an optimal balance in the shortest possible time").

#include <cstdint>
#include <optional>
#include <vector>

#include "models/nodes/trace_events.hpp"
#include "models/wire/addr.hpp"
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
  Time p50, p99, mean, max;
};

class BalanceMeter {
 public:
  BalanceMeter(sim::Simulation& sim, std::vector<wire::Ipv4> servers);

  // New connections dispatched in [from, to).
  BalanceStats balance(Time from = Time::zero(), Time to = Time::max()) const;
  // Requests started in [from, to): latency of the successful ones, count of the others.
  LatencyStats latency(Time from = Time::zero(), Time to = Time::max()) const;
  // The first time t >= at at which `server`'s share of the last `window` new connections is
  // <= threshold (falling) or >= threshold (rising), or nothing. Measured from `at`.
  std::optional<Time> shift_time(wire::Ipv4 server, Time at, double threshold, bool falling,
                                 std::size_t window = 50) const;
  std::size_t connections() const { return conns_.size(); }

 private:
  struct Conn {
    Time at;
    std::uint16_t server;  // index in servers_, or kNone
  };
  struct Request {
    Time start;
    Time latency;
    bool ok;
  };
  static constexpr std::uint16_t kNone = 0xffff;
  std::uint16_t index_of(wire::Ipv4 server) const;

  std::vector<wire::Ipv4> servers_;
  std::vector<Conn> conns_;
  std::vector<Request> requests_;
};

// Nearest-rank percentile (q in (0, 1]) of sorted values; zero when empty.
Time percentile(const std::vector<Time>& sorted, double q);

}  // namespace nlb::measure
