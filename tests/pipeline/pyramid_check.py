"""`zoomflow pyramid` through the whole tool against independent readers: every level of every
format equals TensorStore's direct reduction of level 0 by the product of the factors (the
stated rule where TensorStore's sort leaves float mode/median to chance); ome-zarr-py opens the
OME-Zarr pyramids (0.5 beside Zarr v3, 0.4 beside v2) and reads every level with its scale and
half-voxel translation; TensorStore opens every level of the N5 pyramid, whose attributes are
n5-viewer's; h5py reads the HDF5 pyramid's datasets, element_size_um and multiscales; `zoomflow
info` lists the levels of each; other chunks and threads give the same bytes; refusals are one
line, exit 2, no output; a SIGINT leaves nothing; peak RSS (os.wait4) stays under
--memory-limit plus a fixed overhead, as deep as the levels go.

Usage: pyramid_check.py ZOOMFLOW PLUGIN_DIR"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernels"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "storage"))
from storage_testlib import wait_until_staged  # noqa: E402
try:
    import tensorstore as ts
    import zarr
    from downsample_rules import expected, first_difference, random_array
    from ome_zarr.format import FormatV04, FormatV05
    from ome_zarr.io import parse_url
    from ome_zarr.reader import Reader
except ImportError as missing:  # the venv of tests/requirements.txt has them
    print(f"skipped: {missing}")
    sys.exit(77)

zoomflow, plugin_dir = sys.argv[1], sys.argv[2]
os.environ["HDF5_PLUGIN_PATH"] = plugin_dir
MiB = 2**20
rng = np.random.default_rng(20261212)
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed += bool(ok)
    failed += not ok


def run(*args):
    return subprocess.run([zoomflow, *map(str, args)], capture_output=True, text=True)


# Peak RSS is measured by a bare interpreter that starts zoomflow and waits for it: a child's
# ru_maxrss includes the memory of the process it was exec'ed from (Linux keeps the old image's
# high-water mark at exec), and this one holds TensorStore, zarr and the test's arrays.
MEASURE = """import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


def peak_rss(*args):
    """Runs zoomflow; returns (exit status, stderr, its own peak RSS in bytes)."""
    result = subprocess.run([sys.executable, "-S", "-c", MEASURE, zoomflow, *map(str, args)],
                            capture_output=True, text=True)
    code, rss = result.stdout.split()
    return int(code), result.stderr, int(rss)


def level_names(fmt, count):
    return [f"s{k}" if fmt == "n5" else str(k) for k in range(count)]


def read_level(fmt, out, name):
    if fmt == "n5":  # TensorStore keeps N5's axis order (fastest first): transposed
        store = ts.open({"driver": "n5", "kvstore": {"driver": "file", "path": f"{out}/{name}"}})
        return store.result().read().result().T
    if fmt == "hdf5":
        with h5py.File(out, "r") as f:
            return f[name][...]
    return zarr.open_array(f"{out}/{name}", mode="r")[...]


def suffix(fmt):
    return {"zarr3": ".zarr", "zarr2": ".zarr", "n5": ".n5", "hdf5": ".h5"}[fmt]


def check_metadata(fmt, out, totals, voxel, centred, where):
    """The multiscale description each format's viewers read."""
    scales = [[v * f for v, f in zip(voxel, t)] for t in totals]
    shifts = [[v * (f - 1) / 2 for v, f in zip(voxel, t)] for t in totals]
    if fmt in ("zarr3", "zarr2"):
        version_format = FormatV05() if fmt == "zarr3" else FormatV04()
        nodes = list(Reader(parse_url(out, fmt=version_format))())
        node = nodes[0]
        transforms = node.metadata["coordinateTransformations"]
        got_scales = [[t for t in level if t["type"] == "scale"][0]["scale"] for level in transforms]
        got_shifts = [([t for t in level if t["type"] == "translation"] or
                       [{"translation": [0.0] * len(voxel)}])[0]["translation"]
                      for level in transforms]
        want_shifts = shifts if centred else [[0.0] * len(voxel) for _ in totals]
        attrs = zarr.open_group(out, mode="r").attrs.asdict()
        version = attrs["ome"]["version"] if "ome" in attrs else attrs["multiscales"][0]["version"]
        check(np.allclose(got_scales, scales) and np.allclose(got_shifts, want_shifts) and
              version == ("0.5" if fmt == "zarr3" else "0.4") and
              [d.shape for d in node.data] == [read_level(fmt, out, n).shape
                                               for n in level_names(fmt, len(totals))],
              f"{where}: ome-zarr-py reads {len(node.data)} levels, OME-Zarr {version}, scales "
              f"{got_scales[-1]} and translations {got_shifts[-1]} at the last")
    elif fmt == "n5":
        with open(f"{out}/attributes.json") as f:
            root = json.load(f)
        levels_ok = True
        for k, name in enumerate(level_names(fmt, len(totals))):
            with open(f"{out}/{name}/attributes.json") as f:
                attrs = json.load(f)
            levels_ok &= attrs["downsamplingFactors"] == list(reversed(totals[k]))
            levels_ok &= np.allclose(attrs["pixelResolution"]["dimensions"], voxel[::-1])
        check(levels_ok and root["scales"] == [list(reversed(t)) for t in totals] and
              root["multiScale"] is True,
              f"{where}: n5-viewer attributes (scales, downsamplingFactors, pixelResolution)")
    else:
        with h5py.File(out, "r") as f:
            multiscales = json.loads(f.attrs["multiscales"])
            sizes = [list(f[name].attrs["element_size_um"])
                     for name in level_names(fmt, len(totals))]
        paths = [d["path"] for d in multiscales[0]["datasets"]]
        check(np.allclose(sizes, scales) and paths == level_names(fmt, len(totals)),
              f"{where}: h5py reads element_size_um per level and the multiscales attribute")


def info_levels(out):
    result = run("info", out, "--json")
    if result.returncode != 0:
        return None
    return [level["shape"] for level in json.loads(result.stdout)["ome"]["levels"]]


with tempfile.TemporaryDirectory(prefix="zoomflow-pyramid-") as d:
    cases = (
        # dtype, shape, method, levels/factors options, format, voxel size (element_size_um)
        ("uint16", (53, 70, 45), "mean", ["--levels", "4"], "zarr3", (0.5, 0.25, 0.25)),
        ("uint32", (40, 61, 37), "mode", ["--until-chunk", "--factors", "2"], "n5", (1, 1, 1)),
        ("float32", (33, 30, 47), "mean", ["--levels", "3", "--factors", "2,3,1:1,2,2"], "hdf5",
         (2.0, 1.0, 1.0)),
        ("int16", (29, 45, 50), "median", ["--levels", "4"], "zarr2", (1, 1, 1)),
        ("float64", (25, 31, 40), "min", ["--levels", "3", "--factors", "3"], "zarr3", (1, 1, 1)),
        ("uint8", (64, 64, 64), "max", ["--levels", "5"], "hdf5", (1, 1, 1)),
        ("int64", (31, 33, 17), "stride", ["--levels", "3"], "zarr3", (1, 1, 1)),
        ("bool", (41, 22, 30), "mode", ["--levels", "3"], "zarr3", (1, 1, 1)),
        ("float32", (20, 37, 26), "median", ["--levels", "3"], "n5", (1, 1, 1)),
    )
    for case, (dtype, shape, method, options, fmt, voxel) in enumerate(cases):
        a = random_array(rng, dtype, shape, labels=method in ("mode", "median"))
        with h5py.File(f"{d}/in.h5", "w") as f:
            f.create_dataset("a", data=a, chunks=(16, 16, 16))
            if voxel != (1, 1, 1):
                f["a"].attrs["element_size_um"] = np.array(voxel, "float64")
        out = f"{d}/p{case}{suffix(fmt)}"
        where = f"{dtype} {method} {' '.join(options)} -> {fmt}"
        result = run("pyramid", f"{d}/in.h5:/a", out, "--method", method, *options, "--format",
                     fmt, "--chunks", "16,16,16", "--threads", "2", "--overwrite", "-q")
        if result.returncode != 0:
            check(False, f"{where}: {result.stderr.strip()}")
            continue
        shapes = info_levels(out)
        count = len(shapes) if shapes else 0
        # Each level against TensorStore's direct reduction of level 0.
        totals, problems = [], []
        total = (1, 1, 1)
        steps = [s for s in options[options.index("--factors") + 1].split(":")] \
            if "--factors" in options else ["2"]
        for k, name in enumerate(level_names(fmt, count)):
            if k > 0:
                step = steps[min(k - 1, len(steps) - 1)].split(",")
                step = [int(s) for s in (step * 3 if len(step) == 1 else step)]
                total = tuple(t * s for t, s in zip(total, step))
            totals.append(total)
            got = read_level(fmt, out, name)
            want = a if k == 0 else expected(a, total, method)
            problem = first_difference(got, want)
            if problem or list(got.shape) != shapes[k]:
                problems.append(f"level {k} (factors {total}): {problem or 'info shape'}")
        check(count >= 2 and not problems,
              f"{where}: {count} levels, each TensorStore's direct reduction "
              f"(the last {totals[-1] if totals else None})" +
              ("; " + "; ".join(problems) if problems else ""))
        if count:
            check_metadata(fmt, out, totals, voxel, method != "stride", where)
        # Other chunks and threads: the same bytes.
        again = f"{d}/again{case}{suffix(fmt)}"
        run("pyramid", f"{d}/in.h5:/a", again, "--method", method, *options, "--format", fmt,
            "--chunks", "7,9,5", "--threads", "1", "--memory-limit", "16MiB", "--overwrite", "-q")
        same = count > 0 and all(
            read_level(fmt, out, n).tobytes() == read_level(fmt, again, n).tobytes()
            for n in level_names(fmt, count))
        check(same, f"{where}: chunks 7,9,5 on 1 thread under 16 MiB give the same bytes")

    # Refusals: one line, exit 2, nothing written.
    a = random_array(rng, "uint16", (30, 30, 30), labels=False)
    with h5py.File(f"{d}/in.h5", "w") as f:
        f.create_dataset("a", data=a, chunks=(16, 16, 16))
        f.create_dataset("b", data=a > 30000, chunks=(16, 16, 16))
    os.makedirs(f"{d}/taken.zarr")
    for args, fragment, code in (
            (("in.h5:/a", "r.zarr", "--levels", "3"), "--method", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--levels", "1"), "--levels", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--levels", "3", "--factors", "2:2:2"),
             "takes 2 sets", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--factors", "2,2"), "one per axis", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--factors", "0"), "--factors", 2),
            (("in.h5:/a", "r.zarr:/image", "--method", "mean"), "whole container", 2),
            (("in.h5:/b", "r.n5", "--method", "mode", "--levels", "2"), "bool", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--levels", "3", "--until-chunk"),
             "not both", 2),
            (("in.h5:/a", "taken.zarr", "--method", "mean", "--levels", "2"), "exists", 2),
            (("in.h5:/a", "in.h5", "--method", "mean", "--levels", "2", "--overwrite"),
             "never replaces its input", 2),
            (("in.h5:/a", "r.zarr", "--method", "mean", "--levels", "2", "--memory-limit",
              "256KiB"),
             "give --memory-limit", 2)):
        full = [f"{d}/{x}" if ("." in x and not x.startswith("-") and x[0].isalpha()) else x
                for x in args]
        result = run("pyramid", *full)
        lines = result.stderr.strip().splitlines()
        check(result.returncode == code and len(lines) == 1 and fragment in lines[0] and
              not os.path.exists(f"{d}/r.zarr") and not os.path.exists(f"{d}/r.n5"),
              f"pyramid {' '.join(args)}: exit {result.returncode}, {lines[-1] if lines else ''}")
    # --overwrite replaces a pyramid whole.
    run("pyramid", f"{d}/in.h5:/a", f"{d}/o.zarr", "--method", "mean", "--levels", "4", "-q")
    run("pyramid", f"{d}/in.h5:/a", f"{d}/o.zarr", "--method", "max", "--levels", "2",
        "--overwrite", "-q")
    check(sorted(n for n in os.listdir(f"{d}/o.zarr") if not n.startswith("zarr")) == ["0", "1"]
          and read_level("zarr3", f"{d}/o.zarr", "1").tobytes() ==
          expected(a, (2, 2, 2), "max").tobytes(),
          "--overwrite replaces the old pyramid whole (4 levels of mean -> 2 of max)")

    # Bounded memory, however deep: 512^3 uint8 (128 MiB) into 3 and into 7 levels (the last
    # 8^3) under --memory-limit 64MiB; and a SIGINT leaves nothing behind.
    run("generate", f"{d}/big.h5:/v", "--shape", "512,512,512", "--dtype", "uint8", "--pattern",
        "noise", "-q")
    rss = {}
    for levels in (3, 7):
        code, err, rss[levels] = peak_rss("pyramid", f"{d}/big.h5:/v", f"{d}/deep{levels}.zarr",
                                          "--method", "mean", "--levels", str(levels),
                                          "--memory-limit", "64MiB", "-q")
        check(code == 0 and rss[levels] < 64 * MiB + 48 * MiB,
              f"{levels} levels of 512^3 uint8 under --memory-limit 64MiB: peak RSS "
              f"{rss[levels] / MiB:.0f} MiB {err.strip()}")
    check(abs(rss[7] - rss[3]) < 24 * MiB,
          f"peak RSS does not grow with the levels: {rss[3] / MiB:.0f} MiB for 3, "
          f"{rss[7] / MiB:.0f} MiB for 7")
    deepest = read_level("zarr3", f"{d}/deep7.zarr", "6")
    with h5py.File(f"{d}/big.h5", "r") as f:
        big = f["v"][...]
    check(first_difference(deepest, expected(big, (64, 64, 64), "mean")) is None,
          "level 6 of 512^3 is TensorStore's mean over 64^3 blocks")
    before = set(os.listdir(d))
    process = subprocess.Popen([zoomflow, "pyramid", f"{d}/big.h5:/v", f"{d}/cut.n5", "--method",
                                "median", "--levels", "4", "--threads", "1", "-q"],
                               stderr=subprocess.PIPE, text=True)
    running = wait_until_staged(process, d, "cut.n5")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    check(running and process.returncode != 0 and set(os.listdir(d)) == before,
          f"SIGINT during a pyramid: exit {process.returncode}, nothing left "
          f"({err.strip()[-80:]})")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
