"""torch.utils.hooks: the handle a register_*_hook call returns (it lives in autograd.hooks)."""
from ..autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
