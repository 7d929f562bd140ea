#pragma once
// Failover measured, not assumed (issue #4): a trace-bus subscriber that records what a failover
// is made of and, for a fault at time T on node N, computes
//   detection       T -> the first state change that answers the fault: the peer balancer
//                   becoming active (balancer faults), the peer firewall becoming VRRP master
//                   (firewall faults), an advisor marking the server down (server faults)
//   first datagram  T -> the first datagram a balancer other than N dispatches to a server
//                   other than N after T (traffic flows again)
//   first response  T -> the end of the first successful HTTP request started after T
//   ARP update      T -> the first change, after T, of a surviving firewall's ARP entry for the
//                   address the firewalls resolve to reach the balancers (the NLBS address, or
//                   the cluster address in the prior art); unset if it never changed
//   datagrams lost  distinct frames of the clients' flows (to or from a cluster address) dropped
//                   in [T, T + loss window), the window cut short by the next fault: by anything but a NIC's
//                   address filter, or by address filters only and accepted by no NIC (a switch that forgot
//                   the MAC of a dead port floods the frame to NICs that all discard it)
//   connections     clients' TCP connections to a cluster address open at T, and how many of
//                   them ended Completed or were still open when the run ended (not broken);
//                   also at the moment a node is back in service (connections_at)
// and, over [T, until) (the next fault or the end of the run: a stale ARP entry can outlive any
// fixed window),
//   outage          the longest time no datagram of a cluster address was dispatched to a server
//                   by any balancer: the blackhole a client sees (meaningful while traffic flows)
//   takeovers       how many times a balancer became active or a VRRP router master: 1 for a
//                   clean failover, more when the roles flap
//   dual master     how long two routers of one VRRP group (told apart by VRID) were master at
//                   once, or both balancers active: the split brain's overlap
// Memory stays flat however long the run (docs/reliability.md, "Long runs"): what a fault's
// measures need is recorded from the fault on (mark()): the first datagram and the first
// response after it, the longest gap between dispatches until the next mark, the connections
// open across it (and across each state change that can put a node back in service) as they
// end, the distinct datagrams lost in its loss window (a count; the frames only while a window
// is open); state changes and the firewalls' ARP changes are kept (there are few); a frame
// received is remembered for a few seconds only, long enough to tell a flooded copy from a loss.

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "models/link/ids.hpp"
#include "models/net/network.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/transport/tcp_connection.hpp"
#include "models/transport/tcp_stack.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::measure {

using sim::Time;

struct FailoverTargets {
  std::vector<wire::Ipv4> clusters;     // the cluster addresses clients connect to
  std::vector<wire::Ipv4> front;        // what the firewalls resolve: NLBS (or clusters, prior art)
  std::vector<link::NodeId> firewalls;  // whose ARP tables count
  std::vector<link::NodeId> balancers;  // for balancer faults
  std::vector<std::pair<link::NodeId, wire::Ipv4>> servers;  // node and private address
};

// Reads the targets from a built network (roles and addresses of its nodes).
FailoverTargets targets_of(const net::Network& network, std::vector<wire::Ipv4> clusters,
                           std::vector<wire::Ipv4> front);

struct FailoverResult {
  Time at;
  link::NodeId node = link::kNoNode;
  std::optional<Time> detection;
  std::optional<Time> first_datagram;
  std::optional<Time> first_response;
  std::optional<Time> arp_update;
  std::uint64_t datagrams_lost = 0;
  std::size_t connections_open = 0;
  std::size_t connections_completed = 0;
  Time outage;
  std::size_t takeovers = 0;
  Time dual_master;
  double survival() const {
    return connections_open == 0 ? 1.0 : static_cast<double>(connections_completed) / connections_open;
  }
};

class FailoverMeter {
 public:
  // A flooded copy filtered by one NIC is no loss if another took the frame within this long
  // (a flood's copies arrive within the links' delays; an ARP queue holds a datagram 3 s).
  static constexpr Time kCopyHorizon = Time::s(5);

  // Datagrams lost are counted for this long after a fault (cut short by the next one).
  static constexpr Time kLossWindow = Time::s(30);

  FailoverMeter(sim::Simulation& sim, FailoverTargets targets, Time loss_window = kLossWindow);

  // A fault on `node` (kNoNode: none in particular) happens now: record from now on what
  // measure(at, node) will need. Every NodeFault marks itself; the runner marks the timeline's
  // other faults (a pair's, a set-loss) too. Marks come in time order; a later mark ends the
  // earlier marks' outage window.
  void mark(Time at, link::NodeId node);
  // The fault marked at `at` on `node`; drops are counted in its loss window, the outage,
  // takeovers and dual-master time in [at, until) (until: the next mark, or the end of the run
  // for the last). Unmarked: only detection, ARP update, takeovers and dual-master time are known.
  FailoverResult measure(Time at, link::NodeId node, Time until = Time::max()) const;
  // Clients' connections to a cluster address open at `at` (a mark, or a balancer becoming
  // active, a firewall master, a server up): how many, and how many completed or were still
  // open at the end. Other times: none known.
  std::pair<std::size_t, std::size_t> connections_at(Time at) const;
  std::size_t takeovers(Time from, Time until) const;
  Time dual_master_time(Time from, Time until) const;

 private:
  enum class Kind : std::uint8_t { BalancerActive, FirewallMaster, ServerDown };
  struct Change {
    Time at;
    link::NodeId node;
    Kind kind;
    wire::Ipv4 server;  // ServerDown
  };
  // A router or balancer entering (on) or leaving (off) the master/active role; group = VRID,
  // or kBalancers.
  struct Role {
    Time at;
    link::NodeId node;
    std::uint16_t group;
    bool on;
  };
  static constexpr std::uint16_t kBalancers = 256;
  static constexpr std::uint16_t kNoGroup = 0xffff;  // a crash: every group of the node
  struct ArpSet {
    Time at;
    link::NodeId node;
    wire::Ipv4 ip;
    wire::Mac mac;  // zero: the entry went away
  };
  struct Pending {  // a copy a NIC's address filter dropped: lost unless another NIC took it
    Time at;
    std::uint64_t frame;
  };
  struct Open {  // a client's connection to a cluster address, while it is open
    Time opened;
  };
  struct Watch {
    Time at;
    link::NodeId node;
    wire::Ipv4 server;  // the node's address when it is a server
    std::optional<Time> first_datagram, first_response;
    Time last_dispatch;  // the latest dispatch since `at` (or `at`)
    Time longest_gap;    // between dispatches since `at`, up to the next mark once closed
    bool closed = false;
    Time loss_end;           // [at, loss_end): at + loss window, or the next mark
    std::uint64_t lost = 0;  // distinct datagrams lost in it
  };
  struct Point {  // a time connections open across are counted at, once they ended
    Time at;
    std::size_t open = 0, completed = 0;
  };

  void subscribe(sim::TraceBus& trace);
  bool is(const std::vector<link::NodeId>& set, link::NodeId n) const;
  bool flow_frame(const link::FrameRef& f) const;
  std::optional<Time> detection(Time at, link::NodeId node) const;
  std::optional<Time> arp_update(Time at, link::NodeId node) const;
  wire::Ipv4 server_address(link::NodeId node) const;
  const Watch* watch(Time at, link::NodeId node) const;
  void add_point(Time at);
  void on_role(Time at, link::NodeId node, std::uint16_t group, bool was, bool is);
  void on_dispatch(const nodes::Dispatched& e);
  void on_request(const nodes::RequestDone& e);
  void on_closed(const transport::TcpClosedEvent& e);
  void on_received(Time at, std::uint64_t frame);
  void settle_pending(Time now);
  void count_loss(Time at, std::uint64_t frame, Time now);
  void retire_loss_windows(Time now);

  FailoverTargets t_;
  std::vector<Change> changes_;
  std::vector<Role> roles_;
  std::vector<ArpSet> arp_;
  Time loss_window_;
  std::size_t loss_open_ = 0;  // watches_[loss_open_..] may still count a loss
  // When each frame lost since the oldest open loss window's start was last lost: a frame lost
  // twice counts once per window.
  std::unordered_map<std::uint64_t, Time> lost_at_;
  std::vector<Watch> watches_;              // in mark order, so by time
  std::size_t open_watches_ = 0;            // watches_[open_watches_..] have the latest mark's time
  std::vector<Point> points_;               // by time
  std::vector<std::size_t> want_datagram_;  // watches still waiting for their first datagram
  std::vector<std::size_t> want_response_;  // ... for their first response
  // Flow frames some NIC took in the last 2 x kCopyHorizon: id -> when, and the order they came.
  std::unordered_map<std::uint64_t, Time> received_;
  std::deque<std::pair<Time, std::uint64_t>> received_order_;
  std::deque<Pending> pending_;
  // Open connections by (node << 40 | connection id); looked up by key, counted at the end.
  std::unordered_map<std::uint64_t, Open> conns_;
};

}  // namespace nlb::measure
