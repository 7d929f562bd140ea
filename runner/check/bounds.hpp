#pragma once
// How long a firewall's ARP entry for the balancers' front address (the NLBS address, or the
// prior art's cluster address) may point at another MAC than the holder's, derived from the
// timers of the built models (docs/reliability.md, "The ARP bound"):
//
//   announce  the firewall could hear the new holder when it took the address: the holder's
//             gratuitous ARP (seed: "broadcasts an ARP request ... comprising its own physical
//             hardware address and the NLBS IP address") crosses the access LAN and RFC 826's
//             merge rule rewrites the entry on arrival. Bound: the frame's worst time over the
//             two hops, NIC -> switch -> NIC, each a full queue of maximum-size frames ahead of
//             it, its own serialization and the propagation delay.
//   relearn   the firewall could not hear it (crashed, frozen, its cable or the holder's down):
//             nothing tells it; Linux's neighbour machine finds out. The entry was confirmed at
//             most 1.5 x base_reachable_time ago (REACHABLE's random length); then STALE, and
//             either used (DELAY for delay_first_probe_time, then ucast_probes unicast probes
//             retrans_time apart that the old holder does not answer, FAILED, and a broadcast
//             request only the holder answers) or unused until gc_stale_time removes it. With a
//             router's fixed-lifetime cache, that lifetime. Measured from when it can hear again.
//
// On a lossy access LAN a gratuitous ARP may be lost, so `announce` is not a bound there and
// relearn applies throughout (`lossy`).

#include <vector>

#include "models/link/ids.hpp"
#include "sim/time.hpp"

namespace nlb::run {
struct Built;
}

namespace nlb::check {

using sim::Time;

struct ArpBounds {
  Time announce;
  Time relearn;
  bool lossy = false;
};

// The bounds for the firewalls `firewalls` resolving a front address on LAN `access`.
ArpBounds arp_bounds(const run::Built& built, link::LanId access, const std::vector<link::NodeId>& firewalls);

}  // namespace nlb::check
