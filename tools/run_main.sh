#!/usr/bin/env bash
# The README's main job: set up, build, and run a simulated 3-controller cluster that elects a
# leader, replicates config files, loses its leader and elects exactly one new one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh" "$root/build"
exec "$root/build/tools/quorum-sim/quorum-sim" demo "$@"
