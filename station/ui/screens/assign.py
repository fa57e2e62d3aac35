"""F3: assign received tags to packages or plants, see exactly which tags a batch will take
before confirming, and print the labels right away or later."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Header, Input, ProgressBar, Select, Static

from station.domain.errors import StationError
from station.domain.states import JobState, TagType
from station.domain.text import plural
from station.domain.uid import normalize, runs
from station.services import printing
from station.services.printing import JobRunner, Outcome, labels, templates
from station.services.tags import assignment
from station.services.tags.assignment_details import (
    GROWTH_PHASES,
    Details,
    package_details,
    plant_details,
)
from station.ui import hints
from station.ui.screens.base import StationScreen, footer, plain
from station.ui.widgets.scan_input import ScanInput


class AssignScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "preview", "Preview", id="assign-preview"),
        Binding("f12", "assign", "Assign", id="assign-confirm"),
        Binding("ctrl+l", "clear_scans", "Clear scans", id="assign-clear"),
        Binding(
            "ctrl+b",
            "print_batch",
            "Print batch",
            tooltip="Print the labels of the batch just assigned, on the chosen printer",
            id="assign-print",
        ),
        Binding(
            "f11",
            "unit_labels",
            "Unit labels",
            tooltip="Retail ID codes and labels for the first package just assigned",
            id="assign-units",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.scanned: list[str] = []
        self.previewed: tuple[object, ...] | None = None
        # The first package of the last package batch assigned here (F11: its units).
        self.last_package: str | None = None
        # The last batch assigned here and its tags, until its labels are queued (Ctrl+B).
        self.unprinted: tuple[int, list[str]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # The fields scroll; the preview below stays in sight, whole (at 80x24 only its
        # first line showed under the fields).
        with VerticalScroll(id="form"):
            with Horizontal(classes="row"):
                yield Select(
                    [("Packages", TagType.PACKAGE), ("Plants", TagType.PLANT)],
                    value=TagType.PACKAGE,
                    allow_blank=False,
                    id="kind",
                )
                yield Input(placeholder="How many tags", id="count", restrict=r"[0-9]*")
                yield Input(placeholder="License (if several)", id="license")
            with Vertical(id="package-fields"):
                with Horizontal(classes="row"):
                    yield Input(placeholder="Item name", id="item")
                    yield Input(placeholder="Quantity", id="quantity")
                    yield Input(placeholder="Unit (Grams, Each...)", id="unit")
                with Horizontal(classes="row"):
                    yield Input(placeholder="Production batch (optional)", id="batch")
                    yield Input(placeholder="Packaged on (today)", id="date")
                with Horizontal(classes="row"):
                    yield Input(placeholder="Location (optional)", id="package-location")
                    yield Input(
                        placeholder="Plant batch (clones)",
                        id="package-plant-batch",
                    )
            with Vertical(id="plant-fields"), Horizontal(classes="row"):
                yield Input(placeholder="Strain", id="strain")
                yield Input(placeholder="Location (optional)", id="location")
                yield Select([(p, p) for p in GROWTH_PHASES], prompt="Growth phase", id="phase")
                yield Input(placeholder="Plant batch (optional)", id="plant-batch")
            yield ScanInput(placeholder="Or scan the exact tags to assign", id="scan")
            yield Static("", id="scans", classes="hint")
            with Horizontal(classes="row"):
                yield Checkbox(_print_now_label(False), value=False, id="print-now")
                yield Select([], prompt="printer", id="printer")
                yield Select([], prompt="its template", id="template")
        yield Static(
            "F10 shows the tags the batch will take; F12 assigns them.",
            id="preview",
            classes="panel",
        )
        yield ProgressBar(id="progress", show_eta=False)
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#plant-fields").display = False
        self.query_one("#progress").display = False
        self.load_printers("#printer")
        self.call(lambda: templates.describe_all(self.ctx.folders), self._templates)

    def _templates(self, found: list[templates.TemplateInfo]) -> None:
        names = [(info.name, info.name) for info in found if not info.problem]
        self.query_one("#template", Select).set_options(names)

    @on(Checkbox.Changed, "#print-now")
    def print_now_changed(self, event: Checkbox.Changed) -> None:
        # The box's tick shows only by colour; its words say the state too.
        event.checkbox.label = _print_now_label(event.value)

    @on(Select.Changed, "#kind")
    def kind_changed(self, event: Select.Changed) -> None:
        plant = event.value == TagType.PLANT
        self.query_one("#package-fields").display = not plant
        self.query_one("#plant-fields").display = plant
        self._stale()

    @on(Input.Changed)
    def inputs_changed(self) -> None:
        self._stale()

    def _stale(self) -> None:
        """A confirmation only holds for what was previewed: after any change the preview
        says so, rather than still offering F12."""
        if self.previewed is not None:
            self.query_one("#preview", Static).update(
                "Changed since the preview: F10 shows the tags the batch will take now."
            )
        self.previewed = None

    @on(ScanInput.Scanned, "#scan")
    def typed(self, event: ScanInput.Scanned) -> None:
        self.take_scan(event.code)

    def take_scan(self, code: str) -> None:
        try:
            uid = normalize(code)
        except StationError as exc:
            self.fail(hints.message(exc))
            return
        if uid in self.scanned:
            self.fail(f"{uid} is already in this batch")
            return
        self.scanned.append(uid)
        self._stale()
        shown = ", ".join(str(run) for run in runs(self.scanned))
        self.query_one("#scans", Static).update(plain(f"{len(self.scanned)} scanned: {shown}"))

    def action_clear_scans(self) -> None:
        self.scanned = []
        self._stale()
        self.query_one("#scans", Static).update("")

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def _details(self) -> Details:
        if self.query_one("#kind", Select).value == TagType.PLANT:
            phase = self.query_one("#phase", Select).value
            return plant_details(
                self._value("strain"),
                self._value("location"),
                phase if isinstance(phase, str) else None,
                self._value("plant-batch"),
            )
        return package_details(
            self.ctx.today(),
            self._value("item"),
            self._value("quantity"),
            self._value("unit"),
            self._value("batch"),
            self._value("date"),
            self._value("package-location"),
            self._value("package-plant-batch"),
        )

    def _request(self) -> tuple[Details, int | None, str | None]:
        details = self._details()
        count_text = self._value("count")
        license_number = self._value("license").strip() or None
        if self.scanned:
            return details, None, license_number
        if not count_text:
            raise StationError("give how many tags, or scan the exact tags")
        return details, int(count_text), license_number

    def action_preview(self) -> None:
        try:
            details, count, license_number = self._request()
        except StationError as exc:
            self.fail(hints.message(exc))
            return
        key = (details, count, license_number, tuple(self.scanned))
        if count is None:
            uids = sorted(self.scanned)
            self._previewed(key, uids, False)
            return
        self.call(
            lambda: assignment.preview_next(self.ctx, details.kind, count, license_number),
            lambda result: self._previewed(key, result[1], result[2]),
        )

    def _previewed(self, key: tuple[object, ...], uids: list[str], contiguous: bool) -> None:
        self.previewed = key
        shape = "one contiguous run" if contiguous else "as listed"
        shown = ", ".join(str(run) for run in runs(uids)[:6])
        self.query_one("#preview", Static).update(
            plain(f"Will take {plural(len(uids), 'tag')} ({shape}): {shown}. F12 to assign.")
        )

    def action_assign(self) -> None:
        try:
            details, count, license_number = self._request()
        except StationError as exc:
            self.fail(hints.message(exc))
            return
        if self.previewed != (details, count, license_number, tuple(self.scanned)):
            self.fail("preview the batch first (F10), then confirm with F12")
            return
        scanned = list(self.scanned)
        print_now = self.query_one("#print-now", Checkbox).value
        printer = self.query_one("#printer", Select).value
        template = self.query_one("#template", Select).value
        template_name = template if isinstance(template, str) else None

        def work() -> tuple[assignment.AssignResult, int | None]:
            if print_now:
                # Checked before anything is assigned: a printer or template that cannot
                # print these labels must not leave a batch assigned and unprinted.
                if not isinstance(printer, str):
                    raise StationError("choose the printer, or untick 'Print right away'")
                chosen = printing.print_target(self.ctx, printer, template_name)[1]
                labels.refuse_cut_details(chosen, details)
                if chosen.tag_type not in (None, details.kind):
                    raise StationError(
                        f"template {chosen.name} is for {chosen.tag_type} tags, not "
                        f"{details.kind} tags: choose another template"
                    )
            if scanned:
                result = assignment.assign_uids(self.ctx, details, scanned, license_number)
            else:
                assert count is not None
                result = assignment.assign_next(self.ctx, details, count, license_number)
            job_id = None
            if print_now and isinstance(printer, str):
                # Queued with the assignment, sent by its own worker (_print): the batch's
                # result shows at once, and the print queue sees the job while it prints.
                wanted = printing.TagLabels(result.uids, printer, template_name)
                job_id = printing.queue(self.ctx, wanted).job_id
            return result, job_id

        self.call(work, self._assigned)

    async def action_unit_labels(self) -> None:
        """The Retail ID screen, on the first package of the batch just assigned."""
        from station.ui.screens.retail import RetailIdScreen

        if self.last_package is None:
            self.fail("assign packages first: their units' labels come after")
            return
        uid = self.last_package
        await self.app.switch_mode("retailid")
        screen = self.app.screen
        if isinstance(screen, RetailIdScreen):
            screen.open_package(uid)

    def _assigned(self, outcome: tuple[assignment.AssignResult, int | None]) -> None:
        result, job_id = outcome
        if result.kind == TagType.PACKAGE and result.uids:
            self.last_package = result.uids[0]
        self.previewed = None
        self.action_clear_scans()
        shown = (
            f"Assigned {plural(len(result.uids), 'tag')} to batch {result.batch_id}: "
            + ", ".join(str(run) for run in runs(result.uids)[:6])
        )
        assigned = f"Batch {result.batch_id}: {plural(len(result.uids), 'tag')} assigned"
        if job_id is not None:
            self.unprinted = None
            self.query_one("#preview", Static).update(plain(shown))
            self.say(assigned)
            self._print(job_id)
            return
        # Said in words, where the result stays: a batch assigned believing the box ticked
        # must not pass for printed.
        self.unprinted = (result.batch_id, list(result.uids))
        nothing = "no labels printed (Print right away was off): Ctrl+B prints them"
        self.query_one("#preview", Static).update(plain(f"{shown}\n{nothing}"))
        self.say(f"{assigned}; {nothing}")

    def action_print_batch(self) -> None:
        """Queue and print the labels of the batch just assigned without them."""
        if self.unprinted is None:
            self.fail("no batch assigned here waits for its labels")
            return
        printer = self.query_one("#printer", Select).value
        if not isinstance(printer, str):
            self.fail("choose the printer first")
            return
        template = self.query_one("#template", Select).value
        batch_id, uids = self.unprinted
        wanted = printing.TagLabels(uids, printer, template if isinstance(template, str) else None)

        def queued(job_id: int) -> None:
            self.unprinted = None
            self.say(f"Batch {batch_id}: {plural(len(uids), 'label')} queued as job {job_id}")
            self._print(job_id)

        self.call(lambda: printing.queue(self.ctx, wanted).job_id, queued)

    def _print(self, job_id: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        self.call(
            lambda: JobRunner(self.ctx, job_id, on_progress=progress).run(),
            self._printed,
            group="print",
        )

    def _printed(self, outcome: Outcome) -> None:
        if outcome.state == JobState.DONE:
            self.say(f"Job {outcome.job_id}: {plural(outcome.done, 'label')} printed")
        else:
            self.fail(f"Job {outcome.job_id} {outcome.state}: {outcome.reason} (see F4)")


def _print_now_label(on: bool) -> str:
    return "Print right away: YES, on" if on else "Print right away: no"
