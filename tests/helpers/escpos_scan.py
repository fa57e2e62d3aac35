"""Reading ESC/POS output back, independently of python-escpos.

Finds ``GS k`` barcode commands and ``GS v 0`` raster images in a byte stream, turns a
Code 128 ``{A/{B/{C`` payload back into bars as the printer would draw them, and leaves the
decoding to zxing-cpp.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode.charsets.code128 import CODES, STOP
from PIL import Image, ImageDraw

GS = 0x1D


@dataclass
class Found:
    barcodes: list[bytes]
    rasters: list[Image.Image]
    cuts: int


def scan(data: bytes) -> Found:
    barcodes: list[bytes] = []
    rasters: list[Image.Image] = []
    cuts = 0
    i = 0
    while i < len(data):
        if data[i] == GS and data[i + 1 : i + 2] == b"k" and data[i + 2] >= 65:
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
    return Found(barcodes, rasters, cuts)


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
