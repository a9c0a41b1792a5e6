"""torch.compile without a compiler: the model or function comes back wrapped and runs eagerly,
as torch.compile(backend="eager") runs it - the same values, none of the speed-up.

A module comes back as an `OptimizedModule` holding it as `_orig_mod` (its state_dict keys carry
that prefix, as torch's do); a function as a function that calls it.
"""
from __future__ import annotations

import functools

from .nn.modules.module import Module

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


class OptimizedModule(Module):
    """What torch.compile returns for a Module: the module itself, run eagerly.  Reading an
    attribute it lacks, setting one and its `training` flag all go to the original module, as
    torch's wrapper forwards them."""

    def __init__(self, mod, dynamo_ctx=None):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def _orig(self):
        return self.__dict__.get("_modules", {}).get("_orig_mod")

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            orig = self._orig()
            if orig is None:
                raise
            return getattr(orig, name)

    def __setattr__(self, name, value):
        orig = self._orig()
        if orig is None or name == "_orig_mod":
            super().__setattr__(name, value)
        else:
            setattr(orig, name, value)

    def __delattr__(self, name):
        orig = self._orig()
        if orig is None or name == "_orig_mod":
            super().__delattr__(name)
        else:
            delattr(orig, name)

    @property
    def training(self):
        orig = self._orig()
        return self.__dict__.get("_training", True) if orig is None else orig.training

    @training.setter
    def training(self, mode):
        orig = self._orig()
        if orig is None:
            self.__dict__["_training"] = mode
        else:
            orig.training = mode


OptimizedModule.__module__ = "torch._dynamo.eval_frame"


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable=False, **kwargs):
    """torch.compile: returns `model` wrapped, run eagerly (zerograd has no compiler)."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified "
                           "at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable, **kwargs)
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args, **kw):
        return model(*args, **kw)
    return compiled
