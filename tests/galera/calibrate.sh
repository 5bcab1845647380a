#!/usr/bin/env bash
# Live calibration of the simulator's Galera model (sim/galera): runs the fault script on the real
# cluster of tools/galera-local and records every state each node reported, as
#   STEP<TAB>NODE<TAB>SECONDS_SINCE_THE_STEP_BEGAN<TAB>STATE    (STATE as `galera-local state N`)
# one line at the start of each step and one per change (each node polled every ~0.2 s). The
# same script runs on the model in sim/galera/galera_calibration.cc; tests compare the two
# (quorum_galera_calibration_compare, and GaleraCalibration.* against the recorded file).
#   tests/galera/calibrate.sh OUT.tsv
# Starts from a healthy cluster (`up`, not recorded); leaves it healthy. Root only.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: calibrate.sh OUT.tsv}
g=${GALERA_LOCAL:-$root/tools/galera-local}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

H="running|Primary|Synced|3|ON"; P2="running|Primary|Synced|2|ON"
NP="running|non-Primary|Initialized|1|OFF"

declare -A last
record() { # appends each node's state when it changed since the last call
  local step=$1 n s; for n in 1 2 3; do
    s=$("$g" state "$n"); if [ "${last[$n]:-}" != "$s" ]; then
      printf '%s\t%s\t%s\t%s\n' "$step" "$n" "$(since "$t0")" "$s" >>"$out"; last[$n]=$s; fi
  done
}
matches() {
  local n; for n in 1 2 3; do [ "${last[$n]}" = "${want[$n]}" ] || return 1; done
}
# step NAME WANT1 WANT2 WANT3 COMMAND...: records from before COMMAND until every node N shows
# WANTN (at most 240 s: `up` took 36-54 s here, longer on a loaded machine).
step() {
  local name=$1; want=([1]=$2 [2]=$3 [3]=$4); shift 4
  t0=$(now); last=(); record "$name"
  # Faults run in the background so that the states while they take effect are recorded; `up`
  # runs in the foreground (its bootstrap and joins are recorded as before/after only): with
  # the state polled beside it, `up` failed or overran once each in three runs on a loaded
  # machine, and it never did alone.
  local pid
  if [ "$*" = "$g up" ]; then
    "$@" >"$out.cmd.log" 2>&1 || { echo "calibrate: '$*' failed:" >&2; cat "$out.cmd.log" >&2; exit 1; }
    true & pid=$!
  else
    "$@" >"$out.cmd.log" 2>&1 & pid=$!
  fi
  while :; do
    record "$name"
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" || { echo "calibrate: '$*' failed:" >&2; cat "$out.cmd.log" >&2; exit 1; }
      matches && break
    fi
    awk -v t="$(since "$t0")" 'BEGIN {exit !(t > 240)}' && {
      echo "calibrate: step $name not settled after 240 s" >&2; "$g" status >&2; exit 1; }
    sleep 0.2
  done
  echo "calibrate: $name settled after $(since "$t0") s" >&2
}

"$g" up >/dev/null 2>&1 || { echo "calibrate: galera-local up failed" >&2; "$g" up; exit 1; }
: >"$out"
step kill-one stopped "$P2" "$P2" "$g" kill 1
step kill-two stopped stopped "$NP" "$g" kill 2
step recover "$H" "$H" "$H" "$g" up
step isolate-one "$P2" "$P2" "$NP" "$g" isolate 3
step heal "$H" "$H" "$H" "$g" heal
step full-outage stopped stopped stopped bash -c "'$g' kill 1; '$g' kill 2; '$g' kill 3"
step recover-full "$H" "$H" "$H" "$g" up
rm -f "$out.cmd.log"
