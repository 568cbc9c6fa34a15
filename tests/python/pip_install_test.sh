#!/bin/sh
# `pip install ./python` in a fresh venv, as the README says, then zoomflow imported from it: the
# version is the C++ project's and a zoom gives a hand-checked result.
#   pip_install_test.sh REPO WORKDIR [WHEEL_BUILD_DIR]
# WHEEL_BUILD_DIR, when given, keeps the wheel build's CMake tree between runs (the venv is new
# every time; only compiled objects are reused, so a rerun after a small change is quick).
set -eu
repo=$1
work=$2
build_dir=${3:-}
rm -rf "$work"
mkdir -p "$work"
/usr/bin/python3 -m venv "$work/venv"
# The wheel build compiles the core's libraries and the module, on two cores. The CUDA backend
# is left out here (the repository's own build compiles it): its kernels for five GPU
# architectures would double the time of this test, which checks the packaging.
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  "$work/venv/bin/python" -m pip install -q --disable-pip-version-check \
  --config-settings=cmake.define.ZOOMFLOW_ENABLE_CUDA=OFF \
  ${build_dir:+--config-settings=build-dir="$build_dir"} "$repo/python"
want=$(sed -n 's/^project(zoomflow VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
cd "$work"
"$work/venv/bin/python" - "$want" <<'PY'
import sys
from importlib.metadata import version

import numpy as np
import zoomflow

want = sys.argv[1]
assert zoomflow.__version__ == want, (zoomflow.__version__, want)
assert version("zoomflow") == want, (version("zoomflow"), want)
assert zoomflow.__file__.startswith(sys.prefix), zoomflow.__file__  # the installed copy
# scipy.ndimage.zoom([[0, 1], [2, 3]], 2, order=0): each voxel twice per axis.
got = zoomflow.zoom(np.array([[0, 1], [2, 3]], dtype=np.uint8), 2, order=0)
want_values = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]], dtype=np.uint8)
assert got.dtype == np.uint8 and np.array_equal(got, want_values), got
print("pip install ./python: zoomflow", zoomflow.__version__, "works from", zoomflow.__file__)
PY
rm -rf "$work"
