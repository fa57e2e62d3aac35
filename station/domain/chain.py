"""The audit trail's hash chain: each event's SHA-256 covers its content and the hash of the
event before it, so changing, removing, inserting or reordering a stored event breaks every
hash from there on.

The serialisation hashed is a contract (docs/security.md gives it to inspectors): the JSON object

    {"action": A, "approved_by": B, "at": T, "details": D, "id": N, "message": M,
     "operator": O, "prev_hash": P, "tag_count": C, "uids": U}

with keys sorted, no spaces (``,`` and ``:``), non-ASCII characters as themselves, UTF-8:
``T`` is the UTC time ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``D`` the details as stored (a JSON
text, hashed as a string); ``B`` null when no one approved; ``U`` the SHA-256 (hex) of the
event's UIDs sorted and joined by ``\\n`` (of the empty string when none); ``P`` the previous
event's hash, 64 zeros for the first event. This is exactly
``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, UTF-8 encoded.
The station writes it with orjson, which escapes exactly as that call does and takes a third
of the time: verifying a million events must not spend most of its time here (a test holds
the two equal on arbitrary text).

A keyed event (its ``key_id`` set) stores HMAC-SHA256 of the same bytes under the chain key
(``station.services.records.chain_key``), a secret kept outside the database: whoever can write the
database but does not hold the key cannot make a keyed event's hash, so cannot rewrite the
trail and re-chain it. ``key_id`` is the first 16 hexadecimal digits of the key's SHA-256.
Events written before the station had a key keep their plain SHA-256 and verify as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

GENESIS = "0" * 64
NO_UIDS = hashlib.sha256(b"").hexdigest()


def is_hash(value: object) -> bool:
    """Whether ``value`` is a hash as the chain stores them: 64 lowercase hexadecimal digits."""
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


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
) -> bytes:
    """The bytes hashed for one event (see the module's docstring); ``at`` as :func:`at_text`
    writes it."""
    return orjson.dumps(
        {
            "action": action,
            "approved_by": approved_by,
            "at": at,
            "details": details,
            "id": int(event_id),
            "message": message,
            "operator": operator,
            "prev_hash": prev_hash,
            "tag_count": int(tag_count),
            "uids": uids,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def event_hash(canonical_bytes: bytes, key: bytes | None = None) -> str:
    """The hash stored for an event: SHA-256 of :func:`canonical`'s bytes, in hex; with
    ``key``, HMAC-SHA256 under it."""
    if key is not None:
        return hmac.digest(key, canonical_bytes, "sha256").hex()
    return hashlib.sha256(canonical_bytes).hexdigest()


def key_id(key: bytes) -> str:
    """How events name the key their hash was made with (not the key: its digest's start)."""
    return hashlib.sha256(key).hexdigest()[:16]


def stored_hashes(
    rows: Sequence[Sequence[Any]],
    digests: dict[int, str],
    keys: dict[str, bytes] | None = None,
) -> list[str]:
    """Each stored event's hash recomputed, for verification: a row is (id, at as stored,
    operator, approved_by, action, summary, details, tag_count, prev_hash, hash[, key_id])
    and ``digests`` the UIDs' digests by event id; ``keys`` the chain keys at hand by id. A
    row the serialisation cannot take (a type the station never writes, put in by hand), or
    keyed with a key not at hand, gets an empty hash: it cannot be shown to be the event
    written."""
    named = {row[10] for row in rows if len(row) > 10 and row[10] is not None}
    if named:
        if len(named) == 1 and all(row[10] is not None for row in rows):
            [wanted] = named
            key = (keys or {}).get(wanted)
            if key is not None:
                return keyed_hashes(rows, digests, key, wanted)
        return [_one_stored_hash(row, digests, keys or {}) for row in rows]
    dumps, sha, at_of, digest_of, none = (
        orjson.dumps,
        hashlib.sha256,
        stored_at_text,
        digests.get,
        NO_UIDS,
    )
    try:
        # One comprehension, names bound locally: this is most of verification's time. The
        # keys are written in sorted order, so orjson need not sort them (as canonical() asks).
        return [
            sha(dumps({
                "action": row[4], "approved_by": row[3], "at": at_of(row[1]), "details": row[6],
                "id": row[0], "message": row[5], "operator": row[2], "prev_hash": row[8],
                "tag_count": row[7], "uids": digest_of(row[0], none),
            })).hexdigest()
            for row in rows
        ]  # fmt: skip
    except (TypeError, ValueError, AttributeError, orjson.JSONEncodeError):
        return [_one_stored_hash(row, digests, {}) for row in rows]


def keyed_hashes(
    rows: Sequence[Sequence[Any]], digests: dict[int, str], key: bytes, wanted: str
) -> list[str]:
    """:func:`stored_hashes` for a span whose events are all keyed with ``key`` (id
    ``wanted``): HMAC-SHA256 as RFC 2104 builds it, with the key's inner and outer pads
    hashed once and copied for each event (``hmac.digest`` sets them up on every call,
    which took four times as long as the hash itself)."""
    padded = key.ljust(64, b"\0")  # a 32-byte key: no pre-hash (RFC 2104, block 64)
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def mac(data: bytes) -> str:
        first = inner.copy()
        first.update(data)
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    dumps, at_of, digest_of, none = orjson.dumps, stored_at_text, digests.get, NO_UIDS
    try:
        return [
            mac(dumps({
                "action": row[4], "approved_by": row[3], "at": at_of(row[1]), "details": row[6],
                "id": row[0], "message": row[5], "operator": row[2], "prev_hash": row[8],
                "tag_count": row[7], "uids": digest_of(row[0], none),
            })) if row[10] == wanted else ""
            for row in rows
        ]  # fmt: skip
    except (TypeError, ValueError, AttributeError, orjson.JSONEncodeError):
        return [_one_stored_hash(row, digests, {wanted: key}) for row in rows]


def _one_stored_hash(row: Sequence[Any], digests: dict[int, str], keys: dict[str, bytes]) -> str:
    named = row[10] if len(row) > 10 else None
    key = None
    if named is not None:
        key = keys.get(named)
        if key is None:
            return ""
    try:
        return event_hash(
            canonical(
                row[0],
                stored_at_text(row[1]),
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                row[7],
                digests.get(row[0], NO_UIDS),
                row[8],
            ),
            key,
        )
    except (TypeError, ValueError, AttributeError, IndexError, orjson.JSONEncodeError):
        return ""
