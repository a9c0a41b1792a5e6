"""The GPT of zerograd/models/gpt.py written by hand in NumPy: forward, backward, AdamW.

This is the benchmark's "no-overhead limit" for a GPT training step: no graph, no nodes, no
Tensor objects - each layer's forward keeps exactly what its backward needs and the backward is
the chain rule written out.  It is the same model, parameter for parameter (the names are the
state_dict names of `build_gpt`, so weights copy across and the gradients can be checked against
zerograd's and PyTorch's):

    x = wte[idx] + wpe[:T]
    n_layer x  [ x = x + attn(ln1(x)) ;  x = x + mlp(ln2(x)) ]     attn: causal, n_head heads
    logits = ln_f(x) @ wte.T                                        mlp: fc -> exact GELU -> proj
    loss = cross_entropy(logits, targets, ignore_index=-1)

Shapes: B batch, T time, C = n_embd, nh heads of hs = C // nh, V vocabulary.  Everything is
float32, as in the libraries.  Only NumPy is needed (SciPy's erf is used when installed, as
zerograd's own GELU does; otherwise Abramowitz & Stegun's erf, good to 1e-6).
"""
from __future__ import annotations

import math

import numpy as np

try:
    from scipy.special import erf as _erf
except ImportError:                        # Abramowitz & Stegun 7.1.26: |error| < 1e-6 in float32
    def _erf(x):
        s = np.sign(x)
        a = np.abs(x)
        t = 1.0 / (1.0 + 0.3275911 * a)
        y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                   + 0.254829592) * t * np.exp(-a * a)
        return (s * y).astype(x.dtype, copy=False)

F32 = np.float32
_INV_SQRT2 = F32(1.0 / math.sqrt(2.0))
_INV_SQRT_2PI = F32(1.0 / math.sqrt(2.0 * math.pi))


# ---------------------------------------------------------------------------------------------
# layers: forward returns (output, cache); backward takes (d_output, cache) -> d_input, grads
# ---------------------------------------------------------------------------------------------

def linear_forward(x, w, b):
    """y = x @ wᵀ + b      x: (N, in), w: (out, in)"""
    return x @ w.T + b, x


def linear_backward(dy, x, w):
    """dx = dy @ w,  dw = dyᵀ @ x,  db = Σ_rows dy"""
    return dy @ w, dy.T @ x, dy.sum(0)


def layernorm_forward(x, w, b, eps=1e-5):
    """y = (x - mean) / sqrt(var + eps) * w + b    over the last axis (biased variance)"""
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(-1, keepdims=True) + F32(eps))
    xhat = xc * rstd
    return xhat * w + b, (xhat, rstd)


def layernorm_backward(dy, cache, w):
    """dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)),  dx̂ = dy · w"""
    xhat, rstd = cache
    dw = (dy * xhat).reshape(-1, xhat.shape[-1]).sum(0)
    db = dy.reshape(-1, dy.shape[-1]).sum(0)
    dxhat = dy * w
    dx = rstd * (dxhat - dxhat.mean(-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    return dx, dw, db


def gelu_forward(x):
    """exact GELU: y = x · Φ(x),  Φ(x) = (1 + erf(x/√2)) / 2"""
    phi = F32(0.5) * (F32(1.0) + _erf(x * _INV_SQRT2))
    return x * phi, (x, phi)


def gelu_backward(dy, cache):
    """dx = dy · (Φ(x) + x · φ(x)),  φ(x) = exp(-x²/2) / √(2π)"""
    x, phi = cache
    return dy * (phi + x * _INV_SQRT_2PI * np.exp(F32(-0.5) * x * x))


def attention_forward(qkv, n_head, mask):
    """causal self-attention on qkv (B, T, 3C) -> (B, T, C)

    q, k, v: (B, nh, T, hs);  att = softmax(q kᵀ / √hs + mask);  y = att v
    """
    B, T, C3 = qkv.shape
    C = C3 // 3
    hs = C // n_head
    heads = qkv.reshape(B, T, 3, n_head, hs).transpose(2, 0, 3, 1, 4)   # (3, B, nh, T, hs)
    q, k, v = (np.ascontiguousarray(h) for h in heads)
    scale = F32(1.0 / math.sqrt(hs))
    s = (q @ k.transpose(0, 1, 3, 2)) * scale + mask[:T, :T]           # (B, nh, T, T)
    s -= s.max(-1, keepdims=True)
    att = np.exp(s)
    att /= att.sum(-1, keepdims=True)
    y = att @ v                                                          # (B, nh, T, hs)
    return y.transpose(0, 2, 1, 3).reshape(B, T, C), (q, k, v, att, scale)


def attention_backward(dy, cache):
    """dv = attᵀ dy,  datt = dy vᵀ,  ds = att · (datt - Σ datt·att),  dq = ds k / √hs,
    dk = dsᵀ q / √hs   (masked entries have att = 0, so their ds is 0)"""
    q, k, v, att, scale = cache
    B, nh, T, hs = q.shape
    dyh = dy.reshape(B, T, nh, hs).transpose(0, 2, 1, 3)
    dv = att.transpose(0, 1, 3, 2) @ dyh
    datt = dyh @ v.transpose(0, 1, 3, 2)
    ds = att * (datt - (datt * att).sum(-1, keepdims=True))
    ds *= scale
    dq = ds @ k
    dk = ds.transpose(0, 1, 3, 2) @ q
    dqkv = np.stack((dq, dk, dv))                                        # (3, B, nh, T, hs)
    return dqkv.transpose(1, 3, 0, 2, 4).reshape(B, T, 3 * nh * hs)


def cross_entropy_forward(logits, targets, ignore_index=-1):
    """mean over non-ignored rows of -log softmax(logits)[target]"""
    z = logits - logits.max(-1, keepdims=True)
    e = np.exp(z)
    se = e.sum(-1, keepdims=True)
    logp = z - np.log(se)
    valid = targets != ignore_index
    n = max(int(valid.sum()), 1)
    rows = np.nonzero(valid)[0]
    loss = -logp[rows, targets[rows]].sum() / n
    return loss, (e / se, rows, targets, n)


def cross_entropy_backward(cache):
    """dlogits = (softmax - onehot(target)) / n  on valid rows, 0 on ignored rows"""
    p, rows, targets, n = cache
    d = p
    if len(rows) != len(p):
        keep = np.zeros(len(p), bool)
        keep[rows] = True
        d[~keep] = 0
    d[rows, targets[rows]] -= 1
    d *= F32(1.0 / n)
    return d


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------

class NumpyGPT:
    """Parameters in `self.params` (state_dict names of build_gpt); `loss_and_grads(idx, tgt)`."""

    def __init__(self, vocab_size=28, block_size=16, n_layer=2, n_head=4, n_embd=64, seed=0,
                 params=None):
        self.V, self.block_size, self.n_layer = vocab_size, block_size, n_layer
        self.n_head, self.C = n_head, n_embd
        self.params = params if params is not None else self._init(np.random.default_rng(seed))
        m = np.triu(np.ones((block_size, block_size), bool), 1)
        self.mask = np.where(m, F32(-np.inf), F32(0.0)).astype(F32)

    def _init(self, rng):
        """GPT-2's init, as build_gpt: N(0, 0.02) weights, proj N(0, 0.02/√(2L)), zero biases."""
        C, V, L = self.C, self.V, self.n_layer

        def normal(*shape, std=0.02):
            return (rng.standard_normal(shape) * std).astype(F32)
        proj_std = 0.02 / math.sqrt(2 * L)
        p = {"wte.weight": normal(V, C), "wpe.weight": normal(self.block_size, C)}
        for i in range(L):
            b = f"blocks.{i}."
            p[b + "ln1.weight"], p[b + "ln1.bias"] = np.ones(C, F32), np.zeros(C, F32)
            p[b + "attn.qkv.weight"] = normal(3 * C, C)
            p[b + "attn.qkv.bias"] = np.zeros(3 * C, F32)
            p[b + "attn.proj.weight"] = normal(C, C, std=proj_std)
            p[b + "attn.proj.bias"] = np.zeros(C, F32)
            p[b + "ln2.weight"], p[b + "ln2.bias"] = np.ones(C, F32), np.zeros(C, F32)
            p[b + "mlp.fc.weight"], p[b + "mlp.fc.bias"] = normal(4 * C, C), np.zeros(4 * C, F32)
            p[b + "mlp.proj.weight"] = normal(C, 4 * C, std=proj_std)
            p[b + "mlp.proj.bias"] = np.zeros(C, F32)
        p["ln_f.weight"], p["ln_f.bias"] = np.ones(C, F32), np.zeros(C, F32)
        return p

    def loss_and_grads(self, idx, targets):
        """One forward and backward: returns (loss: float, grads: dict name -> array)."""
        p, C, nh = self.params, self.C, self.n_head
        B, T = idx.shape
        N = B * T
        # ---- forward --------------------------------------------------------------------
        x = p["wte.weight"][idx] + p["wpe.weight"][:T]                       # (B, T, C)
        caches = []
        for i in range(self.n_layer):
            b = f"blocks.{i}."
            h, c_ln1 = layernorm_forward(x, p[b + "ln1.weight"], p[b + "ln1.bias"])
            qkv, c_qkv = linear_forward(h.reshape(N, C), p[b + "attn.qkv.weight"],
                                        p[b + "attn.qkv.bias"])
            a, c_att = attention_forward(qkv.reshape(B, T, 3 * C), nh, self.mask)
            o, c_proj = linear_forward(a.reshape(N, C), p[b + "attn.proj.weight"],
                                       p[b + "attn.proj.bias"])
            x = x + o.reshape(B, T, C)
            h2, c_ln2 = layernorm_forward(x, p[b + "ln2.weight"], p[b + "ln2.bias"])
            f, c_fc = linear_forward(h2.reshape(N, C), p[b + "mlp.fc.weight"], p[b + "mlp.fc.bias"])
            g, c_gelu = gelu_forward(f)
            m, c_mp = linear_forward(g, p[b + "mlp.proj.weight"], p[b + "mlp.proj.bias"])
            x = x + m.reshape(B, T, C)
            caches.append((c_ln1, c_qkv, c_att, c_proj, c_ln2, c_fc, c_gelu, c_mp))
        xf, c_lnf = layernorm_forward(x, p["ln_f.weight"], p["ln_f.bias"])
        xf2 = xf.reshape(N, C)
        logits = xf2 @ p["wte.weight"].T                                      # weight tying
        loss, c_ce = cross_entropy_forward(logits, targets.reshape(N))
        # ---- backward -------------------------------------------------------------------
        grads = {}
        dlogits = cross_entropy_backward(c_ce)                               # (N, V)
        dwte = dlogits.T @ xf2
        dxf = (dlogits @ p["wte.weight"]).reshape(B, T, C)
        dx, grads["ln_f.weight"], grads["ln_f.bias"] = layernorm_backward(dxf, c_lnf,
                                                                           p["ln_f.weight"])
        for i in reversed(range(self.n_layer)):
            b = f"blocks.{i}."
            c_ln1, c_qkv, c_att, c_proj, c_ln2, c_fc, c_gelu, c_mp = caches[i]
            # x = x + mlp(ln2(x))
            dm = dx.reshape(N, C)
            dg, grads[b + "mlp.proj.weight"], grads[b + "mlp.proj.bias"] = linear_backward(
                dm, c_mp, p[b + "mlp.proj.weight"])
            df = gelu_backward(dg, c_gelu)
            dh2, grads[b + "mlp.fc.weight"], grads[b + "mlp.fc.bias"] = linear_backward(
                df, c_fc, p[b + "mlp.fc.weight"])
            d, grads[b + "ln2.weight"], grads[b + "ln2.bias"] = layernorm_backward(
                dh2.reshape(B, T, C), c_ln2, p[b + "ln2.weight"])
            dx = dx + d
            # x = x + attn(ln1(x))
            do = dx.reshape(N, C)
            da, grads[b + "attn.proj.weight"], grads[b + "attn.proj.bias"] = linear_backward(
                do, c_proj, p[b + "attn.proj.weight"])
            dqkv = attention_backward(da.reshape(B, T, C), c_att)
            dh, grads[b + "attn.qkv.weight"], grads[b + "attn.qkv.bias"] = linear_backward(
                dqkv.reshape(N, 3 * C), c_qkv, p[b + "attn.qkv.weight"])
            d, grads[b + "ln1.weight"], grads[b + "ln1.bias"] = layernorm_backward(
                dh.reshape(B, T, C), c_ln1, p[b + "ln1.weight"])
            dx = dx + d
        # x = wte[idx] + wpe[:T]
        np.add.at(dwte, idx.reshape(N), dx.reshape(N, C))
        grads["wte.weight"] = dwte
        dwpe = np.zeros_like(p["wpe.weight"])
        dwpe[:T] = dx.sum(0)
        grads["wpe.weight"] = dwpe
        return float(loss), grads


class NumpyAdamW:
    """torch.optim.AdamW's update (decoupled weight decay, bias-corrected), in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        self.params, self.lr, self.betas, self.eps, self.wd = params, lr, betas, eps, weight_decay
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        bc1, bc2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        step_size = self.lr / bc1
        sq_bc2 = math.sqrt(bc2)
        for k, p in self.params.items():
            g, m, v = grads[k], self.m[k], self.v[k]
            p *= F32(1 - self.lr * self.wd)
            m *= F32(b1)
            m += F32(1 - b1) * g
            v *= F32(b2)
            v += F32(1 - b2) * g * g
            denom = np.sqrt(v)
            denom /= F32(sq_bc2)
            denom += F32(self.eps)
            p -= F32(step_size) * m / denom
