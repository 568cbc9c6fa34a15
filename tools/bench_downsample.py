#!/usr/bin/env python3
"""Downsampling out of core, where reading, decoding, encoding and writing are the work: the noise
uint16 volume as a Zarr v3 array (zstd:1, 64^3 chunks), every tool in its own process, in
turn in every round (so that other jobs on the machine weigh on all), with wall seconds, CPU
seconds and peak RSS; the best round of each is kept.

  mode:    the labels uint32 volume (1024, 1024, 512 by default) by 2,2,2 into Zarr v3:
           `zoomflow resample --method mode --factors 2` against TensorStore's 'mode'.
  half:    x0.5 into Zarr v3 zstd:1: `zoomflow resample --method mean --factors 2` and
           `--zoom 0.5 --order 1` against TensorStore's downsample driver ('mean').
  pyramid: the same LEVELS levels (level 0 a copy, level k the mean over 2^k blocks) into Zarr
           v3: `zoomflow pyramid --method mean` (one read of the input) against TensorStore
           writing them level by level (each level the downsample driver's reduction of level
           0) and against LEVELS separate `zoomflow resample --method mean --factors 2^k` runs.
           Levels 1.. of zoomflow's pyramid are checked against TensorStore's, value for value.

Usage: .venv/bin/python tools/bench_downsample.py [--build build] [--shape 1024,1024,1024]
       [--labels-shape 1024,1024,512] [--rounds 2] [--levels 5] [--only mode,half,pyramid]
       [--workdir DIR]"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TENSORSTORE_LEVELS = r"""
import sys, tensorstore as ts
src_path, dst_path, levels = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3].split(",")]
method = sys.argv[4] if len(sys.argv) > 4 else "mean"
context = ts.Context({"file_io_sync": False})  # zoomflow does not fsync either
src = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": src_path}},
              context=context).result()
for k in levels:
    level = ts.downsample(src, [2**k] * 3, method=method) if k else src
    meta = {"shape": list(level.shape), "data_type": str(src.dtype.numpy_dtype),
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [64, 64, 64]}},
            "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                       {"name": "zstd", "configuration": {"level": 1, "checksum": True}}]}
    path = f"{dst_path}/{k}" if len(levels) > 1 else dst_path
    dst = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": path},
                   "metadata": meta}, create=True, context=context).result()
    dst.write(level).result()
"""

# Runs a command list by list, in a bare interpreter that waits for each: a child's ru_maxrss
# counts the memory of the process it was exec'ed from, so this keeps ours out of the figure.
MEASURE = r"""
import json, os, sys, time
wall = cpu = rss = 0.0
for command in json.loads(sys.argv[1]):
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execv(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"failed: {' '.join(command)}")
    wall += time.monotonic() - start
    cpu += usage.ru_utime + usage.ru_stime
    rss = max(rss, usage.ru_maxrss * 1024 / 2**30)
print(wall, cpu, rss)
"""


def measure(commands):
    """Wall seconds, CPU seconds (user + system), both summed, and the largest peak RSS (GiB)
    of commands run one after the other."""
    import json
    result = subprocess.run([sys.executable, "-S", "-c", MEASURE, json.dumps(commands)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr)
    return tuple(float(v) for v in result.stdout.split())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--shape", default="1024,1024,1024")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--levels", type=int, default=5)
    parser.add_argument("--labels-shape", default="1024,1024,512")
    parser.add_argument("--only", default="mode,half,pyramid")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    z = os.path.abspath(os.path.join(args.build, "tools", "zoomflow"))
    only = args.only.split(",")
    work = args.workdir or tempfile.mkdtemp(prefix="zoomflow-bench-downsample-")
    os.makedirs(work, exist_ok=True)
    python = sys.executable
    try:
        src = os.path.join(work, "noise.zarr")
        subprocess.run([z, "generate", src, "--shape", args.shape, "--dtype", "uint16",
                        "--pattern", "noise", "--chunks", "64,64,64", "--overwrite", "-q"],
                       check=True)
        out = os.path.join(work, "out.zarr")
        labels = os.path.join(work, "labels.zarr")
        if "mode" in only:
            subprocess.run([z, "generate", labels, "--shape", args.labels_shape, "--dtype",
                            "uint32", "--pattern", "labels", "--chunks", "64,64,64",
                            "--overwrite", "-q"], check=True)
        levels = list(range(args.levels))
        tools = {}
        if "mode" in only:
            tools["mode: zoomflow resample --method mode --factors 2"] = lambda: [
                [z, "resample", labels, out, "--method", "mode", "--factors", "2", "-q"]]
            tools["mode: TensorStore downsample 'mode'"] = lambda: [
                [python, "-c", TENSORSTORE_LEVELS, labels, out, "1", "mode"]]
        if "half" in only:
            tools["half: zoomflow resample --method mean --factors 2"] = lambda: [
                [z, "resample", src, out, "--method", "mean", "--factors", "2", "-q"]]
            tools["half: zoomflow resample --zoom 0.5 --order 1"] = lambda: [
                [z, "resample", src, out, "--zoom", "0.5", "--order", "1", "-q"]]
            tools["half: TensorStore downsample 'mean'"] = lambda: [
                [python, "-c", TENSORSTORE_LEVELS, src, out, "1"]]
        if "pyramid" in only:
            tools[f"pyramid: zoomflow pyramid --levels {args.levels}"] = lambda: [
                [z, "pyramid", src, out, "--method", "mean", "--levels", str(args.levels), "-q"]]
            tools[f"pyramid: TensorStore, {args.levels} levels from level 0"] = lambda: [
                [python, "-c", TENSORSTORE_LEVELS, src, out, ",".join(map(str, levels))]]
            tools[f"pyramid: {args.levels} zoomflow resample runs"] = lambda: [
                [z, "resample", src, f"{out}/{k}.zarr", "--method", "mean", "--factors",
                 str(2**k), "-q"] for k in levels]
        runs = {label: [] for label in tools}
        for _ in range(args.rounds):
            for label, commands in tools.items():
                shutil.rmtree(out, ignore_errors=True)
                if label.startswith("pyramid") and "resample runs" in label:
                    os.makedirs(out)
                runs[label].append(measure(commands()))
                if label.startswith("pyramid: zoomflow pyramid"):
                    check_levels(src, out, levels)
                if label.startswith("mode: zoomflow"):
                    check_levels(labels, out, [0, 1], "mode", single=True)
                shutil.rmtree(out, ignore_errors=True)
        load = os.getloadavg()[0]
        print(f"noise uint16 {args.shape} (labels uint32 {args.labels_shape}) as Zarr v3 "
              f"(zstd:1, 64^3 chunks), {os.cpu_count()} cores, load {load:.1f}, best of "
              f"{args.rounds} rounds")
        print(f"{'run':<52} {'seconds':>8} {'CPU s':>8} {'peak RSS':>9}")
        best = {label: min(results) for label, results in runs.items()}
        for label, (seconds, cpu, rss) in best.items():
            print(f"{label:<52} {seconds:8.2f} {cpu:8.2f} {rss:8.2f}G")
        labels = list(best)
        for group in ("mode", "half", "pyramid"):
            mine = [label for label in labels if label.startswith(group)]
            if not mine:
                continue
            base = best[mine[0]]
            for label in mine[1:]:
                print(f"{label} / {mine[0].split(': ')[1]}: wall "
                      f"{best[label][0] / base[0]:.2f}x, CPU {best[label][1] / base[1]:.2f}x")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def check_levels(src, out, levels, method="mean", single=False):
    """zoomflow's levels 1.. against TensorStore's downsample of level 0."""
    import numpy as np
    import tensorstore as ts
    level0 = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": src}}).result()
    for k in levels[1:]:
        path = out if single else f"{out}/{k}"
        got = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": path}}).result()
        want = ts.downsample(level0, [2**k] * 3, method=method)
        if not np.array_equal(got.read().result(), want.read().result()):
            sys.exit(f"{path} is not TensorStore's {method} over {2**k}^3 blocks")


if __name__ == "__main__":
    main()
