"""UninitializedParameter and UninitializedBuffer: the placeholders a lazy module holds until its
first forward tells it their shapes (torch.nn.parameter's classes of the same names).

    p = nn.UninitializedParameter()       # prints <UninitializedParameter>
    p.materialize((4, 3))                 # now a Parameter of shape (4, 3) (uninitialised data)

Until materialize() they hold an empty tensor that nothing may compute with: any operation on
one raises torch's ValueError ("Attempted to use an uninitialized parameter in ...") and `.shape`
raises torch's RuntimeError.  What stays allowed is torch's list: size(), dtype, device, .data,
requires_grad, grad, is_leaf and the other attributes, hash, copy_(), is_floating_point(),
is_complex(), get_device(), and the conversions to(), cpu(), cuda(), float(), double(), half(),
char(), short(), int(), long() (so Module.to(dtype) / .double() sets the dtype a lazy module's
parameters will be materialized with).

How: the array lives in Tensor's `_data` slot as for any tensor, but these classes shadow that
slot with a property that refuses reads, so every op (which reads `_data`) fails; the allowed
methods run with the object's class switched to the one it becomes (Parameter / Tensor) for the
length of the call.
"""
from __future__ import annotations

import sys

from ..ops import empty
from ..tensor import Tensor, factory_requires_grad
from .parameter import Parameter

__all__ = ["UninitializedTensorMixin", "UninitializedParameter", "UninitializedBuffer",
           "is_lazy"]

_SLOT = Tensor.__dict__["_data"]        # the real storage slot (a member descriptor)

_SHAPE_MSG = ("Can't access the shape of an uninitialized parameter or buffer. This error usually "
              "happens in `load_state_dict` when trying to load an uninitialized parameter into "
              "an initialized one. Call `forward` to initialize the parameters before accessing "
              "their attributes.")

# Python operators: the name torch reports (its dunder runs the named method)
_DUNDER_AS = {"__add__": "add", "__radd__": "add", "__iadd__": "add_", "__sub__": "sub",
              "__rsub__": "rsub", "__isub__": "sub_", "__mul__": "mul", "__rmul__": "mul",
              "__imul__": "mul_", "__truediv__": "div", "__rtruediv__": "div", "__itruediv__":
              "div_", "__matmul__": "matmul", "__rmatmul__": "matmul", "__neg__": "neg",
              "__pow__": "pow", "__rpow__": "pow", "__abs__": "abs", "__eq__": "eq",
              "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge"}


def _runs(fn, frame) -> bool:
    """Whether `frame` is running function `fn` (its code, and its closure's values)."""
    if getattr(fn, "__code__", None) is not frame.f_code:
        return False
    cells = fn.__closure__ or ()
    local = frame.f_locals
    return all(name in local and local[name] is cell.cell_contents
               for name, cell in zip(fn.__code__.co_freevars, cells))


def _public_names(frame, obj):
    """The public names of the function a frame runs: a Tensor method's when its first
    argument is `obj`, else the module-level functions of its module with that code (or
    wrapping it)."""
    code = frame.f_code
    first = code.co_varnames[:1]
    on_obj = bool(first) and frame.f_locals.get(first[0]) is obj
    space = vars(Tensor) if on_obj else frame.f_globals
    names = []
    for name, fn in list(space.items()):
        if _runs(fn, frame) or _runs(getattr(fn, "__wrapped__", None), frame):
            names.append(name)
    plain = [n for n in names if not n.startswith("_")]
    if on_obj:
        return plain or [n for n in names if n.startswith("__")]
    return plain


def _described_op(obj) -> str:
    """How torch would name the operation that read an uninitialized tensor's data: the
    outermost public zerograd function of the calling chain below module machinery and user
    code (best effort: torch's own repr of a builtin function may carry its address)."""
    frame = sys._getframe(2)
    chosen = None
    while frame is not None:
        mod = frame.f_globals.get("__name__", "")
        if not mod.startswith("zerograd") or mod.startswith("zerograd.nn.modules") or \
                mod.startswith("zerograd.optim"):
            break
        names = _public_names(frame, obj)
        first = frame.f_code.co_varnames[:1]
        on_obj = bool(first) and frame.f_locals.get(first[0]) is obj
        if len(names) == 1 or (names and on_obj):
            chosen = (on_obj, names[0])
        frame = frame.f_back
    if chosen is None:
        return "<method '_data' of 'torch._C.TensorBase' objects>"
    is_method, name = chosen
    if is_method:
        if name in _DUNDER_AS:
            return f"<method '{_DUNDER_AS[name]}' of 'torch._C.TensorBase' objects>"
        if name.startswith("__"):
            return f"<slot wrapper '{name}' of 'torch._C.TensorBase' objects>"
        return f"<method '{name}' of 'torch._C.TensorBase' objects>"
    return f"<built-in function {name}>"


def _refuse_data(self, op=None):
    cls = type(self)
    if op is None:
        op = _described_op(self)
    raise ValueError(
        f"Attempted to use an uninitialized parameter in {op}. This error "
        "happens when you are using a `LazyModule` or explicitly manipulating "
        f"`torch.nn.parameter.{cls.__name__}` objects. When using LazyModules Call `forward` "
        "with a dummy batch to initialize the parameters before calling torch functions")


def _store_data(self, arr):
    _SLOT.__set__(self, arr)


class _AsMaterialized:
    """For the length of a `with`: the object's class is the one it becomes, so Tensor's own
    code sees its real storage."""
    __slots__ = ("obj", "cls")

    def __init__(self, obj):
        self.obj = obj
        self.cls = type(obj)

    def __enter__(self):
        self.obj.__class__ = self.cls.cls_to_become
        return self.obj

    def __exit__(self, *exc):
        self.obj.__class__ = self.cls
        return False


def _allowed_method(name):
    base = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        with _AsMaterialized(self):
            out = base(self, *args, **kwargs)
        return self._converted(out)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = base.__doc__
    return method


def _allowed_property(name, prop):
    def fget(self):
        with _AsMaterialized(self):
            return prop.fget(self)

    fset = None
    if prop.fset is not None:
        def fset(self, value):
            with _AsMaterialized(self):
                prop.fset(self, value)
    return property(fget, fset, doc=prop.__doc__)


class UninitializedTensorMixin:
    """What UninitializedParameter and UninitializedBuffer share (see the module docstring)."""

    cls_to_become = None
    _data = property(_refuse_data, _store_data)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give it data: an uninitialised tensor of `shape` (with the dtype / device it has, or
        those given), and turn it into a cls_to_become (Parameter / Tensor) in place."""
        with _AsMaterialized(self):
            if device is None:
                device = self.device
            if dtype is None:
                dtype = self.dtype
        new = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become
        self.data = new

    @property
    def shape(self):
        raise RuntimeError(_SHAPE_MSG)

    def requires_grad_(self, requires_grad=True):
        """Refused, as in torch (so is a lazy Module's requires_grad_())."""
        _refuse_data(self, "<method 'requires_grad_' of 'torch._C.TensorBase' objects>")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call "
                           "`forward` to initialize the parameters before calling "
                           "`module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))

    def __hash__(self):
        return id(self)

    def _converted(self, out):
        return out


# torch's allowed list (beyond the attribute reads, which it allows as a rule)
for _name in ("size", "copy_", "is_complex", "is_floating_point", "half", "float", "double",
              "char", "short", "int", "long", "cuda", "cpu", "to", "get_device"):
    if hasattr(Tensor, _name):
        setattr(UninitializedTensorMixin, _name, _allowed_method(_name))
for _name, _prop in vars(Tensor).items():
    if isinstance(_prop, property) and _name not in ("shape", "_data") and \
            _name not in vars(UninitializedTensorMixin):
        setattr(UninitializedTensorMixin, _name, _allowed_property(_name, _prop))
del _name, _prop


def is_lazy(param) -> bool:
    """Whether `param` is an UninitializedParameter or UninitializedBuffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (a lazy module's, until its first forward):
    `materialize(shape)` makes it a Parameter.  Holds no data: only dtype / device changes and
    the attribute reads are allowed, anything else raises."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        data = empty(0, device=device, dtype=dtype)
        p = object.__new__(cls)
        Tensor._init(p, _SLOT.__get__(data), False)
        if requires_grad:
            with _AsMaterialized(p):
                factory_requires_grad(p)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with _AsMaterialized(self):
            dtype = self.dtype
        result = type(self)(self.requires_grad, None, dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (a lazy module's running statistics):
    `materialize(shape)` makes it a plain Tensor.  Assigned to a Module attribute it is
    registered as a buffer (persistent unless persistent=False)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        data = empty(0, device=device, dtype=dtype)
        b = object.__new__(cls)
        Tensor._init(b, _SLOT.__get__(data), False)
        if requires_grad:
            with _AsMaterialized(b):
                b.requires_grad_(True)
        b.persistent = persistent
        b._is_buffer = True
        return b

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        with _AsMaterialized(self):
            dtype = self.dtype
        result = type(self)(self.requires_grad, None, dtype, getattr(self, "persistent", True))
        memo[id(self)] = result
        return result

    def _converted(self, out):
        """A conversion of an uninitialized buffer is one too (torch's subclass wrapping):
        Module.to / .double() keep a lazy module's buffers lazy, in the new dtype."""
        if isinstance(out, Tensor) and out is not self and type(out) is Tensor:
            b = object.__new__(type(self))
            Tensor._init(b, _SLOT.__get__(out), False)
            b._requires_grad = out._requires_grad
            return b
        return out
