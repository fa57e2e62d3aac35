"""Showing untrusted text (scans, file cells, a server's answers) safely in one line."""

import unicodedata

_LIMIT = 40


def show(text: str, limit: int = _LIMIT) -> str:
    """Quote ``text`` for a message: control and invisible characters become escapes.

    Scans can carry terminal escapes or markup; a message must neither obey nor hide them.
    """
    clipped = len(text) > limit
    out = []
    for char in text[:limit]:
        if _hidden(char):
            out.append(_escaped(char))
        elif char in "'\\":
            out.append("\\" + char)
        else:
            out.append(char)
    return "'" + "".join(out) + ("…" if clipped else "") + "'"


def printable(text: str, limit: int = 300) -> str:
    """``text`` from outside (a server's answer, a file) fit for one line of a terminal or a
    log: hidden characters as escapes, runs of white space as one space, at most ``limit``."""
    flat = " ".join(text.split())
    shown = "".join(_escaped(char) if _hidden(char) else char for char in flat[:limit])
    return shown + ("…" if len(flat) > limit else "")


# What a spreadsheet reads as the start of a formula in a CSV cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading
    ``'`` (OWASP's rule for CSV injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or other invisible formatting character, or a
    Unicode line or paragraph separator (which would split a line of output)."""
    return any(_hidden(char) for char in text)


def _hidden(char: str) -> bool:
    """Control, format (bidi overrides), unassigned, and line or paragraph separators."""
    category = unicodedata.category(char)
    return category.startswith("C") or category in ("Zl", "Zp")


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def a_or_an(word: str) -> str:
    """``a zpl``, ``an escpos``: the article a word takes by its first letter."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def listed(items: list[str], one_of: bool) -> str:
    """``a``; ``a or b``; ``a, b or c`` (with ``and`` for all of them)."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'or' if one_of else 'and'} {items[-1]}"


def plural(count: int, noun: str) -> str:
    """``1 tag``, ``2 tags``, ``1,000 tags``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
