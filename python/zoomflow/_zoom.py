"""``zoomflow.zoom``: ``scipy.ndimage.zoom``'s signature, defaults and results, on the C++ core."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import Any, Callable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from zoomflow import _core

__all__ = ["zoom"]

# scipy.ndimage's boundary modes, by the names scipy accepts.
SCIPY_MODES = (
    "reflect",
    "grid-mirror",
    "constant",
    "grid-constant",
    "nearest",
    "mirror",
    "grid-wrap",
    "wrap",
)

# The element types the core resamples in their own type (bool as one byte holding 0 or 1).
CORE_DTYPES = frozenset(np.dtype(name) for name in _core.DTYPES)


def normalize_zoom(zoom: Union[float, Sequence[float]], rank: int) -> tuple[float, ...]:
    """One non-negative finite factor per axis, from one number or one per axis."""
    if isinstance(zoom, str):
        raise TypeError(f"zoom must be a number or a sequence of numbers, not {zoom!r}")
    factors = tuple(float(z) for z in zoom) if np.ndim(zoom) == 1 else (float(zoom),) * rank
    if len(factors) != rank:
        raise ValueError(f"zoom has {len(factors)} factors but the input has rank {rank}")
    for axis, factor in enumerate(factors):
        if not (math.isfinite(factor) and factor >= 0):
            raise ValueError(
                f"zoom factor {factor} on axis {axis} must be a non-negative finite number"
            )
    return factors


def check_order_and_mode(order: Any, mode: Any) -> int:
    """scipy's range of orders (0..5) and its mode names, as ValueError; the order as an int."""
    try:
        order = operator.index(order)
    except TypeError:
        raise TypeError(f"order must be an integer, not {order!r}") from None
    if not 0 <= order <= 5:
        raise ValueError(f"spline order {order} is not supported (0..5)")
    if mode not in SCIPY_MODES:
        raise ValueError(f"boundary mode {mode!r} is not supported ({', '.join(SCIPY_MODES)})")
    return order


def require_core_order_and_mode(order: int, mode: str) -> None:
    """NotImplementedError unless the core computes this order and mode (its own tables)."""
    if order not in _core.ORDERS:
        available = ", ".join(str(o) for o in _core.ORDERS)
        raise NotImplementedError(
            f"order {order} is not available in this build of zoomflow; orders {available} are"
        )
    if mode not in _core.MODES:
        available = ", ".join(repr(m) for m in _core.MODES)
        raise NotImplementedError(
            f"mode {mode!r} is not available in this build of zoomflow; modes {available} are"
        )


def threads_of(threads: Optional[int]) -> int:
    """The core's thread count: 0 (all cores) for None."""
    if threads is None:
        return 0
    threads = operator.index(threads)
    if threads < 1:
        raise ValueError(f"threads must be positive or None (all cores), not {threads}")
    return threads


def make_spec(
    input_shape: Sequence[int],
    output_shape: Sequence[int],
    order: int,
    mode: str,
    cval: float,
    prefilter: bool,
    grid_mode: bool,
) -> Any:
    """The core's ResampleSpec of a scipy call (grid_mode=True is the grid 'centers')."""
    require_core_order_and_mode(order, mode)
    return _core.ResampleSpec(
        tuple(input_shape),
        tuple(output_shape),
        order,
        mode,
        "centers" if grid_mode else "corners",
        float(cval),
        bool(prefilter),
    )


def as_core_input(array: np.ndarray, order: int) -> np.ndarray:
    """The array as the core reads it: a dtype it takes, in native byte order, aligned. bool
    interpolated (order 1 and up) is read as its 0/1 bytes: the core takes bool at order 0 only,
    and scipy interpolates bool as those numbers."""
    native = array.dtype.newbyteorder("=")
    if native not in CORE_DTYPES:
        raise TypeError(
            f"zoomflow resamples bool, int8..int64, uint8..uint64, float32, float64 and complex "
            f"arrays, not {array.dtype}"
        )
    if array.dtype != native or not array.flags.aligned:
        array = array.astype(native)
    if native == np.bool_ and order > 0:
        array = array.view(np.uint8)
    return array


def resample_into(
    resample: Callable[[np.ndarray, np.ndarray], None],
    data: np.ndarray,
    output: np.ndarray,
    order: int,
) -> None:
    """Runs ``resample(data, target)`` (the core) so that `output` gets scipy's values.

    The core converts its double results as scipy does (integers round half away from zero and
    saturate, float32 rounds), so it writes `output` itself when it can: a dtype it takes, native,
    aligned, not overlapping the input. A bool output from interpolated or non-bool values goes
    through doubles, stored as scipy stores them, the truncated value's truth (0.4 is False; the
    core would store v != 0). scipy's C conversion to bool is undefined beyond 255 (on x86 it
    keeps the low byte: 256.0 is False there); this keeps the truth. Other outputs (byte-swapped,
    unaligned, overlapping) get a temporary, copied in.
    """
    if output.dtype == np.bool_ and not (data.dtype == np.bool_ and order == 0):
        values = np.empty(output.shape, dtype=np.float64)
        resample(data, values)
        np.copyto(output, np.trunc(values) != 0)
        return
    native = output.dtype.newbyteorder("=")
    if native not in CORE_DTYPES:
        raise TypeError(f"zoomflow writes no {output.dtype} output")
    if output.dtype == native and output.flags.aligned and not np.may_share_memory(data, output):
        resample(data, output)
        return
    result = np.empty(output.shape, dtype=native)
    resample(data, result)
    np.copyto(output, result)


def prepare_output(
    output: Union[np.ndarray, DTypeLike, None],
    input: np.ndarray,
    shape: tuple[int, ...],
    complex_input: bool,
) -> np.ndarray:
    """The array to write: a new one of the input's (or the given) dtype, or the given array."""
    if output is None:
        return np.empty(shape, dtype=input.dtype.newbyteorder("="))
    if isinstance(output, np.ndarray):
        if output.shape != shape:
            raise ValueError(f"output has shape {output.shape}; this zoom gives {shape}")
        if complex_input and output.dtype.kind != "c":
            raise TypeError(f"a complex input needs a complex output, not {output.dtype}")
        if not output.flags.writeable:
            raise ValueError("output is read-only")
        return output
    dtype = np.dtype(output)
    if complex_input and dtype.kind != "c":
        warnings.warn("promoting the output dtype to complex for a complex input", stacklevel=3)
        dtype = np.promote_types(dtype, np.complex64)
    if dtype.kind not in "biufc":
        raise TypeError(f"output dtype {dtype} is not numeric")
    return np.empty(shape, dtype=dtype)


def zoom_real(
    input: np.ndarray,
    output: np.ndarray,
    order: int,
    mode: str,
    cval: float,
    prefilter: bool,
    grid_mode: bool,
    threads: int,
) -> None:
    """Zooms a real input into `output` (any real dtype and strides) with the core."""
    spec = make_spec(input.shape, output.shape, order, mode, cval, prefilter, grid_mode)

    def resample(source: np.ndarray, target: np.ndarray) -> None:
        _core.zoom_into(spec, source, target, threads)

    resample_into(resample, as_core_input(input, order), output, order)


def zoom(
    input: ArrayLike,
    zoom: Union[float, Sequence[float]],
    output: Union[np.ndarray, DTypeLike, None] = None,
    order: int = 3,
    mode: str = "constant",
    cval: float = 0.0,
    prefilter: bool = True,
    *,
    grid_mode: bool = False,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Zoom an array, as ``scipy.ndimage.zoom`` does, on all cores.

    The same signature, defaults and results as :func:`scipy.ndimage.zoom`, for every order,
    mode, cval, prefilter and grid mode: order 0 gives identical values, orders 1 to 5 the same
    within floating-point rounding (float64 1e-12 of the data's range, float32 1e-6, integers
    within 1).

    Parameters
    ----------
    input : array_like
        The input array: bool, any integer or floating type the core takes (int8..uint64,
        float32, float64), or complex (real and imaginary parts zoomed apart, as scipy). Any
        strides (views, negative strides, Fortran order) and byte order.
    zoom : float or sequence of float
        The zoom factor for every axis, or one per axis. The output length of an axis of length
        n is ``round(n * zoom)`` (half to even), as scipy's.
    output : ndarray or dtype, optional
        The array to write into (of the output shape, any dtype and strides), or the dtype of
        the returned array. By default the input's dtype.
    order : int, optional
        Spline order, 0..5 (default 3, as scipy).
    mode : str, optional
        scipy's boundary mode (default 'constant'): 'constant', 'grid-constant', 'nearest',
        'reflect', 'grid-mirror', 'mirror', 'wrap' or 'grid-wrap'.
    cval : float, optional
        The value beyond the edges in modes 'constant' and 'grid-constant'.
    prefilter : bool, optional
        Orders 2-5 interpolate prefiltered spline coefficients (default) or the samples
        themselves. With every zoom factor 1 and the prefilter on, the input is copied (scipy's
        early exit).
    grid_mode : bool, optional
        False (default, scipy's): the first and last voxel centres stay put (zoomflow's grid
        'corners'). True: the voxels' full extent is zoomed (grid 'centers').
    threads : int, optional
        Threads to use; None (default) uses all cores. The GIL is released while the core runs.

    Returns
    -------
    ndarray
        The zoomed array; the `output` array itself when one was given.

    Raises
    ------
    ValueError
        For a zoom of the wrong length, a negative or non-finite factor, an order outside 0..5,
        an unknown mode, an output array of the wrong shape, or a rank above 8.
    TypeError
        For an element type zoomflow does not resample (float16, long double, object, ...).

    Examples
    --------
    >>> import numpy as np, zoomflow
    >>> zoomflow.zoom(np.array([[0, 1], [2, 3]], dtype=np.uint8), 2, order=0)
    array([[0, 0, 1, 1],
           [0, 0, 1, 1],
           [2, 2, 3, 3],
           [2, 2, 3, 3]], dtype=uint8)
    """
    order = check_order_and_mode(order, mode)
    threads = threads_of(threads)
    input = np.asarray(input)
    if input.ndim < 1:
        raise ValueError("input must have rank 1 or more")
    factors = normalize_zoom(zoom, input.ndim)
    shape = tuple(int(round(n * z)) for n, z in zip(input.shape, factors))
    complex_input = np.iscomplexobj(input)
    result = prepare_output(output, input, shape, complex_input)
    if grid_mode and mode in ("constant", "wrap"):
        warnings.warn(
            f"with grid_mode=True, mode 'grid-{mode}' is likely what is meant rather than {mode!r}",
            stacklevel=2,
        )
    if prefilter and all(z == 1 for z in factors):
        result[...] = input  # scipy returns the input unchanged here
        return result
    if result.size == 0:
        return result
    if complex_input:
        cval = complex(cval)
        zoom_real(input.real, result.real, order, mode, cval.real, prefilter, grid_mode, threads)
        zoom_real(input.imag, result.imag, order, mode, cval.imag, prefilter, grid_mode, threads)
    elif result.dtype.kind == "c":  # a real input into a complex output: its real part
        zoom_real(input, result.real, order, mode, cval, prefilter, grid_mode, threads)
        result.imag[...] = 0
    else:
        zoom_real(input, result, order, mode, cval, prefilter, grid_mode, threads)
    return result
