"""In-place ops (`add_`, `mul_`, `x[0] = v`, `x -= ...`): the one place where tensors are mutated.

Every in-place op is its out-of-place op plus a write:

    r = op(t, ...)              computed (and, when recording, recorded) as usual
    t's memory <- r             (views of t and t's base see the change: they share memory)
    version counter += 1        shared with t's base, its views and detach() results

When the graph is being recorded, t takes over r's history (t.grad_fn = r.grad_fn), or - if t
is a view - its base's history is rewritten (ops/views.py: CopySlices).  A value saved for backward
remembers its version, so a backward that would read an overwritten value raises instead of
returning a wrong gradient.

Rules, as in PyTorch:
- a leaf that requires grad, or a view of one, may only be modified under `no_grad()`;
- an inference tensor may only be modified inside `inference_mode()`.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import _autocast, grad_mode
from ..tensor import Tensor, follow_history
from . import views as _views
from ._args import number_arg
from ._util import overlapping

_state = grad_mode._state

LEAF_MSG = ("a leaf Variable that requires grad is being used in an in-place operation. Fix: "
            "update parameters under `with torch.no_grad():`, or use an out-of-place op (y = x + 1).")
VIEW_OF_LEAF_MSG = ("a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation. Fix: modify it under `with torch.no_grad():`, or .clone() first.")


def _check_inference(t: Tensor) -> None:
    if t._vc is None and not _state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed."
                           "You can make a clone to get a normal tensor before doing inplace update."
                           "See https://github.com/pytorch/rfcs/pull/17 for more details.")


def _check_into(shape, other):
    """torch's error when `other` broadcast with `shape` is larger than `shape` (an in-place
    result must fit its tensor); shapes that do not broadcast at all are left to the op."""
    if other != shape:
        try:
            full = np.broadcast_shapes(other, shape)
        except ValueError:
            return
        if full != shape:
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast "
                               f"shape {list(full)}")


OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to a "
               "single memory location. Please clone() the tensor before performing the "
               "operation.")


def _store(t: Tensor, arr, overlap_ok=False) -> None:
    """Write values into t's memory (broadcast, cast), with torch's checks.  Memory shared by
    several elements (an expanded tensor) takes only one value for all of them: `overlap_ok`
    (fill_ with a number, zero_), as torch."""
    dst = t._data
    if isinstance(arr, np.ndarray):
        if arr.dtype != dst.dtype and dst.dtype.kind in "iub" and arr.dtype.kind in "fV" or \
                dst.dtype.kind == "b" and arr.dtype.kind != "b":
            names = {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool", "V": "BFloat16"}
            raise RuntimeError(f"result type {names.get(arr.dtype.kind, arr.dtype)} can't be cast "
                               f"to the desired output type {names.get(dst.dtype.kind, dst.dtype)}")
        _check_into(dst.shape, arr.shape)
    if not dst.flags.writeable or not overlap_ok and overlapping(dst):
        raise RuntimeError(OVERLAP_MSG)
    np.copyto(dst, arr, casting="unsafe")


_LOOK_UP = object()


def bump_version(t: Tensor, site=_LOOK_UP) -> None:
    """New version; remember where (file:line of the user's code) for the error message.
    (Public: code that writes into `t._data` directly, like the optimizers, calls this; one that
    changes many tensors at one user line looks `_user_site()` up once and passes it as `site`.)"""
    vc = own_vc(t)
    if vc is not None:
        vc[0] += 1
        vc[1] = _user_site() if site is _LOOK_UP else site


def _user_site():
    f = sys._getframe(2)
    while f is not None and f.f_globals.get("__name__", "").startswith("zerograd"):
        f = f.f_back
    return None if f is None else f"{f.f_code.co_filename}:{f.f_lineno}"


def apply_inplace(t: Tensor, fn, *args, overlap_ok=False) -> Tensor:
    """t <- fn(t, *args), in place; torch never autocasts an in-place op."""
    if not _autocast.state.enabled:
        return _apply_inplace(t, fn, *args, overlap_ok=overlap_ok)
    return _autocast.without(_apply_inplace, t, fn, *args, overlap_ok=overlap_ok)


def _apply_inplace(t: Tensor, fn, *args, overlap_ok=False) -> Tensor:
    """t <- fn(t, *args), in place, keeping autograd exact (see the module docstring).  Memory
    shared by several of t's elements (an expanded tensor) is refused first, as torch, unless
    `overlap_ok` (fn writes one value everywhere: fill_ with a number, zero_)."""
    _check_inference(t)
    if not overlap_ok and 0 in t._data.strides and overlapping(t._data):
        raise RuntimeError(OVERLAP_MSG)         # (before anything is recorded)
    recording = _state.enabled and (t._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not recording:
        prev = _state.enabled
        _state.enabled = False
        try:
            r = fn(t, *args)
        finally:
            _state.enabled = prev
        _store(t, r._data, overlap_ok)
        bump_version(t)
        return t

    view = t._view
    if view is not None:
        _views.check_rebase(t, indirect=False)
    if t._requires_grad and t.grad_fn is None and view is None:
        raise RuntimeError(LEAF_MSG)
    if view is not None and view.base._requires_grad and view.base.grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MSG)
    src = t
    if view is not None and t._requires_grad and _hooked(t):
        # torch's CopySlices routes the op's gradient straight into the base: hooks registered
        # on the view's (old) node do not see it.  Reading the view through a fresh, hook-free
        # node of the base does the same here (the gradients are the same either way).
        src = _views.AsStrided.apply(view.base, view.chain)
    r = fn(src, *args)
    if r.grad_fn is not None:
        _keep_original(r.grad_fn, src)
    _store(t, r._data, overlap_ok)
    bump_version(t)
    if r.grad_fn is None:                   # e.g. an integer result: nothing to record
        return t
    _adopt_saved_output(r, t)
    old_node, old_nr = t._grad_fn, t._output_nr
    if view is None:
        t.grad_fn, t._output_nr, t._requires_grad = r.grad_fn, r._output_nr, True
        follow_history(t, old_node, old_nr)
        return t
    base = view.base
    if r._data.shape != t._data.shape:      # r broadcast into the view: record the expansion
        r = r.expand(t._data.shape)
    new = _views.CopySlices.apply(base, r, view.chain)
    base_node, base_nr = base._grad_fn, base._output_nr
    base.grad_fn, base._output_nr, base._requires_grad = new.grad_fn, 0, True
    follow_history(base, base_node, base_nr)
    _views.refresh(t)
    follow_history(t, old_node, old_nr)
    return t


def _hooked(t: Tensor) -> bool:
    """Tensor hooks or retain_grad registered on t's current node, for t's output."""
    node = t._grad_fn
    if node is None or not node._has_hooks:
        return False
    nr = t._output_nr
    return bool(node._tensor_pre_hooks and node._tensor_pre_hooks.get(nr)) or \
        bool(node._retain_hooks and nr in node._retain_hooks)


def _keep_original(node, t: Tensor) -> None:
    """If the op saved t itself (x.mul_(w) needs the old x for w's gradient), save a clone of
    the old values instead: the write below is about to overwrite them (torch's original_self)."""
    saved = node._saved
    if not isinstance(saved, (tuple, list)) or node._saved_versions is None or \
            not any(item is t for item in saved):
        return
    saved, versions = list(saved), list(node._saved_versions)   # (versions may be a tuple)
    for i, item in enumerate(saved):
        if item is t:
            saved[i] = t.clone()
            versions[i] = 0
    node._saved, node._saved_versions = saved, versions


def _adopt_saved_output(r: Tensor, t: Tensor) -> None:
    """r's node may have saved its output (exp_, tanh_ ...): that value now lives in t's memory
    and is guarded by t's version counter."""
    node = r.grad_fn
    saved, versions = node._saved, node._saved_versions
    if not isinstance(saved, (list, tuple)) or not saved or versions is None:
        return
    from ..autograd.function import _SavedOutput
    versions = list(versions)                                   # (it may be a tuple)
    for i, item in enumerate(saved):
        if type(item) is _SavedOutput and item.data is r._data:
            item.data, item.vc = t._data, t._vc
            versions[i] = t._vc[0]
    node._saved_versions = versions


def write(t: Tensor, value, op=None, overlap_ok=False) -> Tensor:
    """Store a number or array into t (fill_, zero_, random init).  Overwriting a tensor that
    requires grad while recording makes it a constant in the graph (node `op`, default Fill).
    `overlap_ok`: one value for every element, which memory shared by elements can take."""
    _check_inference(t)
    if _state.enabled:
        view = t._view
        if t._requires_grad and t.grad_fn is None and view is None:
            raise RuntimeError(LEAF_MSG)
        if view is not None and view.base._requires_grad and view.base.grad_fn is None:
            raise RuntimeError(VIEW_OF_LEAF_MSG)
        if t._requires_grad:
            return apply_inplace(t, (op or _Fill).apply, value, overlap_ok=overlap_ok)
    _store(t, value._data if isinstance(value, Tensor) else value, overlap_ok)
    bump_version(t)
    return t


from ..autograd.function import Op, own_vc  # noqa: E402
from ._util import zero_grad_like  # noqa: E402


class _Fill(Op):
    """z = a tensor of a's shape filled with v (a number)     da = 0"""
    node_name = "FillBackward2"
    arity = 1

    @staticmethod
    def forward(ctx, a, v):
        return np.full(a._data.shape, v._data if isinstance(v, Tensor) else v, a._data.dtype)

    @staticmethod
    def backward(ctx, g):
        return zero_grad_like(g)


class _Zero(_Fill):
    """z = zeros of a's shape                                  da = 0"""
    node_name = "ZeroBackward0"


class _FillTensor(Op):
    """z = a's shape filled with the 0-d tensor v              da = 0,  dv = Σ g"""
    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, a, v):
        return np.full(a._data.shape, v._data, a._data.dtype)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (zero_grad_like(g) if need[0] else None), (g.sum() if need[1] else None)


class Copy(Op):
    """z = src broadcast to dst's shape, in dst's dtype      ddst = 0,  dsrc = g (summed back)"""
    node_name = "CopyBackwards"
    torch_name = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        try:
            z = np.broadcast_to(src._data, dst._data.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({dst._data.shape[-1] if dst.ndim else 1}) "
                               f"must match the size of tensor b ({src._data.shape[-1] if src.ndim else 1})"
                               f": cannot copy a tensor of shape {list(src._data.shape)} into one of "
                               f"shape {list(dst._data.shape)}") from None
        return z.astype(dst._data.dtype, copy=True)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (zero_grad_like(g) if need[0] else None), (g if need[1] else None)


# ----- the named in-place methods ---------------------------------------------------------------

def _elementwise_inplace(t, fn, other):
    """apply_inplace for an elementwise binary op: torch checks that `other` broadcasts into t's
    shape before the op's own checks (dtype support, ...)."""
    if isinstance(other, Tensor):
        _check_into(t._data.shape, other._data.shape)
    return apply_inplace(t, fn, other)


def add_(t, other, alpha=1):
    from . import add
    if type(alpha) is not int:
        alpha = number_arg("add_", "alpha", alpha)
    return _elementwise_inplace(t, lambda a, b: add(a, b, alpha=alpha), other)


def sub_(t, other, alpha=1):
    from . import sub
    if type(alpha) is not int:
        alpha = number_arg("sub_", "alpha", alpha)
    return _elementwise_inplace(t, lambda a, b: sub(a, b, alpha=alpha), other)


def mul_(t, other):
    from . import mul
    return _elementwise_inplace(t, mul, other)


def div_(t, other, rounding_mode=None):
    from . import div
    return _elementwise_inplace(t, lambda a, b: div(a, b, rounding_mode=rounding_mode), other)


def pow_(t, exponent):
    from . import pow
    return _elementwise_inplace(t, pow, exponent)


def floor_divide_(t, other):
    from . import floor_divide
    return _elementwise_inplace(t, floor_divide, other)


def remainder_(t, other):
    from . import remainder
    return _elementwise_inplace(t, remainder, other)


class ValuesFill(Op):
    """z = the given values (an array of a's shape: random draws for uniform_/normal_/...,
    an in-place comparison's 1s and 0s)          da = 0.  Subclasses name the node."""
    arity = 1

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, g):
        return zero_grad_like(g)


_COMPARE_NODES = {}


def compare_(t, op, other, name):
    """An in-place comparison (eq_, lt_, ...): torch records `<Name>Backward0` for a number,
    `<Name>Backward1` for a tensor (zero gradient either way)."""
    node = name + ("Backward1" if isinstance(other, Tensor) else "Backward0")
    cls = _COMPARE_NODES.get(node)
    if cls is None:
        cls = _COMPARE_NODES[node] = type(node, (ValuesFill,), {"node_name": node})
    return _elementwise_inplace(
        t, lambda a, b: cls.apply(a, op(a, b)._data.astype(a._data.dtype)), other)


def neg_(t):
    from . import neg
    return apply_inplace(t, neg)


def exp_(t):
    from . import exp
    return apply_inplace(t, exp)


def abs_(t):
    from . import abs
    return apply_inplace(t, abs)


def sqrt_(t):
    from . import sqrt
    return apply_inplace(t, sqrt)


def clamp_(t, min=None, max=None):  # noqa: A002
    from . import clamp
    from ._args import C_TYPE_NAMES
    if t._data.dtype.kind in "iub" and any(isinstance(v, float) for v in (min, max)):
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{C_TYPE_NAMES[t._data.dtype.name]}")      # (clamp_'s own check)
    return apply_inplace(t, lambda a: clamp(a, min, max))


def cumulative_(t, op, dim, dtype, kernel):
    """cumsum_ / cumprod_: torch's checks (no bool kernel; the dtype must be t's), then the op."""
    if t._data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}_out_cpu" not implemented for \'Bool\'')
    if dtype is not None and dtype.np != t._data.dtype:
        from ._args import C_TYPE_NAMES
        have, want = C_TYPE_NAMES[t._data.dtype.name], C_TYPE_NAMES[dtype.np.name]
        raise RuntimeError(f"Bad in-place call: input tensor dtype {have} and output tensor dtype "
                           f"{want} should match")
    return apply_inplace(t, lambda a: op(a, dim, dtype=dtype))


def relu_(t):
    from . import relu
    return apply_inplace(t, relu)


def sigmoid_(t):
    from . import sigmoid
    return apply_inplace(t, sigmoid)


def tanh_(t):
    from . import tanh
    return apply_inplace(t, tanh)


def zero_(t):
    return write(t, 0, _Zero, overlap_ok=True)


def fill_(t, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        if _state.enabled and (value._requires_grad or t._requires_grad):
            return apply_inplace(t, _FillTensor.apply, value)
        with np.errstate(all="ignore"):     # (a tensor's value is cast, unchecked, as torch)
            return write(t, value._data.astype(t._data.dtype))
    from ._util import convert_scalar, raise_overflow
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag:                      # (c10's checked conversion into a real dtype)
            raise_overflow(t._data.dtype)
        value = value.real
    elif not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got "
                        f"({type(value).__name__}), but expected one of:\n * (Tensor value)\n"
                        f" * (Number value)")
    return write(t, convert_scalar(value, t._data.dtype),       # (torch's overflow errors)
                 overlap_ok=True)


def copy_(t, src, non_blocking=False):
    if isinstance(src, (bool, int, float)):         # torch copies a number into every element
        src = Tensor._make(np.asarray(src), False, None, 0)
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    return apply_inplace(t, Copy.apply, src)
