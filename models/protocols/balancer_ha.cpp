#include "models/protocols/balancer_ha.hpp"

#include <algorithm>
#include <tuple>

namespace nlb::protocols {

const char* to_string(HaRecovery r) { return r == HaRecovery::Auto ? "auto" : "manual"; }

std::string HaConfig::check() const {
  if (role != HaRole::Primary && role != HaRole::Backup) return "role: primary or backup";
  if (heartbeat_interval <= Time::zero()) return "heartbeat_interval: must be positive";
  if (heartbeat_timeout <= heartbeat_interval)
    return "heartbeat_timeout: must be longer than heartbeat_interval (ND: 0.5 s / 2 s)";
  if (nlbs_address.is_unspecified()) return "nlbs_address: the NLBS IP address is needed";
  if (nlbs_prefix_len > 32) return "nlbs_prefix_len: 0 to 32";
  if (own_address.is_unspecified())
    return "own_address: the balancer's address on the heartbeat path is needed";
  if (garp_count < 1) return "garp_count: at least 1 (the seed's gratuitous ARP)";
  if (garp_count > 1 && garp_interval < Time::zero()) return "garp_interval: must not be negative";
  if (sync_wait_limit < Time::zero()) return "sync_wait_limit: must not be negative (0 = no limit)";
  if (garp_refresh < Time::zero()) return "garp_refresh: must not be negative (0 = off)";
  if (preempt_delay < Time::zero()) return "preempt_delay: must not be negative (0 = at once)";
  return {};
}

BalancerHa::BalancerHa(HaConfig config) : cfg_(std::move(config)) {}

Time BalancerHa::next_deadline() const {
  if (state_ == HaState::Inop) return Time::max();
  return std::min({heartbeat_at_, peer_deadline_, garp_at_, refresh_at_, sync_wait_until_, preempt_at_});
}

// ---- outputs ---------------------------------------------------------------------------------

void BalancerHa::send_heartbeat(Time now, Actions& out) {
  wire::HaHeartbeat hb;
  hb.state = state_;
  hb.role = cfg_.role;
  hb.priority = cfg_.priority;
  hb.sync = sync_;
  hb.reach = reach_;
  hb.reach_total = reach_total_;
  hb.takeover_request = request_;
  hb.hears_peer = peer_.alive;
  hb.sequence = ++sequence_;
  ++counters_.heartbeats_sent;
  out.push(ha::SendHeartbeat{hb});
  heartbeat_at_ = state_ == HaState::Inop ? Time::max() : now + cfg_.heartbeat_interval;
}

void BalancerHa::announce(Time now, const char* why, Actions& out) {
  // All at once, or one now and the rest garp_interval apart.
  const bool spaced = cfg_.garp_count > 1 && cfg_.garp_interval > Time::zero();
  const unsigned now_count = spaced ? 1 : cfg_.garp_count;
  counters_.garps_sent += now_count;
  out.push(ha::SendGratuitousArp{cfg_.nlbs_address, now_count, why});
  claimed_since_announce_ = false;
  garps_left_ = spaced ? cfg_.garp_count - 1 : 0;
  garp_at_ = garps_left_ > 0 ? now + cfg_.garp_interval : Time::max();
}

void BalancerHa::change_state(HaState to, const char* why, Actions& out) {
  out.push(ha::StateChanged{state_, to, why});
  state_ = to;
}

void BalancerHa::go_active(Time now, const char* why, Actions& out) {
  const bool was_active = state_ == HaState::Active;
  change_state(HaState::Active, why, out);
  if (was_active) return;
  ++counters_.became_active;
  request_ = admin_request_ = false;
  // The active balancer's table is the reference from now on.
  sync_ = HaSyncStatus::Synchronized;
  sync_wait_until_ = Time::max();
  // Seed, "Switch from a Network Load Balancer to an other": define the NLBS address as an
  // alias, then broadcast an ARP request with our MAC and the NLBS address.
  out.push(ha::AddAlias{cfg_.nlbs_address, cfg_.nlbs_prefix_len});
  out.push(ha::SetForwarding{true});
  announce(now, "became active", out);
  refresh_at_ = cfg_.garp_refresh > Time::zero() ? now + cfg_.garp_refresh : Time::max();
  preempt_at_ = Time::max();
  send_heartbeat(now, out);
}

void BalancerHa::go_standby(Time now, const char* why, Actions& out) {
  const HaState from = state_;
  change_state(HaState::Standby, why, out);
  if (from == HaState::Active) {
    // Seed, "Standby and inop states": release the NLBS address; stop accepting datagrams.
    out.push(ha::SetForwarding{false});
    out.push(ha::RemoveAlias{cfg_.nlbs_address});
    garp_at_ = refresh_at_ = Time::max();
    garps_left_ = 0;
  }
  if (from != HaState::Standby) {
    // keepalived's preempt_delay: the clock starts when we enter standby.
    preempt_at_ = cfg_.preempt_delay > Time::zero() ? now + cfg_.preempt_delay : Time::max();
    preempt_waited_ = cfg_.preempt_delay == Time::zero();
    if (!preempt_waited_) request_ = admin_request_;  // an Auto request waits for the delay
  }
  // Only an Auto-recovering primary waits to be synchronised before it takes back.
  sync_wait_over_ = false;
  if (cfg_.role == HaRole::Primary && cfg_.recovery == HaRecovery::Auto && cfg_.wait_for_sync &&
      cfg_.sync_wait_limit > Time::zero() && sync_ != HaSyncStatus::Synchronized)
    sync_wait_until_ = now + cfg_.sync_wait_limit;
  send_heartbeat(now, out);
}

// ---- commands --------------------------------------------------------------------------------

BalancerHa::Actions BalancerHa::start(Time now) {
  Actions out;
  if (state_ != HaState::Inop) return out;
  // A (re)started balancer knows nothing: no peer, an empty table, no reach results yet.
  peer_ = HaPeer{};
  sync_ = HaSyncStatus::NotSynchronized;
  request_ = admin_request_ = bulk_started_ = sync_wait_over_ = false;
  garp_at_ = refresh_at_ = sync_wait_until_ = preempt_at_ = Time::max();
  preempt_waited_ = cfg_.preempt_delay == Time::zero();
  change_state(HaState::Initial, "started", out);
  // Elect at the first heartbeat heard, or alone when none comes within the timeout.
  peer_deadline_ = now + cfg_.heartbeat_timeout;
  send_heartbeat(now, out);
  return out;
}

BalancerHa::Actions BalancerHa::stop(Time now, const char* why) {
  Actions out;
  if (state_ == HaState::Inop) return out;
  const bool was_active = state_ == HaState::Active;
  change_state(HaState::Inop, why, out);
  if (was_active) {
    out.push(ha::SetForwarding{false});
    out.push(ha::RemoveAlias{cfg_.nlbs_address});
  }
  // Tell the peer, which takes over at once instead of after the heartbeat timeout.
  send_heartbeat(now, out);
  heartbeat_at_ = peer_deadline_ = garp_at_ = refresh_at_ = sync_wait_until_ = preempt_at_ = Time::max();
  return out;
}

BalancerHa::Actions BalancerHa::takeover(Time now) {
  Actions out;
  if (state_ != HaState::Standby) return out;
  admin_request_ = true;
  if (!peer_.alive) {
    go_active(now, "operator takeover", out);
    return out;
  }
  evaluate(now, out);
  return out;
}

BalancerHa::Actions BalancerHa::on_reach(Time now, std::uint8_t reached, std::uint8_t total) {
  Actions out;
  const bool changed = reached != reach_ || total != reach_total_;
  reach_ = reached;
  reach_total_ = total;
  if (state_ == HaState::Inop || !changed) return out;
  const HaState before = state_;
  evaluate(now, out);
  // Let the peer compare at once rather than at our next periodic heartbeat.
  if (state_ == before) send_heartbeat(now, out);
  return out;
}

BalancerHa::Actions BalancerHa::set_sync_status(Time now, HaSyncStatus status) {
  Actions out;
  if (state_ == HaState::Inop || status == sync_) return out;
  sync_ = status;
  if (sync_ == HaSyncStatus::Synchronized) sync_wait_until_ = Time::max();
  const HaState before = state_;
  evaluate(now, out);
  if (state_ == before) send_heartbeat(now, out);
  return out;
}

// ---- inputs ----------------------------------------------------------------------------------

BalancerHa::Actions BalancerHa::on_heartbeat(Time now, const wire::HaHeartbeat& hb, wire::Ipv4 from) {
  Actions out;
  if (state_ == HaState::Inop) return out;
  const bool known_state = static_cast<unsigned>(hb.state) <= static_cast<unsigned>(HaState::Inop);
  const bool known_role = hb.role == HaRole::Primary || hb.role == HaRole::Backup;
  if (!known_state || !known_role) {
    ++counters_.heartbeats_dropped;
    return out;
  }
  // One heartbeat goes out on every path, and a path that was down may deliver one it held back
  // (an ARP queue, a NIC's queue) long after newer ones came the other way. Acting on an older
  // state than the one already heard undoes decisions taken on the newer: found by the soak run
  // (docs/reliability.md), where lb2 yielded to lb1's takeover request, then read a standby
  // heartbeat lb1 had sent before its cable came back and went active again, both active for
  // a few microseconds while hearing each other. So only a newer sequence counts (serial number
  // arithmetic, RFC 1982), except from a peer that (re)starts or that we had stopped hearing.
  const bool newer = static_cast<std::int32_t>(hb.sequence - peer_.last.sequence) > 0;
  if (peer_.alive && hb.state != HaState::Initial && !newer) {
    ++counters_.heartbeats_stale;
    return out;
  }
  ++counters_.heartbeats_received;
  const bool was_alive = peer_.alive;
  peer_.alive = true;
  peer_.heard_at = now;
  peer_.address = from;
  peer_.last = hb;
  peer_deadline_ = now + cfg_.heartbeat_timeout;
  // A peer that (re)starts gets a fresh bulk transfer once it stands by.
  if (hb.state == HaState::Initial) bulk_started_ = false;
  if (!was_alive) {
    bulk_started_ = false;
    out.push(ha::PeerChanged{true, "heartbeat heard"});
  }
  const bool active_before = state_ == HaState::Active;
  evaluate(now, out);
  // The peer is back while we stayed active: it may have been active too (split brain) and
  // announced the NLBS address last. Whether or not we see it active (it may already have
  // yielded to us), announce again so the firewalls' ARP entries point at us (keepalived#166).
  if (!was_alive && active_before && state_ == HaState::Active && cfg_.regarp_after_split_brain &&
      out.count<ha::SendGratuitousArp>() == 0)
    announce(now, "peer back while active", out);
  // The peer announced the address and now says it does not hold it: it was active too and
  // yielded before we saw it so (its active heartbeats lost or held back, ours reached it), a
  // split brain only it resolved. Its announcement may be the firewalls' last word; ours must be
  // (found by the fault matrix, docs/reliability.md).
  if (claimed_since_announce_ && hb.state != HaState::Active && state_ == HaState::Active)
    announce(now, "peer yielded the address", out);
  return out;
}

void BalancerHa::on_address_claimed() {
  if (state_ == HaState::Active && cfg_.regarp_after_split_brain) claimed_since_announce_ = true;
}

void BalancerHa::on_peer_timeout(Time now, Actions& out) {
  const bool was_alive = peer_.alive;
  peer_.alive = false;
  peer_deadline_ = Time::max();
  if (was_alive) out.push(ha::PeerChanged{false, "no heartbeat within the timeout"});
  switch (state_) {
    case HaState::Initial:
      go_active(now, was_alive ? "peer heartbeat lost" : "no peer heartbeat at startup", out);
      break;
    case HaState::Standby:
      // ND: "If the standby fails to receive a heartbeat within 2 seconds, a failover begins."
      go_active(now, "peer heartbeat lost", out);
      break;
    case HaState::Active:
      // The peer announced the address, then fell silent: the firewalls may point at a dead MAC.
      if (claimed_since_announce_) announce(now, "peer that announced the address is gone", out);
      break;  // an active balancer carries on alone (split brain if the peer is still alive)
    case HaState::Inop:
      break;
  }
}

BalancerHa::Actions BalancerHa::poll(Time now) {
  Actions out;
  if (state_ == HaState::Inop) return out;
  if (peer_deadline_ <= now) on_peer_timeout(now, out);
  if (garp_at_ <= now && state_ == HaState::Active) {
    ++counters_.garps_sent;
    out.push(ha::SendGratuitousArp{cfg_.nlbs_address, 1, "repeat"});
    --garps_left_;
    garp_at_ = garps_left_ > 0 ? now + cfg_.garp_interval : Time::max();
  }
  if (refresh_at_ <= now && state_ == HaState::Active) {
    // keepalived#20: a firewall that kept the peer's MAC (it announced last) learns ours again
    // within one period, whatever it missed.
    ++counters_.garps_sent;
    out.push(ha::SendGratuitousArp{cfg_.nlbs_address, 1, "refresh"});
    refresh_at_ = now + cfg_.garp_refresh;
  }
  if (preempt_at_ <= now) {
    preempt_at_ = Time::max();
    preempt_waited_ = true;
    evaluate(now, out);  // the preempt delay is over: Auto recovery may ask
  }
  if (sync_wait_until_ <= now) {
    sync_wait_until_ = Time::max();
    sync_wait_over_ = true;
    evaluate(now, out);  // the wait for synchronisation is over: Auto recovery may go ahead
  }
  if (heartbeat_at_ <= now) send_heartbeat(now, out);
  return out;
}

// ---- decisions -------------------------------------------------------------------------------

// Reach as the rules compare it: ours and the peer's once both sides have measured it
// (reach_total > 0 in both), else 0 and 0. Each side compares its own figure now with the
// peer's as last heard: at a start, one may have its first ping reply before the other's
// heartbeat says so, and each then wins against the other's unmeasured 0 — both active while
// hearing each other (found by the fault matrix, docs/reliability.md: both balancers
// restarted at the same instant). Until both have measured, role, priority and address decide,
// which both sides see alike. Every rule uses this one view, or they would undo each other.
std::pair<std::uint8_t, std::uint8_t> BalancerHa::reaches() const {
  const auto& p = peer_.last;
  if (reach_total_ == 0 || p.reach_total == 0) return {0, 0};
  return {reach_, p.reach};
}

// Two balancers of which neither is active (initial or standby): the better one becomes
// active. Better = reaches more targets; then asked to take over (operator or Auto recovery);
// then the primary role; then priority; then the greater address. Both sides compute the same
// answer from the same heartbeats.
bool BalancerHa::wins_election() const {
  const auto& p = peer_.last;
  const auto [mine, theirs] = reaches();
  return std::make_tuple(mine, request_, cfg_.role == HaRole::Primary, cfg_.priority, cfg_.own_address) >
         std::make_tuple(theirs, p.takeover_request, p.role == HaRole::Primary, p.priority, peer_.address);
}

// Both active when heartbeats return: better reach, then primary, then priority, then address.
bool BalancerHa::wins_split_brain() const {
  const auto& p = peer_.last;
  const auto [mine, theirs] = reaches();
  return std::make_tuple(mine, cfg_.role == HaRole::Primary, cfg_.priority, cfg_.own_address) >
         std::make_tuple(theirs, p.role == HaRole::Primary, p.priority, peer_.address);
}

bool BalancerHa::auto_recovery_wants() const {
  if (cfg_.recovery != HaRecovery::Auto || cfg_.role != HaRole::Primary) return false;
  if (peer_.last.role != HaRole::Backup) return false;
  if (reaches().first < reaches().second) return false;  // not healthy enough to take back
  if (!preempt_waited_) return false;                    // keepalived's preempt_delay still running
  // keepalived#237: a primary that preempts before its table is synchronised breaks every
  // connection in flight; wait, up to sync_wait_limit.
  return sync_ == HaSyncStatus::Synchronized || !cfg_.wait_for_sync || sync_wait_over_;
}

void BalancerHa::evaluate(Time now, Actions& out) {
  if (!peer_.alive) return;
  switch (state_) {
    case HaState::Initial: {
      const HaState ps = peer_.last.state;
      if (ps == HaState::Active) {
        // Ask for the role back in the first standby heartbeat if Auto recovery allows it.
        request_ = admin_request_ || auto_recovery_wants();
        go_standby(now, "peer is active", out);
      } else if (ps == HaState::Inop) {
        go_active(now, "peer is inop", out);
      } else if (wins_election()) {
        go_active(now,
                  cfg_.role == HaRole::Primary ? "primary at initialization" : "elected at initialization",
                  out);
      } else {
        go_standby(now, "peer elected", out);
      }
      break;
    }
    case HaState::Standby:
      evaluate_standby(now, out);
      break;
    case HaState::Active:
      evaluate_active(now, out);
      break;
    case HaState::Inop:
      break;
  }
}

void BalancerHa::evaluate_standby(Time now, Actions& out) {
  const auto& p = peer_.last;
  if (p.state == HaState::Inop) {
    go_active(now, "peer is inop", out);
    return;
  }
  if (p.state == HaState::Active) {
    const bool want = admin_request_ || auto_recovery_wants();
    if (want != request_) {
      request_ = want;
      send_heartbeat(now, out);  // ask (or stop asking) at once
    }
    return;
  }
  if (p.state == HaState::Standby && wins_election())
    go_active(now, request_ ? "peer yielded" : "peer is standby", out);
  // A peer in Initial decides first; we follow from its next heartbeat.
}

void BalancerHa::evaluate_active(Time now, Actions& out) {
  const auto& p = peer_.last;
  if (p.state == HaState::Active) {
    ++counters_.split_brains;
    if (wins_split_brain()) {
      out.push(ha::SplitBrainResolved{true, "both active: we win (reach, role, priority)"});
      // Whoever announced last owns the firewalls' ARP entry; make sure it is us.
      if (cfg_.regarp_after_split_brain) announce(now, "split brain resolved", out);
      send_heartbeat(now, out);
    } else {
      out.push(ha::SplitBrainResolved{false, "both active: the peer wins (reach, role, priority)"});
      go_standby(now, "split brain resolved: peer wins", out);
    }
    return;
  }
  if (p.state != HaState::Standby) return;
  const auto [mine, theirs] = reaches();
  if (p.takeover_request && theirs >= mine) {
    go_standby(now, "peer requested takeover", out);
    return;
  }
  if (theirs > mine) {
    // ND: the standby reaching more targets than the active takes over.
    go_standby(now, "peer reaches more targets", out);
    return;
  }
  if (p.sync == HaSyncStatus::NotSynchronized && !bulk_started_) {
    bulk_started_ = true;
    out.push(ha::StartBulkSync{});
  }
}

}  // namespace nlb::protocols
