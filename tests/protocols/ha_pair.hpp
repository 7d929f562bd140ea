#pragma once
// Two BalancerHa machines joined by a heartbeat path, with no network underneath, for the
// tests: heartbeats arrive after a fixed delay on each direction that is up; a bulk sync asked
// for by one side makes the other Synchronizing at once and Synchronized `bulk_duration` later
// (what the node glue reports from the sync receiver). It also plays the firewall's ARP entry
// for the NLBS address: the last balancer to broadcast a gratuitous ARP owns it.

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "models/protocols/balancer_ha.hpp"

namespace nlb::protocols::test {

inline HaConfig ha_config(HaRole role, std::uint8_t last_octet) {
  HaConfig c;
  c.role = role;
  c.own_address = wire::Ipv4(10, 1, 0, last_octet);
  c.nlbs_address = wire::Ipv4(10, 1, 0, 100);
  return c;
}

class HaPair {
 public:
  struct Event {
    Time at;
    std::size_t node;
    ha::Action action;
  };

  HaPair(HaConfig a, HaConfig b) : cfg_{a, b}, nodes_{BalancerHa(a), BalancerHa(b)} {}

  BalancerHa& node(std::size_t i) { return nodes_[i]; }
  Time now() const { return now_; }
  void set_delay(Time d) { delay_ = d; }
  void set_bulk_duration(Time d) { bulk_duration_ = d; }
  void set_path(std::size_t from, std::size_t to, bool up) { up_[from][to] = up; }
  void cut() { up_ = {{{true, false}, {false, true}}}; }
  void heal() { up_ = {{{true, true}, {true, true}}}; }

  void start(std::size_t i) {
    running_[i] = true;
    apply(i, nodes_[i].start(now_));
  }
  void stop(std::size_t i) { apply(i, nodes_[i].stop(now_)); }
  // The machine dies silently (power off): no heartbeat, no release.
  void crash(std::size_t i) { running_[i] = false; }
  // A crashed machine boots again with nothing in memory.
  void reboot(std::size_t i) {
    nodes_[i] = BalancerHa(cfg_[i]);
    alias_[i] = false;
    start(i);
  }
  void reach(std::size_t i, std::uint8_t reached, std::uint8_t total) {
    apply(i, nodes_[i].on_reach(now_, reached, total));
  }
  void takeover(std::size_t i) { apply(i, nodes_[i].takeover(now_)); }

  void run_until(Time end) {
    for (;;) {
      Time next = Time::max();
      for (std::size_t i = 0; i < 2; ++i)
        if (running_[i]) next = std::min(next, nodes_[i].next_deadline());
      for (auto& f : flight_) next = std::min(next, f.at);
      if (next > end) break;
      now_ = next;
      deliver_due();
      for (std::size_t i = 0; i < 2; ++i)
        if (running_[i] && nodes_[i].next_deadline() <= now_) apply(i, nodes_[i].poll(now_));
      deliver_due();
    }
    now_ = end;
  }

  const std::vector<Event>& log() const { return log_; }
  Time entered(std::size_t i, HaState to) const {
    Time t = Time::max();
    for (const auto& e : log_)
      if (auto* s = std::get_if<ha::StateChanged>(&e.action); s && e.node == i && s->to == to) t = e.at;
    return t;
  }
  template <typename A>
  std::vector<std::pair<Time, A>> all(std::size_t i) const {
    std::vector<std::pair<Time, A>> out;
    for (const auto& e : log_)
      if (auto* a = std::get_if<A>(&e.action); a && e.node == i) out.emplace_back(e.at, *a);
    return out;
  }
  bool has_alias(std::size_t i) const { return alias_[i]; }
  bool forwarding(std::size_t i) const { return forwarding_[i]; }
  // Who the firewall's ARP entry for the NLBS address points at (last GARP), if anyone.
  std::optional<std::size_t> arp_owner() const { return arp_owner_; }
  Time arp_owner_since() const { return arp_owner_since_; }

 private:
  struct InFlight {
    Time at;
    std::size_t to;
    bool heartbeat;  // else: a sync status change from the glue
    wire::HaHeartbeat hb;
    HaSyncStatus status;
  };

  void apply(std::size_t i, const BalancerHa::Actions& actions) {
    for (const auto& a : actions) {
      log_.push_back({now_, i, a});
      const std::size_t peer = 1 - i;
      if (auto* h = std::get_if<ha::SendHeartbeat>(&a)) {
        if (up_[i][peer]) flight_.push_back({now_ + delay_, peer, true, h->heartbeat, {}});
      } else if (std::holds_alternative<ha::AddAlias>(a)) {
        alias_[i] = true;
      } else if (std::holds_alternative<ha::RemoveAlias>(a)) {
        alias_[i] = false;
      } else if (auto* f = std::get_if<ha::SetForwarding>(&a)) {
        forwarding_[i] = f->on;
      } else if (std::holds_alternative<ha::SendGratuitousArp>(a)) {
        arp_owner_ = i;
        arp_owner_since_ = now_;
      } else if (std::holds_alternative<ha::StartBulkSync>(a) && up_[i][peer]) {
        flight_.push_back({now_ + delay_, peer, false, {}, HaSyncStatus::Synchronizing});
        flight_.push_back({now_ + delay_ + bulk_duration_, peer, false, {}, HaSyncStatus::Synchronized});
      }
    }
  }
  void deliver_due() {
    for (std::size_t k = 0; k < flight_.size();) {
      if (flight_[k].at > now_) {
        ++k;
        continue;
      }
      InFlight f = flight_[k];
      flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(k));
      k = 0;
      if (!running_[f.to]) continue;
      if (f.heartbeat)
        apply(f.to, nodes_[f.to].on_heartbeat(now_, f.hb, cfg_[1 - f.to].own_address));
      else
        apply(f.to, nodes_[f.to].set_sync_status(now_, f.status));
    }
  }

  std::array<HaConfig, 2> cfg_;
  std::array<BalancerHa, 2> nodes_;
  std::array<bool, 2> running_{false, false};
  std::array<std::array<bool, 2>, 2> up_{{{true, true}, {true, true}}};
  std::array<bool, 2> alias_{false, false};
  std::array<bool, 2> forwarding_{false, false};
  std::optional<std::size_t> arp_owner_;
  Time arp_owner_since_;
  std::vector<InFlight> flight_;
  std::vector<Event> log_;
  Time now_;
  Time delay_ = Time::us(100);
  Time bulk_duration_ = Time::ms(300);
};

}  // namespace nlb::protocols::test
