"""Small helpers shared by the op families: argument checks and torch's type promotion."""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from ..tensor import Size, Tensor, factory_requires_grad

_NUMBER = (int, float, bool, np.number, np.bool_)


def canon_dim(dim, ndim: int) -> int:
    """A dim in [-ndim, ndim) -> [0, ndim); IndexError naming the range otherwise (torch's text)."""
    if type(dim) is not int and (not isinstance(dim, (int, np.integer)) or isinstance(dim, bool)):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


def canon_dims(dim, ndim: int):
    """None -> all dims; int or sequence -> sorted tuple of canonical dims (no repeats)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (canon_dim(dim, ndim),) if ndim else ()
    dims = tuple(canon_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        dup = next(d for i, d in enumerate(dims) if d in dims[:i])
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if ndim else ()


def shape_arg(args) -> tuple:
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(torch.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        args = args[0]
    for s in args:                  # (the usual case: plain ints, as they are)
        if type(s) is not int:
            break
    else:
        return tuple(args)
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"shape entries must be ints, got {type(s).__name__} ({s!r})")
        out.append(int(s))
    return tuple(out)


def size_arg(fname, args, size) -> tuple:
    """The shape of a factory called f(2, 3), f((2, 3)) or f(size=(2, 3)) (torch's keyword takes
    a sequence only)."""
    if size is None:
        if not args:
            raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
        shape = shape_arg(args)
    else:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        if not isinstance(size, (tuple, list, Size)):
            raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, not "
                            f"{type(size).__name__}")
        shape = shape_arg((size,))
    return check_shape(fname, shape)


def check_shape(fname, shape) -> tuple:
    """torch's error for a negative size given to a factory."""
    for s in shape:
        if s < 0:
            if fname == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def factory_options(fname, layout=None, pin_memory=False):
    """The layout= and pin_memory= every factory takes: torch.strided, and no pinned memory (a
    CPU-only build's error)."""
    if layout is not None and not isinstance(layout, _dt.layout):
        raise TypeError(f"{fname}(): argument 'layout' must be torch.layout, not "
                        f"{type(layout).__name__}")
    if pin_memory:
        raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no "
                           "pinned memory allocator is available on this system.")


def out_dtype(fname, dtype, out):
    """The dtype a factory called with out= makes: out's (a dtype given must be the same)."""
    if out is None:
        return dtype
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if dtype is not None and _dt.dtype_arg(fname, dtype) is not out.dtype:
        raise RuntimeError(f"dtype {scalar_type_name(_dt.dtype_arg(fname, dtype))} does not match "
                           f"dtype of out parameter ({scalar_type_name(out.dtype)})")
    return out.dtype


def into_out(fname, out, t):
    """A factory's result written into out= (resized when its shape differs), as torch's out
    variants: out itself is returned."""
    if out is None:
        return t
    from ..grad_mode import is_grad_enabled
    if out.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{fname}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    from .inplace import OVERLAP_MSG, bump_version
    dst, src = out._data, t._data
    if dst.flags.writeable and overlapping(dst):
        # elements sharing memory (an expanded out) take one value: torch's fill-based
        # factories (zeros, ones, full) write it; the others refuse
        if dst.shape != src.shape or src.size and not (src == src.reshape(-1)[0]).all():
            raise RuntimeError(OVERLAP_MSG)
        np.copyto(dst, src, casting="unsafe")
    elif dst.shape == src.shape and dst.flags.writeable:
        np.copyto(dst, src, casting="unsafe")
    else:
        out._data = t._data.astype(out._data.dtype, copy=False)
    bump_version(out)
    return out


def alloc(fname, shape, npd, memory_format=None, like=None):
    """An uninitialised array for a factory: torch's memory formats (a *_like keeps the strides
    of `like`, as preserve_format does; channels_last orders a 4-d result NHWC)."""
    npd = np.dtype(npd)
    if memory_format is not None and not isinstance(memory_format, _dt.memory_format):
        raise TypeError(f"{fname}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")
    fmt = memory_format.name if memory_format is not None else "preserve_format"
    if fmt == "preserve_format":
        if like is not None:            # (an expanded tensor's stride 0: contiguous, as torch)
            return np.empty(shape, npd) if 0 in like.strides else np.empty_like(like, dtype=npd)
        if memory_format is not None:
            raise RuntimeError("unsupported memory format Preserve")
        return np.empty(shape, npd)
    if fmt == "contiguous_format":
        return np.empty(shape, npd)
    rank = 4 if fmt == "channels_last" else 5
    if len(shape) != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt} format")
    order = (0,) + tuple(range(2, rank)) + (1,)
    return np.empty([shape[i] for i in order], npd).transpose(np.argsort(order))


def default_float():
    return _dt.get_default_dtype().np


def float_data(a: Tensor) -> np.ndarray:
    """The array of `a`, converted to the default float dtype when it is integer or bool
    (torch: `exp(int_tensor)` is float32)."""
    x = a._data
    return x if x.dtype.kind in "fV" else x.astype(default_float())


def binary_arrays(a, b):
    """The arrays of a binary op's operands, converted to torch's result dtype.

    Fast path: two tensors of one dtype, or a float tensor and a Python number (NumPy 2 treats
    Python numbers as "weak" too, so nothing needs converting).  Otherwise apply result_type
    (a number with a bfloat16 tensor becomes a bfloat16 0-d array: rounded to bfloat16 first,
    where torch computes in float32 - an ulp at most)."""
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype == y.dtype:
                return x, y
        else:
            tb = type(b)
            if tb is int:
                check_int_scalar(b)
            if (tb is float or tb is int) and x.dtype.kind == "f":
                return x, b     # (not bfloat16, "V": ml_dtypes promotes a Python float to float32)
            y = b
    else:
        x, y = a, b._data
        ta = type(a)
        if ta is int:
            check_int_scalar(a)
        if (ta is float or ta is int) and y.dtype.kind == "f":
            return a, y
    if isinstance(a, np.generic):       # NumPy scalars are weak numbers, like Python's
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    try:
        rt = _dt.result_type(a, b).np
    except TypeError:
        raise TypeError(f"unsupported operand types: {type(a).__name__} and {type(b).__name__}") \
            from None
    x = x.astype(rt, copy=False) if isinstance(x, np.ndarray) else _py(x)
    y = y.astype(rt, copy=False) if isinstance(y, np.ndarray) else _py(y)
    if not isinstance(x, np.ndarray):
        x = scalar_array(x, rt)
    if not isinstance(y, np.ndarray):
        y = scalar_array(y, rt)
    return x, y


def check_int_scalar(v: int) -> None:
    """torch reads a Python int operand as an int64 (or, from 2**63 on, uint64) scalar: one
    outside [-2**63, 2**64) raises its OverflowError (NumPy would wrap it or give inf)."""
    if not -0x8000_0000_0000_0000 <= v < 0x1_0000_0000_0000_0000:
        raise OverflowError("int too big to convert" if v > 0 else
                            "can't convert negative int to unsigned")


def half_with_scalar(ufunc, a, b):
    """a * b or a / b as torch's CPU kernels compute a float16/bfloat16 tensor `a` with a CPU
    scalar `b` (a Python number or a 0-d tensor) second: b read in float32 (torch's opmath
    type), the product in float32, rounded once to the half type.  Converting b to the half type
    first, as NumPy does (and as torch does for +, -, comparisons and a scalar first), made
    1e5 inf in float16: x * 1e5 was nan at x = 0 and x / 1e5 was 0.  None when a and b are not
    such a pair."""
    if not isinstance(a, Tensor):
        return None
    x = a._data
    if not (x.ndim and x.dtype.itemsize == 2 and x.dtype.kind in "fV" and (
            isinstance(b, (int, float, np.number)) or
            isinstance(b, Tensor) and b._data.ndim == 0)):
        return None
    if type(b) is int:
        check_int_scalar(b)
    if _dt.result_type(a, b).np != x.dtype:
        return None
    y = np.asarray(b._data if isinstance(b, Tensor) else b).astype(np.float32)
    return ufunc(x.astype(np.float32), y).astype(x.dtype)


def scalar_array(v, dtype) -> np.ndarray:
    """A Python number as a 0-d array of `dtype`.  An integer outside an integer dtype's range
    wraps around as in torch (uint8 tensor + 300 adds 44; NumPy 2 raises OverflowError)."""
    try:
        return np.asarray(v, dtype=dtype)
    except OverflowError:
        dtype = np.dtype(dtype)
        if not (isinstance(v, int) and dtype.kind in "iu"):
            raise
        bits = 8 * dtype.itemsize
        return np.asarray(v % (1 << bits), dtype=f"u{dtype.itemsize}").view(dtype)


def _py(v):
    """NumPy scalars count as Python numbers ("weak") in torch's promotion."""
    return v.item() if isinstance(v, np.generic) else v


def check_broadcast(x: np.ndarray, y: np.ndarray) -> None:
    """Raise torch's message when two shapes do not broadcast."""
    xs, ys = x.shape if isinstance(x, np.ndarray) else (), y.shape if isinstance(y, np.ndarray) else ()
    for i in range(1, min(len(xs), len(ys)) + 1):
        p, q = xs[-i], ys[-i]
        if p != q and p != 1 and q != 1:
            dim = max(len(xs), len(ys)) - i
            raise RuntimeError(
                f"The size of tensor a ({p}) must match the size of tensor b ({q}) at non-singleton "
                f"dimension {dim}. (shapes {list(xs)} and {list(ys)} do not broadcast)")


def ufunc2(f, x, y):
    """f(x, y) for a binary ufunc, with torch's message when the shapes do not broadcast."""
    try:
        return f(x, y)
    except ValueError:
        check_broadcast(x, y)
        raise


def as_tensor_like(x, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor._make(np.asarray(x, dtype=like._data.dtype if isinstance(x, float) and
                                   like.is_floating_point() else None), False, None, 0)


def zero_grad_like(g):
    """The gradient of an input the output does not depend on (torch's zeros_like(grad)): zeros
    of g's shape and dtype - also where g is nan or inf - recording nothing (a Tensor for
    `backward`, an array for `np_backward`)."""
    if isinstance(g, Tensor):
        return Tensor._make(np.zeros(g._data.shape, g._data.dtype), False, None, 0)
    return np.zeros(np.shape(g), g.dtype)


def wrap(arr) -> Tensor:
    """A fresh untracked tensor around an array."""
    return Tensor._make(arr, False, None, 0)


def factory_result(arr, requires_grad=False, device=None) -> Tensor:
    """What a factory (zeros, arange, randn ...) returns: a new leaf around `arr`, after checking
    `device` (the CPU only)."""
    if device is not None:
        from ..tensor import check_device
        check_device(device)
    t = Tensor._make(arr, False, None, 0)
    if requires_grad:
        factory_requires_grad(t)
    return t


def scalar_type_name(d) -> str:
    """torch's ScalarType name of a dtype: Float, Double, Long, Bool, ..."""
    return legacy_type_name(d)[:-len("Tensor")]


_C10 = {"float32": "float", "float64": "double", "float16": "c10::Half",
        "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
        "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def c10_type_name(d) -> str:
    """A dtype as torch's C++ messages name it: float, double, long int, c10::Half, ..."""
    return _C10.get(d.name, d.name)


def legacy_type_name(d) -> str:
    return {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
            "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
            "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
            "bool": "BoolTensor"}[d.name]


def accumulate_dtype(dtype):
    """float32 for float16 (and bfloat16) arrays, as torch accumulates reductions, cumulative
    sums and softmax for half types on the CPU (its acc_type) before rounding the result; None
    for other dtypes."""
    acc = _ACC.get(dtype, _ACC)              # (dtype.name costs ~3 us: once per dtype)
    if acc is _ACC:
        acc = _ACC[dtype] = np.float32 if np.dtype(dtype).name in ("float16", "bfloat16") else None
    return acc


def widened(a: np.ndarray) -> np.ndarray:
    """a in its accumulation dtype (float32 for float16/bfloat16: torch's opmath), else a."""
    acc = accumulate_dtype(a.dtype)
    return a if acc is None else a.astype(acc)


_ACC = {}


_CTYPES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
           "int64": "int64_t"}


def checked_scalar(v, dtype):
    """A Python integer written into (or compared with) an integer dtype as torch converts it
    (c10's checked conversion): out of range is torch's RuntimeError; a negative value that fits
    an unsigned dtype's magnitude wraps (uint8: -1 is 255).  Other values pass unchanged."""
    dt = np.dtype(dtype)
    if type(v) is not int:
        return v
    check_int_scalar(v)
    if dt.kind not in "iu":
        return v
    info = np.iinfo(dt)
    if (v > info.max or -v > info.max) if dt.kind == "u" else not info.min <= v <= info.max:
        raise_overflow(dt)
    return int(scalar_array(v, dt))


_FLOAT_CTYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "bfloat16": "c10::BFloat16"}


def float_max(dt) -> float:
    """The largest finite value of a float dtype (bfloat16's from ml_dtypes)."""
    if dt.name == "bfloat16":
        import ml_dtypes
        return float(ml_dtypes.finfo(dt).max)
    return float(np.finfo(dt).max)


def convert_scalar(v, dt):
    """A Python (or NumPy) number converted to the dtype `dt` as torch converts a Scalar (c10's
    checked conversion): a float into an integer dtype truncates, and must be finite and in range;
    an integer wraps into an unsigned dtype when its magnitude fits; a finite value beyond a float
    dtype's range raises torch's overflow error (inf and nan pass); anything is a bool."""
    dt = np.dtype(dt)
    if isinstance(v, np.generic):
        v = v.item()
    if type(v) is int:
        check_int_scalar(v)
    if dt.kind == "b":
        return bool(v)
    if isinstance(v, bool):
        v = int(v)
    if dt.kind in "iu":
        if isinstance(v, float):
            info = np.iinfo(dt)
            if not (info.min <= v <= info.max):          # (nan and ±inf too)
                raise_overflow(dt)
            v = int(v)
        return checked_scalar(v, dt)
    f = float(v)
    if math.isfinite(f) and abs(f) > float_max(dt):
        raise_overflow(dt)
    return f


def raise_overflow(dtype):
    """torch's error for a number that does not fit an integer dtype."""
    name = np.dtype(dtype).name
    raise RuntimeError(f"value cannot be converted to type {_CTYPES.get(name) or _FLOAT_CTYPES[name]}"
                       " without overflow")


def overlapping(arr: np.ndarray) -> bool:
    """Whether several elements of `arr` share memory: an expanded tensor (stride 0 along a
    dimension of size > 1), or a view of one.  Expand is the one view op that makes them."""
    return 0 in arr.strides and arr.size > 1 and \
        any(s == 0 and n > 1 for s, n in zip(arr.strides, arr.shape))


def row_op(ufunc, z: np.ndarray, v: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ufunc(z, v, out=out) for a C-contiguous (N, C) array z (and out) and a (C,) vector v: the
    bias add of a linear layer, layer norm's weight and bias.  NumPy loops over N rows of C
    elements there, and rows of a few hundred elements cost ~1.3-1.5x a pass over one flat
    array; here v is tiled k times (k·C >= 8192) and z is viewed as N/k rows of k·C, the same
    numbers in ~0.7-0.8x the time (measured on (1024, 128...512) float32)."""
    N, C = z.shape
    if z.size < 32768:
        return ufunc(z, v, out=out)
    k = -(-8192 // C)
    if k < 2 or N < 4 * k:
        return ufunc(z, v, out=out)
    m = N // k
    t = np.empty((k, C), np.result_type(z, v))
    t[...] = v
    head = m * k
    ufunc(z[:head].reshape(m, k * C), t.reshape(-1), out=out[:head].reshape(m, k * C))
    if head < N:
        ufunc(z[head:], v, out=out[head:])
    return out
