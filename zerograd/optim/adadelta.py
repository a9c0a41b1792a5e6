"""Adadelta: step sizes from running averages of squared gradients and of squared updates."""
from __future__ import annotations

import numpy as np

from .adamax import FLAGS, _after_load, _check_lr, _with_state
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _no_grad_step,
                        _step_tensor, _to_float, _unsupported_flags,
                        _zeros_like)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (torch.optim.Adadelta; Zeiler, 2012).

    With learning rate γ, decay ρ, eps ε and weight decay λ; v₀ = u₀ = 0:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}
        v_t = ρ v_{t-1} + (1 - ρ) g_t²                    (square_avg)
        Δx_t = √(u_{t-1} + ε) / √(v_t + ε) · g_t           (the unit-corrected update)
        u_t = ρ u_{t-1} + (1 - ρ) Δx_t²                   (acc_delta)
        θ_t = θ_{t-1} - γ Δx_t

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: γ, a factor on the update (default 1.0).
        rho: ρ (default 0.9).
        eps: ε (default 1e-6).
        weight_decay: L2 penalty λ (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: `step` (a 0-d tensor), `square_avg` (v), `acc_delta` (u).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _unsupported_flags("Adadelta", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        _after_load(self, FLAGS)

    @staticmethod
    def _init_state(p, state):
        state.update(step=_step_tensor(0.0), square_avg=_zeros_like(p),
                     acc_delta=_zeros_like(p))

    @_no_grad_step
    def step(self, closure=None):
        """One Adadelta step for every parameter that has a gradient; returns closure() if
        given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = _with_state(self, group, self._init_state)
            adadelta(params, [p.grad for p in params], [s["square_avg"] for s in states],
                     [s["acc_delta"] for s in states], [s["step"] for s in states],
                     lr=group["lr"], rho=group["rho"], eps=group["eps"],
                     weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay,
             maximize):
    """The Adadelta update, one parameter at a time (see `Adadelta` for the math)."""
    lr = _to_float(lr)
    for param, grad_t, v_t, u_t, step_t in zip(params, grads, square_avgs, acc_deltas,
                                               state_steps):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grad_t._data
        if maximize:
            grad = -grad
        _increment_step(step_t)
        if weight_decay != 0:                             # g ← g + λθ
            grad = (grad + weight_decay * theta).astype(dt, copy=False)
        v, u = v_t._data, u_t._data
        v *= rho                                          # v = ρ v + (1 - ρ) g²
        v += (1 - rho) * grad * grad
        std = np.sqrt((v + eps).astype(dt, copy=False))
        delta = np.sqrt((u + eps).astype(dt, copy=False)).astype(dt, copy=False)
        delta /= std                                      # Δx = √(u + ε) / √(v + ε) · g
        delta *= grad
        u *= rho                                          # u = ρ u + (1 - ρ) Δx²
        u += (1 - rho) * delta * delta
        theta += -lr * delta                              # θ -= γ Δx
        _bump_version(v_t)
        _bump_version(u_t)
        _bump_version(param)
