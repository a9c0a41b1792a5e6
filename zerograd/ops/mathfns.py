"""torch's math functions beyond the core set: special functions (erf, erfc, erfinv, expm1, exp2,
sinc), binary float functions (logaddexp, xlogy, atan2, hypot, fmod, copysign), lerp, addcmul,
addcdiv, nan_to_num, the fused reductions (var_mean, std_mean, aminmax, nansum, nanmean,
count_nonzero), outer, trace, diff, cummax/cummin, logcumsumexp, addmv/baddbmm/addbmm, and the
creation functions logspace, tril_indices, triu_indices; the in-place variants at the end.

torch's special paths for empty addmv/baddbmm/addbmm operands (an empty matrix or batch) are not
reproduced: zerograd applies its ordinary shape and dtype rules there (see test_mathfns.py).

Each class states its rule in its docstring, as in elementwise.py: `g` is the incoming gradient,
the returned values are dL/d(input), and the engine sums every gradient back to its input's shape
(broadcasting) and casts it to its input's dtype.  Functions check their arguments the way torch's
argument parser does (a Python number where a Tensor is required is torch's TypeError) before any
NumPy code runs.
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import math

import numpy as np

from .. import dtypes as _dt
from .. import return_types as _rt
from ..autograd.function import Op
from ..tensor import Tensor
from ._args import (C_TYPE_NAMES, bad_overload, is_number, need_tensor, need_tensor_pair,
                    not_implemented, number_arg, scalar_first)
from ._util import (accumulate_dtype, binary_arrays, canon_dim, canon_dims, check_broadcast, checked_scalar,
                    default_float, float_data, raise_overflow, scalar_array, scalar_type_name,
                    ufunc2, wrap)
from .elementwise import DivRounding, _int_division, where_
from .gather import _check_expand
from .nn_ops import Erf
from .reduce import (_add_reduce, _count, _correction, _dims_or_all, _few_dof, _no_dof, _unreduce,
                     _var_grad, std_grad)

_SQRT_PI = math.sqrt(math.pi)
_LN2 = math.log(2.0)


# ------------------------------------------------------------------------------------------------
# argument checks with torch's messages (the shared ones are in _args.py)
# ------------------------------------------------------------------------------------------------

_TENSOR_OR_NUMBER = ("Tensor input, Tensor other, *, Tensor out = None",
                     "Tensor input, Number other, *, Tensor out = None")

# ------------------------------------------------------------------------------------------------
# array helpers
# ------------------------------------------------------------------------------------------------

def _dtype_of(x, y):
    return x.dtype if isinstance(x, np.ndarray) else y.dtype


def _own_float(v, f):
    return (v._data if isinstance(v, Tensor) else np.asarray(v)).astype(f)


def _float_arrays(a, b):
    """The operands of a binary op whose integral results are floats (atan2, xlogy, copysign):
    torch's result dtype, or the default float when that is integral or bool - each operand then
    converted from its own values (as true division does)."""
    x, y = binary_arrays(a, b)
    dt = _dtype_of(x, y)
    if dt.kind not in "fV":
        f = default_float()
        return _own_float(a, f), _own_float(b, f)
    if not isinstance(x, np.ndarray):          # a Python number beside a float tensor
        x = scalar_array(x, dt)
    elif not isinstance(y, np.ndarray):
        y = scalar_array(y, dt)
    return x, y


def _floating_arrays(a, b, kernel):
    """The operands of a binary op with float kernels only (hypot, logaddexp): an integral or
    bool result dtype is torch's NotImplementedError."""
    x, y = binary_arrays(a, b)
    dt = _dtype_of(x, y)
    if dt.kind not in "fV":
        not_implemented(kernel, dt)
    return x, y


def _zeros_like_input(ctx, i, g):
    """A gradient of zeros with the shape of input i (torch's zeros_like(other))."""
    return wrap(np.zeros(ctx._metas[i][0], g._data.dtype))


def _special(name):
    """scipy.special.<name> when SciPy is installed, else None (SciPy is optional)."""
    try:
        from scipy import special
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return getattr(special, name)


_MATH_ERF = np.frompyfunc(math.erf, 1, 1)
_MATH_ERFC = np.frompyfunc(math.erfc, 1, 1)
_IMPL = {}


def _impl(name):
    if name not in _IMPL:
        _IMPL[name] = _special(name) or _FALLBACK[name]
    return _IMPL[name]


def _fallback_erfc(x):
    return np.asarray(_MATH_ERFC(np.asarray(x, np.float64)), np.float64)


def _fallback_erfinv(y):
    """erfinv without SciPy: Giles' single-precision approximation ("Approximating the erfinv
    function", GPU Computing Gems, 2011), refined in float64 by Newton steps on erf(x) = |y|
    (|y| <= 0.5) or on log erfc(x) = log(1 - |y|) (the tails: 1 - |y| keeps the digits that
    erf(x) would lose, and the log makes the steps nearly linear)."""
    y = np.asarray(y, np.float64)
    with np.errstate(all="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        central = w < 5.0
        c = np.where(central, w - 2.5, np.sqrt(w) - 3.0)
        p = np.where(central, _GILES_CENTRAL[0], _GILES_TAIL[0])
        for k in range(1, 9):
            p = np.where(central, _GILES_CENTRAL[k], _GILES_TAIL[k]) + p * c
        ay, sgn = np.abs(y), np.sign(y)
        x, q = p * ay, 1.0 - ay
        for _ in range(5):
            dens = 2.0 / _SQRT_PI * np.exp(-x * x)                  # erf'(x)
            ec = np.asarray(_MATH_ERFC(x), np.float64)
            step_central = (np.asarray(_MATH_ERF(x), np.float64) - ay) / dens
            step_tail = (np.log(q) - np.log(ec)) * ec / dens
            x = x - np.where(ay <= 0.5, step_central, step_tail)
        x = np.where(ay == 1.0, np.inf, x)
        x = np.where((ay > 1.0) | np.isnan(y), np.nan, sgn * x)
        return np.where(y == 0.0, y, x)


_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                  0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
_FALLBACK = {"erfc": _fallback_erfc, "erfinv": _fallback_erfinv}


def _np_special(name, x):
    """scipy.special.<name>(x) (or the fallback) in x's dtype; half types in float32."""
    dt = x.dtype
    work = x if dt in (np.float32, np.float64) else x.astype(np.float32)
    return np.asarray(_impl(name)(work), dtype=dt)


# ------------------------------------------------------------------------------------------------
# unary special functions
# ------------------------------------------------------------------------------------------------

class Erfc(Op):
    """z = erfc(a) = 1 - erf(a)          da = -g · 2/√π · exp(-a²)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _np_special("erfc", float_data(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * (a * a * -1.0).exp() * (-2.0 / _SQRT_PI)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * np.exp(a * a * -1.0) * (-2.0 / _SQRT_PI)


class Erfinv(Op):
    """z = erfinv(a)  (erf(z) = a)          da = g · √π/2 · exp(z²)"""

    @staticmethod
    def forward(ctx, a):
        x = float_data(a)
        z = _np_special("erfinv", x)
        z = np.where(x == 0, x, z)          # keeps -0.0 (SciPy's float32 kernel loses it)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * (_SQRT_PI / 2) * (z * z).exp()

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        return g * (_SQRT_PI / 2) * np.exp(z * z)


class Expm1(Op):
    """z = exp(a) - 1          da = g (z + 1)"""

    @staticmethod
    def forward(ctx, a):
        z = np.expm1(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * (z + 1)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        return g * (z + 1)


class Exp2(Op):
    """z = 2^a          da = g z ln 2"""

    @staticmethod
    def forward(ctx, a):
        z = np.exp2(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * z * _LN2

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        return g * z * _LN2


class Sinc(Op):
    """z = sin(πa)/(πa), 1 at 0      da = g (πa cos(πa) - sin(πa)) / (πa²),  0 where πa² = 0"""

    @staticmethod
    def forward(ctx, a):
        x = float_data(a)
        ctx.save_for_backward(a)
        acc = accumulate_dtype(x.dtype)
        if acc is not None:     # half types: in float32, rounded once, as torch (π in float16
            return Sinc._values(x.astype(acc)).astype(x.dtype)      # made sinc(1) 3e-4)
        return Sinc._values(x)

    @staticmethod
    def _values(x):
        y = x * np.asarray(math.pi, x.dtype)
        return np.where(x == 0, np.ones((), x.dtype), np.sin(y) / y)

    # (torch's sinc_backward: 0 where π·a² is 0 - at a = 0, and where it underflows)
    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        y = a * math.pi
        den = a * a * math.pi
        return where_(den.eq(0), 0.0, g * (y * y.cos() - y.sin()) / den)

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        y, den = _times_pi(a), _times_pi(a * a)     # (op by op in a's dtype, as torch's)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = g * (y * np.cos(y) - np.sin(y)) / den
        return np.where(den == 0, np.zeros((), g.dtype), out)


def _times_pi(x):
    """x · π in x's dtype as torch multiplies a tensor by a Python number: a half type's product
    is formed in float32 (π too) and rounded once."""
    if accumulate_dtype(x.dtype) is not None:
        return (x.astype(np.float32) * np.float32(math.pi)).astype(x.dtype)
    return x * math.pi


def _unary(fname, op, a):
    need_tensor(fname, "input", 1, a)
    return op.apply(a)


def erf(input):
    return _unary("erf", Erf, input)


def erfc(input):
    return _unary("erfc", Erfc, input)


def erfinv(input):
    return _unary("erfinv", Erfinv, input)


def expm1(input):
    return _unary("expm1", Expm1, input)


def exp2(input):
    return _unary("exp2", Exp2, input)


def sinc(input):
    return _unary("sinc", Sinc, input)


# ------------------------------------------------------------------------------------------------
# binary float functions
# ------------------------------------------------------------------------------------------------

class Atan2(Op):
    """z = atan2(a, b)  (the angle of (b, a))          da = g b r,  db = -g a r,  r = 1/(a² + b²)
    (r = 0 where 1/(a² + b²) is inf: both gradients are 0 at the origin)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ufunc2(np.arctan2, *_float_arrays(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        recip = (a * a + b * b).reciprocal()
        recip = where_(recip.isinf(), 0.0, recip)
        return ((g * b * recip if need[0] else None),
                (g * -a * recip if need[1] else None))


class Hypot(Op):
    """z = √(a² + b²)          da = g a / z,  db = g b / z"""

    @staticmethod
    def forward(ctx, a, b):
        z = ufunc2(np.hypot, *_floating_arrays(a, b, "hypot_cpu"))
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g * a / z if need[0] else None), (g * b / z if need[1] else None))


class Logaddexp(Op):
    """z = log(eᵃ + eᵇ)          da = g / (1 + exp(b - a)),  db = g / (1 + exp(a - b))"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ufunc2(np.logaddexp, *_floating_arrays(a, b, "logaddexp_cpu"))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g / ((b - a).exp() + 1) if need[0] else None),
                (g / ((a - b).exp() + 1) if need[1] else None))


class Logaddexp2(Op):
    """z = log2(2ᵃ + 2ᵇ)          da = g / (1 + 2^(b - a)),  db = g / (1 + 2^(a - b))"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return ufunc2(np.logaddexp2, *_floating_arrays(a, b, "logaddexp2_cpu"))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g / (2.0 ** (b - a) + 1) if need[0] else None),
                (g / (2.0 ** (a - b) + 1) if need[1] else None))


def _np_xlogy(x, y):
    """x log y, 0 where x = 0 (unless y is nan)."""
    z = ufunc2(np.multiply, x, np.log(y))
    zero = (np.asarray(x) == 0) & ~np.isnan(y)
    return np.where(zero, np.zeros((), z.dtype), z) if zero.any() else z


def _xlogy_self_grad(g, a, b, b_data):
    """xlogy(g, b), 0 where a = 0 and b <= 0 (torch's choice at the kink of x log y)."""
    kink = wrap(np.asarray(a._data == 0) & np.asarray(b_data <= 0))
    return where_(kink, 0.0, Xlogy.apply(g, b) if isinstance(b, Tensor) else
                  XlogyScalarOther.apply(g, b))


class Xlogy(Op):
    """z = a log b  (0 at a = 0)     da = xlogy(g, b)  (0 at a = 0, b <= 0),  db = g a / b
    (z is nan where b is nan, also at a = 0)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _np_xlogy(*_float_arrays(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        da = _xlogy_self_grad(g, a, b, b._data) if need[0] else None
        return da, (g * a / b if need[1] else None)


class XlogyScalarSelf(Op):
    """z = c log b  (c a number)          db = g c / b"""
    node_name = "XlogyBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, b, c):
        ctx.save_for_backward(b)
        ctx.c = float(c) if isinstance(c, (bool, np.bool_)) else c
        x, y = _float_arrays(c, b)
        return _np_xlogy(x, y)

    @staticmethod
    def backward(ctx, g):
        b, = ctx.saved_tensors
        return g * ctx.c / b


class XlogyScalarOther(Op):
    """z = a log c  (c a number)          da = xlogy(g, c)  (0 where a = 0 and c <= 0)"""
    node_name = "XlogyBackward2"
    arity = 1

    @staticmethod
    def forward(ctx, a, c):
        ctx.save_for_backward(a)
        ctx.c = c
        return _np_xlogy(*_float_arrays(a, c))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return _xlogy_self_grad(g, a, ctx.c, np.asarray(ctx.c))


class Fmod(Op):
    """z = a - trunc(a / b) b  (C's fmod: the sign of a)      da = g,  db = -g trunc(a / b)"""
    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _np_fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g if need[0] else None),
                (-g * DivRounding.apply(a, b, "trunc") if need[1] else None))


class FmodScalar(Op):
    """z = fmod(a, c)  (c a number)          da = g"""
    node_name = "FmodBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, c):
        return _np_fmod(a, c)

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


def _np_fmod(a, b):
    x, y = binary_arrays(a, b)
    _int_division(x, y, "fmod_cpu")
    return ufunc2(np.fmod, x, y)


class Copysign(Op):
    """z = |a| sign(b)          da = g z / a  (0 where a = 0),  db = 0"""

    @staticmethod
    def forward(ctx, a, b):
        z = ufunc2(np.copysign, *_float_arrays(a, b))
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        da = where_(a.eq(0), 0.0, g * (z / a)) if need[0] else None
        return da, (_zeros_like_input(ctx, 1, g) if need[1] else None)


class CopysignScalar(Op):
    """z = |a| sign(c)  (c a number)          da = g z / a  (0 where a = 0)"""
    node_name = "CopysignBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, c):
        z = ufunc2(np.copysign, *_float_arrays(a, c))
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        return where_(a.eq(0), 0.0, g * (z / a))


def atan2(input, other):
    need_tensor_pair("atan2", input, other)
    return Atan2.apply(input, other)


def arctan2(input, other):
    need_tensor_pair("arctan2", input, other)
    return Atan2.apply(input, other)


def hypot(input, other):
    need_tensor_pair("hypot", input, other)
    return Hypot.apply(input, other)


def logaddexp(input, other):
    need_tensor_pair("logaddexp", input, other)
    return Logaddexp.apply(input, other)


def logaddexp2(input, other):
    need_tensor_pair("logaddexp2", input, other)
    return Logaddexp2.apply(input, other)


def xlogy(input, other):
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        return Xlogy.apply(input, other)
    if isinstance(input, Tensor) and is_number(other):
        return XlogyScalarOther.apply(input, other)
    if is_number(input) and isinstance(other, Tensor):
        return XlogyScalarSelf.apply(other, input)
    bad_overload("xlogy", (input, other), (_TENSOR_OR_NUMBER[0],
                                           "Number self, Tensor other, *, Tensor out = None",
                                           _TENSOR_OR_NUMBER[1]))


def fmod(input, other):
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        return Fmod.apply(input, other)
    if isinstance(input, Tensor) and is_number(other):
        return FmodScalar.apply(input, other)
    bad_overload("fmod", (input, other), _TENSOR_OR_NUMBER)


def copysign(input, other):
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        return Copysign.apply(input, other)
    if isinstance(input, Tensor) and is_number(other):
        return CopysignScalar.apply(input, other)
    bad_overload("copysign", (input, other), _TENSOR_OR_NUMBER)


# ------------------------------------------------------------------------------------------------
# lerp, addcmul, addcdiv
# ------------------------------------------------------------------------------------------------

def _lerp_np(x, y, w):
    """start + w (end - start) for |w| < 0.5, end - (end - start)(1 - w) otherwise (exact at
    both ends, as torch computes it)."""
    d = y - x
    if isinstance(w, np.ndarray):
        return np.where(np.abs(w) < 0.5, x + w * d, y - d * (1 - w))
    return x + w * d if abs(w) < 0.5 else y - d * (1 - w)


def _check_broadcast3(*arrays):
    """torch's message when the operands of a ternary op do not broadcast together."""
    shape = ()
    for a in arrays:
        if isinstance(a, np.ndarray):
            check_broadcast(np.broadcast_to(np.zeros(()), shape), a)
            shape = np.broadcast_shapes(shape, a.shape)


class Lerp(Op):
    """z = a + w (b - a)  (w a number)          da = g (1 - w),  db = g w"""
    node_name = "LerpBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, w):
        x, y = a._data, b._data
        _check_broadcast3(x, y)
        ctx.w = w
        return np.asarray(_lerp_np(x, y, w), x.dtype)

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        need = ctx.needs_input_grad
        return ((g * (1 - w) if need[0] else None), (g * w if need[1] else None))

    np_backward = backward      # the same rule works on arrays


class LerpTensor(Op):
    """z = a + w (b - a)          da = g (1 - w),  db = g w,  dw = g (b - a)"""
    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, w):
        rt = _dt.result_type(a, b, w).np       # (a 0-d weight of another dtype may promote)
        if rt.kind not in "fV":
            not_implemented("lerp_kernel_tensor", rt)
        x, y, wd = (t._data.astype(rt, copy=False) for t in (a, b, w))
        _check_broadcast3(x, y, wd)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[2] else None,
                                  w if need[0] or need[1] else None)
        return np.asarray(_lerp_np(x, y, wd), rt)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g * (1 - w) if need[0] else None), (g * w if need[1] else None),
                (g * (b - a) if need[2] else None))


def _lerp_checks(a, b, w):
    if not (isinstance(a, Tensor) and isinstance(b, Tensor) and
            (isinstance(w, Tensor) or is_number(w))):
        bad_overload("lerp", (a, b, w), ("Tensor input, Tensor end, Tensor weight, *, Tensor "
                                          "out = None", "Tensor input, Tensor end, Number "
                                          "weight, *, Tensor out = None"))
    dt = a._data.dtype
    for name, t in (("end", b), ("weight", w)):
        if isinstance(t, Tensor) and t._data.dtype != dt and (name == "end" or t.ndim > 0):
            raise RuntimeError(f"expected dtype {C_TYPE_NAMES[dt.name]} for `{name}` but got dtype "
                               f"{C_TYPE_NAMES[t._data.dtype.name]}")
    if dt.kind not in "fV" and not isinstance(w, Tensor):
        not_implemented("lerp_kernel_scalar", dt)


def lerp(input, end, weight):
    _lerp_checks(input, end, weight)
    if isinstance(weight, Tensor):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, number_arg("lerp", "weight", weight))


def _addc_arrays(fname, a, t1, t2, value):
    """The three operands in torch's result dtype, and value converted to it (truncated for an
    integral result, as torch converts the Scalar)."""
    _addc_types(fname, a, t1, t2)
    value = number_arg(fname, "value", value)
    rt = _dt.result_type(a, t1, t2).np
    arrays = [t._data.astype(rt, copy=False) for t in (a, t1, t2)]
    _check_broadcast3(*arrays)
    v = _real(value, rt)
    v = checked_scalar(int(v), rt) if rt.kind in "iu" else (bool(v) if rt.kind == "b" else v)
    return arrays, v, rt


class Addcmul(Op):
    """z = a + v t1 t2          da = g,  dt1 = g t2 v,  dt2 = g t1 v"""
    arity = 3

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        (x, p, q), v, rt = _addc_arrays("addcmul", a, t1, t2, value)
        if rt.kind == "b":
            not_implemented("addcmul_cpu_out", rt)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(t1 if need[2] else None, t2 if need[1] else None)
        ctx.value = v
        return x + (p * scalar_array(v, rt)) * q

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return ((g if need[0] else None), (g * (t2 * v) if need[1] else None),
                (g * (t1 * v) if need[2] else None))


class Addcdiv(Op):
    """z = a + v t1 / t2          da = g,  dt1 = g v / t2,  dt2 = -g v t1 / t2²"""
    arity = 3

    @staticmethod
    def forward(ctx, a, t1, t2, value):
        if t1._data.dtype.kind in "iub" and t2._data.dtype.kind in "iub":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        (x, p, q), v, rt = _addc_arrays("addcdiv", a, t1, t2, value)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(t1 if need[2] else None, t2 if need[1] or need[2] else None)
        ctx.value = v
        return x + (p * scalar_array(v, rt)) / q

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return ((g if need[0] else None), (g * (v / t2) if need[1] else None),
                (-g * v * t1 / (t2 * t2) if need[2] else None))


def addcmul(input, tensor1, tensor2, *args, value=1, _method=False):
    if args:            # torch's deprecated addcmul(Tensor input, Number value, Tensor, Tensor)
        (tensor1, tensor2), value = scalar_first("addcmul", (tensor1, tensor2) + args, value,
                                                 method=_method)
    _addc_types("addcmul", input, tensor1, tensor2, _method)
    value = number_arg("addcmul", "value", value)
    return Addcmul.apply(input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *args, value=1, _method=False):
    if args:
        (tensor1, tensor2), value = scalar_first("addcdiv", (tensor1, tensor2) + args, value,
                                                 method=_method)
    _addc_types("addcdiv", input, tensor1, tensor2, _method)
    value = number_arg("addcdiv", "value", value)
    return Addcdiv.apply(input, tensor1, tensor2, value)


def _addc_types(fname, a, t1, t2, method=False):
    """torch's TypeErrors for non-tensor operands (positions without self for a method)."""
    need_tensor(fname, "input", 1, a)
    need_tensor(fname, "tensor1", 2 - method, t1)
    need_tensor(fname, "tensor2", 3 - method, t2)


# ------------------------------------------------------------------------------------------------
# nan_to_num
# ------------------------------------------------------------------------------------------------

def _finfo(dt):
    try:
        return np.finfo(dt)
    except ValueError:      # bfloat16 (ml_dtypes)
        import ml_dtypes
        return ml_dtypes.finfo(dt)


class NanToNum(Op):
    """z = a with nan, +inf, -inf replaced          da = g where a is finite (0 elsewhere)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        x = a._data
        if x.dtype.kind not in "fV":            # integers and bools have nothing to replace
            return x.copy()
        ctx.save_for_backward(a)
        info = _finfo(x.dtype)
        vals = [np.asarray(v, np.float64).astype(x.dtype) for v in
                (nan, info.max if posinf is None else posinf,
                 info.min if neginf is None else neginf)]
        z = np.where(np.isnan(x), vals[0], x)
        z = np.where(x == np.inf, vals[1], z)
        return np.where(x == -np.inf, vals[2], z).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * wrap(np.isfinite(a._data))

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g * np.isfinite(a)


def _float_arg(fname, argname, v):
    if v is None:
        return None
    if isinstance(v, Tensor) and v.ndim == 0:
        return float(v._data)
    if not is_number(v):
        raise TypeError(f"{fname}(): argument '{argname}' must be float, not {type(v).__name__}")
    return float(v)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    need_tensor("nan_to_num", "input", 1, input)
    nan = _float_arg("nan_to_num", "nan", nan)
    return NanToNum.apply(input, 0.0 if nan is None else nan,
                          _float_arg("nan_to_num", "posinf", posinf),
                          _float_arg("nan_to_num", "neginf", neginf))


# ------------------------------------------------------------------------------------------------
# fused reductions
# ------------------------------------------------------------------------------------------------

aminmax_result, cummax_result, cummin_result = _rt.aminmax, _rt.cummax, _rt.cummin


def _mean_np(x, dims, keepdim):
    n = _count(x.shape, dims)
    s = np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=x.dtype)
    if n == 0:
        return np.full(np.shape(s), np.nan, x.dtype)
    return np.asarray(np.true_divide(s, n, dtype=x.dtype))


def _var_np(name, x, dims, keepdim, corr):
    if _count(x.shape, dims) - corr <= 0:
        return _few_dof(name, x, dims, corr, keepdim)
    with np.errstate(all="ignore"):         # (see reduce.Var)
        return np.asarray(x.var(axis=dims, ddof=corr, keepdims=keepdim))


class VarMean(Op):
    """(v, m) = (var(a), mean(a))          da = gv · 2 (a - m) / (n - c) + gm / n
    (var's part as reduce.Var's, torch's rule for a full reduction with n - c <= 0 included)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, corr, full=False):
        x = a._data
        ctx.save_for_backward(a)
        ctx.dims, ctx.keepdim, ctx.corr, ctx.full = dims, keepdim, corr, full
        return _var_np("var_mean", x, dims, keepdim, corr), _mean_np(x, dims, keepdim)

    @staticmethod
    def backward(ctx, gv, gm):
        a, = ctx.saved_tensors
        shape, dims, keep = a._data.shape, ctx.dims, ctx.keepdim
        n = _count(shape, dims)
        gvk = _unreduce(gv, shape, dims, keep)
        if ctx.full and n - ctx.corr <= 0:
            dv = gvk * _no_dof(a)
        else:
            dv = _var_grad(a, gvk, n, ctx)
        return dv + _unreduce(gm, shape, dims, keep) / float(n)


class StdMean(Op):
    """(s, m) = (std(a), mean(a))      da = gs (a - m) / ((n - c) s)  (0 where s = 0) + gm / n"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, corr, full=False):
        x = a._data
        s = np.asarray(np.sqrt(_var_np("std_mean", x, dims, keepdim, corr)))
        ctx.save_for_backward(a, s)
        ctx.dims, ctx.keepdim, ctx.corr, ctx.full = dims, keepdim, corr, full
        return s, _mean_np(x, dims, keepdim)

    @staticmethod
    def backward(ctx, gs, gm):
        a, s = ctx.saved_tensors
        shape, dims, keep = a._data.shape, ctx.dims, ctx.keepdim
        n = _count(shape, dims)
        return std_grad(a, s, gs, ctx) + _unreduce(gm, shape, dims, keep) / float(n)


def _var_mean_args(fname, a, dim, unbiased, correction):
    need_tensor(fname, "input", 1, a)
    if a._data.dtype.kind not in "fV":
        raise RuntimeError(f"{fname} only support floating point and complex dtypes")
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return canon_dims(dim, a.ndim), _correction(unbiased, correction)


def _full(a, dim):
    """A reduction over every element as torch's var_backward tells it: no dim given (dim=True
    is `unbiased`), or a 0-d input."""
    return dim is None or isinstance(dim, bool) or a.ndim == 0


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dims, corr = _var_mean_args("var_mean", input, dim, unbiased, correction)
    return VarMean.apply(input, dims, keepdim, corr, _full(input, dim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dims, corr = _var_mean_args("std_mean", input, dim, unbiased, correction)
    return StdMean.apply(input, dims, keepdim, corr, _full(input, dim))


class Aminmax(Op):
    """(lo, hi) = (amin(a), amax(a))          da = glo, ghi shared evenly by the minima, maxima"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = a._data
        lo = np.asarray(np.min(x, axis=dims, keepdims=True))
        hi = np.asarray(np.max(x, axis=dims, keepdims=True))
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi, ctx.dims, ctx.keepdim = lo, hi, dims, keepdim
        if keepdim:
            return lo, hi
        shape = [s for i, s in enumerate(lo.shape) if i not in dims]
        return lo.reshape(shape), hi.reshape(shape)

    @staticmethod
    def backward(ctx, glo, ghi):
        a, = ctx.saved_tensors
        x = a._data
        out = None
        for g, zk in ((glo, ctx.lo), (ghi, ctx.hi)):
            mask = (x == zk).astype(g._data.dtype)
            share = wrap(mask / mask.sum(axis=ctx.dims, keepdims=True))
            d = _unreduce(g, x.shape, ctx.dims, ctx.keepdim) * share
            out = d if out is None else out + d
        return out


def aminmax(input, *, dim=None, keepdim=False):
    need_tensor("aminmax", "input", 1, input)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        dims = tuple(range(x.ndim))
    else:
        d = canon_dim(dim, x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if x.ndim else ()
    lo, hi = Aminmax.apply(input, dims, keepdim)
    return aminmax_result(lo, hi)


class Nansum(Op):
    """z = Σ a over dims, nan counted as 0          da = g broadcast, 0 where a is nan"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        x = a._data
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if x.dtype.kind in "fV":
            nan = np.isnan(x)
            ctx.keep = ~nan
            x = np.where(nan, np.zeros((), x.dtype), x)
        out = dtype if dtype is not None else (np.int64 if x.dtype.kind in "iub" else None)
        return np.asarray(_add_reduce(x, dims, keepdim, out))   # (bfloat16: in float32)

    @staticmethod
    def backward(ctx, g):
        return _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape) * wrap(ctx.keep)

    @staticmethod
    def np_backward(ctx, g):
        return _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim) * ctx.keep


def _dim_arg(fname, dim):
    if dim is not None and not isinstance(dim, (int, np.integer, tuple, list)):
        raise TypeError(f"{fname}(): argument 'dim' must be tuple of ints, not "
                        f"{type(dim).__name__}")


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    need_tensor("nansum", "input", 1, input)
    _dim_arg("nansum", dim)
    dt = _dt.as_dtype(dtype).np if dtype is not None else None
    return Nansum.apply(input, _dims_or_all(dim, input.ndim), keepdim, dt)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """nansum / the count of non-nan elements (torch records DivBackward0 over NansumBackward0)."""
    need_tensor("nanmean", "input", 1, input)
    _dim_arg("nanmean", dim)
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {scalar_type_name(input._data.dtype)}")
    dims = _dims_or_all(dim, input.ndim)
    count = np.add.reduce(~np.isnan(input._data), axis=dims, keepdims=keepdim, dtype=np.int64)
    total = nansum(input, dim, keepdim, dtype=dtype)
    return total / wrap(np.asarray(count))


def count_nonzero(input, dim=None):
    need_tensor("count_nonzero", "input", 1, input)
    _dim_arg("count_nonzero", dim)
    x = input._data
    return wrap(np.asarray(np.count_nonzero(x, axis=_dims_or_all(dim, x.ndim)), np.int64))


# ------------------------------------------------------------------------------------------------
# outer, trace, diff
# ------------------------------------------------------------------------------------------------

def outer(input, vec2):
    """a.reshape(n, 1) * vec2, as torch records it (MulBackward0 over ViewBackward0)."""
    need_tensor("outer", "input", 1, input)
    need_tensor("outer", "vec2", 2, vec2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(input._data.shape[0], 1) * vec2


def ger(input, vec2):
    need_tensor("ger", "input", 1, input)
    need_tensor("ger", "vec2", 2, vec2)
    return outer(input, vec2)


class Trace(Op):
    """z = Σ_i a[i, i]          da = g on the diagonal, 0 elsewhere"""
    arity = 1

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.dtype == np.bool_:
            not_implemented("trace", x.dtype)
        if x.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
        ctx.shape = x.shape
        return np.asarray(np.trace(x, dtype=np.int64 if x.dtype.kind in "iu" else x.dtype))

    @staticmethod
    def backward(ctx, g):
        return g * wrap(np.eye(*ctx.shape, dtype=g._data.dtype))

    @staticmethod
    def np_backward(ctx, g):
        return g * np.eye(*ctx.shape, dtype=g.dtype)


@_autocast.fp32
def trace(input):
    need_tensor("trace", "input", 1, input)
    return Trace.apply(input)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim: narrow(1:) - narrow(:-1), n times (torch's graph:
    SubBackward0 over two SliceBackward0), after concatenating prepend and append."""
    from .indexing import narrow
    from .join import cat
    from .compare import logical_xor
    from .creation import empty_like
    need_tensor("diff", "input", 1, input)
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = canon_dim(dim, input.ndim)
    for t in (prepend, append):
        if t is None:
            continue
        if t.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for k in range(input.ndim):
            if k != d and t._data.shape[k] != input._data.shape[k]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of input "
                    f"except along the differencing dimension; input.size({k}) = "
                    f"{input._data.shape[k]}, but got tensor.size({k}) = {t._data.shape[k]}")
    if prepend is not None or append is not None:
        input = cat([t for t in (prepend, input, append) if t is not None], d)
    if n == 0:
        return empty_like(input).copy_(input)
    out = input
    length = input._data.shape[d]
    for _ in range(min(n, length)):
        length -= 1
        hi, lo = narrow(out, d, 1, length), narrow(out, d, 0, length)
        out = logical_xor(hi, lo) if input._data.dtype == np.bool_ else hi - lo
    return out


# ------------------------------------------------------------------------------------------------
# cummax, cummin, logcumsumexp
# ------------------------------------------------------------------------------------------------

def _np_cumext(x, dim, is_max):
    """Running max (min) along dim and the index where it was taken: a later equal value takes
    over, and nan, once seen, stays (each new nan takes over), as torch's kernel."""
    xs = np.moveaxis(x, dim, 0)
    vals, idx = np.empty_like(xs), np.zeros(xs.shape, np.int64)
    if xs.shape[0]:
        vals[0] = xs[0]
        floating = x.dtype.kind in "fV"
        for k in range(1, xs.shape[0]):
            cur, new = vals[k - 1], xs[k]
            take = (new >= cur) if is_max else (new <= cur)
            if floating:
                take = np.isnan(new) | (take & ~np.isnan(cur))
            vals[k] = np.where(take, new, cur)
            idx[k] = np.where(take, k, idx[k - 1])
    return np.moveaxis(vals, 0, dim), np.moveaxis(idx, 0, dim)


class Cummax(Op):
    """values, indices = cummax(a, dim)          da = g scattered (added) to the indices"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, is_max=True):
        x = a._data
        if x.ndim == 0:
            vals, idx = x.copy(), np.zeros((), np.int64)
        else:
            vals, idx = _np_cumext(x, dim, is_max)
        ctx.dim, ctx.idx = dim, idx
        return vals, idx

    @staticmethod
    def backward(ctx, g, g_idx=None):
        from .gather import scatter_add
        if not ctx.idx.ndim:
            return g
        zeros = wrap(np.zeros(ctx.idx.shape, g._data.dtype))
        return scatter_add(zeros, ctx.dim, wrap(ctx.idx), g)


class Cummin(Cummax):
    """values, indices = cummin(a, dim)          da = g scattered (added) to the indices"""


_REQUIRED = object()      # (torch's message when dim is missing, not Python's)


def _cum_dim(fname, a, dim):
    need_tensor(fname, "input", 1, a)
    if dim is _REQUIRED:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "dim"')
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{fname}(): argument 'dim' must be int, not {type(dim).__name__}")
    return canon_dim(dim, a.ndim)


def cummax(input, dim=_REQUIRED):
    vals, idx = Cummax.apply(input, _cum_dim("cummax", input, dim), True)
    return cummax_result(vals, idx)


def cummin(input, dim=_REQUIRED):
    vals, idx = Cummin.apply(input, _cum_dim("cummin", input, dim), False)
    return cummin_result(vals, idx)


class Logcumsumexp(Op):
    """z_i = log Σ_{j<=i} exp(a_j)          da_j = Σ_{i>=j} g_i exp(a_j - z_i)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        if x.dtype.kind not in "fV":
            not_implemented("logcumsumexp_out_cpu", x.dtype)
        work = x if x.dtype in (np.float32, np.float64) else x.astype(np.float32)
        z = np.logaddexp.accumulate(work, axis=dim) if x.ndim else work.copy()
        z = np.asarray(z, x.dtype)
        ctx.save_for_backward(a, z)
        ctx.dim = dim
        return z

    @staticmethod
    def backward(ctx, g):
        # the sum in log space, positive and negative parts of g apart, so that no exp
        # overflows:  da_j = exp(a_j + log Σ_{i>=j} g⁺_i e^{-z_i}) - (the same for g⁻)
        from .join import flip
        a, z = ctx.saved_tensors
        if not a.ndim:
            return g
        dim = ctx.dim
        low = float(_finfo(g._data.dtype).min)
        log_abs = g.abs().log()

        def tail_lse(v):        # log Σ_{i>=j} exp(v_i), along dim
            return flip(Logcumsumexp.apply(flip(v, dim), dim), dim)
        pos = tail_lse(where_(g > 0, log_abs, low) - z)
        neg = tail_lse(where_(g < 0, log_abs, low) - z)
        return (pos + a).exp() - (neg + a).exp()


def logcumsumexp(input, dim=_REQUIRED):
    return Logcumsumexp.apply(input, _cum_dim("logcumsumexp", input, dim))


# ------------------------------------------------------------------------------------------------
# addmv, baddbmm, addbmm
# ------------------------------------------------------------------------------------------------

def _int_scalars(dt, beta, alpha):
    """torch converts beta and alpha to an integral result's dtype: checked (out of range is
    its overflow error; a negative int wraps in an unsigned dtype), floats truncated."""
    if dt.kind not in "iu":
        return beta, alpha
    from .creation import _to_int
    return tuple(_to_int(v.item() if isinstance(v, np.generic) else v, dt) for v in (beta, alpha))


def _plus_beta_c(z, c, beta, out_shape):
    """z + β c, c broadcast to z's shape (its values ignored when β = 0, as torch)."""
    _check_expand(c._data.shape, out_shape, c._data.dtype)
    if beta != 0:
        cd = c._data
        z = z + (cd if beta == 1 else cd * scalar_array(beta, cd.dtype))
    return z


def _check_3d(x, y):
    for name, arr in (("batch1", x), ("batch2", y)):
        if arr.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def _scaled(t, v):
    return t if v == 1 else t * v


def _scaled_np(z, v):
    """z · v for an array z (v converted to z's dtype: a negative int wraps in uint8, as torch)."""
    return z if v == 1 else z * scalar_array(v, z.dtype)


class Addmv(Op):
    """z = β c + α A v          dc = β g,  dA = α g vᵀ (outer),  dv = α Aᵀ g"""
    arity = 3

    @staticmethod
    def forward(ctx, c, a, v, beta, alpha):
        x, y, cd = a._data, v._data, c._data
        if x.ndim != 2 or y.ndim != 1 or cd.ndim > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {cd.ndim}, {x.ndim}, "
                               f"{y.ndim}")
        if x.shape[1] != y.shape[0] or (cd.ndim and cd.shape[0] not in (1, x.shape[0])):
            raise RuntimeError(f"size mismatch, got input ({cd.shape[0] if cd.ndim else 1}), mat "
                               f"({x.shape[0]}x{x.shape[1]}), vec ({y.shape[0]})")
        if not cd.dtype == x.dtype == y.dtype:
            raise RuntimeError("addmv input tensors must have the same dtype, but got "
                               f"{scalar_type_name(cd.dtype)}, {scalar_type_name(x.dtype)}, and "
                               f"{scalar_type_name(y.dtype)}")
        if x.dtype == np.bool_:
            not_implemented("addmv_impl_cpu", x.dtype)
        beta, alpha = _int_scalars(x.dtype, beta, alpha)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, v if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        z = _plus_beta_c(_scaled_np(x @ y, alpha), c, beta, (x.shape[0],))
        return z.astype(x.dtype, copy=False)    # (bfloat16 @ bfloat16 is float32 in NumPy)

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((_scaled(g, ctx.beta) if need[0] else None),
                (_scaled(g.unsqueeze(1) * v.unsqueeze(0), ctx.alpha) if need[1] else None),
                (_scaled(a.t().mv(g), ctx.alpha) if need[2] else None))


class Baddbmm(Op):
    """Z = β C + α A @ B  (batched)          dC = β G,  dA = α G Bᵀ,  dB = α Aᵀ G"""
    arity = 3

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        x, y = a._data, b._data
        out_shape = (a.size(0), a.size(1), b.size(2))    # (torch's order of checks)
        _plus_beta_c(np.zeros(()), c, 0, out_shape)
        _check_3d(x, y)
        if c._data.dtype != x.dtype:
            raise RuntimeError(f"Input dtypes must be the same, got: input "
                               f"{C_TYPE_NAMES[c._data.dtype.name]}, batch1: {C_TYPE_NAMES[x.dtype.name]}, "
                               f"batch2: {C_TYPE_NAMES[y.dtype.name]}")
        if x.dtype == np.bool_:
            not_implemented("baddbmm", x.dtype)
        if y.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found "
                               f"{scalar_type_name(y.dtype)}")
        if y.shape[:2] != (x.shape[0], x.shape[2]):
            raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{x.shape[0]}, {x.shape[2]}] but got: "
                               f"[{y.shape[0]}, {y.shape[1]}].")
        beta, alpha = _int_scalars(x.dtype, beta, alpha)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        z = _plus_beta_c(_scaled_np(np.matmul(x, y), alpha), c, beta, out_shape)
        return z if z.dtype == x.dtype else z.astype(x.dtype)   # (bfloat16: NumPy's is float32)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((_scaled(g, ctx.beta) if need[0] else None),
                (_scaled(g.bmm(b.transpose(1, 2)), ctx.alpha) if need[1] else None),
                (_scaled(a.transpose(1, 2).bmm(g), ctx.alpha) if need[2] else None))


class Addbmm(Op):
    """Z = β C + α Σ_b A_b @ B_b          dC = β G,  dA_b = α G B_bᵀ,  dB_b = α A_bᵀ G"""
    arity = 3

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        x, y = a._data, b._data
        out_shape = (a.size(1), b.size(2))
        _plus_beta_c(np.zeros(()), c, 0, out_shape)
        _check_3d(x, y)
        if x.dtype != y.dtype:
            raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                               f"{scalar_type_name(x.dtype)} and {scalar_type_name(y.dtype)}")
        if c._data.dtype != y.dtype:
            raise RuntimeError("self and mat2 must have the same dtype, but got "
                               f"{scalar_type_name(c._data.dtype)} and {scalar_type_name(y.dtype)}")
        if x.shape[0] != y.shape[0]:
            raise RuntimeError("batch1 and batch2 must have same number of batches, got "
                               f"{x.shape[0]} and {y.shape[0]}")
        if x.shape[2] != y.shape[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({x.shape[1]}x{x.shape[2]} and "
                               f"{y.shape[1]}x{y.shape[2]})")
        if x.dtype == np.bool_:
            not_implemented("addmm_impl_cpu_", x.dtype)
        beta, alpha = _int_scalars(x.dtype, beta, alpha)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        ctx.beta, ctx.alpha = beta, alpha
        if x.shape[0] == 0:
            z = np.zeros(out_shape, x.dtype)
        elif x.dtype.kind == "V":               # (bfloat16: einsum has no loop for it)
            z = np.einsum("bij,bjk->ik", x.astype(np.float32), y.astype(np.float32))
        else:
            z = np.einsum("bij,bjk->ik", x, y)
        z = _plus_beta_c(_scaled_np(z, alpha), c, beta, out_shape)
        return z if z.dtype == x.dtype else z.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((_scaled(g, ctx.beta) if need[0] else None),
                (_scaled(g.unsqueeze(0).matmul(b.transpose(1, 2)), ctx.alpha)
                 if need[1] else None),
                (_scaled(a.transpose(1, 2).matmul(g.unsqueeze(0)), ctx.alpha)
                 if need[2] else None))


def _addmm_family(fname, c, a, b, beta, alpha):
    need_tensor(fname, "input", 1, c)
    need_tensor(fname, "batch1" if fname != "addmv" else "mat", 2, a)
    need_tensor(fname, "batch2" if fname != "addmv" else "vec", 3, b)
    dt = c.dtype.np
    return (_real(number_arg(fname, "beta", beta), dt),
            _real(number_arg(fname, "alpha", alpha), dt))


def _real(v, dt):
    """A complex scalar for a real tensor: its real part, as torch converts it (a non-zero
    imaginary part is torch's overflow error)."""
    if isinstance(v, complex):
        if v.imag:
            raise_overflow(dt)
        return v.real
    return v


def addmv(input, mat, vec, *, beta=1, alpha=1):
    beta, alpha = _addmm_family("addmv", input, mat, vec, beta, alpha)
    return Addmv.apply(input, mat, vec, beta, alpha)


@_autocast.lower_precision
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    beta, alpha = _addmm_family("baddbmm", input, batch1, batch2, beta, alpha)
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


@_autocast.lower_precision
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    beta, alpha = _addmm_family("addbmm", input, batch1, batch2, beta, alpha)
    return Addbmm.apply(input, batch1, batch2, beta, alpha)


# ------------------------------------------------------------------------------------------------
# logspace, tril_indices, triu_indices
# ------------------------------------------------------------------------------------------------

def _end_values(start, end):
    """logspace's ends as numbers (0-d tensors allowed, as torch)."""
    tensors = [(n, v) for n, v in (("start", start), ("end", end)) if isinstance(v, Tensor)]
    if any(v.ndim for _, v in tensors):
        got = " and ".join(f"{n} with {v.ndim} dimension(s)" for n, v in tensors)
        raise RuntimeError(f"logspace only supports 0-dimensional start and end tensors, but got "
                           f"{got}.")
    return [v._data.item() if isinstance(v, Tensor) else
            v.item() if isinstance(v, np.generic) else v for v in (start, end)]


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """base ** linspace(start, end, steps), computed in double (the second half from the end,
    as torch), then converted; integer dtypes truncate start and end first (steps > 1)."""
    from .creation import _np_dtype, _to_int
    from ._util import factory_options, factory_result, into_out, out_dtype
    factory_options("logspace", layout, pin_memory)
    dtype = out_dtype("logspace", dtype, out)
    start, end = _end_values(start, end)
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or \
            not all(is_number(v) for v in (start, end, base)):
        bad_overload("logspace", (start, end, steps),
                      ("Tensor start, Tensor end, int steps, float base = 10.0, *, Tensor out = "
                       "None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
                       "device = None, bool pin_memory = False, bool requires_grad = False",
                       "Number start, Number end, int steps, float base = 10.0, *, Tensor out = "
                       "None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
                       "device = None, bool pin_memory = False, bool requires_grad = False"))
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    npd = np.dtype(_np_dtype(dtype, default_float()))
    if npd == np.bool_ and steps != 1:
        not_implemented("logspace_cpu", npd)
    if npd.kind not in "iub":            # (torch: the ends in the result's dtype first)
        start, end = (float(np.asarray(v, dtype=npd)) for v in (start, end))
    with np.errstate(all="ignore"):
        if steps == 1:
            vals = np.array([float(base) ** float(start)])
        else:
            if npd.kind in "iu":
                start, end = _to_int(start, npd), _to_int(end, npd)
            step = (end - start) / (steps - 1)
            i = np.arange(steps, dtype=np.float64)
            expo = np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))
            vals = np.power(np.float64(base), expo)
        arr = (np.trunc(vals) if npd.kind in "iu" else vals).astype(npd)
    return into_out("logspace", out, factory_result(arr, requires_grad, device))


def _tri_indices(fname, row, col, offset, dtype, lower, options=(None, None, False, False)):
    from .creation import _np_dtype
    for name, pos, v in (("row", 1, row), ("col", 2, col), ("offset", 3, offset)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not "
                            f"{type(v).__name__}")
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")
    npd = np.dtype(_np_dtype(dtype, np.int64))
    if npd not in (np.int32, np.int64):
        not_implemented(fname, npd)
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    from ._util import factory_options, factory_result
    device, layout, pin_memory, requires_grad = options
    factory_options(fname, layout, pin_memory)
    return factory_result(np.stack([rows, cols]).astype(npd).reshape(2, -1), requires_grad, device)


def tril_indices(row, col=_REQUIRED, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False, requires_grad=False):
    if col is _REQUIRED:
        raise TypeError('tril_indices() missing 1 required positional arguments: "col"')
    return _tri_indices("tril_indices", row, col, offset, dtype, True,
                        (device, layout, pin_memory, requires_grad))


def triu_indices(row, col=_REQUIRED, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False, requires_grad=False):
    if col is _REQUIRED:
        raise TypeError('triu_indices() missing 1 required positional arguments: "col"')
    return _tri_indices("triu_indices", row, col, offset, dtype, False,
                        (device, layout, pin_memory, requires_grad))


# ------------------------------------------------------------------------------------------------
# in-place variants (Tensor.erf_, atan2_, lerp_ ...): the out-of-place op, written back
# ------------------------------------------------------------------------------------------------

def _unary_(fn):
    def method(t):
        from .inplace import apply_inplace
        return apply_inplace(t, fn)
    method.__name__ = fn.__name__ + "_"
    return method


def _binary_(fn):
    def method(t, other):
        from .inplace import _elementwise_inplace
        return _elementwise_inplace(t, fn, other)
    method.__name__ = fn.__name__ + "_"
    return method


erf_, erfc_, erfinv_, expm1_, exp2_, sinc_ = map(_unary_, (erf, erfc, erfinv, expm1, exp2, sinc))
atan2_, hypot_, xlogy_, fmod_, copysign_ = map(_binary_, (atan2, hypot, xlogy, fmod, copysign))
arctan2_ = atan2_


def log1p_(t):
    from . import log1p
    from .inplace import apply_inplace
    return apply_inplace(t, log1p)


def lerp_(t, end, weight):
    from .inplace import apply_inplace
    return apply_inplace(t, lerp, end, weight)


def addcmul_(t, tensor1, tensor2, *, value=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, p, q: addcmul(a, p, q, value=value), tensor1, tensor2)


def addcdiv_(t, tensor1, tensor2, *, value=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, p, q: addcdiv(a, p, q, value=value), tensor1, tensor2)


def addmv_(t, mat, vec, *, beta=1, alpha=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda c, a, b: addmv(c, a, b, beta=beta, alpha=alpha), mat, vec)


def baddbmm_(t, batch1, batch2, *, beta=1, alpha=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda c, a, b: baddbmm(c, a, b, beta=beta, alpha=alpha), batch1,
                         batch2)


def addbmm_(t, batch1, batch2, *, beta=1, alpha=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda c, a, b: addbmm(c, a, b, beta=beta, alpha=alpha), batch1,
                         batch2)


def nan_to_num_(t, nan=0.0, posinf=None, neginf=None):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a: nan_to_num(a, nan, posinf, neginf))


__all__ = ["erf", "erfc", "erfinv", "expm1", "exp2", "sinc", "atan2", "arctan2", "hypot",
           "logaddexp", "logaddexp2", "xlogy", "fmod", "copysign", "lerp", "addcmul", "addcdiv",
           "nan_to_num", "var_mean", "std_mean", "aminmax", "nansum", "nanmean", "count_nonzero",
           "outer", "ger", "trace", "diff", "cummax", "cummin", "logcumsumexp", "addmv", "baddbmm",
           "addbmm", "logspace", "tril_indices", "triu_indices"]
