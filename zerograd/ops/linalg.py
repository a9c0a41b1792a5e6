"""Matrix products: mm, mv, dot, bmm, addmm, and matmul built from them as torch does.

For Z = A @ B with upstream gradient G:   dA = G @ Bᵀ,   dB = Aᵀ @ G.
`matmul` follows torch's decomposition so the graph shows the same nodes: a batched
`(B, H, D) @ (D, E)` folds the batch into one mm (ViewBackward0 -> MmBackward0 ->
UnsafeViewBackward0), which is also the fastest layout for BLAS.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from .shape import SqueezeMatmul, UnsafeView, expand, reshape, unsqueeze


def _same_dtype(a, b, what="m1", what2="m2"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {what} and {what2} to have the same dtype, but got: "
                           f"{_short(a)} != {_short(b)}. Fix: convert one, e.g. b.to(a.dtype).")


def _short(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bfloat16": "c10::BFloat16"}.get(t.dtype.name, t.dtype.name)


class Mm(Op):
    """Z = A @ B (2-D)         dA = G Bᵀ,  dB = Aᵀ G"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 2 or y.ndim != 2:
            raise RuntimeError(f"mm(): expected 2-D tensors, got {x.ndim}-D and {y.ndim}-D")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                               f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        _same_dtype(a, b)
        ctx.save_for_backward(a, b)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g.mm(b.t()) if need[0] else None), (a.t().mm(g) if need[1] else None)


class Mv(Op):
    """z = A @ v               dA = g vᵀ (outer),  dv = Aᵀ g"""

    @staticmethod
    def forward(ctx, a, v):
        x, y = a._data, v._data
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x"
                               f"{x.shape[1]}), vec ({y.shape[0]})")
        _same_dtype(a, v, "mat", "vec")
        ctx.save_for_backward(a, v)
        return x @ y

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g.unsqueeze(1) * v.unsqueeze(0)) if need[0] else None,
                (a.t().mv(g) if need[1] else None))


class Dot(Op):
    """z = a · b               da = g b,  db = g a"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 1 or y.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
        if x.shape[0] != y.shape[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src "
                               f"[{y.shape[0]}] to have the same number of elements, but got "
                               f"{x.shape[0]} and {y.shape[0]} elements respectively")
        _same_dtype(a, b, "self", "tensor")
        ctx.save_for_backward(a, b)
        return np.asarray(x @ y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * a if need[1] else None)


class Bmm(Op):
    """Z[i] = A[i] @ B[i]       dA = G Bᵀ,  dB = Aᵀ G   (per batch)"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 3 or y.ndim != 3:
            raise RuntimeError(f"batch1 must be a 3D tensor (got {x.ndim}D and {y.ndim}D)")
        if x.shape[0] != y.shape[0] or x.shape[2] != y.shape[1]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}].")
        _same_dtype(a, b, "batch1", "batch2")
        ctx.save_for_backward(a, b)
        return np.matmul(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g.bmm(b.transpose(1, 2)) if need[0] else None),
                (a.transpose(1, 2).bmm(g) if need[1] else None))


class Addmm(Op):
    """Z = β c + α A @ B       dc = β G (summed to c's shape),  dA = α G Bᵀ,  dB = α Aᵀ G"""
    arity = 3

    @staticmethod
    def forward(ctx, c, a, b, beta=1, alpha=1):
        x, y = a._data, b._data
        if x.ndim != 2 or y.ndim != 2:
            raise RuntimeError(f"addmm(): mat1 and mat2 must be matrices, got {x.ndim}-D and "
                               f"{y.ndim}-D")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                               f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        _same_dtype(a, b)
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        z = x @ y
        if alpha != 1:
            z *= alpha
        cz = c._data if beta == 1 else c._data * beta
        try:
            np.add(z, cz, out=z)
        except ValueError:
            raise RuntimeError(f"The expanded size of the tensor ({z.shape[-1]}) must match the "
                               f"existing size ({c._data.shape[-1]}) of the bias: bias shape "
                               f"{list(c._data.shape)} does not broadcast to {list(z.shape)}") from None
        return z

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        beta, alpha = ctx.beta, ctx.alpha
        dc = (g if beta == 1 else g * beta) if need[0] else None
        da = db = None
        if need[1]:
            da = g.mm(b.t())
            da = da if alpha == 1 else da * alpha
        if need[2]:
            db = a.t().mm(g)
            db = db if alpha == 1 else db * alpha
        return dc, da, db


def mm(a, b):
    return Mm.apply(a, b)


def mv(a, v):
    return Mv.apply(a, v)


def dot(a, b):
    return Dot.apply(a, b)


def bmm(a, b):
    return Bmm.apply(a, b)


def addmm(c, a, b, *, beta=1, alpha=1):
    return Addmm.apply(c, a, b, beta, alpha)


def matmul(a, b):
    """torch.matmul, decomposed into the nodes torch records (see module docstring)."""
    from ..tensor import Tensor
    if not isinstance(b, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(b).__name__}")
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D "
                           f"and {db}D")
    if da == 1 and db == 1:
        return Dot.apply(a, b)
    if da == 2 and db == 1:
        return Mv.apply(a, b)
    if da == 1 and db == 2:
        return SqueezeMatmul.apply(Mm.apply(unsqueeze(a, 0), b), (0,))
    if da == 2 and db == 2:
        return Mm.apply(a, b)
    k = a._data.shape[-1]
    kb = b._data.shape[0] if db == 1 else b._data.shape[-2]
    if k != kb:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{k}] but got: [{kb}]. (matmul shapes {list(a._data.shape)} @ "
                           f"{list(b._data.shape)} do not match: {k} != {kb})")
    if da >= 3 and db <= 2:
        # fold the batch into the rows of one matrix product
        batch = a._data.shape[:-1]
        flat = reshape(a, (-1, k))
        if db == 1:
            return UnsafeView.apply(Mv.apply(flat, b), batch)
        return UnsafeView.apply(Mm.apply(flat, b), batch + (b._data.shape[-1],))
    # general batched case: broadcast the batch dims, flatten them, one bmm
    a2 = unsqueeze(a, 0) if da == 1 else a
    b2 = unsqueeze(b, -1) if db == 1 else b
    n, m, p = a2._data.shape[-2], k, b2._data.shape[-1]
    try:
        batch = np.broadcast_shapes(a2._data.shape[:-2], b2._data.shape[:-2])
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions {list(a._data.shape[:-2])} and "
                           f"{list(b._data.shape[:-2])} do not broadcast") from None
    a3 = reshape(expand(a2, batch + (n, m)), (-1, n, m))
    b3 = reshape(expand(b2, batch + (m, p)), (-1, m, p))
    out_shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    return UnsafeView.apply(Bmm.apply(a3, b3), out_shape)
