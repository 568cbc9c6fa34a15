"""Files written by h5py (contiguous, chunked, gzip with and without shuffle, bool, big-endian,
fill values, unwritten chunks, filters only HDF5 decodes, ranks 1 to 4) read back exactly:
`storage_probe dump` (InputDataset::read_box in boxes straddling chunks, on 3 threads) must
return numpy's bytes, and `zoomflow stats --json` numpy's statistics and checksum."""
import os

import h5py
import numpy as np

from storage_testlib import check, check_stats, parse_args, run, temp_folder, zoomflow_stats

rng = np.random.default_rng(2024)


def random_array(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.3
    if dtype.kind == "f":
        a = (rng.standard_normal(shape) * 1000).astype(dtype)
        a.reshape(-1)[::97] = np.nan
        return a
    info = np.iinfo(dtype)
    native = dtype.newbyteorder("=")
    return rng.integers(info.min, info.max, size=shape, dtype=native, endpoint=True).astype(dtype)


def cases():
    """(name, array, h5py create_dataset keyword arguments, what to write)."""
    shape = (23, 41, 17)
    yield "contiguous_u16", random_array(shape, "u2"), {}
    yield "contiguous_f64_big_endian", random_array(shape, ">f8"), {}
    yield "chunked_i32", random_array(shape, "i4"), {"chunks": (10, 16, 7)}
    yield "gzip_i64", random_array(shape, "i8"), {"chunks": (8, 8, 8), "compression": "gzip"}
    yield "gzip_shuffle_f32", random_array(shape, "f4"), {
        "chunks": (16, 16, 16), "compression": "gzip", "compression_opts": 7, "shuffle": True}
    yield "gzip_shuffle_i16_big_endian", random_array(shape, ">i2"), {
        "chunks": (5, 20, 17), "compression": "gzip", "shuffle": True}
    yield "shuffle_only_u32", random_array(shape, "u4"), {"chunks": (12, 12, 12), "shuffle": True}
    yield "bool_chunked_gzip", random_array(shape, np.bool_), {"chunks": (8, 32, 8),
                                                             "compression": "gzip"}
    yield "bool_contiguous", random_array(shape, np.bool_), {}
    yield "fletcher32_f64", random_array(shape, "f8"), {"chunks": (9, 9, 9), "fletcher32": True,
                                                         "compression": "gzip"}
    yield "scaleoffset_i16", random_array(shape, "i2"), {"chunks": (8, 16, 16), "scaleoffset": 0}
    yield "auto_chunks_u8", random_array(shape, "u1"), {"chunks": True, "compression": "gzip"}
    yield "rank1_i8", random_array((1000,), "i1"), {"chunks": (64,), "compression": "gzip"}
    yield "rank2_u64", random_array((300, 70), "u8"), {"chunks": (64, 64), "compression": "gzip",
                                                       "shuffle": True}
    yield "rank4_f32", random_array((3, 10, 12, 9), "f4"), {"chunks": (1, 4, 12, 5)}


def write(folder, name, array, options):
    path = os.path.join(folder, name + ".h5")
    with h5py.File(path, "w") as f:
        f.create_dataset("group/data", data=array, **options)
    return path + ":/group/data"


def write_partial_with_fill(folder):
    """Chunks never written read as the fill value (7); written ones as written."""
    path = os.path.join(folder, "fill.h5")
    expected = np.full((30, 30), 7, dtype="u2")
    expected[0:10, 0:10] = np.arange(100, dtype="u2").reshape(10, 10)
    expected[25:30, 12:14] = 3
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", shape=(30, 30), dtype="u2", chunks=(10, 10), fillvalue=7,
                             compression="gzip")
        d[0:10, 0:10] = expected[0:10, 0:10]
        d[25:30, 12:14] = 3
        f.create_dataset("never_written", shape=(40, 50), dtype="f4", chunks=(16, 16))
    return [(path + ":/data", expected),
            (path + ":/never_written", np.zeros((40, 50), dtype="f4"))]


def check_dump(args, folder, path, expected, where):
    raw = os.path.join(folder, "dump.raw")
    run([args.probe, "dump", path, raw, 3], expect=0)
    native = expected.astype(expected.dtype.newbyteorder("="))
    got = np.fromfile(raw, dtype=native.dtype).reshape(native.shape)
    same = np.array_equal(got.view(f"u{native.dtype.itemsize}"),
                          native.view(f"u{native.dtype.itemsize}"))
    if not same:
        bad = np.argwhere(got.view(f"u{native.dtype.itemsize}") !=
                          native.view(f"u{native.dtype.itemsize}"))
        check(False, f"{where}: {len(bad)} values differ, first at {tuple(bad[0])}: "
                     f"{got[tuple(bad[0])]} != {native[tuple(bad[0])]}")


def main():
    args = parse_args()
    with temp_folder() as folder:
        inputs = [(write(folder, name, a, o), a, name) for name, a, o in cases()]
        inputs += [(p, a, p) for p, a in write_partial_with_fill(folder)]
        for path, expected, name in inputs:
            check_dump(args, folder, path, expected, name)
            check_stats(zoomflow_stats(args.zoomflow, path), expected, name)
        # The bool enum is reported as bool; big-endian as its native type.
        _, out, _ = run([args.zoomflow, "info", inputs[8][0]], expect=0)
        check("bool" in out and "contiguous" in out, "info of a bool dataset:\n" + out)
        _, out, _ = run([args.zoomflow, "info", inputs[5][0]], expect=0)
        check("int16" in out and "shuffle" in out and "deflate" in out,
              "info of a big-endian shuffled int16 dataset:\n" + out)
    print(f"ok: {len(inputs)} h5py datasets read exactly")


if __name__ == "__main__":
    main()
