"""torch.autocast / torch.amp.autocast for the CPU: a region (context manager or decorator) in
which torch's lower-precision ops compute in bfloat16 (the default) or float16 and its float32
ops in float32 - see zerograd/_autocast.py for what is cast and how."""
from __future__ import annotations

import functools
import warnings

from .. import _autocast
from .. import dtypes as _dt

__all__ = ["autocast", "custom_bwd", "custom_fwd", "get_autocast_dtype", "is_autocast_enabled"]

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}


def is_autocast_enabled(device_type=None) -> bool:
    """Whether autocast is on for device_type (no argument: CUDA's, never on here)."""
    return device_type == "cpu" and _autocast.state.enabled


def get_autocast_dtype(device_type):
    st = _autocast.state
    if device_type == "cpu" and st.dtype is not None:
        return st.dtype
    return getattr(_dt, _DEFAULT_DTYPE.get(device_type, "float16"))


class autocast:
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type.split(":")[0] not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {device_type}")
        self.device = device_type
        self._args = (device_type, dtype, enabled, cache_enabled)
        device_type = device_type.split(":")[0]         # ("cpu:0" is the CPU)
        self._cpu = device_type == "cpu"
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else bool(cache_enabled)
        self._enabled = bool(enabled)
        if self._enabled and not self._cpu:         # (no other device here)
            if device_type == "cuda":
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled and self.fast_dtype not in (_dt.bfloat16, _dt.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False

    def __enter__(self):
        st = _autocast.state
        self._prev = (st.enabled, st.dtype, st.cache_enabled)
        if self._cpu:
            st.enabled = self._enabled
            st.dtype = self.fast_dtype
            st.cache_enabled = self._cache_enabled
        st.depth += 1
        return self

    def __exit__(self, exc_type, exc, tb):
        st = _autocast.state
        st.depth -= 1
        if st.depth == 0:
            st.cache.clear()                # (torch: the cast weights live as long as the region)
        st.enabled, st.dtype, st.cache_enabled = self._prev
        return False

    def __call__(self, func):
        args = self._args

        @functools.wraps(func)
        def decorate_autocast(*a, **kw):
            with autocast(*args):
                return func(*a, **kw)
        return decorate_autocast


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """torch.amp.custom_fwd: a custom Function's forward under autocast - run as autocast is, or,
    with cast_inputs, its floating inputs cast to that dtype and autocast off inside."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        on = is_autocast_enabled(device_type)
        ctx._fwd_used_autocast = on and cast_inputs is None   # (cast inputs: backward runs
        if cast_inputs is None or not on:                       #  without autocast, as torch)
            return fwd(*args, **kwargs)
        args = (ctx,) + tuple(_autocast.cast_for(a, cast_inputs) for a in args[1:])
        kwargs = {k: _autocast.cast_for(v, cast_inputs) for k, v in kwargs.items()}
        return _autocast.without(fwd, *args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """torch.amp.custom_bwd: the backward runs with the autocast state its forward ran with."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type, dtype=getattr(ctx, "_dtype", None),
                      enabled=getattr(ctx, "_fwd_used_autocast", False)):
            return bwd(*args, **kwargs)
    return decorate_bwd
