"""WeightedRandomSampler (torch's draws: one multinomial per epoch) and the lazy modules
(LazyLinear, LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*) with
UninitializedParameter / UninitializedBuffer, compared with torch."""
import copy

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.nn import modules as _zm
from zerograd.nn import _uninitialized as _zu
from zerograd.nn.modules import lazy as zlazy
from zerograd.utils.data import WeightedRandomSampler

UninitializedParameter = _zu.UninitializedParameter
UninitializedBuffer = _zu.UninitializedBuffer


def _np(t):
    return t.detach().numpy()


def _zgen(seed):
    return zerograd.Generator().manual_seed(seed)


def _tgen(seed):
    return torch.Generator().manual_seed(seed)


def _raises_like(fz, ft):
    """Both raise: the same exception type and message."""
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as ez:
        fz()
    assert type(ez.value).__name__ == type(et.value).__name__, (ez.value, et.value)
    assert str(ez.value) == str(et.value)


# ------------------------------------------------------------------------------------------------
# WeightedRandomSampler
# ------------------------------------------------------------------------------------------------
W = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]


@requires_torch
@pytest.mark.parametrize("replacement,n", [(True, 5), (True, 40), (False, 6), (False, 3)])
def test_weighted_sampler_matches_torch_with_generator(replacement, n):
    from torch.utils.data import WeightedRandomSampler as TW
    zs = WeightedRandomSampler(W, n, replacement=replacement, generator=_zgen(7))
    ts = TW(W, n, replacement=replacement, generator=_tgen(7))
    for _ in range(3):                             # successive epochs share the generator
        assert list(zs) == list(ts)
    assert len(zs) == len(ts) == n


@requires_torch
def test_weighted_sampler_default_generator_and_tensor_weights():
    from torch.utils.data import WeightedRandomSampler as TW
    zerograd.manual_seed(3)
    torch.manual_seed(3)
    zs = WeightedRandomSampler(zerograd.tensor([1, 2, 3, 4]), 10)
    ts = TW(torch.tensor([1, 2, 3, 4]), 10)
    assert list(zs) == list(ts) and list(zs) == list(ts)
    assert zs.weights.dtype == zerograd.float64 and zs.weights.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert zs.replacement is True and zs.generator is None and zs.num_samples == 10


@requires_torch
def test_weighted_sampler_in_dataloader():
    from torch.utils.data import DataLoader as TDL, WeightedRandomSampler as TW
    from zerograd.utils.data import DataLoader
    data = list(range(6))
    zl = DataLoader(data, batch_size=4,
                    sampler=WeightedRandomSampler(W, 12, generator=_zgen(1)))
    tl = TDL(data, batch_size=4, sampler=TW(W, 12, generator=_tgen(1)))
    assert [b.tolist() for b in zl] == [b.tolist() for b in tl]


@requires_torch
@pytest.mark.parametrize("args,kwargs", [
    (([1., 2.], 0), {}), (([1., 2.], True), {}), (([1., 2.], 2.0), {}), (([1., 2.], -1), {}),
    (([1., 2.], 2), {"replacement": 1}), (([[1., 2.]], 2), {}), ((1.0, 2), {}),
])
def test_weighted_sampler_constructor_errors(args, kwargs):
    from torch.utils.data import WeightedRandomSampler as TW
    _raises_like(lambda: WeightedRandomSampler(*args, **kwargs), lambda: TW(*args, **kwargs))


@requires_torch
@pytest.mark.parametrize("weights,n,replacement", [
    ([1., 2.], 3, False), ([0., 0.], 3, True), ([-1., 2.], 3, True)])
def test_weighted_sampler_draw_errors(weights, n, replacement):
    from torch.utils.data import WeightedRandomSampler as TW
    _raises_like(lambda: list(WeightedRandomSampler(weights, n, replacement)),
                 lambda: list(TW(weights, n, replacement)))


def test_weighted_sampler_exported():
    import zerograd.utils.data as d
    assert "WeightedRandomSampler" in d.__all__ and issubclass(WeightedRandomSampler, d.Sampler)


# ------------------------------------------------------------------------------------------------
# UninitializedParameter / UninitializedBuffer
# ------------------------------------------------------------------------------------------------
def test_uninitialized_parameter_basics():
    p = UninitializedParameter()
    assert repr(p) == str(p) == "<UninitializedParameter>"
    assert isinstance(p, zerograd.nn.Parameter) and _zu.is_lazy(p)
    assert p.requires_grad and p.dtype == zerograd.float32 and p.grad is None and p.is_leaf
    assert tuple(p.size()) == (0,) and p.data.tolist() == []
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        p.shape
    with pytest.raises(ValueError, match=r"Attempted to use an uninitialized parameter in "
                       r"<method 'add' of 'torch._C.TensorBase' objects>\. This error happens "
                       r"when you are using a `LazyModule` or explicitly manipulating "
                       r"`torch.nn.parameter.UninitializedParameter` objects"):
        p + 1
    with pytest.raises(ValueError, match="<method 'sum' of"):
        p.sum()
    with pytest.raises(ValueError, match="<method 'detach' of"):
        p.detach()
    with pytest.raises(ValueError, match="<method 'requires_grad_' of"):
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="<built-in function linear>"):
        zerograd.nn.functional.linear(zerograd.ones(2, 3), p)
    with pytest.raises(RuntimeError, match="Can't share memory on an uninitialized"):
        p.share_memory_()
    assert p.__reduce_ex__(2) == (UninitializedParameter, (True,))
    d = p.double()
    assert type(d) is zerograd.Tensor and d.dtype == zerograd.float64
    q = copy.deepcopy(p)
    assert type(q) is UninitializedParameter and q is not p and q.requires_grad
    p.materialize((2, 3))
    assert type(p) is zerograd.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
    assert not _zu.is_lazy(p)
    assert (p * 0).sum().item() == 0.0          # a plain Parameter now


def test_uninitialized_buffer_basics():
    b = UninitializedBuffer()
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad and b.persistent
    assert isinstance(b, zerograd.nn.Buffer) and not isinstance(b, zerograd.nn.Parameter)
    d = b.double()
    assert type(d) is UninitializedBuffer and d.dtype == zerograd.float64
    assert UninitializedParameter(False).requires_grad is False
    b.materialize(4, dtype=zerograd.float64)
    assert type(b) is zerograd.Tensor and tuple(b.shape) == (4,) and b.dtype == zerograd.float64
    assert UninitializedBuffer(persistent=False).persistent is False


@requires_torch
def test_uninitialized_errors_match_torch():
    tp, zp = torch.nn.UninitializedParameter(), UninitializedParameter()
    for f in (lambda p: p.shape, lambda p: p + 1, lambda p: p * 2, lambda p: p.sum(),
              lambda p: p.numel(), lambda p: p.dim(), lambda p: p.detach(), lambda p: p[0],
              lambda p: p.share_memory_(), lambda p: p.requires_grad_(False)):
        _raises_like(lambda: f(zp), lambda: f(tp))


# ------------------------------------------------------------------------------------------------
# lazy modules
# ------------------------------------------------------------------------------------------------
def _both(name, *args, **kwargs):
    return getattr(zlazy, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def _same_params(zm, tm, exact=True):
    """Equal state dicts: the initial draws bit for bit; computed values (running statistics,
    trained weights) to float32 rounding."""
    zs, ts = zm.state_dict(), tm.state_dict()
    assert list(zs) == list(ts)
    for k in ts:
        if exact and not k.endswith(("running_mean", "running_var")):
            np.testing.assert_array_equal(_np(zs[k]), ts[k].detach().numpy(), err_msg=k)
        else:
            np.testing.assert_allclose(_np(zs[k]), ts[k].detach().numpy(), rtol=1e-5,
                                       atol=1e-6, err_msg=k)


LAZY_CASES = [
    ("LazyLinear", (4,), {}, (2, 3), "Linear"),
    ("LazyLinear", (5,), {"bias": False}, (2, 7, 6), "Linear"),
    ("LazyConv1d", (4, 3), {}, (2, 3, 9), "Conv1d"),
    ("LazyConv1d", (4, 3), {"padding": "same"}, (3, 9), "Conv1d"),
    ("LazyConv2d", (4, 3), {"groups": 2, "stride": 2}, (1, 6, 7, 7), "Conv2d"),
    ("LazyConv3d", (2, 2), {"bias": False}, (1, 3, 4, 4, 4), "Conv3d"),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5), "ConvTranspose1d"),
    ("LazyConvTranspose2d", (4, 3), {"output_padding": 1, "stride": 2}, (1, 2, 4, 4),
     "ConvTranspose2d"),
    ("LazyConvTranspose3d", (2, 2), {}, (2, 4, 3, 3), "ConvTranspose3d"),
    ("LazyBatchNorm1d", (), {}, (4, 3), "BatchNorm1d"),
    ("LazyBatchNorm2d", (), {"momentum": None}, (4, 3, 2, 2), "BatchNorm2d"),
    ("LazyBatchNorm3d", (), {"affine": False}, (2, 3, 2, 2, 2), "BatchNorm3d"),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5), "InstanceNorm1d"),
    ("LazyInstanceNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 4, 4),
     "InstanceNorm2d"),
    ("LazyInstanceNorm3d", (), {"bias": False}, (2, 3, 2, 2, 2), "InstanceNorm3d"),
]


@requires_torch
@pytest.mark.filterwarnings("ignore:input's size at dim=1 does not match num_features")
@pytest.mark.parametrize("name,args,kwargs,shape,becomes", LAZY_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(LAZY_CASES)])
def test_lazy_module_matches_torch(name, args, kwargs, shape, becomes):
    zm, tm = _both(name, *args, **kwargs)
    assert repr(zm) == repr(tm)
    assert zm.has_uninitialized_params() == tm.has_uninitialized_params()
    assert {k: repr(v) for k, v in zm.state_dict().items()} == \
        {k: repr(v) for k, v in tm.state_dict().items()}
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    zerograd.manual_seed(11)
    torch.manual_seed(11)
    zy, ty = zm(zerograd.tensor(x)), tm(torch.tensor(x))
    assert type(zm).__name__ == type(tm).__name__ == becomes
    assert type(zm) is getattr(_zm, becomes)
    assert repr(zm) == repr(tm)
    assert not hasattr(zm, "has_uninitialized_params")       # a plain layer now, as torch's
    assert not zlazy.LazyModuleMixin.has_uninitialized_params(zm)
    assert not hasattr(zm, "_initialize_hook") and not hasattr(zm, "_load_hook")
    _same_params(zm, tm)
    np.testing.assert_allclose(_np(zy), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    # the same draws continue afterwards
    assert zerograd.rand(3).tolist() == torch.rand(3).tolist()


@requires_torch
def test_lazy_linear_sequential_backward_and_optimizer():
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    zn = zerograd.nn.Sequential(zlazy.LazyLinear(8), zerograd.nn.ReLU(), zlazy.LazyLinear(1))
    tn = torch.nn.Sequential(torch.nn.LazyLinear(8), torch.nn.ReLU(), torch.nn.LazyLinear(1))
    assert repr(zn) == repr(tn)
    zopt = zerograd.optim.SGD(zn.parameters(), lr=0.1)     # allowed before initialization
    topt = torch.optim.SGD(tn.parameters(), lr=0.1)
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    for _ in range(2):
        zl = zn(zerograd.tensor(x)).pow(2).mean()
        tl = tn(torch.tensor(x)).pow(2).mean()
        zopt.zero_grad()
        topt.zero_grad()
        zl.backward()
        tl.backward()
        zopt.step()
        topt.step()
    assert repr(zn) == repr(tn)
    _same_params(zn, tn, exact=False)


@requires_torch
def test_lazy_dtype_from_module_conversion():
    zm = zlazy.LazyLinear(3, dtype=zerograd.float64)
    assert zm.weight.dtype == zerograd.float64 and zm.bias.dtype == zerograd.float64
    zm(zerograd.ones(1, 2, dtype=zerograd.float64))
    assert zm.weight.dtype == zerograd.float64
    zb, tb = _both("LazyBatchNorm1d")
    zb.double()
    tb.double()
    assert type(zb.running_mean).__name__ == type(tb.running_mean).__name__ \
        == "UninitializedBuffer"
    assert zb.weight.dtype == zerograd.float64 and zb.running_mean.dtype == zerograd.float64
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    x = np.random.default_rng(2).standard_normal((5, 4))
    zy, ty = zb(zerograd.tensor(x)), tb(torch.tensor(x))
    assert zy.dtype == zerograd.float64 and zb.running_var.dtype == zerograd.float64
    np.testing.assert_allclose(_np(zy), ty.detach().numpy(), rtol=1e-10)
    _same_params(zb, tb)


@requires_torch
def test_lazy_state_dict_round_trips():
    zerograd.manual_seed(5)
    torch.manual_seed(5)
    zfull, tfull = zerograd.nn.Linear(3, 4), torch.nn.Linear(3, 4)
    # an initialized state into a lazy module: materialized, still LazyLinear, in_features 0
    zm, tm = _both("LazyLinear", 4)
    assert str(zm.load_state_dict(zfull.state_dict())) == \
        str(tm.load_state_dict(tfull.state_dict()))
    assert repr(zm) == repr(tm) and type(zm) is zlazy.LazyLinear
    assert not zm.has_uninitialized_params() and tuple(zm.weight.shape) == (4, 3)
    assert type(zm.weight) is zerograd.nn.Parameter
    _same_params(zm, tm)
    # ... its first forward keeps the loaded values and makes it a Linear (in_features 3)
    zy, ty = zm(zerograd.ones(2, 3)), tm(torch.ones(2, 3))
    assert repr(zm) == repr(tm) == "Linear(in_features=3, out_features=4, bias=True)"
    np.testing.assert_allclose(_np(zy), ty.detach().numpy(), rtol=1e-6)
    # a lazy state into a lazy module: nothing changes
    zm2, tm2 = _both("LazyLinear", 4)
    assert str(zm2.load_state_dict(zlazy.LazyLinear(4).state_dict())) == \
        str(tm2.load_state_dict(torch.nn.LazyLinear(4).state_dict()))
    assert zm2.has_uninitialized_params() and repr(zm2.weight) == "<UninitializedParameter>"
    # a lazy state into an initialized module: torch's RuntimeError on the shape
    _raises_like(lambda: zfull.load_state_dict(zlazy.LazyLinear(4).state_dict()),
                 lambda: tfull.load_state_dict(torch.nn.LazyLinear(4).state_dict()))
    # keep_vars keeps the placeholders too
    sd = zlazy.LazyLinear(2).state_dict(keep_vars=True)
    assert [repr(v) for v in sd.values()] == ["<UninitializedParameter>"] * 2


@requires_torch
def test_lazy_batchnorm_state_dict_load():
    tfull = torch.nn.BatchNorm2d(3)
    tfull(torch.randn(4, 3, 2, 2))
    sd = {k: zerograd.tensor(v.numpy()) for k, v in tfull.state_dict().items()}
    zm, tm = _both("LazyBatchNorm2d")
    zm.load_state_dict(sd)
    tm.load_state_dict(tfull.state_dict())
    assert repr(zm) == repr(tm) and type(zm.running_mean) is zerograd.Tensor
    _same_params(zm, tm)
    zm.eval()
    tm.eval()
    x = np.random.default_rng(3).standard_normal((2, 3, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(_np(zm(zerograd.tensor(x))), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert repr(zm) == repr(tm)


@requires_torch
@pytest.mark.parametrize("name,args,shape", [
    ("LazyLinear", (4,), ()),                        # input.shape[-1] of a 0-d input
    ("LazyConv2d", (4, 3), (5, 5)),                  # neither 3-d nor 4-d
    ("LazyConv2d", (4, 3, 1, 0, 1, 2), (1, 3, 5, 5)),   # 3 channels, 2 groups
    ("LazyConvTranspose1d", (4, 3), (2, 3, 4, 5)),
])
def test_lazy_forward_errors(name, args, shape):
    zm, tm = _both(name, *args)
    _raises_like(lambda: zm(zerograd.ones(shape)), lambda: tm(torch.ones(shape)))
    assert type(zm).__name__ == type(tm).__name__ == name        # still lazy


@requires_torch
def test_lazy_misc_errors_and_api():
    zm, tm = _both("LazyLinear", 3)
    _raises_like(lambda: zlazy.LazyModuleMixin.initialize_parameters(zm),
                 lambda: torch.nn.modules.lazy.LazyModuleMixin.initialize_parameters(tm))
    _raises_like(lambda: zm.requires_grad_(False), lambda: tm.requires_grad_(False))
    _raises_like(lambda: zm.weight.numel(), lambda: tm.weight.numel())
    _raises_like(lambda: zlazy.LazyConvTranspose2d(3, 2, padding_mode="reflect"),
                 lambda: torch.nn.LazyConvTranspose2d(3, 2, padding_mode="reflect"))
    assert zm.cls_to_become is zerograd.nn.Linear and zlazy.LazyModuleMixin.cls_to_become is None
    assert [n for n, _ in zm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    # initialize_parameters alone materializes but leaves the class and hooks
    zerograd.manual_seed(1)
    torch.manual_seed(1)
    zm.initialize_parameters(zerograd.ones(2, 5))
    tm.initialize_parameters(torch.ones(2, 5))
    assert repr(zm) == repr(tm) and type(zm) is zlazy.LazyLinear and hasattr(zm, "_load_hook")
    _same_params(zm, tm)
    zm(zerograd.ones(2, 5))
    assert type(zm) is zerograd.nn.Linear


def test_lazy_deepcopy_then_forward():
    m = zlazy.LazyConv1d(2, 3)
    c = copy.deepcopy(m)
    assert repr(c) == repr(m) and c.has_uninitialized_params()
    c(zerograd.ones(1, 4, 6))
    assert type(c) is zerograd.nn.Conv1d and tuple(c.weight.shape) == (2, 4, 3)
    assert type(m) is zlazy.LazyConv1d and m.has_uninitialized_params()


@requires_torch
def test_lazy_sequential_load_then_forward():
    tfull = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.BatchNorm1d(4))
    sd = {k: zerograd.tensor(v.numpy()) for k, v in tfull.state_dict().items()}
    zs = zerograd.nn.Sequential(zlazy.LazyLinear(4), zerograd.nn.ReLU(), zlazy.LazyBatchNorm1d())
    ts = torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.ReLU(), torch.nn.LazyBatchNorm1d())
    assert str(zs.load_state_dict(sd)) == str(ts.load_state_dict(tfull.state_dict()))
    assert repr(zs) == repr(ts)
    x = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(_np(zs(zerograd.tensor(x))), ts(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    assert repr(zs) == repr(ts)         # (BatchNorm1d keeps num_features=0, as torch's)
    # a wrong shape is reported as Module's size mismatch
    z1 = zerograd.nn.Sequential(zlazy.LazyLinear(4))
    t1 = torch.nn.Sequential(torch.nn.LazyLinear(4))
    assert str(z1.load_state_dict({"0.weight": zerograd.ones(2, 3)}, strict=False)) == \
        str(t1.load_state_dict({"0.weight": torch.ones(2, 3)}, strict=False))
    assert repr(z1[0].bias) == "<UninitializedParameter>"


def test_custom_lazy_module():
    class Scale(zlazy.LazyModuleMixin, zerograd.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = UninitializedParameter()
            self.stat = UninitializedBuffer()

        def initialize_parameters(self, x):
            self.w.materialize((x.shape[-1],))
            self.stat.materialize((2,))
            with zerograd.no_grad():
                self.w.fill_(2.0)
                self.stat.zero_()

        def forward(self, x):
            return x * self.w

    m = Scale()
    assert [repr(v) for v in m.state_dict().values()] == ["<UninitializedParameter>",
                                                          "<UninitializedBuffer>"]
    assert m.has_uninitialized_params() and len(list(m.buffers())) == 1
    assert m(zerograd.ones(3)).tolist() == [2.0, 2.0, 2.0]
    assert type(m) is Scale and not m.has_uninitialized_params()
    assert tuple(m.stat.shape) == (2,) and not hasattr(m, "_initialize_hook")

    class Broken(zlazy.LazyModuleMixin, zerograd.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = UninitializedParameter()

        def initialize_parameters(self, x):
            pass

        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="module Broken has not been fully initialized"):
        Broken()(zerograd.ones(1))
