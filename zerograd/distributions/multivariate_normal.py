"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)."""
from __future__ import annotations

import math

import numpy as np

import zerograd as _z
from zerograd.autograd import Function

from . import constraints
from .distribution import Distribution
from .utils import _batch_mv, _standard_normal, lazy_property

__all__ = ["MultivariateNormal"]


def _tri_solve_np(a, b, upper):
    """A⁻¹B for triangular A by substitution, a column of A at a time (as LAPACK's trsm)."""
    x = np.array(b, dtype=np.result_type(a, b), copy=True)
    n = a.shape[-1]
    order = range(n - 1, -1, -1) if upper else range(n)
    for k in order:
        x[..., k, :] /= a[..., k, k, None]
        if upper:
            x[..., :k, :] -= a[..., :k, k, None] * x[..., k, None, :]
        else:
            x[..., k + 1:, :] -= a[..., k + 1:, k, None] * x[..., k, None, :]
    return x


class _TriangularSolve(Function):
    """X = A⁻¹B for a triangular A (same batch shape as B)."""

    @staticmethod
    def forward(ctx, a, b, upper):
        x = _z.from_numpy(_tri_solve_np(a.detach().numpy(), b.detach().numpy(), upper))
        ctx.upper = upper
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = _TriangularSolve.apply(a.mT, g, not ctx.upper)
        ga = -gb.matmul(x.mT)
        ga = ga.triu() if ctx.upper else ga.tril()
        return ga, gb, None


def solve_triangular(a, b, *, upper):
    """torch.linalg.solve_triangular(a, b, upper=upper) (left side): differentiable in a and b."""
    batch = _z.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.expand(tuple(batch) + tuple(a.shape[-2:]))
    b = b.expand(tuple(batch) + tuple(b.shape[-2:]))
    return _TriangularSolve.apply(a, b, upper)


def _batch_mahalanobis(bL, bx):
    """|L⁻¹x|² for each batch member (L lower triangular)."""
    y = solve_triangular(bL, bx.unsqueeze(-1), upper=False).squeeze(-1)
    return y.pow(2).sum(-1)


def _precision_to_scale_tril(P):
    """The lower Cholesky factor of P⁻¹, from the Cholesky factor of P with rows and columns
    reversed."""
    Lf = _z.linalg.cholesky(_z.flip(P, (-2, -1)))
    L_inv = _z.transpose(_z.flip(Lf, (-2, -1)), -2, -1)
    Id = _z.eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(L_inv, Id, upper=False)


class MultivariateNormal(Distribution):
    """The multivariate normal with mean `loc`, given its covariance matrix, precision matrix or
    lower-triangular scale factor (exactly one)."""
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if ((covariance_matrix is not None) + (scale_tril is not None)
                + (precision_matrix is not None)) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril "
                             "may be specified.")
        for name, m in (("scale_tril", scale_tril), ("covariance_matrix", covariance_matrix),
                        ("precision_matrix", precision_matrix)):
            if m is not None:
                if m.dim() < 2:
                    raise ValueError(f"{name} matrix must be at least two-dimensional, with "
                                     "optional leading batch dimensions")
                batch_shape = _z.broadcast_shapes(m.shape[:-2], loc.shape[:-1])
                setattr(self, name, m.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        event_shape = self.loc.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = _z.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = _z.Size(batch_shape)
        loc_shape = batch_shape + self.event_shape
        cov_shape = batch_shape + self.event_shape + self.event_shape
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        super(MultivariateNormal, new).__init__(batch_shape, self.event_shape,
                                                validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(
            self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return _z.matmul(L, L.mT).expand(self._batch_shape + self._event_shape
                                         + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        n = L.shape[-1]
        L_inv = solve_triangular(L, _z.eye(n, dtype=L.dtype), upper=False)
        return _z.matmul(L_inv.mT, L_inv).expand(self._batch_shape + self._event_shape
                                                 + self._event_shape)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(
            self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=_z.Size()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self):
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        if len(self._batch_shape) == 0:
            return H
        return H.expand(self._batch_shape)
