"""The info, stats, compare and generate subcommands against h5py and numpy: the box mask has
exactly the seed's region, generate is deterministic across thread counts, compare finds every
difference, info and stats --json carry their keys."""
import json
import os

from storage_testlib import (check, check_stats, parse_args, run, temp_folder,
                             zoomflow_stats)

args = parse_args()
os.environ["HDF5_PLUGIN_PATH"] = args.plugin_dir  # before h5py loads HDF5
import h5py  # noqa: E402
import numpy as np  # noqa: E402

Z = args.zoomflow


def box_region(shape):
    """The seed's [50:600, 200:1000, 5:30] of (1024, 1024, 512), scaled to `shape`."""
    bounds = [(50, 600, 1024), (200, 1000, 1024), (5, 30, 512)]
    region = []
    for n, (lo, hi, of) in zip(shape, bounds):
        start = n * lo // of
        region.append(slice(start, min(max(start + 1, n * hi // of), n)))
    return tuple(region)


def check_box(folder):
    path = os.path.join(folder, "box.h5")
    shape = (200, 130, 90)
    run([Z, "generate", path + ":/mask", "--shape", ",".join(map(str, shape)), "--dtype", "bool",
         "--pattern", "box", "--chunks", "32,32,32", "-q"], expect=0)
    expected = np.zeros(shape, bool)
    expected[box_region(shape)] = True
    with h5py.File(path, "r") as f:
        d = f["mask"]
        check(d.dtype == np.bool_ and d.chunks == (32, 32, 32), f"box: {d.dtype} {d.chunks}")
        check(np.array_equal(d[...], expected), "box pattern region")
    stats = zoomflow_stats(Z, path + ":/mask")
    check_stats(stats, expected, "box")
    for key in ("shape", "dtype", "count", "nonzero", "min", "max", "sum", "checksum", "mean"):
        check(key in stats, f"stats --json lacks {key}")
    check(stats["dtype"] == "bool", "stats dtype")

    # The seed's own shape: exactly 550 x 800 x 25 = 11,000,000 true voxels, at the seed's place.
    seed = os.path.join(folder, "seed.h5")
    run([Z, "generate", seed + ":/mask", "--shape", "1024,1024,512", "--dtype", "bool", "-q"],
        expect=0)
    stats = zoomflow_stats(Z, seed + ":/mask")
    check(stats["nonzero"] == 11_000_000 and stats["count"] == 1024 * 1024 * 512,
          f"seed mask: {stats['nonzero']} true voxels")
    with h5py.File(seed, "r") as f:
        corner = f["mask"][49:51, 199:201, 4:6]
        far = f["mask"][599:601, 999:1001, 29:31]
    check(corner.sum() == 1 and corner[1, 1, 1] and far.sum() == 1 and far[0, 0, 0],
          "seed mask edges")


def check_generate_options(folder):
    a = os.path.join(folder, "noise_a.h5")
    b = os.path.join(folder, "noise_b.h5")
    c = os.path.join(folder, "noise_c.h5")
    common = ["--shape", "70,50,40", "--dtype", "uint16", "--pattern", "noise", "-q"]
    run([Z, "generate", a + ":/v", "--threads", "1", "--seed", "3"] + common, expect=0)
    run([Z, "generate", b + ":/v", "--threads", "2", "--seed", "3", "--chunks", "16,20,40",
         "--compression", "gzip:5"] + common, expect=0)
    run([Z, "generate", c + ":/v", "--seed", "4", "--compression", "none"] + common, expect=0)
    code, out, _ = run([Z, "compare", a + ":/v", b + ":/v"])
    check(code == 0 and "identical" in out, "same seed, other threads and layout: " + out)
    code, _, err = run([Z, "compare", a + ":/v", c + ":/v"])
    check(code == 1 and "differ" in err, "another seed must differ: " + err)
    with h5py.File(b, "r") as f:
        d = f["v"]
        check(d.chunks == (16, 20, 40) and d.compression == "gzip" and d.compression_opts == 5,
              f"gzip options: {d.chunks} {d.compression} {d.compression_opts}")
        check(d.attrs["zoomflow_pattern"] == "noise" and d.attrs["zoomflow_seed"] == "3",
              "generate provenance")
        values = d[...]
    with h5py.File(c, "r") as f:
        check(f["v"].compression is None, "--compression none")
    check_stats(zoomflow_stats(Z, b + ":/v"), values, "noise")
    check(len(np.unique(values)) > 100, "noise has many values")
    # --overwrite replaces.
    run([Z, "generate", a + ":/v", "--overwrite", "--seed", "4"] + common, expect=0)
    run([Z, "compare", a + ":/v", c + ":/v"], expect=0)


def check_compare(folder):
    rng = np.random.default_rng(8)
    a = rng.integers(-1000, 1000, size=(12, 20, 30), dtype="i2")
    b = a.copy()
    b[2, 3, 4] -= 300
    b[5, 0, 0] += 2
    b[1, 19, 29] += 7
    pa, pb = os.path.join(folder, "a.h5"), os.path.join(folder, "b.h5")
    with h5py.File(pa, "w") as f:
        f["x"] = a
        f["same"] = a
        f["shape"] = a[:, :, :29]
        f["type"] = a.astype("i4")
        f["float"] = a.astype("f8")
    with h5py.File(pb, "w") as f:
        f.create_dataset("x", data=b, chunks=(5, 7, 30), compression="gzip")
        f.create_dataset("same", data=a, chunks=(4, 4, 4), compression="gzip", shuffle=True)
        fb = a.astype("f8")
        fb[3, 3, 3] = np.nan
        fb[4, 4, 4] += 0.25
        f["float"] = fb
    code, out, err = run([Z, "compare", pa + ":/x", pb + ":/x"])
    check(code == 1, f"compare of differing datasets exited {code}")
    check("differing: 3 of 7200" in out, "count: " + out)
    check("first difference: (1, 19, 29)" in out, "first difference: " + out)
    check("max abs difference: 300" in out, "max difference: " + out)
    check("3 of 7200 values differ" in err and err.count("\n") == 1, "error line: " + err)
    code, out, _ = run([Z, "compare", pa + ":/same", pb + ":/same"])
    check(code == 0 and "identical" in out, "identical datasets: " + out)
    code, _, err = run([Z, "compare", pa + ":/x", pa + ":/shape"])
    check(code == 1 and "shapes differ" in err, "shape mismatch: " + err)
    code, _, err = run([Z, "compare", pa + ":/x", pa + ":/type"])
    check(code == 1 and "dtypes differ" in err, "dtype mismatch: " + err)
    code, out, _ = run([Z, "compare", pa + ":/float", pb + ":/float"])
    check(code == 1 and "differing: 2 of" in out and "first difference: (3, 3, 3)" in out
          and "max abs difference: inf" in out, "NaN against a number: " + out)
    run([Z, "compare", pb + ":/float", pb + ":/float"], expect=0)  # NaN equals NaN


def check_info(folder):
    path = os.path.join(folder, "info.h5")
    run([Z, "generate", path + ":/g/v", "--shape", "100,80", "--dtype", "float32", "--pattern",
         "labels", "--compression", "zstd:4", "-q"], expect=0)
    _, out, _ = run([Z, "info", path], expect=0)
    for fragment in ("info.h5:/g/v", "(100, 80)", "float32", "chunks (64, 64)", "32015",
                     "parameters 4", "bytes on disk", "zoomflow_pattern"):
        check(fragment in out, f"info lacks '{fragment}':\n{out}")
    _, out, _ = run([Z, "info", "--json", path + ":/g/v"], expect=0)
    info = json.loads(out)
    check(info["shape"] == [100, 80] and info["dtype"] == "float32"
          and info["chunks"] == [64, 64] and info["filters"][0]["id"] == 32015
          and info["raw_bytes"] == 100 * 80 * 4 and 0 < info["storage_bytes"] < info["raw_bytes"],
          f"info --json: {info}")
    with h5py.File(path, "r") as f:
        check(f["g/v"].dtype == np.float32, "labels as float32")


def main():
    with temp_folder() as folder:
        check_box(folder)
        check_generate_options(folder)
        check_compare(folder)
        check_info(folder)
    print("ok: info, stats, compare, generate")


if __name__ == "__main__":
    main()
