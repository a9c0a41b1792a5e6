"""The few nn ops that torch records as one node of their own, beside nn_ops.py's: huber_loss
(HuberLossBackward0), soft_margin_loss (SoftMarginLossBackward0), prelu (PreluKernelBackward0)
and the norm of pairwise_distance (NormBackward1).  Every other loss of nn.functional is a
composite of differentiable ops (its gradients and double backward come from theirs).

As in nn_ops.py: forward works on arrays, backward on Tensors (so it can be differentiated
again), and `_scale(ctx, g)` is g divided by the element count for reduction='mean'.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ._util import binary_arrays, scalar_type_name
from .elementwise import where_
from .nn_ops import _nan_sign, _reduce, _scale
from .reduce import Norm


def _reduced(loss: np.ndarray, reduction: str) -> np.ndarray:
    """reduce(loss); the mean of nothing is nan, without NumPy's warning (torch gives none)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _reduce(loss, reduction)


class HuberLoss(Op):
    """loss = reduce(½u² if |u| < δ else δ(|u| - ½δ)),  u = x - y     (in x's dtype)
    dx = g/n · (u if |u| < δ else δ·sign(u)),   dy = -dx      (u = nan: nan, as torch)
    (continuous at |u| = δ; the second derivative there is 0, as torch's |u| < δ).  torch's
    backward kernel wants x and y of one dtype: it raises for any other, as torch."""
    node_name = "HuberLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        a, b = binary_arrays(x, y)
        d = a - b
        ad = np.abs(d)
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        ctx.reduction, ctx.count, ctx.delta = reduction, d.size, delta
        ctx.save_for_backward(x, y)
        return _reduced(loss.astype(x._data.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if x.dtype != y.dtype:
            raise RuntimeError(f"Found dtype {scalar_type_name(y.dtype)} but expected "
                               f"{scalar_type_name(x.dtype)}")
        d = x - y
        dx = where_(d.abs() < ctx.delta, d, _nan_sign(d) * ctx.delta) * _scale(ctx, g)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class SoftMarginLoss(Op):
    """loss = reduce(log(1 + e)),  e = exp(-y·x)     (in x's dtype and shape; y broadcasts to x)
    dx = -g/n · y·e / (1 + e)      (torch's formula: e = inf gives loss inf and gradient nan;
    y gets no gradient: F.soft_margin_loss refuses a y that requires grad, as torch)"""
    node_name = "SoftMarginLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction):
        a, b = binary_arrays(x, y)
        with np.errstate(over="ignore"):
            loss = np.log1p(np.exp(-b * a))
        ctx.reduction, ctx.count = reduction, a.size
        ctx.save_for_backward(x, y)
        return _reduced(loss.astype(x._data.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if y._data.dtype == np.bool_:        # (torch's backward negates the target first)
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                               "you are trying to invert a mask, use the `~` or `logical_not()` "
                               "operator instead.")
        e = (-(y * x)).exp()
        return -(y * e) / (e + 1.0) * _scale(ctx, g), None


class PreluKernel(Op):
    """z = x if x > 0 else w·x   (w already shaped to broadcast over x)
    dx = g if x > 0 else w·g,     dw = 0 if x > 0 else x·g   (x = 0 takes the w side)"""
    node_name = "PreluKernelBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, w):
        a = x._data
        ctx.save_for_backward(x, w)
        return np.where(a > 0, a, w._data * a)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        dx, dw = PreluKernelBackward.apply(g, x, w)
        need = ctx.needs_input_grad
        return (dx if need[0] else None), (dw if need[1] else None)


class PreluKernelBackward(Op):
    """(dx, dw) = (g if x > 0 else w·g,  0 if x > 0 else x·g)     (dw before the sum to w's shape)
    dg = ggx (x ≥ 0) or w·ggx + x·ggw (x < 0),  dx = 0 or g·ggw,  dw = 0 or g·ggx  (likewise)

    PreluKernel's VJP as an op of its own, as torch records it under create_graph; its own VJP
    (above, given the gradients ggx, ggw of dx, dw) is torch's, which puts x = 0 on the positive
    side."""
    node_name = "PreluKernelBackwardBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, g, x, w):
        gv, a = g._data, x._data
        ctx.save_for_backward(g, x, w)
        pos = a > 0
        return np.where(pos, gv, w._data * gv), np.where(pos, 0, a * gv).astype(a.dtype)

    @staticmethod
    def backward(ctx, ggx, ggw):
        g, x, w = ctx.saved_tensors
        pos = x >= 0
        need = ctx.needs_input_grad
        dg = where_(pos, ggx, w * ggx + x * ggw) if need[0] else None
        dx = where_(pos, 0.0, g * ggw) if need[1] else None
        dw = where_(pos, 0.0, g * ggx) if need[2] else None
        return dg, dx, dw


class PairwiseNorm(Norm):
    """torch.norm(x, p, dim, keepdim) as pairwise_distance records it (at::norm: NormBackward1);
    the rule is linalg.vector_norm's (Norm)."""
    node_name = "NormBackward1"
