#include "models/protocols/vrrp.hpp"

#include <algorithm>

namespace nlb::protocols {

const char* to_string(VrrpState s) {
  switch (s) {
    case VrrpState::Initialize:
      return "initialize";
    case VrrpState::Backup:
      return "backup";
    case VrrpState::Master:
      return "master";
  }
  return "?";
}

// ---- timing ----------------------------------------------------------------------------------

Time vrrp_skew_time(VrrpVersion v, VrrpFlavor f, std::uint8_t priority, Time master_adver_interval) {
  const std::int64_t weight = 256 - std::int64_t{priority};
  if (f == VrrpFlavor::Keepalived) {
    // keepalived vrrp.h VRRP_TIMER_SKEW_CALC, in integer microseconds: v3 scales with the
    // interval in centiseconds (625/16 = 1e6 us / 100 cs / 256), v2 is (256-prio)/256 s.
    if (v == VrrpVersion::V3) {
      const std::int64_t cs = master_adver_interval.nanos() / 1000 / 10000;
      return Time::us((weight * cs * 625) / 16);
    }
    return Time::us(weight * 1'000'000 / 256);
  }
  // RFC 5798 6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
  if (v == VrrpVersion::V3) return Time::ns(weight * master_adver_interval.nanos() / 256);
  // RFC 3768 6.1: Skew_Time = (256 - Priority) / 256 seconds.
  return Time::ns(weight * 1'000'000'000 / 256);
}

Time vrrp_master_down_interval(VrrpVersion v, VrrpFlavor f, std::uint8_t priority, Time master_adver_interval,
                               unsigned down_adverts) {
  // RFC 5798 6.1: Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time; keepalived
  // makes the 3 configurable (down_timer_adverts).
  return master_adver_interval * std::int64_t{down_adverts} +
         vrrp_skew_time(v, f, priority, master_adver_interval);
}

std::uint16_t vrrp_interval_to_wire(VrrpVersion v, Time interval) {
  if (v == VrrpVersion::V3) return static_cast<std::uint16_t>(interval / Time::ms(10));
  return static_cast<std::uint16_t>(interval / Time::s(1));
}

Time vrrp_interval_from_wire(VrrpVersion v, std::uint16_t field) {
  if (v == VrrpVersion::V3) return Time::ms(10) * std::int64_t{field & 0x0fff};
  return Time::s(field);
}

// ---- configuration ---------------------------------------------------------------------------

std::string VrrpConfig::check() const {
  if (vrid == 0) return "vrid: must be 1..255 (RFC 5798 5.2.3)";
  if (priority == 0) return "priority: 0 is reserved for a master that stops (RFC 5798 5.2.4)";
  if (version == VrrpVersion::V3) {
    if (advert_interval <= Time::zero() || advert_interval % Time::ms(10) != Time::zero() ||
        advert_interval > Time::ms(40950))
      return "advert_interval: VRRPv3 needs a multiple of 10 ms from 10 ms to 40.95 s (RFC 5798 5.2.7)";
  } else if (advert_interval < Time::s(1) || advert_interval % Time::s(1) != Time::zero() ||
             advert_interval > Time::s(255)) {
    return "advert_interval: VRRPv2 needs whole seconds from 1 to 255 (RFC 3768 5.3.7)";
  }
  if (virtual_addresses.empty()) return "virtual_addresses: at least one address (RFC 5798 5.2.5)";
  if (virtual_addresses.size() > 255) return "virtual_addresses: at most 255 (the count field is 8 bits)";
  if (primary_address.is_unspecified())
    return "primary_address: the router's own address on the LAN is needed";
  if (preempt_delay < Time::zero() || preempt_delay > Time::s(1000))
    return "preempt_delay: 0 to 1000 s (keepalived.conf(5))";
  if (flavor == VrrpFlavor::Keepalived) {
    if (keepalived.down_timer_adverts < 1 || keepalived.down_timer_adverts > 100)
      return "keepalived.down_timer_adverts: 1 to 100 (keepalived.conf(5))";
    if (keepalived.garp_master_repeat < 1) return "keepalived.garp_master_repeat: at least 1";
    if (keepalived.garp_master_delay < Time::zero() || keepalived.garp_master_refresh < Time::zero())
      return "keepalived.garp_master_delay/refresh: must not be negative";
    if (keepalived.garp_lower_prio_delay < Time::zero() || keepalived.garp_interval < Time::zero())
      return "keepalived.garp_lower_prio_delay/garp_interval: must not be negative";
  }
  return {};
}

wire::Mac VrrpConfig::virtual_router_mac() const {
  // RFC 5798 7.3: the virtual router MAC; keepalived without use_vmac keeps the real one.
  return flavor == VrrpFlavor::Rfc ? wire::Mac::vrrp_virtual(vrid) : interface_mac;
}

// ---- state machine ---------------------------------------------------------------------------

VrrpInstance::VrrpInstance(VrrpConfig config)
    : cfg_(std::move(config)), master_adver_interval_(cfg_.advert_interval) {}

unsigned VrrpInstance::down_adverts() const {
  return cfg_.flavor == VrrpFlavor::Keepalived ? cfg_.keepalived.down_timer_adverts : 3;
}

Time VrrpInstance::skew_time() const {
  return vrrp_skew_time(cfg_.version, cfg_.flavor, cfg_.priority, master_adver_interval_);
}

Time VrrpInstance::master_down_interval() const {
  return vrrp_master_down_interval(cfg_.version, cfg_.flavor, cfg_.priority, master_adver_interval_,
                                   down_adverts());
}

Time VrrpInstance::learned_interval(const VrrpAdvert& ad) const {
  // RFC 5798 6.4.2: a v3 Backup adopts the master's interval; v2 has only the configured one.
  if (cfg_.version == VrrpVersion::V2) return cfg_.advert_interval;
  return vrrp_interval_from_wire(VrrpVersion::V3, ad.max_adver_int);
}

Time VrrpInstance::next_deadline() const {
  switch (state_) {
    case VrrpState::Backup:
      return master_down_at_;
    case VrrpState::Master:
      return std::min({adver_at_, garp_burst_at_, garp_refresh_at_, garp_lower_at_});
    case VrrpState::Initialize:
      break;
  }
  return Time::max();
}

void VrrpInstance::cancel_timers() {
  adver_at_ = master_down_at_ = garp_burst_at_ = garp_refresh_at_ = garp_lower_at_ = Time::max();
}

void VrrpInstance::send_advert(std::uint8_t priority, Actions& out) {
  ++counters_.adverts_sent;
  if (priority == 0) ++counters_.priority_zero_sent;
  out.push(vrrp::SendAdvert{priority, vrrp_interval_to_wire(cfg_.version, cfg_.advert_interval),
                            cfg_.virtual_router_mac()});
}

void VrrpInstance::send_garps(unsigned count, const char* why, Actions& out) {
  counters_.garps_sent += std::uint64_t{count} * cfg_.virtual_addresses.size();
  out.push(vrrp::SendGratuitousArps{cfg_.virtual_router_mac(), count, why});
}

void VrrpInstance::become_master(Time now, const char* why, Actions& out) {
  const VrrpState from = state_;
  state_ = VrrpState::Master;
  ++counters_.became_master;
  cancel_timers();
  preempt_until_ = Time::max();
  out.push(vrrp::StateChanged{from, VrrpState::Master, why});
  // RFC 5798 6.4.3: forward for the virtual MAC and answer ARP; accept datagrams to the
  // virtual addresses only as owner or with Accept_Mode.
  out.push(vrrp::ClaimAddresses{cfg_.virtual_router_mac(), cfg_.owner() || cfg_.accept_mode});
  // RFC 5798 6.4.1/6.4.2: send an ADVERTISEMENT, broadcast a gratuitous ARP per address, arm
  // the Adver_Timer.
  send_advert(cfg_.priority, out);
  const bool ka = cfg_.flavor == VrrpFlavor::Keepalived;
  send_garps(ka ? cfg_.keepalived.garp_master_repeat : 1, "master entry", out);
  adver_at_ = now + cfg_.advert_interval;
  if (ka) {
    // keepalived vrrp_state_become_master: a second burst after garp_master_delay, then the
    // optional periodic refresh (keepalived#20: routers that keep a stale entry for hours).
    if (cfg_.keepalived.garp_master_delay > Time::zero())
      garp_burst_at_ = now + cfg_.keepalived.garp_master_delay;
    if (cfg_.keepalived.garp_master_refresh > Time::zero())
      garp_refresh_at_ = now + cfg_.keepalived.garp_master_refresh;
  }
}

void VrrpInstance::become_backup(Time now, Time down_after, const char* why, Actions& out) {
  const VrrpState from = state_;
  state_ = VrrpState::Backup;
  cancel_timers();
  master_down_at_ = now + down_after;
  out.push(vrrp::StateChanged{from, VrrpState::Backup, why});
  // RFC 5798 6.4.2: a Backup answers no ARP for the addresses and drops frames to the vMAC.
  if (from == VrrpState::Master) out.push(vrrp::ReleaseAddresses{cfg_.virtual_router_mac()});
}

VrrpInstance::Actions VrrpInstance::startup(Time now) {
  Actions out;
  if (state_ != VrrpState::Initialize) return out;
  master_adver_interval_ = cfg_.advert_interval;
  if (cfg_.owner()) {
    // RFC 5798 6.4.1: the address owner becomes Master at once.
    become_master(now, "startup as address owner", out);
    return out;
  }
  if (cfg_.preempt_delay > Time::zero()) preempt_until_ = now + cfg_.preempt_delay;
  Time wait = master_down_interval();
  if (cfg_.flavor == VrrpFlavor::Keepalived && cfg_.keepalived.start_as_master) {
    // keepalived vrrp_init_state with "state MASTER" (not owner): one interval plus the
    // smallest skew, so a configured master wins the first election quickly.
    wait = master_adver_interval_ + vrrp_skew_time(cfg_.version, cfg_.flavor, 255, master_adver_interval_);
  }
  // RFC 5798 6.4.1: Master_Down_Timer = Master_Down_Interval, transition to Backup.
  become_backup(now, wait, "startup", out);
  return out;
}

VrrpInstance::Actions VrrpInstance::shutdown(Time) {
  Actions out;
  const VrrpState from = state_;
  if (from == VrrpState::Master) {
    // RFC 5798 6.4.3: send an ADVERTISEMENT with Priority = 0 so that a Backup takes over
    // after Skew_Time instead of Master_Down_Interval.
    send_advert(0, out);
    out.push(vrrp::ReleaseAddresses{cfg_.virtual_router_mac()});
  }
  cancel_timers();
  preempt_until_ = Time::max();
  state_ = VrrpState::Initialize;
  if (from != VrrpState::Initialize) out.push(vrrp::StateChanged{from, VrrpState::Initialize, "shutdown"});
  return out;
}

bool VrrpInstance::preempt_delay_running(Time now) const {
  return preempt_until_ != Time::max() && now < preempt_until_;
}

VrrpInstance::Actions VrrpInstance::on_advert(Time now, const VrrpAdvert& ad) {
  Actions out;
  if (state_ == VrrpState::Initialize) return out;
  ++counters_.adverts_received;
  if (ad.source == cfg_.primary_address) {
    ++counters_.adverts_discarded;  // our own advert looped back by the LAN
    return out;
  }
  if (cfg_.version == VrrpVersion::V2 &&
      vrrp_interval_from_wire(VrrpVersion::V2, ad.max_adver_int) != cfg_.advert_interval) {
    ++counters_.adverts_discarded;  // RFC 3768 7.1: the Adver Interval must match ours
    return out;
  }
  if (cfg_.version == VrrpVersion::V3 && ad.priority != 0 && (ad.max_adver_int & 0x0fff) == 0) {
    ++counters_.adverts_discarded;  // an interval of 0 would make Master_Down_Interval 0
    return out;
  }
  if (state_ == VrrpState::Backup)
    on_advert_in_backup(now, ad);
  else
    on_advert_in_master(now, ad, out);
  return out;
}

void VrrpInstance::on_advert_in_backup(Time now, const VrrpAdvert& ad) {
  if (ad.priority == 0) {
    // RFC 5798 6.4.2: the master is stopping; wait only Skew_Time so the best backup wins.
    ++counters_.priority_zero_received;
    master_down_at_ = now + skew_time();
    return;
  }
  if (ad.priority >= cfg_.priority) {
    preempt_until_ = Time::max();  // keepalived: a better master stops the preempt delay
  } else if (cfg_.preempt && cfg_.preempt_delay > Time::zero() && preempt_until_ == Time::max()) {
    preempt_until_ = now + cfg_.preempt_delay;  // keepalived: delay starts at the first lower advert
  }
  // RFC 5798 6.4.2: accept if Preempt_Mode is False or the sender is at least as good as us;
  // keepalived also accepts lower adverts while its preempt delay runs.
  const bool accept = !cfg_.preempt || ad.priority >= cfg_.priority || preempt_delay_running(now);
  if (!accept) {
    ++counters_.adverts_discarded;  // we will preempt when the Master_Down_Timer fires
    return;
  }
  master_adver_interval_ = learned_interval(ad);
  master_address_ = ad.source;
  master_down_at_ = now + master_down_interval();
}

void VrrpInstance::on_advert_in_master(Time now, const VrrpAdvert& ad, Actions& out) {
  if (ad.priority == 0) {
    // RFC 5798 6.4.3: another router released; re-assert at once.
    ++counters_.priority_zero_received;
    send_advert(cfg_.priority, out);
    adver_at_ = now + cfg_.advert_interval;
    return;
  }
  const bool higher = ad.priority > cfg_.priority;
  const bool tie_lost = ad.priority == cfg_.priority && ad.source > cfg_.primary_address;
  const bool ka = cfg_.flavor == VrrpFlavor::Keepalived;
  if (higher || tie_lost) {
    // keepalived higher_prio_send_advert: one last advert, so that the winner hears a lower
    // priority and refreshes the ARP caches that still point at us (keepalived#542).
    if (ka && cfg_.keepalived.higher_prio_send_advert) send_advert(cfg_.priority, out);
    // RFC 5798 6.4.3: cancel the Adver_Timer, learn the interval, arm the Master_Down_Timer,
    // go Backup.
    master_adver_interval_ = learned_interval(ad);
    master_address_ = ad.source;
    become_backup(now, master_down_interval(),
                  higher ? "higher priority advert" : "equal priority, greater address", out);
    return;
  }
  if (!ka) {
    ++counters_.adverts_discarded;  // RFC 5798 6.4.3: discard
    return;
  }
  if (!cfg_.keepalived.lower_prio_no_advert) {
    // RFC 9568 6.4.3 as keepalived does by default: answer a lower-priority master at once so
    // that it sees us and steps down.
    send_advert(cfg_.priority, out);
    adver_at_ = now + cfg_.advert_interval;
  }
  // keepalived vrrp_state_master_rx: the other router may have announced itself as master
  // (both were master): refresh the remote ARP caches, now and after garp_lower_prio_delay.
  if (cfg_.keepalived.garp_lower_prio_repeat > 0) {
    send_garps(cfg_.keepalived.garp_lower_prio_repeat, "lower priority advert", out);
    if (cfg_.keepalived.garp_lower_prio_delay > Time::zero())
      garp_lower_at_ = now + cfg_.keepalived.garp_lower_prio_delay;
  }
}

VrrpInstance::Actions VrrpInstance::poll(Time now) {
  Actions out;
  if (state_ == VrrpState::Backup && master_down_at_ <= now) {
    become_master(now, "master down timer expired", out);
    return out;
  }
  if (state_ != VrrpState::Master) return out;
  if (adver_at_ <= now) {
    send_advert(cfg_.priority, out);
    adver_at_ = now + cfg_.advert_interval;
  }
  if (garp_burst_at_ <= now) {
    send_garps(cfg_.keepalived.garp_master_repeat, "garp_master_delay", out);
    garp_burst_at_ = Time::max();
  }
  if (garp_lower_at_ <= now) {
    send_garps(cfg_.keepalived.garp_lower_prio_repeat, "garp_lower_prio_delay", out);
    garp_lower_at_ = Time::max();
  }
  if (garp_refresh_at_ <= now) {
    send_garps(cfg_.keepalived.garp_master_refresh_repeat, "garp_master_refresh", out);
    garp_refresh_at_ = now + cfg_.keepalived.garp_master_refresh;
  }
  return out;
}

}  // namespace nlb::protocols
