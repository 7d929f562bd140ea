#include "runner/run/build.hpp"

#include <algorithm>
#include <cmath>

#include "models/nodes/internet.hpp"
#include "models/nodes/site.hpp"
#include "runner/text.hpp"

namespace nlb::run {

using link::IfIndex;
using runner::kNone;
using runner::Role;
using runner::Scenario;
using sim::Time;
using wire::Ipv4;

apps::ServiceTime service_time_of(const runner::ServiceTimeSpec& s) {
  switch (s.distribution) {
    case runner::ServiceDistribution::Constant:
      return apps::ServiceTime::constant(s.mean);
    case runner::ServiceDistribution::Uniform:
      return apps::ServiceTime::uniform(s.min.value_or(s.mean), s.max.value_or(s.mean));
    case runner::ServiceDistribution::Exponential:
      return apps::ServiceTime::exponential(s.mean);
  }
  return apps::ServiceTime::constant(s.mean);
}

void Built::boot() {
  for (nodes::Node* n : nodes)
    if (n) n->boot();
}

std::string Built::start_externals() {
  for (BuiltExternal& e : externals)
    if (!e.port->start()) return "cannot start the reader thread of external port " + e.port->config().ifname;
  return {};
}

void Built::stop_externals() {
  for (BuiltExternal& e : externals) e.port->stop();
}

link::Device* Built::device(std::size_t node, std::size_t iface) const {
  if (nodes[node]) return &nodes[node]->device(static_cast<IfIndex>(iface));
  for (const BuiltExternal& e : externals)
    if (e.node == node && e.iface == iface) return &e.port->device();
  return nullptr;
}

std::size_t Built::server_of(Ipv4 addr) const {
  for (std::size_t k = 0; k < server_addrs.size(); ++k)
    if (server_addrs[k] == addr) return servers[k];
  return kNone;
}

namespace {

std::string P(std::string_view base, std::string_view key) { return runner::pointer_join(base, key); }
std::string P(std::string_view base, std::size_t i) { return runner::pointer_join(base, i); }
std::string node_ptr(std::size_t n) { return P("/nodes", n); }
std::string pair_ptr(std::size_t p) { return P("/balancer_pairs", p); }

protocols::SchedulerKind scheduler_of(runner::Scheduler s) {
  switch (s) {
    case runner::Scheduler::Rr:
      return protocols::SchedulerKind::RoundRobin;
    case runner::Scheduler::Wrr:
      return protocols::SchedulerKind::WeightedRoundRobin;
    case runner::Scheduler::Lc:
      return protocols::SchedulerKind::LeastConnections;
    case runner::Scheduler::Wlc:
      return protocols::SchedulerKind::WeightedLeastConnections;
    case runner::Scheduler::Manager:
      return protocols::SchedulerKind::Manager;
  }
  return protocols::SchedulerKind::Manager;
}

nodes::SyncMode sync_mode_of(runner::SyncMode m) {
  switch (m) {
    case runner::SyncMode::Off:
      return nodes::SyncMode::Off;
    case runner::SyncMode::PerConnection:
      return nodes::SyncMode::PerConnection;
    case runner::SyncMode::Batch:
      return nodes::SyncMode::Batch;
  }
  return nodes::SyncMode::PerConnection;
}

class Builder {
 public:
  Builder(sim::Simulation& sim, const Scenario& s, sim::RealtimePacer* pacer)
      : sim_(sim), s_(s), pacer_(pacer) {}

  BuildResult run() {
    check_unsupported();
    plan_pairs();
    if (runner::has_errors(diags_)) return done();
    b_.network = std::make_unique<net::Network>(sim_);
    make_lans();
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) make_node(n);
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      if (s_.nodes[n].role == Role::External)
        open_externals(n);
      else
        configure_node(n);
    for (std::size_t g = 0; g < s_.vrrp_groups.size(); ++g) make_vrrp_group(g);
    for (std::size_t t = 0; t < s_.traffic.size(); ++t) make_traffic(t);
    for (std::size_t p = 0; p < s_.balancer_pairs.size(); ++p) {
      BuiltPair bp{p, {}};
      for (int m = 0; m < 2; ++m)
        bp.members[m] = static_cast<nodes::Balancer*>(b_.nodes[s_.balancer_pairs[p].members[m].node_index]);
      b_.pairs.push_back(bp);
    }
    return done();
  }

 private:
  BuildResult done() {
    BuildResult r;
    runner::sort_diagnostics(diags_);
    r.diagnostics = std::move(diags_);
    if (!runner::has_errors(r.diagnostics)) r.built = std::move(b_);
    return r;
  }

  void error(std::string pointer, std::string message) {
    diags_.push_back({runner::Severity::Error, s_.file, std::move(pointer), std::move(message)});
  }
  void unsupported(std::string pointer, const std::string& what) {
    error(std::move(pointer), "not supported yet: " + what);
  }

  // ---- what the models cannot do (yet) -------------------------------------------------------

  void check_unsupported() {
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) check_node(n);
    for (std::size_t g = 0; g < s_.vrrp_groups.size(); ++g) check_vrrp(g);
    for (std::size_t p = 0; p < s_.balancer_pairs.size(); ++p) check_pair(p);
    for (std::size_t t = 0; t < s_.traffic.size(); ++t) check_traffic(t);
  }

  void check_node(std::size_t n) {
    const runner::NodeSpec& nd = s_.nodes[n];
    const std::string np = node_ptr(n);
    if (nd.vrrp_garp_send_time != Time::zero() && nd.role != Role::Firewall && nd.role != Role::Router)
      error(P(np, "vrrp_garp_send_time"), "only firewalls and routers run a VRRP daemon");
    if (nd.http_server && nd.role != Role::Server)
      unsupported(P(np, "http_server"), "an HTTP server on a node of role " +
                                            std::string(runner::to_string(nd.role)) +
                                            ": only role server runs one");
    if (nd.filter && nd.role != Role::Firewall && nd.role != Role::Router)
      unsupported(P(np, "filter"), "a packet filter on a node of role " +
                                       std::string(runner::to_string(nd.role)) +
                                       ": only firewalls and routers filter");
    if (nd.role == Role::Balancer && !in_pair(n))
      unsupported(np, "a balancer outside a balancer pair (list it as primary or backup of one)");
    if (nd.role == Role::External && !pacer_)
      error(np,
            "an external node needs a real-time run (the runner makes one for a scenario with external "
            "nodes)");
  }

  bool in_pair(std::size_t n) const {
    for (const auto& p : s_.balancer_pairs)
      if (p.members[0].node_index == n || p.members[1].node_index == n) return true;
    return false;
  }

  void check_vrrp(std::size_t g) {
    const runner::VrrpGroupSpec& grp = s_.vrrp_groups[g];
    const std::string gp = P("/vrrp_groups", g);
    for (std::size_t m = 0; m < grp.members.size(); ++m) {
      const Role r = s_.nodes[grp.members[m].node_index].role;
      if (r != Role::Firewall && r != Role::Router)
        unsupported(P(P(P(gp, "members"), m), "node"), "a VRRP member of role " +
                                                           std::string(runner::to_string(r)) +
                                                           ": only firewalls and routers run VRRP");
    }
    if (grp.mode == runner::VrrpMode::Rfc5798) {
      // These are keepalived's settings: in rfc5798 mode the machine follows the RFC (one
      // gratuitous ARP per address, 3 missed adverts), so a changed value would do nothing.
      const runner::VrrpGroupSpec d;
      auto only_keepalived = [&](bool changed, const char* key) {
        if (changed)
          error(P(gp, key),
                std::string(key) + " applies to mode keepalived only; this group is mode rfc5798");
      };
      only_keepalived(grp.garp_master_repeat != d.garp_master_repeat, "garp_master_repeat");
      only_keepalived(grp.garp_master_delay != d.garp_master_delay, "garp_master_delay");
      only_keepalived(grp.garp_master_refresh != d.garp_master_refresh, "garp_master_refresh");
      only_keepalived(grp.down_timer_adverts != d.down_timer_adverts, "down_timer_adverts");
      only_keepalived(grp.garp_master_refresh_repeat != d.garp_master_refresh_repeat,
                      "garp_master_refresh_repeat");
      only_keepalived(grp.garp_lower_prio_repeat.has_value(), "garp_lower_prio_repeat");
      only_keepalived(grp.garp_lower_prio_delay.has_value(), "garp_lower_prio_delay");
      only_keepalived(grp.higher_prio_send_advert, "higher_prio_send_advert");
      only_keepalived(grp.lower_prio_no_advert, "lower_prio_no_advert");
      only_keepalived(grp.garp_interval != d.garp_interval, "garp_interval");
    }
  }

  void check_pair(std::size_t p) {
    const runner::BalancerPairSpec& pr = s_.balancer_pairs[p];
    const std::string pp = pair_ptr(p);
    if (pr.sync.batch_max > kModelBatchMax)
      error(P(P(pp, "sync"), "batch_max"), "at most " + std::to_string(kModelBatchMax) +
                                               " connections fit one sync message (a 1500-byte frame)");
    for (std::size_t c = 0; c < pr.clusters.size(); ++c) {
      const runner::ClusterSpec& cl = pr.clusters[c];
      const std::string cp = P(P(pp, "clusters"), c);
      if (cl.manager.proportions.system != 0)
        unsupported(
            P(P(P(cp, "manager"), "proportions"), "system"),
            "the system metric (no server reports a load): give it 0 and share its percent among the others");
      if (cl.manager.sensitivity != std::floor(cl.manager.sensitivity))
        unsupported(P(P(cp, "manager"), "sensitivity"), "a fractional sensitivity (whole percents only)");
      if (cl.advisor.kind == runner::AdvisorKind::Ping)
        unsupported(P(P(cp, "advisor"), "kind"), "ping advisors (http and connect are modelled)");
      // One advisor per balancer probes each server: its settings are the pair's, not a cluster's.
      if (c > 0 && !same_advisor(cl.advisor, pr.clusters[0].advisor))
        unsupported(P(cp, "advisor"),
                    "advisor settings that differ between the clusters of one pair (the balancer runs one "
                    "advisor per server): give every cluster the first one's");
      if (c > 0 && cl.stale_timeout != pr.clusters[0].stale_timeout)
        unsupported(P(cp, "stale_timeout"),
                    "stale timeouts that differ between the clusters of one pair (one connection table)");
    }
  }

  static bool same_advisor(const runner::AdvisorSpec& a, const runner::AdvisorSpec& b) {
    return a.enabled == b.enabled && a.kind == b.kind && a.port == b.port && a.interval == b.interval &&
           a.connect_timeout == b.connect_timeout && a.receive_timeout == b.receive_timeout &&
           a.retries == b.retries;
  }

  void check_traffic(std::size_t t) {
    const runner::TrafficSpec& tr = s_.traffic[t];
    const std::string tp = P("/traffic", t);
    if (tr.think_time != Time::zero())
      unsupported(P(tp, "think_time"),
                  "a think time between requests (the HTTP client sends the next request "
                  "when one arrives)");
    if (!tr.keep_alive && tr.requests_per_connection > 1)
      error(P(tp, "requests_per_connection"),
            "more than one request per connection needs \"keep_alive\": true");
    for (std::size_t c : tr.client_indices) {
      const Role r = s_.nodes[c].role;
      if (r != Role::Client && r != Role::Host)
        unsupported(P(tp, "clients"), s_.nodes[c].name + " has role " + std::string(runner::to_string(r)) +
                                          ": only clients and hosts run HTTP clients");
    }
  }

  // ---- pairs: which node serves which address ------------------------------------------------

  void plan_pairs() {
    for (const auto& pr : s_.balancer_pairs) {
      if (pr.nlbs_address) b_.front.push_back(*pr.nlbs_address);
      for (const auto& cl : pr.clusters) {
        b_.clusters.push_back(cl.address);
        if (!pr.nlbs_address) b_.front.push_back(cl.address);
        for (const auto& sv : cl.servers) {
          if (std::find(b_.servers.begin(), b_.servers.end(), sv.node_index) != b_.servers.end()) continue;
          const runner::NodeSpec& nd = s_.nodes[sv.node_index];
          const std::size_t i = nd.interface_on(pr.server_lan_index);
          b_.servers.push_back(sv.node_index);
          b_.server_addrs.push_back(i == kNone ? Ipv4() : nd.interfaces[i].address.ip);
        }
      }
    }
  }

  // ---- LANs and nodes ------------------------------------------------------------------------

  static link::LinkConfig link_of(const runner::LanSpec& l) {
    link::LinkConfig c;
    c.delay = l.delay;
    c.bandwidth_bps = l.bandwidth_bps;
    c.queue_limit = l.queue;
    c.set_loss(l.loss);
    return c;
  }

  void make_lans() {
    for (const runner::LanSpec& l : s_.lans) {
      link::LanConfig c;
      c.kind = l.kind == runner::LanKind::Shared ? link::LanKind::Shared : link::LanKind::Switch;
      c.mac_ageing = l.mac_ageing;
      c.link = link_of(l);
      b_.lans.push_back(&b_.network->add_lan(l.name, c));
    }
  }

  static net::ArpConfig arp_of(const runner::ArpSpec& a) {
    net::ArpConfig c;
    c.base_reachable_time = a.reachable_time;
    c.delay_first_probe_time = a.delay_first_probe;
    c.retrans_time = a.retrans_time;
    c.mcast_probes = a.probes;
    c.ucast_probes = a.probes;
    c.gc_stale_time = a.stale_time;
    c.queue_limit = a.queue;
    c.fixed_lifetime = a.timeout.value_or(Time::zero());
    c.accept_unsolicited = a.accept_unsolicited;
    switch (a.gratuitous) {
      case runner::GratuitousPolicy::Update:
        c.gratuitous = net::GratuitousArp::Update;
        break;
      case runner::GratuitousPolicy::RequestsOnly:
        c.gratuitous = net::GratuitousArp::RequestsOnly;
        break;
      case runner::GratuitousPolicy::Ignore:
        c.gratuitous = net::GratuitousArp::Ignore;
        break;
    }
    return c;
  }

  static net::HostConfig host_of(const runner::NodeSpec& nd) {
    net::HostConfig c;
    c.forwarding = nd.forwarding;
    c.arp = arp_of(nd.arp);
    return c;
  }

  void make_node(std::size_t n) {
    const runner::NodeSpec& nd = s_.nodes[n];
    net::Network& net = *b_.network;
    nodes::Node* node = nullptr;
    switch (nd.role) {
      case Role::Client:
      case Role::Host:
        node = &net.add_node<nodes::Client>(nd.name, nodes::ClientConfig{host_of(nd), {}});
        break;
      case Role::Internet:
        node = &net.add_node<nodes::InternetRouter>(nd.name, nodes::InternetConfig{host_of(nd)});
        break;
      case Role::Firewall:
      case Role::Router: {
        nodes::FirewallConfig fc;
        fc.host = host_of(nd);
        fc.vrrp_daemon.garp_send_time = nd.vrrp_garp_send_time;
        node = &net.add_node<nodes::Firewall>(nd.name, fc);
        break;
      }
      case Role::Server: {
        nodes::ServerConfig sc;
        sc.host = host_of(nd);
        const runner::HttpServerSpec h = nd.http_server.value_or(runner::HttpServerSpec{});
        sc.http.listen = {Ipv4::any(), h.port};
        sc.http.service = service_time_of(h.service_time);
        sc.http.workers = h.workers;
        sc.http.backlog_limit = h.backlog;
        node = &net.add_node<nodes::Server>(nd.name, sc);
        break;
      }
      case Role::Balancer:
        node = &net.add_node<nodes::Balancer>(nd.name, balancer_config(n));
        break;
      case Role::External:
        // A real host: nothing is built for it. A bare host with no interface keeps NodeId ==
        // scenario index; the measures look for roles (nodes::Node) and pass it by.
        net.add_host(nd.name);
        b_.nodes.push_back(nullptr);
        return;
    }
    node->set_forwarding(nd.forwarding);
    b_.nodes.push_back(node);
  }

  // The cable between an interface and its LAN's switch: the LAN's settings, the port's overrides.
  link::LinkConfig cable_of(const runner::InterfaceSpec& itf) const {
    link::LinkConfig lc = link_of(s_.lans[itf.lan_index]);
    lc.delay = itf.port.delay.value_or(lc.delay);
    lc.bandwidth_bps = itf.port.bandwidth_bps.value_or(lc.bandwidth_bps);
    lc.queue_limit = itf.port.queue.value_or(lc.queue_limit);
    lc.loss_out = itf.port.loss_out.value_or(lc.loss_out);
    lc.loss_in = itf.port.loss_in.value_or(lc.loss_in);
    return lc;
  }

  // An external node's interfaces: one port each, on the Linux interface the scenario names,
  // attached to the LAN like any NIC (to the simulated switch the real host is one more port).
  void open_externals(std::size_t n) {
    const runner::NodeSpec& nd = s_.nodes[n];
    if (!pacer_) return;  // reported by check_node
    for (std::size_t i = 0; i < nd.interfaces.size() && !privilege_missing_; ++i) {
      const runner::InterfaceSpec& itf = nd.interfaces[i];
      const std::string ptr = P(P(P(node_ptr(n), "interfaces"), i), "external");
      link::ExternalPortConfig cfg;
      cfg.ifname = itf.external->interface;
      cfg.netns = itf.external->netns;
      auto opened = link::ExternalPort::open(sim_, *pacer_, b_.network->pool(), cfg);
      if (!opened.port) {
        error(ptr, without_prefix(opened.error, "external port: "));
        // Without the privilege every other port fails the same way: one error says it.
        if (opened.error.find("needs CAP_") != std::string::npos) privilege_missing_ = true;
        continue;
      }
      b_.lans[itf.lan_index]->attach(opened.port->device(), cable_of(itf));
      opened.port->device().set_identity(static_cast<link::NodeId>(n), static_cast<IfIndex>(i));
      b_.externals.push_back({n, i, std::move(opened.port)});
    }
  }

  static std::string without_prefix(const std::string& text, std::string_view prefix) {
    return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
  }

  void configure_node(std::size_t n) {
    const runner::NodeSpec& nd = s_.nodes[n];
    nodes::Node& node = *b_.nodes[n];
    net::Network& net = *b_.network;
    for (const runner::InterfaceSpec& itf : nd.interfaces) {
      const IfIndex i = net.connect(node, itf.name, *b_.lans[itf.lan_index], cable_of(itf), itf.mac);
      node.add_address(i, itf.address.ip, itf.address.prefix_len);
      for (const runner::IfAddress& a : itf.aliases) node.add_address(i, a.ip, a.prefix_len, /*alias=*/true);
    }
    // After the NICs, so that interface k of the scenario is IfIndex k; 127.0.0.1/8 always.
    std::vector<Ipv4> lo;
    for (const runner::IfAddress& a : nd.loopback) lo.push_back(a.ip);
    nodes::add_loopback_aliases(node, lo);
    for (const runner::RouteSpec& r : nd.routes)
      node.add_route(r.destination, r.via.value_or(Ipv4()), static_cast<IfIndex>(r.interface_index));
    if (nd.filter) static_cast<nodes::Firewall&>(node).set_filter(filter_of(nd));
  }

  // Seed, "Firewall": the filter guards the site from the outside, so it looks at datagrams
  // entering by the interface(s) the default route leaves by (the provider's side); replies
  // from the servers enter on inside interfaces and pass. A node with no default route filters
  // on every interface.
  nodes::PacketFilter filter_of(const runner::NodeSpec& nd) const {
    nodes::PacketFilter f;
    f.enabled = nd.filter->default_action == runner::FilterAction::Drop;
    for (const runner::RouteSpec& r : nd.routes)
      if (r.destination.length() == 0) f.inbound.push_back(static_cast<IfIndex>(r.interface_index));
    if (f.inbound.empty())
      for (std::size_t i = 0; i < nd.interfaces.size(); ++i) f.inbound.push_back(static_cast<IfIndex>(i));
    for (const runner::FilterRule& r : nd.filter->allow) {
      nodes::FilterRule rule;
      switch (r.protocol) {
        case runner::FilterProtocol::Tcp:
          rule.protocol = wire::IpProto::Tcp;
          break;
        case runner::FilterProtocol::Udp:
          rule.protocol = wire::IpProto::Udp;
          break;
        case runner::FilterProtocol::Icmp:
          rule.protocol = wire::IpProto::Icmp;
          break;
        case runner::FilterProtocol::Any:
          break;
      }
      rule.ports = r.ports;
      rule.destination = r.destination;
      f.allow.push_back(std::move(rule));
    }
    return f;
  }

  // ---- balancers -----------------------------------------------------------------------------

  nodes::BalancerConfig balancer_config(std::size_t n) {
    std::size_t p = 0, m = 0;
    for (; p < s_.balancer_pairs.size(); ++p) {
      const auto& pr = s_.balancer_pairs[p];
      if (pr.members[0].node_index == n || pr.members[1].node_index == n) {
        m = pr.members[0].node_index == n ? 0 : 1;
        break;
      }
    }
    const runner::BalancerPairSpec& pr = s_.balancer_pairs[p];
    const std::string pp = pair_ptr(p);
    const runner::NodeSpec& nd = s_.nodes[n];
    const runner::NodeSpec& peer = s_.nodes[pr.members[1 - m].node_index];
    const runner::InterfaceSpec& access = nd.interfaces[pr.members[m].access_interface];

    nodes::BalancerConfig bc;
    bc.host = host_of(nd);
    bc.access_iface = access.name;
    bc.server_iface = nd.interfaces[pr.members[m].server_interface].name;
    bc.ha.role = m == 0 ? wire::HaRole::Primary : wire::HaRole::Backup;
    bc.ha.recovery = pr.recovery == runner::RecoveryPolicy::Manual ? protocols::HaRecovery::Manual
                                                                   : protocols::HaRecovery::Auto;
    bc.ha.heartbeat_interval = pr.heartbeat.interval;
    bc.ha.heartbeat_timeout = pr.heartbeat.timeout;
    bc.ha.own_address = access.address.ip;
    bc.ha.nlbs_address = pr.nlbs_address.value_or(Ipv4());
    bc.ha.nlbs_prefix_len = access.address.prefix_len;
    bc.ha.garp_count = pr.garp_repeat;
    bc.ha.garp_interval = pr.garp_interval;
    bc.ha.garp_refresh = pr.garp_refresh;
    bc.ha.regarp_after_split_brain = pr.garp_on_peer_return;
    bc.ha.wait_for_sync = pr.wait_for_sync;
    bc.ha.sync_wait_limit = pr.sync_wait_limit;
    bc.ha.preempt_delay = pr.preempt_delay;
    // Without an NLBS address (prior art) the balancer holds the cluster addresses instead; the
    // check wants an address there, so it looks at what the balancer will use.
    protocols::HaConfig checked = bc.ha;
    if (checked.nlbs_address.is_unspecified() && !pr.clusters.empty())
      checked.nlbs_address = pr.clusters[0].address;
    if (auto why = checked.check(); !why.empty()) error(pp, "the pair's HA settings: " + why);

    for (std::size_t k = 0; k < pr.heartbeat.lan_indices.size(); ++k) {
      const std::size_t i = peer.interface_on(pr.heartbeat.lan_indices[k]);
      if (i == kNone) {
        error(P(P(P(pp, "heartbeat"), "lans"), k),
              peer.name + " has no interface on LAN " + pr.heartbeat.lans[k]);
        continue;
      }
      bc.peer_addresses.push_back(peer.interfaces[i].address.ip);
    }

    // The balancer's servers: every server of its clusters, first seen first; a cluster gives
    // weight 0 (quiesced) to the servers that are not its own.
    std::vector<std::size_t> servers;
    for (const auto& cl : pr.clusters)
      for (const auto& sv : cl.servers)
        if (std::find(servers.begin(), servers.end(), sv.node_index) == servers.end())
          servers.push_back(sv.node_index);
    for (std::size_t k : servers) {
      const runner::NodeSpec& sn = s_.nodes[k];
      bc.servers.push_back({sn.interfaces[sn.interface_on(pr.server_lan_index)].address.ip, 10});
    }
    for (std::size_t c = 0; c < pr.clusters.size(); ++c) bc.clusters.push_back(cluster_of(pr, p, c, servers));

    bc.reach = {pr.reach.targets, pr.reach.interval, pr.reach.timeout};
    bc.sync.mode = sync_mode_of(pr.sync.mode);
    bc.sync.batch_delay = pr.sync.batch_interval;
    bc.sync.batch_max = pr.sync.batch_max;
    bc.sync.bulk_rate = pr.sync.bulk_rate;
    if (!pr.clusters.empty()) {
      const runner::ClusterSpec& first = pr.clusters.front();
      // ND staletimeout: an idle connection's entry goes after this (IPVS's ESTABLISHED and
      // UDP timeouts play that part in the table).
      bc.table.timeouts.established = first.stale_timeout;
      bc.table.timeouts.udp = first.stale_timeout;
      const runner::AdvisorSpec& a = first.advisor;
      bc.probe.enabled = a.enabled;
      bc.probe.kind =
          a.kind == runner::AdvisorKind::Connect ? nodes::ProbeKind::TcpConnect : nodes::ProbeKind::HttpGet;
      bc.probe.port = a.port;
      bc.probe.advisor.interval = a.interval;
      // ND's connect and receive timeouts, one after the other, bound one probe.
      bc.probe.advisor.timeout = a.connect_timeout + a.receive_timeout;
      bc.probe.advisor.retries = a.retries;
      if (auto why = bc.probe.advisor.check(); !why.empty())
        error(P(P(P(pp, "clusters"), 0), "advisor"), "the advisor settings: " + why);
    }
    return bc;
  }

  nodes::ClusterService cluster_of(const runner::BalancerPairSpec& pr, std::size_t p, std::size_t c,
                                   const std::vector<std::size_t>& servers) {
    const runner::ClusterSpec& cl = pr.clusters[c];
    nodes::ClusterService cs;
    cs.address = cl.address;
    cs.ports = cl.ports;
    cs.dispatcher.scheduler = scheduler_of(cl.scheduler);
    protocols::ManagerConfig& m = cs.dispatcher.manager;
    m.proportions = {cl.manager.proportions.active, cl.manager.proportions.new_connections,
                     cl.manager.proportions.port, cl.manager.proportions.system};
    m.update_interval = cl.manager.interval;
    m.weight_bound = cl.manager.weightbound;
    m.sensitivity_percent = static_cast<unsigned>(cl.manager.sensitivity);
    m.smoothing_milli = static_cast<unsigned>(std::lround(cl.manager.smoothing * 1000));
    if (auto why = cs.dispatcher.check(); !why.empty())
      error(P(P(P(pair_ptr(p), "clusters"), c), "manager"), "the dispatcher settings: " + why);
    cs.weights.assign(servers.size(), 0);
    for (const auto& sv : cl.servers) {
      const auto k = std::find(servers.begin(), servers.end(), sv.node_index) - servers.begin();
      cs.weights[static_cast<std::size_t>(k)] = sv.weight;
    }
    return cs;
  }

  // ---- VRRP ----------------------------------------------------------------------------------

  void make_vrrp_group(std::size_t g) {
    const runner::VrrpGroupSpec& grp = s_.vrrp_groups[g];
    for (std::size_t m = 0; m < grp.members.size(); ++m) {
      const runner::VrrpMemberSpec& mem = grp.members[m];
      auto& fw = static_cast<nodes::Firewall&>(*b_.nodes[mem.node_index]);
      const runner::InterfaceSpec& itf = s_.nodes[mem.node_index].interfaces[mem.interface_index];
      protocols::VrrpConfig v;
      v.vrid = grp.vrid;
      v.priority = mem.priority;
      v.advert_interval = grp.advert_interval;
      v.preempt = grp.preempt;
      v.preempt_delay = grp.preempt_delay;
      v.accept_mode = grp.accept;
      v.version = grp.version == 2 ? protocols::VrrpVersion::V2 : protocols::VrrpVersion::V3;
      v.flavor = grp.mode == runner::VrrpMode::Keepalived ? protocols::VrrpFlavor::Keepalived
                                                          : protocols::VrrpFlavor::Rfc;
      v.primary_address = itf.address.ip;
      v.interface_mac = itf.mac;
      v.virtual_addresses = grp.virtual_addresses;
      v.keepalived.garp_master_repeat = grp.garp_master_repeat;
      v.keepalived.garp_master_delay = grp.garp_master_delay;
      v.keepalived.garp_master_refresh = grp.garp_master_refresh;
      v.keepalived.garp_master_refresh_repeat = grp.garp_master_refresh_repeat;
      // keepalived: the lower-priority burst defaults to the master entry's settings.
      v.keepalived.garp_lower_prio_repeat = grp.garp_lower_prio_repeat.value_or(grp.garp_master_repeat);
      v.keepalived.garp_lower_prio_delay = grp.garp_lower_prio_delay.value_or(grp.garp_master_delay);
      v.keepalived.higher_prio_send_advert = grp.higher_prio_send_advert;
      v.keepalived.lower_prio_no_advert = grp.lower_prio_no_advert;
      v.keepalived.garp_interval = grp.garp_interval;
      v.keepalived.down_timer_adverts = grp.down_timer_adverts;
      if (auto why = v.check(); !why.empty()) {
        error(P("/vrrp_groups", g), "VRRP settings: " + why);
        continue;
      }
      fw.add_vrrp_group(static_cast<IfIndex>(mem.interface_index), v);
    }
  }

  // ---- traffic -------------------------------------------------------------------------------

  // The request's size on the wire is its head plus a virtual body: the body makes up the
  // difference (a POST) when the scenario asks for more than the head alone.
  static std::uint64_t body_for(std::uint64_t request_bytes, std::uint64_t response_bytes) {
    std::string head;
    apps::HttpClientConfig d;
    apps::write_request_head(head, "GET", d.path, d.host, 0, response_bytes, true);
    if (request_bytes <= head.size()) return 0;
    std::uint64_t body = request_bytes - head.size();
    // A POST's head is longer (method, Content-Length): shrink the body until they add up.
    for (int k = 0; k < 4; ++k) {
      apps::write_request_head(head, "POST", d.path, d.host, body, response_bytes, true);
      if (head.size() >= request_bytes) return 0;
      body = request_bytes - head.size();
    }
    return body;
  }

  void make_traffic(std::size_t t) {
    const runner::TrafficSpec& tr = s_.traffic[t];
    const std::size_t n = tr.client_indices.size();
    if (n == 0) return;
    apps::HttpClientConfig h;
    h.server = {tr.target, tr.port};
    h.request_body = body_for(tr.request_bytes, tr.response_bytes);
    h.response_size = tr.response_bytes;
    h.requests_per_connection = tr.keep_alive ? tr.requests_per_connection : 1;
    h.request_timeout = tr.request_timeout;
    h.stop = tr.stop.value_or(Time::max());
    h.keep_records = false;  // the measures read every request from the trace bus
    // One Poisson process of rate r split uniformly over n clients is n processes of rate r/n;
    // fixed arrivals go round the clients in turn, each client every n/r seconds.
    const double per_client = tr.rate / static_cast<double>(n);
    const Time every = Time::ns(std::llround(1e9 / per_client));
    const Time gap = Time::ns(std::llround(1e9 / tr.rate));
    const Time mean_gap = Time::ns(std::llround(1e9 / per_client));
    sim::RngStream& first = sim_.rng().stream("traffic/" + tr.name + "/first-arrival");
    for (std::size_t k = 0; k < n; ++k) {
      apps::HttpClientConfig c = h;
      if (tr.arrival == runner::ArrivalProcess::Poisson) {
        c.arrivals = apps::Arrivals::poisson(per_client);
        // A Poisson process that starts at `start` has its first arrival an exponential gap
        // later (the HTTP client's first arrival is at its start): without this every client
        // would fire at once, a burst the scenario did not ask for.
        c.start = tr.start + first.exponential_time(mean_gap);
      } else {
        c.arrivals = apps::Arrivals::fixed(every);
        c.start = tr.start + gap * static_cast<std::int64_t>(k);
      }
      static_cast<nodes::Client&>(*b_.nodes[tr.client_indices[k]]).add_http(c);
    }
  }

  static constexpr std::uint32_t kModelBatchMax = wire::ha::kMaxSyncEntries;

  sim::Simulation& sim_;
  const Scenario& s_;
  sim::RealtimePacer* pacer_;
  bool privilege_missing_ = false;
  Built b_;
  runner::Diagnostics diags_;
};

}  // namespace

BuildResult build(sim::Simulation& sim, const Scenario& s, sim::RealtimePacer* pacer) {
  return Builder(sim, s, pacer).run();
}

}  // namespace nlb::run
