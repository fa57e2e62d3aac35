"""Code 128 for a label's data, encoded once by python-barcode and used by every driver:
the module pattern for images, the module count for fit checks, and the ``{B``/``{C``
payload for ESC/POS printers' own barcode command.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from barcode.codex import Code128 as _Encoder

from printers.errors import PrinterError

_START = {103: "A", 104: "B", 105: "C"}
_SWITCH = {101: "A", 100: "B", 99: "C"}


class Code128:
    """A Code 128 symbol with automatic subset switching (digit runs go into subset C)."""

    def __init__(self, data: str) -> None:
        if not data or not data.isascii() or not data.isprintable():
            raise PrinterError(f"cannot put {data!r} in a Code 128 barcode")
        self.data = data

    @cached_property
    def _encoder(self) -> _Encoder:
        # Encoding is the slow part; a ZPL label never needs it (the printer encodes).
        return _Encoder(self.data)

    @cached_property
    def pattern(self) -> str:
        """Modules left to right, ``1`` a bar and ``0`` a space (start, check and stop included)."""
        built: list[str] = self._encoder.build()
        return built[0]

    @property
    def modules(self) -> int:
        """Width in modules of the symbol drawn from :attr:`pattern` (images, ESC/POS)."""
        return len(self.pattern)

    @property
    def printer_modules(self) -> int:
        """Width in modules a Zebra draws in automatic mode (``^BC...,A``)."""
        return printer_modules(self.data)

    @cached_property
    def symbols(self) -> list[int]:
        """Symbol values: start code, data and subset switches (no check symbol or stop)."""
        encoded: list[int] = list(self._encoder.encoded)
        return encoded

    def escpos_payload(self) -> bytes:
        """The data for ESC/POS ``GS k 73``: ``{A``/``{B``/``{C`` then characters or digit
        pairs, so the printer draws exactly the symbols above (python-escpos passes it on)."""
        out = bytearray()
        subset = ""
        for value in self.symbols:
            if not subset:
                subset = _START[value]
                out += b"{" + subset.encode()
            elif value in (100, 101) or (value == 99 and subset != "C"):
                # In subset C, 99 is the digit pair "99"; elsewhere it switches to C.
                subset = _SWITCH[value]
                out += b"{" + subset.encode()
            elif subset == "C":
                out.append(value)
            elif subset == "B" or value < 64:
                char = value + 32
                out += b"{{" if char == ord("{") else bytes([char])
            else:
                out.append(value - 64)
        return bytes(out)


# Only where the digits are matters to the width, and UIDs of one order share that shape.
_SHAPE = {code: ("9" if chr(code).isdigit() else "A") for code in range(128)}


def printer_modules(data: str) -> int:
    """Width in modules a Zebra draws ``data`` in automatic mode (``^BC...,A``): subset C for
    runs of 4 or more digits, the first digit of an odd run still in subset B (ZPL II guide,
    ^BC; 211 modules for 1A4FF0100000022000000123, as measured)."""
    return _modules_for_shape(data.translate(_SHAPE))


@lru_cache(maxsize=4096)
def _modules_for_shape(shape: str) -> int:
    size = len(shape)

    def digits_from(index: int) -> int:
        end = index
        while end < size and shape[end] == "9":
            end += 1
        return end - index

    first_run = digits_from(0)
    subset_c = first_run >= 4 or (first_run == size and size % 2 == 0)
    symbols, index = 1, 0  # the start symbol
    while index < size:
        run = digits_from(index)
        if subset_c:
            if run >= 2:
                symbols, index = symbols + 1, index + 2
            else:
                symbols, subset_c = symbols + 1, False  # switch to B
        elif run >= 4:
            if run % 2:
                symbols, index = symbols + 1, index + 1
            symbols, subset_c = symbols + 1, True  # switch to C
        else:
            symbols, index = symbols + 1, index + 1
    return (symbols + 1) * 11 + 13  # + check symbol; the stop pattern is 13 modules
