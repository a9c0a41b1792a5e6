"""zerograd.utils: tools beside the core, as in `torch.utils` (so far: `data`)."""
from . import data

__all__ = ["data"]
