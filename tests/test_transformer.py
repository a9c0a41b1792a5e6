"""nn.TransformerEncoderLayer / TransformerEncoder / TransformerDecoderLayer /
TransformerDecoder / Transformer against torch 2.13.

Both libraries build the same module after the same manual_seed; the state_dicts must be equal
(keys, order, shapes and values), and so must the outputs (eval mode: every kind of mask,
batch_first, norm_first, unbatched input), the gradients of the inputs and of every parameter,
the train-mode dropout draws, the reprs, the warnings and the errors.
"""
import copy
import inspect
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.autograd import gradcheck
ZT = zerograd.nn           # (the classes load on first use: see test_loaded_on_first_use)

RNG = np.random.default_rng(1234)
E, H, FF, N, S, T = 8, 2, 16, 3, 5, 4        # d_model, nhead, dim_feedforward, batch, src, tgt


def randn(*shape):
    return RNG.standard_normal(shape)


def nn_of(lib):
    """The namespace the classes live in: torch.nn, or zerograd's transformer module."""
    return torch.nn if lib is torch else ZT


def build(lib, cls, *args, seed=0, **kwargs):
    """manual_seed(seed); cls(*args, **kwargs) — for the stacks, built around a fresh layer
    (and a LayerNorm as `norm` unless norm=False), the way a user writes them."""
    lib.manual_seed(seed)
    nn = nn_of(lib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cls in ("TransformerEncoder", "TransformerDecoder"):
            layer_cls = cls + "Layer"
            num_layers = kwargs.pop("num_layers", 2)
            norm = kwargs.pop("norm", True)
            layer = getattr(nn, layer_cls)(*args, **kwargs)
            final = lib.nn.LayerNorm(args[0], dtype=kwargs.get("dtype")) if norm else None
            return getattr(nn, cls)(layer, num_layers, final)
        return getattr(nn, cls)(*args, **kwargs)


def assert_same_state(zm, tm, exact=True):
    zs, ts = zm.state_dict(), tm.state_dict()
    assert list(zs) == list(ts)
    for k, t in ts.items():
        z = zs[k]
        assert tuple(z.shape) == tuple(t.shape), k
        assert str(z.dtype) == str(t.dtype), k
        if exact:
            np.testing.assert_array_equal(z.numpy(), t.numpy(), err_msg=k)


def to_lib(lib, a, dtype):
    """A NumPy array as a tensor of `lib`: bool stays bool, floats take `dtype`."""
    if not isinstance(a, np.ndarray):
        return a
    if a.dtype == bool:
        return lib.tensor(a)
    return lib.tensor(a, dtype=getattr(lib, dtype))


# ----------------------------------------------------------------------------------------------
# inputs and masks
# ----------------------------------------------------------------------------------------------

def seq(length, layout):
    """A sequence input: (L, N, E), (N, L, E) for 'batch_first', (L, E) for 'unbatched'."""
    return randn(*{"seq_first": (length, N, E), "batch_first": (N, length, E),
                   "unbatched": (length, E)}[layout])


def causal(length):
    return np.triu(np.full((length, length), -np.inf), 1)


def bool_mask(rows, cols, heads=None):
    """Random True (= blocked) entries; key 0 always allowed, so no row is all blocked."""
    shape = (rows, cols) if heads is None else (heads, rows, cols)
    m = RNG.random(shape) < 0.4
    m[..., 0] = False
    return m


def float_mask(rows, cols):
    """Random additive values, with -inf where a random bool mask blocks."""
    return np.where(bool_mask(rows, cols), -np.inf, randn(rows, cols))


def padding(cols, layout, as_float=False):
    """A key padding mask (N, S) — (S,) unbatched — padding the end of two sequences."""
    m = np.zeros((N, cols), bool)
    m[0, -2:] = True
    m[2, -1:] = True
    if layout == "unbatched":
        m = m[0]
    return np.where(m, -np.inf, 0.0) if as_float else m


def self_masks(length, layout, names):
    """The mask cases of a self-attention block: {case: kwargs}, spelt with `names`
    = (mask, key padding mask, is_causal) of the module's forward."""
    mask, kpm, causal_flag = names
    heads = H if layout == "unbatched" else N * H
    return {
        "none": {},
        "bool_mask": {mask: bool_mask(length, length)},
        "float_mask": {mask: float_mask(length, length)},
        "mask_3d": {mask: bool_mask(length, length, heads)},
        "causal": {mask: causal(length), causal_flag: True},
        "causal_bool_mask": {mask: causal(length) < 0},
        "kpm_bool": {kpm: padding(length, layout)},
        "kpm_float": {kpm: padding(length, layout, as_float=True)},
        "kpm_and_causal": {mask: causal(length), kpm: padding(length, layout),
                           causal_flag: True},
        "kpm_and_float_mask": {mask: float_mask(length, length), kpm: padding(length, layout)},
    }


ENC_LAYER_NAMES = ("src_mask", "src_key_padding_mask", "is_causal")
ENC_NAMES = ("mask", "src_key_padding_mask", "is_causal")
DEC_NAMES = ("tgt_mask", "tgt_key_padding_mask", "tgt_is_causal")


def cross_masks(layout):
    """Mask cases of the cross-attention (T queries on S memory positions)."""
    return {
        "memory_bool_mask": {"memory_mask": bool_mask(T, S)},
        "memory_float_mask": {"memory_mask": float_mask(T, S)},
        "memory_kpm": {"memory_key_padding_mask": padding(S, layout)},
        "memory_causal": {"memory_mask": np.triu(np.full((T, S), -np.inf), 1),
                          "memory_is_causal": True},
        "all_decoder_masks": {"tgt_mask": causal(T), "tgt_key_padding_mask": padding(T, layout),
                              "memory_mask": float_mask(T, S),
                              "memory_key_padding_mask": padding(S, layout)},
    }


def call_cases(kind, layout):
    """{case: (positional arrays, keyword arrays)} for one module kind and input layout."""
    if kind in ("TransformerEncoderLayer", "TransformerEncoder"):
        names = ENC_LAYER_NAMES if kind == "TransformerEncoderLayer" else ENC_NAMES
        return {c: ([seq(S, layout)], kw) for c, kw in self_masks(S, layout, names).items()}
    if kind in ("TransformerDecoderLayer", "TransformerDecoder"):
        cases = dict(self_masks(T, layout, DEC_NAMES), **cross_masks(layout))
        return {c: ([seq(T, layout), seq(S, layout)], kw) for c, kw in cases.items()}
    src_cases = self_masks(S, layout, ("src_mask", "src_key_padding_mask", "src_is_causal"))
    tgt_cases = self_masks(T, layout, ("tgt_mask", "tgt_key_padding_mask", "tgt_is_causal"))
    cases = {"src_" + c: kw for c, kw in src_cases.items()}
    cases.update({"tgt_" + c: kw for c, kw in tgt_cases.items() if c != "none"})
    cases.update(cross_masks(layout))
    cases["everything"] = {**src_cases["kpm_and_float_mask"],
                           **cross_masks(layout)["all_decoder_masks"],
                           **tgt_cases["kpm_and_causal"]}
    return {c: ([seq(S, layout), seq(T, layout)], kw) for c, kw in cases.items()}


KINDS = ["TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer",
         "TransformerDecoder", "Transformer"]


def ctor_args(kind):
    if kind == "Transformer":
        return (E, H, 1, 2, FF)        # d_model, nhead, encoder layers, decoder layers, ff
    return (E, H, FF)


CONFIGS = {
    "default": {},
    "norm_first": {"norm_first": True},
    "gelu_no_bias": {"activation": "gelu", "bias": False},
}
LAYOUTS = ["seq_first", "batch_first", "unbatched"]


def make_pair(kind, config, layout, dtype, **extra):
    kwargs = {**CONFIGS[config], "batch_first": layout == "batch_first", "dropout": 0.1, **extra}
    kwargs["dtype"] = getattr(zerograd, dtype)
    zm = build(zerograd, kind, *ctor_args(kind), **kwargs)
    kwargs["dtype"] = getattr(torch, dtype)
    tm = build(torch, kind, *ctor_args(kind), **kwargs)
    return zm, tm


def run(lib, module, args, kwargs, dtype, grad=False):
    xs = [to_lib(lib, a, dtype).requires_grad_(grad) for a in args]
    kw = {k: to_lib(lib, v, dtype) for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return module(*xs, **kw), xs


PARITY = [(kind, config, layout) for kind in KINDS for config in CONFIGS for layout in LAYOUTS
          if config == "default" or layout != "unbatched"]


# ----------------------------------------------------------------------------------------------
# 1. parameters: names, order, shapes and initial values
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kwargs", [
    {}, {"norm_first": True, "batch_first": True}, {"bias": False},
    {"activation": "gelu", "layer_norm_eps": 1e-6, "dtype": "float64"}],
    ids=["default", "norm_first_batch_first", "no_bias", "gelu_float64"])
def test_initial_state_equals_torch(kind, kwargs):
    def kw(lib):
        return {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
    zm = build(zerograd, kind, *ctor_args(kind), **kw(zerograd))
    tm = build(torch, kind, *ctor_args(kind), **kw(torch))
    assert_same_state(zm, tm)
    assert [n for n, _ in zm.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in zm.named_parameters()] == [n for n, _ in tm.named_parameters()]


@requires_torch
def test_default_transformer_state_equals_torch():
    """nn.Transformer() at its defaults (d_model 512, 6 + 6 layers): the keys and shapes, and
    the values of a few tensors (xavier_uniform_ re-draws every matrix, in parameter order)."""
    zm, tm = build(zerograd, "Transformer"), build(torch, "Transformer")
    assert_same_state(zm, tm, exact=False)
    zs, ts = zm.state_dict(), tm.state_dict()
    for k in ["encoder.layers.0.self_attn.in_proj_weight", "decoder.layers.5.linear2.weight",
              "decoder.layers.5.linear2.bias", "decoder.norm.weight"]:
        np.testing.assert_array_equal(zs[k].numpy(), ts[k].numpy(), err_msg=k)


@requires_torch
def test_custom_encoder_and_decoder_are_reinitialised():
    for lib in (zerograd, torch):
        lib.manual_seed(3)
    zenc = build(zerograd, "TransformerEncoder", E, H, FF, seed=1, num_layers=1)
    tenc = build(torch, "TransformerEncoder", E, H, FF, seed=1, num_layers=1)
    zdec = build(zerograd, "TransformerDecoderLayer", E, H, FF, seed=2)
    tdec = build(torch, "TransformerDecoderLayer", E, H, FF, seed=2)
    zerograd.manual_seed(5)
    zm = ZT.Transformer(E, H, custom_encoder=zenc, custom_decoder=zdec)
    torch.manual_seed(5)
    tm = torch.nn.Transformer(E, H, custom_encoder=tenc, custom_decoder=tdec)
    assert zm.encoder is zenc and zm.decoder is zdec
    assert_same_state(zm, tm)


def test_stack_layers_are_deep_copies():
    layer = build(zerograd, "TransformerEncoderLayer", E, H, FF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc = ZT.TransformerEncoder(layer, 3)
    assert len(enc.layers) == 3 and enc.num_layers == 3 and enc.norm is None
    assert all(m is not layer for m in enc.layers)
    w = [m.linear1.weight for m in enc.layers]
    assert w[0] is not w[1] and w[1] is not w[2] and w[0] is not layer.linear1.weight
    np.testing.assert_array_equal(w[0].detach().numpy(), w[2].detach().numpy())
    assert not any(p is layer.linear1.weight for p in enc.parameters())


@requires_torch
def test_torch_state_dict_loads():
    tm = build(torch, "Transformer", *ctor_args("Transformer"), seed=7)
    zm = build(zerograd, "Transformer", *ctor_args("Transformer"), seed=8)
    zm.load_state_dict({k: zerograd.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    zm.eval(), tm.eval()
    src, tgt = seq(S, "seq_first"), seq(T, "seq_first")
    oz, _ = run(zerograd, zm, [src, tgt], {}, "float32")
    ot, _ = run(torch, tm, [src, tgt], {}, "float32")
    np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=1e-5, atol=1e-5)


@requires_torch
@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerDecoderLayer"])
def test_attributes_and_signatures_equal_torch(kind):
    for kwargs in [{}, {"activation": "gelu"}, {"activation": "relu", "norm_first": True}]:
        zm = build(zerograd, kind, E, H, FF, **kwargs)
        tm = build(torch, kind, E, H, FF, **kwargs)
        assert zm.norm_first == tm.norm_first
        assert zm.activation.__name__ == tm.activation.__name__
        if kind == "TransformerEncoderLayer":
            assert zm.activation_relu_or_gelu == tm.activation_relu_or_gelu
    for cls in KINDS:
        for meth in ("__init__", "forward"):
            zp = inspect.signature(getattr(getattr(ZT, cls), meth)).parameters
            tp = inspect.signature(getattr(getattr(torch.nn, cls), meth)).parameters
            assert list(zp) == list(tp), (cls, meth)
            for name in tp:
                if name != "activation":
                    assert zp[name].default == tp[name].default, (cls, meth, name)
            if "activation" in tp:
                assert zp["activation"].default is zerograd.nn.functional.relu
    assert isinstance(inspect.getattr_static(ZT.Transformer, "generate_square_subsequent_mask"),
                      staticmethod)


@requires_torch
def test_activation_flags_and_module_activations():
    """torch's activation_relu_or_gelu: 1 for relu (function or nn.ReLU), 2 for gelu, 0 else; a
    Module activation is a registered submodule (in repr and named_modules)."""
    for act, flag in [("relu", 1), ("gelu", 2), ("ReLU", 1), ("GELU", 2), ("Tanh", 0),
                      ("silu", 0)]:
        made = []
        for lib in (zerograd, torch):
            a = getattr(lib.nn, act)() if act[0].isupper() else \
                getattr(lib.nn.functional, act) if act == "silu" else act
            made.append(build(lib, "TransformerEncoderLayer", E, H, FF, activation=a))
        zm, tm = made
        assert zm.activation_relu_or_gelu == tm.activation_relu_or_gelu == flag, act
        assert repr(zm) == repr(tm)
        assert [n for n, _ in zm.named_modules()] == [n for n, _ in tm.named_modules()]


# ----------------------------------------------------------------------------------------------
# 2. eval-mode outputs
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind,config,layout,dtype",
                         [p + ("float64",) for p in PARITY] +
                         [p + ("float32",) for p in PARITY if p[1] == "default"])
def test_eval_outputs_equal_torch(kind, config, layout, dtype):
    """Every mask case of the module: eval mode (dropout off), gradients enabled."""
    zm, tm = make_pair(kind, config, layout, dtype)
    zm.eval(), tm.eval()
    tol = 1e-10 if dtype == "float64" else 1e-5
    for case, (args, kwargs) in call_cases(kind, layout).items():
        oz, _ = run(zerograd, zm, args, kwargs, dtype)
        ot, _ = run(torch, tm, args, kwargs, dtype)
        assert tuple(oz.shape) == tuple(ot.shape), case
        assert str(oz.dtype) == str(ot.dtype), case
        np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=tol,
                                   atol=tol, err_msg=case)


@requires_torch
@pytest.mark.parametrize("kind", ["TransformerEncoderLayer", "TransformerEncoder"])
def test_eval_no_grad_matches_torch_fast_path(kind):
    """Under no_grad, eval, batch_first and an even nhead torch switches to its fused kernel;
    its outputs agree with the formulas zerograd computes (no padding mask on the stack)."""
    zm, tm = make_pair(kind, "default", "batch_first", "float32")
    zm.eval(), tm.eval()
    for case, (args, kwargs) in call_cases(kind, "batch_first").items():
        if kind == "TransformerEncoder" and "src_key_padding_mask" in kwargs:
            continue                                 # see test_encoder_nested_tensor_padding
        if "float_mask" in case:
            continue                                 # see test_fused_kernel_float_masks
        with zerograd.no_grad():
            oz, _ = run(zerograd, zm, args, kwargs, "float32")
        with torch.no_grad():
            ot, _ = run(torch, tm, args, kwargs, "float32")
        np.testing.assert_allclose(oz.numpy(), ot.numpy(), rtol=1e-5, atol=1e-5, err_msg=case)


@requires_torch
def test_fused_kernel_float_masks_differ_from_torch():
    """The documented difference: torch's fused encoder-layer kernel (eval, no_grad,
    batch_first, even nhead) reads a float mask as a boolean one (non-zero = blocked) instead of
    adding it to the scores.  Masks of 0 and -inf agree; for other values zerograd adds them, as
    torch's own regular path (train mode, or grad enabled) does."""
    zm, tm = make_pair("TransformerEncoderLayer", "default", "batch_first", "float32")
    zm.eval(), tm.eval()
    src, mask = seq(S, "batch_first"), randn(S, S)
    mask[:, 0] = 0.0
    with zerograd.no_grad():
        oz, _ = run(zerograd, zm, [src], {"src_mask": mask}, "float32")
    with torch.no_grad():
        fused, _ = run(torch, tm, [src], {"src_mask": mask}, "float32")
        as_bool, _ = run(torch, tm, [src], {"src_mask": mask != 0}, "float32")
    regular, _ = run(torch, tm, [src], {"src_mask": mask}, "float32")
    np.testing.assert_allclose(oz.numpy(), regular.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fused.numpy(), as_bool.numpy(), rtol=1e-5, atol=1e-5)
    assert not np.allclose(oz.numpy(), fused.numpy(), atol=1e-3)


@requires_torch
def test_encoder_nested_tensor_padding_differs_from_torch():
    """The documented difference: torch's TransformerEncoder, in eval mode under no_grad with
    batch_first=True and a (left-aligned) src_key_padding_mask, runs the layers on a nested
    tensor and returns 0 at the padding positions (before the final norm).  zerograd computes
    the layers' formulas there too, as torch does with grad enabled or in train mode; the
    non-padding positions are equal."""
    zm, tm = make_pair("TransformerEncoder", "default", "batch_first", "float32", norm=False)
    zm.eval(), tm.eval()
    src, kpm = seq(S, "batch_first"), padding(S, "batch_first")
    with zerograd.no_grad():
        oz, _ = run(zerograd, zm, [src], {"src_key_padding_mask": kpm}, "float32")
    with torch.no_grad():
        ot, _ = run(torch, tm, [src], {"src_key_padding_mask": kpm}, "float32")
        og, _ = run(torch, tm, [src], {"src_key_padding_mask": kpm}, "float32")
    oz, ot = oz.numpy(), ot.numpy()
    np.testing.assert_allclose(oz[~kpm], ot[~kpm], rtol=1e-5, atol=1e-5)
    assert (ot[kpm] == 0).all() and (np.abs(oz[kpm]) > 0).any()
    ot_grad, _ = run(torch, tm, [src], {"src_key_padding_mask": kpm}, "float32")
    np.testing.assert_allclose(oz, ot_grad.detach().numpy(), rtol=1e-5, atol=1e-5)


@requires_torch
def test_is_causal_detection():
    """TransformerEncoder/Decoder with is_causal=None detect the causal mask and pass
    is_causal=True to the layers (same values); is_causal=True with another mask and no padding
    mask makes attention causal, as in torch's MultiheadAttention."""
    for kind, names in [("TransformerEncoder", ENC_NAMES), ("TransformerDecoder", DEC_NAMES)]:
        zm, tm = make_pair(kind, "default", "seq_first", "float64")
        zm.eval(), tm.eval()
        length = S if kind == "TransformerEncoder" else T
        args = [seq(length, "seq_first")] + ([seq(S, "seq_first")] if length == T else [])
        for kwargs in [{names[0]: causal(length)}, {names[0]: causal(length), names[2]: False},
                       {names[0]: float_mask(length, length), names[2]: True}]:
            oz, _ = run(zerograd, zm, args, kwargs, "float64")
            ot, _ = run(torch, tm, args, kwargs, "float64")
            np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=1e-10,
                                       atol=1e-10)
    for mask, flag in [(causal(4), True), (causal(4) < 0, True), (np.zeros((4, 4)), False),
                       (causal(3), False)]:
        assert ZT.modules.transformer._is_causal_mask(zerograd.tensor(mask), None, 4) is flag


# ----------------------------------------------------------------------------------------------
# 3./4. gradients
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind,config,layout", PARITY)
def test_gradients_equal_torch(kind, config, layout):
    """Train mode with dropout=0: d(sum(out * R)) w.r.t. the inputs and every parameter."""
    zm, tm = make_pair(kind, config, layout, "float64", **{})
    for m in (zm, tm):
        for mod in m.modules():
            if isinstance(mod, (zerograd.nn.Dropout, torch.nn.Dropout)):
                mod.p = 0.0
            if hasattr(mod, "dropout") and isinstance(mod.dropout, float):
                mod.dropout = 0.0                    # MultiheadAttention's attention dropout
    cases = call_cases(kind, layout)
    for case in ["none", "kpm_and_float_mask", "src_kpm_and_float_mask", "all_decoder_masks",
                 "everything"]:
        if case not in cases:
            continue
        args, kwargs = cases[case]
        zm.zero_grad(), tm.zero_grad()
        oz, xz = run(zerograd, zm, args, kwargs, "float64", grad=True)
        ot, xt = run(torch, tm, args, kwargs, "float64", grad=True)
        r = randn(*ot.shape)
        oz.backward(zerograd.tensor(r))
        ot.backward(torch.tensor(r))
        for z, t in zip(xz, xt):
            np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-10)
        zp, tp = dict(zm.named_parameters()), dict(tm.named_parameters())
        for name, t in tp.items():
            assert (zp[name].grad is None) == (t.grad is None), (case, name)
            if t.grad is not None:
                np.testing.assert_allclose(zp[name].grad.numpy(), t.grad.numpy(), rtol=1e-9,
                                           atol=1e-10, err_msg=f"{case} {name}")


@pytest.mark.parametrize("norm_first", [False, True])
def test_gradcheck_encoder_layer(norm_first):
    """Finite differences in float64 w.r.t. the input and every parameter (gradcheck perturbs
    the parameters in place, so the layer sees the perturbed values)."""
    zerograd.manual_seed(0)
    layer = ZT.TransformerEncoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first,
                                       dtype=zerograd.float64)
    src = zerograd.randn(3, 2, 4, dtype=zerograd.float64, requires_grad=True)
    kpm = zerograd.tensor([[False, False, True], [False, False, False]])
    mask = ZT.Transformer.generate_square_subsequent_mask(3, dtype=zerograd.bool)
    assert gradcheck(lambda x, *params: layer(x, src_mask=mask, src_key_padding_mask=kpm),
                     (src, *layer.parameters()))


@pytest.mark.parametrize("norm_first", [False, True])
def test_gradcheck_decoder_layer(norm_first):
    zerograd.manual_seed(0)
    layer = ZT.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=norm_first,
                                       activation="gelu", dtype=zerograd.float64)
    tgt = zerograd.randn(3, 2, 4, dtype=zerograd.float64, requires_grad=True)
    memory = zerograd.randn(5, 2, 4, dtype=zerograd.float64, requires_grad=True)
    mask = ZT.Transformer.generate_square_subsequent_mask(3, dtype=zerograd.float64)
    mkpm = zerograd.tensor([[False, False, False, True, True], [False] * 5])
    assert gradcheck(lambda t, m, *params: layer(t, m, tgt_mask=mask,
                                                 memory_key_padding_mask=mkpm),
                     (tgt, memory, *layer.parameters()))


# ----------------------------------------------------------------------------------------------
# 5. generate_square_subsequent_mask
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("sz", [0, 1, 4])
@pytest.mark.parametrize("kwargs", [{}, {"dtype": "float64"}, {"dtype": "bool"},
                                    {"device": "cpu", "dtype": "float16"}])
def test_generate_square_subsequent_mask(sz, kwargs):
    def kw(lib):
        return {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
    z = ZT.Transformer.generate_square_subsequent_mask(sz, **kw(zerograd))
    t = torch.nn.Transformer.generate_square_subsequent_mask(sz, **kw(torch))
    assert str(z.dtype) == str(t.dtype) and str(z.device) == str(t.device)
    assert tuple(z.shape) == tuple(t.shape) == (sz, sz)
    np.testing.assert_array_equal(z.numpy(), t.numpy())
    assert repr(z) == repr(t)


@requires_torch
def test_generate_square_subsequent_mask_follows_default_dtype():
    old = zerograd.get_default_dtype()
    zerograd.set_default_dtype(zerograd.float64)
    try:
        z = ZT.Transformer.generate_square_subsequent_mask(3)
        t = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    finally:
        zerograd.set_default_dtype(old)
    assert z.dtype is zerograd.float64
    np.testing.assert_array_equal(z.numpy(), t.numpy())
    # the instance spelling is the same static method
    zm = build(zerograd, "Transformer", E, H, 1, 1, FF)
    assert zm.generate_square_subsequent_mask(2).tolist() == [[0.0, float("-inf")], [0.0, 0.0]]


# ----------------------------------------------------------------------------------------------
# 6. errors and warnings
# ----------------------------------------------------------------------------------------------

def raised(fn):
    try:
        fn()
    except Exception as e:      # noqa: BLE001 - the type and message are what is compared
        return type(e).__name__, str(e)
    return None


ERROR_CASES = {
    "nhead_not_dividing": lambda lib, nn: nn.TransformerEncoderLayer(6, 4),
    "nhead_zero": lambda lib, nn: nn.TransformerDecoderLayer(8, 0),
    "bad_activation_encoder": lambda lib, nn: nn.TransformerEncoderLayer(8, 2,
                                                                       activation="tanh"),
    "bad_activation_decoder": lambda lib, nn: nn.TransformerDecoderLayer(8, 2,
                                                                       activation="Relu"),
    "bad_activation_transformer": lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16,
                                                                 activation="swish"),
    "negative_dropout": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, dropout=-0.5),
    "batch_mismatch": lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16)(
        lib.zeros(5, 3, 8), lib.zeros(4, 2, 8)),
    "batch_mismatch_batch_first": lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16,
                                                                 batch_first=True)(
        lib.zeros(3, 5, 8), lib.zeros(2, 4, 8)),
    "feature_mismatch": lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16)(
        lib.zeros(5, 3, 8), lib.zeros(4, 3, 6)),
    "feature_mismatch_unbatched": lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16)(
        lib.zeros(5, 6), lib.zeros(4, 8)),
    "int_src_mask": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(
        lib.zeros(5, 3, 8), src_mask=lib.zeros(5, 5, dtype=lib.int64)),
    "int_key_padding_mask": lambda lib, nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False)(
        lib.zeros(5, 3, 8), src_key_padding_mask=lib.zeros(3, 5, dtype=lib.int32)),
    "is_causal_without_mask": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(
        lib.zeros(5, 3, 8), is_causal=True),
    "decoder_causal_without_mask": lambda lib, nn: nn.TransformerDecoderLayer(8, 2, 16)(
        lib.zeros(4, 3, 8), lib.zeros(5, 3, 8), tgt_is_causal=True),
    "bad_mask_shape": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(
        lib.zeros(5, 3, 8), src_mask=lib.zeros(4, 4)),
    "wrong_d_model": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(lib.zeros(5, 3, 6)),
    "bad_input_dim": lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(
        lib.zeros(2, 5, 3, 8)),
}


@requires_torch
@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_equal_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        z = raised(lambda: ERROR_CASES[case](zerograd, ZT))
        t = raised(lambda: ERROR_CASES[case](torch, torch.nn))
    assert t is not None
    assert z == t


def caught(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category.__name__, str(x.message)) for x in w
            if "nested tensors is in prototype stage" not in str(x.message)]


@requires_torch
@pytest.mark.parametrize("kwargs", [
    {}, {"batch_first": True}, {"batch_first": True, "norm_first": True},
    {"batch_first": True, "bias": False}, {"batch_first": True, "activation": "silu"},
    {"batch_first": True, "nhead": 1}, {"batch_first": True, "layer": "decoder"},
    {"batch_first": True, "enable_nested_tensor": False}, {"norm_first": True, "nhead": 1}])
def test_encoder_nested_tensor_warning_equals_torch(kwargs):
    """TransformerEncoder warns, as torch does, when enable_nested_tensor cannot be honoured,
    and sets use_nested_tensor as torch does."""
    def make(lib, nn):
        kw = dict(kwargs)
        nhead, layer = kw.pop("nhead", 2), kw.pop("layer", "encoder")
        enable = kw.pop("enable_nested_tensor", True)
        if kw.get("activation") == "silu":
            kw["activation"] = lib.nn.functional.silu
        if layer == "decoder":
            el = nn.TransformerDecoderLayer(8, nhead, 16, **kw)
        else:
            el = nn.TransformerEncoderLayer(8, nhead, 16, **kw)
        made.append(nn.TransformerEncoder(el, 1, enable_nested_tensor=enable))
    made = []
    assert caught(lambda: make(zerograd, ZT)) == caught(lambda: make(torch, torch.nn))
    zm, tm = made
    assert (zm.use_nested_tensor, zm.enable_nested_tensor, zm.mask_check) == \
        (tm.use_nested_tensor, tm.enable_nested_tensor, tm.mask_check)


@requires_torch
def test_mismatched_mask_types_warn_as_torch():
    """A bool padding mask with a float attention mask: torch's deprecation warning, once from
    the encoder and once from each layer (and from MultiheadAttention in a decoder layer)."""
    src, tgt = seq(S, "seq_first"), seq(T, "seq_first")
    mask, kpm = float_mask(S, S), padding(S, "seq_first")
    tmask, tkpm = float_mask(T, T), padding(T, "seq_first")
    for kind, args, kwargs in [
            ("TransformerEncoderLayer", [src], {"src_mask": mask, "src_key_padding_mask": kpm}),
            ("TransformerEncoder", [src], {"mask": mask, "src_key_padding_mask": kpm}),
            ("TransformerDecoderLayer", [tgt, src],
             {"tgt_mask": tmask, "tgt_key_padding_mask": tkpm}),
            ("Transformer", [src, tgt], {"tgt_mask": tmask, "tgt_key_padding_mask": tkpm,
                                         "src_mask": mask, "src_key_padding_mask": kpm})]:
        zm, tm = make_pair(kind, "default", "seq_first", "float32")
        out = []
        for lib, m in ((zerograd, zm), (torch, tm)):
            xs = [to_lib(lib, a, "float32") for a in args]
            kw = {k: to_lib(lib, v, "float32") for k, v in kwargs.items()}
            out.append(caught(lambda: m(*xs, **kw)))
        assert out[0] == out[1], kind
        assert out[0], kind


# ----------------------------------------------------------------------------------------------
# 7. repr
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind", KINDS)
def test_repr_equals_torch(kind):
    for kwargs in [{}, {"bias": False, "layer_norm_eps": 1e-6, "dropout": 0.25}]:
        zm = build(zerograd, kind, *ctor_args(kind), **kwargs)
        tm = build(torch, kind, *ctor_args(kind), **kwargs)
        assert repr(zm) == repr(tm)
    if kind in ("TransformerEncoder", "TransformerDecoder"):          # without a final norm
        zm = build(zerograd, kind, *ctor_args(kind), norm=False)
        assert repr(zm) == repr(build(torch, kind, *ctor_args(kind), norm=False))


# ----------------------------------------------------------------------------------------------
# 8. train mode: dropout draws
# ----------------------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("config", ["default", "norm_first"])
def test_train_mode_dropout_equals_torch(kind, config):
    """Train mode with dropout=0.5: the same draws in the same order as torch (per layer: the
    attention weights' dropout inside self_attn, dropout1, [multihead_attn's, dropout2,]
    dropout, then dropout2/dropout3), so the outputs and gradients are equal under the same
    seed — with and without masks."""
    zm, tm = make_pair(kind, config, "seq_first", "float32", dropout=0.5)
    zm.train(), tm.train()
    cases = call_cases(kind, "seq_first")
    for case in ["none", "kpm_and_causal", "tgt_kpm_and_causal", "all_decoder_masks",
                 "everything"]:
        if case not in cases:
            continue
        args, kwargs = cases[case]
        zerograd.manual_seed(11)
        torch.manual_seed(11)
        oz, xz = run(zerograd, zm, args, kwargs, "float32", grad=True)
        ot, xt = run(torch, tm, args, kwargs, "float32", grad=True)
        np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=1e-5,
                                   atol=1e-5, err_msg=case)
        r = randn(*ot.shape)
        oz.backward(zerograd.tensor(r, dtype=zerograd.float32))
        ot.backward(torch.tensor(r, dtype=torch.float32))
        for z, t in zip(xz, xt):
            np.testing.assert_allclose(z.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-5)
        # and the generators are left in the same state
        assert zerograd.rand(3).tolist() == torch.rand(3).tolist()


def test_eval_mode_is_deterministic_and_train_mode_is_not():
    m = build(zerograd, "TransformerEncoderLayer", E, H, FF, dropout=0.5)
    x = zerograd.tensor(seq(S, "seq_first"), dtype=zerograd.float32)
    a, b = m(x), m(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    np.testing.assert_array_equal(m(x).detach().numpy(), m(x).detach().numpy())


def test_deepcopy_of_transformer_is_independent():
    m = build(zerograd, "Transformer", E, H, 1, 1, FF)
    c = copy.deepcopy(m)
    with zerograd.no_grad():
        c.encoder.layers[0].linear1.weight.add_(1.0)
    assert not np.allclose(c.encoder.layers[0].linear1.weight.detach().numpy(),
                           m.encoder.layers[0].linear1.weight.detach().numpy())


# ----------------------------------------------------------------------------------------------
# found through the transformer in zerograd's MultiheadAttention, fixed there (session 16)
# ----------------------------------------------------------------------------------------------

@requires_torch
def test_fully_masked_query_row_equals_torch():
    zm, tm = make_pair("TransformerEncoder", "default", "seq_first", "float32")
    zm.eval(), tm.eval()
    mask = causal(S) < 0
    kpm = np.zeros((N, S), bool)
    kpm[1, :2] = True                         # left padding: query 0 of sequence 1 sees no key
    kwargs = {"mask": mask, "src_key_padding_mask": kpm}
    src = seq(S, "seq_first")
    oz, _ = run(zerograd, zm, [src], kwargs, "float32")
    ot, _ = run(torch, tm, [src], kwargs, "float32")
    assert np.isfinite(ot.detach().numpy()).all()
    np.testing.assert_allclose(oz.detach().numpy(), ot.detach().numpy(), rtol=1e-5, atol=1e-5)


@requires_torch
def test_float_mask_of_other_dtype_raises_as_torch():
    case = lambda lib, nn: nn.TransformerEncoderLayer(8, 2, 16)(  # noqa: E731
        lib.zeros(5, 3, 8), src_mask=lib.zeros(5, 5, dtype=lib.float64))
    assert raised(lambda: case(zerograd, ZT)) == raised(lambda: case(torch, torch.nn))


@requires_torch
def test_unbatched_src_with_batched_tgt_raises_as_torch():
    case = lambda lib, nn: nn.Transformer(8, 2, 1, 1, 16)(  # noqa: E731
        lib.zeros(5, 8), lib.zeros(4, 3, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert raised(lambda: case(zerograd, ZT)) == raised(lambda: case(torch, torch.nn))


def test_loaded_on_first_use():
    """`import zerograd` does not load transformer.py; zerograd.nn.Transformer does."""
    import subprocess
    import sys
    code = ("import sys, zerograd; assert 'zerograd.nn.modules.transformer' not in sys.modules; "
            "from zerograd.nn import Transformer; import zerograd.nn.modules.transformer as t; "
            "assert Transformer is t.Transformer is zerograd.nn.modules.Transformer; "
            "assert 'TransformerEncoderLayer' in dir(zerograd.nn)")
    subprocess.run([sys.executable, "-c", code], check=True)


MHA_CASES = {
    "batched query, 2-D key/value": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 8), L.zeros(5, 8), need_weights=nw),
    "unbatched query, 3-D key/value": lambda L, m, nw: m(L.zeros(5, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), need_weights=nw),
    "1-D key_padding_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), key_padding_mask=L.zeros(5, dtype=L.bool), need_weights=nw),
    "unbatched, 2-D key_padding_mask": lambda L, m, nw: m(L.zeros(5, 8), L.zeros(5, 8), L.zeros(5, 8), key_padding_mask=L.zeros(3, 5, dtype=L.bool), need_weights=nw),
    "4-D attn_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), attn_mask=L.zeros(1, 1, 5, 5), need_weights=nw),
    "unbatched, 3-D attn_mask of the wrong shape": lambda L, m, nw: m(L.zeros(5, 8), L.zeros(5, 8), L.zeros(5, 8), attn_mask=L.zeros(3, 5, 5), need_weights=nw),
    "float64 attn_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), attn_mask=L.zeros(5, 5, dtype=L.float64), need_weights=nw),
    "float16 attn_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), attn_mask=L.zeros(5, 5, dtype=L.float16), need_weights=nw),
    "float64 key_padding_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), key_padding_mask=L.zeros(3, 5, dtype=L.float64), need_weights=nw),
    "int attn_mask": lambda L, m, nw: m(L.zeros(5, 3, 8), L.zeros(5, 3, 8), L.zeros(5, 3, 8), attn_mask=L.zeros(5, 5, dtype=L.int64), need_weights=nw),
}


@requires_torch
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("name", sorted(MHA_CASES))
def test_multihead_attention_input_checks_as_torch(name, need_weights):
    def outcome(L):
        L.manual_seed(0)
        return raised(lambda: MHA_CASES[name](L, L.nn.MultiheadAttention(8, 2), need_weights))
    assert outcome(zerograd) == outcome(torch)


@requires_torch
@pytest.mark.parametrize("batched", [True, False])
def test_multihead_attention_without_weights_gives_zero_for_a_query_that_sees_no_key(batched):
    """need_weights=False is torch's scaled_dot_product_attention path: a fully masked query
    row gives 0 there (and no NaN in the gradients); with weights it is NaN in both."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((3, 2, 8) if batched else (3, 8)).astype(np.float32)
    mask = np.triu(np.ones((3, 3), bool), 0)          # query 0 sees no key
    outs = []
    for L in (zerograd, torch):
        L.manual_seed(0)
        m = L.nn.MultiheadAttention(8, 2)
        x = L.tensor(q, requires_grad=True)
        out, w = m(x, x, x, attn_mask=L.tensor(mask), need_weights=False)
        out.sum().backward()
        outs.append((out.detach().numpy(), x.grad.numpy(), m.in_proj_weight.grad.numpy()))
        assert w is None
        withw = m(x, x, x, attn_mask=L.tensor(mask))[0]
        assert np.isnan(withw.detach().numpy()).any()
    for z, t in zip(*outs):
        assert np.isfinite(z).all()
        np.testing.assert_allclose(z, t, rtol=1e-5, atol=1e-6)
