"""zerograd.func (`torch.func`): composable function transforms on zerograd's autograd.

    grad(f)(x)                     ∇f(x) for a scalar f           (grad(grad(f)) composes)
    grad_and_value(f)(x)           (∇f(x), f(x))
    vjp(f, x) -> (f(x), vjp_fn)    vjp_fn(v) = vᵀJ
    jvp(f, (x,), (v,))             (f(x), J v)                    (by the double-VJP trick)
    jacrev(f)(x), jacfwd(f)(x)     the Jacobian                    (both by reverse mode)
    hessian(f)(x)                  jacfwd(jacrev(f))
    vmap(f)(x)                     f mapped over a batch dimension (a loop over the batch:
                                   zerograd has no batching rules - see vmap's docstring)
    functional_call(m, params, args)   run a module with substituted parameters/buffers

Inputs and outputs may be pytrees (tuples, lists, dicts of tensors), as in torch.
Not provided: linearize, functionalize, debug_unwrap (and the einops `rearrange`).
"""
from ._functional_call import functional_call, replace_all_batch_norm_modules_, stack_module_state
from ._transforms import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp
from ._vmap import vmap

__all__ = ["grad", "grad_and_value", "vmap", "replace_all_batch_norm_modules_", "hessian",
           "jacfwd", "jacrev", "jvp", "vjp", "functional_call", "stack_module_state"]
