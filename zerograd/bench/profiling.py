"""cProfile of zerograd on the suite's workloads: where the time goes.

    python -m zerograd.bench.profiling [tiny|gpt|mlp|deep|matmul ...] [--top 15] [--reps N]

Builds the workload exactly as the benchmark does (zerograd/bench/workloads.py; one BLAS thread),
warms it up, then profiles `--reps` repetitions and prints the top functions by own time
(`tottime`), with paths shortened to the package.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402

DEFAULT_REPS = {"tiny": 20, "gpt": 3, "mlp": 20, "deep": 1, "matmul": 3}


def profile_workload(name, reps=None, top=15, sort="tottime", threads=1, cfg=None):
    """Profile `reps` repetitions of zerograd's `name` workload; return the pstats text."""
    import zerograd
    from zerograd._threads import set_blas_threads
    from . import runner, workloads
    set_blas_threads(threads)
    cfg = cfg or runner.make_plan()[name]["cfg"]
    if name == "deep":
        cfg = dict(cfg, deep_depths=[10_000])
    cases = workloads.BUILDERS[name]("zerograd", zerograd, cfg)
    case = next(iter(cases.values()))
    for _ in range(max(1, case.warmup)):
        case.rep()
    reps = reps or DEFAULT_REPS.get(name, 3)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(reps):
        case.rep()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats(sort).print_stats(top)
    text = out.getvalue()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    text = text.replace(root + os.sep, "")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("   Ordered by",))]
    return f"zerograd {name}: {reps} repetition(s) under cProfile, top {top} by {sort}\n" + \
        "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workloads", nargs="*", default=["tiny", "gpt"],
                   choices=["tiny", "mlp", "matmul", "deep", "gpt"])
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--reps", type=int, default=None)
    p.add_argument("--sort", default="tottime", choices=["tottime", "cumulative", "ncalls"])
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    for name in args.workloads:
        print(profile_workload(name, args.reps, args.top, args.sort, args.threads))
        print()


if __name__ == "__main__":
    main()
