"""Out-of-core runs on datasets (``resample``, ``pipeline``, ``pyramid``) and the dataset tools (``info``,
``stats``, ``compare``, ``generate``), over the C++ pipeline as the command line runs it.

Datasets are named as on the command line: ``"FILE.h5:/path/to/dataset"`` (or ``"FILE.h5"`` for
a file's only input dataset), ``"DIR.zarr[:/path]"`` (Zarr v2 or v3, OME-Zarr images at a level),
``"DIR.n5:/path"``; inputs are recognised by content, outputs by suffix or ``format``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import numpy as np

from zoomflow import _core
from zoomflow._progress import ProgressArg, ProgressSink
from zoomflow._zoom import check_order_and_mode, require_core_order_and_mode, threads_of

__all__ = [
    "CompareReport",
    "DatasetInfo",
    "DatasetStats",
    "FilterInfo",
    "GenerateReport",
    "PyramidReport",
    "RunReport",
    "compare",
    "generate",
    "info",
    "pipeline",
    "pyramid",
    "resample",
    "stats",
]

PathLike = Union[str, "os.PathLike[str]"]
Size = Union[int, str]
StepLike = Union[str, Mapping[str, Any]]

# How often a waiting run looks at progress and lets Python handle signals (Ctrl-C).
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RunReport:
    """What a ``resample`` or ``pipeline`` run did.

    Attributes
    ----------
    blocks : int
        Output blocks written.
    constant_blocks : int
        Blocks whose input box held one value, produced without running the kernel.
    blocks_in_flight : int
        Blocks the memory limit let through at once.
    block_shape : tuple of int
        The shape of a block.
    tile_shape : tuple of int
        The part of a block computed at once.
    threads : int
        Worker threads used.
    planned_memory_bytes : int
        What the memory plan expected the run to hold at most.
    output_bytes : int
        Uncompressed output bytes.
    bytes_written : int
        Compressed chunk bytes on disk.
    input_chunks : int
        Chunks of the input dataset.
    input_chunks_decoded : int or None
        Input chunks this run decoded (each it needs once, unless the chunk cache had to drop
        one); None where HDF5 decoded them itself (filters zoomflow does not implement).
    backend : str
        'cpu' or 'cuda'.
    backend_note : str
        Why backend='auto' resampled on the CPU, when it did.
    seconds : float
        Time the run took.
    """

    blocks: int
    constant_blocks: int
    blocks_in_flight: int
    block_shape: tuple[int, ...]
    tile_shape: tuple[int, ...]
    threads: int
    planned_memory_bytes: int
    output_bytes: int
    bytes_written: int
    input_chunks: int
    input_chunks_decoded: Optional[int]
    backend: str
    backend_note: str
    seconds: float


@dataclass(frozen=True)
class PyramidReport:
    """What a ``pyramid`` run wrote.

    Attributes
    ----------
    level_shapes : tuple of tuple of int
        Every level's shape, level 0 (the input) first.
    total_factors : tuple of tuple of int
        Every level's reduction of level 0 per axis (level 0: all 1).
    level_paths : tuple of str
        Every level's dataset, e.g. 'OUT.zarr:/1'.
    unit_shape : tuple of int
        Level-0 voxels read and reduced at once.
    units, constant_units : int
        Units read; those of one value, reduced without running the kernel.
    threads : int
    planned_memory_bytes : int
    input_bytes_read : int
        Decoded input bytes read: the input's size, once.
    output_bytes : int
        Uncompressed bytes of every level.
    bytes_written : int
        Compressed bytes on disk.
    seconds : float
    """

    level_shapes: tuple[tuple[int, ...], ...]
    total_factors: tuple[tuple[int, ...], ...]
    level_paths: tuple[str, ...]
    unit_shape: tuple[int, ...]
    units: int
    constant_units: int
    threads: int
    planned_memory_bytes: int
    input_bytes_read: int
    output_bytes: int
    bytes_written: int
    seconds: float


@dataclass(frozen=True)
class FilterInfo:
    """One HDF5 filter of a dataset: its id, name and parameters."""

    id: int
    name: str
    parameters: tuple[int, ...]


@dataclass(frozen=True)
class DatasetInfo:
    """What ``zoomflow info`` prints: shape, dtype, layout, filters, attributes, size.

    Attributes
    ----------
    path : str
        The dataset, as ``FILE:/path``.
    format : str
        'hdf5', 'zarr2', 'zarr3' or 'n5'.
    shape : tuple of int
    dtype : str
        A numpy dtype name ('bool', 'uint16', 'float32', ...).
    chunked : bool
    chunks : tuple of int
        The chunk shape; empty unless chunked.
    shards : tuple of int
        Zarr v3 sharded arrays: voxels per shard; else empty.
    filters : tuple of FilterInfo
        HDF5 filters.
    codecs : tuple of str
        Zarr and N5: the codec chain, e.g. 'bytes(little)', 'zstd(level=1)'.
    fill_value : str
        Zarr and N5: the fill value as the metadata gives it.
    attributes : dict of str to str
        Each attribute's printable value.
    voxel_size : tuple of float
        Physical size of a voxel per axis (OME-Zarr scale, or a voxel-size attribute); empty
        when none is given.
    voxel_unit : str
    storage_bytes : int
        Bytes on disk.
    raw_bytes : int
        Bytes of the values uncompressed.
    """

    path: str
    format: str
    shape: tuple[int, ...]
    dtype: str
    chunked: bool
    chunks: tuple[int, ...]
    shards: tuple[int, ...]
    filters: tuple[FilterInfo, ...]
    codecs: tuple[str, ...]
    fill_value: str
    attributes: dict[str, str] = field(hash=False)
    voxel_size: tuple[float, ...]
    voxel_unit: str
    storage_bytes: int
    raw_bytes: int


@dataclass(frozen=True)
class DatasetStats:
    """What ``zoomflow stats`` prints, streamed over the whole dataset.

    Attributes
    ----------
    path : str
    shape : tuple of int
    dtype : str
    count, nonzero, nan_count : int
        Elements; those not zero (NaN counts); NaN elements (left out of min, max, sum, mean).
    min, max : int, float or None
        None when there is no (non-NaN) element.
    sum : int or float
        Exact for integer dtypes.
    mean : float
    checksum : int
        A content checksum independent of chunking, compression and byte order.
    """

    path: str
    shape: tuple[int, ...]
    dtype: str
    count: int
    nonzero: int
    nan_count: int
    min: Union[int, float, None]
    max: Union[int, float, None]
    sum: Union[int, float]
    mean: float
    checksum: int


@dataclass(frozen=True)
class CompareReport:
    """Whether two datasets hold the same shape, dtype and values, and where they differ.

    Attributes
    ----------
    a, b : str
    shape_a, shape_b : tuple of int
    dtype_a, dtype_b : str
    compared, differing : int
        Values compared (only when shape and dtype agree) and those that differ (NaN equals NaN).
    first_difference : tuple of int or None
        The first differing index in C order.
    value_a, value_b : int or float
        The values there, exactly as the datasets hold them.
    max_abs_difference : float
    identical : bool
    """

    a: str
    b: str
    shape_a: tuple[int, ...]
    shape_b: tuple[int, ...]
    dtype_a: str
    dtype_b: str
    compared: int
    differing: int
    first_difference: Optional[tuple[int, ...]]
    value_a: Union[int, float]
    value_b: Union[int, float]
    max_abs_difference: float
    identical: bool


@dataclass(frozen=True)
class GenerateReport:
    """What ``generate`` wrote: chunk shape, chunks (all and stored), bytes, time."""

    chunk_shape: tuple[int, ...]
    chunks: int
    chunks_written: int
    bytes_written: int
    seconds: float


def _text(path: PathLike) -> str:
    return os.fspath(path)


def _shape(values: Optional[Sequence[int]]) -> Optional[list[int]]:
    return None if values is None else [int(v) for v in values]


def _finish(run: Any, progress: ProgressArg = False, label: str = "") -> dict[str, Any]:
    """Waits for a run of the core, passing on progress; any exception (KeyboardInterrupt
    included) cancels it, and is raised once the run has stopped and removed its temporary
    output. Returns the run's report as a dict, or raises its error."""
    sink = ProgressSink(progress, label)
    try:
        while not run.wait(POLL_SECONDS):
            sink.update(run.progress())
        sink.update(run.progress())
    except BaseException:
        run.cancel()
        run.wait(-1)
        raise
    finally:
        sink.close()
    report = run.report()
    return {k: tuple(v) if isinstance(v, list) else v for k, v in report.items()}


def resample(
    src: PathLike,
    dst: PathLike,
    *,
    zoom: Union[float, Sequence[float], None] = None,
    shape: Optional[Sequence[int]] = None,
    order: int = 0,
    grid: str = "centers",
    mode: str = "nearest",
    cval: float = 0.0,
    prefilter: bool = True,
    backend: str = "auto",
    memory_limit: Size = "1GiB",
    chunks: Optional[Sequence[int]] = None,
    shards: Optional[Sequence[int]] = None,
    format: str = "auto",
    compression: str = "zstd:1",
    overwrite: bool = False,
    progress: ProgressArg = True,
    threads: Optional[int] = None,
    blocks: str = "bricks",
    method: str = "interpolate",
    factors: Union[int, Sequence[int], None] = None,
    antialias: bool = False,
) -> RunReport:
    """Resample a dataset into a new one, out of core: ``zoomflow resample`` from Python.

    Blocks of the output stream through read, resample, compress and write on all threads in
    bounded memory. The output appears at its name only when complete: an error, or Ctrl-C
    (KeyboardInterrupt), stops the run and leaves nothing there.

    Parameters
    ----------
    src : str or path
        The input dataset, ``"FILE.h5:/dataset"`` (or ``"FILE.h5"`` for its only dataset).
    dst : str or path
        The output dataset, ``"OUT.h5:/dataset"``.
    zoom : float or sequence of float, optional
        One factor for every axis, or one per axis; or give `shape`.
    shape : sequence of int, optional
        The output shape, instead of `zoom`.
    order : int, optional
        Spline order, 0 (nearest, default) to 5, as scipy's.
    grid : {'centers', 'corners'}, optional
        'centers' (default) is scipy's grid_mode=True, 'corners' its grid_mode=False.
    mode : str, optional
        scipy's boundary mode; 'nearest' by default (as the command line).
    cval : float, optional
        The value beyond the edges in modes 'constant' and 'grid-constant'.
    prefilter : bool, optional
        Orders 2-5: interpolate prefiltered spline coefficients (default), as scipy.
    backend : {'auto', 'cpu', 'cuda'}, optional
        'auto' resamples on a usable GPU, else on the CPU (the report says why).
    memory_limit : int or str, optional
        Bytes, or a size such as '512MiB', '2GiB' (default '1GiB').
    chunks : sequence of int, optional
        Output chunk shape (default 64 per axis, clipped to the shape).
    shards : sequence of int, optional
        Zarr v3: voxels per shard (a multiple of the chunks); default unsharded.
    format : str, optional
        The output's format: 'auto' (default: .zarr is Zarr v3, .n5 N5, else HDF5), 'hdf5',
        'zarr2', 'zarr3' or 'n5'.
    compression : str, optional
        'zstd[:L]' (default 'zstd:1'), 'gzip[:L]', 'blosc[:CNAME][:L][:SHUFFLE]' (Zarr, N5) or
        'none'.
    overwrite : bool, optional
        Replace an existing output dataset.
    progress : bool or callable, optional
        True (default): a tqdm bar when tqdm is installed, nothing otherwise. False: nothing. A
        callable is called with a :class:`Progress` in the calling thread as blocks complete.
    threads : int, optional
        Worker threads; None (default) uses all cores.
    blocks : {'bricks', 'slabs'}, optional
        Block shape: bricks of whole chunks (default) or one-chunk-deep z-slabs.
    method : str, optional
        'interpolate' (default: `order`), or a reduction by integer `factors` with TensorStore's
        downsample rules: 'mean', 'mode', 'median', 'min', 'max', 'stride'.
    factors : int or sequence of int, optional
        A reduction's factors, one for every axis or one per axis; or give `zoom` as 1/N.
    antialias : bool, optional
        Interpolation down (orders 1-5): smooth first with a gaussian of sigma (1/zoom - 1)/2
        per axis, as ``skimage.transform.rescale(anti_aliasing=True)``.

    Returns
    -------
    RunReport

    Raises
    ------
    ValueError
        Bad arguments, as the command line's exit status 2 (with its message).
    FileNotFoundError
        The input file or the output's folder does not exist.
    FileExistsError
        The output exists and `overwrite` is False.
    OSError
        Reading or writing failed (damaged chunk, missing HDF5 plugin, full disk).
    KeyboardInterrupt
        After Ctrl-C, once the run has stopped and removed its temporary output.
    """
    if method == "interpolate":
        if factors is not None:
            raise ValueError("factors go with method 'mean', 'mode', 'median', 'min', 'max' or "
                             "'stride'; to interpolate, give zoom or shape")
        if (zoom is None) == (shape is None):
            raise ValueError("give exactly one of zoom and shape")
        order = check_order_and_mode(order, mode)
        require_core_order_and_mode(order, mode)
    else:
        if shape is not None:
            raise ValueError(f"method {method!r} reduces by integer factors, not to a shape: "
                             "give factors (or zoom=1/N), or method='interpolate' for shape")
        if (zoom is None) == (factors is None):
            raise ValueError(f"method {method!r} takes factors or zoom=1/N")
    zooms = [] if zoom is None else [float(z) for z in np.atleast_1d(zoom)]
    run = _core.start_resample(
        _text(src),
        _text(dst),
        zooms,
        _shape(shape),
        order,
        mode,
        float(cval),
        bool(prefilter),
        grid,
        backend,
        memory_limit,
        _shape(chunks),
        _shape(shards),
        format,
        compression,
        bool(overwrite),
        threads_of(threads),
        blocks,
        method,
        _factor_list(factors),
        bool(antialias),
    )
    return RunReport(**_finish(run, progress, "resample"))


def _factor_list(factors: Union[int, Sequence[int], None]) -> Optional[list[int]]:
    if factors is None:
        return None
    values = list(np.atleast_1d(factors))
    if not all(isinstance(f, (int, np.integer)) and not isinstance(f, bool) for f in values):
        raise ValueError(f"factors {factors!r} must be integers from 1")
    return [int(f) for f in values]


def pyramid(
    src: PathLike,
    dst: PathLike,
    *,
    method: str,
    levels: Optional[int] = None,
    factors: Union[int, Sequence[int], Sequence[Sequence[int]], None] = None,
    memory_limit: Size = "1GiB",
    chunks: Optional[Sequence[int]] = None,
    shards: Optional[Sequence[int]] = None,
    format: str = "auto",
    compression: str = "zstd:1",
    overwrite: bool = False,
    progress: ProgressArg = True,
    threads: Optional[int] = None,
) -> PyramidReport:
    """Write a multiscale pyramid from one read of the input: ``zoomflow pyramid`` from Python.

    Level k is the direct reduction of level 0 by the product of the factors up to k (never a
    rounding of a rounded level), every level written in one streaming pass in bounded memory,
    into an OME-Zarr image (``OUT.zarr``: /0, /1, ...), an n5-viewer group (``OUT.n5``: /s0,
    /s1, ...) or an HDF5 file (``OUT.h5``: /0, /1, ...) with each format's multiscale metadata.

    Parameters
    ----------
    src : str or path
        The input dataset.
    dst : str or path
        The new container (a whole one; `overwrite` replaces an existing pyramid).
    method : str
        'mean' (intensities), 'mode' (labels), 'median', 'min', 'max' or 'stride'.
    levels : int, optional
        Levels written, level 0 included (2 to 40); None (default): until a level fits in one
        chunk.
    factors : int, sequence of int, or sequence of sequences, optional
        The reduction from each level to the next: one for every axis (2), one per axis
        ((2, 2, 1)), or one such set per level below 0 (((2, 2, 1), (2, 2, 2))). Default 2.
    memory_limit, chunks, shards, format, compression, overwrite, progress, threads
        As :func:`resample`; chunks and compression apply to every level.

    Returns
    -------
    PyramidReport

    Raises
    ------
    As :func:`resample`.
    """
    if factors is None:
        sets: list[list[int]] = []
    elif np.ndim(factors) == 2:
        sets = [_factor_list(f) or [] for f in factors]
    else:
        sets = [_factor_list(factors) or []]
    run = _core.start_pyramid(
        _text(src),
        _text(dst),
        method,
        0 if levels is None else int(levels),
        sets,
        memory_limit,
        _shape(chunks),
        _shape(shards),
        format,
        compression,
        bool(overwrite),
        threads_of(threads),
    )
    report = _finish(run, progress, "pyramid")
    for name in ("level_shapes", "total_factors"):
        report[name] = tuple(tuple(v) for v in report[name])
    return PyramidReport(**report)


def _step_entry(step: StepLike) -> tuple[str, str]:
    if isinstance(step, str):
        return ("text", step)
    if isinstance(step, Mapping):
        return ("json", json.dumps([dict(step)]))
    raise TypeError(f"a step is a string such as 'clip:lo=0,hi=1' or a dict, not {step!r}")


def pipeline(
    src: PathLike,
    dst: PathLike,
    steps: Sequence[StepLike],
    *,
    memory_limit: Size = "1GiB",
    chunks: Optional[Sequence[int]] = None,
    shards: Optional[Sequence[int]] = None,
    format: str = "auto",
    compression: str = "zstd:1",
    overwrite: bool = False,
    progress: ProgressArg = True,
    threads: Optional[int] = None,
) -> RunReport:
    """Run a chain of steps over a dataset in one streaming pass: ``zoomflow pipeline``.

    Parameters
    ----------
    src, dst : str or path
        Input and output datasets, as in :func:`resample`.
    steps : sequence of str or dict
        The steps in order, as the command line writes them (``"resample:zoom=0.5,order=1"``,
        ``"clip:lo=0,hi=1000"``, ``"scale:mul=0.255,add=0"``, ``"cast:uint8"``,
        ``"threshold:gt=128"``, ``"gaussian:sigma=1"``) or as the JSON objects of ``--steps``
        (``{"step": "gaussian", "sigma": [1, 1, 2]}``).
    memory_limit, chunks, shards, format, compression, overwrite, progress, threads
        As in :func:`resample`.

    Returns
    -------
    RunReport

    Raises
    ------
    ValueError, FileNotFoundError, FileExistsError, OSError, KeyboardInterrupt
        As in :func:`resample`; a bad step raises ValueError naming it, before any work.
    """
    if isinstance(steps, (str, Mapping)):
        steps = [steps]
    entries = [_step_entry(step) for step in steps]
    run = _core.start_pipeline(
        _text(src),
        _text(dst),
        entries,
        memory_limit,
        _shape(chunks),
        _shape(shards),
        format,
        compression,
        bool(overwrite),
        threads_of(threads),
    )
    return RunReport(**_finish(run, progress, "pipeline"))


def info(path: PathLike) -> DatasetInfo:
    """Describe a dataset: ``zoomflow info``.

    Parameters
    ----------
    path : str or path
        ``"FILE.h5:/dataset"`` (or ``"FILE.h5"`` for the file's only dataset), ``"DIR.zarr"``,
        ``"DIR.n5:/path"``.

    Returns
    -------
    DatasetInfo

    Raises
    ------
    FileNotFoundError, ValueError, OSError
        As the command line reports them.
    """
    d = _core.info(_text(path))
    filters = tuple(FilterInfo(f["id"], f["name"], tuple(f["parameters"])) for f in d["filters"])
    plain = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k != "filters"}
    return DatasetInfo(**{**plain, "filters": filters, "attributes": dict(d["attributes"])})


def stats(path: PathLike, *, threads: Optional[int] = None) -> DatasetStats:
    """Count, nonzero, min, max, sum, mean and checksum of a dataset: ``zoomflow stats``.

    Read block by block on all threads in bounded memory; Ctrl-C (KeyboardInterrupt) stops it.

    Parameters
    ----------
    path : str or path
        The dataset.
    threads : int, optional
        Worker threads; None (default) uses all cores.

    Returns
    -------
    DatasetStats
    """
    return DatasetStats(**_finish(_core.start_stats(_text(path), threads_of(threads))))


def compare(a: PathLike, b: PathLike, *, threads: Optional[int] = None) -> CompareReport:
    """Whether two datasets hold the same shape, dtype and values: ``zoomflow compare``.

    Unlike the command (exit status 1), a difference is not an error: read ``identical``.
    Ctrl-C (KeyboardInterrupt) stops it.

    Parameters
    ----------
    a, b : str or path
        The datasets.
    threads : int, optional
        Worker threads; None (default) uses all cores.

    Returns
    -------
    CompareReport
    """
    run = _core.start_compare(_text(a), _text(b), threads_of(threads))
    return CompareReport(**_finish(run))


def generate(
    path: PathLike,
    shape: Sequence[int],
    *,
    dtype: str = "uint8",
    pattern: str = "box",
    seed: int = 0,
    chunks: Optional[Sequence[int]] = None,
    compression: str = "zstd:1",
    overwrite: bool = False,
    threads: Optional[int] = None,
) -> GenerateReport:
    """Write a synthetic volume chunk by chunk: ``zoomflow generate``.

    The dataset appears at its name only when complete; Ctrl-C (KeyboardInterrupt) stops the run
    and leaves nothing there.

    Parameters
    ----------
    path : str or path
        The output dataset, ``"OUT.h5:/dataset"``.
    shape : sequence of int
    dtype : str, optional
        'bool', 'int8'..'int64', 'uint8'..'uint64', 'float32', 'float64' (default 'uint8').
    pattern : {'box', 'noise', 'labels'}, optional
        The seed's box mask (default), a smooth field plus noise, or piecewise-constant labels.
    seed : int, optional
        Seed of the noise and labels patterns.
    chunks, compression, overwrite, threads
        As in :func:`resample`.

    Returns
    -------
    GenerateReport
    """
    run = _core.start_generate(
        _text(path),
        [int(n) for n in shape],
        str(dtype),
        pattern,
        int(seed),
        _shape(chunks),
        compression,
        bool(overwrite),
        threads_of(threads),
    )
    return GenerateReport(**_finish(run))
