#pragma once
// A client on the Internet: HTTP clients (apps::HttpClient, open loop) sending requests to a
// cluster address and port, with a default route to the Internet router. Every finished request
// is published as a RequestDone event, which the measures read.

#include <memory>
#include <string>
#include <vector>

#include "models/apps/http_client.hpp"
#include "models/nodes/node.hpp"

namespace nlb::nodes {

struct ClientConfig {
  net::HostConfig host;
  transport::TcpConfig tcp;
};

class Client final : public Node {
 public:
  Client(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
         const ClientConfig& cfg = {});
  ~Client() override;

  // A new HTTP client on this node; it starts at boot (at once if the node already runs).
  apps::HttpClient& add_http(const apps::HttpClientConfig& cfg);
  std::size_t http_count() const { return http_.size(); }
  apps::HttpClient& http(std::size_t i) { return *http_[i]; }
  const apps::HttpClient& http(std::size_t i) const { return *http_[i]; }

 protected:
  void on_boot() override;
  void on_crash() override { stop_all(); }
  void on_stop() override { stop_all(); }

 private:
  void stop_all();
  std::vector<std::unique_ptr<apps::HttpClient>> http_;
};

}  // namespace nlb::nodes
