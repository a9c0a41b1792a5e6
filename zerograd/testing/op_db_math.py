"""Op-table rows for torch's math functions beyond the core set (see op_db.py for the row format).

The functions live in zerograd/ops/mathfns.py.  Domains keep gradcheck away from the points where
a derivative is undefined or chosen by convention: hypot and copysign inputs avoid 0, xlogy's
`other` is positive, fmod dividends avoid multiples of the divisors, addcdiv divisors avoid 0,
aminmax / cummax / cummin inputs have distinct values, erfinv stays inside (-1, 1).  Cases at
those points (zeros, nan, inf) are forward/backward parity cases with gradcheck=False.
"""
from __future__ import annotations

import numpy as np

from .op_db import (BCAST, EMPTY, INF, NP_SCALARS, SHAPES, B, Case, D, DT, P, U, _divisor,
                    _off_multiples, _var_cases, row, tensor_pair_cases, unary_cases)

NAN = float("nan")


def _special(rng):
    """Special values (0, -0, nan, inf) beside ordinary ones: parity only."""
    return np.array([0.0, -0.0, NAN, INF, -INF, 0.25, -1.5, 1e-8])


# ***** unary special functions *****

def _erfinv_domain(rng, shape):
    return U(rng, shape, -0.9, 0.9, avoid=())


_UNARY = [
    ("erf", "ErfBackward0", U),
    ("erfc", "ErfcBackward0", U),
    ("erfinv", "ErfinvBackward0", _erfinv_domain),
    ("expm1", "Expm1Backward0", U),
    ("exp2", "Exp2Backward0", U),
    ("sinc", "SincBackward0", U),
]


def _unary_rows(name, node, gen):
    def cases(rng):
        yield from unary_cases(gen)(rng)
        yield Case((_special(rng),), gradcheck=False, note="0, -0, nan, inf")
        yield Case((2.5,), error=TypeError, note="a number is not a tensor")
    row(name, lambda m, a, f=name: getattr(m, f)(a), cases, node=node)
    row(f"{name}_method", lambda m, a, f=name: getattr(a, f)(), unary_cases(gen, SHAPES),
        node=node)
    row(f"{name}_inplace", lambda m, a, f=name: getattr(a * 1, f + "_")(),
        unary_cases(gen, [(2, 3), ()]), node=node)


for _name, _node, _gen in _UNARY:
    _unary_rows(_name, _node, _gen)

row("erfinv_edges", lambda m, a: m.erfinv(a),
    lambda rng: [Case((np.array([-1.0, 1.0, 1.5, -2.0, 0.0, -0.0, 0.999, -1e-9]),),
                      gradcheck=False)],
    node="ErfinvBackward0")
row("sinc_at_zero", lambda m, a: m.sinc(a),
    lambda rng: [Case((np.array([0.0, 1.0, -2.0, 0.5]),), gradcheck=False,
                      note="derivative 0 at 0")],
    node="SincBackward0")
row("log1p_inplace", lambda m, a: (a * 1).log1p_(), unary_cases(P, [(2, 3), ()]),
    node="Log1PBackward0")


# ***** binary float functions: Tensor, Tensor only *****


for _name, _node, _ga, _gb in [("atan2", "Atan2Backward0", U, U),
                               ("arctan2", "Atan2Backward0", U, U),
                               ("hypot", "HypotBackward0", U, U),
                               ("logaddexp", "LogaddexpBackward0", U, U),
                               ("logaddexp2", "Logaddexp2Backward0", U, U)]:
    row(_name, lambda m, a, b, f=_name: getattr(m, f)(a, b), tensor_pair_cases(_ga, _gb),
        node=_node)
    row(f"{_name}_method", lambda m, a, b, f=_name: getattr(a, f)(b),
        lambda rng, ga=_ga, gb=_gb: [Case((ga(rng, (2, 3)), gb(rng, (3,))))], node=_node)

for _name, _node, _ga, _gb in [("atan2", "Atan2Backward0", U, U),
                               ("hypot", "HypotBackward0", U, U),
                               ("xlogy", "XlogyBackward0", U, P),
                               ("fmod", "FmodBackward1", _off_multiples, _divisor),
                               ("copysign", "CopysignBackward0", U, U)]:
    row(f"{_name}_inplace", lambda m, a, b, f=_name: getattr(a * 1, f + "_")(b),
        lambda rng, ga=_ga, gb=_gb: [Case((ga(rng, (2, 3)), gb(rng, (3,)))),
                                     Case((ga(rng, (3,)), gb(rng, (2, 3))), error=RuntimeError,
                                          note="other does not broadcast into self")],
        node=_node)


def _binary_special(rng):
    a = np.array([0.0, -0.0, 0.0, 1.5, NAN, INF, -INF, INF, 0.0, -2.0])
    b = np.array([0.0, 0.0, -0.0, NAN, 1.0, INF, -INF, -INF, 3.0, 0.0])
    yield Case((a, b), gradcheck=False, mixed=False, note="0, -0, nan, inf pairs")


for _name, _node in [("atan2", "Atan2Backward0"), ("hypot", "HypotBackward0"),
                     ("logaddexp", "LogaddexpBackward0"), ("logaddexp2", "Logaddexp2Backward0"),
                     ("xlogy", "XlogyBackward0"), ("fmod", "FmodBackward1"),
                     ("copysign", "CopysignBackward0")]:
    row(f"{_name}_special", lambda m, a, b, f=_name: getattr(m, f)(a, b), _binary_special,
        node=_node, ints=False)


# ***** binary functions with a Scalar overload: xlogy, fmod, copysign *****

def _scalar_binary_cases(gen_a, gen_b, scalars, reflected=(), reflected_error=None):
    def cases(rng):
        for sa, sb in BCAST:
            yield Case((gen_a(rng, sa), gen_b(rng, sb)))
        yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3,))), nograd=(1,))
        yield Case((gen_a(rng, (2, 1)), gen_b(rng, (2, 3))), nograd=(0,))
        for c in scalars:
            yield Case((gen_a(rng, (2, 3)), c))
        yield Case((gen_a(rng, ()), scalars[0]))
        for c in reflected:
            yield Case((c, gen_b(rng, (2, 3))), error=reflected_error)
        yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3, 2))), error=RuntimeError)
        yield Case((gen_a(rng, (2, 3)), "2"), error=TypeError, note="not a number")
    return cases


def _by_overload(tensor_node, scalar_node, reflected_node=None):
    def node(c):
        if not isinstance(c.args[0], np.ndarray):
            return reflected_node
        return tensor_node if isinstance(c.args[1], np.ndarray) else scalar_node
    return node


row("xlogy", lambda m, a, b: m.xlogy(a, b),
    _scalar_binary_cases(U, P, (2.5, 2, True) + NP_SCALARS, reflected=(2.5, 3, 0.0)),
    node=_by_overload("XlogyBackward0", "XlogyBackward2", "XlogyBackward1"))
row("xlogy_method", lambda m, a, b: a.xlogy(b),
    lambda rng: [Case((U(rng, (2, 3)), P(rng, (3,)))), Case((U(rng, (2, 3)), 0.5))],
    node=_by_overload("XlogyBackward0", "XlogyBackward2"))
row("xlogy_zero_self", lambda m, a, b: m.xlogy(a, b),
    lambda rng: [Case((np.array([0.0, 1.5, 0.0, -2.0]), P(rng, (4,))), gradcheck=False,
                      note="d/dself at self = 0: log(other), or 0 where other <= 0"),
                 Case((np.array([0.0, 1.5]), 0.0), gradcheck=False),
                 Case((np.array([0.0, 1.5]), 0.5), gradcheck=False)],
    node=_by_overload("XlogyBackward0", "XlogyBackward2"))
row("fmod", lambda m, a, b: m.fmod(a, b),
    _scalar_binary_cases(_off_multiples, _divisor, (2, 2.5, -1.5, True) + NP_SCALARS,
                         reflected=(5.5,), reflected_error=TypeError),
    node=_by_overload("FmodBackward1", "FmodBackward0"))
row("fmod_method", lambda m, a, b: a.fmod(b),
    lambda rng: [Case((_off_multiples(rng, (2, 3)), _divisor(rng, (3,)))),
                 Case((_off_multiples(rng, (2, 3)), -2))],
    node=_by_overload("FmodBackward1", "FmodBackward0"))
row("fmod_int_by_zero", lambda m, a, b: m.fmod(a.long(), b),
    lambda rng: [Case((_off_multiples(rng, (2, 3)), 0), error=RuntimeError),
                 Case((_off_multiples(rng, (2, 3)), np.array([1.0, 0.0, 2.0])),
                      nograd=(1,), mixed=False, note="float 0 divisor: nan, no error")],
    differentiable=False, ints=False)
row("copysign", lambda m, a, b: m.copysign(a, b),
    _scalar_binary_cases(U, U, (2.5, -2, True, -0.0, 0.0) + NP_SCALARS, reflected=(2.0,),
                         reflected_error=TypeError),
    node=_by_overload("CopysignBackward0", "CopysignBackward1"))
row("copysign_method", lambda m, a, b: a.copysign(b),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)))), Case((U(rng, (2, 3)), -1.0))],
    node=_by_overload("CopysignBackward0", "CopysignBackward1"))


# ***** lerp, addcmul, addcdiv *****

def _lerp_cases(rng):
    for w in (0.3, 0.7, -0.6, 1, True, 2.0, 0.5):
        yield Case((U(rng, (2, 3)), U(rng, (2, 3)), w))
    yield Case((U(rng, (2, 3)), U(rng, (3,)), 0.25))
    yield Case((U(rng, (3,)), U(rng, (2, 3)), 0.75))
    yield Case((U(rng, ()), U(rng, ()), 0.4))
    yield Case((U(rng, (0, 3)), U(rng, (3,)), 0.4))
    yield Case((U(rng, (2, 3)), U(rng, (2, 3)), U(rng, (2, 3), -1, 2, avoid=())))
    yield Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, (2, 1), -1, 2, avoid=())))
    yield Case((U(rng, (3,)), U(rng, (3,)), U(rng, (2, 3), -1, 2, avoid=())))
    yield Case((U(rng, (2, 3)), U(rng, (2, 3)), U(rng, ())), note="0-d weight")
    yield Case((U(rng, (2, 3)), U(rng, (2, 3)), U(rng, (3,))), nograd=(2,))
    yield Case((U(rng, (2, 3)), U(rng, (2, 3)), U(rng, (3,))), nograd=(0, 1))
    yield Case((U(rng, (3,)), U(rng, (2,)), 0.5), error=RuntimeError)
    yield Case((U(rng, (3,)), 2.0, 0.5), error=TypeError)
    yield Case((U(rng, (3,)), U(rng, (3,)), "w"), error=TypeError)


row("lerp", lambda m, a, b, w: m.lerp(a, b, w), _lerp_cases,
    node=lambda c: "LerpBackward1" if isinstance(c.args[2], np.ndarray) else "LerpBackward0")
row("lerp_method", lambda m, a, b, w: a.lerp(b, w),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), 0.3)),
                 Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, (2, 3))))],
    node=lambda c: "LerpBackward1" if isinstance(c.args[2], np.ndarray) else "LerpBackward0")
row("lerp_inplace", lambda m, a, b, w: (a * 1).lerp_(b, w),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), 0.3)),
                 Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, (2, 3)))),
                 Case((U(rng, (3,)), U(rng, (2, 3)), 0.3), error=RuntimeError)],
    node=lambda c: "LerpBackward1" if isinstance(c.args[2], np.ndarray) else "LerpBackward0")


def _addc_cases(divisor):
    def cases(rng):
        yield Case((U(rng, (2, 3)), U(rng, (2, 3)), divisor(rng, (2, 3))))
        for v in (2, 0.5, -1, True):
            yield Case((U(rng, (2, 3)), U(rng, (2, 3)), divisor(rng, (2, 3))), {"value": v})
        yield Case((U(rng, (3,)), U(rng, (2, 1)), divisor(rng, (3,))))
        yield Case((U(rng, (2, 3)), U(rng, ()), divisor(rng, (2, 3))), {"value": 3})
        yield Case((U(rng, ()), U(rng, ()), divisor(rng, ())))
        yield Case((U(rng, (0, 3)), U(rng, (3,)), divisor(rng, (3,))))
        yield Case((U(rng, (2, 3)), U(rng, (2, 3)), divisor(rng, (2, 3))), nograd=(0, 2))
        yield Case((U(rng, (2, 3)), U(rng, (2, 3)), divisor(rng, (2, 3))), nograd=(1,))
        yield Case((U(rng, (3,)), U(rng, (2,)), divisor(rng, (3,))), error=RuntimeError)
        yield Case((U(rng, (3,)), 2.0, divisor(rng, (3,))), error=TypeError)
        yield Case((U(rng, (3,)), U(rng, (3,)), divisor(rng, (3,))), {"value": "2"},
                   error=TypeError)
    return cases


def _away(rng, shape):
    return U(rng, shape, gap=0.3)


row("addcmul", lambda m, a, p, q, **k: m.addcmul(a, p, q, **k), _addc_cases(U),
    node="AddcmulBackward0")
row("addcdiv", lambda m, a, p, q, **k: m.addcdiv(a, p, q, **k), _addc_cases(_away),
    node="AddcdivBackward0")
row("addcmul_method", lambda m, a, p, q: a.addcmul(p, q, value=0.5),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, (2, 1))))], node="AddcmulBackward0")
row("addcdiv_method", lambda m, a, p, q: a.addcdiv(p, q, value=-2),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), _away(rng, (2, 1))))],
    node="AddcdivBackward0")
row("addcmul_inplace", lambda m, a, p, q: (a * 1).addcmul_(p, q, value=2),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), U(rng, (2, 1)))),
                 Case((U(rng, (3,)), U(rng, (2, 3)), U(rng, (3,))), error=RuntimeError)],
    node="AddcmulBackward0")
row("addcdiv_inplace", lambda m, a, p, q: (a * 1).addcdiv_(p, q, value=2),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (3,)), _away(rng, (2, 1))))],
    node="AddcdivBackward0")


# ***** nan_to_num *****

def _nan_to_num_cases(rng):
    s = _special(rng)
    yield Case((s,))
    yield Case((s,), {"nan": 2.0, "posinf": 1.0, "neginf": -1.0})
    yield Case((s,), {"nan": -1, "posinf": 1e300}, note="1e300 overflows float32 to inf")
    yield Case((s,), {"neginf": None, "nan": None})
    for sh in SHAPES + EMPTY:
        yield Case((U(rng, sh),))
    yield Case((s,), {"nan": "x"}, error=TypeError)


row("nan_to_num", lambda m, a, **k: m.nan_to_num(a, **k), _nan_to_num_cases,
    node="NanToNumBackward0")
row("nan_to_num_method", lambda m, a: a.nan_to_num(posinf=5.0),
    lambda rng: [Case((_special(rng),))], node="NanToNumBackward0")
row("nan_to_num_inplace", lambda m, a: (a * 1).nan_to_num_(nan=3.0),
    lambda rng: [Case((_special(rng),)), Case((U(rng, (2, 3)),))], node="NanToNumBackward0")


# ***** fused reductions *****

def _var_mean_cases(rng):
    yield from _var_cases(rng)
    yield Case((U(rng, (2, 3)),), {"dim": [0, 1], "correction": 0})
    yield Case((U(rng, (0, 3)),), {"dim": 1})
    yield Case((U(rng, (2, 3)),), {"dim": 2}, error=IndexError)


row("var_mean", lambda m, a, **k: m.var_mean(a, **k), _var_mean_cases, node="VarMeanBackward0")
row("std_mean", lambda m, a, **k: m.std_mean(a, **k), _var_mean_cases, node="StdMeanBackward0")
row("var_mean_positional", lambda m, a: m.var_mean(a, 1, False, True),
    lambda rng: [Case((U(rng, (2, 3)),))], node="VarMeanBackward0")
row("std_mean_unbiased", lambda m, a: m.std_mean(a, False),
    lambda rng: [Case((U(rng, (2, 3)),))], node="StdMeanBackward0")
row("std_mean_zero_std", lambda m, a: m.std_mean(a * 0 + 1.5, 1),
    lambda rng: [Case((U(rng, (2, 3)),), gradcheck=False, note="std 0: its gradient is 0")],
    node="StdMeanBackward0")
row("var_mean_mean_only", lambda m, a: m.var_mean(a, 0)[1], unary_cases(U, [(2, 3)]),
    node="VarMeanBackward0")


def _aminmax_cases(rng):
    for s in SHAPES:
        yield Case((D(rng, s),))
    yield Case((D(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((D(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((D(rng, (2, 3)),), {"keepdim": True})
    yield Case((D(rng, ()),), {"dim": 0})
    yield Case((D(rng, (0, 3)),), {"dim": 1})
    yield Case((np.array([2.0, 1.0, 2.0, 1.0, 0.5, 2.0]),), gradcheck=False,
               note="ties share the gradient")
    yield Case((np.array([1.0, NAN, 3.0]),), gradcheck=False, note="nan propagates")
    yield Case((D(rng, (0,)),), error=RuntimeError)
    yield Case((D(rng, (0, 3)),), {"dim": 0}, error=IndexError)
    yield Case((D(rng, (2, 3)),), {"dim": 2}, error=IndexError)


row("aminmax", lambda m, a, **k: m.aminmax(a, **k), _aminmax_cases, node="AminmaxBackward0")
row("aminmax_method", lambda m, a: a.aminmax(dim=0), unary_cases(D, [(2, 3)]),
    node="AminmaxBackward0")
row("aminmax_fields", lambda m, a: (m.aminmax(a, dim=1).max, m.aminmax(a, dim=1).min),
    unary_cases(D, [(2, 3)]), node="AminmaxBackward0")


def _with_nans(rng, shape):
    x = U(rng, shape)
    if x.size:
        x.reshape(-1)[rng.choice(x.size, max(1, x.size // 4), replace=False)] = NAN
    return x


def _nansum_cases(rng):
    for s in SHAPES:
        yield Case((_with_nans(rng, s),), gradcheck=False)
    yield Case((U(rng, (2, 3)),))
    yield Case((U(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((_with_nans(rng, (2, 3, 4)),), {"dim": (0, 2), "keepdim": True}, gradcheck=False)
    yield Case((U(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((U(rng, (2, 3)),), {"dim": ()})
    yield Case((U(rng, ()),), {"dim": 0})
    yield Case((U(rng, (0, 3)),), {"dim": 0})
    yield Case((np.full((2, 2), NAN),), {"dim": 1}, gradcheck=False, note="all nan: 0 (nansum)")
    yield Case((U(rng, (2, 3)),), {"dim": 2}, error=IndexError)
    yield Case((U(rng, (2, 3)),), {"dim": 0.5}, error=TypeError)


row("nansum", lambda m, a, **k: m.nansum(a, **k),
    lambda rng: [*_nansum_cases(rng),
                 Case((_with_nans(rng, (2, 3)),), {"dtype": DT("float64")}, gradcheck=False)],
    node="NansumBackward0")
row("nansum_method", lambda m, a: a.nansum(0), unary_cases(U, [(2, 3)]), node="NansumBackward0")
def _nanmean_cases(rng):
    for c in _nansum_cases(rng):
        if any(isinstance(a, np.ndarray) and a.size == 0 for a in c.args):
            c.gradgrad = False
            c.note = "empty: the count is 0, Div's double backward divides by it (as torch's)"
        yield c


row("nanmean", lambda m, a, **k: m.nanmean(a, **k),
    lambda rng: [*_nanmean_cases(rng),
                 Case((_with_nans(rng, (2, 3)),), {"dtype": DT("float64")}, gradcheck=False)],
    node="DivBackward0")
row("nanmean_method", lambda m, a: a.nanmean(-1, True), unary_cases(U, [(2, 3)]),
    node="DivBackward0")


def _count_cases(rng):
    def zeros(shape):
        return rng.choice([0.0, 0.0, 1.5, -2.0, NAN], size=shape)
    for s in SHAPES + EMPTY:
        yield Case((zeros(s),))
    yield Case((zeros((2, 3, 4)),), {"dim": 1})
    yield Case((zeros((2, 3, 4)),), {"dim": (0, -1)})
    yield Case((zeros((2, 3)),), {"dim": ()})
    yield Case((zeros(()),), {"dim": 0})
    yield Case((B(rng, (2, 3)),), {"dim": 0})
    yield Case((zeros((2, 3)),), {"dim": (0, 0)}, error=RuntimeError)
    yield Case((zeros((2, 3)),), {"dim": 2}, error=IndexError)

row("count_nonzero", lambda m, a, **k: m.count_nonzero(a, **k), _count_cases,
    differentiable=False)
row("count_nonzero_method", lambda m, a: a.count_nonzero(1),
    lambda rng: [Case((rng.choice([0.0, 2.0], size=(2, 3)),))], differentiable=False)


# ***** outer, trace, diff *****

def _outer_cases(rng):
    yield Case((U(rng, (3,)), U(rng, (4,))))
    yield Case((U(rng, (1,)), U(rng, (2,))))
    yield Case((U(rng, (0,)), U(rng, (3,))))
    yield Case((U(rng, (3,)), U(rng, (4,))), nograd=(0,))
    yield Case((U(rng, (2, 3)), U(rng, (3,))), error=RuntimeError)
    yield Case((U(rng, (3,)), U(rng, ())), error=RuntimeError)
    yield Case((U(rng, (3,)), 2.0), error=TypeError)


row("outer", lambda m, a, b: m.outer(a, b), _outer_cases, node="MulBackward0")
row("ger", lambda m, a, b: m.ger(a, b), _outer_cases, node="MulBackward0")
row("outer_method", lambda m, a, b: a.outer(b),
    lambda rng: [c for c in _outer_cases(rng) if c.error is not TypeError], node="MulBackward0")


def _trace_cases(rng):
    for s in [(3, 3), (2, 4), (4, 2), (1, 1), (0, 3)]:
        yield Case((U(rng, s),))
    yield Case((U(rng, (3,)),), error=RuntimeError)
    yield Case((U(rng, (2, 2, 2)),), error=RuntimeError)


row("trace", lambda m, a: m.trace(a), _trace_cases, node="TraceBackward0")
row("trace_method", lambda m, a: a.trace(), _trace_cases, node="TraceBackward0")
row("trace_bool", lambda m, a: m.trace(a), lambda rng: [Case((B(rng, (2, 2)),),
                                                             error=NotImplementedError)],
    differentiable=False)


def _diff_cases(rng):
    yield Case((U(rng, (5,)),), {})
    yield Case((U(rng, (2, 5)),), {"n": 2})
    yield Case((U(rng, (3, 4)),), {"dim": 0})
    yield Case((U(rng, (2, 3, 4)),), {"n": 3, "dim": 1}, note="n > length - 1: empty")
    yield Case((U(rng, (2, 3)),), {"n": 5}, note="n > length")
    yield Case((U(rng, (2, 3)), U(rng, (2, 2))), {"dim": 1}, node="SubBackward0")
    yield Case((U(rng, (4,)),), {"n": 0}, node="torch::autograd::CopyBackwards")
    yield Case((U(rng, (0,)),), {}, node="", note="nothing to difference: the input itself")
    yield Case((U(rng, ()),), {}, error=RuntimeError)
    yield Case((U(rng, (3,)),), {"n": -1}, error=RuntimeError)
    yield Case((U(rng, (3,)),), {"dim": 1}, error=IndexError)


def _diff(m, a, b=None, **k):
    return m.diff(a, **k) if b is None else m.diff(a, prepend=b, **k)


row("diff", _diff, _diff_cases, node="SubBackward0", depth=6)


def _diff_pad_cases(rng):
    yield Case((U(rng, (2, 3)), U(rng, (2, 1)), U(rng, (2, 2))), {"dim": 1})
    yield Case((U(rng, (2, 3)), U(rng, (1, 3)), U(rng, (3, 3))), {"dim": 0, "n": 2})
    yield Case((U(rng, (2, 3)), U(rng, (2, 1)), U(rng, (2, 2))), {"dim": 1}, nograd=(1,))
    yield Case((U(rng, (2, 3)), U(rng, (3, 1)), U(rng, (2, 2))), {"dim": 1}, error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (1,)), U(rng, (2, 2))), {"dim": 1}, error=RuntimeError)


row("diff_prepend_append", lambda m, a, p, q, **k: m.diff(a, prepend=p, append=q, **k),
    _diff_pad_cases, node="SubBackward0", depth=6)
row("diff_method", lambda m, a: a.diff(dim=0, append=a), unary_cases(U, [(2, 3)]),
    node="SubBackward0", depth=6)
row("diff_append_number", lambda m, a: m.diff(a, append=2.0),
    lambda rng: [Case((U(rng, (3,)),), error=TypeError)], differentiable=False)
row("diff_bool", lambda m, a: m.diff(a > 0, n=2), unary_cases(U, [(2, 5)]), differentiable=False)


# ***** cummax, cummin, logcumsumexp *****

def _cum_cases(gen):
    def cases(rng):
        yield Case((gen(rng, (5,)),), {"dim": 0})
        yield Case((gen(rng, (2, 3, 4)),), {"dim": 1})
        yield Case((gen(rng, (2, 3)),), {"dim": -1})
        yield Case((gen(rng, ()),), {"dim": 0})
        yield Case((gen(rng, (0, 3)),), {"dim": 0})
        yield Case((gen(rng, (0, 3)),), {"dim": 1})
        yield Case((gen(rng, (2, 3)),), {"dim": 2}, error=IndexError)
    return cases


def _cum_special(rng):
    yield Case((np.array([1.0, 3.0, 3.0, 2.0, 5.0, 5.0]),), {"dim": 0}, gradcheck=False,
               note="ties: the later index")
    yield Case((np.array([3.0, NAN, 1.0, NAN, 4.0]),), {"dim": 0}, gradcheck=False,
               note="nan stays; each new nan takes the index")


for _name, _node in [("cummax", "CummaxBackward0"), ("cummin", "CumminBackward0")]:
    row(_name, lambda m, a, f=_name, **k: getattr(m, f)(a, **k),
        lambda rng: [*_cum_cases(D)(rng), *_cum_special(rng)], node=_node)
    row(f"{_name}_method", lambda m, a, f=_name: getattr(a, f)(1), unary_cases(D, [(2, 3)]),
        node=_node)
    row(f"{_name}_fields", lambda m, a, f=_name: (getattr(m, f)(a, 0).values,
                                                  getattr(m, f)(a, 0).indices),
        unary_cases(D, [(4, 2)]), node=_node)


def _lcse_cases(rng):
    yield from _cum_cases(U)(rng)
    yield Case((U(rng, (2, 4), -40, 40),), {"dim": 1}, note="wide range: no overflow")
    yield Case((np.array([-INF, 1.0, INF, 2.0]),), {"dim": 0}, gradcheck=False)
    yield Case((np.array([-INF, NAN, 1.0]),), {"dim": 0}, gradcheck=False)


row("logcumsumexp", lambda m, a, **k: m.logcumsumexp(a, **k), _lcse_cases,
    node="LogcumsumexpBackward0")
row("logcumsumexp_method", lambda m, a: a.logcumsumexp(0), unary_cases(U, [(3, 2)]),
    node="LogcumsumexpBackward0")


# ***** addmv, baddbmm, addbmm *****

def _addmv_cases(rng):
    for sc in [(2,), (1,), ()]:
        yield Case((U(rng, sc), U(rng, (2, 3)), U(rng, (3,))))
    yield Case((U(rng, (2,)), U(rng, (2, 3)), U(rng, (3,))), {"beta": 0.5, "alpha": 2})
    yield Case((U(rng, (2,)), U(rng, (2, 3)), U(rng, (3,))), {"beta": -1, "alpha": True})
    yield Case((np.array([NAN, INF]), U(rng, (2, 3)), U(rng, (3,))), {"beta": 0},
               note="beta=0 ignores the input's values")
    yield Case((U(rng, (2,)), U(rng, (2, 0)), U(rng, (0,))), note="k = 0")
    yield Case((U(rng, (2,)), U(rng, (2, 3)), U(rng, (3,))), nograd=(1,))
    yield Case((U(rng, (3,)), U(rng, (2, 3)), U(rng, (3,))), error=RuntimeError)
    yield Case((U(rng, (2,)), U(rng, (2, 3)), U(rng, (4,))), error=RuntimeError)
    yield Case((U(rng, (1, 2)), U(rng, (2, 3)), U(rng, (3,))), error=RuntimeError)
    yield Case((U(rng, (2,)), U(rng, (3,)), U(rng, (3,))), error=RuntimeError)
    yield Case((1.0, U(rng, (2, 3)), U(rng, (3,))), error=TypeError)


def _baddbmm_cases(rng):
    for sc in [(4, 2, 5), (2, 5), (5,), (), (4, 1, 5)]:
        yield Case((U(rng, sc), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))))
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))),
               {"beta": 0.5, "alpha": -2})
    yield Case((np.full((2, 5), NAN), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), {"beta": 0})
    yield Case((U(rng, (0, 2, 5)), U(rng, (0, 2, 3)), U(rng, (0, 3, 5))), mixed=False,
               note="(mixed dtypes: torch's empty-batch path skips checks, not reproduced)")
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 0)), U(rng, (4, 0, 5))), mixed=False)
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), nograd=(0, 2))
    yield Case((U(rng, (3, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), error=RuntimeError)
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 3)), U(rng, (3, 3, 5))), error=RuntimeError)
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 4, 5))), error=RuntimeError)
    yield Case((U(rng, (4, 2, 5)), U(rng, (2, 3)), U(rng, (4, 3, 5))), error=RuntimeError)
    yield Case((U(rng, (4, 2, 5)), U(rng, (4, 2, 3)), U(rng, (3, 5))), error=IndexError)


def _addbmm_cases(rng):
    for sc in [(2, 5), (5,), (2, 1), ()]:
        yield Case((U(rng, sc), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))))
    yield Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), {"beta": 2, "alpha": 0.5})
    yield Case((np.full((2, 5), INF), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), {"beta": 0})
    yield Case((U(rng, (2, 5)), U(rng, (0, 2, 3)), U(rng, (0, 3, 5))), mixed=False,
               note="no batches (mixed dtypes: torch skips its checks, not reproduced)")
    yield Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), nograd=(1,))
    yield Case((U(rng, (3, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))), error=RuntimeError)
    yield Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (3, 3, 5))), error=RuntimeError)
    yield Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 4, 5))), error=RuntimeError)
    yield Case((U(rng, (2, 5)), U(rng, (2, 3)), U(rng, (4, 3, 5))), error=RuntimeError)


row("addmv", lambda m, c, a, b, **k: m.addmv(c, a, b, **k), _addmv_cases, node="AddmvBackward0")
row("baddbmm", lambda m, c, a, b, **k: m.baddbmm(c, a, b, **k), _baddbmm_cases,
    node="BaddbmmBackward0")
row("addbmm", lambda m, c, a, b, **k: m.addbmm(c, a, b, **k), _addbmm_cases,
    node="AddbmmBackward0")
row("addmv_method", lambda m, c, a, b: c.addmv(a, b, alpha=3),
    lambda rng: [Case((U(rng, (2,)), U(rng, (2, 3)), U(rng, (3,))))], node="AddmvBackward0")
row("baddbmm_method", lambda m, c, a, b: c.baddbmm(a, b, beta=2),
    lambda rng: [Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))))],
    node="BaddbmmBackward0")
row("addbmm_method", lambda m, c, a, b: c.addbmm(a, b),
    lambda rng: [Case((U(rng, (2, 5)), U(rng, (4, 2, 3)), U(rng, (4, 3, 5))))],
    node="AddbmmBackward0")
for _name, _shapes in [("addmv", ((2,), (2, 3), (3,))),
                       ("baddbmm", ((4, 2, 5), (4, 2, 3), (4, 3, 5))),
                       ("addbmm", ((2, 5), (4, 2, 3), (4, 3, 5)))]:
    row(f"{_name}_inplace", lambda m, c, a, b, f=_name: getattr(c * 1, f + "_")(a, b, alpha=2),
        lambda rng, sh=_shapes: [Case(tuple(U(rng, s) for s in sh))],
        node=f"{_name.capitalize()}Backward0")


# ***** logspace, tril_indices, triu_indices (no gradient) *****

def _logspace_cases(rng):
    yield Case((-1, 2, 5), {})
    yield Case((0.5, 3.25, 7), {"base": 2.0})
    yield Case((2, -1, 4), {"base": 3})
    yield Case((1, 3, 3), {"base": -2.0})
    yield Case((-3, 5, 11), {"dtype": DT("float64")})
    yield Case((0, 10, 4), {"dtype": DT("int64")})
    yield Case((0.9, 10.2, 4), {"dtype": DT("int64")}, note="integer ends truncate first")
    yield Case((0.5, 3, 4), {"base": 2, "dtype": DT("int32")})
    yield Case((1, 3, 3), {"dtype": DT("uint8")}, note="1000 wraps to 232")
    yield Case((2.7, 5, 1), {"dtype": DT("int64")}, note="one step: base ** start, truncated")
    yield Case((1, 3, 1), {})
    yield Case((1, 3, 0), {})
    yield Case((0, 40, 3), {}, note="overflows float32 to inf")
    yield Case((1, 3, -1), {}, error=RuntimeError)
    yield Case((1, 3, 3), {"dtype": DT("bool")}, error=NotImplementedError)
    yield Case((1, 3, 2.0), {}, error=TypeError)


row("logspace", lambda m, a, b, n, **k: m.logspace(a, b, n, **k), _logspace_cases,
    differentiable=False)
row("logspace_tensor_ends", lambda m, a, b: m.logspace(a, b, 4),
    lambda rng: [Case((U(rng, ()), U(rng, ())), mixed=False),
                 Case((U(rng, (2,)), U(rng, ())), error=RuntimeError)],
    differentiable=False, ints=False)


def _tri_cases(rng):
    for args in [(3, 3), (4, 3, -1), (3, 5, 1), (3, 3, 5), (3, 3, -5), (0, 3), (1, 1), (3, 0)]:
        yield Case(args)
    yield Case((3, 3), {"dtype": DT("int32")})
    yield Case((-1, 3), error=RuntimeError)
    yield Case((3, -2), error=RuntimeError)
    yield Case((3, 3), {"dtype": DT("float32")}, error=NotImplementedError)
    yield Case((3.0, 2), error=TypeError)


row("tril_indices", lambda m, *a, **k: m.tril_indices(*a, **k), _tri_cases, differentiable=False)
row("triu_indices", lambda m, *a, **k: m.triu_indices(*a, **k), _tri_cases, differentiable=False)
