"""zerograd.distributions: torch.distributions for zerograd.

Parameterisable probability distributions with sampling (torch's random streams: the same
manual_seed gives torch's samples), differentiable log_prob / entropy / rsample, argument and
sample validation, and closed-form KL divergences (kl_divergence, register_kl).

Gamma, Beta and Dirichlet have densities, moments and entropies but no sampler (torch's
_standard_gamma kernel is not reproduced): their sample()/rsample() raise NotImplementedError.
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

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential",
           "ExponentialFamily", "Gamma", "Independent", "Laplace", "MultivariateNormal",
           "Normal", "OneHotCategorical", "Uniform", "kl_divergence", "register_kl",
           "constraints"]
