"""Watch the engine work: a recorded backward pass.

    with zerograd.viz.trace_backward(params=dict(model.named_parameters())) as tr:
        loss.backward()
    print(tr.table())          # one line per event, in the order the engine did them
    tr.events                  # the same as a list of Event records

Recorded, in engine order: each node run (the gradients that came in, one per output, and went
out, one per input, with shapes and norms), each accumulation into a leaf's `.grad`, each capture
of `autograd.grad`, and each hook that fired (tensor hooks on non-leaves and leaves,
`retain_grad`, node pre-hooks and post-hooks, post-accumulate hooks).

How it works: the engine checks one module global, `engine._tracer`, once per backward.  While a
trace is active that global points at `_Sweep.__call__` below, a copy of the engine's sweep with
a `record` call at each step; otherwise the engine's own loop runs untouched, so tracing costs
nothing when it is off.  The copy also adds *provenance* to an error raised inside a backward: the
node, its rule, the input the bad gradient was meant for, expected vs got shapes, and where the
node was created (in anomaly mode).  `zerograd.debug.provenance()` turns on only that part.
"""
from __future__ import annotations

import gc
import heapq
import re
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..autograd import engine as _engine
from ..autograd import explain as _ex
from ..autograd.function import AccumulateGrad, _anomaly, _holds_saved, edges_of
from .. import grad_mode

__all__ = ["trace_backward", "Trace", "Event", "GradInfo"]


@dataclass(frozen=True)
class GradInfo:
    """A gradient seen in the trace: its shape, dtype and 2-norm (NaN/Inf counted)."""
    shape: tuple
    dtype: str
    norm: float
    nonfinite: int = 0

    def __str__(self):
        s = f"{self.dtype}[{', '.join(map(str, self.shape))}] ‖{_num(self.norm)}‖"
        return s + (f" ({self.nonfinite} nan/inf)" if self.nonfinite else "")


@dataclass
class Event:
    """One thing the engine did.

    kind    'backward' (a sweep starts), 'node' (a node ran), 'skip' (a node got no gradient),
            'tensor_hook', 'retain_grad', 'pre_hook', 'post_hook', 'leaf_hook',
            'accumulate' (into .grad), 'post_accumulate_hook', 'capture' (autograd.grad)
    name    the node's name ('MulBackward0', 'AccumulateGrad', ...)
    target  what it is about: a leaf's name/shape, 'output 0', the hook function's name
    grads_in, grads_out   tuples of GradInfo (None where no gradient)"""
    step: int
    kind: str
    name: str
    target: str = ""
    grads_in: tuple = ()
    grads_out: tuple = ()
    note: str = ""
    node: object = field(default=None, repr=False, compare=False)   # weakref to the node

    def __str__(self):
        return f"{self.step:>4}  {self.kind:<21} {self.name} {self.target}".rstrip()


def _num(x):
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    return f"{x:.4g}"


def _info(g):
    if g is None:
        return None
    a = g._data
    if a.dtype.kind not in "fc" and a.dtype.kind != "V":
        return GradInfo(a.shape, _ex._dtype_name(a.dtype), float(np.linalg.norm(a)))
    a64 = np.asarray(a, np.float64)
    finite = np.isfinite(a64)
    bad = int(a64.size - np.count_nonzero(finite))
    norm = float(np.sqrt(np.sum(np.square(a64)))) if a64.size else 0.0
    return GradInfo(a.shape, _ex._dtype_name(a.dtype), norm, bad)


def _fname(fn):
    return getattr(fn, "__qualname__", None) or type(fn).__name__


class Trace:
    """What a `trace_backward()` block recorded: `events`, `table()`, and per node the gradient
    that flowed into it (for `zerograd.viz.graph(t, trace=tr)`)."""

    def __init__(self, params=None, record=True):
        self.events: list[Event] = []
        self.params = dict(params or {})
        self._pnames = {id(t): n for n, t in self.params.items()}
        self._flow = {}        # id(node) -> (weakref(node), [GradInfo per output])
        self._leaves = {}      # id(tensor) -> label for unnamed leaves
        self.record_events = record

    # ---- recording (called by the sweep) ----------------------------------------------------
    def _add(self, kind, node, target="", gin=(), gout=(), note=""):
        if not self.record_events:
            return
        name = _ex.node_title(node) if node is not None else ""
        ref = weakref.ref(node) if node is not None else None
        self.events.append(Event(len(self.events), kind, name, target, tuple(gin), tuple(gout),
                                 note, ref))

    def _flowed(self, node, infos):
        if self.record_events:
            self._flow[id(node)] = (weakref.ref(node), list(infos))

    def leaf_label(self, t):
        name = self._pnames.get(id(t))
        if name is not None:
            return name
        label = self._leaves.get(id(t))
        if label is None:
            label = self._leaves[id(t)] = f"leaf{len(self._leaves)} " + \
                _ex.fmt_meta((t._data.shape, t._data.dtype))
        return label

    # ---- reading ------------------------------------------------------------------------------
    def grad_into(self, node):
        """The GradInfo list of the gradients that flowed into `node` (per output), or None."""
        entry = self._flow.get(id(node))
        if entry is None or entry[0]() is not node:
            return None
        return entry[1]

    def of_kind(self, *kinds):
        return [e for e in self.events if e.kind in kinds]

    def table(self) -> str:
        """The events as a table: step, event, node, what it is about, gradients in and out."""
        rows = [("step", "event", "node", "about", "grad in", "grad out")]
        for e in self.events:
            rows.append((str(e.step), e.kind, e.name, e.target or "",
                         _gl(e.grads_in), _gl(e.grads_out) + (f"  [{e.note}]" if e.note else "")))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        out = []
        for k, r in enumerate(rows):
            line = "  ".join(c.ljust(w) if i else c.rjust(w) for i, (c, w) in
                             enumerate(zip(r[:5], widths))) + "  " + r[5]
            out.append(line.rstrip())
            if k == 0:
                out.append("-" * min(len(line) + 10, 140))
        return "\n".join(out)

    def __len__(self):
        return len(self.events)

    def __repr__(self):
        return f"<Trace: {len(self.events)} events>"


def _gl(infos) -> str:
    if not infos:
        return ""
    return ", ".join("-" if g is None else str(g) for g in infos)


# ------------------------------------------------------------------------------------------------
# the context manager
# ------------------------------------------------------------------------------------------------

class trace_backward:
    """Record every backward run inside the block (see the module docstring).

    params   {name: tensor} (e.g. dict(model.named_parameters())): names leaves in the events"""

    def __init__(self, params=None):
        self.trace = Trace(params)
        self._prev = None

    def __enter__(self) -> Trace:
        self._prev = _engine._tracer
        _engine._tracer = _Sweep(self.trace)
        return self.trace

    def __exit__(self, *exc):
        _engine._tracer = self._prev
        return False


# ------------------------------------------------------------------------------------------------
# the recording sweep: engine.run_backward with a record call at each step
# ------------------------------------------------------------------------------------------------

class _Sweep:
    """A callable with run_backward's signature.  Keep it in step with engine.run_backward:
    tests/test_viz.py runs both on the same graphs and compares every result."""

    def __init__(self, trace: Trace):
        self.tr = trace

    def __call__(self, roots, seeds, *, retain_graph, create_graph, inputs=None, accumulate=True):
        tr = self.tr
        root, captures, captured, deps, executes = _engine.plan(roots, seeds, inputs)
        tr._add("backward", None, f"{len(roots)} root(s)" + (", capture" if inputs is not None
                                                              and not accumulate else ""),
                gout=[_info(s) for s in seeds])

        buffers = {}
        ready = [(-root._seq, root)]
        prev = grad_mode._state.enabled
        grad_mode._state.enabled = create_graph
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            while ready:
                node = heapq.heappop(ready)[1]
                grads = buffers.pop(node, None)
                if node is not root:
                    if grads is None:
                        grads = [None] * node._num_outputs
                    if node._tensor_pre_hooks is not None or node._retain_hooks is not None:
                        self._tensor_hooks(node, grads)
                    tr._flowed(node, [_info(g) for g in grads])
                    if captures is not None:
                        for nr, k in captures.get(node, ()):
                            captured[k] = grads[nr]
                            tr._add("capture", node, f"input {k}", [_info(grads[nr])])
                        if node not in executes:
                            continue
                    if all(g is None for g in grads):
                        out = (None,) * len(edges_of(node))
                        tr._add("skip", node, "no gradient arrived", [None] * len(grads))
                    else:
                        try:
                            out = self._call_node(node, grads)
                        except Exception as e:
                            _add_provenance(e, node, grads)
                            raise
                    if not retain_graph and _holds_saved(node._saved):
                        node._release()
                else:
                    out = node._grads
                for child, nr, g in zip(edges_of(node), node._nrs, out):
                    n = deps.get(child)
                    if n is None:
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
                            elif create_graph:
                                buf[nr] = old + g
                            else:
                                buf[nr] = type(g)._make(old._data + g._data, False, None, 0)
                    if n == 1:
                        del deps[child]
                        if type(child) is AccumulateGrad:
                            g = buffers.pop(child, (None,))[0]
                            if g is not None:
                                self._leaf(child, g, create_graph, captures,
                                           captured if captures is not None else None)
                        else:
                            heapq.heappush(ready, (-child._seq, child))
                    else:
                        deps[child] = n - 1
        finally:
            grad_mode._state.enabled = prev
            if gc_was_enabled:
                gc.enable()

        if captures is None:
            return None
        if accumulate:
            for t, g in zip(inputs, captured):
                if g is not None:
                    with grad_mode.set_grad_enabled(create_graph):
                        _engine._accumulate_into(t, g, create_graph)
                    tr._add("accumulate", None, tr.leaf_label(t), [_info(g)],
                            note="backward(inputs=...)")
            return None
        return tuple(captured)

    # -- the engine's helpers, each with its record call ---------------------------------------
    def _tensor_hooks(self, node, grads):
        tr = self.tr
        if node._tensor_pre_hooks:
            for nr, hooks in node._tensor_pre_hooks.items():
                for fn in list(hooks.values()):
                    if grads[nr] is None:
                        break
                    before = _info(grads[nr])
                    r = fn(grads[nr])
                    if r is not None:
                        grads[nr] = r
                    tr._add("tensor_hook", node, f"output {nr}: {_fname(fn)}", [before],
                            [_info(r)] if r is not None else (),
                            "replaced the gradient" if r is not None else "")
        if node._retain_hooks:
            for nr, fn in node._retain_hooks.items():
                if grads[nr] is not None:
                    fn(grads[nr])
                    tr._add("retain_grad", node, f"output {nr}", [_info(grads[nr])])

    def _call_node(self, node, grads):
        tr = self.tr
        gin = [_info(g) for g in grads]
        if node._pre_hooks:
            for fn in list(node._pre_hooks.values()):
                r = fn(tuple(grads))
                if r is not None:
                    grads = list(r)
                tr._add("pre_hook", node, _fname(fn), gin,
                        [_info(g) for g in grads] if r is not None else (),
                        "replaced the gradients" if r is not None else "")
        if _anomaly.enabled:
            out = _engine._call_with_anomaly(node, grads)
        else:
            out = node._apply(grads)
        tr._add("node", node, "", [_info(g) for g in grads], [_info(g) for g in out])
        if node._post_hooks:
            for fn in list(node._post_hooks.values()):
                r = fn(out, tuple(grads))
                if r is not None:
                    out = tuple(r)
                tr._add("post_hook", node, _fname(fn), [_info(g) for g in grads],
                        [_info(g) for g in out],
                        "replaced the gradients" if r is not None else "")
        return out

    def _leaf(self, acc, g, create_graph, captures, captured):
        tr = self.tr
        t = acc.variable
        label = tr.leaf_label(t)
        tr._flowed(acc, [_info(g)])
        hooks = t._backward_hooks
        if hooks:
            for fn in list(hooks.values()):
                before = _info(g)
                r = fn(g)
                if r is not None:
                    g = _engine._tensor_hook_result(fn, r, g)
                tr._add("leaf_hook", acc, f"{label}: {_fname(fn)}", [before],
                        [_info(r)] if r is not None else (),
                        "replaced the gradient" if r is not None else "")
        if captures is not None:
            for _, k in captures.get(acc, ()):
                captured[k] = g
                tr._add("capture", acc, f"{label} (input {k})", [_info(g)])
            return g
        if acc._has_hooks:          # the AccumulateGrad node's own pre-hooks (engine's order)
            g = _engine.leaf_pre_hooks(acc, g, False)
        if g is not None:
            first = t._grad is None
            acc._accumulate(g, create_graph)
            tr._add("accumulate", acc, label, [_info(g)], [_info(t._grad)],
                    "stored (first gradient)" if first else "added to the existing .grad")
            if t._post_acc_hooks:
                _engine.run_post_accumulate_hooks(t, lambda fn: tr._add(
                    "post_accumulate_hook", acc, f"{label}: {_fname(fn)}", [_info(t._grad)]))
        if acc._has_hooks:
            _engine.leaf_post_hooks(acc, g, False)
        return g


# ------------------------------------------------------------------------------------------------
# provenance for errors raised inside a backward
# ------------------------------------------------------------------------------------------------

_INVALID = re.compile(r"returned an invalid gradient at index (\d+) - got \[(.*?)\] but expected "
                      r"shape compatible with \[(.*?)\]")


def provenance_note(node, grads, err=None) -> str:
    """Where a backward error happened: the node, its rule, its inputs and incoming gradients,
    the input a bad gradient was meant for, and the node's creation site (anomaly mode)."""
    title = _ex.node_title(node)
    names = _ex.input_names(node)
    metas = _ex.input_metas(node)
    lines = [f"[zerograd provenance] the error happened in the backward of {title}"]
    site = _ex.creation_site(node)
    lines.append(f"  created at {site}" if site else
                 "  (run the forward under zerograd.autograd.detect_anomaly() to see where it "
                 "was created)")
    f = node.formula
    if f:
        lines.append(f"  rule: {f}")
    lines.append("  incoming gradient(s): " + ", ".join(
        "None" if g is None else _ex.fmt_meta((g._data.shape, g._data.dtype)) for g in grads))
    m = _INVALID.search(str(err)) if err is not None else None
    for i, ((child, nr), name) in enumerate(zip(node.next_functions, names)):
        what = "no grad needed" if child is None else f"<- {_ex._describe_child(child, nr, {})}"
        mark = ""
        if m is not None and int(m.group(1)) == i:
            mark = (f"   <== this input: its gradient must have shape [{m.group(3)}] (or broadcast "
                    f"to it), the backward returned [{m.group(2)}]")
        meta = _ex.fmt_meta(metas[i]) if i < len(metas) and metas[i] else "?"
        lines.append(f"  input {i} '{name}': {meta} {what}{mark}")
    return "\n".join(lines)


def _add_provenance(e, node, grads):
    if getattr(e, "_zerograd_provenance", False):
        return           # already annotated by an inner node (a nested backward)
    try:
        note = provenance_note(node, grads, e)
    except Exception:    # never hide the real error behind a failure here
        return
    try:
        e._zerograd_provenance = True
    except Exception:
        pass
    if hasattr(e, "add_note"):
        e.add_note(note)
    else:   # Python 3.10
        e.args = ((str(e.args[0]) if e.args else "") + "\n" + note,) + tuple(e.args[1:])


class provenance:
    """Add provenance notes to errors raised inside backward (no event recording).

        with zerograd.debug.provenance():
            loss.backward()       # an error now says which node, which input, which shapes
    """

    def __init__(self):
        self._prev = None

    def __enter__(self):
        self._prev = _engine._tracer
        if not isinstance(self._prev, _Sweep):   # a running trace already adds provenance
            _engine._tracer = _Sweep(Trace(record=False))
        return self

    def __exit__(self, *exc):
        _engine._tracer = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with provenance():
                return fn(*args, **kwargs)
        return wrapper
