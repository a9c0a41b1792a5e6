"""`zerograd train --task digits`: an MLP on the UCI 8x8 handwritten digits (shipped).

    x (64 pixels, scaled to [0, 1]) -> Linear(64, 128) -> ReLU -> Linear(128, 10) -> logits
    loss = cross_entropy(logits, label);  optimizer: Adam

Prints accuracy per epoch and, at the end, the confusion matrix of the held-out set.
"""
from __future__ import annotations

import gzip
import importlib.resources
import io
import os
import time

import numpy as np


def load_digits():
    """(X float32 (1797, 64) in [0, 1], y int64 (1797,)) from zerograd/data/digits.csv.gz."""
    raw = importlib.resources.files("zerograd.data").joinpath("digits.csv.gz").read_bytes()
    data = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",")
    return (data[:, :64] / 16.0).astype(np.float32), data[:, 64].astype(np.int64)


def confusion_matrix(y_true, y_pred, n=10) -> np.ndarray:
    m = np.zeros((n, n), np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def format_confusion(m: np.ndarray) -> str:
    lines = ["true\\pred " + " ".join(f"{j:4d}" for j in range(m.shape[1]))]
    for i, row in enumerate(m):
        lines.append(f"{i:9d} " + " ".join(f"{v:4d}" for v in row))
    return "\n".join(lines)


def train_digits(args, lib=None) -> dict:
    import zerograd
    from .train import atomic_write_text, check_out_dir
    lib = lib or zerograd
    nn, F = lib.nn, lib.nn.functional
    check_out_dir(args.out)
    X, y = load_digits()
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(X))
    n_test = len(X) // 5
    test, train = order[:n_test], order[n_test:]
    lib.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = lib.optim.Adam(model.parameters(), lr=args.lr if args.lr != 3e-3 else 1e-2)
    Xt, yt = lib.from_numpy(X[test]), y[test]
    t0 = time.perf_counter()
    history = []
    for epoch in range(1, args.epochs + 1):
        perm = rng.permutation(train)
        model.train()
        total = 0.0
        for i in range(0, len(perm), args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(lib.from_numpy(X[idx])), lib.from_numpy(y[idx]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        with lib.no_grad():
            pred = model(Xt).argmax(dim=1).numpy()
        acc = float((pred == yt).mean())
        history.append((epoch, total / len(perm), acc))
        if not args.quiet:
            print(f"epoch {epoch:3d}  loss {total / len(perm):.4f}  test accuracy {acc:.2%}",
                  flush=True)
    cm = confusion_matrix(yt, pred)
    print("confusion matrix (held-out set):")
    print(format_confusion(cm))
    elapsed = time.perf_counter() - t0
    print(f"final test accuracy {acc:.2%} in {elapsed:.1f} s")
    os.makedirs(args.out, exist_ok=True)
    lib.save(model.state_dict(), os.path.join(args.out, "model.safetensors"))
    atomic_write_text(os.path.join(args.out, "log.csv"), "epoch,loss,test_accuracy\n" + "".join(
        f"{e},{l:.6f},{a:.6f}\n" for e, l, a in history))
    return {"accuracy": acc, "confusion": cm, "seconds": elapsed}
