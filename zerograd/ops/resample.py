"""Resampling and patches: interpolate (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area), unfold / fold (im2col / col2im) and pixel_shuffle / pixel_unshuffle.

Every interpolation mode is separable: along each spatial dim d the output is a fixed linear map
of the input, y[j] = Σ_t w[j, t] · x[idx[j, t]] (a `_Taps` of k taps per output position), so
one node applies the maps dim by dim and its VJP applies their transposes (a scatter-add of
g·w into idx), written as a second op whose own VJP is the first (every order differentiates).

The coordinate maps, for an input of n positions and an output of m (torch's):

    scale   align_corners: (n-1)/(m-1) (0 when m == 1)
            otherwise:     1/scale_factor when one was given (and not recomputed), else n/m
    source  align_corners: s = scale·j;   otherwise s = scale·(j + ½) - ½ (clamped at 0 but for
            bicubic), in float32 (float64 for float64 inputs), as torch's kernels compute it
    linear  i0 = ⌊s⌋, i1 = min(i0 + 1, n - 1), λ = s - i0:  y = (1-λ)·x[i0] + λ·x[i1]
    cubic   i = ⌊s⌋, t = s - i, taps x[clamp(i-1 .. i+2)] weighted by Keys' kernel, A = -0.75:
            W(u) = ((A+2)u - (A+3))u² + 1 for |u| ≤ 1,  ((Au - 5A)u + 8A)u - 4A for 1 < |u| < 2
    nearest i = min(⌊j·scale⌋, n-1)   (scale in float32);  nearest-exact: ⌊(j + ½)·scale⌋
    area    adaptive average pooling: window ⌊j·n/m⌋ .. ⌈(j+1)·n/m⌉, each weight 1/length
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op

__all__ = ["resample", "nearest_index", "linear_taps", "cubic_taps", "area_taps", "unfold",
           "fold", "pixel_shuffle", "pixel_unshuffle"]


# ------------------------------------------------------------------------------------------------
# the per-dim maps
# ------------------------------------------------------------------------------------------------

class _Taps:
    """One dim's linear map: y[j] = Σ_t w[j, t] · x[idx[j, t]] along `axis` (w None: a copy,
    y[j] = x[idx[j, 0]])."""
    __slots__ = ("axis", "n", "idx", "w")

    def __init__(self, axis, n, idx, w):
        self.axis, self.n, self.idx, self.w = axis, n, idx, w


def _compute_dtype(dtype):
    return np.float64 if dtype == np.float64 else np.float32


def _scale(n, m, align_corners, scale, ct):
    """The step between output positions, in input positions (torch's area_pixel scale)."""
    if align_corners:
        return ct(n - 1) / ct(m - 1) if m > 1 else ct(0)
    if scale is not None and scale > 0:
        return ct(1.0 / scale)
    return ct(n) / ct(m)


def _source(n, m, align_corners, scale, ct, cubic=False):
    """Each output position's source coordinate in the input (float array of length m)."""
    r = _scale(n, m, align_corners, scale, ct)
    j = np.arange(m, dtype=ct)
    if align_corners:
        return r * j
    s = r * (j + ct(0.5)) - ct(0.5)
    return s if cubic else np.maximum(s, ct(0))


def linear_taps(n, m, align_corners, scale, ct):
    """(idx, w) of shape (m, 2): the two neighbours of each source coordinate and their weights."""
    s = _source(n, m, align_corners, scale, ct)
    i0 = np.minimum(np.floor(s).astype(np.int64), n - 1)
    lam = np.clip(s - i0.astype(ct), ct(0), ct(1)).astype(ct)
    i1 = i0 + (i0 < n - 1)
    return np.stack([i0, i1], 1), np.stack([ct(1) - lam, lam], 1)


_A = -0.75


def cubic_taps(n, m, align_corners, scale, ct):
    """(idx, w) of shape (m, 4): the four neighbours (clamped at the borders) and Keys' weights."""
    s = _source(n, m, align_corners, scale, ct, cubic=True)
    f = np.floor(s)
    t = (s - f).astype(ct)
    A, one = ct(_A), ct(1)

    def near(u):                         # W(u) for |u| <= 1
        return ((A + 2) * u - (A + 3)) * u * u + one

    def far(u):                          # W(u) for 1 < |u| < 2
        return ((A * u - 5 * A) * u + 8 * A) * u - 4 * A

    w = np.stack([far(t + one), near(t), near(one - t), far((one - t) + one)], 1)
    i = f.astype(np.int64)
    idx = np.clip(i[:, None] + np.arange(-1, 3), 0, n - 1)
    return idx, w.astype(ct)


def nearest_index(n, m, scale, exact=False):
    """The input position each output position copies: ⌊j·r⌋ (nearest) or ⌊(j + ½)·r⌋
    (nearest-exact), r = 1/scale_factor or n/m in float32, clamped to n - 1."""
    j = np.arange(m)
    r = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n) / np.float32(m)
    if exact:
        src = ((j + 0.5) * np.float64(r)).astype(np.float32)
    else:
        src = j.astype(np.float32) * r
    return np.minimum(np.floor(src).astype(np.int64), n - 1)


def area_taps(n, m, ct):
    """(idx, w) of shape (m, k): adaptive average windows ⌊j·n/m⌋ .. ⌈(j+1)·n/m⌉ (k the longest;
    shorter windows are padded with weight 0)."""
    j = np.arange(m)
    start = (j * n) // m
    end = -((-(j + 1) * n) // m)
    length = end - start
    k = int(length.max()) if m else 1
    t = np.arange(k)
    idx = np.minimum(start[:, None] + t, n - 1)
    w = np.where(t < length[:, None], ct(1) / length[:, None].astype(ct), ct(0)).astype(ct)
    return idx, w


# ------------------------------------------------------------------------------------------------
# applying the maps and their transposes
# ------------------------------------------------------------------------------------------------

def _along(v, axis, ndim):
    return v.reshape(v.shape + (1,) * (ndim - 1 - axis))


def _apply(a, taps, out_dtype):
    """a mapped by each dim's taps (computed in float32 for half types, as torch's opmath)."""
    for tp in taps:
        if tp.w is None:
            a = np.take(a, tp.idx[:, 0], tp.axis)
            continue
        if a.dtype != tp.w.dtype:
            a = a.astype(tp.w.dtype)
        out = None
        for t in range(tp.idx.shape[1]):
            term = _along(tp.w[:, t], tp.axis, a.ndim) * np.take(a, tp.idx[:, t], tp.axis)
            out = term if out is None else np.add(out, term, out=out)
        a = out
    return a if a.dtype == out_dtype else a.astype(out_dtype)


def _scatter_add(v, target, n, axis):
    """out (v's shape, n along axis) with out[.., i, ..] = Σ v[.., p, ..] over target[p] == i:
    the positions sorted by target, summed segment by segment (np.add.reduceat)."""
    shape = list(v.shape)
    shape[axis] = n
    if v.size == 0:
        return np.zeros(shape, v.dtype)
    order = np.argsort(target, kind="stable")
    ts = target[order]
    starts = np.flatnonzero(np.concatenate([[True], ts[1:] != ts[:-1]]))
    sums = np.add.reduceat(np.take(v, order, axis), starts, axis)
    hit = ts[starts]
    if len(hit) == n:
        return sums
    out = np.zeros(shape, v.dtype)
    out[(slice(None),) * axis + (hit,)] = sums
    return out


def _apply_t(g, taps, out_dtype):
    """g mapped by each dim's transposed taps, last dim first (the VJP of _apply)."""
    if not taps:
        return g.copy() if g.dtype == out_dtype else g.astype(out_dtype)
    ct = next((tp.w.dtype for tp in taps if tp.w is not None), None)
    if ct is not None and g.dtype != ct:
        g = g.astype(ct)
    for tp in reversed(taps):
        k = tp.idx.shape[1]
        if tp.w is None:
            vals = g
        else:
            vals = np.concatenate([_along(tp.w[:, t], tp.axis, g.ndim) * g for t in range(k)],
                                  tp.axis) if k > 1 else _along(tp.w[:, 0], tp.axis, g.ndim) * g
        g = _scatter_add(vals, tp.idx.T.reshape(-1), tp.n, tp.axis)
    return g if g.dtype == out_dtype else g.astype(out_dtype)


class Resample(Op):
    """y = x mapped along each spatial dim d by its taps: y[j] = Σ_t w[j,t] x[idx[j,t]]
    dx = g mapped by the transposed taps: dx[i] = Σ_{(j,t): idx[j,t] = i} w[j,t] g[j]"""
    arity = 1
    _T = None          # the transpose op of the same family (set by resample_op)

    @staticmethod
    def forward(ctx, x, taps):
        a = x._data
        ctx.taps, ctx.shape = taps, a.shape
        return _apply(a, taps, a.dtype) if taps else a.copy()

    @staticmethod
    def np_backward(ctx, g):
        return _apply_t(g, ctx.taps, g.dtype)


class ResampleT(Op):
    """z = g mapped by the transposed taps (the VJP of Resample)      dg = gg mapped by the taps"""
    arity = 1
    _F = None

    @staticmethod
    def forward(ctx, g, taps, shape):
        ctx.taps = taps
        return _apply_t(g._data, taps, g._data.dtype)

    @staticmethod
    def np_backward(ctx, gg):
        return _apply(gg, ctx.taps, gg.dtype)


_OPS = {}


def resample_op(name):
    """The Resample op whose node has torch's name `name` (e.g. 'UpsampleBilinear2D'), with its
    transpose ('<name>BackwardBackward0')."""
    op = _OPS.get(name)
    if op is None:
        fwd = type(f"Resample{name}", (Resample,), {
            "__doc__": None, "__module__": __name__, "node_name": f"{name}Backward0",
            "backward": staticmethod(lambda ctx, g: fwd._T.apply(g, ctx.taps, ctx.shape))})
        bwd = type(f"Resample{name}T", (ResampleT,), {
            "__doc__": None, "__module__": __name__, "node_name": f"{name}BackwardBackward0",
            "backward": staticmethod(lambda ctx, gg: fwd.apply(gg, ctx.taps))})
        fwd._T, bwd._F = bwd, fwd
        op = _OPS[name] = fwd
    return op


_DIMS = "DHW"


def _node_name(mode, nd):
    if mode == "nearest":
        return f"UpsampleNearest{nd}D"
    if mode == "nearest-exact":
        return f"UpsampleNearestExact{nd}D"
    if mode == "area":
        return f"AdaptiveAvgPool{nd}D"
    return {"linear": "UpsampleLinear1D", "bilinear": "UpsampleBilinear2D",
            "bicubic": "UpsampleBicubic2D", "trilinear": "UpsampleTrilinear3D"}[mode]


def resample(x, mode, out_size, scales, align_corners):
    """x (N, C, *S) resampled to (N, C, *out_size); `scales` one per dim (None: from the sizes)."""
    shape = x._data.shape
    nd = len(out_size)
    ct = _compute_dtype(x._data.dtype)
    taps = []
    for i in range(nd):
        n, m, s = shape[2 + i], out_size[i], scales[i]
        axis = 2 + i
        if m == n and (mode in ("linear", "bilinear", "trilinear")
                       or mode == "nearest" and nd == 2):
            continue                     # (these kernels copy a dim whose size stays)
        if mode in ("nearest", "nearest-exact"):
            if mode == "nearest" and nd == 2 and m == 2 * n:
                s = None                 # (torch's 2-d nearest kernel: j >> 1)
            idx = nearest_index(n, m, s, mode == "nearest-exact")[:, None]
            if idx.shape[0] == n and (idx[:, 0] == np.arange(n)).all():
                continue
            taps.append(_Taps(axis, n, idx, None))
        elif mode == "area":
            taps.append(_Taps(axis, n, *area_taps(n, m, ct)))
        elif mode == "bicubic":
            taps.append(_Taps(axis, n, *cubic_taps(n, m, align_corners, s, ct)))
        else:
            taps.append(_Taps(axis, n, *linear_taps(n, m, align_corners, s, ct)))
    return resample_op(_node_name(mode, nd)).apply(x, tuple(taps))


# ------------------------------------------------------------------------------------------------
# interpolate: torch's Python-level argument handling, then the kernels' checks
# ------------------------------------------------------------------------------------------------

_MODES_MSG = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_WANTS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def _is_integer(v):
    from ..tensor import Tensor
    if isinstance(v, (int, np.integer)):
        return True
    return isinstance(v, Tensor) and not v.is_floating_point()


def _sizes_msg(inp, out):
    names = _DIMS[-len(inp):]
    a = ", ".join(f"{n}: {v}" for n, v in zip(names, inp))
    b = ", ".join(f"{n}: {v}" for n, v in zip(names, out))
    return f"input ({a}) and output ({b})" if len(inp) == 1 else f"input ({a}) output ({b})"


def _nearest_kernel(nd):
    return "upsample_nearest2d_channels_last" if nd == 2 else "compute_indices_weights_nearest"


def _check_kernel_dtype(input, mode, nd):
    """torch's dtype support: floats everywhere; uint8 for nearest, bilinear and bicubic (the
    last two not implemented here: torch's uint8 kernels round in fixed point)."""
    dt = input.dtype
    if dt.is_floating_point:
        return
    from ._args import not_implemented
    kernel = {"nearest": _nearest_kernel(nd), "nearest-exact": _nearest_kernel(nd),
              "linear": "compute_indices_weights_linear",
              "trilinear": "compute_indices_weights_linear",
              "bilinear": "upsample_bilinear2d_channels_last",
              "bicubic": "compute_indices_weights_cubic",
              "area": "adaptive_avg_pool3d_cpu"}[mode]
    if dt.name == "uint8":
        if mode in ("nearest", "nearest-exact"):
            return
        if mode in ("bilinear", "bicubic"):
            raise NotImplementedError(f"zerograd: interpolate(mode='{mode}') of uint8 tensors "
                                      "(torch's fixed-point uint8 kernel) is not implemented; "
                                      "convert to a floating dtype first")
    not_implemented(kernel, dt)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate (see the module docstring for the coordinate maps)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                    "in (o1, o2, ...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] "
                                "or Tuple[int, int, int], but got size with types "
                                f"{[type(v) for v in size]}")
            out_size = list(size)
        else:
            out_size = [size] * nd
    elif scale_factor is not None:
        out_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format.")
            scales = list(scale_factor)
        else:
            scales = [scale_factor] * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out_size = [int(n * float(s)) for n, s in zip(spatial, scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")
    want = _WANTS.get(mode)
    known = mode in ("nearest", "nearest-exact", "area") or mode in _WANTS
    if mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        raise NotImplementedError("zerograd: interpolate(mode='lanczos') is not implemented")
    if not known or input.dim() not in (3, 4, 5) or (mode == "bicubic" and input.dim() != 4):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: {_MODES_MSG} (got {mode})")
    if want is not None and input.dim() != want:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {want}D input")
    if antialias:
        raise NotImplementedError(f"zerograd: interpolate(mode='{mode}', antialias=True) is not "
                                  "implemented")
    if mode == "area" and nd < 3:
        from . import pool_norm
        if nd == 1:
            return pool_norm.adaptive_avg_pool1d(input, out_size)
        return pool_norm.adaptive_avg_pool2d(input, out_size)
    if out_size is None:
        for s in scales:
            if isinstance(s, bool) or not isinstance(s, (int, float, np.integer, np.floating)):
                raise TypeError(f"interpolate(): argument 'scale_factors' must be tuple of "
                                f"floats, but found element of type {type(s).__name__}")
        scales = [float(s) for s in scales]
        out_size = [int(n * s) for n, s in zip(spatial, scales)]
    else:
        for i, v in enumerate(out_size):
            if not _is_integer(v):
                raise TypeError(f"interpolate(): argument 'output_size' must be tuple of ints, "
                                f"but found element of type {type(v).__name__} at pos {i}")
        out_size = [int(v) for v in out_size]
        if scales is None:
            scales = [None] * nd
    if mode == "area":
        if any(o < 0 for o in out_size):
            o = out_size                 # (torch's text: no space before the last)
            raise RuntimeError("adaptive_avg_pool3d: elements of output_size must be greater "
                               f"than or equal to 0 but received {{{o[0]}, {o[1]},{o[2]}}}")
        if any(n <= 0 for n in input.shape[1:]):
            raise RuntimeError(f"adaptive_avg_pool3d(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {next(i for i, n in enumerate(input.shape) if n <= 0 and i)} "
                               "being empty")
    else:
        if any(n <= 0 for n in spatial) or any(o <= 0 for o in out_size):
            raise RuntimeError("Input and output sizes should be greater than 0, but got "
                               + _sizes_msg(spatial, out_size))
        if input.numel() == 0 and any(n == 0 for n in input.shape[1:]):
            raise RuntimeError(f"Non-empty {input.dim()}D data tensor expected but got a tensor "
                               f"with sizes {list(input.shape)}")
    _check_kernel_dtype(input, mode, nd)
    return resample(input, mode, out_size, scales, align_corners)


# ------------------------------------------------------------------------------------------------
# unfold / fold (im2col / col2im)
# ------------------------------------------------------------------------------------------------

def _blocks(size, k, d, p, s):
    """The number of sliding blocks along one dim (C's truncating division, as torch's)."""
    return int((size + 2 * p - (d * (k - 1) + 1)) / s) + 1


def im2col_np(a, K, D, P, S):
    """(N, C, H, W) -> (N, C·kh·kw, L): each block's values, channel-major then kernel offsets."""
    N, C, H, W = a.shape
    O = (_blocks(H, K[0], D[0], P[0], S[0]), _blocks(W, K[1], D[1], P[1], S[1]))
    xp = a
    if P[0] or P[1]:
        xp = np.zeros((N, C, H + 2 * P[0], W + 2 * P[1]), a.dtype)
        xp[:, :, P[0]:P[0] + H, P[1]:P[1] + W] = a
    st = xp.strides
    view = np.lib.stride_tricks.as_strided(
        xp, (N, C, K[0], K[1], O[0], O[1]),
        st[:2] + (st[2] * D[0], st[3] * D[1], st[2] * S[0], st[3] * S[1]), writeable=False)
    return np.ascontiguousarray(view).reshape(N, C * K[0] * K[1], O[0] * O[1])


def col2im_np(c, out, K, D, P, S):
    """(N, C·kh·kw, L) -> (N, C, H, W): each block's values added back where they came from
    (overlaps summed): one strided add per kernel offset."""
    N = c.shape[0]
    C = c.shape[1] // (K[0] * K[1])
    O = (_blocks(out[0], K[0], D[0], P[0], S[0]), _blocks(out[1], K[1], D[1], P[1], S[1]))
    c = c.reshape(N, C, K[0], K[1], O[0], O[1])
    big = tuple(max(o + 2 * p, (b - 1) * s + (k - 1) * d + 1)
                for o, p, b, s, k, d in zip(out, P, O, S, K, D))
    acc = np.zeros((N, C) + big, c.dtype)
    for i in range(K[0]):
        for j in range(K[1]):
            sl = (slice(None), slice(None),
                  slice(i * D[0], i * D[0] + (O[0] - 1) * S[0] + 1, S[0]),
                  slice(j * D[1], j * D[1] + (O[1] - 1) * S[1] + 1, S[1]))
            if c.dtype == np.bool_:
                acc[sl] |= c[:, :, i, j]
            else:
                acc[sl] += c[:, :, i, j]
    return np.ascontiguousarray(acc[:, :, P[0]:P[0] + out[0], P[1]:P[1] + out[1]])


class Im2Col(Op):
    """y = unfold(x): y[n, (c, ki, kj), (bi, bj)] = x_padded[n, c, bi·s + ki·d, bj·s + kj·d]
    dx = fold(g) (col2im: each column added back into its block)"""
    arity = 1

    @staticmethod
    def forward(ctx, x, K, D, P, S):
        ctx.args, ctx.size = (K, D, P, S), x._data.shape[-2:]
        return im2col_np(x._data, K, D, P, S)

    @staticmethod
    def backward(ctx, g):
        return Col2Im.apply(g, ctx.size, *ctx.args)

    @staticmethod
    def np_backward(ctx, g):
        return col2im_np(g, ctx.size, *ctx.args)


class Col2Im(Op):
    """y = fold(x): the columns summed into their blocks of an (N, C, H, W) image
    dx = unfold(g)"""
    arity = 1

    @staticmethod
    def forward(ctx, x, out, K, D, P, S):
        ctx.args = (K, D, P, S)
        return col2im_np(x._data, out, K, D, P, S)

    @staticmethod
    def backward(ctx, g):
        return Im2Col.apply(g, *ctx.args)

    @staticmethod
    def np_backward(ctx, g):
        return im2col_np(g, *ctx.args)


def _pair(v, name, fn, pos):
    """torch's _pair, then the argument parser's check of a tuple of ints."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * 2
    if not isinstance(v, (list, tuple)):
        v = (v, v)
    for i, e in enumerate(v):
        if not isinstance(e, (int, np.integer)) or isinstance(e, bool):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, "
                            f"but found element of type {type(e).__name__} at pos {i}")
    v = tuple(int(e) for e in v)
    return v * 2 if len(v) == 1 else v


def _check_params(K, D, P, S):
    """torch's im2col / col2im parameter checks, in its order."""
    for name, v in (("kernel_size", K), ("dilation", D), ("padding", P), ("stride", S)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    if K[0] <= 0 or K[1] <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: "
                           f"{K[0]} kernel_width: {K[1]}")
    if D[0] <= 0 or D[1] <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: "
                           f"{D[0]} dilation_width: {D[1]}")
    if P[0] < 0 or P[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {P[0]} "
                           f"pad_width: {P[1]}")
    if S[0] <= 0 or S[1] <= 0:
        raise RuntimeError("stride should be greater than zero, but got stride_height: "
                           f"{S[0]} stride_width: {S[1]}")


def _kernel_dtype(t, kernel):
    from ._args import not_implemented
    if t.dtype.is_floating_point or t.dtype.name == "bool":
        return
    not_implemented(kernel, t.dtype)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) or (C, H, W) -> (N, C·kh·kw, L) or (C·kh·kw, L)."""
    K = _pair(kernel_size, "kernel_size", "im2col", 2)
    D = _pair(dilation, "dilation", "im2col", 3)
    P = _pair(padding, "padding", "im2col", 4)
    S = _pair(stride, "stride", "im2col", 5)
    nd = input.dim()
    if nd < 3:
        from ._util import canon_dim
        canon_dim(2, nd)                # torch's IndexError (it reads input.size(2) first)
    _check_params(K, D, P, S)
    shape = list(input.shape)
    if nd not in (3, 4) or any(s == 0 for s in shape[nd - 3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {shape}")
    H, W = shape[-2:]
    O = (_blocks(H, K[0], D[0], P[0], S[0]), _blocks(W, K[1], D[1], P[1], S[1]))
    if O[0] < 1 or O[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size ({H}, {W}), kernel_size=({K[0]}, {K[1]}), "
            f"dilation=({D[0]}, {D[1]}), padding=({P[0]}, {P[1]}), calculated shape of the array "
            f"of sliding blocks as ({O[0]}, {O[1]}), but its components must be at least one.")
    _kernel_dtype(input, "im2col_out_cpu")
    x = input if nd == 4 else input.unsqueeze(0)
    y = Im2Col.apply(x, K, D, P, S)
    return y if nd == 4 else y.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C·kh·kw, L) or (C·kh·kw, L) -> (N, C, H, W) or (C, H, W), overlaps summed."""
    out = _pair(output_size, "output_size", "col2im", 2)
    K = _pair(kernel_size, "kernel_size", "col2im", 3)
    D = _pair(dilation, "dilation", "col2im", 4)
    P = _pair(padding, "padding", "col2im", 5)
    S = _pair(stride, "stride", "col2im", 6)
    if len(out) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(out)}")
    _check_params(K, D, P, S)
    nd = input.dim()
    shape = list(input.shape)
    if nd not in (2, 3) or any(s == 0 for s in shape[nd - 2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                           f"size and non-zero dimensions for input, but got: {shape}")
    kp = K[0] * K[1]
    if shape[-2] % kp:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={shape[-2]} and "
                           f"kernel_size=({K[0]}, {K[1]}).")
    O = (_blocks(out[0], K[0], D[0], P[0], S[0]), _blocks(out[1], K[1], D[1], P[1], S[1]))
    if O[0] * O[1] != shape[-1]:
        raise RuntimeError(
            f"Given output_size=({out[0]}, {out[1]}), kernel_size=({K[0]}, {K[1]}), "
            f"dilation=({D[0]}, {D[1]}), padding=({P[0]}, {P[1]}), stride=({S[0]}, {S[1]}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {O[0]} * {O[1]} = {O[0] * O[1]}, but got input.size(2)={shape[-1]}.")
    if O[0] < 1 or O[1] < 1:
        raise RuntimeError(
            f"Given output_size=({out[0]}, {out[1]}), kernel_size=({K[0]}, {K[1]}), "
            f"dilation=({D[0]}, {D[1]}), padding=({P[0]}, {P[1]}), stride=({S[0]}, {S[1]}), "
            f"calculated shape of the array of sliding blocks as ({O[0]}, {O[1]}), but its "
            "components must be at least one.")
    _kernel_dtype(input, "col2im_out_cpu")
    x = input if nd == 3 else input.unsqueeze(0)
    y = Col2Im.apply(x, out, K, D, P, S)
    return y if nd == 3 else y.squeeze(0)


# ------------------------------------------------------------------------------------------------
# pixel shuffle
# ------------------------------------------------------------------------------------------------

def _shuffle_np(a, r):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]."""
    *lead, Cr, H, W = a.shape
    C = Cr // (r * r)
    n = len(lead)
    b = a.reshape(tuple(lead) + (C, r, r, H, W))
    perm = tuple(range(n)) + tuple(n + i for i in (0, 3, 1, 4, 2))
    return np.ascontiguousarray(b.transpose(perm)).reshape(tuple(lead) + (C, H * r, W * r))


def _unshuffle_np(a, r):
    """(*, C, H·r, W·r) -> (*, C·r², H, W), the inverse permutation of _shuffle_np."""
    *lead, C, Hr, Wr = a.shape
    H, W = Hr // r, Wr // r
    n = len(lead)
    b = a.reshape(tuple(lead) + (C, H, r, W, r))
    perm = tuple(range(n)) + tuple(n + i for i in (0, 2, 4, 1, 3))
    return np.ascontiguousarray(b.transpose(perm)).reshape(tuple(lead) + (C * r * r, H, W))


class PixelShuffle(Op):
    """y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]      dx = pixel_unshuffle(g, r)"""
    arity = 1

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle_np(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return PixelUnshuffle.apply(g, ctx.r)

    @staticmethod
    def np_backward(ctx, g):
        return _unshuffle_np(g, ctx.r)


class PixelUnshuffle(Op):
    """the inverse permutation of PixelShuffle      dx = pixel_shuffle(g, r)"""
    arity = 1

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _unshuffle_np(x._data, r)

    @staticmethod
    def backward(ctx, g):
        return PixelShuffle.apply(g, ctx.r)

    @staticmethod
    def np_backward(ctx, g):
        return _shuffle_np(g, ctx.r)


def _factor(fn, name, v):
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position 2) must be int, not "
                        f"{type(v).__name__}")
    return int(v)


def pixel_shuffle(input, upscale_factor):
    r = _factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible "
                           f"by the square of upscale_factor, but input.size(-3)={c} is not "
                           f"divisible by {r * r}")
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input, downscale_factor):
    r = _factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={w} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r)

