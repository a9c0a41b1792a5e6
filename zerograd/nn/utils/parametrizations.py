"""zerograd.nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal as
parametrizations (see parametrize.py), torch's current forms of the legacy hook-based
`nn.utils.weight_norm` / `nn.utils.spectral_norm` (_legacy_norms.py).

    m = weight_norm(nn.Linear(20, 40))        # m.parametrizations.weight.original0 = g (40, 1)
                                              #                             .original1 = v
    m = spectral_norm(nn.Linear(20, 40))      # m.weight = W / sigma(W); the power iteration's
                                              # vectors are buffers _u, _v of the parametrization
"""
from __future__ import annotations

from ... import grad_mode as _gm
from ...ops.misc import vdot as _vdot
from ...tensor import Tensor
from .. import functional as F
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# --------------------------------------------------------------------------------------------
# weight norm: w = g * v / ||v||, the norm over every dimension but `dim`
# --------------------------------------------------------------------------------------------
def _norm_except_dim(v: Tensor, pow=2, dim: int = 0) -> Tensor:
    """‖v‖_pow over every dimension but `dim`, shaped to broadcast against v (size 1 in every
    other dimension); dim=-1: the norm of the whole tensor (a scalar)."""
    if dim == -1:
        return v.norm(pow)
    if dim == 0:
        shape = (v.shape[0],) + (1,) * (v.dim() - 1)
        return v.contiguous().reshape(v.shape[0], -1).norm(pow, 1).reshape(shape)
    if dim == v.dim() - 1:
        shape = (1,) * (v.dim() - 1) + (v.shape[-1],)
        return v.contiguous().reshape(-1, v.shape[-1]).norm(pow, 0).reshape(shape)
    return _norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """v * (g / ‖v‖), torch._weight_norm."""
    return v * (g / _norm_except_dim(v, 2, dim))


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        weight_g = _norm_except_dim(weight, 2, self.dim)
        weight_v = weight
        return weight_g, weight_v


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize `module.<name>` as g * v / ‖v‖ (the norm over every dimension but `dim`;
    dim=None: over the whole tensor): `parametrizations.<name>.original0` is g,
    `.original1` is v.  A state_dict saved with the legacy weight_norm (`<name>_g`,
    `<name>_v`) still loads."""
    _wn = _WeightNorm(dim)
    parametrize.register_parametrization(module, name, _wn, unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys,
                                 unexpected_keys, error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


# --------------------------------------------------------------------------------------------
# spectral norm: W / sigma(W), sigma from the power iteration
# --------------------------------------------------------------------------------------------
def _is_conv_transpose(module) -> bool:
    from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
    return isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d))


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError("Expected weight to have more than one dimension")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        # u <- W v / ‖W v‖, v <- Wᵀ u / ‖Wᵀ u‖, written into the buffers (no graph)
        with _gm.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(weight_mat.t().mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = _vdot(u, weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Reparametrize `module.<name>` as W / sigma(W), sigma its largest singular value as
    estimated by the power iteration (n_power_iterations steps at every read in training mode,
    none in eval mode; 15 at registration).  dim: the dimension of the output features (default
    1 for ConvTranspose, else 0)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# --------------------------------------------------------------------------------------------
# orthogonal: Q = base @ f(X), f the matrix exponential, the Cayley map or Householder products
# --------------------------------------------------------------------------------------------
def _eye_like(A: Tensor, n: int) -> Tensor:
    from ...ops import eye
    return eye(n, dtype=A.dtype)


def _matrix_exp(A: Tensor) -> Tensor:
    """exp(A) of (a batch of) square matrices, by scaling and squaring a degree-18 Taylor
    polynomial: zerograd ops only, so the gradient flows through it."""
    import math
    import numpy as np
    n = A.shape[-1]
    with _gm.no_grad():
        norm = float(np.max(np.sum(np.abs(np.asarray(A.detach()._data)), axis=-2))) \
            if A.numel() else 0.0
    s = max(0, int(math.ceil(math.log2(norm))) + 1) if norm > 0.5 else 0
    B = A / float(2 ** s) if s else A
    eye = _eye_like(A, n)
    E = eye
    for k in range(18, 0, -1):            # Horner: I + B/1 (I + B/2 (I + ...))
        E = eye + (B @ E) / float(k)
    for _ in range(s):
        E = E @ E
    return E


def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_iᵀ, v_i the i-th column of A
    below the diagonal with a 1 on it (torch.linalg.householder_product), composed of ops."""
    n, k = A.shape[-2], A.shape[-1]
    eye = _eye_like(A, n)
    lower = A.tril(-1)
    Q = eye.expand(*A.shape[:-2], n, n)
    for i in range(k):
        v = (lower[..., :, i] + eye[:, i]).unsqueeze(-1)            # (..., n, 1)
        Q = Q - (Q @ v) @ (v.mT * tau[..., i].unsqueeze(-1).unsqueeze(-1))
    return Q[..., :k]


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A's QR decomposition with R's diagonal made positive."""
    from ...linalg import qr
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _geqrf(A: Tensor):
    """(the reflectors below R's diagonal, R on and above it; tau), LAPACK's geqrf."""
    import numpy as np
    from ...ops import tensor
    a = np.asarray(A.detach()._data)
    flat = a.reshape((-1,) + a.shape[-2:])
    hs, taus = [], []
    for m in flat:
        h, t = np.linalg.qr(m, mode="raw")
        hs.append(h.T)
        taus.append(t)
    return (tensor(np.stack(hs).reshape(a.shape).astype(a.dtype), dtype=A.dtype),
            tensor(np.stack(taus).reshape(a.shape[:-2] + (-1,)).astype(a.dtype), dtype=A.dtype))


def _is_orthogonal(Q: Tensor, eps=None) -> bool:
    from ...ops import allclose
    from ... import dtypes as _dt
    n, k = Q.shape[-2], Q.shape[-1]
    Id = _eye_like(Q, k)
    eps = 10.0 * n * _dt.finfo(Q.dtype).eps
    return allclose(Q.mH @ Q, Id, atol=eps)


_ORTH_MAPS = ("matrix_exp", "cayley", "householder")


class _Orthogonal(Module):
    def __init__(self, weight: Tensor, orthogonal_map: str, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        from ...ops.join import cat
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = _matrix_exp(A)
            else:
                from ...linalg import solve
                Id = _eye_like(A, n)
                Q = solve(Id - A * 0.5, Id + A * 0.5)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if getattr(self, "base", None) is not None:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        from ...ops import randn, zeros_like
        from ...ops.join import cat
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        with _gm.no_grad():
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("cayley", "matrix_exp"):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False.")
                # the reflectors of Q's QR (LAPACK geqrf), with diag(R) > 0: the diagonal
                # holds the signs forward() multiplies the columns by
                A, tau = _geqrf(Q)
                d = A.diagonal(dim1=-2, dim2=-1)
                d.copy_(d.sign() * (1.0 - 2.0 * (tau == 0.0).to(A.dtype)))
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_Id = zeros_like(Q_init)
            neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_Id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain `module.<name>` (a matrix or batch of matrices) to be orthogonal: Q = base @
    f(X), f the matrix exponential (default for square matrices), the Cayley map or a product
    of Householder reflections (default otherwise), X the trainable original."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. "
                         f"Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] or \
            weight.is_complex() else "householder"
    if orthogonal_map not in _ORTH_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
