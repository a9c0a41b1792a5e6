"""functional_call, stack_module_state, replace_all_batch_norm_modules_.

`functional_call(module, {name: tensor}, args)` runs `module(*args)` with the given tensors put
in place of the parameters/buffers of those (dotted) names, and puts the originals back
afterwards - even when the forward raises.  The tensors are placed straight into the owning
module's `_parameters` / `_buffers` dict (so they need not be Parameters, and gradients flow to
them); a name that is neither is set as a plain attribute for the call and removed afterwards.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor

__all__ = ["functional_call", "stack_module_state", "replace_all_batch_norm_modules_"]

_MISSING = object()


class _Accessor:
    """Reads and swaps tensors of `module` by dotted name (memoising the submodule lookups)."""

    def __init__(self, module):
        self.module = module
        self.memo = {}

    def submodule(self, name: str):
        from ..nn import Module
        if not name:
            return self.module
        if name in self.memo:
            return self.memo[name]
        prefix, dot, attr = name.rpartition(".")
        parent = self.submodule(prefix) if dot else self.module
        try:
            sub = getattr(parent, attr)
        except AttributeError as ex:
            raise AttributeError(f"{parent._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(sub, Module):
            raise TypeError(f"submodule `{name}`: {sub} is not an instance of torch.nn.Module")
        self.memo[name] = sub
        return sub

    def swap(self, name: str, tensor, allow_missing: bool = True):
        """Put `tensor` (or _MISSING: remove) at `name`; return what was there (or _MISSING)."""
        prefix, _, attr = name.rpartition(".")
        module = self.submodule(prefix)
        if tensor is not _MISSING and not isinstance(tensor, Tensor):
            raise TypeError(f"{tensor} is not an instance of torch.Tensor")
        if "." in attr:
            raise KeyError(f'tensor name "{attr}" can\'t contain "."')
        if attr == "":
            raise KeyError('tensor name can\'t be empty string ""')
        d = module.__dict__
        for table in (d.get("_parameters"), d.get("_buffers")):
            if table is not None and attr in table:
                orig = table[attr]
                if tensor is _MISSING:
                    del table[attr]
                else:
                    table[attr] = tensor
                return orig
        if hasattr(module, attr):
            orig = getattr(module, attr)
        else:
            if not allow_missing:
                raise AttributeError(f"{module._get_name()} has no attribute `{attr}`")
            orig = _MISSING
        if orig is not _MISSING and not isinstance(orig, Tensor):
            raise TypeError(f"attribute `{attr}`: {orig} is not an instance of torch.Tensor")
        if tensor is not _MISSING:
            setattr(module, attr, tensor)
        elif hasattr(module, attr):
            delattr(module, attr)
        return orig

    def swap_all(self, named):
        """Swap every entry of `named`; on an error, undo the swaps made so far."""
        orig = {}
        try:
            for name, tensor in named.items():
                orig[name] = self.swap(name, tensor)
        except BaseException:
            for name, t in reversed(list(orig.items())):
                self.swap(name, t)
            raise
        return orig

    def named_tensors(self):
        out = dict(self.module.named_parameters(remove_duplicate=False))
        out.update(self.module.named_buffers(remove_duplicate=False))
        return out


def _untie(module, given):
    """Spread each given tensor over every name tied to it (the same tensor object in the module),
    refusing different values for names of one tied tensor."""
    by_tensor = {}
    for name, t in _Accessor(module).named_tensors().items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {}
    for names in by_tensor.values():
        if len(names) > 1:
            for n in names:
                tied[n] = names
    given_tied = [n for n in given if n in tied]
    for n in given_tied:
        names = tied[n]
        provided = [given[m] for m in names if m in given]
        if len(provided) > 1 and len({id(t) for t in provided}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    out = dict(given)
    for n in given_tied:
        for m in tied[n]:
            out[m] = given[n]
    return out


def _reparametrized_call(module, tensors, args, kwargs, tie_weights, strict):
    untied = _untie(module, tensors) if tie_weights else tensors
    acc = _Accessor(module)
    if strict:
        valid = set(acc.named_tensors())
        keys = set(untied)
        missing, unexpected = sorted(valid - keys), sorted(keys - valid)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(msgs)))
    orig = acc.swap_all(untied)
    try:
        return module(*args, **kwargs)
    finally:
        # put the originals back; what the module left at those names (a buffer it reassigned,
        # say) is handed back through the caller's dict, as torch does
        now = {}
        for name, t in reversed(list(orig.items())):
            now[name] = acc.swap(name, t)
        for k in tensors:
            if k in now and now[k] is not _MISSING:
                tensors[k] = now[k]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call `module(*args, **kwargs)` with the tensors of `parameter_and_buffer_dicts` (a dict, or
    a list/tuple of dicts with distinct keys, of dotted names) standing in for its parameters and
    buffers; names not given keep the module's own.  `args` that is not a tuple is the single
    positional argument.  tie_weights: a tensor given for one of several tied names (one
    Parameter registered twice) is used for all of them.  strict: every parameter and buffer must
    be given, and no other name.  The module's own tensors are restored afterwards."""
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        tensors = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if not isinstance(args, tuple):
        args = (args,)
    return _reparametrized_call(module, tensors, args, kwargs, tie_weights, strict)


def stack_module_state(models):
    """(params, buffers): each parameter / buffer of the (same-class) models stacked along a new
    leading dimension, keyed by name - the state for `vmap(functional_call...)` over an ensemble.
    Stacked parameters are new leaves (requiring grad as the originals do)."""
    from ..ops.join import stack
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    first = type(models[0])
    if not all(type(m) is first for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(named, grads):
        keys = [k for k, _ in named(models[0])]
        per_model = [dict(named(m)) for m in models]
        out = {}
        for k in keys:
            leaf = stack([d[k] for d in per_model]).detach()
            if grads:
                leaf.requires_grad_(per_model[0][k].requires_grad)
            out[k] = leaf
        return out

    params = stacked(lambda m: m.named_parameters(), True)
    buffers = stacked(lambda m: m.named_buffers(), False)
    return params, buffers


def replace_all_batch_norm_modules_(root):
    """In place: make every BatchNorm in `root` stop tracking running stats (running_mean,
    running_var and num_batches_tracked become None, track_running_stats False), so that it
    normalises with batch statistics only - what vmap over a BatchNorm needs.  Returns root."""
    from ..nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
