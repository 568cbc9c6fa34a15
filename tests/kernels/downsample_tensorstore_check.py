"""zoomflow's downsample kernel against TensorStore's downsample driver (tensorstore from PyPI,
pinned in tests/requirements.txt): every dtype and method, ranks 1-4, shapes not divisible by
the factors, factors 1-5, NaN, +-0 and +-inf among the floats, and three-level pyramids
(downsample_levels) whose every level must be TensorStore's direct reduction of level 0;
identical values.

Usage: downsample_tensorstore_check.py PROBE
PROBE is zoomflow_downsample_probe (tests/kernels/downsample_probe.cpp).

Where TensorStore's answer depends on how its sort happens to arrange NaN or -0.0 against +0.0
(float mode and median of a block holding NaN, or both zeros; see README.md, "Downsampling"),
the block is checked against zoomflow's stated rule, written out below with numpy, instead."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import tensorstore as ts

probe = sys.argv[1]
rng = np.random.default_rng(20261201)
DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64"]
METHODS = ["stride", "mean", "mode", "median", "min", "max"]


def random_array(dtype, shape, labels):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("float"):
        if labels:
            a = rng.integers(-1, 3, shape).astype(dtype)
        else:
            a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 6, shape)).astype(dtype)
        specials = np.array([np.nan, 0.0, -0.0, np.inf, -np.inf], dtype)
        where = rng.random(shape) < 0.08
        a[where] = rng.choice(specials, size=int(where.sum()))
        return a
    if labels:  # a small alphabet: ties, runs and whole blocks of one value
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -1), 3, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def run_probe(a, factors, method, edge, workdir):
    src, dst = os.path.join(workdir, "in.raw"), os.path.join(workdir, "out.raw")
    a.tofile(src)
    dtype = "bool" if a.dtype == np.bool_ else str(a.dtype)
    cmd = [probe, dtype, method, ",".join(map(str, a.shape)), ",".join(map(str, factors)), src,
           dst, str(edge)]
    subprocess.run(cmd, check=True)
    out_shape = tuple(-(-n // f) for n, f in zip(a.shape, factors))
    return np.fromfile(dst, dtype=a.dtype).reshape(out_shape)


def blocks(a, factors):
    out_shape = tuple(-(-n // f) for n, f in zip(a.shape, factors))
    for index in np.ndindex(*out_shape):
        yield index, a[tuple(slice(i * f, (i + 1) * f) for i, f in zip(index, factors))].ravel()


def stated_rule(method, block):
    """zoomflow's mode and median: the block in C order, sorted stably with NaN after every
    number; the median is element (n - 1) // 2; the mode is the value of the first longest run,
    represented by the last element of that run."""
    key = [(1 if np.isnan(v) else 0, 0.0 if np.isnan(v) else float(v), i)
           for i, v in enumerate(block)]
    order = [i for _, _, i in sorted(key)]
    s = block[order]
    if method == "median":
        return s[(len(s) - 1) // 2]
    best, best_count, i = 0, 0, 0
    while i < len(s):
        j = i + 1
        while j < len(s) and (s[j] == s[i] or (np.isnan(s[j]) and np.isnan(s[i]))):
            j += 1
        if j - i > best_count:
            best, best_count = j - 1, j - i
        i = j
    return s[best]


def same_bits(x, y):
    return x.tobytes() == y.tobytes()


def cases_for():
    """Random ranks, shapes and factors; then long rows of whole blocks (the vector paths)."""
    for rank in (1, 2, 3, 4):
        longest = {1: 200, 2: 40, 3: 17, 4: 9}[rank]
        for labels in (False, True):
            shape = tuple(int(rng.integers(1, longest + 1)) for _ in range(rank))
            factors = tuple(int(rng.integers(1, 6)) for _ in range(rank))
            yield shape, factors, labels
    for factors in ((2, 2, 2), (3, 3, 3)):
        for labels in (False, True):
            yield (5, 6, 263), factors, labels


def ambiguous_in_tensorstore(block):
    """TensorStore sorts with std::less: NaN and the order of -0.0 against +0.0 land where its
    sort happens to put them."""
    zeros = block[block == 0]
    return bool(np.isnan(block).any()) or len(set(np.signbit(zeros).tolist())) > 1


failures = []
cases = 0
rule_blocks = 0
rule_blocks_ts_agrees = 0


def compare(a, factors, method, got, where):
    """got against TensorStore's downsample of a by factors, bit for bit."""
    global cases, rule_blocks, rule_blocks_ts_agrees
    dtype = "bool" if a.dtype == np.bool_ else str(a.dtype)
    want = ts.downsample(ts.array(a), list(factors), method).read().result()
    cases += 1
    if got.shape != want.shape:
        failures.append(f"{where}: shape {got.shape} != {want.shape}")
        return
    if method in ("mode", "median") and dtype.startswith("float"):
        for index, block in blocks(a, factors):
            if ambiguous_in_tensorstore(block):
                rule_blocks += 1
                rule_blocks_ts_agrees += same_bits(want[index], got[index])
                want[index] = stated_rule(method, block)
    if not same_bits(got, want):
        differ = [i for i in np.ndindex(*got.shape) if not same_bits(got[i], want[i])]
        failures.append(f"{where}: {len(differ)} voxels differ, first at {differ[0]}: "
                        f"{got[differ[0]]!r} != {want[differ[0]]!r}")


PYRAMID_STEPS = ((2, 2, 2), (2, 1, 3), (2, 2, 2))  # level k reduces level k-1 by these

with tempfile.TemporaryDirectory() as workdir:
    for dtype in DTYPES:
        for method in METHODS:
            for shape, factors, labels in cases_for():
                a = random_array(dtype, shape, labels)
                got = run_probe(a, factors, method, int(rng.integers(1, 14)), workdir)
                compare(a, factors, method, got, f"{dtype} {method} shape {shape} factors {factors}")
            # A pyramid: every level equals the direct reduction by the product of the steps.
            a = random_array(dtype, (37, 26, 61), labels=bool(rng.integers(0, 2)))
            src, dst = os.path.join(workdir, "in.raw"), os.path.join(workdir, "level")
            a.tofile(src)
            steps = ";".join(",".join(map(str, f)) for f in PYRAMID_STEPS)
            subprocess.run([probe, dtype, method, ",".join(map(str, a.shape)), steps, src, dst,
                            str(int(rng.integers(1, 6)))], check=True)
            total = (1, 1, 1)
            for k, step in enumerate(PYRAMID_STEPS, start=1):
                total = tuple(t * f for t, f in zip(total, step))
                level_shape = tuple(-(-n // f) for n, f in zip(a.shape, total))
                got = np.fromfile(f"{dst}.{k}", dtype=a.dtype).reshape(level_shape)
                compare(a, total, method, got, f"{dtype} {method} pyramid level {k} (factors {total})")

print(f"{cases} results against TensorStore, bit for bit (pyramid levels against its direct "
      f"reduction by the product of the factors); {rule_blocks} float mode/median blocks "
      f"holding NaN or both zeros checked against the stated rule instead (TensorStore happened "
      f"to agree on {rule_blocks_ts_agrees})")
if failures:
    print("\n".join(failures[:40]))
    sys.exit(1)
print("identical")
