#pragma once
// `nlbsim explain`: the outages of a run and, for each, the chain of causes read from its trace
// (docs/failure-modes.md, "How nlbsim explain works").
//
// An outage is a time when the cluster's service is broken for some clients: datagrams of the
// clients' flows (to or from a cluster address) are lost for a reason other than random loss
// or a full queue, or a connection is handed to a server that does not know it (a balancer
// without its table entry), or a client's connection is reset or times out. Each such
// *impact* is traced back to what made it happen, as far as the trace shows:
//
//   the table that held a wrong entry    a node's ARP entry for the next hop, a switch's MAC
//                                        entry for a VRRP virtual MAC, a balancer's missing
//                                        connection entry, a balancer dispatching to a dead server
//   when the entry went wrong            the fault or state change that made its owner stop
//                                        holding the address (crash, freeze, standby ...)
//   where the entry came from            the ARP frame, state change and timer that set it
//   what cleared it and when             the gratuitous ARP, switch relearning, entry expiry,
//                                        advisor verdict or recovery — or nothing (still open)
//
// Impacts with the same cause (the same table entry gone wrong at the same time) are one
// outage, so two causes at once are two overlapping outages. Its duration runs from the moment
// the entry went wrong to the moment it was cleared; the impacts (first and last datagram
// lost, connections broken, requests failed) are reported with it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/explain/trace_index.hpp"

namespace nlb::explain {

// One link of a chain: at `t`, on `node` (a node name, or a LAN's), what happened.
struct Step {
  Time t;
  std::string node;
  std::string text;
  std::string role;  // cause, stale, impact, clear: what the step is in the chain
};

struct Outage {
  int number = 0;
  std::string kind;      // stale-arp, stale-mac, missing-connection, dead-server, no-address, flapping, other
  std::string table;     // "fw1 ARP table", "LAN lb-lan switch table", "lb2 connection table"
  std::string entry;     // what the table held: "192.168.10.10 -> 02:00:00:00:18:01 (lb1)"
  std::string headline;  // one sentence
  Time start;            // when the entry went wrong
  std::optional<Time> end;  // when it was cleared; empty: still wrong when the run ended
  Time first_impact, last_impact;
  Time last_lost;  // the last datagram lost
  std::uint64_t datagrams_lost = 0;
  std::uint64_t connections_broken = 0;  // clients' connections reset or timed out
  std::uint64_t connections_moved = 0;   // connections a balancer handed to another server
  std::uint64_t requests_failed = 0;
  // A flapping VRRP group: how often its master changed, and how long two routers were master.
  std::uint64_t takeovers = 0;
  Time dual_master;
  std::vector<std::string> clients;  // client nodes affected
  std::vector<Step> chain;
  Time duration(Time run_end) const { return end.value_or(run_end) - start; }
};

struct Explanation {
  std::string scenario;
  std::uint64_t seed = 0;
  Time end;
  std::vector<Outage> outages;
  // Lost datagrams that are not outages: random loss and full queues, recovered by TCP.
  std::uint64_t datagrams_lost_to_loss = 0;
  std::uint64_t requests_ok = 0, requests_failed = 0;
  std::vector<std::string> notes;  // what the trace lacks to tell more
};

struct ExplainOptions {
  // Impacts of a cause explain cannot name are grouped when they are closer than this.
  Time gap = Time::s(1);
};

Explanation explain(const TraceIndex& trace, const ExplainOptions& options = {});

// The text nlbsim explain prints; `only` selects one outage (1-based).
std::string explanation_text(const Explanation& e, std::optional<int> only = std::nullopt);
std::string explanation_json(const Explanation& e, std::optional<int> only = std::nullopt);
// "20.000 s lb1 crashed -> 21.719 s lb2 ... -> outage 1.719 s": the chain on one line.
std::string chain_line(const Outage& o, Time run_end);

}  // namespace nlb::explain
