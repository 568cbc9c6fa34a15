"""zoomflow pipeline against independent references, through the built tool:
- gaussian against scipy.ndimage.gaussian_filter(mode='nearest', truncate=4.0);
- a 4-step chain equals its steps run one at a time through float64 files, byte for byte,
  whatever the chunks and memory limit (halos at every border), and from a JSON steps file;
- a chain's peak memory stays bounded with halos;
- bad steps exit 2 with one line and create nothing.

Usage: chain_check.py ZOOMFLOW PLUGIN_DIR (Debian's python3 with numpy, scipy, h5py)."""
import json
import os
import resource
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy.ndimage as ndi

zoomflow, plugin_dir = sys.argv[1], sys.argv[2]
os.environ["HDF5_PLUGIN_PATH"] = plugin_dir
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")


def run(*args, expect=0):
    result = subprocess.run([zoomflow, *args], capture_output=True, text=True)
    if result.returncode != expect:
        print(result.stderr, file=sys.stderr)
    return result


def read(path):
    name, dataset = path.split(":")
    with h5py.File(name, "r") as f:
        return f[dataset][...]


def same(a, b):
    return run("compare", a, b).returncode == 0


with tempfile.TemporaryDirectory() as d:
    rng = np.random.default_rng(7)

    # gaussian against scipy, float64 in and out, blocks cut by small chunks and memory.
    x = rng.uniform(-1000, 1000, (23, 31, 19))
    with h5py.File(f"{d}/f.h5", "w") as f:
        f.create_dataset("x", data=x, chunks=(8, 8, 8))
    run("pipeline", f"{d}/f.h5:/x", f"{d}/g.h5:/y", "gaussian:sigma=1.2,0.8,2", "--chunks",
        "7,9,5", "--memory-limit", "512KiB", "-q")
    want = ndi.gaussian_filter(x, [1.2, 0.8, 2.0], mode="nearest", truncate=4.0)
    got = read(f"{d}/g.h5:/y")
    check(got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=1e-9),
          f"gaussian vs scipy.ndimage.gaussian_filter, max |diff| {np.max(np.abs(got - want)):.3g}")

    # A 4-step chain against its steps through float64 files.
    run("generate", f"{d}/ct.h5:/ct", "--shape", "48,56,40", "--dtype", "uint16", "--pattern",
        "noise", "-q")
    chain = ["gaussian:sigma=1", "resample:zoom=0.5,order=1", "scale:mul=0.255,add=0", "cast:uint8"]
    run("pipeline", f"{d}/ct.h5:/ct", f"{d}/chain.h5:/o", *chain, "-q")
    run("pipeline", f"{d}/ct.h5:/ct", f"{d}/t1.h5:/o", "gaussian:sigma=1", "cast:float64", "-q")
    run("pipeline", f"{d}/t1.h5:/o", f"{d}/t2.h5:/o", "resample:zoom=0.5,order=1", "-q")
    run("pipeline", f"{d}/t2.h5:/o", f"{d}/t3.h5:/o", "scale:mul=0.255,add=0", "-q")
    run("pipeline", f"{d}/t3.h5:/o", f"{d}/steps.h5:/o", "cast:uint8", "-q")
    check(read(f"{d}/t1.h5:/o").dtype == np.float64, "intermediate files are float64")
    check(same(f"{d}/chain.h5:/o", f"{d}/steps.h5:/o"),
          "chain equals its steps run one at a time through float64 files")
    # ... and the float64 steps equal numpy/scipy within rounding.
    ct = read(f"{d}/ct.h5:/ct").astype(np.float64)
    ref = ndi.gaussian_filter(ct, 1.0, mode="nearest", truncate=4.0)
    ref = ndi.zoom(ref, 0.5, order=1, mode="nearest", grid_mode=True) * 0.255
    got = read(f"{d}/t3.h5:/o")
    check(np.allclose(got, ref, rtol=1e-12, atol=1e-9), "the float64 steps equal scipy's")
    ref8 = np.clip(np.floor(ref + 0.5), 0, 255).astype(np.uint8)
    diff = np.abs(read(f"{d}/chain.h5:/o").astype(int) - ref8.astype(int))
    check(diff.max() <= 1, "the chain's uint8 equals scipy's rounded within 1")

    for chunks, limit in (("5,7,3", "4MiB"), ("24,28,20", "64MiB"), ("1,28,20", "6MiB"),
                          ("24,28,20", "2MiB")):
        run("pipeline", f"{d}/ct.h5:/ct", f"{d}/cut.h5:/o", *chain, "--chunks", chunks,
            "--memory-limit", limit, "--overwrite", "-q")
        check(same(f"{d}/chain.h5:/o", f"{d}/cut.h5:/o"),
              f"same bytes with --chunks {chunks} --memory-limit {limit}")

    # A halo larger than the block: one block computed in tiles equals the chain in one piece.
    wide = ["gaussian:sigma=3", "resample:zoom=0.5,order=1", "scale:mul=0.255,add=0", "cast:uint8"]
    run("pipeline", f"{d}/ct.h5:/ct", f"{d}/wide.h5:/o", *wide, "--chunks", "24,28,20", "-q")
    tiled = run("pipeline", f"{d}/ct.h5:/ct", f"{d}/tiled.h5:/o", *wide, "--chunks", "24,28,20",
                "--memory-limit", "3MiB")
    check("computed in tiles of" in tiled.stderr and same(f"{d}/wide.h5:/o", f"{d}/tiled.h5:/o"),
          "a block computed in tiles gives the bytes of one piece: " + tiled.stderr.strip()[-160:])

    # A limit too small for one block is refused up front, naming a limit that works.
    small = run("pipeline", f"{d}/ct.h5:/ct", f"{d}/small.h5:/o", *chain, "--chunks", "24,28,20",
                "--memory-limit", "64KiB", expect=2)
    check(small.returncode == 2 and "give --memory-limit" in small.stderr
          and not os.path.exists(f"{d}/small.h5"), "a too small --memory-limit is refused")

    with open(f"{d}/steps.json", "w") as f:
        json.dump([{"step": "gaussian", "sigma": 1}, {"step": "resample", "zoom": 0.5, "order": 1},
                   {"step": "scale", "mul": 0.255, "add": 0}, {"step": "cast", "dtype": "uint8"}], f)
    run("pipeline", "--steps", f"{d}/steps.json", f"{d}/ct.h5:/ct", f"{d}/json.h5:/o", "-q")
    check(same(f"{d}/chain.h5:/o", f"{d}/json.h5:/o"), "--steps FILE.json gives the same bytes")

    run("resample", f"{d}/ct.h5:/ct", f"{d}/r.h5:/o", "--zoom", "1.7", "--order", "1", "-q")
    run("pipeline", f"{d}/ct.h5:/ct", f"{d}/p.h5:/o", "resample:zoom=1.7,order=1", "-q")
    check(same(f"{d}/r.h5:/o", f"{d}/p.h5:/o"), "pipeline resample equals resample")

    # Memory with halos: a 2 GB float64-sized chain under a 64 MiB limit.
    run("generate", f"{d}/big.h5:/ct", "--shape", "160,160,160", "--dtype", "uint16",
        "--pattern", "noise", "-q")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run("pipeline", f"{d}/big.h5:/ct", f"{d}/bigout.h5:/o", "gaussian:sigma=2", "resample:zoom=2",
        "--memory-limit", "64MiB", "-q")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    check(os.path.exists(f"{d}/bigout.h5"), "a tiny --memory-limit still completes")
    check(peak < (64 + 200) * 2**20, f"peak RSS {peak / 2**20:.0f} MiB < 64 MiB + 200 MiB"
          + (" (an earlier child may have peaked higher)" if before * 1024 > peak else ""))

    # Bad steps: exit 2, one line, no file.
    for bad in (["blur:sigma=1"], ["gaussian"], ["cast:uint3"], ["clip:lo=5,hi=1"],
                ["threshold:gt=3", "resample:zoom=2,order=1"]):
        result = run("pipeline", f"{d}/ct.h5:/ct", f"{d}/bad.h5:/o", *bad, expect=2)
        check(result.returncode == 2 and result.stderr.count("\n") == 1
              and not os.path.exists(f"{d}/bad.h5"), f"refused: {' '.join(bad)}")

print(f"chain_check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
