"""What a feature's modules declare with a decorator (an API endpoint, a job, a dashboard
panel): the decorator stores its declaration on the function, and the feature's `init_app`
adds the declarations of the modules it names to the app."""

from __future__ import annotations

from collections.abc import Iterator
from types import FunctionType, ModuleType


def declared_in(modules: tuple[ModuleType, ...], attribute: str) -> Iterator[FunctionType]:
    """The functions defined in `modules` (not merely imported there) that carry `attribute`,
    in the order the modules and their functions are written."""
    for module in modules:
        for value in vars(module).values():
            # `type() is`: a module also holds proxies (request, g) that fail any other test
            if type(value) is FunctionType and value.__module__ == module.__name__ \
                    and hasattr(value, attribute):
                yield value
