"""Character-level data for the GPT: a vocabulary, examples and batches.

Two modes:
- lines (default): one example per line (a name, a word). Each example is framed by the boundary
  token `.` (id 0): input ". e m m a", target "e m m a ."; shorter examples are padded and the
  padding's targets are -1 (ignored by the loss), as in makemore.
- text: one running text cut into random windows of `block_size` characters.
"""
from __future__ import annotations

import dataclasses
import importlib.resources

import numpy as np

BOUNDARY = "."


def shipped_names() -> list[str]:
    """The first-name list that ships with the package (zerograd/data/names.txt)."""
    text = importlib.resources.files("zerograd.data").joinpath("names.txt").read_text("utf-8")
    return [w for w in text.split("\n") if w]


@dataclasses.dataclass
class Vocab:
    chars: str                      # index 0 is the boundary token

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        chars = sorted(set(text) - {"\n", BOUNDARY})
        return cls(BOUNDARY + "".join(chars))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, s: str) -> list[int]:
        table = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(s) - set(table))
        if unknown:
            raise ValueError(f"characters not in the model's vocabulary: {''.join(unknown)!r} "
                             f"(the model knows {self.chars[1:]!r})")
        return [table[c] for c in s]

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in ids)


class LineData:
    """Examples framed by the boundary token, as (X, Y) rows of length block_size."""

    def __init__(self, lines: list[str], vocab: Vocab, block_size: int):
        self.vocab, self.block_size = vocab, block_size
        n = len(lines)
        self.X = np.zeros((n, block_size), np.int64)
        self.Y = np.full((n, block_size), -1, np.int64)
        for i, w in enumerate(lines):
            ids = vocab.encode(w)[: block_size - 1]
            self.X[i, 1:len(ids) + 1] = ids
            self.Y[i, :len(ids)] = ids
            self.Y[i, len(ids)] = 0

    def __len__(self):
        return len(self.X)

    def batch(self, rng: np.random.Generator, batch_size: int):
        ix = rng.integers(0, len(self.X), size=batch_size)
        return self.X[ix], self.Y[ix]


class TextData:
    """Random windows of a running text."""

    def __init__(self, text: str, vocab: Vocab, block_size: int):
        self.vocab, self.block_size = vocab, block_size
        self.ids = np.asarray(vocab.encode(text.replace("\n", " ")), np.int64)
        if len(self.ids) <= block_size + 1:
            raise ValueError(f"the text has {len(self.ids)} characters; running-text mode needs more "
                             f"than --block-size + 1 = {block_size + 1}")

    def __len__(self):
        return len(self.ids) - self.block_size - 1

    def batch(self, rng: np.random.Generator, batch_size: int):
        ix = rng.integers(0, len(self.ids) - self.block_size - 1, size=batch_size)
        X = np.stack([self.ids[i:i + self.block_size] for i in ix])
        Y = np.stack([self.ids[i + 1:i + 1 + self.block_size] for i in ix])
        return X, Y


def split_lines(lines: list[str], seed: int, val_fraction: float = 0.1):
    """A deterministic train/val split of the examples."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lines))
    n_val = max(1, int(len(lines) * val_fraction)) if len(lines) > 1 else 0
    val = [lines[i] for i in order[:n_val]]
    train = [lines[i] for i in order[n_val:]]
    return train, val
