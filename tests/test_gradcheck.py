"""Tests of zerograd.autograd.gradcheck / gradgradcheck.

Two kinds:
  - behaviour (no torch needed): gradcheck passes on correct ops and fails, with a report that
    locates the error, on deliberately wrong custom Functions; the side checks (reentrancy,
    grad_output scaling, undefined grads, dtype warning, bad inputs) raise what torch raises.
  - parity (torch as the oracle): the report's header is word for word torch's, and both
    libraries agree on pass/fail for the same functions.
"""
import os
import warnings

import numpy as np
import pytest

import zerograd
from zerograd.autograd import Function, gradcheck, gradgradcheck
from zerograd.autograd.gradcheck import GradcheckError

try:
    import torch
except ImportError:
    torch = None
    if os.environ.get("ZEROGRAD_REQUIRE_TORCH") == "1":
        raise
requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed: pip install torch==2.13.0")


def rand(*shape, seed=0, requires_grad=True, dtype=np.float64, positive=False):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    if positive:
        a = np.abs(a) + 0.5
    return zerograd.tensor(a, requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------------
# deliberately wrong (and some right) custom Functions
# ------------------------------------------------------------------------------------------------

class DoubleGrad(Function):
    """y = 3x, but backward returns 2·(3g): every Jacobian entry is twice too big."""

    @staticmethod
    def forward(ctx, x):
        return x * 3

    @staticmethod
    def backward(ctx, g):
        return 2 * (g * 3)


class OneWrongElement(Function):
    """y = x² elementwise; backward is right except for input element (1, 2), off by +1·g."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[1, 2] = 1.0
        return g * (2 * x) + g * zerograd.tensor(bump)


class WrongSecondInput(Function):
    """y = x·w; the gradient for w forgets the factor x (returns g instead of g·x)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x * w

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, g


class TwoOutputsSecondWrong(Function):
    """(2x, x³); the second output's gradient uses 2x² instead of 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x * x

    @staticmethod
    def backward(ctx, g1, g2):
        x, = ctx.saved_tensors
        return g1 * 2 + g2 * (2 * x * x)


class TransposedMatVec(Function):
    """y = A @ x for a fixed non-symmetric A; backward wrongly uses A instead of Aᵀ."""
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [4.0, 0.0, 1.0]])

    @staticmethod
    def forward(ctx, x):
        return zerograd.tensor(TransposedMatVec.A) @ x

    @staticmethod
    def backward(ctx, g):
        return zerograd.tensor(TransposedMatVec.A) @ g


class ForgetsInput(Function):
    """y = x + w, but backward returns no gradient for w."""

    @staticmethod
    def forward(ctx, x, w):
        return x + w

    @staticmethod
    def backward(ctx, g):
        return g, None


class IgnoresGradOutput(Function):
    """y = sum(x) with backward ones_like(x): right for the scalar seed 1, but not scaled by g."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sum()

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return zerograd.ones_like(x)


class NoisyBackward(Function):
    """y = 2x; backward adds a tiny random perturbation (a non-deterministic backward)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        noise = np.random.default_rng().uniform(-1e-9, 1e-9, g.shape)
        return g * (2 + zerograd.tensor(noise))


class CubeDetachedBackward(Function):
    """y = x³ with backward g·3x² computed from a *detached* x: first derivatives are right,
    but the backward is not differentiable w.r.t. x, so second derivatives come out wrong."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (3 * x.detach() * x.detach())


class CubeOnceDifferentiable(Function):
    """y = x³ with a correct but @once_differentiable backward (runs under no_grad)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    @zerograd.autograd.once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x * x


class Cube(Function):
    """y = x³ with a correct backward written in differentiable Tensor ops."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x * x


class TwoOutputsUndefinedAware(Function):
    """(2x, 3x) with set_materialize_grads(False): backward receives None for an unused output
    and handles it properly."""

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        out = None
        if g1 is not None:
            out = g1 * 2
        if g2 is not None:
            out = g2 * 3 if out is None else out + g2 * 3
        return out


class ThreeOutputsFragile(Function):
    """(x, 2x, 3x) with set_materialize_grads(False), whose backward copes with the
    one-defined-grad calls of the Jacobian pass but fails when exactly one grad is undefined
    (the situation gradcheck's undefined-grad check creates)."""

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 1, x * 2, x * 3

    @staticmethod
    def backward(ctx, *grads):
        defined = [(k + 1) * g for k, g in enumerate(grads) if g is not None]
        if len(defined) == 2:
            raise RuntimeError("this backward does not handle a single undefined grad")
        out = defined[0]
        for d in defined[1:]:
            out = out + d
        return out


class StopGradient(Function):
    """Identity whose backward sends no gradient (None) on."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return None


# ------------------------------------------------------------------------------------------------
# gradcheck passes on correct ops
# ------------------------------------------------------------------------------------------------

ELEMENTWISE = {
    "tanh": lambda x: x.tanh(),
    "exp": lambda x: x.exp(),
    "sin_cos": lambda x: x.sin() * x.cos(),
    "sigmoid": lambda x: x.sigmoid(),
    "log_abs": lambda x: (x.abs() + 1).log(),
    "sqrt": lambda x: (x * x + 1).sqrt(),
    "reciprocal": lambda x: (x * x + 1).reciprocal(),
    "pow3": lambda x: x.pow(3),
    "div": lambda x: x / (x * x + 2),
    "neg_sub": lambda x: 1 - (-x) * 2,
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_gradcheck_passes_elementwise(name):
    assert gradcheck(ELEMENTWISE[name], (rand(3, 4),)) is True


def test_gradcheck_passes_binary_ops():
    x, y = rand(3, 4, seed=1), rand(3, 4, seed=2, positive=True)
    assert gradcheck(lambda x, y: x * y + x / y - y.pow(2), (x, y))
    assert gradcheck(lambda x, y: zerograd.maximum(x, y) + zerograd.minimum(x, -y), (x, y))


def test_gradcheck_passes_matmul():
    a, b, v = rand(3, 4, seed=1), rand(4, 2, seed=2), rand(4, seed=3)
    assert gradcheck(lambda a, b: a @ b, (a, b))
    assert gradcheck(lambda a, v: a @ v, (a, v))
    assert gradcheck(lambda v: v @ v, (v,))
    batch_a, batch_b = rand(2, 3, 4, seed=4), rand(2, 4, 2, seed=5)
    assert gradcheck(zerograd.bmm, (batch_a, batch_b))


def test_gradcheck_passes_reductions():
    x = rand(3, 4, seed=6)
    assert gradcheck(lambda x: x.sum(), (x,))
    assert gradcheck(lambda x: x.sum(1), (x,))
    assert gradcheck(lambda x: x.mean(0, keepdim=True), (x,))
    assert gradcheck(lambda x: x.var(1), (x,))
    assert gradcheck(lambda x: x.logsumexp(1), (x,))
    assert gradcheck(lambda x: x.norm(), (x,))
    assert gradcheck(lambda x: (x * x + 1).prod(1), (x,))


def test_gradcheck_passes_broadcasting():
    x, row, col = rand(3, 4, seed=7), rand(4, seed=8), rand(3, 1, seed=9)
    assert gradcheck(lambda x, r: x + r, (x, row))
    assert gradcheck(lambda c, r: c * r, (col, row))
    assert gradcheck(lambda x, c: (x - c) / (c * c + 1), (x, col))


def test_gradcheck_tuple_outputs_and_non_tensor_arguments():
    x, w = rand(2, 3, seed=10), rand(3, seed=11)
    const = rand(2, 3, seed=12, requires_grad=False)

    def f(x, scale, c, w):
        return x * scale + c, (x * w).sum(1), (w * 2).tanh()

    assert gradcheck(f, (x, 2.5, const, w))


def test_gradcheck_accepts_single_tensor_and_list():
    x = rand(4, seed=13)
    assert gradcheck(lambda x: x.exp(), x)
    assert gradcheck(lambda x, y: x * y, [x, rand(4, seed=14)])


def test_gradcheck_fast_mode_passes():
    x, w = rand(3, 4, seed=15), rand(4, 2, seed=16)
    assert gradcheck(lambda x, w: (x @ w).tanh(), (x, w), fast_mode=True)
    assert gradcheck(lambda x: (x.exp().sum(0), x.sin()), (x,), fast_mode=True)


def test_gradcheck_on_correct_custom_function():
    assert gradcheck(Cube.apply, (rand(2, 3, seed=17),))
    assert gradcheck(TwoOutputsUndefinedAware.apply, (rand(3, seed=18),))


def test_gradcheck_leaves_inputs_unchanged():
    x = rand(3, 4, seed=19)
    before = x.detach().numpy().copy()
    gradcheck(lambda x: x.tanh(), (x,))
    gradcheck(lambda x: x.tanh(), (x,), fast_mode=True)
    np.testing.assert_array_equal(x.detach().numpy(), before)   # bit-exact restoration


def test_no_differentiable_outputs():
    x = rand(3, seed=20)
    assert gradcheck(lambda x: zerograd.ones(2, dtype=zerograd.float64), (x,))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda x: (x * 2).detach(), (x,))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda x: (x * 2).detach(), (x,), fast_mode=True)


# ------------------------------------------------------------------------------------------------
# gradcheck fails on wrong backward formulas, with a report that locates the error
# ------------------------------------------------------------------------------------------------

def test_report_for_a_constant_factor_error():
    x = rand(2, 2, seed=21)
    with pytest.raises(GradcheckError) as info:
        gradcheck(DoubleGrad.apply, (x,))
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\n"
                          "numerical:tensor(")
    # the full Jacobians, as tensors: numerical 3·I, analytical 6·I (4 x 4: input x output)
    assert "analytical:tensor([[6., 0., 0., 0.],\n        [0., 6., 0., 0.]," in msg
    assert "numerical:tensor([[3.0000, 0.0000, 0.0000, 0.0000]," in msg
    assert "Worst element: Jacobian entry" in msg
    assert "flat index" in msg and "multi-index" in msg
    assert "4 of 16 Jacobian entries differ beyond the tolerance" in msg
    assert "analytical / numerical = 2 on every mismatching entry" in msg
    assert isinstance(info.value, RuntimeError)


def test_report_names_the_worst_element():
    x = rand(2, 3, seed=22)
    with pytest.raises(GradcheckError) as info:
        gradcheck(OneWrongElement.apply, (x,))
    msg = str(info.value)
    # input element (1, 2) is flat index 5; it only affects output element 5 (elementwise op)
    assert "Worst element: Jacobian entry [5, 5] = d output[0].flat[5] / d input[0].flat[5]" in msg
    assert "input 0 (argument #0 of func, shape (2, 3)): flat index 5, multi-index (1, 2)" in msg
    assert "output 0 (output #0 of func, shape (2, 3)): flat index 5, multi-index (1, 2)" in msg
    xv = float(x.detach().numpy()[1, 2])
    assert f"analytical: {2 * xv + 1!r}" in msg
    assert "1 of 36 Jacobian entries differ" in msg


def test_report_names_the_input_index_among_differentiable_inputs():
    x, w = rand(3, seed=23), rand(3, seed=24)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda k, x, w: WrongSecondInput.apply(x, w) * k, (1.0, x, w))
    msg = str(info.value)
    # torch counts only the inputs that require grad: w is input 1, though argument #2
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 1,")
    assert "input 1 (argument #2 of func, shape (3,))" in msg


def test_report_names_the_output_index():
    x = rand(3, seed=25, positive=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(TwoOutputsSecondWrong.apply, (x,))
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 1 with respect to input 0,")
    assert "analytical / numerical = 0.666667" in msg


def test_report_hints_at_a_transposed_jacobian():
    with pytest.raises(GradcheckError, match="transpose of the numerical one"):
        gradcheck(TransposedMatVec.apply, (rand(3, seed=26),))


def test_report_hints_at_a_missing_gradient():
    with pytest.raises(GradcheckError) as info:
        gradcheck(ForgetsInput.apply, (rand(3, seed=27), rand(3, seed=28)))
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 1,")
    assert "the analytical Jacobian is all zeros" in msg


def test_raise_exception_false_returns_false():
    x = rand(2, 2, seed=29)
    assert gradcheck(DoubleGrad.apply, (x,), raise_exception=False) is False
    assert gradcheck(DoubleGrad.apply, (x,), raise_exception=False, fast_mode=True) is False
    assert gradcheck(lambda x: x * 3, (x,), raise_exception=False) is True


def test_fast_mode_failure_reports_the_slow_jacobians():
    x = rand(2, 2, seed=30)
    with pytest.raises(GradcheckError) as info:
        gradcheck(DoubleGrad.apply, (x,), fast_mode=True)
    msg = str(info.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "fast mode" in msg and "Recomputed in slow mode" in msg
    assert "Analytical:\ntensor([[6., 0., 0., 0.]," in msg
    assert "The max per-element difference (slow mode) is: 3.0" in msg
    assert "Worst element" in msg


def test_tolerances_are_respected():
    # off by a factor 1 + 1e-4: inside rtol=1e-3, outside rtol=1e-5
    class SlightlyOff(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * (1 + 1e-4)

    x = rand(3, seed=31)
    assert gradcheck(SlightlyOff.apply, (x,))
    assert not gradcheck(SlightlyOff.apply, (x,), rtol=1e-5, atol=1e-7, raise_exception=False)
    assert gradcheck(SlightlyOff.apply, (x,), rtol=0, atol=1e-3)


# ------------------------------------------------------------------------------------------------
# the side checks
# ------------------------------------------------------------------------------------------------

def test_backward_not_multiplied_by_grad_output():
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(IgnoresGradOutput.apply, (rand(3, seed=32),))


def test_non_reentrant_backward():
    x = rand(3, seed=33)
    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck(NoisyBackward.apply, (x,))
    assert gradcheck(NoisyBackward.apply, (x,), nondet_tol=1e-6)


def test_undefined_output_grads():
    x = rand(3, seed=34)
    with pytest.warns(UserWarning, match="Backwards compatibility"):
        with pytest.raises(GradcheckError, match="Expected backward function to handle undefined "
                                                 "output grads"):
            gradcheck(ThreeOutputsFragile.apply, (x,))
    assert gradcheck(ThreeOutputsFragile.apply, (x,), check_undefined_grad=False)


def test_warns_for_non_double_inputs():
    x32 = rand(3, seed=35, dtype=np.float32)
    with pytest.warns(UserWarning, match="Input #1 requires gradient and is not a double "
                                         "precision"):
        gradcheck(lambda a, x: x * 2, (1.0, x32), eps=1e-3, atol=1e-2, rtol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck(lambda x: x * 2, (rand(3, seed=36),))   # float64: no warning


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="gradcheck expects at least one input tensor to require "
                                         "gradient, but none of them have requires_grad=True."):
        gradcheck(lambda x: x * 2, (rand(3, requires_grad=False),))


def test_rejects_overlapping_inputs():
    x = zerograd.ones(1, 4, dtype=zerograd.float64).expand(3, 4).requires_grad_()
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda x: x * 2, (x,))


def test_outputs_must_keep_shape_when_perturbed():
    x = rand(3, seed=37)

    def shape_depends_on_value(x):
        return x * 2 if float(x.detach().sum()) > float(base) else (x * 2).reshape(1, 3)

    base = x.detach().sum()
    with pytest.raises(AssertionError, match="Expected `func` to return outputs with the same "
                                             "shape when inputs are perturbed"):
        gradcheck(shape_depends_on_value, (x,))


def test_unsupported_modes():
    x = rand(3, seed=38)
    with pytest.raises(NotImplementedError, match="forward-mode AD"):
        gradcheck(lambda x: x * 2, (x,), check_forward_ad=True)
    with pytest.raises(AssertionError, match="Expected at least one of check_forward_ad or "
                                             "check_backward_ad"):
        gradcheck(lambda x: x * 2, (x,), check_backward_ad=False)


def test_gradcheck_error_is_exported():
    assert zerograd.autograd.gradcheck.GradcheckError is GradcheckError
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_through_a_stop_gradient_function():
    # analytical d/dx = cos(x) (the exp branch is cut), numerical = cos(x) + exp(x): a mismatch
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(lambda x: x.sin() + StopGradient.apply(x.exp()), (rand(3, seed=39),))


# ------------------------------------------------------------------------------------------------
# gradgradcheck
# ------------------------------------------------------------------------------------------------

GRADGRAD_OK = {
    "tanh": (lambda x: x.tanh(), [(3, 4)]),
    "mul": (lambda x, y: x * y * x, [(3, 4), (3, 4)]),
    "matmul": (lambda a, b: (a @ b), [(3, 4), (4, 2)]),
    "exp": (lambda x: x.exp(), [(2, 3)]),
    "pow": (lambda x: x.pow(3) + x.pow(2), [(5,)]),
    "sigmoid_sum": (lambda x: x.sigmoid().sum(1), [(3, 4)]),
    "broadcast_div": (lambda x, c: x / (c * c + 1), [(3, 4), (3, 1)]),
}


@pytest.mark.parametrize("name", sorted(GRADGRAD_OK))
def test_gradgradcheck_passes(name):
    f, shapes = GRADGRAD_OK[name]
    inputs = tuple(rand(*s, seed=40 + k) for k, s in enumerate(shapes))
    assert gradgradcheck(f, inputs) is True


def test_gradgradcheck_options():
    x, w = rand(3, 4, seed=50), rand(4, 2, seed=51)
    f = lambda x, w: (x @ w).tanh()     # noqa: E731
    assert gradgradcheck(f, (x, w), fast_mode=True)
    assert gradgradcheck(f, (x, w), gen_non_contig_grad_outputs=True)
    go = rand(3, 2, seed=52)
    assert gradgradcheck(f, (x, w), go)
    assert gradgradcheck(f, (x, w), (go,))
    # a grad_output that does not require grad is used but not checked
    assert gradgradcheck(f, (x, w), rand(3, 2, seed=53, requires_grad=False))
    assert gradgradcheck(Cube.apply, (rand(4, seed=54),))


def test_gradgradcheck_fails_for_a_backward_that_is_not_differentiable():
    x = rand(4, seed=55)
    assert gradcheck(CubeDetachedBackward.apply, (x,))     # first derivatives are right
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(CubeDetachedBackward.apply, (x,))
    msg = str(info.value)
    # d(backward)/dx is missing: the analytical second derivative is all zeros
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,")
    assert "the analytical Jacobian is all zeros" in msg
    assert gradgradcheck(CubeDetachedBackward.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_fails_for_once_differentiable():
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradgradcheck(CubeOnceDifferentiable.apply, (rand(3, seed=56),))


def test_gradgradcheck_grad_outputs_are_seeded(monkeypatch):
    """Without grad_outputs, gradgradcheck draws them from a private seeded generator:
    uniform in [-1, 1), the same on every call, the global RNG untouched."""
    seen = []
    orig_grad = zerograd.autograd.grad

    def spy(outputs, inputs, grad_outputs=None, **kw):
        if kw.get("create_graph"):
            seen.append(np.array(grad_outputs[0].detach().numpy()))
        return orig_grad(outputs, inputs, grad_outputs, **kw)

    monkeypatch.setattr(zerograd.autograd, "grad", spy)
    x = rand(3, seed=57)
    zerograd.manual_seed(0)
    state = zerograd.get_rng_state()
    gradgradcheck(lambda x: x.tanh(), (x,))
    first_call_of_second_run = len(seen)
    gradgradcheck(lambda x: x.tanh(), (x,))
    np.testing.assert_array_equal(seen[0], seen[first_call_of_second_run])
    assert np.all(np.abs(seen[0]) <= 1)
    np.testing.assert_array_equal(np.asarray(zerograd.get_rng_state()), np.asarray(state))


# ------------------------------------------------------------------------------------------------
# parity with torch
# ------------------------------------------------------------------------------------------------

def _torch_double_grad():
    class TDoubleGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return 2 * (g * 3)
    return TDoubleGrad


@requires_torch
def test_parity_report_header_is_torchs():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    zx = zerograd.tensor(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    with pytest.raises(GradcheckError) as zi:
        gradcheck(DoubleGrad.apply, (zx,))
    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError
    with pytest.raises(TorchGradcheckError) as ti:
        torch.autograd.gradcheck(_torch_double_grad().apply, (tx,))
    z_header = str(zi.value).split("\nWorst element")[0]
    assert z_header == str(ti.value)


@requires_torch
def test_parity_warning_and_errors():
    a = np.ones(3, np.float32)
    with pytest.warns(UserWarning) as zw:
        gradcheck(lambda x: x * 2, (zerograd.tensor(a, requires_grad=True),), eps=1e-3, atol=1e-2)
    with pytest.warns(UserWarning) as tw:
        torch.autograd.gradcheck(lambda x: x * 2, (torch.tensor(a, requires_grad=True),), eps=1e-3,
                                 atol=1e-2)
    assert str(zw[0].message) == str(tw[0].message)

    with pytest.raises(ValueError) as zi:
        gradcheck(lambda x: x * 2, (zerograd.ones(3, dtype=zerograd.float64),))
    with pytest.raises(ValueError) as ti:
        torch.autograd.gradcheck(lambda x: x * 2, (torch.ones(3, dtype=torch.float64),))
    assert str(zi.value) == str(ti.value)


@requires_torch
@pytest.mark.parametrize("name", sorted(GRADGRAD_OK))
def test_parity_gradgradcheck_agrees(name):
    f, shapes = GRADGRAD_OK[name]
    arrays = [np.random.default_rng(60 + k).standard_normal(s) for k, s in enumerate(shapes)]
    z = gradgradcheck(f, tuple(zerograd.tensor(a, requires_grad=True) for a in arrays))
    t = torch.autograd.gradgradcheck(f, tuple(torch.tensor(a, requires_grad=True) for a in arrays))
    assert z is t is True


@requires_torch
def test_parity_detached_backward_fails_in_both():
    class TCubeDetached(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * (3 * x.detach() * x.detach())

    a = np.array([0.5, -1.0, 2.0])
    z = gradgradcheck(CubeDetachedBackward.apply, (zerograd.tensor(a, requires_grad=True),),
                      raise_exception=False)
    t = torch.autograd.gradgradcheck(TCubeDetached.apply, (torch.tensor(a, requires_grad=True),),
                                     raise_exception=False)
    assert z is t is False
