"""The functional namespace: every operation by name (`ops.add`, `ops.matmul`, ...).

The op classes live in the family files (elementwise, reduce, shape, linalg); this file picks
the right class for the arguments (a Python number vs a tensor, a dim or none) and nothing else.
"""
from __future__ import annotations

import warnings
from numbers import Number

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor
from ..autograd.fastpath import fast_binary as _fast_binary, fast_unary as _fast_unary
from . import _args
from ._util import (as_tensor_like, canon_dim, canon_dims, check_int_scalar, checked_scalar,  # noqa: F401
                    legacy_type_name, scalar_type_name, shape_arg, wrap)
from .compare import (all, allclose, any, bitwise_not, eq, equal, floor_divide, ge,  # noqa: F401
                      gt, isclose, isfinite, isinf, isnan, le, logical_and, logical_not,
                      logical_or, logical_xor, lt, ne, remainder)
from .creation import (Generator, arange, as_tensor, default_generator, empty,  # noqa: F401
                       empty_like, eye, from_numpy, full, full_like, get_rng_state, initial_seed,
                       linspace, manual_seed, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, seed, set_rng_state, tensor,
                       zeros, zeros_like)
from .elementwise import (Abs, Add, AddAlpha, Clamp, ClampMax, ClampMin,  # noqa: F401
                          ClampMaxTensor, ClampMinTensor, ClampTensor, Cos, Div, DivRounding,
                          Exp, Log, Log1p, Maximum, Minimum,
                          Mul, Neg, Pow, PowTensor, Reciprocal, Relu, RPow, Rsqrt, Rsub,
                          RsubTensor, Sigmoid, Sign, Sin, Sqrt, Sub, SubAlpha, Tanh, ToCopy, Where,
                          where_, Ceil, Floor, Frac, Round, RoundDecimals, Trunc)
from .linalg import addmm, bmm, dot, matmul, mm, mv  # noqa: F401
from .reduce import (amax, amin, argmax, argmin, logsumexp, max, mean, min, norm,  # noqa: F401
                     prod, std, sum, var)
from .shape import (expand, flatten, movedim, permute, reshape, squeeze, t,  # noqa: F401
                    transpose, unsqueeze, view)
from .shape import Clone  # noqa: F401
from . import mathfns  # noqa: F401,E402
from .mathfns import (addbmm, addcdiv, addcmul, addmv, aminmax, arctan2, atan2,  # noqa: F401,E402
                      baddbmm, copysign, count_nonzero, cummax, cummin, diff, erf, erfc, erfinv,
                      exp2, expm1, fmod, ger, hypot, lerp, logaddexp, logaddexp2, logcumsumexp,
                      logspace, nan_to_num, nanmean, nansum, outer, sinc, std_mean, trace,
                      tril_indices, triu_indices, var_mean, xlogy)

from . import trig  # noqa: F401,E402
from .trig import (absolute, acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan,  # noqa: F401,E402
                   arctanh, asin, asinh, atan, atanh, bitwise_and, bitwise_left_shift, bitwise_or,
                   bitwise_right_shift, bitwise_xor, cosh,
                   deg2rad, digamma, float_power, fmax, fmin, gcd, heaviside, lcm, lgamma, log10,
                   log2, logit, polygamma, positive, rad2deg, sgn, signbit, sinh, tan)
from . import select  # noqa: F401,E402
from .select import (bucketize, isin, median, mode, nanmedian, searchsorted, unique,  # noqa: F401,E402
                     unique_consecutive)

from . import shape_extra  # noqa: F401,E402
from .shape_extra import (atleast_3d, block_diag, cartesian_prod, column_stack,  # noqa: F401,E402
                          diag, diag_embed, diagflat, dsplit, dstack, hsplit, index_put, kron,
                          meshgrid, put, ravel, rot90, swapaxes, swapdims, take, tensor_split,
                          tensordot, vsplit)

# torch computes 1/0 = inf and log(-1) = nan silently; NumPy warns.  Silence NumPy's floating
# point warnings for calls made from zerograd's own op modules only (an np.errstate block per
# op would cost ~3 us, more than the op itself); the engine's array sums and broadcast fixes
# and the elementwise fast path (autograd/fastpath.py) too.
SILENT_MODULES = r"zerograd\.(ops(\.|$)|autograd\.(engine|function|fastpath)$)"
warnings.filterwarnings("ignore", category=RuntimeWarning, module=SILENT_MODULES)


def _check_operand(x, op):
    if not isinstance(x, (Tensor, Number, np.number, np.bool_)):
        raise TypeError(f"unsupported operand type(s) for {op}: 'Tensor' and "
                        f"'{type(x).__name__}'")
    if type(x) is int:
        check_int_scalar(x)


# ***** arithmetic: pick the op for (tensor, tensor) or (tensor, number) *****

def add(input, other, *args, alpha=1):
    if args:            # torch's deprecated add(Tensor input, Number alpha, Tensor other)
        (other,), alpha = _args.scalar_first("add", (other,) + args, alpha, method=False)
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_operand(other, "+")
    if type(alpha) is not int or alpha != 1:
        return AddAlpha.apply(input, other, _args.number_arg("add", "alpha", alpha))
    return _fast_binary(Add, input, other)


def sub(input, other, *args, alpha=1):
    if args:
        (other,), alpha = _args.scalar_first("sub", (other,) + args, alpha, method=False)
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    _check_operand(other, "-")
    if type(alpha) is not int or alpha != 1:
        return SubAlpha.apply(input, other, _args.number_arg("sub", "alpha", alpha))
    return Sub.apply(input, other)


def rsub(input, other, alpha=1):
    """b - alpha * a, for a tensor `a` and a number or tensor `b` (torch.rsub)."""
    _check_operand(other, "-")
    if type(alpha) is not int:
        alpha = _args.number_arg("rsub", "alpha", alpha)
    if isinstance(other, Tensor):
        return RsubTensor.apply(input, other, alpha)
    return Rsub.apply(input, other) if type(alpha) is int and alpha == 1 else \
        Rsub.apply(input, other, alpha)


def mul(input, other):
    if not isinstance(input, Tensor):
        input, other = other, input
    _check_operand(other, "*")
    return _fast_binary(Mul, input, other)


def div(input, other, *, rounding_mode=None):
    if not isinstance(input, Tensor):
        return rdiv(other, input)
    _check_operand(other, "/")
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                               f"but found '{rounding_mode}'")
        return DivRounding.apply(input, other, rounding_mode)
    return Div.apply(input, other)


def rdiv(a, b):
    """b / a for a tensor `a` and a number `b` (torch records reciprocal then mul)."""
    _check_operand(b, "/")
    if isinstance(b, Tensor):
        return Div.apply(b, a)
    return Mul.apply(Reciprocal.apply(a), b)


def true_divide(input, other):
    return div(input, other)


def pow(input, exponent):  # noqa: A001
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    if isinstance(exponent, Tensor):
        return PowTensor.apply(input, exponent)
    _check_operand(exponent, "**")
    return Pow.apply(input, exponent)


def rpow(a, c):
    """c ** a for a tensor `a` and a number `c`."""
    return RPow.apply(a, c)


def neg(input):
    return Neg.apply(input)


def abs(input):  # noqa: A001
    return Abs.apply(input)


def exp(input):
    return _fast_unary(Exp, input) if isinstance(input, Tensor) else Exp.apply(input)


def log(input):
    return _fast_unary(Log, input) if isinstance(input, Tensor) else Log.apply(input)


def log1p(input):
    return Log1p.apply(input)


def sqrt(input):
    return _fast_unary(Sqrt, input) if isinstance(input, Tensor) else Sqrt.apply(input)


def rsqrt(input):
    return Rsqrt.apply(input)


def reciprocal(input):
    return Reciprocal.apply(input)


def square(input):
    return Pow.apply(input, 2)


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def tanh(input):
    return _fast_unary(Tanh, input) if isinstance(input, Tensor) else Tanh.apply(input)


def sigmoid(input):
    return _fast_unary(Sigmoid, input) if isinstance(input, Tensor) else Sigmoid.apply(input)


def relu(input):
    return _fast_unary(Relu, input) if isinstance(input, Tensor) else Relu.apply(input)


def sign(input):
    return Sign.apply(input)


def floor(input):
    return Floor.apply(input)


def ceil(input):
    return Ceil.apply(input)


def trunc(input):
    return Trunc.apply(input)


fix = trunc


def round(input, *, decimals=0):  # noqa: A001 - torch's name
    return Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, int(decimals))


def frac(input):
    return Frac.apply(input)


def clamp_min(input, min):  # noqa: A002
    if not isinstance(input, Tensor):
        _args.need_tensor("clamp_min", "input", 1, input)
    if isinstance(min, Tensor):
        return ClampMinTensor.apply(input, min, None)
    return ClampMin.apply(input, min, None)


def clamp_max(input, max):  # noqa: A002
    if not isinstance(input, Tensor):
        _args.need_tensor("clamp_max", "input", 1, input)
    if isinstance(max, Tensor):
        return ClampMaxTensor.apply(input, None, max)
    return ClampMax.apply(input, None, max)


def clamp(input, min=None, max=None):  # noqa: A002
    if not isinstance(input, Tensor):
        _args.need_tensor("clamp", "input", 1, input)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is not None and max is not None and \
                isinstance(min, Tensor) != isinstance(max, Tensor):
            raise TypeError("clamp() received an invalid combination of arguments - got a "
                            f"{type(min).__name__} min and a {type(max).__name__} max, but "
                            "expected (Tensor min = None, Tensor max = None) or (Number min = "
                            "None, Number max = None)")
        lo = min if isinstance(min, Tensor) or min is None else as_tensor_like(min, input)
        hi = max if isinstance(max, Tensor) or max is None else as_tensor_like(max, input)
        return ClampTensor.apply(input, lo, hi)
    return Clamp.apply(input, min, max)


clip = clamp


def _tensor_other(name, b):
    if not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(b).__name__}")


def maximum(input, other):
    _tensor_other("maximum", other)
    return Maximum.apply(input, other)


def minimum(input, other):
    _tensor_other("minimum", other)
    return Minimum.apply(input, other)


def where(condition, input=None, other=None):
    """where(cond, a, b): a where cond else b (a or b may be numbers); where(cond): nonzero."""
    if input is None and other is None:
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(condition._data))
    if not isinstance(condition, Tensor) or condition._data.dtype != np.bool_:
        got = scalar_type_name(condition.dtype) if isinstance(condition, Tensor) else \
            type(condition).__name__
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {got}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        return wrap(np.where(condition._data, input, other).astype(
            _dt.result_type(input, other).np))
    if not isinstance(input, Tensor):             # a number beside an integer tensor: torch's check
        input = checked_scalar(input, other._data.dtype)
    elif not isinstance(other, Tensor):
        other = checked_scalar(other, input._data.dtype)
    return Where.apply(input, other, condition)


def clone(input, *, memory_format=None):
    """A copy; torch's default preserve_format keeps a dense input's layout (strides)."""
    if memory_format is None or memory_format is _dt.preserve_format:
        return Clone.apply(input)
    if memory_format is _dt.contiguous_format:
        return Clone.apply(input, "C")
    return Clone.apply(input)       # (channels_last: not modelled, see README limits)


def to_dtype(a, dtype):
    return ToCopy.apply(a, dtype)
