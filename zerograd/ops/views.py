"""Views and in-place changes: the one place where aliasing is handled.

A *view* (`x[0]`, `x.t()`, `x.view(...)`, `x.expand(...)`, ...) shares memory with its base, as a
NumPy view does.  It also shares the base's version counter, so modifying either one in place
invalidates every value saved for backward from any of them.  The view remembers how it was made
from its root base: a `chain` of (view op, parameters).  That is all the bookkeeping there is.

In-place on a view rewrites the base's history, as PyTorch does.  For `v = b[0]; v.mul_(2)`:

    r = v * 2                           the new values, recorded as an ordinary op
    memory of v  <- r                   (so b's memory changes too)
    b.grad_fn = CopySlices(b_old, r)    b_new = b_old outside the view, r inside it
    v.grad_fn = AsStridedBackward0(b)   v is again "the view of b", of the new b

CopySlices' VJP: the gradient of b_old is g with the view's region zeroed; the gradient of r is
g's values in the region.  Any other view of b made earlier is re-derived from the new b the next
time it is used (`refresh`), because its version no longer matches.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor


class ViewMeta:
    """What a view knows: its root base, how to re-make it from the base, and the version of
    the shared counter when its grad_fn was last derived."""
    __slots__ = ("base", "chain", "version", "made_in_no_grad")

    def __init__(self, base, chain, version):
        self.base, self.chain, self.version = base, chain, version
        self.made_in_no_grad = False


def mark_view(out: Tensor, src: Tensor, op, params, index=None) -> None:
    """Called by Op.apply for view ops: `out` aliases `src`'s memory.  `index` picks the output
    of a multi-output view op (unbind, split)."""
    meta = src._view
    step = (op, params, index)
    if meta is None:
        base, chain = src, (step,)
    else:
        base, chain = meta.base, meta.chain + (step,)
    out._vc = src._vc
    out._view = meta = ViewMeta(base, chain, src._vc[0] if src._vc is not None else 0)
    if src._requires_grad and out._grad_fn is None:
        # made under no_grad from a tensor that requires grad: torch keeps requires_grad=True
        # (a leaf-like view whose .grad is never written) and forbids in-place on it later
        out._requires_grad = True
        meta.made_in_no_grad = True


def replay_array(arr: np.ndarray, chain) -> np.ndarray:
    """Apply a view chain to an array: the same region of `arr` as the view is of its base."""
    from ..autograd.function import _SCRATCH
    for op, params, index in chain:
        arr = op.forward(_SCRATCH, Tensor._make(arr, False, None, 0), *params)
        if index is not None:
            arr = arr[index]
    return arr


def scatter_np(g, shape, chain):
    """zeros(shape) with the array g added into the region `chain` (a view's VJP)."""
    z = np.zeros(shape, g.dtype)
    region = replay_array(z, chain)
    np.add(region, g, out=region)
    return z


class RegionView(Op):
    """z = a region of a (a view)          da = zeros of a's shape with g in that region

    The base of the views that pick a region of their input (as_strided, select, slice,
    diagonal): forward sets ctx.shape (the input's) and ctx.chain (the region)."""

    @staticmethod
    def backward(ctx, g):
        return ViewScatter.apply(g, ctx.shape, ctx.chain)

    @staticmethod
    def np_backward(ctx, g):
        return scatter_np(g, ctx.shape, ctx.chain)


class AsStrided(RegionView):
    """z = the region `chain` of a (a view)          da = g scattered back into a's shape"""
    node_name = "AsStridedBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, chain):
        ctx.shape, ctx.dtype, ctx.chain = a._data.shape, a._data.dtype, chain
        return replay_array(a._data, chain)


class ViewScatter(Op):
    """z = zeros(shape) with g added into the region `chain`     dg = the region of gz"""
    node_name = "AsStridedScatterBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, g, shape, chain):
        ctx.chain = chain
        return scatter_np(g._data, shape, chain)

    @staticmethod
    def backward(ctx, gz):
        return AsStrided.apply(gz, ctx.chain)

    @staticmethod
    def np_backward(ctx, gz):
        return replay_array(gz, ctx.chain)


class CopySlices(Op):
    """z = base with the region `chain` replaced by r
    dbase = g with the region zeroed,  dr = the region of g"""
    node_name = "CopySlices"
    torch_name = "torch::autograd::CopySlices"
    arity = 2

    @staticmethod
    def forward(ctx, base, r, chain):
        ctx.chain = chain
        mask = np.ones(base._data.shape, bool)
        replay_array(mask, chain)[...] = False
        ctx.keep = mask
        return base._data            # the memory already holds the new values

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        keep = Tensor._make(ctx.keep, False, None, 0)
        return ((g * keep if need[0] else None),
                (AsStrided.apply(g, ctx.chain) if need[1] else None))

    @staticmethod
    def np_backward(ctx, g):
        need = ctx.needs_input_grad
        return ((g * ctx.keep if need[0] else None),
                (replay_array(g, ctx.chain) if need[1] else None))


def refresh(t: Tensor) -> None:
    """Re-derive a view's grad_fn from its base after the base (or a sibling view) changed in
    place: the view is then `AsStridedBackward0` of the base's current history."""
    meta = t._view
    base = meta.base
    if base._requires_grad:
        from ..grad_mode import _state
        prev, _state.enabled = _state.enabled, True     # history is recorded whatever the mode
        try:
            fresh = AsStrided.apply(base, meta.chain)
        finally:
            _state.enabled = prev
        t._grad_fn, t._output_nr, t._requires_grad = fresh._grad_fn, 0, True
    meta.version = t._vc[0]
