"""Optimizer: the base class every algorithm (SGD, Adam, ...) builds on, as in `torch.optim`.

An optimizer holds *what* to update and *how*:

    param_groups   a list of dicts: {"params": [tensors], "lr": ..., "momentum": ..., ...}
                   Every group carries every hyper-parameter; the ones a group does not set are
                   filled in from the optimizer's `defaults`.  Schedulers change `group["lr"]`.
    state          a dict keyed by parameter tensor holding the algorithm's running buffers
                   (SGD's momentum buffer, Adam's two moments and its step count, ...).

A training step is

    optimizer.zero_grad()      # p.grad = None for every parameter
    loss.backward()            # fills p.grad
    optimizer.step()           # p <- update(p, p.grad, state[p]), in place, under no_grad

`step()` changes each parameter *in place*, in its own memory (`p._data`), and bumps its version
counter: a graph that saved `p` before the step refuses to backpropagate through the stale value.

`state_dict()` is torch's format: parameters are replaced by integer ids (their position over all
groups), so a checkpoint holds no tensors of the model, only the optimizer's own buffers:

    {"state": {0: {"momentum_buffer": tensor(...)}, 1: {...}},
     "param_groups": [{"lr": 0.1, "momentum": 0.9, ..., "params": [0, 1]}]}
"""
from __future__ import annotations

import functools
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import dtypes as _dt
from ..autograd.hooks import RemovableHandle
from ..grad_mode import _state as _grad_state, enable_grad, no_grad
from ..ops._util import overlapping
from ..ops.inplace import OVERLAP_MSG, _user_site, bump_version
from ..tensor import Tensor

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton marking a hyper-parameter that every group must give (no default)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

# hooks that run around the step() of every optimizer (torch.optim.optimizer's globals)
_global_optimizer_pre_hooks: dict = OrderedDict()
_global_optimizer_post_hooks: dict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before every step()."""
    return RemovableHandle(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """hook(optimizer, args, kwargs) -> None, after every optimizer's step()."""
    return RemovableHandle(_global_optimizer_post_hooks, hook)


def typename(obj) -> str:
    """torch.typename: 'torch.FloatTensor' for a float32 tensor, else the qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module = type(obj).__module__ or ""
        qualname = type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# ------------------------------------------------------------------------------------------------
# helpers for the update loops: they work on the NumPy arrays behind the tensors
# ------------------------------------------------------------------------------------------------
def _begin_update(t: Tensor) -> np.ndarray:
    """Check that `t` may be changed in place now, and return its memory to write into.

    step() runs under no_grad, where a leaf that requires grad may be updated in place; an
    inference tensor (made under inference_mode, no version counter) may not be, as in torch."""
    if t._vc is None and not _grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
            "a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if not t._data.flags.writeable:
        raise RuntimeError("zerograd.optim: the parameter's memory is read-only; optimize a "
                           "tensor that owns its memory")
    if overlapping(t._data):                # an expanded view: its update would be torch's error
        raise RuntimeError(OVERLAP_MSG)
    return t._data


_OUTSIDE = object()
_step_site = [_OUTSIDE]     # inside step(): the user's line that called it (None: not looked up)


def _bump_version(t: Tensor) -> None:
    """Record an in-place change of `t` (autograd compares versions of saved tensors, and names
    the site of the last change in its error).  Inside step() every change has the same site,
    the line that called step(): it is looked up once per step, not once per tensor."""
    site = _step_site[0]
    if site is _OUTSIDE:
        bump_version(t)
        return
    if site is None:
        site = _step_site[0] = _user_site()
    bump_version(t, site)


def _scalar_state_dtype():
    """The dtype of the `step` counters (torch: float64 when that is the default, else float32)."""
    return _dt.float64 if _dt.get_default_dtype() is _dt.float64 else _dt.float32


def _step_tensor(value: float = 0.0) -> Tensor:
    """A 0-d tensor holding a step count: torch keeps `state["step"]` as a tensor."""
    return Tensor._make(np.array(value, dtype=_scalar_state_dtype().np), False, None, 0)


def _increment_step(step_t: Tensor) -> float:
    """`step_t += 1` in place; return the new count as a Python float (torch's `_get_value`)."""
    a = step_t._data
    if a.dtype is _F32 or a.dtype is _F64:
        a[()] = float(a) + 1.0      # (exact in double, then rounded once: what += 1 gives)
    else:
        a += 1
    _bump_version(step_t)
    return float(a)


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _operand(x, dtype):
    """A Python float as the 0-d array of a float32/float64 array's dtype that NumPy makes of it
    (its weak-scalar rule: the number cast to the array's dtype) - NumPy resolves a Python
    float's type on every call, ~1 us of each of an update's ufunc calls, so a step's loop makes
    its constants once.  Anything else (NumPy or tensor scalars, which promote differently,
    other dtypes, dtype None) is returned as it is."""
    if type(x) is float and (dtype is _F32 or dtype is _F64):
        return np.asarray(x, dtype)
    return x


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start <- start + weight (end - start), in place, rounded as torch's lerp kernel rounds:
    from the nearer end, so that weight = 1 gives `end` exactly."""
    w = start.dtype.type(weight)
    if start.dtype is _F32 or start.dtype is _F64:
        w = np.asarray(w)           # (a 0-d array: the same number, a cheaper NumPy operand)
    if abs(w) < 0.5:
        start += w * (end - start)
    else:
        start[...] = end - (end - start) * (1 - w)


def _zeros_like(p: Tensor, fill: float = 0.0) -> Tensor:
    """A new state buffer shaped and typed like `p` (torch.zeros_like / full_like)."""
    return Tensor._make(np.full(p._data.shape, fill, dtype=p._data.dtype), False, None, 0)


def _to_float(x):
    """Hyper-parameters may be given as 1-element tensors; the update loops want Python floats."""
    return float(x.item()) if isinstance(x, Tensor) else x


def _to_scalar(x):
    """A hyper-parameter for arithmetic as torch does it: a tensor (lr, betas) becomes a NumPy
    scalar of its dtype, so that e.g. `lr / (1 - beta1 ** step)` rounds in float32 for a float32
    tensor lr, as torch's 0-d tensor arithmetic does (NumPy scalars promote like 0-d tensors,
    Python numbers stay weak); a Python number is returned as it is."""
    return x._data.reshape(())[()] if isinstance(x, Tensor) else x


def _pow(base, exp: float):
    """`base ** exp` as torch computes it: a Python number with Python's pow; a NumPy scalar
    (a tensor hyper-parameter, see `_to_scalar`) as torch's pow of a tensor by a scalar, which
    multiplies out the exponents 2 and 3 in the tensor's dtype and otherwise rounds the
    double-precision pow to that dtype."""
    if not isinstance(base, np.generic):
        return base ** exp
    if exp == 2:
        return base * base
    if exp == 3:
        return base * base * base
    if exp == 0.5:
        return np.sqrt(base)
    return base.dtype.type(float(base) ** exp)


def _div(a, b):
    """`a / b` as torch computes it: a Python number over a NumPy scalar (a tensor
    hyper-parameter) is torch's `number / tensor`, i.e. `tensor.reciprocal() * number`
    (Tensor.__rtruediv__), rounded twice in the tensor's dtype."""
    if isinstance(b, np.generic) and not isinstance(a, np.generic):
        return np.reciprocal(b) * a
    return a / b


def _unsupported_flags(name, **flags) -> None:
    """zerograd has one implementation per algorithm: the readable single-tensor loop.  `foreach`
    is accepted (the result is the same math); fused/capturable/differentiable are not there."""
    for flag, value in flags.items():
        if value:
            raise RuntimeError(f"{name}: `{flag}=True` is not supported by zerograd (there is only "
                               f"the single-tensor implementation); leave {flag} at its default")


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) each with a "params" entry
            and optional per-group hyper-parameters.  Use an ordered collection (a list, not a set).
        defaults: the hyper-parameters a group gets when it does not give its own.

    A subclass implements `step(closure=None)`.  The base class wraps every subclass's `step` so
    that step pre-hooks and post-hooks (per optimizer and global) run around it, as torch does.
    """

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict = OrderedDict()
        self._optimizer_step_post_hooks: dict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: dict = OrderedDict()
        self._optimizer_state_dict_post_hooks: dict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: dict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: dict = OrderedDict()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))

        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # --------------------------------------------------------------------------------------------
    # step(): subclasses define it; every subclass's step is wrapped to run the step hooks
    # --------------------------------------------------------------------------------------------
    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = Optimizer._with_step_hooks(step)

    @staticmethod
    def _with_step_hooks(step):
        @functools.wraps(step)
        def wrapper(*args, **kwargs):
            # as torch's profile_hook_step: the hooks see the call's args, self included
            self = args[0]
            for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                                  self._optimizer_step_pre_hooks.values()):
                result = pre_hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                           f"new_kwargs), but got {result}.")
            out = step(*args, **kwargs)
            for post_hook in chain(self._optimizer_step_post_hooks.values(),
                                   _global_optimizer_post_hooks.values()):
                post_hook(self, args, kwargs)
            return out
        wrapper._hooked = True
        return wrapper

    def step(self, closure=None):
        """Perform one optimization step (update every parameter that has a `.grad`).

        closure: an optional function that re-evaluates the model and returns the loss; it runs
        with grad enabled, before the update, and its value is returned."""
        raise NotImplementedError

    @staticmethod
    def _run_closure(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before each step();
        `args` are step's positional arguments, the optimizer first (as torch passes them)."""
        return RemovableHandle(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """hook(optimizer, args, kwargs) -> None, after each step()."""
        return RemovableHandle(self._optimizer_step_post_hooks, hook)

    # --------------------------------------------------------------------------------------------
    # parameter groups
    # --------------------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own hyper-parameters) to optimize, e.g. layers
        unfrozen during fine-tuning.  Missing hyper-parameters come from `defaults`."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. Please "
                            "use a list instead.")
        else:
            param_group["params"] = list(params)

        # (name, tensor) pairs, as from model.named_parameters(), keep their names
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(param))
            # a tensor that does not require grad is allowed (as in torch): it never gets a
            # .grad, so step() skips it.  A non-leaf is not: its .grad is never populated.
            if not self.defaults.get("differentiable", None) and not (param.is_leaf
                                                                     or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_ids: set = set()
        for group in self.param_groups:
            param_ids.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_ids.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        set_to_none=True (the default) sets `p.grad = None`: less memory, and a parameter that
        gets no gradient in the next backward is then skipped by step().  False zeroes the
        existing gradients in place instead (a zero gradient still moves Adam's parameters)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    # --------------------------------------------------------------------------------------------
    # state_dict / load_state_dict (torch's format)
    # --------------------------------------------------------------------------------------------
    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        handle = RemovableHandle(self._optimizer_state_dict_pre_hooks, hook)
        if prepend:
            self._optimizer_state_dict_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        handle = RemovableHandle(self._optimizer_state_dict_post_hooks, hook)
        if prepend:
            self._optimizer_state_dict_post_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        handle = RemovableHandle(self._optimizer_load_state_dict_pre_hooks, hook)
        if prepend:
            self._optimizer_load_state_dict_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        handle = RemovableHandle(self._optimizer_load_state_dict_post_hooks, hook)
        if prepend:
            self._optimizer_load_state_dict_post_hooks.move_to_end(handle.id, last=False)
        return handle

    def state_dict(self) -> dict:
        """The optimizer's state as a dict: {"state": {id: {...}}, "param_groups": [{...}]}.

        Parameters appear as integer ids, numbered in order over all groups.  The state tensors
        are the optimizer's own (not copies), as in torch; `zerograd.save` writes them out."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        # floating-point state follows the parameter's dtype; the step count keeps its own
        if key == "step":
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state dict made by `state_dict()` (here or by torch, through safetensors).

        Parameters are matched by position: the saved ids of each group are zipped with this
        optimizer's parameters, so the groups must have the same sizes.  Floating state tensors
        are cast to their parameter's dtype.  Load it *after* creating any lr scheduler (a
        scheduler's constructor writes `group["lr"]`)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")

        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict["param_groups"], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, key=k) for k, v in value.items()}
            if isinstance(value, (str, bytes)):
                return value
            if isinstance(value, Iterable):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, param_id=k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        self.state = state
        self.param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self._after_load_state_dict()
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    def _after_load_state_dict(self) -> None:
        """Subclasses fill in group keys that older state dicts may lack (torch's __setstate__)."""
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def __getstate__(self) -> dict:
        """What copy.deepcopy carries over: defaults, state and groups (no hooks, and not the
        step wrapper an lr scheduler puts on the instance), as in torch."""
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self._after_load_state_dict()


def _params_with_grad(group):
    """The parameters of a group that received a gradient (the others are skipped)."""
    for p in group["params"]:
        if p.grad is not None:
            if getattr(p.grad, "is_sparse", False):
                raise RuntimeError("sparse gradients are not supported by zerograd's optimizers")
            yield p


def _no_grad_step(step):
    """Run an optimizer's step() with graph recording off (the updates are not differentiable)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        prev = _step_site[0]
        _step_site[0] = None
        try:
            with no_grad():
                return step(self, *args, **kwargs)
        finally:
            _step_site[0] = prev
    return wrapper
