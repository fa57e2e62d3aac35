"""Ctrl+O: count a room's tags by RFID against the records (the 30-day reconciliation).

Reads come as scans (a handheld in keyboard mode: an EPC and Enter each) or from the reader
``STATION_RFID`` names (Ctrl+L starts and stops it). Each read is sorted at once against
the tags the records put in the room, so the missing list shrinks and strays show as they
are read; every half second the reads go into the count in the database and the report
comes back from it, with the reasons and what other stations read into the same count.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, ProgressBar, Static

from station.domain.reads import Read, ReadSet, classify
from station.domain.text import plural
from station.services.rfid import counts
from station.services.rfid.counts import CountReport, Live
from station.ui.reader_feed import BATCH_SECONDS, ReaderFeed
from station.ui.screens.base import StationScreen, cell, footer, plain

# How often the reads go into the count and its report is read back (seconds).
STORE_EVERY = 0.5
# Rows the missing list shows; the report has them all.
MISSING_SHOWN = 2000


class CountScreen(StationScreen):
    AUTO_FOCUS = "#count-room"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "start", "Start", tooltip="Start or resume the count", id="count-start"),
        Binding(
            "ctrl+l",
            "toggle_reader",
            "Reader",
            tooltip="Read the reader (on/off)",
            id="count-reader",
        ),
        Binding("f12", "finish", "Finish", tooltip="Finish: the reconciliation", id="count-finish"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.live: Live | None = None
        self.seen: set[str] = set()
        self.others: dict[str, str] = {}
        self.pending = ReadSet()
        self.reads = 0
        self.storing = False
        self.finish_asked = False
        self.feed = ReaderFeed(self, self.say, self.fail, self._reader_stopped)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="count-title", classes="title")
        with Horizontal(classes="row"):
            yield Input(placeholder="Room (empty: all)", id="count-room")
            yield Input(placeholder="License (if several)", id="count-license")
        yield ProgressBar(id="count-bar", show_eta=False)
        yield Static("", id="count-numbers")
        yield Static("", id="count-last", classes="hint")
        with Horizontal(id="count-lists"):
            with Vertical(id="count-missing-box"):
                yield Static("Missing", classes="title")
                yield DataTable(id="count-missing", cursor_type="row")
            with Vertical():
                yield Static("Strays and wrong room", classes="title")
                yield DataTable(id="count-strays", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#count-missing", DataTable).add_column("UID", key="uid")
        strays = self.query_one("#count-strays", DataTable)
        strays.add_column("UID or EPC", key="what")
        strays.add_column("Why", key="why")
        self._show()
        self.set_interval(STORE_EVERY, self._store)
        self.set_interval(BATCH_SECONDS, self._take_incoming)

    # -- starting -----------------------------------------------------------

    def action_start(self) -> None:
        room = self.typed_value("count-room")
        license_number = self.typed_value("count-license")
        self.call(
            lambda: counts.open_count(self.ctx, license_number, room),
            lambda found: self._opened(*found),
        )

    def _opened(self, live: Live, resumed: bool) -> None:
        self.live = live
        self.seen, self.others, self.pending, self.reads = set(), {}, ReadSet(), 0
        self.finish_asked = False
        missing = self.query_one("#count-missing", DataTable)
        missing.clear()
        for uid in sorted(live.expected)[:MISSING_SHOWN]:
            missing.add_row(uid, key=uid)
        self.query_one("#count-strays", DataTable).clear()
        self.query_one("#count-bar", ProgressBar).update(
            total=max(len(live.expected), 1), progress=0
        )
        self.say(f"{'Resumed' if resumed else 'Started'} count {live.count.id}: read the tags")
        self._store(force=True)  # what was read into it before (another station, a crash)
        self._show()

    # -- reads --------------------------------------------------------------

    def take_scan(self, code: str) -> None:
        """A handheld in keyboard mode: each EPC it sends is a read."""
        if self.live is None:
            if self.scan_into_field(code):
                return
            self.fail("start the count first: type the room and press F10")
            return
        self.take_reads([Read(code, time.time(), "keyboard")])

    def take_reads(self, found: list[Read]) -> None:
        live = self.live
        if live is None:
            return
        missing = self.query_one("#count-missing", DataTable)
        strays = self.query_one("#count-strays", DataTable)
        last = ""
        for read in found:
            self.reads += 1
            self.pending.add(read)
            kind = classify(read.raw, live.pairs)
            if kind.uid is not None and kind.uid in live.expected:
                if kind.uid not in self.seen:
                    self.seen.add(kind.uid)
                    if kind.uid in missing.rows:
                        missing.remove_row(kind.uid)
                last = f"read {kind.uid}: expected here"
                continue
            key = kind.uid or kind.epc or read.raw.strip()[:40]
            if key not in self.others:
                self.others[key] = kind.reason or "not expected here (checking)"
                strays.add_row(cell(key, 28), plain(self.others[key]), key=key)
            last = f"STRAY {key}: {self.others[key]}"
        if last:
            self.query_one("#count-last", Static).update(plain(last))
        self._show()

    def action_toggle_reader(self) -> None:
        if self.live is None and not self.feed.on:
            self.fail("start the count first: type the room and press F10")
            return
        self.feed.toggle(self.ctx.settings.rfid)
        self._show()

    def _take_incoming(self) -> None:
        found = self.feed.take()
        if found:
            self.take_reads(found)

    def _reader_stopped(self) -> None:
        self._take_incoming()
        self._show()

    # -- into the database, and the report back -------------------------------

    def _store(self, force: bool = False) -> None:
        live = self.live
        if live is None or self.storing or (not self.pending.reads and not force):
            return
        batch, self.pending = self.pending, ReadSet()
        self.storing = True
        count_id = live.count.id

        def work() -> CountReport:
            if batch.reads:
                counts.add_reads(self.ctx, count_id, batch, "terminal")
            return counts.report(self.ctx, count_id)

        def failed(_: str) -> None:
            self.storing = False

        self.call(work, self._reported, group="count-store", failed=failed)

    def _reported(self, found: CountReport) -> None:
        self.storing = False
        if self.live is None or found.count.id != self.live.count.id:
            return
        missing = self.query_one("#count-missing", DataTable)
        # Reads other stations added to the count (and a crashed session's) count here too.
        for entry in found.seen:
            if entry.uid is not None and entry.uid not in self.seen:
                self.seen.add(entry.uid)
                if entry.uid in missing.rows:
                    missing.remove_row(entry.uid)
        strays = self.query_one("#count-strays", DataTable)
        for entry in found.strays + found.wrong_room:
            key = entry.uid or entry.epc or ""
            if key in self.others:
                if self.others[key] != entry.reason:
                    self.others[key] = entry.reason
                    strays.update_cell(key, "why", plain(entry.reason))
            else:
                self.others[key] = entry.reason
                strays.add_row(cell(key, 28), plain(entry.reason), key=key)
        self._show()

    # -- finishing ----------------------------------------------------------

    def action_finish(self) -> None:
        live = self.live
        if live is None:
            self.fail("no count is open here: type the room and press F10")
            return
        missing = len(live.expected) - len(self.seen)
        if missing and not self.finish_asked:
            self.finish_asked = True
            self.fail(f"{plural(missing, 'tag')} not read yet: F12 again finishes anyway")
            return
        self.feed.on = False
        self._store()
        count_id = live.count.id
        self.call(lambda: counts.finish(self.ctx, count_id), self._finished)

    def _finished(self, found: CountReport) -> None:
        c = found.counts()
        variance = (
            "no variance (none expected)"
            if found.variance is None
            else f"variance {found.variance:g}%"
        )
        flagged = " FLAGGED (5% or more)" if found.flagged else ""
        text = (
            f"Count {found.count.id} finished: {c['seen']:,} of {c['expected']:,} seen, "
            f"{c['missing']:,} missing, {c['strays']:,} strays, {c['wrong_room']:,} in the "
            f"wrong room; {variance}{flagged}. Recorded as the reconciliation."
        )
        self.live = None
        self.query_one("#count-last", Static).update(plain(text))
        self.say(f"Count {found.count.id} finished")
        self._show()

    # -- what the screen says --------------------------------------------------

    def _show(self) -> None:
        live = self.live
        title = self.query_one("#count-title", Static)
        numbers = self.query_one("#count-numbers", Static)
        if live is None:
            title.update("No count open: type the room (empty: all), F10 starts or resumes")
            numbers.update("")
            return
        reader = " · reader ON (Ctrl+L stops)" if self.feed.on else ""
        title.update(plain(f"Count {live.count.id}: {live.count.where}{reader}"))
        expected = len(live.expected)
        seen = len(self.seen)
        self.query_one("#count-bar", ProgressBar).update(progress=seen)
        numbers.update(
            plain(
                f"Seen {seen:,} of {expected:,} · missing {expected - seen:,} · strays and "
                f"wrong room {len(self.others):,} · {plural(self.reads, 'read')}"
            )
        )
