"""More of nn.functional, with torch's signatures, defaults, checks and graphs: bilinear
(TrilinearBackward0), local_response_norm (a composite), rrelu (RreluWithNoiseBackward0),
gumbel_softmax (a composite), multi_margin_loss (MultiMarginLossBackward0), multilabel_margin_loss
(MultilabelMarginLossBackward0), triplet_margin_with_distance_loss (a composite) and embedding_bag
(EmbeddingBagBackward0).  nn/functional.py re-exports every name in __all__."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _lazy
from .. import grad_mode as _gm
from ..autograd.function import NotDifferentiable, Op
from ..ops import random as _rand
from ..ops._util import (accumulate_dtype, c10_type_name, canon_dim, scalar_type_name,
                         widened, wrap)
from ..tensor import Tensor

_F = _lazy.on_first_use("zerograd.nn.functional")       # (functional imports this module)
_zg = _lazy.on_first_use("zerograd")

__all__ = ["bilinear", "local_response_norm", "rrelu", "rrelu_", "gumbel_softmax",
           "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss",
           "embedding_bag", "pdist", "channel_shuffle"]


_up = widened           # (float32 for float16/bfloat16: torch's opmath)


def _half(dt) -> bool:
    return accumulate_dtype(dt) is not None


def _seq_sum(a: np.ndarray, axis: int) -> np.ndarray:
    """The sum along `axis` added left to right (torch's loops), not NumPy's pairwise sum."""
    if a.shape[axis] == 0:
        return np.sum(a, axis=axis)
    return np.take(np.cumsum(a, axis=axis), -1, axis=axis)


def _shape(t) -> list:
    return list(t.shape)


# ------------------------------------------------------------------------------------------------
# bilinear
# ------------------------------------------------------------------------------------------------

class Trilinear(Op):
    """y[n, o] = Σ_ij x1[n, i] W[o, i, j] x2[n, j]
    dx1 = Σ_oj g W x2,   dW = Σ_n g x1 x2,   dx2 = Σ_oi g x1 W   (einsums, differentiable again)"""
    node_name = "TrilinearBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x1, w, x2):
        ctx.save_for_backward(x1, w, x2)
        a, W, b = x1._data, w._data, x2._data
        dt = a.dtype
        a, W, b = _up(a), _up(W), _up(b)
        t = np.einsum("ni,oij->noj", a, W, optimize=True)
        return np.einsum("noj,nj->no", t, b).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        x1, w, x2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        ein = _zg.einsum
        return ((ein("no,oij,nj->ni", g, w, x2) if need[0] else None),
                (ein("no,ni,nj->oij", g, x1, x2) if need[1] else None),
                (ein("no,ni,oij->nj", g, x1, w) if need[2] else None))


def _size(t, d):
    if t.dim() == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return t.shape[canon_dim(d, t.dim())]


def bilinear(input1, input2, weight, bias=None):
    """y = x1ᵀ A x2 + b over the last dims: input1 (*, in1), input2 (*, in2), weight
    (out, in1, in2), bias (out,).  Recorded as torch: views of the inputs flattened to
    (N, in), one TrilinearBackward0, a view back and an add of the bias."""
    ts = [input1, input2, weight] + ([bias] if bias is not None else [])
    if len({t.dtype for t in ts}) > 1:
        names = ["input1", "input2", "weight", "bias"]
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{n}: {c10_type_name(t.dtype)}" for n, t in zip(names, ts)))
    d1, d2 = input1.dim(), input2.dim()
    if d1 != d2:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {d1} and {d2}")
    for i in range(d1 - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{input1.shape[i]} and {input2.shape[i]}")
    if _size(input1, d1 - 1) != _size(weight, 1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if _size(input2, d2 - 1) != _size(weight, 2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None and _size(bias, 0) != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    if weight.dim() != 3:
        raise RuntimeError("number of dimensions must match")
    batch = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out = Trilinear.apply(x1, weight, x2).view(batch + (weight.shape[0],))
    return out if bias is None else out + bias


# ------------------------------------------------------------------------------------------------
# local_response_norm
# ------------------------------------------------------------------------------------------------

def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """x / (k + α·mean of x² over `size` neighbouring channels)^β, the window of channel c
    running from c - size//2 to c + (size-1)//2 (zero-padded).  Composed as torch: x·x,
    (unsqueeze or view), pad, avg_pool2d / avg_pool3d, squeeze, mul, add, pow, div."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = _F.pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = _F.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = _F.pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = _F.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# ------------------------------------------------------------------------------------------------
# rrelu
# ------------------------------------------------------------------------------------------------

def _rrelu_noise(a: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """torch's training-mode slopes: for each element x <= 0, in memory order, a double
    uniform_real_distribution(l, u) draw (random64's low 53 bits · 2⁻⁵³ · (u - l) + l, no fused
    multiply-add; l and u first rounded to the compute type), cast to the compute type; 1 for
    x > 0."""
    flat = np.ascontiguousarray(_up(a)).reshape(-1)
    lower, upper = float(flat.dtype.type(lower)), float(flat.dtype.type(upper))
    neg = ~(flat > 0)
    n = int(neg.sum())
    r = np.ones(flat.shape, flat.dtype)
    if n:
        u = _rand._u53(_rand._gen(None)._words64(n))
        r[neg] = (u * (upper - lower) + lower).astype(flat.dtype)
    return r.reshape(a.shape)


class RreluWithNoise(Op):
    """training: y = x·r (r drawn per element x <= 0, else 1),  dx = g·r
    eval:     y = x if x > 0 else slope·x  (slope = (l + u)/2),  dx = g if x > 0 else slope·g"""
    node_name = "RreluWithNoiseBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, lower, upper, training, is_result=False):
        a = x._data
        c = _up(a)
        if training:
            r = _rrelu_noise(a, lower, upper)
            out = (c * r).astype(a.dtype, copy=False)
            ctx.noise = r.astype(a.dtype, copy=False)
        else:
            slope = c.dtype.type((lower + upper) / 2)
            out = np.where(c > 0, c, c * slope).astype(a.dtype, copy=False)
            ctx.noise = None
        ctx.params = (lower, upper, training)
        ctx.save_for_backward(out if is_result else x)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        lower, upper, training = ctx.params
        if training and upper - lower > 1e-6:
            return g * wrap(ctx.noise)
        slope = (lower + upper) / 2
        return _zg.where(x > 0, g, g * slope)


class RreluWithNoiseResult(RreluWithNoise):
    """rrelu_ (in place): the VJP reads the result"""
    node_name = "RreluWithNoiseBackward1"

    @staticmethod
    def forward(ctx, x, lower, upper, training):
        return RreluWithNoise.forward(ctx, x, lower, upper, training, True)


def _rrelu_checks(input, lower, upper, training):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if input._data.dtype.kind not in "fV":
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{scalar_type_name(input.dtype)}'")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: in training, each non-positive element is scaled by a slope drawn
    uniformly from [lower, upper] (torch's generator, bit for bit); in eval by (lower+upper)/2."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    _rrelu_checks(input, lower, upper, training)
    return RreluWithNoise.apply(input, float(lower), float(upper), bool(training))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """rrelu in place (RreluWithNoiseBackward1)."""
    from ..ops import inplace as _inplace
    _rrelu_checks(input, lower, upper, training)
    return _inplace.apply_inplace(input, lambda t: RreluWithNoiseResult.apply(
        t, float(lower), float(upper), bool(training)))


# ------------------------------------------------------------------------------------------------
# gumbel_softmax
# ------------------------------------------------------------------------------------------------

def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g)/tau) with g = -log(Exp(1)) noise drawn as torch draws it
    (empty(...).exponential_().log(): the same values after the same seed); hard=True returns
    the one-hot of the argmax with the soft sample's gradient (straight through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = _zg.empty(tuple(logits.shape), dtype=logits.dtype)
    gumbels = -noise.exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _zg.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# ------------------------------------------------------------------------------------------------
# multi_margin_loss
# ------------------------------------------------------------------------------------------------

def _margin_dims(input):
    """(nframe, dim) of a margin loss input, with torch's check of its shape."""
    nd = input.dim()
    if not (nd == 0 or (nd == 1 and input.shape[0] != 0) or (nd == 2 and input.shape[1] != 0)):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {_shape(input)}")
    return (1 if nd <= 1 else input.shape[0]), (1 if nd == 0 else input.shape[-1])


def _reduced(loss: np.ndarray, reduction: str, dtype) -> np.ndarray:
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    s = _seq_sum(loss.reshape(-1), 0)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            s = s / loss.size if loss.size else np.asarray(np.nan, s.dtype)
    return np.asarray(s, dtype)


class MultiMarginLoss(Op):
    """loss_n = Σ_{j≠y} w[y]·max(0, margin - x[y] + x[j])^p / C        (p = 1 or 2)
    dx_j = w[y]·(1 or 2z)/C · g where z_j > 0,  dx_y = -Σ_j dx_j   (g/N for 'mean')"""
    node_name = "MultiMarginLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, y, p, margin, weight, reduction):
        a = x._data
        X = a.reshape(-1, 1) if a.ndim == 0 else a.reshape(-1, a.shape[-1]) if a.ndim == 1 \
            else a
        tgt = y._data.reshape(-1).astype(np.int64)
        N, C = X.shape
        rows = np.arange(N)
        z = margin - X[rows, tgt][:, None] + X
        z = np.where(z > 0, z, X.dtype.type(0))      # (a nan term is skipped, as torch's "if z > 0")
        h = z if p == 1 else z * z
        if weight is not None:
            h = h * weight._data[tgt][:, None]
        h[rows, tgt] = 0
        loss = _seq_sum(h, 1) / X.dtype.type(C)
        ctx.save_for_backward(x, y)
        ctx.params = (p, margin, weight, reduction, a.shape, N, C)
        out = _reduced(loss, reduction, a.dtype)
        if reduction == "none" and a.ndim <= 1:
            out = out.reshape(())
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return NotDifferentiable.record(MultiMarginLossGrad.apply(g, x, y, *ctx.params))


class MultiMarginLossGrad(NotDifferentiable):
    node_name, aten = "NotImplemented", "multi_margin_loss_backward"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, y, p, margin, weight, reduction, shape, N, C):
        a = x._data
        X = a.reshape(N, C)
        tgt = y._data.reshape(-1).astype(np.int64)
        rows = np.arange(N)
        z = margin - X[rows, tgt][:, None] + X
        act = z > 0
        act[rows, tgt] = False
        d = np.where(act, 1 if p == 1 else 2 * z, 0).astype(X.dtype)
        if weight is not None:
            d = d * weight._data[tgt][:, None]
        gv = g._data
        scale = X.dtype.type(1.0 / (N * C) if reduction == "mean" else 1.0 / C)
        gcol = gv.reshape(-1, 1) if reduction == "none" else gv.reshape(1, 1)
        d = d * scale * gcol
        d[rows, tgt] = -d.sum(1)
        return d.astype(a.dtype, copy=False).reshape(shape)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss of scores `input` (C,) or (N, C) at class indices `target`:
    Σ_{j≠y} w[y]·max(0, margin - x[y] + x[j])^p / C per sample, then reduced."""
    reduction = _F._reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nframe, dim = _margin_dims(input)
    if not (target.dim() <= 1 and target.numel() == nframe):
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size "
                           f"[{nframe}], but got {_shape(target)}. Input has shape "
                           f"{_shape(input)}.")
    dt = input._data.dtype
    if dt.kind != "f" or _half(dt):
        raise NotImplementedError(f'"multi_margin_loss_cpu_kernel" not implemented for '
                                  f"'{scalar_type_name(input.dtype)}'")
    if weight is not None:
        if weight.numel() != dim:
            raise RuntimeError(f"inconsistent weight size, expected {dim} but got "
                               f"{_shape(weight)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                               f"{scalar_type_name(weight.dtype)}")
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{scalar_type_name(target.dtype)}")
    tv = target._data
    if tv.size and (tv.min() < 0 or tv.max() >= dim):
        raise RuntimeError("target out of range")
    _F._not_differentiable("multi_margin_loss", weight=weight)
    return MultiMarginLoss.apply(input, target, int(p), float(margin), weight, reduction)


# ------------------------------------------------------------------------------------------------
# multilabel_margin_loss
# ------------------------------------------------------------------------------------------------

def _multilabel_terms(X, T):
    """The active (sample, target slot, class) triples and their margins z = 1 - x[t] + x[k]."""
    N, C = X.shape
    valid = np.cumprod(T >= 0, axis=1).astype(bool)              # the slots before the first -1
    tgt = np.where(valid, T, 0)
    is_target = np.zeros((N, C), bool)
    rr = np.repeat(np.arange(N), C)
    is_target[rr[valid.reshape(-1)], tgt[valid]] = True
    xt = np.take_along_axis(X, tgt, 1)                              # (N, C) x at each slot
    z = 1 - xt[:, :, None] + X[:, None, :]                         # (N, slot, class)
    act = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
    return z, act, tgt, is_target


class MultilabelMarginLoss(Op):
    """loss_n = Σ_{t in targets} Σ_{k not a target} max(0, 1 - x[t] + x[k]) / C
    dx_k = +g/C and dx_t = -g/C for each pair with a positive hinge
    (targets: target[n] up to its first -1)"""
    node_name = "MultilabelMarginLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, y, reduction):
        a = x._data
        X = a.reshape(-1, 1) if a.ndim == 0 else a.reshape(-1, a.shape[-1])
        T = y._data.reshape(X.shape).astype(np.int64)
        z, act, _, is_target = _multilabel_terms(X, T)
        h = np.where(act, z, 0).astype(X.dtype, copy=False)
        loss = _seq_sum(h.reshape(X.shape[0], -1), 1) / X.dtype.type(X.shape[1])
        ctx.save_for_backward(x, y)
        ctx.params = (reduction, a.shape)
        ctx.is_target = is_target.astype(a.dtype).reshape(a.shape)
        out = _reduced(loss, reduction, a.dtype)
        if reduction == "none" and a.ndim <= 1:
            out = out.reshape(())
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return NotDifferentiable.record(MultilabelMarginLossGrad.apply(g, x, y, *ctx.params))


class MultilabelMarginLossGrad(NotDifferentiable):
    node_name, aten = "NotImplemented", "multilabel_margin_loss_backward"
    arity = 2

    @staticmethod
    def forward(ctx, g, x, y, reduction, shape):
        a = x._data
        X = a.reshape(-1, 1) if a.ndim == 0 else a.reshape(-1, a.shape[-1])
        N, C = X.shape
        T = y._data.reshape(X.shape).astype(np.int64)
        _, act, tgt, _ = _multilabel_terms(X, T)
        scale = 1.0 / (N * C) if reduction == "mean" else 1.0 / C
        gv = g._data.astype(np.float64)
        gcol = gv.reshape(-1, 1) if reduction == "none" else gv.reshape(1, 1)
        d = act.sum(1).astype(np.float64)                          # (N, C): +1 per slot
        slots = act.sum(2).astype(np.float64)                      # (N, slot): -1 per class
        np.add.at(d, (np.repeat(np.arange(N), C), tgt.reshape(-1)), -slots.reshape(-1))
        return (d * scale * gcol).astype(a.dtype).reshape(shape)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: target[n] lists class indices up to its first -1; each pair of a
    target class t and a non-target class k adds max(0, 1 - (x[t] - x[k])) / C."""
    reduction = _F._reduction(size_average, reduce, reduction)
    _margin_dims(input)
    nd = input.dim()
    C = 1 if nd == 0 else input.shape[-1]
    ok = (target.dim() <= 1 and target.numel() == C) if nd <= 1 else \
        (target.dim() == 2 and tuple(target.shape) == tuple(input.shape))
    if not ok:
        raise RuntimeError(f"inconsistent target size: {_shape(target)} for input of size: "
                           f"{_shape(input)}")
    tv = target._data
    if tv.size and (tv.min() < -1 or tv.max() >= C):
        raise RuntimeError("argument #2 'target' is out of range")
    dt = input._data.dtype
    if dt.kind != "f" or _half(dt):
        raise NotImplementedError(f'"multilabel_margin_loss_forward_out_frame" not implemented '
                                  f"for '{scalar_type_name(input.dtype)}'")
    if tv.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{scalar_type_name(target.dtype)}")
    return MultilabelMarginLoss.apply(input, target, reduction)


# ------------------------------------------------------------------------------------------------
# triplet_margin_with_distance_loss
# ------------------------------------------------------------------------------------------------

def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """reduce(max(0, margin + d(a, p) - d(a, n))) with any distance d (pairwise_distance by
    default); swap: d(a, n) becomes min(d(a, n), d(p, n))."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    dist = distance_function if distance_function is not None else _F.pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _zg.minimum(d_neg, dist(positive, negative))
    loss = _zg.clamp_min(margin + d_pos - d_neg, 0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


# ------------------------------------------------------------------------------------------------
# embedding_bag
# ------------------------------------------------------------------------------------------------

_LEGACY_TENSOR = {"float32": "Float", "float64": "Double", "float16": "Half",
                  "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                  "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _type_str(v) -> str:
    """str(type(v)) as torch prints it (a Tensor is torch's)."""
    return "<class 'torch.Tensor'>" if isinstance(v, Tensor) else str(type(v))


def _tensor_type(t) -> str:
    return f"torch.{_LEGACY_TENSOR.get(t._data.dtype.name, t._data.dtype.name)}Tensor"


def _bags(idx, offs, include_last_offset):
    """bag_of[l]: the bag of input position l (-1 for none) and the number of bags."""
    L = idx.size
    B = max(offs.size - 1, 0) if include_last_offset else offs.size
    bag_of = np.full(L, -1, np.int64)
    ends = offs[1:B + 1] if include_last_offset else np.append(offs[1:], L)
    for b in range(B):
        bag_of[offs[b]:ends[b]] = b
    return bag_of, B


class EmbeddingBag(Op):
    """out[b] = reduce_l weight[idx[l]] (· psw[l]) over bag b     dweight = g[b] added to the rows bag b read (/ count: mean; the max's row: max)

    The reduction runs over the positions l of bag b (padding_idx left out): 'sum' (times
    per_sample_weights when given), 'mean' divides by the count, 'max' takes each column's
    max (the first on ties); an empty bag gives zeros.  Backward composes index_add/index_select
    (so it is differentiable again)."""
    node_name = "EmbeddingBagBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, weight, psw, idx, bag_of, B, mode, padding_idx, freq):
        W = weight._data
        D = W.shape[1]
        keep = bag_of >= 0
        if padding_idx is not None:
            keep &= idx != padding_idx
        kb, ki = bag_of[keep], idx[keep]
        count = np.bincount(kb, minlength=B)[:B]
        cw = _up(W)
        if mode == "max":
            out = np.full((B, D), -np.inf, cw.dtype)
            arg = np.full((B, D), -1, np.int64)
            for pos in np.nonzero(keep)[0]:
                b, row = bag_of[pos], cw[idx[pos]]
                better = (row > out[b]) | (arg[b] < 0)
                out[b] = np.where(better, row, out[b])
                arg[b] = np.where(better, idx[pos], arg[b])
            out[arg < 0] = 0
            ctx.arg = arg
        else:
            rows = cw[ki]
            if psw is not None:
                rows = rows * _up(psw._data)[keep][:, None]
            out = np.zeros((B, D), cw.dtype)
            np.add.at(out, kb, rows)
            if mode == "mean":
                out = out / np.maximum(count, 1).astype(cw.dtype)[:, None]
        coef = np.ones(kb.size)
        if mode == "mean":
            coef = 1.0 / count[kb]
        if freq:
            coef = coef / np.bincount(ki, minlength=W.shape[0])[ki]
        ctx.params = (keep, kb, ki, coef.astype(W.dtype), mode, W.shape)
        ctx.save_for_backward(weight, psw)
        return out.astype(W.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        weight, psw = ctx.saved_tensors
        keep, kb, ki, coef, mode, wshape = ctx.params
        need = ctx.needs_input_grad
        dW = dpsw = None
        if need[0]:
            if mode == "max":
                arg = ctx.arg
                b, d = np.nonzero(arg >= 0)
                flat = wrap(arg[b, d] * wshape[1] + d)
                gv = g[wrap(b), wrap(d)]
                dW = _zg.zeros(wshape[0] * wshape[1], dtype=g.dtype).index_add(
                    0, flat, gv).view(wshape)
            else:
                rows = g.index_select(0, wrap(kb)) * wrap(coef)[:, None]
                if psw is not None:
                    rows = rows * psw.index_select(0, wrap(np.nonzero(keep)[0]))[:, None]
                dW = _zg.zeros(wshape, dtype=g.dtype).index_add(0, wrap(ki), rows)
        if psw is not None and need[1]:
            pos = wrap(np.nonzero(keep)[0])
            vals = (g.index_select(0, wrap(kb)) * weight.index_select(0, wrap(ki))).sum(1)
            dpsw = _zg.zeros(keep.shape, dtype=g.dtype).index_add(0, pos, vals)
        return dW, dpsw


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes of bags of embeddings: bag b holds input[offsets[b]:offsets[b+1]]
    (a 2-D input: each row a bag).  per_sample_weights scale each row ('sum' only); rows at
    padding_idx are left out (and out of a mean's count)."""
    if weight.dtype == _zg.long and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    psw = per_sample_weights
    if psw is not None and tuple(input.shape) != tuple(psw.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({psw.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {_type_str(offsets)}")
        if input.shape[1] == 0:
            raise RuntimeError("step must be nonzero")
        offsets = wrap(np.arange(0, input.numel(), input.shape[1], dtype=input._data.dtype))
        input = input.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    elif mode not in ("sum", "mean"):
        raise ValueError("mode has to be one of sum, mean or max")
    for t in (input, offsets):          # (torch names the offsets 'indices' too)
        if t._data.dtype not in (np.int64, np.int32):
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                               f"following scalar types: Long, Int; but got {_tensor_type(t)} "
                               "instead (while checking arguments for embedding_bag)")
    if max_norm is not None:
        with _gm.no_grad():
            _F._embedding_renorm_(weight, input._data, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if sparse:
        raise NotImplementedError("sparse gradients are not supported by zerograd; use "
                                  "sparse=False")
    if weight._data.dtype.kind not in "fV":
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following "
                           "scalar types: Half, BFloat16, Float, Double; but got "
                           f"{_tensor_type(weight)} instead (while checking arguments for "
                           "embedding_bag)")
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as "
                           "tensor for argument #1 'per_sample_weights'; but type "
                           f"{_tensor_type(weight)} does not equal {_tensor_type(psw)} (while "
                           "checking arguments for embedding_bag)")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-num} "
                               f"through {num - 1}, but got {padding_idx}")
        padding_idx = padding_idx % num
    idx = input._data.astype(np.int64).reshape(-1)
    offs = offsets._data.astype(np.int64).reshape(-1)
    L = idx.size
    if offs.size:
        if offs[0] != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                               f"has to start from position 0. However, got {offs[0]}\n"
                               f"[ {_tensor_type(offsets)}{{}} ]")
        if offs[-1] > L:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {L} but got "
                               f"offsets[-1] of {offs[-1]}")
        if np.any(np.diff(offs) < 0):
            raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this "
                               "error message be improved?  If so, please report an enhancement "
                               "request to PyTorch.)")
    bad = np.nonzero((idx < 0) | (idx >= num))[0]
    if bad.size:
        v = idx[bad[0]]
        if mode == "max":
            raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but "
                               f"found idx to be {v}")
        raise RuntimeError(f"Index {bad[0]} of input takes value {v} which is not in the valid "
                           f"range [0, {num})")
    bag_of, B = _bags(idx, offs, include_last_offset)
    return EmbeddingBag.apply(weight, psw, idx, bag_of, B, mode, padding_idx,
                              bool(scale_grad_by_freq))


# ----------------------------------------------------------------------------------------------
# pdist, channel_shuffle
# ----------------------------------------------------------------------------------------------

def pdist(input, p=2):
    """The p-norm distances between the rows of an (N, M) input, i < j in row-major order:
    N(N-1)/2 values (torch's condensed form).  Composed of indexing and norm (torch records one
    PdistBackward0 node; the values and gradients are the same)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    from ..tensor import Tensor
    ii, jj = Tensor._make(i.astype(np.int64), False, None, 0), \
        Tensor._make(j.astype(np.int64), False, None, 0)
    diff = input[ii] - input[jj]
    if p == 0:      # the count of differing coordinates: a zero gradient, as torch's
        return (diff != 0).sum(1).to(input.dtype) + diff.sum(1) * 0
    return diff.norm(p, dim=1)


def channel_shuffle(input, groups):
    """(N, C, *) with C = g·k: channel c·k + r moves to r·g + c (ShuffleNet's shuffle)."""
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((n, groups, c // groups) + rest).transpose(1, 2) \
        .reshape((n, c) + rest)
