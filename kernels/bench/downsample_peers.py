"""The downsampling kernel beside its peers on the same data, in one run: zoomflow (one thread,
zoomflow_downsample_bench, with a memcpy of the input as the yardstick), tinybrain
(downsample_segmentation for mode, downsample_with_averaging for mean; single-threaded) and
TensorStore's downsample driver on one thread and on all of them. Prints a table; checks that
zoomflow's result is TensorStore's, bit for bit.

Usage (the venv of ./dev.sh test):
  .venv/bin/python kernels/bench/downsample_peers.py build/kernels/bench/zoomflow_downsample_bench \
      [--quick] [--workdir DIR] [--rounds N] [--only uint64,mode,...]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import tensorstore as ts
import tinybrain

CASES = [  # pattern, dtype, shape, method
    ("labels", "uint32", (1024, 1024, 512), "mode"),
    ("cells3", "uint32", (1024, 1024, 512), "mode"),
    ("random4", "uint32", (1024, 1024, 512), "mode"),
    ("labels", "uint64", (1024, 1024, 512), "mode"),
    ("cells3", "uint64", (1024, 1024, 512), "mode"),
    ("noise", "uint16", (1024, 1024, 1024), "mean"),
]


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench")
    parser.add_argument("--quick", action="store_true", help="volumes 8x smaller")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of every tool in turn; the best of each is kept")
    parser.add_argument("--only", default="",
                        help="cases whose pattern, dtype or method is one of these (comma list)")
    args = parser.parse_args()
    only = set(args.only.split(",")) - {""}
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        for pattern, dtype, shape, method in CASES:
            if only and not only & {pattern, dtype, method}:
                continue
            if args.quick:
                shape = tuple(n // 2 for n in shape)
            src, dst = os.path.join(work, "in.raw"), os.path.join(work, "out.raw")
            command = [args.bench, "--dtype", dtype, "--shape", ",".join(map(str, shape)),
                       "--factors", "2,2,2", "--method", method, "--json"]
            subprocess.run(command + ["--pattern", pattern, "--write", src, "--repeat", "1"],
                           check=True, capture_output=True)
            a = np.fromfile(src, dtype=dtype).reshape(shape)
            one = ts.Context({"data_copy_concurrency": {"limit": 1}})
            # tinybrain indexes x fastest (Fortran order): the transposed view is that, uncopied;
            # the factors are the same on every axis, so it computes the same blocks.
            if method == "mode":
                tinybrain_run = lambda: tinybrain.downsample_segmentation(a.T, (2, 2, 2))
            else:
                tinybrain_run = lambda: tinybrain.downsample_with_averaging(a.T, (2, 2, 2))
            best = {"memcpy": 1e30, "zoomflow": 1e30, "tinybrain": 1e30, "ts1": 1e30,
                    "tsall": 1e30}
            same = True
            # Every tool once per round, in turn, so that other jobs on the machine weigh on all.
            for _ in range(args.rounds):
                zf = json.loads(subprocess.run(command + ["--read", src, "--write-output", dst, "--repeat", "2"],
                                               check=True, capture_output=True,
                                               text=True).stdout)
                best["memcpy"] = min(best["memcpy"], zf["memcpy_s"])
                best["zoomflow"] = min(best["zoomflow"], zf["kernel_s"])
                best["tinybrain"] = min(best["tinybrain"], timed(tinybrain_run)[0])
                seconds, ts_out = timed(lambda: ts.downsample(
                    ts.array(a, context=one), [2, 2, 2], method).read().result())
                best["ts1"] = min(best["ts1"], seconds)
                best["tsall"] = min(best["tsall"], timed(lambda: ts.downsample(
                    ts.array(a), [2, 2, 2], method).read().result())[0])
                same &= np.array_equal(ts_out.ravel().view(np.uint8),
                                       np.fromfile(dst, dtype=dtype).view(np.uint8))
                del ts_out
            os.remove(src)
            os.remove(dst)
            rows.append((pattern, dtype, shape, method, best, same))
            del a

    print(f"best of {args.rounds} rounds (zoomflow and memcpy: best of 2 in each); seconds; "
          f"zoomflow on one thread; factors 2,2,2; {os.cpu_count()} cores")
    print(f"{'volume':<34} {'method':<6} {'memcpy':>7} {'zoomflow':>9} {'tinybrain':>10} "
          f"{'TS 1 thr':>9} {'TS all':>8}  zoomflow == TS")
    for pattern, dtype, shape, method, b, same in rows:
        volume = f"{pattern} {dtype} {shape}"
        print(f"{volume:<34} {method:<6} {b['memcpy']:7.3f} {b['zoomflow']:9.3f} "
              f"{b['tinybrain']:10.3f} {b['ts1']:9.3f} {b['tsall']:8.3f}  "
              f"{'yes' if same else 'NO'}")
    for pattern, dtype, shape, method, b, same in rows:
        zf = b["zoomflow"]
        print(f"{pattern} {dtype} {method}: zoomflow {zf / b['memcpy']:.2f}x memcpy; tinybrain "
              f"{b['tinybrain'] / zf:.1f}x, TensorStore {b['ts1'] / zf:.1f}x (1 thread) and "
              f"{b['tsall'] / zf:.1f}x (all) zoomflow's time")


if __name__ == "__main__":
    main()
