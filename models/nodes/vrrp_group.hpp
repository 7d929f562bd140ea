#pragma once
// One VRRP virtual router on one interface of a node: the node glue of protocols::VrrpInstance
// (RFC 5798 v3, RFC 3768 v2 timing, keepalived flavor). It carries out the machine's actions:
//   SendAdvert          an IPv4 datagram, protocol 112, to 224.0.0.18 with TTL 255 (5.1.1),
//                       from the virtual MAC (Rfc flavor, 7.3) or the interface's (keepalived)
//   ClaimAddresses      the virtual addresses become /32 aliases of the interface (keepalived's
//                       default for an address given without a mask); the NIC accepts the
//                       virtual MAC; ARP requests for them are answered with it (6.4.3)
//   ReleaseAddresses    the reverse (6.4.2: no ARP replies, frames to the vMAC dropped)
//   SendGratuitousArps  `count` RFC 5227 announcements per address, from the action's MAC:
//                       all at once, or one every keepalived garp_interval (vrrp_garp_interval)
// and feeds the machine the adverts the node received (checked as 7.1 says by the Firewall)
// and its timer. State changes and alias changes are published on the trace bus.
//
// The node's VRRP daemon (VrrpDaemon) is a single-threaded process, as keepalived's VRRP child
// is: while it sends a burst of gratuitous ARPs it does nothing else, so the groups' advert
// timers fire late and the adverts it receives wait in the socket until it is done.

#include <algorithm>
#include <optional>

#include "models/link/ring.hpp"
#include "models/nodes/node.hpp"
#include "models/protocols/vrrp.hpp"
#include "models/wire/vrrp.hpp"

namespace nlb::nodes {

struct VrrpDaemonConfig {
  // What one gratuitous ARP costs the daemon (building and sending it, and the address work
  // around it). 0 = instantaneous. keepalived#1653 reports a new master's second advert 3-4 s
  // late with 80+ addresses, i.e. 400 GARPs at keepalived's 5 per address: about 8-10 ms each
  // on that host. Not a keepalived setting: a property of the host it runs on.
  Time garp_send_time = Time::zero();
};

// The VRRP daemon of one node: the time until which it is busy sending gratuitous ARPs.
class VrrpDaemon {
 public:
  explicit VrrpDaemon(VrrpDaemonConfig cfg = {}) : cfg_(cfg) {}
  // `garps` GARPs sent at `now` keep the daemon busy after whatever it was already doing.
  void spend(Time now, std::uint64_t garps) {
    if (cfg_.garp_send_time == Time::zero() || garps == 0) return;
    busy_until_ = std::max(now, busy_until_) + cfg_.garp_send_time * static_cast<std::int64_t>(garps);
  }
  bool busy(Time now) const { return now < busy_until_; }
  Time busy_until() const { return busy_until_; }
  void reset() { busy_until_ = Time::zero(); }
  const VrrpDaemonConfig& config() const { return cfg_; }

 private:
  VrrpDaemonConfig cfg_;
  Time busy_until_;
};

class VrrpGroup {
 public:
  // Fills cfg.interface_mac and cfg.primary_address from the interface when they are unset.
  // `daemon` (shared by the node's groups) may be null: an instantaneous daemon.
  VrrpGroup(Node& node, IfIndex iface, protocols::VrrpConfig cfg,
            wire::VrrpChecksumMode checksum = wire::VrrpChecksumMode::PseudoHeader,
            VrrpDaemon* daemon = nullptr);
  VrrpGroup(const VrrpGroup&) = delete;
  VrrpGroup& operator=(const VrrpGroup&) = delete;

  // RFC 5798 6.4.1 Startup.
  void start();
  // Shutdown (graceful stop): a Master sends priority 0 and releases.
  void stop();
  // The node crashed: the machine and the claimed addresses are gone, without a word.
  void reset();

  // An advertisement for this VRID on this interface that passed RFC 5798 7.1's checks.
  void on_advert(const protocols::VrrpAdvert& advert);
  // An ARP packet received on the node (before its stack): NoReply when this group answered it.
  net::Host::ArpVerdict on_arp(IfIndex iface, const wire::Arp& arp);
  // The address is one of ours and we are Master: datagrams to it are accepted only with
  // Accept_Mode (or as owner).
  bool claims(wire::Ipv4 addr) const;
  bool accepts_own_traffic() const { return accept_; }

  IfIndex iface() const { return iface_; }
  std::uint8_t vrid() const { return vrrp_->config().vrid; }
  protocols::VrrpState state() const { return vrrp_->state(); }
  const protocols::VrrpInstance& instance() const { return *vrrp_; }
  const protocols::VrrpConfig& config() const { return cfg_; }
  wire::VrrpChecksumMode checksum_mode() const { return checksum_; }

 private:
  using Actions = protocols::VrrpInstance::Actions;
  void run(const Actions& actions);
  void rearm();
  bool busy() const { return daemon_ && daemon_->busy(node_.sim().now()); }
  void on_timer();
  void on_garp_timer();
  void send_queued_garp();
  void send_advert(const protocols::vrrp::SendAdvert& a);
  void send_garps(const protocols::vrrp::SendGratuitousArps& a);
  void send_garp(std::size_t address);
  void claim(const protocols::vrrp::ClaimAddresses& a);
  void release();
  void publish_alias(wire::Ipv4 addr, bool added, const char* why);

  Node& node_;
  IfIndex iface_;
  protocols::VrrpConfig cfg_;
  wire::VrrpChecksumMode checksum_;
  VrrpDaemon* daemon_;
  std::optional<protocols::VrrpInstance> vrrp_;
  RoleTimer timer_;
  RoleTimer garp_timer_;                       // queued GARPs, one at a time
  link::Ring<std::uint16_t> garp_queue_;       // address indexes still to announce, in order
  bool burst_ = false;                         // the queue is one unpaced burst (no garp_interval)
  wire::Mac garp_mac_;                         // the MAC the queued GARPs announce
  link::Ring<protocols::VrrpAdvert> backlog_;  // adverts received while the daemon was busy
  bool claimed_ = false;
  bool accept_ = false;
  wire::Mac claimed_mac_;
};

}  // namespace nlb::nodes
