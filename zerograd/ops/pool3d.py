"""3-d pooling (max, average, adaptive) and max-unpooling, one graph node each.

The kernels here work on the last `nd` axes of an array (any nd; the 3-d poolings use nd = 3,
max_unpool2d nd = 2) with the design of ops/pool_norm.py's 2-d ones: loops over the kernel
offsets (vectorised passes over strided slices), never over elements or planes; float16/bfloat16
computed in float32 and rounded once (but adaptive_avg_pool3d's forward: see below).

    MaxPool3d   (MaxPool3DWithIndicesBackward0)   y = max over each window, idx = its flat index
                                                   in its (D, H, W) volume
                                                   dx = g scattered to idx (summed on overlap)
    MaxPool3dScatter (…BackwardBackward0)          z = g scattered to idx    dg = gg gathered at idx
    AvgPool3d   (AvgPool3DBackward0)               y = Σ window / divisor    dx = g / divisor spread
                                                   back over each window (its backward op's VJP
                                                   is AvgPool3d again: both are linear)
    AdaptiveAvgPool3d (AdaptiveAvgPool3DBackward0) y = x averaged along each axis by the window
                                                   matrices A_d, A_h, A_w     dx = the adjoint
                                                   (float16/bfloat16: torch sums each window in
                                                   that dtype, so does this)
    AdaptiveMaxPool3d (AdaptiveMaxPool3DBackward0) as MaxPool3d, over torch's adaptive windows
    MaxUnpool2d / MaxUnpool3d (MaxUnpool2DBackward0 / MaxUnpool3DBackward0)
                                                   y = zeros with y[idx] = x (last write wins)
                                                   dx = g gathered at idx (Tensor ops, so torch's
                                                   ViewBackward0 <- GatherBackward0 <- ViewBackward0
                                                   graph, differentiable again)

Then the functional API (torch's argument checks and messages in torch's order).
"""
from __future__ import annotations

import itertools
import math
import operator

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._util import accumulate_dtype, scalar_type_name
from .pool_norm import (_adaptive_matrix, _avg_factors, _divide, _gather, _in_float32, _lowest,
                        _pool_out_checked, _scatter, _sizes, _window_means, _window_spread,
                        _windows, pool_out)


# ------------------------------------------------------------------------------------------------
# n-d kernels on NumPy arrays (the last len(k) axes pooled)
# ------------------------------------------------------------------------------------------------

def _vols(a, nd):
    return a.reshape((-1,) + a.shape[-nd:])


def _along(v, i, nd):
    """v (1-d) shaped to broadcast along axis i of an (O_0, ..., O_nd-1) array."""
    return v.reshape((1,) * i + (-1,) + (1,) * (nd - 1 - i))


def _padded(x, pads, need, fill):
    """x (P, *S) in a buffer of `fill`, x at offset pads; each axis covers `need`."""
    S = x.shape[1:]
    B = tuple(max(n + 2 * p, m) for n, p, m in zip(S, pads, need))
    if B == S:
        return x
    buf = np.full((x.shape[0],) + B, fill, x.dtype)
    buf[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(pads, S))] = x
    return buf


def _slab_nd(buf, off, O, s, d):
    return buf[(slice(None),) + tuple(slice(o * dd, o * dd + (n - 1) * ss + 1, ss)
                                      for o, n, ss, dd in zip(off, O, s, d))]


def _flat_index(parts, S):
    """Σ parts[i] · stride_i: the flat index in a volume of sizes S."""
    idx, mul = 0, 1
    for i in range(len(S) - 1, -1, -1):
        idx = idx + parts[i] * mul
        mul *= S[i]
    return idx


def maxpool_nd_np(a, k, s, p, d, ceil):
    """(..., *S) -> (y, idx) of shape (..., *O); torch's max (a NaN wins; the last NaN's index)
    in row-major window order, padded positions never chosen, idx flat in each S volume."""
    nd = len(k)
    lead = a.shape[:-nd]
    x = _vols(a, nd)
    P, S = x.shape[0], x.shape[1:]
    O = tuple(pool_out(S[i], k[i], p[i], s[i], d[i], ceil) for i in range(nd))
    need = tuple((O[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 for i in range(nd))
    low = _lowest(a.dtype)
    buf = _padded(x, p, need, low)
    starts = [np.arange(O[i], dtype=np.int64) * s[i] - p[i] for i in range(nd)]
    edge = buf is not x or any(need[i] > S[i] for i in range(nd))
    nan = a.dtype.kind in "fV" and bool(np.isnan(x).any())
    best = np.full((P,) + O, low, a.dtype)
    # each window starts at its first valid position (torch's initial index)
    arg = [np.array(np.broadcast_to(_along(((-starts[i]).clip(0) + d[i] - 1) // d[i], i, nd),
                                    (P,) + O)) for i in range(nd)]
    valid = [[(starts[i] + j * d[i] >= 0) & (starts[i] + j * d[i] < S[i]) for j in range(k[i])]
             for i in range(nd)]
    for off in itertools.product(*(range(ki) for ki in k)):
        vs = [valid[i][off[i]] for i in range(nd)]
        if not all(v.any() for v in vs):
            continue
        v = _slab_nd(buf, off, O, s, d)
        m = v > best
        if nan:
            m |= np.isnan(v)
        if edge and not all(v_.all() for v_ in vs):
            for i in range(nd):
                m &= _along(vs[i], i, nd)
        np.copyto(best, v, where=m)
        for i in range(nd):
            np.copyto(arg[i], off[i], where=m)
    idx = _flat_index([_along(starts[i], i, nd) + arg[i] * d[i] for i in range(nd)], S)
    return best.reshape(lead + O), idx.reshape(lead + O)


def adaptive_maxpool_nd_np(a, O):
    nd = len(O)
    O = tuple(O)
    lead = a.shape[:-nd]
    if 0 in O:                              # an empty output (torch's too): nothing to pool
        return np.zeros(lead + O, a.dtype), np.zeros(lead + O, np.int64)
    x = _vols(a, nd)
    P, S = x.shape[0], x.shape[1:]
    win = [_windows(S[i], O[i]) for i in range(nd)]
    nan = a.dtype.kind in "fV" and bool(np.isnan(x).any())
    best = np.full((P,) + O, _lowest(a.dtype), a.dtype)
    arg = [np.zeros((P,) + O, np.int64) for _ in range(nd)]
    for off in itertools.product(*(range(int((e - b).max())) for b, e in win)):
        pos = [b + j for (b, _), j in zip(win, off)]
        vs = [q < e for q, (_, e) in zip(pos, win)]
        v = x[(slice(None),) + np.ix_(*(np.minimum(q, n - 1) for q, n in zip(pos, S)))]
        m = v > best
        if nan:
            m |= np.isnan(v)
        if not all(v_.all() for v_ in vs):
            for i in range(nd):
                m &= _along(vs[i], i, nd)
        np.copyto(best, v, where=m)
        for i in range(nd):
            np.copyto(arg[i], off[i], where=m)
    idx = _flat_index([_along(win[i][0], i, nd) + arg[i] for i in range(nd)], S)
    return best.reshape(lead + O), idx.reshape(lead + O)


def _avg_div_nd(S, O, k, s, p, cip, dov):
    if dov is not None:
        return dov
    div = 1
    for i in range(len(S)):
        div = div * _along(_avg_factors(S[i], O[i], k[i], s[i], p[i], cip), i, len(S))
    return div


@_in_float32
def avgpool_nd_np(a, k, s, p, ceil, cip, dov):
    nd = len(k)
    lead = a.shape[:-nd]
    x = _vols(a, nd)
    S = x.shape[1:]
    O = tuple(pool_out(S[i], k[i], p[i], s[i], 1, ceil) for i in range(nd))
    need = tuple((O[i] - 1) * s[i] + k[i] for i in range(nd))
    buf = _padded(x, p, need, 0)
    acc = None
    for off in itertools.product(*(range(ki) for ki in k)):
        v = _slab_nd(buf, off, O, s, (1,) * nd)
        if acc is None:
            acc = v.copy()
        else:
            acc += v
    y = _divide(acc, _avg_div_nd(S, O, k, s, p, cip, dov))
    return y.reshape(lead + O)


@_in_float32
def avgpool_nd_t_np(g, shape, k, s, p, cip, dov):
    """The adjoint of avgpool_nd_np: g (..., *O) spread back over each window / divisor."""
    nd = len(k)
    S = tuple(shape[-nd:])
    gp = _vols(g, nd)
    O = gp.shape[1:]
    gs = gp / np.asarray(_avg_div_nd(S, O, k, s, p, cip, dov), g.dtype)
    need = tuple((O[i] - 1) * s[i] + k[i] for i in range(nd))
    B = tuple(max(S[i] + 2 * p[i], need[i]) for i in range(nd))
    buf = np.zeros((gp.shape[0],) + B, g.dtype)
    for off in itertools.product(*(range(ki) for ki in k)):
        _slab_nd(buf, off, O, s, (1,) * nd)[...] += gs
    inner = buf[(slice(None),) + tuple(slice(p[i], p[i] + S[i]) for i in range(nd))]
    return np.ascontiguousarray(inner).reshape(shape)


def _per_axis(a, fns):
    """fns[i] applied along axis i of the last len(fns) axes (the last axis first)."""
    nd = len(fns)
    for i in range(nd - 1, -1, -1):
        ax = a.ndim - nd + i
        a = np.swapaxes(fns[i](np.swapaxes(a, ax, -1)), ax, -1)
    return np.ascontiguousarray(a)


@_in_float32
def adaptive_avg_nd_np(a, mats):
    """Each of the last len(mats) axes averaged over its adaptive windows (A x along it).  With a
    nan or ±inf in a, window by window instead: the products would multiply it by the zeros of
    every other window (nan everywhere, where torch's windows keep it to their own)."""
    if 0 in a.shape[a.ndim - len(mats):] or any(0 in m.shape for m in mats):
        return np.zeros(a.shape[:a.ndim - len(mats)] + tuple(len(m) for m in mats), a.dtype)
    if not np.isfinite(a).all():
        return _per_axis(a, [lambda v, o=len(m): _window_means(v, o) for m in mats])
    return _per_axis(a, [lambda v, m=m: np.matmul(v, m.T) for m in mats])


def adaptive_avg_half_np(a, O):
    """torch's float16/bfloat16 adaptive_avg_pool3d: each window summed in row-major order in
    the input's dtype (every partial sum rounded to it), then divided by its depth, its height
    and its width, each quotient rounded to that dtype."""
    nd = len(O)
    O = tuple(O)
    lead = a.shape[:-nd]
    if 0 in O:
        return np.zeros(lead + O, a.dtype)
    x = _vols(a, nd)
    S = x.shape[1:]
    win = [_windows(S[i], O[i]) for i in range(nd)]
    acc = np.zeros((x.shape[0],) + O, a.dtype)
    for off in itertools.product(*(range(int((e - b).max())) for b, e in win)):
        pos = [b + j for (b, _), j in zip(win, off)]
        v = x[(slice(None),) + np.ix_(*(np.minimum(q, n - 1) for q, n in zip(pos, S)))]
        inside = [q < e for q, (_, e) in zip(pos, win)]
        if all(m.all() for m in inside):
            acc = acc + v
        else:
            m = np.ones(O, bool)
            for i in range(nd):
                m = m & _along(inside[i], i, nd)
            acc = np.where(m, acc + v, acc)
    for i in range(nd):         # (torch divides by each extent in turn, each quotient rounded)
        acc = (acc.astype(np.float32) / _along(win[i][1] - win[i][0], i, nd)).astype(a.dtype)
    return acc.reshape(lead + O)


@_in_float32
def adaptive_avg_nd_t_np(g, mats):
    """The adjoint: g (..., *O) spread back over each adaptive window / its size."""
    if 0 in g.shape[g.ndim - len(mats):]:
        return np.zeros(g.shape[:g.ndim - len(mats)] + tuple(m.shape[1] for m in mats), g.dtype)
    if not np.isfinite(g).all():
        return _per_axis(g, [lambda v, n=m.shape[1]: _window_spread(v, n) for m in mats])
    return _per_axis(g, [lambda v, m=m: np.matmul(v, m) for m in mats])


def unpool_np(a, idx, out_size):
    """zeros of (..., *out_size) with each volume's flat positions idx set to a (last wins)."""
    nd = len(out_size)
    lead = a.shape[:-nd]
    V = math.prod(out_size)
    P = math.prod(lead)
    K = math.prod(a.shape[-nd:])
    out = np.zeros((P, V), a.dtype)
    if P and K:
        rows = np.broadcast_to(np.arange(P)[:, None], (P, K))
        out[rows.ravel(), idx.reshape(P, K).ravel()] = a.reshape(P, K).ravel()
    return out.reshape(lead + tuple(out_size))


# ------------------------------------------------------------------------------------------------
# the graph nodes
# ------------------------------------------------------------------------------------------------

class MaxPool3dScatter(Op):
    """z = g added into zeros of x's shape at idx      dg = gg[idx]"""
    node_name = "MaxPool3DWithIndicesBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, idx, shape, overlap):
        ctx.idx = idx
        return _scatter(g._data, idx, shape, overlap, 3)

    @staticmethod
    def backward(ctx, gg):
        return Pool3dGather.apply(gg, ctx.idx)

    @staticmethod
    def np_backward(ctx, gg):
        return _gather(gg, ctx.idx, 3)


class AdaptiveMaxPool3dScatter(MaxPool3dScatter):
    """z = g added into zeros of x's shape at idx      dg = gg[idx]"""
    node_name = "AdaptiveMaxPool3DBackwardBackward0"


class Pool3dGather(Op):
    """z = a[idx] (per volume)      da = g added into zeros at idx"""
    node_name = "GatherBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, idx):
        ctx.idx, ctx.shape = idx, a._data.shape
        return _gather(a._data, idx, 3)

    @staticmethod
    def backward(ctx, g):
        return MaxPool3dScatter.apply(g, ctx.idx, ctx.shape, True)

    @staticmethod
    def np_backward(ctx, g):
        return _scatter(g, ctx.idx, ctx.shape, True, 3)


class MaxPool3d(Op):
    """y, idx = max over each window (and where it is)
    dx = g scattered into zeros at idx (summed where windows overlap)"""
    node_name = "MaxPool3DWithIndicesBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, k, s, p, d, ceil):
        y, idx = maxpool_nd_np(x._data, k, s, p, d, ceil)
        ctx.idx, ctx.shape = idx, x._data.shape
        ctx.overlap = any((k[i] - 1) * d[i] + 1 > s[i] for i in range(3))
        return y, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return MaxPool3dScatter.apply(g, ctx.idx, ctx.shape, ctx.overlap)

    @staticmethod
    def np_backward(ctx, g, gi=None):
        return _scatter(g, ctx.idx, ctx.shape, ctx.overlap, 3)


class AdaptiveMaxPool3d(Op):
    """y, idx = max over each adaptive window      dx = g scattered into zeros at idx"""
    node_name = "AdaptiveMaxPool3DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, O):
        y, idx = adaptive_maxpool_nd_np(x._data, O)
        S = x._data.shape[-3:]
        ctx.idx, ctx.shape = idx, x._data.shape
        ctx.overlap = 0 not in O and any(S[i] % O[i] for i in range(3))
        return y, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return AdaptiveMaxPool3dScatter.apply(g, ctx.idx, ctx.shape, ctx.overlap)

    @staticmethod
    def np_backward(ctx, g, gi=None):
        return _scatter(g, ctx.idx, ctx.shape, ctx.overlap, 3)


class AvgPool3d(Op):
    """y = Σ window / divisor       dx = g / divisor spread back over each window"""
    node_name = "AvgPool3DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, k, s, p, ceil, cip, dov):
        ctx.args, ctx.shape = (k, s, p, ceil, cip, dov), x._data.shape
        return avgpool_nd_np(x._data, k, s, p, ceil, cip, dov)

    @staticmethod
    def backward(ctx, g):
        return AvgPool3dBackward.apply(g, ctx.shape, ctx.args)

    @staticmethod
    def np_backward(ctx, g):
        k, s, p, ceil, cip, dov = ctx.args
        return avgpool_nd_t_np(g, ctx.shape, k, s, p, cip, dov)


class AvgPool3dBackward(Op):
    """z = g / divisor spread back over each window      dg = avg_pool3d(gg) (linear)"""
    node_name = "AvgPool3DBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, shape, args):
        k, s, p, ceil, cip, dov = args
        ctx.args = args
        return avgpool_nd_t_np(g._data, shape, k, s, p, cip, dov)

    @staticmethod
    def backward(ctx, gg):
        return AvgPool3d.apply(gg, *ctx.args)

    @staticmethod
    def np_backward(ctx, gg):
        return avgpool_nd_np(gg, *ctx.args)


def _adaptive_mats(S, O, dtype):
    dt = accumulate_dtype(dtype) or dtype              # (half types: in float32)
    return tuple(_adaptive_matrix(n, o, dt) for n, o in zip(S, O))


class AdaptiveAvgPool3d(Op):
    """y = x averaged along each axis by A_d, A_h, A_w (each row: one adaptive window)
    dx = the adjoint (Aᵀ along each axis)"""
    node_name = "AdaptiveAvgPool3DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, O):
        a = x._data
        ctx.mats = _adaptive_mats(a.shape[-3:], O, a.dtype)
        if accumulate_dtype(a.dtype) is not None:       # (float16 / bfloat16: as torch's)
            return adaptive_avg_half_np(a, O)
        return adaptive_avg_nd_np(a, ctx.mats)

    @staticmethod
    def backward(ctx, g):
        return AdaptiveAvgPool3dBackward.apply(g, ctx.mats)

    @staticmethod
    def np_backward(ctx, g):
        return adaptive_avg_nd_t_np(g, ctx.mats)


class AdaptiveAvgPool3dBackward(Op):
    """z = the adjoint of adaptive_avg_pool3d applied to g      dg = adaptive_avg_pool3d(gg)"""
    node_name = "AdaptiveAvgPool3DBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, mats):
        ctx.mats, ctx.O = mats, g._data.shape[-3:]
        return adaptive_avg_nd_t_np(g._data, mats)

    @staticmethod
    def backward(ctx, gg):
        return AdaptiveAvgPool3d.apply(gg, ctx.O)

    @staticmethod
    def np_backward(ctx, gg):
        if accumulate_dtype(gg.dtype) is not None:
            return adaptive_avg_half_np(gg, ctx.O)
        return adaptive_avg_nd_np(gg, ctx.mats)


def _unpool_grad(g, idx, in_shape, nd):
    """torch's VJP of max_unpool: g flattened per volume, gathered at idx, viewed as the input."""
    lead = tuple(in_shape[:-nd])
    return g.reshape(lead + (-1,)).gather(-1, idx.reshape(lead + (-1,))).view(in_shape)


class MaxUnpool2d(Op):
    """y = zeros of (..., H, W) with y[idx] = x      dx = g[idx]"""
    node_name = "MaxUnpool2DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, idx, out_size):
        ctx.idx, ctx.in_shape = idx, x._data.shape
        return unpool_np(x._data, idx._data, out_size)

    @staticmethod
    def backward(ctx, g):
        return _unpool_grad(g, ctx.idx, ctx.in_shape, 2)


class MaxUnpool3d(Op):
    """y = zeros of (..., D, H, W) with y[idx] = x      dx = g[idx]"""
    node_name = "MaxUnpool3DBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, x, idx, out_size):
        ctx.idx, ctx.in_shape = idx, x._data.shape
        return unpool_np(x._data, idx._data, out_size)

    @staticmethod
    def backward(ctx, g):
        return _unpool_grad(g, ctx.idx, ctx.in_shape, 3)


# ------------------------------------------------------------------------------------------------
# the functional API: torch's argument checks and messages, in torch's order, then one node
# ------------------------------------------------------------------------------------------------

def _type_name(v):
    return "Tensor" if isinstance(v, Tensor) else type(v).__name__


def _int_list(fname, arg, pos, v):
    """An int-list argument as torch's parser takes it: an int (or a sequence of ints; bools
    count as ints), else its TypeError."""
    if isinstance(v, (list, tuple)):
        out = []
        for n, e in enumerate(v, 1):
            try:
                if isinstance(e, float):
                    raise TypeError
                out.append(operator.index(e))
            except TypeError:
                raise TypeError(f"{fname}(): argument '{arg}' failed to unpack the object at pos "
                                f"{n} with error \"type must be tuple of ints,but got "
                                f"{_type_name(e)}\"") from None
        return out
    if not isinstance(v, bool):
        try:
            return [operator.index(v)]
        except TypeError:
            pass
    raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                    f"{_type_name(v)}")


def _three(v):
    return (v[0],) * 3 if len(v) == 1 else tuple(v)


def _pool3d_shape_check(fn, input, k, s, p, d, O, check_input_size):
    kT, kH, kW = k
    if not (kT > 0 and kW > 0 and kH > 0):
        raise RuntimeError(f"kernel size should be greater than zero, but got kT: {kT} kH: {kH} "
                           f"kW: {kW}")
    if not (s[0] > 0 and s[2] > 0 and s[1] > 0):
        raise RuntimeError(f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} "
                           f"dW: {s[2]}")
    if not (d[0] > 0 and d[2] > 0 and d[1] > 0):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} "
                           f"dilationH: {d[1]} dilationW: {d[2]}")
    sh = _sizes(input)
    if any(n <= 0 for n in sh[-4:]):
        # (torch names "non-batch dimension 0" whichever one it is)
        raise RuntimeError(f"{fn}: Expected input's non-batch dimensions to have positive length, "
                           f"but input has a shape of {sh} and non-batch dimension 0 has length "
                           "zero!")
    if not (kT // 2 >= p[0] and kW // 2 >= p[2] and kH // 2 >= p[1]):
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {kT} kW: {kW} kH: {kH} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
    C, T, H, W = sh[-4:]
    if check_input_size and not (T >= kT and H >= kH and W >= kW):
        raise RuntimeError(f"input image (T: {T} H: {H} W: {W}) smaller than kernel size (kT: {kT} "
                           f"kH: {kH} kW: {kW})")
    if not (O[0] >= 1 and O[2] >= 1 and O[1] >= 1):
        raise RuntimeError(f"Given input size: ({C}x{T}x{H}x{W}). Calculated output size: "
                           f"({C}x{O[0]}x{O[1]}x{O[2]}). Output size is too small")


def _not_implemented(kernel, dtype):
    from ._args import not_implemented
    not_implemented(kernel, dtype)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, fname="max_pool3d_with_indices"):
    """-> (output, indices): torch.max_pool3d_with_indices' checks, then one MaxPool3d node."""
    k = _int_list(fname, "kernel_size", 2, kernel_size)
    s = [] if stride is None else _int_list(fname, "stride", 3, stride)
    p = _int_list(fname, "padding", 4, padding)
    d = _int_list(fname, "dilation", 5, dilation)
    if len(k) not in (1, 3):
        raise RuntimeError("max_pool3d: kernel_size must either be a single int, or a tuple of "
                           "three ints")
    if len(s) not in (0, 1, 3):
        raise RuntimeError("max_pool3d: stride must either be omitted, a single int, or a tuple of "
                           "three ints")
    if len(p) not in (1, 3):
        raise RuntimeError("max_pool3d: padding must either be a single int, or a tuple of three "
                           "ints")
    if len(d) not in (1, 3):
        raise RuntimeError("max_pool3d: dilation must be either a single int, or a tuple of three "
                           "ints")
    k, p, d = _three(k), _three(p), _three(d)
    s = k if not s else _three(s)
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    S = input.shape[-3:]
    O = tuple(_pool_out_checked(S[i], k[i], p[i], s[i], d[i], ceil_mode) for i in range(3))
    _pool3d_shape_check("max_pool3d_with_indices_out_cpu_template()", input, k, s, p, d, O, False)
    if input.dtype.name == "bool" or input.dtype.is_complex:
        _not_implemented("max_pool3d", input.dtype)
    return MaxPool3d.apply(input, k, s, p, d, bool(ceil_mode))


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """torch.max_pool3d: the output of max_pool3d_with_indices."""
    return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode,
                                   fname="max_pool3d")[0]


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    fname = "avg_pool3d"
    k = _int_list(fname, "kernel_size", 2, kernel_size)
    s = [] if stride is None else _int_list(fname, "stride", 3, stride)
    p = _int_list(fname, "padding", 4, padding)
    if len(k) not in (1, 3):
        raise RuntimeError("avg_pool3d: kernel_size must be a single int, or a tuple of three ints")
    if len(s) not in (0, 1, 3):
        raise RuntimeError("avg_pool3d: stride must be omitted, a single int, or a tuple of three "
                           "ints")
    if len(p) not in (1, 3):
        raise RuntimeError("avg_pool3d: padding must be a single int, or a tuple of three ints")
    k, p = _three(k), _three(p)
    s = k if not s else _three(s)
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    S = input.shape[-3:]
    O = tuple(_pool_out_checked(S[i], k[i], p[i], s[i], 1, ceil_mode) for i in range(3))
    _pool3d_shape_check("avg_pool3d()", input, k, s, p, (1, 1, 1), O, True)
    if input.dtype.name not in ("float32", "float64", "int64"):
        _not_implemented("avg_pool3d_out_frame", input.dtype)
    dov = None if divisor_override is None else int(divisor_override)
    return AvgPool3d.apply(input, k, s, p, bool(ceil_mode), bool(count_include_pad), dov)


def _output_size3(output_size):
    O = [int(v) for v in output_size] if isinstance(output_size, (list, tuple)) \
        else [operator.index(output_size)]
    if len(O) == 1 and not isinstance(output_size, (list, tuple)):
        O = O * 3
    return O


def adaptive_avg_pool3d(input, output_size):
    O = _output_size3(output_size)
    if len(O) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    if not (O[0] >= 0 and O[1] >= 0 and O[2] >= 0):
        raise RuntimeError("adaptive_avg_pool3d: elements of output_size must be greater than or "
                           f"equal to 0 but received {{{O[0]}, {O[1]},{O[2]}}}")
    if O == [1, 1, 1]:
        return input.mean((-1, -2, -3), keepdim=True)
    nd = input.dim()
    if nd not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {_sizes(input)}")
    for i in range(1, nd):
        if input.shape[i] <= 0:
            raise RuntimeError("adaptive_avg_pool3d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(input)} with "
                               f"dimension {i} being empty")
    if not input.dtype.is_floating_point:
        _not_implemented("adaptive_avg_pool3d_cpu", input.dtype)
    return AdaptiveAvgPool3d.apply(input, tuple(O))


def adaptive_max_pool3d(input, output_size):
    """-> (output, indices)"""
    O = _output_size3(output_size)
    nd = input.dim()
    if nd not in (4, 5):
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: {_sizes(input)}")
    for i in range(1, nd):
        if input.shape[i] <= 0:
            raise RuntimeError("adaptive_max_pool3d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {_sizes(input)} with "
                               f"dimension {i} being empty")
    if len(O) != 3:
        raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    neg = [v for v in O if v < 0]
    if neg:
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg[0]}: "
                           f"{_sizes(input)[:-3] + O}")
    if not input.dtype.is_floating_point:
        _not_implemented("adaptive_max_pool3d_cpu", input.dtype)
    return AdaptiveMaxPool3d.apply(input, tuple(O))


# ***** max_unpool *****

def _ntuple(v, n):
    """torch's _single/_pair/_triple: an iterable as a tuple, anything else repeated n times."""
    try:
        return tuple(v)
    except TypeError:
        return (v,) * n


def unpool_output_size(input, kernel_size, stride, padding, output_size):
    """nn.functional's _unpool_output_size: the default (n - 1)·s + k - 2p, or output_size
    (its last len(kernel_size) entries) checked to lie strictly within one stride of it."""
    input_size = tuple(input.shape)
    default = []
    for d in range(len(kernel_size)):
        default.append((input_size[-len(kernel_size) + d] - 1) * stride[d] + kernel_size[d]
                       - 2 * padding[d])
    if output_size is None:
        ret = default
    else:
        if len(output_size) == len(kernel_size) + 2:
            output_size = output_size[2:]
        if len(output_size) != len(kernel_size):
            raise ValueError(f"output_size should be a sequence containing {len(kernel_size)} or "
                             f"{len(kernel_size) + 2} elements, but it has a length of "
                             f"'{len(output_size)}'")
        for d in range(len(kernel_size)):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                                 f"{lo} and {hi})")
        ret = output_size
    for d in range(len(kernel_size)):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return ret


def _unpool_checks(nd, input, indices, out_size, stride=None):
    kind = f"max_unpooling{nd}d"
    if indices.dtype.name != "int64":
        raise RuntimeError("elements in indices should be type int64"
                           + (f" but got: {scalar_type_name(indices.dtype)}" if nd == 2 else ""))
    names = "(height, width)" if nd == 2 else "(depth, height, width)"
    count = "two" if nd == 2 else "three"
    bad_len = len(out_size) != nd
    if nd == 2 and bad_len:
        raise RuntimeError(f"There should be exactly {count} elements {names} in output_size, but "
                           f"got {len(out_size)} elements.")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to {kind} should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    if bad_len:
        raise RuntimeError(f"There should be exactly {count} elements {names} in output_size, but "
                           f"got {len(out_size)} elements.")
    if tuple(input.shape) != tuple(indices.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor "
                           f"({_sizes(input)}) but got indices tensor with shape: "
                           f"{_sizes(indices)}")
    for i in range(1, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(f"{kind}_forward_out_cpu(): Expected input to have non-zero size "
                               f"for non-batch dimensions, but got {_sizes(input)} with dimension "
                               f"{i} being empty.")
    if stride is not None and not all(v > 0 for v in stride):
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(stride)}")
    if not input.dtype.is_floating_point:
        _not_implemented(f"max_unpool{nd}d", input.dtype)
    V = math.prod(out_size)
    idx = indices._data
    bad = (idx < 0) | (idx >= V)
    if bad.any():
        v = int(idx.ravel()[np.flatnonzero(bad.ravel())[-1]])
        raise RuntimeError(f"Found an invalid max index: {v} (output volumes are of size "
                           + "x".join(str(int(n)) for n in out_size) + ")")


def _max_unpool(nd, input, indices, out_size, stride=None):
    """torch._C._nn.max_unpool2d / max_unpool3d: checks, then one MaxUnpool node."""
    out_size = [int(v) for v in out_size]
    _unpool_checks(nd, input, indices, out_size, stride)
    op = MaxUnpool2d if nd == 2 else MaxUnpool3d
    return op.apply(input, indices, tuple(out_size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ntuple(kernel_size, 1)
    s = _ntuple(stride, 1) if stride is not None else k
    p = _ntuple(padding, 1)
    out = list(unpool_output_size(input, k, s, p, output_size)) + [1]
    return _max_unpool(2, input.unsqueeze(-1), indices.unsqueeze(-1), out).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ntuple(kernel_size, 2)
    s = _ntuple(stride, 2) if stride is not None else k
    p = _ntuple(padding, 2)
    return _max_unpool(2, input, indices, unpool_output_size(input, k, s, p, output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ntuple(kernel_size, 3)
    s = _ntuple(stride, 3) if stride is not None else k
    p = _ntuple(padding, 3)
    return _max_unpool(3, input, indices, unpool_output_size(input, k, s, p, output_size), s)
