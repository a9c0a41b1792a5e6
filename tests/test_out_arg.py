"""torch's `out=` argument of the top-level functions, against PyTorch (session 15).

Each case runs the same expression in both libraries with `O` an out tensor made the same way,
and compares: what is returned (out itself, or a return_types `<name>_out` of the outs), the
values, dtype and shape written into out, its version bump, warnings and errors.
"""
import warnings

import numpy as np
import pytest

import zerograd
from zerograd.ops import out as _out

from ._oracle import requires_torch, torch

pytestmark = requires_torch

UNARY = ("abs absolute neg negative exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square sin cos "
         "tan asin acos atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh arcsinh arccosh "
         "arctanh sigmoid floor ceil round trunc fix frac sign sgn reciprocal erf erfc erfinv "
         "lgamma digamma logit nan_to_num deg2rad rad2deg sinc").split()
BINARY = ("add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow "
          "atan2 arctan2 hypot maximum minimum fmax fmin copysign xlogy logaddexp logaddexp2").split()
COMPARE = ("eq ne lt le gt ge greater less greater_equal less_equal not_equal logical_and "
           "logical_or logical_xor").split()

# (expression, out dtype): O is the out tensor (empty(0) of that dtype, unless the case says)
CASES = ([(f"torch.{n}(f * 0.5, out=O)", "float32") for n in UNARY] +
         [(f"torch.{n}(f, g, out=O)", "float32") for n in BINARY] +
         [(f"torch.{n}(f, g, out=O)", "bool") for n in COMPARE] +
         [(f"torch.{n}(i, i + 1, out=O)", "int64") for n in
          ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "add", "mul")] + [
    ("torch.bitwise_not(i, out=O)", "int64"), ("torch.logical_not(f, out=O)", "float32"),
    ("torch.signbit(f - 1, out=O)", "bool"), ("torch.isposinf(f, out=O)", "bool"),
    ("torch.isneginf(f, out=O)", "bool"), ("torch.float_power(f, 2, out=O)", "float64"),
    ("torch.heaviside(f - 1, g, out=O)", "float32"), ("torch.ldexp(f, i, out=O)", "float32"),
    ("torch.clamp(f, 0.8, 1.2, out=O)", "float32"), ("torch.clip(f, max=1.0, out=O)", "float32"),
    ("torch.lerp(f, g, 0.25, out=O)", "float32"), ("torch.addcmul(f, f, g, value=2, out=O)", "float32"),
    ("torch.addcdiv(f, f, g, out=O)", "float32"), ("torch.polygamma(1, f, out=O)", "float32"),
    ("torch.pow(2, f, out=O)", "float32"), ("torch.prod(f, out=O)", "float32"),
    ("torch.median(f, out=O)", "float32"),
    ("torch.add(f, g, alpha=3, out=O)", "float32"), ("torch.div(f, g, rounding_mode='floor', out=O)", "float32"),
    ("torch.add(i, 2, out=O)", "float32"), ("torch.eq(f, g, out=O)", "float32"),
    ("torch.add(f.double(), 1, out=O)", "float32"), ("torch.add(i, 1, out=O)", "int32"),
    ("torch.sum(f, 0, out=O)", "float32"), ("torch.sum(f, out=O)", "float64"),
    ("torch.mean(f, 1, keepdim=True, out=O)", "float32"), ("torch.prod(f, 0, out=O)", "float32"),
    ("torch.amax(f, 0, out=O)", "float32"), ("torch.amin(f, (0, 1), out=O)", "float32"),
    ("torch.logsumexp(f, 1, out=O)", "float32"), ("torch.cumsum(f, 1, out=O)", "float32"),
    ("torch.cumprod(f, 0, out=O)", "float32"), ("torch.logcumsumexp(f, 1, out=O)", "float32"),
    ("torch.std(f, 0, out=O)", "float32"), ("torch.var(f, 1, out=O)", "float32"),
    ("torch.norm(f, dim=0, out=O)", "float32"), ("torch.nansum(f, 0, out=O)", "float32"),
    ("torch.nanmean(f, 1, out=O)", "float32"), ("torch.all(b, 0, out=O)", "bool"),
    ("torch.any(b, 1, out=O)", "bool"), ("torch.argmax(f, 0, out=O)", "int64"),
    ("torch.argmin(f, 1, out=O)", "int64"), ("torch.quantile(v, 0.5, out=O)", "float32"),
    ("torch.histc(v, bins=4, out=O)", "float32"), ("torch.renorm(f, 2, 0, 1.0, out=O)", "float32"),
    ("torch.diff(f, out=O)", "float32"),
    ("torch.cat([f, g], out=O)", "float32"), ("torch.concat([f, g], 1, out=O)", "float32"),
    ("torch.concatenate([f, g], out=O)", "float32"), ("torch.stack([f, g], out=O)", "float32"),
    ("torch.hstack([f, g], out=O)", "float32"), ("torch.vstack([f, g], out=O)", "float32"),
    ("torch.dstack([f, g], out=O)", "float32"), ("torch.column_stack([f, g], out=O)", "float32"),
    ("torch.row_stack([f, g], out=O)", "float32"),
    ("torch.gather(f, 1, torch.tensor([[0], [2]]), out=O)", "float32"),
    ("torch.index_select(f, 1, torch.tensor([2, 0]), out=O)", "float32"),
    ("torch.masked_select(f, b, out=O)", "float32"), ("torch.take(f, torch.tensor([5, 0]), out=O)", "float32"),
    ("torch.take_along_dim(f, torch.tensor([[0], [1]]), 1, out=O)", "float32"),
    ("torch.nonzero(b, out=O)", "int64"), ("torch.tril(f, out=O)", "float32"),
    ("torch.triu(f, 1, out=O)", "float32"), ("torch.diag(v, out=O)", "float32"),
    ("torch.where(b, f, g, out=O)", "float32"), ("torch.softmax(f, 1, out=O)", "float32"),
    ("torch.log_softmax(f, 0, out=O)", "float32"),
    ("torch.searchsorted(torch.tensor([0.5, 1.0, 1.3]), f, out=O)", "int64"),
    ("torch.bucketize(f, torch.tensor([0.5, 1.0, 1.3]), out=O)", "int64"),
    ("torch.narrow_copy(f, 1, 1, 2, out=O)", "float32"), ("torch.cross(m3, m3.flip(0), dim=1, out=O)", "float32"),
    ("torch.kron(f, g, out=O)", "float32"), ("torch.tensordot(f, m3, dims=1, out=O)", "float32"),
    ("torch.matmul(f, m3, out=O)", "float32"), ("torch.mm(f, m3, out=O)", "float32"),
    ("torch.bmm(f[None], m3[None], out=O)", "float32"), ("torch.mv(f, v, out=O)", "float32"),
    ("torch.dot(v, v, out=O)", "float32"), ("torch.addmm(f, f, m3, beta=0.5, out=O)", "float32"),
    ("torch.addmv(v[:2], f, v, out=O)", "float32"), ("torch.baddbmm(f[None], f[None], m3[None], out=O)", "float32"),
    ("torch.addbmm(f, f[None], m3[None], out=O)", "float32"), ("torch.outer(v, v, out=O)", "float32"),
    ("torch.ger(v, v, out=O)", "float32"), ("torch.inner(v, v, out=O)", "float32"),
    ("torch.vdot(v, v, out=O)", "float32"), ("torch.addr(m3, v, v, out=O)", "float32"),
    ("torch.chain_matmul(m3, m3, out=O)", "float32"),
])

PAIR_CASES = [
    "torch.max(f, 1, out=O)", "torch.min(f, 0, keepdim=True, out=O)", "torch.sort(f, out=O)",
    "torch.sort(f, 0, descending=True, out=O)", "torch.topk(f, 2, out=O)",
    "torch.kthvalue(f, 2, out=O)", "torch.median(f, 1, out=O)", "torch.nanmedian(f, 0, out=O)",
    "torch.mode(f, 1, out=O)", "torch.cummax(f, 1, out=O)", "torch.cummin(f, 0, out=O)",
]


def _env(L):
    f = L.tensor([[0.7, 1.2, 0.6], [1.4, 0.9, 1.1]])
    g = L.tensor([[1.3, 0.8, 1.0], [0.6, 1.5, 0.75]])
    m3 = L.tensor([[0.5, 0.1, 0.2], [0.3, 0.9, 0.4], [0.8, 0.6, 0.7]])
    return dict(torch=L, f=f, g=g, m3=m3, i=L.tensor([[1, 2, 3], [4, 5, 6]]), b=f > 1.0,
                v=L.tensor([0.3, 0.9, 0.5]))


def _run(L, expr, O):
    env = _env(L)
    env["O"] = O
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = eval(expr, env)
        except Exception as e:          # noqa: BLE001 - compared with torch's
            return ("error", type(e).__name__, str(e).split("\n")[0][:60]), []
    return r, [str(x.message)[:60] for x in w if "out" in str(x.message) or "resized" in str(x.message)]


def _vals(t):
    return (str(t.dtype).replace("zerograd", "torch"), tuple(t.shape), t.tolist())


@pytest.mark.parametrize("expr,dtype", CASES, ids=[c[0][6:50] for c in CASES])
def test_out_as_torch(expr, dtype):
    outs = {}
    for L in (torch, zerograd):
        O = L.empty(0, dtype=getattr(L, dtype))
        v0 = O._version
        r, w = _run(L, expr, O)
        if isinstance(r, tuple) and r and r[0] == "error":
            outs[L.__name__] = r
            continue
        assert r is O, expr
        assert O._version > v0 or L is torch      # (torch's kron and a few others do not bump)
        outs[L.__name__] = (_vals(O), w)
    t, z = outs["torch"], outs["zerograd"]
    if t[0] == "error" or z[0] == "error":
        assert z[:2] == t[:2], (z, t)
        return
    (tdt, tsh, tv), (zdt, zsh, zv) = t[0], z[0]
    assert (zdt, zsh) == (tdt, tsh)
    np.testing.assert_allclose(np.array(zv, dtype=float), np.array(tv, dtype=float), rtol=2e-6,
                               atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("expr", PAIR_CASES)
def test_out_pairs_as_torch(expr):
    res = {}
    for L in (torch, zerograd):
        O = (L.empty(0), L.empty(0, dtype=L.int64))
        r, _ = _run(L, expr, O)
        assert type(r).__name__.endswith("_out") and r[0] is O[0] and r[1] is O[1]
        res[L.__name__] = (type(r).__name__, _vals(O[0]), _vals(O[1]))
    assert res["zerograd"] == res["torch"]


def test_out_same_shape_writes_in_place_and_keeps_views():
    for L in (torch, zerograd):
        base = L.zeros(2, 4)
        O = base[:, 1:]                     # a view of the right shape: written through
        r = L.add(_env(L)["f"], 1, out=O)
        assert r is O
        np.testing.assert_allclose(base[:, 0].tolist(), [0.0, 0.0])
        np.testing.assert_allclose(base[:, 1].tolist(), [1.7, 2.4], rtol=1e-6)


def test_out_aliasing_an_input():
    for L in (torch, zerograd):
        x = L.tensor([1.0, 2.0])
        assert L.mul(x, x, out=x) is x and x.tolist() == [1.0, 4.0]


@pytest.mark.parametrize("expr,dtype", [
    ("torch.add(f, 1, out=O)", "int64"), ("torch.exp(f, out=O)", "bool"),
    ("torch.add(i, 1, out=O)", "bool"), ("torch.mean(f, 0, out=O)", "int64"),
    ("torch.mm(f, m3, out=O)", "float64"), ("torch.matmul(f, m3, out=O)", "float64"),
    ("torch.bmm(f[None], m3[None], out=O)", "float64"),
])
def test_out_dtype_errors_as_torch(expr, dtype):
    got = []
    for L in (torch, zerograd):
        r, _ = _run(L, expr, L.empty(2, 3, dtype=getattr(L, dtype)))
        got.append(r)
    assert got[0][0] == "error" and got[1] == got[0]


def test_out_resize_warns_when_out_held_elements():
    for L in (torch, zerograd):
        O = L.empty(5)
        r, w = _run(L, "torch.add(f, 1, out=O)", O)
        assert tuple(O.shape) == (2, 3) and len(w) == 1 and w[0].startswith("An output with one")
        r, w = _run(L, "torch.add(f, 1, out=O)", L.empty(0))
        assert w == []


def test_out_refuses_autograd():
    for L in (torch, zerograd):
        x = L.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"add\(\): functions with out=\.\.\. arguments "
                                               r"don't support automatic differentiation"):
            L.add(x, 1, out=L.empty(2))
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            L.add(L.ones(2), 1, out=L.empty(2, requires_grad=True))
        with L.no_grad():
            O = L.empty(2)
            assert L.add(x, 1, out=O) is O and O.tolist() == [2.0, 2.0]
            assert not O.requires_grad


def test_out_into_an_expanded_tensor_is_refused():
    for L in (torch, zerograd):
        O = L.zeros(3).expand(2, 3)
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            L.add(_env(L)["f"], 1, out=O)


def test_functions_without_out_in_torch_stay_without_it():
    for name in ("relu", "isnan", "flip", "einsum", "trace", "count_nonzero"):
        fn = getattr(zerograd, name)
        assert not getattr(fn, "_zerograd_out", False), name
    missing = set(_out.OUT_FUNCTIONS) - set(dir(zerograd))
    assert missing == set(), missing
    for name in ("i0", "nextafter", "mvlgamma"):   # (loaded on first use: out= all the same)
        assert getattr(getattr(zerograd, name), "_zerograd_out", False), name
