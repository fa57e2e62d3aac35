"""peewee logs every query with its parameters at DEBUG level. A PIN hash or a badge digest
written to the operator table must not reach a log even when someone turns that on, so those
statements are logged with their parameters blanked."""

from __future__ import annotations

import logging

_SECRET_TABLES = ('"operator"',)
_HIDDEN = "(parameters hidden: operator secrets)"


class _HideOperatorSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        query = record.msg
        if (
            isinstance(query, tuple)
            and len(query) == 2
            and isinstance(query[0], str)
            and any(table in query[0] for table in _SECRET_TABLES)
        ):
            record.msg = (query[0], _HIDDEN)
        return True


def hide_operator_secrets() -> None:
    """Install the filter on peewee's logger (once; installing again does nothing)."""
    logger = logging.getLogger("peewee")
    if not any(isinstance(f, _HideOperatorSecrets) for f in logger.filters):
        logger.addFilter(_HideOperatorSecrets())
