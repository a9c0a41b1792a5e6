"""dtypes: torch's dtype objects on top of NumPy's, and torch's type-promotion rules.

A zerograd `dtype` wraps a NumPy dtype and prints like torch's (`torch.float32`), so code written
for PyTorch prints the same text.  bfloat16 comes from the optional `ml_dtypes` package.

Type promotion (torch's `result_type`), in one paragraph: operands fall in three *categories*,
bool < integer < floating.  The result takes the highest category present.  Within that category
the dtype comes from the operands of the highest *priority*: tensors with dimensions beat 0-d
tensors, which beat Python scalars ("wrapped numbers").  So `float32_tensor * 2.5` stays float32,
`float32_tensor + float64_0d_tensor` stays float32, and `int_tensor * 2.5` becomes the default
float dtype (float32), where NumPy would say float64.
"""
from __future__ import annotations

import builtins

import numpy as np


class dtype:
    """A tensor element type, e.g. `zerograd.float32`. Prints as torch does: `torch.float32`."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category")

    def __init__(self, name, np_dtype, category, is_signed):
        self.name = name
        self.np = np.dtype(np_dtype) if np_dtype is not None else None
        self._category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = is_signed
        self.itemsize = self.np.itemsize if self.np is not None else 2

    @property
    def is_complex(self):
        return False

    def to_real(self):
        return self

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


class _BFloat16(dtype):
    """bfloat16, whose NumPy dtype comes from the optional `ml_dtypes` package - imported the
    first time it is needed, not with zerograd (it costs ~2.5 MiB of memory and an import)."""

    __slots__ = ("_np",)
    _UNSET = object()

    def __init__(self):
        self.name, self._np, self._category = "bfloat16", self._UNSET, 2
        self.is_floating_point = self.is_signed = True
        self.itemsize = 2

    @property
    def np(self):
        n = self._np
        if n is self._UNSET:
            try:
                import ml_dtypes
                n = np.dtype(ml_dtypes.bfloat16)
            except ImportError:  # pragma: no cover - depends on the environment
                n = None
            self._np = n
            if n is not None:
                _NP_TO_DTYPE[n] = self
        return n

    @np.setter
    def np(self, value):        # (None: as if ml_dtypes were missing)
        self._np = value


float16 = half = dtype("float16", np.float16, 2, True)
float32 = float = dtype("float32", np.float32, 2, True)
float64 = double = dtype("float64", np.float64, 2, True)
bfloat16 = _BFloat16()
uint8 = dtype("uint8", np.uint8, 1, False)
int8 = dtype("int8", np.int8, 1, True)
int16 = short = dtype("int16", np.int16, 1, True)
int32 = int = dtype("int32", np.int32, 1, True)
int64 = long = dtype("int64", np.int64, 1, True)
bool = dtype("bool", np.bool_, 0, False)  # noqa: A001 - torch's public name

ALL = (float16, float32, float64, bfloat16, uint8, int8, int16, int32, int64, bool)
_NP_TO_DTYPE = {d.np: d for d in ALL if d is not bfloat16}     # (bfloat16's: when looked up)
_NAME_TO_DTYPE = {d.name: d for d in ALL}


def _by_name(name):
    return _NAME_TO_DTYPE[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The zerograd dtype for a NumPy dtype; TypeError for types torch does not have."""
    try:
        return _NP_TO_DTYPE[np_dtype]
    except KeyError:
        pass
    try:
        nd = np.dtype(np_dtype)
        if nd.kind == "V" and nd.name == "bfloat16" and nd == bfloat16.np:
            return bfloat16                 # (ml_dtypes' bfloat16, before zerograd looked it up)
        return _NP_TO_DTYPE[nd]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def to_numpy_dtype(d) -> np.dtype:
    """NumPy dtype for a zerograd dtype (or anything NumPy understands)."""
    if isinstance(d, dtype):
        if d.np is None:
            raise RuntimeError("bfloat16 needs the optional package ml_dtypes: pip install ml_dtypes")
        return d.np
    return np.dtype(d)


def as_dtype(d) -> dtype:
    """Accept a zerograd dtype, a Python type (float/int/bool) or a NumPy dtype."""
    if isinstance(d, dtype):
        return d
    if d is _builtin_float:
        return float64                      # (torch: dtype=float is double, whatever the default)
    if d is _builtin_int:
        return int64
    if d is _builtin_bool:
        return bool
    return from_numpy_dtype(np.dtype(d))


_builtin_float, _builtin_int, _builtin_bool = builtins.float, builtins.int, builtins.bool


def dtype_arg(fname, d) -> dtype:
    """A factory's `dtype=` argument as torch's parser takes it: a dtype or the Python types
    float/int/bool (NumPy dtypes and strings are its TypeError)."""
    if isinstance(d, dtype) or d in (_builtin_float, _builtin_int, _builtin_bool):
        return as_dtype(d)
    raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not {type(d).__name__}")


# ----- layouts and memory formats (the CPU's strided layout only) -------------------------------

class _Named:
    """A torch constant known by its name: prints as torch.<name>, pickles as that global."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name


class layout(_Named):
    """torch.layout: zerograd has torch.strided (dense tensors) only."""

    __slots__ = ()


class memory_format(_Named):
    """torch.memory_format: contiguous_format, preserve_format, channels_last(_3d)."""

    __slots__ = ()


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


# ----- the default float dtype ---------------------------------------------------------------

class _Default:
    dtype = float32


_default = _Default()


def set_default_dtype(d) -> None:
    """Set the dtype that float factories (`tensor([1.5])`, `zeros`, `randn`) produce."""
    d = as_dtype(d)
    if d not in (float16, float32, float64, bfloat16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default.dtype = d


def get_default_dtype() -> dtype:
    return _default.dtype


# ----- promotion --------------------------------------------------------------------------------

def _promote_same_category(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if {a, b} == {float16, bfloat16}:
        return float32
    if a is bfloat16 or b is bfloat16:
        other = b if a is bfloat16 else a
        return bfloat16 if other is bfloat16 else (other if other.itemsize > 2 else float32)
    return from_numpy_dtype(np.promote_types(a.np, b.np))


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both can be converted to."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    return _promote_same_category(a, b)


def result_type(*operands) -> dtype:
    """torch.result_type for any mix of Tensors (anything with `.dtype` and `.ndim`) and scalars."""
    best = [None, None, None]  # per priority: dims>0 tensors, 0-d tensors, Python scalars
    for x in operands:
        if hasattr(x, "dtype") and hasattr(x, "ndim"):
            d = x.dtype if isinstance(x.dtype, dtype) else from_numpy_dtype(x.dtype)
            slot = 0 if x.ndim > 0 else 1
        else:
            d = scalar_dtype(x)
            slot = 2
        cur = best[slot]
        best[slot] = d if cur is None else promote_types(cur, d)
    result = None
    for d in best:  # higher priority first; a lower priority only wins with a higher category
        if d is not None and (result is None or d._category > result._category):
            result = d
    return result


def scalar_dtype(x) -> dtype:
    """The dtype torch gives a Python number standing alone."""
    if isinstance(x, _builtin_bool) or isinstance(x, np.bool_):
        return bool
    if isinstance(x, (_builtin_int, np.integer)):
        return int64
    if isinstance(x, (_builtin_float, np.floating)):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar type {type(x).__name__}")


# ----- torch.finfo / torch.iinfo --------------------------------------------------------------


def _g6(v) -> str:
    """A number as torch's finfo/iinfo repr prints it (C's %g)."""
    return f"{v:g}"


# bfloat16 without ml_dtypes: its limits (8 exponent bits, 8 significand bits)
_BF16 = {"bits": 16, "eps": 2.0 ** -7, "max": (2 - 2.0 ** -7) * 2.0 ** 127,
         "tiny": 2.0 ** -126, "resolution": 0.01}


_PY_TYPES = {_builtin_float: float64, _builtin_int: int64, _builtin_bool: bool}


class finfo:
    """torch.finfo(dtype): the limits of a floating point dtype (default: the default dtype)."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):                       # noqa: A002 - torch's name
        d = get_default_dtype() if type is None else _PY_TYPES.get(type, type)
        if not isinstance(d, dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(d).__name__}")
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        if d is bfloat16:
            v = _BF16
            self.bits, self.eps, self.max, self.tiny = v["bits"], v["eps"], v["max"], v["tiny"]
            self.resolution = v["resolution"]
        else:
            f = np.finfo(d.np)
            fl = builtins.float
            self.bits, self.eps, self.max = builtins.int(f.bits), fl(f.eps), fl(f.max)
            self.tiny, self.resolution = fl(f.smallest_normal), fl(f"1e-{f.precision}")
        self.min, self.smallest_normal, self.dtype = -self.max, self.tiny, d.name

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={_g6(self.resolution)}, min={_g6(self.min)}, "
                f"max={_g6(self.max)}, eps={_g6(self.eps)}, "
                f"smallest_normal={_g6(self.smallest_normal)}, tiny={_g6(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """torch.iinfo(dtype): the limits of an integer dtype."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):                            # noqa: A002 - torch's name
        d = _PY_TYPES.get(type, type)
        if not isinstance(d, dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be torch.dtype, not "
                            f"{builtins.type(d).__name__}")
        if d is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        i = np.iinfo(d.np)
        n = builtins.int
        self.bits, self.max, self.min, self.dtype = n(i.bits), n(i.max), n(i.min), d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return (f"iinfo(min={_g6(builtins.float(self.min))}, max={_g6(builtins.float(self.max))}, "
                f"dtype={self.dtype})")

