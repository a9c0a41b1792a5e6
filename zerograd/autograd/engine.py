"""The backward engine: one iterative reverse sweep over the recorded graph.

A node may run only when every node that feeds it a gradient has run.  So we first count, for
each node, how many edges point at it ("dependencies"), then repeatedly run a node whose count
has dropped to zero.  Among ready nodes we take the most recently created one (largest sequence
number): for a graph recorded as a tape that is exactly reverse creation order, and it makes the
order of gradient summation - hence float rounding - deterministic, as in PyTorch's engine.

Nothing here recurses, so a chain 10^6 nodes deep backpropagates without touching Python's
recursion limit.  Saved tensors are released as soon as their node has run (unless
`retain_graph`), gradients summed into per-node input buffers are dropped once consumed.

`autograd.grad(outputs, inputs)` uses the same sweep but *captures* the gradient arriving at each
input instead of writing `.grad`, and first prunes every node that cannot reach an input.
"""
from __future__ import annotations

import gc
import heapq
import operator
import warnings

import numpy as np

from .. import grad_mode
from ..tensor import Tensor
from .function import (_RELEASED, _TYPE_NAMES, DATA_SWAP, AccumulateGrad, ExactMetas, GraphRoot,
                       _anomaly, _checked_np, _fix_np, _holds_saved, edges_of, make_accumulator)

_state = grad_mode._state

# The tracing hook: None, or a callable with run_backward's signature that runs a recording copy
# of the sweep (set by zerograd.viz.trace_backward and zerograd.debug.provenance).  It is checked
# once per backward, so the loop below stays as it is and tracing costs nothing when off.
_tracer = None


def _edge_of(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (make_accumulator(t), 0)
    return None


def plan_root(roots, seeds):
    """The GraphRoot node whose 'backward' hands the seeds to the roots' nodes."""
    edges = []
    for i, t in enumerate(roots):
        e = _edge_of(t)
        if e is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn. Fix: create the inputs with requires_grad=True (or call "
                               ".requires_grad_()), and do not compute them under no_grad().")
        edges.append(e)
    return GraphRoot(edges, tuple(seeds))


def plan(roots, seeds, inputs):
    """Everything before the sweep: the GraphRoot, the capture targets, and - in one iterative
    pass - each node's dependency count (pruned to the nodes that lead to an input when
    capturing).  Shared with viz.trace_backward's recording sweep."""
    root = plan_root(roots, seeds)

    # ---- capture targets (autograd.grad, backward(inputs=...)) ------------------------------
    captures = None
    if inputs is not None:
        captures = {}
        for k, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            node, nr = _edge_of(t)
            captures.setdefault(node, []).append((nr, k))
        captured = [None] * len(inputs)
    else:
        captured = None

    # ---- pass 1: discover the graph and count dependencies (iteratively) -------------------
    deps = {}
    stack, seen = [root], {root}
    if captures is None:
        while stack:
            node = stack.pop()
            for child in edges_of(node):
                if child is None:
                    continue
                deps[child] = deps.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        executes = None
    else:
        while stack:
            node = stack.pop()
            for child in edges_of(node):
                if child is not None and child not in seen:
                    seen.add(child)
                    stack.append(child)
        # children are always created before their parents (smaller seq), so one pass in
        # seq order decides which nodes lead to a capture target: they must execute.
        reach, executes = set(), set()
        for node in sorted(seen, key=_seq_key):
            if any(c in reach for c in edges_of(node) if c is not None):
                executes.add(node)
                reach.add(node)
            elif node in captures:
                reach.add(node)
        for node in executes:
            for child in edges_of(node):
                if child in reach:
                    deps[child] = deps.get(child, 0) + 1

    return root, captures, captured, deps, executes


def run_backward(roots, seeds, *, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True):
    """Backpropagate `seeds` from `roots`.

    accumulate=True  (Tensor.backward / autograd.backward): write into `.grad` of the leaves, or
                     of `inputs` only when given.
    accumulate=False (autograd.grad): return the gradients captured at `inputs`, None if unused.

    NumPy's floating-point warnings are off while it runs (1/0 = inf, as torch, silently - also
    where the user turned warnings into errors, which the module filter of zerograd.ops cannot
    override); one errstate for the whole backward."""
    with np.errstate(all="ignore"):
        return _run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                             inputs=inputs, accumulate=accumulate)


def _run_backward(roots, seeds, *, retain_graph: bool, create_graph: bool, inputs=None,
                  accumulate: bool = True):
    if _tracer is not None:
        return _tracer(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                       inputs=inputs, accumulate=accumulate)
    if not create_graph and inputs is None:         # loss.backward(): the hot path
        return _sweep(roots, seeds, retain_graph)
    if inputs is not None and _checkpoint_valid[0]:
        _checkpoint_valid[0] = False                # (reentrant checkpoints refuse to run)
        try:
            return run_backward(roots, seeds, retain_graph=retain_graph,
                                create_graph=create_graph, inputs=inputs, accumulate=accumulate)
        finally:
            _checkpoint_valid[0] = True
    root, captures, captured, deps, executes = plan(roots, seeds, inputs)
    # Without create_graph nothing needs differentiating again, so the sweep passes plain NumPy
    # arrays between nodes (`node._apply_np`): no Tensor is made per gradient.  With it, grads
    # are Tensors and each node's backward records its own graph.
    raw = not create_graph
    if raw:
        root._grads = tuple([None if g is None else g._data for g in root._grads])

    # ---- pass 2: run ready nodes, newest first --------------------------------------------
    buffers = {}
    ready = [(-root._seq, root)]
    prev = _state.enabled
    _state.enabled = create_graph
    heappop, heappush = heapq.heappop, heapq.heappush
    # Pause Python's cycle collector while the sweep runs: the graph is freed by reference
    # counting as nodes run, so a collection finds nothing, yet a full one would walk every node
    # of a large live graph (measured: up to 3x the time of the backward itself).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    anomaly = _anomaly.enabled
    try:
        while ready:
            node = heappop(ready)[1]
            grads = buffers.pop(node, None)
            if node is not root:
                if grads is None:           # every incoming gradient was None
                    grads = [None] * node._num_outputs
                hooked = node._has_hooks
                # A captured node that runs on (an input further up needs it) gives what flows
                # in before its tensor hooks, one that stops here gives it after them (torch's).
                cap = () if captures is None else captures.get(node, ())
                stops = captures is not None and node not in executes
                if cap and not stops:
                    for nr, k in cap:
                        captured[k] = grads[nr]
                if hooked and (node._tensor_pre_hooks is not None or node._retain_hooks is not None):
                    if raw:
                        grads = _wrap(grads)
                        _run_tensor_hooks(node, grads)
                        grads = _unwrap(grads)
                    else:
                        _run_tensor_hooks(node, grads)
                if stops:
                    for nr, k in cap:
                        captured[k] = grads[nr]
                    continue
                if (grads[0] is None if len(grads) == 1 else all(g is None for g in grads)):
                    out = (None,) * len(edges_of(node))
                elif hooked or anomaly:     # the rare paths speak Tensors
                    out = _unwrap(_call_node(node, _wrap(grads), True)) if raw else _call_node(node, grads)
                elif raw:
                    out = node._apply_np(grads)
                else:
                    out = node._apply(grads)
                if not retain_graph and _holds_saved(node._saved):
                    node._release()
            else:
                out = node._grads
            for child, nr, g in zip(edges_of(node), node._nrs, out):
                n = deps.get(child)
                if n is None:           # no edge (child is None), or pruned by autograd.grad
                    continue
                if g is not None:
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * child._num_outputs
                        buf[nr] = g
                    else:
                        old = buf[nr]
                        if old is None:
                            buf[nr] = g
                        else:   # same shape and dtype (validated by the producer)
                            g = old + g
                            if raw and type(g) is not _ndarray:     # 0-d sums come back as
                                g = np.asarray(g)                   # NumPy scalars
                            buf[nr] = g
                if n == 1:
                    del deps[child]
                    if type(child) is AccumulateGrad:
                        g = buffers.pop(child, (None,))[0]
                        if g is not None:
                            _run_leaf(child, g, raw, create_graph, captures, captured)
                    else:
                        heappush(ready, (-child._seq, child))
                else:
                    deps[child] = n - 1
    finally:
        _state.enabled = prev
        if gc_was_enabled:
            gc.enable()

    if captures is None:
        return None
    if raw:
        captured = [None if g is None else Tensor._make(g, False, None, 0) for g in captured]
    if accumulate:  # backward(inputs=...): write the captured grads into .grad
        for t, g in zip(inputs, captured):
            if g is not None:
                with grad_mode.set_grad_enabled(create_graph):
                    _accumulate_into(t, g, create_graph)
        return None
    return tuple(captured)


_checkpoint_valid = [True]


def checkpoint_valid() -> bool:
    """False inside a backward that captures gradients (autograd.grad, backward(inputs=...)),
    where a reentrant checkpoint cannot run (torch.autograd._is_checkpoint_valid)."""
    return _checkpoint_valid[0]


def _seq_key(node):
    return node._seq


_by_seq = operator.attrgetter("_seq")


def _sweep(roots, seeds, retain_graph):
    """`loss.backward()` (no create_graph, no inputs=): the same sweep as run_backward's, in its
    cheapest form.  Every node is created after the nodes it points at, so running the graph's
    nodes in decreasing sequence number runs each one after all of its gradients have arrived -
    the order run_backward's ready queue produces - with no queue and no dependency counts.
    Gradients are NumPy arrays; a single-output node's buffer is its gradient itself.

    Leaves are the one exception to the order: as in run_backward (and torch, whose
    AccumulateGrad nodes outrank every other), a leaf's AccumulateGrad runs as soon as the last
    edge into it has delivered, so leaf hooks and post-accumulate hooks fire in torch's order.
    Only edges into leaves are counted."""
    root = plan_root(roots, seeds)
    nodes, seen, stack, leaf_deps = [], {root}, [root], {}
    while stack:                                    # discover the graph (iteratively)
        node = stack.pop()
        nodes.append(node)
        nx = node._next
        for child in (nx if type(nx) is tuple else (nx,)):     # (edges_of, inlined)
            if child is not None:
                if type(child) is AccumulateGrad:
                    leaf_deps[child] = leaf_deps.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    del seen, stack
    nodes.sort(key=_by_seq, reverse=True)
    exact = ExactMetas                  # (the trusted VJPs, unless a `.data =` came after one)
    swap = DATA_SWAP[0]
    if swap >= 0:
        for n in reversed(nodes):       # the oldest first: stop at the first one newer than it
            if n._seq > swap:
                break
            if type(n._metas) is ExactMetas:
                exact = None
                break
    buffers, ready = {}, []
    pop, get = buffers.pop, buffers.get
    prev = _state.enabled
    _state.enabled = False
    gc_was_enabled = gc.isenabled()
    gc.disable()                    # (see run_backward)
    anomaly = _anomaly.enabled
    buffers[root] = [None if g is None else g._data for g in root._grads]
    try:
        for node in nodes:
            g = pop(node, None)
            if g is None:                           # no gradient reached this node
                if not retain_graph:
                    s = node._saved
                    if type(s) is _ndarray or s:    # (see _holds_saved)
                        node._saved = _RELEASED
                for child in edges_of(node):    # its leaves wait for one edge less
                    if type(child) is AccumulateGrad:
                        n = leaf_deps[child] - 1
                        leaf_deps[child] = n
                        if n == 0 and child in buffers:
                            _run_leaf(child, pop(child), True, False, None, None)
                continue
            kind = type(node)
            if kind is AccumulateGrad:              # (reached only if an edge never delivered)
                _run_leaf(node, g, True, False, None, None)
                continue
            if kind is GraphRoot:
                out = g
            else:
                vjp = kind._np_vjp
                if vjp is not None and type(g) is not list and not (node._has_hooks or anomaly):
                    # the common case, inlined: one grad in, the op's array VJP, checked grads out
                    out = vjp(node, g)
                    metas = node._metas
                    if type(out) is tuple:
                        if type(metas) is not exact:    # (exact: see ExactMetas)
                            for r, m in zip(out, metas):
                                if r is not None and m is not None and (type(r) is not _ndarray or
                                                                        r.shape != m[0] or
                                                                        r.dtype is not m[1]):
                                    out = _checked_np(node, out)
                                    break
                    else:
                        m = metas[0]
                        if out is not None and m is not None and type(metas) is not exact and (
                                type(out) is not _ndarray or out.shape != m[0] or out.dtype is not m[1]):
                            out = _fix_np(node, 0, out, m)
                        # one input (tanh, exp, views of a chain...): the edge loop below for
                        # its one edge, inlined - no tuple, no zip (a deep chain's every node)
                        if not retain_graph:
                            s = node._saved
                            if type(s) is _ndarray or s:
                                node._saved = _RELEASED
                        child = node._next
                        if type(child) is tuple:    # (one input's node is stored bare)
                            child = child[0]
                            if child is None:
                                continue
                        if out is not None:
                            if child._num_outputs == 1:
                                old = get(child)
                                if old is None:
                                    buffers[child] = out
                                else:
                                    out = old + out
                                    buffers[child] = out if type(out) is _ndarray else np.asarray(out)
                            else:
                                _buffer_multi(buffers, child, node._nrs[0], out)
                        if type(child) is AccumulateGrad:
                            n = leaf_deps[child] - 1
                            leaf_deps[child] = n
                            if n == 0 and child in buffers:
                                out = g = None
                                _run_leaf(child, pop(child), True, False, None, None, adopt=True)
                        continue
                else:
                    grads = g if type(g) is list else [g]
                    if node._has_hooks or anomaly:
                        if node._tensor_pre_hooks is not None or node._retain_hooks is not None:
                            grads = _wrap(grads)
                            _run_tensor_hooks(node, grads)
                            grads = _unwrap(grads)
                        out = _unwrap(_call_node(node, _wrap(grads), True))
                    else:
                        out = node._apply_np(grads)
                if not retain_graph:
                    s = node._saved
                    if type(s) is _ndarray or s:    # (see _holds_saved)
                        node._saved = _RELEASED
            nx = node._next                                     # (edges_of, inlined)
            for child, nr, g in zip(nx if type(nx) is tuple else (nx,), node._nrs, out):
                if child is None:
                    continue
                if g is not None:
                    if child._num_outputs == 1:
                        old = get(child)
                        if old is None:
                            buffers[child] = g
                        else:   # same shape and dtype (validated by the producer)
                            g = old + g
                            buffers[child] = g if type(g) is _ndarray else np.asarray(g)
                    else:
                        _buffer_multi(buffers, child, nr, g)
                if type(child) is AccumulateGrad:
                    n = leaf_deps[child] - 1
                    leaf_deps[child] = n
                    if n == 0 and child in buffers:     # its last edge: accumulate next
                        ready.append(child)
            if ready:
                # Leaves run once this node's grads are handed out (nothing in between is
                # observable) and after this frame has let go of them (`out`, `g`): a leaf's
                # gradient held by nothing else can become its `.grad` without a copy.
                out = g = grads = None
                for child in ready:
                    _run_leaf(child, pop(child), True, False, None, None, adopt=True)
                ready.clear()
    finally:
        _state.enabled = prev
        if gc_was_enabled:
            gc.enable()


def _buffer_multi(buffers, child, nr, g):
    """Sum gradient `g` into output `nr` of a multi-output node's buffer (a list)."""
    buf = buffers.get(child)
    if buf is None:
        buf = buffers[child] = [None] * child._num_outputs
    old = buf[nr]
    buf[nr] = g if old is None else np.asarray(old + g)


_ndarray = np.ndarray


def _wrap(grads):
    """Arrays -> Tensors, for the rare paths (hooks, anomaly mode) that hand grads to users."""
    return [None if g is None else Tensor._make(g, False, None, 0) for g in grads]


def _unwrap(grads):
    return [None if g is None else g._data for g in grads]


def _run_tensor_hooks(node, grads):
    """Non-leaf `register_hook`s and `retain_grad`, on the grads flowing into `node`."""
    if node._tensor_pre_hooks:
        for nr, hooks in node._tensor_pre_hooks.items():
            for fn in list(hooks.values()):
                if grads[nr] is None:
                    break
                r = fn(grads[nr])
                if r is not None:
                    grads[nr] = _tensor_hook_result(fn, r, grads[nr])
    if node._retain_hooks:
        for nr, fn in node._retain_hooks.items():
            if grads[nr] is not None:
                fn(grads[nr])


def _tensor_hook_result(fn, r, g):
    """A tensor hook's replacement for gradient g, checked as torch checks it."""
    if not isinstance(r, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    name = getattr(fn, "__name__", type(fn).__name__)
    if r._data.dtype != g._data.dtype:
        was, got = (_TYPE_NAMES.get(t.dtype.name, t.dtype.name) for t in (g, r))
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {was} got {got})")
    if r._data.shape != g._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return r


def _run_leaf(acc, g, raw, create_graph, captures, captured, adopt=False):
    """A leaf's sink: its tensor hooks, then capture or accumulate, then post-accumulate hooks.
    `g` is an array when `raw` (first-order sweep), else a Tensor.  `adopt`: the caller holds no
    reference to `g` (see AccumulateGrad._accumulate_np)."""
    t = acc.variable
    hooks = t._backward_hooks
    if hooks:
        adopt = False
        if raw:
            g = Tensor._make(g, False, None, 0)
        for fn in list(hooks.values()):
            r = fn(g)
            if r is not None:
                g = _tensor_hook_result(fn, r, g)
        if raw:
            g = g._data
    if captures is not None:
        for _, k in captures.get(acc, ()):
            captured[k] = g
        return g
    node_hooks = acc._has_hooks         # register_prehook / register_hook on the node itself
    if node_hooks:
        adopt = False
        g = leaf_pre_hooks(acc, g, raw)
    if g is not None:
        if raw:
            acc._accumulate_np(g, adopt)
        else:
            acc._accumulate(g, create_graph)
        if t._post_acc_hooks:
            run_post_accumulate_hooks(t)
    if node_hooks:
        leaf_post_hooks(acc, g, raw)
    return g


def run_post_accumulate_hooks(t, each=None):
    """hook(t) for each post-accumulate-grad hook of leaf t; they must return None (torch's
    checks).  `each(fn)` runs after each one (the viz tracer records it)."""
    for fn in list(t._post_acc_hooks.values()):
        r = fn(t)
        if r is not None:
            if isinstance(r, Tensor):
                raise RuntimeError("Tensor post accumulate grad hooks should return None.")
            raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
        if each is not None:
            each(fn)


def leaf_pre_hooks(acc, g, raw):
    """An AccumulateGrad node's own pre-hooks, which torch runs after the leaf's tensor hooks:
    fn((grad,)) may return a replacement (checked as any node hook's) or (None,), which leaves
    `.grad` as it is.  `g` is an array when `raw`."""
    if not acc._pre_hooks:
        return g
    gt = Tensor._make(g, False, None, 0) if raw else g
    for fn in list(acc._pre_hooks.values()):
        r = fn((gt,))
        if r is not None:
            gt = _hook_result(fn, r, [gt])[0]
    return None if gt is None else gt._data if raw else gt


def leaf_post_hooks(acc, g, raw):
    """An AccumulateGrad node's post-hooks, after the accumulation: fn((), (grad,)) - the node
    has no inputs, so a hook may return nothing but () or None."""
    if not acc._post_hooks:
        return
    gt = Tensor._make(g, False, None, 0) if raw and g is not None else g
    for fn in list(acc._post_hooks.values()):
        r = fn((), (gt,))
        if r is not None:
            _hook_result(fn, r, [])


def _accumulate_into(t, g, create_graph):
    if t.grad_fn is None:
        make_accumulator(t)._accumulate(g, create_graph)
        if t._post_acc_hooks:
            run_post_accumulate_hooks(t)
    else:
        t._grad = g.detach().clone() if t._grad is None else t._grad + g


def _call_node(node, grads, raw=False):
    """Node pre-hooks, backward (with the engine's chores), post-hooks, anomaly checks.  `raw`:
    a first-order sweep - the node runs its array VJP, as it would without hooks (the hooks
    still see Tensors), so a hook never changes the gradient's rounding."""
    if node._pre_hooks:
        for fn in list(node._pre_hooks.values()):
            r = fn(tuple(grads))
            if r is not None:
                grads = _hook_result(fn, r, grads)
    if all(g is None for g in grads):   # a pre-hook dropped them all: no gradient flows on
        out = [None] * len(edges_of(node))
    elif _anomaly.enabled:
        out = _call_with_anomaly(node, grads)
    elif raw:
        out = _wrap(node._apply_np(_unwrap(grads)))
    else:
        out = node._apply(grads)
    if node._post_hooks:
        for fn in list(node._post_hooks.values()):
            r = fn(tuple(out), tuple(grads))
            if r is not None:
                out = _hook_result(fn, r, out)
    return out


def _hook_result(fn, r, grads):
    """A node hook's replacement for `grads`, checked as torch checks it: a tuple of as many,
    each None or a Tensor of the replaced gradient's shape and dtype (never one where the
    gradient was None).  Checked here because the node that receives them trusts its input."""
    if type(r) is not tuple:
        raise TypeError(f"expected tuple, but hook returned '{type(r).__name__}'")
    if len(r) != len(grads):
        raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has returned an incorrect number "
                           f"of values (got {len(r)}, but expected {len(grads)})")
    out = []
    for new, g in zip(r, grads):
        if new is not None:
            if not isinstance(new, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
            if g is None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            new = _tensor_hook_result(fn, new, g)
        out.append(new)
    return out


def _call_with_anomaly(node, grads):
    try:
        out = node._apply(grads)
    except Exception:
        _warn_trace(node)
        raise
    if _anomaly.check_nan:
        for i, g in enumerate(out):
            if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
                _warn_trace(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                   f"output.{_trace_text(node)}")
    return out


def _trace_text(node):
    if node._trace is None:
        return ""
    return ("\nTraceback of forward call that created the node:\n" + "".join(node._trace))


def _warn_trace(node):
    if node._trace is not None:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                      f"error:\n{''.join(node._trace)}", stacklevel=3)


# ------------------------------------------------------------------------------------------------
# seeds: the vector of the vector-Jacobian product
# ------------------------------------------------------------------------------------------------

def make_seeds(outputs, grad_outputs, is_grads_batched=False):
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._data.dtype.kind not in "fV":
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                       f"but got {out.dtype}")
                seeds.append(Tensor._make(np.ones(out._data.shape, out._data.dtype), False, None, 0))
            else:
                seeds.append(None)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(np.asarray(g, dtype=out._data.dtype), False, None, 0)
            if g._data.shape != out._data.shape:
                from ..tensor import Size
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                    f"output[{i}] has a shape of {Size(out._data.shape)}. Fix: pass a gradient "
                    "shaped like the output (the vector v of the vector-Jacobian product).")
            if g._data.dtype != out._data.dtype:      # torch casts the seed to the output's dtype
                g = Tensor._make(g._data.astype(out._data.dtype), False, None, 0)
            seeds.append(g)
    return seeds

