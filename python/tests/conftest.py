"""Shared fixtures of the zoomflow package's tests: data, and the zoomflow command when built."""

from __future__ import annotations

import os
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]

# Every element type the core resamples in its own type.
DTYPES = [
    np.bool_,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float32,
    np.float64,
]


def random_array(rng: np.random.Generator, shape, dtype) -> np.ndarray:
    """Values spread over much of the type's range; 64-bit integers kept below 2^52 in
    magnitude, where scipy's double arithmetic is exact too."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -(2**52)), min(info.max, 2**52)
        return rng.integers(lo, hi, shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(shape) * 1000).astype(dtype)


@pytest.fixture
def rng(request) -> np.random.Generator:
    # One seed per test (not hash(): it changes between processes), so a failure reproduces;
    # ZOOMFLOW_TEST_SEED draws another set.
    salt = os.environ.get("ZOOMFLOW_TEST_SEED", "")
    return np.random.default_rng(zlib.crc32((salt + request.node.nodeid).encode()))


@pytest.fixture(scope="session")
def cli() -> str:
    """The zoomflow command (ZOOMFLOW_CLI from the build, else on PATH); skips without it."""
    path = os.environ.get("ZOOMFLOW_CLI") or shutil.which("zoomflow")
    if not path or not os.path.exists(path):
        pytest.skip("the zoomflow command is not built (set ZOOMFLOW_CLI)")
    return path
