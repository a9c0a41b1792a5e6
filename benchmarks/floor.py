"""How close to the floor: zerograd, PyTorch and the barest possible Python autograd on NumPy.

The floor (zerograd/bench/floor.py) records a graph and backpropagates through it and does
nothing else - no checks, version counters, grad modes, hooks or inspectable nodes.  What it
spends per operation is what any autograd written in Python on NumPy must spend; the gap between
it and zerograd is the price of PyTorch's semantics; issue 7's targets for the tiny-op and deep
chains (≤ 0.5× PyTorch's time) can be read against it.

Runs the suite's tiny-op chain and deep tanh chain for the three, each in its own process with
one BLAS thread, in interleaved rounds (the same machinery as `zerograd bench`):

    python benchmarks/floor.py [--rounds 21] [--deep 1000,10000,100000] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from zerograd.bench.runner import available_libs, run_suite  # noqa: E402

NAMES = {"zerograd": "zerograd", "torch": "PyTorch", "floor": "floor"}
PAIRS = (("zerograd", "torch"), ("floor", "torch"), ("zerograd", "floor"))


def paired(a, b):
    """median over rounds of a's time ÷ b's (both ran in the same round), or None"""
    if not isinstance(a, list) or not isinstance(b, list):
        return None
    r = [x / y for x, y in zip(a, b) if isinstance(x, float) and isinstance(y, float) and y]
    return statistics.median(r) if r else None


def table(res):
    libs = res["libs"]
    pairs = [p for p in PAIRS if p[0] in libs and p[1] in libs]
    head = (["workload"] + [f"{NAMES[lib]} µs" for lib in libs]
            + [f"{NAMES[a]} ÷ {NAMES[b]}" for a, b in pairs])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for wl in res["workloads"]:
        for case, cells in res["results"][wl].items():
            label = ("tiny-op chain (µs/op)" if case == "tiny"
                     else f"deep chain {int(case[4:]):,} (µs/node)")
            vals = []
            for lib in libs:
                c = cells[lib]
                ok = [v for v in c if isinstance(v, float)]
                vals.append(f"{statistics.median(ok):.2f}" if ok and len(ok) == len(c)
                            else (c[0] if c else "—"))
            ratios = [paired(cells[a], cells[b]) for a, b in pairs]
            lines.append("| " + " | ".join([label] + vals + [
                "—" if r is None else f"{r:.2f}×" for r in ratios]) + " |")
    m = res["machine"]
    lines += ["", "Ratios: medians of the per-round ratios (time ÷ time; the libraries alternate "
              "within a round).  One process per library and workload, "
              f"{m['threads']} BLAS thread(s); {m['cpu']}, {m['cores']} cores; Python "
              f"{m['python']}, NumPy {m['numpy']}"
              + (f", PyTorch {m['torch']}" if m.get("torch") else "") + f"; {m['date']}."]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("--deep", default="1000,10000,100000",
                   help="comma-separated depths of the deep chain (default 1000,10000,100000)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    depths = [int(d) for d in args.deep.split(",") if d.strip()]
    if args.rounds < 1 or not depths or min(depths) < 1:
        p.error("--rounds and the depths must be >= 1")
    libs = available_libs(["zerograd", "torch", "floor"], extra=True)
    res = run_suite(threads=args.threads, only=["tiny", "deep"], libs=libs, isolate=True,
                    overrides={"deep_depths": depths, "rounds": args.rounds})
    out = table(res)
    print(out, flush=True)
    return res


if __name__ == "__main__":
    main()
