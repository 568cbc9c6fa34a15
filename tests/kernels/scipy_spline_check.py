"""Splines (orders 0-5) and every boundary mode against scipy.ndimage.zoom, through files.

Usage: scipy_spline_check.py ZOOMFLOW PROBE PLUGIN_DIR [--many N] [--seed S]

Without --many (the test suite, seconds): a handful of cases through the in-memory kernel and
random box cuts (the test-only probe, raw files), and out of core through `zoomflow resample`
(HDF5 in and out, small chunks and memory limits, so blocks are cut); byte-identical outputs
for many chunk / thread / memory-limit settings against the kernel's one-box result; a line of
4096 voxels cut into blocks against scipy on the whole line (the prefilter's halo is enough);
scipy's infinities at order 1; `pipeline resample:` against `resample`.

With --many N (a separate check, not in CI): N random cases of every dtype, rank 1-3 with axis
lengths 1, 2, 3 included, zooms up and down per axis, every order, mode and grid, prefilter on
and off, cval, through the probe (in memory, one box or random boxes, chosen at random) and one
in eight through `zoomflow resample`.

Tolerances (the issue's): float64 1e-12 and float32 1e-6 relative to the data's range (or its
largest magnitude, if larger); integers +-1; order 0 identical."""
import argparse
import os
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import scipy
import scipy.ndimage as ndi

parser = argparse.ArgumentParser()
parser.add_argument("zoomflow")
parser.add_argument("probe")
parser.add_argument("plugin_dir")
parser.add_argument("--many", type=int, default=0)
parser.add_argument("--seed", type=int, default=20261201)
args = parser.parse_args()
os.environ["HDF5_PLUGIN_PATH"] = args.plugin_dir
warnings.simplefilter("ignore")  # scipy's advice on grid_mode with constant / wrap

MODES = ["constant", "grid-constant", "nearest", "reflect", "grid-mirror", "mirror", "wrap",
         "grid-wrap"]
DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "float32", "float64"]
rng = np.random.default_rng(args.seed)
folder = tempfile.mkdtemp(prefix="spline-check-")
failures = 0
checked = 0
worst_float64 = 0.0  # the largest float64 difference seen, relative to the data's scale


def random_array(dtype, shape):
    if dtype == "bool":
        return rng.random(shape) < 0.4
    if dtype.startswith("float"):
        return rng.uniform(-1000, 1000, shape).astype(dtype)
    info = np.iinfo(dtype)
    # scipy computes in double: keep 64-bit values where double is exact enough for +-1.
    low, high = max(info.min, -(2**40)), min(info.max, 2**40)
    return rng.integers(low, high, shape, dtype=dtype, endpoint=True)


def close(got, want, x, dtype, order):
    if got.shape != want.shape or got.dtype != want.dtype:
        return f"got {got.dtype}{got.shape}, scipy {want.dtype}{want.shape}"
    if order == 0:
        same = np.array_equal(got, want, equal_nan=True)
        return None if same else f"{np.count_nonzero(got != want)} voxels differ (order 0)"
    g, w = got.astype(np.float64), want.astype(np.float64)
    if dtype in ("float32", "float64"):
        xs = x.astype(np.float64)
        scale = max(float(np.ptp(xs)), float(np.max(np.abs(xs))), 1e-300)
        tolerance = (1e-12 if dtype == "float64" else 1e-6) * scale
    else:
        tolerance = 1.0
    err = float(np.max(np.abs(g - w))) if g.size else 0.0
    if dtype == "float64":
        global worst_float64
        worst_float64 = max(worst_float64, err / scale)
    return None if err <= tolerance else f"max |diff| {err:.3g} > {tolerance:.3g}"


def scipy_zoom(x, out_shape, order, mode, cval, prefilter, grid):
    zoom = [m / n for m, n in zip(out_shape, x.shape)]
    want = ndi.zoom(x, zoom, order=order, mode=mode, cval=cval, prefilter=prefilter,
                    grid_mode=(grid == "centers"))
    return want if want.shape == tuple(out_shape) else None


def probe(x, out_shape, order, mode, cval, prefilter, grid, method, seed=1, out_dtype=None):
    src, dst = os.path.join(folder, "in.raw"), os.path.join(folder, "out.raw")
    x.tofile(src)
    out_dtype = out_dtype or str(x.dtype)
    command = [args.probe, src, dst, f"dtype={x.dtype}", f"out_dtype={out_dtype}",
               "shape=" + ",".join(map(str, x.shape)),
               "out_shape=" + ",".join(map(str, out_shape)), f"order={order}", f"mode={mode}",
               f"cval={cval!r}", f"grid={grid}", f"prefilter={int(prefilter)}",
               f"method={method}", f"seed={seed}"]
    subprocess.run(command, check=True)
    return np.fromfile(dst, dtype=out_dtype).reshape(out_shape)


def resample(x, out_shape, order, mode, cval, prefilter, grid, extra=(), name="cli"):
    src, dst = os.path.join(folder, f"{name}-in.h5"), os.path.join(folder, f"{name}-out.h5")
    with h5py.File(src, "w") as f:
        f.create_dataset("x", data=x, chunks=tuple(min(s, 7) for s in x.shape))
    command = [args.zoomflow, "resample", f"{src}:/x", f"{dst}:/y", "--quiet", "--overwrite",
               "--shape", ",".join(map(str, out_shape)), "--order", str(order), "--mode", mode,
               "--cval", repr(cval), "--grid", grid, *(() if prefilter else ("--no-prefilter",)),
               *extra]
    subprocess.run(command, check=True)
    with h5py.File(dst, "r") as f:
        return f["y"][...]


def check(label, got, want, x, order):
    global failures, checked
    checked += 1
    problem = close(got, want, x, str(x.dtype), order)
    if problem:
        failures += 1
        print(f"FAIL {label}: {problem}")


def run_case(x, out_shape, order, mode, cval, prefilter, grid, method, seed=1):
    want = scipy_zoom(x, out_shape, order, mode, cval, prefilter, grid)
    if want is None:
        return False
    if method == "cli":
        got = resample(x, out_shape, order, mode, cval, prefilter, grid,
                       ("--chunks", ",".join("5" for _ in out_shape), "--memory-limit", "16MiB"))
    else:
        got = probe(x, out_shape, order, mode, cval, prefilter, grid, method, seed)
    label = (f"{x.dtype}{x.shape}->{tuple(out_shape)} order {order} {mode} cval {cval} "
             f"{grid} prefilter={prefilter} via {method}")
    check(label, got, want, x, order)
    return True


def random_shape(rank):
    lengths = [1, 2, 3, 4, 5, 7, 9, 13, 20, 33, 60]
    return tuple(int(rng.choice(lengths)) for _ in range(rank))


def random_out_shape(shape):
    while True:
        zoom = rng.choice([0.3, 0.5, 0.8, 1.0, 1.3, 2.0, 2.7], size=len(shape))
        out = tuple(max(1, int(round(n * z))) for n, z in zip(shape, zoom))
        # Equal shapes are scipy's copy only when every zoom is exactly 1: skip the others.
        if out != shape or all(z == 1.0 for z in zoom):
            return out


def many(count):
    done = 0
    while done < count:
        dtype = str(rng.choice(DTYPES))
        order = 0 if dtype == "bool" else int(rng.integers(0, 6))
        shape = random_shape(int(rng.integers(1, 4)))
        out_shape = random_out_shape(shape)
        mode = str(rng.choice(MODES))
        grid = str(rng.choice(["centers", "corners"]))
        prefilter = bool(rng.random() < 0.8)
        cval = float(rng.choice([0.0, 1.5, -7.0, 300.0]))
        if mode == "grid-constant" and dtype not in ("float32", "float64"):
            cval = float(rng.choice([0.0, 1.5, 100.75]))  # scipy pads in the dtype: it must fit
        method = "cli" if rng.random() < 0.125 else str(rng.choice(["zoom", "onebox", "boxes"]))
        x = random_array(dtype, shape)
        if run_case(x, out_shape, order, mode, cval, prefilter, grid, method, done):
            done += 1


def handful():
    # Every order and mode once, mostly float64 and float32 through the probe.
    for order in range(6):
        for i, mode in enumerate(MODES):
            dtype = ["float64", "float32", "uint16", "int8"][(order + i) % 4]
            x = random_array(dtype, (9, 14))
            grid = "centers" if (order + i) % 2 else "corners"
            run_case(x, (17, 6), order, mode, 2.5, (order + i) % 3 != 0, grid,
                     ["zoom", "boxes", "onebox"][(order * 8 + i) % 3], order * 8 + i)
    # Lengths 1, 2, 3 and an axis longer than the halo; bool (order 0).
    run_case(random_array("float64", (1, 2, 3)), (3, 5, 2), 3, "mirror", 0.0, True, "corners",
             "boxes", 7)
    run_case(random_array("float64", (2, 70)), (3, 150), 5, "reflect", 0.0, True, "centers",
             "boxes", 8)
    run_case(random_array("bool", (6, 11)), (13, 5), 0, "grid-wrap", 0.0, True, "centers",
             "boxes", 9)
    # scipy pads grid-constant's integer input with cval in the input's dtype: 2.7 -> 2.
    run_case(random_array("int16", (8, 30)), (15, 70), 3, "grid-constant", 2.7, True, "centers",
             "boxes", 10)
    # Out of core: the resample command on small chunks and a small memory limit.
    for dtype, order, mode, prefilter in [("float64", 3, "constant", True),
                                          ("float32", 5, "nearest", True),
                                          ("uint16", 2, "grid-constant", True),
                                          ("int16", 4, "mirror", False),
                                          ("float64", 3, "grid-wrap", True)]:
        run_case(random_array(dtype, (11, 16, 9)), (21, 8, 19), order, mode, 3.0, prefilter,
                 "corners", "cli")


def invariance():
    """Identical bytes for many chunk / thread / memory-limit / block settings, against the
    kernel's one-box result; and within tolerance of scipy."""
    global failures, checked
    x = random_array("float32", (23, 40, 57))
    out_shape = (41, 77, 29)
    settings = [("--chunks", "64,64,64", "--threads", "1"),
                ("--chunks", "5,7,9", "--threads", "2", "--memory-limit", "16MiB"),
                ("--chunks", "16,16,16", "--threads", "2", "--blocks", "slabs"),
                ("--chunks", "13,64,3", "--threads", "3", "--memory-limit", "24MiB")]
    for order in (3, 5):
        for mode in ("nearest", "mirror", "constant"):
            one_box = probe(x, out_shape, order, mode, 0.0, True, "corners", "onebox")
            label = f"invariance order {order} {mode}"
            for n, setting in enumerate(settings):
                got = resample(x, out_shape, order, mode, 0.0, True, "corners", setting, f"inv{n}")
                checked += 1
                if got.tobytes() != one_box.tobytes():
                    failures += 1
                    print(f"FAIL {label} {' '.join(setting)}: bytes differ from the one-box "
                          f"result ({np.count_nonzero(got != one_box)} voxels)")
            check(label + " vs scipy", one_box,
                  scipy_zoom(x, out_shape, order, mode, 0.0, True, "corners"), x, order)


def long_line():
    """A prefiltered line of 4096, cut into blocks of 100 outputs: scipy on the whole line."""
    x = np.cumsum(rng.normal(size=4096)).astype(np.float64)  # a wandering signal, range ~100
    for order in (3, 5):
        for mode in ("nearest", "mirror", "reflect", "constant"):
            for out_len in (8192, 3001):
                want = scipy_zoom(x, (out_len,), order, mode, 0.0, True, "corners")
                got = resample(x, (out_len,), order, mode, 0.0, True, "corners",
                               ("--chunks", "100", "--memory-limit", "16MiB"), "line")
                check(f"line 4096 -> {out_len} order {order} {mode} in blocks of 100", got, want,
                      x, order)


def infinities():
    """One +inf voxel in float32, order 1: scipy's infinities and NaNs, exactly where scipy
    puts them."""
    global failures, checked
    x = rng.uniform(-10, 10, (6, 9)).astype(np.float32)
    x[2, 4] = np.inf
    for grid in ("centers", "corners"):
        for mode in ("nearest", "mirror", "constant"):
            want = scipy_zoom(x, (13, 17), 1, mode, 0.0, True, grid)
            got = probe(x, (13, 17), 1, mode, 0.0, True, grid, "boxes", 3)
            checked += 1
            pattern_ok = (np.array_equal(np.isnan(got), np.isnan(want)) and
                          np.array_equal(np.isposinf(got), np.isposinf(want)) and
                          np.array_equal(np.isneginf(got), np.isneginf(want)))
            finite = np.isfinite(want)
            if not pattern_ok or not np.allclose(got[finite], want[finite], rtol=1e-6, atol=1e-4):
                failures += 1
                print(f"FAIL order 1 with +inf, {mode} {grid}: "
                      f"{np.count_nonzero(np.isnan(got) != np.isnan(want))} NaN and "
                      f"{np.count_nonzero(np.isinf(got) != np.isinf(want))} inf placements differ")


def chain_step():
    """`pipeline IN OUT resample:...` writes the bytes of `resample IN OUT ...`."""
    global failures, checked
    x = random_array("uint16", (12, 19, 15))
    src = os.path.join(folder, "chain-in.h5")
    with h5py.File(src, "w") as f:
        f.create_dataset("x", data=x, chunks=(5, 5, 5))
    a, b = os.path.join(folder, "chain-a.h5"), os.path.join(folder, "chain-b.h5")
    subprocess.run([args.zoomflow, "pipeline", f"{src}:/x", f"{a}:/y", "--quiet",
                    "resample:zoom=1.7,order=3,mode=mirror,grid=corners", "--chunks", "6,6,6"],
                   check=True)
    subprocess.run([args.zoomflow, "resample", f"{src}:/x", f"{b}:/y", "--quiet", "--zoom", "1.7",
                    "--order", "3", "--mode", "mirror", "--grid", "corners", "--chunks", "8,8,8"],
                   check=True)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        checked += 1
        if fa["y"][...].tobytes() != fb["y"][...].tobytes():
            failures += 1
            print("FAIL pipeline resample:zoom=1.7,order=3,mode=mirror differs from resample")


if args.many:
    many(args.many)
else:
    handful()
    invariance()
    long_line()
    infinities()
    chain_step()
print(f"scipy {scipy.__version__}: {checked - failures} passed, {failures} failed; "
      f"largest float64 difference {worst_float64:.2g} of the data's range")
sys.exit(1 if failures else 0)
