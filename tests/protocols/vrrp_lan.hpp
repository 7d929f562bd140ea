#pragma once
// A LAN of VRRP routers for the tests, with no network underneath: adverts a router sends are
// handed to every other router whose direction is up, after a fixed delay. Time advances from
// deadline to deadline exactly as the node glue's sim::Timer would.

#include <cstddef>
#include <string>
#include <vector>

#include "models/protocols/vrrp.hpp"

namespace nlb::protocols::test {

class VrrpLan {
 public:
  struct Event {
    Time at;
    std::size_t router;
    vrrp::Action action;
  };

  std::size_t add(VrrpConfig cfg) {
    routers_.emplace_back(std::move(cfg));
    for (auto& row : up_) row.push_back(true);
    up_.emplace_back(routers_.size(), true);
    return routers_.size() - 1;
  }
  VrrpInstance& router(std::size_t i) { return routers_[i]; }
  Time now() const { return now_; }
  void set_delay(Time d) { delay_ = d; }
  // Adverts from `from` reach `to` or not.
  void set_path(std::size_t from, std::size_t to, bool up) { up_[from][to] = up; }
  void cut_both_ways(std::size_t a, std::size_t b) {
    set_path(a, b, false);
    set_path(b, a, false);
  }
  void heal_both_ways(std::size_t a, std::size_t b) {
    set_path(a, b, true);
    set_path(b, a, true);
  }

  void startup(std::size_t i) { apply(i, routers_[i].startup(now_)); }
  void shutdown(std::size_t i) { apply(i, routers_[i].shutdown(now_)); }

  void run_until(Time end) {
    for (;;) {
      Time next = Time::max();
      for (auto& r : routers_) next = std::min(next, r.next_deadline());
      for (auto& f : flight_) next = std::min(next, f.at);
      if (next > end) break;
      now_ = next;
      deliver_due();
      for (std::size_t i = 0; i < routers_.size(); ++i)
        if (routers_[i].next_deadline() <= now_) apply(i, routers_[i].poll(now_));
      deliver_due();
    }
    now_ = end;
  }

  const std::vector<Event>& log() const { return log_; }
  // When router i last entered `to`, or Time::max().
  Time entered(std::size_t i, VrrpState to) const {
    Time t = Time::max();
    for (const auto& e : log_)
      if (auto* s = std::get_if<vrrp::StateChanged>(&e.action); s && e.router == i && s->to == to) t = e.at;
    return t;
  }
  template <typename A>
  std::size_t count(std::size_t i, Time from = Time::zero(), Time to = Time::max()) const {
    std::size_t n = 0;
    for (const auto& e : log_)
      if (e.router == i && e.at >= from && e.at <= to && std::holds_alternative<A>(e.action)) ++n;
    return n;
  }

 private:
  struct InFlight {
    Time at;
    std::size_t to;
    VrrpAdvert advert;
  };

  void apply(std::size_t i, const VrrpInstance::Actions& actions) {
    for (const auto& a : actions) {
      log_.push_back({now_, i, a});
      if (auto* ad = std::get_if<vrrp::SendAdvert>(&a)) {
        for (std::size_t j = 0; j < routers_.size(); ++j)
          if (j != i && up_[i][j])
            flight_.push_back(
                {now_ + delay_, j,
                 VrrpAdvert{routers_[i].config().primary_address, ad->priority, ad->max_adver_int}});
      }
    }
  }
  void deliver_due() {
    // In send order, including adverts sent in reaction to a delivery at the same instant.
    for (std::size_t k = 0; k < flight_.size();) {
      if (flight_[k].at > now_) {
        ++k;
        continue;
      }
      InFlight f = flight_[k];
      flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(k));
      apply(f.to, routers_[f.to].on_advert(now_, f.advert));
      k = 0;
    }
  }

  std::vector<VrrpInstance> routers_;
  std::vector<std::vector<bool>> up_;
  std::vector<InFlight> flight_;
  std::vector<Event> log_;
  Time now_;
  Time delay_;
};

inline VrrpConfig vrrp_config(std::uint8_t priority, std::uint8_t last_octet,
                              VrrpFlavor flavor = VrrpFlavor::Rfc) {
  VrrpConfig c;
  c.vrid = 7;
  c.priority = priority;
  c.flavor = flavor;
  c.primary_address = wire::Ipv4(10, 1, 0, last_octet);
  c.interface_mac = wire::Mac::local(last_octet);
  c.virtual_addresses = {wire::Ipv4(10, 1, 0, 254)};
  return c;
}

}  // namespace nlb::protocols::test
