"""SGD: stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import (Optimizer, _begin_update, _bump_version, _no_grad_step, _operand,
                        _params_with_grad, _to_float, _unsupported_flags)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (torch.optim.SGD).

    With learning rate γ, momentum μ, dampening τ and weight decay λ, each step does, for every
    parameter θ with a gradient:

        g_t = -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
        if λ ≠ 0:   g_t = g_t + λ θ_{t-1}                   (L2 penalty folded into the gradient)
        if μ ≠ 0:
            b_t = g_t                       if t = 1        (the buffer starts as a copy of g_1:
            b_t = μ b_{t-1} + (1 - τ) g_t   if t > 1         dampening applies from step 2 on)
            g_t = g_t + μ b_t   if nesterov  else  b_t
        θ_t = θ_{t-1} - γ g_t

    This is PyTorch's form of momentum, v = μ v + g; θ = θ - γ v, which differs from Sutskever
    et al.'s v = μ v + γ g; θ = θ - v once the learning rate changes during training.

    Args:
        params: tensors or parameter groups (dicts) to optimize.
        lr: learning rate γ (default 1e-3).
        momentum: momentum factor μ (default 0).
        dampening: dampening τ for momentum (default 0).
        weight_decay: L2 penalty λ (default 0).
        nesterov: Nesterov momentum; needs momentum > 0 and dampening = 0.
        maximize: climb the objective instead of descending it.

    Example:
        >>> optimizer = zerograd.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(input), target).backward()
        >>> optimizer.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _unsupported_flags("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _after_load_state_dict(self) -> None:
        super()._after_load_state_dict()
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_no_grad_step
    def step(self, closure=None):
        """One SGD step for every parameter that has a gradient; returns closure() if given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params = list(_params_with_grad(group))
            momentum_buffers = [self.state[p].get("momentum_buffer") for p in params] \
                if group["momentum"] != 0 else [None] * len(params)
            sgd(params, [p.grad for p in params], momentum_buffers,
                weight_decay=group["weight_decay"], momentum=group["momentum"], lr=group["lr"],
                dampening=group["dampening"], nesterov=group["nesterov"],
                maximize=group["maximize"])
            if group["momentum"] != 0:
                for p, buf in zip(params, momentum_buffers):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params, grads, momentum_buffers, *, weight_decay, momentum, lr, dampening, nesterov,
        maximize):
    """The SGD update, one parameter at a time (see `SGD` for the math).

    `momentum_buffers[i]` is None before the first step; it is replaced by the new buffer."""
    lr = _to_float(lr)
    weight_decay = _to_float(weight_decay)
    step_sizes = {}
    for i, param in enumerate(params):
        theta = _begin_update(param)
        grad = grads[i]._data
        if maximize:
            grad = -grad
        if weight_decay != 0:       # (rounded to the parameter's dtype: NumPy makes bfloat16
            grad = (grad + weight_decay * theta).astype(theta.dtype, copy=False)  # × float float32)
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:                               # b_1 = g_1
                buf = Tensor._make(np.array(grad, copy=True), False, None, 0)
                momentum_buffers[i] = buf
            else:                                         # b_t = μ b_{t-1} + (1 - τ) g_t
                b = buf._data
                b *= momentum
                b += (1 - dampening) * grad
                _bump_version(buf)
            if nesterov:
                grad = grad + momentum * buf._data
            else:
                grad = buf._data
        neg_lr = step_sizes.get(grad.dtype)               # (-γ as a NumPy operand, made once)
        if neg_lr is None:
            neg_lr = step_sizes[grad.dtype] = _operand(-lr, grad.dtype)
        _axpy(theta, grad, neg_lr)                        # θ_t = θ_{t-1} - γ g_t
        _bump_version(param)


_AXPY_BLOCK = 1 << 18       # elements: a 1 MiB float32 temporary at most


def _axpy(theta, grad, a) -> None:
    """theta += grad * a, for a large contiguous parameter in blocks: the same numbers, with a
    temporary of one block instead of one the size of the parameter (peak memory: a 784x512
    weight's update held 1.5 MiB more; blocks of 2^18 elements measured as fast as one pass,
    smaller ones slower)."""
    n = theta.size
    if n <= _AXPY_BLOCK or not (theta.flags.c_contiguous and grad.flags.c_contiguous) \
            or grad.shape != theta.shape:
        theta += grad * a
        return
    t, g = theta.reshape(-1), grad.reshape(-1)
    buf = np.empty(_AXPY_BLOCK, np.result_type(grad, a))
    for s in range(0, n, _AXPY_BLOCK):
        e = min(s + _AXPY_BLOCK, n)
        b = buf[:e - s]
        np.multiply(g[s:e], a, out=b)
        ts = t[s:e]
        np.add(ts, b, out=ts, casting="unsafe")
