"""torch.special: special functions.

Most are zerograd's existing ops under torch.special's names (erf, expit = sigmoid, gammaln =
lgamma, psi = digamma, ...); the rest are ops in ops/special_fns.py (i0e, i1, ndtri, zeta, the
incomplete gamma functions, the Bessel functions, the orthogonal polynomials, ...).  Each raises
torch's TypeError, naming `special_<name>`, for a non-Tensor argument.
"""
from __future__ import annotations

from .ops import special_fns as _sf
from .ops._args import need_tensor as _need_tensor
from .tensor import Tensor  # noqa: F401  (torch.special.Tensor)

from .ops.special_fns import (bessel_j0, bessel_j1, bessel_y0, bessel_y1,  # noqa: F401
                              chebyshev_polynomial_t, chebyshev_polynomial_u,
                              chebyshev_polynomial_v, chebyshev_polynomial_w, entr, erfcx,
                              gammainc, gammaincc, hermite_polynomial_h, hermite_polynomial_he,
                              i0e, i1, i1e, laguerre_polynomial_l, legendre_polynomial_p,
                              log_ndtr, modified_bessel_i0, modified_bessel_i1, modified_bessel_k0,
                              modified_bessel_k1, multigammaln, ndtr, ndtri,
                              scaled_modified_bessel_k0, scaled_modified_bessel_k1,
                              shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
                              shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w,
                              spherical_bessel_j0, xlog1py, zeta)

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
           "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
           "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h",
           "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l",
           "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]


def _tensor(fname, x):
    _need_tensor(fname, "input", 1, x)


def i0(input):
    return _sf.special_i0(input)


def erf(input):
    from .ops.mathfns import erf as f
    _tensor("special_erf", input)
    return f(input)


def erfc(input):
    from .ops.mathfns import erfc as f
    _tensor("special_erfc", input)
    return f(input)


def erfinv(input):
    from .ops.mathfns import erfinv as f
    _tensor("special_erfinv", input)
    return f(input)


def expm1(input):
    from .ops.mathfns import expm1 as f
    _tensor("special_expm1", input)
    return f(input)


def exp2(input):
    from .ops.mathfns import exp2 as f
    _tensor("special_exp2", input)
    return f(input)


def log1p(input):
    from .ops import log1p as f
    _tensor("special_log1p", input)
    return f(input)


def sinc(input):
    from .ops.mathfns import sinc as f
    _tensor("special_sinc", input)
    return f(input)


def expit(input):
    from .ops import sigmoid
    _tensor("special_expit", input)
    return sigmoid(input)


def gammaln(input):
    from .ops.trig import lgamma
    _tensor("special_gammaln", input)
    return lgamma(input)


def digamma(input):
    from .ops.trig import digamma as f
    _tensor("special_digamma", input)
    return f(input)


def psi(input):
    from .ops.trig import digamma as f
    _tensor("special_psi", input)
    return f(input)


def polygamma(n, input):
    from .ops.trig import polygamma as f
    return f(n, input)


def logit(input, eps=None):
    from .ops.trig import logit as f
    _tensor("special_logit", input)
    return f(input, eps)


def xlogy(input, other):
    from .ops.mathfns import xlogy as f
    return f(input, other)


def round(input, *, decimals=0):  # noqa: A001 - torch's name
    from .ops import round as f
    from .ops.elementwise import RoundDecimals
    _tensor("special_round", input)
    if decimals == 0 and input.is_floating_point():     # (torch's round.decimals: RoundBackward1)
        return RoundDecimals.apply(input, 0)
    return f(input, decimals=decimals)


def logsumexp(input, dim, keepdim=False):
    from .ops.reduce import logsumexp as f
    return f(input, dim, keepdim)


def softmax(input, dim, dtype=None):
    from .ops.nn_ops import softmax as f
    return f(input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    from .ops.nn_ops import log_softmax as f
    return f(input, dim, dtype)
