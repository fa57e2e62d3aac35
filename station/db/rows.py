"""Plain tuples from a query, for aggregate and few-column selects.

peewee's stubs type every row of a ``ModelSelect`` as a model instance, which is wrong for
``.tuples()``; this one helper carries that difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def tuples(query: Any) -> Iterator[tuple[Any, ...]]:
    """Stream the rows of ``query`` as tuples, in the order of its selected columns."""
    rows: Iterator[tuple[Any, ...]] = query.tuples().iterator()
    return rows
