"""docs/states.md's table is the shipped profiles, rule for rule, with each source."""

from __future__ import annotations

from pathlib import Path

from station.states import profiles

DOCS = Path(__file__).parents[2] / "docs" / "states.md"
HEADER = "| state | rule | value | source |\n|---|---|---|---|\n"


def table() -> str:
    """The table as the profiles make it (print it to write docs/states.md's)."""
    rows = [
        f"| {p.code} | {rule.meaning} | {rule.said()} | [{rule.tag}] {rule.source} |"
        for p in profiles.every(None)
        for rule in p.rules.values()
        if rule.name != "api_host"
    ]
    return HEADER + "\n".join(rows) + "\n"


def test_the_states_docs_table_is_the_profiles() -> None:
    text = DOCS.read_text(encoding="utf-8")
    written = HEADER + text.split(HEADER, 1)[1].split("\n\n")[0].rstrip("\n") + "\n"
    assert written == table()
