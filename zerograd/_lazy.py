"""Submodules (and their members) imported on first use: a package's PEP 562 hooks.

    __getattr__, __dir__ = _lazy.attach(globals(), ["lr_scheduler"])

`zerograd.optim.lr_scheduler` then imports optim/lr_scheduler.py the first time it is read, as if
the package had imported it (`import zerograd.optim.lr_scheduler` works as always).  What a
training process never touches costs it neither import time nor memory."""
from __future__ import annotations

import importlib


def attach(namespace: dict, submodules=(), members=None):
    """PEP 562 `__getattr__` and `__dir__` for the package whose globals are `namespace`:
    `submodules` by name, `members` as {name: (submodule, attribute)}."""
    package = namespace["__name__"]
    submodules = frozenset(submodules)
    members = dict(members or {})

    def __getattr__(name):
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        if name in members:
            sub, attr = members[name]
            return getattr(importlib.import_module(f"{package}.{sub}"), attr)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(namespace) | submodules | set(members))

    return __getattr__, __dir__


class on_first_use:
    """A stand-in for module `name` that imports it the first time an attribute is read:
    `_rs = on_first_use("zerograd.ops.resample")`, then `_rs.interpolate(...)`."""
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._name), attr)
