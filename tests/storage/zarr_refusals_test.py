"""Bad Zarr and N5 input is one clear line naming the store, the array and (for chunks) the chunk
key, exit 2 (unusable as named) or 1 (found while reading), never an abort: malformed JSON,
unsupported dtypes, codecs and filters, undecodable chunks, chunks of the wrong size, shard indexes
pointing outside the shard or failing their checksum, symlinks leaving the store, folders that are
no store. Outputs: existing arrays kept without --overwrite and replaced with it, impossible
options refused before anything is written, the input never touched."""
import hashlib
import json
import os
import struct
import sys

import numpy as np

from storage_testlib import check, one_error_line, parse_args, run, temp_folder

try:
    import crc32c
    import zarr
except ImportError:
    print("skipped: needs zarr-python and crc32c (./dev.sh test makes the venv)")
    sys.exit(77)


def expect(zoomflow, command, status, fragments):
    code, _, err = run([zoomflow] + command)
    where = "zoomflow " + " ".join(command)
    check(code == status, f"{where}: exit {code}, expected {status}\n{err}")
    one_error_line(err, fragments, where)


def tree_digest(folder):
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(path.encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def write_json(path, value):
    with open(path, "w") as f:
        f.write(value if isinstance(value, str) else json.dumps(value))


def zarr3_meta(data_type="uint16", codecs=None, **extra):
    meta = {"zarr_format": 3, "node_type": "array", "shape": [4, 4], "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 2]}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
            "codecs": codecs or [{"name": "bytes", "configuration": {"endian": "little"}}]}
    meta.update(extra)
    return meta


def metadata_refusals(z, folder):
    def store(name, files):
        path = os.path.join(folder, name)
        os.makedirs(path)
        for file, value in files.items():
            write_json(os.path.join(path, file), value)
        return path

    cases = [
        (store("bad-json.zarr", {"zarr.json": '{"zarr_format": 3, "node_type": '}),
         ["bad-json.zarr/zarr.json", "not valid JSON"]),
        (store("bad-zarray.zarr", {".zarray": "[1, 2"}), ["bad-zarray.zarr/.zarray", "not valid JSON"]),
        (store("complex.zarr", {"zarr.json": zarr3_meta("complex64")}),
         ["complex.zarr", "data type \"complex64\" is not supported"]),
        (store("half.zarr", {"zarr.json": zarr3_meta("float16")}), ["\"float16\" is not supported"]),
        (store("codec.zarr", {"zarr.json": zarr3_meta(codecs=[{"name": "bytes"},
                                                               {"name": "lz4hc"}])}),
         ["codec.zarr", "codec 'lz4hc' is not supported"]),
        (store("ext.zarr", {"zarr.json": zarr3_meta(fancy={"must_understand": True})}),
         ["extension \"fancy\""]),
        (store("fill.zarr", {"zarr.json": zarr3_meta(fill_value="lots")}),
         ["fill value \"lots\" is not a uint16"]),
        (store("v2-dtype.zarr", {".zarray": {"zarr_format": 2, "shape": [4], "chunks": [2],
                                             "dtype": "<f2", "compressor": None,
                                             "fill_value": 0, "order": "C", "filters": None}}),
         ["v2-dtype.zarr", "dtype \"<f2\" is not supported"]),
        (store("v2-string.zarr", {".zarray": {"zarr_format": 2, "shape": [4], "chunks": [2],
                                              "dtype": "|S3", "compressor": None,
                                              "fill_value": None, "order": "C", "filters": None}}),
         ["dtype \"|S3\" is not supported"]),
        (store("v2-filter.zarr", {".zarray": {"zarr_format": 2, "shape": [4], "chunks": [2],
                                              "dtype": "<i4", "compressor": None, "fill_value": 0,
                                              "order": "C",
                                              "filters": [{"id": "delta", "dtype": "<i4"}]}}),
         ["v2-filter.zarr", "filter 'delta' is not supported"]),
        (store("v2-lz4.zarr", {".zarray": {"zarr_format": 2, "shape": [4], "chunks": [2],
                                           "dtype": "<i4", "compressor": {"id": "lz4"},
                                           "fill_value": 0, "order": "C", "filters": None}}),
         ["compressor 'lz4' is not supported"]),
        (store("rank0.zarr", {"zarr.json": dict(zarr3_meta(), shape=[])}), ["rank 0"]),
        (store("bzip2.n5", {"attributes.json": {"dimensions": [4, 4], "blockSize": [2, 2],
                                                "dataType": "uint8",
                                                "compression": {"type": "bzip2"}}}),
         ["bzip2.n5", "compression 'bzip2' is not supported"]),
        (store("object.n5", {"attributes.json": {"dimensions": [4], "blockSize": [2],
                                                 "dataType": "object",
                                                 "compression": {"type": "raw"}}}),
         ["dataType \"object\" is not supported"]),
        (store("bad.n5", {"attributes.json": "{dimensions"}), ["bad.n5/attributes.json", "not valid JSON"]),
    ]
    os.makedirs(os.path.join(folder, "plain.zarr", "sub"))
    cases.append((os.path.join(folder, "plain.zarr"),
                  ["plain.zarr is a folder, but neither a Zarr nor an N5 store"]))
    for path, fragments in cases:
        for command in (["info", path], ["stats", path]):
            expect(z, command, 2, fragments)


def hierarchy_refusals(z, folder):
    path = os.path.join(folder, "tree.zarr")
    root = zarr.open_group(path, mode="w")
    root.create_array("a", shape=(4,), dtype="u1")
    root.create_group("g").create_array("b", shape=(4,), dtype="u1")
    expect(z, ["info", path], 2, ["tree.zarr holds 2 arrays", "tree.zarr:/ARRAY", "/a, /g/b"])
    expect(z, ["info", path + ":/g"], 2, ["tree.zarr:/g is a group, not an array", "/g/b"])
    expect(z, ["info", path + ":/nope"], 2, ["tree.zarr has no array /nope", "/a, /g/b"])
    _, out, _ = run([z, "info", path + ":/g/b"], expect=0)
    check("(4)" in out or "(4,)" in out, "info of a nested array: " + out)


def chunk_refusals(z, folder):
    # zoomflow's own Zarr v3 (zstd, with a checksum): garbage in one chunk.
    path = os.path.join(folder, "damaged.zarr")
    run([z, "generate", path + ":/raw", "--shape", "40,40", "--dtype", "uint16", "--pattern",
         "noise", "--chunks", "20,20", "--quiet"], expect=0)
    chunk = os.path.join(path, "raw", "c", "1", "0")
    with open(chunk, "r+b") as f:
        f.seek(os.path.getsize(chunk) // 2)
        f.write(bytes(range(40, 80)))
    for command in (["stats", path + ":/raw"], ["compare", path + ":/raw", path + ":/raw"]):
        expect(z, command, 1, ["damaged.zarr:/raw", "chunk c/1/0", "corrupt", "zstd"])

    # An uncompressed chunk of the wrong size (Zarr v2, zarr-python's).
    path = os.path.join(folder, "short.zarr")
    array = zarr.create_array(store=path, shape=(6, 6), chunks=(3, 3), dtype="<i4",
                              zarr_format=2, compressors=None, fill_value=0)
    array[...] = np.arange(36, dtype="i4").reshape(6, 6) + 1
    with open(os.path.join(path, "0.1"), "r+b") as f:
        f.truncate(20)
    expect(z, ["stats", path], 1, ["short.zarr", "chunk 0.1", "holds 20 bytes instead of 36"])

    # A shard whose index points outside it, then one whose index fails its checksum.
    path = os.path.join(folder, "shard.zarr")
    run([z, "generate", path, "--shape", "16,16", "--dtype", "uint8", "--pattern", "noise",
         "--chunks", "16,16", "--quiet"], expect=0)
    sharded = os.path.join(folder, "sharded.zarr")
    run([z, "resample", path, sharded, "--zoom", "1", "--chunks", "4,4", "--shards", "8,8",
         "--quiet"], expect=0)
    shard = os.path.join(sharded, "c", "0", "1")
    data = bytearray(open(shard, "rb").read())
    entries = 4  # inner chunks per shard
    index_at = len(data) - (16 * entries + 4)
    offset, size = struct.unpack_from("<QQ", data, index_at)
    struct.pack_into("<QQ", data, index_at, len(data) + 100, size)
    struct.pack_into("<I", data, len(data) - 4, crc32c.crc32c(bytes(data[index_at:-4])))
    with open(shard, "wb") as f:
        f.write(data)
    expect(z, ["stats", sharded], 1, ["sharded.zarr", "shard c/0/1", "points outside the shard"])
    data[index_at] ^= 0x55  # the index no longer matches its crc32c
    with open(shard, "wb") as f:
        f.write(data)
    expect(z, ["stats", sharded], 1, ["sharded.zarr", "shard c/0/1", "crc32c"])

    # A chunk that is a symlink leading out of the store.
    path = os.path.join(folder, "escape.zarr")
    run([z, "generate", path, "--shape", "8,8", "--dtype", "uint8", "--pattern", "noise",
         "--chunks", "4,4", "--quiet"], expect=0)
    outside = os.path.join(folder, "outside-chunk")
    os.rename(os.path.join(path, "c", "1", "1"), outside)
    os.symlink(outside, os.path.join(path, "c", "1", "1"))
    expect(z, ["stats", path], 1, ["escape.zarr", "c/1/1", "leads out of the store"])
    # A symlink inside the store is fine.
    os.remove(os.path.join(path, "c", "1", "1"))
    os.rename(outside, os.path.join(path, "c", "1", "real"))
    os.symlink("real", os.path.join(path, "c", "1", "1"))
    run([z, "stats", path], expect=0)

    # N5: a block whose header disagrees with the dataset.
    path = os.path.join(folder, "header.n5")
    run([z, "generate", path + ":/v", "--shape", "8,8", "--dtype", "int32", "--pattern", "noise",
         "--chunks", "4,4", "--quiet"], expect=0)
    block = os.path.join(path, "v", "1", "0")
    data = bytearray(open(block, "rb").read())
    struct.pack_into(">I", data, 4, 9)  # a block wider than blockSize
    with open(block, "wb") as f:
        f.write(data)
    expect(z, ["stats", path + ":/v"], 1, ["header.n5:/v", "chunk 1/0", "block shape"])


def output_refusals(z, folder):
    source = os.path.join(folder, "source.zarr")
    run([z, "generate", source, "--shape", "10,10,10", "--dtype", "uint16", "--pattern", "noise",
         "--quiet"], expect=0)
    mask = os.path.join(folder, "mask.h5:/m")
    run([z, "generate", mask, "--shape", "10,10,10", "--dtype", "bool", "--quiet"], expect=0)
    before = tree_digest(source)
    out = os.path.join(folder, "out.zarr")
    run([z, "resample", source, out, "--zoom", "2", "--quiet"], expect=0)
    expect(z, ["resample", source, out, "--zoom", "3", "--quiet"], 2,
           ["out.zarr", "already exists", "--overwrite"])
    check(zarr.open_array(out, mode="r").shape == (20, 20, 20), "refused run changed the output")
    run([z, "resample", source, out, "--zoom", "3", "--quiet", "--overwrite"], expect=0)
    check(zarr.open_array(out, mode="r").shape == (30, 30, 30), "--overwrite did not replace")
    check(not os.path.exists(os.path.join(out, "c", "0", "0", "0", "x")), "stale files")
    check([n for n in os.listdir(folder) if ".zoomflow-" in n] == [], "temporaries left behind")
    # Into an existing store: a new array; a group is never replaced.
    run([z, "resample", source, out.replace("out.zarr", "tree.zarr") + ":/a/b/c", "--zoom", "1",
         "--quiet"], expect=0)
    expect(z, ["resample", source, os.path.join(folder, "tree.zarr") + ":/a/b", "--zoom", "1",
               "--quiet", "--overwrite"], 2, ["tree.zarr:/a/b", "is a group"])
    refusals = [
        ([mask, os.path.join(folder, "mask.n5:/m")], ["N5 has no bool"]),
        ([source, os.path.join(folder, "x.n5:/x"), "--shards", "64,64,64"], ["--shards needs a Zarr v3"]),
        ([source, os.path.join(folder, "x.zarr"), "--chunks", "4,4,4", "--shards", "6,6,6"],
         ["multiple of the chunk shape"]),
        ([source, os.path.join(folder, "x.h5:/x"), "--compression", "blosc"], ["HDF5 outputs take"]),
        ([source, os.path.join(folder, "x.zarr"), "--format", "tiff"], ["--format 'tiff'"]),
        ([source, source], ["input"]),
        ([source, out, "--format", "zarr2", "--overwrite"], ["is a Zarr v3 store", "zarr2"]),
    ]
    for extra, fragments in refusals:
        expect(z, ["resample"] + extra + ["--zoom", "1", "--quiet"], 2, fragments)
    for name in ("mask.n5", "x.n5", "x.zarr", "x.h5"):
        check(not os.path.exists(os.path.join(folder, name)), f"a refused run created {name}")
    check(tree_digest(source) == before, "the input store changed")


def main():
    args = parse_args()
    with temp_folder() as folder:
        for step in (metadata_refusals, hierarchy_refusals, chunk_refusals, output_refusals):
            sub = os.path.join(folder, step.__name__)
            os.makedirs(sub)
            step(args.zoomflow, sub)
    print("ok: bad Zarr and N5 input refused in one line each; outputs kept or replaced as asked")


if __name__ == "__main__":
    main()
