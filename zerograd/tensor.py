"""Tensor: a NumPy array plus what autograd needs to know about it.

This file is a facade: properties, a few methods that are about the tensor itself (grad, hooks,
detach, conversions), and one-line methods that forward to `ops/`.  The logic of every operation
lives in `ops/` (forward and VJP side by side); the graph machinery lives in `autograd/`.

A tensor's autograd state, as in PyTorch:
  requires_grad   track operations on this tensor (leaves: set by the user; non-leaves: True)
  grad_fn         the node that produced it (None for leaves and for untracked tensors)
  is_leaf         grad_fn is None: created by the user, its gradient accumulates in .grad
  _version        bumped by every in-place change; shared with views and detach()
"""
from __future__ import annotations

import operator as _operator
import warnings

import numpy as np

from . import dtypes as _dt
from . import grad_mode as _gm
from ._tensor_str import format_tensor

_state = _gm._state
_NP_TO_DTYPE = _dt._NP_TO_DTYPE


def tensor_repr(t) -> str:
    """The text torch prints for `t` (formatting rules live in _tensor_str.py)."""
    suffixes = []
    try:
        fn = t.grad_fn
    except RuntimeError:        # a view whose history can no longer be re-derived, as torch
        fn = "<Invalid>"
    if fn is not None:
        suffixes.append(f"grad_fn={fn if type(fn) is str else f'<{type(fn).__name__}>'}")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    dt = t.dtype
    default = dt is _dt.get_default_dtype() or dt is _dt.int64 or dt is _dt.bool
    return format_tensor(t._data, dtype_name=dt.name, is_default_dtype=default, suffixes=suffixes)


class Size(tuple):
    """torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`."""

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, n in enumerate(sizes):
            if type(n) is not int:
                if isinstance(n, float) or not hasattr(n, "__index__"):
                    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(n).__name__}')")
                sizes = sizes[:i] + (n.__index__(),) + sizes[i + 1:]
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other))) if isinstance(other, tuple) else \
            tuple.__add__(self, other)

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r


_PY_DTYPES = (float, int, bool)

# ufunc -> the Tensor method answering `numpy_operand <op> tensor` (see __array_ufunc__)
_REFLECTED_UFUNCS = {np.add: ("__radd__", "+"), np.subtract: ("__rsub__", "-"),
                     np.multiply: ("__rmul__", "*"), np.true_divide: ("__rtruediv__", "/"),
                     np.floor_divide: ("__rfloordiv__", "//"), np.remainder: ("__rmod__", "%"),
                     np.power: ("__rpow__", "** or pow()"), np.matmul: ("__rmatmul__", "@"),
                     np.equal: ("__eq__", "=="), np.not_equal: ("__ne__", "!="),
                     np.less: ("__gt__", "<"), np.less_equal: ("__ge__", "<="),
                     np.greater: ("__lt__", ">"), np.greater_equal: ("__le__", ">="),
                     np.bitwise_and: ("__rand__", "&"), np.bitwise_or: ("__ror__", "|"),
                     np.bitwise_xor: ("__rxor__", "^")}


def _wrap_array(a):
    """A ufunc's result as a tensor, as torch's __array_wrap__ makes it: a NumPy scalar (a
    reduction's) 0-d, and a bool array uint8 (torch's workaround, kept for parity)."""
    if isinstance(a, np.generic):
        a = np.asarray(a)
    if type(a) is not np.ndarray:
        return a
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    return Tensor._make(a, False, None, 0)


_builtin_type = type
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
_BACKEND_NAMES = {"cuda": "CUDA", "hip": "CUDA", "xpu": "XPU"}


class DeviceUnavailableError(AssertionError, RuntimeError):
    """A tensor asked for on a device other than the CPU.  torch built without CUDA raises
    AssertionError("Torch not compiled with CUDA enabled"); zerograd raised RuntimeError before:
    this error is both."""


class device:
    """torch.device: a device type and an optional index ('cpu', 'cuda:1', device('cuda', 0)).
    Any of torch's device types can be named, as in torch; zerograd computes on the CPU only, so
    a tensor or module asked for on another device raises DeviceUnavailableError (check_device)."""
    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_builtin_type(type).__name__}), but expected one of:\n"
                            " * (torch.device device)\n * (str type, int index = -1)")
        elif ":" in type:
            kind, _, rest = type.partition(":")
            if not rest.isdigit() or index is not None or kind not in _DEVICE_TYPES:
                raise RuntimeError(f"Invalid device string: '{type}'")
            type, index = kind, int(rest)
        if type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        if index is not None:
            index = _operator.index(index)
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # torch's: type and index both count (device('cpu:0') != device('cpu')), and a string
        # is not a device (device('cpu') == 'cpu' is False)
        if not isinstance(other, device):
            return NotImplemented
        return other.type == self.type and other.index == self.index

    def __hash__(self):
        return hash((self.type, self.index))


_CPU = device("cpu")


class _NoDim:
    """max/min's default dim: the reduction over all elements.  An explicit dim=None (or a
    keepdim without a dim) is torch's TypeError there, as no overload takes it."""
    __slots__ = ()

    def __repr__(self):
        return "None"


NO_DIM = _NoDim()


def check_device(dev) -> device:
    """`dev` (a device or its name) as a device, if zerograd can put tensors there: the CPU."""
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        name = _BACKEND_NAMES.get(d.type)
        what = f"Torch not compiled with {name} enabled" if name else \
            f"no {d.type} tensors in zerograd"
        raise DeviceUnavailableError(f"zerograd runs on the CPU only ({what}); device '{d}' is "
                                     "not available. Use device='cpu'.")
    return d


def get_default_device() -> device:
    """torch.get_default_device(): where factories put tensors - the CPU."""
    return _CPU


def set_default_device(dev) -> None:
    """torch.set_default_device: None or the CPU (another device raises, see check_device)."""
    if dev is not None:
        check_device(dev)


def _not_an_operand(other):
    """In an operator's `except TypeError:` - NotImplemented if `other` is not an operand a tensor
    takes (a tensor, a number, a NumPy scalar or array), else the TypeError again."""
    if isinstance(other, _OPERANDS):
        raise                                   # noqa: PLE0704 - re-raise the operator's error
    return NotImplemented


# The version counter, `_vc`: [version, site of the last in-place change], one list shared by a
# tensor, its views and its detach() results (None: an inference tensor).  Most tensors are never
# changed in place nor share their counter, so they start with the shared, read-only
# FRESH = (0, None) - reads see version 0 - and get a list of their own from own_vc()
# (autograd/function.py) the first time they are changed or share it: one object fewer per
# tensor for Python's cycle collector, which walks a deep graph's objects again and again while
# forward builds it.
FRESH = (0, None)


_FLOAT_WARNED = False


def _warn_float_of_non_leaf(stacklevel=3) -> None:
    """torch 2.13 warns once per process (TORCH_WARN_ONCE) when float() converts a tensor that
    has a history (not for .item(), int() or a leaf), or torch.tensor([...]) one that requires
    grad (the same warning, the same once)."""
    global _FLOAT_WARNED
    if _FLOAT_WARNED:
        return
    _FLOAT_WARNED = True
    warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                  "behavior.\nConsider using tensor.detach() first.", UserWarning,
                  stacklevel=stacklevel)


def _special_fns():
    from .ops import special_fns
    return special_fns


def _varargs(fname, args, name, value) -> tuple:
    """The sizes/dims of a method that takes them as varargs or as torch's keyword `name`
    (x.reshape(2, 3), x.reshape((2, 3)), x.reshape(shape=(2, 3)))."""
    if value is None:
        if not args and fname in ("repeat", "tile"):
            raise TypeError(f'{fname}() missing 1 required positional arguments: "{name}"')
        return args
    if args:
        raise TypeError(f"{fname}() got multiple values for argument '{name}'")
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fname}(): argument '{name}' must be tuple of ints, not "
                        f"{type(value).__name__}")
    return (value,)


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_vc", "_view",
                 "__weakref__", "__dict__")
    # Rarely set (leaves with hooks, retain_grad): class-level defaults, so creating a tensor -
    # the per-op hot path - stores only the seven slots above.
    _acc = None                 # weakref to this leaf's AccumulateGrad node
    _backward_hooks = None      # leaf tensor hooks: dict id -> fn(grad)
    _post_acc_hooks = None      # dict id -> fn(tensor)
    _retains_grad = False

    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy's ufuncs on tensors.  A NumPy operand left of an operator (np.float64(2) * t,
        ndarray + t) gets the tensor's reflected operator, as if NumPy deferred to it; any
        other call (np.exp(t), np.maximum(t, 0)) runs on the arrays - torch's error for a tensor
        that requires grad - and its array results come back as tensors, as torch's
        __array_wrap__ gives them."""
        if method == "__call__" and not kwargs and len(inputs) == 2 and inputs[1] is self and \
                not isinstance(inputs[0], Tensor):
            reflected = _REFLECTED_UFUNCS.get(ufunc)
            if reflected is not None:
                r = getattr(self, reflected[0])(inputs[0])
                if r is NotImplemented:         # (Python's message, as if NumPy had deferred)
                    lhs = type(inputs[0])
                    name = lhs.__name__ if lhs.__module__ == "builtins" else \
                        f"{lhs.__module__}.{lhs.__qualname__}"
                    raise TypeError(f"unsupported operand type(s) for {reflected[1]}: "
                                    f"'{name}' and 'Tensor'")
                return r
        if "out" in kwargs:
            return NotImplemented
        arrays = [x.numpy() if isinstance(x, Tensor) else x for x in inputs]
        r = getattr(ufunc, method)(*arrays, **kwargs)
        if isinstance(r, tuple):
            return tuple(_wrap_array(x) for x in r)
        return _wrap_array(r)

    # ------------------------------------------------------------------------------------------
    # construction
    # ------------------------------------------------------------------------------------------
    def __init__(self, *args, requires_grad=False):
        """Legacy constructor: `Tensor([1, 2])` (float data) or `Tensor(2, 3)` (uninitialised).
        Prefer `zerograd.tensor(data)`."""
        if len(args) == 1 and not isinstance(args[0], int):
            arr = np.array(args[0].numpy() if isinstance(args[0], Tensor) else args[0],
                           dtype=_dt.get_default_dtype().np)
        else:
            arr = np.empty(tuple(args), dtype=_dt.get_default_dtype().np)
        Tensor._init(self, arr, requires_grad)

    @staticmethod
    def _init(t, arr, requires_grad=False):
        t._data = arr
        t._requires_grad = False
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._vc = None if _state.inference else FRESH       # (see own_vc)
        t._view = None
        if requires_grad:
            factory_requires_grad(t)

    @classmethod
    def _make(cls, arr, requires_grad, grad_fn, output_nr, vc=None):
        """Fast internal constructor (no checks): the per-op hot path."""
        t = object.__new__(Tensor)
        t._data = arr
        t._requires_grad = requires_grad
        t._grad = None
        t._grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = vc if vc is not None else (None if _state.inference else FRESH)
        t._view = None
        return t

    # ------------------------------------------------------------------------------------------
    # metadata
    # ------------------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_ops.canon_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _NP_TO_DTYPE[self._data.dtype]

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_meta(self):
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind in "fV"

    def is_complex(self) -> bool:
        return False

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ------------------------------------------------------------------------------------------
    # autograd state
    # ------------------------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        v = self._view          # (a view whose base was given a history in place since: True)
        return self._requires_grad or v is not None and v.base._requires_grad and \
            self._vc is not None and self._vc[0] != v.version

    @requires_grad.setter
    def requires_grad(self, value) -> None:
        if type(value) is not bool:
            raise RuntimeError("requires_grad must be a bool")
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True) -> "Tensor":
        if type(requires_grad) is not bool:     # (torch's argument parser: a bool, nothing else)
            kind = type(requires_grad)
            name = f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else \
                _ops._args.type_name(requires_grad)
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, "
                            f"not {name}")
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use "
                    "a computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients "
                               f"(this one is {self.dtype}). Fix: convert first, e.g. t.float().")
        if requires_grad and self._vc is None and not _state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        """The node that produced this tensor.  A view whose base was changed in place since is
        re-derived from the base first (its grad_fn becomes AsStridedBackward0), as in torch."""
        v = self._view
        if v is not None and self._vc is not None and self._vc[0] != v.version:
            from .ops.views import refresh
            refresh(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        if self._vc is FRESH:       # tie a saved output of the old node to this tensor first
            own_vc(self)
        self._grad_fn = node
        if node is None:            # a leaf is output 0 of nothing (detach_), as in torch
            self._output_nr = 0

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def grad(self):
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                from .ops._args import C_TYPE_NAMES
                from .ops._util import scalar_type_name
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{C_TYPE_NAMES.get(value._data.dtype.name, value._data.dtype.name)}' to a "
                    f"tensor with grad_dtype '{scalar_type_name(self._data.dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Populate `.grad` for this non-leaf tensor during backward (no-op on leaves).  It is
        the gradient of the tensor's current value: an in-place op (or a view re-derived from
        its base) moves it to the new history (`follow_history`), as torch's."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def retain(grad):
            t = ref()
            if t is None:
                return
            if t._grad is not None:
                t._grad = t._grad + grad
            elif grad.requires_grad:            # backward(create_graph=True): keeps its graph
                t._grad = grad.clone()
            else:
                t._grad = grad.detach().clone()
        _add_retain_hook(self._grad_fn, self._output_nr, retain)
        self._retains_grad = True

    @property
    def _base(self):
        """The tensor this one is a view of (the root base), or None."""
        return None if self._view is None else self._view.base

    def _is_view(self) -> bool:
        return self._view is not None

    @property
    def _version(self) -> int:
        if self._vc is None:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    def is_inference(self) -> bool:
        return self._vc is None

    def _accumulator(self):
        return _make_accumulator(self)

    @property
    def data(self) -> "Tensor":
        """The same storage, cut from the graph and *not* sharing the version counter (so an
        in-place edit through `.data` is invisible to autograd - prefer `detach()`)."""
        return Tensor._make(self._data, False, None, 0)

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        new, old = value._data, self._data
        if new.shape != old.shape or new.dtype != old.dtype:
            _note_data_swap()       # (the engine's trusted VJPs: see autograd ExactMetas)
        self._data = new

    def detach(self) -> "Tensor":
        """A tensor sharing storage and version counter, cut from the graph."""
        t = Tensor._make(self._data, False, None, 0, own_vc(self))
        if self._vc is None:        # an inference tensor's detach() is one too
            t._vc = None
        return t

    def detach_(self) -> "Tensor":
        if self._view is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------------------------------
    # hooks
    # ------------------------------------------------------------------------------------------
    def register_hook(self, hook):
        """hook(grad) -> new grad or None, called with the gradient w.r.t. this tensor."""
        from .autograd.hooks import RemovableHandle
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._register_tensor_hook(self._output_nr, hook)
        if self._backward_hooks is None:
            self._backward_hooks = {}
        return RemovableHandle(self._backward_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) runs after the gradient was accumulated into this leaf's `.grad`."""
        from .autograd.hooks import RemovableHandle
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        return RemovableHandle(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (the VJP with `gradient`)."""
        from . import autograd
        autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ------------------------------------------------------------------------------------------
    # conversion
    # ------------------------------------------------------------------------------------------
    def numpy(self, *, force=False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to "
                               "Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        if self._data.size != 1:        # (torch: ValueError here, RuntimeError from item())
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._grad_fn is not None and not _FLOAT_WARNED and _state.enabled:
            _warn_float_of_non_leaf()       # (not under no_grad: LBFGS reads losses there)
        return float(self.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with "
                               f"{'no values' if self._data.size == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __contains__(self, element):
        """`element in t`: any entry equal to it (torch's rule; not Python's row iteration)."""
        if not isinstance(element, (Tensor, bool, int, float, complex, np.generic)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element)}.")
        return bool((element == self).any())

    def __reduce_ex__(self, proto):
        raise TypeError("zerograd tensors are not pickled; use zerograd.save (safetensors)")

    def __deepcopy__(self, memo):
        if self._requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        t = Tensor._make(self._data.copy(), self._requires_grad, None, 0)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy(), False, None, 0)
        memo[id(self)] = t
        return t

    def to(self, *args, **kwargs):
        """to(dtype), to(device), to(other), to(device, dtype); returns self when nothing changes."""
        target = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        flags = [a for a in args if isinstance(a, bool)]      # torch's (..., non_blocking, copy)
        if flags:
            args = tuple(a for a in args if not isinstance(a, bool))
            copy = copy or (len(flags) > 1 and flags[1])
        for a in args + tuple(v for k, v in kwargs.items() if k == "device"):
            if isinstance(a, _dt.dtype) or a in _PY_DTYPES:     # (x.to(float): float64)
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif a is not None:
                # a tensor's device is plain 'cpu': torch copies for 'cpu:0', a different device
                copy = copy or check_device(a).index is not None
        if target is None or _dt.as_dtype(target).np == self._data.dtype:
            return _ops.to_dtype(self, self.dtype) if copy else self     # (ToCopyBackward0)
        return _ops.to_dtype(self, _dt.as_dtype(target))

    def type(self, dtype=None, non_blocking=False):
        """The legacy type's name ('torch.FloatTensor'), or this tensor as `dtype` (a dtype, a
        legacy type such as torch.LongTensor, or its name)."""
        if dtype is None:
            return f"torch.{_ops.legacy_type_name(self.dtype)}"
        return self.to(_type_target(dtype))

    def float(self):
        return self.to(_dt.float32)

    def double(self):
        return self.to(_dt.float64)

    def half(self):
        return self.to(_dt.float16)

    def bfloat16(self):
        return self.to(_dt.bfloat16)

    def long(self):
        return self.to(_dt.int64)

    def int(self):
        return self.to(_dt.int32)

    def short(self):
        return self.to(_dt.int16)

    def char(self):
        return self.to(_dt.int8)

    def byte(self):
        return self.to(_dt.uint8)

    def bool(self):
        return self.to(_dt.bool)

    def cpu(self, memory_format=None):
        return self

    def is_pinned(self, device=None) -> bool:
        """False: zerograd's tensors live in ordinary (pageable) CPU memory."""
        return False

    def pin_memory(self, device=None):
        """Page-locked memory is for copies to an accelerator; torch's CPU build refuses."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """Raises (zerograd runs on the CPU only), as torch built without CUDA does."""
        check_device("cuda" if device is None else device)
        return self

    def contiguous(self, memory_format=None):
        """self when already C-contiguous, else a contiguous copy (CloneBackward0)."""
        return self if self._data.flags.c_contiguous else \
            _ops.clone(self, memory_format=_dt.contiguous_format)

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_ops.canon_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        root = self if self._view is None else self._view.base
        return (self.data_ptr() - root.data_ptr()) // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    # indexing (-> ops/indexing.py): basic keys make views, advanced keys copies
    def __getitem__(self, key):     return _indexing.getitem(self, key)
    def __setitem__(self, key, value): _indexing.setitem(self, key, value)
    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(_indexing.unbind(self, 0))
    def select(self, dim, index):   return _indexing.select(self, dim, index)
    def narrow(self, dim, start, length): return _indexing.narrow(self, dim, start, length)
    def narrow_copy(self, dim, start, length): return _indexing.narrow_copy(self, dim, start, length)
    def unbind(self, dim=0):        return _indexing.unbind(self, dim)
    def split(self, split_size, dim=0): return _indexing.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return _indexing.chunk(self, chunks, dim)
    def diagonal(self, offset=0, dim1=0, dim2=1): return _indexing.diagonal(self, offset, dim1, dim2)
    def unflatten(self, dim, sizes): return _indexing.unflatten(self, dim, sizes)

    # ------------------------------------------------------------------------------------------
    # operators (-> ops)
    # ------------------------------------------------------------------------------------------
    # __add__, __radd__, __sub__, __mul__, __rmul__, __truediv__, __neg__ and neg, exp, log,
    # sqrt, tanh, sigmoid, relu are the fast path's functions themselves (set after the class,
    # from autograd/fastpath.py): the hottest path of all, with no call in between.  As torch's,
    # the operators return NotImplemented for an operand that is not a tensor or a number.
    def __rsub__(self, other):
        try: return _ops.rsub(self, other)
        except TypeError: return _not_an_operand(other)
    def __rtruediv__(self, other):
        try: return _ops.rdiv(self, other)
        except TypeError: return _not_an_operand(other)
    def __pow__(self, other):
        try: return _ops.pow(self, other)
        except TypeError: return _not_an_operand(other)
    def __rpow__(self, other):
        try: return _ops.rpow(self, other)
        except TypeError: return _not_an_operand(other)
    def __matmul__(self, other):
        try: return _ops.matmul(self, other)
        except TypeError: return _not_an_operand(other)
    def __rmatmul__(self, other):
        return _ops.matmul(_ops.as_tensor_like(other, self), self) if isinstance(other, _OPERANDS) else NotImplemented
    def __pos__(self):
        if self._data.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self
    def __abs__(self):              return _ops.abs(self)
    def __floordiv__(self, other):
        try: return _ops.floor_divide(self, other)
        except TypeError: return _not_an_operand(other)
    def __rfloordiv__(self, other):
        if isinstance(other, (bool, int, float)):       # (a weak scalar: its own dtype)
            return _ops.floor_divide(other, self)
        return _ops.floor_divide(_ops.as_tensor_like(other, self), self) if isinstance(other, _OPERANDS) else NotImplemented
    def __mod__(self, other):
        try: return _ops.remainder(self, other)
        except TypeError: return _not_an_operand(other)
    def floor_divide(self, other):  return _ops.floor_divide(self, other)
    def remainder(self, other):     return _ops.remainder(self, other)
    def __rmod__(self, other):
        try: return _ops.remainder(other, self)
        except TypeError: return _not_an_operand(other)
    def __eq__(self, other):
        try: return _ops.eq(self, other)
        except TypeError: return _not_an_operand(other)
    def __ne__(self, other):
        try: return _ops.ne(self, other)
        except TypeError: return _not_an_operand(other)
    def __lt__(self, other):
        try: return _ops.lt(self, other)
        except TypeError: return _not_an_operand(other)
    def __le__(self, other):
        try: return _ops.le(self, other)
        except TypeError: return _not_an_operand(other)
    def __gt__(self, other):
        try: return _ops.gt(self, other)
        except TypeError: return _not_an_operand(other)
    def __ge__(self, other):
        try: return _ops.ge(self, other)
        except TypeError: return _not_an_operand(other)
    def __invert__(self):
        if self._data.dtype.kind not in "iub":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return _ops.logical_not(self) if self._data.dtype == np.bool_ else _ops.bitwise_not(self)
    def bitwise_not(self):          return _ops.bitwise_not(self)
    def __and__(self, other):
        try: return _ops.trig.bitwise_and_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __or__(self, other):
        try: return _ops.trig.bitwise_or_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __xor__(self, other):
        try: return _ops.trig.bitwise_xor_op(self, other)
        except TypeError: return _not_an_operand(other)

    # in-place (-> ops/inplace.py): write into this tensor's memory, bump its version
    def __iadd__(self, other):
        try: return _inplace.add_(self, other)
        except TypeError: return _not_an_operand(other)
    def __isub__(self, other):
        try: return _inplace.sub_(self, other)
        except TypeError: return _not_an_operand(other)
    def __imul__(self, other):
        try: return _inplace.mul_(self, other)
        except TypeError: return _not_an_operand(other)
    def __itruediv__(self, other):
        try: return _inplace.div_(self, other)
        except TypeError: return _not_an_operand(other)
    def __ipow__(self, other):
        try: return _inplace.pow_(self, other)
        except TypeError: return _not_an_operand(other)
    def __ifloordiv__(self, other):
        try: return _inplace.floor_divide_(self, other)
        except TypeError: return _not_an_operand(other)
    def __imod__(self, other):
        try: return _inplace.remainder_(self, other)
        except TypeError: return _not_an_operand(other)
    def floor_divide_(self, other): return _inplace.floor_divide_(self, other)
    def remainder_(self, other):    return _inplace.remainder_(self, other)
    def add_(self, other, *args, alpha=1):
        if args:        # torch's deprecated add_(Number alpha, Tensor other)
            (other,), alpha = _ops._args.scalar_first("add_", (other,) + args, alpha)
        return _inplace.add_(self, other, alpha)

    def sub_(self, other, *args, alpha=1):
        if args:
            (other,), alpha = _ops._args.scalar_first("sub_", (other,) + args, alpha)
        return _inplace.sub_(self, other, alpha)

    def mul_(self, other):          return _inplace.mul_(self, other)
    def div_(self, other, *, rounding_mode=None): return _inplace.div_(self, other, rounding_mode)
    def pow_(self, exponent):       return _inplace.pow_(self, exponent)
    def neg_(self):                 return _inplace.neg_(self)
    def exp_(self):                 return _inplace.exp_(self)
    def sqrt_(self):                return _inplace.sqrt_(self)
    def abs_(self):                 return _inplace.abs_(self)
    def clamp_(self, min=None, max=None): return _inplace.clamp_(self, min, max)
    def relu_(self):                return _inplace.relu_(self)
    def sigmoid_(self):             return _inplace.sigmoid_(self)
    def tanh_(self):                return _inplace.tanh_(self)
    def zero_(self):                return _inplace.zero_(self)
    def fill_(self, value):         return _inplace.fill_(self, value)
    def copy_(self, other, non_blocking=False): return _inplace.copy_(self, other)

    # ------------------------------------------------------------------------------------------
    # methods (-> ops); one line each, so grep finds where every name is defined
    # ------------------------------------------------------------------------------------------
    def add(self, other, *args, alpha=1):
        if args:        # torch's deprecated add(Number alpha, Tensor other)
            (other,), alpha = _ops._args.scalar_first("add", (other,) + args, alpha)
        return _ops.add(self, other, alpha=alpha)

    def sub(self, other, *args, alpha=1):
        if args:
            (other,), alpha = _ops._args.scalar_first("sub", (other,) + args, alpha)
        return _ops.sub(self, other, alpha=alpha)

    def mul(self, other):           return _ops.mul(self, other)
    def div(self, other, *, rounding_mode=None): return _ops.div(self, other, rounding_mode=rounding_mode)
    divide = div
    def true_divide(self, other):   return _ops.true_divide(self, other)
    multiply = mul
    def subtract(self, other, *, alpha=1): return _ops.sub(self, other, alpha=alpha)
    def pow(self, exponent):        return _ops.pow(self, exponent)
    def matmul(self, other):        return _ops.matmul(self, other)
    def mm(self, mat2):             return _ops.mm(self, mat2)
    def bmm(self, mat2):            return _ops.bmm(self, mat2)
    def mv(self, vec):              return _ops.mv(self, vec)
    def dot(self, tensor):          return _ops.dot(self, tensor)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return _ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def abs(self):                  return _ops.abs(self)
    def log1p(self):                return _ops.log1p(self)
    def rsqrt(self):                return _ops.rsqrt(self)
    def square(self):               return _ops.pow(self, 2)
    def reciprocal(self):           return _ops.reciprocal(self)
    def sin(self):                  return _ops.sin(self)
    def cos(self):                  return _ops.cos(self)
    def hardshrink(self, lambd=0.5): return _ops.activations.hardshrink(self, lambd)
    def sign(self):                 return _ops.sign(self)
    def floor(self):                return _ops.floor(self)
    def ceil(self):                 return _ops.ceil(self)
    def trunc(self):                return _ops.trunc(self)
    fix = trunc
    def round(self, *, decimals=0): return _ops.round(self, decimals=decimals)
    def frac(self):                 return _ops.frac(self)
    def floor_(self):               return _inplace.apply_inplace(self, _ops.floor)
    def ceil_(self):                return _inplace.apply_inplace(self, _ops.ceil)
    def trunc_(self):               return _inplace.apply_inplace(self, _ops.trunc)
    def round_(self, *, decimals=0):
        return _inplace.apply_inplace(self, lambda t: _ops.round(t, decimals=decimals))
    def frac_(self):                return _inplace.apply_inplace(self, _ops.frac)
    fix_ = trunc_
    def clamp(self, min=None, max=None): return _ops.clamp(self, min, max)
    clip = clamp
    def clamp_min(self, min):       return _ops.clamp_min(self, min)
    def clamp_max(self, max):       return _ops.clamp_max(self, max)
    def clamp_min_(self, min):      return _inplace.apply_inplace(self, _ops.clamp_min, min)
    def clamp_max_(self, max):      return _inplace.apply_inplace(self, _ops.clamp_max, max)
    def maximum(self, other):       return _ops.maximum(self, other)
    def minimum(self, other):       return _ops.minimum(self, other)
    def where(self, condition, other): return _ops.where(condition, self, other)
    def sum(self, dim=None, keepdim=False, *, dtype=None): return _ops.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False, *, dtype=None): return _ops.mean(self, dim, keepdim, dtype=dtype)
    def prod(self, dim=None, keepdim=False, *, dtype=None): return _ops.prod(self, dim, keepdim, dtype=dtype)
    def max(self, dim=NO_DIM, keepdim=False, *, other=None): return _ops.max(self, dim, keepdim, other=other)
    def min(self, dim=NO_DIM, keepdim=False, *, other=None): return _ops.min(self, dim, keepdim, other=other)
    def amax(self, dim=(), keepdim=False): return _ops.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return _ops.amin(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return _ops.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return _ops.argmin(self, dim, keepdim)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.var(self, dim, unbiased, keepdim, correction=correction)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.std(self, dim, unbiased, keepdim, correction=correction)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return _ops.norm(self, p, dim, keepdim, dtype=dtype)
    def logsumexp(self, dim, keepdim=False): return _ops.logsumexp(self, dim, keepdim)
    # shapes and layouts (-> ops/shape_extra.py)
    def ravel(self):                return _ops.shape_extra.ravel(self)
    def swapaxes(self, axis0, axis1): return _ops.shape_extra.swapaxes(self, axis0, axis1)
    def prelu(self, weight): return _ops.activations.prelu(self, weight)

    # in-place forms: the op, then a write (ops/inplace.py)
    def cos_(self):                 return _inplace.apply_inplace(self, _ops.cos)
    def sin_(self):                 return _inplace.apply_inplace(self, _ops.sin)
    def log_(self):                 return _inplace.apply_inplace(self, _ops.log)
    def sign_(self):                return _inplace.apply_inplace(self, _ops.sign)
    def rsqrt_(self):               return _inplace.apply_inplace(self, _ops.rsqrt)
    def reciprocal_(self):          return _inplace.apply_inplace(self, _ops.reciprocal)
    def square_(self):              return _inplace.apply_inplace(self, _ops.square)
    def bitwise_not_(self):         return _inplace.apply_inplace(self, _ops.bitwise_not)
    def logical_not_(self):         return _inplace.apply_inplace(self, _ops.logical_not)
    def cumsum_(self, dim, *, dtype=None):
        return _inplace.cumulative_(self, Tensor.cumsum, dim, dtype, "cumsum")
    def cumprod_(self, dim, *, dtype=None):
        return _inplace.cumulative_(self, Tensor.cumprod, dim, dtype, "cumprod")
    def tril_(self, diagonal=0):
        return _inplace.apply_inplace(self, lambda a: _ops.join.tril(a, diagonal, _method="tril_"))
    def triu_(self, diagonal=0):
        return _inplace.apply_inplace(self, lambda a: _ops.join.triu(a, diagonal, _method="triu_"))
    def clip_(self, min=None, max=None): return self.clamp_(min, max)
    def logical_and_(self, other):
        return _inplace._elementwise_inplace(
            self, lambda a, b: _ops.logical_and(a, b, _method="logical_and_"), other)
    def logical_or_(self, other):
        return _inplace._elementwise_inplace(
            self, lambda a, b: _ops.logical_or(a, b, _method="logical_or_"), other)
    def logical_xor_(self, other):
        return _inplace._elementwise_inplace(
            self, lambda a, b: _ops.logical_xor(a, b, _method="logical_xor_"), other)
    def divide_(self, other, *, rounding_mode=None): return self.div_(other, rounding_mode=rounding_mode)
    def true_divide_(self, other):  return self.div_(other)
    def multiply_(self, other):     return self.mul_(other)
    def subtract_(self, other, *, alpha=1): return self.sub_(other, alpha=alpha)
    def eq_(self, other):           return _inplace.compare_(self, _ops.eq, other, "Eq")
    def ne_(self, other):           return _inplace.compare_(self, _ops.ne, other, "Ne")
    def lt_(self, other):           return _inplace.compare_(self, _ops.lt, other, "Lt")
    def le_(self, other):           return _inplace.compare_(self, _ops.le, other, "Le")
    def gt_(self, other):           return _inplace.compare_(self, _ops.gt, other, "Gt")
    def ge_(self, other):           return _inplace.compare_(self, _ops.ge, other, "Ge")
    not_equal_, greater_, greater_equal_, less_, less_equal_ = ne_, gt_, ge_, lt_, le_
    def not_equal(self, other):     return _ops.ne(self, other)
    def greater_equal(self, other): return _ops.ge(self, other)
    def less_equal(self, other):    return _ops.le(self, other)

    # small facts and identities of torch's Tensor API (real CPU tensors)
    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def get_device(self) -> int:
        return -1                   # (torch's answer for a CPU tensor)

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "ifV"

    def is_same_size(self, other) -> bool:
        return self._data.shape == other._data.shape

    def type_as(self, other):       return self.type(other.type())
    def conj(self):                 return self
    def resolve_conj(self):         return self
    def resolve_neg(self):          return self
    def is_conj(self) -> bool:      return False
    def is_neg(self) -> bool:       return False
    def adjoint(self):              return _ops.transpose(self, -2, -1)

    @property
    def mH(self):
        return self.mT

    # random fills (ops/random.py: torch's CPU streams; recorded with torch's node names)
    def random_(self, *args, generator=None, **kwargs):
        return _ops.random._random_(self, *args, generator=generator, **kwargs)
    def bernoulli_(self, p=0.5, *, generator=None):
        return _ops.random._bernoulli_(self, p, generator=generator)
    def bernoulli(self, p=None, *, generator=None):
        return _ops.random.bernoulli(self, p, generator=generator)
    def exponential_(self, lambd=1.0, *, generator=None):
        return _ops.random._exponential_(self, lambd, generator=generator)
    def geometric_(self, p, *, generator=None):
        return _ops.random._geometric_(self, p, generator=generator)
    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return _ops.random._cauchy_(self, median, sigma, generator=generator)
    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return _ops.random._log_normal_(self, mean, std, generator=generator)
    def swapdims(self, dim0, dim1): return _ops.shape_extra.swapdims(self, dim0, dim1)
    def tensor_split(self, *args, **kw): return _ops.shape_extra.tensor_split(self, *args, _method=True, **kw)
    def hsplit(self, sections=None, *, indices=None): return _ops.shape_extra.hsplit(self, sections, indices=indices, _method=True)
    def vsplit(self, sections=None, *, indices=None): return _ops.shape_extra.vsplit(self, sections, indices=indices, _method=True)
    def dsplit(self, sections=None, *, indices=None): return _ops.shape_extra.dsplit(self, sections, indices=indices, _method=True)
    def diag(self, diagonal=0):     return _ops.shape_extra.diag(self, diagonal, _method=True)
    def diag_embed(self, offset=0, dim1=-2, dim2=-1): return _ops.shape_extra.diag_embed(self, offset, dim1, dim2, _method=True)
    def diagflat(self, offset=0):   return _ops.shape_extra.diagflat(self, offset, _method=True)
    def det(self):                  return _ops.linalg_extra.t_det(self)
    def slogdet(self):              return _ops.linalg_extra.t_slogdet(self)
    def logdet(self):               return _ops.linalg_extra.t_logdet(self)
    def inverse(self):              return _ops.linalg_extra.t_inverse(self)
    def matrix_power(self, n):      return _ops.linalg_extra.t_matrix_power(self, n)
    def pinverse(self, rcond=1e-15): return _ops.linalg_extra.t_pinverse(self, rcond)
    def rot90(self, k=1, dims=(0, 1)): return _ops.shape_extra.rot90(self, k, dims, _method=True)
    def take(self, index):          return _ops.shape_extra.take(self, index)
    def put(self, index, source, accumulate=False): return _ops.shape_extra.put(self, index, source, accumulate, _method=True)
    def put_(self, index, source, accumulate=False): return _ops.shape_extra.put_(self, index, source, accumulate)
    def index_put(self, indices, values, accumulate=False): return _ops.shape_extra.index_put(self, indices, values, accumulate)
    def index_put_(self, indices, values, accumulate=False): return _ops.shape_extra.index_put_(self, indices, values, accumulate)
    def kron(self, other):          return _ops.shape_extra.kron(self, other)
    # miscellaneous (-> ops/misc.py)
    def inner(self, other):         return _ops.misc.inner(self, other)
    def vdot(self, other):          return _ops.misc.vdot(self, other)
    def dist(self, other, p=2):     return _ops.misc.dist(self, other, p)
    def cross(self, other, dim=None): return _ops.misc.cross(self, other, dim)
    def isneginf(self):             return _ops.misc.isneginf(self)
    def isposinf(self):             return _ops.misc.isposinf(self)
    def isreal(self):               return _ops.misc.isreal(self)
    def bincount(self, weights=None, minlength=0): return _ops.misc.bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0): return _ops.misc.histc(self, bins, min, max)  # noqa: A002
    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _ops.misc.quantile(self, q, dim, keepdim, interpolation=interpolation)
    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"): return _ops.misc.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
    def cov(self, *, correction=1, fweights=None, aweights=None): return _ops.misc.cov(self, correction=correction, fweights=fweights, aweights=aweights)
    def corrcoef(self):             return _ops.misc.corrcoef(self)
    def split_with_sizes(self, split_sizes, dim=0): return _ops.misc.split_with_sizes(self, split_sizes, dim)
    def addr(self, vec1, vec2, *, beta=1, alpha=1): return _ops.misc.addr(self, vec1, vec2, beta=beta, alpha=alpha)
    def addr_(self, vec1, vec2, *, beta=1, alpha=1): return _ops.misc.addr_(self, vec1, vec2, beta=beta, alpha=alpha)
    def renorm(self, p, dim, maxnorm): return _ops.misc.renorm(self, p, dim, maxnorm)
    def renorm_(self, p, dim, maxnorm): return _ops.misc.renorm_(self, p, dim, maxnorm)
    def frexp(self):                return _ops.misc.frexp(self)
    def ldexp(self, other):         return _ops.misc.ldexp(self, other)
    def ldexp_(self, other):        return _ops.misc.ldexp_(self, other)
    def unfold(self, dimension, size, step): return _ops.misc.unfold(self, dimension, size, step)
    def fill_diagonal_(self, fill_value, wrap=False): return _ops.misc.fill_diagonal_(self, fill_value, wrap)
    def sum_to_size(self, *args, size=None): return _ops.misc.sum_to_size(self, *_varargs("sum_to_size", args, "size", size))
    # trig and friends (-> ops/trig.py)
    def tan(self):                  return _ops.trig.tan(self)
    def asin(self):                 return _ops.trig.asin(self)
    def acos(self):                 return _ops.trig.acos(self)
    def atan(self):                 return _ops.trig.atan(self)
    def sinh(self):                 return _ops.trig.sinh(self)
    def cosh(self):                 return _ops.trig.cosh(self)
    def asinh(self):                return _ops.trig.asinh(self)
    def acosh(self):                return _ops.trig.acosh(self)
    def atanh(self):                return _ops.trig.atanh(self)
    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
    def log2(self):                 return _ops.trig.log2(self)
    def log10(self):                return _ops.trig.log10(self)
    def logit(self, *args, eps=None): return _ops.trig.logit_method(self, *args, eps=eps)
    def sgn(self):                  return _ops.trig.sgn(self)
    # torch.special's relatives (ops/special_fns.py, loaded on first use)
    def i0(self):                   return _special_fns().i0(self)
    def i0_(self):                  return _special_fns().i0_(self)
    def nextafter(self, other):     return _special_fns().nextafter_method(self, other)
    def nextafter_(self, other):    return _special_fns().nextafter_(self, other)
    def mvlgamma(self, p):          return _special_fns().mvlgamma(self, p)
    def positive(self):             return _ops.trig.positive(self)
    def deg2rad(self):              return _ops.trig.deg2rad(self)
    def rad2deg(self):              return _ops.trig.rad2deg(self)
    def signbit(self):              return _ops.trig.signbit(self)
    def lgamma(self):               return _ops.trig.lgamma(self)
    def digamma(self):              return _ops.trig.digamma(self)
    def polygamma(self, n):         return _ops.trig.polygamma_method(self, n)
    def absolute(self):             return _ops.trig.absolute(self)
    def heaviside(self, values):    return _ops.trig.heaviside_method(self, values)
    def fmax(self, other):          return _ops.trig.fmax_method(self, other)
    def fmin(self, other):          return _ops.trig.fmin_method(self, other)
    def float_power(self, exponent): return _ops.trig.float_power_method(self, exponent)
    def bitwise_and(self, other):   return _ops.trig.bitwise_and_method(self, other)
    def bitwise_or(self, other):    return _ops.trig.bitwise_or_method(self, other)
    def bitwise_xor(self, other):   return _ops.trig.bitwise_xor_method(self, other)
    def bitwise_left_shift(self, other): return _ops.trig.bitwise_left_shift_method(self, other)
    def bitwise_right_shift(self, other): return _ops.trig.bitwise_right_shift_method(self, other)
    def __lshift__(self, other):
        try: return _ops.trig.bitwise_lshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __rshift__(self, other):
        try: return _ops.trig.bitwise_rshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __rlshift__(self, other):
        try: return _ops.trig.bitwise_rlshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __rrshift__(self, other):
        try: return _ops.trig.bitwise_rrshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __ilshift__(self, other):
        try: return _ops.trig.bitwise_ilshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __irshift__(self, other):
        try: return _ops.trig.bitwise_irshift_op(self, other)
        except TypeError: return _not_an_operand(other)
    def gcd(self, other):           return _ops.trig.gcd_method(self, other)
    def lcm(self, other):           return _ops.trig.lcm_method(self, other)
    def __rand__(self, other):
        try: return _ops.trig.bitwise_rand_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __ror__(self, other):
        try: return _ops.trig.bitwise_ror_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __rxor__(self, other):
        try: return _ops.trig.bitwise_rxor_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __iand__(self, other):
        try: return _ops.trig.bitwise_iand_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __ior__(self, other):
        try: return _ops.trig.bitwise_ior_op(self, other)
        except TypeError: return _not_an_operand(other)
    def __ixor__(self, other):
        try: return _ops.trig.bitwise_ixor_op(self, other)
        except TypeError: return _not_an_operand(other)
    def tan_(self):                 return _ops.trig.tan_(self)
    def asin_(self):                return _ops.trig.asin_(self)
    def acos_(self):                return _ops.trig.acos_(self)
    def atan_(self):                return _ops.trig.atan_(self)
    def sinh_(self):                return _ops.trig.sinh_(self)
    def cosh_(self):                return _ops.trig.cosh_(self)
    def asinh_(self):               return _ops.trig.asinh_(self)
    def acosh_(self):               return _ops.trig.acosh_(self)
    def atanh_(self):               return _ops.trig.atanh_(self)
    arcsin_, arccos_, arctan_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, atan_, asinh_, acosh_, atanh_
    def log2_(self):                return _ops.trig.log2_(self)
    def log10_(self):               return _ops.trig.log10_(self)
    def logit_(self, *args, eps=None): return _ops.trig.logit_(self, *args, eps=eps)
    def sgn_(self):                 return _ops.trig.sgn_(self)
    def deg2rad_(self):             return _ops.trig.deg2rad_(self)
    def rad2deg_(self):             return _ops.trig.rad2deg_(self)
    def lgamma_(self):              return _ops.trig.lgamma_(self)
    def digamma_(self):             return _ops.trig.digamma_(self)
    def polygamma_(self, n):        return _ops.trig.polygamma_(self, n)
    def absolute_(self):            return _ops.trig.absolute_(self)
    def negative_(self):            return _inplace.neg_(self)
    def heaviside_(self, values):   return _ops.trig.heaviside_(self, values)
    def float_power_(self, exponent): return _ops.trig.float_power_(self, exponent)
    def bitwise_and_(self, other):  return _ops.trig.bitwise_and_(self, other)
    def bitwise_or_(self, other):   return _ops.trig.bitwise_or_(self, other)
    def bitwise_xor_(self, other):  return _ops.trig.bitwise_xor_(self, other)
    def bitwise_left_shift_(self, other): return _ops.trig.bitwise_left_shift_(self, other)
    def bitwise_right_shift_(self, other): return _ops.trig.bitwise_right_shift_(self, other)
    def gcd_(self, other):          return _ops.trig.gcd_(self, other)
    def lcm_(self, other):          return _ops.trig.lcm_(self, other)
    # selection and sets (-> ops/select.py)
    def median(self, *args, **kw):  return _ops.select.tensor_median(self, args, kw)
    def nanmedian(self, *args, **kw): return _ops.select.tensor_nanmedian(self, args, kw)
    def mode(self, *args, **kw):    return _ops.select.tensor_mode(self, args, kw)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None): return _ops.select.unique(self, sorted, return_inverse, return_counts, dim)  # noqa: A002,E501
    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None): return _ops.select.unique_consecutive(self, return_inverse, return_counts, dim)  # noqa: E501
    # math functions (-> ops/mathfns.py)
    def erf(self):                  return _ops.mathfns.erf(self)
    def erfc(self):                 return _ops.mathfns.erfc(self)
    def erfinv(self):               return _ops.mathfns.erfinv(self)
    def expm1(self):                return _ops.mathfns.expm1(self)
    def exp2(self):                 return _ops.mathfns.exp2(self)
    def sinc(self):                 return _ops.mathfns.sinc(self)
    def erf_(self):                 return _ops.mathfns.erf_(self)
    def erfc_(self):                return _ops.mathfns.erfc_(self)
    def erfinv_(self):              return _ops.mathfns.erfinv_(self)
    def expm1_(self):               return _ops.mathfns.expm1_(self)
    def exp2_(self):                return _ops.mathfns.exp2_(self)
    def sinc_(self):                return _ops.mathfns.sinc_(self)
    def log1p_(self):               return _ops.mathfns.log1p_(self)
    def atan2(self, other):         return _ops.mathfns.atan2(self, other)
    def arctan2(self, other):       return _ops.mathfns.arctan2(self, other)
    def hypot(self, other):         return _ops.mathfns.hypot(self, other)
    def logaddexp(self, other):     return _ops.mathfns.logaddexp(self, other)
    def logaddexp2(self, other):    return _ops.mathfns.logaddexp2(self, other)
    def xlogy(self, other):         return _ops.mathfns.xlogy(self, other)
    def fmod(self, other):          return _ops.mathfns.fmod(self, other)
    def copysign(self, other):      return _ops.mathfns.copysign(self, other)
    def atan2_(self, other):        return _ops.mathfns.atan2_(self, other)
    def arctan2_(self, other):      return _ops.mathfns.atan2_(self, other)
    def hypot_(self, other):        return _ops.mathfns.hypot_(self, other)
    def xlogy_(self, other):        return _ops.mathfns.xlogy_(self, other)
    def fmod_(self, other):         return _ops.mathfns.fmod_(self, other)
    def copysign_(self, other):     return _ops.mathfns.copysign_(self, other)
    def lerp(self, end, weight):    return _ops.mathfns.lerp(self, end, weight)
    def lerp_(self, end, weight):   return _ops.mathfns.lerp_(self, end, weight)
    def addcmul(self, tensor1, tensor2, *args, value=1):    # (args: torch's deprecated form)
        return _ops.mathfns.addcmul(self, tensor1, tensor2, *args, value=value, _method=True)

    def addcdiv(self, tensor1, tensor2, *args, value=1):
        return _ops.mathfns.addcdiv(self, tensor1, tensor2, *args, value=value, _method=True)

    def addcmul_(self, tensor1, tensor2, *args, value=1):
        if args:
            (tensor1, tensor2), value = _ops._args.scalar_first(
                "addcmul_", (tensor1, tensor2) + args, value)
        return _ops.mathfns.addcmul_(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *args, value=1):
        if args:
            (tensor1, tensor2), value = _ops._args.scalar_first(
                "addcdiv_", (tensor1, tensor2) + args, value)
        return _ops.mathfns.addcdiv_(self, tensor1, tensor2, value=value)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None): return _ops.mathfns.nan_to_num(self, nan, posinf, neginf)
    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None): return _ops.mathfns.nan_to_num_(self, nan, posinf, neginf)
    def aminmax(self, *, dim=None, keepdim=False): return _ops.mathfns.aminmax(self, dim=dim, keepdim=keepdim)
    def nansum(self, dim=None, keepdim=False, *, dtype=None): return _ops.mathfns.nansum(self, dim, keepdim, dtype=dtype)
    def nanmean(self, dim=None, keepdim=False, *, dtype=None): return _ops.mathfns.nanmean(self, dim, keepdim, dtype=dtype)
    def count_nonzero(self, dim=None): return _ops.mathfns.count_nonzero(self, dim)
    def outer(self, vec2):          return _ops.mathfns.outer(self, vec2)
    def ger(self, vec2):            return _ops.mathfns.outer(self, vec2)
    def trace(self):                return _ops.mathfns.trace(self)
    def diff(self, n=1, dim=-1, prepend=None, append=None): return _ops.mathfns.diff(self, n, dim, prepend, append)
    def cummax(self, dim):          return _ops.mathfns.cummax(self, dim)
    def cummin(self, dim):          return _ops.mathfns.cummin(self, dim)
    def logcumsumexp(self, dim):    return _ops.mathfns.logcumsumexp(self, dim)
    def addmv(self, mat, vec, *, beta=1, alpha=1): return _ops.mathfns.addmv(self, mat, vec, beta=beta, alpha=alpha)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1): return _ops.mathfns.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addbmm(self, batch1, batch2, *, beta=1, alpha=1): return _ops.mathfns.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    def addmv_(self, mat, vec, *, beta=1, alpha=1): return _ops.mathfns.addmv_(self, mat, vec, beta=beta, alpha=alpha)
    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1): return _ops.mathfns.baddbmm_(self, batch1, batch2, beta=beta, alpha=alpha)
    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1): return _ops.mathfns.addbmm_(self, batch1, batch2, beta=beta, alpha=alpha)
    def t(self):                    return _ops.t(self)
    @property
    def T(self):
        if self._data.ndim == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                          "these cases.", UserWarning, stacklevel=2)
        elif self._data.ndim != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        return _ops.permute(self, tuple(range(self.ndim - 1, -1, -1)))
    @property
    def mT(self):
        if self._data.ndim == 0:        # torch: the identity, with a deprecation warning
            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.", UserWarning, stacklevel=2)
            return self
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._data.ndim}-D tensor.")
        return _ops.transpose(self, -2, -1)
    def transpose(self, dim0, dim1): return _ops.transpose(self, dim0, dim1)
    def permute(self, *args, dims=None): return _ops.permute(self, _ops.shape_arg(_varargs("permute", args, "dims", dims)))
    def movedim(self, source, destination): return _ops.movedim(self, source, destination)
    moveaxis = movedim
    def broadcast_to(self, size):   return _ops.expand(self, _ops.shape_arg((size,)))
    def reshape(self, *args, shape=None): return _ops.reshape(self, _ops.shape_arg(_varargs("reshape", args, "shape", shape)))
    def view(self, *shape, size=None, dtype=None):
        shape = _varargs("view", shape + ((dtype,) if dtype is not None else ()), "size", size)
        if len(shape) == 1 and isinstance(shape[0], _dt.dtype):
            return _view_dtype(self, shape[0])
        return _ops.view(self, _ops.shape_arg(shape))
    def view_as(self, other):       return _ops.view(self, other._data.shape)
    def reshape_as(self, other):    return _ops.reshape(self, other._data.shape)
    def flatten(self, start_dim=0, end_dim=-1): return _ops.flatten(self, start_dim, end_dim)
    def squeeze(self, dim=None):    return _ops.squeeze(self, dim)
    def unsqueeze(self, dim):       return _ops.unsqueeze(self, dim)
    def expand(self, *sizes, size=None, implicit=False): return _ops.expand(self, _ops.shape_arg(_varargs("expand", sizes, "size", size)))
    def expand_as(self, other):     return _ops.expand(self, other._data.shape)
    def clone(self, *, memory_format=None): return _ops.clone(self, memory_format=memory_format)
    def eq(self, other):            return _ops.eq(self, other)
    def ne(self, other):            return _ops.ne(self, other)
    def lt(self, other):            return _ops.lt(self, other)
    def le(self, other):            return _ops.le(self, other)
    def gt(self, other):            return _ops.gt(self, other)
    def ge(self, other):            return _ops.ge(self, other)
    def isnan(self):                return _ops.isnan(self)
    def isinf(self):                return _ops.isinf(self)
    def isfinite(self):             return _ops.isfinite(self)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.allclose(self, other, rtol, atol, equal_nan)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _ops.isclose(self, other, rtol, atol, equal_nan)
    def equal(self, other):         return _ops.equal(self, other)
    def all(self, dim=None, keepdim=False): return _ops.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return _ops.any(self, dim, keepdim)
    def logical_not(self):          return _ops.logical_not(self)
    def logical_and(self, other):   return _ops.logical_and(self, other, _method="logical_and")
    def logical_or(self, other):    return _ops.logical_or(self, other, _method="logical_or")
    def logical_xor(self, other):   return _ops.logical_xor(self, other, _method="logical_xor")
    greater, less = gt, lt
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _ops.creation.multinomial(self, num_samples, replacement, generator=generator)
    # new_*: a new tensor of this one's dtype unless given (torch's keyword-only options)
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
        return _ops.tensor(data, dtype=dtype or self.dtype, device=device,
                           requires_grad=requires_grad, pin_memory=pin_memory)

    def new_zeros(self, *size_args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        return _ops.zeros(*size_args, size=size, dtype=dtype or self.dtype, device=device, layout=layout,
                          pin_memory=pin_memory, requires_grad=requires_grad)

    def new_ones(self, *size_args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        return _ops.ones(*size_args, size=size, dtype=dtype or self.dtype, device=device, layout=layout,
                         pin_memory=pin_memory, requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
                 layout=None, pin_memory=False):
        return _ops.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                         layout=layout, pin_memory=pin_memory, requires_grad=requires_grad)

    def new_empty(self, *size_args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
        return _ops.empty(*size_args, size=size, dtype=dtype or self.dtype, device=device, layout=layout,
                          pin_memory=pin_memory, requires_grad=requires_grad)

    # ------------------------------------------------------------------------------------------
    # gather/scatter/join (-> ops/gather.py, ops/join.py)
    # ------------------------------------------------------------------------------------------
    def gather(self, dim, index, *, sparse_grad=False): return _ops.gather.gather(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None): return _ops.gather.scatter(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add(self, dim, index, src): return _ops.gather.scatter_add(self, dim, index, src)
    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return _ops.gather.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    def index_select(self, dim, index): return _ops.gather.index_select(self, dim, index)
    def index_add(self, dim, index, source, *, alpha=1): return _ops.gather.index_add(self, dim, index, source, alpha=alpha)
    def index_copy(self, dim, index, source): return _ops.gather.index_copy(self, dim, index, source)
    def index_fill(self, dim, index, value): return _ops.gather.index_fill(self, dim, index, value)
    def take_along_dim(self, indices, dim=None): return _ops.gather.take_along_dim(self, indices, dim)
    def masked_fill(self, mask, value): return _ops.gather.masked_fill(self, mask, value)
    def masked_select(self, mask):  return _ops.gather.masked_select(self, mask)
    def masked_scatter(self, mask, source): return _ops.gather.masked_scatter(self, mask, source)
    def nonzero(self, *, as_tuple=False): return _ops.gather.nonzero(self, as_tuple=as_tuple)
    def argwhere(self):             return _ops.gather.argwhere(self)
    def masked_fill_(self, mask, value): return _ops.gather.masked_fill_(self, mask, value)
    def masked_scatter_(self, mask, source): return _ops.gather.masked_scatter_(self, mask, source)
    def index_add_(self, dim, index, source, *, alpha=1): return _ops.gather.index_add_(self, dim, index, source, alpha=alpha)
    def index_fill_(self, dim, index, value): return _ops.gather.index_fill_(self, dim, index, value)
    def index_copy_(self, dim, index, source): return _ops.gather.index_copy_(self, dim, index, source)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None): return _ops.gather.scatter_(self, dim, index, src, value=value, reduce=reduce)
    def scatter_add_(self, dim, index, src): return _ops.gather.scatter_add_(self, dim, index, src)
    def uniform_(self, from_=0.0, to=1.0, *, generator=None): return _ops.gather.uniform_(self, from_, to, generator=generator)
    def normal_(self, mean=0.0, std=1.0, *, generator=None): return _ops.gather.normal_(self, mean, std, generator=generator)
    def repeat(self, *args, repeats=None): return _ops.join.repeat(self, *_varargs("repeat", args, "repeats", repeats))
    def tile(self, *args, dims=None): return _ops.join.tile(self, *_varargs("tile", args, "dims", dims))
    def repeat_interleave(self, repeats, dim=None, *, output_size=None): return _ops.join.repeat_interleave(self, repeats, dim, output_size=output_size)
    def flip(self, *args, dims=None): return _ops.join.flip(self, *_varargs("flip", args, "dims", dims))
    def fliplr(self):               return _ops.join.fliplr(self)
    def flipud(self):               return _ops.join.flipud(self)
    def roll(self, shifts, dims=None): return _ops.join.roll(self, shifts, dims)
    def tril(self, diagonal=0):     return _ops.join.tril(self, diagonal, _method="tril")
    def triu(self, diagonal=0):     return _ops.join.triu(self, diagonal, _method="triu")
    def cumsum(self, dim, *, dtype=None): return _ops.join.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return _ops.join.cumprod(self, dim, dtype=dtype)
    def sort(self, dim=-1, descending=False, *, stable=None): return _ops.join.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False): return _ops.join.argsort(self, dim, descending, stable=stable)
    def msort(self):                return _ops.join.msort(self)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _ops.join.topk(self, k, dim, largest, sorted)
    def kthvalue(self, k, dim=-1, keepdim=False): return _ops.join.kthvalue(self, k, dim, keepdim)

    # ------------------------------------------------------------------------------------------
    # nn-flavoured methods (-> ops/nn_ops.py): softmax, log_softmax, gelu, ...
    # ------------------------------------------------------------------------------------------
    # (added by the nn work; keep one line each)
    def softmax(self, dim, dtype=None): return _ops.nn_ops.softmax(self, dim, dtype)
    def log_softmax(self, dim, dtype=None): return _ops.nn_ops.log_softmax(self, dim, dtype)



# ------------------------------------------------------------------------------------------------
# The legacy tensor types: torch.FloatTensor([1, 2]), torch.LongTensor(2, 3), x.type(torch.
# DoubleTensor), x.type('torch.IntTensor'), isinstance(x, torch.FloatTensor)
# ------------------------------------------------------------------------------------------------

class _LegacyTensorType(type):
    """A legacy type such as torch.FloatTensor: calling it makes a tensor of its dtype (data,
    sizes, another tensor of that dtype, or nothing: an empty one), and a tensor of that dtype
    is an instance of it.  (Not a Tensor subclass: tensors are plain Tensors, as in torch.)"""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __call__(cls, *args, device=None):
        npd = cls.dtype.np
        if device is not None:
            _CHECK_DEVICE(device)
        if not args:
            return Tensor._make(np.empty(0, npd), False, None, 0)
        if all(type(a) is int for a in args):
            return Tensor._make(np.empty(args, npd), False, None, 0)
        if len(args) > 1:
            raise TypeError(f"new() received an invalid combination of arguments - got "
                            f"{tuple(type(a).__name__ for a in args)}")
        data = args[0]
        if isinstance(data, Tensor):
            if data._data.dtype != npd:
                raise TypeError(f"expected {cls.dtype} (got {data.dtype})")
            return data.detach()
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        return _ops.creation.tensor(data, dtype=cls.dtype)    # (torch.tensor's conversions)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


_CHECK_DEVICE = device          # (raises for anything but the CPU)


def _legacy_type(name, dtype):
    return _LegacyTensorType(name, (), {"dtype": dtype, "is_cuda": False,
                                        "__doc__": f"The legacy constructor of {dtype} tensors."})


LEGACY_TYPES = {name: _legacy_type(name, d) for name, d in (
    ("FloatTensor", _dt.float32), ("DoubleTensor", _dt.float64), ("HalfTensor", _dt.float16),
    ("BFloat16Tensor", _dt.bfloat16), ("LongTensor", _dt.int64), ("IntTensor", _dt.int32),
    ("ShortTensor", _dt.int16), ("CharTensor", _dt.int8), ("ByteTensor", _dt.uint8),
    ("BoolTensor", _dt.bool))}


def factory_requires_grad(t) -> None:
    """`requires_grad=True` given to a factory (tensor, zeros, arange, ...): torch's factory error
    for an integer or bool dtype (requires_grad_() has its own)."""
    if t._data.dtype.kind not in "fV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    t.requires_grad_(True)


def _type_target(dtype):
    """The dtype `x.type(...)` asks for: a dtype, a legacy type, or its name ('torch.IntTensor')."""
    if isinstance(dtype, _LegacyTensorType):
        return dtype.dtype
    if isinstance(dtype, str):
        if dtype.startswith("torch.cuda."):
            _CHECK_DEVICE("cuda")
        if dtype == "torch.Tensor":
            return _dt.get_default_dtype()
        legacy = LEGACY_TYPES.get(dtype[len("torch."):]) if dtype.startswith("torch.") else None
        if legacy is None:
            raise ValueError(f"invalid type: '{dtype}'")
        return legacy.dtype
    return dtype


def _view_dtype(t: Tensor, dtype) -> Tensor:
    """t.view(dtype): the same bytes read as another dtype (torch's view(dtype)) - the memory
    and version counter shared, no history (torch's is not differentiable either).  A
    different element size changes the last dim, which must then be contiguous."""
    from .ops._util import scalar_type_name
    x, new = t._data, np.dtype(dtype.np)
    if new.itemsize != x.dtype.itemsize:
        what = (f"to view {scalar_type_name(x.dtype)} as {scalar_type_name(new)} (different "
                "element sizes)")
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if new.itemsize > x.dtype.itemsize:
            ratio = new.itemsize // x.dtype.itemsize
            if x.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                                   f"{x.shape[-1]}")
        if x.shape[-1] > 1 and x.strides[-1] != x.dtype.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{x.strides[-1] // x.dtype.itemsize}")
    return Tensor._make(x.view(new), False, None, 0, own_vc(t))


def _add_retain_hook(node, nr, fn) -> None:
    if node._retain_hooks is None:
        node._retain_hooks = {}
    node._retain_hooks[nr] = fn
    node._has_hooks = True


def follow_history(t: Tensor, old_node, old_nr: int) -> None:
    """t's history just changed from output `old_nr` of `old_node` to its current grad_fn (an
    in-place op, a view re-derived from its base): its retain_grad goes along - `.grad` is then
    the gradient of the current value, as torch's - and the old node no longer fills it."""
    if not t._retains_grad or old_node is None or old_node is t._grad_fn:
        return
    hooks = old_node._retain_hooks
    fn = hooks.pop(old_nr, None) if hooks else None
    if fn is not None and t._grad_fn is not None:
        _add_retain_hook(t._grad_fn, t._output_nr, fn)


from . import ops as _ops  # noqa: E402  (ops import Tensor: import them after the class exists)
from .ops import inplace as _inplace  # noqa: E402
from .autograd.function import (make_accumulator as _make_accumulator,  # noqa: E402
                                 note_data_swap as _note_data_swap, own_vc)
from .ops import indexing as _indexing  # noqa: E402
from .ops.elementwise import Add as _Add, Div as _Div, Mul as _Mul, Sub as _Sub  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .autograd.fastpath import make_binary as _make_binary, make_unary as _make_unary  # noqa: E402

# the fast path's functions as the Tensor methods themselves (see the note in the class)
Tensor.__add__ = _make_binary(_Add, True, "__add__")
Tensor.__radd__ = _make_binary(_Add, True, "__radd__")
Tensor.__sub__ = _make_binary(_Sub, True, "__sub__")
Tensor.__mul__ = _make_binary(_Mul, True, "__mul__")
Tensor.__rmul__ = _make_binary(_Mul, True, "__rmul__")
Tensor.__truediv__ = _make_binary(_Div, True, "__truediv__")
Tensor.__neg__ = _make_unary(_ew.Neg, "__neg__")
for _name, _op in (("neg", _ew.Neg), ("exp", _ew.Exp), ("log", _ew.Log), ("sqrt", _ew.Sqrt),
                   ("tanh", _ew.Tanh), ("sigmoid", _ew.Sigmoid), ("relu", _ew.Relu)):
    setattr(Tensor, _name, _make_unary(_op, _name))
del _name, _op
Tensor.negative = Tensor.neg


_OPERANDS = (Tensor, bool, int, float, complex, np.generic, np.ndarray)
