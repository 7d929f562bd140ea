#include "runner/run/summary.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

namespace nlb::run {

namespace {

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", x * 100);
  return buf;
}

std::string fixed(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

void addresses(const Report& r, std::string& out) {
  out += "Public addresses the site must own: " + std::to_string(r.public_count) + "\n";
  // One line per address: where it is configured, and why (from its first place).
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::string, std::string>> by;  // address -> (places, why)
  for (const AddressEntry& a : r.addresses) {
    auto [it, fresh] = by.try_emplace(a.address);
    if (fresh) {
      order.push_back(a.address);
      it->second.second = a.why;
    } else {
      it->second.first += ", ";
    }
    it->second.first += a.node + " " + a.where;
  }
  for (const std::string& a : order) {
    const auto& [places, why] = by[a];
    out += "  " + a + std::string(a.size() < 16 ? 16 - a.size() : 1, ' ') + why + "\n";
    out += std::string(18, ' ') + "on " + places + "\n";
  }
}

void flow(const Report& r, std::string& out) {
  const Figure4Flow& f = r.flow;
  if (!f.started) {
    out += r.realtime && !r.realtime->ports.empty()
               ? "Figure 4 flow: traced for simulated clients only (real clients' requests are in the "
                 "captures)\n"
               : "Figure 4 flow: no client sent a request to a cluster address\n";
    return;
  }
  const std::string ep = f.client_ip.str() + ":" + std::to_string(f.client_port);
  out += "Figure 4 flow, the first request (" + f.client + " " + ep + " -> " + f.cluster.str() + ":" +
         std::to_string(f.cluster_port) + " at " + f.start.str() + "):\n";
  // Steps a few microseconds apart: show them to the microsecond.
  if (f.syn_retransmissions > 0)
    out += "  (the client sent its SYN " + std::to_string(f.syn_retransmissions + 1) +
           " times: the path was not ready yet, e.g. the firewalls' VRRP masters not elected)\n";
  auto at = [&](sim::Time t) {
    return "  [+" + fixed(static_cast<double>((t - f.start).nanos()) / 1e6, 3) + " ms]";
  };
  const bool prior_art = f.front == f.cluster;
  const std::string what = prior_art ? "the cluster address itself (prior art)" : "the NLBS address";
  if (f.arp_request)
    out += "  1. " + f.arp_by + " broadcasts ARP who-has " + f.front.str() + " (" + what + ")" +
           at(f.arp_at) + "\n";
  else
    out += "  1. no ARP request for the balancers' address: the firewall knew it already\n";
  if (f.arp_reply)
    out += "  2. only " + f.replied_by + " answers: " + f.front.str() + " is-at " + f.replied_mac.str() +
           (f.other_replies ? " (and " + std::to_string(f.other_replies) + " other answers!)" : "") +
           at(f.reply_at) + "\n";
  if (f.dispatched) {
    out += "  3. " + f.balancer + " gives the connection to " + f.server;
    if (f.rewritten)
      out += ", rewriting only the destination MAC " + f.in_dst.str() + " -> " + f.out_dst.str() +
             (f.only_mac ? " (IP header untouched, TTL " + std::to_string(f.ttl_out) + ")"
                         : " (other bytes changed!)");
    out += at(f.dispatch_at) + "\n";
  }
  if (f.replied) {
    out += "  4. " + f.server + " accepts it on its loopback (" + f.cluster.str() +
           ") and replies directly via " + f.reply_gateway.str();
    if (!f.reply_next_hop.empty()) out += " (" + f.reply_next_hop + ")";
    out += f.through_balancer ? ", THROUGH a balancer" : ", not through a balancer";
    out += at(f.server_reply_at) + "\n";
  }
  if (f.done) out += "  5. request " + f.outcome + " in " + ms_text(f.latency) + "\n";
}

void faults(const Report& r, std::string& out) {
  if (r.faults.empty()) return;
  out += "Faults:\n";
  for (const FaultReport& f : r.faults) {
    out += "  " + f.name + ": " + f.action + " " + f.target + " at " + f.at.str();
    if (!f.applied) {
      out += " (after the end of the run)\n";
      continue;
    }
    out += "\n";
    if (f.kind == FaultMeasure::Failover) {
      // Responses and connections are counted for simulated clients; real clients' are in the
      // captures, so a run with only real clients says so instead of "never" and "0 of 0".
      const bool real_clients_only = r.ok + r.failed == 0 && r.realtime && !r.realtime->ports.empty();
      out +=
          "    detected after " + time_or_none(f.detection) + "; traffic flows again after " +
          time_or_none(f.first_datagram) +
          (real_clients_only ? std::string() : "; first response after " + time_or_none(f.first_response)) +
          "; firewall ARP entry updated after " + time_or_none(f.arp_update) + "\n";
      out += "    " + std::to_string(f.datagrams_lost) + " datagrams lost; ";
      out += !real_clients_only || f.connections_open
                 ? std::to_string(f.connections_completed) + " of " + std::to_string(f.connections_open) +
                       " connections open at the fault completed (" + percent(f.survival()) + ")\n"
                 : "responses and connections of real clients: see the captures\n";
    } else if (f.kind == FaultMeasure::Restore) {
      out += f.back
                 ? "    back in service after " + ms_text(*f.back) + "; " +
                       std::to_string(f.connections_completed) + " of " + std::to_string(f.connections_open) +
                       " connections open then completed (" + percent(f.survival()) + ")\n"
                 : "    not back in service before the end (manual recovery, or nothing to take back)\n";
    } else if (f.kind == FaultMeasure::Shift) {
      out += "    share before " + percent(f.share_before) + "; crossed " + percent(f.shift_threshold) +
             " after " + time_or_none(f.load_shift) + "\n";
    }
    out += "    until the next fault: longest outage " + ms_text(f.outage) + "; " +
           std::to_string(f.takeovers) + (f.takeovers == 1 ? " takeover" : " takeovers") +
           "; two masters for " + ms_text(f.dual_master) + "\n";
  }
}

void load(const Report& r, std::string& out) {
  if (r.ok + r.failed == 0 && r.realtime && !r.realtime->ports.empty())
    out += "Requests: none from simulated clients (the balancers count real clients' connections below)\n";
  else
    out += "Requests: " + std::to_string(r.ok) + " ok, " + std::to_string(r.failed) + " failed (" +
           percent(r.error_rate()) + "); response time p50 " + ms_text(r.p50) + ", p99 " + ms_text(r.p99) +
           "\n";
  if (r.servers.empty()) return;
  out += "Servers (share of new connections):";
  if (r.servers.size() <= 8) {
    for (const ServerReport& s : r.servers)
      out += " " + s.name + " " + percent(s.share) + " (" + std::to_string(s.connections) + ")";
  } else {
    auto [lo, hi] = std::minmax_element(r.servers.begin(), r.servers.end(),
                                        [](const auto& a, const auto& b) { return a.share < b.share; });
    out += " " + std::to_string(r.servers.size()) + " servers, from " + percent(lo->share) + " (" + lo->name +
           ") to " + percent(hi->share) + " (" + hi->name + ")";
  }
  out += "\n  imbalance max/mean " + fixed(r.imbalance, 3) + ", coefficient of variation " + fixed(r.cv, 3) +
         "\n";
}

void realtime(const RealtimeReport& rt, std::string& out) {
  const std::string ended = rt.ended == "interrupted" ? "stopped by SIGINT/SIGTERM"
                            : rt.ended == "max_lag"   ? "STOPPED: an event lagged past max_lag"
                                                      : "ran its full duration";
  out += "Real time (speed " + rt.speed + ", " + ended + "): " + std::to_string(rt.events) +
         " events, lag mean " + ms_text(rt.mean_lag) + ", p50 " + ms_text(rt.p50_lag) + ", p99 " +
         ms_text(rt.p99_lag) + ", max " + ms_text(rt.max_lag) + "; " + std::to_string(rt.late) +
         " later than " + ms_text(rt.late_threshold) + "\n";
  if (rt.max_lag_allowed)
    out += rt.max_lag_exceeded ? "  the lag exceeded max_lag " + ms_text(*rt.max_lag_allowed) +
                                     ": the run stopped, and the timings it measured are not valid\n"
                               : "  within max_lag " + ms_text(*rt.max_lag_allowed) + "\n";
  if (rt.inbox_full)
    out +=
        "  " + std::to_string(rt.inbox_full) + " frames dropped at the inbox (the simulation fell behind)\n";
  for (const ExternalPortReport& p : rt.ports) {
    out += "  " + p.node + "/" + p.interface + " (" + p.linux_interface +
           "): " + std::to_string(p.frames_in) + " frames in, " + std::to_string(p.frames_out) + " out";
    if (p.dropped_in) out += ", " + std::to_string(p.dropped_in) + " dropped";
    if (p.errors) out += ", " + std::to_string(p.errors) + " socket errors";
    out += "\n";
  }
}

void expectations(const Report& r, std::string& out) {
  if (r.expectations.empty()) {
    out += "Expectations: none\n";
    return;
  }
  const auto holding =
      std::count_if(r.expectations.begin(), r.expectations.end(), [](auto& e) { return e.ok; });
  out +=
      "Expectations: " + std::to_string(holding) + " of " + std::to_string(r.expectations.size()) + " hold\n";
  for (const ExpectationResult& e : r.expectations)
    out += std::string(e.ok ? "  ok    " : "  FAIL  ") + e.name + ": " + e.measure + " " + e.measured +
           " (bound " + e.bound + ")\n";
}

}  // namespace

std::string summary_text(const Report& r) {
  std::string out = r.scenario + ": " + r.duration.str() + " simulated, seed " + std::to_string(r.seed) +
                    ", " + std::to_string(r.events) + " events\n\n";
  addresses(r, out);
  out += "\n";
  flow(r, out);
  out += "\n";
  if (!r.faults.empty()) {
    faults(r, out);
    out += "\n";
  }
  load(r, out);
  out += "\n";
  if (r.realtime) {
    realtime(*r.realtime, out);
    out += "\n";
  }
  expectations(r, out);
  return out;
}

// ---- compare --------------------------------------------------------------------------------

namespace {

struct Table {
  std::vector<std::array<std::string, 3>> rows;
  void add(std::string name, std::string a, std::string b) {
    rows.push_back({std::move(name), std::move(a), std::move(b)});
  }
  std::string str() const {
    std::size_t w[3] = {0, 0, 0};
    for (const auto& r : rows)
      for (int c = 0; c < 3; ++c) w[c] = std::max(w[c], r[c].size());
    std::string out;
    for (const auto& r : rows) {
      std::string line;
      for (int c = 0; c < 3; ++c) line += r[c] + std::string(w[c] - r[c].size() + (c < 2 ? 3 : 0), ' ');
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }
};

const FaultReport* find_fault(const Report& r, const std::string& name) {
  for (const FaultReport& f : r.faults)
    if (f.name == name) return &f;
  return nullptr;
}

const ServerReport* find_server(const Report& r, const std::string& name) {
  for (const ServerReport& s : r.servers)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

std::string compare_text(const Report& a, const Report& b) {
  Table t;
  t.add("", a.scenario, b.scenario);
  t.add("public addresses", std::to_string(a.public_count), std::to_string(b.public_count));
  t.add("requests ok", std::to_string(a.ok), std::to_string(b.ok));
  t.add("requests failed", std::to_string(a.failed), std::to_string(b.failed));
  t.add("error rate", percent(a.error_rate()), percent(b.error_rate()));
  t.add("response time p50", ms_text(a.p50), ms_text(b.p50));
  t.add("response time p99", ms_text(a.p99), ms_text(b.p99));
  t.add("imbalance max/mean", fixed(a.imbalance, 3), fixed(b.imbalance, 3));
  t.add("coefficient of variation", fixed(a.cv, 3), fixed(b.cv, 3));
  std::vector<std::string> servers;
  for (const Report* r : {&a, &b})
    for (const ServerReport& s : r->servers)
      if (std::find(servers.begin(), servers.end(), s.name) == servers.end()) servers.push_back(s.name);
  for (const std::string& s : servers) {
    auto share = [&](const Report& r) {
      const ServerReport* x = find_server(r, s);
      return x ? percent(x->share) : std::string("-");
    };
    t.add("share " + s, share(a), share(b));
  }
  std::vector<std::string> faults;
  for (const Report* r : {&a, &b})
    for (const FaultReport& f : r->faults)
      if (std::find(faults.begin(), faults.end(), f.name) == faults.end()) faults.push_back(f.name);
  for (const std::string& name : faults) {
    const FaultReport* fa = find_fault(a, name);
    const FaultReport* fb = find_fault(b, name);
    auto cell = [](const FaultReport* f, auto&& get) { return f && f->applied ? get(*f) : std::string("-"); };
    auto row = [&](const std::string& what, auto&& get) {
      t.add(name + ": " + what, cell(fa, get), cell(fb, get));
    };
    const FaultReport* any = fa ? fa : fb;
    if (any->kind == FaultMeasure::Restore) {
      row("back in service", [](const FaultReport& f) { return time_or_none(f.back); });
      continue;
    }
    if (any->kind == FaultMeasure::Shift) {
      row("load shift", [](const FaultReport& f) { return time_or_none(f.load_shift); });
      continue;
    }
    row("detection", [](const FaultReport& f) { return time_or_none(f.detection); });
    row("traffic again", [](const FaultReport& f) { return time_or_none(f.first_datagram); });
    row("first response", [](const FaultReport& f) { return time_or_none(f.first_response); });
    row("ARP update", [](const FaultReport& f) { return time_or_none(f.arp_update); });
    row("datagrams lost", [](const FaultReport& f) { return std::to_string(f.datagrams_lost); });
    row("longest outage", [](const FaultReport& f) { return ms_text(f.outage); });
    row("takeovers", [](const FaultReport& f) { return std::to_string(f.takeovers); });
    row("two masters", [](const FaultReport& f) { return ms_text(f.dual_master); });
    row("survival", [](const FaultReport& f) {
      return percent(f.survival()) + " (" + std::to_string(f.connections_completed) + "/" +
             std::to_string(f.connections_open) + ")";
    });
  }
  auto holding = [](const Report& r) {
    const auto n = std::count_if(r.expectations.begin(), r.expectations.end(), [](auto& e) { return e.ok; });
    return std::to_string(n) + " of " + std::to_string(r.expectations.size()) + " hold";
  };
  t.add("expectations", holding(a), holding(b));
  return t.str();
}

}  // namespace nlb::run
