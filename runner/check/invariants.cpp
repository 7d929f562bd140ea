#include "runner/check/invariants.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "models/link/lan.hpp"
#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "models/wire/arp.hpp"
#include "models/wire/ethernet.hpp"
#include "runner/run/build.hpp"

namespace nlb::check {

using link::NodeId;
using wire::Ipv4;
using wire::Mac;

const char* to_string(Invariant i) {
  switch (i) {
    case Invariant::SingleOwner:
      return "single-owner";
    case Invariant::ArpFollowsOwner:
      return "arp-follows-owner";
    case Invariant::NoDispatchToDown:
      return "no-dispatch-to-down";
    case Invariant::TcpEnds:
      return "tcp-ends";
    case Invariant::CountersBalance:
      return "counters-balance";
  }
  return "?";
}

std::string result_text(const CheckResult& r) {
  std::ostringstream o;
  for (Invariant i : kInvariants) {
    const auto k = static_cast<std::size_t>(i);
    o << "  " << to_string(i) << ": " << r.checks[k] << " checks, " << r.failures[k] << " failed\n";
  }
  o << "  (TCP connections " << r.connections << ": " << r.completed << " completed, " << r.reset
    << " reset, " << r.timed_out << " timed out, " << r.open_at_end << " open at the end; frame copies "
    << r.frames_sent << ", " << r.frames_in_flight
    << " in flight at the end; datagrams of held connections to a down server " << r.kept_to_down_server
    << "; new connections with every server down " << r.dispatched_all_down << ")\n";
  for (const Violation& v : r.violations)
    o << "  FAILED " << to_string(v.invariant) << " at " << v.at.str() << ": " << v.what << "\n";
  return o.str();
}

bool InvariantChecker::Balancer::all_down(Ipv4 cluster) const {
  for (const Cluster& c : clusters) {
    if (c.address != cluster) continue;
    if (!c.manager) return false;
    for (std::size_t s : c.servers)
      if (!down[s]) return false;
    return true;
  }
  return false;
}

InvariantChecker::Balancer* InvariantChecker::balancer(NodeId n) {
  for (auto& b : balancers_)
    if (b.node == n) return &b;
  return nullptr;
}

InvariantChecker::Firewall* InvariantChecker::firewall(NodeId n) {
  for (auto& f : firewalls_)
    if (f.node == n) return &f;
  return nullptr;
}

void InvariantChecker::fail(Invariant i, Time at, std::string what) {
  ++r_.failures[static_cast<std::size_t>(i)];
  if (r_.violations.size() < CheckResult::kKeptViolations) r_.violations.push_back({i, at, std::move(what)});
}

// ---- set-up ---------------------------------------------------------------------------------

void InvariantChecker::attach(const run::RunView& run) {
  r_ = {};
  const run::Built& b = run.built;
  const std::size_t n_nodes = b.nodes.size();
  names_.clear();
  for (const auto& spec : run.scenario.nodes) names_.push_back(spec.name);
  node_down_.assign(n_nodes, false);
  port_up_.clear();
  for (const link::Lan* lan : b.lans) port_up_.emplace_back(lan->port_count(), true);
  lans_.assign(b.lans.size(), {});
  tx_.assign(n_nodes, {});
  rx_.assign(n_nodes, {});
  servers_of_.assign(n_nodes, {});
  for (std::size_t k = 0; k < n_nodes; ++k) {
    tx_[k].assign(b.node(k).interfaces().all().size(), 0);
    rx_[k].assign(tx_[k].size(), 0);
  }
  auto end_of = [&](const nodes::Node& n, link::IfIndex i) {
    const link::Device& d = n.device(i);
    return PathEnd{n.id(), d.lan_id(), d.port()};
  };

  balancers_.clear();
  fronts_.clear();
  link::LanId access = link::kNoLan;
  for (const run::BuiltPair& p : b.pairs) {
    // Read from the configuration: the balancers resolve their interfaces when they boot.
    std::vector<NodeId> members;
    for (const nodes::Balancer* m : p.members) {
      const link::IfIndex at = m->interface(m->config().access_iface).value_or(0);
      members.push_back(m->id());
      Balancer bal;
      bal.node = m->id();
      bal.access = at;
      bal.mac = m->device(at).mac();
      bal.end = end_of(*m, at);
      for (const auto& s : m->config().servers) servers_of_[m->id()].push_back(s.address);
      bal.down.assign(m->config().servers.size(), false);
      for (const nodes::ClusterService& cs : m->config().clusters) {
        Balancer::Cluster cl{cs.address, {}, cs.dispatcher.scheduler == protocols::SchedulerKind::Manager};
        for (std::size_t k = 0; k < m->config().servers.size(); ++k) {
          const unsigned w = k < cs.weights.size() ? cs.weights[k] : m->config().servers[k].weight;
          if (w > 0) cl.servers.push_back(k);
        }
        bal.clusters.push_back(std::move(cl));
      }
      balancers_.push_back(std::move(bal));
      access = m->device(at).lan_id();
    }
    const nodes::BalancerConfig& c = p.members[0]->config();
    std::vector<Ipv4> front{c.ha.nlbs_address};
    if (c.ha.nlbs_address.is_unspecified()) {  // prior art: the cluster addresses themselves
      front.clear();
      for (const auto& cl : c.clusters) front.push_back(cl.address);
    }
    for (Ipv4 a : front) {
      Front f;
      f.address = a;
      f.members = members;
      f.heartbeat_timeout = c.ha.heartbeat_timeout;
      f.heartbeat_interval = c.ha.heartbeat_interval;
      fronts_.push_back(std::move(f));
    }
  }

  balancer_of_.assign(n_nodes, -1);
  for (std::size_t k = 0; k < balancers_.size(); ++k) balancer_of_[balancers_[k].node] = static_cast<int>(k);
  for (Front& f : fronts_) f.garps.assign(balancers_.size(), {});

  firewalls_.clear();
  std::vector<NodeId> fw_ids;
  for (std::size_t k = 0; k < n_nodes; ++k) {
    const nodes::Node& n = b.node(k);
    if (n.role() != nodes::Role::Firewall) continue;
    for (const net::Interface& itf : n.interfaces().all()) {
      if (itf.loopback || !itf.device || itf.device->lan_id() != access) continue;
      Firewall fw;
      fw.node = n.id();
      fw.iface = itf.index;
      fw.end = end_of(n, itf.index);
      fw.entries.assign(fronts_.size(), {});
      fw.hears_since.assign(balancers_.size(), Time::zero());
      firewalls_.push_back(std::move(fw));
      fw_ids.push_back(n.id());
      break;
    }
  }
  if (access != link::kNoLan) r_.bounds = arp_bounds(b, access, fw_ids);
  now_ = Time::zero();
  dirty_ = hearing_dirty_ = false;
  open_.clear();
  subscribe(run.sim.trace());
}

// ---- the trace ------------------------------------------------------------------------------

void InvariantChecker::subscribe(sim::TraceBus& t) {
  // State: who holds a front address, who hears whom, what the firewalls resolve.
  t.subscribe<net::AddressChanged>([this](const net::AddressChanged& e) {
    for (Front& f : fronts_) {
      if (f.address != e.addr || std::find(f.members.begin(), f.members.end(), e.node) == f.members.end())
        continue;
      advance(e.at);
      auto it = std::find(f.holders.begin(), f.holders.end(), e.node);
      if (e.added && it == f.holders.end()) f.holders.push_back(e.node);
      if (!e.added && it != f.holders.end()) f.holders.erase(it);
      dirty_ = true;
    }
  });
  t.subscribe<protocols::HaSplitBrain>([this](const protocols::HaSplitBrain& e) {
    if (Balancer* b = balancer(e.node)) {
      advance(e.at);
      b->split_brain_at = e.at;
      dirty_ = true;
    }
  });
  t.subscribe<protocols::HaPeerChanged>([this](const protocols::HaPeerChanged& e) {
    if (Balancer* b = balancer(e.node)) {
      advance(e.at);
      b->peer_alive = e.alive;
      dirty_ = true;
    }
  });
  t.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    // A balancer that (re)starts knows no peer until it hears one; the machine says so silently.
    if (Balancer* b = balancer(e.node); b && e.to == wire::HaState::Initial) {
      advance(e.at);
      b->peer_alive = false;
      dirty_ = true;
    }
  });
  t.subscribe<net::ArpChanged>([this](const net::ArpChanged& e) {
    Firewall* fw = firewall(e.node);
    if (!fw) return;
    for (std::size_t k = 0; k < fronts_.size(); ++k) {
      if (fronts_[k].address != e.change.ip) continue;
      advance(e.at);
      const bool gone =
          e.change.kind == net::ArpChangeKind::Expire || e.change.kind == net::ArpChangeKind::Fail;
      fw->entries[k].mac = gone ? Mac::zero() : e.change.mac;
      dirty_ = true;
    }
  });
  t.subscribe<nodes::NodeFault>([this](const nodes::NodeFault& e) {
    advance(e.at);
    switch (e.kind) {
      case nodes::FaultKind::Crash:
      case nodes::FaultKind::Freeze:
        on_node_down(e.node, true);
        break;
      case nodes::FaultKind::Recover:
      case nodes::FaultKind::Resume:
        on_node_down(e.node, false);
        break;
      default:
        break;
    }
    // A balancer's advisors start afresh (servers presumed up) whenever its role (re)starts.
    if (Balancer* b = balancer(e.node);
        b && e.kind != nodes::FaultKind::LinkDown && e.kind != nodes::FaultKind::LinkUp &&
        e.kind != nodes::FaultKind::Freeze && e.kind != nodes::FaultKind::Resume)
      std::fill(b->down.begin(), b->down.end(), false);
  });
  t.subscribe<link::PortStateChanged>([this](const link::PortStateChanged& e) {
    advance(e.at);
    port_up_[e.lan][e.port] = e.up;
    hearing_dirty_ = dirty_ = true;
  });

  // no-dispatch-to-down
  t.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    Balancer* b = balancer(e.node);
    if (!b) return;
    const auto& servers = servers_of_[e.node];
    for (std::size_t s = 0; s < servers.size(); ++s)
      if (servers[s] == e.server_address) b->down[s] = !e.up;
  });
  t.subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) {
    Balancer* b = balancer(e.node);
    if (!b) return;
    const auto& servers = servers_of_[e.node];
    const auto it = std::find(servers.begin(), servers.end(), e.server_address);
    const bool down = it != servers.end() && b->down[static_cast<std::size_t>(it - servers.begin())];
    if (!e.new_connection) {
      if (down) ++r_.kept_to_down_server;
      return;
    }
    ++r_.checks[static_cast<std::size_t>(Invariant::NoDispatchToDown)];
    ++r_.new_conns_checked;
    if (down && b->all_down(e.cluster)) {
      ++r_.dispatched_all_down;
      return;
    }
    if (down)
      fail(Invariant::NoDispatchToDown, e.at,
           name(e.node) + " gave a new connection to " + e.server_address.str() +
               ", which its advisor marked down");
  });

  // tcp-ends
  t.subscribe<transport::TcpOpenedEvent>([this](const transport::TcpOpenedEvent& e) {
    ++r_.connections;
    ++r_.checks[static_cast<std::size_t>(Invariant::TcpEnds)];
    const std::uint64_t key = std::uint64_t{e.node} << 40 | e.conn;
    if (!open_.emplace(key, e.at).second)
      fail(Invariant::TcpEnds, e.at,
           name(e.node) + " opened connection " + std::to_string(e.conn) + " twice");
  });
  t.subscribe<transport::TcpClosedEvent>([this](const transport::TcpClosedEvent& e) {
    const std::uint64_t key = std::uint64_t{e.node} << 40 | e.conn;
    if (open_.erase(key) == 0) {
      fail(Invariant::TcpEnds, e.at,
           name(e.node) + " closed connection " + std::to_string(e.conn) + " that was not open");
      return;
    }
    switch (e.outcome) {
      case transport::TcpOutcome::Completed:
        ++r_.completed;
        break;
      case transport::TcpOutcome::Reset:
        ++r_.reset;
        break;
      case transport::TcpOutcome::TimedOut:
        ++r_.timed_out;
        break;
      case transport::TcpOutcome::Open:
        fail(Invariant::TcpEnds, e.at,
             name(e.node) + " connection " + e.tuple.local.str() + " -> " + e.tuple.remote.str() +
                 " closed without an outcome");
        break;
    }
  });

  // counters-balance
  t.subscribe<link::FrameSent>([this](const link::FrameSent& e) { on_sent(e); });
  t.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
    ++lans_[e.lan].rx;
    ++rx_[e.node][e.iface];
  });
  t.subscribe<link::FrameDropped>([this](const link::FrameDropped& e) {
    if (e.lan != link::kNoLan && (e.stage == link::DropStage::Link || e.stage == link::DropStage::Receive))
      ++lans_[e.lan].dropped;
  });
}

void InvariantChecker::on_sent(const link::FrameSent& e) {
  ++lans_[e.lan].tx;
  ++tx_[e.node][e.iface];
  // A balancer announcing a front address on its access interface (the seed's gratuitous ARP).
  const int b = balancer_of_[e.node];
  if (b < 0 || e.iface != balancers_[static_cast<std::size_t>(b)].access || !e.frame) return;
  auto eth = wire::EthernetView::checked(e.frame->bytes());
  if (!eth || eth->ethertype() != wire::EtherType::Arp) return;
  auto arp = wire::Arp::parse(eth->payload());
  if (!arp || !arp->is_gratuitous()) return;
  for (Front& f : fronts_) {
    if (f.address != arp->spa) continue;
    advance(e.at);
    f.garps[static_cast<std::size_t>(b)].push_back(e.at);
    dirty_ = true;
  }
}

void InvariantChecker::on_node_down(NodeId n, bool down) {
  node_down_[n] = down;
  hearing_dirty_ = dirty_ = true;
  if (!down) return;
  // A crashed or frozen firewall uses no ARP entry; a crashed one has none left.
  if (Firewall* fw = firewall(n))
    for (auto& e : fw->entries) e.mac = Mac::zero();
}

// ---- judging the state at the end of each instant --------------------------------------------

void InvariantChecker::advance(Time t) {
  if (t == now_) return;
  // The state at the end of instant now_ held until t.
  if (dirty_) evaluate(now_);
  check_deadlines(t);
  now_ = t;
}

bool InvariantChecker::can_hear(const Firewall& fw, const Balancer& b) const {
  return !node_down_[fw.node] && !node_down_[b.node] && port_up_[fw.end.lan][fw.end.port] &&
         port_up_[b.end.lan][b.end.port];
}

void InvariantChecker::update_hearing(Time t) {
  for (Firewall& fw : firewalls_) {
    for (std::size_t k = 0; k < balancers_.size(); ++k) {
      const bool hears = can_hear(fw, balancers_[k]);
      if (!hears) fw.hears_since[k] = Time::max();
      if (hears && fw.hears_since[k] == Time::max()) fw.hears_since[k] = t;
    }
  }
}

void InvariantChecker::evaluate(Time t) {
  dirty_ = false;
  if (hearing_dirty_) {
    update_hearing(t);
    hearing_dirty_ = false;
  }
  for (std::size_t k = 0; k < fronts_.size(); ++k) {
    Front& f = fronts_[k];
    evaluate_owners(f, t);
    for (Firewall& fw : firewalls_) evaluate_arp(f, fw, t);
  }
}

void InvariantChecker::evaluate_owners(Front& f, Time t) {
  ++r_.checks[static_cast<std::size_t>(Invariant::SingleOwner)];
  if (f.holders.size() <= 1) {
    if (f.double_since != Time::max())
      r_.longest_split_brain = std::max(r_.longest_split_brain, t - f.double_since);
    f.double_since = Time::max();
    f.double_flagged = false;
    return;
  }
  if (f.double_since == Time::max()) f.double_since = t;
  // Judged by check_deadlines: two holders are a split brain once one of them reports it.
}

// A holder reported this stretch of two holders: it lost its peer (it took the address because it
// heard nothing), or it said split brain since the stretch began (it heard its peer active too).
bool InvariantChecker::reported(const Front& f, NodeId n) {
  const Balancer& b = *balancer(n);
  return !b.peer_alive || (b.split_brain_at != Time::max() && b.split_brain_at >= f.double_since);
}

std::string InvariantChecker::holders_text(const Front& f) {
  std::string who;
  for (NodeId n : f.holders) {
    who += (who.empty() ? "" : " and ") + name(n);
    if (balancer(n)->peer_alive) who += " (hears its peer)";
  }
  return who;
}

void InvariantChecker::evaluate_arp(Front& f, Firewall& fw, Time t) {
  const auto k = static_cast<std::size_t>(&f - fronts_.data());
  Firewall::Entry& e = fw.entries[k];
  // Judged only with one holder: with none nothing is right, with two (a split brain) either is.
  const bool judged = f.holders.size() == 1 && !node_down_[fw.node];
  bool wrong = false;
  const Balancer* h = judged ? balancer(f.holders.front()) : nullptr;
  if (h) wrong = e.mac != Mac::zero() && e.mac != h->mac;
  if (!wrong) {
    if (e.wrong) {
      ++r_.checks[static_cast<std::size_t>(Invariant::ArpFollowsOwner)];
      const Time lag = t - e.since;
      Time& slowest = e.relearning ? r_.slowest_relearn : r_.slowest_announce_follow;
      slowest = std::max(slowest, lag);
      if (t > e.deadline && !e.flagged)
        fail(Invariant::ArpFollowsOwner, e.deadline,
             name(fw.node) + "'s ARP entry for " + f.address.str() + " took " + lag.str() +
                 " to follow the holder");
    }
    e.wrong = false;
    e.flagged = false;
    return;
  }
  if (!e.wrong) {
    e.wrong = true;
    e.since = t;
    e.flagged = false;
  }
  // The deadline from what the firewall could hear. Nothing is owed before it can hear the
  // holder (`from`). After that: relearn's bound, or the announcement's from the holder's first
  // gratuitous ARP since then, whichever comes first.
  const auto hb = static_cast<std::size_t>(h - balancers_.data());
  const Time hears = fw.hears_since[hb];
  if (hears == Time::max()) {
    e.deadline = Time::max();  // it cannot hear the holder: nothing to judge until it can
    e.relearning = true;
    return;
  }
  const Time from = std::max(e.since, hears);
  e.deadline = from + r_.bounds.relearn;
  e.relearning = true;
  if (r_.bounds.lossy) return;  // an announcement may be lost: only relearn is a bound
  // The entry is judged at the end of the instant the holder took the address, so a gratuitous
  // ARP of that instant counts: `from` is never before it.
  for (Time g : f.garps[hb]) {
    if (g < from) continue;
    if (g + r_.bounds.announce < e.deadline) {
      e.deadline = std::max(g, from) + r_.bounds.announce;
      e.relearning = false;
    }
    break;
  }
}

void InvariantChecker::check_deadlines(Time t) {
  for (Front& f : fronts_) {
    if (f.holders.size() < 2 || f.double_flagged) continue;
    std::size_t told = 0;
    for (NodeId n : f.holders) told += reported(f, n);
    // One holder must say so by the time its peer's next heartbeat has reached it (a holder that
    // hears its peer learns of the second holder from it; a stale heartbeat that a peer's ARP queue
    // held while the node was down can make a booting primary active for that long) ...
    const Time first_by = f.double_since + f.heartbeat_interval + kHeartbeatTransit;
    if (told == 0 && t > first_by) {
      f.double_flagged = true;
      fail(Invariant::SingleOwner, first_by,
           f.address.str() + " held by " + holders_text(f) + " with no split brain reported within " +
               (f.heartbeat_interval + kHeartbeatTransit).str());
      continue;
    }
    // ... and each one within its own heartbeat timeout.
    if (told == f.holders.size() || t <= f.double_since + f.heartbeat_timeout) continue;
    f.double_flagged = true;
    fail(Invariant::SingleOwner, f.double_since + f.heartbeat_timeout,
         f.address.str() + " held by " + holders_text(f) + " for longer than the heartbeat timeout (" +
             f.heartbeat_timeout.str() + ") without both reporting the split brain");
  }
  for (Firewall& fw : firewalls_) {
    for (std::size_t k = 0; k < fw.entries.size(); ++k) {
      Firewall::Entry& e = fw.entries[k];
      if (!e.wrong || e.flagged || t <= e.deadline) continue;
      e.flagged = true;
      fail(Invariant::ArpFollowsOwner, e.deadline,
           name(fw.node) + "'s ARP entry for " + fronts_[k].address.str() + " still points at " +
               e.mac.str() + ", not at the holder, " +
               (e.relearning ? r_.bounds.relearn : r_.bounds.announce).str() +
               " after it could have learned it");
    }
  }
}

// ---- the end of the run ---------------------------------------------------------------------

void InvariantChecker::finish(const run::RunView& run) {
  // The last instant settles, and what is still wrong has lasted to the end.
  if (dirty_) evaluate(now_);
  check_deadlines(run.end);
  for (Front& f : fronts_) {
    if (f.holders.size() > 1)
      r_.longest_split_brain = std::max(r_.longest_split_brain, run.end - f.double_since);
  }
  check_tcp_at_end(run);
  check_counters_at_end(run);
}

void InvariantChecker::check_tcp_at_end(const run::RunView& run) {
  // What is still open must still be in its host's table: gone without a close is vanished.
  std::map<std::uint64_t, Time> left(open_.begin(), open_.end());  // ordered, for the report
  std::set<std::uint64_t> alive;
  for (std::size_t n = 0; n < run.built.nodes.size(); ++n)
    run.built.node(n).transport().tcp().for_each_connection([&](const transport::TcpConnection& c) {
      alive.insert(std::uint64_t{static_cast<std::uint32_t>(n)} << 40 | c.id());
    });
  for (const auto& [key, opened] : left) {
    ++r_.open_at_end;
    if (alive.contains(key)) continue;
    const auto node = static_cast<NodeId>(key >> 40);
    fail(Invariant::TcpEnds, run.end,
         name(node) + " connection " + std::to_string(key & ((std::uint64_t{1} << 40) - 1)) + " opened at " +
             opened.str() + " vanished without an end");
  }
}

void InvariantChecker::check_counters_at_end(const run::RunView& run) {
  const run::Built& b = run.built;
  for (std::size_t l = 0; l < b.lans.size(); ++l) {
    const link::Lan& lan = *b.lans[l];
    const LanCount& c = lans_[l];
    const link::LanCounters& m = lan.counters();
    // Copies put on the link: each frame a NIC sent, plus what the switch made of those that
    // reached it (one copy per output port, a same-port discard, none at all).
    const std::uint64_t sent = c.tx + m.copies_out - m.frames_in;
    const std::uint64_t flight = lan.in_flight();
    r_.frames_sent += sent;
    r_.frames_in_flight += flight;
    ++r_.checks[static_cast<std::size_t>(Invariant::CountersBalance)];
    if (sent != c.rx + c.dropped + flight)
      fail(Invariant::CountersBalance, run.end,
           "LAN " + lan.name() + ": " + std::to_string(sent) + " sent != " + std::to_string(c.rx) +
               " received + " + std::to_string(c.dropped) + " dropped + " + std::to_string(flight) +
               " in flight");
  }
  for (std::size_t n = 0; n < b.nodes.size(); ++n) {
    const nodes::Node& node = b.node(n);
    for (const net::Interface& itf : node.interfaces().all()) {
      if (itf.loopback || !itf.device) continue;
      const link::DeviceCounters& d = itf.device->counters();
      ++r_.checks[static_cast<std::size_t>(Invariant::CountersBalance)];
      if (d.tx_frames != tx_[n][itf.index] || d.rx_frames != rx_[n][itf.index])
        fail(Invariant::CountersBalance, run.end,
             name(static_cast<NodeId>(n)) + "/" + itf.name + ": counters say " + std::to_string(d.tx_frames) +
                 " sent, " + std::to_string(d.rx_frames) + " received; the trace " +
                 std::to_string(tx_[n][itf.index]) + " and " + std::to_string(rx_[n][itf.index]));
    }
  }
}

}  // namespace nlb::check
