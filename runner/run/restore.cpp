#include "runner/run/restore.hpp"

#include "models/protocols/trace_events.hpp"

namespace nlb::run {

using sim::Time;

RestoreRecorder::RestoreRecorder(sim::Simulation& sim) {
  auto& t = sim.trace();
  t.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    if (e.to == wire::HaState::Active) ups_.push_back({e.at, e.node, {}});
  });
  t.subscribe<protocols::VrrpStateChanged>([this](const protocols::VrrpStateChanged& e) {
    if (e.to == protocols::VrrpState::Master) ups_.push_back({e.at, e.node, {}});
  });
  t.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    if (e.up) ups_.push_back({e.at, link::kNoNode, e.server_address});
  });
}

std::optional<Time> RestoreRecorder::back(Time at, link::NodeId node, wire::Ipv4 server) const {
  for (const Up& u : ups_) {
    if (u.at < at) continue;
    const bool ours =
        (u.node != link::kNoNode && u.node == node) || (!server.is_unspecified() && u.server == server);
    if (ours) return u.at - at;
  }
  return std::nullopt;
}

}  // namespace nlb::run
