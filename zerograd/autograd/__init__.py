"""zerograd.autograd: backward(), grad(), Function, and the checking tools.

    loss.backward()                               # == autograd.backward(loss)
    g, = autograd.grad(loss, [w], create_graph=True)
"""
from __future__ import annotations

import collections.abc

from .. import _lazy
from .. import grad_mode as _gm
from ..grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from ..tensor import Tensor
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled,  # noqa: F401
                           is_anomaly_enabled, set_detect_anomaly)
from .engine import make_seeds, run_backward
from .engine import checkpoint_valid as _is_checkpoint_valid  # noqa: F401  (torch's private name)
from .function import Function, once_differentiable  # noqa: F401
from .function import Node  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401


def _tensors(x, what):
    if isinstance(x, Tensor):
        return (x,)
    if x is None:
        return ()
    out = tuple(x)
    for t in out:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what} must be Tensors, got {type(t).__name__}")
    return out


def _inputs(inputs, api):
    """backward's / grad's `inputs`: a tensor, a sequence of them, or (torch 2.13) a dict whose
    values are the tensors -> (tensors, its keys or None); never empty."""
    keys = None
    if type(inputs) is dict:
        keys = list(inputs.keys())
        inputs = list(inputs.values())
    elif isinstance(inputs, collections.abc.Mapping):
        raise TypeError(f"`inputs` argument to `{api}()` must be a dict, not "
                        f"{type(inputs).__name__}. Other Mapping types are not supported.")
    inputs = _tensors(inputs, "inputs")
    if len(inputs) == 0:
        raise RuntimeError(f"`inputs` argument to `{api}()` cannot be empty.")
    return inputs, keys


def _grads(grad_tensors, n, what="grad_tensors"):
    if grad_tensors is None:
        return (None,) * n
    if isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,)
    grad_tensors = tuple(grad_tensors)
    if len(grad_tensors) != n:       # (torch's words; `what` names the argument in the fix)
        raise RuntimeError(f"got {n} tensors and {len(grad_tensors)} gradients. Fix: pass one "
                           f"gradient (or None) in {what} per tensor.")
    return grad_tensors


_warned_create_graph = False


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate the gradients of `tensors` (seeded with `grad_tensors`) into the leaves' `.grad`.

    Scalars need no seed (it is 1); a non-scalar needs `grad_tensors` shaped like it: the vector
    v of the vector-Jacobian product vᵀ J.  The graph is freed afterwards unless `retain_graph`."""
    global _warned_create_graph
    tensors = _tensors(tensors, "tensors")
    seeds = make_seeds(tensors, _grads(grad_tensors, len(tensors)))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs, _ = _inputs(inputs, "backward")
        if not all(t._requires_grad for t in inputs):   # (torch retains grads of the inputs)
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if create_graph and not _warned_create_graph:    # (torch warns once a process)
        _warned_create_graph = True
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    run_backward(tensors, seeds, retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs, accumulate=True)
    if inputs is not None:      # torch retains the grads of non-leaf inputs (later backwards too)
        for t in inputs:
            if t._grad_fn is not None and not t._retains_grad:
                t.retain_grad()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) (the VJP with `grad_outputs`) without touching `.grad`."""
    if not only_inputs:
        import warnings
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    outputs = _tensors(outputs, "outputs")
    inputs, keys = _inputs(inputs, "grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported; loop over the batch "
                                  "or use zerograd.autograd.functional.jacobian")
    seeds = make_seeds(outputs, _grads(grad_outputs, len(outputs), "grad_outputs"))
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outputs, seeds, retain_graph=retain_graph, create_graph=create_graph,
                          inputs=inputs, accumulate=False)
    out = []
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:       # (zeros that require grad under create_graph, as torch)
                from ..ops import zeros_like
                g = zeros_like(t, requires_grad=bool(create_graph))
        out.append(g)
    return tuple(out) if keys is None else dict(zip(keys, out))

from .explain import install_saved_attributes as _install_saved  # noqa: E402
_install_saved()            # grad_fn._saved_<name> (see explain.install_saved_attributes)


# zerograd.autograd.functional (jacobian, hessian, ...) is imported on first use
__getattr__, __dir__ = _lazy.attach(globals(), ["functional"])
