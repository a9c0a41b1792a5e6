"""autograd.functional against PyTorch: a seeded sweep of jacobian, hessian, vjp, jvp, hvp and
vhp over functions of one or two inputs with one or two outputs (including a constant output,
an unused input, a constant Hessian), bare or tuple inputs, create_graph, strict, vectorize and
v=None - comparing the results (values, requires_grad, shapes, nesting) or the error.  One known
difference is left out of the sweep: jacobian(vectorize=True, create_graph=True) of a function
whose jacobian is constant gives tensors that do not require grad (torch's do; README Limits)."""
from __future__ import annotations

import numpy as np

import zerograd
from tests._oracle import requires_torch, torch

def _values(v):
    if v is None:
        return None
    if isinstance(v, tuple):
        return ("tuple", tuple(_values(x) for x in v))
    f64 = torch.float64 if isinstance(v, torch.Tensor) else zerograd.float64
    return np.round(v.detach().to(f64).numpy(), 5).tolist(), v.requires_grad, tuple(v.shape)


def _function(L, k):
    return {"exp": lambda x: x.exp(), "sum": lambda x: (x ** 2).sum(),
            "two_in": lambda x, y: (x * y).sin(), "two_out": lambda x: (x.exp(), x.sum()),
            "const": lambda x: L.ones(3), "unused": lambda x, y: x * 2,
            "scalar_two": lambda x, y: (x * y).sum(),
            "mat": lambda x: x @ x.t() if x.dim() == 2 else x.outer(x)}[k]


def _ones_like(L, ts):
    """ones shaped like a tensor or a tuple of them (the v of vjp/jvp/hvp/vhp)."""
    if isinstance(ts, tuple):
        return tuple(L.ones(t.shape, dtype=L.float64) for t in ts)
    return L.ones(ts.shape, dtype=L.float64)


def run(L, p):
    rng = np.random.default_rng(p["seed"])
    two = p["fn"] in ("two_in", "unused", "scalar_two")
    x = L.tensor(rng.uniform(-1, 1, p["shape"]), dtype=L.float64)
    y = L.tensor(rng.uniform(-1, 1, p["shape"]), dtype=L.float64)
    inputs = (x, y) if two else (x if p["bare"] else (x,))
    f = _function(L, p["fn"])
    kw = {}
    if p["create_graph"]:
        kw["create_graph"] = True
    if p["strict"] is not None:
        kw["strict"] = p["strict"]
    F = L.autograd.functional
    api = p["api"]
    try:
        if api == "jacobian":
            return _values(F.jacobian(f, inputs, vectorize=p["vectorize"], **kw))
        if api == "hessian":
            return _values(F.hessian(f, inputs, **kw))
        if api == "vjp":
            out = f(*inputs) if isinstance(inputs, tuple) else f(inputs)
            return _values(F.vjp(f, inputs, None if p["v_none"] else _ones_like(L, out), **kw))
        v = None if p["v_none"] else _ones_like(L, inputs)
        return _values(getattr(F, api)(f, inputs, v, **kw))
    except RuntimeError as e:
        return ("raise", str(e).split("\n")[0].split(" Fix:")[0])


@requires_torch
def test_autograd_functional_sweep_as_torch():
    rng = np.random.default_rng(20261129)
    diffs = []
    for _ in range(600):
        p = dict(seed=int(rng.integers(0, 99)),
                 fn=str(rng.choice(["exp", "sum", "two_in", "two_out", "const", "unused",
                                    "scalar_two", "mat"])),
                 shape=[(3,), (2, 3), (), (1,)][int(rng.integers(0, 4))],
                 bare=bool(rng.random() < 0.5),
                 api=str(rng.choice(["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])),
                 create_graph=bool(rng.random() < 0.3),
                 strict=[None, True, False][int(rng.integers(0, 3))],
                 vectorize=bool(rng.random() < 0.3), v_none=bool(rng.random() < 0.3))
        if p["vectorize"] and p["create_graph"]:
            p["vectorize"] = False
        z, t = run(zerograd, p), run(torch, p)
        if z != t:
            diffs.append((p, z, t))
    assert not diffs, f"{len(diffs)} of 600 differ; first: {diffs[0]}"
