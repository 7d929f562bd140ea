#include "runner/addresses.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace nlb::runner {

bool is_public(wire::Ipv4 a) {
  bool link_local = (a.value() >> 16) == 0xa9fe;  // 169.254.0.0/16
  return !a.is_private() && !a.is_loopback() && !a.is_unspecified() && !a.is_multicast() &&
         !a.is_broadcast() && !link_local;
}

std::string_view to_string(AddressUse u) {
  switch (u) {
    case AddressUse::Cluster:
      return "cluster";
    case AddressUse::Vrrp:
      return "vrrp";
    case AddressUse::Nlbs:
      return "nlbs";
    case AddressUse::Interface:
      return "interface";
    case AddressUse::Alias:
      return "alias";
    case AddressUse::Loopback:
      return "loopback";
  }
  return "?";
}

namespace {

class Auditor {
 public:
  explicit Auditor(const Scenario& s) : s_(s) {}

  AddressAudit run() {
    pairs();
    vrrp();
    nodes();
    AddressAudit a;
    for (auto& [ip, pa] : found_) a.addresses.push_back(std::move(pa));
    return a;
  }

 private:
  // Keeps the first-ranked use (the enum's order) as the address's purpose.
  void add(wire::Ipv4 ip, AddressUse use, std::string node, std::string where, std::string why) {
    if (!is_public(ip)) return;
    auto [it, fresh] = found_.try_emplace(ip);
    PublicAddress& pa = it->second;
    if (fresh || use < pa.use) {
      pa.address = ip;
      pa.use = use;
      pa.why = std::move(why);
    }
    pa.placements.push_back(AddressPlacement{use, std::move(node), std::move(where)});
  }

  std::string lan_of(std::size_t l) const { return l == kNone ? "?" : s_.lans[l].name; }

  void pairs() {
    for (const auto& pr : s_.balancer_pairs) {
      std::vector<std::string> access;
      for (const auto& m : pr.members)
        if (m.node_index != kNone && m.access_interface != kNone)
          access.push_back(s_.nodes[m.node_index].name + "/" +
                           s_.nodes[m.node_index].interfaces[m.access_interface].name);
      std::string either = access.size() == 2 ? access[0] + " or " + access[1]
                           : access.empty()   ? "?"
                                              : access[0];
      for (const auto& c : pr.clusters) {
        std::string why = "cluster address of pair " + pr.name + ": what clients connect to";
        add(c.address, AddressUse::Cluster, "", "cluster " + c.name + " of pair " + pr.name, why);
        if (!pr.nlbs_address)
          add(c.address, AddressUse::Cluster, "", "alias on " + either + " while active (prior art)", why);
      }
      if (pr.nlbs_address)
        add(*pr.nlbs_address, AddressUse::Nlbs, "", "alias on " + either + " while active",
            "NLBS address of pair " + pr.name + ": where the firewalls send the cluster's datagrams");
    }
  }

  void vrrp() {
    for (const auto& g : s_.vrrp_groups) {
      bool site = std::any_of(g.members.begin(), g.members.end(), [&](const VrrpMemberSpec& m) {
        return m.node_index != kNone && site_node(s_.nodes[m.node_index]);
      });
      if (!site) continue;
      for (auto a : g.virtual_addresses)
        add(a, AddressUse::Vrrp, "",
            "VRRP group " + g.name + " (vrid " + std::to_string(g.vrid) + ") on LAN " + lan_of(g.lan_index),
            "VRRP address of group " + g.name + ": the routers' shared address on LAN " +
                lan_of(g.lan_index));
    }
  }

  void nodes() {
    for (const auto& n : s_.nodes) {
      if (!site_node(n)) continue;
      std::string role(to_string(n.role));
      for (const auto& i : n.interfaces) {
        add(i.address.ip, AddressUse::Interface, n.name, i.name,
            role + " " + n.name + "'s own address on LAN " + i.lan);
        for (const auto& a : i.aliases)
          add(a.ip, AddressUse::Alias, n.name, i.name + " alias",
              role + " " + n.name + "'s alias on LAN " + i.lan);
      }
      for (const auto& a : n.loopback)
        add(a.ip, AddressUse::Loopback, n.name, "loopback", role + " " + n.name + "'s loopback alias");
    }
  }

  // Clients and the provider's router are not the site's. An external node (a real host) is the
  // site's when it serves a cluster, and otherwise stands for a real client.
  bool site_node(const NodeSpec& n) const {
    if (n.role == Role::Client || n.role == Role::Internet) return false;
    if (n.role != Role::External) return true;
    for (const auto& pr : s_.balancer_pairs)
      for (const auto& c : pr.clusters)
        for (const auto& sv : c.servers)
          if (sv.node_index != kNone && &s_.nodes[sv.node_index] == &n) return true;
    return false;
  }

  const Scenario& s_;
  std::map<wire::Ipv4, PublicAddress> found_;
};

std::string placement_text(const AddressPlacement& p) {
  return p.node.empty() ? p.where : p.node + " " + p.where;
}

}  // namespace

AddressAudit audit_public_addresses(const Scenario& s) { return Auditor(s).run(); }

std::string audit_table(const Scenario& s, const AddressAudit& a) {
  std::string out = s.name + ": " + std::to_string(a.count()) + " public address" +
                    (a.count() == 1 ? "" : "es") + " the site must own\n";
  if (a.addresses.empty()) return out;
  std::size_t w = 7;
  for (const auto& pa : a.addresses) w = std::max(w, pa.address.str().size());
  auto pad = [](std::string t, std::size_t n) {
    return t.size() < n ? t + std::string(n - t.size(), ' ') : t;
  };
  // Piecewise: `"\n" + pad(...)` makes GCC 12 at -O3 report a false -Werror=restrict (GCC PR 105329).
  out += '\n';
  out += pad("ADDRESS", w);
  out += "  WHY / WHERE\n";
  for (const auto& pa : a.addresses) {
    out += pad(pa.address.str(), w) + "  " + pa.why + "\n";
    for (const auto& p : pa.placements) out += std::string(w, ' ') + "    - " + placement_text(p) + "\n";
  }
  return out;
}

std::string audit_json(const Scenario& s, const AddressAudit& a) {
  nlohmann::json j;
  j["scenario"] = s.name;
  j["public_addresses"] = a.count();
  j["addresses"] = nlohmann::json::array();
  for (const auto& pa : a.addresses) {
    nlohmann::json e{{"address", pa.address.str()}, {"use", std::string(to_string(pa.use))}, {"why", pa.why}};
    e["placements"] = nlohmann::json::array();
    for (const auto& p : pa.placements)
      e["placements"].push_back(
          nlohmann::json{{"use", std::string(to_string(p.use))}, {"node", p.node}, {"where", p.where}});
    j["addresses"].push_back(std::move(e));
  }
  return j.dump(2) + "\n";
}

}  // namespace nlb::runner
