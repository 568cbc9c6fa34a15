"""Reductions through the whole tool against TensorStore's downsample driver (tensorstore from
PyPI, pinned in tests/requirements.txt): random arrays of every dtype, ranks 1 to 4, shapes not
divisible by the factors, factors 1 to 5 per axis, NaN, +-0 and +-inf among the floats, written
by h5py, reduced by `zoomflow resample --method M --factors F` and by
`zoomflow pipeline ... downsample:factors=F,method=M` (and `--zoom 1/N`) in random chunks,
threads and memory limits, read back by h5py and zarr-python: identical values, and the two
commands identical bytes. Float mode/median blocks that TensorStore's sort leaves to chance are
checked against the stated rule (tests/kernels/downsample_rules.py).

Then `--antialias` against scikit-image: skimage.transform.rescale(x, scale, order, mode='edge',
anti_aliasing=True, preserve_range=True) within floating-point rounding; and the refusals.

Usage: downsample_check.py ZOOMFLOW"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernels"))
try:
    import zarr
    from downsample_rules import (DTYPES, METHODS, expected, first_difference, random_array)
    from skimage.transform import rescale
except ImportError as missing:  # the venv of tests/requirements.txt has them
    print(f"skipped: {missing}")
    sys.exit(77)

zoomflow = sys.argv[1]
rng = np.random.default_rng(20261211)
failures = []
counts = {}


def run(*args, expect=0):
    result = subprocess.run([zoomflow, *map(str, args)], capture_output=True, text=True)
    if result.returncode != expect:
        failures.append(f"zoomflow {' '.join(map(str, args))}: exit {result.returncode}: "
                        f"{result.stderr.strip()}")
    return result


def read(path):
    if path.endswith(".zarr"):
        return zarr.open_array(path, mode="r")[...]
    with h5py.File(path.split(":")[0], "r") as f:
        return f["a"][...]


def output_options():
    """Random chunks, threads and memory limit: the bytes must not depend on them."""
    return ["--chunks", ",".join(str(int(rng.integers(1, 9))) for _ in range(rank)), "--threads",
            str(int(rng.integers(1, 4))), "--memory-limit", f"{int(rng.integers(4, 64))}MiB",
            "--overwrite", "-q"]


with tempfile.TemporaryDirectory(prefix="zoomflow-downsample-") as d:
    cases = 0
    for dtype in DTYPES:
        for method in METHODS:
            rank = int(rng.integers(1, 5))
            longest = {1: 300, 2: 40, 3: 19, 4: 9}[rank]
            shape = tuple(int(rng.integers(1, longest + 1)) for _ in range(rank))
            factors = tuple(int(rng.integers(1, 6)) for _ in range(rank))
            a = random_array(rng, dtype, shape, labels=bool(rng.integers(0, 2)))
            with h5py.File(f"{d}/in.h5", "w") as f:
                f.create_dataset("a", data=a, chunks=tuple(max(1, n // 2) for n in shape))
            want = expected(a, factors, method, counts)
            where = f"{dtype} {method} shape {shape} factors {factors}"
            text = ",".join(map(str, factors))
            # Zarr v3 or HDF5 (uncompressed: h5py reads it without the plugin) outputs.
            out1 = f"{d}/r.zarr" if rng.integers(0, 2) else f"{d}/r.h5:/a"
            out2 = f"{d}/p.h5:/a"
            run("resample", f"{d}/in.h5:/a", out1, "--method", method, "--factors", text,
                "--compression", "none", *output_options())
            run("pipeline", f"{d}/in.h5:/a", out2, f"downsample:factors={text},method={method}",
                "--compression", "none", *output_options())
            if failures:
                break
            got1, got2 = read(out1), read(out2)
            for got, how in ((got1, "resample --method"), (got2, "pipeline downsample:")):
                problem = first_difference(got, want)
                if problem:
                    failures.append(f"{where} via {how}: {problem}")
            if got1.tobytes() != got2.tobytes():
                failures.append(f"{where}: resample --method and pipeline downsample: differ")
            # --zoom 1/N names the same reduction.
            zoom = ",".join(repr(1.0 / f) for f in factors)
            run("resample", f"{d}/in.h5:/a", f"{d}/z.h5:/a", "--method", method, "--zoom", zoom,
                "--compression", "none", "--overwrite", "-q")
            if first_difference(read(f"{d}/z.h5:/a"), want):
                failures.append(f"{where} via --zoom {zoom}: differs")
            cases += 1
    print(f"{cases} reductions, each through resample --method, pipeline downsample: and --zoom "
          f"1/N, against TensorStore; {counts.get('rule_blocks', 0)} float mode/median blocks "
          f"checked against the stated rule (TensorStore agreed on {counts.get('ts_agrees', 0)})")

    # --antialias: skimage's rescale with anti_aliasing, mode 'edge' (ndimage 'nearest').
    worst = {}
    for dtype, order, scale in (("float64", 1, (0.5, 0.37, 1.0)), ("float64", 3, (0.25, 0.5, 0.8)),
                                ("float32", 1, (0.3, 0.3, 0.3)), ("uint16", 1, (0.5, 0.5, 0.5))):
        shape = (31, 40, 27)
        x = rng.standard_normal(shape) * 100
        if dtype == "uint16":
            x = rng.integers(0, 60000, shape)
        x = x.astype(dtype)
        with h5py.File(f"{d}/aa.h5", "w") as f:
            f.create_dataset("a", data=x, chunks=(8, 8, 8))
        run("resample", f"{d}/aa.h5:/a", f"{d}/aa_out.h5:/a", "--zoom", ",".join(map(str, scale)),
            "--order", order, "--antialias", "--compression", "none", *output_options()[2:])
        got = read(f"{d}/aa_out.h5:/a")
        want = rescale(x.astype("float64"), scale, order=order, mode="edge", anti_aliasing=True,
                       preserve_range=True, clip=False)
        if got.shape != want.shape:
            failures.append(f"--antialias {dtype} order {order}: shape {got.shape} != {want.shape}")
            continue
        span = float(np.ptp(x))
        if dtype == "uint16":
            rounded = np.clip(np.sign(want) * np.floor(np.abs(want) + 0.5), 0, 65535)
            error = float(np.max(np.abs(got.astype("float64") - rounded)))
            ok = error <= 1
        else:
            error = float(np.max(np.abs(got.astype("float64") - want))) / span
            ok = error <= (1e-12 if dtype == "float64" else 1e-6)
        worst[f"{dtype} order {order} zoom {scale}"] = error
        if not ok:
            failures.append(f"--antialias {dtype} order {order} zoom {scale}: off skimage by {error}")
    print("--antialias against skimage.transform.rescale(anti_aliasing=True, mode='edge'): "
          + "; ".join(f"{k}: {v:.2g}" for k, v in worst.items()))

    # Refusals: one line, exit 2, no output.
    for args, fragment in (
            (("--method", "mean", "--zoom", "0.4"), "is not an integer"),
            (("--method", "mean", "--zoom", "2"), "only shrinks"),
            (("--method", "mode", "--shape", "4,4,4"), "not to a shape"),
            (("--method", "mode", "--factors", "2", "--order", "1"), "--order is for"),
            (("--method", "mode", "--factors", "2", "--antialias"), "--antialias"),
            (("--zoom", "0.5", "--factors", "2"), "--factors goes with"),
            (("--zoom", "0.5", "--antialias"), "order 1 to 5"),
            (("--zoom", "2", "--order", "1", "--antialias"), "no axis shrinks"),
            (("--zoom", "0.5", "--order", "1", "--mode", "mirror", "--antialias"), "mode nearest"),
            (("--method", "mean", "--factors", "2.5"), "--factors")):
        result = run("resample", f"{d}/aa.h5:/a", f"{d}/refused.h5:/a", *args, expect=2)
        lines = result.stderr.strip().splitlines()
        if len(lines) != 1 or fragment not in lines[0]:
            failures.append(f"resample {' '.join(args)}: {result.stderr.strip()!r} lacks {fragment!r}")
        if os.path.exists(f"{d}/refused.h5"):
            failures.append(f"resample {' '.join(args)} left an output")

if failures:
    print("\n".join(failures[:40]))
    sys.exit(1)
print("identical")
