"""Function and Node: how an operation records itself in the graph.

Every differentiable operation, built-in or user-written, is a `Function` subclass with two
static methods, exactly PyTorch's custom-Function contract:

    class Exp(Op):
        '''y = exp(x)      dx = g * y'''
        @staticmethod
        def forward(ctx, x):              # Tensors in; NumPy arrays (built-ins) or Tensors out
            y = np.exp(x._data)
            ctx.save_for_backward(y)      # saving the output array: see "Saved outputs" below
            return y
        @staticmethod
        def backward(ctx, g):             # one grad per output in, one grad per input out
            y, = ctx.saved_tensors        # written with Tensor ops, so it can be differentiated
            return g * y

The `ctx` handed to forward *is* the graph node that ends up in `output.grad_fn` (as in PyTorch,
where the ctx of a custom Function is its `BackwardCFunction`).  Each Function gets its own node
class, named like PyTorch's (`ExpBackward0` for built-ins via `node_name`, `<Name>Backward` for
user Functions), so `print(y.grad_fn)` prints `<ExpBackward0 object at 0x...>`.

Two kinds of Function share that contract:
- `Op` (built-ins): forward works on the inputs' NumPy arrays and returns arrays.  Its `apply` is
  the per-operation hot path, kept short and allocation-light.
- `Function` (user-defined, `torch.autograd.Function`): forward receives Tensors, runs with grad
  disabled, and returns Tensors; the rest of the machinery is shared.

Saved outputs: saving an op's own output Tensor on its node would make a reference cycle
(output -> grad_fn -> saved output).  So a built-in saves the output *array*; `apply` recognises
it after forward and stores only the array plus the version counter, rebuilding a Tensor whose
grad_fn is this node when `saved_tensors` is read.
"""
from __future__ import annotations

import itertools
import math
import re
import sys
import weakref

import numpy as np

from .. import dtypes as _dtypes
from .. import grad_mode
from ..tensor import FRESH, Tensor
from .hooks import RemovableHandle

_state = grad_mode._state
_seq = itertools.count()
_RELEASED = object()

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class _SavedOutput:
    """A saved forward output, kept as (array, version counter) to avoid a reference cycle.

    A node that saved nothing else may hold one as its `_saved` itself, without a tuple around
    it - or, while the output's counter is still FRESH (never changed, nor shared: the fast
    path's tanh, sigmoid, exp... when they record), just the output's array: no object at all
    for Python's cycle collector, which walks a deep graph's objects again and again while
    forward builds it.  Such an array is output 0 at version 0 by construction; own_vc() turns
    it into a _SavedOutput the moment the output gets a counter of its own."""
    __slots__ = ("data", "nr", "vc")

    def __init__(self, data, nr, vc):
        self.data, self.nr, self.vc = data, nr, vc


def _saved_items(saved):
    """A node's `_saved` as a sequence (a lone _SavedOutput or output array gets one around it)."""
    if type(saved) is _SavedOutput:
        return (saved,)
    if type(saved) is _ndarray:
        return (_SavedOutput(saved, 0, FRESH),)
    return saved


def _holds_saved(saved) -> bool:
    """Did forward save anything (then backward frees it unless retain_graph)?"""
    return type(saved) is _ndarray or bool(saved)


def own_vc(t):
    """t's version counter as a list of its own, to bump or to share (None for an inference
    tensor; see FRESH in tensor.py).  The node that made t may have saved t as its output with
    FRESH too: that saved copy gets the same list - or, when another Tensor object of the same
    output (saved_tensors unpacks one) got a list first, t takes that one."""
    vc = t._vc
    if vc is not FRESH:
        return vc
    fn = t._grad_fn
    saved = None if fn is None else getattr(fn, "_saved", None)
    if type(saved) is _ndarray:         # the output array alone: make it a _SavedOutput to tie
        saved = fn._saved = _SavedOutput(saved, 0, FRESH)
    if type(saved) is _SavedOutput:
        saved = (saved,)
    elif type(saved) is not tuple and type(saved) is not list:
        saved = ()
    nr = t._output_nr
    mine = [s for s in saved if type(s) is _SavedOutput and s.nr == nr]
    vc = next((s.vc for s in mine if s.vc is not FRESH), None)
    if vc is None:
        vc = [0, None]
    for s in mine:
        s.vc = vc
    t._vc = vc
    return vc


# ------------------------------------------------------------------------------------------------
# Node: the graph node (and the ctx of forward)
# ------------------------------------------------------------------------------------------------

class Node:
    """A backward graph node.  Attributes mirror torch's `grad_fn` objects:

    next_functions   ((node, input_nr), ...) one per forward input; (None, 0) when that input
                     does not require grad
    metadata         a free dict for users/tools
    name()           the PyTorch node name, e.g. 'MulBackward0'
    register_hook(fn(grad_inputs, grad_outputs)), register_prehook(fn(grad_outputs))
    """

    # Every node sets these eight; slots keep a node one small object (cheap to create, and
    # only one object for Python's cycle collector to track), and a slot reads faster than a
    # class-level default (the engine reads _num_outputs and _has_hooks for every node).
    __slots__ = ("_next", "_nrs", "needs_input_grad", "_saved", "_saved_versions", "_metas",
                 "_seq", "_num_outputs", "_has_hooks", "__dict__", "__weakref__")

    def __init__(self):
        self._next = ()
        self._nrs = ()
        self.needs_input_grad = ()
        self._saved = ()
        self._saved_versions = None
        self._metas = ()
        self._seq = -1
        self._num_outputs = 1
        self._has_hooks = False    # True once any hook below is registered (one check per node)

    # Rarely set attributes: class-level defaults; setting one puts it in the instance __dict__
    # (so does any attribute a forward stores on its ctx, e.g. `ctx.dim = dim`).
    _pre_hooks = None          # dict id -> fn(grad_outputs)
    _post_hooks = None         # dict id -> fn(grad_inputs, grad_outputs)
    _tensor_pre_hooks = None   # dict output_nr -> dict id -> fn(grad)   (non-leaf register_hook)
    _retain_hooks = None       # dict output_nr -> fn(grad)             (retain_grad)
    _materialize_grads = True
    _non_differentiable = None
    _dirty = None              # ids of the inputs a custom Function's forward marked dirty
    _metadata = None
    _trace = None              # forward stack, recorded in anomaly mode
    _fn = None                 # the Function class whose backward this node runs
    _np_vjp = None             # its np_backward (the first-order array VJP), if it has one

    # The edges are kept as `_next` (the nodes, None where an input needs no gradient) and
    # `_nrs` (which output of each; a tuple, all-zero ones shared), instead of torch's tuple of
    # pairs: fewer objects per node for the cycle collector (a deep graph's collections walk
    # every tracked object; torch builds the pairs on each access too).  `_next` is a tuple, or
    # - for a node with one input, recorded by an op's one-input path - that input's node itself
    # (no tuple at all: `edges_of` reads both).
    @property
    def next_functions(self) -> tuple:
        return tuple(zip(edges_of(self), self._nrs))

    @next_functions.setter
    def next_functions(self, edges) -> None:
        self._next = tuple([e[0] for e in edges])
        self._nrs = _nrs([e[1] for e in edges])

    @property
    def formula(self) -> str | None:
        """This node's VJP rule in one line, e.g. 'MulBackward0: grad_self = grad * other; ...'
        (autograd/explain.py).  A custom Function may set `formula` on its class or its ctx."""
        from .explain import formula
        return formula(self)

    @formula.setter
    def formula(self, text) -> None:
        self.__dict__["formula"] = text

    def explain(self, out=None, params=None) -> str:
        """The rule with this node's shapes, dtypes, saved tensors and the engine's chores."""
        from .explain import explain
        return explain(self, out, params)

    def name(self) -> str:
        fn = self._fn
        return fn.torch_name if fn is not None and fn.torch_name else type(self).__name__

    # torch's `grad_fn._saved_self`, `_saved_other`, `_saved_result`, ...: descriptors on this
    # class, one per name a built-in op saves under (explain.install_saved_attributes).  Not a
    # __getattr__: a class with one loses CPython's specialised attribute loads on every node
    # attribute the engine reads (measured: ~8% of a backward's instructions).

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    # ----- ctx API used inside forward / backward ------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Save tensors (or, for built-ins, output arrays and plain numbers) for backward."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _RELEASED:
            raise RuntimeError(FREED_MSG)
        versions = self._saved_versions
        if versions is _IN_FORWARD:         # a custom forward reading it: saved only after
            return ()
        saved = _saved_items(saved)
        if versions is None:
            return tuple(saved)
        out = []
        for item, v in zip(saved, versions):
            if v is None:
                out.append(item)
            elif type(item) is _SavedOutput:
                t = Tensor._make(item.data, True, self, item.nr, item.vc)
                if item.vc[0] != v:
                    _raise_modified(t, v, item.vc[0], self)
                out.append(t)
            else:
                if item._vc[0] != v:
                    _raise_modified(item, v, item._vc[0], None)
                out.append(item)
        return tuple(out)

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = set(map(id, tensors))

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """forward changed these inputs in place and returns them: they stay the same Tensor
        objects, with this node as their history."""
        self._dirty = set(map(id, tensors))

    # ----- hooks -----------------------------------------------------------------------------
    def register_hook(self, fn) -> RemovableHandle:
        """fn(grad_inputs, grad_outputs) -> new grad_inputs or None; runs after this node."""
        if self._post_hooks is None:
            self._post_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn) -> RemovableHandle:
        """fn(grad_outputs) -> new grad_outputs or None; runs before this node."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr, fn) -> RemovableHandle:
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._has_hooks = True
        return RemovableHandle(self._tensor_pre_hooks.setdefault(output_nr, {}), fn)

    # ----- the engine's entry points ---------------------------------------------------------
    def _release(self) -> None:
        if _holds_saved(self._saved):
            self._saved = _RELEASED

    def _apply(self, grads: list) -> list:
        """Run backward on `grads` (one per output) and return one grad per input, each summed
        to its input's shape and cast to its dtype (the engine's chores, so formulas stay short).
        This is the engine's hot path: the common single-output case takes the first branch."""
        if self._num_outputs == 1:
            result = self._fn.backward(self, grads[0])
        else:
            if self._materialize_grads:
                grads = [_zeros_for_output(self, i) if g is None else g for i, g in enumerate(grads)]
            result = self._fn.backward(self, *grads)
        if type(result) is not tuple:
            result = (result,)
        metas = self._metas
        if len(result) != len(metas):
            n_in = len(metas)
            if len(result) > n_in and all(r is None for r in result[n_in:]):
                result = result[:n_in]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                                   f"gradients (expected {n_in}, got {len(result)})")
        out = []
        for i, (g, meta) in enumerate(zip(result, metas)):
            if g is not None and meta is None:
                kinds = getattr(self, "_tensor_inputs", None)       # (custom Functions)
                if kinds is not None and not kinds[i]:
                    raise RuntimeError(f"function {self.name()} returned a gradient different "
                                       f"than None at position {i + 1}, but the corresponding "
                                       "forward input was not a Variable")
            if g is None or meta is None:
                out.append(None)
                continue
            try:
                a = g._data
            except AttributeError:
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})") from None
            if a.shape != meta[0] or a.dtype != meta[1]:
                g = _fix_grad(self, len(out), g, meta)
            out.append(g)
        return out

    def _apply_np(self, grads: list) -> list:
        """The first-order fast path (backward without create_graph): `grads` and the result are
        NumPy arrays (None for no gradient).  An op with an `np_backward` runs it directly on
        arrays; any other node (custom Functions, rarer ops) runs its Tensor `backward` on
        wrapped arrays.  Both paths give the same numbers (tests/test_ops.py
        test_array_sweep_equals_tensor_sweep)."""
        vjp = self._np_vjp
        if vjp is None:
            out = self._apply([None if g is None else Tensor._make(g, False, None, 0)
                               for g in grads])
            return [None if g is None else g._data for g in out]
        if self._num_outputs == 1:
            result = vjp(self, grads[0])
        else:
            if self._materialize_grads:
                grads = [_zeros_for_output(self, i)._data if g is None else g
                         for i, g in enumerate(grads)]
            result = vjp(self, *grads)
        if type(result) is not tuple:
            result = (result,)
        return _checked_np(self, result)

    def _saved_output_np(self):
        """The array of the one output forward saved (tanh, sigmoid, exp...), version-checked:
        `_saved_np()[0]` without the general loop."""
        saved = self._saved
        if type(saved) is _ndarray:         # (version 0 of a counter nobody shares: current)
            return saved
        if saved is _RELEASED:
            raise RuntimeError(FREED_MSG)
        item = saved if type(saved) is _SavedOutput else saved[0]
        if item.vc[0] != self._saved_versions[0]:
            self.saved_tensors               # raises the in-place modification error
        return item.data

    def _saved_np(self) -> list:
        """What forward saved, as arrays (inputs and outputs) and constants, version-checked:
        the array twin of `saved_tensors` for `np_backward`."""
        saved = self._saved
        if type(saved) is _ndarray:
            return [saved]
        if saved is _RELEASED:
            raise RuntimeError(FREED_MSG)
        if type(saved) is _SavedOutput:
            saved = (saved,)
        versions = self._saved_versions
        if versions is None:
            return saved
        out = []
        for item, v in zip(saved, versions):
            if v is None:
                out.append(item._data if type(item) is Tensor else item)
            elif type(item) is _SavedOutput:
                if item.vc[0] != v:
                    self.saved_tensors           # raises the in-place modification error
                out.append(item.data)
            else:
                if item._vc[0] != v:
                    _raise_modified(item, v, item._vc[0], None)
                out.append(item._data)
        return out

    def __call__(self, *grads):
        return self._apply(list(grads))


def _fix_grad(node, i, g, meta):
    """Sum a broadcast gradient back to its input's shape and cast it to the input's dtype."""
    shape, dt = meta
    a = g._data
    if a.shape != shape:
        if not _expandable(shape, a.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(a.shape)} but expected shape compatible with {list(shape)}")
        g = _sum_to(g, shape)
    if g._data.dtype != dt:
        from ..ops import to_dtype
        g = to_dtype(g, _dtypes.from_numpy_dtype(dt))
    return g


def quiet(f, *args):
    """f(*args) with NumPy's floating-point warnings off.  zerograd.ops' warning filter silences
    them (torch computes 1/0 = inf silently), but a user's `warnings.simplefilter("error")`
    (pytest -W error) comes first and turns them into exceptions: the hot paths (Op.apply, the
    fast path) catch those and compute again here - costing nothing when nothing is raised,
    where an errstate per op would cost more than the op."""
    with np.errstate(all="ignore"):
        return f(*args)


def edges_of(node) -> tuple:
    """A node's `_next` as a tuple (one input's node is stored bare: see Node)."""
    nx = node._next
    return nx if type(nx) is tuple else (nx,)


class ExactMetas(tuple):
    """A node's `_metas` when its array VJP gives every gradient exactly its input's shape and
    dtype by construction, so the first-order sweep need not check them: set only by the
    elementwise fast path (autograd/fastpath.py), for float32/float64 inputs of one shape with
    at least one dimension (no broadcasting to undo, no 0-d result turned into a NumPy scalar),
    or one such input and a Python number.  Induction keeps it true: every gradient arriving at
    a node was shaped and typed for that node's output (checked where it was produced, or exact
    by this same rule; node hooks' replacements are checked in the engine).  Otherwise a plain
    tuple.

    One thing can change a saved input's shape or dtype without an in-place version bump (as in
    torch): `t.data = other` (e.g. `module.double()`).  Such an assignment records the sequence
    number of its moment in `DATA_SWAP[0]`, and the sweep trusts no node recorded before it."""
    __slots__ = ()


DATA_SWAP = [-1]        # seq at the last `.data =` that changed a tensor's shape or dtype


def note_data_swap() -> None:
    """`.data` of some tensor now has another shape or dtype: nodes recorded until now may hold
    it saved with its old metadata (see ExactMetas)."""
    DATA_SWAP[0] = next(_seq)


def _checked_np(node, result):
    """The grads an np_backward returned, each made an array of its input's shape and dtype
    (summed over broadcast dims, cast); None where the input needs no grad."""
    out = []
    for g, meta in zip(result, node._metas):
        if g is None or meta is None:
            out.append(None)
        elif type(g) is not _ndarray or g.shape != meta[0] or g.dtype != meta[1]:
            out.append(_fix_np(node, len(out), g, meta))
        else:
            out.append(g)
    return out


def _fix_np(node, i, g, meta):
    """`_fix_grad` for arrays: make it an array, sum a broadcast gradient back to the input's
    shape, cast it to the input's dtype."""
    shape, dt = meta
    if type(g) is _ndarray and g.ndim == len(shape) + 1 and g.shape[1:] == shape and \
            g.dtype is dt and dt.kind == "f" and g.size and g.flags.c_contiguous:
        return leading_sum(g, 1)    # (the usual case: a bias's gradient, summed over the batch)
    g = np.asarray(g)
    if g.shape != shape:
        if not _expandable(shape, g.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(g.shape)} but expected shape compatible with {list(shape)}")
        lead = g.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + k for k, s in enumerate(shape) if s == 1 and g.shape[lead + k] != 1)
        if len(dims) == lead and g.dtype.kind == "f" and g.flags.c_contiguous and g.size:
            g = leading_sum(g, lead)            # a bias's gradient: summed over the batch
        elif dims:
            g = np.add.reduce(g, axis=dims, keepdims=True)     # (not .sum(): its warnings
        if lead or g.shape != shape:                             # come from NumPy's module)
            g = g.reshape(shape)
    if g.dtype != dt:
        g = g.astype(dt)
    return g


_ONES = {}


def _read_only(arr):
    arr.flags.writeable = False
    return arr


def ones_vector(n, dtype):
    """A cached read-only vector of n ones (for sums as BLAS matrix-vector products)."""
    v = _ONES.get((n, dtype))
    if v is None:
        if len(_ONES) > 256:
            _ONES.clear()
        v = _ONES[(n, dtype)] = _read_only(np.ones(n, dtype))
    return v


def leading_sum(a, k):
    """a summed over its first k axes (C-contiguous float a): the product ones(m) @ a as an
    (m, rest) matrix.  BLAS's matrix-vector product is ~1.5-2x faster than NumPy's reduce over
    the rows here; its rounding is BLAS's float accumulation, as torch's."""
    m = math.prod(a.shape[:k])
    return np.matmul(ones_vector(m, a.dtype), a.reshape(m, -1)).reshape(a.shape[k:])


def _expandable(shape, target) -> bool:
    """True when a tensor of `shape` broadcasts to `target` (so a grad of `target` sums back)."""
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != t and s != 1:
            return False
    return True


def _sum_to(g, shape):
    """Sum a gradient over the dimensions that broadcasting added or stretched."""
    from ..ops import reduce as _reduce
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    if dims:
        g = _reduce.sum_dims(g, dims, True)
    if lead or g.shape != shape:
        g = g.reshape(shape)
    return g


def _zeros_for_output(node, i):
    meta = getattr(node, "_out_metas", None)
    if meta is None:
        raise RuntimeError(f"{node.name()}: missing output metadata to materialise a zero grad")
    if meta[i] is None:             # a non-Tensor output (a custom Function may return numbers):
        return None                 # its gradient stays None, as torch's
    shape, dt = meta[i]
    return Tensor._make(np.zeros(shape, dt), False, None, 0)


# How torch 2.13 names a tensor's type in the modified-in-place error: the legacy tensor class
# where there is one, else the CPU type's name (bool and bfloat16 have no legacy class there).
_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
               "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
               "int32": "torch.IntTensor", "int16": "torch.ShortTensor", "int8": "torch.CharTensor",
               "uint8": "torch.ByteTensor", "bool": "CPUBoolType", "bfloat16": "CPUBFloat16Type"}


def short_name(node) -> str:
    """A node's name as torch's in-place errors print it: without "Backward0" (TanhBackward0 ->
    Tanh, LeakyReluBackward1 -> LeakyRelu1)."""
    return re.sub(r"Backward(\d*)$", lambda m: m[1].lstrip("0"), node.name())


def _raise_modified(t, expected, actual, node):
    name = _TYPE_NAMES.get(t.dtype.name, t.dtype.name)
    node_name = short_name(t.grad_fn) if t.grad_fn is not None else ""
    where = f", which is output {t._output_nr} of {node_name}," if t.grad_fn is not None else ""
    site = t._vc[1] if t._vc is not None and len(t._vc) > 1 else None
    changed = f" It was last modified in place at {site}." if site else ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{name} {list(t.shape)}]{where} is at version {actual}; expected "
        f"version {expected} instead. Hint: enable anomaly detection to find the operation that "
        f"failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        f"check_nan=False).{changed} "
        "Fix: do not modify a tensor in place after it was used; use an out-of-place op or "
        ".clone() it first.")


# ------------------------------------------------------------------------------------------------
# AccumulateGrad and GraphRoot
# ------------------------------------------------------------------------------------------------

class AccumulateGrad(Node):
    """The sink of a leaf tensor: writes (accumulates) the incoming gradient into `.grad`.

    One per leaf, cached weakly on the tensor and held strongly by the graph, so every use of a
    parameter points at the same node and the dependency counts come out right."""

    def __init__(self, variable):
        Node.__init__(self)
        self.variable = variable
        self._seq = next(_seq)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def _accumulate(self, g, create_graph: bool) -> None:
        t = self.variable
        if t._view is not None and t._view.made_in_no_grad:
            return                  # a view made under no_grad: torch never writes its .grad
        if not create_graph:
            return self._accumulate_np(g._data)
        old = t._grad
        if old is None:
            if g.requires_grad:         # a copy that stays differentiable: torch's CopyBackwards
                from ..ops.inplace import Copy
                t._grad = Copy.apply(Tensor._make(np.empty_like(g._data), False, None, 0), g)
            else:
                t._grad = Tensor._make(g._data.copy(), False, None, 0)
        else:
            t._grad = old + g

    def _accumulate_np(self, g, adopt=False) -> None:
        """First-order accumulation of an array: `.grad` is created as a C-contiguous copy (as
        torch lays grads out; the optimizer runs faster), then summed into in place.

        With `adopt` (the engine's sweep holds no reference to `g`), an array that nothing else
        references either - no tensor, no saved value, no view of it, no user - becomes `.grad`
        itself instead of a copy, as torch steals a gradient whose refcount is one.  The count
        is compared with `_SOLE_REFS`, measured at import through the same two calls."""
        t = self.variable
        if t._view is not None and t._view.made_in_no_grad:
            return
        old = t._grad
        if old is None:
            own = _owned(g, t._data) if adopt and _refcount(g) == _SOLE_REFS else None
            if own is None:
                own = np.array(g, copy=True, order="C")
            t._grad = Tensor._make(own, False, None, 0)
        else:
            np.add(old._data, g, out=old._data, casting="unsafe")
            vc = own_vc(old)
            if vc is not None:
                vc[0] += 1


_refcount = sys.getrefcount


def _owned(g, like):
    """`g` (referenced by nothing but the engine's path: checked by the caller) as a C-contiguous
    array of `like`'s shape and dtype that owns its memory - `g` itself, or the array `g` is an
    identical view of (a weight's gradient comes out of mm as the transpose of a transpose) when
    nothing else references that array - else None."""
    if (type(g) is not np.ndarray or not g.flags.c_contiguous or not g.flags.writeable
            or g.dtype != like.dtype or g.shape != like.shape):
        return None
    base = g.base
    if base is None:
        return g
    # NumPy points a view's .base at the array owning the memory.  A C-contiguous view with
    # the owner's shape, strides and dtype spans as many bytes as the owner's whole buffer, so
    # it is that buffer: no data-pointer comparison needed (__array_interface__ costs ~10 µs).
    if (type(base) is np.ndarray and base.base is None and _refcount(base) == _BASE_REFS
            and base.shape == g.shape and base.strides == g.strides and base.dtype == g.dtype):
        return base
    return None


def _base_refs():
    """sys.getrefcount of an array that only one view references, as `_owned` sees it."""
    v = np.empty(1)[:]
    return _count_base(v)


def _count_base(g):
    base = g.base
    return _refcount(base)


_BASE_REFS = _base_refs()


def _sole_refs():
    """sys.getrefcount of an array referenced only by `_run_leaf`'s and `_accumulate_np`'s
    arguments: `_calibrate_leaf` and `_calibrate_acc` take the path the engine takes (a
    temporary moved into the first call, passed on to the second)."""
    return _calibrate_leaf(np.empty(1))


def _calibrate_leaf(g):
    return _calibrate_acc(None, g, True)


def _calibrate_acc(self, g, adopt=False):
    return _refcount(g)


_SOLE_REFS = _sole_refs()
_IN_FORWARD = object()  # a custom Function's _saved_versions while its forward runs (a marker)


class GraphRoot(Node):
    """The node backward starts from: its 'backward' returns the seed gradients."""

    def __init__(self, edges, grads):
        Node.__init__(self)
        self.next_functions = edges
        self._grads = grads
        self._seq = next(_seq)

    def _apply(self, grads):
        return self._grads


# ------------------------------------------------------------------------------------------------
# Function (user-defined) and Op (built-in)
# ------------------------------------------------------------------------------------------------

class _Scratch:
    """The ctx handed to forward when nothing is recorded: accepts attributes and saves nothing."""
    needs_input_grad = ()
    saved_tensors = ()
    _dirty = None

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass

    def mark_dirty(self, *tensors):
        self._dirty = set(map(id, tensors))


_SCRATCH = _Scratch()
_scratch_attrs = _SCRATCH.__dict__
_new = object.__new__
_ndarray = np.ndarray


def _arr(x):
    """Built-in forwards may return NumPy scalars (ufuncs do for 0-d inputs): make them arrays."""
    return x if type(x) is _ndarray else np.asarray(x)   # built-in forwards only write to their ctx, so one shared scratch will do


class Function:
    """Base class for custom differentiable operations (`torch.autograd.Function`).

    Subclass it, write `forward(ctx, *args)` and `backward(ctx, *grads)` as static methods and
    call `YourFunction.apply(*args)`.  The node is named `<YourFunction>Backward`."""

    node_name: str | None = None
    torch_name: str | None = None    # what node.name() says when it differs (CopySlices)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "vjp" in cls.__dict__ and "backward" not in cls.__dict__:
            cls.backward = cls.__dict__["vjp"]      # (torch: define either; they are one)
        if "backward" in cls.__dict__ and "np_backward" not in cls.__dict__:
            cls.np_backward = None     # an inherited array VJP would not match this backward
        cls._setup_context = getattr(cls, "setup_context") is not Function.setup_context
        name = cls.__dict__.get("node_name") or (cls.__name__ + "Backward")
        doc = cls.__dict__.get("__doc__")
        cls._node_cls = type(name, (Node,), {"_fn": cls, "__doc__": doc,
                                             "_np_vjp": None if cls.np_backward is None
                                             else staticmethod(cls.np_backward),
                                             "__module__": cls.__module__,
                                             "__qualname__": name})

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future version "
                      "of PyTorch.", DeprecationWarning, stacklevel=2)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """torch 2's alternative to a forward that takes ctx: override it, and `forward(*args)`
        runs without ctx, then `setup_context(ctx, inputs, output)` saves what backward needs."""
        raise NotImplementedError("setup_context is not implemented.")

    _setup_context = False           # whether the subclass overrides setup_context

    vjp = backward

    # Optional first-order fast path for built-ins: the same VJP as `backward`, on NumPy arrays
    # (`ctx._saved_np()` instead of `ctx.saved_tensors`).  Run by the engine when create_graph
    # is off; `backward` (Tensor ops, differentiable) runs when it is on.
    np_backward = None

    @classmethod
    def apply(cls, *args, **kwargs):
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = _state.enabled and True in needs
        ctx = cls._node_cls() if record else _Scratch()
        ctx.needs_input_grad = needs            # (under no_grad too, as torch)
        if record:
            ctx._saved_versions = _IN_FORWARD
            ctx._tensor_inputs = tuple(isinstance(a, Tensor) for a in args)
        prev = _state.enabled
        _state.enabled = False
        try:
            if cls._setup_context:          # torch 2's style: forward(*args), then setup_context
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = prev
            if record:
                ctx._saved_versions = None
        if record and ctx._saved:
            for i, item in enumerate(ctx._saved):
                if item is not None and not isinstance(item, Tensor):
                    raise TypeError(f"save_for_backward can only save variables, but argument "
                                    f"{i} is of type {type(item).__name__}")
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        dirty = ctx._dirty or ()
        if dirty:
            if not all(any(id(o) == d for o in outs) for d in dirty):
                raise RuntimeError("Some elements marked as dirty during the forward method were "
                                   "not returned as output. The inputs that are modified inplace "
                                   "must all be outputs of the Function.")
            for o in outs:                  # torch bumps a dirty tensor's version once more
                if isinstance(o, Tensor) and id(o) in dirty:
                    vc = own_vc(o)
                    if vc is not None:
                        vc[0] += 1
        wrapped = []
        nondiff = ctx._non_differentiable if record else None
        for o in outs:
            if isinstance(o, Tensor) and any(o is a for a in args):
                if id(o) in dirty and (record or not o._requires_grad):
                    if record:                  # changed in place: the input itself, rebased
                        _check_dirty(o)
                    wrapped.append(o)
                    continue
                alias = Tensor._make(o._data, False, None, 0, own_vc(o))  # returned an input
                if nondiff is not None and id(o) in nondiff:
                    nondiff.add(id(alias))
                elif record:                # a view of it that may not change in place
                    _views.mark_returned_input(alias, o)
                o = alias
            wrapped.append(o)
        if not record:
            return wrapped[0] if single else tuple(wrapped)
        saved = ctx._saved
        _finish_record(ctx, args, needs, wrapped, saved)
        if dirty and nondiff:           # changed in place and not differentiable: no history
            for o in wrapped:
                if id(o) in dirty and id(o) in nondiff and o._grad_fn is not None:
                    o.grad_fn, o._requires_grad = None, False
        return wrapped[0] if single else tuple(wrapped)


def _check_dirty(t) -> None:
    """torch's rules for an input a Function changed in place (mark_dirty)."""
    if t._requires_grad and t._grad_fn is None and t._view is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    if t._view is not None:
        raise NotImplementedError("mark_dirty on a view is not supported by zerograd (its base's "
                                  "history would have to be rewritten): clone() the view first")


def _finish_record(node, args, needs, outs, saved, raw=None):
    """Link a node into the graph once forward has produced `outs` (shared by Function and Op)."""
    nexts, nrs, metas = [], [], []
    for a, n in zip(args, needs):
        if n:
            fn = a.grad_fn           # (the property: re-derives a stale view first)
            if fn is not None:
                nexts.append(fn)
                nrs.append(a._output_nr)
            else:
                nexts.append(a._accumulator())
                nrs.append(0)
            metas.append((a._data.shape, a._data.dtype))
        else:
            nexts.append(None)
            nrs.append(0)
            metas.append(None)
    node._next = tuple(nexts)
    node._nrs = _nrs(nrs)
    node._metas = tuple(metas)
    node._seq = next(_seq)
    if _anomaly.enabled:
        import traceback
        node._trace = [f for f in traceback.format_stack()[:-2]
                       if "/zerograd/autograd/function.py" not in f]
    _link_outputs(node, outs)
    if saved:
        _pack_saved(node, saved, outs, raw)


def _link_outputs(node, outs):
    """Make `node` the grad_fn of each differentiable output Tensor; note the outputs' metadata."""
    nondiff = node._non_differentiable
    out_metas = []
    for i, o in enumerate(outs):
        if isinstance(o, Tensor):
            out_metas.append((o._data.shape, o._data.dtype))
            if nondiff is not None and id(o) in nondiff or not o.dtype.is_floating_point:
                continue
            o.grad_fn, o._output_nr, o._requires_grad = node, i, True
        else:
            out_metas.append(None)
    node._out_metas = out_metas
    node._num_outputs = len(outs)


def _pack_saved(node, saved, outs, raw=None):
    """Store what forward saved: input tensors with their versions, outputs as (array, version
    counter) without the output Tensor (no cycle), other arrays and numbers as constants.
    `raw` is what a built-in forward returned, before NumPy scalars were made arrays."""
    packed, versions = [], []
    for item in saved:
        if isinstance(item, Tensor):
            for i, o in enumerate(outs):
                if item is o:
                    packed.append(_SavedOutput(o._data, i, o._vc))
                    versions.append(o._vc[0])
                    break
            else:
                if item._vc is None:
                    _raise_inference_saved()
                packed.append(item)
                versions.append(item._vc[0])
        elif isinstance(item, (np.ndarray, np.generic)):
            for i, o in enumerate(outs):
                if isinstance(o, Tensor) and (item is o._data or raw is not None and item is raw[i]):
                    packed.append(_SavedOutput(item, i, o._vc))
                    versions.append(o._vc[0])
                    break
            else:
                packed.append(Tensor._make(_arr(item), False, None, 0))
                versions.append(None)
        else:  # None or a plain number (built-ins only)
            packed.append(item)
            versions.append(None)
    node._saved = tuple(packed)
    node._saved_versions = versions


def _raise_inference_saved():
    raise RuntimeError("Inference tensors cannot be saved for backward. Please do not use Tensors "
                       "created in inference mode in computation tracked by autograd. To work "
                       "around this, you can make a clone to get a normal tensor and use it in "
                       "autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")


class _Anomaly:
    enabled = False
    check_nan = True


_anomaly = _Anomaly()


_saved_names_hook = None     # set by explain.install_saved_attributes


class Op(Function):
    """A built-in operation: forward works on NumPy arrays and returns arrays.

    `node_name` must be PyTorch's name for the node (check it in torch: `y.grad_fn.name()`)."""

    def __init_subclass__(cls, **kwargs):
        if "node_name" not in cls.__dict__ and cls.__name__ != "Op":
            cls.node_name = cls.__name__ + "Backward0"
        super().__init_subclass__(**kwargs)
        if _saved_names_hook is not None:   # an op defined after zerograd's import: its names
            _saved_names_hook(cls)
        if "ufunc" in cls.__dict__:     # an elementwise op on the fast path: one lookup there
            cls._fast_spec = (cls.__dict__["ufunc"], cls.saves, cls._node_cls)

    ufunc = None     # the fast path's forward on arrays (elementwise ops, see fast_unary)
    saves = None     # what its backward reads: "out", "in", "cross", "both" or None

    arity = None     # how many leading arguments are inputs (the rest are parameters)
    is_view = False  # the output aliases the first input's memory (ops/views.py)

    @classmethod
    def apply(cls, *args):
        # The per-operation hot path.  One pass over the inputs finds which need grad and
        # their graph edges before forward runs (forward reads ctx.needs_input_grad); nothing
        # is allocated for the graph unless some input requires grad.
        if _state.enabled:
            ar = cls.arity
            if ar == 1 or ar is None and len(args) == 1:
                # one input (views, reductions, most nn ops): the loop below, unrolled
                a = args[0]
                rec = isinstance(a, Tensor) and (a._requires_grad or a._view is not None and
                                                 _views.requires_grad_now(a))
                if rec:
                    d = a._data
                    metas = ((d.shape, d.dtype),)
                    fn = a._grad_fn
                    if fn is None or a._view is not None:
                        fn = input_edge(a)
                    nr = a._output_nr               # (0 for a leaf)
                    needs, nexts = _NEED_ONE, fn    # (one edge: the node itself, see Node)
                    nrs = _NR_ONE[nr] if nr < 2 else (nr,)
            else:
                rec, needs, nexts, metas, nrs = _edges(cls, args)
            if rec:
                node = _new(cls._node_cls)
                node.needs_input_grad = needs
                node._num_outputs = 1
                node._has_hooks = False
                node._saved = ()
                node._saved_versions = None
                node._next = nexts
                node._nrs = nrs
                node._metas = metas
                try:
                    raw = out = cls.forward(node, *args)
                except RuntimeWarning:      # warnings made errors by the user (see quiet)
                    raw = out = quiet(cls.forward, node, *args)
                node._seq = next(_seq)
                if _anomaly.enabled:
                    import traceback
                    node._trace = traceback.format_stack()[:-2]
                if type(out) is tuple:
                    return _finish_multi(cls, node, args, out)
                if type(out) is not _ndarray:   # NumPy turns 0-d results into scalars
                    out = _arr(out)
                vc = None if _state.inference else FRESH
                t = _new(Tensor)                # Tensor._make, inlined
                t._data = out
                t._grad = None
                t._output_nr = 0
                t._vc = vc
                t._view = None
                if out.dtype.kind in "fV":
                    t._requires_grad = True
                    t._grad_fn = node
                else:                           # integer/bool results carry no gradient
                    t._requires_grad = False
                    t._grad_fn = None
                if node._saved:
                    _pack_saved1(node, raw, out, vc)
                if cls.is_view:
                    _views.mark_view(t, args[0], cls, args[1:])
                return t
        try:
            out = cls.forward(_SCRATCH, *args)
        except RuntimeWarning:              # warnings made errors by the user (see quiet)
            out = quiet(cls.forward, _SCRATCH, *args)
        if _scratch_attrs:              # what forward stored for a backward that won't happen:
            _scratch_attrs.clear()      # drop it now (it may hold large arrays)
        if type(out) is tuple:
            outs = tuple([Tensor._make(_arr(o), False, None, 0) for o in out])
            if cls.is_view:
                for i, o in enumerate(outs):
                    _views.mark_view(o, args[0], cls, args[1:], i)
            return outs
        if type(out) is not _ndarray:
            out = _arr(out)
        t = _new(Tensor)
        t._data = out
        t._requires_grad = False
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._vc = None if _state.inference else FRESH
        t._view = None
        if cls.is_view:
            _views.mark_view(t, args[0], cls, args[1:])
        return t



def input_edge(a):
    """The graph edge to an input that requires grad: its grad_fn, or its leaf's (cached)
    AccumulateGrad, after re-deriving a view whose base changed in place since."""
    if a._view is not None and a._vc[0] != a._view.version:
        _views.refresh(a)
    fn = a._grad_fn
    if fn is None:
        ref = a._acc
        fn = ref() if ref is not None else None
        return fn if fn is not None else make_accumulator(a)
    return fn


def _edges(cls, args):
    """Op.apply's pass over the inputs: (some input requires grad, needs_input_grad, the edges,
    the inputs' (shape, dtype) or None, their output numbers)."""
    needs, nexts, metas = [], [], []
    nrs = None                            # (all zeros until an input says otherwise)
    rec = False
    for a in (args if cls.arity is None else args[:cls.arity]):
        nr = 0
        if isinstance(a, Tensor) and (a._requires_grad or a._view is not None and
                                      _views.requires_grad_now(a)):
            rec = True
            needs.append(True)
            d = a._data
            metas.append((d.shape, d.dtype))
            nexts.append(input_edge(a))
            nr = a._output_nr             # (0 for a leaf)
        else:
            needs.append(False)
            nexts.append(None)
            metas.append(None)
        if nr and nrs is None:
            nrs = [0] * (len(nexts) - 1)
        if nrs is not None:
            nrs.append(nr)
    if not rec:
        return False, None, None, None, None
    return (True, tuple(needs), tuple(nexts), tuple(metas),
            _zero_nrs(len(nexts)) if nrs is None else tuple(nrs))


_NEED_ONE = (True,)
_NR_ONE = ((0,), (1,))


class NotDifferentiable(Op):
    """An op torch records with a `NotImplemented` node whose backward raises: subclasses set
    `node_name = "NotImplemented"` (the class name torch prints) and `aten`, the operator the
    error names."""
    node_name = "NotImplemented"
    torch_name = "torch::autograd::NotImplemented"
    aten = None

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{type(ctx)._fn.aten} is not implemented")

    @staticmethod
    def record(out):
        """`out` with its node listing only the inputs that require grad (as torch's does)."""
        node = out.grad_fn
        if node is not None:
            node.next_functions = [e for e in node.next_functions if e[0] is not None]
        return out


_NO_EDGE = (None, 0)
_ZERO_NRS = [(0,) * n for n in range(9)]


def _zero_nrs(n) -> tuple:
    """n zeros as a tuple, shared for the usual small n."""
    return _ZERO_NRS[n] if n < len(_ZERO_NRS) else (0,) * n


def _nrs(nrs) -> tuple:
    """The output numbers of a node's edges as a tuple, the all-zero ones shared."""
    return tuple(nrs) if any(nrs) else _zero_nrs(len(nrs))


def _pack_saved1(node, raw, out, vc):
    """Pack what a single-output built-in saved: input Tensors with their versions, its own
    output (array) as a _SavedOutput (no cycle), other arrays as constants, numbers as they are."""
    packed, versions = [], []
    for item in node._saved:
        if isinstance(item, Tensor):
            v = item._vc
            if v is None:
                _raise_inference_saved()
            packed.append(item)
            versions.append(v[0])
        elif item is raw or item is out:
            packed.append(_SavedOutput(out, 0, vc))
            versions.append(0)
        else:
            packed.append(Tensor._make(_arr(item), False, None, 0)
                          if isinstance(item, (_ndarray, np.generic)) else item)
            versions.append(None)
    node._saved = packed
    node._saved_versions = versions


def _finish_multi(cls, node, args, out):
    """The rest of `Op.apply` for a forward that returned several arrays (max with indices,
    split, unbind, ...): the edges are already on the node."""
    outs = [Tensor._make(_arr(o), False, None, 0) for o in out]
    _link_outputs(node, outs)
    if node._saved:
        _pack_saved(node, node._saved, outs, out)
    if cls.is_view:
        for i, o in enumerate(outs):
            _views.mark_view(o, args[0], cls, args[1:], i)
    return tuple(outs)


def once_differentiable(fn):
    """Decorator for a custom backward that is not itself differentiable (runs under no_grad)."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper


def make_accumulator(t) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, created on first use and cached weakly on the tensor."""
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


from ..ops import views as _views  # noqa: E402  (views use Op: import after it exists)
