"""Adagrad: per-coordinate step sizes that shrink with the sum of all past squared gradients."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _no_grad_step,
                        _params_with_grad, _step_tensor, _to_scalar, _unsupported_flags,
                        _zeros_like)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (torch.optim.Adagrad; Duchi, Hazan & Singer, 2011).

    With learning rate γ, lr decay η, weight decay λ, eps ε and initial accumulator value τ;
    state_sum₀ = τ:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        γ̃ = γ / (1 + (t - 1) η)                       (the decayed learning rate)
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}
        state_sum_t = state_sum_{t-1} + g_t²
        θ_t = θ_{t-1} - γ̃ g_t / (√state_sum_t + ε)

    Coordinates with large past gradients get small steps, rare ones keep large steps.

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 1e-2).
        lr_decay: η (default 0).
        weight_decay: L2 penalty λ (default 0).
        initial_accumulator_value: τ, the starting value of every state_sum (default 0).
        eps: ε added to the denominator (default 1e-10).
        maximize: climb the objective instead of descending it.

    Unlike the other optimizers, Adagrad creates its state (`step`, `sum`) for every parameter
    when it is constructed, as torch does.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _unsupported_flags("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor(0.0)
                state["sum"] = _zeros_like(p, initial_accumulator_value)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for state in self.state.values():
            if "step" in state and not isinstance(state["step"], Tensor):
                state["step"] = _step_tensor(float(state["step"]))

    @_no_grad_step
    def step(self, closure=None):
        """One Adagrad step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            for p in params:
                state = self.state[p]
                if len(state) == 0:      # a parameter added after construction
                    state["step"] = _step_tensor(0.0)
                    state["sum"] = _zeros_like(p, self.defaults["initial_accumulator_value"])
            states = [self.state[p] for p in params]
            adagrad(params, [p.grad for p in params], [s["sum"] for s in states],
                    [s["step"] for s in states], lr=group["lr"],
                    weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], maximize=group["maximize"])
        return loss


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps,
            maximize):
    """The Adagrad update, one parameter at a time (see `Adagrad` for the math).

    A tensor lr gives the decayed lr in its own dtype, as in torch."""
    lr = _to_scalar(lr)
    for param, grad_t, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        theta = _begin_update(param)
        step = _increment_step(step_t)
        grad = grad_t._data
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * theta
        clr = lr / (1 + (step - 1) * lr_decay)            # decayed learning rate

        s = state_sum._data                               # state_sum += g²
        s += grad * grad
        _bump_version(state_sum)
        std = np.sqrt(s) + eps
        theta += (-float(clr) * grad) / std               # θ -= γ̃ g / (√state_sum + ε)
        _bump_version(param)
