"""Matrix products: mm, mv, dot, bmm, addmm, and matmul built from them as torch does.

For Z = A @ B with upstream gradient G:   dA = G @ Bᵀ,   dB = Aᵀ @ G.
`matmul` follows torch's decomposition so the graph shows the same nodes: a batched
`(B, H, D) @ (D, E)` folds the batch into one mm (ViewBackward0 -> MmBackward0 ->
UnsafeViewBackward0), which is also the fastest layout for BLAS.
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import numpy as np

from ..autograd.function import Op
from ._util import check_broadcast, row_op
from .shape import (Clone, SqueezeDim, SqueezeMatmul, UnsafeView, expand, reshape, transpose,
                    unsqueeze)


def _same_dtype(a, b, what="m1", what2="m2"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {what} and {what2} to have the same dtype, but got: "
                           f"{_short(a)} != {_short(b)}. Fix: convert one, e.g. b.to(a.dtype).")


def _no_bool(x, kernel):
    """torch has no bool kernel for its matrix products (bool @ bool): the same error."""
    if x.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _short(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bfloat16": "c10::BFloat16"}.get(t.dtype.name, t.dtype.name)


def _scalar_name(t):
    """torch's ScalarType name: Float, Double, Long, ..."""
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t.dtype.name, t.dtype.name)


def _blas_ready(g):
    """A broadcast gradient (stride 0, e.g. from sum's backward) copied once into a contiguous
    array: BLAS cannot read stride-0 memory, so NumPy would otherwise copy it for each product."""
    return np.ascontiguousarray(g) if 0 in g.strides else g


def _in_dtype(z, x):
    """A product in its operands' dtype: ml_dtypes' bfloat16 matmul returns float32 (torch
    accumulates in float32 and rounds to bfloat16 too)."""
    return z if z.dtype == x.dtype else z.astype(x.dtype)


def _transposed(m) -> bool:
    """A 2-D array laid out column-major (e.g. W.t() of a row-major weight)."""
    return m.flags.f_contiguous and not m.flags.c_contiguous


def _mat1_grad(g, a, b):
    """dA = G Bᵀ; (B Gᵀ)ᵀ when A is a transposed view, so the gradient has A's layout (torch's
    mm_mat1_backward)."""
    if _transposed(a):
        return (b @ g.T).T
    return g @ b.T


def _mat2_grad(g, a, b):
    """dB = Aᵀ G.  When B is a transposed view (nn.Linear's weight.t()), compute (Gᵀ A)ᵀ instead:
    the same numbers, laid out so that TBackward hands the weight a row-major gradient (what
    torch's mm_mat2_backward does; .grad is then stored without a strided copy)."""
    if _transposed(b):
        return (g.T @ a).T
    return a.T @ g


class Mm(Op):
    """Z = A @ B (2-D)         dA = G Bᵀ,  dB = Aᵀ G"""

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        if x.ndim != 2 or y.ndim != 2:
            raise RuntimeError(f"{'self' if x.ndim != 2 else 'mat2'} must be a matrix")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                               f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        _same_dtype(a, b)
        _no_bool(x, "addmm_impl_cpu_")
        ctx.save_for_backward(a, b)
        return _in_dtype(x @ y, x)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g.mm(b.t()) if need[0] else None), (a.t().mm(g) if need[1] else None)

    @staticmethod
    def np_backward(ctx, g):
        a, b = ctx._saved_np()
        need = ctx.needs_input_grad
        g = _blas_ready(g)
        return (_mat1_grad(g, a, b) if need[0] else None), (_mat2_grad(g, a, b) if need[1] else None)


class Mv(Op):
    """z = A @ v               dA = g vᵀ (outer),  dv = Aᵀ g"""

    @staticmethod
    def forward(ctx, a, v):
        x, y = a._data, v._data
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x"
                               f"{x.shape[1]}), vec ({y.shape[0]})")
        if x.dtype != y.dtype:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                               f"{_scalar_name(a)}, {_scalar_name(v)}, and {_scalar_name(a)}")
        _no_bool(x, "addmv_impl_cpu")
        ctx.save_for_backward(a, v)
        return _in_dtype(x @ y, x)

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
        if x.dtype != y.dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_scalar_name(a)} and {_scalar_name(b)}")
        _no_bool(x, "dot")
        ctx.save_for_backward(a, b)
        return _in_dtype(np.asarray(x @ y), x)

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
        if x.dtype != y.dtype:
            raise RuntimeError(f"expected scalar type {_scalar_name(a)} but found "
                               f"{_scalar_name(b)}")
        _no_bool(x, "bmm")
        ctx.save_for_backward(a, b)
        return _in_dtype(np.matmul(x, y), x)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g.bmm(b.transpose(1, 2)) if need[0] else None),
                (a.transpose(1, 2).bmm(g) if need[1] else None))

    @staticmethod
    def np_backward(ctx, g):
        a, b = ctx._saved_np()
        need = ctx.needs_input_grad
        return ((np.matmul(g, b.swapaxes(1, 2)) if need[0] else None),
                (np.matmul(a.swapaxes(1, 2), g) if need[1] else None))


class Addmm(Op):
    """Z = β c + α A @ B       dc = β G (summed to c's shape),  dA = α G Bᵀ,  dB = α Aᵀ G"""
    arity = 3

    @staticmethod
    def forward(ctx, c, a, b, beta=1, alpha=1):
        x, y = a._data, b._data
        if x.ndim != 2 or y.ndim != 2:
            which, nd = ("mat1", x.ndim) if x.ndim != 2 else ("mat2", y.ndim)
            raise RuntimeError(f"{which} must be a matrix, got {nd}-D tensor")
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                               f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
        if x.dtype != y.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{_scalar_name(a)} and {_scalar_name(b)}")
        if c._data.dtype != y.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{_scalar_name(c)} and {_scalar_name(b)}")
        _no_bool(x, "addmm_impl_cpu_")
        if x.dtype.kind in "iu":           # integral: torch converts beta and alpha to the
            from .creation import _to_int   # dtype (checked; -1 wraps into uint8, -1.0 raises)
            beta, alpha = _to_int(beta, x.dtype), _to_int(alpha, x.dtype)
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        half = x.dtype.itemsize == 2 and x.dtype.kind in "fV"
        if half:                    # float32 products and sums, rounded once, as torch's kernels
            x, y = x.astype(np.float32), y.astype(np.float32)
        z = _in_dtype(x @ y, x)
        if alpha != 1:
            z *= alpha
        try:
            if beta != 0:
                cd = c._data if beta == 1 else c._data * beta
                if half:
                    cd = cd.astype(np.float32)
                if cd.ndim == 1 and z.ndim == 2 and cd.shape[0] == z.shape[1] and \
                        cd.dtype == z.dtype and z.flags.c_contiguous:
                    row_op(np.add, z, cd, z)            # (nn.Linear's bias)
                else:
                    np.add(z, cd, out=z)
            elif np.broadcast_shapes(c._data.shape, z.shape) != z.shape:
                raise ValueError     # beta = 0: torch ignores the values (nan too), not the shape
        except ValueError:
            expand(c, z.shape)      # raises torch's message for a bias that does not broadcast
            raise
        return z.astype(a._data.dtype) if half else z

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

    @staticmethod
    def np_backward(ctx, g):
        a, b = ctx._saved_np()
        need = ctx.needs_input_grad
        beta, alpha = ctx.beta, ctx.alpha
        dc = (g if beta == 1 else g * beta) if need[0] else None
        da = db = None
        g = _blas_ready(g)
        if need[1]:
            da = _mat1_grad(g, a, b)
            da = da if alpha == 1 else da * alpha
        if need[2]:
            db = _mat2_grad(g, a, b)
            db = db if alpha == 1 else db * alpha
        return dc, da, db


@_autocast.lower_precision
def mm(input, mat2):
    return Mm.apply(input, mat2)


def mv(input, vec):
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    return Mv.apply(input, vec)


def dot(input, tensor):
    return Dot.apply(input, tensor)


@_autocast.lower_precision
def bmm(input, mat2):
    return Bmm.apply(input, mat2)


@_autocast.lower_precision
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return Addmm.apply(input, mat1, mat2, beta, alpha)


@_autocast.lower_precision
def matmul(input, other):
    """torch.matmul, decomposed into the nodes torch records (see module docstring)."""
    from ..tensor import Tensor
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    da, db = input.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D "
                           f"and {db}D")
    if da == 1 and db == 1:
        return Dot.apply(input, other)
    if da == 2 and db == 1:
        return Mv.apply(input, other)
    if da == 1 and db == 2:
        return SqueezeMatmul.apply(Mm.apply(unsqueeze(input, 0), other), (0,))
    if da == 2 and db == 2:
        return Mm.apply(input, other)
    if _should_fold(input, other):
        # fold the batch of the larger operand into the rows of one mm/mv (the larger operand
        # on the left: A @ B = (Bᵀ @ Aᵀ)ᵀ when B is the larger one)
        swap = db > da
        t1 = transpose(other, -2, -1) if swap else input
        t2 = (input.t() if da == 2 else input) if swap else other
        shape1 = t1._data.shape
        out_shape = shape1[:-1]
        rows = int(np.prod(out_shape, dtype=np.int64))
        folded = reshape(t1, (rows, shape1[-1]))
        if t2.ndim == 1:
            return UnsafeView.apply(Mv.apply(folded, t2), out_shape)
        out = UnsafeView.apply(Mm.apply(folded, t2), out_shape + (t2._data.shape[1],))
        if not swap:
            return out
        out = transpose(out, -2, -1)           # torch's .contiguous(): a copy only if needed
        return out if out._data.flags.c_contiguous else Clone.apply(out)
    # general batched case: broadcast the batch dims, flatten them, one bmm
    sa, sb = input._data.shape, other._data.shape
    n = sa[-2] if da > 1 else 1
    m1 = sa[-1]
    m2 = sb[-2] if db > 1 else sb[0]
    p = sb[-1] if db > 1 else 1
    if da == 3 and db == 3 and sa[0] != sb[0]:   # a batch of one that requires grad: squeeze it
        if sa[0] == 1 and input.requires_grad:
            return matmul(SqueezeDim.apply(input, (0,)), other)
        if sb[0] == 1 and other.requires_grad:
            return matmul(input, SqueezeDim.apply(other, (0,)))
    try:
        batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    except ValueError:
        check_broadcast(*(np.broadcast_to(np.False_, s[:-2]) for s in (sa, sb)))
        raise
    nb = int(np.prod(batch, dtype=np.int64))
    a3 = reshape(expand(input, batch + (n, m1)), (nb, n, m1))
    if db == 1:
        b3 = unsqueeze(reshape(expand(other, batch + (m2,)), (nb, m2)), 2)
    else:
        b3 = reshape(expand(other, batch + (m2, p)), (nb, m2, p))
    out_shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    z = Bmm.apply(a3, b3)
    return UnsafeView.apply(SqueezeDim.apply(z, (2,)) if db == 1 else z, out_shape)


def _should_fold(a, b) -> bool:
    """torch's should_fold: fold into mm/mv when one operand has >= 3 dims and the other <= 2,
    and either the smaller one requires grad or the larger one folds without a copy."""
    da, db = a.ndim, b.ndim
    big, small = (a, b) if da >= db else (b, a)
    if not (big.ndim >= 3 and small.ndim <= 2):
        return False
    if small.requires_grad:
        return True
    if da == 2:
        return False
    x = big._data if da >= db else np.swapaxes(big._data, -1, -2)
    if x.size == 0:
        return True
    st, sh = x.strides, x.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(x.ndim - 2))
