"""`zerograd train` and `zerograd sample`: a char-level GPT, trained from scratch.

Training loop (the lecture's, with the comforts of nanoGPT/makemore):

    for step in range(start, steps):
        lr = warmup-then-cosine(step)
        x, y = batch(rng)                      # rng state is checkpointed: resume is exact
        logits, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

Outputs in --out: model.safetensors, optimizer.safetensors, config.json (the run's settings,
vocabulary, step and random states), log.csv, loss.png, samples.txt.  Each file is written
atomically (temp file + rename), so a crash or Ctrl-C never leaves a half-written checkpoint.
"""
from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import sys
import time

import numpy as np

from .chardata import LineData, TextData, Vocab, shipped_names, split_lines
from .gpt import GPTConfig, build_gpt, generate


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


# ------------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------------

def atomic_write_text(path: str, text: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_out_dir(out: str, must_exist: bool = False) -> None:
    if must_exist and not os.path.isdir(out):
        raise CliError(f"--out {out!r} does not exist: train a model first (zerograd train --out {out})")
    if os.path.exists(out) and not os.path.isdir(out):
        raise CliError(f"--out {out!r} is a file, not a directory; choose a directory")
    parent = os.path.abspath(out)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise CliError(f"--out {out!r} is not writable: {parent!r} is a file, not a directory")
    if not os.access(parent, os.W_OK):
        raise CliError(f"--out {out!r} is not writable; choose a directory you can write to")


def read_lines(path: str) -> list[str]:
    if not os.path.exists(path):
        raise CliError(f"--data {path!r} does not exist; pass a text file with one example per line")
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise CliError(f"--data {path!r} is empty; it needs at least one non-empty line")
    return lines


# ------------------------------------------------------------------------------------------------
# the schedule
# ------------------------------------------------------------------------------------------------

def lr_at(step: int, lr: float, warmup: int, steps: int, min_lr: float) -> float:
    """Linear warm-up to `lr`, then cosine decay to `min_lr` at the last step."""
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * min(progress, 1.0)))


# ------------------------------------------------------------------------------------------------
# train
# ------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Run:
    lib: object
    model: object
    optimizer: object
    vocab: Vocab
    config: GPTConfig
    train: object
    val: object
    train_lines: list


def _prepare(args, lib):
    if args.data:
        lines = read_lines(args.data)
        source = args.data
    else:
        lines, source = shipped_names(), "zerograd/data/names.txt (shipped)"
    text_mode = bool(getattr(args, "text", False))
    vocab = Vocab.from_text("\n".join(lines))
    if text_mode:
        block = args.block_size or 64
        full = "\n".join(lines)
        cut = int(len(full) * 0.9)
        train, val = TextData(full[:cut], vocab, block), TextData(full[cut:], vocab, block)
        train_lines = []
    else:
        longest = max(len(w) for w in lines) + 1
        block = args.block_size or longest
        train_lines, val_lines = split_lines(lines, args.seed)
        train, val = LineData(train_lines, vocab, block), LineData(val_lines or train_lines, vocab, block)
    config = GPTConfig(vocab_size=vocab.size, block_size=block, n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout)
    try:
        config.validate()
    except ValueError as e:
        raise CliError(str(e)) from None
    return vocab, config, train, val, train_lines, source


def _make_run(args, lib):
    vocab, config, train, val, train_lines, source = _prepare(args, lib)
    lib.manual_seed(args.seed)
    model = build_gpt(lib, config)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = lib.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}],
                                lr=args.lr, betas=(0.9, 0.99))
    return Run(lib, model, optimizer, vocab, config, train, val, train_lines), source


def _run_settings(args, config: GPTConfig, vocab: Vocab) -> dict:
    return {"model": dataclasses.asdict(config), "vocab": vocab.chars,
            "train": {k: getattr(args, k) for k in (
                "steps", "batch_size", "lr", "min_lr", "warmup", "weight_decay", "grad_clip",
                "seed", "eval_every", "checkpoint_every", "data", "text")}}


def save_checkpoint(run: Run, out: str, step: int, rng, settings: dict) -> None:
    lib = run.lib
    meta = dict(settings)
    meta["step"] = step
    meta["batch_rng"] = rng.bit_generator.state
    meta["torch_rng"] = lib.get_rng_state().tolist()
    lib.save(run.model.state_dict(), os.path.join(out, "model.safetensors"))
    lib.save({"optimizer": run.optimizer.state_dict(), "step": step},
             os.path.join(out, "optimizer.safetensors"))
    atomic_write_text(os.path.join(out, "config.json"), json.dumps(meta, indent=2, default=str))


def _load_checkpoint(run: Run, out: str, settings: dict):
    cfg_path = os.path.join(out, "config.json")
    if not os.path.exists(cfg_path):
        raise CliError(f"--resume: no checkpoint in {out!r} (config.json missing); train without "
                       "--resume first")
    with open(cfg_path, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("model") != settings["model"] or meta.get("vocab") != settings["vocab"]:
        raise CliError(f"--resume: the checkpoint in {out!r} was trained with a different model or "
                       f"data ({meta.get('model')}); use the same flags, or another --out")
    lib = run.lib
    try:
        run.model.load_state_dict(lib.load(os.path.join(out, "model.safetensors")))
        opt = lib.load(os.path.join(out, "optimizer.safetensors"))
    except (RuntimeError, OSError, KeyError) as e:
        raise CliError(f"--resume: cannot read the checkpoint in {out!r}: {e}") from None
    if opt.get("step") != meta["step"]:
        raise CliError(f"--resume: the checkpoint files in {out!r} are from different steps; "
                       "delete the directory and train again")
    run.optimizer.load_state_dict(opt["optimizer"])
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["batch_rng"]
    lib.set_rng_state(lib.tensor(meta["torch_rng"], dtype=lib.uint8))
    return meta["step"], rng


@dataclasses.dataclass
class Progress:
    """tqdm on a terminal; plain log lines otherwise (CI logs stay small)."""
    total: int
    start: int
    quiet: bool = False

    def __post_init__(self):
        self.bar = None
        if sys.stderr.isatty() and not self.quiet:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=self.total, initial=self.start, unit="step",
                                dynamic_ncols=True, file=sys.stderr)
            except ImportError:
                self.bar = None

    def step(self, loss, tok_s):
        if self.bar is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}", tok_s=f"{tok_s:,.0f}")
            self.bar.update(1)

    def log(self, text):
        if self.bar is not None:
            self.bar.write(text)
        elif not self.quiet:
            print(text, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def estimate_loss(run: Run, split, seed: int, step: int, batches: int, batch_size: int) -> float:
    lib = run.lib
    rng = np.random.default_rng([seed, step, 7])
    run.model.eval()
    total = 0.0
    with lib.no_grad():
        for _ in range(batches):
            x, y = split.batch(rng, batch_size)
            _, loss = run.model(lib.from_numpy(x), lib.from_numpy(y))
            total += loss.item()
    run.model.train()
    return total / batches


def train(args, lib=None) -> dict:
    """Train; return a summary dict (final losses, samples, novelty, time, tokens/s)."""
    import zerograd
    lib = lib or zerograd
    check_out_dir(args.out)
    run, source = _make_run(args, lib)
    settings = _run_settings(args, run.config, run.vocab)
    os.makedirs(args.out, exist_ok=True)
    start, rng = 0, np.random.default_rng(args.seed)
    if args.resume:
        start, rng = _load_checkpoint(run, args.out, settings)
    log_path = os.path.join(args.out, "log.csv")
    rows = _read_log(log_path, start) if args.resume else []
    prog = Progress(args.steps, start, quiet=args.quiet)
    prog.log(f"zerograd train: {source}, {len(run.train)} training examples, vocab "
             f"{run.vocab.size}, {run.model.num_params():,} parameters, block {run.config.block_size}")
    t0, tokens, last_loss = time.perf_counter(), 0, float("nan")
    done = start
    stop = _GracefulStop(getattr(args, "stop_after", None))
    with stop:
        for step in range(start, args.steps):
            lr = lr_at(step, args.lr, args.warmup, args.steps, args.min_lr)
            for g in run.optimizer.param_groups:
                g["lr"] = lr
            x, y = run.train.batch(rng, args.batch_size)
            _, loss = run.model(lib.from_numpy(x), lib.from_numpy(y))
            run.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if args.grad_clip > 0:
                lib.nn.utils.clip_grad_norm_(run.model.parameters(), args.grad_clip)
            run.optimizer.step()
            last_loss = loss.item()
            tokens += x.size
            tok_s = tokens / max(time.perf_counter() - t0, 1e-9)
            prog.step(last_loss, tok_s)
            done = step + 1
            if done % args.eval_every == 0 or done == args.steps:
                tr = estimate_loss(run, run.train, args.seed, done, args.eval_batches, args.batch_size)
                va = estimate_loss(run, run.val, args.seed, done, args.eval_batches, args.batch_size)
                rows.append({"step": done, "loss": f"{last_loss:.6f}", "train_loss": f"{tr:.6f}",
                             "val_loss": f"{va:.6f}", "lr": f"{lr:.6g}", "tokens_per_s": f"{tok_s:.0f}"})
                prog.log(f"step {done:5d}/{args.steps}  loss {last_loss:.4f}  train {tr:.4f}  "
                         f"val {va:.4f}  lr {lr:.2e}  {tok_s:,.0f} tok/s")
                _write_log(log_path, rows)
            if done % args.checkpoint_every == 0 or done == args.steps or stop.requested(done):
                save_checkpoint(run, args.out, done, rng, settings)
            if stop.requested(done):
                break
    interrupted = done < args.steps
    if interrupted:
        _write_log(log_path, rows)
        prog.close()
        print(f"\nstopped: saved the checkpoint at step {done} in {args.out}; continue with "
              f"--resume", file=sys.stderr)
    prog.close()
    elapsed = time.perf_counter() - t0
    summary = {"steps": args.steps, "final_loss": last_loss, "seconds": elapsed,
               "tokens_per_s": tokens / max(elapsed, 1e-9), "interrupted": interrupted}
    if rows:
        summary.update(train_loss=float(rows[-1]["train_loss"]), val_loss=float(rows[-1]["val_loss"]))
    plot_losses(rows, os.path.join(args.out, "loss.png"), quiet=args.quiet)
    if not interrupted:
        samples = sample_texts(run.lib, run.model, run.vocab, args.num_samples, temperature=1.0,
                               top_k=None, seed=args.seed, text_mode=bool(args.text))
        novel = [s for s in samples if s not in set(run.train_lines)] if run.train_lines else samples
        summary.update(samples=samples, novel_share=len(novel) / max(1, len(samples)))
        atomic_write_text(os.path.join(args.out, "samples.txt"), "\n".join(samples) + "\n")
        print("samples:", ", ".join(samples))
        if run.train_lines:
            print(f"novel (not in the training set): {len(novel)}/{len(samples)} = "
                  f"{summary['novel_share']:.0%}")
        print(f"done in {elapsed:.1f} s, {summary['tokens_per_s']:,.0f} tokens/s; files in {args.out}")
    return summary


class _GracefulStop:
    """Ctrl-C finishes the current step, saves a checkpoint and stops (a second Ctrl-C aborts).
    `stop_after` (tests) stops the same way after that many steps."""

    def __init__(self, stop_after=None):
        self.stop_after, self.flag, self.old = stop_after, False, None

    def _handler(self, signum, frame):
        if self.flag:
            raise KeyboardInterrupt
        self.flag = True

    def __enter__(self):
        import signal
        import threading
        if threading.current_thread() is threading.main_thread():
            self.old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        import signal
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)

    def requested(self, done: int) -> bool:
        return self.flag or (self.stop_after is not None and done >= self.stop_after)


def _read_log(path, upto):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if int(r["step"]) <= upto]


def _write_log(path, rows):
    if not rows:
        return
    import io
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
    atomic_write_text(path, buf.getvalue())


def plot_losses(rows, path, quiet=False) -> bool:
    if not rows:
        return False
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        if not quiet:
            print("loss.png not written: matplotlib is not installed (pip install 'zerograd[viz]'); "
                  "log.csv has the numbers", file=sys.stderr)
        return False
    steps = [int(r["step"]) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=110)
    ax.plot(steps, [float(r["train_loss"]) for r in rows], label="train")
    ax.plot(steps, [float(r["val_loss"]) for r in rows], label="val")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("zerograd: char-level GPT")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, path)
    return True


# ------------------------------------------------------------------------------------------------
# sample
# ------------------------------------------------------------------------------------------------

def sample_texts(lib, model, vocab: Vocab, n: int, temperature=1.0, top_k=None, seed=0,
                 prompt="", text_mode=False, max_new=None) -> list[str]:
    gen = lib.Generator().manual_seed(seed)
    ids = [0] + vocab.encode(prompt)
    start = lib.tensor([ids] * n, dtype=lib.int64)
    block = model.config.block_size
    max_new = max_new or (block * 4 if text_mode else block)
    out = generate(lib, model, start, max_new, temperature=temperature, top_k=top_k,
                   generator=gen, stop_token=None if text_mode else 0)
    texts = []
    for row in out.tolist():
        body = row[1:]
        if not text_mode and 0 in body:
            body = body[:body.index(0)]
        texts.append(vocab.decode(body))
    return texts


def load_for_sampling(out: str, lib):
    check_out_dir(out, must_exist=True)
    cfg_path = os.path.join(out, "config.json")
    if not os.path.exists(cfg_path):
        raise CliError(f"no trained model in {out!r} (config.json missing): run zerograd train "
                       f"--out {out}")
    with open(cfg_path, encoding="utf-8") as f:
        meta = json.load(f)
    config = GPTConfig(**meta["model"])
    model = build_gpt(lib, config)
    try:
        model.load_state_dict(lib.load(os.path.join(out, "model.safetensors")))
    except (RuntimeError, OSError) as e:
        raise CliError(f"cannot read {out}/model.safetensors: {e}") from None
    model.eval()
    return model, Vocab(meta["vocab"]), meta


def sample(args, lib=None) -> list[str]:
    import zerograd
    lib = lib or zerograd
    model, vocab, meta = load_for_sampling(args.out, lib)
    try:
        vocab.encode(args.prompt)
    except ValueError as e:
        raise CliError(f"--prompt: {e}") from None
    texts = sample_texts(lib, model, vocab, args.n, args.temperature, args.top_k, args.seed,
                         args.prompt, text_mode=bool(meta["train"].get("text")))
    for t in texts:
        print(t)
    return texts
