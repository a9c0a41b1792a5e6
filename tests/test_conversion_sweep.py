"""Dtype conversions against PyTorch: a seeded sweep of .to(dtype / tensor / device+dtype /
keywords), .float()/.long()/... methods, .type() with dtypes, legacy types and their names, and
backward through a conversion - values (NaN, infinities and out-of-range numbers into integer
types too), dtypes, requires_grad, grad_fn names and identity (`x.to(x.dtype) is x`); then the
legacy tensor types themselves (torch.FloatTensor(...), isinstance)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
          "bool"]
FLOATS = ("float32", "float64", "float16", "bfloat16")
VALUES = [0.0, 1.0, -1.0, 2.5, -2.5, 0.5, -0.5, 1e10, -1e10, 300.0, -300.0, 65504.0, 70000.0,
          1e-8, float("nan"), float("inf"), float("-inf"), 127.0, 128.0, 255.0, 256.0, -129.0,
          3.7, -3.7]
LEGACY = ["torch.FloatTensor", "torch.DoubleTensor", "torch.LongTensor", "torch.IntTensor",
          "torch.HalfTensor", "torch.BoolTensor", "torch.ByteTensor", "torch.CharTensor",
          "torch.ShortTensor", "torch.BFloat16Tensor", "torch.Tensor", "float", "torch.float32",
          "FloatTensor"]
METHODS = ["float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte", "bool",
           "cpu", "clone", "contiguous"]
HOWS = ["to", "to_same_is", "to_copy", "to_tensor", "to_dev_dt", "to_kw", "method", "type_str",
        "type_legacy", "type_none", "type_dt", "backward"]


def _describe(L, r):
    if isinstance(r, L.Tensor):
        d = r.detach()
        vals = d.tolist() if d.dtype == L.bool else d.to(L.float64).tolist()
        vals = ["nan" if v != v else v for v in (vals if isinstance(vals, list) else [vals])]
        return ("T", str(r.dtype), tuple(r.shape), vals, r.requires_grad,
                None if r.grad_fn is None else r.grad_fn.name(), r.is_leaf)
    return ("V", repr(r))


def _run(L, case):
    src, vals, how, arg, rg = case
    x = L.tensor(vals, dtype=getattr(L, src), requires_grad=rg)
    try:
        if how == "to":
            r = x.to(getattr(L, arg))
        elif how == "to_same_is":
            r = x.to(x.dtype) is x
        elif how == "to_copy":
            r = x.to(x.dtype, copy=True) is x
        elif how == "to_tensor":
            r = x.to(L.zeros(1, dtype=getattr(L, arg)))
        elif how == "to_dev_dt":
            r = x.to("cpu", getattr(L, arg))
        elif how == "to_kw":
            r = x.to(dtype=getattr(L, arg), non_blocking=True)
        elif how == "method":
            r = getattr(x, arg)()
        elif how == "type_str":
            r = x.type(arg)
        elif how == "type_legacy":
            r = x.type(getattr(L, arg.split(".")[-1]))
        elif how == "type_none":
            r = x.type()
        elif how == "type_dt":
            r = x.type(getattr(L, arg))
        else:
            y = x.to(getattr(L, arg))
            if y.dtype.is_floating_point and y.requires_grad:
                y.sum().backward()
            r = x.grad
        return _describe(L, r)
    except (RuntimeError, TypeError, ValueError) as e:
        return ("raise", type(e).__name__, str(e))


def _cases(seed, n):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        src = str(rng.choice(DTYPES))
        k = int(rng.integers(0, 4))
        if src == "bool":
            vals = [bool(v) for v in rng.choice(VALUES, k)]
        elif src in FLOATS:
            vals = [float(v) for v in rng.choice(VALUES, k)]
        else:
            lo, hi = {"uint8": (0, 256), "int8": (-128, 128)}.get(src, (-200, 300))
            vals = [int(v) for v in rng.integers(lo, hi, k)]
        how = str(rng.choice(HOWS))
        arg = {"method": lambda: str(rng.choice(METHODS)),
               "type_str": lambda: str(rng.choice(LEGACY)),
               "type_legacy": lambda: str(rng.choice(LEGACY[:10]))}.get(
            how, lambda: str(rng.choice(DTYPES)))()
        rg = bool(rng.random() < 0.4) and src in FLOATS
        out.append((src, vals, how, arg, rg))
    return out


@requires_torch
def test_conversions_sweep_as_torch():
    diffs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in _cases(20261129, 1500):
            z, t = _run(zerograd, case), _run(torch, case)
            if z != t:
                diffs.append((case, z, t))
    assert not diffs, f"{len(diffs)} of 1500 differ; first: {diffs[:3]}"


@requires_torch
@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor",
                                  "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
                                  "ByteTensor", "BoolTensor"])
def test_legacy_tensor_types_as_torch(name):
    def run(L):
        T = getattr(L, name)
        out = [repr(T), str(T.dtype), T.is_cuda, issubclass(T, L.Tensor)]
        for args in [([1, 0, 2],), ([[1.7, -2.0]],), ([[1.7, 2.0]],), (2, 3), (),
                     (L.ones(2, dtype=T.dtype),)]:
            try:
                t = T(*args)
            except RuntimeError as e:
                out.append(str(e))
                continue
            out.append((str(t.dtype), tuple(t.shape), t.tolist() if t.numel() and args and
                        not all(type(a) is int for a in args) else None, type(t) is L.Tensor))
        for probe in [L.ones(2), L.ones(2, dtype=L.int64), L.ones(1, dtype=T.dtype)]:
            out.append(isinstance(probe, T))
        for bad in [("a",), (L.ones(2, dtype=L.int8 if T.dtype != L.int8 else L.int16),)]:
            try:
                T(*bad)
                out.append("no error")
            except TypeError:
                out.append("TypeError")
        return out
    assert run(zerograd) == run(torch)


@requires_torch
def test_devices_compare_and_to_copies_as_torch():
    """A device's index counts (device('cpu:0') != device('cpu')), a string is not a device, and
    to() an indexed device - or copy=True - copies through ToCopyBackward0, keeping the layout."""
    def run(L):
        x = L.ones(2, 3, requires_grad=True).t()
        out = []
        for a in ("cpu", "cpu:0", L.device("cpu"), L.device("cpu", 0), None):
            for kw in ({}, {"copy": True}, {"dtype": L.float64}):
                y = x.to(a, **kw) if a is not None else x.to(**kw)
                out.append((y is x, str(y.device), str(y.dtype), y.stride(),
                            None if y.grad_fn is None else y.grad_fn.name()))
        d0, d = L.device("cpu:0"), L.device("cpu")
        out += [d0 == d, d0 == L.device("cpu", 0), d == "cpu", d != "cpu", x.device == d,
                len({d, d0, L.device("cpu")}), repr(d0), str(d0)]
        return out
    assert run(zerograd) == run(torch)
