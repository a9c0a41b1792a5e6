"""zerograd.distributions: torch.distributions for zerograd.

Parameterisable probability distributions with sampling (torch's random streams: the same
manual_seed gives torch's samples), differentiable log_prob / entropy / rsample, argument and
sample validation, and closed-form KL divergences (kl_divergence, register_kl).

Gamma, Beta, Dirichlet, Poisson and Binomial draw through torch's own samplers, reproduced
word for word in ops/random_gamma.py.
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform
from . import transforms
from .binomial import Binomial
from .cauchy import Cauchy
from .chi2 import Chi2
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .poisson import Poisson
from .student_t import StudentT
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, ExpTransform,
                         SigmoidTransform, TanhTransform, Transform, identity_transform)

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential",
           "ExponentialFamily", "Gamma", "Independent", "Laplace", "MultivariateNormal",
           "Normal", "OneHotCategorical", "Uniform", "kl_divergence", "register_kl",
           "constraints", "Binomial", "Cauchy", "Chi2", "Geometric", "Gumbel", "HalfNormal",
           "LogNormal", "Poisson", "StudentT", "TransformedDistribution", "transforms",
           "AbsTransform", "AffineTransform", "ComposeTransform", "ExpTransform",
           "SigmoidTransform", "TanhTransform", "Transform", "identity_transform"]
