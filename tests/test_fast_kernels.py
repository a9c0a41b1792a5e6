"""The kernels rewritten for speed (issue 7) against torch, on the cases their shortcuts skip:
relu's backward as a bit mask (nan, -0.0 and infinities in the input and the gradient, every
float dtype), attention's softmax without the row max (scores inside and outside the range
where it is skipped, causal and unmasked, masks that kill whole rows) and its gradients laid out
like q/k/v (head views of one projection)."""
import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch

pytestmark = requires_torch

_X = [-1.0, -0.0, 0.0, 1.0, np.nan, -np.nan, np.inf, -np.inf, 2.0, 3.0, 1e-30, -1e-30]
_G = [-0.0, np.nan, -2.0, -0.0, 1.0, 2.0, np.nan, 3.0, np.inf, -1.0, -np.inf, 0.5]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("shape", [(12,), (3, 4), (2, 3, 2)])
def test_relu_backward_bits_equal_torch(dtype, shape):
    x = np.array(_X, dtype).reshape(shape)
    g = np.array(_G, dtype).reshape(shape)
    tx = torch.tensor(x, requires_grad=True)
    torch.relu(tx).backward(torch.tensor(g))
    zx = zerograd.tensor(x, requires_grad=True)
    zerograd.relu(zx).backward(zerograd.tensor(g))
    # bit for bit: -0.0 of g where x > 0 stays -0.0, nan of g where x <= 0 becomes +0.0
    assert np.array_equal(tx.grad.numpy().view(np.uint8), zx.grad.numpy().view(np.uint8))


def test_relu_backward_strided_and_broadcast_gradients():
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    for make in (lambda a: a.t(), lambda a: a[:, ::2]):
        tx = torch.tensor(x, requires_grad=True)
        make(torch.relu(tx)).sum().backward()            # sum: a broadcast (stride 0) gradient
        zx = zerograd.tensor(x, requires_grad=True)
        make(zerograd.relu(zx)).sum().backward()
        np.testing.assert_array_equal(tx.grad.numpy(), zx.grad.numpy())
    zx = zerograd.tensor(np.float32(-2.0), requires_grad=True)      # 0-d
    zerograd.relu(zx).backward()
    assert zx.grad.item() == 0.0


def _attention_case(scale_scores, mask, seed=0):
    rng = np.random.default_rng(seed)
    B, T, H, E = 2, 6, 2, 4
    qkv = (rng.standard_normal((B, T, 3 * H * E)) * scale_scores).astype(np.float32)
    g = rng.standard_normal((B, H, T, E)).astype(np.float32)
    out = {}
    for lib in (torch, zerograd):
        p = lib.tensor(qkv, requires_grad=True)
        q, k, v = (t.reshape(B, T, H, E).transpose(1, 2) for t in p.split(H * E, dim=2))
        kw = {"is_causal": True} if isinstance(mask, str) and mask == "causal" else {}
        if isinstance(mask, np.ndarray):
            kw["attn_mask"] = lib.tensor(mask)
        y = lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)
        y.backward(lib.tensor(g))
        out[lib.__name__] = (y.detach().numpy(), p.grad.numpy(), type(y.grad_fn).__name__)
    return out["torch"], out["zerograd"]


@pytest.mark.parametrize("mask", [None, "causal", "bool_dead_row", "float"])
@pytest.mark.parametrize("scale_scores", [0.5, 3.0, 40.0])      # |scores| < 60, around, far above
def test_attention_softmax_shortcut_equals_torch(mask, scale_scores):
    T = 6
    if mask == "bool_dead_row":
        m = np.tril(np.ones((T, T), bool))
        m[2] = False                                        # a row that sees no key: P = 0
    elif mask == "float":
        m = np.random.default_rng(1).standard_normal((T, T)).astype(np.float32)
    else:
        m = mask
    (ty, tg, tname), (zy, zgrad, zname) = _attention_case(scale_scores, m)
    assert zname == "ScaledDotProductFlashAttentionForCpuBackward0"
    tol = 2e-5 * max(1.0, scale_scores ** 2)
    np.testing.assert_allclose(zy, ty, rtol=1e-4, atol=tol)
    np.testing.assert_allclose(zgrad, tg, rtol=1e-4, atol=tol)
    assert np.isfinite(zy).all() and np.isfinite(zgrad).all()


def test_attention_nan_scores_take_the_shifted_path():
    """A nan score fails the range check: the row max is subtracted as before (NumPy's max
    propagates the nan through the row, as zerograd's softmax always did)."""
    rng = np.random.default_rng(2)
    q = rng.standard_normal((1, 1, 3, 2)).astype(np.float32)
    q[0, 0, 1, 0] = np.nan
    s = q @ q.swapaxes(-1, -2) / np.float32(np.sqrt(2))
    e = np.exp(s - s.max(-1, keepdims=True))
    ref = (e / e.sum(-1, keepdims=True)) @ q
    t = zerograd.tensor(q)
    got = zerograd.nn.functional.scaled_dot_product_attention(t, t, t).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))


def test_attention_gradients_keep_the_projection_layout():
    """dq/dk/dv come out in q/k/v's memory order: the views back to the (B, T, 3C) projection
    copy nothing, and the projection's gradient is one contiguous array."""
    from zerograd.ops.nn_ops import Attention
    rng = np.random.default_rng(3)
    B, T, H, E = 2, 5, 2, 3
    p = zerograd.tensor(rng.standard_normal((B, T, 3 * H * E)).astype(np.float32),
                        requires_grad=True)
    q, k, v = (t.view(B, T, H, E).transpose(1, 2) for t in p.split(H * E, dim=2))
    y = zerograd.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    node = y.grad_fn
    grads = Attention.np_backward(node, np.ones(y.shape, np.float32))
    for d in grads:
        assert d.swapaxes(1, 2).flags.c_contiguous
    y.sum().backward()
    assert p.grad.is_contiguous()


@pytest.mark.parametrize("heads_view", [True, False])
def test_attention_output_laid_out_like_torch(heads_view):
    """Head views of a (B, T, 3C) projection give an output in (B, T, H, E) memory order, as
    torch's flash kernel does, so y.transpose(1, 2).reshape(B, T, C) is a view (ViewBackward0,
    no copy); contiguous q/k/v give a contiguous output.  Values and gradients equal the
    contiguous computation's bit for bit and torch's to rounding."""
    rng = np.random.default_rng(5)
    B, T, H, E = 2, 6, 3, 4
    x = rng.standard_normal((B, T, 3 * H * E)).astype(np.float32)
    g = rng.standard_normal((B, T, H * E)).astype(np.float32)
    out = {}
    for lib in (torch, zerograd):
        p = lib.tensor(x, requires_grad=True)
        q, k, v = (t.view(B, T, H, E).transpose(1, 2) for t in p.split(H * E, dim=2))
        if not heads_view:
            q, k, v = q.contiguous(), k.contiguous(), v.contiguous()
        y = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        z = y.transpose(1, 2).reshape(B, T, H * E)
        z.backward(lib.tensor(g))
        out[lib.__name__] = (y.stride(), type(z.grad_fn).__name__, z.detach().numpy(),
                             p.grad.numpy())
    ts, zs = out["torch"], out["zerograd"]
    assert zs[0] == ts[0] and zs[1] == ts[1]
    assert zs[1] == ("ViewBackward0" if heads_view else "UnsafeViewBackward0")
    np.testing.assert_allclose(zs[2], ts[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(zs[3], ts[3], rtol=1e-5, atol=1e-6)
    if heads_view:                            # the strided output: the same numbers
        p = zerograd.tensor(x)
        q, k, v = (t.view(B, T, H, E).transpose(1, 2) for t in p.split(H * E, dim=2))
        plain = zerograd.nn.functional.scaled_dot_product_attention(
            q.contiguous(), k.contiguous(), v.contiguous(), is_causal=True)
        np.testing.assert_array_equal(zs[2], plain.transpose(1, 2).reshape(B, T, H * E).numpy())


def test_attention_gradients_of_one_projection_join_without_a_copy(monkeypatch):
    """Large enough head views of one (B, T, 3C) projection: attention writes dq, dk, dv into one
    array laid out like the projection, and split's backward returns it as a view instead of
    concatenating - the same bits as the concatenating path, torch's values to rounding."""
    from zerograd.ops import indexing, nn_ops
    rng = np.random.default_rng(6)
    B, T, H, E = 2, 64, 4, 128                  # q: 65,536 elements (both thresholds reached)
    x = rng.standard_normal((B, T, 3 * H * E)).astype(np.float32)
    g = rng.standard_normal((B, T, H * E)).astype(np.float32)
    joined = []
    real = indexing._adjacent

    def spy(grads, dim, shape):
        out = real(grads, dim, shape)
        joined.append(out is not None)
        return out
    monkeypatch.setattr(indexing, "_adjacent", spy)

    def run(lib):
        p = lib.tensor(x, requires_grad=True)
        q, k, v = (t.view(B, T, H, E).transpose(1, 2) for t in p.split(H * E, dim=2))
        y = lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        y.transpose(1, 2).reshape(B, T, H * E).backward(lib.tensor(g))
        return p.grad.numpy()
    fast = run(zerograd)
    assert joined == [True]
    monkeypatch.setattr(nn_ops, "_JOINT_MIN", 1 << 40)      # separate arrays, concatenated
    plain = run(zerograd)
    assert joined == [True, False]
    np.testing.assert_array_equal(fast, plain)
    np.testing.assert_allclose(fast, run(torch), rtol=1e-4, atol=1e-5)


def test_split_backward_joins_only_adjacent_parts_in_order():
    from zerograd.ops.indexing import _adjacent
    a = np.arange(2 * 3 * 3 * 20000, dtype=np.float32).reshape(2, 3, 60000)
    parts = [a[:, :, i * 20000:(i + 1) * 20000] for i in range(3)]
    whole = _adjacent(parts, 2, a.shape)
    assert whole is not None and np.shares_memory(whole, a)
    np.testing.assert_array_equal(whole, a)
    assert _adjacent(parts[::-1], 2, a.shape) is None               # out of order
    assert _adjacent([parts[0], parts[2], parts[1]], 2, a.shape) is None
    assert _adjacent([parts[0], parts[1].copy(), parts[2]], 2, a.shape) is None
    b = np.arange(3 * 3 * 60000, dtype=np.float32).reshape(3, 3, 60000)[:2]   # not the whole
    assert _adjacent([b[:, :, i * 20000:(i + 1) * 20000] for i in range(3)], 2, (2, 3, 60000)) \
        is not None                                                  # (a C-contiguous part of b)
    c = np.zeros((2, 3, 60003), np.float32)                          # gaps between the parts
    assert _adjacent([c[:, :, i * 20001:i * 20001 + 20000] for i in range(3)], 2,
                     (2, 3, 60000)) is None


def test_split_and_unbind_backward_keep_negative_zero():
    """Their backward is torch's cat / stack of the grads (it was 0 + g: -0.0 became +0.0)."""
    x = np.arange(6.0, dtype=np.float32)
    got = []
    for lib in (torch, zerograd):
        t = lib.tensor(x, requires_grad=True)
        a, b = t.split([2, 4])
        a.backward(lib.tensor([-0.0, 1.0]))
        t.unbind(0)[3].backward(lib.tensor(-0.0))
        got.append(t.grad.numpy())
    assert np.array_equal(np.signbit(got[0]), np.signbit(got[1]))
    np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize("num,special", [(28, None), (28, np.inf), (28, np.nan), (300, None),
                                         (5, -np.inf)])
def test_embedding_backward_small_table_equals_torch(num, special):
    """Small tables take a one-hot product (one BLAS call); a non-finite gradient row must not
    leak into the other rows (0·inf), so it takes the sorted sum as torch's scatter does."""
    rng = np.random.default_rng(4)
    idx = rng.integers(0, num, (6, 7))
    w = rng.standard_normal((num, 3)).astype(np.float32)
    g = rng.standard_normal((6, 7, 3)).astype(np.float32)
    if special is not None:
        g[1, 2, 0] = special
    grads = []
    for lib in (torch, zerograd):
        wt = lib.tensor(w, requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(idx), wt).backward(lib.tensor(g))
        grads.append(wt.grad.numpy())
    np.testing.assert_array_equal(np.isnan(grads[0]), np.isnan(grads[1]))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-5)


def test_nodes_and_tensors_keep_cpythons_fast_attribute_access():
    """No class on a node's or a tensor's MRO may define __getattr__/__getattribute__/__setattr__:
    CPython 3.11 then stops specialising attribute access on every instance (session 7's
    Node.__getattr__ cost backward 8% more instructions).  grad_fn._saved_* are descriptors."""
    from zerograd.autograd.function import Node, Op

    def node_classes():
        stack = [Op]
        while stack:
            cls = stack.pop()
            stack.extend(cls.__subclasses__())
            yield cls._node_cls
    for cls in [zerograd.Tensor, zerograd.nn.Parameter, Node, *node_classes()]:
        for klass in cls.__mro__[:-1]:
            for hook in ("__getattr__", "__getattribute__", "__setattr__"):
                assert hook not in vars(klass), (cls, klass, hook)


def test_saved_attributes_of_an_op_defined_later():
    """An Op defined after zerograd's import gets `_saved_<its forward's names>` too."""
    from zerograd.autograd.function import Op

    class Cube(Op):
        """z = x³      dx = 3·g·x²"""
        @staticmethod
        def forward(ctx, xin):
            ctx.save_for_backward(xin)
            return xin._data ** 3

        @staticmethod
        def backward(ctx, g):
            xin, = ctx.saved_tensors
            return 3 * g * xin * xin

    x = zerograd.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn._saved_xin is x
    with pytest.raises(AttributeError):
        y.grad_fn._saved_nothing_like_this
    y.grad_fn._saved_custom = 5            # a value stored under such a name reads back
    assert y.grad_fn._saved_custom == 5
