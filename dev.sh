#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, and runs.
#   ./dev.sh demo    build, then `zoomflow demo`
#   ./dev.sh test    build, then the whole test suite (what CI runs)
#   ./dev.sh build   build only
#   ./dev.sh bench   build, then `zoomflow bench`
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake pkg-config
  libhdf5-dev libtbb-dev libzstd-dev zlib1g-dev doctest-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  python3 python3-numpy python3-scipy python3-h5py python3-hdf5plugin hdf5-tools zstd
)
BUILD_DIR=${ZOOMFLOW_BUILD_DIR:-build}
JOBS=$(nproc)

install_missing() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"$JOBS"
}

case "${1:-}" in
  demo) install_missing; build; shift; "$BUILD_DIR"/tools/zoomflow demo "$@" ;;
  test) install_missing; build; ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS" ;;
  build) install_missing; build ;;
  bench) install_missing; build; shift; "$BUILD_DIR"/tools/zoomflow bench "$@" ;;
  *) echo "usage: ./dev.sh demo|test|build|bench" >&2; exit 2 ;;
esac
