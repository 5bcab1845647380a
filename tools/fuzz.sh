#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, -DQUORUM_FUZZ=ON in build-fuzz/) and runs each
# for SECONDS (default 60), one after the other, on a scratch copy of its seed corpus
# (fuzz/corpus/<target>, with fuzz/dict/<target>.dict when there is one). Prints, per target,
# executions, executions per second, coverage (cov: edges, ft: features) and the corpus size,
# and for a finding the input and the commands that reproduce it. Exit status 1 if any target
# found something (or did not run), 0 otherwise. docs/fuzzing.md explains the targets.
#
#   tools/fuzz.sh [SECONDS]
# Environment: QUORUM_FUZZ_BUILD (build dir, default <repo>/build-fuzz), QUORUM_FUZZ_TARGETS
# (space-separated subset, default every built target), QUORUM_FUZZ_OUT (logs, working corpora
# and findings; default <build>/fuzz-out), QUORUM_JOBS (build parallelism, default 2),
# QUORUM_FUZZ_NO_BUILD=1 (use the binaries as they are).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 64 ;; esac
build=${QUORUM_FUZZ_BUILD:-$root/build-fuzz}
out=${QUORUM_FUZZ_OUT:-$build/fuzz-out}

if [ "${QUORUM_FUZZ_NO_BUILD:-0}" != 1 ]; then
  echo "fuzz.sh: building the fuzzers in $build (clang, libFuzzer, ASan+UBSan)"
  "$root/tools/setup.sh" "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DQUORUM_FUZZ=ON --target quorum_fuzzers
fi
list="$build/fuzz/fuzz_targets.txt"
[ -f "$list" ] || { echo "fuzz.sh: $list missing: configure $build with -DQUORUM_FUZZ=ON" >&2; exit 2; }
targets=${QUORUM_FUZZ_TARGETS:-$(cat "$list")}

failed=0
summary=()
for t in $targets; do
  bin="$build/fuzz/${t}_fuzz"
  [ -x "$bin" ] || { echo "fuzz.sh: $bin not built" >&2; summary+=("$t: NOT BUILT"); failed=1; continue; }
  work="$out/$t/corpus"
  findings="$out/$t/findings"
  log="$out/$t/log.txt"
  rm -rf "$out/$t"
  mkdir -p "$work" "$findings"
  [ -d "$root/fuzz/corpus/$t" ] && cp "$root/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$findings/")
  [ -f "$root/fuzz/dict/$t.dict" ] && args+=(-dict="$root/fuzz/dict/$t.dict")
  echo "== $t: ${seconds}s ($log)"
  rc=0
  # The working copy first: libFuzzer writes new inputs into the first directory it is given.
  "$bin" "${args[@]}" "$work" > "$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  line=$(printf '%-18s runs %-9s exec/s %-6s cov %-6s ft %-6s corpus %s' "$t" "${runs:-?}" \
         "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")
  finding=$(find "$findings" -type f | head -1)
  if [ "$rc" -ne 0 ] || [ -n "$finding" ]; then
    failed=1
    line="$line  FINDING (exit $rc)"
    echo "$line"
    grep -m1 -E 'ERROR|assertion failed|runtime error|Timeout|out-of-memory' "$log" || tail -5 "$log"
    if [ -n "$finding" ]; then
      echo "   input:     $finding"
      echo "   reproduce: $bin $finding"
      echo "   GCC build: build/fuzz/${t}_replay $finding   (then add it to fuzz/corpus/$t/ with a test)"
    fi
  else
    echo "$line"
  fi
  summary+=("$line")
done

echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
