"""A damaged chunk stops the read with one error naming the file, the dataset and the chunk
(exit status 1), whichever decodes it: zoomflow's zstd or deflate, or HDF5's own filters."""
import os

import h5py
import numpy as np

from storage_testlib import check, parse_args, run, temp_folder


def damage_chunk(path, dataset, index, how):
    """Overwrites stored chunk number `index`: 'garbage' in its middle, or 'zeros' throughout."""
    with h5py.File(path, "r") as f:
        info = f[dataset].id.get_chunk_info(index)
    with open(path, "r+b") as f:
        if how == "garbage":
            f.seek(info.byte_offset + info.size // 3)
            f.write(bytes(range(7, 7 + min(64, info.size // 3))))
        else:
            f.seek(info.byte_offset)
            f.write(bytes(info.size))
    return info.chunk_offset


def expect_chunk_error(zoomflow, path, chunk_offset, chunk_shape):
    grid = tuple(o // c for o, c in zip(chunk_offset, chunk_shape))
    grid_text = "(" + ", ".join(str(g) for g in grid) + ")"
    for command in (["stats", path], ["compare", path, path]):
        code, _, err = run([zoomflow] + command)
        check(code == 1, f"{command}: exit {code}, expected 1\n{err}")
        line = err.strip()
        check("\n" not in line and line.startswith("zoomflow: error: "), "one line: " + err)
        for fragment in (path, "chunk " + grid_text):
            check(fragment in line, f"'{fragment}' missing from: {line}")


def main():
    args = parse_args()
    z = args.zoomflow
    with temp_folder() as folder:
        # zoomflow's own zstd output, damaged two ways.
        for how in ("garbage", "zeros"):
            path = os.path.join(folder, f"zstd_{how}.h5")
            run([z, "generate", path + ":/v", "--shape", "64,64,64", "--dtype", "uint16",
                 "--pattern", "noise", "--chunks", "32,32,32", "--quiet"], expect=0)
            offset = damage_chunk(path, "v", 3, how)
            expect_chunk_error(z, path + ":/v", offset, (32, 32, 32))
            _, _, err = run([z, "stats", path + ":/v"])
            check("corrupt" in err and "zstd" in err, "zstd corruption message: " + err)

        # h5py's gzip + shuffle, decoded by zoomflow.
        a = np.random.default_rng(1).integers(0, 60000, size=(40, 40), dtype="u2")
        path = os.path.join(folder, "gzip.h5")
        with h5py.File(path, "w") as f:
            f.create_dataset("g", data=a, chunks=(20, 20), compression="gzip", shuffle=True)
        offset = damage_chunk(path, "g", 2, "garbage")
        expect_chunk_error(z, path + ":/g", offset, (20, 20))
        _, _, err = run([z, "stats", path + ":/g"])
        check("corrupt" in err and "deflate" in err, "deflate corruption message: " + err)

        # fletcher32 makes HDF5 decode the chunks itself; its checksum catches the damage.
        path = os.path.join(folder, "fletcher.h5")
        with h5py.File(path, "w") as f:
            f.create_dataset("f", data=a.astype("f4"), chunks=(20, 20), fletcher32=True)
        offset = damage_chunk(path, "f", 1, "garbage")
        expect_chunk_error(z, path + ":/f", offset, (20, 20))
    print("ok: damaged chunks are named")


if __name__ == "__main__":
    main()
