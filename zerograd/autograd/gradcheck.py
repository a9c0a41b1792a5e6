"""gradcheck and gradgradcheck: test a backward formula against finite differences.

A backward formula is easy to get subtly wrong (a missing factor, a transposed matrix, a
forgotten broadcast).  gradcheck compares two independent ways of getting the same Jacobian:

numerical   central finite differences, one input element at a time:
                d out / d x[k]  ≈  (f(x + eps·e_k) - f(x - eps·e_k)) / (2·eps)
            The error of this estimate is O(eps²) plus rounding O(ε_machine / eps): with float64
            (ε ≈ 1e-16) and eps = 1e-6 both are ~1e-10 to 1e-12, far below the tolerances.  In
            float32 (ε ≈ 1e-7) the rounding term is ~0.1: that is why inputs should be float64
            (a UserWarning says so otherwise).
analytical  what autograd computes: one vector-Jacobian product per output element, with the
            unit vector e_j as grad_output, gives row j of Jᵀ (`autograd.grad(out, inputs, e_j,
            retain_graph=True)`).

Layout (torch's): the Jacobian of output o w.r.t. input x is a matrix of shape
(x.numel(), o.numel()); entry [r, c] is d o.flat[c] / d x.flat[r].  Entries must agree within
`|analytical - numerical| <= atol + rtol * |numerical|` (torch.allclose).

fast_mode=True skips the full Jacobian: with random unit vectors u (over the input's elements)
and v (over the output's), it compares the single number vᵀ J u computed both ways - one
finite difference along u, one VJP with v - and, only if they disagree, recomputes the full
Jacobians to explain the failure.

Besides the Jacobians, gradcheck checks (like torch) that backward
- is deterministic ("reentrant"): two VJPs with the same grad_output agree within nondet_tol;
- returns gradients shaped (and, with check_grad_dtypes, typed) like the inputs;
- scales with grad_output: a zero grad_output gives zero (or None) input grads;
- copes with undefined (None) grad_outputs (check_undefined_grad);
- and that func returns outputs of the same shape and dtype when its inputs are perturbed.

gradgradcheck checks second derivatives: it gradchecks the function
    (inputs, grad_outputs) -> autograd.grad(func(inputs), inputs, grad_outputs, create_graph=True)
i.e. it differentiates the backward pass itself, w.r.t. both the inputs and grad_outputs.

    from zerograd.autograd import gradcheck
    x = zerograd.randn(3, 4, dtype=zerograd.float64, requires_grad=True)
    assert gradcheck(lambda x: x.tanh() * x, (x,))
"""
from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Error raised by gradcheck and gradgradcheck."""


# ------------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------------

def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(out) -> tuple:
    """The outputs gradcheck differentiates: Tensors that require grad."""
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor) and o.requires_grad)


def _diff_input_positions(inputs) -> list:
    """Positions (in `inputs`) of the tensors that require grad: the ones gradcheck perturbs."""
    return [i for i, a in enumerate(inputs) if isinstance(a, Tensor) and a.requires_grad]


def _wrap(arr) -> Tensor:
    return Tensor._make(arr, False, None, 0)


def _grad(outputs, inputs, grad_outputs, **kwargs):
    from . import grad  # late import: this module is loaded while the package initialises
    return grad(outputs, inputs, grad_outputs, **kwargs)


def _check_inputs(inputs) -> None:
    """At least one input must require grad; warn when one is not float64; refuse inputs whose
    elements overlap in memory (perturbing one element would move several)."""
    any_diff = False
    for idx, inp in enumerate(inputs):
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        any_diff = True
        if inp.dtype.name != "float64":
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are not "
                          "of double precision floating point or complex. ", UserWarning,
                          stacklevel=4)
        if not isinstance(inp._data, np.ndarray):
            # a 0-d tensor may hold a NumPy scalar, which cannot be written in place: give it an
            # equivalent 0-d array (same value and dtype) so that it can be perturbed
            inp._data = np.array(inp._data)
        arr = inp._data
        if arr.size > 1 and any(st == 0 and sz > 1 for st, sz in zip(arr.strides, arr.shape)):
            raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only "
                               "supports inputs that are non-overlapping to be able to compute the "
                               "numerical gradients correctly. You should call .contiguous on the "
                               "input before passing it to gradcheck.")
        if not arr.flags.writeable:
            raise RuntimeError(f"The {idx}th input is backed by a read-only array, so gradcheck "
                               "cannot perturb it in place. Pass a copy (e.g. x.clone().detach()"
                               ".requires_grad_()).")
    if not any_diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


# ------------------------------------------------------------------------------------------------
# the numerical side: finite differences
# ------------------------------------------------------------------------------------------------

def _evaluate(func, inputs) -> tuple:
    """func(*inputs) as private copies of the output arrays (None for non-Tensor outputs), so
    later perturbations cannot change them behind our back."""
    return tuple(np.array(o._data, copy=True) if isinstance(o, Tensor) else None
                 for o in _as_tuple(func(*inputs)))


def _check_same_dtype_and_shape(a, b, eps, idx=None) -> None:
    on = f"on index {idx} " if idx is not None else ""
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs "
                             f"are perturbed {on}by {eps}, but got: shapes {_wrap(a).shape} and "
                             f"{_wrap(b).shape}.")
    if a.dtype != b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs "
                             f"are perturbed {on}by {eps}, but got: dtypes {_wrap(a).dtype} and "
                             f"{_wrap(b).dtype}.")


def _central_difference(func, inputs, x, where, delta, eps, idx=None) -> list:
    """(f(x + delta) - f(x - delta)) / (2·eps) for every output, flattened; the perturbation is
    written into x's array in place at `where` and the original values are restored exactly
    (graphs recorded earlier saved references to that same array)."""
    orig = np.array(x[where], copy=True)
    try:
        x[where] = orig - delta
        outs_minus = _evaluate(func, inputs)
        x[where] = orig + delta
        outs_plus = _evaluate(func, inputs)
    finally:
        x[where] = orig
    cols = []
    for a, b in zip(outs_minus, outs_plus):
        if a is None or a.dtype.kind != "f":
            cols.append(None)      # integer outputs have no derivative
            continue
        _check_same_dtype_and_shape(a, b, eps, idx)
        cols.append(((b - a) / (2 * eps)).reshape(-1))
    return cols


def _numerical_jacobians(func, inputs, positions, ref_outputs, eps) -> list:
    """J[i][o]: the numerical Jacobian of output o w.r.t. input positions[i], shaped
    (input numel, output numel) in the output's dtype; None for non-float outputs."""
    result = []
    for pos in positions:
        x = inputs[pos]._data
        jacs = [None if r is None or r.dtype.kind != "f" else np.zeros((x.size, r.size), r.dtype)
                for r in ref_outputs]
        for k in range(x.size):
            idx = np.unravel_index(k, x.shape)
            cols = _central_difference(func, inputs, x, idx, eps, eps, idx=idx)
            for jac, col in zip(jacs, cols):
                if jac is not None and col is not None:
                    jac[k] = col
        result.append(jacs)
    return result


# ------------------------------------------------------------------------------------------------
# the analytical side: one VJP per output element
# ------------------------------------------------------------------------------------------------

def _vjps(output, diff_inputs, grad_output):
    return _grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _analytical_jacobians(output, diff_inputs, nondet_tol, check_grad_dtypes,
                          check_attributes=True) -> list:
    """J[i]: the Jacobian of `output` w.r.t. diff_inputs[i] from autograd, shaped
    (input numel, output numel) in the input's dtype.  Column c is the VJP with the unit
    vector e_c.  Computed twice, to catch a backward that is not deterministic."""
    def compute():
        jacs = [np.zeros((inp.numel(), output.numel()), inp._data.dtype) for inp in diff_inputs]
        sizes_ok = types_ok = True
        for c in range(output.numel()):
            e_c = np.zeros(output._data.shape, output._data.dtype)
            e_c.flat[c] = 1
            for jac, inp, g in zip(jacs, diff_inputs, _vjps(output, diff_inputs, _wrap(e_c))):
                if g is None:        # input not reached from this output: a zero column
                    continue
                if g.shape != inp.shape:
                    sizes_ok = False
                    continue
                if g.dtype != inp.dtype:
                    types_ok = False
                jac[:, c] = g._data.reshape(-1)
        return jacs, sizes_ok, types_ok

    jacs1, sizes_ok, types_ok = compute()
    if not check_attributes:
        return jacs1
    jacs2, _, _ = compute()
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for j1, j2 in zip(jacs1, jacs2):
        if j1.size and np.abs(j1 - j2).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and grad_output "
                "multiple times gives different values, although analytical gradient matches "
                f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}.\n\n"
                "NOTE: if your backward is non-deterministic on purpose (e.g. it uses atomic "
                "adds), pass `nondet_tol=<tol>` to gradcheck/gradgradcheck.")
    return jacs1


# ------------------------------------------------------------------------------------------------
# comparing, and explaining a mismatch
# ------------------------------------------------------------------------------------------------

def _allclose(a, n, rtol, atol) -> bool:
    """torch.allclose(a, n): |a - n| <= atol + rtol·|n| everywhere, NaN never close."""
    dt = np.result_type(a, n)
    return bool(np.allclose(a.astype(dt), n.astype(dt), rtol=rtol, atol=atol))


def _notallclose_header(a, n, out_idx, in_idx) -> str:
    """torch's message, word for word: the Jacobians are printed as tensors."""
    return (f"Jacobian mismatch for output {out_idx:d} with respect to input {in_idx:d},\n"
            f"numerical:{_wrap(n)}\nanalytical:{_wrap(a)}\n")


def _explain(a, n, rtol, atol, in_idx, in_pos, in_shape, out_idx, out_pos, out_shape) -> str:
    """Point at the worst entry of a mismatching Jacobian pair and say what it means."""
    dt = np.result_type(a, n)
    a64, n64 = a.astype(dt), n.astype(dt)
    allowed = atol + rtol * np.abs(n64)
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = np.abs(a64 - n64) / allowed
    excess = np.where(np.isnan(excess), np.inf, excess)
    bad = excess > 1
    r, c = np.unravel_index(int(np.argmax(excess)), a.shape)
    in_multi = tuple(int(i) for i in np.unravel_index(r, in_shape))
    out_multi = tuple(int(i) for i in np.unravel_index(c, out_shape))
    lines = [
        "",
        f"Worst element: Jacobian entry [{r}, {c}] = d output[{out_idx}].flat[{c}] / "
        f"d input[{in_idx}].flat[{r}]",
        f"  input {in_idx} (argument #{in_pos} of func, shape {tuple(in_shape)}): "
        f"flat index {r}, multi-index {in_multi}",
        f"  output {out_idx} (output #{out_pos} of func, shape {tuple(out_shape)}): "
        f"flat index {c}, multi-index {out_multi}",
        f"  analytical: {float(a64[r, c])!r}",
        f"  numerical:  {float(n64[r, c])!r}",
        f"  |difference| = {float(abs(a64[r, c] - n64[r, c]))!r} > atol + rtol * |numerical| = "
        f"{float(allowed[r, c])!r}",
        f"{int(bad.sum())} of {a.size} Jacobian entries differ beyond the tolerance "
        f"(atol={atol}, rtol={rtol}).",
        "(Rows of a Jacobian index the input's elements, columns the output's.)",
    ]
    hint = _hint(a64, n64, bad)
    if hint:
        lines.append("Hint: " + hint)
    return "\n".join(lines) + "\n"


def _hint(a, n, bad) -> str:
    """A guess at the kind of bug behind a mismatch, for the common cases."""
    if not np.any(a) and np.any(n):
        return ("the analytical Jacobian is all zeros: backward returned None or zeros for this "
                "input, or the input is not connected to the output in the graph.")
    if a.shape[0] == a.shape[1] and a.shape[0] > 1 and np.allclose(a, n.T) \
            and not np.allclose(a, n):
        return "the analytical Jacobian is the transpose of the numerical one."
    mask = bad & (np.abs(n) > 1e-12)
    if mask.any():
        ratios = a[mask] / n[mask]
        if np.allclose(ratios, ratios[0], rtol=1e-6, atol=1e-9):
            return (f"analytical / numerical = {ratios[0]:.6g} on every mismatching entry: "
                    "backward is off by a constant factor.")
    return ""


# ------------------------------------------------------------------------------------------------
# slow (full Jacobian) and fast (projected) checks
# ------------------------------------------------------------------------------------------------

def _check_no_differentiable_outputs(func, inputs, positions, ref_outputs, eps) -> None:
    """When no output requires grad, every numerical derivative must be zero."""
    for jacs in _numerical_jacobians(func, inputs, positions, ref_outputs, eps):
        for jac in jacs:
            if jac is not None and np.any(jac != 0):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _slow_gradcheck(func, inputs, positions, func_out, outputs, eps, rtol, atol,
                    check_grad_dtypes, nondet_tol) -> None:
    all_out = _as_tuple(func_out)
    ref = tuple(np.array(o._data) if isinstance(o, Tensor) else None for o in all_out)
    if not outputs:
        _check_no_differentiable_outputs(func, inputs, positions, ref, eps)
        return
    numerical = _numerical_jacobians(func, inputs, positions, ref, eps)
    diff_inputs = [inputs[p] for p in positions]
    out_positions = [k for k, o in enumerate(all_out)
                     if isinstance(o, Tensor) and o.requires_grad]
    for j, (o, o_pos) in enumerate(zip(outputs, out_positions)):
        analytical = _analytical_jacobians(o, diff_inputs, nondet_tol, check_grad_dtypes)
        for i, (a, pos) in enumerate(zip(analytical, positions)):
            n = numerical[i][o_pos]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(
                    _notallclose_header(a, n, j, i)
                    + _explain(a, n, rtol, atol, i, pos, inputs[pos].shape, j, o_pos, o.shape))


def _unit_random(shape, dtype, rng) -> np.ndarray:
    """A random non-negative vector of unit norm (torch's choice for fast mode)."""
    v = rng.random(int(np.prod(shape, dtype=np.int64)))
    norm = np.linalg.norm(v)
    return (v / norm if norm > 0 else v).astype(dtype)


def _fast_gradcheck(func, inputs, positions, func_out, outputs, eps, rtol, atol,
                    check_grad_dtypes, nondet_tol) -> None:
    """Compare vᵀ J u, numerically (one finite difference along u per input) and analytically
    (one VJP with v per output), for random unit vectors u and v."""
    rng = np.random.default_rng(0)   # private and seeded: reproducible, user's RNG untouched
    all_out = _as_tuple(func_out)
    out_positions = [k for k, o in enumerate(all_out)
                     if isinstance(o, Tensor) and o.requires_grad]
    diff_inputs = [inputs[p] for p in positions]
    us = [_unit_random(x.shape, x._data.dtype, rng) for x in diff_inputs]
    vs = [_unit_random(o.shape, o._data.dtype, rng) for o in outputs]

    # numerical J u for every output, per input
    Ju = []
    for x, u in zip(diff_inputs, us):
        arr = x._data
        Ju.append(_central_difference(func, inputs, arr, Ellipsis, eps * u.reshape(arr.shape),
                                      eps))
    if not outputs:
        for cols in Ju:
            for col in cols:
                if col is not None and col.size and np.abs(col).max() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return

    for j, (o, o_pos, v) in enumerate(zip(outputs, out_positions, vs)):
        v_t = _wrap(v.reshape(o._data.shape))
        vJ1 = _vjps(o, diff_inputs, v_t)
        vJ2 = _vjps(o, diff_inputs, v_t)
        for i, (g1, g2, x) in enumerate(zip(vJ1, vJ2, diff_inputs)):
            if g1 is not None and g1.shape != x.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            if g1 is not None and check_grad_dtypes and g1.dtype != x.dtype:
                raise GradcheckError("Gradient has dtype mismatch")
            if g1 is not None and g1.numel() and \
                    np.abs(g1._data - g2._data).max() > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}.")
        for i, (g, u, pos) in enumerate(zip(vJ1, us, positions)):
            a = np.array(0.0 if g is None else np.dot(g._data.reshape(-1), u), u.dtype)
            Ju_col = Ju[i][o_pos]
            n = np.array(np.dot(v, Ju_col), np.result_type(v, Ju_col))
            # allclose entry by entry, summed over the projection: atol scales by sum(u)·sum(v)
            tol = atol * float(u.sum()) * float(v.sum())
            if not _allclose(a, n, rtol, tol):
                raise GradcheckError(_notallclose_header(a, n, j, i)
                                     + _slow_mode_report(func, inputs, positions, i, o, o_pos, j,
                                                         eps, rtol, atol))


def _slow_mode_report(func, inputs, positions, i, o, o_pos, j, eps, rtol, atol) -> str:
    """After a fast-mode failure: the full Jacobians of the failing pair, to locate the bug."""
    pos = positions[i]
    ref = _evaluate(func, inputs)
    n = _numerical_jacobians(func, inputs, [pos], ref, eps)[0][o_pos]
    a = _analytical_jacobians(o, [inputs[pos]], float("inf"), False, check_attributes=False)[0]
    msg = ("\nThe two numbers above are vᵀ J u, computed in fast mode with random unit vectors u "
           "(over the input's elements) and v (over the output's). Recomputed in slow mode, "
           "element by element:\n\n"
           f"Numerical:\n {_wrap(n)}\nAnalytical:\n{_wrap(a)}\n\n"
           f"The max per-element difference (slow mode) is: "
           f"{_wrap(np.array(np.abs(a - n).max() if a.size else 0.0))}.\n")
    if _allclose(a, n, rtol, atol):
        msg += ("\nFast gradcheck failed but element-wise differences are small: the check would "
                "have passed in slow mode. Call gradcheck/gradgradcheck with fast_mode=False.")
    else:
        msg += _explain(a, n, rtol, atol, i, pos, inputs[pos].shape, j, o_pos, o.shape)
    return msg


# ------------------------------------------------------------------------------------------------
# the extra checks on backward's contract
# ------------------------------------------------------------------------------------------------

def _test_backward_mul_by_grad_output(outputs, inputs) -> None:
    """Backward is linear in grad_output: a zero grad_output must give zero input grads."""
    diff_inputs = [inputs[p] for p in _diff_input_positions(inputs)]
    zeros = [_wrap(np.zeros(o._data.shape, o._data.dtype)) for o in outputs]
    grads = _grad(outputs, diff_inputs, zeros, allow_unused=True)
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if not np.all(g._data == 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype != x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


def _test_undefined_backward_mode(func, outputs, inputs) -> None:
    """Backward must cope with undefined (None) grad_outputs and then give undefined or zero
    input grads.

    An output's grad is undefined when the loss does not use that output.  Torch checks two
    situations: every grad_output undefined, and (for several outputs) one undefined at a
    time.  zerograd's engine never calls a node whose incoming grads are *all* undefined - it
    passes "undefined" straight on to the node's inputs - so the first situation holds by
    construction.  The second is real: a multi-output node then receives None for some outputs
    (materialised as zeros unless its Function called ctx.set_materialize_grads(False)).  We
    produce it by leaving output k out of the backward call, which is exactly "output k unused".
    """
    diff_inputs = [inputs[p] for p in _diff_input_positions(inputs)]

    def warn_bc_breaking():
        warnings.warn('Backwards compatibility: New undefined gradient support checking feature is '
                      'enabled by default, but it may break existing callers of this function. If '
                      'this is true for you, you can call this function with '
                      '"check_undefined_grad=False" to disable the feature', UserWarning,
                      stacklevel=4)

    for k in range(len(outputs) if len(outputs) > 1 else 0):
        used = [o for m, o in enumerate(_differentiable_outputs(func(*inputs))) if m != k]
        zeros = [_wrap(np.zeros(o._data.shape, o._data.dtype)) for o in used]
        try:
            grads = _grad(used, diff_inputs, zeros, allow_unused=True)
        except RuntimeError as e:
            warn_bc_breaking()
            raise GradcheckError('Expected backward function to handle undefined output grads. '
                                 'Please look at "Notes about undefined output gradients" in '
                                 '"tools/autograd/derivatives.yaml"') from e
        for g in grads:
            if g is not None and not np.all(g._data == 0):
                warn_bc_breaking()
                raise GradcheckError('Expected all input grads to be undefined or zero when all '
                                     'output grads are undefined or zero. Please look at "Notes '
                                     'about undefined output gradients" in '
                                     '"tools/autograd/derivatives.yaml"')


def _test_batched_grad(inputs, output, output_idx) -> None:
    """VJPs for a batch of grad_outputs in one call (is_grads_batched) must equal a loop."""
    diff_inputs = [inputs[p] for p in _diff_input_positions(inputs)]
    rng = np.random.default_rng(1)
    batch = [rng.standard_normal(output._data.shape).astype(output._data.dtype) for _ in range(2)]
    expected = [_vjps(output, diff_inputs, _wrap(b)) for b in batch]
    result = _grad(output, diff_inputs, _wrap(np.stack(batch)), retain_graph=True,
                   allow_unused=True, is_grads_batched=True)
    for k, (res, inp) in enumerate(zip(result, diff_inputs)):
        exp = [e[k] for e in expected]
        if res is None and all(e is None for e in exp):
            continue
        exp = np.stack([np.zeros(inp._data.shape) if e is None else e._data for e in exp])
        if res is None or not np.allclose(res._data, exp, rtol=1e-5, atol=1e-8):
            raise GradcheckError(
                f"For output {output_idx} and input {k}:\n\n"
                "gradcheck or gradgradcheck failed while testing batched gradient computation: "
                "the VJPs computed in one batched call differ from those computed one at a time.")


# ------------------------------------------------------------------------------------------------
# the public functions
# ------------------------------------------------------------------------------------------------

def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None) -> bool:
    """Check the gradients of `func` at `inputs` against central finite differences.

    func      takes the tensors of `inputs` (a Tensor or a tuple; non-Tensors are passed
              through) and returns a Tensor or a tuple of Tensors.
    inputs    only the tensors with requires_grad=True are perturbed and checked; use float64.
    eps       finite-difference step;  atol, rtol  tolerances of the comparison.
    raise_exception   raise GradcheckError with a report (default), or return False.
    nondet_tol        allowed difference between two runs of the same backward.
    fast_mode         compare vᵀ J u for random u, v instead of the whole Jacobian.

    Returns True when every check passes.  zerograd has no forward-mode AD and no vmap, so
    check_forward_ad and check_batched_forward_grad raise NotImplementedError, and
    check_batched_grad works only once `autograd.grad(is_grads_batched=True)` does.  `masked`
    concerns sparse tensors and is accepted for compatibility."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to "
                             "be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to be "
                             "True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires check_forward_ad "
                             "to be True")
    if check_forward_ad:
        raise NotImplementedError("check_forward_ad=True: zerograd has no forward-mode AD (only "
                                  "reverse mode), so there are no forward gradients to check. "
                                  "Use check_forward_ad=False.")
    try:
        return _gradcheck_helper(func, inputs, eps=eps, atol=atol, rtol=rtol,
                                 nondet_tol=nondet_tol, check_undefined_grad=check_undefined_grad,
                                 check_grad_dtypes=check_grad_dtypes,
                                 check_batched_grad=check_batched_grad, fast_mode=fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False


# `zerograd.autograd.gradcheck` names the function (the package imports it over the module's
# name, as torch does); make `zerograd.autograd.gradcheck.GradcheckError` work all the same.
gradcheck.GradcheckError = GradcheckError


def _gradcheck_helper(func, inputs, *, eps, atol, rtol, nondet_tol, check_undefined_grad,
                      check_grad_dtypes, check_batched_grad, fast_mode) -> bool:
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    positions = _diff_input_positions(inputs)
    func_out = func(*inputs)
    outputs = _differentiable_outputs(func_out)
    check = _fast_gradcheck if fast_mode else _slow_gradcheck
    check(func, inputs, positions, func_out, outputs, eps, rtol, atol, check_grad_dtypes,
          nondet_tol)
    if check_batched_grad:
        for k, o in enumerate(outputs):
            _test_batched_grad(inputs, o, k)
    if outputs:
        _test_backward_mul_by_grad_output(outputs, inputs)
    if check_undefined_grad and outputs:
        _test_undefined_backward_mode(func, outputs, inputs)
    return True


def _random_grad_outputs(outputs, noncontiguous: bool) -> tuple:
    """Uniform(-1, 1) tensors shaped like `outputs`, requiring grad, from a private seeded
    generator (reproducible; the global RNG is left alone)."""
    rng = np.random.default_rng(0)
    res = []
    for o in outputs:
        dtype = o._data.dtype if o._data.dtype.kind == "f" else np.dtype(np.float64)
        shape = o._data.shape
        if noncontiguous and o.numel() > 1:
            # every other element of a buffer twice as long: same values, strided memory
            arr = rng.uniform(-1, 1, shape + (2,)).astype(dtype)[..., 0]
        else:
            arr = rng.uniform(-1, 1, shape).astype(dtype)
        res.append(Tensor._make(arr, True, None, 0))
    return tuple(res)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False) -> bool:
    """Check second derivatives: gradcheck the backward pass of `func`.

    The function checked is  (inputs..., grad_outputs...) -> autograd.grad(func(inputs),
    diff_inputs, grad_outputs, create_graph=True)  - the VJP, seen as a function of both the
    point and the vector.  Its Jacobian w.r.t. the inputs holds the second derivatives of func;
    w.r.t. grad_outputs it checks that backward is linear in its vector.  Without
    `grad_outputs`, random ones (seeded, requiring grad) are made; with
    gen_non_contig_grad_outputs they are non-contiguous in memory."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev "
                             "to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to "
                             "be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be "
                             "True")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = _random_grad_outputs(_differentiable_outputs(func(*inputs)),
                                            gen_non_contig_grad_outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_go = len(grad_outputs)
    diff_input_idx = set(_diff_input_positions(inputs))
    diff_go_idx = {k for k, g in enumerate(grad_outputs) if g.requires_grad}

    def vjp_of_func(*args):
        xs = tuple(x.requires_grad_() if k in diff_input_idx else x
                   for k, x in enumerate(args[:len(args) - n_go]))
        gos = tuple(g.requires_grad_() if k in diff_go_idx else g
                    for k, g in enumerate(args[len(args) - n_go:]))
        outs = _differentiable_outputs(func(*xs))
        diff_xs = tuple(x for k, x in enumerate(xs) if k in diff_input_idx)
        grads = _grad(outs, diff_xs, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp_of_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev,
                     check_backward_ad=check_rev_over_rev, masked=masked)
