"""Arrays written by TensorStore (N5 with every compression it has, Zarr v2, Zarr v3 sharded with
the index at either end) read by zoomflow exactly, resampled, and read back by TensorStore. N5 lists
axes fastest first: zoomflow reverses them (as zarr's N5 store does), so its (z, y, x) is
TensorStore's (x, y, z) and every comparison transposes. Also an N5 block clipped at the edge, as
the Java N5 library writes them."""
import os
import struct
import sys

import numpy as np

from storage_testlib import (DTYPES, check, check_stats, close_to_scipy, parse_args, random_array,
                             run, scipy_zoom, temp_folder, tensorstore_read, zoomflow_stats)

try:
    import tensorstore as ts
except ImportError:
    print("skipped: needs tensorstore (./dev.sh test makes the venv from tests/requirements.txt)")
    sys.exit(77)

SHAPE = (9, 14, 11)  # zoomflow's order
N5_COMPRESSIONS = [
    {"type": "raw"},
    {"type": "gzip", "level": 5},
    {"type": "gzip", "useZlib": True},
    {"type": "zstd", "level": 2},
    {"type": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
    {"type": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2},
    {"type": "xz", "preset": 3},
]


def kv(path):
    return {"driver": "file", "path": path}


# No fsync per file: these are throwaway test files.
CONTEXT = ts.Context({"file_io_sync": False})


def write_n5(path, x, compression):
    # TensorStore keeps N5's axis order: give it the transpose.
    data = np.ascontiguousarray(x.T)
    store = ts.open({"driver": "n5", "kvstore": kv(path),
                     "metadata": {"dimensions": list(data.shape), "blockSize": [4, 5, 3],
                                  "dataType": str(data.dtype), "compression": compression}},
                    create=True, context=CONTEXT).result()
    store[...] = data


def write_zarr2(path, x, dtype):
    store = ts.open({"driver": "zarr", "kvstore": kv(path),
                     "metadata": {"shape": list(x.shape), "chunks": [4, 5, 6],
                                  "dtype": x.dtype.str, "fill_value": False if dtype == "bool" else 0,
                                  "compressor": {"id": "blosc", "cname": "zstd", "clevel": 2,
                                                 "shuffle": 1}}},
                    create=True, context=CONTEXT).result()
    store[...] = x


def write_sharded(path, x, index_location):
    codecs = [{"name": "sharding_indexed",
               "configuration": {"chunk_shape": [3, 5, 4],
                                 "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                            {"name": "zstd", "configuration": {"level": 1}}],
                                 "index_codecs": [{"name": "bytes",
                                                   "configuration": {"endian": "little"}},
                                                  {"name": "crc32c"}],
                                 "index_location": index_location}}]
    store = ts.open({"driver": "zarr3", "kvstore": kv(path),
                     "metadata": {"shape": list(x.shape), "data_type": str(x.dtype),
                                  "chunk_grid": {"name": "regular",
                                                 "configuration": {"chunk_shape": [6, 10, 8]}},
                                  "codecs": codecs}},
                    create=True, context=CONTEXT).result()
    store[...] = x


def write_clipped_n5_block(folder):
    """A Java-style N5 dataset: dimensions [5, 3] (x, y), blocks [4, 2], edge blocks clipped."""
    path = os.path.join(folder, "java.n5")
    os.makedirs(os.path.join(path, "v"))
    with open(os.path.join(path, "attributes.json"), "w") as f:
        f.write('{"n5": "4.0.0"}')
    with open(os.path.join(path, "v", "attributes.json"), "w") as f:
        f.write('{"dimensions": [5, 3], "blockSize": [4, 2], "dataType": "int16", '
                '"compression": {"type": "raw"}}')
    full = np.arange(15, dtype=">i2").reshape(3, 5)  # (y, x): zoomflow's order
    for bx in range(2):
        for by in range(2):
            block = full[by * 2:by * 2 + 2, bx * 4:bx * 4 + 4]
            header = struct.pack(">HHII", 0, 2, block.shape[1], block.shape[0])
            os.makedirs(os.path.join(path, "v", str(bx)), exist_ok=True)
            with open(os.path.join(path, "v", str(bx), str(by)), "wb") as f:
                f.write(header + block.tobytes())
    return path + ":/v", full.astype("i2")


def main():
    args = parse_args()
    z = args.zoomflow
    rng = np.random.default_rng(7)
    checked = 0
    with temp_folder() as folder:
        for n, dtype in enumerate(DTYPES):
            x = random_array(rng, dtype, SHAPE)
            layouts = []
            if dtype != "bool":  # N5 has no bool
                compression = N5_COMPRESSIONS[n % len(N5_COMPRESSIONS)]
                path = os.path.join(folder, f"{dtype}.n5")
                write_n5(path, x, compression)
                check(np.array_equal(tensorstore_read(path, "n5").T, x), "TensorStore N5 round trip")
                layouts.append((f"{dtype} N5 {compression}", path, "n5"))
            path = os.path.join(folder, f"{dtype}-v2.zarr")
            write_zarr2(path, x, dtype)
            layouts.append((f"{dtype} Zarr v2 blosc", path, "zarr"))
            path = os.path.join(folder, f"{dtype}-sharded.zarr")
            location = "start" if n % 2 else "end"
            write_sharded(path, x, location)
            layouts.append((f"{dtype} Zarr v3 sharded, index at {location}", path, "zarr3"))

            for k, (label, path, driver) in enumerate(layouts):
                check_stats(zoomflow_stats(z, path), x, label)
                # zoomflow writes the same format back; TensorStore reads it.
                order = 0 if dtype == "bool" else (n + k) % 2
                out = os.path.join(folder, f"{dtype}-{k}-out" + (".n5" if driver == "n5" else ".zarr"))
                extra = ["--format", "zarr2"] if driver == "zarr" else []
                if driver == "zarr3":
                    extra = ["--chunks", "4,4,4", "--shards", "8,8,8"]
                run([z, "resample", path, out, "--zoom", "2,0.5,1.3", "--order", str(order),
                     "--quiet"] + extra, expect=0)
                got = tensorstore_read(out, driver)
                if driver == "n5":
                    got = got.T
                want = scipy_zoom(x, got.shape, order)
                check(close_to_scipy(got, want, order), f"{label}: TensorStore reads zoomflow's "
                      f"resample (order {order}) differently from scipy")
                checked += 1

        # The Java N5 library clips edge blocks; their headers say so.
        path, want = write_clipped_n5_block(folder)
        check_stats(zoomflow_stats(z, path), want, "clipped N5 blocks")
        check(np.array_equal(tensorstore_read(path.replace(":/v", "/v"), "n5").T, want),
              "TensorStore reads the clipped blocks differently")
    print(f"ok: {checked} TensorStore arrays read exactly, resampled and read back by TensorStore")


if __name__ == "__main__":
    main()
