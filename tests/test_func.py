"""Tests of zerograd.func (torch.func): functional_call, grad, grad_and_value, vjp, jvp, jacrev,
jacfwd, hessian, vmap, stack_module_state, replace_all_batch_norm_modules_.

Most tests run the same code on zerograd and on torch (the oracle) - the functions below take
the library `T` as their first argument - and compare structure (tuple / list / dict nesting),
values (float64, rtol 1e-12), requires_grad, and for bad arguments the error type and message.
"""
import numpy as np
import pytest

import zerograd
import zerograd.func as zfunc
from tests._oracle import requires_torch, torch

RTOL = 1e-12


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def conv(T, tree, requires_grad=False):
    """numpy pytree -> T tensors (float64)."""
    if isinstance(tree, np.ndarray):
        t = T.tensor(tree)
        return t.requires_grad_() if requires_grad else t
    if isinstance(tree, tuple):
        return tuple(conv(T, x, requires_grad) for x in tree)
    if isinstance(tree, list):
        return [conv(T, x, requires_grad) for x in tree]
    if isinstance(tree, dict):
        return {k: conv(T, v, requires_grad) for k, v in tree.items()}
    return tree


def assert_same(z, t, rtol=RTOL, check_rg=True):
    """zerograd result z equals torch result t: same containers, shapes, dtypes, values."""
    assert type(z).__name__ == type(t).__name__ or (
        isinstance(z, zerograd.Tensor) and isinstance(t, torch.Tensor)), (type(z), type(t))
    if isinstance(t, torch.Tensor):
        assert isinstance(z, zerograd.Tensor)
        assert tuple(z.shape) == tuple(t.shape), (z.shape, t.shape)
        assert str(z.dtype) == str(t.dtype), (z.dtype, t.dtype)
        if check_rg:
            assert z.requires_grad == t.requires_grad, (z.requires_grad, t.requires_grad)
        np.testing.assert_allclose(z.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=1e-13)
    elif isinstance(t, (tuple, list)):
        assert len(z) == len(t)
        for a, b in zip(z, t):
            assert_same(a, b, rtol, check_rg)
    elif isinstance(t, dict):
        assert list(z.keys()) == list(t.keys())
        for k in t:
            assert_same(z[k], t[k], rtol, check_rg)
    else:
        assert z == t


def error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    raise AssertionError("no error raised")


def assert_same_error(fz, ft, exact=True):
    ez, et = error_of(fz), error_of(ft)
    assert ez[0] is et[0], (ez, et)
    if exact:
        assert ez[1] == et[1], (ez[1], et[1])
    else:
        assert ez[1].startswith(et[1]) or et[1] in ez[1], (ez[1], et[1])


def both(fn):
    """fn(T, F) on zerograd and on torch."""
    return fn(zerograd, zfunc), fn(torch, torch.func)


# ------------------------------------------------------------------------------------------------
# functions to differentiate (T is the library)
# ------------------------------------------------------------------------------------------------

def f_scalar(T, x, y):
    return (T.sin(x) * y).sum() + (x * x * y.exp()).sum() / 3


def f_vec(T, x, y):
    return T.tanh(x * y) + x.exp() * y.sum()


def f_pytree_in(T, d):
    return (d["w"].sin() * d["b"][0]).sum() + (d["b"][1] ** 3).sum()


def f_pytree_out(T, x, y):
    return {"p": x * y, "q": (x.sum() * y, T.cos(x))}


X = arr(3, seed=1)
Y = arr(3, seed=2)


# ------------------------------------------------------------------------------------------------
# functional_call
# ------------------------------------------------------------------------------------------------

def mlp(T):
    return T.nn.Sequential(T.nn.Linear(4, 5), T.nn.Tanh(), T.nn.Linear(5, 2)).double()


def mlp_params(seed=0):
    return {"0.weight": arr(5, 4, seed=seed), "0.bias": arr(5, seed=seed + 1),
            "2.weight": arr(2, 5, seed=seed + 2), "2.bias": arr(2, seed=seed + 3)}


@requires_torch
def test_functional_call_mlp_values_grads_and_restore():
    x = arr(6, 4, seed=9)

    def run(T, F):
        m = mlp(T)
        before = {k: v.detach().clone() for k, v in m.named_parameters()}
        p = conv(T, mlp_params(), requires_grad=True)
        out = F.functional_call(m, p, conv(T, x))
        out.pow(2).sum().backward()
        after = dict(m.named_parameters())
        assert all(type(after[k]).__name__ == "Parameter" for k in after)
        assert all(T.equal(before[k], after[k].detach()) for k in before)
        assert all(after[k].grad is None for k in after)       # the module's own got nothing
        return out, {k: v.grad for k, v in p.items()}

    (zo, zg), (to, tg) = both(run)
    assert_same(zo, to)
    assert_same(zg, tg)


@requires_torch
def test_functional_call_partial_dicts_and_kwargs():
    x = arr(3, 4, seed=3)
    params = mlp_params(5)

    def run(T, F):
        m = mlp(T)
        first = conv(T, {k: v for k, v in params.items() if k.startswith("0.")})
        second = conv(T, {k: v for k, v in params.items() if k.startswith("2.")})
        a = F.functional_call(m, (first, second), (conv(T, x),))
        b = F.functional_call(m, [first, second], conv(T, x), {})
        return a, b
    z, t = both(run)
    assert_same(z, t)
    # names not given keep the module's own tensors
    m = mlp(zerograd)
    first = conv(zerograd, {k: v for k, v in params.items() if k.startswith("0.")})
    got = zfunc.functional_call(m, first, conv(zerograd, x))
    h = np.tanh(x @ params["0.weight"].T + params["0.bias"])
    want = h @ m[2].weight.detach().numpy().T + m[2].bias.detach().numpy()
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12)


@requires_torch
def test_functional_call_batchnorm_buffers():
    x = arr(8, 3, seed=4)
    state = {"weight": arr(3, seed=5), "bias": arr(3, seed=6), "running_mean": arr(3, seed=7),
             "running_var": np.abs(arr(3, seed=8)) + 0.5}

    def run(T, F):
        bn = T.nn.BatchNorm1d(3).double()
        s = conv(T, state)
        s["num_batches_tracked"] = T.tensor(2)
        y_train = F.functional_call(bn, s, conv(T, x))
        untouched = (bn.running_mean.clone(), bn.num_batches_tracked.clone())
        bn.eval()
        y_eval = F.functional_call(bn, s, conv(T, x))
        return (y_train, y_eval, s["running_mean"], s["running_var"], s["num_batches_tracked"],
                untouched)

    z, t = both(run)
    assert_same(z, t)


class _TiedT:
    """A module whose two Linear layers share one weight (built for either library)."""

    @staticmethod
    def make(T):
        class Tied(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = T.nn.Linear(2, 2, bias=False).double()
                self.b = T.nn.Linear(2, 2, bias=False).double()
                self.b.weight = self.a.weight

            def forward(self, x, scale=1.0):
                return self.b(self.a(x)) * scale
        return Tied()


@requires_torch
def test_functional_call_tied_weights():
    w, w2, x = arr(2, 2, seed=1), arr(2, 2, seed=2), arr(3, 2, seed=3)

    def run(T, F):
        m = _TiedT.make(T)
        tied = F.functional_call(m, {"a.weight": conv(T, w)}, conv(T, x))
        wt = conv(T, w)
        same_twice = F.functional_call(m, {"a.weight": wt, "b.weight": wt},
                                       (conv(T, x),), {"scale": 2.0})
        untied = F.functional_call(m, {"a.weight": conv(T, w), "b.weight": conv(T, w2)},
                                   conv(T, x), tie_weights=False)
        strict_ok = F.functional_call(m, {"a.weight": conv(T, w)}, conv(T, x), strict=True)
        return tied, same_twice, untied, strict_ok

    z, t = both(run)
    assert_same(z, t)
    wz = conv(zerograd, w)
    zm = _TiedT.make(zerograd)
    # tie_weights=False and only a.weight given: b keeps the module's (random) own weight
    got = zfunc.functional_call(zm, {"a.weight": wz}, conv(zerograd, x), tie_weights=False)
    np.testing.assert_allclose(got.detach().numpy(),
                               x @ w.T @ zm.b.weight.detach().numpy().T, rtol=1e-12)

    def clash(T, F):
        return lambda: F.functional_call(_TiedT.make(T), {"a.weight": conv(T, w),
                                                          "b.weight": conv(T, w2)}, conv(T, x))
    assert_same_error(clash(zerograd, zfunc), clash(torch, torch.func))


@requires_torch
def test_functional_call_errors_and_restore_on_exception():
    x = arr(2, 4)
    p = mlp_params()

    def cases(T, F):
        m = mlp(T)
        P = conv(T, p)
        return [
            lambda: F.functional_call(m, {k: v for k, v in P.items() if k != "2.bias"},
                                      conv(T, x), strict=True),
            lambda: F.functional_call(m, {**P, "foo": P["0.bias"]}, conv(T, x), strict=True),
            lambda: F.functional_call(m, {"5.weight": P["0.bias"]}, conv(T, x)),
            lambda: F.functional_call(m, {"0.weight": 3}, conv(T, x)),
            lambda: F.functional_call(m, [P, P], conv(T, x)),
            lambda: F.functional_call(m, [P, 3], conv(T, x)),
            lambda: F.functional_call(m, 3, conv(T, x)),
            lambda: F.functional_call(m, {"": P["0.bias"]}, conv(T, x)),
            lambda: F.functional_call(m, P, conv(T, arr(2, 3))),       # the forward fails
        ]
    for fz, ft in zip(cases(zerograd, zfunc), cases(torch, torch.func)):
        assert_same_error(fz, ft, exact=False)

    m = mlp(zerograd)
    own = {k: v for k, v in m.named_parameters()}
    with pytest.raises(RuntimeError):
        zfunc.functional_call(m, conv(zerograd, p), conv(zerograd, arr(2, 3)))
    assert {k: v for k, v in m.named_parameters()} == own
    assert all(isinstance(v, zerograd.nn.Parameter) for v in m.parameters())
    # a key naming no parameter is set for the call and removed again
    zfunc.functional_call(m, {"0.extra": zerograd.ones(1)}, conv(zerograd, x))
    assert not hasattr(m[0], "extra")


# ------------------------------------------------------------------------------------------------
# grad, grad_and_value, vjp, jvp
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_and_value_argnums(argnums):
    def run(T, F):
        x, y = conv(T, X), conv(T, Y)
        g = F.grad(lambda a, b: f_scalar(T, a, b), argnums=argnums)(x, y)
        gv = F.grad_and_value(lambda a, b: f_scalar(T, a, b), argnums=argnums)(x, y)
        return g, gv
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_grad_has_aux_pytree_and_unused():
    d = {"w": arr(2, 3, seed=1), "b": (arr(3, seed=2), arr(4, seed=3)), "unused": arr(2)}

    def run(T, F):
        def f(p, k):
            out = f_pytree_in(T, p) * k
            return out, {"aux": p["w"] * 2, "n": (out.detach(),)}
        g, aux = F.grad(f, has_aux=True)(conv(T, d), conv(T, np.array(1.5)))
        gv = F.grad_and_value(f, has_aux=True)(conv(T, d), conv(T, np.array(1.5)))
        return g, aux, gv
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_grad_composes_and_connects_to_outer_autograd():
    def run(T, F):
        x = conv(T, X)
        f = lambda a: (a ** 3 * a.sin()).sum()          # noqa: E731
        g2 = F.grad(lambda a: F.grad(f)(a).sum())(x)
        g3 = F.grad(lambda a: F.grad(lambda b: F.grad(f)(b).sum())(a).sum())(x)
        xr = conv(T, X, requires_grad=True)
        outer = F.grad(f)(xr)                            # depends on xr: keeps a graph
        (d,) = T.autograd.grad(outer.sum(), xr)
        w = conv(T, Y, requires_grad=True)               # a closed-over tensor that needs grad
        cg = F.grad(lambda a: (a * w).sin().sum())(x)
        plain = F.grad(lambda a: (a * w.detach()).sin().sum())(x)
        with T.no_grad():
            ng = F.grad(lambda a: (a * w).sin().sum())(x)
        return g2, g3, outer, d, cg, plain, ng
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_vjp_pytrees_and_aux():
    def run(T, F):
        x, y = conv(T, X), conv(T, Y)
        out, fn = F.vjp(lambda a, b: f_pytree_out(T, a, b), x, y)
        ct = {"p": conv(T, arr(3, seed=5)), "q": (conv(T, arr(3, seed=6)), conv(T, arr(3, seed=7)))}
        r1 = fn(ct)
        r2 = fn(ct)                                      # callable again
        out2, fn2, aux = F.vjp(lambda a: (f_vec(T, a, y), {"s": a.sum()}), x, has_aux=True)
        return out, r1, r2, out2, fn2(conv(T, arr(3, seed=8))), aux
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_jvp_values_pytrees_aux():
    def run(T, F):
        x, y = conv(T, X), conv(T, Y)
        tx, ty = conv(T, arr(3, seed=11)), conv(T, arr(3, seed=12))
        r1 = F.jvp(lambda a, b: f_pytree_out(T, a, b), (x, y), (tx, ty))
        r2 = F.jvp(lambda a: f_vec(T, a, y), (x,), (tx,), has_aux=False)
        r3 = F.jvp(lambda a: (a.exp() * 2, {"k": a + 1}), (x,), (tx,), has_aux=True)
        r4 = F.jvp(lambda a: a, (x,), (tx,))             # identity
        r5 = F.jvp(lambda a: T.ones(2, dtype=T.float64), (x,), (tx,))   # independent output
        r6 = F.jvp(lambda d: d["u"] * d["v"].sum(), ({"u": x, "v": y},), ({"u": tx, "v": ty},))
        return r1, r2, r3, r4, r5, r6
    z, t = both(run)
    assert_same(z, t)


# ------------------------------------------------------------------------------------------------
# jacrev, jacfwd, hessian
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1)])
def test_jacobians(jac, argnums):
    def run(T, F):
        x, y = conv(T, arr(3, seed=1)), conv(T, arr(2, 3, seed=2))
        J = getattr(F, jac)
        a = J(lambda a, b: f_vec(T, a, b), argnums=argnums)(x, y)
        b = J(lambda a, b: f_pytree_out(T, a, b[0]), argnums=argnums)(x, y)
        c = J(lambda a, b: ((a[None] * b).sum(0).exp(), {"m": a @ b.t()}), argnums=argnums,
              has_aux=True)(x, y)
        return a, b, c
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_jacobian_pytree_inputs_and_nesting():
    d = {"w": arr(2, 3, seed=1), "b": (arr(3, seed=2), arr(4, seed=3))}

    def run(T, F):
        p = conv(T, d)
        f = lambda q: {"o": q["w"].sin() * q["b"][0], "s": (q["b"][1] ** 2).sum()}   # noqa: E731
        jr = F.jacrev(f)(p)
        jf = F.jacfwd(f)(p)
        x = conv(T, X)
        g = lambda a: (a.sin() * a.sum()).exp()          # noqa: E731
        jj = F.jacrev(F.jacrev(g))(x)
        jfr = F.jacfwd(F.jacrev(g))(x)
        return jr, jf, jj, jfr
    z, t = both(run)
    assert_same(z, t)


@requires_torch
@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_hessian(argnums):
    def run(T, F):
        x, y = conv(T, X), conv(T, Y)
        return F.hessian(lambda a, b: f_scalar(T, a, b) * (a * b).sum(), argnums=argnums)(x, y)
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_transform_errors():
    def cases(T, F):
        x = conv(T, X)
        return [
            lambda: F.grad(lambda a: a * 2)(x),
            lambda: F.grad(lambda a: 3)(x),
            lambda: F.grad(lambda a: a.sum(), has_aux=True)(x),
            lambda: F.grad(lambda a: (a.sum(), 1), has_aux=True)(x),
            lambda: F.grad(lambda a, b: a.sum(), argnums=2)(x, x),
            lambda: F.grad(lambda a, b: a.sum(), argnums=[0])(x, x),
            lambda: F.grad(lambda a, b: a.sum(), argnums=())(x, x),
            lambda: F.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x),
            lambda: F.grad(lambda a, b: a.sum(), argnums=(0, 1.0))(x, x),
            lambda: F.grad(lambda a: a.sum())(3.0),
            lambda: F.grad(lambda a: a.sum())(T.arange(3)),
            lambda: F.vjp(lambda a: 3, x),
            lambda: F.vjp(lambda a: a.long(), x),
            lambda: F.vjp(lambda a: a, x)[1](x[:2]),
            lambda: F.vjp(lambda a: a, x)[1]((x,)),
            lambda: F.vjp(lambda a: (a, a), x)[1](x),
            lambda: F.vjp(lambda a: a, x, has_aux=True),
            lambda: F.jvp(lambda a: a, x, x),
            lambda: F.jvp(lambda a: a, (x,), x),
            lambda: F.jvp(lambda a: a, (x,), (x[:2],)),
            lambda: F.jvp(lambda a: a, (), ()),
            lambda: F.jvp(lambda a: 3, (x,), (x,)),
            lambda: F.jvp(lambda a: a, (3.0,), (x,)),
            lambda: F.jvp(lambda a: a, (x,), (3.0,)),
            lambda: F.jvp(lambda a: a, (T.arange(3),), (T.arange(3),)),
            lambda: F.jacrev(lambda a: 3)(x),
            lambda: F.jacrev(lambda a: a, argnums=3)(x),
            lambda: F.jacrev(lambda a: a, chunk_size=0)(x),
            lambda: F.jacrev(lambda a: a.long())(x),
            lambda: F.jacrev(lambda a: (a, 3), has_aux=True)(x),
            lambda: F.jacfwd(lambda a: 3)(x),
            lambda: F.jacfwd(lambda a: a)(T.arange(3)),
            lambda: F.jacfwd(lambda a: a + T.randn(3, dtype=T.float64))(x),
            lambda: F.jacfwd(lambda a: a, randomness="bad")(x),
        ]
    for fz, ft in zip(cases(zerograd, zfunc), cases(torch, torch.func)):
        assert_same_error(fz, ft)


# ------------------------------------------------------------------------------------------------
# vmap
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_vmap_elementwise_matmul_reductions():
    A, B, C = arr(4, 3, seed=1), arr(3, 5, seed=2), arr(3, 4, 2, seed=3)

    def run(T, F):
        a, b, c = conv(T, A), conv(T, B), conv(T, C)
        return [
            F.vmap(T.sin)(a),
            F.vmap(lambda u, v: u * v, in_dims=(0, 1))(a, b[:, :4]),
            F.vmap(T.mv, in_dims=(None, 0))(b.t(), a),
            F.vmap(lambda u, v: u @ v, in_dims=(0, None))(a, b),
            F.vmap(lambda u: u.sum(0), in_dims=1)(c),
            F.vmap(lambda u: u.sum(), in_dims=-1, out_dims=0)(c),
            F.vmap(lambda u: u.mean(0), in_dims=1, out_dims=1)(c),
            F.vmap(lambda u: u.max(), in_dims=2)(c),
            F.vmap(lambda u: u * 2, out_dims=-1)(a),
            F.vmap(lambda u: (u.sum(), u.exp()), out_dims=(0, 1))(a),
            F.vmap(lambda u, k: u * k, in_dims=(0, None))(a, 3.0),
            F.vmap(lambda u, k=1.0: u * k)(a, k=b[0, :3]),
            F.vmap(lambda d: d["x"] + d["y"][0, 0], in_dims=({"x": 0, "y": None},))(
                {"x": a, "y": c[0]}),
            F.vmap(lambda u: [u, {"s": u.sum()}])(a),
            F.vmap(lambda u: T.zeros(2, dtype=T.float64))(a),
            F.vmap(lambda u: (u, T.ones(2)), out_dims=(0, None))(a),
            F.vmap(lambda u: u.sum())(T.zeros(0, 3, dtype=T.float64)),
            F.vmap(lambda u: u, out_dims=(0,))(a),
        ]
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_vmap_nested_and_autograd_through():
    A, B = arr(2, 3, 4, seed=1), arr(4, 5, seed=2)

    def run(T, F):
        a = conv(T, A, requires_grad=True)
        b = conv(T, B)
        inner = F.vmap(lambda row: (row @ b).tanh())
        out = F.vmap(inner)(a)
        out2 = F.vmap(F.vmap(lambda x, y: x * y, in_dims=(0, None)), in_dims=(1, None))(a, a[0, 0])
        (g,) = T.autograd.grad((out ** 2).sum() + out2.sum(), a)
        return out, out2, g
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_vmap_per_sample_gradients_mlp():
    x, y = arr(7, 4, seed=21), arr(7, 2, seed=22)

    def run(T, F):
        m = mlp(T)
        params = conv(T, mlp_params(3))

        def loss(p, xi, yi):
            out = F.functional_call(m, p, (xi[None],))
            return ((out - yi[None]) ** 2).mean()

        grads = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, conv(T, x), conv(T, y))
        gv = F.vmap(F.grad_and_value(loss), in_dims=(None, 0, 0))(params, conv(T, x),
                                                                     conv(T, y))
        jac = F.vmap(F.jacrev(lambda p, xi: F.functional_call(m, p, (xi,))),
                     in_dims=(None, 0))(params, conv(T, x))
        return grads, gv, jac
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_vmap_ensemble_with_stack_module_state():
    x = arr(6, 4, seed=30)

    def run(T, F):
        T.manual_seed(0)
        models = [mlp(T) for _ in range(3)]
        for i, mm in enumerate(models):        # same weights in both libraries
            for k, v in mm.named_parameters():
                v.data.copy_(conv(T, mlp_params(10 * i)[k]))
        params, buffers = F.stack_module_state(models)
        base = mlp(T).to("meta") if T is torch else mlp(T)

        def call(p, b, xx):
            return F.functional_call(base, (p, b), (xx,))
        out = F.vmap(call, in_dims=(0, 0, None))(params, buffers, conv(T, x))
        return params, buffers, out
    z, t = both(run)
    assert_same(z, t)


@requires_torch
def test_vmap_errors():
    def cases(T, F):
        x, y = conv(T, arr(3, 4)), conv(T, arr(2, 4))
        return [
            lambda: F.vmap(T.add)(x, y),
            lambda: F.vmap(T.add, in_dims=(0, 1))(x, x),
            lambda: F.vmap(T.add, in_dims=(0,))(x, x),
            lambda: F.vmap(T.add, in_dims=[0, 0])(x, x),
            lambda: F.vmap(T.add, in_dims=(None, None))(x, x),
            lambda: F.vmap(T.add, in_dims=(2, 0))(x, x),
            lambda: F.vmap(T.add, in_dims=(-3, 0))(x, x),
            lambda: F.vmap(T.add, in_dims=(1.0, 0))(x, x),
            lambda: F.vmap(T.add, in_dims="a")(x, x),
            lambda: F.vmap(lambda a: a)(3.0),
            lambda: F.vmap(lambda a: a)(),
            lambda: F.vmap(lambda a: a)(T.tensor(1.0)),
            lambda: F.vmap(lambda a: 3)(x),
            lambda: F.vmap(lambda a: None)(x),
            lambda: F.vmap(lambda a: (a, a), out_dims=(0, 1, 2))(x),
            lambda: F.vmap(lambda a: a, out_dims=2)(x),
            lambda: F.vmap(lambda a: a, out_dims=None)(x),
            lambda: F.vmap(lambda a: a, out_dims=(0, 1.0))(x),
            lambda: F.vmap(lambda a: a, out_dims=[0])(x),
            lambda: F.vmap(lambda a: a, chunk_size=0),
            lambda: F.vmap(lambda a: a, randomness="foo"),
            lambda: F.vmap(lambda a: a + T.randn(4))(x),
            lambda: F.vmap(lambda d: d["a"], in_dims=({"a": 0},))({"a": x, "b": x}),
            lambda: F.vmap(lambda a, n: a * n)(x, 3),
        ]
    for fz, ft in zip(cases(zerograd, zfunc), cases(torch, torch.func)):
        assert_same_error(fz, ft)


def test_closed_forms_without_torch():
    x = zerograd.tensor(X)
    f = lambda a: (a ** 3).sum()                         # noqa: E731
    np.testing.assert_allclose(zfunc.grad(f)(x).numpy(), 3 * X ** 2, rtol=1e-12)
    np.testing.assert_allclose(zfunc.grad(lambda a: zfunc.grad(f)(a).sum())(x).numpy(), 6 * X,
                               rtol=1e-12)
    np.testing.assert_allclose(zfunc.hessian(f)(x).numpy(), np.diag(6 * X), rtol=1e-12)
    out, jv = zfunc.jvp(lambda a: a.sin(), (x,), (zerograd.ones(3, dtype=zerograd.float64),))
    np.testing.assert_allclose(jv.numpy(), np.cos(X), rtol=1e-12)
    assert not zfunc.grad(f)(x).requires_grad
    batched = zfunc.vmap(lambda a, b: a @ b, in_dims=(0, None))(zerograd.tensor(arr(4, 3)), x)
    np.testing.assert_allclose(batched.numpy(), arr(4, 3) @ X, rtol=1e-12)


def test_vmap_randomness_modes_and_docstring():
    x = zerograd.zeros(3, 4)
    zerograd.manual_seed(0)
    same = zfunc.vmap(lambda a: a + zerograd.randn(4), randomness="same")(x)
    assert all(zerograd.equal(same[0], same[i]) for i in range(3))
    diff = zfunc.vmap(lambda a: a + zerograd.randn(4), randomness="different")(x)
    assert not zerograd.equal(diff[0], diff[1])
    assert "once per batch element" in zfunc.vmap.__doc__


# ------------------------------------------------------------------------------------------------
# stack_module_state, replace_all_batch_norm_modules_
# ------------------------------------------------------------------------------------------------

@requires_torch
def test_stack_module_state_and_errors():
    def run(T, F):
        models = [T.nn.BatchNorm1d(2).double() for _ in range(3)]
        p, b = F.stack_module_state(models)
        return p, b, {k: (v.requires_grad, v.is_leaf) for k, v in p.items()}
    z, t = both(run)
    assert_same(z, t)

    def cases(T, F):
        return [
            lambda: F.stack_module_state([]),
            lambda: F.stack_module_state([T.nn.Linear(2, 2), T.nn.Tanh()]),
            lambda: F.stack_module_state([T.nn.Linear(2, 2), T.nn.Linear(2, 2).eval()]),
            lambda: F.stack_module_state([T.nn.Linear(2, 2), T.nn.Linear(2, 3)]),
        ]
    for fz, ft in zip(cases(zerograd, zfunc), cases(torch, torch.func)):
        assert_same_error(fz, ft, exact=False)


@requires_torch
def test_replace_all_batch_norm_modules():
    x = arr(5, 2, seed=3)

    def run(T, F):
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2)).double()
        assert F.replace_all_batch_norm_modules_(m) is m
        bn = m[1]
        m.eval()
        y = F.functional_call(m, {"0.weight": conv(T, np.eye(2)), "0.bias": conv(T, np.zeros(2))},
                              conv(T, x))
        return (bn.running_mean, bn.running_var, bn.num_batches_tracked,
                bn.track_running_stats, y)
    z, t = both(run)
    assert_same(z, t)


def test_loaded_on_first_use():
    """`import zerograd` does not load zerograd.func; `zerograd.func.grad` does."""
    import subprocess
    import sys
    code = ("import sys, zerograd; assert 'zerograd.func' not in sys.modules; "
            "g = zerograd.func.grad(lambda x: (x * x).sum())(zerograd.ones(2)); "
            "assert g.tolist() == [2.0, 2.0]")
    subprocess.run([sys.executable, "-c", code], check=True)


@requires_torch
def test_randomness_error_leaves_the_generator_as_torch():
    """torch raises before drawing: the stream after the error continues where it was."""
    out = []
    for L in (zerograd, torch):
        L.manual_seed(0)
        with pytest.raises(RuntimeError, match="randomness"):
            L.func.vmap(lambda a: a + L.rand(1))(L.ones(3, 2))
        out.append(L.rand(2).tolist())
    assert out[0] == out[1]
