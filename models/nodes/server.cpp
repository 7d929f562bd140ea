#include "models/nodes/server.hpp"

namespace nlb::nodes {

Server::Server(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
               const ServerConfig& cfg)
    : Node(sim, pool, id, name, Role::Server, cfg.host, cfg.tcp),
      http_(sim, transport().tcp(), cfg.http, sim.rng().stream("service/" + name)) {}

}  // namespace nlb::nodes
