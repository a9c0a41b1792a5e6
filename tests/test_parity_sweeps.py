"""Seeded random sweeps against torch over the argument space of the reductions: dtypes
(half types included), shapes (empty and 0-d too), dims (int, negative, tuple), keepdim, dtype=,
correction: the result's dtype and shape, its values, or the error type.  (The indexing and
binary-operator sweeps live in test_indexing.py and test_tensor.py.)"""
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
_SHAPES = [(), (3,), (2, 3), (2, 0, 3), (2, 3, 4)]
_NAMES = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "std", "var",
          "norm", "logsumexp", "cumsum", "cumprod", "all", "any", "softmax", "log_softmax"]


def _case(rng):
    name, dt = rng.choice(_NAMES), rng.choice(_DTYPES)
    shape = _SHAPES[rng.integers(len(_SHAPES))]
    nd, kw = len(shape), {}
    how = rng.choice(["none", "int", "tuple", "neg"])
    if nd and how == "int":
        kw["dim"] = int(rng.integers(nd))
    elif nd and how == "neg":
        kw["dim"] = -int(rng.integers(1, nd + 1))
    elif nd and how == "tuple":
        kw["dim"] = tuple(sorted({int(d) for d in rng.integers(0, nd, rng.integers(1, nd + 1))}))
    if "dim" in kw and rng.random() < 0.5:
        kw["keepdim"] = bool(rng.random() < 0.5)
    if name in ("sum", "mean", "prod", "cumsum", "cumprod") and rng.random() < 0.3:
        kw["dtype"] = rng.choice(["float64", "int64", "float32"])
    if name in ("softmax", "log_softmax", "cumsum", "cumprod"):
        kw.pop("keepdim", None)
        if isinstance(kw.get("dim"), tuple):
            kw["dim"] = kw["dim"][0]
    if name in ("std", "var") and rng.random() < 0.4:
        kw["correction"] = int(rng.choice([0, 1, 2]))
    return name, dt, shape, kw


def _run(L, name, dt, shape, kw, seed):
    r = np.random.default_rng(seed)
    base = (r.integers(0, 2, shape) if dt == "bool" else r.integers(-3, 5, shape)
            if dt in ("int32", "int64") else r.integers(0, 5, shape) if dt == "uint8"
            else r.standard_normal(shape))
    k = dict(kw)
    if "dtype" in k:
        k["dtype"] = getattr(L, k["dtype"])
    try:
        out = getattr(L, name)(L.tensor(base.astype(dt)), **k)
    except (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    return [(str(o.dtype).split(".")[-1], tuple(o.shape), o.double().numpy())
            for o in (out if isinstance(out, tuple) else (out,))]


@requires_torch
@pytest.mark.filterwarnings("ignore:.*degrees of freedom")     # (both libraries warn alike)
@pytest.mark.parametrize("seed", range(3))
def test_random_reductions_as_torch(seed):
    rng = np.random.default_rng(100 + seed)
    for trial in range(300):
        name, dt, shape, kw = _case(rng)
        if name in ("softmax", "log_softmax") and "dim" not in kw:
            continue            # (the implicit-dim forms live in nn.functional)
        mine, theirs = (_run(L, name, dt, shape, kw, trial) for L in (zerograd, torch))
        where = (name, dt, shape, kw)
        if isinstance(theirs, str) or isinstance(mine, str):
            assert mine == theirs, where
            continue
        assert [m[:2] for m in mine] == [t[:2] for t in theirs], where
        for (d, _, a), (_, _, b) in zip(mine, theirs):
            half = d in ("float16", "bfloat16")          # one rounding of the float32 result
            np.testing.assert_allclose(a, b, rtol=2e-3 if half else 1e-5,
                                       atol=2e-3 if half else 1e-6, err_msg=str(where))
