"""SIGINT or SIGTERM in the middle of writing a Zarr or N5 array stops the run cleanly: nothing at
the final name, no temporary left behind; a new array in an existing store leaves the store as it
was (no new group, no half array)."""
import hashlib
import os
import signal
import subprocess
import time

from storage_testlib import check, parse_args, run, temp_folder

BIG = ["--shape", "640,512,512", "--dtype", "uint16", "--pattern", "noise", "--threads", "2"]


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def temporaries(folder):
    found = []
    for root, dirs, files in os.walk(folder):
        found += [os.path.join(root, n) for n in dirs + files if ".zoomflow-" in n]
    return found


def tree_digest(folder):
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        digest.update(root.encode())
        for name in sorted(files):
            digest.update(name.encode())
            with open(os.path.join(root, name), "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def interrupt(command, started, sig):
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not started() and process.poll() is None:
        time.sleep(0.02)
    check(process.poll() is None, f"{command[1]} finished before it could be interrupted")
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    check(process.returncode != 0, f"interrupted run exited {process.returncode}")
    check("interrupted" in err, "no word of the interruption: " + err)


def main():
    args = parse_args()
    z = args.zoomflow
    with temp_folder() as folder:
        writing = lambda: any(folder_bytes(t) > (1 << 20) for t in temporaries(folder))  # noqa
        for name, sig in (("big.zarr", signal.SIGINT), ("big.n5", signal.SIGTERM)):
            final = os.path.join(folder, name)
            interrupt([z, "generate", final + ":/v"] + BIG, writing, sig)
            check(not os.path.exists(final), f"{name} exists after the signal")
            check(os.listdir(folder) == [], f"left behind: {os.listdir(folder)}")

        # A new sharded array (and its group) in an existing store.
        store = os.path.join(folder, "store.zarr")
        run([z, "generate", store + ":/keep", "--shape", "64,64,64", "--dtype", "uint16",
             "--pattern", "noise", "--quiet"], expect=0)
        source = os.path.join(folder, "source.h5:/v")
        run([z, "generate", source, "--shape", "256,256,256", "--dtype", "uint16", "--pattern",
             "noise", "--quiet"], expect=0)
        before = tree_digest(store)
        interrupt([z, "resample", source, store + ":/new/level", "--zoom", "2", "--order", "1",
                   "--shards", "128,128,128", "--threads", "2"], writing, signal.SIGINT)
        check(tree_digest(store) == before, "the existing store changed")
        check(temporaries(folder) == [], f"left behind: {temporaries(folder)}")
    print("ok: interrupted Zarr and N5 writes leave nothing at the final name")


if __name__ == "__main__":
    main()
