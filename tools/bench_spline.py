"""The spline benchmark: order 3, mode constant, grid corners (scipy.ndimage.zoom(x, 2)), zoomflow
against scipy on the same data in the same run, seconds and peak RSS of each (every row in its
own process, so each peak RSS is its own).

  in memory:   noise float32 256^3 x2: `zoomflow bench kernel` (all threads) vs scipy.ndimage.zoom
  out of core: noise uint16 512^3 x2 into HDF5 zstd:1: `zoomflow resample` vs scipy in memory
               (h5py reads the input, zoom; scipy's output is not written)

Usage: python tools/bench_spline.py [ZOOMFLOW] [--quick] [--skip-scipy-out-of-core]
Run it with the test venv's python (scipy, h5py, hdf5plugin): .venv/bin/python.
--quick: 128^3 and 256^3 instead."""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("zoomflow", nargs="?", default="build/tools/zoomflow")
parser.add_argument("--quick", action="store_true")
parser.add_argument("--skip-scipy-out-of-core", action="store_true")
args = parser.parse_args()
zoomflow = os.path.abspath(args.zoomflow)
plugins = os.path.join(os.path.dirname(os.path.dirname(zoomflow)), "hdf5_plugins")
in_memory = 128 if args.quick else 256
out_of_core = 256 if args.quick else 512

SCIPY = r"""
import resource, sys, time
import h5py, numpy as np, scipy.ndimage as ndi
with h5py.File(sys.argv[1], "r") as f:
    x = f["v"][...]
start = time.perf_counter()
y = ndi.zoom(x, 2)  # order 3, mode 'constant', grid_mode=False
seconds = time.perf_counter() - start
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, y.shape)
"""


def child_peak_rss():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def run_scipy(path):
    env = dict(os.environ, HDF5_PLUGIN_PATH=plugins)
    out = subprocess.run([sys.executable, "-c", SCIPY, path], check=True, capture_output=True,
                         text=True, env=env).stdout.split()
    return float(out[0]), int(out[1])


def run_timed(command):
    """Seconds and peak RSS of a command in a process of its own (via /usr/bin/time)."""
    timed = ["/usr/bin/time", "-f", "%e %M", *command]
    result = subprocess.run(timed, check=True, capture_output=True, text=True)
    seconds, kib = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) * 1024, result.stdout


rows = []
with tempfile.TemporaryDirectory() as folder:
    # In memory: the kernel bench builds the noise pattern itself; scipy reads the same pattern.
    src = os.path.join(folder, "f32.h5")
    shape = ",".join([str(in_memory)] * 3)
    subprocess.run([zoomflow, "generate", f"{src}:/v", "--shape", shape, "--dtype", "float32",
                    "--pattern", "noise", "--compression", "none", "-q"], check=True)
    _, rss, out = run_timed([zoomflow, "bench", "kernel", "--shape", shape, "--zoom", "2",
                             "--dtype", "float32", "--pattern", "noise", "--order", "3",
                             "--mode", "constant", "--grid", "corners", "--repeat", "3",
                             "--json"])
    kernel = {r["threads"]: r["seconds"] for r in json.loads(out)
              if r["method"].startswith("zoomflow")}
    threads = max(kernel)
    rows.append((f"zoomflow zoom, in memory, {threads} threads", f"float32 {in_memory}^3 x2",
                 kernel[threads], rss))
    rows.append(("zoomflow zoom, in memory, 1 thread", f"float32 {in_memory}^3 x2", kernel[1],
                 rss))
    seconds, rss = run_scipy(src)
    rows.append(("scipy.ndimage.zoom (1 thread)", f"float32 {in_memory}^3 x2", seconds, rss))

    # Out of core into HDF5 zstd:1.
    src = os.path.join(folder, "u16.h5")
    shape = ",".join([str(out_of_core)] * 3)
    subprocess.run([zoomflow, "generate", f"{src}:/v", "--shape", shape, "--dtype", "uint16",
                    "--pattern", "noise", "-q"], check=True)
    seconds, rss, _ = run_timed([zoomflow, "resample", f"{src}:/v",
                                 f"{os.path.join(folder, 'out.h5')}:/v", "--zoom", "2",
                                 "--order", "3", "--mode", "constant", "--grid", "corners",
                                 "--compression", "zstd:1", "--memory-limit", "1GiB", "-q"])
    rows.append(("zoomflow resample, out of core, limit 1GiB", f"uint16 {out_of_core}^3 x2",
                 seconds, rss))
    if not args.skip_scipy_out_of_core:
        seconds, rss = run_scipy(src)
        rows.append(("scipy.ndimage.zoom in memory (not written)", f"uint16 {out_of_core}^3 x2",
                     seconds, rss))

print(f"{'order 3, mode constant, grid corners':<46} {'volume':<20} {'seconds':>9} "
      f"{'peak RSS':>9}")
for method, volume, seconds, rss in rows:
    print(f"{method:<46} {volume:<20} {seconds:>9.2f} {rss / 2**30:>8.2f}G")
print(f"{os.cpu_count()} cores; peak RSS of each row's own process")
