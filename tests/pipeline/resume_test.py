"""--resume and the leftovers of killed runs, one process (no MPI needed):
- a run killed with SIGKILL leaves nothing at the final name; --resume finishes it with the bytes
  of an uninterrupted run, computing fewer blocks (the numbers are printed);
- a --resume that asks for something else is refused in one line naming what differs, and the
  temporary is kept; without --resume the run starts afresh;
- SIGTERM with --resume keeps the temporary, and the next --resume completes it;
- --resume of an HDF5 output is refused;
- temporaries of dead processes (Zarr stores and HDF5 files) are removed by the next run into the
  folder, saying so in one line; a live process's and another host's are kept;
- output names of 250 characters work (the temporary's name is cut short).
Usage: resume_test.py ZOOMFLOW"""
import os
import signal
import subprocess
import sys
import tempfile

from job_testlib import (check, hidden, one_line, run, same_bytes, start_and_kill,
                         summary_numbers)

zoomflow = sys.argv[1]
# A chain that computes for about a second on one thread and writes little: 18 blocks.
CHAIN = ["gaussian:sigma=6", "--chunks", "32,32,32", "--threads", "1"]


def pipeline(source, out, *extra):
    return [zoomflow, "pipeline", source, out] + CHAIN[:1] + list(extra) + CHAIN[1:]


def own_start_time():
    with open(f"/proc/{os.getpid()}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[19]


def fake_leftover(folder, final_name, ident, host, pid, start, as_file=False):
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip()
    record = os.path.join(folder, f".{final_name}.zoomflow-{ident}.run")
    os.mkdir(record)
    with open(os.path.join(record, "owner"), "w") as f:
        f.write(f"final={os.path.join(folder, final_name)}\nhost={host}\nboot={boot}\n"
                f"pid={pid}\nstart={start}\n")
    temporary = os.path.join(folder, f".{final_name}.zoomflow-{ident}.tmp")
    if as_file:
        with open(temporary, "wb") as f:
            f.write(b"\x89HDF half a file")
    else:
        os.makedirs(os.path.join(temporary, "c", "0"))
    return temporary


def main():
    with tempfile.TemporaryDirectory(prefix="zoomflow-resume-") as d:
        source = os.path.join(d, "in.zarr")
        run([zoomflow, "generate", source, "--shape", "192,192,192", "--dtype", "uint16",
             "--pattern", "noise", "--chunks", "64,64,64", "-q"], expect=0)
        reference = os.path.join(d, "ref.zarr")
        _, err = run(pipeline(source, reference), expect=0)

        # SIGKILL, then --resume.
        out = os.path.join(d, "out.zarr")
        code, killed_at, _ = start_and_kill(pipeline(source, out, "-q"), d, "out.zarr", 8)
        check(code == -signal.SIGKILL, "the run was killed")
        check(not os.path.exists(out), "nothing at the final name after SIGKILL")
        check(len(hidden(d, "out.zarr", ".tmp")) == 1, "the killed run's temporary is there")
        _, err = run(pipeline(source, out, "--resume"), expect=0)
        blocks, computed, resumed = summary_numbers(err)
        print(f"     killed after {killed_at} blocks were logged; --resume: {blocks} blocks, "
              f"{resumed} resumed, {computed} computed (a fresh run computes {blocks})")
        check("resuming" in err, "--resume says it resumes")
        check(resumed >= killed_at and computed == blocks - resumed and computed < blocks,
              f"fewer blocks computed than a fresh run ({computed} of {blocks})")
        ok, why = same_bytes(zoomflow, reference, out)
        check(ok, "the resumed output has the bytes of an uninterrupted run: " + why)
        check(hidden(d, "out.zarr", "") == [], "no temporary or record left after the resume")

        # Resumed with more threads: smaller blocks (the memory plan wants 4 per thread), each
        # counted done when the killed run's block around it was.
        again = os.path.join(d, "again.zarr")
        start_and_kill(pipeline(source, again, "-q"), d, "again.zarr", 6)
        _, err = run([zoomflow, "pipeline", source, again, CHAIN[0], "--chunks", "32,32,32",
                      "--threads", "8", "--resume"], expect=0)
        blocks4, computed4, resumed4 = summary_numbers(err)
        print(f"     resumed on 8 threads: {blocks4} blocks (of another shape), {resumed4} resumed, "
              f"{computed4} computed")
        check(blocks4 != blocks and resumed4 > 0, "another block shape, and blocks kept")
        ok, why = same_bytes(zoomflow, reference, again)
        check(ok, "... the bytes of an uninterrupted run: " + why)

        # Another request is refused; without --resume it starts afresh.
        other = os.path.join(d, "other.zarr")
        start_and_kill(pipeline(source, other, "-q"), d, "other.zarr", 4)
        code, err = run([zoomflow, "pipeline", source, other, "gaussian:sigma=5", "--resume"]
                        + CHAIN[1:])
        check(code == 2 and one_line(err) and "'chain=gaussian:sigma=6'" in err
              and "'chain=gaussian:sigma=5'" in err,
              "a mismatched --resume is refused in one line naming the difference:\n" + err)
        check(len(hidden(d, "other.zarr", ".tmp")) == 1, "the refused run kept the temporary")
        _, err = run(pipeline(source, other), expect=0)
        check("removed the temporary of 1 killed run" in err and ".other.zarr.zoomflow-" in err,
              "a run without --resume removes the killed run's temporary and says so:\n" + err)
        ok, why = same_bytes(zoomflow, reference, other)
        check(ok, "... and writes the whole output afresh: " + why)

        # SIGTERM with --resume keeps the temporary; the next --resume completes it.
        term = os.path.join(d, "term.n5")
        reference_n5 = os.path.join(d, "ref.n5")
        run(pipeline(source, reference_n5 + ":/s0", "-q"), expect=0)
        code, _, err = start_and_kill(
            pipeline(source, term + ":/s0", "-q", "--resume"), d, "term.n5", 4,
            kill=lambda process, record: process.send_signal(signal.SIGTERM))
        check(code == 1 and one_line(err) and "rerun with --resume" in err,
              "SIGTERM under --resume: one line saying the temporary is kept:\n" + err)
        check(not os.path.exists(term) and len(hidden(d, "term.n5", ".tmp")) == 1,
              "nothing at the final name, the temporary kept")
        _, err = run(pipeline(source, term + ":/s0", "--resume"), expect=0)
        check(summary_numbers(err)[2] > 0, "the next --resume carries on")
        ok, why = same_bytes(zoomflow, reference_n5, term)
        check(ok, "... to the bytes of an uninterrupted N5 run: " + why)

        # HDF5 is written anew every run.
        code, err = run([zoomflow, "resample", source, os.path.join(d, "x.h5:/v"), "--zoom", "2",
                         "--resume"])
        check(code == 2 and one_line(err) and "HDF5" in err, "--resume into HDF5 is refused:\n" + err)

        # Leftovers of dead processes are swept; a live one's and another host's are kept.
        swept = os.path.join(d, "swept")
        os.mkdir(swept)
        child = subprocess.Popen(["true"])
        child.wait()
        host = os.uname().nodename
        dead_store = fake_leftover(swept, "a.zarr", "1" * 16, host, child.pid, "1")
        dead_file = fake_leftover(swept, "b.h5", "2" * 16, host, child.pid, "1", as_file=True)
        live = fake_leftover(swept, "c.zarr", "3" * 16, host, os.getpid(), own_start_time())
        remote = fake_leftover(swept, "d.zarr", "4" * 16, "another-host", child.pid, "1")
        code, err = run([zoomflow, "resample", source, os.path.join(swept, "new.h5:/v"), "--zoom",
                         "0.5"])
        check(code == 0, "a run into the folder succeeds")
        notes = [line for line in err.splitlines() if "killed run" in line]
        check(len(notes) == 1 and "2 killed runs" in notes[0] and f"(PID {child.pid})" in notes[0],
              "one line says what was removed:\n" + err)
        check(not os.path.exists(dead_store) and not os.path.exists(dead_file)
              and not os.path.exists(dead_store[:-4] + ".run"),
              "a dead process's Zarr store and HDF5 file temporaries (and records) are removed")
        check(os.path.exists(live) and os.path.exists(remote),
              "a live process's and another host's temporaries are kept")
        _, err = run([zoomflow, "generate", os.path.join(swept, "g.zarr"), "--shape", "8,8,8"],
                     expect=0)
        check("killed run" not in err, "nothing more to remove the next time")

        # Long names: the temporary's name is cut short, the output keeps its own.
        for suffix, extra in ((".h5:/v", []), (".zarr", ["--resume"])):
            name = "n" * (250 - len(suffix.split(":")[0])) + suffix
            run([zoomflow, "resample", source, os.path.join(d, name), "--zoom", "0.5", "-q"]
                + extra, expect=0)
            check(os.path.exists(os.path.join(d, name.split(":")[0])),
                  f"an output named with {len(name.split(':')[0])} characters is written")
    print("ok: --resume and the leftovers of killed runs")


if __name__ == "__main__":
    main()
