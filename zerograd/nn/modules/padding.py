"""Padding layers: ConstantPad / ZeroPad / ReflectionPad / ReplicationPad / CircularPad, 1d to 3d.

Each is `F.pad(input, self.padding, mode, value)`; an int `padding` pads every side by it."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = []


class _PadNd(Module):
    mode = "constant"
    k = 1                # how many trailing dims it pads

    def __init__(self, padding, value=None):
        super().__init__()
        self.padding = (int(padding),) * (2 * self.k) if isinstance(padding, int) else \
            tuple(int(p) for p in padding)
        if value is not None:
            self.value = float(value)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode, getattr(self, "value", None))

    def extra_repr(self) -> str:
        if self.mode == "constant" and type(self).__name__.startswith("Constant"):
            return f"padding={self.padding}, value={self.value}"
        return str(self.padding)


def _constant_init(self, padding, value):
    _PadNd.__init__(self, padding, value)


def _zero_init(self, padding):
    _PadNd.__init__(self, padding, 0.0)


def _init(self, padding):
    _PadNd.__init__(self, padding)


def _make(name, mode, k, init):
    attrs = {"mode": mode, "k": k, "__init__": init, "__module__": __name__, "__qualname__": name,
             "__doc__": f"Pads the last {k} dim(s) of its input, mode '{mode}' (F.pad)."}
    globals()[name] = type(name, (_PadNd,), attrs)
    __all__.append(name)


for _k in (1, 2, 3):
    _make(f"ConstantPad{_k}d", "constant", _k, _constant_init)
    _make(f"ZeroPad{_k}d", "constant", _k, _zero_init)
    _make(f"ReflectionPad{_k}d", "reflect", _k, _init)
    _make(f"ReplicationPad{_k}d", "replicate", _k, _init)
    _make(f"CircularPad{_k}d", "circular", _k, _init)
