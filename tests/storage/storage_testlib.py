"""Shared helpers of the storage interop tests: arguments, running zoomflow, and numpy
references (independent of zoomflow's code) for its stats and checksum."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

U64 = np.uint64


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zoomflow", required=True)
    parser.add_argument("--probe", required=True)
    parser.add_argument("--plugin-dir", required=True)
    return parser.parse_args()


def temp_folder():
    return tempfile.TemporaryDirectory(prefix="zoomflow-storage-")


def plugin_env(plugin_dir):
    env = dict(os.environ)
    env["HDF5_PLUGIN_PATH"] = plugin_dir
    return env


def wait_until_staged(process, folder, final_name, timeout=30):
    """Waits until a run has made its hidden temporary for `final_name` in `folder` (its signal
    handlers are in place by then); True if it is still running, so a signal sent now lands
    inside the run rather than before or after it."""
    prefix = "." + final_name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if any(n.startswith(prefix) for n in os.listdir(folder)):
            return process.poll() is None
        time.sleep(0.005)
    return False


def run(command, env=None, expect=None):
    """Runs a command; returns (exit status, stdout, stderr). Checks the status when given."""
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env,
                            timeout=120)
    if expect is not None and result.returncode != expect:
        fail(f"{' '.join(map(str, command))} exited {result.returncode}, expected {expect}\n"
             f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result.returncode, result.stdout, result.stderr


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def mix(x):
    """splitmix64's finaliser over a uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = x + U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> U64(30))) * U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> U64(27))) * U64(0x94D049BB133111EB)
        return x ^ (x >> U64(31))


def checksum(array):
    """zoomflow's content checksum: sum of mix(mix(i) ^ bits) modulo 2**64 over the elements whose
    bits are not all zero, i the C-order index, bits the element's bytes as an unsigned integer of
    its width."""
    a = np.ascontiguousarray(array)
    a = a.astype(a.dtype.newbyteorder("="), copy=False)
    bits = a.reshape(-1).view(f"u{a.dtype.itemsize}").astype(U64)
    index = np.arange(bits.size, dtype=U64)
    with np.errstate(over="ignore"):
        terms = mix(mix(index) ^ bits)
        return int(terms[bits != 0].sum(dtype=U64))


def zoomflow_stats(zoomflow, path, env=None):
    _, out, _ = run([zoomflow, "stats", "--json", path], env=env, expect=0)
    return json.loads(out)


def check_stats(stats, array, where):
    """zoomflow stats --json against numpy."""
    a = np.asarray(array)
    numeric = a.astype(np.float64) if a.dtype.kind in "fc" else a
    valid = numeric[~np.isnan(numeric)] if a.dtype.kind == "f" else numeric
    check(stats["shape"] == list(a.shape), f"{where}: shape {stats['shape']} != {a.shape}")
    check(stats["count"] == a.size, f"{where}: count {stats['count']} != {a.size}")
    check(stats["nonzero"] == int(np.count_nonzero(a)), f"{where}: nonzero {stats['nonzero']}")
    check(stats["checksum"] == f"{checksum(a):016x}",
          f"{where}: checksum {stats['checksum']} != {checksum(a):016x}")
    if valid.size:
        if a.dtype.kind == "f":
            check(stats["min"] == float(valid.min()) and stats["max"] == float(valid.max()),
                  f"{where}: min/max {stats['min']}, {stats['max']}")
            total = float(np.sum(valid, dtype=np.float64))
            check(abs(stats["sum"] - total) <= 1e-9 * max(1.0, abs(total)) + 1e-6 * a.size,
                  f"{where}: sum {stats['sum']} != {total}")
        else:
            check(stats["min"] == int(valid.min()) and stats["max"] == int(valid.max()),
                  f"{where}: min/max {stats['min']}, {stats['max']}")
            exact = (int(a.sum(dtype=np.int64)) if a.dtype.itemsize <= 4
                     else int(a.astype(object).sum()))
            # Exact while it fits in 64 bits; float64 beyond.
            ok = (stats["sum"] == exact if -2**63 <= exact < 2**64
                  else abs(stats["sum"] - exact) <= 1e-15 * abs(exact))
            check(ok, f"{where}: sum {stats['sum']} != {exact}")


# --- Zarr, N5 and TensorStore helpers (the venv's zarr-python 3 and tensorstore) ---------------

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64"]


def random_array(rng, dtype, shape):
    """Random values over most of the type's range; 64-bit integers within 2**50 (scipy passes
    every value through double)."""
    if dtype == "bool":
        return rng.random(shape) < 0.3
    if dtype.startswith("float"):
        return rng.uniform(-1000, 1000, shape).astype(dtype)
    info = np.iinfo(dtype)
    low, high = max(int(info.min), -(2**50)), min(int(info.max), 2**50)
    return rng.integers(low, high, shape, dtype=dtype, endpoint=True)


def scipy_zoom(array, out_shape, order):
    """scipy.ndimage.zoom to `out_shape` as zoomflow computes it: mode nearest, grid centers."""
    import scipy.ndimage as ndi
    zoom = [m / n for m, n in zip(out_shape, array.shape)]
    result = ndi.zoom(array, zoom, order=order, mode="nearest", grid_mode=True)
    check(result.shape == tuple(out_shape), f"scipy gave {result.shape} for {out_shape}")
    return result


def close_to_scipy(got, want, order):
    """Order 0: identical. Order 1: float64 1e-12 relative, float32 1e-6, integers +-1."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    if order == 0:
        return np.array_equal(got, want, equal_nan=got.dtype.kind == "f")
    if got.dtype == np.float64:
        return np.allclose(got, want, rtol=1e-12, atol=1e-9, equal_nan=True)
    if got.dtype == np.float32:
        return np.allclose(got, want, rtol=1e-6, atol=1e-3, equal_nan=True)
    return bool(np.all(np.abs(got.astype(np.float64) - want.astype(np.float64)) <= 1))


def tensorstore_read(path, driver):
    """The whole array through TensorStore's own driver (zarr, zarr3, n5), as numpy."""
    import tensorstore as ts
    spec = {"driver": driver, "kvstore": {"driver": "file", "path": str(path)}}
    return ts.open(spec, read=True).result().read().result()


def zarr_read(path):
    import zarr
    return zarr.open_array(str(path), mode="r")[...]


def one_error_line(err, fragments, where):
    """Standard error is one 'zoomflow: error:' line holding every fragment."""
    lines = err.strip().splitlines()
    check(len(lines) == 1 and lines[0].startswith("zoomflow: error: "),
          f"{where}: expected one error line, got:\n{err}")
    for fragment in fragments:
        check(fragment in lines[0], f"{where}: '{fragment}' missing from: {lines[0]}")
