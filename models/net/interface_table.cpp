#include "models/net/interface_table.hpp"

#include <algorithm>

namespace nlb::net {

IfIndex InterfaceTable::add(std::string name, link::Device* device) {
  auto index = static_cast<IfIndex>(ifaces_.size());
  Interface i;
  i.index = index;
  i.name = std::move(name);
  i.device = device;
  ifaces_.push_back(std::move(i));
  return index;
}

IfIndex InterfaceTable::add_loopback(std::string name) {
  IfIndex index = add(std::move(name), nullptr);
  ifaces_[index].loopback = true;
  ifaces_[index].mtu = 65535;
  return index;
}

std::optional<IfIndex> InterfaceTable::find(std::string_view name) const {
  for (const auto& i : ifaces_) {
    if (i.name == name) return i.index;
  }
  return std::nullopt;
}

std::optional<IfIndex> InterfaceTable::loopback() const {
  for (const auto& i : ifaces_) {
    if (i.loopback) return i.index;
  }
  return std::nullopt;
}

bool InterfaceTable::add_address(IfIndex i, IfAddress a) {
  if (i >= ifaces_.size() || has_address(i, a.addr)) return false;
  ifaces_[i].addresses.push_back(a);
  Local l{a.addr.value(), i};
  local_.insert(std::upper_bound(local_.begin(), local_.end(), l), l);
  return true;
}

bool InterfaceTable::remove_address(IfIndex i, wire::Ipv4 addr) {
  if (i >= ifaces_.size()) return false;
  auto& list = ifaces_[i].addresses;
  auto it = std::find_if(list.begin(), list.end(), [addr](const IfAddress& a) { return a.addr == addr; });
  if (it == list.end()) return false;
  list.erase(it);
  auto l = std::lower_bound(local_.begin(), local_.end(), Local{addr.value(), i});
  local_.erase(l);
  return true;
}

bool InterfaceTable::is_local(wire::Ipv4 addr) const { return owner_of(addr).has_value(); }

std::optional<IfIndex> InterfaceTable::owner_of(wire::Ipv4 addr) const {
  auto it = std::lower_bound(local_.begin(), local_.end(), Local{addr.value(), 0});
  if (it == local_.end() || it->addr != addr.value()) return std::nullopt;
  return it->iface;
}

bool InterfaceTable::has_address(IfIndex i, wire::Ipv4 addr) const {
  return std::binary_search(local_.begin(), local_.end(), Local{addr.value(), i});
}

bool InterfaceTable::is_subnet_broadcast(IfIndex i, wire::Ipv4 addr) const {
  for (const auto& a : ifaces_[i].addresses) {
    if (a.prefix_len < 31 && a.subnet().broadcast() == addr) return true;
  }
  return false;
}

wire::Ipv4 InterfaceTable::primary(IfIndex i) const {
  const auto& list = ifaces_[i].addresses;
  for (const auto& a : list) {
    if (!a.alias) return a.addr;
  }
  return list.empty() ? wire::Ipv4::any() : list.front().addr;
}

wire::Ipv4 InterfaceTable::source_for(IfIndex i, wire::Ipv4 toward) const {
  if (i < ifaces_.size()) {
    for (const auto& a : ifaces_[i].addresses) {
      if (!a.alias && a.subnet().contains(toward)) return a.addr;
    }
    wire::Ipv4 p = primary(i);
    if (!p.is_unspecified()) return p;
  }
  for (const auto& other : ifaces_) {
    if (other.loopback) continue;
    wire::Ipv4 p = primary(other.index);
    if (!p.is_unspecified()) return p;
  }
  return wire::Ipv4::any();
}

}  // namespace nlb::net
