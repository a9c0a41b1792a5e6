"""torch.backends as on a CPU-only PyTorch: the switches scripts set for GPUs exist (and keep
what is set: `torch.backends.cuda.matmul.allow_tf32 = True`), and change nothing here."""
from __future__ import annotations

from types import SimpleNamespace

__all__ = ["cuda", "cudnn", "mkldnn", "mps"]


class _Backend(SimpleNamespace):
    def __repr__(self):
        return f"<zerograd.backends.{self._name}>"


mps = _Backend(_name="mps", is_available=lambda: False, is_built=lambda: False)
cuda = _Backend(_name="cuda", is_built=lambda: False,
                matmul=SimpleNamespace(allow_tf32=False,
                                       allow_fp16_reduced_precision_reduction=True,
                                       allow_bf16_reduced_precision_reduction=True))
cudnn = _Backend(_name="cudnn", is_available=lambda: False, version=lambda: None, enabled=True,
                 benchmark=False, deterministic=False, allow_tf32=True)
mkldnn = _Backend(_name="mkldnn", is_available=lambda: False)
