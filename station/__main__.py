"""``python -m station``."""

from station.cli.main import main

main()
