"""zerograd.nn.utils.rnn: batches of sequences of different lengths, padded or packed, as torch's.

A batch of B sequences of lengths L_1, ..., L_B (each (L_b, *) with the same trailing shape) is
held in one of two ways:

  padded  one (T, B, *) tensor, T = max L_b ((B, T, *) with batch_first): every sequence is
          followed by padding_value up to T (pad_sequence, pad_packed_sequence);
  packed  PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices), the sequences
          sorted longest first: data holds time step 0 of every sequence, then step 1 of those
          that have one, and so on; batch_sizes[t] (int64, on the CPU) counts the sequences
          still running at step t.  As they are sorted, those are the first batch_sizes[t] of
          the batch, so a recurrent layer runs step t on the first batch_sizes[t] rows of its
          state and the padding never enters the recurrence (pack_padded_sequence,
          pack_sequence).

    sequences        a = [a0 a1 a2],  b = [b0],  c = [c0 c1]
    padded (T, B)    t=0: a0 b0 c0    t=1: a1 ·· c1    t=2: a2 ·· ··        (·· = padding)
    packed           data [a0 c0 b0 | a1 c1 | a2],  batch_sizes [3, 2, 1]
                     sorted_indices [0, 2, 1]   (sorted position -> position in the batch)
                     unsorted_indices [0, 2, 1] (its inverse: batch position -> sorted position)

With enforce_sorted=True the batch must already be sorted (then both index tensors are None).

Every conversion gathers the rows it needs with one advanced-indexing op, so gradients flow back
through data, and packing then padding (or the reverse) is differentiable.
"""
from __future__ import annotations

import numbers
import operator
from collections import namedtuple

import numpy as np

from ... import dtypes as _dt
from ...ops import arange, as_tensor, empty_like, full, tensor
from ...ops.join import cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _type_name(obj) -> str:
    """A type's name as torch's argument errors spell it: 'list', 'numpy.ndarray'."""
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def invert_permutation(permutation):
    """The inverse of a permutation (a 1-D integer tensor): inverse[permutation[i]] = i.
    None stays None."""
    if permutation is None:
        return None
    if not isinstance(permutation, Tensor):
        raise TypeError(f"empty_like(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(permutation)}")
    inverse = empty_like(permutation)
    inverse[permutation] = arange(permutation.numel(), dtype=permutation.dtype)
    return inverse


_PackedSequenceFields = namedtuple("PackedSequence_",
                                   ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceFields):
    """A packed batch of sequences (see the module docstring); made by pack_padded_sequence and
    pack_sequence, read by RNN, LSTM and GRU, undone by pad_packed_sequence.

    data (sum of lengths, *), batch_sizes (max length,) int64, sorted_indices and
    unsorted_indices (B,) int64 or None.  A namedtuple: p.data, p[0], p._replace(data=...)."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:             # the old form PackedSequence((data, batch_sizes))
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence "
                             "should never be created manually. They should be instantiated "
                             "by functions like pack_sequence and pack_padded_sequences in "
                             "nn.utils.rnn. https://pytorch.org/docs/stable/nn.html"
                             "#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    # -- conversions: data is converted, batch_sizes and the indices are kept ----------------

    def to(self, *args, **kwargs):
        """data.to(*args, **kwargs); self when that returns data itself."""
        if "copy" in kwargs:
            raise RuntimeError(".to() does not accept copy argument")
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cuda(self, *args, **kwargs):
        return self.to(*args, **{"device": "cuda", **kwargs})

    def cpu(self, *args, **kwargs):
        return self.to(*args, **{"device": "cpu", **kwargs})

    def double(self):
        return self.to(dtype=_dt.float64)

    def float(self):
        return self.to(dtype=_dt.float32)

    def half(self):
        return self.to(dtype=_dt.float16)

    def long(self):
        return self.to(dtype=_dt.int64)

    def int(self):
        return self.to(dtype=_dt.int32)

    def short(self):
        return self.to(dtype=_dt.int16)

    def char(self):
        return self.to(dtype=_dt.int8)

    def byte(self):
        return self.to(dtype=_dt.uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return self.data.is_pinned()

    def pin_memory(self):
        return self._replace(data=self.data.pin_memory())


# ----------------------------------------------------------------------------------------------
# padded <-> packed
# ----------------------------------------------------------------------------------------------

def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch: input (T, B, *) ((B, T, *) with batch_first), lengths (B,) (a list
    or a tensor).  enforce_sorted=True: lengths must be non-increasing; False: the batch is
    sorted here (stably, longest first) and the order kept in sorted_indices."""
    if not isinstance(input, Tensor):
        raise TypeError(f"_pack_padded_sequence(): argument 'input' (position 1) must be Tensor, "
                        f"not {_type_name(input)}")
    if isinstance(lengths, Tensor):
        lengths = lengths.to(_dt.int64)
    else:
        lengths = as_tensor(lengths, dtype=_dt.int64, device="cpu")
    batch_dim = 0 if batch_first else 1

    sorted_indices = None
    if not enforce_sorted and lengths.dim() == 1:
        order = np.argsort(-lengths.numpy(), kind="stable")
        sorted_indices = tensor(order, dtype=_dt.int64)
        lengths = lengths[sorted_indices]
        input = input.index_select(batch_dim, sorted_indices)

    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.dim() != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D cpu Long tensor")
    steps, batch = (input.size(1), input.size(0)) if batch_first else \
        (input.size(0), input.size(1))
    if lengths.numel() != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.numel()} (batch_size={batch})")
    lens = lengths.numpy()
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lens[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({lens[0]}) exceeds the padded "
                           f"sequence length ({steps})")

    # batch_sizes[t] = how many sequences have a step t; data = those steps, time step by step
    batch_sizes = (lens[None, :] > np.arange(lens[0])[:, None]).sum(1)
    t_index = np.repeat(np.arange(lens[0]), batch_sizes)
    b_index = np.concatenate([np.arange(n) for n in batch_sizes])
    data = input[b_index, t_index] if batch_first else input[t_index, b_index]
    return PackedSequence(data, tensor(batch_sizes, dtype=_dt.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undoes pack_padded_sequence: returns (padded, lengths), padded (T, B, *) ((B, T, *)
    with batch_first) in the batch's original order, T = total_length or the longest length,
    lengths (B,) int64."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        try:
            max_seq_length = operator.index(total_length)
        except TypeError:
            raise TypeError(f"_pad_packed_sequence(): argument 'total_length' (position 5) "
                            f"must be int, not {_type_name(total_length)}") from None
    if isinstance(padding_value, Tensor):
        padding_value = padding_value.item()
    elif not isinstance(padding_value, numbers.Number):
        raise TypeError(f"_pad_packed_sequence(): argument 'padding_value' (position 4) must be "
                        f"Number, not {_type_name(padding_value)}")

    data = sequence.data
    batch_sizes = sequence.batch_sizes.numpy()
    batch = int(batch_sizes[0])
    lengths = (batch_sizes[:, None] > np.arange(batch)).sum(0)      # of the sorted sequences
    # index[t, b]: the row of data that holds step t of (sorted) sequence b, or the padding row
    starts = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    pad_row = data.size(0)
    index = np.full((max_seq_length, batch), pad_row, dtype=np.int64)
    for t, (start, n) in enumerate(zip(starts, batch_sizes)):
        index[t, :n] = start + np.arange(n)
    if sequence.unsorted_indices is not None:                      # back to the batch's order
        unsort = sequence.unsorted_indices.numpy()
        index, lengths = index[:, unsort], lengths[unsort]
    if batch_first:
        index = index.T
    padding = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, padding])[np.ascontiguousarray(index)]
    return padded, tensor(lengths, dtype=_dt.int64)


# ----------------------------------------------------------------------------------------------
# a list of sequences <-> padded / packed
# ----------------------------------------------------------------------------------------------

def _broadcast_rows(seq, trailing):
    """seq (L, *s) as (L, *trailing), broadcasting as a copy would (torch's error if not)."""
    target = (seq.size(0),) + trailing
    if tuple(seq.shape) == target:
        return seq
    ndim = max(len(target), seq.dim())
    for back in range(1, ndim + 1):
        want = target[-back] if back <= len(target) else 1
        have = seq.shape[-back] if back <= seq.dim() else 1
        if have != want and have != 1:
            raise RuntimeError(f"The size of tensor a ({want}) must match the size of tensor b "
                               f"({have}) at non-singleton dimension {ndim - back}")
    return seq.expand(*target)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences (L_b, *) into one (T, B, *) tensor ((B, T, *) with batch_first), T the
    longest L_b, padding each with padding_value after (padding_side='right') or before
    ('left') it.  The dtype and trailing shape are the first sequence's.  A tensor is read as
    the sequences along its dim 0."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not hasattr(sequences, "__iter__"):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = list(sequences)
    for i, seq in enumerate(sequences):
        if not isinstance(seq, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{_type_name(seq)}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"pad_sequence(): argument 'batch_first' (position 2) must be bool, not "
                        f"{_type_name(batch_first)}")
    if isinstance(padding_value, Tensor):
        padding_value = padding_value.item()
    elif not isinstance(padding_value, numbers.Real):
        raise TypeError(f"pad_sequence(): argument 'padding_value' (position 3) must be float, "
                        f"not {_type_name(padding_value)}")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")

    dtype, trailing = sequences[0].dtype, tuple(sequences[0].shape[1:])
    lengths = [seq.size(0) for seq in sequences]
    longest = max(lengths)
    rows = [_broadcast_rows(seq, trailing).to(dtype) for seq in sequences]
    rows.append(full((1,) + trailing, padding_value, dtype=dtype))
    # index[b, p]: the row (in all sequences one after another) at position p of sequence b
    pad_row = sum(lengths)
    index = np.full((len(sequences), longest), pad_row, dtype=np.int64)
    start = 0
    for b, n in enumerate(lengths):
        first = 0 if padding_side == "right" else longest - n
        index[b, first:first + n] = start + np.arange(n)
        start += n
    if not batch_first:
        index = index.T
    return cat(rows)[np.ascontiguousarray(index)]


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Undoes pad_sequence: a list of the B sequences of a (T, B, *) ((B, T, *) with
    batch_first) tensor, sequence b its first lengths[b] steps (lengths a tensor).

    torch 2.13 transposes the caller's tensor in place when batch_first=False (pytorch issue
    #98499, a bug); zerograd leaves it as it is."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    positions = arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[positions < length]
            for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of sequences (L_b, *): pack_padded_sequence(pad_sequence(sequences),
    their lengths)."""
    lengths = as_tensor([seq.size(0) for seq in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Undoes pack_sequence: the list of sequences, in the batch's original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
