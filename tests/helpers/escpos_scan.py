"""Reading ESC/POS output back, independently of python-escpos.

Finds ``GS k`` barcode commands and ``GS v 0`` raster images in a byte stream, turns a
Code 128 ``{A/{B/{C`` payload back into bars as the printer would draw them, and leaves the
decoding to zxing-cpp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from barcode.charsets.code128 import CODES, STOP
from PIL import Image, ImageDraw

GS = 0x1D


@dataclass
class QrSymbol:
    """The ``GS ( k`` (cn 49) functions sent for one QR code, as the printer reads them."""

    model: int | None = None  # fn 65: 49 model 1, 50 model 2
    size: int | None = None  # fn 67: dots a module
    level: int | None = None  # fn 69: 48 L, 49 M, 50 Q, 51 H
    data: bytes | None = None  # fn 80, m = 48
    printed: bool = False  # fn 81, m = 48


@dataclass
class Found:
    barcodes: list[bytes]
    rasters: list[Image.Image]
    cuts: int
    qr: list[QrSymbol] = field(default_factory=list)
    # ESC J n feeds, in dots, in order.
    feeds: list[int] = field(default_factory=list)


def scan(data: bytes) -> Found:
    barcodes: list[bytes] = []
    rasters: list[Image.Image] = []
    cuts = 0
    qr: list[QrSymbol] = []
    feeds: list[int] = []
    pending = QrSymbol()
    i = 0
    while i < len(data):
        if data[i] == GS and data[i + 1 : i + 3] == b"(k":
            # GS ( k pL pH cn fn [parameters]: pL + 256 pH bytes from cn on.
            size = data[i + 3] + 256 * data[i + 4]
            body = data[i + 5 : i + 5 + size]
            assert len(body) == size and body[0] == 49, f"not a QR function: {body[:4]!r}"
            function, params = body[1], body[2:]
            if function == 65:
                pending.model = params[0]
            elif function == 67:
                pending.size = params[0]
            elif function == 69:
                pending.level = params[0]
            elif function == 80:
                assert params[0] == 48
                pending.data = bytes(params[1:])
            elif function == 81:
                assert params[0] == 48
                pending.printed = True
                qr.append(pending)
                pending = QrSymbol()
            i += 5 + size
        elif data[i] == 0x1B and data[i + 1 : i + 2] == b"J":
            feeds.append(data[i + 2])
            i += 3
        elif data[i] == GS and data[i + 1 : i + 2] == b"k" and data[i + 2] >= 65:
            length = data[i + 3]
            barcodes.append(data[i + 4 : i + 4 + length])
            i += 4 + length
        elif data[i] == GS and data[i + 1 : i + 3] == b"v0":
            width_bytes = data[i + 4] + 256 * data[i + 5]
            height = data[i + 6] + 256 * data[i + 7]
            start = i + 8
            bits = data[start : start + width_bytes * height]
            image = Image.frombytes("1", (width_bytes * 8, height), bits)
            # In the raster, 1 is a burnt (black) dot; in a "1" image, 1 is white.
            rasters.append(Image.eval(image.convert("L"), lambda v: 255 - v))
            i = start + width_bytes * height
        elif data[i] == GS and data[i + 1 : i + 2] == b"V":
            cuts += 1
            i += 2
        else:
            i += 1
    return Found(barcodes, rasters, cuts, qr, feeds)


def code128_values(payload: bytes) -> list[int]:
    """Symbol values (start included) for a GS k function B payload, per Epson's rules."""
    values: list[int] = []
    subset = ""
    i = 0
    while i < len(payload):
        byte = payload[i]
        if byte == ord("{") and i + 1 < len(payload) and payload[i + 1] in b"ABC":
            letter = chr(payload[i + 1])
            if not subset:
                values.append({"A": 103, "B": 104, "C": 105}[letter])
            else:
                values.append({"A": 101, "B": 100, "C": 99}[letter])
            subset = letter
            i += 2
            continue
        if byte == ord("{") and payload[i + 1 : i + 2] == b"{":
            values.append(ord("{") - 32)
            i += 2
            continue
        if subset == "C":
            values.append(byte)
        elif subset == "B":
            values.append(byte - 32)
        else:
            values.append(byte - 32 if byte >= 32 else byte + 64)
        i += 1
    return values


def draw_code128(values: list[int], module: int = 2, height: int = 80) -> Image.Image:
    """Bars for ``values`` plus the mod-103 check symbol and the stop pattern."""
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    pattern = "".join(CODES[v] for v in [*values, check]) + STOP + "11"  # 13-module stop
    quiet = 10 * module
    image = Image.new("L", (len(pattern) * module + 2 * quiet, height), 255)
    draw = ImageDraw.Draw(image)
    for index, bit in enumerate(pattern):
        if bit == "1":
            x = quiet + index * module
            draw.rectangle((x, 0, x + module - 1, height - 1), fill=0)
    return image
