"""Tools the test suite and the bench share: a fake Zebra printer (in-process or in its own
process), a private PostgreSQL server, a free port, and waiting for the terminal UI to
settle. Not part of the installed station."""
