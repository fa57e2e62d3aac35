"""F2: receive tags by scanning the first and last tag of each roll, or every tag.

Scans are checked on the spot (a bad one rings the bell and changes nothing) and then
recorded, in order, by one background thread, so the scan field never waits. A receipt
recorded by mistake (the wrong roll) is taken back with Ctrl+Z and a reason, in the same
order as the scans around it.
"""

from __future__ import annotations

import queue
import textwrap
import time
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Log, Static
from textual.worker import Worker, get_current_worker

from station.domain import retail_id
from station.domain.errors import StationError
from station.domain.reads import Read, ReadSet
from station.domain.retail_id import RetailId
from station.domain.states import TagStatus
from station.domain.text import plural
from station.domain.uid import normalize, prefix_of
from station.services.metrc import retail_ids
from station.services.rfid import box as box_sorting
from station.services.rfid.box import Box
from station.services.tags import receipt, receipt_undo
from station.services.tags.orders import OrderSummary, list_orders
from station.ui import hints
from station.ui.reader_feed import BATCH_SECONDS, ReaderFeed
from station.ui.screens.base import StationScreen, footer, plain
from station.ui.widgets.scan_input import ScanInput


@dataclass(frozen=True)
class ReceiveOne:
    """A tag scanned on its own (every tag is scanned)."""

    uid: str


@dataclass(frozen=True)
class CheckFirst:
    """A roll's first tag, checked while the worker finds its last one."""

    uid: str


@dataclass(frozen=True)
class ReceiveRange:
    """A roll: its first and last tag scanned."""

    first: str
    last: str


@dataclass(frozen=True)
class ReceiveBox:
    """A box read by RFID, sorted: its ordered tags read, received on Ctrl+S."""

    box: Box


@dataclass(frozen=True)
class TakeBack:
    """The last receipt on this screen taken back, with the reason typed for it."""

    first: str
    last: str | None
    reason: str


# What the recording thread does next, in the order the scans and keys came.
Job = ReceiveOne | CheckFirst | ReceiveRange | ReceiveBox | TakeBack
# The orders' counts are refreshed once a burst of scans pauses this long, so counting a
# large order never competes with the scans themselves.
PROGRESS_DELAY = 1.0
# Strays of a box named in the log, one line each; past these, a count.
STRAYS_LOGGED = 20


class ReceiveScreen(StationScreen):
    AUTO_FOCUS = "#scan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "toggle_mode", "Mode", tooltip="Every tag / first+last", id="receive-mode"),
        Binding(
            "escape", "forget_first", "Forget first", tooltip="Forget first scan", id="forget-first"
        ),
        Binding(
            "ctrl+z", "take_back", "Take back", tooltip="Take back the last receipt", id="take-back"
        ),
        Binding(
            "f11",
            "associate",
            "Associate units",
            tooltip="Tell Metrc the scanned Retail ID units are in the package typed below",
            id="associate-units",
        ),
        Binding(
            "ctrl+r", "toggle_rfid", "RFID", tooltip="Receive a box by RFID", id="receive-rfid"
        ),
        # Named on the screen in RFID mode, where they do something.
        Binding("ctrl+s", "receive_box", "Receive box", id="receive-box", show=False),
        Binding("ctrl+l", "toggle_reader", "Reader", id="receive-reader", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.each = False
        self.first: str | None = None
        self.jobs: queue.Queue[Job] = queue.Queue()
        self.received = 0
        self.stale: set[int] = set()  # orders whose counts on screen are out of date
        self.refresh_timer: Timer | None = None
        # What this screen recorded, newest last: what Ctrl+Z takes back.
        self.recorded: list[tuple[str, str | None]] = []
        self.shown_mode: tuple[str, str] | None = None
        # Retail ID units scanned (their QR codes), for association with a package.
        self.units: dict[RetailId, str] = {}
        # A box read by RFID: its reads, how many of them the last sorting saw, the sorting.
        self.rfid = False
        self.box_reads = ReadSet()
        self.box: Box | None = None
        self.box_sorted = 0
        self.sorting = False
        self.strays_logged: set[str] = set()
        self.feed = ReaderFeed(self, self.say, self.fail, self._reader_stopped)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="mode", classes="title")
        yield ScanInput(id="scan")
        yield Static("", id="pending", classes="hint")
        # One row for the two fields seldom used, so the orders' rows keep the height.
        with Horizontal(classes="row"):
            yield Input(placeholder="Why take back (Ctrl+Z)", id="undo-reason")
            yield Input(
                placeholder="Package for units (F11)", id="unit-package", classes="uid takes-uid"
            )
        yield Static("Retail ID units: scan their QR codes", id="units", classes="hint")
        yield Log(id="log", max_lines=500)
        yield Static("Orders being received", classes="title")
        yield DataTable(id="progress", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#progress", DataTable).add_columns(
            "Order", "Type", "Ordered", "Received", "Expected", "Still missing (serials)"
        )
        self._show_mode()
        self.record_scans()
        self.set_interval(BATCH_SECONDS, self._take_incoming)

    def _show_mode(self) -> None:
        text = (
            "Receiving: scan EVERY tag (F10: first and last of each roll)"
            if self.each
            else "Receiving: scan the FIRST and LAST tag of each roll (F10: every tag)"
        )
        pending = (
            f"First tag {self.first}: now scan the last tag of this roll (Esc forgets it)"
            if self.first
            else ""
        )
        if self.rfid:
            reader = "Ctrl+L stops the reader" if self.feed.on else "Ctrl+L reads the reader"
            text = f"RFID box: read it ({reader}); Ctrl+S receives; Ctrl+R ends"
            pending = self._box_text()
        # Only what changed: a repaint of the screen for nothing would run on the event loop
        # while the recording thread writes the scan, and slow it.
        if (text, pending) != self.shown_mode:
            self.shown_mode = (text, pending)
            self.query_one("#mode", Static).update(text)
            self.query_one("#pending", Static).update(plain(pending))

    def action_toggle_mode(self) -> None:
        self.each, self.first = not self.each, None
        self._show_mode()

    def action_forget_first(self) -> None:
        self.first = None
        self._show_mode()

    @on(ScanInput.Scanned, "#scan")
    def typed(self, event: ScanInput.Scanned) -> None:
        self.take_scan(event.code)

    # -- a box read by RFID ---------------------------------------------------

    def action_toggle_rfid(self) -> None:
        self.rfid, self.first = not self.rfid, None
        self.box_reads, self.box, self.box_sorted = ReadSet(), None, 0
        self.strays_logged = set()
        if not self.rfid:
            self.feed.on = False
        self._show_mode()

    def action_toggle_reader(self) -> None:
        if not self.rfid:
            self.fail("Ctrl+R first: the reader reads a box in RFID mode")
            return
        self.feed.toggle(self.ctx.settings.rfid)
        self._show_mode()

    def _take_incoming(self) -> None:
        found = self.feed.take()
        if found and self.rfid:
            self._box_reads(found)

    def _reader_stopped(self) -> None:
        self._take_incoming()
        self._show_mode()

    def _box_reads(self, found: list[Read]) -> None:
        self.box_reads.extend(found)
        self._sort_box()

    def _sort_box(self) -> None:
        """The box sorted against the orders in a thread; reads that come meanwhile are
        sorted with the next pass."""
        if self.sorting:
            return
        self.sorting = True
        reads = ReadSet(dict(self.box_reads.by_epc), self.box_reads.reads)

        def failed(_: str) -> None:
            self.sorting = False

        self.call(
            lambda: box_sorting.sort_box(self.ctx, reads), self._box_done, "box", failed=failed
        )

    def _box_done(self, box: Box) -> None:
        self.sorting = False
        if not self.rfid:
            return
        self.box, self.box_sorted = box, box.reads
        new = [e for e in box.strays if (e.uid or e.epc or "") not in self.strays_logged]
        for entry in new:
            key = entry.uid or entry.epc or ""
            self.strays_logged.add(key)
            if len(self.strays_logged) <= STRAYS_LOGGED:
                self._log(f"STRAY {key}: {entry.reason}")
            elif len(self.strays_logged) == STRAYS_LOGGED + 1:
                self._log("... more strays: the box's line above counts them")
        if self.box_reads.reads != box.reads:
            self._sort_box()
        self._show_mode()

    def _box_text(self) -> str:
        box = self.box
        if box is None:
            return f"{plural(self.box_reads.reads, 'read')} so far" if self.box_reads.reads else ""
        orders = ", ".join(f"order {o.id}: {o.read:,} of {o.waiting:,}" for o in box.orders)
        parts = [f"{len(box.to_receive):,} to receive" + (f" ({orders})" if orders else "")]
        if box.already:
            parts.append(f"{len(box.already):,} here already")
        if box.strays:
            parts.append(f"{plural(len(box.strays), 'stray')}")
        return "Box: " + " · ".join(parts) + f" · {plural(box.reads, 'read')}"

    def action_receive_box(self) -> None:
        box = self.box
        if not self.rfid:
            self.fail("Ctrl+R first: Ctrl+S receives a box read by RFID")
            return
        if box is None or self.sorting or box.reads != self.box_reads.reads:
            self.fail("the reads are still being sorted: Ctrl+S again in a moment")
            return
        if not box.to_receive:
            self.fail(box_sorting.nothing_to_receive(box))
            return
        self.jobs.put(ReceiveBox(box))
        self.box_reads, self.box, self.box_sorted = ReadSet(), None, 0
        self.strays_logged = set()
        self._show_mode()

    def _box_received(self, result: receipt.ReceiveResult) -> None:
        self.received += result.received
        self.stale.update(result.order_ids)
        self._refresh_progress()
        skipped = ", ".join(f"{n} already {s}" for s, n in sorted(result.skipped.items()))
        self._log(
            f"received {plural(result.received, 'tag')} read by RFID"
            + (f" ({skipped})" if skipped else "")
        )

    def take_unit_scan(self, code: str) -> None:
        """A unit's QR scanned while receiving: kept for association with a package."""
        try:
            [(unit, url)] = retail_ids.read_units([code])
        except StationError as exc:
            self._refused(hints.message(exc))
            return
        again = " (scanned before)" if unit in self.units else ""
        self.units[unit] = url
        self._show_units(f"last: unit {unit.index:,} of {unit.tag}{again}")

    def _show_units(self, last: str = "") -> None:
        count = len(self.units)
        text = (
            f"{plural(count, 'Retail ID unit')} scanned; {last}; F11 associates them"
            if count
            else "Retail ID units: scan their QR codes"
        )
        self.query_one("#units", Static).update(plain(text))

    def action_associate(self) -> None:
        if not self.units:
            self.fail("scan the units' Retail ID QR codes first")
            return
        try:
            uid = normalize(self.query_one("#unit-package", Input).value)
        except StationError as exc:
            self.fail(f"the package for the units: {hints.message(exc)}")
            return
        units = list(self.units.items())

        def work() -> int:
            return retail_ids.for_package(
                self.ctx, uid, lambda client: retail_ids.associate(self.ctx, client, uid, units)
            )

        def done(count: int) -> None:
            for unit, _ in units:
                self.units.pop(unit, None)
            self.say(f"{plural(count, 'unit')} associated with {uid}")
            self._show_units()

        self.call(work, done)

    def take_scan(self, code: str) -> None:
        if self.rfid:
            # A handheld in keyboard mode: each EPC it sends is a read of the box.
            self._box_reads([Read(code, time.time(), "keyboard")])
            return
        # The units' package field asks for a package's UID: a scan there fills it.
        if not retail_id.is_unit_scan(code) and self.scan_into_field(code):
            return
        if retail_id.is_unit_scan(code):
            self.take_unit_scan(code)
            return
        try:
            uid = normalize(code)
        except StationError as exc:
            self._refused(hints.message(exc))
            return
        if self.each:
            self.jobs.put(ReceiveOne(uid))
        elif self.first is None:
            self.first = uid
            self.jobs.put(CheckFirst(uid))
        elif prefix_of(uid) != prefix_of(self.first):
            # Logged like every other refusal, not only a passing toast.
            self._refused(
                f"{uid} is not in the same roll as {self.first}; scan the roll's last tag"
            )
            return
        else:
            first, self.first = self.first, None
            self.jobs.put(ReceiveRange(min(first, uid), max(first, uid)))
        self._show_mode()

    @work(thread=True, group="scans", exit_on_error=False)
    def record_scans(self) -> None:
        """Record scans one after another, in the order they were made."""
        with self.ctx.bound():
            self._record_scans(get_current_worker())

    def _record_scans(self, worker: Worker[None]) -> None:
        while not worker.is_cancelled:
            try:
                job = self.jobs.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(job, TakeBack):
                self._take_back(job.first, job.last, job.reason)
                continue
            if isinstance(job, ReceiveBox):
                try:
                    done = box_sorting.receive_box(self.ctx, job.box, "the Receive screen")
                except StationError as exc:
                    self.app.call_from_thread(self._refused, hints.message(exc))
                    continue
                self.app.call_from_thread(self._box_received, done)
                continue
            if isinstance(job, CheckFirst):
                try:
                    receipt.check_first(self.ctx, job.uid)
                except StationError as exc:
                    self.app.call_from_thread(self._first_refused, job.uid, hints.message(exc))
                continue
            try:
                # Feedback first; the orders' counts follow (a count over the whole order).
                if isinstance(job, ReceiveOne):
                    first, last = job.uid, None
                    result = receipt.receive_uids(self.ctx, [job.uid], progress=False)
                else:
                    first, last = job.first, job.last
                    result = receipt.receive_range(self.ctx, first, last, progress=False)
            except StationError as exc:
                self.app.call_from_thread(self._refused, hints.message(exc))
                continue
            self.app.call_from_thread(self._recorded, first, last, result)

    def action_take_back(self) -> None:
        field = self.query_one("#undo-reason", Input)
        if not self.recorded:
            self.fail("nothing received on this screen to take back")
            return
        if not field.value.strip():
            self.fail("type the reason first: it goes into the audit trail")
            field.focus()
            return
        first, last = self.recorded.pop()
        self.jobs.put(TakeBack(first, last, field.value))
        field.value = ""

    def _take_back(self, first: str, last: str | None, reason: str) -> None:
        """In the recording thread, so it lands after the scans before it."""
        try:
            result = receipt_undo.unreceive_range(self.ctx, first, last, reason)
        except StationError as exc:
            self.app.call_from_thread(self.recorded.append, (first, last))
            self.app.call_from_thread(self._refused, hints.message(exc))
            return
        self.app.call_from_thread(self._taken_back, first, last, result.unreceived)

    def _taken_back(self, first: str, last: str | None, count: int) -> None:
        self.received -= count
        table = self.query_one("#progress", DataTable)
        self.stale.update(int(str(key.value)) for key in table.rows)
        self._refresh_progress()
        what = first if last is None or last == first else f"{first}..{last}"
        self._log(f"took back {plural(count, 'tag')} {what}")

    def _refresh_progress(self) -> None:
        """Counts and missing tags of the orders touched since last time, in their own
        thread: a count over a 100,000-tag order must not hold up the next scan."""
        self.refresh_timer = None
        wanted, self.stale = sorted(self.stale), set()
        if not wanted:
            return

        def work() -> tuple[list[OrderSummary], dict[int, list[str]]]:
            summaries = list_orders(self.ctx, wanted)
            return summaries, {order: receipt.missing(self.ctx, order) for order in wanted}

        self.call(work, lambda found: self._progress(*found), group="progress")

    def _first_refused(self, uid: str, message: str) -> None:
        """A first tag found on no order: forgotten (unless another roll was begun since),
        so the next scan starts a roll again."""
        if self.first == uid:
            self.first = None
            self._show_mode()
        self._refused(message)

    def _refused(self, message: str) -> None:
        self._log(f"REFUSED {message}")
        self.fail(message)

    def _log(self, text: str) -> None:
        """A line of the log, wrapped at the log's width (at 80 columns a refusal was cut
        mid-word), never inside a UID or a range; the lines after the first indented."""
        log = self.query_one("#log", Log)
        width = log.content_size.width - 1
        lines = (
            textwrap.wrap(text, width, subsequent_indent="  ", break_long_words=False)
            if width >= 30
            else [text]
        )
        log.write_lines(lines or [text])

    def _recorded(self, first: str, last: str | None, result: receipt.ReceiveResult) -> None:
        self.received += result.received
        if result.received:
            self.recorded.append((first, last))
        self.stale.update(result.order_ids)
        if self.refresh_timer is not None:
            self.refresh_timer.stop()
        self.refresh_timer = self.set_timer(PROGRESS_DELAY, self._refresh_progress)
        what = first if last is None or last == first else f"{first}..{last}"
        skipped = ", ".join(f"{n} already {s}" for s, n in sorted(result.skipped.items()))
        self._log(
            f"received {plural(result.received, 'tag')} {what}"
            + (f" ({skipped})" if skipped else "")
        )

    def _progress(self, orders: list[OrderSummary], missing: dict[int, list[str]]) -> None:
        table = self.query_one("#progress", DataTable)
        for order in orders:
            key = str(order.id)
            row = (
                key,
                order.type,
                order.order_date.isoformat(),
                f"{order.total - order.counts[TagStatus.ORDERED]:,}",
                f"{order.total:,}",
                plain(
                    f"{order.counts[TagStatus.ORDERED]:,}: " + ", ".join(missing.get(order.id, []))
                    if order.counts[TagStatus.ORDERED]
                    else "nothing: complete"
                ),
            )
            if key in table.rows:
                for column, value in zip(table.columns, row, strict=True):
                    table.update_cell(key, column, value)
            else:
                table.add_row(*row, key=key)
