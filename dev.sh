#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, and runs.
#   ./dev.sh demo    build the command, then `zoomflow demo`
#   ./dev.sh test    build everything and the test venv, then the whole test suite (what CI runs)
#   ./dev.sh build   build only
#   ./dev.sh bench   build the command, then `zoomflow bench`
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential cmake pkg-config
  libhdf5-dev libtbb-dev libzstd-dev zlib1g-dev libblosc-dev libisal-dev liblzma-dev doctest-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev
  openmpi-bin libopenmpi-dev
  python3 python3-dev python3-venv hdf5-tools zstd
)
BUILD_DIR=${ZOOMFLOW_BUILD_DIR:-build}
VENV_DIR=${ZOOMFLOW_VENV:-.venv}
JOBS=$(nproc)

say() { echo "dev.sh: $*" >&2; }

install_missing() {
  local missing=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "missing Debian packages (${missing[*]}); run ./dev.sh as root, or install sudo"
      exit 1
    fi
    sudo=(sudo)
  fi
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  say "apt-get update ..."
  "${sudo[@]}" apt-get update -qq
  # DEBIAN_FRONTEND goes after sudo: sudo's env_reset would drop it from the environment.
  say "apt-get install (a minute or more on a fresh machine) ..."
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" | grep -E '^(Setting up|Unpacking) ' | sed 's/^/dev.sh:   /' >&2 || true
  for pkg in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      { say "could not install $pkg"; exit 1; }
  done
}

# The test references (scipy, h5py + hdf5plugin, zarr-python, TensorStore, tinybrain, dask, ...)
# in a venv made from the pinned tests/requirements.txt; remade when that file changes.
make_venv() {
  local stamp="$VENV_DIR/.requirements.sha256"
  local want
  want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
  if [ -x "$VENV_DIR/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "creating the test venv $VENV_DIR from tests/requirements.txt ..."
  rm -rf "$VENV_DIR"
  /usr/bin/python3 -m venv "$VENV_DIR"
  "$VENV_DIR/bin/python" -m pip install -q --disable-pip-version-check -r tests/requirements.txt
  echo "$want" >"$stamp"
}

configure() {
  local python_args=()
  [ -x "$VENV_DIR/bin/python" ] && python_args=(-DZOOMFLOW_TEST_PYTHON="$PWD/$VENV_DIR/bin/python")
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "${python_args[@]}" >/dev/null
}

build() {
  configure
  cmake --build "$BUILD_DIR" -j"$JOBS" "$@"
}

case "${1:-}" in
  demo) install_missing; build --target zoomflow_cli; shift; "$BUILD_DIR"/tools/zoomflow demo "$@" ;;
  test)
    install_missing; make_venv; build
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$JOBS"
    # A skipped test says why only in its log: show the reason here.
    grep -h -A3 'Skipped' "$BUILD_DIR"/Testing/Temporary/LastTest.log 2>/dev/null |
      grep -i 'skip' | grep -v '^Test' | sort -u | sed 's/^/dev.sh: skipped: /' >&2 || true
    ;;
  build) install_missing; build ;;
  bench) install_missing; build --target zoomflow_cli; shift; "$BUILD_DIR"/tools/zoomflow bench "$@" ;;
  *) echo "usage: ./dev.sh demo|test|build|bench" >&2; exit 2 ;;
esac
