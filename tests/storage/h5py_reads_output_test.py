"""h5py reads zoomflow's output: every dtype through zstd (through zoomflow's HDF5 plugin, found
with HDF5_PLUGIN_PATH), gzip and no compression, bit for bit against the source bytes; bool as
numpy bool; chunks, fill value and filter parameters as written. Also: h5py writes zstd through
the plugin and zoomflow reads it; attributes are copied with voxel sizes scaled."""
import glob
import os
import shutil
import sys

from storage_testlib import (check, check_stats, parse_args, plugin_env, run, temp_folder,
                             zoomflow_stats)

args = parse_args()
os.environ["HDF5_PLUGIN_PATH"] = args.plugin_dir  # before h5py loads HDF5
import h5py  # noqa: E402
import numpy as np  # noqa: E402

DTYPES = {"bool": np.bool_, "int8": "i1", "int16": "i2", "int32": "i4", "int64": "i8",
          "uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8", "float32": "f4",
          "float64": "f8"}


def check_samples(folder):
    run([args.probe, "write-samples", folder], expect=0)
    files = sorted(glob.glob(os.path.join(folder, "*.h5")))
    check(len(files) == len(DTYPES) * 4, f"expected {len(DTYPES) * 4} sample files")
    for path in files:
        name = os.path.basename(path)[:-3]
        dtype_name, codec, level = name.rsplit("_", 2)
        dtype = np.dtype(DTYPES[dtype_name])
        source = np.fromfile(os.path.join(folder, dtype_name + ".raw"),
                             dtype="u1" if dtype == np.bool_ else dtype)
        with h5py.File(path, "r") as f:
            d = f["data"]
            check(d.dtype == dtype, f"{name}: h5py sees {d.dtype}, expected {dtype}")
            check(d.chunks == (8, 16, 16), f"{name}: chunks {d.chunks}")
            check(d.fillvalue == 0, f"{name}: fill value {d.fillvalue}")
            filters = d.id.get_create_plist()
            ids = [filters.get_filter(i)[0] for i in range(filters.get_nfilters())]
            expected_ids = {"zstd": [32015], "gzip": [1], "none": []}[codec]
            check(ids == expected_ids, f"{name}: filters {ids}, expected {expected_ids}")
            if codec == "zstd":
                check(filters.get_filter(0)[2] == (int(level),), f"{name}: zstd cd_values")
            values = d[...]
            check(isinstance(d.attrs["zoomflow_version"], str), f"{name}: version attribute")
        got = values.view("u1") if dtype == np.bool_ else values
        check(np.array_equal(got.reshape(-1).view(f"u{dtype.itemsize}"),
                             source.view(f"u{dtype.itemsize}")),
              f"{name}: h5py reads other values than were written")
    return files


def check_needs_plugin(zstd_file):
    """Without the plugin, HDF5 cannot read the zstd chunks: the plugin is what h5py uses."""
    env = dict(os.environ)
    empty = os.path.join(os.path.dirname(zstd_file), "no-plugins-here")
    os.makedirs(empty, exist_ok=True)
    env["HDF5_PLUGIN_PATH"] = empty
    code = f"import h5py; h5py.File({zstd_file!r}, 'r')['data'][...]"
    status, _, err = run([sys.executable, "-c", code], env=env)
    # HDF5 1.x says the filter is "not registered", HDF5 2.0 (PyPI's h5py) "can't find plugin".
    check(status != 0 and ("not registered" in err or "can't find plugin" in err),
          "h5py read zstd without the plugin?\n" + err)


def check_h5dump(zstd_file):
    if shutil.which("h5dump") is None:
        return
    _, out, _ = run(["h5dump", "-d", "/data", "-s", "20,30,0", "-c", "1,1,4", zstd_file],
                    env=plugin_env(args.plugin_dir), expect=0)
    check("DATA" in out, "h5dump with the plugin:\n" + out)


def check_h5py_writes_zstd(folder):
    path = os.path.join(folder, "h5py_zstd.h5")
    a = np.random.default_rng(5).integers(0, 4000, size=(30, 50, 20), dtype="u2")
    a[:, :10] = 0
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=a, chunks=(16, 16, 16), compression=32015,
                         compression_opts=(5,))
    raw = os.path.join(folder, "h5py_zstd.raw")
    run([args.probe, "dump", path + ":/x", raw], expect=0)
    check(np.array_equal(np.fromfile(raw, dtype="u2").reshape(a.shape), a),
          "zoomflow reads h5py's zstd chunks wrongly")
    check_stats(zoomflow_stats(args.zoomflow, path + ":/x"), a, "h5py zstd")


def check_attribute_copy(folder):
    src = os.path.join(folder, "attrs_in.h5")
    a = np.arange(6 * 8 * 10, dtype="i4").reshape(6, 8, 10)
    with h5py.File(src, "w") as f:
        d = f.create_dataset("v", data=a)
        d.attrs["element_size_um"] = np.array([2.0, 0.5, 0.5])
        d.attrs["resolution"] = 4  # one value: scaled per axis
        d.attrs["spacing"] = np.array([1, 1, 1], dtype="i2")
        d.attrs["note"] = "hello"
        d.attrs["counts"] = np.array([1, 2, 3], dtype="u8")
        d.attrs["flag"] = True
    out = os.path.join(folder, "attrs_out.h5")
    run([args.probe, "copy", src + ":/v", out + ":/w", "0.5,2,2"], expect=0)
    with h5py.File(out, "r") as f:
        w = f["w"]
        check(np.array_equal(w[...], a), "copied data differs")
        check(np.allclose(w.attrs["element_size_um"], [1.0, 1.0, 1.0]), "element_size_um")
        check(np.allclose(w.attrs["resolution"], [2.0, 8.0, 8.0]), "resolution")
        check(np.allclose(w.attrs["spacing"], [0.5, 2.0, 2.0]), "spacing")
        check(w.attrs["note"] == "hello", "string attribute")
        check(np.array_equal(w.attrs["counts"], [1, 2, 3]) and w.attrs["counts"].dtype == "u8",
              "integer array attribute")
        check(w.attrs["flag"] == True, "bool attribute")  # noqa: E712
        check(w.attrs["zoomflow_zoom"] == "probe copy", "provenance attribute")
        check(w.attrs["zoomflow_version"], "version attribute")


def main():
    with temp_folder() as folder:
        files = check_samples(folder)
        zstd_file = next(f for f in files if "_zstd_" in f)
        check_needs_plugin(zstd_file)
        check_h5dump(zstd_file)
        check_h5py_writes_zstd(folder)
        check_attribute_copy(folder)
    print(f"ok: h5py read {len(files)} zoomflow files; zoomflow read h5py's zstd; attributes")


if __name__ == "__main__":
    main()
