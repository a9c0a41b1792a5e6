"""zerograd.utils.data: datasets, samplers and the DataLoader, as in `torch.utils.data`.

    dataset = TensorDataset(x, y)                           # (x[i], y[i]) for i < len(x)
    train, val = random_split(dataset, [0.8, 0.2], generator=zerograd.Generator().manual_seed(0))
    loader = DataLoader(train, batch_size=32, shuffle=True, drop_last=True)
    for xb, yb in loader:                                   # xb: x rows stacked into a batch
        ...

Everything runs in the calling process (there are no worker processes: `num_workers > 0` is
accepted, with a warning, and loads in the main process).
"""
from .dataloader import (BatchSampler, DataLoader, RandomSampler, Sampler, SequentialSampler,
                         SubsetRandomSampler, default_collate, default_convert, get_worker_info)
from .dataloader import WeightedRandomSampler  # noqa: F401
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
           "TensorDataset", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
__all__ += ["WeightedRandomSampler"]
