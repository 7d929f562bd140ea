#pragma once
// The balancer's private pieces shared by its three source files (lifecycle and HA, dispatch,
// health). Not part of the public API.

#include <cstdint>
#include <memory>
#include <vector>

#include "models/apps/ping.hpp"
#include "models/nodes/balancer.hpp"
#include "models/transport/tcp_connection.hpp"

namespace nlb::nodes {

// One advisor probe: a TCP connection to a server's private address, and its outcome.
struct Balancer::Probe final : transport::TcpObserver {
  Balancer* balancer = nullptr;
  protocols::ServerId server = protocols::kNoServer;
  std::uint32_t id = 0;
  std::uint64_t epoch = 0;  // the balancer's volatile-state generation it belongs to
  ProbeKind kind = ProbeKind::HttpGet;
  transport::TcpConnection* conn = nullptr;
  bool reported = false;
  bool closed = false;

  void on_connected(transport::TcpConnection& c) override;
  void on_readable(transport::TcpConnection& c) override;
  void on_closed(transport::TcpConnection& c, transport::TcpOutcome o) override;
  void finish(bool ok);
};

// The advisor of one server, its timer, and its probes (kept until their connection closes).
struct Balancer::Advised {
  Advised(Balancer& b, protocols::ServerId s, const protocols::AdvisorConfig& cfg);
  protocols::ServerAdvisor advisor;
  RoleTimer timer;
};

// The reach targets' pingers and what each last said (-1 unknown, 0 lost, 1 answered).
struct Balancer::Reach {
  std::vector<apps::Pinger> pingers;
  std::vector<int> status;
  int reported_reached = -1;
};

}  // namespace nlb::nodes
