"""Every command against every role, from the one table of required roles
(``station.services.people.roles.COMMANDS``): a supervisor's command is refused to an
operator in one line with nothing changed, and nothing is refused for its role to a
supervisor, to an operator a supervisor approved, or on a station that has no operators
yet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import keyring
import pytest
from keyring.backends import fail

from station.cli.main import cli
from station.services.people import roles
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

SUE_PIN = "90817263"  # the supervisor
ANN_PIN = "46820135"  # an operator
FIRST = uid(PACKAGE_PREFIX, 1)

# `metrc keys set` reads the keys from piped input, which cannot hide them: expected here.
pytestmark = pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")


def command_paths() -> set[str]:
    """Every command the command line has, as ``station.services.people.roles`` names them."""
    context = click.Context(cli)
    found: set[str] = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            if command.invoke_without_command and path:
                found.add(" ".join(path))
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                walk(sub, [*path, name])
        else:
            found.add(" ".join(path))

    walk(cli, [])
    return found


def argv(tmp: Path) -> dict[str, tuple[str, ...]]:
    """One command line for each command, with arguments its parser takes. Destructive ones
    aim at things the others do not need; ``restore`` runs last."""
    return {
        "assign package": ("assign", "package", "--count", "1", "--item", "X", "--quantity",
                           "1", "--unit", "Each"),
        "assign plant": ("assign", "plant", "--count", "1", "--strain", "S"),
        "audit": ("audit",),
        "audit head": ("audit", "head"),
        "audit key export": ("audit", "key", "export", str(tmp / "key-{n}.json")),
        "audit key import": ("audit", "key", "import", str(tmp / "key-{n}.json")),
        "audit verify": ("audit", "verify"),
        "backup": ("backup", str(tmp / "b-{n}.sqlite")),
        "batch set": ("batch", "set", "1", "--location", "Room 2", "--reason", "moved"),
        "check": ("check",),
        "count finish": ("count", "finish", "1"),
        "count list": ("count", "list"),
        "count read": ("count", "read", "1", "--from", str(tmp / "reads.txt")),
        "count report": ("count", "report", "1"),
        "count start": ("count", "start", "--room", "Room {n}"),
        "due": ("due",),
        "export audit": ("export", "audit", str(tmp / "audit-{n}.csv")),
        "export packages": ("export", "packages", str(tmp / "packages-{n}")),
        "export packed-plants": ("export", "packed-plants", str(tmp / "packed-{n}")),
        "export plant-tags": ("export", "plant-tags", str(tmp / "plants-{n}")),
        "export replaced-tags": ("export", "replaced-tags", str(tmp / "replaced-{n}")),
        "export tags": ("export", "tags", str(tmp / "tags-{n}.csv")),
        "facility add": ("facility", "add", "C11-00000{n}-LIC", "Other Farm"),
        "facility list": ("facility", "list"),
        "facility rename": ("facility", "rename", LICENSE, "Renamed Farms"),
        "facility state": ("facility", "state", LICENSE, "OR"),
        "job cancel": ("job", "cancel", "1"),
        "job pause": ("job", "pause", "1"),
        "job resume": ("job", "resume", "1"),
        "job show": ("job", "show", "1"),
        "jobs": ("jobs",),
        "metrc keys clear": ("metrc", "keys", "clear"),
        "metrc keys set": ("metrc", "keys", "set"),
        "metrc pull": ("metrc", "pull"),
        "metrc push": ("metrc", "push", "--dry-run"),
        "metrc reconcile": ("metrc", "reconcile"),
        "operator add": ("operator", "add", "Op{n}", "--role", "operator", "--pin-stdin"),
        "operator badge": ("operator", "badge", "Bob", "-o", str(tmp / "badge-{n}.png")),
        "operator disable": ("operator", "disable", "Bob"),
        "operator enable": ("operator", "enable", "Bob"),
        "operator list": ("operator", "list"),
        "operator pin": ("operator", "pin", "Bob", "--pin-stdin"),
        "order add": ("order", "add", "--license", LICENSE, "--type", "package", "--first",
                      uid("1A4060300002EE3{n}", 1), "--count", "5", "--order-date",
                      "2026-11-20"),
        "order delete": ("order", "delete", "3", "--reason", "typo"),
        "order edit": ("order", "edit", "2", "--order-number", "X{n}", "--reason", "typo"),
        "order import": ("order", "import", str(tmp / "none.csv")),
        "order list": ("order", "list"),
        "print": ("print", uid(PACKAGE_PREFIX, 400), "--printer", "spool"),
        "printer add": ("printer", "add", "z{n}", "--driver", "zpl", "--connection",
                        f"file://{tmp}/z{{n}}.zpl"),
        "printer default": ("printer", "default", "spool"),
        "printer list": ("printer", "list"),
        "printer remove": ("printer", "remove", "nothere"),
        "printer set": ("printer", "set", "spool", "--dpi", "203"),
        "printer status": ("printer", "status", "spool"),
        "printer test": ("printer", "test", "spool"),
        "printer verify-runs": ("printer", "verify-runs", "spool"),
        "receive": ("receive", FIRST),
        "render": ("render", FIRST, "--template", "default", "--format", "zpl", "-o",
                   str(tmp / "r-{n}.zpl")),
        "replace": ("replace", uid(PACKAGE_PREFIX, 450), uid(PACKAGE_PREFIX, 451)),
        "restore": ("restore", str(tmp / "before.sqlite")),
        "retailid allotment": ("retailid", "allotment"),
        "retailid associate": ("retailid", "associate", FIRST, "--codes", "-"),
        "retailid codes": ("retailid", "codes", FIRST),
        "retailid generate": ("retailid", "generate", FIRST, "--quantity", "1"),
        "retailid lookup": ("retailid", "lookup", "1A4.COM/x", "--offline"),
        "rfid check": ("rfid", "check", "--uid", FIRST, "--from", str(tmp / "reads.txt")),
        "states": ("states",),
        "states show": ("states", "show", "OR"),
        "stock": ("stock",),
        "tag": ("tag", FIRST),
        "tags": ("tags",),
        "templates": ("templates",),
        "unreceive": ("unreceive", uid(PACKAGE_PREFIX, 300), "--reason", "miscounted"),
        "void": ("void", uid(PACKAGE_PREFIX, 301), "--reason", "torn"),
    }  # fmt: skip


# Options that make an operator's command a supervisor's, with a command line for each.
CONDITIONAL = {
    "print --reprint": (
        "reprinting labels",
        ("print", FIRST, "--printer", "spool", "--reprint", "--reason", "smudged"),
    ),
    "job resume --uncertain": (
        "skip of uncertain labels",
        ("job", "resume", "1", "--uncertain", "skip"),
    ),
    "operator pin (another's)": (
        "changing another operator's PIN",
        ("operator", "pin", "Bob", "--pin-stdin"),
    ),
}


def test_the_table_names_every_command_and_nothing_else(tmp_path: Path) -> None:
    assert set(roles.COMMANDS) == command_paths()
    assert set(argv(tmp_path)) == command_paths()
    for name, need in roles.COMMANDS.items():
        if need.role == roles.SUPERVISOR:
            assert need.what, name
        for option, _ in need.supervisor_with:
            assert any(p.name == option for p in _command(name).params), (name, option)


def _command(name: str) -> click.Command:
    context = click.Context(cli)
    command: click.Command | None = cli
    for part in name.split():
        assert isinstance(command, click.Group)
        command = command.get_command(context, part)
    assert command is not None
    return command


def test_a_command_missing_from_the_table_is_refused(
    received: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(roles.COMMANDS, "tags")
    assert (
        received.refused("tags") == "'tags' has no required role in station.services.people.roles"
    )


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Metrc at a closed port on this machine, and a keyring that keeps nothing."""
    monkeypatch.setenv("METRC_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("METRC_VENDOR_KEY", "vendor-key-for-roles")
    monkeypatch.setenv("METRC_USER_KEY", "user-key-for-roles")
    monkeypatch.setattr("station.metrc.client.BACKOFF_S", 0.01)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def bench(received: Station, tmp_path: Path) -> Station:
    """``received`` with a batch assigned, a printed job, an extra order to correct, and a
    backup to restore (taken last, once everything else is there)."""
    received.ok("assign", "package", "--count", "2", "--item", "Gummies", "--quantity", "1",
                "--unit", "Each")  # fmt: skip
    received.ok("print", FIRST, "--printer", "spool")
    received.ok(
        "order", "add", "--license", LICENSE, "--type", "plant", "--first",
        uid("1A4060300002EE40", 1), "--count", "3", "--order-date", "2026-11-20",
    )  # fmt: skip
    (tmp_path / "none.csv").write_text("Tag\n")
    (tmp_path / "reads.txt").write_text(f"{FIRST}\n")
    return received


def staff(station: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    station.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    monkeypatch.setenv("STATION_PIN", SUE_PIN)
    for name in ("Ann", "Bob"):
        station.ok(
            "operator", "add", name, "--role", "operator", "--pin-stdin", stdin=ANN_PIN,
            operator="Sue",
        )  # fmt: skip


ROLE_REFUSALS = ("needs a supervisor", "needs a signed-in supervisor", "no required role")


def run_all(
    station: Station, tmp: Path, operator: str | None, prefix: tuple[str, ...] = ()
) -> dict[str, str]:
    """Run every command once (restore last, from a backup taken just before it); what
    each said on stderr."""
    said: dict[str, str] = {}
    lines = argv(tmp)
    if station.url.startswith("postgresql"):
        lines["restore"] = ("restore", str(tmp / "before.dump"))
        lines["backup"] = ("backup", str(tmp / "b-{n}.dump"))
    for n, name in enumerate(sorted(lines, key=lambda k: k == "restore")):
        if name == "restore":
            target = lines[name][1]
            if not Path(target).exists():
                station.ok(*prefix, "backup", target, operator=operator)
        args = tuple(part.replace("{n}", str(n)) for part in lines[name])
        result = station(*prefix, *args, operator=operator, stdin=f"{ANN_PIN}\n")
        assert "Traceback" not in result.err, (name, result.err)
        said[name] = result.err
    return said


def test_without_operators_nothing_is_refused_for_its_role(bench: Station, tmp_path: Path) -> None:
    said = run_all(bench, tmp_path, "tester")
    assert {name: err for name, err in said.items() if any(r in err for r in ROLE_REFUSALS)} == {}


def test_a_supervisor_is_refused_nothing_for_its_role(
    bench: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(bench, monkeypatch)
    said = run_all(bench, tmp_path, "Sue")
    assert {name: err for name, err in said.items() if any(r in err for r in ROLE_REFUSALS)} == {}
    restored = [
        e for e in json.loads(bench.ok("audit", "--format", "json", operator="Sue").out)
        if e["action"] == "restore"
    ]  # fmt: skip
    assert [e["operator"] for e in restored] == ["Sue"]


def test_an_approved_operator_is_refused_nothing_for_its_role(
    bench: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(bench, monkeypatch)
    monkeypatch.setenv("STATION_PIN", ANN_PIN)
    monkeypatch.setenv("STATION_APPROVER_PIN", SUE_PIN)
    said = run_all(bench, tmp_path, "Ann", prefix=("--approve", "Sue"))
    assert {name: err for name, err in said.items() if any(r in err for r in ROLE_REFUSALS)} == {}


def test_an_operator_is_refused_every_supervisors_command_and_nothing_else(
    bench: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff(bench, monkeypatch)
    kind = ".sqlite" if bench.url.startswith("sqlite") else ".dump"
    bench.ok("backup", str(tmp_path / f"before{kind}"), operator="Sue")
    monkeypatch.setenv("STATION_PIN", ANN_PIN)
    lines = argv(tmp_path)
    if bench.url.startswith("postgresql"):
        lines["restore"] = ("restore", str(tmp_path / "before.dump"))
        lines["backup"] = ("backup", str(tmp_path / "b-{n}.dump"))
    wanted = {
        name: need.what for name, need in roles.COMMANDS.items() if need.role == roles.SUPERVISOR
    }
    for name, what in sorted(wanted.items()):
        args = tuple(part.replace("{n}", "0") for part in lines[name])
        assert bench.refused(*args, operator="Ann", stdin=f"{ANN_PIN}\n") == (
            f"{what} needs a supervisor: Ann is an operator; a supervisor can approve it "
            "(--approve NAME, or the approval dialog in the UI)"
        ), name
    for name, (what, args) in CONDITIONAL.items():
        message = bench.refused(*args, operator="Ann", stdin=f"{ANN_PIN}\n")
        assert message.startswith(f"{what} needs a supervisor: Ann is an operator"), name
    # The operator's own commands are refused nothing for their role (their own PIN too).
    lines["operator pin"] = ("operator", "pin", "Ann", "--pin-stdin")
    others = {name: lines[name] for name in lines if name not in wanted}
    for n, (name, line) in enumerate(sorted(others.items())):
        args = tuple(part.replace("{n}", str(n + 10)) for part in line)
        err = bench(*args, operator="Ann", stdin=f"{ANN_PIN}\n").err
        assert not any(r in err for r in ROLE_REFUSALS), (name, err)


def test_the_security_docs_table_is_the_code() -> None:
    readme = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    table = readme.split("| command | needs | notes |\n|---|---|---|\n", 1)[1].split("\n\n")[0]
    listed: dict[str, str] = {}
    for row in table.splitlines():
        commands, needs = row.split(" | ")[:2]
        for command in commands.strip("| ").split(", "):
            listed[command.strip("`")] = needs
    for name, need in roles.COMMANDS.items():
        wanted = "anyone" if need.role is None else str(need.role)
        assert listed.get(name, "operator") == wanted, name
        if need.supervisor_with or need.note:
            assert name in listed, name
    assert set(listed) <= set(roles.COMMANDS)
