"""The backward engine: graph shapes, ordering, hooks, release, capture, errors, memory.

Many tests run the same function with `lib` = zerograd and `lib` = torch and compare what
it returns (values, event logs), so the behaviour is pinned to PyTorch's, not to our reading of it.
"""
import gc
import sys
import threading
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

LIBS = [zerograd] + ([torch] if torch is not None else [])


def both(fn):
    """Run fn(lib) under zerograd and torch; assert equal results; return zerograd's."""
    mine = fn(zerograd)
    if torch is not None:
        theirs = fn(torch)
        assert _same(mine, theirs), f"zerograd {mine!r} != torch {theirs!r}"
    return mine


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if hasattr(a, "detach") and hasattr(a, "tolist"):
        x, y = np.asarray(a.detach().tolist(), float), np.asarray(b.detach().tolist(), float)
        return x.shape == y.shape and np.allclose(x, y, rtol=1e-5, atol=1e-6)
    if isinstance(a, float):
        return np.isclose(a, b, rtol=1e-5, atol=1e-6)
    return a == b


# ----- graph shapes ------------------------------------------------------------------------------

def test_diamond():
    def f(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
        y = a * b + a          # a reaches y along two paths
        z = y.exp() * y        # and y twice
        z.sum().backward()
        return a.grad, b.grad
    both(f)


def test_tensor_used_twice_in_one_op():
    def f(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        return x.grad
    assert both(f).tolist() == [2.0, -4.0, 6.0]


def test_multiple_roots():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y1 = (x * 3).sum()
        y2 = (x ** 2).sum()
        lib.autograd.backward([y1, y2])
        g1 = x.grad.clone()
        x.grad = None
        lib.autograd.backward([x * 2, x * x], [lib.ones(2), lib.tensor([1.0, 10.0])])
        return g1, x.grad
    both(f)


def test_broadcast_gradients_sum_to_input_shape():
    def f(lib):
        a = lib.ones(2, 1, 3, requires_grad=True)
        b = lib.ones(4, 3, requires_grad=True)
        c = lib.ones(3, requires_grad=True)
        ((a * b + c) * lib.arange(24.0).reshape(2, 4, 3)).sum().backward()
        return a.grad, b.grad, c.grad
    both(f)


def test_deep_chain_no_recursion():
    x = zerograd.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)      # prove the engine never recurses
    try:
        y.sum().backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.tolist() == [1.0]


def test_execution_order_is_reverse_creation_order():
    order = []
    x = zerograd.tensor([1.0], requires_grad=True)
    a = x * 2
    b = x * 3
    c = a + b
    for name, t in (("a", a), ("b", b), ("c", c)):
        t.grad_fn.register_prehook(lambda g, n=name: order.append(n))
    c.sum().backward()
    assert order == ["c", "b", "a"]


# ----- retain_graph, release, second backward ----------------------------------------------------

def test_second_backward_raises_and_retain_graph_allows_it():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_nodes_without_saved_tensors_can_run_twice_like_torch():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 2).sum()
        y.backward()
        y.backward()
        return x.grad
    both(f)


def test_saved_tensors_access_after_free():
    x = zerograd.tensor([1.0], requires_grad=True)
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        y.grad_fn.saved_tensors


# ----- errors -------------------------------------------------------------------------------------

def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        zerograd.ones(3).sum().backward()


def test_non_scalar_needs_gradient():
    x = zerograd.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3\]\)"):
        (x * 2).backward(zerograd.ones(3))


def test_integer_tensor_cannot_require_grad():
    # torch's two messages: the factories' and requires_grad_()'s
    for make in (lambda L: L.tensor([1, 2], requires_grad=True),
                 lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
                 lambda L: L.arange(3, requires_grad=True),
                 lambda L: L.full((2,), 3, requires_grad=True),
                 lambda L: L.empty(2, dtype=L.bool, requires_grad=True)):
        for lib in LIBS:
            with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex "
                                                   "dtype can require gradients$"):
                make(lib)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        zerograd.tensor([1, 2]).requires_grad_()


def test_requires_grad_false_on_non_leaf_raises():
    y = zerograd.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False


def test_version_counter_detects_modified_saved_tensor():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    d = zerograd.tensor([3.0, 4.0])
    y = x * d
    d.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[torch.FloatTensor \[2\]\] is at version 1; expected version 0"):
        y.sum().backward()


def test_detach_shares_version_counter_data_does_not():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    h = (x * 1).detach()
    assert h._version == 0
    w = zerograd.tensor([1.0, 2.0])
    det, dat = w.detach(), w.data
    det.add_(1)
    assert w._version == 1 and det._version == 1
    dat.add_(1)
    assert w._version == 1          # .data hides the edit from autograd
    assert w.tolist() == [3.0, 4.0]


def test_leaf_inplace_requires_no_grad():
    w = zerograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w.add_(1)
    with zerograd.no_grad():
        w.add_(1)
    assert w.tolist() == [2.0] and w._version == 1


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"):
        zerograd.ones(2, 3) @ zerograd.ones(2, 3)
    with pytest.raises(RuntimeError, match="size of tensor a \\(3\\) must match the size of tensor b \\(4\\)"):
        zerograd.ones(2, 3) + zerograd.ones(2, 4)


# ----- .grad semantics ----------------------------------------------------------------------------

def test_non_leaf_grad_warns_and_is_none():
    y = zerograd.ones(2, requires_grad=True) * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        z = (y * y).sum()
        z.backward(retain_graph=True)
        first = y.grad.clone()
        z.backward()
        return first, y.grad, y.retains_grad, x.retains_grad
    both(f)


def test_create_graph_accumulates_out_of_place_with_history():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        g.sum().backward()           # d/dx sum(3x^2) = 6x, accumulated onto x.grad's history
        return x.grad
    both(f)


def test_backward_inputs_only_accumulates_those():
    def f(lib):
        a = lib.tensor([1.0], requires_grad=True)
        b = lib.tensor([2.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad is None
    both(f)


# ----- autograd.grad -------------------------------------------------------------------------------

def test_autograd_grad_does_not_touch_grad_and_allow_unused():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.tensor([5.0], requires_grad=True)
        y = (x ** 2).sum()
        gx, gu = lib.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
        mat = lib.autograd.grad(y, [x, u], materialize_grads=True)
        return gx, gu is None, x.grad is None, mat[1]
    both(f)
    x = zerograd.tensor([1.0], requires_grad=True)
    u = zerograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        zerograd.autograd.grad((x * 2).sum(), [x, u])


def test_autograd_grad_of_intermediate():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x.exp()
        y = (h * h).sum()
        gh, gx = lib.autograd.grad(y, [h, x])
        return gh, gx
    both(f)


def test_grad_prunes_unneeded_branches():
    ran = []
    x = zerograd.tensor([1.0], requires_grad=True)
    w = zerograd.tensor([1.0], requires_grad=True)
    a = x * 2
    b = w * 3
    a.grad_fn.register_prehook(lambda g: ran.append("a"))
    b.grad_fn.register_prehook(lambda g: ran.append("b"))
    zerograd.autograd.grad((a + b).sum(), [x])
    assert ran == ["a"]


# ----- hooks ---------------------------------------------------------------------------------------

def _hook_log(lib):
    log = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    x.register_hook(lambda g: log.append(("x-hook", g.tolist())))
    x.register_post_accumulate_grad_hook(lambda t: log.append(("x-post", t.grad.tolist())))
    y.register_hook(lambda g: log.append(("y-hook1", g.tolist())))
    y.register_hook(lambda g: g * 10)                      # replaces the gradient
    y.register_hook(lambda g: log.append(("y-hook3", g.tolist())))
    y.retain_grad()
    y.grad_fn.register_prehook(lambda go: log.append(("y-node-pre", go[0].tolist())))
    y.grad_fn.register_hook(lambda gi, go: log.append(("y-node-post", gi[0].tolist())))
    z.sum().backward()
    log.append(("y.grad", y.grad.tolist()))
    log.append(("x.grad", x.grad.tolist()))
    return log


def test_hook_order_and_replacement_match_torch():
    log = both(_hook_log)
    assert log[0][0] == "y-hook1"


def test_hook_handle_remove_and_context_manager():
    calls = []
    x = zerograd.tensor([1.0], requires_grad=True)
    h = x.register_hook(lambda g: calls.append(1))
    (x * 2).sum().backward()
    h.remove()
    (x * 2).sum().backward()
    with x.register_hook(lambda g: calls.append(2)):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert calls == [1, 2]


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        zerograd.ones(2).register_hook(lambda g: g)


def test_leaf_hook_runs_before_accumulation():
    def f(lib):
        x = lib.tensor([1.0], requires_grad=True)
        x.register_hook(lambda g: g * 100)
        (x * 2).sum().backward()
        return x.grad
    assert both(f).tolist() == [200.0]


# ----- node API ------------------------------------------------------------------------------------

def test_node_metadata_name_and_next_functions():
    def f(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        return (y.grad_fn.name(), len(y.grad_fn.next_functions), y.grad_fn.next_functions[1],
                acc.variable is x, type(acc).__name__, y.grad_fn.metadata,
                acc is (x + 1).grad_fn.next_functions[0][0])
    both(f)


def test_next_functions_name_the_output_of_multi_output_nodes():
    def f(lib):
        x = lib.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
        v, i = x.max(1)
        y = v.exp() * v.tanh()              # the fast paths, from output 0 of MaxBackward0
        s = (x * 1).split(1)[1]             # output 1 of SplitBackward0, a view
        z = s.exp() + s * s + s.sum()
        return ([(n.name(), nr) for n, nr in y.grad_fn.next_functions],
                [(n.name(), nr) for n, nr in y.grad_fn.next_functions[0][0].next_functions],
                [(n.name(), nr) for n, nr in s.exp().grad_fn.next_functions],
                [(n.name(), nr) for n, nr in (s * s).grad_fn.next_functions],
                [(n.name(), nr) for n, nr in z.grad_fn.next_functions[1][0].next_functions])
    both(f)


def test_a_fast_path_node_costs_the_cycle_collector_two_objects():
    """A deep graph's collections walk every tracked object.  Of a tanh chain, each link keeps
    two: the node and its edge tuple - the output saved as its bare array (its version counter
    is the shared FRESH), the intermediate tensors freed, the edge pairs torch prints built when
    next_functions is read.  (It was five before the counters and saved outputs went lazy.)"""
    x = zerograd.ones(4, requires_grad=True)
    for op in (lambda t: t.tanh(), lambda t: t * 2.0):
        gc.collect()
        n0 = len(gc.get_objects())
        y = x
        for _ in range(2000):
            y = op(y)
        gc.collect()
        assert (len(gc.get_objects()) - n0) / 2000 <= 2.01
        del y


def test_grad_fn_repr():
    y = zerograd.ones(1, requires_grad=True) + 1
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")


# ----- memory: no node survives the graph ----------------------------------------------------------

def _live_nodes():
    from zerograd.autograd.function import Node
    return sum(1 for o in gc.get_objects() if isinstance(o, Node))


def test_graph_freed_after_backward_and_del_by_refcount():
    gc.collect()
    before = _live_nodes()
    gc.disable()
    try:
        w = zerograd.randn(8, 8, requires_grad=True)
        x = zerograd.randn(4, 8)
        h = x
        for _ in range(20):
            h = (h @ w).tanh() * 1.5 + h.exp().sqrt()
        loss = h.sum()
        loss.backward()
        del loss, h
        assert _live_nodes() - before <= 1     # at most w's AccumulateGrad, held weakly... and freed
    finally:
        gc.enable()
    del w
    assert _live_nodes() == before


def test_saved_output_makes_no_reference_cycle():
    gc.collect()
    gc.disable()
    try:
        import weakref
        x = zerograd.randn(3, requires_grad=True)
        y = x.exp()                 # Exp saves its output
        r = weakref.ref(y.grad_fn)
        del y
        assert r() is None          # freed by refcounting alone: no cycle
    finally:
        gc.enable()


# ----- grad modes -----------------------------------------------------------------------------------

def test_no_grad_records_nothing_and_decorates():
    x = zerograd.ones(2, requires_grad=True)
    with zerograd.no_grad():
        y = x * 2
        assert not zerograd.is_grad_enabled()
        with zerograd.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad and z.grad_fn is not None

    @zerograd.no_grad()
    def f(t):
        return t * 2
    assert f(x).grad_fn is None and zerograd.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    zerograd.set_grad_enabled(False)
    try:
        assert not zerograd.is_grad_enabled()
    finally:
        zerograd.set_grad_enabled(True)
    with zerograd.set_grad_enabled(False):
        assert not zerograd.is_grad_enabled()
    assert zerograd.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with zerograd.no_grad():
        t = threading.Thread(target=lambda: seen.append(zerograd.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_inference_mode_tensors():
    x = zerograd.ones(2, requires_grad=True)
    with zerograd.inference_mode():
        assert zerograd.is_inference_mode_enabled()
        i = x * 2
        i.add_(1)                         # in-place inside the mode is fine
    assert i.is_inference() and not x.is_inference()
    with pytest.raises(RuntimeError, match="Inference tensors do not track version counter"):
        i._version
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
        i.add_(1)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        x * i

    @zerograd.inference_mode()
    def pred(t):
        return t * 2
    assert pred(x).is_inference()


# ----- anomaly mode --------------------------------------------------------------------------------

def test_detect_anomaly_names_node_and_forward_site():
    x = zerograd.tensor([0.0, 1.0], requires_grad=True)
    with zerograd.autograd.detect_anomaly():
        y = x.sqrt()                         # d sqrt at 0 is inf; times 0 gives nan
        loss = (y * 0).sum()
        with pytest.warns(UserWarning, match="Error detected in"):
            with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in its 0th output") as e:
                loss.backward()
    assert "test_engine.py" in str(e.value)    # the forward traceback of the op


def test_second_derivative_through_saved_0d_output():
    """A 0-d op result is a NumPy scalar before wrapping; a saved output must still be
    recognised as the output (else its history is cut and the 2nd derivative is silently wrong)."""
    def f(lib):
        x = lib.tensor(0.3, dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(x.exp() * x.sin(), x, create_graph=True)
        gg, = lib.autograd.grad(g, x)
        return gg
    import math
    assert abs(both(f).item() - 2 * math.exp(0.3) * math.cos(0.3)) < 1e-12


def test_node_with_only_none_grads_is_skipped():
    class Cut(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return None

    x = zerograd.randn(3, requires_grad=True)
    w = zerograd.randn(3, requires_grad=True)
    (Cut.apply(x.exp()) + w).sum().backward()
    assert x.grad is None and w.grad.tolist() == [1.0, 1.0, 1.0]


# ----------------------------------------------------------------------------------------------
# the elementwise fast path (autograd/fastpath.py fast_unary / fast_binary) records exactly what
# Op.apply records
# ----------------------------------------------------------------------------------------------

def _node_state(t):
    n = t.grad_fn
    saved = [None if s is None else (s.detach().numpy().copy() if isinstance(s, zerograd.Tensor)
                                     else s) for s in n.saved_tensors]
    return (type(n), n.needs_input_grad, [(f, nr) for f, nr in n.next_functions],
            [None if m is None else (tuple(m[0]), m[1]) for m in n._metas],
            saved, list(n._saved_versions) if n._saved_versions is not None else None,
            t.dtype, t.shape, t.requires_grad)


@pytest.mark.parametrize("name", ["Add", "Sub", "Mul", "Div"])
@pytest.mark.parametrize("form", ["tt", "tn", "broadcast", "const_other"])
def test_fast_binary_records_what_apply_records(name, form):
    from zerograd.autograd.fastpath import fast_binary
    from zerograd.ops import elementwise as ew
    cls = getattr(ew, name)
    rng = np.random.default_rng(0)
    a = zerograd.tensor(rng.standard_normal((3, 4)), requires_grad=True) * 1.0   # non-leaf
    other = {"tt": zerograd.tensor(rng.standard_normal((3, 4)), requires_grad=True),
             "tn": 0.5, "broadcast": zerograd.tensor(rng.standard_normal(4), requires_grad=True),
             "const_other": zerograd.tensor(rng.standard_normal((3, 4)))}[form]
    fast, slow = fast_binary(cls, a, other), cls.apply(a, other)
    np.testing.assert_array_equal(fast.detach().numpy(), slow.detach().numpy())
    fs, ss = _node_state(fast), _node_state(slow)
    assert fs[:4] == ss[:4] and fs[5:] == ss[5:]
    for x, y in zip(fs[4], ss[4]):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name", ["Neg", "Exp", "Log", "Sqrt", "Tanh", "Sigmoid", "Relu"])
def test_fast_unary_records_what_apply_records(name):
    from zerograd.autograd.fastpath import fast_unary
    from zerograd.ops import elementwise as ew
    cls = getattr(ew, name)
    x = zerograd.tensor(np.random.default_rng(1).random((2, 3)) + 0.5, requires_grad=True)
    for inp in (x, x * 1.0):                        # a leaf and a computed input
        fast, slow = fast_unary(cls, inp), cls.apply(inp)
        np.testing.assert_array_equal(fast.detach().numpy(), slow.detach().numpy())
        fs, ss = _node_state(fast), _node_state(slow)
        assert fs[:4] == ss[:4] and fs[5:] == ss[5:]
        for p, q in zip(fs[4], ss[4]):
            np.testing.assert_array_equal(p, q)


def test_fast_path_falls_back_where_apply_decides():
    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    # other dtypes, bool numbers, non-broadcasting shapes, int tensors: apply's rules and errors
    assert (x.half() * 2).dtype == zerograd.float16
    assert (x * True).dtype == zerograd.float32
    assert (zerograd.tensor([1, 2]) * 2.5).dtype == zerograd.float32
    assert (zerograd.tensor([1, 2]) + 1).dtype == zerograd.int64
    with pytest.raises(RuntimeError, match="must match the size"):
        x * zerograd.ones(3)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved"):
        with zerograd.inference_mode():
            c = zerograd.ones(2)
        x * c
    with zerograd.autograd.detect_anomaly():        # anomaly mode records the forward trace
        y = (x * 2).tanh()
    assert y.grad_fn._trace is not None


def test_python_numbers_keep_their_value_and_sign():
    x = zerograd.tensor([-0.0, 1.0, -2.0])
    # cached 0-d operands must not mix up +0.0 and -0.0, nor NaN
    assert np.signbit((x * -0.0).numpy()).tolist() == [False, True, False]
    assert np.signbit((x * 0.0).numpy()).tolist() == [True, False, True]
    assert np.isnan((x + float("nan")).numpy()).all()
    assert (x + 1e-3).numpy().dtype == np.float32
    for v in range(600):                            # the cache stays bounded
        x + float(v) + 0.5
    from zerograd.autograd.fastpath import _S32
    assert len(_S32) <= 513


def _leaf_event_order(m):
    """The order in which leaf hooks and post-accumulate hooks fire, on a graph where leaves are
    reached by different numbers of edges, across two backward passes."""
    events = []
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = m.tensor([0.1, 0.2, 0.3], requires_grad=True)
    for name, t in (("x", x), ("w", w), ("b", b)):
        t.register_hook(lambda g, n=name: events.append(f"hook {n}"))
        t.register_post_accumulate_grad_hook(lambda p, n=name: events.append(f"acc {n}"))
    y = x * w + b
    z = (y.tanh() * w + x).sum()
    z.backward(retain_graph=True)
    events.append("--")
    z.backward()
    return events


@requires_torch
def test_leaf_hooks_fire_in_torchs_order():
    assert _leaf_event_order(zerograd) == _leaf_event_order(torch)


# ---- the first .grad takes over a gradient array nothing else holds (no copy) ----------------

def _fn(backward):
    class F(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    F.backward = staticmethod(backward)
    return F


def test_first_grad_adopts_an_unshared_gradient_array():
    made = {}

    def backward(ctx, g):
        r = g * 2
        made["id"] = id(r._data)      # its id only: holding the array would forbid adoption
        return r
    x = zerograd.randn(3, 4, requires_grad=True)
    _fn(backward).apply(x).sum().backward()
    assert id(x.grad._data) == made["id"]
    assert x.grad._data.flags.c_contiguous and x.grad._data.flags.writeable
    np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 2.0, np.float32))


def test_first_grad_copies_a_gradient_array_held_elsewhere():
    kept = []

    def backward(ctx, g):
        r = g * 2
        kept.append(r)                 # the Function keeps its result
        return r
    x = zerograd.randn(3, 4, requires_grad=True)
    _fn(backward).apply(x).sum().backward()
    assert not np.shares_memory(x.grad._data, kept[0]._data)
    kept_view = []

    def backward_view(ctx, g):
        r = g * 2
        kept_view.append(r._data[0])   # only a view of it survives
        return r
    x = zerograd.randn(3, 4, requires_grad=True)
    _fn(backward_view).apply(x).sum().backward()
    x.grad.zero_()
    assert kept_view[0].tolist() == [2.0] * 4


def test_first_grad_never_aliases_user_arrays_or_other_grads():
    v = zerograd.ones(3)
    x = zerograd.zeros(3, requires_grad=True)
    (x + 0).backward(v)                 # add hands the seed itself through
    x.grad.add_(1)
    assert v.tolist() == [1.0, 1.0, 1.0]
    a = zerograd.zeros(3, requires_grad=True)
    b = zerograd.zeros(3, requires_grad=True)
    (a + b).mul(zerograd.tensor([1.0, 2.0, 3.0])).sum().backward()   # one array for both
    a.grad.add_(10)
    assert b.grad.tolist() == [1.0, 2.0, 3.0]
    seen = []
    c = zerograd.zeros(3, requires_grad=True)
    c.register_hook(lambda g: seen.append(g))
    (c * 3).sum().backward()
    c.grad.add_(1)
    assert seen[0].tolist() == [3.0, 3.0, 3.0]


def test_first_grad_reference_count_calibration():
    from zerograd.autograd import function as F
    assert F._sole_refs() == F._SOLE_REFS
    a = np.empty(1)
    # the count of an array the engine's path does not hold grows with every other holder
    assert F._calibrate_leaf(a) == F._SOLE_REFS + 1


def test_owned_takes_a_fresh_array_or_the_array_it_is_an_identical_view_of():
    from zerograd.autograd.function import _owned
    like = np.zeros((3, 4), np.float32)
    fresh = np.ones((3, 4), np.float32)
    assert _owned(fresh, like) is fresh
    twice = np.ones((3, 4), np.float32).T.T               # mm's weight gradient, as TBackward hands it
    assert _owned(twice, like) is twice.base
    base = np.ones((3, 4), np.float32)
    assert _owned(base.T.T, like) is None                  # `base` is held here too
    assert _owned(np.ones((6, 4), np.float32)[:3], like) is None     # part of a bigger array
    shifted = np.lib.stride_tricks.as_strided(np.ones(13, np.float32)[1:], (3, 4), (16, 4))
    assert _owned(shifted, like) is None                   # a view that starts elsewhere
    assert _owned(np.ones((4, 3), np.float32).T, like) is None       # not C-contiguous
    assert _owned(np.ones((3, 4), np.float64), like) is None         # another dtype
    ro = np.ones((3, 4), np.float32)
    ro.flags.writeable = False
    assert _owned(ro, like) is None


def test_linear_weight_grads_are_row_major_and_own_their_memory():
    lin = zerograd.nn.Linear(5, 3)
    lin(zerograd.randn(7, 5)).sum().backward()
    for p in (lin.weight, lin.bias):
        assert p.grad._data.flags.c_contiguous and p.grad._data.flags.owndata


@pytest.mark.parametrize("shape,k", [((5, 3), 1), ((2, 3, 4), 2), ((7, 1, 4), 1), ((1, 6), 1)])
def test_leading_sum_matches_numpy(shape, k):
    """autograd.function.leading_sum (a bias gradient summed over the batch by BLAS)."""
    from zerograd.autograd.function import leading_sum
    for dt in (np.float32, np.float64):
        a = np.random.default_rng(4).standard_normal(shape).astype(dt)
        got = leading_sum(a, k)
        assert got.shape == a.shape[k:] and got.dtype == dt
        np.testing.assert_allclose(got, a.sum(axis=tuple(range(k))),
                                   rtol=1e-5 if dt == np.float32 else 1e-12, atol=1e-6)


# ----- lazy version counters: a tensor shares the read-only FRESH until it is changed or shared ---

def _counter_programs(L):
    """In-place changes that must reach a saved output through every way a tensor's counter is
    shared (views, detach, detach_, a Function's saved output, a view of a view), with the fast
    path's bare saved arrays and Op.apply's records: each is (name, program)."""
    class SaveOut(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    def ones():
        return L.ones(4, requires_grad=True)

    def p_out_then_inplace():
        y = ones().tanh(); z = y * 2; y.add_(1); z.sum().backward()

    def p_view_of_saved_out():
        y = ones().exp(); z = y.sin(); y[0:2].mul_(2); z.sum().backward()

    def p_view_of_view():
        y = ones().tanh(); w = y * y; y.view(2, 2)[0].add_(1); w.sum().backward()

    def p_detach_shares():
        y = ones().exp(); z = y * 3; y.detach().add_(1); z.sum().backward()

    def p_detach_inplace():
        y = ones().exp(); w = y * 3; y.detach_(); y.add_(1); w.sum().backward()

    def p_function_unpacked_then_changed():
        y = SaveOut.apply(ones()); y.sum().backward(retain_graph=True); y.add_(1)
        y.sum().backward()

    def p_function_changed():
        y = SaveOut.apply(ones()); y.add_(1); y.sum().backward()

    def p_op_apply_half():
        y = L.ones(3, dtype=L.float16, requires_grad=True).sigmoid(); y.mul_(2)
        y.sum().backward()

    def p_unchanged_is_fine():
        x = ones(); y = x.tanh(); z = y.detach(); v = y[1:]
        (y * 2 + v.sum()).sum().backward()
        return [round(g, 5) for g in x.grad.tolist()], z._version, y._version

    def p_versions():
        x = ones(); y = x.exp(); v0 = y._version; y.add_(1)
        (x * 2).sum().backward(); (x * 2).sum().backward()
        return v0, y._version, y.detach()._version, x.grad._version

    return [(k[2:], v) for k, v in locals().items() if k.startswith("p_")]


@requires_torch
def test_lazy_version_counters_catch_every_inplace_change_as_torch():
    def outcome(fn):
        try:
            return ("ok", fn())
        except RuntimeError as e:
            return ("raised", "modified by an inplace operation" in str(e))
    z = [(n, outcome(f)) for n, f in _counter_programs(zerograd)]
    t = [(n, outcome(f)) for n, f in _counter_programs(torch)]
    assert z == t
    assert sum(o[0] == "raised" for _, o in z) == 8


def test_fresh_counter_is_shared_until_a_tensor_is_changed():
    from zerograd.tensor import FRESH
    a, b = zerograd.ones(2), zerograd.ones(2) * 2
    assert a._vc is FRESH and b._vc is FRESH
    a.add_(1)
    assert a._vc is not FRESH and a._vc[0] == 1 and b._vc is FRESH and b._version == 0
    v = b[0:1]
    assert b._vc is not FRESH and v._vc is b._vc


# ---- node hooks: what they return is checked as torch checks it ---------------------------------

def _hook_error(fn):
    """fn(lib) under zerograd and torch: (exception type, message) of each, or its result."""
    def run(lib):
        try:
            return fn(lib)
        except (RuntimeError, TypeError) as e:
            return type(e).__name__, str(e)
    return both(run)


def _prehook_program(make):
    def fn(lib):
        x = lib.ones(4, 4, requires_grad=True)
        z = (x * 2).tanh()
        z.grad_fn.register_prehook(lambda go: make(lib, go))
        z.sum().backward()
        return x.grad.shape
    return fn


def _posthook_program(make):
    def fn(lib):
        x = lib.ones(4, 4, requires_grad=True)
        z = (x * 2).tanh()
        z.grad_fn.register_hook(lambda gi, go: make(lib, gi))
        z.sum().backward()
        return x.grad.shape
    return fn


@pytest.mark.parametrize("program, expected", [
    # a gradient of the wrong size from a node hook used to flow on, broadcast by the next
    # node's VJP into a silently wrong gradient
    (_prehook_program(lambda lib, go: (go[0][:1],)), "has changed the size of value"),
    (_posthook_program(lambda lib, gi: (gi[0][:1],)), "has changed the size of value"),
    (_posthook_program(lambda lib, gi: (gi[0].double(),)),
     "has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)"),
    (_posthook_program(lambda lib, gi: (3,)), "expected Variable, but hook returned 'int'"),
    (_posthook_program(lambda lib, gi: [gi[0]]), "expected tuple, but hook returned 'list'"),
])
def test_node_hook_results_checked(program, expected):
    kind, msg = _hook_error(program)
    assert expected in msg, msg


def test_node_hook_cannot_fill_a_none_gradient():
    def post(lib):
        x = lib.ones(4, 4, requires_grad=True)
        z = x * lib.ones(4, 4)
        z.grad_fn.register_hook(lambda gi, go: (gi[0], lib.ones(4, 4)))
        z.sum().backward()

    def pre(lib):
        x = lib.ones(4, requires_grad=True)
        a, b = x.split(2)
        b.grad_fn.register_prehook(lambda go: tuple(lib.ones(2) if g is None else g for g in go))
        a.sum().backward()

    for program in (post, pre):
        assert _hook_error(program) == ("RuntimeError",
                                        "can't replace a None gradient with a non-None value")


def test_node_hook_replacements_that_fit_are_used():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        z = (x * 2).tanh()
        z.grad_fn.register_hook(lambda gi, go: (gi[0] * 3,))
        y = (x * 3).exp()
        y.grad_fn.register_prehook(lambda go: (None,))      # None: no gradient through here
        (z.sum() + y.sum()).backward()
        return [round(v, 5) for v in x.grad.tolist()]
    assert both(fn) == pytest.approx([6 * (1 - np.tanh(2.0) ** 2)] * 3, abs=1e-5)


def test_a_chain_node_is_one_object_for_the_cycle_collector():
    """A one-input node keeps its edge without a tuple: the collector walks one object a node of
    a deep live graph, not two (at 10^6 nodes its walks were half of the forward's time)."""
    import collections
    x = zerograd.ones(4, 4, requires_grad=True)
    y = x.tanh()
    gc.collect()
    before = collections.Counter(type(o).__name__ for o in gc.get_objects())
    for _ in range(1000):
        y = y.tanh().sum(1, keepdim=True).exp() * 1.5     # fast-path and Op.apply one-input nodes
    gc.collect()
    gc.collect()        # (tuples of untracked items are untracked by the collection that sees them)
    after = collections.Counter(type(o).__name__ for o in gc.get_objects())
    grown = {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}
    assert grown.pop("TanhBackward0") == grown.pop("SumBackward1") == 1000
    assert grown.pop("ExpBackward0") == grown.pop("MulBackward0") == 1000
    assert grown.pop("tuple") < 1100            # MulBackward0's two edges (a, None): a tuple
    assert grown.get("list", 0) < 50 and grown.get("dict", 0) < 50, grown    # (metadata)
    fn = y.grad_fn.next_functions[0][0]             # ExpBackward0 -> SumBackward1 -> Tanh...
    assert fn.name() == "ExpBackward0" and fn.next_functions[0][0].name() == "SumBackward1"
    assert fn.next_functions[0][0].next_functions[0][0].name() == "TanhBackward0"
    y.sum().backward()
    assert x.grad.shape == (4, 4) and bool(x.grad.isfinite().all())


# ---- hooks on a leaf's AccumulateGrad node (torch runs them; they were ignored) -----------------

def _acc_node(y):
    return y.grad_fn.next_functions[0][0]


def test_accumulate_grad_node_hooks_run_in_torchs_order():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        acc, log = _acc_node(y), []
        x.register_hook(lambda g: (log.append(("tensor", g.tolist())), g + 1)[1])
        x.register_post_accumulate_grad_hook(lambda p: log.append(("post_acc", p.grad.tolist())))
        acc.register_prehook(lambda go: (log.append(("pre", go[0].tolist())), (go[0] * 10,))[1])
        acc.register_hook(lambda gi, go: log.append(("post", len(gi), go[0].tolist())))
        y.sum().backward()
        y = x * 2                                       # a second graph through the same node
        assert _acc_node(y) is acc
        y.sum().backward()
        return log, x.grad.tolist()
    log, grad = both(fn)
    assert grad == [60.0] * 3 and [e[0] for e in log[:4]] == ["tensor", "pre", "post_acc", "post"]


@pytest.mark.parametrize("create_graph", [False, True])
def test_accumulate_grad_prehook_replaces_or_drops_the_gradient(create_graph):
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * x
        _acc_node(y).register_prehook(lambda go: (go[0] * 10,))
        y.sum().backward(create_graph=create_graph)
        scaled = x.grad.tolist()
        z = lib.ones(3, requires_grad=True)
        w = z * 2
        _acc_node(w).register_prehook(lambda go: (None,))
        w.sum().backward(retain_graph=True)
        w.sum().backward()
        return scaled, z.grad
    assert both(fn) == ([20.0] * 3, None)


def test_accumulate_grad_hooks_and_autograd_grad():
    def fn(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        log = []
        _acc_node(y).register_prehook(lambda go: (log.append("pre"), (go[0] * 10,))[1])
        g, = lib.autograd.grad(y.sum(), x)          # the node does not run: no hook
        return g.tolist(), log
    assert both(fn) == ([2.0] * 3, [])


def test_accumulate_grad_hook_results_are_checked():
    def post(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        _acc_node(y).register_hook(lambda gi, go: (lib.ones(3),))
        y.sum().backward()

    def pre(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        _acc_node(y).register_prehook(lambda go: (go[0][:1],))
        y.sum().backward()
    assert "incorrect number of values (got 1, but expected 0)" in _hook_error(post)[1]
    assert "has changed the size of value" in _hook_error(pre)[1]


def test_detach_in_place_refuses_views_as_torch():
    def fn(lib):
        out = []
        for make in (lambda: lib.ones(4)[1:], lambda: (lib.ones(4, requires_grad=True) * 2)[1:],
                     lambda: lib.ones(4, requires_grad=True).detach()[1:]):
            try:
                make().detach_()
                out.append("ok")
            except RuntimeError as e:
                out.append(str(e)[:40])
        y = lib.ones(4, requires_grad=True) * 2
        y.detach_()
        return out, y.requires_grad, y.grad_fn is None
    assert both(fn) == (["Can't detach views in-place. Use detach("] * 3, False, True)


def test_inference_and_modified_messages_start_with_torchs():
    def inference(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            y = lib.ones(2) * 2
        (y * x).sum().backward()

    def modified(lib):
        x = lib.ones(2, requires_grad=True)
        y = x.exp()
        y.mul_(2)
        y.sum().backward()
    for program in (inference, modified):
        with pytest.raises(RuntimeError) as mine:
            program(zerograd)
        if torch is not None:
            with pytest.raises(RuntimeError) as theirs:
                program(torch)
            assert str(mine.value).startswith(str(theirs.value)), (mine.value, theirs.value)


def test_create_graph_backward_stores_grad_through_copy_backwards():
    def fn(lib):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")         # torch's reference-cycle warning
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            (x ** 3).sum().backward(create_graph=True)
            first = x.grad
            node = first.grad_fn
            names = (type(node).__name__, node.name(),
                     [None if n is None else n.name() for n, _ in node.next_functions])
            (x ** 3).sum().backward(create_graph=True)
            second = x.grad.grad_fn.name()
            x.grad.sum().backward()
        return names, second, x.grad.tolist(), first.is_leaf
    assert both(fn) == (("CopyBackwards", "torch::autograd::CopyBackwards", [None, "MulBackward0"]),
                        "AddBackward0", [18.0, 48.0], False)
