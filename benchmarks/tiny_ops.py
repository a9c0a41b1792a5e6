"""Per-op overhead: a chain of tiny (4x4) elementwise ops, forward + backward.

Now a thin wrapper over the suite's `tiny` workload (zerograd/bench/workloads.py): zerograd,
PyTorch (when installed) and a hand-written NumPy forward+backward (the no-overhead limit), each
in its own process with one BLAS thread, interleaved rounds; prints microseconds per op and the
ratios.

    python benchmarks/tiny_ops.py [--ops 1000] [--rounds 31] [--threads 1]

The whole suite: python benchmarks/run_all.py
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from zerograd.bench import run_bench  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", type=int, default=1000, help="ops in the chain (3 per cycle + sum)")
    p.add_argument("--rounds", type=int, default=None,
                   help="interleaved rounds, one chain per library each (default: the suite's, 31)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.ops < 4 or (args.rounds is not None and args.rounds < 1):
        p.error("--ops must be >= 4 and --rounds >= 1")
    overrides = {"tiny_ops": args.ops}
    if args.rounds:
        overrides["rounds"] = args.rounds
    run_bench(threads=args.threads, only="tiny", isolate=True, overrides=overrides)
    return run_bench.last_results["medians"]["tiny"]["tiny"]       # {library: µs per op}


if __name__ == "__main__":
    main()
