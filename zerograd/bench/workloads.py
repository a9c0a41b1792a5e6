"""The six workloads of the benchmark suite, each for zerograd, PyTorch and hand-written NumPy.

zerograd and PyTorch run the *same* code (the library is a parameter: `lib.tensor`, `lib.nn`,
`lib.optim`); the NumPy version is the same computation written out by hand - forward keeping
what backward needs, backward by the chain rule - the no-overhead limit a Python autograd can
approach.

Each `build_<workload>(libname, lib, cfg)` returns {case name: Case}.  A Case's `rep()` runs one
repetition and returns its value in the workload's unit (µs/op, ms/step, ...), timing only the
work itself (inputs are made before the clock starts; the graph's teardown is inside it).

This module is imported by the worker process *without* the zerograd package (a PyTorch worker
must not import zerograd), so it imports nothing from zerograd at module level.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
import time
from typing import Callable

import numpy as np

try:
    from . import numpy_gpt                          # as zerograd.bench.workloads
except ImportError:                                  # as a top-level module in the worker
    import numpy_gpt  # type: ignore[no-redef]

perf = time.perf_counter
HERE = os.path.dirname(os.path.abspath(__file__))


@dataclasses.dataclass
class Case:
    rep: Callable[[], object]          # one repetition -> value in the unit (or a dict)
    warmup: int = 1                    # untimed repetitions before the first round


def _timed(fn, setup=None):
    """seconds for fn(*setup()); setup runs before the clock starts"""
    args = setup() if setup is not None else ()
    t0 = perf()
    fn(*args)
    return perf() - t0


def load_gpt_module():
    """zerograd/models/gpt.py by path (a PyTorch worker must not import the zerograd package)."""
    path = os.path.join(os.path.dirname(HERE), "models", "gpt.py")
    name = "_zerograd_bench_gpt_model"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod                       # dataclasses looks the module up
        spec.loader.exec_module(mod)
    return sys.modules[name]


# =============================================================================================
# (1) tiny-op chain: 333 x (mul, add, tanh) on 4x4 float32 + sum = 1,000 ops, forward+backward
# =============================================================================================

def lib_chain(n_cycles):
    def run(x, w):
        y = x
        for _ in range(n_cycles):
            y = y * w
            y = y + 0.1
            y = y.tanh()
        y.sum().backward()
    return run


def numpy_chain(n_cycles):
    def run(x, w):
        ys = [x]
        y = x
        for _ in range(n_cycles):            # forward, keeping what backward needs
            y = np.tanh(y * w + np.float32(0.1))
            ys.append(y)
        y.sum()
        g = np.ones_like(y)
        gw = np.zeros_like(w)
        for i in range(n_cycles, 0, -1):     # backward
            t = ys[i]
            g = g * (1 - t * t)
            gw += g * ys[i - 1]
            g = g * w
        return g, gw
    return run


def build_tiny(libname, lib, cfg):
    n_ops = cfg["tiny_ops"]
    n_cycles = max(1, (n_ops - 1) // 3)
    ops = 3 * n_cycles + 1
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 4)).astype(np.float32)
    w0 = (rng.standard_normal((4, 4)) * 0.5).astype(np.float32)
    if lib is None:
        fn, setup = numpy_chain(n_cycles), (lambda: (x0.copy(), w0.copy()))
    else:
        fn = lib_chain(n_cycles)
        setup = lambda: (lib.tensor(x0), lib.tensor(w0, requires_grad=True))  # noqa: E731
    return {"tiny": Case(lambda: _timed(fn, setup) / ops * 1e6, warmup=3)}


# =============================================================================================
# (2) MLP step 784-512-512-10, batch 128, SGD; (6) uses it for memory
# =============================================================================================

def _mlp_batches(cfg, n=4):
    rng = np.random.default_rng(0)
    d_in, d_out, bs = cfg["mlp_sizes"][0], cfg["mlp_sizes"][-1], cfg["mlp_batch"]
    return [(rng.standard_normal((bs, d_in)).astype(np.float32),
             rng.integers(0, d_out, bs).astype(np.int64)) for _ in range(n)]


class NumpyMLP:
    """Linear(+ReLU) layers, cross-entropy, SGD - by hand; weights (out, in) like nn.Linear."""

    def __init__(self, sizes, lr, seed=0):
        rng = np.random.default_rng(seed)
        self.lr = np.float32(lr)
        self.params = []
        for d_in, d_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / np.sqrt(d_in)                       # nn.Linear's default init
            self.params.append((rng.uniform(-bound, bound, (d_out, d_in)).astype(np.float32),
                                rng.uniform(-bound, bound, d_out).astype(np.float32)))

    def step(self, x, y):
        acts = [x]
        h = x
        last = len(self.params) - 1
        for i, (w, b) in enumerate(self.params):          # forward
            h = h @ w.T + b
            if i < last:
                h = np.maximum(h, 0)
            acts.append(h)
        loss, cache = numpy_gpt.cross_entropy_forward(h, y)
        g = numpy_gpt.cross_entropy_backward(cache)        # backward + SGD
        for i in range(last, -1, -1):
            w, b = self.params[i]
            if i < last:
                g = g * (acts[i + 1] > 0)
            gw, gb = g.T @ acts[i], g.sum(0)
            if i > 0:
                g = g @ w
            w -= self.lr * gw
            b -= self.lr * gb
        return loss


def make_mlp(libname, lib, cfg):
    """-> step(i): one SGD step on batch i % 4"""
    sizes = cfg["mlp_sizes"]
    batches = _mlp_batches(cfg)
    if lib is None:
        model = NumpyMLP(sizes, cfg["mlp_lr"])
        return lambda i: model.step(*batches[i % len(batches)])
    lib.manual_seed(0)
    nn, F = lib.nn, lib.nn.functional
    layers = []
    for j, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(d_in, d_out))
        if j < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = lib.optim.SGD(model.parameters(), lr=cfg["mlp_lr"])
    tb = [(lib.tensor(x), lib.tensor(y)) for x, y in batches]

    def step(i):
        x, y = tb[i % len(tb)]
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def build_mlp(libname, lib, cfg):
    step = make_mlp(libname, lib, cfg)
    counter = [0]

    def rep():
        counter[0] += 1
        return _timed(step, lambda: (counter[0],)) * 1e3
    return {"mlp": Case(rep, warmup=3)}


# =============================================================================================
# (3) 1024² matmul forward + backward:  c = a @ b;  c.sum().backward()
# =============================================================================================

def build_matmul(libname, lib, cfg):
    n = cfg["matmul_n"]
    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((n, n)).astype(np.float32)
    b0 = rng.standard_normal((n, n)).astype(np.float32)
    if lib is None:
        def fn(a, b):
            c = a @ b
            c.sum()
            g = np.ones_like(c)
            return g @ b.T, a.T @ g
        setup = lambda: (a0, b0)  # noqa: E731
    else:
        a, b = lib.tensor(a0, requires_grad=True), lib.tensor(b0, requires_grad=True)

        def fn():
            (a @ b).sum().backward()

        def setup():
            a.grad = b.grad = None
            return ()
    return {"matmul": Case(lambda: _timed(fn, setup) * 1e3, warmup=2)}


# =============================================================================================
# (4) deep chain: y = tanh(tanh(...tanh(x))) at depth 10³ ... 10⁶, forward + backward
# =============================================================================================

def build_deep(libname, lib, cfg):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 4)).astype(np.float32)
    cases = {}
    for depth in cfg["deep_depths"]:
        if lib is None:
            def fn(x, depth=depth):
                ys = [x]
                y = x
                for _ in range(depth):
                    y = np.tanh(y)
                    ys.append(y)
                y.sum()
                g = np.ones_like(y)
                for i in range(depth, 0, -1):
                    t = ys[i]
                    g = g * (1 - t * t)
                return g
            setup = lambda: (x0.copy(),)  # noqa: E731
        else:
            def fn(x, depth=depth):
                y = x
                for _ in range(depth):
                    y = y.tanh()
                y.sum().backward()
            setup = lambda: (lib.tensor(x0, requires_grad=True),)  # noqa: E731
        cases[f"deep{depth}"] = Case(
            lambda fn=fn, setup=setup, depth=depth: _timed(fn, setup) / depth * 1e6,
            warmup=1 if depth <= 10_000 else 0)
    return cases


# =============================================================================================
# (5) GPT training step (zerograd/models/gpt.py; the NumPy one is numpy_gpt.py), AdamW
# =============================================================================================

def build_gpt(libname, lib, cfg):
    g = cfg["gpt"]
    B, T = g["batch_size"], g["block_size"]
    rng = np.random.default_rng(0)
    batches = [(rng.integers(0, g["vocab_size"], (B, T)), rng.integers(0, g["vocab_size"], (B, T)))
               for _ in range(4)]
    if lib is None:
        model = numpy_gpt.NumpyGPT(g["vocab_size"], T, g["n_layer"], g["n_head"], g["n_embd"])
        opt = numpy_gpt.NumpyAdamW(model.params, lr=1e-3)

        def step(i):
            loss, grads = model.loss_and_grads(*batches[i % 4])
            opt.step(grads)
    else:
        gm = load_gpt_module()
        lib.manual_seed(0)
        model = gm.build_gpt(lib, gm.GPTConfig(vocab_size=g["vocab_size"], block_size=T,
                                               n_layer=g["n_layer"], n_head=g["n_head"],
                                               n_embd=g["n_embd"]))
        opt = lib.optim.AdamW(model.parameters(), lr=1e-3)
        tb = [(lib.tensor(x), lib.tensor(y)) for x, y in batches]

        def step(i):
            opt.zero_grad()
            _, loss = model(*tb[i % 4])
            loss.backward()
            opt.step()
    counter = [0]

    def rep():
        counter[0] += 1
        return B * T / _timed(step, lambda: (counter[0],))           # tokens/s
    return {"gpt": Case(rep, warmup=2)}


# =============================================================================================
# (6) memory: peak RSS and RSS growth between step 10 and step 50 over 50 MLP steps
# =============================================================================================

def rss_mb():
    """(VmRSS, VmHWM) of this process in MiB, from /proc/self/status (None off Linux)."""
    vals = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":")
                    vals[k] = int(v.split()[0]) / 1024
    except OSError:
        return None, None
    return vals.get("VmRSS"), vals.get("VmHWM")


def build_memory(libname, lib, cfg):
    step = make_mlp(libname, lib, cfg)
    steps = cfg["memory_steps"]

    def rep():
        base = rss_mb()[0]
        out = {"base": base}
        for i in range(1, steps + 1):
            step(i)
            if i == min(10, steps):
                out["rss10"] = rss_mb()[0]
        out["rss_end"], out["peak"] = rss_mb()
        out["growth"] = out["rss_end"] - out["rss10"]
        return out
    return {"memory": Case(rep, warmup=0)}


BUILDERS = {"tiny": build_tiny, "mlp": build_mlp, "matmul": build_matmul, "deep": build_deep,
            "gpt": build_gpt, "memory": build_memory}
