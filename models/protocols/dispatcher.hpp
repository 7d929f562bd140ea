#pragma once
// The dispatcher's server choice for a NEW connection (existing ones follow the connection
// table). Four Linux IPVS schedulers, reproduced exactly (REFERENCE.md 2.3), and the seed's
// own: "a specific and complex algorithm which is a function of: number of active
// connections; number of new connections; weight; response time", which IBM Network
// Dispatcher's manager implements with proportions, an update interval, a weight bound, a
// sensitivity threshold and a smoothing index. IBM never published the formula; ours is in
// docs/protocols.md with its rationale. All arithmetic is integer, so runs repeat exactly.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/protocols/conn_table.hpp"
#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

enum class SchedulerKind : std::uint8_t {
  RoundRobin,                // IPVS rr
  WeightedRoundRobin,        // IPVS wrr
  LeastConnections,          // IPVS lc
  WeightedLeastConnections,  // IPVS wlc
  Manager,                   // the seed's / IBM Network Dispatcher's manager
};
const char* to_string(SchedulerKind k);  // "rr", "wrr", "lc", "wlc", "manager"
std::optional<SchedulerKind> parse_scheduler(std::string_view name);

// IBM ND manager settings (REFERENCE.md 2.4 defaults).
struct ManagerConfig {
  // Proportions of importance of active connections, new connections, the advisor's response
  // time ("port") and the system metric; each 0-100, together 100. ND default 50/50/0/0.
  std::array<unsigned, 4> proportions{50, 50, 0, 0};
  Time update_interval = Time::s(2);
  unsigned weight_bound = 20;              // weights stay in [1, weight_bound] for a live server
  unsigned sensitivity_percent = 5;        // apply new weights only if they change the total by more
  unsigned smoothing_milli = 1500;         // smoothing index 1.5: each update moves 1/1.5 of the way
  Time response_time_floor = Time::ms(1);  // added to response times so that 0 ms is not infinite

  std::string check() const;
};

struct DispatcherConfig {
  SchedulerKind scheduler = SchedulerKind::Manager;
  ManagerConfig manager;
  std::string check() const;
};

struct ServerSpec {
  wire::Ipv4 address;
  unsigned weight = 10;  // configured weight; ND's default is weight_bound / 2; 0 = quiesced
};

struct DispatcherCounters {
  std::uint64_t chosen = 0;
  std::uint64_t no_server = 0;        // every server down (or quiesced)
  std::uint64_t manager_updates = 0;  // weights applied
  std::uint64_t manager_skipped = 0;  // change below the sensitivity threshold
};

class Dispatcher {
 public:
  Dispatcher(DispatcherConfig config, std::vector<ServerSpec> servers);

  // Arms the manager's first update one interval from now.
  void start(Time now);
  // A server for a new connection, or kNoServer. `conns` holds the connection table's
  // per-server counts (ConnTable::all_server_conns()), indexed like the servers.
  ServerId choose_server(std::span<const ServerConns> conns);

  // The advisor's verdicts and measurements. A down server gets weight 0 at once.
  void set_server_up(ServerId s, bool up);
  void set_response_time(ServerId s, Time response_time);
  void set_system_load(ServerId s, unsigned percent);  // ND's system metric, 0 by default
  void set_configured_weight(ServerId s, unsigned weight);

  // The manager's periodic update; true when the weights changed.
  bool poll(Time now, std::span<const ServerConns> conns);
  Time next_deadline() const { return next_update_; }

  std::size_t server_count() const { return servers_.size(); }
  const ServerSpec& server(ServerId s) const { return servers_[s]; }
  bool server_up(ServerId s) const { return up_[s]; }
  // The weights new connections are dispatched by (0 for a down server).
  std::span<const unsigned> weights() const { return weights_; }
  const DispatcherConfig& config() const { return cfg_; }
  const DispatcherCounters& counters() const { return counters_; }

 private:
  bool all_down() const;
  void refresh_static_weights();
  void publish(std::span<const std::int64_t> milli);
  void wrr_reset();
  ServerId choose_rr();
  ServerId choose_wrr();
  ServerId choose_lc(std::span<const ServerConns> conns) const;
  ServerId choose_wlc(std::span<const ServerConns> conns) const;
  ServerId choose_smooth();
  void manager_update(std::span<const ServerConns> conns);
  std::int64_t prior_milli(ServerId s) const;

  DispatcherConfig cfg_;
  std::vector<ServerSpec> servers_;
  std::vector<bool> up_;
  std::vector<unsigned> weights_;
  // rr / wrr positions (IPVS: -1 = the list head).
  int rr_last_ = -1;
  int wrr_cl_ = -1;
  int wrr_cw_ = 0;
  int wrr_mw_ = 0;
  int wrr_di_ = 1;
  // Manager state: weights in thousandths, inputs, and smooth weighted round robin.
  std::vector<std::int64_t> milli_;
  std::vector<std::uint64_t> created_at_update_;
  std::vector<Time> response_time_;
  std::vector<bool> has_response_time_;
  std::vector<unsigned> system_load_;
  std::vector<std::int64_t> swrr_current_;
  std::vector<std::int64_t> active_sum_;  // active connections summed at each dispatch ...
  std::int64_t active_samples_ = 0;       // ... over this many dispatches since the last update
  // Scratch space of manager_update(), kept so that the periodic update does not allocate.
  std::vector<ServerId> live_;
  std::vector<std::uint64_t> fresh_;
  std::vector<std::int64_t> score_, target_, next_milli_;
  Time next_update_ = Time::max();
  DispatcherCounters counters_;
};

}  // namespace nlb::protocols
