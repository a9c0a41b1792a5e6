"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992)."""
from __future__ import annotations

import numpy as np

from .adamax import FLAGS, _after_load, _check_lr, _with_state
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _no_grad_step,
                        _scalar_state_dtype, _step_tensor, _to_float, _to_scalar,
                        _unsupported_flags, _zeros_like)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    r"""ASGD (torch.optim.ASGD): SGD with a decaying step size, plus a running average of the
    iterates (`ax`), which is the estimate to use once averaging has started (t > t₀).

    With learning rate γ, decay λ (lambd), power α, averaging start t₀ and weight decay λ_w;
    η₀ = γ, μ₀ = 1, ax₀ = 0:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ_w ≠ 0:   g_t = g_t + λ_w θ_{t-1}
        θ_t = θ_{t-1} (1 - λ η_{t-1}) - η_{t-1} g_t
        ax_t = ax_{t-1} + μ_{t-1} (θ_t - ax_{t-1})    (= θ_t while μ = 1, i.e. t ≤ t₀ + 1)
        η_t = γ / (1 + λ γ t)^α
        μ_t = 1 / max(1, t - t₀)

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: γ (default 1e-2).
        lambd: decay term λ (default 1e-4).
        alpha: power α of the step-size decay (default 0.75).
        t0: the step at which averaging starts (default 1e6).
        weight_decay: L2 penalty λ_w (default 0).
        maximize: climb the objective instead of descending it.

    State per parameter: `step`, `eta` (η) and `mu` (μ), 0-d tensors of the default float dtype
    (η and μ are rounded to it, as in torch), and `ax`.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _unsupported_flags("ASGD", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        _after_load(self, FLAGS, "eta", "mu")

    @_no_grad_step
    def step(self, closure=None):
        """One ASGD step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, states = _with_state(self, group, lambda p, state: state.update(
                step=_step_tensor(0.0), eta=_step_tensor(float(_to_float(group["lr"]))),
                mu=_step_tensor(1.0), ax=_zeros_like(p)))
            asgd(params, [p.grad for p in params], [s["ax"] for s in states],
                 [s["mu"] for s in states], [s["eta"] for s in states],
                 [s["step"] for s in states], lambd=group["lambd"], lr=group["lr"],
                 t0=group["t0"], alpha=group["alpha"], weight_decay=group["weight_decay"],
                 maximize=group["maximize"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha, weight_decay,
         maximize):
    """The ASGD update, one parameter at a time (see `ASGD` for the math)."""
    lr = _to_scalar(lr)
    for param, grad_t, ax_t, mu_t, eta_t, step_t in zip(params, grads, axs, mus, etas,
                                                        state_steps):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grad_t._data
        if maximize:
            grad = -grad
        step = _increment_step(step_t)
        if weight_decay != 0:                             # g ← g + λ_w θ
            grad = (grad + weight_decay * theta).astype(dt, copy=False)
        eta = float(eta_t._data)
        theta *= 1 - lambd * eta                          # θ ← θ (1 - λη) - η g
        theta += -eta * grad
        _bump_version(param)
        ax = ax_t._data
        mu = mu_t._data
        if float(mu) != 1:                                # ax ← ax + μ (θ - ax)
            ax += ((theta - ax) * mu.astype(dt) if dt.kind == "f" else (theta - ax) * mu)
        else:
            ax[...] = theta
        _bump_version(ax_t)
        # (the new η and μ are made as tensors of the default dtype, then copied into the
        # state: rounded to float32 even where a load made the state float64, as in torch)
        scalar = _scalar_state_dtype().np
        eta_t._data[()] = np.asarray(float(lr / ((1 + lambd * lr * step) ** alpha)), scalar)
        mu_t._data[()] = np.asarray(1 / max(1, step - t0), scalar)
        _bump_version(eta_t)
        _bump_version(mu_t)
