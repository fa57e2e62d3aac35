"""Code 128 for a label's data, encoded once by python-barcode and used by every driver:
the module pattern for images, the module count for fit checks, and the ``{B``/``{C``
payload for ESC/POS printers' own barcode command.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from printers.errors import PrinterError

if TYPE_CHECKING:
    from barcode.codex import Code128 as _Encoder

_START = {103: "A", 104: "B", 105: "C"}
# DLE, and what follows it in Epson's real-time commands: EOT, ENQ, DC4.
_DLE = 0x10
_REAL_TIME = (0x04, 0x05, 0x14)
_SWITCH = {101: "A", 100: "B", 99: "C"}


class Code128:
    """A Code 128 symbol with automatic subset switching (digit runs go into subset C)."""

    def __init__(self, data: str) -> None:
        if not data or not data.isascii() or not data.isprintable():
            raise PrinterError(f"cannot put {data!r} in a Code 128 barcode")
        self.data = data

    @cached_property
    def _encoder(self) -> _Encoder:
        # Encoding is the slow part; a ZPL label never needs it (the printer encodes), nor
        # python-barcode's import.
        return _encoder_class()(self.data)

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

    @cached_property
    def escpos_payload(self) -> bytes:
        """The data for ESC/POS ``GS k 73``: ``{A``/``{B``/``{C`` then characters or digit
        pairs, so the printer draws the symbols above (python-escpos passes it on).

        Epson printers act on real-time commands even inside a command's data, and a
        subset C pair is a raw byte: the pairs 16 20 are DLE DC4 (a drawer pulse or, with
        02, power off) and 16 04 or 16 05 are DLE EOT/ENQ. The pair 16 before those is sent
        as the characters "1" "6" in subset B instead, so DLE never precedes them.
        """
        out = bytearray()
        subset = ""
        values = self.symbols
        for index, value in enumerate(values):
            following = values[index + 1] if index + 1 < len(values) else None
            if not subset:
                subset = _START[value]
                out += b"{" + subset.encode()
            elif value in (100, 101) or (value == 99 and subset != "C"):
                # In subset C, 99 is the digit pair "99"; elsewhere it switches to C.
                subset = _SWITCH[value]
                out += b"{" + subset.encode()
            elif subset == "C" and value == _DLE and following in _REAL_TIME:
                out += b"{B16{C"
            elif subset == "C":
                out.append(value)
            elif subset == "B" or value < 64:
                char = value + 32
                out += b"{{" if char == ord("{") else bytes([char])
            else:
                out.append(value - 64)
        return bytes(out)

    @property
    def escpos_modules(self) -> int:
        """Width in modules of the symbol an ESC/POS printer draws from
        :attr:`escpos_payload` (a DLE pair sent in subset B costs three symbols more)."""
        payload, symbols, index = self.escpos_payload, 0, 0
        while index < len(payload):
            # "{A", "{B", "{C" (start or switch) and "{{" are one symbol each.
            index += 2 if payload[index] == ord("{") else 1
            symbols += 1
        return (symbols + 1) * 11 + 13  # + check symbol; the stop pattern is 13 modules


@lru_cache(maxsize=1)
def _encoder_class() -> type[_Encoder]:
    from barcode.codex import Code128 as Encoder

    class Fixed(Encoder):  # type: ignore[misc]
        """python-barcode (0.16) folds a start code and a subset switch after it into one
        start code; after Start C it takes a first digit pair "99" for the switch to C and
        drops it ("99123" encoded as "123"). After Start C a 99 is always that pair."""

        def _try_to_optimize(self, encoded: list[int]) -> list[int]:
            if encoded[:2] == [105, 99]:
                return encoded
            folded: list[int] = super()._try_to_optimize(encoded)
            return folded

    return Fixed


# Only where the digits are matters to the width, and UIDs of one order share that shape.
# A Zebra's automatic mode sees only which characters are digits: data of one shape (digits
# as 9, anything else as A) draws to one width.
# A control character keeps itself, so that a shape is refused whenever its data would be.
SHAPE = {
    code: ("9" if chr(code).isdigit() else "A" if chr(code).isprintable() else chr(code))
    for code in range(128)
}


def printer_modules(data: str) -> int:
    """Width in modules a Zebra draws ``data`` in automatic mode (``^BC...,A``): subset C for
    runs of 4 or more digits, the first digit of an odd run still in subset B (ZPL II guide,
    ^BC; 211 modules for 1A4FF0100000022000000123, as measured)."""
    return _modules_for_shape(data.translate(SHAPE))


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
