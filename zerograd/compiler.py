"""torch.compiler without a compiler (see zerograd/_compile.py): code that asks whether it is
being compiled, or marks functions to leave out of compilation, runs unchanged - nothing is ever
compiled, so every function runs eagerly as written."""
from __future__ import annotations

import contextlib

from ._compile import compile  # noqa: F401,A004  (torch.compiler.compile is torch.compile)

__all__ = ["compile", "disable", "reset", "allow_in_graph", "assume_constant_result",
           "is_compiling", "is_dynamo_compiling", "is_exporting", "list_backends", "set_stance",
           "cudagraph_mark_step_begin", "substitute_in_graph", "get_default_backend",
           "set_default_backend"]

_BACKENDS = ["cudagraphs", "inductor", "openxla", "tvm"]
_DEFAULT_BACKEND = ["inductor"]


def is_compiling() -> bool:
    """False: nothing is traced or compiled here."""
    return False


def is_dynamo_compiling() -> bool:
    return False


def is_exporting() -> bool:
    return False


def disable(fn=None, recursive=True, *, reason=None):
    """Keep `fn` out of compilation (as a decorator too, with or without arguments): here it
    comes back as it is."""
    if fn is None:
        return lambda f: f
    return fn


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False,
                        skip_signature_check=False):
    """A decorator registering a traceable stand-in for `original_fn`; nothing traces here, so
    the stand-in is returned unused."""
    return lambda fn: fn


def reset() -> None:
    """Clear the compile caches (there are none)."""


def cudagraph_mark_step_begin() -> None:
    """Mark a CUDA-graph step (there are no CUDA graphs)."""


def list_backends(exclude_tags=("debug", "experimental")) -> list:
    return list(_BACKENDS)


def get_default_backend():
    return _DEFAULT_BACKEND[0]


def set_default_backend(backend) -> None:
    _DEFAULT_BACKEND[0] = "inductor" if backend is None else backend


@contextlib.contextmanager
def _stance():
    yield


def set_stance(stance: str = "default", *, skip_guard_eval_unsafe: bool = False,
               force_backend=None):
    """How torch.compile'd code behaves (a decorator or a context manager in torch): every
    stance runs eagerly here."""
    stances = ("default", "force_eager", "eager_on_recompile", "fail_on_recompile",
               "eager_then_compile", "aot_eager_then_compile")
    if stance not in stances:
        raise RuntimeError(f"invalid torch.compiler.set_stance stance {stance!r}; expected one "
                           f"of {', '.join(stances)}")
    return _stance()
