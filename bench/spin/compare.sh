#!/usr/bin/env bash
# SPIN against the kvmspec explorer on the same machine: bench/spin/arm64_step.pml (pan) and its C#
# twin (bench/Bench/SpinTwin.cs, Bfs) at the same bound. Prints both distinct-state counts, both
# states/s and their ratio; exits 1 if the counts differ (2 on a usage or setup error).
#
#   bench/spin/compare.sh [L] [D] [REPEAT]     default: L=6 instructions, D=12 VMM actions, best of 3
#
# pan is built without partial-order reduction (-DNOREDUCE), for safety only (-DSAFETY), and spin
# runs with -o2 (no dead-variable elimination: SPIN would otherwise merge states whose dead
# variables differ, which the twin keeps apart); pan -c0 would go on past an assertion violation.
set -euo pipefail
L=${1:-6}
D=${2:-12}
REPEAT=${3:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$HERE/work"

if ! command -v spin >/dev/null 2>&1; then
  echo "spin not found: installing the Debian package (apt-get update && apt-get install -y spin)" >&2
  if ! { apt-get update && apt-get install -y spin; } >&2; then
    echo "error: could not install spin (need root and a Debian/Ubuntu package mirror); install SPIN 6.x by hand and re-run" >&2
    exit 2
  fi
fi
command -v gcc >/dev/null 2>&1 || { echo "error: gcc is needed to compile pan" >&2; exit 2; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
mkdir -p "$WORK"
cd "$WORK"
spin -o2 -DL="$L" -DD="$D" -a "$HERE/arm64_step.pml" >/dev/null
gcc -O2 -DNOREDUCE -DSAFETY -DMEMLIM=8192 -o pan pan.c
spin_best=0; spin_out=""; spin_cpu=""
TIMEFORMAT='%3U %3S'
for r in $(seq 1 "$REPEAT"); do
  { time ./pan -c0 -w24 > pan.out; } 2> pan.time
  out=$(cat pan.out)
  rate=$(awk '/pan: rate/ {print $3}' <<<"$out")
  cpu=$(awk '{print $1 + $2}' pan.time)
  echo "spin run $r: $(awk '/states, stored/ {print $1}' <<<"$out") states, $(awk '/elapsed time/ {print $4}' <<<"$out") s, $rate states/s, CPU $cpu s (user+sys, pan's whole run)"
  if awk -v a="$rate" -v b="$spin_best" 'BEGIN {exit !(a > b)}'; then spin_best=$rate; spin_out=$out; fi
  if [[ -z "$spin_cpu" ]] || awk -v a="$cpu" -v b="$spin_cpu" 'BEGIN {exit !(a < b)}'; then spin_cpu=$cpu; fi
done
spin_states=$(awk '/states, stored/ {print $1}' <<<"$spin_out")
spin_secs=$(awk '/elapsed time/ {print $4}' <<<"$spin_out")
spin_vec=$(awk '/^State-vector/ {print $2}' <<<"$spin_out")
spin_mem=$(awk '/total actual memory usage/ {print $1}' <<<"$spin_out")
spin_errors=$(awk -F'errors: ' '/errors:/ {print $2}' <<<"$spin_out")

cd "$ROOT"
dotnet build -c Release bench/Bench -v quiet -nologo >/dev/null
twin() { dotnet run -c Release --no-build --project bench/Bench -- spin-twin --length "$L" --depth "$D" --threads "$1" --repeat "$REPEAT"; }
t1=$(twin 1); echo "$t1" | grep '^run'
t2=$(twin 2); echo "$t2" | grep '^run' | sed 's/^/2 threads: /'
get() { awk -v k="$2" '$1 == k {print $2}' <<<"$1"; }
twin_states=$(get "$t1" twin.states)
twin_rate=$(get "$t1" twin.rate)
twin_secs=$(get "$t1" twin.seconds)
twin_bytes=$(get "$t1" twin.bytes_per_state)
twin_heap=$(get "$t1" twin.peak_heap_mb)
twin_cpu=$(get "$t1" twin.cpu_seconds)
twin_cpu_rate=$(get "$t1" twin.cpu_rate)
twin2_states=$(get "$t2" twin.states)
twin2_rate=$(get "$t2" twin.rate)

echo
echo "bound: L=$L instructions, D=$D VMM actions (arm64/v4.15 host single-step, bench/spin/arm64_step.pml)"
printf '%-8s %14s %10s %14s  %s\n' "" "states" "seconds" "states/s" "memory"
printf '%-8s %14s %10s %14.0f  %s\n' "SPIN" "$spin_states" "$spin_secs" "$spin_best" "state vector $spin_vec B, $spin_mem MB total; assertion errors: $spin_errors"
printf '%-8s %14s %10s %14.0f  %s\n' "explorer" "$twin_states" "$twin_secs" "$twin_rate" "$twin_bytes B/state stored, peak heap $twin_heap MB (1 thread)"
awk -v t="$twin_rate" -v s="$spin_best" 'BEGIN {printf "ratio explorer/SPIN states/s, wall clock (best runs, 1 thread): %.2f  (target >= 2)\n", t / s}'
awk -v n="$spin_states" -v sc="$spin_cpu" -v tc="$twin_cpu" -v tr="$twin_cpu_rate" 'BEGIN {printf "per CPU second (robust to load): SPIN %.0f (%s s), explorer %.0f (%s s), ratio %.2f\n", n / sc, sc, tr, tc, tr / (n / sc)}'
awk -v a="$twin2_rate" -v b="$twin_rate" 'BEGIN {printf "explorer 2 threads: %.0f states/s, speedup %.2f over 1 thread\n", a, a / b}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$spin_states" != "$twin_states" || "$twin_states" != "$twin2_states" ]]; then
  echo "FAIL: distinct-state counts differ (SPIN $spin_states, explorer $twin_states / $twin2_states)" >&2
  exit 1
fi
echo "OK: SPIN and the explorer store the same $spin_states states"
