"""Shared helpers of the storage interop tests: arguments, running zoomflow, and numpy
references (independent of zoomflow's code) for its stats and checksum."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

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
