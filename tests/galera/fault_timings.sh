#!/usr/bin/env bash
# Measures tools/galera-local on this machine: the time of `up` from nothing, and for each
# fault the time until `state` shows it, plus every state each node reported in between
# (polled every ~0.2 s). Destroys and recreates the cluster under its base dir.
#   tests/galera/fault_timings.sh [BASE_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export GALERA_LOCAL_BASE=${1:-/tmp/quorum-galera-timings}
g="$root/tools/galera-local"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

declare -A last
trace() { # prints each node's state when it changed since the last call
  local n s; for n in 1 2 3; do
    s=$("$g" state "$n"); if [ "${last[$n]:-}" != "$s" ]; then
      echo "    +$(since "$t0")s node$n $s"; last[$n]=$s; fi; done
}
# step NAME WANT1 WANT2 WANT3 COMMAND...: runs COMMAND, then waits until node N's state equals
# WANTN for every N ("*" matches anything).
matches() {
  local n w; for n in 1 2 3; do w=${want[$n]}
    [ "$w" = "*" ] || [ "$("$g" state "$n")" = "$w" ] || return 1; done
}
step() {
  local name=$1; want=([1]=$2 [2]=$3 [3]=$4); shift 4
  echo "== $name: $* -> ${want[1]} / ${want[2]} / ${want[3]}"
  t0=$(now); "$@" >/dev/null 2>&1 || { echo "command failed: $*"; "$@"; }
  local tc; tc=$(since "$t0")
  until matches; do
    trace; sleep 0.2
    awk -v t="$(since "$t0")" 'BEGIN {exit !(t > 120)}' && { echo "TIMEOUT"; "$g" status; exit 1; }
  done
  trace
  echo "   command returned after ${tc}s; all three as wanted after $(since "$t0")s"
}

"$g" purge >/dev/null 2>&1 || true
t0=$(now); "$g" up >/dev/null 2>&1; echo "== up from nothing: $(since "$t0")s"; trace
t0=$(now); "$g" up >/dev/null 2>&1; echo "== up on a healthy cluster: $(since "$t0")s"
H="running|Primary|Synced|3|ON"; P2="running|Primary|Synced|2|ON"
NP="running|non-Primary|Initialized|1|OFF"; P1="running|Primary|Synced|1|ON"
step "kill one" stopped "$P2" "$P2" "$g" kill 1
step "start it (IST)" "$H" "$H" "$H" "$g" start 1
step "kill one again" stopped "$P2" "$P2" "$g" kill 1
step "kill a second one" stopped stopped "$NP" "$g" kill 2
step "up after two crashed" "$H" "$H" "$H" "$g" up
step "pause one" "$P2" paused "$P2" "$g" pause 2
step "resume it" "$H" "$H" "$H" "$g" resume 2
step "isolate one" "$P2" "$P2" "$NP" "$g" isolate 3
step "heal" "$H" "$H" "$H" "$g" heal
step "isolate all three" "$NP" "$NP" "$NP" bash -c "'$g' isolate 1; '$g' isolate 2; '$g' isolate 3"
step "heal all (no bootstrap)" "$H" "$H" "$H" "$g" heal
step "full outage: kill all" stopped stopped stopped bash -c "'$g' kill 1; '$g' kill 2; '$g' kill 3"
step "up after full outage (bootstrap highest seqno)" "$H" "$H" "$H" "$g" up
step "graceful stop of two" "$P1" stopped stopped bash -c "'$g' stop 3; '$g' stop 2"
step "up after clean shutdown of two" "$H" "$H" "$H" "$g" up
"$g" purge >/dev/null 2>&1
