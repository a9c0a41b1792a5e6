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


def __getattr__(name):
    if name == "amp":                       # (deprecated torch.cuda.amp: disabled, no CUDA)
        from .amp import _DeprecatedAmp
        globals()["amp"] = _DeprecatedAmp("cuda", "float16")
        return globals()["amp"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
