"""``zoomflow.zoom``: ``scipy.ndimage.zoom``'s signature, defaults and results, on the C++ core."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import Any, Optional, Union

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


def axis_sampled_outside(
    input_shape: Sequence[int], output_shape: Sequence[int], grid_mode: bool
) -> Optional[int]:
    """The first axis with a sample whose source coordinate lies outside [0, n - 1], or None.

    Computed in the double arithmetic the core and scipy use (zoom = n / m on the centers grid,
    (n - 1) / (m - 1) on the corners grid; s = (i + 0.5) * zoom - 0.5 or i * zoom). The
    coordinates rise with i, so the first and last samples decide. Where no sample falls
    outside, scipy's boundary modes never come into play for orders 0 and 1: every mode gives
    what 'nearest' does. On the corners grid (scipy's grid_mode=False) only rounding puts the
    last sample outside, for about 4 % of (n, m) pairs (256 -> 768 is one).
    """
    for axis, (n, m) in enumerate(zip(input_shape, output_shape)):
        if grid_mode:
            step = n / m
            first = (0 + 0.5) * step - 0.5
            last = ((m - 1) + 0.5) * step - 0.5
        else:
            step = (n - 1) / (m - 1) if m > 1 else 1.0
            first = 0.0
            last = (m - 1) * step
        if first < 0 or last > n - 1:
            return axis
    return None


def require_core_order_and_mode(order: int, mode: str) -> None:
    """NotImplementedError unless the core computes this order with this mode everywhere."""
    if order not in _core.ORDERS:
        available = " and ".join(str(o) for o in sorted(_core.ORDERS))
        raise NotImplementedError(
            f"order {order} is not available yet in this build of zoomflow; orders {available} are"
        )
    if mode not in _core.MODES:
        available = ", ".join(repr(m) for m in _core.MODES)
        raise NotImplementedError(
            f"mode {mode!r} is not available yet in this build of zoomflow; mode {available} is"
        )


def core_order_and_mode(
    order: int, mode: str, input_shape: Sequence[int], output_shape: Sequence[int], grid_mode: bool
) -> tuple[int, str]:
    """The core's (order, mode) that computes scipy's (order, mode) here, or NotImplementedError.

    For orders 0 and 1 the mode only matters where a sample falls outside the input; where none
    does, the core's 'nearest' computes every mode.
    """
    outside = axis_sampled_outside(input_shape, output_shape, grid_mode)
    if order <= 1 and order in _core.ORDERS and outside is None:
        return order, "nearest"
    try:
        require_core_order_and_mode(order, mode)
    except NotImplementedError as error:
        if order in _core.ORDERS and order <= 1 and outside is not None:
            n, m = input_shape[outside], output_shape[outside]
            raise NotImplementedError(
                f"{error}; and for orders 0 and 1 any mode is where no sample falls outside the "
                f"input, but here samples of axis {outside} ({n} -> {m}, grid_mode={grid_mode}) "
                f"do"
            ) from None
        raise
    return order, mode


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


def threads_of(threads: Optional[int]) -> int:
    """The core's thread count: 0 (all cores) for None."""
    if threads is None:
        return 0
    threads = operator.index(threads)
    if threads < 1:
        raise ValueError(f"threads must be positive or None (all cores), not {threads}")
    return threads


def as_core_input(array: np.ndarray) -> np.ndarray:
    """The array as the core reads it: a supported dtype in native byte order, aligned."""
    native = array.dtype.newbyteorder("=")
    if native not in CORE_DTYPES:
        raise TypeError(
            f"zoomflow resamples bool, int8..int64, uint8..uint64, float32, float64 and complex "
            f"arrays, not {array.dtype}"
        )
    if array.dtype != native or not array.flags.aligned:
        return array.astype(native)
    return array


def store_like_scipy(values: np.ndarray, output: np.ndarray) -> None:
    """Writes double values into `output` as scipy.ndimage converts its results.

    Integers round half away from zero and saturate (unsigned: negative values become 0), bool is
    the truncated value's truth, floating types round to nearest. (scipy's conversion to bool is
    C's, undefined beyond 255; on x86 it keeps the low byte, so 256.0 is False there.)
    """
    kind = output.dtype.kind
    if kind in "fc":
        np.copyto(output, values, casting="unsafe")
    elif kind == "b":
        np.copyto(output, np.trunc(values) != 0)
    else:
        info = np.iinfo(output.dtype)
        if kind == "u":
            rounded = np.where(values > 0, values + 0.5, 0.0)
        else:
            rounded = np.where(values > 0, values + 0.5, values - 0.5)
        # The largest doubles that convert into range (2^64 - 1 is not a double).
        high = np.nextafter(float(info.max) + 1.0, 0.0)
        low = float(info.min)
        np.clip(rounded, low, high, out=rounded)
        np.copyto(output, rounded, casting="unsafe")


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
    grid_mode: bool,
    threads: int,
) -> None:
    """Zooms a real input into `output` (any dtype and strides) with the core."""
    core_order, core_mode = core_order_and_mode(order, mode, input.shape, output.shape, grid_mode)
    spec = _core.ResampleSpec(
        input.shape, output.shape, core_order, core_mode, "centers" if grid_mode else "corners"
    )
    data = as_core_input(input)
    direct = (
        output.dtype == data.dtype
        and output.flags.aligned
        and not (data.dtype == np.bool_ and order > 0)
        and not np.may_share_memory(data, output)
    )
    if direct:
        _core.zoom_into(spec, data, output, threads)
        return
    # Another output dtype (or bool interpolated): values as scipy holds them, in double; order 0
    # copies voxels, so it can stay in the input's type until the final conversion.
    work = data if order == 0 else data.astype(np.float64)
    result = np.empty(output.shape, dtype=work.dtype)
    _core.zoom_into(spec, work, result, threads)
    if order == 0 and output.dtype == data.dtype:
        np.copyto(output, result)
    else:
        store_like_scipy(result.astype(np.float64, copy=False), output)


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

    The same signature, defaults and results as :func:`scipy.ndimage.zoom`: order 0 gives
    identical values, order 1 the same within floating-point rounding (integers within 1). The
    orders and modes that the C++ core does not compute yet raise NotImplementedError naming
    what is missing; today those are orders 0 and 1 with mode 'nearest', and with any mode where
    no sample falls outside the input (always so for grid_mode=False, scipy's default).

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
        Spline order, 0..5 (default 3, as scipy). Orders the core lacks raise NotImplementedError.
    mode : str, optional
        scipy's boundary mode (default 'constant').
    cval : float, optional
        Value beyond the edges for mode 'constant' (unused where no sample falls outside).
    prefilter : bool, optional
        As scipy's (only orders above 1 prefilter). With every zoom factor 1 the input is copied.
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
    NotImplementedError
        For an order or mode the C++ core does not compute yet.
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
        zoom_real(input.real, result.real, order, mode, grid_mode, threads)
        zoom_real(input.imag, result.imag, order, mode, grid_mode, threads)
    else:
        zoom_real(input, result, order, mode, grid_mode, threads)
    return result
