"""Spatial sampling: affine_grid's generator (AffineGridGeneratorBackward0) and grid_sample's
sampler for 4-D and 5-D inputs (GridSampler2DBackward0 / GridSampler3DBackward0).

A grid point (x, y[, z]) in [-1, 1] names a position in the input's spatial dims W, H[, D]
(grid[..., 0] is along the last dim).  Per spatial dim of size n:

    unnormalize   align_corners: i = (c + 1)/2 · (n - 1)       (scale (n - 1)/2)
                  otherwise:     i = ((c + 1)·n - 1)/2         (scale n/2)
    padding       zeros: i as it is (corners outside read 0);  border: i clipped to [0, n-1];
                  reflection: i reflected about 0 and n-1 (align_corners) or -½ and n-½, then
                  clipped.  di'/di is ±1, or 0 where the clip is active.
    linear        i0 = ⌊i⌋, t = i - i0, e = (i0 + 1) - i; a corner's weight is the product of
                  its dims' t (upper) or e (lower); out-of-bounds corners read 0
    nearest       round half to even, no gradient w.r.t. the grid
    bicubic (2-D) Keys' kernel (A = -0.75) on the taps ⌊i⌋-1 .. ⌊i⌋+2 of the unnormalized
                  (unpadded) coordinate; each tap is padded on its own

The first-order VJP works on arrays: the input's gradient is a scatter-add (np.add.at) of
g·weight into the corners read, the grid's is Σ_c g · Σ_corners value · dweight/di, times the
padding's and the unnormalization's slopes.  Under create_graph the VJP is taken through the
same sampling written with differentiable Tensor ops, so every order differentiates (torch's
own double backward has nodes of its own names: GridSampler2DBackwardBackward0)."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Op
from ..tensor import Tensor
from ._util import widened

__all__ = ["affine_grid_generator", "grid_sampler", "base_grid"]

_zg = None


def _torch():
    global _zg
    if _zg is None:
        import zerograd as zg
        _zg = zg
    return _zg


_up = widened      # (half types computed in float32, rounded back by the caller)


# ------------------------------------------------------------------------------------------------
# affine_grid
# ------------------------------------------------------------------------------------------------

def _linspace_from_neg_one(n, align_corners, dt):
    """n points from -1 to 1 (torch's linspace: from the start for the first half, from the end
    for the rest), scaled by (n-1)/n without align_corners; 0 alone for n <= 1."""
    if n <= 1:
        return np.zeros(1, dt)
    from .creation import _float_linspace      # (torch.linspace's points, bit for bit)
    r = _float_linspace(-1, 1, n, dt)
    if not align_corners:
        r = (r * dt.type(n - 1)) / dt.type(n)
    return r.astype(dt)


def base_grid(spatial, align_corners, dt):
    """(prod(spatial), k+1) rows (x, y[, z], 1): x along the last spatial dim."""
    dt = np.dtype(dt)
    k = len(spatial)
    axes = [_linspace_from_neg_one(n, align_corners, dt) for n in spatial]   # D, H, W order
    mesh = np.meshgrid(*axes, indexing="ij")
    cols = [mesh[k - 1 - j].reshape(-1) for j in range(k)]                    # x, y, z
    cols.append(np.ones(int(np.prod(spatial)), dt))
    return np.stack(cols, axis=1)


class AffineGridGenerator(Op):
    """grid[n, p] = θ[n] · base[p]          dθ = Σ_p g[n, p] ⊗ base[p] for each n  (a matmul,
    again differentiable)"""
    node_name = "AffineGridGeneratorBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, theta, size, align_corners):
        th = theta._data
        dt = th.dtype
        spatial = tuple(size[2:])
        base = base_grid(spatial, align_corners, _up(th).dtype)
        ctx.base, ctx.shape = base, (size[0],) + spatial + (len(spatial),)
        out = np.matmul(base[None], np.swapaxes(_up(th), 1, 2))
        return out.astype(dt, copy=False).reshape(ctx.shape)

    @staticmethod
    def backward(ctx, g):
        base = Tensor._make(ctx.base.astype(g._data.dtype, copy=False), False, None, 0)
        n, k = ctx.shape[0], ctx.shape[-1]
        return g.reshape(n, -1, k).transpose(1, 2).matmul(base)

    @staticmethod
    def np_backward(ctx, g):
        n, k = ctx.shape[0], ctx.shape[-1]
        dt = g.dtype
        gg = _up(g).reshape(n, -1, k)
        return np.matmul(np.swapaxes(gg, 1, 2), ctx.base).astype(dt, copy=False)


def affine_grid_generator(theta, size, align_corners):
    size = tuple(int(s) for s in size)
    k = len(size) - 2
    if size[0] != theta.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {k + 1}] but got: [{theta.shape[0]}, {k + 1}].")
    return AffineGridGenerator.apply(theta, size, bool(align_corners))


# ------------------------------------------------------------------------------------------------
# grid_sample: the coordinate maps (arrays)
# ------------------------------------------------------------------------------------------------

def _unnormalize(c, n, ac):
    ct = c.dtype.type
    if ac:
        return (c + ct(1)) / ct(2) * ct(n - 1), ct((n - 1) / 2)
    return ((c + ct(1)) * ct(n) - ct(1)) / ct(2), ct(n / 2)


def _clip(c, n):
    """clip to [0, n-1] and its slope (1 strictly inside, 0 at or past the ends)."""
    ct = c.dtype.type
    hi = ct(n - 1)
    slope = ((c > 0) & (c < hi)).astype(c.dtype)
    return np.fmin(np.fmax(c, ct(0)), hi), slope          # (nan -> 0, as torch's kernels)


def _reflect(c, twice_lo, twice_hi):
    ct = c.dtype.type
    if twice_lo == twice_hi:
        return np.zeros_like(c), np.zeros_like(c)
    lo = ct(twice_lo / 2)
    span = ct((twice_hi - twice_lo) / 2)
    d = c - lo
    sign = np.where(d < 0, ct(-1), ct(1))
    d = np.abs(d)
    with np.errstate(invalid="ignore"):
        extra = np.fmod(d, span)
        flips = np.floor(d / span)
        even = np.fmod(flips, 2) == 0
    out = np.where(even, extra + lo, span - extra + lo)
    return out, np.where(even, sign, -sign)


def _pad_coord(c, n, padding, ac):
    """The padded source coordinate and its slope d(out)/d(c)."""
    if padding == "zeros":
        return c, None
    if padding == "border":
        return _clip(c, n)
    if ac:
        r, s1 = _reflect(c, 0, 2 * (n - 1))
    else:
        r, s1 = _reflect(c, -1, 2 * n - 1)
    r, s2 = _clip(r, n)
    return r, s1 * s2


def _safe_index(f, n):
    """Float positions -> (int64 indices, in-bounds mask); out-of-bounds and nan read index 0."""
    ok = (f >= 0) & (f <= n - 1)
    with np.errstate(invalid="ignore"):
        i = np.where(ok, f, 0).astype(np.int64)
    return i, ok


def _cubic_weights(t):
    """Keys' cubic convolution (A = -0.75) weights of the taps -1, 0, 1, 2 at fraction t, and
    their derivatives in t."""
    ct = t.dtype.type
    A = ct(-0.75)

    def c1(x):      # |x| <= 1
        return ((A + ct(2)) * x - (A + ct(3))) * x * x + ct(1)

    def c2(x):      # 1 < |x| < 2
        return ((A * x - ct(5) * A) * x + ct(8) * A) * x - ct(4) * A

    def d1(x):
        return (ct(3) * (A + ct(2)) * x - ct(2) * (A + ct(3))) * x

    def d2(x):
        return (ct(3) * A * x - ct(10) * A) * x + ct(8) * A

    one = ct(1)
    w = [c2(t + one), c1(t), c1(one - t), c2(ct(2) - t)]
    dw = [d2(t + one), d1(t), -d1(one - t), -d2(ct(2) - t)]
    return w, dw


class _Plan:
    """Where each output point reads: taps (flat index (N, Q), in-bounds mask, weight), and for
    the grid's gradient each tap's dweight/dcoord per spatial dim with each dim's chain slope."""
    __slots__ = ("idx", "ok", "w", "dw", "slope", "k")


def _plan(grid, spatial, mode, padding, ac, need_dw):
    """The sampling plan for grid (N, *out, k) over an input of `spatial` dims (D, H, W)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return _plan_(grid, spatial, mode, padding, ac, need_dw)


def _plan_(grid, spatial, mode, padding, ac, need_dw):
    k = len(spatial)
    N = grid.shape[0]
    g2 = grid.reshape(N, -1, k)
    coords, slopes = [], []
    for d in range(k):                                  # spatial dim d <-> grid component k-1-d
        c, s = _unnormalize(g2[..., k - 1 - d], spatial[d], ac)
        if mode != "bicubic":
            c, ps = _pad_coord(c, spatial[d], padding, ac)
            if ps is not None:
                s = ps * s
        coords.append(c)
        slopes.append(s)
    strides = [int(np.prod(spatial[d + 1:])) for d in range(k)]
    p = _Plan()
    p.k = k
    p.slope = slopes
    p.idx, p.ok, p.w, p.dw = [], [], [], []
    if mode == "nearest":
        flat, ok = 0, True
        for d in range(k):
            i, o = _safe_index(np.rint(coords[d]), spatial[d])
            flat, ok = flat + i * strides[d], ok & o
        p.idx, p.ok, p.w = [flat], [ok], [None]
        return p
    if mode == "bilinear":
        ct = coords[0].dtype.type
        lo, t, e = [], [], []
        for d in range(k):
            f = np.floor(coords[d])
            lo.append(f)
            t.append(coords[d] - f)
            e.append((f + ct(1)) - coords[d])
        for bits in np.ndindex(*(2,) * k):
            flat, ok, w = 0, True, None
            for d in range(k):
                i, o = _safe_index(lo[d] + bits[d], spatial[d])
                flat, ok = flat + i * strides[d], ok & o
                f = t[d] if bits[d] else e[d]
                w = f if w is None else w * f
            p.idx.append(flat)
            p.ok.append(ok)
            p.w.append(w)
            if need_dw:
                dws = []
                for d in range(k):
                    dd = None
                    for d2 in range(k):
                        if d2 == d:
                            continue
                        f = t[d2] if bits[d2] else e[d2]
                        dd = f if dd is None else dd * f
                    if dd is None:
                        dd = np.ones_like(t[d])
                    dws.append(dd if bits[d] else -dd)
                p.dw.append(dws)
        return p
    # bicubic, 2-D: taps padded one by one
    H, W = spatial
    fy, fx = np.floor(coords[0]), np.floor(coords[1])
    wy, dwy = _cubic_weights(coords[0] - fy)
    wx, dwx = _cubic_weights(coords[1] - fx)
    for a in range(4):
        ty, _ = _pad_coord(fy + (a - 1), H, padding, ac)
        iy, oy = _safe_index(np.trunc(ty), H)
        for b in range(4):
            tx, _ = _pad_coord(fx + (b - 1), W, padding, ac)
            ix, ox = _safe_index(np.trunc(tx), W)
            p.idx.append(iy * W + ix)
            p.ok.append(oy & ox)
            p.w.append(wy[a] * wx[b])
            if need_dw:
                p.dw.append([dwy[a] * wx[b], wy[a] * dwx[b]])
    return p


def _channels_last(x):
    """(N, C, *S) -> (N·P, C) rows, P = prod(S)."""
    N, C = x.shape[:2]
    return np.moveaxis(x.reshape(N, C, -1), 1, 2).reshape(-1, C)


def _gather(xr, p, i, N, P):
    """Tap i's values, (N, Q, C); 0 where out of bounds."""
    rows = p.idx[i] + (np.arange(N) * P)[:, None]
    v = xr[rows]
    ok = p.ok[i]
    if ok is not True and not ok.all():
        v = np.where(ok[..., None], v, v.dtype.type(0))
    return v


def _sample(x, grid, mode, padding, ac):
    dt = x.dtype
    x, grid = _up(x), _up(grid)
    N, C = x.shape[:2]
    spatial = x.shape[2:]
    out_sp = grid.shape[1:-1]
    P = int(np.prod(spatial))
    Q = int(np.prod(out_sp))
    if N * C * Q == 0:
        return np.zeros((N, C) + out_sp, dt)
    p = _plan(grid, spatial, mode, padding, ac, False)
    xr = _channels_last(x)
    out = None
    with np.errstate(invalid="ignore", over="ignore"):
        out = _combine(xr, p, N, P)
    return np.moveaxis(out, 2, 1).reshape((N, C) + out_sp).astype(dt, copy=False)


def _combine(xr, p, N, P):
    out = None
    for i in range(len(p.idx)):
        v = _gather(xr, p, i, N, P)
        if p.w[i] is not None:
            v = v * p.w[i][..., None]
        out = v if out is None else out + v
    return out


def _sample_vjp(x, grid, g, mode, padding, ac, need_x, need_grid):
    with np.errstate(invalid="ignore", over="ignore"):
        return _sample_vjp_(x, grid, g, mode, padding, ac, need_x, need_grid)


def _sample_vjp_(x, grid, g, mode, padding, ac, need_x, need_grid):
    xdt, gdt = x.dtype, grid.dtype
    if x.size == 0 or g.size == 0:
        return (np.zeros(x.shape, xdt) if need_x else None,
                np.zeros(grid.shape, gdt) if need_grid else None)
    x, grid, g = _up(x), _up(grid), _up(g)
    N, C = x.shape[:2]
    spatial = x.shape[2:]
    k = len(spatial)
    P = int(np.prod(spatial))
    gx = gg = None
    p = _plan(grid, spatial, mode, padding, ac, need_grid and mode != "nearest")
    gr = np.moveaxis(g.reshape(N, C, -1), 1, 2)                      # (N, Q, C)
    if need_x:
        acc = np.zeros((N * P, C), x.dtype)
        base = (np.arange(N) * P)[:, None]
        for i in range(len(p.idx)):
            v = gr if p.w[i] is None else gr * p.w[i][..., None]
            ok = p.ok[i]
            rows = p.idx[i] + base
            if ok is not True:
                v = v[ok]
                rows = rows[ok]
            np.add.at(acc, rows.reshape(-1), v.reshape(-1, C))
        gx = np.moveaxis(acc.reshape(N, P, C), 2, 1).reshape(x.shape).astype(xdt, copy=False)
    if need_grid:
        if mode == "nearest":
            gg = np.zeros(grid.shape, gdt)
        else:
            xr = _channels_last(x)
            comp = [None] * k
            for i in range(len(p.idx)):
                s = np.einsum("nqc,nqc->nq", _gather(xr, p, i, N, P), gr)
                for d in range(k):
                    term = s * p.dw[i][d]
                    comp[d] = term if comp[d] is None else comp[d] + term
            cols = [comp[k - 1 - j] * p.slope[k - 1 - j] for j in range(k)]
            gg = np.stack(cols, axis=-1).reshape(grid.shape).astype(gdt, copy=False)
    return gx, gg


def _sample_composed(x, grid, mode, padding, ac):
    """The same sampling as differentiable Tensor ops (for the VJP under create_graph): the
    padding maps and floors are piecewise linear / constant, so each is its local linear piece
    (slope and offset read from the arrays)."""
    zg = _torch()
    N, C = x.shape[:2]
    spatial = tuple(x.shape[2:])
    k = len(spatial)
    out_sp = tuple(grid.shape[1:-1])
    P = int(np.prod(spatial))
    gd = grid._data
    dtn = _up(gd).dtype
    p = _plan(_up(gd), spatial, mode, padding, ac, False)
    g2 = grid.reshape(N, -1, k)
    # each spatial dim's coordinate as a Tensor: its slope times the grid component, plus a
    # constant (so that the value is the array plan's coordinate)
    coords = []
    for d in range(k):
        comp = g2[..., k - 1 - d]
        c_np, s = _unnormalize(_up(gd).reshape(N, -1, k)[..., k - 1 - d], spatial[d], ac)
        sl = np.full(c_np.shape, s, dtn)
        if mode != "bicubic":
            c_np, ps = _pad_coord(c_np, spatial[d], padding, ac)
            if ps is not None:
                sl = ps * sl
        off = c_np - sl * _up(gd).reshape(N, -1, k)[..., k - 1 - d]
        coords.append((comp * zg.as_tensor(sl.astype(gd.dtype)) +
                       zg.as_tensor(off.astype(gd.dtype)), c_np))
    xr = x.reshape(N, C, P).transpose(1, 2).reshape(N * P, C)
    base = (np.arange(N) * P)[:, None]

    def tap(i):
        rows = zg.as_tensor((p.idx[i] + base).reshape(-1))
        v = xr[rows].reshape(N, -1, C)
        ok = p.ok[i]
        if ok is not True:
            v = v * zg.as_tensor(ok[..., None].astype(x._data.dtype))
        return v

    if mode == "nearest":
        out = tap(0)
    elif mode == "bilinear":
        t, e = [], []
        for c, c_np in coords:
            f = zg.as_tensor(np.floor(c_np).astype(gd.dtype))
            t.append(c - f)
            e.append((f + 1) - c)
        out = None
        for i, bits in enumerate(np.ndindex(*(2,) * k)):
            w = None
            for d in range(k):
                f = t[d] if bits[d] else e[d]
                w = f if w is None else w * f
            v = tap(i) * w.unsqueeze(-1)
            out = v if out is None else out + v
    else:
        (cy, cy_np), (cx, cx_np) = coords
        ty = cy - zg.as_tensor(np.floor(cy_np).astype(gd.dtype))
        tx = cx - zg.as_tensor(np.floor(cx_np).astype(gd.dtype))

        def weights(t):
            A = -0.75
            c1 = lambda u: ((A + 2) * u - (A + 3)) * u * u + 1           # noqa: E731
            c2 = lambda u: ((A * u - 5 * A) * u + 8 * A) * u - 4 * A     # noqa: E731
            return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]
        wy, wx = weights(ty), weights(tx)
        out = None
        for a in range(4):
            for b in range(4):
                v = tap(a * 4 + b) * (wy[a] * wx[b]).unsqueeze(-1)
                out = v if out is None else out + v
    return out.transpose(1, 2).reshape((N, C) + out_sp)


class GridSampler2D(Op):
    """y[n, c, q] = Σ_taps w(grid[n, q]) · x[n, c, tap]       (taps/weights: see module doc)
    dx = scatter-add of g·w into the taps;  dgrid = Σ_c g · Σ_taps x[tap] · dw/di · di/dgrid"""
    node_name = "GridSampler2DBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, x, grid, mode, padding, ac):
        ctx.save_for_backward(x, grid)
        ctx.params = (mode, padding, ac)
        return _sample(x._data, grid._data, mode, padding, ac)

    @staticmethod
    def backward(ctx, g):
        x, grid = ctx.saved_tensors
        need = ctx.needs_input_grad
        zg = _torch()
        with zg.enable_grad():
            xs = x if x.requires_grad else x.detach()
            gs = grid if grid.requires_grad else grid.detach()
            with np.errstate(invalid="ignore", over="ignore"):
                out = _sample_composed(xs, gs, *ctx.params)
            wrt = [t for t, n in ((xs, need[0]), (gs, need[1])) if n]
            res = list(zg.autograd.grad(out, wrt, g, create_graph=True, allow_unused=True))
        gx = res.pop(0) if need[0] else None
        gg = res.pop(0) if need[1] else None
        if need[0] and gx is None:
            gx = zg.zeros_like(x)
        if need[1] and gg is None:
            gg = zg.zeros_like(grid)
        return gx, gg

    @staticmethod
    def np_backward(ctx, g):
        x, grid = ctx._saved_np()
        need = ctx.needs_input_grad
        return _sample_vjp(x, grid, g, *ctx.params, need[0], need[1])


class GridSampler3D(GridSampler2D):
    __doc__ = GridSampler2D.__doc__
    node_name = "GridSampler3DBackward0"
    backward = GridSampler2D.backward
    np_backward = GridSampler2D.np_backward


_KERNELS = {4: "grid_sampler_2d_cpu_kernel_impl", 5: "grid_sampler3d_cpu"}


def _sizes(t) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def grid_sampler(input, grid, mode, padding_mode, align_corners):
    """torch.grid_sampler's checks, then the 2-D or 3-D sampler (mode and padding_mode as names:
    'bilinear' / 'nearest' / 'bicubic', 'zeros' / 'border' / 'reflection')."""
    from ._util import scalar_type_name
    for name, pos, v in (("input", 1, input), ("grid", 2, grid)):
        if not isinstance(v, Tensor):
            raise TypeError(f"grid_sampler(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(v).__name__}")
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"grid_sampler(): argument 'align_corners' (position 5) must be bool, "
                        f"not {type(align_corners).__name__}")
    xs, gs = input.shape, grid.shape
    if input.ndim == 0 or grid.ndim == 0 or xs[0] != gs[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {_sizes(input)} and grid with sizes "
                           f"{_sizes(grid)}")
    k = input.ndim - 2
    if gs[-1] != k:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {k} in last dimension, "
                           f"but got grid with sizes {_sizes(grid)}")
    for i in range(2, input.ndim):
        if xs[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {_sizes(input)} with dimension "
                               f"{i} being empty")
    nd = 4 if input.ndim == 4 else 5
    if input.ndim != nd or grid.ndim != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of "
                           f"dimensions, but got input with sizes {_sizes(input)} and grid with "
                           f"sizes {_sizes(grid)}")
    if nd == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    xdt = input._data.dtype
    if xdt.kind != "f" and xdt.name != "bfloat16":
        raise NotImplementedError(f"\"{_KERNELS[nd]}\" not implemented for "
                                  f"'{scalar_type_name(xdt)}'")
    if grid._data.dtype != xdt:
        raise RuntimeError(f"expected scalar type {scalar_type_name(xdt)} but found "
                           f"{scalar_type_name(grid._data.dtype)}")
    op = GridSampler2D if nd == 4 else GridSampler3D
    return op.apply(input, grid, mode, padding_mode, bool(align_corners))
