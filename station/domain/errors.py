"""The one exception type the command line and the UI turn into a one-line message."""


class StationError(Exception):
    """A refused or failed operation. Its message is one line meant for the operator."""


class Problems(StationError):
    """Several things wrong with one input (a file's bad rows), every one named so that all
    can be fixed in one go: the message is the one-line summary, ``lines`` the list."""

    def __init__(self, summary: str, lines: list[str]) -> None:
        super().__init__(summary)
        self.lines = lines


class ProblemList:
    """Problems found while reading an input: the first :data:`SHOWN` kept, the rest only
    counted (a file of a million bad rows must not fill the memory with messages)."""

    SHOWN = 50

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.count = 0

    def add(self, problem: str) -> None:
        self.count += 1
        if len(self.shown) < self.SHOWN:
            self.shown.append(problem)

    def lines(self) -> list[str]:
        more = self.count - len(self.shown)
        return [*self.shown, f"and {more:,} more"] if more else list(self.shown)


class NeedsSupervisor(StationError):
    """An operator tried what only a supervisor does: the UI offers its approval dialog on
    this, the command line says how to approve (``--approve``)."""

    def __init__(self, message: str, what: str) -> None:
        super().__init__(message)
        self.what = what
