"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, _begin_update, _bump_version, _div, _increment_step,
                        _lerp_, _no_grad_step, _operand, _params_with_grad, _pow, _step_tensor,
                        _to_scalar, _unsupported_flags, _zeros_like)

__all__ = ["Adam", "AdamW", "adam"]


class Adam(Optimizer):
    r"""Adam (torch.optim.Adam): a per-coordinate step size from running moments of the gradient.

    With learning rate γ, betas (β₁, β₂), eps ε and weight decay λ; m₀ = v₀ = v₀ᵐᵃˣ = 0:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}          (Adam: L2 penalty, enters the moments)
                    θ_{t-1} = θ_{t-1} (1 - γλ)     (AdamW, decoupled: instead of the line above)
        m_t = β₁ m_{t-1} + (1 - β₁) g_t            (first moment; computed as a lerp)
        v_t = β₂ v_{t-1} + (1 - β₂) g_t²           (second moment)
        m̂_t = m_t / (1 - β₁ᵗ)                      (bias corrections: the moments start at 0)
        if amsgrad:  v_tᵐᵃˣ = max(v_{t-1}ᵐᵃˣ, v_t);  v̂_t = v_tᵐᵃˣ / (1 - β₂ᵗ)
        else:        v̂_t = v_t / (1 - β₂ᵗ)
        θ_t = θ_{t-1} - γ m̂_t / (√v̂_t + ε)         (ε outside the square root)

    As torch computes it: step_size = γ / (1 - β₁ᵗ), denom = √v_t / √(1 - β₂ᵗ) + ε,
    θ -= step_size · m_t / denom.  A tensor lr or tensor betas make these scalars tensors of
    their dtype, rounded as torch rounds them, with one exception: torch's CPU float32 square
    root is not always correctly rounded (one value in seven is an ulp off) and NumPy's is, so
    with float32 tensor betas √(1 - β₂ᵗ) may be one float32 ulp off torch's.

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂), both floats (default (0.9, 0.999)).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: λ (default 0); see `decoupled_weight_decay`.
        amsgrad: use the running maximum of v_t (the AMSGrad variant).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: AdamW's decay θ ← θ(1 - γλ) instead of the L2 term.

    State per parameter: `step` (a 0-d tensor), `exp_avg` (m), `exp_avg_sq` (v) and, with
    amsgrad, `max_exp_avg_sq`.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        _unsupported_flags(type(self).__name__, capturable=capturable,
                           differentiable=differentiable, fused=fused)
        # as torch's _to_scalar: tensor betas stay tensors (0-d), the update reads their values
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b
                      for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
            for p in group["params"]:
                state = self.state.get(p, {})
                if len(state) != 0 and not isinstance(state["step"], Tensor):
                    state["step"] = _step_tensor(float(state["step"]))

    def _init_group(self, group, params):
        """Create the state of parameters seen for the first time; return their buffers."""
        for p in params:
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            # torch's foreach implementation refuses tensor hyper-parameters (a group may have
            # been given them after the constructor's check)
            if group["foreach"] and isinstance(group["lr"], Tensor) and not group["capturable"]:
                raise RuntimeError("lr as a Tensor is not supported for capturable=False and "
                                   "foreach=True")
        if group["foreach"] and params and not group["capturable"]:
            for i, beta in enumerate(group["betas"]):
                if isinstance(beta, Tensor):
                    raise ValueError(f"beta{i + 1} as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
        states = [self.state[p] for p in params]
        return ([s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states],
                [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else [],
                [s["step"] for s in states])

    @_no_grad_step
    def step(self, closure=None):
        """One Adam step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps = self._init_group(group, params)
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            adam(params, [p.grad for p in params], exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                 state_steps, amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2,
                 lr=group["lr"], weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"],
                 decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


class AdamW(Adam):
    r"""AdamW (torch.optim.AdamW): Adam with *decoupled* weight decay (Loshchilov & Hutter).

    The decay shrinks the weights directly, before the moment update, and never enters the
    moments, so every weight decays at the rate γλ whatever its gradient history:

        θ_{t-1} = θ_{t-1} (1 - γλ)
        m_t = β₁ m_{t-1} + (1 - β₁) g_t;   v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        θ_t = θ_{t-1} - γ m̂_t / (√v̂_t + ε)     (bias-corrected, optional amsgrad: see `Adam`)

    Same arguments as `Adam`, with weight_decay defaulting to 1e-2.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1,
         beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay=False):
    """The Adam / AdamW update, one parameter at a time (see `Adam` for the math).

    A tensor lr or betas enters the scalar arithmetic in its own dtype, as in torch (a float32
    lr gives a float32 step size); the moments and the parameter keep theirs."""
    lr = _to_scalar(lr)
    consts, per_step = {}, {}           # the scalars as NumPy operands, per dtype (and step)
    for i, param in enumerate(params):
        theta = _begin_update(param)
        grad = grads[i]._data
        if maximize:
            grad = -grad
        m = exp_avgs[i]._data
        v = exp_avg_sqs[i]._data
        step = _increment_step(state_steps[i])
        dt = theta.dtype
        if not (grad.dtype is dt and m.dtype is dt and v.dtype is dt):
            dt = None                                     # (then Python numbers, as they are)
        k = consts.get(dt)
        if k is None:
            k = consts[dt] = (_operand(1 - lr * weight_decay, dt), _operand(beta2, dt),
                              _operand(float(1 - beta2), dt), _operand(eps, dt))
        decay, b2, one_minus_b2, eps_ = k

        if weight_decay != 0:
            if decoupled_weight_decay:                    # AdamW: θ ← θ (1 - γλ)
                theta *= decay
            else:                                         # Adam: g ← g + λθ
                grad = grad + weight_decay * theta

        _lerp_(m, grad, 1 - float(beta1))                 # m = β₁ m + (1 - β₁) g
        v *= b2                                           # v = β₂ v + (1 - β₂) g²
        t = grad * one_minus_b2                           # (in place where NumPy allows:
        t *= grad                                         #  fewer large temporaries)
        v += t

        sk = per_step.get((step, dt))
        if sk is None:
            bias_correction1 = 1 - _pow(beta1, step)
            bias_correction2 = 1 - _pow(beta2, step)
            step_size = _div(lr, bias_correction1)
            bias_correction2_sqrt = bias_correction2 ** 0.5
            sk = per_step[(step, dt)] = (_operand(bias_correction2_sqrt, dt),
                                         _operand(-float(step_size), dt))
        bias_correction2_sqrt, neg_step_size = sk

        if amsgrad:
            v_max = max_exp_avg_sqs[i]._data
            np.maximum(v_max, v, out=v_max)               # v_max = max(v_max, v)
            _bump_version(max_exp_avg_sqs[i])
            denom = np.sqrt(v_max)
        else:
            denom = np.sqrt(v)
        denom /= bias_correction2_sqrt
        denom += eps_
        t = m * neg_step_size                             # θ -= γ/(1-β₁ᵗ) · m / denom
        t /= denom
        theta += t
        _bump_version(exp_avgs[i])
        _bump_version(exp_avg_sqs[i])
        _bump_version(param)
