"""RAdam: Adam with the variance of its adaptive learning rate rectified (Liu et al., 2019)."""
from __future__ import annotations

import numpy as np

from .adamax import FLAGS, _after_load, _check_lr, _with_state
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _lerp_,
                        _no_grad_step, _pow, _step_tensor, _to_float,
                        _unsupported_flags, _zeros_like)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    r"""RAdam (torch.optim.RAdam): Adam that falls back to momentum SGD while the variance of
    the adaptive step is intractable (the first few steps).

    With learning rate γ, betas (β₁, β₂), eps ε and weight decay λ; m₀ = v₀ = 0,
    ρ_∞ = 2 / (1 - β₂) - 1:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}                 (or, decoupled: θ_{t-1} ← θ_{t-1}(1 - γλ))
        m_t = β₁ m_{t-1} + (1 - β₁) g_t;   v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t = m_t / (1 - β₁ᵗ)
        ρ_t = ρ_∞ - 2t β₂ᵗ / (1 - β₂ᵗ)
        if ρ_t > 5:                                        (the rectified adaptive step)
            l_t = √(1 - β₂ᵗ) / (√v_t + ε)
            r_t = √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
            θ_t = θ_{t-1} - γ m̂_t l_t r_t
        else:                                              (plain momentum)
            θ_t = θ_{t-1} - γ m̂_t

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        decoupled_weight_decay: decay the weights directly (RAdamW) instead of the L2 term.
        maximize: climb the objective instead of descending it.

    State per parameter: `step` (a 0-d tensor), `exp_avg` (m), `exp_avg_sq` (v).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _unsupported_flags("RAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        _after_load(self, dict(FLAGS, decoupled_weight_decay=False))

    @staticmethod
    def _init_state(p, state):
        state.update(step=_step_tensor(0.0), exp_avg=_zeros_like(p), exp_avg_sq=_zeros_like(p))

    @_no_grad_step
    def step(self, closure=None):
        """One RAdam step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = _with_state(self, group, self._init_state)
            beta1, beta2 = group["betas"]
            radam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["step"] for s in states],
                  beta1=_to_float(beta1), beta2=_to_float(beta2), lr=group["lr"],
                  weight_decay=group["weight_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
        return loss


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay,
          eps, decoupled_weight_decay=False, maximize=False):
    """The RAdam update, one parameter at a time (see `RAdam` for the math)."""
    lr = _to_float(lr)
    rho_inf = 2 / (1 - beta2) - 1
    for param, grad_t, m_t, v_t, step_t in zip(params, grads, exp_avgs, exp_avg_sqs,
                                               state_steps):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grad_t._data
        if maximize:
            grad = -grad
        step = _increment_step(step_t)
        if weight_decay != 0:
            if decoupled_weight_decay:                    # θ ← θ (1 - γλ)
                theta *= 1 - lr * weight_decay
            else:                                         # g ← g + λθ
                grad = (grad + weight_decay * theta).astype(dt, copy=False)
        m, v = m_t._data, v_t._data
        _lerp_(m, grad, 1 - beta1)                        # m = β₁ m + (1 - β₁) g
        v *= beta2                                        # v = β₂ v + (1 - β₂) g²
        v += (1 - beta2) * grad * grad
        _bump_version(m_t)
        _bump_version(v_t)

        bias_correction1 = 1 - _pow(beta1, step)
        bias_correction2 = 1 - _pow(beta2, step)
        m_hat = (m / bias_correction1).astype(dt, copy=False)
        rho_t = rho_inf - 2 * step * _pow(beta2, step) / bias_correction2
        update = (m_hat * lr).astype(dt, copy=False)
        if rho_t > 5.0:                                   # rectified: × l_t × r_t
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            denom = (np.sqrt(v) + eps).astype(dt, copy=False)
            # (√(1 - β₂ᵗ) / denom as torch's number / tensor: reciprocal times the number)
            adaptive_lr = (np.reciprocal(denom) * bias_correction2 ** 0.5).astype(dt, copy=False)
            update = (update * adaptive_lr).astype(dt, copy=False)
            update = update * rect
        theta -= update
        _bump_version(param)
