#!/usr/bin/env bash
# Runs direct_chunk_check.c against Debian's parallel HDF5 (libhdf5-openmpi-dev), fetched with
# apt-get download and unpacked into a scratch folder: nothing is installed, the serial HDF5 that
# zoomflow builds with stays the system's; then times collective_write_timing.c (the collective
# filtered H5Dwrite, the one way that kept every rank's chunks) on 1 rank and on RANKS, alternated.
# Usage: tools/parallel_hdf5/check.sh [RANKS] [SLABS (of 64x256x256 uint16: 8 MiB each)] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/zoomflow-phdf5-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download libhdf5-openmpi-103-1 libhdf5-openmpi-dev >/dev/null 2>&1
for deb in *.deb; do dpkg -x "$deb" root; done
lib=$work/root/usr/lib/x86_64-linux-gnu
mpicc "$here/direct_chunk_check.c" -o check -I root/usr/include/hdf5/openmpi -L "$lib" \
  -lhdf5_openmpi -lz -Wl,-rpath,"$lib"
mpicc "$here/collective_write_timing.c" -o timing -I root/usr/include/hdf5/openmpi -L "$lib" \
  -lhdf5_openmpi -Wl,-rpath,"$lib"
run=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
"${run[@]}" -n "${1:-2}" ./check "$work/check.h5"
for _ in $(seq "${3:-3}"); do
  for ranks in 1 "${1:-2}"; do
    "${run[@]}" -n "$ranks" ./timing "$work/timing.h5" "${2:-32}"
    rm -f "$work/timing.h5"
  done
done
