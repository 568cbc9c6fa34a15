"""OME-Zarr images: an image group opens at level 0 or at the level named, with its voxel size from
the scale transform, and `zoomflow info` lists its levels; a resample into a new image group gets
multiscales metadata (0.5 beside Zarr v3, 0.4 beside Zarr v2) with axes and a scale transform scaled
by n / m per axis, valid for ome-zarr-models. Voxel sizes cross formats: HDF5 element_size_um and
N5 pixelResolution to OME scale, and back."""
import json
import os
import sys

import h5py
import numpy as np

from storage_testlib import check, parse_args, plugin_env, run, temp_folder, zarr_read

try:
    import zarr
    from ome_zarr_models.v04.image import Image as Image04
    from ome_zarr_models.v05.image import Image as Image05
except ImportError:
    print("skipped: needs zarr-python and ome-zarr-models (./dev.sh test makes the venv)")
    sys.exit(77)

AXES = [{"name": "z", "type": "space", "unit": "micrometer"},
        {"name": "y", "type": "space", "unit": "micrometer"},
        {"name": "x", "type": "space", "unit": "micrometer"}]


def write_image(path, levels, scales, zarr_format):
    root = zarr.open_group(path, mode="w", zarr_format=zarr_format)
    for n, level in enumerate(levels):
        root.create_array(str(n), data=level, chunks=(8, 8, 8))
    multiscale = {"axes": AXES, "name": "img",
                  "datasets": [{"path": str(n), "coordinateTransformations":
                                [{"type": "scale", "scale": s}]} for n, s in enumerate(scales)]}
    if zarr_format == 3:
        root.attrs["ome"] = {"version": "0.5", "multiscales": [multiscale]}
    else:
        root.attrs["multiscales"] = [dict(multiscale, version="0.4")]


def info(z, path):
    _, out, _ = run([z, "info", "--json", path], expect=0)
    return json.loads(out)


def multiscale_of(path, zarr_format):
    attrs = dict(zarr.open_group(path, mode="r").attrs)
    if zarr_format == 3:
        check(attrs["ome"]["version"] == "0.5", f"{path}: OME version {attrs}")
        return attrs["ome"]["multiscales"][0]
    check(attrs["multiscales"][0]["version"] == "0.4", f"{path}: OME version {attrs}")
    return attrs["multiscales"][0]


def scale_of(multiscale):
    transforms = multiscale["datasets"][0]["coordinateTransformations"]
    return [t["scale"] for t in transforms if t["type"] == "scale"][0]


def main():
    args = parse_args()
    z = args.zoomflow
    rng = np.random.default_rng(3)
    level0 = rng.integers(0, 1000, (16, 24, 20), dtype="u2")
    levels = [level0, level0[::2, ::2, ::2].copy(), level0[::4, ::4, ::4].copy()]
    scales = [[2.0, 0.5, 0.5], [4.0, 1.0, 1.0], [8.0, 2.0, 2.0]]
    with temp_folder() as folder:
        for zarr_format in (2, 3):
            image = os.path.join(folder, f"image-v{zarr_format}.zarr")
            write_image(image, levels, scales, zarr_format)
            meta = info(z, image)
            check(meta["path"] == image + ":/0" and meta["shape"] == [16, 24, 20],
                  f"the image opens at level 0: {meta}")
            check([level["path"] for level in meta["ome"]["levels"]] == ["0", "1", "2"],
                  f"levels: {meta['ome']}")
            check([level["shape"] for level in meta["ome"]["levels"]] ==
                  [list(level.shape) for level in levels], "level shapes")
            check(meta["voxel_size"] == scales[0] and meta["voxel_unit"] == "micrometer",
                  f"voxel size: {meta}")
            _, text, _ = run([z, "info", image], expect=0)
            check("OME-Zarr" in text and "3 levels" in text, "info text: " + text)
            meta = info(z, image + ":/2")
            check(meta["shape"] == [4, 6, 5] and meta["voxel_size"] == scales[2],
                  f"level 2: {meta}")
            _, out, _ = run([z, "stats", "--json", image + ":/1"], expect=0)
            check(json.loads(out)["max"] == int(levels[1].max()), "stats of level 1")

            # Resample into a new image group: multiscales with the scale times n / m.
            for target_format in ("zarr3", "zarr2"):
                out = os.path.join(folder, f"from-v{zarr_format}-{target_format}.zarr")
                run([z, "resample", image, out + ":/0", "--zoom", "2,0.5,1.5", "--format",
                     target_format, "--quiet"], expect=0)
                version = 3 if target_format == "zarr3" else 2
                multiscale = multiscale_of(out, version)
                want = [2.0 * 16 / 32, 0.5 * 24 / 12, 0.5 * 20 / 30]
                check(np.allclose(scale_of(multiscale), want, rtol=1e-12),
                      f"scale {scale_of(multiscale)} != {want}")
                check([a["name"] for a in multiscale["axes"]] == ["z", "y", "x"] and
                      all(a.get("unit") == "micrometer" for a in multiscale["axes"]),
                      f"axes: {multiscale['axes']}")
                check(multiscale["datasets"][0]["path"] == "0", "the level's path")
                validator = Image05 if version == 3 else Image04
                validator.from_zarr(zarr.open_group(out, mode="r"))  # raises when invalid
                check(zarr_read(os.path.join(out, "0")).shape == (32, 12, 30), "level 0 shape")

        # A plain HDF5 volume with element_size_um: OME scale in micrometres, and back.
        h5 = os.path.join(folder, "plain.h5")
        with h5py.File(h5, "w") as f:
            d = f.create_dataset("v", data=level0, chunks=(8, 8, 8))
            d.attrs["element_size_um"] = np.array([3.0, 1.0, 1.0])
            d.attrs["sample"] = "mouse 12"
            d.attrs["channels"] = np.array([1, 2, 3], dtype="i4")
            d.attrs["gain"] = 0.75
        out = os.path.join(folder, "from-h5.zarr")
        run([z, "resample", h5 + ":/v", out + ":/0", "--zoom", "2", "--quiet"], expect=0)
        multiscale = multiscale_of(out, 3)
        check(np.allclose(scale_of(multiscale), [1.5, 0.5, 0.5]), f"scale from HDF5: {multiscale}")
        check(all(a.get("unit") == "micrometer" for a in multiscale["axes"]), "unit from HDF5")
        copied = dict(zarr.open_array(os.path.join(out, "0"), mode="r").attrs)
        check(copied["sample"] == "mouse 12" and copied["channels"] == [1, 2, 3] and
              copied["gain"] == 0.75 and copied["element_size_um"] == [1.5, 0.5, 0.5] and
              copied["zoomflow_source"] == h5 + ":/v", f"attributes copied to Zarr: {copied}")
        back = os.path.join(folder, "back.h5")
        run([z, "resample", out, back + ":/v", "--zoom", "0.5", "--quiet"],
            env=plugin_env(args.plugin_dir), expect=0)
        with h5py.File(back, "r") as f:
            attrs = f["v"].attrs
            check(np.allclose(attrs["element_size_um"], [3.0, 1.0, 1.0]),
                  f"element_size_um back in HDF5: {dict(attrs)}")
            check(attrs["sample"] == "mouse 12" and list(attrs["channels"]) == [1, 2, 3] and
                  attrs["gain"] == 0.75, f"attributes back in HDF5: {dict(attrs)}")

        # All-zero chunks are not written: exactly the chunks numpy finds nonzero are files.
        box = os.path.join(folder, "box.zarr")
        run([z, "generate", box, "--shape", "40,50,60", "--dtype", "bool", "--pattern", "box",
             "--chunks", "8,10,12", "--quiet"], expect=0)
        mask = zarr_read(box)
        nonzero = sum(bool(mask[i:i + 8, j:j + 10, k:k + 12].any())
                      for i in range(0, 40, 8) for j in range(0, 50, 10) for k in range(0, 60, 12))
        files = sum(len(names) for _, _, names in os.walk(os.path.join(box, "c")))
        check(0 < nonzero < 125 and files == nonzero,
              f"{files} chunk files for {nonzero} nonzero chunks")

        # N5 pixelResolution (fastest axis first) -> OME scale (C order) -> N5 again.
        n5 = os.path.join(folder, "res.n5")
        run([z, "generate", n5 + ":/v", "--shape", "8,10,12", "--dtype", "uint8", "--pattern",
             "noise", "--quiet"], expect=0)
        attributes = os.path.join(n5, "v", "attributes.json")
        meta = json.load(open(attributes))
        meta["pixelResolution"] = {"dimensions": [0.25, 0.5, 4.0], "unit": "um"}  # x, y, z
        json.dump(meta, open(attributes, "w"))
        check(info(z, n5 + ":/v")["voxel_size"] == [4.0, 0.5, 0.25], "N5 voxel size reversed")
        out = os.path.join(folder, "from-n5.zarr")
        run([z, "resample", n5 + ":/v", out + ":/0", "--zoom", "2", "--quiet"], expect=0)
        check(np.allclose(scale_of(multiscale_of(out, 3)), [2.0, 0.25, 0.125]), "scale from N5")
        again = os.path.join(folder, "again.n5")
        run([z, "resample", n5 + ":/v", again + ":/v", "--zoom", "1,1,2", "--quiet"], expect=0)
        resolution = json.load(open(os.path.join(again, "v", "attributes.json")))["pixelResolution"]
        check(resolution["dimensions"] == [0.125, 0.5, 4.0] and resolution["unit"] == "um",
              f"pixelResolution scaled in N5 order: {resolution}")
    print("ok: OME-Zarr levels in, multiscales out (0.4 and 0.5), voxel sizes across formats")


if __name__ == "__main__":
    main()
