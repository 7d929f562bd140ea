#pragma once
// The ARP table of one interface (RFC 826, with Linux's neighbour states).
//
// States, as Linux's NUD machine (net/core/neighbour.c) names them:
//   Incomplete  a request is out; datagrams wait in a bounded queue. Up to mcast_probes
//               broadcast requests, retrans_time apart, then Failed (queued datagrams dropped
//               with "arp-failed").
//   Reachable   the MAC was confirmed recently (a reply to us, or confirm()). Lasts a random
//               U[base/2, 3*base/2) of base_reachable_time, then Stale.
//   Stale       the MAC is still used, but the next datagram moves the entry to Delay. Removed
//               after gc_stale_time unused.
//   Delay       used while stale: wait delay_first_probe_time for a confirmation, then Probe.
//   Probe       up to ucast_probes unicast requests to the cached MAC, retrans_time apart,
//               then Failed; datagrams keep using the cached MAC meanwhile.
//   Failed      resolution gave up; the next datagram starts again from Incomplete.
//   Permanent   a static entry, never changed by ARP.
// With `fixed_lifetime` set the table behaves as a router's cache instead (Cisco IOS: 4 h):
// an entry is Reachable for fixed_lifetime after it was last learned, then removed.
//
// Learning follows RFC 826's merge rule: ANY ARP packet (request or reply, gratuitous or
// not, whoever it is for) whose sender is already in the table updates that entry's MAC. That
// is how a gratuitous ARP moves the seed's NLBS address to the new active balancer (ns-3 gets
// this wrong). A new entry is only created when the packet is for us, i.e. its target address
// is configured on this interface (Linux arp_accept=0), unless `accept_unsolicited` lets a
// gratuitous ARP create one (arp_accept=1). Routers differ on gratuitous ARPs (sender address =
// target address): `gratuitous` says whether they update an entry at all (GratuitousArp).
//
// The table only decides; what it would send, release or drop goes to its Output, so a test can
// drive it as a function of (packets, time).

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "models/link/frame.hpp"
#include "models/link/ring.hpp"
#include "models/wire/addr.hpp"
#include "models/wire/arp.hpp"
#include "sim/simulation.hpp"

namespace nlb::net {

enum class ArpState : std::uint8_t { Incomplete, Reachable, Stale, Delay, Probe, Failed, Permanent };
const char* to_string(ArpState s);  // "incomplete", "reachable", ...

// How a table treats a gratuitous ARP (sender protocol address = target protocol address: an
// RFC 5227 announcement, or the takeover broadcast of keepalived and of the seed's balancer).
//   Update        RFC 826's merge rule: it updates an existing entry (Linux whatever arp_accept
//                 says, ip-sysctl.rst; Cisco IOS).
//   RequestsOnly  a gratuitous request updates, a gratuitous reply does not (Junos: "updating of
//                 the ARP cache is disabled" for gratuitous replies unless gratuitous-arp-reply).
//   Ignore        neither: the entry only changes when it expires and is resolved again.
enum class GratuitousArp : std::uint8_t { Update, RequestsOnly, Ignore };
const char* to_string(GratuitousArp g);  // "update", "requests-only", "ignore"

struct ArpConfig {
  // Linux net.ipv4.neigh.default.* (net/ipv4/arp.c arp_tbl).
  sim::Time base_reachable_time = sim::Time::s(30);
  bool randomize_reachable_time = true;  // U[base/2, 3*base/2), net/core/neighbour.c neigh_rand_reach_time
  sim::Time retrans_time = sim::Time::s(1);
  std::uint32_t mcast_probes = 3;  // broadcast requests while Incomplete
  std::uint32_t ucast_probes = 3;  // unicast requests while Probe
  sim::Time delay_first_probe_time = sim::Time::s(5);
  // Linux applies it only above gc_thresh1 (128 entries); here always, so expiry shows in traces.
  sim::Time gc_stale_time = sim::Time::s(60);
  // Datagrams waiting for one resolution; one more is dropped ("arp-queue-full"). ns-3's
  // PendingQueueSize; Linux queues by bytes (unres_qlen_bytes).
  std::uint32_t queue_limit = 3;
  // Non-zero: a router's fixed-lifetime cache (Cisco's default is 4 h) instead of the states above.
  sim::Time fixed_lifetime = sim::Time::zero();
  // What a gratuitous ARP (spa == tpa) may do to an existing entry.
  GratuitousArp gratuitous = GratuitousArp::Update;
  // Linux arp_accept=1 (ip-sysctl.rst): a gratuitous ARP for an address not in the table creates
  // an entry (Stale). Default 0: only packets aimed at us create entries.
  bool accept_unsolicited = false;
};

// A copy of one entry, for readers (GUI, traces, tests).
struct ArpEntry {
  wire::Ipv4 ip;
  wire::Mac mac;  // zero while Incomplete
  ArpState state = ArpState::Incomplete;
  sim::Time updated;                      // when the MAC was last learned or confirmed
  sim::Time deadline = sim::Time::max();  // the next timed transition
  std::uint32_t probes = 0;               // requests sent in this Incomplete/Probe round
  std::uint32_t queued = 0;               // datagrams waiting for resolution
  bool operator==(const ArpEntry&) const = default;
};

enum class ArpChangeKind : std::uint8_t { Add, Update, Expire, Fail };
const char* to_string(ArpChangeKind k);  // "add", "update", "expire", "fail" (docs/trace-format.md)

struct ArpChange {
  ArpChangeKind kind;
  wire::Ipv4 ip;
  wire::Mac mac;
  wire::Mac old_mac;
  ArpState state;
};

class ArpCache {
 public:
  // What the table wants done. Calls never re-enter the table.
  class Output {
   public:
    virtual ~Output() = default;
    // Send an ARP request for `target`, to broadcast (resolving) or to the cached MAC (probing).
    virtual void arp_request(wire::Ipv4 target, wire::Mac dst) = 0;
    // A datagram that waited is resolved: send it to `mac`.
    virtual void arp_release(link::FrameRef datagram, wire::Mac mac) = 0;
    virtual void arp_drop(link::FrameRef datagram, const char* reason) = 0;
    virtual void arp_changed(const ArpChange& change) = 0;
  };

  ArpCache(sim::Simulation& sim, ArpConfig config, Output& out, sim::RngStream& rng);
  ArpCache(const ArpCache&) = delete;
  ArpCache& operator=(const ArpCache&) = delete;

  // The MAC to send a datagram for `ip` to now, leaving `datagram` with the caller. Otherwise
  // takes the datagram: queues it while resolving (sending a request if none is out) or drops it.
  std::optional<wire::Mac> resolve(wire::Ipv4 ip, link::FrameRef& datagram);

  // A received ARP packet (already accepted by the interface). `for_us`: its target address is
  // configured on this interface. `solicited`: a reply unicast to our MAC, which confirms the
  // sender's reachability (Linux sets REACHABLE only then, STALE otherwise).
  enum class Learned : std::uint8_t { Ignored, Created, Updated, Refreshed };
  Learned input(const wire::Arp& packet, bool for_us, bool solicited);

  // An upper layer saw forward progress (TCP new ACK): the neighbour is reachable.
  void confirm(wire::Ipv4 ip);
  void add_static(wire::Ipv4 ip, wire::Mac mac);
  bool remove(wire::Ipv4 ip);
  // Empties the table (a node crash, an interface going down), dropping queued datagrams.
  void clear(const char* reason);

  std::optional<ArpEntry> lookup(wire::Ipv4 ip) const;
  std::vector<ArpEntry> entries() const;  // ordered by address
  std::size_t size() const { return entries_.size(); }
  const ArpConfig& config() const { return config_; }
  void set_config(const ArpConfig& c) { config_ = c; }

 private:
  struct Entry {
    ArpEntry e;
    // Last confirmation of reachability (a solicited reply, confirm()); long ago by default.
    sim::Time confirmed = sim::Time::ns(INT64_MIN / 2);
    sim::Time reach;  // this Reachable period's drawn length
    link::Ring<link::FrameRef> pending;
  };
  using Map = std::map<std::uint32_t, Entry>;

  sim::Time reachable_time();
  bool learns_gratuitous(wire::ArpOp op) const;
  void start_resolution(Entry& en);
  void enqueue(Entry& en, link::FrameRef& datagram);
  void set_valid(Entry& en, wire::Mac mac, bool confirmed);
  void release(Entry& en);
  void fail(Entry& en);
  void expire(Map::iterator it);
  void change(ArpChangeKind kind, const Entry& en, wire::Mac old_mac);
  void on_timer();
  void timeout(Map::iterator it);
  // The timer fires at the earliest deadline. A heap of (deadline, address) finds it without a
  // scan of the table (a router facing 2,000 clients changes entries on every ARP it hears);
  // records made stale by a later change are skipped when they surface.
  struct Deadline {
    sim::Time at;
    std::uint32_t ip;
    auto operator<=>(const Deadline&) const = default;
  };
  void rearm(const Entry& en);  // after `en`'s deadline may have changed
  void push_deadline(const Entry& en);
  bool is_current(const Deadline& d) const;
  void arm_timer();

  sim::Simulation& sim_;
  ArpConfig config_;
  Output& out_;
  sim::RngStream& rng_;
  Map entries_;                      // ordered: timeouts are handled in address order, never in hash order
  std::vector<Deadline> deadlines_;  // a min-heap, see rearm()
  std::vector<std::uint32_t> due_;   // reused by on_timer()
  sim::Timer timer_;                 // one timer for the table, set to the earliest deadline
};

}  // namespace nlb::net
