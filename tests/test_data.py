"""utils.data: datasets, samplers, DataLoader batching/shuffling/drop_last, default_collate
(compared with torch's on the same Python structures), random_split."""
import collections
import warnings

import numpy as np
import pytest

import zerograd
from tests._oracle import requires_torch, torch
from zerograd.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                 IterableDataset, RandomSampler, SequentialSampler, Subset,
                                 TensorDataset, default_collate, random_split)


def _xy(n=10):
    x = zerograd.tensor(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = zerograd.tensor(np.arange(n))
    return x, y


def _gen(seed):
    return zerograd.Generator().manual_seed(seed)


# ------------------------------------------------------------------------------------------------
# datasets
# ------------------------------------------------------------------------------------------------
def test_tensor_dataset_indexes_rows():
    x, y = _xy()
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    xi, yi = ds[4]
    assert xi.tolist() == [12.0, 13.0, 14.0] and yi.item() == 4 and yi.dtype == zerograd.int64
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, zerograd.zeros(3))


def test_subset_concat_and_add():
    x, y = _xy()
    ds = TensorDataset(x, y)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and sub[0][1].item() == 7 and sub[-1][1].item() == 5
    both = ds + sub
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both[10][1].item() == 7 and both[-1][1].item() == 5 and both[3][1].item() == 3


def test_a_custom_map_style_dataset():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": float(i), "y": i * i}

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    assert batches[0]["x"].dtype == zerograd.float64 and batches[0]["x"].tolist() == [0.0, 1.0]
    assert batches[2]["y"].tolist() == [16]


# ------------------------------------------------------------------------------------------------
# DataLoader
# ------------------------------------------------------------------------------------------------
def test_sequential_batches_are_slices_and_the_last_is_short():
    x, y = _xy(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    xb, yb = batches[0]
    assert xb.shape == (4, 3) and xb.dtype == zerograd.float32
    assert xb.tolist() == x.tolist()[:4]
    assert isinstance(batches[0], list)          # tuples of samples collate to a list, as torch


def test_drop_last():
    x, y = _xy(10)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[1].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(TensorDataset(x, y), batch_size=5, drop_last=True)) == 2


def test_shuffle_is_deterministic_with_a_seeded_generator():
    x, y = _xy(25)
    ds = TensorDataset(x, y)

    def epochs(seed, n=3):
        loader = DataLoader(ds, batch_size=4, shuffle=True, generator=_gen(seed))
        return [[i for b in loader for i in b[1].tolist()] for _ in range(n)]

    a, b = epochs(123), epochs(123)
    assert a == b                                    # same seed, same sequence of epochs
    assert a[0] != a[1]                              # a new permutation each epoch
    assert all(sorted(e) == list(range(25)) for e in a)
    assert epochs(7)[0] != a[0]
    assert a[0] != list(range(25))


def test_shuffle_without_a_generator_follows_manual_seed():
    x, y = _xy(30)
    ds = TensorDataset(x, y)
    orders = []
    for _ in range(2):
        zerograd.manual_seed(0)
        loader = DataLoader(ds, batch_size=7, shuffle=True)
        orders.append([i for b in loader for i in b[1].tolist()])
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(30))


def test_samples_and_batches_keep_rows_together():
    x, y = _xy(12)
    for xb, yb in DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True, generator=_gen(1)):
        for row, label in zip(xb.tolist(), yb.tolist()):
            assert row == [3.0 * label, 3.0 * label + 1, 3.0 * label + 2]


def test_batch_size_none_yields_single_samples():
    x, y = _xy(3)
    items = list(DataLoader(TensorDataset(x, y), batch_size=None))
    assert len(items) == 3 and items[1][0].shape == (3,) and items[1][1].item() == 1


def test_custom_samplers_and_collate_fn():
    x, y = _xy(10)
    ds = TensorDataset(x, y)
    bs = BatchSampler(SequentialSampler(ds), batch_size=3, drop_last=False)
    assert list(bs) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]] and len(bs) == 4
    loader = DataLoader(ds, batch_sampler=bs, collate_fn=lambda samples: len(samples))
    assert list(loader) == [3, 3, 3, 1]
    loader = DataLoader(ds, sampler=[9, 8, 7], batch_size=2)
    assert [b[1].tolist() for b in loader] == [[9, 8], [7]]
    rs = RandomSampler(ds, replacement=True, num_samples=50, generator=_gen(0))
    draws = list(rs)
    assert len(draws) == 50 and set(draws) <= set(range(10))


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == \
        [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(Stream(), shuffle=True)


def test_option_conflicts_raise_like_torch():
    x, y = _xy()
    ds = TensorDataset(x, y)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(ds, batch_size=0)


def test_num_workers_is_accepted_with_a_warning_and_loads_in_process():
    x, y = _xy(6)
    with pytest.warns(UserWarning, match="no worker processes"):
        loader = DataLoader(TensorDataset(x, y), batch_size=3, num_workers=2)
    assert [b[1].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]]
    assert zerograd.utils.data.get_worker_info() is None


# ------------------------------------------------------------------------------------------------
# default_collate vs torch's
# ------------------------------------------------------------------------------------------------
def _plain(x):
    """Comparable form of a collated batch from either library."""
    if hasattr(x, "tolist") and hasattr(x, "dtype") and not isinstance(x, np.ndarray):
        return ("T", str(x.dtype).replace("torch.", "").replace("zerograd.", ""), tuple(x.shape),
                x.tolist())
    if isinstance(x, dict):
        return ("dict", type(x).__name__, {k: _plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return ("namedtuple", type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


Point = collections.namedtuple("Point", "x y")


def _samples(lib):
    t = lambda v, **kw: lib.tensor(v, **kw)  # noqa: E731
    return {
        "tensors": [t([1.0, 2.0]), t([3.0, 4.0])],
        "int64 tensors": [t([[1, 2]]), t([[3, 4]])],
        "scalar tensors": [t(1.5), t(2.5)],
        "floats": [1.5, 2.0, -3.25],
        "ints": [1, 2, 3],
        "bools": [True, False],
        "strings": ["a", "bc"],
        "numpy arrays": [np.array([1.0, 2.0], dtype=np.float32), np.array([3.0, 4.0],
                                                                          dtype=np.float32)],
        "numpy scalars": [np.float64(1.5), np.float64(2.5)],
        "tuples": [(t([1.0]), 0), (t([2.0]), 1)],
        "lists": [[1, 2.5], [3, 4.5]],
        "dicts": [{"x": t([1.0, 2.0]), "y": 0, "name": "a"},
                  {"x": t([3.0, 4.0]), "y": 1, "name": "b"}],
        "nested": [{"a": (1, {"b": [2.0, 3.0]})}, {"a": (4, {"b": [5.0, 6.0]})}],
        "ordered dicts": [collections.OrderedDict(k=1), collections.OrderedDict(k=2)],
        "namedtuples": [Point(1.0, t([1])), Point(2.0, t([2]))],
    }


@requires_torch
@pytest.mark.parametrize("case", list(_samples(zerograd)))
def test_default_collate_matches_torch(case):
    from torch.utils.data import default_collate as torch_collate
    mine = _plain(default_collate(_samples(zerograd)[case]))
    theirs = _plain(torch_collate(_samples(torch)[case]))
    assert mine == theirs


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([zerograd.zeros(2), zerograd.zeros(3)])


# ------------------------------------------------------------------------------------------------
# random_split
# ------------------------------------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.7, 0.3]), (11, [0.5, 0.5]),
                                       (7, [0.25, 0.25, 0.5]), (103, [0.1] * 10),
                                       (5, [0.2, 0.8])])
def test_random_split_sizes_match_torch_and_the_parts_partition_the_dataset(n, lengths):
    mine = random_split(range(n), lengths, generator=_gen(0))
    theirs = torch.utils.data.random_split(range(n), lengths,
                                           generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in mine] == [len(s) for s in theirs]
    everything = [i for s in mine for i in (s[j] for j in range(len(s)))]
    assert sorted(everything) == list(range(n))


def test_random_split_is_reproducible_and_checks_lengths():
    a = [list(s) for s in random_split(range(20), [5, 15], generator=_gen(3))]
    b = [list(s) for s in random_split(range(20), [5, 15], generator=_gen(3))]
    assert a == b and a != [list(range(5)), list(range(5, 20))]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 4])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        parts = random_split(range(2), [0.1, 0.9], generator=_gen(0))
    assert [len(p) for p in parts] == [1, 1] or any("is 0" in str(x.message) for x in w)


def test_random_split_subsets_work_with_the_dataloader():
    x, y = _xy(20)
    train, val = random_split(TensorDataset(x, y), [0.75, 0.25], generator=_gen(0))
    seen = [i for _, yb in DataLoader(train, batch_size=4) for i in yb.tolist()]
    seen += [i for _, yb in DataLoader(val, batch_size=4) for i in yb.tolist()]
    assert sorted(seen) == list(range(20)) and len(train) == 15


def test_collating_samples_that_require_grad_keeps_the_graph_when_stack_exists():
    if not hasattr(zerograd, "stack"):
        pytest.skip("zerograd.stack is not there yet: default_collate stacks with NumPy")
    a = zerograd.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([a, zerograd.tensor([3.0, 4.0])])
    batch.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]


@requires_torch
def test_epochs_and_the_random_streams_around_them_are_torchs():
    """Each iter() of a DataLoader draws torch's worker base seed from the loader's generator (the
    global one without): the shuffles, and what the global stream gives after them, match."""
    def run(L):
        L.manual_seed(0)
        out = []
        for shuffle, gen in ((True, None), (False, None), (True, L.Generator().manual_seed(3))):
            loader = L.utils.data.DataLoader(L.arange(10), batch_size=4, shuffle=shuffle,
                                             generator=gen)
            for _ in range(2):
                out.append([b.tolist() for b in loader])
            out.append(L.randn(2).tolist())
        iter(L.utils.data.DataLoader(L.arange(3)))     # creating the iterator draws
        out.append(L.rand(1).tolist())
        return out
    assert run(zerograd) == run(torch)
