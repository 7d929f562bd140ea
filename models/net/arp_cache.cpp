#include "models/net/arp_cache.hpp"

#include <algorithm>
#include <functional>

#include "models/link/trace_events.hpp"

namespace nlb::net {

using sim::Time;
using wire::Ipv4;
using wire::Mac;

const char* to_string(ArpState s) {
  switch (s) {
    case ArpState::Incomplete:
      return "incomplete";
    case ArpState::Reachable:
      return "reachable";
    case ArpState::Stale:
      return "stale";
    case ArpState::Delay:
      return "delay";
    case ArpState::Probe:
      return "probe";
    case ArpState::Failed:
      return "failed";
    case ArpState::Permanent:
      return "permanent";
  }
  return "?";
}

const char* to_string(ArpChangeKind k) {
  switch (k) {
    case ArpChangeKind::Add:
      return "add";
    case ArpChangeKind::Update:
      return "update";
    case ArpChangeKind::Expire:
      return "expire";
    case ArpChangeKind::Fail:
      return "fail";
  }
  return "?";
}

const char* to_string(GratuitousArp g) {
  switch (g) {
    case GratuitousArp::Update:
      return "update";
    case GratuitousArp::RequestsOnly:
      return "requests-only";
    case GratuitousArp::Ignore:
      return "ignore";
  }
  return "?";
}

ArpCache::ArpCache(sim::Simulation& sim, ArpConfig config, Output& out, sim::RngStream& rng)
    : sim_(sim), config_(config), out_(out), rng_(rng), timer_(sim, [this] { on_timer(); }) {}

Time ArpCache::reachable_time() {
  Time base = config_.base_reachable_time;
  if (!config_.randomize_reachable_time || base < Time::ns(2)) return base;
  // net/core/neighbour.c neigh_rand_reach_time: (random % base) + base/2.
  return rng_.uniform_time(base / 2, base / 2 + base - Time::ns(1));
}

std::optional<Mac> ArpCache::resolve(Ipv4 ip, link::FrameRef& datagram) {
  auto [it, added] = entries_.try_emplace(ip.value());
  Entry& en = it->second;
  if (added) {
    en.e.ip = ip;
    start_resolution(en);
    change(ArpChangeKind::Add, en, Mac::zero());
    enqueue(en, datagram);
    rearm(en);
    return std::nullopt;
  }
  switch (en.e.state) {
    case ArpState::Reachable:
    case ArpState::Permanent:
    case ArpState::Delay:
    case ArpState::Probe:
      return en.e.mac;
    case ArpState::Stale:
      // Linux neigh_event_send: a stale entry is used at once, and checked a little later.
      en.e.state = ArpState::Delay;
      en.e.deadline = sim_.now() + config_.delay_first_probe_time;
      change(ArpChangeKind::Update, en, en.e.mac);
      rearm(en);
      return en.e.mac;
    case ArpState::Incomplete:
      enqueue(en, datagram);
      return std::nullopt;
    case ArpState::Failed: {
      Mac old = en.e.mac;
      start_resolution(en);
      change(ArpChangeKind::Update, en, old);
      enqueue(en, datagram);
      rearm(en);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void ArpCache::start_resolution(Entry& en) {
  en.e.state = ArpState::Incomplete;
  en.e.mac = Mac::zero();
  en.e.probes = 1;
  en.e.deadline = sim_.now() + config_.retrans_time;
  out_.arp_request(en.e.ip, Mac::broadcast());
}

void ArpCache::enqueue(Entry& en, link::FrameRef& datagram) {
  if (en.pending.size() >= config_.queue_limit) {
    out_.arp_drop(std::move(datagram), link::drop::kArpQueueFull);
    return;
  }
  en.pending.push_back(std::move(datagram));
}

void ArpCache::set_valid(Entry& en, Mac mac, bool confirmed) {
  Time now = sim_.now();
  en.e.mac = mac;
  en.e.updated = now;
  en.e.probes = 0;
  if (config_.fixed_lifetime > Time::zero()) {
    en.e.state = ArpState::Reachable;
    en.e.deadline = now + config_.fixed_lifetime;
  } else if (confirmed) {
    en.e.state = ArpState::Reachable;
    en.confirmed = now;
    en.reach = reachable_time();
    en.e.deadline = now + en.reach;
  } else {
    en.e.state = ArpState::Stale;
    en.e.deadline = now + config_.gc_stale_time;
  }
}

ArpCache::Learned ArpCache::input(const wire::Arp& packet, bool for_us, bool solicited) {
  // RFC 5227 2.1.1: a probe's sender address is 0.0.0.0 and must not be learned.
  if (packet.spa.is_unspecified() || packet.sha.is_multicast()) return Learned::Ignored;
  const bool gratuitous = packet.spa == packet.tpa;
  if (gratuitous && !learns_gratuitous(packet.op)) return Learned::Ignored;
  auto it = entries_.find(packet.spa.value());
  if (it == entries_.end()) {
    // RFC 826: "If I am the target protocol address ... add the triplet"; not otherwise
    // (Linux arp_accept=0), so a gratuitous ARP creates an entry only with arp_accept=1.
    if (!for_us && !(gratuitous && config_.accept_unsolicited)) return Learned::Ignored;
    Entry& en = entries_[packet.spa.value()];
    en.e.ip = packet.spa;
    set_valid(en, packet.sha, solicited);
    change(ArpChangeKind::Add, en, Mac::zero());
    rearm(en);
    return Learned::Created;
  }
  Entry& en = it->second;
  if (en.e.state == ArpState::Permanent) return Learned::Ignored;
  // RFC 826 merge rule: the sender is in the table, so its MAC is updated whatever the packet
  // is (request or reply, gratuitous or not, for us or not).
  Mac old_mac = en.e.mac;
  ArpState old_state = en.e.state;
  bool was_valid = old_state != ArpState::Incomplete && old_state != ArpState::Failed;
  bool mac_changed = !was_valid || old_mac != packet.sha;
  if (solicited || mac_changed || config_.fixed_lifetime > Time::zero()) {
    set_valid(en, packet.sha, solicited);
  } else if (old_state != ArpState::Reachable) {
    // Same MAC, unsolicited: Linux's neigh_update leaves a REACHABLE entry alone and makes
    // any other one STALE.
    set_valid(en, packet.sha, false);
  }
  if (old_state == ArpState::Incomplete) release(en);
  if (en.e.mac != old_mac || en.e.state != old_state) change(ArpChangeKind::Update, en, old_mac);
  rearm(en);
  return mac_changed ? Learned::Updated : Learned::Refreshed;
}

bool ArpCache::learns_gratuitous(wire::ArpOp op) const {
  switch (config_.gratuitous) {
    case GratuitousArp::Update:
      return true;
    case GratuitousArp::RequestsOnly:
      return op == wire::ArpOp::Request;
    case GratuitousArp::Ignore:
      return false;
  }
  return true;
}

void ArpCache::confirm(Ipv4 ip) {
  // As Linux's neigh_confirm: only a timestamp; the timers look at it when they fire.
  auto it = entries_.find(ip.value());
  if (it != entries_.end()) it->second.confirmed = sim_.now();
}

void ArpCache::add_static(Ipv4 ip, Mac mac) {
  auto [it, added] = entries_.try_emplace(ip.value());
  Entry& en = it->second;
  Mac old_mac = en.e.mac;
  en.e.ip = ip;
  en.e.mac = mac;
  en.e.state = ArpState::Permanent;
  en.e.updated = sim_.now();
  en.e.deadline = Time::max();
  en.e.probes = 0;
  release(en);
  change(added ? ArpChangeKind::Add : ArpChangeKind::Update, en, old_mac);
  rearm(en);
}

bool ArpCache::remove(Ipv4 ip) {
  auto it = entries_.find(ip.value());
  if (it == entries_.end()) return false;
  expire(it);
  arm_timer();
  return true;
}

void ArpCache::clear(const char* reason) {
  while (!entries_.empty()) {
    auto it = entries_.begin();
    while (!it->second.pending.empty()) out_.arp_drop(it->second.pending.pop_front(), reason);
    expire(it);
  }
  deadlines_.clear();
  timer_.cancel();
}

void ArpCache::release(Entry& en) {
  while (!en.pending.empty()) out_.arp_release(en.pending.pop_front(), en.e.mac);
}

void ArpCache::fail(Entry& en) {
  Mac old_mac = en.e.mac;
  en.e.state = ArpState::Failed;
  en.e.mac = Mac::zero();
  en.e.probes = 0;
  en.e.deadline = sim_.now() + config_.gc_stale_time;
  while (!en.pending.empty()) out_.arp_drop(en.pending.pop_front(), link::drop::kArpFailed);
  change(ArpChangeKind::Fail, en, old_mac);
}

void ArpCache::expire(Map::iterator it) {
  Entry& en = it->second;
  while (!en.pending.empty()) out_.arp_drop(en.pending.pop_front(), link::drop::kArpFailed);
  Mac old_mac = en.e.mac;
  en.e.mac = Mac::zero();
  change(ArpChangeKind::Expire, en, old_mac);
  entries_.erase(it);
}

void ArpCache::change(ArpChangeKind kind, const Entry& en, Mac old_mac) {
  out_.arp_changed(ArpChange{kind, en.e.ip, en.e.mac, old_mac, en.e.state});
}

void ArpCache::on_timer() {
  // Every entry due now, each once and in address order (never in hash or heap order), then
  // their timeouts; a timeout may set a new deadline, which goes back on the heap.
  Time now = sim_.now();
  due_.clear();
  while (!deadlines_.empty() && deadlines_.front().at <= now) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    if (is_current(deadlines_.back())) due_.push_back(deadlines_.back().ip);
    deadlines_.pop_back();
  }
  std::sort(due_.begin(), due_.end());
  due_.erase(std::unique(due_.begin(), due_.end()), due_.end());
  for (std::uint32_t ip : due_) {
    auto it = entries_.find(ip);
    if (it == entries_.end() || it->second.e.deadline > now) continue;
    timeout(it);
    auto still = entries_.find(ip);
    if (still != entries_.end()) push_deadline(still->second);
  }
  arm_timer();
}

void ArpCache::timeout(Map::iterator it) {
  Entry& en = it->second;
  Time now = sim_.now();
  switch (en.e.state) {
    case ArpState::Incomplete:
      if (en.e.probes < config_.mcast_probes) {
        ++en.e.probes;
        en.e.deadline = now + config_.retrans_time;
        out_.arp_request(en.e.ip, Mac::broadcast());
      } else {
        fail(en);
      }
      return;
    case ArpState::Reachable:
      if (config_.fixed_lifetime > Time::zero()) {
        expire(it);
      } else if (en.confirmed + en.reach > now) {
        en.e.deadline = en.confirmed + en.reach;  // confirmed meanwhile: still reachable
      } else {
        en.e.state = ArpState::Stale;
        en.e.deadline = now + config_.gc_stale_time;
        change(ArpChangeKind::Update, en, en.e.mac);
      }
      return;
    case ArpState::Delay:
      if (now - en.confirmed <= config_.delay_first_probe_time) {
        en.e.state = ArpState::Reachable;
        en.e.updated = en.confirmed;
        en.reach = reachable_time();
        en.e.deadline = en.confirmed + en.reach;
        if (en.e.deadline <= now) en.e.deadline = now + en.reach;
      } else {
        en.e.state = ArpState::Probe;
        en.e.probes = 1;
        en.e.deadline = now + config_.retrans_time;
        out_.arp_request(en.e.ip, en.e.mac);
      }
      change(ArpChangeKind::Update, en, en.e.mac);
      return;
    case ArpState::Probe:
      if (en.e.probes < config_.ucast_probes) {
        ++en.e.probes;
        en.e.deadline = now + config_.retrans_time;
        out_.arp_request(en.e.ip, en.e.mac);
      } else {
        fail(en);
      }
      return;
    case ArpState::Stale:
    case ArpState::Failed:
      expire(it);
      return;
    case ArpState::Permanent:
      en.e.deadline = Time::max();
      return;
  }
}

void ArpCache::rearm(const Entry& en) {
  push_deadline(en);
  arm_timer();
}

void ArpCache::push_deadline(const Entry& en) {
  if (en.e.deadline == Time::max()) return;
  // Records of old deadlines stay until they reach the top; rebuilding from the table now and
  // then bounds them (amortised O(1) per push, and the vector's capacity is reused).
  if (deadlines_.size() > 2 * entries_.size() + 64) {
    deadlines_.clear();
    for (const auto& [ip, other] : entries_) {
      if (other.e.deadline != Time::max()) deadlines_.push_back({other.e.deadline, ip});
    }
    std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    return;  // the rebuild included `en`
  }
  deadlines_.push_back({en.e.deadline, en.e.ip.value()});
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
}

bool ArpCache::is_current(const Deadline& d) const {
  auto it = entries_.find(d.ip);
  return it != entries_.end() && it->second.e.deadline == d.at;
}

void ArpCache::arm_timer() {
  while (!deadlines_.empty() && !is_current(deadlines_.front())) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    deadlines_.pop_back();
  }
  if (deadlines_.empty()) {
    timer_.cancel();
  } else if (timer_.expiry() != deadlines_.front().at) {
    timer_.schedule_at(deadlines_.front().at);
  }
}

std::optional<ArpEntry> ArpCache::lookup(Ipv4 ip) const {
  auto it = entries_.find(ip.value());
  if (it == entries_.end()) return std::nullopt;
  ArpEntry e = it->second.e;
  e.queued = static_cast<std::uint32_t>(it->second.pending.size());
  return e;
}

std::vector<ArpEntry> ArpCache::entries() const {
  std::vector<ArpEntry> out;
  out.reserve(entries_.size());
  for (const auto& [ip, en] : entries_) {
    out.push_back(en.e);
    out.back().queued = static_cast<std::uint32_t>(en.pending.size());
  }
  return out;
}

}  // namespace nlb::net
