"""``station batch set``: what an assignment batch lacks for Metrc, filled in."""

from __future__ import annotations

import click

from station.cli.output import message
from station.cli.state import State, pass_state
from station.domain.changes import described
from station.services.tags import batch_corrections


@click.group()
def batch() -> None:
    """Assignment batches: fill in what one lacks before it goes to Metrc."""


@batch.command("set")
@click.argument("batch_id", type=int)
@click.option("--plant-batch", help="Metrc plant batch (plants, or immature-plant packages).")
@click.option("--location", help="Metrc location.")
@click.option("--phase", help="Growth phase of a plant batch: Vegetative or Flowering.")
@click.option("--reason", required=True, help="Why, e.g. 'plant batch left out'.")
@pass_state
def set_(
    state: State,
    batch_id: int,
    plant_batch: str | None,
    location: str | None,
    phase: str | None,
    reason: str,
) -> None:
    """Change a batch's plant batch, location or growth phase until it has gone to Metrc."""
    changes = batch_corrections.set_batch(
        state.context(), batch_id, reason, plant_batch, location, phase
    )
    message(f"batch {batch_id}: {described(changes, with_before=True)}")
