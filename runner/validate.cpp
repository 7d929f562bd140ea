#include "runner/validate.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runner/text.hpp"

namespace nlb::runner {

namespace {

using wire::Ipv4;
using wire::Prefix;

// Builds JSON pointers: P("nodes") / 3 / "interfaces" / 0 / "address".
struct P {
  std::string s;
  explicit P(std::string_view key = {}) : s(key.empty() ? "" : pointer_join("", key)) {}
  P operator/(std::string_view key) const {
    P p;
    p.s = pointer_join(s, key);
    return p;
  }
  P operator/(std::size_t i) const {
    P p;
    p.s = pointer_join(s, i);
    return p;
  }
};

std::string bad_address_reason(Ipv4 ip) {
  if (ip.is_unspecified()) return "0.0.0.0 is not an address a node can have";
  if (ip.is_loopback())
    return ip.str() + " is a loopback address (127.0.0.0/8); put loopback aliases under \"loopback\"";
  if (ip.is_multicast()) return ip.str() + " is a multicast address";
  if ((ip.value() >> 28) == 0xf) return ip.str() + " is reserved (240.0.0.0/4)";
  return {};
}

// A subnet's own network and broadcast addresses are not host addresses (except /31, /32).
std::string bad_host_reason(const IfAddress& a) {
  if (auto r = bad_address_reason(a.ip); !r.empty()) return r;
  if (a.prefix_len == 0) return "prefix length /0 makes every address on-link; give the subnet's length";
  Prefix net = a.subnet();
  if (a.prefix_len <= 30 && a.ip == net.network()) return a.str() + " is the subnet's network address";
  if (a.prefix_len <= 30 && a.ip == net.broadcast()) return a.str() + " is the subnet's broadcast address";
  return {};
}

struct Holder {
  std::string what;  // "fw1/eth1", "VRRP group fw-ias", ...
  std::string ptr;
};

class Validator {
 public:
  Validator(Scenario& s, DiagSink& sink) : s_(s), sink_(sink) {}

  void run() {
    unique_names();
    index_names();
    interfaces();
    macs();
    static_addresses();
    vrrp();
    pairs();
    routes();
    traffic();
    timeline();
    expectations();
    roles();
    externals();
  }

 private:
  void error(const P& p, std::string m) { sink_.error(p.s, std::move(m)); }
  void warning(const P& p, std::string m) { sink_.warning(p.s, std::move(m)); }

  template <class T>
  void unique(const std::vector<T>& v, std::string_view key, std::string_view what) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto [it, fresh] = seen.emplace(v[i].name, i);
      if (!fresh)
        error(P(key) / i / "name", std::string(what) + " name " + in_quotes(v[i].name) +
                                       " is already used by " + P(key).s + "/" + std::to_string(it->second));
    }
  }

  void unique_names() {
    unique(s_.lans, "lans", "LAN");
    unique(s_.nodes, "nodes", "node");
    unique(s_.vrrp_groups, "vrrp_groups", "VRRP group");
    unique(s_.balancer_pairs, "balancer_pairs", "balancer pair");
    unique(s_.traffic, "traffic", "traffic");
    unique(s_.timeline, "timeline", "timeline entry");
    unique(s_.expectations, "expectations", "expectation");
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) {
      const NodeSpec& node = s_.nodes[n];
      std::map<std::string, std::size_t> seen;
      for (std::size_t i = 0; i < node.interfaces.size(); ++i) {
        if (node.interfaces[i].name == "lo")
          error(P("nodes") / n / "interfaces" / i / "name",
                "\"lo\" is the loopback interface; put its aliases under \"loopback\"");
        if (!seen.emplace(node.interfaces[i].name, i).second)
          error(
              P("nodes") / n / "interfaces" / i / "name",
              "interface name " + in_quotes(node.interfaces[i].name) + " is used twice in node " + node.name);
      }
    }
  }

  void index_names() {
    for (std::size_t i = 0; i < s_.lans.size(); ++i) lan_names_.push_back(s_.lans[i].name);
    for (std::size_t i = 0; i < s_.nodes.size(); ++i) node_names_.push_back(s_.nodes[i].name);
    for (std::size_t i = 0; i < s_.balancer_pairs.size(); ++i)
      pair_names_.push_back(s_.balancer_pairs[i].name);
    for (std::size_t i = 0; i < s_.timeline.size(); ++i) fault_names_.push_back(s_.timeline[i].name);
  }

  // Resolves a name; reports a missing one with a suggestion.
  std::size_t lookup(const std::vector<std::string>& names, const std::string& name, const P& p,
                     std::string_view what) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i;
    error(p, "no " + std::string(what) + " named " + in_quotes(name) + did_you_mean(name, names));
    return kNone;
  }
  std::size_t node(const std::string& n, const P& p) { return lookup(node_names_, n, p, "node"); }
  std::size_t lan(const std::string& n, const P& p) { return lookup(lan_names_, n, p, "LAN"); }

  std::string iface_name(std::size_t n, std::size_t i) const {
    return s_.nodes[n].name + "/" + s_.nodes[n].interfaces[i].name;
  }

  void interfaces() {
    std::vector<std::size_t> attached(s_.lans.size(), 0);
    std::vector<std::set<Prefix>> lan_subnets(s_.lans.size());
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) {
      NodeSpec& node = s_.nodes[n];
      if (node.interfaces.size() > 255)
        error(P("nodes") / n / "interfaces", "a node has at most 255 interfaces");
      std::map<std::size_t, std::size_t> on_lan;
      for (std::size_t i = 0; i < node.interfaces.size(); ++i) {
        InterfaceSpec& ifc = node.interfaces[i];
        P ip = P("nodes") / n / "interfaces" / i;
        ifc.lan_index = lan(ifc.lan, ip / "lan");
        if (auto why = bad_host_reason(ifc.address); !why.empty()) error(ip / "address", why);
        for (std::size_t a = 0; a < ifc.aliases.size(); ++a)
          if (auto why = bad_host_reason(ifc.aliases[a]); !why.empty()) error(ip / "aliases" / a, why);
        if (ifc.lan_index == kNone) continue;
        ++attached[ifc.lan_index];
        if (auto [it, fresh] = on_lan.emplace(ifc.lan_index, i); !fresh)
          error(ip / "lan", node.name + " already has interface " + node.interfaces[it->second].name +
                                " on LAN " + ifc.lan + "; one interface per LAN and node");
        const LanSpec& l = s_.lans[ifc.lan_index];
        lan_subnets[ifc.lan_index].insert(ifc.address.subnet());
        if (l.subnet) {
          if (!l.subnet->contains(ifc.address.ip))
            error(ip / "address",
                  ifc.address.str() + " is outside LAN " + l.name + "'s subnet " + l.subnet->str());
          else if (ifc.address.prefix_len != l.subnet->length())
            warning(ip / "address", "prefix length /" + std::to_string(ifc.address.prefix_len) +
                                        " differs from LAN " + l.name + "'s subnet " + l.subnet->str());
          for (std::size_t a = 0; a < ifc.aliases.size(); ++a)
            if (ifc.aliases[a].prefix_len < 32 && !l.subnet->contains(ifc.aliases[a].ip))
              error(ip / "aliases" / a, ifc.aliases[a].str() + " is outside LAN " + l.name + "'s subnet " +
                                            l.subnet->str() + " (an alias outside it must be a /32)");
        }
      }
      for (std::size_t a = 0; a < node.loopback.size(); ++a) {
        const IfAddress& lo = node.loopback[a];
        if (auto why = bad_address_reason(lo.ip); !why.empty() && !lo.ip.is_loopback())
          error(P("nodes") / n / "loopback" / a, why);
      }
    }
    for (std::size_t l = 0; l < s_.lans.size(); ++l) {
      if (attached[l] == 0)
        error(P("lans") / l, "no interface attaches to LAN " + s_.lans[l].name);
      else if (attached[l] == 1)
        warning(P("lans") / l,
                "only one interface attaches to LAN " + s_.lans[l].name + ": nothing to talk to");
      if (!s_.lans[l].subnet && lan_subnets[l].size() > 1)
        warning(P("lans") / l, "the interfaces on LAN " + s_.lans[l].name +
                                   " are on different subnets, so some cannot reach others directly");
    }
  }

  // Generated MACs read as 02:00:00:NN:NN:II: NN = node number, II = interface number (from 1).
  void macs() {
    std::map<wire::Mac, std::string> seen;  // mac -> pointer of its first holder
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      for (std::size_t i = 0; i < s_.nodes[n].interfaces.size(); ++i) {
        InterfaceSpec& ifc = s_.nodes[n].interfaces[i];
        if (ifc.mac == wire::Mac::zero()) {
          ifc.mac = wire::Mac::local(static_cast<std::uint32_t>(((n + 1) << 8) | (i + 1)));
          ifc.mac_generated = true;
        }
      }
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      for (std::size_t i = 0; i < s_.nodes[n].interfaces.size(); ++i) {
        const InterfaceSpec& ifc = s_.nodes[n].interfaces[i];
        P p = P("nodes") / n / "interfaces" / i;
        auto [it, fresh] = seen.emplace(ifc.mac, p.s);
        if (fresh) continue;
        P at = ifc.mac_generated ? p : p / "mac";
        error(at, "MAC " + ifc.mac.str() + " of " + iface_name(n, i) + " is already the MAC of " +
                      it->second +
                      (ifc.mac_generated ? " (generated MACs are 02:00:00:NN:NN:II; pick another)" : ""));
      }
  }

  void hold(Ipv4 ip, std::string what, const P& p) { holders_[ip].push_back(Holder{std::move(what), p.s}); }

  // Interface addresses and aliases are each held by one interface; loopback aliases may be
  // shared (the cluster address is on every server's loopback) but not with an interface.
  void static_addresses() {
    std::map<Ipv4, Holder> iface_addr;
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) {
      const NodeSpec& node = s_.nodes[n];
      for (std::size_t i = 0; i < node.interfaces.size(); ++i) {
        const InterfaceSpec& ifc = node.interfaces[i];
        P ip = P("nodes") / n / "interfaces" / i;
        auto add = [&](Ipv4 a, const P& p) {
          auto [it, fresh] = iface_addr.emplace(a, Holder{iface_name(n, i), p.s});
          if (!fresh)
            error(p, a.str() + " is already configured on " + it->second.what + " (" + it->second.ptr + ")");
          hold(a, iface_name(n, i), p);
        };
        add(ifc.address.ip, ip / "address");
        for (std::size_t a = 0; a < ifc.aliases.size(); ++a) add(ifc.aliases[a].ip, ip / "aliases" / a);
      }
    }
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      for (std::size_t a = 0; a < s_.nodes[n].loopback.size(); ++a) {
        Ipv4 ip = s_.nodes[n].loopback[a].ip;
        P p = P("nodes") / n / "loopback" / a;
        if (auto it = iface_addr.find(ip); it != iface_addr.end())
          error(p, ip.str() + " is on " + s_.nodes[n].name + "'s loopback and also on interface " +
                       it->second.what + " (" + it->second.ptr + ")");
        hold(ip, s_.nodes[n].name + "/lo", p);
      }
    static_ = std::move(iface_addr);
  }

  // Another holder of a dynamic address (VRRP, NLBS, cluster) that would conflict.
  bool conflict(Ipv4 ip, const P& p, std::string_view what, const std::string& allowed_iface = {}) {
    if (auto it = static_.find(ip); it != static_.end() && it->second.what != allowed_iface) {
      error(p, std::string(what) + " " + ip.str() + " is also configured on " + it->second.what + " (" +
                   it->second.ptr + ")");
      return true;
    }
    if (auto it = dynamic_.find(ip); it != dynamic_.end()) {
      error(p, std::string(what) + " " + ip.str() + " is already " + it->second.what + " (" + it->second.ptr +
                   ")");
      return true;
    }
    return false;
  }

  void vrrp() {
    std::map<std::pair<std::size_t, int>, std::size_t> vrids;
    for (std::size_t g = 0; g < s_.vrrp_groups.size(); ++g) {
      VrrpGroupSpec& grp = s_.vrrp_groups[g];
      P gp = P("vrrp_groups") / g;
      grp.lan_index = lan(grp.lan, gp / "lan");
      if (grp.lan_index != kNone)
        if (auto [it, fresh] = vrids.emplace(std::make_pair(grp.lan_index, int{grp.vrid}), g); !fresh)
          error(gp / "vrid", "vrid " + std::to_string(grp.vrid) + " is already used on LAN " + grp.lan +
                                 " by group " + s_.vrrp_groups[it->second].name);
      std::set<std::size_t> nodes;
      std::vector<Prefix> subnets;
      for (std::size_t m = 0; m < grp.members.size(); ++m) {
        VrrpMemberSpec& mem = grp.members[m];
        P mp = gp / "members" / m;
        mem.node_index = node(mem.node, mp / "node");
        if (mem.node_index == kNone) continue;
        if (!nodes.insert(mem.node_index).second)
          error(mp / "node", mem.node + " is a member of this group twice");
        const NodeSpec& nd = s_.nodes[mem.node_index];
        if (!mem.interface.empty()) {
          mem.interface_index = nd.interface_named(mem.interface);
          if (mem.interface_index == kNone) {
            std::vector<std::string> names;
            for (const auto& i : nd.interfaces) names.push_back(i.name);
            error(mp / "interface", mem.node + " has no interface " + in_quotes(mem.interface) +
                                        did_you_mean(mem.interface, names));
          } else if (grp.lan_index != kNone &&
                     nd.interfaces[mem.interface_index].lan_index != grp.lan_index) {
            error(mp / "interface", mem.node + "/" + mem.interface + " is not on the group's LAN " + grp.lan);
          }
        } else if (grp.lan_index != kNone) {
          mem.interface_index = nd.interface_on(grp.lan_index);
          if (mem.interface_index == kNone)
            error(mp / "node", mem.node + " has no interface on the group's LAN " + grp.lan);
          else
            mem.interface = nd.interfaces[mem.interface_index].name;
        }
        if (mem.interface_index != kNone)
          subnets.push_back(nd.interfaces[mem.interface_index].address.subnet());
      }
      if (grp.lan_index != kNone && s_.lans[grp.lan_index].subnet) subnets = {*s_.lans[grp.lan_index].subnet};
      for (std::size_t a = 0; a < grp.virtual_addresses.size(); ++a) {
        Ipv4 vip = grp.virtual_addresses[a];
        P ap = gp / "virtual_addresses" / a;
        if (auto why = bad_address_reason(vip); !why.empty()) {
          error(ap, why);
          continue;
        }
        if (!subnets.empty() &&
            std::none_of(subnets.begin(), subnets.end(), [&](const Prefix& x) { return x.contains(vip); }))
          error(ap, "virtual address " + vip.str() + " is outside the subnet of LAN " + grp.lan + " (" +
                        subnets.front().str() + ")");
        // RFC 5798 5.2.4: the owner of the addresses has priority 255, and only the owner.
        std::string owner;
        for (const auto& mem : grp.members)
          if (mem.interface_index != kNone &&
              s_.nodes[mem.node_index].interfaces[mem.interface_index].address.ip == vip)
            owner = iface_name(mem.node_index, mem.interface_index);
        for (std::size_t m = 0; m < grp.members.size(); ++m) {
          const auto& mem = grp.members[m];
          if (mem.interface_index == kNone) continue;
          bool owns = iface_name(mem.node_index, mem.interface_index) == owner;
          if (owns && mem.priority != 255)
            error(gp / "members" / m / "priority",
                  mem.node + " owns " + vip.str() +
                      " (its interface address), so its priority must be 255 (RFC 5798 5.2.4)");
          if (!owns && mem.priority == 255)
            error(gp / "members" / m / "priority",
                  "priority 255 is for the owner of the virtual addresses (RFC 5798 5.2.4), and " + mem.node +
                      " does not own " + vip.str());
        }
        if (!conflict(vip, ap, "virtual address", owner))
          dynamic_.emplace(vip, Holder{"a virtual address of VRRP group " + grp.name, ap.s});
        hold(vip, "VRRP group " + grp.name, ap);
      }
    }
  }

  void pairs() {
    std::map<std::size_t, std::size_t> in_pair;
    std::map<Ipv4, Holder> clusters;
    for (std::size_t k = 0; k < s_.balancer_pairs.size(); ++k) {
      BalancerPairSpec& pr = s_.balancer_pairs[k];
      P pp = P("balancer_pairs") / k;
      pr.access_lan_index = lan(pr.access_lan, pp / "access_lan");
      pr.server_lan_index = lan(pr.server_lan, pp / "server_lan");
      if (pr.access_lan_index != kNone && pr.access_lan_index == pr.server_lan_index)
        error(pp / "server_lan", "the server LAN must differ from the access LAN (the seed's two subnets)");
      const std::string* names[2] = {&pr.primary, &pr.backup};
      const char* keys[2] = {"primary", "backup"};
      for (int m = 0; m < 2; ++m) {
        PairMemberRef& ref = pr.members[m];
        ref.node_index = node(*names[m], pp / keys[m]);
        if (ref.node_index == kNone) continue;
        const NodeSpec& nd = s_.nodes[ref.node_index];
        if (nd.role != Role::Balancer)
          error(pp / keys[m], nd.name + " has role " + std::string(to_string(nd.role)) +
                                  "; a balancer pair needs nodes with role balancer");
        if (auto [it, fresh] = in_pair.emplace(ref.node_index, k); !fresh)
          error(pp / keys[m], nd.name + " is already in balancer pair " + s_.balancer_pairs[it->second].name);
        if (pr.access_lan_index != kNone &&
            (ref.access_interface = nd.interface_on(pr.access_lan_index)) == kNone)
          error(pp / keys[m], nd.name + " has no interface on the access LAN " + pr.access_lan);
        if (pr.server_lan_index != kNone &&
            (ref.server_interface = nd.interface_on(pr.server_lan_index)) == kNone)
          error(pp / keys[m], nd.name + " has no interface on the server LAN " + pr.server_lan);
      }
      if (pr.members[0].node_index != kNone && pr.members[0].node_index == pr.members[1].node_index)
        error(pp / "backup", "the backup must be another node than the primary");
      heartbeat(pr, pp);
      nlbs(pr, pp);
      for (std::size_t c = 0; c < pr.clusters.size(); ++c) cluster(pr, pp, c, clusters);
      for (std::size_t t = 0; t < pr.reach.targets.size(); ++t)
        reach_targets_.push_back({pr.reach.targets[t], (pp / "reach" / "targets" / t).s});
    }
  }

  void heartbeat(BalancerPairSpec& pr, const P& pp) {
    if (pr.heartbeat.lans.empty() && pr.access_lan_index != kNone) pr.heartbeat.lans = {pr.access_lan};
    pr.heartbeat.lan_indices.clear();
    for (std::size_t h = 0; h < pr.heartbeat.lans.size(); ++h) {
      P hp = pp / "heartbeat" / "lans" / h;
      std::size_t l = lan(pr.heartbeat.lans[h], hp);
      pr.heartbeat.lan_indices.push_back(l);
      if (l == kNone) continue;
      for (const PairMemberRef& m : pr.members)
        if (m.node_index != kNone && s_.nodes[m.node_index].interface_on(l) == kNone)
          error(hp,
                s_.nodes[m.node_index].name + " has no interface on heartbeat LAN " + pr.heartbeat.lans[h]);
    }
  }

  void nlbs(BalancerPairSpec& pr, const P& pp) {
    if (!pr.nlbs_address) return;
    Ipv4 a = *pr.nlbs_address;
    P np = pp / "nlbs_address";
    if (auto why = bad_address_reason(a); !why.empty()) {
      error(np, why);
      return;
    }
    const PairMemberRef& m = pr.members[0];
    if (m.node_index != kNone && m.access_interface != kNone) {
      Prefix net = s_.nodes[m.node_index].interfaces[m.access_interface].address.subnet();
      if (!net.contains(a))
        error(np, "NLBS address " + a.str() + " is outside the access LAN's subnet " + net.str() +
                      ": the firewalls must reach it directly (the seed, CONFIGURATION)");
    }
    if (!conflict(a, np, "NLBS address"))
      dynamic_.emplace(a, Holder{"the NLBS address of pair " + pr.name, np.s});
    hold(a, "pair " + pr.name + " (NLBS address)", np);
  }

  void cluster(BalancerPairSpec& pr, const P& pp, std::size_t c, std::map<Ipv4, Holder>& clusters) {
    ClusterSpec& cl = pr.clusters[c];
    P cp = pp / "clusters" / c;
    if (auto why = bad_address_reason(cl.address); !why.empty()) error(cp / "address", why);
    if (auto [it, fresh] = clusters.emplace(cl.address, Holder{"pair " + pr.name, (cp / "address").s});
        !fresh)
      error(cp / "address", "cluster address " + cl.address.str() + " is already a cluster of " +
                                it->second.what + " (" + it->second.ptr + ")");
    else if (!conflict(cl.address, cp / "address", "cluster address"))
      dynamic_.emplace(cl.address, Holder{"a cluster address of pair " + pr.name, (cp / "address").s});
    hold(cl.address, "pair " + pr.name + " (cluster address)", cp / "address");
    cluster_addresses_.insert(cl.address);

    std::vector<std::string> missing;
    for (const PairMemberRef& m : pr.members)
      if (m.node_index != kNone && !on_loopback(m.node_index, cl.address))
        missing.push_back(s_.nodes[m.node_index].name);
    std::set<std::size_t> seen;
    for (std::size_t v = 0; v < cl.servers.size(); ++v) {
      ClusterServerSpec& sv = cl.servers[v];
      P sp = cp / "servers" / v;
      sv.node_index = node(sv.node, sp / "node");
      if (sv.node_index == kNone) continue;
      servers_.insert(sv.node_index);
      const NodeSpec& nd = s_.nodes[sv.node_index];
      if (!seen.insert(sv.node_index).second)
        error(sp / "node", sv.node + " is listed twice in this cluster");
      if (!on_loopback(sv.node_index, cl.address)) missing.push_back(nd.name);
      if (nd.role == Role::External) {
        // A real server: what it serves, and on which port, is for its owner to set up.
      } else if (!nd.http_server)
        error(sp / "node", sv.node + " runs no HTTP server: give it role server or an \"http_server\"");
      else if (std::find(cl.ports.begin(), cl.ports.end(), nd.http_server->port) == cl.ports.end())
        error(sp / "node",
              sv.node + " serves HTTP on port " + std::to_string(nd.http_server->port) +
                  ", not a port of the cluster: the balancer forwards datagrams unchanged, port included");
      if (pr.server_lan_index != kNone && nd.interface_on(pr.server_lan_index) == kNone)
        error(sp / "node", sv.node + " has no interface on the server LAN " + pr.server_lan +
                               ": the balancer reaches a server by rewriting the destination MAC, so they "
                               "must share that LAN");
    }
    if (!missing.empty())
      error(cp / "address", "the cluster address " + cl.address.str() +
                                " must be an alias on the loopback of every server and balancer of pair " +
                                pr.name +
                                " (the seed, CONFIGURATION: \"the cluster address ... defined also as an "
                                "alias on the loopback adapter\"); missing on " +
                                join_words(missing));
    if (!pr.nlbs_address && pr.members[0].node_index != kNone && pr.members[0].access_interface != kNone) {
      Prefix net =
          s_.nodes[pr.members[0].node_index].interfaces[pr.members[0].access_interface].address.subnet();
      if (!net.contains(cl.address))
        warning(cp / "address",
                "without an nlbs_address the active balancer holds the cluster address on the access LAN "
                "(prior art), but " +
                    cl.address.str() + " is outside its subnet " + net.str());
    }
  }

  bool on_loopback(std::size_t n, Ipv4 a) const {
    const auto& lo = s_.nodes[n].loopback;
    return std::any_of(lo.begin(), lo.end(), [&](const IfAddress& x) { return x.ip == a; });
  }

  void routes() {
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) {
      NodeSpec& nd = s_.nodes[n];
      std::map<Prefix, std::size_t> dests;
      for (std::size_t r = 0; r < nd.routes.size(); ++r) {
        RouteSpec& rt = nd.routes[r];
        P rp = P("nodes") / n / "routes" / r;
        if (auto [it, fresh] = dests.emplace(rt.destination, r); !fresh)
          error(rp / "to", "a route to " + rt.destination.str() + " is already at " +
                               (P("nodes") / n / "routes" / it->second).s);
        if (!rt.interface.empty()) {
          rt.interface_index = nd.interface_named(rt.interface);
          if (rt.interface_index == kNone) {
            std::vector<std::string> names;
            for (const auto& i : nd.interfaces) names.push_back(i.name);
            error(rp / "interface", nd.name + " has no interface " + in_quotes(rt.interface) +
                                        did_you_mean(rt.interface, names));
            continue;
          }
        }
        if (!rt.via) continue;
        Ipv4 via = *rt.via;
        std::size_t found = kNone;
        bool own = false;
        std::vector<std::string> connected;
        for (std::size_t i = 0; i < nd.interfaces.size(); ++i) {
          if (rt.interface_index != kNone && i != rt.interface_index) continue;
          const InterfaceSpec& ifc = nd.interfaces[i];
          if (ifc.address.ip == via || std::any_of(ifc.aliases.begin(), ifc.aliases.end(),
                                                   [&](const IfAddress& a) { return a.ip == via; })) {
            error(rp / "via", "next hop " + via.str() + " is " + nd.name + "'s own address");
            own = true;
            break;
          }
          connected.push_back(ifc.name + " " + ifc.address.subnet().str());
          bool on = ifc.address.subnet().contains(via) ||
                    std::any_of(ifc.aliases.begin(), ifc.aliases.end(), [&](const IfAddress& a) {
                      return a.prefix_len < 32 && a.subnet().contains(via);
                    });
          if (on && found == kNone) found = i;
        }
        if (own) continue;
        if (found == kNone) {
          error(rp / "via",
                "next hop " + via.str() + " is not on a subnet directly connected to " + nd.name +
                    (connected.empty() ? " (it has no interface" +
                                             std::string(rt.interface.empty() ? "" : " " + rt.interface) + ")"
                                       : " (" + join_words(connected) + ")"));
          continue;
        }
        rt.interface_index = found;
        rt.interface = nd.interfaces[found].name;
        if (!holders_.contains(via))
          warning(rp / "via", "nothing in the scenario holds next hop " + via.str() +
                                  " (no interface, VRRP group or balancer pair)");
      }
    }
    // The seed, ROUTING: each firewall routes the cluster address to the NLBS address.
    for (std::size_t k = 0; k < s_.balancer_pairs.size(); ++k) {
      const BalancerPairSpec& pr = s_.balancer_pairs[k];
      if (!pr.nlbs_address || pr.access_lan_index == kNone) continue;
      for (std::size_t c = 0; c < pr.clusters.size(); ++c) {
        bool routed = false;
        for (const NodeSpec& nd : s_.nodes) {
          if (!nd.forwarding || nd.interface_on(pr.access_lan_index) == kNone) continue;
          for (const RouteSpec& rt : nd.routes)
            if (rt.destination.contains(pr.clusters[c].address) && rt.via == pr.nlbs_address) routed = true;
        }
        if (!routed)
          warning(P("balancer_pairs") / k / "clusters" / c / "address",
                  "no router on the access LAN routes " + pr.clusters[c].address.str() +
                      " via the NLBS address " + pr.nlbs_address->str() +
                      " (the seed, ROUTING: \"Cluster Public IP@ Static Route NLBS IP@\")");
      }
    }
    for (const auto& [ip, ptr] : reach_targets_)
      if (!holders_.contains(ip))
        sink_.warning(ptr, "nothing in the scenario holds reach target " + ip.str());
  }

  void traffic() {
    for (std::size_t t = 0; t < s_.traffic.size(); ++t) {
      TrafficSpec& tr = s_.traffic[t];
      P tp = P("traffic") / t;
      std::set<std::size_t> picked;
      for (std::size_t c = 0; c < tr.clients.size(); ++c) {
        const std::string& pat = tr.clients[c];
        P cp = tp / "clients" / c;
        if (pat.find('*') == std::string::npos) {
          if (std::size_t n = node(pat, cp); n != kNone) picked.insert(n);
          continue;
        }
        bool any = false;
        for (std::size_t n = 0; n < s_.nodes.size(); ++n)
          if (glob_match(pat, s_.nodes[n].name)) {
            picked.insert(n);
            any = true;
          }
        if (!any) error(cp, "no node name matches " + in_quotes(pat));
      }
      tr.client_indices.assign(picked.begin(), picked.end());
      for (std::size_t n : tr.client_indices) {
        if (s_.nodes[n].role == Role::External)
          error(tp / "clients",
                s_.nodes[n].name +
                    " is external, a real host: nlbsim runs no traffic on it (its own programs "
                    "send what it sends)");
        else if (s_.nodes[n].interfaces.empty())
          error(tp / "clients", s_.nodes[n].name + " has no interface to send from");
        else if (s_.nodes[n].role != Role::Client)
          warning(tp / "clients", s_.nodes[n].name + " has role " + std::string(to_string(s_.nodes[n].role)) +
                                      ", not client");
      }
      if (!holders_.contains(tr.target))
        warning(tp / "target", "nothing in the scenario holds " + tr.target.str() +
                                   " (no cluster, interface or VRRP address)");
      if (tr.start >= s_.duration)
        error(tp / "start", "traffic starts at " + format_time(tr.start) +
                                ", not before the end of the run (" + format_time(s_.duration) + ")");
    }
  }

  void timeline() {
    std::map<std::size_t, sim::Time> down_since;  // node -> time of its last crash or stop
    for (std::size_t f = 0; f < s_.timeline.size(); ++f) {
      FaultSpec& ft = s_.timeline[f];
      P fp = P("timeline") / f;
      if (ft.at > s_.duration)
        error(fp / "at", "at " + format_time(ft.at) + " is after the end of the run (duration " +
                             format_time(s_.duration) + ")");
      if (!ft.node.empty()) ft.node_index = node(ft.node, fp / "node");
      if (!ft.lan.empty()) ft.lan_index = lan(ft.lan, fp / "lan");
      if (!ft.pair.empty()) ft.pair_index = lookup(pair_names_, ft.pair, fp / "pair", "balancer pair");
      if (!ft.interface.empty() && ft.node_index != kNone) {
        const NodeSpec& nd = s_.nodes[ft.node_index];
        ft.interface_index = nd.interface_named(ft.interface);
        if (ft.interface_index == kNone) {
          std::vector<std::string> names;
          for (const auto& i : nd.interfaces) names.push_back(i.name);
          error(fp / "interface",
                ft.node + " has no interface " + in_quotes(ft.interface) + did_you_mean(ft.interface, names));
        }
      }
      if (ft.action == FaultAction::SlowServer && ft.node_index != kNone &&
          !s_.nodes[ft.node_index].http_server && s_.nodes[ft.node_index].role != Role::External)
        error(fp / "node", ft.node + " runs no HTTP server to slow down");
      const bool on_cable = ft.action == FaultAction::LinkDown || ft.action == FaultAction::LinkUp ||
                            ft.action == FaultAction::SetLoss;
      if (ft.node_index != kNone && s_.nodes[ft.node_index].role == Role::External && !on_cable)
        error(fp / "node", ft.node + " is external, a real host that nlbsim cannot " +
                               std::string(to_string(ft.action)) +
                               "; link-down, link-up and set-loss act on its simulated cable");
      if (ft.node_index == kNone) continue;
      if (ft.action == FaultAction::Crash || ft.action == FaultAction::GracefulStop)
        down_since[ft.node_index] = ft.at;
      if (ft.action == FaultAction::Recover || ft.action == FaultAction::Start) {
        auto it = down_since.find(ft.node_index);
        if (it == down_since.end() || it->second > ft.at)
          warning(fp,
                  std::string(to_string(ft.action)) + " " + ft.node +
                      " with no crash or graceful-stop of it before (listed earlier and at an earlier time)");
      }
    }
  }

  void expectations() {
    for (std::size_t e = 0; e < s_.expectations.size(); ++e) {
      ExpectationSpec& ex = s_.expectations[e];
      P ep = P("expectations") / e;
      if (!ex.fault.empty()) ex.fault_index = lookup(fault_names_, ex.fault, ep / "fault", "timeline entry");
      if (!ex.server.empty()) {
        ex.server_index = node(ex.server, ep / "server");
        if (ex.server_index != kNone && !servers_.contains(ex.server_index))
          error(ep / "server", ex.server + " is not a server of any cluster");
      }
    }
  }

  void roles() {
    std::set<std::size_t> balancers;
    for (const auto& pr : s_.balancer_pairs)
      for (const auto& m : pr.members) balancers.insert(m.node_index);
    for (std::size_t n = 0; n < s_.nodes.size(); ++n) {
      const NodeSpec& nd = s_.nodes[n];
      if (nd.role == Role::Balancer && !balancers.contains(n))
        warning(P("nodes") / n / "role", nd.name + " has role balancer but is in no balancer pair");
      if (nd.role == Role::Server && !servers_.contains(n))
        warning(P("nodes") / n / "role", nd.name + " has role server but is in no cluster");
      if (nd.filter && !nd.forwarding)
        warning(P("nodes") / n / "filter",
                nd.name + " does not forward, and the filter applies to forwarded datagrams only");
      if (nd.interfaces.empty() && nd.role != Role::Host)
        warning(P("nodes") / n, nd.name + " has no interface");
    }
  }

  // Each Linux interface is bound once; real hosts cannot follow a simulation that runs slower
  // or faster than the wall clock.
  void externals() {
    std::map<std::pair<std::string, std::string>, std::string> bound;  // (netns, ifname) -> pointer
    for (std::size_t n = 0; n < s_.nodes.size(); ++n)
      for (std::size_t i = 0; i < s_.nodes[n].interfaces.size(); ++i) {
        const auto& ext = s_.nodes[n].interfaces[i].external;
        if (!ext) continue;
        P p = P("nodes") / n / "interfaces" / i / "external";
        auto [it, fresh] = bound.emplace(std::make_pair(ext->netns, ext->interface), p.s);
        if (!fresh)
          error(p, "Linux interface " + in_quotes(ext->interface) +
                       (ext->netns.empty() ? "" : " in network namespace " + in_quotes(ext->netns)) +
                       " is already bound by " + it->second);
      }
    if (!bound.empty() && s_.realtime && (s_.realtime->speed_num != 1 || s_.realtime->speed_den != 1))
      error(P("realtime") / "speed",
            "real hosts run at the wall clock's pace: a scenario with external "
            "nodes needs speed \"1/1\", not \"" +
                std::to_string(s_.realtime->speed_num) + "/" + std::to_string(s_.realtime->speed_den) + "\"");
  }

  Scenario& s_;
  DiagSink& sink_;
  std::vector<std::string> lan_names_, node_names_, pair_names_, fault_names_;
  std::map<Ipv4, Holder> static_;   // interface addresses and aliases
  std::map<Ipv4, Holder> dynamic_;  // VRRP, NLBS and cluster addresses
  std::map<Ipv4, std::vector<Holder>> holders_;
  std::set<Ipv4> cluster_addresses_;
  std::set<std::size_t> servers_;
  std::vector<std::pair<Ipv4, std::string>> reach_targets_;
};

}  // namespace

bool validate_scenario(Scenario& s, DiagSink& sink) {
  std::size_t before = sink.errors();
  Validator(s, sink).run();
  return sink.errors() == before;
}

}  // namespace nlb::runner
