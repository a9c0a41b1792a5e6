"""Autocast's state and casting (torch.autocast is in zerograd/amp; this module is the core's
part, imported by the ops it casts).

Inside an enabled region the ops decorated `lower_precision` (linear, matmul/mm/bmm/addmm...,
convolutions, prelu, scaled_dot_product_attention: torch's CPU list) cast their floating
inputs to the region's dtype (bfloat16 or float16) and the ops decorated `fp32` (the losses,
prod) cast them to float32; float64 tensors are never cast, as torch.  A cast is a `to()`,
recorded as ToCopyBackward0, and a leaf that requires grad is cast once per region (torch's
weight cache: every use shares the node).  The op runs with autocast off, as in torch, so the
ops it calls do not cast again.  The state is thread-local, like the grad modes.
"""
from __future__ import annotations

import functools
import threading

from . import grad_mode as _gm
from .tensor import Tensor

__all__ = ["fp32", "lower_precision"]


class _AutocastState(threading.local):
    def __init__(self):
        self.enabled = False
        self.dtype = None           # the region's dtype (set by torch.autocast)
        self.cache_enabled = True
        self.cache = {}             # id(leaf) -> (leaf, its cast)
        self.depth = 0              # nesting of enabled regions (the cache lives in the outermost)


state = _AutocastState()


def _cast(v, dtype):
    if isinstance(v, Tensor):
        d = v.dtype
        if d is dtype or not d.is_floating_point or d.name == "float64":
            return v
        if state.cache_enabled and v._requires_grad and v._grad_fn is None and \
                v._view is None and _gm._state.enabled:
            hit = state.cache.get(id(v))
            if hit is not None and hit[0] is v and hit[1].dtype is dtype:
                return hit[1]
            c = v.to(dtype)
            state.cache[id(v)] = (v, c)
            return c
        return v.to(dtype)
    if isinstance(v, (list, tuple)) and v and isinstance(v[0], Tensor):
        return type(v)(_cast(t, dtype) for t in v)
    return v


def cast_for(v, dtype):
    """v (a tensor, or a list/tuple of them) with its floating tensors but float64 in dtype
    (custom_fwd's cast_inputs), without the region's cache."""
    if isinstance(v, Tensor):
        d = v.dtype
        return v.to(dtype) if d.is_floating_point and d.name != "float64" and d is not dtype \
            else v
    if isinstance(v, (list, tuple)):
        return type(v)(cast_for(t, dtype) for t in v)
    return v


def without(fn, *args, **kwargs):
    """fn(*args, **kwargs) with autocast off (an op's own calls, out= and in-place variants,
    custom_fwd with cast_inputs: torch casts none of them)."""
    st = state
    if not st.enabled:
        return fn(*args, **kwargs)
    st.enabled = False
    try:
        return fn(*args, **kwargs)
    finally:
        st.enabled = True


def _casting(fn, target):
    @functools.wraps(fn)
    def autocast_wrapper(*args, **kwargs):
        st = state
        if not st.enabled:
            return fn(*args, **kwargs)
        dtype = st.dtype if target is None else target()
        args = tuple(_cast(a, dtype) for a in args)
        kwargs = {k: _cast(v, dtype) for k, v in kwargs.items()}
        return without(fn, *args, **kwargs)     # (the op's own calls do not cast again)
    return autocast_wrapper


def lower_precision(fn):
    """Decorator: under autocast, fn's floating inputs in the region's dtype."""
    return _casting(fn, None)


def _float32():
    from .dtypes import float32
    return float32


def fp32(fn):
    """Decorator: under autocast, fn's floating inputs in float32."""
    return _casting(fn, _float32)
