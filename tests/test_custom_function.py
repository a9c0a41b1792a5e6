"""Custom autograd.Function: the same contract the built-in ops use."""
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch


def make_exp(lib):
    class MyExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y
    return MyExp


def test_custom_function_forward_backward_and_name():
    MyExp = make_exp(zerograd)
    x = zerograd.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x)
    assert y.grad_fn.name() == "MyExpBackward"
    assert type(y.grad_fn).__name__ == "MyExpBackward"
    assert repr(y).endswith("grad_fn=<MyExpBackward>)")
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)


@requires_torch
def test_custom_function_matches_torch_including_double_backward():
    def run(lib):
        MyExp = make_exp(lib)
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        y = MyExp.apply(x)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x)
        return y.grad_fn.name(), g.tolist(), gg.tolist()
    assert run(zerograd) == run(torch)


def test_needs_input_grad_and_non_tensor_args():
    seen = {}

    class Scale(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, factor):
            seen["needs"] = ctx.needs_input_grad
            ctx.factor = factor
            ctx.save_for_backward(x, w)
            return x * w * factor

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return (g * w * ctx.factor if ctx.needs_input_grad[0] else None,
                    g * x * ctx.factor if ctx.needs_input_grad[1] else None, None)

    x = zerograd.tensor([1.0, 2.0])
    w = zerograd.tensor([3.0, 4.0], requires_grad=True)
    Scale.apply(x, w, 2.0).sum().backward()
    assert seen["needs"] == (False, True, False)
    assert w.grad.tolist() == [2.0, 4.0]


def test_mark_non_differentiable_and_materialize_grads():
    class SortLike(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = zerograd.tensor(np.argsort(x.detach().numpy()).astype(np.float32))
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(True)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            assert g_idx is not None and float(g_idx.abs().sum()) == 0.0   # materialised zeros
            return g * 2

    x = zerograd.tensor([3.0, 1.0, 2.0], requires_grad=True)
    y, idx = SortLike.apply(x)
    assert not idx.requires_grad and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_wrong_number_of_grads_is_an_error():
    class Bad(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    a = zerograd.ones(2, requires_grad=True)
    b = zerograd.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients \\(expected 2, got 1\\)"):
        Bad.apply(a, b).sum().backward()


def test_wrong_grad_shape_is_an_error_not_a_silent_broadcast():
    class Bad(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return zerograd.ones(5)

    x = zerograd.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[5\] but expected shape compatible with \[2\]"):
        Bad.apply(x).sum().backward()


def test_forward_runs_without_recording():
    class F(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            inner = x * 2
            assert inner.grad_fn is None and not zerograd.is_grad_enabled()
            return inner

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = zerograd.ones(1, requires_grad=True)
    F.apply(x).backward()
    assert x.grad.tolist() == [2.0]


def test_once_differentiable():
    class F(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 2

        @staticmethod
        @zerograd.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = zerograd.tensor([3.0], requires_grad=True)
    g, = zerograd.autograd.grad(F.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [6.0] and not g.requires_grad


def _outcome(fn, lib):
    try:
        return fn(lib)
    except (RuntimeError, TypeError) as e:
        return type(e).__name__, str(e)


def _both(fn):
    mine = _outcome(fn, zerograd)
    if torch is not None:
        assert mine == _outcome(fn, torch)
    return mine


def test_setup_context_style_matches_torch():
    """torch 2's form: forward(*args) without ctx, then setup_context(ctx, inputs, output)."""
    def fn(lib):
        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x * k, x + k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.save_for_backward(x)
                ctx.k = k

            @staticmethod
            def backward(ctx, g1, g2):
                x, = ctx.saved_tensors
                return g1 * ctx.k + g2 * x, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = Scale.apply(x, 3.0)
        (a + b).sum().backward()
        plain = Scale.apply(lib.tensor([1.0, 2.0]), 2.0)        # nothing recorded
        return (x.grad.tolist(), type(a.grad_fn).__name__, a.requires_grad,
                [t.tolist() for t in plain], plain[0].requires_grad)
    assert _both(fn) == ([4.0, 5.0], "ScaleBackward", True, [[2.0, 4.0], [3.0, 4.0]], False)


def test_save_for_backward_takes_only_tensors_and_none():
    def fn(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, None, 3.0)
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return g
        return F.apply(lib.ones(2, requires_grad=True))
    assert _both(fn) == ("TypeError", "save_for_backward can only save variables, but argument 2 "
                                      "is of type float")


def test_grad_setter_errors_are_torchs():
    def size(lib):
        x = lib.ones(2, requires_grad=True)
        x.grad = lib.ones(3)

    def dtype(lib):
        x = lib.ones(2, requires_grad=True)
        x.grad = lib.ones(2, dtype=lib.int64)
    assert _both(size)[1].startswith("attempting to assign a gradient of size '[3]' to a tensor")
    assert _both(dtype)[1].startswith("attempting to assign a gradient with dtype 'long int' to a "
                                      "tensor with grad_dtype 'Float'.")
