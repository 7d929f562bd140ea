#pragma once
// A network: the LANs and nodes of one simulation, their frame pool, and lookup by name. The
// scenario builder makes one; roles derive from Host and are added with add_node<T>().
//
// Ids are dense from 0 in the order things are added, so the trace header can list them.
// Members are destroyed nodes first, then LANs, then the frame pool, so no frame outlives it.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/link/frame.hpp"
#include "models/link/lan.hpp"
#include "models/net/host.hpp"
#include "sim/simulation.hpp"

namespace nlb::net {

class Network {
 public:
  explicit Network(sim::Simulation& sim) : sim_(sim) {}
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  sim::Simulation& sim() const { return sim_; }
  link::FramePool& pool() { return pool_; }

  link::Lan& add_lan(std::string name, link::LanConfig config = {});
  Host& add_host(std::string name, HostConfig config = {});
  // A role built on Host: T(sim, pool, id, name, args...).
  template <typename T, typename... Args>
  T& add_node(std::string name, Args&&... args) {
    auto id = static_cast<NodeId>(nodes_.size());
    auto node = std::make_unique<T>(sim_, pool_, id, std::move(name), std::forward<Args>(args)...);
    T& ref = *node;
    nodes_.push_back(std::move(node));
    return ref;
  }

  // A new interface of `host` attached to `lan` (with its own link settings if given), with
  // `mac` or the next generated one (02:00:00:00:00:01, ...).
  IfIndex connect(Host& host, std::string ifname, link::Lan& lan, std::optional<link::LinkConfig> link = {},
                  std::optional<wire::Mac> mac = {});
  wire::Mac next_mac() { return wire::Mac::local(++macs_made_); }

  Host* host(std::string_view name) const;
  Host& host(NodeId id) const { return *nodes_[id]; }
  link::Lan* lan(std::string_view name) const;
  link::Lan& lan(link::LanId id) const { return *lans_[id]; }
  std::size_t host_count() const { return nodes_.size(); }
  std::size_t lan_count() const { return lans_.size(); }

 private:
  sim::Simulation& sim_;
  link::FramePool pool_;
  std::vector<std::unique_ptr<link::Lan>> lans_;
  std::vector<std::unique_ptr<Host>> nodes_;
  std::uint32_t macs_made_ = 0;
};

}  // namespace nlb::net
