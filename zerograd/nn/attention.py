"""torch.nn.attention: choosing scaled_dot_product_attention's kernel.

zerograd has one implementation (composed of matmul, softmax and dropout; see
nn.functional.scaled_dot_product_attention), so the choice changes nothing but this: as on
torch's CPU build, only the MATH and FLASH_ATTENTION backends can run, and a region that allows
neither raises torch's "No viable backend" error at the call."""
from __future__ import annotations

import contextlib
import enum

from ..backends import SDP_ENABLED

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The attention kernels torch can dispatch to (its values)."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __repr__(self):
        return f"<SDPBackend.{self.name}: {self.value}>"

    def __str__(self):
        return f"SDPBackend.{self.name}"


_FLAGS = {SDPBackend.MATH: "math", SDPBackend.FLASH_ATTENTION: "flash",
          SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.CUDNN_ATTENTION: "cudnn"}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Within the block, scaled_dot_product_attention may use only `backends` (an SDPBackend
    or a list of them); the previous choice comes back after it."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    saved = dict(SDP_ENABLED)
    for backend, flag in _FLAGS.items():
        SDP_ENABLED[flag] = backend in chosen
    try:
        yield {}
    finally:
        SDP_ENABLED.update(saved)
