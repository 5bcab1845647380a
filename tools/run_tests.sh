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
"$root/tools/fuzz.sh" "${QUORUM_FUZZ_SECONDS:-30}"
