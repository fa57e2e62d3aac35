"""The one exception type the command line and the UI turn into a one-line message."""


class StationError(Exception):
    """A refused or failed operation. Its message is one line meant for the operator."""
