#include "runner/explain/causes.hpp"

#include <algorithm>
#include <map>

namespace nlb::explain {

namespace {

std::string fault_text(const FaultLine& f) { return "fault " + f.name; }

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

void add_steps(std::vector<Step>& to, std::vector<Step> steps) {
  for (Step& s : steps) to.push_back(std::move(s));
}

// The steps of a chain in time order; at one instant causes come before their effects, which
// is the order they were added in.
void order(std::vector<Step>& steps) {
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) { return a.t < b.t; });
  // The same step reached by two roads (a fault that both stopped heartbeats and made a node
  // unable) is told once.
  std::vector<Step> out;
  for (Step& s : steps) {
    bool seen = false;
    for (const Step& o : out) seen |= o.t == s.t && o.node == s.node && o.text == s.text;
    if (!seen) out.push_back(std::move(s));
  }
  steps = std::move(out);
}

}  // namespace

// ---- state changes --------------------------------------------------------------------------

std::vector<Step> Causes::silence(std::uint32_t listener, std::optional<std::uint32_t> speaker, Time from,
                                  Time to, const std::string& kind, wire::Mac src, int vrid) const {
  std::vector<Step> out;
  const TraceIndex& t = w_.trace();
  if (speaker) {
    // The speaker died, froze or stopped in the silence (or just before it: its last message
    // was already out).
    if (const Liveness* l = w_.last_change(*speaker, to); l && !l->up && l->t + Time::s(5) >= from)
      out.push_back({l->t, w_.node_name(*speaker), l->what + " (" + fault_text(*l->fault) + ")", "cause"});
  }
  // The listener itself was frozen: its timers fired late, all at once, when it resumed.
  if (const Liveness* l = w_.last_change(listener, to); l && l->what == "resumed" && l->t >= from) {
    for (const FaultLine& f : t.faults)
      if (f.name == l->fault->of && f.action == "freeze")
        out.push_back({f.t, w_.node_name(listener), "froze (" + fault_text(f) + ")", "cause"});
    out.push_back(
        {l->t, w_.node_name(listener), "resumed: timers that came due while frozen fire now, late", "cause"});
  }
  for (const FaultLine& f : t.faults) {
    if (f.t > to) break;
    const bool active = f.t <= to && (!f.duration || f.t + *f.duration >= from);
    if (f.action == "heartbeat-loss" && kind == "heartbeat" && active)
      out.push_back({f.t, f.pair, "heartbeats lost on every path (" + fault_text(f) + ")", "cause"});
    if ((f.action == "link-down" || f.action == "set-loss") && f.t <= to && f.t + Time::s(5) >= from) {
      const std::string where = !f.node.empty() ? f.node + (f.iface.empty() ? "" : "/" + f.iface) : f.lan;
      const std::string what = f.action == "link-down" ? "link down" : "loss set";
      out.push_back({f.t, where, what + " (" + fault_text(f) + ")", "cause"});
    }
  }
  // Messages from the speaker dropped on the way (a lossy or cut link).
  std::map<std::string, std::uint64_t> dropped;
  Time first = Time::max();
  for (const FrameLine* d : w_.frames_in(Dir::Drop, kind, from, to)) {
    // keepalived sends adverts from the real MAC: a VRRP advert is matched by its VRID.
    if (d->reason == "filtered" || (vrid >= 0 ? d->vrid != vrid : d->src != src)) continue;
    ++dropped[d->reason];
    first = std::min(first, d->t);
  }
  if (!dropped.empty()) {
    std::string text;
    for (const auto& [reason, n] : dropped)
      text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + reason;
    const std::string who = speaker ? " from " + w_.node_name(*speaker) : "";
    out.push_back(
        {first, w_.node_name(listener), kind + "s" + who + " dropped on the way (" + text + ")", "cause"});
  }
  if (speaker) add_steps(out, garp_burst(*speaker, from, to, vrid));
  return out;
}

std::vector<Step> Causes::garp_burst(std::uint32_t speaker, Time from, Time to, int vrid) const {
  // keepalived#1653: one process sends the gratuitous ARPs of every address, one by one, and
  // advertises only between them; a burst longer than the backup's Master_Down_Interval
  // silences the master. A handful of GARPs is a takeover's ordinary announcement.
  constexpr std::size_t kBurst = 20;
  std::size_t garps = 0, adverts = 0;
  Time first = Time::max(), last = Time::zero();
  for (const FrameLine* f : w_.frames_in(Dir::Tx, "garp", from, to)) {
    if (f->node != speaker) continue;
    ++garps;
    first = std::min(first, f->t);
    last = std::max(last, f->t);
  }
  if (garps < kBurst) return {};
  for (const FrameLine* f : w_.frames_in(Dir::Tx, "vrrp", first, last))
    adverts += f->node == speaker && (vrid < 0 || f->vrid == vrid);
  const std::string who = w_.node_name(speaker);
  return {{first, who,
           "sent " + std::to_string(garps) + " gratuitous ARPs one by one from " + seconds_text(first) +
               " to " + seconds_text(last) + " (" + duration_text(last - first) + ") and " +
               (adverts ? "only " + plural(adverts, "advert", "adverts") + " between them"
                        : std::string("no advert meanwhile")) +
               ": the burst of gratuitous ARPs delayed its adverts",
           "cause"}};
}

std::vector<Step> Causes::why_state(const StateLine& s) const {
  std::vector<Step> out;
  const std::string me = w_.node_name(s.node);
  const TraceIndex& t = w_.trace();
  if (s.machine == "ha" && (s.why == "peer heartbeat lost" || s.why == "no peer heartbeat at startup")) {
    const FrameLine* hb = w_.last_frame(s.node, Dir::Rx, "heartbeat", s.t);
    std::optional<std::uint32_t> peer = hb ? w_.mac_owner(hb->src, hb->lan, hb->t) : std::nullopt;
    out = silence(s.node, peer, hb ? hb->t : Time::zero(), s.t, "heartbeat", hb ? hb->src : wire::Mac{});
    const std::string heard = hb ? "heard no heartbeat from " + (peer ? w_.node_name(*peer) : hb->src.str()) +
                                       " for " + duration_text(s.t - hb->t) + " (the last at " +
                                       seconds_text(hb->t) + ")"
                                 : "heard no heartbeat at all";
    std::string why = s.why;
    // keepalived#20: the peer was alive and still active, only its heartbeats were lost.
    if (peer && w_.up(*peer, s.t) && s.to == "active")
      why += "; a false takeover: " + w_.node_name(*peer) + " was alive and still active";
    out.push_back({s.t, me, heard + "; became " + s.to + " (" + why + ")", "cause"});
    return out;
  }
  if (s.machine.rfind("vrrp/", 0) == 0 && s.why == "master down timer expired") {
    const int vrid = std::stoi(s.machine.substr(5));
    const wire::Mac vmac = wire::Mac::vrrp_virtual(static_cast<std::uint8_t>(vrid));
    const FrameLine* adv = nullptr;
    for (const FrameLine& f : t.frames) {
      if (f.t >= s.t) break;
      if (f.node == s.node && f.dir == Dir::Rx && f.kind == "vrrp" && (f.vrid == vrid || f.src == vmac))
        adv = &f;
    }
    std::optional<std::uint32_t> master;
    for (std::uint32_t n = 0; n < t.nodes.size(); ++n) {
      if (n == s.node) continue;
      const StateLine* m = w_.state_at(n, s.machine, adv ? adv->t : s.t);
      if (m && m->to == "master") master = n;
    }
    out = silence(s.node, master, adv ? adv->t : Time::zero(), s.t, "vrrp", vmac, vrid);
    const std::string heard = adv ? "heard no VRRP advert for VRID " + std::to_string(vrid) + " for " +
                                        duration_text(s.t - adv->t) + " (the last at " +
                                        seconds_text(adv->t) + ")"
                                  : "heard no VRRP advert for VRID " + std::to_string(vrid);
    out.push_back({s.t, me, heard + "; its Master_Down timer expired: became master", "cause"});
    return out;
  }
  if (s.machine == "ha" && s.why.rfind("split brain resolved", 0) == 0) {
    for (const FaultLine& f : t.faults)
      if (f.t <= s.t && f.t + Time::s(5) >= s.t && (f.action == "heartbeat-restored" || f.action == "resume"))
        out.push_back(
            {f.t, f.pair.empty() ? f.node : f.pair, f.action + " (end of fault " + f.of + ")", "cause"});
    out.push_back(
        {s.t, me,
         "was active at the same time as its peer (split brain); became " + s.to + " (" + s.why + ")",
         "cause"});
    return out;
  }
  if (s.machine == "ha" && s.why == "operator takeover") {
    for (const FaultLine& f : t.faults)
      if (f.t == s.t && f.action == "admin-takeover")
        out.push_back({f.t, f.pair, "operator takeover (" + fault_text(f) + ")", "cause"});
  }
  std::string text = s.machine == "ha" ? "became " + s.to : s.machine + " " + s.from + " -> " + s.to;
  if (!s.why.empty()) text += " (" + s.why + ")";
  out.push_back({s.t, me, text, "cause"});
  return out;
}

const FrameLine* Causes::arp_frame(const ArpLine& a) const {
  const FrameLine* rx = nullptr;
  for (const FrameLine& f : w_.trace().frames) {
    if (f.t > a.t) break;
    if (f.t == a.t && f.node == a.node && f.dir == Dir::Rx && f.arp && f.arp->spa == a.ip &&
        f.arp->sha == a.mac)
      rx = &f;
  }
  return rx;
}

bool Causes::learned_by_gratuitous_arp(const ArpLine& a) const {
  const FrameLine* rx = arp_frame(a);
  return rx && rx->arp->is_gratuitous();
}

std::vector<Step> Causes::why_arp(const ArpLine& a) const {
  const std::string me = w_.node_name(a.node);
  const std::string ip = a.ip.str();
  if (a.op == "expire") return {{a.t, me, "ARP entry for " + ip + " expired (its timer ran out)", "clear"}};
  if (a.op == "fail") return {{a.t, me, "ARP for " + ip + " went unanswered: entry failed", "clear"}};
  std::vector<Step> out;
  if (const FrameLine* rx = arp_frame(a)) {
    const FrameLine* tx = w_.tx_of(rx->id, rx->t);
    const std::uint32_t sender = tx ? tx->node : w_.mac_owner(a.mac, rx->lan, a.t).value_or(kNone);
    const Time sent = tx ? tx->t : rx->t;
    const std::string who = w_.node_name(sender);
    if (rx->arp->is_gratuitous()) {
      const StateLine* sc = sender == kNone ? nullptr : w_.last_state_in(sender, sent - Time::ms(1), sent);
      // A VRRP router's gratuitous ARP comes from its group's virtual MAC: that group's change.
      if (auto vrid = vrrp_vrid(a.mac); vrid && sender != kNone) {
        const StateLine* g = w_.state_at(sender, "vrrp/" + std::to_string(*vrid), sent);
        if (g && g->t >= sent - Time::ms(1)) sc = g;
      }
      const HaLine* won = nullptr;
      for (const HaLine& h : w_.trace().ha)
        if (h.node == sender && h.split_brain && h.t <= sent && h.t + Time::ms(1) >= sent) won = &h;
      if (sc) {
        out = why_state(*sc);
        out.back().text += " and sent a gratuitous ARP for " + ip;
      } else if (won) {
        out.push_back({won->t, who,
                       std::string(won->flag ? "won" : "lost") + " the split brain (" + won->why +
                           ") and announced " + ip + " again with a gratuitous ARP",
                       "cause"});
      } else if (const HaLine* back = peer_return(sender, sent)) {
        add_steps(out, late_timers(sender, sent));
        out.push_back({back->t, who,
                       "heard its peer's heartbeat again and announced " + ip +
                           " again with a gratuitous ARP (garp_on_peer_return)",
                       "cause"});
      } else {
        add_steps(out, late_timers(sender, sent));
        out.push_back({sent, who,
                       "sent a gratuitous ARP for " + ip + " (a repeat or refresh, no state change)",
                       "cause"});
      }
    } else {
      out.push_back({sent, who,
                     std::string(rx->arp->op == wire::ArpOp::Reply ? "answered" : "asked") + " ARP for " +
                         ip + " (" + a.mac.str() + ")",
                     "cause"});
    }
  }
  const bool fresh = a.op == "add" || a.old_mac == wire::Mac::zero();
  std::string text = fresh ? "resolved " + ip + " -> " + w_.mac_text(a.mac, kNone, a.t)
                           : "updated its ARP entry for " + ip + ": " + w_.mac_text(a.old_mac, kNone, a.t) +
                                 " -> " + w_.mac_text(a.mac, kNone, a.t);
  out.push_back({a.t, me, text, "clear"});
  return out;
}

const HaLine* Causes::peer_return(std::uint32_t node, Time t) const {
  const HaLine* out = nullptr;
  for (const HaLine& h : w_.trace().ha)
    if (h.node == node && !h.split_brain && h.flag && h.t <= t && h.t + Time::ms(1) >= t) out = &h;
  return out;
}

std::vector<Step> Causes::late_timers(std::uint32_t node, Time t) const {
  // keepalived#542/#1927: a VM snapshot stops the process; its timers come due while it is
  // frozen and all fire at once when it resumes.
  const Liveness* l = w_.last_change(node, t);
  if (!l || l->what != "resumed" || l->t + Time::s(1) < t) return {};
  const std::string me = w_.node_name(node);
  std::vector<Step> out;
  for (const FaultLine& f : w_.trace().faults)
    if (f.name == l->fault->of && f.action == "freeze")
      out.push_back({f.t, me, "froze (" + fault_text(f) + ")", "cause"});
  std::string text = "resumed after " + duration_text(l->t - (out.empty() ? l->t : out.front().t)) +
                     ", still " + (w_.state_at(node, "ha", l->t) ? w_.state_at(node, "ha", l->t)->to : "up") +
                     ": the timers that came due while it was frozen fired late, at once";
  for (const HaLine& h : w_.trace().ha)
    if (h.node == node && !h.split_brain && !h.flag && h.t == l->t)
      text += "; its peer timer expired (" + h.why + ") although the peer had been heartbeating";
  out.push_back({l->t, me, text, "cause"});
  return out;
}

// ---- able / unable --------------------------------------------------------------------------

std::vector<Step> Causes::unable(std::uint32_t node, std::optional<wire::Ipv4> ip, Time t) const {
  std::vector<Step> best;
  Time best_t = Time::zero();
  bool found = false;
  auto consider = [&](Time at, std::vector<Step> steps) {
    if (!found || at >= best_t) {
      best = std::move(steps);
      best_t = at;
      found = true;
    }
  };
  const std::string me = w_.node_name(node);
  if (ip && !w_.holds(node, *ip, t)) {
    if (const AddrLine* a = w_.last_addr(node, *ip, t)) {
      std::vector<Step> steps;
      if (const StateLine* sc = w_.last_state_in(node, a->t, a->t)) steps = why_state(*sc);
      steps.push_back({a->t, me, "released " + ip->str(), "stale"});
      consider(a->t, std::move(steps));
    }
  }
  // A cable cut on the node (all its interfaces or one) and not yet mended.
  const FaultLine* cut = nullptr;
  for (const FaultLine& f : w_.trace().faults) {
    if (f.t > t) break;
    if (f.node != me) continue;
    if (f.action == "link-down") cut = &f;
    if (f.action == "link-up") cut = nullptr;
  }
  // Considered last: a crash also releases the node's addresses, and the crash is the reason.
  if (const Liveness* l = w_.last_change(node, t); l && !l->up)
    consider(l->t, {{l->t, me, l->what + " (" + fault_text(*l->fault) + ")", "stale"}});
  if (cut)
    consider(cut->t,
             {{cut->t, me,
               "link " + (cut->iface.empty() ? "" : cut->iface + " ") + "down (" + fault_text(*cut) + ")",
               "stale"}});
  return best;
}

std::string Causes::unable_text(std::uint32_t node, std::optional<wire::Ipv4> ip, Time t) const {
  if (const Liveness* l = w_.last_change(node, t); l && !l->up) {
    return l->what == "froze" ? "was frozen" : l->what == "stopped" ? "was stopped" : "had crashed";
  }
  if (ip && !w_.holds(node, *ip, t)) return "no longer held " + ip->str();
  return "could not take it";
}

std::vector<Step> Causes::able_again(std::uint32_t node, std::optional<wire::Ipv4> ip, Time after) const {
  const std::string me = w_.node_name(node);
  std::vector<Step> out;
  if (const Liveness* l = w_.next_change(node, after); l && l->up)
    out.push_back({l->t, me, l->what + " (" + fault_text(*l->fault) + ")", "clear"});
  if (ip && !w_.holds(node, *ip, after)) {
    for (const AddrLine& a : w_.trace().addrs) {
      if (a.t <= after || a.node != node || a.addr != *ip || !a.added) continue;
      if (out.empty() || a.t < out.front().t) out = {{a.t, me, "took " + ip->str() + " again", "clear"}};
      break;
    }
  }
  return out;
}

// ---- diagnoses ------------------------------------------------------------------------------

std::optional<Diagnosis> Causes::refused(const FrameLine& f) const {
  const std::optional<int> vrid = vrrp_vrid(f.dst);
  std::optional<std::uint32_t> receiver;
  if (f.reason == "filtered") {
    // Flooded to NICs that all filtered it: the MAC's owner was not there to take it.
    receiver = w_.mac_owner(f.dst, f.lan, f.t);
    if (!receiver && vrid) {
      // No master for the group at all: the last one is the receiver that left.
      for (const StateLine& s : w_.trace().states)
        if (s.t <= f.t && s.machine == "vrrp/" + std::to_string(*vrid) && s.from == "master")
          receiver = s.node;
    }
  } else if (f.node != kNone) {
    receiver = f.node;
  } else if (f.port != kNone) {
    receiver = w_.port_node(f.lan, f.port);
  }
  if (!receiver) return std::nullopt;
  const std::optional<std::uint32_t> sender = w_.mac_owner(f.src, f.lan, f.t);
  const std::optional<wire::Ipv4> hop = sender ? w_.next_hop(*sender, f.ip_dst) : std::nullopt;
  // Thousands of datagrams meet the same wrong entry: the diagnosis is made once per state of
  // what it depends on (the entry's line, the receiver's liveness, address and VRRP state).
  auto id = [](const void* p) { return std::to_string(reinterpret_cast<std::uintptr_t>(p)); };
  std::string memo = std::to_string(*receiver) + "|" + std::to_string(sender.value_or(kNone)) + "|" +
                     f.dst.str() + "|" + std::to_string(f.lan) + "|" + id(w_.last_change(*receiver, f.t));
  if (hop) memo += "|" + id(w_.arp_at(*sender, *hop, f.t)) + "|" + id(w_.last_addr(*receiver, *hop, f.t));
  if (vrid) memo += "|" + id(w_.state_at(*receiver, "vrrp/" + std::to_string(*vrid), f.t));
  if (auto it = memo_.find(memo); it != memo_.end()) return it->second;
  std::optional<Diagnosis> d;
  if (vrid) {
    d = stale_mac(f, *receiver, *vrid);
  } else if (sender && w_.role(*sender) == "balancer" && w_.role(*receiver) == "server") {
    d = dead_server(f, *sender, *receiver);
  } else if (hop) {
    d = stale_arp(f, *sender, *hop, *receiver);
  }
  memo_.emplace(std::move(memo), d);
  return d;
}

std::optional<Diagnosis> Causes::stale_arp(const FrameLine& f, std::uint32_t sender, wire::Ipv4 ip,
                                           std::uint32_t receiver) const {
  const ArpLine* now = w_.arp_at(sender, ip, f.t);
  if (!now || now->mac != f.dst) return std::nullopt;
  const ArpLine* learned = w_.arp_learned(sender, ip, f.t);
  Diagnosis d;
  d.kind = "stale-arp";
  d.holder = sender;
  d.target = receiver;
  d.ip = ip;
  d.mac = f.dst;
  d.lan = f.lan;
  std::vector<Step> went_wrong = unable(receiver, ip, f.t);
  const Time learned_at = learned ? learned->t : Time::zero();
  d.start = went_wrong.empty() ? learned_at : std::max(went_wrong.back().t, learned_at);
  // The entry's origin is part of the story when a takeover set it (a gratuitous ARP):
  // keepalived#20's false takeover is exactly such an entry outliving its reason.
  if (learned && learned_by_gratuitous_arp(*learned)) {
    std::vector<Step> origin = why_arp(*learned);
    origin.back().role = "cause";
    add_steps(d.cause, std::move(origin));
  }
  add_steps(d.cause, std::move(went_wrong));
  const std::string s = w_.node_name(sender), r = w_.node_name(receiver);
  const std::string silent = no_reannounce(receiver, ip, f.t, d.cause);
  d.site = s;
  d.table = s + " ARP table";
  d.stale = "ARP table still held " + ip.str() + " -> " + w_.mac_text(f.dst, f.lan, f.t) +
            (learned ? ", learned at " + seconds_text(learned->t) : std::string());
  d.entry = ip.str() + " -> " + w_.mac_text(f.dst, f.lan, f.t) +
            (learned ? ", learned at " + seconds_text(learned->t) : std::string());
  d.headline = s + " kept sending " + ip.str() + "'s traffic to " + r + ", which " +
               unable_text(receiver, ip, f.t) +
               (silent.empty() ? "" : "; " + silent + " did not announce it again after the split brain");
  d.key = "arp|" + s + "|" + ip.str() + "|" + f.dst.str() + "|" + std::to_string(d.start.nanos());
  return d;
}

std::string Causes::no_reannounce(std::uint32_t receiver, wire::Ipv4 ip, Time t,
                                  std::vector<Step>& cause) const {
  // keepalived#166: the split brain's loser released the address; the winner, which announces
  // only when it becomes active, stayed active and said nothing, so routers keep the loser's MAC.
  const AddrLine* rel = w_.last_addr(receiver, ip, t);
  if (!rel || rel->added) return {};
  const StateLine* lost = w_.state_at(receiver, "ha", rel->t);
  if (!lost || lost->why.rfind("split brain resolved", 0) != 0) return {};
  for (std::uint32_t winner : w_.holders(ip, rel->t)) {
    if (winner == receiver) continue;
    for (const FrameLine* g : w_.frames_in(Dir::Tx, "garp", rel->t - Time::ms(1), t))
      if (g->node == winner && g->arp && g->arp->spa == ip) return {};
    const std::string who = w_.node_name(winner);
    cause.push_back({rel->t, who,
                     "won the split brain and stayed active, but sent no gratuitous ARP for " + ip.str() +
                         ": nothing told the routers the address was back on " + who,
                     "cause"});
    return who;
  }
  return {};
}

std::optional<Diagnosis> Causes::stale_mac(const FrameLine& f, std::uint32_t receiver, int vrid) const {
  Diagnosis d;
  d.vrid = vrid;
  d.lan = f.lan;
  d.mac = f.dst;
  d.target = receiver;
  const std::string machine = "vrrp/" + std::to_string(vrid);
  const std::string me = w_.node_name(receiver);
  const std::string lan = f.lan < w_.trace().lans.size() ? w_.trace().lans[f.lan].name : "?";
  std::vector<Step> went_wrong = unable(receiver, std::nullopt, f.t);
  if (const StateLine* s = w_.state_at(receiver, machine, f.t); s && s->from == "master") {
    if (went_wrong.empty() || s->t > went_wrong.back().t) went_wrong = why_state(*s);
  }
  const MacLine* learned = nullptr;
  for (const MacLine* m : w_.mac_history(f.lan, f.dst))
    if (m->t <= f.t && (m->op == "learn" || m->op == "move")) learned = m;
  d.start = went_wrong.empty() ? (learned ? learned->t : f.t) : went_wrong.back().t;
  add_steps(d.cause, std::move(went_wrong));
  d.site = "LAN " + lan;
  if (learned) {
    d.kind = "stale-mac";
    d.table = "LAN " + lan + " switch table";
    d.stale = "switch table still held " + f.dst.str() + " -> port " + std::to_string(learned->port) + " (" +
              me + "), learned at " + seconds_text(learned->t);
    d.entry = f.dst.str() + " -> port " + std::to_string(learned->port) + " (" + me + "), learned at " +
              seconds_text(learned->t);
    d.headline = "the switch of LAN " + lan + " kept sending VRID " + std::to_string(vrid) +
                 "'s virtual MAC to " + me + ", which " + unable_text(receiver, std::nullopt, f.t);
  } else {
    d.kind = "no-master";
    d.table = "VRRP group " + std::to_string(vrid) + " on LAN " + lan;
    d.stale = "VRID " + std::to_string(vrid) + "'s virtual MAC " + f.dst.str() + " still led to " + me;
    d.entry = "virtual MAC " + f.dst.str() + " still at " + me;
    d.headline = "VRID " + std::to_string(vrid) + "'s virtual MAC still led to " + me + ", which " +
                 unable_text(receiver, std::nullopt, f.t);
  }
  d.key = "mac|" + lan + "|" + f.dst.str() + "|" + me + "|" + std::to_string(d.start.nanos());
  return d;
}

std::optional<Diagnosis> Causes::dead_server(const FrameLine& f, std::uint32_t balancer,
                                             std::uint32_t server) const {
  Diagnosis d;
  d.kind = "dead-server";
  d.holder = balancer;
  d.target = server;
  std::vector<Step> went_wrong = unable(server, std::nullopt, f.t);
  if (went_wrong.empty()) return std::nullopt;
  d.start = went_wrong.back().t;
  add_steps(d.cause, std::move(went_wrong));
  const std::string b = w_.node_name(balancer), s = w_.node_name(server);
  d.site = b;
  d.table = b + " connection table and scheduler";
  d.stale = "still dispatched to " + s + ": connections its table gave " + s +
            ", and new ones until its advisor noticed";
  d.entry = "connections on " + s + ", and " + s + " still eligible for new ones";
  d.headline = b + " kept dispatching to " + s + ", which " + unable_text(server, std::nullopt, f.t);
  d.key = "server|" + b + "|" + s + "|" + std::to_string(d.start.nanos());
  return d;
}

std::optional<Diagnosis> Causes::arp_failed(const FrameLine& f) const {
  if (f.node == kNone) return std::nullopt;
  auto hop = w_.next_hop(f.node, f.ip_dst);
  if (!hop) return std::nullopt;
  Diagnosis d;
  d.kind = "no-address";
  d.holder = f.node;
  d.ip = *hop;
  // Everyone who ever held the address, and why none could answer.
  Time start = Time::zero();
  const TraceIndex& t = w_.trace();
  for (std::uint32_t n = 0; n < t.nodes.size(); ++n) {
    bool ever = w_.holds(n, *hop, Time::zero());
    for (const AddrLine& a : t.addrs) ever |= a.node == n && a.addr == *hop;
    if (!ever) continue;
    std::vector<Step> steps = unable(n, *hop, f.t);
    if (steps.empty()) continue;
    start = std::max(start, steps.back().t);
    add_steps(d.cause, std::move(steps));
  }
  const std::string me = w_.node_name(f.node);
  if (d.cause.empty()) {
    // Nobody has held it yet (a VRRP group still electing its master, an address not yet
    // taken): the outage starts with the first datagram that could not go.
    d.cause.push_back({f.t, me, "no node held " + hop->str() + " yet: nothing answered its ARP", "cause"});
    d.start = f.t;
  } else {
    d.start = start;
  }
  d.site = me;
  d.table = me + " ARP table";
  d.entry = hop->str() + " unresolved";
  d.stale = "ARP table could not resolve " + hop->str();
  d.headline = "no node answered " + me + "'s ARP for " + hop->str() + ", so it dropped what waited for it";
  d.key = "noaddr|" + me + "|" + hop->str() + "|" +
          (start == Time::zero() ? "never" : std::to_string(start.nanos()));
  return d;
}

bool Causes::both_active(std::uint32_t a, std::uint32_t b, Time t) const {
  const StateLine* x = w_.state_at(a, "ha", t);
  const StateLine* y = w_.state_at(b, "ha", t);
  return x && y && x->to == "active" && y->to == "active" && w_.up(a, t) && w_.up(b, t);
}

bool Causes::paths_down(Time t) const {
  for (const FaultLine& f : w_.trace().faults)
    if (f.action == "heartbeat-loss" && f.t <= t && (!f.duration || f.t + *f.duration > t)) return true;
  return false;
}

std::optional<Diagnosis> Causes::missing_connection(std::uint32_t balancer, const Endpoint& c, Time t) const {
  const ConnLine* opened = nullptr;
  const ConnLine* synced = nullptr;
  const ConnLine* expired = nullptr;
  for (const ConnLine* l : w_.conn_history(c)) {
    if (l->t >= t) break;
    if (l->op == "end") opened = synced = expired = nullptr;
    if (l->op == "add" && !opened) opened = l;
    if (l->op == "sync" && l->node == balancer) synced = l;
    if (l->op == "expire" && l->node == balancer) expired = l;
  }
  if (!opened) return std::nullopt;
  const std::string b = w_.node_name(balancer), a = w_.node_name(opened->node);
  Diagnosis d;
  d.kind = "missing-connection";
  d.holder = balancer;
  std::string why, why_key;
  // A balancer that restarted lost its table, synchronised entries too.
  const Liveness* back = w_.last_change(balancer, t);
  const bool restarted = back && back->up && back->what != "resumed";
  if (synced && restarted && back->t > synced->t) synced = nullptr;
  const StateLine* now = w_.state_at(balancer, "ha", t);
  const Liveness* at_open = w_.last_change(balancer, opened->t);
  if (restarted && now && now->to == "active" && now->t >= back->t && opened->t < now->t) {
    // keepalived#237: the returning primary took the role back before its peer's bulk transfer
    // had sent it the table.
    std::size_t arrived = 0;
    for (const ConnLine& c : w_.trace().conns)
      arrived += c.op == "sync" && c.node == balancer && c.t >= back->t && c.t <= now->t;
    why = b + " came back at " + seconds_text(back->t) + " with an empty table and became active at " +
          seconds_text(now->t) + " (" + now->why + "), " + duration_text(now->t - back->t) +
          " later, before its peer's bulk transfer had resynchronised them (" +
          plural(arrived, "entry", "entries") + " had reached it)";
    why_key = "preempt-" + std::to_string(now->t.nanos());
  } else if (synced && expired && expired->t > synced->t) {
    why = "its entry had expired at " + seconds_text(expired->t);
    why_key = "expired";
  } else if (synced) {
    return std::nullopt;  // it had the entry: not a missing one
  } else if (opened->node == balancer) {
    why = "it had lost its own entry";
    why_key = "lost";
  } else if (!w_.any_sync()) {
    why = "no entry was ever synchronised to " + b + " (connection sync off)";
    why_key = "sync-off";
  } else if (at_open && !at_open->up && at_open->what == "froze") {
    why = "they were opened while " + b + " was frozen (" + fault_text(*at_open->fault) +
          "): the sync messages " + a + " sent it were lost";
    why_key = "frozen-" + std::to_string(at_open->t.nanos());
  } else if (both_active(balancer, opened->node, opened->t)) {
    why =
        "they were opened while both balancers were active (split brain), and an active balancer takes no "
        "sync entries from its peer";
    why_key = "split-brain";
  } else if (paths_down(opened->t)) {
    why = "they were opened while the pair's heartbeat and sync paths were down";
    why_key = "paths-down";
  } else if (const Liveness* l = w_.next_change(opened->node, opened->t); l && !l->up && l->t <= t) {
    why = a + " " + l->what + " before it synchronised them";
    why_key = "unsynced-" + std::to_string(l->t.nanos());
  } else {
    why = "no sync message for them reached " + b;
    why_key = "not-synced";
  }
  // What brought the connections to this balancer: it became active, or a router's ARP entry
  // moved to it, whichever was later.
  const StateLine* active = w_.state_at(balancer, "ha", t);
  const ArpLine* moved = nullptr;
  for (const ArpLine* l : w_.arp_moves_to(balancer)) {
    if (l->t > t) break;
    moved = l;
  }
  if (moved && (!active || moved->t > active->t)) {
    d.start = moved->t;
    d.cause = why_arp(*moved);
    d.cause.back().role = "cause";
  } else if (active) {
    d.start = active->t;
    d.cause = why_state(*active);
  } else {
    d.start = t;
  }
  d.site = b;
  d.table = b + " connection table";
  const std::string whose =
      why_key.rfind("preempt-", 0) == 0 ? "open connections" : "connections " + a + " had opened";
  d.stale = "had no entry for " + whose + ": " + why;
  d.entry = "no entry for " + whose + ": " + why;
  d.headline =
      b + " received " + whose + ", with no entry for them (" + why + "), and gave them to other servers";
  d.what = why;
  d.key = "conn|" + b + "|" + std::to_string(d.start.nanos()) + "|" + why_key;
  return d;
}

Diagnosis Causes::random_loss(const FrameLine& f) const {
  Diagnosis d;
  d.kind = "loss";
  const std::string site =
      f.node != kNone
          ? w_.node_name(f.node)
          : "LAN " + (f.lan < w_.trace().lans.size() ? w_.trace().lans[f.lan].name : std::string("?"));
  for (const FaultLine& x : w_.trace().faults)
    if (x.action == "set-loss" && x.t <= f.t)
      d.cause = {{x.t, x.node.empty() ? x.lan : x.node,
                  "loss set to " + std::to_string(x.probability.value_or(0)) + " (" + fault_text(x) + ")",
                  "cause"}};
  d.start = d.cause.empty() ? f.t : d.cause.back().t;
  d.table = "link at " + site;
  d.entry = "random loss";
  d.headline = "datagrams lost to random loss at " + site + " broke connections";
  d.key = "loss|" + site;
  return d;
}

// ---- outages --------------------------------------------------------------------------------

std::string Causes::timer_text(const std::vector<const ArpLine*>& history, std::size_t k,
                               const Diagnosis& d) const {
  const ArpLine& a = *history[k];
  const std::string ip = d.ip.str();
  if (a.op == "expire") {
    const ArpLine* learned = w_.arp_learned(d.holder, d.ip, a.t - Time::ns(1));
    return "its ARP entry for " + ip + " expired" +
           (learned ? ", " + duration_text(a.t - learned->t) + " after it was learned at " +
                          seconds_text(learned->t)
                    : std::string()) +
           " (the entry's timeout)";
  }
  // Linux's neighbour states (RFC 4861 7.3.2 as Linux applies it to ARP): REACHABLE until its
  // random reachable time runs out, STALE, DELAY, then unicast probes; unanswered, FAILED.
  std::optional<Time> confirmed, stale, probe;
  for (std::size_t j = 0; j < k; ++j) {
    const ArpLine& h = *history[j];
    if (h.mac != d.mac) continue;
    if (h.state == "reachable") {
      confirmed = h.t;
      stale.reset();
      probe.reset();
    }
    if (h.state == "stale" && !stale) stale = h.t;
    if (h.state == "probe" && !probe) probe = h.t;
  }
  std::string text = "its neighbour entry for " + ip + " failed";
  if (confirmed) text += ": last confirmed at " + seconds_text(*confirmed);
  if (stale) text += ", stale from " + seconds_text(*stale);
  if (probe) text += ", unicast probes from " + seconds_text(*probe) + " went unanswered";
  return text;
}

void Causes::clear_stale_arp(const Group& g, Outage& o) const {
  const Diagnosis& d = g.d;
  std::vector<Step> best;
  const std::vector<const ArpLine*>& history = w_.arp_history(d.holder, d.ip);
  std::optional<Time> cleared;
  // The entry was wrong from the outage's start: its first change after that clears it, even
  // if connections it broke end later.
  for (std::size_t k = 0; k < history.size(); ++k) {
    const ArpLine* a = history[k];
    if (a->t < o.start) continue;
    if ((a->op == "update" || a->op == "add") && a->mac != d.mac && a->mac != wire::Mac::zero()) {
      best = why_arp(*a);
      break;
    }
    if (a->op != "expire" && a->op != "fail") continue;
    best = {{a->t, w_.node_name(d.holder), timer_text(history, k, d), "clear"}};
    cleared = a->t;  // the entry is gone; the next datagram's ARP request finds the right node
    // The next datagram asks again by broadcast: who answered.
    for (std::size_t j = k + 1; j < history.size(); ++j) {
      if (history[j]->mac == wire::Mac::zero()) continue;
      add_steps(best, why_arp(*history[j]));
      break;
    }
    break;
  }
  std::vector<Step> back = able_again(d.target, d.ip, o.start);
  if (!back.empty() && (best.empty() || back.front().t < (cleared ? *cleared : best.back().t))) {
    best = std::move(back);
    cleared.reset();
  }
  if (best.empty()) {
    o.chain.push_back({o.last_impact, w_.node_name(d.holder),
                       "still held " + d.ip.str() + " -> " + d.mac.str() + " when the run ended at " +
                           seconds_text(w_.trace().duration) + ": no ARP for " + d.ip.str() + " reached it",
                       "open"});
    return;
  }
  o.end = cleared ? *cleared : best.back().t;
  add_steps(o.chain, std::move(best));
}

void Causes::clear_stale_mac(const Group& g, Time last, Outage& o) const {
  const Diagnosis& d = g.d;
  const std::string lan = d.lan < w_.trace().lans.size() ? w_.trace().lans[d.lan].name : "?";
  std::vector<Step> best;
  for (const MacLine* m : w_.mac_history(d.lan, d.mac)) {
    if (m->t < last || m->op == "learn") continue;
    std::optional<std::uint32_t> who = m->port != kNone ? w_.port_node(d.lan, m->port) : std::nullopt;
    if (who) {
      if (const StateLine* s = w_.state_at(*who, "vrrp/" + std::to_string(d.vrid), m->t);
          s && s->to == "master")
        best = why_state(*s);
    }
    const std::string text = m->op == "move"
                                 ? "switch moved " + d.mac.str() + " from port " +
                                       std::to_string(m->old_port) + " to port " + std::to_string(m->port) +
                                       (who ? " (" + w_.node_name(*who) + ")" : "")
                             : m->op == "age" ? "switch forgot " + d.mac.str() + " (aged out)"
                                              : "switch forgot " + d.mac.str() + " (its port went down)";
    best.push_back({m->t, "LAN " + lan, text, "clear"});
    break;
  }
  if (best.empty() && d.kind == "no-master") {
    // A shared medium: the group's next master is what clears it.
    for (const StateLine& s : w_.trace().states) {
      if (s.t < last || s.machine != "vrrp/" + std::to_string(d.vrid) || s.to != "master" ||
          s.node == d.target)
        continue;
      best = why_state(s);
      break;
    }
  }
  std::vector<Step> back = able_again(d.target, std::nullopt, last);
  if (!back.empty() && (best.empty() || back.front().t < best.back().t)) best = std::move(back);
  if (best.empty()) {
    o.chain.push_back({o.last_impact, "LAN " + lan,
                       "still led " + d.mac.str() + " to " + w_.node_name(d.target) + " when the run ended",
                       "open"});
    return;
  }
  o.end = best.back().t;
  add_steps(o.chain, std::move(best));
}

void Causes::clear_dead_server(const Group& g, Time last, Outage& o) const {
  const Diagnosis& d = g.d;
  const std::string server = w_.node_name(d.target);
  std::vector<Step> best;
  for (const StateLine& s : w_.trace().states) {
    if (s.t < d.start || s.node != d.holder || s.machine != "advisor/" + server || s.to != "down") continue;
    best = {{s.t, w_.node_name(d.holder),
             "its advisor marked " + server + " down (" + s.why + "): new connections go elsewhere",
             "clear"}};
    break;
  }
  std::vector<Step> back = able_again(d.target, std::nullopt, d.start);
  if (!back.empty() && (best.empty() || back.front().t < best.back().t)) best = std::move(back);
  if (best.empty()) {
    o.chain.push_back(
        {last, w_.node_name(d.holder), "still dispatched to " + server + " when the run ended", "open"});
    return;
  }
  o.end = best.back().t;
  add_steps(o.chain, std::move(best));
  if (last > *o.end)
    o.chain.push_back(
        {last, server, "connections already on it were lost until their clients gave up", "impact"});
}

void Causes::clear_missing_connection(const Group& g, Outage& o) const {
  // Each moved connection ends on its own: the outage lasts until the last of them ended.
  std::set<Endpoint> moved;
  for (const Impact& i : g.impacts)
    if (i.conn) moved.insert(*i.conn);
  Time last_end = Time::zero();
  std::size_t ended = 0;
  for (const ConnLine& c : w_.trace().conns) {
    if (c.op != "end" || !moved.count(c.client) || c.t < g.d.start) continue;
    last_end = std::max(last_end, c.t);
    ++ended;
  }
  if (ended >= moved.size() && !moved.empty()) {
    o.end = std::max(last_end, o.last_impact);
    o.chain.push_back({*o.end, w_.node_name(g.d.holder), "the last of those connections ended", "clear"});
  } else {
    o.chain.push_back(
        {o.last_impact, w_.node_name(g.d.holder),
         plural(moved.size() - ended, "connection", "connections") + " still open when the run ended",
         "open"});
  }
}

void Causes::clear_no_address(const Group& g, Time last, Outage& o) const {
  const Diagnosis& d = g.d;
  for (const ArpLine* a : w_.arp_history(d.holder, d.ip)) {
    if (a->t < last || a->mac == wire::Mac::zero() || (a->op != "add" && a->op != "update")) continue;
    std::vector<Step> steps = why_arp(*a);
    o.end = steps.back().t;
    add_steps(o.chain, std::move(steps));
    return;
  }
  o.chain.push_back(
      {last, w_.node_name(d.holder), d.ip.str() + " still unresolved when the run ended", "open"});
}

Outage Causes::finish(const Group& g, Time run_end) const {
  const Diagnosis& d = g.d;
  Outage o;
  o.kind = d.kind;
  o.table = d.table;
  o.entry = d.entry;
  o.headline = d.headline;
  o.start = d.start;
  o.clients.assign(g.clients.begin(), g.clients.end());
  o.first_impact = Time::max();
  o.last_impact = Time::zero();
  std::map<std::string, std::uint64_t> broken, failed, lost_at;
  std::vector<std::string> moved;
  for (const Impact& i : g.impacts) {
    o.first_impact = std::min(o.first_impact, i.t);
    o.last_impact = std::max(o.last_impact, i.t);
    switch (i.type) {
      case Impact::Lost:
        ++o.datagrams_lost;
        o.last_lost = std::max(o.last_lost, i.t);
        ++lost_at[(i.frame->node != kNone ? w_.node_name(i.frame->node) : "a switch") + " (" +
                  i.frame->reason + ")"];
        break;
      case Impact::Moved:
        ++o.connections_moved;
        moved.push_back(i.detail);
        break;
      case Impact::Broken:
        ++o.connections_broken;
        ++broken[i.detail];
        break;
      case Impact::Failed:
        ++o.requests_failed;
        ++failed[i.detail];
        break;
    }
  }
  if (d.kind == "other" || d.kind == "loss") o.start = std::min(o.start, o.first_impact);
  o.chain = d.cause;
  if (d.kind != "other" && d.kind != "loss") o.chain.push_back({o.start, d.site, d.stale, "stale"});
  if (o.datagrams_lost) {
    const std::string lost = plural(o.datagrams_lost, "datagram", "datagrams") + " of " +
                             plural(o.clients.size(), "client", "clients") + " lost";
    if (lost_at.size() == 1) {
      const auto& [where, n] = *lost_at.begin();
      const auto paren = where.find(" (");
      o.chain.push_back({o.first_impact, where.substr(0, paren),
                         lost + " there" + where.substr(paren) + " until " + seconds_text(o.last_lost),
                         "impact"});
    } else {
      std::string where;
      for (const auto& [w, n] : lost_at)
        where += (where.empty() ? "" : ", ") + std::to_string(n) + " at " + w;
      o.chain.push_back(
          {o.first_impact, "", lost + " (" + where + ") until " + seconds_text(o.last_lost), "impact"});
    }
  }
  if (o.connections_moved) {
    std::string some;
    for (std::size_t k = 0; k < moved.size() && k < 3; ++k) some += (k ? ", " : "") + moved[k];
    if (moved.size() > 3) some += ", ...";
    o.chain.push_back({o.first_impact, w_.node_name(d.holder),
                       "gave " + plural(o.connections_moved, "open connection", "open connections") +
                           " to another server (" + some + ")",
                       "impact"});
  }
  if (o.connections_broken || o.requests_failed) {
    std::string text;
    for (const auto& [what, n] : broken)
      text += (text.empty() ? "" : ", ") + plural(n, "connection", "connections") + " " + what;
    for (const auto& [what, n] : failed)
      text += (text.empty() ? "" : ", ") + plural(n, "request", "requests") + " " + what;
    o.chain.push_back({o.last_impact, "", text, "impact"});
  }
  if (d.kind == "stale-arp")
    clear_stale_arp(g, o);
  else if (d.kind == "stale-mac" || d.kind == "no-master")
    clear_stale_mac(g, o.last_impact, o);
  else if (d.kind == "dead-server")
    clear_dead_server(g, o.last_impact, o);
  else if (d.kind == "missing-connection")
    clear_missing_connection(g, o);
  else if (d.kind == "no-address")
    clear_no_address(g, o.last_impact, o);
  else {
    if (d.kind == "other")
      o.headline = plural(g.impacts.size(), "impact", "impacts") + " at " + d.site + " (" + d.what +
                   "): the trace shows no table entry or fault that explains them";
    o.end = o.last_impact;
  }
  if (o.end && *o.end > run_end) o.end = run_end;
  order(o.chain);
  return o;
}

}  // namespace nlb::explain

namespace nlb::explain {

std::vector<Outage> Causes::flapping(Time run_end) const {
  // Each VRRP group's changes of master, in time order (a router leaving master too, for the
  // time two routers were master at once).
  std::map<std::string, std::vector<const StateLine*>> groups;
  for (const StateLine& s : w_.trace().states)
    if (s.machine.rfind("vrrp/", 0) == 0 && (s.to == "master" || s.from == "master"))
      groups[s.machine].push_back(&s);
  std::vector<Outage> out;
  for (const auto& [machine, lines] : groups) {
    std::set<std::uint32_t> masters, involved;
    std::optional<std::uint32_t> current;
    std::vector<const StateLine*> takeovers;
    Time dual = Time::zero(), since = Time::zero();
    for (const StateLine* s : lines) {
      const bool was_dual = masters.size() >= 2;
      if (s->to == "master")
        masters.insert(s->node);
      else
        masters.erase(s->node);
      if (!was_dual && masters.size() >= 2) since = s->t;
      if (was_dual && masters.size() < 2) dual = dual + (s->t - since);
      if (s->to != "master") continue;
      // Every change to master after the group's first counts (the FailoverMeter's takeovers):
      // under advert loss the backup takes over again and again while the master never left.
      if (current) {
        takeovers.push_back(s);
        involved.insert(*current);
        involved.insert(s->node);
      }
      current = s->node;
    }
    if (involved.size() < 2) continue;  // one router's own restarts are no flapping
    if (masters.size() >= 2) dual = dual + (run_end - since);
    if (takeovers.size() < 3) continue;
    const std::string vrid = machine.substr(5);
    std::string who;
    for (std::uint32_t n : involved) who += (who.empty() ? "" : " and ") + w_.node_name(n);
    Outage o;
    o.kind = "flapping";
    o.start = takeovers.front()->t;
    o.first_impact = o.start;
    o.last_impact = takeovers.back()->t;
    o.takeovers = takeovers.size();
    o.dual_master = dual;
    // Still flapping when the run ended, unless the group then kept its master for a while.
    if (run_end - takeovers.back()->t >= Time::s(10)) o.end = takeovers.back()->t;
    std::size_t burst = 0, lost = 0;
    for (std::size_t k = 0; k < takeovers.size(); ++k) {
      std::vector<Step> why = why_state(*takeovers[k]);
      bool by_burst = false, by_loss = false;
      for (const Step& st : why) {
        by_burst |= st.text.find("gratuitous ARPs one by one") != std::string::npos;
        by_loss |= st.text.find("dropped on the way") != std::string::npos;
      }
      burst += by_burst;
      lost += by_loss;
      if (k < 2) {
        add_steps(o.chain, std::move(why));
      } else if (k < 8) {
        Step last = why.back();
        last.text = "took over again: " + last.text;
        o.chain.push_back(std::move(last));
      }
    }
    if (takeovers.size() > 8)
      o.chain.push_back({takeovers.back()->t, "",
                         "... " + plural(takeovers.size() - 8, "more change", "more changes") +
                             " of master, the last at " + seconds_text(takeovers.back()->t),
                         "impact"});
    std::string why;
    if (burst)
      why += "; " + std::to_string(burst) +
             " of them after a burst of gratuitous ARPs had delayed the master's adverts";
    if (lost) why += "; " + std::to_string(lost) + " of them after adverts were lost on the way";
    o.table = "VRRP group VRID " + vrid;
    o.entry = "master between " + who + ", " + plural(takeovers.size(), "change", "changes") + " from " +
              seconds_text(o.start) + " to " + seconds_text(takeovers.back()->t);
    o.headline = "VRRP group VRID " + vrid + " flapped between " + who + ": its master changed " +
                 std::to_string(takeovers.size()) + " times in " +
                 duration_text(takeovers.back()->t - o.start) + ", two masters for " + duration_text(dual) +
                 " in all" + why;
    order(o.chain);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace nlb::explain
