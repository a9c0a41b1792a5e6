"""The op table: one `OpSpec` row per operation, driving tests/test_ops.py and `zerograd gradcheck`.

A row says how to call the op (one callable `op(m, *args, **kwargs)` serves both libraries:
`m` is the module, `zerograd` or `torch`), which inputs to feed it (`cases(rng)` yields `Case`s
holding NumPy arrays, so both libraries get the same values), and what torch records for it
(`node`: the name of the output's grad_fn).  Arrays are float64 here; the tests cast them to
float32 / int64 / mixed dtypes.  Bool arrays (masks, `where` conditions) are never cast and never
require grad.

Input domains keep away from the places where the derivative is not defined or depends on
tie-breaking: log/sqrt/rsqrt/pow bases are positive, relu/abs/sign inputs avoid 0, clamp inputs
avoid the bounds, max/min/amax/norm(inf) inputs have distinct magnitudes.  Integer casting maps
x -> round(3 x), which keeps signs, keeps positives >= 1 and keeps distinct values distinct.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

INF = math.inf


class DT(str):
    """A dtype named in a case's kwargs, resolved per library: DT('float64') -> m.float64."""


@dataclass
class Case:
    args: tuple                         # NumPy arrays (-> tensors), Python numbers (passed as is)
    kwargs: dict = field(default_factory=dict)
    error: type | None = None           # torch raises this in float64; zerograd must too
    match: bool = True                  # ... with torch's message (its first line) in its own
    node: str | None = None             # grad_fn.name() when it differs from the row's ("": none)
    nograd: tuple = ()                  # indices of float array args that must not require grad
    gradgrad: bool = True               # False: no second derivative for this case
    gradcheck: bool = True              # False: not finite-difference checkable (inf/nan)
    mixed: bool = True                  # False: skip the mixed-dtype forward variants
    xfail: dict = field(default_factory=dict)   # test kind ("forward", "backward", "graph",
                                                # "gradcheck") -> reason: a known bug
    note: str = ""


@dataclass
class OpSpec:
    name: str
    op: Callable[..., Any]              # op(m, *args, **kwargs), m = zerograd or torch
    cases: Callable[[np.random.Generator], Iterable[Case]]
    node: str | Callable[[Case], str] | None = None   # torch's grad_fn.name() of the output
    torch_op: Callable[..., Any] | None = None   # when torch needs a different spelling
    differentiable: bool = True
    gradgrad: bool = True               # supports second derivatives (gradgradcheck)
    gradcheck: bool = True              # False: finite differences cannot check it (e.g. a
                                        # float32 round trip), the torch parity tests still do
    xfail: dict = field(default_factory=dict)   # test kind -> reason, for every case
    ints: bool = True                   # dtypes: float32 and float64 always; with ints also
                                        # int64 and int/float mixes (torch may refuse them:
                                        # then zerograd must raise the same error)
    depth: int = 4                      # how far to compare the next_functions[0] chain
    rtol: float = 1e-7                  # float64 tolerances (float32: see tol())
    atol: float = 1e-9
    rtol32: float = 2e-5
    atol32: float = 2e-5
    _cache: list | None = field(default=None, repr=False)

    def samples(self) -> list[Case]:
        if self._cache is None:
            rng = np.random.default_rng(zlib.crc32(self.name.encode()))
            self._cache = list(self.cases(rng))
        return self._cache

    def call(self, m, args, kwargs):
        f = self.torch_op if (self.torch_op is not None and m.__name__ == "torch") else self.op
        kw = {k: (getattr(m, v) if isinstance(v, DT) else v) for k, v in kwargs.items()}
        return f(m, *args, **kw)

    def expected_node(self, case: Case):
        if case.node is not None:
            return case.node
        return self.node(case) if callable(self.node) else self.node

    def tol(self, dtype):
        """(rtol, atol) for values of `dtype` (float32 and float16 are looser)."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f" or dtype == np.float64:
            return self.rtol, self.atol
        return self.rtol32, self.atol32


# ------------------------------------------------------------------------------------------------
# input generators (float64 arrays)
# ------------------------------------------------------------------------------------------------

def U(rng, shape, lo=-2.0, hi=2.0, avoid=(0.0,), gap=0.15):
    """Uniform in [lo, hi], at least `gap` away from every point in `avoid`."""
    x = np.asarray(rng.uniform(lo, hi, shape), np.float64)
    for _ in range(200):
        bad = np.zeros(x.shape, bool)
        for p in avoid:
            bad |= np.abs(x - p) < gap
        if not bad.any():
            break
        x = np.where(bad, rng.uniform(lo, hi, shape), x)
    return x


def P(rng, shape, lo=0.5, hi=2.0):
    """Positive."""
    return np.asarray(rng.uniform(lo, hi, shape), np.float64)


def D(rng, shape, scale=0.37):
    """Distinct magnitudes (no ties in max/min/|x|), random signs."""
    n = int(np.prod(shape, dtype=np.int64))
    mag = (rng.permutation(n) + 1) * scale
    return (mag * rng.choice([-1.0, 1.0], n)).reshape(shape)


def B(rng, shape):
    """A bool mask."""
    return np.asarray(rng.random(shape) < 0.5)


def S(rng, shape, lo=-1.5, hi=1.5):
    """Small magnitudes, away from 0 (products stay bounded)."""
    return U(rng, shape, lo, hi, gap=0.3)


SHAPES = [(), (3,), (2, 3), (2, 3, 4)]
EMPTY = [(0,), (2, 0)]

# broadcasting pairs: (a shape, b shape)
BCAST = [((2, 3), (2, 3)), ((), ()), ((3,), (2, 3)), ((2, 3), (3,)), ((2, 1, 3), (4, 3)),
         ((2, 3), ()), ((), (2, 3)), ((2, 3, 4), (3, 1)), ((0, 3), (3,))]


def tensor_pair_cases(gen_a, gen_b):
    """Broadcasting pairs, one input without grad, a number (torch's TypeError: these functions
    have no Scalar overload) and shapes that do not broadcast."""
    def cases(rng):
        for sa, sb in BCAST:
            yield Case((gen_a(rng, sa), gen_b(rng, sb)))
        yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3,))), nograd=(1,))
        yield Case((gen_a(rng, (2, 1)), gen_b(rng, (2, 3))), nograd=(0,))
        yield Case((gen_a(rng, (2, 3)), 2.5), error=TypeError)
        yield Case((2, gen_b(rng, (2, 3))), error=TypeError)
        yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3, 2))), error=RuntimeError)
    return cases


def unary_cases(gen, shapes=SHAPES + EMPTY):
    def cases(rng):
        for s in shapes:
            yield Case((gen(rng, s),))
    return cases


NP_SCALARS = (np.float64(2.5), np.int64(3))     # NumPy scalars count as Python numbers


def binary_cases(gen_a, gen_b, scalars=(2.5, 2, True) + NP_SCALARS, errors=True):
    def cases(rng):
        for sa, sb in BCAST:
            yield Case((gen_a(rng, sa), gen_b(rng, sb)))
        yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3,))), nograd=(1,))
        yield Case((gen_a(rng, (2, 1)), gen_b(rng, (2, 3))), nograd=(0,))
        for c in scalars:
            yield Case((gen_a(rng, (2, 3)), c))
        if errors:
            yield Case((gen_a(rng, (2, 3)), gen_b(rng, (3, 2))), error=RuntimeError)
    return cases


def reflected_cases(gen, scalars=(2, 2.5)):
    def cases(rng):
        for s in SHAPES + [(0,)]:
            for c in scalars:
                yield Case((gen(rng, s), c))
    return cases


# ------------------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------------------

OP_DB: list[OpSpec] = []


def row(*args, **kwargs) -> OpSpec:
    spec = OpSpec(*args, **kwargs)
    OP_DB.append(spec)
    return spec


# ***** arithmetic *****

row("add", lambda m, a, b: a + b, binary_cases(U, U), node="AddBackward0")
row("add_fn", lambda m, a, b: m.add(a, b), binary_cases(U, U, scalars=(2.5,), errors=False),
    node="AddBackward0")


def _alpha_cases(rng):
    yield Case((U(rng, (2, 3)), U(rng, (2, 3))), {"alpha": 2})
    yield Case((U(rng, (2, 1, 3)), U(rng, (4, 3))), {"alpha": -3})
    yield Case((U(rng, (2, 3)), U(rng, (3,))), {"alpha": 0.5})
    yield Case((U(rng, ()), U(rng, ())), {"alpha": 2})


row("add_alpha", lambda m, a, b, alpha: m.add(a, b, alpha=alpha), _alpha_cases, node="AddBackward0")
row("radd", lambda m, a, c: c + a, reflected_cases(U), node="AddBackward0")
row("sub", lambda m, a, b: a - b, binary_cases(U, U, scalars=(2.5, 2) + NP_SCALARS),
    node="SubBackward0")
row("sub_bool_error", lambda m, a, c: a - c,
    lambda rng: [Case((U(rng, (2, 3)), True), error=RuntimeError),
                 Case((B(rng, (2, 3)), B(rng, (2, 3))), error=RuntimeError)],
    differentiable=False)
row("sub_alpha", lambda m, a, b, alpha: m.sub(a, b, alpha=alpha), _alpha_cases, node="SubBackward0")
row("rsub", lambda m, a, c: c - a, reflected_cases(U), node="RsubBackward1")
row("rsub_fn_scalar", lambda m, a, c: m.rsub(a, c), reflected_cases(U), node="RsubBackward1")
row("rsub_fn_tensor", lambda m, a, b: m.rsub(a, b),
    binary_cases(U, U, scalars=(), errors=False), node="RsubBackward0")
row("mul", lambda m, a, b: a * b, binary_cases(U, U), node="MulBackward0")
row("rmul", lambda m, a, c: c * a, reflected_cases(U), node="MulBackward0")
row("div", lambda m, a, b: a / b,
    binary_cases(U, lambda r, s: U(r, s, gap=0.3), scalars=(2.5, 2, -3)),
    node="DivBackward0")
row("div_fn", lambda m, a, b: m.div(a, b), binary_cases(U, lambda r, s: U(r, s, gap=0.3),
                                                        scalars=(4,), errors=False),
    node="DivBackward0")
row("div_trunc", lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    binary_cases(lambda r, s: U(r, s, -5, 5), lambda r, s: U(r, s, gap=0.3), scalars=(2.5, 2, -3)),
    node="DivBackward2")
row("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    binary_cases(lambda r, s: U(r, s, -5, 5), lambda r, s: U(r, s, gap=0.3), scalars=(2.5, 2, -3)),
    node="DivBackward2")
row("div_method_floor", lambda m, a, b: a.div(b, rounding_mode="floor"),
    lambda rng: [Case((U(rng, (2, 3), -5, 5), U(rng, (3,), gap=0.3)))], node="DivBackward2")
row("div_bad_rounding", lambda m, a, b: m.div(a, b, rounding_mode="round"),
    lambda rng: [Case((U(rng, (2, 3)), U(rng, (2, 3))), error=RuntimeError)], differentiable=False)
row("rdiv", lambda m, a, c: c / a, reflected_cases(lambda r, s: U(r, s, gap=0.3)),
    node="MulBackward0", depth=3)


def _pow_scalar_cases(rng):
    for s in SHAPES + EMPTY:
        yield Case((U(rng, s), 2))
    for e in (3, -1, 0, 1, -2):
        yield Case((U(rng, (2, 3), gap=0.3), e))
    for e in (2.5, 0.5, -1.5, 1.0):
        yield Case((P(rng, (2, 3)), e))
    yield Case((P(rng, ()), 2.5))


row("pow_scalar", lambda m, a, e: a ** e, _pow_scalar_cases, node="PowBackward0")
row("pow_fn_scalar", lambda m, a, e: m.pow(a, e), _pow_scalar_cases, node="PowBackward0")
row("square", lambda m, a: m.square(a), unary_cases(U), node="PowBackward0")
row("square_method", lambda m, a: a.square(), unary_cases(U, SHAPES), node="PowBackward0")


def _pow_tensor_cases(rng):
    for sa, sb in BCAST:
        yield Case((P(rng, sa), U(rng, sb, -2, 2, avoid=())))
    # a 0-d exponent that does not require grad is still the tensor overload (PowBackward1)
    yield Case((P(rng, (2, 3)), U(rng, ())), nograd=(1,))
    yield Case((P(rng, (2, 3)), U(rng, (3, 2))), error=RuntimeError)


row("pow_tensor", lambda m, a, b: a ** b, _pow_tensor_cases, node="PowBackward1")


def _rpow_cases(rng):
    for s in SHAPES + [(0,)]:
        yield Case((U(rng, s, -1.5, 1.5, avoid=()), 2))
    for c in (2.5, 0.5):
        yield Case((U(rng, (2, 3), -1.5, 1.5, avoid=()), c))


def _rpow_pos_cases(rng):
    for s in SHAPES:
        yield Case((P(rng, s, 0.2, 1.5), 2))
    yield Case((P(rng, (2, 3), 0.2, 1.5), 2.5))


row("rpow", lambda m, a, c: c ** a, _rpow_cases, node="PowBackward2", ints=False)
row("rpow_int_ok", lambda m, a, c: c ** a, _rpow_pos_cases, node="PowBackward2")
row("pow_fn_rpow", lambda m, a, c: m.pow(c, a), _rpow_pos_cases, node="PowBackward2")

# ***** unary *****

_UNARY = [
    ("neg", lambda m, a: m.neg(a), "NegBackward0", U),
    ("neg_op", lambda m, a: -a, "NegBackward0", U),
    ("abs", lambda m, a: m.abs(a), "AbsBackward0", U),
    ("abs_op", lambda m, a: abs(a), "AbsBackward0", U),
    ("exp", lambda m, a: m.exp(a), "ExpBackward0", U),
    ("log", lambda m, a: m.log(a), "LogBackward0", P),
    ("log1p", lambda m, a: m.log1p(a), "Log1PBackward0", P),
    ("sqrt", lambda m, a: m.sqrt(a), "SqrtBackward0", P),
    ("rsqrt", lambda m, a: m.rsqrt(a), "RsqrtBackward0", P),
    ("reciprocal", lambda m, a: m.reciprocal(a), "ReciprocalBackward0",
     lambda r, s: U(r, s, gap=0.3)),
    ("sin", lambda m, a: m.sin(a), "SinBackward0", U),
    ("cos", lambda m, a: m.cos(a), "CosBackward0", U),
    ("tanh", lambda m, a: m.tanh(a), "TanhBackward0", U),
    ("sigmoid", lambda m, a: m.sigmoid(a), "SigmoidBackward0", U),
    ("relu", lambda m, a: m.relu(a), "ReluBackward0", U),
    ("sign", lambda m, a: m.sign(a), "SignBackward0", U),
    ("floor", lambda m, a: m.floor(a), "FloorBackward0", U),
    ("ceil", lambda m, a: m.ceil(a), "CeilBackward0", U),
    ("trunc", lambda m, a: m.trunc(a), "TruncBackward0", U),
    ("round", lambda m, a: m.round(a), "RoundBackward0", U),
    ("round_decimals", lambda m, a: m.round(a * 10, decimals=-1), "RoundBackward1", U),
    ("frac", lambda m, a: m.frac(a * 3), "FracBackward0", U),
]
for _name, _f, _node, _gen in _UNARY:
    row(_name, _f, unary_cases(_gen), node=_node)

row("exp_method", lambda m, a: a.exp(), unary_cases(U, SHAPES), node="ExpBackward0")
# non-contiguous inputs (a transposed view) through a few ops of each family
row("noncontig_unary", lambda m, a: m.tanh(a.transpose(0, 1)) * m.sqrt(a.abs().transpose(0, 1)),
    unary_cases(U, [(2, 3), (2, 3, 4)]), node="MulBackward0", depth=4)
row("noncontig_reduce", lambda m, a: a.transpose(0, 1).sum(1) + a.permute(2, 1, 0).amax(2).t(),
    unary_cases(D, [(2, 3, 4)]), node="AddBackward0")
row("sigmoid_large", lambda m, a: m.sigmoid(a),
    lambda rng: [Case((np.array([-800.0, -30.0, -1.0, 1.0, 30.0, 800.0]),))],
    node="SigmoidBackward0", ints=False)


# ***** clamp, maximum/minimum, where *****

def _x_off_grid(rng, shape):
    """Values in [-2, 2] at least 0.1 away from every multiple of 0.5 (the clamp bounds)."""
    return U(rng, shape, avoid=tuple(np.arange(-2.0, 2.01, 0.5)), gap=0.1)


def _clamp_num_cases(rng):
    for s in SHAPES + [(0,)]:
        yield Case((_x_off_grid(rng, s),), {"min": -0.5, "max": 1.0})
    yield Case((_x_off_grid(rng, (2, 3)),), {"min": -1, "max": 1})
    yield Case((_x_off_grid(rng, (2, 3)),), {"min": 0.5})
    yield Case((_x_off_grid(rng, (2, 3)),), {"max": -0.5})
    yield Case((_x_off_grid(rng, (2, 3)),), {"min": 0})
    yield Case((_x_off_grid(rng, (2, 3)),), {"min": 1.0, "max": -1.0}, note="min > max: all max")
    yield Case((_x_off_grid(rng, (2, 3)),), {}, error=RuntimeError)


row("clamp", lambda m, a, **k: m.clamp(a, **k), _clamp_num_cases, node="ClampBackward1")
row("clamp_method", lambda m, a, **k: a.clamp(**k), _clamp_num_cases, node="ClampBackward1")
row("clip", lambda m, a, **k: m.clip(a, **k), _clamp_num_cases, node="ClampBackward1")


def _bounds(rng, shape, lo, hi):
    return rng.choice(np.arange(lo, hi + 0.01, 0.5), size=shape).astype(np.float64)


def _clamp_tensor_cases(rng):
    yield Case((_x_off_grid(rng, (2, 3)), _bounds(rng, (2, 3), -1.5, -0.5),
                _bounds(rng, (2, 3), 0, 1.5)))
    yield Case((_x_off_grid(rng, (2, 3)), _bounds(rng, (3,), -1, 0), _bounds(rng, (2, 1), 0.5, 1)))
    yield Case((_x_off_grid(rng, ()), _bounds(rng, (), -1, 0), _bounds(rng, (), 0.5, 1)))
    yield Case((_x_off_grid(rng, (2, 3)), _bounds(rng, (), -1, -1), _bounds(rng, (), 0.5, 0.5)))


row("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo, hi), _clamp_tensor_cases,
    node="ClampBackward0")


def _clamp_one_tensor_cases(rng):
    yield Case((_x_off_grid(rng, (2, 3)), _bounds(rng, (2, 3), -1.5, 1)))
    yield Case((_x_off_grid(rng, (2, 3)), _bounds(rng, (3,), -1, 1)))
    yield Case((_x_off_grid(rng, ()), _bounds(rng, (), -1, 1)))


row("clamp_min_tensor", lambda m, a, lo: m.clamp(a, min=lo), _clamp_one_tensor_cases,
    node="ClampBackward0")
row("clamp_max_tensor", lambda m, a, hi: m.clamp(a, max=hi), _clamp_one_tensor_cases,
    node="ClampBackward0")
row("clamp_min_method", lambda m, a: a.clamp_min(0.5),
    unary_cases(_x_off_grid, SHAPES), node="ClampMinBackward0")
row("clamp_max_method", lambda m, a: a.clamp_max(0.5),
    unary_cases(_x_off_grid, SHAPES), node="ClampMaxBackward0")


def _minmax_cases(rng):
    for sa, sb in BCAST:
        yield Case((U(rng, sa), U(rng, sb)))
    yield Case((U(rng, (2, 3)), U(rng, (3,))), nograd=(1,))
    yield Case((U(rng, (2, 3)), U(rng, (3, 2))), error=RuntimeError)
    yield Case((U(rng, (2, 3)), 2.0), error=TypeError, note="a number is not a tensor here")


row("maximum", lambda m, a, b: m.maximum(a, b), _minmax_cases, node="MaximumBackward0")
row("minimum", lambda m, a, b: m.minimum(a, b), _minmax_cases, node="MinimumBackward0")
row("max_binary", lambda m, a, b: m.max(a, b), _minmax_cases, node="MaximumBackward0")
row("min_binary", lambda m, a, b: m.min(a, b), _minmax_cases, node="MinimumBackward0")


def _where_cases(rng):
    yield Case((B(rng, (2, 3)), U(rng, (2, 3)), U(rng, (2, 3))))
    yield Case((B(rng, (3,)), U(rng, (2, 3)), U(rng, (2, 1, 3))))
    yield Case((B(rng, (2, 1)), U(rng, ()), U(rng, (3,))))
    yield Case((B(rng, ()), U(rng, ()), U(rng, ())))
    yield Case((B(rng, (2, 3)), U(rng, (2, 3)), 0.0))
    yield Case((B(rng, (2, 3)), 1.5, U(rng, (2, 3))))
    yield Case((B(rng, (2, 3)), U(rng, (2, 3)), 2))
    yield Case((B(rng, (0, 3)), U(rng, (0, 3)), U(rng, (3,))))
    yield Case((B(rng, (2, 3)), U(rng, (2, 3)), U(rng, (3, 2))), error=RuntimeError)
    yield Case((U(rng, (2, 3)), U(rng, (2, 3)), U(rng, (2, 3))), error=RuntimeError,
               note="a float condition")


row("where", lambda m, c, a, b: m.where(c, a, b), _where_cases, node="WhereBackward0")
row("where_method", lambda m, c, a, b: a.where(c, b),
    lambda rng: [c for c in _where_cases(rng) if not isinstance(c.args[1], (int, float))],
    node="WhereBackward0")
row("where_numbers", lambda m, c: m.where(c, 1.0, 0.0),
    lambda rng: [Case((B(rng, (2, 3)),)), Case((B(rng, ()),))], differentiable=False)
row("where_int_numbers", lambda m, c: m.where(c, 1, 0),
    lambda rng: [Case((B(rng, (2, 3)),))], differentiable=False)


# ***** reductions *****

def _reduce_cases(gen, dims=True, tuple_dims=True, empty=True, kw=None):
    kw = kw or {}

    def cases(rng):
        for s in SHAPES:
            yield Case((gen(rng, s),), dict(kw))
        if dims:
            yield Case((gen(rng, (2, 3, 4)),), {"dim": 1, **kw})
            yield Case((gen(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True, **kw})
            yield Case((gen(rng, (2, 3)),), {"dim": 0, "keepdim": False, **kw})
            yield Case((gen(rng, ()),), {"dim": 0, **kw})
            yield Case((gen(rng, ()),), {"dim": -1, "keepdim": True, **kw})
            if tuple_dims:
                yield Case((gen(rng, (2, 3, 4)),), {"dim": (0, 2), **kw})
                yield Case((gen(rng, (2, 3, 4)),), {"dim": (-1, 0), "keepdim": True, **kw})
            yield Case((gen(rng, (2, 3)),), {"dim": 2, **kw}, error=IndexError)
        if empty:
            yield Case((gen(rng, (0,)),), dict(kw))
            yield Case((gen(rng, (0, 3)),), {"dim": 0, **kw} if dims else dict(kw))
    return cases


def _sum_cases(rng):
    yield from _reduce_cases(U)(rng)
    yield Case((U(rng, (2, 3)),), {"dim": None, "keepdim": True})
    yield Case((U(rng, (2, 3)),), {"dtype": DT("float64")})
    yield Case((U(rng, (2, 3)),), {"dim": 1, "dtype": DT("float64")})
    yield Case((U(rng, (2, 3, 4)),), {"dim": [0, -1]})
    yield Case((U(rng, (2, 3)),), {"dim": ()})
    yield Case((U(rng, ()),), {"keepdim": True, "dim": None})
    yield Case((U(rng, (2, 3)),), {"dim": (0, 0)}, error=RuntimeError)
    yield Case((np.array([np.inf, -np.inf, 1.0]),), gradcheck=False,
               note="inf - inf: nan, silently")


def by_dim(all_name, dim_name):
    """The node name of a reduction: `all_name` without a dim, `dim_name` with one."""
    return lambda c: dim_name if c.kwargs.get("dim") is not None or c.kwargs.get("keepdim") \
        else all_name


row("sum", lambda m, a, **k: m.sum(a, **k), _sum_cases, node=by_dim("SumBackward0", "SumBackward1"))
row("sum_method", lambda m, a, **k: a.sum(**k), _reduce_cases(U, tuple_dims=False),
    node=by_dim("SumBackward0", "SumBackward1"))


def _mean_cases(rng):
    yield from _reduce_cases(U)(rng)
    yield Case((np.array([[np.inf, -np.inf, 1.0]]),), {"dim": 1}, gradcheck=False)
    yield Case((U(rng, (2, 3)),), {"dtype": DT("float64")})


row("mean", lambda m, a, **k: m.mean(a, **k), _mean_cases,
    node=by_dim("MeanBackward0", "MeanBackward1"))


def _prod_cases(rng):
    for s in SHAPES:
        yield Case((S(rng, s),))
    yield Case((S(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((S(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((S(rng, ()),), {"dim": 0})
    yield Case((S(rng, (0, 3)),), {"dim": 0})
    yield Case((S(rng, (0,)),))
    one_zero = S(rng, (2, 3))
    one_zero[1, 2] = 0.0
    yield Case((one_zero,), gradgrad=False, note="one zero")
    yield Case((one_zero.copy(),), {"dim": 1}, gradgrad=False, note="one zero, dim")
    two_zeros = S(rng, (2, 3))
    two_zeros[0, 0] = two_zeros[0, 2] = 0.0
    yield Case((two_zeros,), {"dim": 1}, gradgrad=False, note="two zeros in a row")
    yield Case((S(rng, (2, 3)),), {"dtype": DT("float64")})
    yield Case((np.array([np.inf, 0.0, 1.0]),), {"dim": 0}, gradcheck=False, gradgrad=False)


row("prod", lambda m, a, **k: m.prod(a, **k), _prod_cases,
    node=by_dim("ProdBackward0", "ProdBackward1"), atol=1e-8)


def _maxmin_all_cases(rng):
    for s in SHAPES:
        yield Case((D(rng, s),))
    yield Case((D(rng, (0,)),), error=RuntimeError)


row("max_all", lambda m, a: m.max(a), _maxmin_all_cases, node="MaxBackward1")
row("min_all", lambda m, a: m.min(a), _maxmin_all_cases, node="MinBackward1")
row("max_all_method", lambda m, a: a.max(), _maxmin_all_cases, node="MaxBackward1")


def _maxmin_dim_cases(rng):
    yield Case((D(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((D(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((D(rng, (2, 3)),), {"dim": 0})
    yield Case((D(rng, (3,)),), {"dim": 0})
    yield Case((D(rng, ()),), {"dim": 0})
    yield Case((D(rng, ()),), {"dim": -1, "keepdim": True})
    yield Case((D(rng, (0, 3)),), {"dim": 1})
    yield Case((D(rng, (0, 3)),), {"dim": 0}, error=IndexError)
    yield Case((D(rng, (2, 3)),), {"dim": 2}, error=IndexError)


row("max_dim", lambda m, a, **k: m.max(a, **k), _maxmin_dim_cases, node="MaxBackward0")
row("min_dim", lambda m, a, **k: m.min(a, **k), _maxmin_dim_cases, node="MinBackward0")
row("max_dim_method", lambda m, a, **k: a.max(**k), _maxmin_dim_cases, node="MaxBackward0")
row("max_dim_fields", lambda m, a: (m.max(a, 1).values, m.max(a, 1).indices),
    lambda rng: [Case((D(rng, (2, 3)),))], node="MaxBackward0")


def _amax_cases(rng):
    for s in SHAPES:
        yield Case((D(rng, s),))
    yield Case((D(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((D(rng, (2, 3, 4)),), {"dim": (0, 2)})
    yield Case((D(rng, (2, 3, 4)),), {"dim": (-1,), "keepdim": True})
    yield Case((D(rng, (2, 3)),), {"dim": -2, "keepdim": False})
    yield Case((D(rng, ()),), {"dim": 0})
    yield Case((D(rng, (0, 3)),), {"dim": 1})
    yield Case((D(rng, (0, 3)),), {"dim": 0}, error=IndexError)


row("amax", lambda m, a, **k: m.amax(a, **k), _amax_cases, node="AmaxBackward0")
row("amin", lambda m, a, **k: m.amin(a, **k), _amax_cases, node="AminBackward0")


def _arg_cases(rng):
    for s in SHAPES:
        yield Case((D(rng, s),))
    yield Case((D(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((D(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((D(rng, (2, 3)),), {"keepdim": True})
    yield Case((D(rng, ()),), {"dim": 0})
    yield Case((np.array([1.0, 3.0, 3.0, 0.0, 3.0]),), note="ties: first index")
    yield Case((D(rng, (0,)),), error=RuntimeError)


row("argmax", lambda m, a, **k: m.argmax(a, **k), _arg_cases, differentiable=False)
row("argmin", lambda m, a, **k: m.argmin(a, **k), _arg_cases, differentiable=False)


def _var_cases(rng):
    yield Case((U(rng, (2, 3, 4)),))
    yield Case((U(rng, (3,)),))
    yield Case((U(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((U(rng, (2, 3, 4)),), {"dim": (0, 2), "keepdim": True})
    yield Case((U(rng, (2, 3, 4)),), {"dim": -1, "correction": 0})
    yield Case((U(rng, (2, 3, 4)),), {"dim": 1, "correction": 2})
    yield Case((U(rng, (2, 3)),), {"unbiased": False})
    yield Case((U(rng, (2, 3)),), {"dim": 0, "unbiased": True, "keepdim": True})
    yield Case((U(rng, (2, 3)),), {"correction": 0})
    yield Case((U(rng, ()),), {"correction": 0})
    yield Case((U(rng, ()),), {"dim": 0, "correction": 0})
    yield Case((U(rng, (2, 3)),), {"dim": 1, "correction": 3}, gradcheck=False,
               note="n - c <= 0: inf/nan")


row("var", lambda m, a, **k: m.var(a, **k), _var_cases, node="VarBackward0")
row("std", lambda m, a, **k: m.std(a, **k), _var_cases, node="StdBackward0")
row("var_method", lambda m, a, **k: a.var(**k), _var_cases, node="VarBackward0")


def _norm_cases(rng):
    for p in (2, 1, INF, -INF, 3, 1.5, 0, "fro"):
        yield Case((D(rng, (2, 3)),), {"p": p})
    yield Case((D(rng, (2, 3, 4)),), {"p": 2, "dim": 1})
    yield Case((D(rng, (2, 3, 4)),), {"p": 1, "dim": (0, 2), "keepdim": True})
    yield Case((D(rng, (2, 3, 4)),), {"p": INF, "dim": -1})
    yield Case((D(rng, (2, 3, 4)),), {"p": 3, "dim": 1, "keepdim": True})
    yield Case((D(rng, (2, 3)),), {"p": "fro", "dim": (0, 1)})
    yield Case((D(rng, ()),), {"p": 2})
    yield Case((D(rng, (3,)),), {})
    yield Case((D(rng, (0, 3)),), {"p": 2})


row("norm", lambda m, a, **k: m.norm(a, **k), _norm_cases, node="LinalgVectorNormBackward0")
row("norm_method", lambda m, a, **k: a.norm(**k), _norm_cases, node="LinalgVectorNormBackward0")


def _lse_cases(rng):
    yield Case((U(rng, (2, 3, 4)),), {"dim": 1})
    yield Case((U(rng, (2, 3, 4)),), {"dim": (0, 2)})
    yield Case((U(rng, (2, 3, 4)),), {"dim": -1, "keepdim": True})
    yield Case((U(rng, (3,)),), {"dim": 0})
    yield Case((U(rng, ()),), {"dim": 0})
    yield Case((np.array([[800.0, 799.0], [-800.0, -801.0]]),), {"dim": 1})
    yield Case((U(rng, (0, 3)),), {"dim": 1})
    yield Case((U(rng, (2, 3)),), {}, error=TypeError, match=False,
               note="dim is required (Python's own TypeError text)")


row("logsumexp", lambda m, a, **k: m.logsumexp(a, **k), _lse_cases, node="LogsumexpBackward0")


# ***** linear algebra *****

def _mm_shape_case(rng, sa, sb, **kw):
    return Case((U(rng, sa), U(rng, sb)), **kw)


def _matmul_cases(rng):
    yield _mm_shape_case(rng, (3,), (3,), node="DotBackward0")
    yield _mm_shape_case(rng, (2, 3), (3,), node="MvBackward0")
    yield _mm_shape_case(rng, (3,), (3, 4), node="SqueezeBackward4")
    yield _mm_shape_case(rng, (2, 3), (3, 4), node="MmBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (4, 5), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (4,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (2, 4, 5), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 1, 3, 4), (5, 4, 2), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (3,), (2, 3, 4), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (5, 3), (2, 3, 4), node="CloneBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (4, 5), nograd=(1,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (3,), (2, 3, 4), nograd=(0,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (5, 3), (2, 3, 4), nograd=(0,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 1, 3), (3,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (0, 3), (3, 2), node="MmBackward0")
    yield _mm_shape_case(rng, (0, 3, 4), (4, 5), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3, 0), (0, 4), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 0, 3), (2, 3, 4), node="UnsafeViewBackward0", mixed=False,
                         note="torch's empty bmm skips its dtype check")
    yield _mm_shape_case(rng, (1, 3, 4), (2, 4, 2), node="CloneBackward0")
    yield _mm_shape_case(rng, (1, 3, 4), (2, 4, 2), nograd=(0,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (1, 4, 2), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3, 4), (1, 4, 2), nograd=(1,), node="UnsafeViewBackward0")
    yield _mm_shape_case(rng, (2, 3), (4, 5), error=RuntimeError)
    yield _mm_shape_case(rng, (2, 3, 4), (5,), error=RuntimeError)
    yield _mm_shape_case(rng, (), (3,), error=RuntimeError)
    yield _mm_shape_case(rng, (2, 3, 4), (3, 4, 5), error=RuntimeError)


row("matmul", lambda m, a, b: m.matmul(a, b), _matmul_cases, depth=8)
row("matmul_op", lambda m, a, b: a @ b, _matmul_cases, depth=8)
row("matmul_transposed_lhs", lambda m, a, b: a.transpose(0, 1) @ b,
    lambda rng: [Case((U(rng, (3, 2, 4)), U(rng, (4, 5)))),
                 Case((U(rng, (3, 2, 4)), U(rng, (4, 5))), nograd=(1,)),
                 Case((U(rng, (3, 2, 4)), U(rng, (4,))), nograd=(1,))],
    node="UnsafeViewBackward0", depth=8)
row("mm", lambda m, a, b: m.mm(a, b),
    lambda rng: [_mm_shape_case(rng, (2, 3), (3, 4)), _mm_shape_case(rng, (0, 3), (3, 2)),
                 _mm_shape_case(rng, (2, 0), (0, 2)),
                 _mm_shape_case(rng, (2, 3), (4, 2), error=RuntimeError),
                 _mm_shape_case(rng, (3,), (3, 2), error=RuntimeError)],
    node="MmBackward0")
row("mv", lambda m, a, b: m.mv(a, b),
    lambda rng: [_mm_shape_case(rng, (2, 3), (3,)), _mm_shape_case(rng, (0, 3), (3,)),
                 _mm_shape_case(rng, (2, 3), (4,), error=RuntimeError)],
    node="MvBackward0")
row("dot", lambda m, a, b: m.dot(a, b),
    lambda rng: [_mm_shape_case(rng, (3,), (3,)), _mm_shape_case(rng, (0,), (0,)),
                 _mm_shape_case(rng, (3,), (4,), error=RuntimeError)],
    node="DotBackward0")
row("bmm", lambda m, a, b: m.bmm(a, b),
    lambda rng: [_mm_shape_case(rng, (2, 3, 4), (2, 4, 5)),
                 _mm_shape_case(rng, (1, 2, 3), (1, 3, 1)),
                 _mm_shape_case(rng, (2, 3, 4), (3, 4, 5), error=RuntimeError)],
    node="BmmBackward0")


def _addmm_cases(rng):
    for sc in [(2, 4), (4,), (1, 4), (2, 1), ()]:
        yield Case((U(rng, sc), U(rng, (2, 3)), U(rng, (3, 4))))
    yield Case((U(rng, (2, 4)), U(rng, (2, 3)), U(rng, (3, 4))), {"beta": 0.5, "alpha": 2})
    yield Case((U(rng, (4,)), U(rng, (2, 3)), U(rng, (3, 4))), {"beta": 2, "alpha": -1})
    yield Case((np.array([np.nan, 1.0, 2.0, np.inf]), U(rng, (2, 3)), U(rng, (3, 4))), {"beta": 0},
               note="beta=0 ignores the input's values")
    yield Case((U(rng, (2, 4)), U(rng, (2, 3)), U(rng, (3, 4))), {"alpha": 0})
    yield Case((U(rng, (2, 4)), U(rng, (2, 0)), U(rng, (0, 4))), note="k = 0: the bias alone")
    yield Case((U(rng, (3,)), U(rng, (2, 3)), U(rng, (3, 4))), error=RuntimeError)


row("addmm", lambda m, c, a, b, **k: m.addmm(c, a, b, **k), _addmm_cases, node="AddmmBackward0")


# ***** shape *****

row("t", lambda m, a: m.t(a), unary_cases(U, [(), (3,), (2, 3), (0, 3)]), node="TBackward0")
row("t_method", lambda m, a: a.t(),
    lambda rng: [Case((U(rng, (2, 3)),)), Case((U(rng, (2, 3, 4)),), error=RuntimeError)],
    node="TBackward0")
# (2-D only: on other shapes torch warns once per process, which would rob tests/test_views.py of
# the warning it checks)
row("T", lambda m, a: a.T, unary_cases(U, [(2, 3), (0, 3), (1, 1)]), node="PermuteBackward0")
row("mT", lambda m, a: a.mT,
    lambda rng: [Case((U(rng, (2, 3)),)), Case((U(rng, (2, 3, 4)),)),
                 Case((U(rng, (3,)),), error=RuntimeError, match=False)],
    node="TransposeBackward0")


def _transpose_cases(rng):
    yield Case((U(rng, (2, 3, 4)),), {"dim0": 0, "dim1": 2})
    yield Case((U(rng, (2, 3, 4)),), {"dim0": -1, "dim1": 0})
    yield Case((U(rng, (2, 3)),), {"dim0": 1, "dim1": 1})
    yield Case((U(rng, (3,)),), {"dim0": 0, "dim1": -1})
    yield Case((U(rng, ()),), {"dim0": 0, "dim1": -1})
    yield Case((U(rng, (2, 3)),), {"dim0": 0, "dim1": 2}, error=IndexError)


row("transpose", lambda m, a, dim0, dim1: m.transpose(a, dim0, dim1), _transpose_cases,
    node="TransposeBackward0")


def _permute_cases(rng):
    yield Case((U(rng, (2, 3, 4)),), {"dims": (2, 0, 1)})
    yield Case((U(rng, (2, 3, 4)),), {"dims": (-1, 1, 0)})
    yield Case((U(rng, (2, 3)),), {"dims": (0, 1)})
    yield Case((U(rng, ()),), {"dims": ()})
    yield Case((U(rng, (2, 3)),), {"dims": (0,)}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"dims": (0, 0)}, error=RuntimeError)


row("permute", lambda m, a, dims: m.permute(a, dims), _permute_cases, node="PermuteBackward0")
row("permute_method", lambda m, a, dims: a.permute(*dims) if dims else a.permute(dims),
    _permute_cases, node="PermuteBackward0")


def _reshape_cases(rng):
    yield Case((U(rng, (2, 3)),), {"shape": (3, 2)})
    yield Case((U(rng, (2, 3, 4)),), {"shape": (4, -1)})
    yield Case((U(rng, (2, 3)),), {"shape": (6,)})
    yield Case((U(rng, ()),), {"shape": (1, 1)})
    yield Case((U(rng, (1,)),), {"shape": ()})
    yield Case((U(rng, (0, 3)),), {"shape": (3, 0)})
    yield Case((U(rng, (2, 3)),), {"shape": (2, 3)})
    yield Case((U(rng, (2, 3)),), {"shape": (4, -1)}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"shape": (-1, -1)}, error=RuntimeError)


row("reshape", lambda m, a, shape: m.reshape(a, shape), _reshape_cases, node="ViewBackward0")
row("reshape_method", lambda m, a, shape: a.reshape(*shape) if shape else a.reshape(shape),
    _reshape_cases, node="ViewBackward0")
row("reshape_noncontiguous", lambda m, a, shape: a.t().reshape(shape),
    lambda rng: [Case((U(rng, (2, 3)),), {"shape": (6,)}, note="a copy"),
                 Case((U(rng, (2, 3)),), {"shape": (3, 2, 1)}, node="ReshapeAliasBackward0"),
                 Case((U(rng, (2, 3)),), {"shape": (3, 1, 2)}, node="ReshapeAliasBackward0"),
                 Case((U(rng, (2, 3)),), {"shape": (3, 2)}, node="ReshapeAliasBackward0")],
    node="UnsafeViewBackward0")
row("view", lambda m, a, shape: a.view(*shape) if shape else a.view(shape), _reshape_cases,
    node="ViewBackward0")
row("view_noncontiguous_error", lambda m, a: a.t().view(-1),
    lambda rng: [Case((U(rng, (2, 3)),), error=RuntimeError)], differentiable=False)


def _flatten_cases(rng):
    yield Case((U(rng, (2, 3, 4)),), {})
    yield Case((U(rng, (2, 3, 4)),), {"start_dim": 1})
    yield Case((U(rng, (2, 3, 4)),), {"start_dim": 0, "end_dim": -2})
    yield Case((U(rng, ()),), {})
    yield Case((U(rng, (3,)),), {}, node="", note="1-D: returns the input itself")
    yield Case((U(rng, (2, 3)),), {"start_dim": 1, "end_dim": 0}, error=RuntimeError)


row("flatten", lambda m, a, **k: m.flatten(a, **k), _flatten_cases, node="ViewBackward0")


def _squeeze_cases(rng):
    yield Case((U(rng, (1, 3, 1)),), {}, node="SqueezeBackward0")
    yield Case((U(rng, (1, 3, 1)),), {"dim": 0})
    yield Case((U(rng, (1, 3, 1)),), {"dim": -1})
    yield Case((U(rng, (1, 3, 1)),), {"dim": 1})
    yield Case((U(rng, (1, 3, 1)),), {"dim": (0, 2)}, node="SqueezeBackward2")
    yield Case((U(rng, (1, 3, 1)),), {"dim": (1, -1)}, node="SqueezeBackward2")
    yield Case((U(rng, ()),), {}, node="SqueezeBackward0")
    yield Case((U(rng, ()),), {"dim": 0})
    yield Case((U(rng, (2, 3)),), {}, node="SqueezeBackward0")
    yield Case((U(rng, (0, 1)),), {}, node="SqueezeBackward0")
    yield Case((U(rng, (1, 3)),), {"dim": 2}, error=IndexError)


row("squeeze", lambda m, a, **k: m.squeeze(a, **k), _squeeze_cases, node="SqueezeBackward1")
row("squeeze_method", lambda m, a, **k: a.squeeze(**k), _squeeze_cases, node="SqueezeBackward1")


def _unsqueeze_cases(rng):
    yield Case((U(rng, (2, 3)),), {"dim": 0})
    yield Case((U(rng, (2, 3)),), {"dim": -1})
    yield Case((U(rng, (2, 3)),), {"dim": 1})
    yield Case((U(rng, ()),), {"dim": 0})
    yield Case((U(rng, ()),), {"dim": -1})
    yield Case((U(rng, (0,)),), {"dim": 1})
    yield Case((U(rng, (2, 3)),), {"dim": 3}, error=IndexError)


row("unsqueeze", lambda m, a, dim: m.unsqueeze(a, dim), _unsqueeze_cases, node="UnsqueezeBackward0")


def _expand_cases(rng):
    yield Case((U(rng, (3,)),), {"size": (2, 3)})
    yield Case((U(rng, (1, 3)),), {"size": (4, -1)})
    yield Case((U(rng, ()),), {"size": (2, 2)})
    yield Case((U(rng, (2, 1, 3)),), {"size": (2, 4, 3)})
    yield Case((U(rng, (2, 3)),), {"size": (2, 3)})
    yield Case((U(rng, (3,)),), {"size": (0, 3)})
    yield Case((U(rng, (2, 3)),), {"size": (3, 3)}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"size": (3,)}, error=RuntimeError)
    yield Case((U(rng, (2, 3)),), {"size": (-1, 2, 3)}, error=RuntimeError)


row("expand", lambda m, a, size: a.expand(*size), _expand_cases, node="ExpandBackward0")
row("expand_as", lambda m, a, b: a.expand_as(b),
    lambda rng: [Case((U(rng, (3,)), U(rng, (2, 3))), nograd=(1,))], node="ExpandBackward0")
row("clone", lambda m, a: m.clone(a), unary_cases(U), node="CloneBackward0")
row("clone_method", lambda m, a: a.clone(), unary_cases(U, SHAPES), node="CloneBackward0")


def _to_cases(rng):
    for s in SHAPES + [(0,)]:
        yield Case((U(rng, s),), {"dtype": DT("float32")})
    yield Case((U(rng, (2, 3)),), {"dtype": DT("float64")}, node="", note="same dtype: self")


row("to_dtype", lambda m, a, dtype: a.to(dtype), _to_cases, node="ToCopyBackward0",
    gradcheck=False)
row("float_double", lambda m, a: a.float().double(), unary_cases(U, SHAPES),
    node="ToCopyBackward0", gradcheck=False)
row("double_float", lambda m, a: a.double().float(), unary_cases(U, SHAPES),
    node="ToCopyBackward0", gradcheck=False)
row("to_int", lambda m, a: a.to(m.int64), unary_cases(U, [(2, 3)]), differentiable=False)


# ***** comparisons (no grad) *****

def _cmp_cases(rng):
    def ties(shape):  # few distinct values, so eq/le/ge see ties
        return rng.choice([-1.0, 0.5, 2.0], size=shape)
    for sa, sb in BCAST:
        yield Case((ties(sa), ties(sb)))
    yield Case((ties((2, 3)), 0.5))
    yield Case((ties((2, 3)), 2))
    yield Case((np.array([np.nan, 1.0, np.inf, -np.inf]), np.array([np.nan, np.nan, np.inf, 1.0])))
    yield Case((ties((2, 3)), ties((3, 2))), error=RuntimeError)


for _name, _f in [("eq", lambda m, a, b: m.eq(a, b)), ("ne", lambda m, a, b: m.ne(a, b)),
                  ("lt", lambda m, a, b: m.lt(a, b)), ("le", lambda m, a, b: m.le(a, b)),
                  ("gt", lambda m, a, b: m.gt(a, b)), ("ge", lambda m, a, b: m.ge(a, b)),
                  ("eq_op", lambda m, a, b: a == b), ("ne_op", lambda m, a, b: a != b),
                  ("lt_op", lambda m, a, b: a < b), ("le_op", lambda m, a, b: a <= b),
                  ("gt_op", lambda m, a, b: a > b), ("ge_op", lambda m, a, b: a >= b)]:
    row(_name, _f, _cmp_cases, differentiable=False)


# ***** remainder, floor division, logical ops and tests *****

def _off_multiples(rng, shape):
    """Dividends in [-5, 5] away from multiples of every divisor the cases use (no kinks)."""
    x = U(rng, shape, -5, 5, avoid=())
    return np.asarray(np.round(x) + rng.choice([0.3, 0.6], size=np.shape(x)))


def _divisor(rng, shape):
    return rng.choice([-2.0, -1.5, 1.5, 2.0, 2.5], size=shape)


row("remainder", lambda m, a, b: a % b,
    binary_cases(_off_multiples, _divisor, scalars=(2, 2.5, -1.5)),
    node=lambda c: "RemainderBackward1" if isinstance(c.args[1], np.ndarray) else
    "RemainderBackward0")
row("remainder_fn", lambda m, a, b: m.remainder(a, b),
    binary_cases(_off_multiples, _divisor, scalars=(2,), errors=False),
    node=lambda c: "RemainderBackward1" if isinstance(c.args[1], np.ndarray) else
    "RemainderBackward0")
row("rremainder", lambda m, a, c: c % a,     # torch has no derivative for number % tensor
    lambda rng: [Case((_divisor(rng, (2, 3)), 5.3)), Case((_divisor(rng, (2, 3)), -4))],
    node="torch::autograd::NotImplemented", differentiable=False)
row("floor_divide", lambda m, a, b: a // b,
    binary_cases(_off_multiples, _divisor, scalars=(2, 2.5)),
    node="torch::autograd::NotImplemented",
    differentiable=False)
row("floor_divide_fn", lambda m, a, b: m.floor_divide(a, b),
    binary_cases(_off_multiples, _divisor, scalars=(2,), errors=False),
    node="torch::autograd::NotImplemented",
    differentiable=False)


def _bool_cases(rng):
    for sa, sb in BCAST:
        yield Case((rng.choice([0.0, 1.0, -2.0], sa), rng.choice([0.0, 1.0, -2.0], sb)))
    yield Case((B(rng, (2, 3)), B(rng, (2, 3))))
    yield Case((B(rng, (2, 3)), U(rng, (3,))))


for _name, _f in [("logical_and", lambda m, a, b: m.logical_and(a, b)),
                  ("logical_or", lambda m, a, b: m.logical_or(a, b)),
                  ("logical_xor", lambda m, a, b: m.logical_xor(a, b)),
                  ("and_op_bool", lambda m, a, b: (a > 0) & (b > 0)),
                  ("or_op_bool", lambda m, a, b: (a > 0) | (b > 0)),
                  ("xor_op_bool", lambda m, a, b: (a > 0) ^ (b > 0))]:
    row(_name, _f, _bool_cases, differentiable=False)


def _special_values(rng):
    yield Case((np.array([0.0, -1.5, np.nan, np.inf, -np.inf, 2.0]),))
    yield Case((U(rng, (2, 3)),))
    yield Case((U(rng, ()),))
    yield Case((B(rng, (2, 3)),))
    yield Case((U(rng, (0,)),))


for _name, _f in [("isnan", lambda m, a: m.isnan(a)), ("isinf", lambda m, a: m.isinf(a)),
                  ("isfinite", lambda m, a: m.isfinite(a)),
                  ("logical_not", lambda m, a: m.logical_not(a)),
                  ("invert_bool", lambda m, a: ~(a > 0)),
                  ("all", lambda m, a: m.all(a)), ("any", lambda m, a: m.any(a)),
                  ("all_dim", lambda m, a: a.all(0) if a.ndim else a.all()),
                  ("any_dim_keepdim", lambda m, a: a.any(-1, keepdim=True) if a.ndim else a.any())]:
    row(_name, _f, _special_values, differentiable=False)


def _close_cases(rng):
    x = U(rng, (2, 3))
    y = x.copy()
    y[0, 0] += 1e-9
    y[1, 1] += 0.1
    yield Case((x, y))
    yield Case((x, x.copy()))
    yield Case((U(rng, (2, 3)), U(rng, (3,))))
    yield Case((np.array([np.nan, 1.0]), np.array([np.nan, 1.0])))
    yield Case((np.array([np.nan, 1.0]), np.array([np.nan, 1.0])), {"equal_nan": True})
    yield Case((x, y), {"rtol": 0.2, "atol": 0.0})
    yield Case((U(rng, ()), U(rng, ())))


row("isclose", lambda m, a, b, **k: m.isclose(a, b, **k), _close_cases, differentiable=False)
row("allclose", lambda m, a, b, **k: m.allclose(a, b, **k), _close_cases, differentiable=False)


def _equal_cases(rng):
    x = U(rng, (2, 3))
    yield Case((x, x.copy()))
    y = x.copy()
    y[1, 2] += 1
    yield Case((x, y))
    yield Case((x, x[0].copy()))
    yield Case((U(rng, ()), U(rng, ())))


row("equal", lambda m, a, b: m.equal(a, b), _equal_cases, differentiable=False)


from . import op_db_activations, op_db_math, op_db_select, op_db_shape, op_db_trig  # noqa: E402,F401  (rows join OP_DB)
from . import op_db_conv  # noqa: E402,F401  (convolutions, poolings, batch/group/instance norm)

ROWS_BY_NAME = {r.name: r for r in OP_DB}
assert len(ROWS_BY_NAME) == len(OP_DB), "duplicate row names"
