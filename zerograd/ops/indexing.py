"""Indexing: `t[key]`, `t[key] = v`, and the view family select / narrow / unbind / split /
chunk / diagonal / unflatten.

`t[key]` is decomposed as PyTorch does it: each int is a `select` (SelectBackward0), each
non-trivial slice a `slice` (SliceBackward0), each None an `unsqueeze` - all *views* sharing t's
memory.  Any tensor, list or bool in the key makes it *advanced* indexing: one `Index` op
(IndexBackward0), a copy, whose VJP adds `g` back at the indexed positions (repeated indices
accumulate).  A key mixing both is applied as torch applies it: the ints, slices and Nones
first (views), then the advanced part on the result - so an int is not an advanced index in
NumPy's adjacency rule (x[1, :, [0, 2]] has torch's shape (3, 2), not NumPy's (2, 3)).

`t[key] = v` writes through the view (basic keys: history rewritten with CopySlices) or with an
`IndexPut` op (advanced keys).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from . import views as _views
from ._util import canon_dim, convert_scalar, legacy_type_name, scalar_type_name
from .shape import Unsqueeze, View, infer_shape


# ***** view ops ******************************************************************************

class Select(_views.RegionView):
    """z = a.select(dim, i)   (a view)           da = zeros with g at index i of dim"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.chain = a._data.shape, ((Select, (dim, index), None),)
        return a._data[(slice(None),) * dim + (index, Ellipsis)]   # ...: a 0-d view, not a scalar


class Slice(_views.RegionView):
    """z = a[start:stop:step] along dim  (a view)  da = zeros with g in that range"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, start, stop, step):
        ctx.shape, ctx.chain = a._data.shape, ((Slice, (dim, start, stop, step), None),)
        return a._data[(slice(None),) * dim + (slice(start, stop, step),)]


class Alias(Op):
    """z = a (the same memory, e.g. t[...])        da = g"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a._data.view()

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


class Diagonal(_views.RegionView):
    """z = the diagonal (offset, dim1, dim2) of a (a view)    da = zeros with g on that diagonal"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.shape, ctx.chain = a._data.shape, ((Diagonal, (offset, dim1, dim2), None),)
        d = np.diagonal(a._data, offset, dim1, dim2)
        if a._data.flags.writeable:      # NumPy marks diagonals read-only; torch's are writable
            d.flags.writeable = True
        return d


class Unbind(Op):
    """z_i = a.select(dim, i) for every i (views)    da = the z_i grads stacked back"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.shape, ctx.dim = a._data.shape, dim
        x = a._data
        return tuple(x[(slice(None),) * dim + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        total = None
        for i, g in enumerate(grads):
            part = _views.ViewScatter.apply(g, ctx.shape, ((Select, (ctx.dim, i), None),))
            total = part if total is None else total + part
        return total

    @staticmethod
    def np_backward(ctx, *grads):
        # (torch's unbind_backward stacks: one copy, and a -0.0 stays -0.0 - not 0 + g)
        return np.stack(grads, axis=ctx.dim)


class Split(Op):
    """z_k = a[o_k : o_k + s_k] along dim (views)   da = the z_k grads placed back"""
    arity = 1
    is_view = True

    @staticmethod
    def forward(ctx, a, sizes, dim):
        x = a._data
        ctx.shape, ctx.dim, ctx.sizes = x.shape, dim, sizes
        out, o = [], 0
        for s in sizes:
            out.append(x[(slice(None),) * dim + (slice(o, o + s),)])
            o += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        total, o = None, 0
        for s, g in zip(ctx.sizes, grads):
            part = _views.ViewScatter.apply(g, ctx.shape, ((Slice, (ctx.dim, o, o + s, 1), None),))
            total = part if total is None else total + part
            o += s
        return total

    @staticmethod
    def np_backward(ctx, *grads):
        # the sizes tile the dim: torch's split_backward concatenates (one copy, -0.0 kept)
        joined = _adjacent(grads, ctx.dim, ctx.shape)
        return np.concatenate(grads, axis=ctx.dim) if joined is None else joined


_ADJACENT_MIN = 1 << 17     # elements: below, the pointer checks cost about what they save


def _adjacent(grads, dim, shape):
    """The concatenation of `grads` along `dim` without a copy, when they already are, in
    order, adjacent slices of one C-contiguous array of `shape` (attention writes dq, dk, dv so:
    ops/nn_ops._grad_outs): that array, as a view.  None otherwise.  (The parts' shapes are the
    split's outputs', checked by the engine.)"""
    g0 = grads[0]
    if type(g0) is not np.ndarray or g0.size * len(grads) < _ADJACENT_MIN:
        return None
    base, strides, dt = g0.base, g0.strides, g0.dtype
    if type(base) is not np.ndarray or not base.flags.c_contiguous:
        return None
    first = at = g0.ctypes.data
    for g in grads:
        if type(g) is not np.ndarray or g.base is not base or g.strides != strides or \
                g.dtype != dt or g.ctypes.data != at:
            return None
        at += g.shape[dim] * strides[dim]
    try:            # (NumPy checks that the view lies inside base's memory)
        whole = np.ndarray(shape, dt, base, first - base.ctypes.data, strides)
    except (ValueError, TypeError):
        return None
    return whole if whole.flags.c_contiguous else None


class SplitWithSizes(Split):
    pass


def select(input, dim, index):
    n = input.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = canon_dim(dim, n)
    size = input._data.shape[d]
    i = int(index)
    if i < -size or i >= size:
        raise IndexError(f"index {i} is out of bounds for dimension {d} with size {size}")
    return Select.apply(input, d, i + size if i < 0 else i)


class NarrowCopy(Op):
    """z = a copy of a[..., start:start + length, ...] along dim      da = g padded with zeros"""
    node_name = "NarrowCopyBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, d, start, length):
        x = a._data
        ctx.shape, ctx.d, ctx.start, ctx.length = x.shape, d, start, length
        return np.array(x[(slice(None),) * d + (slice(start, start + length),)], order="C")

    @staticmethod
    def backward(ctx, g):
        from .padding import constant_pad_nd
        n, d = len(ctx.shape), ctx.d
        pad = [0, 0] * (n - 1 - d) + [ctx.start, ctx.shape[d] - ctx.start - ctx.length]
        return constant_pad_nd(g, pad)

    @staticmethod
    def np_backward(ctx, g):
        z = np.zeros(ctx.shape, g.dtype)
        z[(slice(None),) * ctx.d + (slice(ctx.start, ctx.start + ctx.length),)] = g
        return z


def narrow_copy(input, dim, start, length):
    """torch.narrow_copy: narrow's region as a new tensor (narrow's checks and messages)."""
    d, start = _narrow_args(input, dim, start, length)
    return NarrowCopy.apply(input, d, start, length)


def narrow(input, dim, start, length):
    d, start = _narrow_args(input, dim, start, length)
    return Slice.apply(input, d, start, start + length, 1)


def _narrow_args(input, dim, start, length):
    """(dim, start) made canonical, with torch's errors."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = canon_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(start, Tensor):
        if start._data.ndim or start._data.dtype.kind not in "iu":
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = start.item()
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but "
                         f"got {start})")
    if start < 0:
        start += size
    if start < 0 or start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return d, start


def unbind(input, dim=0):
    return Unbind.apply(input, canon_dim(dim, input.ndim))


def split(a, split_size_or_sections, dim=0):
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = canon_dim(dim, a.ndim)
    size = a._data.shape[d]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s <= 0 and size > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = tuple(min(s, size - o) for o in range(0, size, s)) if size else (0,)
        return Split.apply(a, sizes, d)
    sizes = tuple(int(s) for s in split_size_or_sections)
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={list(sizes)}")
    return SplitWithSizes.apply(a, sizes, d)


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = canon_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not size:                        # an empty dim: `chunks` empty chunks, as torch
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input.ndim
    d1, d2 = canon_dim(dim1, n), canon_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


def unflatten(input, dim, sizes):
    if input.ndim == 0:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but "
                           "tensor has no dimensions")
    d = canon_dim(dim, input.ndim)
    shp = input._data.shape
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes and known == 0:
        raise RuntimeError("unflatten got an unexpected error:\ncannot reshape tensor of 0 elements "
                           f"into shape {list(sizes)} because the unspecified dimension size -1 can "
                           "be any value and is ambiguous")
    if known != shp[d] if -1 not in sizes else shp[d] % known:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {d} ({shp[d]}) in the input tensor")
    inner = infer_shape(sizes, shp[d])
    return View.apply(input, shp[:d] + inner + shp[d + 1:])


# ***** advanced indexing ***********************************************************************

class Index(Op):
    """z = a[key] (advanced: a copy)            da = zeros with g added at key (repeats add up)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a._data.shape, key
        try:
            return a._data[key]
        except IndexError as e:
            raise IndexError(_index_error_text(str(e), a._data.shape)) from None

    @staticmethod
    def backward(ctx, g):
        return IndexAddInto.apply(g, ctx.shape, ctx.key)

    @staticmethod
    def np_backward(ctx, g):
        z = np.zeros(ctx.shape, g.dtype)
        np.add.at(z, ctx.key, g)
        return z


class IndexAddInto(Op):
    """z = zeros(shape) with g added at key        dg = gz[key]"""
    node_name = "IndexBackwardBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        z = np.zeros(shape, g._data.dtype)
        np.add.at(z, key, g._data)
        return z

    @staticmethod
    def backward(ctx, gz):
        return Index.apply(gz, ctx.key)


class IndexPut(Op):
    """z = a with z[key] = v             da = g with key's positions zeroed,  dv = g[key]"""
    arity = 2

    @staticmethod
    def forward(ctx, a, v, key):
        ctx.key = key
        z = a._data.copy()
        try:
            z[key] = v._data if isinstance(v, Tensor) else v
        except IndexError as e:
            raise IndexError(_index_error_text(str(e), a._data.shape)) from None
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape "
                               f"{list(np.shape(v._data if isinstance(v, Tensor) else v))} cannot "
                               f"be broadcast to indexing result of shape "
                               f"{list(np.shape(a._data[key]))}") from None
        keep = np.ones(a._data.shape, bool)
        keep[key] = False
        ctx.keep = keep
        return z

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return ((g * Tensor._make(ctx.keep, False, None, 0) if need[0] else None),
                (Index.apply(g, ctx.key) if need[1] else None))


def _index_error_text(msg, shape):
    # NumPy: "index 7 is out of bounds for axis 0 with size 3" -> torch's wording
    return msg.replace("for axis", "for dimension")


# ***** t[key] and t[key] = v ******************************************************************

def _is_advanced(k):
    if isinstance(k, Tensor):
        return k._data.ndim > 0 or k._data.dtype == np.bool_
    return isinstance(k, (list, np.ndarray, bool, np.bool_))


def _to_numpy_key(k, ndim=None):
    if isinstance(k, Tensor):
        if k._data.dtype.kind not in "iub" or k._data.dtype.itemsize < 4 and \
                k._data.dtype.kind == "i":           # (int8, int16: not index types in torch)
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if k._data.dtype == np.uint8 and k._data.ndim:     # a mask, as torch (deprecated)
            import warnings
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                          "torch.bool instead. ", UserWarning, stacklevel=4)
            return k._data.astype(bool)
        return k._data
    if isinstance(k, list):
        if not k:                       # x[[]]: no rows (NumPy would make a float index)
            return np.zeros(0, np.int64)
        arr = np.asarray([x.item() if isinstance(x, Tensor) else x for x in k])
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    return k


def _as_key_tuple(key) -> tuple:
    """The index as a tuple of per-dimension indices.  A list of fewer than 32 items is read as
    a tuple when an item is a tensor, a sequence, a slice, None or Ellipsis (torch's
    treatSequenceAsTuple, NumPy's old rule, with torch 2.13's deprecation warning):
    x[[[0, 1], [1, 0]]] is x[[0, 1], [1, 0]], not one index of shape (2, 2)."""
    if isinstance(key, tuple):
        return key
    if type(key) is list and len(key) < 32 and any(
            isinstance(k, (Tensor, list, tuple, np.ndarray, slice)) or k is None or k is Ellipsis
            for k in key):
        import warnings
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and "
                      "will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In "
                      "pytorch 2.9 this will be interpreted as tensor index, x[torch.tensor(seq)], "
                      "which will result either in an error or a different result", UserWarning,
                      stacklevel=4)            # (the user's line: t[...] -> getitem -> here)
        return tuple(key)
    return (key,)


def getitem(a: Tensor, key):
    key = _as_key_tuple(key)
    if any(_is_advanced(k) for k in key):
        split = _split_mixed(key)
        if split is not None:                  # the basic part first (views), as torch does
            out, recorded = _apply_basic(a, split[0])
            if recorded:
                return Index.apply(out, _expand_ellipsis(split[1], out.ndim))
        return Index.apply(a, _expand_ellipsis(tuple(_to_numpy_key(k) for k in key), a.ndim))
    out, recorded = _apply_basic(a, key)
    if not recorded:
        if any(isinstance(k, slice) for k in key) and a.ndim:
            return Slice.apply(a, 0, 0, a._data.shape[0], 1)
        return Alias.apply(a)
    return out


def _split_mixed(key):
    """A key mixing advanced indices with ints, slices or None, as torch applies it: the basic
    part first (select / slice / unsqueeze views; each advanced entry keeps its dims), then the
    advanced part on the result (the remaining dims as `:`).  Ints are thereby not advanced
    indices for NumPy's adjacency rule: x[1, :, [0, 2]] has shape (3, 2) for x of shape
    (2, 3, 4), as in torch (NumPy gives (2, 3)).  -> (basic key, advanced key), or None for a
    key with nothing basic to apply first.  A bool scalar is torch's: a new dim (unsqueeze),
    then indexed by [0] (True) or by no index (False)."""
    if not any(k is None or isinstance(k, slice) or _is_int_index(k) or _is_bool_scalar(k)
               for k in key):
        return None
    basic, adv = [], []
    for k in key:
        if _is_bool_scalar(k):                 # torch: a new dim (unsqueeze) indexed by [0]
            basic.append(None)                 # (True) or by nothing (False)
            adv.append(np.zeros(1 if bool(k._data if isinstance(k, Tensor) else k) else 0,
                                np.int64))
        elif _is_advanced(k):
            arr = _to_numpy_key(k)
            basic.extend([slice(None)] * (arr.ndim if arr.dtype == np.bool_ else 1))
            adv.append(arr)
        elif k is None or isinstance(k, slice):
            basic.append(k)
            adv.append(slice(None))
        elif k is Ellipsis:
            basic.append(k)
            adv.append(k)
        else:                                  # an int: a select, its dim gone
            basic.append(k)
    return tuple(basic), tuple(adv)


def _expand_ellipsis(key, ndim):
    """An advanced key's one '...' written out as the `:`s it stands for.  NumPy counts a '...'
    between two advanced indices as a separator even when it stands for no dim (the indexed
    dims then go first); torch expands it first, so x[:, [0, 1], ..., [1, 2]] on a 3-D x keeps
    the two lists adjacent."""
    if sum(1 for k in key if k is Ellipsis) != 1:
        return key
    used = sum(k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else
               0 if k is None or k is Ellipsis or isinstance(k, (bool, np.bool_)) else 1
               for k in key)
    i = next(j for j, k in enumerate(key) if k is Ellipsis)
    return key[:i] + (slice(None),) * max(ndim - used, 0) + key[i + 1:]


def _is_bool_scalar(k):
    return isinstance(k, (bool, np.bool_)) or (isinstance(k, Tensor) and k._data.ndim == 0
                                               and k._data.dtype == np.bool_)


def _is_int_index(k):
    return not isinstance(k, (bool, np.bool_, slice, list, np.ndarray)) and k is not None \
        and k is not Ellipsis and not _is_advanced(k)


def _apply_basic(a, key):
    """t[key] for a key of ints, slices, None and Ellipsis: a chain of views.  -> (the result,
    whether any op was recorded)."""
    n_consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_consumed > a.ndim:
        raise IndexError(f"too many indices for tensor of dimension {a.ndim}")
    out, dim, recorded = a, 0, False
    for k in key:
        if k is Ellipsis:       # (each one skips the unindexed dims, as torch: x[..., ...] is x)
            dim += a.ndim - n_consumed
        elif k is not None and dim >= out.ndim:
            raise IndexError(f"too many indices for tensor of dimension {a.ndim} (only the "
                             "first '...' stands for dimensions; index after it, not after a second)")
        elif k is None:
            if dim > out.ndim:      # (after a second '...')
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-out.ndim - 1}, {out.ndim}], but got {dim})")
            out = Unsqueeze.apply(out, dim)
            dim += 1
            recorded = True
        elif isinstance(k, slice):
            size = out._data.shape[dim]
            start, stop, step = k.start, k.stop, k.step
            start, stop, step = (_idx(start), _idx(stop), _idx(step))
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            s, e, st = slice(start, stop, step).indices(size)
            e = max(e, s)
            if not (s == 0 and e == size and st == 1):
                out = Slice.apply(out, dim, s, e, st)
                recorded = True
            dim += 1
        else:
            i = _idx(k)
            if not isinstance(i, (int, np.integer)):
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                                 "byte Variables are valid indices (got "
                                 f"{type(k).__name__})")
            size = out._data.shape[dim]
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim + a.ndim - out.ndim} with size {size}")
            out = Select.apply(out, dim, int(i) + size if i < 0 else int(i))
            recorded = True
    return out, recorded


def _idx(v):
    if isinstance(v, Tensor):
        if v._data.size != 1 or v._data.dtype.kind not in "iub":
            raise IndexError("only integer tensors of a single element can be converted to an index")
        return int(v._data.reshape(()))
    return v


def setitem(a: Tensor, key, value) -> None:
    from . import inplace
    key = _as_key_tuple(key)
    given_tensor = isinstance(value, Tensor)
    if isinstance(value, str):
        raise TypeError(f"can't assign a str to a torch.{legacy_type_name(a.dtype)}")
    if isinstance(value, Tensor) and value._data.ndim and value._data.shape[0] == 1:
        shape = value._data.shape           # torch strips the value's leading size-1 dims
        lead = next((i for i, n in enumerate(shape) if n != 1), len(shape))   # (then broadcasts)
        value = value.reshape(shape[lead:])
    if not isinstance(value, Tensor):
        dt = a._data.dtype
        if isinstance(value, (bool, int, float, np.generic)) and dt.name not in ("float16",
                                                                                 "bfloat16"):
            value = convert_scalar(value, dt)   # torch's checked conversion (half types: inf)
        with np.errstate(over="ignore"):
            value = Tensor._make(np.asarray(value, dtype=dt), False, None, 0)
    if any(_is_advanced(k) for k in key):
        if given_tensor and value._data.dtype != a._data.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{scalar_type_name(a.dtype)} for the destination and "
                               f"{scalar_type_name(value.dtype)} for the source.")
        split = _split_mixed(key)
        if split is not None:                  # into the basic part's view, as torch writes it
            view, recorded = _apply_basic(a, split[0])
            if recorded:
                nkey = _expand_ellipsis(split[1], view.ndim)
                inplace.apply_inplace(view, lambda t, v: IndexPut.apply(t, v, nkey), value)
                return
        nkey = _expand_ellipsis(tuple(_to_numpy_key(k) for k in key), a.ndim)
        inplace.apply_inplace(a, lambda t, v: IndexPut.apply(t, v, nkey), value)
        return
    view = getitem(a, key)
    inplace.apply_inplace(view, inplace.Copy.apply, value)
