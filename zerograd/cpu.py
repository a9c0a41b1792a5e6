"""torch.cpu: the one device zerograd runs on, and its deprecated torch.cpu.amp forms."""
from __future__ import annotations

import warnings

__all__ = ["amp", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def synchronize(device=None) -> None:
    """Nothing runs asynchronously here."""


class _CpuAmp:
    """torch.cpu.amp: deprecated spellings of torch.amp.autocast("cpu") and GradScaler("cpu")."""

    @staticmethod
    def autocast(enabled=True, dtype=None, cache_enabled=True):
        from . import dtypes as _dt
        from .amp import autocast
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        return autocast("cpu", dtype=_dt.bfloat16 if dtype is None else dtype, enabled=enabled,
                        cache_enabled=cache_enabled)

    @staticmethod
    def GradScaler(init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,  # noqa: N802
                   growth_interval=2000, enabled=True):
        from .amp import GradScaler
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        return GradScaler("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                          enabled)


amp = _CpuAmp()
