"""The same GPT trained side by side in zerograd and in PyTorch (issue 6).

Identical model (zerograd/models/gpt.py, built once with each library from the same config), the
same initial weights (zerograd's state_dict copied into PyTorch through NumPy), the same batches
(the shipped names, drawn once from one NumPy generator), the same AdamW recipe as `zerograd
train` (decay on matrices only, betas (0.9, 0.99), gradient clipping) at a constant learning rate.
The two steps of each iteration are interleaved (the order alternates), so both libraries see the
same machine noise.  Prints both loss curves, their largest absolute difference, the final
parameters' largest difference, and both tokens/s (B·T per median step time).

    python benchmarks/gpt_vs_torch.py [--steps 200] [--batch-size 32] [--n-layer 2] [--n-head 4]
                                      [--n-embd 64] [--block-size N] [--lr 3e-3] [--threads 1]
                                      [--csv FILE]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--block-size", type=int, default=None,
                   help="context length (default: the longest name + 1)")
    p.add_argument("--n-layer", type=int, default=2)
    p.add_argument("--n-head", type=int, default=4)
    p.add_argument("--n-embd", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--grad-clip", type=float, default=1.0, help="0 to turn clipping off")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads (1)")
    p.add_argument("--print-every", type=int, default=None)
    p.add_argument("--csv", default=None, metavar="FILE", help="write step,zerograd,torch losses")
    args = p.parse_args(argv)
    if min(args.steps, args.batch_size, args.threads) < 1:
        p.error("--steps, --batch-size and --threads must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)          # before NumPy / PyTorch load their BLAS
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import numpy as np
    import torch
    import zerograd
    from zerograd._threads import set_blas_threads
    from zerograd.models.chardata import LineData, Vocab, shipped_names, split_lines
    from zerograd.models.gpt import GPTConfig, build_gpt

    torch.set_num_threads(args.threads)
    set_blas_threads(args.threads)

    # ---- data: the shipped names, the same batches for both ----------------------------------
    lines = shipped_names()
    vocab = Vocab.from_text("\n".join(lines))
    block = args.block_size or max(len(w) for w in lines) + 1
    train_lines, _ = split_lines(lines, args.seed)
    data = LineData(train_lines, vocab, block)
    rng = np.random.default_rng(args.seed)
    batches = [data.batch(rng, args.batch_size) for _ in range(args.steps)]

    # ---- the same model, the same initial weights ------------------------------------------
    config = GPTConfig(vocab_size=vocab.size, block_size=block, n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd)
    zerograd.manual_seed(args.seed)
    zg_model = build_gpt(zerograd, config)
    th_model = build_gpt(torch, config)
    weights = {k: np.array(v.detach().numpy()) for k, v in zg_model.state_dict().items()}
    th_model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
    for k, v in th_model.state_dict().items():
        assert np.array_equal(v.numpy(), weights[k]), k

    def make_optimizer(lib, model):
        decay = [p for _, p in model.named_parameters() if p.ndim >= 2]
        no_decay = [p for _, p in model.named_parameters() if p.ndim < 2]
        return lib.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                {"params": no_decay, "weight_decay": 0.0}],
                               lr=args.lr, betas=(0.9, 0.99))

    runs = {"zerograd": (zerograd, zg_model, make_optimizer(zerograd, zg_model)),
            "torch": (torch, th_model, make_optimizer(torch, th_model))}

    def step(name, x, y):
        lib, model, opt = runs[name]
        t0 = time.perf_counter()
        _, loss = model(lib.from_numpy(x), lib.from_numpy(y))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            lib.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        value = loss.item()
        return value, time.perf_counter() - t0

    losses = {"zerograd": [], "torch": []}
    times = {"zerograd": [], "torch": []}
    print(f"GPT {args.n_layer} layers, d {args.n_embd}, {args.n_head} heads, block {block}, "
          f"vocab {vocab.size}, batch {args.batch_size}, "
          f"{sum(p.numel() for p in zg_model.parameters()):,} parameters; AdamW lr {args.lr}, "
          f"{args.steps} steps, {args.threads} thread(s); "
          f"zerograd {zerograd.__version__}, PyTorch {torch.__version__}, NumPy {np.__version__}")
    every = args.print_every or max(1, args.steps // 10)
    print("\n| step | zerograd loss | PyTorch loss | abs diff |\n|---|---|---|---|")
    for i, (x, y) in enumerate(batches):
        order = ("zerograd", "torch") if i % 2 == 0 else ("torch", "zerograd")
        for name in order:
            v, dt = step(name, x, y)
            losses[name].append(v)
            times[name].append(dt)
        if i % every == 0 or i == args.steps - 1:
            print(f"| {i + 1} | {losses['zerograd'][-1]:.6f} | {losses['torch'][-1]:.6f} | "
                  f"{abs(losses['zerograd'][-1] - losses['torch'][-1]):.2e} |")

    diffs = [abs(a - b) for a, b in zip(losses["zerograd"], losses["torch"])]
    worst = max(range(len(diffs)), key=diffs.__getitem__)
    zsd, tsd = zg_model.state_dict(), th_model.state_dict()
    pdiff = max(float(np.abs(zsd[k].detach().numpy() - tsd[k].numpy()).max()) for k in zsd)
    tokens = args.batch_size * block
    skip = min(3, args.steps - 1)                     # warm-up steps are left out of the speeds
    tps = {k: tokens / statistics.median(v[skip:]) for k, v in times.items()}
    print(f"\nloss curves: max |zerograd - PyTorch| = {diffs[worst]:.3e} (step {worst + 1}); "
          f"final {losses['zerograd'][-1]:.6f} vs {losses['torch'][-1]:.6f}; "
          f"final parameters differ by at most {pdiff:.3e}")
    print(f"tokens/s (B·T = {tokens} per step, median step after {skip} warm-up steps): "
          f"zerograd {tps['zerograd']:,.0f}, PyTorch {tps['torch']:,.0f}; "
          f"zerograd/PyTorch = {tps['zerograd'] / tps['torch']:.2f}×")
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("step,zerograd,torch,abs_diff\n")
            for i, (a, b) in enumerate(zip(losses["zerograd"], losses["torch"])):
                f.write(f"{i + 1},{a!r},{b!r},{abs(a - b)!r}\n")
        print(f"wrote {args.csv}")
    return {"losses": losses, "max_abs_diff": diffs[worst], "param_max_abs_diff": pdiff,
            "tokens_per_s": tps}


if __name__ == "__main__":
    main()
