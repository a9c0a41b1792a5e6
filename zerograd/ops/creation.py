"""Factories (tensor, zeros, arange, ...); the random ones (rand, randn, ..., the Generator) are
torch's CPU streams, from random.py, re-exported here.
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from .. import dtypes as _dt
from ..grad_mode import _state as _gm_state
from ..tensor import Tensor, _warn_float_of_non_leaf, factory_requires_grad
from ..tensor import Size as _Size
from ._args import user_stacklevel
from ._util import (alloc, check_shape, checked_scalar, convert_scalar, factory_options,
                    factory_result, into_out, out_dtype, scalar_type_name, shape_arg, size_arg)


def _np_dtype(dtype, default=None, fname="tensor"):
    if dtype is None:
        return default
    return _dt.to_numpy_dtype(_dt.dtype_arg(fname, dtype))


def _is_seq(obj) -> bool:
    """Python's sequence protocol as torch's PySequence_Check sees it (a tensor is a leaf)."""
    return isinstance(obj, (list, tuple, _builtin_range, np.ndarray)) or \
        isinstance(obj, Sequence) and not isinstance(obj, (str, bytes, Tensor))


_PY_NUMBERS = {int, float, bool}
_builtin_range = range


def _infer_dtype(obj):
    """torch's infer_scalar_type: the dtype torch.tensor gives `obj` - a Python float the default
    dtype, an int int64, a NumPy scalar or array, or a tensor, its own dtype; a sequence its items'
    dtypes promoted (promote_types: [np.int8(1), np.int32(2)] is int32), an empty one the default."""
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (np.ndarray, np.generic)):
        if obj.dtype.kind == "c":
            raise TypeError("complex tensors are not supported by zerograd")
        return _np_array_dtype(obj)
    if isinstance(obj, bool):
        return _dt.bool
    if isinstance(obj, int):
        return _dt.int64
    if isinstance(obj, float):
        return _dt.get_default_dtype()
    if isinstance(obj, complex):
        raise TypeError("complex tensors are not supported by zerograd")
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(obj).__name__}'")
    if _is_seq(obj):
        if not len(obj):
            return _dt.get_default_dtype()
        types = set(map(type, obj))
        if types <= _PY_NUMBERS:                 # (the common case, without the recursion)
            return _dt.get_default_dtype() if float in types else \
                _dt.int64 if int in types else _dt.bool
        out = None
        for x in obj:
            d = _infer_dtype(x)
            out = d if out is None else _dt.promote_types(out, d)
        return out
    raise RuntimeError(f"Could not infer dtype of {type(obj).__name__}")


def _np_array_dtype(a):
    """The dtype of a NumPy array or scalar, with torch's error for the types it has not."""
    try:
        return _dt.from_numpy_dtype(a.dtype)
    except TypeError:
        if a.dtype.kind in "OUSV":
            raise TypeError(f"can't convert np.ndarray of type numpy.{a.dtype.type.__name__}. The "
                            "only supported types are: float64, float32, float16, int64, int32, "
                            "int16, int8, uint8, and bool.") from None
        raise


def _sizes(data):
    """torch's compute_sizes: the lengths along the first items."""
    sizes, seq = [], data
    while _is_seq(seq):
        n = len(seq)                             # (a 0-d array: TypeError, as torch)
        sizes.append(n)
        if not n:
            break
        seq = seq[0]
    return sizes


def _leaves(data, sizes, kind):
    """The items at depth len(sizes), converted in order and checked as torch's recursive_store
    stores and checks them."""
    out, nd = [], len(sizes)

    def walk(obj, dim):
        if dim == nd:
            out.append(_leaf_value(obj, kind))
            return
        if not _is_seq(obj):
            raise TypeError("not a sequence")
        n = len(obj)
        if n != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {n})")
        for x in obj:
            walk(x, dim + 1)

    walk(data, 0)
    return out


def _leaf_value(v, kind):
    """One item as torch stores it into a dtype of `kind` ("b", "i" or "f"): a tensor by its
    __index__ / __float__, a NumPy scalar as its Python number (into an integer or bool dtype by
    its __index__ too: only NumPy's float64, a Python float, passes among the floats)."""
    if isinstance(v, Tensor):
        if v.requires_grad and _gm_state.enabled:              # (not under no_grad)
            _warn_float_of_non_leaf(user_stacklevel() + 1)     # (once per process, as torch)
        if kind != "f" and (v._data.size != 1 or v._data.dtype.kind not in "iub"):
            raise TypeError("only integer tensors of a single element can be converted to an index")
        if v._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        v = v._data.item()
    elif isinstance(v, np.generic):
        if kind == "i" and isinstance(v, np.bool_) or kind != "f" and \
                isinstance(v, np.floating) and not isinstance(v, float):
            raise TypeError(f"'numpy.{type(v).__name__}' object cannot be interpreted as an "
                            "integer")
        v = v.item()
    elif _is_seq(v) or not isinstance(v, numbers.Number):
        if kind == "i":
            raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
        if kind == "f":
            raise TypeError(f"must be real number, not {type(v).__name__}")
    return bool(v) if kind == "b" else v


_warned_ndarray_list = [False]


def _sequence_array(data, npd):
    """Nested sequences as an array of the NumPy dtype `npd` (torch's compute_sizes and
    recursive_store); Python numbers go through NumPy at once, other items one by one."""
    arr, items = None, data
    if isinstance(data, (list, tuple)) and set(map(type, _flat(data))) <= _PY_NUMBERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                arr = np.asarray(data)
            except (ValueError, TypeError, OverflowError):
                arr = None
        if arr is not None and arr.dtype.kind not in "biufO":
            arr = None
    if arr is None:
        sizes = _sizes(data)
        if sizes and isinstance(data, (list, tuple)) and isinstance(data[0], np.ndarray) and \
                not _warned_ndarray_list[0]:
            _warned_ndarray_list[0] = True              # (torch: once per process)
            warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. "
                          "Please consider converting the list to a single numpy.ndarray with "
                          "numpy.array() before converting to a tensor.", UserWarning, stacklevel=3)
        if not math.prod(sizes):
            return np.empty(sizes, npd)
        kind = "b" if npd.kind == "b" else "i" if npd.kind in "iu" else "f"
        items = _leaves(data, sizes, kind)
        arr = np.array(items, dtype=np.float64 if kind == "i" and float in set(map(type, items))
                       else object if kind == "i" else np.float64 if kind == "f" else np.bool_)
        arr = arr.reshape(sizes)
    if npd.kind in "iu":
        if arr.dtype.kind in "uO":           # Python ints beyond int64 (torch: unpacking a long)
            if not all(-2 ** 63 <= v < 2 ** 63 for v in arr.ravel().tolist() if type(v) is int):
                raise ValueError("Overflow when unpacking long long")
            arr = arr.astype(np.int64)
        arr = _python_into_int(items, arr, npd)
        with np.errstate(all="ignore"):
            return np.array(arr, dtype=npd) if arr.dtype != npd else arr
    if arr.dtype.kind == "u" or arr.dtype == object:      # (huge ints into a float or a bool)
        arr = np.array(arr.ravel().tolist(), dtype=np.float64 if npd.kind == "f" else np.bool_) \
            .reshape(arr.shape)
    with np.errstate(all="ignore"):
        return np.array(arr, dtype=npd)


def _flat(data):
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            yield d


def _check_numpy(arr):
    """torch's refusals of a NumPy array it would wrap: its dtype, negative strides."""
    _np_array_dtype(arr)
    if any(s < 0 for s in arr.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")


def _converted(arr, npd):
    """An array (a tensor's or NumPy's) converted to a dtype as torch's copy converts (C casts:
    no checks, no NumPy warnings)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array(arr, dtype=npd, copy=True)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of `data` (nested lists, numbers, NumPy arrays)."""
    factory_options("tensor", None, pin_memory)
    npd = _np_dtype(dtype, None, "tensor")
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
        arr = _converted(data._data, npd or data._data.dtype)
    elif isinstance(data, np.ndarray):
        _check_numpy(data)
        arr = _converted(data, npd or data.dtype)
    else:
        if npd is None:
            npd = _dt.to_numpy_dtype(_infer_dtype(data))
        else:
            _infer_dtype(data)                   # (its errors: None, str, ... as torch)
        if _is_seq(data):
            arr = _sequence_array(data, npd)
        else:
            arr = _sequence_array([data], npd).reshape(())
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
    npd = _np_dtype(dtype, None, "as_tensor")
    if isinstance(data, Tensor):
        if device is not None:
            factory_result(data._data, False, device)           # (the device checked)
        return data if npd is None or npd == data._data.dtype else data.to(_dt.as_dtype(dtype))
    if isinstance(data, np.ndarray):
        _check_numpy(data)
        if npd is None or npd == data.dtype:
            _warn_not_writable(data)
            return factory_result(data, False, device)
        return factory_result(_converted(data, npd), False, device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: `obj` itself (a tensor) or a tensor sharing its memory (a NumPy array) when
    neither the dtype nor copy=True asks for a copy; copy=False refuses to copy."""
    npd = _np_dtype(dtype, None, "asarray")
    if isinstance(obj, np.generic) or isinstance(obj, np.ndarray) and obj.ndim == 0:
        obj = np.asarray(obj)                # (NumPy's scalars and 0-d arrays: copied, as torch)
        copy = copy is None or copy
    if isinstance(obj, (Tensor, np.ndarray)):
        arr = obj._data if isinstance(obj, Tensor) else obj
        if isinstance(obj, np.ndarray):
            _check_numpy(obj)
        wrong = npd is not None and npd != arr.dtype
        if wrong and copy is False:
            name = _dt.from_numpy_dtype(arr.dtype)
            raise ValueError(f"can't alias tensor with dtype '{scalar_type_name(name)}' into dtype "
                             f"'{scalar_type_name(_dt.from_numpy_dtype(npd))}'.")
        if isinstance(obj, Tensor):
            t = obj.to(_dt.as_dtype(dtype)) if wrong else obj.clone() if copy else obj
            if device is not None:
                factory_result(arr, False, device)
        else:
            if not (wrong or copy):
                _warn_not_writable(obj)
            t = factory_result(_converted(obj, npd or obj.dtype) if wrong or copy else obj, False,
                               device)
        if requires_grad:
            factory_requires_grad(t)
        return t
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)


_warned_not_writable = [False]


def _warn_not_writable(arr):
    """torch's once-per-process warning when a tensor would wrap a read-only NumPy array."""
    if not arr.flags.writeable and not _warned_not_writable[0]:
        _warned_not_writable[0] = True
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data or "
                      "make it writable before converting it to a tensor. This type of warning "
                      "will be suppressed for the rest of this program.", UserWarning,
                      stacklevel=3)


def from_numpy(arr):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _check_numpy(arr)
    _warn_not_writable(arr)
    return factory_result(arr, False)


def _size(size):
    return shape_arg(size)


def _filled(fill, fname, size_args, size, dtype, requires_grad, device, out=None, layout=None,
            pin_memory=False, memory_format=None):
    factory_options(fname, layout, pin_memory)
    shape = size_arg(fname, size_args, size)
    dtype = out_dtype(fname, dtype, out)
    arr = alloc(fname, shape, _np_dtype(dtype, _dt.get_default_dtype().np, fname), memory_format)
    if fill is not None:
        arr[...] = fill
    return into_out(fname, out, factory_result(arr, requires_grad, device))


def zeros(*size_args, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False):
    return _filled(0, "zeros", size_args, size, dtype, requires_grad, device, out, layout,
                   pin_memory)


def ones(*size_args, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
         requires_grad=False):
    return _filled(1, "ones", size_args, size, dtype, requires_grad, device, out, layout,
                   pin_memory)


def empty(*size_args, size=None, out=None, dtype=None, layout=None, device=None, pin_memory=False,
          requires_grad=False, memory_format=None):
    return _filled(None, "empty", size_args, size, dtype, requires_grad, device, out, layout,
                   pin_memory, memory_format)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, pin_memory=False,
                  requires_grad=False):
    """An uninitialised tensor of the given shape and strides (in elements)."""
    factory_options("empty_strided", layout, pin_memory)
    shape, strides = size_arg("empty_strided", (), size), shape_arg((stride,))
    if len(shape) != len(strides):
        raise RuntimeError("mismatch in length of strides and shape")
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np, "empty_strided"))
    n = 0 if 0 in shape else 1 + sum((s - 1) * st for s, st in zip(shape, strides))
    buf = np.empty(max(n, 1), npd)
    arr = np.lib.stride_tricks.as_strided(buf, shape, [st * npd.itemsize for st in strides])
    return factory_result(arr, requires_grad, device)


def _fill_value(fname, v, npd=None):
    """full's fill_value: a number or a 0-d tensor (its dtype inferred from it), converted to the
    result's dtype with torch's checks."""
    if isinstance(v, Tensor):
        if v.ndim:
            raise TypeError(f"{fname}(): argument 'fill_value' (position 2) must be Number, not "
                            "Tensor")
        v = v.item()
    if npd is None:
        return v, _dt.scalar_dtype(v).np
    return v, npd


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
         requires_grad=False):
    factory_options("full", layout, pin_memory)
    if not isinstance(size, (tuple, list, _Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    dtype = out_dtype("full", dtype, out)
    fill_value, npd = _fill_value("full", fill_value, _np_dtype(dtype, None, "full"))
    shape = check_shape("full", _size((size,)))
    return into_out("full", out, factory_result(np.full(shape, _checked_fill(fill_value, npd), npd),
                                                requires_grad, device))


def _like(t, dtype, fname="zeros_like"):
    if not isinstance(t, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    return _np_dtype(dtype, t._data.dtype, fname)


def _filled_like(fname, t, fill, dtype, requires_grad, device, layout, pin_memory, memory_format):
    npd = _like(t, dtype, fname)
    factory_options(fname, layout, pin_memory)
    arr = alloc(fname, t._data.shape, npd, memory_format, t._data)
    if fill is not None:
        arr[...] = fill
    return factory_result(arr, requires_grad, device)


def zeros_like(input, *, dtype=None, layout=None, device=None, pin_memory=False,  # noqa: A002
               requires_grad=False, memory_format=None):
    return _filled_like("zeros_like", input, 0, dtype, requires_grad, device, layout, pin_memory,
                        memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, pin_memory=False,  # noqa: A002
              requires_grad=False, memory_format=None):
    return _filled_like("ones_like", input, 1, dtype, requires_grad, device, layout, pin_memory,
                        memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, pin_memory=False,  # noqa: A002
               requires_grad=False, memory_format=None):
    return _filled_like("empty_like", input, None, dtype, requires_grad, device, layout,
                        pin_memory, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None,  # noqa: A002
              pin_memory=False, requires_grad=False, memory_format=None):
    npd = _like(input, dtype, "full_like")
    fill_value, npd = _fill_value("full_like", fill_value, npd)
    return _filled_like("full_like", input, _checked_fill(fill_value, npd), dtype, requires_grad,
                        device, layout, pin_memory, memory_format)


def _range_ends(fname, start, end, step):
    vals = []
    for v in (start, end, step):
        if isinstance(v, Tensor):
            v = v.item()
        elif isinstance(v, np.generic):
            v = v.item()
        if not isinstance(v, numbers.Real):
            raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                            f"({type(v).__name__}), but expected a Number")
        vals.append(v)
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_c_num(start)} -> {_c_num(end)}")
    if step > 0 and end < start or step < 0 and end > start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return start, end, step


def _c_num(v):
    """A number as C++'s ostream prints it (torch's messages)."""
    return str(v) if isinstance(v, int) else f"{v:g}"


def _range_out(fname, out, t):
    if out is not None and out._data.size not in (0, t._data.size):
        warnings.warn(f"The number of elements in the out tensor of shape {list(out._data.shape)} "
                      f"is {out._data.size} which does not match the computed number of elements "
                      f"{t._data.size}. Note that this may occur as a result of rounding error. "
                      f"The out tensor will be resized to a tensor of shape ({t._data.size},).",
                      UserWarning, stacklevel=3)
    return into_out(fname, out, t)


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    factory_options("arange", layout, pin_memory)
    if end is None:
        if start is None:
            raise TypeError("arange() received an invalid combination of arguments - got (), but "
                            "expected one of: (Number end), (Number start, Number end), (Number "
                            "start, Number end, Number step)")
        start, end = 0, start
    elif start is None:
        start = 0
    dtype = out_dtype("arange", dtype, out)
    start, end, step = (v.item() if isinstance(v, (Tensor, np.generic)) else v
                        for v in (start, end, step))
    if dtype is not None and np.dtype(_np_dtype(dtype, None, "arange")) == np.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    start, end, step = _range_ends("arange", start, end, step)
    is_float = any(isinstance(v, float) for v in (start, end, step))
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np if is_float else np.int64,
                             "arange"))
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
    return _range_out("arange", out, factory_result(arr, requires_grad, device))


def range(start=None, end=None, step=1, *, out=None, dtype=None, layout=None,  # noqa: A001
          device=None, pin_memory=False, requires_grad=False):
    """torch.range (deprecated): [start, end] inclusive, in the default float dtype unless told."""
    if start is None or end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    factory_options("range", layout, pin_memory)
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning, stacklevel=2)
    dtype = out_dtype("range", dtype, out)
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np, "range"))
    if npd == np.bool_:
        raise NotImplementedError("\"range_cpu\" not implemented for 'Bool'")
    start, end, step = _range_ends("range", start, end, step)
    if npd.kind in "iu":                 # (torch: the ends and step truncated first)
        xs, xe, xst = int(start), int(end), int(step)
        if xst == 0:
            raise RuntimeError("step must be nonzero")
        n = (xe - xs) // xst + 1
        arr = (xs + np.arange(max(n, 0), dtype=np.int64) * xst).astype(npd)
    else:
        n = int(math.floor((end - start) / step)) + 1
        with np.errstate(all="ignore"):
            arr = (start + np.arange(n, dtype=np.float64) * step).astype(npd)
    return _range_out("range", out, factory_result(arr, requires_grad, device))


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    factory_options("linspace", layout, pin_memory)
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace() received an invalid combination of arguments - got "
                        f"({type(start).__name__}, {type(end).__name__}, {type(steps).__name__}), "
                        "but expected one of: (Number start, Number end, int steps, ...)")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = out_dtype("linspace", dtype, out)
    npd = np.dtype(_np_dtype(dtype, _dt.get_default_dtype().np, "linspace"))
    steps = int(steps)
    if steps <= 1:                         # (no kernel runs: the start, or nothing)
        first = _to_int(start, npd) if steps and npd.kind in "iu" else start
        return into_out("linspace", out, factory_result(np.full(steps, first, npd),
                                                        requires_grad, device))
    return into_out("linspace", out, _linspace(start, end, steps, npd, requires_grad, device))


def _float_linspace(start, end, steps, npd):
    """torch's CPU kernel: step = (end - start)/(steps - 1) in the dtype's compute type; point i
    is start + step·i for the first half and end - step·(steps - 1 - i) for the rest, each one
    fused multiply-add (a single rounding: formed in float64 for float32, in the x87 long double
    for float64 where NumPy has one).  Half types compute op by op in the half type, as torch."""
    i = np.arange(steps)
    if npd.itemsize == 2:
        from ._util import convert_scalar       # (torch's overflow error for the ends)
        a, b = (np.asarray(convert_scalar(v, npd)).astype(npd) for v in (start, end))
        step = (b - a) / np.asarray(steps - 1).astype(npd)
        return np.where(i < steps // 2, a + step * i.astype(npd),
                        b - step * (steps - 1 - i).astype(npd)).astype(npd)
    ct = np.float32 if npd.itemsize < 8 else np.float64
    wt = np.float64 if ct is np.float32 else np.longdouble
    a, b = ct(start), ct(end)
    step = wt((b - a) / ct(steps - 1))
    a, b, k = wt(a), wt(b), i.astype(wt)
    return np.where(i < steps // 2, a + step * k, b - step * (steps - 1 - k)).astype(npd)


def _linspace(start, end, steps, npd, requires_grad, device):
    if npd == np.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if npd.kind not in "iu":
        return factory_result(_float_linspace(start, end, steps, npd), requires_grad, device)
    # integer dtypes, as torch: the ends converted to the dtype first (checked), the points
    # start + i·step in double (from the end for the second half), truncated
    a, b = (_to_int(v, npd) for v in (start, end))
    step = (b - a) / (steps - 1)
    i = np.arange(steps)
    half = steps // 2
    vals = np.where(i < half, a + step * i, b - step * (steps - 1 - i))
    return factory_result(np.trunc(vals).astype(npd), requires_grad, device)


def _checked_fill(v, npd):
    """A fill value converted to the dtype as torch converts a Scalar (checked: a float in an
    integer dtype's range, a finite one in a float dtype's)."""
    npd = np.dtype(npd)
    if isinstance(v, float) and npd.kind in "iu":
        _to_int(v, npd)
        return v
    if isinstance(v, (float, int)) and not isinstance(v, bool) and npd.kind not in "iub":
        _to_int(v, npd)
        return v
    return checked_scalar(v, npd)


def _to_int(v, npd):
    """A number converted to an integer dtype as torch's Scalar.to<T>() does (checked)."""
    return convert_scalar(v, npd)


_NO_M = object()


def eye(n, m=_NO_M, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
        requires_grad=False):
    factory_options("eye", layout, pin_memory)
    n, m = (v.item() if isinstance(v, Tensor) else v for v in (n, m))
    for name, v in (("n", n), ("m", m)):
        if v is not _NO_M and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
            raise TypeError(f"eye() received an invalid combination of arguments - got "
                            f"({type(n).__name__}{'' if m is _NO_M else ', ' + type(m).__name__})"
                            ", but expected one of: (int n), (int n, int m)")
        if v is not _NO_M and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    dtype = out_dtype("eye", dtype, out)
    npd = _np_dtype(dtype, _dt.get_default_dtype().np, "eye")
    return into_out("eye", out, factory_result(np.eye(n, None if m is _NO_M else m, dtype=npd),
                                               requires_grad, device))


# ------------------------------------------------------------------------------------------------
# random numbers: torch's CPU generator and streams live in random.py
# ------------------------------------------------------------------------------------------------

from .random import (Generator, bernoulli, default_generator, get_rng_state,  # noqa: E402,F401
                     initial_seed, manual_seed, multinomial, normal, rand, rand_like, randint,
                     randint_like, randn, randn_like, randperm, seed, set_rng_state)


def is_number(x) -> bool:
    return isinstance(x, numbers.Number)
