"""zerograd.autograd.functional: derivatives of whole functions (`torch.autograd.functional`).

Everything here is built from one primitive, the vector-Jacobian product (VJP) that
`autograd.grad(outputs, inputs, grad_outputs=v)` computes:  vᵀ J.

    vjp(f, x, v)      vᵀ J                 one backward pass
    jacobian(f, x)    J                    one VJP per output element, v = e_j, rows stacked
    jvp(f, x, v)      J v                  the "double-backward trick" (below)
    vhp(f, x, v)      vᵀ H                 the VJP of the gradient: grad(grad(f), v)
    hvp(f, x, v)      H v                  the double-backward trick applied to the gradient
    hessian(f, x)     H                    the jacobian of the gradient

The double-backward trick.  Reverse mode only gives vᵀ J, but J v is wanted for jvp.  Take a
dummy vector u (zeros that require grad) and compute g(u) = uᵀ J = Jᵀ u with create_graph=True.
g is *linear* in u, so its own VJP with the vector v is  vᵀ (∂g/∂u) = vᵀ Jᵀ = (J v)ᵀ.  Two
backward passes replace one forward-mode pass: slower than real forward-mode AD, but it needs
nothing except backward formulas that are themselves differentiable.

Return structure (as in torch): a result mirrors its arguments.  If `inputs` was a single Tensor
the per-input results are a single Tensor, if it was a tuple they are a tuple; likewise for the
function's outputs.  `jacobian` of tuple outputs w.r.t. tuple inputs is a tuple (one per output)
of tuples (one per input), and `jacobian[i][j]` has shape `outputs[i].shape + inputs[j].shape`.

`create_graph=True` makes every result differentiable (you can backprop through a jacobian);
otherwise results are detached.  `strict=True` turns "this output does not depend on that
input" from a silent zero into an error.
"""
from __future__ import annotations

import numpy as np

from .. import grad_mode
from ..tensor import Tensor
from .function import Function

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ------------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------------

def _zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return Tensor._make(np.zeros(t._data.shape, t._data.dtype), requires_grad, None, 0)


def _as_tuple(x, arg_name: str, fn_name: str):
    """(was_it_a_tuple, x as a tuple), checking that every element is a Tensor.

    Only a real `tuple` counts as "several"; a list is one (invalid) argument, as in torch."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but {where} has type {type(el)}.")
    return is_tuple, items


def _tuple_postprocess(res, was_tuple):
    """Undo the tupling of `_as_tuple` so that results mirror the user's arguments.

    `was_tuple` is one bool (a flat tuple of results) or a pair (outputs_were_tuple,
    inputs_were_tuple) for a nested tuple-of-tuples such as a jacobian."""
    if isinstance(was_tuple, tuple):
        outputs_were_tuple, inputs_were_tuple = was_tuple
        if not inputs_were_tuple:
            res = tuple(row[0] for row in res)
        if not outputs_were_tuple:
            res = res[0]
        return res
    return res if was_tuple else res[0]


def _grad_preprocess(tensors, create_graph: bool, need_graph: bool):
    """Make private copies of the user's tensors to differentiate with respect to.

    With create_graph, an input that already requires grad is replaced by a *view* of itself:
    still connected to the user's graph (so the result can be differentiated w.r.t. the user's
    tensor), yet a distinct node we can ask for gradients.  Otherwise a detached alias is used,
    made to require grad when we need to differentiate with respect to it."""
    out = []
    for t in tensors:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _grad_postprocess(tensors, create_graph: bool):
    """Detach results unless the caller asked for a differentiable graph (nested tuples ok)."""
    if len(tensors) and not isinstance(tensors[0], Tensor):
        return tuple(_grad_postprocess(t, create_graph) for t in tensors)
    if create_graph:
        return tensors
    return tuple(t.detach() for t in tensors)


def _validate_v(v, other, other_is_tuple: bool) -> None:
    """v must be shaped like `other` (the outputs for vjp, the inputs for jvp/hvp/vhp)."""
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (ev, eo) in enumerate(zip(v, other)):
        if ev.shape != eo.shape:
            prefix = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {eo.shape} but got "
                               f"{ev.shape}.")


def _check_requires_grad(tensors, kind: str, strict: bool) -> None:
    """In strict mode, refuse results that are not connected to the inputs.

    kind says what `tensors` are, which decides the message: "outputs" of the user's function,
    "grad_inputs" (first VJP in jvp), "jacobian" or "hessian" (inside hessian/hvp/vhp)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if t.requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs.")
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode.")
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode.")


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """`autograd.grad` that tolerates outputs which are None or do not require grad.

    Such outputs contribute nothing, so they are dropped (with their grad_output); if none is
    left every input gets None.  Unused inputs get None too (allow_unused=True)."""
    from . import grad  # the package's grad (imported late: this module loads inside it)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept_out, kept_go = [], []
    for out, go in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            kept_out.append(out)
            kept_go.append(go)
    if not kept_out:
        return (None,) * len(inputs)
    return grad(kept_out, inputs, kept_go, retain_graph=retain_graph, create_graph=create_graph,
                allow_unused=True)


_FILL_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict: bool, create_graph: bool, stage: str):
    """Replace a None gradient (no path from output to input) by zeros shaped like `refs[i]`,
    which is the mathematically right value - or raise in strict mode.  `stage` names the
    computation, for the message."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_FILL_MESSAGES[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


# ------------------------------------------------------------------------------------------------
# stacking rows differentiably (for jacobian with create_graph=True)
# ------------------------------------------------------------------------------------------------

class _Stack(Function):
    """stack(t_0, ..., t_{n-1}) along a new leading dim.  Its VJP cuts the gradient back into n
    slices (`_Unbind`); both are linear, so each one's backward is the other and they can be
    differentiated to any order."""
    node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, *tensors):
        return Tensor._make(np.stack([t._data for t in tensors]), False, None, 0)

    @staticmethod
    def backward(ctx, grad):
        return _Unbind.apply(grad)


class _Unbind(Function):
    """The n slices g[0], ..., g[n-1] of g along its leading dim; VJP: stack the slice grads
    (a slice nobody used arrives as zeros, because grads are materialized)."""
    node_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, grad):
        return tuple(Tensor._make(np.array(row), False, None, 0) for row in grad._data)

    @staticmethod
    def backward(ctx, *grads):
        return _Stack.apply(*grads)


def _stack(rows, shape) -> Tensor:
    """The rows stacked and viewed as `shape` (= output shape + input shape)."""
    if not rows:  # an output with no elements: an empty Jacobian block
        return Tensor._make(np.zeros(shape, np.float32), False, None, 0)
    return _Stack.apply(*rows).view(shape)


# ------------------------------------------------------------------------------------------------
# the public API
# ------------------------------------------------------------------------------------------------

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ J): the vector-Jacobian product, one backward pass.

    `v` is shaped like func's output(s); it may be omitted only when func returns a single
    one-element Tensor (then v = 1 and the result is simply the gradient)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, outputs, outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")

    with grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled()):
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")

    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(result, inputs_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick.

    `v` is shaped like the input(s); it may be omitted only for a single one-element input.
    Step 1: g(u) = uᵀ J with a dummy u = 0 requiring grad (create_graph=True, so g remembers
    how it depends on u).  Step 2: the VJP of g w.r.t. u with vector v is J v."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        dummy = tuple(_zeros_like(out, requires_grad=True) for out in outputs)       # u
        g = _autograd_grad(outputs, inputs, dummy, create_graph=True)                # uᵀ J
        _check_requires_grad(g, "grad_inputs", strict)

    with grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled()):
        grads = _autograd_grad(g, dummy, v, create_graph=create_graph)              # J v
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")

    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(result, outputs_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at `inputs`; block [i][j] has shape outputs[i].shape + inputs[j].shape.

    reverse-mode: row k of block (i, ·) is the VJP of output i with the unit vector e_k - one
    backward pass per output element.  forward-mode (torch requires vectorize=True): column k
    of block (·, j) is the JVP with the unit vector e_k of input j - one double-backward pass
    per input element, cheaper when inputs are small and outputs large.  `vectorize` only
    batches the passes in torch; the results are identical, so here it changes nothing."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        return _jacobian_forward(func, inputs, strict, vectorize)

    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                           "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")

        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]          # rows[j][k] = d out.flat[k] / d inputs[j]
            for k in range(out.numel()):
                e_k = _zeros_like(out)
                e_k._data.flat[k] = 1
                vj = _autograd_grad((out,), inputs, (e_k,), retain_graph=True,
                                    create_graph=create_graph)
                for j, (g, inp) in enumerate(zip(vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {j}. This is not allowed "
                                               "in strict mode.")
                        g = _zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        # (torch's message names the *output* index i here; kept identical)
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           "strict mode when create_graph=True.")
                    rows[j].append(g)
            blocks.append(tuple(_stack(rows[j], tuple(out.shape) + tuple(inp.shape))
                                for j, inp in enumerate(inputs)))

        blocks = _grad_postprocess(tuple(blocks), create_graph)
        return _tuple_postprocess(blocks, (outputs_tuple, inputs_tuple))


def _jacobian_forward(func, inputs, strict, vectorize):
    """Forward-mode jacobian: one JVP (double-backward trick) per input element."""
    if strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           '`strategy="forward-mode"` are not supported together (yet). Please '
                           'either set `strict=False` or `strategy="reverse-mode"`.')
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                  "Hessian isonly implemented for `vectorize=True`.")
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=False, need_graph=True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs", "jacobian")
        dummy = tuple(_zeros_like(out, requires_grad=True) for out in outputs)
        g = _autograd_grad(outputs, inputs, dummy, create_graph=True)       # uᵀ J, linear in u
        # cols[i][j][k] = d outputs[i] / d inputs[j].flat[k]   (a column of block (i, j))
        cols = [[[] for _ in inputs] for _ in outputs]
        for j, inp in enumerate(inputs):
            for k in range(inp.numel()):
                e = [None] * len(inputs)
                e[j] = _zeros_like(inp)
                e[j]._data.flat[k] = 1
                kept = [(gi, ei) for gi, ei in zip(g, e) if gi is not None and ei is not None]
                jv = _autograd_grad(tuple(gi for gi, _ in kept), dummy,
                                    tuple(ei for _, ei in kept), retain_graph=True)
                for i, (col, out) in enumerate(zip(jv, outputs)):
                    cols[i][j].append(col._data if col is not None
                                      else np.zeros(out._data.shape, out._data.dtype))
    blocks = []
    for i, out in enumerate(outputs):
        row = []
        for j, inp in enumerate(inputs):
            # columns were produced input-element by input-element: put that axis last
            arr = np.stack(cols[i][j], axis=-1) if cols[i][j] else \
                np.zeros(out._data.shape + (0,), out._data.dtype)
            row.append(Tensor._make(arr.reshape(out._data.shape + inp._data.shape), False, None, 0))
        blocks.append(row)
    # torch's forward-mode path builds *lists* (a list of lists for tuple outputs and inputs),
    # unlike reverse mode's tuples; mirrored here so code written against torch sees the same.
    return _tuple_postprocess(blocks, (outputs_tuple, inputs_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function: the jacobian of its gradient.

    For tuple inputs the result is a tuple of tuples: H[i][j] = d² f / d inputs[i] d inputs[j],
    of shape inputs[i].shape + inputs[j].shape.  The inner gradient is always reverse-mode with
    create_graph=True (so it can be differentiated again); the outer jacobian uses
    `outer_jacobian_strategy`.  (With "forward-mode", torch also switches on requires_grad of
    the caller's input tensors as a side effect, so its results carry a graph; zerograd leaves
    the caller's tensors alone and returns plain results.)"""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def gradient(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (inputs_tuple, inputs_tuple))


def _scalar_output(func, inputs, name, strict):
    """Run func for vhp/hvp and check it returned a single one-element Tensor."""
    outputs = func(*inputs)
    outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
    _check_requires_grad(outputs, "outputs", strict)
    if outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a "
                           "single element")
    return outputs_tuple, outputs


def _prepare_v_for_inputs(v, inputs, inputs_tuple, create_graph, name):
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, inputs, inputs_tuple)
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    return v


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ H) for a scalar func: the VJP of the gradient (two backward passes)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v_for_inputs(v, inputs, inputs_tuple, create_graph, "vhp")
        outputs_tuple, outputs = _scalar_output(func, inputs, "vhp", strict)
        jac = _autograd_grad(outputs, inputs, create_graph=True)                     # ∇f
        _check_requires_grad(jac, "jacobian", strict)

    with grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled()):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)            # vᵀ H
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")

    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(result, inputs_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func, by the double-backward trick on the gradient.

    For a twice continuously differentiable func H is symmetric and hvp == vhp (which is
    cheaper); hvp computes H v literally: u ↦ uᵀ H (three backward passes in all)."""
    with grad_mode.enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v_for_inputs(v, inputs, inputs_tuple, create_graph, "hvp")
        outputs_tuple, outputs = _scalar_output(func, inputs, "hvp", strict)
        jac = _autograd_grad(outputs, inputs, create_graph=True)                     # ∇f
        _check_requires_grad(jac, "jacobian", strict)
        dummy = tuple(_zeros_like(inp, requires_grad=True) for inp in inputs)        # u
        double_back = _autograd_grad(jac, inputs, dummy, create_graph=True)          # uᵀ H
        _check_requires_grad(jac, "hessian", strict)  # (torch checks `jac` again here)

    with grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled()):
        grads = _autograd_grad(double_back, dummy, v, create_graph=create_graph)     # H v
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")

    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(result, inputs_tuple)
