"""Hostile inputs and limits against the engine and the command line: each case must end with one
clear line on standard error and the promised exit status (never a crash or a hang), leave
nothing at the output's name when it fails, and hold peak memory under --memory-limit plus a
fixed overhead (measured with wait4, per run)."""
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "storage"))
from storage_testlib import wait_until_staged  # noqa: E402

zoomflow, plugin_dir = sys.argv[1], sys.argv[2]
os.environ["HDF5_PLUGIN_PATH"] = plugin_dir
MiB = 2**20
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed += ok
    failed += not ok


def run(*args, timeout=120, stderr_pipe=True):
    """Runs zoomflow; returns (exit status, stderr text, peak RSS bytes)."""
    process = subprocess.Popen([zoomflow, *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE if stderr_pipe else subprocess.DEVNULL,
                               text=True)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None, "timed out", 0
    # The child is reaped; its rusage comes from RUSAGE_CHILDREN differences, so measure alone.
    return process.returncode, err or "", 0


def peak_rss(*args, timeout=300):
    """Runs zoomflow quietly and returns (exit status, stderr, its own peak RSS in bytes)."""
    process = subprocess.Popen([zoomflow, *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code, err, usage.ru_maxrss * 1024


def one_line(err):
    return err.count("\n") == 1 and err.startswith("zoomflow: ")


with tempfile.TemporaryDirectory(prefix="zoomflow-hardening-") as d:
    small = f"{d}/in.h5:/v"
    run("generate", small, "--shape", "32,40,48", "--dtype", "uint16", "--pattern", "noise", "-q")

    # Steps files: deep nesting, a FIFO, an endless device.
    with open(f"{d}/deep.json", "w") as f:
        f.write("[" * 100000 + "]" * 100000)
    os.mkfifo(f"{d}/fifo")
    for steps in (f"{d}/deep.json", f"{d}/fifo", "/dev/zero"):
        code, err, _ = run("pipeline", small, f"{d}/o.h5:/v", "--steps", steps, timeout=20)
        check(code == 2 and one_line(err) and not os.path.exists(f"{d}/o.h5"),
              f"--steps {os.path.basename(steps)}: exit 2, one line ({err.strip()[:90]})")

    # A zero-length axis: nothing to read, nothing to divide by.
    with h5py.File(f"{d}/empty.h5", "w") as f:
        f.create_dataset("v", shape=(0, 10, 10), dtype="u2")
    code, err, _ = run("stats", f"{d}/empty.h5:/v")
    check(code == 0, f"stats of a (0, 10, 10) dataset exits 0 ({err.strip()[:80]})")
    code, err, _ = run("compare", f"{d}/empty.h5:/v", f"{d}/empty.h5:/v")
    check(code == 0, "compare of two empty datasets exits 0")

    # Gaussians whose radius cannot be computed: refused up front.
    for sigma in ("1e300", "1e9", "1e7"):
        code, err, _ = run("pipeline", small, f"{d}/g.h5:/v", f"gaussian:sigma={sigma}", timeout=20)
        check(code == 2 and one_line(err) and "sigma" in err and not os.path.exists(f"{d}/g.h5"),
              f"gaussian:sigma={sigma} refused: {err.strip()[:100]}")

    # Threads: absurd counts refused without TBB's warning; more than the cores said once.
    code, err, _ = run("resample", small, f"{d}/t.h5:/v", "--zoom", "2", "--threads", "100000", "-q")
    check(code == 2 and one_line(err) and "TBB" not in err, f"--threads 100000: {err.strip()[:80]}")
    code, err, _ = run("resample", small, f"{d}/t.h5:/v", "--zoom", "2", "--threads", "64", "-q")
    check(code == 0 and "TBB" not in err, "--threads 64 runs, without TBB's warning")

    # Bad numbers and names: one line each.
    code, err, _ = run("generate", f"{d}/s.h5:/v", "--shape", "4,4", "--seed", "-1")
    check(code == 2 and one_line(err), "--seed -1 refused")
    code, err, _ = run("generate", f"{d}/huge.h5:/v", "--shape", "1048576,1048576,1048576",
                       timeout=20)
    check(code == 2 and one_line(err) and not os.path.exists(f"{d}/huge.h5"),
          f"generate of 2^60 voxels refused up front: {err.strip()[:80]}")
    code, err, _ = run("stats", small + "\nother")
    check(code == 2 and one_line(err), "a newline in a dataset name stays on one line")

    # A limit too small for one block: refused, naming a limit that works; that limit holds.
    big = f"{d}/dense.h5:/v"
    run("generate", big, "--shape", "128,128,128", "--dtype", "uint16", "--pattern", "noise", "-q")
    code, err, _ = peak_rss("resample", big, f"{d}/r.h5:/v", "--zoom", "2", "--order", "1",
                            "--chunks", "256,256,256", "--memory-limit", "32MiB", "-q")
    check(code == 2 and one_line(err) and "give --memory-limit" in err
          and not os.path.exists(f"{d}/r.h5"), "one 32 MiB chunk under --memory-limit 32MiB: refused")
    suggested = err.split("give --memory-limit ")[1].split(" or more")[0]
    amount, unit = suggested.split()
    limit = float(amount) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit]
    code, err, rss = peak_rss("resample", big, f"{d}/r.h5:/v", "--zoom", "2", "--order", "1",
                              "--chunks", "256,256,256", "--memory-limit", suggested.replace(" ", ""),
                              "-q")
    check(code == 0 and rss < limit + 200 * MiB,
          f"the suggested --memory-limit {suggested} works, peak RSS {rss / MiB:.0f} MiB")

    # Large halos are computed in tiles under the limit.
    code, err, rss = peak_rss("pipeline", big, f"{d}/h.h5:/v", "gaussian:sigma=8",
                              "resample:zoom=0.25,order=1", "--chunks", "32,32,32",
                              "--memory-limit", "24MiB")
    check(code == 0 and "computed in tiles" in err and rss < 24 * MiB + 200 * MiB,
          f"gaussian sigma=8, x0.25 under --memory-limit 24MiB, in tiles: peak RSS "
          f"{rss / MiB:.0f} MiB ({err.strip()[-100:]})")

    # A huge sparse output: the plan is never listed, so memory stays flat.
    seed = f"{d}/seed.h5:/m"
    run("generate", seed, "--shape", "128,128,64", "--dtype", "bool", "--pattern", "box", "-q")
    code, err, rss = peak_rss("resample", seed, f"{d}/x16.h5:/m", "--zoom", "16", "--memory-limit",
                              "64MiB", "-q")
    check(code == 0 and rss < 64 * MiB + 200 * MiB,
          f"x16 of a sparse mask (2^33 voxels) under 64 MiB: peak RSS {rss / MiB:.0f} MiB")
    os.remove(f"{d}/x16.h5")

    # Signals: SIGHUP stops cleanly; a closed standard error stops the progress, not the run.
    slow = subprocess.Popen([zoomflow, "resample", big, f"{d}/hup.h5:/v", "--zoom", "6",
                             "--order", "1", "--memory-limit", "64MiB"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    running = wait_until_staged(slow, d, "hup.h5")  # signal once it writes its temporary
    time.sleep(0.2)
    started = time.monotonic()
    slow.send_signal(signal.SIGHUP)
    _, err = slow.communicate(timeout=60)
    stopped = time.monotonic() - started
    leftovers = [n for n in os.listdir(d) if n.startswith(".hup.h5")]
    check(running and slow.returncode != 0 and "signal 1" in err and not os.path.exists(f"{d}/hup.h5")
          and not leftovers and stopped < 5,
          f"SIGHUP: stopped in {stopped:.2f} s, nothing left ({err.strip()[-60:]})")
    read_end, write_end = os.pipe()
    os.close(read_end)  # standard error is a pipe nobody reads
    code = subprocess.call([zoomflow, "resample", big, f"{d}/pipe.h5:/v", "--zoom", "2"],
                           stdout=subprocess.DEVNULL, stderr=write_end)
    os.close(write_end)
    check(code == 0 and os.path.exists(f"{d}/pipe.h5"),
          f"progress into a closed pipe: the run completes (exit {code})")

print(f"hardening: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
