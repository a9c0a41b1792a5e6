"""autograd.grad and backward against PyTorch: a seeded sweep over their arguments - scalar,
vector, matrix and several outputs; inputs used, unused, non-leaf or not requiring grad;
grad_outputs None, ones, a wrong shape, a scalar, integer or float64; retain_graph,
create_graph, allow_unused, materialize_grads, backward(inputs=...) and a second backward -
comparing gradients (values, requires_grad, grad_fn) or the error (type and message; zerograd's
messages may add a " Fix: ..." hint after torch's text)."""
from __future__ import annotations

import warnings

import numpy as np

import zerograd
from tests._oracle import requires_torch, torch

def _values(v):
    """A gradient as rounded float64 lists (None stays None)."""
    if v is None:
        return None
    f64 = torch.float64 if isinstance(v, torch.Tensor) else zerograd.float64
    return np.round(np.nan_to_num(v.detach().to(f64).numpy(), nan=9e9), 5).tolist()


def run(L, prog):
    """Run one program in library L: what it returned or raised."""
    rng = np.random.default_rng(prog["seed"])
    a = L.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True)
    b = L.tensor(rng.uniform(0.5, 1.5, (3,)), requires_grad=True)
    c = L.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=prog["c_rg"])
    u = L.tensor(rng.uniform(-1, 1, (4,)), requires_grad=True)   # unused
    h = (a * b).tanh() + c
    outs = {"scalar": (h ** 2).sum(), "vector": h.sum(0), "matrix": h, "two": None}[prog["out"]]
    if prog["out"] == "two":
        outs = [(h ** 2).sum(), (a * 3).sum()]
    inputs = {"a": [a], "ab": [a, b], "abu": [a, b, u], "c": [c], "h": [h], "b_tuple": (b,),
              "single": a}[prog["inputs"]]
    go = prog["grad_outputs"]

    def mk_go(o):
        return {"none": lambda: None, "ones": lambda: L.ones(o.shape),
                "wrong_shape": lambda: L.ones(5), "scalar": lambda: L.tensor(2.0),
                "int": lambda: L.ones(o.shape, dtype=L.int64),
                "f64": lambda: L.ones(o.shape, dtype=L.float64)}[go]()

    if isinstance(outs, list):
        gos = None if go == "none" else [mk_go(o) for o in outs]
    else:
        gos = mk_go(outs)
    res = []
    try:
        if prog["api"] == "grad":
            kw = {}
            for k in ("retain_graph", "create_graph", "allow_unused", "materialize_grads"):
                if prog[k] is not None: kw[k] = prog[k]
            r = L.autograd.grad(outs, inputs, grad_outputs=gos, **kw)
            res.append(("grads", [_values(x) for x in r],
                        [None if x is None else (x.requires_grad, x.grad_fn is not None)
                         for x in r]))
            if prog["again"]:
                r = L.autograd.grad(outs, inputs, grad_outputs=gos, allow_unused=True)
                res.append(("again", [_values(x) for x in r]))
        else:
            kw = {}
            for k in ("retain_graph", "create_graph"):
                if prog[k] is not None: kw[k] = prog[k]
            if prog["inputs_kw"]:
                kw["inputs"] = inputs
            if isinstance(outs, list):
                L.autograd.backward(outs, grad_tensors=gos, **kw)
            else:
                outs.backward(gos, **kw)
            res.append(("grads", _values(a.grad), _values(b.grad), _values(c.grad),
                        _values(u.grad), None if a.grad is None else a.grad.requires_grad))
            if prog["again"]:
                (outs[0] if isinstance(outs, list) else outs).sum().backward()
                res.append(("again", _values(a.grad)))
    except Exception as e:
        res.append(("raise", type(e).__name__, str(e).split("\n")[0].split(" Fix:")[0][:150]))
    return res


def _program(rng):
    pick = lambda *xs: xs[int(rng.integers(0, len(xs)))]  # noqa: E731
    return dict(seed=int(rng.integers(0, 1000)), c_rg=bool(rng.random() < 0.5),
                out=pick("scalar", "vector", "matrix", "two"),
                inputs=pick("a", "ab", "abu", "c", "h", "b_tuple", "single"),
                grad_outputs=pick("none", "none", "ones", "wrong_shape", "scalar", "int", "f64"),
                api=pick("grad", "backward"), retain_graph=pick(None, True, False),
                create_graph=pick(None, True, False), allow_unused=pick(None, True, False),
                materialize_grads=pick(None, True, False), inputs_kw=bool(rng.random() < 0.4),
                again=bool(rng.random() < 0.3))


@requires_torch
def test_grad_and_backward_arguments_sweep_as_torch():
    rng = np.random.default_rng(20261129)
    diffs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(600):
            prog = _program(rng)
            z, t = run(zerograd, prog), run(torch, prog)
            if z != t:
                diffs.append((prog, z, t))
    assert not diffs, f"{len(diffs)} of 600 differ; first: {diffs[0]}"


@requires_torch
def test_inputs_as_a_dict_and_empty_inputs_as_torch():
    """torch 2.13: `inputs` may be a dict (grad returns a dict with its keys); empty is an error."""
    import types

    def run(L):
        out = []
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = L.tensor([3.0], requires_grad=True)
        r = L.autograd.grad((x * y).sum(), {"a": x, "b": y})
        out.append({k: v.tolist() for k, v in r.items()})
        (x * y).sum().backward(inputs={"a": x})
        out.append((x.grad.tolist(), y.grad))
        for f in (lambda: L.autograd.grad((x * 1).sum(), []),
                  lambda: L.autograd.grad(x * 1, []),
                  lambda: (x * 1).sum().backward(inputs=[]),
                  lambda: (x * 1).sum().backward(inputs={}),
                  lambda: L.autograd.grad((x * 1).sum(), types.MappingProxyType({"a": x}))):
            try:
                f()
                out.append("ok")
            except (RuntimeError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
        return out
    assert run(zerograd) == run(torch)
