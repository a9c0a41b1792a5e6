"""torch.cuda as on a PyTorch built without CUDA: zerograd runs on the CPU only.

    device = "cuda" if torch.cuda.is_available() else "cpu"      # -> "cpu"

The queries answer as torch's CPU build answers them (no device, nothing allocated), the seeding
functions do nothing, and what would need a device raises torch's
AssertionError("Torch not compiled with CUDA enabled").
"""
from __future__ import annotations

__all__ = ["current_device", "device_count", "empty_cache", "get_device_capability",
           "get_device_name", "get_rng_state", "init", "is_available", "is_bf16_supported",
           "is_initialized", "manual_seed", "manual_seed_all", "max_memory_allocated",
           "max_memory_reserved", "mem_get_info", "memory_allocated", "memory_reserved", "seed",
           "seed_all", "set_device", "synchronize"]

_NO_CUDA = "Torch not compiled with CUDA enabled"


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed) -> None:
    """No device to seed (torch's CPU build does nothing either)."""


def manual_seed_all(seed) -> None:
    """No device to seed."""


def seed() -> None:
    """No device to seed."""


def seed_all() -> None:
    """No device to seed."""


def empty_cache() -> None:
    """Nothing is cached."""


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def _no_cuda(*args, **kwargs):
    raise AssertionError(_NO_CUDA)


synchronize = current_device = get_device_name = get_device_capability = _no_cuda
get_rng_state = init = mem_get_info = set_device = _no_cuda


class _CudaAmp:
    """torch.cuda.amp: its autocast and GradScaler (deprecated in torch for the torch.amp forms
    with "cuda") are disabled here, as on torch's CPU build."""

    @staticmethod
    def autocast(enabled=True, dtype=None, cache_enabled=True):
        import warnings
        from . import dtypes as _dt
        from .amp import autocast
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        return autocast("cuda", dtype=_dt.float16 if dtype is None else dtype, enabled=enabled,
                        cache_enabled=cache_enabled)

    @staticmethod
    def GradScaler(init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,  # noqa: N802
                   growth_interval=2000, enabled=True):
        import warnings
        from .amp import GradScaler
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        return GradScaler("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                          enabled)


amp = _CudaAmp()
