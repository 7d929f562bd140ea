#!/usr/bin/env bash
# Regenerates docs/images/gui-*.png from the synthetic run (gui/tools/synthetic_run.hpp).
#   gui/tools/update-screenshots.sh [BUILD_DIR]      (default: build)
# Renders offscreen, so it needs no display. When the runner writes real runs, point
# nlbsim-gui at `nlbsim run scenarios/figure4-flow.json --trace --out DIR` instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
declare -A mark
while read -r name index; do mark[$name]=$index; done < <("$build/gui/nlbsim-gui-synth" "$out/run")
shot() { QT_QPA_PLATFORM=offscreen "$build/gui/nlbsim-gui" "$out/run" --size 1920x1200 --screenshot "$@" 2>/dev/null; }
mkdir -p docs/images
# Figure 4: fw1's ARP request, lb1's single reply, the SYN to lb1, and lb1 sending it on to
# srv2 with only the destination MAC rewritten.
shot docs/images/gui-figure4.png --select-event "${mark[first_rewritten_syn]}"
# Failover: lb1 crashed, lb2 active with the NLBS alias, its gratuitous ARP, fw1's ARP table
# moved to lb2's MAC, the frames dropped at lb1 meanwhile.
shot docs/images/gui-failover.png --select-event "${mark[fw_arp_update]}"
# Charts and the address audit, at the takeover.
shot docs/images/gui-charts.png --select-event "${mark[takeover]}" --tab charts
echo "wrote docs/images/gui-figure4.png gui-failover.png gui-charts.png"
