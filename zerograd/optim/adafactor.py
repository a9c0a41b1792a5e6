"""Adafactor: Adam-like steps with a factored (row x column) second moment, for low memory."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor
from .adamax import _steps_as_tensors
from .optimizer import (Optimizer, _begin_update, _bump_version, _increment_step, _lerp_,
                        _no_grad_step, _params_with_grad, _step_tensor, _to_float, _zeros_like)

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    r"""Adafactor (torch.optim.Adafactor; Shazeer & Stern, 2018), torch's variant.

    With learning rate γ, β₂ decay τ, eps (ε₁, ε₂), clipping threshold d and weight decay λ;
    for a parameter of 2 or more dimensions the second moment is kept factored, as a row
    factor R (the last dimension reduced) and a column factor C (the one before it reduced),
    for one of 0 or 1 dimension it is kept whole (V); R₀ = C₀ = V₀ = 0:

        G_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        β̂_t = 1 - t^τ                             (R, C, V lerp towards the new means by t^τ)
        ρ_t = min(γ, 1/√t)
        α_t = max(ε₂, RMS(θ_{t-1})) ρ_t           (a relative step size)
        θ_{t-1} = θ_{t-1} (1 - γλ)
        if dim(G) > 1:
            R_t = β̂_t R_{t-1} + (1 - β̂_t) mean_last(G²)
            C_t = β̂_t C_{t-1} + (1 - β̂_t) mean_second_last(G²)
            V̂_t = R_t C_t / max(mean_second_last(R_t), ε₁)     (a batched outer product)
        else:
            V̂_t = β̂_t V̂_{t-1} + (1 - β̂_t) G²
        U_t = G_t / √max(V̂_t, ε₁²)
        θ_t = θ_{t-1} - α_t U_t / max(1, RMS(U_t) / d)

    ε₁ None (the default) is the machine epsilon of the parameter's dtype.

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: γ, the largest relative step size and the weight decay's rate (default 1e-2).
        beta2_decay: τ ≤ 0 (default -0.8).
        eps: (ε₁, ε₂) (default (None, 1e-3)).
        d: the clipping threshold of the update's RMS (default 1.0).
        weight_decay: λ (default 0.0).
        maximize: climb the objective instead of descending it.

    State per parameter: `step` (a 0-d tensor) and `row_var`, `col_var` (2+ dimensions) or
    `variance`.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        _check_lr_adafactor(lr)
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
        _steps_as_tensors(self, "step")

    @_no_grad_step
    def step(self, closure=None):
        """One Adafactor step for every parameter that has a gradient; returns closure() if
        given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            for p in params:
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor(0.0)
                    if p.grad.dim() > 1:
                        row_shape = list(p.grad.shape)
                        row_shape[-1] = 1
                        col_shape = list(p.grad.shape)
                        col_shape[-2] = 1
                        state["row_var"] = Tensor._make(np.zeros(row_shape, p._data.dtype),
                                                        False, None, 0)
                        state["col_var"] = Tensor._make(np.zeros(col_shape, p._data.dtype),
                                                        False, None, 0)
                    else:
                        state["variance"] = _zeros_like(p)
            states = [self.state[p] for p in params]
            eps1, eps2 = group["eps"]
            adafactor(params, [p.grad for p in params], [s.get("row_var") for s in states],
                      [s.get("col_var") for s in states], [s.get("variance") for s in states],
                      [s["step"] for s in states], d=group["d"], lr=group["lr"],
                      beta2_decay=group["beta2_decay"], weight_decay=group["weight_decay"],
                      eps1=eps1, eps2=eps2, maximize=group["maximize"])
        return loss


def _check_lr_adafactor(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Learning rate should be >= 0 but is: {lr}")


def _rms_ratio(x: np.ndarray) -> float:
    """‖x‖₂ as a number of x's dtype (torch's norm(2).item())."""
    return float(np.sqrt(np.sum(x * x, dtype=x.dtype if x.dtype.kind == "f" else np.float32)))


def adafactor(params, grads, row_vars, col_vars, variances, state_steps, *, d, lr, beta2_decay,
              weight_decay, eps1, eps2, maximize):
    """The Adafactor update, one parameter at a time (see `Adafactor` for the math)."""
    lr = _to_float(lr)
    for i, param in enumerate(params):
        theta = _begin_update(param)
        dt = theta.dtype
        grad = grads[i]._data
        if maximize:
            grad = -grad
        step = _increment_step(state_steps[i])
        e1 = _dt.finfo(param.dtype).eps if eps1 is None else eps1
        one_minus_beta2 = step ** beta2_decay
        rho = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, _rms_ratio(theta) / (theta.size ** 0.5)) * rho
        if weight_decay != 0:                             # θ ← θ (1 - γλ)
            theta *= 1 - lr * weight_decay
        g2 = (grad * grad).astype(dt, copy=False)
        if grad.ndim > 1:
            r, c = row_vars[i]._data, col_vars[i]._data
            # (torch: the row / column norms squared, over the dimension's length)
            row_mean = np.square(np.sqrt(np.sum(g2, axis=-1, keepdims=True))) / grad.shape[-1]
            _lerp_(r, row_mean.astype(dt, copy=False), one_minus_beta2)
            col_mean = np.square(np.sqrt(np.sum(g2, axis=-2, keepdims=True))) / grad.shape[-2]
            _lerp_(c, col_mean.astype(dt, copy=False), one_minus_beta2)
            _bump_version(row_vars[i])
            _bump_version(col_vars[i])
            var_estimate = np.matmul(r, c).astype(dt, copy=False)
            row_var_mean = np.maximum(np.mean(r, axis=-2, keepdims=True), dt.type(e1))
            var_estimate /= row_var_mean                  # R C / max(mean(R), ε₁)
        else:
            v = variances[i]._data
            _lerp_(v, g2, one_minus_beta2)
            _bump_version(variances[i])
            var_estimate = v.copy()
        np.maximum(var_estimate, dt.type(e1 * e1), out=var_estimate)
        update = np.reciprocal(np.sqrt(var_estimate)).astype(dt, copy=False)
        update *= grad                                    # U = G / √max(V̂, ε₁²)
        denom = max(1.0, _rms_ratio(update) / ((update.size ** 0.5) * d))
        theta += update * (-alpha / denom)
        _bump_version(param)
