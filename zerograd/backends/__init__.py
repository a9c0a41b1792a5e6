"""torch.backends as on a CPU-only PyTorch: the switches scripts set for GPUs exist (and keep
what is set: `torch.backends.cuda.matmul.allow_tf32 = True`), and change nothing here - except
the attention switches: with both the math and the flash kernels switched off
(`enable_math_sdp(False)`, `enable_flash_sdp(False)`, or `torch.nn.attention.sdpa_kernel`
naming neither), scaled_dot_product_attention raises torch's "No viable backend" error, as
torch's CPU build does."""
from __future__ import annotations

import contextlib
import warnings
from types import SimpleNamespace

__all__ = ["cuda", "cudnn", "mha", "mkldnn", "mps"]


class _Backend(SimpleNamespace):
    def __repr__(self):
        return f"<zerograd.backends.{self._name}>"


# The attention kernels scaled_dot_product_attention may choose from (torch keeps these flags
# in its global context; the CPU build can run "math" and "flash").
SDP_ENABLED = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def sdp_viable_on_cpu() -> bool:
    return SDP_ENABLED["math"] or SDP_ENABLED["flash"]


def _switch(kind):
    def enabled() -> bool:
        return SDP_ENABLED[kind]

    def enable(enabled: bool) -> None:
        SDP_ENABLED[kind] = bool(enabled)
    return enabled, enable


@contextlib.contextmanager
def _sdp_kernel(enable_flash: bool = True, enable_math: bool = True,
                enable_mem_efficient: bool = True, enable_cudnn: bool = True):
    """torch.backends.cuda.sdp_kernel (deprecated for torch.nn.attention.sdpa_kernel)."""
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context "
                  "manager will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the "
                  "new context manager, with updated signature.", FutureWarning, stacklevel=3)
    saved = dict(SDP_ENABLED)
    SDP_ENABLED.update(flash=bool(enable_flash), math=bool(enable_math),
                       mem_efficient=bool(enable_mem_efficient), cudnn=bool(enable_cudnn))
    try:
        yield {}
    finally:
        SDP_ENABLED.update(saved)


_flash = _switch("flash")
_mem = _switch("mem_efficient")
_math = _switch("math")
_cudnn_sdp = _switch("cudnn")
mps = _Backend(_name="mps", is_available=lambda: False, is_built=lambda: False)
cuda = _Backend(_name="cuda", is_built=lambda: False,
                matmul=SimpleNamespace(allow_tf32=False,
                                       allow_fp16_reduced_precision_reduction=True,
                                       allow_bf16_reduced_precision_reduction=True),
                flash_sdp_enabled=_flash[0], enable_flash_sdp=_flash[1],
                mem_efficient_sdp_enabled=_mem[0], enable_mem_efficient_sdp=_mem[1],
                math_sdp_enabled=_math[0], enable_math_sdp=_math[1],
                cudnn_sdp_enabled=_cudnn_sdp[0], enable_cudnn_sdp=_cudnn_sdp[1],
                is_flash_attention_available=lambda: False, sdp_kernel=_sdp_kernel)
cudnn = _Backend(_name="cudnn", is_available=lambda: False, version=lambda: None, enabled=True,
                 benchmark=False, deterministic=False, allow_tf32=True)
mkldnn = _Backend(_name="mkldnn", is_available=lambda: False)
_FASTPATH = [True]
mha = _Backend(_name="mha", get_fastpath_enabled=lambda: _FASTPATH[0],
               set_fastpath_enabled=lambda value: _FASTPATH.__setitem__(0, bool(value)))
