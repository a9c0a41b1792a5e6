"""In-place ops (`add_`, `mul_`, `zero_`, `x -= ...`): the one place where tensors are mutated.

Every in-place op computes its result with the out-of-place op, then writes it into the tensor's
own memory and bumps the version counter that the tensor shares with `detach()` results.  A saved
tensor remembers its version, so a backward that would read a modified value raises instead of
returning a wrong gradient.

Rules, as in PyTorch:
- a leaf that requires grad may only be modified under `no_grad()` (parameter updates);
- an inference tensor may only be modified inside `inference_mode()`.
Modifying a non-leaf that requires grad while recording (torch rewrites its history) comes with
the views issue; until then it raises a clear error instead of risking a wrong gradient.
"""
from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..tensor import Tensor

_state = grad_mode._state


def check_inplace(t: Tensor) -> None:
    """Raise if modifying `t` in place now would corrupt autograd."""
    if t._vc is None and not _state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed."
                           "You can make a clone to get a normal tensor before doing inplace update."
                           "See https://github.com/pytorch/rfcs/pull/17 for more details.")
    if t._requires_grad and _state.enabled:
        if t.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation. Fix: update parameters under `with torch.no_grad():`, or "
                               "use an out-of-place op (y = x + 1).")
        raise RuntimeError("in-place operations on a non-leaf tensor that requires grad are not "
                           "supported by this version of zerograd. Fix: use the out-of-place op "
                           "(y = y + 1 instead of y += 1), or .clone() first.")


def write(t: Tensor, value) -> Tensor:
    """Store `value` (a Tensor, array or number) into t's memory and bump its version."""
    check_inplace(t)
    arr = value._data if isinstance(value, Tensor) else value
    dst = t._data
    if isinstance(arr, np.ndarray) and arr.dtype != dst.dtype and \
            not np.can_cast(arr.dtype, dst.dtype, "same_kind") and dst.dtype.kind != "V":
        names = {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool"}
        raise RuntimeError(f"result type {names.get(arr.dtype.kind, arr.dtype)} can't be cast to "
                           f"the desired output type {names.get(dst.dtype.kind, dst.dtype)}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.")
    try:
        np.copyto(dst, arr, casting="unsafe")
    except ValueError:
        raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                           f"{list(np.shape(arr))}") from None
    if t._vc is not None:
        t._vc[0] += 1
    return t


def _apply(t, fn, *args):
    check_inplace(t)
    with grad_mode.no_grad():
        r = fn(t, *args)
    return write(t, r)


def add_(t, other, alpha=1):
    from . import add
    return _apply(t, lambda a, b: add(a, b, alpha=alpha), other)


def sub_(t, other, alpha=1):
    from . import sub
    return _apply(t, lambda a, b: sub(a, b, alpha=alpha), other)


def mul_(t, other):
    from . import mul
    return _apply(t, mul, other)


def div_(t, other, rounding_mode=None):
    from . import div
    return _apply(t, lambda a, b: div(a, b, rounding_mode=rounding_mode), other)


def pow_(t, exponent):
    from . import pow
    return _apply(t, pow, exponent)


def neg_(t):
    from . import neg
    return _apply(t, neg)


def exp_(t):
    from . import exp
    return _apply(t, exp)


def sqrt_(t):
    from . import sqrt
    return _apply(t, sqrt)


def clamp_(t, min=None, max=None):  # noqa: A002
    from . import clamp
    return _apply(t, clamp, min, max)


def relu_(t):
    from . import relu
    return _apply(t, relu)


def sigmoid_(t):
    from . import sigmoid
    return _apply(t, sigmoid)


def tanh_(t):
    from . import tanh
    return _apply(t, tanh)


def zero_(t):
    return write(t, 0)


def fill_(t, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value._data
    return write(t, value)


def copy_(t, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' must be Tensor, not {type(src).__name__}")
    check_inplace(t)
    dst = t._data
    try:
        np.broadcast_shapes(src._data.shape, dst.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({dst.shape[-1] if dst.ndim else 1}) must match "
                           f"the size of tensor b ({src._data.shape[-1] if src.ndim else 1}): cannot "
                           f"copy {list(src._data.shape)} into {list(dst.shape)}") from None
    np.copyto(dst, src._data, casting="unsafe")
    if t._vc is not None:
        t._vc[0] += 1
    return t
