#pragma once
// The causal links `nlbsim explain` follows, from one impact (a lost datagram, a connection
// handed to the wrong server) back to the table entry that caused it, and from that entry to
// the events that set it, made it wrong and cleared it. Links join trace lines by what they
// share: the same node, address, MAC or connection, in time order.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/explain/explain.hpp"
#include "runner/explain/world.hpp"

namespace nlb::explain {

// What went wrong for one impact, as far as the trace shows. Impacts with equal keys share a
// cause and make one outage.
struct Diagnosis {
  std::string key;
  std::string kind;  // see Outage::kind
  Time start;        // when the entry went wrong
  std::vector<Step> cause;
  std::uint32_t holder = kNone;  // the node whose table held the entry (or the balancer)
  std::uint32_t lan = kNone;     // a switch's LAN
  std::uint32_t target = kNone;  // the node the entry pointed at, or the dead server
  wire::Ipv4 ip;
  wire::Mac mac;
  int vrid = -1;
  std::string table, entry, headline;
  std::string stale;  // the chain's step for the wrong entry, said from its holder
  std::string site;   // the holder's name (a node, "LAN x"), or where unexplained impacts happened
  std::string what;   // unexplained impacts: what; missing connections: why
};

struct Impact {
  enum Type { Lost, Moved, Broken, Failed };
  Time t;
  Type type = Lost;
  std::string client;  // the client node
  std::optional<Endpoint> conn;
  const FrameLine* frame = nullptr;
  std::string detail;  // moved: "ip:port srv4 -> srv1"; broken/failed: the outcome
};

struct Group {
  Diagnosis d;
  std::set<std::string> clients;
  std::vector<Impact> impacts;
};

class Causes {
 public:
  explicit Causes(const World& w) : w_(w) {}

  // A datagram dropped where it could not be taken (a dead, frozen, standby or cut-off
  // receiver, or a MAC nobody accepts): the stale ARP or switch entry that sent it there, or
  // the balancer still dispatching to a dead server.
  std::optional<Diagnosis> refused(const FrameLine& f) const;
  // A datagram dropped because its sender's ARP resolution failed: nobody held the address.
  std::optional<Diagnosis> arp_failed(const FrameLine& f) const;
  // A balancer without a table entry for an open connection (it re-dispatched it, or dropped
  // its segments): why the entry was missing, and what brought the connection to it.
  std::optional<Diagnosis> missing_connection(std::uint32_t balancer, const Endpoint& c, Time t) const;
  // A connection that broke after datagrams of it were lost to random loss.
  Diagnosis random_loss(const FrameLine& f) const;

  // The outage of a group: its chain of steps, the clearing event, the counts.
  Outage finish(const Group& g, Time run_end) const;
  // VRRP groups where a router became master three times or more after the group's first
  // master (between at least two routers): flapping, with why each takeover happened (adverts lost on the
  // way, a master busy with gratuitous ARPs ...).
  std::vector<Outage> flapping(Time run_end) const;

 private:
  std::optional<Diagnosis> stale_arp(const FrameLine& f, std::uint32_t sender, wire::Ipv4 ip,
                                     std::uint32_t receiver) const;
  std::optional<Diagnosis> stale_mac(const FrameLine& f, std::uint32_t receiver, int vrid) const;
  std::optional<Diagnosis> dead_server(const FrameLine& f, std::uint32_t balancer,
                                       std::uint32_t server) const;

  // Why a state change happened, as steps ending with the change itself.
  std::vector<Step> why_state(const StateLine& s) const;
  // The ARP frame that made an ARP line (received at that node, at that time), if traced.
  const FrameLine* arp_frame(const ArpLine& a) const;
  bool learned_by_gratuitous_arp(const ArpLine& a) const;
  // Why an ARP entry changed: the frame that changed it, its sender and that sender's reason.
  std::vector<Step> why_arp(const ArpLine& a) const;
  // Why `listener` stopped hearing `speaker` (heartbeats or adverts from `src`) after `from`.
  std::vector<Step> silence(std::uint32_t listener, std::optional<std::uint32_t> speaker, Time from, Time to,
                            const std::string& kind, wire::Mac src, int vrid = -1) const;
  // A speaker that sent a burst of gratuitous ARPs in (from, to), delaying its adverts.
  std::vector<Step> garp_burst(std::uint32_t speaker, Time from, Time to, int vrid) const;
  // The balancer's `peer alive` line just before t (it heard its peer again), if any.
  const HaLine* peer_return(std::uint32_t node, Time t) const;
  // A node that resumed from a freeze shortly before t: the freeze and its late timers.
  std::vector<Step> late_timers(std::uint32_t node, Time t) const;
  // When and why a node stopped being able to take traffic for `ip` (down, frozen, released
  // the address, cable cut), as of t; empty if it can.
  std::vector<Step> unable(std::uint32_t node, std::optional<wire::Ipv4> ip, Time t) const;
  // The first time after `after` the node could take it again.
  std::vector<Step> able_again(std::uint32_t node, std::optional<wire::Ipv4> ip, Time after) const;
  bool paths_down(Time t) const;
  bool both_active(std::uint32_t a, std::uint32_t b,
                   Time t) const;  // a split brain at t  // a heartbeat-loss fault cut the pair's paths at t
  std::string unable_text(std::uint32_t node, std::optional<wire::Ipv4> ip, Time t) const;

  void clear_stale_arp(const Group& g, Outage& o) const;
  // How an ARP entry's timers ran out (history[k] is its expire or fail line).
  std::string timer_text(const std::vector<const ArpLine*>& history, std::size_t k, const Diagnosis& d) const;
  // After a split brain the winner did not announce `ip` again: its name, and a step added to
  // `cause`; empty otherwise.
  std::string no_reannounce(std::uint32_t receiver, wire::Ipv4 ip, Time t, std::vector<Step>& cause) const;
  void clear_stale_mac(const Group& g, Time last, Outage& o) const;
  void clear_dead_server(const Group& g, Time last, Outage& o) const;
  void clear_missing_connection(const Group& g, Outage& o) const;
  void clear_no_address(const Group& g, Time last, Outage& o) const;

  const World& w_;
  mutable std::map<std::string, std::optional<Diagnosis>> memo_;  // refused(), by what it depends on
};

}  // namespace nlb::explain
