#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds a separate project against the installed
# package with find_package(zoomflow), and runs it on a generated dataset.
set -euo pipefail
build_dir=$1
source_dir=$2
zoomflow=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j2 >/dev/null
"$zoomflow" generate "$work/in.h5:/ct" --shape 20,20,20 --dtype uint16 --pattern noise >/dev/null
"$work/build/consumer" "$work/in.h5:/ct" "$work/out.h5:/zoomed" | tail -n 1
"$zoomflow" info "$work/out.h5:/zoomed" | grep -q "40, 40, 40" || { echo "FAIL: output shape"; exit 1; }
"$zoomflow" info "$work/out.h5.gamma.h5:/zoomed" | grep -q "uint8" || { echo "FAIL: the user's chain"; exit 1; }
echo "install_consumer: 1 passed, 0 failed"
