"""Ops without gradients: comparisons, logical ops, tests (isnan...), allclose/equal, integer
division.  Their results are bool or integer tensors, which never require grad, so they are plain
functions and record nothing."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._args import need_tensor_pair
from ._util import binary_arrays, canon_dims, check_broadcast, wrap


def _cmp(f, a, b):
    x, y = binary_arrays(a, b)
    try:
        return wrap(np.asarray(f(x, y)))
    except ValueError:
        check_broadcast(x, y)
        raise


def eq(input, other):
    return _cmp(np.equal, input, other)


def ne(input, other):
    return _cmp(np.not_equal, input, other)


def lt(input, other):
    return _cmp(np.less, input, other)


def le(input, other):
    return _cmp(np.less_equal, input, other)


def gt(input, other):
    return _cmp(np.greater, input, other)


def ge(input, other):
    return _cmp(np.greater_equal, input, other)


def _logical(fn, name, a, b, method):
    """torch's logical_and/or/xor take tensors only (a number raises, unlike eq/lt...)."""
    need_tensor_pair(name, a, b, method)
    return _cmp(fn, a, b)


def logical_and(input, other, *, _method=None):
    return _logical(np.logical_and, "logical_and", input, other, _method)


def logical_or(input, other, *, _method=None):
    return _logical(np.logical_or, "logical_or", input, other, _method)


def logical_xor(input, other, *, _method=None):
    return _logical(np.logical_xor, "logical_xor", input, other, _method)


def logical_not(input):
    return wrap(np.logical_not(input._data))


def bitwise_not(input):
    if input._data.dtype.kind not in "iub":
        from .nn_ops import _LEGACY
        name = input._data.dtype.name
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_LEGACY.get(name, name)}'")
    return wrap(np.invert(input._data))


def isnan(input):
    return wrap(np.isnan(input._data) if input._data.dtype.kind in "fV" else
                np.zeros(input._data.shape, bool))


def isinf(input):
    return wrap(np.isinf(input._data) if input._data.dtype.kind in "fV" else
                np.zeros(input._data.shape, bool))


def isfinite(input):
    return wrap(np.isfinite(input._data) if input._data.dtype.kind in "fV" else
                np.ones(input._data.shape, bool))


def floor_divide(input, other):
    """a // b: torch records a node for float inputs, but its backward raises."""
    from .elementwise import FloorDivide
    if not isinstance(input, Tensor):       # number // tensor: the number's own dtype (2.5 is
        from .. import dtypes as _dt        # the default float, not float64), as torch
        input = Tensor._make(np.asarray(input, _dt.scalar_dtype(input).np), False, None, 0)
    return FloorDivide.record(FloorDivide.apply(input, other))


def remainder(input, other):
    """a % b, the sign of b (Python's); differentiable (RemainderBackward0/1, as torch) except
    number % tensor, which torch records with a node whose backward raises."""
    from .elementwise import Remainder, RemainderNumber, RemainderScalar
    if not isinstance(input, Tensor):       # number % tensor: the number is a weak scalar
        if isinstance(other, Tensor):
            return RemainderNumber.record(RemainderNumber.apply(input, other))
        input = Tensor._make(np.asarray(input), False, None, 0)
    if isinstance(other, Tensor):
        return Remainder.apply(input, other)
    return RemainderScalar.apply(input, other)


def _arrays_same_dtype(a, b, what):
    if not isinstance(b, Tensor):
        raise TypeError(f"{what}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if a._data.dtype != b._data.dtype:
        from ._util import legacy_type_name
        n1, n2 = (legacy_type_name(t.dtype).replace("Tensor", "") for t in (a, b))
        raise RuntimeError(f"{n1} did not match {n2}. Fix: convert one of them first, e.g. "
                           f"b.to(a.dtype)")
    return a._data, b._data


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y = _arrays_same_dtype(input, other, "isclose")
    return wrap(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y = _arrays_same_dtype(input, other, "allclose")
    try:
        return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        check_broadcast(x, y)
        raise


def equal(input, other):
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def all(input, dim=None, keepdim=False):  # noqa: A001
    return _all_any(np.all, input, dim, keepdim)


def any(input, dim=None, keepdim=False):  # noqa: A001
    return _all_any(np.any, input, dim, keepdim)


def _all_any(f, a, dim, keepdim):
    """torch.all / torch.any: bool results, except uint8 in, uint8 out (torch keeps that)."""
    r = np.asarray(f(a._data, axis=None if dim is None else canon_dims(dim, a.ndim),
                     keepdims=keepdim))
    return wrap(r.astype(np.uint8) if a._data.dtype == np.uint8 else r)
