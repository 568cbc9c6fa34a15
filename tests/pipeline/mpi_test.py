"""zoomflow under mpirun (Open MPI; skipped, exit 77, where mpirun is absent or zoomflow was
built without MPI).
  mpi_test.py ZOOMFLOW MPIRUN identical N   a resample and a chain into Zarr v2, sharded Zarr v3
                                            and N5 on N ranks: the files of one process, byte for
                                            byte (and zoomflow compare agrees); inputs HDF5 and Zarr
  mpi_test.py ZOOMFLOW MPIRUN failures      HDF5 output refused in one line; a corrupt input chunk
                                            on one rank ends the job in one line naming the rank
                                            and block; kill -9 of one rank ends the job; neither
                                            leaves anything at the final name or touches the
                                            input; --resume then finishes with the bytes of one
                                            process"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from job_testlib import (SKIP, check, hidden, log_pid, one_line, run, same_bytes,
                         start_and_kill, summary_numbers, tree)

zoomflow, mpirun, what = sys.argv[1], sys.argv[2], sys.argv[3]


def mpi(ranks, *command):
    return [mpirun, "-q", "--allow-run-as-root", "--oversubscribe", "-n", str(ranks), zoomflow,
            *command]


def skip_unless_mpi():
    if not shutil.which(mpirun) and not os.path.exists(mpirun):
        print(f"skipped: {mpirun} not found (install openmpi-bin)")
        sys.exit(SKIP)
    text = subprocess.run([zoomflow, "--version"], capture_output=True, text=True).stdout
    if "mpi: compiled in" not in text:
        print("skipped: this zoomflow was built without MPI")
        sys.exit(SKIP)


RUNS = {
    "resample": ["resample", "{src}", "{out}", "--zoom", "2", "--order", "1"],
    "chain": ["pipeline", "{src}", "{out}", "gaussian:sigma=1", "resample:zoom=1.5,order=1",
              "scale:mul=0.5,add=3", "cast:uint8"],
}
FORMATS = {
    "zarr2": ("out.zarr", ["--format", "zarr2", "--chunks", "16,24,20"]),
    "zarr3-sharded": ("out.zarr", ["--chunks", "16,16,16", "--shards", "32,48,32"]),
    "n5": ("out.n5:/s0", ["--chunks", "20,16,24"]),
}


def one_progress(err):
    """Rank 0's progress is the job's: every line counts blocks over all ranks, never goes back,
    ends at all of them, and one summary line follows."""
    blocks = summary_numbers(err)[0]
    lines = re.findall(r"^\w+: +\d+% (\d+)/(\d+) blocks", err, re.M)
    done = [int(a) for a, _ in lines]
    check(lines and all(int(b) == blocks for _, b in lines) and done == sorted(done)
          and done[-1] == blocks and err.count(" blocks computed, ") == 1,
          f"one progress line for the whole job ({len(lines)} lines, up to {blocks}/{blocks} "
          "blocks), one summary:\n" + err)


def identical(ranks):
    with tempfile.TemporaryDirectory(prefix="zoomflow-mpi-") as d:
        sources = {"resample": os.path.join(d, "in.h5:/v"), "chain": os.path.join(d, "in.zarr")}
        for source in sources.values():
            run([zoomflow, "generate", source, "--shape", "37,50,45", "--dtype", "uint16",
                 "--pattern", "noise", "--chunks", "16,16,16", "-q"], expect=0)
        for run_name, template in RUNS.items():
            for format_name, (out_name, options) in FORMATS.items():
                results = []
                for label, prefix in (("one", []), ("mpi", mpi(ranks))):
                    folder = os.path.join(d, f"{run_name}-{format_name}-{label}")
                    os.mkdir(folder)
                    out = os.path.join(folder, out_name)
                    command = [a.format(src=sources[run_name], out=out) for a in template]
                    full = (prefix or [zoomflow]) + command + options + ["--threads", "1"]
                    code, err = run(full)
                    check(code == 0, f"{' '.join(full)} succeeds:\n{err}")
                    results.append(out.split(":")[0])
                    if label == "mpi":
                        one_progress(err)
                ok, why = same_bytes(zoomflow, results[0], results[1])
                check(ok, f"{run_name} into {format_name} on {ranks} ranks: the bytes of one "
                          f"process ({len(tree(results[0]))} files) {why}")
                check(hidden(os.path.dirname(results[1]), os.path.basename(results[1]), "") == [],
                      "no temporary left")
    print(f"ok: {ranks} ranks write the bytes of one process")


def failures():
    with tempfile.TemporaryDirectory(prefix="zoomflow-mpi-") as d:
        source = os.path.join(d, "in.zarr")
        run([zoomflow, "generate", source, "--shape", "192,192,192", "--dtype", "uint16",
             "--pattern", "noise", "--chunks", "32,32,32", "-q"], expect=0)
        before = tree(source)

        code, err = run(mpi(2, "resample", source, os.path.join(d, "o.h5:/v"), "--zoom", "2"))
        check(code == 2 and one_line(err) and "Zarr or N5" in err,
              "HDF5 output under mpirun: refused in one line naming Zarr/N5:\n" + err)
        check(sorted(os.listdir(d)) == ["in.zarr"], "nothing created")

        # A corrupt chunk, read by one rank only.
        broken = os.path.join(d, "broken.zarr")
        shutil.copytree(source, broken)
        with open(os.path.join(broken, "c", "5", "5", "5"), "wb") as f:
            f.write(b"not zstd")
        before_broken = tree(broken)
        bad = os.path.join(d, "bad.zarr")
        code, err = run(mpi(3, "resample", broken, bad, "--zoom", "1", "--threads", "1", "-q"))
        check(code != 0 and one_line(err) and "rank " in err and " of 3: " in err
              and "block [" in err and "c/5/5/5" in err,
              "a corrupt chunk ends the job with one line naming the rank, block and chunk:\n" + err)
        check(not os.path.exists(bad), "nothing at the final name")
        check(tree(broken) == before_broken, "the input untouched")

        # A full disk on one rank: rank 1 under a file size limit (8 MiB: MPI's own shared
        # memory files fit) that its 16 MiB chunk files exceed (EFBIG, as ENOSPC would be).
        large = os.path.join(d, "large.zarr")
        run([zoomflow, "generate", large, "--shape", "256,256,256", "--dtype", "uint16",
             "--pattern", "noise", "-q"], expect=0)
        full = os.path.join(d, "full.zarr")
        limited = (f"[ $OMPI_COMM_WORLD_RANK = 1 ] && ulimit -f 16384; exec {zoomflow} resample "
                   f"{large} {full} --zoom 1 --threads 1 --compression none --chunks 256,256,128 -q")
        code, err = run([mpirun, "-q", "--allow-run-as-root", "--oversubscribe", "-n", "2", "sh",
                         "-c", limited])
        check(code == 1 and one_line(err) and "rank 1 of 2: " in err and "block [" in err
              and "File too large" in err,
              "a write that fails on one rank ends the job with one line naming the rank, block "
              "and reason:\n" + err)
        check(not os.path.exists(full), "nothing at the final name")

        # SIGTERM to mpirun (forwarded to every rank): the job stops; rank 0 removes the
        # temporary unless mpirun's SIGKILL, a second after its SIGTERM, came first.
        stopped = os.path.join(d, "stopped.zarr")
        code, done, err = start_and_kill(
            mpi(2, "pipeline", source, stopped, "gaussian:sigma=6", "resample:zoom=2,order=3",
                "--chunks", "32,32,32", "--threads", "1", "-q"), d, "stopped.zarr", 3,
            kill=lambda process, record: process.send_signal(signal.SIGTERM))
        check(code != 0 and not os.path.exists(stopped),
              f"SIGTERM to mpirun after {done} blocks: the job stops (mpirun exited {code}), "
              "nothing at the final name")
        print(f"     its line: {err.strip()!r}; temporaries left: "
              f"{len(hidden(d, 'stopped.zarr', ''))} (removed by the next run into the folder)")

        # kill -9 of rank 1, then --resume.
        reference = os.path.join(d, "ref.zarr")
        chain = ["gaussian:sigma=6", "--chunks", "32,32,32", "--threads", "1"]
        run([zoomflow, "pipeline", source, reference] + chain + ["-q"], expect=0)
        out = os.path.join(d, "out.zarr")

        def kill_rank_1(process, record):
            os.kill(log_pid(record, 1), signal.SIGKILL)

        code, done, _ = start_and_kill(mpi(2, "pipeline", source, out, *chain, "-q"), d,
                                       "out.zarr", 3, rank=1, kill=kill_rank_1)
        check(code != 0, f"kill -9 of rank 1 (after {done} of its blocks) ends the job "
                         f"(mpirun exited {code})")
        check(not os.path.exists(out), "nothing at the final name")
        check(tree(source) == before, "the input untouched")
        # Resumed on another number of ranks: the blocks are dealt out anew.
        code, err = run(mpi(3, "pipeline", source, out, *chain, "--resume"))
        check(code == 0, "mpirun -n 3 ... --resume succeeds:\n" + err)
        blocks, computed, resumed = summary_numbers(err)
        print(f"     --resume on 3 ranks: {blocks} blocks, {resumed} resumed, {computed} computed")
        check(resumed >= done and computed == blocks - resumed, "the complete blocks were kept")
        ok, why = same_bytes(zoomflow, reference, out)
        check(ok, "the resumed job's output has the bytes of one uninterrupted process " + why)
        check(hidden(d, "out.zarr", "") == [], "no temporary or record left")
    print("ok: failures under mpirun")


if __name__ == "__main__":
    skip_unless_mpi()
    if what == "identical":
        identical(int(sys.argv[4]))
    else:
        failures()
