"""A function a feature needs from a feature above it in the order of `docs/ARCHITECTURE.md`.

The lower feature declares the need (`Provided`) and calls it; the higher feature provides the
function in its `init_app`. The import then goes one way (up to down), as a blinker signal does
for what a feature announces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Provided:
    """A named function provided by a feature above the one that calls it."""

    def __init__(self, name: str, *, by: str) -> None:
        self.name = name
        self.by = by
        self._function: Callable[..., Any] | None = None

    def provide(self, function: Callable[..., Any]) -> None:
        """Set the function (the providing feature's `init_app` does, at start-up)."""
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None:
            raise RuntimeError(f"{self.name} is not provided: {self.by}'s init_app provides it")
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Provided {self.name} by {self.by}>"
