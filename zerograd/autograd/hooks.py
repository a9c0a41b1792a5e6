"""RemovableHandle: what every `register_*hook` returns; `handle.remove()` unregisters."""
from __future__ import annotations

import itertools

_next_id = itertools.count()


class RemovableHandle:
    """Removes a hook from the dict it was registered in (hooks run in registration order, since
    dicts keep insertion order).  Also a context manager:

        with t.register_hook(fn):
            loss.backward()          # fn runs here, and is removed on exit
    """

    __slots__ = ("hooks_dict", "id")

    def __init__(self, hooks_dict: dict, fn=None) -> None:
        self.id = next(_next_id)
        self.hooks_dict = hooks_dict
        if fn is not None:
            hooks_dict[self.id] = fn

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
