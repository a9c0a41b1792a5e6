"""A small character-level GPT, written against the PyTorch API.

    token + position embedding
    n_layer x [ x = x + attn(ln1(x)) ;  x = x + mlp(ln2(x)) ]     (pre-LayerNorm blocks)
    ln_f, then logits = x @ wteᵀ                                    (weight tying)

The module takes the library as an argument (`lib` is `zerograd` or `torch`), so the *same*
code trains in zerograd and in PyTorch - `benchmarks/gpt_vs_torch.py` uses that to compare the
two on identical weights and batches.  Everything here is plain `lib.nn` / `lib.nn.functional`.
"""
from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass
class GPTConfig:
    vocab_size: int = 28
    block_size: int = 16
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 64
    dropout: float = 0.0

    def validate(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            if getattr(self, name) <= 0:
                raise ValueError(f"--{name.replace('_', '-')} must be positive, got {getattr(self, name)}")
        if self.n_embd % self.n_head:
            raise ValueError(f"--n-embd ({self.n_embd}) must be divisible by --n-head ({self.n_head}); "
                             f"try --n-embd {self.n_head * max(1, round(self.n_embd / self.n_head))}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"--dropout must be in [0, 1), got {self.dropout}")


def build_gpt(lib, config: GPTConfig):
    """Return a GPT nn.Module built from `lib` (zerograd or torch)."""
    nn, F = lib.nn, lib.nn.functional
    config.validate()

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.n_head = config.n_head
            self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
            self.proj = nn.Linear(config.n_embd, config.n_embd)
            self.dropout = config.dropout

        def forward(self, x):
            B, T, C = x.shape
            hs = C // self.n_head
            q, k, v = self.qkv(x).split(C, dim=2)
            q = q.view(B, T, self.n_head, hs).transpose(1, 2)       # (B, nh, T, hs)
            k = k.view(B, T, self.n_head, hs).transpose(1, 2)
            v = v.view(B, T, self.n_head, hs).transpose(1, 2)
            y = F.scaled_dot_product_attention(
                q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0)
            y = y.transpose(1, 2).reshape(B, T, C)
            return self.proj(y)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(config.n_embd, 4 * config.n_embd)
            self.gelu = nn.GELU()
            self.proj = nn.Linear(4 * config.n_embd, config.n_embd)
            self.drop = nn.Dropout(config.dropout)

        def forward(self, x):
            return self.drop(self.proj(self.gelu(self.fc(x))))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(config.n_embd)
            self.attn = CausalSelfAttention()
            self.ln2 = nn.LayerNorm(config.n_embd)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.config = config
            self.wte = nn.Embedding(config.vocab_size, config.n_embd)
            self.wpe = nn.Embedding(config.block_size, config.n_embd)
            self.drop = nn.Dropout(config.dropout)
            self.blocks = nn.ModuleList([Block() for _ in range(config.n_layer)])
            self.ln_f = nn.LayerNorm(config.n_embd)
            self.apply(self._init_weights)
            for name, p in self.named_parameters():      # GPT-2's scaled residual projections
                if name.endswith("proj.weight"):
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

        @staticmethod
        def _init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets=None):
            B, T = idx.shape
            if T > config.block_size:
                raise ValueError(f"sequence of length {T} is longer than block_size "
                                 f"{config.block_size}")
            pos = lib.arange(T)
            x = self.drop(self.wte(idx) + self.wpe(pos))
            for block in self.blocks:
                x = block(x)
            x = self.ln_f(x)
            logits = x @ self.wte.weight.t()                  # weight tying
            loss = None
            if targets is not None:
                loss = F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(B * T),
                                       ignore_index=-1)
            return logits, loss

        def num_params(self) -> int:
            return sum(p.numel() for p in self.parameters())

    return GPT()


def generate(lib, model, idx, max_new_tokens, temperature=1.0, top_k=None, generator=None,
             stop_token=None):
    """Sample tokens after the prompt `idx` (B, T); runs under inference_mode."""
    F = lib.nn.functional
    block = model.config.block_size
    with lib.inference_mode():
        for _ in range(max_new_tokens):
            ctx = idx if idx.shape[1] <= block else idx[:, -block:]
            logits, _ = model(ctx)
            logits = logits[:, -1, :] / max(temperature, 1e-6)
            if top_k is not None:
                k = min(top_k, logits.shape[-1])
                kth = logits.topk(k, dim=-1).values[:, -1:]
                logits = lib.where(logits < kth, lib.full_like(logits, float("-inf")), logits)
            probs = F.softmax(logits, dim=-1)
            nxt = lib.multinomial(probs, 1, generator=generator)
            idx = lib.cat([idx, nxt], dim=1)
            if stop_token is not None and bool((nxt == stop_token).all()):
                break
    return idx
