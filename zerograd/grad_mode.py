"""Grad modes: whether operations record the graph, per thread.

    with zerograd.no_grad():        # record nothing (evaluation, metrics, optimizer steps)
        ...
    @zerograd.inference_mode()      # record nothing, and make "inference tensors"
    def predict(x): ...

Each mode is a context manager *and* a decorator, and the state is thread-local (a new thread
starts with grad enabled), as in PyTorch.  `inference_mode` goes further than `no_grad`: tensors
created inside it carry no version counter (`t.is_inference()`), so they are cheaper, and they can
never be saved for backward later.
"""
from __future__ import annotations

import functools
import inspect
import threading


class _GradState(threading.local):
    """`enabled`: do operations record the graph (what the hot paths read); `inference`: inside
    inference_mode.  Inside inference_mode nothing records, yet the grad mode the user sees
    (is_grad_enabled) can still be switched by enable_grad / no_grad: that is `grad_in_inference`."""
    enabled = True      # class attributes: the values every new thread starts with
    inference = False
    grad_in_inference = False


_state = _GradState()


def is_grad_enabled() -> bool:
    """The grad mode of this thread (inside inference_mode, operations record nothing even when
    it is True, as in torch)."""
    return _state.grad_in_inference if _state.inference else _state.enabled


def _set_grad(mode: bool) -> None:
    if _state.inference:
        _state.grad_in_inference = mode
    else:
        _state.enabled = mode


def _save():
    return _state.enabled, _state.inference, _state.grad_in_inference


def _restore(saved) -> None:
    _state.enabled, _state.inference, _state.grad_in_inference = saved


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _DecoratorContextManager:
    """Base: subclasses define __enter__/__exit__; calling an instance on a function decorates it."""

    def __call__(self, fn):
        if inspect.isclass(fn):
            raise RuntimeError(f"{type(self).__name__} cannot decorate a class; decorate its methods")
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    try:
                        with self.clone():
                            response = gen.send(request)
                    except StopIteration as e:
                        return e.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():      # a fresh instance per call: safe under recursion and threads
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class _NoParamDecorator(_DecoratorContextManager):
    """A mode without arguments may also decorate bare: `@no_grad` as well as `@no_grad()`
    (torch's _NoParamDecoratorContextManager)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):
    """Disable graph recording in this thread (`with no_grad():`, `@no_grad()` or `@no_grad`)."""

    def __init__(self) -> None:
        self.prev = None

    def __enter__(self) -> None:
        self.prev = _save()
        _set_grad(False)

    def __exit__(self, *exc) -> None:
        _restore(self.prev)


class enable_grad(_NoParamDecorator):
    """Re-enable graph recording inside a `no_grad` block (not inside `inference_mode`'s effect
    on tensors already made there)."""

    def __init__(self) -> None:
        self.prev = None

    def __enter__(self) -> None:
        self.prev = _save()
        _set_grad(True)

    def __exit__(self, *exc) -> None:
        _restore(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """`set_grad_enabled(False)` applies at once as a function call, and restores on exit when
    used in `with`, as in torch."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self.prev = _save()
        self.mode = mode
        _set_grad(self.mode)

    def __enter__(self) -> None:
        _set_grad(self.mode)

    def __exit__(self, *exc) -> None:
        _restore(self.prev)

    def clone(self):
        return type(self)(self.mode)

    def __call__(self, fn):
        _restore(self.prev)           # as a decorator it must not have changed the mode now
        return super().__call__(fn)


class inference_mode(_DecoratorContextManager):
    """Like `no_grad`, and tensors created inside are inference tensors (no version counter).

    `inference_mode(False)` leaves inference mode and enables grad, as torch's does (code that
    switches on a flag)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)                  # bare `@inference_mode` on a function, as torch

    def __init__(self, mode: bool = True) -> None:
        if not isinstance(mode, bool):      # (decorated bare: __new__ returned the wrapper)
            return
        self.mode = mode
        self.prev = (True, False)

    def __enter__(self) -> None:
        self.prev = _save()
        if self.mode:
            _state.enabled, _state.inference, _state.grad_in_inference = False, True, False
        else:
            _state.enabled, _state.inference = True, False

    def __exit__(self, *exc) -> None:
        _restore(self.prev)

    def clone(self):
        return type(self)(self.mode)
