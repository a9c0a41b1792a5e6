"""More shape and layout functions: ravel, swapaxes/swapdims, tensor_split and h/v/dsplit,
dstack/column_stack, diag/diag_embed/diagflat, rot90, meshgrid, cartesian_prod, block_diag,
take/put, index_put, tensordot, kron.

Most are compositions of the differentiable ops torch itself composes them from (so the nodes
torch records come out: tensor_split is SliceBackward0 views, meshgrid ExpandBackward0 of
ViewBackward0 views, tensordot permute/reshape/mm, kron _unsafe_view * _unsafe_view).  An Op is
written only where torch records one node of its own:

    DiagEmbed     z = zeros with a's last dim on the (offset, dim1, dim2) diagonal
                  da = g.diagonal(offset, dim1, dim2)
    DiagonalCopy  z = a copy of the diagonal of a 2-D a      da = zeros with g on that diagonal
    Rot90         z = a rotated k quarter turns in dims       da = g rotated -k quarter turns
    BlockDiag     z = the inputs on the block diagonal        dx_i = the i-th block of g
    Take          z = a.flatten()[index]                      da = zeros.put(index, g, accumulate)
    Put           z = a with z.flatten()[index] = (or +=) source
                  da = g (accumulate) or g with the indexed places zeroed;  dsource = g.take(index)
    IndexPutAccumulate  z = a with z[indices] += values       da = g,  dvalues = g[indices]
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import warnings

import numpy as np

from .. import dtypes as _dt
from ..autograd.function import Op
from ..tensor import Tensor
from . import views as _views
from ._args import need_int, need_tensor, no_out
from ._util import canon_dim, scalar_type_name, wrap
from .indexing import Diagonal, Index, IndexPut, Slice
from .join import _nary, _tensor_list, cat, stack
from .linalg import Dot, Mm
from .shape import Permute, Squeeze, UnsafeView, View, flatten, reshape, transpose


def _need_tensor(fname, v, argname="input", pos=1):
    need_tensor(fname, argname, pos, v)


# ***** ravel, swapaxes ************************************************************************

def ravel(input):
    """torch.ravel: contiguous().view(-1) - a view of a contiguous tensor, else a copy."""
    _need_tensor("ravel", input)
    return View.apply(input.contiguous(), (-1,))


def swapaxes(input, axis0, axis1):
    _need_tensor("swapaxes", input)
    return transpose(input, axis0, axis1)


def swapdims(input, dim0, dim1):
    _need_tensor("swapdims", input)
    return transpose(input, dim0, dim1)


# ***** tensor_split, hsplit, vsplit, dsplit ***************************************************

def _slices(a, d, bounds):
    """One SliceBackward0 view per (start, stop) pair along dim d (torch's slice clamps)."""
    size = a._data.shape[d]
    out = []
    for s, e in bounds:
        s = min(max(s + size if s < 0 else s, 0), size)
        e = min(max(e + size if e < 0 else e, 0), size)
        out.append(Slice.apply(a, d, s, max(s, e), 1))
    return tuple(out)


def _sections_bounds(size, n):
    q, r = divmod(size, n)
    bounds, o = [], 0
    for i in range(n):
        k = q + (1 if i < r else 0)
        bounds.append((o, o + k))
        o += k
    return bounds


def _indices_bounds(size, idx):
    bounds, prev = [], 0
    for i in idx:
        bounds.append((prev, i))
        prev = i
    bounds.append((prev, size))
    return bounds


_UNSET = object()


def tensor_split(input, indices_or_sections=None, dim=_UNSET, *, sections=None, indices=None,
                 tensor_indices_or_sections=None, _method=False):
    # (torch's parser names the argument by its overload: sections, indices, tensor_indices_...)
    for alias in (sections, indices, tensor_indices_or_sections):
        if alias is not None:
            indices_or_sections = alias
    _need_tensor("tensor_split", input)
    given = ((input,) * (not _method) + (indices_or_sections,) +
             (() if dim is _UNSET else (dim,)))
    dim = 0 if dim is _UNSET else dim
    if isinstance(indices_or_sections, (list, tuple)):       # 0-d integer tensors count as ints
        indices_or_sections = [int(i._data) if isinstance(i, Tensor) and i.ndim == 0 and
                               i._data.dtype.kind in "iu" else i for i in indices_or_sections]
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        t = ios._data
        if t.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype of "
                               f"long, but got {scalar_type_name(ios.dtype)}")
        if t.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {t.ndim} dims")
        ios = int(t) if t.ndim == 0 else [int(i) for i in t]
    d = canon_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(ios, (int, np.integer)) and not isinstance(ios, bool):
        n = int(ios)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        return _slices(input, d, _sections_bounds(size, n))
    if isinstance(ios, (list, tuple)) and all(isinstance(i, (int, np.integer)) and
                                             not isinstance(i, bool) for i in ios):
        return _slices(input, d, _indices_bounds(size, [int(i) for i in ios]))
    from ._args import bad_overload
    bad_overload("tensor_split", given,
                 ["Tensor input, tuple of ints indices, int dim = 0",
                  "Tensor input, Tensor tensor_indices_or_sections, int dim = 0",
                  "Tensor input, int sections, int dim = 0"])


def _hvd_split(name, a, ios, d, min_dims, method):
    _need_tensor(name, a)
    if method and isinstance(ios, Tensor) and ios._data.size == 1 and \
            ios._data.dtype.kind in "iu":        # the method takes one (as an int), as torch's
        ios = int(ios._data.reshape(()))
    is_int = isinstance(ios, (int, np.integer)) and not isinstance(ios, bool)
    if not is_int and not (isinstance(ios, (list, tuple)) and all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ios)):
        from ._args import bad_overload
        bad_overload(name, (a,) * (not method) + (ios,), ["Tensor input, int sections",
                                      "Tensor input, tuple of ints indices"])
    if a.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {a.ndim} dimensions!")
    if isinstance(ios, (int, np.integer)) and not isinstance(ios, bool):
        size = a._data.shape[d]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the "
                               f"size of the dimension {size} is not divisible by the split_size "
                               f"{ios}!")
    return tensor_split(a, ios, d)


def hsplit(input, indices_or_sections=None, *, sections=None, indices=None, _method=False):
    indices_or_sections = _split_arg(indices_or_sections, sections, indices)
    return _hvd_split("hsplit", input, indices_or_sections,
                      1 if getattr(input, "ndim", 0) > 1 else 0, 1, _method)


def vsplit(input, indices_or_sections=None, *, sections=None, indices=None, _method=False):
    indices_or_sections = _split_arg(indices_or_sections, sections, indices)
    return _hvd_split("vsplit", input, indices_or_sections, 0, 2, _method)


def dsplit(input, indices_or_sections=None, *, sections=None, indices=None, _method=False):
    indices_or_sections = _split_arg(indices_or_sections, sections, indices)
    return _hvd_split("dsplit", input, indices_or_sections, 2, 3, _method)


def _split_arg(indices_or_sections, sections, indices):
    """The split argument given positionally or by the names torch's parser takes (`sections`:
    an int, `indices`: a list)."""
    return sections if sections is not None else indices if indices is not None else \
        indices_or_sections


# ***** dstack, column_stack *******************************************************************

def atleast_3d(*tensors):
    if len(tensors) != 1 or isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_3d(t) for t in (tensors[0] if len(tensors) == 1 else tensors))
    t = tensors[0]
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    if t.ndim == 2:
        return t.unsqueeze(-1)
    return t


def dstack(tensors, *, out=None):
    no_out("dstack", out)
    ts = _tensor_list(tensors, "dstack")
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat([atleast_3d(t) for t in ts], 2)


def column_stack(tensors, *, out=None):
    no_out("column_stack", out)
    ts = _tensor_list(tensors, "column_stack")
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = [t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in ts]
    return cat(ts, 1)


# ***** diag, diag_embed, diagflat *************************************************************

def _embed_shape(shape, offset, d1, d2):
    n = shape[-1] + abs(offset)
    out = list(shape[:-1])
    lo, hi = sorted((d1, d2))
    out.insert(lo, n)
    out.insert(hi, n)
    return tuple(out)


def _writable_diagonal(z, offset, d1, d2):
    d = np.diagonal(z, offset, d1, d2)
    d.flags.writeable = True        # NumPy marks diagonals read-only; z is ours
    return d


class DiagEmbed(Op):
    """z = zeros, a's last dim on the (offset, dim1, dim2) diagonal    da = g.diagonal(offset, dim1, dim2)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        x = a._data
        ctx.params = (offset, d1, d2)
        z = np.zeros(_embed_shape(x.shape, offset, d1, d2), x.dtype)
        _writable_diagonal(z, offset, d1, d2)[...] = x
        return z

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.params
        return Diagonal.apply(g, offset, d1, d2)

    @staticmethod
    def np_backward(ctx, g):
        offset, d1, d2 = ctx.params
        return np.diagonal(g, offset, d1, d2).copy()


class DiagonalCopy(_views.RegionView):
    """z = a copy of a's diagonal (offset)     da = zeros with g on that diagonal"""
    node_name = "DiagonalBackward0_copy"
    arity = 1

    @staticmethod
    def forward(ctx, a, offset):
        ctx.shape, ctx.chain = a._data.shape, ((Diagonal, (offset, 0, 1), None),)
        return np.diagonal(a._data, offset, 0, 1).copy()


def diag_embed(input, offset=0, dim1=-2, dim2=-1, *, _method=False):
    _need_tensor("diag_embed", input)
    offset = need_int("diag_embed", "offset", 2 - _method, offset)
    dim1 = need_int("diag_embed", "dim1", 3 - _method, dim1)
    dim2 = need_int("diag_embed", "dim2", 4 - _method, dim2)
    n = input.ndim + 1
    d1, d2 = canon_dim(dim1, n), canon_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, int(offset), d1, d2)


def diag(input, diagonal=0, *, _method=False):
    _need_tensor("diag", input)
    diagonal = need_int("diag", "diagonal", 2 - _method, diagonal)
    if input.ndim == 1:
        return DiagEmbed.apply(input, int(diagonal), 0, 1)
    if input.ndim == 2:
        return DiagonalCopy.apply(input, int(diagonal))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input, offset=0, *, _method=False):
    _need_tensor("diagflat", input)
    offset = need_int("diagflat", "offset", 2 - _method, offset)
    return DiagEmbed.apply(View.apply(input.contiguous(), (-1,)), int(offset), 0, 1)


# ***** rot90 **********************************************************************************

class Rot90(Op):
    """z = a rotated k quarter turns from dims[0] towards dims[1]     da = g rotated -k turns"""
    arity = 1

    @staticmethod
    def forward(ctx, a, k, dims):
        ctx.k, ctx.dims = k, dims
        return np.ascontiguousarray(np.rot90(a._data, k, dims)).copy()

    @staticmethod
    def backward(ctx, g):
        return Rot90.apply(g, -ctx.k, ctx.dims)

    @staticmethod
    def np_backward(ctx, g):
        return np.rot90(g, -ctx.k, ctx.dims)


def rot90(input, k=1, dims=(0, 1), *, _method=False):
    _need_tensor("rot90", input)
    k = need_int("rot90", "k", 2 - _method, k)
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = canon_dim(dims[0], input.ndim), canon_dim(dims[1], input.ndim)
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == input.ndim:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    return Rot90.apply(input, int(k) % 4, (d0, d1))


# ***** meshgrid, cartesian_prod ***************************************************************

_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the "
                     "indexing argument.")


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in ts[1:]:
        if t._data.dtype != ts[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {_flat_text(t)}")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    shape = [t.numel() for t in ts]
    pos = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:      # the first two dims swapped
        shape[0], shape[1] = shape[1], shape[0]
        pos[0], pos[1] = 1, 0
    out = []
    for t, p in zip(ts, pos):
        view_shape = tuple(-1 if j == p else 1 for j in range(len(ts)))
        out.append(View.apply(t, view_shape).expand(*shape))
    return tuple(out)


def _flat_text(t):
    """The offending tensor's values (torch prints the tensor itself)."""
    return np.array2string(t._data, precision=4)


def cartesian_prod(*tensors):
    ts = _tensor_list(tensors, "cartesian_prod")
    for t in ts:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(ts) == 1:
        return ts[0]
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    grids = meshgrid(*ts, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


# ***** block_diag *****************************************************************************

class BlockDiag(Op):
    """z = the inputs (as 2-D blocks) on the block diagonal      dx_i = the i-th block of g"""

    @staticmethod
    def forward(ctx, *args):
        xs, (shapes, dtype) = args[:-1], args[-1]
        ctx.shapes, ctx.in_shapes = shapes, tuple(x._data.shape for x in xs)
        rows = sum(s[0] for s in shapes)
        cols = sum(s[1] for s in shapes)
        z = np.zeros((rows, cols), dtype)
        r = c = 0
        for x, (h, w) in zip(xs, shapes):
            z[r:r + h, c:c + w] = x._data.reshape(h, w)
            r, c = r + h, c + w
        return z

    @staticmethod
    def backward(ctx, g):
        out, r, c = [], 0, 0
        for (h, w), need, shape in zip(ctx.shapes, ctx.needs_input_grad, ctx.in_shapes):
            out.append(g[r:r + h, c:c + w].reshape(shape) if need else None)
            r, c = r + h, c + w
        return tuple(out)

    @staticmethod
    def np_backward(ctx, g):
        out, r, c = [], 0, 0
        for (h, w), need, shape in zip(ctx.shapes, ctx.needs_input_grad, ctx.in_shapes):
            out.append(g[r:r + h, c:c + w].reshape(shape) if need else None)
            r, c = r + h, c + w
        return tuple(out)


def block_diag(*tensors):
    ts = _tensor_list(tensors, "block_diag")
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    if not ts:
        return wrap(np.zeros((1, 0), _dt.get_default_dtype().np))
    shapes = tuple((1, 1) if t.ndim == 0 else (1, t._data.shape[0]) if t.ndim == 1
                   else t._data.shape for t in ts)
    dtype = _dt.result_type(*ts).np
    return _nary(BlockDiag, len(ts)).apply(*ts, (shapes, dtype))


# ***** take, put ******************************************************************************

def _flat_index(fname, a, index):
    """index's values checked against a's numel (negative ones wrap), as an int64 array."""
    _need_tensor(fname, index, "index", 2)
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{fname}(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index.dtype)}")
    n = a._data.size
    idx = index._data.astype(np.int64)
    if idx.size and n == 0:
        raise IndexError(f"{fname}(): tried to {'take from' if fname == 'take' else 'put into'} "
                         "an empty tensor")
    bad = (idx >= n) | (idx < -n)
    if bad.any():
        i = int(idx[bad].reshape(-1)[0])
        raise IndexError(f"out of range: tried to access index {i} on a tensor of {n} elements.")
    return np.where(idx < 0, idx + n, idx)


class Take(Op):
    """z = a.flatten()[index]      da = zeros(a.shape).put(index, g, accumulate=True)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, idx):
        ctx.idx, ctx.shape = idx, a._data.shape
        return a._data.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, g._data.dtype))
        return Put.apply(z, g, ctx.idx, True)

    @staticmethod
    def np_backward(ctx, g):
        z = np.zeros(ctx.shape, g.dtype)
        np.add.at(z.reshape(-1), ctx.idx.reshape(-1), g.reshape(-1))
        return z


class Put(Op):
    """z = a with z.flatten()[index] = source (+= with accumulate)
    da = g (accumulate) or g with the indexed places zeroed,  dsource = g.take(index)"""
    arity = 2

    @staticmethod
    def forward(ctx, a, source, idx, accumulate):
        ctx.idx, ctx.accumulate, ctx.src_shape = idx, accumulate, source._data.shape
        z = a._data.copy()
        flat, i, s = z.reshape(-1), idx.reshape(-1), source._data.reshape(-1)
        if accumulate:
            np.add.at(flat, i, s)
        else:
            flat[i] = s
        return z

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        da = ds = None
        if need[0]:
            if ctx.accumulate:
                da = g
            else:
                keep = np.ones(g._data.shape, g._data.dtype)
                keep.reshape(-1)[ctx.idx.reshape(-1)] = 0
                da = g * wrap(keep)
        if need[1]:
            ds = Take.apply(g, ctx.idx).reshape(ctx.src_shape)
        return da, ds


def take(input, index):
    _need_tensor("take", input)
    return Take.apply(input, _flat_index("take", input, index))


def put(input, index, source, accumulate=False, *, _method=False, _fname="put"):
    _need_tensor(_fname, input)
    _need_tensor(_fname, index, "index", 2 - _method)
    _need_tensor(_fname, source, "source", 3 - _method)
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{scalar_type_name(index.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {scalar_type_name(input.dtype)} and source.dtype = "
                           f"{scalar_type_name(source.dtype)}")
    if source._data.size != index._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._data.size}, index.numel() "
                         f"= {index._data.size}")
    idx = _flat_index("put_", input, index)
    return Put.apply(input, source, idx, bool(accumulate))


def put_(a, index, source, accumulate=False):
    from . import inplace
    put(a, index, source, accumulate, _method=True, _fname="put_")   # the checks first
    return inplace.apply_inplace(a, lambda t, s: put(t, index, s, accumulate), source)


# ***** index_put ******************************************************************************

class IndexPutAccumulate(Op):
    """z = a with z[indices] += values        da = g,  dvalues = g[indices]"""
    node_name = "IndexPutBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, v, key):
        ctx.key = key
        z = a._data.copy()
        vals = v._data
        target = np.shape(z[key])
        try:
            vals = np.broadcast_to(vals, target)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(vals.shape)} cannot "
                               f"be broadcast to indexing result of shape {list(target)}") from None
        np.add.at(z, key, vals)
        return z

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), (Index.apply(g, ctx.key) if need[1] else None)

    @staticmethod
    def np_backward(ctx, g):
        need = ctx.needs_input_grad
        return (g if need[0] else None), (g[ctx.key] if need[1] else None)


def _index_key(a, indices, fname):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    key = []
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if t._data.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        k = t._data
        if k.dtype == np.uint8:                 # a byte mask (torch still takes one, and warns)
            k = k.astype(bool)
        key.append(k)
    used = sum(k.ndim if k.dtype == np.bool_ else 1 for k in key)
    if used > a.ndim:
        raise IndexError(f"too many indices for tensor of dimension {a.ndim} (got {used})")
    return tuple(key)


def _check_key(a, key):
    """Bounds and mask shapes, as torch checks them (after the dtypes)."""
    d = 0
    for k in key:
        if k.dtype == np.bool_:
            for j, n in enumerate(k.shape):
                if n != a._data.shape[d + j]:
                    raise IndexError(f"The shape of the mask {list(k.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor "
                                     f"{list(a._data.shape)} at index {d + j}")
            d += k.ndim
            continue
        size = a._data.shape[d]
        bad = (k >= size) | (k < -size)
        if bad.any():
            raise IndexError(f"index {int(k[bad].reshape(-1)[0])} is out of bounds for "
                             f"dimension {d} with size {size}")
        d += 1


def index_put(input, indices, values, accumulate=False, *, _fname="index_put"):
    _need_tensor(_fname, input)
    key = _index_key(input, indices, _fname)
    _need_tensor(_fname, values, "values", 3)
    fill = (not accumulate and len(key) == 1 and key[0].dtype == np.bool_
            and values._data.size == 1)         # torch's masked_fill path: any dtype
    byte = any(t._data.dtype == np.uint8 for t in indices)
    if fill and byte:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           "unsigned char")
    if byte:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=2)
    if values._data.dtype != input._data.dtype and not fill:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{scalar_type_name(input.dtype)} for the destination and "
                           f"{scalar_type_name(values.dtype)} for the source.")
    _check_key(input, key)
    if accumulate:
        return IndexPutAccumulate.apply(input, values, key)
    return IndexPut.apply(input, values, key)


def index_put_(input, indices, values, accumulate=False):
    from . import inplace
    with warnings.catch_warnings():                 # the checks first (warning once, below)
        warnings.simplefilter("ignore")
        index_put(input, indices, values, accumulate, _fname="index_put_")
    return inplace.apply_inplace(input, lambda t, v: index_put(t, indices, v, accumulate), values)


# ***** tensordot, kron ************************************************************************

@_autocast.lower_precision
def tensordot(a, b, dims=2, out=None):
    _need_tensor("tensordot", a, "a")
    _need_tensor("tensordot", b, "b", 2)
    if isinstance(dims, Tensor):
        dims = int(dims) if dims.ndim == 0 else dims.tolist()
    if isinstance(dims, (int, np.integer)):
        n = int(dims)
        if n < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={n}")
        if n > a.ndim or n > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        da, db = list(range(-n, 0)), list(range(n))
    elif isinstance(dims, (list, tuple)):
        if len(dims) != 2:
            raise ValueError(f"not enough values to unpack (expected 2, got {len(dims)})"
                             if len(dims) < 2 else
                             f"too many values to unpack (expected 2, got {len(dims)})")
        da, db = dims
        for name, pos, v in (("dims_self", 3, da), ("dims_other", 4, db)):
            if not isinstance(v, (list, tuple)):
                raise TypeError(f"tensordot(): argument '{name}' (position {pos}) must be tuple "
                                f"of ints, not {type(v).__name__}")
        da, db = list(da), list(db)
    else:
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or "
                           "list[list[int]] containing two lists, but got "
                           f"dims={dims}")
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for dl, t in ((da, a), (db, b)):
        canon = [canon_dim(d, t.ndim) for d in dl]
        for i, d in enumerate(canon):
            if d in canon[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    sa, sb = a._data.shape, b._data.shape
    sum_a, sum_b = [], []                   # a size-1 dim against size n: the other is summed
    for x, y in zip(da, db):
        p, q = sa[canon_dim(x, a.ndim)], sb[canon_dim(y, b.ndim)]
        if p != q:
            if p != 1 and q != 1:
                raise RuntimeError(f"contracted dimensions need to match, but first has size "
                                   f"{p} in dim {x} and second has size {q} in dim {y}")
            (sum_b if p == 1 else sum_a).append(canon_dim(y if p == 1 else x,
                                                          b.ndim if p == 1 else a.ndim))
    if sum_a:
        a = a.sum(tuple(sum_a), keepdim=True)
    if sum_b:
        b = b.sum(tuple(sum_b), keepdim=True)
    da = [canon_dim(d, a.ndim) for d in da]
    db = [canon_dim(d, b.ndim) for d in db]
    sa, sb = a._data.shape, b._data.shape
    csize = int(np.prod([sa[d] for d in da], dtype=np.int64))
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    size1 = int(np.prod([sa[d] for d in fa], dtype=np.int64))
    size2 = int(np.prod([sb[d] for d in fb], dtype=np.int64))
    rshape = tuple(sa[d] for d in fa) + tuple(sb[d] for d in fb)
    pa = Permute.apply(a, tuple(fa + da))
    pb = Permute.apply(b, tuple(db + fb))
    if not fa and not fb:                 # a full contraction: dot, or (as torch) a sum of
        if pa._data.flags.c_contiguous and pb._data.flags.c_contiguous:    # products when a
            r = Dot.apply(flatten(pa), flatten(pb))                       # flatten would copy
        else:
            r = (Squeeze.apply(pa, tuple(range(pa.ndim))) *
                 Squeeze.apply(pb, tuple(range(pb.ndim)))).sum()
    else:
        r = Mm.apply(reshape(pa, (size1, csize)), reshape(pb, (csize, size2)))
    return View.apply(r, rshape)


def kron(input, other):
    _need_tensor("kron", input)
    _need_tensor("kron", other, "other", 2)
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + input._data.shape
    sb = (1,) * (n - other.ndim) + other._data.shape
    va, vb = [], []
    for x, y in zip(sa, sb):
        va += [x, 1]
        vb += [1, y]
    prod = UnsafeView.apply(input, tuple(va)) * UnsafeView.apply(other, tuple(vb))
    return UnsafeView.apply(prod, tuple(x * y for x, y in zip(sa, sb)))


__all__ = ["ravel", "swapaxes", "swapdims", "tensor_split", "hsplit", "vsplit", "dsplit",
           "dstack", "column_stack", "atleast_3d", "diag", "diag_embed", "diagflat", "rot90",
           "meshgrid", "cartesian_prod", "block_diag", "take", "put", "put_", "index_put",
           "index_put_", "tensordot", "kron"]
