"""zoomflow.dask.zoom: identical bytes to zoomflow.zoom on the whole array for many input and
output chunkings; each block reads exactly the input box it needs; the graph grows linearly."""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
import pytest
import scipy.ndimage as ndi
from conftest import random_array

import zoomflow
import zoomflow.dask


def same_bytes(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def random_chunks(rng: np.random.Generator, shape):
    """Irregular chunks: each axis cut at random places (or left whole)."""
    chunks = []
    for n in shape:
        cuts = (
            sorted(set(int(c) for c in rng.integers(1, n, int(rng.integers(0, 4)))))
            if n > 1
            else []
        )
        edges = [0, *cuts, n]
        chunks.append(tuple(b - a for a, b in zip(edges, edges[1:])))
    return tuple(chunks)


CASES = [
    # dtype, zoom, order, mode, grid_mode
    (np.uint8, (2.0, 2.0, 2.0), 0, "nearest", True),
    (np.bool_, (1.7, 0.6, 3.0), 0, "constant", False),
    (np.bool_, (2.0, 0.6, 1.5), 1, "nearest", True),  # in double, as scipy and zoomflow.zoom
    (np.uint16, (2.0, 1.5, 0.5), 1, "nearest", True),
    (np.float32, (0.4, 2.3, 1.1), 1, "reflect", False),
    (np.int64, (3.0, 0.75, 1.25), 1, "grid-wrap", True),
    (np.float64, (1.3, 1.3, 1.3), 3, "constant", False),  # the prefilter's halo crosses chunks
    (np.float32, (2.0, 0.5, 1.7), 3, "grid-constant", True),
    (np.uint16, (1.5, 1.5, 2.5), 2, "mirror", False),
    (np.float64, (0.7, 2.0, 1.2), 5, "wrap", False),
]


@pytest.mark.parametrize("dtype,factors,order,mode,grid_mode", CASES)
def test_many_chunkings_give_identical_bytes(rng, dtype, factors, order, mode, grid_mode):
    x = random_array(rng, (23, 17, 12), dtype)
    want = zoomflow.zoom(x, factors, order=order, mode=mode, cval=3.0, grid_mode=grid_mode)
    for _ in range(4):
        array = da.from_array(x, chunks=random_chunks(rng, x.shape))
        output_chunks = random_chunks(rng, want.shape)
        result = zoomflow.dask.zoom(
            array,
            factors,
            order=order,
            mode=mode,
            cval=3.0,
            grid_mode=grid_mode,
            output_chunks=output_chunks,
        )
        assert result.chunks == output_chunks
        got = result.compute(scheduler="threads")
        assert same_bytes(got, want), (array.chunks, output_chunks)
    # The default output chunks too, and scipy's own answer for order 0.
    got = zoomflow.dask.zoom(
        da.from_array(x, chunks=7), factors, order=order, mode=mode, cval=3.0, grid_mode=grid_mode
    ).compute()
    assert same_bytes(got, want)
    if order == 0:
        np.testing.assert_array_equal(
            got, ndi.zoom(x, factors, order=0, mode=mode, cval=3.0, grid_mode=grid_mode)
        )


@pytest.mark.parametrize("order", [2, 3, 5])
def test_prefilter_halo_across_many_chunks(rng, order):
    # Axes far longer than the prefilter's halo (22 to 49 voxels), cut into chunks shorter than
    # it: each block reads its box plus the halo from several chunks.
    x = random_array(rng, (300, 90), np.float32)
    want = zoomflow.zoom(x, (1.5, 0.8), order=order, mode="reflect")
    for chunks, output_chunks in [((16, 16), (40, 24)), ((37, 90), (7, 72)), ((300, 11), (450, 5))]:
        result = zoomflow.dask.zoom(
            da.from_array(x, chunks=chunks),
            (1.5, 0.8),
            order=order,
            mode="reflect",
            output_chunks=output_chunks,
        )
        assert same_bytes(result.compute(), want), (chunks, output_chunks)
        # The boxes are the core's: never the whole axis of 300 for a block of 40.
        box = result.dask.layers[result.name]
        assert len(box) > result.npartitions


def needed_box(n: int, m: int, lo: int, hi: int, order: int, grid_mode: bool) -> tuple[int, int]:
    """The input voxels [first, last] that outputs lo..hi-1 of one axis read, from the sampling
    rule written out here: s = (i + 0.5) n / m - 0.5 (centers) or i (n - 1) / (m - 1) (corners),
    clamped; nearest reads floor(s + 0.5), linear floor(s) and the next voxel."""
    i = np.arange(lo, hi, dtype=np.float64)
    if grid_mode:
        s = (i + 0.5) * (n / m) - 0.5
    else:
        s = i * ((n - 1) / (m - 1) if m > 1 else 1.0)
    s = np.clip(s, 0, n - 1)
    if order == 0:
        j = np.minimum(np.floor(s + 0.5), n - 1)
        return int(j.min()), int(j.max())
    j0 = np.floor(s)
    j1 = np.minimum(j0 + 1, n - 1)
    return int(j0.min()), int(j1.max())


@pytest.mark.parametrize("order,grid_mode", [(0, True), (0, False), (1, True), (1, False)])
def test_each_block_reads_exactly_its_input_box(monkeypatch, order, grid_mode):
    x = np.arange(30 * 20 * 10, dtype=np.float32).reshape(30, 20, 10)
    factors = (1.6, 0.55, 2.0)
    array = da.from_array(x, chunks=(7, 6, 4))
    seen = []
    real = zoomflow.dask._core.resample_box

    def recording(spec, box, input_origin, output, output_origin, workspace):
        seen.append((tuple(input_origin), box.shape, tuple(output_origin), output.shape))
        # The values handed over are the input's own voxels of that box.
        index = tuple(slice(o, o + n) for o, n in zip(input_origin, box.shape))
        assert np.array_equal(box, x[index])
        return real(spec, box, input_origin, output, output_origin, workspace)

    monkeypatch.setattr(zoomflow.dask._core, "resample_box", recording)
    result = zoomflow.dask.zoom(
        array, factors, order=order, mode="nearest", grid_mode=grid_mode, output_chunks=(9, 5, 8)
    )
    got = result.compute(scheduler="sync")
    assert len(seen) == result.npartitions
    for input_origin, box_shape, output_origin, output_shape in seen:
        for a in range(3):
            first, last = needed_box(
                x.shape[a],
                got.shape[a],
                output_origin[a],
                output_origin[a] + output_shape[a],
                order,
                grid_mode,
            )
            assert input_origin[a] == first and box_shape[a] == last - first + 1
    monkeypatch.undo()
    assert same_bytes(
        got, zoomflow.zoom(x, factors, order=order, mode="nearest", grid_mode=grid_mode)
    )


def test_graph_grows_linearly_with_output_blocks():
    sizes = []
    for n in (32, 64, 128):
        array = da.zeros((n, n, n), dtype=np.uint8, chunks=16)
        result = zoomflow.dask.zoom(array, 2, order=1, mode="nearest", output_chunks=32)
        layer = result.dask.layers[result.name]
        sizes.append((result.npartitions, len(layer)))
    for blocks, tasks in sizes:
        # One task per block, plus at most one slice per input chunk it reads part of: a 32^3
        # output block of a x2 linear zoom needs about 17^3 voxels (the halo included), which
        # meet at most 3 chunks of 16 per axis.
        assert blocks <= tasks <= blocks * (1 + 3**3)
    assert sizes[-1][0] == 64 * sizes[0][0]  # 64x the blocks, the same bound per block


def test_refusals_match_zoomflow_zoom():
    array = da.zeros((8, 8), dtype=np.float32, chunks=4)
    with pytest.raises(ValueError, match="spline order 6"):
        zoomflow.dask.zoom(array, 2, order=6)
    with pytest.raises(ValueError, match="boundary mode 'edge'"):
        zoomflow.dask.zoom(array, 2, order=1, mode="edge")
    with pytest.raises(TypeError, match="complex"):
        zoomflow.dask.zoom(array.astype(np.complex64), 2, order=1)
    with pytest.raises(TypeError, match="float16"):
        zoomflow.dask.zoom(array.astype(np.float16), 2, order=1)
    with pytest.raises(ValueError, match="zoom has 3 factors"):
        zoomflow.dask.zoom(array, (1, 2, 3), order=1)


def test_scipy_default_call_and_numpy_input(rng):
    # order 3, mode 'constant', grid_mode=False: scipy's answer within rounding, and the same
    # bytes whatever the chunks.
    x = random_array(rng, (15, 22), np.uint16)
    got = zoomflow.dask.zoom(x, 2.5, output_chunks=(6, 11)).compute()
    want = ndi.zoom(x, 2.5)
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 1
    with dask.config.set(scheduler="sync"):
        assert same_bytes(zoomflow.dask.zoom(x, 2.5).compute(), got)
