"""zoomflow.dask.zoom on dask.distributed: a LocalCluster of 2 worker processes resamples a
dask array read from Zarr and writes it with to_zarr; the bytes equal a single-process
`zoomflow resample` of the same Zarr array into Zarr (both read back with zarr-python)."""

from __future__ import annotations

import logging
import subprocess

import dask.array as da
import numpy as np
import pytest
import zarr
from conftest import random_array
from distributed import Client, LocalCluster, wait

import zoomflow.dask


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize(
    "dtype,factors,order,mode,grid",
    [
        (np.uint16, (2.0, 1.5, 0.5), 1, "nearest", "centers"),
        (np.bool_, (2.5, 0.7, 2.0), 0, "nearest", "corners"),
        (np.float32, (1.5, 2.0, 0.6), 3, "reflect", "corners"),  # the prefilter's halo
    ],
)
def test_cluster_run_equals_the_command(
    client, cli, tmp_path, rng, dtype, factors, order, mode, grid
):
    x = random_array(rng, (80, 36, 30), dtype)
    source = zarr.create_array(
        store=str(tmp_path / "in.zarr"), shape=x.shape, chunks=(16, 16, 16), dtype=x.dtype
    )
    source[...] = x

    array = da.from_zarr(str(tmp_path / "in.zarr"))
    result = zoomflow.dask.zoom(
        array,
        factors,
        order=order,
        mode=mode,
        grid_mode=grid == "centers",
        output_chunks=(24, 20, 16),
    )
    result = client.persist(result)
    wait(result)
    # Both workers computed blocks.
    holders = {w for ws in client.who_has(result).values() for w in ws}
    assert len(holders) == 2
    result.to_zarr(str(tmp_path / "out.zarr"))
    got = zarr.open_array(str(tmp_path / "out.zarr"), mode="r")[...]

    subprocess.run(
        [
            cli,
            "resample",
            str(tmp_path / "in.zarr"),
            str(tmp_path / "cli.zarr"),
            "--zoom",
            ",".join(str(z) for z in factors),
            "--order",
            str(order),
            "--mode",
            mode,
            "--grid",
            grid,
            "--quiet",
        ],
        check=True,
    )
    want = zarr.open_array(str(tmp_path / "cli.zarr"), mode="r")[...]
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()
