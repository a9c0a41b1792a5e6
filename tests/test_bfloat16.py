"""bfloat16 against torch (session 16's probe).  zerograd keeps bfloat16 as ml_dtypes' type,
whose NumPy `dtype.kind` is 'V', not 'f': checks written for floats skipped it (isnan was all
False, a bfloat16 average was divided as integers), NumPy's bfloat16 loops add in bfloat16 (a
sum of 1,000 × 0.01 was 4) and its comparisons do not sort NaN last.  Each case runs in both
libraries on the same bfloat16 values: result dtype and values bit for bit, and the gradient
of (y.float() * w).sum() where the op is differentiable."""
import math

import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch

NAN, INF = math.nan, math.inf


def _b(L, values):
    return L.tensor(values).to(L.bfloat16)


CASES = {
    # predicates
    "isnan": lambda L: L.isnan(_b(L, [NAN, INF, 1.0, -INF])),
    "isinf": lambda L: L.isinf(_b(L, [NAN, INF, 1.0, -INF])),
    "isfinite": lambda L: L.isfinite(_b(L, [NAN, INF, 1.0, -INF])),
    "isneginf": lambda L: L.isneginf(_b(L, [NAN, INF, 1.0, -INF])),
    "isposinf": lambda L: L.isposinf(_b(L, [NAN, INF, 1.0, -INF])),
    # reductions accumulate in float32
    "sum": lambda L: L.full((1000,), 0.01, dtype=L.bfloat16).sum(),
    "mean": lambda L: L.full((1000,), 0.01, dtype=L.bfloat16).mean(),
    "sum dim": lambda L: L.full((4, 300), 0.01, dtype=L.bfloat16).sum(1),
    "mean dim": lambda L: L.full((4, 300), 0.01, dtype=L.bfloat16).mean(1),
    "nansum": lambda L: L.nansum(L.full((1000,), 0.01, dtype=L.bfloat16)),
    # sorting: NaN last
    "sort": lambda L: L.sort(_b(L, [1.0, NAN, -0.0, -INF, 3.0])).values,
    "argsort": lambda L: L.argsort(_b(L, [1.0, NAN, -0.0, -INF, 3.0])),
    "sort descending": lambda L: L.sort(_b(L, [1.0, NAN, 2.0, -INF]), descending=True).values,
    "topk": lambda L: _b(L, [1.0, NAN, 3.0, 2.0]).topk(2).values,
    "kthvalue": lambda L: _b(L, [1.0, NAN, 3.0, 2.0]).kthvalue(2).values,
    "median": lambda L: _b(L, [1.0, 2.0, NAN]).median(),
    "nanmedian": lambda L: L.nanmedian(_b(L, [1.0, NAN, 3.0])),
    "median dim": lambda L: _b(L, [[1.0, NAN, 3.0], [4.0, 2.0, 0.5]]).median(1).values,
    "median empty": lambda L: L.zeros(0, dtype=L.bfloat16).median(),
    "unique": lambda L: L.unique(_b(L, [2.0, NAN, 1.0, NAN, 1.0, 2.0]), return_counts=True)[1],
    "isin": lambda L: L.isin(_b(L, [1.0, NAN, 2.0]), _b(L, [NAN, 2.0])),
    # nan through max pools
    "max_pool1d nan": lambda L: L.nn.functional.max_pool1d(_b(L, [[[1.0, NAN, 3.0, 0.0]]]), 2),
    "adaptive_max_pool1d nan": lambda L: L.nn.functional.adaptive_max_pool1d(
        _b(L, [[[1.0, NAN, 3.0, 0.0]]]), 2),
    # sign of nan and -0
    "sign": lambda L: L.sign(_b(L, [NAN, -0.0, 2.0, -3.0])),
    "sgn": lambda L: L.sgn(_b(L, [NAN, -0.0, 2.0, -3.0])),
    # scatter_reduce
    "scatter_reduce mean": lambda L: L.zeros(2, dtype=L.bfloat16).scatter_reduce(
        0, L.tensor([0, 0, 0, 1]), _b(L, [1.0, 2.0, 4.0, 5.0]), reduce="mean"),
    "scatter_reduce amax without self": lambda L: L.zeros(2, dtype=L.bfloat16).scatter_reduce(
        0, L.tensor([0, 1]), L.ones(2, dtype=L.bfloat16), "amax", include_self=False),
    # ops that refused bfloat16
    "dist": lambda L: L.dist(_b(L, [1.0, -2.0, 3.5]), _b(L, [0.0, 1.0, 1.0])),
    "renorm": lambda L: _b(L, [[1.0, -2.0], [3.5, 0.25]]).renorm(2, 0, 1.0),
    "frexp mantissa": lambda L: L.frexp(_b(L, [1.0, -2.0, 3.5]))[0],
    "frexp exponent": lambda L: L.frexp(_b(L, [1.0, -2.0, 3.5]))[1],
    "histc": lambda L: L.histc(_b(L, [1.0, -2.0, 3.5, 0.25]), 4),
    "cov aweights": lambda L: L.cov(_b(L, [[1.0, -2.0, 3.5], [0.25, 4.0, -1.0]]),
                                    aweights=_b(L, [1.0, 2.0, 3.0])),
    "ldexp": lambda L: L.ldexp(_b(L, [1.0, -2.0, 3.5]), L.tensor([1, 2, 3])),
    "matrix_norm": lambda L: L.linalg.matrix_norm(_b(L, [[1.0, -2.0], [3.5, 0.25]])),
    "matrix_norm 1": lambda L: L.linalg.matrix_norm(_b(L, [[1.0, -2.0], [3.5, 0.25]]), 1),
    "matrix_norm nuc": lambda L: L.linalg.matrix_norm(_b(L, [[1.0, -2.0], [3.5, 0.25]]), "nuc"),
    "cdist": lambda L: L.cdist(_b(L, [[1.0, 2.0]]), _b(L, [[0.0, 1.0]])),
    "addmv": lambda L: L.addmv(_b(L, [0.5, 0.25]), _b(L, [[1.0, 2.0], [3.0, 4.0]]),
                               _b(L, [1.0, -1.0]), beta=0.5, alpha=2),
}


def _outcome(L, f):
    try:
        r = f(L)
    except (RuntimeError, NotImplementedError) as e:
        return type(e).__name__, str(e)
    return str(r.dtype), r.float().tolist() if r.dtype == L.bfloat16 else r.tolist()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bfloat16_as_torch(name):
    z, t = _outcome(zerograd, CASES[name]), _outcome(torch, CASES[name])
    assert repr(z) == repr(t)       # (repr: nan == nan)


GRADS = {
    "abs at nan and -0": (lambda L, x: x.abs(), [NAN, -0.0, 2.0, -3.0]),
    "median": (lambda L, x: x.median(), [1.0, 2.0, NAN]),
    "nanmedian": (lambda L, x: L.nanmedian(x), [1.0, NAN, 3.0, 2.0, 5.0]),
    "atan2 at (0, 0)": (lambda L, x: L.atan2(x, x), [0.0, 1.0]),
    "fmax with nan": (lambda L, x: L.fmax(x, _b(L, [NAN, 0.0, 5.0])), [1.0, NAN, 3.0]),
    "addmv": (lambda L, x: L.addmv(x[:2], x.reshape(2, 2), x[2:]), [0.5, 0.25, 1.0, -1.0]),
    "sort": (lambda L, x: L.sort(x).values, [1.0, NAN, -0.0, 3.0]),
    "max_pool1d": (lambda L, x: L.nn.functional.max_pool1d(x.reshape(1, 1, -1), 2),
                   [1.0, NAN, 3.0, 0.0]),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_bfloat16_gradients_as_torch(name):
    f, values = GRADS[name]

    def run(L):
        x = _b(L, values).requires_grad_()
        y = f(L, x)
        w = L.arange(1, y.numel() + 1, dtype=L.float32).reshape(tuple(y.shape))
        (y.float() * w).sum().backward()
        return str(y.dtype), repr(y.float().tolist()), str(x.grad.dtype), repr(x.grad.float().tolist())
    assert run(zerograd) == run(torch)


@pytest.mark.parametrize("kw", [dict(momentum=0.9, weight_decay=0.01), dict(weight_decay=0.1),
                                dict(momentum=0.9, weight_decay=0.01, nesterov=True)])
def test_sgd_with_weight_decay_keeps_bfloat16(kw):
    """The decayed gradient was float32 (NumPy: bfloat16 × a Python float), and so was the
    momentum buffer; the parameters drifted from torch's by 15 ulp in 5 steps."""
    out = []
    for L in (zerograd, torch):
        p = L.nn.Parameter(L.linspace(-1, 1, 7).to(L.bfloat16))
        opt = L.optim.SGD([p], lr=0.1, **kw)
        for i in range(5):
            p.grad = (L.linspace(-2, 3, 7) * (i + 1) / 3).to(L.bfloat16)
            opt.step()
        buf = opt.state[p].get("momentum_buffer")
        out.append((str(p.dtype), None if buf is None else str(buf.dtype),
                    p.detach().float().numpy()))
    assert out[0][:2] == out[1][:2]
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=2 ** -6, atol=2 ** -6)   # (2 ulp of 1)


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
@pytest.mark.parametrize("size", [(3, 4), (1, 1), (5, 2), (7, 9)])
def test_adaptive_avg_pool_keeps_nan_and_inf_in_their_windows(dtype, size):
    """The pool was two matrix products, which multiplied a nan or ±inf by the zeros of every
    other window: the whole plane came out nan (float32 too)."""
    a = np.random.default_rng(0).standard_normal((2, 3, 7, 9))
    a[0, 1, 2, 3], a[1, 2, 5, 0], a[1, 0, 6, 8] = NAN, INF, -INF
    out = []
    for L in (zerograd, torch):
        x = L.tensor(a).to(getattr(L, dtype)).requires_grad_()
        y = L.nn.functional.adaptive_avg_pool2d(x, size)
        g = L.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape))).to(y.dtype)
        g[0, 0, 0, 0] = NAN                                      # a non-finite gradient too
        y.backward(g)
        out.append((y.float().detach().numpy(), x.grad.float().numpy()))
    (zy, zg), (ty, tg) = out
    tol = {"float32": 1e-6, "float64": 1e-12, "bfloat16": 2 ** -7}[dtype]
    np.testing.assert_allclose(zy, ty, rtol=tol, atol=tol)      # (nan and inf where torch's are)
    np.testing.assert_allclose(zg, tg, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_sinc_as_torch(dtype):
    """sinc of a half type is computed in float32 and rounded once (π rounded to the half type
    made sinc(1) 3e-4 instead of -3e-8); its backward runs op by op in the half type, with each
    product by π formed in float32, as torch's."""
    vals = [0.0, 1.0, 0.5, -2.0, 1e-3, 3.3, 100.25, 7.77, -0.3, 12.5, NAN, INF]

    def run(L):
        x = L.tensor(vals).to(getattr(L, dtype)).requires_grad_()
        y = L.sinc(x)
        y.float().sum().backward()
        return repr(y.float().tolist()), repr(x.grad.float().tolist()), str(y.dtype)
    assert run(zerograd) == run(torch)
