"""Gradient clipping, in place on the parameters' .grad (run after backward, before step).

clip_grad_norm_:   total = ‖(‖g₁‖, ‖g₂‖, ...)‖  (the norm of all grads seen as one vector);
                   every g *= min(1, max_norm / (total + 1e-6));  returns total.
clip_grad_value_:  every g = clamp(g, -clip_value, clip_value).
"""
from __future__ import annotations

import types
import warnings

import numpy as np

from ... import grad_mode as _gm
from ...ops._util import wrap
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    return [p.grad for p in parameters if p.grad is not None]


def _norm(a: np.ndarray, p: float) -> np.ndarray:
    a = np.abs(a.reshape(-1))
    if p == np.inf:
        return a.max(initial=0)
    if p == -np.inf:
        return a.min()
    if p == 0:
        return (a != 0).sum().astype(a.dtype)
    if p == 2:
        return np.sqrt((a * a).sum())
    return (a ** p).sum() ** (1.0 / p)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients so that their total norm is at most max_norm; return the total norm
    (a 0-d tensor, taken before clipping)."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return wrap(np.asarray(0.0, np.float32))
    dtype = grads[0]._data.dtype
    norms = np.array([_norm(g._data, norm_type) for g in grads], dtype=dtype)
    total = np.asarray(_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    with _gm.no_grad():
        for g in grads:
            g.mul_(coef)
    return wrap(total)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with _gm.no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)
