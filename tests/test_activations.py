"""nn.functional's activations against torch, beyond the op table (tests/op_db.py rows in
zerograd/testing/op_db_activations.py cover values, gradients, node chains and gradcheck away
from the kinks):

  the kinks themselves: values, first and second derivatives exactly at 0, ±lambd, ±3, the
      hardtanh bounds, the threshold, softplus's beta·x == threshold, and the in-place forms there
  extreme inputs (±1000, ±inf, nan, -0.0) through forward and backward, float32 and float64
  float16 / bfloat16: computed in float32 and rounded once, as torch does
  integer and bool inputs: torch's errors (type and message) or its integer results
  the scalars' conversions (overflow errors, integer truncation) and argument checks
  in-place forms: the same object, one version bump, torch's nodes, the leaf error, views,
      tensors modified after the in-place op, negative slopes
  the modules' constructors and repr(); the public names (torch.selu, Tensor.hardshrink ...)
"""
from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch


def F(m):
    return m.nn.functional


# name -> f(m, x): one spelling for both libraries (m is zerograd or torch)
ACTS = {
    "softplus": lambda m, x: F(m).softplus(x),
    "softplus_beta2_th3": lambda m, x: F(m).softplus(x, beta=2.0, threshold=3.0),
    "softplus_beta_neg": lambda m, x: F(m).softplus(x, beta=-1.0, threshold=2.0),
    "elu": lambda m, x: F(m).elu(x),
    "elu_alpha2": lambda m, x: F(m).elu(x, alpha=2.0),
    "elu_alpha_neg": lambda m, x: F(m).elu(x, alpha=-0.5),
    "selu": lambda m, x: F(m).selu(x),
    "celu": lambda m, x: F(m).celu(x),
    "celu_alpha03": lambda m, x: F(m).celu(x, alpha=0.3),
    "leaky_relu": lambda m, x: F(m).leaky_relu(x),
    "leaky_relu_neg": lambda m, x: F(m).leaky_relu(x, -0.3),
    "hardtanh": lambda m, x: F(m).hardtanh(x),
    "hardtanh_bounds": lambda m, x: F(m).hardtanh(x, -0.5, 1.5),
    "hardtanh_point": lambda m, x: F(m).hardtanh(x, 1.0, 1.0),
    "relu6": lambda m, x: F(m).relu6(x),
    "logsigmoid": lambda m, x: F(m).logsigmoid(x),
    "mish": lambda m, x: F(m).mish(x),
    "hardsigmoid": lambda m, x: F(m).hardsigmoid(x),
    "hardswish": lambda m, x: F(m).hardswish(x),
    "softsign": lambda m, x: F(m).softsign(x),
    "tanhshrink": lambda m, x: F(m).tanhshrink(x),
    "softshrink": lambda m, x: F(m).softshrink(x),
    "softshrink_1": lambda m, x: F(m).softshrink(x, 1.0),
    "softshrink_0": lambda m, x: F(m).softshrink(x, 0.0),
    "hardshrink": lambda m, x: F(m).hardshrink(x),
    "hardshrink_1": lambda m, x: F(m).hardshrink(x, 1.0),
    "hardshrink_neg": lambda m, x: F(m).hardshrink(x, -1.0),
    "threshold": lambda m, x: F(m).threshold(x, 0.5, 2.0),
    "threshold_neg": lambda m, x: F(m).threshold(x, -1.0, -20.0),
    "glu": lambda m, x: F(m).glu(x, 0),
    "glu_flipped": lambda m, x: F(m).glu(x.flip(0), 0),
}

# the in-place forms, applied to a clone (the clone is what changes)
INPLACE = {
    "elu_": lambda m, x: F(m).elu_(x),
    "elu_inplace_alpha2": lambda m, x: F(m).elu(x, 2.0, inplace=True),
    "selu_inplace": lambda m, x: F(m).selu(x, inplace=True),
    "torch.selu_": lambda m, x: m.selu_(x),
    "celu_inplace": lambda m, x: F(m).celu(x, 0.3, inplace=True),
    "torch.celu_": lambda m, x: m.celu_(x, 2.0),
    "leaky_relu_": lambda m, x: F(m).leaky_relu_(x, 0.2),
    "leaky_relu_inplace": lambda m, x: F(m).leaky_relu(x, inplace=True),
    "hardtanh_": lambda m, x: F(m).hardtanh_(x),
    "hardtanh_inplace": lambda m, x: F(m).hardtanh(x, -0.5, 1.5, inplace=True),
    "relu6_inplace": lambda m, x: F(m).relu6(x, inplace=True),
    "mish_inplace": lambda m, x: F(m).mish(x, inplace=True),
    "hardsigmoid_inplace": lambda m, x: F(m).hardsigmoid(x, inplace=True),
    "hardswish_inplace": lambda m, x: F(m).hardswish(x, inplace=True),
    "threshold_": lambda m, x: F(m).threshold_(x, 0.5, 2.0),
    "threshold_inplace": lambda m, x: F(m).threshold(x, -1.0, -20.0, inplace=True),
    "torch.threshold_": lambda m, x: m.threshold_(x, 0.5, 2.0),
    "silu_inplace": lambda m, x: F(m).silu(x, inplace=True),
}

ALL = {**ACTS, **{k: (lambda f: lambda m, x: f(m, x.clone()))(f) for k, f in INPLACE.items()}}

# every kink of the table above, and its neighbours
KINKS = [-6.0, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 6.0, 20.0]
# extremes: overflow, underflow, infinities, nan
EXTREMES = [-math.inf, -1000.0, -100.0, -30.0, -1e-30, -0.0, 0.0, 1e-30, 30.0, 100.0, 1000.0,
            math.inf, math.nan, -50.0]


def _outcome(m, f, arr, grad=True, order=2, seed=0):
    """('ok', value, [grads...], grad node names) or ('error', type, message): the output, its
    gradient for an upstream of ones, and the second derivative for a fixed random upstream."""
    x = (torch.from_numpy if m is torch else zerograd.from_numpy)(arr.copy())
    if grad and arr.dtype.kind == "f":
        x.requires_grad_(True)
    try:
        y = f(m, x)
    except Exception as e:  # noqa: BLE001 - compared with torch's
        return "error", type(e), str(e)
    out = [y.detach().numpy().copy()]
    names = []
    if not (grad and y.requires_grad):
        return "ok", out, names
    try:
        g, = m.autograd.grad(y.sum(), x, create_graph=order > 1)
        out.append(g.detach().numpy().copy())
        names.append(g.grad_fn.name() if g.grad_fn is not None else None)
        if order > 1 and g.requires_grad:
            r = np.random.default_rng(seed).standard_normal(arr.shape).astype(arr.dtype)
            r = (torch.from_numpy if m is torch else zerograd.from_numpy)(r)
            gg, = m.autograd.grad((g * r).sum(), x)
            out.append(gg.numpy().copy())
    except Exception as e:  # noqa: BLE001
        return "error", type(e), str(e)
    return "ok", out, names


def _same(z, t, tols, what, signs=False):
    """Equal outcomes: the same error, or the same dtypes and values (tols[k] = (rtol, atol) for
    the value, the gradient, the second derivative); with `signs`, the forward's zeros carry
    torch's signs too."""
    assert z[0] == t[0], f"{what}: zerograd {z}, torch {t}"
    if z[0] == "error":
        assert z[1] is t[1] and z[2] == t[2], f"{what}: zerograd {z[1:]}, torch {t[1:]}"
        return
    assert len(z[1]) == len(t[1]) and z[2] == t[2], f"{what}: {z[2]} vs {t[2]}"
    for k, (a, b) in enumerate(zip(z[1], t[1])):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{what}[{k}]: {a.dtype} {b.dtype}"
        rtol, atol = tols[k]
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True, err_msg=f"{what}[{k}]")
        if signs and k == 0:
            zero = b == 0
            np.testing.assert_array_equal(np.signbit(a[zero]), np.signbit(b[zero]),
                                          err_msg=f"{what}[{k}]: the sign of a zero")


# (rtol, atol) for the value, the gradient, the second derivative (which torch and zerograd
# compute as different sequences of ops: looser)
TOL = {np.float64: [(1e-12, 1e-300), (1e-12, 1e-300), (1e-9, 1e-15)],
       np.float32: [(2e-6, 1e-30), (2e-6, 1e-30), (1e-4, 1e-6)]}
# softsign and tanhshrink are compositions of the core ops (div, abs, tanh, sub), whose float32
# gradients round differently from torch's where they cancel (1/(1 + |x|)² at x = ±1000)
COMPOSED = {"softsign", "tanhshrink"}
# torch's softshrink gives +0 between the bounds in its vectorized loop and x·0 (-0.0 for
# negative x) in the scalar tail: the sign of those zeros depends on the element's position
# (and the CPU's vector width), so it is not compared; zerograd gives +0
POSITIONAL_ZERO_SIGNS = {"softshrink", "softshrink_1", "softshrink_0"}


def _tols(name, dtype):
    tols = TOL[dtype]
    if name in COMPOSED and dtype == np.float32:
        tols = [tols[0], (2e-4, 1e-12), tols[2]]
    if _from_result(name) and dtype == np.float32:
        tols = [tols[0], (2e-6, 1e-6), tols[2]]
    return tols


def _from_result(name):
    """The in-place ELU family: the gradient comes from the output (y + α·scale for x < 0), where
    far from 0 a one-ulp difference in torch's exp (its AVX-512 kernels round differently from
    its AVX2 ones) is a whole ulp of α·scale after the cancellation: compared to ~1e-6 absolute."""
    return "elu" in name and (name.endswith("_") or "inplace" in name)


# ------------------------------------------------------------------------------------------------
# the kinks, exactly
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_values_and_derivatives_at_the_kinks_are_torchs(name, dtype):
    """At x == 0 (leaky_relu, elu, celu, selu), at the hardtanh/relu6 bounds, at ±3
    (hardsigmoid/hardswish), at ±lambd (softshrink/hardshrink), at the threshold and where
    beta·x == threshold (softplus), torch picks one side for each derivative; so must we: the
    value, the gradient, the second derivative (or torch's error for it: hardsigmoid) and the
    node of the gradient are torch's."""
    arr = np.array(KINKS, dtype)
    z = _outcome(zerograd, ALL[name], arr)
    t = _outcome(torch, ALL[name], arr)
    _same(z, t, _tols(name, dtype), what=name, signs=name not in POSITIONAL_ZERO_SIGNS)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_extreme_inputs_as_torch(name, dtype):
    """±inf, nan, ±1000 (exp overflows), ±1e-30, -0.0: forward values and gradients as torch's
    (softplus switches to x above its threshold, logsigmoid stays finite for large negative x,
    mish is x·tanh(log1p(exp(x))), nan passes where torch's comparisons let it pass)."""
    arr = np.array(EXTREMES, dtype)
    z = _outcome(zerograd, ALL[name], arr, order=1)
    t = _outcome(torch, ALL[name], arr, order=1)
    _same(z, t, _tols(name, dtype), what=name, signs=name not in POSITIONAL_ZERO_SIGNS)


def test_softplus_follows_its_threshold_and_logsigmoid_never_overflows():
    """Checks that need no oracle: softplus(x) is x itself above the threshold (not
    log1p(exp(x)), which is inf for x = 1000), logsigmoid(-1000) is -1000, not -inf."""
    x = zerograd.tensor([-1000.0, 19.0, 21.0, 1000.0], requires_grad=True)
    y = F(zerograd).softplus(x)
    assert y.tolist()[2:] == [21.0, 1000.0] and y.tolist()[0] == 0.0
    assert abs(y.tolist()[1] - math.log1p(math.exp(19.0))) < 1e-5
    y.sum().backward()
    assert x.grad.tolist()[2:] == [1.0, 1.0] and x.grad.tolist()[0] == 0.0
    ls = F(zerograd).logsigmoid(zerograd.tensor([-1000.0, 0.0, 1000.0], dtype=zerograd.float64))
    assert ls.tolist() == [-1000.0, -math.log(2.0), 0.0]


# ------------------------------------------------------------------------------------------------
# half precision
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_half_precision_as_torch(name, dtype):
    """float16 and bfloat16 keep their dtype and are computed in float32 and rounded once, as
    torch's CPU kernels do: values and gradients within one or two units in the last place."""
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes")
    rng = np.random.default_rng(1)
    base = np.concatenate([rng.uniform(-8, 8, 19), np.array(KINKS)]).astype(np.float32)
    results = []
    for m in (zerograd, torch):
        x = (torch if m is torch else zerograd).from_numpy(base.copy()).to(getattr(m, dtype))
        x.requires_grad_(True)
        try:
            y = ALL[name](m, x)
            g, = m.autograd.grad(y.sum(), x)
        except Exception as e:  # noqa: BLE001
            results.append((type(e), str(e)))
            continue
        assert str(y.dtype) == f"torch.{dtype}" and str(g.dtype) == f"torch.{dtype}"
        results.append((y.detach().float().numpy(), g.float().numpy()))
    if any(len(r) == 2 and isinstance(r[0], type) for r in results):
        assert results[0] == results[1]
        return
    (zy, zg), (ty, tg) = results
    tol = 2e-3 if dtype == "float16" else 1.6e-2
    np.testing.assert_allclose(zy, ty, rtol=tol, atol=tol, equal_nan=True)
    np.testing.assert_allclose(zg, tg, rtol=tol, atol=tol, equal_nan=True)


# ------------------------------------------------------------------------------------------------
# integer and bool inputs, scalar conversions, argument checks
# ------------------------------------------------------------------------------------------------

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]


@requires_torch
@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("name", sorted(ALL))
def test_integer_and_bool_inputs_as_torch(name, dtype):
    """Most activations have no integer kernels: torch's NotImplementedError naming its kernel
    ("elu_cpu" not implemented for 'Long'); hardtanh, relu6 and threshold compute in the integer
    dtype (uint8 with negative hardtanh limits and bool inputs raise torch's RuntimeError);
    softsign and tanhshrink follow their component ops."""
    arr = np.array([-3, -1, 0, 1, 2, 7]).astype(dtype)
    z = _outcome(zerograd, ALL[name], arr, grad=False)
    t = _outcome(torch, ALL[name], arr, grad=False)
    _same(z, t, [(1e-6, 1e-6)], what=f"{name}({dtype})")


T = np.array([-1.0, 0.5, 2.0])
I = np.array([-1, 0, 1, 2])
U8 = np.array([0, 3, 255], np.uint8)

# (label, f(m, F, arr), arr, dtype): argument checks and scalar conversions
ARG_CASES = [
    ("celu alpha 0", lambda m, f, x: f.celu(x, alpha=0.0), T, "float32"),
    ("celu alpha 0 int", lambda m, f, x: f.celu(x, 0.0), I, "int64"),
    ("softshrink lambd<0 float", lambda m, f, x: f.softshrink(x, -1.0), T, "float32"),
    ("softshrink lambd<0 double", lambda m, f, x: f.softshrink(x, -1.5), T, "float64"),
    ("softshrink lambd<0 half", lambda m, f, x: f.softshrink(x, -1), T, "float16"),
    ("softshrink lambd big half", lambda m, f, x: f.softshrink(x, 70000.0), T, "float16"),
    ("softshrink lambd big float", lambda m, f, x: f.softshrink(x, 1e39), T, "float32"),
    ("softshrink lambd nan", lambda m, f, x: f.softshrink(x, math.nan), T, "float32"),
    ("softshrink lambd inf double", lambda m, f, x: f.softshrink(x, math.inf), T, "float64"),
    ("softshrink int first", lambda m, f, x: f.softshrink(x, -1), I, "int64"),
    ("hardshrink lambd<0", lambda m, f, x: f.hardshrink(x, -1.0), T, "float32"),
    ("hardshrink lambd big half", lambda m, f, x: f.hardshrink(x, 1e6), T, "float16"),
    ("hardshrink lambd big float", lambda m, f, x: f.hardshrink(x, 1e39), T, "float32"),
    ("hardshrink lambd inf double", lambda m, f, x: f.hardshrink(x, math.inf), T, "float64"),
    ("hardtanh min>max", lambda m, f, x: f.hardtanh(x, 1.0, -1.0), T, "float32"),
    ("hardtanh min>max bool", lambda m, f, x: f.hardtanh(x, 1, -1), I, "bool"),
    ("hardtanh min>max inplace", lambda m, f, x: f.hardtanh(x, 1.0, -1.0, inplace=True), T,
     "float32"),
    ("hardtanh_ min>max unchecked", lambda m, f, x: f.hardtanh_(x, 1.0, -1.0), T, "float32"),
    ("hardtanh min==max", lambda m, f, x: f.hardtanh(x, 0.25, 0.25), T, "float32"),
    ("hardtanh int truncates", lambda m, f, x: f.hardtanh(x, -0.5, 1.5), I, "int64"),
    ("hardtanh int truncates 2", lambda m, f, x: f.hardtanh(x, -1.7, 1.7), I, "int32"),
    ("hardtanh int8 overflow", lambda m, f, x: f.hardtanh(x, -200, 1), I, "int8"),
    ("hardtanh int64 overflow", lambda m, f, x: f.hardtanh(x, -1e30, 1e30), I, "int64"),
    ("hardtanh int nan bound", lambda m, f, x: f.hardtanh(x, math.nan, 2), I, "int64"),
    ("hardtanh uint8 big", lambda m, f, x: f.hardtanh(x, 2, 300), U8, "uint8"),
    ("hardtanh uint8", lambda m, f, x: f.hardtanh(x, 2, 100), U8, "uint8"),
    ("hardtanh uint8 float bound", lambda m, f, x: f.hardtanh(x, 0, 100.7), U8, "uint8"),
    ("hardtanh uint8 negative", lambda m, f, x: f.hardtanh(x, -2, -1), U8, "uint8"),
    ("hardtanh uint8 negative and big", lambda m, f, x: f.hardtanh(x, -2, 300), U8, "uint8"),
    ("hardtanh half overflow", lambda m, f, x: f.hardtanh(x, -1e6, 1e6), T, "float16"),
    ("hardtanh float overflow", lambda m, f, x: f.hardtanh(x, -1e39, 1.0), T, "float32"),
    ("hardtanh double inf", lambda m, f, x: f.hardtanh(x, -math.inf, math.inf), T, "float64"),
    ("hardtanh nan bound", lambda m, f, x: f.hardtanh(x, math.nan, 1.0), T, "float32"),
    ("relu6 uint8", lambda m, f, x: f.relu6(x), U8, "uint8"),
    ("relu6 int8", lambda m, f, x: f.relu6(x), np.array([-128, 3, 127]), "int8"),
    ("threshold int truncates", lambda m, f, x: f.threshold(x, -0.5, 2.7), I, "int64"),
    ("threshold int truncates 2", lambda m, f, x: f.threshold(x, -1.5, 5), I, "int64"),
    ("threshold int overflow", lambda m, f, x: f.threshold(x, 1e20, 2), I, "int64"),
    ("threshold int value overflow", lambda m, f, x: f.threshold(x, 0, 1e20), I, "int64"),
    ("threshold int nan", lambda m, f, x: f.threshold(x, math.nan, 5), I, "int64"),
    ("threshold int inf", lambda m, f, x: f.threshold(x, math.inf, 5), I, "int64"),
    ("threshold uint8 wraps -1", lambda m, f, x: f.threshold(x, -1, 5), U8, "uint8"),
    ("threshold uint8 -1.0", lambda m, f, x: f.threshold(x, -1.0, 5), U8, "uint8"),
    ("threshold uint8 -0.5", lambda m, f, x: f.threshold(x, -0.5, 5), U8, "uint8"),
    ("threshold uint8 value -1", lambda m, f, x: f.threshold(x, 3, -1), U8, "uint8"),
    ("threshold uint8 value 256", lambda m, f, x: f.threshold(x, 3, 256), U8, "uint8"),
    ("threshold int8 big", lambda m, f, x: f.threshold(x, 200, 7), I, "int8"),
    ("threshold half value", lambda m, f, x: f.threshold(x, 1, 1e6), T, "float16"),
    ("threshold half threshold", lambda m, f, x: f.threshold(x, 1e6, 5), T, "float16"),
    ("threshold float overflow", lambda m, f, x: f.threshold(x, 1e39, 1.0), T, "float32"),
    ("threshold bool value", lambda m, f, x: f.threshold(x, 1, True), T, "float32"),
    ("threshold nan threshold", lambda m, f, x: f.threshold(x, math.nan, 7), T, "float32"),
    ("threshold inf", lambda m, f, x: f.threshold(x, math.inf, -math.inf), T, "float32"),
    ("threshold inplace int", lambda m, f, x: f.threshold(x, 1, 2.5, inplace=True), I, "int64"),
    ("leaky float overflow", lambda m, f, x: f.leaky_relu(x, 1e39), T, "float32"),
    ("leaky half computes in float", lambda m, f, x: f.leaky_relu(x, 1e6), T, "float16"),
    ("leaky bool slope", lambda m, f, x: f.leaky_relu(x, True), T, "float32"),
    ("leaky nan slope", lambda m, f, x: f.leaky_relu(x, math.nan), T, "float32"),
    ("elu float overflow", lambda m, f, x: f.elu(x, 1e39), T, "float32"),
    ("elu half alpha", lambda m, f, x: f.elu(x, 1e6), T, "float16"),
    ("elu nan alpha", lambda m, f, x: f.elu(x, math.nan), T, "float32"),
    ("elu_ scale", lambda m, f, x: f.elu_(x, 1.0, 2.0), T, "float32"),
    ("celu float overflow", lambda m, f, x: f.celu(x, 1e39), T, "float32"),
    ("celu half alpha", lambda m, f, x: f.celu(x, 1e6), T, "float16"),
    ("celu double inf", lambda m, f, x: f.celu(x, math.inf), T, "float64"),
    ("softplus beta overflow", lambda m, f, x: f.softplus(x, 1e39), T, "float32"),
    ("softplus half beta", lambda m, f, x: f.softplus(x, 1e39), T, "float16"),
    ("softplus half big beta", lambda m, f, x: f.softplus(x, 1e6), T, "float16"),
    ("softplus threshold overflow", lambda m, f, x: f.softplus(x, 1.0, 1e39), T, "float32"),
    ("softplus beta 0", lambda m, f, x: f.softplus(x, beta=0), T, "float32"),
    ("glu 0-d", lambda m, f, x: f.glu(x.sum()), T, "float32"),
    ("glu 0-d int", lambda m, f, x: f.glu(x.sum()), I, "int64"),
    ("glu odd", lambda m, f, x: f.glu(x), T, "float32"),
    ("glu odd int", lambda m, f, x: f.glu(x[:3]), I, "int64"),
    ("glu dim", lambda m, f, x: f.glu(x, 1), I, "float32"),
    ("glu dim before odd", lambda m, f, x: f.glu(x, 3), T, "float32"),
    ("glu dim negative", lambda m, f, x: f.glu(x.reshape(2, 2), -3), I, "float32"),
    ("glu bool", lambda m, f, x: f.glu(x), I, "bool"),
    ("glu empty", lambda m, f, x: f.glu(x[:0].reshape(0, 2)), I, "float32"),
    ("glu empty halves", lambda m, f, x: f.glu(x[:0].reshape(2, 0), 1), I, "float32"),
    ("glu 2-d dim 0", lambda m, f, x: f.glu(x.reshape(2, 2), 0), I, "float64"),
    ("selu takes no inplace", lambda m, f, x: m.selu(x, inplace=True), T, "float32"),
    ("torch.threshold takes no inplace", lambda m, f, x: m.threshold(x, 0.1, 1, True), T,
     "float32"),
]


@requires_torch
@pytest.mark.parametrize("label,f,arr,dtype", ARG_CASES, ids=[c[0] for c in ARG_CASES])
def test_arguments_and_conversions_as_torch(label, f, arr, dtype):
    """torch converts each scalar to the tensor's dtype or to its compute type, with its
    overflow error ("value cannot be converted to type c10::Half without overflow"); floats into
    integer dtypes truncate; the checks come in torch's order (celu's alpha before the dtype,
    glu's dim before its halving check, hardtanh's unsigned-limits check before conversion)."""
    outs = []
    for m in (zerograd, torch):
        x = (torch.from_numpy if m is torch else zerograd.from_numpy)(arr.astype(dtype))
        try:
            y = f(m, F(m), x)
            outs.append(("ok", str(y.dtype), y.float().tolist()))
        except Exception as e:  # noqa: BLE001
            outs.append(("error", type(e).__name__, str(e)))
    z, t = outs
    if t[0] == "ok":
        assert z[:2] == t[:2], (z, t)
        np.testing.assert_allclose(z[2], t[2], rtol=1e-6, equal_nan=True)
    else:
        assert z == t


@requires_torch
def test_keyword_arguments_as_torch():
    """torch's parameter names: input, beta, threshold, alpha, negative_slope, min_val,
    max_val, lambd, value, dim, inplace."""
    calls = [
        lambda m, x: F(m).softplus(input=x, beta=2.0, threshold=1.0),
        lambda m, x: F(m).elu(input=x, alpha=2.0, inplace=False),
        lambda m, x: F(m).elu_(input=x.clone(), alpha=2.0),
        lambda m, x: F(m).selu(input=x, inplace=False),
        lambda m, x: F(m).celu(input=x, alpha=0.5, inplace=False),
        lambda m, x: F(m).leaky_relu(input=x, negative_slope=0.3, inplace=False),
        lambda m, x: F(m).leaky_relu_(input=x.clone(), negative_slope=0.3),
        lambda m, x: F(m).hardtanh(input=x, min_val=-0.5, max_val=0.5, inplace=False),
        lambda m, x: F(m).hardtanh_(input=x.clone(), min_val=-0.5, max_val=0.5),
        lambda m, x: F(m).relu6(input=x, inplace=False),
        lambda m, x: F(m).logsigmoid(input=x),
        lambda m, x: F(m).mish(input=x, inplace=False),
        lambda m, x: F(m).hardsigmoid(input=x, inplace=False),
        lambda m, x: F(m).hardswish(input=x, inplace=False),
        lambda m, x: F(m).softsign(input=x),
        lambda m, x: F(m).tanhshrink(input=x),
        lambda m, x: F(m).softshrink(input=x, lambd=0.3),
        lambda m, x: F(m).hardshrink(input=x, lambd=0.3),
        lambda m, x: F(m).threshold(input=x, threshold=0.1, value=3.0, inplace=False),
        lambda m, x: F(m).threshold_(input=x.clone(), threshold=0.1, value=3.0),
        lambda m, x: F(m).glu(input=x.reshape(2, 2), dim=0),
        lambda m, x: m.selu(input=x),
        lambda m, x: m.celu(input=x, alpha=2.0),
        lambda m, x: m.hardshrink(input=x, lambd=0.3),
        lambda m, x: x.hardshrink(lambd=0.3),
        lambda m, x: m.threshold(input=x, threshold=0.1, value=3.0),
        lambda m, x: m.threshold_(input=x.clone(), threshold=0.1, value=3.0),
        lambda m, x: F(m).selu_(input=x.clone()),
        lambda m, x: F(m).celu_(input=x.clone(), alpha=2.0),
    ]
    a = np.array([-1.5, -0.2, 0.4, 2.0])
    for k, f in enumerate(calls):
        z = f(zerograd, zerograd.from_numpy(a.copy()))
        t = f(torch, torch.from_numpy(a.copy()))
        np.testing.assert_allclose(z.numpy(), t.numpy(), rtol=1e-12, err_msg=str(k))


@requires_torch
def test_public_names_are_torchs():
    """torch.selu/selu_/celu/celu_/hardshrink/threshold/threshold_ and Tensor.hardshrink exist
    because torch has them; the other activations live only in nn.functional (torch has no
    torch.elu or Tensor.softplus, and F has no relu6_ or mish_)."""
    names = ["softplus", "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu",
             "leaky_relu_", "hardtanh", "hardtanh_", "relu6", "relu6_", "logsigmoid", "mish",
             "mish_", "hardsigmoid", "hardsigmoid_", "hardswish", "hardswish_", "softsign",
             "tanhshrink", "softshrink", "hardshrink", "threshold", "threshold_", "glu"]
    for n in names:
        assert hasattr(zerograd, n) == hasattr(torch, n), f"torch.{n}"
        assert hasattr(zerograd.Tensor, n) == hasattr(torch.Tensor, n), f"Tensor.{n}"
        assert hasattr(F(zerograd), n) == hasattr(F(torch), n), f"F.{n}"
        if hasattr(F(zerograd), n):
            assert n in F(zerograd).__all__, n
    sig = inspect.signature
    for n in ["elu", "selu", "celu", "leaky_relu", "hardtanh", "relu6", "glu", "mish",
              "hardsigmoid", "hardswish", "softsign", "tanhshrink", "threshold"]:
        zp = [(p.name, p.default) for p in sig(getattr(F(zerograd), n)).parameters.values()]
        tp = [(p.name, p.default) for p in sig(getattr(F(torch), n)).parameters.values()]
        assert zp == tp, n


# ------------------------------------------------------------------------------------------------
# in-place forms
# ------------------------------------------------------------------------------------------------

def _chain_names(t, depth=3):
    names, node = [], t.grad_fn
    while node is not None and len(names) < depth:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    return names


@requires_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms_as_torch(name):
    """The in-place forms return the tensor they change, bump its version once, record torch's
    node (EluBackward1, LeakyReluBackward1, CeluBackward1, ThresholdBackward1 - but
    HardtanhBackward0, MishBackward0, Hardsigmoid/HardswishBackward0: those keep a copy of the
    input), give the out-of-place op's values and torch's gradients, refuse a leaf that requires
    grad, and work on a leaf under no_grad."""
    f = INPLACE[name]
    a = np.array([-4.0, -3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5, 3.0, 7.0])
    seen = []
    for m in (zerograd, torch):
        x = (torch.from_numpy if m is torch else zerograd.from_numpy)(a.copy()).requires_grad_()
        c = x.clone()
        v0 = c._version
        y = f(m, c)
        assert y is c
        r = np.linspace(-1, 1, a.size)
        g, = m.autograd.grad((y * (torch.from_numpy if m is torch else zerograd.from_numpy)(r))
                             .sum(), x)
        with pytest.raises(RuntimeError) as leaf:
            f(m, x)
        with m.no_grad():
            w = x.detach().clone().requires_grad_()
            f(m, w)                                     # a leaf may change under no_grad
        seen.append((y.detach().numpy().copy(), c._version - v0, _chain_names(y),
                     g.numpy().copy(), w.detach().numpy().copy(), w.requires_grad, w.is_leaf,
                     str(leaf.value)))
    z, t = seen
    assert z[-1].startswith(t[-1]), (z[-1], t[-1])          # torch's words (zerograd adds a fix)
    z, t = z[:-1], t[:-1]
    for k, (p, q) in enumerate(zip(z, t)):
        if isinstance(q, np.ndarray):
            np.testing.assert_allclose(p, q, rtol=1e-12, err_msg=f"{name}[{k}]")
        else:
            assert p == q, f"{name}[{k}]: {p} != {q}"


@requires_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_a_view_as_torch(name):
    """In place on a view: the base records CopySlices, the view AsStridedBackward0, and the
    gradient reaching the leaf is torch's."""
    f = INPLACE[name]
    a = np.array([[-2.0, -0.5, 0.25], [1.5, 3.0, 7.0]])
    seen = []
    for m in (zerograd, torch):
        x = (torch.from_numpy if m is torch else zerograd.from_numpy)(a.copy()).requires_grad_()
        base = x * 1.0
        v = base[1]
        f(m, v)
        (g,) = m.autograd.grad((base * base).sum(), x)
        seen.append((base.detach().numpy().copy(), base.grad_fn.name(), v.grad_fn.name(),
                     g.numpy().copy()))
    z, t = seen
    np.testing.assert_allclose(z[0], t[0], rtol=1e-12)
    assert z[1:3] == t[1:3]
    np.testing.assert_allclose(z[3], t[3], rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name", ["elu_", "torch.celu_", "leaky_relu_", "hardtanh_",
                                  "mish_inplace", "hardswish_inplace", "threshold_"])
def test_changing_the_result_again_as_torch(name):
    """The ...Backward1 nodes read their result: changing it again in place makes backward raise
    torch's "modified by an inplace operation" error.  hardtanh_, mish and the others keep the
    original input instead: backward still works, with torch's gradients."""
    f = INPLACE[name]
    a = np.array([-1.0, 0.5, 2.0])
    seen = []
    for m in (zerograd, torch):
        x = (torch.from_numpy if m is torch else zerograd.from_numpy)(a.copy()).requires_grad_()
        y = f(m, x.clone())
        y.mul_(2)
        try:
            y.sum().backward()
            seen.append(("ok", x.grad.numpy().copy()))
        except RuntimeError as e:
            seen.append(("error", str(e).split(" Hint:")[0]))
    z, t = seen
    assert z[0] == t[0]
    if t[0] == "ok":
        np.testing.assert_allclose(z[1], t[1], rtol=1e-12)
    else:
        assert z[1:] == t[1:], (z, t)


@requires_torch
@pytest.mark.parametrize("call", [
    lambda m, x: F(m).elu_(x, alpha=-1.0),
    lambda m, x: F(m).elu(x, -0.5, inplace=True),
    lambda m, x: m.celu_(x, -1.0),
    lambda m, x: F(m).leaky_relu_(x, -0.1),
    lambda m, x: F(m).leaky_relu(x, -0.1, inplace=True),
], ids=["elu_", "elu_inplace", "celu_", "leaky_relu_", "leaky_relu_inplace"])
def test_inplace_with_a_negative_slope_raises_at_backward_as_torch(call):
    """The in-place forms' backward reads the result, which a negative slope makes ambiguous:
    torch's forward runs, its backward raises; so here, with torch's message.  Without a graph
    (no_grad) the in-place call just computes."""
    a = np.array([-1.0, 2.0])
    seen = []
    for m in (zerograd, torch):
        x = (torch.from_numpy if m is torch else zerograd.from_numpy)(a.copy()).requires_grad_()
        y = call(m, x.clone())
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        with m.no_grad():
            plain = call(m, x.detach().clone())
        seen.append((y.detach().numpy().copy(), str(e.value), plain.numpy().copy()))
    (zy, ze, zp), (ty, te, tp) = seen
    np.testing.assert_allclose(zy, ty, rtol=1e-12)
    np.testing.assert_allclose(zp, tp, rtol=1e-12)
    assert ze == te


def test_hardsigmoid_array_vjp_equals_tensor_vjp_and_second_order_raises():
    """hardsigmoid's row in the op table has gradgrad=False (torch has no derivative for its
    backward), which also keeps it out of the array-vs-Tensor VJP sweep: compare them here, and
    check that differentiating the gradient raises torch's error."""
    x = zerograd.tensor([-4.0, -2.5, 0.3, 2.9, 5.0], dtype=zerograd.float64, requires_grad=True)
    r = zerograd.tensor([0.5, -1.0, 2.0, 3.0, 1.5], dtype=zerograd.float64)
    y = F(zerograd).hardsigmoid(x)
    fast, = zerograd.autograd.grad((y * r).sum(), x, retain_graph=True)
    slow, = zerograd.autograd.grad((y * r).sum(), x, create_graph=True)
    assert fast.tolist() == slow.tolist() == [0.0, -1.0 * float(np.float32(1 / 6)),
                                              2.0 * float(np.float32(1 / 6)),
                                              3.0 * float(np.float32(1 / 6)), 0.0]
    assert slow.requires_grad and slow.grad_fn.name() == "torch::autograd::NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::hardsigmoid_backward is not "
                                           "implemented"):
        slow.sum().backward()


# ------------------------------------------------------------------------------------------------
# modules
# ------------------------------------------------------------------------------------------------

MODULES = [
    lambda nn: nn.ELU(), lambda nn: nn.ELU(2.0, True), lambda nn: nn.ELU(alpha=1),
    lambda nn: nn.SELU(), lambda nn: nn.SELU(True), lambda nn: nn.SELU(inplace=True),
    lambda nn: nn.CELU(), lambda nn: nn.CELU(0.5, True),
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.LeakyReLU(1),
    lambda nn: nn.LeakyReLU(negative_slope=0.01),
    lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 3, True),
    lambda nn: nn.Hardtanh(min_val=-1.0, max_val=1.0), lambda nn: nn.Hardtanh(-0.5, 2.5),
    lambda nn: nn.ReLU6(), lambda nn: nn.ReLU6(True), lambda nn: nn.ReLU6(inplace=True),
    lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Mish(), lambda nn: nn.Mish(True),
    lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardsigmoid(True),
    lambda nn: nn.Hardswish(), lambda nn: nn.Hardswish(inplace=True),
    lambda nn: nn.Softsign(), lambda nn: nn.Tanhshrink(),
    lambda nn: nn.Softshrink(), lambda nn: nn.Softshrink(1), lambda nn: nn.Softshrink(lambd=0.25),
    lambda nn: nn.Hardshrink(), lambda nn: nn.Hardshrink(2),
    lambda nn: nn.Threshold(0.1, 20), lambda nn: nn.Threshold(threshold=0.1, value=20.0),
    lambda nn: nn.Threshold(0.1, 20.0, True),
    lambda nn: nn.GLU(), lambda nn: nn.GLU(0), lambda nn: nn.GLU(dim=1),
    lambda nn: nn.Softplus(), lambda nn: nn.Softplus(2, 10),
    lambda nn: nn.Softplus(beta=0.5, threshold=15.0),
    lambda nn: nn.Sequential(nn.ReLU6(), nn.Hardtanh(-2.0, 2.0), nn.Threshold(0.5, 0.0),
                             nn.ELU(inplace=True), nn.GLU()),
]


@requires_torch
@pytest.mark.parametrize("k", range(len(MODULES)))
def test_module_repr_and_forward_as_torch(k):
    """repr() character for character (torch prints no inplace flag for Hardsigmoid/Hardswish,
    Softshrink/Hardshrink print their bare lambd, ReLU6 hides its bounds), and the forward on a
    (2, 4) input equals torch's (in-place modules change their input, as torch's)."""
    zm, tm = MODULES[k](zerograd.nn), MODULES[k](torch.nn)
    assert repr(zm) == repr(tm)
    a = np.array([[-3.0, -0.4, 0.3, 2.0], [5.0, -7.0, 0.05, 1.0]])
    zx, tx = zerograd.from_numpy(a.copy()), torch.from_numpy(a.copy())
    zy, ty = zm(zx), tm(tx)
    np.testing.assert_allclose(zy.numpy(), ty.numpy(), rtol=1e-12)
    np.testing.assert_allclose(zx.numpy(), tx.numpy(), rtol=1e-12)     # changed in place or not


@requires_torch
def test_module_constructor_checks_as_torch():
    """Hardtanh asserts max_val > min_val with torch's message; min_value/max_value are torch's
    deprecated spellings (a FutureWarning); ReLU6 is a Hardtanh; modules without arguments
    refuse them as torch's do."""
    for ctor in (lambda nn: nn.Hardtanh(1.0, 1.0), lambda nn: nn.Hardtanh(2, -1)):
        msgs = []
        for nn in (zerograd.nn, torch.nn):
            with pytest.raises(AssertionError) as e:
                ctor(nn)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
    reprs = []
    for nn in (zerograd.nn, torch.nn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = nn.Hardtanh(min_value=-2.0, max_value=3.0)
        reprs.append((repr(m), [(x.category, str(x.message)) for x in w]))
        assert isinstance(nn.ReLU6(), nn.Hardtanh)
        assert (nn.ReLU6().min_val, nn.ReLU6().max_val) == (0.0, 6.0)
    assert reprs[0] == reprs[1]
    for ctor in (lambda nn: nn.LogSigmoid(1), lambda nn: nn.Softsign(a=1),
                 lambda nn: nn.Tanhshrink(1), lambda nn: nn.Threshold(0.1)):
        errs = []
        for nn in (zerograd.nn, torch.nn):
            with pytest.raises(TypeError) as e:
                ctor(nn)
            errs.append(str(e.value))
        assert errs[0] == errs[1]
