"""Elementwise ops: forward on NumPy arrays, backward (the VJP) in Tensor ops.

Each class states its rule in its docstring: `g` is the incoming gradient (dL/dz), and the
returned values are dL/d(input).  Broadcasting needs no code here: the engine sums every
gradient back to its input's shape (autograd/function.py `_validate`).
"""
from __future__ import annotations

import numpy as np

from ..autograd.fastpath import _F32, _F64, scalar_operand
from ..autograd.function import NotDifferentiable, Op, _read_only
from ..tensor import Tensor
from .. import dtypes as _dt
from ._util import (binary_arrays, check_broadcast, checked_scalar, default_float, float_data,
                    half_with_scalar, scalar_type_name, zero_grad_like)



def _bin(f, a, b):
    x, y = binary_arrays(a, b)
    try:
        return f(x, y)
    except ValueError:
        check_broadcast(x, y)
        raise


def _by_scalar(ufunc, g, b):
    """g * b or g / b in a VJP (b: an array, 0-d or not, or a Python number).  A half-type g
    with a scalar b is computed in float32 and rounded once, as torch's kernels take a CPU
    scalar second (see _util.half_with_scalar)."""
    if type(b) is np.ndarray and b.ndim:
        return ufunc(g, b)
    if g.dtype.itemsize == 2 and g.dtype.kind in "fV" and g.ndim:
        return ufunc(g.astype(np.float32), np.asarray(b).astype(np.float32)).astype(g.dtype)
    return ufunc(g, b if type(b) is np.ndarray else _operand(b, g))


def _operand(v, like):
    """An array, or a Python number as a 0-d array of like's dtype (ufuncs take those faster)."""
    return v if type(v) is np.ndarray or v is None else scalar_operand(v, like.dtype)


_ONES = {}


def _one(dtype):
    one = _ONES.get(dtype)
    if one is None:
        one = _ONES[dtype] = scalar_operand(1, dtype)
    return one


def _np_sigmoid(x):
    # exp(-|x|) never overflows: sigmoid(x) = 1/(1+e^-x) for x >= 0, e^x/(1+e^x) otherwise
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _tie_keeps_x(ufunc, bound, x, dtype=None):
    """ufunc(x, bound) for np.maximum/np.minimum that returns x where the two tie (-0.0 vs 0.0),
    and nan where x is nan, as torch's clamp and relu: NumPy returns the second operand on ties
    (its half loop: the first).  One pass, where np.where(x < bound, bound, x) takes two."""
    return ufunc(x, bound, dtype=dtype) if x.dtype == np.float16 else ufunc(bound, x, dtype=dtype)


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def zeros_operand(n: int, dtype) -> np.ndarray:
    """n zeros of `dtype` (1-D, read-only, cached) as the bound of max(x, 0) on a large array:
    NumPy's SIMD loop for np.maximum needs two full operands - with a scalar or 0-d bound it
    takes a loop ~3x slower (0.57 vs 0.20 ns an element here).  The cache grows to the largest
    n asked for (relu takes it up to _ZEROS_MAX elements, GELU one block)."""
    z = _ZEROS.get(dtype)
    if z is None or z.size < n:
        z = _ZEROS[dtype] = _read_only(np.zeros(1 << max(n - 1, 0).bit_length(), dtype))
    return z[:n]


_ZEROS_MAX = 1 << 20          # (at most 4 or 8 MiB of zeros)
_ZEROS = {}


def _np_relu(x):
    n = x.size
    if n >= 16384 and n <= _ZEROS_MAX:
        dt = x.dtype
        if (dt is _F32 or dt is _F64) and x.flags.c_contiguous:
            # ties and nan as below, bit for bit
            return np.maximum(zeros_operand(n, dt).reshape(x.shape), x)
    return _tie_keeps_x(np.maximum, 0, x)      # (tests/test_module_numeric_sweep.py pins it)


# ***** binary *****

class Add(Op):
    """z = a + b            da = g,  db = g"""
    ufunc = np.add          # the fast path (autograd/fastpath.py)
    saves = None

    @staticmethod
    def forward(ctx, a, b):
        return _bin(np.add, a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g

    np_backward = backward      # the same rule works on arrays


class Sub(Op):
    """z = a - b            da = g,  db = -g"""
    ufunc = np.subtract          # the fast path (autograd/fastpath.py)
    saves = None

    @staticmethod
    def forward(ctx, a, b):
        _sub_check(a, b)
        x, y = binary_arrays(a, b)
        try:
            return np.subtract(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)

    np_backward = backward      # the same rule works on arrays


def _is_bool(v):
    return type(v) is bool or (isinstance(v, Tensor) and v._data.dtype == np.bool_)


def _sub_check(a, b):
    """torch refuses subtraction with a bool operand (tensor or Python bool), either side."""
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _int_division(x, y, kernel):
    """torch's rules for floor division and remainder on the converted operands: no bool
    kernel, and a zero integer divisor is an error (NumPy gives 0 with a warning)."""
    dt = x.dtype if isinstance(x, np.ndarray) else y.dtype  # (a number beside a float tensor)
    if dt == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if dt.kind in "iu" and not np.all(y):
        raise RuntimeError("ZeroDivisionError")


def _int_div_op(ufunc, kernel, a, b):
    x, y = binary_arrays(a, b)
    _int_division(x, y, kernel)
    try:
        return ufunc(x, y)
    except ValueError:
        check_broadcast(x, y)
        raise


def _check_alpha(a, b, alpha):
    """alpha checked against the result's dtype as torch's alpha_check does, and converted to
    it when integral (c10's checked conversion: -3 wraps into uint8, 300 raises)."""
    dt = _dt.result_type(a, b)
    if isinstance(alpha, bool) and dt is not _dt.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex "
                           "number.")
    if isinstance(alpha, (float, np.floating)) and not dt.is_floating_point:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if dt.np.kind in "iu":
        return checked_scalar(int(alpha), dt.np)
    return np.asarray(alpha, dt.np) if dt.np.kind == "V" else alpha    # (bfloat16 stays bfloat16)


class AddAlpha(Op):
    """z = a + alpha b      da = g,  db = alpha g"""
    node_name = "AddBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, alpha):
        alpha = _check_alpha(a, b, alpha)
        ctx.alpha = alpha
        x, y = binary_arrays(a, b)
        try:
            z = np.add(x, y * alpha)
            return z.astype(bool) if x.dtype == np.bool_ else z    # (bool: True + 2·True is True)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, g):
        return g, (g * ctx.alpha if ctx.needs_input_grad[1] else None)

    np_backward = backward      # the same rule works on arrays


class SubAlpha(Op):
    """z = a - alpha b      da = g,  db = -alpha g"""
    node_name = "SubBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, alpha):
        _sub_check(a, b)
        alpha = _check_alpha(a, b, alpha)
        ctx.alpha = alpha
        x, y = binary_arrays(a, b)
        try:
            return np.subtract(x, y * alpha)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, g):
        return g, (g * -ctx.alpha if ctx.needs_input_grad[1] else None)

    np_backward = backward      # the same rule works on arrays


class Rsub(Op):
    """z = c - alpha a  (c a number)      da = -alpha g"""
    node_name = "RsubBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, c, alpha=1):
        _sub_check(c, a)
        if type(alpha) is int and alpha == 1:
            ctx.alpha = 1
            return _bin(np.subtract, c, a)
        alpha = _check_alpha(a, c, alpha)
        ctx.alpha = alpha
        x, y = binary_arrays(c, a)
        return np.subtract(x, y * alpha)

    @staticmethod
    def backward(ctx, g):
        alpha = ctx.alpha
        return -g if alpha == 1 else g * -alpha

    np_backward = backward      # the same rule works on arrays


class RsubTensor(Op):
    """z = b - alpha a  (torch.rsub(a, b), b a tensor)     da = -alpha g,  db = g"""
    node_name = "RsubBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _sub_check(b, a)
        alpha = _check_alpha(a, b, alpha)
        ctx.alpha = alpha
        x, y = binary_arrays(a, b)
        try:
            return np.subtract(y, x * alpha if alpha != 1 else x)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g * -ctx.alpha if need[0] else None), (g if need[1] else None)


class Mul(Op):
    """z = a * b            da = g * b,  db = g * a"""
    ufunc = np.multiply          # the fast path (autograd/fastpath.py)
    saves = 'cross'

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad      # save only what the VJP will read (as torch does)
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        r = half_with_scalar(np.multiply, a, b)
        return _bin(np.multiply, a, b) if r is None else r

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)

    @staticmethod
    def np_backward(ctx, g):
        saved, versions = ctx._saved, ctx._saved_versions
        if type(saved) is tuple and type(versions) is tuple:   # the fast path's (a, b): inline
            a, b = saved                                        # _saved_np for its two items
            va, vb = versions
            if va is not None:
                if a._vc[0] != va:
                    ctx._saved_np()         # raises the in-place modification error
                a = a._data
            if vb is not None:
                if b._vc[0] != vb:
                    ctx._saved_np()
                b = b._data
        else:
            a, b = ctx._saved_np()
        need = ctx.needs_input_grad
        return ((_by_scalar(np.multiply, g, b) if need[0] else None),
                (g * a if need[1] else None))


class Div(Op):
    """z = a / b            da = g / b,  db = -g · (a / b) / b   (not a / b²: b² underflows)"""
    ufunc = np.true_divide          # the fast path (autograd/fastpath.py)
    saves = 'both'

    @staticmethod
    def forward(ctx, a, b):
        r = half_with_scalar(np.true_divide, a, b)
        if r is not None:
            ctx.save_for_backward(a, b)
            return r
        x, y = binary_arrays(a, b)
        if x.dtype.kind not in "fV":        # int / int is true division in torch: default float,
            f = default_float()             # each operand converted from its own values (not
            x = _as_float(a, f)             # from the integer result type: uint8 / -3 is
            y = _as_float(b, f)             # -0.667, not 2/253)
        ctx.save_for_backward(a, b)
        try:
            return np.true_divide(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g / b if need[0] else None),
                (-g * ((a / b) / b) if need[1] else None))

    @staticmethod
    def np_backward(ctx, g):
        a, b = ctx._saved_np()
        need = ctx.needs_input_grad
        return ((_by_scalar(np.true_divide, g, b) if need[0] else None),
                (-g * ((a / b) / b) if need[1] else None))


def _as_float(v, f):
    return (v._data if isinstance(v, Tensor) else np.asarray(v)).astype(f)


class DivRounding(Op):
    """z = trunc(a / b) or floor(a / b)      da = 0,  db = 0"""
    node_name = "DivBackward2"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, mode):
        x, y = binary_arrays(a, b)
        _int_division(x, y, f"div_{mode}_cpu")
        try:
            if x.dtype.kind in "fV":
                return np.floor_divide(x, y) if mode == "floor" else np.trunc(np.true_divide(x, y))
            q = np.floor_divide(x, y)
        except ValueError:
            check_broadcast(x, y)
            raise
        if mode == "trunc":     # integer division rounding toward zero
            q = q + ((np.remainder(x, y) != 0) & ((x < 0) != (y < 0)))
        return q

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (zero_grad_like(g) if need[0] else None), (zero_grad_like(g) if need[1] else None)


def _remainder(x, y):
    """Python's % as torch computes it: fmod, then + b where a nonzero result's sign differs from
    b's.  (NumPy's remainder gives a zero result b's sign: (-0.) % 2 and -4. % 2 were +0 where
    torch keeps fmod's -0.)"""
    if not any(isinstance(v, float) or isinstance(v, np.ndarray) and v.dtype.kind in "fV"
               for v in (x, y)):
        return np.remainder(x, y)          # integers (binary_arrays gave both one dtype)
    mod = np.fmod(x, y)
    fix = (mod != 0) & ((y < 0) != (mod < 0))
    return np.where(fix, mod + y, mod) if fix.any() else mod


class Remainder(Op):
    """z = a - floor(a / b) b  (Python's %)      da = g,  db = -g floor(a / b)"""
    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _int_div_op(_remainder, "remainder_cpu", a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g * DivRounding.apply(a, b, "floor") if need[1] else None)


class RemainderNumber(NotDifferentiable):
    """z = c % b  (c a number): torch has no derivative for remainder(Scalar, Tensor)"""
    node_name, aten = "NotImplemented", "remainder"

    @staticmethod
    def forward(ctx, c, b):
        return _int_div_op(_remainder, "remainder_cpu", c, b)


class RemainderScalar(Op):
    """z = a % c  (c a number)      da = g"""
    node_name = "RemainderBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, c):
        return _int_div_op(_remainder, "remainder_cpu", a, c)

    @staticmethod
    def backward(ctx, g):
        return g


class FloorDivide(NotDifferentiable):
    """z = floor(a / b)      no derivative: torch records a node whose backward raises"""
    node_name, aten = "NotImplemented", "floor_divide"

    @staticmethod
    def forward(ctx, a, b):
        return _int_div_op(np.floor_divide, "div_floor_cpu", a, b)


class Pow(Op):
    """z = a ** e  (e a number)      da = g * e * a**(e-1)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, e):
        ctx.save_for_backward(a)
        ctx.exponent = e
        x = a._data
        if x.dtype == np.bool_ and type(e) is bool:    # bool ** bool stays bool (x, or all True)
            return x.copy() if e else np.ones_like(x)
        if x.dtype.kind in "iub" and isinstance(e, float):
            x = float_data(a)
        if x.dtype.kind in "iub" and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if x.dtype.kind == "V" and not isinstance(e, np.ndarray):
            e = np.asarray(e, x.dtype)      # (bfloat16: ml_dtypes casts no Python number)
        if x.dtype.kind == "f":
            return _pow_scalar(x, e)
        return np.power(x, e, dtype=x.dtype if x.dtype.kind == "V" else None)

    @staticmethod
    def backward(ctx, g):
        # (recorded as torch's pow_backward records it, g · (a^(e-1) · e) for every e: even
        # e = 1 or 2 stay connected to a, so a higher derivative requires grad as torch's does)
        a, e = ctx.saved_tensors[0], ctx.exponent
        return zero_grad_like(g) if e == 0 else g * (a ** (e - 1) * e)

    @staticmethod
    def np_backward(ctx, g):
        return _pow_vjp(g, ctx._saved_np()[0], ctx.exponent)


def _pow_vjp(g, a, e):
    """g · e · a^(e-1) on arrays (np_backward), e = 0, 1, 2 without a power."""
    if e == 0:
        return zero_grad_like(g)
    if e == 1:
        return g
    if e == 2:
        return g * (2.0 * a)
    return g * (e * (_pow_scalar(a, e - 1) if a.dtype.kind == "f" else a ** (e - 1)))


def _pow_scalar(x, e):
    """x ** e for a float array and a number, as torch's CPU kernel computes it: e = 2, 3, -2 by
    products, ±0.5 as (1 over) sqrt, -1 as a reciprocal, others by pow.  Bit for bit torch's
    there, and its values at the edges: (-0.0) ** -0.5 = -inf and (-inf) ** -0.5 = nan, not
    pow's +inf and 0."""
    if e == 2 or e == 3:
        y = x * x
        return y * x if e == 3 else y
    with np.errstate(divide="ignore", invalid="ignore"):
        if e == 0.5:
            return np.sqrt(x)
        one = x.dtype.type(1)
        if e == -0.5:
            return one / np.sqrt(x)
        if e == -1:
            return one / x
        if e == -2:
            return one / (x * x)
        return np.power(x, e, dtype=x.dtype)


class PowTensor(Op):
    """z = a ** b          da = g * b * a**(b-1),   db = g * z * log(a)   (0 where a = 0, b >= 0)"""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _power(*binary_arrays(a, b))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        da = where_(b.eq(0), 0.0, g * (b * a ** (b - 1))) if need[0] else None
        db = None
        if need[1]:
            safe = where_(a.eq(0) & (b >= 0), 1.0, a)
            db = g * where_(a.eq(0) & (b >= 0), 0.0, (a ** b) * log_(safe))
        return da, db


def _power(x, y):
    """x ** y on arrays already in the result dtype, with torch's integer and bool rules."""
    if x.dtype == np.bool_:
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    try:
        return np.power(x, y)
    except ValueError:
        check_broadcast(x, y)
        if x.dtype.kind not in "iu":
            raise
        # integers to negative powers: torch gives 1 for base 1, +-1 for base -1, else 0
        neg = y < 0
        z = np.power(x, np.where(neg, 0, y))
        odd = np.where(y % 2 == 0, 1, -1)
        return np.where(neg, np.where(x == 1, 1, np.where(x == -1, odd, 0)), z).astype(z.dtype)


class RPow(Op):
    """z = c ** b  (c a number)      db = g * z * log(c)"""
    node_name = "PowBackward2"
    arity = 1

    @staticmethod
    def forward(ctx, b, c):
        x, y = binary_arrays(c, b)
        if type(x) is not np.ndarray:      # (a number with a float tensor: its dtype's 0-d array)
            x = scalar_operand(x, y.dtype)
        z = _power(x, y)
        ctx.save_for_backward(z)
        ctx.base = c
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            log_c = float(np.log(ctx.base))
        if ctx.base == 0:       # torch: 0 where the exponent is >= 0, i.e. where z = 0^b is 0 or 1
            return g * where_(z <= 1, 0.0, z * log_c)
        return g * (z * log_c)


class Maximum(Op):
    """z = max(a, b)     da = 0 where a < b (g/2 on ties, else g),  db likewise"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _bin(np.maximum, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a, b, a.lt(b), a.gt(b))


class Minimum(Op):
    """z = min(a, b)     da = 0 where a > b (g/2 on ties, else g),  db likewise"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _bin(np.minimum, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _minmax_grads(ctx, g, a, b, a.gt(b), a.lt(b))


def _minmax_grads(ctx, g, a, b, a_loses, b_loses):
    """torch's: g/2 to each on a tie, 0 to the loser, g otherwise - so both get g where a NaN
    is compared (no comparison holds)."""
    tie = a.eq(b)
    half = g * 0.5
    need = ctx.needs_input_grad
    da = where_(a_loses, 0.0, where_(tie, half, g)) if need[0] else None
    db = where_(b_loses, 0.0, where_(tie, half, g)) if need[1] else None
    return da, db


class Where(Op):
    """z = a if c else b     da = g where c,  db = g where not c"""
    arity = 2

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.cond = cond
        x, y = binary_arrays(a, b)
        try:
            return np.where(cond._data, x, y)
        except ValueError:
            c = cond._data      # torch broadcasts condition, a, b in that order
            check_broadcast(c, x)
            check_broadcast(np.broadcast_to(np.False_, np.broadcast_shapes(c.shape, np.shape(x))), y)
            raise

    @staticmethod
    def backward(ctx, g):
        c = ctx.cond
        need = ctx.needs_input_grad
        return ((where_(c, g, 0.0) if need[0] else None),
                (where_(c, 0.0, g) if need[1] else None))


def where_(cond, a, b):
    """torch.where(cond, a, b) with a or b possibly a Python number."""
    if isinstance(a, Tensor):
        return Where.apply(a, b, cond)
    if isinstance(b, Tensor):
        return Where.apply(Tensor._make(np.asarray(a, dtype=b._data.dtype), False, None, 0), b, cond)
    return Tensor._make(np.where(cond._data, a, b), False, None, 0)


# ***** unary *****

class Neg(Op):
    """z = -a               da = -g"""
    ufunc = np.negative          # the fast path (autograd/fastpath.py)
    saves = None

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        return np.negative(a._data)

    @staticmethod
    def backward(ctx, g):
        return -g

    np_backward = backward      # the same rule works on arrays


class Abs(Op):
    """z = |a|              da = g * sign(a)"""

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        ctx.save_for_backward(a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * a.sign()


class Exp(Op):
    """z = exp(a)           da = g * z"""
    ufunc = np.exp          # the fast path (autograd/fastpath.py)
    saves = 'out'

    @staticmethod
    def forward(ctx, a):
        z = np.exp(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * z

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved
        if type(z) is not np.ndarray:       # (the fast path's bare output array: current)
            z = ctx._saved_output_np()
        return g * z


class Log(Op):
    """z = log(a)           da = g / a"""
    ufunc = np.log          # the fast path (autograd/fastpath.py)
    saves = 'in'

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(float_data(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / a

    @staticmethod
    def np_backward(ctx, g):
        a, = ctx._saved_np()
        return g / a


class Log1p(Op):
    """z = log(1 + a)       da = g / (1 + a)"""
    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(float_data(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g / (a + 1)


class Sqrt(Op):
    """z = sqrt(a)          da = g / (2 z)"""
    ufunc = np.sqrt          # the fast path (autograd/fastpath.py)
    saves = 'out'

    @staticmethod
    def forward(ctx, a):
        z = np.sqrt(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g / (2 * z)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        return g / (2 * z)


class Rsqrt(Op):
    """z = 1/sqrt(a)        da = -g z³ / 2"""

    @staticmethod
    def forward(ctx, a):
        x = float_data(a)
        if x.dtype.itemsize == 2 and x.dtype.kind in "fV":     # (half: in float32, rounded once)
            z = np.reciprocal(np.sqrt(x.astype(np.float32))).astype(x.dtype)
        else:
            z = np.reciprocal(np.sqrt(x))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * -0.5 * z.pow(3)          # (torch's order: -0.5 * grad * result.pow(3))


class Reciprocal(Op):
    """z = 1/a              da = -g z²"""

    @staticmethod
    def forward(ctx, a):
        z = np.reciprocal(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return -g * (z * z)             # (torch's order: -grad * (result * result))


class Sin(Op):
    """z = sin(a)           da = g cos(a)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(float_data(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * a.cos()


class Cos(Op):
    """z = cos(a)           da = -g sin(a)"""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(float_data(a))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return -g * a.sin()


class Tanh(Op):
    """z = tanh(a)          da = g (1 - z²)"""
    ufunc = np.tanh          # the fast path (autograd/fastpath.py)
    saves = 'out'

    @staticmethod
    def forward(ctx, a):
        z = np.tanh(float_data(a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return TanhGrad.apply(g, z)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved
        if type(z) is not np.ndarray:       # (the fast path's bare output array: current)
            z = ctx._saved_output_np()
        one = _ONES.get(z.dtype)
        if one is None:
            one = _one(z.dtype)
        return g * (one - z * z)


class TanhGrad(Op):
    """w = g (1 - z²), tanh's VJP as one op     dg = gw (1 - z²),  dz = -2 gw g z
    (one NumPy expression instead of three ops: the backward pass is the hot path)"""
    node_name = "TanhBackwardBackward0"

    @staticmethod
    def forward(ctx, g, z):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(g, z)
        zd = z._data
        return g._data * (1 - zd * zd)

    @staticmethod
    def backward(ctx, gw):
        g, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((gw * (1 - z * z) if need[0] else None),
                (gw * g * z * -2.0 if need[1] else None))


class Sigmoid(Op):
    """z = 1/(1+exp(-a))    da = g z (1 - z)"""
    ufunc = _np_sigmoid          # the fast path (autograd/fastpath.py)
    saves = 'out'

    @staticmethod
    def forward(ctx, a):
        x = float_data(a)
        if x.dtype.itemsize == 2 and x.dtype.kind in "fV":     # (half: in float32, rounded
            z = _np_sigmoid(x.astype(np.float32)).astype(x.dtype)      # once, as torch; the
        else:                                                   # fast path takes float32/64)
            z = _np_sigmoid(x)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return SigmoidGrad.apply(g, z)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        if z.dtype.itemsize == 2 and z.dtype.kind in "fV":     # (half: torch's kernel, float32)
            return _half_sigmoid_grad(g, z)
        return g * z * (_one(z.dtype) - z)


def _half_sigmoid_grad(g, z):
    """g·(1 - z)·z of half-type arrays in float32, rounded once (torch's sigmoid_backward)."""
    z32 = z.astype(np.float32)
    return (g.astype(np.float32) * (1 - z32) * z32).astype(z.dtype)


class SigmoidGrad(Op):
    """w = g z (1 - z), sigmoid's VJP as one op     dg = gw z (1 - z),  dz = gw g (1 - 2z)"""
    node_name = "SigmoidBackwardBackward0"

    @staticmethod
    def forward(ctx, g, z):
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(g, z)
        zd = z._data
        if zd.dtype.itemsize == 2 and zd.dtype.kind in "fV":
            return _half_sigmoid_grad(g._data, zd)
        return g._data * zd * (1 - zd)

    @staticmethod
    def backward(ctx, gw):
        g, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((gw * z * (1 - z) if need[0] else None),
                (gw * g * (1 - 2 * z) if need[1] else None))


class Relu(Op):
    """z = max(a, 0)        da = g where z != 0  (so nan passes g, as torch's threshold_backward)"""
    ufunc = _np_relu          # the fast path (autograd/fastpath.py)
    saves = 'out'

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        z = _np_relu(a._data)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        z, = ctx.saved_tensors
        return g * Tensor._make(z._data != 0, False, None, 0)

    @staticmethod
    def np_backward(ctx, g):
        z = ctx._saved_output_np()
        it = _SAME_SIZE_INT.get(g.dtype.itemsize)
        if it is None or z.ndim == 0 or g.dtype != z.dtype:
            return np.where(z != 0, g, g.dtype.type(0))
        # torch's select - g where z != 0 (nan included), +0.0 where z is ±0 - as bits: g's
        # bits times the 0/1 mask, an integer product (a nan or -0.0 in g is kept or dropped
        # whole; np.where measured ~8x slower; a float g * mask gives -0.0 and nan where g has
        # them; an all-ones/zeros mask and-ed with the bits took two passes more)
        return np.multiply(g.view(it), np.not_equal(z, 0).view(np.uint8), dtype=it).view(g.dtype)


class Clamp(Op):
    """z = min(max(a, lo), hi)  (numbers)      da = g where lo <= a <= hi"""
    node_name = "ClampBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, lo, hi):
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        x = a._data
        lo, hi = checked_scalar(lo, x.dtype), checked_scalar(hi, x.dtype)
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        if isinstance(lo, float) or isinstance(hi, float):
            x = float_data(a)
        z = x
        if x.dtype.kind == "V":         # bfloat16: bounds in it (NumPy would promote to float32)
            lo, hi = (None if v is None else np.asarray(v, x.dtype) for v in (lo, hi))
        if lo is not None:
            z = _tie_keeps_x(np.maximum, lo, z)
        if hi is not None:
            z = _tie_keeps_x(np.minimum, hi, z)
        return z if z is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        x = a._data
        return where_(Tensor._make(Clamp._inside(ctx, x), False, None, 0), g, 0.0)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return np.where(Clamp._inside(ctx, x), g, g.dtype.type(0))    # (zeros, not g * 0)

    @staticmethod
    def _inside(ctx, x):
        mask = np.ones(x.shape, bool)
        if ctx.lo is not None:
            mask &= x >= ctx.lo
        if ctx.hi is not None:
            mask &= x <= ctx.hi
        return mask


class ClampTensor(Op):
    """z = min(max(a, lo), hi)  (tensors)     da = g where lo <= a <= hi,
    dlo = g where a < lo < hi,  dhi = g where a > hi or hi < lo  (where lo > hi, z = hi)"""
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        z = a._data
        dt = z.dtype
        if (lo is not None and lo._data.dtype != dt) or (hi is not None and hi._data.dtype != dt):
            dt = _dt.result_type(*[t for t in (a, lo, hi) if t is not None]).np
        # (bounds converted first: a 0-d int64 bound of a uint8 tensor keeps uint8, as in torch)
        if lo is not None:
            z = _tie_keeps_x(np.maximum, lo._data.astype(dt, copy=False), z, dt)
        if hi is not None:
            z = _tie_keeps_x(np.minimum, hi._data.astype(dt, copy=False), z, dt)
        return z if z is not a._data else z.copy()

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        x = a._data
        l = None if lo is None else lo._data
        h = None if hi is None else hi._data
        # torch's clamp_backward / clamp_backward_min_max (a NaN in a: no gradient to a)
        keep = (x >= l) & (x <= h) if l is not None and h is not None else \
            x >= l if l is not None else x <= h
        below = above = None
        if l is not None:
            below = x < l if h is None else (x < l) & (l < h)
        if h is not None:
            above = x > h if l is None else (x > h) | (h < l)
        pick = lambda m: where_(Tensor._make(m, False, None, 0), g, 0.0)  # noqa: E731
        return (pick(keep) if need[0] else None,
                pick(below) if lo is not None and need[1] else None,
                pick(above) if hi is not None and need[2] else None)


class ClampMinTensor(ClampTensor):
    """z = max(a, lo)  (torch.clamp_min, lo a tensor)"""
    node_name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    """z = min(a, hi)  (torch.clamp_max, hi a tensor)"""
    node_name = "ClampMaxBackward1"


class ClampMin(Clamp):
    """z = max(a, lo)  (torch.clamp_min, lo a number)     da = g where a >= lo"""
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    """z = min(a, hi)  (torch.clamp_max, hi a number)     da = g where a <= hi"""
    node_name = "ClampMaxBackward0"


class Sign(Op):
    """z = sign(a)          da = 0"""

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:          # torch: sign of a bool tensor is itself
            return a._data.copy()
        z = np.sign(a._data)
        if z.dtype.kind == "V":         # bfloat16 (ml_dtypes' sign keeps nan and -0): 0, as torch
            return np.where(np.isnan(z) | (z == 0), np.zeros((), z.dtype), z)
        if z.dtype.kind == "f" and np.isnan(z).any():      # torch: sign(nan) is 0
            z = np.nan_to_num(z, nan=0.0, posinf=np.inf, neginf=-np.inf)
        return z

    @staticmethod
    def backward(ctx, g):
        return zero_grad_like(g)


# ***** rounding: floor, ceil, round, trunc (zero gradient) and frac (gradient 1) *****

def _rounded(a, ufunc, kernel):
    """ufunc(a) for floats; integers are already whole (a copy, their dtype); bool has no kernel."""
    x = a._data
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    return x.copy() if x.dtype.kind in "iu" else ufunc(x)


class Floor(Op):
    """z = floor(a)         da = 0"""
    arity = 1

    @staticmethod
    def forward(ctx, a):
        return _rounded(a, np.floor, "floor_vml_cpu")

    @staticmethod
    def backward(ctx, g):
        return zero_grad_like(g)

    np_backward = backward      # the same rule works on arrays


class Ceil(Floor):
    """z = ceil(a)          da = 0"""

    @staticmethod
    def forward(ctx, a):
        return _rounded(a, np.ceil, "ceil_vml_cpu")


class Trunc(Floor):
    """z = trunc(a) (toward zero)       da = 0"""

    @staticmethod
    def forward(ctx, a):
        return _rounded(a, np.trunc, "trunc_vml_cpu")


class Round(Floor):
    """z = round(a), halves to even (as torch and NumPy)       da = 0"""

    @staticmethod
    def forward(ctx, a):
        return _rounded(a, np.round, "round_vml_cpu")


class RoundDecimals(Floor):
    """z = round(a · 10^d) / 10^d, halves to even        da = 0"""
    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, a, decimals):
        x = a._data
        if x.dtype.kind not in "fV":
            raise NotImplementedError(f"\"round_cpu\" not implemented for "
                                      f"'{scalar_type_name(x.dtype)}'")
        return np.round(x, decimals)


class Frac(Op):
    """z = a - trunc(a) (keeps a's sign)       da = g"""
    arity = 1

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.dtype.kind not in "fV":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for "
                                      f"'{scalar_type_name(x.dtype)}'")
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


class ToCopy(Op):
    """z = a.to(dtype)      da = g.to(a.dtype)   (the engine casts)"""
    node_name = "ToCopyBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, dtype):
        return a._data.astype(dtype.np if hasattr(dtype, "np") else dtype)

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


def log_(t):
    return Log.apply(t)
