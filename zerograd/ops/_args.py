"""Argument checks with the messages torch's argument parser and kernels give (shared by the op
modules that check their arguments before any NumPy code runs)."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._util import scalar_type_name

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


def need_tensor(fname, argname, pos, v) -> None:
    """torch's TypeError for a non-Tensor where the only overload takes a Tensor."""
    if not isinstance(v, Tensor):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{fname}(): argument '{argname}'{where} must be Tensor, not "
                        f"{type(v).__name__}")


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


def not_implemented(kernel, dtype):
    """torch's error for a kernel without this dtype: '"tan_vml_cpu" not implemented for 'Long''."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")
