"""Helpers of the resume and MPI tests (standard library only): running zoomflow, waiting for a
run to have finished some blocks, killing it, and comparing outputs file by file."""
import hashlib
import os
import re
import signal
import subprocess
import sys
import time

SKIP = 77


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok   " + message.split("\n")[0])


def run(command, expect=None, timeout=120):
    """Runs a command; returns (exit status, stderr). Checks the status when given."""
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                            timeout=timeout)
    if expect is not None and result.returncode != expect:
        fail(f"{' '.join(map(str, command))} exited {result.returncode}, expected {expect}\n"
             f"stderr: {result.stderr}")
    return result.returncode, result.stderr


def tree(path):
    """{relative name: sha256} of every file under `path` (a store) or of the file itself."""
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return {"": hashlib.sha256(f.read()).hexdigest()}
    found = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                found[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return found


def same_bytes(zoomflow, a, b):
    """The two outputs hold the same files with the same bytes, and zoomflow compare agrees."""
    ta, tb = tree(a), tree(b)
    if ta != tb:
        differing = sorted(set(ta.items()) ^ set(tb.items()))[:4]
        return False, f"files differ: {differing}"
    code, err = run([zoomflow, "compare", a, b])
    return code == 0, err


def hidden(folder, final_name, suffix):
    """The hidden zoomflow entries for `final_name` in `folder` ending in `suffix`."""
    prefix = "." + final_name + ".zoomflow-"
    return [os.path.join(folder, n) for n in os.listdir(folder)
            if n.startswith(prefix) and n.endswith(suffix)]


def logged_blocks(record_folder, rank=None):
    """Blocks recorded in the logs of a record folder (all ranks, or one)."""
    total = 0
    for name in os.listdir(record_folder):
        if not name.startswith("blocks.") or (rank is not None and not name.endswith(f".{rank}")):
            continue
        with open(os.path.join(record_folder, name)) as f:
            total += max(0, f.read().count("\n") - 1)
    return total


def log_pid(record_folder, rank):
    """The PID in rank `rank`'s log header (the newest attempt's)."""
    for name in sorted(os.listdir(record_folder)):
        if name.startswith("blocks.") and name.endswith(f".{rank}"):
            with open(os.path.join(record_folder, name)) as f:
                match = re.search(r" pid=(\d+) ", f.readline())
                if match:
                    return int(match.group(1))
    return None


def start_and_kill(command, folder, final_name, blocks, rank=None, kill=None, timeout=60):
    """Starts `command`, waits until its record folder logs `blocks` finished blocks (of `rank`,
    if given), then calls kill(process, record_folder) (default: SIGKILL the process). Returns the
    process's exit status and the number of blocks logged when it was killed."""
    process = subprocess.Popen([str(c) for c in command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    record = None
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        records = hidden(folder, final_name, ".run")
        if records:
            record = records[0]
            try:
                done = logged_blocks(record, rank)
            except OSError:
                done = 0
            if done >= blocks:
                break
        time.sleep(0.005)
    name = next((c for c in command if c in ("resample", "pipeline")), command[0])
    check(process.poll() is None, f"{name} still running after {done} blocks, to be killed")
    if kill is None:
        process.send_signal(signal.SIGKILL)
    else:
        kill(process, record)
    _, err = process.communicate(timeout=timeout)
    return process.returncode, done, err


def summary_numbers(err):
    """(blocks, computed, resumed) from a run's summary line."""
    match = re.search(r"wrote .* \((\d+) blocks of .*; (\d+) blocks computed, (\d+) resumed[;)]", err)
    check(match is not None, "a summary line with blocks computed and resumed:\n" + err)
    return tuple(int(g) for g in match.groups())


def one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    return len(lines) == 1 and lines[0].startswith("zoomflow: error: ")
