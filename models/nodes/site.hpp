#pragma once
// The seed's sites built in C++ for tests and benchmarks (the JSON runner builds from scenario
// files separately): Figure 3 (the invention: private Internet Access Subnet, NLBS address, one
// public address) and Figure 2 (prior art: public Internet Access Subnet, six public addresses).
// The addressing is the one of scenarios/base/seed-cluster.json:
//
//   clients  198.51.100.11...    --(WAN delay)--  inet 198.51.100.1 | 172.31.255.1
//   wan      172.31.255.0/28     fw1 .2, fw2 .3, VRRP .4 (vrid 3): the provider routes the site to it
//   ias      Figure 3: 192.168.10.0/24, Figure 2: 203.0.113.0/28
//            VRRP .1 (vrid 1, accept mode: the balancers' reach target), fw .2/.3, lb .4/.5,
//            Figure 3's NLBS address .10
//   servers  10.0.2.0/24         VRRP .1 (vrid 2): the servers' default route; fw .2/.3,
//                                lb .4/.5, servers .11...
//   cluster  203.0.113.10 (on every balancer's and server's loopback)
//
// Routes: firewalls default via the provider (172.31.255.1) and, in Figure 3, the seed's static
// route "Cluster Public IP@ -> NLBS IP@"; in Figure 2 the cluster address is on the access
// subnet and the active balancer answers ARP for it. Balancers default via the ias VRRP
// address, servers via the servers' VRRP address, clients via the provider.
//
// The pieces (add_client, add_server, add_firewall, add_balancer) add one node to any Network.

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/net/network.hpp"
#include "models/nodes/balancer.hpp"
#include "models/nodes/client.hpp"
#include "models/nodes/firewall.hpp"
#include "models/nodes/internet.hpp"
#include "models/nodes/server.hpp"

namespace nlb::nodes {

// One interface to make: its name, LAN, address (unspecified: none) and link settings.
struct IfSpec {
  std::string name;
  link::Lan* lan = nullptr;
  wire::Ipv4 address;
  std::uint8_t prefix_len = 24;
  std::optional<link::LinkConfig> link;
};

// Adds the interfaces and their addresses to a node, and the cluster addresses on a loopback.
void add_interfaces(net::Network& net, net::Host& host, std::span<const IfSpec> ifaces);
void add_loopback_aliases(net::Host& host, std::span<const wire::Ipv4> addresses);

Client& add_client(net::Network& net, std::string name, const IfSpec& iface, wire::Ipv4 gateway,
                   const ClientConfig& cfg = {});
Server& add_server(net::Network& net, std::string name, const IfSpec& iface, wire::Ipv4 gateway,
                   std::span<const wire::Ipv4> clusters, const ServerConfig& cfg = {});
Firewall& add_firewall(net::Network& net, std::string name, std::span<const IfSpec> ifaces,
                       const FirewallConfig& cfg = {});
// `cfg.access_iface` and `cfg.server_iface` name the two interfaces made from access/server.
Balancer& add_balancer(net::Network& net, std::string name, IfSpec access, IfSpec server, BalancerConfig cfg);

enum class Figure : std::uint8_t { Two, Three };

struct SiteConfig {
  std::size_t clients = 2;
  std::size_t servers = 3;
  Time wan_delay = Time::ms(20);                      // one way, on each client's link
  link::LinkConfig lan_link;                          // every other link
  link::LanKind access_kind = link::LanKind::Switch;  // Shared: a hub, where every NIC sees every frame
  link::LanKind server_kind = link::LanKind::Switch;
  net::ArpConfig arp;  // every node's ARP tables

  // Firewalls: the VRRP template (interval, version, flavor, preempt ...; vrid, priority and
  // addresses are set per group), the two priorities, the filter.
  protocols::VrrpConfig vrrp;
  std::array<std::uint8_t, 2> firewall_priority{200, 100};
  bool filter = true;

  // Balancers: HA timings and recovery (role, priority, addresses are set by the builder),
  // sync, advisors, reach targets (default: the ias VRRP address), the dispatcher.
  protocols::HaConfig ha;
  SyncConfig sync;
  ProbeConfig probe;
  std::optional<ReachConfig> reach;
  protocols::DispatcherConfig dispatcher;
  std::vector<std::uint16_t> ports{80};
  bool heartbeat_on_server_lan = true;  // a second heartbeat path
  UnknownSegments unknown_segments = UnknownSegments::Forward;
  transport::TcpConfig tcp;  // every node's TCP

  // Servers: the HTTP server; per-server service times and weights override it.
  apps::HttpServerConfig http;
  std::vector<apps::ServiceTime> service_times;
  std::vector<unsigned> weights;

  // Clients: when set, each client runs one HTTP client with this configuration, aimed at the
  // cluster address and the first port.
  std::optional<apps::HttpClientConfig> traffic;
};

struct SiteAddresses {
  wire::Ipv4 cluster;
  wire::Ipv4 nlbs;  // unspecified in Figure 2
  wire::Prefix access_subnet;
  wire::Ipv4 vrrp_wan, vrrp_access, vrrp_servers;
  std::array<wire::Ipv4, 2> firewall_access, balancer_access, balancer_server;
  std::vector<wire::Ipv4> servers;
  std::vector<wire::Ipv4> clients;
};

struct Site {
  Figure figure = Figure::Three;
  std::unique_ptr<net::Network> network;
  SiteAddresses addr;
  link::Lan* internet_lan = nullptr;
  link::Lan* wan = nullptr;
  link::Lan* access = nullptr;
  link::Lan* server_lan = nullptr;
  InternetRouter* internet = nullptr;
  std::array<Firewall*, 2> firewalls{};
  std::array<Balancer*, 2> balancers{};
  std::vector<Server*> servers;
  std::vector<Client*> clients;

  // Boots every node (VRRP and HA start electing; traffic starts at its own time).
  void boot();
  // The balancer in state Active (the first one if both are), or nullptr.
  Balancer* active_balancer() const;
  // The firewall whose ias group is Master, or nullptr.
  Firewall* master_firewall() const;
  // The firewalls' VRRP group on each LAN: index 0 wan, 1 ias, 2 servers.
  static constexpr std::size_t kGroupWan = 0, kGroupAccess = 1, kGroupServers = 2;
};

Site build_site(sim::Simulation& sim, Figure figure, const SiteConfig& cfg = {});
inline Site build_figure3(sim::Simulation& sim, const SiteConfig& cfg = {}) {
  return build_site(sim, Figure::Three, cfg);
}
inline Site build_figure2(sim::Simulation& sim, const SiteConfig& cfg = {}) {
  return build_site(sim, Figure::Two, cfg);
}

}  // namespace nlb::nodes
