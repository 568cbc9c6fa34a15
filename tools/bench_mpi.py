"""MPI benchmark (not a test): the dense run - noise uint16 512^3 x2, order 1, into Zarr v3
(zstd:1, 64^3 chunks) - as 1 rank x 1 thread, 2 ranks x 1 thread and 1 rank x 2 threads,
alternated round after round (the machine is shared: each round runs all three back to back),
wall and CPU seconds (user + system of mpirun and every rank, from wait4) per run; the outputs
compared identical. Standard library only.
Usage: python3 tools/bench_mpi.py [ZOOMFLOW] [--rounds N] [--shape 512,512,512] [--workdir DIR]"""
import argparse
import os
import shutil
import subprocess
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("zoomflow", nargs="?", default="build/tools/zoomflow")
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--shape", default="512,512,512")
parser.add_argument("--workdir", default=None)
args = parser.parse_args()
zoomflow = os.path.abspath(args.zoomflow)
MPIRUN = ["mpirun", "-q", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
CONFIGS = [("1 rank x 1 thread", 1, 1), ("2 ranks x 1 thread", 2, 1),
           ("1 rank x 2 threads", 1, 2)]


def timed(command):
    """(wall seconds, CPU seconds of the process and its waited-for children)."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    err = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {err}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    work = args.workdir or tempfile.mkdtemp(prefix="zoomflow-bench-mpi-")
    source = os.path.join(work, "noise.zarr")
    if not os.path.exists(source):
        subprocess.run([zoomflow, "generate", source, "--shape", args.shape, "--dtype", "uint16",
                        "--pattern", "noise", "-q"], check=True)
    kept = {}
    results = {name: [] for name, _, _ in CONFIGS}
    for round_number in range(args.rounds):
        for name, ranks, threads in CONFIGS:
            # The first round's outputs are kept for the comparison; later rounds write beside.
            out = os.path.join(work, f"out-{ranks}x{threads}-{round_number}.zarr")
            shutil.rmtree(out, ignore_errors=True)
            command = [zoomflow, "resample", source, out, "--zoom", "2", "--order", "1",
                       "--threads", str(threads), "-q"]
            if ranks > 1:
                command = MPIRUN + ["-n", str(ranks)] + command
            results[name].append(timed(command))
            if round_number == 0:
                kept[name] = out
            else:
                shutil.rmtree(out, ignore_errors=True)
    names = [name for name, _, _ in CONFIGS]
    same = all(subprocess.run([zoomflow, "compare", kept[names[0]], kept[n]],
                              capture_output=True).returncode == 0 for n in names[1:])
    print(f"dense: noise uint16 {args.shape} x2 order 1 -> Zarr v3 (zstd:1, 64^3 chunks), "
          f"{os.cpu_count()} cores, {args.rounds} rounds alternated")
    print(f"{'run':24} {'wall s (each round)':>30} {'best':>7} {'CPU s (best run)':>17}")
    best = {}
    for name in names:
        walls = [w for w, _ in results[name]]
        cpu = min(results[name])[1]
        best[name] = (min(walls), cpu)
        print(f"{name:24} {' '.join(f'{w:6.2f}' for w in walls):>30} {min(walls):7.2f} "
              f"{cpu:17.2f}")
    ratio = best[names[1]][0] / best[names[2]][0]
    per_round = [results[names[1]][r][0] / results[names[2]][r][0] for r in range(args.rounds)]
    print(f"2 ranks x 1 thread / 1 rank x 2 threads: {ratio:.2f} (best walls), per round "
          + " ".join(f"{x:.2f}" for x in per_round) + f"; CPU {best[names[1]][1] / best[names[2]][1]:.2f}")
    print(f"outputs identical (zoomflow compare): {'yes' if same else 'NO'}")
    for out in kept.values():
        shutil.rmtree(out, ignore_errors=True)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
