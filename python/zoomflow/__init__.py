"""zoomflow: ``scipy.ndimage.zoom`` for volumes larger than memory.

- :func:`zoom`: a drop-in for ``scipy.ndimage.zoom`` on numpy arrays, on all cores.
- :func:`resample`, :func:`pipeline`: out-of-core runs on datasets (``"FILE.h5:/dataset"``),
  as the ``zoomflow`` command runs them, with a progress bar and clean Ctrl-C.
- :func:`info`, :func:`stats`, :func:`compare`, :func:`generate`: the dataset tools.
- :mod:`zoomflow.dask`: exact blockwise zooming of dask arrays (``import zoomflow.dask``).

The C++ core's version is ``zoomflow.__version__``.
"""

from zoomflow._core import __version__
from zoomflow._files import (
    CompareReport,
    DatasetInfo,
    DatasetStats,
    FilterInfo,
    GenerateReport,
    RunReport,
    compare,
    generate,
    info,
    pipeline,
    resample,
    stats,
)
from zoomflow._progress import Progress
from zoomflow._zoom import zoom

__all__ = [
    "CompareReport",
    "DatasetInfo",
    "DatasetStats",
    "FilterInfo",
    "GenerateReport",
    "Progress",
    "RunReport",
    "__version__",
    "compare",
    "generate",
    "info",
    "pipeline",
    "resample",
    "stats",
    "zoom",
]
