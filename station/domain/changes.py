"""What a correction changed, field by field: the shape every correction's audit event and
message share (``{"field": {"from": old, "to": new}}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Changes = dict[str, dict[str, Any]]


def differences(record: object, wanted: Mapping[str, Any]) -> Changes:
    """Each field of ``wanted`` whose value differs from ``record``'s (dates as ISO text)."""
    return {
        name: {"from": _plain(getattr(record, name)), "to": _plain(value)}
        for name, value in wanted.items()
        if getattr(record, name) != value
    }


def described(changes: Changes, with_before: bool = False) -> str:
    """``order date 2026-11-19, location Veg 1``; with ``with_before``,
    ``order date 2026-11-20 -> 2026-11-19, ...``."""
    return ", ".join(
        f"{name.replace('_', ' ')} "
        + (f"{change['from']} -> {change['to']}" if with_before else f"{change['to']}")
        for name, change in changes.items()
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
