"""Gradient clipping, in place on the parameters' .grad (run after backward, before step).

get_total_norm:        total = ‖(‖g₁‖, ‖g₂‖, ...)‖  (the norm of all grads seen as one vector; the
                       per-tensor norms are stacked in their promoted dtype, as torch.stack does)
clip_grads_with_norm_: every g *= clamp(max_norm / (total + 1e-6), max=1)  (0-d tensor arithmetic)
clip_grad_norm_:       the two in a row; returns total.
clip_grad_value_:      every g = clamp(g, -clip_value, clip_value).

torch groups the tensors by dtype (each group through its foreach kernels on the CPU, which only
changes the error for an inf norm of an empty tensor); groups are taken in order of first
appearance here, torch's hash order may stack the norms in another order (last-bit differences of
the total for mixed dtypes).
"""
from __future__ import annotations

import types
import warnings

import numpy as np

from ... import dtypes as _dt
from ... import grad_mode as _gm
from ...autograd.fastpath import _F32, _F64
from ...ops._util import accumulate_dtype, scalar_type_name, wrap
from ...ops.inplace import _user_site, bump_version
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _no_grad(func):
    def wrapper(*args, **kwargs):
        with _gm.no_grad():
            return func(*args, **kwargs)
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = \
        func.__name__, func.__qualname__, func.__doc__
    wrapper.__wrapped__ = func
    return wrapper


def _group_by_dtype(tensors):
    if not tensors:         # (torch's grouping refuses an empty list)
        raise RuntimeError("Expected !nested_tensorlist[0].empty() to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    groups = {}
    for t in tensors:
        groups.setdefault(t.dtype, []).append(t)
    return groups


def _vector_norm(t: Tensor, p: float, foreach: bool) -> np.ndarray:
    """torch.linalg.vector_norm(t, p) (or _foreach_norm's) as a 0-d array of t's dtype: half
    types accumulate in float32; an empty tensor has no inf or negative-order norm."""
    a = t._data
    if a.dtype.kind != "f" and a.dtype.name != "bfloat16":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(a.dtype)}")
    if a.size == 0 and (p < 0 or p == np.inf):
        if foreach and p == np.inf:
            raise RuntimeError("_foreach_norm cannot compute the infinity norm on an empty tensor "
                               "because the operation does not have an identity")
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty tensor "
                           "because the operation does not have an identity")
    acc = accumulate_dtype(a.dtype)
    if p == 2 and acc is None:      # (x² = |x|²: one dot product, no abs, no squared copy;
        x = a.reshape(-1)           #  as close to torch's as NumPy's pairwise sum of x·x)
        return np.asarray(np.sqrt(np.vecdot(x, x))).astype(a.dtype)
    x = np.abs(a.reshape(-1)).astype(acc or a.dtype)
    # (the caller ignores floating-point errors: one np.errstate for all the tensors)
    if p == np.inf:
        z = x.max(initial=0)
    elif p == -np.inf:
        z = x.min()
    elif p == 0:
        z = np.count_nonzero(x)
    elif p == 1:
        z = x.sum()
    elif p == 2:
        z = np.sqrt((x * x).sum())          # (half types, in float32)
    else:
        z = (x ** x.dtype.type(p)).sum() ** x.dtype.type(1.0 / p)
    return np.asarray(z).astype(a.dtype)


@_no_grad
def _get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the tensors viewed as one vector (a 0-d tensor): the norm of their norms."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    else:
        tensors = list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:                   # torch.tensor(0.0): the default dtype
        return wrap(np.asarray(0.0, _dt.get_default_dtype().np))
    norms, dtype = [], None
    with np.errstate(all="ignore"):
        for dt, group in _group_by_dtype(tensors).items():
            norms.extend(_vector_norm(t, norm_type, foreach is not False) for t in group)
            dtype = dt if dtype is None else _dt.promote_types(dtype, dt)
        stacked = wrap(np.stack([n.astype(dtype.np) for n in norms]))
        total = wrap(_vector_norm(stacked, norm_type, False))
    if error_if_nonfinite and not np.isfinite(total._data):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return total


def _clip_coef(total_norm, max_norm):
    """torch's 0-d tensor arithmetic clamp(max_norm / (total_norm + 1e-6), max=1.0), where
    max_norm / t is t.reciprocal() * max_norm, each step rounded to the norm's dtype (half
    types compute in float32 with the numbers unrounded, float32 with them cast to float32);
    a Python float holding that value."""
    a = total_norm._data
    acc = np.float64 if a.dtype == np.float64 else np.float32
    with np.errstate(all="ignore"):
        x = (a.astype(acc) + acc(1e-6)).astype(a.dtype).astype(acc)
        x = (acc(1.0) / x).astype(a.dtype).astype(acc)
        x = (x * acc(max_norm)).astype(a.dtype)
    return float(np.minimum(x, x.dtype.type(1.0)))         # (a nan stays nan)


def _mul_(g, coef, site):
    """g.mul_(coef): half types multiply in float32 with the coefficient unrounded (torch's
    CPU kernels for a scalar operand), then round.  A float32/float64 gradient that is a plain
    tensor (no graph, not a view) is multiplied in place here, with the coefficient cast to its
    dtype as mul_ casts it and its version bumped as mul_ bumps it (`site`: the user's line,
    looked up once for all the gradients); a coefficient of exactly 1 (nothing to clip: x·1 is
    x, bit for bit) skips the pass and keeps the bump.  The caller ignores floating-point
    errors (inf·0: torch warns nothing)."""
    a = g._data
    if (a.dtype is _F32 or a.dtype is _F64) and g._grad_fn is None and g._view is None and \
            not g._requires_grad and g._vc is not None and a.flags.writeable:
        if coef != 1.0:
            np.multiply(a, np.asarray(coef, a.dtype), out=a)
        bump_version(g, site)
        return g
    if a.dtype.itemsize != 2:
        return g.mul_(coef)
    scaled = (a.astype(np.float32) * np.float32(coef)).astype(a.dtype)
    return g.copy_(wrap(scaled))


@_no_grad
def _clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by clamp(max_norm / (total_norm + 1e-6), max=1) (a pre-computed
    total norm, a tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"clamp() received an invalid combination of arguments - got "
                        f"({type(total_norm).__name__}, max=float), but expected one of:\n"
                        " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = "
                        "None)\n * (Tensor input, Number min = None, Number max = None, *, "
                        "Tensor out = None)\n")
    if total_norm.dim() != 0:                   # (a norm with dims: broadcast as tensors)
        if foreach is not False:                # _foreach_mul_ takes a 0-d tensor only
            raise RuntimeError(f"scalar tensor expected to be 0 dim but it has "
                               f"{total_norm.dim()} dimensions and {total_norm.numel()} "
                               "elements.")
        from ...ops import clamp
        coef = clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for group in _group_by_dtype(grads).values():
            for g in group:
                g.mul_(coef)
        return
    coef = _clip_coef(total_norm, max_norm)
    site = _user_site()
    with np.errstate(all="ignore"):
        for group in _group_by_dtype(grads).values():
            for g in group:
                _mul_(g, coef, site)


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients so that their total norm is at most max_norm; return the total norm
    (a 0-d tensor, taken before clipping)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = _get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    _clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value] (clamp_min_, then
    clamp_max_)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    for group in _group_by_dtype(grads).values():
        for g in group:
            g.clamp_(min=-clip_value)
            g.clamp_(max=clip_value)
