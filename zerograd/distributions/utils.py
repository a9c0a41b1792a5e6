"""Helpers shared by the distributions (torch.distributions.utils)."""
from __future__ import annotations

from functools import update_wrapper
from numbers import Number

import zerograd as _z
from zerograd.tensor import Tensor

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property",
           "euler_constant"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Numbers become tensors (the dtype of the first tensor argument, else the default dtype),
    then all are broadcast together."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                         "objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = _z.get_default_dtype()
        for v in values:
            if isinstance(v, Tensor):
                dtype = v.dtype
                break
        values = [v if isinstance(v, Tensor) else _z.tensor(v, dtype=dtype) for v in values]
    return _z.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device=None):
    """N(0, 1) draws of `shape` as torch's distributions take them (empty(shape).normal_())."""
    return _z.empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """Sum out the rightmost `dim` dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """sigmoid for binary logits, softmax over the last dimension otherwise."""
    if is_binary:
        return _z.sigmoid(logits)
    return _z.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Keep probabilities in [eps, 1 - eps] (eps of their dtype)."""
    eps = _z.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """log(p) (log-odds for binary probabilities), on clamped probabilities."""
    p = clamp_probs(probs)
    if is_binary:
        return _z.log(p) - _z.log1p(-p)
    return _z.log(p)


class lazy_property:
    """A property computed on first access (with grad enabled) and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with _z.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a lazy_property looks like on the class (so that it reads as a property too)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _batch_mv(bmat, bvec):
    """Batched matrix-vector product (both broadcast): each product rounded, then summed along
    the row, as torch's kernel rounds them for these small matrices."""
    return (bmat * bvec.unsqueeze(-2)).sum(-1)
