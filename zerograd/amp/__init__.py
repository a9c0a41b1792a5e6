"""torch.amp: GradScaler (loss scaling for float16 training), as torch's.

    scaler = torch.amp.GradScaler("cpu")
    scaler.scale(loss).backward()       # the loss times the scale (65536 to start)
    scaler.unscale_(optimizer)          # the gradients divided back (optional: for clipping)
    scaler.step(optimizer)              # skipped when a gradient is inf or nan
    scaler.update()                     # the scale halves after an overflow, doubles after
                                        # growth_interval clean steps

Disabled (`enabled=False`, or a CUDA scaler: zerograd has no CUDA), every method passes through.
`autocast` (torch.autocast) is in autocast_mode.py.
"""
from __future__ import annotations

import collections.abc
import warnings

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "get_autocast_dtype",
           "is_autocast_enabled"]

from .autocast_mode import (autocast, custom_bwd, custom_fwd, get_autocast_dtype,  # noqa: E402
                            is_autocast_enabled)

_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """torch.amp.GradScaler(device="cuda", init_scale=2.**16, growth_factor=2.0,
    backoff_factor=0.5, growth_interval=2000, enabled=True)."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = str(device)
        if enabled and self._device.startswith("cuda"):
            warnings.warn(f"torch.{'cuda.amp' if self._device == 'cuda' else 'amp'}.GradScaler is "
                          f"enabled, but CUDA is not available.  Disabling.", UserWarning,
                          stacklevel=2)
            enabled = False
        self._enabled = bool(enabled)
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale = None
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = None
        self._per_optimizer = {}

    # ----- the scale ---------------------------------------------------------------------------

    def _lazy_init(self):
        if self._scale is None:
            self._scale = Tensor._make(np.array(self._init_scale, np.float32), False, None, 0)
            self._growth_tracker = Tensor._make(np.array(self._init_growth_tracker, np.int32),
                                                False, None, 0)

    def scale(self, outputs):
        """outputs times the scale: a tensor, or tensors in (nested) lists and tuples, which
        come back as lists and tuples; any other iterable (a generator...) comes back as a lazy
        map over it, as torch's."""
        if not self._enabled:
            return outputs
        self._lazy_init()
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if isinstance(outputs, collections.abc.Iterable):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer):
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def unscale_(self, optimizer) -> None:
        """Divide optimizer's gradients by the scale, in place, noting whether any is inf/nan."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        self._lazy_init()
        inv = Tensor._make(np.float32(1.0 / np.float64(self._scale._data)), False, None, 0)
        found = None                        # (stays None: no gradient to check)
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if g.dtype.name == "float16":       # (fp32 master weights: torch's recipe)
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    found = bool(found) or not bool(np.isfinite(g._data).all())
                    g.mul_(inv)
        state["found_inf"] = found
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """optimizer.step(), unless a gradient was inf or nan (then skipped: None)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        if self._scale is None:
            raise AssertionError("Attempted step but _scale is None.  This may indicate your "
                                 "script did not use scaler.scale(loss or outputs) earlier in the "
                                 "iteration.")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Back off after an overflow, grow after growth_interval clean steps (or set new_scale)."""
        if not self._enabled:
            return
        if self._scale is None:
            raise AssertionError("Attempted update but _scale is None.  This may indicate your "
                                 "script did not use scaler.scale(loss or outputs) earlier in the "
                                 "iteration.")
        if new_scale is not None:
            value = new_scale._data if isinstance(new_scale, Tensor) else new_scale
            self._scale._data[...] = np.float32(value)
        else:
            infs = [s["found_inf"] for s in self._per_optimizer.values()
                    if s["found_inf"] is not None]
            if not infs:
                raise AssertionError("No inf checks were recorded prior to update.")
            scale, tracker = self._scale._data, self._growth_tracker._data
            if any(infs):
                scale[...] = scale * np.float32(self._backoff_factor)
                tracker[...] = 0
            else:
                tracker[...] = tracker + 1
                if tracker == self._growth_interval:
                    grown = scale * np.float32(self._growth_factor)
                    if np.isfinite(grown):          # (torch keeps a scale that would overflow)
                        scale[...] = grown
                    tracker[...] = 0
        self._per_optimizer = {}

    # ----- accessors ----------------------------------------------------------------------------

    def get_scale(self) -> float:
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale._data)

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker._data)

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = np.float32(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker._data[...] = state_dict["_growth_tracker"]


class _DeprecatedAmp:
    """torch.cpu.amp / torch.cuda.amp: the deprecated spellings of torch.amp.autocast(device)
    and torch.amp.GradScaler(device), with torch's FutureWarnings."""

    def __init__(self, device: str, default_dtype: str):
        self._device, self._default_dtype = device, default_dtype

    def autocast(self, enabled=True, dtype=None, cache_enabled=True):
        from .. import dtypes as _dt
        warnings.warn(f"`torch.{self._device}.amp.autocast(args...)` is deprecated. Please use "
                      f"`torch.amp.autocast('{self._device}', args...)` instead.", FutureWarning,
                      stacklevel=2)
        return autocast(self._device, enabled=enabled, cache_enabled=cache_enabled,
                        dtype=getattr(_dt, self._default_dtype) if dtype is None else dtype)

    def GradScaler(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,  # noqa: N802
                   growth_interval=2000, enabled=True):
        warnings.warn(f"`torch.{self._device}.amp.GradScaler(args...)` is deprecated. Please use "
                      f"`torch.amp.GradScaler('{self._device}', args...)` instead.",
                      FutureWarning, stacklevel=2)
        return GradScaler(self._device, init_scale, growth_factor, backoff_factor,
                          growth_interval, enabled)
