"""``zoomflow.dask.zoom``: exact blockwise zooming of dask arrays, on one machine or a cluster.

Every output block is computed by the C++ core (``resample_box``) from exactly the input box it
needs (``required_input_box``: the spline's taps, and the prefilter's halo for orders 2-5),
assembled from the overlapping parts of the input's chunks. The result is the same, bit for bit, as
:func:`zoomflow.zoom` on the whole array, whatever the input and output chunks, because the core
computes every output voxel from the same input voxels in the same arithmetic wherever a block
starts. The graph has one task per output block plus one slicing task per input chunk it reads
part of, so it grows linearly with the number of output blocks.
"""

from __future__ import annotations

import itertools
import operator
import threading
from collections.abc import Sequence
from typing import Any, Union

import dask.array as da
import numpy as np
from dask.array.core import normalize_chunks
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from zoomflow import _core
from zoomflow._zoom import (
    as_core_input,
    check_order_and_mode,
    make_spec,
    normalize_zoom,
    resample_into,
)

__all__ = ["zoom"]

Chunks = Union[int, str, Sequence[Any], None]

# Each worker thread's scratch for the core, kept between blocks (its pages are touched once).
_scratch = threading.local()


def _workspace() -> Any:
    workspace = getattr(_scratch, "workspace", None)
    if workspace is None:
        workspace = _scratch.workspace = _core.Workspace()
    return workspace


def zoom_block(
    spec: Any,
    input_origin: Sequence[int],
    input_extent: Sequence[int],
    pieces: Sequence[np.ndarray],
    offsets: Sequence[Sequence[int]],
    output_origin: Sequence[int],
    output_extent: Sequence[int],
    dtype: np.dtype,
) -> np.ndarray:
    """One output block: the input box assembled from its pieces, resampled by the core."""
    if len(pieces) == 1 and tuple(pieces[0].shape) == tuple(input_extent):
        box = np.asarray(pieces[0])
    else:
        box = np.empty(tuple(input_extent), dtype=pieces[0].dtype)
        for piece, offset in zip(pieces, offsets):
            box[tuple(slice(o, o + n) for o, n in zip(offset, piece.shape))] = piece
    output = np.empty(tuple(output_extent), dtype=dtype)

    def resample(source: np.ndarray, target: np.ndarray) -> None:
        _core.resample_box(
            spec, source, list(input_origin), target, list(output_origin), _workspace()
        )

    resample_into(resample, as_core_input(box, spec.order), output, spec.order)
    return output


def _starts(chunks: Sequence[int]) -> list[int]:
    return [0, *itertools.accumulate(chunks)]


def _overlapping_chunks(bounds: Sequence[int], lo: int, hi: int) -> range:
    """Indices of the chunks (with these boundaries) that meet [lo, hi)."""
    first = int(np.searchsorted(bounds, lo, side="right")) - 1
    last = int(np.searchsorted(bounds, hi, side="left")) - 1
    return range(first, last + 1)


def zoom(
    array: Any,
    zoom: Union[float, Sequence[float]],
    order: int = 3,
    mode: str = "constant",
    cval: float = 0.0,
    prefilter: bool = True,
    *,
    grid_mode: bool = False,
    output_chunks: Chunks = None,
) -> da.Array:
    """Zoom a dask array block by block, bit-identical to :func:`zoomflow.zoom` on the whole.

    Parameters
    ----------
    array : dask.array.Array or array_like
        The input (bool, int8..int64, uint8..uint64, float32 or float64), chunked any way.
    zoom : float or sequence of float
        The zoom factor for every axis, or one per axis (output length ``round(n * zoom)``).
    order, mode, cval, prefilter, grid_mode
        As :func:`zoomflow.zoom` (and ``scipy.ndimage.zoom``), with the same defaults.
    output_chunks : int, tuple, str or None, optional
        The output's chunks, in any form dask accepts; None (default) scales the input's chunk
        shape by the zoom.

    Returns
    -------
    dask.array.Array
        The zoomed array, of the input's dtype.

    Raises
    ------
    ValueError, TypeError
        As :func:`zoomflow.zoom`; complex arrays raise TypeError.

    Examples
    --------
    >>> import dask.array as da, zoomflow.dask
    >>> x = da.arange(24, dtype="uint16", chunks=5).reshape(4, 6)
    >>> zoomflow.dask.zoom(x, 2, order=0, output_chunks=3).shape
    (8, 12)
    """
    array = da.asarray(array)
    order = check_order_and_mode(order, mode)
    if array.ndim < 1:
        raise ValueError("input must have rank 1 or more")
    if np.iscomplexobj(np.empty(0, dtype=array.dtype)):
        raise TypeError(
            f"zoomflow.dask.zoom takes real arrays, not {array.dtype}; zoom .real and .imag apart"
        )
    dtype = array.dtype.newbyteorder("=")
    as_core_input(np.empty(0, dtype=dtype), 0)  # TypeError for what the core does not take
    factors = normalize_zoom(zoom, array.ndim)
    shape = tuple(int(round(n * z)) for n, z in zip(array.shape, factors))
    if output_chunks is None:
        output_chunks = tuple(max(1, int(round(c * z))) for c, z in zip(array.chunksize, factors))
    chunks = normalize_chunks(output_chunks, shape, dtype=dtype)
    if prefilter and all(z == 1 for z in factors):
        return array.astype(dtype).rechunk(chunks)
    if 0 in shape:
        return da.empty(shape, dtype=dtype, chunks=chunks)
    spec = make_spec(array.shape, shape, order, mode, cval, prefilter, grid_mode)

    name = "zoomflow-zoom-" + tokenize(
        array, factors, order, mode, cval, prefilter, grid_mode, chunks
    )
    piece_name = name + "-piece"
    input_bounds = [_starts(c) for c in array.chunks]
    output_starts = [_starts(c) for c in chunks]
    graph: dict[Any, Any] = {}
    for block in itertools.product(*(range(len(c)) for c in chunks)):
        origin = [output_starts[a][i] for a, i in enumerate(block)]
        extent = [chunks[a][i] for a, i in enumerate(block)]
        box_origin, box_extent = spec.required_input_box(origin, extent)
        ranges = [
            _overlapping_chunks(input_bounds[a], box_origin[a], box_origin[a] + box_extent[a])
            for a in range(array.ndim)
        ]
        pieces, offsets = [], []
        for chunk in itertools.product(*ranges):
            lo = [max(box_origin[a], input_bounds[a][c]) for a, c in enumerate(chunk)]
            hi = [
                min(box_origin[a] + box_extent[a], input_bounds[a][c + 1])
                for a, c in enumerate(chunk)
            ]
            key = (array.name, *chunk)
            whole = all(
                lo[a] == input_bounds[a][c] and hi[a] == input_bounds[a][c + 1]
                for a, c in enumerate(chunk)
            )
            if not whole:  # only the part of the chunk inside the box travels
                part = tuple(
                    slice(lo[a] - input_bounds[a][c], hi[a] - input_bounds[a][c])
                    for a, c in enumerate(chunk)
                )
                piece_key = (piece_name, *block, *chunk)
                graph[piece_key] = (operator.getitem, key, part)
                key = piece_key
            pieces.append(key)
            offsets.append([lo[a] - box_origin[a] for a in range(array.ndim)])
        graph[(name, *block)] = (
            zoom_block,
            spec,
            list(box_origin),
            list(box_extent),
            pieces,
            offsets,
            origin,
            extent,
            dtype,
        )
    layers = HighLevelGraph.from_collections(name, graph, dependencies=[array])
    return da.Array(layers, name, chunks, dtype=dtype)
