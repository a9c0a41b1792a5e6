"""torch's `out=` argument for the top-level functions that take it (torch.add(a, b, out=c)).

The function computes its result as usual; the result is then written into `out` as torch's
out variants write it.  `out` is resized (with torch's deprecation warning when it held
elements) if its shape differs, and cast into its dtype where torch casts (a Float result does
not go into a Long out). The matrix products and the functions returning a (values, indices)
pair want the exact dtypes. Nothing is recorded: with grad mode on, an argument or an out that
requires grad is torch's error. The same `out` tensor comes back; for a pair it is a
`torch.return_types.<name>_out`.

`install(namespace)` wraps the functions named in OUT_FUNCTIONS in the package namespace (once,
at import).  A call without `out` pays one extra function call.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from .. import _autocast, grad_mode
from .. import return_types as _rt
from ..tensor import Tensor
from ._util import c10_type_name, overlapping, scalar_type_name

_state = grad_mode._state

# elementwise, reductions, joins, indexing: the result cast into out's dtype where torch casts
CAST = """abs absolute neg negative exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square sin cos tan
asin acos atan arcsin arccos arctan sinh cosh tanh asinh acosh atanh arcsinh arccosh arctanh sigmoid
floor ceil round trunc fix frac sign sgn reciprocal erf erfc erfinv lgamma digamma logit nan_to_num
deg2rad rad2deg logical_not sinc i0 bitwise_not
add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow float_power
atan2 arctan2 hypot maximum minimum fmax fmin eq ne lt le gt ge greater less greater_equal
less_equal not_equal logical_and logical_or logical_xor copysign xlogy logaddexp logaddexp2
heaviside nextafter ldexp clamp clip lerp addcmul addcdiv gcd lcm bitwise_and bitwise_or
bitwise_xor polygamma mvlgamma
sum mean prod amax amin logsumexp cumsum cumprod logcumsumexp std var norm nansum nanmean
quantile nanquantile histc renorm diff
cat concat concatenate stack hstack vstack dstack column_stack row_stack
gather index_select masked_select take take_along_dim tril triu diag where
softmax log_softmax searchsorted narrow_copy cross kron tensordot""".split()
# products, and the bool and index results: out must have the result's dtype
EXACT = """matmul mm bmm mv dot addmm addmv baddbmm addbmm outer ger inner vdot addr
chain_matmul all any argmax argmin bucketize isneginf isposinf nonzero signbit""".split()
# (values, indices)-like results: each out must have its result's dtype
PAIRS = """max min sort topk kthvalue median nanmedian mode cummax cummin aminmax frexp""".split()

OUT_FUNCTIONS = CAST + EXACT + PAIRS



def _can_cast(src, dst) -> bool:
    """torch's canCast: no floating result into an integral or bool out, no integral into
    bool."""
    if src.kind in "fV" and dst.kind in "iub":
        return False
    return not (src.kind in "iu" and dst.kind == "b")


def _requires_grad(args, kwargs) -> bool:
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor):
            if a._requires_grad:
                return True
        elif isinstance(a, (list, tuple)):
            if any(isinstance(t, Tensor) and t._requires_grad for t in a):
                return True
    return False


def _write(name, exact, out: Tensor, r: Tensor) -> None:
    src, dst = r._data, out._data
    if exact and src.dtype != dst.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {c10_type_name(src.dtype)}, but "
                           f"got {c10_type_name(dst.dtype)} instead")
    if not _can_cast(src.dtype, dst.dtype):
        raise RuntimeError(f"result type {scalar_type_name(src.dtype)} can't be cast to the "
                           f"desired output type {scalar_type_name(dst.dtype)}")
    from .inplace import OVERLAP_MSG, bump_version
    if dst.shape != src.shape:
        if dst.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(dst.shape)}, which does not match the required output shape "
                f"{list(src.shape)}. This behavior is deprecated, and in a future PyTorch release "
                f"outputs will not be resized unless they have zero elements. You can explicitly "
                f"reuse an out tensor t by resizing it, inplace, to zero elements with "
                f"t.resize_(0).", UserWarning, stacklevel=4)
        out._data = np.array(src, dtype=dst.dtype, copy=True)
        out._view = None                    # (new memory: no longer a view of anything)
    else:
        if not dst.flags.writeable or overlapping(dst):
            raise RuntimeError(OVERLAP_MSG)
        with np.errstate(all="ignore"):
            np.copyto(dst, src, casting="unsafe")
    bump_version(out)


_PAIR_TYPES = {}


def _pair_type(r):
    name = type(r).__name__ + "_out"
    cls = _PAIR_TYPES.get(name)
    if cls is None:
        cls = _PAIR_TYPES[name] = _rt._make(name, *type(r)._fields)
    return cls


# torch's overloads without out=: these over every element (out= only with a dim) ...
_WITH_DIM_ONLY = {"sum", "prod", "median", "nanmedian", "std", "var"}
# ... and these with a Python number where a tensor goes (the positions, then the keywords)
_TENSORS_ONLY = {"where": ((1, 2), ("input", "other")), "searchsorted": ((1,), ("input", "self"))}


def _no_overload(name):
    raise TypeError(f"{name}() received an invalid combination of arguments: torch has no "
                    f"overload of {name}() with these arguments that takes out=")


def _check_overload(name, args, kwargs):
    if name in _WITH_DIM_ONLY:
        dim = args[1] if len(args) > 1 else kwargs.get("dim")
        if dim is None or isinstance(dim, bool):
            if name in ("median", "nanmedian"):
                raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
            _no_overload(name)
    spec = _TENSORS_ONLY.get(name)
    if spec:
        given = [args[i] for i in spec[0] if i < len(args)] + \
            [kwargs[k] for k in spec[1] if k in kwargs]
        if any(not isinstance(a, Tensor) for a in given):
            _no_overload(name)


def into(name, kind, out, fn, args, kwargs):
    """fn(*args, **kwargs) written into `out` (see the module docstring)."""
    _check_overload(name, args, kwargs)
    pair = kind == "pair"
    outs = tuple(out) if pair and isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be "
                            f"{'tuple of Tensors' if pair else 'Tensor'}, not {type(o).__name__}")
    if _state.enabled and (_requires_grad(args, kwargs) or any(o._requires_grad for o in outs)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    r = _autocast.without(fn, *args, **kwargs)     # (torch does not autocast out= variants)
    if isinstance(r, tuple):
        if len(outs) != len(r):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(r)} Tensors")
        for o, x in zip(outs, r):
            _write(name, True, o, x)
        return _pair_type(r)(outs) if hasattr(type(r), "_fields") else outs
    if pair and isinstance(out, (tuple, list)):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    _write(name, kind == "exact", out, r)
    return out


def _wrap(name, fn, kind):
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return into(name, kind, out, fn, args, kwargs)
    with_out._zerograd_out = True
    return with_out


def install(namespace: dict) -> None:
    """Give the namespace's functions named in OUT_FUNCTIONS torch's `out=`."""
    for names, kind in ((CAST, "cast"), (EXACT, "exact"), (PAIRS, "pair")):
        for name in names:
            fn = namespace.get(name)
            if fn is None or getattr(fn, "_zerograd_out", False) or not callable(fn):
                continue
            namespace[name] = _wrap(name, fn, kind)
