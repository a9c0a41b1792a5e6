"""The benchmark suite of issue 7: zerograd vs PyTorch vs hand-written NumPy, side by side.

    python benchmarks/run_all.py [--quick] [--threads 2] [--only NAME[,NAME]] [--json FILE]

Workloads (NAME): tiny (1,000 tiny-op chain), mlp (784-512-512-10 SGD step), matmul (1024²
forward+backward), deep (chain at depth 10³...10⁶; 10⁶ only without --quick), gpt (GPT training
step, tokens/s), memory (peak RSS and RSS growth over 50 MLP steps).  Each library runs in its own
process with one BLAS/OpenMP thread (--threads to change); rounds are interleaved and the table
shows medians and ratios.  The code lives in zerograd/bench/ (`zerograd bench` runs the same).
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from zerograd.bench import WORKLOADS, run_bench  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="fewer rounds, deep chain up to 10⁵, one process per library (~1 min)")
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads per process (1)")
    p.add_argument("--only", default=None,
                   help=f"comma-separated workloads to run, of: {', '.join(WORKLOADS)}")
    p.add_argument("--libs", default=None,
                   help="comma-separated libraries: zerograd, torch, numpy (default: all "
                   "installed)")
    p.add_argument("--json", default=None, metavar="FILE", help="also write all results as JSON")
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be >= 1")
    try:
        return run_bench(quick=args.quick, threads=args.threads, only=args.only,
                         libs=args.libs.split(",") if args.libs else None, json_path=args.json)
    except ValueError as e:
        p.error(str(e))


if __name__ == "__main__":
    main()
