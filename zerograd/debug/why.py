"""why_no_grad(t): why does this tensor have no gradient, and what fixes it.

    >>> w = zerograd.randn(3).detach()
    >>> print(zerograd.debug.why_no_grad(w))
    w does not require grad: it was detach()ed from a tensor that requires grad ...

The causes it tells apart: an integer or bool dtype, creation under inference_mode, a detach(),
a `.data`, a view taken under no_grad, a leaf that never had requires_grad (or was computed under
no_grad), grad mode being off right now, a non-leaf whose `.grad` is read without
`retain_grad()`, backward not run yet, and - given `loss=` - a leaf that is not in the loss's
graph at all.  Each comes with the fix.
"""
from __future__ import annotations

import gc

import numpy as np

__all__ = ["why_no_grad"]


def _grad_tensors_sharing(t, attr):
    """Other live tensors that share t's version counter (attr='_vc') or array ('_data')."""
    from ..tensor import FRESH, Tensor
    target = getattr(t, attr)
    if target is None or target is FRESH:        # (FRESH: a counter nobody shares yet)
        return []
    out = []
    for o in gc.get_referrers(target):
        if type(o) is Tensor and o is not t and getattr(o, attr) is target and \
                (o._requires_grad or o.grad_fn is not None):
            out.append(o)
    return out


def _reaches(loss, t) -> bool:
    """Is t's gradient sink (its AccumulateGrad, or t.grad_fn) in loss's graph?"""
    start = loss.grad_fn
    if start is None:
        return False
    target = t.grad_fn if t.grad_fn is not None else (t._acc() if t._acc is not None else None)
    if target is None:
        return False
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node is target:
            return True
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return False


def why_no_grad(t, loss=None, name="t") -> str:
    """Explain why `t` has (or will get) no gradient, with the fix.  Pass the `loss` you call
    backward on to also check that `t` is in its graph."""
    from .. import grad_mode
    from ..tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"why_no_grad expects a Tensor, got {type(t).__name__}")
    dt = t.dtype
    if not t.is_floating_point():
        return (f"{name} has dtype {dt}: only floating-point tensors can require gradients "
                "(integer and bool values are not differentiable).\n"
                f"  fix: make it float before building the graph: {name} = {name}.float() "
                f"(or create it with dtype=zerograd.float32), then {name}.requires_grad_().")
    if t.is_inference():
        return (f"{name} was created under inference_mode(): inference tensors record no graph "
                "and can never take part in autograd.\n"
                "  fix: create it outside inference_mode (use no_grad() for evaluation code whose "
                f"results you may train on), or make a normal copy outside the mode: "
                f"{name} = {name}.clone().")
    if not t._requires_grad:
        lines = []
        if t._view is not None and t._view.base is not None and t._view.base._requires_grad:
            lines.append(f"{name} does not require grad: it is a view of a tensor that requires "
                         "grad, taken under no_grad(), so it carries no history.\n"
                         "  fix: take the view with grad enabled (outside the no_grad block).")
        elif _grad_tensors_sharing(t, "_vc"):
            src = _grad_tensors_sharing(t, "_vc")[0]
            what = f"grad_fn={src.grad_fn.name()}" if src.grad_fn is not None else "a leaf"
            lines.append(f"{name} does not require grad: it was detach()ed from a tensor that "
                         f"requires grad ({what}, shape {list(src.shape)}): detach() shares the "
                         "memory but cuts the graph, so no gradient flows back through it.\n"
                         f"  fix: use the original tensor instead of {name}.detach(), if you want "
                         "gradients to flow through it.")
        elif _grad_tensors_sharing(t, "_data"):
            lines.append(f"{name} does not require grad: it is the `.data` of a tensor that "
                         "requires grad: `.data` shares the memory but is cut from the graph (and "
                         "hides in-place changes from autograd).\n"
                         "  fix: use the tensor itself (or .detach() where cutting is intended).")
        else:
            lines.append(f"{name} does not require grad and has no grad_fn: it is a leaf that was "
                         "created without requires_grad=True, or it was computed under no_grad() "
                         "(which records no history), or from tensors that do not require grad.\n"
                         f"  fix: for a leaf you want gradients for: {name}.requires_grad_() (or "
                         "requires_grad=True when creating it); for a computed tensor: compute it "
                         "with grad enabled from inputs that require grad.")
        if not grad_mode.is_grad_enabled():
            lines.append("note: grad mode is off right now (inside no_grad() or "
                         "set_grad_enabled(False)): nothing computed here records a graph.")
        return "\n".join(lines)
    if t._view is not None and t._view.made_in_no_grad:
        return (f"{name} is a view of a tensor that requires grad, taken under no_grad(): like "
                "torch, zerograd marks it requires_grad=True, but it carries no history and "
                "backward never writes its .grad (and changing it in place with grad enabled "
                "is refused).\n"
                f"  fix: take the view outside no_grad() (then gradients flow to its base), or "
                f"use {name}.detach().clone().requires_grad_() for an independent leaf.")
    if t.grad_fn is not None:
        node = t.grad_fn.name()
        if not t._retains_grad:
            return (f"{name} is not a leaf (grad_fn={node}): backward fills .grad only for "
                    "leaves (tensors created by you with requires_grad=True), so its .grad stays "
                    "None.\n"
                    f"  fix: call {name}.retain_grad() before backward; or get the gradient with "
                    f"zerograd.autograd.grad(loss, {name}), or watch it with "
                    f"{name}.register_hook(fn).")
        if t._grad is None:
            return _not_reached(t, loss, name, retained=True)
        return _has_grad(t, name)
    if t._grad is not None:
        return _has_grad(t, name)
    return _not_reached(t, loss, name, retained=False)


def _not_reached(t, loss, name, retained):
    what = "retain_grad() is set but" if retained else f"{name} requires grad but"
    if loss is not None:
        if loss.grad_fn is None and not loss._requires_grad:
            return (f"{what} the loss itself has no graph: " +
                    why_no_grad(loss, name="loss").replace("\n", "\n  "))
        if not _reaches(loss, t):
            return (f"{what} it is not in the loss's graph: the path from {name} to the loss "
                    "is cut (or it is not used at all), so backward never reaches it.\n"
                    "  look for: a .detach(), .data, .item()/.tolist()/.numpy() turned back into a "
                    "tensor, zerograd.tensor(...) re-wrapping a result, a computation under "
                    "no_grad(), or a parameter that the forward does not use.")
        return (f"{what} its .grad is None although it is in the loss's graph: backward has not "
                "run on this loss yet, or .grad was reset after it "
                "(zero_grad(set_to_none=True)), or a hook returned a zero gradient.\n"
                "  fix: call loss.backward() and read .grad before zero_grad().")
    return (f"{what} its .grad is None: backward has not run yet, or zero_grad(set_to_none=True) "
            f"reset it, or {name} is not used in the loss.\n"
            f"  check: why_no_grad({name}, loss=loss) tells whether {name} is in the loss's graph.")


def _has_grad(t, name):
    a = np.asarray(t._grad._data, np.float64)
    norm = float(np.sqrt(np.sum(a * a)))
    if a.size and not np.any(a):
        return (f"{name} has a gradient, but it is all zeros: {name} is in the graph and no "
                "gradient reached it: e.g. ReLUs that are off for every input, a mask, "
                "comparisons/argmax/round on the path (their gradient is zero), or a "
                "hook that zeroed it.")
    if not np.all(np.isfinite(a)):
        return (f"{name} has a gradient with NaN/Inf values ({int((~np.isfinite(a)).sum())} of "
                f"{a.size}): run the backward under zerograd.autograd.detect_anomaly() to find the "
                "node that produced them.")
    return f"{name} has a gradient: {name}.grad has norm {norm:.4g} (nothing to fix)."
