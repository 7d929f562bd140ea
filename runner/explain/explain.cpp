#include "runner/explain/explain.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runner/explain/causes.hpp"
#include "runner/explain/world.hpp"

namespace nlb::explain {

namespace {

bool benign_loss(const std::string& reason) { return reason == "loss" || reason == "queue-full"; }

// Drops whose frame reached a place that could not take it: the receiver is down, frozen,
// not active, cut off, or nobody accepted the MAC.
bool receiver_refused(const std::string& reason) {
  return reason == "node-down" || reason == "frozen" || reason == "not-active" || reason == "link-down" ||
         reason == "iface-down" || reason == "filtered";
}

class Explainer {
 public:
  Explainer(const TraceIndex& t, const ExplainOptions& o) : t_(t), o_(o), w_(t), c_(w_) {
    for (const ConnLine& c : t_.conns) clusters_.insert(c.vip.ip);
    for (std::uint32_t n = 0; n < t_.nodes.size(); ++n) {
      for (const IfInfo& i : t_.nodes[n].interfaces) {
        for (wire::Ipv4 a : i.hosts) {
          if (i.loopback && !a.is_loopback() && t_.nodes[n].role == "server") clusters_.insert(a);
          if (!i.loopback && (t_.nodes[n].role == "client" || t_.nodes[n].role == "host"))
            client_of_ip_[a] = n;
        }
      }
    }
  }

  Explanation run() {
    Explanation e;
    e.scenario = t_.scenario;
    e.seed = t_.seed;
    e.end = t_.duration;
    scan_drops(e);
    scan_connections();
    scan_requests(e);
    for (Group& g : groups_) e.outages.push_back(c_.finish(g, t_.duration));
    for (Outage& o : c_.flapping(t_.duration)) e.outages.push_back(std::move(o));
    std::sort(e.outages.begin(), e.outages.end(), [](const Outage& a, const Outage& b) {
      return a.start != b.start ? a.start < b.start : a.first_impact < b.first_impact;
    });
    for (std::size_t k = 0; k < e.outages.size(); ++k) e.outages[k].number = static_cast<int>(k + 1);
    if (!t_.has_mac_lines && !t_.macs.size())
      e.notes.push_back(
          "the trace has no switch-table (`mac`) lines: switch entries are inferred from VRRP states");
    return e;
  }

 private:
  std::optional<Endpoint> client_endpoint(const FrameLine& f) const {
    if (!f.ip || (f.proto != 6 && f.proto != 17)) return std::nullopt;
    if (clusters_.count(f.ip_dst)) return Endpoint{f.ip_src, f.sport};
    if (clusters_.count(f.ip_src)) return Endpoint{f.ip_dst, f.dport};
    return std::nullopt;
  }

  std::string client_name(wire::Ipv4 ip) const {
    auto it = client_of_ip_.find(ip);
    return it == client_of_ip_.end() ? ip.str() : w_.node_name(it->second);
  }

  Group& group(Diagnosis d) {
    auto [it, added] = index_.try_emplace(d.key, groups_.size());
    if (added) groups_.push_back(Group{std::move(d), {}, {}});
    return groups_[it->second];
  }

  void add(Group& g, Impact i) {
    if (!i.client.empty()) g.clients.insert(i.client);
    if (i.conn) by_conn_[*i.conn] = index_.at(g.d.key);
    g.impacts.push_back(std::move(i));
  }

  // A cause explain cannot name: grouped by place and reason, split by quiet gaps.
  Diagnosis unexplained(const std::string& site, const std::string& what, Time t) {
    auto& [last, n] = generic_[site + "|" + what];
    if (n == 0 || t - last > o_.gap) ++n;
    last = t;
    Diagnosis d;
    d.key = "other|" + site + "|" + what + "|" + std::to_string(n);
    d.kind = "other";
    d.site = site;
    d.what = what;
    d.start = t;
    return d;
  }

  void scan_drops(Explanation& e) {
    for (const FrameLine& f : t_.frames) {
      if (f.dir != Dir::Drop) continue;
      auto conn = client_endpoint(f);
      if (!conn) continue;
      if (f.reason == "filtered" && std::binary_search(t_.accepted.begin(), t_.accepted.end(), f.id))
        continue;
      const std::string client = client_name(conn->ip);
      if (benign_loss(f.reason)) {
        ++e.datagrams_lost_to_loss;
        lossy_[*conn] = &f;
        continue;
      }
      if (lost_ids_.count({f.id, f.t})) continue;  // one frame flooded to several NICs: one loss
      // A client's RST for a connection it has given up on: the break is already counted.
      if (f.reason == "unknown-connection" && (f.tcp_flags & 0x04)) continue;
      lost_ids_.insert({f.id, f.t});
      Diagnosis d = diagnose_drop(f, *conn);
      add(group(std::move(d)), Impact{f.t, Impact::Lost, client, conn, &f, {}});
    }
  }

  Diagnosis diagnose_drop(const FrameLine& f, const Endpoint& conn) {
    if (receiver_refused(f.reason)) {
      if (auto d = c_.refused(f)) return *d;
    }
    if (f.reason == "arp-failed" || f.reason == "arp-queue-full") {
      if (auto d = c_.arp_failed(f)) return *d;
    }
    if (f.reason == "unknown-connection") {
      if (auto d = c_.missing_connection(f.node, conn, f.t)) return *d;
    }
    const std::string site = f.node != kNone ? w_.node_name(f.node)
                                             : "LAN " + (f.lan < t_.lans.size() ? t_.lans[f.lan].name : "?") +
                                                   " port " + std::to_string(f.port);
    return unexplained(site, f.reason, f.t);
  }

  // A balancer that gives an open connection a server other than the one it had: the server
  // does not know the connection and resets it (the seed's table sync exists to avoid this).
  void scan_connections() {
    struct Open {
      std::string server;
      std::uint32_t balancer = kNone;
    };
    std::map<Endpoint, Open> open;
    for (const ConnLine& c : t_.conns) {
      if (c.op == "end") {
        open.erase(c.client);
        if (c.outcome != "completed") broken(c);
        continue;
      }
      if (c.op != "add" && c.op != "sync") continue;
      auto it = open.find(c.client);
      if (c.op == "add" && it != open.end() && it->second.server != c.server && !c.server.empty()) {
        if (auto d = c_.missing_connection(c.node, c.client, c.t)) {
          Group& g = group(std::move(*d));
          Impact i{c.t,      Impact::Moved, client_name(c.client.ip),
                   c.client, nullptr,       c.client.str() + " " + it->second.server + " -> " + c.server};
          add(g, std::move(i));
        }
      }
      if (c.op == "add" || it == open.end()) open[c.client] = {c.server, c.node};
    }
  }

  void broken(const ConnLine& c) {
    const std::string client = client_name(c.client.ip);
    Impact i{c.t, Impact::Broken, client, std::nullopt, nullptr, c.outcome};
    if (auto it = by_conn_.find(c.client); it != by_conn_.end()) {
      groups_[it->second].impacts.push_back(std::move(i));
      broken_at_[{c.node, c.t}] = it->second;
      return;
    }
    Diagnosis d;
    if (auto lost = lossy_.find(c.client); lost != lossy_.end()) {
      d = c_.random_loss(*lost->second);
    } else {
      d = unexplained(client, "connection " + c.outcome, c.t);
    }
    Group& g = group(std::move(d));
    broken_at_[{c.node, c.t}] = index_.at(g.d.key);
    g.clients.insert(client);
    g.impacts.push_back(std::move(i));
  }

  void scan_requests(Explanation& e) {
    for (const RequestLine& r : t_.requests) {
      if (r.outcome == "ok") {
        ++e.requests_ok;
        continue;
      }
      ++e.requests_failed;
      Impact i{r.t, Impact::Failed, w_.node_name(r.node), std::nullopt, nullptr, r.outcome};
      if (auto it = broken_at_.find({r.node, r.t}); it != broken_at_.end()) {
        groups_[it->second].impacts.push_back(std::move(i));
        continue;
      }
      // The group that hit this client while the request was out.
      std::optional<std::size_t> hit;
      for (std::size_t g = 0; g < groups_.size(); ++g) {
        for (const Impact& x : groups_[g].impacts)
          if (x.client == i.client && x.t >= r.t - r.latency && x.t <= r.t && x.type != Impact::Failed)
            hit = g;
      }
      if (hit) {
        groups_[*hit].impacts.push_back(std::move(i));
        continue;
      }
      Group& g = group(unexplained(i.client, "request " + r.outcome, r.t));
      g.clients.insert(i.client);
      g.impacts.push_back(std::move(i));
    }
  }

  const TraceIndex& t_;
  ExplainOptions o_;
  World w_;
  Causes c_;
  std::set<wire::Ipv4> clusters_;
  std::map<wire::Ipv4, std::uint32_t> client_of_ip_;
  std::vector<Group> groups_;
  std::map<std::string, std::size_t> index_;
  std::map<Endpoint, std::size_t> by_conn_;
  std::map<Endpoint, const FrameLine*> lossy_;
  std::map<std::pair<std::uint32_t, Time>, std::size_t> broken_at_;
  std::map<std::string, std::pair<Time, int>> generic_;
  std::set<std::pair<std::uint64_t, Time>> lost_ids_;
};

}  // namespace

Explanation explain(const TraceIndex& trace, const ExplainOptions& options) {
  return Explainer(trace, options).run();
}

}  // namespace nlb::explain
