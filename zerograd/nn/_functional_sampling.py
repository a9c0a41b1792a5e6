"""nn.functional's spatial sampling and CTC: affine_grid (AffineGridGeneratorBackward0),
grid_sample (GridSampler2DBackward0 / GridSampler3DBackward0; ops/sampling.py) and ctc_loss
(CtcLossBackward0, then torch's where / div / mean / sum / squeeze nodes; ops/ctc.py), with
torch's signatures, defaults, checks, messages and warnings."""
from __future__ import annotations

import warnings

import numpy as np

from .. import _lazy
from ..ops import ctc as _ctc
from ..ops import sampling as _smp
from ..ops._util import scalar_type_name
from ..tensor import Size, Tensor

_zg = _lazy.on_first_use("zerograd")

__all__ = ["affine_grid", "grid_sample", "ctc_loss"]

_ALIGN_MSG = ("Default grid_sample and affine_grid behavior has changed to align_corners=False "
              "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
              "See the documentation of grid_sample for details.")


def _fmt_size(size):
    return repr(size) if isinstance(size, Size) else str(size)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps theta (N, 2, 3) or
    (N, 3, 4): grid[n, p] = theta[n] · (x_p, y_p[, z_p], 1), the base points spanning [-1, 1]
    (pixel corners with align_corners, else pixel centres)."""
    if align_corners is None:
        warnings.warn(_ALIGN_MSG, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{_fmt_size(size)}. Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{_fmt_size(size)}. Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {_fmt_size(size)}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {_fmt_size(size)}")
    for i, s in enumerate(size):
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"affine_grid_generator(): argument 'size' failed to unpack the "
                            f"object at pos {i + 1} with error \"type must be tuple of ints,but "
                            f"got {type(s).__name__}\"")
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"affine_grid_generator(): argument 'align_corners' (position 3) must be "
                        f"bool, not {type(align_corners).__name__}")
    return _smp.affine_grid_generator(theta, size, align_corners)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) or (N, C, D, H, W) at the points of grid (N, H', W', 2) or
    (N, D', H', W', 3), each in [-1, 1] across the input's extent (x along W): 'bilinear'
    (trilinear for 5-D), 'nearest' or 'bicubic' (4-D only); points outside read zeros, the
    border, or the reflection."""
    if mode != "bilinear" and mode != "nearest" and mode != "bicubic":
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode != "zeros" and padding_mode != "border" and padding_mode != "reflection":
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_MSG, stacklevel=2)
        align_corners = False
    return _smp.grid_sampler(input, grid, mode, padding_mode, align_corners)


# ------------------------------------------------------------------------------------------------
# ctc_loss
# ------------------------------------------------------------------------------------------------

_CTC_SIGS = ("Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints "
             "target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool "
             "zero_infinity = False",
             "Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int "
             "blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False")
_CTC_CHECK = " (while checking arguments for ctc_loss_allocate_outputs)"


def _arg_desc(v) -> str:
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, tuple):
        return "tuple of (" + ", ".join(type(e).__name__ for e in v) + ")"
    if isinstance(v, list):
        return "list of [" + ", ".join(type(e).__name__ for e in v) + "]"
    return type(v).__name__


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _int_seq(v) -> bool:
    return isinstance(v, (tuple, list)) and all(
        _is_int(e) or (isinstance(e, Tensor) and e.ndim == 0 and e._data.dtype.kind in "iu")
        for e in v)


def _bad_ctc_call(args):
    descs = [_arg_desc(a) for a in args]
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)

    def marked(overload):
        out = []
        for i, (a, d) in enumerate(zip(args, descs)):
            if i == 0 or i == 1:
                bad = not isinstance(a, Tensor)
            elif i in (2, 3):
                bad = (not (_int_seq(args[2]) and _int_seq(args[3])) if overload == 0
                       else not isinstance(a, Tensor))
            else:
                bad = True
            out.append(f"!{d}!" if bad else d)
        return ", ".join(out)
    lines = "".join(f" * ({s})\n      didn't match because some of the arguments have invalid "
                    f"types: ({marked(i)})\n" for i, s in enumerate(_CTC_SIGS))
    raise TypeError(f"ctc_loss() received an invalid combination of arguments - got ({got}), but "
                    f"expected one of:\n{lines}")


def _lengths(v):
    if isinstance(v, Tensor):
        return v._data.reshape(-1).astype(np.int64)     # (any shape: its values in order)
    return np.asarray([int(e) for e in v], np.int64)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss of log_probs (T, N, C) (or (T, C)) against
    targets padded (N, S) or concatenated (sum(target_lengths),): -log of the total probability
    of the alignments; 'mean' divides each loss by its target length (at least 1) first."""
    from .functional import _reduction
    reduction = _reduction(None, None, reduction)
    args = (log_probs, targets, input_lengths, target_lengths, blank, 1, zero_infinity)
    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor) or not \
            _is_int(blank) or not isinstance(zero_infinity, (bool, np.bool_)):
        _bad_ctc_call(args)
    tensors = isinstance(input_lengths, Tensor), isinstance(target_lengths, Tensor)
    if tensors == (True, True):
        for name, v in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            if v._data.dtype.kind not in "iu":
                raise RuntimeError(f"{name} must be integral")
    elif tensors == (False, False) and isinstance(input_lengths, (tuple, list)) and \
            isinstance(target_lengths, (tuple, list)):
        for name, seq in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            for i, e in enumerate(seq):
                if not (_is_int(e) or isinstance(e, Tensor) and e.ndim == 0 and
                        e._data.dtype.kind in "iu"):
                    raise TypeError(f"ctc_loss(): argument '{name}' failed to unpack the object "
                                    f"at pos {i + 1} with error \"type must be tuple of ints,but "
                                    f"got {type(e).__name__}\"")
    else:
        _bad_ctc_call(args)
    blank = int(blank)

    dt = log_probs._data.dtype
    if dt not in (np.float32, np.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{scalar_type_name(dt)}'")
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional tensor "
                           f"for argument #1 'log_probs'{_CTC_CHECK}")
    if targets.dim() < 1 or targets.dim() > 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.dim()}-dimensional "
                           f"tensor for argument #2 'targets'{_CTC_CHECK}")
    T, N, C = lp.shape
    if blank < 0 or blank >= C:
        raise RuntimeError("blank must be in label range")
    il = _lengths(input_lengths)
    if len(il) != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    tl = _lengths(target_lengths)
    if len(tl) != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for v in tl:
        if v < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value "
                               f"{v}{_CTC_CHECK}")
    td = targets._data
    S = int(tl.max(initial=0))
    if targets.dim() == 1:
        total = int(tl.sum())
        if td.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size "
                               f"{td.shape[0]} for argument #2 'targets'{_CTC_CHECK}")
        offs = np.concatenate([[0], np.cumsum(tl)[:-1]]).astype(np.int64)
        pos = offs[:, None] + np.arange(S)[None, :]
        inside = np.arange(S)[None, :] < tl[:, None]
        tgt = np.where(inside, td.astype(np.int64)[np.where(inside, pos, 0)] if td.size else 0,
                       blank)
    else:
        if td.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size "
                               f"{td.shape[0]} for argument #2 'targets'{_CTC_CHECK}")
        if td.shape[1] < S:
            raise RuntimeError(f"Expected tensor to have size at least {S} at dimension 1, but got "
                               f"size {td.shape[1]} for argument #2 'targets'{_CTC_CHECK}")
        inside = np.arange(S)[None, :] < tl[:, None]
        tgt = np.where(inside, td[:, :S].astype(np.int64), blank)
    for v in il:
        if v < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{v}{_CTC_CHECK}")
        if v > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                               f"{v}{_CTC_CHECK}")
    if tgt.size and (tgt.min() < 0 or tgt.max() >= C):
        bad = tgt[(tgt < 0) | (tgt >= C)][0]
        raise IndexError(f"ctc_loss(): target {bad} is out of bounds for {C} classes")
    res = _ctc.CtcLoss.apply(lp, tgt, il, tl, blank, bool(zero_infinity))
    if zero_infinity:
        res = _zg.where(res == float("inf"), _zg.zeros((), dtype=res.dtype), res)
    if reduction == "mean":
        tlt = _zg.as_tensor(tl).to(res.dtype).clamp_min(1)
        return (res / tlt).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)
