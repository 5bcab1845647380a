#!/usr/bin/env bash
# The README's main job: set up and build, then run tools/demo: three quorumd controllers on
# loopback with RocksDB data in a fresh directory; the controller table; a config file written
# and replicated; the leader killed with SIGKILL; the new leader and the file on the survivors;
# the killed node restarted and caught up; everything stopped. Arguments go to tools/demo
# (e.g. --check). A simulated run of the same story: build/tools/quorum-sim/quorum-sim demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh" "$root/build" --target quorumd quorumctl
QUORUM_BUILD="$root/build" exec "$root/tools/demo" "$@"
