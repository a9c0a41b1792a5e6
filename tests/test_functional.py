"""Tests of zerograd.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp).

Two kinds:
  - behaviour (no torch needed): results equal closed-form derivatives, have torch's return
    structure, and the API leaves the user's tensors alone.
  - parity (torch as the oracle): on the same float64 inputs every function returns the same
    structure (tuple / tuple of tuples / single tensor), shapes, dtypes, requires_grad and
    values as torch.autograd.functional, for single and tuple inputs/outputs, with and
    without create_graph (and then the results' own gradients agree too); bad arguments and
    strict mode raise the same errors with the same messages.
"""
import os

import numpy as np
import pytest

import zerograd
from zerograd.autograd import functional as ZF

try:
    import torch
except ImportError:
    torch = None
    if os.environ.get("ZEROGRAD_REQUIRE_TORCH") == "1":
        raise
requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed: pip install torch==2.13.0")


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def zt(a, requires_grad=False):
    return zerograd.tensor(a, requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------------
# behaviour: closed forms and structure (no torch)
# ------------------------------------------------------------------------------------------------

def test_jacobian_of_a_linear_map_is_its_matrix():
    A = arr(3, 4, seed=1)
    J = ZF.jacobian(lambda x: zt(A) @ x, zt(arr(4, seed=2)))
    assert isinstance(J, zerograd.Tensor) and J.shape == (3, 4)
    np.testing.assert_allclose(J.numpy(), A, rtol=1e-12)
    assert not J.requires_grad


def test_jacobian_shapes_are_output_shape_plus_input_shape():
    x, y = zt(arr(2, 3, seed=3)), zt(arr(4, seed=4))
    J = ZF.jacobian(lambda x, y: (x.exp(), (x.sum() * y), y.sum()), (x, y))
    assert isinstance(J, tuple) and len(J) == 3
    assert all(isinstance(row, tuple) and len(row) == 2 for row in J)
    assert [[tuple(b.shape) for b in row] for row in J] == [
        [(2, 3, 2, 3), (2, 3, 4)], [(4, 2, 3), (4, 4)], [(2, 3), (4,)]]
    # exp is elementwise: a "diagonal" block; y does not influence exp(x): zeros
    np.testing.assert_allclose(J[0][0].numpy().reshape(6, 6), np.diag(np.exp(x.numpy()).ravel()))
    assert not J[0][1].numpy().any()


def test_jacobian_single_input_tuple_output_and_vice_versa():
    x, y = zt(arr(3, seed=5)), zt(arr(3, seed=6))
    J = ZF.jacobian(lambda x: (x * 2, x.sum()), x)
    assert isinstance(J, tuple) and len(J) == 2 and J[0].shape == (3, 3) and J[1].shape == (3,)
    J = ZF.jacobian(lambda x, y: x * y, (x, y))
    assert isinstance(J, tuple) and len(J) == 2
    np.testing.assert_allclose(J[0].numpy(), np.diag(y.numpy()))
    np.testing.assert_allclose(J[1].numpy(), np.diag(x.numpy()))


def test_hessian_of_a_quadratic_form():
    A = arr(3, 3, seed=7)
    x = zt(arr(3, seed=8))
    H = ZF.hessian(lambda x: x @ (zt(A) @ x), x)
    np.testing.assert_allclose(H.numpy(), A + A.T, rtol=1e-12)


def test_hessian_tuple_inputs_is_tuple_of_tuples():
    x, y = zt(arr(2, seed=9)), zt(arr(3, seed=10))
    H = ZF.hessian(lambda x, y: (x.pow(2).sum() * y.exp().sum()), (x, y))
    assert [[tuple(b.shape) for b in row] for row in H] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    np.testing.assert_allclose(H[0][1].numpy(), H[1][0].numpy().T, rtol=1e-12)   # symmetric


def test_vjp_jvp_against_the_jacobian():
    x = zt(arr(4, seed=11))
    f = lambda x: (x.sin() * x.sum()).tanh()    # noqa: E731
    J = ZF.jacobian(f, x).numpy()
    u, v = arr(4, seed=12), arr(4, seed=13)
    out, vj = ZF.vjp(f, x, zt(u))
    out2, jv = ZF.jvp(f, x, zt(v))
    np.testing.assert_allclose(out.numpy(), f(x).numpy())
    np.testing.assert_allclose(vj.numpy(), u @ J, rtol=1e-12)
    np.testing.assert_allclose(jv.numpy(), J @ v, rtol=1e-12)


def test_hvp_equals_vhp_for_a_smooth_function():
    x, v = zt(arr(4, seed=14)), zt(arr(4, seed=15))
    f = lambda x: (x.exp() * x.sin()).sum()     # noqa: E731
    H = ZF.hessian(f, x).numpy()
    _, hv = ZF.hvp(f, x, v)
    _, vh = ZF.vhp(f, x, v)
    np.testing.assert_allclose(hv.numpy(), H @ v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(vh.numpy(), v.numpy() @ H, rtol=1e-12)


def test_vjp_without_v_for_a_scalar_output_is_the_gradient():
    x = zt(arr(3, seed=16))
    out, g = ZF.vjp(lambda x: (x * x).sum(), x)
    np.testing.assert_allclose(g.numpy(), 2 * x.numpy())
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided "
                                           "function returns a single Tensor with a single "
                                           "element."):
        ZF.vjp(lambda x: x * 2, x)


def test_user_tensors_are_left_alone():
    x = zt(arr(3, seed=17), requires_grad=True)
    ZF.jacobian(lambda x: x.exp(), x)
    ZF.hessian(lambda x: x.exp().sum(), x)
    ZF.vjp(lambda x: x.exp(), x, zt(arr(3)))
    assert x.grad is None and x.requires_grad and x.is_leaf
    y = zt(arr(3, seed=18))
    ZF.jvp(lambda y: y.exp(), y, zt(arr(3)))
    assert not y.requires_grad


def test_create_graph_results_are_differentiable():
    x = zt(arr(3, seed=19), requires_grad=True)
    J = ZF.jacobian(lambda x: x.pow(3), x, create_graph=True)   # diag(3x²)
    assert J.requires_grad and J.grad_fn.name() == "ViewBackward0"
    J.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy(), rtol=1e-12)


def test_strict_mode():
    x, y = zt(arr(3, seed=20)), zt(arr(3, seed=21))
    J = ZF.jacobian(lambda x, y: x * 2, (x, y))            # not strict: zeros for y
    assert not J[1].numpy().any()
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent "
                                           "of input 1. This is not allowed in strict mode."):
        ZF.jacobian(lambda x, y: x * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect to "
                                           "input 0 is independent of the input"):
        ZF.hessian(lambda x: (x * 2).sum(), x, strict=True)


def test_vectorize_flag_gives_the_same_jacobian():
    x = zt(arr(2, 3, seed=22))
    f = lambda x: (x.tanh(), x.sum(0))     # noqa: E731
    for a, b in zip(ZF.jacobian(f, x), ZF.jacobian(f, x, vectorize=True)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_forward_mode_jacobian_equals_reverse_mode():
    x, y = zt(arr(3, seed=23)), zt(arr(2, seed=24))
    f = lambda x, y: (x.sin() * y.sum(), (x * x).sum() + y)     # noqa: E731
    rev = ZF.jacobian(f, (x, y))
    fwd = ZF.jacobian(f, (x, y), vectorize=True, strategy="forward-mode")
    assert isinstance(fwd, list) and all(isinstance(row, list) for row in fwd)   # torch's lists
    for rrow, frow in zip(rev, fwd):
        for a, b in zip(rrow, frow):
            np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12, atol=1e-15)
    Hr = ZF.hessian(lambda x: x.exp().prod(), x)
    Hf = ZF.hessian(lambda x: x.exp().prod(), x, vectorize=True,
                    outer_jacobian_strategy="forward-mode")
    np.testing.assert_allclose(Hf.numpy(), Hr.numpy(), rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# parity with torch
# ------------------------------------------------------------------------------------------------

def assert_same(z, t, path="result"):
    """Same structure (tuple/list nesting), shapes, dtypes, requires_grad and values."""
    if isinstance(t, (tuple, list)):
        assert type(z) is type(t), f"{path}: {type(z).__name__} vs torch's {type(t).__name__}"
        assert len(z) == len(t), f"{path}: length {len(z)} vs torch's {len(t)}"
        for k, (a, b) in enumerate(zip(z, t)):
            assert_same(a, b, f"{path}[{k}]")
        return
    assert isinstance(z, zerograd.Tensor), f"{path}: {type(z).__name__} is not a Tensor"
    assert tuple(z.shape) == tuple(t.shape), f"{path}: shape {z.shape} vs {t.shape}"
    assert str(z.dtype) == str(t.dtype), f"{path}: dtype {z.dtype} vs {t.dtype}"
    assert z.requires_grad == t.requires_grad, f"{path}: requires_grad {z.requires_grad}"
    np.testing.assert_allclose(z.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12,
                               err_msg=path)


def both(*arrays, requires_grad=False):
    """The same float64 data as (zerograd tensors, torch tensors)."""
    z = tuple(zerograd.tensor(a, requires_grad=requires_grad) for a in arrays)
    t = tuple(torch.tensor(a, requires_grad=requires_grad) for a in arrays)
    return z, t


W = arr(3, 2, seed=100)

# name -> (function of (lib, *tensors), input shapes, input is a tuple?)
FUNCS = {
    "single->single": (lambda L, x: (x.tanh() * x).exp(), [(3,)], False),
    "single->single 2d": (lambda L, x: x @ L.tensor(W) + x.sum(), [(4, 3)], False),
    "single->tuple": (lambda L, x: (x.sin(), (x * x).sum()), [(2, 3)], False),
    "tuple->single": (lambda L, x, y: x * y.exp() + x.pow(2), [(3,), (3,)], True),
    "tuple->tuple": (lambda L, x, y: ((x * y).sin(), (x @ L.tensor(W)).tanh(), y.sum() * 2),
                     [(3,), (3,)], True),
    "single in a tuple": (lambda L, x: x.exp() / (1 + x * x), [(3,)], True),
    "scalar output": (lambda L, x, y: (x.exp() * y).sum(), [(2, 2), (2, 2)], True),
    "0-d input": (lambda L, x: (x * L.tensor(W)).sin(), [()], False),
    "unused input": (lambda L, x, y: x.exp(), [(3,), (2,)], True),
    "constant output": (lambda L, x: L.ones(2, dtype=L.float64), [(3,)], False),
}

SCALAR_FUNCS = {
    "single": (lambda L, x: (x.pow(3) * x.sin()).sum(), [(3,)], False),
    "single 2d": (lambda L, x: (x @ L.tensor(W)).tanh().sum(), [(2, 3)], False),
    "tuple": (lambda L, x, y: (x.exp() * y.pow(2)).sum() + (x * x).sum(), [(3,), (3,)], True),
    "tuple mixed shapes": (lambda L, x, y: (x.sum(1) * y).tanh().sum(), [(2, 3), (2,)], True),
    "single in a tuple": (lambda L, x: x.exp().prod(), [(3,)], True),
    "0-d": (lambda L, x: x.exp() * x.sin(), [()], False),
    "linear in y": (lambda L, x, y: (x * x).sum() + (y * 2).sum(), [(2,), (2,)], True),
}


def _inputs(shapes, tupled, seed=0, requires_grad=False):
    z, t = both(*[arr(*s, seed=seed + k) for k, s in enumerate(shapes)],
                requires_grad=requires_grad)
    return (z, t) if tupled else (z[0], t[0])


def _bind(f, lib):
    return lambda *xs: f(lib, *xs)


def _seed_vectors(shapes_of, tupled, seed):
    """Random v shaped like `shapes_of` (a tuple when tupled, else one tensor)."""
    z, t = both(*[arr(*s, seed=seed + k) for k, s in enumerate(shapes_of)])
    return (z, t) if tupled else (z[0], t[0])


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_parity_jacobian(name, create_graph):
    f, shapes, tupled = FUNCS[name]
    for requires_grad in (False, True):
        zx, tx = _inputs(shapes, tupled, requires_grad=requires_grad)
        z = ZF.jacobian(_bind(f, zerograd), zx, create_graph=create_graph)
        t = torch.autograd.functional.jacobian(_bind(f, torch), tx, create_graph=create_graph)
        assert_same(z, t)


# torch's vmap-based forward mode rejects `x @ constant` for these (a torch limitation)
FORWARD_FUNCS = sorted(set(FUNCS) - {"single->single 2d", "tuple->tuple"})


@requires_torch
@pytest.mark.parametrize("name", FORWARD_FUNCS)
def test_parity_jacobian_forward_mode(name):
    f, shapes, tupled = FUNCS[name]
    zx, tx = _inputs(shapes, tupled)
    z = ZF.jacobian(_bind(f, zerograd), zx, vectorize=True, strategy="forward-mode")
    t = torch.autograd.functional.jacobian(_bind(f, torch), tx, vectorize=True,
                                           strategy="forward-mode")
    assert_same(z, t)


def _hessian_params():
    for name in sorted(SCALAR_FUNCS):
        for create_graph in (False, True):
            yield pytest.param(name, create_graph, id=f"{name}-{create_graph}")


@requires_torch
@pytest.mark.parametrize("name, create_graph", _hessian_params())
def test_parity_hessian(name, create_graph):
    f, shapes, tupled = SCALAR_FUNCS[name]
    for requires_grad in (False, True):
        zx, tx = _inputs(shapes, tupled, requires_grad=requires_grad)
        z = ZF.hessian(_bind(f, zerograd), zx, create_graph=create_graph)
        t = torch.autograd.functional.hessian(_bind(f, torch), tx, create_graph=create_graph)
        assert_same(z, t)


@requires_torch
@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
def test_parity_hessian_vectorize(name):
    f, shapes, tupled = SCALAR_FUNCS[name]
    zx, tx = _inputs(shapes, tupled)
    z = ZF.hessian(_bind(f, zerograd), zx, vectorize=True)
    t = torch.autograd.functional.hessian(_bind(f, torch), tx, vectorize=True)
    assert_same(z, t)


@requires_torch
@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
def test_parity_hessian_forward_over_reverse(name):
    """torch's forward-over-reverse hessian sets requires_grad on the *user's* inputs as a side
    effect, so its results carry a graph: compare structure and values only."""
    f, shapes, tupled = SCALAR_FUNCS[name]
    zx, tx = _inputs(shapes, tupled)
    z = ZF.hessian(_bind(f, zerograd), zx, vectorize=True, outer_jacobian_strategy="forward-mode")
    t = torch.autograd.functional.hessian(_bind(f, torch), tx, vectorize=True,
                                          outer_jacobian_strategy="forward-mode")
    flat_z, flat_t = _flatten(z), _flatten(t)
    assert isinstance(z, (tuple, list)) == isinstance(t, (tuple, list))
    assert type(z) is type(t) or not isinstance(t, (tuple, list))
    assert len(flat_z) == len(flat_t)
    for a, b in zip(flat_z, flat_t):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)


def _flatten(x):
    if isinstance(x, (tuple, list)):
        return [t for el in x for t in _flatten(el)]
    return [x]


def _output_shapes(f, zx):
    out = f(zerograd, *(zx if isinstance(zx, tuple) else (zx,)))
    outs = out if isinstance(out, tuple) else (out,)
    return [tuple(o.shape) for o in outs], isinstance(out, tuple)


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_parity_vjp(name, create_graph):
    f, shapes, tupled = FUNCS[name]
    out_shapes, out_tupled = _output_shapes(f, _inputs(shapes, tupled)[0])
    zv, tv = _seed_vectors(out_shapes, out_tupled, seed=10)
    for requires_grad in (False, True):
        zx, tx = _inputs(shapes, tupled, requires_grad=requires_grad)
        z = ZF.vjp(_bind(f, zerograd), zx, zv, create_graph=create_graph)
        t = torch.autograd.functional.vjp(_bind(f, torch), tx, tv, create_graph=create_graph)
        assert_same(z, t)


@requires_torch
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_parity_jvp(name, create_graph):
    f, shapes, tupled = FUNCS[name]
    zv, tv = _seed_vectors(shapes, tupled, seed=20)
    for requires_grad in (False, True):
        zx, tx = _inputs(shapes, tupled, requires_grad=requires_grad)
        z = ZF.jvp(_bind(f, zerograd), zx, zv, create_graph=create_graph)
        t = torch.autograd.functional.jvp(_bind(f, torch), tx, tv, create_graph=create_graph)
        assert_same(z, t)


@requires_torch
@pytest.mark.parametrize("op", ["vhp", "hvp"])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
def test_parity_vhp_hvp(name, create_graph, op):
    f, shapes, tupled = SCALAR_FUNCS[name]
    zv, tv = _seed_vectors(shapes, tupled, seed=30)
    for requires_grad in (False, True):
        zx, tx = _inputs(shapes, tupled, requires_grad=requires_grad)
        z = getattr(ZF, op)(_bind(f, zerograd), zx, zv, create_graph=create_graph)
        t = getattr(torch.autograd.functional, op)(_bind(f, torch), tx, tv,
                                                   create_graph=create_graph)
        assert_same(z, t)


@requires_torch
def test_parity_v_may_be_omitted_for_one_element():
    zx, tx = both(np.array([0.7]))
    f = lambda L, x: (x.exp() * 3, x.sin())     # noqa: E731
    g = lambda L, x: x.pow(3).sum()              # noqa: E731
    assert_same(ZF.jvp(_bind(f, zerograd), zx[0]),
                torch.autograd.functional.jvp(_bind(f, torch), tx[0]))
    assert_same(ZF.vjp(_bind(g, zerograd), zx[0]),
                torch.autograd.functional.vjp(_bind(g, torch), tx[0]))
    for op in ("hvp", "vhp"):
        assert_same(getattr(ZF, op)(_bind(g, zerograd), zx[0]),
                    getattr(torch.autograd.functional, op)(_bind(g, torch), tx[0]))


def _backprop_through(result, inputs, lib, seed):
    """d/d inputs of sum(result * R) for fixed random R: the gradient of a create_graph result."""
    flat = [r for r in _flatten(result) if r.requires_grad]
    assert flat, "the result should be differentiable"
    total = None
    for k, r in enumerate(flat):
        R = lib.tensor(arr(*r.shape, seed=seed + k))
        term = (r * R).sum()
        total = term if total is None else total + term
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return lib.autograd.grad(total, inputs, allow_unused=True, materialize_grads=True)


@requires_torch
@pytest.mark.parametrize("which", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_parity_backprop_through_create_graph_results(which):
    """With create_graph=True the results depend differentiably on the user's inputs: their
    gradients (third derivatives for hvp/vhp/hessian) must agree with torch's too."""
    scalar = which in ("hessian", "hvp", "vhp")
    f, shapes, tupled = (SCALAR_FUNCS["tuple"] if scalar else FUNCS["tuple->tuple"])
    zx, tx = _inputs(shapes, tupled, requires_grad=True)
    args = {}
    if which == "vjp":
        out_shapes, out_tupled = _output_shapes(f, zx)
        zv, tv = _seed_vectors(out_shapes, out_tupled, seed=40)
    elif which != "jacobian" and which != "hessian":
        zv, tv = _seed_vectors(shapes, tupled, seed=40)
    z_fn, t_fn = getattr(ZF, which), getattr(torch.autograd.functional, which)
    if which in ("jacobian", "hessian"):
        z = z_fn(_bind(f, zerograd), zx, create_graph=True, **args)
        t = t_fn(_bind(f, torch), tx, create_graph=True, **args)
    else:
        z = z_fn(_bind(f, zerograd), zx, zv, create_graph=True)
        t = t_fn(_bind(f, torch), tx, tv, create_graph=True)
    assert_same(z, t)
    assert_same(_backprop_through(z, zx, zerograd, 50), _backprop_through(t, tx, torch, 50))


# errors: name -> call(M, lib, a) where a = [x3, y3, v3, w4] in that library
ERROR_CASES = {
    "vjp without v, non-scalar": lambda M, L, a: M.vjp(lambda x: x * 2, a[0]),
    "vjp v of wrong size": lambda M, L, a: M.vjp(lambda x: x * 2, a[0], a[3]),
    "vjp v tuple of wrong length": lambda M, L, a: M.vjp(lambda x: (x * 2, x), a[0], (a[0],)),
    "vjp v entry of wrong size": lambda M, L, a: M.vjp(lambda x: (x * 2, x), a[0], (a[0], a[3])),
    "vjp v a tuple for one output": lambda M, L, a: M.vjp(lambda x: x * 2, a[0], (a[0], a[1])),
    "jvp without v": lambda M, L, a: M.jvp(lambda x: x * 2, a[0]),
    "jvp v of wrong size": lambda M, L, a: M.jvp(lambda x, y: x * y, (a[0], a[1]), (a[0], a[3])),
    "hvp without v": lambda M, L, a: M.hvp(lambda x: x.sum(), a[0]),
    "vhp v of wrong size": lambda M, L, a: M.vhp(lambda x: x.sum(), a[0], a[3]),
    "list inputs": lambda M, L, a: M.vjp(lambda x: x * 2, [a[0]], a[0]),
    "non-tensor in inputs": lambda M, L, a: M.jacobian(lambda x, k: x * k, (a[0], 3)),
    "non-tensor output": lambda M, L, a: M.jacobian(lambda x: 3.0, a[0]),
    "hessian of non-scalar": lambda M, L, a: M.hessian(lambda x: x * 2, a[0]),
    "hessian of a tuple": lambda M, L, a: M.hessian(lambda x: (x.sum(),), a[0]),
    "vhp of non-scalar": lambda M, L, a: M.vhp(lambda x: x * 2, a[0], a[0]),
    "hvp of a tuple": lambda M, L, a: M.hvp(lambda x: (x.sum(), x.sum()), a[0], a[0]),
    "bad strategy": lambda M, L, a: M.jacobian(lambda x: x * 2, a[0], strategy="sideways"),
    "bad outer strategy": lambda M, L, a: M.hessian(lambda x: x.sum(), a[0],
                                                   outer_jacobian_strategy="sideways"),
    "forward-mode + create_graph": lambda M, L, a: M.jacobian(
        lambda x: x * 2, a[0], strategy="forward-mode", create_graph=True),
    "forward-mode without vectorize": lambda M, L, a: M.jacobian(
        lambda x: x * 2, a[0], strategy="forward-mode"),
    "forward-mode + strict": lambda M, L, a: M.jacobian(
        lambda x: x * 2, a[0], strategy="forward-mode", strict=True, vectorize=True),
    "vectorize + strict": lambda M, L, a: M.jacobian(lambda x: x * 2, a[0], strict=True,
                                                    vectorize=True),
    # strict mode
    "strict jacobian: unused input": lambda M, L, a: M.jacobian(
        lambda x, y: x * 2, (a[0], a[1]), strict=True),
    "strict jacobian: output without grad": lambda M, L, a: M.jacobian(
        lambda x: a[1] * 2, a[0], strict=True),
    "strict jacobian + create_graph: linear": lambda M, L, a: M.jacobian(
        lambda x: x * 2, a[0], strict=True, create_graph=True),
    "strict hessian: linear": lambda M, L, a: M.hessian(lambda x: (x * 2).sum(), a[0], strict=True),
    "strict hessian: unused input": lambda M, L, a: M.hessian(
        lambda x, y: (x * x).sum(), (a[0], a[1]), strict=True),
    "strict vjp: unused input": lambda M, L, a: M.vjp(
        lambda x, y: x * 2, (a[0], a[1]), a[0], strict=True),
    "strict vjp + create_graph: linear": lambda M, L, a: M.vjp(
        lambda x: x * 2, a[0], a[0], strict=True, create_graph=True),
    "strict jvp: unused input": lambda M, L, a: M.jvp(
        lambda x, y: x * 2, (a[0], a[1]), (a[0], a[1]), strict=True),
    "strict jvp: output without grad": lambda M, L, a: M.jvp(
        lambda x: a[1] * 2, a[0], a[0], strict=True),
    "strict vhp: linear": lambda M, L, a: M.vhp(lambda x: (x * 2).sum(), a[0], a[0], strict=True),
    "strict hvp: linear": lambda M, L, a: M.hvp(lambda x: (x * 2).sum(), a[0], a[0], strict=True),
    "strict vhp + create_graph: quadratic": lambda M, L, a: M.vhp(
        lambda x: (x * x).sum(), a[0], a[0], strict=True, create_graph=True),
}


def _error_of(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return type(e).__name__, str(e).replace("zerograd.tensor.Tensor", "torch.Tensor")
    return None


@requires_torch
@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_parity_errors(name):
    case = ERROR_CASES[name]
    data = [arr(3, seed=1), arr(3, seed=2), arr(3, seed=3), arr(4, seed=4)]
    z = _error_of(lambda: case(ZF, zerograd, [zerograd.tensor(a) for a in data]))
    t = _error_of(lambda: case(torch.autograd.functional, torch, [torch.tensor(a) for a in data]))
    assert t is not None, "the case should make torch raise"
    assert z == t
