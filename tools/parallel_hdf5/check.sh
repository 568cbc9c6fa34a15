#!/usr/bin/env bash
# Runs direct_chunk_check.c against Debian's parallel HDF5 (libhdf5-openmpi-dev), fetched with
# apt-get download and unpacked into a scratch folder: nothing is installed, the serial HDF5 that
# zoomflow builds with stays the system's. Usage: tools/parallel_hdf5/check.sh [RANKS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/zoomflow-phdf5-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download libhdf5-openmpi-103-1 libhdf5-openmpi-dev >/dev/null 2>&1
for deb in *.deb; do dpkg -x "$deb" root; done
lib=$work/root/usr/lib/x86_64-linux-gnu
mpicc "$here/direct_chunk_check.c" -o check -I root/usr/include/hdf5/openmpi -L "$lib" \
  -lhdf5_openmpi -lz -Wl,-rpath,"$lib"
mpirun --allow-run-as-root --oversubscribe -n "${1:-2}" ./check "$work/check.h5"
