#pragma once
// VRRP virtual router, one instance per (interface, VRID): RFC 5798 (VRRPv3) section 6, with
// RFC 3768 (VRRPv2) timing as an option, and a keepalived-compatible flavor (what most Linux
// firewalls run). Sans-IO: the node glue feeds received advertisements and timer expiries and
// carries out the returned actions (send an advert, send gratuitous ARPs, claim or release the
// virtual addresses); docs/protocols.md maps every rule to its RFC sentence.
//
// Time is integer nanoseconds throughout: Skew_Time and Master_Down_Interval are exact
// (truncated to the nanosecond when the RFC value has a fraction of a nanosecond), so a
// takeover can be checked to the nanosecond (issue #4).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "models/protocols/actions.hpp"
#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

using sim::Time;

// RFC 5798 6.4: the three states. keepalived's FAULT is not modelled (an interface that goes
// down simply stops hearing adverts, which the node glue models with link state).
enum class VrrpState : std::uint8_t { Initialize, Backup, Master };
const char* to_string(VrrpState s);

enum class VrrpVersion : std::uint8_t { V2 = 2, V3 = 3 };

// Rfc: adverts and gratuitous ARPs from the virtual MAC 00-00-5E-00-01-{VRID} (RFC 5798 7.3),
// one gratuitous ARP per virtual address at Master entry, exact skew.
// Keepalived: keepalived's defaults without use_vmac: everything from the interface's real
// MAC (the address moves only by gratuitous ARP), GARP bursts and refresh, N missed adverts,
// integer-microsecond skew, RFC 9568's re-advert on a lower-priority advert.
enum class VrrpFlavor : std::uint8_t { Rfc, Keepalived };

// keepalived.conf(5) settings (acassen/keepalived: keepalived/include/vrrp.h defaults).
struct KeepalivedOptions {
  unsigned garp_master_repeat = 5;          // GARPs per address at MASTER entry (VRRP_GARP_REP)
  Time garp_master_delay = Time::s(5);      // second burst after this; 0 = none (VRRP_GARP_DELAY)
  Time garp_master_refresh = Time::zero();  // periodic refresh while MASTER; 0 = off
  unsigned garp_master_refresh_repeat = 1;  // GARPs per address per refresh
  // A master that hears a lower-priority advert sends this many GARPs per address and, after
  // garp_lower_prio_delay, as many again ("we receive a lower prio adv we just refresh remote
  // ARP cache", vrrp.c vrrp_state_master_rx). keepalived defaults both to the master values.
  unsigned garp_lower_prio_repeat = 5;
  Time garp_lower_prio_delay = Time::s(5);
  // A master that hears a higher priority sends one last advert before it goes backup, so the
  // winner hears a lower priority and re-announces (keepalived PR #551; default off).
  bool higher_prio_send_advert = false;
  // vrrp_garp_interval: GARPs go out one every interval instead of in one burst (the node glue
  // paces them; 0 = all at once).
  Time garp_interval = Time::zero();
  unsigned down_timer_adverts = 3;    // missed adverts before takeover (1..100)
  bool lower_prio_no_advert = false;  // false: master re-adverts on a lower-priority advert
  bool start_as_master = false;       // "state MASTER": first wait is one interval + min skew
};

struct VrrpConfig {
  std::uint8_t vrid = 1;
  std::uint8_t priority = 100;        // 255 = address owner; 0 is reserved for stopping
  Time advert_interval = Time::s(1);  // v3: multiple of 10 ms, <= 40.95 s; v2: whole seconds
  bool preempt = true;                // RFC 5798 Preempt_Mode (keepalived: !nopreempt)
  Time preempt_delay = Time::zero();  // keepalived semantics, see docs/protocols.md
  bool accept_mode = false;           // RFC 5798 Accept_Mode
  VrrpVersion version = VrrpVersion::V3;
  VrrpFlavor flavor = VrrpFlavor::Rfc;
  wire::Ipv4 primary_address;                 // our address on the LAN: advert source, tie-break
  wire::Mac interface_mac;                    // the interface's own MAC (Keepalived flavor uses it)
  std::vector<wire::Ipv4> virtual_addresses;  // the IPvX addresses of the virtual router
  KeepalivedOptions keepalived;

  // Empty when valid, else "<field>: <what is wrong>" (the scenario layer adds its JSON pointer).
  std::string check() const;
  bool owner() const { return priority == 255; }
  // The MAC that adverts, ARP replies and gratuitous ARPs carry for this flavor.
  wire::Mac virtual_router_mac() const;
};

// The fields of a received advertisement that the state machine needs. The node glue has
// already applied RFC 5798 7.1's packet checks (TTL 255, version, VRID, checksum, type).
struct VrrpAdvert {
  wire::Ipv4 source;  // IPv4 source address: the sender's primary address
  std::uint8_t priority = 0;
  std::uint16_t max_adver_int = 0;  // as on the wire: v3 centiseconds, v2 seconds
};

// Timing, as functions of their inputs (RFC 5798 6.1; RFC 3768 6.1; keepalived vrrp.h).
Time vrrp_skew_time(VrrpVersion v, VrrpFlavor f, std::uint8_t priority, Time master_adver_interval);
Time vrrp_master_down_interval(VrrpVersion v, VrrpFlavor f, std::uint8_t priority, Time master_adver_interval,
                               unsigned down_adverts = 3);
// The advert interval as carried on the wire (v3 centiseconds, v2 seconds) and back.
std::uint16_t vrrp_interval_to_wire(VrrpVersion v, Time interval);
Time vrrp_interval_from_wire(VrrpVersion v, std::uint16_t field);

namespace vrrp {

// The node carries these out in list order.
struct StateChanged {
  VrrpState from = VrrpState::Initialize;
  VrrpState to = VrrpState::Initialize;
  const char* why = "";
};
// Multicast an ADVERTISEMENT to 224.0.0.18 (TTL 255) listing the virtual addresses.
struct SendAdvert {
  std::uint8_t priority = 0;
  std::uint16_t max_adver_int = 0;  // wire units
  wire::Mac source_mac;
};
// For each virtual address, broadcast `count` gratuitous ARP requests (sender = mac) now.
struct SendGratuitousArps {
  wire::Mac mac;
  unsigned count = 1;
  const char* why = "";
};
// Become the virtual router: answer ARP for the virtual addresses with `mac`, receive frames
// sent to `mac` (the NIC joins the virtual MAC in Rfc flavor), forward datagrams sent to it;
// accept datagrams addressed to the virtual addresses themselves only if `accept` (RFC 5798
// 6.4.3: owner or Accept_Mode).
struct ClaimAddresses {
  wire::Mac mac;
  bool accept = false;
};
// Stop being the virtual router (RFC 5798 6.4.2: no ARP replies, drop frames to the vMAC).
struct ReleaseAddresses {
  wire::Mac mac;
};

using Action = std::variant<StateChanged, SendAdvert, SendGratuitousArps, ClaimAddresses, ReleaseAddresses>;

}  // namespace vrrp

struct VrrpCounters {
  std::uint64_t adverts_sent = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t adverts_discarded = 0;  // lower priority in Backup, own echo, v2 interval mismatch
  std::uint64_t priority_zero_sent = 0;
  std::uint64_t priority_zero_received = 0;
  std::uint64_t became_master = 0;
  std::uint64_t garps_sent = 0;  // per address
};

class VrrpInstance {
 public:
  using Actions = ActionList<vrrp::Action, 8>;

  explicit VrrpInstance(VrrpConfig config);

  // RFC 5798 6.4.1 Startup event.
  Actions startup(Time now);
  // RFC 5798 6.4.2/6.4.3 Shutdown event: a Master sends a priority-0 advert and releases.
  Actions shutdown(Time now);
  Actions on_advert(Time now, const VrrpAdvert& advert);
  // Runs every timer due at or before `now`.
  Actions poll(Time now);
  // When poll() must next run; Time::max() when no timer is armed.
  Time next_deadline() const;

  VrrpState state() const { return state_; }
  const VrrpConfig& config() const { return cfg_; }
  const VrrpCounters& counters() const { return counters_; }
  Time master_adver_interval() const { return master_adver_interval_; }
  Time skew_time() const;
  Time master_down_interval() const;
  // The armed Master_Down_Timer expiry (Backup), else Time::max().
  Time master_down_at() const { return master_down_at_; }
  // The address of the last master heard (Backup), unspecified before any.
  wire::Ipv4 master_address() const { return master_address_; }

 private:
  void become_master(Time now, const char* why, Actions& out);
  void become_backup(Time now, Time down_after, const char* why, Actions& out);
  void send_advert(std::uint8_t priority, Actions& out);
  void send_garps(unsigned count, const char* why, Actions& out);
  void on_advert_in_backup(Time now, const VrrpAdvert& ad);
  void on_advert_in_master(Time now, const VrrpAdvert& ad, Actions& out);
  bool preempt_delay_running(Time now) const;
  void cancel_timers();
  unsigned down_adverts() const;
  Time learned_interval(const VrrpAdvert& ad) const;

  VrrpConfig cfg_;
  VrrpState state_ = VrrpState::Initialize;
  Time master_adver_interval_;
  Time adver_at_ = Time::max();         // Adver_Timer (Master)
  Time master_down_at_ = Time::max();   // Master_Down_Timer (Backup)
  Time garp_burst_at_ = Time::max();    // keepalived's second GARP burst (Master)
  Time garp_refresh_at_ = Time::max();  // keepalived's periodic GARP refresh (Master)
  Time garp_lower_at_ = Time::max();    // keepalived's second lower-priority GARP burst (Master)
  Time preempt_until_ = Time::max();    // keepalived preempt_delay: lower adverts accepted until then
  wire::Ipv4 master_address_;
  VrrpCounters counters_;
};

}  // namespace nlb::protocols
