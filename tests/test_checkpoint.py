"""zerograd.utils.checkpoint: activation checkpointing (issue 7's memory item).

Both variants (use_reentrant=False / True) against the same computation without checkpoint (bit
for bit), against torch.utils.checkpoint as the oracle, for memory (what stays alive after the
forward pass), and for torch's errors and warnings."""
import gc
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import zerograd
from zerograd.utils.checkpoint import (CheckpointError, checkpoint, checkpoint_sequential,
                                       noop_context_fn, set_checkpoint_early_stop)
from tests._oracle import requires_torch as needs_torch
from tests._oracle import torch
VARIANTS = [False, True]


def _net(lib, seed=0):
    lib.manual_seed(seed)
    nn = lib.nn
    return nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.LayerNorm(16), nn.Dropout(0.25),
                         nn.Linear(16, 8), nn.Tanh())


def _x(lib):
    return lib.tensor(np.linspace(-1.5, 1.5, 40, dtype=np.float32).reshape(5, 8),
                      requires_grad=True)


def _grads(lib, net, x, run):
    """(output, x.grad, parameter grads) of sum(run(x)²) from a fixed RNG state."""
    for p in net.parameters():
        p.grad = None
    x.grad = None
    lib.manual_seed(7)
    y = run(x)
    (y * y).sum().backward()
    return (y.detach().numpy().copy(), x.grad.numpy().copy(),
            [p.grad.numpy().copy() for p in net.parameters()])


def _same(a, b, close=False):
    """Equal bit for bit, or (close) to float32 rounding."""
    eq = (lambda u, v: np.allclose(u, v, rtol=1e-5, atol=1e-6)) if close else np.array_equal
    assert eq(a[0], b[0]) and eq(a[1], b[1])
    for u, v in zip(a[2], b[2]):
        assert eq(u, v)


@pytest.mark.parametrize("reentrant", VARIANTS)
def test_gradients_equal_the_plain_run_bit_for_bit(reentrant):
    net, x = _net(zerograd), _x(zerograd)
    plain = _grads(zerograd, net, x, net)
    ck = _grads(zerograd, net, x, lambda t: checkpoint(net, t, use_reentrant=reentrant))
    _same(ck, plain)        # dropout's mask is redrawn from the same RNG state: the same numbers


@needs_torch
@pytest.mark.parametrize("reentrant", VARIANTS)
def test_matches_torch_checkpoint(reentrant):
    import torch.utils.checkpoint as tck
    zn, tn = _net(zerograd), _net(torch)        # the same initial weights (torch's streams)
    for p, q in zip(zn.parameters(), tn.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    z = _grads(zerograd, zn, _x(zerograd), lambda t: checkpoint(zn, t, use_reentrant=reentrant))
    t = _grads(torch, tn, _x(torch), lambda u: tck.checkpoint(tn, u, use_reentrant=reentrant))
    _same(z, t, close=True)


def _chain(t, n=24):
    for _ in range(n):
        t = (t * 1.01).tanh()
    return t


@pytest.mark.parametrize("reentrant", VARIANTS)
def test_intermediate_activations_are_not_kept(reentrant):
    x = zerograd.randn(100_000, requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        y = _chain(x)
        plain = tracemalloc.get_traced_memory()[0] - base
        del y
        base = tracemalloc.get_traced_memory()[0]
        y = checkpoint(_chain, x, use_reentrant=reentrant)
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    arr = 100_000 * 4                # bytes in one activation
    assert plain > 20 * arr          # 24 tanh outputs saved for backward
    assert kept < 3 * arr            # the output and little else
    y.sum().backward()               # and the gradient is still right
    ref = x.detach().requires_grad_()
    _chain(ref).sum().backward()
    assert np.array_equal(x.grad.numpy(), ref.grad.numpy())


def test_the_function_runs_once_more_in_backward_and_only_once():
    calls = []

    def f(t):
        calls.append(1)
        return _chain(t, 3)

    x = zerograd.randn(6, requires_grad=True)
    y = checkpoint(f, x, use_reentrant=False)
    assert len(calls) == 1
    y.sum().backward(retain_graph=True)
    assert len(calls) == 2
    g1 = x.grad.clone()
    y.sum().backward()               # the recomputed values stay with the retained graph
    assert len(calls) == 2
    assert np.array_equal(x.grad.numpy(), 2 * g1.numpy())


def test_non_reentrant_works_with_autograd_grad_inputs_and_create_graph():
    x = zerograd.tensor([0.3, -0.7, 1.1], dtype=zerograd.float64, requires_grad=True)

    def f(t, scale=1.0):
        return (t * t * scale).sin()

    y = checkpoint(f, x, use_reentrant=False, scale=2.0)     # keyword arguments too
    g, = zerograd.autograd.grad(y.sum(), x, create_graph=True)
    h, = zerograd.autograd.grad(g.sum(), x)
    r = x.detach().requires_grad_()
    g0, = zerograd.autograd.grad(f(r, 2.0).sum(), r, create_graph=True)
    h0, = zerograd.autograd.grad(g0.sum(), r)
    assert np.array_equal(g.detach().numpy(), g0.detach().numpy())
    assert np.array_equal(h.numpy(), h0.numpy())
    y = checkpoint(f, x, use_reentrant=False)
    y.sum().backward(inputs=[x])
    assert x.grad is not None


def test_reentrant_refuses_grad_and_inputs_with_torchs_message():
    x = zerograd.randn(3, requires_grad=True)
    y = checkpoint(lambda t: t.sin(), x, use_reentrant=True)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    with pytest.raises(RuntimeError, match="incompatible with .grad\\(\\) or passing an `inputs`"):
        zerograd.autograd.grad(y.sum(), x)
    y = checkpoint(lambda t: t.sin(), x, use_reentrant=True)
    with pytest.raises(RuntimeError, match="use_reentrant=False"):
        y.sum().backward(inputs=[x])
    assert zerograd.autograd._is_checkpoint_valid()      # (reset after the failed backward)


def test_use_reentrant_default_warns_as_torch_and_is_reentrant():
    x = zerograd.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        y = checkpoint(lambda t: t.exp(), x)
    assert y.grad_fn.name() == "CheckpointFunctionBackward"
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant"):
        checkpoint_sequential([lambda t: t * 2, lambda t: t + 1], 2, x)


def test_argument_errors_as_torch():
    x = zerograd.randn(3, requires_grad=True)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: k"):
        checkpoint(lambda t, k=1: t, x, use_reentrant=True, k=2)
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        checkpoint(lambda t: t, x, use_reentrant=True, context_fn=lambda: noop_context_fn())
    with pytest.raises(ValueError, match=r"determinism_check should be one of \['default', "
                                         r"'none'\], but got x"):
        checkpoint(lambda t: t, x, use_reentrant=False, determinism_check="x")
    with pytest.raises(ValueError, match="Unexpected keyword arguments: k"):
        checkpoint_sequential([lambda t: t], 1, x, use_reentrant=False, k=1)


def test_no_input_requires_grad_warns_for_reentrant():
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        y = checkpoint(lambda t: t.sin(), zerograd.randn(3), use_reentrant=True)
    assert not y.requires_grad


def test_input_changed_in_place_before_backward_is_refused():
    x = zerograd.randn(3, requires_grad=True)
    a = x * 2
    y = checkpoint(lambda t: (t * t).sin(), a, use_reentrant=False)
    with zerograd.no_grad():
        a.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: \[torch.FloatTensor "
                                           r"\[3\]\], which is output 0 of Mul, is at version 1; "
                                           r"expected version 0"):
        y.sum().backward()


def test_a_function_that_records_other_ops_on_recomputation_raises_not_a_wrong_gradient():
    state = {"n": 0}

    def f(t):
        state["n"] += 1
        return t.sin() if state["n"] == 1 else (t * 2).cos()

    x = zerograd.randn(4, requires_grad=True)
    y = checkpoint(f, x, use_reentrant=False)
    with pytest.raises(CheckpointError, match="different operations"):
        y.sum().backward()


def test_recomputed_shapes_are_checked_unless_determinism_check_none():
    state = {"n": 0}

    def f(t):       # the same ops, a different saved shape the second time
        state["n"] += 1
        return (t[: 4 if state["n"] == 1 else 3] * t[:1]).sum()

    x = zerograd.randn(6, requires_grad=True)
    with pytest.raises(CheckpointError, match="different metadata"):
        checkpoint(f, x, use_reentrant=False).backward()


def test_dropped_saved_tensors_say_why_when_inspected():
    x = zerograd.randn(3, requires_grad=True)
    y = checkpoint(lambda t: (t * t).exp(), x, use_reentrant=False)
    with pytest.raises(RuntimeError, match="dropped by checkpoint"):
        y.grad_fn.saved_tensors


@pytest.mark.parametrize("reentrant", VARIANTS)
def test_checkpoint_sequential_equals_the_plain_run(reentrant):
    zerograd.manual_seed(0)
    net = zerograd.nn.Sequential(*[zerograd.nn.Linear(8, 8) if i % 2 == 0 else zerograd.nn.Tanh()
                                   for i in range(8)])
    x = _x(zerograd)
    plain = _grads(zerograd, net, x, net)
    for segments in (1, 2, 3, 4):
        ck = _grads(zerograd, net, x,
                    lambda t: checkpoint_sequential(net, segments, t, use_reentrant=reentrant))
        _same(ck, plain)
    ck = _grads(zerograd, net, x, lambda t: checkpoint_sequential(list(net), 2, t,
                                                                  use_reentrant=reentrant))
    _same(ck, plain)


def test_nested_checkpoints():
    def inner(t):
        return (t * 3).tanh()

    def outer(t):
        return checkpoint(inner, t.sin(), use_reentrant=False).exp()

    x = zerograd.randn(5, requires_grad=True)
    checkpoint(outer, x, use_reentrant=False).sum().backward()
    r = x.detach().requires_grad_()
    outer(r).sum().backward()
    assert np.array_equal(x.grad.numpy(), r.grad.numpy())


def test_no_reference_cycles_graph_is_freed_without_the_collector():
    gc.disable()
    try:
        x = zerograd.randn(4, requires_grad=True)
        y = checkpoint(_chain, x, use_reentrant=False)
        node = weakref.ref(y.grad_fn)
        y.sum().backward()
        del y
        assert node() is None           # freed by reference counting alone
        y = checkpoint(_chain, x, use_reentrant=False)
        node = weakref.ref(y.grad_fn)
        del y                           # never backpropagated
        assert node() is None
    finally:
        gc.enable()


def test_under_no_grad_it_just_runs():
    x = zerograd.randn(3, requires_grad=True)
    with zerograd.no_grad():
        y = checkpoint(lambda t: t.sin(), x, use_reentrant=False)
    assert y.grad_fn is None and not y.requires_grad


def test_context_fn_and_early_stop_are_accepted():
    entered = []

    class Ctx:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            entered.append(self.name)

        def __exit__(self, *exc):
            return False

    x = zerograd.randn(3, requires_grad=True)
    with set_checkpoint_early_stop(False):
        y = checkpoint(lambda t: t.sin() * 2, x, use_reentrant=False,
                       context_fn=lambda: (Ctx("forward"), Ctx("recompute")))
    y.sum().backward()
    assert entered == ["forward", "recompute"]


def test_gpt_blocks_checkpointed_give_the_same_gradients():
    from zerograd.models.gpt import GPTConfig, build_gpt
    cfg = GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)
    zerograd.manual_seed(0)
    model = build_gpt(zerograd, cfg)
    rng = np.random.default_rng(0)
    idx = zerograd.tensor(rng.integers(0, 11, (3, 8)))
    tgt = zerograd.tensor(rng.integers(0, 11, (3, 8)))
    _, loss = model(idx, tgt)
    loss.backward()
    plain = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    blocks = list(model.blocks)
    forwards = [b.forward for b in blocks]
    try:
        for b, fwd in zip(blocks, forwards):
            b.forward = (lambda fwd: lambda h: checkpoint(fwd, h, use_reentrant=False))(fwd)
        _, loss2 = model(idx, tgt)
        loss2.backward()
    finally:
        for b, fwd in zip(blocks, forwards):
            b.forward = fwd
    assert loss2.item() == loss.item()
    for p, g in zip(model.parameters(), plain):
        assert np.array_equal(p.grad.numpy(), g)


def test_warning_free_when_use_reentrant_is_given():
    x = zerograd.randn(3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checkpoint(lambda t: t.sin(), x, use_reentrant=False).sum().backward()
        checkpoint(lambda t: t.sin(), x, use_reentrant=True).sum().backward()


@pytest.mark.parametrize("reentrant", VARIANTS)
def test_tuple_outputs_in_place_intermediates_parameters_and_unused_outputs(reentrant):
    rng = np.random.default_rng(0)
    w = zerograd.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True)

    def f(t):
        h = t @ w
        h2 = h * 2
        h2.add_(1)                          # in place on an intermediate
        return h2.sin(), h.tanh(), 5        # a number among the outputs

    for use in (lambda o: (o[0] * o[1]).sum() + o[0].sum(), lambda o: o[1].sum()):
        x = zerograd.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
        use(checkpoint(f, x, use_reentrant=reentrant)).backward()
        got = x.grad.numpy().copy(), w.grad.numpy().copy()
        x.grad = w.grad = None
        use(f(x)).backward()
        assert np.array_equal(got[0], x.grad.numpy()) and np.array_equal(got[1], w.grad.numpy())
        w.grad = None


def test_a_custom_function_with_a_number_among_its_outputs_gets_none_for_it():
    seen = []

    class F(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 5

        @staticmethod
        def backward(ctx, g, h):
            seen.append(h)
            return g * 2

    x = zerograd.ones(2, requires_grad=True)
    a, b = F.apply(x)
    a.sum().backward()
    assert seen == [None] and b == 5 and x.grad.tolist() == [2.0, 2.0]
