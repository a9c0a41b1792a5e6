"""Per-op overhead: a chain of tiny (4x4) elementwise ops, forward + backward.

Runs zerograd, PyTorch (when installed) and a hand-written NumPy forward+backward (the
no-overhead limit) in one process, interleaved, and prints microseconds per op and the ratios.

    python benchmarks/tiny_ops.py [--ops 1000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import zerograd  # noqa: E402

try:
    import torch
    torch.set_num_threads(1)
except ImportError:
    torch = None


def chain(lib, n_ops):
    """x -> ((x * 1.01 + 0.1) * w ...) : n_ops elementwise ops (mul, add, tanh cycling), sum, backward."""
    def run(x, w):
        y = x
        for i in range(n_ops // 3):
            y = y * w
            y = y + 0.1
            y = y.tanh()
        y.sum().backward()
    return run


def numpy_chain(n_ops):
    def run(x, w):
        ys = [x]
        y = x
        for i in range(n_ops // 3):   # forward, keeping what backward needs
            a = y * w
            b = a + 0.1
            y = np.tanh(b)
            ys.append((y, a))
        g = np.ones_like(y)
        gw = np.zeros_like(w)
        for i in range(n_ops // 3, 0, -1):  # backward
            t, a = ys[i]
            g = g * (1 - t * t)
            prev = ys[i - 1][0] if i > 1 else x
            gw += g * prev
            g = g * w
        return g, gw
    return run


def measure(fn, setup, reps):
    times = []
    for _ in range(reps):
        args = setup()
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ops", type=int, default=999)
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 4)).astype(np.float32)
    w0 = (rng.standard_normal((4, 4)) * 0.5).astype(np.float32)

    contenders = {
        "zerograd": (chain(zerograd, args.ops), lambda: (zerograd.tensor(x0), zerograd.tensor(w0, requires_grad=True))),
        "numpy": (numpy_chain(args.ops), lambda: (x0.copy(), w0.copy())),
    }
    if torch is not None:
        contenders["torch"] = (chain(torch, args.ops), lambda: (torch.tensor(x0), torch.tensor(w0, requires_grad=True)))
    results = {k: [] for k in contenders}
    for _ in range(args.rounds):              # interleave to share the machine's noise
        for name, (fn, setup) in contenders.items():
            results[name].append(measure(fn, setup, 3))
    us = {k: statistics.median(v) / args.ops * 1e6 for k, v in results.items()}
    print(f"tiny-op chain: {args.ops} ops on 4x4 float32, forward + backward, median of {args.rounds} rounds")
    print("| library | us/op | vs torch | vs numpy |")
    print("|---|---|---|---|")
    for k, v in us.items():
        vt = f"{v / us['torch']:.2f}x" if "torch" in us else "n/a"
        print(f"| {k} | {v:.2f} | {vt} | {v / us['numpy']:.2f}x |")
    return us


if __name__ == "__main__":
    main()
