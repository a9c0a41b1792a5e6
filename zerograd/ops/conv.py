"""Convolutions (conv1d/2d/3d and their transposes) as one graph node, `ConvolutionBackward0`.

A convolution is a bilinear map y = B(x, w) (+ bias).  Three array kernels serve every case:

    conv_np(x, w)        correlation, (N, C, *S) -> (N, Co, *O): im2col + one matmul
    conv_t_np(y, w)      its adjoint in x, (N, Co, *O) -> (N, C, *S): matmul + col2im
    conv_w_np(y, x)      its adjoint in w, -> (Co, C/groups, *K): im2col + one matmul

im2col is an `as_strided` view of the zero-padded input, shaped (N, C, *K, *O), copied once into
(N, C·K, O) so that BLAS does the work (`np.matmul` of the (Co, C·K) weight against each sample's
columns); col2im adds each kernel offset's slab of columns back into a strided slice - a loop over
the K kernel offsets, never over pixels or samples.  Groups add a group axis to both operands.

A transposed convolution swaps the roles: its forward is conv_t_np and the adjoint in its input is
conv_np.  For either:

    Convolution  (ConvolutionBackward0)        y = B(x, w) + b
        dx = B_xᵀ(g; w),  dw = B_wᵀ(g; x),  db = Σ g
    ConvolutionBackward  (ConvolutionBackwardBackward0)   (g, x, w) -> (dx, dw, db), as torch's
        node for the gradient under create_graph; its VJP, for (ggx, ggw, ggb):
        dg = B(ggx, w) + B(x, ggw) + ggb,   dx = B_xᵀ(g; ggw),   dw = B_wᵀ(g; ggx)
        written with Convolution and ConvolutionBackward again, so every order differentiates.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Op

__all__ = ["ConvParams", "Convolution", "ConvolutionBackward", "conv_np", "conv_t_np", "conv_w_np"]


class ConvParams:
    """stride, padding, dilation, output_padding: one int per spatial dim; groups; transposed."""
    __slots__ = ("stride", "padding", "dilation", "groups", "transposed", "output_padding")

    def __init__(self, stride, padding, dilation, groups, transposed=False, output_padding=None):
        self.stride, self.padding, self.dilation = tuple(stride), tuple(padding), tuple(dilation)
        self.groups, self.transposed = int(groups), bool(transposed)
        self.output_padding = tuple(output_padding) if output_padding is not None \
            else (0,) * len(self.stride)

    def conv_out(self, S, K):
        """The output size of the correlation of an input of spatial size S with a kernel K."""
        return tuple((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, k, p, d, st in
                     zip(S, K, self.padding, self.dilation, self.stride))

    def transposed_out(self, O, K):
        """The output size of the transposed convolution of an input of spatial size O."""
        return tuple((o - 1) * st - 2 * p + d * (k - 1) + op + 1 for o, k, p, d, st, op in
                     zip(O, K, self.padding, self.dilation, self.stride, self.output_padding))


def _pad(a, pads):
    """a (N, C, *S) with `pads` zeros on both sides of each spatial dim (a itself when none)."""
    if not any(pads):
        return a
    out = np.zeros(a.shape[:2] + tuple(s + 2 * p for s, p in zip(a.shape[2:], pads)), a.dtype)
    out[(slice(None), slice(None)) + tuple(slice(p, p + s) for s, p in zip(a.shape[2:], pads))] = a
    return out


def _columns(x, K, O, p):
    """im2col: the (N, C·prod(K), prod(O)) array of x's patches (a reshape of x for 1x1 kernels
    with unit stride and no padding)."""
    N, C = x.shape[:2]
    S = x.shape[2:]
    kp, op = math.prod(K), math.prod(O)
    if kp == 1 and S == O and not any(p.padding) and all(s == 1 for s in p.stride):
        return x.reshape(N, C, op)
    xp = _pad(x, p.padding)
    st = xp.strides
    nd = len(K)
    view = as_strided(xp, xp.shape[:2] + tuple(K) + tuple(O),
                      st[:2] + tuple(st[2 + i] * p.dilation[i] for i in range(nd))
                      + tuple(st[2 + i] * p.stride[i] for i in range(nd)), writeable=False)
    cols = np.empty((N, C) + tuple(K) + tuple(O), x.dtype)
    np.copyto(cols, view)
    return cols.reshape(N, C * kp, op)


def conv_np(x, w, p, O=None):
    """Correlation of x (N, C, *S) with w (Co, C/g, *K): (N, Co, *O)."""
    N, C = x.shape[:2]
    Co, Cg = w.shape[:2]
    K = w.shape[2:]
    if O is None:
        O = p.conv_out(x.shape[2:], K)
    g = p.groups
    kp, op = math.prod(K), math.prod(O)
    cols = _columns(x, K, O, p)
    if g == 1:
        y = np.matmul(w.reshape(Co, Cg * kp), cols)
    else:
        y = np.matmul(w.reshape(g, Co // g, Cg * kp), cols.reshape(N, g, Cg * kp, op))
    return y.reshape((N, Co) + tuple(O))


def conv_t_np(y, w, p, S):
    """The adjoint of conv_np in x: y (N, Co, *O), w (Co, C/g, *K) -> (N, C, *S)."""
    N, Co = y.shape[:2]
    O = y.shape[2:]
    Cg = w.shape[1]
    K = w.shape[2:]
    g = p.groups
    C = Cg * g
    kp, op = math.prod(K), math.prod(O)
    if g == 1:
        dcols = np.matmul(w.reshape(Co, Cg * kp).T, y.reshape(N, Co, op))
    else:
        wt = w.reshape(g, Co // g, Cg * kp).transpose(0, 2, 1)
        dcols = np.matmul(wt, y.reshape(N, g, Co // g, op))
    if kp == 1 and tuple(S) == tuple(O) and not any(p.padding) and all(s == 1 for s in p.stride):
        return dcols.reshape((N, C) + tuple(S))
    dcols = dcols.reshape((N, C) + tuple(K) + tuple(O))
    nd = len(K)
    # the padded buffer: x's padded size, or more where the windows reach further (transposed
    # convolutions with output_padding, strides that do not divide)
    big = tuple(max(s + 2 * pd, (o - 1) * st + (k - 1) * dl + 1) for s, pd, o, st, k, dl in
                zip(S, p.padding, O, p.stride, K, p.dilation))
    dxp = np.zeros((N, C) + big, y.dtype)
    head = (slice(None), slice(None))
    for kidx in np.ndindex(*K):
        sl = tuple(slice(kidx[i] * p.dilation[i], kidx[i] * p.dilation[i]
                         + (O[i] - 1) * p.stride[i] + 1, p.stride[i]) for i in range(nd))
        dxp[head + sl] += dcols[head + kidx]
    crop = tuple(slice(pd, pd + s) for s, pd in zip(S, p.padding))
    if all(b == s for b, s in zip(big, S)):
        return dxp
    return np.ascontiguousarray(dxp[head + crop])


def conv_w_np(y, x, p, K):
    """The adjoint of conv_np in w: y (N, Co, *O), x (N, C, *S) -> (Co, C/g, *K)."""
    N, Co = y.shape[:2]
    O = y.shape[2:]
    C = x.shape[1]
    g = p.groups
    Cg = C // g
    kp, op = math.prod(K), math.prod(O)
    cols = _columns(x, K, O, p)
    if N == 0 or op == 0:
        return np.zeros((Co, Cg) + tuple(K), y.dtype)
    if g == 1:
        if N == 1:
            dw = np.matmul(y.reshape(Co, op), cols[0].T)
        else:
            dw = np.add.reduce(np.matmul(y.reshape(N, Co, op), cols.transpose(0, 2, 1)), 0)
    else:
        dw = np.add.reduce(np.matmul(y.reshape(N, g, Co // g, op),
                                     cols.reshape(N, g, Cg * kp, op).transpose(0, 1, 3, 2)), 0)
    return dw.reshape((Co, Cg) + tuple(K))


# the bilinear map B and its two adjoints, for plain and transposed convolutions

def _B(x, w, p, out_spatial):
    return conv_t_np(x, w, p, out_spatial) if p.transposed else conv_np(x, w, p, out_spatial)


def _Bx(g, w, p, x_spatial):
    return conv_np(g, w, p, x_spatial) if p.transposed else conv_t_np(g, w, p, x_spatial)


def _Bw(g, x, p, K):
    return conv_w_np(x, g, p, K) if p.transposed else conv_w_np(g, x, p, K)


def _bias_sum(g):
    return g.sum(axis=(0,) + tuple(range(2, g.ndim)))


def out_spatial(p, x_spatial, K):
    return p.transposed_out(x_spatial, K) if p.transposed else p.conv_out(x_spatial, K)


class Convolution(Op):
    """y = B(x, w) + b  (correlation, or its transpose)
    dx = B_xᵀ(g; w) (col2im of wᵀ·g),  dw = B_wᵀ(g; x) (g · im2col(x)ᵀ),  db = Σ g"""
    node_name = "ConvolutionBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, x, w, b, p):
        xa, wa = x._data, w._data
        y = _B(xa, wa, p, out_spatial(p, xa.shape[2:], wa.shape[2:]))
        if b is not None:
            y += b._data.reshape((-1,) + (1,) * (y.ndim - 2))
        ctx.p = p
        ctx.save_for_backward(x, w)
        return y if y.dtype == xa.dtype else y.astype(xa.dtype)     # (bfloat16 products come
                                                                      #  back float32 from NumPy)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        dx, dw, db = ConvolutionBackward.apply(g, x, w, ctx.p, tuple(need))
        return (dx if need[0] else None), (dw if need[1] else None), (db if need[2] else None)

    @staticmethod
    def np_backward(ctx, g):
        x, w = ctx._saved_np()
        need = ctx.needs_input_grad
        p = ctx.p
        dx = _Bx(g, w, p, x.shape[2:]) if need[0] else None
        dw = _Bw(g, x, p, w.shape[2:]) if need[1] else None
        db = _bias_sum(g) if need[2] else None
        return dx, dw, db


_NOTHING = np.empty(0)


class ConvolutionBackward(Op):
    """(dx, dw, db) = (B_xᵀ(g; w), B_wᵀ(g; x), Σ g), each only where `mask` asks
    dg = B(ggx, w) + B(x, ggw) + ggb,   dx = B_xᵀ(g; ggw),   dw = B_wᵀ(g; ggx)"""
    node_name = "ConvolutionBackwardBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, g, x, w, p, mask):
        ga, xa, wa = g._data, x._data, w._data
        empty = _NOTHING.astype(ga.dtype)
        dx = _Bx(ga, wa, p, xa.shape[2:]) if mask[0] else empty
        dw = _Bw(ga, xa, p, wa.shape[2:]) if mask[1] else empty
        db = _bias_sum(ga) if mask[2] else empty
        ctx.p, ctx.mask = p, mask
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(g, x, w)
        return dx, dw, db

    @staticmethod
    def backward(ctx, ggx, ggw, ggb):
        g, x, w = ctx.saved_tensors
        p, mask = ctx.p, ctx.mask
        ggx = ggx if mask[0] else None
        ggw = ggw if mask[1] else None
        ggb = ggb if mask[2] else None
        need = ctx.needs_input_grad
        dg = dx = dw = None
        if need[0]:
            if ggx is not None:
                dg = Convolution.apply(ggx, w, ggb, p)
            if ggw is not None:
                t = Convolution.apply(x, ggw, None, p)
                dg = t if dg is None else dg + t
            if ggb is not None and ggx is None:
                t = ggb.reshape((1, -1) + (1,) * (g.ndim - 2)).expand(*g.shape)
                dg = t if dg is None else dg + t
        if need[1] and ggw is not None:
            dx = ConvolutionBackward.apply(g, x, ggw, p, (True, False, False))[0]
        if need[2] and ggx is not None:
            dw = ConvolutionBackward.apply(g, ggx, w, p, (False, True, False))[1]
        return dg, dx, dw

    @staticmethod
    def np_backward(ctx, ggx, ggw, ggb):
        g, x, w = ctx._saved_np()
        p, mask = ctx.p, ctx.mask
        ggx = ggx if mask[0] else None
        ggw = ggw if mask[1] else None
        ggb = ggb if mask[2] else None
        need = ctx.needs_input_grad
        dg = dx = dw = None
        if need[0]:
            if ggx is not None:
                dg = _B(ggx, w, p, g.shape[2:])
            if ggw is not None:
                t = _B(x, ggw, p, g.shape[2:])
                dg = t if dg is None else dg + t
            if ggb is not None:
                t = ggb.reshape((1, -1) + (1,) * (g.ndim - 2))
                dg = np.broadcast_to(t, g.shape).copy() if dg is None else dg + t
        if need[1] and ggw is not None:
            dx = _Bx(g, ggw, p, x.shape[2:])
        if need[2] and ggx is not None:
            dw = _Bw(g, ggx, p, w.shape[2:])
        return dg, dx, dw


# ------------------------------------------------------------------------------------------------
# the functional API (nn.functional.conv1d ... conv_transpose3d): torch's argument checks and
# messages (at::_convolution, check_shape_forward), then one Convolution node
# ------------------------------------------------------------------------------------------------

def _type(t):
    from ._util import legacy_type_name
    return "torch." + legacy_type_name(t.dtype)


def _c_type(t):
    from ._args import C_TYPE_NAMES
    return C_TYPE_NAMES.get(t.dtype.name, t.dtype.name)


def int_tuple(v, n):
    """An int or a sequence of ints, as torch's IntArrayRef[n] binding takes it: an int is
    repeated n times; a sequence is kept as given (checked against the weight later)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    return tuple(int(i) for i in v)


def _expand(v, name, dim):
    v = tuple(v)
    if len(v) == 1:
        return v * dim
    if len(v) != dim:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dim} values "
                           f"to match the convolution dimensions, but got {name}={list(v)}")
    return v


def _sizes(t):
    return list(t.shape)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """torch.convolution: at::_convolution's checks (with its messages), then one node."""
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({_type(input)}) and weight type ({_type(weight)}) should be "
                           "the same or input should be a MKLDNN tensor and weight is a dense tensor")
    k = weight.dim()
    if k < 3:
        raise RuntimeError("weight should have at least three dimensions")
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    dim = k - 2
    stride = _expand(stride, "stride", dim)
    padding = _expand(padding, "padding", dim)
    dilation = _expand(dilation, "dilation", dim)
    output_padding = _expand(output_padding, "output_padding", dim)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    ws = _sizes(weight)
    if input.dim() != k:
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight {ws}, but got "
                           f"{input.dim()}-dimensional input of size {_sizes(input)} instead")
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{ws}] instead")
    S = tuple(input.shape[2:])
    K = tuple(ws[2:])
    if not transposed:
        if input.shape[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input"
                               f"{_sizes(input)} to have {ws[1] * groups} channels, but got "
                               f"{input.shape[1]} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional with "
                               f"{ws[0]} elements, but got bias of size {_sizes(bias)} instead")
        padded = [s + 2 * p for s, p in zip(S, padding)]
        eff = [d * (kk - 1) + 1 for d, kk in zip(dilation, K)]
        if any(p < e for p, e in zip(padded, eff)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                "actual input size")
    else:
        if input.shape[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected input"
                               f"{_sizes(input)} to have {ws[0]} channels, but got "
                               f"{input.shape[1]} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected bias to be "
                               f"1-dimensional with {ws[1] * groups} elements, but got bias of "
                               f"size {_sizes(bias)} instead")
        # the kernel's checks (slow_conv_transpose2d's shape check; 1-d runs as 2-d)
        two = (lambda v, fill: (fill,) + tuple(v)) if dim == 1 else (lambda v, fill: tuple(v))
        op2, st2, dl2 = two(output_padding, 0), two(stride, 1), two(dilation, 1)
        if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
            names = ("height", "width") if len(op2) == 2 else ("depth", "height", "width")
            parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, op2)]
                     + [f"stride_{n}: {v}" for n, v in zip(names, st2)]
                     + [f"dilation_{n}: {v}" for n, v in zip(names, dl2)])
            raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                               "got " + " ".join(parts))
        p0 = ConvParams(stride, padding, dilation, groups, True, output_padding)
        out = p0.transposed_out(S, K)
        if any(o < 1 for o in out):
            s2, o2 = two(S, 1), two(out, 1)
            raise RuntimeError(
                f"Given input size per channel: ({' x '.join(map(str, s2))}). Calculated output "
                f"size per channel: ({' x '.join(map(str, o2))}). Output size is too small")
    if bias is not None and bias.dtype != input.dtype:
        bias = bias.to(input.dtype)         # (torch converts it: only conv1d/2d/3d check it)
    p = ConvParams(stride, padding, dilation, groups, transposed, output_padding)
    return Convolution.apply(input, weight, bias, p)


def _batchify(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {_sizes(input)}")
    return input.dim() == nd + 2


_WARNED_SAME = False


def _same_padding(input, weight, stride, dilation, groups, bias):
    """padding='same' as at::_convolution_same: symmetric padding where d·(k-1) is even, else a
    zero-padded copy of the input (ConstantPadNdBackward0) that makes up the difference."""
    import warnings
    from .padding import ConstantPadNd
    k = weight.dim()
    if k < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    dim = k - 2
    if k != input.dim():
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight"
                           f"{_sizes(weight)}, but got {input.dim()}-dimensional input of size "
                           f"{_sizes(input)} instead")
    if len(stride) not in (dim, 1):
        raise RuntimeError(f"stride cannot broadcast to {dim} dimensions")
    if len(dilation) not in (dim, 1):
        raise RuntimeError(f"dilation cannot broadcast to {dim} dimensions")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    dil = dilation * dim if len(dilation) == 1 else dilation
    left, right = [], []
    for i in range(dim):
        total = dil[i] * (weight.shape[i + 2] - 1)
        left.append(total // 2)
        right.append(total - total // 2)
    if left == right:
        return input, tuple(left)
    global _WARNED_SAME
    if not _WARNED_SAME:                   # torch's TORCH_WARN_ONCE: once per process
        _WARNED_SAME = True
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require "
                      "a zero-padded copy of the input be created", UserWarning, stacklevel=4)
    pad_nd = [0] * (2 * dim)
    for i in range(dim):
        delta = right[i] - left[i]
        idx = 2 * (dim - 1 - i)
        if delta > 0:
            pad_nd[idx + 1] = delta
        else:
            pad_nd[idx] = delta
            left[i] = right[i]
    return ConstantPadNd.apply(input, tuple(pad_nd), 0), tuple(left)


def conv_nd(nd, name, input, weight, bias, stride, padding, dilation, groups):
    """conv1d / conv2d / conv3d: unbatched inputs gain (and lose) a batch dim as torch's do."""
    if bias is not None and bias.dtype != input.dtype and not isinstance(padding, str):
        raise RuntimeError(f"Input type ({_c_type(input)}) and bias type ({_c_type(bias)}) should "
                           "be the same")
    batched = _batchify(input, nd, name)
    x = input if batched else input.unsqueeze(0)
    stride, dilation = int_tuple(stride, nd), int_tuple(dilation, nd)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,)
        elif padding == "same":
            x, padding = _same_padding(x, weight, stride, dilation, int(groups), bias)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = int_tuple(padding, nd)
    y = convolution(x, weight, bias, stride, padding, dilation, False, (0,), groups)
    return y if batched else y.squeeze(0)


def conv_transpose_nd(nd, name, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    """conv_transpose1d / 2d / 3d (note torch's argument order: groups before dilation)."""
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    batched = _batchify(input, nd, name)
    x = input if batched else input.unsqueeze(0)
    y = convolution(x, weight, bias, int_tuple(stride, nd), int_tuple(padding, nd),
                    int_tuple(dilation, nd), True, int_tuple(output_padding, nd), groups)
    return y if batched else y.squeeze(0)
