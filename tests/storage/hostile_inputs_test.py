"""Hostile inputs against the storage layer, in every format (HDF5, Zarr v2, Zarr v3 with shards,
N5), each built small in this script: what is not a regular file or folder, what cannot be read,
sizes a file claims (a chunk index entry, a chunk file, a shard index, a zstd frame header)
beyond anything the chunk can take, absurd shapes, chunks larger than the memory limit, enums
with values outside the enum, optional filters every chunk skipped, attributes that are not
UTF-8, the loser of two runs writing one output, and never-written regions that must cost
nothing. Each case ends with the promised exit status and one line (or the right values), and
the memory cases hold peak RSS under --memory-limit plus 200 MiB."""
import gzip
import json
import os
import pwd
import signal
import struct
import subprocess
import sys
import time
import zlib

import h5py
import numpy as np

from storage_testlib import check_stats, checksum, parse_args, temp_folder, wait_until_staged

args = parse_args()
Z = args.zoomflow
ENV = dict(os.environ, HDF5_PLUGIN_PATH=args.plugin_dir)
MiB = 2**20
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    passed += bool(ok)
    failed += not ok


def run(*command, timeout=60, user=None):
    """Runs zoomflow (as `user` when given); returns (exit status, stdout, stderr, 0); a run past
    `timeout` is killed and reported as exit None."""
    preexec = None
    if user is not None:
        preexec = lambda: (os.setgid(user.pw_gid), os.setuid(user.pw_uid))  # noqa: E731
    process = subprocess.Popen([Z, *map(str, command)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, errors="replace", env=ENV,
                               preexec_fn=preexec)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None, "", "timed out", 0
    return process.returncode, out, err, 0


def run_rss(*command, timeout=120):
    """As run, measuring zoomflow's own peak RSS with /usr/bin/time (a child forked from this
    Python process would report Python's RSS: Linux keeps the peak across exec)."""
    result = subprocess.run(["/usr/bin/time", "-f", "zoomflow-peak-rss-kb %M", Z,
                             *map(str, command)], capture_output=True, text=True,
                            errors="replace", env=ENV, timeout=timeout)
    lines = result.stderr.splitlines()
    rss = [int(line.split()[1]) * 1024 for line in lines
           if line.startswith("zoomflow-peak-rss-kb ")]
    err = "\n".join(line for line in lines if not line.startswith(
        ("zoomflow-peak-rss-kb ", "Command exited with non-zero status", "Command terminated")))
    return result.returncode, result.stdout, err + "\n", rss[-1] if rss else 0


def one_line(err, *fragments):
    lines = err.strip().splitlines()
    return (len(lines) == 1 and lines[0].startswith("zoomflow: error: ")
            and all(f in lines[0] for f in fragments))


def short(err):
    return err.strip().replace("\n", " | ")[-150:]


# --- writing small stores by hand ----------------------------------------------------------------

def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f)


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def zarr2(folder, shape, chunks, dtype="<u2", compressor=None):
    write_json(f"{folder}/.zarray", {"zarr_format": 2, "shape": shape, "chunks": chunks,
                                     "dtype": dtype, "compressor": compressor, "fill_value": 0,
                                     "order": "C", "filters": None})


def zarr3(folder, shape, chunks, codecs=None, dtype="uint16"):
    write_json(f"{folder}/zarr.json", {
        "zarr_format": 3, "node_type": "array", "shape": shape, "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
        "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
        "codecs": codecs or [{"name": "bytes", "configuration": {"endian": "little"}}]})


def sharded3(folder, shape, shard, inner):
    zarr3(folder, shape, shard, [{"name": "sharding_indexed", "configuration": {
        "chunk_shape": inner,
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_location": "end"}}])


def n5(folder, shape, block, compression=None):
    write_json(f"{folder}/attributes.json", {
        "dimensions": shape[::-1], "blockSize": block[::-1], "dataType": "uint16",
        "compression": compression or {"type": "raw"}})


def n5_block(values):
    """An N5 block: mode 0, the block's shape fastest axis first, big-endian values."""
    header = struct.pack(">HH", 0, values.ndim) + b"".join(
        struct.pack(">I", n) for n in values.shape[::-1])
    return header + values.astype(">u2").tobytes()


def zstd_frame_claiming(content_size):
    """A zstd frame whose header claims `content_size` bytes, holding one 4-byte raw block."""
    magic = struct.pack("<I", 0xFD2FB528)
    descriptor = bytes([0xC0])  # 8-byte content size, no checksum, no dictionary, window given
    window = bytes([0x58])      # a 2^21 window (ignored by single-shot decoding)
    size = struct.pack("<Q", content_size)
    block = bytes([(4 << 3) | 1, 0, 0]) + b"\1\2\3\4"  # last block, raw, 4 bytes
    return magic + descriptor + window + size + block


with temp_folder() as d:
    small = np.arange(16 * 20 * 24, dtype="<u2").reshape(16, 20, 24)

    # --- 1. Not a regular file or folder: refused before it is opened, in every format ---------
    os.mkfifo(f"{d}/fifo.h5")
    code, _, err, _ = run("stats", f"{d}/fifo.h5", timeout=15)
    check(code == 2 and one_line(err, "FIFO", "not a regular file"),
          f"a FIFO as input: exit {code}, {short(err)}")
    code, _, err, _ = run("info", "/dev/zero", timeout=15)
    check(code == 2 and one_line(err, "character device"), f"/dev/zero as input: {short(err)}")
    # Inside stores: a FIFO where a chunk, a shard or a metadata file belongs.
    zarr2(f"{d}/z2.zarr", [16, 20, 24], [16, 20, 24])
    os.mkfifo(f"{d}/z2.zarr/0.0.0")
    sharded3(f"{d}/z3.zarr", [16, 20, 24], [16, 20, 24], [8, 10, 12])
    os.makedirs(f"{d}/z3.zarr/c/0/0")
    os.mkfifo(f"{d}/z3.zarr/c/0/0/0")
    n5(f"{d}/n.n5/v", [16, 20, 24], [16, 20, 24])
    os.makedirs(f"{d}/n.n5/v/0/0")
    os.mkfifo(f"{d}/n.n5/v/0/0/0")
    for store in (f"{d}/z2.zarr", f"{d}/z3.zarr", f"{d}/n.n5:/v"):
        code, _, err, _ = run("stats", store, timeout=15)
        check(code == 1 and one_line(err, "not a regular file"),
              f"a FIFO as a chunk of {os.path.basename(store)}: exit {code}, {short(err)}")
    os.makedirs(f"{d}/meta.zarr")
    os.mkfifo(f"{d}/meta.zarr/zarr.json")
    code, _, err, _ = run("info", f"{d}/meta.zarr", timeout=15)
    check(code in (1, 2) and one_line(err), f"a FIFO as zarr.json: exit {code}, {short(err)}")

    # --- 2. Permission denied, said as such (as an unprivileged user when run as root) ----------
    user = None
    if os.getuid() == 0:
        try:
            user = pwd.getpwnam("nobody")
        except KeyError:
            user = None
    if os.getuid() != 0 or user is not None:
        locked = f"{d}/locked"
        os.makedirs(locked)
        os.chmod(d, 0o755)
        with h5py.File(f"{locked}/in.h5", "w") as f:
            f["v"] = small
        zarr2(f"{locked}/in.zarr", [16, 20, 24], [16, 20, 24])
        write_bytes(f"{locked}/in.zarr/0.0.0", small.tobytes())
        n5(f"{locked}/in.n5/v", [16, 20, 24], [16, 20, 24])
        write_bytes(f"{locked}/in.n5/v/0/0/0", n5_block(small))
        for root, folders, files in os.walk(locked):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        os.chmod(f"{locked}/in.h5", 0o000)
        os.chmod(f"{locked}/in.zarr", 0o000)
        os.chmod(f"{locked}/in.n5/v/attributes.json", 0o000)
        os.chmod(f"{locked}/in.n5/v/0/0/0", 0o000)
        for path in (f"{locked}/in.h5", f"{locked}/in.zarr", f"{locked}/in.n5:/v"):
            code, _, err, _ = run("stats", path, user=user, timeout=15)
            check(code == 1 and one_line(err) and "ermission denied" in err
                  and "not an HDF5 file" not in err,
                  f"unreadable {os.path.basename(path)}: exit {code}, {short(err)}")
        os.chmod(f"{locked}/in.n5/v/attributes.json", 0o644)
        code, _, err, _ = run("stats", f"{locked}/in.n5:/v", user=user, timeout=15)
        check(code == 1 and one_line(err, "ermission denied", "0/0/0"),
              f"an unreadable N5 block: {short(err)}")
    else:
        print("skip permission cases: running as root without a 'nobody' user")

    # --- 3. Sizes claimed beyond the file or any encoding of the chunk: refused unread ----------
    with h5py.File(f"{d}/claim.h5", "w") as f:
        f.create_dataset("v", data=np.arange(64 * 64, dtype="u2").reshape(64, 64),
                         chunks=(64, 64), compression="gzip")
    raw = bytearray(open(f"{d}/claim.h5", "rb").read())
    at = -1
    while True:
        at = raw.index(b"TREE", at + 1)
        if raw[at + 4] == 1:  # a chunk index node (version 1 B-tree, raw data)
            break
    raw[at + 24:at + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # the first chunk's stored size
    open(f"{d}/claim.h5", "wb").write(bytes(raw))
    code, _, err, rss = run_rss("stats", f"{d}/claim.h5")
    check(code == 1 and one_line(err, "claims 4294967280 bytes") and rss < 200 * MiB,
          f"an HDF5 chunk index entry claiming 4 GiB: exit {code}, peak RSS {rss / MiB:.0f} MiB, "
          f"{short(err)}")

    # A chunk file (Zarr v2), an N5 block and a shard (Zarr v3) of absurd size: sparse files.
    zarr2(f"{d}/big2.zarr", [64, 64], [64, 64], compressor={"id": "zstd", "level": 1})
    write_bytes(f"{d}/big2.zarr/0.0", b"")
    os.truncate(f"{d}/big2.zarr/0.0", 4 * 2**30)
    n5(f"{d}/big.n5/v", [64, 64], [64, 64], {"type": "gzip"})
    write_bytes(f"{d}/big.n5/v/0/0", b"")
    os.truncate(f"{d}/big.n5/v/0/0", 4 * 2**30)
    for store in (f"{d}/big2.zarr", f"{d}/big.n5:/v"):
        code, _, err, rss = run_rss("stats", store)
        check(code == 1 and one_line(err, "claims", "more than any encoding") and rss < 200 * MiB,
              f"a 4 GiB chunk file in {os.path.basename(store)}: exit {code}, peak RSS "
              f"{rss / MiB:.0f} MiB, {short(err)}")
    sharded3(f"{d}/shard.zarr", [64, 64], [64, 64], [32, 32])
    shard = f"{d}/shard.zarr/c/0/0"
    write_bytes(shard, b"")
    size = 5 * 2**30
    os.truncate(shard, size)
    entries = [0, size - 64, 2**64 - 1, 2**64 - 1, 2**64 - 1, 2**64 - 1, 2**64 - 1, 2**64 - 1]
    with open(shard, "r+b") as f:
        f.seek(size - 64)
        f.write(struct.pack("<8Q", *entries))
    code, _, err, rss = run_rss("stats", f"{d}/shard.zarr")
    check(code == 1 and one_line(err, "claims", "in shard") and rss < 200 * MiB,
          f"a shard index entry claiming 5 GiB: exit {code}, peak RSS {rss / MiB:.0f} MiB, "
          f"{short(err)}")

    # A zstd frame claiming 2^46 bytes: Zarr decodes it into the chunk's size; HDF5's filter
    # (reached through HDF5's own pipeline: zstd then deflate, which zoomflow does not decode
    # itself) bounds it by the frame's structure.
    frame = zstd_frame_claiming(2**46)
    zarr2(f"{d}/frame.zarr", [64, 64], [64, 64], compressor={"id": "zstd", "level": 1})
    write_bytes(f"{d}/frame.zarr/0.0", frame)
    code, _, err, rss = run_rss("stats", f"{d}/frame.zarr")
    check(code == 1 and one_line(err, "corrupt") and rss < 200 * MiB,
          f"a Zarr zstd frame claiming 64 TiB: exit {code}, peak RSS {rss / MiB:.0f} MiB")
    os.environ["HDF5_PLUGIN_PATH"] = args.plugin_dir
    with h5py.File(f"{d}/frame.h5", "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((64, 64))
        dcpl.set_filter(32015, h5py.h5z.FLAG_MANDATORY, (1,))
        dcpl.set_deflate(1)
        space = h5py.h5s.create_simple((64, 64))
        dataset = h5py.h5d.create(f.id, b"v", h5py.h5t.STD_U16LE, space, dcpl=dcpl)
        dataset.write_direct_chunk((0, 0), zlib.compress(frame))
    code, _, err, rss = run_rss("stats", f"{d}/frame.h5")
    check(code == 1 and one_line(err, "chunk (0, 0)") and rss < 200 * MiB,
          f"an HDF5 zstd frame claiming 64 TiB (zoomflow's filter): exit {code}, peak RSS "
          f"{rss / MiB:.0f} MiB, {short(err)}")
    # The same chunk through the plugin, loaded by h5py's own HDF5.
    probe = subprocess.run(
        [sys.executable, "-c",
         "import h5py, resource, sys\n"
         "try:\n"
         f"    h5py.File({f'{d}/frame.h5'!r}, 'r')['v'][...]\n"
         "    print('read')\n"
         "except OSError as e:\n"
         "    print('refused')\n"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"],
        capture_output=True, text=True, env=ENV, timeout=60)
    lines = probe.stdout.split()
    check(probe.returncode == 0 and lines[:1] == ["refused"] and int(lines[1]) * 1024 < 300 * MiB,
          f"h5py with zoomflow's plugin refuses the frame: {probe.stdout.strip()} "
          f"{probe.stderr.strip()[-100:]}")

    # --- 4. Absurd shapes in metadata: refused, never overflowed ----------------------------------
    zarr2(f"{d}/huge.zarr", [2**40, 2**40, 2**40], [2**20, 2**20, 2**20])
    zarr3(f"{d}/huge3.zarr", [64, 64], [2**62, 2**62])
    n5(f"{d}/huge.n5/v", [2**62, 4], [2**62, 4])
    for store in (f"{d}/huge.zarr", f"{d}/huge3.zarr", f"{d}/huge.n5:/v"):
        code, _, err, _ = run("info", store)
        check(code == 2 and one_line(err, "2^62 bytes"),
              f"absurd shape in {os.path.basename(store)}: exit {code}, {short(err)}")
    with h5py.File(f"{d}/huge.h5", "w") as f:
        f.create_dataset("v", shape=(2**40, 2**40, 2**40), dtype="u1", chunks=(64, 64, 64))
    code, _, err, _ = run("info", f"{d}/huge.h5")
    check(code == 2 and one_line(err, "2^62 bytes"), f"an HDF5 extent of 2^120 voxels: "
          f"{short(err)}")

    # --- 5. One chunk larger than the memory limit allows: refused up front, naming a limit that
    # works; that limit holds. 32 MiB chunks, in each format.
    big = np.zeros((256, 256, 256), "<u2")
    big[1, 2, 3] = 7
    with h5py.File(f"{d}/bigchunk.h5", "w") as f:
        f.create_dataset("v", data=big, chunks=big.shape, compression="gzip", compression_opts=1)
    zarr2(f"{d}/bigchunk.zarr", list(big.shape), list(big.shape))
    write_bytes(f"{d}/bigchunk.zarr/0.0.0", big.tobytes())
    n5(f"{d}/bigchunk.n5/v", list(big.shape), list(big.shape), {"type": "gzip"})
    write_bytes(f"{d}/bigchunk.n5/v/0/0/0", n5_block(big)[:16] + gzip.compress(
        big.astype(">u2").tobytes(), 1))
    for source in (f"{d}/bigchunk.h5", f"{d}/bigchunk.zarr", f"{d}/bigchunk.n5:/v"):
        name = os.path.basename(source)
        code, _, err, _ = run_rss("resample", source, f"{d}/r.h5:/v", "--zoom", "0.5",
                                  "--memory-limit", "16MiB", "-q")
        check(code == 2 and one_line(err, "decodes to 32 MiB", "give --memory-limit 128 MiB")
              and not os.path.exists(f"{d}/r.h5"),
              f"{name}: a 32 MiB chunk under --memory-limit 16MiB refused: {short(err)}")
        code, _, err, rss = run_rss("resample", source, f"{d}/r.h5:/v", "--zoom", "0.5",
                                    "--memory-limit", "128MiB", "-q")
        check(code == 0 and rss < 128 * MiB + 200 * MiB,
              f"{name}: the suggested --memory-limit 128MiB works: peak RSS {rss / MiB:.0f} MiB")
        if os.path.exists(f"{d}/r.h5"):
            with h5py.File(f"{d}/r.h5", "r") as f:
                check(np.array_equal(f["v"][...], big[1::2, 1::2, 1::2]),
                      f"{name}: x0.5 equals every second voxel")
            os.remove(f"{d}/r.h5")

    # Many one-voxel chunks: the cache counts every entry's bookkeeping, so they stay within the
    # limit (before: about 170 bytes per chunk beyond it).
    code, _, err, _ = run("generate", f"{d}/tiny.h5:/v", "--shape", "64,128,64", "--chunks",
                          "1,1,1", "--dtype", "uint8", "--pattern", "noise", "-q")
    code, _, err, rss = run_rss("resample", f"{d}/tiny.h5:/v", f"{d}/tiny_out.h5:/v", "--zoom",
                                "1", "--memory-limit", "16MiB", "-q")
    check(code == 0 and rss < 16 * MiB + 64 * MiB,
          f"524288 one-voxel input chunks under --memory-limit 16MiB: peak RSS "
          f"{rss / MiB:.0f} MiB ({short(err)})")
    code, out, _, _ = run("compare", f"{d}/tiny.h5:/v", f"{d}/tiny_out.h5:/v")
    check(code == 0 and "identical" in out, "their copy is identical")
    # SIGTERM while one block reads all 524288 chunks (one output chunk, one thread): the read
    # polls for it between chunks, so the run stops at once instead of after the block.
    started = time.monotonic()
    process = subprocess.Popen([Z, "resample", f"{d}/tiny.h5:/v", f"{d}/tiny_sig.h5:/v", "--zoom",
                                "1", "--chunks", "64,128,64", "--threads", "1", "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=ENV)
    running = wait_until_staged(process, d, "tiny_sig.h5")
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    _, err = process.communicate(timeout=60)
    stopped = time.monotonic() - signalled
    leftovers = [n for n in os.listdir(d) if "tiny_sig" in n]
    check(running and process.returncode == 1 and stopped < 2 and not leftovers and "signal" in err,
          f"SIGTERM inside a read of 524288 chunks: exit {process.returncode} {stopped:.1f} s "
          f"after the signal ({time.monotonic() - started:.1f} s in all), left {leftovers}, "
          f"{short(err)}")
    for name in ("tiny.h5", "tiny_out.h5"):
        os.remove(f"{d}/{name}")

    # --- 6. Enums read by their integer values, in every layout and byte order ------------------
    values = np.array([[-1, 0, 1], [2, 5, -300]], dtype=">i2")
    enum = h5py.enum_dtype({"A": 0, "B": 1, "C": 2}, basetype=np.dtype(">i2"))
    with h5py.File(f"{d}/enum.h5", "w") as f:
        for name, kwargs in (("contiguous", {}), ("chunked", {"chunks": (1, 3)}),
                             ("deflate", {"chunks": (1, 3), "compression": "gzip"}),
                             ("fletcher", {"chunks": (1, 3), "fletcher32": True})):
            f.create_dataset(name, shape=values.shape, dtype=enum, **kwargs)
            # The enum's own type as the memory type: the bytes are stored unconverted.
            f[name].id.write(h5py.h5s.ALL, h5py.h5s.ALL, values, mtype=f[name].id.get_type())
        little = h5py.enum_dtype({"A": 0, "B": 1}, basetype=np.dtype("<i4"))
        f.create_dataset("little", shape=values.shape, dtype=little)
        f["little"].id.write(h5py.h5s.ALL, h5py.h5s.ALL, values.astype("<i4"),
                             mtype=f["little"].id.get_type())
    for name, dtype in (("contiguous", "int16"), ("chunked", "int16"), ("deflate", "int16"),
                        ("fletcher", "int16"), ("little", "int32")):
        code, out, err, _ = run("stats", "--json", f"{d}/enum.h5:/{name}")
        stats = json.loads(out) if code == 0 else {}
        check(code == 0 and stats.get("min") == -300 and stats.get("max") == 5
              and stats.get("sum") == int(values.sum()) and stats.get("dtype") == dtype
              and stats.get("checksum") == f"{checksum(values.astype(dtype)):016x}",
              f"enum /{name}: values outside the enum kept ({short(err) or stats.get('min')})")

    # --- 7. An optional filter this HDF5 lacks, skipped by every chunk: read as HDF5 reads it ----
    with h5py.File(f"{d}/optional.h5", "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((8, 10, 12))
        dcpl.set_filter(31999, h5py.h5z.FLAG_OPTIONAL, ())
        dcpl.set_deflate(1)
        space = h5py.h5s.create_simple(small.shape)
        dataset = h5py.h5d.create(f.id, b"v", h5py.h5t.STD_U16LE, space, dcpl=dcpl)
        dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, small)
    with h5py.File(f"{d}/optional.h5", "r") as f:
        reference = f["v"][...]
    code, out, err, _ = run("stats", "--json", f"{d}/optional.h5")
    check(code == 0 and np.array_equal(reference, small)
          and json.loads(out)["checksum"] == f"{checksum(small):016x}",
          f"an optional filter every chunk skipped: exit {code} {short(err)}")
    code, out, err, _ = run("resample", f"{d}/optional.h5", f"{d}/optional_x2.h5:/v", "--zoom",
                            "2", "-q")
    with h5py.File(f"{d}/optional_x2.h5", "r") as f:
        check(code == 0 and np.array_equal(f["v"][...], small.repeat(2, 0).repeat(2, 1).repeat(
            2, 2)), "... and resampled x2 through zoomflow's own decoder")

    # --- 8. info --json on attributes that are not UTF-8: one line of valid JSON ----------------
    with h5py.File(f"{d}/attrs.h5", "w") as f:
        f["v"] = small
        f["v"].attrs["bad"] = np.bytes_(b"\xff\xfe text \xc3")
        f["v"].attrs["lines"] = "one\ntwo"
    code, out, err, _ = run("info", "--json", f"{d}/attrs.h5")
    try:
        parsed = json.loads(out)
        value = parsed["attributes"]["bad"]
    except (ValueError, KeyError):
        parsed, value = None, ""
    check(code == 0 and out.count("\n") == 1 and "\ufffd" in value and "text" in value,
          f"info --json with a non-UTF-8 attribute: exit {code}, {out.strip()[-80:]} {short(err)}")
    code, out, _, _ = run("info", f"{d}/attrs.h5")
    check(code == 0 and "lines = " in out and "one\\ntwo" in out,
          "info prints a multi-line attribute on one line")
    raw = subprocess.run([Z, "info", f"{d}/attrs.h5"], capture_output=True, env=ENV, timeout=60)
    try:
        text = raw.stdout.decode("utf-8")  # strict: a raw byte that is not UTF-8 fails here
    except UnicodeDecodeError:
        text = None
    check(raw.returncode == 0 and text is not None and 'bad = "\\xff\\xfe text \\xc3"' in text,
          "info prints bytes that are not UTF-8 as escapes, its output valid UTF-8")

    # --- 9. The losing side of two runs writing one output: exit 1 (not bad usage) --------------
    slow_input = f"{d}/slow.h5:/v"
    run("generate", slow_input, "--shape", "96,96,96", "--dtype", "uint16", "--pattern", "noise",
        "-q")
    for output, make_winner in ((f"{d}/race.h5", lambda p: open(p, "wb").close()),
                                (f"{d}/race.zarr", os.makedirs)):
        target = output + ":/v" if output.endswith(".h5") else output
        loser = subprocess.Popen([Z, "resample", slow_input, target, "--zoom", "4", "--order",
                                  "1", "--memory-limit", "64MiB", "-q"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env=ENV)
        base = os.path.basename(output)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and loser.poll() is None and not any(
                n.startswith("." + base) for n in os.listdir(d)):
            time.sleep(0.005)
        make_winner(output)  # the other run finishes first
        _, err = loser.communicate(timeout=120)
        leftovers = [n for n in os.listdir(d) if n.startswith("." + base)]
        check(loser.returncode == 1 and one_line(err, "appeared while it was being written")
              and not leftovers,
              f"{base}: the run that finishes second exits 1: {loser.returncode}, {short(err)}")

    # --- 10. Never-written regions cost nothing: 2^40 voxels in seconds -------------------------
    with h5py.File(f"{d}/sparse.h5", "w") as f:
        f.create_dataset("v", shape=(2**14, 2**13, 2**13), dtype="u1", chunks=(64, 128, 128),
                         compression="gzip")
        f.create_dataset("w", shape=(2**14, 2**13, 2**13), dtype="u1", chunks=(64, 128, 128),
                         compression="gzip")
        f["w"][8, 8, 8] = 9  # sampled by x1/16 nearest (centers: voxel 16 i + 8)
    zarr3(f"{d}/sparse.zarr", [2**14, 2**13, 2**13], [64, 128, 128], dtype="uint8")
    zarr2(f"{d}/sparse2.zarr", [2**14, 2**13, 2**13], [64, 128, 128], dtype="|u1")
    n5(f"{d}/sparse.n5/v", [2**14, 2**13, 2**13], [64, 128, 128])
    for path, nonzero in ((f"{d}/sparse.h5:/v", 0), (f"{d}/sparse.h5:/w", 1),
                          (f"{d}/sparse.zarr", 0), (f"{d}/sparse2.zarr", 0),
                          (f"{d}/sparse.n5:/v", 0)):
        started = time.monotonic()
        code, out, err, _ = run("stats", "--json", path, timeout=60)
        seconds = time.monotonic() - started
        stats = json.loads(out) if code == 0 else {}
        check(code == 0 and stats.get("count") == 2**40 and stats.get("nonzero") == nonzero
              and stats.get("sum") == 9 * nonzero and seconds < 30,
              f"stats of 2^40 voxels, {nonzero} written ({os.path.basename(path)}): "
              f"{seconds:.1f} s {short(err)}")
    started = time.monotonic()
    code, out, err, _ = run("compare", f"{d}/sparse.h5:/v", f"{d}/sparse.zarr", timeout=60)
    check(code == 0 and "identical" in out and time.monotonic() - started < 30,
          f"compare of two never-written 2^40-voxel arrays: {time.monotonic() - started:.1f} s")
    # The chain takes the fill value without reading: a x1/16 of the sparse 2^40 voxels.
    started = time.monotonic()
    code, out, err, _ = run("resample", f"{d}/sparse.h5:/w", f"{d}/down.h5:/v", "--zoom",
                            "0.0625", "--order", "0", "-q", timeout=120)
    seconds = time.monotonic() - started
    ok = code == 0
    if ok:
        with h5py.File(f"{d}/down.h5", "r") as f:
            ok = f["v"].shape == (1024, 512, 512) and f["v"][0, 0, 0] == 9 and \
                f["v"].id.get_num_chunks() == 1
    check(ok and seconds < 60, f"x1/16 of 2^40 voxels, one written: {seconds:.1f} s "
          f"{short(err)}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
