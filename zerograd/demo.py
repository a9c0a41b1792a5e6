"""`zerograd demo`: the lecture as a guided tour in the terminal (中文 and English).

Each step prints one line of explanation, then runs the lecture's code with zerograd.
"""
from __future__ import annotations

import zerograd as torch


def _say(lang, zh, en):
    if lang in ("both", "zh"):
        print(f"  {zh}")
    if lang in ("both", "en"):
        print(f"  {en}")


def _title(n, zh, en, lang):
    print()
    head = {"zh": zh, "en": en}.get(lang, f"{zh} / {en}")
    print(f"== {n}. {head} " + "=" * max(0, 60 - len(head)))


def _graph_text(t):
    try:
        from zerograd.viz import graph_text
        return graph_text(t)
    except ImportError:       # the picture tools are optional; fall back to walking the graph
        lines, node, depth = [], t.grad_fn, 0
        while node is not None:
            lines.append("  " * depth + node.name())
            nxt = [n for n, _ in node.next_functions if n is not None]
            node, depth = (nxt[0] if nxt else None), depth + 1
        return "\n".join(lines)


def run_demo(lang: str = "both") -> None:
    _title(1, "计算图: x → y → z → out", "The graph: x -> y -> z -> out", lang)
    _say(lang, "前向时即时构图; 非叶子张量有 grad_fn, 叶子的梯度写入 .grad",
         "The graph is built during forward; non-leaves have a grad_fn, leaves get .grad")
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    print(f"    x.grad_fn   = {x.grad_fn}")
    print(f"    y.grad_fn   = {y.grad_fn}")
    print(f"    z.grad_fn   = {z.grad_fn}")
    print(f"    out.grad_fn = {out.grad_fn}")
    print(_graph_text(out))
    out.backward()
    _say(lang, "out.backward() 之后, x.grad = d(out)/dx = 3(x+2)/2 = 4.5",
         "after out.backward(), x.grad = d(out)/dx = 3(x+2)/2 = 4.5")
    print(f"    x.grad = {x.grad.tolist()}")

    _title(2, "A0: 手推 Y = X @ W 的梯度", "A0: derive the gradients of Y = X @ W by hand", lang)
    _say(lang, "上游 G = 2Y; dW = X.reshape(-1,D)ᵀ · G.reshape(-1,E) (合并批维); dX = G · Wᵀ",
         "upstream G = 2Y; dW = X.reshape(-1,D)^T · G.reshape(-1,E) (merge batch dims); dX = G · W^T")
    torch.manual_seed(0)
    B, H, D, E = 2, 3, 4, 5
    X = torch.randn(B, H, D, dtype=torch.float64, requires_grad=True)
    W = torch.randn(D, E, dtype=torch.float64, requires_grad=True)
    Y = X @ W
    Loss = (Y ** 2).sum()
    Loss.backward()
    G = 2 * Y.detach()
    dW = X.detach().reshape(-1, D).T @ G.reshape(-1, E)
    dX = torch.matmul(G, W.detach().T)
    ok = torch.allclose(W.grad, dW, rtol=1e-6, atol=1e-6) and torch.allclose(X.grad, dX, rtol=1e-6,
                                                                             atol=1e-6)
    print(f"    autograd == hand-derived: {ok}   (Y.grad_fn = {Y.grad_fn.name()})")

    _title(3, "Hook: 观察梯度的均值与范数", "Hooks: watch a gradient's mean and norm", lang)
    _say(lang, "t.register_hook(fn) 在反传到 t 时调用 fn(grad)",
         "t.register_hook(fn) calls fn(grad) when the gradient reaches t")
    Wl = torch.linspace(-1, 1, 12).reshape(4, 3).requires_grad_()
    xin = torch.linspace(0, 1, 8).reshape(2, 4)
    h = []
    o = xin @ Wl
    o.register_hook(lambda g: h.append((g.mean().item(), g.norm().item())))
    ((o - 1) ** 2).mean().backward()
    print(f"    hook saw mean={h[0][0]:.4f}, norm={h[0][1]:.4f}")

    _title(4, "二阶导: create_graph=True", "Second order: create_graph=True", lang)
    _say(lang, "d/dw (w³) = 3w², 再求导 = 6w", "d/dw (w^3) = 3w^2, differentiate again = 6w")
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    g, = torch.autograd.grad((w ** 3).sum(), w, create_graph=True)
    g2, = torch.autograd.grad(g.sum(), w)
    print(f"    g = {g.tolist()}, g2 = {g2.tolist()}")

    _title(5, "no_grad 与 inference_mode", "no_grad vs inference_mode", lang)
    _say(lang, "两者都不构图; inference_mode 还跳过版本计数, 其张量不能再用于反传",
         "neither records; inference_mode also skips version counting - its tensors can't "
         "be used in autograd later")
    with torch.no_grad():
        a = w * 2
    with torch.inference_mode():
        b = w * 2
    print(f"    no_grad:        requires_grad={a.requires_grad}, is_inference={a.is_inference()}")
    print(f"    inference_mode: requires_grad={b.requires_grad}, is_inference={b.is_inference()}")
    try:
        (b * w).sum().backward()
    except RuntimeError as e:
        print(f"    using it in autograd: RuntimeError: {str(e).split('. ')[0]}")
    print()
