"""zerograd.utils: tools beside the core, as in `torch.utils` (so far: `data`)."""
__all__ = ["data"]


def __getattr__(name):
    # zerograd.utils.data is imported on first use (`zerograd.utils.data.DataLoader` works as in
    # torch); so is zerograd.utils.checkpoint
    if name in ("data", "checkpoint"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"data", "checkpoint"})
