"""Parameter: a Tensor that a Module registers when it is assigned as an attribute.

    self.weight = nn.Parameter(torch.empty(out, in))    # now in self.parameters()

A Parameter is a leaf that requires grad by default and prints as `Parameter containing:`.
Operations on it return plain Tensors, as in torch.
"""
from __future__ import annotations

from ..ops import empty
from ..grad_mode import is_inference_mode_enabled
from ..tensor import Tensor, factory_requires_grad


class Parameter(Tensor):
    """A Tensor registered by Modules; shares memory with `data` (requires_grad=True default)."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):   # torch's path for "custom tensors" calls detach()
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._vc is None and not is_inference_mode_enabled():
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        p = object.__new__(cls)
        Tensor._init(p, data._data, False)
        if requires_grad:
            factory_requires_grad(p)        # (torch's factory message for an integer dtype)
        return p

    def __init__(self, data=None, requires_grad=True):   # all done in __new__
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        """A new Parameter holding a copy of the data (torch's: the .grad is not copied)."""
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._make(self._data.copy(), False, None, 0), self.requires_grad)
        memo[id(self)] = p
        return p


class _BufferMeta(type):
    """isinstance(t, Buffer) is True for the tensors Buffer(...) made (they carry _is_buffer)."""

    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer and isinstance(instance, Tensor) and \
                getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """torch.nn.Buffer: marks a tensor to be registered as a buffer when assigned to a Module
    attribute (`persistent=False` keeps it out of the state_dict).  As in torch, Buffer(t) is a
    plain Tensor (t.detach(), sharing its memory) flagged `_is_buffer`, with a `persistent`
    attribute; isinstance(b, Buffer) recognises it."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


# torch.nn.parameter's lazy placeholders (defined in nn/_uninitialized.py, which needs Parameter)
from ._uninitialized import (UninitializedBuffer, UninitializedParameter,  # noqa: E402,F401
                             UninitializedTensorMixin, is_lazy)
