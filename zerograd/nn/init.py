"""zerograd.nn.init: fill a tensor in place with values from a chosen distribution.

Every function writes into the tensor's memory under no_grad (a parameter is a leaf that
requires grad, so only an untracked in-place write may change it), bumps its version, and
returns it.  Random draws are torch's own streams (`torch.manual_seed` seeds them), taken in
torch's order, so `manual_seed(0); nn.Linear(3, 4)` holds torch's numbers.

The scale rules, with fan_in = size(1)·receptive field and fan_out = size(0)·receptive field:
    xavier (Glorot):  std = gain·sqrt(2 / (fan_in + fan_out))
    kaiming (He):     std = gain / sqrt(fan)           (fan = fan_in or fan_out by `mode`)
    uniform versions draw from U(-b, b) with b = sqrt(3)·std (the same variance).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import grad_mode as _gm
from ..ops._args import not_implemented
from ..ops._util import wrap
from ..ops import random as _random

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_", "sparse_", "uniform", "normal", "constant", "eye",
           "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
           "orthogonal", "sparse"]


def _write(tensor, arr):
    """tensor[...] = arr, as an untracked in-place write (version bumped)."""
    with _gm.no_grad():
        tensor.copy_(wrap(np.asarray(arr)))
    return tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity: linear/conv/sigmoid 1, tanh 5/3, relu sqrt(2),
    leaky_relu sqrt(2 / (1 + slope²)), selu 3/4."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.size(1) * receptive, tensor.size(0) * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """U(a, b): tensor.uniform_(a, b)."""
    with _gm.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """N(mean, std²): tensor.normal_(mean, std)."""
    with _gm.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std²) restricted to [a, b], by torch's two rejection methods (the same draws):
    where [a, b] holds more than 30% of the mass, whole-tensor normal draws replace the
    elements outside [a, b] until none is left; else uniform proposals on [a, b] are accepted
    where log U < -((x - mean)/std)²/2 - log_peak, a whole tensor of each per round."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    cdf = lambda x: (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0  # noqa: E731
    arr = tensor._data
    dt = arr.dtype
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        lo, hi = tensor.new_tensor(a).item(), tensor.new_tensor(b).item()  # (checked)
        result = _random.normal_values(arr, mean, std, generator)
        _write(tensor, result)                              # tensor.normal_
        redrawn = False
        while True:
            bad = (result < lo) | (result > hi)
            if not bad.any():
                break
            redrawn = True
            result = np.where(bad, _random.normal_values(arr, mean, std, generator), result)
        return _write(tensor, result) if redrawn else tensor
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    wide = np.dtype(np.float32) if dt.itemsize == 2 else dt   # half types compute in float

    def log_pdf(x):
        c = ((x.astype(wide) - wide.type(mean)).astype(dt).astype(wide) / wide.type(std)).astype(dt)
        c = (c.astype(wide) * c.astype(wide)).astype(dt)
        c = (c.astype(wide) * wide.type(-0.5)).astype(dt)
        return (c.astype(wide) - wide.type(log_peak)).astype(dt)

    def log_u():
        u = _random.uniform_values(arr, 0.0, 1.0, generator)
        return np.log(u.astype(np.float64)).astype(wide).astype(dt)

    result = _random.uniform_values(arr, a, b, generator)
    _write(tensor, result)                                  # tensor.uniform_
    with np.errstate(divide="ignore"):
        pending = log_u() > log_pdf(result)
        if not pending.any():
            return tensor
        while pending.any():
            cand = _random.uniform_values(arr, a, b, generator)
            result = np.where(pending, cand, result)
            pending = np.where(pending, log_u() > log_pdf(cand), pending)
    return _write(tensor, result)


def constant_(tensor, val):
    """tensor.fill_(val): a number or a 0-d tensor."""
    with _gm.no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    with _gm.no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    with _gm.no_grad():
        return tensor.zero_()


def eye_(tensor):
    """The identity matrix (2-D tensors only; non-square: ones on the main diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """The Dirac delta of a {3, 4, 5}-d conv weight: zero but a 1 at the kernel's centre for
    output channel g·(out/groups) + d and input channel d (d < min(out/groups, in))."""
    dimensions = tensor.dim()
    if dimensions not in [3, 4, 5]:
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    centre = tuple(s // 2 for s in sizes[2:])
    with _gm.no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min_dim):
                tensor[(g * out_chans_per_grp + d, d) + centre] = 1
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-b, b), b = gain·sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std                 # (torch's order of the products)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std²), std = gain·sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)      # (its errors come before the gain's)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(-b, b), b = sqrt(3)·gain/sqrt(fan).  nn.Linear uses a=sqrt(5): b = 1/sqrt(fan_in)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std²), std = gain/sqrt(fan)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix (trailing dims flattened): Q of the QR factorisation of a
    Gaussian matrix, with the signs of R's diagonal folded in so Q is uniformly distributed."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flat = _random.normal_values(np.empty((rows, cols), tensor._data.dtype), 0.0, 1.0, generator)
    if flat.dtype.itemsize == 2:                    # torch.linalg.qr has no half kernel
        not_implemented("geqrf_cpu", flat.dtype)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r)).astype(q.dtype)
    if rows < cols:
        q = q.T
    with _gm.no_grad():                             # torch's two writes: copy, then scale
        tensor.view_as(wrap(q)).copy_(wrap(q))
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """N(0, std²), then in every column ceil(sparsity·rows) elements (the first of a randperm)
    set to zero.  (As torch's, the randperms come from the default generator, not `generator`.)"""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with _gm.no_grad():
        tensor.normal_(0, std, generator=generator)
        for col_idx in range(cols):
            row_indices = _random.randperm(rows)
            zero_indices = row_indices[:num_zeros]
            tensor[zero_indices, col_idx] = 0
    return tensor


# deprecated aliases without the trailing underscore, as torch still has them
def _deprecated(fn):
    def wrapper(*args, **kwargs):
        warnings.warn(f"`nn.init.{fn.__name__[:-1]}` is now deprecated in favor of "
                      f"`nn.init.{fn.__name__}`.", FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__[:-1]
    return wrapper


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
