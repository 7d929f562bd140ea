#include "models/nodes/site.hpp"

#include <cassert>

namespace nlb::nodes {

using wire::Ipv4;

namespace {

Ipv4 at(Ipv4 base, std::uint32_t host) { return Ipv4(base.value() + host); }

constexpr std::uint8_t kVridAccess = 1, kVridServers = 2, kVridWan = 3;

}  // namespace

// --- pieces ----------------------------------------------------------------------------------

void add_interfaces(net::Network& net, net::Host& host, std::span<const IfSpec> ifaces) {
  for (const IfSpec& s : ifaces) {
    assert(s.lan && "an interface needs a LAN");
    const IfIndex i = net.connect(host, s.name, *s.lan, s.link);
    if (!s.address.is_unspecified()) host.add_address(i, s.address, s.prefix_len);
  }
}

void add_loopback_aliases(net::Host& host, std::span<const Ipv4> addresses) {
  // Seed: "the alias is configured on the loopback adapter of each network server and of each
  // Network Load Balancer" — accepted, never advertised (never answered for in ARP).
  auto lo = host.interfaces().loopback();
  const IfIndex i = lo ? *lo : host.add_loopback();
  if (!lo) host.add_address(i, Ipv4(127, 0, 0, 1), 8);
  for (Ipv4 a : addresses) host.add_address(i, a, 32, /*alias=*/true);
}

Client& add_client(net::Network& net, std::string name, const IfSpec& iface, Ipv4 gateway,
                   const ClientConfig& cfg) {
  auto& c = net.add_node<Client>(std::move(name), cfg);
  add_interfaces(net, c, std::span(&iface, 1));
  c.add_default_route(gateway);
  return c;
}

Server& add_server(net::Network& net, std::string name, const IfSpec& iface, Ipv4 gateway,
                   std::span<const Ipv4> clusters, const ServerConfig& cfg) {
  auto& s = net.add_node<Server>(std::move(name), cfg);
  add_interfaces(net, s, std::span(&iface, 1));
  add_loopback_aliases(s, clusters);
  // Seed, "Network Server": "the routing table entry in the network server uses the VRRP IP
  // address of the Firewalls" (default route).
  s.add_default_route(gateway);
  return s;
}

Firewall& add_firewall(net::Network& net, std::string name, std::span<const IfSpec> ifaces,
                       const FirewallConfig& cfg) {
  auto& f = net.add_node<Firewall>(std::move(name), cfg);
  add_interfaces(net, f, ifaces);
  return f;
}

Balancer& add_balancer(net::Network& net, std::string name, IfSpec access, IfSpec server,
                       BalancerConfig cfg) {
  cfg.access_iface = access.name;
  cfg.server_iface = server.name;
  std::vector<Ipv4> clusters;
  for (const auto& c : cfg.clusters) clusters.push_back(c.address);
  auto& b = net.add_node<Balancer>(std::move(name), std::move(cfg));
  const IfSpec both[] = {std::move(access), std::move(server)};
  add_interfaces(net, b, both);
  add_loopback_aliases(b, clusters);
  return b;
}

// --- the seed's site -------------------------------------------------------------------------

namespace {

SiteAddresses plan(Figure figure, const SiteConfig& cfg) {
  SiteAddresses a;
  const Ipv4 ias = figure == Figure::Three ? Ipv4(192, 168, 10, 0) : Ipv4(203, 0, 113, 0);
  a.access_subnet = wire::Prefix(ias, figure == Figure::Three ? 24 : 28);
  a.cluster = Ipv4(203, 0, 113, 10);
  if (figure == Figure::Three) a.nlbs = at(ias, 10);
  a.vrrp_wan = Ipv4(172, 31, 255, 4);
  a.vrrp_access = at(ias, 1);
  a.vrrp_servers = Ipv4(10, 0, 2, 1);
  for (std::uint32_t i = 0; i < 2; ++i) {
    a.firewall_access[i] = at(ias, 2 + i);
    a.balancer_access[i] = at(ias, 4 + i);
    a.balancer_server[i] = Ipv4(10, 0, 2, 4 + i);
  }
  for (std::uint32_t i = 0; i < cfg.servers; ++i) a.servers.push_back(Ipv4(10, 0, 2, 11 + i));
  for (std::uint32_t i = 0; i < cfg.clients; ++i) a.clients.push_back(Ipv4(198, 51, 100, 11 + i));
  return a;
}

void make_lans(Site& s, const SiteConfig& cfg) {
  net::Network& n = *s.network;
  s.internet_lan = &n.add_lan("internet", {link::LanKind::Switch, Time::s(300), cfg.lan_link});
  s.wan = &n.add_lan("wan", {link::LanKind::Switch, Time::s(300), cfg.lan_link});
  s.access = &n.add_lan("ias", {cfg.access_kind, Time::s(300), cfg.lan_link});
  s.server_lan = &n.add_lan("servers", {cfg.server_kind, Time::s(300), cfg.lan_link});
}

void make_internet(Site& s) {
  net::Network& n = *s.network;
  s.internet = &n.add_node<InternetRouter>("inet");
  const IfSpec legs[] = {{"eth0", s.internet_lan, Ipv4(198, 51, 100, 1), 24, {}},
                         {"eth1", s.wan, Ipv4(172, 31, 255, 1), 28, {}}};
  add_interfaces(n, *s.internet, legs);
  // The provider routes the site's public addresses to the firewalls' VRRP address.
  const wire::Prefix site =
      s.figure == Figure::Three ? wire::Prefix(s.addr.cluster, 32) : s.addr.access_subnet;
  s.internet->add_route(site, s.addr.vrrp_wan);
}

void make_clients(Site& s, const SiteConfig& cfg) {
  link::LinkConfig wan = cfg.lan_link;
  wan.delay = cfg.wan_delay;
  for (std::size_t i = 0; i < cfg.clients; ++i) {
    ClientConfig cc;
    cc.host.arp = cfg.arp;
    cc.tcp = cfg.tcp;
    Client& c = add_client(*s.network, "client" + std::to_string(i + 1),
                           {"eth0", s.internet_lan, s.addr.clients[i], 24, wan}, Ipv4(198, 51, 100, 1), cc);
    if (cfg.traffic) {
      apps::HttpClientConfig h = *cfg.traffic;
      h.server = {s.addr.cluster, cfg.ports.front()};
      c.add_http(h);
    }
    s.clients.push_back(&c);
  }
}

protocols::VrrpConfig group(const SiteConfig& cfg, std::uint8_t vrid, std::uint8_t priority, Ipv4 address) {
  protocols::VrrpConfig v = cfg.vrrp;
  v.vrid = vrid;
  v.priority = priority;
  v.virtual_addresses = {address};
  v.primary_address = {};
  v.interface_mac = {};
  return v;
}

PacketFilter site_filter(const Site& s, const SiteConfig& cfg) {
  PacketFilter f;
  f.enabled = cfg.filter;
  f.inbound = {0};  // eth0, the provider's side
  f.allow.push_back({wire::IpProto::Tcp, cfg.ports, wire::Prefix(s.addr.cluster, 32)});
  f.allow.push_back({wire::IpProto::Icmp, {}, wire::Prefix(s.addr.cluster, 32)});
  return f;
}

void make_firewalls(Site& s, const SiteConfig& cfg) {
  const std::uint8_t len = s.addr.access_subnet.length();
  for (std::uint32_t i = 0; i < 2; ++i) {
    FirewallConfig fc;
    fc.host.arp = cfg.arp;
    fc.filter = site_filter(s, cfg);
    const IfSpec legs[] = {{"eth0", s.wan, Ipv4(172, 31, 255, 2 + i), 28, {}},
                           {"eth1", s.access, s.addr.firewall_access[i], len, {}},
                           {"eth2", s.server_lan, Ipv4(10, 0, 2, 2 + i), 24, {}}};
    Firewall& f = add_firewall(*s.network, "fw" + std::to_string(i + 1), legs, fc);
    const std::uint8_t prio = cfg.firewall_priority[i];
    f.add_vrrp_group(0, group(cfg, kVridWan, prio, s.addr.vrrp_wan));
    // Accept mode on the ias group: the balancers ping its address as their reach target.
    auto access = group(cfg, kVridAccess, prio, s.addr.vrrp_access);
    access.accept_mode = true;
    f.add_vrrp_group(1, access);
    f.add_vrrp_group(2, group(cfg, kVridServers, prio, s.addr.vrrp_servers));
    f.add_default_route(Ipv4(172, 31, 255, 1));
    // Seed, "ROUTING": "Firewalls | Cluster Public IP@ | Static Route | NLBS IP@" (Figure 3).
    if (s.figure == Figure::Three) f.add_route(wire::Prefix(s.addr.cluster, 32), s.addr.nlbs);
    s.firewalls[i] = &f;
  }
}

BalancerConfig balancer_config(const Site& s, const SiteConfig& cfg, std::uint32_t i) {
  BalancerConfig bc;
  bc.host.arp = cfg.arp;
  bc.tcp = cfg.tcp;
  bc.ha = cfg.ha;
  bc.ha.role = i == 0 ? wire::HaRole::Primary : wire::HaRole::Backup;
  bc.ha.nlbs_address = s.addr.nlbs;
  bc.ha.nlbs_prefix_len = s.addr.access_subnet.length();
  bc.ha.own_address = s.addr.balancer_access[i];
  bc.peer_addresses = {s.addr.balancer_access[1 - i]};
  if (cfg.heartbeat_on_server_lan) bc.peer_addresses.push_back(s.addr.balancer_server[1 - i]);
  ClusterService cs;
  cs.address = s.addr.cluster;
  cs.ports = cfg.ports;
  cs.dispatcher = cfg.dispatcher;
  bc.clusters = {cs};
  for (std::size_t k = 0; k < s.addr.servers.size(); ++k)
    bc.servers.push_back({s.addr.servers[k], k < cfg.weights.size() ? cfg.weights[k] : 10u});
  bc.reach = cfg.reach.value_or(ReachConfig{{s.addr.vrrp_access}});
  bc.sync = cfg.sync;
  bc.probe = cfg.probe;
  bc.probe.port = cfg.ports.front();
  bc.unknown_segments = cfg.unknown_segments;
  return bc;
}

void make_balancers(Site& s, const SiteConfig& cfg) {
  const std::uint8_t len = s.addr.access_subnet.length();
  for (std::uint32_t i = 0; i < 2; ++i) {
    Balancer& b = add_balancer(
        *s.network, "lb" + std::to_string(i + 1), {"eth0", s.access, s.addr.balancer_access[i], len, {}},
        {"eth1", s.server_lan, s.addr.balancer_server[i], 24, {}}, balancer_config(s, cfg, i));
    b.add_default_route(s.addr.vrrp_access);
    s.balancers[i] = &b;
  }
}

void make_servers(Site& s, const SiteConfig& cfg) {
  const Ipv4 clusters[] = {s.addr.cluster};
  for (std::size_t k = 0; k < s.addr.servers.size(); ++k) {
    ServerConfig sc;
    sc.host.arp = cfg.arp;
    sc.tcp = cfg.tcp;
    sc.http = cfg.http;
    sc.http.listen.port = cfg.ports.front();
    if (k < cfg.service_times.size()) sc.http.service = cfg.service_times[k];
    s.servers.push_back(&add_server(*s.network, "srv" + std::to_string(k + 1),
                                    {"eth0", s.server_lan, s.addr.servers[k], 24, {}}, s.addr.vrrp_servers,
                                    clusters, sc));
  }
}

}  // namespace

Site build_site(sim::Simulation& sim, Figure figure, const SiteConfig& cfg) {
  Site s;
  s.figure = figure;
  s.network = std::make_unique<net::Network>(sim);
  s.addr = plan(figure, cfg);
  make_lans(s, cfg);
  make_internet(s);
  make_clients(s, cfg);
  make_firewalls(s, cfg);
  make_balancers(s, cfg);
  make_servers(s, cfg);
  return s;
}

void Site::boot() {
  for (std::size_t i = 0; i < network->host_count(); ++i) {
    if (auto* n = dynamic_cast<Node*>(&network->host(static_cast<NodeId>(i)))) n->boot();
  }
}

Balancer* Site::active_balancer() const {
  for (Balancer* b : balancers) {
    if (b && b->running() && b->ha_state() == wire::HaState::Active) return b;
  }
  return nullptr;
}

Firewall* Site::master_firewall() const {
  for (Firewall* f : firewalls) {
    if (f && f->running() && f->vrrp_group(kGroupAccess).state() == protocols::VrrpState::Master) return f;
  }
  return nullptr;
}

}  // namespace nlb::nodes
