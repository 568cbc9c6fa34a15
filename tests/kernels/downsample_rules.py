"""What the downsampling checks share: random arrays with the awkward values, TensorStore's
downsample driver as the reference, and zoomflow's stated rule where TensorStore's answer is its
sort's accident (float mode and median of blocks holding NaN or both zeros; README.md,
"Downsampling"). Imported by downsample_tensorstore_check.py (the kernel) and by
tests/pipeline/downsample_check.py and pyramid_check.py (the engine, through files)."""
import numpy as np
import tensorstore as ts

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64"]
METHODS = ["stride", "mean", "mode", "median", "min", "max"]


def random_array(rng, dtype, shape, labels):
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


def ambiguous_in_tensorstore(block):
    """TensorStore sorts with std::less: NaN and the order of -0.0 against +0.0 land where its
    sort happens to put them."""
    zeros = block[block == 0]
    return bool(np.isnan(block).any()) or len(set(np.signbit(zeros).tolist())) > 1


def expected(a, factors, method, counts=None):
    """TensorStore's downsample of `a`, with the blocks its sort leaves to chance replaced by the
    stated rule. `counts` (a dict) gets "rule_blocks" and "ts_agrees" added to."""
    want = ts.downsample(ts.array(a), list(factors), method).read().result()
    if method in ("mode", "median") and a.dtype.kind == "f":
        original = want.copy()
        for index, block in blocks(a, factors):
            if ambiguous_in_tensorstore(block):
                want[index] = stated_rule(method, block)
                if counts is not None:
                    counts["rule_blocks"] = counts.get("rule_blocks", 0) + 1
                    counts["ts_agrees"] = counts.get("ts_agrees", 0) + int(
                        same_bits(original[index], want[index]))
    return want


def first_difference(got, want):
    """None when identical bit for bit, NaN for NaN; else a line naming how many voxels differ
    and the first. A NaN's sign is not compared: a float mean over inf, -inf and NaN is a NaN
    whose sign is the order of its additions' accident, and TensorStore's differs between its
    code paths ([inf, -inf, NaN] by 3 gives -NaN, the same block by (2, 3, 1) inside a 3-d array
    +NaN); input NaNs pass through min, max, mode, median and stride with their bits."""
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if same_bits(got, want):
        return None
    g = got.reshape(-1).view(np.uint8).reshape(got.size, -1)
    w = want.reshape(-1).view(np.uint8).reshape(want.size, -1)
    differ = np.flatnonzero((g != w).any(axis=1))
    if got.dtype.kind == "f":
        differ = differ[~(np.isnan(got.reshape(-1)[differ]) & np.isnan(want.reshape(-1)[differ]))]
        if len(differ) == 0:
            return None
    first = np.unravel_index(differ[0], got.shape)
    return (f"{len(differ)} voxels differ, first at {tuple(int(i) for i in first)}: "
            f"{got[first]!r} != {want[first]!r}")
