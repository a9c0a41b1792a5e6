"""zerograd.optim: optimizers and learning-rate schedulers, as in `torch.optim`.

    optimizer = zerograd.optim.AdamW(params, lr=3e-4)
    scheduler = zerograd.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for batch in loader:
        optimizer.zero_grad()
        loss_fn(model(batch)).backward()
        optimizer.step()
        scheduler.step()

Each optimizer is one readable single-tensor update loop (torch's "foreach" and "fused"
variants compute the same math faster; zerograd keeps only the loop) with its algorithm written
as math in the class docstring.
"""
from .. import _lazy
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS",
           "NAdam", "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "lr_scheduler"]


# lr_scheduler and the less common optimizers are imported on first use
# (`zerograd.optim.lr_scheduler.X` and `zerograd.optim.NAdam` work as in torch): modules less in
# every process that only trains with SGD or Adam
__getattr__, __dir__ = _lazy.attach(globals(), ["lr_scheduler"], members={
    "ASGD": ("asgd", "ASGD"),
    "Adadelta": ("adadelta", "Adadelta"),
    "Adafactor": ("adafactor", "Adafactor"),
    "Adamax": ("adamax", "Adamax"),
    "LBFGS": ("lbfgs", "LBFGS"),
    "NAdam": ("nadam", "NAdam"),
    "RAdam": ("radam", "RAdam"),
    "Rprop": ("rprop", "Rprop"),
})
