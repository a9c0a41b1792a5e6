"""vmap - by running the function once per batch element.

zerograd has no batching rules (no BatchedTensor), so `vmap(f)(x)` is literally

    torch.stack([f(x.select(in_dim, i)) for i in range(batch_size)], dim=out_dim)

with the unbatched arguments (in_dim None) passed unchanged to every call.  For a pure function
the result equals torch's; it costs one Python-level call of `f` per element (no speed-up over
a loop), and it keeps autograd working through it (select and stack are differentiable).

What follows from looping rather than tracing (torch would differ):
  * f sees per-example tensors without the batch dimension, as in torch, but they are ordinary
    tensors: `.item()`, data-dependent Python control flow and in-place writes into an
    unbatched argument all "work" here, where torch raises.
  * randomness='error' is detected by the default generator's state changing during a call to
    f, and raised after that call returns (torch raises at the random op); draws from an
    explicit `generator=` are not detected.  'same' restores the generator state before each
    element; 'different' just lets the draws continue (values differ from torch's batched draws).
  * out_dims=None for an output: allowed when every element gave equal values (torch decides
    by whether the output is batched, so e.g. `x * 0` is an error there and allowed here).
  * a batch of size 0 runs f once on zero-filled per-example inputs to learn the output shapes.
"""
from __future__ import annotations

import contextlib
import functools

from ..tensor import Tensor
from . import _pytree as pytree

__all__ = ["vmap"]

_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either "
                 "use the 'same' or 'different' randomness flags on vmap or perform the randomness "
                 "operation out of vmap")


def _rng_state() -> bytes:
    from ..ops.random import default_generator
    return default_generator.get_state()._data.tobytes()


@contextlib.contextmanager
def _rng_guard():
    """Raise torch's randomness-error if the default generator was drawn from in the block."""
    from ..ops.random import default_generator
    state = default_generator.get_state()
    before = state._data.tobytes()
    yield
    if _rng_state() != before:
        default_generator.set_state(state)          # (torch raises before drawing anything)
        raise RuntimeError(_RANDOM_ERROR)


def _get_name(func) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_out_dims(out_dims, name):
    for d in pytree.tree_leaves(out_dims):
        if d is not None and not _is_int(d):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                             "None or a python collection of ints representing where in the "
                             "outputs the vmapped dimension should appear.")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Map `func` over a dimension of its inputs: vmap(f)(x)[i] == f(x[i]).

    NOTE: zerograd has no batching rules.  This vmap calls `func` once per batch element - each
    call gets the batched inputs sliced at that element along their in_dim (inputs with in_dim
    None are passed whole) - and stacks the outputs along out_dims.  Results equal torch's for
    pure functions (nested vmap and vmap(grad(f)) included); it is a Python loop, not a
    vectorised kernel.  See the module docstring of zerograd.func._vmap for the differences
    this implies (.item(), in-place writes, randomness detection, out_dims=None).

    in_dims: an int (every argument) or a tuple with one entry per positional argument, each an
    int, None or a pytree prefix of that argument.  out_dims: likewise for the outputs.  kwargs
    are passed unbatched.  randomness: 'error' (raise if func draws random numbers), 'same'
    (every element sees the same draws) or 'different'.  chunk_size is accepted and ignored
    (the loop already runs one element at a time)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and not (_is_int(chunk_size) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        name = _get_name(func)
        _check_out_dims(out_dims, name)
        flat_args, args_spec, flat_in_dims, size = _process_inputs(name, in_dims, args)
        outs = _run(func, flat_args, args_spec, flat_in_dims, size, kwargs, randomness)
        return _stack_outputs(name, outs, out_dims, size)
    return wrapped


def _process_inputs(name, in_dims, args):
    if not (_is_int(in_dims) or isinstance(in_dims, tuple)):
        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to "
                         "be int or a (potentially nested) tuple matching the structure of inputs, "
                         f"got: {type(in_dims)}.")
    if len(args) == 0:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no inputs. The "
                         "latter is unsupported.")
    flat_args, args_spec = pytree.tree_flatten(args)
    flat_in_dims = pytree.broadcast_prefix(in_dims, args_spec)
    if flat_in_dims is None:
        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                         "compatible with the structure of `inputs`. in_dims has structure "
                         f"{pytree.tree_flatten(in_dims)[1]} but inputs has structure "
                         f"{args_spec}.")
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    norm = []
    for arg, d in zip(flat_args, flat_in_dims):
        if d is not None and not isinstance(d, int):
            raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be either an "
                             "integer dimension or None.")
        if d is not None and not isinstance(arg, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type "
                             f"{type(arg)}. We cannot vmap over non-Tensor arguments, please use "
                             "None as the respective in_dim")
        if d is not None:
            if isinstance(d, bool):
                raise TypeError("size(): argument 'dim' (position 1) must be int, not bool")
            nd = arg.dim()
            if not -nd <= d < nd:
                raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            d = d % nd
        norm.append(d)
    sizes = [arg.shape[d] for arg, d in zip(flat_args, norm) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return flat_args, args_spec, norm, sizes[0]


def _run(func, flat_args, args_spec, flat_in_dims, size, kwargs, randomness):
    """func on each element: the list of its outputs (one element's, for a size-0 batch)."""
    if size == 0:                       # learn the output structure from one zero-filled call
        from ..ops import zeros
        elems = [[zeros(tuple(s for k, s in enumerate(a.shape) if k != d), dtype=a.dtype)
                  if d is not None else a for a, d in zip(flat_args, flat_in_dims)]]
    else:
        elems = ([a.select(d, i) if d is not None else a for a, d in zip(flat_args, flat_in_dims)]
                 for i in range(size))
    from ..ops.random import default_generator
    outs = []
    start = default_generator.get_state() if randomness != "different" else None
    start_bytes = start._data.tobytes() if start is not None else None
    for i, flat in enumerate(elems):
        if randomness == "same" and i:
            default_generator.set_state(start)
        out = func(*pytree.tree_unflatten(flat, args_spec), **kwargs)
        if randomness == "error" and _rng_state() != start_bytes:
            default_generator.set_state(start)      # (torch raises before drawing anything)
            raise RuntimeError(_RANDOM_ERROR)
        outs.append(out)
    return outs


def _stack_outputs(name, outs, out_dims, size):
    from ..ops.join import stack
    flat0, spec = pytree.tree_flatten(outs[0])
    incompatible = ValueError(
        f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
        f"structure of `outputs`. out_dims has structure {pytree.tree_flatten(out_dims)[1]} but "
        f"outputs has structure {spec}.")
    if isinstance(outs[0], Tensor):
        if out_dims is None or _is_int(out_dims):
            flat_dims = [out_dims]
        elif isinstance(out_dims, tuple) and len(out_dims) == 1:
            flat_dims = [out_dims[0]]
        else:
            raise incompatible
    else:
        flat_dims = pytree.broadcast_prefix(out_dims, spec)
        if flat_dims is None:
            raise incompatible
    flats = [flat0]
    for o in outs[1:]:
        f, s = pytree.tree_flatten(o)
        if s != spec:
            raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different "
                             f"structures for different batch elements ({spec} and {s}); "
                             "zerograd's vmap loops over the batch and needs them to agree.")
        flats.append(f)
    result = []
    for j, d in enumerate(flat_dims):
        vals = [f[j] for f in flats]
        if d is None:
            v0 = vals[0]
            if isinstance(v0, Tensor) and size > 1 and not all(
                    isinstance(v, Tensor) and v.shape == v0.shape and bool((v == v0).all())
                    for v in vals[1:]):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 "when out_dim is None")
            result.append(v0)
            continue
        for v in vals:
            if not isinstance(v, Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                                 f"type {type(v)}. Did you mean to set out_dims= to None for "
                                 "output?")
        if size == 0:
            v0 = vals[0]
            nd = v0.dim() + 1
            if not -nd <= d < nd:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                                 f"{nd - 1}], but got {d})")
            shape = list(v0.shape)
            shape.insert(d % nd, 0)
            from ..ops import zeros
            result.append(zeros(tuple(shape), dtype=v0.dtype))
        else:
            result.append(stack(vals, dim=d))
    return pytree.tree_unflatten(result, spec)
