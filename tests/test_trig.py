"""The functions of zerograd/ops/trig.py beyond the op table (tests/test_ops.py runs their rows):
values and gradients at special points (±0, ±inf, nan, domain edges, poles) against torch in
float64, float32 and the half types; second derivatives; result dtypes over every dtype and dtype
pair; in-place forms (same object, version, node names, errors, views); error types and messages;
the integer functions' edge values; the gamma family over a wide range; no NumPy warnings."""
from __future__ import annotations

import itertools
import subprocess
import sys
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

pytestmark = requires_torch

NAN, INF = float("nan"), float("inf")
_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
           "float64"]
_FLOAT_UNARY = ["tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh",
                "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "log2", "log10",
                "logit", "deg2rad", "rad2deg", "lgamma", "digamma"]
_SPECIAL = [0.0, -0.0, NAN, INF, -INF, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, -3.0, 1e-8, -1e-8, 1e-30,
            0.999999, 1.000001, 30.0, -30.0, 100.0, 1000.0, -1000.5, 1e200, -1e200]


def _tensor(L, values, dtype, requires_grad=False):
    """values as a tensor of `dtype` (a name); the half types via float32 (torch.from_numpy has
    no bfloat16)."""
    arr = np.asarray(values, np.float64)
    if dtype in ("float16", "bfloat16"):
        with np.errstate(over="ignore"):
            t = L.tensor(arr.astype(np.float32)).to(getattr(L, dtype))
    elif dtype == "bool":
        t = L.tensor(arr != 0)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            t = L.tensor(arr.astype(dtype))
    return t.requires_grad_(requires_grad) if requires_grad else t


def _np(t):
    """A tensor's values as a float64 array (bool stays bool; torch's ZeroTensor: zeros)."""
    t = t.detach()
    if isinstance(t, torch.Tensor) and t._is_zerotensor():
        return np.zeros(tuple(t.shape))
    return t.numpy() if t.dtype in (torch.bool, zerograd.bool) else t.double().numpy()


def _close(z, t, rtol, atol=0.0, what=""):
    z, t = _np(z), _np(t)
    assert z.shape == t.shape, what
    np.testing.assert_allclose(z, t, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    finite = np.isfinite(t)
    assert (np.isinf(z) == np.isinf(t)).all() and (np.sign(z[~finite & ~np.isnan(t)]) ==
                                                     np.sign(t[~finite & ~np.isnan(t)])).all(), what


def _call(L, name, x, **kw):
    if name == "polygamma":
        return L.polygamma(kw.pop("n"), x)
    return getattr(L, name)(x, **kw)


# ------------------------------------------------------------------------------------------------
# special values: forward and gradient, every float dtype
# ------------------------------------------------------------------------------------------------

_TOL = {"float64": 1e-10, "float32": 2e-6, "float16": 2e-3, "bfloat16": 1e-2}


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
@pytest.mark.parametrize("name", _FLOAT_UNARY)
def test_special_values_and_gradients_as_torch(name, dtype):
    """The value and the gradient (upstream ones and a random vector) at 0, -0, nan, ±inf, the
    domain edges (asin(±1), acosh(1), atanh(±1), logit(0), logit(1)), the poles of the gamma
    family and overflowing arguments: torch's, including the sign of infinities."""
    rng = np.random.default_rng(3)
    # logit: long enough for torch's vectorized loop (see test_logit_gradient_in_torchs_...)
    vals = np.tile(_SPECIAL, 64 if name == "logit" else 1)
    up = rng.uniform(0.5, 2.0, len(vals)) * rng.choice([-1.0, 1.0], len(vals))
    res = []
    for L in (zerograd, torch):
        x = _tensor(L, vals, dtype, requires_grad=True)
        y = _call(L, name, x)
        g1, = L.autograd.grad(y, x, L.ones_like(y), retain_graph=True)
        g2, = L.autograd.grad(y, x, _tensor(L, up, dtype))
        res.append((y, g1, g2, y.grad_fn.name()))
    tol = _TOL[dtype]
    _close(res[0][0], res[1][0], tol, tol * 1e-3, f"{name} {dtype} value")
    _close(res[0][1], res[1][1], tol * 10, tol * 1e-3, f"{name} {dtype} grad (ones)")
    _close(res[0][2], res[1][2], tol * 10, tol * 1e-3, f"{name} {dtype} grad (random)")
    assert res[0][3] == res[1][3]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_domain_edges_exactly_as_torch(dtype):
    """The edges called out by name: asin(±1) = ±π/2 with gradient ±inf... every value and
    gradient bit for bit (the sign of zero included)."""
    cases = [("asin", [1.0, -1.0, 1.0 + 1e-7]), ("acos", [1.0, -1.0]), ("atanh", [1.0, -1.0]),
             ("acosh", [1.0, 0.9999]), ("asinh", [0.0, -0.0]), ("atan", [INF, -INF]),
             ("log2", [0.0, -0.0, -1.0]), ("log10", [0.0, -0.0, INF]), ("tan", [0.0, -0.0]),
             ("logit", [0.0, 1.0, 0.5]), ("lgamma", [1.0, 2.0, 0.0, -0.0, -1.0]),
             ("digamma", [0.0, -0.0, -1.0, 1.0]), ("sinh", [-0.0, 800.0, -800.0]),
             ("cosh", [-0.0, 800.0, -800.0]), ("deg2rad", [-0.0, INF]), ("rad2deg", [-0.0])]
    for name, vals in cases:
        out = []
        for L in (zerograd, torch):
            x = _tensor(L, vals, dtype, requires_grad=True)
            y = _call(L, name, x)
            g, = L.autograd.grad(y.sum(), x)
            out.append((y.detach().numpy(), g.numpy()))
        for k in (0, 1):
            z, t = out[0][k], out[1][k]
            same = (z == t) | (np.isnan(z) & np.isnan(t))
            with np.errstate(invalid="ignore"):
                diff = np.abs(z - t)
            # (digamma's derivative: torch's float64 trigamma is ~5e-10 from the exact value)
            eps = 1e-9 if (name, k, dtype) == ("digamma", 1, "float64") else np.finfo(dtype).eps
            rel = diff <= 4 * eps * np.abs(t)
            assert (same | rel).all(), (name, dtype, k, z, t)
            assert (np.signbit(z) == np.signbit(t))[~np.isnan(t)].all(), (name, dtype, k, z, t)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_logit_with_and_without_eps_as_torch(dtype):
    """logit clamps to [eps, 1 - eps] (a negative eps clamps nothing; eps > 0.5 crosses the
    bounds); its gradient is 0 outside the bounds with eps and nan outside [0, 1] without.  The
    tensors are long enough for torch's vectorized loop (its scalar tail differs: see below)."""
    vals = np.repeat([0.0, 1.0, -0.0, 0.5, 1e-8, 1 - 1e-8, -0.1, 1.1, NAN, INF, -INF, 0.2, 0.8,
                      0.25, 0.75, 1e-6], 16)
    for eps in (None, 0.0, 1e-6, 0.2, 0.5, 0.6, 1.0, -0.1, True):
        out = []
        for L in (zerograd, torch):
            x = _tensor(L, vals, dtype, requires_grad=True)
            y = L.logit(x, eps)
            g, = L.autograd.grad(y, x, L.ones_like(y) * 1.5)
            out.append((y, g))
        _close(out[0][0], out[1][0], 1e-6, 0, f"logit eps={eps}")
        _close(out[0][1], out[1][1], 1e-6, 0, f"logit grad eps={eps}")


def test_logit_gradient_in_torchs_scalar_tail_is_the_documented_difference():
    """torch's logit_backward computes a tensor's last few elements (all of a short tensor) in a
    scalar loop that gives +inf at -0.0 and nan at nan with eps, where its vectorized loop - and
    zerograd, everywhere - give -inf and 0 (README-style note in ops/trig.py).  This pins the
    difference down so a change on either side is noticed."""
    x = zerograd.tensor([-0.0, NAN], requires_grad=True)
    g, = zerograd.autograd.grad(zerograd.logit(x, 0.0).sum(), x)
    assert g[0].item() == -INF and g[1].item() == 0.0
    xt = torch.tensor([-0.0, NAN], requires_grad=True)
    gt, = torch.autograd.grad(torch.logit(xt, 0.0).sum(), xt)
    assert gt[0].item() == INF and np.isnan(gt[1].item())


def test_logit_second_derivative_uses_torchs_differentiable_form():
    """Under create_graph torch's logit gradient is where(in range, g / (x (1 - x)), 0 or nan)
    (WhereBackward0), whose values differ from the first-derivative kernel at nan and with a
    negative eps; both orders as torch."""
    vals = [0.3, 0.7, -0.1, 1.1, NAN, INF, 0.05, 0.95]
    for eps in (None, 0.1, -0.2):
        out = []
        for L in (zerograd, torch):
            x = L.tensor(vals, dtype=L.float64, requires_grad=True)
            g, = L.autograd.grad(L.logit(x, eps).sum(), x, create_graph=True)
            gg, = L.autograd.grad((g * g).sum(), x)
            out.append((g, gg, g.grad_fn.name()))
        _close(out[0][0], out[1][0], 1e-12, 0, f"eps={eps} grad")
        _close(out[0][1], out[1][1], 1e-10, 0, f"eps={eps} second")
        assert out[0][2] == out[1][2] == "WhereBackward0"


def test_asinh_gradient_underflows_to_zero_when_the_square_overflows():
    """torch's asinh' = rsqrt(x² + 1): 0 once x² overflows (float64 above 1.3e154)."""
    for L in (zerograd, torch):
        x = L.tensor([1e200, -1e200, 1e154], dtype=L.float64, requires_grad=True)
        g, = L.autograd.grad(L.asinh(x).sum(), x)
        assert g[0].item() == 0.0 and g[1].item() == 0.0 and g[2].item() > 0


# ------------------------------------------------------------------------------------------------
# second derivatives
# ------------------------------------------------------------------------------------------------

_SECOND = {
    "tan": (lambda L, x: L.tan(x), [0.3, -1.1, 0.0, 1.4]),
    "asin": (lambda L, x: L.asin(x), [0.3, -0.9, 0.0, 1.0]),
    "acos": (lambda L, x: L.acos(x), [0.3, -0.9, 0.0, -1.0]),
    "atan": (lambda L, x: L.atan(x), [0.3, -5.0, 0.0, INF]),
    "sinh": (lambda L, x: L.sinh(x), [0.3, -5.0, 0.0, 800.0]),
    "cosh": (lambda L, x: L.cosh(x), [0.3, -5.0, 0.0, -800.0]),
    "asinh": (lambda L, x: L.asinh(x), [0.3, -5.0, 0.0, 1e200]),
    "acosh": (lambda L, x: L.acosh(x), [1.3, 5.0, 1.0, 0.5]),
    "atanh": (lambda L, x: L.atanh(x), [0.3, -0.9, 0.0, 1.0]),
    "log2": (lambda L, x: L.log2(x), [0.3, 5.0, 0.0, -1.0]),
    "log10": (lambda L, x: L.log10(x), [0.3, 5.0, 0.0, INF]),
    "deg2rad": (lambda L, x: L.deg2rad(x), [0.3, -5.0]),
    "rad2deg": (lambda L, x: L.rad2deg(x), [0.3, -5.0]),
    "lgamma": (lambda L, x: L.lgamma(x), [0.3, -2.5, 7.0, -1.0, 0.0]),
    "digamma": (lambda L, x: L.digamma(x), [0.3, -2.5, 7.0, 40.0, 0.0]),
    "polygamma2": (lambda L, x: L.polygamma(2, x), [0.3, -2.5, 7.0, 40.0]),
    "sgn": (lambda L, x: L.sgn(x) * x, [0.3, -2.5, 0.0, NAN]),
    "fmax": (lambda L, x: L.fmax(x, x.flip(0) * 0.5), [0.3, -2.5, 4.0, NAN]),
    "fmin": (lambda L, x: L.fmin(x, x.flip(0) * 0.5), [0.3, -2.5, 4.0, NAN]),
    "float_power": (lambda L, x: L.float_power(x.abs(), x), [0.3, -2.5, 1.7, 2.0]),
    "float_power_scalar": (lambda L, x: L.float_power(x, 3), [0.3, -2.5, 1.7, 0.0]),
    "float_power_base": (lambda L, x: L.float_power(2.5, x), [0.3, -2.5, 1.7, 0.0]),
}


# (zerograd silences NumPy's warnings from its op modules and the fast path at import; pytest's
# own filters replace that in-process, so the same filter is set here: a subprocess test below
# checks that nothing reaches a user)
@pytest.mark.filterwarnings("ignore::RuntimeWarning:zerograd.autograd.fastpath")
@pytest.mark.parametrize("name", list(_SECOND))
def test_second_derivatives_as_torch(name):
    """grad with create_graph, then the gradient of Σ g² (and of Σ g · r), incl. special points."""
    f, vals = _SECOND[name]
    r = np.random.default_rng(1).standard_normal(len(vals))
    out = []
    for L in (zerograd, torch):
        x = L.tensor(vals, dtype=L.float64, requires_grad=True)
        y = f(L, x)
        g, = L.autograd.grad((y * L.tensor(r)).sum(), x, create_graph=True)
        if g.requires_grad:
            gg, = L.autograd.grad((g * g).sum() + (g * L.tensor(r)).sum(), x, allow_unused=True)
        else:
            gg = None
        out.append((g, gg))
    _close(out[0][0], out[1][0], 1e-10, 1e-300, f"{name} grad")
    assert (out[0][1] is None) == (out[1][1] is None), name
    if out[1][1] is not None:
        _close(out[0][1], out[1][1], 1e-9, 1e-300, f"{name} second")


def test_digamma_second_derivative_runs_through_polygamma_nodes():
    for L in (zerograd, torch):
        x = L.tensor([0.7, 3.0], requires_grad=True)
        g, = L.autograd.grad(L.lgamma(x).sum(), x, create_graph=True)
        gg, = L.autograd.grad(g.sum(), x, create_graph=True)
        assert g.grad_fn.name() == "MulBackward0"
        assert g.grad_fn.next_functions[1][0].name() == "DigammaBackward0"
        assert gg.grad_fn.next_functions[1][0].name() == "PolygammaBackward0"


def test_sgn_gradient_is_zero_whatever_flows_in_and_records_nothing():
    """torch: sgn's gradient is zeros (even for a nan or inf incoming gradient), and under
    create_graph it does not require grad."""
    x = zerograd.tensor([0.0, -2.0, NAN, INF], requires_grad=True)
    y = zerograd.sgn(x)
    assert y.tolist()[:2] == [0.0, -1.0] and y.tolist()[2] == 0.0 and y.tolist()[3] == 1.0
    g, = zerograd.autograd.grad(y, x, zerograd.tensor([NAN, INF, 1.0, -INF]), create_graph=True)
    assert g.tolist() == [0.0, 0.0, 0.0, 0.0] and not g.requires_grad
    xt = torch.tensor([0.0, -2.0, NAN, INF], requires_grad=True)
    gt, = torch.autograd.grad(torch.sgn(xt), xt, torch.tensor([NAN, INF, 1.0, -INF]),
                              create_graph=True)
    assert not gt.requires_grad


# ------------------------------------------------------------------------------------------------
# dtypes
# ------------------------------------------------------------------------------------------------

def _outcome(L, f):
    """(dtype, values) or the exception's type name."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = f(L)
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as e:
        return type(e).__name__
    return str(out.dtype).split(".")[-1], _np(out)


def _same_outcome(f, what, tol=1e-6):
    z, t = _outcome(zerograd, f), _outcome(torch, f)
    if isinstance(z, str) or isinstance(t, str):
        assert z == t, f"{what}: zerograd {z if isinstance(z, str) else z[0]}, torch {t}"
        return
    assert z[0] == t[0], f"{what}: dtype {z[0]} != {t[0]}"
    if t[0] in ("float16", "bfloat16"):
        tol = 1e-2
    np.testing.assert_allclose(z[1], t[1], rtol=tol, atol=tol, equal_nan=True, err_msg=what)


_VALUES = [0, 1, 2, 3, 7, 100]
_SIGNED = [0, 1, -1, 2, -3, 100]


def _vals(dt):
    return [0, 1, 1, 0] if dt == "bool" else _VALUES if dt == "uint8" else _SIGNED


@pytest.mark.parametrize("name", _FLOAT_UNARY + ["sgn", "signbit", "positive", "absolute",
                                                 "polygamma"])
def test_unary_result_dtypes_as_torch(name):
    """Integers and bool are computed in the default float dtype (float32, then float64 once it
    is the default); float dtypes keep theirs; sgn/positive/absolute keep integers; signbit is
    bool; torch's refusals (positive and absolute of bool) are refused alike."""
    kw = {"n": 1} if name == "polygamma" else {}
    for default in (torch.float32, torch.float64):
        for dt in _DTYPES:
            def f(L, dt=dt):
                prev = L.get_default_dtype()
                L.set_default_dtype(L.float64 if default is torch.float64 else L.float32)
                try:
                    return _call(L, name, _tensor(L, _vals(dt), dt), **dict(kw))
                finally:
                    L.set_default_dtype(prev)
            _same_outcome(f, f"{name}({dt}) default {default}")


_PAIR_FNS = {
    "fmax": lambda L, a, b: L.fmax(a, b), "fmin": lambda L, a, b: L.fmin(a, b),
    "float_power": lambda L, a, b: L.float_power(a, b),
    "heaviside": lambda L, a, b: L.heaviside(a, b),
    "bitwise_and": lambda L, a, b: L.bitwise_and(a, b), "bitwise_or": lambda L, a, b: a | b,
    "bitwise_xor": lambda L, a, b: a ^ b, "and_op": lambda L, a, b: a & b,
    "gcd": lambda L, a, b: L.gcd(a, b), "lcm": lambda L, a, b: L.lcm(a, b),
}


@pytest.mark.parametrize("name", list(_PAIR_FNS))
def test_binary_dtype_pairs_as_torch(name):
    """Every dtype pair, and a 0-d operand on either side: torch's result dtype and values, or
    its error type (heaviside wants equal dtypes, bitwise refuses floats, gcd/lcm refuse floats
    and bool, float_power is float64 always)."""
    f = _PAIR_FNS[name]
    for da, db in itertools.product(_DTYPES, _DTYPES):
        for sa, sb in [((2, 3), (3,)), ((), (2, 3)), ((2, 3), ())]:
            def g(L, da=da, db=db, sa=sa, sb=sb):
                a = _tensor(L, np.resize(_vals(da), sa), da)
                b = _tensor(L, np.resize(_vals(db)[::-1], sb), db)
                return f(L, a, b)
            _same_outcome(g, f"{name}({da}{list(sa)}, {db}{list(sb)})")


@pytest.mark.parametrize("name", ["float_power", "bitwise_and", "bitwise_or", "bitwise_xor",
                                  "fmax", "gcd", "heaviside"])
def test_numbers_on_either_side_as_torch(name):
    """Python numbers: float_power and the bitwise ops take them on either side (a Python int
    out of a small dtype's range wraps, as in torch), the others refuse them (TypeError)."""
    for dt, c in itertools.product(_DTYPES, [2, -1, 300, 2.5, True, np.int64(3)]):
        def f(L, dt=dt, c=c):
            return getattr(L, name)(_tensor(L, _vals(dt), dt), c)

        def r(L, dt=dt, c=c):
            return getattr(L, name)(c, _tensor(L, _vals(dt), dt))
        _same_outcome(f, f"{name}({dt}, {c!r})")
        _same_outcome(r, f"{name}({c!r}, {dt})")


@pytest.mark.filterwarnings("ignore:__array_wrap__ must accept context:DeprecationWarning")
def test_operators_and_or_xor_are_bitwise_as_torch():
    """&, |, ^ on integer tensors are bitwise (not logical), with numbers on either side and in
    place (&=: the same tensor); on floats they are refused."""
    for L in (zerograd, torch):
        a = L.tensor([12, 10, -1, 0])
        b = L.tensor([10, 6, 5, 3])
        assert (a & b).tolist() == [8, 2, 5, 0]
        assert (a | b).tolist() == [14, 14, -1, 3]
        assert (a ^ b).tolist() == [6, 12, -6, 3]
        assert (6 & a).tolist() == [4, 2, 6, 0] and (a | 1).tolist() == [13, 11, -1, 1]
        assert (True ^ L.tensor([True, False])).tolist() == [False, True]
        u = L.tensor([1, 2], dtype=L.uint8)
        assert (u | 300).tolist() == [45, 46] and (u & -1).tolist() == [1, 2]
        c = a.clone()
        v = c._version
        d = c
        d &= b
        assert d is c and c.tolist() == [8, 2, 5, 0] and c._version > v
        d ^= 1
        d |= L.tensor([16, 0, 0, 0])
        assert d is c and c.tolist() == [25, 3, 4, 1]
        assert (a & np.array([3, 3, 3, 3])).tolist() == [0, 2, 3, 0]      # arrays are converted
        with pytest.raises(TypeError, match="unsupported operand type"):
            np.array([3, 3, 3, 3]) & a                                      # ... on the right
        d &= np.array([1, 1, 0, 1])               # (not in place: Python's fallback to &)
        assert d is not c and d.tolist() == [1, 1, 0, 1] and c.tolist() == [25, 3, 4, 1]
        with pytest.raises(NotImplementedError, match="bitwise_and_cpu\" not implemented for "
                                                      "'Float'"):
            L.tensor([1.0]) & L.tensor([1.0])
        with pytest.raises(NotImplementedError):
            a & 2.5
        with pytest.raises(TypeError):
            a & "x"
        with pytest.raises(TypeError):
            a & None


# ------------------------------------------------------------------------------------------------
# integer functions: edge values
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64"])
def test_gcd_lcm_edge_values_as_torch(dtype):
    """Zeros, signs, the most negative value (whose absolute value overflows), overflowing least
    common multiples (wrapped as torch wraps them), broadcasting."""
    info = np.iinfo(dtype)
    lo, hi = int(info.min), int(info.max)
    a = [0, 0, 4, -4, 6, -6, lo, lo, lo, hi, hi, 7, 100, 12, hi - 1, lo + 1, 1]
    b = [0, 5, 6, 6, -4, -9, 0, lo, 3, hi, 3, -14, 99, 18, hi, 7, lo]
    keep = [k for k, (p, q) in enumerate(zip(a, b)) if info.min <= p <= hi and info.min <= q <= hi]
    a = np.array([a[k] for k in keep], dtype=np.int64).astype(dtype)
    b = np.array([b[k] for k in keep], dtype=np.int64).astype(dtype)
    for name in ("gcd", "lcm"):
        z = getattr(zerograd, name)(zerograd.from_numpy(a.copy()), zerograd.from_numpy(b.copy()))
        t = getattr(torch, name)(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
        assert str(z.dtype) == str(t.dtype)
        assert z.tolist() == t.tolist(), (name, dtype)
    z = zerograd.gcd(zerograd.from_numpy(a[:4].reshape(4, 1).copy()), zerograd.from_numpy(b.copy()))
    t = torch.gcd(torch.from_numpy(a[:4].reshape(4, 1).copy()), torch.from_numpy(b.copy()))
    assert z.tolist() == t.tolist()


def test_gcd_lcm_random_as_torch():
    rng = np.random.default_rng(2)
    for dtype in ("int8", "int32", "int64"):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, 500, endpoint=True).astype(dtype)
        b = rng.integers(-50, 50, 500).astype(dtype)
        for name in ("gcd", "lcm"):
            z = getattr(zerograd, name)(zerograd.from_numpy(a), zerograd.from_numpy(b))
            t = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
            assert z.tolist() == t.tolist(), (name, dtype)


# ------------------------------------------------------------------------------------------------
# fmax / fmin / heaviside / signbit / positive / float_power specifics
# ------------------------------------------------------------------------------------------------

def test_fmax_fmin_nan_ties_and_signed_zeros_as_torch():
    """nan is ignored (nan only where both are); ties and ±0 go to the first operand, and so does
    the gradient; mixed dtypes and broadcasting reduce the gradient to each input."""
    a = [0.0, -0.0, 1.0, NAN, 2.0, NAN, 3.0, INF, -INF, 1.0]
    b = [-0.0, 0.0, 1.0, 1.0, NAN, NAN, 2.0, NAN, 5.0, INF]
    for name in ("fmax", "fmin"):
        out = []
        for L in (zerograd, torch):
            x = L.tensor(a, dtype=L.float64, requires_grad=True)
            y = L.tensor(b, dtype=L.float32, requires_grad=True)
            z = getattr(L, name)(x, y)
            gx, gy = L.autograd.grad(z, (x, y), L.arange(1.0, 11.0, dtype=L.float64))
            out.append((z, gx, gy))
        for k in range(3):
            _close(out[0][k], out[1][k], 0, 0, f"{name} [{k}]")
            z, t = _np(out[0][k]), _np(out[1][k])
            assert (np.signbit(z) == np.signbit(t))[~np.isnan(t)].all(), (name, k)
        assert str(out[0][0].dtype) == "torch.float64" and str(out[0][2].dtype) == "torch.float32"


def test_heaviside_values_node_and_backward_error_as_torch():
    for L in (zerograd, torch):
        x = L.tensor([NAN, 0.0, -0.0, INF, -INF, -1.0, 2.0], requires_grad=True)
        v = L.tensor([7.0])
        y = L.heaviside(x, v)
        assert np.array_equal(_np(y), [0.0, 7.0, 7.0, 1.0, 0.0, 0.0, 1.0])
        assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert len(y.grad_fn.next_functions) == 1          # only the input that requires grad
        with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not "
                                               "implemented"):
            y.sum().backward()
        b = L.heaviside(L.tensor([True, False]), L.tensor([False, True]))
        assert b.tolist() == [True, True] and b.dtype == L.bool
        with pytest.raises(RuntimeError, match="heaviside is not yet implemented for tensors "
                                               "with different dtypes."):
            L.heaviside(x, v.double())
        with pytest.raises(RuntimeError, match="heaviside is not yet implemented"):
            L.heaviside(L.tensor([1, 0]), L.tensor([0.5]))


def test_signbit_as_torch():
    """-0.0 and -nan have the sign bit (nan in bfloat16 left out: torch's float -> bfloat16
    conversion turns a nan negative, ml_dtypes' keeps its sign)."""
    for dt in _DTYPES:
        vals = [0.0, -0.0, -NAN, NAN, -INF, INF, -2.0, 3.0, 1e-40, -1e-40] if dt[0] == "f" \
            else [0.0, -0.0, -INF, INF, -2.0, 3.0, 1e-40, -1e-40] if dt == "bfloat16" \
            else _vals(dt)
        z = zerograd.signbit(_tensor(zerograd, vals, dt))
        t = torch.signbit(_tensor(torch, vals, dt))
        assert z.dtype == zerograd.bool and z.tolist() == t.tolist(), dt
    x = zerograd.tensor([-1.0, 2.0], requires_grad=True)
    assert not zerograd.signbit(x).requires_grad and x.signbit().tolist() == [True, False]


def test_positive_returns_the_input_itself():
    for L in (zerograd, torch):
        x = L.tensor([1.0, -2.0], requires_grad=True)
        assert L.positive(x) is x and x.positive() is x
        i = L.tensor([1, 2], dtype=L.uint8)
        assert L.positive(i) is i
        with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor is not "
                                               "supported."):
            L.positive(L.tensor([True]))


def test_float_power_graph_and_dtypes_as_torch():
    """float64 results whatever the inputs; the inputs are converted first (ToCopyBackward0
    nodes, none for a float64 tensor), then pow: PowBackward1 / PowBackward0 / PowBackward2."""
    def chains(L):
        x = L.tensor([0.5, 2.0], requires_grad=True)
        y = L.tensor([1.5, -1.0], requires_grad=True)
        d = L.tensor([0.5, 2.0], dtype=L.float64, requires_grad=True)
        outs = [L.float_power(x, y), L.float_power(x, 2), L.float_power(3, y),
                L.float_power(d, 2), L.float_power(d, L.tensor([1, 2])), x.float_power(y)]
        res = []
        for o in outs:
            names = [o.grad_fn.name()] + [n.name() if n is not None else None
                                          for n, _ in o.grad_fn.next_functions]
            res.append((str(o.dtype), names, _np(o).tolist()))
        return res
    z, t = chains(zerograd), chains(torch)
    for a, b in zip(z, t):
        assert a[:2] == b[:2]
        np.testing.assert_allclose(a[2], b[2], rtol=1e-15)


def test_float_power_gradients_in_the_input_dtypes_as_torch():
    out = []
    for L in (zerograd, torch):
        x = L.tensor([0.5, 2.0, 0.0], requires_grad=True)
        y = L.tensor([1.5, -1.0, 2.0], dtype=L.float16, requires_grad=True)
        g = L.autograd.grad(L.float_power(x, y).sum(), (x, y))
        out.append(g)
    for a, b in zip(*out):
        assert str(a.dtype) == str(b.dtype)
        _close(a, b, 1e-3, 0)


# ------------------------------------------------------------------------------------------------
# the gamma family over a wide range
# ------------------------------------------------------------------------------------------------

def _gamma_points():
    rng = np.random.default_rng(0)
    return np.concatenate([
        rng.uniform(-30, 30, 3000), rng.uniform(0, 3, 3000), rng.uniform(-3, 0, 3000),
        10 ** rng.uniform(-10, 10, 1000), -(10 ** rng.uniform(-10, 3, 1000)),
        np.arange(-20, 21) * 1.0, np.arange(-20, 21) + 0.5,
        [1.4616321449683623, -0.5040830082644554, 1e-300, 5e-324, 1e300, 2.5e305, 2.6e305,
         2.5563481638716906e305, 2.556348163871691e305, 4.03711e36, 4.03712e36, INF,
         -INF, NAN, 0.0, -0.0, -1e17, 1e17]])


@pytest.mark.parametrize("n", [None, 0, 1, 2, 3, 6])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gamma_family_over_a_wide_range_as_torch(n, dtype):
    """lgamma (n None), digamma (n 0) and polygamma(n): negative non-integers, the poles (inf or
    nan as torch, with torch's sign), tiny and huge arguments.  Away from zeros of the function the
    agreement is relative (torch's float64 trigamma is itself ~5e-10 from the exact value); near
    its zeros, absolute."""
    with np.errstate(over="ignore"):
        x = _gamma_points().astype(dtype)
    if n is not None and n >= 2:
        x = x[np.abs(x) < 1e3]                 # (x far below 0 takes |x| terms, in both)
    zx, tx = zerograd.from_numpy(x.copy()), torch.from_numpy(x.copy())
    if n is None:
        z, t = zerograd.lgamma(zx), torch.lgamma(tx)
    else:
        z, t = zerograd.polygamma(n, zx), torch.polygamma(n, tx)
    z, t = z.numpy().astype(np.float64), t.numpy().astype(np.float64)
    assert (np.isnan(z) == np.isnan(t)).all(), x[np.isnan(z) != np.isnan(t)][:5]
    inf = np.isinf(t)
    assert (z[inf] == t[inf]).all(), (x[inf][z[inf] != t[inf]][:5])
    fin = np.isfinite(t)
    assert np.isfinite(z[fin]).all()
    rtol = {"float64": 2e-9 if n == 1 else 1e-12, "float32": 3e-6}[dtype]
    atol = {"float64": 1e-13, "float32": 5e-6}[dtype]
    if dtype == "float32" and n is not None and n >= 1:
        rtol = 2e-5                            # torch's float32 series and reflection
    np.testing.assert_allclose(z[fin], t[fin], rtol=rtol, atol=atol)


def test_digamma_and_trigamma_at_poles_as_torch():
    """digamma: -inf at +0, inf at -0, nan at the negative integers; trigamma (digamma's
    gradient): inf at 0 and, at the negative integers, torch's large finite value (its
    reflection's sin(πx) rounds to a tiny non-zero number), in both float dtypes."""
    for dtype in ("float64", "float32"):
        out = []
        for L in (zerograd, torch):
            x = _tensor(L, [0.0, -0.0, -1.0, -2.0, -7.0, -100.0], dtype, requires_grad=True)
            y = L.digamma(x)
            g, = L.autograd.grad(y.sum(), x)
            out.append((y, g))
        _close(out[0][0], out[1][0], 0, 0, f"digamma {dtype}")
        _close(out[0][1], out[1][1], 1e-6, 0, f"trigamma {dtype}")


def test_polygamma_arguments_as_torch():
    x = [0.5, 2.0]
    for L in (zerograd, torch):
        t = L.tensor(x)
        assert L.polygamma(0, t).grad_fn is None
        v = L.tensor(x, requires_grad=True)
        assert L.polygamma(0, v).grad_fn.name() == "PolygammaBackward0"
        assert L.polygamma(L.tensor(1), t).tolist() == L.polygamma(1, t).tolist()
        assert L.polygamma(np.int64(2), t).tolist() == L.polygamma(2, t).tolist()
    cases = [(lambda L: L.polygamma(-1, L.tensor(x)), RuntimeError,
              "polygamma(n, x) does not support negative n."),
             (lambda L: L.polygamma(1.5, L.tensor(x)), TypeError,
              "polygamma(): argument 'n' (position 1) must be int, not float"),
             (lambda L: L.polygamma(True, L.tensor(x)), TypeError,
              "polygamma(): argument 'n' (position 1) must be int, not bool"),
             (lambda L: L.polygamma(L.tensor(x), 1), TypeError,
              "polygamma(): argument 'n' (position 1) must be int, not Tensor"),
             (lambda L: L.polygamma(1, 2.0), TypeError,
              "polygamma(): argument 'input' (position 2) must be Tensor, not float"),
             (lambda L: L.tensor(x).polygamma(-2), RuntimeError, "does not support negative n"),
             (lambda L: L.tensor(x).polygamma_(2.0), TypeError, "must be int, not float")]
    for f, err, msg in cases:
        for L in (zerograd, torch):
            with pytest.raises(err) as e:
                f(L)
            assert msg in str(e.value), (L.__name__, msg, str(e.value))


def test_half_types_of_the_gamma_family_close_to_torch():
    vals = [0.3, 1.0, 2.5, -0.5, -2.5, 7.0, 30.0, 0.0, -1.0]
    for dt, name in itertools.product(("float16", "bfloat16"),
                                      ("lgamma", "digamma", "polygamma")):
        kw = {"n": 2} if name == "polygamma" else {}
        z = _call(zerograd, name, _tensor(zerograd, vals, dt), **dict(kw))
        t = _call(torch, name, _tensor(torch, vals, dt), **dict(kw))
        assert str(z.dtype) == str(t.dtype)
        _close(z, t, 1e-2, 1e-2, f"{name} {dt}")


# ------------------------------------------------------------------------------------------------
# in-place forms
# ------------------------------------------------------------------------------------------------

_INPLACE = {
    "tan_": lambda t: t.tan_(), "asin_": lambda t: t.asin_(), "arcsin_": lambda t: t.arcsin_(),
    "acos_": lambda t: t.acos_(), "arccos_": lambda t: t.arccos_(),
    "atan_": lambda t: t.atan_(), "arctan_": lambda t: t.arctan_(),
    "sinh_": lambda t: t.sinh_(), "cosh_": lambda t: t.cosh_(),
    "log2_": lambda t: t.abs_().log2_(), "log10_": lambda t: t.abs_().log10_(),
    "logit_": lambda t: t.logit_(), "logit_eps": lambda t: t.logit_(0.4),
    "logit_eps_kw": lambda t: t.logit_(eps=0.1),
    "sgn_": lambda t: t.sgn_(), "deg2rad_": lambda t: t.deg2rad_(),
    "rad2deg_": lambda t: t.rad2deg_(), "lgamma_": lambda t: t.lgamma_(),
    "digamma_": lambda t: t.digamma_(), "polygamma_": lambda t: t.polygamma_(2),
    "absolute_": lambda t: t.absolute_(), "negative_": lambda t: t.negative_(),
    "float_power_": lambda t: t.float_power_(1.5),
    "float_power_t": lambda t: t.float_power_(t.detach().abs() + 0.5),
    "heaviside_": lambda t: t.heaviside_(t.detach() * 0),
}


@pytest.mark.parametrize("name", list(_INPLACE))
def test_inplace_as_torch(name):
    """The same object comes back, its version (and its base's) is bumped, the node is torch's,
    and gradients flow through the in-place op on a view into the base (CopySlices)."""
    f = _INPLACE[name]
    res = []
    for L in (zerograd, torch):
        x = L.tensor([[0.5, -0.8, 0.2], [0.35, 0.6, -0.7]], dtype=L.float64, requires_grad=True)
        y = x * 1
        v = y[1]                                # a view: its base's history is rewritten
        before = y._version
        r = f(v)
        assert r is v
        assert y._version > before and v._version == y._version
        names = (v.grad_fn.name(), y.grad_fn.name())
        try:
            g, = L.autograd.grad((y * L.arange(6.0, dtype=L.float64).reshape(2, 3)).sum(), x)
            g = _np(g)
        except RuntimeError as e:
            g = str(e)
        res.append((_np(y), names, g))
    _close(zerograd.tensor(res[0][0]), torch.tensor(res[1][0]), 1e-12, 0, name)
    assert res[0][1] == res[1][1], name
    if isinstance(res[1][2], str):
        assert res[0][2] == res[1][2]
    else:       # (torch's float64 trigamma, digamma's derivative, is ~5e-10 from the exact one)
        np.testing.assert_allclose(res[0][2], res[1][2], rtol=2e-9, equal_nan=True)


@pytest.mark.parametrize("name", ["asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh"])
def test_inplace_inverse_hyperbolics_have_no_derivative_as_torch(name):
    """torch records asinh_/acosh_/atanh_ with their own node (AsinhBackward1...) whose backward
    raises NotImplementedError; the values are those of the out-of-place function."""
    errs = []
    for L in (zerograd, torch):
        x = L.tensor([1.5, 2.0], requires_grad=True)
        y = x * 1
        getattr(y, name + "_")()
        assert y.grad_fn.name() == name.replace("arc", "a").capitalize() + "Backward1"
        np.testing.assert_allclose(_np(y), _np(getattr(L, name)(x)), rtol=1e-6)
        with pytest.raises(NotImplementedError) as e:
            y.sum().backward()
        errs.append(str(e.value))
    assert errs[0] == errs[1]


def test_inplace_errors_as_torch():
    cases = [lambda L: L.tensor([1, 2]).tan_(),
             lambda L: L.tensor([1, 2]).lgamma_(),
             lambda L: L.tensor([True]).logit_(),
             lambda L: L.tensor([1.0, 2.0], requires_grad=True).tan_(),
             lambda L: L.tensor([1.0, 2.0], requires_grad=True).sgn_(),
             lambda L: L.tensor([1.0, 2.0]).float_power_(2),
             lambda L: L.tensor([1, 2]).float_power_(2),
             lambda L: L.tensor([1.0, 2.0], dtype=L.float64).float_power_(L.tensor([[1.0], [2.0]])),
             lambda L: L.tensor([True, False]).bitwise_and_(L.tensor([1, 0])),
             lambda L: L.tensor([1, 2]).bitwise_or_(L.tensor([[1, 2]])),
             lambda L: L.tensor([1, 2]).gcd_(2),
             lambda L: L.tensor([1, 2]).lcm_(L.tensor([1.0, 2.0])),
             lambda L: L.tensor([1.0, 2.0]).heaviside_(L.tensor([1.0, 2.0], dtype=L.float64)),
             lambda L: L.tensor([1.0]).polygamma_(-1),
             lambda L: L.tensor([0.5]).logit_("a")]
    for k, f in enumerate(cases):
        errs = []
        for L in (zerograd, torch):
            with pytest.raises(Exception) as e:
                f(L)
            errs.append((e.type, str(e.value).split(". Fix")[0].split(" (Triggered")[0]))
        assert errs[0][0] is errs[1][0], (k, errs)
        assert errs[1][1][:60] in errs[0][1], (k, errs)


def test_inplace_integer_forms_write_in_place():
    for L in (zerograd, torch):
        a = L.tensor([12, -10, 9], dtype=L.int32)
        v = a._version
        assert a.gcd_(L.tensor([8, 4, 6])) is a and a.tolist() == [4, 2, 3] and a._version > v
        assert a.lcm_(L.tensor([6, 5, 2], dtype=L.int8)) is a and a.tolist() == [12, 10, 6]
        assert a.bitwise_xor_(5) is a and a.tolist() == [9, 15, 3] and a.dtype == L.int32
        assert a.sgn_() is a and a.tolist() == [1, 1, 1]
        b = L.tensor([True, False])
        assert b.bitwise_or_(True) is b and b.tolist() == [True, True]


# ------------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------------

_ERRORS = [
    lambda L: L.tan(2.0), lambda L: L.arcsin(2.0), lambda L: L.lgamma([1.0]),
    lambda L: L.sgn(None), lambda L: L.absolute(2), lambda L: L.signbit(2.0),
    lambda L: L.positive(2.0), lambda L: L.deg2rad(1),
    lambda L: L.logit(L.tensor([0.5]), "a"), lambda L: L.logit(L.tensor([0.5]), eps="a"),
    lambda L: L.logit(L.tensor([0.5]), L.tensor([0.1, 0.2])),
    lambda L: L.tensor([0.5]).logit("a"), lambda L: L.tensor([0.5]).logit(eps=[0.1]),
    lambda L: L.fmax(L.tensor([1.0]), 2.0), lambda L: L.fmin(2, L.tensor([1.0])),
    lambda L: L.tensor([1.0]).fmax(2), lambda L: L.fmax(L.tensor([1.0, 2.0]), L.tensor([1.0] * 3)),
    lambda L: L.heaviside(L.tensor([1.0]), 0.5), lambda L: L.tensor([1.0]).heaviside(2),
    lambda L: L.heaviside(L.tensor([1.0, 2.0]), L.tensor([1.0] * 3)),
    lambda L: L.float_power(2, 3), lambda L: L.float_power(L.tensor([1.0]), "a"),
    lambda L: L.tensor([1.0]).float_power("a"),
    lambda L: L.float_power(L.tensor([1.0, 2.0]), L.tensor([1.0] * 3)),
    lambda L: L.bitwise_and(2, 3), lambda L: L.bitwise_or(L.tensor([1]), "a"),
    lambda L: L.tensor([1]).bitwise_xor("a"), lambda L: L.bitwise_and(L.tensor([1.5]), 1),
    lambda L: L.bitwise_and(L.tensor([1, 2]), L.tensor([1, 2, 3])),
    lambda L: L.bitwise_and(L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0, 3.0])),
    lambda L: L.gcd(L.tensor([2]), 2), lambda L: L.lcm(2, L.tensor([2])),
    lambda L: L.gcd(L.tensor([True]), L.tensor([False])),
    lambda L: L.lcm(L.tensor([1.0]), L.tensor([2])), lambda L: L.tensor([4]).gcd(2),
    lambda L: L.gcd(L.tensor([1, 2]), L.tensor([1.0, 2.0, 3.0])),
    lambda L: L.tensor([1, 2]).lcm(L.tensor([1, 2, 3])),
]


@pytest.mark.parametrize("k", range(len(_ERRORS)))
def test_errors_as_torch(k):
    """The exception type and the first line of torch's message (zerograd may add a hint)."""
    errs = []
    for L in (zerograd, torch):
        with pytest.raises(Exception) as e:
            _ERRORS[k](L)
        errs.append((e.type, str(e.value).splitlines()[0]))
    assert errs[0][0] is errs[1][0], errs
    assert errs[1][1] in errs[0][1] or errs[1][1].split(" (shapes")[0] in errs[0][1], errs


# ------------------------------------------------------------------------------------------------
# misc: views, empties, no warnings
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", _FLOAT_UNARY + ["sgn", "absolute"])
def test_non_contiguous_and_empty_inputs(name):
    rng = np.random.default_rng(4)
    a = rng.uniform(0.1, 0.9, (3, 4))
    for shape_fn in (lambda t: t.t(), lambda t: t[:, ::2], lambda t: t[:0]):
        z = _call(zerograd, name, shape_fn(zerograd.tensor(a)))
        t = _call(torch, name, shape_fn(torch.tensor(a)))
        assert tuple(z.shape) == tuple(t.shape)
        _close(z, t, 1e-12, 0, name)


def test_no_numpy_warnings_for_special_values():
    """Every function of the module on special values, forward and backward (first and second
    order), in a fresh process where RuntimeWarnings are errors: NumPy's floating-point warnings
    never reach the user (pytest's own warning filters would hide them in-process)."""
    code = """
import numpy as np, zerograd as z
vals = [0.0, -0.0, float('nan'), float('inf'), -float('inf'), 1.0, -1.0, 0.5, -0.5, -3.0, 1e-300,
        5e-324, 1e300, -1e300, 1e200, 800.0, -800.0, 2.6e305]
for dt in (z.float64, z.float32, z.float16):
    for name in %r:
        x = z.tensor(vals, dtype=dt, requires_grad=True)
        y = z.polygamma(3, x) if name == "polygamma" else getattr(z, name)(x)
        g, = z.autograd.grad(y.sum(), x, create_graph=True)
        if g.requires_grad:
            g.sum().backward()
        y.detach().sum().item()
    for eps in (None, 0.0, 0.3):
        x = z.tensor(vals, dtype=dt, requires_grad=True)
        z.logit(x, eps).sum().backward()
    x = z.tensor(vals, dtype=dt, requires_grad=True)
    y = z.tensor(vals[::-1], dtype=dt, requires_grad=True)
    for f in (z.fmax, z.fmin, z.float_power):
        f(x, y).sum().backward()
    z.float_power(x, 2.5).sum().backward(); z.float_power(-2.0, y).sum().backward()
    z.heaviside(x.detach(), y.detach()); z.signbit(x); z.sgn(x)
i = z.tensor([0, -128, 127, 5], dtype=z.int8); j = z.tensor([0, 0, -1, 3], dtype=z.int8)
z.gcd(i, j); z.lcm(i, j); i & j; i | 3; i ^ -1
l = z.tensor([-2**63, -2**63, 7, 0]); m = z.tensor([7, -1, -2**63, 0])
z.gcd(l, m); z.lcm(l, m)
print("ok")
""" % (_FLOAT_UNARY + ["sgn", "absolute", "polygamma"],)
    r = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "ok" and "Warning" not in r.stderr, r.stderr[-3000:]


@pytest.mark.parametrize("name", ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "gcd_", "lcm_",
                                  "fmax_in_place_absent", "heaviside_", "float_power_"])
def test_inplace_dtype_pairs_as_torch(name):
    """In-place forms over every dtype pair: the result is cast into the tensor where torch
    allows it; torch's error type where it does not (a float result into an integer tensor, a
    non-bool one into a bool tensor, float_power_ into anything but float64)."""
    if name == "fmax_in_place_absent":          # torch has no Tensor.fmax_ / fmin_ / signbit_
        for attr in ("fmax_", "fmin_", "signbit_", "positive_"):
            assert hasattr(torch.Tensor, attr) == hasattr(zerograd.Tensor, attr), attr
        return
    for da, db in itertools.product(_DTYPES, _DTYPES):
        def f(L, da=da, db=db):
            a = _tensor(L, np.resize(_vals(da), (2, 3)), da)
            r = getattr(a, name)(_tensor(L, _vals(db)[:3], db))
            assert r is a
            return a
        _same_outcome(f, f"{name}({da}, {db})")


@requires_torch
def test_shifts_as_torch():
    """<< and >> (and bitwise_left/right_shift, in place too): C's shifts in the result dtype,
    amounts outside [0, bits) give 0 or the sign fill, float and bool kernels refused."""
    cases = [
        lambda m: m.tensor([1, -8, 5, 3]) << 1, lambda m: m.tensor([1, -8, 5, 3]) >> 1,
        lambda m: m.tensor([1, -8, 5, 3]) << m.tensor([0, 1, 63, 64]),
        lambda m: m.tensor([1, -8, 5, 3]) >> m.tensor([0, 1, 63, 64]),
        lambda m: m.tensor([1, -8]) << -1, lambda m: m.tensor([1, -8]) >> -1,
        lambda m: 2 << m.tensor([1, -8, 5, 3]), lambda m: 100 >> m.tensor([1, 8, 5, 3]),
        lambda m: m.tensor([1, 2], dtype=m.uint8) << 7, lambda m: m.tensor([1, 2], dtype=m.int8) << 7,
        lambda m: m.tensor([1, -2], dtype=m.int8) >> 9, lambda m: m.tensor([True]) << 1,
        lambda m: m.bitwise_left_shift(m.tensor([4, 5]), 2),
        lambda m: m.tensor([4, 5]).bitwise_right_shift(m.tensor([1, 2], dtype=m.int32)),
        lambda m: m.tensor([4]).bitwise_left_shift_(1), lambda m: m.tensor([4]).__ilshift__(1.5),
        lambda m: m.bitwise_left_shift(m.tensor([1.5]), 1), lambda m: m.tensor([True]) >> True,
        lambda m: m.tensor([4, 5]) << m.tensor([1, 2, 3]), lambda m: 1.5 << m.tensor([1]),
    ]
    for i, f in enumerate(cases):
        seen = []
        for m in (zerograd, torch):
            try:
                r = f(m)
                seen.append((str(r.dtype).split(".")[-1], r.tolist()))
            except (RuntimeError, NotImplementedError, TypeError) as e:
                seen.append((type(e).__name__, str(e).split(". (")[0]))   # (a hint may follow)
        assert seen[0] == seen[1], i
    x = zerograd.tensor([1, 2])
    y = x
    x <<= 2
    assert x is y and x.tolist() == [4, 8] and x._version == 1
