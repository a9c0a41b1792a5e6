"""Argument checks with the messages torch's argument parser and kernels give (shared by the op
modules that check their arguments before any NumPy code runs)."""
from __future__ import annotations

import sys

import numpy as np

from ..tensor import Tensor
from ._util import check_int_scalar, scalar_type_name

NUMBER = (bool, int, float, np.bool_, np.integer, np.floating)

# the C++ type names some of torch's messages print ("... with dtype long int")
C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                "bool": "bool"}


def type_name(v) -> str:
    return "Tensor" if isinstance(v, Tensor) else type(v).__name__


def is_number(v) -> bool:
    return isinstance(v, NUMBER)


def number_arg(fname, argname, v):
    """A Number argument as torch's argument parser takes it: a Python or NumPy number (as a
    Python number; a NumPy bool as a float), or a 0-d tensor that does not require grad (its
    value); anything else is torch's TypeError."""
    if isinstance(v, Tensor):
        if v.ndim == 0 and not v.requires_grad:
            return v.item()
    elif isinstance(v, np.bool_):
        return float(v)                         # (torch's parser reads it as a float)
    elif isinstance(v, (*NUMBER, complex, np.complexfloating)):
        if isinstance(v, np.generic):           # (as a Python number: NumPy's are not "weak")
            v = v.item()
        if type(v) is int:
            check_int_scalar(v)                 # (no 64-bit integer holds it: OverflowError)
        return v
    raise TypeError(f"{fname}(): argument '{argname}' must be Number, not {type_name(v)}")


def need_tensor(fname, argname, pos, v) -> None:
    """torch's TypeError for a non-Tensor where the only overload takes a Tensor."""
    if not isinstance(v, Tensor):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{fname}(): argument '{argname}'{where} must be Tensor, not "
                        f"{type(v).__name__}")


def need_int(fname, argname, pos, v) -> int:
    """torch's TypeError for a non-int where the signature says int; the int otherwise."""
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be int, not "
                        f"{type(v).__name__}")
    return int(v)


def need_tensor_pair(fname, a, b, method=None) -> None:
    """need_tensor for both operands of a Tensor-only binary function; `method`: the Tensor
    method's name when called as a.method(b) (then `other` is argument 1, not 2)."""
    need_tensor(fname, "input", 1, a)
    need_tensor(method or fname, "other", 1 if method else 2, b)


def bad_overload(fname, args, signatures):
    """torch's TypeError when no overload of `fname` takes these argument types."""
    got = ", ".join(type_name(a) for a in args)
    lines = "".join(f" * ({s})\n" for s in signatures)
    raise TypeError(f"{fname}() received an invalid combination of arguments - got ({got}), but "
                    f"expected one of:\n{lines}")


def no_out(fname, out) -> None:
    """zerograd computes into new tensors only: a TypeError for torch's `out=` argument (rather
    than ignoring it, which would leave `out` unchanged)."""
    if out is not None:
        raise TypeError(f"{fname}(): zerograd does not support the 'out' argument; use the "
                        f"result instead (out = torch.{fname}(...))")


def not_implemented(kernel, dtype):
    """torch's error for a kernel without this dtype: '"tan_vml_cpu" not implemented for 'Long''."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")


# torch's deprecated overloads that take the scalar first: add/sub(Number alpha, Tensor other),
# addcmul/addcdiv(Number value, Tensor tensor1, Tensor tensor2) - methods, in-place methods and
# functions - as in `p.data.add_(-lr, grad)` of older optimizer code.
_SCALAR_FIRST = {"add": ("alpha", ("other",)), "sub": ("alpha", ("other",)),
                 "addcmul": ("value", ("tensor1", "tensor2")),
                 "addcdiv": ("value", ("tensor1", "tensor2"))}
_scalar_first_warned = [False]


def scalar_first(name, given, kw_scalar, method=True):
    """(tensors, scalar) for a call of `name` with the positional arguments `given` (after self,
    or after input for a function) - one more than the current signature takes.  That is torch's
    deprecated overload when the first is a number: it warns once per process (for all of them,
    as torch's argument parser does); anything else is torch's TypeError."""
    scalar, names = _SCALAR_FIRST[name.rstrip("_")]
    n = len(names) + (0 if method else 1)                  # the current signature's positionals
    if len(given) != len(names) + 1:
        got = ", ".join(f"!{type_name(v)}!" for v in given)
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        f"but expected ({_new_signature(scalar, names, method)})")
    try:
        scalar_value = number_arg(name, scalar, given[0])
    except TypeError:
        raise TypeError(f"{name}() takes {n} positional argument{'s' if n != 1 else ''} but "
                        f"{n + 1} were given") from None
    if kw_scalar != 1:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"unrecognized keyword arguments: {scalar}")
    if not _scalar_first_warned[0]:
        _scalar_first_warned[0] = True
        tensors = ", ".join(f"Tensor {t}" for t in names)
        old = (f"Number {scalar}, {tensors}" if method else
               f"Tensor input, Number {scalar}, {tensors}, *, Tensor out = None")
        import warnings
        warnings.warn(f"This overload of {name} is deprecated:\n\t{name}({old})\nConsider using "
                      f"one of the following signatures instead:\n\t{name}("
                      f"{_new_signature(scalar, names, method)})", UserWarning,
                      stacklevel=user_stacklevel())
    return given[1:], scalar_value


def _new_signature(scalar, names, method):
    tensors = ", ".join(f"Tensor {t}" for t in names)
    if method:
        return f"{tensors}, *, Number {scalar} = 1"
    return f"Tensor input, {tensors}, *, Number {scalar} = 1, Tensor out = None"


def user_stacklevel() -> int:
    """The `stacklevel` that makes a warning raised by the caller point at the user's line: the
    first frame outside the zerograd package."""
    f, level = sys._getframe(1), 1
    while f is not None and f.f_globals.get("__name__", "").startswith("zerograd"):
        f, level = f.f_back, level + 1
    return level
