"""torch.autocast on the CPU (session 15), against torch: which ops compute in bfloat16/float16
(linear, matmul and the products, convolutions, attention) and which in float32 (the losses,
prod), the ToCopyBackward0 casts in the graph and the one cached cast of each weight, nesting,
the decorator form, the disabled forms and their warnings; then a model's loss and gradients
under autocast."""
import warnings

import numpy as np
import pytest

import zerograd

from ._oracle import requires_torch, torch as _torch

pytestmark = requires_torch


def _report(torch):
    warnings.simplefilter("ignore")
    out = []
    F = torch.nn.functional
    torch.manual_seed(0)
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    names = lambda fn: [(n.name() if n else None) for n, _ in fn.next_functions]
    with torch.autocast("cpu"):
        out.append((torch.is_autocast_enabled("cpu"), torch.is_autocast_enabled(), str(torch.get_autocast_dtype("cpu"))))
        y = lin(x); out.append((str(y.dtype), y.grad_fn.name(), names(y.grad_fn)))
        t = y.grad_fn.next_functions[2][0]; out.append(names(t))
        out.append(str(y.relu().dtype))
        l = F.cross_entropy(y, torch.tensor([0, 1])); out.append((str(l.dtype), l.grad_fn.name()))
        out.append(("matmul", str((x @ x.t()).dtype), str(x.matmul(x.t()).dtype), str(torch.mm(x, x.t()).dtype), str(torch.bmm(x[None], x.t()[None]).dtype)))
        out.append(("f64", str((x.double() @ x.double().t()).dtype)))
        y2 = lin(x); out.append(("cache", y2.grad_fn.next_functions[2][0].next_functions[0][0] is t.next_functions[0][0]))
        out.append(("add", str((y + x[:, :3]).dtype)))
        with torch.autocast("cpu", enabled=False):
            out.append(("off", str(lin(x).dtype), torch.is_autocast_enabled("cpu")))
        out.append((str(y.sum().dtype), str(y.softmax(-1).dtype), str(y.prod().dtype), str(F.mse_loss(y, torch.zeros(2, 3)).dtype)))
        q = torch.randn(1, 2, 5, 4)
        out.append(("sdpa", str(F.scaled_dot_product_attention(q, q, q).dtype)))
        out.append(("addmm", str(torch.addmm(torch.zeros(2, 2), x, x.t()).dtype), str(torch.baddbmm(torch.zeros(1, 2, 2), x[None], x.t()[None]).dtype)))
        c = torch.nn.Conv1d(2, 3, 3); out.append(("conv", str(c(torch.randn(1, 2, 6)).dtype)))
        vals = y.float()
    l.backward(); out.append((str(lin.weight.grad.dtype), [round(v, 2) for v in lin.weight.grad.flatten().tolist()]))
    out.append([round(v, 2) for v in vals.flatten().tolist()])
    out.append(torch.is_autocast_enabled("cpu"))
    with torch.autocast("cpu", dtype=torch.float16): out.append(str(lin(x).dtype))
    with torch.autocast("cpu", dtype=torch.float32): out.append(("f32", str(lin(x).dtype)))
    with torch.autocast("cuda"): out.append(("cuda", str(lin(x).dtype)))
    with torch.amp.autocast("cpu"): out.append(("amp", str(lin(x).dtype)))
    @torch.autocast("cpu")
    def f(a): return lin(a)
    out.append(("decorator", str(f(x).dtype), torch.is_autocast_enabled("cpu")))
    for bad in (lambda: torch.autocast("tpu"), lambda: torch.autocast(5)):
        try: bad(); out.append("no error")
        except Exception as e: out.append((type(e).__name__, str(e)[:60]))
    return [repr(o) for o in out]


def test_autocast_as_torch():
    with warnings.catch_warnings():
        assert _report(zerograd) == _report(_torch)


@pytest.mark.parametrize("dt", ["bfloat16", "float16"])
def test_a_model_under_autocast_as_torch(dt):
    """An embedding, attention, an MLP and cross-entropy under autocast: the loss in float32,
    the float32 parameters' gradients in float32, values within the half type's rounding."""
    res = []
    for L in (_torch, zerograd):
        L.manual_seed(0)
        emb = L.nn.Embedding(11, 8)
        attn = L.nn.Linear(8, 24)
        mlp = L.nn.Sequential(L.nn.Linear(8, 16), L.nn.GELU(), L.nn.Linear(16, 11))
        idx = L.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
        with L.autocast("cpu", dtype=getattr(L, dt)):
            h = emb(idx)
            q, k, v = attn(h).view(2, 4, 3, 8).unbind(2)
            a = L.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
            logits = mlp(h + a)
            loss = L.nn.functional.cross_entropy(logits.view(-1, 11), idx.view(-1))
        loss.backward()
        res.append((str(logits.dtype), str(loss.dtype), loss.item(),
                    [(str(p.grad.dtype), p.grad.numpy().copy()) for p in
                     [emb.weight, attn.weight, mlp[0].weight, mlp[2].bias]]))
    (tl, tdt, tv, tg), (zl, zdt, zv, zg) = res
    assert (zl, zdt) == (tl, tdt)
    assert abs(zv - tv) < 2e-2
    for (a, ga), (b, gb) in zip(zg, tg):
        assert a == b
        np.testing.assert_allclose(ga, gb, rtol=5e-2, atol=5e-3)


def test_bfloat16_products_keep_their_dtype():
    """conv1d, baddbmm, addbmm of bfloat16 tensors are bfloat16 (NumPy's products came back
    float32; addbmm's einsum had no bfloat16 loop and raised)."""
    got = []
    for L in (_torch, zerograd):
        L.manual_seed(0)
        x, w, b = L.randn(1, 2, 6).bfloat16(), L.randn(3, 2, 3).bfloat16(), L.randn(3).bfloat16()
        c = L.zeros(1, 2, 2).bfloat16()
        p, q = L.randn(1, 2, 4).bfloat16(), L.randn(1, 4, 2).bfloat16()
        rs = [L.nn.functional.conv1d(x, w, b), L.baddbmm(c, p, q), L.addbmm(c[0], p, q)]
        got.append([(str(r.dtype), r.float().tolist()) for r in rs])
    assert got[1] == got[0]


def _custom_fwd_report(torch):
    out = []
    class F(torch.autograd.Function):
        @staticmethod
        @torch.amp.custom_fwd(device_type='cpu', cast_inputs=torch.float32)
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b); return a @ b
        @staticmethod
        @torch.amp.custom_bwd(device_type='cpu')
        def backward(ctx, g):
            a, b = ctx.saved_tensors; out.append(("bwd", torch.is_autocast_enabled("cpu"), str(g.dtype)))
            return g @ b.t(), a.t() @ g
    class G(torch.autograd.Function):
        @staticmethod
        @torch.amp.custom_fwd(device_type='cpu')
        def forward(ctx, a):
            out.append(("fwd", torch.is_autocast_enabled("cpu"))); return a @ a.t()
        @staticmethod
        @torch.amp.custom_bwd(device_type='cpu')
        def backward(ctx, g):
            out.append(("bwdG", torch.is_autocast_enabled("cpu"))); return g @ torch.ones(2, 2) * 0 + g.sum()
    a = torch.ones(2, 2, requires_grad=True); b = torch.ones(2, 2, requires_grad=True)
    with torch.autocast("cpu"):
        y = F.apply(a.bfloat16(), b); out.append(str(y.dtype)); z = G.apply(a); out.append(str(z.dtype))
    (y.float().sum() + z.float().sum()).backward(); out.append((str(a.grad.dtype), a.grad.tolist()))
    out.append(F.apply(torch.ones(2, 2, dtype=torch.float64), torch.ones(2, 2, dtype=torch.float64)).dtype.__repr__())
    with torch.autocast("cpu:0"): out.append(str(torch.mm(a, b).dtype))
    try: torch.autocast("cpu", dtype="bfloat16"); out.append("no error")
    except TypeError as e: out.append("TypeError")
    return [repr(o) for o in out]


def test_custom_fwd_bwd_and_autocast_spellings_as_torch():
    """torch.amp.custom_fwd / custom_bwd (cast_inputs: float inputs but float64 cast, autocast off
    inside and in the backward), autocast("cpu:0")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _custom_fwd_report(zerograd) == _custom_fwd_report(_torch)


def test_mixed_norms_out_and_inplace_under_autocast_as_torch():
    """BatchNorm/GroupNorm/InstanceNorm of a half input with float32 parameters compute in float32
    (they raised); out= and in-place variants are not autocast (torch's rule)."""
    got = []
    for L in (_torch, zerograd):
        L.manual_seed(0)
        conv, bn, gn = L.nn.Conv2d(3, 4, 3), L.nn.BatchNorm2d(4), L.nn.GroupNorm(2, 4)
        inn = L.nn.InstanceNorm2d(4, affine=True)
        x = L.randn(2, 3, 6, 6)
        a, b = L.ones(2, 3) / 3, L.ones(3, 2) / 7
        with L.autocast("cpu"):
            h = conv(x)
            outs = [bn(h), gn(h), inn(h)]
            r = L.mm(a, b, out=L.empty(2, 2))
            c = L.zeros(1, 2, 2)
            c.baddbmm_(a[None], b[None])
        bn.eval()
        with L.autocast("cpu"):
            outs.append(bn(conv(x)))
        got.append(([str(o.dtype) for o in outs], [round(o.float().std().item(), 3) for o in outs],
                    bn.running_mean.tolist(), str(r.dtype), str(c.dtype),
                    round(c[0, 0, 0].item(), 6)))
    assert got[1][0] == got[0][0] and got[1][3:] == got[0][3:]
    np.testing.assert_allclose(got[1][1], got[0][1], atol=2e-3)
    np.testing.assert_allclose(got[1][2], got[0][2], rtol=1e-5, atol=1e-7)


def test_more_ops_on_torch_autocast_lists():
    got = []
    for L in (_torch, zerograd):
        L.manual_seed(0)
        x = L.randn(3, 3)
        xb = x.bfloat16()
        spd = (xb @ xb.t()).float().bfloat16() + 3 * L.eye(3).bfloat16()
        with L.autocast("cpu"):
            rs = [L.einsum("ij,jk->ik", x, x), L.tensordot(x, x, 1), L.linalg.vecdot(x, x),
                  L.trace(xb), L.cdist(xb, xb), L.quantile(xb[0], 0.5),
                  L.inverse(xb + 3 * L.eye(3).bfloat16()), L.linalg.inv(spd), L.pinverse(xb),
                  L.linalg.cholesky(spd)]
        got.append([str(r.dtype) for r in rs])
    assert got[1] == got[0]


def test_bfloat16_linear_rounds_once_as_torch():
    """x @ wᵀ + b of bfloat16 tensors: products and bias summed in float32, rounded once (twice
    before: 970 of 3072 elements an ulp off)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32)).astype(np.float32)
    w = rng.standard_normal((48, 32)).astype(np.float32)
    b = rng.standard_normal(48).astype(np.float32)
    r = [L.nn.functional.linear(L.tensor(x).bfloat16(), L.tensor(w).bfloat16(),
                                L.tensor(b).bfloat16()).float().numpy() for L in (_torch, zerograd)]
    np.testing.assert_array_equal(r[1], r[0])


def test_deprecated_autocast_spellings():
    for L in (_torch, zerograd):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with L.cpu.amp.autocast():
                a = (L.mm(L.ones(2, 2), L.ones(2, 2)).dtype, L.is_autocast_cpu_enabled(),
                     L.get_autocast_cpu_dtype(), L.is_autocast_cache_enabled())
            with L.cuda.amp.autocast():
                b = L.mm(L.ones(2, 2), L.ones(2, 2)).dtype
        assert (str(a[0]), a[1], str(a[2]), a[3], str(b)) == \
            ("torch.bfloat16", True, "torch.bfloat16", True, "torch.float32")


def _more_fp32_ops(L):
    """torch's CPU float32 list beyond the losses: 3-d pooling, max_unpool, reflection and
    replication padding (not 3-d reflection, not circular); LSTM/RNN in the lower precision,
    GRU's output float32."""
    F = L.nn.functional
    L.manual_seed(0)
    x = L.randn(1, 1, 4, 4, 4).to(L.bfloat16)
    cases = [lambda: F.max_pool3d(x, 2), lambda: F.avg_pool3d(x, 2),
             lambda: F.adaptive_avg_pool3d(x, 2), lambda: F.adaptive_max_pool3d(x, 2),
             lambda: F.max_unpool2d(*F.max_pool2d(x[0], 2, return_indices=True), 2),
             lambda: F.max_unpool1d(*F.max_pool1d(x[0, 0], 2, return_indices=True), 2),
             lambda: F.pad(x[0], (1, 1, 1, 1), mode="reflect"),
             lambda: F.pad(x[0, 0], (1, 1), mode="reflect"),
             lambda: F.pad(x, (1, 1, 1, 1, 1, 1), mode="reflect"),
             lambda: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"),
             lambda: F.pad(x[0], (1, 1, 1, 1), mode="circular"),
             lambda: L.nn.ReflectionPad2d(1)(x[0])]
    out = []
    with L.autocast("cpu", dtype=L.bfloat16):
        out += [str(f().dtype) for f in cases]
        for cls in ("LSTM", "GRU", "RNN"):
            L.manual_seed(0)
            y = getattr(L.nn, cls)(4, 3, num_layers=2)(L.randn(5, 2, 4))
            out.append((cls, str(y[0].dtype), str((y[1][0] if cls == "LSTM" else y[1]).dtype)))
    return out


@requires_torch
def test_more_of_torchs_autocast_lists():
    assert _more_fp32_ops(zerograd) == _more_fp32_ops(_torch)
