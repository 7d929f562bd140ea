#pragma once
// The Internet between the clients and the site: one router joining the clients' LAN and the
// provider's transfer network to the firewalls. The WAN's delay is the delay of the links the
// builder attaches (link::LinkConfig per port), not a property of the router.

#include <string>

#include "models/nodes/node.hpp"

namespace nlb::nodes {

struct InternetConfig {
  net::HostConfig host = router_host();
};

class InternetRouter final : public Node {
 public:
  InternetRouter(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
                 const InternetConfig& cfg = {})
      : Node(sim, pool, id, std::move(name), Role::Internet, cfg.host) {
    set_forwarding(true);
  }
};

}  // namespace nlb::nodes
