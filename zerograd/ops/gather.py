"""Gather / scatter family: gather, scatter, scatter_add, index_select, index_add, index_copy,
index_fill, take_along_dim, masked_fill, masked_select, masked_scatter, nonzero, one_hot, and the
in-place forms (masked_fill_, index_add_, index_fill_, index_copy_, scatter_, scatter_add_) plus
the random fills uniform_ / normal_.

Each VJP is written with the *other* ops of this family, exactly as PyTorch's derivatives.yaml
does, so the backward pass is itself differentiable (create_graph, gradgradcheck):

    gather         da = zeros.scatter_add(dim, index, g)       (repeated indices add up)
    scatter_add    da = g,  dsrc = g.gather(dim, index)
    index_select   da = zeros.index_add(dim, index, g)
    masked_select  da = zeros.masked_scatter(mask, g)
    ...

Index positions are checked before any work, with torch's messages (and exception types:
RuntimeError for gather/scatter/index_add/index_select, IndexError for index_fill/index_copy).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import NotDifferentiable, Op
from .. import grad_mode as _gm
from ..tensor import Tensor
from ._util import canon_dim, wrap

_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
         "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
         "bool": "Bool"}


_CNAME = {"float32": "float", "float64": "double", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
          "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _tname(x) -> str:
    return _TYPE.get(x.dtype.name, x.dtype.name)


def _check_broadcast(mask: np.ndarray, x: np.ndarray) -> None:
    """torch's message when mask (tensor a) and self (tensor b) do not broadcast."""
    ms, xs = mask.shape, x.shape
    n = max(len(ms), len(xs))
    for i in range(1, min(len(ms), len(xs)) + 1):
        p, q = ms[-i], xs[-i]
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) "
                               f"at non-singleton dimension {n - i}")


def _zeros_like(a: Tensor) -> Tensor:
    return wrap(np.zeros(a._data.shape, a._data.dtype))


def _ndim1(shape) -> int:
    return max(len(shape), 1)


# ***** index arrays ****************************************************************************

def _gather_key(index: np.ndarray, dim: int):
    """The NumPy key that picks, for every position p of `index`, the element at p of the source
    with p[dim] replaced by index[p]  (out[i][j] = src[index[i][j]][j] for dim 0)."""
    if index.ndim == 0:
        return (index,)
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _check_bounds(index: np.ndarray, dim: int, size: int, exc=RuntimeError, prefix="") -> None:
    if index.size:
        lo, hi = index.min(), index.max()
        if lo < 0 or hi >= size:
            bad = int(lo if lo < 0 else hi)
            raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _check_index_tensor(index, what, msg=None) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    x = index._data
    if x.dtype not in (np.int64, np.int32):
        raise RuntimeError(msg or f"{what}(): Expected dtype int32/int64 for index")
    return x


def _check_gather_shapes(a_shape, index, dim, what, src_shape=None) -> None:
    """torch's scatter/gather shape rule: index.size(d) <= self.size(d) for d != dim (and
    <= src.size(d) for every d)."""
    ishape = index.shape
    if len(ishape) != len(a_shape) and not (len(ishape) <= 1 and len(a_shape) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           + ("input tensor" if what == "gather" else "self tensor"))
    if src_shape is not None and len(src_shape) != len(ishape) and \
            not (len(ishape) <= 1 and len(src_shape) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for d, s in enumerate(ishape):
        if d != dim and d < len(a_shape) and s > a_shape[d] or \
                src_shape is not None and d < len(src_shape) and s > src_shape[d]:
            if what == "gather":
                raise RuntimeError(f"Size does not match at dimension {d} expected index "
                                   f"{list(ishape)} to be no larger than self {list(a_shape)} "
                                   f"apart from dimension {dim}")
            other = src_shape if src_shape is not None else a_shape
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self "
                               f"{list(a_shape)} apart from dimension {dim} and to be no larger "
                               f"size than src {list(other)}")


def _as1d(x: np.ndarray) -> np.ndarray:
    return x.reshape(1) if x.ndim == 0 else x


# ***** gather / scatter ************************************************************************

class Gather(Op):
    """z = a.gather(dim, index)            da = zeros.scatter_add(dim, index, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)     # as torch: changing index in place breaks backward
        x = a._data
        if x.ndim == 0:
            return np.array(np.broadcast_to(x, index._data.shape), copy=True)
        return x[_gather_key(index._data, dim)]

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        z = wrap(np.zeros(ctx._metas[0][0], g._data.dtype))
        return ScatterAdd.apply(z, g, ctx.dim, index)


def _scatter_into(z: np.ndarray, dim, index: np.ndarray, src, add: bool) -> np.ndarray:
    """z[index positions] = (or +=) src; src a number or an array at least index's shape."""
    if index.size == 0:
        return z
    if z.ndim == 0:
        v = src if not isinstance(src, np.ndarray) else _as1d(src)[:index.size].reshape(index.shape)
        if add:
            z[()] = z + (np.sum(v) if isinstance(v, np.ndarray) else v * index.size)
        else:
            z[()] = v.reshape(-1)[-1] if isinstance(v, np.ndarray) else v
        return z
    if index.ndim == 0:                     # a 0-d index into a 1-d tensor
        index = index.reshape(1)
        if isinstance(src, np.ndarray):
            src = src.reshape(-1)[:1]
    key = _gather_key(index, dim)
    if isinstance(src, np.ndarray):
        src = _as1d(src)[tuple(slice(0, s) for s in index.shape)]
    if add:
        np.add.at(z, key, src)
    else:
        z[key] = src
    return z


class Scatter(Op):
    """z = a.scatter(dim, index, src)
    da = g.scatter(dim, index, 0),  dsrc = g.gather(dim, index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return _scatter_into(a._data.copy(), dim, index._data, src._data, False)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((ScatterValue.apply(g, ctx.dim, index, 0) if need[0] else None),
                (Gather.apply(g, ctx.dim, index) if need[1] else None))


class ScatterValue(Op):
    """z = a.scatter(dim, index, value)       da = g.scatter(dim, index, 0)"""
    node_name = "ScatterBackward1"
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return _scatter_into(a._data.copy(), dim, index._data, value, False)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        return ScatterValue.apply(g, ctx.dim, index, 0)


class ScatterAdd(Op):
    """z = a.scatter_add(dim, index, src)      da = g,  dsrc = g.gather(dim, index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)
        return _scatter_into(a._data.copy(), dim, index._data, src._data, True)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        if not need[1]:
            return g, None
        index, = ctx.saved_tensors
        return (g if need[0] else None), Gather.apply(g, ctx.dim, index)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_np(x, dim, index, src, reduce, include_self):
    """(result, scattered mask, count) of torch.scatter_reduce on arrays (x.ndim >= 1)."""
    key = _gather_key(index, dim)
    s = src[tuple(slice(0, n) for n in index.shape)]
    z = x.copy()
    hit = np.zeros(x.shape, bool)
    hit[key] = True
    if not include_self:                     # scattered positions start from the identity
        if reduce in ("sum", "mean"):
            ident = 0
        elif reduce == "prod":
            ident = 1
        elif z.dtype.kind == "f":
            ident = -np.inf if reduce == "amax" else np.inf
        else:
            info = np.iinfo(z.dtype)
            ident = info.min if reduce == "amax" else info.max
        z[hit] = ident
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
             "amin": np.minimum}[reduce]
    ufunc.at(z, key, s)
    count = None
    if reduce == "mean":
        count = np.where(hit & (not include_self), 0, 1).astype(np.int64)
        np.add.at(count, key, 1)
        count = np.maximum(count, 1)
        if z.dtype.kind == "f":
            z = (z / count).astype(z.dtype)
        else:
            z = np.floor_divide(z, count).astype(z.dtype)
    return z, hit, count


class ScatterReduce(Op):
    """z = a.scatter_reduce(dim, index, src, reduce, include_self)
    sum: da = g (0 where a is left out),  dsrc = g.gather(dim, index); mean: both over the count;
    prod: da = g·z/a, dsrc = g·z/src gathered (zeros handled apart); amax/amin: g shared evenly by
    the elements equal to the result"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, index, reduce, include_self):
        z, hit, count = _scatter_reduce_np(a._data, dim, index._data, src._data, reduce,
                                           include_self)
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        ctx.save_for_backward(a, src, index, z, hit, count)    # (released with the node)
        return z

    @staticmethod
    def np_backward(ctx, g):
        x, src, index, z, hit, count = ctx._saved_np()
        dim, reduce, keep_self = ctx.dim, ctx.reduce, ctx.include_self
        key = _gather_key(index, dim)
        s = src[tuple(slice(0, n) for n in index.shape)]
        out_self = ~hit | keep_self               # where a's value takes part
        if reduce == "sum":
            ga, gs = g * out_self, g[key]
        elif reduce == "mean":
            gn = g / count
            ga, gs = gn * out_self, gn[key]
        elif reduce == "prod":
            ga, gs = _prod_grads(dim, keep_self, hit, x, s, key, z, g)
        else:
            value = z[key]
            self_is = (x == z) & out_self
            src_is = s == value
            n = self_is.astype(g.dtype)
            np.add.at(n, key, src_is.astype(g.dtype))
            share = g / np.maximum(n, 1)
            ga, gs = share * self_is, share[key] * src_is
        gsrc = np.zeros(src.shape, g.dtype)
        gsrc[tuple(slice(0, n) for n in index.shape)] = gs
        return ga, gsrc

    @staticmethod
    def backward(ctx, g):
        if not _gm._state.enabled:               # first order (hooks, anomaly mode)
            ga, gs = ScatterReduce.np_backward(ctx, g._data)
            return wrap(ga), wrap(gs)
        a, src, index, _, hit, count = ctx.saved_tensors   # create_graph: sum, mean linear in g
        if ctx.reduce not in ("sum", "mean") or tuple(src.shape) != tuple(index.shape):
            raise RuntimeError(f"scatter_reduce(reduce='{ctx.reduce}'): double backward is not "
                               "supported by zerograd (only 'sum' and 'mean', with src shaped "
                               "like index)")
        if ctx.reduce == "mean":
            g = g / wrap(count._data.astype(g._data.dtype))
        keep = wrap((~hit._data | ctx.include_self).astype(g._data.dtype))
        return g * keep, Gather.apply(g, ctx.dim, index)


def _prod_grads(dim, keep_self, hit, x, s, key, z, g):
    """prod's VJP with zeros: a zero factor's gradient is the product of the others."""
    index = key[dim]
    masked_self = np.where(x == 0, 1, x)
    msr, _, _ = _scatter_reduce_np(masked_self, dim, index, s, "prod", keep_self)
    ga = g * msr / masked_self
    if not keep_self:
        ga = np.where(hit, 0, ga)
    src_zero = s == 0
    nz = np.zeros(x.shape, g.dtype)
    np.add.at(nz, key, src_zero.astype(g.dtype))
    single = src_zero & (nz[key] == 1)
    masked_src = np.where(single, 1, s)
    msr2, _, _ = _scatter_reduce_np(x, dim, index, masked_src, "prod", keep_self)
    gs = np.where(single, (g * msr2)[key], (g * z)[key] / np.where(src_zero, 1, s))
    return ga, gs


def _gather_args(a, dim, index, what, src=None):
    d = canon_dim(dim, a.ndim)
    idx = _check_index_tensor(index, what)
    _check_gather_shapes(a._data.shape, idx, d, what, None if src is None else src._data.shape)
    _check_bounds(idx, d, a._data.shape[d] if a.ndim else 1)
    return d


def gather(a, dim, index, *, sparse_grad=False):
    d = _gather_args(a, dim, index, "gather")
    return Gather.apply(a, d, index)


def _scatter_src(a, src, what):
    if not isinstance(src, Tensor):
        return None
    if src._data.dtype != a._data.dtype:
        raise RuntimeError(f"{what}(): Expected self.dtype to be equal to src.dtype")
    return src


class ScatterLegacyReduce(NotDifferentiable):
    """z = a.scatter(dim, index, src or value, reduce='add' | 'multiply')  (no derivative: torch
    records a node whose backward raises)"""
    node_name, aten = "NotImplemented", "scatter"
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, index, reduce):
        x = a._data
        s = src._data if isinstance(src, Tensor) else np.full(index._data.shape, src, x.dtype)
        return _scatter_reduce_np(x, dim, index._data, s, "sum" if reduce == "add" else "prod",
                                  True)[0]


def scatter(a, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        return _scatter_legacy_reduce(a, dim, index, value if src is None else src, reduce)
    if src is None:
        src = value
    if isinstance(src, Tensor):
        _scatter_src(a, src, "scatter")
        d = _gather_args(a, dim, index, "scatter", src)
        return Scatter.apply(a, src, d, index)
    d = _gather_args(a, dim, index, "scatter")
    return ScatterValue.apply(a, d, index, src)


def _scatter_legacy_reduce(a, dim, index, src, reduce):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if a.ndim == 0:
        raise NotImplementedError("scatter(reduce=...) on a 0-d tensor is not supported by zerograd")
    if isinstance(src, Tensor):
        _scatter_src(a, src, "scatter")
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will "
                      "be removed in a future PyTorch release. Use torch.scatter_reduce instead "
                      "for more reduction options.", UserWarning, stacklevel=3)
        d = _gather_args(a, dim, index, "scatter", src)
    else:
        d = _gather_args(a, dim, index, "scatter")
    return NotDifferentiable.record(ScatterLegacyReduce.apply(a, src, d, index, reduce))


def scatter_reduce(a, dim, index, src, reduce, *, include_self=True):
    """torch.scatter_reduce: reduce ('sum', 'prod', 'mean', 'amax', 'amin') src into a copy of
    a at the positions index names along dim; include_self=False leaves a's values out there."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)     # (torch's aliases)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_reduce(): argument 'src' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")
    if a.ndim == 0:
        raise NotImplementedError("scatter_reduce on a 0-d tensor is not supported by zerograd")
    _scatter_src(a, src, "scatter_reduce")
    d = _gather_args(a, dim, index, "scatter_reduce", src)
    return ScatterReduce.apply(a, src, d, index, reduce, bool(include_self))


def scatter_add(a, dim, index, src):
    _scatter_src(a, src, "scatter_add")
    d = _gather_args(a, dim, index, "scatter_add", src)
    return ScatterAdd.apply(a, src, d, index)


def take_along_dim(a, indices, dim=None):
    if not isinstance(indices, Tensor):
        raise TypeError(f"take_along_dim(): argument 'indices' must be Tensor, not "
                        f"{type(indices).__name__}")
    if indices._data.dtype.kind not in "iu":
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_tname(indices._data)}")
    if dim is None:     # torch views (so a layout that cannot be flattened raises, as there)
        return gather(a.view(-1), 0, indices.reshape(-1))
    if a.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {a.ndim} dimensions for input, and "
                           f"{indices.ndim} dimensions for indices")
    d = canon_dim(dim, a.ndim)
    ash, ish = list(a._data.shape), list(indices._data.shape)
    ash[d] = ish[d] = 1
    bshape = list(np.broadcast_shapes(tuple(ash), tuple(ish)))
    sa, si = list(bshape), list(bshape)
    sa[d], si[d] = a._data.shape[d], indices._data.shape[d]
    # negative indices wrap, as in NumPy's take_along_axis (torch does the same here)
    idx = indices._data
    if idx.size and idx.min() < 0:
        indices = wrap(np.where(idx < 0, idx + a._data.shape[d], idx))
    return gather(a.expand(tuple(sa)), d, indices.expand(tuple(si)))


# ***** index_* ********************************************************************************

def _check_index_vector(index, what, dim_size, dim, exc=RuntimeError, neg_ok=False):
    if not isinstance(index, Tensor):
        raise TypeError(f"{what}(): argument 'index' must be Tensor, not {type(index).__name__}")
    x = index._data
    if x.dtype not in (np.int64, np.int32):
        if what == "index_select":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        raise IndexError(f"{what}(): Expected a long tensor for index, but got {_tname(x)}")
    if x.ndim > 1:
        raise IndexError(f"{what}(): Index is supposed to be a vector")
    x = _as1d(x)
    if neg_ok:
        if x.size and (x.min() < -dim_size or x.max() >= dim_size):
            bad = int(x.min() if x.min() < -dim_size else x.max())
            raise exc(f"index {bad} is out of bounds for dimension {dim} with size {dim_size}")
        x = np.where(x < 0, x + dim_size, x)
    return x


def _take(x: np.ndarray, dim: int, idx: np.ndarray) -> np.ndarray:
    if x.ndim == 0:
        return x.reshape(1)[idx].reshape(()) if idx.size == 1 else x.reshape(1)[idx]
    return np.take(x, idx, axis=dim)


def _region(ndim, dim, idx):
    return (slice(None),) * dim + (idx,) if ndim else (idx if np.ndim(idx) == 0 else 0,)


class IndexSelect(Op):
    """z = a.index_select(dim, index)      da = zeros.index_add(dim, index, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, idx, index):
        ctx.dim, ctx.idx = dim, idx
        ctx.save_for_backward(index)     # idx may share its memory: checked before use
        return _take(a._data, dim, idx)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        z = wrap(np.zeros(ctx._metas[0][0], g._data.dtype))
        return IndexAdd.apply(z, g, ctx.dim, ctx.idx, 1, index)


class IndexAdd(Op):
    """z = a.index_add(dim, index, src, alpha)
    da = g,  dsrc = alpha * g.index_select(dim, index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, idx, alpha, index):
        ctx.dim, ctx.idx, ctx.alpha = dim, idx, alpha
        ctx.save_for_backward(index)
        z = a._data.copy()
        s = src._data if alpha == 1 else src._data * np.asarray(alpha, z.dtype)
        if z.ndim == 0:
            z[()] = z + np.sum(s)
        else:
            np.add.at(z, _region(z.ndim, dim, idx), s)
        return z

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ds = None
        if need[1]:
            index, = ctx.saved_tensors
            ds = IndexSelect.apply(g, ctx.dim, ctx.idx, index)
            if ctx.alpha != 1:
                ds = ds * ctx.alpha
            shape = ctx._metas[1][0]
            if ds._data.shape != shape:     # a 0-d source
                ds = ds.reshape(shape)
        return (g if need[0] else None), ds


class IndexCopy(Op):
    """z = a.index_copy(dim, index, src)   da = g.index_fill(dim, index, 0),
                                           dsrc = g.index_select(dim, index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, idx, index):
        ctx.dim, ctx.idx = dim, idx
        ctx.save_for_backward(index)
        z = a._data.copy()
        if z.ndim == 0:
            z[()] = _as1d(src._data)[-1]
        else:
            z[_region(z.ndim, dim, idx)] = src._data
        return z

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        ds = None
        if need[1]:
            ds = IndexSelect.apply(g, ctx.dim, ctx.idx, index)
            shape = ctx._metas[1][0]
            if ds._data.shape != shape:
                ds = ds.reshape(shape)
        return ((IndexFill.apply(g, ctx.dim, ctx.idx, 0, index) if need[0] else None), ds)


class IndexFill(Op):
    """z = a.index_fill(dim, index, value)       da = g.index_fill(dim, index, 0)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, idx, value, index):
        ctx.dim, ctx.idx = dim, idx
        ctx.save_for_backward(index)
        z = a._data.copy()
        if idx.size:
            if z.ndim == 0:
                z[()] = value
            else:
                z[_region(z.ndim, dim, idx)] = value
        return z

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        return IndexFill.apply(g, ctx.dim, ctx.idx, 0, index)


class IndexFillTensor(Op):
    """z = a.index_fill(dim, index, v) (v a 0-d tensor)
    da = g.index_fill(dim, index, 0),  dv = g.index_select(dim, index).sum()"""
    node_name = "IndexFillBackward1"
    arity = 2

    @staticmethod
    def forward(ctx, a, v, dim, idx, index):
        return IndexFill.forward(ctx, a, dim, idx, v._data.astype(a._data.dtype), index)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        uniq = np.unique(ctx.idx)
        return ((IndexFill.apply(g, ctx.dim, ctx.idx, 0, index) if need[0] else None),
                (IndexSelect.apply(g, ctx.dim, uniq, wrap(uniq)).sum() if need[1] else None))


def _dim_size(a, d):
    return a._data.shape[d] if a.ndim else 1


def index_select(a, dim, index):
    d = canon_dim(dim, a.ndim)
    if isinstance(index, Tensor) and index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = _check_index_vector(index, "index_select", _dim_size(a, d), d)
    if a.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    size = _dim_size(a, d)
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = int(idx.min() if idx.min() < 0 else idx.max())
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size} "
                           f"(index {bad} is out of bounds for dimension {d} with size {size})")
    return IndexSelect.apply(a, d, idx, index)


def _index_src_checks(a, d, idx, src, what):
    if not isinstance(src, Tensor):
        raise TypeError(f"{what}(): argument 'source' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")
    ash, ssh = a._data.shape, src._data.shape
    if what == "index_copy_":
        if src._data.dtype != a._data.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                               f"but got (self) {_tname(a._data)} and (source) {_tname(src._data)}")
        if ash and ssh and len(ash) != len(ssh):
            raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                             f"dimensionality must match. Source dimensionality ({len(ssh)}), "
                             f"destination dimensionality ({len(ash)})")
        if ash and ssh and ash[:d] + ash[d + 1:] != ssh[:d] + ssh[d + 1:]:
            fmt = lambda t: " ".join(str(v) for v in t)  # noqa: E731
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {fmt(ash[:d] + ash[d + 1:])} at "
                               f"dimension {d} and source slice shape: "
                               f"{fmt(ssh[:d] + ssh[d + 1:])} at dimension 0.")
        n = ssh[d] if ssh else 1
        if n != idx.size:
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                             f"source.size(dim) ({n})")
        return
    if src._data.dtype != a._data.dtype:
        raise RuntimeError(f"{what}(): self ({_tname(a._data)}) and source ({_tname(src._data)}) "
                           "must have the same scalar type")
    if ssh and d >= len(ssh):
        raise RuntimeError(f"{what}(): Indexing dim {d} is out of bounds of the source tensor "
                           f"with dim {len(ssh)}")
    n = ssh[d] if ssh else 1
    if n != idx.size:
        raise RuntimeError(f"{what}(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({n}), for dim: {d}")
    if len(ash) != len(ssh) or ash[:d] + ash[d + 1:] != ssh[:d] + ssh[d + 1:]:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(ash)} source.shape = "
                           f"{list(ssh)}")


def index_add(a, dim, index, source, *, alpha=1):
    d = canon_dim(dim, a.ndim)
    idx = _check_index_vector(index, "index_add_", _dim_size(a, d), d)
    _index_src_checks(a, d, idx, source, "index_add_")
    _check_bounds(idx, d, _dim_size(a, d))
    return IndexAdd.apply(a, source, d, idx, alpha, index)


def index_copy(a, dim, index, source):
    d = canon_dim(dim, a.ndim)
    idx = _check_index_vector(index, "index_copy_", _dim_size(a, d), d)
    _index_src_checks(a, d, idx, source, "index_copy_")
    _check_bounds(idx, d, _dim_size(a, d), IndexError, "index_copy_(): ")
    return IndexCopy.apply(a, source, d, idx, index)


def index_fill(a, dim, index, value):
    d = canon_dim(dim, a.ndim)
    idx = _check_index_vector(index, "index_fill_", _dim_size(a, d), d, IndexError, neg_ok=True)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return IndexFillTensor.apply(a, value, d, idx, index)
    return IndexFill.apply(a, d, idx, value, index)


# ***** masks **********************************************************************************

def _check_mask(mask, what):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{what}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        if what == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        if what == "masked_scatter_":
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                               f"dtype {_CNAME.get(mask._data.dtype.name, mask._data.dtype.name)}")
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype "
                           f"{_CNAME.get(mask._data.dtype.name, mask._data.dtype.name)}")
    return mask._data


class MaskedFill(Op):
    """z = a.masked_fill(mask, value)       da = g.masked_fill(mask, 0)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.save_for_backward(mask)      # as torch: changing the mask in place breaks backward
        x = a._data
        return np.where(mask._data, np.asarray(value).astype(x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        return MaskedFill.apply(g, mask, 0)


class MaskedFillTensor(Op):
    """z = a.masked_fill(mask, v) (v a 0-d tensor)
    da = g.masked_fill(mask, 0),  dv = g.masked_fill(~mask, 0).sum()"""
    node_name = "MaskedFillBackward1"
    arity = 2

    @staticmethod
    def forward(ctx, a, v, mask):
        ctx.save_for_backward(mask)
        return np.where(mask._data, v._data.astype(a._data.dtype), a._data)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((MaskedFill.apply(g, mask, 0) if need[0] else None),
                (MaskedFill.apply(g, wrap(~mask._data), 0).sum() if need[1] else None))


def masked_fill(a, mask, value):
    m = _check_mask(mask, "masked_fill_")
    _check_broadcast(m, a._data)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return MaskedFillTensor.apply(a, value, mask)
    return MaskedFill.apply(a, mask, value)


class MaskedSelect(Op):
    """z = a[mask] (a and mask broadcast; 1-D)      da = zeros.masked_scatter(mask, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, mask):
        ctx.save_for_backward(mask)
        shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
        return np.broadcast_to(a._data, shape)[np.broadcast_to(mask._data, shape)]

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        shape = np.broadcast_shapes(ctx._metas[0][0], mask._data.shape)
        z = wrap(np.zeros(shape, g._data.dtype))
        return MaskedScatter.apply(z, g, mask)


class MaskedScatter(Op):
    """z = a with the masked positions taken, in order, from source
    da = g.masked_fill(mask, 0),  dsource = g[mask] padded with zeros to source's size"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, mask):
        ctx.save_for_backward(mask)
        shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
        m = np.broadcast_to(mask._data, shape)
        n = int(m.sum())
        s = src._data.reshape(-1)
        if s.size < n:
            raise RuntimeError("masked_scatter: expected source to have at least as many elements "
                               "as ones in mask")
        z = np.array(np.broadcast_to(a._data, shape), copy=True)
        z[m] = s[:n]
        return z

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        need = ctx.needs_input_grad
        da = MaskedFill.apply(g, mask, 0) if need[0] else None
        ds = None
        if need[1]:
            shape = ctx._metas[1][0]
            sel = MaskedSelect.apply(g, mask)
            numel = int(np.prod(shape))
            if sel._data.size < numel:
                from .padding import constant_pad_nd
                sel = constant_pad_nd(sel, (0, numel - sel._data.size), 0)
            ds = sel.reshape(shape)
        return da, ds


def masked_select(a, mask):
    m = _check_mask(mask, "masked_select")
    _check_broadcast(m, a._data)
    return MaskedSelect.apply(a, mask)


def masked_scatter(a, mask, source):
    m = _check_mask(mask, "masked_scatter_")
    _check_broadcast(m, a._data)
    if source._data.dtype != a._data.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but got "
                           f"{_tname(a._data)} and {_tname(source._data)}")
    return MaskedScatter.apply(a, source, mask)


# ***** no gradients ***************************************************************************

def nonzero(a, *, as_tuple=False):
    x = a._data
    if as_tuple:
        if x.ndim == 0:
            return (wrap(np.zeros(int(bool(x)), np.int64)),)
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(x))
    if x.ndim == 0:
        return wrap(np.zeros((int(bool(x)), 0), np.int64))
    return wrap(np.ascontiguousarray(np.argwhere(x).astype(np.int64)))


def argwhere(a):
    return nonzero(a)


def one_hot(tensor, num_classes=-1):
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size:
        if x.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if x.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((x[..., None] == np.arange(num_classes)).astype(np.int64))


# ***** in-place forms *************************************************************************

def masked_fill_(t, mask, value):
    from .inplace import apply_inplace
    if isinstance(value, Tensor):
        return apply_inplace(t, lambda a, v: masked_fill(a, mask, v), value)
    return apply_inplace(t, lambda a: masked_fill(a, mask, value))


def masked_scatter_(t, mask, source):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, s: masked_scatter(a, mask, s), source)


def index_add_(t, dim, index, source, *, alpha=1):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, s: index_add(a, dim, index, s, alpha=alpha), source)


def index_copy_(t, dim, index, source):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, s: index_copy(a, dim, index, s), source)


def index_fill_(t, dim, index, value):
    from .inplace import apply_inplace
    if isinstance(value, Tensor):
        return apply_inplace(t, lambda a, v: index_fill(a, dim, index, v), value)
    return apply_inplace(t, lambda a: index_fill(a, dim, index, value))


def scatter_(t, dim, index, src=None, *, value=None, reduce=None):
    from .inplace import apply_inplace
    if src is None:
        src = value
    if isinstance(src, Tensor):
        return apply_inplace(t, lambda a, s: scatter(a, dim, index, s, reduce=reduce), src)
    return apply_inplace(t, lambda a: scatter(a, dim, index, src, reduce=reduce))


def scatter_add_(t, dim, index, src):
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a, s: scatter_add(a, dim, index, s), src)


class _RandomFill(Op):
    """z = fresh random values of a's shape (uniform_, normal_)        da = 0"""
    arity = 1

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, g):
        return g * 0.0


class _Uniform(_RandomFill):
    node_name = "UniformBackward0"


class _Normal(_RandomFill):
    node_name = "NormalBackward0"


def _random_fill(t, op, draw):
    from .inplace import apply_inplace
    if not t.is_floating_point():
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{_tname(t._data)}'")
    return apply_inplace(t, lambda a: op.apply(a, draw().astype(t._data.dtype, copy=False)))


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    from .creation import _rng
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > "
                           f"to={b}")
    return _random_fill(t, _Uniform, lambda: _rng(generator).uniform(a, b, t._data.shape))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    from .creation import _rng
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _random_fill(t, _Normal, lambda: _rng(generator).normal(mean, std, t._data.shape))


__all__ = ["gather", "scatter", "scatter_add", "take_along_dim", "index_select", "index_add",
           "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter",
           "nonzero", "argwhere", "one_hot"]
