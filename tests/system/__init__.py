"""System tests: subprocesses, kills, races, CUPS, the Node ZPL renderer, PostgreSQL."""
