#pragma once
// The Network Load Balancers' high-availability protocol: the seed's four states (initial,
// active, standby, inop) and the code it runs on each transition ("NLBS IP address on the
// Network Load Balancer", "Switch from a Network Load Balancer to an other"), with IBM Network
// Dispatcher's failure detection and recovery (REFERENCE.md 2.4): a heartbeat from each
// balancer every 0.5 s, takeover when none arrives for 2 s, reachability targets (the standby
// takes over when it reaches more of them than the active), and a recovery strategy (Auto: the
// primary takes back when healthy; Manual: only on an operator's "takeover").
//
// Sans-IO: the node glue feeds heartbeats received, reachability results, sync progress and
// operator commands, and carries out the returned actions (add/remove the NLBS alias,
// broadcast gratuitous ARPs, start/stop forwarding, send heartbeats, start a bulk sync).
// docs/protocols.md states every rule and where it departs from the seed.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "models/protocols/actions.hpp"
#include "models/wire/addr.hpp"
#include "models/wire/ha.hpp"
#include "sim/time.hpp"

namespace nlb::protocols {

using sim::Time;
using wire::HaRole;
using wire::HaState;
using wire::HaSyncStatus;

enum class HaRecovery : std::uint8_t { Auto, Manual };
const char* to_string(HaRecovery r);

struct HaConfig {
  HaRole role = HaRole::Primary;
  HaRecovery recovery = HaRecovery::Auto;
  std::uint8_t priority = 100;              // tie-break between two balancers of one role
  Time heartbeat_interval = Time::ms(500);  // ND: every half second
  Time heartbeat_timeout = Time::s(2);      // ND: failover if none within 2 s
  wire::Ipv4 own_address;                   // on the heartbeat path; last tie-break
  wire::Ipv4 nlbs_address;                  // the seed's private virtual NLBS IP address
  std::uint8_t nlbs_prefix_len = 24;        // its alias's prefix on the Internet Access Subnet
  unsigned garp_count = 1;                  // gratuitous ARP requests when becoming active
  Time garp_interval = Time::s(1);          // between them, when garp_count > 1
  bool regarp_after_split_brain = true;     // the winner re-announces (keepalived#166)
  // A gratuitous ARP every garp_refresh while active (keepalived's garp_master_refresh, which
  // keepalived#20 asked for): bounds how long a firewall can keep a stale entry. 0 = off.
  Time garp_refresh = Time::zero();
  bool wait_for_sync = true;           // Auto: take back only once the table is synchronised
  Time sync_wait_limit = Time::s(30);  // ... or after this long; 0 = wait for ever
  // Auto: a returning primary asks for the role back only after standing by this long
  // (keepalived's preempt_delay, counted from entering standby). 0 = at once.
  Time preempt_delay = Time::zero();

  // Empty when valid, else "<field>: <what is wrong>".
  std::string check() const;
};

// What we last heard from the peer.
struct HaPeer {
  bool alive = false;
  Time heard_at = Time::max();
  wire::Ipv4 address;  // source of its heartbeats
  wire::HaHeartbeat last;
};

namespace ha {

struct StateChanged {
  HaState from = HaState::Inop;
  HaState to = HaState::Inop;
  const char* why = "";
};
// Seed: "defines the NLBS IP address as an alias in its interface table" (on the interface
// attached to the Internet Access Subnet, see docs/protocols.md).
struct AddAlias {
  wire::Ipv4 address;
  std::uint8_t prefix_len = 24;
};
// Seed: "releases from its interface table, the NLBS IP address defined as an alias".
struct RemoveAlias {
  wire::Ipv4 address;
};
// Seed: "broadcasts an ARP request on the Internet Access Subnet comprising its own physical
// hardware address and the NLBS IP address": `count` RFC 5227 announcements, now.
struct SendGratuitousArp {
  wire::Ipv4 address;
  unsigned count = 1;
  const char* why = "";
};
// Accept (or stop accepting) datagrams for the cluster addresses: the dispatcher runs only on
// the active balancer (seed: "Datagrams sent by the Firewalls are no more accepted").
struct SetForwarding {
  bool on = false;
};
// Send this heartbeat to the peer (UDP, wire::ha::kUdpPort).
struct SendHeartbeat {
  wire::HaHeartbeat heartbeat;
};
// Send the whole connection table to the peer (it reported Not Synchronized).
struct StartBulkSync {};
// The peer's heartbeats started or stopped arriving (for the trace and failover reports).
struct PeerChanged {
  bool alive = false;
  const char* why = "";
};
// Both balancers were active; the heartbeats are back and the conflict is resolved.
struct SplitBrainResolved {
  bool won = false;
  const char* why = "";
};

using Action = std::variant<StateChanged, AddAlias, RemoveAlias, SendGratuitousArp, SetForwarding,
                            SendHeartbeat, StartBulkSync, PeerChanged, SplitBrainResolved>;

}  // namespace ha

struct HaCounters {
  std::uint64_t heartbeats_sent = 0;
  std::uint64_t heartbeats_received = 0;
  std::uint64_t heartbeats_dropped = 0;  // unknown state or role values
  std::uint64_t heartbeats_stale = 0;    // not newer than the last heard (another path, or held back)
  std::uint64_t became_active = 0;
  std::uint64_t split_brains = 0;
  std::uint64_t garps_sent = 0;
};

class BalancerHa {
 public:
  using Actions = ActionList<ha::Action, 12>;

  explicit BalancerHa(HaConfig config);

  // Start (or restart after a crash or a stop): Initial, heartbeats, election.
  Actions start(Time now);
  // Graceful stop (ND goInOp): release the NLBS address at once and tell the peer.
  Actions stop(Time now, const char* why = "stopped");
  // A heartbeat from the peer, whose IPv4 source address is `from`.
  Actions on_heartbeat(Time now, const wire::HaHeartbeat& hb, wire::Ipv4 from);
  // The node glue's reachability probes: `reached` of `total` targets answer.
  Actions on_reach(Time now, std::uint8_t reached, std::uint8_t total);
  // The connection-sync receiver's progress (a bulk transfer started / ended).
  Actions set_sync_status(Time now, HaSyncStatus status);
  // The operator's "takeover" (ND `dscontrol highavailability takeover`) on a standby.
  Actions takeover(Time now);
  // Another machine announced the NLBS address (an ARP packet with it as the sender address and
  // another MAC) while we may hold it: the firewalls may now point there.
  void on_address_claimed();
  Actions poll(Time now);
  Time next_deadline() const;

  HaState state() const { return state_; }
  const HaConfig& config() const { return cfg_; }
  const HaPeer& peer() const { return peer_; }
  HaSyncStatus sync_status() const { return sync_; }
  std::uint8_t reach() const { return reach_; }
  bool takeover_requested() const { return request_; }
  const HaCounters& counters() const { return counters_; }

 private:
  void go_active(Time now, const char* why, Actions& out);
  void go_standby(Time now, const char* why, Actions& out);
  void change_state(HaState to, const char* why, Actions& out);
  void send_heartbeat(Time now, Actions& out);
  void announce(Time now, const char* why, Actions& out);
  void evaluate(Time now, Actions& out);
  void evaluate_standby(Time now, Actions& out);
  void evaluate_active(Time now, Actions& out);
  void on_peer_timeout(Time now, Actions& out);
  std::pair<std::uint8_t, std::uint8_t> reaches() const;
  bool wins_election() const;
  bool wins_split_brain() const;
  bool auto_recovery_wants() const;

  HaConfig cfg_;
  HaState state_ = HaState::Inop;
  HaPeer peer_;
  HaSyncStatus sync_ = HaSyncStatus::NotSynchronized;
  std::uint8_t reach_ = 0;
  std::uint8_t reach_total_ = 0;
  bool request_ = false;                 // our heartbeats carry "takeover request"
  bool admin_request_ = false;           // ... because the operator asked
  bool bulk_started_ = false;            // StartBulkSync issued for this peer session
  bool claimed_since_announce_ = false;  // another MAC announced the NLBS address after we last did
  std::uint32_t sequence_ = 0;
  Time heartbeat_at_ = Time::max();
  Time peer_deadline_ = Time::max();  // Initial: election timeout; else last heard + timeout
  Time garp_at_ = Time::max();
  unsigned garps_left_ = 0;
  Time refresh_at_ = Time::max();  // next periodic gratuitous ARP (garp_refresh)
  Time preempt_at_ = Time::max();  // Auto recovery may ask from then on (preempt_delay)
  bool preempt_waited_ = true;     // the preempt delay of this standby period is over
  Time sync_wait_until_ = Time::max();
  bool sync_wait_over_ = false;  // Auto recovery stopped waiting for synchronisation
  HaCounters counters_;
};

}  // namespace nlb::protocols
