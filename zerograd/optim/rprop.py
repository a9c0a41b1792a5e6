"""Rprop: resilient backpropagation, per-coordinate steps driven by the gradient's sign only."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .adamax import _check_lr, _steps_as_tensors
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _no_grad_step,
                        _params_with_grad, _step_tensor, _to_float, _unsupported_flags,
                        _zeros_like)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    r"""Rprop (torch.optim.Rprop; Riedmiller & Braun, 1993).

    With learning rate γ (the initial step size), etas (η₋, η₊) and step sizes (Γ_min, Γ_max);
    every coordinate has its own step size, η₀ = γ, and g₀ = 0:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        s = sign(g_t g_{t-1})
        η_t = clamp(η₊ η_{t-1}, Γ_min, Γ_max)   where s > 0   (same sign: accelerate)
        η_t = clamp(η₋ η_{t-1}, Γ_min, Γ_max)   where s < 0   (sign flipped: overshot, slow down
              and g_t = 0 there: this step does not move it, the next one restarts it)
        η_t = clamp(η_{t-1}, Γ_min, Γ_max)      where s = 0
        θ_t = θ_{t-1} - η_t sign(g_t)
        (g_t is kept as `prev` for the next step)

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: γ, the initial step size (default 1e-2).
        etas: (η₋, η₊), with 0 < η₋ < 1 < η₊ (default (0.5, 1.2)).
        step_sizes: (Γ_min, Γ_max) (default (1e-6, 50)).
        maximize: climb the objective instead of descending it.

    State per parameter: `step` (a 0-d tensor), `prev` (the last gradient, zeroed where its
    sign flipped), `step_size` (η).  The step sizes are created at the first step from the
    group's lr then; a later change of lr (a scheduler) does not affect them, as in torch.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _unsupported_flags("Rprop", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _steps_as_tensors(self, "step")

    @_no_grad_step
    def step(self, closure=None):
        """One Rprop step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor(0.0)
                    state["prev"] = _zeros_like(p)
                    lr = group["lr"]
                    state["step_size"] = _zeros_like(p, float(lr.item()) if isinstance(
                        lr, Tensor) else lr)
            states = [self.state[p] for p in params]
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, [p.grad for p in params], [s["prev"] for s in states],
                  [s["step_size"] for s in states], [s["step"] for s in states],
                  step_size_min=step_size_min, step_size_max=step_size_max,
                  etaminus=_to_float(etaminus), etaplus=_to_float(etaplus),
                  maximize=group["maximize"])
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max,
          etaminus, etaplus, maximize):
    """The Rprop update, one parameter at a time (see `Rprop` for the math)."""
    for param, grad_t, prev_t, size_t, step_t in zip(params, grads, prevs, step_sizes,
                                                     state_steps):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grad_t._data
        if maximize:
            grad = -grad
        _increment_step(step_t)
        prev, size = prev_t._data, size_t._data
        s = np.sign((grad * prev).astype(dt, copy=False))
        flipped = s < 0
        factor = np.where(s > 0, dt.type(etaplus), s)
        factor[flipped] = etaminus
        factor[s == 0] = 1
        size *= factor                                    # η ← clamp(η · factor, Γ_min, Γ_max)
        np.clip(size, dt.type(step_size_min), dt.type(step_size_max), out=size)
        grad = np.array(grad, dtype=dt, copy=True)
        grad[flipped] = 0                                 # a flipped sign: no move this step
        theta -= np.sign(grad) * size                     # θ -= η sign(g)
        prev[...] = grad
        _bump_version(prev_t)
        _bump_version(size_t)
        _bump_version(param)
