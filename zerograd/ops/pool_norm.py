"""Pooling (max, average, adaptive) and batch / group normalisation, one graph node each.

Every pooling works on the last two axes of an array of planes (P, H, W) - torch runs the 1-d
poolings as 2-d ones on `x.unsqueeze(-2)` and records the same nodes, so does this.  The loops are
over the kernel offsets (k·k vectorised passes over strided slices), never over pixels or planes.

    MaxPool2d   (MaxPool2DWithIndicesBackward0)   y = max over each window, idx = its flat index
                dx = g scattered to idx (summed where windows overlap)
    MaxPoolScatter (…BackwardBackward0)            z = g scattered to idx    dg = gg gathered at idx
    AvgPool2d   (AvgPool2DBackward0)               y = Σ window / divisor    dx = g / divisor spread
                                                   back over each window; its backward op's VJP is
                                                   AvgPool2d again (both are linear)
    AdaptiveAvgPool2d (AdaptiveAvgPool2DBackward0) y = A_h x A_wᵀ (A: window averaging matrices)
                                                   dx = A_hᵀ g A_w
    AdaptiveMaxPool2d (AdaptiveMaxPool2DBackward0) as MaxPool2d, over torch's adaptive windows
    NativeBatchNorm (NativeBatchNormBackward0)     y = (x - μ)/σ · w + b per channel; training:
                                                   batch statistics, running stats updated in place
    NativeGroupNorm (NativeGroupNormBackward0)     the same statistics per (sample, group)

The normalisations' backward is written with Tensor ops (recomputing the statistics when a graph
is being built, as layer_norm does), so create_graph differentiates them again.
"""
from __future__ import annotations

import math

import numpy as np

from .. import grad_mode as _gm
from ..autograd.function import Op, ones_vector
from ._util import accumulate_dtype

_state = _gm._state


# ------------------------------------------------------------------------------------------------
# shared helpers
# ------------------------------------------------------------------------------------------------

def pool_out(size, k, pad, stride, dil, ceil):
    """torch's pooling_output_shape_pad_lr (without the checks)."""
    out = (size + 2 * pad - dil * (k - 1) - 1 + (stride - 1 if ceil else 0)) // stride + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _planes(a):
    return a.reshape((-1,) + a.shape[-2:])


def _buffer(x, pads, need, fill):
    """x (P, H, W) in a (P, Hb, Wb) buffer of `fill`, x at offset pads; Hb covers `need`."""
    P, H, W = x.shape
    Hb, Wb = max(H + 2 * pads[0], need[0]), max(W + 2 * pads[1], need[1])
    if (Hb, Wb) == (H, W):
        return x
    buf = np.full((P, Hb, Wb), fill, x.dtype)
    buf[:, pads[0]:pads[0] + H, pads[1]:pads[1] + W] = x
    return buf


def _slab(buf, i, j, O, s, d):
    return buf[:, i * d[0]: i * d[0] + (O[0] - 1) * s[0] + 1: s[0],
               j * d[1]: j * d[1] + (O[1] - 1) * s[1] + 1: s[1]]


def _lowest(dtype):
    return -np.inf if dtype.kind in "fV" else np.iinfo(dtype).min     # (V: bfloat16)


def _in_float32(fn):
    """fn(array, ...) computed in float32 for float16/bfloat16 arrays and rounded once to their
    dtype, as torch's pooling kernels accumulate half types (bfloat16 sums were divided as
    integers before)."""
    def run(a, *args):
        acc = accumulate_dtype(a.dtype)
        if acc is None:
            return fn(a, *args)
        return fn(a.astype(acc), *args).astype(a.dtype)
    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def _scatter(g, idx, shape, overlap, nd=2):
    """Gradients g (..., Oh, Ow) added into zeros of `shape` (..., H, W) at the flat (per plane)
    indices idx (nd: how many trailing axes make a plane - 3 for the 3-d poolings)."""
    HW = math.prod(shape[-nd:])
    P = math.prod(shape[:-nd])
    K = math.prod(idx.shape[-nd:])              # (explicit: a reshape to (0, -1) fails)
    gp = g.reshape(P, K)
    ip = idx.reshape(P, K)
    if ip.size and (ip.min() < 0 or ip.max() >= HW):
        # a window entirely in the padding (dilation, ceil_mode): its -inf output depends on no
        # input element, so its gradient goes nowhere (torch's backward crashes the process)
        keep = (ip >= 0) & (ip < HW)
        gp, ip = np.where(keep, gp, 0), np.where(keep, ip, 0)
        overlap = True                          # (the stand-in index 0 may repeat)
    flat = (ip + (np.arange(P, dtype=np.int64) * HW)[:, None]).ravel()
    if overlap:
        out = np.bincount(flat, weights=gp.ravel(), minlength=P * HW).astype(g.dtype, copy=False)
    else:
        out = np.zeros(P * HW, g.dtype)
        out[flat] = gp.ravel()
    return out.reshape(shape)


def _gather(gg, idx, nd=2):
    P = math.prod(gg.shape[:-nd])
    return np.take_along_axis(gg.reshape(P, math.prod(gg.shape[-nd:])),
                              idx.reshape(P, math.prod(idx.shape[-nd:])), axis=1).reshape(idx.shape)


class MaxPoolScatter(Op):
    """z = g added into zeros of x's shape at idx      dg = gg[idx]"""
    node_name = "MaxPool2DWithIndicesBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, idx, shape, overlap):
        ctx.idx = idx
        return _scatter(g._data, idx, shape, overlap)

    @staticmethod
    def backward(ctx, gg):
        return PoolGather.apply(gg, ctx.idx)

    @staticmethod
    def np_backward(ctx, gg):
        return _gather(gg, ctx.idx)


class AdaptiveMaxPoolScatter(MaxPoolScatter):
    """z = g added into zeros of x's shape at idx      dg = gg[idx]"""
    node_name = "AdaptiveMaxPool2DBackwardBackward0"


class PoolGather(Op):
    """z = a[idx] (per plane)      da = g added into zeros at idx"""
    node_name = "GatherBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, idx):
        ctx.idx, ctx.shape = idx, a._data.shape
        return _gather(a._data, idx)

    @staticmethod
    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.shape, True)

    @staticmethod
    def np_backward(ctx, g):
        return _scatter(g, ctx.idx, ctx.shape, True)


# ------------------------------------------------------------------------------------------------
# max pooling
# ------------------------------------------------------------------------------------------------

def maxpool_np(a, k, s, p, d, ceil):
    """(..., H, W) -> (y, idx) of shape (..., Oh, Ow); torch's first max (NaN wins) in row-major
    window order, padded positions never chosen."""
    lead = a.shape[:-2]
    x = _planes(a)
    P, H, W = x.shape
    O = (pool_out(H, k[0], p[0], s[0], d[0], ceil), pool_out(W, k[1], p[1], s[1], d[1], ceil))
    need = ((O[0] - 1) * s[0] + (k[0] - 1) * d[0] + 1, (O[1] - 1) * s[1] + (k[1] - 1) * d[1] + 1)
    buf = _buffer(x, p, need, _lowest(a.dtype))
    rows = np.arange(O[0], dtype=np.int64) * s[0] - p[0]
    cols = np.arange(O[1], dtype=np.int64) * s[1] - p[1]
    edge = buf is not x or need[0] > H or need[1] > W
    nan = a.dtype.kind in "fV" and bool(np.isnan(x).any())
    best = np.full((P,) + O, _lowest(a.dtype), a.dtype)
    # each window starts at its first valid position (torch's initial index)
    i0 = ((-rows).clip(0) + d[0] - 1) // d[0]
    j0 = ((-cols).clip(0) + d[1] - 1) // d[1]
    ai = np.array(np.broadcast_to(i0[:, None], (P,) + O))
    aj = np.array(np.broadcast_to(j0[None, :], (P,) + O))
    for i in range(k[0]):
        rv = (rows + i * d[0] >= 0) & (rows + i * d[0] < H)
        if not rv.any():
            continue
        for j in range(k[1]):
            cv = (cols + j * d[1] >= 0) & (cols + j * d[1] < W)
            if not cv.any():
                continue
            v = _slab(buf, i, j, O, s, d)
            m = v > best
            if nan:
                m |= np.isnan(v)
            if edge and not (rv.all() and cv.all()):
                m &= rv[:, None] & cv[None, :]
            np.copyto(best, v, where=m)
            np.copyto(ai, i, where=m)
            np.copyto(aj, j, where=m)
    idx = (rows[:, None] + ai * d[0]) * W + (cols[None, :] + aj * d[1])
    return best.reshape(lead + O), idx.reshape(lead + O)


class MaxPool2d(Op):
    """y, idx = max over each window (and where it is)
    dx = g scattered into zeros at idx (summed where windows overlap)"""
    node_name = "MaxPool2DWithIndicesBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, k, s, p, d, ceil):
        y, idx = maxpool_np(x._data, k, s, p, d, ceil)
        ctx.idx, ctx.shape = idx, x._data.shape
        ctx.overlap = (k[0] - 1) * d[0] + 1 > s[0] or (k[1] - 1) * d[1] + 1 > s[1]
        return y, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.shape, ctx.overlap)

    @staticmethod
    def np_backward(ctx, g, gi=None):
        return _scatter(g, ctx.idx, ctx.shape, ctx.overlap)


def _windows(n, o):
    start = (np.arange(o) * n) // o
    end = -((-(np.arange(1, o + 1) * n)) // o)
    return start.astype(np.int64), end.astype(np.int64)


def adaptive_maxpool_np(a, O):
    lead = a.shape[:-2]
    if 0 in O:                              # an empty output (torch's too): nothing to pool
        return np.zeros(lead + tuple(O), a.dtype), np.zeros(lead + tuple(O), np.int64)
    x = _planes(a)
    P, H, W = x.shape
    hs, he = _windows(H, O[0])
    ws, we = _windows(W, O[1])
    nan = a.dtype.kind in "fV" and bool(np.isnan(x).any())
    best = np.full((P,) + tuple(O), _lowest(a.dtype), a.dtype)
    ai = np.zeros((P,) + tuple(O), np.int64)
    aj = np.zeros((P,) + tuple(O), np.int64)
    for i in range(int((he - hs).max())):
        r = hs + i
        rv = r < he
        rr = np.minimum(r, H - 1)
        xr = x[:, rr, :]
        for j in range(int((we - ws).max())):
            c = ws + j
            cv = c < we
            v = xr[:, :, np.minimum(c, W - 1)]
            m = v > best
            if nan:
                m |= np.isnan(v)
            if not (rv.all() and cv.all()):
                m &= rv[:, None] & cv[None, :]
            np.copyto(best, v, where=m)
            np.copyto(ai, i, where=m)
            np.copyto(aj, j, where=m)
    idx = (hs[:, None] + ai) * W + (ws[None, :] + aj)
    return best.reshape(lead + tuple(O)), idx.reshape(lead + tuple(O))


class AdaptiveMaxPool2d(Op):
    """y, idx = max over each adaptive window      dx = g scattered into zeros at idx"""
    node_name = "AdaptiveMaxPool2DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, O):
        y, idx = adaptive_maxpool_np(x._data, O)
        H, W = x._data.shape[-2:]
        ctx.idx, ctx.shape = idx, x._data.shape
        ctx.overlap = 0 not in O and (H % O[0] != 0 or W % O[1] != 0)
        return y, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return AdaptiveMaxPoolScatter.apply(g, ctx.idx, ctx.shape, ctx.overlap)

    @staticmethod
    def np_backward(ctx, g, gi=None):
        return _scatter(g, ctx.idx, ctx.shape, ctx.overlap)


# ------------------------------------------------------------------------------------------------
# average pooling
# ------------------------------------------------------------------------------------------------

def _avg_factors(n, o, k, s, p, count_include_pad):
    start = np.arange(o, dtype=np.int64) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    valid = np.minimum(end, n) - np.maximum(start, 0)
    return size if count_include_pad else valid


def _avg_divisor(H, W, O, k, s, p, count_include_pad, divisor_override):
    if divisor_override is not None:
        return divisor_override
    return np.multiply.outer(_avg_factors(H, O[0], k[0], s[0], p[0], count_include_pad),
                             _avg_factors(W, O[1], k[1], s[1], p[1], count_include_pad))


def _divide(sums, div):
    if sums.dtype.kind == "f":
        return sums / np.asarray(div, sums.dtype)
    q = np.abs(sums) // np.abs(div)                 # C's truncating integer division
    return (q * (np.sign(sums) * np.sign(div))).astype(sums.dtype)


@_in_float32
def avgpool_np(a, k, s, p, ceil, cip, dov):
    lead = a.shape[:-2]
    x = _planes(a)
    P, H, W = x.shape
    O = (pool_out(H, k[0], p[0], s[0], 1, ceil), pool_out(W, k[1], p[1], s[1], 1, ceil))
    need = ((O[0] - 1) * s[0] + k[0], (O[1] - 1) * s[1] + k[1])
    buf = _buffer(x, p, need, 0)
    acc = None
    for i in range(k[0]):
        for j in range(k[1]):
            v = _slab(buf, i, j, O, s, (1, 1))
            if acc is None:
                acc = v.copy()
            else:
                acc += v
    y = _divide(acc, _avg_divisor(H, W, O, k, s, p, cip, dov))
    return y.reshape(lead + O)


@_in_float32
def avgpool_t_np(g, shape, k, s, p, cip, dov):
    """The adjoint of avgpool_np: g (..., Oh, Ow) spread back over each window / divisor."""
    H, W = shape[-2:]
    gp = _planes(g)
    P = gp.shape[0]
    O = gp.shape[1:]
    gs = gp / np.asarray(_avg_divisor(H, W, O, k, s, p, cip, dov), g.dtype)
    need = ((O[0] - 1) * s[0] + k[0], (O[1] - 1) * s[1] + k[1])
    Hb, Wb = max(H + 2 * p[0], need[0]), max(W + 2 * p[1], need[1])
    buf = np.zeros((P, Hb, Wb), g.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            _slab(buf, i, j, O, s, (1, 1))[...] += gs
    return np.ascontiguousarray(buf[:, p[0]:p[0] + H, p[1]:p[1] + W]).reshape(shape)


class AvgPool2d(Op):
    """y = Σ window / divisor       dx = g / divisor spread back over each window"""
    node_name = "AvgPool2DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, k, s, p, ceil, cip, dov):
        ctx.args, ctx.shape = (k, s, p, ceil, cip, dov), x._data.shape
        return avgpool_np(x._data, k, s, p, ceil, cip, dov)

    @staticmethod
    def backward(ctx, g):
        return AvgPool2dBackward.apply(g, ctx.shape, ctx.args)

    @staticmethod
    def np_backward(ctx, g):
        k, s, p, ceil, cip, dov = ctx.args
        return avgpool_t_np(g, ctx.shape, k, s, p, cip, dov)


class AvgPool2dBackward(Op):
    """z = g / divisor spread back over each window      dg = avg_pool2d(gg) (linear)"""
    node_name = "AvgPool2DBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, shape, args):
        k, s, p, ceil, cip, dov = args
        ctx.args = args
        return avgpool_t_np(g._data, shape, k, s, p, cip, dov)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool2d.apply(gg, *ctx.args)

    @staticmethod
    def np_backward(ctx, gg):
        return avgpool_np(gg, *ctx.args)


def _adaptive_matrix(n, o, dtype):
    start, end = _windows(n, o)
    pos = np.arange(n)
    inside = (pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])
    return (inside / np.maximum(end - start, 1)[:, None]).astype(dtype)    # (n = 0: no window)


@_in_float32
def _adaptive_avg_np(a, mats):
    """A_h a A_wᵀ on each plane of a (..., H, W).  With a nan or ±inf in a, window by window
    instead: the products would multiply it by the zeros of every other window (nan
    everywhere, where torch's windows keep it to their own)."""
    Ah, Aw = mats
    if not np.isfinite(a).all():
        return _window_means(_window_means(a, len(Aw)).swapaxes(-1, -2), len(Ah)).swapaxes(-1, -2)
    return np.matmul(Ah, np.matmul(_planes(a), Aw.T)).reshape(a.shape[:-2] + (len(Ah), len(Aw)))


@_in_float32
def _adaptive_avg_t_np(g, mats):
    """A_hᵀ g A_w on each plane of g (..., Oh, Ow): the adjoint (window by window for a
    non-finite g, as above)."""
    Ah, Aw = mats
    H, W = Ah.shape[1], Aw.shape[1]
    if not np.isfinite(g).all():
        return _window_spread(_window_spread(g, W).swapaxes(-1, -2), H).swapaxes(-1, -2)
    return np.matmul(Ah.T, np.matmul(_planes(g), Aw)).reshape(g.shape[:-2] + (H, W))


def _window_means(x, o):
    """The mean of each of the o adaptive windows along x's last axis."""
    start, end = _windows(x.shape[-1], o)
    return np.stack([x[..., s:e].mean(axis=-1) for s, e in zip(start, end)], axis=-1)


def _window_spread(g, n):
    """The adjoint of _window_means: each g[..., j] / |window j| added over window j of n."""
    start, end = _windows(n, g.shape[-1])
    out = np.zeros(g.shape[:-1] + (n,), g.dtype)
    for j, (s, e) in enumerate(zip(start, end)):
        out[..., s:e] += g[..., j:j + 1] / g.dtype.type(e - s)
    return out


class AdaptiveAvgPool2d(Op):
    """y = A_h x A_wᵀ (A: each row averages one adaptive window)      dx = A_hᵀ g A_w"""
    node_name = "AdaptiveAvgPool2DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, O):
        a = x._data
        H, W = a.shape[-2:]
        dt = accumulate_dtype(a.dtype) or a.dtype         # (half types: in float32)
        ctx.mats = (_adaptive_matrix(H, O[0], dt), _adaptive_matrix(W, O[1], dt))
        return _adaptive_avg_np(a, ctx.mats)

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPool2dBackward.apply(g, ctx.mats)

    @staticmethod
    def np_backward(ctx, g):
        return _adaptive_avg_t_np(g, ctx.mats)


class AdaptiveAvgPool2dBackward(Op):
    """z = A_hᵀ g A_w      dg = A_h gg A_wᵀ"""
    node_name = "AdaptiveAvgPool2DBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, mats):
        ctx.mats, ctx.O = mats, g._data.shape[-2:]
        return _adaptive_avg_t_np(g._data, mats)

    @staticmethod
    def backward(ctx, gg):
        return AdaptiveAvgPool2d.apply(gg, ctx.O)

    @staticmethod
    def np_backward(ctx, gg):
        return _adaptive_avg_np(gg, ctx.mats)


# ------------------------------------------------------------------------------------------------
# batch and group normalisation
# ------------------------------------------------------------------------------------------------

def _chan_sum(a):
    """Σ over every axis but 1 of (N, C, *S): (C,)."""
    N, C = a.shape[:2]
    L = math.prod(a.shape[2:])
    if a.dtype.kind == "f" and L >= 8 and a.flags.c_contiguous:
        s = np.matmul(a.reshape(N * C, L), ones_vector(L, a.dtype)).reshape(N, C)
    else:
        s = np.add.reduce(a.reshape(N, C, L), axis=2)
    return np.add.reduce(s, axis=0)


def _along1(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _bump(t):
    from .inplace import bump_version
    bump_version(t)


class NativeBatchNorm(Op):
    """y = (x - μ)·r·w + b per channel, r = 1/sqrt(var + eps): batch statistics in training (the
    running ones updated in place), the running statistics otherwise.  x̂ = (x - μ)·r, ĝ = g·w:
    training  dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂));   eval  dx = r·ĝ;   dw = Σ g·x̂,  db = Σ g"""
    node_name = "NativeBatchNormBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, training, momentum, eps):
        a = x._data
        C = a.shape[1]
        n = a.size // C if C else 0
        if training:
            mean = _chan_sum(a) / a.dtype.type(max(n, 1))
            xc = a - _along1(mean, a.ndim)
            var = _chan_sum(xc * xc) / a.dtype.type(max(n, 1))
            rstd = 1.0 / np.sqrt(var + a.dtype.type(eps))
            if rm is not None:
                d = rm._data
                d *= d.dtype.type(1 - momentum)
                d += (momentum * mean).astype(d.dtype)
                _bump(rm)
            if rv is not None:
                d = rv._data
                unbiased = var * (a.dtype.type(n) / a.dtype.type(n - 1)) if n > 1 else var * np.inf
                d *= d.dtype.type(1 - momentum)
                d += (momentum * unbiased).astype(d.dtype)
                _bump(rv)
        else:
            mean = rm._data.astype(a.dtype)
            rstd = (1.0 / np.sqrt(rv._data + eps)).astype(a.dtype)
            xc = a - _along1(mean, a.ndim)
        rstd = rstd.astype(a.dtype, copy=False)
        xhat = xc
        xhat *= _along1(rstd, a.ndim)
        y = xhat * _along1(w._data, a.ndim) if w is not None else xhat.copy()
        if b is not None:
            y += _along1(b._data, a.ndim)
        ctx.training, ctx.eps = training, eps
        ctx.save_for_backward(x, w, mean, rstd)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, mean, rstd = ctx.saved_tensors
        nd = x.ndim
        dims = (0,) + tuple(range(2, nd))
        need = ctx.needs_input_grad
        if ctx.training and _state.enabled:      # building a graph: the statistics depend on x
            xc = x - x.mean(dims, keepdim=True)
            r = ((xc * xc).mean(dims, keepdim=True) + ctx.eps).rsqrt()
        else:
            xc = x - mean.reshape((1, -1) + (1,) * (nd - 2))
            r = rstd.reshape((1, -1) + (1,) * (nd - 2))
        xhat = xc * r
        dx = None
        if need[0]:
            gw = g if w is None else g * w.reshape((1, -1) + (1,) * (nd - 2))
            if ctx.training:
                dx = r * (gw - gw.mean(dims, keepdim=True)
                          - xhat * (gw * xhat).mean(dims, keepdim=True))
            else:
                dx = gw * r
        dw = (g * xhat).sum(dims) if need[1] else None
        db = g.sum(dims) if need[2] else None
        return dx, dw, db

    @staticmethod
    def np_backward(ctx, g):
        x, w, mean, rstd = ctx._saved_np()
        nd = x.ndim
        need = ctx.needs_input_grad
        C = x.shape[1]
        n = x.size // C if C else 1
        xhat = x - _along1(mean, nd)
        xhat *= _along1(rstd, nd)
        g = np.ascontiguousarray(g)
        gx = g * xhat
        sgx = _chan_sum(gx)
        sg = _chan_sum(g) if (need[2] or (need[0] and ctx.training)) else None
        dx = None
        if need[0]:
            wr = rstd if w is None else rstd * w
            if ctx.training:
                dx = xhat
                dx *= _along1(-sgx / n, nd)
                dx += g
                dx -= _along1(sg / n, nd)
                dx *= _along1(wr, nd)
            else:
                dx = g * _along1(wr, nd)
        return dx, (sgx if need[1] else None), (sg if need[2] else None)


class NativeGroupNorm(Op):
    """y = (x - μ)·r·w + b with μ, r per (sample, group of channels); x̂ = (x - μ)·r, ĝ = g·w:
    dx = r·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) over each group,  dw = Σ g·x̂,  db = Σ g"""
    node_name = "NativeGroupNormBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, G, eps):
        a = x._data
        N, C = a.shape[:2]
        ar = a.reshape(N, G, -1)
        L = ar.shape[2]
        mean = np.add.reduce(ar, axis=2, keepdims=True) / a.dtype.type(max(L, 1))
        xc = ar - mean
        var = np.add.reduce((xc * xc), axis=2, keepdims=True) / a.dtype.type(max(L, 1))
        rstd = (1.0 / np.sqrt(var + a.dtype.type(eps))).astype(a.dtype)
        xhat = (xc * rstd).reshape(a.shape)
        y = xhat * _along1(w._data, a.ndim) if w is not None else xhat.copy()
        if b is not None:
            y += _along1(b._data, a.ndim)
        ctx.G, ctx.eps = G, eps
        ctx.save_for_backward(x, w, mean, rstd)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, mean, rstd = ctx.saved_tensors
        G, nd = ctx.G, x.ndim
        N, C = x.shape[:2]
        need = ctx.needs_input_grad
        dims = (0,) + tuple(range(2, nd))
        xr = x.reshape(N, G, -1)
        if _state.enabled:
            xc = xr - xr.mean(2, keepdim=True)
            r = ((xc * xc).mean(2, keepdim=True) + ctx.eps).rsqrt()
        else:
            xc = xr - mean
            r = rstd
        xhat = xc * r
        dx = None
        if need[0]:
            gw = g if w is None else g * w.reshape((1, -1) + (1,) * (nd - 2))
            gw = gw.reshape(N, G, -1)
            dx = (r * (gw - gw.mean(2, keepdim=True)
                       - xhat * (gw * xhat).mean(2, keepdim=True))).reshape(x.shape)
        xh = xhat.reshape(x.shape)
        dw = (g * xh).sum(dims) if need[1] else None
        db = g.sum(dims) if need[2] else None
        return dx, dw, db

    @staticmethod
    def np_backward(ctx, g):
        x, w, mean, rstd = ctx._saved_np()
        G, nd = ctx.G, x.ndim
        N, C = x.shape[:2]
        need = ctx.needs_input_grad
        xhat = ((x.reshape(N, G, -1) - mean) * rstd).reshape(x.shape)
        dx = None
        if need[0]:
            gw = g * _along1(w, nd) if w is not None else np.array(g, copy=True)
            gr = gw.reshape(N, G, -1)
            xr = xhat.reshape(N, G, -1)
            L = max(gr.shape[2], 1)
            m1 = np.add.reduce(gr, axis=2, keepdims=True) / L
            m2 = np.add.reduce((gr * xr), axis=2, keepdims=True) / L
            dx = ((gr - m1 - xr * m2) * rstd).reshape(x.shape).astype(x.dtype, copy=False)
        dw = np.add.reduce((g * xhat), axis=(0,) + tuple(range(2, nd))) if need[1] else None
        db = np.add.reduce(g, axis=(0,) + tuple(range(2, nd))) if need[2] else None
        return dx, dw, db


# ------------------------------------------------------------------------------------------------
# the functional API: torch's argument checks and messages, then one node
# ------------------------------------------------------------------------------------------------

def _ints(v, fname=None, arg=None, pos=None):
    """An int or a sequence of ints as a list (None: []); with `fname`, anything else is torch's
    argument-parser TypeError (a float kernel size, padding=None...)."""
    if v is None:
        if fname is None or arg == "stride":
            return []
        _not_ints(fname, arg, pos, v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return [int(v)]
    if fname is not None:
        if not isinstance(v, (tuple, list)):
            _not_ints(fname, arg, pos, v)
        for i, e in enumerate(v):
            if not isinstance(e, (int, np.integer)) or isinstance(e, bool):
                raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of "
                                f"ints, but found element of type {type(e).__name__} at pos {i}")
    return [int(i) for i in v]


def _not_ints(fname, arg, pos, v):
    raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                    f"{type(v).__name__}")


def _pool_ints(fname, kernel_size, stride, padding, dilation=None):
    """kernel_size, stride, padding (and dilation) as lists, checked as torch's parser does."""
    out = [_ints(kernel_size, fname, "kernel_size", 2), _ints(stride, fname, "stride", 3),
           _ints(padding, fname, "padding", 4)]
    return out + ([] if dilation is None else [_ints(dilation, fname, "dilation", 5)])


def _sizes(t):
    return list(t.shape)


def _pool_out_checked(size, k, pad, stride, dil, ceil):
    """torch's pooling_output_shape, with its checks."""
    if stride == 0:
        raise RuntimeError("stride should not be zero")
    if pad < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {pad}")
    if pad > int(((k - 1) * dil + 1) / 2):        # (C's division: toward zero)
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad}, "
                           f"kernel_size={k} and dilation={dil}")
    return pool_out(size, k, pad, stride, dil, ceil)


def _pool2d_shape_check(input, k, s, p, d, O):
    kH, kW = k
    if not (kW > 0 and kH > 0):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kH} kW: {kW}")
    if not (s[1] > 0 and s[0] > 0):
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if not (d[0] > 0 and d[1] > 0):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    sh = input.shape
    valid = sh[1] != 0 and sh[2] != 0
    if not ((input.dim() == 3 and sh[0] != 0 and valid) or (input.dim() == 4 and valid and sh[3] != 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_sizes(input)}")
    if not (kW // 2 >= p[1] and kH // 2 >= p[0]):
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {p[1]}, padH = {p[0]}, kW = {kW}, kH = {kH}")
    if not (O[1] >= 1 and O[0] >= 1):
        C, H, W = sh[-3], sh[-2], sh[-1]
        raise RuntimeError(f"Given input size: ({C}x{H}x{W}). Calculated output size: "
                           f"({C}x{O[0]}x{O[1]}). Output size is too small")


def _pool_params(name, kernel_size, stride, padding, dilation):
    k, s, p = _pool_ints(name, kernel_size, stride, padding)
    if len(k) not in (1, 2):
        raise RuntimeError(f"{name}: kernel_size must either be a single int, or a tuple of two ints")
    kH = k[0]
    kW = kH if len(k) == 1 else k[1]
    if len(s) not in (0, 1, 2):
        raise RuntimeError(f"{name}: stride must either be omitted, a single int, or a tuple of two "
                           "ints")
    dH = kH if not s else s[0]
    dW = kW if not s else (dH if len(s) == 1 else s[1])
    if len(p) not in (1, 2):
        raise RuntimeError(f"{name}: padding must either be a single int, or a tuple of two ints")
    pH = p[0]
    pW = pH if len(p) == 1 else p[1]
    dl = None
    if dilation is not None:
        dl = _ints(dilation, name, "dilation", 5)
        if len(dl) not in (1, 2):
            raise RuntimeError(f"{name}: dilation must be either a single int, or a tuple of two ints")
        dl = (dl[0], dl[0] if len(dl) == 1 else dl[1])
    return (kH, kW), (dH, dW), (pH, pW), dl


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    k, s, p, d = _pool_params("max_pool2d", kernel_size, stride, padding, dilation)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    H, W = input.shape[-2:]
    O = (_pool_out_checked(H, k[0], p[0], s[0], d[0], ceil_mode),
         _pool_out_checked(W, k[1], p[1], s[1], d[1], ceil_mode))
    _pool2d_shape_check(input, k, s, p, d, O)
    return MaxPool2d.apply(input, k, s, p, d, bool(ceil_mode))


def _check_dim_range(name, t, lo, hi):
    if not lo <= t.dim() < hi:
        raise RuntimeError(f"Expected {lo} to {hi - 1} dimensions, but got {t.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for {name})")


def _check1d(name, arg, v):
    if len(v) != 1:
        raise RuntimeError(f"{name}() argument '{arg}' should contain one int (got {len(v)})")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False):
    k, s, p, d = _pool_ints("max_pool1d_with_indices", kernel_size, stride, padding, dilation)
    if not s:
        s = k
    _check_dim_range("max_pool1d", input, 2, 4)
    for arg, v in (("kernel_size", k), ("stride", s), ("padding", p), ("dilation", d)):
        _check1d("max_pool1d", arg, v)
    y, idx = max_pool2d_with_indices(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]),
                                     (1, d[0]), ceil_mode)
    return y.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool1d: its own checks where no gradient is wanted, else the indices path."""
    nd = input.dim()
    sh = input.shape
    if not ((nd == 2 and sh[0] != 0 and sh[1] != 0) or (nd == 3 and sh[1] != 0 and sh[2] != 0)):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got:{_sizes(input)}")
    k, s, p, d = _pool_ints("max_pool1d", kernel_size, stride, padding, dilation)
    if len(k) != 1:
        raise RuntimeError("max_pool1d() kernel_size must be an int, list of ints or tuple of ints "
                           f"of size 1 but got size {len(k)}")
    if len(s) not in (0, 1):
        raise RuntimeError("max_pool1d() stride must be None, an int, list of ints, or tuple of ints "
                           f"of size 1 but got size {len(s)}")
    if len(p) != 1:
        raise RuntimeError("max_pool1d() padding must be an int, list of ints, or tuple of ints of "
                           f"size 1 but got size {len(p)}")
    if len(d) != 1:
        raise RuntimeError("max_pool1d() dilation must be an int, list of ints or tuple of ints of "
                           f"size 1 but got size {len(d)}")
    if not s:
        s = k
    if k[0] <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k[0]}")
    if s[0] <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s[0]}")
    if p[0] < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p[0]}")
    if p[0] > k[0] // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p[0]} and kernel_size={k[0]}")
    if d[0] <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d[0]}")
    ow = _pool_out_checked(sh[-1], k[0], p[0], s[0], d[0], ceil_mode)
    if ow <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {ow}")
    if input.requires_grad and _state.enabled:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]
    _float_only("max_pool1d_impl", input)
    y, _ = MaxPool2d.apply(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), (1, d[0]),
                           bool(ceil_mode))
    return y.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    k, s, p, _ = _pool_params("avg_pool2d", kernel_size, stride, padding, None)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() < 3:
        from ._util import canon_dim
        canon_dim(-3, input.dim())
    H, W = input.shape[-2:]
    O = (_pool_out_checked(H, k[0], p[0], s[0], 1, ceil_mode),
         _pool_out_checked(W, k[1], p[1], s[1], 1, ceil_mode))
    _pool2d_shape_check(input, k, s, p, (1, 1), O)
    if input.dtype.is_floating_point or input.dtype.name in ("int64", "int32", "int16", "int8",
                                                             "uint8"):
        dov = None if divisor_override is None else int(divisor_override)
        return AvgPool2d.apply(input, k, s, p, bool(ceil_mode), bool(count_include_pad), dov)
    from ._args import not_implemented
    not_implemented("avg_pool2d", input.dtype)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    k, s, p = _pool_ints("avg_pool1d", kernel_size, stride, padding)
    if not s:
        s = k
    _check_dim_range("avg_pool1d", input, 2, 4)
    for arg, v in (("kernel_size", k), ("stride", s), ("padding", p)):
        _check1d("avg_pool1d", arg, v)
    y = avg_pool2d(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), ceil_mode,
                   count_include_pad)
    return y.squeeze(-2)


def _float_only(name, input):
    if not input.dtype.is_floating_point:
        from ._args import not_implemented
        not_implemented(name, input.dtype)


def adaptive_avg_pool2d(input, output_size):
    O = _ints(output_size)
    if len(O) == 1 and isinstance(output_size, (int, np.integer)):
        O = O * 2
    if len(O) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if not (O[0] >= 0 and O[1] >= 0):
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or "
                           f"equal to 0 but received {{{O[0]}, {O[1]}}}")
    if O[0] == 1 and O[1] == 1:
        return input.mean((-1, -2), keepdim=True)
    nd = input.dim()
    if nd not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_sizes(input)}")
    for i in (-2, -1):
        if input.shape[i] <= 0:
            raise RuntimeError("adaptive_avg_pool2d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(input)} with "
                               f"dimension {i + nd} being empty")
    _float_only("adaptive_avg_pool2d", input)
    return AdaptiveAvgPool2d.apply(input, tuple(O))


def adaptive_avg_pool1d(input, output_size):
    O = _ints(output_size)
    _check_dim_range("adaptive_avg_pool1d", input, 2, 4)
    _check1d("adaptive_avg_pool1d", "output_size", O)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, O[0])).squeeze(-2)


def adaptive_max_pool2d(input, output_size):
    """-> (output, indices)"""
    O = _ints(output_size)
    if len(O) == 1 and isinstance(output_size, (int, np.integer)):
        O = O * 2
    nd = input.dim()
    if nd not in (3, 4):
        raise RuntimeError(f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: {_sizes(input)}")
    for i in range(1, nd):
        if input.shape[i] <= 0:
            raise RuntimeError("adaptive_max_pool2d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(input)} with "
                               f"dimension {i} being empty")
    if len(O) != 2:
        raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
    _float_only("adaptive_max_pool2d", input)
    if O[0] < 0 or O[1] < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(O)}: "
                           f"{_sizes(input)[:-2] + O}")
    return AdaptiveMaxPool2d.apply(input, tuple(O))


def adaptive_max_pool1d(input, output_size):
    O = _ints(output_size)
    _check_dim_range("adaptive_max_pool1d", input, 2, 4)
    _check1d("adaptive_max_pool1d", "output_size", O)
    for i in range(1, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError("adaptive_max_pool1d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(input)} with "
                               f"dimension {i} being empty")
    y, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, O[0]))
    return y.squeeze(-2), idx.squeeze(-2)


def _same_dtypes(input, *params):
    """torch's CPU kernels want every parameter in the input's dtype."""
    from ._util import scalar_type_name
    for t in params:
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                               f"{scalar_type_name(t.dtype)}")


def _check_features(name, expected, t):
    if t is not None and t.numel() != expected:
        raise RuntimeError(f"{name} should contain {expected} elements not {t.numel()}")


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.batch_norm (C++ argument order): checks, then one NativeBatchNorm node."""
    if input.dim() < 2:
        from ._util import canon_dim
        canon_dim(1, input.dim())
    C = input.shape[1]
    if running_mean is not None:
        _check_features("running_mean", C, running_mean)
    elif not training:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if running_var is not None:
        _check_features("running_var", C, running_var)
    elif not training:
        raise RuntimeError("running_var must be defined in evaluation mode")
    _check_features("weight", C, weight)
    _check_features("bias", C, bias)
    _float_only("batch_norm", input)
    if _mixed(input, weight, bias, running_mean, running_var):
        return batch_norm(input.float(), weight, bias, running_mean, running_var, training,
                          momentum, eps).to(input.dtype)
    _same_dtypes(input, weight, bias, running_mean, running_var)
    return NativeBatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training),
                                 float(momentum), float(eps))


def _mixed(input, *params):
    """torch's mixed-type norms: a bfloat16/float16 input with float32 parameters (autocast's
    output into a float32 BatchNorm) computes in float32, the output in the input's dtype."""
    from .. import dtypes as _dt
    return input.dtype in (_dt.bfloat16, _dt.float16) and any(p is not None for p in params) \
        and all(p is None or p.dtype is _dt.float32 for p in params)


def group_norm(input, num_groups, weight, bias, eps):
    """torch.group_norm: checks, then one NativeGroupNorm node."""
    C = input.shape[1]
    if C % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {_sizes(input)} and num_groups={num_groups}")
    if weight is not None and (weight.dim() != 1 or weight.numel() != C):
        raise RuntimeError("Expected weight to be a vector of size equal to the number of channels "
                           f"in input, but got weight of shape {_sizes(weight)} and input of shape "
                           f"{_sizes(input)}")
    if bias is not None and (bias.dim() != 1 or bias.numel() != C):
        shown = _sizes(weight) if weight is not None else [0]
        raise RuntimeError("Expected bias to be a vector of size equal to the number of channels "
                           f"in input, but got bias of shape {shown} and input of shape "
                           f"{_sizes(input)}")
    _float_only("group_norm", input)
    if _mixed(input, weight, bias):
        return group_norm(input.float(), num_groups, weight, bias, eps).to(input.dtype)
    _same_dtypes(input, weight, bias)
    return NativeGroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps):
    """torch.instance_norm: batch_norm over a (1, N·C, *S) view, weight and running statistics
    repeated per sample; the running statistics get the mean over the samples (torch's graph:
    ViewBackward0 <- NativeBatchNormBackward0 <- ViewBackward0, RepeatBackward0)."""
    if not (use_input_stats or (running_mean is not None and running_var is not None)):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats "
                           "is false")
    shape = list(input.shape)
    b, c = shape[0], shape[1]
    shape[1] = b * c
    shape[0] = 1
    x = input.contiguous().view(*shape)
    rep = (lambda t: None if t is None else t.repeat(b))
    rm, rv = rep(running_mean), rep(running_var)
    # (torch takes running statistics of another float dtype here, unless running_var's is
    # neither the input's nor running_mean's)
    if rm is None or rv is None or rm.dtype == rv.dtype or rv.dtype == input.dtype:
        rm, rv = (None if t is None else t.to(input.dtype) for t in (rm, rv))
    out = batch_norm(x, rep(weight), rep(bias), rm, rv, use_input_stats, momentum, eps)
    with _gm.no_grad():
        if running_mean is not None:
            running_mean.copy_(rm.view(b, c).mean(0))
        if running_var is not None:
            running_var.copy_(rv.view(b, c).mean(0))
    return out.view(*input.shape)
