"""zerograd.utils: tools beside the core, as in `torch.utils`: `data`, `checkpoint`, `hooks`."""
from .. import _lazy

__all__ = ["checkpoint", "data", "hooks"]


# zerograd.utils.data and zerograd.utils.checkpoint are imported on first use
__getattr__, __dir__ = _lazy.attach(globals(), ["data", "checkpoint", "hooks"])
