"""torch's CPU samplers built on the gamma distribution: _standard_gamma (and its reparameterised
gradient _standard_gamma_grad), poisson, _sample_dirichlet (and _dirichlet_grad), binomial.

Each follows torch 2.13's CPU kernel (aten/src/ATen/native/Distributions.cpp and
Distributions.h) statement by statement, one element at a time in the output's row-major order
(cpu_serial_kernel over a fresh contiguous output), drawing from the generator exactly as it does:

  uniform  at::uniform_real_distribution<double>: random64(), 53 bits (two words)
  normal   at::normal_distribution<double>: the generator's cached second Box-Muller sample when
           there is one, else two double uniforms u1, u2, r = sqrt(-2 log1p(-u2)), the cosine
           returned and r·sin(2π u1) cached in the generator (so the cache persists between
           calls, and with torch.randn's small-tensor path)

  _standard_gamma  Marsaglia-Tsang: alpha < 1 first takes a uniform (scale = (1-u)^(1/alpha),
                   alpha += 1); then normals until y = 1 + c·x > 0, and a uniform, per attempt.
                   The float32 kernel does `1/alpha`, `alpha + 1` and `alpha - 1/3` in float, the
                   rest in double.  Result max(FLT_MIN or DBL_MIN, sample).
  poisson          lambda >= 10: Hoermann's transformed rejection (two uniforms per attempt);
                   else multiplication of uniforms against exp(-lambda).
  _sample_dirichlet  double gamma samples of the (double-converted) concentrations, divided by
                   their sum over the last dim, clamped to [min, nextafter(1, 0)] of the dtype.
  binomial         BTRS (count·p >= 10) or inversion (geometric sums), as TensorFlow's.

Words are taken from the generator in bulk; what a call did not use is given back (the generator
rewound and advanced by exactly the words consumed), so the state after a call is torch's.
The libm functions are the C library's own (Python's math module; ctypes for lgamma and the
float functions logf/powf/log1pf/tanf), so results are bit for bit torch's on the same C library.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math

import numpy as np

from ..tensor import Tensor
from ..autograd.function import NotDifferentiable, Op
from ._args import not_implemented
from ._util import factory_result, wrap
from .random import _gen, _u53

__all__ = ["_standard_gamma", "_standard_gamma_grad", "poisson", "_sample_dirichlet",
           "_dirichlet_grad", "binomial"]

_F32, _F64 = np.float32, np.float64
_INF, _NAN = math.inf, math.nan
_FLT_MIN = float(np.finfo(np.float32).tiny)
_DBL_MIN = float(np.finfo(np.float64).tiny)


# ------------------------------------------------------------------------------------------------
# C semantics on Python floats
# ------------------------------------------------------------------------------------------------

def _load_libm():
    for name in (ctypes.util.find_library("m"), "libm.so.6", "libm.dylib"):
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


_LIBM = _load_libm()


def _cfun(name, ctype, nargs):
    f = getattr(_LIBM, name, None) if _LIBM is not None else None
    if f is None:
        return None
    f.restype = ctype
    f.argtypes = [ctype] * nargs
    return f


_c_lgamma = _cfun("lgamma", ctypes.c_double, 1)
_c_logf = _cfun("logf", ctypes.c_float, 1)
_c_log1pf = _cfun("log1pf", ctypes.c_float, 1)
_c_powf = _cfun("powf", ctypes.c_float, 2)
_c_tanf = _cfun("tanf", ctypes.c_float, 1)


def _f32(v: float) -> float:
    """Round a double to float (as a C float store does); exact for one +, -, *, / or sqrt of
    floats computed in double (53 >= 2·24 + 2)."""
    return float(_F32(v))


def _log(v):
    return math.log(v) if v > 0 else (-_INF if v == 0 else _NAN)


def _log1p(v):
    return math.log1p(v) if v > -1 else (-_INF if v == -1 else _NAN)


def _exp(v):
    try:
        return math.exp(v)
    except OverflowError:
        return _INF


def _sqrt(v):
    return math.sqrt(v) if v >= 0 else _NAN


def _pow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        return _INF
    except ValueError:               # a negative base, a non-integer exponent; or 0 ** negative
        if a == 0:
            return _INF
        return _NAN


def _div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return _NAN
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -_INF if neg else _INF


def _lgamma(v):
    if _c_lgamma is not None:
        return _c_lgamma(v)
    try:                             # (CPython's own: not always the C library's last bit)
        return math.lgamma(v)
    except (ValueError, OverflowError):
        return _INF


def _logf(v):
    if _c_logf is not None:
        return _c_logf(v)
    return _f32(_log(v))


def _log1pf(v):
    if _c_log1pf is not None:
        return _c_log1pf(v)
    return _f32(_log1p(v))


def _powf(a, b):
    if _c_powf is not None:
        return _c_powf(a, b)
    return _f32(_pow(a, b))


def _tanf(v):
    if _c_tanf is not None:
        return _c_tanf(v)
    return _f32(math.tan(v)) if math.isfinite(v) else _NAN


def _to_i64(v) -> int:
    """(int64_t)v as x86-64 converts it: out of range and nan give INT64_MIN."""
    if v != v or not -9.223372036854775808e18 <= v < 9.223372036854775808e18:
        return -(1 << 63)
    return int(v)


# ------------------------------------------------------------------------------------------------
# the generator's draws, one at a time
# ------------------------------------------------------------------------------------------------

class _Draws:
    """uniform_real_distribution<double> and normal_distribution<double> values from `g`, in
    torch's order.  Words are drawn in bulk; close() gives back the ones not used."""

    def __init__(self, g, hint):
        self.g = g
        self._snap = (g._bg.state, g._pre, g._fresh)
        self._u = []
        self._i = 0
        self._hint = max(int(hint), 8)

    def uniform(self) -> float:
        i = self._i
        if i == len(self._u):
            self._u.extend(_u53(self.g._words64(max(self._hint, len(self._u)))).tolist())
        self._i = i + 1
        return self._u[i]

    def normal(self) -> float:
        g = self.g
        nd = g._next_double
        if nd is not None:
            g._next_double = None
            return nd
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        g._next_double = r * math.sin(theta)
        return r * math.cos(theta)

    def close(self):
        if len(self._u) > self._i:   # rewind, then take exactly the values used
            g = self.g
            nd = g._next_double
            g._bg.state, g._pre, g._fresh = self._snap
            if self._i:
                g._words64(self._i)
            g._next_double = nd
        self._u = []


# ------------------------------------------------------------------------------------------------
# the scalar kernels (Distributions.h / Distributions.cpp)
# ------------------------------------------------------------------------------------------------

_THIRD_F = float(_F32(1.0) / _F32(3.0))         # 1.0f / 3.0f
_C0331 = float(_F32(0.0331))                    # 0.0331f
_P08, _P09, _P11 = float(_F32(0.8)), float(_F32(0.9)), float(_F32(1.1))


def _sample_gamma(alpha: float, f32: bool, dr: _Draws) -> float:
    """sample_gamma<scalar_t, double>: scalar_t float when f32 (its few float operations
    rounded), else double."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        inv = _f32(1.0 / alpha) if f32 else 1.0 / alpha
        scale *= _pow(1.0 - dr.uniform(), inv)
        alpha = _f32(alpha + 1.0) if f32 else alpha + 1.0
    d = _f32(alpha - _THIRD_F) if f32 else alpha - _THIRD_F
    c = _div(1.0, _sqrt(9.0 * d))
    while True:
        while True:
            x = dr.normal()
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1.0 - dr.uniform()
        xx = x * x
        if u < 1.0 - _C0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + _log(v)):
            return scale * d * v


def _sample_poisson(lam: float, dr: _Draws) -> int:
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + _div(1.1328, b - 3.4)
        vr = 0.9277 - _div(3.6224, b - 2)
        while True:
            U = dr.uniform() - 0.5
            V = dr.uniform()
            us = 0.5 - abs(U)
            k = _to_i64(_floor((_div(2 * a, us) + b) * U + lam + 0.43))
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (_log(V) + _log(invalpha) - _log(_div(a, us * us) + b)
                    <= -lam + k * loglam - _lgamma(float(k) + 1)):
                return k
    elif lam == 0:
        return 0
    else:
        enlam = math.exp(-lam)
        X = 0
        prod = 1.0
        while True:
            prod *= dr.uniform()
            if prod > enlam:
                X += 1
            else:
                return X


def _floor(v):
    return float(math.floor(v)) if math.isfinite(v) else v


def _ceil(v):
    return float(math.ceil(v)) if math.isfinite(v) else v


# -- binomial ------------------------------------------------------------------------------------

_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _binomial_inversion(count, prob, R, dr):
    geom_sum = 0.0
    num_geom = 0.0
    logprob = _log1pf(-prob) if R is _f32 else _log1p(-prob)
    while True:
        U = dr.uniform()
        geom = _ceil(_div(_log(U), logprob))
        geom_sum += geom
        if geom_sum > count:
            break
        num_geom = R(num_geom + 1)
    return num_geom


def _btrs(count, prob, R, dr):
    sq = (math.sqrt if R is not _f32 else lambda v: _f32(_sqrt(v)))
    stddev = sq(R(R(count * prob) * R(1 - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = R(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = R(prob / R(1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(R(R(count + 1) * prob))
    while True:
        U = dr.uniform() - 0.5
        V = dr.uniform()
        us = 0.5 - abs(U)
        k = R(_floor((_div(2 * a, us) + b) * U + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and V <= v_r:
            return k
        V = _log(V * alpha / (_div(a, us * us) + b))
        upperbound = ((m + 0.5) * _log((m + 1) / (r * (count - m + 1)))
                      + R(count + 1) * _log((count - m + 1) / R(R(count - k) + 1))
                      + (k + 0.5) * _log(r * R(R(count - k) + 1) / R(k + 1))
                      + _stirling_tail(m) + _stirling_tail(count - m)
                      - _stirling_tail(k) - _stirling_tail(R(count - k)))
        if V <= upperbound:
            return k


def _sample_binomial(count, prob, R, dr):
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if R(count * prob) >= 10.0:
            return _btrs(count, prob, R, dr)
        return _binomial_inversion(count, prob, R, dr)
    if prob > 0.5:
        q = R(1.0 - prob)
        if R(count * q) >= 10.0:
            return R(count - _btrs(count, q, R, dr))
        return R(count - _binomial_inversion(count, q, R, dr))
    return _NAN


def _ident(v):
    return v


# -- gradients -----------------------------------------------------------------------------------

_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _digamma_one(x, f32):
    """digamma_one<scalar_t, double>(x): scalar_t float when f32 (x and its updates in float,
    1/x in float, logf), the sums in double; the result in scalar_t."""
    R = _f32 if f32 else _ident
    if x == 0:
        return _INF
    add = 0.0
    is_int = x == math.floor(x) if math.isfinite(x) else x == x
    if x < 0:
        if is_int:
            return _INF
        if f32:
            pi = _f32(math.pi)
            add = _div(-pi, _tanf(_f32(pi * x)))
        else:
            add = _div(-math.pi, math.tan(math.pi * x))
        x = R(1 - x)
    result = 0.0
    while x < 10:
        result -= R(1 / x)
        x = R(x + 1)
    if x == 10:
        return R(result + _PSI_10 + add)
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / R(x * x)
        p = 0.0
        for a in _DIGAMMA_A:
            p = p * z + a
        y = z * p
    lg = _logf(x) if f32 else _log(x)
    return R(result + lg - R(0.5 / x) - y + add)


_COEF_UV = ((0.16009398, -0.094634809, 0.025146376, -0.0030648343,
             1, 0.32668115, 0.10406089, 0.0014179084),
            (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
             0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
            (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
             0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07))


def _standard_gamma_grad_one(alpha, x):
    """standard_gamma_grad_one<scalar_t, double>: all in double (the caller rounds)."""
    if x < _P08:
        numer = 1.0
        denom = alpha
        series1 = _div(numer, denom)
        series2 = _div(numer, denom * denom)
        for i in range(1, 6):
            numer *= -x / float(i)
            denom += 1
            series1 += _div(numer, denom)
            series2 += _div(numer, denom * denom)
        pow_x_alpha = _pow(x, alpha)
        gamma_pdf = _pow(x, alpha - 1) * _exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = ((_log(x) - _digamma_one(alpha, False)) * gamma_cdf
                           - pow_x_alpha * series2)
        result = _div(-gamma_cdf_alpha, gamma_pdf)
        return 0.0 if result != result else result
    if alpha > 8.0:
        if _P09 * alpha <= x and x <= _P11 * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = (1440 * (alpha * alpha) + 6 * x * (53 - 120 * x)
                       - 65 * x * x / alpha + alpha * (107 + 3600 * x))
            denom = 1244160 * (alpha * alpha) * (alpha * alpha)
            return numer_1 * numer_2 / denom
        denom = math.sqrt(8 * alpha)
        term2 = _div(denom, alpha - x)
        term3 = _pow(x - alpha - alpha * _log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = (_log(x / alpha) * term23
                 - _div(math.sqrt(2 / alpha) * (alpha + x), (alpha - x) * (alpha - x)))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        numer = x * term1
        return -stirling * numer / denom
    u = _log(_div(x, alpha))
    v = _log(alpha)
    cv = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_COEF_UV)]
    p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
    q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
    return _exp(_div(p, q))


def _beta_grad_alpha_small(x, alpha, beta, R, f32):
    lg = _logf if f32 else _log
    factor = R(R(_digamma_one(alpha, f32) - _digamma_one(R(alpha + beta), f32)) - lg(x))
    numer = 1.0
    series = R(R(_div(numer, alpha)) * R(factor + R(_div(1, alpha))))
    for i in range(1, 11):
        ci = float(i)
        numer = R(numer * R(R(R(ci - beta) * x) / ci))
        denom = R(alpha + ci)
        series = R(series + R(R(_div(numer, denom)) * R(factor + R(_div(1, denom)))))
    pw = _powf(R(1 - x), -beta) if f32 else _pow(1 - x, -beta)
    result = R(R(x * pw) * series)
    return 0.0 if result != result else result


def _beta_grad_beta_small(x, alpha, beta, R, f32):
    factor = R(_digamma_one(R(alpha + beta), f32) - _digamma_one(beta, f32))
    numer, betas, dbetas = 1.0, 1.0, 0.0
    series = R(_div(factor, alpha))
    for i in range(1, 9):
        ci = float(i)
        numer = R(numer * R(-x / ci))
        dbetas = R(R(dbetas * R(beta - ci)) + betas)
        betas = R(betas * R(beta - ci))
        series = R(series + R(R(_div(numer, R(alpha + ci))) * R(dbetas + R(factor * betas))))
    pw = _powf(R(1 - x), R(1 - beta)) if f32 else _pow(1 - x, 1 - beta)
    result = R(-pw * series)
    return 0.0 if result != result else result


def _beta_grad_alpha_mid(x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x and x <= mean + 0.1 * std:
        poly = (47 * x * (beta * beta) * (beta * beta) + alpha * (
                (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                    3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                        (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                            8 * (1 - x) * (135 * beta - 11))))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return _div(prefactor_num, 1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = math.sqrt(2 * alpha / beta) * _pow(total, 1.5) * axbx * axbx
    term1 = _div(term1_num, term1_den)
    term2 = 0.5 * _log(_div(alpha, total * x))
    term3_num = math.sqrt(8 * alpha * beta / total)
    term3_den = beta * x + alpha * (x - 1)
    term3 = _div(term3_num, term3_den)
    term4_base = (beta * _log(_div(beta, total * (1 - x)))
                  + alpha * _log(_div(alpha, total * x)))
    term4 = _pow(term4_base, -1.5)
    term1234 = term1 + term2 * (term3 + (term4 if x < mean else -term4))
    return stirling * prefactor * term1234


_DIR_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))))


def _dirichlet_grad_one(x, alpha, total, f32):
    """dirichlet_grad_one<scalar_t, double>; the caller rounds the result to scalar_t."""
    R = _f32 if f32 else _ident
    beta = R(total - alpha)
    beta_ = total - alpha
    boundary = R(R(total * x) * R(1 - x))
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta, R, f32)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(R(1 - x), beta, alpha, R, f32)
    if alpha > 6 and beta > 6:
        return _beta_grad_alpha_mid(x, alpha, beta_)
    u = _log(x)
    a = _log(alpha) - u
    b = _log(total) - a
    pow_u = (1.0, u, u * u)
    pow_a = (1.0, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            c0, c1 = _DIR_C[0][i][j], _DIR_C[1][i][j]
            p += ua * (c0[0] + b * (c0[1] + b * (c0[2] + b * c0[3])))
            q += ua * (c1[0] + b * (c1[1] + b * (c1[2] + b * c1[3])))
    dg = R(_digamma_one(R(total), f32) - _digamma_one(R(alpha), f32))
    approx = _div(x * dg, beta_)
    return _div(p, q) * approx


# ------------------------------------------------------------------------------------------------
# the ops
# ------------------------------------------------------------------------------------------------

def _check_tensor(fname, t):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")


def _kernel_dtype(kernel, arr, halves=False):
    d = arr.dtype
    if d == np.float32 or d == np.float64:
        return d
    if halves and (d == np.float16 or d.name == "bfloat16"):
        return d
    not_implemented(kernel, d)


def _standard_gamma_values(a: np.ndarray, generator=None) -> np.ndarray:
    npd = _kernel_dtype("gamma_cpu", a)
    f32 = npd == np.float32
    vals = np.ascontiguousarray(a).reshape(-1).tolist()
    out = np.empty(len(vals), npd)
    if vals:
        g = _gen(generator)
        dr = _Draws(g, 3 * len(vals) + 8)
        lo = _FLT_MIN if f32 else _DBL_MIN
        try:
            res = []
            for al in vals:
                s = _sample_gamma(al, f32, dr)
                if f32:
                    s = _f32(s)
                res.append(s if lo < s else lo)
        finally:
            dr.close()
        out[:] = res
    return out.reshape(a.shape)


class StandardGamma(Op):
    """z = torch._standard_gamma(alpha)        dalpha = g · _standard_gamma_grad(alpha, z)
    (the reparameterised gradient; the draws are made before, in the generator's order)"""
    node_name = "StandardGammaBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, values):
        ctx.save_for_backward(a)
        ctx._z = values
        return values

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * _StandardGammaGrad.apply(a, wrap(ctx._z))


class _StandardGammaGrad(NotDifferentiable):
    node_name, aten = "NotImplemented", "_standard_gamma_grad"
    arity = 2

    @staticmethod
    def forward(ctx, a, x):
        return _standard_gamma_grad_values(a._data, x._data)


def _standard_gamma_grad_values(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    npd = _kernel_dtype("_standard_gamma_grad_cpu", a)
    if x.dtype != npd:
        raise RuntimeError(f"expected scalar type {np.dtype(npd).name} but found "
                           f"{x.dtype.name}")
    a_, x_ = np.broadcast_arrays(a, x)
    out = np.fromiter((_standard_gamma_grad_one(al, xv)
                       for al, xv in zip(a_.reshape(-1).tolist(), x_.reshape(-1).tolist())),
                      _F64, a_.size)
    with np.errstate(over="ignore"):
        return out.astype(npd).reshape(a_.shape)


def _standard_gamma(input, generator=None):
    """torch._standard_gamma(alpha): Gamma(alpha, 1) samples, torch's CPU kernel draw for draw;
    differentiable w.r.t. alpha (StandardGammaBackward0, the reparameterised gradient)."""
    _check_tensor("_standard_gamma", input)
    values = _standard_gamma_values(input._data, generator)
    if input.requires_grad:
        from .. import grad_mode as _gm
        if _gm.is_grad_enabled():
            return StandardGamma.apply(input, values)
    return factory_result(values)


def _standard_gamma_grad(input, output):
    """torch._standard_gamma_grad(alpha, x): -(∂/∂alpha CDF(x; alpha)) / pdf(x; alpha), torch's
    approximations (no derivative of its own)."""
    _check_tensor("_standard_gamma_grad", input)
    return NotDifferentiable.record(_StandardGammaGrad.apply(input, output))


# -- poisson ---------------------------------------------------------------------------------------

class PoissonDraw(Op):
    """z = torch.poisson(rates)        drates = 0  (torch's derivative: zeros_like)"""
    node_name = "PoissonBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, g):
        from ._util import zero_grad_like
        return zero_grad_like(g)


def _poisson_values(a: np.ndarray, generator=None) -> np.ndarray:
    npd = _kernel_dtype("poisson_cpu", a, halves=True)
    vals = np.ascontiguousarray(a).reshape(-1).astype(_F64).tolist()
    res = []
    if vals:
        g = _gen(generator)
        dr = _Draws(g, 2 * len(vals) + 8)
        try:
            for lam in vals:
                if not lam >= 0:
                    raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
                res.append(float(_sample_poisson(lam, dr)))
        finally:
            dr.close()
    return np.array(res, _F64).astype(npd).reshape(a.shape)


def poisson(input, generator=None):
    """torch.poisson(rates): Poisson samples, torch's CPU kernel draw for draw (float types,
    half and bfloat16 included); recorded as PoissonBackward0 (zero gradient)."""
    _check_tensor("poisson", input)
    values = _poisson_values(input._data, generator)
    if input.requires_grad:
        from .. import grad_mode as _gm
        if _gm.is_grad_enabled():
            return PoissonDraw.apply(input, values)
    return factory_result(values)


# -- dirichlet -----------------------------------------------------------------------------------

def _sample_dirichlet_values(a: np.ndarray, generator=None) -> np.ndarray:
    npd = _kernel_dtype("dirichlet", a)
    vals = np.ascontiguousarray(a).reshape(-1).astype(_F64).tolist()
    gam = np.empty(len(vals), _F64)
    if vals:
        g = _gen(generator)
        dr = _Draws(g, 3 * len(vals) + 8)
        try:
            res = []
            for al in vals:
                s = _sample_gamma(al, False, dr)
                res.append(s if _DBL_MIN < s else _DBL_MIN)
        finally:
            dr.close()
        gam[:] = res
    gam = gam.reshape(a.shape)
    if a.ndim == 0:
        total = gam
    else:
        k = gam.shape[-1]
        total = _cascade_sum(gam.reshape(-1, k)).reshape(gam.shape[:-1] + (1,))
    with np.errstate(all="ignore"):
        r = (gam / total).astype(npd)
    lo = np.finfo(npd).tiny
    hi = np.nextafter(npd.type(1), npd.type(0))
    r = np.where(lo < r, r, lo)              # std::max(min, v) (nan -> min)
    r = np.where(hi < r, hi, r)              # std::min(max, v)
    return np.ascontiguousarray(r.astype(npd))


# Vectorized<double>::size() of torch's sum kernel: 4 (measured on an AVX512 machine too: torch
# 2.13's cascade_sum over doubles matches 4 lanes there, not 8)
_VEC_DOUBLES = 4


def _multi_row_sum(elems, size):
    """multi_row_sum<acc, 4>: groups of 4 consecutive elements summed column-wise, with the
    cascade of levels (16 or more elements a level)."""
    lp = max(4, ((size - 1).bit_length() if size > 2 else 1) // 4)
    step = 1 << lp
    mask = step - 1
    z = np.zeros_like(elems[0]) if elems else None
    acc = [[z.copy() for _ in range(4)] for _ in range(4)] if elems else None
    i = 0
    while i + step <= size:
        for _ in range(step):
            for k in range(4):
                acc[0][k] = acc[0][k] + elems[4 * i + k]
            i += 1
        for j in range(1, 4):
            for k in range(4):
                acc[j][k] = acc[j][k] + acc[j - 1][k]
                acc[j - 1][k] = np.zeros_like(z)
            if i & (mask << (j * lp)):
                break
    while i < size:
        for k in range(4):
            acc[0][k] = acc[0][k] + elems[4 * i + k]
        i += 1
    if acc is None:
        return None
    for j in range(1, 4):
        for k in range(4):
            acc[0][k] = acc[0][k] + acc[j][k]
    return acc[0]


def _row_sum(elems, zero):
    size = len(elems)
    size_ilp = size // 4
    part = _multi_row_sum(elems, size_ilp) if size_ilp else [zero.copy() for _ in range(4)]
    for i in range(size_ilp * 4, size):
        part[0] = part[0] + elems[i]
    for k in range(1, 4):
        part[0] = part[0] + part[k]
    return part[0]


def _cascade_sum(a: np.ndarray) -> np.ndarray:
    """torch's CPU sum over the last dim of a contiguous (rows, K) double array, in its order
    (cascade_sum: vectorized_inner_sum for K >= the vector width, else scalar_inner_sum)."""
    w = _VEC_DOUBLES
    rows, k = a.shape
    if k >= w:
        n = k // w
        vacc = _row_sum([a[:, i * w:(i + 1) * w] for i in range(n)], np.zeros((rows, w)))
        final = np.zeros(rows)
        for j in range(n * w, k):
            final = final + a[:, j]
        for j in range(w):
            final = final + vacc[:, j]
        return final
    return _row_sum([a[:, j] for j in range(k)], np.zeros(rows))


class _SampleDirichlet(NotDifferentiable):
    node_name, aten = "NotImplemented", "_sample_dirichlet"
    arity = 1

    @staticmethod
    def forward(ctx, a, values):
        return values


def _sample_dirichlet(input, generator=None):
    """torch._sample_dirichlet(alpha): Dirichlet samples over the last dim, torch's CPU kernel
    (double gamma draws, normalised); no derivative (torch records a node that raises)."""
    _check_tensor("_sample_dirichlet", input)
    values = _sample_dirichlet_values(input._data, generator)
    if input.requires_grad:
        from .. import grad_mode as _gm
        if _gm.is_grad_enabled():
            return NotDifferentiable.record(_SampleDirichlet.apply(input, values))
    return factory_result(values)


class _DirichletGrad(NotDifferentiable):
    node_name, aten = "NotImplemented", "_dirichlet_grad"
    arity = 3

    @staticmethod
    def forward(ctx, x, alpha, total):
        return _dirichlet_grad_values(x._data, alpha._data, total._data)


def _dirichlet_grad_values(x, alpha, total):
    npd = _kernel_dtype("_dirichlet_grad_cpu", x)
    f32 = npd == np.float32
    xs, al, tt = np.broadcast_arrays(x, alpha, total)
    R = _f32 if f32 else _ident
    out = np.fromiter((R(_dirichlet_grad_one(a, b, c, f32)) for a, b, c in
                       zip(xs.reshape(-1).tolist(), al.reshape(-1).tolist(),
                           tt.reshape(-1).tolist())), _F64, xs.size)
    with np.errstate(over="ignore"):
        return out.astype(npd).reshape(xs.shape)


def _dirichlet_grad(x, alpha, total):
    """torch._dirichlet_grad(x, alpha, total): the reparameterised gradient of a Dirichlet
    sample's components (torch's approximations)."""
    _check_tensor("_dirichlet_grad", x)
    return NotDifferentiable.record(_DirichletGrad.apply(x, alpha, total))


# -- binomial ------------------------------------------------------------------------------------

class _Binomial(NotDifferentiable):
    node_name, aten = "NotImplemented", "binomial"
    arity = 2

    @staticmethod
    def forward(ctx, count, prob, values):
        return values


def _binomial_values(count: np.ndarray, prob: np.ndarray, generator=None) -> np.ndarray:
    if count.dtype.kind != "f" and count.dtype.name != "bfloat16":
        raise RuntimeError(f"binomial only supports floating-point dtypes for count, got: "
                           f"{_type_name(count.dtype)}")
    if prob.dtype.kind != "f" and prob.dtype.name != "bfloat16":
        raise RuntimeError(f"binomial only supports floating-point dtypes for prob, got: "
                           f"{_type_name(prob.dtype)}")
    npd = _kernel_dtype("binomial_cpu", count)
    if prob.dtype != npd:
        raise RuntimeError(f"expected scalar type {_type_name(npd)} but found "
                           f"{_type_name(prob.dtype)}")
    if count.shape != prob.shape:
        try:
            np.broadcast_shapes(count.shape, prob.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({count.shape}) must match the size of "
                               f"tensor b ({prob.shape})") from None
        if np.broadcast_shapes(count.shape, prob.shape) != count.shape:
            raise RuntimeError("output with shape " + str(list(count.shape)) + " doesn't match "
                               "the broadcast shape " +
                               str(list(np.broadcast_shapes(count.shape, prob.shape))))
        prob = np.broadcast_to(prob, count.shape)
    R = _f32 if npd == np.float32 else _ident
    cs = np.ascontiguousarray(count).reshape(-1).tolist()
    ps = np.ascontiguousarray(prob).reshape(-1).tolist()
    res = []
    if cs:
        g = _gen(generator)
        dr = _Draws(g, 4 * len(cs) + 8)
        try:
            for c, p in zip(cs, ps):
                res.append(_sample_binomial(c, p, R, dr))
        finally:
            dr.close()
    return np.array(res, _F64).astype(npd).reshape(count.shape)


def _type_name(d):
    from ._util import scalar_type_name
    return scalar_type_name(d)


def binomial(count, prob, generator=None):
    """torch.binomial(count, prob): Binomial(count, prob) samples, torch's CPU kernel (BTRS or
    inversion) draw for draw; no derivative (torch records a node that raises)."""
    _check_tensor("binomial", count)
    _check_tensor("binomial", prob)
    values = _binomial_values(count._data, prob._data, generator)
    if count.requires_grad or prob.requires_grad:
        from .. import grad_mode as _gm
        if _gm.is_grad_enabled():
            return NotDifferentiable.record(_Binomial.apply(count, prob, values))
    return factory_result(values)
