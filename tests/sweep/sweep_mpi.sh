#!/usr/bin/env bash
# ctest sweep_mpi: the same grid under `mpirun -np 2` gives byte-identical results.csv,
# results.json and aggregate.csv as a local run, and timing.csv shows both ranks at work. Other
# subcommands still work under mpirun (they never initialise MPI). Exit 77 (ctest: skipped)
# when mpirun is not installed (scripts/setup-debian installs openmpi-bin).
# Usage: sweep_mpi.sh NLBSIM GRID OUTDIR
set -uo pipefail
nlbsim=$1 grid=$2 out=$3
if ! command -v mpirun >/dev/null; then
  echo "sweep_mpi: SKIPPED: mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)"
  exit 77
fi
rm -rf "$out" && mkdir -p "$out"
# Root in CI containers; two ranks even on a one-core machine.
mpi=(mpirun --allow-run-as-root --oversubscribe -np 2)

"$nlbsim" sweep "$grid" --out "$out/local" >"$out/local.txt" 2>&1; cl=$?
"${mpi[@]}" "$nlbsim" sweep "$grid" --out "$out/mpi" >"$out/mpi.txt" 2>&1; cm=$?
cat "$out/mpi.txt"
[ "$cl" -eq 1 ] || { echo "local sweep exited $cl, expected 1"; cat "$out/local.txt"; exit 1; }
[ "$cm" -eq 1 ] || { echo "mpirun sweep exited $cm, expected 1"; exit 1; }
grep -q "x 2 MPI ranks" "$out/mpi.txt" || { echo "the sweep under mpirun did not run on 2 ranks"; exit 1; }
for f in results.csv results.json aggregate.csv; do
  cmp "$out/local/$f" "$out/mpi/$f" || { echo "$f differs between the local and the MPI run"; exit 1; }
done
ranks=$(tail -n +2 "$out/mpi/timing.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')
[ "$ranks" = "0 1 " ] || { echo "timing.csv names ranks '$ranks', expected '0 1 '"; exit 1; }

scenario=$(dirname "$grid")/short-crash.json
"${mpi[@]}" "$nlbsim" validate "$scenario" >"$out/validate.txt" 2>&1 ||
  { echo "nlbsim validate under mpirun failed:"; cat "$out/validate.txt"; exit 1; }
echo "sweep_mpi: mpirun -np 2 agrees with the local run"
