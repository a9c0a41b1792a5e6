"""zerograd's random numbers are torch's CPU streams (zerograd/ops/random.py).

Every call is run in both libraries from the same seed, several times in a row, and compared bit
for bit: the values, and the whole generator state after each call (torch's 5056-byte
get_rng_state(): the mt19937 words, its position and the cached Box-Muller sample), so a call that
draws one word too many or too few, or leaves a different cached normal, fails even where its
own values agree.  A few values are pinned without torch (seed 0), so the streams are also fixed
where torch is not installed.
"""
import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.functional as ZF
from zerograd import dtypes as _zdt
from tests._oracle import requires_torch, torch

TF = torch.nn.functional if torch is not None else None
HAS_BF16 = _zdt.bfloat16.np is not None
FLOATS = ["float32", "float64", "float16"] + (["bfloat16"] if HAS_BF16 else [])
INTS = ["int64", "int32", "int16", "int8", "uint8"]
SEEDS = [0, 1, 123456789, 2 ** 40 + 3]
SHAPES = [(1,), (3,), (15,), (16,), (17,), (5, 7), (2, 3, 40), (4099,)]


def _np(t):
    """Values as NumPy (bfloat16 through float32), for either library."""
    if torch is not None and isinstance(t, torch.Tensor):
        t = t.detach()
        return t.float().numpy() if t.dtype == torch.bfloat16 else t.numpy()
    a = t._data
    return a.astype(np.float32) if a.dtype.name == "bfloat16" else a


def _same_state():
    return np.array_equal(zerograd.get_rng_state()._data, torch.get_rng_state().numpy())


def _run(fz, ft, seed, calls=3):
    """fz/ft (lib-specific lambdas) from manual_seed(seed), `calls` times: equal values, dtypes,
    shapes and generator states after every call."""
    zerograd.manual_seed(seed)
    torch.manual_seed(seed)
    for k in range(calls):
        a, b = _np(fz()), _np(ft())
        assert a.shape == b.shape and a.dtype == b.dtype, (k, a.shape, b.shape, a.dtype, b.dtype)
        assert np.array_equal(a, b, equal_nan=True), (k, int((a != b).sum()), a.ravel()[:4],
                                                      b.ravel()[:4])
        assert _same_state(), f"generator state differs after call {k}"


def _dt(name):
    return getattr(zerograd, name), getattr(torch, name)


# ------------------------------------------------------------------------------------------------
# without torch: the pinned stream and the generator's own contract
# ------------------------------------------------------------------------------------------------

def test_seed_zero_values_are_torchs_without_the_oracle():
    zerograd.manual_seed(0)
    assert [float(v).hex() for v in zerograd.randn(3)._data] == \
        ["0x1.8a7eb80000000p+0", "-0x1.2c78a00000000p-2", "-0x1.16e2920000000p+1"]
    assert [float(v).hex() for v in zerograd.rand(3)._data] == \
        ["0x1.d290240000000p-2", "0x1.43bda60000000p-1", "0x1.6544540000000p-2"]
    assert zerograd.randint(0, 10, (5,)).tolist() == [6, 6, 9, 8, 6]
    assert zerograd.randperm(6).tolist() == [0, 4, 1, 3, 2, 5]
    zerograd.manual_seed(0)
    lin = zerograd.nn.Linear(3, 2)
    assert [float(v).hex() for v in lin.weight._data.ravel()] == [
        "-0x1.1b47d00000000p-8", "0x1.3d26260000000p-2", "-0x1.e696fc0000000p-2",
        "-0x1.b317920000000p-2", "-0x1.c769620000000p-3", "0x1.3d12a60000000p-3"]
    assert [float(v).hex() for v in lin.bias._data] == ["-0x1.76d6800000000p-7",
                                                       "0x1.d4c2f40000000p-2"]


def test_generator_seeding_and_own_state_round_trip():
    g = zerograd.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(-1) is g and g.initial_seed() == 2 ** 64 - 1
    g.manual_seed(5)
    a = zerograd.randn(7, generator=g)
    st = g.get_state()
    assert st.dtype == zerograd.uint8 and tuple(st.shape) == (5056,)
    b = zerograd.randn(33, generator=g)
    g.set_state(st)
    assert np.array_equal(zerograd.randn(33, generator=g)._data, b._data)
    g.manual_seed(5)
    assert np.array_equal(zerograd.randn(7, generator=g)._data, a._data)
    # the default generator is untouched by an explicit one, and vice versa
    zerograd.manual_seed(3)
    x = zerograd.rand(4)
    zerograd.manual_seed(3)
    zerograd.rand(100, generator=zerograd.Generator().manual_seed(3))
    assert np.array_equal(zerograd.rand(4)._data, x._data)
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2 ** 64
    # copies and pickles carry the state
    g.manual_seed(9)
    zerograd.randn(3, generator=g)
    for h in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert np.array_equal(zerograd.randn(5, generator=h)._data,
                              zerograd.randn(5, generator=copy.deepcopy(g))._data)


def test_manual_seed_argument_checks():
    g = zerograd.Generator()
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        g.manual_seed(1.5)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got bool"):
        g.manual_seed(True)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        g.manual_seed(2 ** 64)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        g.manual_seed(-2 ** 63 - 1)
    assert zerograd.manual_seed(2.7).initial_seed() == 2        # torch.manual_seed: int(seed)
    assert zerograd.manual_seed("12").initial_seed() == 12


def test_set_state_checks():
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        zerograd.set_rng_state(zerograd.zeros(5056, dtype=zerograd.int64))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056 but "
                                           "found the input RNG state size to be 10"):
        zerograd.set_rng_state(zerograd.zeros(10, dtype=zerograd.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        zerograd.set_rng_state(zerograd.zeros(5056, dtype=zerograd.uint8))
    with pytest.raises(TypeError, match="expected a torch.ByteTensor, but got list"):
        zerograd.Generator().set_state([1, 2])


# ------------------------------------------------------------------------------------------------
# the generator against torch's
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("seed", [0, 1, 42, 2 ** 32 + 7, 2 ** 63, 2 ** 64 - 1, -5])
def test_state_after_seeding_is_torchs(seed):
    zerograd.manual_seed(seed)
    torch.manual_seed(seed)
    assert zerograd.initial_seed() == torch.initial_seed()
    assert _same_state()
    g, gt = zerograd.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    assert np.array_equal(g.get_state()._data, gt.get_state().numpy())
    assert zerograd.Generator().initial_seed() == torch.Generator().initial_seed()


@requires_torch
@pytest.mark.parametrize("seed", [0, 5, 2 ** 40])
def test_state_travels_between_the_libraries(seed):
    torch.manual_seed(seed)
    torch.randn(3)                       # (leaves a cached Box-Muller sample)
    torch.rand(700)                      # (past a regeneration of the 624 words)
    zerograd.set_rng_state(zerograd.tensor(torch.get_rng_state().numpy()))
    assert _same_state()
    assert np.array_equal(zerograd.randn(5)._data, torch.randn(5).numpy())
    st = zerograd.get_rng_state()
    zerograd.randn(100)
    torch.set_rng_state(torch.from_numpy(st._data.copy()))
    zerograd.set_rng_state(st)
    assert np.array_equal(zerograd.randn(30)._data, torch.randn(30).numpy())
    gt = torch.Generator().manual_seed(seed)
    torch.rand(3, generator=gt)
    g = zerograd.Generator()
    g.set_state(zerograd.tensor(gt.get_state().numpy()))
    assert np.array_equal(zerograd.rand(900, generator=g)._data,
                          torch.rand(900, generator=gt).numpy())
    assert np.array_equal(g.get_state()._data, gt.get_state().numpy())


@requires_torch
def test_a_hand_made_state_with_left_and_next_apart():
    """torch reads state[next : next+left-1] before it regenerates, whatever next is."""
    torch.manual_seed(11)
    torch.rand(50)
    raw = torch.get_rng_state().numpy().copy()
    raw[8:12] = np.frombuffer(np.int32(37).tobytes(), np.uint8)      # left = 37 (next = 50)
    torch.set_rng_state(torch.from_numpy(raw.copy()))
    zerograd.set_rng_state(zerograd.tensor(raw))
    for n in (10, 40, 700):
        assert np.array_equal(zerograd.rand(n)._data, torch.rand(n).numpy())
        assert _same_state()


# ------------------------------------------------------------------------------------------------
# rand / randn / uniform_ / normal_ / torch.normal
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_rand_and_randn(dtype, seed):
    zd, td = _dt(dtype)
    for shape in SHAPES:
        _run(lambda: zerograd.rand(*shape, dtype=zd), lambda: torch.rand(*shape, dtype=td), seed)
        _run(lambda: zerograd.randn(*shape, dtype=zd), lambda: torch.randn(*shape, dtype=td),
             seed)


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_uniform_and_normal_in_place(dtype, seed):
    zd, td = _dt(dtype)
    for shape in SHAPES:
        for a, b in [(-0.3, 0.7), (2.0, 5.5), (-1e-3, 1e-3)]:
            _run(lambda: zerograd.empty(*shape, dtype=zd).uniform_(a, b),
                 lambda: torch.empty(*shape, dtype=td).uniform_(a, b), seed)
        for m, s in [(0.1, 0.3), (-2.0, 5.0)]:
            _run(lambda: zerograd.empty(*shape, dtype=zd).normal_(m, s),
                 lambda: torch.empty(*shape, dtype=td).normal_(m, s), seed)
            _run(lambda: zerograd.normal(m, s, shape, dtype=zd),
                 lambda: torch.normal(m, s, shape, dtype=td), seed)


@requires_torch
def test_uniform_value_rounding_onto_to_becomes_from():
    for lo, hi, dt in [(16777216.0 - 8, 16777216.0, "float32"), (2.0 ** 53 - 8, 2.0 ** 53,
                                                                  "float64"),
                       (-0.3, 0.7, "float16")] + ([(2.1, 3.3, "bfloat16")] if HAS_BF16 else []):
        zd, td = _dt(dt)
        _run(lambda: zerograd.empty(3000, dtype=zd).uniform_(lo, hi),
             lambda: torch.empty(3000, dtype=td).uniform_(lo, hi), 0, calls=1)


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_mixed_call_sequence_shares_the_stream_and_the_cached_normal(dtype):
    zd, td = _dt(dtype)

    def seq(L, d):
        return [L.randn(3, dtype=d), L.rand(5, dtype=d), L.randn(1, dtype=d),
                L.randn(40, dtype=d), L.empty(2, 3, dtype=d).normal_(), L.randint(0, 9, (4,)),
                L.randn(7, dtype=d), L.randperm(5), L.randn(2, dtype=d)]
    for seed in (0, 77):
        zerograd.manual_seed(seed)
        torch.manual_seed(seed)
        for a, b in zip(seq(zerograd, zd), seq(torch, td)):
            assert np.array_equal(_np(a), _np(b))
        assert _same_state()


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_strided_targets_draw_in_memory_order(dtype):
    """A non-contiguous tensor takes normal_'s one-at-a-time Box-Muller path, in the order
    TensorIterator visits memory; *_like keep a permuted input's strides, as empty_like does."""
    zd, td = _dt(dtype)
    for shape, perm in [((20, 30), (1, 0)), ((4, 5, 6), (2, 0, 1)), ((40, 3), (1, 0))]:
        for seed in (0, 9):
            _run(lambda: zerograd.empty(*shape, dtype=zd).permute(*perm).uniform_(-1, 2),
                 lambda: torch.empty(*shape, dtype=td).permute(*perm).uniform_(-1, 2), seed)
            _run(lambda: zerograd.empty(*shape, dtype=zd).permute(*perm).normal_(0.5, 2),
                 lambda: torch.empty(*shape, dtype=td).permute(*perm).normal_(0.5, 2), seed)
            _run(lambda: zerograd.empty(*shape, dtype=zd)[..., ::2].normal_(),
                 lambda: torch.empty(*shape, dtype=td)[..., ::2].normal_(), seed)
            _run(lambda: zerograd.randn_like(zerograd.empty(*shape, dtype=zd).permute(*perm)),
                 lambda: torch.randn_like(torch.empty(*shape, dtype=td).permute(*perm)), seed)
            _run(lambda: zerograd.rand_like(zerograd.empty(*shape, dtype=zd).permute(*perm)),
                 lambda: torch.rand_like(torch.empty(*shape, dtype=td).permute(*perm)), seed)


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_overloads(dtype):
    zd, td = _dt(dtype)
    for shape in [(5,), (17,), (6, 7)]:
        rng = np.random.default_rng(len(shape))
        m, s = rng.standard_normal(shape), rng.random(shape)
        mz, mt = zerograd.tensor(m, dtype=zd), torch.tensor(m, dtype=td)
        sz, st = zerograd.tensor(s, dtype=zd), torch.tensor(s, dtype=td)
        _run(lambda: zerograd.normal(mz, sz), lambda: torch.normal(mt, st), 3)
        _run(lambda: zerograd.normal(mz, 0.7), lambda: torch.normal(mt, 0.7), 3)
        _run(lambda: zerograd.normal(0.3, sz), lambda: torch.normal(0.3, st), 3)
        _run(lambda: zerograd.normal(mz[:1], sz), lambda: torch.normal(mt[:1], st), 3)


# ------------------------------------------------------------------------------------------------
# integers: randint / random_ / randperm
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", INTS + FLOATS)
def test_randint_and_random_(dtype):
    zd, td = _dt(dtype)
    ranges = [(0, 10), (-5, 100), (3, 4), (0, 2 ** 28 - 1), (0, 2 ** 28), (-2 ** 31, 2 ** 31 - 1),
              (0, 2 ** 33), (-2 ** 40, 2 ** 40)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in (0, 123):
            for shape in [(1,), (17,), (3, 50)]:
                for lo, hi in ranges:
                    try:
                        torch.randint(lo, hi, (1,), dtype=td)
                    except RuntimeError:
                        continue
                    _run(lambda: zerograd.randint(lo, hi, shape, dtype=zd),
                         lambda: torch.randint(lo, hi, shape, dtype=td), seed)
                _run(lambda: zerograd.zeros(*shape, dtype=zd).random_(),
                     lambda: torch.zeros(*shape, dtype=td).random_(), seed)
                _run(lambda: zerograd.zeros(*shape, dtype=zd).random_(2),
                     lambda: torch.zeros(*shape, dtype=td).random_(2), seed)
                _run(lambda: zerograd.zeros(*shape, dtype=zd).random_(3, None),
                     lambda: torch.zeros(*shape, dtype=td).random_(3, None), seed)
                _run(lambda: zerograd.randint_like(zerograd.zeros(*shape, dtype=zd), 3, 9),
                     lambda: torch.randint_like(torch.zeros(*shape, dtype=td), 3, 9), seed)
                if dtype in ("int64", "float32", "float64", "bfloat16"):
                    _run(lambda: zerograd.zeros(*shape, dtype=zd).random_(-2 ** 63, None),
                         lambda: torch.zeros(*shape, dtype=td).random_(-2 ** 63, None), seed)


@requires_torch
def test_random_on_bool():
    _run(lambda: zerograd.zeros(30, dtype=zerograd.bool).random_(),
         lambda: torch.zeros(30, dtype=torch.bool).random_(), 4)
    _run(lambda: zerograd.zeros(30, dtype=zerograd.bool).random_(2),
         lambda: torch.zeros(30, dtype=torch.bool).random_(2), 4)


@requires_torch
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 1000, 12345])
def test_randperm(n):
    for seed in (0, 3, 2 ** 35):
        _run(lambda: zerograd.randperm(n), lambda: torch.randperm(n), seed)
        _run(lambda: zerograd.randperm(n, dtype=zerograd.float32),
             lambda: torch.randperm(n, dtype=torch.float32), seed)
        g, gt = zerograd.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        assert zerograd.randperm(n, generator=g).tolist() == \
            torch.randperm(n, generator=gt).tolist()


# ------------------------------------------------------------------------------------------------
# bernoulli, dropout, multinomial, exponential & co.
# ------------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_bernoulli_family(dtype):
    zd, td = _dt(dtype)
    for shape in [(5,), (17,), (6, 7)]:
        p = np.random.default_rng(len(shape)).random(shape)
        pz, pt = zerograd.tensor(p, dtype=zd), torch.tensor(p, dtype=td)
        _run(lambda: zerograd.bernoulli(pz), lambda: torch.bernoulli(pt), 1)
        _run(lambda: zerograd.bernoulli(pz, 0.3), lambda: torch.bernoulli(pt, 0.3), 1)
        _run(lambda: pz.bernoulli(), lambda: pt.bernoulli(), 1)
        _run(lambda: zerograd.zeros(*shape).bernoulli_(pz),
             lambda: torch.zeros(*shape).bernoulli_(pt), 1)
        _run(lambda: zerograd.zeros(*shape, dtype=zd).bernoulli_(zerograd.tensor(p)),
             lambda: torch.zeros(*shape, dtype=td).bernoulli_(torch.tensor(p)), 1)
        _run(lambda: zerograd.empty(*shape, dtype=zd).bernoulli_(0.4),
             lambda: torch.empty(*shape, dtype=td).bernoulli_(0.4), 1)
    _run(lambda: zerograd.empty(4, 6, dtype=zd).t().bernoulli_(0.4),
         lambda: torch.empty(4, 6, dtype=td).t().bernoulli_(0.4), 1)


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_dropout_masks(dtype):
    zd, td = _dt(dtype)
    x = np.random.default_rng(0).standard_normal((8, 6, 5, 4))
    xz, xt = zerograd.tensor(x, dtype=zd), torch.tensor(x, dtype=td)
    for p in (0.1, 0.5, 0.9):
        for seed in (0, 11):
            _run(lambda: ZF.dropout(xz, p), lambda: TF.dropout(xt, p), seed)
            _run(lambda: ZF.dropout(xz.permute(3, 2, 1, 0), p),
                 lambda: TF.dropout(xt.permute(3, 2, 1, 0), p), seed)
            _run(lambda: zerograd.nn.Dropout(p)(xz), lambda: torch.nn.Dropout(p)(xt), seed)
            if dtype in ("float32", "float64"):
                _run(lambda: ZF.dropout2d(xz, p), lambda: TF.dropout2d(xt, p), seed)
                _run(lambda: ZF.dropout1d(xz[:, :, 0], p), lambda: TF.dropout1d(xt[:, :, 0], p),
                     seed)
                _run(lambda: ZF.alpha_dropout(xz, p, True), lambda: TF.alpha_dropout(xt, p, True),
                     seed)
                _run(lambda: ZF.feature_alpha_dropout(xz, p, True),
                     lambda: TF.feature_alpha_dropout(xt, p, True), seed)


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_multinomial(dtype):
    zd, td = _dt(dtype)
    for shape, k in [((10,), 1), ((10,), 3), ((10,), 10), ((4, 50), 1), ((4, 50), 7),
                     ((3, 1000), 5)]:
        for seed in (0, 7):
            rng = np.random.default_rng(seed)
            w = rng.random(shape) * (rng.random(shape) > 0.3)
            w[..., 0] += 0.01
            wz, wt = zerograd.tensor(w, dtype=zd), torch.tensor(w, dtype=td)
            # with replacement: a double uniform searched in the cumulative distribution
            _run(lambda: zerograd.multinomial(wz, 20 * k, True),
                 lambda: torch.multinomial(wt, 20 * k, True), seed)
            _run(lambda: wz.multinomial(k, True), lambda: wt.multinomial(k, True), seed)
            # without: argmax / topk of p / Exp(1) (no exact ties: positive weights, fine dtypes)
            if dtype != "bfloat16":
                wp = w + 0.01
                _run(lambda: zerograd.multinomial(zerograd.tensor(wp, dtype=zd), k),
                     lambda: torch.multinomial(torch.tensor(wp, dtype=td), k), seed)
            else:                        # bfloat16 ties in p/q: torch's topk orders them its way
                zerograd.manual_seed(seed)
                torch.manual_seed(seed)
                a, b = zerograd.multinomial(wz, k), torch.multinomial(wt, k)
                assert np.array_equal(np.sort(_np(a), -1), np.sort(_np(b), -1)) or k > 1
                assert _same_state()


@requires_torch
def test_multinomial_zero_weights_order_is_topks_only_among_ties():
    w = np.array([0.65, 0.27, 0.04, 0, 0, 0.91, 0.61, 0, 0, 0.94])
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    a = zerograd.multinomial(zerograd.tensor(w), 10).tolist()
    b = torch.multinomial(torch.tensor(w), 10).tolist()
    assert a[:6] == b[:6] and sorted(a[6:]) == sorted(b[6:])    # the zero-weight four: any order
    assert _same_state()


@requires_torch
@pytest.mark.parametrize("dtype", FLOATS)
def test_exponential_geometric_cauchy_log_normal(dtype):
    zd, td = _dt(dtype)
    for shape in [(1,), (15,), (16,), (17,), (5, 7), (1000,)]:
        for seed in (0, 42):
            _run(lambda: zerograd.empty(*shape, dtype=zd).exponential_(1.5),
                 lambda: torch.empty(*shape, dtype=td).exponential_(1.5), seed)
            _run(lambda: zerograd.empty(*shape, dtype=zd).geometric_(0.3),
                 lambda: torch.empty(*shape, dtype=td).geometric_(0.3), seed)
            _run(lambda: zerograd.empty(*shape, dtype=zd).cauchy_(0.5, 2.0),
                 lambda: torch.empty(*shape, dtype=td).cauchy_(0.5, 2.0), seed)
            _run(lambda: zerograd.empty(*shape, dtype=zd).log_normal_(0.2, 0.5),
                 lambda: torch.empty(*shape, dtype=td).log_normal_(0.2, 0.5), seed)
    _run(lambda: zerograd.empty(9, dtype=zerograd.int64).geometric_(0.05),
         lambda: torch.empty(9, dtype=torch.int64).geometric_(0.05), 5)


@requires_torch
def test_in_place_draws_record_torchs_nodes():
    for call, name in [(lambda t: t.random_(), "RandomBackward2"),
                       (lambda t: t.random_(5), "RandomBackward1"),
                       (lambda t: t.random_(1, 5), "RandomBackward0"),
                       (lambda t: t.bernoulli_(0.5), "BernoulliBackward2"),
                       (lambda t: t.exponential_(), "ExponentialBackward0"),
                       (lambda t: t.geometric_(0.5), "GeometricBackward0"),
                       (lambda t: t.cauchy_(), "CauchyBackward0"),
                       (lambda t: t.log_normal_(), "LogNormalBackward0"),
                       (lambda t: t.uniform_(), "UniformBackward0"),
                       (lambda t: t.normal_(), "NormalBackward0")]:
        z = zerograd.zeros(3, requires_grad=True).clone()
        call(z)
        assert type(z.grad_fn).__name__ == name
        z.sum().backward()
    x = zerograd.rand(3, requires_grad=True)
    y = zerograd.bernoulli(x)
    assert type(y.grad_fn).__name__ == "BernoulliBackward0"
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.uniform_()


# ------------------------------------------------------------------------------------------------
# nn.init and the layers' initial weights
# ------------------------------------------------------------------------------------------------

INITS = [("uniform_", dict(a=-0.3, b=0.9)), ("normal_", dict(mean=0.2, std=0.7)),
         ("xavier_uniform_", dict(gain=1.3)), ("xavier_normal_", {}),
         ("kaiming_uniform_", dict(a=5 ** 0.5)),
         ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu")),
         ("trunc_normal_", dict(std=0.02)),
         ("trunc_normal_", dict(mean=0.0, std=1.0, a=2.0, b=3.0)),       # the uniform proposals
         ("trunc_normal_", dict(mean=1.0, std=0.5, a=-1.0, b=2.0))]


@requires_torch
@pytest.mark.parametrize("name,kw", INITS)
def test_init_functions(name, kw):
    for shape in [(3, 4), (16, 8), (5, 3, 3, 3), (64, 32)]:
        for seed in (0, 3):
            _run(lambda: getattr(zerograd.nn.init, name)(zerograd.empty(*shape), **kw),
                 lambda: getattr(torch.nn.init, name)(torch.empty(*shape), **kw), seed)
    g, gt = zerograd.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    a = getattr(zerograd.nn.init, name)(zerograd.empty(6, 5), generator=g, **kw)
    b = getattr(torch.nn.init, name)(torch.empty(6, 5), generator=gt, **kw)
    assert np.array_equal(_np(a), _np(b))


@requires_torch
def test_orthogonal_draws_torchs_matrix_and_is_close():
    """The Gaussian matrix is torch's; the QR is LAPACK's through NumPy, so the result agrees to
    rounding (not bit for bit); the stream position after it is exact."""
    for shape in [(5, 3), (3, 5), (4, 2, 3), (32, 32)]:
        for seed in (0, 1):
            zerograd.manual_seed(seed)
            torch.manual_seed(seed)
            a = zerograd.nn.init.orthogonal_(zerograd.empty(*shape), gain=1.5)
            b = torch.nn.init.orthogonal_(torch.empty(*shape), gain=1.5)
            np.testing.assert_allclose(_np(a), _np(b), atol=2e-6, rtol=0)
            assert _same_state()


@requires_torch
@pytest.mark.parametrize("make", [
    lambda L: L.nn.Linear(3, 4), lambda L: L.nn.Linear(100, 33, bias=False),
    lambda L: L.nn.Embedding(10, 7), lambda L: L.nn.Embedding(10, 7, padding_idx=2),
    lambda L: L.nn.LayerNorm(5),
    lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Linear(8, 2)),
    lambda L: L.nn.MultiheadAttention(8, 2), lambda L: L.nn.PReLU()],
    ids=["linear", "linear_nobias", "embedding", "embedding_pad", "layernorm", "mlp", "mha",
         "prelu"])
def test_layers_initialise_as_torch(make):
    for seed in (0, 3, 2024):
        zerograd.manual_seed(seed)
        torch.manual_seed(seed)
        mz, mt = make(zerograd), make(torch)
        pz, pt = list(mz.parameters()), list(mt.parameters())
        assert len(pz) == len(pt)
        for a, b in zip(pz, pt):
            assert np.array_equal(_np(a), _np(b))
        assert _same_state()


# ------------------------------------------------------------------------------------------------
# errors, as torch raises them (type and message), and no draw when refused
# ------------------------------------------------------------------------------------------------

ERRORS = [
    lambda L: L.rand(3, dtype=L.int64),
    lambda L: L.randn(3, dtype=L.int32),
    lambda L: L.zeros(3, dtype=L.int64).uniform_(),
    lambda L: L.zeros(3, dtype=L.int64).normal_(),
    lambda L: L.zeros(3).normal_(0, -1),
    lambda L: L.zeros(3).uniform_(2, 1),
    lambda L: L.zeros(3).uniform_(-1e39, 1),
    lambda L: L.zeros(3).uniform_(-3e38, 3e38),
    lambda L: L.randint(5, 2, (3,)),
    lambda L: L.randint(5, 5, (3,)),
    lambda L: L.randint(0, 300, (3,), dtype=L.int8),
    lambda L: L.randint(-300, 0, (3,), dtype=L.int8),
    lambda L: L.randint(0, 70000, (3,), dtype=L.float16),
    lambda L: L.randint(0, 3, (3,), dtype=L.bool),
    lambda L: L.randint(-10 ** 6, 10 ** 6, (2,), dtype=L.int16),
    lambda L: L.randperm(3000, dtype=L.float16),
    lambda L: L.randperm(300, dtype=L.int8),
    lambda L: L.randperm(257, dtype=L.uint8),
    lambda L: L.randperm(3, dtype=L.bool),
    lambda L: L.normal(L.zeros(3), L.tensor([1., -1., 1.])),
    lambda L: L.normal(L.zeros(3, dtype=L.int64), 1.),
    lambda L: L.zeros(3).bernoulli_(1.5),
    lambda L: L.bernoulli(L.tensor([0.5, 2.0])),
    lambda L: L.bernoulli(L.tensor([1, 0])),
    lambda L: L.multinomial(L.tensor([0.5, -1.0]), 1),
    lambda L: L.multinomial(L.tensor([0.5, -1.0, 1.]), 2, True),
    lambda L: L.multinomial(L.tensor([0., 0.]), 1),
    lambda L: L.multinomial(L.tensor([0., 0.]), 2, True),
    lambda L: L.multinomial(L.tensor([0., float("inf")]), 2, True),
    lambda L: L.multinomial(L.tensor([1., 1.]), 3),
    lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    lambda L: L.multinomial(L.ones(2), 0),
    lambda L: L.multinomial(L.ones(2, dtype=L.int64), 1),
    lambda L: L.zeros(3).exponential_(-1),
    lambda L: L.zeros(3, dtype=L.int64).exponential_(),
    lambda L: L.zeros(3).geometric_(1.5),
    lambda L: L.zeros(3).cauchy_(0, -1),
    lambda L: L.zeros(3).log_normal_(0, -1),
    lambda L: L.zeros(3).random_(5, 2),
    lambda L: L.zeros(3, dtype=L.int64).random_(-2),
]


@requires_torch
@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    call = ERRORS[k]
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    with pytest.raises(Exception) as et:
        call(torch)
    with pytest.raises(Exception) as ez:
        call(zerograd)
    assert type(ez.value) is type(et.value)
    assert str(ez.value).split("\n")[0] == str(et.value).split("\n")[0]
    assert _same_state()                 # (a refused call draws nothing)


@requires_torch
def test_float_randint_range_warning_as_torch():
    with pytest.warns(UserWarning, match=r"to - 1 is out of bounds \[-\(2\^24\), 2\^24\]"):
        zerograd.randint(0, 2 ** 25, (3,), dtype=zerograd.float32)


# ------------------------------------------------------------------------------------------------
# vectorised: large draws stay fast
# ------------------------------------------------------------------------------------------------

def test_large_draws_are_vectorised():
    """10^6 normals and uniforms in well under a second (no per-element Python)."""
    import time
    zerograd.manual_seed(0)
    t0 = time.process_time()
    zerograd.randn(10 ** 6)
    zerograd.rand(10 ** 6)
    zerograd.empty(1000, 1000).t().normal_()
    zerograd.randint(0, 100, (10 ** 6,))
    assert time.process_time() - t0 < 3.0
    assert math.isfinite(float(zerograd.randn(10 ** 6).sum()))


@requires_torch
def test_factories_take_0d_and_keyword_sizes_as_torch():
    """rand/randn of size () are 0-d (they came back with shape [1]); size= as a keyword; the
    same values drawn."""
    exprs = ["L.randn(())", "L.rand(())", "L.randn([])", "L.rand(size=(2,))", "L.randn(size=[2, 1])",
             "L.zeros(size=(2,))", "L.ones(size=[2, 1])", "L.empty(size=(0,))",
             "L.randint(5, size=(2,))", "L.randint(high=5, size=(2,))", "L.zeros(2, size=(3,))",
             "L.zeros(size=3)", "L.rand(size=2)", "L.randn((), dtype=L.float64)"]

    def run(L):
        L.manual_seed(0)
        out = []
        for e in exprs:
            try:
                v = eval(e)
            except TypeError as ex:
                out.append(str(ex))
                continue
            out.append((tuple(v.shape), str(v.dtype), v.tolist() if "empty" not in e else None))
        return out
    assert run(zerograd) == run(torch)


@requires_torch
def test_normal_of_tensors_that_require_grad_records_torchs_nodes():
    """torch.normal(mean, std) with a tensor that requires grad: the same draws, a NormalBackward
    node (1: tensor mean, 2: tensor std, 3: both) and zero gradients (not reparametrised)."""
    def run(L):
        L.manual_seed(0)
        m = L.zeros(2, requires_grad=True)
        s = L.ones(2, requires_grad=True)
        outs = [L.normal(m, 1.0), L.normal(0.0, s), L.normal(m, s), L.normal(L.zeros(2), s),
                L.normal(m, L.ones(3, 2)), L.normal(L.zeros(2), 1.0)]
        names = [None if o.grad_fn is None else
                 (o.grad_fn.name() if L is zerograd else type(o.grad_fn).__name__) for o in outs]
        sum(o.sum() for o in outs[:5]).backward()
        return names, [o.detach().tolist() for o in outs], m.grad.tolist(), s.grad.tolist()
    assert run(zerograd) == run(torch)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_uniform_draws_in_blocks_equal_torchs(dtype):
    """uniform_ is drawn in blocks of 2^16 (no large temporaries): a draw spanning several
    blocks, and nn.Linear's initial weights at MNIST size, are still torch's bit for bit."""
    zd, td = _dt(dtype)
    zerograd.manual_seed(3)
    torch.manual_seed(3)
    a, b = zerograd.rand(200_001, dtype=zd), torch.rand(200_001, dtype=td)
    assert np.array_equal(_np(a), _np(b))
    z, t = zerograd.empty(300, 700, dtype=zd), torch.empty(300, 700, dtype=td)
    z.uniform_(-0.5, 2.0)
    t.uniform_(-0.5, 2.0)
    assert np.array_equal(_np(z), _np(t)) and _same_state()
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    zl, tl = zerograd.nn.Linear(784, 512), torch.nn.Linear(784, 512)
    assert np.array_equal(_np(zl.weight), _np(tl.weight)) and np.array_equal(_np(zl.bias),
                                                                             _np(tl.bias))


@requires_torch
@pytest.mark.parametrize("call", [
    lambda L: L.bernoulli(L.tensor([0.3, 0.6, 0.9]).expand(3, 3)),
    lambda L: L.bernoulli(L.tensor([[0.3, 0.6], [0.9, 0.1]]).t()),
    lambda L: L.tensor([[0.3, 0.6], [0.9, 0.1]]).t().bernoulli(),
    lambda L: L.bernoulli(L.tensor([[0.3, 0.6], [0.9, 0.1]]).t(), 0.5),
    lambda L: L.tensor([0.5]).expand(6).bernoulli(),
])
def test_bernoulli_of_expanded_or_transposed_probabilities_as_torch(call):
    """torch.bernoulli(p)'s result is contiguous and drawn in row-major order; an expanded p
    drew in another order (found by the distributions' tests)."""
    out = []
    for L in (zerograd, torch):
        L.manual_seed(0)
        out.append(call(L).tolist())
    assert out[0] == out[1]
