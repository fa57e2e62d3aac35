"""Fixtures the system lane shares with the command-line tests it grew out of."""

from tests.cli.test_backups import big  # noqa: F401 (a fixture, found by name)
from tests.cli.test_operators import staffed  # noqa: F401 (a fixture, found by name)
from tests.cli.test_print_jobs import zebra  # noqa: F401 (a fixture, found by name)
