"""Reductions: sum, mean, prod, max/min, amax/amin, var/std, norm, logsumexp.

A reduction's VJP spreads `g` back over the reduced dimensions: first `_unreduce` reshapes `g`
to the kept-dims shape (size 1 where a dim was reduced), then broadcasting does the rest.
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import warnings

import numpy as np

from .. import dtypes as _dt
from .. import return_types as _rt
from ..autograd.function import Op
from ..tensor import NO_DIM, Tensor
from ._util import accumulate_dtype, canon_dims, default_float, float_data, wrap
from .elementwise import where_


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _unreduce(g, shape, dims, keepdim):
    """g of the reduced shape -> broadcastable to `shape` (size 1 at each reduced dim)."""
    return g if keepdim else g.reshape(_kept_shape(shape, dims))


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _sum_dtype(x, dtype):
    if dtype is not None:
        return _dt.as_dtype(dtype).np
    return np.int64 if x.dtype.kind in "iub" else None


# ***** sum and mean *****

def _add_reduce(x, axis=None, keepdims=False, dtype=None):
    """np.add.reduce over axis, a bfloat16 result accumulated in float32 and rounded once, as
    torch's (NumPy's bfloat16 loop accumulates in bfloat16: a sum of 1,000 × 0.01 came out 4;
    its float16 loop already accumulates in float32).  (torch's bfloat16 prod rounds each
    product to bfloat16, as NumPy's loop does.)"""
    out = x.dtype if dtype is None else np.dtype(dtype)
    if out.kind == "V":
        return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=np.float32).astype(out)
    return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=dtype)


class Sum(Op):
    """z = Σ a (all elements)          da = g broadcast to a's shape"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.shape = a._data.shape
        # np.add.reduce, not ndarray.sum: NumPy's warnings (inf - inf) then name this module,
        # where ops/__init__.py silences them as torch is silent
        return np.asarray(_add_reduce(a._data, dtype=_sum_dtype(a._data, dtype)))

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.shape)

    @staticmethod
    def np_backward(ctx, g):
        return np.broadcast_to(g, ctx.shape)


class SumDim(Op):
    """z = Σ_dims a                    da = g (unsqueezed at dims) broadcast to a's shape"""
    node_name = "SumBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a._data.shape, dims, keepdim
        return np.asarray(_add_reduce(a._data, dims, keepdim, _sum_dtype(a._data, dtype)))

    @staticmethod
    def backward(ctx, g):
        return _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape)

    @staticmethod
    def np_backward(ctx, g):
        return np.broadcast_to(_unreduce(g, ctx.shape, ctx.dims, ctx.keepdim), ctx.shape)


class Mean(Op):
    """z = mean(a)                     da = g / n broadcast"""
    arity = 1

    @staticmethod
    def forward(ctx, a):
        x = a._data
        ctx.shape, ctx.n = x.shape, x.size
        if x.size == 0:     # nan, without NumPy's "Mean of empty slice" warning
            return np.full((), np.nan, x.dtype)
        if x.dtype.kind == "V":     # bfloat16: the float32 sum's mean, rounded once
            return np.asarray(np.add.reduce(x, dtype=np.float32) / x.size).astype(x.dtype)
        return np.asarray(np.add.reduce(x, axis=None, dtype=x.dtype) / x.size, x.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.n == 0:      # torch's order (expand, then divide): no 0/0 in double backward
            return g.expand(ctx.shape) / 0
        return (g / ctx.n).expand(ctx.shape)

    @staticmethod
    def np_backward(ctx, g):
        if ctx.n == 0:
            return np.broadcast_to(g, ctx.shape) / 0
        return np.broadcast_to(g / ctx.n, ctx.shape)


class MeanDim(Op):
    """z = mean over dims              da = g / n (unsqueezed) broadcast"""
    node_name = "MeanBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = a._data
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if x.size == 0 and _count(x.shape, dims) == 0:    # nan, without NumPy's warning
            return np.full(np.sum(x, axis=dims, keepdims=keepdim).shape, np.nan, x.dtype)
        if x.dtype.kind == "V":     # bfloat16: the float32 sums' means, rounded once
            s = np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=np.float32)
            return np.asarray(s / _count(x.shape, dims)).astype(x.dtype)
        s = np.add.reduce(x, axis=dims, keepdims=keepdim, dtype=x.dtype)
        return np.asarray(np.true_divide(s, _count(x.shape, dims), dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        n = _count(ctx.shape, ctx.dims)
        if n == 0:
            return _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim).expand(ctx.shape) / 0
        return (_unreduce(g, ctx.shape, ctx.dims, ctx.keepdim) / n).expand(ctx.shape)

    @staticmethod
    def np_backward(ctx, g):
        n = _count(ctx.shape, ctx.dims)
        g = _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim)
        if n == 0:
            return np.broadcast_to(g, ctx.shape) / 0
        return np.broadcast_to(g / n, ctx.shape)


def _dims_or_all(dim, ndim):
    """The dims a reduction with a dim argument reduces: dim=None or () means all of them."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return canon_dims(dim, ndim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001 - torch's name
    if dim is None and not keepdim:
        return Sum.apply(input, dtype)
    return SumDim.apply(input, _dims_or_all(dim, input.ndim), keepdim, dtype)


def sum_dims(g, dims, keepdim):
    """Internal: used by the engine to sum a gradient back to its input's shape."""
    return SumDim.apply(g, tuple(dims), keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_legacy(input)}. Fix: call "
                           ".float() first, or pass dtype=torch.float32.")
    if dim is None and not keepdim:
        return Mean.apply(input)
    return MeanDim.apply(input, _dims_or_all(dim, input.ndim), keepdim)


def _legacy(a):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(a.dtype.name, a.dtype.name)


# ***** prod *****

class Prod(Op):
    """z = Π a                  da = g * z / a   (the exact product of the others where a has zeros)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = a._data
        z = np.asarray(np.multiply.reduce(x, axis=dims, keepdims=keepdim,
                                          dtype=np.int64 if x.dtype.kind in "iub" else None))
        ctx.save_for_backward(a, z)
        ctx.dims, ctx.keepdim = dims, keepdim
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        shape = a._data.shape
        if not shape:                   # a 0-d input: z is a, dz/da = 1 (inf and NaN too)
            return g
        dims = ctx.dims if ctx.dims is not None else tuple(range(len(shape)))
        keep = ctx.keepdim and ctx.dims is not None
        gk, zk = _unreduce(g, shape, dims, keep), _unreduce(z, shape, dims, keep)
        x = a._data
        zeros = np.count_nonzero(x == 0)
        if not zeros:
            return gk * zk / a
        if ctx.dims is None and zeros > 1 and not _grad_enabled():
            return wrap(np.zeros_like(x))       # (torch: NaNs in x or not, as its prod_backward)
        if g.requires_grad or a.requires_grad and _grad_enabled():
            raise RuntimeError("double backward of prod() through inputs that contain zeros is not "
                               "supported by zerograd")
        # product of all the other elements: move the reduced dims last, flatten them, and
        # multiply exclusive cumulative products from the left and from the right
        rest = [d for d in range(len(shape)) if d not in dims]
        moved = np.transpose(x, rest + list(dims)).reshape([shape[d] for d in rest] + [-1])
        one = np.ones_like(moved[..., :1])
        left = np.multiply.accumulate(np.concatenate([one, moved[..., :-1]], -1), -1)
        rev = np.concatenate([one, np.flip(moved, -1)[..., :-1]], -1)
        right = np.flip(np.multiply.accumulate(rev, -1), -1)
        others = (left * right).reshape([shape[d] for d in rest] + [shape[d] for d in dims])
        others = np.transpose(others, np.argsort(rest + list(dims)))
        return gk * wrap(others)


class ProdDim(Prod):
    node_name = "ProdBackward1"


@_autocast.fp32
def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return Prod.apply(input, None, False)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError("prod(): argument 'dim' must be int (torch.prod reduces one dim)")
    return ProdDim.apply(input, canon_dims(dim, input.ndim), keepdim)


# ***** max / min *****

class MaxAll(Op):
    """z = max(a)                      da = g spread evenly over the elements equal to z (over
    the NaNs when z is NaN, and exactly 0 elsewhere: torch's evenly_distribute_backward)"""
    node_name = "MaxBackward1"
    arity = 1
    _f = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        z = np.asarray(x.max())
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        x, v = a._data, z._data
        mask = np.isnan(x) if np.isnan(v) else x == v
        return where_(wrap(mask), g / float(np.count_nonzero(mask)), 0.0)


class MinAll(MaxAll):
    """z = min(a)                      da = g spread evenly over the elements equal to z"""
    node_name = "MinBackward1"

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.size == 0:
            raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        z = np.asarray(x.min())
        ctx.save_for_backward(a, z)
        return z


class MaxDim(Op):
    """values, indices = max(a, dim)   da = g placed at the arg-max positions"""
    node_name = "MaxBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, keepdim, is_max=True):
        x = a._data
        if x.shape and x.shape[dim] == 0:
            raise IndexError(f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have "
                             "non-zero size.")
        idx = (np.argmax if is_max else np.argmin)(x, axis=dim, keepdims=True) if x.ndim else \
            np.zeros((), np.int64)
        vals = np.take_along_axis(x, idx, axis=dim) if x.ndim else x.copy()
        ctx.shape, ctx.dim, ctx.keepdim, ctx.idx = x.shape, dim, keepdim, idx
        if not keepdim and x.ndim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        return vals, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, g, g_idx=None):
        if not ctx.shape:
            return g
        gk = g if ctx.keepdim else g.unsqueeze(ctx.dim)
        onehot = np.zeros(ctx.shape, dtype=g._data.dtype)
        np.put_along_axis(onehot, ctx.idx, 1, axis=ctx.dim)
        return gk * wrap(onehot)


class MinDim(MaxDim):
    node_name = "MinBackward0"


def _max_min(a, dim, keepdim, is_max, other):
    if isinstance(dim, Tensor):        # torch.max(a, b) is maximum
        return other(a, dim)
    if dim is NO_DIM and keepdim is False:
        return (MaxAll if is_max else MinAll).apply(a)
    if dim is NO_DIM:                   # keepdim alone
        dim = None
    if not isinstance(dim, (int, np.integer)):
        name = "max" if is_max else "min"
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(dim).__name__}), but expected one of:\n"
                        " * (Tensor input, *, Tensor out = None)\n"
                        " * (Tensor input, Tensor other, *, Tensor out = None)\n"
                        " * (Tensor input, int dim, bool keepdim = False, *, tuple of Tensors "
                        "out = None)")
    d = canon_dims(dim, a.ndim)
    d = d[0] if d else 0
    vals, idx = (MaxDim if is_max else MinDim).apply(a, d, keepdim, is_max)
    return (_rt.max if is_max else _rt.min)(vals, idx)


def max(input, dim=NO_DIM, keepdim=False, *, other=None):  # noqa: A001
    from .elementwise import Maximum
    if other is not None:                       # torch.max(input, other=t): maximum
        return _max_min(input, other, keepdim, True, Maximum.apply)
    return _max_min(input, dim, keepdim, True, Maximum.apply)


def min(input, dim=NO_DIM, keepdim=False, *, other=None):  # noqa: A001
    from .elementwise import Minimum
    if other is not None:                       # torch.min(input, other=t): minimum
        return _max_min(input, other, keepdim, False, Minimum.apply)
    return _max_min(input, dim, keepdim, False, Minimum.apply)


class Amax(Op):
    """z = max over dims               da = g spread evenly over the maxima of each slice"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, is_max=True):
        x = a._data
        try:
            z = np.asarray((np.max if is_max else np.min)(x, axis=dims, keepdims=True))
        except ValueError:
            d = next(d for d in (dims or range(x.ndim)) if x.shape[d] == 0)
            raise IndexError(f"{'amax' if is_max else 'amin'}(): Expected reduction dim {d} to "
                             "have non-zero size.") from None
        ctx.save_for_backward(a)
        ctx.zk, ctx.dims, ctx.keepdim = z, dims, keepdim
        return z if keepdim else z.reshape([s for i, s in enumerate(z.shape) if i not in dims])

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        mask = (a._data == ctx.zk).astype(a._data.dtype)
        count = mask.sum(axis=ctx.dims, keepdims=True)
        return _unreduce(g, a._data.shape, ctx.dims, ctx.keepdim) * wrap(mask / count)


class Amin(Amax):
    pass


def amax(input, dim=(), keepdim=False):
    return _amax_amin(Amax, input, dim, keepdim, True)


def amin(input, dim=(), keepdim=False):
    return _amax_amin(Amin, input, dim, keepdim, False)


def _amax_amin(op, a, dim, keepdim, is_max):
    if dim in ((), [], None) and a._data.size == 0:
        raise RuntimeError(f"{'amax' if is_max else 'amin'}(): Expected reduction dim to be "
                           "specified for input.numel() == 0. Specify the reduction dim with the "
                           "'dim' argument.")
    return op.apply(a, canon_dims(dim if dim not in ((), []) else None, a.ndim), keepdim, is_max)


def argmax(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, np.argmax)


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, np.argmin)


def _arg(a, dim, keepdim, f):
    x = a._data
    if dim is not None and (not isinstance(dim, (int, np.integer)) or isinstance(dim, bool)):
        raise TypeError(f"{f.__name__}(): argument 'dim' must be int, not {type(dim).__name__}")
    if x.dtype == np.bool_:
        raise RuntimeError(f"{f.__name__}(): does not support bool input")
    if dim is None and x.size == 0:
        raise IndexError(f"{f.__name__}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    if dim is None:
        r = np.asarray(f(x))
        if keepdim:
            r = r.reshape((1,) * x.ndim)
        return wrap(r.astype(np.int64))
    d = canon_dims(dim, x.ndim)
    if not d:
        return wrap(np.zeros(x.shape, np.int64))
    if x.shape[d[0]] == 0:
        raise IndexError(f"{f.__name__}(): Expected reduction dim {d[0]} to have non-zero size.")
    return wrap(f(x, axis=d[0], keepdims=keepdim).astype(np.int64))


# ***** var / std *****

def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


class Var(Op):
    """z = Σ (a - mean)² / (n - c)      da = g * 2 (a - mean) / (n - c)
    (over every element - dim=None - with n - c <= 0, torch's da = g * (nan where a = mean, else
    inf): see _no_dof)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, corr, full=False):
        x = float_data(a)
        ctx.save_for_backward(a)
        ctx.dims, ctx.keepdim, ctx.corr, ctx.full = dims, keepdim, corr, full
        if _count(x.shape, dims) - corr <= 0:
            return _few_dof("var", x, dims, corr, keepdim)
        with np.errstate(all="ignore"):     # (inf - inf: nan, silently; NumPy's var warns
            return _in_acc(x, "var", axis=dims, ddof=corr, keepdims=keepdim)    # from its module)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        n = _count(a._data.shape, ctx.dims)
        gk = _unreduce(g, a._data.shape, ctx.dims, ctx.keepdim)
        if ctx.full and n - ctx.corr <= 0:
            return gk * _no_dof(a)
        return _var_grad(a, gk, n, ctx)


class Std(Op):
    """z = sqrt(var)                   da = g (a - mean) / ((n - c) z)
    (a full reduction with n - c <= 0: torch's g/(2z) * (nan where a = mean, else inf))"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim, corr, full=False):
        x = float_data(a)
        if _count(x.shape, dims) - corr <= 0:
            z = np.sqrt(_few_dof("std", x, dims, corr, keepdim))
        else:
            with np.errstate(all="ignore"):             # (see Var)
                z = _in_acc(x, "std", axis=dims, ddof=corr, keepdims=keepdim)
        ctx.save_for_backward(a, z)
        ctx.dims, ctx.keepdim, ctx.corr, ctx.full = dims, keepdim, corr, full
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        return std_grad(a, z, g, ctx)


def _var_grad(a, gk, n, ctx):
    """g · 2/(n - c) · (a - mean), in torch's order (the scalar times g first: bit for bit)."""
    centered = a - a.mean(dim=ctx.dims, keepdim=True)
    scale = 2.0 / np.float64(n - ctx.corr)      # inf (not ZeroDivisionError) when n == c
    return gk * float(scale) * centered


def std_grad(a, z, g, ctx):
    """dstd/da times g, as torch's std_backward: var's gradient of g/(2z), 0 where std is 0."""
    n = _count(a._data.shape, ctx.dims)
    zk = _unreduce(z, a._data.shape, ctx.dims, ctx.keepdim)
    gk = _unreduce(g, a._data.shape, ctx.dims, ctx.keepdim)
    if (z._data == 0).any():
        zero = zk.eq(0)
        gv = where_(zero, 0.0, gk / (where_(zero, 1.0, zk) * 2.0))
    else:
        gv = gk / (zk * 2.0)
    if ctx.full and n - ctx.corr <= 0:
        return gv * _no_dof(a)
    return _var_grad(a, gv, n, ctx)


def _no_dof(a):
    """torch's var_backward over every element (dim=None) when n - correction <= 0: 2/(n - c)
    is taken as inf, so the factor is inf, or nan where a equals its mean (inf·0).  A constant:
    no gradient flows through it (torch's result has no grad_fn either)."""
    x = a._data
    with np.errstate(all="ignore"):
        f = np.where(x == x.mean(), np.nan, np.inf).astype(x.dtype)
    return wrap(f)


def _float_only(a):
    if a._data.dtype.kind not in "fV":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def _few_dof(name, x, dims, corr, keepdim):
    """var with n - correction <= 0: inf or nan, with torch's warning instead of NumPy's."""
    warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than "
                  "the reduction factor (input numel divided by output numel).", UserWarning,
                  stacklevel=5)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _in_acc(x, "var", axis=dims, ddof=corr, keepdims=keepdim)


def _in_acc(x, method, **kwargs):
    """x.var / x.std (`method`) computed in float32 for half types and rounded once, as torch
    (in float16 the squares overflow from |x - mean| = 256 on: a std of inf)."""
    acc = accumulate_dtype(x.dtype)
    if acc is None:
        return np.asarray(getattr(x, method)(**kwargs))
    return np.asarray(getattr(x.astype(acc), method)(**kwargs)).astype(x.dtype)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _float_only(input)
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return Var.apply(input, canon_dims(dim, input.ndim), keepdim, _correction(unbiased, correction),
                     dim is None or input.ndim == 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _float_only(input)
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    return Std.apply(input, canon_dims(dim, input.ndim), keepdim, _correction(unbiased, correction),
                     dim is None or input.ndim == 0)


# ***** norm and logsumexp *****

class Norm(Op):
    """z = (Σ |a|^p)^(1/p)              da = g * a |a|^(p-2) / z^(p-1)   (p=2: g * a / z; 0 at z=0)"""
    node_name = "LinalgVectorNormBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        x = float_data(a)
        half = x.dtype
        if accumulate_dtype(half) is not None:     # (half types: in float32, as torch)
            x = x.astype(accumulate_dtype(half))
        if p == 2:
            z = np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
        elif p == np.inf:
            z = np.max(np.abs(x), axis=dims, keepdims=keepdim, initial=0)
        elif p == -np.inf:
            z = np.min(np.abs(x), axis=dims, keepdims=keepdim)
        elif p == 0:
            z = np.sum(x != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
        elif p == 1:
            z = np.sum(np.abs(x), axis=dims, keepdims=keepdim)
        else:
            z = np.sum(np.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
        z = np.asarray(z, dtype=half)
        ctx.save_for_backward(a, z)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        shape, p = a._data.shape, ctx.p
        gk = _unreduce(g, shape, ctx.dims, ctx.keepdim)
        zk = _unreduce(z, shape, ctx.dims, ctx.keepdim)
        if p == 0:             # torch: no gradient at all (None), not zeros
            return None
        # torch's linalg_vector_norm_backward, term by term
        if p == 1:
            return gk * a.sign()
        if p in (np.inf, -np.inf):      # g shared by the |a| equal to z, or NaN (sign(NaN) = 0)
            x = np.abs(a._data)
            mask = (x == zk._data) | np.isnan(x)
            count = wrap(np.count_nonzero(mask, axis=ctx.dims, keepdims=True).astype(x.dtype))
            return a.sign() * ((gk / count) * wrap(mask.astype(x.dtype)))
        # (where a quotient or power would be infinite, the masked-out branch divides by a
        # stand-in 1 instead: its own derivative, taken by a double backward, stays finite)
        zero = zk.eq(0)
        safe = where_(zero, 1.0, zk)
        if p == 2:
            return gk * where_(zero, 0.0, a / safe)
        if p < 1:
            a0 = a.eq(0)
            scaled = a.sign() * where_(a0, 0.0, where_(a0, 1.0, a.abs()) ** (p - 1))
            return scaled * gk * zk ** (1 - p)
        scaled = a.sign() * a.abs() ** (p - 1) if p < 2 else a * a.abs() ** (p - 2)
        return scaled * where_(zero, 0.0, gk / safe ** (p - 1))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    if p in ("fro", None):
        p = 2
    if p == "nuc":
        raise NotImplementedError("nuclear norm is not supported by zerograd")
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unknown p {p!r}")
    if input._data.dtype.kind not in "fV":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_legacy(input)}")
    return Norm.apply(input, float(p), canon_dims(dim, input.ndim), keepdim)


class Logsumexp(Op):
    """z = log Σ exp(a)                da = g * exp(a - z)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        x = float_data(a)
        acc = accumulate_dtype(x.dtype)
        if acc is not None:                 # (half types: in float32, as torch)
            x = x.astype(acc)
        m = np.max(x, axis=dims, keepdims=True) if x.size else np.zeros(
            _kept_shape(x.shape, dims), x.dtype)
        m = np.where(np.isfinite(m), m, 0)
        z = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        if acc is not None:
            z = z.astype(a._data.dtype)
        ctx.save_for_backward(a)
        ctx.zk, ctx.dims, ctx.keepdim = z, dims, keepdim
        return z if keepdim else z.reshape([s for i, s in enumerate(z.shape) if i not in dims])

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        gk = _unreduce(g, a._data.shape, ctx.dims, ctx.keepdim)
        if g.requires_grad or a.requires_grad and _grad_enabled():
            zk = a.logsumexp(ctx.dims, keepdim=True)
        else:
            zk = wrap(ctx.zk)
        return gk * (a - zk).exp()


def _grad_enabled():
    from ..grad_mode import is_grad_enabled
    return is_grad_enabled()


def logsumexp(input, dim, keepdim=False):
    return Logsumexp.apply(input, canon_dims(dim, input.ndim), keepdim)


__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
           "norm", "logsumexp", "sum_dims", "default_float"]
