#!/usr/bin/env python3
"""Benchmark of the zoomflow package against its Python peers, all in one process, same run.

  python python/bench/bench_zoom.py [--quick] [--only seed,noise,dask]

Rows:
  seed   the seed mask (1024, 1024, 512) bool, [50:600, 200:1000, 5:30] = True, x2 order 0:
         zoomflow.zoom against scipy.ndimage.zoom, scipy's own default call (mode 'constant',
         grid_mode=False), and with grid_mode=True, mode 'nearest'.
  noise  a (256, 256, 256) uint16 volume (zoomflow's 'noise' pattern) x2 order 1, scipy's call;
         and the same volume as float32 x2 order 3, scipy's default call (mode 'constant').
  dask   a (512, 512, 512) uint16 dask array (chunks 128^3) x2 order 1, grid_mode=False, mode
         'nearest': zoomflow.dask.zoom against dask-image's affine_transform with the same
         output (matrix diag((n - 1) / (m - 1)), output chunks 256^3), both stored into a numpy
         array on the threaded scheduler.

Each call writes a fresh output array, as a user's call does. Times are of one call (zoomflow's
best of 3 where it is quick). Peak RSS is the resident memory a fresh process holding only the
input would reach: the process's resident memory, sampled every 2 ms during the call, less what
it held before the call, plus the input's bytes. Results are compared as the tests do. The load
average before and after is printed: the figures are ratios within one run, on a machine that
others share.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import threading
import time

import numpy as np

import zoomflow

PAGE = os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples /proc/self/statm while a call runs (both libraries release the GIL)."""

    def __enter__(self):
        self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def _sample(self):
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def measure(function, input_bytes: int, repeat: int = 1):
    """(best seconds, CPU seconds and peak RSS of that call, result of the last call)."""
    best, cpu, peak, result = float("inf"), 0.0, 0, None
    for _ in range(repeat):
        result = None
        gc.collect()
        with PeakRss() as rss:
            before = rss.peak
            start, start_cpu = time.perf_counter(), time.process_time()
            result = function()
            seconds, used = time.perf_counter() - start, time.process_time() - start_cpu
        if seconds < best:
            best, cpu, peak = seconds, used, rss.peak - before + input_bytes
    return (best, cpu), peak, result


ROWS = []


def row(case: str, method: str, times: tuple[float, float], peak: int, note: str = "") -> None:
    seconds, cpu = times
    ROWS.append((case, method, seconds, cpu, peak, note))
    print(
        f"{case:<46} {method:<30} {seconds:8.3f} s {cpu:7.2f} cpu-s "
        f"{peak / 2**30:5.2f} GiB  {note}",
        flush=True,
    )


def ratio(slow: tuple[float, float], fast: tuple[float, float]) -> str:
    return f"{slow[0] / fast[0]:.0f}x faster (CPU time {slow[1] / max(fast[1], 1e-9):.0f}x less)"


def max_abs_difference(a: np.ndarray, b: np.ndarray) -> int:
    """max |a - b| over integer arrays, a slab at a time (whole int64 copies of a 2 GB output
    would need 16 GB)."""
    worst = 0
    for start in range(0, a.shape[0], 16):
        slab = slice(start, start + 16)
        worst = max(worst, int(np.abs(a[slab].astype(np.int64) - b[slab].astype(np.int64)).max()))
    return worst


def seed_mask(shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    scale = [n / s for n, s in zip(shape, (1024, 1024, 512))]
    z0, z1, y0, y1, x0, x1 = (
        int(v * scale[i // 2]) for i, v in enumerate((50, 600, 200, 1000, 5, 30))
    )
    mask[z0:z1, y0:y1, x0:x1] = True
    return mask


def noise_volume(shape) -> np.ndarray:
    import h5py

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/noise.h5:/v"
        zoomflow.generate(path, shape, dtype="uint16", pattern="noise", compression="none")
        with h5py.File(f"{folder}/noise.h5", "r") as f:
            return f["v"][...]


def compare_in_memory(case: str, x: np.ndarray, zoom: float, order: int, quick: bool, **kwargs):
    import scipy.ndimage as ndi

    t_zf, rss_zf, got = measure(
        lambda: zoomflow.zoom(x, zoom, order=order, **kwargs), x.nbytes, repeat=3
    )
    row(case, f"zoomflow.zoom ({os.cpu_count()} threads)", t_zf, rss_zf)
    t_zf1, rss_zf1, _ = measure(
        lambda: zoomflow.zoom(x, zoom, order=order, threads=1, **kwargs), x.nbytes, repeat=3
    )
    row(case, "zoomflow.zoom (threads=1)", t_zf1, rss_zf1)
    del _
    t_sp, rss_sp, want = measure(lambda: ndi.zoom(x, zoom, order=order, **kwargs), x.nbytes)
    if order == 0:
        same = "identical" if np.array_equal(got, want) else "DIFFERENT"
    elif got.dtype.kind == "f":
        span = float(np.abs(want).max())
        same = f"max |difference| {float(np.abs(got - want).max()) / span:.1e} of the range"
    else:
        same = f"max |difference| {max_abs_difference(got, want)}"
    row(
        case,
        "scipy.ndimage.zoom (1 thread)",
        t_sp,
        rss_sp,
        f"zoomflow {ratio(t_sp, t_zf)}; on 1 thread {t_sp[0] / t_zf1[0]:.0f}x; {same}",
    )
    del got, want


def compare_dask(quick: bool):
    import dask
    import dask.array as da
    from dask_image.ndinterp import affine_transform

    import zoomflow.dask

    n = 128 if quick else 512
    chunk = n // 4
    volume = noise_volume((n, n, n))
    x = da.from_array(volume, chunks=chunk)
    m = 2 * n
    case = f"dask ({n},)*3 uint16 x2 order 1, chunks {chunk}^3"

    def zf():
        out = np.empty((m, m, m), np.uint16)
        da.store(
            zoomflow.dask.zoom(x, 2, order=1, mode="nearest", output_chunks=2 * chunk),
            out,
            lock=False,
        )
        return out

    def di():
        out = np.empty((m, m, m), np.uint16)
        step = (n - 1) / (m - 1)
        da.store(
            affine_transform(
                x,
                np.diag([step] * 3),
                output_shape=(m, m, m),
                order=1,
                mode="nearest",
                output_chunks=(2 * chunk,) * 3,
            ),
            out,
            lock=False,
        )
        return out

    with dask.config.set(scheduler="threads"):
        t_zf, rss_zf, got = measure(zf, volume.nbytes, repeat=2)
        row(case, "zoomflow.dask.zoom", t_zf, rss_zf)
        t_di, rss_di, want = measure(di, volume.nbytes)
    diff = max_abs_difference(got, want)
    row(
        case,
        "dask_image affine_transform",
        t_di,
        rss_di,
        f"zoomflow {ratio(t_di, t_zf)}; max |difference| {diff}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small volumes: a smoke test")
    parser.add_argument("--only", default="seed,noise,dask", help="rows to run")
    args = parser.parse_args()
    only = set(args.only.split(","))
    print(
        f"zoomflow {zoomflow.__version__}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}; case, method, wall seconds, CPU seconds, peak RSS"
    )
    if "seed" in only:
        shape = (256, 256, 128) if args.quick else (1024, 1024, 512)
        mask = seed_mask(shape)
        compare_in_memory(f"seed mask {shape} bool x2 order 0", mask, 2, 0, args.quick)
        compare_in_memory(
            "  same, grid_mode=True, mode 'nearest'",
            mask,
            2,
            0,
            args.quick,
            grid_mode=True,
            mode="nearest",
        )
        del mask
    if "noise" in only:
        n = 64 if args.quick else 256
        volume = noise_volume((n, n, n))
        compare_in_memory(f"noise ({n},)*3 uint16 x2 order 1", volume, 2, 1, args.quick)
        compare_in_memory(
            f"noise ({n},)*3 float32 x2 order 3", volume.astype(np.float32), 2, 3, args.quick
        )
        del volume
    if "dask" in only:
        compare_dask(args.quick)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
