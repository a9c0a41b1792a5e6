"""zerograd: reverse-mode automatic differentiation from zero, on NumPy, faithful to PyTorch.

    import zerograd as torch
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    print(x.grad)          # tensor([[4.5000, 4.5000], [4.5000, 4.5000]])
"""
from __future__ import annotations

__version__ = "0.1.0"

from . import _lazy, _malloc

_malloc.tune()       # freed arrays stay with the process: no page faults per step (see _malloc)

from .tensor import Size, Tensor, device  # noqa: E402  (first: ops import Tensor)
from .tensor import get_default_device, set_default_device  # noqa: E402
from .tensor import LEGACY_TYPES as _LEGACY_TYPES  # noqa: E402

globals().update(_LEGACY_TYPES)      # torch.FloatTensor, torch.LongTensor ... (legacy types)
from . import dtypes as _dtypes
from .dtypes import (bfloat16, bool, double, dtype, float, float16, float32, float64,  # noqa: A004
                     get_default_dtype, half, int, int8, int16, int32, int64, long, promote_types,
                     set_default_dtype, short, uint8)
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled,  # noqa: E402,F401
                                    is_anomaly_enabled)
from . import ops as _ops
from .ops import (Generator, abs, add, addmm, all, allclose, amax, amin, any, arange,  # noqa: A004
                  argmax, argmin, as_tensor, bmm, clamp, clip, clone, cos, default_generator, div,
                  dot, empty, empty_like, eq, equal, exp, expand, eye, flatten, floor_divide,
                  from_numpy, full, full_like, ge, get_rng_state, gt, initial_seed, isclose,
                  isfinite, isinf, isnan, le, linspace, log, log1p, logical_and, logical_not,
                  logical_or, logical_xor, logsumexp, lt, manual_seed, matmul, max, maximum, mean,
                  min, minimum, mm, mul, mv, ne, neg, norm, normal, ones, ones_like, permute, pow,
                  prod, rand, rand_like, randint, randint_like, randn, randn_like, randperm,
                  reciprocal, relu, remainder, reshape, rsqrt, rsub, seed, set_rng_state, sigmoid,
                  sign, sin, sqrt, square, squeeze, std, sub, sum, t, tanh, tensor, transpose,
                  true_divide, unsqueeze, var, where, zeros, zeros_like)
from .ops.creation import multinomial  # noqa: E402
from .ops.creation import asarray, empty_strided, range  # noqa: E402,F401,A004
from .dtypes import (channels_last, channels_last_3d, contiguous_format, layout,  # noqa: E402,F401
                     memory_format, preserve_format, strided)
from .ops import random  # noqa: E402  (torch.random: manual_seed, fork_rng, get_rng_state...)
from .ops.random import bernoulli  # noqa: E402,F401  (torch's CPU streams: ops/random.py)
from .ops import clamp_max, clamp_min  # noqa: E402
from .ops.indexing import (chunk, diagonal, narrow, narrow_copy, select, split,  # noqa: E402
                           unbind, unflatten)
from .ops.join import (argsort, argwhere, atleast_1d, atleast_2d, cat, concat, concatenate,  # noqa: E402
                       constant_pad_nd, cumprod, cumsum, einsum, flip, fliplr, flipud, gather,
                       hstack, index_add, index_copy, index_fill, index_select, kthvalue,
                       masked_fill, masked_scatter, masked_select, msort, nonzero, repeat_interleave,
                       roll, row_stack, scatter, scatter_add, scatter_reduce, sort, stack, take_along_dim, tile,
                       topk, tril, triu, vstack)
from . import autograd  # noqa: E402
from ._tensor_str import get_printoptions, set_printoptions  # noqa: E402,F401
from . import nn  # noqa: E402
from .nn.functional import (cosine_similarity, pairwise_distance, prelu,  # noqa: E402,F401
                            rms_norm)
from .nn import functional as _F  # noqa: E402
from .nn.functional import (adaptive_avg_pool1d, avg_pool1d, conv1d, conv2d,  # noqa: E402,F401
                            conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d,
                            max_pool1d, max_pool2d)    # (torch's top-level forms: same arguments)
from .ops.nn_ops import log_softmax, softmax  # noqa: E402,F401  (dim required, as torch's)
from .ops.shape import movedim  # noqa: E402,F401
from .ops.activations import celu, celu_, hardshrink, selu, selu_, threshold, threshold_  # noqa: E402,F401
from .ops import bitwise_not, ceil, fix, floor, frac, round, trunc  # noqa: E402,F401,A004
from .ops.mathfns import (addbmm, addcdiv, addcmul, addmv, aminmax, arctan2,  # noqa: E402,F401
                          atan2, baddbmm, copysign, count_nonzero, cummax, cummin, diff, erf, erfc,
                          erfinv, exp2, expm1, fmod, ger, hypot, lerp, logaddexp, logaddexp2,
                          logcumsumexp, logspace, nan_to_num, nanmean, nansum, outer, sinc,
                          std_mean, trace, tril_indices, triu_indices, var_mean, xlogy)
from .ops.trig import (absolute, acos, acosh, arccos, arccosh, arcsin, arcsinh,  # noqa: E402,F401
                       arctan, arctanh, asin, asinh, atan, atanh, bitwise_and, bitwise_left_shift,
                       bitwise_or, bitwise_right_shift,
                       bitwise_xor, cosh, deg2rad, digamma, float_power, fmax, fmin, gcd,
                       heaviside, lcm, lgamma, log10, log2, logit, polygamma, positive, rad2deg,
                       sgn, signbit, sinh, tan)
from .ops.select import (bucketize, isin, median, mode, nanmedian,  # noqa: E402,F401
                         searchsorted, unique, unique_consecutive)
from .ops.shape_extra import (atleast_3d, block_diag, cartesian_prod,  # noqa: E402,F401
                              column_stack, diag, diag_embed, diagflat, dsplit, dstack, hsplit,
                              index_put, index_put_, kron, meshgrid, put, ravel, rot90, swapaxes,
                              swapdims, take, tensor_split, tensordot, vsplit)
from .ops import misc as _misc  # noqa: E402
from .ops.misc import (addr, bincount, broadcast_shapes, broadcast_tensors,  # noqa: E402,F401
                       cdist, combinations, corrcoef, cov, cross, dist, frexp, histc, inner,
                       isneginf, isposinf, isreal, ldexp, nanquantile, quantile, renorm,
                       split_with_sizes, trapezoid, trapz, unravel_index, vdot)
from . import linalg  # noqa: E402  (torch.linalg; the ops: ops/linalg_extra.py)
from .ops.linalg_extra import chain_matmul  # noqa: E402,F401
from .ops.linalg_extra import t_det as det, t_inverse as inverse, t_logdet as logdet  # noqa: E402,F401
from .ops.linalg_extra import t_matrix_power as matrix_power, t_pinverse as pinverse  # noqa: E402,F401
from .ops.linalg_extra import t_slogdet as slogdet  # noqa: E402,F401
moveaxis = movedim


def broadcast_to(input, size):  # noqa: A002 - torch's name
    """torch.broadcast_to: `input.expand(size)`."""
    return input.broadcast_to(size)
from . import optim  # noqa: E402
from . import utils  # noqa: E402

negative = neg
multiply = mul
subtract = sub
divide = div
greater = gt
less = lt
greater_equal = ge
less_equal = le
not_equal = ne


def result_type(tensor, other):
    """torch.result_type(tensor, other): the dtype of an operation on the two."""
    return _dtypes.result_type(tensor, other)


def dropout(input, p, train):  # noqa: A002 - torch's names (torch.dropout, not F.dropout)
    if not 0 <= p <= 1:                 # (torch.dropout's kernel: a RuntimeError, not F's ValueError)
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _F.dropout(input, p, train)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5,  # noqa: A002
               cudnn_enable=True):
    """torch.layer_norm (cudnn_enable: accepted, as on torch's CPU)."""
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def numel(input) -> int:
    return input.numel()


def get_num_threads() -> int:
    return 1


def set_num_threads(n) -> None:
    """Accepted for compatibility; NumPy's BLAS threads are set by its environment variables."""


# zerograd.save / load (and the serialization module, with json and safetensors behind it) are
# imported on first use: a process that only trains needs none of it
__getattr__, __dir__ = _lazy.attach(globals(), ["serialization", "cuda", "backends", "amp",
                                                "cpu", "compiler", "special",
                                                "distributions", "func"],
                                    {"save": ("serialization", "save"),
                                     "pixel_shuffle": ("ops.resample", "pixel_shuffle"),
                                     "max_pool3d": ("ops.pool3d", "max_pool3d"),
                                     "pdist": ("nn._functional_extra", "pdist"),
                                     "channel_shuffle": ("nn._functional_extra",
                                                         "channel_shuffle"),
                                     "_standard_gamma": ("ops.random_gamma", "_standard_gamma"),
                                     "_standard_gamma_grad": ("ops.random_gamma",
                                                              "_standard_gamma_grad"),
                                     "poisson": ("ops.random_gamma", "poisson"),
                                     "_sample_dirichlet": ("ops.random_gamma",
                                                           "_sample_dirichlet"),
                                     "_dirichlet_grad": ("ops.random_gamma", "_dirichlet_grad"),
                                     "binomial": ("ops.random_gamma", "binomial"),
                                     "nextafter": ("ops.special_fns", "nextafter"),
                                     "i0": ("ops.special_fns", "i0"),
                                     "can_cast": ("ops.special_fns", "can_cast"),
                                     "mvlgamma": ("ops.special_fns", "mvlgamma"),
                                     "pixel_unshuffle": ("ops.resample", "pixel_unshuffle"),
                                     "load": ("serialization", "load"),
                                     "compile": ("_compile", "compile"),
                                     "autocast": ("amp", "autocast"),
                                     "is_autocast_enabled": ("amp", "is_autocast_enabled"),
                                     "get_autocast_dtype": ("amp", "get_autocast_dtype")})

import builtins as _builtins  # noqa: E402  (`bool` here is torch.bool)
import warnings as _warnings  # noqa: E402

from .dtypes import finfo, iinfo  # noqa: E402,F401

_matmul_precision = ["highest"]
_deterministic = [False, False]


def is_autocast_cpu_enabled() -> _builtins.bool:
    """Deprecated: torch.is_autocast_enabled('cpu')."""
    _warnings.warn("torch.is_autocast_cpu_enabled() is deprecated. Please use "
                   "torch.is_autocast_enabled('cpu') instead.", DeprecationWarning, stacklevel=2)
    from ._autocast import state
    return state.enabled


def get_autocast_cpu_dtype():
    """Deprecated: torch.get_autocast_dtype('cpu')."""
    _warnings.warn("torch.get_autocast_cpu_dtype() is deprecated. Please use "
                   "torch.get_autocast_dtype('cpu') instead.", DeprecationWarning, stacklevel=2)
    from .amp import get_autocast_dtype
    return get_autocast_dtype("cpu")


def is_autocast_cache_enabled() -> _builtins.bool:
    from ._autocast import state
    return state.cache_enabled


def clear_autocast_cache() -> None:
    from ._autocast import state
    state.cache.clear()


def set_float32_matmul_precision(precision) -> None:
    """Accepted ('highest', 'high', 'medium'), as on torch's CPU: NumPy's float32 products are
    float32 whatever is asked for."""
    if precision not in ("highest", "high", "medium"):
        _warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision[0]


def use_deterministic_algorithms(mode, *, warn_only=False) -> None:
    """Recorded: zerograd's ops are deterministic whatever the mode."""
    if not isinstance(mode, _builtins.bool):
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _deterministic[:] = [mode, _builtins.bool(warn_only)]


def are_deterministic_algorithms_enabled() -> _builtins.bool:
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> _builtins.bool:
    return _deterministic[1]

# torch's out= for the functions that take it (torch.add(a, b, out=c)): ops/out.py
from .ops import out as _out  # noqa: E402

_out.install(globals())
