"""torch.cpu: the one device zerograd runs on, and its deprecated torch.cpu.amp forms."""
from __future__ import annotations

__all__ = ["amp", "device_count", "is_available", "synchronize"]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def synchronize(device=None) -> None:
    """Nothing runs asynchronously here."""


def __getattr__(name):
    if name == "amp":                       # (imported on first use, as zerograd.amp itself)
        from .amp import _DeprecatedAmp
        globals()["amp"] = _DeprecatedAmp("cpu", "bfloat16")
        return globals()["amp"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
