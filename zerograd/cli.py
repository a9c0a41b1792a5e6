"""The `zerograd` command (also `python -m zerograd`).

    zerograd train                  train a char-level GPT on the shipped names (the main job)
    zerograd train --data FILE      ... on your own text (one example per line, or --text)
    zerograd train --task digits    an MLP on the UCI 8x8 digits
    zerograd sample --out DIR       generate from a trained model
    zerograd demo                   the lecture as a guided tour in the terminal
    zerograd gradcheck              gradcheck every op of the op table
    zerograd bench                  the benchmarks, side by side with PyTorch and NumPy

A user error prints one line naming the problem and the fix, and exits with code 2.
"""
from __future__ import annotations

import argparse
import os
import sys


def _positive_int(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {s!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {v}")
    return v


def _positive_float(s):
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {s!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {v}")
    return v


def _nonneg_float(s):
    v = float(s)
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {v}")
    return v


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="zerograd", description="zerograd: autograd from zero on NumPy - train, sample, "
        "explore.", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split(
            "\n\n")[1])
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    t = sub.add_parser("train", help="train a char-level GPT (default) or the digits MLP",
                       description="Train a small GPT from scratch on the shipped list of names "
                       "(or --data FILE), or an MLP on the UCI digits (--task digits).")
    t.add_argument("--task", choices=["gpt", "digits"], default="gpt",
                   help="what to train (default: gpt)")
    t.add_argument("--data", metavar="FILE", help="a text file: one example per line (default: "
                   "the shipped names)")
    t.add_argument("--text", action="store_true", help="treat --data as running text cut into "
                   "windows of --block-size characters")
    t.add_argument("--steps", type=_positive_int, default=3000, help="training steps (default 3000)")
    t.add_argument("--batch-size", type=_positive_int, default=32, help="examples per step (32)")
    t.add_argument("--block-size", type=_positive_int, default=None,
                   help="context length (default: longest example + 1; 64 with --text)")
    t.add_argument("--n-layer", type=_positive_int, default=2, help="transformer blocks (2)")
    t.add_argument("--n-head", type=_positive_int, default=4, help="attention heads (4)")
    t.add_argument("--n-embd", type=_positive_int, default=64, help="embedding width (64)")
    t.add_argument("--dropout", type=_nonneg_float, default=0.0, help="dropout rate (0)")
    t.add_argument("--lr", type=_positive_float, default=3e-3, help="peak learning rate (3e-3)")
    t.add_argument("--min-lr", type=_nonneg_float, default=3e-4, help="final learning rate (3e-4)")
    t.add_argument("--warmup", type=_positive_int, default=100, help="warm-up steps (100)")
    t.add_argument("--weight-decay", type=_nonneg_float, default=0.01, help="AdamW decay (0.01)")
    t.add_argument("--grad-clip", type=_nonneg_float, default=1.0, help="clip the grad norm (1.0; "
                   "0 = off)")
    t.add_argument("--seed", type=int, default=1337, help="random seed (1337)")
    t.add_argument("--eval-every", type=_positive_int, default=250, help="evaluate every N steps")
    t.add_argument("--eval-batches", type=_positive_int, default=8, help="batches per evaluation")
    t.add_argument("--checkpoint-every", type=_positive_int, default=500,
                   help="write a checkpoint every N steps (500)")
    t.add_argument("--num-samples", type=_positive_int, default=20, help="samples at the end (20)")
    t.add_argument("--epochs", type=_positive_int, default=20, help="(digits) epochs (20)")
    t.add_argument("--out", default=None, help="output directory (default runs/gpt or "
                   "runs/digits)")
    t.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    t.add_argument("--quiet", action="store_true", help="print only the final summary")
    t.add_argument("--threads", type=_positive_int, default=1,
                   help="BLAS threads (1: fastest for these small matrices)")

    s = sub.add_parser("sample", help="generate from a trained GPT",
                       description="Generate text from the model in --out (under inference_mode).")
    s.add_argument("--out", default="runs/gpt", help="the training run's directory (runs/gpt)")
    s.add_argument("-n", type=_positive_int, default=20, help="how many samples (20)")
    s.add_argument("--temperature", type=_positive_float, default=0.8, help="softmax temperature")
    s.add_argument("--top-k", type=_positive_int, default=None, help="sample from the k likeliest")
    s.add_argument("--prompt", default="", help="text to continue")
    s.add_argument("--seed", type=int, default=0, help="random seed")

    d = sub.add_parser("demo", help="the lecture as a guided tour (Chinese and English)",
                       description="Builds x->y->z->out, prints the graph, runs the A0 exercise, "
                       "hooks, second-order gradients, no_grad vs inference_mode.")
    d.add_argument("--lang", choices=["both", "en", "zh"], default="both")

    g = sub.add_parser("gradcheck", help="gradcheck every op of the op table",
                       description="Float64 finite-difference checks of every differentiable op.")
    g.add_argument("--fast", action="store_true", help="random-projection checks only")

    b = sub.add_parser("bench", help="benchmarks side by side with PyTorch and NumPy",
                       description="Runs benchmarks/ (zerograd vs PyTorch vs hand-written NumPy) "
                       "and prints a table of times and ratios.")
    b.add_argument("--quick", action="store_true", help="fewer rounds")
    b.add_argument("--threads", type=_positive_int, default=1, help="BLAS threads (1)")
    b.add_argument("--only", default=None, metavar="NAMES",
                   help="comma-separated workloads: tiny, mlp, matmul, deep, gpt, memory")
    b.add_argument("--libs", default=None, metavar="NAMES",
                   help="comma-separated libraries: zerograd, torch, numpy (default: all installed)")
    b.add_argument("--json", default=None, metavar="FILE", help="also write all results as JSON")
    return p


def main(argv=None) -> int:
    from .models.train import CliError
    args = build_parser().parse_args(argv)
    if args.command in ("train", "sample"):
        from ._threads import set_blas_threads
        set_blas_threads(getattr(args, "threads", 1))   # small matmuls: threads only contend
    try:
        if args.command == "train":
            if args.task == "digits":
                from .models.digits import train_digits
                args.out = args.out or os.path.join("runs", "digits")
                train_digits(args)
            else:
                from .models.train import train
                args.out = args.out or os.path.join("runs", "gpt")
                train(args)
        elif args.command == "sample":
            from .models.train import sample
            sample(args)
        elif args.command == "demo":
            from .demo import run_demo
            run_demo(args.lang)
        elif args.command == "gradcheck":
            from .testing.gradcheck_all import run_all
            return 0 if run_all(fast=args.fast) else 1
        elif args.command == "bench":
            from .bench import run_bench
            from .bench.runner import _select, available_libs
            libs = args.libs.split(",") if args.libs else None
            try:                            # (names checked before anything starts)
                _select(args.only)
                available_libs(libs)
            except ValueError as e:
                raise CliError(str(e)) from None
            run_bench(quick=args.quick, threads=args.threads, only=args.only, libs=libs,
                      json_path=args.json)
    except CliError as e:
        print(f"zerograd {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
