#pragma once
// A synthetic run of the seed's Figure 3 cluster in the documented output format
// (docs/trace-format.md): trace.jsonl, metrics.csv and report.json, with real frame bytes
// built by models/wire. It stands in for `nlbsim run --trace` in the GUI's tests and
// screenshots until the runner writes real runs; the GUI reads both the same way.
//
// What it shows, in order:
// - t=0: VRRP masters (fw1) and the balancers' HA states; lb1 active adds the NLBS alias.
// - t=1s, the seed's Figure 4: client1's SYN to the cluster address 203.0.113.10 crosses the
//   Internet to the master firewall fw1; fw1 has no ARP entry for the NLBS address
//   10.1.0.100 and broadcasts "who-has"; only lb1 (the alias holder) replies; fw1 sends the
//   SYN to lb1's MAC; lb1 forwards it on the server LAN with the destination MAC rewritten to
//   srv2's (IP header untouched); srv2 answers directly via the firewalls' VRRP address.
// - more HTTP connections from two clients, spread over srv1..srv3;
// - t=10.2s lb1 crashes; frames for the NLBS address are dropped at lb1 ("node-down");
//   at 12.0s lb2, without heartbeats for 2 s, becomes active: adds the alias, broadcasts a
//   gratuitous ARP, and fw1's ARP table moves 10.1.0.100 to lb2's MAC; retransmissions flow
//   again, connections synced before the crash keep their server;
// - t=20s lb1 recovers as standby.

#include <cstdint>
#include <string>

namespace nlb::gui::synth {

struct Options {
  std::int64_t duration_ns = 25'000'000'000;
  std::int64_t crash_at_ns = 10'200'000'000;    // lb1 crashes
  std::int64_t recover_at_ns = 20'000'000'000;  // lb1 comes back (standby)
  int connections = 150;                        // HTTP connections after the first one
  bool failover = true;
};

// Event indices (0-based, header excluded) worth showing, filled by make_run.
struct Landmarks {
  std::int64_t first_arp_request = -1;    // fw1's who-has 10.1.0.100
  std::int64_t first_arp_reply = -1;      // lb1's reply
  std::int64_t first_rewritten_syn = -1;  // lb1 -> srv2, destination MAC rewritten
  std::int64_t first_syn_ack = -1;        // srv2 -> fw1 via the VRRP address
  std::int64_t crash = -1;
  std::int64_t takeover = -1;        // lb2's ha state change
  std::int64_t gratuitous_arp = -1;  // lb2's broadcast
  std::int64_t fw_arp_update = -1;   // fw1's table moves the NLBS address
};

struct Run {
  std::string trace;    // trace.jsonl
  std::string metrics;  // metrics.csv
  std::string report;   // report.json
  Landmarks marks;
};

Run make_run(const Options& o = {});
// Writes the three files into dir (created if needed). False with `error` on an I/O failure.
bool write_run(const std::string& dir, const Options& o, std::string& error, Landmarks* marks = nullptr);

}  // namespace nlb::gui::synth
