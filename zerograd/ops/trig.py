"""Trigonometric, hyperbolic, logarithmic and special functions, and their integer friends:
tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh (and the arc* aliases), log2, log10, logit,
sgn, positive, deg2rad, rad2deg, signbit, heaviside, fmax, fmin, float_power, lgamma, digamma,
polygamma, bitwise_and/or/xor, gcd, lcm, absolute.

Each Op states its rule in its docstring, as in elementwise.py: `g` is the incoming gradient, the
returned values are dL/d(input), and the engine sums every gradient back to its input's shape and
casts it to its input's dtype.  The formulas are torch's (derivatives.yaml), so the values at the
edges of a domain are torch's too: asin'(1) = inf, acosh'(1) = inf, atanh'(1) = inf, logit'(0) =
inf, and nan outside a domain.

Dtypes, as torch: integer and bool inputs of the float functions are computed in the default
float dtype; float16 and bfloat16 are computed in float32 and rounded (torch's opmath type).  The
gamma family is computed in float64 and rounded; lgamma uses the standard library's math.lgamma,
digamma/trigamma a reflection + recurrence + asymptotic series, polygamma(n >= 2) the Hurwitz zeta
function by Euler-Maclaurin summation (NumPy only: SciPy is not a dependency).
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from .. import grad_mode
from ..autograd.function import NotDifferentiable, Op
from ..tensor import Tensor
from ._args import bad_overload, is_number, need_tensor, not_implemented, type_name
from ._util import binary_arrays, check_broadcast, float_data, scalar_type_name, ufunc2, wrap
from .elementwise import Abs, Pow, PowTensor, RPow, where_

_state = grad_mode._state
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ------------------------------------------------------------------------------------------------
# array helpers
# ------------------------------------------------------------------------------------------------

def _opmath(f, x):
    """f(x) for a float array; float16 / bfloat16 computed in float32 and rounded (torch's
    opmath type on the CPU)."""
    if x.dtype.itemsize == 2:
        return np.asarray(f(x.astype(_F32))).astype(x.dtype)
    return f(x)


def _float_input(a):
    """The array of `a` in the float dtype the result will have (ints and bool: the default)."""
    return float_data(a)


# ------------------------------------------------------------------------------------------------
# trigonometric and hyperbolic functions
# ------------------------------------------------------------------------------------------------

class Tan(Op):
    """z = tan(a)           da = g (1 + z²)"""

    @staticmethod
    def forward(ctx, a):
        z = _opmath(np.tan, _float_input(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * (z * z + 1)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        return g * (z * z + 1)


class Asin(Op):
    """z = asin(a)          da = g / sqrt(1 - a²)   (inf at a = ±1, nan outside [-1, 1])"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arcsin, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * (1 - a * a).rsqrt()

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * (1 / np.sqrt(1 - a * a))


class Acos(Op):
    """z = acos(a)          da = -g / sqrt(1 - a²)   (-inf at a = ±1, nan outside [-1, 1])"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arccos, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * -((1 - a * a).rsqrt())

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * -(1 / np.sqrt(1 - a * a))


class Atan(Op):
    """z = atan(a)          da = g / (1 + a²)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arctan, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / (a * a + 1)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g / (a * a + 1)


class Sinh(Op):
    """z = sinh(a)          da = g cosh(a)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.sinh, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * Cosh.apply(a)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * _opmath(np.cosh, a)


class Cosh(Op):
    """z = cosh(a)          da = g sinh(a)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.cosh, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * Sinh.apply(a)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * _opmath(np.sinh, a)


class Asinh(Op):
    """z = asinh(a)         da = g / sqrt(a² + 1)   (0 once a² overflows)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arcsinh, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * (a * a + 1).rsqrt()

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * (1 / np.sqrt(a * a + 1))


class Acosh(Op):
    """z = acosh(a)         da = g / sqrt(a² - 1)   (inf at a = ±1, nan inside (-1, 1))"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arccosh, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * (a * a - 1).rsqrt()

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * (1 / np.sqrt(a * a - 1))


class Atanh(Op):
    """z = atanh(a)         da = g / (1 - a²)   (inf at a = ±1)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.arctanh, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / (1 - a * a)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g / (1 - a * a)


def _no_inplace_derivative(name):
    raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not "
                              "implemented.")


def _inplace_without_derivative(name, ufunc):
    """The node of Tensor.<name>_: z = <name>(a) written into a; torch records <Name>Backward1,
    whose backward raises (no derivative for the in-place version)."""
    def forward(ctx, a):
        return _opmath(ufunc, _float_input(a))

    def backward(ctx, g):
        _no_inplace_derivative(name)

    title = name.capitalize()
    return type(f"{title}Inplace", (Op,), {
        "__doc__": f"z = {name}(a) written into a (Tensor.{name}_)      da = none: torch's "
                   "backward raises",
        "node_name": f"{title}Backward1", "forward": staticmethod(forward),
        "backward": staticmethod(backward)})


AsinhInplace = _inplace_without_derivative("asinh", np.arcsinh)
AcoshInplace = _inplace_without_derivative("acosh", np.arccosh)
AtanhInplace = _inplace_without_derivative("atanh", np.arctanh)


# ------------------------------------------------------------------------------------------------
# logarithms, logit, angles
# ------------------------------------------------------------------------------------------------

class Log2(Op):
    """z = log2(a)          da = g / (a ln 2)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.log2, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / (a * _LN2)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g / (a * _LN2)


class Log10(Op):
    """z = log10(a)         da = g / (a ln 10)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _opmath(np.log10, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / (a * _LN10)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g / (a * _LN10)


def _logit_np(x, eps):
    """log(x / (1 - x)) with x clamped to [eps, 1 - eps] (eps None or negative: no clamp)."""
    if eps is not None and eps >= 0:
        lo = np.asarray(eps, x.dtype)
        hi = np.asarray(1, x.dtype) - lo
        x = np.where(x < lo, lo, np.where(x > hi, hi, x))
    return np.log(x / (1 - x))


def _logit_grad_np(g, x, eps):
    """torch's logit_backward kernel (the first derivative): g / (x (1 - x)) inside the range,
    nan outside [0, 1] without eps (or with a negative eps), 0 outside [eps, 1 - eps] with eps (nan
    included).  These are the values of torch's vectorized loop, which computes all but the last
    few elements of a tensor; its scalar loop, which computes the tail (and tensors of fewer than 8
    or 16 elements), differs at two points: +inf at x = -0.0, nan at x = nan with eps.  Half types
    are computed in float32, as torch's kernel does."""
    if g.dtype.itemsize == 2:
        return _logit_grad_np(g.astype(_F32), x.astype(_F32), eps).astype(g.dtype)
    d = g / (x * (1 - x))
    if eps is None or eps < 0:
        return np.where((x >= 0) & (x <= 1), d, np.asarray(np.nan, d.dtype))
    lo = np.asarray(eps, x.dtype)
    hi = np.asarray(1, x.dtype) - lo
    return np.where((x >= lo) & (x <= hi), d, np.zeros((), d.dtype))


class Logit(Op):
    """z = logit(clamp(a, eps, 1 - eps))      da = g / (a (1 - a)) in [eps, 1 - eps], else 0
    (without eps: nan outside [0, 1])"""
    arity = 1

    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        return _opmath(lambda x: _logit_np(x, eps), _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        eps = ctx.eps
        if not _state.enabled:      # torch: the kernel, unless the backward itself is recorded
            return wrap(_logit_grad_np(g._data, a._data, eps))
        # torch's infinitely differentiable form (create_graph): where(in range, g / (a (1 - a)),
        # 0 with eps (any eps; nan too), nan without)
        d = g / (a * (1 - a))
        if eps is None:
            return where_((a >= 0.0) & (a <= 1.0), d, float("nan"))
        return where_((a >= eps) & (a <= 1.0 - eps), d, 0.0)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return _logit_grad_np(g, a, ctx.eps)


_DEG = math.pi / 180.0
_RAD = 180.0 / math.pi


class Deg2Rad(Op):
    """z = a π/180          da = g π/180"""
    node_name = "Deg2RadBackward0"

    @staticmethod
    def forward(ctx, a):
        return _opmath(lambda x: x * _DEG, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        return g * _DEG

    @staticmethod
    def np_backward(ctx, g):
        return _opmath(lambda v: v * _DEG, g)


class Rad2Deg(Op):
    """z = a 180/π          da = g 180/π"""
    node_name = "Rad2DegBackward0"

    @staticmethod
    def forward(ctx, a):
        return _opmath(lambda x: x * _RAD, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        return g * _RAD

    @staticmethod
    def np_backward(ctx, g):
        return _opmath(lambda v: v * _RAD, g)


class Sgn(Op):
    """z = sgn(a) (-1, 0 or 1; 0 at nan)      da = 0 (zeros, whatever g holds)"""

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.dtype == np.bool_:
            return x.copy()
        z = np.sign(x)
        if x.dtype.kind in "fV":        # torch: sgn(nan) = 0; +0 for -0 (bfloat16's sign keeps it)
            z = np.where(np.isnan(x) | (z == 0), np.zeros((), z.dtype), z)
        return z

    @staticmethod
    def backward(ctx, g):
        return wrap(np.zeros_like(g._data))

    @staticmethod
    def np_backward(ctx, g):
        return np.zeros_like(g)


# ------------------------------------------------------------------------------------------------
# the gamma family: lgamma, digamma, polygamma
# ------------------------------------------------------------------------------------------------

# B2, B4, ..., B24 as (numerator, denominator); a ratio of Python ints divides correctly rounded
_BERNOULLI = [(1, 6), (-1, 30), (1, 42), (-1, 30), (5, 66), (-691, 2730), (7, 6), (-3617, 510),
              (43867, 798), (-174611, 330), (854513, 138), (-236364091, 2730)]
# ψ(y) ~ ln y - 1/(2y) - Σ B2k / (2k y^2k);   ψ'(y) ~ 1/y + 1/(2y²) + Σ B2k / y^(2k+1)
_PSI_C = [n / (d * 2 * k) for k, (n, d) in enumerate(_BERNOULLI[:8], 1)]
_TRI_C = [n / d for n, d in _BERNOULLI[:9]]
# Euler-Maclaurin for ζ(s, w): Σ B2j/(2j)! · s(s+1)...(s+2j-2) · w^(-s-2j+1)
_EM_C = [n / (d * math.factorial(2 * j)) for j, (n, d) in enumerate(_BERNOULLI, 1)]
_SHIFT = 10.0       # the series are used from here on; below it, the recurrences shift up
# ψ(10) = H(9) - γ = 7129/2520 - γ, correctly rounded (γ to 40 digits, one exact ratio): integers
# up to 10 shift exactly onto it (no series error)
_GAMMA40 = 5772156649015328606065120900824024310422            # γ · 10⁴⁰
_PSI_10 = (7129 * 10 ** 40 - 2520 * _GAMMA40) / (2520 * 10 ** 40)
_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)
# where the C library's lgamma (torch's) overflows, in float64 and float32 (math.lgamma would
# return finite values a little further)
_LGAMMA_MAX = {_F64: 2.5563481638716906e305, _F32: 4.0371101596266206e36}


def _poles(x):
    """x is 0 or a negative integer (or -inf)."""
    return (x <= 0) & (x == np.floor(x))


def _lgamma_np(x):
    """log|Γ(x)| for a float32 or float64 array, in float64: the standard library's lgamma, inf at
    the poles and where the C library's lgamma of x's dtype overflows."""
    big = x > _LGAMMA_MAX[x.dtype]
    x = x.astype(np.float64)
    out = np.full(x.shape, np.inf)
    out[np.isnan(x)] = np.nan
    ok = ~(_poles(x) | np.isnan(x) | big)
    if ok.any():
        out[ok] = _LGAMMA(x[ok]).astype(np.float64)
    return out


def _digamma_pos(y):
    """ψ(y) for y > 0 (float64): ψ(y) = ψ(y + 1) - 1/y up to y >= 10, then the series."""
    acc = np.zeros(y.shape)
    for _ in range(int(_SHIFT)):
        small = y < _SHIFT
        if not small.any():
            break
        acc -= np.where(small, 1.0 / y, 0.0)
        y = np.where(small, y + 1.0, y)
    inv2 = 1.0 / (y * y)
    series = np.zeros(y.shape)
    for c in reversed(_PSI_C):
        series = (series + c) * inv2
    return acc + np.where(y == _SHIFT, _PSI_10, np.log(y) - 0.5 / y - series)


def _digamma_np(x):
    """ψ(x) in float64: -inf at +0, inf at -0, nan at the negative integers; ψ(x) = ψ(1 - x) -
    π / tan(π x) below 0 (tan taken of the fractional part, which is exact)."""
    x = np.asarray(x, np.float64)
    refl = (x < 0) & ~_poles(x)
    y = np.where(refl, 1.0 - x, np.where(x > 0, x, 1.0))
    out = _digamma_pos(y)
    if refl.any():
        frac = x - np.trunc(x)
        out = np.where(refl, out - np.pi / np.tan(np.pi * frac), out)
    out = np.where(_poles(x), np.nan, out)
    out = np.where(x == 0, np.copysign(np.inf, -x), out)
    return np.where(np.isnan(x), x, out)


def _trigamma_pos(y):
    """ψ'(y) for y >= 1/2 (float64): ψ'(y) = ψ'(y + 1) + 1/y² up to y >= 10, then the series."""
    acc = np.zeros(y.shape)
    for _ in range(int(_SHIFT)):
        small = y < _SHIFT
        if not small.any():
            break
        acc += np.where(small, 1.0 / (y * y), 0.0)
        y = np.where(small, y + 1.0, y)
    inv = 1.0 / y
    inv2 = inv * inv
    series = np.zeros(y.shape)
    for c in reversed(_TRI_C):
        series = (series + c) * inv2
    return acc + inv + 0.5 * inv2 + series * inv


def _trigamma_np(x):
    """ψ'(x) for a float32 or float64 array, in float64.  Below 1/2 the reflection ψ'(x) =
    π² / sin²(πx) - ψ'(1 - x), with sin(πx) evaluated as torch does, in the input's precision
    (so at the poles, where the exact value is infinite, the result is torch's: inf at 0, a large
    finite number at the negative integers, where sin(πx) rounds to a tiny non-zero value)."""
    xd = np.asarray(x, np.float64)
    refl = xd < 0.5
    y = np.where(refl, 1.0 - xd, xd)
    out = _trigamma_pos(np.where(np.isnan(y), 1.0, y))
    if refl.any():
        if x.dtype == _F32:
            pi32 = np.float32(np.pi)
            s = np.sin((pi32 * x).astype(np.float64)).astype(_F32)
            term = ((pi32 * pi32) / (s * s)).astype(np.float64)
        else:
            s = np.sin(np.pi * xd)
            term = (np.pi * np.pi) / (s * s)
        out = np.where(refl, term - out, out)
    return np.where(np.isnan(xd), xd, out)


_BIG_SHIFT = 4096       # more terms than this: summed per element (x far below 0)


def _zeta_np(s, q):
    """The Hurwitz zeta function ζ(s, q) = Σ_k (q + k)^-s for an integer s >= 2 and float64 q
    (finite, not a pole): the first terms summed until q + k >= 10 (and at least 10 of them), the
    rest by Euler-Maclaurin."""
    n = np.maximum(10, np.ceil(_SHIFT - q)).astype(np.int64)
    head = np.zeros(q.shape)
    few = n <= _BIG_SHIFT
    if few.any():                                  # summed in order, over a shrinking set
        qs, ns = q[few], n[few]
        order = np.argsort(ns, kind="stable")
        qs, ns = qs[order], ns[order]
        acc = np.zeros(qs.shape)
        start = 0
        for k in range(int(ns[-1])):
            while ns[start] <= k:
                start += 1
            acc[start:] += (qs[start:] + k) ** -float(s)
        sums = np.empty(qs.shape)
        sums[order] = acc
        head[few] = sums
    for i in np.flatnonzero(~few):                 # far below 0: one element at a time
        total, k0, stop = 0.0, 0, int(n[i])
        while k0 < stop:
            k1 = min(stop, k0 + (1 << 20))
            total += float(np.sum((q[i] + np.arange(k0, k1, dtype=np.float64)) ** -float(s)))
            k0 = k1
        head[i] = total
    w = q + n
    b = w ** -float(s)
    tail = w * b / (s - 1) + 0.5 * b
    fac, wpow = float(s), b / w
    for j, c in enumerate(_EM_C, 1):
        tail = tail + c * fac * wpow
        fac *= (s + 2 * j - 1) * (s + 2 * j)
        wpow = wpow / (w * w)
    return head + tail


def _polygamma_np(n, x):
    """ψ⁽ⁿ⁾(x) for a float32 or float64 array, in float64."""
    if n == 0:
        return _digamma_np(x)
    if n == 1:
        return _trigamma_np(x)
    xd = np.asarray(x, np.float64)
    sign = 1.0 if n % 2 else -1.0
    fact = float(math.factorial(n)) if n <= 170 else np.inf
    out = np.full(xd.shape, np.nan)
    pole = _poles(xd)
    out[pole] = sign * np.inf
    ok = ~pole & np.isfinite(xd)
    if ok.any():
        out[ok] = sign * fact * _zeta_np(n + 1, xd[ok])
    return out


def _gamma_family(f, x):
    """f (a float64 function) on a float array: float32 / float64 passed as they are, half types
    as float32 (torch computes them in float32), the result rounded to x's dtype."""
    work = x.astype(_F32) if x.dtype.itemsize == 2 else x
    return np.asarray(f(work)).astype(x.dtype)


class Lgamma(Op):
    """z = log|Γ(a)|        da = g ψ(a)  (digamma)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _gamma_family(_lgamma_np, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * Digamma.apply(a)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * _gamma_family(_digamma_np, a)


class Digamma(Op):
    """z = ψ(a) = d/da log Γ(a)        da = g ψ'(a)  (polygamma(1, a))"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _gamma_family(_digamma_np, _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * Polygamma.apply(a, 1)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * _gamma_family(_trigamma_np, a)


class Polygamma(Op):
    """z = ψ⁽ⁿ⁾(a), the n-th derivative of ψ        da = g ψ⁽ⁿ⁺¹⁾(a)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, n):
        ctx.save_for_backward(a)
        ctx.n = n
        return _gamma_family(lambda x: _polygamma_np(n, x), _float_input(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * Polygamma.apply(a, ctx.n + 1)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        n = ctx.n + 1
        return g * _gamma_family(lambda x: _polygamma_np(n, x), a)


class PolygammaInplace(Polygamma):
    """z = ψ⁽ⁿ⁾(a) written into a (Tensor.polygamma_)       da = g ψ⁽ⁿ⁺¹⁾(a)"""
    node_name = "PolygammaBackward1"


# ------------------------------------------------------------------------------------------------
# binary: fmax, fmin, heaviside
# ------------------------------------------------------------------------------------------------

class Fmax(Op):
    """z = fmax(a, b)       da = g where a >= b or b is nan,  db = g elsewhere
    (nan only where both are nan: fmax ignores nan)"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        ctx.save_for_backward(a, b)
        ctx.result_dtype = x.dtype
        return _fminmax_np(np.greater_equal, np.greater, x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _fminmax_grads(ctx, g, (a >= b) | b.isnan())

    @staticmethod
    def np_backward(ctx, g):
        x, y = _promoted(ctx)
        return _fminmax_np_grads(ctx, g, (x >= y) | np.isnan(y))


class Fmin(Op):
    """z = fmin(a, b)       da = g where a <= b or b is nan,  db = g elsewhere
    (nan only where both are nan: fmin ignores nan)"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = binary_arrays(a, b)
        ctx.save_for_backward(a, b)
        ctx.result_dtype = x.dtype
        return _fminmax_np(np.less_equal, np.less, x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _fminmax_grads(ctx, g, (a <= b) | b.isnan())

    @staticmethod
    def np_backward(ctx, g):
        x, y = _promoted(ctx)
        return _fminmax_np_grads(ctx, g, (x <= y) | np.isnan(y))


def _fminmax_np(wins, wins_strictly, x, y):
    """fmax / fmin: x where it wins or y is nan, else y.  Ties (±0) go to x, as in torch's
    float16/32/64 kernels (NumPy's SIMD fmax may return y), and to y in its bfloat16 kernel."""
    keep_x = ufunc2(wins_strictly if x.dtype.kind == "V" else wins, x, y)
    if x.dtype.kind in "fV":
        keep_x = keep_x | np.isnan(y)
    return np.where(keep_x, x, y)


def _promoted(ctx):
    """The saved operands as arrays of the result dtype (how forward compared them)."""
    a, b = ctx._saved_np()
    return a.astype(ctx.result_dtype, copy=False), b.astype(ctx.result_dtype, copy=False)


def _fminmax_grads(ctx, g, a_wins):
    from .gather import masked_fill
    need = ctx.needs_input_grad
    return (masked_fill(g, ~a_wins, 0.0) if need[0] else None,
            masked_fill(g, a_wins, 0.0) if need[1] else None)


def _fminmax_np_grads(ctx, g, a_wins):
    need = ctx.needs_input_grad
    zero = np.zeros((), g.dtype)
    return (np.where(a_wins, g, zero) if need[0] else None,
            np.where(a_wins, zero, g) if need[1] else None)


class Heaviside(NotDifferentiable):
    """z = 0 where a < 0, values where a == 0, 1 where a > 0 (0 at nan)      no derivative:
    torch records a node whose backward raises"""
    node_name, aten = "NotImplemented", "heaviside"

    @staticmethod
    def forward(ctx, a, values):
        x, v = a._data, values._data
        if x.dtype != v.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        try:
            return np.where(x == 0, v, (x > 0).astype(x.dtype))
        except ValueError:
            check_broadcast(x, v)
            raise


class HeavisideInplace(Heaviside):
    """z = heaviside(a, values) written into a (Tensor.heaviside_)      no derivative: torch
    records a node whose backward raises"""
    aten = "heaviside_"


# ------------------------------------------------------------------------------------------------
# the functions
# ------------------------------------------------------------------------------------------------

def _unary(fname, op, a):
    need_tensor(fname, "input", 1, a)
    return op.apply(a)


def tan(input):  # noqa: A002 - torch's argument names
    return _unary("tan", Tan, input)


def asin(input):  # noqa: A002
    return _unary("asin", Asin, input)


def arcsin(input):  # noqa: A002
    return _unary("arcsin", Asin, input)


def acos(input):  # noqa: A002
    return _unary("acos", Acos, input)


def arccos(input):  # noqa: A002
    return _unary("arccos", Acos, input)


def atan(input):  # noqa: A002
    return _unary("atan", Atan, input)


def arctan(input):  # noqa: A002
    return _unary("arctan", Atan, input)


def sinh(input):  # noqa: A002
    return _unary("sinh", Sinh, input)


def cosh(input):  # noqa: A002
    return _unary("cosh", Cosh, input)


def asinh(input):  # noqa: A002
    return _unary("asinh", Asinh, input)


def arcsinh(input):  # noqa: A002
    return _unary("arcsinh", Asinh, input)


def acosh(input):  # noqa: A002
    return _unary("acosh", Acosh, input)


def arccosh(input):  # noqa: A002
    return _unary("arccosh", Acosh, input)


def atanh(input):  # noqa: A002
    return _unary("atanh", Atanh, input)


def arctanh(input):  # noqa: A002
    return _unary("arctanh", Atanh, input)


def log2(input):  # noqa: A002
    return _unary("log2", Log2, input)


def log10(input):  # noqa: A002
    return _unary("log10", Log10, input)


def deg2rad(input):  # noqa: A002
    return _unary("deg2rad", Deg2Rad, input)


def rad2deg(input):  # noqa: A002
    return _unary("rad2deg", Rad2Deg, input)


def sgn(input):  # noqa: A002
    return _unary("sgn", Sgn, input)


def lgamma(input):  # noqa: A002
    return _unary("lgamma", Lgamma, input)


def digamma(input):  # noqa: A002
    return _unary("digamma", Digamma, input)


def absolute(input):  # noqa: A002
    return _unary("absolute", Abs, input)


def _eps_arg(eps, pos, fname="logit"):
    """logit's eps: None, a number, or a 0-d tensor (torch reads its value)."""
    if eps is None:
        return None
    if isinstance(eps, Tensor):
        if eps.ndim == 0:
            return float(eps.item())
    elif is_number(eps):
        return float(eps)
    where = f" (position {pos})" if pos else ""
    raise TypeError(f"{fname}(): argument 'eps'{where} must be float, not {type(eps).__name__}")


def _eps_given(args, eps, pos, fname="logit"):
    """logit's eps, passed by position (in args) or by keyword; torch's messages name the
    position only for a positional argument."""
    if len(args) > 1:
        raise TypeError(f"{fname}() takes from {pos - 1} to {pos} positional arguments but "
                        f"{len(args) + pos - 1} were given")
    if args:
        if eps is not None:
            raise TypeError(f"{fname}() got multiple values for argument 'eps'")
        return _eps_arg(args[0], pos, fname)
    return _eps_arg(eps, None, fname)


def logit(input, *args, eps=None):  # noqa: A002
    """logit(input, eps=None): log(p / (1 - p)), p = input clamped to [eps, 1 - eps] when eps
    is given (a negative eps clamps nothing)."""
    need_tensor("logit", "input", 1, input)
    return Logit.apply(input, _eps_given(args, eps, 2))


def _n_arg(n, pos=1):
    if isinstance(n, Tensor) and n.ndim == 0 and n._data.dtype.kind in "iu":
        n = int(n.item())
    if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)):
        raise TypeError(f"polygamma(): argument 'n' (position {pos}) must be int, not "
                        f"{type_name(n)}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n, input):  # noqa: A002
    """The n-th derivative of digamma: polygamma(0, x) = digamma(x)."""
    n = _n_arg(n)
    need_tensor("polygamma", "input", 2, input)
    return Polygamma.apply(input, n)


def positive(input):  # noqa: A002
    """The input itself (torch returns the same tensor); bool tensors are refused."""
    need_tensor("positive", "input", 1, input)
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def signbit(input):  # noqa: A002
    """True where the sign bit is set (-0.0 and -nan included); never requires grad."""
    need_tensor("signbit", "input", 1, input)
    x = input._data
    if x.dtype.kind in "fV":
        return wrap(np.signbit(x))
    if x.dtype.kind == "i":
        return wrap(x < 0)
    return wrap(np.zeros(x.shape, np.bool_))


def heaviside(input, values):  # noqa: A002
    """0 for input < 0, values for input == 0, 1 for input > 0 (same dtypes required)."""
    need_tensor("heaviside", "input", 1, input)
    need_tensor("heaviside", "values", 2, values)
    return Heaviside.record(Heaviside.apply(input, values))


def fmax(input, other):  # noqa: A002
    """The larger of the two, ignoring nan (nan only where both are nan)."""
    need_tensor("fmax", "input", 1, input)
    need_tensor("fmax", "other", 2, other)
    return Fmax.apply(input, other)


def fmin(input, other):  # noqa: A002
    """The smaller of the two, ignoring nan (nan only where both are nan)."""
    need_tensor("fmin", "input", 1, input)
    need_tensor("fmin", "other", 2, other)
    return Fmin.apply(input, other)


_FLOAT_POWER_SIGS = ("Tensor input, Tensor exponent, *, Tensor out = None",
                     "Number self, Tensor exponent, *, Tensor out = None",
                     "Tensor input, Number exponent, *, Tensor out = None")


def float_power(input, exponent):  # noqa: A002
    """input ** exponent in float64 (both converted first, as torch: ToCopy nodes, then pow)."""
    a, e = input, exponent
    if isinstance(a, Tensor):
        if isinstance(e, Tensor):
            return PowTensor.apply(a.to(_dt.float64), e.to(_dt.float64))
        if is_number(e):
            return Pow.apply(a.to(_dt.float64), float(e))
    elif is_number(a) and isinstance(e, Tensor):
        return RPow.apply(e.to(_dt.float64), float(a))
    bad_overload("float_power", (a, e), _FLOAT_POWER_SIGS)


# ------------------------------------------------------------------------------------------------
# integer functions (no gradients): bitwise and/or/xor, gcd, lcm
# ------------------------------------------------------------------------------------------------

def _shift(x, y, left: bool):
    """x << y or x >> y as torch's kernels: an amount outside [0, bits) gives 0 (left) or the
    sign fill (right: -1 for a negative signed value, else 0); in range, C's shift in x's dtype."""
    x, y = np.broadcast_arrays(x, y)
    bits = x.dtype.itemsize * 8
    ok = (y >= 0) & (y < bits)
    amount = np.where(ok, y, 0).astype(x.dtype)
    z = np.left_shift(x, amount) if left else np.right_shift(x, amount)
    fill = 0 if left or x.dtype.kind == "u" else np.where(x < 0, -1, 0)
    return np.where(ok, z, fill).astype(x.dtype)


_BITWISE = {"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
            "bitwise_xor": np.bitwise_xor,
            "bitwise_left_shift": lambda x, y: _shift(x, y, True),
            "bitwise_right_shift": lambda x, y: _shift(x, y, False)}
_SHIFTS = {"bitwise_left_shift": "lshift", "bitwise_right_shift": "rshift"}   # kernel names
_BITWISE_SIGS = ("Tensor input, Tensor other, *, Tensor out = None", "Number self, Tensor other",
                 "Tensor input, Number other, *, Tensor out = None")
_BITWISE_METHOD_SIGS = ("Tensor other", "Number other")


def _shapes_broadcast(x, y):
    """torch checks the shapes before the dtypes: its message for shapes that do not broadcast."""
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and x.shape != y.shape:
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            check_broadcast(x, y)
            raise


def _bitwise(fname, a, b, method=False):
    ok = (isinstance(a, Tensor) and (isinstance(b, Tensor) or is_number(b))) or \
        (is_number(a) and isinstance(b, Tensor))
    if not ok:
        if method:
            bad_overload(fname, (b,), _BITWISE_METHOD_SIGS)
        bad_overload(fname, (a, b), _BITWISE_SIGS)
    x, y = binary_arrays(a, b)
    _shapes_broadcast(x, y)
    dt = x.dtype if isinstance(x, np.ndarray) else y.dtype
    if dt.kind not in ("iu" if fname in _SHIFTS else "iub"):
        not_implemented(f"{_SHIFTS.get(fname, fname)}_cpu", dt)
    return wrap(np.asarray(ufunc2(_BITWISE[fname], x, y)))


def bitwise_and(input, other):  # noqa: A002
    return _bitwise("bitwise_and", input, other)


def bitwise_or(input, other):  # noqa: A002
    return _bitwise("bitwise_or", input, other)


def bitwise_xor(input, other):  # noqa: A002
    return _bitwise("bitwise_xor", input, other)


def bitwise_left_shift(input, other):  # noqa: A002
    return _bitwise("bitwise_left_shift", input, other)


def bitwise_right_shift(input, other):  # noqa: A002
    return _bitwise("bitwise_right_shift", input, other)


def _int_pair(fname, a, b, pos_b=2):
    need_tensor(fname, "input", 1, a)
    need_tensor(fname, "other", pos_b, b)
    x, y = binary_arrays(a, b)
    _shapes_broadcast(x, y)
    if x.dtype.kind not in "iu":
        not_implemented(f"{fname}_cpu", x.dtype)
    try:
        return np.broadcast_arrays(x, y)
    except ValueError:
        check_broadcast(x, y)
        raise


def _c_promoted(x):
    """x as C computes with it: integer types narrower than int in int (int32)."""
    return x.astype(np.int32) if x.dtype.itemsize < 4 else x


def _gcd_np(x, y):
    """Euclid's algorithm on |x|, |y| with C's truncating remainder, in the integer dtype, as
    torch computes it (|INT_MIN| stays negative: gcd(INT_MIN, 0) is INT_MIN, gcd(-128, 7) in
    int8 is -1)."""
    a, b = np.abs(x), np.abs(y)
    while True:
        live = a != 0
        if not live.any():
            return b
        r = np.fmod(b, np.where(live, a, 1))
        a, b = np.where(live, r, a), np.where(live, a, b)


def gcd(input, other):  # noqa: A002
    """The greatest common divisor of integer tensors (0 when both are 0)."""
    x, y = _int_pair("gcd", input, other)
    return wrap(np.asarray(_gcd_np(x, y)).astype(x.dtype))


def lcm(input, other):  # noqa: A002
    """The least common multiple of integer tensors: |x / gcd · y| computed in C's promoted type
    (int32 for narrower types, wrapping on overflow) and converted to the dtype, as torch."""
    x, y = _int_pair("lcm", input, other)
    g = _gcd_np(x, y)
    xc, yc = _c_promoted(x), _c_promoted(y)
    q = np.where(g == 0, 0, xc // np.where(g == 0, 1, g))
    return wrap(np.asarray(np.where(g == 0, 0, np.abs(q * yc))).astype(x.dtype))


# ------------------------------------------------------------------------------------------------
# Tensor methods with arguments, operators and in-place variants
# ------------------------------------------------------------------------------------------------

def logit_method(t, *args, eps=None):
    return Logit.apply(t, _eps_given(args, eps, 1))


def polygamma_method(t, n):
    return Polygamma.apply(t, _n_arg(n))


def fmax_method(t, other):
    need_tensor("fmax", "other", 1, other)
    return Fmax.apply(t, other)


def fmin_method(t, other):
    need_tensor("fmin", "other", 1, other)
    return Fmin.apply(t, other)


def heaviside_method(t, values):
    need_tensor("heaviside", "values", 1, values)
    return Heaviside.record(Heaviside.apply(t, values))


def gcd_method(t, other):
    need_tensor("gcd", "other", 1, other)
    return gcd(t, other)


def lcm_method(t, other):
    need_tensor("lcm", "other", 1, other)
    return lcm(t, other)


def float_power_method(t, exponent):
    if not (isinstance(exponent, Tensor) or is_number(exponent)):
        bad_overload("float_power", (exponent,), ("Tensor exponent", "Number exponent"))
    return float_power(t, exponent)


def _bitwise_method(fname):
    def method(t, other):
        return _bitwise(fname, t, other, method=True)
    method.__name__ = fname
    return method


(bitwise_and_method, bitwise_or_method, bitwise_xor_method, bitwise_left_shift_method,
 bitwise_right_shift_method) = map(_bitwise_method, _BITWISE)


def _as_operand(v):
    """An operator's NumPy array operand as a tensor (torch's `t & array` converts it)."""
    return wrap(np.array(v)) if isinstance(v, np.ndarray) else v


def _bitwise_operator(fname, reflected=False):
    """Tensor.__and__ / __rand__ ... : the bitwise op; a NumPy array operand is converted on the
    right and handed back to Python on the left (`array & t` is a TypeError, as in torch);
    anything else that is not a tensor or a number raises TypeError (the operator hands it
    back)."""
    def op(t, other):
        if reflected:
            return NotImplemented if isinstance(other, np.ndarray) else _bitwise(fname, other, t)
        return _bitwise(fname, t, _as_operand(other))
    op.__name__ = fname
    return op


(bitwise_and_op, bitwise_or_op, bitwise_xor_op, bitwise_lshift_op,
 bitwise_rshift_op) = map(_bitwise_operator, _BITWISE)
(bitwise_rand_op, bitwise_ror_op, bitwise_rxor_op, bitwise_rlshift_op,
 bitwise_rrshift_op) = (_bitwise_operator(f, True) for f in _BITWISE)


def _apply_inplace(t, fn, *args):
    from .inplace import apply_inplace
    return apply_inplace(t, fn, *args)


def _binary_inplace(t, fn, other):
    from .inplace import _elementwise_inplace
    return _elementwise_inplace(t, fn, other)


def _unary_inplace(op):
    def method(t):
        return _apply_inplace(t, op.apply)
    return method


tan_ = _unary_inplace(Tan)
asin_ = arcsin_ = _unary_inplace(Asin)
acos_ = arccos_ = _unary_inplace(Acos)
atan_ = arctan_ = _unary_inplace(Atan)
sinh_ = _unary_inplace(Sinh)
cosh_ = _unary_inplace(Cosh)
asinh_ = arcsinh_ = _unary_inplace(AsinhInplace)
acosh_ = arccosh_ = _unary_inplace(AcoshInplace)
atanh_ = arctanh_ = _unary_inplace(AtanhInplace)
log2_ = _unary_inplace(Log2)
log10_ = _unary_inplace(Log10)
deg2rad_ = _unary_inplace(Deg2Rad)
rad2deg_ = _unary_inplace(Rad2Deg)
sgn_ = _unary_inplace(Sgn)
lgamma_ = _unary_inplace(Lgamma)
digamma_ = _unary_inplace(Digamma)
absolute_ = _unary_inplace(Abs)


def logit_(t, *args, eps=None):
    eps = _eps_given(args, eps, 1, "logit_")
    return _apply_inplace(t, lambda a: Logit.apply(a, eps))


def polygamma_(t, n):
    n = _n_arg(n)
    return _apply_inplace(t, lambda a: PolygammaInplace.apply(a, n))


def heaviside_(t, values):
    need_tensor("heaviside_", "values", 1, values)
    return _binary_inplace(t, lambda a, v: HeavisideInplace.record(HeavisideInplace.apply(a, v)),
                           values)


def float_power_(t, exponent):
    if not (isinstance(exponent, Tensor) or is_number(exponent)):
        bad_overload("float_power_", (exponent,), ("Tensor exponent", "Number exponent"))
    if t._data.dtype != _F64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{scalar_type_name(t._data.dtype)} but the operation's result "
                           "requires dtype Double")
    return _binary_inplace(t, float_power, exponent)


def _castable_into(t, other):
    """torch's check of an in-place op's result type against its tensor's dtype (a float result
    cannot go into an integer tensor, nor a non-bool one into a bool tensor)."""
    if not (isinstance(other, Tensor) or is_number(other)):
        return
    rt = _dt.result_type(t, other)
    dt = _dt.from_numpy_dtype(t._data.dtype)
    if (rt.is_floating_point and not dt.is_floating_point) or (dt is _dt.bool and rt is not dt):
        raise RuntimeError(f"result type {scalar_type_name(rt)} can't be cast to the desired "
                           f"output type {scalar_type_name(dt)}")


def _bitwise_inplace(fname):
    def method(t, other):
        _castable_into(t, other)
        return _binary_inplace(t, lambda a, b: _bitwise(fname, a, b, method=True), other)
    method.__name__ = fname + "_"
    return method


(bitwise_and_, bitwise_or_, bitwise_xor_, bitwise_left_shift_,
 bitwise_right_shift_) = map(_bitwise_inplace, _BITWISE)


def _bitwise_ioperator(fname):
    """Tensor.__iand__ ...: in place; a NumPy array operand is handed back to Python, which then
    computes `t & array` out of place (as torch)."""
    inplace = _bitwise_inplace(fname)

    def op(t, other):
        return NotImplemented if isinstance(other, np.ndarray) else inplace(t, other)
    op.__name__ = f"__i{_SHIFTS.get(fname, fname[8:])}__"
    return op


(bitwise_iand_op, bitwise_ior_op, bitwise_ixor_op, bitwise_ilshift_op,
 bitwise_irshift_op) = map(_bitwise_ioperator, _BITWISE)


def gcd_(t, other):
    need_tensor("gcd_", "other", 1, other)
    _castable_into(t, other)
    return _binary_inplace(t, gcd, other)


def lcm_(t, other):
    need_tensor("lcm_", "other", 1, other)
    _castable_into(t, other)
    return _binary_inplace(t, lcm, other)


__all__ = ["tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "asinh",
           "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "log2", "log10", "logit", "sgn",
           "positive", "deg2rad", "rad2deg", "signbit", "heaviside", "fmax", "fmin",
           "float_power", "lgamma", "digamma", "polygamma", "bitwise_and", "bitwise_or",
           "bitwise_xor", "gcd", "lcm", "absolute"]
