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

from ..autograd.function import Op, own_vc, short_name
from ..grad_mode import _state
from ..tensor import FRESH, Tensor, follow_history
from ._util import overlapping

_new = object.__new__


class ViewMeta:
    """What a view knows: its root base, how to re-make it from the base, and the version of
    the shared counter when its grad_fn was last derived."""
    __slots__ = ("base", "chain", "version", "made_in_no_grad", "multi_output",
                 "in_custom_function")

    def __init__(self, base, chain, version):
        self.base, self.chain, self.version = base, chain, version
        self.made_in_no_grad = False
        self.multi_output = False       # an output of unbind/split/chunk (or a view of one)
        self.in_custom_function = False     # an input a custom Function returned as it is


def mark_view(out: Tensor, src: Tensor, op, params, index=None) -> None:
    """Called by Op.apply for view ops: `out` aliases `src`'s memory.  `index` picks the output
    of a multi-output view op (unbind, split)."""
    src_meta = src._view
    step = (op, params, index)
    if src_meta is None:
        base, chain = src, (step,)
    else:
        base, chain = src_meta.base, src_meta.chain + (step,)
    vc = src._vc
    if vc is FRESH or vc is None:           # (a list already: shared as it is)
        vc = own_vc(src)
    out._vc = vc
    out._view = meta = _new(ViewMeta)       # (ViewMeta(base, chain, version), without the call)
    meta.base, meta.chain, meta.version = base, chain, vc[0] if vc is not None else 0
    meta.made_in_no_grad = meta.multi_output = meta.in_custom_function = False
    # How it was made (torch's creation meta): under no_grad, or as one of several views; else
    # as the view it is a view of (a view of such a view is one too).
    if not _state.enabled:
        meta.made_in_no_grad = True
        if src._requires_grad:      # torch keeps requires_grad=True (a leaf-like view whose
            out._requires_grad = True       # .grad is never written)
    elif index is not None:
        meta.multi_output = True
    elif src_meta is not None:
        meta.made_in_no_grad, meta.multi_output = src_meta.made_in_no_grad, src_meta.multi_output


_MULTI_TAIL = (" This view is the output of a function that returns multiple views. Such functions "
               "do not allow the output views to be modified inplace. You should replace the "
               "inplace operation by an out-of-place one.")
_NO_GRAD_TAIL = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can "
                 "clarify your code by moving both the view and the inplace either both inside "
                 "the no_grad block (if you don't want the inplace to be tracked) or both outside "
                 "(if you want the inplace to be tracked).")


def check_rebase(t: Tensor, indirect: bool) -> None:
    """torch's error for a view whose history cannot be rewritten after an in-place change - of
    the view itself (`indirect` False) or of its base or a sibling view: an output of a function
    that returns several views (unbind, split, chunk), or a view made under no_grad."""
    meta = t._view
    if not (meta.made_in_no_grad or meta.multi_output or meta.in_custom_function):
        return
    what = "its base or another view of its base has been" if indirect else "is being"
    fn = t._grad_fn
    if meta.in_custom_function and fn is not None:
        name = getattr(getattr(type(fn), "_fn", None), "__name__", None) or short_name(fn)
        raise RuntimeError(
            f"Output {t._output_nr} of {name} is a view and {what} modified inplace. This view "
            "was created inside a custom Function (or because an input was returned as-is) and "
            "the autograd logic to handle view+inplace would override the custom backward "
            "associated with the custom Function, leading to incorrect gradients. This behavior "
            "is forbidden. You can fix this by cloning the output of the custom Function.")
    if meta.made_in_no_grad or fn is None:
        head = ("A view was created in" if fn is None else
                f"Output {t._output_nr} of {short_name(fn)} is a view of a view which was created in")
        head += f" no_grad mode and {what} modified inplace with grad mode enabled."
    else:
        head = f"Output {t._output_nr} of {short_name(fn)} is a view and {what} modified inplace."
    raise RuntimeError(head + (_NO_GRAD_TAIL if meta.made_in_no_grad else _MULTI_TAIL))


def mark_returned_input(alias: Tensor, src: Tensor) -> None:
    """`alias` (sharing `src`'s memory and version counter) is an input a custom Function
    returned as it is: a view of src, as in torch, that may not be changed in place while its
    history is the Function's node (check_rebase) - its in-place history would bypass the
    Function's backward."""
    src_meta = src._view
    base, chain = (src, ()) if src_meta is None else (src_meta.base, src_meta.chain)
    alias._view = meta = ViewMeta(base, chain, alias._vc[0] if alias._vc is not None else 0)
    meta.in_custom_function = True


def replay_array(arr: np.ndarray, chain) -> np.ndarray:
    """Apply a view chain to an array: the same region of `arr` as the view is of its base."""
    from ..autograd.function import _SCRATCH
    for op, params, index in chain:
        arr = op.forward(_SCRATCH, Tensor._make(arr, False, None, 0), *params)
        if index is not None:
            arr = arr[index]
    return arr


def scatter_np(g, shape, chain):
    """zeros(shape) with the array g added into the region `chain` (a view's VJP).  A region
    through an expand has elements that share memory: each of them adds its part of g there
    (np.add with out= would keep one of them)."""
    z = np.zeros(shape, g.dtype)
    region = replay_array(z, chain)
    if 0 in region.strides and overlapping(region):
        where = replay_array(np.arange(z.size).reshape(shape), chain)
        np.add.at(z.reshape(-1), where, np.broadcast_to(g, where.shape))
        return z
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


def requires_grad_now(t: Tensor) -> bool:
    """For a view that did not require grad when it was made: whether its base has been given a
    history in place since (`y.copy_(w)` with w requiring grad); then it is re-derived from the
    base and requires grad from now on, as torch's view does."""
    vc = t._vc
    if vc is not None and vc[0] != t._view.version:
        refresh(t)
    return t._requires_grad


def refresh(t: Tensor) -> None:
    """Re-derive a view's grad_fn from its base after the base (or a sibling view) changed in
    place: the view is then `AsStridedBackward0` of the base's current history."""
    meta = t._view
    base = meta.base
    if base._requires_grad:
        check_rebase(t, indirect=True)
        from ..grad_mode import _state
        prev, _state.enabled = _state.enabled, True     # history is recorded whatever the mode
        try:
            fresh = AsStrided.apply(base, meta.chain)
        finally:
            _state.enabled = prev
        old_node, old_nr = t._grad_fn, t._output_nr
        t._grad_fn, t._output_nr, t._requires_grad = fresh._grad_fn, 0, True
        follow_history(t, old_node, old_nr)
    meta.version = t._vc[0]
