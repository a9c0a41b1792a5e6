"""Gather / scatter family: gather, scatter, scatter_add, scatter_reduce, index_select, index_add,
index_copy, index_fill, take_along_dim, masked_fill, masked_select, masked_scatter, nonzero,
one_hot, and the in-place forms (masked_fill_, masked_scatter_, index_add_, index_fill_,
index_copy_, scatter_, scatter_add_) plus the random fills uniform_ / normal_.

Each VJP is written with the *other* ops of this family, exactly as PyTorch's derivatives.yaml
does, so the backward pass is itself differentiable (create_graph, gradgradcheck):

    gather         da = zeros.scatter_add(dim, index, g)       (repeated indices add up)
    scatter_add    da = g,  dsrc = g.gather(dim, index)
    index_select   da = zeros.index_add(dim, index, g)
    masked_select  da = zeros.masked_scatter(mask, g)
    ...

Arguments are checked before any work, in the order torch checks them, with its exception types
and messages: each op's public function below is that sequence of checks (one helper per kind of
check), then one Op.  Torch's rules differ from op to op, and the differences are deliberate here:

    index dtype    gather/scatter*: int32/int64 unless the index is empty; index_select,
                   index_add: int32/int64; index_copy, index_fill, take_along_dim: int64 only
    empty index    gather/scatter*: no shape checks at all (any number of dims)
    0-d tensors    count as 1-d of size 1 (torch's ensure_nonempty_dim/size)
    index bounds   the *first* bad index in C order is named; index_select/index_add say
                   "index out of range in self" or "INDICES element is out of DATA bounds"
                   depending on the kernel torch takes (see _index_select_bounds, _index_add_bounds)
    fill values    converted as c10 converts a Scalar: out of the dtype's range is an error
"""
from __future__ import annotations

import sys
import warnings

import numpy as np

from ..autograd.function import NotDifferentiable, Op
from .. import grad_mode as _gm
from ..tensor import Tensor
from ._args import C_TYPE_NAMES
from .inplace import ValuesFill
from ._util import canon_dim, convert_scalar, legacy_type_name, scalar_type_name, wrap

_INDEX_DTYPES = (np.int64, np.int32)
_HERE = sys._getframe().f_code.co_filename
_TENSOR_FILE = Tensor.gather.__code__.co_filename


def _tname(x) -> str:
    return scalar_type_name(x.dtype)


def _ndim1(shape) -> int:
    return max(len(shape), 1)


def _as1d(x: np.ndarray) -> np.ndarray:
    """A 0-d array as a 1-d view of size 1 (torch's ensure_nonempty_dim); others unchanged."""
    return x.reshape(1) if x.ndim == 0 else x


# ***** argument checks: one helper per kind of check ********************************************

def _via_method() -> bool:
    """Whether the op being checked was called through its Tensor method: the first frame
    outside this module is in tensor.py.  (Torch counts argument positions, and lists argument
    types, without self there; only error messages ask.)"""
    f = sys._getframe(1)
    while f.f_code.co_filename == _HERE:
        f = f.f_back
    return f.f_code.co_filename == _TENSOR_FILE


def _tensor_arg(x, fn: str, name: str, pos: int) -> None:
    """The argument parser's TypeError for a non-Tensor argument (pos: its position in the
    torch.<fn> form)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos - _via_method()}) must be "
                        f"Tensor, not {type(x).__name__}")


def _overload_args(fn: str, args, index, value) -> None:
    """The argument parser's errors for ops with a Tensor and a number overload (masked_fill,
    index_fill, scatter: fn(*args)): index (or mask) must be a Tensor, value a Tensor or a
    number; an int that fits in no 64-bit integer is an OverflowError."""
    if isinstance(index, Tensor) and isinstance(value, (Tensor, bool, np.bool_, float,
                                                        np.floating)):
        return
    if isinstance(index, Tensor) and isinstance(value, (int, np.integer)):
        if value < -(1 << 63):                  # (tried as int64, then as uint64)
            raise OverflowError("can't convert negative int to unsigned")
        if value >= 1 << 64:
            raise OverflowError("int too big to convert")
        return
    args = args[1:] if _via_method() else args
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
    raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                    "expected one of:")


def _checked_value(v, dtype) -> np.generic:
    """v (a number, or a 0-d tensor's item) as a NumPy scalar of dtype, converted as c10 converts a
    Scalar (_util.convert_scalar: out of range is torch's RuntimeError, NaN and inf too for an
    integer dtype; a negative int wraps into an unsigned dtype; anything converts to bool)."""
    dt = np.dtype(dtype)
    return np.asarray(convert_scalar(v, dt)).astype(dt)[()]


def _broadcast(a, b) -> tuple:
    """torch's infer_size: the broadcast of shapes a and b, or its error (naming the last
    dimension where they differ and neither is 1)."""
    n = max(len(a), len(b))
    for i in range(1, n + 1):
        p = a[-i] if i <= len(a) else 1
        q = b[-i] if i <= len(b) else 1
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) "
                               f"at non-singleton dimension {n - i}")
    return tuple(np.broadcast_shapes(tuple(a), tuple(b)))


def _check_into(shape, other) -> None:
    """An in-place op's operand broadcast into self's shape: torch's two errors."""
    full = _broadcast(shape, other)
    if full != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(full)}")


def _check_expand(shape, target, dtype) -> None:
    """torch's errors when a tensor of `shape` cannot be expanded to `target` (as ATen names it
    from C++: a bool tensor as CPUBoolType, others by their legacy type)."""
    if len(shape) > len(target):
        kind = "CPUBoolType" if dtype == np.bool_ else f"torch.{legacy_type_name(dtype)}"
        raise RuntimeError(f"expand({kind}{{{list(shape)}}}, size={list(target)}): the number of "
                           f"sizes provided ({len(target)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({len(shape)})")
    for i in range(1, len(shape) + 1):
        if shape[-i] != 1 and shape[-i] != target[-i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[-i]}) must match the "
                               f"existing size ({shape[-i]}) at non-singleton dimension "
                               f"{len(target) - i}.  Target sizes: {list(target)}.  Tensor sizes: "
                               f"{list(shape)}")


def _size(shape, d: int) -> int:
    """torch's ensure_nonempty_size: a 0-d tensor has size 1; a dim the tensor lacks is size()'s
    IndexError."""
    if not shape:
        return 1
    if d >= len(shape):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-len(shape)}, "
                         f"{len(shape) - 1}], but got {d})")
    return shape[d]


def _first_bad(index: np.ndarray, lo: int, hi: int):
    """(position in C order, value) of the first index outside [lo, hi), or None: the one torch's
    kernels meet first."""
    flat = index.reshape(-1)
    bad = (flat < lo) | (flat >= hi)
    if not bad.any():
        return None
    pos = int(bad.argmax())
    return pos, int(flat[pos])


def _check_restride(a: Tensor, d: int, n: int) -> None:
    """index_fill and index_copy restride their result to size n, stride 0 along d.  When the
    result holds no elements but that view would, torch's storage check fails with this error
    (strides as torch gives a contiguous tensor; one made from an empty array may print others)."""
    shape = a._data.shape or (1,)
    sizes = list(shape)
    sizes[d] = n
    if a._data.size or not all(sizes):
        return
    strides, step = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        strides[i], step = step, step * max(shape[i], 1)
    strides[d] = 0
    item = a._data.dtype.itemsize
    need = item * (1 + sum((s - 1) * st for s, st in zip(sizes, strides)))
    raise RuntimeError(f"setStorage: sizes {sizes}, strides {strides}, storage offset 0, and "
                       f"itemsize {item} requiring a storage size of {need} are out of bounds for "
                       "storage of size 0")


def _check_bool_mask(mask, what: str) -> None:
    dt = mask._data.dtype
    if dt != np.bool_:
        if what == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        name = scalar_type_name(dt) if what == "masked_scatter_" else \
            C_TYPE_NAMES.get(dt.name, dt.name)
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype {name}")


def _check_value_tensor(value, what: str) -> None:
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"{what} only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value.ndim} dimension(s).")


def _fill_number(value):
    """The number a fill value stands for (a 0-d tensor's item)."""
    return value._data.item() if isinstance(value, Tensor) else value


# ***** gather / scatter: checks ****************************************************************

def _check_sg_index_dtype(index, what: str) -> None:
    """gather/scatter take int32 or int64 indices - or an empty index of any dtype."""
    x = index._data
    if x.size and x.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{what}(): Expected dtype int32/int64 for index")


def _check_gather_shape(a_shape, i_shape, d: int) -> None:
    """index.size(k) <= self.size(k) for k != dim (0-d counting as 1-d)."""
    n = _ndim1(a_shape)
    if n != _ndim1(i_shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(n):
        if k != d and _size(i_shape, k) > _size(a_shape, k):
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(i_shape)} to be no larger than self {list(a_shape)} apart "
                               f"from dimension {d}")


def _check_scatter_shape(a_shape, i_shape, d: int, s_shape=None) -> None:
    """index.size(k) <= self.size(k) for k != dim, and <= src.size(k) for every k (a src with
    fewer dims than index fails on src.size(k) first, as in torch)."""
    n = _ndim1(a_shape)
    if n != _ndim1(i_shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = any(k != d and _size(i_shape, k) > _size(a_shape, k) for k in range(n))
    if not wrong and s_shape is not None:
        wrong = any(_size(i_shape, k) > _size(s_shape, k) for k in range(n))
    msg = (f"Expected index {list(i_shape)} to be no larger than self {list(a_shape)} apart from "
           f"dimension {d}")
    if s_shape is not None:
        if _ndim1(s_shape) != _ndim1(i_shape):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        msg += f" and to be no larger size than src {list(s_shape)}"
    if wrong:
        raise RuntimeError(msg)


def _scatter_meta(a, dim, index, src) -> int:
    """scatter's checks before its kernel (scatter, scatter_add, scatter_reduce and the reduce=
    form share them, messages and all): the wrapped dim."""
    d = canon_dim(dim, a.ndim)
    _check_sg_index_dtype(index, "scatter")
    if isinstance(src, Tensor) and src._data.dtype != a._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if index._data.size:
        _check_scatter_shape(a._data.shape, index._data.shape, d,
                             src._data.shape if isinstance(src, Tensor) else None)
    return d


def _kernel_bounds(a, d: int, index, value=None):
    """The gather/scatter kernels' check, element by element in C order: the first index out of
    range is the error.  A number being scattered (value) is converted at the first element, so
    its overflow error wins unless that first element is already out of range.  Returns the
    converted value (None without one, or for an empty index: the kernel never runs)."""
    idx, size = index._data, _size(a._data.shape, d)
    bad = _first_bad(idx, 0, size)
    if bad is not None and bad[0] == 0:
        raise RuntimeError(f"index {bad[1]} is out of bounds for dimension {d} with size {size}")
    fill = _checked_value(value, a._data.dtype) if value is not None and idx.size else None
    if bad is not None:
        raise RuntimeError(f"index {bad[1]} is out of bounds for dimension {d} with size {size}")
    return fill


# ***** gather / scatter: ops *******************************************************************

def _gather_key(index: np.ndarray, dim: int):
    """The NumPy key that picks, for every position p of `index` (at least 1-d), the element at p
    of the source with p[dim] replaced by index[p]  (out[i][j] = src[index[i][j]][j] for dim 0)."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _leading(src: np.ndarray, shape) -> np.ndarray:
    """The leading block of src (at least 1-d) of the given shape: the part scatter reads."""
    return src[tuple(slice(0, n) for n in shape)]


class Gather(Op):
    """z = a.gather(dim, index)            da = zeros.scatter_add(dim, index, g)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.dim = dim
        ctx.save_for_backward(index)     # as torch: changing index in place breaks backward
        x, idx = _as1d(a._data), index._data
        if idx.size == 0:                # (torch checks no shapes then: any number of dims)
            return np.zeros(idx.shape, x.dtype)
        return x[_gather_key(_as1d(idx), dim)].reshape(idx.shape)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        z = wrap(np.zeros(ctx._metas[0][0], g._data.dtype))
        return ScatterAdd.apply(z, g, ctx.dim, index)


def _scatter_into(z: np.ndarray, dim, index: np.ndarray, src, add: bool) -> np.ndarray:
    """z[index positions] = (or +=) src, in place; src a number or an array at least index's
    shape.  0-d arrays count as 1-d of size 1."""
    if index.size == 0:
        return z
    z1, idx = _as1d(z), _as1d(index)      # (z1 a view of z)
    key = _gather_key(idx, dim)
    if isinstance(src, np.ndarray):
        src = _leading(_as1d(src), idx.shape)
    if add:
        np.add.at(z1, key, src)
    else:
        z1[key] = src
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


def _identity(reduce: str, dtype):
    """The value a reduction starts from where include_self=False leaves self's value out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype == np.bool_:
        return reduce == "amin"
    if dtype.kind in "fV":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce_np(x, dim, index, src, reduce, include_self):
    """(result, scattered mask, count) of torch.scatter_reduce on arrays (0-d ones count as 1-d:
    the three come back in x's shape)."""
    if index.size == 0:                      # (of any number of dims): nothing to reduce
        return x.copy(), np.zeros(x.shape, bool), \
            (np.ones(x.shape, np.int64) if reduce == "mean" else None)
    shape, x, index, src = x.shape, _as1d(x), _as1d(index), _as1d(src)
    key = _gather_key(index, dim)
    s = _leading(src, index.shape)
    z = x.copy()
    hit = np.zeros(x.shape, bool)
    hit[key] = True
    if not include_self:                     # scattered positions start from the identity
        z[hit] = _identity(reduce, z.dtype)
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
             "amin": np.minimum}[reduce]
    ufunc.at(z, key, s)
    count = None
    if reduce == "mean":
        count = np.where(hit & (not include_self), 0, 1).astype(np.int64)
        np.add.at(count, key, 1)
        count = np.maximum(count, 1)
        if z.dtype.kind in "fV":
            z = (z / count).astype(z.dtype)
        else:
            z = np.floor_divide(z, count).astype(z.dtype)
        count = count.reshape(shape)
    return z.reshape(shape), hit.reshape(shape), count


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
        saved = ctx._saved_np()
        need = ctx.needs_input_grad
        a_shape, src_shape = saved[0].shape, saved[1].shape     # (_metas has None for an input
        if saved[2].size == 0:                   # an empty index: z is a       # without grad)
            return (g if need[0] else None), (np.zeros(src_shape, g.dtype) if need[1] else None)
        x, src, index, z, hit = (_as1d(v) for v in saved[:5])
        count = None if saved[5] is None else _as1d(saved[5])
        g = _as1d(g)
        dim, reduce, keep_self = ctx.dim, ctx.reduce, ctx.include_self
        key = _gather_key(index, dim)
        s = _leading(src, index.shape)
        out_self = ~hit | keep_self               # where a's value takes part
        if reduce == "sum":
            ga, gs = g * out_self, g[key]
        elif reduce == "mean":
            gn = g / count
            ga, gs = gn * out_self, gn[key]
        elif reduce == "prod":
            ga, gs = _prod_grads(dim, keep_self, hit, x, s, key, z, g)
        else:
            # g shared by the elements equal to the result; a self value left out by
            # include_self=False is none of them (torch 2.13 counts it, so the sources get only
            # part of g: tests/test_join.py); a NaN result equals nothing: NaN, as torch's
            value = z[key]
            self_is = (x == z) & out_self
            src_is = s == value
            n = self_is.astype(g.dtype)
            np.add.at(n, key, src_is.astype(g.dtype))
            with np.errstate(divide="ignore", invalid="ignore"):
                share = g / n
            ga, gs = share * self_is, share[key] * src_is
            if not keep_self:
                ga[~out_self] = 0               # (+0, not NaN · 0, where self was left out)
        gsrc = None
        if need[1]:
            gsrc = np.zeros(src.shape, g.dtype)
            gsrc[tuple(slice(0, n) for n in index.shape)] = gs
            gsrc = gsrc.reshape(src_shape)
        return (ga.reshape(a_shape) if need[0] else None), gsrc

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


class ScatterLegacyReduce(NotDifferentiable):
    """z = a.scatter(dim, index, src or value, reduce='add' | 'multiply')  (no derivative: torch
    records a node whose backward raises)"""
    node_name, aten = "NotImplemented", "scatter"
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, index, reduce):
        x, idx = a._data, index._data
        if idx.size == 0:
            return x.copy()
        s = src._data if isinstance(src, Tensor) else np.full(idx.shape, src, x.dtype)
        return _scatter_reduce_np(x, dim, idx, s, "sum" if reduce == "add" else "prod", True)[0]


class ScatterLegacyReduceInplace(ScatterLegacyReduce):
    """a.scatter_(dim, index, src or value, reduce=...): the error names the in-place op"""
    aten = "scatter_"


def gather(input, dim, index, *, sparse_grad=False):
    _tensor_arg(index, "gather", "index", 3)
    d = canon_dim(dim, input.ndim)
    _check_sg_index_dtype(index, "gather")
    if index._data.size:
        _check_gather_shape(input._data.shape, index._data.shape, d)
        _kernel_bounds(input, d, index)
    return Gather.apply(input, d, index)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    src = value if src is None else src
    _overload_args("scatter", (input, dim, index, src), index, src)
    return _scatter(input, dim, index, src, reduce, ScatterLegacyReduce)


def _scatter(a, dim, index, src, reduce, legacy):
    """scatter and scatter_ (legacy: the node class of the reduce= form)"""
    d = _scatter_meta(a, dim, index, src)
    if reduce is not None:
        return _scatter_legacy_reduce(a, d, index, src, reduce, legacy)
    if isinstance(src, Tensor):
        _kernel_bounds(a, d, index)
        return Scatter.apply(a, src, d, index)
    return ScatterValue.apply(a, d, index, _kernel_bounds(a, d, index, src))


def _scatter_legacy_reduce(a, d, index, src, reduce, op):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will "
                      "be removed in a future PyTorch release. Use torch.scatter_reduce instead "
                      "for more reduction options.", UserWarning, stacklevel=3)
        _kernel_bounds(a, d, index)
    else:
        src = _kernel_bounds(a, d, index, src)
    return NotDifferentiable.record(op.apply(a, src, d, index, reduce))


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """torch.scatter_reduce: reduce ('sum', 'prod', 'mean', 'amax', 'amin') src into a copy of
    a at the positions index names along dim; include_self=False leaves a's values out there."""
    _tensor_arg(index, "scatter_reduce", "index", 3)
    _tensor_arg(src, "scatter_reduce", "src", 4)
    d = _scatter_meta(input, dim, index, src)
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)     # (torch's aliases)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if reduce == "mean" and input._data.dtype == np.bool_:      # (the kernel torch dispatches to)
        kernel = "scatter_gather_tensor_cpu_reduce_mean" if index._data.size else "div_floor_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    _kernel_bounds(input, d, index)
    return ScatterReduce.apply(input, src, d, index, reduce, bool(include_self))


def scatter_add(input, dim, index, src):
    _tensor_arg(index, "scatter_add", "index", 3)
    _tensor_arg(src, "scatter_add", "src", 4)
    d = _scatter_meta(input, dim, index, src)
    _kernel_bounds(input, d, index)
    return ScatterAdd.apply(input, src, d, index)


def take_along_dim(input, indices, dim=None):
    """a.gather(dim, indices) after broadcasting a and indices against each other (all dims
    but dim); indices wrap around modulo a.size(dim), as torch's do."""
    _tensor_arg(indices, "take_along_dim", "indices", 2)
    if dim is None:     # torch views (so a layout that cannot be flattened raises, as there)
        return gather(input.view(-1), 0, indices.view(-1))
    ind = indices._data
    if input.ndim != ind.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number "
                           f"of dimensions, but got {input.ndim} dimensions for input, and "
                           f"{ind.ndim} dimensions for indices")
    if ind.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_tname(ind)}")
    d = canon_dim(dim, input.ndim)
    if ind.ndim == 0:                    # (torch reads indices.size(0))
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    ash = list(input._data.shape)
    ash[d] = ind.shape[d]
    ishape = _broadcast(ash, ind.shape)
    ish = list(ind.shape)
    ish[d] = input._data.shape[d]
    ashape = _broadcast(ish, input._data.shape)
    n = input._data.shape[d]
    wrapped = np.broadcast_to(ind, ishape)
    if wrapped.size:
        if n == 0:
            raise RuntimeError("ZeroDivisionError")
        if wrapped.min() < 0 or wrapped.max() >= n:
            indices = wrap(np.remainder(wrapped, n))
    return gather(input.expand(ashape), d, indices.expand(ishape))


# ***** index_*: checks *************************************************************************

def _index_select_bounds(a, d: int, idx: np.ndarray) -> None:
    """index_select's bound checks: three kernels, three messages (torch's CPU code takes the
    "INDICES ... DATA bounds" one for dim 1 of a tensor of 2+ dims, and for an empty tensor)."""
    shape = a._data.shape
    size = _size(shape, d)
    bad = _first_bad(idx, 0, size)
    if len(shape) <= 1:
        if bad is not None:
            raise IndexError("index out of range in self")
        return
    if idx.size == 0:
        return
    if a._data.size == 0 and size == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if bad is None:
        return
    if a._data.size == 0 or d == 1:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad[1]} axis_dim={size}")
    raise IndexError("index out of range in self")


def _check_index_add_source(a, d: int, n: int, src) -> None:
    """index_add's checks of source against self and the n indices, in torch's order."""
    ash, ssh = list(a._data.shape), list(src._data.shape)
    if src._data.dtype != a._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_tname(a._data)}) and source "
                           f"({_tname(src._data)}) must have the same scalar type")
    if d != 0 and d >= len(ssh):
        raise RuntimeError(f"index_add_(): Indexing dim {d} is out of bounds of the source tensor "
                           f"with dim {len(ssh)}")
    if n != (ssh[d] if ssh else 1):
        if not ssh:                      # (torch's message reads source.size(0))
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(f"index_add_(): Number of indices ({n}) should be equal to "
                           f"source.size(dim): ({ssh[d]}), for dim: {d}")
    if ash and ssh:
        del ash[d], ssh[d]
    if ash != ssh:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(a._data.shape)} "
                           f"source.shape = {list(src._data.shape)}")


def _index_add_bounds(a, d: int, idx: np.ndarray, alpha) -> None:
    """index_add's bound checks.  Torch adds slices one by one ("index out of range in self"),
    but with alpha 1 and an int64 index along the first or last of 2+ dims it scatter_adds
    (scatter's message); it checks nothing when self or the index is empty (2+ dims)."""
    shape = a._data.shape
    if len(shape) <= 1:
        if _first_bad(idx, 0, a._data.size) is not None:
            raise IndexError("index out of range in self")
        return
    if idx.size == 0 or a._data.size == 0:
        return
    bad = _first_bad(idx, 0, shape[d])
    if bad is None:
        return
    if idx.dtype == np.int64 and d in (0, len(shape) - 1) and alpha == 1 and \
            not isinstance(alpha, bool):
        raise RuntimeError(f"index {bad[1]} is out of bounds for dimension {d} with size "
                           f"{shape[d]}")
    raise IndexError("index out of range in self")


def _check_index_copy_source(a, d: int, index, src) -> None:
    """index_copy's checks of index and source against self, in torch's order."""
    x, n = index._data, index._data.size
    ash, ssh = list(a._data.shape), list(src._data.shape)
    if x.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {x.ndim})")
    if not ssh and n != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element "
                         f"(got {n})")
    if ssh and ash and len(ssh) != len(ash):
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({len(ssh)}), "
                         f"destination dimensionality ({len(ash)})")
    if x.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {_tname(x)}")
    if src._data.dtype != a._data.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {_tname(a._data)} and (source) {_tname(src._data)}")
    a_slice = ash[:d] + ash[d + 1:]
    s_slice = ssh[:d] + ssh[d + 1:]
    if a_slice != s_slice:
        fmt = " ".join
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: {fmt(map(str, a_slice))} at "
                           f"dimension {d} and source slice shape: {fmt(map(str, s_slice))} at "
                           f"dimension 0.")
    if ssh and n != ssh[d]:
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({ssh[d]})")


def _fill_bounds(a, d: int, idx: np.ndarray, what: str, neg_ok: bool) -> None:
    """index_copy / index_fill: the first index out of range (negative ones count from the end
    for index_fill) - checked only when the restrided result has elements."""
    size = _size(a._data.shape, d)
    bad = _first_bad(idx, -size if neg_ok else 0, size) if a._data.size and idx.size else None
    if bad is not None:
        raise IndexError(f"{what}index {bad[1]} is out of bounds for dimension {d} with size "
                         f"{size}")


# ***** index_*: ops ****************************************************************************

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


def _select(g, dim, idx, index):
    """g.index_select(dim, index) in a backward, bounds checked: an index that an empty self
    let through in the forward fails here, as in torch."""
    _index_select_bounds(g, dim, idx)
    return IndexSelect.apply(g, dim, idx, index)


class IndexAdd(Op):
    """z = a.index_add(dim, index, src, alpha)
    da = g,  dsrc = alpha * g.index_select(dim, index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, src, dim, idx, alpha, index):
        ctx.dim, ctx.idx, ctx.alpha = dim, idx, alpha
        ctx.save_for_backward(index)
        z = a._data.copy()
        s = src._data if alpha == 1 else src._data * _checked_value(alpha, z.dtype)
        if z.ndim == 0:
            z[()] = z + np.sum(s)
        elif idx.size and z.size:
            np.add.at(z, _region(z.ndim, dim, idx), s)
        return z

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        ds = None
        if need[1]:
            index, = ctx.saved_tensors
            ds = _select(g, ctx.dim, ctx.idx, index)
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
        if idx.size == 0 or z.size == 0:
            return z
        if z.ndim == 0:
            z[()] = _as1d(src._data)[-1]            # (repeated indices: the last one wins)
        else:
            z[_region(z.ndim, dim, idx)] = src._data
        return z

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        ds = None
        if need[1]:
            ds = _select(g, ctx.dim, ctx.idx, index)
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
        if idx.size and z.size:          # (an empty tensor takes any index: nothing to fill)
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
    def forward(ctx, a, v, dim, idx, fill, index):
        return IndexFill.forward(ctx, a, dim, idx, fill, index)

    @staticmethod
    def backward(ctx, g):
        index, = ctx.saved_tensors
        need = ctx.needs_input_grad
        uniq = np.unique(ctx.idx)
        return ((IndexFill.apply(g, ctx.dim, ctx.idx, 0, index) if need[0] else None),
                (_select(g, ctx.dim, uniq, wrap(uniq)).sum() if need[1] else None))


def index_select(input, dim, index):
    _tensor_arg(index, "index_select", "index", 3)
    d = canon_dim(dim, input.ndim)
    x = index._data
    if x.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if input.ndim == 0 and x.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{x.size} value(s)")
    if x.dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    _index_select_bounds(input, d, x)
    return IndexSelect.apply(input, d, _as1d(x), index)


def index_add(input, dim, index, source, *, alpha=1):
    _tensor_arg(index, "index_add", "index", 3)
    _tensor_arg(source, "index_add", "source", 4)
    d = canon_dim(dim, input.ndim)
    x = index._data
    if x.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {x.ndim} "
                         f"with type: {_tname(x)} and size: {list(x.shape)}")
    if x.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_tname(x)}")
    _check_index_add_source(input, d, x.size, source)
    _index_add_bounds(input, d, x, alpha)
    return IndexAdd.apply(input, source, d, _as1d(x), alpha, index)


def index_copy(input, dim, index, source):
    _tensor_arg(index, "index_copy", "index", 3)
    _tensor_arg(source, "index_copy", "source", 4)
    d = canon_dim(dim, input.ndim)
    _check_index_copy_source(input, d, index, source)
    x = index._data
    _check_restride(input, d, x.size)
    _fill_bounds(input, d, x, "index_copy_(): ", neg_ok=False)
    return IndexCopy.apply(input, source, d, _as1d(x), index)


def index_fill(input, dim, index, value):
    _overload_args("index_fill", (input, dim, index, value), index, value)
    _check_value_tensor(value, "index_fill_")
    x = index._data
    if x.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = canon_dim(dim, input.ndim)
    if x.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    _check_restride(input, d, x.size)
    fill = _checked_value(_fill_number(value), input._data.dtype)
    _fill_bounds(input, d, x, "", neg_ok=True)
    size = _size(input._data.shape, d)
    idx = _as1d(x)
    idx = np.where(idx < 0, idx + size, idx)
    if isinstance(value, Tensor):
        return IndexFillTensor.apply(input, value, d, idx, fill, index)
    return IndexFill.apply(input, d, idx, fill, index)


# ***** masks **********************************************************************************

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
    def forward(ctx, a, v, mask, fill):
        ctx.save_for_backward(mask)
        return np.where(mask._data, fill, a._data)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((MaskedFill.apply(g, mask, 0) if need[0] else None),
                (MaskedFill.apply(g, wrap(~mask._data), 0).sum() if need[1] else None))


def masked_fill(input, mask, value):
    _overload_args("masked_fill", (input, mask, value), mask, value)
    _broadcast(mask._data.shape, input._data.shape)
    _check_value_tensor(value, "masked_fill_")
    _check_bool_mask(mask, "masked_fill_")
    fill = _checked_value(_fill_number(value), input._data.dtype)
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, value, mask, fill)
    return MaskedFill.apply(input, mask, fill)


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
        z = np.array(np.broadcast_to(a._data, shape), copy=True)
        z[m] = src._data.reshape(-1)[:int(m.sum())]
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


def masked_select(input, mask):
    _tensor_arg(mask, "masked_select", "mask", 2)
    _check_bool_mask(mask, "masked_select")
    _broadcast(mask._data.shape, input._data.shape)
    return MaskedSelect.apply(input, mask)


def _check_masked_scatter_source(a, mask, source) -> None:
    """masked_scatter's source dtype (checked before the mask's) and size (after it)."""
    if source._data.dtype != a._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_tname(a._data)} and {_tname(source._data)}")


def _check_masked_scatter_count(a, mask, source) -> None:
    ones = np.broadcast_to(mask._data, np.broadcast_shapes(mask._data.shape, a._data.shape))
    if int(ones.sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")


def masked_scatter(input, mask, source):
    _tensor_arg(mask, "masked_scatter", "mask", 2)
    _tensor_arg(source, "masked_scatter", "source", 3)
    _broadcast(mask._data.shape, input._data.shape)
    _check_masked_scatter_source(input, mask, source)
    _check_bool_mask(mask, "masked_scatter_")
    _check_masked_scatter_count(input, mask, source)
    return MaskedScatter.apply(input, source, mask)


# ***** no gradients ***************************************************************************

def nonzero(input, *, as_tuple=False):
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (wrap(np.zeros(int(bool(x)), np.int64)),)
        return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(x))
    if x.ndim == 0:
        return wrap(np.zeros((int(bool(x)), 0), np.int64))
    return wrap(np.ascontiguousarray(np.argwhere(x).astype(np.int64)))


def argwhere(input):
    return nonzero(input)


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
# Each is its out-of-place op written into self (inplace.apply_inplace: leaf / inference checks
# first, then the op, the write and the version bump).  The index ops share their checks with
# the out-of-place form; the mask ops check in another order in place (the mask against self,
# not the two broadcast together), so they run those checks first.

def masked_fill_(t, mask, value):
    from .inplace import apply_inplace
    _overload_args("masked_fill_", (t, mask, value), mask, value)

    def fill(a, v=value):
        _check_value_tensor(v, "masked_fill_")
        _check_bool_mask(mask, "masked_fill_")
        _check_into(a._data.shape, mask._data.shape)
        return masked_fill(a, mask, v)
    return apply_inplace(t, fill, value) if isinstance(value, Tensor) else apply_inplace(t, fill)


def masked_scatter_(t, mask, source):
    from .inplace import apply_inplace
    _tensor_arg(mask, "masked_scatter_", "mask", 2)
    _tensor_arg(source, "masked_scatter_", "source", 3)

    def scatter_into(a, s):
        _check_masked_scatter_source(a, mask, s)
        _check_expand(mask._data.shape, a._data.shape, mask._data.dtype)
        _check_bool_mask(mask, "masked_scatter_")
        _check_masked_scatter_count(a, mask, s)
        return masked_scatter(a, mask, s)
    return apply_inplace(t, scatter_into, source)


def index_add_(t, dim, index, source, *, alpha=1):
    from .inplace import apply_inplace
    _tensor_arg(index, "index_add_", "index", 3)
    _tensor_arg(source, "index_add_", "source", 4)
    return apply_inplace(t, lambda a, s: index_add(a, dim, index, s, alpha=alpha), source)


def index_copy_(t, dim, index, source):
    from .inplace import apply_inplace
    _tensor_arg(index, "index_copy_", "index", 3)
    _tensor_arg(source, "index_copy_", "source", 4)
    return apply_inplace(t, lambda a, s: index_copy(a, dim, index, s), source)


def index_fill_(t, dim, index, value):
    from .inplace import apply_inplace
    _overload_args("index_fill_", (t, dim, index, value), index, value)
    if isinstance(value, Tensor):
        return apply_inplace(t, lambda a, v: index_fill(a, dim, index, v), value)
    return apply_inplace(t, lambda a: index_fill(a, dim, index, value))


def scatter_(t, dim, index, src=None, *, value=None, reduce=None):
    from .inplace import apply_inplace
    src = value if src is None else src
    _overload_args("scatter_", (t, dim, index, src), index, src)
    op = ScatterLegacyReduceInplace
    if isinstance(src, Tensor):
        return apply_inplace(t, lambda a, s: _scatter(a, dim, index, s, reduce, op), src)
    return apply_inplace(t, lambda a: _scatter(a, dim, index, src, reduce, op))


def scatter_add_(t, dim, index, src):
    from .inplace import apply_inplace
    _tensor_arg(index, "scatter_add_", "index", 3)
    _tensor_arg(src, "scatter_add_", "src", 4)
    return apply_inplace(t, lambda a, s: scatter_add(a, dim, index, s), src)


_RandomFill = ValuesFill      # (uniform_, normal_: fresh random values, zero gradient)


class _Uniform(_RandomFill):
    node_name = "UniformBackward0"


class _Normal(_RandomFill):
    node_name = "NormalBackward0"


def _random_fill(t, op, draw):
    """t <- draw() in place (the draw runs after the in-place checks, so a refused call draws
    nothing); `draw` checks the dtype and arguments as torch's kernel does."""
    from .inplace import apply_inplace
    return apply_inplace(t, lambda a: op.apply(a, draw().astype(t._data.dtype, copy=False)))


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    from .random import uniform_values
    return _random_fill(t, _Uniform, lambda: uniform_values(t, a, b, generator))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    from .random import normal_values
    return _random_fill(t, _Normal, lambda: normal_values(t, mean, std, generator))


__all__ = ["gather", "scatter", "scatter_add", "take_along_dim", "index_select", "index_add",
           "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter",
           "nonzero", "argwhere", "one_hot"]
