"""grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian - on zerograd's reverse-mode engine.

How a transform works here ("levels" without a functorch interpreter stack).  Each call makes
*private* stand-ins for the tensors it differentiates with respect to:

  * an input that does not require grad becomes a fresh leaf `x.detach().requires_grad_()`;
  * an input that already requires grad (the caller's autograd, or an enclosing transform)
    becomes a view `x.view_as(x)` - still connected to everything outside, yet a distinct node,
    so `autograd.grad(out, view)` counts only the paths through this level's use of x.

The function runs on the stand-ins; `autograd.grad` then gives the derivatives.  Whether the
results must themselves be differentiable (create_graph=True) is decided by looking at the
output's graph: if it reaches a leaf that is not one of this call's private leaves - a tensor of
an enclosing transform, or one the caller tracks - the results depend on it and keep their
graph (that is what makes grad(grad(f)) and jacrev(jacrev(f)) work); otherwise they are plain
tensors, which is what torch.func returns at the outermost level.

Forward mode (jvp, jacfwd) is computed by reverse mode: jvp with the double-VJP trick (g(u) =
uᵀJ is linear in u, so its VJP with v is Jv), jacfwd as jacrev.  The values equal torch's
forward-mode results up to rounding.
"""
from __future__ import annotations

import functools

from .. import grad_mode
from ..tensor import Tensor
from . import _pytree as pytree

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


# ------------------------------------------------------------------------------------------------
# levels: private stand-ins, "does this depend on anything outside", unwrapping results
# ------------------------------------------------------------------------------------------------

def _is_float(t) -> bool:
    return t.dtype.is_floating_point or t.dtype.is_complex


def _private(t, private_ids, *, api="rev"):
    """This level's stand-in for the input tensor t (see the module docstring)."""
    if not _is_float(t):
        if api == "fwd":
            raise ValueError(f"Expected primal to be floating point or complex, but got: "
                             f"{t.dtype}")
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if t.requires_grad:
        return t.view_as(t)
    p = t.detach().requires_grad_(True)
    private_ids.add(id(p))
    return p


def _depends_on_outer(tensors, private_ids) -> bool:
    """Whether the graph of any of `tensors` reaches a leaf requiring grad that is not private."""
    from ..autograd.function import AccumulateGrad, edges_of
    stack = []
    for t in tensors:
        if not isinstance(t, Tensor) or not t.requires_grad:
            continue
        fn = t.grad_fn
        if fn is None:
            if id(t) not in private_ids:
                return True
        else:
            stack.append(fn)
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in private_ids:
                return True
            continue
        for child in edges_of(node):
            if child is not None:
                stack.append(child)
    return False


def _unwrap(tree, private_ids, outer_grad: bool):
    """Results leave the level: a tensor stays connected only where it depends on the outside."""
    def one(t):
        if not isinstance(t, Tensor) or not t.requires_grad:
            return t
        if outer_grad and _depends_on_outer((t,), private_ids):
            return t
        return t.detach()
    return pytree.tree_map(one, tree)


def _zeros_like(t):
    from ..ops import zeros_like
    return zeros_like(t)


def _autograd_grad(outputs, inputs, grad_outputs, *, create_graph, retain_graph=None):
    """autograd.grad over the outputs that require grad; None where an input is unused."""
    from ..autograd import grad as _grad
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not kept or not inputs:
        return [None] * len(inputs)
    res = _grad([o for o, _ in kept], list(inputs), [g for _, g in kept],
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
    return list(res)


# ------------------------------------------------------------------------------------------------
# argument checks
# ------------------------------------------------------------------------------------------------

def _check_argnums(argnums, nargs):
    """argnums normalised to a tuple of non-negative ints (torch's checks and messages)."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        nums = (argnums,)
    elif isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        for a in argnums:
            if not isinstance(a, int) or isinstance(a, bool):
                raise RuntimeError(f"argnum must be int, got: {type(a)}")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        nums = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    out = []
    for a in nums:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
        out.append(a % nargs)
    return tuple(out)


def _check_tensor_leaves(leaves):
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")


def _check_aux(aux):
    for x in pytree.tree_leaves(aux):
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")


def _split_aux(output, prefix):
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{prefix}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    _check_aux(output[1])
    return output


class _Diff:
    """The differentiated arguments of one call: positions, pytree specs, private leaves."""

    def __init__(self, args, argnums, private_ids, api="rev"):
        self.args = list(args)
        self.argnums = argnums
        self.specs = []
        self.leaves = []            # one list of private leaves per argnum
        for a in argnums:
            flat, spec = pytree.tree_flatten(self.args[a])
            _check_tensor_leaves(flat)
            priv = [_private(t, private_ids, api=api) for t in flat]
            self.args[a] = pytree.tree_unflatten(priv, spec)
            self.specs.append(spec)
            self.leaves.append(priv)

    @property
    def flat(self):
        return [p for group in self.leaves for p in group]

    def regroup(self, flat_results, single: bool):
        """Per-leaf results (in `flat` order) back into the arguments' structures."""
        out, i = [], 0
        for spec, group in zip(self.specs, self.leaves):
            out.append(pytree.tree_unflatten(flat_results[i:i + len(group)], spec))
            i += len(group)
        return out[0] if single else tuple(out)


# ------------------------------------------------------------------------------------------------
# grad / grad_and_value
# ------------------------------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux=False):
    """grad_and_value(f)(*args) -> (gradient, f(*args)); with has_aux, f returns (output, aux)
    and the result is (gradient, (output, aux)).  See `grad`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = grad_mode.is_grad_enabled()
        nums = _check_argnums(argnums, len(args))
        private_ids = set()
        with grad_mode.enable_grad():
            diff = _Diff(args, nums, private_ids)
            output = func(*diff.args, **kwargs)
            if has_aux:
                output, aux = _split_aux(output, "grad_and_value(f)(*args)")
            if not isinstance(output, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {output.dim()} dims. Maybe "
                                   "you wanted to use the vjp or jacrev APIs instead?")
            flat = diff.flat
            need = outer and _depends_on_outer((output,), private_ids)
            grads = _autograd_grad([output], flat, [None], create_graph=need)
            grads = [_zeros_like(p) if g is None else g for g, p in zip(grads, flat)]
        result = diff.regroup(grads, isinstance(argnums, int))
        result = _unwrap(result, private_ids, outer)
        value = _unwrap((output, aux) if has_aux else output, private_ids, outer)
        return result, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar-valued `func` with respect to its argument(s) `argnums` (an int
    or a tuple of ints; each argument may be a pytree of tensors): grad(f)(x) == ∇f(x), shaped
    like x.  Composes: grad(grad(f)) is the second derivative.  With has_aux, f returns
    (output, aux) and the result is (gradient, aux).  Inputs not used by f get zeros."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g
    return wrapper


# ------------------------------------------------------------------------------------------------
# vjp
# ------------------------------------------------------------------------------------------------

def _check_outputs(flat, prefix, float_prefix=None):
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{prefix}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    if float_prefix is not None:
        for o in flat:
            if not _is_float(o):
                raise RuntimeError(f"{float_prefix}: All outputs of f must be floating-point or "
                                   f"complex Tensors, got Tensor with dtype {o.dtype}")


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn) - and aux with has_aux.  vjp_fn(cotangents) takes cotangents
    shaped like the output (same pytree) and returns a tuple with one vector-Jacobian product
    per primal (each shaped like that primal); it may be called more than once."""
    outer = grad_mode.is_grad_enabled()
    private_ids = set()
    with grad_mode.enable_grad():
        diff = _Diff(primals, tuple(range(len(primals))), private_ids)
        output = func(*diff.args)
        if has_aux:
            output, aux = _split_aux(output, "vjp(f, *primals)")
        flat_out, out_spec = pytree.tree_flatten(output)
        _check_outputs(flat_out, "vjp(f, *primals)", "vjp(f, ...)")
        need = outer and _depends_on_outer(flat_out, private_ids)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        flat_ct, ct_spec = pytree.tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {pytree.treespec_pprint(ct_spec)}, "
                f"primal output: {pytree.treespec_pprint(out_spec)}")
        for i, (c, o) in enumerate(zip(flat_ct, flat_out)):
            if not isinstance(c, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(c)}")
            if c.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{c.shape} and output[{i}] has a shape of {o.shape}.")
        now = grad_mode.is_grad_enabled()
        if create_graph is None:
            create_graph = now and (need or any(c.requires_grad for c in flat_ct))
        flat = diff.flat
        with grad_mode.enable_grad():
            grads = _autograd_grad(flat_out, flat, flat_ct, create_graph=create_graph,
                                   retain_graph=retain_graph)
            grads = [_zeros_like(p) if g is None else g for g, p in zip(grads, flat)]
        return _unwrap(diff.regroup(grads, False), private_ids, now)

    output = _unwrap(output, private_ids, outer)
    if has_aux:
        return output, vjp_fn, _unwrap(aux, private_ids, outer)
    return output, vjp_fn


# ------------------------------------------------------------------------------------------------
# jvp (double-VJP trick)
# ------------------------------------------------------------------------------------------------

def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J·tangents) - and aux with has_aux.  `primals` and `tangents` are tuples
    of the same structure.  Computed by reverse mode (the double-VJP trick), not forward AD."""
    prefix = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{prefix}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    flat_p, p_spec = pytree.tree_flatten(primals)
    flat_t, t_spec = pytree.tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{prefix}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents "
                           f"also must be. Got primals with structure {p_spec} and tangents with "
                           f"structure {t_spec}")
    if len(flat_p) == 0:
        raise RuntimeError(f"{prefix}: Expected primals to contain at least one Tensor.")
    for p in flat_p:
        if not isinstance(p, Tensor):
            raise RuntimeError(f"{prefix}: Expected primals to only contain Tensors, got "
                               f"{type(p)}")
    for t in flat_t:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{prefix}: Expected tangents to only contain Tensors, got "
                               f"{type(t)}")
    for p, t in zip(flat_p, flat_t):
        if p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than "
                               "that of the original Tensor, this is not supported. Tensor is of "
                               f"size {list(p.shape)} while the given forward gradient is of "
                               f"size {list(t.shape)}.")
    return _jvp(func, primals, flat_t, has_aux, prefix)


def _jvp(func, primals, flat_t, has_aux, prefix):
    outer = grad_mode.is_grad_enabled()
    private_ids = set()
    with grad_mode.enable_grad():
        diff = _Diff(primals, tuple(range(len(primals))), private_ids, api="fwd")
        output = func(*diff.args)
        if has_aux:
            output, aux = _split_aux(output, prefix)
        flat_out, out_spec = pytree.tree_flatten(output)
        _check_outputs(flat_out, prefix)
        need = outer and (_depends_on_outer(flat_out, private_ids)
                          or any(t.requires_grad for t in flat_t))
        flat = diff.flat
        diff_out = [o for o in flat_out if o.requires_grad and _is_float(o)]
        dummies = []
        for o in diff_out:
            u = _zeros_like(o).requires_grad_(True)
            private_ids.add(id(u))
            dummies.append(u)
        g = _autograd_grad(diff_out, flat, dummies, create_graph=True)        # uᵀ J
        pairs = [(gi, t) for gi, t in zip(g, flat_t) if gi is not None and gi.requires_grad]
        jv = _autograd_grad([gi for gi, _ in pairs], dummies,
                            [t.to(gi.dtype) for gi, t in pairs], create_graph=need)   # J v
        by_id = {id(o): j for o, j in zip(diff_out, jv)}
        tangents_out = []
        for o in flat_out:
            j = by_id.get(id(o))
            tangents_out.append(_zeros_like(o) if j is None else j)
    out = _unwrap(output, private_ids, outer)
    tan = _unwrap(pytree.tree_unflatten(tangents_out, out_spec), private_ids, outer)
    if has_aux:
        return out, tan, _unwrap(aux, private_ids, outer)
    return out, tan


# ------------------------------------------------------------------------------------------------
# jacrev / jacfwd / hessian
# ------------------------------------------------------------------------------------------------

def _jacobian(func, argnums, has_aux, args, kwargs, fwd: bool):
    """The Jacobian blocks, one backward pass per output element, arranged as torch does: the
    output's pytree on the outside, per output leaf the argument(s)' pytree(s) inside."""
    from ..ops.join import stack
    outer = grad_mode.is_grad_enabled()
    nums = _check_argnums(argnums, len(args))
    private_ids = set()
    with grad_mode.enable_grad():
        if fwd:
            for a in nums:
                for t in pytree.tree_leaves(args[a]):
                    if not isinstance(t, Tensor):
                        raise AttributeError(f"'{type(t).__name__}' object has no attribute "
                                             "'numel'")
        diff = _Diff(args, nums, private_ids, api="fwd" if fwd else "rev")
        output = func(*diff.args, **kwargs)
        if has_aux:
            output, aux = _split_aux(output, "jvp(f, primals, tangents)" if fwd
                                     else "vjp(f, *primals)")
        flat_out, out_spec = pytree.tree_flatten(output)
        if fwd:
            _check_outputs(flat_out, "jvp(f, primals, tangents)")
        else:
            _check_outputs(flat_out, "vjp(f, *primals)", "vjp(f, ...)")
        need = outer and _depends_on_outer(flat_out, private_ids)
        flat = diff.flat
        blocks = []
        for o in flat_out:
            rows = [[] for _ in flat]
            n = o.numel()
            if o.requires_grad and n:
                flat_o = o.reshape(-1)
                for k in range(n):
                    e = _zeros_like(flat_o)
                    e._data[k] = 1
                    gs = _autograd_grad([flat_o], flat, [e], create_graph=need,
                                        retain_graph=True)
                    for j, (gk, p) in enumerate(zip(gs, flat)):
                        rows[j].append(_zeros_like(p) if gk is None else gk)
            per_leaf = []
            for j, p in enumerate(flat):
                shape = tuple(o.shape) + tuple(p.shape)
                if rows[j]:
                    per_leaf.append(stack(rows[j]).reshape(shape))
                else:
                    from ..ops import zeros
                    per_leaf.append(zeros(shape, dtype=p.dtype))
            blocks.append(diff.regroup(per_leaf, isinstance(argnums, int)))
    jac = _unwrap(pytree.tree_unflatten(blocks, out_spec), private_ids, outer)
    if has_aux:
        return jac, _unwrap(aux, private_ids, outer)
    return jac


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of `func` w.r.t. argument(s) `argnums` by reverse mode: for an output of
    shape O and an input of shape I the block has shape O + I.  Pytrees of outputs and inputs
    are nested output-outside.  chunk_size only batches torch's passes: the values are the same
    (one backward pass per output element here, whatever it is)."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, args, kwargs, fwd=False)
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of `func` w.r.t. argument(s) `argnums`, laid out as `jacrev`'s.  torch uses
    forward mode; zerograd computes the same matrix by reverse mode (equal up to rounding).
    randomness='error' raises torch's error when `func` draws from the default generator."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if randomness not in ("error", "different", "same"):
            raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                               f"'same'. Got {randomness}")
        if randomness != "error":
            return _jacobian(func, argnums, has_aux, args, kwargs, fwd=True)
        from ._vmap import _rng_guard
        with _rng_guard():
            return _jacobian(func, argnums, has_aux, args, kwargs, fwd=True)
    return wrapper


def hessian(func, argnums=0):
    """The Hessian of a scalar `func` w.r.t. argument(s) `argnums`: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)
