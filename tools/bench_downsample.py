#!/usr/bin/env python3
"""Downsampling, where reading and decoding the input is the work: the noise uint16 volume as a
Zarr v3 array (zstd:1, 64^3 chunks), zoomed x0.5 by `zoomflow resample` (order 1, into Zarr v3
zstd:1) against TensorStore's downsample driver ('mean', factors 2,2,2, written to the same
format), alternating, each in its own process, with wall seconds, CPU seconds and peak RSS.

Usage: .venv/bin/python tools/bench_downsample.py [--build build] [--shape 1024,1024,1024]
       [--rounds 3] [--workdir DIR]"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TENSORSTORE_DOWNSAMPLE = r"""
import resource, sys, time, tensorstore as ts
src_path, dst_path = sys.argv[1], sys.argv[2]
context = ts.Context({"file_io_sync": False})  # zoomflow does not fsync either
src = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": src_path}},
              context=context).result()
half = ts.downsample(src, [2, 2, 2], method="mean")
meta = {"shape": list(half.shape), "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64, 64, 64]}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 1, "checksum": True}}]}
dst = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": dst_path},
               "metadata": meta}, create=True, context=context).result()
dst.write(half).result()
"""


def run(command):
    """Wall seconds, CPU seconds (user + system) and peak RSS (GiB) of one child process."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{err.decode()}")
    return (time.monotonic() - start, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss * 1024 / 2**30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--shape", default="1024,1024,1024")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    z = os.path.join(args.build, "tools", "zoomflow")
    work = args.workdir or tempfile.mkdtemp(prefix="zoomflow-bench-downsample-")
    try:
        src = os.path.join(work, "noise.zarr")
        subprocess.run([z, "generate", src, "--shape", args.shape, "--dtype", "uint16",
                        "--pattern", "noise", "--chunks", "64,64,64", "--overwrite", "-q"],
                       check=True)
        runs = {"zoomflow resample --zoom 0.5 --order 1": [], "TensorStore downsample 'mean'": []}
        for r in range(args.rounds):
            for label in runs:
                out = os.path.join(work, f"out{r}.zarr")
                shutil.rmtree(out, ignore_errors=True)
                if label.startswith("zoomflow"):
                    command = [z, "resample", src, out, "--zoom", "0.5", "--order", "1", "-q"]
                else:
                    command = [sys.executable, "-c", TENSORSTORE_DOWNSAMPLE, src, out]
                runs[label].append(run(command))
                shutil.rmtree(out, ignore_errors=True)
        print(f"noise uint16 {args.shape} as Zarr v3 (zstd:1, 64^3 chunks) -> x0.5, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, best of {args.rounds}")
        print(f"{'method':<44} {'seconds':>8} {'CPU s':>8} {'peak RSS':>9}")
        best = {}
        for label, results in runs.items():
            best[label] = min(results)
            seconds, cpu, rss = best[label]
            print(f"{label:<44} {seconds:8.2f} {cpu:8.2f} {rss:8.2f}G")
        (zs, zc, _), (ts_s, ts_c, _) = best.values()
        print(f"TensorStore / zoomflow: wall {ts_s / zs:.2f}x, CPU {ts_c / zc:.2f}x")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
