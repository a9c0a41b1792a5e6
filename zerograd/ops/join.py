"""Joining and reordering: cat, stack, hstack, vstack, repeat, tile, repeat_interleave, flip,
roll, tril, triu, cumsum, cumprod, sort, argsort, topk, kthvalue, constant padding, einsum.

Every VJP is written with Tensor ops (or with another op of these families that has its own VJP),
so second derivatives work:

    cat        dx_i = g.narrow(dim, offset_i, size_i)
    stack      dx_i = g.select(dim, i)
    repeat     dx   = g viewed as (r0, s0, r1, s1, ...) summed over the r axes
    flip/roll  dx   = the same op undone on g
    cumsum     dx   = g.flip(dim).cumsum(dim).flip(dim)
    sort/topk/kthvalue   dx = zeros.scatter(dim, indices, g)   (indices carry no gradient)
    pad        dx   = g padded by the negated amounts (a crop)
    einsum     dx_k = einsum of g and the other operands, the subscripts swapped
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import numpy as np

from .. import dtypes as _dt
from .. import return_types as _rt
from ..autograd.function import Op
from ..tensor import Tensor
from . import views as _views
from ._args import no_out
from ._util import accumulate_dtype, canon_dim, wrap
from .gather import Scatter
from .padding import constant_pad_nd  # noqa: F401  (re-exported: zerograd.constant_pad_nd)
# the gather family, re-exported so that zerograd/__init__.py takes every name from one place
from .gather import (argwhere, gather, index_add, index_copy, index_fill,  # noqa: F401
                     index_select, masked_fill, masked_scatter, masked_select, nonzero, scatter,
                     scatter_add, scatter_reduce, take_along_dim)


def _nary(cls, n):
    """`cls` with `arity = n`: ops taking a variable number of tensors (cat, stack, einsum)
    keep their parameters after the tensors and get exactly one graph edge per tensor."""
    cache = cls.__dict__.get("_by_arity")
    if cache is None:
        cache = cls._by_arity = {}
    sub = cache.get(n)
    if sub is None:
        sub = cache[n] = type(cls.__name__, (cls,), {
            "arity": n, "node_name": cls.node_name, "__module__": cls.__module__,
            "__doc__": cls.__doc__, "__qualname__": cls.__qualname__})
    return sub


def _fresh(views):
    """Multi-output ops (sort, topk, kthvalue): re-derive a stale view first (a view whose base
    changed in place since its grad_fn was made), so these ops never record stale history."""
    for t in views:
        if isinstance(t, Tensor) and t._view is not None and t._vc is not None \
                and t._vc[0] != t._view.version:
            _views.refresh(t)


def _tensor_list(tensors, what):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{what}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


# ***** cat / stack ****************************************************************************

class Cat(Op):
    """z = cat(xs, dim)        dx_i = g.narrow(dim, offset_i, size_i)"""
    node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, *args):
        xs, (dim, dtype, skip) = args[:-1], args[-1]
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [None if s else x._data.shape[dim] for x, s in zip(xs, skip)]
        arrays = [x._data for x, s in zip(xs, skip) if not s]
        if not arrays:
            return np.zeros((0,), dtype)
        if len({a.dtype for a in arrays}) > 1:        # (each cast first: NumPy has no common
            arrays = [a.astype(dtype, copy=False) for a in arrays]    # type of bfloat16, float16)
        return np.concatenate(arrays, axis=dim).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        out, o = [], 0
        for s, need, meta in zip(ctx.sizes, ctx.needs_input_grad, ctx._metas):
            if s is None:                                   # a legacy empty (0,) input
                out.append(wrap(np.zeros((0,), meta[1])) if need else None)
                continue
            out.append(g.narrow(ctx.dim, o, s) if need else None)
            o += s
        return tuple(out)


def _legacy_empty(t):
    return t._data.shape == (0,)


def cat(tensors, dim=0, *, out=None):
    """torch.cat; 1-D empty tensors (shape (0,)) are skipped, as torch does."""
    no_out("cat", out)
    ts = _tensor_list(tensors, "cat")
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(ts):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skip = tuple(_legacy_empty(t) for t in ts)
    real = [(i, t) for i, t in enumerate(ts) if not skip[i]]
    ref = real[0][1] if real else ts[0]
    d = canon_dim(dim, ref.ndim)
    for i, t in real:
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{t.ndim}")
        for k in range(ref.ndim):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected "
                                   f"size {ref._data.shape[k]} but got size {t._data.shape[k]} for "
                                   f"tensor number {i} in the list.")
    dtype = _dt.result_type(*ts).np
    return _nary(Cat, len(ts)).apply(*ts, (d, dtype, skip))


concat = concatenate = cat


class Stack(Op):
    """z = stack(xs, dim)      dx_i = g.select(dim, i)"""
    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, *args):
        xs, (dim, dtype) = args[:-1], args[-1]
        ctx.dim = dim
        arrays = [x._data for x in xs]
        if len({a.dtype for a in arrays}) > 1:        # (see Cat)
            arrays = [a.astype(dtype, copy=False) for a in arrays]
        return np.stack(arrays, axis=dim).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return tuple(g.select(ctx.dim, i) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def stack(tensors, dim=0, *, out=None):
    no_out("stack", out)
    ts = _tensor_list(tensors, "stack")
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = ts[0]._data.shape
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    d = canon_dim(dim, len(shape) + 1)
    return _nary(Stack, len(ts)).apply(*ts, (d, _dt.result_type(*ts).np))


def atleast_1d(*tensors):
    if len(tensors) != 1 or isinstance(tensors[0], (list, tuple)):      # torch's *tensors form
        return tuple(atleast_1d(t) for t in (tensors[0] if len(tensors) == 1 else tensors))
    t = tensors[0]
    return t.reshape(1) if t.ndim == 0 else t


def atleast_2d(*tensors):
    if len(tensors) != 1 or isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_2d(t) for t in (tensors[0] if len(tensors) == 1 else tensors))
    t = tensors[0]
    if t.ndim == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.ndim == 1 else t


def hstack(tensors, *, out=None):
    no_out("hstack", out)
    ts = _tensor_list(tensors, "hstack")
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    ts = [atleast_1d(t) for t in ts]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors, *, out=None):
    no_out("vstack", out)
    ts = _tensor_list(tensors, "vstack")
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat([atleast_2d(t) for t in ts], 0)


row_stack = vstack


# ***** repeat / tile / repeat_interleave ******************************************************

class Repeat(Op):
    """z = a.repeat(reps)     da = g.reshape(r0, s0, r1, s1, ...).sum(r axes)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, reps):
        x = a._data
        shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.shape, ctx.reps = shape, reps
        return np.tile(x.reshape(shape), reps)

    @staticmethod
    def backward(ctx, g):
        inter = []
        for r, s in zip(ctx.reps, ctx.shape):
            inter += [r, s]
        gi = g.reshape(tuple(inter))
        return gi.sum(tuple(range(0, 2 * len(ctx.reps), 2))).reshape(ctx._metas[0][0])


def repeat(a, *reps):
    from ._util import shape_arg
    reps = shape_arg(reps)
    if len(reps) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    shape = (1,) * (len(reps) - a.ndim) + a._data.shape
    for r, s in zip(reps, shape):
        if r < 0:
            out = [r * s for r, s in zip(reps, shape)]
            bad = next(v for v in out if v < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {out}")
    return Repeat.apply(a, reps)


def tile(input, *dims_, dims=None):
    from ._util import shape_arg
    dims = dims_ if dims is None else (dims,)
    dims = shape_arg(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, *dims)


def repeat_interleave(input=None, repeats=None, dim=None, *, output_size=None):
    if input is None:                            # torch.repeat_interleave(repeats=t)
        input, repeats = repeats, None
    if repeats is None:                          # torch.repeat_interleave(repeats)
        r = input._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        if output_size is not None and output_size != int(r.sum()):
            raise RuntimeError("allocated size does not match required size")
        return wrap(np.repeat(np.arange(r.size, dtype=np.int64), r.astype(np.int64)))
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        x = input.reshape(-1) if dim is None else input
        d = 0 if dim is None else canon_dim(dim, input.ndim)
        n = x._data.shape[d] if x.ndim else 1
        r = r.reshape(-1)
        if r.size == 1:
            r = np.repeat(r, n)
        if r.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {r.size} and input.size({d}) = {n}")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        idx = wrap(np.repeat(np.arange(n, dtype=np.int64), r.astype(np.int64)))
        if output_size is not None and output_size != idx._data.size:
            raise RuntimeError("allocated size does not match required size")
        return index_select(x, d, idx)
    r = int(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None:
        n = input._data.size if dim is None else \
            (input._data.shape[canon_dim(dim, input.ndim)] if input.ndim else 1)
        if output_size != n * r:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {n * r} but got "
                               f"{output_size}")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        x, d = input, canon_dim(dim, input.ndim)
        if x.ndim == 0:
            x = x.reshape(-1)
    shape = x._data.shape
    y = x.unsqueeze(d + 1)
    y = y.expand(shape[:d + 1] + (r,) + shape[d + 1:]).clone()
    return y.view(shape[:d] + (shape[d] * r,) + shape[d + 1:])


# ***** flip / roll / tril / triu **************************************************************

class Flip(Op):
    """z = a.flip(dims)        da = g.flip(dims)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.array(np.flip(a._data, dims) if dims else a._data, copy=True, order="C")

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims)


def flip(input, *dims_, dims=None):
    dims = dims_ if dims is None else (dims,)
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = input.ndim
    ds = tuple(canon_dim(d, n) for d in dims)
    seen = set()
    for d in ds:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return Flip.apply(input, ds if n else ())


def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Op):
    """z = a.roll(shifts, dims)      da = g.roll(-shifts, dims)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        x = a._data
        if dims is None:
            return np.roll(x, shifts[0]).copy() if x.ndim else x.copy()
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims)


def roll(input, shifts, dims=None):
    shifts = tuple(int(s) for s in shifts) if isinstance(shifts, (tuple, list)) else (int(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts, None)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    return Roll.apply(input, shifts, tuple(canon_dim(d, input.ndim) for d in dims))


class Tril(Op):
    """z = a.tril(k)         da = g.tril(k)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.tril(a._data, k)

    @staticmethod
    def backward(ctx, g):
        return Tril.apply(g, ctx.k)


class Triu(Op):
    """z = a.triu(k)         da = g.triu(k)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.triu(a._data, k)

    @staticmethod
    def backward(ctx, g):
        return Triu.apply(g, ctx.k)


def _int_diagonal(fname, diagonal, pos):
    """torch's argument parser: an int (or a 0-d integer tensor), not a float or a bool."""
    ok = isinstance(diagonal, (int, np.integer)) and not isinstance(diagonal, (bool, np.bool_)) \
        or isinstance(diagonal, Tensor) and diagonal.ndim == 0 and diagonal._data.dtype.kind in "iu"
    if not ok:
        raise TypeError(f"{fname}(): argument 'diagonal' (position {pos}) must be int, not "
                        f"{'Tensor' if isinstance(diagonal, Tensor) else type(diagonal).__name__}")


def tril(input, diagonal=0, *, _method=None):
    _int_diagonal(_method or "tril", diagonal, 1 if _method else 2)
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, int(diagonal))


def triu(input, diagonal=0, *, _method=None):
    _int_diagonal(_method or "triu", diagonal, 1 if _method else 2)
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, int(diagonal))


# ***** cumsum / cumprod ***********************************************************************

def _cum_dtype(a, dtype):
    if dtype is not None:
        return _dt.as_dtype(dtype).np
    return a._data.dtype if a._data.dtype.kind in "fV" else np.dtype(np.int64)


def _cum_acc(dtype):
    """The type torch's CPU cumsum/cumprod accumulate in (its acc_type): float32 for half types,
    float64 for float32 (a float32 running sum drifts: 1e5 elements of randn·100 ended 0.05
    off)."""
    dtype = np.dtype(dtype)
    return np.float64 if dtype == np.float32 else accumulate_dtype(dtype)


class Cumsum(Op):
    """z = a.cumsum(dim)        da = g.flip(dim).cumsum(dim).flip(dim)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        x = a._data
        if x.ndim == 0:
            return x.astype(dtype, copy=True)
        acc = _cum_acc(dtype or x.dtype)
        if acc is not None:                 # (summed in torch's CPU accumulate type)
            return x.cumsum(axis=dim, dtype=acc).astype(dtype or x.dtype)
        return x.cumsum(axis=dim, dtype=dtype)      # (the method: np.cumsum's warnings would
                                                    #  come from NumPy's module, not filtered)

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        d = ctx.dim
        return Flip.apply(Cumsum.apply(Flip.apply(g, (d,)), d, g._data.dtype), (d,))


def cumsum(input, dim, *, dtype=None):
    return Cumsum.apply(input, canon_dim(dim, input.ndim), _cum_dtype(input, dtype))


class Cumprod(Op):
    """z = a.cumprod(dim)
    da_k = sum_{j>=k} g_j * prod_{i<=j, i!=k} a_i
         = flip-cumsum(g * z)_k / a_k                when no a_i is 0
         = excl_k * sum_j M[k, j] g_j               in general, with excl_k = prod_{i<k} a_i and
           M[k, j] = prod_{k<i<=j} a_i (j >= k, else 0): an n x n cumprod, itself differentiable"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        x = a._data
        acc = _cum_acc(dtype or x.dtype)
        if x.ndim == 0:
            z = x.astype(dtype, copy=True)
        elif acc is not None:
            z = x.cumprod(axis=dim, dtype=acc).astype(dtype or x.dtype)
        else:
            z = x.cumprod(axis=dim, dtype=dtype)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        if g.ndim == 0:
            return g
        d = ctx.dim
        if a._data.dtype != g._data.dtype:
            a = a.to(g.dtype)
        if np.all(a._data != 0):
            return Flip.apply(Cumsum.apply(Flip.apply(g * z, (d,)), d, g._data.dtype), (d,)) / a
        return _cumprod_backward_general(a, g, d)


def _cumprod_backward_general(a, g, d):
    gl = _movedim_last(g, d)
    x = _movedim_last(a, d)
    n = x._data.shape[-1]
    i = np.arange(n)
    upto = wrap(i[None, :] <= i[:, None])            # [k, i]: i <= k
    below = wrap(i[None, :] < i[:, None])            # [k, j]: j < k
    X = x.unsqueeze(-2).expand(x._data.shape[:-1] + (n, n))
    M = masked_fill(Cumprod.apply(masked_fill(X, upto, 1.0), X.ndim - 1, X._data.dtype), below, 0.0)
    ones = wrap(np.ones(x._data.shape[:-1] + (1,), x._data.dtype))
    excl = Cumprod.apply(cat([ones, x.narrow(-1, 0, n - 1)], -1), x.ndim - 1, x._data.dtype) \
        if n > 1 else ones
    dx = excl * (M * gl.unsqueeze(-2)).sum(-1)
    return _movedim_back(dx, d)


def _movedim_last(t, d):
    n = t.ndim
    if d == n - 1:
        return t
    return t.permute(tuple(k for k in range(n) if k != d) + (d,))


def _movedim_back(t, d):
    n = t.ndim
    if d == n - 1:
        return t
    perm = tuple(k for k in range(n) if k != d) + (d,)
    return t.permute(tuple(int(p) for p in np.argsort(perm)))


def cumprod(input, dim, *, dtype=None):
    return Cumprod.apply(input, canon_dim(dim, input.ndim), _cum_dtype(input, dtype))


# ***** sort / topk / kthvalue *****************************************************************

return_sort, return_topk, return_kthvalue = _rt.sort, _rt.topk, _rt.kthvalue


def _argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort; NaN counts as the largest value (torch's order).  bfloat16 sorts as its
    exact float32 values (ml_dtypes' comparisons do not put NaN last)."""
    if x.dtype.kind == "V":
        x = x.astype(np.float32)
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    rev = np.flip(x, axis)
    idx = np.argsort(rev, axis=axis, kind="stable")
    return (n - 1) - np.flip(idx, axis)


class _SelectValues(Op):
    """(values, indices) picked along dim         da = zeros.scatter(dim, indices, g)"""

    @staticmethod
    def backward(ctx, g, g_idx=None):
        idx = ctx.indices
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim) if ctx.in_ndim else g
        z = wrap(np.zeros(ctx._metas[0][0], g._data.dtype))
        if ctx.in_ndim == 0:
            return g.reshape(())
        return Scatter.apply(z, g, ctx.dim, idx)


class Sort(_SelectValues):
    """values, indices = a.sort(dim, descending)       da = zeros.scatter(dim, indices, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, descending):
        x = a._data
        ctx.dim, ctx.keepdim, ctx.in_ndim = dim, True, x.ndim
        if x.ndim == 0:
            ctx.indices = wrap(np.zeros((), np.int64))
            return x.copy(), np.zeros((), np.int64)
        idx = _argsort(x, dim, descending)
        ctx.indices = wrap(idx)
        return np.take_along_axis(x, idx, dim), idx.astype(np.int64)


def sort(input, dim=-1, descending=False, *, stable=None):
    """torch.sort; sorting is always stable here.  Passing `stable` selects torch's other
    overload (node SortBackward1), as in torch."""
    d = canon_dim(dim, input.ndim)
    _fresh([input])
    v, i = (Sort if stable is None else SortStable).apply(input, d, bool(descending))
    return return_sort(v, i)


class SortStable(Sort):
    node_name = "SortBackward1"


def argsort(input, dim=-1, descending=False, *, stable=False):
    d = canon_dim(dim, input.ndim)
    x = input._data
    if x.ndim == 0:
        return wrap(np.zeros((), np.int64))
    return wrap(_argsort(x, d, descending).astype(np.int64))


def msort(input):
    return sort(input, 0)[0]


class Topk(_SelectValues):
    """values, indices = a.topk(k, dim, largest)      da = zeros.scatter(dim, indices, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, k, dim, largest):
        x = a._data
        ctx.dim, ctx.keepdim, ctx.in_ndim = dim, True, x.ndim
        if x.ndim == 0:
            ctx.indices = wrap(np.zeros((), np.int64))
            return x.copy(), np.zeros((), np.int64)
        idx = np.take(_argsort(x, dim, largest), np.arange(k), axis=dim)
        ctx.indices = wrap(idx)
        return np.take_along_axis(x, idx, dim), idx.astype(np.int64)


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    d = canon_dim(dim, input.ndim)
    n = input._data.shape[d] if input.ndim else 1
    k = int(k)
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    _fresh([input])
    v, i = Topk.apply(input, k, d, bool(largest))
    return return_topk(v, i)


class Kthvalue(_SelectValues):
    """values, indices = a.kthvalue(k, dim)          da = zeros.scatter(dim, indices, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, k, dim, keepdim):
        x = a._data
        ctx.dim, ctx.keepdim, ctx.in_ndim = dim, keepdim, x.ndim
        if x.ndim == 0:
            ctx.indices = wrap(np.zeros((), np.int64))
            return x.copy(), np.zeros((), np.int64)
        idx = np.take(_argsort(x, dim, False), [k - 1], axis=dim)
        v = np.take_along_axis(x, idx, dim)
        _torch_ties(x, v, idx, k, dim)
        ctx.indices = wrap(idx)
        if not keepdim:
            v, idx = np.squeeze(v, dim), np.squeeze(idx, dim)
        return v, idx.astype(np.int64)


def _torch_ties(x, v, idx, k, dim) -> None:
    """Where the k-th value is tied within its row (or the row has NaN), torch reports the index
    its quickselect lands on, not the stable sort's: redo those rows with select.kthvalue_rows
    (a step-by-step copy of it; Python, so only for these rows).  idx is updated in place."""
    xr, vr, ir = (np.moveaxis(a, dim, -1) for a in (x, v, idx))
    tied = ((xr == vr).sum(-1) > 1) | (np.isnan(xr).any(-1) if xr.dtype.kind == "f" else False)
    if tied.any():
        from .select import kthvalue_rows
        rows = xr[tied].reshape(-1, xr.shape[-1])
        ir[tied] = kthvalue_rows(rows, k)[1].reshape(-1, 1)


def kthvalue(input, k, dim=-1, keepdim=False):
    d = canon_dim(dim, input.ndim)
    n = input._data.shape[d] if input.ndim else 1
    k = int(k)
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    _fresh([input])
    v, i = Kthvalue.apply(input, k, d, bool(keepdim))
    return return_kthvalue(v, i)


# ***** einsum *********************************************************************************

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Einsum(Op):
    """z = einsum(eq, x_1, ..., x_n)
    dx_k = einsum(out, (the other operands' subscripts) -> subs_k)(g, others)
    where a letter only x_k has is supplied by a ones vector, and a letter x_k repeats
    (a diagonal, 'ii') is renamed and tied to its first use by an identity matrix."""

    @staticmethod
    def forward(ctx, *args):
        xs, (subs, out, sizes) = args[:-1], args[-1]
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        ctx.save_for_backward(*xs)
        arrays = []
        for x, s in zip(xs, subs):
            arr = x._data
            target = tuple(sizes[c] for c in s)
            if arr.shape != target:
                arr = np.broadcast_to(arr, target)
            arrays.append(arr)
        eq = ",".join(subs) + "->" + out
        dt = arrays[0].dtype if arrays else None
        if dt is not None and dt.kind == "V":   # (bfloat16: einsum has no loop for it; in
            arrays = [a.astype(np.float32) for a in arrays]    # float32, rounded once)
        r = np.asarray(np.einsum(eq, *arrays, optimize=len(arrays) > 2))
        if dt is not None and dt.kind == "V":
            r = r.astype(dt)
        if any(np.may_share_memory(r, a) for a in arrays):
            r = r.copy()
        return r

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        subs, out, sizes = ctx.subs, ctx.out, ctx.sizes
        used = set("".join(subs) + out)
        spare = iter(c for c in _LETTERS if c not in used)
        grads = []
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            terms, ops = [out], [g]
            for j, (x, s) in enumerate(zip(xs, subs)):
                if j != k:
                    terms.append(s)
                    ops.append(x)
            target, seen, sz = [], set(), dict(sizes)
            for c in subs[k]:
                if c in seen:                       # a repeated letter: a diagonal of x_k
                    f = next(spare)
                    sz[f] = sizes[c]
                    terms.append(c + f)
                    ops.append(wrap(np.eye(sizes[c], dtype=g._data.dtype)))
                    target.append(f)
                else:
                    seen.add(c)
                    target.append(c)
            have = set("".join(terms))
            for c in seen - have:                   # summed over in x_k only
                terms.append(c)
                ops.append(wrap(np.ones(sizes[c], g._data.dtype)))
            spec = (tuple(terms), "".join(target), sz)
            grads.append(_nary(Einsum, len(ops)).apply(*ops, spec))
        return tuple(grads)


def _parse_einsum(equation, shapes):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    for t in terms + ([rhs] if rhs is not None else []):
        for c in t.replace("...", ""):
            if c not in _LETTERS:
                raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in "
                                   f"the equation string, subscripts must be in [a-zA-Z]")
    used = set(lhs + (rhs or ""))
    n_ell = 0
    for t, shp in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(shp) - len(t.replace("...", "")))
    spare = [c for c in _LETTERS if c not in used]
    ell = "".join(spare[:n_ell])
    subs = []
    for k, (t, shp) in enumerate(zip(terms, shapes)):
        plain = t.replace("...", "")
        if "..." in t:
            e = len(shp) - len(plain)
            if e < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(plain)}) is more than the number of dimensions "
                                   f"({len(shp)}) for operand {k}")
            t = t.replace("...", ell[n_ell - e:] if e else "")
        elif len(plain) != len(shp):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(plain)}) "
                               f"does not match the number of dimensions ({len(shp)}) for operand "
                               f"{k} and no ellipsis was given")
        subs.append(t)
    if rhs is None:
        counts = {}
        for c in "".join(s.replace("...", "") for s in terms):
            counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, m in counts.items() if m == 1))
    else:
        seen = set()
        for c in rhs.replace("...", ""):
            if c in seen:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the "
                                   "output")
            seen.add(c)
            if c not in lhs:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
        out = rhs.replace("...", ell)
    sizes = {}
    for k, (s, shp) in enumerate(zip(subs, shapes)):
        for c, n in zip(s, shp):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != prev and n != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                   f"does not broadcast with previously seen size {prev}")
    return tuple(subs), out, sizes


def _sublist_equation(args):
    """einsum(op1, [0, 1], op2, [1, 2], [0, 2]) -> ('ab,bc->ac', [op1, op2])."""
    ops, terms = [], []
    args = list(args)
    out = None
    if len(args) % 2:
        out = args.pop()

    def name(lst):
        return "".join("..." if v is Ellipsis else _LETTERS[int(v)] for v in lst)
    for i in range(0, len(args), 2):
        ops.append(args[i])
        terms.append(name(args[i + 1]))
    eq = ",".join(terms) + ("" if out is None else "->" + name(out))
    return eq, ops


@_autocast.lower_precision
def einsum(*args):
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or "
                        "at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    else:
        equation, ops = _sublist_equation(args)
    ops = _tensor_list(ops, "einsum")
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    dts = {t._data.dtype for t in ops}
    if len(dts) > 1:
        want = ops[0]
        other = next(t for t in ops if t._data.dtype != want._data.dtype)
        from .gather import _tname
        raise RuntimeError(f"expected scalar type {_tname(want._data)} but found "
                           f"{_tname(other._data)}")
    spec = _parse_einsum(equation, [t._data.shape for t in ops])
    return _nary(Einsum, len(ops)).apply(*ops, spec)


__all__ = ["argwhere", "gather", "index_add", "index_copy", "index_fill", "index_select",
           "masked_fill", "masked_scatter", "masked_select", "nonzero", "scatter", "scatter_add", "scatter_reduce",
           "take_along_dim",                                   # re-exported from gather.py
           "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "tile",
           "repeat_interleave", "flip", "fliplr", "flipud", "roll", "tril", "triu", "cumsum",
           "cumprod", "sort", "argsort", "msort", "topk", "kthvalue", "constant_pad_nd", "einsum",
           "atleast_1d", "atleast_2d"]
