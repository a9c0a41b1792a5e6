"""The math functions of zerograd/ops/mathfns.py beyond the op table (tests/test_ops.py runs their
rows): dtype sweeps over every dtype pair and Python numbers, special values (nan, inf, -0.0),
the named tuples, var_mean's two-output node, torch's conventions at non-differentiable points,
second derivatives, in-place variants, error messages, SciPy-free fallbacks, and hypothesis
properties (broadcasting, lerp's exact ends)."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.ops import mathfns

pytestmark = requires_torch

_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]


def _make(L, dt, shape, seed):
    r = np.random.default_rng(seed)
    base = (r.integers(0, 2, shape) if dt == "bool" else r.integers(-3, 5, shape)
            if dt in ("int32", "int64") else r.integers(0, 5, shape) if dt == "uint8"
            else r.standard_normal(shape) * 2)
    return L.tensor(base.astype(dt))


def _outcome(L, f, args):
    """(dtype, shape, values) per output, or the exception's type name."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = f(L, *[a(L) if callable(a) else a for a in args])
    except (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    return [(str(o.dtype).split(".")[-1], tuple(o.shape), o.double().numpy())
            for o in (out if isinstance(out, tuple) else (out,))]


def _assert_same_outcome(z, t, what):
    if isinstance(t, str) or isinstance(z, str):
        assert z == t, f"{what}: zerograd {z if isinstance(z, str) else z[0][:2]}, torch {t}"
        return
    assert len(z) == len(t), what
    for (zd, zs, zv), (td, ts, tv) in zip(z, t):
        assert (zd, zs) == (td, ts), what
        tol = 1e-2 if td == "float16" else 1e-5
        np.testing.assert_allclose(zv, tv, rtol=tol, atol=tol, equal_nan=True, err_msg=what)


# ------------------------------------------------------------------------------------------------
# dtype sweeps
# ------------------------------------------------------------------------------------------------

_BINARY = ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "fmod", "copysign"]


@pytest.mark.parametrize("name", _BINARY)
def test_binary_dtypes_and_numbers_as_torch(name):
    """Every dtype pair (a 0-d operand on either side too) and Python numbers on either side:
    torch's result dtype, values, or error type (hypot/logaddexp have no integer kernel, atan2
    and xlogy compute integers in float, fmod keeps them, number-first has no overload...)."""
    def f(L, a, b):
        return getattr(L, name)(a, b)
    for da, db in itertools.product(_DTYPES, _DTYPES):
        for sa, sb in [((2, 3), (3,)), ((), (2, 3)), ((2, 3), ())]:
            args = [lambda L, d=da, s=sa: _make(L, d, s, 1),
                    lambda L, d=db, s=sb: _make(L, d, s, 2)]
            _assert_same_outcome(_outcome(zerograd, f, args), _outcome(torch, f, args),
                                 f"{name}({da}{list(sa)}, {db}{list(sb)})")
    for dt, c in itertools.product(_DTYPES, [2, 2.5, True, -3, 0, np.float64(1.5)]):
        for args in ([lambda L, d=dt: _make(L, d, (2, 3), 1), c],
                     [c, lambda L, d=dt: _make(L, d, (2, 3), 1)]):
            _assert_same_outcome(_outcome(zerograd, f, args), _outcome(torch, f, args),
                                 f"{name}({dt}, {c!r})")


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "expm1", "exp2", "sinc", "nan_to_num",
                                  "trace", "count_nonzero", "nansum", "nanmean", "aminmax",
                                  "cummax", "cummin", "logcumsumexp", "diff"])
def test_unary_dtypes_as_torch(name):
    def f(L, a):
        fn = getattr(L, name)
        return fn(a, 0) if name in ("cummax", "cummin", "logcumsumexp") else fn(a)
    for dt, shape in itertools.product(_DTYPES, [(), (3,), (2, 3), (0, 3)]):
        args = [lambda L, d=dt, s=shape: _make(L, d, s, 3)]
        _assert_same_outcome(_outcome(zerograd, f, args), _outcome(torch, f, args),
                             f"{name}({dt}{list(shape)})")


@pytest.mark.parametrize("name", ["lerp", "lerp_scalar", "addcmul", "addcmul_half", "addcdiv"])
def test_ternary_dtypes_as_torch(name):
    """lerp wants equal dtypes (a 0-d weight may differ, and then promotes), addcmul truncates a
    float value for an integral result, addcdiv refuses integer division."""
    fns = {"lerp": lambda L, a, b, c: L.lerp(a, b, c),
           "lerp_scalar": lambda L, a, b, c: L.lerp(a, b, 0.7),
           "addcmul": lambda L, a, b, c: L.addcmul(a, b, c, value=2),
           "addcmul_half": lambda L, a, b, c: L.addcmul(a, b, c, value=0.5),
           "addcdiv": lambda L, a, b, c: L.addcdiv(a, b, c, value=-1.5)}
    f = fns[name]
    rng = np.random.default_rng(7)
    for _ in range(120):
        ds = [_DTYPES[i] for i in rng.integers(0, len(_DTYPES), 3)]
        ss = [[(), (3,), (2, 3)][i] for i in rng.integers(0, 3, 3)]
        args = [lambda L, d=d, s=s, k=k: _make(L, d, s, k) for k, (d, s) in enumerate(zip(ds, ss))]
        _assert_same_outcome(_outcome(zerograd, f, args), _outcome(torch, f, args),
                             f"{name}{list(zip(ds, ss))}")


@pytest.mark.parametrize("name", ["addmv", "baddbmm", "addbmm"])
def test_addmv_family_dtypes_and_scalars_as_torch(name):
    """Every dtype (mixed too), broadcast inputs, beta/alpha converted to an integer dtype as
    torch converts them (checked: -1.0 overflows uint8, -1 wraps; fractions truncate), beta = 0
    ignoring the input's values.  (Non-empty operands: see the module's notes on torch's empty
    paths.)"""
    rng = np.random.default_rng(11)
    for _ in range(150):
        same = rng.random() < 0.5
        ds = [_DTYPES[rng.integers(len(_DTYPES))]] * 3 if same else \
            [_DTYPES[i] for i in rng.integers(0, len(_DTYPES), 3)]
        b, m, k, p = (int(v) for v in rng.integers(1, 3, 4))
        c = {"addmv": [(m,), (1,), ()], "baddbmm": [(b, m, p), (m, p), (p,), ()],
             "addbmm": [(m, p), (p,), (), (1, p)]}[name]
        shapes = [c[rng.integers(len(c))]] + ([(m, k), (k,)] if name == "addmv" else
                                              [(b, m, k), (b, k, p)])
        kw = {key: float(rng.choice([0, 0.5, 2, -1])) if rng.random() < 0.7 else
              int(rng.choice([0, 2, -1])) for key in ("beta", "alpha") if rng.random() < 0.5}

        def f(L, x, y, z, kw=kw):
            return getattr(L, name)(x, y, z, **kw)
        args = [lambda L, d=d, s=s, j=j: _make(L, d, s, j)
                for j, (d, s) in enumerate(zip(ds, shapes))]
        _assert_same_outcome(_outcome(zerograd, f, args), _outcome(torch, f, args),
                             f"{name}{list(zip(ds, shapes))} {kw}")


# ------------------------------------------------------------------------------------------------
# special values
# ------------------------------------------------------------------------------------------------

_SPECIAL = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1e-30, -1e-30, 0.5, -0.75, 1.0,
            -1.0, 30.0, -30.0, 800.0, -800.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "expm1", "exp2", "sinc"])
def test_unary_special_values_bit_for_bit_signs(name, dtype):
    x = np.array(_SPECIAL, dtype)
    z = getattr(zerograd, name)(zerograd.tensor(x)).numpy()
    t = getattr(torch, name)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(z, t, rtol=2e-6, atol=0, equal_nan=True)
    assert (np.signbit(z) == np.signbit(t))[~np.isnan(t)].all(), "the sign of zeros and infs"


def test_binary_special_value_pairs_as_torch():
    v = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 2.0, -3.0]
    a, b = np.array(list(itertools.product(v, v))).T
    for name in _BINARY:
        z = getattr(zerograd, name)(zerograd.tensor(a), zerograd.tensor(b)).numpy()
        t = getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy()
        np.testing.assert_allclose(z, t, rtol=1e-12, atol=0, equal_nan=True, err_msg=name)
        finite = ~np.isnan(t)
        assert (np.signbit(z) == np.signbit(t))[finite].all(), name


def test_nan_to_num_values_and_dtypes():
    x = [float("nan"), float("inf"), float("-inf"), -0.0, 2.0]
    for dt in ("float16", "float32", "float64"):
        for kw in ({}, {"nan": 1.5, "posinf": 7, "neginf": -7}, {"posinf": 1e300},
                   {"nan": zerograd.tensor(2.5)}):
            tkw = {k: (torch.tensor(2.5) if isinstance(v, zerograd.Tensor) else v)
                   for k, v in kw.items()}
            z = zerograd.nan_to_num(zerograd.tensor(x, dtype=getattr(zerograd, dt)), **kw)
            t = torch.nan_to_num(torch.tensor(x, dtype=getattr(torch, dt)), **tkw)
            assert str(z.dtype) == str(t.dtype)
            np.testing.assert_array_equal(z.numpy(), t.numpy())
    assert zerograd.nan_to_num(zerograd.tensor([1, 2]), nan=0.5).tolist() == [1, 2]


# ------------------------------------------------------------------------------------------------
# named tuples and multi-output nodes
# ------------------------------------------------------------------------------------------------

def test_named_tuples_as_torch():
    x = [[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]]
    for name, call, fields in [("aminmax", lambda L, a: L.aminmax(a, dim=1), ("min", "max")),
                               ("cummax", lambda L, a: L.cummax(a, 1), ("values", "indices")),
                               ("cummin", lambda L, a: a.cummin(0), ("values", "indices"))]:
        z, t = call(zerograd, zerograd.tensor(x)), call(torch, torch.tensor(x))
        assert type(z).__name__ == type(t).__name__ == name
        assert z._fields == fields and isinstance(z, tuple) and len(z) == 2
        for f in fields:
            assert getattr(z, f).tolist() == getattr(t, f).tolist()
        first, second = z
        assert first is z[0] is getattr(z, fields[0]) and second is z[1]
        assert repr(z).startswith(f"torch.return_types.{name}(\n{fields[0]}=tensor(")
        assert repr(z) == repr(t)


def test_var_mean_is_a_plain_tuple_of_one_node():
    for L in (zerograd, torch):
        x = L.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], requires_grad=True)
        v, m = out = L.var_mean(x, 1)
        assert type(out) is tuple
        assert v.grad_fn is m.grad_fn and v.grad_fn.name() == "VarMeanBackward0"
        s, m2 = L.std_mean(x, 0)
        assert s.grad_fn is m2.grad_fn and s.grad_fn.name() == "StdMeanBackward0"


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
@pytest.mark.parametrize("use", ["first", "second", "both"])
def test_var_mean_gradients_through_either_output(fn, use):
    grads = []
    for L in (zerograd, torch):
        x = L.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], dtype=L.float64, requires_grad=True)
        a, b = getattr(L, fn)(x, 1, keepdim=True, correction=0)
        loss = {"first": a.sum(), "second": (b * 3).sum(), "both": (a * b).sum()}[use]
        grads.append(L.autograd.grad(loss, x)[0].numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-15)


def test_cummax_gradient_follows_ties_and_nans_as_torch():
    for x in ([1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [3.0, float("nan"), 1.0, float("nan"), 4.0],
              [float("nan"), float("nan"), 1.0]):
        for name in ("cummax", "cummin"):
            grads = []
            for L in (zerograd, torch):
                t = L.tensor(x, requires_grad=True)
                vals = getattr(L, name)(t, 0).values
                w = L.arange(1, len(x) + 1, dtype=L.float32)
                grads.append(L.autograd.grad((vals * w).nansum(), t)[0].tolist())
            assert grads[0] == grads[1], (name, x)


def test_aminmax_ties_share_the_gradient_as_torch():
    grads = []
    for L in (zerograd, torch):
        x = L.tensor([[2.0, 1.0, 2.0], [1.0, 1.0, 0.5]], requires_grad=True)
        lo, hi = L.aminmax(x)
        lo2, hi2 = L.aminmax(x, dim=1, keepdim=True)
        loss = lo + 2 * hi + (lo2 * L.tensor([[3.0], [5.0]])).sum() + hi2.sum()
        grads.append(L.autograd.grad(loss, x)[0].tolist())
    assert grads[0] == grads[1]


# ------------------------------------------------------------------------------------------------
# torch's conventions at the points where a derivative is not defined
# ------------------------------------------------------------------------------------------------

_KINKS = {
    "copysign at 0": (lambda L, a, b: L.copysign(a, b), [0.0, -0.0, 1.5, 0.0],
                      [2.0, -1.0, 0.0, 0.0]),
    "atan2 at the origin": (lambda L, a, b: L.atan2(a, b), [0.0, -0.0, 0.0, 1.0],
                            [0.0, 0.0, -0.0, float("inf")]),
    "hypot at the origin": (lambda L, a, b: L.hypot(a, b), [0.0, 3.0, 0.0], [0.0, 4.0, -2.0]),
    "xlogy at self = 0": (lambda L, a, b: L.xlogy(a, b), [0.0, -0.0, 0.0, 0.0, 2.0],
                          [3.0, 3.0, -1.0, 0.0, 0.0]),
    "fmod by 0": (lambda L, a, b: L.fmod(a, b), [5.0, -2.0], [0.0, 0.0]),
    "logaddexp of infs": (lambda L, a, b: L.logaddexp(a, b), [float("inf"), float("-inf"), 1.0],
                          [float("inf"), float("-inf"), float("-inf")]),
    "nan_to_num": (lambda L, a, b: L.nan_to_num(a) * b, [float("nan"), float("inf"), 1.0],
                   [1.0, 1.0, 1.0]),
    "nansum": (lambda L, a, b: L.nansum(a * b, 0), [float("nan"), float("inf"), 1.0],
               [1.0, 2.0, 3.0]),
    "sinc at 0": (lambda L, a, b: L.sinc(a) * b, [0.0, -0.0, 1.0], [1.0, 1.0, 1.0]),
    "erfinv at +-1": (lambda L, a, b: L.erfinv(a) * b, [1.0, -1.0, 0.0], [1.0, 1.0, 1.0]),
    "lerp with an inf end": (lambda L, a, b: L.lerp(a, b, 0.25), [1.0, 0.0], [float("inf"), 2.0]),
}


@pytest.mark.parametrize("name", list(_KINKS))
def test_gradients_at_kinks_as_torch(name):
    f, a, b = _KINKS[name]
    grads = []
    for L in (zerograd, torch):
        x, y = (L.tensor(v, dtype=L.float64, requires_grad=True) for v in (a, b))
        out = f(L, x, y)
        grads.append([None if g is None else g.numpy() for g in
                      L.autograd.grad(out.sum(), (x, y), allow_unused=True)])
    for z, t in zip(*grads):
        assert (z is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(z, t, rtol=1e-12, equal_nan=True, err_msg=name)
            assert (np.signbit(z) == np.signbit(t))[~np.isnan(t)].all(), name


def test_logcumsumexp_gradient_over_a_wide_range_stays_finite():
    """The backward sums in log space: no exp(±1000) overflows (a naive exp(a)·Σ g e^-z would
    give inf · 0 = nan)."""
    x = np.array([[-1000.0, -999.0, 0.0, 1000.0, 999.5], [5.0, -3.0, 2.0, 700.0, -700.0]])
    g = np.array([[1.0, -2.0, 0.5, 1.0, -1.0], [0.0, 1.0, -1.0, 2.0, 0.25]])
    out = []
    for L in (zerograd, torch):
        t = L.tensor(x, requires_grad=True)
        z = L.logcumsumexp(t, 1)
        out.append((z.detach().numpy(), L.autograd.grad(z, t, L.tensor(g))[0].numpy()))
    assert np.isfinite(out[0][1]).all()
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# second derivatives against torch (gradgradcheck checks them against finite differences)
# ------------------------------------------------------------------------------------------------

_SECOND = {
    "erfinv": lambda L, a, b: L.erfinv(a * 0.4) * b,
    "erfc": lambda L, a, b: L.erfc(a) * b,
    "sinc": lambda L, a, b: L.sinc(a) * b,
    "atan2": lambda L, a, b: L.atan2(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "logaddexp2": lambda L, a, b: L.logaddexp2(a, b),
    "xlogy": lambda L, a, b: L.xlogy(a, b.abs() + 0.5),
    "xlogy_scalar_self": lambda L, a, b: L.xlogy(2.5, b.abs() + 0.5) * a,
    "fmod": lambda L, a, b: L.fmod(a * 3, b),
    "copysign": lambda L, a, b: L.copysign(a, b) * a,
    "lerp_tensor": lambda L, a, b: L.lerp(a, b, a * b),
    "addcdiv": lambda L, a, b: L.addcdiv(a, a * b, b + 3, value=0.5),
    "nan_to_num": lambda L, a, b: L.nan_to_num(a * b),
    "std_mean": lambda L, a, b: L.std_mean(a * b, 1)[0] * L.std_mean(a * b, 1)[1],
    "aminmax": lambda L, a, b: L.aminmax(a * b, dim=1).max ** 2,
    "cummin": lambda L, a, b: L.cummin(a * b, 1).values ** 2,
    "logcumsumexp": lambda L, a, b: L.logcumsumexp(a * b, 1),
    "trace": lambda L, a, b: L.trace(a.t() @ b) ** 2,
    "diff": lambda L, a, b: L.diff(a * b, n=2, prepend=b) ** 2,
    "outer": lambda L, a, b: L.outer(a[0], b[1]) ** 2,
    "addmv": lambda L, a, b: L.addmv(a[:, 0], a * b, b[1], beta=0.5, alpha=-2) ** 2,
    "baddbmm": lambda L, a, b: L.baddbmm((a @ b.t()).unsqueeze(0), a.unsqueeze(0),
                                         (a * b).t().unsqueeze(0), alpha=3) ** 2,
    "addbmm": lambda L, a, b: L.addbmm(a @ b.t(), L.stack([a, b]), L.stack([b.t(), a.t()]),
                                       beta=2) ** 2,
}


@pytest.mark.parametrize("name", list(_SECOND))
def test_second_derivatives_as_torch(name):
    f = _SECOND[name]
    rng = np.random.default_rng(5)
    a = rng.uniform(0.3, 1.5, (2, 3)) * rng.choice([-1.0, 1.0], (2, 3))
    b = rng.uniform(0.3, 1.5, (2, 3)) * rng.choice([-1.0, 1.0], (2, 3))
    out = []
    for L in (zerograd, torch):
        x, y = (L.tensor(v, requires_grad=True) for v in (a, b))
        z = f(L, x, y)
        r = np.random.default_rng(9).standard_normal(tuple(z.shape))
        g = L.autograd.grad((z * L.tensor(r)).sum(), (x, y), create_graph=True)
        gg = L.autograd.grad(sum((gi * gi).sum() for gi in g), (x, y), allow_unused=True)
        out.append([t.detach().numpy() for t in g] + [None if t is None else t.numpy()
                                                      for t in gg])
    for k, (z, t) in enumerate(zip(*out)):
        assert (z is None) == (t is None), k
        if t is not None:
            np.testing.assert_allclose(z, t, rtol=1e-9, atol=1e-12, err_msg=f"{name} [{k}]")


# ------------------------------------------------------------------------------------------------
# in-place variants
# ------------------------------------------------------------------------------------------------

_INPLACE = {
    "erf_": lambda t, o: t.erf_(), "erfc_": lambda t, o: t.erfc_(),
    "erfinv_": lambda t, o: t.mul_(0.3).erfinv_(), "expm1_": lambda t, o: t.expm1_(),
    "exp2_": lambda t, o: t.exp2_(), "sinc_": lambda t, o: t.sinc_(),
    "log1p_": lambda t, o: t.abs_().log1p_(),
    "atan2_": lambda t, o: t.atan2_(o), "arctan2_": lambda t, o: t.arctan2_(o),
    "hypot_": lambda t, o: t.hypot_(o), "xlogy_": lambda t, o: t.xlogy_(o.abs()),
    "xlogy_number": lambda t, o: t.xlogy_(2.0), "fmod_": lambda t, o: t.fmod_(o),
    "fmod_number": lambda t, o: t.fmod_(0.7), "copysign_": lambda t, o: t.copysign_(o),
    "copysign_number": lambda t, o: t.copysign_(-1), "lerp_": lambda t, o: t.lerp_(o, 0.3),
    "lerp_tensor": lambda t, o: t.lerp_(o, o), "addcmul_": lambda t, o: t.addcmul_(o, o, value=2),
    "addcdiv_": lambda t, o: t.addcdiv_(o, o.abs() + 1),
    "nan_to_num_": lambda t, o: t.nan_to_num_(),
    "addmv_": lambda t, o: t.addmv_(o.reshape(3, 1) * o, o, beta=0.5),
}


@pytest.mark.parametrize("name", list(_INPLACE))
def test_inplace_as_torch(name):
    """Values, node name, version bump, and gradients through the in-place op on a view."""
    f = _INPLACE[name]
    res = []
    for L in (zerograd, torch):
        x = L.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=L.float64, requires_grad=True)
        o = L.tensor([1.1, -0.4, 0.9], dtype=L.float64)
        y = x * 1
        v = y[1]                                # a view: its base's history is rewritten
        before = y._version
        f(v, o)
        assert y._version > before
        g, = L.autograd.grad((y * L.arange(6.0, dtype=L.float64).reshape(2, 3)).sum(), x)
        res.append((y.detach().numpy(), v.grad_fn.name(), y.grad_fn.name(), g.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    assert res[0][1:3] == res[1][1:3]
    np.testing.assert_allclose(res[0][3], res[1][3], rtol=1e-12)


def test_inplace_errors_as_torch():
    cases = [lambda L: L.tensor([1, 2]).erf_(),
             lambda L: L.tensor([1, 2]).atan2_(L.tensor([1.0, 2.0])),
             lambda L: L.tensor([1.0, 2.0], requires_grad=True).expm1_(),
             lambda L: L.tensor([1.0, 2.0]).hypot_(L.tensor([[1.0, 2.0]])),
             lambda L: L.tensor([1.0, 2.0]).lerp_(L.tensor([[1.0, 2.0]]), 0.5),
             lambda L: L.tensor([1, 2]).addcmul_(L.tensor([1.0]), L.tensor([1.0]))]
    for k, f in enumerate(cases):
        errs = []
        for L in (zerograd, torch):
            with pytest.raises(Exception) as e:
                f(L)
            errs.append((e.type, str(e.value).split(". Fix")[0].split(" (Triggered")[0]))
        assert errs[0][0] is errs[1][0], k
        assert errs[1][1][:60] in errs[0][1], k


# ------------------------------------------------------------------------------------------------
# errors: torch's type and message
# ------------------------------------------------------------------------------------------------

_ERRORS = {
    "erf of a number": lambda L, f, i: L.erf(2.0),
    "atan2 number": lambda L, f, i: L.atan2(f, 2),
    "hypot ints": lambda L, f, i: L.hypot(i, i),
    "logaddexp bools": lambda L, f, i: L.logaddexp(i > 0, i > 0),
    "fmod number first": lambda L, f, i: L.fmod(2.0, f),
    "fmod int by 0": lambda L, f, i: L.fmod(i, 0),
    "fmod bool": lambda L, f, i: L.fmod(i > 0, i > 0),
    "copysign None": lambda L, f, i: L.copysign(f, None),
    "xlogy two numbers": lambda L, f, i: L.xlogy(2.0, 3.0),
    "lerp end dtype": lambda L, f, i: L.lerp(f, f.double(), 0.5),
    "lerp weight dtype": lambda L, f, i: L.lerp(f, f, i),
    "lerp half end": lambda L, f, i: L.lerp(f, f.half(), 0.5),
    "lerp ints": lambda L, f, i: L.lerp(i, i, 0.5),
    "lerp int tensor weight": lambda L, f, i: L.lerp(i, i, i[0]),
    "lerp number end": lambda L, f, i: L.lerp(f, 1.0, 0.5),
    "lerp shapes": lambda L, f, i: L.lerp(f, f[:2], 0.5),
    "addcmul bools": lambda L, f, i: L.addcmul(i > 0, i > 0, i > 0),
    "addcmul value str": lambda L, f, i: L.addcmul(f, f, f, value="2"),
    "addcmul number": lambda L, f, i: L.addcmul(f, 2.0, f),
    "addcdiv ints": lambda L, f, i: L.addcdiv(f, i, i),
    "nan_to_num str": lambda L, f, i: L.nan_to_num(f, posinf="x"),
    "nan_to_num 1-d tensor": lambda L, f, i: L.nan_to_num(f, nan=f[:1]),
    "var_mean int": lambda L, f, i: L.var_mean(i),
    "std_mean int": lambda L, f, i: L.std_mean(i, 0),
    "aminmax empty": lambda L, f, i: L.aminmax(f[:0]),
    "aminmax empty dim": lambda L, f, i: L.aminmax(f[:0].reshape(0, 1), dim=0),
    "aminmax positional dim": lambda L, f, i: L.aminmax(f, 0),
    "nanmean int": lambda L, f, i: L.nanmean(i),
    "nansum float dim": lambda L, f, i: L.nansum(f, dim=0.5),
    "count_nonzero dims twice": lambda L, f, i: L.count_nonzero(f, (0, 0)),
    "count_nonzero dim": lambda L, f, i: L.count_nonzero(f, 1),
    "outer 2-D": lambda L, f, i: L.outer(f.reshape(3, 1), f),
    "outer number": lambda L, f, i: L.outer(f, 2.0),
    "ger number": lambda L, f, i: L.ger(f, 2.0),
    "trace 1-D": lambda L, f, i: L.trace(f),
    "trace bool": lambda L, f, i: L.trace((i > 0).reshape(3, 1)),
    "diff 0-d": lambda L, f, i: L.diff(f[0]),
    "diff negative n": lambda L, f, i: L.diff(f, n=-1),
    "diff prepend dims": lambda L, f, i: L.diff(f, prepend=f[0]),
    "diff prepend shape": lambda L, f, i: L.diff(f.reshape(3, 1), dim=1,
                                                 prepend=f[:2].reshape(2, 1)),
    "diff number": lambda L, f, i: L.diff(f, append=1.0),
    "cummax no dim": lambda L, f, i: L.cummax(f),
    "cummax bad dim": lambda L, f, i: L.cummax(f, 1),
    "logcumsumexp ints": lambda L, f, i: L.logcumsumexp(i, 0),
    "addmv vec size": lambda L, f, i: L.addmv(f[:2], f.reshape(1, 3).expand(2, 3), f[:2]),
    "addmv dtypes": lambda L, f, i: L.addmv(f[:1], f.reshape(1, 3), f.double()),
    "addmv bools": lambda L, f, i: L.addmv(i[:1] > 0, (i > 0).reshape(1, 3), i > 0),
    "baddbmm batches": lambda L, f, i: L.baddbmm(f[:1], f.reshape(3, 1, 1), f.reshape(1, 1, 3)),
    "baddbmm dtypes": lambda L, f, i: L.baddbmm(f.reshape(3, 1, 1), f.reshape(3, 1, 1),
                                                f.double().reshape(3, 1, 1)),
    "baddbmm bad input": lambda L, f, i: L.baddbmm(f, f.reshape(3, 1, 1), f.reshape(3, 1, 1)),
    "addbmm inner sizes": lambda L, f, i: L.addbmm(f[:1], f.reshape(1, 1, 3), f.reshape(1, 1, 3)),
    "addbmm batches": lambda L, f, i: L.addbmm(f[:1], f.reshape(3, 1, 1), f[:2].reshape(2, 1, 1)),
    "addbmm input dtype": lambda L, f, i: L.addbmm(i[:1], f.reshape(3, 1, 1), f.reshape(3, 1, 1)),
    "logspace 1-d end": lambda L, f, i: L.logspace(0, f, 3),
    "logspace negative steps": lambda L, f, i: L.logspace(0, 1, -2),
    "tril_indices negative": lambda L, f, i: L.tril_indices(2, -1),
    "triu_indices float dtype": lambda L, f, i: L.triu_indices(2, 2, dtype=L.float64),
}


@pytest.mark.parametrize("name", list(_ERRORS))
def test_errors_as_torch(name):
    f = _ERRORS[name]
    errs = []
    for L in (zerograd, torch):
        with pytest.raises(Exception) as e:
            f(L, L.tensor([1.5, -2.0, 0.5]), L.tensor([3, 0, -2]))
        errs.append((e.type, str(e.value)))
    assert errs[0][0] is errs[1][0], errs
    assert errs[1][1].splitlines()[0] in errs[0][1], errs


# ------------------------------------------------------------------------------------------------
# without SciPy
# ------------------------------------------------------------------------------------------------

def test_erfinv_and_erfc_fallbacks_match_torch():
    """SciPy is optional: the fallbacks (Giles' approximation refined by Newton steps on erf /
    erfc; math.erfc) agree with torch to float64 rounding, tails included."""
    y = np.concatenate([np.linspace(-1, 1, 2001), [1 - 1e-12, -1 + 1e-15, 1e-300, -0.0, 1.5,
                                                  -2.0, np.nan, 0.9999999, 1 - 2 ** -52]])
    got = mathfns._fallback_erfinv(y)
    want = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300, equal_nan=True)
    assert np.signbit(got[y == 0]).tolist() == np.signbit(y[y == 0]).tolist()
    x = np.concatenate([np.linspace(-6, 27, 1001), [np.inf, -np.inf, np.nan]])
    np.testing.assert_allclose(mathfns._fallback_erfc(x), torch.erfc(torch.tensor(x)).numpy(),
                               rtol=1e-14, atol=0, equal_nan=True)


def test_functions_run_without_scipy(monkeypatch):
    monkeypatch.setattr(mathfns, "_IMPL", {})
    monkeypatch.setattr(mathfns, "_special", lambda name: None)
    x = [-0.999, -0.5, 0.0, 0.3, 0.9]
    for name in ("erfinv", "erfc"):
        z = getattr(zerograd, name)(zerograd.tensor(x, dtype=zerograd.float64))
        t = getattr(torch, name)(torch.tensor(x, dtype=torch.float64))
        np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=1e-13)
        assert mathfns._IMPL[name] is mathfns._FALLBACK[name]


# ------------------------------------------------------------------------------------------------
# properties (hypothesis)
# ------------------------------------------------------------------------------------------------

_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
_PROPERTY_OPS = {
    "atan2": lambda L, a, b: L.atan2(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "logaddexp2": lambda L, a, b: L.logaddexp2(a, b),
    "xlogy": lambda L, a, b: L.xlogy(a, b.abs()),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b),
    "lerp": lambda L, a, b: L.lerp(a, b, b * a),
    "addcmul": lambda L, a, b: L.addcmul(b, a, b, value=-0.5),
    "addcdiv": lambda L, a, b: L.addcdiv(a, b, a, value=2),
}


@pytest.mark.parametrize("op", list(_PROPERTY_OPS))
@_SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=1, max_side=4),
       seed=st.integers(0, 2 ** 16))
def test_broadcast_values_and_grads_property(op, shapes, seed):
    f = _PROPERTY_OPS[op]
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = rng.uniform(0.5, 2.0, sa) * rng.choice([-1.0, 1.0], sa)
    b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1.0, 1.0], sb)
    r = rng.standard_normal(shapes.result_shape)
    res = []
    for L in (zerograd, torch):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        z = f(L, x, y)
        res.append([z.detach().numpy()] + [g.numpy() for g in
                                           L.autograd.grad((z * L.tensor(r)).sum(), (x, y))])
    for k, (z, t) in enumerate(zip(*res)):
        assert z.shape == t.shape, (op, k)
        np.testing.assert_allclose(z, t, rtol=1e-12, atol=1e-14, err_msg=f"{op} [{k}]")


@_SETTINGS
@given(a=hnp.arrays(np.float32, (5,), elements=st.floats(-2.0 ** 100, 2.0 ** 100, width=32)),
       b=hnp.arrays(np.float32, (5,), elements=st.floats(-2.0 ** 100, 2.0 ** 100, width=32)))
def test_lerp_is_exact_at_both_ends_property(a, b):
    """torch's lerp switches formula at |w| = 0.5 so that w = 0 gives start and w = 1 gives end
    exactly (start + 1·(end - start) would round)."""
    x, y = zerograd.tensor(a), zerograd.tensor(b)
    np.testing.assert_array_equal(zerograd.lerp(x, y, 0.0).numpy(), a)
    np.testing.assert_array_equal(zerograd.lerp(x, y, 1.0).numpy(), b)
    w = zerograd.tensor([0.0, 1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(zerograd.lerp(x, y, w).numpy(),
                                  torch.lerp(torch.tensor(a), torch.tensor(b),
                                             torch.tensor(w.numpy())).numpy())


@_SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-50, 50) | st.sampled_from([np.nan, np.inf, -np.inf])),
       dim=st.integers(-3, 2))
def test_cumulative_and_nan_reductions_property(x, dim):
    """cummax/cummin (ties, nans), logcumsumexp, nansum, nanmean and count_nonzero on arbitrary
    arrays with nan and inf: torch's values and indices."""
    if not -x.ndim <= dim < x.ndim:
        dim = dim % x.ndim
    zx, tx = zerograd.tensor(x), torch.tensor(x)
    for name in ("cummax", "cummin"):
        z, t = getattr(zerograd, name)(zx, dim), getattr(torch, name)(tx, dim)
        np.testing.assert_array_equal(z.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(z.indices.numpy(), t.indices.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [(zerograd.logcumsumexp(zx, dim), torch.logcumsumexp(tx, dim)),
                 (zerograd.nansum(zx, dim), torch.nansum(tx, dim)),
                 (zerograd.nanmean(zx, dim, keepdim=True), torch.nanmean(tx, dim, keepdim=True)),
                 (zerograd.count_nonzero(zx, dim), torch.count_nonzero(tx, dim))]
    for z, t in pairs:
        assert tuple(z.shape) == tuple(t.shape)
        np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=1e-12, atol=1e-12, equal_nan=True)
