"""``station print``, ``station jobs`` and ``station job show|resume|cancel``."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from station.cli.output import FORMATS, cell, emit, json_value, message
from station.cli.scans import range_from_args, uids_from_args
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.domain.states import JobState
from station.domain.text import plural
from station.domain.uid import normalize
from station.services import printing
from station.services.context import Context
from station.services.printing import Outcome, labels

_JOB_COLUMNS = [
    "id",
    "status",
    "printer",
    "template",
    "total",
    "done",
    "uncertain",
    "pending",
    "skipped",
    "created_at",
    "created_by",
    "pause_reason",
]


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int, int], None]]:
    """A bar with labels/s and time left on a terminal; nothing in scripts."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("printing"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("print", total=total, rate="")

        def update(done: int, total: int) -> None:
            speed = bar.tasks[0].speed
            bar.update(
                task, completed=done, total=total, rate=f"{speed:.0f} labels/s" if speed else ""
            )

        yield update


def bar_on_first_report(stack: contextlib.ExitStack) -> Callable[[int, int], None]:
    """A progress callback that opens the bar (in ``stack``) when the job first reports."""
    shown: list[Callable[[int, int], None]] = []

    def progress(done: int, total: int) -> None:
        if not shown:
            shown.append(stack.enter_context(progress_bar(total)))
        shown[0](done, total)

    return progress


def print_now(ctx: Context, wanted: printing.TagLabels | printing.UnitLabels, noun: str) -> Outcome:
    """Queue and send ``wanted``, saying the job and showing its progress."""

    with contextlib.ExitStack() as stack:
        progress = bar_on_first_report(stack)

        def queued(job: printing.Queued) -> None:
            message(f"job {job.job_id}: {plural(job.labels, noun)} to {job.printer}")
            progress(0, job.labels)

        return printing.print_now(ctx, wanted, queued, progress)


def report(outcome: Outcome) -> None:
    """The one-line result; a paused job is a failed operation (exit 1)."""
    if outcome.state == JobState.DONE:
        message(f"job {outcome.job_id} done: {plural(outcome.done, 'label')} printed")
        return
    if outcome.state == JobState.CANCELLED:
        raise StationError(f"job {outcome.job_id} was cancelled while printing")
    if outcome.uncertain:
        message(f"uncertain (may or may not have printed): {' '.join(outcome.uncertain)}")
    raise StationError(
        f"job {outcome.job_id} paused after {outcome.done} of {outcome.total} labels: "
        f"{outcome.reason}; fix the printer, then: station job resume {outcome.job_id}"
    )


@click.command("print")
@click.argument("uids", nargs=-1, metavar="UID...")
@click.option(
    "--range", "range_", nargs=2, metavar="FIRST LAST", help="Every tag from FIRST to LAST."
)
@click.option("--order", "order_id", type=int, help="Every received or used tag of an order.")
@click.option("--batch", "batch_id", type=int, help="Every tag of an assignment batch.")
@click.option(
    "--printer",
    "printer_name",
    help="Default: STATION_PRINTER, else the default printer (station printer default).",
)
@click.option("--template", "template_name", help="Instead of the printer's default template.")
@click.option(
    "--copies",
    type=click.IntRange(1, printing.MAX_COPIES),
    default=1,
    show_default=True,
    help="Labels per tag (an immature plant lot: up to 100).",
)
@click.option("--reverse", is_flag=True, help="Last label first (thermal rolls).")
@click.option(
    "--retail-id", "retail_uid", metavar="PACKAGE_UID",
    help="One Retail ID unit label per issued unit code of this package.",
)  # fmt: skip
@click.option(
    "--index", "index_range", nargs=2, type=click.IntRange(0), metavar="FIRST LAST",
    help="With --retail-id: only units FIRST..LAST.",
)  # fmt: skip
@click.option("--reprint", is_flag=True, help="Allow tags that already have a printed label.")
@click.option("--reason", help="Why the reprint (required with --reprint).")
@pass_state
def print_(
    state: State,
    uids: tuple[str, ...],
    range_: tuple[str, str] | None,
    order_id: int | None,
    batch_id: int | None,
    printer_name: str | None,
    template_name: str | None,
    copies: int,
    reverse: bool,
    retail_uid: str | None,
    index_range: tuple[int, int] | None,
    reprint: bool,
    reason: str | None,
) -> None:
    """Create and run a print job: tag labels, or Retail ID unit labels (--retail-id)."""
    sources = [bool(uids), range_ is not None, order_id is not None, batch_id is not None]
    if sum(sources) + (retail_uid is not None) != 1:
        raise click.UsageError(
            "give UIDs, --range FIRST LAST, --order ID, --batch ID or --retail-id PACKAGE_UID"
        )
    if reprint != (reason is not None):
        raise click.UsageError("--reprint and --reason go together")
    if index_range is not None and retail_uid is None:
        raise click.UsageError("--index goes with --retail-id")
    if retail_uid is not None and (copies != 1 or reverse):
        raise click.UsageError("a unit code prints once, in order: no --copies or --reverse")
    ctx = state.context()
    if retail_uid is not None:
        units = printing.UnitLabels(
            normalize(retail_uid),
            printer_name,
            template_name,
            index_range,
            reason if reprint else None,
        )
        report(print_now(ctx, units, "unit label"))
        return
    printer_name = printing.print_target(ctx, printer_name, template_name)[0].name
    wanted = labels.uids_to_print(
        ctx,
        uids_from_args(uids),
        range_from_args(range_),
        order_id,
        batch_id,
    )
    tags = printing.TagLabels(
        wanted, printer_name, template_name, copies, reverse, reason if reprint else None
    )
    report(print_now(ctx, tags, "label"))


@click.command("jobs")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def jobs(state: State, fmt: str) -> None:
    """Print jobs with their progress; interrupted ones can be resumed."""
    rows = (summary.as_dict() for summary in printing.summaries(state.context()))
    emit(rows, fmt, _JOB_COLUMNS if fmt != "table" else [*_JOB_COLUMNS[:9], "pause_reason"])


@click.group("job")
def job() -> None:
    """One print job: show, resume or cancel it."""


@job.command("show")
@click.argument("job_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def show(state: State, job_id: int, fmt: str) -> None:
    """A job and the state of each of its labels."""
    ctx = state.context()
    summary = printing.job_summary(ctx, job_id)
    labels = printing.items(ctx, job_id)
    if fmt == "json":
        click.echo(
            json.dumps({**summary.as_dict(), "labels": labels}, indent=2, default=json_value)
        )
        return
    for key, value in summary.as_dict().items():
        if value is not None:
            click.echo(f"{key.replace('_', ' ')}: {cell(value)}")
    units = any(label["unit"] is not None for label in labels)
    emit(labels, "table", ["position", "uid", "unit" if units else "copy", "state"])


@job.command("resume")
@click.argument("job_id", type=int)
@click.option(
    "--uncertain",
    type=click.Choice(["reprint", "skip"]),
    help="What to do with labels that may or may not have printed.",
)
@pass_state
def resume(state: State, job_id: int, uncertain: str | None) -> None:
    """Go on from the first label not known to be done."""
    ctx = state.context()
    with contextlib.ExitStack() as stack:
        try:
            outcome = printing.resume_now(ctx, job_id, uncertain, bar_on_first_report(stack))
        except printing.UncertainLabels as exc:
            for uid in exc.uids:
                click.echo(uid)
            raise
    report(outcome)


@job.command("pause")
@click.argument("job_id", type=int)
@pass_state
def pause(state: State, job_id: int) -> None:
    """Pause a job that is printing, once the labels already sent are done."""
    printing.request_pause(state.context(), job_id)
    message(f"job {job_id} will pause after the labels already sent")


@job.command("cancel")
@click.argument("job_id", type=int)
@pass_state
def cancel(state: State, job_id: int) -> None:
    """Cancel a job: no more labels are sent, and a Zebra's buffer is cleared (~JA)."""
    ctx = state.context()
    warning = printing.cancel(ctx, job_id)
    message(f"cancelled job {job_id}" + (f" ({warning})" if warning else ""))
