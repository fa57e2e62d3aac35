"""Reading and matching rows: plain tuples from a query (for aggregate and few-column
selects), and long lists of keys cut to the size of one ``IN (...)`` list.

peewee's stubs type every row of a ``ModelSelect`` as a model instance, which is wrong for
``.tuples()``; :func:`tuples` carries that difference.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Values per ``IN (...)`` list: well under SQLite's limit of bound parameters per statement.
IN_LIST = 500


def tuples(query: Any) -> Iterator[tuple[Any, ...]]:
    """Stream the rows of ``query`` as tuples, in the order of its selected columns."""
    rows: Iterator[tuple[Any, ...]] = query.tuples().iterator()
    return rows


def plain_rows(query: Any) -> list[tuple[Any, ...]]:
    """All rows of ``query`` exactly as the driver returns them, with none of peewee's work
    per row: for hot paths selecting integers and text, which need no conversion."""
    rows: list[tuple[Any, ...]] = query.model._meta.database.execute(query).fetchall()
    return rows


def slices(values: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """``values`` ``size`` at a time (by default short enough for one ``IN (...)`` list)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
