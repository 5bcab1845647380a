#!/usr/bin/env bash
# sim.demo_file_counts (issue 9 item 11): every "nN: applied index I, K files: p@vX ..." line the
# demo prints lists exactly K files (it once printed the applied index as the count). Fails when
# the demo fails or prints no such line.
set -euo pipefail
quorum_sim=$1
out=$("$quorum_sim" demo)
lines=0
while IFS= read -r line; do
  if [[ $line =~ applied\ index\ [0-9]+,\ ([0-9]+)\ files:(.*)$ ]]; then
    want=${BASH_REMATCH[1]}
    read -r -a listed <<< "${BASH_REMATCH[2]}"
    if [ "${#listed[@]}" -ne "$want" ]; then
      echo "FAILED: '$line' says $want files but lists ${#listed[@]}"
      exit 1
    fi
    lines=$((lines + 1))
  fi
done <<< "$out"
if [ "$lines" -eq 0 ]; then
  echo "FAILED: the demo printed no 'applied index ..., K files:' line"
  printf '%s\n' "$out" | tail -20
  exit 1
fi
echo "PASSED: $lines file lines, each count matching its list"
