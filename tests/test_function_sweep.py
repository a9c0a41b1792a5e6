"""autograd.Function against PyTorch: a seeded sweep of custom functions - one or two outputs,
returning an input (plain, or changed in place and marked dirty), a view, an integer tensor;
saving inputs or outputs; mark_non_differentiable, set_materialize_grads(False),
once_differentiable; backward returning too few gradients or a wrong shape; leaf or non-leaf
inputs, no_grad, create_graph - comparing the outputs (values, requires_grad, grad_fn, whether the
input object itself came back), needs_input_grad, the gradients or the error."""
from __future__ import annotations

import numpy as np

import zerograd
from tests._oracle import requires_torch, torch


def _values(v):
    f64 = torch.float64 if isinstance(v, torch.Tensor) else zerograd.float64
    return np.round(v.detach().to(f64).numpy(), 5).tolist()


def _describe(t):
    name = None if t.grad_fn is None else type(t.grad_fn).__name__
    return _values(t), t.requires_grad, name, t.is_leaf


def _function(L, spec, seen):
    kind = spec["fwd"]

    class F(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            if not spec["materialize"]:
                ctx.set_materialize_grads(False)
            ctx.k = k
            if spec["save"] == "inputs":
                ctx.save_for_backward(x, y)
            if kind == "mul":
                out = x * y * k
            elif kind == "two":
                a, b = x * k, y.exp()
                if spec["nondiff"]:
                    ctx.mark_non_differentiable(b)
                if spec["save"] == "output":
                    ctx.save_for_backward(a)
                return a, b
            elif kind == "dirty":
                x.mul_(k)
                ctx.mark_dirty(x)
                out = x
            elif kind == "view":
                out = x.view(-1)
            elif kind == "input":
                out = x
            else:
                out = (x > 0).long()
            if spec["save"] == "output" and kind in ("mul", "dirty"):
                ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, *gs):
            seen["needs"] = tuple(ctx.needs_input_grad)
            if spec["save"] != "none":
                ctx.saved_tensors
            g = gs[0]
            if kind == "mul":
                if spec["bad"] == "count":
                    return g, g
                if spec["bad"] == "shape":
                    return g.sum(), g, None
                return g * 2, g * 3, None
            if kind == "two":
                return g, gs[1], None
            if kind == "view":
                g = g.view(2, 3)
            return (g * ctx.k if kind != "int" else None), None, None

    if spec["once"]:
        F.backward = staticmethod(L.autograd.function.once_differentiable(F.backward))
    return F


def _run(L, spec):
    seen = {}
    out = []
    try:
        rng = np.random.default_rng(spec["seed"])
        x = L.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=spec["x_rg"])
        y = L.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=spec["y_rg"])
        xin = x * 1 if spec["nonleaf"] else x
        F = _function(L, spec, seen)
        with (L.no_grad() if spec["no_grad"] else L.enable_grad()):
            r = F.apply(xin, y, 2.0)
        rs = r if isinstance(r, tuple) else (r,)
        out.append(("out", [_describe(t) for t in rs], rs[0] is xin))
        used = [t for t in rs if t.requires_grad][:1 if spec["first_only"] else None]
        if used:
            loss = sum((t.double() * (i + 1)).sum() for i, t in enumerate(used))
            if spec["create_graph"]:
                gs = L.autograd.grad(loss, [t for t in (x, y) if t.requires_grad],
                                     create_graph=True, allow_unused=True)
                out.append(("gs", [None if g is None else _describe(g) for g in gs]))
            else:
                loss.backward()
                out.append(("grads", None if x.grad is None else _values(x.grad),
                            None if y.grad is None else _values(y.grad)))
        out.append(("needs", seen.get("needs")))
    except (RuntimeError, TypeError, NotImplementedError) as e:
        out.append(("raise", type(e).__name__, str(e).split("\n")[0].split(" Fix:")[0]))
    return out


@requires_torch
def test_custom_functions_sweep_as_torch():
    rng = np.random.default_rng(20261129)
    pick = lambda *xs: xs[int(rng.integers(0, len(xs)))]  # noqa: E731
    diffs = []
    for _ in range(500):
        spec = dict(seed=int(rng.integers(0, 99)),
                    fwd=pick("mul", "two", "dirty", "view", "input", "int"),
                    save=pick("none", "inputs", "output"), nondiff=bool(rng.random() < 0.5),
                    bad=pick("none", "none", "none", "count", "shape"),
                    once=bool(rng.random() < 0.3), materialize=bool(rng.random() < 0.7),
                    x_rg=bool(rng.random() < 0.8), y_rg=bool(rng.random() < 0.5),
                    nonleaf=bool(rng.random() < 0.5), no_grad=bool(rng.random() < 0.15),
                    first_only=bool(rng.random() < 0.4), create_graph=bool(rng.random() < 0.25))
        z, t = _run(zerograd, spec), _run(torch, spec)
        if z != t:
            diffs.append((spec, z, t))
    assert not diffs, f"{len(diffs)} of 500 differ; first: {diffs[0]}"
