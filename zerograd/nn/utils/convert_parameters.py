"""parameters_to_vector / vector_to_parameters: all parameters as one flat vector and back."""
from __future__ import annotations

from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """torch.cat of every parameter flattened (differentiable)."""
    from ... import cat     # the core's cat (shape ops)
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of `vec` into the parameters' data (no autograd)."""
    if not isinstance(vec, Tensor):
        kind = type(vec)                    # torch.typename: module-qualified but for builtins
        name = kind.__qualname__ if kind.__module__ in ("", "builtins") else \
            f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"expected torch.Tensor, but got: {name}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
