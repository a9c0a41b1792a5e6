"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _lerp_,
                        _no_grad_step, _params_with_grad, _pow, _step_tensor, _to_scalar,
                        _unsupported_flags, _zeros_like)

__all__ = ["Adamax", "adamax"]


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _steps_as_tensors(opt: Optimizer, *keys: str) -> None:
    """Old checkpoints may hold Python numbers where torch now keeps 0-d tensors."""
    for state in opt.state.values():
        for key in keys:
            if key in state and not isinstance(state[key], Tensor):
                state[key] = _step_tensor(float(state[key]))


# The flags a group of these optimizers has (an older state_dict may lack them)
FLAGS = dict(foreach=None, maximize=False, differentiable=False, capturable=False)


def _after_load(opt: Optimizer, flags: dict, *tensor_keys: str) -> None:
    """After load_state_dict: the missing flags at their defaults, and `step` (and the other
    scalars named) as 0-d tensors, as torch keeps them."""
    for group in opt.param_groups:
        for key, value in flags.items():
            group.setdefault(key, value)
    _steps_as_tensors(opt, "step", *tensor_keys)


def _with_state(opt: Optimizer, group, init):
    """The group's parameters that have a gradient, and their states; init(p, state) fills a
    parameter's state the first time."""
    params = list(_params_with_grad(group))
    for p in params:
        state = opt.state[p]
        if len(state) == 0:
            init(p, state)
    return params, [opt.state[p] for p in params]


class Adamax(Optimizer):
    r"""Adamax (torch.optim.Adamax; Kingma & Ba, 2014, section 7.1).

    With learning rate γ, betas (β₁, β₂), eps ε and weight decay λ; m₀ = u₀ = 0:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}
        m_t = β₁ m_{t-1} + (1 - β₁) g_t                (first moment, computed as a lerp)
        u_t = max(β₂ u_{t-1}, |g_t| + ε)               (exponentially weighted infinity norm)
        θ_t = θ_{t-1} - γ / (1 - β₁ᵗ) · m_t / u_t

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: `step` (a 0-d tensor), `exp_avg` (m), `exp_inf` (u).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _unsupported_flags("Adamax", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        _after_load(self, FLAGS)

    @staticmethod
    def _init_state(p, state):
        state.update(step=_step_tensor(0.0), exp_avg=_zeros_like(p), exp_inf=_zeros_like(p))

    @_no_grad_step
    def step(self, closure=None):
        """One Adamax step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = _with_state(self, group, self._init_state)
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            adamax(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                   [s["exp_inf"] for s in states], [s["step"] for s in states],
                   eps=group["eps"], beta1=beta1, beta2=beta2, lr=group["lr"],
                   weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr,
           weight_decay, maximize):
    """The Adamax update, one parameter at a time (see `Adamax` for the math)."""
    lr = _to_scalar(lr)
    for param, grad_t, m_t, u_t, step_t in zip(params, grads, exp_avgs, exp_infs, state_steps):
        theta = _begin_update(param)
        grad = grad_t._data
        if maximize:
            grad = -grad
        step = _increment_step(step_t)
        if weight_decay != 0:                             # g ← g + λθ
            grad = (grad + weight_decay * theta).astype(theta.dtype, copy=False)
        m, u = m_t._data, u_t._data
        _lerp_(m, grad, 1 - float(beta1))                 # m = β₁ m + (1 - β₁) g
        u *= float(beta2)                                 # u = max(β₂ u, |g| + ε)
        np.maximum(u, np.abs(grad) + eps, out=u)
        clr = lr / (1 - _pow(beta1, step))
        theta += (-float(clr) * m) / u                    # θ -= γ/(1 - β₁ᵗ) · m / u
        _bump_version(m_t)
        _bump_version(u_t)
        _bump_version(param)
