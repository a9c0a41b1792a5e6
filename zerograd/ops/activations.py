"""Activation ops: softplus, elu (selu, celu), leaky_relu, hardtanh (relu6), log_sigmoid, mish,
hardsigmoid, hardswish, softshrink, hardshrink, threshold and glu, with their in-place forms.

Each is one node named as torch names it (`EluBackward0`; the in-place forms that save their result
are `...Backward1`).  As in ops/nn_ops.py, forward works on arrays and np_backward is the VJP on
arrays.  Tensor `backward` goes through a second op per activation whose node is torch's
`...BackwardBackward0` (TanhGrad's pattern): its forward is the same array VJP, its backward is
torch's double-backward formula in Tensor ops, so `create_graph=True` gives torch's second
derivatives, also at the kinks (leaky_relu' = 0 everywhere, elu'' = 0 at 0...).  Torch has no
derivative for hardsigmoid's backward: that node raises, as torch's does; mish's backward is
torch's composition of ops.

Numerics follow torch's CPU kernels (the same formula, the same branch at each boundary):
half-precision inputs are computed in float32 and rounded once.  The scalars (alpha, slopes,
bounds, lambda...) are converted as torch converts them: to the tensor's dtype or to its compute
type, with torch's overflow error (`_convert`).  softsign and tanhshrink are not here: torch builds
them from other ops, and so does nn.functional.
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import math

import numpy as np

from ..autograd.function import NotDifferentiable, Op
from ..tensor import Tensor
from ._util import canon_dim, scalar_type_name, wrap
from ._util import convert_scalar as _convert, float_max as _fmax
from .elementwise import where_
from .inplace import apply_inplace
from .nn_losses import PreluKernel

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_ONE_SIXTH = float(np.float32(1.0 / 6.0))   # hardsigmoid_backward's 1.0f/6, in every dtype

_ELU_INPLACE_MSG = ("In-place elu backward calculation is triggered with a negative slope which is "
                    "not supported. This is caused by calling in-place forward function with a "
                    "negative slope, please call out-of-place version instead.")
_LEAKY_INPLACE_MSG = ("In-place leakyReLu backward calculation is triggered with a negative slope "
                      "which is not supported. This is caused by calling in-place forward function "
                      "with a negative slope, please call out-of-place version instead. File an "
                      "issue at https://github.com/pytorch/pytorch if you do require supporting "
                      "in-place leakRelu backward calculation with negative slope")


# ------------------------------------------------------------------------------------------------
# dtypes and scalars
# ------------------------------------------------------------------------------------------------

def _half(dt) -> bool:
    return dt.name in ("float16", "bfloat16")


def _up(a: np.ndarray) -> np.ndarray:
    """The array to compute in: float32 for float16/bfloat16 (torch's opmath), else itself."""
    return a.astype(np.float32) if _half(a.dtype) else a


def _need_float(x: Tensor, kernel: str) -> None:
    """torch's error for an activation without integer or bool kernels."""
    dt = x._data.dtype
    if dt.kind not in "fV":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(dt)}\'')


def _opmath(x: Tensor):
    """The type torch computes a float tensor's activation in (float32 for half types)."""
    dt = x._data.dtype
    return np.dtype(np.float32) if _half(dt) else dt


def _as(v, dt) -> float:
    """v rounded to the float dtype `dt` (a Scalar torch converts to the tensor's dtype); float32
    and float64 arrays round a Python number to their dtype themselves (NumPy's weak scalars)."""
    return float(np.asarray(v, dtype=dt)) if _half(dt) else v


def _inv32(alpha: float) -> float:
    """1.0 / float(alpha): torch's CELU derivative divides by alpha rounded to float32."""
    f = float(np.float32(alpha))
    return 1.0 / f if f != 0 else math.copysign(math.inf, alpha)


def _zeros(like: Tensor) -> Tensor:
    return wrap(np.zeros(like._data.shape, like._data.dtype))


# ------------------------------------------------------------------------------------------------
# softplus
# ------------------------------------------------------------------------------------------------

def _softplus_grad(g, x, beta, th):
    dt = g.dtype
    g, x = _up(g), _up(x)
    bx = x * beta
    z = np.exp(bx)
    return np.where(bx > th, g, g * z / (z + 1)).astype(dt, copy=False)


class Softplus(Op):
    """y = log(1 + exp(βx))/β, or x where βx > threshold
    dx = g·exp(βx)/(exp(βx) + 1), or g where βx > threshold"""
    node_name = "SoftplusBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        bx = c * beta
        return np.where(bx > threshold, c, np.log1p(np.exp(bx)) / beta).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return SoftplusGrad.apply(g, x, ctx.beta, ctx.threshold)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _softplus_grad(g, x, ctx.beta, ctx.threshold)


class SoftplusGrad(Op):
    """w = softplus's VJP: g·σ(βx), or g where βx > threshold
    dg = softplus's VJP of gw,  dx = gw·g·β·σ(βx)(1 - σ(βx)) where βx < threshold, else 0"""
    node_name = "SoftplusBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(g, x)
        return _softplus_grad(g._data, x._data, beta, threshold)

    @staticmethod
    def backward(ctx, gw):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        beta, th = ctx.beta, ctx.threshold
        dg = SoftplusGrad.apply(gw, x, beta, th) if need[0] else None
        dx = None
        if need[1]:
            s = (x * beta).sigmoid()
            keep = wrap(_up(x._data) * beta < th)
            dx = where_(keep, gw * g * s * (1.0 - s) * beta, 0.0)
        return dg, dx


def softplus(input, beta=1.0, threshold=20.0):
    """torch._C._nn.softplus: log(1 + exp(beta·x))/beta, x itself where beta·x > threshold."""
    _need_float(input, "softplus_cpu")
    op = _opmath(input)
    return Softplus.apply(input, _convert(beta, op), _convert(threshold, op))


# ------------------------------------------------------------------------------------------------
# elu, selu, celu
# ------------------------------------------------------------------------------------------------

@_autocast.lower_precision
def prelu(input, weight):
    """x where x > 0, weight·x elsewhere; weight is one number or one per channel (dim 1).
    One PreluKernelBackward0 node, as torch (weight reshaped to broadcast over the input)."""
    for pos, (name, t) in enumerate((("input", input), ("weight", weight)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"prelu(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {scalar_type_name(input._data.dtype)} and "
                           f"{scalar_type_name(weight._data.dtype)}")
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() > 1 else 1
        if channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim "
                           f"= {weight.dim()}")
    if input.dim() != weight.dim():
        weight = weight.reshape([n if i == 1 else 1 for i in range(input.dim())])
    _need_float(input, "prelu_cpu")
    return PreluKernel.apply(input, weight)


def _elu(a, alpha, scale, input_scale):
    c = _up(a)
    y = np.where(c < 0, np.expm1(c * input_scale) * (alpha * scale), c * scale)
    return y.astype(a.dtype, copy=False)


def _elu_grad(g, xr, alpha, scale, input_scale, is_result):
    """torch's elu_backward: xr is the input, or the result for the in-place forms."""
    if is_result and alpha < 0:
        raise RuntimeError(_ELU_INPLACE_MSG)
    dt = g.dtype
    g, xr = _up(g), _up(xr)
    negcoef = alpha * scale
    if is_result:
        neg = g * input_scale * (xr + negcoef)
    else:
        neg = g * input_scale * negcoef * np.exp(xr * input_scale)
    return np.where(xr <= 0, neg, g * scale).astype(dt, copy=False)


def _elu_record(ctx, x, alpha, scale, input_scale, grad_input_scale, is_result):
    ctx.params = (alpha, scale, grad_input_scale, is_result)
    y = _elu(x._data, alpha, scale, input_scale)
    ctx.save_for_backward(y if is_result else x)
    return y


class Elu(Op):
    """y = scale·x if x > 0 else α·scale·(exp(s·x) - 1)  (s = input_scale)
    dx = g·scale if x > 0 else g·s·α·scale·exp(s·x)"""
    node_name = "EluBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        return _elu_record(ctx, x, alpha, scale, input_scale, input_scale, False)

    @staticmethod
    def backward(ctx, g):
        xr, = ctx.saved_tensors
        return EluGrad.apply(g, xr, *ctx.params)

    @staticmethod
    def np_backward(ctx, g):
        xr, = ctx._saved_np()
        return _elu_grad(g, xr, *ctx.params)


class EluResult(Elu):
    """y = elu(x) in place; the VJP reads y (s = input_scale; α < 0 raises there, as torch)
    dx = g·scale if y > 0 else g·s·(y + α·scale)"""
    node_name = "EluBackward1"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        return _elu_record(ctx, x, alpha, scale, input_scale, input_scale, True)


class Celu(Elu):
    """y = x if x > 0 else α·(exp(x/α) - 1)     dx = g if x > 0 else g·exp(x/α)"""
    node_name = "CeluBackward0"

    @staticmethod
    def forward(ctx, x, alpha):
        # torch's derivative takes input_scale = 1/float(alpha) (derivatives.yaml)
        return _elu_record(ctx, x, alpha, 1.0, 1.0 / alpha, _inv32(alpha), False)


class CeluResult(Elu):
    """y = celu(x) in place, the VJP reads y     dx = g if y > 0 else g·(y/α + 1)"""
    node_name = "CeluBackward1"

    @staticmethod
    def forward(ctx, x, alpha):
        return _elu_record(ctx, x, alpha, 1.0, 1.0 / alpha, _inv32(alpha), True)


class EluGrad(Op):
    """w = elu's VJP (torch's elu_backward of g, with s = input_scale)
    dg = elu_backward(gw),  dx = elu_backward(gw·g·s) where x < 0 (a saved y: gw·g·s), else 0"""
    node_name = "EluBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, xr, alpha, scale, input_scale, is_result):
        ctx.params = (alpha, scale, input_scale, is_result)
        ctx.save_for_backward(g, xr)
        return _elu_grad(g._data, xr._data, alpha, scale, input_scale, is_result)

    @staticmethod
    def backward(ctx, gw):
        g, xr = ctx.saved_tensors
        need = ctx.needs_input_grad
        p = ctx.params
        s, is_result = p[2], p[3]
        dg = EluGrad.apply(gw, xr, *p) if need[0] else None
        dxr = None
        if need[1]:
            neg = wrap(xr._data < 0)
            if is_result:
                dxr = where_(neg, gw * g * s, 0.0)
            else:
                dxr = where_(neg, EluGrad.apply(gw * g * s, xr, *p), 0.0)
        return dg, dxr


def _elu_checked(input, alpha, scale, input_scale):
    _need_float(input, "elu_cpu")
    op = _opmath(input)
    return _convert(alpha, op), _convert(scale, op), _convert(input_scale, op)


def elu(input, alpha=1.0, scale=1.0, input_scale=1.0):
    """torch._C._nn.elu: scale·x for x > 0, alpha·scale·(exp(x·input_scale) - 1) otherwise."""
    return Elu.apply(input, *_elu_checked(input, alpha, scale, input_scale))


def _elu_inplace(t, alpha, scale, input_scale):
    return EluResult.apply(t, *_elu_checked(t, alpha, scale, input_scale))


def elu_(input, alpha=1.0, scale=1.0, input_scale=1.0):
    """elu in place (EluBackward1: the backward reads the result)."""
    return apply_inplace(input, _elu_inplace, alpha, scale, input_scale)


def selu(input):
    """torch.selu: elu with torch's fixed alpha and scale (recorded as EluBackward0)."""
    return elu(input, SELU_ALPHA, SELU_SCALE)


def selu_(input):
    return elu_(input, SELU_ALPHA, SELU_SCALE)


def _celu_checked(input, alpha):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _need_float(input, "elu_cpu")
    return _convert(alpha, _opmath(input))


def celu(input, alpha=1.0):
    """torch.celu: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise."""
    return Celu.apply(input, _celu_checked(input, alpha))


def _celu_inplace(t, alpha):
    return CeluResult.apply(t, _celu_checked(t, alpha))


def celu_(input, alpha=1.0):
    return apply_inplace(input, _celu_inplace, alpha)


# ------------------------------------------------------------------------------------------------
# leaky_relu
# ------------------------------------------------------------------------------------------------

def _leaky_grad(g, xr, slope, is_result):
    if is_result and slope < 0:
        raise RuntimeError(_LEAKY_INPLACE_MSG)
    dt = g.dtype
    g, xr = _up(g), _up(xr)
    return np.where(xr > 0, g, g * slope).astype(dt, copy=False)


def _leaky_record(ctx, x, slope, is_result):
    c = _up(x._data)
    y = np.where(c > 0, c, c * slope).astype(x._data.dtype, copy=False)
    ctx.params = (slope, is_result)
    ctx.save_for_backward(y if is_result else x)
    return y


class LeakyRelu(Op):
    """y = x if x > 0 else slope·x     dx = g if x > 0 else slope·g"""
    node_name = "LeakyReluBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, slope):
        return _leaky_record(ctx, x, slope, False)

    @staticmethod
    def backward(ctx, g):
        xr, = ctx.saved_tensors
        return LeakyReluGrad.apply(g, xr, *ctx.params)

    @staticmethod
    def np_backward(ctx, g):
        xr, = ctx._saved_np()
        return _leaky_grad(g, xr, *ctx.params)


class LeakyReluResult(LeakyRelu):
    """y = leaky_relu(x) in place; the VJP reads y (a negative slope raises there, as torch)
    dx = g if y > 0 else slope·g"""
    node_name = "LeakyReluBackward1"

    @staticmethod
    def forward(ctx, x, slope):
        return _leaky_record(ctx, x, slope, True)


class LeakyReluGrad(Op):
    """w = g if x > 0 else slope·g     dg = gw if x > 0 else slope·gw,  dx = 0"""
    node_name = "LeakyReluBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, xr, slope, is_result):
        ctx.slope = slope
        ctx.save_for_backward(xr)
        return _leaky_grad(g._data, xr._data, slope, is_result)

    @staticmethod
    def backward(ctx, gw):
        xr, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((LeakyReluGrad.apply(gw, xr, ctx.slope, False) if need[0] else None),
                (_zeros(xr) if need[1] else None))


def _leaky_checked(input, negative_slope):
    _need_float(input, "leaky_relu_cpu")
    return _convert(negative_slope, _opmath(input))


def leaky_relu(input, negative_slope=0.01):
    """torch._C._nn.leaky_relu: x for x > 0, negative_slope·x otherwise."""
    return LeakyRelu.apply(input, _leaky_checked(input, negative_slope))


def _leaky_inplace(t, negative_slope):
    return LeakyReluResult.apply(t, _leaky_checked(t, negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return apply_inplace(input, _leaky_inplace, negative_slope)


# ------------------------------------------------------------------------------------------------
# hardtanh, relu6
# ------------------------------------------------------------------------------------------------

def _clamp(a, lo, hi):
    """torch's clamp with number bounds: a bound replaces x only when x is beyond it (relu6(-0.0)
    is -0.0), nan stays nan, a nan bound makes every value nan."""
    if lo != lo or hi != hi:
        return np.full(a.shape, np.nan, a.dtype)
    y = np.where(a < lo, np.asarray(lo, a.dtype), a)
    return np.where(y > hi, np.asarray(hi, a.dtype), y)


def _hardtanh_grad(g, x, lo, hi):
    return np.where((x <= lo) | (x >= hi), np.zeros((), g.dtype), g)


class Hardtanh(Op):
    """y = min(max(x, min_val), max_val)     dx = g where min_val < x < max_val, else 0"""
    node_name = "HardtanhBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return _clamp(x._data, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return HardtanhGrad.apply(g, x, ctx.lo, ctx.hi)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _hardtanh_grad(g, x, ctx.lo, ctx.hi)


class HardtanhGrad(Op):
    """w = g where min_val < x < max_val, else 0
    dg = gw where min_val < x < max_val, else 0,  dx = 0"""
    node_name = "HardtanhBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.save_for_backward(x)
        return _hardtanh_grad(g._data, x._data, lo, hi)

    @staticmethod
    def backward(ctx, gw):
        x, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((HardtanhGrad.apply(gw, x, ctx.lo, ctx.hi) if need[0] else None),
                (_zeros(x) if need[1] else None))


def _hardtanh_checked(input, min_val, max_val):
    dt = input._data.dtype
    if dt == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if dt.kind in "iu":         # torch takes the bounds as int64 first (truncated, checked)
        i64 = np.dtype(np.int64)
        min_val, max_val = _convert(min_val, i64), _convert(max_val, i64)
        if dt == np.uint8 and (min_val < 0 or max_val < 0):
            raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return _as(_convert(min_val, dt), dt), _as(_convert(max_val, dt), dt)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """torch._C._nn.hardtanh: x clamped to [min_val, max_val] (integer dtypes too)."""
    return Hardtanh.apply(input, *_hardtanh_checked(input, min_val, max_val))


def _hardtanh_inplace(t, min_val, max_val):
    return Hardtanh.apply(t, *_hardtanh_checked(t, min_val, max_val))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh in place (HardtanhBackward0, which keeps the original input)."""
    return apply_inplace(input, _hardtanh_inplace, min_val, max_val)


def relu6(input):
    """torch._C._nn.relu6: hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0)


def relu6_(input):
    return hardtanh_(input, 0.0, 6.0)


# ------------------------------------------------------------------------------------------------
# log_sigmoid, mish
# ------------------------------------------------------------------------------------------------

def _log_sigmoid_grad(g, x):
    dt = g.dtype
    g, x = _up(g), _up(x)
    neg = x < 0
    z = np.exp(-np.abs(x))
    return (g * (np.where(neg, 1, 0) - np.where(neg, 1, -1) * (z / (1 + z)))).astype(dt, copy=False)


class LogSigmoid(Op):
    """y = log σ(x) = min(x, 0) - log(1 + exp(-|x|))     dx = g·σ(-x)"""
    node_name = "LogSigmoidBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        return (np.minimum(c, 0) - np.log1p(np.exp(-np.abs(c)))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return LogSigmoidGrad.apply(g, x)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _log_sigmoid_grad(g, x)


class LogSigmoidGrad(Op):
    """w = g·σ(-x)     dg = gw·σ(-x),  dx = gw·g·(σ(x) - 1)·σ(x)"""
    node_name = "LogSigmoidBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        return _log_sigmoid_grad(g._data, x._data)

    @staticmethod
    def backward(ctx, gw):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        dg = LogSigmoidGrad.apply(gw, x) if need[0] else None
        dx = None
        if need[1]:
            s = x.sigmoid()
            dx = gw * g * (s - 1.0) * s
        return dg, dx


def log_sigmoid(input):
    """torch.nn.functional.logsigmoid: log(1 / (1 + exp(-x))), stable for any x."""
    _need_float(input, "log_sigmoid_cpu")
    return LogSigmoid.apply(input)


def _mish_grad(g, x):
    dt = g.dtype
    g, x = _up(g), _up(x)
    s = 1 / (1 + np.exp(-x))
    t = np.tanh(np.log1p(np.exp(x)))
    return (g * (t + x * s * (1 - t * t))).astype(dt, copy=False)


class Mish(Op):
    """y = x·tanh(softplus(x))     dx = g·(t + x·σ(x)·(1 - t²)),  t = tanh(softplus(x))"""
    node_name = "MishBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        return (c * np.tanh(np.log1p(np.exp(c)))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # torch's infinitely_differentiable_mish_backward: a composition of ops
        x, = ctx.saved_tensors
        s = x.sigmoid()
        t = Softplus.apply(x, 1.0, 20.0).tanh()
        return g * (t + x * s * (1.0 - t * t))

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _mish_grad(g, x)


def mish(input):
    """torch._C._nn.mish: x·tanh(softplus(x))."""
    _need_float(input, "mish_cpu")
    return Mish.apply(input)


def mish_(input):
    """mish in place (MishBackward0, which keeps the original input)."""
    return apply_inplace(input, mish)


# ------------------------------------------------------------------------------------------------
# hardsigmoid, hardswish
# ------------------------------------------------------------------------------------------------

def _hardsigmoid_grad(g, x):
    dt = g.dtype
    g, x = _up(g), _up(x)
    inside = (x > -3) & (x < 3)
    return np.where(inside, g * _ONE_SIXTH, np.zeros((), g.dtype)).astype(dt, copy=False)


class Hardsigmoid(Op):
    """y = min(max(x + 3, 0), 6)/6     dx = g/6 where -3 < x < 3, else 0"""
    node_name = "HardsigmoidBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        return (np.minimum(np.maximum(c + 3, 0), 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return NotDifferentiable.record(HardsigmoidGrad.apply(g, x))

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _hardsigmoid_grad(g, x)


class HardsigmoidGrad(NotDifferentiable):
    """hardsigmoid's VJP, g/6 where -3 < x < 3: torch has no derivative for it, so its node
    raises at backward (torch::autograd::NotImplemented)"""
    node_name, aten = "NotImplemented", "hardsigmoid_backward"

    @staticmethod
    def forward(ctx, g, x):
        return _hardsigmoid_grad(g._data, x._data)


def _hardswish_grad(g, x):
    dt = g.dtype
    g, x = _up(g), _up(x)
    inner = np.where(x < 3, g * (x / 3 + 0.5), g)          # (nan takes g, as in torch)
    return np.where(x <= -3, np.zeros((), g.dtype), inner).astype(dt, copy=False)


class Hardswish(Op):
    """y = x·min(max(x + 3, 0), 6)/6     dx = 0 if x <= -3, g if x >= 3, else g·(x/3 + 1/2)"""
    node_name = "HardswishBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        return (c * np.minimum(np.maximum(c + 3, 0), 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return HardswishGrad.apply(g, x)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _hardswish_grad(g, x)


class HardswishGrad(Op):
    """w = hardswish's VJP
    dg = hardswish's VJP of gw,  dx = gw·g/3 where -3 < x < 3, else 0"""
    node_name = "HardswishBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        return _hardswish_grad(g._data, x._data)

    @staticmethod
    def backward(ctx, gw):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        dg = HardswishGrad.apply(gw, x) if need[0] else None
        dx = None
        if need[1]:
            xd = x._data
            dx = where_(wrap((xd > -3) & (xd < 3)), gw * g / 3.0, 0.0)
        return dg, dx


def hardsigmoid(input):
    _need_float(input, "hardsigmoid_cpu")
    return Hardsigmoid.apply(input)


def hardsigmoid_(input):
    return apply_inplace(input, hardsigmoid)


def hardswish(input):
    _need_float(input, "hardswish_cpu")
    return Hardswish.apply(input)


def hardswish_(input):
    return apply_inplace(input, hardswish)


# ------------------------------------------------------------------------------------------------
# softshrink, hardshrink, threshold
# ------------------------------------------------------------------------------------------------

def _shrink_grad(g, x, lambd):
    """torch's shrink_backward (softshrink's and hardshrink's): 0 where -λ <= x <= λ."""
    dt = g.dtype
    g, x = _up(g), _up(x)
    return np.where((x >= -lambd) & (x <= lambd), np.zeros((), g.dtype), g).astype(dt, copy=False)


class Softshrink(Op):
    """y = x - λ if x > λ, x + λ if x < -λ, else 0     dx = g where |x| > λ, else 0"""
    node_name = "SoftshrinkBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        # between the bounds: +0 as torch's vectorized kernel (its scalar tail gives x·0, -0.0
        # for negative x: torch's sign of zero depends on the position), nan stays nan
        y = np.where(c > lambd, c - lambd, np.where(c < -lambd, c + lambd, np.abs(c) * 0))
        return y.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return SoftshrinkGrad.apply(g, x, ctx.lambd)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _shrink_grad(g, x, ctx.lambd)


class SoftshrinkGrad(Op):
    """w = g where |x| > λ, else 0     dg = gw where |x| > λ, else 0,  dx = 0"""
    node_name = "SoftshrinkBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        return _shrink_grad(g._data, x._data, lambd)

    @staticmethod
    def backward(ctx, gw):
        x, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((type(ctx)._fn.apply(gw, x, ctx.lambd) if need[0] else None),
                (_zeros(x) if need[1] else None))


class Hardshrink(Op):
    """y = 0 if -λ <= x <= λ, else x     dx = 0 if -λ <= x <= λ, else g"""
    node_name = "HardshrinkBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(x)
        a = x._data
        c = _up(a)
        return np.where((c >= -lambd) & (c <= lambd), np.zeros((), c.dtype), c).astype(a.dtype,
                                                                                      copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return HardshrinkGrad.apply(g, x, ctx.lambd)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _shrink_grad(g, x, ctx.lambd)


class HardshrinkGrad(SoftshrinkGrad):
    """w = 0 if -λ <= x <= λ, else g     dg = 0 if -λ <= x <= λ, else gw,  dx = 0"""
    node_name = "HardshrinkBackwardBackward0"


_FLOAT_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


def softshrink(input, lambd=0.5):
    """torch._C._nn.softshrink: x - lambd above lambd, x + lambd below -lambd, 0 between."""
    _need_float(input, "softshrink_check")
    dt = input._data.dtype
    top = _fmax(dt)
    lam = float(lambd)
    if not 0 <= lam <= top:
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{_FLOAT_NAMES[dt.name]}, but found {lam:g}")
    return Softshrink.apply(input, _as(lam, dt))


def hardshrink(input, lambd=0.5):
    """torch.hardshrink / Tensor.hardshrink: 0 where -lambd <= x <= lambd, x elsewhere."""
    _need_float(input, "hardshrink_cpu")
    dt = input._data.dtype
    return Hardshrink.apply(input, _as(_convert(lambd, dt), dt))


def _threshold_grad(g, x, th):
    x = _up(x)
    return np.where(x <= th, np.zeros((), g.dtype), g)


class Threshold(Op):
    """y = value if x <= threshold, else x     dx = 0 if x <= threshold, else g"""
    node_name = "ThresholdBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, th, value):
        ctx.th = th
        ctx.save_for_backward(x)
        a = x._data
        return np.where(_up(a) <= th, np.asarray(value, a.dtype), a)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return ThresholdGrad.apply(g, x, ctx.th)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _threshold_grad(g, x, ctx.th)


class ThresholdInplace(Threshold):
    """y = threshold(x) in place; the VJP reads the original x
    dx = 0 if x <= threshold, else g"""
    node_name = "ThresholdBackward1"


class ThresholdGrad(Op):
    """w = 0 if x <= threshold, else g     dg = 0 if x <= threshold, else gw,  dx = 0"""
    node_name = "ThresholdBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, th):
        ctx.th = th
        ctx.save_for_backward(x)
        return _threshold_grad(g._data, x._data, th)

    @staticmethod
    def backward(ctx, gw):
        x, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((ThresholdGrad.apply(gw, x, ctx.th) if need[0] else None),
                (_zeros(x) if need[1] else None))


def _threshold_checked(input, threshold, value):
    dt = input._data.dtype
    if dt == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return _convert(threshold, _opmath(input) if dt.kind in "fV" else dt), _convert(value, dt)


def threshold(input, threshold, value):  # noqa: F811 - torch's parameter name
    """torch.threshold: value where x <= threshold, x elsewhere (integer dtypes too)."""
    return Threshold.apply(input, *_threshold_checked(input, threshold, value))


def _threshold_inplace(t, th, value):
    return ThresholdInplace.apply(t, *_threshold_checked(t, th, value))


def threshold_(input, threshold, value):
    """threshold in place (ThresholdBackward1, which keeps the original input)."""
    return apply_inplace(input, _threshold_inplace, threshold, value)


# ------------------------------------------------------------------------------------------------
# glu
# ------------------------------------------------------------------------------------------------

def _halves(a, dim):
    h = a.shape[dim] // 2
    idx = [slice(None)] * a.ndim
    first, second = list(idx), list(idx)
    first[dim], second[dim] = slice(0, h), slice(h, None)
    return a[tuple(first)], a[tuple(second)]


def _glu_grad(g, x, dim):
    dt = g.dtype
    a, b = _halves(_up(x), dim)
    g = _up(g)
    s = 1 / (1 + np.exp(-b))
    return np.concatenate([s * g, (1 - s) * s * a * g], axis=dim).astype(dt, copy=False)


class Glu(Op):
    """y = a·σ(b), (a, b) = the halves of x along dim     dx = (g·σ(b), g·a·σ(b)(1 - σ(b)))"""
    node_name = "GluBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        a, b = _halves(_up(x._data), dim)
        return (a * (1 / (1 + np.exp(-b)))).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return GluGrad.apply(g, x, ctx.dim)

    @staticmethod
    def np_backward(ctx, g):
        x, = ctx._saved_np()
        return _glu_grad(g, x, ctx.dim)


class GluGrad(Op):
    """w = (g·s, g·a·s(1 - s)), s = σ(b); gw = (wa, wb) in halves like x = (a, b)
    dg = wa·s + wb·a·s(1 - s),  dx = (wb·g·s(1 - s), (wa + wb·a(1 - 2s))·g·s(1 - s))"""
    node_name = "GluBackwardBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, x)
        return _glu_grad(g._data, x._data, dim)

    @staticmethod
    def backward(ctx, gw):
        from .join import cat
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        dim = ctx.dim
        h = x.shape[dim] // 2
        a, b = x.narrow(dim, 0, h), x.narrow(dim, h, h)
        wa, wb = gw.narrow(dim, 0, h), gw.narrow(dim, h, h)
        s = b.sigmoid()
        ds = s * (1.0 - s)
        dg = wa * s + wb * a * ds if need[0] else None
        dx = None
        if need[1]:
            dx = cat([wb * g * ds, wa * g * ds + wb * g * a * ds * (1.0 - 2.0 * s)], dim)
        return dg, dx


def glu(input, dim=-1):
    """torch.nn.functional.glu: a·σ(b) for the two halves a, b of the input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = canon_dim(dim, input.dim())
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    _need_float(input, "glu_cpu")
    return Glu.apply(input, d)


__all__ = ["softplus", "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu",
           "leaky_relu_", "hardtanh", "hardtanh_", "relu6", "relu6_", "log_sigmoid", "mish",
           "mish_", "hardsigmoid", "hardsigmoid_", "hardswish", "hardswish_", "softshrink",
           "hardshrink", "threshold", "threshold_", "glu"]
