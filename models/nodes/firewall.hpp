#pragma once
// One firewall of the seed's redundant pair (the seed, "Firewall": "Each Firewall is connected
// through a physical interface to the Internet Access Subnet ... a Private VRRP IP address 303
// for both Firewalls"): a router (forwarding) with one VRRP group per LAN it shares with its
// peer, the seed's static route "Cluster Public IP@ -> NLBS IP@" (added by the builder), and a
// stateless packet filter on the datagrams entering from outside.
//
// VRRP adverts are checked as RFC 5798 7.1 says before the group's machine sees them: TTL 255,
// version, checksum, a VRID configured on that interface; each failure is a drop with a reason.
// Datagrams addressed to a virtual address itself are accepted only in Accept_Mode (6.4.3).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/nodes/node.hpp"
#include "models/nodes/vrrp_group.hpp"

namespace nlb::nodes {

inline constexpr const char* kDropFiltered = "filtered";           // the packet filter said no
inline constexpr const char* kDropVrrpTtl = "vrrp-bad-ttl";        // RFC 5798 7.1: TTL must be 255
inline constexpr const char* kDropVrrpVrid = "vrrp-unknown-vrid";  // no group for it on that interface
inline constexpr const char* kDropVrrpVersion = "vrrp-bad-version";
inline constexpr const char* kDropVrrpNoAccept = "vrrp-no-accept";  // to a virtual address, Accept_Mode off

// A rule of the packet filter: it allows a datagram that matches every field that is set.
struct FilterRule {
  std::optional<wire::IpProto> protocol;    // unset = any protocol
  std::vector<std::uint16_t> ports;         // TCP/UDP destination ports; empty = any
  std::optional<wire::Prefix> destination;  // unset = any destination
};

// The filter looks at datagrams that enter on one of `inbound` and would be forwarded; the first
// rule that matches allows; nothing matches: dropped ("filtered") and counted. Stateless: the
// servers' replies enter on inside interfaces and are not looked at.
struct PacketFilter {
  bool enabled = false;
  std::vector<IfIndex> inbound;
  std::vector<FilterRule> allow;
};

struct FirewallConfig {
  net::HostConfig host = router_host();
  PacketFilter filter;
  VrrpDaemonConfig vrrp_daemon;  // one process runs every VRRP group of the node
};

struct FirewallCounters {
  std::uint64_t filtered = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t adverts_dropped = 0;
};

class Firewall final : public Node {
 public:
  Firewall(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
           const FirewallConfig& cfg = {});

  // A VRRP group on interface i (the interface's addresses must be configured first).
  VrrpGroup& add_vrrp_group(IfIndex i, const protocols::VrrpConfig& cfg,
                            wire::VrrpChecksumMode checksum = wire::VrrpChecksumMode::PseudoHeader);
  std::size_t vrrp_group_count() const { return groups_.size(); }
  VrrpGroup& vrrp_group(std::size_t k) { return *groups_[k]; }
  const VrrpGroup& vrrp_group(std::size_t k) const { return *groups_[k]; }
  VrrpGroup* find_group(IfIndex i, std::uint8_t vrid);

  void set_filter(PacketFilter f) { cfg_.filter = std::move(f); }
  const PacketFilter& filter() const { return cfg_.filter; }
  // Whether the filter lets this datagram through (pure: no counting).
  bool filter_allows(const net::RxDatagram& d) const;
  const FirewallCounters& counters() const { return counters_; }
  const VrrpDaemon& vrrp_daemon() const { return daemon_; }

  std::vector<DynamicAddress> dynamic_addresses() const override;

 protected:
  void on_boot() override;
  void on_crash() override;
  void on_stop() override;

 private:
  void on_vrrp(const net::RxDatagram& d);
  bool on_ingress(const net::RxDatagram& d);
  ArpVerdict on_arp(IfIndex i, const wire::Arp& arp);

  FirewallConfig cfg_;
  VrrpDaemon daemon_;
  std::vector<std::unique_ptr<VrrpGroup>> groups_;
  FirewallCounters counters_;
};

}  // namespace nlb::nodes
