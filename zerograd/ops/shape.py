"""Shape ops: view/reshape, transpose/permute/t, expand, squeeze/unsqueeze, flatten, clone.

Each moves elements without changing them, so each VJP moves the gradient back: reshape it to
the input's shape, apply the inverse permutation, or (expand) let the engine sum it.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Op
from ._util import canon_dim, canon_dims, legacy_type_name


def infer_shape(shape, numel):
    """Resolve one -1 in `shape`; RuntimeError (torch's text) if it cannot hold `numel` elements."""
    shape = tuple(shape)
    if -1 not in shape and (not shape or min(shape) >= 0):        # (the usual case)
        if math.prod(shape) != numel:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class View(Op):
    """z = a viewed with a new shape      da = g.reshape(a.shape)"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, shape):
        x = a._data
        ctx.in_shape = x.shape
        shape = infer_shape(shape, x.size)
        v = x.view()
        try:
            v.shape = shape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") \
                from None
        return v

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)

    np_backward = backward      # the same rule works on arrays


class UnsafeView(View):
    """z = a reshaped (the result of a copy, so no aliasing to track)   da = g.reshape(a.shape)"""
    is_view = False

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a._data.shape
        return a._data.reshape(infer_shape(shape, a._data.size))


class ReshapeAlias(View):
    """z = a (not contiguous) reshaped without a copy      da = g.reshape(a.shape)"""


def view(a, shape):
    return View.apply(a, shape)


def reshape(input, shape):
    """As torch: a view when `a` is contiguous (ViewBackward0), else an alias when the strides
    allow one (ReshapeAliasBackward0), else a copy (CloneBackward0 + UnsafeViewBackward0)."""
    x = input._data
    if tuple(shape) == x.shape and not input.requires_grad:
        return input
    if x.flags.c_contiguous:
        return View.apply(input, shape)
    try:
        x.view().shape = infer_shape(shape, x.size)
    except AttributeError:
        return UnsafeView.apply(Clone.apply(input), shape)
    return ReshapeAlias.apply(input, shape)


def flatten(input, start_dim=0, end_dim=-1):
    n = input.ndim
    if n == 0:
        canon_dim(start_dim, 1), canon_dim(end_dim, 1)      # (torch's IndexError past [-1, 0])
        return reshape(input, (1,))
    s, e = canon_dim(start_dim, n), canon_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (-1,) + shp[e + 1:])


class Clone(Op):
    """z = a copy of a      da = g
    order "K": laid out as a when a is dense - a permutation of a contiguous tensor (torch's
    preserve_format: a transposed tensor's clone stays transposed) - else contiguous (torch
    orders other inputs' dims by their strides too); "C": contiguous (contiguous(),
    contiguous_format)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, order="K"):
        x = a._data
        if order == "K" and not x.flags.c_contiguous and _dense(x):
            return np.array(x, copy=True, order="K")
        return np.array(x, copy=True, order="C")

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


def _dense(x: np.ndarray) -> bool:
    """torch's is_non_overlapping_and_dense: the elements fill a block of memory exactly, in
    some order of the dims (positive strides)."""
    if x.flags.f_contiguous:
        return True
    expected = x.itemsize
    for st, n in sorted((st, n) for st, n in zip(x.strides, x.shape) if n != 1):
        if st != expected:
            return False
        expected *= n
    return True


class T(Op):
    """z = aᵀ (a of at most 2 dims)      da = gᵀ"""
    is_view = True
    node_name = "TBackward0"

    @staticmethod
    def forward(ctx, a):
        if a._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{a._data.ndim}D. Use .transpose(dim0, dim1) or .mT instead.")
        return a._data.T

    @staticmethod
    def backward(ctx, g):
        return g.t()

    @staticmethod
    def np_backward(ctx, g):
        return g.T


class Transpose(Op):
    """z = a with dims d0, d1 swapped    da = g with d0, d1 swapped back"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        x = a._data
        return x.swapaxes(d0, d1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.d0, ctx.d1)

    @staticmethod
    def np_backward(ctx, g):
        return g.swapaxes(ctx.d0, ctx.d1) if g.ndim else g


class Permute(Op):
    """z = a.permute(p)                  da = g.permute(argsort(p))"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, perm):
        ctx.inv = tuple(int(i) for i in np.argsort(perm))
        return np.transpose(a._data, perm)

    @staticmethod
    def backward(ctx, g):
        return g.permute(ctx.inv)

    @staticmethod
    def np_backward(ctx, g):
        return np.transpose(g, ctx.inv)


def t(input):
    return T.apply(input)


def transpose(input, dim0, dim1):
    n = input.ndim
    return Transpose.apply(input, canon_dim(dim0, n), canon_dim(dim1, n))


def permute(input, dims):
    n = input.ndim
    perm = tuple(canon_dim(d, n) for d in dims)
    if len(perm) != n:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match "  # (sic: torch 2.13 names sparse_coo here too)
                           f"the length of the desired ordering of dimensions i.e. input.dim() = "
                           f"{n} is not equal to len(dims) = {len(perm)}")
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, perm)


def movedim(input, source, destination):
    """torch.movedim / moveaxis: the dims in `source` moved to `destination`, the others kept in
    order (PermuteBackward0; a 0-d tensor's is an alias, as torch records them)."""
    n = input.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    if n == 0:                             # (dims 0 and -1 name the 0-d tensor itself)
        for d in src + dst:
            if d not in (0, -1):
                raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], "
                                 f"but got {d})")
        from .indexing import Alias
        return Alias.apply(input)
    src, dst = [canon_dim(d, n) for d in src], [canon_dim(d, n) for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    perm = [None] * n
    for s_, d_ in zip(src, dst):
        perm[d_] = s_
    rest = iter(d for d in range(n) if d not in src)
    return Permute.apply(input, tuple(p if p is not None else next(rest) for p in perm))


class Expand(Op):
    """z = a broadcast to `shape` (no copy)      da = g  (the engine sums it back to a's shape)"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, shape):
        x = a._data
        b = np.broadcast_to(x, shape)
        if not x.flags.writeable:
            return b
        if b.shape == x.shape:
            return x[...]
        # writable, as torch's: a view of the expanded tensor may be written through (y[0] = v
        # writes x); writes where elements share memory are refused (inplace.overlapping)
        return np.lib.stride_tricks.as_strided(x, b.shape, b.strides)

    @staticmethod
    def backward(ctx, g):
        return g

    np_backward = backward      # the same rule works on arrays


def expand(a, shape):
    x = a._data
    if len(shape) < x.ndim:
        raise RuntimeError(f"expand(torch.{legacy_type_name(a.dtype)}{{{list(x.shape)}}}, "
                           f"size={list(shape)}): the number "
                           f"of sizes provided ({len(shape)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({x.ndim})")
    lead = len(shape) - x.ndim
    out = list(shape)
    for i in range(len(shape) - 1, -1, -1):      # from the last dimension, as torch checks
        s = shape[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            continue
        cur = x.shape[i - lead]
        if s == -1:
            s = out[i] = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(shape)}.  Tensor sizes: "
                f"{list(x.shape)}")
    out = tuple(out)
    if out == x.shape and not a.requires_grad:
        return a
    return Expand.apply(a, out)


class Squeeze(Op):
    """z = a without size-1 dims           da = g.reshape(a.shape)"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, dims):
        x = a._data
        ctx.in_shape = x.shape
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)

    np_backward = backward      # the same rule works on arrays


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


class SqueezeMatmul(Squeeze):   # the squeeze at the end of 1-D @ 2-D in torch's matmul
    node_name = "SqueezeBackward4"


def squeeze(input, dim=None):
    n = input.ndim
    if dim is None:
        return Squeeze.apply(input, tuple(range(n)))
    if isinstance(dim, (tuple, list)):
        return SqueezeDims.apply(input, canon_dims(dim, n))
    return SqueezeDim.apply(input, canon_dims(dim, n))


class Unsqueeze(Op):
    """z = a with a new size-1 dim         da = g.squeeze(dim)"""
    is_view = True
    arity = 1

    @staticmethod
    def forward(ctx, a, dim):
        ctx.in_shape = a._data.shape
        return np.expand_dims(a._data, dim)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)

    np_backward = backward      # the same rule works on arrays


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, canon_dim(dim, input.ndim + 1))
