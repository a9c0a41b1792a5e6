"""Hooks against PyTorch: a seeded sweep of programs that put tensor hooks (logging, scaling,
returning a tensor of the wrong size or dtype), retain_grad, post-accumulate hooks and node
pre/post hooks on leaves, intermediate tensors and a view, remove some of them, then run
backward (once, or twice with retain_graph) or autograd.grad (an input that may sit behind
another: torch captures what flows into a node that runs on before that node's tensor hooks).
Compared: the hooks' calls in order with what they saw, the gradients, the errors."""
from __future__ import annotations

import numpy as np

import zerograd
from tests._oracle import requires_torch, torch


def _values(v):
    if v is None:
        return None
    f64 = torch.float64 if isinstance(v, torch.Tensor) else zerograd.float64
    return np.round(v.detach().to(f64).numpy(), 5).tolist()


def _add_hook(L, x, kind, k, log):
    if kind == "log":
        return x.register_hook(lambda g: log.append((k, "log", _values(g))))
    if kind == "scale":
        return x.register_hook(lambda g: (log.append((k, "scale")), g * 3)[1])
    if kind == "retain":
        x.retain_grad()
        return None
    if kind == "post":
        return x.register_post_accumulate_grad_hook(
            lambda p: log.append((k, "post", _values(p.grad))))
    if kind == "bad_size":
        return x.register_hook(lambda g: L.ones(7, dtype=g.dtype))
    if kind == "bad_type":
        return x.register_hook(lambda g: L.ones(g.shape, dtype=L.float32))
    if x.grad_fn is None:
        return None
    if kind == "node":
        return x.grad_fn.register_hook(lambda gi, go: log.append((k, "node", len(gi), len(go))))
    return x.grad_fn.register_prehook(
        lambda go: log.append((k, "prenode", [_values(g) for g in go])))


def _run(L, prog):
    rng = np.random.default_rng(prog["seed"])
    log = []
    a = L.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True)
    b = L.tensor(rng.uniform(0.5, 1.5, (3,)), requires_grad=True)
    t = {"a": a, "b": b}
    t["m"] = a * b
    t["s"] = t["m"].sin()
    t["v"] = t["s"][0]                      # a view
    t["e"] = t["s"].exp() + t["v"].sum()
    loss = (t["e"] * 2).sum()
    try:
        handles = [(_add_hook(L, t[where], kind, k, log), tag)
                   for k, (where, kind, tag) in enumerate(prog["hooks"])]
        for h, tag in handles:
            if tag == "remove" and h is not None:
                h.remove()
        if prog["api"] == "backward":
            loss.backward(retain_graph=prog["twice"])
            if prog["twice"]:
                loss.backward()
        else:
            gs = L.autograd.grad(loss, [a, t[prog["gin"]]], allow_unused=True)
            log.append(("grad", [_values(g) for g in gs]))
        log.append(("grads", _values(a.grad), _values(b.grad),
                    {k: _values(t[k].grad) for k in ("m", "s", "v", "e") if t[k].retains_grad}))
    except (RuntimeError, TypeError) as e:
        log.append(("raise", type(e).__name__, str(e).split("\n")[0].split(" Fix:")[0]))
    return log


@requires_torch
def test_hooks_sweep_as_torch():
    rng = np.random.default_rng(20261129)
    kinds = ["log", "scale", "retain", "post", "node", "prenode"]
    diffs = []
    for _ in range(500):
        pool = kinds + ["bad_size", "bad_type"] if rng.random() < 0.15 else kinds
        hooks = [(str(rng.choice(["a", "b", "m", "s", "v", "e"])), str(rng.choice(pool)),
                  str(rng.choice(["keep", "keep", "remove"])))
                 for _ in range(int(rng.integers(1, 5)))]
        prog = dict(seed=int(rng.integers(0, 99)), hooks=hooks,
                    api=str(rng.choice(["backward", "grad"])), twice=bool(rng.random() < 0.3),
                    gin=str(rng.choice(["b", "m", "s", "v"])))
        z, t = _run(zerograd, prog), _run(torch, prog)
        if z != t:
            diffs.append((prog, z, t))
    assert not diffs, f"{len(diffs)} of 500 differ; first: {diffs[0]}"
