"""zerograd.nn.functional: torch.nn.functional's names, as thin functions over the ops.

The heavy lifting is in `ops/nn_ops.py` (fused nodes with their own VJPs) and in the core ops;
here live the argument handling, the checks with torch's messages, and the few functions that
are compositions (linear, dropout, scaled_dot_product_attention, multi-head attention).
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import math
import sys
import warnings

import numpy as np

from .. import _lazy
from .. import dtypes as _dt
from .. import grad_mode as _gm
from ..ops import activations as _act
from ..ops import addmm, matmul, minimum, ones_like, where, zeros, zeros_like
from ..ops.shape import view as _view
from ..ops import nn_losses as _losses
from ..ops import nn_ops as _nn
from ..ops import inplace as _inplace
from ..ops import padding as _pad
from ..ops._util import c10_type_name, canon_dim, canon_dims, wrap
from ..ops._util import scalar_type_name as _legacy   # torch's names: Float, Long, ...
from ..ops.random import bernoulli_values as _bernoulli_values
from ..ops.elementwise import Mul
from ..ops.join import cat
from ..ops.mathfns import xlogy
from ..tensor import Tensor

__all__ = [
    "linear", "relu", "relu_", "gelu", "silu", "tanh", "sigmoid", "softmax", "log_softmax", "dropout",
    "layer_norm", "rms_norm", "embedding", "one_hot", "pad", "cross_entropy", "nll_loss",
    "mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "scaled_dot_product_attention",
    "multi_head_attention_forward", "softplus", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "leaky_relu", "leaky_relu_", "hardtanh", "hardtanh_", "relu6", "logsigmoid", "mish",
    "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softshrink", "hardshrink", "threshold",
    "threshold_", "glu", "softmin", "prelu", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "normalize", "cosine_similarity",
    "pairwise_distance", "huber_loss", "kl_div", "soft_margin_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss", "gaussian_nll_loss",
    "multilabel_soft_margin_loss", "triplet_margin_loss",
]


# ------------------------------------------------------------------------------------------------
# linear and activations
# ------------------------------------------------------------------------------------------------

@_autocast.lower_precision
def linear(input, weight, bias=None):
    """y = x Wᵀ + b, recorded as torch records it:
    2-D x with bias: addmm(b, x, Wᵀ)  ->  AddmmBackward0 <- (AccumulateGrad, x, TBackward0)
    other contiguous x with bias: the same on x.view(-1, in), then a view back (ViewBackward0)
    without bias: matmul(x, Wᵀ)."""
    wt = weight.t()
    if bias is None:
        return matmul(input, wt)
    if input.dim() == 2:
        return addmm(bias, input, wt)
    if weight.dim() != 2:               # a vector of weights: x · w + b (torch's too)
        return matmul(input, wt) + bias
    if input.is_contiguous() and input.dim() >= 1:
        shp = input._data.shape
        if shp[-1]:                 # (the shapes view(-1, in) and the view back resolve to)
            out = _view(input, (math.prod(shp[:-1]), shp[-1]))
            out = addmm(bias, out, wt)
            return _view(out, shp[:-1] + out._data.shape[-1:])
        out = addmm(bias, input.view(-1, input.shape[-1]), wt)
        return out.view(tuple(input.shape[:-1]) + (out.shape[-1],))
    return matmul(input, wt) + bias


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def _float_activation(input, kernel):
    """torch's activations have no integer or bool kernels."""
    if not input.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_nn._LEGACY.get(input.dtype.name, input.dtype.name)}'")


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_activation(input, "GeluKernelImpl")
    return _nn.Gelu.apply(input, approximate)


def silu(input, inplace=False):
    _float_activation(input, "silu_cpu")
    if inplace:
        return _inplace.apply_inplace(input, _nn.Silu.apply)
    return _nn.Silu.apply(input)


def tanh(input):
    return input.tanh()


# The activations below are ops/activations.py's (torch's in-place builtins, F.elu_ and the
# like, take the same arguments there); here are the `inplace=` flags and torch's Python checks.

softplus = _act.softplus            # (input, beta=1.0, threshold=20.0)
elu_ = _act.elu_                    # (input, alpha=1.0)
selu_ = _act.selu_                  # (input)
celu_ = _act.celu_                  # (input, alpha=1.0)
leaky_relu_ = _act.leaky_relu_      # (input, negative_slope=0.01)
hardtanh_ = _act.hardtanh_          # (input, min_val=-1.0, max_val=1.0)
logsigmoid = _act.log_sigmoid       # (input)
softshrink = _act.softshrink        # (input, lambd=0.5)
hardshrink = _act.hardshrink        # (input, lambd=0.5)
threshold_ = _act.threshold_        # (input, threshold, value)


def elu(input, alpha=1.0, inplace=False):
    return _act.elu_(input, alpha) if inplace else _act.elu(input, alpha)


def selu(input, inplace=False):
    return _act.selu_(input) if inplace else _act.selu(input)


def celu(input, alpha=1.0, inplace=False):
    return _act.celu_(input, alpha) if inplace else _act.celu(input, alpha)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return (_act.leaky_relu_ if inplace else _act.leaky_relu)(input, negative_slope)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return (_act.hardtanh_ if inplace else _act.hardtanh)(input, min_val, max_val)


def relu6(input, inplace=False):
    return _act.relu6_(input) if inplace else _act.relu6(input)


def mish(input, inplace=False):
    return _act.mish_(input) if inplace else _act.mish(input)


def hardsigmoid(input, inplace=False):
    return _act.hardsigmoid_(input) if inplace else _act.hardsigmoid(input)


def hardswish(input, inplace=False):
    return _act.hardswish_(input) if inplace else _act.hardswish(input)


def softsign(input):
    """x / (1 + |x|), recorded as torch builds it: DivBackward0(x, AddBackward0(AbsBackward0))."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x), recorded as torch builds it: SubBackward0(x, TanhBackward0)."""
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    return (_act.threshold_ if inplace else _act.threshold)(input, threshold, value)


def glu(input, dim=-1):
    return _act.glu(input, dim)


def sigmoid(input):
    return input.sigmoid()


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax along dim (one SoftmaxBackward0 node)."""
    if isinstance(_stacklevel, _dt.dtype):      # torch.softmax(x, dim, dtype) positionally
        dtype = _stacklevel
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    return _nn.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log softmax along dim (one LogSoftmaxBackward0 node)."""
    if isinstance(_stacklevel, _dt.dtype):
        dtype = _stacklevel
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    return _nn.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along dim (one SoftmaxBackward0 node on top of the negation)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    return _nn.softmax(-input, dim, dtype)


prelu = _act.prelu                  # (input, weight): one PreluKernelBackward0 node


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p), in training only.
    Recorded as torch does on the CPU: input * mask (MulBackward0; the mask is a constant)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    a = input._data
    if p == 1.0:
        mask = np.zeros(a.shape, a.dtype)
    else:
        mask = _dropout_noise(np.empty_like(a), p)
    if inplace:
        return input.mul_(wrap(mask))
    return Mul.apply(input, wrap(mask))


def _dropout_noise(noise, p):
    """torch's CPU dropout mask: noise.bernoulli_(1 - p) (a double uniform per element, in the
    noise tensor's memory order), then noise.div_(1 - p) in the noise's dtype (through float for
    half types)."""
    keep = _bernoulli_values(noise, 1.0 - p)
    if keep.dtype.itemsize == 2:
        return (keep.astype(np.float32) / np.float32(1.0 - p)).astype(keep.dtype)
    return keep / keep.dtype.type(1.0 - p)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


_SELU_ALPHA = 1.7580993408473766       # -SELU's scale·alpha: where alpha dropout sends a zero


def _noise_dropout(input, p, training, inplace, feature, alpha):
    """torch's _dropout_impl: input·m (feature: one draw per (sample, channel), broadcast over
    the rest) with m = keep/(1-p); alpha: input·(keep·a) + b, keeping SELU's mean and variance.
    The identity where p = 0, in eval mode or on an empty input; input·0 where p = 1."""
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if p == 1.0:
        zero = zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else Mul.apply(input, zero)
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not input.is_floating_point():
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{_legacy(input.dtype)}")
    dt = input._data.dtype
    noise = np.empty(input.shape[:2] + (1,) * (input.dim() - 2), dt) if feature else \
        np.empty_like(input._data)
    if not alpha:
        mask = wrap(_dropout_noise(noise, p))
        return input.mul_(mask) if inplace else Mul.apply(input, mask)
    keep = _bernoulli_values(noise, 1.0 - p)
    a = 1.0 / math.sqrt((_SELU_ALPHA ** 2 * p + 1) * (1 - p))
    b = wrap(((keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p).astype(dt))
    mask = wrap((keep * a).astype(dt))
    return input.mul_(mask).add_(b) if inplace else Mul.apply(input, mask) + b


def _unbatched_dropout(input, p, training, inplace):
    """Feature dropout of an input without its batch dim: as torch, on input.unsqueeze(0),
    squeezed back (so even the identity returns a view, SqueezeBackward1)."""
    if not inplace:
        return _noise_dropout(input.unsqueeze(0), p, training, False, True, False).squeeze(0)
    if p == 0.0 or not training or input.numel() == 0:
        return input
    mask = _noise_dropout(ones_like(input).unsqueeze(0), p, True, False, True, False)
    return input.mul_(mask.squeeze(0))


def _dropout_dim_warning(name, nd, spatial):
    warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will "
                  "result in an error in a future release. To retain the behavior and silence "
                  f"this warning, please use dropout instead. Note that {name} exists to provide "
                  f"channel-wise dropout on inputs with {spatial} spatial dimensions, a channel "
                  f"dimension, and an optional batch dimension (i.e. {spatial + 1}D or "
                  f"{spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input (N, C, L) or (C, L); each channel with probability p."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    if nd == 2:
        return _unbatched_dropout(input, p, training, inplace)
    return _noise_dropout(input, p, training, inplace, True, False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W); a 3-D input is taken as (N, C, L) (torch warns)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        _dropout_dim_warning("dropout2d", nd, 2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, "
                      "W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=2)
    return _noise_dropout(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        _dropout_dim_warning("dropout3d", nd, 3)
    if nd != 5:
        return _unbatched_dropout(input, p, training, inplace)
    return _noise_dropout(input, p, training, inplace, True, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements are set to SELU's negative saturation and
    the result is rescaled so that mean and variance are kept (training=False by default)."""
    _check_p(p)
    return _noise_dropout(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dim 1)."""
    _check_p(p)
    return _noise_dropout(input, p, training, inplace, True, True)


# ------------------------------------------------------------------------------------------------
# normalization, embedding, one_hot, pad
# ------------------------------------------------------------------------------------------------

def _norm_dims(input, normalized_shape, star="*, "):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if tuple(input.shape[input.dim() - k:]) != shape or k > input.dim():
        expect = ", ".join(str(s) for s in shape)
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[{star}{expect}], but got input of size{list(input.shape)}")
    return tuple(range(input.dim() - k, input.dim()))


def _affine_shapes(normalized_shape, **params):
    """torch's check that weight (and bias) have exactly the normalized shape."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    for name, t in params.items():
        if t is not None and tuple(t.shape) != shape and shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias over the trailing dims (one node)."""
    if weight is not None or bias is not None:
        _affine_shapes(normalized_shape, weight=weight, bias=bias)
    return _nn.LayerNorm.apply(input, weight, bias, _norm_dims(input, normalized_shape), eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x²) + eps) * weight over the trailing dims; eps defaults to the dtype's eps."""
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    if input.dim() < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got "
                         f"{input.dim()}")
    if weight is not None:
        _affine_shapes(normalized_shape, weight=weight)
    dims = _norm_dims(input, normalized_shape, "*")      # (torch's rms_norm message: [*3, 4])
    if eps is None:         # the eps of the dtype computed in (float32 for half types), as torch
        eps = _dt.finfo(_dt.float32 if input.dtype in (_dt.float16, _dt.bfloat16) else
                        input.dtype).eps if input.is_floating_point() else \
            float(np.finfo(np.float64).eps)
    return _nn.RmsNorm.apply(input, weight, dims, eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """weight[input]: the rows of `weight` picked by the integer tensor `input`."""
    if sparse:
        raise NotImplementedError("sparse gradients are not supported by zerograd; use sparse=False")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           "scalar types: Long, Int; but got torch."
                           f"{_nn._LEGACY[input.dtype.name]}Tensor instead (while checking "
                           "arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
            padding_idx = num + padding_idx
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    return _nn.Embedding.apply(weight, idx.astype(np.int64, copy=False), padding_idx,
                               scale_grad_by_freq)


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    """Rescale, in place, the rows of `weight` used by `idx` whose norm exceeds max_norm."""
    rows = np.unique(idx)
    w = weight._data[rows]
    norms = np.linalg.norm(w, ord=norm_type, axis=1).astype(np.float64)    # (item<double>)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    new = weight._data.copy()
    new[rows] = w * scale[:, None]
    with _gm.no_grad():
        weight.copy_(wrap(new))


def one_hot(tensor, num_classes=-1):
    """Integer class indices -> int64 one-hot vectors along a new last dim."""
    a = tensor._data
    if type(num_classes) is not int and not isinstance(num_classes, np.integer):
        raise TypeError("one_hot(): argument 'num_classes' (position 2) must be int, not "
                        f"{type(num_classes).__name__}")
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not a.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return wrap((a[..., None] == np.arange(num_classes)).astype(np.int64))


_PAD_COMBOS = ("Supported combinations for non-constant padding:\n"
               "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
               "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
               "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the last len(pad)//2 dims: pad = (left, right) of
    the last dim, then of the one before, ...  mode: 'constant' (with `value`), 'reflect'
    (mirror without repeating the edge), 'replicate' (repeat the edge), 'circular' (wrap)."""
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    for i, p in enumerate(pad):
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer, Tensor)):
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but found "
                            f"element of type {type(p).__name__} at pos {i}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.dim()}")
    if mode != "constant":
        if mode == "replicate" or mode == "reflect" and len(pad) < 6:
            return _index_pad_fp32(input, pad, mode, value)     # (torch's autocast: float32)
        return _index_pad(input, pad, mode, value)
    _pad.check_narrow(tuple(input.shape), pad)
    return _pad.ConstantPadNd.apply(input, pad, 0 if value is None else value)


@_autocast.fp32
def _index_pad_fp32(input, pad, mode, value):
    return _index_pad(input, pad, mode, value)


def _index_pad(input, pad, mode, value):
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k, nd = len(pad) // 2, input.dim()
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input "
                                  f"tensor.\n{_PAD_COMBOS}")
    shape = list(input.shape)
    if mode == "circular":          # torch's _pad_circular: the padded dims, outermost first
        for i in reversed(range(k)):
            n, lo, hi = shape[nd - 1 - i], pad[2 * i], pad[2 * i + 1]
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if n + lo + hi < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            if n + lo + hi > 0 and n + min(lo, 0) + min(hi, 0) <= 0:
                # torch wraps an empty region there and returns uninitialized memory
                raise RuntimeError(f"zerograd: circular padding ({lo}, {hi}) of a dimension of "
                                   f"size {n} crops it all and then wraps nothing; torch returns "
                                   "uninitialized memory here")
        return _pad.index_pad_op(mode, k).apply(input, mode, pad)
    if 0 in shape[nd - k - 1:]:
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly "
                           f"0 batch size and other non-zero dimensions for input, but got: "
                           f"{shape}")
    out = list(shape)
    for i in range(k):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = shape[d]
        out[d] = n + lo + hi
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) at "
                               f"dimension {d} of input {shape}")
    sizes, outs = shape[nd - k:], out[nd - k:]         # (D, H, W) and what they become
    if max(outs) < 1:
        names = "DHW"[3 - k:]
        ins = ", ".join(f"{c}: {v}" for c, v in zip(names, sizes))
        if k == 3:
            ins = ins.replace(", ", " ", 1)             # torch's "(D: 3 H: 3, W: 3)"
        elif k == 2 and mode == "replicate":
            ins += " "                                  # and "(H: 3, W: 3 )"
        got = " ".join(f"{c}: {v}" for c, v in zip(names, outs))
        raise RuntimeError(f"input ({ins}) is too small. Calculated output {got}")
    if min(outs) < 0:
        if k == 2 and mode == "reflect":
            raise RuntimeError("numel: integer multiplication overflow")
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(v for v in out if v < 0)}: {out}")
    return _pad.index_pad_op(mode, k).apply(input, mode, pad)


# ------------------------------------------------------------------------------------------------
# distances
# ------------------------------------------------------------------------------------------------

def _broadcast_shape(a, b):
    """The shape tensors a and b broadcast to, or torch's error for the last dim that differs."""
    xs, ys = tuple(a.shape), tuple(b.shape)
    for i in range(1, min(len(xs), len(ys)) + 1):
        p, q = xs[-i], ys[-i]
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) "
                               f"at non-singleton dimension {max(len(xs), len(ys)) - i}")
    return tuple(np.broadcast_shapes(xs, ys))


def _check_dim(dim, ndim):
    """torch's IndexError for a dim out of range (a 0-d tensor takes dim 0 or -1 only)."""
    canon_dim(dim, max(ndim, 1))


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """input / max(‖input‖_p along dim (an int, or a tuple/list of dims), eps): unit vectors
    along dim (DivBackward0)."""
    if isinstance(dim, (tuple, list)):
        dim = tuple(dim)                # (norm checks each dim and repeats)
    else:
        _check_dim(dim, input.dim())
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)


def _clamped_norm(x, dim, eps):
    """‖x‖ along dim (kept), raised to eps where smaller - under no_grad, as torch does it, so
    the gradient flows as if there were no clamp."""
    n = x.norm(2, dim, keepdim=True).clone()
    with _gm.no_grad():
        n.clamp_min_(eps)
    return n


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ (x1/‖x1‖)·(x2/‖x2‖) along dim of the broadcast inputs, each norm at least eps
    (SumBackward1).  Integer inputs are converted to the common floating dtype."""
    common = _dt.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_legacy(common)}")
    x1, x2 = (x if x.is_floating_point() else x.to(common) for x in (x1, x2))
    shape = _broadcast_shape(x1, x2)
    _check_dim(dim, len(shape))
    if x1.shape != x2.shape:
        x1, x2 = x1.expand(shape), x2.expand(shape)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p over the last dim of the broadcast shape (NormBackward1); the eps keeps
    the gradient finite where x1 == x2."""
    if not isinstance(p, (int, float)):
        raise TypeError(f"pairwise_distance(): argument 'p' must be float, not {type(p).__name__}")
    d = x1 - x2 + eps
    dims = canon_dims(max(x1.dim(), x2.dim()) - 1, d.dim())
    return _losses.PairwiseNorm.apply(d, float(p), dims, keepdim)


# ------------------------------------------------------------------------------------------------
# losses
# ------------------------------------------------------------------------------------------------

def _user_stacklevel() -> int:
    """The stacklevel, for the function that calls this, of the first frame outside zerograd:
    a warning points at the user's line however many of zerograd's frames (an F function, its
    helpers, the autocast and out= wrappers) lie between."""
    f, level = sys._getframe(1), 1
    while f is not None:
        name = f.f_globals.get("__name__", "")
        if name != "zerograd" and not name.startswith("zerograd."):
            break
        f, level = f.f_back, level + 1
    return level


def _legacy_reduction(size_average, reduce):
    """The reduction the deprecated size_average/reduce flags stand for (with torch's warning,
    pointing at the user's line)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", stacklevel=_user_stacklevel())
    return reduction


def _reduction(size_average, reduce, reduction):
    """torch's _Reduction.get_enum (legacy_get_enum when size_average/reduce are given), as a
    string: 'none', 'mean' or 'sum'; 'elementwise_mean' is the deprecated spelling of 'mean'."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=_user_stacklevel())
        return "mean"
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction):
    """Reduce an elementwise loss as torch's apply_loss_reduction: as it is, sum or mean."""
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


@_autocast.fp32
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy of logits `input` (class dim 1, or 0 for a single sample) against class
    indices or class probabilities (a float target shaped like input).  One fused node."""
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:               # (a negative one is no smoothing, as torch)
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    label_smoothing = max(float(label_smoothing), 0.0)
    class_dim = 0 if input.dim() == 1 else 1
    if target.shape == input.shape:         # class probabilities (torch: any equal shapes)
        if not target.is_floating_point():
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {_nn._LEGACY[target.dtype.name]}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if input.dim() == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        C = input.shape[class_dim]
        if weight is not None and (weight.dim() != 1 or weight.numel() != C):
            raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {C} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(weight.shape)}")
        _log_softmax_kernel(input, class_dim)
        # torch: -(log_softmax · target · weight).sum() / n, or for no elements .fill_(nan)
        op = _nn.CrossEntropyProbs if reduction == "mean" and input.numel() else \
            _nn.CrossEntropyProbsSum
        return op.apply(input, target, weight, reduction, label_smoothing)
    if input.dim() == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    _log_softmax_kernel(input, class_dim)   # (empty: the nll kernel's checks raise instead)
    op = _nn.CrossEntropySmoothed if label_smoothing > 0 else _nn.nll_variant(
        input.dim(), reduction, _nn.CrossEntropy, _nn.CrossEntropy2d, _nn.CrossEntropyView)
    return op.apply(input, target, weight, ignore_index, reduction, label_smoothing)


def _log_softmax_kernel(input, dim):
    """torch's log_softmax has no integer or bool kernel (cross_entropy calls it first)."""
    if not input.is_floating_point() and input.numel():
        kernel = "log_softmax_lastdim_kernel_impl" if dim == input.dim() - 1 else \
            "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_legacy(input.dtype)}'")


@_autocast.fp32
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log likelihood of log-probabilities `input` at the class indices `target`."""
    reduction = _reduction(size_average, reduce, reduction)
    op = _nn.nll_variant(input.dim(), reduction, _nn.NllLoss, _nn.NllLoss2d, _nn.NllLossView)
    return op.apply(input, target, weight, ignore_index, reduction)


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.",
                      stacklevel=_user_stacklevel())


def _expanded(input, target):
    """torch.broadcast_tensors(input, target), as mse/l1/smooth_l1/huber call it before their
    kernel (torch's error for shapes that do not broadcast; the result dtype then promotes two
    tensors of one rank, and the target's gradient flows back through an expand)."""
    shape = _broadcast_shape(input, target)
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in (input, target))


def _float_kernel(input, target, kernel):
    """torch's regression kernels (mse, smooth_l1) have no integer or bool version."""
    common = _dt.result_type(input, target)
    if not common.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(common)}\'')


def _weighted(elementwise, weight, input, reduction):
    """torch's weighted mse/l1: check the weight, compute the loss, then check the reduction."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = elementwise() * weight
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                         "'sum'.")
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / weight.sum()


@_autocast.fp32
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """reduce((input - target)²)  (one MseLossBackward0 node without weight)."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    x, y = _expanded(input, target)         # (torch checks the reduction after broadcasting)
    if weight is not None:
        return _weighted(lambda: (x - y) ** 2, weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    _float_kernel(x, y, "mse_cpu")
    return _nn.MseLoss.apply(x, y, reduction)


@_autocast.fp32
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """reduce(|input - target|), composed of primitives as torch records it."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    x, y = _expanded(input, target)         # (torch checks the reduction after broadcasting)
    if weight is not None:
        return _weighted(lambda: (x - y).abs(), weight, input, reduction)
    reduction = _reduction(None, None, reduction)
    return _reduce((x - y).abs(), reduction)


@_autocast.fp32
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Huber-like loss: ½d²/β where |d| < β, |d| - ½β elsewhere (β = 0 is the L1 loss)."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    x, y = _expanded(input, target)         # (torch checks the reduction after broadcasting)
    reduction = _reduction(None, None, reduction)
    if beta == 0.0:
        return _reduce((x - y).abs(), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _float_kernel(x, y, "smooth_l1_cpu")
    return _nn.SmoothL1Loss.apply(x, y, reduction, float(beta))


@_autocast.fp32
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w·(y·log x + (1-y)·log(1-x)) for probabilities x in [0, 1]."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    _not_differentiable("binary_cross_entropy", weight=weight)
    if target.dtype is not input.dtype:        # (torch's kernel wants one dtype)
        raise RuntimeError(f"Found dtype {_legacy(target.dtype)} but expected "
                           f"{_legacy(input.dtype)}")
    if not input.is_floating_point():
        raise NotImplementedError(f'"binary_cross_entropy" not implemented for '
                                  f"'{_legacy(input.dtype)}'")
    return _nn.BinaryCrossEntropy.apply(input, target, weight, reduction)


def _not_differentiable(fn, **tensors):
    """torch's error for a tensor argument its loss has no gradient for, given requiring grad."""
    for name, t in tensors.items():
        if t is not None and t.requires_grad and _gm.is_grad_enabled():
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad True.")


@_autocast.fp32
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    _not_differentiable("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    # torch's composite: log_sigmoid(input), then (1 - target).mul_(input).sub_(...) in place in
    # the target's dtype (the loss's dtype)
    if not input.is_floating_point():
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for "
                                  f"'{_legacy(input.dtype)}'")
    if target.dtype is _dt.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if not target.is_floating_point():
        raise RuntimeError(f"result type {_legacy(input.dtype)} can't be cast to the desired "
                           f"output type {_legacy(target.dtype)}")
    if pos_weight is not None:              # (torch's error for shapes that do not broadcast,
        _broadcast_shape(pos_weight, target)    # in the order its kernel meets them)
    if weight is not None:
        _broadcast_shape(input, weight)
    return _nn.BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def _kernel_dtypes(input, target, kernel):
    """torch's fused losses compute in the promoted dtype and write the input's: an integer or
    bool input has no kernel (both integer) or cannot hold the float result."""
    if input.is_floating_point():
        return
    common = _dt.result_type(input, target)
    if common.is_floating_point:
        raise RuntimeError(f"result type {_legacy(common)} can't be cast to the desired output "
                           f"type {_legacy(input.dtype)}")
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(common)}\'')


def _huber(input, target, reduction, delta):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _kernel_dtypes(input, target, "huber_cpu")
    return _losses.HuberLoss.apply(input, target, reduction, float(delta))


@_autocast.fp32
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """reduce(½d² where |d| < delta, delta·(|d| - ½delta) elsewhere), d = input - target
    (one HuberLossBackward0 node).  With weight: the elementwise loss times weight, then summed
    or averaged over the elements."""
    _warn_size(input, target)
    x, y = _expanded(input, target)
    if weight is None:
        return _huber(x, y, _reduction(None, None, reduction), delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = _huber(x, y, "none", delta) * weight
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                         "'sum'.")
    return _reduce(loss, reduction)


@_autocast.fp32
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target ‖ exp(input)) elementwise: target·(log target - input), input given as
    log-probabilities (target too if log_target).  'batchmean' divides the sum by the batch
    size (the mathematical KL divergence); 'mean' divides by every element (torch warns)."""
    if size_average is not None or reduce is not None:
        how = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                          "support size.'batchmean' divides only by the batch size, and aligns "
                          "with the KL div math definition.'mean' will be changed to behave the "
                          "same as 'batchmean' in the next major release.",
                          stacklevel=_user_stacklevel())
        how = "sum" if reduction == "batchmean" else _reduction(None, None, reduction)
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):   # (log 0, log of a negative: as
            loss = xlogy(target, target) - target * input       # torch, without NumPy's warning)
    loss = _reduce(loss, how)
    if reduction == "batchmean" and input.dim() != 0:
        loss = loss / input.shape[0]
    return loss


@_autocast.fp32
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """reduce(log(1 + exp(-target·input))) for targets ±1 (one SoftMarginLossBackward0 node;
    target broadcasts to input's shape and gets no gradient)."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.requires_grad and _gm.is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    if input.dtype is _dt.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    shape = _broadcast_shape(input, target)
    if shape != tuple(input.shape):
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    if not input.is_floating_point():
        common = _dt.result_type(input, target)
        raise RuntimeError(f"result type {_legacy(common) if common.is_floating_point else 'Float'}"
                           f" can't be cast to the desired output type {_legacy(input.dtype)}")
    return _losses.SoftMarginLoss.apply(input, target, reduction)


@_autocast.fp32
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """reduce(max(0, -target·(input1 - input2) + margin)): input1 should rank above input2
    where target = 1, below where target = -1."""
    reduction = _reduction(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + float(margin)).clamp_min(0), reduction)


def _rsub_keeping_dtype(number, x):
    """number - x in x's dtype (ATen's Scalar - Tensor: an integer x truncates the number)."""
    return (int(number) if not x.is_floating_point() else number) - x


@_autocast.fp32
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """reduce(input where target = 1, max(0, margin - input) where target = -1)."""
    reduction = _reduction(size_average, reduce, reduction)
    zero = zeros_like(input)
    below_margin = _rsub_keeping_dtype(margin, input).clamp_min(0)
    return _reduce(where(target != 1, below_margin, zero) + where(target != -1, input, zero),
                   reduction)


@_autocast.fp32
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """reduce(1 - cos(input1, input2) where target = 1, max(0, cos - margin) where target = -1),
    cos over the last dim, with 1e-12 added to each squared norm."""
    reduction = _reduction(size_average, reduce, reduction)
    d = target.dim()
    if d > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != d + 1 or input2.dim() != d + 1:
        raise RuntimeError(f"{d}D target tensor expects {d + 1}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    dot = (input1 * input2).sum(d)
    sq1 = (input1 * input1).sum(d) + 1e-12
    sq2 = (input2 * input2).sum(d) + 1e-12
    cos = dot / (sq1 * sq2).sqrt()
    zero = zeros_like(cos)
    return _reduce(where(target == 1, 1 - cos, zero) +
                   where(target == -1, (cos - margin).clamp_min(0), zero), reduction)


@_autocast.fp32
def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log likelihood of target ~ Poisson(rate): rate - target·log(rate), with
    rate = exp(input) (log_input) or input (+ eps in the log); full adds Stirling's
    approximation of log(target!) where target > 1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def _gaussian_var(var, input):
    """var as a tensor shaped to broadcast against input, with torch's checks."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return var * ones_like(input)
    if not isinstance(var, Tensor):
        raise TypeError(f"any() received an invalid combination of arguments - got "
                        f"({type(var < 0).__name__}), but expected one of:\n"
                        " * (Tensor input, *, Tensor out = None)\n"
                        " * (Tensor input, tuple of ints dim = None, bool keepdim = False, *, "
                        "Tensor out = None)\n"
                        " * (Tensor input, int dim, bool keepdim = False, *, Tensor out = None)\n")
    if (var < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:                   # one variance per sample
        return var.unsqueeze(-1)
    if input.dim() == var.dim() and \
            sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var                                      # a single dim of size 1 broadcasts
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """½(log var + (input - target)²/var) (+ ½log 2π if full): the negative log likelihood of
    target under N(input, var).  var is clamped at eps (without changing its gradient)."""
    var = _gaussian_var(var, input)
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with _gm.no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Binary cross entropy of each class logit against target ∈ {0, 1}, averaged over the
    classes (the last dim; times weight per class), then reduced over the samples."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    if input.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    if reduction not in _nn.REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


@_autocast.fp32
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """reduce(max(0, margin + d(anchor, positive) - d(anchor, negative))), d the pairwise
    distance; swap: the negative's distance is the smaller of d(a, n) and d(p, n)."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


# ------------------------------------------------------------------------------------------------
# attention
# ------------------------------------------------------------------------------------------------

def _neg_inf_where(mask: np.ndarray, dtype) -> np.ndarray:
    """A boolean 'masked out' array -> an additive float mask (0 or -inf)."""
    return np.where(mask, -np.inf, 0.0).astype(dtype)


@_autocast.lower_precision
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V, scale = 1/sqrt(E) by default.

    attn_mask: boolean (True = may attend) or float (added to the scores), broadcast to
    (..., L, S); is_causal: query i attends to keys j <= i.  Composed of matmul, softmax and
    dropout (torch runs a fused flash-attention kernel; the values agree)."""
    _sdpa_checks(query, key, value, attn_mask)
    switches = sys.modules.get("zerograd.backends")    # (not loaded: every kernel allowed)
    if switches is not None and not switches.sdp_viable_on_cpu():
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This "
                           "is likely due to turning off both the math kernel and the fused "
                           "kernels.")
    if enable_gqa:
        key, value = _gqa_heads(query, key, value)
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(E)
    fused = _fused_attention(query, key, value, attn_mask, dropout_p, is_causal, scale)
    if fused is not None:
        return fused
    scores = matmul(query, key.transpose(-2, -1)) * scale
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        bias = _neg_inf_where(np.triu(np.ones((L, S), bool), 1), scores._data.dtype)
    elif attn_mask is not None:
        if attn_mask.dtype is _dt.bool:
            bias = _neg_inf_where(~attn_mask._data, scores._data.dtype)
        else:
            scores = scores + attn_mask
    if bias is not None:
        scores = scores + wrap(bias)
    dead = (scores._data == -np.inf).all(axis=-1, keepdims=True)
    dead = wrap(dead) if dead.any() else None
    if dead is not None:            # torch's _safe_softmax: a row with every key masked gives 0
        scores = where(dead, 0.0, scores)                   # (and a 0 gradient, not nan)
    weights = softmax(scores, dim=-1)
    if dead is not None:
        weights = where(dead, 0.0, weights)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return matmul(weights, value)


def _sdpa_checks(query, key, value, attn_mask):
    """torch's checks of scaled_dot_product_attention's inputs."""
    q, k, v = query._data, key._data, value._data
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but "
                           f"got query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} "
                           f"instead.")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {c10_type_name(query.dtype)} key.dtype: "
                           f"{c10_type_name(key.dtype)} and value.dtype: "
                           f"{c10_type_name(value.dtype)} instead.")
    if attn_mask is not None:
        m = attn_mask.dtype
        if m is not _dt.bool and m is not _dt.float32 and m is not query.dtype:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: {c10_type_name(m)} and  "
                               f"query.dtype: {c10_type_name(query.dtype)} instead.")


def _gqa_heads(query, key, value):
    """enable_gqa: key and value with their heads (dim -3) repeated to the query's, as torch."""
    hq, hk, hv = query.size(-3), key.size(-3), value.size(-3)
    if hq == hk == hv:
        return key, value
    if hq % hk or hq % hv:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    return key.repeat_interleave(hq // hk, -3), value.repeat_interleave(hq // hv, -3)


def _fused_attention(q, k, v, attn_mask, dropout_p, is_causal, scale):
    """The one-node attention (nn_ops.Attention, torch's ScaledDotProductFlashAttentionForCpu
    node) where torch records it: 4-D float inputs of one dtype, no dropout, a mask that needs
    no gradient.  None elsewhere (the composed path then runs, and raises torch's errors)."""
    if dropout_p > 0.0 or q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        return None
    dt = q._data.dtype
    if dt.kind != "f" or k._data.dtype != dt or v._data.dtype != dt:
        return None
    (*bq, L, E), (*bk, S, Ek), (*bv, Sv, Ev) = q.shape, k.shape, v.shape
    if Ek != E or Sv != S or not bq == bk == bv:       # (torch composes broadcast batches too)
        return None
    if Ev != E:                                        # (and value heads of another size)
        return None
    batch = tuple(bq)
    bias = None
    if is_causal:
        if attn_mask is not None:
            return None                      # (the composed path raises torch's error)
        bias = _neg_inf_where(np.triu(np.ones((L, S), bool), 1), dt)
    elif attn_mask is not None:
        if attn_mask.requires_grad:
            return None                      # a float mask that wants its gradient
        m = attn_mask._data
        bias = _neg_inf_where(~m, dt) if attn_mask.dtype is _dt.bool else m.astype(dt, copy=False)
        try:
            if np.broadcast_shapes(bias.shape, batch + (L, S)) != batch + (L, S):
                return None
        except ValueError:
            return None
    return _nn.Attention.apply(q, k, v, bias, scale, is_causal)


def _one_more_key(mask):
    """An additive mask (or None) with one more key column, not masked (0)."""
    if mask is None:
        return None
    return np.concatenate([mask, np.zeros(mask.shape[:-1] + (1,), mask.dtype)], axis=-1)


def _canonical_mask(mask, name, dtype):
    """None, a bool mask (True = masked out) or a float mask -> None or an additive float array."""
    if mask is None:
        return None
    if mask.dtype is _dt.bool:
        return _neg_inf_where(mask._data, dtype)
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask._data.astype(dtype, copy=False)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's checks of the inputs' ranks: batched (3-D) or unbatched (2-D) throughout."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    what = "batched (3-D)" if batched else "unbatched (2-D)"
    d = query.dim()
    if key.dim() != d or value.dim() != d:
        raise AssertionError(f"For {what} `query`, expected `key` and `value` to be {d}-D but "
                             f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != d - 1:
        raise AssertionError(f"For {what} `query`, expected `key_padding_mask` to be `None` or "
                             f"{d - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {what} `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")


def _check_float_mask_dtype(masks, dtype, need_weights):
    """A float mask must have the query's dtype (torch raises where its kernels meet it)."""
    for m in masks:
        if m is not None and m.dtype is not _dt.bool and m._data.dtype != dtype:
            mt, qt = c10_type_name(m._data.dtype), c10_type_name(dtype)
            if need_weights:
                raise RuntimeError(f"Input dtypes must be the same, got: input {mt}, batch1: "
                                   f"{qt}, batch2: {qt}")
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query "
                               f"dtype, but got attn_mask.dtype: {mt} and  query.dtype: {qt} "
                               f"instead.")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                                 out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention on (L, N, E) inputs (or unbatched (L, E)), torch's algorithm:
    project q, k, v; split E into heads; softmax(q kᵀ/sqrt(d) + mask) v; merge heads; project.
    Masks: attn_mask (L, S) or (N·heads, L, S), key_padding_mask (N, S); bool True = masked out,
    float = added.  Returns (output, weights averaged over heads if asked, or None)."""
    if static_k is not None or static_v is not None:
        raise NotImplementedError("static_k/static_v are not supported by zerograd (pass the "
                                  "keys and values as key= and value= instead)")
    _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    batched = query.dim() == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    dtype = query._data.dtype
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if key_padding_mask is not None and attn_mask is not None and \
            key_padding_mask.dtype is not attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use "
                      "same type for both instead.", stacklevel=3)
    kpm = _canonical_mask(key_padding_mask, "key_padding_mask", dtype)
    _canonical_mask(attn_mask, "attn_mask", dtype)       # (its type is checked before the dtype)
    _check_float_mask_dtype((attn_mask, key_padding_mask), dtype, need_weights)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to create "
                           "this mask.")
    causal = is_causal and kpm is None and not need_weights
    if causal:          # torch drops attn_mask: sdpa's is_causal over the keys added below too
        mask = None
    else:
        mask = _canonical_mask(attn_mask, "attn_mask", dtype)
        if mask is not None:
            if mask.ndim == 2:
                if mask.shape != (tgt_len, src_len):
                    raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                       f"should be {(tgt_len, src_len)}.")
                mask = mask[None]
            elif mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, src_len)}.")

    # in-projection: q, k, v = x W_qᵀ + b_q, ...  (W packed as [W_q; W_k; W_v] unless separate)
    if use_separate_proj_weight:
        ws = (q_proj_weight, k_proj_weight, v_proj_weight)
    else:
        ws = tuple(in_proj_weight[i * embed_dim:(i + 1) * embed_dim] for i in range(3))
    bs = (None,) * 3 if in_proj_bias is None else \
        tuple(in_proj_bias[i * embed_dim:(i + 1) * embed_dim] for i in range(3))
    q, k, v = (linear(x, w, b) for x, w, b in zip((query, key, value), ws, bs))
    if kpm is not None and kpm.shape != (bsz, src_len):
        raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                             f"{tuple(kpm.shape)}")

    if bias_k is not None and bias_v is not None:       # add_bias_kv: one more key and value
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        mask, kpm, src_len = _one_more_key(mask), _one_more_key(kpm), src_len + 1
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given, or neither")

    # heads: (L, N, E) -> (N·heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(src_len, bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(src_len, bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:                                   # and a zero key and value
        zeros = wrap(np.zeros((bsz * num_heads, 1, head_dim), dtype))
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        mask, kpm, src_len = _one_more_key(mask), _one_more_key(kpm), src_len + 1
    if causal:
        mask = _neg_inf_where(np.triu(np.ones((tgt_len, src_len), bool), 1), dtype)[None]
    if kpm is not None:
        kpm = np.broadcast_to(kpm[:, None, None, :], (bsz, num_heads, 1, src_len)).reshape(
            bsz * num_heads, 1, src_len)
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0

    if not need_weights:
        # torch's path without weights is scaled_dot_product_attention: a query whose keys are
        # all masked gets 0 there (the weights' path gives NaN), so padding cannot spread NaN
        heads = (bsz, num_heads, -1, head_dim)
        if mask is not None:
            lead = (1, 1) if mask.shape[0] == 1 else (bsz, num_heads)
            mask = wrap(mask.reshape(lead + mask.shape[1:]))
        out = scaled_dot_product_attention(q.view(heads), k.view(heads), v.view(heads),
                                           attn_mask=mask, dropout_p=dropout_p)
        out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        return (out if batched else out.squeeze(1)), None
    scores = (q * math.sqrt(1.0 / head_dim)).bmm(k.transpose(1, 2))
    if mask is not None:
        scores = scores + wrap(mask)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    out = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    weights = weights.view(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(dim=1)
    if not batched:
        return out.squeeze(1), weights.squeeze(0)
    return out, weights


# convolutions, poolings, batch / group / instance norm (nn/_functional_conv.py)
from ._functional_conv import *  # noqa: E402,F401,F403
from ._functional_conv import __all__ as _conv_all  # noqa: E402
__all__ += _conv_all


# ***** resampling and patches (ops/resample.py) *****

_rs = _lazy.on_first_use("zerograd.ops.resample")      # (imported when first called)

__all__ += ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "unfold", "fold",
            "pixel_shuffle", "pixel_unshuffle"]


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample (N, C, *S) to `size` or S·scale_factor (floored) with `mode`: 'nearest',
    'nearest-exact', 'linear' (3-D), 'bilinear' / 'bicubic' (4-D), 'trilinear' (5-D) or 'area'
    (adaptive average pooling).  Source coordinate of output j: scale·j (align_corners) or
    scale·(j + ½) - ½, scale = 1/scale_factor when given (and not recomputed), else in/out."""
    return _rs.interpolate(input, size, scale_factor, mode, align_corners,
                           recompute_scale_factor, antialias)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated: interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C·kh·kw, L), column l holding the l-th sliding block
    (row-major over blocks), rows channel-major then kernel offsets.  One Im2ColBackward0 node."""
    return _rs.unfold(input, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, the adjoint of unfold: (N, C·kh·kw, L) -> (N, C, *output_size), each block's
    values summed back into place (overlaps add).  One Col2ImBackward0 node."""
    return _rs.fold(input, output_size, kernel_size, dilation, padding, stride)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r):  y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]."""
    return _rs.pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    """The inverse of pixel_shuffle: (*, C, H·r, W·r) -> (*, C·r², H, W)."""
    return _rs.pixel_unshuffle(input, downscale_factor)


# ***** imported the first time one of them is read: bilinear, local_response_norm, rrelu,
# gumbel_softmax, the margin losses, embedding_bag, pdist, channel_shuffle (nn/_functional_extra.py)
# and affine_grid, grid_sample, ctc_loss (nn/_functional_sampling.py) *****

_FIRST_USE = {name: _lazy.on_first_use("zerograd.nn." + file) for file, names in {
    "_functional_extra": ("bilinear", "local_response_norm", "rrelu", "rrelu_", "gumbel_softmax",
                          "multi_margin_loss", "multilabel_margin_loss",
                          "triplet_margin_with_distance_loss", "embedding_bag", "pdist",
                          "channel_shuffle"),
    "_functional_sampling": ("affine_grid", "grid_sample", "ctc_loss"),
}.items() for name in names}
__all__ += list(_FIRST_USE)


def __getattr__(name):
    module = _FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(_FIRST_USE))
