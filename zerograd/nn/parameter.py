"""Parameter: a Tensor that a Module registers when it is assigned as an attribute.

    self.weight = nn.Parameter(torch.empty(out, in))    # now in self.parameters()

A Parameter is a leaf that requires grad by default and prints as `Parameter containing:`.
Operations on it return plain Tensors, as in torch.
"""
from __future__ import annotations

from ..ops import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor registered by Modules; shares memory with `data` (requires_grad=True default)."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): expected a Tensor as data, got {type(data).__name__}")
        p = object.__new__(cls)
        Tensor._init(p, data._data, False)
        if requires_grad:
            if not data.is_floating_point():
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):   # all done in __new__
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._make(self._data.copy(), False, None, 0), self.requires_grad)
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy(), False, None, 0)
        memo[id(self)] = p
        return p


class Buffer(Tensor):
    """torch.nn.Buffer: marks a tensor to be registered as a buffer when assigned to a Module
    attribute (`persistent=False` keeps it out of the state_dict).  What gets stored is a plain
    Tensor sharing memory with the given one."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        b = object.__new__(cls)
        Tensor._init(b, data._data, False)
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass
