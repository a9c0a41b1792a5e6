"""torch.nn.utils.rnn (PackedSequence, pack/pad and back) and packed input to RNN/LSTM/GRU,
against torch 2.13.

The utilities: values, dtypes (batch_sizes and lengths int64), batch_sizes and the sort
permutations, repr, the PackedSequence methods, errors (type and message) and gradients through
pack/pad round trips.  The recurrent layers on a packed batch: the packed output, h_n (and c_n)
and the gradients w.r.t. the input, hx and every parameter are torch's (torch's state_dict loaded
into zerograd's module), sorted or not, with and without hx, stacked, bidirectional, projected;
gradcheck in float64; and a packed batch gives what each sequence gives on its own.
"""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import zerograd
import zerograd.nn.utils.rnn as zr
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck

RNG = np.random.default_rng(4321)
IN, HID = 3, 4


def num(x):
    return x.detach().numpy()


def tr():
    return torch.nn.utils.rnn


def libs():
    """(zerograd, its rnn utils), (torch, its rnn utils)"""
    return (zerograd, zr), (torch, tr())


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)


def assert_same_tensor(a, b, **kw):
    """Same shape, dtype and values (exactly, unless tolerances are given)."""
    assert tuple(a.shape) == tuple(b.shape), (tuple(a.shape), tuple(b.shape))
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    if kw:
        np.testing.assert_allclose(num(a), num(b), **kw)
    else:
        np.testing.assert_array_equal(num(a), num(b))


def assert_same_packed(zp, tp, **kw):
    assert type(zp).__name__ == "PackedSequence" and isinstance(zp, zr.PackedSequence)
    assert_same_tensor(zp.data, tp.data, **kw)
    assert_same_tensor(zp.batch_sizes, tp.batch_sizes)
    for name in ("sorted_indices", "unsorted_indices"):
        a, b = getattr(zp, name), getattr(tp, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert_same_tensor(a, b)


def outcome(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Exception as e:      # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None, None


# ----------------------------------------------------------------------------------------------
# 1. the utilities: values, dtypes, indices, repr
# ----------------------------------------------------------------------------------------------

PACK_CASES = {
    "sorted list": dict(shape=(5, 3, 2), lengths=[5, 3, 1]),
    "sorted tensor": dict(shape=(5, 3, 2), lengths="tensor:[5, 3, 1]"),
    "int32 tensor": dict(shape=(4, 3, 2), lengths="int32:[4, 4, 2]"),
    "float lengths": dict(shape=(4, 3, 2), lengths=[4.0, 2.0, 1.0]),
    "tuple lengths": dict(shape=(4, 3), lengths=(4, 2, 1)),
    "batch_first": dict(shape=(3, 5, 2), lengths=[5, 2, 2], batch_first=True),
    "unsorted": dict(shape=(4, 5, 2), lengths=[2, 4, 1, 4, 3], enforce_sorted=False),
    "ties unsorted": dict(shape=(3, 9, 1), lengths=[2, 3, 2, 3, 1, 2, 2, 3, 2],
                          enforce_sorted=False),
    "sorted, enforce_sorted=False": dict(shape=(4, 3, 2), lengths=[4, 2, 1],
                                         enforce_sorted=False),
    "unsorted batch_first": dict(shape=(4, 6, 2, 2), lengths="tensor:[1, 6, 3, 6]",
                                 batch_first=True, enforce_sorted=False),
    "all full": dict(shape=(3, 2, 2), lengths=[3, 3]),
    "one sequence": dict(shape=(4, 1, 3), lengths=[2]),
}


def _lengths(lib, spec):
    if isinstance(spec, str):
        kind, values = spec.split(":")
        dtype = lib.int32 if kind == "int32" else lib.int64
        return lib.tensor(eval(values), dtype=dtype)
    return spec


@requires_torch
@pytest.mark.parametrize("name", list(PACK_CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pack_and_pad_match_torch(name, dtype):
    case = dict(PACK_CASES[name])
    shape = case.pop("shape")
    spec = case.pop("lengths")
    x = RNG.standard_normal(shape).astype(dtype)
    zx, tx = zerograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    zp = zr.pack_padded_sequence(zx, _lengths(zerograd, spec), **case)
    tp = tr().pack_padded_sequence(tx, _lengths(torch, spec), **case)
    assert_same_packed(zp, tp)
    assert zp.data.requires_grad and tp.data.requires_grad
    with zerograd.no_grad(), torch.no_grad():       # (the grad_fn names differ: see below)
        zq = zr.pack_padded_sequence(zx, _lengths(zerograd, spec), **case)
        tq = tr().pack_padded_sequence(tx, _lengths(torch, spec), **case)
    assert repr(zq) == repr(tq)
    bf = case.get("batch_first", False)
    for kw in ({}, {"padding_value": -2.5}, {"total_length": max(shape[:2]) + 2}):
        zpad, zlen = zr.pad_packed_sequence(zp, batch_first=bf, **kw)
        tpad, tlen = tr().pad_packed_sequence(tp, batch_first=bf, **kw)
        assert_same_tensor(zpad, tpad)
        assert_same_tensor(zlen, tlen)
        assert zlen.dtype == zerograd.int64
    # gradients through pack -> pad (the padding gets none)
    w = RNG.standard_normal(tuple(tpad.shape)).astype(dtype)
    (zpad * zerograd.tensor(w)).sum().backward()
    (tpad * torch.tensor(w)).sum().backward()
    assert_same_tensor(zx.grad, tx.grad)


@requires_torch
def test_pad_packed_sequence_other_dtypes():
    """Integer and bool data: padding_value is converted as torch converts it."""
    for dtype, pad in (("int64", -1.7), ("int32", 3), ("bool", 0.5), ("float64", True)):
        x = (RNG.standard_normal((4, 3, 2)) * 5).astype(dtype)
        zp = zr.pack_padded_sequence(zerograd.tensor(x), [4, 2, 1])
        tp = tr().pack_padded_sequence(torch.tensor(x), [4, 2, 1])
        assert_same_packed(zp, tp)
        assert repr(zp) == repr(tp)
        for z, t in zip(zr.pad_packed_sequence(zp, padding_value=pad),
                        tr().pad_packed_sequence(tp, padding_value=pad)):
            assert_same_tensor(z, t)
    zp = zr.pack_sequence([zerograd.ones(2, 1), zerograd.ones(1, 1)])
    tp = tr().pack_sequence([torch.ones(2, 1), torch.ones(1, 1)])
    z = zr.pad_packed_sequence(zp, padding_value=zerograd.tensor(2.0), total_length=True + 2)[0]
    t = tr().pad_packed_sequence(tp, padding_value=torch.tensor(2.0), total_length=True + 2)[0]
    assert_same_tensor(z, t)
    z = zr.pad_packed_sequence(zp, total_length=np.int64(4))[0]
    t = tr().pad_packed_sequence(tp, total_length=np.int64(4))[0]
    assert_same_tensor(z, t)


PAD_SEQUENCE_CASES = {
    "default": ([(3, 2), (1, 2), (2, 2)], {}),
    "batch_first": ([(3, 2), (1, 2), (2, 2)], {"batch_first": True}),
    "left": ([(3, 2), (1, 2), (2, 2)], {"padding_side": "left", "padding_value": -1.0}),
    "left batch_first": ([(1,), (4,), (2,)], {"padding_side": "left", "batch_first": True}),
    "int padding": ([(2, 3, 2), (4, 3, 2)], {"padding_value": 7}),
    "equal lengths": ([(2, 2), (2, 2)], {}),
    "broadcast row": ([(3, 2), (2, 1)], {}),
    "empty sequence": ([(0, 2), (3, 2)], {}),
    "all empty": ([(0, 2), (0, 2)], {}),
}


@requires_torch
@pytest.mark.parametrize("name", list(PAD_SEQUENCE_CASES))
def test_pad_sequence_matches_torch(name):
    shapes, kw = PAD_SEQUENCE_CASES[name]
    arrays = [RNG.standard_normal(s) for s in shapes]
    zs = [zerograd.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    z, t = zr.pad_sequence(zs, **kw), tr().pad_sequence(ts, **kw)
    assert_same_tensor(z, t)
    if z.numel():
        w = RNG.standard_normal(tuple(t.shape))
        (z * zerograd.tensor(w)).sum().backward()
        (t * torch.tensor(w)).sum().backward()
        for a, b in zip(zs, ts):
            assert_same_tensor(a.grad, b.grad)


@requires_torch
def test_pad_sequence_tensor_input_and_mixed_dtypes():
    x = RNG.standard_normal((3, 2, 4))
    assert_same_tensor(zr.pad_sequence(zerograd.tensor(x)), tr().pad_sequence(torch.tensor(x)))
    a, b = RNG.standard_normal((3, 2)).astype("float32"), RNG.standard_normal((2, 2))
    z = zr.pad_sequence((zerograd.tensor(a), zerograd.tensor(b)), padding_value=True)
    t = tr().pad_sequence((torch.tensor(a), torch.tensor(b)), padding_value=True)
    assert_same_tensor(z, t)        # the first sequence's dtype
    z = zr.pad_sequence([zerograd.tensor([1, 2, 3]), zerograd.tensor([4])], padding_value=-2.5)
    t = tr().pad_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])], padding_value=-2.5)
    assert_same_tensor(z, t)
    z = zr.pad_sequence([zerograd.ones(2)], padding_value=zerograd.tensor(2.0))
    assert_same_tensor(z, tr().pad_sequence([torch.ones(2)], padding_value=torch.tensor(2.0)))


@requires_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_sequence_round_trips_match_torch(batch_first, enforce_sorted):
    """pack_sequence / unpack_sequence, pad_sequence / unpad_sequence: values and gradients."""
    lengths = [4, 3, 3, 1] if enforce_sorted else [2, 4, 1, 3]
    arrays = [RNG.standard_normal((n, 2)) for n in lengths]
    (Z, ZR), (T, TR) = libs()
    res = {}
    for L, R in ((Z, ZR), (T, TR)):
        seqs = [L.tensor(a, requires_grad=True) for a in arrays]
        packed = R.pack_sequence(seqs, enforce_sorted=enforce_sorted)
        unpacked = R.unpack_sequence(packed)
        padded = R.pad_sequence(seqs, batch_first=batch_first)
        unpadded = R.unpad_sequence(padded, L.tensor(lengths), batch_first=batch_first)
        loss = sum((u * (i + 1)).sum() for i, u in enumerate(unpacked)) \
            + sum((u ** 2).sum() for u in unpadded)
        loss.backward()
        res[L] = (packed, unpacked, unpadded, [s.grad for s in seqs])
    zp, zu, zd, zg = res[Z]
    tp, tu, td, tg = res[T]
    assert_same_packed(zp, tp)
    for lists in ((zu, tu), (zd, td), (zg, tg)):
        assert len(lists[0]) == len(lists[1])
        for a, b in zip(*lists):
            assert_same_tensor(a, b)


@requires_torch
def test_unpad_sequence_long_length_and_input_untouched():
    """A length beyond T gives the whole column, as torch.  torch 2.13 transposes the caller's
    tensor in place (pytorch issue #98499); zerograd does not."""
    x = RNG.standard_normal((3, 2, 1))
    z, t = zerograd.tensor(x), torch.tensor(x)
    zs = zr.unpad_sequence(z, zerograd.tensor([5, 2]))
    ts = tr().unpad_sequence(t, torch.tensor([5, 2]))
    for a, b in zip(zs, ts):
        assert_same_tensor(a, b)
    assert tuple(z.shape) == (3, 2, 1)
    np.testing.assert_array_equal(z.numpy(), x)


@requires_torch
def test_packed_sequence_class():
    (Z, ZR), (T, TR) = libs()
    d = np.arange(6.0, dtype="float32").reshape(3, 2)
    for L, R in ((Z, ZR), (T, TR)):
        assert R.PackedSequence._fields == ("data", "batch_sizes", "sorted_indices",
                                            "unsorted_indices")
    pairs = [(ZR.PackedSequence(Z.tensor(d), Z.tensor([2, 1]), *idx(Z)),
              TR.PackedSequence(T.tensor(d), T.tensor([2, 1]), *idx(T)))
             for idx in (lambda L: (), lambda L: (L.tensor([1, 0]),),
                         lambda L: (None, L.tensor([1, 0])))]
    pairs.append((ZR.PackedSequence((Z.tensor(d), Z.tensor([2, 1]))),
                  TR.PackedSequence((T.tensor(d), T.tensor([2, 1])))))
    for zp, tp in pairs:
        assert_same_packed(zp, tp)
        assert repr(zp) == repr(tp)
    zp, tp = pairs[1]
    # conversions: the data converted, batch_sizes and the indices kept; self when nothing
    # changes
    for method in ("double", "float", "half", "long", "int", "short", "char", "byte", "cpu"):
        zq, tq = getattr(zp, method)(), getattr(tp, method)()
        assert type(zq) is ZR.PackedSequence
        assert_same_packed(zq, tq)
        assert (zq is zp) == (tq is tp), method
    for args, kw in (((Z.float64,), {}), ((), {"dtype": Z.float64, "device": "cpu"}),
                     (("cpu",), {}), ((Z.float32,), {})):
        targs = tuple(getattr(T, str(a).split(".")[1]) if a is Z.float64 or a is Z.float32
                      else a for a in args)
        tkw = {k: (T.float64 if v is Z.float64 else v) for k, v in kw.items()}
        zq, tq = zp.to(*args, **kw), tp.to(*targs, **tkw)
        assert_same_packed(zq, tq)
        assert (zq is zp) == (tq is tp)
    assert_same_packed(zp.to(Z.zeros(1, dtype=Z.float64)), tp.to(T.zeros(1, dtype=T.float64)))
    assert zp.is_cuda is tp.is_cuda is False
    assert zp.is_pinned() is tp.is_pinned() is False
    # a namedtuple
    zq, tq = zp._replace(data=zp.data * 2), tp._replace(data=tp.data * 2)
    assert type(zq) is ZR.PackedSequence and repr(zq) == repr(tq)
    assert len(zp) == 4 and zp[0] is zp.data and list(zp._asdict()) == list(tp._asdict())
    assert zp == (zp.data, zp.batch_sizes, zp.sorted_indices, zp.unsorted_indices)
    # invert_permutation
    assert_same_tensor(ZR.invert_permutation(Z.tensor([2, 0, 3, 1])),
                       TR.invert_permutation(T.tensor([2, 0, 3, 1])))
    assert ZR.invert_permutation(None) is None
    assert set(ZR.__all__) == set(TR.__all__)


def test_loaded_on_first_use():
    code = ("import sys, zerograd; assert 'zerograd.nn.utils.rnn' not in sys.modules; "
            "f = zerograd.nn.utils.rnn.pad_sequence; "
            "from zerograd.nn.utils.rnn import pack_padded_sequence, PackedSequence; "
            "import zerograd.nn.utils.rnn as r; assert f is r.pad_sequence; "
            "assert 'rnn' in dir(zerograd.nn.utils); "
            "from zerograd.nn.modules.rnn import PackedSequence as P; assert P is PackedSequence")
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------------------------------------
# 2. errors: type and message
# ----------------------------------------------------------------------------------------------

def _x(L, *shape):
    return L.zeros(*shape) if shape else L.arange(24.0).reshape(4, 3, 2)


UTIL_ERRORS = {
    "unsorted lengths": lambda L, R: R.pack_padded_sequence(_x(L), [2, 4, 1]),
    "unsorted tensor lengths": lambda L, R: R.pack_padded_sequence(_x(L), L.tensor([1, 4, 2])),
    "zero length": lambda L, R: R.pack_padded_sequence(_x(L), [4, 2, 0]),
    "zero length, unsorted": lambda L, R: R.pack_padded_sequence(_x(L), [0, 4, 2]),
    "zero length, enforce_sorted=False": lambda L, R: R.pack_padded_sequence(
        _x(L), [2, 0, 4], enforce_sorted=False),
    "negative length": lambda L, R: R.pack_padded_sequence(_x(L), [4, 2, -1]),
    "too few lengths": lambda L, R: R.pack_padded_sequence(_x(L), [4, 2]),
    "too many lengths": lambda L, R: R.pack_padded_sequence(_x(L), [4, 2, 1, 1]),
    "batch_first lengths": lambda L, R: R.pack_padded_sequence(_x(L), [4, 2, 1],
                                                               batch_first=True),
    "2-D lengths": lambda L, R: R.pack_padded_sequence(_x(L), [[4, 2, 1]]),
    "0-D lengths": lambda L, R: R.pack_padded_sequence(_x(L), L.tensor(4)),
    "empty input": lambda L, R: R.pack_padded_sequence(_x(L, 4, 0, 2), []),
    "empty input, lengths": lambda L, R: R.pack_padded_sequence(_x(L, 0, 3, 2), [1, 1, 1]),
    "1-D input": lambda L, R: R.pack_padded_sequence(_x(L, 4), [4]),
    "numpy input": lambda L, R: R.pack_padded_sequence(np.zeros((4, 3)), [4, 2, 1]),
    "total_length too small": lambda L, R: R.pad_packed_sequence(
        R.pack_padded_sequence(_x(L), [4, 2, 1]), total_length=3),
    "total_length float small": lambda L, R: R.pad_packed_sequence(
        R.pack_padded_sequence(_x(L), [4, 2, 1]), total_length=2.5),
    "total_length float": lambda L, R: R.pad_packed_sequence(
        R.pack_padded_sequence(_x(L), [4, 2, 1]), total_length=5.0),
    "padding_value None": lambda L, R: R.pad_packed_sequence(
        R.pack_padded_sequence(_x(L), [4, 2, 1]), padding_value=None),
    "padding_value str": lambda L, R: R.pad_packed_sequence(
        R.pack_padded_sequence(_x(L), [4, 2, 1]), padding_value="a"),
    "pad a tensor": lambda L, R: R.pad_packed_sequence(_x(L)),
    "pad_sequence empty": lambda L, R: R.pad_sequence([]),
    "pad_sequence side": lambda L, R: R.pad_sequence([_x(L, 2)], padding_side="middle"),
    "pad_sequence side before empty": lambda L, R: R.pad_sequence([], padding_side="mid"),
    "pad_sequence padding_value None": lambda L, R: R.pad_sequence([_x(L, 2)],
                                                                   padding_value=None),
    "pad_sequence padding_value str": lambda L, R: R.pad_sequence([_x(L, 2)],
                                                                  padding_value="a"),
    "pad_sequence batch_first int": lambda L, R: R.pad_sequence([_x(L, 2)], batch_first=1),
    "pad_sequence not a tensor": lambda L, R: R.pad_sequence([_x(L, 2), 3]),
    "pad_sequence numpy": lambda L, R: R.pad_sequence([np.zeros(2)]),
    "pad_sequence element before value": lambda L, R: R.pad_sequence([3], padding_value=None),
    "pad_sequence not iterable": lambda L, R: R.pad_sequence(3),
    "pad_sequence trailing": lambda L, R: R.pad_sequence([_x(L, 3, 2), _x(L, 2, 3)]),
    "pad_sequence more dims": lambda L, R: R.pad_sequence([_x(L, 2, 3), _x(L, 2, 3, 4)]),
    "pad_sequence fewer dims": lambda L, R: R.pad_sequence([_x(L, 2, 3, 4), _x(L, 2, 2)]),
    "pack_sequence empty": lambda L, R: R.pack_sequence([]),
    "pack_sequence unsorted": lambda L, R: R.pack_sequence([_x(L, 1, 2), _x(L, 3, 2)]),
    "unpad list lengths": lambda L, R: R.unpad_sequence(_x(L, 3, 2, 1), [3, 2]),
    "unpad too few lengths": lambda L, R: R.unpad_sequence(_x(L, 3, 2, 1), L.tensor([3])),
    "unpad too many lengths": lambda L, R: R.unpad_sequence(_x(L, 3, 2, 1),
                                                            L.tensor([3, 2, 1])),
    "PackedSequence no batch_sizes": lambda L, R: R.PackedSequence(_x(L, 3, 2)),
    "PackedSequence list batch_sizes": lambda L, R: R.PackedSequence(_x(L, 3, 2), [2, 1]),
    "PackedSequence list indices": lambda L, R: R.PackedSequence(
        _x(L, 3, 2), L.tensor([2, 1]), [1, 0]),
    "PackedSequence.to copy": lambda L, R: R.pack_sequence([_x(L, 2)]).to(L.float64, copy=True),
    "PackedSequence.pin_memory": lambda L, R: R.pack_sequence([_x(L, 2)]).pin_memory(),
    "PackedSequence.bool": lambda L, R: R.pack_sequence([_x(L, 2)]).bool(),
}


@requires_torch
@pytest.mark.parametrize("name", list(UTIL_ERRORS))
def test_utility_errors_match_torch(name):
    case = UTIL_ERRORS[name]
    t_type, t_msg = outcome(lambda: case(torch, tr()))
    z_type, z_msg = outcome(lambda: case(zerograd, zr))
    assert t_type is not None
    assert z_type is t_type, (z_type, z_msg, t_msg)
    assert z_msg == t_msg


# ----------------------------------------------------------------------------------------------
# 3. RNN / LSTM / GRU on a packed batch
# ----------------------------------------------------------------------------------------------

# (class, constructor kwargs, lengths, enforce_sorted)
PACKED_CONFIGS = [
    ("RNN", {}, [5, 3, 3, 1], True),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}, [2, 5, 1], False),
    ("RNN", {"bias": False, "batch_first": True}, [3, 4, 4], False),
    ("LSTM", {}, [5, 3, 1], True),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, [2, 4, 1, 4, 3], False),
    ("LSTM", {"proj_size": 2, "batch_first": True}, [3, 5, 2], False),
    ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True, "bias": False},
     [4, 4, 2], True),
    ("GRU", {}, [1, 4, 2], False),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}, [5, 4, 4, 2], True),
    ("GRU", {"bidirectional": True}, [3, 3, 3], False),
]
PACKED_IDS = [f"{k}-" + ",".join(f"{a}={b}" for a, b in kw.items()) + f"-{lens}-sorted={s}"
              for k, kw, lens, s in PACKED_CONFIGS]


def _build(lib, kind, kw, dtype, seed=0):
    lib.manual_seed(seed)
    return getattr(lib.nn, kind)(IN, HID, dtype=getattr(lib, dtype), **kw)


def _state_shapes(kind, kw, batch):
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    h = (layers, batch, kw.get("proj_size") or HID)
    return [h, (layers, batch, HID)] if kind == "LSTM" else [h]


def _run_packed(kind, kw, lengths, enforce_sorted, dtype, with_hx, seed=0):
    """Both modules (zerograd's with torch's weights) on the same packed batch.  Returns, per
    library, (module, leaves [padded input, h0 (, c0)], packed output, [h_n (, c_n)])."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _build(torch, kind, kw, dtype, seed)
        z = _build(zerograd, kind, kw, dtype, seed)
    z.load_state_dict({k: zerograd.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    bf = kw.get("batch_first", False)
    T, B = max(lengths), len(lengths)
    arrays = [RNG.standard_normal((B, T, IN) if bf else (T, B, IN)).astype(dtype)]
    if with_hx:
        arrays += [RNG.standard_normal(s).astype(dtype) for s in _state_shapes(kind, kw, B)]
    res = {}
    for L, R, m in ((zerograd, zr, z), (torch, tr(), t)):
        leaves = [L.tensor(a, requires_grad=True) for a in arrays]
        packed = R.pack_padded_sequence(leaves[0], L.tensor(lengths), batch_first=bf,
                                        enforce_sorted=enforce_sorted)
        hx = None
        if with_hx:
            hx = tuple(leaves[1:]) if kind == "LSTM" else leaves[1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, hidden = m(packed, hx) if with_hx else m(packed)
        if kind == "LSTM":
            assert type(hidden) is tuple and len(hidden) == 2
        res[L] = (m, leaves, out, list(hidden) if kind == "LSTM" else [hidden])
    return res[zerograd], res[torch]


@requires_torch
@pytest.mark.parametrize("kind,kw,lengths,enforce_sorted", PACKED_CONFIGS, ids=PACKED_IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_hx", [False, True], ids=["no_hx", "hx"])
def test_packed_forward_and_gradients_match_torch(kind, kw, lengths, enforce_sorted, dtype,
                                                  with_hx):
    (zm, zl, zo, zh), (tm, tl, to, th) = _run_packed(kind, kw, lengths, enforce_sorted, dtype,
                                                     with_hx)
    assert_same_packed(zo, to, **tol(dtype))
    assert len(zh) == len(th)
    for a, b in zip(zh, th):
        assert_same_tensor(a, b, **tol(dtype))
    # gradients of a random projection of the output data and the final states
    weights = [RNG.standard_normal(tuple(o.shape)).astype(dtype) for o in [to.data] + th]
    zloss = sum((o * zerograd.tensor(w)).sum() for o, w in zip([zo.data] + zh, weights))
    tloss = sum((o * torch.tensor(w)).sum() for o, w in zip([to.data] + th, weights))
    zloss.backward()
    tloss.backward()
    g_tol = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else tol(dtype)
    for i, (a, b) in enumerate(zip(zl, tl)):            # the padded input, h0 (and c0)
        assert a.grad is not None, i
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol, err_msg=str(i))
    for (name, a), (_, b) in zip(zm.named_parameters(), tm.named_parameters()):
        assert a.grad is not None, name
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol, err_msg=name)


@requires_torch
def test_packed_output_round_trips_to_padded():
    """pad_packed_sequence of the packed output: torch's padded output and lengths."""
    (_, _, zo, _), (_, _, to, _) = _run_packed("GRU", {"bidirectional": True}, [2, 5, 1, 3],
                                               False, "float64", with_hx=True)
    for bf in (False, True):
        (zp, zlen), (tp, tlen) = zr.pad_packed_sequence(zo, bf), tr().pad_packed_sequence(to, bf)
        assert_same_tensor(zp, tp, **tol("float64"))
        assert_same_tensor(zlen, tlen)


@pytest.mark.parametrize("kind,kw", [
    ("LSTM", {"bidirectional": True}),
    ("LSTM", {"num_layers": 2, "proj_size": 1}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("RNN", {"nonlinearity": "relu"}),
])
def test_packed_equals_each_sequence_alone(kind, kw):
    """Run on its own (no padding), each sequence gives the same outputs and final state as in
    the packed batch: padding never enters the recurrence, the reverse direction starts at each
    sequence's own last step."""
    zerograd.manual_seed(1)
    m = getattr(zerograd.nn, kind)(IN, HID, dtype=zerograd.float64, **kw)
    lengths = [3, 5, 1, 4]
    seqs = [zerograd.randn(n, IN, dtype=zerograd.float64) for n in lengths]
    h0 = [zerograd.randn(*s, dtype=zerograd.float64) for s in _state_shapes(kind, kw, 4)]
    out, hidden = m(zr.pack_sequence(seqs, enforce_sorted=False),
                    tuple(h0) if kind == "LSTM" else h0[0])
    hidden = list(hidden) if kind == "LSTM" else [hidden]
    outputs = zr.unpack_sequence(out)
    for b, seq in enumerate(seqs):
        states = [h[:, b] for h in h0]
        o, hb = m(seq, tuple(states) if kind == "LSTM" else states[0])
        hb = list(hb) if kind == "LSTM" else [hb]
        np.testing.assert_allclose(num(outputs[b]), num(o), rtol=1e-12, atol=1e-13)
        for full, alone in zip(hidden, hb):
            np.testing.assert_allclose(num(full[:, b]), num(alone), rtol=1e-12, atol=1e-13)


def test_dense_and_full_length_packed_agree():
    """Packing a batch whose sequences all have the full length changes nothing."""
    zerograd.manual_seed(2)
    m = zerograd.nn.LSTM(IN, HID, num_layers=2, bidirectional=True)
    x = zerograd.randn(4, 3, IN)
    out, (h, c) = m(x)
    pout, (ph, pc) = m(zr.pack_padded_sequence(x, [4, 4, 4]))
    np.testing.assert_allclose(num(zr.pad_packed_sequence(pout)[0]), num(out), rtol=1e-6,
                               atol=1e-7)
    np.testing.assert_allclose(num(ph), num(h), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(num(pc), num(c), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck_packed_lstm(bidirectional):
    zerograd.manual_seed(0)
    f64 = zerograd.float64
    m = zerograd.nn.LSTM(2, 2, bidirectional=bidirectional, dtype=f64)
    layers = 2 if bidirectional else 1
    x = zerograd.randn(3, 3, 2, dtype=f64, requires_grad=True)
    h0 = zerograd.randn(layers, 3, 2, dtype=f64, requires_grad=True)
    c0 = zerograd.randn(layers, 3, 2, dtype=f64, requires_grad=True)

    def f(x, h0, c0):
        packed = zr.pack_padded_sequence(x, [2, 3, 1], enforce_sorted=False)
        out, (h, c) = m(packed, (h0, c0))
        return zr.pad_packed_sequence(out)[0], h, c
    assert gradcheck(f, (x, h0, c0))


@requires_torch
@pytest.mark.parametrize("kind,kw", [("LSTM", {"num_layers": 3, "dropout": 0.5}),
                                     ("GRU", {"num_layers": 2, "dropout": 0.3,
                                              "bidirectional": True})])
def test_packed_train_mode_dropout_draws_torchs_masks(kind, kw):
    """In training, dropout between layers applies to the packed data, with torch's masks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = _build(torch, kind, kw, "float64")
        z = _build(zerograd, kind, kw, "float64")
    x = RNG.standard_normal((4, 3, IN))
    zerograd.manual_seed(11)
    torch.manual_seed(11)
    zo = z(zr.pack_padded_sequence(zerograd.tensor(x), [4, 3, 1]))
    to = t(tr().pack_padded_sequence(torch.tensor(x), [4, 3, 1]))
    assert_same_packed(zo[0], to[0], **tol("float64"))
    np.testing.assert_array_equal(zerograd.rand(3).numpy(), torch.rand(3).numpy())


# forward errors with a packed input; torch's LSTM does not check a packed batch's states (its
# kernel fails or crashes), so those cases are GRU / RNN
PACKED_ERRORS = {
    "GRU h0 batch": lambda nn, L, R: nn.GRU(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [4, 2, 1]), L.zeros(1, 2, 4)),
    "GRU h0 layers": lambda nn, L, R: nn.GRU(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [4, 2, 1]), L.zeros(2, 3, 4)),
    "GRU h0 2-D": lambda nn, L, R: nn.GRU(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [4, 2, 1]), L.zeros(3, 4)),
    "GRU unsorted h0 2-D": lambda nn, L, R: nn.GRU(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [2, 4, 1], enforce_sorted=False),
        L.zeros(3, 4)),
    "RNN input dtype": lambda nn, L, R: nn.RNN(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3, dtype=L.float64), [4, 2, 1])),
    "GRU input size": lambda nn, L, R: nn.GRU(2, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [4, 2, 1])),
    "GRU 3-D data": lambda nn, L, R: nn.GRU(3, 4)(
        R.PackedSequence(L.zeros(7, 3, 1), L.tensor([3, 2, 1, 1]))),
    "LSTM one state": lambda nn, L, R: nn.LSTM(3, 4)(
        R.pack_padded_sequence(L.zeros(4, 3, 3), [4, 2, 1]), (L.zeros(1, 3, 4),)),
}


@requires_torch
@pytest.mark.parametrize("name", list(PACKED_ERRORS))
def test_packed_forward_errors_match_torch(name):
    case = PACKED_ERRORS[name]
    t_type, t_msg = outcome(lambda: case(torch.nn, torch, tr()))
    z_type, z_msg = outcome(lambda: case(zerograd.nn, zerograd, zr))
    assert t_type is not None
    assert z_type is t_type, (z_type, z_msg, t_msg)
    assert z_msg == t_msg


def test_packed_lstm_checks_its_states():
    """torch 2.13 does not check the states of a packed LSTM batch (its kernel fails with
    'got an incorrect number of RNN parameters' or crashes); zerograd checks them as for a
    padded batch."""
    packed = zr.pack_padded_sequence(zerograd.zeros(4, 3, 3), [4, 2, 1])
    m = zerograd.nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 3, 4\), got "
                                           r"\[1, 3, 5\]"):
        m(packed, (zerograd.zeros(1, 3, 4), zerograd.zeros(1, 3, 5)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 3, 4\), got "
                                           r"\[1, 2, 4\]"):
        m(packed, (zerograd.zeros(1, 2, 4), zerograd.zeros(1, 3, 4)))
    with pytest.raises(ValueError, match="RNN input dtype"):
        m(packed.double())
