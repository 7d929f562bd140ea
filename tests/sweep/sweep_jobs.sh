#!/usr/bin/env bash
# ctest sweep_jobs: `nlbsim sweep` as a user runs it, with --jobs 1 and --jobs 2: the same exit
# status and byte-identical results.csv, results.json and aggregate.csv (timing.csv differs).
# Usage: sweep_jobs.sh NLBSIM GRID OUTDIR
set -uo pipefail
nlbsim=$1 grid=$2 out=$3
rm -rf "$out" && mkdir -p "$out"

"$nlbsim" sweep "$grid" --out "$out/j1" --jobs 1 >"$out/j1.txt" 2>&1; c1=$?
"$nlbsim" sweep "$grid" --out "$out/j2" --jobs 2 >"$out/j2.txt" 2>&1; c2=$?
cat "$out/j1.txt"
# The small grid's 3 s heartbeat timeout misses the scenario's 2 s detection bound: exit 1.
[ "$c1" -eq 1 ] || { echo "sweep --jobs 1 exited $c1, expected 1"; cat "$out/j1.txt"; exit 1; }
[ "$c2" -eq 1 ] || { echo "sweep --jobs 2 exited $c2, expected 1"; cat "$out/j2.txt"; exit 1; }
for f in results.csv results.json aggregate.csv; do
  cmp "$out/j1/$f" "$out/j2/$f" || { echo "$f differs between --jobs 1 and --jobs 2"; exit 1; }
done
[ "$(wc -l <"$out/j1/results.csv")" -eq 5 ] || { echo "expected a header and 4 rows in results.csv"; exit 1; }
echo "sweep_jobs: --jobs 1 and --jobs 2 agree"
