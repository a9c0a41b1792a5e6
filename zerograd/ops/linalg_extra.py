"""torch.linalg on NumPy's LAPACK: factorizations and inverses with their matrix-calculus VJPs.

Each decomposition is one node named as torch names it (LinalgDetBackward0, LinalgInvExBackward0,
LinalgSolveExBackward0, LinalgCholeskyExBackward0, LinalgQrBackward0, LinalgEighBackward0,
LinalgSvdBackward0, LinalgPinvBackward0, LinalgCrossBackward0, LinalgSlogdetBackward0); the
norms, matrix_power, multi_dot, vecdot, logdet are composed of other ops, as torch composes them.
Every backward is written with Tensor ops (double backward works).  The rules (real case):

    det        dA = g det(A) A⁻ᵀ                  slogdet    dA = g_logabsdet A⁻ᵀ
    inv        dA = -A⁻ᵀ G A⁻ᵀ                    solve      dB = A⁻ᵀ G,  dA = -dB Xᵀ
    cholesky   dA = L⁻ᵀ Φ(Lᵀ G) L⁻¹, Φ(T) = ½(tril T + tril(T,-1)ᵀ)        (torch's formula)
    qr         dA = (G_Q + Q copyltu(M)) R⁻ᵀ, M = R G_Rᵀ - G_Qᵀ Q               (m ≥ n)
    eigh       dA = V (diag(g_w) + skew(Vᵀ G_V)/2 / E) Vᵀ,  E_ij = w_j - w_i
    svd        torch's svd_backward (distinct singular values)

Sign conventions: the factors come from LAPACK through NumPy, as torch's come from LAPACK; the
signs (phases) of eigenvectors, singular vectors and of Q's columns / R's rows are not promised to
match torch's.  Compare invariants (A = Q R, A = U S Vh, |values|) and gauge-invariant losses.
"""
from __future__ import annotations

from .. import _autocast  # noqa: E402,I001  (torch.autocast's casts: zerograd/_autocast.py)

import warnings

import numpy as np

from .. import return_types as _rt
from ..autograd.function import Op
from ..tensor import Tensor
from ._args import need_tensor, no_out
from ._util import scalar_type_name, wrap


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (torch._C._LinAlgError): a RuntimeError."""


LinAlgError = _LinAlgError


def _svd_np(x, **kwargs):
    """np.linalg.svd, failing as torch's linalg.svd does (LinAlgError, a RuntimeError)."""
    try:
        return np.linalg.svd(x, **kwargs)
    except np.linalg.LinAlgError:
        why = ("contained non-finite values" if not np.isfinite(x).all() else
               "is ill-conditioned or has too many repeated singular values (error code: 1)")
        raise _LinAlgError(f"linalg.svd: The algorithm failed to converge because the input "
                           f"matrix {why}.") from None


def _eigh_np(f, x, **kwargs):
    """np.linalg.eigh / eigvalsh (f), failing as torch's linalg.eigh does."""
    try:
        return f(x, **kwargs)
    except np.linalg.LinAlgError:
        raise _LinAlgError("linalg.eigh: The algorithm failed to converge because the input "
                           "matrix is ill-conditioned or has too many repeated eigenvalues (error "
                           "code: 1).") from None


linalg_slogdet, slogdet_result = _rt.linalg_slogdet, _rt.slogdet
linalg_qr, linalg_eigh, linalg_svd = _rt.linalg_qr, _rt.linalg_eigh, _rt.linalg_svd


# ***** argument checks (torch's messages) ********************************************************

def _no_low_precision(A):
    """The norms computed through an SVD (nuc, ±2) take no half type, as torch's."""
    if A._data.dtype.itemsize == 2:
        raise RuntimeError(f"linalg.matrix_norm: Low precision dtypes not supported. Got "
                           f"{scalar_type_name(A.dtype)}")


def _float_only(fname, a, half_ok=False):
    if a._data.dtype.kind not in ("fcV" if half_ok else "fc"):
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(a.dtype)}")


def _matrix(fname, a, square=True):
    if a.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _check(fname, a, square=True):
    need_tensor(fname, "A", 1, a)
    _matrix(fname, a, square)
    _float_only(fname, a)


def _batch_msg(x, i, msg):
    """torch's message for batch element i: 'linalg.inv: (Batch element 1): The ...'."""
    if x.ndim <= 2:
        return msg
    head, rest = msg.split(": ", 1)
    return f"{head}: (Batch element {i}): {rest}"


def _first_zero_pivot(m):
    """LAPACK getrf's info on one matrix: the 1-based index of the first exactly-zero pivot of
    the partially pivoted LU factorization (0: none)."""
    a = np.array(m, copy=True)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        if p != k:
            a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return 0


def _mT(t):
    return t.transpose(-2, -1)


def _inv_np(fname, x):
    try:
        return np.linalg.inv(x)
    except np.linalg.LinAlgError:
        flat = x.reshape((-1,) + x.shape[-2:])
        for i, m in enumerate(flat):
            k = _first_zero_pivot(m)
            if k:
                raise _LinAlgError(_batch_msg(x, i, (
                    f"{fname}: The diagonal element {k} is zero, the inversion could not be "
                    "completed because the input matrix is singular."))) from None
        raise


# ***** det / slogdet / inv / solve ***************************************************************

class LinalgDet(Op):
    """d = det(A)                 dA = g d A⁻ᵀ   (A nonsingular)"""
    node_name = "LinalgDetBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a):
        d = np.asarray(np.linalg.det(a._data), dtype=a._data.dtype)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        if np.any(d._data == 0):
            # det exactly 0: torch's LU-based rule gives g·0·(finite) = 0 there (not the
            # cofactor matrix); I stands in for those matrices so that inv() succeeds
            from . import where
            sing = wrap((d._data == 0)[..., None, None])
            a = where(sing, wrap(np.eye(a.shape[-1], dtype=a._data.dtype)), a)
        return (g * d).unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))


class LinalgSlogdet(Op):
    """(sign, log|det A|)         dA = g_logabsdet A⁻ᵀ   (sign: no gradient, real case)"""
    node_name = "LinalgSlogdetBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a):
        s, l = np.linalg.slogdet(a._data)
        dt = a._data.dtype
        ctx.save_for_backward(a)
        return np.asarray(s, dtype=dt), np.asarray(l, dtype=dt)

    @staticmethod
    def backward(ctx, gs, gl):
        a, = ctx.saved_tensors
        return gl.unsqueeze(-1).unsqueeze(-1) * _mT(inv(a))


class LinalgInv(Op):
    """Y = A⁻¹                    dA = -Yᵀ G Yᵀ"""
    node_name = "LinalgInvExBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a):
        y = _inv_np("linalg.inv", a._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        yt = _mT(y)
        return -(yt @ g @ yt)


class LinalgSolve(Op):
    """X = A⁻¹ B (left) or B A⁻¹      dB = A⁻ᵀ G, dA = -dB Xᵀ (left);  dB = G A⁻ᵀ, dA = -Xᵀ dB (right)"""
    node_name = "LinalgSolveExBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, left, vector):
        x, y = a._data, b._data
        if vector:
            y = y[..., None] if left else y[..., None, :]
        try:
            if left:
                out = np.linalg.solve(x, y)
            else:
                out = np.swapaxes(np.linalg.solve(np.swapaxes(x, -1, -2), np.swapaxes(y, -1, -2)),
                                  -1, -2)
        except np.linalg.LinAlgError:
            raise _LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                               "is singular.") from None
        out = out[..., 0] if (vector and left) else out[..., 0, :] if vector else out
        ctx.save_for_backward(a, out)
        ctx.left, ctx.vector = left, vector
        return out

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        ainv_t = _mT(inv(a))
        if ctx.vector:
            g = g.unsqueeze(-1) if ctx.left else g.unsqueeze(-2)
            x = x.unsqueeze(-1) if ctx.left else x.unsqueeze(-2)
        if ctx.left:
            gb = ainv_t @ g
            ga = -(gb @ _mT(x))
        else:
            gb = g @ ainv_t
            ga = -(_mT(x) @ gb)
        if ctx.vector:
            gb = gb.squeeze(-1) if ctx.left else gb.squeeze(-2)
        return ga, gb


def det(A, *, out=None):
    no_out("linalg.det", out)
    _check("linalg.det", A)
    return LinalgDet.apply(A)


def slogdet(A, *, out=None):
    no_out("linalg.slogdet", out)
    _check("linalg.slogdet", A)
    return linalg_slogdet(*LinalgSlogdet.apply(A))


@_autocast.fp32
def inv(A, *, out=None):
    no_out("linalg.inv", out)
    _check("linalg.inv", A)
    return LinalgInv.apply(A)


def solve(A, B, *, left=True, out=None):
    no_out("linalg.solve", out)
    need_tensor("linalg_solve", "A", 1, A)
    need_tensor("linalg_solve", "B", 1, B)
    _matrix("linalg.solve", A)
    _float_only("linalg.solve", A)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {scalar_type_name(A.dtype)} and B of type "
                           f"{scalar_type_name(B.dtype)} instead")
    n = A.shape[-1]
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    ok = (B.shape[-1] == n) if vector else (B.ndim >= 2 and B.shape[-2 if left else -1] == n)
    if not ok:
        eq = "AX = B" if left else "XA = B"
        bs = f"{B.shape[-2]}x{B.shape[-1]}" if B.ndim >= 2 else f"{B.shape[-1]}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({A.shape[-2]}x{A.shape[-1]} and {bs})")
    return LinalgSolve.apply(A, B, bool(left), vector)


# ***** cholesky / qr / eigh / svd ****************************************************************

class LinalgCholesky(Op):
    """L = chol(A) (U = Lᵀ if upper)     dA = L⁻ᵀ Φ(Lᵀ G_L) L⁻¹,  Φ(T) = ½(tril T + tril(T,-1)ᵀ)"""
    node_name = "LinalgCholeskyExBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, upper):
        x = a._data
        src = np.swapaxes(x, -1, -2) if upper else x      # (upper reads A's upper triangle)
        def fail(i, k):
            return _LinAlgError(_batch_msg(x, i, (
                "linalg.cholesky: The factorization could not be completed because the input is "
                f"not positive-definite (the leading minor of order {k} is not "
                "positive-definite).")))
        try:
            low = np.linalg.cholesky(src)
        except np.linalg.LinAlgError:
            flat = src.reshape((-1,) + src.shape[-2:])
            for i, m in enumerate(flat):
                for k in range(1, m.shape[0] + 1):
                    try:
                        np.linalg.cholesky(m[:k, :k])
                    except np.linalg.LinAlgError:
                        raise fail(i, k) from None
            raise
        diag = np.diagonal(low, axis1=-2, axis2=-1)
        if np.isnan(diag).any():    # NaN in A: NumPy returns NaNs, LAPACK (torch) stops there
            for i, d in enumerate(diag.reshape(-1, diag.shape[-1])):
                bad = np.flatnonzero(np.isnan(d))
                if bad.size:
                    raise fail(i, int(bad[0]) + 1)
        out = np.ascontiguousarray(np.swapaxes(low, -1, -2)) if upper else low
        ctx.save_for_backward(out)
        ctx.upper = upper
        return out

    @staticmethod
    def backward(ctx, g):
        l, = ctx.saved_tensors
        if ctx.upper:
            l, g = _mT(l), _mT(g)
        t = (_mT(l) @ g).tril()
        phi = (t + _mT(t.tril(-1))) * 0.5
        linv = inv(l)
        return _mT(linv) @ phi @ linv


@_autocast.fp32
def cholesky(A, *, upper=False, out=None):
    no_out("linalg.cholesky", out)
    _check("linalg.cholesky", A)
    return LinalgCholesky.apply(A, bool(upper))


class LinalgQr(Op):
    """(Q, R) = qr(A)          dA = (G_Q + Q copyltu(M)) R⁻ᵀ,  M = R G_Rᵀ - G_Qᵀ Q   (m ≥ n)"""
    node_name = "LinalgQrBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, mode):
        x = a._data
        if mode == "r":
            r = np.linalg.qr(x, mode="r")
            q = np.zeros((0,), x.dtype)
        else:
            q, r = np.linalg.qr(x, mode=mode)
        ctx.mode = mode
        ctx.m, ctx.n = x.shape[-2], x.shape[-1]
        ctx.save_for_backward(q, r)
        return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gq, gr):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        m, n = ctx.m, ctx.n
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m < n:
            raise NotImplementedError("zerograd: the derivative of linalg.qr is implemented for "
                                      "m >= n only (tall or square A)")
        q, r = ctx.saved_tensors
        mm = r @ _mT(gr) - _mT(gq) @ q
        copyltu = mm.tril() + _mT(mm.tril(-1))
        return (gq + q @ copyltu) @ _mT(inv(r))


def qr(A, mode="reduced", *, out=None):
    no_out("linalg.qr", out)
    need_tensor("linalg_qr", "A", 1, A)
    if mode not in ("reduced", "r", "complete"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _matrix("linalg.qr", A, square=False)
    _float_only("linalg.qr", A)
    return linalg_qr(*LinalgQr.apply(A, mode))


class LinalgEigh(Op):
    """(w, V) = eigh(A)        dA = V (diag(g_w) + ½(VᵀG_V - G_VᵀV) / E) Vᵀ,  E_ij = w_j - w_i"""
    node_name = "LinalgEighBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = _eigh_np(np.linalg.eigh, a._data, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        vt = _mT(v)
        inner = gw.diag_embed()
        if np.any(gv._data):
            e = w.unsqueeze(-2) - w.unsqueeze(-1)
            e = e + wrap(np.eye(w.shape[-1], dtype=w._data.dtype))
            vhgv = vt @ gv
            inner = inner + (vhgv - _mT(vhgv)) * 0.5 / e
        return v @ inner @ vt


def _eigh_checks(fname, A, UPLO):
    need_tensor(fname, "A", 1, A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _matrix("linalg.eigh", A)
    if A._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{scalar_type_name(A.dtype)}'")


def eigh(A, UPLO="L", *, out=None):
    """torch.linalg.eigh.  Eigenvectors are unique up to sign (up to a rotation within a
    repeated eigenvalue's space); compare V diag(w) Vᵀ or |Vᵀ x|, not V itself."""
    no_out("linalg.eigh", out)
    _eigh_checks("linalg_eigh", A, UPLO)
    return linalg_eigh(*LinalgEigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    no_out("linalg.eigvalsh", out)
    _eigh_checks("linalg_eigvalsh", A, UPLO)
    return LinalgEigh.apply(A, UPLO)[0]


class LinalgSvd(Op):
    """(U, S, Vh) = svd(A)     dA = torch's svd_backward (real case; distinct singular values)"""
    node_name = "LinalgSvdBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, full_matrices):
        x = a._data
        u, s, vh = _svd_np(x, full_matrices=full_matrices)
        ctx.full = full_matrices
        ctx.save_for_backward(u, s, vh)
        return u.astype(x.dtype, copy=False), s.astype(x.dtype, copy=False), \
            vh.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        m, n = u.shape[-2], vh.shape[-1]
        k = s.shape[-1]
        if ctx.full:
            u, gu = u[..., :, :k], gu[..., :, :k]
            vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        has_u, has_v = bool(np.any(gu._data)), bool(np.any(gvh._data))
        if not has_u and not has_v:
            return (u * gs.unsqueeze(-2)) @ vh
        s2 = s * s
        e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + wrap(np.eye(k, dtype=s._data.dtype))
        if has_u:
            uhgu = _mT(u) @ gu
            sk_u = uhgu - _mT(uhgu)
        if has_v:
            vhgv = vh @ _mT(gvh)
            sk_v = vhgv - _mT(vhgv)
        if has_u and has_v:
            ret = (sk_u * s.unsqueeze(-2) + s.unsqueeze(-1) * sk_v) / e
        elif has_u:
            ret = (sk_u / e) * s.unsqueeze(-2)
        else:
            ret = s.unsqueeze(-1) * (sk_v / e)
        ret = ret + gs.diag_embed()
        if m > k and has_u:
            ga = u @ ret
            gusinv = gu / s.unsqueeze(-2)
            ga = ga + gusinv - u @ (_mT(u) @ gusinv)
            return ga @ vh
        if n > k and has_v:
            ga = ret @ vh
            sinvgvh = gvh / s.unsqueeze(-1)
            ga = ga + sinvgvh - (sinvgvh @ _mT(vh)) @ vh
            return u @ ga
        return u @ (ret @ vh)


def _svd_checks(A, driver=None):
    need_tensor("linalg_svd", "A", 1, A)
    _matrix("linalg.svd", A, square=False)
    _float_only("linalg.svd", A)
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """torch.linalg.svd.  Singular vectors are unique up to a simultaneous sign flip of u_i and
    v_i: compare U diag(S) Vh and S, or losses invariant to those flips."""
    no_out("linalg.svd", out)
    _svd_checks(A, driver)
    return linalg_svd(*LinalgSvd.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    no_out("linalg.svdvals", out)
    _svd_checks(A, driver)
    return LinalgSvd.apply(A, False)[1]


# ***** pinv / matrix_rank ************************************************************************

def _tol_np(s_max, atol, rtol, m, n, dtype):
    """torch's threshold max(atol, rtol σ_max): rtol defaults to eps max(m, n), or to 0 when only
    atol is given (> 0)."""
    def arr(v):
        if v is None:
            return None
        return np.asarray(v._data if isinstance(v, Tensor) else v, dtype=np.float64)
    a, r = arr(atol), arr(rtol)
    if r is None:
        r = (np.zeros(()) if (a is not None and np.all(a > 0))
             else np.asarray(np.finfo(dtype).eps * max(m, n)))
    if a is None:
        a = np.zeros(())
    return np.maximum(a, r * s_max).astype(dtype)


class LinalgPinv(Op):
    """P = A⁺                 dA = torch's pinv_backward"""
    node_name = "LinalgPinvBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        x = a._data
        m, n = x.shape[-2], x.shape[-1]
        if hermitian:
            w, v = _eigh_np(np.linalg.eigh, x)
            aw = np.abs(w)
            tol = _tol_np(np.max(aw, axis=-1, initial=0), atol, rtol, m, n, x.dtype)
            winv = np.where(aw > tol[..., None], 1 / np.where(aw > 0, w, 1), 0).astype(x.dtype)
            p = (v * winv[..., None, :]) @ np.swapaxes(v, -1, -2)
        else:
            u, s, vh = _svd_np(x, full_matrices=False)
            tol = _tol_np(np.max(s, axis=-1, initial=0), atol, rtol, m, n, x.dtype)
            sinv = np.where(s > tol[..., None], 1 / np.where(s > 0, s, 1), 0).astype(x.dtype)
            p = (np.swapaxes(vh, -1, -2) * sinv[..., None, :]) @ np.swapaxes(u, -1, -2)
        p = np.ascontiguousarray(p, dtype=x.dtype)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        m, n = a.shape[-2], a.shape[-1]
        ph, gh = _mT(p), _mT(g)
        if m <= n:
            k = gh @ p
            kph = k @ ph
            return -_mT(p @ k) + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
        k = p @ gh
        phk = ph @ k
        return -_mT(k @ p) + ((gh - a @ k) @ p) @ ph + phk - (phk @ p) @ a


def _pinv_check(A):
    need_tensor("linalg_pinv", "input", 1, A)
    if A.ndim < 2 or A._data.dtype.kind not in "fc":
        shape = ", ".join(str(s) for s in A.shape)
        raise RuntimeError(f"linalg.pinv({scalar_type_name(A.dtype)}{{[{shape}]}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """torch.linalg.pinv (hermitian=True uses eigh of A, as torch)."""
    no_out("linalg.pinv", out)
    _pinv_check(A)
    return LinalgPinv.apply(A, atol, rtol, bool(hermitian))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    no_out("linalg.matrix_rank", out)
    need_tensor("linalg_matrix_rank", "input", 1, A)
    if A._data.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    _matrix("linalg.matrix_rank", A, square=False)
    x = A._data
    if hermitian:
        s = np.abs(_eigh_np(np.linalg.eigvalsh, x))
    else:
        s = _svd_np(x, compute_uv=False)
    tol = _tol_np(np.max(s, axis=-1, initial=0), atol, rtol, x.shape[-2], x.shape[-1], x.dtype)
    return wrap(np.asarray(np.sum(s > tol[..., None], axis=-1), dtype=np.int64))


# ***** norms *************************************************************************************

def _ord_value(fname, ord):
    from ._args import number_arg
    v = number_arg(fname, "ord", ord)
    return float(v)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    from ._util import canon_dims
    from .reduce import Norm
    no_out("linalg.vector_norm", out)
    need_tensor("linalg_vector_norm", "input", 1, x)
    p = _ord_value("linalg_vector_norm", ord)
    if dtype is not None:
        if x._data.dtype.kind not in "fcV":        # (V: bfloat16)
            raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                               f"as input. Got {scalar_type_name(x.dtype)}")
        x = x.to(dtype)
    if x._data.dtype.kind not in "fcV":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(x.dtype)}")
    if isinstance(dim, int):
        dim = (dim,)
    dims = canon_dims(dim, x.ndim)
    if p < 0 and x.numel() == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                           "because the operation does not have an identity")
    return Norm.apply(x, p, dims, bool(keepdim))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """torch.linalg.matrix_norm, composed as torch composes it: fro as a vector norm; ±1, ±inf as
    amax/amin of a vector 1-norm; ±2 and nuc from svdvals."""
    from ._util import canon_dim
    no_out("linalg.matrix_norm", out)
    need_tensor("linalg_matrix_norm", "input", 1, A)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = canon_dim(dim[0], A.ndim), canon_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if dtype is not None:
        _float_only("linalg.matrix_norm", A, half_ok=True)
        A = A.to(dtype)
    _float_only("linalg.matrix_norm", A, half_ok=True)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        if ord == "fro":
            return vector_norm(A, 2, (d0, d1), keepdim)
        _no_low_precision(A)
        return _svd_norm(A, d0, d1, keepdim, lambda s: s.sum(-1))
    o = _ord_value("linalg_matrix_norm", ord)
    if abs(o) not in (1.0, 2.0, float("inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if abs(o) == 2:
        _no_low_precision(A)
        return _svd_norm(A, d0, d1, keepdim, (lambda s: s.amax(-1)) if o > 0 else
                         (lambda s: s.amin(-1)))
    if abs(o) == float("inf"):
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    v = vector_norm(A, 1, d0, keepdim)
    return v.amax(d1, keepdim) if o > 0 else v.amin(d1, keepdim)


def _svd_norm(A, d0, d1, keepdim, reduce):
    perm = [i for i in range(A.ndim) if i not in (d0, d1)] + [d0, d1]
    r = reduce(svdvals(A.permute(*perm)))
    if keepdim:
        lo, hi = sorted((d0, d1))
        r = r.unsqueeze(lo).unsqueeze(hi)
    return r


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a vector norm, or a matrix norm when dim is a 2-tuple (or dim is None,
    ord is given and A is 2-D)."""
    no_out("linalg.norm", out)
    need_tensor("linalg_norm", "input", 1, A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
    elif ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.ndim}D.")
        dims = tuple(range(A.ndim))
    else:
        dims = None
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dims is not None and len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


# ***** products **********************************************************************************

class LinalgCross(Op):
    """z = a × b (along dim)    da = b × g,  db = g × a"""
    node_name = "LinalgCrossBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        x, y = np.broadcast_arrays(a._data, b._data)
        if x.dtype == np.bool_:
            raise NotImplementedError('"cross" not implemented for \'Bool\'')
        return np.ascontiguousarray(np.cross(x, y, axis=dim).astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (LinalgCross.apply(b, g, ctx.dim) if need[0] else None,
                LinalgCross.apply(g, a, ctx.dim) if need[1] else None)


def cross(input, other, *, dim=-1, out=None):
    from ._util import canon_dim
    no_out("linalg.cross", out)
    need_tensor("linalg_cross", "input", 1, input)
    need_tensor("linalg_cross", "other", 1, other)
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"linalg.cross: expected input and other to have the same dtype, but "
                           f"got {scalar_type_name(input.dtype)} and "
                           f"{scalar_type_name(other.dtype)}")
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        from ._util import check_broadcast
        check_broadcast(input._data, other._data)      # (torch's message)
        raise
    d = canon_dim(dim, len(shape))
    sa = (1,) * (len(shape) - input.ndim) + tuple(input.shape)
    sb = (1,) * (len(shape) - other.ndim) + tuple(other.shape)
    if sa[d] != 3 or sb[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{sa[d]} and {sb[d]}")
    return LinalgCross.apply(input, other, d)


@_autocast.lower_precision
def vecdot(x, y, *, dim=-1, out=None):
    no_out("linalg.vecdot", out)
    need_tensor("linalg_vecdot", "x", 1, x)
    need_tensor("linalg_vecdot", "y", 1, y)
    if x._data.dtype.kind != "V":           # (bfloat16 too: a product and a sum)
        _float_only("linalg.vecdot", x)
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {scalar_type_name(x.dtype)} and y of type "
                           f"{scalar_type_name(y.dtype)} instead")
    return (x * y).sum(dim)


def multi_dot(tensors, *, out=None):
    """torch.linalg.multi_dot: the cheapest parenthesization (torch's order, ties included)."""
    no_out("linalg.multi_dot", out)
    ts = list(tensors)
    n = len(ts)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    if ts[0].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{ts[0].ndim}D")
    if ts[-1].ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{ts[-1].ndim}D")
    for i in range(1, n - 1):
        if ts[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].ndim}D")
    for i in range(1, n):
        if ts[i].dtype != ts[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {scalar_type_name(ts[0].dtype)} and tensor {i} is "
                               f"{scalar_type_name(ts[i].dtype)}")
    out_shape = []
    if ts[0].ndim == 1:
        ts[0] = ts[0].unsqueeze(0)
    else:
        out_shape.append(ts[0].shape[0])
    if ts[-1].ndim == 1:
        ts[-1] = ts[-1].unsqueeze(-1)
    else:
        out_shape.append(ts[-1].shape[1])
    for i in range(n - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(ts[i].shape)} and {list(ts[i + 1].shape)} cannot be "
                               "multiplied")
    if n == 2:
        r = ts[0].mm(ts[1])
    elif n == 3:
        a, b, c, d = ts[0].shape[0], ts[1].shape[0], ts[2].shape[0], ts[2].shape[1]
        if (a * c) * (b + d) > (b * d) * (a + c):
            r = ts[0].mm(ts[1].mm(ts[2]))
        else:
            r = ts[0].mm(ts[1]).mm(ts[2])
    else:
        p = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
        cost = [[0] * n for _ in range(n)]
        split = [[0] * n for _ in range(n)]
        for length in range(1, n):
            for i in range(n - length):
                j = i + length
                cost[i][j] = None
                for k in range(i, j):
                    c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                    if cost[i][j] is None or c < cost[i][j]:
                        cost[i][j], split[i][j] = c, k

        def chain(i, j):
            if i == j:
                return ts[i]
            k = split[i][j]
            return chain(i, k).mm(chain(k + 1, j))
        r = chain(0, n - 1)
    return r.view(*out_shape) if out_shape else r.view(())


def matrix_power(A, n, *, out=None):
    """torch.linalg.matrix_power by torch's binary decomposition (the same products)."""
    no_out("linalg.matrix_power", out)
    need_tensor("linalg_matrix_power", "input", 1, A)
    _matrix("linalg.matrix_power", A)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    n = int(n)
    if n == 0:
        from .creation import eye
        e = eye(A.shape[-1], dtype=A.dtype)      # (torch's node: CopyBackwards; here AddBackward0)
        return A * 0 + e if A.requires_grad else e.expand(*A.shape).clone()
    if n < 0:
        A = inv(A)
        n = -n
    if n == 1:
        return A.clone()
    if n == 2:
        return A @ A
    if n == 3:
        return (A @ A) @ A
    z = result = None
    while n > 0:
        bit = n % 2
        n //= 2
        z = A if z is None else z @ z
        if bit == 1:
            result = z if result is None else result @ z
    return result


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    from .indexing import diagonal as _diagonal
    return _diagonal(A, offset, dim1, dim2)


# ***** top-level (torch.*) forms ****************************************************************

def t_det(input):
    need_tensor("det", "input", 1, input)
    return det(input)


def t_slogdet(input):
    need_tensor("slogdet", "input", 1, input)
    return slogdet_result(*slogdet(input))


def t_logdet(input):
    from . import where
    need_tensor("logdet", "input", 1, input)
    _matrix("logdet", input)
    _float_only("logdet", input)
    sign, labs = LinalgSlogdet.apply(input)
    return where(sign == -1, float("nan"), labs)


@_autocast.fp32
def t_inverse(input, *, out=None):
    no_out("inverse", out)
    need_tensor("inverse", "input", 1, input)
    return inv(input)


def t_matrix_power(input, n):
    return matrix_power(input, n)


@_autocast.fp32
def t_pinverse(input, rcond=1e-15):
    need_tensor("pinverse", "input", 1, input)
    return pinv(input, rtol=rcond)


_CHAIN_WARNED = []


def chain_matmul(*matrices, out=None):
    """torch.chain_matmul (deprecated in torch: warns once): linalg.multi_dot of the matrices."""
    no_out("chain_matmul", out)
    if not _CHAIN_WARNED:
        _CHAIN_WARNED.append(True)
        warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                      "release. Use torch.linalg.multi_dot instead, which accepts a list of two "
                      "or more tensors rather than multiple parameters.", UserWarning,
                      stacklevel=2)
    for m in matrices:
        if not isinstance(m, Tensor):
            raise TypeError(f"chain_matmul(): argument 'matrices' must be tuple of Tensors, not "
                            f"{type(m).__name__}")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(matrices)
