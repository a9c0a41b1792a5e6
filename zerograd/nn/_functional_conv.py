"""nn.functional's convolutions, poolings and batch / group / instance norm, with torch's
signatures and defaults (the nodes and their checks live in ops/conv.py and ops/pool_norm.py);
nn/functional.py re-exports every name here."""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

from .. import _lazy
from ..ops import conv as _conv
from ..ops import pool_norm as _pn

_p3 = _lazy.on_first_use("zerograd.ops.pool3d")     # (3-d pooling: imported when first called)

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices", "batch_norm", "group_norm", "instance_norm",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
]


# ***** convolutions *****

@_autocast.lower_precision
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) of (N, C, L) or (C, L) with weight (Co, C/groups, k)."""
    return _conv.conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


@_autocast.lower_precision
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of (N, C, H, W) or (C, H, W) with weight (Co, C/groups, kh, kw); padding
    may be an int, a pair, 'valid' or 'same'.  One ConvolutionBackward0 node."""
    return _conv.conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


@_autocast.lower_precision
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv.conv_nd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


@_autocast.lower_precision
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transpose (adjoint) of conv1d; weight (C_in, C_out/groups, k)."""
    return _conv.conv_transpose_nd(1, "conv_transpose1d", input, weight, bias, stride, padding,
                                   output_padding, groups, dilation)


@_autocast.lower_precision
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transpose (adjoint) of conv2d; weight (C_in, C_out/groups, kh, kw)."""
    return _conv.conv_transpose_nd(2, "conv_transpose2d", input, weight, bias, stride, padding,
                                   output_padding, groups, dilation)


@_autocast.lower_precision
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv.conv_transpose_nd(3, "conv_transpose3d", input, weight, bias, stride, padding,
                                   output_padding, groups, dilation)


# ***** pooling *****

def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _pn.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of the last dim; stride defaults to kernel_size."""
    if return_indices:
        return _pn.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return _pn.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    return _pn.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of the last two dims (one MaxPool2DWithIndicesBackward0 node); with
    return_indices also each maximum's flat index in its (H, W) plane."""
    out = _pn.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return out if return_indices else out[0]


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return _pn.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over windows of the last two dims (one AvgPool2DBackward0 node)."""
    return _pn.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                          divisor_override)


def _lp_pool(avg_pool, input, norm_type, kernel_size, stride, ceil_mode, window):
    """(Σ_window x^p)^(1/p) as avg_pool(x^p)·|window|, then the p-th root; a negative window sum
    (odd p) counts as 0."""
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim: (Σ_window x^p)^(1/p), p = norm_type."""
    return _lp_pool(avg_pool1d, input, norm_type, kernel_size, stride, ceil_mode, kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last two dims: (Σ_window x^p)^(1/p), p = norm_type."""
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return _lp_pool(avg_pool2d, input, norm_type, kernel_size, stride, ceil_mode, kh * kw)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last three dims: (Σ_window x^p)^(1/p), p = norm_type."""
    kd, kh, kw = (kernel_size,) * 3 if isinstance(kernel_size, int) else kernel_size
    return _lp_pool(avg_pool3d, input, norm_type, kernel_size, stride, ceil_mode, kd * kh * kw)


def _list_with_default(out_size, defaults):
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def adaptive_avg_pool1d(input, output_size):
    return _pn.adaptive_avg_pool1d(input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Mean over torch's adaptive windows (start ⌊i·H/O⌋, end ⌈(i+1)·H/O⌉); None keeps a size;
    an output of 1x1 is a mean over the last two dims (MeanBackward1, as torch)."""
    return _pn.adaptive_avg_pool2d(input, _list_with_default(output_size, list(input.shape)))


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _pn.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out = _pn.adaptive_max_pool1d(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _pn.adaptive_max_pool2d(input, _list_with_default(output_size, list(input.shape)))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


@_autocast.fp32
def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """-> (output, indices): max over windows of the last three dims (one
    MaxPool3DWithIndicesBackward0 node), each maximum's flat index in its (D, H, W) volume."""
    return _p3.max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


@_autocast.fp32
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of the last three dims of (N, C, D, H, W) or (C, D, H, W); stride
    defaults to kernel_size; with return_indices also the indices (as max_pool3d_with_indices)."""
    if return_indices:
        return _p3.max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return _p3.max_pool3d(input, kernel_size, () if stride is None else stride, padding,
                          dilation, ceil_mode)


@_autocast.fp32
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over windows of the last three dims (one AvgPool3DBackward0 node)."""
    return _p3.avg_pool3d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                          divisor_override)


@_autocast.fp32
def adaptive_avg_pool3d(input, output_size):
    """Mean over torch's adaptive windows of the last three dims; None keeps a size; an output of
    1x1x1 is a mean (MeanBackward1, as torch)."""
    return _p3.adaptive_avg_pool3d(input, _list_with_default(output_size, list(input.shape)))


@_autocast.fp32
def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _p3.adaptive_max_pool3d(input, _list_with_default(output_size, list(input.shape)))


@_autocast.fp32
def adaptive_max_pool3d(input, output_size, return_indices=False):
    out = adaptive_max_pool3d_with_indices(input, output_size)
    return out if return_indices else out[0]


@_autocast.fp32
def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: zeros with each input value at its index."""
    return _p3.max_unpool1d(input, indices, kernel_size, stride, padding, output_size)


@_autocast.fp32
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d (one MaxUnpool2DBackward0 node)."""
    return _p3.max_unpool2d(input, indices, kernel_size, stride, padding, output_size)


@_autocast.fp32
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d (one MaxUnpool3DBackward0 node)."""
    return _p3.max_unpool3d(input, indices, kernel_size, stride, padding, output_size)


# ***** normalisation *****

def _verify_batch_size(size):
    prods = size[0]
    for i in range(len(size) - 2):
        prods *= size[i + 2]
    if prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _verify_spatial_size(size):
    prods = 1
    for i in range(2, len(size)):
        prods *= size[i]
    if prods == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) over the batch and spatial dims: batch statistics when
    training (running_mean/var, if given, updated in place with `momentum`, the variance
    unbiased), else the running ones.  One NativeBatchNormBackward0 node."""
    if training:
        _verify_batch_size(input.size())
    from .functional import _not_differentiable      # (functional imports this module)
    _not_differentiable("native_batch_norm", running_mean=running_mean, running_var=running_var)
    return _pn.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over groups of num_groups channels (and the spatial dims)."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    _verify_batch_size([input.size(0) * input.size(1) // num_groups, num_groups]
                       + list(input.size()[2:]))
    return _pn.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over the spatial dims."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _pn.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                             momentum, eps)
