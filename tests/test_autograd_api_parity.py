"""Custom Functions, hooks and grad modes at the edges of their contracts, against torch: the
errors torch raises for misuse (a gradient for a non-tensor input, a dirty input not returned, a
post-accumulate hook returning something, a tensor as its own grad ...), what ctx shows inside
forward, `vjp` as `backward`, bare `@no_grad` decorators, and the warnings torch gives."""
import warnings

import pytest

import zerograd

from ._oracle import requires_torch, torch

pytestmark = requires_torch


def _outcome(fn, L):
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = fn(L)
        return ("ok", r, [(x.category.__name__, str(x.message)) for x in w])
    except Exception as e:                      # noqa: BLE001 - compared with torch's
        return (type(e).__name__, str(e).split(" Fix: ")[0].rstrip("."))  # (zerograd adds fixes)


def _functions(L):
    class GradForNumber(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * 2, g

    class IntGrad(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 3

    class DirtyNotReturned(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            x.mul_(2)
            ctx.mark_dirty(x)
            return y * 1

        @staticmethod
        def backward(ctx, g):
            return None, g

    class PeekInForward(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return L.tensor(float(len(ctx.saved_tensors))), ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g, _):
            return g

    class ByVjp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 3

    class DirtyNonDifferentiable(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            ctx.mark_non_differentiable(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g
    return (GradForNumber, IntGrad, DirtyNotReturned, PeekInForward, ByVjp,
            DirtyNonDifferentiable)


def _leaf(L):
    return L.ones(2, requires_grad=True)


def _post_hook(L, value):
    p = _leaf(L)
    p.register_post_accumulate_grad_hook(lambda t: value if not callable(value) else value(L))
    (p * 2).sum().backward()
    return p.grad.tolist()


def _under_no_grad(L):
    with L.no_grad():
        out, needs = _functions(L)[3].apply(_leaf(L))
    return out.item(), needs


def _by_vjp(L):
    x = _leaf(L)
    _functions(L)[4].apply(x).sum().backward()
    return x.grad.tolist()


def _dirty_nondiff(L):
    z = _functions(L)[5].apply(_leaf(L) * 1)
    return z.requires_grad, z.grad_fn is None


def _inference_param(L):
    with L.inference_mode():
        t = L.ones(2)
    return L.nn.Parameter(t)


def _bare_decorators(L):
    @L.no_grad
    def f(x):
        return (x * 2).requires_grad

    @L.enable_grad
    def g(x):
        return (x * 2).requires_grad

    @L.inference_mode
    def h(x):
        return (x * 2).is_inference()
    x = _leaf(L)
    with L.no_grad():
        inner = g(x)
    return f(x), inner, h(x), f.__name__


def _own_grad(L):
    x = _leaf(L)
    x.grad = x


def _saved_not_needed(L):
    x = _leaf(L)
    n = (x * L.ones(2)).grad_fn
    return n._saved_self, n._saved_other


def _dirty_version(L):
    class Double(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2
    a, b = _leaf(L) * 1, L.ones(2)
    va, vb = a._version, b._version
    Double.apply(a)
    Double.apply(b)
    return a._version - va, b._version - vb


def _nonleaf_grad_access(L):
    x = _leaf(L)
    y = x * 2
    y.grad = L.ones(2)
    first = y.grad                          # (assigned: no warning)
    z = x * 3
    z.sum().backward(inputs=[z], retain_graph=True)
    retains = z.retains_grad                # (torch retains a non-leaf input's grad)
    z.sum().backward()
    return first, retains, z.grad, x.grad


def _returned_input(L, how):
    class Same(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g
    x = _leaf(L) * 1
    y = Same.apply(x)
    if how == "view":
        return y._is_view(), y._base is x
    if how == "in place":
        y.mul_(2)
    else:                                   # its base changed in place, then the view is used
        x.mul_(2)
        y * 1


def _hooked_module_in_place(L, module):
    m = module(L)
    m.register_full_backward_hook(lambda *a: None)
    y = _leaf(L)
    t = y * 2
    m(t)
    (t * t).sum().backward()                # (without torch's error the gradient was wrong)
    return y.grad


class _Scale5:
    def __new__(cls, L):
        class M(L.nn.Module):
            def forward(self, a):
                a.mul_(5)
                return a * 1
        return M()


def _namedtuple_through_hook(L):
    import collections
    pair = collections.namedtuple("pair", "x y")

    class M(L.nn.Module):
        def forward(self, a):
            return pair(a * 2, a * 3)
    m = M()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    a = _leaf(L)
    o = m(a)
    (o.x + o.y).sum().backward()
    return type(o).__name__, a.grad


def _deepcopy_non_leaf(L):
    import copy
    return copy.deepcopy(_leaf(L) * 2)



CASES = {
    "a namedtuple output through a full backward hook": _namedtuple_through_hook,
    "deepcopy of a non-leaf": _deepcopy_non_leaf,
    "an input returned as-is is a view": lambda L: _returned_input(L, "view"),
    "... that may not change in place": lambda L: _returned_input(L, "in place"),
    "... nor be used after its base changed": lambda L: _returned_input(L, "base"),
    "full backward hook, forward changes its input": lambda L: _hooked_module_in_place(
        L, _Scale5),
    "full backward hook on an in-place LeakyReLU": lambda L: _hooked_module_in_place(
        L, lambda L: L.nn.LeakyReLU(0.1, inplace=True)),
    "_saved_self not saved": _saved_not_needed,
    "mark_dirty bumps the version": _dirty_version,
    ".grad of a non-leaf, assigned or filled by inputs=": _nonleaf_grad_access,
    "gradient for a non-tensor input": lambda L: _functions(L)[0].apply(_leaf(L), 2.0).sum().backward(),
    "backward returns an int": lambda L: _functions(L)[1].apply(_leaf(L)).sum().backward(),
    "dirty input not returned": lambda L: _functions(L)[2].apply(_leaf(L).clone(), _leaf(L)),
    "ctx inside forward": lambda L: (_functions(L)[3].apply(_leaf(L))[0].item(),
                                     _functions(L)[3].apply(_leaf(L))[1]),
    "ctx inside forward under no_grad": _under_no_grad,
    "vjp instead of backward": _by_vjp,
    "dirty and non-differentiable": _dirty_nondiff,
    "post-accumulate hook returns an int": lambda L: _post_hook(L, 5),
    "post-accumulate hook returns a tensor": lambda L: _post_hook(L, lambda L: L.ones(2)),
    "tensor as its own grad": _own_grad,
    "Parameter of an inference tensor": _inference_param,
    "set_grad_enabled('yes')": lambda L: L.set_grad_enabled("yes"),
    "bare decorators": _bare_decorators,
    "gradients count mismatch": lambda L: L.autograd.backward([_leaf(L) * 2, _leaf(L) * 3],
                                                              [L.ones(2)]),
    "is_anomaly_enabled at top level": lambda L: (L.is_anomaly_enabled(),
                                                  L.is_anomaly_check_nan_enabled()),
    "detect_anomaly warns": lambda L: L.autograd.detect_anomaly() and None,
    "only_inputs=False warns": lambda L: L.autograd.grad((_leaf(L) * 2).sum(), _leaf(L),
                                                         only_inputs=False, allow_unused=True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_as_torch(case):
    want, got = _outcome(CASES[case], torch), _outcome(CASES[case], zerograd)
    if want[0] == "ok" and got[0] == "ok":
        # (values compared as text: zerograd's Tensors print as torch's)
        assert str(got[1]) == str(want[1]) and got[2] == want[2]
    else:
        assert got == want


def test_function_instance_warns():
    class F(zerograd.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        F()


def test_create_graph_warning_once_a_process(monkeypatch):
    monkeypatch.setattr(zerograd.autograd, "_warned_create_graph", False)
    x = zerograd.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        (x * 2).sum().backward(create_graph=True)
        (x * 2).sum().backward(create_graph=True)
    assert len(w) == 1 and "create_graph=True" in str(w[0].message)

