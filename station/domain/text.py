"""Showing untrusted text (scans, file cells) safely in one line."""

import unicodedata

_LIMIT = 40


def show(text: str, limit: int = _LIMIT) -> str:
    """Quote ``text`` for a message: control and invisible characters become escapes.

    Scans can carry terminal escapes or markup; a message must neither obey nor hide them.
    """
    clipped = len(text) > limit
    out = []
    for char in text[:limit]:
        category = unicodedata.category(char)
        if category.startswith("C") or category in ("Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        elif char in "'\\":
            out.append("\\" + char)
        else:
            out.append(char)
    return "'" + "".join(out) + ("…" if clipped else "") + "'"


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or other invisible formatting character."""
    return any(unicodedata.category(char).startswith("C") for char in text)


def plural(count: int, noun: str) -> str:
    """``1 tag``, ``2 tags``, ``1,000 tags``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
