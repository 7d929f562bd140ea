#pragma once
// A network server of the cluster (the seed, "Network Servers"): its private address on the
// Network Server Access Subnet, the cluster address(es) as aliases on its loopback — "The IP
// datagram is accepted by the IP stack because the loopback adapter is configured with the
// cluster address" — never answered for in ARP (net::Host's arp_ignore=1 rule), an HTTP server,
// and a default route via the firewalls' VRRP address on the server subnet ("the routing table
// entry in the network server uses the VRRP IP address of the Firewalls"), so replies go to the
// client directly and bypass the balancers (direct server return).
//
// A segment of a connection the server does not know is answered with RST by its TCP (RFC 9293
// 3.10.7.1): that is how a failover without connection-table sync breaks connections visibly.

#include <string>

#include "models/apps/http_server.hpp"
#include "models/nodes/node.hpp"

namespace nlb::nodes {

struct ServerConfig {
  net::HostConfig host;
  transport::TcpConfig tcp;
  apps::HttpServerConfig http;
};

class Server final : public Node {
 public:
  Server(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
         const ServerConfig& cfg = {});

  apps::HttpServer& http() { return http_; }
  const apps::HttpServer& http() const { return http_; }
  // A scenario slows the server down (or lets it recover).
  void set_service_time(const apps::ServiceTime& s) { http_.set_service_time(s); }

 protected:
  void on_boot() override { http_.start(); }
  void on_crash() override { http_.crash(); }
  void on_stop() override { http_.stop(); }

 private:
  apps::HttpServer http_;
};

}  // namespace nlb::nodes
