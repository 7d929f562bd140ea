#include "models/net/network.hpp"

namespace nlb::net {

link::Lan& Network::add_lan(std::string name, link::LanConfig config) {
  auto id = static_cast<link::LanId>(lans_.size());
  lans_.push_back(std::make_unique<link::Lan>(sim_, id, std::move(name), config));
  return *lans_.back();
}

Host& Network::add_host(std::string name, HostConfig config) {
  return add_node<Host>(std::move(name), config);
}

IfIndex Network::connect(Host& host, std::string ifname, link::Lan& lan, std::optional<link::LinkConfig> link,
                         std::optional<wire::Mac> mac) {
  IfIndex i = host.add_interface(std::move(ifname), mac.value_or(next_mac()));
  if (link) {
    lan.attach(host.device(i), *link);
  } else {
    lan.attach(host.device(i));
  }
  return i;
}

Host* Network::host(std::string_view name) const {
  for (const auto& n : nodes_) {
    if (n->name() == name) return n.get();
  }
  return nullptr;
}

link::Lan* Network::lan(std::string_view name) const {
  for (const auto& l : lans_) {
    if (l->name() == name) return l.get();
  }
  return nullptr;
}

}  // namespace nlb::net
