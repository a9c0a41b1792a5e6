"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm) and the legacy
hook-based nn.utils.weight_norm / spectral_norm against torch, seeded: parametrized values,
forward outputs, gradients of the original tensors, state_dict keys and values, load_state_dict
(from torch's, and the legacy weight_norm keys), repr, class swapping, remove_parametrizations,
cached(), right_inverse, chains, errors and warnings; the power iteration's buffers over
several steps in training and eval mode.

Tolerances: the power iteration and the norms are sums (matrix-vector products, reductions)
whose order is NumPy's, not torch's - a few ulps; everything else is compared bit for bit."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.utils.parametrize as ZP
import zerograd.nn.utils.parametrizations as ZPS
from tests._oracle import requires_torch, torch
ZL = zerograd.nn.utils      # (the legacy weight_norm/spectral_norm, loaded on first use)

ATOL = 2e-6


def _np(t):
    return np.array(t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach()._data)


def _close(a, b, exact=False):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    if exact:
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=ATOL)


def _libs():
    """(library, parametrize, parametrizations, legacy norms) for torch and zerograd."""
    return [(torch, torch.nn.utils.parametrize, torch.nn.utils.parametrizations, torch.nn.utils),
            (zerograd, ZP, ZPS, ZL)]


def _defs(L):
    nn = L.nn

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(0, 1)

        def right_inverse(self, A):
            return A.triu()

    class Scale(nn.Module):
        def forward(self, X):
            return X * 2.0

        def right_inverse(self, X):
            return X / 2.0

    class Square(nn.Module):            # no right_inverse
        def forward(self, X):
            return X * X

    class Sum2(nn.Module):              # two originals: right_inverse returns a sequence
        def forward(self, A, B):
            return A + B

        def right_inverse(self, X):
            return X * 0.25, X * 0.75

    class Shrink(nn.Module):
        def forward(self, X):
            return X[0]

    class ToDouble(nn.Module):
        def forward(self, X):
            return X.double()

    class NotTensor(nn.Module):
        def forward(self, X):
            return 3

    return dict(Symmetric=Symmetric, Scale=Scale, Square=Square, Sum2=Sum2, Shrink=Shrink,
                ToDouble=ToDouble, NotTensor=NotTensor)


def _make(L, kind):
    L.manual_seed(0)
    if kind == "linear":
        return L.nn.Linear(4, 4), L.randn(3, 4)
    if kind == "conv":
        return L.nn.Conv2d(2, 3, 3), L.randn(2, 2, 5, 5)
    if kind == "convT":
        return L.nn.ConvTranspose2d(3, 2, 3), L.randn(2, 3, 4, 4)
    raise ValueError(kind)


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def _check_grads_and_state(results):
    (tm, tx, ty), (zm, zx, zy) = results
    _close(ty, zy)
    assert list(tm.state_dict()) == list(zm.state_dict())
    for k, v in tm.state_dict().items():
        _close(v, zm.state_dict()[k])
    tn = dict(tm.named_parameters())
    zn = dict(zm.named_parameters())
    assert list(tn) == list(zn)
    for k in tn:
        _close(tn[k].grad, zn[k].grad)
    assert repr(tm) == repr(zm)


# ------------------------------------------------------------------------------------------------
# parametrize
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_register_forward_grad_state(kind):
    results = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, kind)
        p = d["Symmetric"]() if kind == "linear" else d["Scale"]()
        w0 = m.weight
        assert P.register_parametrization(m, "weight", p) is m
        # the parameter object is kept (as original), its values are right_inverse's
        assert m.parametrizations.weight.original is w0
        assert type(m).__name__ == "Parametrized" + ("Linear" if kind == "linear" else "Conv2d")
        assert type(m).__module__ == P.__name__
        assert type(m).__bases__ == (L.nn.Linear if kind == "linear" else L.nn.Conv2d,)
        assert P.type_before_parametrizations(m) is type(m).__bases__[0]
        assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
        assert not P.is_parametrized(m, "bias")
        assert isinstance(m.parametrizations.weight, P.ParametrizationList)
        assert m.parametrizations.weight.is_tensor and m.parametrizations.weight.ntensors == 1
        assert isinstance(type(m).__dict__["weight"], property)
        y = m(x)
        (y * y).sum().backward()
        results.append((m, x, y))
        # another module of the class is untouched
        other = _make(L, kind)[0]
        assert type(other) is P.type_before_parametrizations(m)
        assert "weight" in dict(other.named_parameters())
    _check_grads_and_state(results)
    _close(results[0][0].weight, results[1][0].weight)
    assert results[1][0].weight.grad_fn is not None


@requires_torch
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_load_state_dict_from_torch(kind):
    (L, P, _, _), (Z, ZPm, _, _) = _libs()
    tm, tx = _make(torch, kind)
    P.register_parametrization(tm, "weight", _defs(torch)["Scale"]())
    with torch.no_grad():
        tm.parametrizations.weight.original.mul_(3)
    zm, zx = _make(zerograd, kind)
    ZPm.register_parametrization(zm, "weight", _defs(zerograd)["Scale"]())
    sd = {k: zerograd.tensor(v.numpy()) for k, v in tm.state_dict().items()}
    r = zm.load_state_dict(sd)
    assert repr(r) == "<All keys matched successfully>"
    _close(tm.weight, zm.weight, exact=True)
    _close(tm(tx), zm(zx))
    # an unparametrized state_dict does not fit
    plain = _make(zerograd, kind)[0]
    msg = _err(lambda: zm.load_state_dict(plain.state_dict()))
    tmsg = _err(lambda: tm.load_state_dict(_make(torch, kind)[0].state_dict()))
    assert msg == tmsg


@requires_torch
@pytest.mark.parametrize("leave", [True, False])
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_remove_parametrizations(kind, leave):
    out = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, kind)
        cls = type(m)
        P.register_parametrization(m, "weight", d["Scale"]())
        P.register_parametrization(m, "bias", d["Scale"]())
        orig = m.parametrizations.weight.original
        assert P.remove_parametrizations(m, "weight", leave_parametrized=leave) is m
        assert m.weight is orig and type(m.weight) is type(orig)
        assert P.is_parametrized(m) and not P.is_parametrized(m, "weight")
        assert type(m) is not cls and "weight" not in type(m).__dict__
        P.remove_parametrizations(m, "bias", leave_parametrized=leave)
        assert type(m) is cls and not hasattr(m, "parametrizations")
        assert not P.is_parametrized(m)
        assert list(dict(m.named_parameters())) == ["weight", "bias"]
        out.append((m, x, _err(lambda: P.remove_parametrizations(m, "weight"))))
    (tm, tx, te), (zm, zx, ze) = out
    assert te == ze
    _close(tm.weight, zm.weight, exact=True)
    _close(tm.bias, zm.bias, exact=True)
    assert repr(tm) == repr(zm)


@requires_torch
def test_right_inverse_assignment_and_errors():
    out = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, "linear")
        P.register_parametrization(m, "weight", d["Symmetric"]())
        orig = m.parametrizations.weight.original
        L.manual_seed(1)
        m.weight = L.randn(4, 4)
        assert m.parametrizations.weight.original is orig      # written in place
        r = [_np(orig), _np(m.weight)]
        # a Parameter may not be assigned over the property
        r.append(_err(lambda: setattr(m, "weight", L.nn.Parameter(L.ones(4, 4)))))
        # no right_inverse in the chain
        P.register_parametrization(m, "weight", d["Square"]())
        r.append(_err(lambda: setattr(m, "weight", L.ones(4, 4))))
        out.append(r)
    t, z = out
    np.testing.assert_array_equal(t[0], z[0])
    np.testing.assert_array_equal(t[1], z[1])
    assert t[2:] == z[2:]
    assert z[2][0] == "KeyError" and z[3][0] == "RuntimeError"


@requires_torch
def test_chained_parametrizations():
    results = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, "linear")
        P.register_parametrization(m, "weight", d["Symmetric"]())
        P.register_parametrization(m, "weight", d["Scale"]())
        P.register_parametrization(m, "weight", d["Scale"]())
        assert len(m.parametrizations.weight) == 3
        y = m(x)
        y.sum().backward()
        results.append((m, x, y))
    _check_grads_and_state(results)
    assert "(1-2): 2 x Scale()" in repr(results[1][0])
    _close(results[0][0].weight, results[1][0].weight, exact=True)


@requires_torch
def test_sequence_right_inverse_and_buffers():
    results = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, "linear")
        m.register_buffer("scale", L.ones(4) * 3)
        P.register_parametrization(m, "weight", d["Sum2"]())
        P.register_parametrization(m, "scale", d["Scale"]())
        pl = m.parametrizations.weight
        assert not pl.is_tensor and pl.ntensors == 2
        assert isinstance(pl.original0, L.nn.Parameter)
        assert "scale" not in m._buffers and "original" in m.parametrizations.scale._buffers
        y = m(x) * m.scale
        y.sum().backward()
        err = _err(lambda: P.remove_parametrizations(m, "weight", leave_parametrized=False))
        results.append((m, x, y, err))
    (tm, tx, ty, te), (zm, zx, zy, ze) = results
    _check_grads_and_state([(tm, tx, ty), (zm, zx, zy)])
    assert te == ze
    # leave_parametrized=True: a new Parameter with the value
    for m, P in ((tm, torch.nn.utils.parametrize), (zm, ZP)):
        P.remove_parametrizations(m, "weight")
        P.remove_parametrizations(m, "scale")
    _close(tm.weight, zm.weight)
    _close(tm.scale, zm.scale)
    assert list(tm.state_dict()) == list(zm.state_dict())
    assert type(zm.weight) is zerograd.nn.Parameter and "scale" in zm._buffers


@requires_torch
def test_cached():
    for L, P, _, _ in _libs():
        d = _defs(L)
        m, x = _make(L, "linear")
        P.register_parametrization(m, "weight", d["Symmetric"]())
        assert m.weight is not m.weight
        with P.cached():
            w = m.weight
            assert m.weight is w
            with P.cached():
                assert m.weight is w
            assert m.weight is w
        assert m.weight is not w


@requires_torch
def test_registration_errors_and_unsafe():
    out = []
    for L, P, _, _ in _libs():
        d = _defs(L)
        r = []
        for name in ("Shrink", "ToDouble", "NotTensor"):
            m, x = _make(L, "linear")
            r.append(_err(lambda: P.register_parametrization(m, "weight", d[name]())))
            assert not P.is_parametrized(m) and type(m) is L.nn.Linear
        r.append(_err(lambda: P.register_parametrization(m, "foo", d["Scale"]())))
        # on an already parametrized tensor the messages differ
        P.register_parametrization(m, "weight", d["Scale"]())
        for name in ("Shrink", "ToDouble", "NotTensor"):
            r.append(_err(lambda: P.register_parametrization(m, "weight", d[name]())))
        assert len(m.parametrizations.weight) == 1
        # unsafe: anything goes
        m2, _ = _make(L, "linear")
        P.register_parametrization(m2, "weight", d["Shrink"](), unsafe=True)
        r.append(_np(m2.weight))
        assert m2.parametrizations.weight.unsafe
        r.append(_err(lambda: pickle.dumps(m2)))
        m3 = copy.deepcopy(m2)
        assert type(m3) is type(m2) and m3.parametrizations.weight.original is not \
            m2.parametrizations.weight.original
        r.append(_np(m3.weight))
        r.append(_err(lambda: P.ParametrizationList([], L.ones(2))))
        out.append(r)
    t, z = out
    for a, b in zip(t, z):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


# ------------------------------------------------------------------------------------------------
# parametrizations.weight_norm / spectral_norm
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("kind,dim", [("linear", 0), ("linear", 1), ("linear", None),
                                      ("conv", 0), ("conv", 2), ("conv", None), ("conv", -1)])
def test_weight_norm_parametrization(kind, dim):
    results = []
    for L, P, PS, _ in _libs():
        m, x = _make(L, kind)
        PS.weight_norm(m, dim=dim)
        pl = m.parametrizations.weight
        assert pl.ntensors == 2 and pl.unsafe
        y = m(x)
        (y * y).sum().backward()
        results.append((m, x, y))
    _check_grads_and_state(results)
    (tm, tx, _), (zm, zx, _) = results
    _close(tm.weight, zm.weight)
    assert tm.parametrizations.weight.original0.shape == zm.parametrizations.weight.original0.shape
    # set through right_inverse, remove
    for m, P in ((tm, torch.nn.utils.parametrize), (zm, ZP)):
        m.weight = m.weight.detach() * 3
        P.remove_parametrizations(m, "weight")
    _close(tm.weight, zm.weight)
    assert repr(tm) == repr(zm) and list(tm.state_dict()) == list(zm.state_dict())


@requires_torch
def test_weight_norm_loads_legacy_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tm = torch.nn.utils.weight_norm(_make(torch, "conv")[0])
    sd = {k: zerograd.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}
    zm, zx = _make(zerograd, "conv")
    ZPS.weight_norm(zm)
    assert repr(zm.load_state_dict(sd)) == "<All keys matched successfully>"
    _close(zm.parametrizations.weight.original0, tm.weight_g, exact=True)
    _close(zm.weight, tm.weight)


@requires_torch
@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
def test_spectral_norm_parametrization(kind):
    out = []
    for L, P, PS, _ in _libs():
        m, x = _make(L, kind)
        L.manual_seed(5)
        PS.spectral_norm(m, n_power_iterations=2 if kind == "conv" else 1)
        sn = m.parametrizations.weight[0]
        r = [_np(sn._u), _np(sn._v)]
        for step in range(3):                   # training: a power-iteration step each read
            y = m(x)
            y.sum().backward()
            r += [_np(y), _np(sn._u), _np(sn._v),
                  _np(m.parametrizations.weight.original.grad)]
        m.eval()
        for step in range(2):                   # eval: the buffers stay
            r += [_np(m(x)), _np(sn._u), _np(sn._v)]
        r.append(list(m.state_dict()))
        r.append(repr(m))
        r.append(float(L.linalg.matrix_norm(m.weight.detach().flatten(1)
                                            if kind != "convT" else
                                            m.weight.detach().transpose(0, 1).flatten(1),
                                            ord=2)))
        out.append((m, r))
    (tm, t), (zm, z) = out
    for a, b in zip(t, z):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=ATOL)
        elif isinstance(a, float):
            assert abs(a - b) < 1e-5
        else:
            assert a == b
    # load torch's state_dict (the buffers come along)
    sd = {k: zerograd.tensor(v.numpy()) for k, v in tm.state_dict().items()}
    zm2, zx = _make(zerograd, kind)
    ZPS.spectral_norm(zm2)
    zm2.load_state_dict(sd)
    zm2.eval()
    tm.eval()
    _close(zm2.weight, tm.weight)


@requires_torch
def test_spectral_norm_parametrization_1d_and_errors():
    out = []
    for L, P, PS, _ in _libs():
        m, x = _make(L, "linear")
        r = [_err(lambda: PS.spectral_norm(m, "foo")),
             _err(lambda: PS.spectral_norm(m, dim=3)),
             _err(lambda: PS.spectral_norm(m, dim=-3)),
             _err(lambda: PS.spectral_norm(m, n_power_iterations=0))]
        assert not P.is_parametrized(m)
        PS.spectral_norm(m, "bias")
        r.append(_np(m.bias))
        r.append(list(m.state_dict()))
        out.append(r)
    t, z = out
    assert t[:4] == z[:4] and t[5] == z[5]
    np.testing.assert_allclose(t[4], z[4], rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# legacy hook-based weight_norm / spectral_norm
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("kind,dim", [("linear", 0), ("conv", 0), ("conv", None), ("conv", 1)])
def test_legacy_weight_norm(kind, dim):
    results, extra = [], []
    for L, P, PS, U in _libs():
        m, x = _make(L, kind)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert U.weight_norm(m, dim=dim) is m
        assert [(x.category, str(x.message)) for x in w] == [(FutureWarning, (
            "`torch.nn.utils.weight_norm` is deprecated in favor of "
            "`torch.nn.utils.parametrizations.weight_norm`."))]
        # (stacklevel 2, as torch's: the line in weight_norm that calls WeightNorm.apply)
        assert w[0].filename == __import__("sys").modules[U.weight_norm.__module__].__file__
        assert "weight" not in m._parameters and type(m.weight) is L.Tensor
        y = m(x)
        (y * y).sum().backward()
        results.append((m, x, y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e1 = _err(lambda: U.weight_norm(m, dim=dim))
        U.remove_weight_norm(m)
        extra.append([e1, _err(lambda: U.remove_weight_norm(m)), list(m.state_dict()),
                      _np(m.weight), type(m.weight).__name__])
    (tm, tx, ty), (zm, zx, zy) = results
    _close(ty, zy)
    t, z = extra
    assert t[:3] == z[:3] and t[4] == z[4]
    np.testing.assert_allclose(t[3], z[3], rtol=1e-6, atol=ATOL)


@requires_torch
def test_legacy_weight_norm_grads_state():
    results = []
    for L, P, PS, U in _libs():
        m, x = _make(L, "conv")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            U.weight_norm(m)
        y = m(x)
        (y * y).sum().backward()
        results.append((m, x, y))
    _check_grads_and_state(results)


@requires_torch
@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
def test_legacy_spectral_norm(kind):
    out, mods = [], []
    for L, P, PS, U in _libs():
        m, x = _make(L, kind)
        L.manual_seed(7)
        assert U.spectral_norm(m) is m
        r = [_np(m.weight_u), _np(m.weight_v), list(m.state_dict()),
             dict(m.state_dict()._metadata[""])]
        for step in range(3):
            y = m(x)
            y.sum().backward()
            r += [_np(y), _np(m.weight_u), _np(m.weight_v), _np(m.weight_orig.grad)]
        m.eval()
        for step in range(2):
            r += [_np(m(x)), _np(m.weight_u), _np(m.weight_v)]
        r.append(_err(lambda: U.spectral_norm(m)))
        mods.append((m, x))
        out.append(r)
    t, z = out
    for a, b in zip(t, z):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=ATOL)
        else:
            assert a == b
    (tm, tx), (zm, zx) = mods
    # load torch's state_dict (no metadata: taken as version 1), then remove
    zm2, _ = _make(zerograd, kind)
    ZL.spectral_norm(zm2)
    sd = {k: zerograd.tensor(v.numpy()) for k, v in tm.state_dict().items()}
    assert repr(zm2.load_state_dict(sd)) == "<All keys matched successfully>"
    zm2.eval()
    _close(zm2(zx), tm(tx))
    r = []
    for m, U in ((tm, torch.nn.utils), (zm2, ZL)):
        U.remove_spectral_norm(m)
        r.append((list(m.state_dict()), _err(lambda: U.remove_spectral_norm(m)),
                  type(m.weight).__name__, len(m._state_dict_hooks),
                  len(m._load_state_dict_pre_hooks), len(m._forward_pre_hooks),
                  _err(lambda: m.load_state_dict(m.state_dict()))))
    assert r[0] == r[1]
    _close(tm.weight, zm2.weight)


@requires_torch
def test_legacy_spectral_norm_errors():
    for_t = _err(lambda: torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2),
                                                      n_power_iterations=0))
    for_z = _err(lambda: ZL.spectral_norm(zerograd.nn.Linear(2, 2), n_power_iterations=0))
    assert for_t == for_z


@requires_torch
def test_legacy_spectral_norm_loads_pre_version_1_state_dict():
    """A state_dict with `weight` (W / sigma) and no `weight_v`: v is solved for (through
    pinverse) so that the loaded module gives the same sigma."""
    out = []
    for L, P, PS, U in _libs():
        L.manual_seed(0)
        m = U.spectral_norm(L.nn.Linear(3, 5))
        x = L.randn(2, 3)
        m(x)
        sd = dict(m.state_dict())
        sd["weight"] = m.weight.detach()
        del sd["weight_v"]
        sd = {k: L.tensor(_np(v)) for k, v in sd.items()}
        L.manual_seed(1)
        m2 = U.spectral_norm(L.nn.Linear(3, 5))
        r = m2.load_state_dict(sd)
        m2.eval()
        out.append((repr(r), _np(m2.weight_v), _np(m2(x))))
    (tr, tv, ty), (zr, zv, zy) = out
    assert tr == zr
    np.testing.assert_allclose(tv, zv, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ty, zy, rtol=1e-5, atol=ATOL)


@requires_torch
def test_spectral_norm_registered_in_eval_mode_and_cast():
    out = []
    for L, P, PS, U in _libs():
        L.manual_seed(0)
        m = PS.spectral_norm(L.nn.Linear(5, 4).eval())
        sn = m.parametrizations.weight[0]
        assert not sn.training
        r = [_np(sn._u), _np(sn._v)]
        m.double()
        r += [str(m.weight.dtype), str(sn._u.dtype), _np(m.weight)]
        out.append(r)
    for a, b in zip(*out):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=ATOL)
        else:
            assert a == b.replace("zerograd", "torch")


@requires_torch
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
@pytest.mark.parametrize("mp,triv", [(None, True), ("matrix_exp", True), ("cayley", True),
                                     ("householder", True), ("householder", False),
                                     ("matrix_exp", False)])
def test_orthogonal(shape, mp, triv):
    out = []
    for L, P, PS, U in _libs():
        L.manual_seed(0)
        m = L.nn.Linear(shape[1], shape[0])
        PS.orthogonal(m, orthogonal_map=mp, use_trivialization=triv)
        with L.no_grad():
            m.parametrizations.weight.original.add_(L.randn(*shape) * 0.3)
        x = L.randn(2, shape[1])
        y = m(x)
        (y * y).sum().backward()
        pl = m.parametrizations.weight
        r = [_np(m.weight), _np(y), _np(pl.original.grad), list(m.state_dict()), repr(m)]
        w = m.weight.detach()
        r.append(_err(lambda: setattr(m, "weight", w * 1.0)))
        r.append(_np(m.weight))
        out.append(r)
    for a, b in zip(*out):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
        else:
            assert a == b


@requires_torch
def test_orthogonal_errors():
    out = []
    for L, P, PS, U in _libs():
        m = L.nn.Linear(3, 3)
        out.append([_err(lambda: PS.orthogonal(m, "bias")),
                    _err(lambda: PS.orthogonal(m, "foo")),
                    _err(lambda: PS.orthogonal(m, orthogonal_map="qr")),
                    _err(lambda: setattr(PS.orthogonal(L.nn.Linear(3, 3)), "weight",
                                         L.ones(2, 2)))])
    assert out[0] == out[1]


def test_loaded_on_first_use():
    """`import zerograd` loads none of these files; torch's spellings load them."""
    import subprocess
    import sys
    code = ("import sys, zerograd; names = {'zerograd.nn.utils.parametrize', "
            "'zerograd.nn.utils.parametrizations', 'zerograd.nn.utils._legacy_norms'}; "
            "assert not names & set(sys.modules); "
            "from zerograd.nn.utils.parametrizations import weight_norm; "
            "zerograd.nn.utils.spectral_norm(zerograd.nn.Linear(2, 2)); "
            "assert names <= set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
