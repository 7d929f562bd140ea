#include "models/nodes/client.hpp"

namespace nlb::nodes {

Client::Client(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
               const ClientConfig& cfg)
    : Node(sim, pool, id, std::move(name), Role::Client, cfg.host, cfg.tcp) {}

Client::~Client() = default;

apps::HttpClient& Client::add_http(const apps::HttpClientConfig& cfg) {
  std::string stream = "arrivals/" + name() + "/" + std::to_string(http_.size());
  http_.push_back(
      std::make_unique<apps::HttpClient>(sim(), transport().tcp(), cfg, sim().rng().stream(stream)));
  apps::HttpClient& c = *http_.back();
  const wire::Ipv4 target = cfg.server.addr;
  c.set_on_complete([this, target](const apps::RequestRecord& r) {
    auto& trace = sim().trace();
    if (trace.wants<RequestDone>()) trace.publish(RequestDone{sim().now(), id(), r, target});
  });
  if (running()) c.start();
  return c;
}

void Client::on_boot() {
  for (auto& c : http_) c->start();
}

void Client::stop_all() {
  for (auto& c : http_) c->stop();
}

}  // namespace nlb::nodes
