#!/usr/bin/env bash
# Regenerates docs/images/gui-*.png from a real run of the shipped default scenario:
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
"$build/cli/nlbsim" run scenarios/figure3-single-public-ip.json --trace --out "$out/run" >/dev/null
shot() { QT_QPA_PLATFORM=offscreen "$build/gui/nlbsim-gui" "$out/run" --size 1920x1200 --screenshot "$@" 2>/dev/null; }
mkdir -p docs/images
# The seed's Figure 4: the event list follows the first request and the NLBS address; the
# trail shows fw1's ARP request, lb1's single reply, the SYN sent to lb1's MAC and lb1
# sending it on to the server with only the destination MAC rewritten; lb1's tables.
shot docs/images/gui-figure4.png --follow-flow --node lb1
# The failover: lb1 crashed at 20 s; lb2 took over, holds the NLBS alias and broadcast a
# gratuitous ARP; fw1's ARP entry for the NLBS address moves to lb2's MAC (selected).
shot docs/images/gui-failover.png --at 20s --find "fw1: update 192.168.10.10" --node fw1
# Charts and the address audit at the takeover (lb2's gratuitous ARP); lb2's connection table,
# every entry synced from lb1.
shot docs/images/gui-charts.png --at 20s --find "lb2: gratuitous ARP" --node lb2 --tab charts
echo "wrote docs/images/gui-figure4.png gui-failover.png gui-charts.png"
