"""Padding: constant (ConstantPadNd; negative amounts crop) and the index paddings reflect,
replicate and circular (IndexPad), for torch.constant_pad_nd and nn.functional.pad."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._util import wrap


class ConstantPadNd(Op):
    """z = a padded (or, for negative amounts, cropped) with `value`
    da = g padded by the negated amounts (the inverse crop)"""
    arity = 1

    @staticmethod
    def forward(ctx, a, pad, value):
        ctx.pad = pad
        x = a._data
        nd = len(pad) // 2
        shape = list(x.shape)
        src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        empty = False
        for j in range(nd):
            d = x.ndim - 1 - j
            lo, hi = pad[2 * j], pad[2 * j + 1]
            size = x.shape[d]
            new = size + lo + hi
            shape[d] = new
            s0, s1 = max(-lo, 0), size - max(-hi, 0)
            if s1 <= s0:
                empty = True
                continue
            t0 = max(lo, 0)
            src[d], dst[d] = slice(s0, s1), slice(t0, t0 + s1 - s0)
        z = np.full(shape, value, x.dtype) if value != 0 else np.zeros(shape, x.dtype)
        if not empty:
            z[tuple(dst)] = x[tuple(src)]
        return z

    @staticmethod
    def backward(ctx, g):
        return ConstantPadNd.apply(g, tuple(-p for p in ctx.pad), 0)


def check_narrow(shape, pad):
    """torch's constant_pad_nd crops first, narrowing each padded dim by its negative amounts
    (left, then right): a crop longer than what is left fails there, even where the other
    side's padding would give a valid size ((3, -4) on a size 3)."""
    for j in range(len(pad) // 2):
        n, lo, hi = shape[len(shape) - 1 - j], pad[2 * j], pad[2 * j + 1]
        if (lo < 0 and n + lo < 0) or (hi < 0 and n + min(lo, 0) + hi < 0):
            raise RuntimeError("narrow(): length must be non-negative.")


def constant_pad_nd(input, pad, value=0):
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Length of pad should be no more than twice the number of dimensions "
                           f"of the input. Pad length is {len(pad)} while the input has "
                           f"{input.ndim} dimensions.")
    check_narrow(input._data.shape, pad)
    return ConstantPadNd.apply(input, pad, value)


def pad_indices(mode, n, lo, hi):
    """For each output position of one padded dim, the input index it copies (mode 'reflect',
    'replicate' or 'circular'; negative amounts crop).  torch's rules: reflect and replicate
    measure from the uncropped input, circular wraps the cropped one."""
    if mode == "circular":
        if n + lo + hi == 0:                 # (the crops take it all: nothing to wrap)
            return np.arange(0)
        kept = np.arange(max(-lo, 0), n - max(-hi, 0))
        j = np.arange(-max(lo, 0), len(kept) + max(hi, 0))
        return kept[j % len(kept)] if len(kept) else kept
    j = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    period = 2 * (n - 1)                     # reflect: ... 2 1 [0 1 2 ... n-1] n-2 ...
    if period == 0:
        return np.zeros_like(j)
    j = np.abs(j) % period
    return np.where(j < n, j, period - j)


class IndexPad(Op):
    """y = x with each padded dim's positions copied from input positions (reflect, replicate,
    circular)            dx = g summed back into the positions each output position copied"""
    arity = 1

    @staticmethod
    def forward(ctx, x, mode, pad):
        a = x._data
        idxs = []
        for i in range(len(pad) // 2):
            d = a.ndim - 1 - i
            idx = pad_indices(mode, a.shape[d], pad[2 * i], pad[2 * i + 1])
            a = np.take(a, idx, axis=d)
            idxs.append((d, idx))
        ctx.idxs, ctx.in_shape = idxs, x._data.shape
        return a

    @staticmethod
    def backward(ctx, g):
        from .gather import index_add
        shape = list(g.shape)
        for d, idx in reversed(ctx.idxs):
            shape[d] = ctx.in_shape[d]
            g = index_add(Tensor._make(np.zeros(shape, g._data.dtype), False, None, 0), d,
                          wrap(idx), g)
        return g

    @staticmethod
    def np_backward(ctx, g):
        shape = list(g.shape)
        for d, idx in reversed(ctx.idxs):
            shape[d] = ctx.in_shape[d]
            out = np.zeros(shape, g.dtype)
            np.add.at(np.moveaxis(out, d, 0), idx, np.moveaxis(g, d, 0))
            g = out
        return g


_PAD_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0"}
_PAD_OPS = {}


def index_pad_op(mode, k):
    """The IndexPad op whose node has torch's name for `mode` over k dims (circular: torch
    composes slices and copies; its top node is CopySlices)."""
    op = _PAD_OPS.get((mode, k))
    if op is None:
        attrs = {"__doc__": None, "__module__": __name__}
        if mode == "circular":
            attrs.update(node_name="CopySlices", torch_name="torch::autograd::CopySlices")
        else:
            attrs["node_name"] = _PAD_NAMES[mode].format(k)
        name = f"IndexPad{mode.capitalize()}{k}d"
        op = _PAD_OPS[(mode, k)] = type(name, (IndexPad,), dict(attrs, __qualname__=name))
    return op


for _mode in ("reflect", "replicate", "circular"):
    for _k in (1, 2, 3):
        index_pad_op(_mode, _k)
