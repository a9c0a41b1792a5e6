"""retain_grad and tensor hooks across in-place ops, against torch: `.grad` of a retained tensor
is the gradient of its current value (the retain follows an in-place op, and a view re-derived
from its base), and hooks on a view do not see the gradient that an in-place op on that view
routes into the base (torch's CopySlices bypasses the view's old node)."""
import warnings

import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch


def _case(L, case):
    x = L.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 2
    out = {}
    if case == "retain, then in place":
        y.retain_grad()
        y.mul_(3)
        (y * 5).sum().backward()
        out["y"] = y.grad
    elif case == "retain a view, then in place on it":
        v = y[:2]
        v.retain_grad()
        v.mul_(3)
        y.sum().backward()
        out["v"] = v.grad
    elif case == "retain a view, then in place on its base":
        v = y[:2]
        v.retain_grad()
        y.mul_(3)
        (v * 5).sum().backward()
        out["v"] = v.grad
    elif case == "retain the base, then in place on a view":
        y.retain_grad()
        y[:2].mul_(3)
        (y * 5).sum().backward()
        out["y"] = y.grad
    elif case == "retain a view used before and after":
        v = y[:2]
        v.retain_grad()
        w = v * 1
        v.mul_(3)
        (w.sum() + v.sum() * 10).backward()
        out["v"] = v.grad
    elif case == "hook on a view, then in place on it":
        v = y[:2]
        v.register_hook(lambda g: g * 100)
        v.mul_(2)
        y.sum().backward()
    elif case == "hook on a view used before the in-place op":
        v = y[:2]
        v.register_hook(lambda g: g * 100)
        z = v * 3
        v.mul_(2)
        (z.sum() + y.sum()).backward()
    elif case == "hook, then in place (no view)":
        y.register_hook(lambda g: g * 100)
        y.mul_(3)
        y.sum().backward()
    elif case == "retain with create_graph":
        y.retain_grad()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (y * y).sum().backward(create_graph=True)
        out["y requires grad"] = y.grad.requires_grad
        out["y grad_fn"] = type(y.grad.grad_fn).__name__
        out["d sum(y.grad) / dx"], = L.autograd.grad(y.grad.sum(), x)
    out["x"] = x.grad
    return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in out.items()}


CASES = ["retain, then in place", "retain a view, then in place on it",
         "retain a view, then in place on its base", "retain the base, then in place on a view",
         "retain a view used before and after", "hook on a view, then in place on it",
         "hook on a view used before the in-place op", "hook, then in place (no view)",
         "retain with create_graph"]


@pytest.mark.parametrize("case", CASES)
def test_history_as_torch(case):
    assert _case(zerograd, case) == _case(torch, case)
