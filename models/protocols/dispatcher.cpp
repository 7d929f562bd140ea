#include "models/protocols/dispatcher.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

namespace nlb::protocols {

namespace {
constexpr std::int64_t kOne = 1'000'000;  // 1.0 in the manager's fixed-point scores
constexpr std::int64_t kScoreCap = 10 * kOne;
}  // namespace

const char* to_string(SchedulerKind k) {
  switch (k) {
    case SchedulerKind::RoundRobin:
      return "rr";
    case SchedulerKind::WeightedRoundRobin:
      return "wrr";
    case SchedulerKind::LeastConnections:
      return "lc";
    case SchedulerKind::WeightedLeastConnections:
      return "wlc";
    case SchedulerKind::Manager:
      return "manager";
  }
  return "?";
}

std::optional<SchedulerKind> parse_scheduler(std::string_view name) {
  for (auto k :
       {SchedulerKind::RoundRobin, SchedulerKind::WeightedRoundRobin, SchedulerKind::LeastConnections,
        SchedulerKind::WeightedLeastConnections, SchedulerKind::Manager})
    if (name == to_string(k)) return k;
  return std::nullopt;
}

std::string ManagerConfig::check() const {
  unsigned sum = 0;
  for (unsigned p : proportions) {
    if (p > 100) return "proportions: each 0 to 100 (ND manager)";
    sum += p;
  }
  if (sum != 100) return "proportions: must total 100 (ND: active, new, port, system)";
  if (update_interval <= Time::zero()) return "update_interval: must be positive";
  if (weight_bound < 1 || weight_bound > 100) return "weight_bound: 1 to 100 (ND weightbound)";
  if (sensitivity_percent > 100) return "sensitivity_percent: 0 to 100";
  if (smoothing_milli < 1000) return "smoothing_milli: at least 1000 (a smoothing index of 1.0)";
  if (response_time_floor <= Time::zero()) return "response_time_floor: must be positive";
  return {};
}

std::string DispatcherConfig::check() const {
  if (scheduler != SchedulerKind::Manager) return {};
  auto m = manager.check();
  return m.empty() ? m : "manager." + m;
}

Dispatcher::Dispatcher(DispatcherConfig config, std::vector<ServerSpec> servers)
    : cfg_(std::move(config)),
      servers_(std::move(servers)),
      up_(servers_.size(), true),
      weights_(servers_.size(), 0),
      milli_(servers_.size(), 0),
      created_at_update_(servers_.size(), 0),
      response_time_(servers_.size()),
      has_response_time_(servers_.size(), false),
      system_load_(servers_.size(), 0),
      swrr_current_(servers_.size(), 0),
      active_sum_(servers_.size(), 0) {
  assert(cfg_.check().empty());
  assert(servers_.size() < kNoServer);
  if (cfg_.scheduler == SchedulerKind::Manager) {
    for (ServerId s = 0; s < servers_.size(); ++s) milli_[s] = prior_milli(s);
    publish(milli_);
  } else {
    refresh_static_weights();
  }
}

void Dispatcher::start(Time now) {
  if (cfg_.scheduler == SchedulerKind::Manager) next_update_ = now + cfg_.manager.update_interval;
}

bool Dispatcher::all_down() const {
  for (ServerId s = 0; s < servers_.size(); ++s)
    if (up_[s] && servers_[s].weight > 0) return false;
  return true;
}

// ---- weights ---------------------------------------------------------------------------------

void Dispatcher::refresh_static_weights() {
  for (ServerId s = 0; s < servers_.size(); ++s) weights_[s] = up_[s] ? servers_[s].weight : 0;
  wrr_reset();
}

// A live server's starting weight: its configured weight scaled so that live servers average
// weight_bound / 2 (ND's default server weight), whatever scale the configuration uses.
std::int64_t Dispatcher::prior_milli(ServerId s) const {
  std::int64_t sum = 0, n = 0;
  for (ServerId i = 0; i < servers_.size(); ++i)
    if (up_[i] && servers_[i].weight > 0) sum += servers_[i].weight, ++n;
  if (sum == 0) return 0;
  const std::int64_t wb = cfg_.manager.weight_bound;
  const std::int64_t v = std::int64_t{servers_[s].weight} * n * wb * 500 / sum;
  return std::clamp<std::int64_t>(v, 1000, wb * 1000);
}

void Dispatcher::publish(std::span<const std::int64_t> milli) {
  const unsigned wb = cfg_.manager.weight_bound;
  const bool none = all_down();
  for (ServerId s = 0; s < servers_.size(); ++s) {
    if (servers_[s].weight == 0) {
      weights_[s] = 0;  // quiesced by configuration
    } else if (none) {
      weights_[s] = std::max(1u, wb / 2);  // ND: with every server down, all get weightbound / 2
    } else if (!up_[s]) {
      weights_[s] = 0;  // ND: a down server gets no new connections
    } else {
      const auto w = static_cast<unsigned>((milli[s] + 500) / 1000);
      weights_[s] = std::clamp(w, 1u, wb);
    }
  }
  wrr_reset();
}

void Dispatcher::set_server_up(ServerId s, bool up) {
  if (up_[s] == up) return;
  up_[s] = up;
  swrr_current_[s] = 0;
  if (cfg_.scheduler == SchedulerKind::Manager) {
    // A server that comes back starts again from its configured share.
    if (up) milli_[s] = prior_milli(s);
    publish(milli_);
  } else {
    refresh_static_weights();
  }
}

void Dispatcher::set_response_time(ServerId s, Time rt) {
  response_time_[s] = rt;
  has_response_time_[s] = true;
}

void Dispatcher::set_system_load(ServerId s, unsigned percent) { system_load_[s] = percent; }

void Dispatcher::set_configured_weight(ServerId s, unsigned weight) {
  servers_[s].weight = weight;
  if (cfg_.scheduler == SchedulerKind::Manager) {
    milli_[s] = weight > 0 ? prior_milli(s) : 0;
    publish(milli_);
  } else {
    refresh_static_weights();
  }
}

// ---- the manager -----------------------------------------------------------------------------

bool Dispatcher::poll(Time now, std::span<const ServerConns> conns) {
  if (cfg_.scheduler != SchedulerKind::Manager || now < next_update_) return false;
  next_update_ = now + cfg_.manager.update_interval;
  const std::uint64_t before = counters_.manager_updates;
  manager_update(conns);
  return counters_.manager_updates != before;
}

// Our formula (docs/protocols.md, "The manager's weights"): for each input a score around 1.0
// that says how much lighter than the cluster's average this server is, per unit of its
// configured weight; the proportions mix the scores; the target weight is configured weight x
// score, scaled so live servers average weight_bound / 2 and bounded to [1, weight_bound]; the
// smoothing index moves each weight 1/index of the way to its target; and nothing changes
// unless the total moves by more than the sensitivity.
void Dispatcher::manager_update(std::span<const ServerConns> conns) {
  const ManagerConfig& m = cfg_.manager;
  const std::size_t n = servers_.size();
  auto& live = live_;
  live.clear();
  for (ServerId s = 0; s < n; ++s)
    if (up_[s] && servers_[s].weight > 0) live.push_back(s);

  auto& fresh = fresh_;
  fresh.assign(n, 0);
  for (ServerId s = 0; s < n; ++s) {
    const std::uint64_t created = s < conns.size() ? conns[s].created : 0;
    fresh[s] = created - std::min(created, created_at_update_[s]);
    created_at_update_[s] = created;
  }
  if (live.empty()) {
    publish(milli_);
    return;
  }

  std::int64_t capacity = 0;
  for (ServerId s : live) capacity += servers_[s].weight;
  auto& score = score_;
  score.assign(n, 0);

  // Counts (active connections, new connections): lighter than average per unit of weight
  // scores above 1. Adding one to every count keeps an idle server finite and damps noise.
  auto count_score = [&](unsigned proportion, auto&& milli_count_of) {
    if (proportion == 0) return;
    std::int64_t total = 0;
    for (ServerId s : live) total += milli_count_of(s) + 1000;
    for (ServerId s : live) {
      const std::int64_t mine = milli_count_of(s) + 1000;
      const std::int64_t sc = total * servers_[s].weight * kOne / (mine * capacity);
      score[s] += proportion * std::min(sc, kScoreCap);
    }
  };
  // Active connections averaged over the interval (sampled at every dispatch), so that a
  // snapshot's phase noise on small counts does not move the weights.
  count_score(m.proportions[0], [&](ServerId s) -> std::int64_t {
    if (active_samples_ > 0) return active_sum_[s] * 1000 / active_samples_;
    return s < conns.size() ? std::int64_t{conns[s].active} * 1000 : 0;
  });
  count_score(m.proportions[1], [&](ServerId s) { return static_cast<std::int64_t>(fresh[s]) * 1000; });
  std::fill(active_sum_.begin(), active_sum_.end(), 0);
  active_samples_ = 0;

  // Response time from the advisor: faster than the average of those measured scores above 1.
  if (m.proportions[2] > 0) {
    std::int64_t sum = 0, measured = 0;
    for (ServerId s : live)
      if (has_response_time_[s]) sum += response_time_[s].nanos(), ++measured;
    const std::int64_t floor = m.response_time_floor.nanos();
    for (ServerId s : live) {
      std::int64_t sc = kOne;
      if (measured > 0 && has_response_time_[s])
        sc = std::min(kScoreCap, (sum / measured + floor) * kOne / (response_time_[s].nanos() + floor));
      score[s] += m.proportions[2] * sc;
    }
  }
  // ND's system metric (a load percentage reported by the server).
  if (m.proportions[3] > 0) {
    std::int64_t sum = 0;
    for (ServerId s : live) sum += system_load_[s];
    const auto count = static_cast<std::int64_t>(live.size());
    for (ServerId s : live) {
      const std::int64_t sc = (sum + count) * kOne / ((std::int64_t{system_load_[s]} + 1) * count);
      score[s] += m.proportions[3] * std::min(sc, kScoreCap);
    }
  }

  const std::int64_t wb = m.weight_bound;
  std::int64_t target_total = 0;
  auto& target = target_;
  target.assign(n, 0);
  for (ServerId s : live) {
    target[s] = servers_[s].weight * (score[s] / 100);
    target_total += target[s];
  }
  auto& next = next_milli_;
  next = milli_;
  std::int64_t change = 0, total = 0;
  for (ServerId s : live) {
    std::int64_t t = target_total > 0
                         ? target[s] * static_cast<std::int64_t>(live.size()) * wb * 500 / target_total
                         : prior_milli(s);
    t = std::clamp<std::int64_t>(t, 1000, wb * 1000);
    const std::int64_t old = milli_[s];
    next[s] = std::clamp<std::int64_t>(old + (t - old) * 1000 / m.smoothing_milli, 1000, wb * 1000);
    change += next[s] > old ? next[s] - old : old - next[s];
    total += old;
  }
  if (change * 100 <= std::int64_t{m.sensitivity_percent} * total) {
    ++counters_.manager_skipped;
    return;
  }
  milli_.swap(next);
  publish(milli_);
  ++counters_.manager_updates;
}

// ---- choosing --------------------------------------------------------------------------------

ServerId Dispatcher::choose_server(std::span<const ServerConns> conns) {
  ServerId s = kNoServer;
  switch (cfg_.scheduler) {
    case SchedulerKind::RoundRobin:
      s = choose_rr();
      break;
    case SchedulerKind::WeightedRoundRobin:
      s = choose_wrr();
      break;
    case SchedulerKind::LeastConnections:
      s = choose_lc(conns);
      break;
    case SchedulerKind::WeightedLeastConnections:
      s = choose_wlc(conns);
      break;
    case SchedulerKind::Manager:
      for (ServerId i = 0; i < servers_.size() && i < conns.size(); ++i) active_sum_[i] += conns[i].active;
      ++active_samples_;
      s = choose_smooth();
      break;
  }
  ++(s == kNoServer ? counters_.no_server : counters_.chosen);
  return s;
}

// IPVS ip_vs_rr_schedule: the next server after the last one chosen with a weight above 0.
ServerId Dispatcher::choose_rr() {
  const int n = static_cast<int>(servers_.size());
  for (int k = 0; k < n; ++k) {
    const int i = (rr_last_ + 1 + k) % n;
    if (weights_[i] > 0) {
      rr_last_ = i;
      return static_cast<ServerId>(i);
    }
  }
  return kNoServer;
}

// IPVS ip_vs_wrr_dest_changed: restart from the list head and recompute gcd and max.
void Dispatcher::wrr_reset() {
  int g = 0, mx = 0;
  for (unsigned w : weights_) {
    const int wi = static_cast<int>(w);
    if (wi > 0) g = g > 0 ? std::gcd(g, wi) : wi;
    mx = std::max(mx, wi);
  }
  wrr_cl_ = -1;
  wrr_di_ = g > 0 ? g : 1;
  wrr_mw_ = mx - (wrr_di_ - 1);
  if (wrr_cw_ > wrr_mw_ || wrr_cw_ == 0)
    wrr_cw_ = wrr_mw_;
  else if (wrr_di_ > 1)
    wrr_cw_ = (wrr_cw_ / wrr_di_) * wrr_di_ + 1;
}

// IPVS ip_vs_wrr_schedule: passes over the list with a falling required weight cw, from
// max - (gcd - 1) down to 1 in steps of gcd; a server is chosen when its weight reaches cw.
ServerId Dispatcher::choose_wrr() {
  const int n = static_cast<int>(servers_.size());
  if (wrr_mw_ <= 0) return kNoServer;
  int dest = wrr_cl_;
  const int last = dest;
  int stop = -2;  // none
  bool last_pass = false, restarted = false;
  for (;;) {
    for (int i = dest + 1; i < n; ++i) {
      if (static_cast<int>(weights_[i]) >= wrr_cw_) {
        wrr_cl_ = i;
        return static_cast<ServerId>(i);
      }
      if (i == stop) {
        wrr_cl_ = i;
        return kNoServer;
      }
    }
    dest = -1;  // back at the list head
    wrr_cw_ -= wrr_di_;
    if (wrr_cw_ <= 0) {
      wrr_cw_ = wrr_mw_;
      if (last_pass || last == -1) {
        wrr_cl_ = dest;
        return kNoServer;
      }
      restarted = true;
    }
    last_pass = wrr_cw_ <= wrr_di_;
    if (last_pass && restarted && last != -1) stop = last;
  }
}

namespace {
// IPVS ip_vs_dest_conn_overhead(): active connections weigh 256 inactive ones.
std::int64_t overhead(std::span<const ServerConns> conns, ServerId s) {
  if (s >= conns.size()) return 0;
  return std::int64_t{conns[s].active} * 256 + conns[s].inactive;
}
}  // namespace

// IPVS ip_vs_lc_schedule: the first server with the least overhead, weight 0 skipped.
ServerId Dispatcher::choose_lc(std::span<const ServerConns> conns) const {
  ServerId least = kNoServer;
  std::int64_t loh = 0;
  for (ServerId s = 0; s < servers_.size(); ++s) {
    if (weights_[s] == 0) continue;
    const std::int64_t doh = overhead(conns, s);
    if (least == kNoServer || doh < loh) least = s, loh = doh;
  }
  return least;
}

// IPVS ip_vs_wlc_schedule: least overhead per weight, compared by cross-multiplication
// (loh * w_d > doh * w_least) so that no division rounds.
ServerId Dispatcher::choose_wlc(std::span<const ServerConns> conns) const {
  ServerId least = kNoServer;
  for (ServerId s = 0; s < servers_.size(); ++s)
    if (weights_[s] > 0) {
      least = s;
      break;
    }
  if (least == kNoServer) return kNoServer;
  std::int64_t loh = overhead(conns, least);
  for (ServerId s = least + 1; s < servers_.size(); ++s) {
    const std::int64_t doh = overhead(conns, s);
    if (loh * weights_[s] > doh * weights_[least]) least = s, loh = doh;
  }
  return least;
}

// Within one manager interval: smooth weighted round robin (nginx's), which spreads each
// server's share evenly through the interval instead of in runs.
ServerId Dispatcher::choose_smooth() {
  std::int64_t total = 0;
  ServerId best = kNoServer;
  for (ServerId s = 0; s < servers_.size(); ++s) {
    if (weights_[s] == 0) continue;
    swrr_current_[s] += weights_[s];
    total += weights_[s];
    if (best == kNoServer || swrr_current_[s] > swrr_current_[best]) best = s;
  }
  if (best != kNoServer) swrr_current_[best] -= total;
  return best;
}

}  // namespace nlb::protocols
