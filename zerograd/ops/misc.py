"""Miscellaneous functions: broadcast_tensors/broadcast_shapes, inner, vdot, dist, cross,
isneginf/isposinf/isreal, cdist, bincount, histc, quantile/nanquantile, cov/corrcoef,
split_with_sizes, addr, renorm, frexp, ldexp, combinations, unravel_index, trapezoid/trapz,
Tensor.unfold, Tensor.sum_to_size.

Compositions where torch composes them (inner: tensordot's nodes; quantile: sort/gather/lerp;
cov/corrcoef; combinations: meshgrid/masked_select/stack; trapezoid; sum_to_size), and an Op
where torch records a node of its own:

    Vdot          z = Σ a b                            da = g b,  db = g a
    Dist          z = ||a - b||_p                      da = g ∂||d||_p/∂d,  db = -da
    (cross: linalg_extra.LinalgCross, torch.linalg.cross's node)
    Cdist         z[.., i, j] = ||x1_i - x2_j||_p       the norm's VJP per pair, summed
    EuclideanDist the same for p = 2 by torch's matmul formula (compute_mode's mm path)
    Addr          z = beta input + alpha v1 ⊗ v2         dinput = beta g, dv1 = alpha g v2,
                                                       dv2 = alpha gᵀ v1
    Renorm        z = a * min(1, maxnorm / ||a_slice||)  torch's renorm_backward
    Frexp         (m, e) = frexp(a)                    da = g / 2^e
    Ldexp         z = a * 2^b                          da = g 2^b,  db = g z ln 2
    Unfold        z = the windows of a along dim (a copy here; a view in torch)
                  da = the windows of g added back     (UnfoldBackward: its VJP is Unfold)
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import itertools
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from .. import return_types as _rt
from ..autograd.function import NotDifferentiable, Op
from ..tensor import Size, Tensor
from ._args import bad_overload, need_int, need_tensor, number_arg
from ._util import canon_dim, scalar_type_name, wrap
from .linalg_extra import LinalgCross


def _shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ***** broadcast_shapes, broadcast_tensors ****************************************************

def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the broadcast shape of ints / sequences of ints, as a Size."""
    norm = []
    for s in shapes:
        if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
            s = (int(s),)
        elif isinstance(s, (tuple, list, Size)):
            for d in s:
                if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
                    raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or "
                                       f"a list of ints, got {shapes}")
            s = tuple(int(d) for d in s)
        else:
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {shapes}")
        if any(d < 0 for d in s):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(s)}: "
                               f"{list(s)}")
        norm.append(s)
    return Size(_broadcast(norm))


def _broadcast(shapes):
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for s in shapes:
        for i, d in enumerate(s):
            k = n - len(s) + i
            if d == out[k] or d == 1:
                continue
            if out[k] == 1:
                out[k] = d
            else:
                raise RuntimeError(
                    f"Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                    f"at dim {i} of shape {tuple(s)}")
    return tuple(out)


def _broadcast_tensor_shapes(tensors):
    """torch's infer_size over tensors: its message names the sizes and the dim."""
    shape = ()
    for t in tensors:
        b = t._data.shape
        n = max(len(shape), len(b))
        out = []
        for i in range(n):
            k = n - 1 - i
            da = shape[len(shape) - n + k] if len(shape) - n + k >= 0 else 1
            db = b[len(b) - n + k] if len(b) - n + k >= 0 else 1
            if da != db and da != 1 and db != 1:
                raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                                   f"({db}) at non-singleton dimension {k}")
            out.append(db if da == 1 else da)
        shape = tuple(out[::-1])
    return shape


def broadcast_tensors(*tensors):
    """torch.broadcast_tensors: each tensor expanded to the common shape (ExpandBackward0; one
    already of that shape comes back as it is)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    shape = _broadcast_tensor_shapes(tensors)
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in tensors)


# ***** inner, vdot ****************************************************************************

def inner(input, other, *, out=None):
    """torch.inner: input * other for a 0-d operand, else tensordot over both last dims."""
    from ._args import no_out
    from .shape_extra import tensordot
    no_out("inner", out)
    need_tensor("inner", "input", 1, input)
    need_tensor("inner", "other", 2, other)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    a, b = input._data.shape, other._data.shape
    if a[-1] != b[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {_shape_str(a)} and {_shape_str(b)}")
    return tensordot(input, other, ([-1], [-1]))


class Vdot(Op):
    """z = Σ a b            da = g * b,  db = g * a"""
    node_name = "VdotBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a._data, b._data
        if x.dtype == np.bool_:
            return np.asarray(np.any(x & y))
        return np.asarray(np.dot(x, y), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a

    @staticmethod
    def np_backward(ctx, g):
        a, b = ctx._saved_np()
        return g * b, g * a


def vdot(input, other, *, out=None):
    from ._args import no_out
    no_out("vdot", out)
    need_tensor("vdot", "input", 1, input)
    need_tensor("vdot", "other", 2, other)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"vdot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input.dtype)} and {scalar_type_name(other.dtype)}")
    n, m = input._data.shape[0], other._data.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           f"respectively")
    return Vdot.apply(input, other)


# ***** dist, cdist: the p-norm and its VJP *****************************************************

def _np_norm(x, p, axis, keepdims):
    if p == 2:
        return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))
    if p == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims, initial=0)
    if p == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims, initial=np.inf)
    if p == 0:
        return np.sum(x != 0, axis=axis, keepdims=keepdims).astype(x.dtype)
    if p == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    return np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims) ** (1.0 / p)


def _norm_vjp(d, z, g, p, dims):
    """torch's norm_backward on Tensors: d the argument, z the norm and g its gradient, both with
    the reduced dims kept (size 1).  None for p = 0 (torch: no gradient)."""
    from .elementwise import where_
    if p == 0:
        return None
    if p == 1:
        return d.sign() * g
    if p in (np.inf, -np.inf):
        da = d.abs()
        mask = da.eq(z).logical_or(da.isnan()).to(d.dtype)
        return d.sign() * ((g / mask.sum(dims, keepdim=True)) * mask)
    zero = z.eq(0)
    if p == 2:
        return d * where_(zero, 0.0, g / z)
    if p < 1:
        scaled = d.sign() * where_(d.eq(0), 0.0, d.abs() ** (p - 1))
        return scaled * g * z ** (1 - p)
    scaled = d.sign() * d.abs() ** (p - 1) if p < 2 else d * d.abs() ** (p - 2)
    return scaled * where_(zero, 0.0, g / z ** (p - 1))


class Dist(Op):
    """z = ||a - b||_p        da = g ∂||d||/∂d (torch's norm_backward),  db = -da"""
    node_name = "DistBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, p):
        d = a._data - b._data
        z = np.asarray(_np_norm(d, p, None, False), dtype=d.dtype)
        ctx.save_for_backward(a, b)
        ctx.p, ctx.z = p, z
        return z

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = a - b
        nd = d.ndim
        shape1 = (1,) * nd
        gd = _norm_vjp(d, wrap(ctx.z.reshape(shape1)), g.reshape(shape1), ctx.p,
                       tuple(range(nd)))
        if gd is None:
            return None, None
        return gd, -gd


def dist(input, other, p=2):
    need_tensor("dist", "input", 1, input)
    need_tensor("dist", "other", 2, other)
    p = number_arg("dist", "p", p)
    for t in (input, other):
        if t._data.dtype.kind not in "fV":
            raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                               f"Got {scalar_type_name(t.dtype)} instead.")
    shape = _broadcast_tensor_shapes((input, other))
    if float(p) in (np.inf, -np.inf) and 0 in shape:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'-' * (p < 0)}inf norm on an "
                           f"empty tensor because the operation does not have an identity")
    rt = _dt.result_type(input, other)
    if input.dtype != rt:
        input = input.to(rt)
    if other.dtype != rt:
        other = other.to(rt)
    return Dist.apply(input, other, float(p))


class Cdist(Op):
    """z[.., i, j] = ||x1[.., i] - x2[.., j]||_p    dx1 = Σ_j vjp,  dx2 = -Σ_i vjp"""
    node_name = "CdistBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x1, x2, p):
        a, b = x1._data, x2._data
        d = a[..., :, None, :] - b[..., None, :, :]
        z = np.asarray(_np_norm(d, p, -1, False), dtype=a.dtype)
        ctx.save_for_backward(x1, x2)
        ctx.p, ctx.z = p, z
        return z

    @staticmethod
    def backward(ctx, g):
        x1, x2 = ctx.saved_tensors
        d = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        gd = _norm_vjp(d, wrap(ctx.z[..., None]), g.unsqueeze(-1), ctx.p, (-1,))
        if gd is None:
            from .creation import zeros_like
            return zeros_like(x1), zeros_like(x2)
        return gd.sum(-2), -gd.sum(-3)


class EuclideanDist(Op):
    """z = sqrt(clamp_min(-2 x1 x2ᵀ + |x1|² + |x2|², 0))   (torch's _euclidean_dist)
    r = g / z (0 where z = 0):  dx1 = x1 Σ_j r - r x2,  dx2 = x2 Σ_i r - rᵀ x1"""
    node_name = "EuclideanDistBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x1, x2):
        a, b = x1._data, x2._data
        n1 = np.sum(a * a, -1, keepdims=True)
        n2 = np.sum(b * b, -1, keepdims=True)
        a_ = np.concatenate([a * -2, n1, np.ones_like(n1)], -1)
        b_ = np.concatenate([b, np.ones_like(n2), n2], -1)
        r = np.sqrt(np.maximum(a_ @ np.swapaxes(b_, -1, -2), 0)).astype(a.dtype)
        ctx.save_for_backward(x1, x2)
        ctx.z = r
        return r

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where_
        x1, x2 = ctx.saved_tensors
        z = wrap(ctx.z)
        ratio = where_(z.eq(0), 0.0, g / z)
        return (x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2),
                x2 * ratio.sum(-2).unsqueeze(-1) - ratio.transpose(-1, -2).matmul(x1))


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


@_autocast.fp32
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    from .shape import View
    need_tensor("cdist", "x1", 1, x1)
    need_tensor("cdist", "x2", 2, x2)
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    p = float(number_arg("cdist", "p", p))
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind not in "fV":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{scalar_type_name(t.dtype)}")
    for t in (x1, x2):
        if t._data.dtype.itemsize == 2:     # float16, bfloat16: torch's CPU kernel has none
            raise NotImplementedError(f"\"cdist\" not implemented for "
                                      f"'{scalar_type_name(t.dtype)}'")
    c1, c2 = x1._data.shape[-1], x2._data.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X2 got: "
                           f"{scalar_type_name(x2.dtype)}")
    if p < 0 or math.isnan(p):
        raise RuntimeError("cdist only supports non-negative p values")
    batch = _broadcast_tensor_shapes((wrap(np.empty(x1._data.shape[:-2])),
                                      wrap(np.empty(x2._data.shape[:-2]))))
    r1, r2 = x1._data.shape[-2], x2._data.shape[-2]
    if x1._data.size and x2._data.size and p == 2 and (
            mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        z = EuclideanDist.apply(x1, x2)
        return View.apply(z, batch + (r1, r2))
    return Cdist.apply(x1, x2, p)


# ***** cross **********************************************************************************

_cross_warned = [False]


def cross(input, other, dim=None, *, out=None):
    from ._args import no_out
    no_out("cross", out)
    need_tensor("cross", "input", 1, input)
    need_tensor("cross", "other", 2, other)
    if dim is None:
        if not _cross_warned[0]:
            _cross_warned[0] = True
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                          "Please either pass the dim explicitly or simply use torch.linalg.cross."
                          "\nThe default value of dim will change to agree with that of "
                          "linalg.cross in a future release.", UserWarning, stacklevel=2)
        for i, s in enumerate(input._data.shape):
            if s == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    dim = need_int("cross", "dim", 3, dim)
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(other.dtype)}")
    d = canon_dim(dim, input.ndim)
    s1, s2 = input._data.shape[d], other._data.shape[d]
    if s1 != 3 or s2 != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {s1} "
                           f"and {s2}")
    _broadcast_tensor_shapes((input, other))
    return LinalgCross.apply(input, other, d)


# ***** isneginf, isposinf, isreal *************************************************************

def isneginf(input, *, out=None):
    from ._args import no_out
    no_out("isneginf", out)
    need_tensor("isneginf", "input", 1, input)
    x = input._data
    return wrap(np.isneginf(x) if x.dtype.kind in "fV" else np.zeros(x.shape, np.bool_))


def isposinf(input, *, out=None):
    from ._args import no_out
    no_out("isposinf", out)
    need_tensor("isposinf", "input", 1, input)
    x = input._data
    return wrap(np.isposinf(x) if x.dtype.kind in "fV" else np.zeros(x.shape, np.bool_))


def isreal(input):
    need_tensor("isreal", "input", 1, input)
    return wrap(np.ones(input._data.shape, np.bool_))


# ***** bincount, histc ************************************************************************

def bincount(input, weights=None, minlength=0):
    need_tensor("bincount", "input", 1, input)
    if weights is not None:
        need_tensor("bincount", "weights", 2, weights)
    minlength = need_int("bincount", "minlength", 3, minlength)
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{scalar_type_name(input.dtype)}\'')
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim == 1 and x.size == 0:
        dt = np.int64 if weights is None else (
            weights._data.dtype if weights._data.dtype.kind == "f" else np.float64)
        if weights is not None and weights._data.dtype == np.float32:
            dt = np.float32
        return wrap(np.zeros(minlength, dt))
    if x.ndim != 1 or (x < 0).any():
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights._data.shape[0] != x.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if weights is None:
        return wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    return _BincountWeighted.record(_BincountWeighted.apply(input, weights, minlength))


class _BincountWeighted(NotDifferentiable):
    """bincount with weights: torch records it with a node whose backward raises (no
    derivative), so weights that require grad give a result that does too."""
    node_name, aten = "NotImplemented", "bincount"
    arity = 2

    @staticmethod
    def forward(ctx, input, weights, minlength):
        w = weights._data
        dt = np.float32 if w.dtype == np.float32 else np.float64
        return np.bincount(input._data, weights=w.astype(np.float64),
                           minlength=minlength).astype(dt)


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 - torch's names
    from ._args import no_out
    no_out("histc", out)
    need_tensor("histc", "input", 1, input)
    bins = need_int("histc", "bins", 2, bins)
    lo = number_arg("histc", "min", min)
    hi = number_arg("histc", "max", max)
    x = input._data
    if x.dtype.kind not in "fV":
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{scalar_type_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dim 0")
    dt = x.dtype.type
    lo, hi = dt(lo), dt(hi)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - dt(1), hi + dt(1)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    v = x.reshape(-1)
    v = v[(v >= lo) & (v <= hi)]
    pos = ((v - lo) * dt(bins) / (hi - lo)).astype(np.int64)
    pos = np.clip(pos, 0, bins - 1)
    return wrap(np.bincount(pos, minlength=bins).astype(x.dtype))


# ***** quantile, nanquantile ******************************************************************

_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    from .shape import SqueezeMatmul
    from .mathfns import lerp
    from .join import sort
    need_tensor(name, "input", 1, input)
    if not isinstance(q, Tensor):
        q = number_arg(name, "q", q)
    if dim is not None:
        dim = need_int(name, "dim", 3, dim)
    if not isinstance(interpolation, str):
        raise TypeError(f"{name}(): argument 'interpolation' must be str, not "
                        f"{type(interpolation).__name__}")
    x = input._data
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        qa = q._data
        if qa.ndim > 1:
            raise RuntimeError(f"quantile() q must be a scalar or 1D tensor")
        if qa.dtype != x.dtype:
            raise RuntimeError(f"quantile() q tensor must be same dtype as the input tensor")
    else:
        qa = np.asarray(q, dtype=x.dtype)
    if x.size == 0:
        raise RuntimeError(f"quantile() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if qa.size and not ((qa >= 0).all() and (qa <= 1).all()):
            raise RuntimeError(f"quantile() q values must be in the range [0, 1]")
    elif not 0 <= qa <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    if interpolation not in _INTERP:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    nd = x.ndim
    if dim is not None:
        wd = canon_dim(dim, nd)
        if nd and x.shape[wd] == 0:
            raise RuntimeError(f"quantile() input tensor cannot be empty along dimension {dim}")
    if dim is not None and nd > 0:
        out_shape = list(x.shape)
        if keepdim:
            out_shape[wd] = 1
        else:
            del out_shape[wd]
    else:
        out_shape = [1] * nd if keepdim else []
    if dim is None:
        srt = sort(input.flatten())[0]
    elif wd == nd - 1 or nd == 0:
        srt = sort(input)[0]
    else:
        srt = sort(input.unsqueeze(-1).transpose(wd, -1))[0]
    in_shape = tuple(out_shape) + (srt._data.shape[-1] if srt.ndim else 1,)
    srt = srt.view(in_shape)
    s = srt._data
    last = s.shape[-1] - 1
    qv = qa.reshape(-1)
    dt = x.dtype.type
    if ignore_nan:
        cnt = (~np.isnan(s)).sum(-1, keepdims=True) - 1
        ranks = qv * cnt.astype(x.dtype)
        ranks = np.where(ranks < 0, dt(0), ranks)
    else:
        nan = np.isnan(s).any(-1, keepdims=True)
        ranks = qv * dt(last)
        ranks, nan = np.broadcast_arrays(ranks, nan)
        ranks = np.where(nan, dt(last), ranks)
    ranks = np.asarray(ranks, x.dtype)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    vals = srt.gather(-1, wrap(below))
    if interpolation in ("linear", "midpoint"):
        if interpolation == "midpoint":
            w = np.where(ranks == below, dt(0), dt(0.5)).astype(x.dtype)
        else:
            w = (ranks - below).astype(x.dtype)
        above = np.ceil(ranks).astype(np.int64)
        vals = lerp(vals, srt.gather(-1, wrap(above)), wrap(w))
    if qa.ndim == 0:
        return SqueezeMatmul.apply(vals, (vals.ndim - 1,))
    from .shape import Transpose, Unsqueeze

    class _UnsqueezeInplace(Unsqueeze):
        node_name = "UnsqueezeBackward1"

    class _TransposeInplace(Transpose):
        node_name = "TransposeBackward1"
    vals = _UnsqueezeInplace.apply(vals, 0)
    vals = _TransposeInplace.apply(vals, 0, vals.ndim - 1)
    return SqueezeMatmul.apply(vals, (vals.ndim - 1,))


@_autocast.fp32
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    from ._args import no_out
    no_out("quantile", out)
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


@_autocast.fp32
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    from ._args import no_out
    no_out("nanquantile", out)
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ***** cov, corrcoef **************************************************************************

def cov(input, *, correction=1, fweights=None, aweights=None):
    """torch.cov, composed as torch composes it (Correlation.cpp)."""
    need_tensor("cov", "input", 1, input)
    correction = need_int("cov", "correction", 2, correction)
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input._data.dtype == np.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    inp = input.view(1, -1) if input.ndim < 2 else input
    nobs = inp._data.shape[1]
    w = None
    if fweights is not None:
        need_tensor("cov", "fweights", 3, fweights)
        w = fweights
        if w.ndim > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but got "
                               f"fweights with {w.ndim} dimensions")
        if w._data.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights "
                               f"with {scalar_type_name(w.dtype)} dtype")
        if w._data.size != nobs:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are "
                               f"observations in the input but got {w._data.size} != {nobs}")
        if nobs and w._data.min() < 0:
            raise RuntimeError("cov(): fweights cannot be negative")
    if aweights is not None:
        need_tensor("cov", "aweights", 4, aweights)
        aw = aweights
        if aw.ndim > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but got "
                               f"aweights with {aw.ndim} dimensions")
        if aw._data.dtype.kind not in "fV":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {scalar_type_name(aw.dtype)} dtype")
        if aw._data.size != nobs:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are "
                               f"observations in the input but got {aw._data.size} != {nobs}")
        if nobs and aw._data.min() < 0:
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aw if w is None else w * aw
    w_sum = w.sum() if w is not None else wrap(np.asarray(nobs, np.int64))
    if w is not None and not w_sum._data != 0:
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (inp * w if w is not None else inp).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm_factor = w_sum - correction
    if norm_factor._data <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm_factor = wrap(np.zeros_like(norm_factor._data))
    inp = inp - avg.unsqueeze(1)
    c = inp.mm((inp * w if w is not None else inp).t())
    return (c / norm_factor).squeeze()


def corrcoef(input):
    need_tensor("corrcoef", "input", 1, input)
    if input.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.view(-1, 1)
    c = c / std.view(1, -1)
    return c.clip(-1, 1)


# ***** split_with_sizes ***********************************************************************

def split_with_sizes(input, split_sizes, dim=0):
    from .indexing import split
    need_tensor("split_with_sizes", "input", 1, input)
    if not isinstance(split_sizes, (list, tuple, Size)) or not all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in split_sizes):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        f"of ints, not {type(split_sizes).__name__}")
    dim = need_int("split_with_sizes", "dim", 3, dim)
    if input.ndim == 0:
        raise RuntimeError("split_with_sizes expects at least a 1-dimensional tensor")
    d = canon_dim(dim, input.ndim)
    size = input._data.shape[d]
    sizes = [int(s) for s in split_sizes]
    for s in sizes:
        if s < 0:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={_shape_str(sizes)}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {d}), but got "
                           f"split_sizes={_shape_str(sizes)}")
    return tuple(split(input, sizes, d))


# ***** addr ***********************************************************************************

class Addr(Op):
    """z = beta input + alpha v1 ⊗ v2     dinput = beta g,  dv1 = alpha g v2,  dv2 = alpha gᵀ v1"""
    node_name = "AddrBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, a, v1, v2, beta, alpha, dt):
        x, y, z = a._data.astype(dt, copy=False), v1._data.astype(dt), v2._data.astype(dt)
        ctx.save_for_backward(v1, v2)
        ctx.beta, ctx.alpha = beta, alpha
        outer = np.multiply.outer(y, z)
        shape = outer.shape
        if dt == np.bool_:
            r = (np.logical_and(x, bool(beta)) if beta else np.zeros(shape, bool)) | \
                (np.logical_and(outer, bool(alpha)))
            return np.broadcast_to(r, shape).copy()
        if beta == 0:
            r = np.asarray(alpha * outer if alpha != 1 else outer)
        else:
            r = (x * dt.type(beta) if beta != 1 else x) + (outer * dt.type(alpha) if alpha != 1
                                                           else outer)
        return np.broadcast_to(r, shape).astype(dt, copy=True)

    @staticmethod
    def backward(ctx, g):
        v1, v2 = ctx.saved_tensors
        b, a = ctx.beta, ctx.alpha
        ga = g * b if b != 1 else g
        g1 = g.mv(v2) if ctx.needs_input_grad[1] else None
        g2 = g.t().mv(v1) if ctx.needs_input_grad[2] else None
        if a != 1:
            g1 = g1 * a if g1 is not None else None
            g2 = g2 * a if g2 is not None else None
        return ga, g1, g2


def _addr_scalar(name, v, dt):
    v = number_arg("addr", name, v)
    if isinstance(v, bool) and dt != np.bool_:
        raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
    if dt == np.bool_:
        if isinstance(v, float) or isinstance(v, complex):
            raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
        return v
    if dt.kind in "iu" and isinstance(v, (float, complex)) and not isinstance(v, bool):
        raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating "
                           f"point number.")
    return v


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    from ._args import no_out
    no_out("addr", out)
    need_tensor("addr", "input", 1, input)
    need_tensor("addr", "vec1", 2, vec1)
    need_tensor("addr", "vec2", 3, vec2)
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    dt = _dt.result_type(input, vec1, vec2).np
    beta = _addr_scalar("beta", beta, np.dtype(dt))
    alpha = _addr_scalar("alpha", alpha, np.dtype(dt))
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    _broadcast_tensor_shapes((input, wrap(np.empty(shape))))
    if _broadcast_tensor_shapes((input, wrap(np.empty(shape)))) != shape:
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1]}) must match the "
                           f"existing size ({input._data.shape[-1]}) at non-singleton dimension "
                           f"1.  Target sizes: {_shape_str(shape)}.  Tensor sizes: "
                           f"{_shape_str(input._data.shape)}")
    return Addr.apply(input, vec1, vec2, beta, alpha, np.dtype(dt))


def addr_(t, vec1, vec2, *, beta=1, alpha=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, v, w: addr(a, v, w, beta=beta, alpha=alpha), vec1, vec2)


# ***** renorm *********************************************************************************

class Renorm(Op):
    """z = a * (maxnorm / (||a_s||_p + 1e-7) where ||a_s||_p > maxnorm else 1), per slice s
    along dim;  da = torch's renorm_backward"""
    node_name = "RenormBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, p, dim, maxnorm):
        x = a._data
        dims = tuple(i for i in range(x.ndim) if i != dim)
        norm = _np_norm(x.astype(np.float64), p, dims, True)
        factor = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0).astype(x.dtype)
        ctx.save_for_backward(a)
        ctx.p, ctx.dims, ctx.maxnorm = p, dims, maxnorm
        return x * factor

    @staticmethod
    def backward(ctx, g):
        from .elementwise import where_
        (a,) = ctx.saved_tensors
        dims, p, maxnorm = ctx.dims, ctx.p, ctx.maxnorm
        norm = wrap(np.asarray(_np_norm(a._data, p, dims, True), a._data.dtype))
        go = (a * g).sum(dims, keepdim=True)
        nb = _norm_vjp(a, norm, go, p, dims)
        invnorm = (norm + 1e-7).reciprocal()
        factor = invnorm * maxnorm
        if nb is None:
            return where_(norm.gt(maxnorm), factor * g, g)
        return where_(norm.gt(maxnorm), factor * g - (factor * invnorm) * nb, g)


def renorm(input, p, dim, maxnorm, *, out=None):
    from ._args import no_out
    no_out("renorm", out)
    need_tensor("renorm", "input", 1, input)
    p = number_arg("renorm", "p", p)
    dim = need_int("renorm", "dim", 3, dim)
    maxnorm = number_arg("renorm", "maxnorm", maxnorm)
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input.dtype)}")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           f"dimensions")
    d = canon_dim(dim, input.ndim)
    return Renorm.apply(input, float(p), d, float(maxnorm))


def renorm_(t, p, dim, maxnorm):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a: renorm(a, p, dim, maxnorm))


# ***** frexp, ldexp ***************************************************************************



class Frexp(Op):
    """(m, e) = frexp(a)        da = g / 2^e"""
    node_name = "FrexpBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a):
        m, e = np.frexp(a._data)
        ctx.e = e.astype(np.int32)
        return m, ctx.e

    @staticmethod
    def backward(ctx, g, g_e=None):
        return g / wrap(np.exp2(ctx.e.astype(g._data.dtype)))


def frexp(input, *, out=None):
    from ._args import no_out
    no_out("frexp", out)
    need_tensor("frexp", "input", 1, input)
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = Frexp.apply(input)
    return _rt.frexp(m, e)


class Ldexp(Op):
    """z = a * 2^b          da = g 2^b,  db = g z ln 2"""
    node_name = "LdexpBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, dt):
        ctx.save_for_backward(a, b)
        ctx.dt = dt
        x, e = a._data.astype(dt), b._data
        if e.dtype.kind in "iub":           # integer exponents: scaled exactly (2^b itself may
            e = e.astype(np.int64)          # not fit x's dtype: float32 1e30 * 2^-200)
            big = np.iinfo(np.int32)        # (NumPy's ldexp takes C ints: beyond them x·2^e
            return np.ldexp(x, np.clip(e, big.min, big.max)).astype(dt)  # is 0 or inf anyway)
        return (x * np.exp2(e.astype(dt))).astype(dt)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        p = wrap(np.exp2(b._data.astype(ctx.dt)))
        ga = g * p if ctx.needs_input_grad[0] else None
        gb = g * a * p * math.log(2) if ctx.needs_input_grad[1] else None
        return ga, gb


def ldexp(input, other, *, out=None):
    from ._args import no_out
    no_out("ldexp", out)
    need_tensor("ldexp", "input", 1, input)
    need_tensor("ldexp", "other", 2, other)
    rt = _dt.result_type(input, other)
    dt = np.dtype(rt.np)
    if dt.kind not in "fV":
        dt = np.dtype(_dt.get_default_dtype().np)
    _broadcast_tensor_shapes((input, other))
    return Ldexp.apply(input, other, dt)


def ldexp_(t, other):
    from .inplace import apply_inplace
    return apply_inplace(t, ldexp, other)


# ***** combinations, unravel_index ************************************************************

def combinations(input, r=2, with_replacement=False):
    from .shape_extra import meshgrid
    from .join import stack
    need_tensor("combinations", "input", 1, input)
    r = need_int("combinations", "r", 2, r)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {_shape_str(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.empty(0, input._data.dtype))
    n = input._data.shape[0]
    grids = meshgrid(*([input] * r), indexing="ij")
    idx = np.indices((n,) * r) if n else np.zeros((r,) + (0,) * r, np.int64)
    mask = np.ones((n,) * r, bool)
    for i in range(r - 1):
        mask &= (idx[i] <= idx[i + 1]) if with_replacement else (idx[i] < idx[i + 1])
    m = wrap(mask)
    return stack([g.masked_select(m) for g in grids], 1)


def unravel_index(indices, shape):
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, (list, tuple, Size)):
        for d in shape:
            if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
                raise TypeError(f"expected 'shape' sequence to only contain ints, but got "
                                f"{type(d)}")
        shape = tuple(int(d) for d in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coefs = list(reversed(list(itertools.accumulate(reversed(shape[1:] + (1,)),
                                                    func=lambda a, b: a * b))))
    x = indices._data.astype(np.int64)[..., None]
    if 0 in shape:
        raise ZeroDivisionError("ZeroDivisionError")
    res = np.floor_divide(x, np.asarray(coefs, np.int64)) % np.asarray(shape, np.int64)
    return tuple(wrap(np.array(res[..., i])) for i in range(len(shape)))


# ***** trapezoid ******************************************************************************

def _trapz_empty(y, d):
    shape = list(y._data.shape)
    del shape[d]
    return wrap(np.zeros(shape, y._data.dtype))


def trapezoid(y, x=None, *, dx=None, dim=-1, _name="trapezoid"):
    from .indexing import narrow
    need_tensor(_name, "y", 1, y)
    if x is not None and dx is not None:
        bad_overload(_name, (y, x), ["Tensor y, Tensor x, *, int dim = -1",
                                    "Tensor y, *, Number dx = 1, int dim = -1"])
    if x is not None and not isinstance(x, Tensor):
        bad_overload(_name, (y, x), ["Tensor y, Tensor x, *, int dim = -1",
                                    "Tensor y, *, Number dx = 1, int dim = -1"])
    dim = need_int(_name, "dim", 2, dim)
    d = canon_dim(dim, y.ndim)
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    n = y._data.shape[d]
    if x is None:
        dx = 1 if dx is None else number_arg(_name, "dx", dx)
        if isinstance(dx, complex) or (isinstance(dx, bool) and _name == "trapezoid"):
            raise RuntimeError("trapezoid: Currently, we only support dx as a real number.")
        if n == 0:
            return _trapz_empty(y, d)
        if y._data.dtype == np.bool_:
            raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not "
                               "supported")
        return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * float(dx)
    if n == 0:
        return _trapz_empty(y, d)
    if y._data.dtype == np.bool_ or x._data.dtype == np.bool_:
        raise RuntimeError("trapezoid: received a bool input for `x` or `y`, but bool is not "
                           "supported")
    if x.ndim == 1:
        if x._data.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        sizes = [1] * y.ndim
        sizes[d] = n
        xv = x.view(sizes)
    elif x.ndim < y.ndim:
        xv = x.view((1,) * (y.ndim - x.ndim) + tuple(x._data.shape))
    else:
        xv = x
    m = xv._data.shape[d]
    dxs = narrow(xv, d, 1, m - 1) - narrow(xv, d, 0, m - 1)
    return (dxs * (narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1))).sum(d) / 2.0


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim, _name="trapz")


# ***** Tensor.unfold, Tensor.sum_to_size ******************************************************

class Unfold(Op):
    """z[..., i, ..., k] = a[..., i*step + k, ...]  (a copy; torch returns a view)
    da = the windows of g added back at their places"""
    node_name = "UnfoldBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, size, step):
        x = a._data
        ctx.in_shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        if x.ndim == 0:
            return x.reshape(1)[:size].copy()
        n = (x.shape[dim] - size) // step + 1
        w = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
        w = np.take(w, np.arange(n) * step, axis=dim)
        return np.ascontiguousarray(w)

    @staticmethod
    def backward(ctx, g):
        return UnfoldBackward.apply(g, ctx.in_shape, ctx.dim, ctx.size, ctx.step)


class UnfoldBackward(Op):
    """z = zeros(in_shape) with g's windows added;   dg = unfold(gg)"""
    node_name = "UnfoldBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, in_shape, dim, size, step):
        ctx.dim, ctx.size, ctx.step = dim, size, step
        x = g._data
        if len(in_shape) == 0:
            return x.sum().reshape(()).astype(x.dtype)
        z = np.zeros(in_shape, x.dtype)
        n = x.shape[dim]
        zm = np.moveaxis(z, dim, -1)
        xm = np.moveaxis(x, dim, -2)
        for i in range(n):
            zm[..., i * step:i * step + size] += xm[..., i, :]
        return z

    @staticmethod
    def backward(ctx, gg):
        return Unfold.apply(gg, ctx.dim, ctx.size, ctx.step)


def unfold_step_error(step):
    raise RuntimeError(f"step is {step} but must be > 0")


def unfold(t, dimension, size, step):
    dimension = need_int("unfold", "dimension", 1, dimension)
    size = need_int("unfold", "size", 2, size)
    step = need_int("unfold", "step", 3, step)
    d = canon_dim(dimension, t.ndim)
    n = t._data.shape[d] if t.ndim else 1
    if t.ndim == 0 and size <= 1:
        return Unfold.apply(t, 0, size, step) if step > 0 else unfold_step_error(step)
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(t, d, size, step)


def sum_to_size(t, *size):
    """Tensor.sum_to_size: t summed over the leading dims and the dims where size is 1
    (SumBackward1, then a view when leading dims go); t itself when the shape is size."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (list, tuple, Size)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"sum_to_size(): argument 'size' (position 1) must be tuple of ints, "
                            f"but found element of type {type(s).__name__} at pos 0")
    size = tuple(int(s) for s in size)
    shape = t._data.shape
    ok = len(size) <= len(shape) and all(
        s == d or s == 1 for s, d in zip(size[::-1], shape[::-1]))
    if not ok:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    if size == shape:
        return t
    lead = len(shape) - len(size)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(size)
                                if s == 1 and shape[lead + i] != 1]
    if not dims:
        return t
    r = t.sum(dims, keepdim=True)
    return r.view(size) if lead else r


def fill_diagonal_(t, fill_value, wrap=False):
    """Tensor.fill_diagonal_: the main diagonal (of a 2-d tensor, or of one whose dims are all
    equal) set to fill_value in place.  As torch, it steps through memory by the sum of the
    strides: with wrap, a tall matrix's diagonal starts again after every block of N+1 rows.
    A contiguous tensor is written through a strided view of its flat memory (CopySlices, as
    torch records it); another through its index arrays."""
    if not isinstance(t, Tensor):
        need_tensor("fill_diagonal_", "self", 0, t)
    shape = tuple(t.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(shape)
    if t.is_contiguous():
        step = sum(t.stride())
        stop = t.numel() if (wrap and len(shape) == 2 and shape[0] > shape[1]) else \
            (n - 1) * step + 1
        t.view(-1)[0:stop:step].fill_(fill_value)
        return t
    rows = np.arange(n)
    if wrap and len(shape) == 2 and shape[0] > shape[1]:
        rows = np.arange(0, shape[0])
        rows = rows[rows % (shape[1] + 1) < shape[1]]
        t[(Tensor._make(rows, False, None, 0),
           Tensor._make(rows % (shape[1] + 1), False, None, 0))] = fill_value
        return t
    idx = Tensor._make(rows, False, None, 0)
    t[(idx,) * len(shape)] = fill_value
    return t
