#pragma once
// The invariants every run must keep (issue #7), checked as assertions over the run's trace:
// a run::RunObserver that subscribes to the trace bus — the events trace.jsonl is written from
// (docs/trace-format.md) — and, at the end, reads the counters the models keep.
//
//   single-owner      at most one balancer holds a front address (the NLBS address, or the prior
//                     art's cluster address) at the end of any instant, except during a reported
//                     split brain: a holder has reported its peer lost (a `peer` line), and the
//                     other holders report it too within their heartbeat timeout
//   arp-follows-owner a firewall's ARP entry for a front address with one holder points at the
//                     holder's MAC within the bound the timers give (bounds.hpp): the gratuitous
//                     ARP's way across the access LAN once the holder announced while the
//                     firewall could hear it, Linux's neighbour unreachability detection when
//                     no announcement could reach it (it could not hear, or the holder had held
//                     the address all along and saw no reason to announce: the other side of a
//                     split brain left)
//   no-dispatch-to-down  no new connection is given to a server after the balancer's advisor
//                     marked it down (and before it marked it up). Datagrams of connections the
//                     table already held keep their server: IBM's Load Balancer sets a failed
//                     server's weight to 0 and resets those connections only with its `reset`
//                     option, off by default. And with every server of a cluster down the seed's
//                     manager gives each weightbound / 2 and dispatches anyway (ND's rule,
//                     docs/protocols.md); those are counted apart (docs/reliability.md)
//   tcp-ends          every TCP connection opened ends once, completed, reset or timed out; one
//                     still open at the end of the run is still in its host's table (none vanish)
//   counters-balance  on every LAN, frame copies put on the link = copies received by a NIC +
//                     copies dropped on the link or by the receiving NIC (each with a reason) +
//                     copies in flight; each NIC's counters agree with its events
//
// State invariants are judged on the state at the end of each simulated instant (events of one
// instant are one step: a balancer changes state, then releases its alias), so a state that
// holds for no time at all is not a violation.

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"
#include "runner/check/bounds.hpp"
#include "runner/run/run.hpp"

namespace nlb::check {

using sim::Time;

enum class Invariant : std::uint8_t {
  SingleOwner,
  ArpFollowsOwner,
  NoDispatchToDown,
  TcpEnds,
  CountersBalance
};
inline constexpr std::size_t kInvariantCount = 5;
const char* to_string(Invariant i);  // "single-owner", "arp-follows-owner", ...
inline constexpr std::array<Invariant, kInvariantCount> kInvariants{
    Invariant::SingleOwner, Invariant::ArpFollowsOwner, Invariant::NoDispatchToDown, Invariant::TcpEnds,
    Invariant::CountersBalance};

// The sum of per-invariant counts.
inline std::uint64_t total(const std::array<std::uint64_t, kInvariantCount>& counts) {
  std::uint64_t n = 0;
  for (auto c : counts) n += c;
  return n;
}

struct Violation {
  Invariant invariant;
  Time at;
  std::string what;
};

// What one run's checks found, and the figures they measured on the way.
struct CheckResult {
  std::array<std::uint64_t, kInvariantCount> checks{};
  std::array<std::uint64_t, kInvariantCount> failures{};
  std::vector<Violation> violations;  // the first kKeptViolations
  static constexpr std::size_t kKeptViolations = 20;

  ArpBounds bounds;
  Time longest_split_brain;       // two holders, both reporting their peer lost
  Time slowest_announce_follow;   // ARP entry wrong -> right, when the firewall heard the announcement
  Time slowest_relearn;           // ... when it had to find out by itself
  std::uint64_t connections = 0;  // TCP connections opened
  std::uint64_t completed = 0, reset = 0, timed_out = 0, open_at_end = 0;
  std::uint64_t new_conns_checked = 0;                  // new connections given a server
  std::uint64_t kept_to_down_server = 0;                // datagrams of held connections to a down server
  std::uint64_t dispatched_all_down = 0;                // new connections while every server was down (ND)
  std::uint64_t frames_sent = 0, frames_in_flight = 0;  // copies put on links; left on them at the end

  std::uint64_t total_checks() const { return total(checks); }
  std::uint64_t total_failures() const { return total(failures); }
  bool ok() const { return total_failures() == 0; }
};

// A readable account: one line per invariant (checks, failures), then the violations kept.
std::string result_text(const CheckResult& r);

class InvariantChecker final : public run::RunObserver {
 public:
  InvariantChecker() = default;
  InvariantChecker(const InvariantChecker&) = delete;
  InvariantChecker& operator=(const InvariantChecker&) = delete;

  void attach(const run::RunView& run) override;
  void finish(const run::RunView& run) override;
  const CheckResult& result() const { return r_; }

 private:
  // Where a node's interface plugs into its LAN.
  struct PathEnd {
    link::NodeId node = link::kNoNode;
    link::LanId lan = link::kNoLan;
    link::PortIndex port = link::kNoPort;
  };
  // A front address and who holds it.
  // How long a heartbeat may take from one balancer to the other (LAN hops and queues), beyond
  // the interval it is sent at.
  static constexpr Time kHeartbeatTransit = Time::ms(50);
  struct Front {
    wire::Ipv4 address;
    std::vector<link::NodeId> members;     // the pair's balancers
    std::vector<link::NodeId> holders;     // who holds it now
    std::vector<std::vector<Time>> garps;  // per balancer: when it announced the address
    Time heartbeat_timeout;                // the pair's: how late a holder may notice its peer is gone
    Time heartbeat_interval;               // the pair's: how late a holder hears its peer's next word
    Time double_since = Time::max();
    bool double_flagged = false;  // this stretch of two holders was reported as a violation
  };
  // A firewall, its ARP entry for each front address, and what it could hear.
  struct Firewall {
    link::NodeId node = link::kNoNode;
    link::IfIndex iface = link::kNoIface;  // on the access LAN
    PathEnd end;
    struct Entry {
      wire::Mac mac;  // zero: no usable entry
      bool wrong = false;
      Time since, deadline = Time::max();
      bool flagged = false;
      bool relearning = false;  // the deadline is relearn's (it could not hear the announcement)
    };
    std::vector<Entry> entries;     // by front
    std::vector<Time> hears_since;  // by balancer (index into balancers_); Time::max(): cannot hear
  };
  struct Balancer {
    link::NodeId node = link::kNoNode;
    link::IfIndex access = link::kNoIface;
    wire::Mac mac;  // of the access interface: what the firewalls should resolve the front address to
    PathEnd end;
    bool peer_alive = false;
    Time split_brain_at = Time::max();  // its latest split-brain line (won or lost)
    std::vector<bool> down;             // per server (index into servers_of_[node]): the advisor's verdict
    // Per cluster address: its servers (configured weight > 0) and whether the seed's manager
    // schedules it, which with every server down dispatches anyway (ND: weightbound / 2 each).
    struct Cluster {
      wire::Ipv4 address;
      std::vector<std::size_t> servers;
      bool manager = false;
    };
    std::vector<Cluster> clusters;
    bool all_down(wire::Ipv4 cluster) const;
  };

  void subscribe(sim::TraceBus& trace);
  void fail(Invariant i, Time at, std::string what);
  void advance(Time t);
  void evaluate(Time t);
  void evaluate_owners(Front& f, Time t);
  void evaluate_arp(Front& f, Firewall& fw, Time t);
  void check_deadlines(Time t);
  std::string holders_text(const Front& f);
  bool reported(const Front& f, link::NodeId n);
  bool can_hear(const Firewall& fw, const Balancer& b) const;
  void update_hearing(Time t);
  void on_node_down(link::NodeId n, bool down);
  void on_sent(const link::FrameSent& e);
  void check_tcp_at_end(const run::RunView& run);
  void check_counters_at_end(const run::RunView& run);
  const std::string& name(link::NodeId n) const { return names_[n]; }
  Balancer* balancer(link::NodeId n);
  Firewall* firewall(link::NodeId n);

  CheckResult r_;
  std::vector<std::string> names_;  // node names by id
  std::vector<Front> fronts_;
  std::vector<Firewall> firewalls_;
  std::vector<Balancer> balancers_;
  std::vector<bool> node_down_;                      // crashed or frozen
  std::vector<int> balancer_of_;                     // per node: index into balancers_, or -1
  std::vector<std::vector<bool>> port_up_;           // [lan][port]
  std::vector<std::vector<wire::Ipv4>> servers_of_;  // per node: the servers a balancer knows
  Time now_;
  bool dirty_ = false;
  bool hearing_dirty_ = false;

  // counters-balance: per LAN and per (node, interface)
  struct LanCount {
    std::uint64_t tx = 0, rx = 0, dropped = 0;  // dropped on the link or by the receiving NIC
  };
  std::vector<LanCount> lans_;
  std::vector<std::vector<std::uint64_t>> tx_, rx_;  // [node][iface]

  // tcp-ends: (node << 40 | connection id) -> opened, looked up by key only
  std::unordered_map<std::uint64_t, Time> open_;
};

}  // namespace nlb::check
