"""zoomflow.zoom against scipy.ndimage.zoom: random shapes, dtypes, zooms, orders 0-5, every mode,
both grid modes, cval, prefilter, strided inputs and output=; order 0 identical, orders 1-5 within
rounding."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
from conftest import DTYPES, REPO, random_array

import zoomflow

SCIPY_MODES = [
    "reflect",
    "grid-mirror",
    "constant",
    "grid-constant",
    "nearest",
    "mirror",
    "grid-wrap",
    "wrap",
]


def scipy_zoom(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid_mode=True with mode 'constant' warns
        return ndi.zoom(*args, **kwargs)


def assert_close(got: np.ndarray, want: np.ndarray, order: int, what: str = "") -> None:
    """Order 0: identical. Orders 1-5: floats within rounding relative to the data's range
    (float64 1e-12, float32 1e-6), integers within 1 (scipy and zoomflow round half away from
    zero from nearly equal doubles), or 1e-12 of the range where that is more (64-bit values near
    2^52 carry several units of double rounding, as float64 does)."""
    assert got.shape == want.shape and got.dtype == want.dtype, what
    if order == 0 or want.dtype == np.bool_:
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    if want.dtype.kind == "f":
        span = float(np.max(np.abs(want))) if want.size else 1.0
        rtol = 1e-12 if want.dtype == np.float64 else 1e-6
        np.testing.assert_allclose(got, want, rtol=0, atol=rtol * max(span, 1.0), err_msg=what)
    else:
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        span = float(np.max(np.abs(want.astype(np.float64)))) if want.size else 0.0
        assert diff.max(initial=0) <= max(1.0, span * 1e-12), (what, diff.max())


def random_case(rng: np.random.Generator):
    rank = int(rng.integers(1, 5))
    shape = tuple(int(n) for n in rng.integers(1, 12 if rank > 2 else 40, rank))
    factors = tuple(
        float(z) for z in rng.choice([0.3, 0.5, 0.77, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0], rank)
    )
    return shape, factors


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("order", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("grid_mode", [False, True])
def test_random_cases_match_scipy_mode_nearest(rng, dtype, order, grid_mode):
    if dtype == np.bool_ and order > 0:
        pytest.skip("bool interpolated: test_bool_interpolated_is_scipy_truncation")
    for _ in range(6):
        shape, factors = random_case(rng)
        x = random_array(rng, shape, dtype)
        got = zoomflow.zoom(x, factors, order=order, mode="nearest", grid_mode=grid_mode)
        want = scipy_zoom(x, factors, order=order, mode="nearest", grid_mode=grid_mode)
        assert_close(got, want, order, f"{shape} x {factors}")


@pytest.mark.parametrize("order", [1, 3])
def test_bool_interpolated_is_scipy_truncation(rng, order):
    # scipy interpolates bool in double and stores the truncated value: True only where the value
    # reaches 1 (up to the rounding of weights that sum to 1) or -1.
    x = random_array(rng, (9, 13), np.bool_)
    got = zoomflow.zoom(x, (2.5, 1.7), order=order, mode="nearest")
    want = scipy_zoom(x, (2.5, 1.7), order=order, mode="nearest")
    values = scipy_zoom(x.astype(np.float64), (2.5, 1.7), order=order, mode="nearest")
    differ = got != want
    assert np.all(np.abs(np.abs(values[differ]) - 1.0) < 1e-12)
    assert differ.mean() < 0.01


@pytest.mark.filterwarnings("ignore:with grid_mode=True")
@pytest.mark.parametrize("mode", SCIPY_MODES)
@pytest.mark.parametrize("order", [0, 1, 2, 3, 4, 5])
def test_every_mode_and_order_matches_scipy(rng, mode, order):
    for _ in range(5):
        shape, factors = random_case(rng)
        x = random_array(rng, shape, np.float64)
        for grid_mode in (False, True):
            for prefilter in (True, False) if order > 1 else (True,):
                got = zoomflow.zoom(
                    x,
                    factors,
                    order=order,
                    mode=mode,
                    cval=7.5,
                    prefilter=prefilter,
                    grid_mode=grid_mode,
                )
                want = scipy_zoom(
                    x,
                    factors,
                    order=order,
                    mode=mode,
                    cval=7.5,
                    prefilter=prefilter,
                    grid_mode=grid_mode,
                )
                assert_close(got, want, order, f"{shape} x {factors}, grid_mode={grid_mode}")


def test_scipy_default_call_upsampling_a_mask(rng):
    # scipy.ndimage.zoom(mask, 2, order=0): mode 'constant', grid_mode=False.
    mask = rng.random((20, 30, 10)) > 0.7
    np.testing.assert_array_equal(zoomflow.zoom(mask, 2, order=0), ndi.zoom(mask, 2, order=0))


def test_last_sample_a_rounding_beyond_the_edge(rng):
    # 256 -> 768 on scipy's grid: (m - 1) * ((n - 1) / (m - 1)) rounds above n - 1, so scipy's
    # mode 'constant' gives cval there, and so does zoomflow.
    x = np.arange(1, 257, dtype=np.float64)
    for order in (0, 1, 3):
        want = ndi.zoom(x, 3, order=order, cval=-7)
        assert want[-1] == -7
        assert_close(zoomflow.zoom(x, 3, order=order, cval=-7), want, order)


def test_scipy_default_call_is_order_3_mode_constant(rng):
    x = random_array(rng, (12, 17, 9), np.float32)
    assert_close(zoomflow.zoom(x, 2.2), ndi.zoom(x, 2.2), 3)
    u = random_array(rng, (12, 17, 9), np.uint16)
    assert_close(zoomflow.zoom(u, (0.5, 1.3, 2)), ndi.zoom(u, (0.5, 1.3, 2)), 3)


def test_bad_arguments_raise_value_and_type_errors():
    x = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="spline order 6"):
        zoomflow.zoom(x, 2, order=6)
    with pytest.raises(ValueError, match="boundary mode 'edge'"):
        zoomflow.zoom(x, 2, order=0, mode="edge")
    with pytest.raises(ValueError, match="zoom has 3 factors but the input has rank 2"):
        zoomflow.zoom(x, (1, 2, 3), order=0)
    with pytest.raises(ValueError, match="non-negative finite"):
        zoomflow.zoom(x, -2, order=0)
    with pytest.raises(ValueError, match="non-negative finite"):
        zoomflow.zoom(x, float("nan"), order=0)
    with pytest.raises(ValueError, match="rank 1 or more"):
        zoomflow.zoom(np.array(3.0), 2, order=0)
    with pytest.raises(ValueError, match="output has shape"):
        zoomflow.zoom(x, 2, output=np.empty((8, 7), np.uint8), order=0)
    with pytest.raises(ValueError, match="threads must be positive"):
        zoomflow.zoom(x, 2, order=0, threads=0)
    with pytest.raises(ValueError, match="rank 9"):
        zoomflow.zoom(np.zeros((1,) * 9, np.uint8), 2, order=0)
    with pytest.raises(TypeError, match="float16"):
        zoomflow.zoom(x.astype(np.float16), 2, order=0)
    with pytest.raises(TypeError, match="order must be an integer"):
        zoomflow.zoom(x, 2, order=1.5)


def strided_views(x: np.ndarray):
    yield "reversed", x[::-1]
    yield "every other", x[::2]
    yield "fortran", np.asfortranarray(x)
    yield "transposed", x.T
    if x.ndim >= 2:
        yield "negative and sliced", x[1::2, ::-3]
        yield "swapped", np.swapaxes(x, 0, -1)[::-1]
    yield "byteswapped", x.astype(x.dtype.newbyteorder("S"))
    # Unaligned: the values one byte into a buffer.
    raw = np.zeros(x.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(x.dtype).reshape(x.shape)
    unaligned[...] = x
    yield "unaligned", unaligned


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int16, np.uint64, np.float32, np.float64], ids=lambda d: np.dtype(d).name
)
@pytest.mark.parametrize("order", [0, 1, 3])
def test_strided_inputs(rng, dtype, order):
    x = random_array(rng, (11, 8, 6), dtype)
    if dtype == np.bool_ and order > 0:
        pytest.skip("bool interpolated: test_bool_interpolated_is_scipy_truncation")
    for name, view in strided_views(x):
        for grid_mode in (False, True):
            got = zoomflow.zoom(
                view, (1.6, 2, 0.7), order=order, mode="nearest", grid_mode=grid_mode
            )
            want = scipy_zoom(
                np.ascontiguousarray(view),
                (1.6, 2, 0.7),
                order=order,
                mode="nearest",
                grid_mode=grid_mode,
            )
            assert_close(
                got,
                want.astype(want.dtype.newbyteorder("=")),
                order,
                f"{name}, grid_mode={grid_mode}",
            )


@pytest.mark.parametrize("order", [0, 1, 3])
def test_output_arrays_and_dtypes(rng, order):
    # Values within +-255: scipy stores a double into bool with a C conversion that is undefined
    # beyond that (on x86 it keeps the low byte: 256.0 becomes False).
    x = random_array(rng, (7, 9), np.float64) / 50
    shape = (14, 18)
    targets = [np.float32, "float64", np.dtype("int16"), np.uint8, np.int64, np.uint32, bool]
    for target in targets:
        got = zoomflow.zoom(x, 2, output=target, order=order, mode="nearest")
        want = scipy_zoom(x, 2, output=target, order=order, mode="nearest")
        assert_close(got, want, order)
    for layout in ("C", "F", "strided", "reversed"):
        for dtype in (np.float64, np.float32, np.int32, np.uint8):
            want = scipy_zoom(x, 2, output=dtype, order=order, mode="nearest")
            if layout == "strided":
                out = np.zeros((28, 18), dtype)[::2]
            elif layout == "reversed":
                out = np.zeros(shape, dtype)[::-1, ::-1]
            else:
                out = np.zeros(shape, dtype, order=layout)
            got = zoomflow.zoom(x, 2, output=out, order=order, mode="nearest")
            assert got is out
            assert_close(out, want, order)


def test_output_overlapping_the_input():
    x = np.arange(20, dtype=np.float64)
    want = scipy_zoom(x[:10].copy(), 2, order=1, mode="nearest")
    zoomflow.zoom(x[:10], 2, output=x, order=1, mode="nearest")
    np.testing.assert_allclose(x, want, rtol=1e-15)


def test_complex_inputs(rng):
    x = (rng.standard_normal((6, 7)) + 1j * rng.standard_normal((6, 7))).astype(np.complex64)
    for order in (0, 1, 3):
        got = zoomflow.zoom(x, 2.5, order=order, cval=1 + 2j)
        want = scipy_zoom(x, 2.5, order=order, cval=1 + 2j)
        assert got.dtype == np.complex64
        assert_close(got.real.copy(), want.real.copy(), order)
        assert_close(got.imag.copy(), want.imag.copy(), order)


def test_zoom_one_and_empty_outputs_as_scipy(rng):
    x = random_array(rng, (5, 6), np.int64)
    x[0, 0] = 2**62 + 1  # scipy's early exit copies: every bit kept
    np.testing.assert_array_equal(zoomflow.zoom(x, 1), ndi.zoom(x, 1))
    np.testing.assert_array_equal(
        zoomflow.zoom(x, 1, output=np.float32), ndi.zoom(x, 1, output=np.float32)
    )
    for factors in [(0.05, 1.5), (0, 2), (0.09, 0.09)]:
        got = zoomflow.zoom(x, factors, order=0)
        assert got.shape == ndi.zoom(x, factors, order=0).shape
    assert zoomflow.zoom(np.zeros((0, 4)), 2, order=1).shape == (0, 8)


def test_int64_bits_kept_by_order_0(rng):
    # Voxels are copied, never converted: a naive nearest gather written here is the reference.
    x = rng.integers(-(2**63), 2**63 - 1, (9, 5), dtype=np.int64, endpoint=True)
    got = zoomflow.zoom(x, (2.3, 1.5), order=0, grid_mode=True, mode="nearest")
    idx = []
    for n, m in zip(x.shape, got.shape):
        s = (np.arange(m) + 0.5) * (n / m) - 0.5
        idx.append(np.minimum(np.floor(np.clip(s, 0, n - 1) + 0.5).astype(int), n - 1))
    np.testing.assert_array_equal(got, x[np.ix_(*idx)])


def test_threads_give_the_same_bytes(rng):
    x = random_array(rng, (40, 50, 30), np.uint16)
    all_threads = zoomflow.zoom(x, 1.7, order=1, mode="nearest")
    one_thread = zoomflow.zoom(x, 1.7, order=1, mode="nearest", threads=1)
    np.testing.assert_array_equal(all_threads, one_thread)


def test_gil_is_released_while_the_core_runs():
    x = np.ones((256, 256, 256), np.uint8)
    done = threading.Event()
    ticks = 0

    def work():
        for _ in range(3):
            zoomflow.zoom(x, 2, order=1, mode="nearest", threads=1)
        done.set()

    worker = threading.Thread(target=work)
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - start
    # Holding the GIL through each call would leave this thread a handful of turns at most.
    assert elapsed > 0.05 and ticks >= 20, (elapsed, ticks)


def test_version_is_the_cpp_projects(cli):
    cmake = (REPO / "CMakeLists.txt").read_text()
    project_version = re.search(r"project\(zoomflow VERSION ([0-9.]+)", cmake).group(1)
    assert zoomflow.__version__ == project_version
    printed = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert printed.splitlines()[0] == f"zoomflow {zoomflow.__version__}"
