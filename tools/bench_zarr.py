#!/usr/bin/env python3
"""Zarr benchmarks, every figure a ratio taken in one run on this machine:

  dense    noise uint16 512^3 x2 order 1 into Zarr v3 zstd:1 (and into HDF5, whose writes are
           serial), against the compression bound: the storage layer's zstd -1 on the output's
           chunks on one thread, divided by the threads
  copy     a 1024^3 uint16 Zarr v3 array (zstd:1, 64^3 chunks) copied by `zoomflow resample
           --zoom 1` and by TensorStore (dst.write(src), same codec and chunks), best of 2 each,
           with each process's peak RSS
  seed     the seed mask (1024, 1024, 512) bool x4 into sharded Zarr v3 (512^3 shards of 64^3
           chunks), beside unsharded Zarr v3 and HDF5: seconds, files written, peak RSS

Nothing is removed until the end (about 7 GB in the work folder): ext4 makes creating files
slow for a while after many were deleted (its inode allocator skips recently freed inodes), which
would charge one row for the clean-up of the one before.

Usage: .venv/bin/python tools/bench_zarr.py [--build build] [--workdir DIR] [--only dense,copy,seed]
       [--small]   (a quick smoke run on small volumes)
Needs the test venv's tensorstore for the copy row (./dev.sh test makes .venv)."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TENSORSTORE_COPY = r"""
import sys, time, tensorstore as ts
src_path, dst_path, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ts.Context({"file_io_sync": False})  # zoomflow does not fsync either
src = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": src_path}},
              context=context).result()
meta = {"shape": list(src.shape), "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [chunk] * 3}},
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                   {"name": "zstd", "configuration": {"level": 1, "checksum": True}}]}
dst = ts.open({"driver": "zarr3", "kvstore": {"driver": "file", "path": dst_path},
               "metadata": meta}, create=True, context=context).result()
import resource
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, cpu_start = time.monotonic(), cpu()
dst.write(src).result()
print(time.monotonic() - start, cpu() - cpu_start)
"""


class Run:
    """One child process: wall seconds, CPU seconds (user + system), peak RSS (GiB), stdout."""

    def __init__(self, command):
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = process.stdout.read()
        err = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)  # this process's own rusage
        self.seconds = time.monotonic() - start
        if status != 0:
            sys.exit(f"failed ({status}): {' '.join(map(str, command))}\n{err.decode()}")
        self.cpu = usage.ru_utime + usage.ru_stime
        self.rss = usage.ru_maxrss / (1 << 20)
        self.out = out.decode()


def files_and_bytes(path):
    files = size = 0
    for root, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(root, name))
    return files, size


def row(label, seconds, cpu, rss, note=""):
    print(f"{label:<48} {seconds:8.2f} {cpu:8.2f} {rss:8.2f}G  {note}", flush=True)


def best(runs):
    return min(runs, key=lambda r: r.seconds)


def dense(z, bench, work, threads, small):
    n = 128 if small else 512
    source = os.path.join(work, "noise.zarr")
    subprocess.run([z, "generate", source, "--shape", f"{n},{n},{n}", "--dtype", "uint16",
                    "--pattern", "noise", "--quiet"], check=True)
    print(f"\ndense: noise uint16 {n}^3 x2 order 1, zstd:1, 64^3 chunks, {threads} threads, "
          "best of 2")
    targets = {"zoomflow -> Zarr v3": "dense{}.zarr",
               "zoomflow -> HDF5 (serial writes)": "dense{}.h5:/v"}
    runs = {label: [] for label in targets}
    for attempt in range(2):
        for label, target in targets.items():
            runs[label].append(Run([z, "resample", source,
                                    os.path.join(work, target.format(attempt)), "--zoom", "2",
                                    "--order", "1", "--compression", "zstd:1", "--quiet"]))
    bound = json.loads(Run([bench, "bound", os.path.join(work, "dense0.zarr"), "--level", "1",
                            "--json"]).out)
    one = bound["seconds_one_thread"]
    for label in targets:
        r = best(runs[label])
        row(label, r.seconds, r.cpu, r.rss, f"{r.seconds / (one / threads):.2f}x the bound")
    row(f"compression bound: zstd -1 on 1 thread / {threads}", one / threads, one, 0.0,
        f"{bound['raw_bytes'] / 1e6 / one:.0f} MB/s per thread, {bound['chunks']} chunks")


def copy(z, work, threads, small):
    n = 256 if small else 1024
    source = os.path.join(work, "big.zarr")
    subprocess.run([z, "generate", source, "--shape", f"{n},{n},{n}", "--dtype", "uint16",
                    "--pattern", "noise", "--chunks", "64,64,64", "--compression", "zstd:1",
                    "--quiet"], check=True)
    files, size = files_and_bytes(source)
    print(f"\ncopy: {n}^3 uint16 Zarr v3, zstd:1, 64^3 chunks ({files} files, {size / 1e9:.2f} GB),"
          f" {threads} threads, best of 2")
    runs = {"zoomflow resample --zoom 1": [], "TensorStore dst.write(src)": []}
    for attempt in range(2):
        for label in runs:
            target = os.path.join(work, f"copy-{attempt}-{label.split()[0]}.zarr")
            if label.startswith("zoomflow"):
                r = Run([z, "resample", source, target, "--zoom", "1", "--chunks", "64,64,64",
                         "--compression", "zstd:1", "--quiet"])
            else:
                r = Run([sys.executable, "-c", TENSORSTORE_COPY, source, target, "64"])
                # The copy alone, without importing tensorstore and opening the arrays.
                r.seconds, r.cpu = map(float, r.out.split())
            runs[label].append(r)
            if attempt == 1:
                subprocess.run([z, "compare", source, target], check=True,
                               stdout=subprocess.DEVNULL)
    for label, label_runs in runs.items():
        r = best(label_runs)
        row(label, r.seconds, r.cpu, r.rss, f"{n ** 3 * 2 / 1e9 / r.seconds:.2f} GB/s of voxels")
    zf, tensorstore = best(runs["zoomflow resample --zoom 1"]), best(runs["TensorStore dst.write(src)"])
    print(f"  zoomflow / TensorStore: wall {zf.seconds / tensorstore.seconds:.2f}, "
          f"CPU {zf.cpu / tensorstore.cpu:.2f}, peak RSS {zf.rss / tensorstore.rss:.2f}")


def seed(z, work, threads, small):
    shape = "256,256,128" if small else "1024,1024,512"
    source = os.path.join(work, "seed.h5:/mask")
    subprocess.run([z, "generate", source, "--shape", shape, "--dtype", "bool", "--pattern",
                    "box", "--quiet"], check=True)
    print(f"\nseed: ({shape}) bool box mask x4, order 0, {threads} threads, memory limit 1GiB")

    for label, target, extra in (
            ("sharded Zarr v3 (512^3 shards of 64^3 chunks)", "seed4-sharded.zarr",
             ["--shards", "512,512,512"]),
            ("Zarr v3 (64^3 chunks)", "seed4.zarr", []),
            ("HDF5 (64^3 chunks)", "seed4.h5:/mask", [])):
        path = os.path.join(work, target)
        r = Run([z, "resample", source, path, "--zoom", "4", "--quiet"] + extra)
        on_disk = path.split(":")[0]
        files, size = files_and_bytes(on_disk) if os.path.isdir(on_disk) else (1, os.path.getsize(on_disk))
        row(label, r.seconds, r.cpu, r.rss, f"{files} files, {size / 1e6:.1f} MB")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--workdir")
    parser.add_argument("--only", default="dense,copy,seed")
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    z = os.path.join(args.build, "tools", "zoomflow")
    bench = os.path.join(args.build, "storage", "bench", "zoomflow_storage_bench")
    threads = os.cpu_count()
    work = args.workdir or tempfile.mkdtemp(prefix="zoomflow-bench-zarr-")
    os.makedirs(work, exist_ok=True)
    print(f"{'run':<48} {'seconds':>8} {'CPU s':>8} {'peak RSS':>9}")
    try:
        for name in args.only.split(","):
            {"dense": dense, "copy": copy, "seed": seed}[name](
                *((z, bench, work, threads, args.small) if name == "dense"
                  else (z, work, threads, args.small)))
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
