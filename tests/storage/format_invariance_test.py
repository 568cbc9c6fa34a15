"""Every command on every format, in any combination, gives identical values: the same resample,
chain and generate written to HDF5, Zarr v2, Zarr v3, sharded Zarr v3 and N5 (each with its own
chunk shape) compare identical (`zoomflow compare` across formats); each of those read back as the
input of the next run gives the same output again; stats agree everywhere."""
import itertools
import json
import os

from storage_testlib import check, parse_args, plugin_env, run, temp_folder

FORMATS = {  # name: (suffix, extra options)
    "hdf5": (".h5:/v", ["--chunks", "16,16,16"]),
    "zarr2": (".zarr", ["--format", "zarr2", "--chunks", "10,20,7"]),
    "zarr3": (".zarr", ["--chunks", "32,8,16"]),
    "zarr3-sharded": (".zarr:/level/0", ["--chunks", "8,8,8", "--shards", "16,24,32"]),
    "n5": (".n5:/a/b", ["--chunks", "12,12,12", "--compression", "gzip:3"]),
}


def main():
    args = parse_args()
    z = args.zoomflow
    env = plugin_env(args.plugin_dir)
    with temp_folder() as folder:
        def path(name, fmt):
            return os.path.join(folder, name + "-" + fmt + FORMATS[fmt][0])

        source = os.path.join(folder, "source.h5:/v")
        run([z, "generate", source, "--shape", "37,45,29", "--dtype", "int16", "--pattern",
             "noise", "--chunks", "9,9,9", "--quiet"], env=env, expect=0)

        runs = {
            "resample": ["resample", source, None, "--zoom", "1.7,0.6,2.2", "--order", "1"],
            "pipeline": ["pipeline", source, None, "gaussian:sigma=1", "resample:zoom=0.8,order=1",
                         "cast:uint8"],
        }
        for label, template in runs.items():
            outputs = []
            for fmt, (_, extra) in FORMATS.items():
                target = path(label, fmt)
                command = [z] + [target if t is None else t for t in template]
                command += extra + ["--quiet", "--threads", "2", "--memory-limit", "4MiB"]
                run(command, env=env, expect=0)
                outputs.append(target)
            for a, b in itertools.combinations(outputs, 2):
                _, out, _ = run([z, "compare", a, b], env=env, expect=0)
                check(out.startswith("identical"), f"{label}: {a} vs {b}: {out}")

        # generate on every format (its own chunks; generate has no --format or --shards, so
        # "zarr2" and "zarr3-sharded" write Zarr v3 by the suffix); the checksums agree.
        sums = set()
        for fmt, (_, extra) in FORMATS.items():
            chunks = extra[extra.index("--chunks"):extra.index("--chunks") + 2]
            target = path("generate", fmt)
            run([z, "generate", target, "--shape", "20,30,40", "--dtype", "float32", "--pattern",
                 "labels", "--seed", "5", "--quiet"] + chunks, env=env, expect=0)
            _, out, _ = run([z, "stats", "--json", target], env=env, expect=0)
            sums.add(json.loads(out)["checksum"])
        check(len(sums) == 1, f"generate gives different checksums across formats: {sums}")

        # Each format as the input of a run into each other format: identical to the HDF5 run.
        reference = os.path.join(folder, "chained-reference.h5:/v")
        run([z, "resample", path("resample", "hdf5"), reference, "--zoom", "0.5", "--quiet"],
            env=env, expect=0)
        for source_fmt, target_fmt in itertools.permutations(FORMATS, 2):
            target = os.path.join(folder, f"chained-{source_fmt}-to-{target_fmt}"
                                  + FORMATS[target_fmt][0])
            run([z, "resample", path("resample", source_fmt), target, "--zoom", "0.5", "--quiet"]
                + FORMATS[target_fmt][1], env=env, expect=0)
            _, out, _ = run([z, "compare", reference, target], env=env, expect=0)
            check(out.startswith("identical"), f"{source_fmt} -> {target_fmt}: {out}")
    print("ok: resample, pipeline, generate and chained runs identical on every format")


if __name__ == "__main__":
    main()
