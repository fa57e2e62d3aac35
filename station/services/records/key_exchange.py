"""Sharing the audit chain's key (``station.services.records.chain_key``) between the
stations of one PostgreSQL database: exported on the station that holds it, imported on each
other one. A supervisor's work, and audited, since whoever holds the key can re-chain a
rewritten trail."""

from __future__ import annotations

from pathlib import Path

from station.services.context import Context
from station.services.people import roles
from station.services.records import audit, chain_key


def export(ctx: Context, target: Path) -> str:
    """Write this station's chain key to the new private file ``target``; the key ids."""
    roles.require_supervisor(ctx, "exporting the chain key")
    ids = chain_key.export_key(ctx.folders, target)
    audit.record(ctx, "audit.key_export", f"exported chain key {ids}", {"keys": ids})
    return ids


def import_(ctx: Context, source: Path) -> list[str]:
    """Add the chain keys in the export ``source``; the ids this station did not hold."""
    roles.require_supervisor(ctx, "importing a chain key")
    added = chain_key.import_key(ctx.folders, source)
    if added:
        audit.record(
            ctx, "audit.key_import", f"imported chain key {', '.join(added)}", {"keys": added}
        )
    return added
