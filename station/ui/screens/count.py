"""Ctrl+O: count a room's tags by RFID against the records (the 30-day reconciliation).

Reads come as scans (a handheld in keyboard mode: an EPC and Enter each) or from the reader
``STATION_RFID`` names (Ctrl+L starts and stops it). Each read is sorted at once against
the tags the records put in the room, so the missing list shrinks and strays show as they
are read; every second the reads go into the count in the database, and what reached
the count since comes back (the reasons, and what other stations read into it): only the
news, so a 10,000-tag room is not recounted twice a second.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, ProgressBar, Static

from station.domain.reads import Read, ReadSet, classify
from station.domain.text import plural
from station.services.rfid import counts
from station.services.rfid.counts import CountReport, Live, News
from station.ui.reader_feed import BATCH_SECONDS, ReaderFeed
from station.ui.screens.base import StationScreen, cell, footer, plain

# How often the reads go into the count and what reached it is read back (seconds): at
# a thousand reads a second, every half second held the keys up by a tenth more.
STORE_EVERY = 1.0
# UIDs the missing list shows at once, the first not read yet (the report lists them all).
MISSING_SHOWN = 200
# How often the missing list and the counts are drawn again when reads came (seconds): at a
# thousand reads a second, drawing them for every batch would crowd out the keys.
REDRAW_EVERY = 0.2


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
        self.last_id = 0  # the last read row of the count this screen has sorted
        # The expected tags in order, and how many at its start are all read (the missing
        # list starts after them).
        self.in_order: list[str] = []
        self.read_up_to = 0
        self.dirty = False
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
                with VerticalScroll():
                    yield Static("", id="count-missing")
            with Vertical():
                yield Static("Strays and wrong room", classes="title")
                yield DataTable(id="count-strays", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        strays = self.query_one("#count-strays", DataTable)
        strays.add_column("UID or EPC", key="what")
        strays.add_column("Why", key="why")
        self._show()
        self.set_interval(STORE_EVERY, self._store)
        self.set_interval(BATCH_SECONDS, self._take_incoming)
        self.set_interval(REDRAW_EVERY, self._redraw)

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
        self.finish_asked, self.last_id = False, 0
        self.in_order, self.read_up_to = sorted(live.expected), 0
        self.query_one("#count-strays", DataTable).clear()
        self.query_one("#count-bar", ProgressBar).update(
            total=max(len(live.expected), 1), progress=0
        )
        self.say(f"{'Resumed' if resumed else 'Started'} count {live.count.id}: read the tags")
        self._store(force=True)  # what was read into it before (another station, a crash)
        self.dirty = True
        self._redraw()

    def missing_shown(self) -> list[str]:
        """The first :data:`MISSING_SHOWN` expected tags not read yet."""
        while self.read_up_to < len(self.in_order) and self.in_order[self.read_up_to] in self.seen:
            self.read_up_to += 1
        shown: list[str] = []
        for uid in self.in_order[self.read_up_to :]:
            if uid not in self.seen:
                shown.append(uid)
                if len(shown) == MISSING_SHOWN:
                    break
        return shown

    def _redraw(self) -> None:
        """The missing list and the counts, when reads came since they were drawn."""
        if not self.dirty:
            return
        self.dirty = False
        shown = self.missing_shown()
        more = len(self.in_order) - len(self.seen) - len(shown) if self.live else 0
        tail = [f"... and {more:,} more"] if more > 0 else []
        if self.live is not None and not shown:
            tail = ["none: every tag", "expected here is read"]
        self.query_one("#count-missing", Static).update(plain("\n".join(shown + tail)))
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
        self._redraw()  # a scan is shown at once; a reader's reads a few times a second

    def take_reads(self, found: list[Read]) -> None:
        live = self.live
        if live is None:
            return
        strays = self.query_one("#count-strays", DataTable)
        last = ""
        for read in found:
            self.reads += 1
            self.pending.add(read)
            kind = classify(read.raw, live.pairs)
            if kind.uid is not None and kind.uid in live.expected:
                self.seen.add(kind.uid)
                last = f"read {kind.uid}: expected here"
                continue
            key = kind.uid or kind.epc or read.raw.strip()[:40]
            if key not in self.others:
                self.others[key] = kind.reason or "not expected here (checking)"
                strays.add_row(cell(key, 28), plain(self.others[key]), key=key)
            last = f"STRAY {key}: {self.others[key]}"
        if last:
            self.query_one("#count-last", Static).update(plain(last))
        self.dirty = True

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
        after = self.last_id

        def work() -> News:
            if batch.reads:
                counts.add_reads(self.ctx, live.count.id, batch, "terminal")
            return counts.news(self.ctx, live, after)

        def failed(_: str) -> None:
            self.storing = False

        self.call(work, lambda found: self._news(live, found), group="count-store", failed=failed)

    def _news(self, live: Live, found: News) -> None:
        """What reached the count since last time, this station's reads and others'."""
        self.storing = False
        if self.live is not live:
            return
        self.last_id = found.last_id
        self.seen.update(found.seen)
        self.dirty = True
        strays = self.query_one("#count-strays", DataTable)
        for key, reason in found.others.items():
            if key in self.others:
                if self.others[key] != reason:
                    self.others[key] = reason
                    strays.update_cell(key, "why", plain(reason))
            else:
                self.others[key] = reason
                strays.add_row(cell(key, 28), plain(reason), key=key)

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
        bar = self.query_one("#count-bar", ProgressBar)
        bar.display = live is not None  # with no total it would spin, saying nothing
        if live is None:
            title.update("No count open: type the room (empty: all), F10 starts or resumes")
            numbers.update("")
            return
        reader = " · reader ON (Ctrl+L stops)" if self.feed.on else ""
        title.update(plain(f"Count {live.count.id}: {live.count.where}{reader}"))
        expected = len(live.expected)
        seen = len(self.seen)
        bar.update(progress=seen)
        numbers.update(
            plain(
                f"Seen {seen:,} of {expected:,} · missing {expected - seen:,} · strays and "
                f"wrong room {len(self.others):,} · {plural(self.reads, 'read')}"
            )
        )
