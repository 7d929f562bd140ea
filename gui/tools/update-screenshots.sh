#!/usr/bin/env bash
# Regenerates docs/images/gui-*.png from real runs of the shipped default scenario:
#   gui/tools/update-screenshots.sh [BUILD_DIR]      (default: build; needs nlbsim and nlbsim-gui)
# `nlbsim run scenarios/figure3-single-public-ip.json --trace` (the seed's Figure 3: lb1 crashes
# at 20 s and recovers at 40 s), then nlbsim-gui renders the window offscreen, so no display is
# needed. Every moment is found in the run itself (the report's Figure 4 flow, --find on the
# events), not by event number, so the pictures follow the simulator when it changes.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export QT_QPA_PLATFORM=offscreen
gui() { "$build/gui/nlbsim-gui" "$@" --size 1920x1200 2>/dev/null; }
"$build/cli/nlbsim" run scenarios/figure3-single-public-ip.json --trace --out "$out/run" >/dev/null
mkdir -p docs/images
# The seed's Figure 4, hop by hop. The event list follows the first request and the NLBS
# address. fw1's ARP request for the NLBS address, heard by fw2, lb1 and lb2:
gui "$out/run" --follow-flow-start --find "fw1: ARP who-has" --node fw1 --screenshot docs/images/gui-arp-request.png
# the single reply, from lb1 (ACTIVE, holding the alias):
gui "$out/run" --follow-flow-start --find "lb1: ARP reply" --node lb1 --screenshot docs/images/gui-arp-reply.png
# the SYN fw1 sent to lb1's MAC reaching the server, only its destination MAC rewritten:
gui "$out/run" --follow-flow --node lb1 --screenshot docs/images/gui-figure4.png
# The user crashes the active balancer from the view right there (right-click lb1 > Crash):
# nlbsim re-runs the scenario with that fault; lb2 takes over and sends its gratuitous ARP.
gui scenarios/figure3-single-public-ip.json --follow-flow --inject crash:lb1 --find "lb2: gratuitous ARP" \
  --node lb2 --screenshot docs/images/gui-crash-garp.png
# The scenario's own crash at 20 s: fw1's ARP entry for the NLBS address moves to lb2's MAC.
gui "$out/run" --at 20s --find "fw1: update 192.168.10.10" --node fw1 --screenshot docs/images/gui-failover.png
# Charts and the address audit at that takeover (lb2's gratuitous ARP); lb2's connection
# table, every entry synced from lb1.
gui "$out/run" --at 20s --find "lb2: gratuitous ARP" --node lb2 --tab charts --screenshot docs/images/gui-charts.png
echo "wrote docs/images/gui-{arp-request,arp-reply,figure4,crash-garp,failover,charts}.png"
