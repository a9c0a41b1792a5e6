"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _lerp_,
                        _no_grad_step, _params_with_grad, _step_tensor, _to_float,
                        _unsupported_flags, _zeros_like)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    r"""RMSprop (torch.optim.RMSprop), as proposed by Hinton in his Coursera lecture 6.5.

    With learning rate γ, smoothing constant α, eps ε, weight decay λ and momentum μ;
    v₀ = 0 (square average), b₀ = 0 (momentum buffer), g₀ᵃᵛᵉ = 0 (gradient average):

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}
        v_t = α v_{t-1} + (1 - α) g_t²
        ṽ_t = v_t
        if centered:                                 (estimate the variance, not the 2nd moment)
            g_tᵃᵛᵉ = α g_{t-1}ᵃᵛᵉ + (1 - α) g_t      (computed as a lerp)
            ṽ_t = v_t - (g_tᵃᵛᵉ)²
        if μ > 0:
            b_t = μ b_{t-1} + g_t / (√ṽ_t + ε)
            θ_t = θ_{t-1} - γ b_t
        else:
            θ_t = θ_{t-1} - γ g_t / (√ṽ_t + ε)

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 1e-2).
        alpha: smoothing constant α (default 0.99).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        momentum: momentum factor μ (default 0).
        centered: normalise by the estimated variance of the gradient.
        maximize: climb the objective instead of descending it.

    State per parameter: `step`, `square_avg`, and `momentum_buffer` (momentum > 0) and
    `grad_avg` (centered).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _unsupported_flags("RMSprop", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                state = self.state.get(p, {})
                if len(state) != 0 and not isinstance(state["step"], Tensor):
                    state["step"] = _step_tensor(float(state["step"]))

    @_no_grad_step
    def step(self, closure=None):
        """One RMSprop step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor(0.0)
                    state["square_avg"] = _zeros_like(p)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _zeros_like(p)
            states = [self.state[p] for p in params]
            rmsprop(params, [p.grad for p in params], [s["square_avg"] for s in states],
                    [s["grad_avg"] for s in states] if group["centered"] else [],
                    [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else [],
                    [s["step"] for s in states], lr=group["lr"], alpha=group["alpha"],
                    eps=group["eps"], weight_decay=group["weight_decay"],
                    momentum=group["momentum"], centered=group["centered"],
                    maximize=group["maximize"])
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, state_steps, *, lr, alpha,
            eps, weight_decay, momentum, centered, maximize):
    """The RMSprop update, one parameter at a time (see `RMSprop` for the math)."""
    lr = _to_float(lr)
    for i, param in enumerate(params):
        theta = _begin_update(param)
        grad = grads[i]._data
        if maximize:
            grad = -grad
        _increment_step(state_steps[i])
        if weight_decay != 0:
            grad = grad + weight_decay * theta

        v = square_avgs[i]._data                          # v = α v + (1 - α) g²
        v *= alpha
        v += (1 - alpha) * grad * grad
        _bump_version(square_avgs[i])

        if centered:
            g_avg = grad_avgs[i]._data                    # g_avg = α g_avg + (1 - α) g
            _lerp_(g_avg, grad, 1 - alpha)
            _bump_version(grad_avgs[i])
            avg = np.sqrt(v + (-1) * g_avg * g_avg)       # √(v - g_avg²)
        else:
            avg = np.sqrt(v)
        avg = avg + eps

        if momentum > 0:
            buf = momentum_buffers[i]._data               # b = μ b + g / avg
            buf *= momentum
            buf += grad / avg
            _bump_version(momentum_buffers[i])
            theta += -lr * buf                            # θ -= γ b
        else:
            theta += (-lr * grad) / avg                   # θ -= γ g / avg
        _bump_version(param)
