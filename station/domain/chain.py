"""The audit trail's hash chain: each event's SHA-256 covers its content and the hash of the
event before it, so changing, removing, inserting or reordering a stored event breaks every
hash from there on.

The serialisation hashed is a contract (the README gives it to inspectors): the JSON object

    {"action": A, "approved_by": B, "at": T, "details": D, "id": N, "message": M,
     "operator": O, "prev_hash": P, "tag_count": C, "uids": U}

with keys sorted, no spaces (``,`` and ``:``), non-ASCII characters as themselves, UTF-8:
``T`` is the UTC time ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``D`` the details as stored (a JSON
text, hashed as a string); ``B`` null when no one approved; ``U`` the SHA-256 (hex) of the
event's UIDs sorted and joined by ``\\n`` (of the empty string when none); ``P`` the previous
event's hash, 64 zeros for the first event. This is exactly
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``; it is built
here by hand because verifying a million events must not spend most of its time there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from json.encoder import encode_basestring

GENESIS = "0" * 64
NO_UIDS = hashlib.sha256(b"").hexdigest()


def uids_digest(sorted_uids: Iterable[str]) -> str:
    """The SHA-256 of the UIDs (already sorted) joined by newlines."""
    return hashlib.sha256("\n".join(sorted_uids).encode()).hexdigest()


def uids_digests(links: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Each event's :func:`uids_digest` from (event id, UID) links in that order. A plain
    loop: half the time of itertools.groupby, which costs a group object and a generator an
    event, and verification does this for every event."""
    digests: dict[int, str] = {}
    # Any start works: links of an event 0 would simply join the empty list.
    current, uids = 0, list[str]()
    for event, uid in links:
        if event != current:
            if uids:
                digests[current] = uids_digest(uids)
            current, uids = event, [uid]
        else:
            uids.append(uid)
    if uids:
        digests[current] = uids_digest(uids)
    return digests


def at_text(at: dt.datetime) -> str:
    """``at`` (naive UTC) as the serialisation writes it."""
    return at.isoformat(timespec="microseconds") + "Z"


def stored_at_text(stored: str | dt.datetime) -> str:
    """The serialisation's time from what the database hands back: SQLite the text peewee
    stored (``str()`` of the datetime: no fraction when it is zero), PostgreSQL a datetime.
    Text in any other shape comes out different, so its event fails verification."""
    if isinstance(stored, dt.datetime):
        return at_text(stored)
    text = stored.replace(" ", "T", 1)
    return (text if len(text) == 26 else text + ".000000") + "Z"


def canonical(
    event_id: int,
    at: str,
    operator: str,
    approved_by: str | None,
    action: str,
    message: str,
    details: str,
    tag_count: int,
    uids: str,
    prev_hash: str,
) -> str:
    """The text hashed for one event (see the module's docstring); ``at`` as :func:`at_text`
    writes it."""
    approver = "null" if approved_by is None else encode_basestring(approved_by)
    return (
        f'{{"action":{encode_basestring(action)},"approved_by":{approver},'
        f'"at":{encode_basestring(at)},"details":{encode_basestring(details)},'
        f'"id":{int(event_id)},"message":{encode_basestring(message)},'
        f'"operator":{encode_basestring(operator)},"prev_hash":{encode_basestring(prev_hash)},'
        f'"tag_count":{int(tag_count)},"uids":{encode_basestring(uids)}}}'
    )


def event_hash(canonical_text: str) -> str:
    """The hash stored for an event: SHA-256 of :func:`canonical`'s text, in hex."""
    return hashlib.sha256(canonical_text.encode()).hexdigest()
