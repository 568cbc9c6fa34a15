"""Arrays written by zarr-python 3 (Zarr v2 and v3, sharded or not, every dtype, every codec,
chunks that do not divide the shape, fill values including NaN, chunks left unwritten) read by
zoomflow exactly (stats against numpy), resampled, and written back in every format: zarr-python,
TensorStore and h5py read zoomflow's output, equal to scipy.ndimage.zoom."""
import os
import sys

import h5py
import numpy as np

try:
    import numcodecs
    import zarr
    import zarr.codecs as zc
except ImportError:
    print("skipped: needs zarr-python and tensorstore (./dev.sh test makes the venv)")
    sys.exit(77)

from storage_testlib import (DTYPES, check, check_stats, close_to_scipy, parse_args, plugin_env,
                             random_array, run, scipy_zoom, temp_folder, tensorstore_read,
                             zarr_read, zoomflow_stats)

SHAPE = (13, 17, 11)
CHUNKS = (5, 6, 4)
SHARDS = (10, 12, 8)

V3_CODECS = [  # (name, serializer, compressors, filters)
    ("zstd", "auto", [zc.ZstdCodec(level=3)], None),
    ("blosc-lz4-shuffle", "auto", [zc.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")], None),
    ("blosc-zstd-bitshuffle", "auto",
     [zc.BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")], None),
    ("gzip", "auto", [zc.GzipCodec(level=5)], None),
    ("zstd+crc32c", "auto", [zc.ZstdCodec(level=1, checksum=True), zc.Crc32cCodec()], None),
    ("none", "auto", None, None),
    ("big-endian+transpose", zc.BytesCodec(endian="big"), [zc.ZstdCodec()],
     [zc.TransposeCodec(order=(2, 0, 1))]),
    ("blosc-blosclz+crc32c", "auto", [zc.BloscCodec(cname="blosclz", shuffle="noshuffle"),
                                     zc.Crc32cCodec()], None),
]
V2_COMPRESSORS = [
    ("zstd", numcodecs.Zstd(level=2)),
    ("blosc", numcodecs.Blosc(cname="lz4hc", clevel=4, shuffle=numcodecs.Blosc.SHUFFLE)),
    ("gzip", numcodecs.GZip(level=6)),
    ("zlib", numcodecs.Zlib(level=1)),
    ("none", None),
    ("lzma", numcodecs.LZMA()),
    ("blosc-bitshuffle", numcodecs.Blosc(cname="zlib", shuffle=numcodecs.Blosc.BITSHUFFLE)),
]
OUTPUTS = ["zarr3", "zarr2", "zarr3-sharded", "n5", "hdf5"]


def fill_for(dtype):
    if dtype == "bool":
        return False
    if dtype.startswith("float"):
        return float("nan")
    return 7


def with_fill_chunk(x, fill):
    """The first chunk entirely fill value: zarr-python does not write it."""
    x = x.copy()
    x[:CHUNKS[0], :CHUNKS[1], :CHUNKS[2]] = fill
    return x


def write_v3(path, x, fill, variant, sharded):
    name, serializer, compressors, filters = variant
    kwargs = dict(shape=x.shape, dtype=x.dtype, chunks=CHUNKS, fill_value=fill, zarr_format=3,
                  serializer=serializer, compressors=compressors,
                  dimension_names=("z", "y", "x"))
    if filters is not None:
        kwargs["filters"] = filters
    if sharded:
        kwargs["shards"] = SHARDS
    array = zarr.create_array(store=path, **kwargs)
    array[...] = x
    return array


def write_v2(path, x, fill, compressor, variant_index):
    dtype = x.dtype
    if variant_index % 2 == 1 and dtype.itemsize > 1:
        dtype = dtype.newbyteorder(">")  # big-endian on disk
    order = "F" if variant_index % 3 == 2 else "C"
    separator = "/" if variant_index % 4 == 3 else "."
    array = zarr.create_array(store=path, shape=x.shape, dtype=dtype, chunks=CHUNKS,
                              fill_value=fill, zarr_format=2, compressors=compressor,
                              order=order, chunk_key_encoding={"name": "v2",
                                                               "separator": separator})
    array[...] = x
    return f"{dtype.str} order {order} separator {separator}"


def read_output(kind, path, plugin_dir):
    """zoomflow's output through clients nobody here wrote; each must agree."""
    if kind == "hdf5":
        os.environ["HDF5_PLUGIN_PATH"] = plugin_dir
        with h5py.File(path.split(":")[0], "r") as f:
            return [f["y"][...]]
    if kind == "n5":
        # N5 lists axes fastest first; zoomflow (like zarr's N5 store) reverses them, TensorStore
        # keeps N5's order: its view is the transpose.
        return [tensorstore_read(path, "n5").T]
    driver = "zarr" if kind == "zarr2" else "zarr3"
    return [zarr_read(path), tensorstore_read(path, driver)]


def output_arguments(kind, folder, label):
    base = os.path.join(folder, label)
    if kind == "hdf5":
        return base + ".h5:/y", base + ".h5:/y", []
    if kind == "n5":
        return base + ".n5", base + ".n5", ["--chunks", "7,5,6"]
    path = base + ".zarr"
    extra = ["--chunks", "7,5,6"]
    if kind == "zarr2":
        extra += ["--format", "zarr2"]
    if kind == "zarr3-sharded":
        extra += ["--shards", "14,10,12"]
    return path, path, extra


def resample_and_check(args, folder, label, source, x, kind, order, zoom):
    target, read_path, extra = output_arguments(kind, folder, f"{label}-{kind}-o{order}")
    run([args.zoomflow, "resample", source, target, "--zoom", zoom, "--order", str(order),
         "--quiet", "--memory-limit", "8MiB"] + extra, env=plugin_env(args.plugin_dir), expect=0)
    results = read_output(kind, read_path, args.plugin_dir)
    if kind.startswith("zarr3") and zarr.open_array(source, mode="r").metadata.zarr_format == 3:
        names = zarr.open_array(read_path, mode="r").metadata.dimension_names
        check(names == ("z", "y", "x"), f"{label}: dimension_names not kept: {names}")
    want = scipy_zoom(x, results[0].shape, order)
    for got in results:
        check(close_to_scipy(got, want, order),
              f"{label} -> {kind} order {order}: differs from scipy.ndimage.zoom")


def main():
    args = parse_args()
    rng = np.random.default_rng(2024)
    cases = 0
    with temp_folder() as folder:
        for n, dtype in enumerate(DTYPES):
            values = random_array(rng, dtype, SHAPE)
            layouts = []  # (label, path, array as written)
            fill = fill_for(dtype)
            x = with_fill_chunk(values, fill)
            v3 = V3_CODECS[n % len(V3_CODECS)]
            path = os.path.join(folder, f"{dtype}-v3.zarr")
            write_v3(path, x, fill, v3, sharded=False)
            check(not os.path.exists(os.path.join(path, "c", "0", "0", "0")),
                  "zarr-python wrote the all-fill chunk")
            layouts.append((f"{dtype} v3 {v3[0]} fill {fill}", path, x))
            v3 = V3_CODECS[(n + 3) % len(V3_CODECS)]
            path = os.path.join(folder, f"{dtype}-sharded.zarr")
            write_v3(path, x, fill, v3, sharded=True)
            layouts.append((f"{dtype} v3 sharded {v3[0]} fill {fill}", path, x))
            # Zarr v2 with a finite fill value, so that floats take order 1 too.
            fill = fill if dtype == "bool" else (0.5 if dtype.startswith("float") else 3)
            x = with_fill_chunk(values, fill)
            name, compressor = V2_COMPRESSORS[n % len(V2_COMPRESSORS)]
            path = os.path.join(folder, f"{dtype}-v2.zarr")
            detail = write_v2(path, x, fill, compressor, n)
            layouts.append((f"{dtype} v2 {name} {detail} fill {fill}", path, x))

            for k, (label, path, x) in enumerate(layouts):
                reference = zarr_read(path)  # zarr-python's own reading
                check(np.array_equal(reference, x, equal_nan=x.dtype.kind == "f"),
                      f"{label}: zarr-python round trip")
                check_stats(zoomflow_stats(args.zoomflow, path), reference, label)
                # Resample into one output format per layout, order 0 and (no bool, no NaN) 1.
                kind = OUTPUTS[(n + k) % len(OUTPUTS)]
                if kind == "n5" and dtype == "bool":
                    kind = "zarr3"
                tag = f"{dtype}-{k}"
                resample_and_check(args, folder, tag, path, reference, kind, 0, "1.5,0.7,2")
                if dtype != "bool" and not np.isnan(reference.astype(np.float64)).any():
                    resample_and_check(args, folder, tag, path, reference, kind, 1, "1.5,0.7,2")
                cases += 1
    print(f"ok: {cases} zarr-python arrays read exactly and resampled into every format")


if __name__ == "__main__":
    main()
