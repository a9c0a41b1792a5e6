"""zerograd.utils.checkpoint: activation checkpointing - trade compute for memory, as
`torch.utils.checkpoint`.

    from zerograd.utils.checkpoint import checkpoint
    h = checkpoint(block, h, use_reentrant=False)     # block's activations are not kept:
    loss.backward()                                    # block runs again when backward needs them

A checkpointed function's intermediate results are not kept for backward; only its inputs are.
When backward reaches the region, the function is run a second time (with the random number
generator's state of the first run, so dropout draws the same mask) and its gradients are computed
from the recomputed values.  Peak memory drops from all regions' activations to one region's, for
one more forward pass.

Two implementations, as in torch, chosen by `use_reentrant`:

use_reentrant=False (recommended)  The function runs with the graph recorded as usual; when it
    returns, the saved arrays of the nodes it created are dropped and each such node gets a
    pre-hook.  The first of them to run in backward recomputes the function and hands every
    node the arrays the new run saved (nodes are matched in creation order, the new run's node
    types and saved shapes checked against the first's: a function that behaves differently the
    second time raises CheckpointError instead of computing a wrong gradient).  Works with
    `autograd.grad`, `backward(inputs=...)`, `create_graph=True` and keyword arguments.
use_reentrant=True (torch's default when not given, with its warning)  A custom Function
    (`CheckpointFunctionBackward`): forward runs the function under no_grad; its backward runs
    it again with grad enabled and calls `autograd.backward` on the result from inside the
    engine.  Only `.backward()` without `inputs` can go through it.

Differences from torch: the recomputation always runs the whole function (torch's non-reentrant
variant may stop early once it has what it needs: the same values, some work saved);
`debug=True` is accepted and adds nothing (the errors name the mismatching nodes already); no
selective checkpointing (`create_selective_checkpoint_contexts`) and no device RNG states (CPU
only).
"""
from __future__ import annotations

import contextlib
import warnings
import weakref

import numpy as np

from .. import grad_mode as _gm
from ..autograd import engine as _engine
from ..autograd.function import (AccumulateGrad, Function, _holds_saved, _raise_modified,
                                  _SavedOutput, _seq, edges_of)
from ..ops import random as _random
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "noop_context_fn", "set_checkpoint_early_stop", "detach_variable",
           "check_backward_validity"]


class CheckpointError(RuntimeError):
    """The recomputation did not reproduce the forward pass (torch.utils.checkpoint's)."""


def noop_context_fn():
    """The default `context_fn`: no context for the forward run or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


_early_stop = [True]


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Accepted for torch compatibility: zerograd always recomputes the whole function (the
    values are the same either way)."""
    prev = _early_stop[0]
    _early_stop[0] = bool(enable)
    try:
        yield
    finally:
        _early_stop[0] = prev


_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
    "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               **kwargs):
    """`function(*args, **kwargs)`, with its intermediate results recomputed in backward instead
    of kept (torch.utils.checkpoint.checkpoint; see the module's docstring).

    preserve_rng_state (keyword, default True): the recomputation draws the same random numbers.
    use_reentrant: False is recommended; None warns, as torch 2.13, and means True."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (an nn.Sequential or a list of modules/functions) in order, split into
    `segments` runs of equal length; every run but the last is checkpointed."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
            "passed. use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details "
            "on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)


def check_backward_validity(inputs) -> None:
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def detach_variable(inputs):
    """Each Tensor of the tuple detached, keeping its requires_grad flag."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


# ------------------------------------------------------------------------------------------------
# use_reentrant=True: a Function whose backward runs forward again and backpropagates inside
# ------------------------------------------------------------------------------------------------

class CheckpointFunction(Function):
    """forward: the function under no_grad (nothing inside is recorded);  backward: the function
    again with grad enabled on detached inputs, autograd.backward through it, the inputs' .grad
    returned (the parameters inside got theirs from that inner backward)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = _random.get_rng_state()
        ctx.inputs = []
        ctx.tensor_indices = []
        tensor_inputs = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensor_inputs.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensor_inputs)
        with _gm.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *args):
        if not _engine.checkpoint_valid():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                "either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with _random.fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                _random.set_rng_state(ctx.fwd_cpu_state)
            detached_inputs = detach_variable(tuple(inputs))
            with _gm.enable_grad():
                outputs = ctx.run_function(*detached_inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outputs_with_grad, args_with_grad = [], []
        for i in range(len(outputs)):
            if isinstance(outputs[i], Tensor) and outputs[i].requires_grad:
                outputs_with_grad.append(outputs[i])
                args_with_grad.append(args[i])
        if not outputs_with_grad:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        from ..autograd import backward
        backward(outputs_with_grad, args_with_grad)
        grads = tuple(inp.grad if isinstance(inp, Tensor) else None for inp in detached_inputs)
        return (None, None) + grads


# ------------------------------------------------------------------------------------------------
# use_reentrant=False: drop the region's saved arrays now, recompute them on first use
# ------------------------------------------------------------------------------------------------

class _Dropped(tuple):
    """What a checkpointed node holds instead of its saved items until backward recomputes
    them (truthy: the engine still treats the node as holding saved items)."""

    def __new__(cls):
        return super().__new__(cls, (None,))

    def __iter__(self):
        raise RuntimeError("zerograd.utils.checkpoint: this node's saved tensors were dropped by "
                           "checkpoint(); they are recomputed when backward reaches the node "
                           "(run backward, or do not checkpoint this part to inspect them)")

    __getitem__ = __iter__


_DROPPED = _Dropped()


def _tensors_in(obj):
    """The Tensors in a (nested) result: tuples, lists and dict values."""
    stack, out = [obj], []
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            out.append(o)
        elif isinstance(o, (tuple, list)):
            stack.extend(reversed(o))
        elif isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
    return out


def _region(result, start: int, end: int) -> list:
    """The nodes created between sequence numbers start and end that the result's graph
    reaches, oldest first - leaves' AccumulateGrad nodes (created on first use, whether in the
    region or not) and nodes of inner checkpoints excluded."""
    seen, stack = set(), []
    for t in _tensors_in(result):
        fn = t._grad_fn
        if fn is not None and fn not in seen:
            seen.add(fn)
            stack.append(fn)
    nodes = []
    while stack:
        node = stack.pop()
        if not start < node._seq < end or type(node) is AccumulateGrad:
            continue
        nodes.append(node)
        for child in edges_of(node):
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    nodes.sort(key=lambda n: n._seq)
    return [n for n in nodes if not n.__dict__.get("_ckpt_owned")]


def _saved_meta(node) -> tuple:
    """(shape, dtype) of each array or Tensor a node saved: what the determinism check compares."""
    saved = node._saved
    items = saved if type(saved) in (tuple, list) else (saved,)
    meta = []
    for it in items:
        a = it._data if isinstance(it, Tensor) else it.data if type(it) is _SavedOutput else it
        meta.append((a.shape, str(a.dtype)) if isinstance(a, np.ndarray) else None)
    return tuple(meta)


class _Frame:
    """One checkpointed call: what recomputing it needs, and weak references to the nodes whose
    saved items it dropped (the nodes' hooks hold the frame; the frame does not hold them)."""

    def __init__(self, function, args, kwargs, rng_state, recompute_ctx, check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state, self.recompute_ctx, self.check = rng_state, recompute_ctx, check
        self.inputs = [(t, t._version) for t in _tensors_in((args, kwargs))]
        self.types = []         # type of every region node, in order
        self.dropped = []       # (index in the region, weakref to the node, saved metadata, hook)
        self.done = False

    def drop(self, nodes) -> None:
        self.types = [type(n) for n in nodes]
        hook = self.unpack
        for i, node in enumerate(nodes):
            node._ckpt_owned = True
            if not _holds_saved(node._saved):
                continue
            meta = _saved_meta(node) if self.check else None
            node._saved = _DROPPED
            node._saved_versions = None
            handle = node.register_prehook(hook)
            self.dropped.append((i, weakref.ref(node), meta, handle))

    def unpack(self, grad_outputs=None):
        """The pre-hook of every node that lost its saved items: the first call recomputes."""
        if self.done:
            return None
        for t, v in self.inputs:
            if t._version != v:
                _raise_modified(t, v, t._version, None)
        with contextlib.ExitStack() as stack:
            if self.rng_state is not None:
                stack.enter_context(_random.fork_rng())
                _random.set_rng_state(self.rng_state)
            stack.enter_context(_gm.enable_grad())
            stack.enter_context(self.recompute_ctx)
            start = next(_seq)
            result = self.function(*self.args, **self.kwargs)
            end = next(_seq)
        fresh = _region(result, start, end)
        if [type(n) for n in fresh] != self.types:
            raise CheckpointError(
                "torch.utils.checkpoint: the recomputation of a checkpointed function recorded "
                f"different operations than its forward pass (forward: "
                f"{[t.__name__ for t in self.types]}; recomputation: "
                f"{[type(n).__name__ for n in fresh]}). The function must do the same thing "
                "every time it is called: no branching on global state or on random values "
                "unless preserve_rng_state=True.")
        for i, ref, meta, handle in self.dropped:
            new = fresh[i]
            if meta is not None and _saved_meta(new) != meta:
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    "different metadata than during the forward pass.\n"
                    f"node {i} ({type(new).__name__}): saved metadata {meta}, recomputed "
                    f"metadata {_saved_meta(new)}")
            node = ref()
            if node is not None:
                if node._saved is _DROPPED:
                    node._saved = new._saved
                    node._saved_versions = new._saved_versions
                handle.remove()
                if not (node._pre_hooks or node._post_hooks or node._tensor_pre_hooks
                        or node._retain_hooks):
                    node._has_hooks = False     # (a retained graph runs its fast path again)
        self.done = True
        self.args = self.kwargs = self.function = None      # (the recomputation is done)
        return None


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, args,
                                  kwargs):
    forward_ctx, recompute_ctx = context_fn()
    if not _gm.is_grad_enabled():           # nothing is recorded: nothing to recompute
        with forward_ctx:
            return function(*args, **kwargs)
    rng_state = _random.get_rng_state() if preserve else None
    start = next(_seq)
    with forward_ctx:
        result = function(*args, **kwargs)
    end = next(_seq)
    frame = _Frame(function, args, kwargs, rng_state, recompute_ctx,
                   determinism_check == "default")
    frame.drop(_region(result, start, end))
    return result

