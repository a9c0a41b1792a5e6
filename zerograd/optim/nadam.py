"""NAdam: Adam with Nesterov momentum (Dozat, 2016)."""
from __future__ import annotations

import numpy as np

from .adamax import FLAGS, _after_load, _check_lr, _with_state
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _lerp_,
                        _no_grad_step, _pow, _step_tensor, _to_float,
                        _unsupported_flags, _zeros_like)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    r"""NAdam (torch.optim.NAdam): Adam whose first moment looks one step ahead (Nesterov).

    With learning rate γ, betas (β₁, β₂), eps ε, weight decay λ and momentum decay ψ;
    m₀ = v₀ = 0, Π₀ = 1 (the running product of the momentum coefficients):

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}                 (or, decoupled: θ_{t-1} ← θ_{t-1}(1 - γλ))
        μ_t = β₁ (1 - ½ · 0.96^(t ψ));   μ_{t+1} = β₁ (1 - ½ · 0.96^((t+1) ψ))
        Π_t = Π_{t-1} μ_t                                  (`mu_product`, a float32 0-d tensor)
        m_t = β₁ m_{t-1} + (1 - β₁) g_t;   v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        d_t = √(v_t / (1 - β₂ᵗ)) + ε
        θ_t = θ_{t-1} - γ (1 - μ_t) / (1 - Π_t) · g_t / d_t
                      - γ μ_{t+1} / (1 - Π_t μ_{t+1}) · m_t / d_t

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        momentum_decay: ψ (default 4e-3).
        decoupled_weight_decay: decay the weights directly (NAdamW) instead of the L2 term.
        maximize: climb the objective instead of descending it.

    State per parameter: `step` and `mu_product` (0-d tensors of the default float dtype, as
    in torch: Π_t is rounded to it at every step), `exp_avg` (m), `exp_avg_sq` (v).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _unsupported_flags("NAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        _after_load(self, dict(FLAGS, decoupled_weight_decay=False), "mu_product")

    @staticmethod
    def _init_state(p, state):
        state.update(step=_step_tensor(0.0), mu_product=_step_tensor(1.0),
                     exp_avg=_zeros_like(p), exp_avg_sq=_zeros_like(p))

    @_no_grad_step
    def step(self, closure=None):
        """One NAdam step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = _with_state(self, group, self._init_state)
            beta1, beta2 = group["betas"]
            nadam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["mu_product"] for s in states],
                  [s["step"] for s in states], beta1=_to_float(beta1), beta2=_to_float(beta2),
                  lr=group["lr"], weight_decay=group["weight_decay"],
                  momentum_decay=group["momentum_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
        return loss


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
          weight_decay, momentum_decay, eps, decoupled_weight_decay=False, maximize=False):
    """The NAdam update, one parameter at a time (see `NAdam` for the math)."""
    lr = _to_float(lr)
    for param, grad_t, m_t, v_t, mp_t, step_t in zip(params, grads, exp_avgs, exp_avg_sqs,
                                                     mu_products, state_steps):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grad_t._data
        if maximize:
            grad = -grad
        step = _increment_step(step_t)
        bias_correction2 = 1 - _pow(beta2, step)
        if weight_decay != 0:
            if decoupled_weight_decay:                    # θ ← θ (1 - γλ)
                theta *= 1 - lr * weight_decay
            else:                                         # g ← g + λθ
                grad = (grad + weight_decay * theta).astype(dt, copy=False)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        mp = mp_t._data                                   # Π_t = Π_{t-1} μ_t, in Π's dtype
        mp *= mu
        _bump_version(mp_t)
        mu_product = float(mp)

        m, v = m_t._data, v_t._data
        _lerp_(m, grad, 1 - beta1)                        # m = β₁ m + (1 - β₁) g
        v *= beta2                                        # v = β₂ v + (1 - β₂) g²
        v += (1 - beta2) * grad * grad
        denom = np.sqrt((v / bias_correction2).astype(dt, copy=False))
        denom += eps
        mu_product_next = mu_product * mu_next
        theta += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denom
        theta += (-lr * mu_next) / (1.0 - mu_product_next) * m / denom
        _bump_version(m_t)
        _bump_version(v_t)
        _bump_version(param)
