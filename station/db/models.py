"""The station's tables as peewee models, bound late to whichever database is opened.

The schema itself is created and changed only by the numbered scripts in ``migrations/``.
The words kept in the state and kind columns are the enums of ``station.domain.states``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    Database,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DecimalField,
    Expression,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from station.domain.states import PRINTED_OR_MAYBE, ItemState


class ContextDatabase(DatabaseProxy):
    """The database the models use: the one bound in this thread (``binding``: the
    Context a command or a UI worker runs with), else the process's default, the database
    opened last. Several databases in one process (a restore's copy, a test running the
    command line beside the UI) so never cross: each thread's service calls use the
    database of their own Context."""

    def __setattr__(self, name: str, value: object) -> None:
        # peewee's Proxy allows only its own slots; this one keeps two more.
        object.__setattr__(self, name, value)

    def __init__(self) -> None:
        self._bound = threading.local()
        self._default: Database | None = None
        super().__init__()

    @property
    def obj(self) -> Database | None:
        found: Database | None = getattr(self._bound, "database", None)
        return found if found is not None else self._default

    @obj.setter
    def obj(self, database: Database | None) -> None:
        self._default = database

    @contextlib.contextmanager
    def binding(self, database: Database) -> Iterator[Database]:
        """``database`` for this thread's queries in the block (then what was before)."""
        before = getattr(self._bound, "database", None)
        self._bound.database = database
        try:
            yield database
        finally:
            self._bound.database = before


database_proxy = ContextDatabase()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Facility(BaseModel):
    """A licensed premises; its tags can never move to another facility."""

    id = AutoField()
    license_number = CharField(max_length=64, unique=True)
    name = CharField(max_length=200)
    created_at = DateTimeField()
    # The two-letter Metrc state whose rules and API host apply (station.states).
    state = CharField(max_length=2, default="CA")


class TagOrder(BaseModel):
    """One Metrc tag order of one type for one facility, made of one or more ranges."""

    id = AutoField()
    facility = ForeignKeyField(Facility, backref="orders", on_delete="RESTRICT")
    facility_id: int
    tag_type = CharField(max_length=8)  # TagType
    order_date = DateField()
    order_number = CharField(max_length=64, null=True)
    source = CharField(max_length=200)
    created_at = DateTimeField()
    created_by = CharField(max_length=100)


class OrderRange(BaseModel):
    id = AutoField()
    order = ForeignKeyField(TagOrder, backref="ranges", on_delete="RESTRICT")
    order_id: int
    first_uid = CharField(max_length=24)
    last_uid = CharField(max_length=24)
    quantity = IntegerField()


class Assignment(BaseModel):
    """Tags assigned together in one batch, with the package or plant details they share."""

    id = AutoField()
    facility = ForeignKeyField(Facility, backref="assignments", on_delete="RESTRICT")
    facility_id: int
    kind = CharField(max_length=8)  # TagType
    created_at = DateTimeField()
    created_by = CharField(max_length=100)
    item = CharField(max_length=200, null=True)
    quantity = DecimalField(max_digits=14, decimal_places=4, null=True)
    unit = CharField(max_length=40, null=True)
    production_batch = CharField(max_length=100, null=True)
    packaged_date = DateField(null=True)
    strain = CharField(max_length=200, null=True)
    location = CharField(max_length=200, null=True)
    growth_phase = CharField(max_length=40, null=True)
    # Metrc's plant batch: the batch these plant tags go to, or the immature plants these
    # package tags pack.
    plant_batch = CharField(max_length=200, null=True)


class Tag(BaseModel):
    """One UID tag. ``serial`` is the decimal tail, or NULL when the tail is not decimal."""

    id = AutoField()
    uid = CharField(max_length=24, unique=True)
    serial = IntegerField(null=True)
    tag_type = CharField(max_length=8)  # TagType
    status = CharField(max_length=8)  # TagStatus
    facility = ForeignKeyField(Facility, backref="tags", on_delete="RESTRICT", index=False)
    order = ForeignKeyField(TagOrder, backref="tags", on_delete="RESTRICT", index=False)
    received_at = DateTimeField(null=True)
    assignment = ForeignKeyField(
        Assignment, backref="tags", null=True, on_delete="RESTRICT", index=False
    )
    # The raw foreign-key values peewee exposes beside each relation (no extra query).
    facility_id: int
    order_id: int
    assignment_id: int | None
    used_at = DateTimeField(null=True)
    voided_at = DateTimeField(null=True)
    void_reason = TextField(null=True)


class TagTally(BaseModel):
    """How many of an order's tags are in each state, kept by the services in the same
    transaction as every change to the tags: the first screen and the order list read a few
    rows here instead of counting a million tags. ``station check`` compares it with a full
    count."""

    order = ForeignKeyField(TagOrder, on_delete="RESTRICT", index=False)
    order_id: int
    status = CharField(max_length=8)  # TagStatus
    tags = IntegerField()

    class Meta:
        primary_key = CompositeKey("order", "status")


class AuditEvent(BaseModel):
    """An append-only record of one change: who, when, what (triggers refuse edits), chained
    to the event before it by hash (``station.domain.chain``)."""

    id = AutoField()
    at = DateTimeField(index=True)
    operator = CharField(max_length=100)
    # The supervisor who approved an operator's action; None when no one had to.
    approved_by = CharField(max_length=100, null=True)
    action = CharField(max_length=40)
    summary = TextField()
    details = TextField()
    tag_count = IntegerField()
    prev_hash = CharField(max_length=64, null=True)
    hash = CharField(max_length=64, null=True, unique=True)
    # The chain key the hash was made with (HMAC-SHA256); None: plain SHA-256 (older events).
    key_id = CharField(max_length=16, null=True)


class AuditUid(BaseModel):
    """Which tags an audit event touched, by UID text rather than a link to the tag row: an
    order recorded in error is deleted with its tags, and their history stays. Keyed
    UID-first so a tag's history is one seek."""

    uid = CharField(max_length=24)
    # Indexed with the UID (event_id, uid), so an event's UIDs come in order from the index.
    event = ForeignKeyField(AuditEvent, backref="uid_links", on_delete="RESTRICT", index=False)
    event_id: int

    class Meta:
        primary_key = CompositeKey("uid", "event")
        indexes = ((("event", "uid"), False),)


class Printer(BaseModel):
    """A label printer: its language, its connection URL and its default template."""

    id = AutoField()
    name = CharField(max_length=40, unique=True)
    driver = CharField(max_length=8)
    connection = CharField(max_length=500)
    dpi = IntegerField()
    template = CharField(max_length=100)
    created_at = DateTimeField()
    # station print without --printer uses it; at most one is (a unique partial index).
    is_default = BooleanField(default=False)
    # A scan-back check showed it serializes Retail ID runs, on this connection, at that time
    # (station.services.printing.run_check); until then its unit labels go one by one.
    runs_verified_at = DateTimeField(null=True)
    runs_verified_connection = CharField(max_length=500, null=True)


class PrintJob(BaseModel):
    """Labels for one printer, printed in order; the printer is copied in, so removing or
    changing it later does not change what a job was."""

    id = AutoField()
    printer = CharField(max_length=40)
    driver = CharField(max_length=8)
    connection = CharField(max_length=500)
    template = CharField(max_length=100)
    template_version = CharField(max_length=40)
    state = CharField(max_length=12)  # JobState
    pause_reason = TextField(null=True)
    reprint_reason = TextField(null=True)
    reverse = BooleanField(default=False)
    created_at = DateTimeField()
    created_by = CharField(max_length=100)
    # Which station process is printing it ("station:pid"), when it last said so, and until
    # when it holds the job: past ``lease_until`` the job counts as interrupted and another
    # station may resume it.
    owner = CharField(max_length=200, null=True)
    heartbeat_at = DateTimeField(null=True)
    lease_until = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)


class PrintItem(BaseModel):
    """One label: a tag and which copy. ``sent`` is written before the bytes go out, so a
    crash leaves it visibly uncertain rather than silently lost or printed twice."""

    id = AutoField()
    job = ForeignKeyField(PrintJob, backref="items", on_delete="RESTRICT", index=False)
    position = IntegerField()
    tag = ForeignKeyField(Tag, on_delete="RESTRICT", index=False)
    copy = IntegerField()
    # A Retail ID label: the unit of the tag's package it is for (None: a tag label).
    unit = BigIntegerField(null=True)
    state = CharField(max_length=10)  # ItemState
    sent_at = DateTimeField(null=True)
    done_at = DateTimeField(null=True)
    job_id: int
    tag_id: int

    @classmethod
    def counts_as_printed(cls) -> Expression:
        """Labels that printed or may have, so that another is a reprint. A label skipped
        after it was sent counts (the operator resolved it as uncertain with "skip", judging
        it printed); one skipped before it was sent (a cancelled job) does not."""
        skipped_after_sent = (cls.state == ItemState.SKIPPED) & cls.sent_at.is_null(False)
        expression: Expression = cls.state.in_(PRINTED_OR_MAYBE) | skipped_after_sent
        return expression

    @classmethod
    def claims_label(cls) -> Expression:
        """Labels that printed, may have, or are queued to print: a new job for their tag
        (or unit) is a reprint. Checked and claimed in one transaction with the tag's row
        held, so parallel jobs cannot both take the same first label."""
        expression: Expression = cls.counts_as_printed() | (cls.state == ItemState.PENDING)
        return expression


class TagReplacement(BaseModel):
    """A plant tag that replaced another on the same plant (a damaged or lost tag)."""

    id = AutoField()
    old_tag = ForeignKeyField(Tag, on_delete="RESTRICT", unique=True)
    new_tag = ForeignKeyField(Tag, on_delete="RESTRICT", unique=True)
    assignment = ForeignKeyField(Assignment, on_delete="RESTRICT")
    replaced_on = DateField()
    created_at = DateTimeField()
    created_by = CharField(max_length=100)
    old_tag_id: int
    new_tag_id: int
    assignment_id: int


class MetrcObject(BaseModel):
    """One object pushed to Metrc (a package, or a run of plant tags), keyed by its first tag.

    ``sending`` is written before the call: after a crash the object is checked in Metrc
    before it is sent again. Accepted objects are never sent again.
    """

    id = AutoField()
    assignment = ForeignKeyField(Assignment, on_delete="RESTRICT")
    endpoint = CharField(max_length=100)
    key_uid = CharField(max_length=24)
    count = IntegerField()
    state = CharField(max_length=10)  # MetrcObjectState
    answer = TextField(null=True)
    sent_at = DateTimeField(null=True)
    answered_at = DateTimeField(null=True)
    assignment_id: int

    class Meta:
        indexes = ((("endpoint", "key_uid"), True),)


class BackupRun(BaseModel):
    """A backup the station wrote, or tried to. A daily one claims its day first
    (``claim`` is unique), so of several stations starting that morning one writes it."""

    id = AutoField()
    kind = CharField(max_length=8)  # BackupKind
    claim = CharField(max_length=40, null=True, unique=True)
    station = CharField(max_length=200)
    started_at = DateTimeField()
    finished_at = DateTimeField(null=True)
    path = TextField(null=True)
    bytes = BigIntegerField(null=True)
    error = TextField(null=True)


class Reconciliation(BaseModel):
    """One comparison of a facility's tags of one type with Metrc's (``metrc reconcile`` or
    ``pull``): California asks for one at least every 30 days."""

    id = AutoField()
    facility = ForeignKeyField(Facility, on_delete="RESTRICT")
    facility_id: int
    tag_type = CharField(max_length=8)  # TagType
    at = DateTimeField()
    operator = CharField(max_length=100)
    differences = IntegerField()


class Operator(BaseModel):
    """A person who works the station, with a role (``station.domain.states.Role``). The PIN
    is kept only as a scrypt hash and the badge only as a digest of its code; neither code
    is ever stored or shown."""

    id = AutoField()
    name = CharField(max_length=100, unique=True)
    role = CharField(max_length=16)  # Role
    pin_hash = CharField(max_length=200)
    badge_digest = CharField(max_length=64, null=True, unique=True)
    enabled = BooleanField(default=True)
    # No longer counted here (PinCheck counts every check); kept for older stations' rows.
    failed_pins = IntegerField(default=0)
    # Set by the fifth wrong PIN in five minutes: sign-in refused until then.
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField()
    created_by = CharField(max_length=100)


class PinCheck(BaseModel):
    """One PIN check, written before the PIN is compared: a sign-in as ``name`` (``asked_by``
    None), or an approval ``asked_by`` an operator naming ``name`` as the supervisor. A right
    PIN removes its row; wrong ones stay for five minutes, and five of them stop more checks
    (``station.services.people.operators``)."""

    id = AutoField()
    name = CharField(max_length=100)
    asked_by = CharField(max_length=100, null=True)
    at = DateTimeField()

    class Meta:
        indexes = ((("name", "asked_by", "at"), False), (("asked_by", "at"), False))


class RetailIssuance(BaseModel):
    """Retail ID codes Metrc issued (or is being asked to issue) for a package here.

    ``sending`` is written before the generate call and settled with Metrc's answer, or from
    what Metrc holds when the answer was lost. The codes are the package's UID with each index
    in ``ranges`` (JSON ``[[first, last], ...]``), ``units`` of them in all.
    """

    id = AutoField()
    tag = ForeignKeyField(Tag, on_delete="RESTRICT")
    tag_id: int
    facility = ForeignKeyField(Facility, on_delete="RESTRICT", index=False)
    facility_id: int
    quantity = IntegerField()
    state = CharField(max_length=10)  # IssuanceState
    metrc_id = CharField(max_length=64, null=True)
    ranges = TextField(null=True)
    units = IntegerField(default=0)
    created_at = DateTimeField()
    created_by = CharField(max_length=100)
    answered_at = DateTimeField(null=True)


class RetailAssociation(BaseModel):
    """A scanned unit Metrc has been told is now in ``package`` (one row per unit: a later
    association of the same unit replaces it, as Metrc's does)."""

    id = AutoField()
    package = ForeignKeyField(Tag, on_delete="RESTRICT")
    package_id: int
    unit_tag = CharField(max_length=24)
    unit_index = BigIntegerField()
    url = CharField(max_length=200)
    created_at = DateTimeField()
    created_by = CharField(max_length=100)

    class Meta:
        indexes = ((("unit_tag", "unit_index"), True),)


class RfidPair(BaseModel):
    """An EPC a worker showed to be another UID than its own hex (``station rfid check``):
    the barcode scan and the RFID read of one tag, kept per facility."""

    id = AutoField()
    facility = ForeignKeyField(Facility, on_delete="RESTRICT")
    facility_id: int
    epc = CharField(max_length=124)
    uid = CharField(max_length=24)
    learned_at = DateTimeField()
    learned_by = CharField(max_length=100)


class InventoryCount(BaseModel):
    """A count of a facility's tags in one room (``room`` is "" for the whole facility) by
    RFID; open until finished, when ``summary`` keeps the report's counts (JSON)."""

    id = AutoField()
    facility = ForeignKeyField(Facility, on_delete="RESTRICT")
    facility_id: int
    room = CharField(max_length=200, default="")
    # The room as compared (rfid.known.room_key): "Vault A" and "vault a " are one room.
    room_key = CharField(max_length=200, default="")
    started_at = DateTimeField()
    started_by = CharField(max_length=100)
    finished_at = DateTimeField(null=True)
    finished_by = CharField(max_length=100, null=True)
    summary = TextField(null=True)


class CountRead(BaseModel):
    """One distinct EPC read into a count (``epc`` is the raw text when it is no EPC)."""

    id = AutoField()
    count = ForeignKeyField(InventoryCount, on_delete="RESTRICT")
    count_id: int
    epc = CharField(max_length=124)
    first_at = DateTimeField()
    last_at = DateTimeField()
    seen = IntegerField()
    source = CharField(max_length=200)
    antenna = IntegerField(null=True)
    rssi = FloatField(null=True)

    class Meta:
        indexes = ((("count", "epc"), True),)
