"""SIGINT or SIGTERM in the middle of a write stops the run cleanly: nothing at the final name,
no temporary left behind, an existing file keeps its other datasets and stays readable."""
import os
import signal
import subprocess
import time

import h5py
import numpy as np

from storage_testlib import check, parse_args, temp_folder

BIG = ["--shape", "640,512,512", "--dtype", "uint16", "--pattern", "noise", "--threads", "2"]


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def interrupt(zoomflow, target, started, sig):
    process = subprocess.Popen([zoomflow, "generate", target] + BIG, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    check(wait_for(started), "the write did not start")
    check(process.poll() is None, "generate finished before it could be interrupted")
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    check(process.returncode != 0, f"interrupted generate exited {process.returncode}")
    check("interrupted" in err, "no word of the interruption: " + err)
    return err


def main():
    args = parse_args()
    with temp_folder() as folder:
        # A new file: written under a temporary name, removed on SIGINT.
        final = os.path.join(folder, "big.h5")
        temporaries = lambda: [n for n in os.listdir(folder) if ".zoomflow-" in n]  # noqa: E731
        interrupt(args.zoomflow, final + ":/v",
                  lambda: any(os.path.getsize(os.path.join(folder, n)) > 1 << 20
                              for n in temporaries()), signal.SIGINT)
        check(not os.path.exists(final), "big.h5 exists after SIGINT")
        check(os.listdir(folder) == [], f"left behind: {os.listdir(folder)}")

        # An existing file: the new dataset is never linked; the file stays intact.
        existing = os.path.join(folder, "existing.h5")
        keep = np.arange(100, dtype="i4").reshape(10, 10)
        with h5py.File(existing, "w") as f:
            f["keep"] = keep
        size = os.path.getsize(existing)
        interrupt(args.zoomflow, existing + ":/new/v",
                  lambda: os.path.getsize(existing) > size + (1 << 20), signal.SIGTERM)
        with h5py.File(existing, "r") as f:
            check(list(f.keys()) == ["keep"], f"datasets after SIGTERM: {list(f.keys())}")
            check(np.array_equal(f["keep"][...], keep), "the existing dataset changed")
        check(os.listdir(folder) == ["existing.h5"], f"left behind: {os.listdir(folder)}")
    print("ok: interrupted writes leave nothing at the final name")


if __name__ == "__main__":
    main()
