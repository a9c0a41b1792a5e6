"""Grad modes against PyTorch: a seeded sweep of two nested modes (none, no_grad, enable_grad,
inference_mode(True/False), set_grad_enabled(True/False)) around ops on a tensor that requires
grad and on a result made in the outer mode, then an in-place change, a clone, a view, a mix with
a normal tensor or a detach() inside or after them, and backward: requires_grad, grad_fn, is_leaf,
is_inference of every result, is_grad_enabled / is_inference_mode_enabled at each point, the
gradients or the error.  (torch: inference_mode(False) enables grad; inside inference_mode nothing
records even under enable_grad; an inference tensor's detach() is one too.)"""
from __future__ import annotations

import contextlib

import numpy as np

import zerograd
from tests._oracle import requires_torch, torch

MODES = ["none", "no_grad", "enable_grad", "inference", "inference_false", "set_false",
         "set_true"]


def _mode(L, m):
    return {"none": contextlib.nullcontext, "no_grad": L.no_grad, "enable_grad": L.enable_grad,
            "inference": L.inference_mode, "inference_false": lambda: L.inference_mode(False),
            "set_false": lambda: L.set_grad_enabled(False),
            "set_true": lambda: L.set_grad_enabled(True)}[m]()


def _describe(t):
    return (t.requires_grad, t.grad_fn.name() if t.grad_fn is not None else None, t.is_leaf,
            t.is_inference())


def _after(op, b, x):
    """What the program does with b once both modes are left."""
    if op == "inplace_after":
        b.mul_(2)
        return ("b2", _describe(b))
    if op == "clone_after":
        return ("clone", _describe(b.clone()))
    if op == "view_after":
        w = b.view(3)
        w.add_(1)
        return ("w", _describe(w))
    if op == "mix":
        return ("mix", _describe(b + x))
    return ("detach", _describe(b.detach()))


def run(L, prog):
    out = []
    try:
        x = L.ones(3, requires_grad=True)
        with _mode(L, prog["outer"]):
            a = x * 2
            out.append(("a", _describe(a), L.is_grad_enabled(), L.is_inference_mode_enabled()))
            with _mode(L, prog["inner"]):
                b = a + 1 if prog["use"] == "a" else x + 1
                out.append(("b", _describe(b), _describe(b[0:2]), L.is_grad_enabled(),
                            L.is_inference_mode_enabled()))
                if prog["op"] == "inplace_b":
                    b.add_(1)
                    out.append(("b_", _describe(b)))
            c = b * 3
            out.append(("c", _describe(c)))
        if prog["op"] not in ("none", "inplace_b"):
            out.append(_after(prog["op"], b, x))
        loss = c.sum()
        if loss.requires_grad:
            loss.backward()
            out.append(("grad", None if x.grad is None else x.grad.tolist()))
        out.append(("modes", L.is_grad_enabled(), L.is_inference_mode_enabled()))
    except RuntimeError as e:
        out.append(("raise", str(e).split("\n")[0].split(" Fix:")[0]))
    return out


@requires_torch
def test_grad_modes_sweep_as_torch():
    rng = np.random.default_rng(20261129)
    diffs = []
    for _ in range(600):
        prog = dict(outer=str(rng.choice(MODES)), inner=str(rng.choice(MODES)),
                    use=str(rng.choice(["a", "x"])),
                    op=str(rng.choice(["none", "inplace_b", "inplace_after", "clone_after",
                                       "view_after", "mix", "detach"])))
        z, t = run(zerograd, prog), run(torch, prog)
        if z != t:
            diffs.append((prog, z, t))
    assert not diffs, f"{len(diffs)} of 600 differ; first: {diffs[0]}"
