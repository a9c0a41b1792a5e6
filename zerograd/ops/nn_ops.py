"""Fused neural-network ops: softmax, log_softmax, cross_entropy, nll_loss, layer_norm, rms_norm,
gelu, silu, embedding, pad, and the losses with their own formulas.

Each is one graph node with a hand-written VJP, the way PyTorch gives these ops their own entries
in derivatives.yaml instead of recording the dozen primitives they are made of.  Two rules:

- forward works on NumPy arrays and is numerically stable: every exp is taken of `x - max(x)`,
  so logits of ±1e4 give no NaN or inf;
- backward is written with Tensor ops (or with another Op that has a backward), so that
  `create_graph=True` differentiates it again (gradgradcheck passes).  Where backward needs a
  statistic of x (softmax, mean, 1/std), it recomputes it with Tensor ops when a graph is being
  built, and reuses the forward's array otherwise (grad mode is off in a plain backward);
- np_backward is the same rule on arrays, which a plain (first-order) backward runs: it reuses
  what forward kept (Φ(x) for gelu, the softmax, mean and 1/std) and works in place where the
  temporaries are large.

`g` is the incoming gradient dL/dy; `scale` is g divided by the reduction's count for 'mean'.
"""
from __future__ import annotations

import math

import numpy as np

from .. import grad_mode as _gm
from ..autograd.function import Op, ones_vector
from ..tensor import Tensor
from ._util import accumulate_dtype, binary_arrays, canon_dim, float_data, row_op, wrap
from .elementwise import where_, zeros_operand

_F32, _F64, _INT64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)

_state = _gm._state

REDUCTIONS = ("none", "mean", "sum")


# Sums over trailing axes, the fused ops' hot path.  NumPy reduces a short contiguous last axis
# (a softmax row, a layer-norm row) element by element: 3-5x slower than BLAS's matrix-vector
# product with a vector of ones (whose rounding is BLAS's float accumulation, as torch's row
# reductions).  Other layouts and dtypes take NumPy's reduce.  (A max has no such shortcut: a
# halving tree of np.maximum measured slower than ndarray.max.)
def _lastsum(a: np.ndarray, k: int = 1) -> np.ndarray:
    """Σ over the last k axes, kept as size-1 axes."""
    n = math.prod(a.shape[a.ndim - k:])
    if a.dtype.kind != "f" or not a.flags.c_contiguous or n < 8 or a.size == 0 or a.ndim < k:
        return np.add.reduce(a, axis=tuple(range(a.ndim - k, a.ndim)), keepdims=True,
                             dtype=a.dtype)
    return np.matmul(a.reshape(-1, n), ones_vector(n, a.dtype)).reshape(
        a.shape[:a.ndim - k] + (1,) * k)


def _lastmean(a: np.ndarray, k: int) -> np.ndarray:
    s = _lastsum(a, k)
    s /= s.dtype.type(math.prod(a.shape[a.ndim - k:]))
    return s


def _np_log_softmax(a: np.ndarray, axis: int) -> np.ndarray:
    """log softmax along axis, stable: (x - m) - log Σ exp(x - m) with m = max(x)."""
    if a.size == 0:
        return a.copy()
    acc = accumulate_dtype(a.dtype)
    if acc is not None:                     # (half types: in float32, as torch)
        return _np_log_softmax(a.astype(acc), axis).astype(a.dtype)
    last = axis in (-1, a.ndim - 1)
    s = a - a.max(axis=axis, keepdims=True)
    e = np.exp(s)
    lse = np.log(_lastsum(e) if last else e.sum(axis=axis, keepdims=True))
    s -= lse
    return s


def _reduce(loss: np.ndarray, reduction: str, count=None) -> np.ndarray:
    if reduction == "none":
        return loss
    # inf - inf, 0 / 0: nan without a warning, as torch (NumPy's sum warns from its own module,
    # which the RuntimeWarning filter of zerograd.ops does not cover)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        s = loss.sum()
        if reduction == "mean":
            s = s / (loss.size if count is None else count)
    return np.asarray(s, dtype=loss.dtype)


def _scale(ctx, g):
    """dL/d(elementwise loss): g / n for 'mean', g for 'sum' and 'none'.  Every target ignored
    ('mean' of nothing: the loss is nan): the gradient is 0, as torch's (not g / 0)."""
    if ctx.reduction != "mean":
        return g
    return g / ctx.count if ctx.count != 0 else g * 0.0


# ***** softmax family *****

class Softmax(Op):
    """y = softmax(x) = exp(x - m) / Σ exp(x - m)  along dim        dx = y * (g - Σ g·y)"""
    node_name = "SoftmaxBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        if a.ndim == 0:                 # exp(a - a): 1, or NaN for NaN and ±inf, as torch
            with np.errstate(invalid="ignore"):
                e = np.exp(a - a)
            ctx.dim = dim
            ctx.save_for_backward(e)
            return e
        if a.size == 0:
            e = a.copy()
            ctx.dim = dim
            ctx.save_for_backward(e)            # (an empty input's backward: empty too)
            return e
        last = dim in (-1, a.ndim - 1)
        acc = accumulate_dtype(a.dtype)
        w = a if acc is None else a.astype(acc)     # (half types: in float32, as torch)
        e = w - w.max(axis=dim, keepdims=True)
        np.exp(e, out=e)
        e /= _lastsum(e) if last else e.sum(axis=dim, keepdims=True)
        if acc is not None:
            e = e.astype(a.dtype)
        ctx.dim = dim
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if g.ndim == 0:
            return y * (g - g * y)
        return y * (g - (g * y).sum(ctx.dim, keepdim=True))

    @staticmethod
    def np_backward(ctx, g):
        y, = ctx._saved_np()
        if g.ndim == 0:
            return y * (g - g * y)
        gy = g * y
        gy -= y * (_lastsum(gy) if ctx.dim in (-1, y.ndim - 1) else gy.sum(ctx.dim, keepdims=True))
        return gy


class Attention(Op):
    """Fused attention, what torch records for 4-D scaled_dot_product_attention without dropout:
    P = softmax(Q Kᵀ·scale + M) (M: an additive mask, no gradient),  Y = P V
    dV = Pᵀ G,   dP = G Vᵀ,   dS = P ⊙ (dP - Σ_j dP ⊙ P)·scale,   dQ = dS K,   dK = dSᵀ Q"""
    node_name = "ScaledDotProductFlashAttentionForCpuBackward0"
    arity = 3

    # Gradients are laid out like their inputs: a head view of a (B, T, 3C) projection gets a
    # (B, T, H, E)-ordered gradient, so the views back to the projection cost no copy (torch's
    # gradient layout contract).  (Causal blocks of query rows that skip the masked triangle
    # were tried: slower here, BLAS's per-matrix cost on (16, 64) blocks of strided heads.)

    @staticmethod
    def forward(ctx, q, k, v, bias, scale, causal=False):
        Q, K, V = q._data, k._data, v._data
        p = np.matmul(Q, K.swapaxes(-1, -2))           # the scores, turned into P in place
        p *= p.dtype.type(scale)
        ctx.scale, ctx.bias = scale, bias
        ctx.dead = _softmax_rows(p, bias, causal or bias is None)
        ctx.save_for_backward(q, k, v, p)
        if Q.ndim == 4 and Q.strides[1] < Q.strides[2] and p.dtype == V.dtype:
            # Q is a head view of a (B, T, H·E) projection: Y gets that layout too, as torch's
            # flash kernel gives it, so y.transpose(1, 2).reshape(B, T, C) is a view, not a copy
            b, h, t, e = p.shape[0], p.shape[1], p.shape[2], V.shape[3]
            out = np.empty((b, t, h, e), p.dtype)
            np.matmul(p, V, out=out.transpose(0, 2, 1, 3))
            return out.transpose(0, 2, 1, 3)
        return np.matmul(p, V)

    @staticmethod
    def backward(ctx, g):
        q, k, v, p = ctx.saved_tensors
        from .linalg import matmul
        if _state.enabled:                    # building a graph: P must be differentiable
            s = matmul(q, k.transpose(-2, -1)) * ctx.scale
            if ctx.bias is not None:
                s = s + wrap(ctx.bias)
            p = Softmax.apply(s, -1)
            if ctx.dead is not None:
                p = where_(wrap(ctx.dead), 0.0, p)
        dv = matmul(p.transpose(-2, -1), g)
        dp = matmul(g, v.transpose(-2, -1))
        ds = p * (dp - (dp * p).sum(-1, keepdim=True)) * ctx.scale
        return matmul(ds, k), matmul(ds.transpose(-2, -1), q), dv

    @staticmethod
    def np_backward(ctx, g):
        Q, K, V, P = ctx._saved_np()
        need = ctx.needs_input_grad
        oq, ok, ov = _grad_outs(Q, K, V)
        dv = np.matmul(P.swapaxes(-1, -2), g, out=ov) if need[2] else None
        if not (need[0] or need[1]):
            return None, None, dv
        ds = np.matmul(g, V.swapaxes(-1, -2))          # dP, turned into dS in place
        r = np.multiply(ds, P)
        ds -= _lastsum(r)
        ds *= P
        ds *= ds.dtype.type(ctx.scale)
        dq = np.matmul(ds, K, out=oq) if need[0] else None
        dk = np.matmul(ds.swapaxes(-1, -2), Q, out=ok) if need[1] else None
        return dq, dk, dv


_JOINT_MIN = 1 << 16    # elements of q: below, the pointer checks cost about what they save


def _grad_outs(Q, K, V):
    """Arrays for dq, dk, dv, each laid out like its input.  When q, k and v are disjoint head
    views that together cover one array (the (B, T, 3C) projection a GPT splits), the three are
    views of one new array laid out like it: split's backward then finds its gradients adjacent
    and returns them as one view instead of concatenating them (ops/indexing.py)."""
    base = Q.base
    if (Q.size >= _JOINT_MIN and base is not None and K.base is base and V.base is base
            and type(base) is np.ndarray and base.flags.c_contiguous and base.dtype == Q.dtype
            and base.size == 3 * Q.size and Q.shape == K.shape == V.shape
            and Q.strides == K.strides == V.strides and K.dtype == Q.dtype == V.dtype
            and not (np.shares_memory(Q, K) or np.shares_memory(K, V)
                     or np.shares_memory(Q, V))):
        start = base.ctypes.data
        new = np.empty_like(base)
        return [np.ndarray(X.shape, X.dtype, new, X.ctypes.data - start, X.strides)
                for X in (Q, K, V)]
    return np.empty_like(Q), np.empty_like(K), np.empty_like(V)


_NO_SHIFT = 60.0     # |score| <= this: exp needs no max subtracted (e^60·S stays finite)


def _softmax_rows(s, bias, safe):
    """Softmax of scores s along the last axis, in place, after adding `bias`
    (an additive mask or None); returns the rows masked out entirely (their P is 0), or None.
    `safe`: every row keeps at least one key (no mask, or the causal one).  Then, when every
    score lies in [-60, 60], exp can neither overflow nor underflow to an all-zero row, and the
    row max - a slow reduction over short rows - is not subtracted: the same P up to rounding,
    for two reductions over the whole array (measured: attention forward ~25% faster)."""
    shift = True
    if safe and s.size and s.dtype.itemsize >= 4:
        lo, hi = s.min(), s.max()
        shift = not (-_NO_SHIFT <= lo and hi <= _NO_SHIFT)       # (nan: shift)
    if bias is not None:
        s += bias
    m = None
    if shift:
        m = s.max(axis=-1, keepdims=True)
        s -= m
    np.exp(s, out=s)
    s /= _lastsum(s)
    if m is None:
        return None
    dead = np.isneginf(m)                          # rows with every key masked out:
    if not dead.any():
        return None
    s[np.broadcast_to(dead, s.shape)] = 0          # 0, torch's safe softmax (and grads 0)
    return dead


class LogSoftmax(Op):
    """y = log_softmax(x) = x - m - log Σ exp(x - m)  along dim     dx = g - exp(y) * Σ g"""
    node_name = "LogSoftmaxBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, dim):
        a = x._data
        if a.ndim == 0:                 # a - a: 0, or NaN for NaN and ±inf, as torch
            with np.errstate(invalid="ignore"):
                y = a - a
        else:
            y = _np_log_softmax(a, dim)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        if g.ndim == 0:
            return g - y.exp() * g
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)

    @staticmethod
    def np_backward(ctx, g):
        y, = ctx._saved_np()
        if g.ndim == 0:
            return g - np.exp(y) * g
        return g - np.exp(y) * g.sum(ctx.dim, keepdims=True)


def _softmax_input(x, dim, dtype, name):
    if dtype is not None:
        x = x.to(dtype)
    if not x.is_floating_point() and x._data.size:   # (torch returns an empty input as it is)
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{_LEGACY[x.dtype.name]}'")
    return x, canon_dim(dim, x.ndim)


def softmax(input, dim, dtype=None):
    """torch.softmax / Tensor.softmax: softmax along dim, optionally computed in `dtype`."""
    input, dim = _softmax_input(input, dim, dtype, "softmax")
    return Softmax.apply(input, dim)


def log_softmax(input, dim, dtype=None):
    """torch.log_softmax / Tensor.log_softmax."""
    input, dim = _softmax_input(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(input, dim)


# ***** classification losses *****

_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
           "int32": "Int", "int16": "Short", "int8": "Char", "bool": "Bool", "int64": "Long",
           "uint8": "Byte"}


def check_class_targets(x: np.ndarray, target: Tensor, weight, ignore_index, reduction):
    """Validate class-index targets as torch's nll_loss does, in torch's order (nll_loss_nd's
    shape checks, the autograd check of weight, then the nll_loss / nll_loss2d kernel's); return
    (t, valid, w_t, wc): t the targets with ignored positions set to 0, valid where not ignored,
    w_t the weight of each position's class (0 where ignored), wc the class weights (None
    without weight)."""
    td = target._data
    if x.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if x.ndim != 1 and x.shape[0] != (td.shape[0] if td.ndim else 0):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({td.shape[0] if td.ndim else 0}).")
    if x.ndim == 1 and td.ndim == 1 and td.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{td.shape[0]}")
    spatial = x.ndim > 2                    # torch's nll_loss2d (3-D and >4-D: viewed as 4-D)
    if spatial and x.ndim != 4 and td.shape != x.shape[:1] + x.shape[2:]:
        if not td.ndim:
            raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
        raise RuntimeError(f"Expected target size {list(x.shape[:1] + x.shape[2:])}, got "
                           f"{list(td.shape)}")
    if weight is not None and weight.requires_grad and _state.enabled:
        fn = "nll_loss2d_forward" if spatial else "nll_loss_forward"
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True.")
    C = x.shape[0 if x.ndim == 1 else 1]
    if not spatial:
        if td.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 2 and not td.ndim:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    elif x.ndim == 4 and td.ndim != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {td.ndim}")
    if td.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_LEGACY.get(target.dtype.name, target.dtype.name)}")
    if not spatial:
        if weight is not None and weight._data.shape != (C,):
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no "
                               f"classes but got weight tensor of shape: {list(weight._data.shape)}")
        td = td.reshape(()) if x.ndim == 1 else td
    else:
        if weight is not None and weight._data.size != C:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if td.shape != x.shape[:1] + x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(td.shape)}")
    if x.dtype.kind not in "fV":
        kernel = "nll_loss2d_forward_out_frame" if spatial else "nll_loss_out_frame"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_LEGACY[x.dtype.name]}\'')
    wc = None
    if weight is not None:
        if weight._data.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {_LEGACY[x.dtype.name]} but found "
                               f"{_LEGACY.get(weight.dtype.name, weight.dtype.name)}")
        wc = weight._data.reshape(-1)
    if spatial and td.dtype == np.uint8 and (x.size or reduction == "none"):
        # (an empty input reduced: torch's backward raises it)
        raise RuntimeError("expected scalar type Long but found Byte")
    t = td.astype(np.int64, copy=False)
    if wc is None and t.size and not 0 <= ignore_index < C and 0 <= t.min() and t.max() < C:
        # the common case - every target a class, none ignored, no weights - in two reductions
        return t, np.ones(t.shape, bool), np.ones(t.shape, x.dtype), None
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    t = np.where(valid, t, 0)
    w_t = valid.astype(x.dtype) if wc is None else np.where(valid, wc[t], 0).astype(x.dtype)
    return t, valid, w_t, wc


def backward_target_checks(ctx, x_shape, target):
    """What torch's nll_loss backward kernels check that their forward did not: a 1-D input's
    target of shape [1] (C > 1) and an empty input's Byte target in nll_loss2d."""
    td = target._data
    if len(x_shape) == 1 and td.ndim == 1 and x_shape[0] != 1:
        ctx.backward_error = f"size mismatch (got input: {list(x_shape)}, target: {list(td.shape)})"
    elif len(x_shape) > 2 and td.dtype == np.uint8:
        ctx.backward_error = "expected scalar type Long but found Byte"
    else:
        ctx.backward_error = None


def _raise_backward_error(ctx):
    if ctx.backward_error is not None:
        raise RuntimeError(ctx.backward_error)


def _class_axis(a) -> int:
    return 0 if a.ndim == 1 else 1


def _along(v: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """A per-class vector shaped to broadcast along `axis` of an ndim-dimensional array."""
    shape = [1] * ndim
    shape[axis] = -1
    return v.reshape(shape)


def _unsqueeze_class(ctx, s):
    """'none' reduction: g has the target's shape; give it a size-1 class axis."""
    return s.unsqueeze(ctx.axis) if ctx.reduction == "none" and ctx.ndim > 1 else s


def _np_unsqueeze_class(ctx, s):
    return np.expand_dims(s, ctx.axis) if ctx.reduction == "none" and ctx.ndim > 1 else s


def _np_mean(a, dims):
    """mean over dims, kept, as the MeanDim op computes it (sum in a's dtype, then divide); over
    the last axes (layer norm's always are) through BLAS row sums."""
    k = len(dims)
    if tuple(dims) == tuple(range(a.ndim - k, a.ndim)):
        return _lastmean(a, k)
    n = 1
    for d in dims:
        n *= a.shape[d]
    return np.true_divide(np.add.reduce(a, axis=dims, keepdims=True, dtype=a.dtype), n,
                          dtype=a.dtype)


class CrossEntropy(Op):
    """Fused log_softmax + nll_loss with class-index targets (one node, as torch's top node).

    loss = Σ_i Σ_c A[i,c]·(-log softmax(x)[i,c]) / D
           A[i,c] = (1-ε)·w[y_i]·[c = y_i] + (ε/C)·w[c]      (row i all 0 when y_i = ignore_index)
           D = Σ_i w[y_i] over kept rows ('mean'), 1 ('sum'; 'none' keeps each row)
    dx   = g/D · (Σ_c A[i,c] · softmax(x) - A)"""
    node_name = "NllLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        a, td = x._data, target._data
        if a.ndim == 2 and td.dtype == _INT64 and td.shape == a.shape[:1] and \
                0 < a.shape[0] < 1 << 24 and weight is None and not smoothing and \
                reduction != "none" and (a.dtype is _F32 or a.dtype is _F64) and \
                not 0 <= ignore_index < a.shape[1] and \
                not np.count_nonzero(td.view(np.uint64) >= a.shape[1]):
            return CrossEntropy._plain(ctx, x, a, td, reduction)
        a = float_data(x)
        axis = _class_axis(a)
        C = a.shape[axis]
        t, valid, w_t, wc = check_class_targets(x._data, target, weight, ignore_index, reduction)
        backward_target_checks(ctx, a.shape, target)
        if smoothing and a.ndim == 1 and target._data.ndim == 1:
            # torch masks the 0-d smoothing term in place with the [1]-shaped ignore mask
            raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
        logp = _np_log_softmax(a, axis)
        # `simple`: (N, C) or (C,) logits, every row kept with weight 1, no smoothing (the
        # usual training loss): the picked log-probabilities by one fancy index, and the array
        # backward p·s - s at the targets (s = g/N), computed as torch computes it.
        simple = a.ndim <= 2 and wc is None and not smoothing and reduction != "none" \
            and bool(valid.all())
        if a.ndim == 2:
            picked = logp[np.arange(a.shape[0]), t]
        elif a.ndim == 1:
            picked = logp[t]
        else:
            picked = np.take_along_axis(logp, np.expand_dims(t, axis), axis).squeeze(axis)
        loss = -picked if simple else np.where(valid, -(w_t * picked), 0)  # (ignored: 0, as
        ctx.simple = simple                                                   # torch, nan or not)
        if smoothing:
            wlogp = logp if wc is None else logp * _along(wc, a.ndim, axis)
            smooth = np.where(valid, -wlogp.sum(axis=axis), 0)
            loss = (1 - smoothing) * loss + (smoothing / C) * smooth
        ctx.axis, ctx.ndim, ctx.C, ctx.eps, ctx.reduction = axis, a.ndim, C, smoothing, reduction
        ctx.t, ctx.valid, ctx.w_t, ctx.wc = t, valid, w_t, wc
        ctx.count = w_t.sum()
        ctx.save_for_backward(x, np.exp(logp))
        return _reduce(loss.astype(a.dtype, copy=False), reduction, ctx.count)

    @staticmethod
    def _plain(ctx, x, a, t, reduction):
        """forward's usual case - (N, C) float32/float64 logits, every target a class, none
        ignored, no weight, no smoothing, reduced - without the general checks and masks (it
        computes the same numbers: the mean divides by N as the weights' sum, N ones, would)."""
        n, C = a.shape
        logp = _np_log_softmax(a, 1)
        picked = logp[np.arange(n), t]
        ctx.axis, ctx.ndim, ctx.C, ctx.eps, ctx.reduction = 1, 2, C, 0.0, reduction
        ctx.t, ctx.valid, ctx.w_t, ctx.wc = t, None, None, None     # (None: all rows, weight 1)
        ctx.count = a.dtype.type(n)
        ctx.simple, ctx.backward_error = True, None
        ctx.save_for_backward(x, np.exp(logp))
        return _reduce(np.negative(picked, out=picked), reduction, ctx.count)

    @staticmethod
    def _coefficients(ctx, dtype):
        """A (dense, x's shape) and its class sums S."""
        axis, eps = ctx.axis, ctx.eps
        shape = list(ctx.t.shape)
        shape.insert(axis, ctx.C)
        A = np.zeros(shape, dtype)
        w_t = np.ones(ctx.t.shape, dtype) if ctx.w_t is None else ctx.w_t
        np.put_along_axis(A, np.expand_dims(ctx.t, axis),
                          np.expand_dims((1 - eps) * w_t, axis), axis)
        if eps:
            wc = np.ones(ctx.C, dtype) if ctx.wc is None else ctx.wc
            A += (eps / ctx.C) * _along(wc, len(shape), axis) * np.expand_dims(ctx.valid, axis)
        return A, A.sum(axis=axis, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        _raise_backward_error(ctx)
        x, p = ctx.saved_tensors
        A, S = CrossEntropy._coefficients(ctx, p._data.dtype)
        if _state.enabled:                    # building a graph: softmax(x) must be differentiable
            p = Softmax.apply(x, ctx.axis)
        return _unsqueeze_class(ctx, _scale(ctx, g)) * (wrap(S) * p - wrap(A))

    @staticmethod
    def np_backward(ctx, g):
        _raise_backward_error(ctx)
        x, p = ctx._saved_np()
        if ctx.simple:
            s = _scale(ctx, g)
            d = p * s
            if d.ndim == 2:
                d[np.arange(d.shape[0]), ctx.t] -= s
            else:
                d[ctx.t] -= s
            return d
        A, S = CrossEntropy._coefficients(ctx, p.dtype)
        return _np_unsqueeze_class(ctx, _scale(ctx, g)) * (S * p - A)


class CrossEntropy2d(CrossEntropy):
    """CrossEntropy of inputs with spatial dims (N, C, d1, ...): torch's nll_loss2d node."""
    node_name = "NllLoss2DBackward0"


class CrossEntropyView(CrossEntropy):
    """CrossEntropy, reduction 'none', 3-D or >4-D input: torch's top node is a view."""
    node_name = "ViewBackward0"


class CrossEntropySmoothed(CrossEntropy):
    """CrossEntropy with label_smoothing > 0 (torch's top node is then the AddBackward0 that mixes
    the nll and smoothing terms)."""
    node_name = "AddBackward0"


class CrossEntropyProbs(Op):
    """Fused cross entropy with class-probability targets t (same shape as x).

    loss = Σ_c -w[c]·t'[i,c]·log softmax(x)[i,c],   t' = (1-ε)·t + ε/C;   'mean' divides by the
           number of positions (x.numel() / C), not by the weights
    dx   = g/D · (Σ_c A · softmax(x) - A)  with A = w·t';      dt = -g/D · (1-ε)·w·log softmax(x)
    dw   = -Σ_i g/D · t'·log softmax(x)    (torch's composite gives weight a gradient too)
    In the dtype x, t and w promote to (w only widens: torch multiplies the three)."""
    node_name = "DivBackward1"
    arity = 3

    @staticmethod
    def forward(ctx, x, target, weight, reduction, smoothing):
        a, t = binary_arrays(x, target)
        axis = _class_axis(a)
        C = a.shape[axis]
        wc = None
        if weight is not None:
            wd = weight._data
            if wd.dtype.kind == "f" and wd.dtype.itemsize > a.dtype.itemsize:
                a, t = a.astype(wd.dtype), t.astype(wd.dtype)
            wc = _along(wd.astype(a.dtype), a.ndim, axis)
        logp = _np_log_softmax(a, axis)
        tt = t * (1 - smoothing) + smoothing / C if smoothing else t
        A = tt if wc is None else tt * wc
        loss = -(A * logp).sum(axis=axis)
        ctx.axis, ctx.ndim, ctx.reduction, ctx.eps, ctx.C, ctx.wc = \
            axis, a.ndim, reduction, smoothing, C, wc
        ctx.count = a.size // C if C else 0
        ctx.save_for_backward(x, target, logp)
        return _reduce(loss, reduction, ctx.count)

    @staticmethod
    def backward(ctx, g):
        x, target, logp = ctx.saved_tensors
        need = ctx.needs_input_grad
        s = _unsqueeze_class(ctx, _scale(ctx, g))
        eps, wc = ctx.eps, ctx.wc
        w = 1.0 if wc is None else wrap(wc)
        if _state.enabled:
            logp = LogSoftmax.apply(x, ctx.axis)
        dx = dt = dw = None
        if need[0]:
            A = (target * (1 - eps) + eps / ctx.C if eps else target) * w
            p = Softmax.apply(x, ctx.axis) if _state.enabled else logp.exp()
            dx = s * (A.sum(ctx.axis, keepdim=True) * p - A)
        if need[1]:
            dt = -(s * logp * w * (1 - eps))
        if need[2]:
            tt = target * (1 - eps) + eps / ctx.C if eps else target
            dw = -(s * tt * logp)
            dims = tuple(d for d in range(ctx.ndim) if d != ctx.axis)
            dw = dw.sum(dims) if dims else dw
        return dx, dt, dw


class CrossEntropyProbsSum(CrossEntropyProbs):
    """CrossEntropyProbs with reduction 'sum' or 'none' (torch's top node is a NegBackward0)."""
    node_name = "NegBackward0"


class NllLoss(Op):
    """loss = Σ_i -w[y_i]·x[i, y_i] / D     (x holds log-probabilities; D as in CrossEntropy)
    dx   = -g/D · w[y_i] at [i, y_i], 0 elsewhere"""
    node_name = "NllLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        a = x._data
        axis = _class_axis(a)
        t, valid, w_t, wc = check_class_targets(a, target, weight, ignore_index, reduction)
        backward_target_checks(ctx, a.shape, target)
        picked = np.take_along_axis(a, np.expand_dims(t, axis), axis).squeeze(axis)
        ctx.axis, ctx.ndim, ctx.reduction, ctx.t, ctx.w_t = axis, a.ndim, reduction, t, w_t
        ctx.shape, ctx.count = a.shape, w_t.sum()
        return _reduce(np.where(valid, -(w_t * picked), 0), reduction, ctx.count)

    @staticmethod
    def backward(ctx, g):
        _raise_backward_error(ctx)
        A = np.zeros(ctx.shape, g._data.dtype)
        np.put_along_axis(A, np.expand_dims(ctx.t, ctx.axis), np.expand_dims(-ctx.w_t, ctx.axis),
                          ctx.axis)
        return _unsqueeze_class(ctx, _scale(ctx, g)) * wrap(A)

    @staticmethod
    def np_backward(ctx, g):
        _raise_backward_error(ctx)
        A = np.zeros(ctx.shape, g.dtype)
        np.put_along_axis(A, np.expand_dims(ctx.t, ctx.axis), np.expand_dims(-ctx.w_t, ctx.axis),
                          ctx.axis)
        return _np_unsqueeze_class(ctx, _scale(ctx, g)) * A


class NllLoss2d(NllLoss):
    node_name = "NllLoss2DBackward0"


class NllLossView(NllLoss):
    node_name = "ViewBackward0"


def nll_variant(ndim, reduction, plain, two_d, view):
    """The class whose node name is torch's for this input rank and reduction."""
    if ndim < 3:
        return plain
    return view if reduction == "none" and ndim != 4 else two_d


# ***** normalization *****

def _ln_rows(a, w, b, dims) -> bool:
    """Layer norm over the last axis of a C-contiguous float32/64 array with a weight (and a bias,
    unless b is None here): LayerNorm's row path."""
    return (len(dims) == 1 and a.ndim >= 2 and dims[0] in (-1, a.ndim - 1) and a.size > 0
            and (a.dtype is _F32 or a.dtype is _F64) and a.flags.c_contiguous
            and w is not None and getattr(w, "_data", w).dtype is a.dtype
            and (b is None or b._data.dtype is a.dtype))


class LayerNorm(Op):
    """y = (x - μ)/σ · w + b   over the last len(normalized_shape) dims,  σ = sqrt(var + eps)
    x̂ = (x - μ)/σ,  ĝ = g·w:   dx = (ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) / σ,   dw = Σ g·x̂,   db = Σ g"""
    node_name = "NativeLayerNormBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, dims, eps):
        a = x._data
        if b is not None and _ln_rows(a, w, b, dims):
            return LayerNorm._rows(ctx, x, w, b, dims, eps)
        wd, bd = (None if w is None else w._data), (None if b is None else b._data)
        acc = accumulate_dtype(a.dtype)
        if acc is not None:         # half types: in float32, rounded once, as torch (in float16
            a = a.astype(acc)       # (x - μ)² overflows from |x - μ| = 256 on)
            wd = None if wd is None else wd.astype(acc)
            bd = None if bd is None else bd.astype(acc)
        mu = _np_mean(a, dims)
        xhat = a - mu                                  # x - μ, then x̂ in place
        y = np.multiply(xhat, xhat)
        rstd = _np_mean(y, dims)
        rstd += eps
        np.sqrt(rstd, out=rstd)
        np.reciprocal(rstd, out=rstd)
        xhat *= rstd
        if wd is not None:
            np.multiply(xhat, wd, out=y)
        else:
            y[...] = xhat
        if bd is not None:
            y += bd
        ctx.dims, ctx.eps = dims, eps
        ctx.save_for_backward(x, w, mu, rstd, xhat)    # x̂: the array backward saves 2 passes
        return y if acc is None else y.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w, mu, rstd, xhat = ctx.saved_tensors
        dims = ctx.dims
        if _state.enabled:                    # building a graph: the statistics depend on x
            xc = x - x.mean(dims, keepdim=True)
            rstd = ((xc * xc).mean(dims, keepdim=True) + ctx.eps).rsqrt()
            xhat = xc * rstd
        need = ctx.needs_input_grad
        dx = None
        if need[0]:
            gw = g if w is None else g * w
            dx = rstd * (gw - gw.mean(dims, keepdim=True) - xhat * (gw * xhat).mean(dims, keepdim=True))
        return dx, (g * xhat if need[1] else None), (g if need[2] else None)

    @staticmethod
    def _rows(ctx, x, w, b, dims, eps):
        """forward's usual case - one normalized float32/64 axis of a C-contiguous input, with
        weight and bias - on the (N, C) rows: the variance as one dot product per row (no
        squared copy), the affine part on tiled rows (row_op)."""
        a = x._data
        C = a.shape[-1]
        a2 = a.reshape(-1, C)
        mu = _lastmean(a2, 1)                          # (N, 1)
        xhat = a2 - mu
        rstd = np.vecdot(xhat, xhat)[:, None]          # Σ (x - μ)² per row
        rstd /= rstd.dtype.type(C)
        rstd += eps
        np.sqrt(rstd, out=rstd)
        np.reciprocal(rstd, out=rstd)
        xhat *= rstd
        y = row_op(np.multiply, xhat, w._data, np.empty_like(xhat))
        row_op(np.add, y, b._data, y)
        shape = a.shape[:-1] + (1,)
        ctx.dims, ctx.eps = dims, eps
        ctx.save_for_backward(x, w, mu.reshape(shape), rstd.reshape(shape), xhat.reshape(a.shape))
        return y.reshape(a.shape)

    @staticmethod
    def np_backward(ctx, g):
        x, w, mu, rstd, xhat = ctx._saved_np()
        dims = ctx.dims
        need = ctx.needs_input_grad
        dx = None
        if need[0] and w is not None and _ln_rows(g, w, None, dims) and xhat.flags.c_contiguous:
            C = g.shape[-1]                            # (N, C) rows, as _rows
            g2, xh = g.reshape(-1, C), xhat.reshape(-1, C)
            dx = row_op(np.multiply, g2, w, np.empty_like(g2))     # ĝ = g·w
            m2 = np.vecdot(dx, xh)[:, None]            # Σ ĝ·x̂ per row (no product array)
            m2 /= m2.dtype.type(C)
            m1 = _lastmean(dx, 1)
            t = np.multiply(xh, m2)
            dx -= m1
            dx -= t
            dx *= rstd.reshape(-1, 1)
            return dx.reshape(g.shape), (g * xhat if need[1] else None), (g if need[2] else None)
        half = g.dtype if accumulate_dtype(g.dtype) is not None else None
        if half is not None:                           # (in float32, as the forward)
            g = g.astype(xhat.dtype)
            w = None if w is None else w.astype(xhat.dtype)
        if need[0]:                                    # in place, on (ĝ, ĝ·x̂):
            dx = g * w if w is not None else g.copy()
            t = np.multiply(dx, xhat)
            m2 = _np_mean(t, dims)
            m1 = _np_mean(dx, dims)
            np.multiply(xhat, m2, out=t)
            dx -= m1
            dx -= t
            dx *= rstd
        dw = g * xhat if need[1] else None
        db = g if need[2] else None
        if half is not None:        # (dw, db summed over the rows in float32 too, then rounded)
            lead = tuple(range(g.ndim - len(dims)))
            dx = None if dx is None else dx.astype(half)
            dw = None if dw is None else dw.sum(lead).astype(half)
            db = None if db is None else db.sum(lead).astype(half)
        return dx, dw, db


class RmsNorm(Op):
    """y = x / r · w,   r = sqrt(mean(x²) + eps) over the last len(normalized_shape) dims
    x̂ = x / r,  ĝ = g·w:   dx = (ĝ - x̂·mean(ĝ·x̂)) / r,   dw = Σ g·x̂
    (torch records rms_norm as a chain of primitives ending in MulBackward0; one node here)"""
    node_name = "MulBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, w, dims, eps):
        a = x._data
        acc = accumulate_dtype(a.dtype)
        if acc is not None:             # half types: in float32, rounded once, as torch
            a = a.astype(acc)
        with np.errstate(invalid="ignore"):            # (a normalized size 0: nan, silently)
            rinv = 1.0 / np.sqrt((a * a).mean(axis=dims, keepdims=True) + a.dtype.type(eps))
        y = a * rinv
        if w is not None:
            y *= w._data if acc is None else w._data.astype(acc)
        ctx.dims, ctx.eps, ctx.half = dims, eps, None if acc is None else x.dtype
        ctx.save_for_backward(x, w, rinv)
        return y if acc is None else y.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w, rinv = ctx.saved_tensors
        dims, half = ctx.dims, ctx.half
        if half is not None:            # (in float32, as the forward)
            x, g = x.float(), g.float()
            w = None if w is None else w.float()
        if _state.enabled:
            rinv = ((x * x).mean(dims, keepdim=True) + ctx.eps).rsqrt()
        xhat = x * rinv
        need = ctx.needs_input_grad
        dx = dw = None
        if need[0]:
            gw = g if w is None else g * w
            dx = rinv * (gw - xhat * (gw * xhat).mean(dims, keepdim=True))
        if need[1]:
            dw = g * xhat
        if half is not None:
            if dw is not None:          # (summed over the rows in float32 too, then rounded)
                lead = tuple(range(g.dim() - len(dims)))
                dw = dw.sum(lead) if lead else dw
            dx = None if dx is None else dx.to(half)
            dw = None if dw is None else dw.to(half)
        return dx, dw


# ***** activations *****

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf_impl = None


_erf_each = np.frompyfunc(math.erf, 1, 1)


def erf_without_scipy(a: np.ndarray) -> np.ndarray:
    """math.erf element by element (0-d arrays too: frompyfunc returns a bare float there)."""
    return np.asarray(_erf_each(a), dtype=np.float64).astype(a.dtype)


def np_erf(a: np.ndarray) -> np.ndarray:
    """erf on an array: SciPy's when it is installed, else math.erf element by element."""
    global _erf_impl
    if _erf_impl is None:
        try:
            from scipy.special import erf as _erf_impl_scipy
            _erf_impl = _erf_impl_scipy
        except ImportError:  # (CI runs without SciPy; tests/test_nn_functional.py calls both)
            _erf_impl = erf_without_scipy
    return np.asarray(_erf_impl(a), dtype=a.dtype)


# Φ in float32, in in-place NumPy passes over cache-sized blocks (~5x faster than SciPy's erf,
# which computes float32 in double one element at a time).  With A = |a|:
#     h = Φ(-A) = t·P(t) · exp(-A²/2),     t = c/(c + A) ∈ (0, 1],  c = 3.25
# t·P(t) is Mills' ratio Φ(-A)/φ(A) divided by √(2π); P is a degree-7 polynomial, a weighted
# least-squares fit (Lawson's iteration towards minimax) on 400,001 points of t in float64,
# weighted so that h keeps an absolute error < 1e-7 and a relative one < 5e-6 (the tail).
# Evaluated in float32: Φ's error vs the exact value < 1.3e-7 absolute, < 6e-6 relative (session
# 10's machine; on an AVX-512 one, with exp2 where |a| <= 13: 1.6e-7 and 5.3e-6 over [-14, 14],
# 7.4e-6 with exp2 throughout; tests/test_nn_functional.py bounds them: 2.5e-7 and 2e-5).
# Φ(a) = h for a < 0 and 1 - h otherwise, and
#     gelu(a) = a·Φ(a) = relu(a) - A·h          (no 1 - h: the negative tail keeps its digits)
#     gelu'(a) = Φ(a) + a·φ(a) = gelu(a)/a + a·φ(a)     (½ where |a| < 1e-20: 0/0 at a = 0)
# The one exp gives φ too; gelu(a)/a keeps Φ's digits in the negative tail, where h - A·φ(A)
# computed around ½ would lose them.  |a| is a bit operation on the float32 words (cheaper than
# np.abs); constants are 0-d arrays (NumPy converts a scalar on every call).
_PHI_C = 3.25
_PHI_P = (0.12275090527307643, 0.12282586189391101, 0.10952070497143292, 0.10114435584063118,
          0.002982677239959902, 0.13697835455827592, -0.12785868766929512, 0.03165580531569475)


def _f32(v):
    a = np.array(v, np.float32)
    a.flags.writeable = False
    return a


_P32 = tuple(_f32(c) for c in _PHI_P)
_C32, _NEG_HALF32 = _f32(_PHI_C), _f32(-0.5)
# exp(-A²/2) as exp2(-A²·log2(e)/2) where every |a| of a block is <= 13 (2^-122 and above, normal
# floats): NumPy's float32 exp2 loop then takes ~0.45x the time of its exp (64k blocks: 14 vs 31
# us) and is as accurate (< 1.1e-7 relative vs < 2.1e-7; the constant's rounding adds < 3e-8·A²/2
# relative).  A subnormal, zero or special result sends exp2 to a scalar path ~150x slower
# (exp has none): blocks with a larger |a| (or ±inf) take exp.
_NEG_HALF_LOG2E32 = _f32(-0.5 / math.log(2.0))
_EXP2_MAX_A = np.float32(13.0)
_INV_SQRT_2PI32 = _f32(_INV_SQRT_2PI)
_ABS_BITS = np.array(0x7FFFFFFF, np.int32)
_TINY32 = np.float32(1e-20)  # |a| below: gelu'(a) = ½ + a·2φ(0) is ½ in float32
# Elements per block: ~25 passes run over a block while it is in cache (L2/L3); a smaller one
# pays the ~1 µs of each NumPy call more often (measured on the GPT's 2^19 activations: 64k
# 5% faster than 32k, 8k 50% slower).
_BLOCK = 1 << 16


def np_phi(a: np.ndarray) -> np.ndarray:
    """The standard normal CDF Φ(a) = (1 + erf(a/√2))/2, elementwise, in a's dtype."""
    if a.dtype != np.float32:
        return np.asarray(0.5 * (1.0 + np_erf(a * _INV_SQRT_2)), dtype=a.dtype)
    flat = a.reshape(-1)
    h = np.empty(flat.size, np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(0, flat.size, _BLOCK):
            x = flat[s:s + _BLOCK]
            k = x.size
            scratch = np.empty((3, k), np.float32)
            _h_block(x, scratch[0], h[s:s + k], scratch[1], scratch[2])
    return np.where(a < 0, h.reshape(a.shape), 1 - h.reshape(a.shape)).astype(np.float32)


def np_gelu(a: np.ndarray, grad: bool):
    """(gelu(a), gelu'(a) when `grad` else None) for a float32 array, computed together block
    by block (see above)."""
    flat = a.reshape(-1)
    n = flat.size
    out = np.empty(n, np.float32)
    deriv = np.empty(n, np.float32) if grad else None
    b = min(n, _BLOCK)
    A, t, p, e = np.empty((4, b), np.float32)
    zeros = zeros_operand(b, _F32)                          # (max(a, 0) in NumPy's fast loop)
    with np.errstate(over="ignore", invalid="ignore"):      # (inf, nan and |a| > 1e19 inputs)
        for s in range(0, n, _BLOCK):
            end = min(s + _BLOCK, n)
            k = end - s
            x, Ak, tk, pk, ek = flat[s:end], A[:k], t[:k], p[:k], e[:k]
            amax = _h_block(x, Ak, tk, pk, ek)              # t = h, e = exp(-A²/2)
            o = out[s:end]
            np.multiply(Ak, tk, out=pk)                     # A·h
            np.maximum(x, zeros[:k], out=o)
            np.subtract(o, pk, out=o)                       # relu(a) - A·h
            if grad:
                d = deriv[s:end]
                np.divide(o, x, out=d)                      # Φ(a) = gelu(a)/a
                np.multiply(x, ek, out=pk)
                np.multiply(pk, _INV_SQRT_2PI32, out=pk)    # a·φ(a)
                np.add(d, pk, out=d)
                if np.fmin.reduce(Ak) < _TINY32:            # a = 0 (0/0), or gelu(a) rounded
                    d[Ak < _TINY32] = 0.5                   # in the subnormals: Φ(0) + 0
            if amax == np.inf:          # ±inf (the block's max |a|, known from _h_block):
                o[x == np.inf] = np.inf                     # gelu(inf) = inf, not inf - inf·0;
                o[x == -np.inf] = np.nan                    # gelu(-inf) = -inf·0: nan, as torch
    shape = a.shape
    return out.reshape(shape), (deriv.reshape(shape) if grad else None)


def _h_block(x, A, t, p, e):
    """For a 1-D float32 block x: A = |x|, t = h = Φ(-|x|), e = exp(-x²/2); p is scratch.
    Returns max |x| over the block (nan ignored)."""
    q = _P32
    np.bitwise_and(x.view(np.int32), _ABS_BITS, out=A.view(np.int32))
    np.add(A, _C32, out=t)
    np.divide(_C32, t, out=t)                               # t = c/(c + A)
    np.multiply(t, q[7], out=p)
    for j in range(6, 0, -1):
        np.add(p, q[j], out=p)
        np.multiply(p, t, out=p)
    np.add(p, q[0], out=p)                                  # P(t)
    np.multiply(A, A, out=e)
    amax = np.fmax.reduce(A)                                # (nan ignored)
    if amax <= _EXP2_MAX_A:
        np.multiply(e, _NEG_HALF_LOG2E32, out=e)
        np.exp2(e, out=e)                                   # e = exp(-A²/2) = 2^(-A²·log2(e)/2)
    else:
        np.multiply(e, _NEG_HALF32, out=e)
        np.exp(e, out=e)
    np.multiply(p, e, out=p)
    np.multiply(t, p, out=t)                                # h = t·P(t)·e
    return amax


class Erf(Op):
    """y = erf(x)              dx = g · 2/√π · exp(-x²)      (used by gelu's backward)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np_erf(float_data(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (x * x * -1.0).exp() * (2.0 / math.sqrt(math.pi))


class Gelu(Op):
    """y = x·Φ(x)  ('none': Φ(x) = (1 + erf(x/√2))/2)     dx = g·(Φ(x) + x·φ(x)),  φ = Φ'
    'tanh':  y = x/2·(1 + tanh(u)),  u = √(2/π)(x + 0.044715x³)
             dx = g·(½(1 + tanh u) + ½x(1 - tanh² u)·√(2/π)(1 + 3·0.044715x²))"""
    node_name = "GeluBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, approximate):
        a = float_data(x)
        ctx.approximate = approximate
        acc = accumulate_dtype(a.dtype)
        if acc is not None:                 # half types: in float32, rounded once, as torch
            a = a.astype(acc)
        if approximate == "tanh":
            ctx.save_for_backward(x, None)
            y = 0.5 * a * (1.0 + np.tanh(_SQRT_2_OVER_PI * (a + 0.044715 * a * a * a)))
            return y if acc is None else y.astype(x._data.dtype)
        grad = bool(ctx.needs_input_grad)
        if a.dtype == np.float32:
            y, d = np_gelu(a, grad)
        else:
            cdf = np_phi(a)
            y = a * cdf
            d = cdf + a * np.exp(a * a * -0.5) * _INV_SQRT_2PI if grad else None
        ctx.save_for_backward(x, d)        # dy/dx for a first-order backward (one pass there)
        return y if acc is None else y.astype(x._data.dtype)

    @staticmethod
    def backward(ctx, g):
        x, _ = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            t = ((x + x2 * x * 0.044715) * _SQRT_2_OVER_PI).tanh()
            d = (t + 1.0) * 0.5 + x * (1.0 - t * t) * ((x2 * (3 * 0.044715) + 1.0) * (0.5 * _SQRT_2_OVER_PI))
        else:
            cdf = (Erf.apply(x * _INV_SQRT_2) + 1.0) * 0.5
            d = cdf + x * (x * x * -0.5).exp() * _INV_SQRT_2PI
        return g * d

    @staticmethod
    def np_backward(ctx, g):
        x, d = ctx._saved_np()
        half, acc = g.dtype, accumulate_dtype(g.dtype)
        if acc is not None:                 # (in float32, as the forward)
            g, x = g.astype(acc), x.astype(acc)
        if ctx.approximate == "tanh":
            x2 = x * x
            t = np.tanh((x + x2 * x * 0.044715) * _SQRT_2_OVER_PI)
            d = (t + 1.0) * 0.5 + x * (1.0 - t * t) * ((x2 * (3 * 0.044715) + 1.0) * (0.5 * _SQRT_2_OVER_PI))
        out = g * d                        # d = Φ(x) + x φ(x), computed in forward
        return out if acc is None else out.astype(half)


class Silu(Op):
    """y = x·σ(x)              dx = g·σ(x)·(1 + x·(1 - σ(x)))"""
    node_name = "SiluBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x):
        a = float_data(x)
        half = a.dtype if a.dtype.itemsize == 2 and a.dtype.kind in "fV" else None
        if half is not None:                     # (in float32, rounded once, as torch)
            a = a.astype(np.float32)
        e = np.exp(-np.abs(a))                   # never overflows
        s = np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)
        ctx.save_for_backward(x)
        return a * s if half is None else (a * s).astype(half)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        s = x.sigmoid()
        return g * s * (x * (1.0 - s) + 1.0)

    @staticmethod
    def np_backward(ctx, g):
        """torch's silu_backward: g·σ·(1 + x·(1 - σ)), half types in float32, rounded once."""
        x, = ctx._saved_np()
        half = x.dtype if x.dtype.itemsize == 2 and x.dtype.kind in "fV" else None
        if half is not None:
            x, g = x.astype(np.float32), g.astype(np.float32)
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        r = g * s * (1 + x * (1 - s))
        return r if half is None else r.astype(half)


# ***** embedding *****

class Embedding(Op):
    """y = weight[indices]     dweight = the rows of g added into their index's row (np.add.at);
    the padding_idx row gets no gradient"""
    arity = 1

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.num, ctx.padding_idx, ctx.freq = \
            idx, weight._data.shape[0], padding_idx, scale_grad_by_freq
        return weight._data[idx]

    @staticmethod
    def backward(ctx, g):
        return EmbeddingDenseBackward.apply(g, ctx.idx, ctx.num, ctx.padding_idx, ctx.freq)

    @staticmethod
    def np_backward(ctx, g):
        return embedding_dense_np(g, ctx.idx, ctx.num, ctx.padding_idx, ctx.freq)[0]


def embedding_dense_np(ga, idx, num, padding_idx, freq):
    """The rows of `ga` added into their index's row of a (num, ...) zeros array; the padding
    row gets nothing; with `freq`, each row is divided by its index's count.  -> (out, keep)"""
    flat = idx.reshape(-1)
    rows = ga.reshape(flat.shape[0], math.prod(ga.shape[idx.ndim:]))    # (no -1: 0 rows)
    keep = None
    if padding_idx is not None or freq:
        keep = np.ones(flat.shape[0], ga.dtype)
        if padding_idx is not None:
            keep[flat == padding_idx] = 0
        if freq:
            keep /= np.bincount(flat, minlength=num)[flat]
        rows = rows * keep[:, None]
    n = flat.shape[0]
    if rows.dtype.kind == "f" and rows.dtype.itemsize >= 4 and n and num <= 256 and \
            num * n <= 1 << 22 and np.isfinite(np.add.reduce(rows, axis=None)):
        # a small table (a character vocabulary, positions): one-hot(idx)ᵀ @ rows, a BLAS
        # product - 2-3x faster than sorting and np.add.reduceat (whose short-row adds
        # dominate).  Only for finite rows: 0·inf would put nan into every other row.
        onehot = np.zeros((num, n), rows.dtype)
        onehot[flat, np.arange(n)] = 1
        return (onehot @ rows).reshape((num,) + ga.shape[idx.ndim:]), keep
    out = np.zeros((num,) + ga.shape[idx.ndim:], ga.dtype)
    rows = rows.reshape((-1,) + ga.shape[idx.ndim:])
    if flat.size:       # sort by index, sum each run of equal indices: ~6x faster than np.add.at
        order = np.argsort(flat, kind="stable")
        fs = flat[order]
        starts = np.flatnonzero(np.concatenate(([True], fs[1:] != fs[:-1])))
        out[fs[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out, keep


class EmbeddingDenseBackward(Op):
    """z = Σ_positions g[pos] into row idx[pos] (padding row 0)    dg = gg[idx] (0 at padding)"""
    node_name = "EmbeddingDenseBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, idx, num, padding_idx, freq):
        out, keep = embedding_dense_np(g._data, idx, num, padding_idx, freq)
        ctx.idx, ctx.keep = idx, keep
        return out

    @staticmethod
    def backward(ctx, gg):
        r = Embedding.apply(gg, ctx.idx, None, False)
        if ctx.keep is not None:
            r = r * wrap(ctx.keep.reshape(ctx.idx.shape + (1,) * (r.ndim - ctx.idx.ndim)))
        return r


# ***** padding *****

# ***** regression and binary losses *****

def _nan_sign(d):
    """sign(d), nan where d is nan (torch's smooth_l1/huber backward kernels give nan there; their
    second derivative is 0 there as elsewhere outside |d| < β)."""
    s = d.sign()
    nan = np.isnan(d._data)
    return s + wrap(np.where(nan, d._data, 0).astype(d._data.dtype)) if nan.any() else s


def _minus(x, y):
    """x - y in a regression loss's backward, a bool operand read as 0/1 as torch's kernels read
    it (Tensor subtraction refuses bool; a bool operand never requires grad)."""
    if x._data.dtype == np.bool_:
        x = wrap(x._data.astype(y._data.dtype))
    elif y._data.dtype == np.bool_:
        y = wrap(y._data.astype(x._data.dtype))
    return x - y


class MseLoss(Op):
    """loss = reduce((x - y)²)             dx = 2·(x - y)·g/n,   dy = -dx"""
    node_name = "MseLossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction):
        a, b = binary_arrays(x, y)
        d = a - b
        ctx.reduction, ctx.count = reduction, d.size
        ctx.save_for_backward(x, y)
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        dx = _minus(x, y) * (_scale(ctx, g) * 2.0)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class SmoothL1Loss(Op):
    """loss = reduce(½d²/β if |d| < β else |d| - ½β),  d = x - y
    dx = g/n · (d/β if |d| < β else sign(d)),   dy = -dx      (d = nan: nan, as torch)"""
    arity = 2

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        a, b = binary_arrays(x, y)
        d = a - b
        ad = np.abs(d)
        loss = np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta).astype(d.dtype, copy=False)
        ctx.reduction, ctx.count, ctx.beta = reduction, d.size, beta
        ctx.save_for_backward(x, y)
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = _minus(x, y)
        dx = where_(d.abs() < ctx.beta, d / ctx.beta, _nan_sign(d)) * _scale(ctx, g)
        return dx, (-dx if ctx.needs_input_grad[1] else None)


class BinaryCrossEntropy(Op):
    """loss = reduce(-w·(y·log x + (1-y)·log(1-x)))   (each log clamped at -100, as torch)
    dx = g/n · w·(x - y) / max(x(1-x), 1e-12),      dy = g/n · w·(log(1-x) - log x)"""
    arity = 2

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        a, b = binary_arrays(x, y)
        bad_x, bad_y = ~((a >= 0) & (a <= 1)), ~((b >= 0) & (b <= 1))
        bad = bad_x | bad_y
        if bad.any():                       # torch checks element by element, input first
            which = "input" if bad_x.flat[int(np.argmax(bad.reshape(-1)))] else "target"
            raise RuntimeError(f"all elements of {which} should be between 0 and 1")
        loss = -(b * np.maximum(np.log(a), -100) + (1 - b) * np.maximum(np.log1p(-a), -100))
        if weight is not None:
            loss = loss * weight._data
        ctx.reduction, ctx.count, ctx.weight = reduction, loss.size, weight
        ctx.save_for_backward(x, y)
        return _reduce(loss.astype(a.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        s = _scale(ctx, g)
        if ctx.weight is not None:
            s = s * ctx.weight
        need = ctx.needs_input_grad
        dx = s * (x - y) / ((1.0 - x) * x).clamp(min=1e-12) if need[0] else None
        dy = s * ((1.0 - x).log() - x.log()) if need[1] else None
        return dx, dy


class BinaryCrossEntropyWithLogits(Op):
    """loss = reduce(w·((1-y)·x - l·log σ(x))),   l = 1 + (pw - 1)·y   (pw = pos_weight, else 1)
    dx = g/n · w·((pw·y + 1 - y)·σ(x) - pw·y),     dy = g/n · w·(log σ(-x) - pw·log σ(x))
    (torch's formulas, which fix where infinities give nan), y's dtype (torch computes in place
    into 1 - y); log σ(x) = -(log(1 + exp(-|x|)) + max(-x, 0)), stable for any x"""
    arity = 2

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        a, b = binary_arrays(x, y)
        logsig = -np.logaddexp(0, -a)
        if pos_weight is not None:
            logsig = logsig * (1 + (pos_weight._data - 1) * b)
        loss = (1 - b) * a - logsig
        if weight is not None:
            loss = loss * weight._data
        ctx.reduction, ctx.count, ctx.weight, ctx.pos_weight = reduction, loss.size, weight, pos_weight
        ctx.save_for_backward(x, y)
        return _reduce(loss.astype(y._data.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        s = _scale(ctx, g)
        if ctx.weight is not None:
            s = s * ctx.weight
        pw = ctx.pos_weight
        need = ctx.needs_input_grad
        dx = dy = None
        if need[0]:
            sig = x.sigmoid()
            if pw is None:
                dx = s * (sig - y)
            else:
                t = pw * y
                dx = s * ((t + 1.0 - y) * sig - t)
        if need[1]:
            if pw is None:
                dy = -(s * x)
            else:
                def logsig(v):
                    return -((-v.abs()).exp().log1p() + (-v).relu())
                dy = s * (logsig(-x) - logsig(x) * pw)
        return dx, dy
