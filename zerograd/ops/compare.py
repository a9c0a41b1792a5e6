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


def eq(a, b):
    return _cmp(np.equal, a, b)


def ne(a, b):
    return _cmp(np.not_equal, a, b)


def lt(a, b):
    return _cmp(np.less, a, b)


def le(a, b):
    return _cmp(np.less_equal, a, b)


def gt(a, b):
    return _cmp(np.greater, a, b)


def ge(a, b):
    return _cmp(np.greater_equal, a, b)


def _logical(fn, name, a, b, method):
    """torch's logical_and/or/xor take tensors only (a number raises, unlike eq/lt...)."""
    need_tensor_pair(name, a, b, method)
    return _cmp(fn, a, b)


def logical_and(a, b, *, _method=None):
    return _logical(np.logical_and, "logical_and", a, b, _method)


def logical_or(a, b, *, _method=None):
    return _logical(np.logical_or, "logical_or", a, b, _method)


def logical_xor(a, b, *, _method=None):
    return _logical(np.logical_xor, "logical_xor", a, b, _method)


def logical_not(a):
    return wrap(np.logical_not(a._data))


def bitwise_not(a):
    if a._data.dtype.kind not in "iub":
        from .nn_ops import _LEGACY
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_LEGACY.get(a._data.dtype.name, a._data.dtype.name)}'")
    return wrap(np.invert(a._data))


def isnan(a):
    return wrap(np.isnan(a._data) if a._data.dtype.kind == "f" else np.zeros(a._data.shape, bool))


def isinf(a):
    return wrap(np.isinf(a._data) if a._data.dtype.kind == "f" else np.zeros(a._data.shape, bool))


def isfinite(a):
    return wrap(np.isfinite(a._data) if a._data.dtype.kind == "f" else np.ones(a._data.shape, bool))


def floor_divide(a, b):
    """a // b: torch records a node for float inputs, but its backward raises."""
    from .elementwise import FloorDivide
    if not isinstance(a, Tensor):
        a = Tensor._make(np.asarray(a), False, None, 0)
    return FloorDivide.record(FloorDivide.apply(a, b))


def remainder(a, b):
    """a % b, the sign of b (Python's); differentiable (RemainderBackward0/1, as torch) except
    number % tensor, which torch records with a node whose backward raises."""
    from .elementwise import Remainder, RemainderNumber, RemainderScalar
    if not isinstance(a, Tensor):       # number % tensor: the number is a weak scalar
        if isinstance(b, Tensor):
            return RemainderNumber.record(RemainderNumber.apply(a, b))
        a = Tensor._make(np.asarray(a), False, None, 0)
    if isinstance(b, Tensor):
        return Remainder.apply(a, b)
    return RemainderScalar.apply(a, b)


def _arrays_same_dtype(a, b, what):
    if not isinstance(b, Tensor):
        raise TypeError(f"{what}(): argument 'other' must be Tensor, not {type(b).__name__}")
    if a._data.dtype != b._data.dtype:
        from ._util import legacy_type_name
        n1, n2 = (legacy_type_name(t.dtype).replace("Tensor", "") for t in (a, b))
        raise RuntimeError(f"{n1} did not match {n2}. Fix: convert one of them first, e.g. "
                           f"b.to(a.dtype)")
    return a._data, b._data


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y = _arrays_same_dtype(a, b, "isclose")
    return wrap(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    x, y = _arrays_same_dtype(a, b, "allclose")
    try:
        return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        check_broadcast(x, y)
        raise


def equal(a, b):
    return a._data.shape == b._data.shape and bool(np.array_equal(a._data, b._data))


def all(a, dim=None, keepdim=False):  # noqa: A001
    return _all_any(np.all, a, dim, keepdim)


def any(a, dim=None, keepdim=False):  # noqa: A001
    return _all_any(np.any, a, dim, keepdim)


def _all_any(f, a, dim, keepdim):
    """torch.all / torch.any: bool results, except uint8 in, uint8 out (torch keeps that)."""
    r = np.asarray(f(a._data, axis=None if dim is None else canon_dims(dim, a.ndim),
                     keepdims=keepdim))
    return wrap(r.astype(np.uint8) if a._data.dtype == np.uint8 else r)
