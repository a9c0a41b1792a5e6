"""DataLoader: batches of samples from a dataset, in order or shuffled, collated into tensors.

How a batch is made (map-style dataset):

    sampler        yields indices: 0, 1, 2, ... (SequentialSampler) or a permutation
                   (RandomSampler, when shuffle=True; its `generator` fixes the order)
    batch_sampler  groups them: [0, 1, 2, 3], [4, 5, 6, 7], ... (the last one shorter unless
                   drop_last)
    fetch          samples = [dataset[i] for i in batch]
    collate_fn     default_collate(samples): stacks tensors along a new dim 0, turns numbers
                   into 1-D tensors, and recurses into tuples, lists and dicts

Everything runs in the calling process: there are no worker processes.
"""
from __future__ import annotations

import collections.abc
import copy
import warnings

import numpy as np

from ...tensor import Tensor
from .dataset import IterableDataset

__all__ = ["BatchSampler", "DataLoader", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "default_collate", "default_convert",
           "get_worker_info"]


def get_worker_info():
    """Always None: zerograd loads data in the main process (there are no workers)."""
    return None


# ------------------------------------------------------------------------------------------------
# samplers: which indices, in which order
# ------------------------------------------------------------------------------------------------
class Sampler:
    """Base class: an iterable of dataset indices (or of lists of indices, for batch samplers)."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _new_seeded_generator():
    """A generator seeded from the default generator (torch does this when none is given)."""
    from ...ops.creation import Generator, default_generator
    from ... import randint
    seed = int(randint(0, 2 ** 62, (), generator=default_generator).item())
    return Generator().manual_seed(seed)


class RandomSampler(Sampler):
    """The indices in a random order: a fresh permutation each epoch (each `iter()`).

    Args:
        replacement: draw `num_samples` indices with replacement instead.
        num_samples: how many indices per epoch (default len(data_source)).
        generator: a zerograd.Generator; seed it for a reproducible sequence of epochs.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        from ... import randint, randperm
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _new_seeded_generator()
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from randint(0, n, (32,), generator=generator).tolist()
            yield from randint(0, n, (self.num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order."""

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        from ... import randperm
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices in [0, len(weights)), index i drawn with probability proportional to
    weights[i] (the weights need not sum to one); replacement=False draws each index at most
    once.  Each epoch is one `multinomial(weights, num_samples, replacement, generator=...)`
    draw, so a seeded generator (or the default one) gives torch's indices."""

    def __init__(self, weights, num_samples, replacement=True, generator=None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        from ... import as_tensor, float64
        as_double = as_tensor(weights, dtype=float64)
        if as_double.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(as_double.shape)}")
        self.weights = as_double
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ... import multinomial
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of `sampler` into lists of `batch_size` (the last one may be shorter,
    unless drop_last).

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


# ------------------------------------------------------------------------------------------------
# collation: a list of samples -> one batch
# ------------------------------------------------------------------------------------------------
_COLLATE_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def _stack(tensors):
    """zerograd.stack(tensors, 0) when the core has it; else stacked with NumPy (no grad)."""
    try:
        from ... import stack
    except ImportError:      # a core without stack yet: the NumPy path below
        stack = None
    if stack is not None:
        return stack(tensors, 0)
    shapes = {t._data.shape for t in tensors}
    if len(shapes) > 1:
        first = tensors[0]._data.shape
        for i, t in enumerate(tensors):
            if t._data.shape != first:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"{list(first)} at entry 0 and {list(t._data.shape)} at entry "
                                   f"{i}")
    if any(t.requires_grad for t in tensors):
        raise RuntimeError("default_collate: stacking tensors that require grad needs "
                           "zerograd.stack; detach the samples first")
    return Tensor._make(np.stack([t._data for t in tensors]), False, None, 0)


def _as_tensor(data, dtype=None):
    from ... import tensor
    return tensor(data, dtype=dtype)


def default_collate(batch):
    """Merge a list of samples into a batch, as torch's default_collate:

        tensors            -> stacked along a new dim 0
        NumPy arrays       -> tensors, stacked
        floats             -> a float64 tensor;  ints -> int64;  bools -> bool
        strings            -> the list of strings
        dicts              -> a dict with each key collated
        tuples / lists     -> a list with each position collated (all samples the same length);
                              namedtuples keep their type
    """
    from ... import float64
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUS":
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        return _stack([_as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        return _as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return _as_tensor(batch)
    if isinstance(elem, float):
        return _as_tensor(batch, dtype=float64)
    if isinstance(elem, int):
        return _as_tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)       # keeps the mapping's type (OrderedDict, ...)
                clone.update(collated)
                return clone
            return type(elem)(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            return type(elem)([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def default_convert(data):
    """Without batching (batch_size=None): NumPy arrays become tensors, containers recurse."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OUS":
        return _as_tensor(data)
    if isinstance(data, np.generic):
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


# ------------------------------------------------------------------------------------------------
# the loader
# ------------------------------------------------------------------------------------------------
class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a map-style Dataset (indexable, with len) or an IterableDataset.
        batch_size: samples per batch (default 1); None disables batching (samples are only
            converted with default_convert).
        shuffle: reshuffle the indices at every epoch (a RandomSampler).
        sampler / batch_sampler: custom index orders (mutually exclusive with shuffle, and
            batch_sampler with batch_size and drop_last).
        collate_fn: list of samples -> batch (default_collate).
        drop_last: drop the last batch when it is smaller than batch_size.
        generator: the zerograd.Generator the RandomSampler draws from (seed it for a
            reproducible order).
        num_workers: accepted for compatibility; zerograd always loads in the main process.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
        ...                     generator=zerograd.Generator().manual_seed(0))
        >>> for xb, yb in loader:
        ...     ...
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers > 0:
            warnings.warn(f"zerograd's DataLoader has no worker processes: num_workers="
                          f"{num_workers} is ignored and data loads in the main process",
                          UserWarning, stacklevel=2)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self.persistent_workers = persistent_workers

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = "map"

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None and self._dataset_kind == "map":
            sampler = RandomSampler(dataset, generator=generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and self._dataset_kind == "map":
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._dataset_kind == "iterable"
                                                   and self.batch_size is not None)

    def __iter__(self):
        # torch's iterator draws a base seed for worker processes from the loader's generator
        # (the global one when None) as it is created: one int64 of that stream, drawn here too,
        # so that what comes after it (the sampler's permutation, dropout masks...) stays torch's
        from ...ops import empty
        from ...dtypes import int64
        self._base_seed = int(empty((), dtype=int64).random_(generator=self.generator).item())
        return self._iter_iterable() if self._dataset_kind == "iterable" else self._iter_map()

    def _iter_map(self):
        fetch_many = getattr(self.dataset, "__getitems__", None)
        if self._auto_collation:
            for indices in self.batch_sampler:
                samples = fetch_many(indices) if callable(fetch_many) else \
                    [self.dataset[i] for i in indices]
                yield self.collate_fn(samples)
        else:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])

    def _iter_iterable(self):
        it = iter(self.dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in it:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._dataset_kind == "iterable":
            length = len(self.dataset)
            if self.batch_size is not None:
                from math import ceil
                length = length // self.batch_size if self.drop_last else \
                    ceil(length / self.batch_size)
            return length
        return len(self.batch_sampler) if self._auto_collation else len(self.sampler)
