"""nn.RNN / LSTM / GRU and their cells against torch 2.13.

Both libraries build the same module after the same manual_seed: the parameters (names, order,
shapes, values) must be torch's bit for bit.  Forward outputs and final states, and the
gradients of a random projection of them w.r.t. the input, the initial states and every
parameter, must equal torch's (torch's state_dict loaded into zerograd's module), batched,
batch_first and unbatched, with and without initial states.  gradcheck runs in float64.  Bad
arguments and bad shapes raise torch's exception type and message; repr is torch's.  In training
mode dropout between layers draws the same masks as torch under the same seed.
"""
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck
zrnn = zerograd.nn           # (the classes load on first use: see test_loaded_on_first_use)

RNG = np.random.default_rng(1234)

# (class name, constructor kwargs): covers tanh/relu, projections, stacking, both directions,
# no bias and batch_first, alone and combined
CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu"}),
    ("RNN", {"num_layers": 2, "bidirectional": True, "nonlinearity": "relu"}),
    ("RNN", {"bias": False, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2}),
    ("LSTM", {"bidirectional": True, "batch_first": True}),
    ("LSTM", {"proj_size": 2}),
    ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"bias": False, "batch_first": True, "num_layers": 2}),
]
CONFIG_IDS = [f"{k}-" + ",".join(f"{a}={b}" for a, b in kw.items()) for k, kw in CONFIGS]
IN, HID, SEQ, BATCH = 3, 4, 5, 2


def _dtype(lib, name):
    return getattr(lib, name)


def build_pair(kind, kw, dtype="float32", input_size=IN, hidden_size=HID, seed=0):
    """(zerograd module, torch module), each built right after manual_seed(seed)."""
    zerograd.manual_seed(seed)
    z = getattr(zrnn, kind)(input_size, hidden_size, dtype=_dtype(zerograd, dtype), **kw)
    torch.manual_seed(seed)
    t = getattr(torch.nn, kind)(input_size, hidden_size, dtype=_dtype(torch, dtype), **kw)
    return z, t


def load_torch_state(z, t):
    """Copy torch's parameters into zerograd's module (through state_dict/load_state_dict)."""
    z.load_state_dict({k: zerograd.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


def num(x):
    return x.detach().numpy()


def pair(a, dtype, grad=True):
    """The same array as a zerograd and a torch tensor (leaves requiring grad)."""
    a = np.asarray(a, dtype=dtype)
    return (zerograd.tensor(a).requires_grad_(grad), torch.tensor(a).requires_grad_(grad))


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-11, atol=1e-12)


def state_shapes(kind, kw, batch):
    """The shapes of h0 (and c0 for the LSTM), batch=None for unbatched input."""
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    lead = (layers,) if batch is None else (layers, batch)
    h = lead + (kw.get("proj_size") or HID,)
    return [h, lead + (HID,)] if kind == "LSTM" else [h]


def input_shape(kw, batched):
    if not batched:
        return (SEQ, IN)
    return (BATCH, SEQ, IN) if kw.get("batch_first") else (SEQ, BATCH, IN)


def flat_outputs(kind, out):
    """output, h_n (and c_n) as a flat list."""
    output, hidden = out
    return [output] + (list(hidden) if kind == "LSTM" else [hidden])


def run_pair(kind, kw, dtype, batched, with_h0, seed=0):
    """Build both modules, load torch's weights into zerograd's, run the same inputs.
    Returns (z module, t module, z inputs, t inputs, z outputs, t outputs) (flat lists)."""
    z, t = build_pair(kind, kw, dtype, seed=seed)
    load_torch_state(z, t)
    arrays = [RNG.standard_normal(input_shape(kw, batched))]
    if with_h0:
        shapes = state_shapes(kind, kw, BATCH if batched else None)
        arrays += [RNG.standard_normal(s) for s in shapes]
    zs, ts = zip(*(pair(a, dtype) for a in arrays))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # torch: "LSTM with projections is not supported
        if not with_h0:                        # with oneDNN" (a note about its kernel choice)
            zo, to = z(zs[0]), t(ts[0])
        elif kind == "LSTM":
            zo, to = z(zs[0], (zs[1], zs[2])), t(ts[0], (ts[1], ts[2]))
        else:
            zo, to = z(zs[0], zs[1]), t(ts[0], ts[1])
    return z, t, list(zs), list(ts), flat_outputs(kind, zo), flat_outputs(kind, to), (zo, to)


# ----------------------------------------------------------------------------------------------
# 1. parameters: names, order, shapes, initial values
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind,kw", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parameters_match_torch_after_same_seed(kind, kw, dtype):
    z, t = build_pair(kind, kw, dtype, seed=3)
    zp, tp = list(z.named_parameters()), list(t.named_parameters())
    assert [n for n, _ in zp] == [n for n, _ in tp]
    assert list(z.state_dict()) == list(t.state_dict())
    assert z._flat_weights_names == t._flat_weights_names
    assert z._all_weights == t._all_weights
    assert [[tuple(w.shape) for w in ws] for ws in z.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t.all_weights]
    for (name, a), (_, b) in zip(zp, tp):
        assert tuple(a.shape) == tuple(b.shape), name
        assert a.dtype.name == str(b.dtype).split(".")[1], name
        np.testing.assert_array_equal(num(a), num(b), err_msg=name)
    # what torch draws next is what zerograd draws next: the same count of random numbers
    np.testing.assert_array_equal(zerograd.rand(3).numpy(), torch.rand(3).numpy())


@requires_torch
def test_attributes_and_reset_parameters():
    z, t = build_pair("LSTM", {"num_layers": 2, "proj_size": 2, "dropout": 0.25})
    for attr in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "proj_size"):
        assert getattr(z, attr) == getattr(t, attr), attr
    assert isinstance(z.dropout, float)
    z2, t2 = build_pair("RNN", {"nonlinearity": "relu"})
    assert z2.nonlinearity == t2.nonlinearity == "relu" and z2.mode == t2.mode == "RNN_RELU"
    zerograd.manual_seed(9)
    torch.manual_seed(9)
    z.reset_parameters()
    t.reset_parameters()
    for a, b in zip(z.parameters(), t.parameters()):
        np.testing.assert_array_equal(num(a), num(b))
    assert z.flatten_parameters() is None
    assert [id(w) for w in z._flat_weights] == [id(p) for p in z.parameters()]
    assert isinstance(z, zrnn.RNNBase) and isinstance(z2, zrnn.RNNBase)


# ----------------------------------------------------------------------------------------------
# 2. forward values  3. gradients
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind,kw", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_h0", [False, True], ids=["no_h0", "h0"])
def test_forward_matches_torch(kind, kw, dtype, batched, with_h0):
    *_, zo, to, (zraw, traw) = run_pair(kind, kw, dtype, batched, with_h0)
    assert len(zo) == len(to)
    for a, b in zip(zo, to):
        assert tuple(a.shape) == tuple(b.shape)
        assert a.dtype.name == dtype
        np.testing.assert_allclose(num(a), num(b), **tol(dtype))
    # the return structure: (output, h_n) or (output, (h_n, c_n)), tuples as torch's
    assert type(zraw) is tuple and len(zraw) == 2
    if kind == "LSTM":
        assert type(zraw[1]) is tuple and len(zraw[1]) == 2


@requires_torch
@pytest.mark.parametrize("kind,kw", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradients_match_torch(kind, kw, batched, dtype):
    z, t, zin, tin, zo, to, _ = run_pair(kind, kw, dtype, batched, with_h0=True)
    weights = [RNG.standard_normal(tuple(o.shape)) for o in to]
    zloss = sum((o * zerograd.tensor(w.astype(dtype))).sum() for o, w in zip(zo, weights))
    tloss = sum((o * torch.tensor(w.astype(dtype))).sum() for o, w in zip(to, weights))
    zloss.backward()
    tloss.backward()
    g_tol = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else tol(dtype)
    for i, (a, b) in enumerate(zip(zin, tin)):      # the input, h0 (and c0)
        assert a.grad is not None, i
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol, err_msg=str(i))
    for (name, a), (_, b) in zip(z.named_parameters(), t.named_parameters()):
        assert a.grad is not None, name
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol, err_msg=name)


@requires_torch
def test_input_projection_is_one_matmul_per_layer_and_direction():
    """The input map x W_ihᵀ + b_ih is computed once for the whole sequence: the weight's
    gradient arrives through one node, whatever the sequence length."""
    z, _ = build_pair("GRU", {"num_layers": 2, "bidirectional": True})
    x = zerograd.randn(7, 2, IN)
    out, h = z(x)
    # every weight_ih is read by exactly one node of the graph (its one matmul); weight_hh by
    # one per time step
    users = {}
    stack = [out.grad_fn, h.grad_fn]
    visited = set()
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in visited:
            continue
        visited.add(id(fn))
        for nxt, _ in fn.next_functions:
            if nxt is not None and type(nxt).__name__ == "AccumulateGrad":
                users[id(nxt.variable)] = users.get(id(nxt.variable), 0) + 1
            stack.append(nxt)
    for name, p in z.named_parameters():
        if name.startswith("weight_ih"):
            assert users[id(p)] == 1, name
        if name.startswith("weight_hh"):
            assert users[id(p)] == 7, name


# ----------------------------------------------------------------------------------------------
# 4. gradcheck (float64, finite differences)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,kw", [
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 1}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("RNN", {"nonlinearity": "tanh", "num_layers": 2}),
])
def test_gradcheck(kind, kw):
    zerograd.manual_seed(0)
    f64 = zerograd.float64
    m = getattr(zrnn, kind)(2, 3, dtype=f64, **kw)
    x = zerograd.randn(*((2, 4, 2) if kw.get("batch_first") else (4, 2, 2)), dtype=f64,
                       requires_grad=True)
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    shapes = [(layers, 2, kw.get("proj_size") or 3)] + ([(layers, 2, 3)] if kind == "LSTM" else [])
    states = [zerograd.randn(*s, dtype=f64, requires_grad=True) for s in shapes]

    def f(x, *states):
        out, hidden = m(x, tuple(states) if kind == "LSTM" else states[0])
        return (out,) + (hidden if kind == "LSTM" else (hidden,))
    assert gradcheck(f, (x, *states))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_cells(kind):
    zerograd.manual_seed(0)
    m = getattr(zrnn, kind)(3, 2, dtype=zerograd.float64)
    x = zerograd.randn(2, 3, dtype=zerograd.float64, requires_grad=True)
    n_states = 2 if kind == "LSTMCell" else 1
    states = [zerograd.randn(2, 2, dtype=zerograd.float64, requires_grad=True)
              for _ in range(n_states)]

    def f(x, *states):
        return m(x, tuple(states) if kind == "LSTMCell" else states[0])
    assert gradcheck(f, (x, *states))


# ----------------------------------------------------------------------------------------------
# 5. cells
# ----------------------------------------------------------------------------------------------

CELL_CONFIGS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                ("RNNCell", {"bias": False}), ("LSTMCell", {}), ("LSTMCell", {"bias": False}),
                ("GRUCell", {}), ("GRUCell", {"bias": False})]
CELL_IDS = [f"{k}-" + ",".join(f"{a}={b}" for a, b in kw.items()) for k, kw in CELL_CONFIGS]


@requires_torch
@pytest.mark.parametrize("kind,kw", CELL_CONFIGS, ids=CELL_IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_hx", [False, True], ids=["no_hx", "hx"])
def test_cells_match_torch(kind, kw, dtype, batched, with_hx):
    z, t = build_pair(kind, kw, dtype, seed=5)
    assert [n for n, _ in z.named_parameters()] == [n for n, _ in t.named_parameters()]
    for a, b in zip(z.parameters(), t.parameters()):
        np.testing.assert_array_equal(num(a), num(b))
    assert (z.bias_ih is None) == (t.bias_ih is None)
    lead = (BATCH,) if batched else ()
    arrays = [RNG.standard_normal(lead + (IN,))]
    if with_hx:
        n_states = 2 if kind == "LSTMCell" else 1
        arrays += [RNG.standard_normal(lead + (HID,)) for _ in range(n_states)]
    zs, ts = zip(*(pair(a, dtype) for a in arrays))
    if not with_hx:
        zo, to = z(zs[0]), t(ts[0])
    elif kind == "LSTMCell":
        zo, to = z(zs[0], (zs[1], zs[2])), t(ts[0], (ts[1], ts[2]))
    else:
        zo, to = z(zs[0], zs[1]), t(ts[0], ts[1])
    if kind == "LSTMCell":
        assert type(zo) is tuple and len(zo) == 2
    zo, to = (list(zo), list(to)) if kind == "LSTMCell" else ([zo], [to])
    for a, b in zip(zo, to):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(num(a), num(b), **tol(dtype))
    weights = [RNG.standard_normal(tuple(o.shape)).astype(dtype) for o in to]
    sum((o * zerograd.tensor(w)).sum() for o, w in zip(zo, weights)).backward()
    sum((o * torch.tensor(w)).sum() for o, w in zip(to, weights)).backward()
    g_tol = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else tol(dtype)
    for a, b in zip(zs, ts):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol)
    for (name, a), (_, b) in zip(z.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **g_tol, err_msg=name)


@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_cell_unrolled_equals_one_layer(kind):
    """A one-layer module is its cell applied step by step (same weights)."""
    m = getattr(zrnn, kind)(IN, HID)
    cell = getattr(zrnn, kind + "Cell")(IN, HID)
    cell.load_state_dict({k[:-3]: v for k, v in m.state_dict().items()})
    x = zerograd.randn(SEQ, BATCH, IN)
    out, hidden = m(x)
    state = None
    steps = []
    for t in range(SEQ):
        state = cell(x[t], state)
        steps.append(state[0] if kind == "LSTM" else state)
    np.testing.assert_allclose(num(out), num(zerograd.stack(steps)), rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------------------------
# 6. errors and warnings
# ----------------------------------------------------------------------------------------------

def _z(*s):
    return zerograd.zeros(*s)


# each case: lib -> the failing call, given the library (zerograd's modules come from zrnn)
def _nn(lib):
    return zrnn if lib is zerograd else torch.nn


CTOR_ERRORS = {
    "dropout>1": lambda nn: nn.LSTM(3, 4, dropout=1.5),
    "dropout<0": lambda nn: nn.GRU(3, 4, dropout=-0.1),
    "dropout bool": lambda nn: nn.LSTM(3, 4, dropout=True),
    "dropout str": lambda nn: nn.LSTM(3, 4, dropout="a"),
    "dropout None": lambda nn: nn.LSTM(3, 4, dropout=None),
    "proj_size=hidden": lambda nn: nn.LSTM(3, 4, proj_size=4),
    "proj_size<0": lambda nn: nn.LSTM(3, 4, proj_size=-1),
    "hidden_size=0": lambda nn: nn.LSTM(3, 0),
    "input_size=0": lambda nn: nn.GRU(0, 3),
    "num_layers=0": lambda nn: nn.RNN(3, 4, 0),
    "num_layers float": lambda nn: nn.LSTM(3, 4, num_layers=2.0),
    "input_size float": lambda nn: nn.LSTM(3.0, 4),
    "hidden_size float": lambda nn: nn.RNN(3, 4.0),
    "bias int": lambda nn: nn.LSTM(3, 4, bias=1),
    "batch_first int": lambda nn: nn.GRU(3, 4, batch_first=1),
    "nonlinearity": lambda nn: nn.RNN(3, 4, nonlinearity="gelu"),
    "nonlinearity positional": lambda nn: nn.RNN(3, 4, 1, "sigmoid"),
    "RNN proj_size": lambda nn: nn.RNN(3, 4, proj_size=2),
    "GRU proj_size": lambda nn: nn.GRU(3, 4, proj_size=2),
    "GRU unknown kwarg": lambda nn: nn.GRU(3, 4, foo=2),
    "mode": lambda nn: nn.RNNBase("FOO", 3, 4),
    "RNNBase forward": lambda nn: nn.RNNBase("LSTM", 3, 4)(
        (zerograd if nn is zrnn else torch).zeros(2, 1, 3)),
}


def _forward_errors():
    """name -> f(nn, lib): calls with bad shapes (lib makes the tensors)."""
    return {
        "LSTM input 4-D": lambda nn, L: nn.LSTM(3, 4)(L.zeros(2, 3, 3, 3)),
        "LSTM input 1-D": lambda nn, L: nn.LSTM(3, 4)(L.zeros(3)),
        "RNN input 1-D": lambda nn, L: nn.RNN(3, 4)(L.zeros(3)),
        "GRU input 4-D": lambda nn, L: nn.GRU(3, 4)(L.zeros(1, 2, 3, 3)),
        "feature size": lambda nn, L: nn.LSTM(3, 4)(L.zeros(2, 3, 5)),
        "feature size unbatched": lambda nn, L: nn.GRU(3, 4)(L.zeros(2, 5)),
        "RNN h0 batch": lambda nn, L: nn.RNN(3, 4)(L.zeros(2, 3, 3), L.zeros(1, 2, 4)),
        "RNN h0 rank batched": lambda nn, L: nn.RNN(3, 4)(L.zeros(2, 3, 3), L.zeros(2, 4)),
        "RNN h0 rank unbatched": lambda nn, L: nn.RNN(3, 4)(L.zeros(2, 3), L.zeros(1, 1, 4)),
        "RNN h0 size unbatched": lambda nn, L: nn.RNN(3, 4)(L.zeros(2, 3), L.zeros(1, 5)),
        "GRU h0 layers": lambda nn, L: nn.GRU(3, 4)(L.zeros(2, 3), L.zeros(2, 4)),
        "GRU bidirectional h0": lambda nn, L: nn.GRU(3, 4, bidirectional=True)(
            L.zeros(2, 1, 3), L.zeros(1, 1, 4)),
        "batch_first h0": lambda nn, L: nn.GRU(3, 4, batch_first=True)(
            L.zeros(2, 5, 3), L.zeros(1, 5, 4)),
        "LSTM c0 size": lambda nn, L: nn.LSTM(3, 4)(
            L.zeros(2, 5, 3), (L.zeros(1, 5, 4), L.zeros(1, 5, 3))),
        "LSTM h0 batch": lambda nn, L: nn.LSTM(3, 4)(
            L.zeros(2, 5, 3), (L.zeros(1, 4, 4), L.zeros(1, 5, 4))),
        "LSTM proj h0": lambda nn, L: nn.LSTM(3, 4, proj_size=2)(
            L.zeros(2, 5, 3), (L.zeros(1, 5, 4), L.zeros(1, 5, 4))),
        "LSTM hx rank batched": lambda nn, L: nn.LSTM(3, 4)(
            L.zeros(2, 5, 3), (L.zeros(5, 4), L.zeros(1, 5, 4))),
        "LSTM hx rank unbatched": lambda nn, L: nn.LSTM(3, 4)(
            L.zeros(2, 3), (L.zeros(1, 1, 4), L.zeros(1, 4))),
        "input dtype": lambda nn, L: nn.LSTM(3, 4)(L.zeros(2, 5, 3, dtype=L.float64)),
        "GRU h0 dtype": lambda nn, L: nn.GRU(3, 4)(L.zeros(2, 1, 3),
                                                  L.zeros(1, 1, 4, dtype=L.float64)),
        "GRUCell input dtype": lambda nn, L: nn.GRUCell(3, 4)(L.zeros(2, 3, dtype=L.float64)),
        "RNNCell hx dtype": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 3),
                                                          L.zeros(2, 4, dtype=L.float64)),
        "empty sequence": lambda nn, L: nn.GRU(3, 4)(L.zeros(0, 3)),
        "empty sequence batch_first": lambda nn, L: nn.RNN(3, 4, batch_first=True)(
            L.zeros(2, 0, 3)),
        "RNNCell input size": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 5)),
        "RNNCell hidden size": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 3), L.zeros(2, 5)),
        "RNNCell batch": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 3), L.zeros(3, 5)),
        "RNNCell input rank": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 2, 3)),
        "RNNCell hidden rank": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 3), L.zeros(1, 2, 4)),
        "RNNCell unbatched 2-D hx": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(3), L.zeros(1, 4)),
        "RNNCell batched 1-D hx": lambda nn, L: nn.RNNCell(3, 4)(L.zeros(2, 3), L.zeros(4)),
        "RNNCell nonlinearity": lambda nn, L: nn.RNNCell(3, 4, nonlinearity="gelu")(L.zeros(3)),
        "GRUCell input rank": lambda nn, L: nn.GRUCell(3, 4)(L.zeros(2, 2, 3)),
        "GRUCell hidden rank": lambda nn, L: nn.GRUCell(3, 4)(L.zeros(3), L.zeros(1, 1, 4)),
        "GRUCell batch": lambda nn, L: nn.GRUCell(3, 4)(L.zeros(2, 3), L.zeros(3, 4)),
        "LSTMCell input size": lambda nn, L: nn.LSTMCell(3, 4)(L.zeros(2, 5)),
        "LSTMCell hidden1 size": lambda nn, L: nn.LSTMCell(3, 4)(
            L.zeros(2, 3), (L.zeros(2, 4), L.zeros(2, 5))),
        "LSTMCell hidden1 batch": lambda nn, L: nn.LSTMCell(3, 4)(
            L.zeros(2, 3), (L.zeros(2, 4), L.zeros(3, 4))),
        "LSTMCell hx rank": lambda nn, L: nn.LSTMCell(3, 4)(
            L.zeros(2, 3), (L.zeros(1, 2, 4), L.zeros(2, 4))),
        "LSTMCell one state": lambda nn, L: nn.LSTMCell(3, 4)(L.zeros(2, 3), (L.zeros(2, 4),)),
        "LSTMCell tensor hx": lambda nn, L: nn.LSTMCell(3, 4)(L.zeros(2, 3), L.zeros(2, 4)),
    }


FORWARD_ERRORS = _forward_errors()


def _outcome(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Exception as e:      # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None, None


@requires_torch
@pytest.mark.parametrize("name", list(CTOR_ERRORS))
def test_constructor_errors_match_torch(name):
    case = CTOR_ERRORS[name]
    t_type, t_msg = _outcome(lambda: case(torch.nn))
    z_type, z_msg = _outcome(lambda: case(zrnn))
    assert t_type is not None
    assert z_type is t_type, (z_type, z_msg, t_msg)
    if name == "GRU unknown kwarg":     # Python's own message names the class that took **kwargs
        assert "unexpected keyword argument 'foo'" in z_msg
    else:
        assert z_msg == t_msg


@requires_torch
@pytest.mark.parametrize("name", list(FORWARD_ERRORS))
def test_forward_errors_match_torch(name):
    case = FORWARD_ERRORS[name]
    t_type, t_msg = _outcome(lambda: case(torch.nn, torch))
    z_type, z_msg = _outcome(lambda: case(zrnn, zerograd))
    assert t_type is not None
    assert z_type is t_type, (z_type, z_msg, t_msg)
    assert z_msg == t_msg


@requires_torch
def test_dropout_with_one_layer_warns_as_torch():
    for nn in (torch.nn, zrnn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            nn.GRU(3, 4, dropout=0.5)
        msgs = [(x.category, str(x.message)) for x in w]
        if nn is torch.nn:
            expected = msgs
        else:
            assert msgs == expected and expected[0][0] is UserWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zrnn.GRU(3, 4, num_layers=2, dropout=0.5)      # no warning with more than one layer


# (PackedSequence input: tests/test_rnn_packing.py)


# ----------------------------------------------------------------------------------------------
# 7. repr
# ----------------------------------------------------------------------------------------------

REPR_CASES = [
    ("LSTM", (10, 20), {"num_layers": 2, "batch_first": True}),
    ("LSTM", (10, 20), {"proj_size": 5, "bidirectional": True, "dropout": 0.5, "num_layers": 2}),
    ("LSTM", (3, 4, 1, False), {}),
    ("RNN", (3, 4), {"nonlinearity": "relu"}),
    ("RNN", (3, 4, 2, "relu", True, True), {}),
    ("GRU", (3, 4), {"dropout": 0.25, "num_layers": 3}),
    ("GRU", (3, 4), {}),
    ("RNNBase", ("LSTM", 3, 4), {}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}),
    ("RNNCell", (3, 4, False, "gelu"), {}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
]


@requires_torch
@pytest.mark.parametrize("kind,args,kw", REPR_CASES)
def test_repr_matches_torch(kind, args, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(getattr(zrnn, kind)(*args, **kw)) == repr(getattr(torch.nn, kind)(*args, **kw))


@requires_torch
def test_repr_inside_a_container():
    zs = zerograd.nn.Sequential(zrnn.LSTM(3, 4, num_layers=2))
    ts = torch.nn.Sequential(torch.nn.LSTM(3, 4, num_layers=2))
    assert repr(zs) == repr(ts)


# ----------------------------------------------------------------------------------------------
# 8. dropout between layers, train and eval modes
# ----------------------------------------------------------------------------------------------

DROPOUT_CONFIGS = [
    ("LSTM", {"num_layers": 3, "dropout": 0.5}),
    ("LSTM", {"num_layers": 2, "dropout": 0.4, "proj_size": 2, "bidirectional": True}),
    ("GRU", {"num_layers": 2, "dropout": 0.3, "bidirectional": True, "batch_first": True}),
    ("RNN", {"num_layers": 3, "dropout": 0.5, "nonlinearity": "relu"}),
]


@requires_torch
@pytest.mark.parametrize("kind,kw", DROPOUT_CONFIGS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_train_mode_dropout_draws_torchs_masks(kind, kw, dtype):
    """torch's CPU kernel applies dropout (bernoulli masks from the global generator) to every
    layer's output but the last, in training: zerograd draws the same masks in the same order,
    so the outputs and the gradients agree under the same seed - and a second call (fresh
    masks) agrees too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z, t = build_pair(kind, kw, dtype)
        assert z.training and t.training
        x = RNG.standard_normal(input_shape(kw, True))
        zerograd.manual_seed(11)
        torch.manual_seed(11)
        for _ in range(2):
            zx, tx = pair(x, dtype)
            zo, to = flat_outputs(kind, z(zx)), flat_outputs(kind, t(tx))
            for a, b in zip(zo, to):
                np.testing.assert_allclose(num(a), num(b), **tol(dtype))
            zo[0].sum().backward()
            to[0].sum().backward()
            np.testing.assert_allclose(zx.grad.numpy(), tx.grad.numpy(), rtol=2e-5, atol=2e-6)
        # the generators are in the same place afterwards
        np.testing.assert_array_equal(zerograd.rand(4).numpy(), torch.rand(4).numpy())


@requires_torch
def test_dropout_is_off_in_eval_mode():
    """Training: fresh masks on every call.  eval(): no dropout, no random numbers drawn, and
    the output is torch's eval output."""
    z, t = build_pair("GRU", {"num_layers": 2, "dropout": 0.5})
    x = zerograd.randn(SEQ, BATCH, IN)
    assert not np.allclose(num(z(x)[0]), num(z(x)[0]))
    z.eval()
    t.eval()
    zerograd.manual_seed(0)
    torch.manual_seed(0)
    e1, e2 = z(x)[0], z(x)[0]
    np.testing.assert_array_equal(num(e1), num(e2))
    np.testing.assert_array_equal(zerograd.rand(3).numpy(), torch.rand(3).numpy())
    load_torch_state(z, t)
    np.testing.assert_allclose(num(z(x)[0]), num(t(torch.tensor(x.numpy()))[0]),
                               rtol=1e-5, atol=1e-6)


def test_loaded_on_first_use():
    """`import zerograd` does not load rnn.py; zerograd.nn.LSTM (and torch's other spellings)
    does, and they are the same classes."""
    import subprocess
    import sys
    code = ("import sys, zerograd; assert 'zerograd.nn.modules.rnn' not in sys.modules; "
            "from zerograd.nn import LSTM; import zerograd.nn.modules.rnn as r; "
            "assert LSTM is r.LSTM is zerograd.nn.modules.LSTM; "
            "assert {'RNN', 'GRUCell'} <= set(dir(zerograd.nn))")
    subprocess.run([sys.executable, "-c", code], check=True)
