#!/usr/bin/env bash
# Installs the Debian 12 packages Quorum needs (only those missing), then configures and
# builds one build tree. Idempotent: a second run only rebuilds what changed.
#
#   tools/setup.sh [BUILD_DIR] [extra cmake args...] [--target T...]
# Arguments after --target are passed to `cmake --build` (build only those targets).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
shift || true

packages=(build-essential cmake ninja-build pkg-config git
  libboost-context-dev libboost-dev librocksdb-dev libprotobuf-dev protobuf-compiler
  libfmt-dev libgtest-dev libgmock-dev librapidcheck-dev libssl-dev openssl
  # tools/demo reads /metrics with curl (the pool steps).
  curl
  clang libclang-rt-14-dev libmimalloc-dev
  libmariadb-dev
  # The real 3-node Galera cluster of the galera-labelled tests (tools/galera-local).
  mariadb-server mariadb-client galera-4 rsync iproute2 procps iptables)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing missing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

cmake_args=()
build_args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--target" ]; then build_args=("$@"); break; fi
  cmake_args+=("$1"); shift
done
jobs=${QUORUM_JOBS:-2}
cmake -S "$root" -B "$build_dir" -G Ninja "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs" "${build_args[@]}"
