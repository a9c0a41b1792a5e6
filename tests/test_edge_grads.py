"""Gradients at the edges, against PyTorch: ties, zeros, ±inf and NaN in the inputs of the ops
whose backward special-cases them (found by probing every op with such inputs, session 14).

Each case runs the same code in both libraries in float64 and compares values and gradients,
NaN for NaN, -0.0 only where the sign is part of the contract.
"""
import warnings

import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch

SPECIALS = [0.0, -0.0, 0.5, 1.0, -1.0, 2.0, -3.0, np.nan, np.inf, -np.inf]


def _run(L, fn, arrays, rg=None, upstream=None):
    """fn(L, *tensors) and each input's gradient (None where it needs none)"""
    rg = rg or [True] * len(arrays)
    ts = [L.tensor(a, dtype=L.float64, requires_grad=r) for a, r in zip(arrays, rg)]
    y = fn(L, *ts)
    w = upstream if upstream is not None else np.arange(1.0, 1 + y.numel()).reshape(tuple(y.shape))
    (y * L.tensor(w, dtype=L.float64)).sum().backward()
    return ([y.detach().numpy().copy()] +
            [None if t.grad is None else t.grad.numpy().copy() for t in ts])


def _same(fn, arrays, rg=None, upstream=None, rtol=1e-12):
    want = _run(torch, fn, arrays, rg, upstream)
    got = _run(zerograd, fn, arrays, rg, upstream)
    for w, g in zip(want, got):
        assert (w is None) == (g is None), (want, got)
        if w is not None:
            assert w.shape == g.shape
            np.testing.assert_allclose(g, w, rtol=rtol, atol=0, equal_nan=True,
                                       err_msg=f"\ntorch:    {want}\nzerograd: {got}")


def _specials(rng, shape):
    return rng.choice(SPECIALS, size=shape)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_backward(reduce):
    """Every reduction, with self or src not requiring grad (the backward crashed reading the
    missing input's shape), NaN and ±inf among the values."""
    rng = np.random.default_rng(len(reduce))
    for trial in range(36):
        src = _specials(rng, (3, 4)) if trial % 2 else rng.integers(-2, 3, (3, 4)) * 1.0
        self_ = rng.integers(-2, 3, (3, 3)) * 1.0
        index = rng.integers(0, 3, (3, 4))
        rg = [(True, True), (False, True), (True, False)][trial % 3]
        # (include_self=False for amax/amin: a left-out self equal to the result is counted
        # by torch, not by zerograd - test_join.py::test_scatter_reduce_excluded_self_is_no_tie)
        include_self = bool(trial % 2) or reduce in ("amax", "amin")

        def fn(L, s, x):
            return s.scatter_reduce(1, L.tensor(index), x, reduce, include_self=include_self)
        _same(fn, [self_, src], rg)


def test_scatter_reduce_left_out_self_gets_plus_zero():
    """include_self=False: where self was left out its gradient is +0, whatever the sources."""
    def fn(L, s, x):
        return s.scatter_reduce(0, L.tensor([0, 0]), x, "amax", include_self=False)
    _same(fn, [[1.0, 2.0], [np.nan, np.nan]])
    got = _run(zerograd, fn, [[1.0, 2.0], [np.nan, np.nan]])
    assert str(got[1].tolist()) == "[0.0, 2.0]"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_max_min_all_with_nan_and_ties():
    """max() / min() over everything: g shared by the elements equal to the result - the NaNs
    when it is NaN (it was NaN everywhere) - and exactly 0 elsewhere, even for an inf g."""
    for vals in ([[np.nan, 1.0, 2.0, 0.0], [1.0, np.nan, 3.0, 4.0]], [[3.0, 1.0], [3.0, 3.0]],
                 [[-np.inf, -np.inf], [1.0, 2.0]]):
        for op in ("max", "min"):
            _same(lambda L, x: getattr(x, op)(), [vals])
            _same(lambda L, x: getattr(x, op)(), [vals], upstream=np.array(np.inf))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("op", ["maximum", "minimum", "max", "min"])
def test_binary_max_min_with_nan(op):
    """torch's maximum/minimum backward: g/2 each on a tie, 0 to the loser, g otherwise - so a
    comparison with NaN gives g to both (zerograd gave 0)."""
    rng = np.random.default_rng(3)
    for _ in range(10):
        a, b = _specials(rng, (3, 4)), _specials(rng, (3, 4))
        _same(lambda L, x, y: getattr(L, op)(x, y), [a, b])
        _same(lambda L, x, y: getattr(L, op)(x, y), [a, b[0]])         # broadcasting
        _same(lambda L, x: getattr(L, op)(x, x), [a])                  # ties everywhere


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, np.inf, -np.inf])
def test_vector_norm_at_zeros_and_non_finite(p):
    """p < 2 with a zero element gave NaN gradients (torch: 0); the inf-norms with a NaN gave
    NaN everywhere (torch: g shared by the NaNs, times sign(NaN) = 0)."""
    rng = np.random.default_rng(int(p * 7) if np.isfinite(p) else 99)
    for trial in range(24):
        x = _specials(rng, (3, 4)) if trial % 2 else rng.integers(-2, 3, (3, 4)) * 0.5
        dim = [None, 1, 0, (0, 1)][trial % 4]
        keepdim = bool(trial % 3)
        _same(lambda L, t: L.linalg.vector_norm(t, p, dim=dim, keepdim=keepdim), [x], rtol=1e-9)
    _same(lambda L, t: L.linalg.vector_norm(t, p), [[0.0, 1.0, -2.0]], rtol=1e-9)


def test_norm_double_backward_at_zero_stays_finite():
    """A zero vector's norm: the masked-out quotient divides by a stand-in 1, so the second
    derivative is 0 there, not NaN (torch's is NaN at p = 2).  (p < 2: |a|^(p-1) itself has an
    infinite derivative at 0, in torch too.)"""
    x = zerograd.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=zerograd.float64, requires_grad=True)
    for p in (2, 3):
        n = zerograd.linalg.vector_norm(x, p, dim=1)
        g, = zerograd.autograd.grad(n.sum(), x, create_graph=True)
        h, = zerograd.autograd.grad(g.sum(), x)
        assert np.isfinite(h.numpy()).all(), (p, h)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_pow_edges():
    """a ** b: no gradient to a where b = 0, none to b where a = 0 and b >= 0 (0·log 0);
    c ** b with c = 0 likewise; a ** e computed as torch's kernel computes it."""
    rng = np.random.default_rng(5)
    for _ in range(12):
        a, b = _specials(rng, (3, 4)), _specials(rng, (3, 4))
        _same(lambda L, x, y: x ** y, [a, b])
        _same(lambda L, y: L.pow(0.0, y), [b])
        _same(lambda L, y: L.pow(2.0, y), [b])
        for e in (0.5, -0.5, 2, 3, -1, -2, 1.5, 0):
            _same(lambda L, x: x.pow(e), [a])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("e", [2, 3, -2, -0.5, -1])
def test_pow_scalar_bits_as_torch(dtype, e):
    """torch computes x ** 3, x ** -2 and x ** -0.5 as x·x·x, 1/(x·x) and 1/sqrt(x): the same
    bits (np.power differed in the last bit in ~30% of them)."""
    x = (np.random.default_rng(0).standard_normal(4096) * 3).astype(dtype)
    x[:4] = [-0.0, 0.0, -np.inf, np.inf]
    res = []
    for L in (torch, zerograd):
        t = L.tensor(x, requires_grad=True)
        y = t.pow(e)
        y.backward(L.ones_like(y))
        res.append((y.detach().numpy(), t.grad.numpy()))
    # (the backward's x ** (e - 1) is bit for bit torch's where that is a special case too;
    # torch's vectorised pow for other exponents rounds differently from C's pow)
    pairs = list(zip(*res)) if e in (2, 3, -1) else list(zip(*res))[:1]
    for w, g in pairs:
        assert np.array_equal(w, g, equal_nan=True)
        assert np.array_equal(np.signbit(w), np.signbit(g))
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_prod_with_several_zeros():
    """torch's prod_backward: more than one zero in a full product gives zero gradients
    (NaNs or not); one zero, the product of the others; none, z / x."""
    for vals in ([[np.nan, 1.0, 2.0, 0.0], [0.0, 1.0, 3.0, 4.0]], [[0.0, 0.0], [np.inf, 2.0]],
                 [[0.0, 2.0], [np.nan, 3.0]], [[1.0, 2.0], [np.nan, 3.0]]):
        _same(lambda L, x: x.prod(), [vals])
        _same(lambda L, x: x.prod(1), [vals])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("call", [
    lambda L, x: L.linalg.svdvals(x),
    lambda L, x: L.linalg.matrix_norm(x, 2),
    lambda L, x: L.linalg.matrix_norm(x, "nuc"),
    lambda L, x: L.linalg.pinv(x),
    lambda L, x: L.linalg.matrix_rank(x),
    lambda L, x: L.linalg.cholesky(x),
])
def test_linalg_failures_raise_torchs_error(call):
    """Non-finite input: torch's LinAlgError (a RuntimeError) and message, not NumPy's
    LinAlgError; a NaN in cholesky's input stops at its leading minor as LAPACK does."""
    for m in ([[np.nan, 1.0], [1.0, 2.0]], [[1.0, 1.0], [1.0, np.nan]]):
        errors = []
        for L in (torch, zerograd):
            try:
                call(L, L.tensor(m, dtype=L.float64))
                errors.append(None)
            except Exception as e:          # noqa: BLE001 - compared below
                errors.append((isinstance(e, RuntimeError), type(e).__name__, str(e)))
        assert errors[0] == errors[1]
        if errors[1] is not None:
            assert errors[1][1] == "_LinAlgError"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("bounds", ["both", "min", "max"])
def test_clamp_tensor_bounds(bounds):
    """clamp(a, lo, hi) with tensor bounds: where lo > hi the result is hi, so its gradient goes
    to hi (it went to lo: a wrong gradient); a NaN in a gives a nothing (torch's)."""
    rng = np.random.default_rng(len(bounds))
    for trial in range(40):
        shapes = [(3, 4), (4,), (3, 1)]
        arrays = [_specials(rng, s) if trial % 2 else rng.standard_normal(s) for s in shapes]

        def fn(L, a, lo, hi):
            if bounds == "both":
                return L.clamp(a, lo, hi)
            return L.clamp(a, min=lo) if bounds == "min" else L.clamp(a, max=hi)
        _same(fn, arrays, rg=[True, bounds != "max", bounds != "min"])
    # the case that was wrong: lo = 2 > hi = 1, every output is hi
    got = _run(zerograd, lambda L, a, lo, hi: L.clamp(a, lo, hi), [[0.0, 1.5, 3.0], [2.0], [1.0]])
    assert got[0].tolist() == [1.0, 1.0, 1.0] and got[2].tolist() == [0.0] and got[3].tolist() == [6.0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_div_divisor_gradient_bits(dtype):
    """d(a/b)/db = -g·(a/b)/b, as torch: a/b² gave NaN where b² underflows (b = 1e-30 in
    float32) and lost digits where it is subnormal; now the same bits as torch's."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal(4096).astype(dtype)
    b = (rng.standard_normal(4096) * 10.0 ** rng.integers(-30, 30, 4096)).astype(dtype)
    res = []
    for L in (torch, zerograd):
        x, y = L.tensor(a, requires_grad=True), L.tensor(b, requires_grad=True)
        (x / y).backward(L.ones(4096, dtype=getattr(L, dtype)))
        res.append((x.grad.numpy(), y.grad.numpy()))
    for w, g in zip(*res):
        assert np.array_equal(w, g, equal_nan=True)
    _same(lambda L, x, y: x / y, [[0.0, np.inf], [1e-300, 1e300]])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("v", [np.nan, np.inf, -np.inf, 2.0])
def test_zero_dim_softmax_and_prod(v):
    """A 0-d input: softmax exp(x - x) (NaN for NaN and ±inf, it was 1), log_softmax x - x, and
    their gradients; prod of a 0-d tensor passes g through (it gave NaN for inf)."""
    for fn in (lambda L, x: L.nn.functional.softmax(x, 0),
               lambda L, x: L.nn.functional.log_softmax(x, 0),
               lambda L, x: L.nn.functional.softmin(x, 0),
               lambda L, x: x.prod(), lambda L, x: x.prod(0)):
        _same(fn, [v], upstream=np.array(1.5))


def test_sinc_gradient_where_pi_a_squared_underflows():
    _same(lambda L, x: L.sinc(x), [[1e-300, 0.0, 1e-160, 0.3, -2.0]], rtol=1e-9)
    got = _run(zerograd, lambda L, x: L.sinc(x), [[1e-300]])
    assert got[1].tolist() == [0.0]


def test_ldexp_scales_exactly():
    """x · 2^e for integer e by scaling (2^e alone may not fit: float32 1e30 · 2^-200)."""
    for x, e, dt in [([1e30], [-200], "float32"), ([np.inf], [-1100], "float64"),
                     ([1e300], [-1100], "float64"), ([1.5, -2.0, 3.0], [3, -2, 0], "float32")]:
        want = torch.ldexp(torch.tensor(x, dtype=getattr(torch, dt)), torch.tensor(e))
        got = zerograd.ldexp(zerograd.tensor(x, dtype=getattr(zerograd, dt)), zerograd.tensor(e))
        assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype)


def test_numpy_warnings_made_errors_do_not_escape():
    """torch computes log(0) = -inf and 1/0 = inf silently.  zerograd's warning filter hides
    NumPy's warnings, but a user's simplefilter("error") (pytest -W error) comes first: the hot
    paths and the backward now compute quietly anyway, instead of raising RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = zerograd.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        y = x.log().sum() + (x / 0).sum() + x.sqrt().sum() + x.pow(-0.5).sum() + \
            (zerograd.tensor(1000.0).exp() * x).sum() + x.reciprocal().sum()
        y.backward()
        want = (torch.tensor([-1.0, 0.0, 2.0], requires_grad=True))
        w = want.log().sum() + (want / 0).sum() + want.sqrt().sum() + want.pow(-0.5).sum() + \
            (torch.tensor(1000.0).exp() * want).sum() + want.reciprocal().sum()
        w.backward()
    assert str(y.item()) == str(w.item())
    assert [str(v) for v in x.grad.tolist()] == [str(v) for v in want.grad.tolist()]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_statistics_in_float32(dtype):
    """var/std/norm/layer_norm of half types accumulate in float32 and round once, as torch: in
    float16 the squares overflow from 256 on (std of [0, 65504] was inf, layer_norm all zeros)."""
    x = np.array([[-3.0, -1.0, 0.5, 2.0, 65504.0, 0.0], [1.0, 300.0, -300.0, 2.0, 3.0, 4.0]],
                 np.float32)

    def run(L):
        out = []
        for f in (lambda t: t.std(), lambda t: t.var(1), lambda t: t.norm(),
                  lambda t: t.norm(p=3, dim=1), lambda t: L.linalg.vector_norm(t, 1),
                  lambda t: L.nn.functional.layer_norm(t, (6,))):
            t = L.tensor(x, dtype=getattr(L, dtype))
            y = f(t)
            out.append((str(y.dtype), y.float().flatten().tolist()))
        return out
    assert run(zerograd) == run(torch)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_half_gelu_in_float32(dtype, approximate):
    """gelu of half types computed in float32 and rounded once, as torch (in float16 gelu(-3)
    was 8% off): the same values and gradients (to the rounding, and but for the far negative
    tail, where torch's 1 + erf cancels to 0 and zerograd's Φ keeps its digits)."""
    x = np.array([-8.0, -3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 5.0], np.float32)
    res = []
    for L in (torch, zerograd):
        t = L.tensor(x, dtype=getattr(L, dtype), requires_grad=True)
        y = L.nn.functional.gelu(t, approximate=approximate)
        y.backward(L.ones_like(y))
        res.append((str(y.dtype), y.float().tolist(), t.grad.float().tolist()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-2, atol=1e-3)


# ---- var / std with n - correction <= 0 (session 15) -------------------------------------

_FEW_DOF_INPUTS = [[1.0, 2.0, 3.0], [2.0, 2.0], [[1.0, 2.0, 3.0], [4.0, 4.0, 5.0]],
                   [1.0, np.nan, 3.0], [1.0, np.inf]]


def _var_family(name, kw):
    def fn(L, x):
        out = getattr(L, name)(x, **kw)
        return out[0] * 1.0 + out[1] * 3.0 if isinstance(out, tuple) else out
    return fn


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
@pytest.mark.parametrize("kw", [{"correction": 3}, {"correction": 6}, {"correction": 2},
                                {"dim": 0, "correction": 4}, {"dim": -1, "correction": 3},
                                {"correction": 0}, {"correction": 1.5}])
@pytest.mark.parametrize("x", _FEW_DOF_INPUTS, ids=["123", "equal", "2d", "nan", "inf"])
def test_var_std_with_no_degrees_of_freedom(name, kw, x):
    """Over every element (no dim) with n - correction <= 0 torch's gradient is g·inf, nan where
    x equals the mean (zerograd gave 2/(n - c)·(x - mean): finite, or ±inf by sign); with a dim
    it keeps the formula, negative n - c and all."""
    _same(_var_family(name, kw), [np.array(x)], rtol=1e-15)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_var_no_dof_gradient_is_a_constant():
    """torch's g·inf factor is not differentiable: a second derivative through it is None."""
    for L in (torch, zerograd):
        x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
        g, = L.autograd.grad(x.var(correction=4), x, create_graph=True)
        assert g.grad_fn is None and g.tolist()[0] == float("inf") and np.isnan(g.tolist()[1])


# ---- half types times a scalar (session 15) -------------------------------------------------

_HALF_VALS = [-65504.0, -2.5, -1e-3, -0.0, 0.0, 1e-7, 3.0, 1000.0, 65504.0, np.inf, np.nan]
_HALF_SCALARS = [100000, 1e5, 1e-3, -1e-8, 3, 0.1, 70000.0, 1e-30, True, 2 ** 40]
_HALF_OPS = {"mul": lambda x, s: x * s, "rmul": lambda x, s: s * x, "div": lambda x, s: x / s,
             "rdiv": lambda x, s: s / x, "add": lambda x, s: x + s, "sub": lambda x, s: x - s,
             "rsub": lambda x, s: s - x, "gt": lambda x, s: x > s, "eq": lambda x, s: x == s}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("zero_d", [False, True], ids=["number", "0-d tensor"])
@pytest.mark.parametrize("op", sorted(_HALF_OPS))
def test_half_tensor_with_a_scalar_as_torch(dt, zero_d, op):
    """torch's CPU kernels read a scalar second operand of * and / in float32 and round the
    product once; +, -, comparisons and a scalar first convert it to the half type.  zerograd
    converted it always: float16 x * 1e5 was nan at 0, x / 1e5 was 0."""
    f = _HALF_OPS[op]
    for s in _HALF_SCALARS:
        res = []
        for L in (torch, zerograd):
            x = L.tensor(_HALF_VALS).to(getattr(L, dt))
            try:
                r = f(x, L.tensor(s) if zero_d else s)
            except RuntimeError as e:           # (x - True: torch's error, in both)
                res.append((type(e).__name__, str(e)))
                continue
            res.append((str(r.dtype).split(".")[-1], r.float().numpy()))
        assert res[1][0] == res[0][0]
        if res[0][0] == "RuntimeError":
            assert res[1][1] == res[0][1]
            continue
        np.testing.assert_array_equal(res[1][1], res[0][1], err_msg=f"{op} {s}")


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float32", "float64"])
def test_scalar_products_gradients_as_torch(dt):
    """The VJPs of x * s, x / s, s / x (torch: reciprocal, then * s) with torch's rounding: the
    scalar in float32 for half types, -g·(z·z) for the reciprocal."""
    ops = [lambda x, s: x * s, lambda x, s: x / s, lambda x, s: s / x, lambda x, s: s * x]
    for s in (1e5, 1e-3, 3, 1e-8, 0.1):
        for f in ops:
            res = []
            for L in (torch, zerograd):
                x = L.tensor([-2.5, 0.0, 3.0, 1e-3, 0.7]).to(getattr(L, dt)).requires_grad_()
                y = f(x, s)
                y.backward(L.tensor([1.0, 2.0, 0.5, 1.0, 3.0]).to(getattr(L, dt)))
                res.append((y.detach().float().numpy(), x.grad.float().numpy()))
            for a, b in zip(res[1], res[0]):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_float32_cumulative_ops_accumulate_as_torch(op):
    """torch's CPU cumsum/cumprod of float32 accumulate in float64 (its acc_type), the
    gradient's reversed cumsum too; a float32 running sum drifted (session 15)."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((3, 20000)) * 100).astype(np.float32) if op == "cumsum" else \
        (1 + rng.standard_normal((3, 2000)) * 0.01).astype(np.float32)
    res = []
    for L in (torch, zerograd):
        t = L.tensor(x, requires_grad=True)
        y = getattr(t, op)(1)
        y.backward(L.ones_like(y))
        res.append((y.detach().numpy(), t.grad.numpy()))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_array_equal(res[1][1], res[0][1])


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", ["sigmoid", "rsqrt", "silu"])
def test_half_activations_round_once_as_torch(dt, op):
    """sigmoid, rsqrt and silu of half types computed in float32 and rounded once, as torch's
    kernels (1 ulp off on ~40% of inputs before); silu's gradient and bfloat16 sigmoid's too."""
    vals = np.linspace(-8, 8, 161).astype(np.float32)
    res = []
    for L in (torch, zerograd):
        x = L.tensor(vals).to(getattr(L, dt)).requires_grad_()
        xx = x.abs() + 0.01 if op == "rsqrt" else x
        f = L.nn.functional.silu if op == "silu" else getattr(L, op)
        y = f(xx)
        y.backward(L.ones_like(y))
        res.append((y.float().detach().numpy(), x.grad.float().numpy()))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    if op == "silu" or (op == "sigmoid" and dt == "bfloat16"):
        np.testing.assert_array_equal(res[1][1], res[0][1])
    else:                           # (torch's half pow(3) and float16 sigmoid_backward: an ulp)
        np.testing.assert_allclose(res[1][1], res[0][1], rtol=2 ** -7)
