"""Factories (tensor, zeros, arange, ...); the random ones (rand, randn, ..., the Generator) are
torch's CPU streams, from random.py, re-exported here.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor
from ._util import checked_scalar, convert_scalar, factory_result, shape_arg, size_arg


def _np_dtype(dtype, default=None):
    if dtype is None:
        return default
    return _dt.to_numpy_dtype(_dt.as_dtype(dtype))


def _infer_np(data, keep_float64=False):
    """NumPy array for nested Python data, with torch's dtype inference (floats -> default)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (np.generic,)):
        return np.asarray(data)
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        data = _tensors_to_lists(data)
    arr = np.asarray(data)
    if arr.dtype == object:
        raise TypeError("tensor(): could not infer a dtype: nested sequences must be rectangular "
                        "and hold numbers or bools")
    if arr.dtype.kind == "f":
        has_np_float = any(isinstance(d, np.floating) for d in _flat(data))
        if not has_np_float and not keep_float64:
            arr = arr.astype(_dt.get_default_dtype().np)
    elif arr.dtype.kind in "iu":
        if not any(isinstance(d, np.integer) for d in _flat(data)):
            arr = arr.astype(np.int64)
    elif arr.dtype.kind == "U":
        raise TypeError("new(): invalid data type 'str'")
    elif arr.dtype.kind == "c":
        raise TypeError("complex tensors are not supported by zerograd")
    return arr


def _flat(data):
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            yield d


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(d) for d in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of `data` (nested lists, numbers, NumPy arrays)."""
    if dtype is not None and not isinstance(data, (Tensor, np.ndarray)):
        # convert straight to the asked dtype: going through float32 first would round 0.3
        data = _tensors_to_lists(data) if isinstance(data, (list, tuple)) else data
        arr = _infer_np(data, keep_float64=True)
        npd = _np_dtype(dtype, arr.dtype)
        if npd.kind in "iu" and arr.dtype.kind in "iuf":
            arr = _python_into_int(data, arr, npd)
    else:
        arr = _infer_np(data)
    arr = np.array(arr, dtype=_np_dtype(dtype, arr.dtype), copy=True)
    return factory_result(arr, requires_grad, device)


def _python_into_int(data, arr, npd):
    """Python numbers into an integer dtype as torch.tensor converts them, each by its own type: a
    float truncates and must be finite and in range, an int must fit (an unsigned dtype takes
    negatives down to -max, which wrap: -1 is 255 in uint8).  Checked on the array; only when that
    finds a suspect value are the numbers converted one by one (a mix of ints and floats)."""
    info = np.iinfo(npd)
    lo = -info.max if npd.kind == "u" and arr.dtype.kind != "f" else info.min
    with np.errstate(invalid="ignore"):
        suspect = ~((arr >= lo) & (arr <= info.max))          # (nan and ±inf too)
        if arr.dtype.kind == "f":
            suspect |= arr >= 2.0 ** 63                         # (int64's max rounds up to it)
    if not suspect.any():
        return arr
    try:
        values = [convert_scalar(v, npd) for v in np.asarray(data, dtype=object).ravel()]
    except RuntimeError:
        raise RuntimeError(f"value cannot be converted to type {npd.name} without overflow") \
            from None
    return np.array(values, dtype=npd).reshape(arr.shape)


def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but shares memory with `data` when it is already a tensor or an array of the
    right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None or _dt.as_dtype(dtype).np == data._data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        _dt.from_numpy_dtype(data.dtype)
        return factory_result(data if dtype is None else data.astype(_np_dtype(dtype), copy=False), False,
                       device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(arr):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _dt.from_numpy_dtype(arr.dtype)
    return factory_result(arr, False)


def _size(size):
    return shape_arg(size)


def _filled(np_fn, fname, size_args, size, dtype, requires_grad, device):
    shape = size_arg(fname, size_args, size)
    return factory_result(np_fn(shape, _np_dtype(dtype, _dt.get_default_dtype().np)),
                          requires_grad, device)


def zeros(*size_args, size=None, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(np.zeros, "zeros", size_args, size, dtype, requires_grad, device)


def ones(*size_args, size=None, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(np.ones, "ones", size_args, size, dtype, requires_grad, device)


def empty(*size_args, size=None, dtype=None, device=None, requires_grad=False,
          memory_format=None, out=None):
    return _filled(np.empty, "empty", size_args, size, dtype, requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    npd = _np_dtype(dtype, _dt.scalar_dtype(fill_value).np)
    return factory_result(np.full(_size((size,) if isinstance(size, int) else (size,)),
                           _checked_fill(fill_value, npd), npd), requires_grad, device)


def _like(t, dtype):
    return _np_dtype(dtype, t._data.dtype)


def zeros_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return factory_result(np.zeros(t._data.shape, _like(t, dtype)), requires_grad, device)


def ones_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return factory_result(np.ones(t._data.shape, _like(t, dtype)), requires_grad, device)


def empty_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return factory_result(np.empty(t._data.shape, _like(t, dtype)), requires_grad, device)


def full_like(t, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    npd = _like(t, dtype)
    return factory_result(np.full(t._data.shape, _checked_fill(fill_value, npd), npd), requires_grad,
                   device)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype is not None and np.dtype(_np_dtype(dtype)) == np.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if step > 0 and end < start or step < 0 and end > start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np if is_float else np.int64))
    if npd.kind in "iu":
        # torch: the values are start + i·step with start and step truncated to integers
        # (wrapping into small dtypes); the count comes from the integers for int64, else
        # from the numbers as given
        xs, xe, xst = int(start), int(end), int(step)
        if npd == np.int64:
            if xst == 0:
                raise ValueError("step must be nonzero")
            n = int(np.ceil((xe - xs) / xst))
        else:
            n = int(np.ceil((end - start) / step))
        arr = (xs + np.arange(max(n, 0), dtype=np.int64) * xst).astype(npd)
    else:
        n = int(np.ceil((end - start) / step))
        arr = (start + np.arange(max(n, 0), dtype=np.float64) * step).astype(npd)
    return factory_result(arr, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np))
    steps = int(steps)
    if steps <= 1:                         # (no kernel runs: the start, or nothing)
        first = _to_int(start, npd) if steps and npd.kind in "iu" else start
        return factory_result(np.full(steps, first, npd), requires_grad, device)
    if npd == np.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if npd.kind not in "iu":
        return factory_result(np.linspace(start, end, steps).astype(npd), requires_grad, device)
    # integer dtypes, as torch: the ends converted to the dtype first (checked), the points
    # start + i·step in double (from the end for the second half), truncated
    a, b = (_to_int(v, npd) for v in (start, end))
    step = (b - a) / (steps - 1)
    i = np.arange(steps)
    half = steps // 2
    vals = np.where(i < half, a + step * i, b - step * (steps - 1 - i))
    return factory_result(np.trunc(vals).astype(npd), requires_grad, device)


def _checked_fill(v, npd):
    """A fill value for an integer dtype, checked as torch checks it (floats: in range)."""
    if isinstance(v, float) and np.dtype(npd).kind in "iu":
        _to_int(v, np.dtype(npd))
        return v
    return checked_scalar(v, npd)


def _to_int(v, npd):
    """A number converted to an integer dtype as torch's Scalar.to<T>() does (checked)."""
    return convert_scalar(v, npd)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    npd = _np_dtype(dtype, _dt.get_default_dtype().np)
    return factory_result(np.eye(n, m, dtype=npd), requires_grad, device)


# ------------------------------------------------------------------------------------------------
# random numbers: torch's CPU generator and streams live in random.py
# ------------------------------------------------------------------------------------------------

from .random import (Generator, bernoulli, default_generator, get_rng_state,  # noqa: E402,F401
                     initial_seed, manual_seed, multinomial, normal, rand, rand_like, randint,
                     randint_like, randn, randn_like, randperm, seed, set_rng_state)


def is_number(x) -> bool:
    return isinstance(x, numbers.Number)
