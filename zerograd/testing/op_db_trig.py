"""Op-table rows for zerograd/ops/trig.py (see op_db.py for the row format): trigonometric and
hyperbolic functions, log2/log10/logit, sgn, angles, the gamma family, fmax/fmin, float_power,
heaviside, signbit, positive and the integer functions (bitwise and/or/xor, gcd, lcm).

Domains keep gradcheck where the derivative exists and is tame: asin/acos/atanh inside (-1, 1),
acosh above 1, logarithms of positives, tan away from ±π/2, lgamma/digamma/polygamma away from the
poles (0 and the negative integers), logit inside (0, 1) and away from the eps bounds, fmax/fmin
operands without ties.  The special-value cases (0, -0, ±1, nan, ±inf, poles) are parity cases with
torch, values and gradients, with gradcheck off.  The integer functions run in the int64 mode of
the tests; in float64 and float32 torch refuses them (the cases say which error).
"""
from __future__ import annotations

import numpy as np

from .op_db import (BCAST, EMPTY, SHAPES, B, Case, D, P, U, row, tensor_pair_cases,
                    unary_cases)

NAN, INF = float("nan"), float("inf")

# 0, -0, nan, ±inf, the domain edges ±1, halves (lgamma/digamma at -0.5), poles (0, -1, -3 for
# the gamma family), tiny and large values (overflow of sinh/cosh)
_SPECIAL = np.array([0.0, -0.0, NAN, INF, -INF, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, -3.0, 1e-8,
                     30.0, -30.0, 1000.0])


def _tan_domain(rng, shape):
    return U(rng, shape, -1.2, 1.2, avoid=())


def _unit_domain(rng, shape):
    return U(rng, shape, -0.9, 0.9, avoid=())


def _above_one(rng, shape):
    return P(rng, shape, 1.1, 3.0)


def _gamma_domain(rng, shape):
    """Between -2.8 and 4, away from the poles 0, -1, -2."""
    return U(rng, shape, -2.8, 4.0, avoid=(0.0, -1.0, -2.0), gap=0.15)


def _prob(rng, shape):
    """Probabilities away from 0, 1 and the eps bounds 0.2 / 0.8 the logit cases use."""
    return U(rng, shape, 0.05, 0.95, avoid=(0.2, 0.8), gap=0.03)


_UNARY = [
    # name, torch's node, domain, aliases
    ("tan", "TanBackward0", _tan_domain, ()),
    ("asin", "AsinBackward0", _unit_domain, ("arcsin",)),
    ("acos", "AcosBackward0", _unit_domain, ("arccos",)),
    ("atan", "AtanBackward0", U, ("arctan",)),
    ("sinh", "SinhBackward0", U, ()),
    ("cosh", "CoshBackward0", U, ()),
    ("asinh", "AsinhBackward0", U, ("arcsinh",)),
    ("acosh", "AcoshBackward0", _above_one, ("arccosh",)),
    ("atanh", "AtanhBackward0", _unit_domain, ("arctanh",)),
    ("log2", "Log2Backward0", P, ()),
    ("log10", "Log10Backward0", P, ()),
    ("deg2rad", "Deg2RadBackward0", U, ()),
    ("rad2deg", "Rad2DegBackward0", U, ()),
    ("lgamma", "LgammaBackward0", _gamma_domain, ()),
    ("digamma", "DigammaBackward0", _gamma_domain, ()),
    ("absolute", "AbsBackward0", U, ()),
]
# torch records these in-place forms with their own node, whose backward raises
_INPLACE_NODE = {"asinh": "AsinhBackward1", "acosh": "AcoshBackward1", "atanh": "AtanhBackward1"}


def _unary_rows(name, node, gen, aliases):
    def cases(rng):
        yield from unary_cases(gen)(rng)
        yield Case((_SPECIAL.copy(),), gradcheck=False, note="0, -0, nan, inf, ±1, poles")
        yield Case((2.5,), error=TypeError, note="a number is not a tensor")
    row(name, lambda m, a, f=name: getattr(m, f)(a), cases, node=node)
    row(f"{name}_method", lambda m, a, f=name: getattr(a, f)(), unary_cases(gen, SHAPES),
        node=node)
    inplace = _INPLACE_NODE.get(name)
    row(f"{name}_inplace", lambda m, a, f=name: getattr(a * 1, f + "_")(),
        unary_cases(gen, [(2, 3), ()]), node=inplace or node, differentiable=inplace is None)
    for alias in aliases:
        row(alias, lambda m, a, f=alias: getattr(m, f)(a), unary_cases(gen, [(2, 3), ()]),
            node=node)
        row(f"{alias}_method", lambda m, a, f=alias: getattr(a, f)(), unary_cases(gen, [(2, 3)]),
            node=node)
        row(f"{alias}_inplace", lambda m, a, f=alias: getattr(a * 1, f + "_")(),
            unary_cases(gen, [(2, 3)]), node=inplace or node, differentiable=inplace is None)


for _name, _node, _gen, _aliases in _UNARY:
    _unary_rows(_name, _node, _gen, _aliases)

row("negative_inplace", lambda m, a: (a * 1).negative_(), unary_cases(U, [(2, 3), ()]),
    node="NegBackward0")
row("asin_edges", lambda m, a: m.asin(a),
    lambda rng: [Case((np.array([1.0, -1.0, 1.5, -1.5, 0.0, -0.0, 0.999999]),), gradcheck=False)],
    node="AsinBackward0")
row("acos_edges", lambda m, a: m.acos(a),
    lambda rng: [Case((np.array([1.0, -1.0, 1.5, -1.5, 0.0, -0.0, 0.999999]),), gradcheck=False)],
    node="AcosBackward0")
row("atanh_edges", lambda m, a: m.atanh(a),
    lambda rng: [Case((np.array([1.0, -1.0, 1.5, -1.5, 0.0, -0.0, 0.999999]),), gradcheck=False)],
    node="AtanhBackward0")
row("acosh_edges", lambda m, a: m.acosh(a),
    lambda rng: [Case((np.array([1.0, -1.0, 0.5, 1.000001, 1e30, INF]),), gradcheck=False)],
    node="AcoshBackward0")
row("asinh_large", lambda m, a: m.asinh(a),
    lambda rng: [Case((np.array([1e30, -1e30, 1e-30, 3.0]),), gradcheck=False,
                      note="float32: a² overflows, the gradient is 0, as torch's")],
    node="AsinhBackward0")


# ***** logit *****

def _logit_cases(rng):
    for s in SHAPES + EMPTY:
        yield Case((_prob(rng, s),))
    for eps in (0.2, 0.0, 1e-6):
        yield Case((_prob(rng, (2, 3)),), {"eps": eps})
    yield Case((_prob(rng, (2, 3)), 0.2), note="eps by position")
    # 192 elements: torch's vectorized loop computes them all (its scalar loop, for a tensor's
    # last few elements, differs at -0.0 and at nan with eps: see ops/trig.py _logit_grad_np)
    edges = np.repeat(np.array([0.0, 1.0, -0.0, 0.5, 1e-8, 1 - 1e-8, -0.1, 1.1, NAN, INF, 0.2,
                                0.8]), 16)
    for eps in (None, 0.0, 0.2, 0.5, 0.6, -0.1):
        # nan and out-of-range inputs: torch's first-derivative kernel differs there from its
        # create_graph form (both are tests/test_trig.py's), so no array-vs-Tensor sweep here
        yield Case((edges.copy(),), {"eps": eps}, gradcheck=False, gradgrad=False)
    yield Case((_prob(rng, (2, 3)),), {"eps": "a"}, error=TypeError)
    yield Case((0.5,), error=TypeError)


row("logit", lambda m, a, *e, **k: m.logit(a, *e, **k), _logit_cases, node="LogitBackward0")
row("logit_method", lambda m, a, **k: a.logit(**k),
    lambda rng: [Case((_prob(rng, (2, 3)),)), Case((_prob(rng, (3,)),), {"eps": 0.2})],
    node="LogitBackward0")
row("logit_inplace", lambda m, a, **k: (a * 1).logit_(**k),
    lambda rng: [Case((_prob(rng, (2, 3)),)), Case((_prob(rng, ()),), {"eps": 0.2})],
    node="LogitBackward0")


# ***** polygamma *****

def _polygamma_cases(rng):
    for n in (0, 1, 2, 3):
        for s in [(2, 3), ()]:
            yield Case((_gamma_domain(rng, s), n))
    yield Case((_gamma_domain(rng, (0,)), 1))
    yield Case((P(rng, (4,), 5.0, 40.0), 6), note="the series side")
    for n in (1, 2, 3):
        yield Case((_SPECIAL.copy(), n), gradcheck=False)
    yield Case((_gamma_domain(rng, (3,)), -1), error=RuntimeError)
    yield Case((_gamma_domain(rng, (3,)), 1.5), error=TypeError)
    yield Case((0.5, 1), error=TypeError)


row("polygamma", lambda m, a, n: m.polygamma(n, a), _polygamma_cases, node="PolygammaBackward0")
row("polygamma_method", lambda m, a, n: a.polygamma(n),
    lambda rng: [Case((_gamma_domain(rng, (2, 3)), 2)), Case((_gamma_domain(rng, ()), 0))],
    node="PolygammaBackward0")
row("polygamma_inplace", lambda m, a, n: (a * 1).polygamma_(n),
    lambda rng: [Case((_gamma_domain(rng, (2, 3)), 1)), Case((_gamma_domain(rng, ()), 2))],
    node="PolygammaBackward1")
row("polygamma_negative_x", lambda m, a, n: m.polygamma(n, a),
    lambda rng: [Case((np.array([-0.5, -1.5, -10.25, -100.5, -0.999, -2.001]), n),
                      gradcheck=n < 2) for n in (1, 2, 3, 4)],
    node="PolygammaBackward0", ints=False)


# ***** asinh_, acosh_, atanh_: torch's node raises at backward *****
# (their rows above are non-differentiable; tests/test_trig.py checks the error)


# ***** sgn, signbit, positive *****

def _sign_cases(rng):
    yield from unary_cases(D, SHAPES + EMPTY)(rng)
    yield Case((_SPECIAL.copy(),))
    yield Case((B(rng, (2, 3)),))
    yield Case((2.5,), error=TypeError)


def _sgn_rows():
    """sgn's gradient is zeros whatever the incoming one (torch returns a ZeroTensor, which
    torch's numpy() refuses): the rows add `a` so both gradients are ordinary tensors (1 + 0)."""
    def cases(rng):
        yield from unary_cases(U)(rng)
        yield Case((_SPECIAL.copy(),), gradcheck=False)
    row("sgn", lambda m, a: m.sgn(a) + (a if a.is_floating_point() else 0), cases,
        node="AddBackward0")
    row("sgn_bool", lambda m, a: m.sgn(a), lambda rng: [Case((B(rng, (2, 3)),))],
        differentiable=False)
    row("sgn_method", lambda m, a: a.sgn() + a, unary_cases(U, SHAPES), node="AddBackward0")
    row("sgn_inplace", lambda m, a: (a * 1).sgn_() + a, unary_cases(U, [(2, 3), ()]),
        node="AddBackward0")
    row("sgn_not_a_tensor", lambda m, a: m.sgn(a), lambda rng: [Case((2.5,), error=TypeError)])


_sgn_rows()
row("signbit", lambda m, a: m.signbit(a), _sign_cases, differentiable=False)
row("signbit_method", lambda m, a: a.signbit(), unary_cases(D, [(2, 3)]), differentiable=False)
# (the input itself comes back: no node; positive_of_result is the differentiable row)
row("positive", lambda m, a: m.positive(a),
    lambda rng: [Case((U(rng, s),)) for s in SHAPES] + [Case((2.5,), error=TypeError)], node="",
    differentiable=False)
row("positive_of_result", lambda m, a: m.positive(a * 2), unary_cases(U, [(2, 3)]),
    node="MulBackward0")
row("positive_method", lambda m, a: a.positive(), unary_cases(U, [(2, 3)]), node="",
    differentiable=False)


# ***** fmax, fmin, heaviside: Tensor, Tensor *****


def _minmax_special(rng):
    a = np.array([0.0, -0.0, 1.0, NAN, 2.0, NAN, 3.0, INF, -INF, 1.0])
    b = np.array([-0.0, 0.0, 1.0, 1.0, NAN, NAN, 2.0, NAN, 5.0, INF])
    yield Case((a, b), gradcheck=False, mixed=False, note="ties, signed zeros, nan on either side")


def _distinct_pair(rng, shape):
    return D(rng, shape, scale=0.37)


def _distinct_pair_b(rng, shape):
    return D(rng, shape, scale=0.41)


for _name, _node in [("fmax", "FmaxBackward0"), ("fmin", "FminBackward0")]:
    row(_name, lambda m, a, b, f=_name: getattr(m, f)(a, b),
        tensor_pair_cases(_distinct_pair, _distinct_pair_b), node=_node)
    row(f"{_name}_method", lambda m, a, b, f=_name: getattr(a, f)(b),
        lambda rng: [Case((_distinct_pair(rng, (2, 3)), _distinct_pair_b(rng, (3,))))],
        node=_node)
    row(f"{_name}_special", lambda m, a, b, f=_name: getattr(m, f)(a, b), _minmax_special,
        node=_node, ints=False)
    row(f"{_name}_bool", lambda m, a, b, f=_name: getattr(m, f)(a, b),
        lambda rng: [Case((B(rng, (2, 3)), B(rng, (3,))))], differentiable=False)


def _with_zeros(rng, shape):
    """Values in {-1.5, 0, 2} (heaviside's three branches)."""
    return rng.choice([-1.5, 0.0, 2.0], size=shape)


_NOT_IMPLEMENTED = "torch::autograd::NotImplemented"
row("heaviside", lambda m, a, b: m.heaviside(a, b),
    tensor_pair_cases(_with_zeros, U), node=_NOT_IMPLEMENTED, differentiable=False)
row("heaviside_method", lambda m, a, b: a.heaviside(b),
    lambda rng: [Case((_with_zeros(rng, (2, 3)), U(rng, (3,))))], node=_NOT_IMPLEMENTED,
    differentiable=False)
row("heaviside_inplace", lambda m, a, b: (a * 1).heaviside_(b),
    lambda rng: [Case((_with_zeros(rng, (2, 3)), U(rng, (3,)))),
                 Case((_with_zeros(rng, (3,)), U(rng, (2, 3))), error=RuntimeError)],
    node=_NOT_IMPLEMENTED, differentiable=False)
row("heaviside_special", lambda m, a, b: m.heaviside(a, b),
    lambda rng: [Case((np.array([NAN, 0.0, -0.0, INF, -INF, -1.0]), np.array([7.0])))],
    node=_NOT_IMPLEMENTED, differentiable=False, ints=False)


# ***** float_power: float64 results *****

def _float_power_node(case):
    a, b = case.args
    if not isinstance(a, np.ndarray):
        return "PowBackward2"
    return "PowBackward1" if isinstance(b, np.ndarray) else "PowBackward0"


def _float_power_cases(rng):
    for sa, sb in BCAST:
        yield Case((P(rng, sa), U(rng, sb)))
    yield Case((P(rng, (2, 3)), U(rng, (3,))), nograd=(1,))
    yield Case((P(rng, (2, 1)), U(rng, (2, 3))), nograd=(0,))
    for e in (2, 2.5, -1, 0, True, np.float64(0.5)):
        yield Case((P(rng, (2, 3)), e))
    for c in (2.5, 3):
        yield Case((c, U(rng, (2, 3))))
    yield Case((P(rng, (2, 3)), U(rng, (3, 2))), error=RuntimeError)
    yield Case((2, 3), error=TypeError, note="two numbers")
    yield Case((P(rng, (2, 3)), "a"), error=TypeError)


row("float_power", lambda m, a, b: m.float_power(a, b), _float_power_cases,
    node=_float_power_node)
row("float_power_method", lambda m, a, b: a.float_power(b),
    lambda rng: [Case((P(rng, (2, 3)), U(rng, (3,)))), Case((P(rng, (2, 3)), 3))],
    node=_float_power_node)
row("float_power_inplace", lambda m, a, b: (a.to(m.float64) * 1).float_power_(b),
    lambda rng: [Case((P(rng, (2, 3)), U(rng, (3,)))), Case((P(rng, (2, 3)), 2.5))],
    node=_float_power_node)


# ***** integer functions (no gradients) *****

def _ints(rng, shape):
    """Integer values (exact in float) with both signs and zeros; int64 mode: 3x of them."""
    return rng.integers(-6, 7, size=shape).astype(np.float64)


def _int_cases(scalars, bool_error=None):
    """Float64/float32 modes: torch's NotImplementedError (no float kernel); int64 mode: values.
    Bool masks are never cast (gcd/lcm refuse bool: bool_error)."""
    def cases(rng):
        for sa, sb in BCAST:
            yield Case((_ints(rng, sa), _ints(rng, sb)), error=NotImplementedError)
        for c in scalars:
            yield Case((_ints(rng, (2, 3)), c), error=NotImplementedError)
        yield Case((B(rng, (2, 3)), B(rng, (3,))), error=bool_error)
        yield Case((B(rng, (2, 3)), _ints(rng, (2, 3))), error=NotImplementedError,
                   note="bool with int: int; with float: refused")
        yield Case((_ints(rng, (2, 3)), _ints(rng, (3, 2))), error=RuntimeError)
    return cases


def _bitwise_number_cases(rng):
    for c in (3, -2, True, 300):
        yield Case((B(rng, (2, 3)), c), note="bool tensor, number")
        yield Case((c, B(rng, (2, 3))), note="number, bool tensor")
    yield Case((B(rng, (2, 3)), 2.5), error=NotImplementedError)
    yield Case((2, 3), error=TypeError, note="two numbers")
    yield Case((B(rng, (2, 3)), "a"), error=TypeError)


for _name, _sym in [("bitwise_and", "&"), ("bitwise_or", "|"), ("bitwise_xor", "^")]:
    row(_name, lambda m, a, b, f=_name: getattr(m, f)(a, b), _int_cases((3, -2, True)),
        differentiable=False)
    row(f"{_name}_numbers", lambda m, a, b, f=_name: getattr(m, f)(a, b), _bitwise_number_cases,
        differentiable=False)
    row(f"{_name}_method", lambda m, a, b, f=_name: getattr(a, f)(b), _int_cases(()),
        differentiable=False)
    row(f"{_name}_inplace", lambda m, a, b, f=_name: getattr(a * 1, f + "_")(b),
        lambda rng: [Case((_ints(rng, (2, 3)), _ints(rng, (3,))), error=NotImplementedError),
                     Case((B(rng, (2, 3)), B(rng, (3,))))],
        differentiable=False)
    op = {"&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b}[_sym]
    row(f"{_name}_operator", lambda m, a, b, op=op: op(a, b), _int_cases((3, True)),
        differentiable=False)
    row(f"{_name}_operator_reflected", lambda m, a, c, op=op: op(c, a),
        lambda rng: [Case((_ints(rng, (2, 3)), 5), error=NotImplementedError),
                     Case((B(rng, (2, 3)), True))],
        differentiable=False)


def _gcd_cases(rng):
    yield from _int_cases((), bool_error=NotImplementedError)(rng)
    yield Case((_ints(rng, (2, 3)), 2), error=TypeError, note="no Scalar overload")
    yield Case((2, _ints(rng, (2, 3))), error=TypeError)
    yield Case((np.array([0.0, -128.0, 7.0, -7.0]), np.array([0.0, 0.0, -14.0, 0.0])),
               error=NotImplementedError, note="zeros and signs")


for _name in ("gcd", "lcm"):
    row(_name, lambda m, a, b, f=_name: getattr(m, f)(a, b), _gcd_cases, differentiable=False)
    row(f"{_name}_method", lambda m, a, b, f=_name: getattr(a, f)(b),
        lambda rng: [Case((_ints(rng, (2, 3)), _ints(rng, (3,))), error=NotImplementedError)],
        differentiable=False)
    row(f"{_name}_inplace", lambda m, a, b, f=_name: getattr(a * 1, f + "_")(b),
        lambda rng: [Case((_ints(rng, (2, 3)), _ints(rng, (3,))), error=NotImplementedError)],
        differentiable=False)
