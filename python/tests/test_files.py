"""File runs from Python: zoomflow.resample and zoomflow.pipeline against scipy and the command,
progress, KeyboardInterrupt leaving nothing behind, errors of the fitting type carrying the
command's message, and info/stats/compare/generate against h5py and numpy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401  (zstd for h5py, to read zoomflow's output)
import numpy as np
import pytest
import scipy.ndimage as ndi
from conftest import random_array

import zoomflow


def write_h5(path: Path, data: np.ndarray, name: str = "v", **options) -> str:
    with h5py.File(path, "a") as f:
        f.create_dataset(name, data=data, **options)
    return f"{path}:/{name}"


def read_h5(spec: str) -> np.ndarray:
    file, name = spec.rsplit(":", 1)
    with h5py.File(file, "r") as f:
        return f[name][...]


def folder_names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize(
    "order,grid", [(0, "centers"), (0, "corners"), (1, "centers"), (1, "corners"), (3, "corners")]
)
def test_resample_matches_scipy(tmp_path, rng, order, grid):
    x = random_array(rng, (30, 41, 25), np.uint16)
    src = write_h5(tmp_path / "in.h5", x, chunks=(16, 16, 16))
    dst = f"{tmp_path / 'out.h5'}:/v"
    report = zoomflow.resample(
        src, dst, zoom=(2, 1.5, 0.5), order=order, grid=grid, chunks=(32, 32, 16), progress=False
    )
    got = read_h5(dst)
    want = ndi.zoom(x, (2, 1.5, 0.5), order=order, mode="nearest", grid_mode=grid == "centers")
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.abs(got.astype(int) - want.astype(int)).max() <= (0 if order == 0 else 1)
    assert isinstance(report, zoomflow.RunReport)
    assert report.output_bytes == got.nbytes and report.blocks >= 1 and report.backend == "cpu"
    # 2 x 3 x 2 chunks of 16^3, each decoded once (the cache holds the whole input).
    assert report.input_chunks == 12 and report.input_chunks_decoded == 12
    # The same as the in-memory zoom, byte for byte, and a shape works as the zoom does.
    np.testing.assert_array_equal(
        got,
        zoomflow.zoom(x, (2, 1.5, 0.5), order=order, mode="nearest", grid_mode=grid == "centers"),
    )
    zoomflow.resample(
        src,
        f"{tmp_path / 'shape.h5'}:/v",
        shape=got.shape,
        order=order,
        grid=grid,
        progress=False,
        backend="cpu",
        memory_limit=64 << 20,
        threads=1,
    )
    np.testing.assert_array_equal(read_h5(f"{tmp_path / 'shape.h5'}:/v"), got)


@pytest.mark.parametrize("mode,prefilter", [("constant", True), ("mirror", False)])
def test_resample_splines_and_modes_match_scipy(tmp_path, rng, mode, prefilter):
    x = random_array(rng, (70, 33, 20), np.float32)
    src = write_h5(tmp_path / "in.h5", x, chunks=(16, 16, 16))
    dst = f"{tmp_path / 'out.h5'}:/v"
    zoomflow.resample(
        src,
        dst,
        zoom=(1.5, 0.7, 2),
        order=3,
        mode=mode,
        cval=-2.5,
        prefilter=prefilter,
        grid="corners",
        chunks=(24, 16, 8),
        progress=False,
    )
    got = read_h5(dst)
    want = ndi.zoom(x, (1.5, 0.7, 2), order=3, mode=mode, cval=-2.5, prefilter=prefilter)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6 * np.abs(want).max())
    # The file run's bytes are the in-memory zoom's.
    assert (
        got.tobytes()
        == zoomflow.zoom(
            x, (1.5, 0.7, 2), order=3, mode=mode, cval=-2.5, prefilter=prefilter
        ).tobytes()
    )


def test_zarr_and_n5_runs(tmp_path, rng):
    zarr = pytest.importorskip("zarr")
    x = random_array(rng, (40, 30, 20), np.uint16)
    for version in (2, 3):
        source = zarr.create_array(
            store=str(tmp_path / f"in{version}.zarr"),
            shape=x.shape,
            chunks=(16, 16, 16),
            dtype=x.dtype,
            zarr_format=version,
        )
        source[...] = x
    want = ndi.zoom(x, 1.5, order=1)  # scipy's grid (corners) and mode 'constant'
    for version in (2, 3):
        out = tmp_path / f"out{version}.zarr"
        zoomflow.resample(
            tmp_path / f"in{version}.zarr",
            out,
            zoom=1.5,
            order=1,
            mode="constant",
            grid="corners",
            chunks=(16, 16, 16),
            shards=(32, 32, 32),
            progress=False,
        )
        got = zarr.open_array(str(out), mode="r")[...]
        assert got.dtype == want.dtype and np.abs(got.astype(int) - want.astype(int)).max() <= 1
        info = zoomflow.info(out)
        assert info.format == "zarr3" and info.shape == want.shape
        assert info.chunks == (16, 16, 16) and info.shards == (32, 32, 32)
        assert any("zstd(level=1)" in codec for codec in info.codecs), info.codecs
    assert zoomflow.info(tmp_path / "in2.zarr").format == "zarr2"
    zoomflow.pipeline(
        tmp_path / "in3.zarr",
        f"{tmp_path / 'out.n5'}:/v",
        ["resample:zoom=1.5,order=1,mode=constant,grid=corners"],
        progress=False,
    )
    assert zoomflow.info(f"{tmp_path / 'out.n5'}:/v").format == "n5"
    assert zoomflow.compare(f"{tmp_path / 'out.n5'}:/v", tmp_path / "out3.zarr").identical


def test_progress_callback_is_called_in_the_calling_thread(tmp_path, rng):
    x = random_array(rng, (64, 64, 64), np.uint8)
    src = write_h5(tmp_path / "in.h5", x, chunks=(16, 16, 16))
    calls = []

    def progress(p: zoomflow.Progress) -> None:
        assert threading.current_thread() is threading.main_thread()
        calls.append(p)

    report = zoomflow.resample(
        src,
        f"{tmp_path / 'out.h5'}:/v",
        zoom=2,
        order=1,
        chunks=(8, 8, 8),
        memory_limit="64MiB",
        progress=progress,
    )
    assert calls, "no progress reported"
    done = [p.blocks_done for p in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    last = calls[-1]
    assert last.blocks_done == last.blocks_total == report.blocks
    assert last.output_bytes_done == last.output_bytes_total == 128**3


def test_progress_bar_when_tqdm_is_installed(tmp_path, rng, capsys):
    pytest.importorskip("tqdm")
    src = write_h5(tmp_path / "in.h5", random_array(rng, (32, 32, 32), np.uint8))
    zoomflow.resample(src, f"{tmp_path / 'out.h5'}:/v", zoom=2, progress=True)
    assert "resample" in capsys.readouterr().err
    zoomflow.resample(src, f"{tmp_path / 'quiet.h5'}:/v", zoom=2, progress=False)
    assert capsys.readouterr().err == ""


def long_input(folder: Path) -> str:
    """A volume whose x4 linear resampling takes a few seconds (an 0.5 GB output)."""
    src = f"{folder / 'in.h5'}:/v"
    zoomflow.generate(src, (128, 128, 128), dtype="uint16", pattern="noise", chunks=(32, 32, 32))
    return src


def test_sigint_in_process_cancels_and_leaves_nothing(tmp_path):
    src = long_input(tmp_path)
    before = zoomflow.stats(src)
    interrupted_at = []

    def progress(p: zoomflow.Progress) -> None:
        if not interrupted_at:
            interrupted_at.append((time.perf_counter(), p.blocks_done, p.blocks_total))
            signal.raise_signal(signal.SIGINT)  # what Ctrl-C delivers

    with pytest.raises(KeyboardInterrupt):
        zoomflow.resample(
            src,
            f"{tmp_path / 'out.h5'}:/v",
            zoom=4,
            order=1,
            chunks=(32, 32, 32),
            progress=progress,
        )
    stopped = time.perf_counter()
    at, done, total = interrupted_at[0]
    assert done < total
    assert stopped - at < 5
    assert folder_names(tmp_path) == {"in.h5"}  # no output, no temporary
    assert zoomflow.stats(src) == before  # the input untouched


def test_sigint_stops_generate_stats_and_compare(tmp_path):
    # They report no progress: the signal comes from a timer while they run.
    def interrupted(call) -> float:
        timer = threading.Timer(0.3, signal.raise_signal, (signal.SIGINT,))
        start = time.perf_counter()
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                call()
        finally:
            timer.cancel()
        return time.perf_counter() - start

    big = f"{tmp_path / 'big.h5'}:/v"
    assert (
        interrupted(lambda: zoomflow.generate(big, (768,) * 3, dtype="uint16", pattern="noise")) < 5
    )
    assert folder_names(tmp_path) == set()  # nothing at the name, no temporary
    # stats and compare of a small input finish within the timer: their cancel flag, set at
    # once, stops them in the core (kCancelled, raised as KeyboardInterrupt).
    src = long_input(tmp_path)
    # Each run starts just before its cancel: both started at once, the second could finish while
    # the first is waited for (it did, on a loaded machine).
    for start in (lambda: zoomflow._core.start_stats(src, 0),
                  lambda: zoomflow._core.start_compare(src, src, 0)):
        run = start()
        run.cancel()
        run.wait(-1)
        with pytest.raises(KeyboardInterrupt, match="cancelled"):
            run.report()
    assert folder_names(tmp_path) == {"in.h5"}


def test_exception_in_progress_callback_cancels(tmp_path):
    src = long_input(tmp_path)

    def progress(p: zoomflow.Progress) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        zoomflow.pipeline(
            src, f"{tmp_path / 'out.h5'}:/v", ["resample:zoom=4,order=1"], progress=progress
        )
    assert folder_names(tmp_path) == {"in.h5"}


def test_sigint_to_a_python_process_running_a_resample(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys
        import zoomflow
        src = "{tmp_path}/in.h5:/v"
        zoomflow.generate(src, (128,) * 3, dtype="uint16", pattern="noise", chunks=(32,) * 3)
        started = []
        def progress(p):
            if not started:
                started.append(1)
                print("started", flush=True)
        try:
            zoomflow.resample(src, "{tmp_path}/out.h5:/v", zoom=4, order=1, progress=progress)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished", flush=True)
    """)
    )
    child = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        assert child.stdout.readline().strip() == "started"
        child.send_signal(signal.SIGINT)
        sent = time.perf_counter()
        rest, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert rest.strip() == "interrupted"
    assert child.returncode == 130
    assert time.perf_counter() - sent < 10
    assert folder_names(tmp_path) == {"in.h5", "run.py"}


def command_error(cli: str, *args: str) -> str:
    """The message of the command's one-line error, without its prefix."""
    run = subprocess.run([cli, *args], capture_output=True, text=True)
    assert run.returncode != 0
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith("zoomflow: error: "), line
    return line[len("zoomflow: error: ") :]


def test_errors_have_the_fitting_type_and_the_commands_message(tmp_path, rng, cli):
    x = random_array(rng, (8, 8, 8), np.uint8)
    src = write_h5(tmp_path / "in.h5", x)
    write_h5(tmp_path / "two.h5", x, name="a")
    write_h5(tmp_path / "two.h5", x, name="b")
    mask = write_h5(tmp_path / "mask.h5", x > 100)
    # Data LZF shrinks: h5py's LZF filter is optional and stores a chunk it cannot shrink
    # unfiltered, which zoomflow then reads as HDF5 does.
    lzf = write_h5(tmp_path / "lzf.h5", x // 64, chunks=(4, 4, 4), compression="lzf")
    (tmp_path / "text.h5").write_text("not HDF5\n")
    existing = f"{tmp_path / 'exists.h5'}:/v"
    zoomflow.resample(src, existing, zoom=2, progress=False)

    cases = [
        (FileNotFoundError, f"{tmp_path / 'missing.h5'}:/v", f"{tmp_path / 'o1.h5'}:/v", []),
        (FileNotFoundError, src, f"{tmp_path / 'no' / 'folder.h5'}:/v", []),
        (FileExistsError, src, existing, []),
        (ValueError, f"{tmp_path / 'text.h5'}", f"{tmp_path / 'o2.h5'}:/v", []),
        (ValueError, f"{tmp_path / 'two.h5'}", f"{tmp_path / 'o3.h5'}:/v", []),
        (ValueError, mask, f"{tmp_path / 'o4.h5'}:/v", ["--order", "1"]),
        (ValueError, src, src, []),
        (OSError, lzf, f"{tmp_path / 'o5.h5'}:/v", []),
    ]
    for error_type, source, target, flags in cases:
        order = int(flags[1]) if flags else 0
        with pytest.raises(error_type) as caught:
            zoomflow.resample(source, target, zoom=2, order=order, progress=False)
        assert str(caught.value) == command_error(
            cli, "resample", source, target, "--zoom", "2", *flags, "--quiet"
        ), error_type
    with pytest.raises(ValueError) as caught:
        zoomflow.resample(src, f"{tmp_path / 'o6.h5'}:/v", zoom=2, compression="lz4")
    assert str(caught.value) == command_error(
        cli, "resample", src, f"{tmp_path / 'o6.h5'}:/v", "--zoom", "2", "--compression", "lz4"
    )
    with pytest.raises(ValueError) as caught:
        zoomflow.resample(src, f"{tmp_path / 'o7.h5'}:/v", zoom=2, memory_limit="12XB")
    assert str(caught.value) == command_error(
        cli, "resample", src, f"{tmp_path / 'o7.h5'}:/v", "--zoom", "2", "--memory-limit", "12XB"
    )
    with pytest.raises(ValueError) as caught:
        zoomflow.pipeline(src, f"{tmp_path / 'o8.h5'}:/v", ["clip:lo=5", "cast:uint7"])
    assert str(caught.value) == command_error(
        cli, "pipeline", src, f"{tmp_path / 'o8.h5'}:/v", "clip:lo=5", "cast:uint7"
    )
    # Nothing was left behind by any of them.
    assert folder_names(tmp_path) == {
        "in.h5",
        "two.h5",
        "mask.h5",
        "lzf.h5",
        "text.h5",
        "exists.h5",
    }


def test_backend_cuda_runs_or_says_why(tmp_path, rng):
    x = random_array(rng, (20, 20, 20), np.uint16)
    src = write_h5(tmp_path / "in.h5", x)
    try:
        report = zoomflow.resample(
            src, f"{tmp_path / 'gpu.h5'}:/v", zoom=2, order=1, backend="cuda", progress=False
        )
    except RuntimeError as error:  # no usable GPU here: the core's reason, and no file
        assert "cuda" in str(error).lower() or "gpu" in str(error).lower(), error
        assert not (tmp_path / "gpu.h5").exists()
        return
    assert report.backend == "cuda"
    zoomflow.resample(
        src, f"{tmp_path / 'cpu.h5'}:/v", zoom=2, order=1, backend="cpu", progress=False
    )
    assert zoomflow.compare(f"{tmp_path / 'gpu.h5'}:/v", f"{tmp_path / 'cpu.h5'}:/v").identical


def test_refusals_before_any_work(tmp_path, rng):
    src = write_h5(tmp_path / "in.h5", random_array(rng, (8, 8), np.float32))
    dst = f"{tmp_path / 'out.h5'}:/v"
    with pytest.raises(ValueError, match="spline order 6"):
        zoomflow.resample(src, dst, zoom=2, order=6)
    with pytest.raises(ValueError, match="exactly one of zoom and shape"):
        zoomflow.resample(src, dst, zoom=2, shape=(16, 16))
    with pytest.raises(ValueError, match="boundary mode 'edge'"):
        zoomflow.resample(src, dst, zoom=2, mode="edge")
    with pytest.raises(TypeError, match="a step is a string"):
        zoomflow.pipeline(src, dst, [3])
    assert folder_names(tmp_path) == {"in.h5"}


def test_pipeline_steps_as_text_and_dicts_equal_the_command(tmp_path, rng, cli):
    x = random_array(rng, (20, 24, 16), np.uint16)
    src = write_h5(tmp_path / "in.h5", x, chunks=(8, 8, 8))
    steps = ["gaussian:sigma=1", "resample:zoom=0.5,order=1", "scale:mul=0.255,add=0", "cast:uint8"]
    as_dicts = [
        {"step": "gaussian", "sigma": 1},
        {"step": "resample", "zoom": 0.5, "order": 1},
        {"step": "scale", "mul": 0.255, "add": 0},
        {"step": "cast", "dtype": "uint8"},
    ]
    zoomflow.pipeline(src, f"{tmp_path / 'text.h5'}:/v", steps, progress=False)
    zoomflow.pipeline(
        src, f"{tmp_path / 'dicts.h5'}:/v", [as_dicts[0], *steps[1:3], as_dicts[3]], progress=False
    )
    subprocess.run(
        [cli, "pipeline", src, f"{tmp_path / 'cli.h5'}:/v", *steps, "--quiet"], check=True
    )
    want = read_h5(f"{tmp_path / 'cli.h5'}:/v")
    assert want.dtype == np.uint8
    for name in ("text", "dicts"):
        got = read_h5(f"{tmp_path / name}.h5:/v")
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    assert zoomflow.compare(f"{tmp_path / 'text.h5'}:/v", f"{tmp_path / 'cli.h5'}:/v").identical


def test_generate_info_stats_compare_against_h5py_and_numpy(tmp_path):
    path = f"{tmp_path / 'g.h5'}:/labels"
    report = zoomflow.generate(
        path, (40, 50, 30), dtype="int32", pattern="labels", seed=3, chunks=(16, 16, 16)
    )
    assert report.chunk_shape == (16, 16, 16) and report.chunks == 3 * 4 * 2
    data = read_h5(path)

    info = zoomflow.info(path)
    with h5py.File(tmp_path / "g.h5", "r") as f:
        d = f["labels"]
        assert info.shape == d.shape and info.dtype == d.dtype.name and info.chunks == d.chunks
        assert info.chunked and info.raw_bytes == d.size * d.dtype.itemsize
        assert info.storage_bytes == d.id.get_storage_size()
        assert set(info.attributes) == set(d.attrs)
    assert info.filters[0].id == 32015  # zstd
    assert zoomflow.info(tmp_path / "g.h5") == info  # a file's only dataset

    stats = zoomflow.stats(path, threads=1)
    assert stats.shape == data.shape and stats.dtype == "int32" and stats.count == data.size
    assert stats.nonzero == np.count_nonzero(data)
    assert (
        stats.min == data.min()
        and stats.max == data.max()
        and stats.sum == data.sum(dtype=np.int64)
    )
    assert stats.mean == pytest.approx(data.mean())
    assert isinstance(stats.sum, int) and stats.nan_count == 0

    other = write_h5(tmp_path / "other.h5", data, chunks=(7, 11, 30))
    same = zoomflow.compare(path, other)
    assert same.identical and same.differing == 0 and same.compared == data.size
    changed = data.copy()
    changed[3, 4, 5] += 7
    changed[30, 1, 2] -= 2
    third = write_h5(tmp_path / "third.h5", changed)
    diff = zoomflow.compare(path, third)
    assert not diff.identical and diff.differing == 2
    assert diff.first_difference == (3, 4, 5) and diff.max_abs_difference == 7
    assert (diff.value_a, diff.value_b) == (data[3, 4, 5], changed[3, 4, 5])
    with pytest.raises(FileNotFoundError):
        zoomflow.stats(tmp_path / "missing.h5")
    with pytest.raises(FileExistsError):
        zoomflow.generate(path, (4, 4), dtype="uint8")
    with pytest.raises(ValueError, match="unknown dtype 'uint7'"):
        zoomflow.generate(f"{tmp_path / 'x.h5'}:/v", (4, 4), dtype="uint7")


def test_reductions_and_pyramids_match_tensorstore(tmp_path, rng):
    ts = pytest.importorskip("tensorstore")
    zarr = pytest.importorskip("zarr")
    labels = rng.integers(0, 4, (21, 30, 17)).astype(np.uint32)
    image = random_array(rng, (21, 30, 17), np.uint16)
    src = write_h5(tmp_path / "in.h5", labels, "labels", chunks=(8, 8, 8))
    write_h5(tmp_path / "in.h5", image, "image", chunks=(8, 8, 8))
    image_src = f"{tmp_path / 'in.h5'}:/image"

    def downsample(a, factors, method):
        return ts.downsample(ts.array(a), list(factors), method).read().result()

    report = zoomflow.resample(
        src, f"{tmp_path / 'mode.h5'}:/v", method="mode", factors=(2, 3, 2), progress=False
    )
    np.testing.assert_array_equal(read_h5(f"{tmp_path / 'mode.h5'}:/v"),
                                  downsample(labels, (2, 3, 2), "mode"))
    assert report.output_bytes == 11 * 10 * 9 * 4
    zoomflow.resample(image_src, f"{tmp_path / 'mean.h5'}:/v", method="mean", zoom=0.5,
                      progress=False)
    np.testing.assert_array_equal(read_h5(f"{tmp_path / 'mean.h5'}:/v"),
                                  downsample(image, (2, 2, 2), "mean"))

    out = tmp_path / "p.zarr"
    report = zoomflow.pyramid(image_src, out, method="mean", levels=3,
                              factors=[(1, 2, 2), (2, 2, 2)], chunks=(8, 8, 8), progress=False)
    assert isinstance(report, zoomflow.PyramidReport)
    assert report.total_factors == ((1, 1, 1), (1, 2, 2), (2, 4, 4))
    assert report.input_bytes_read == image.nbytes
    for k, total in enumerate(report.total_factors):
        level = zarr.open_array(str(out / str(k)), mode="r")[...]
        assert level.shape == report.level_shapes[k]
        np.testing.assert_array_equal(level, downsample(image, total, "mean"))

    with pytest.raises(ValueError, match="not an integer"):
        zoomflow.resample(src, f"{tmp_path / 'x.h5'}:/v", method="mode", zoom=0.3, progress=False)
    with pytest.raises(ValueError, match="not to a shape"):
        zoomflow.resample(src, f"{tmp_path / 'x.h5'}:/v", method="mode", shape=(4, 4, 4))
    with pytest.raises(ValueError, match="factors go with"):
        zoomflow.resample(src, f"{tmp_path / 'x.h5'}:/v", zoom=0.5, factors=2)
    with pytest.raises(ValueError, match="method"):
        zoomflow.pyramid(src, tmp_path / "q.zarr", method="average", levels=2, progress=False)
    with pytest.raises(FileExistsError):
        zoomflow.pyramid(image_src, out, method="max", levels=2, progress=False)
    assert not (tmp_path / "x.h5").exists() and not (tmp_path / "q.zarr").exists()
