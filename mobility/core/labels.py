"""The one home of the `*_label` properties: a model's code shown as its translated label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def label_of(attribute: str, labels: Mapping[str, Any]) -> property:
    """A read-only property giving `labels[self.<attribute>]` as text (the code itself when it
    has no label), e.g. `status_label = label_of("status", STATUS_LABELS)`."""

    def label(self) -> str:
        value = getattr(self, attribute)
        return str(labels.get(value, value))

    label.__doc__ = f"The label of `{attribute}`."
    return property(label)
