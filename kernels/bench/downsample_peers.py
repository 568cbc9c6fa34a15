"""The downsampling kernel beside its peers on the same data, in one run: zoomflow (one thread,
zoomflow_downsample_bench, with a memcpy of the input as the yardstick), tinybrain
(downsample_segmentation for mode, downsample_with_averaging for mean; single-threaded) and
TensorStore's downsample driver on one thread and on all of them. Prints a table; checks that
zoomflow's result is TensorStore's, bit for bit.

Usage (the venv of ./dev.sh test):
  .venv/bin/python kernels/bench/downsample_peers.py build/kernels/bench/zoomflow_downsample_bench \
      [--quick] [--workdir DIR]
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
    ("noise", "uint16", (1024, 1024, 1024), "mean"),
]


def best_of(repeat, fn):
    best, result = 1e30, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bench")
    parser.add_argument("--quick", action="store_true", help="volumes 8x smaller")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as work:
        for pattern, dtype, shape, method in CASES:
            if args.quick:
                shape = tuple(n // 2 for n in shape)
            src, dst = os.path.join(work, "in.raw"), os.path.join(work, "out.raw")
            out = subprocess.run(
                [args.bench, "--pattern", pattern, "--dtype", dtype, "--shape",
                 ",".join(map(str, shape)), "--factors", "2,2,2", "--method", method,
                 "--repeat", str(args.repeat), "--write", src, "--write-output", dst, "--json"],
                check=True, capture_output=True, text=True).stdout
            zf = json.loads(out)
            a = np.fromfile(src, dtype=dtype).reshape(shape)
            os.remove(src)
            zoomflow_out = np.fromfile(dst, dtype=dtype)
            os.remove(dst)

            # tinybrain indexes x fastest (Fortran order): the transposed view is that, uncopied;
            # the factors are the same on every axis, so it computes the same blocks.
            if method == "mode":
                tb_s, _ = best_of(args.repeat,
                                  lambda: tinybrain.downsample_segmentation(a.T, (2, 2, 2)))
            else:
                tb_s, _ = best_of(args.repeat,
                                  lambda: tinybrain.downsample_with_averaging(a.T, (2, 2, 2)))
            one = ts.Context({"data_copy_concurrency": {"limit": 1}})
            ts_1_s, ts_out = best_of(args.repeat, lambda: ts.downsample(
                ts.array(a, context=one), [2, 2, 2], method).read().result())
            ts_all_s, _ = best_of(args.repeat, lambda: ts.downsample(
                ts.array(a), [2, 2, 2], method).read().result())
            same = np.array_equal(ts_out.ravel().view(np.uint8), zoomflow_out.view(np.uint8))
            rows.append((pattern, dtype, shape, method, zf["memcpy_s"], zf["kernel_s"], tb_s,
                         ts_1_s, ts_all_s, same))
            del a, ts_out, zoomflow_out

    print(f"best of {args.repeat}; seconds; zoomflow on one thread; factors 2,2,2; "
          f"{os.cpu_count()} cores")
    print(f"{'volume':<34} {'method':<6} {'memcpy':>7} {'zoomflow':>9} {'tinybrain':>10} "
          f"{'TS 1 thr':>9} {'TS all':>8}  zoomflow == TS")
    for pattern, dtype, shape, method, mc, zf, tb, t1, ta, same in rows:
        volume = f"{pattern} {dtype} {shape}"
        print(f"{volume:<34} {method:<6} {mc:7.3f} {zf:9.3f} {tb:10.3f} {t1:9.3f} {ta:8.3f}  "
              f"{'yes' if same else 'NO'}")
    for pattern, dtype, shape, method, mc, zf, tb, t1, ta, same in rows:
        print(f"{pattern} {method}: zoomflow {zf / mc:.2f}x memcpy; tinybrain {tb / zf:.1f}x, "
              f"TensorStore {t1 / zf:.1f}x (1 thread) and {ta / zf:.1f}x (all) zoomflow's time")


if __name__ == "__main__":
    main()
