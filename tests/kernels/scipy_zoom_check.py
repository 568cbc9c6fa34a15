"""zoomflow resample against scipy.ndimage.zoom on random volumes: identical for order 0,
within floating-point rounding for order 1 (float64 1e-12 relative, float32 1e-6, integers +-1).

Usage: scipy_zoom_check.py ZOOMFLOW PLUGIN_DIR
Runs through Debian's python3 with python3-scipy and python3-h5py; zoomflow's zstd output is
read through its own HDF5 plugin (HDF5_PLUGIN_PATH)."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy
import scipy.ndimage as ndi

zoomflow, plugin_dir = sys.argv[1], sys.argv[2]
os.environ["HDF5_PLUGIN_PATH"] = plugin_dir
rng = np.random.default_rng(12345)

CASES = [  # dtype, shape, zoom, order, grid
    ("bool", (21, 17, 9), (2.0, 2.0, 2.0), 0, "centers"),
    ("bool", (16, 30), (0.5, 1.7), 0, "corners"),
    ("uint8", (13, 19, 11), (1.5, 0.7, 2.3), 0, "centers"),
    ("uint8", (13, 19, 11), (1.5, 0.7, 2.3), 1, "centers"),
    ("int16", (20, 24), (3.0, 0.4), 1, "corners"),
    ("uint16", (17, 12, 23), (0.6, 2.5, 1.0), 1, "centers"),
    ("int32", (10, 10, 10), (4.0, 4.0, 4.0), 0, "centers"),
    ("float32", (15, 22, 8), (1.3, 0.8, 3.0), 1, "corners"),
    ("float32", (9, 31), (2.2, 0.35), 0, "corners"),
    ("float64", (12, 14, 16), (0.75, 1.25, 2.0), 1, "centers"),
    ("float64", (25, 25), (0.3, 0.3), 1, "corners"),
    ("uint64", (8, 9, 10), (2.0, 1.5, 0.5), 0, "centers"),
    ("int64", (7, 30), (1.0, 1.7), 0, "corners"),  # 30 -> 51 holds a tie scipy rounds down
    ("uint16", (6, 9), (1.5, 1.5), 0, "centers"),  # 6 -> 9: ties at s + 0.5 = 1 and 3
    ("int8", (24, 18), (0.3333, 2.5), 1, "centers"),
]


def random_array(dtype, shape):
    if dtype == "bool":
        return rng.random(shape) < 0.3
    if dtype.startswith("float"):
        return rng.uniform(-1000, 1000, shape).astype(dtype)
    info = np.iinfo(dtype)
    # scipy passes every value through double (and adds 0.5 before truncating): 64-bit integers
    # beyond about 2^52 come back rounded,
    # where zoomflow copies them exactly. Keep them within 2^50 so the comparison is fair.
    low, high = max(info.min, -(2**50)), min(info.max, 2**50)
    return rng.integers(low, high, shape, dtype=dtype, endpoint=True)


def tolerance_ok(got, want, dtype):
    if dtype == "float64":
        return np.allclose(got, want, rtol=1e-12, atol=1e-9)
    if dtype == "float32":
        return np.allclose(got, want, rtol=1e-6, atol=1e-3)
    return np.all(np.abs(got.astype(np.float64) - want.astype(np.float64)) <= 1)


failures = 0
with tempfile.TemporaryDirectory() as folder:
    for n, (dtype, shape, zoom, order, grid) in enumerate(CASES):
        x = random_array(dtype, shape)
        src = os.path.join(folder, f"in{n}.h5")
        dst = os.path.join(folder, f"out{n}.h5")
        with h5py.File(src, "w") as f:
            f.create_dataset("x", data=x, chunks=tuple(min(s, 7) for s in shape))
        command = [zoomflow, "resample", f"{src}:/x", f"{dst}:/y", "--quiet",
                   "--zoom", ",".join(str(z) for z in zoom), "--order", str(order), "--grid", grid,
                   "--chunks", ",".join("5" for _ in shape), "--memory-limit", "1MiB"]
        subprocess.run(command, check=True)
        with h5py.File(dst, "r") as f:
            got = f["y"][...]
        want = ndi.zoom(x, zoom, order=order, mode="nearest", grid_mode=(grid == "centers"))
        label = f"{dtype} {shape} zoom {zoom} order {order} {grid}"
        if got.shape != want.shape or got.dtype != want.dtype:
            print(f"FAIL {label}: got {got.dtype}{got.shape}, scipy {want.dtype}{want.shape}")
            failures += 1
        elif order == 0 and not np.array_equal(got, want):
            print(f"FAIL {label}: {np.count_nonzero(got != want)} voxels differ from scipy")
            failures += 1
        elif order == 1 and not tolerance_ok(got, want, dtype):
            print(f"FAIL {label}: beyond rounding, max |diff| "
                  f"{np.max(np.abs(got.astype(float) - want.astype(float)))}")
            failures += 1
        else:
            print(f"ok   {label}")

print(f"scipy {scipy.__version__}: {len(CASES) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
