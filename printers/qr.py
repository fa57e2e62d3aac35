"""QR codes (model 2) for Metrc Retail ID unit labels: the symbol's modules for images and
for sizing; ZPL and ESC/POS printers draw their own from the data.

A Retail ID URL is all upper case, so all of it is in QR's alphanumeric set: encoded in that
mode it makes the smallest symbol (``../shared/reference/retail-id.md`` §2.1). Other text is
encoded as bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Error correction levels, lowest first (ZPL and ESC/POS name them by these letters).
LEVELS = ("L", "M", "Q", "H")
# The quiet zone the symbology asks for on every side, in modules.
QUIET_MODULES = 4
# The smallest module a Retail ID label may print, in millimetres.
MIN_MODULE_MM = 0.375
# The longest data a unit label's QR carries (an abc... tag's unit past 2,097,151 makes a
# 40-character URL); the template check sizes a QR for these.
REFERENCE_URLS = (
    "HTTPS://1A4.COM/5LN8CBN1UB33DON9CHKX",
    "HTTPS://1A4.COM/1FHPHPWI19S4JRYKFMYH7L33",
)
# Longer data is not a Retail ID: refused before any encoder works on it.
MAX_DATA = 300


_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]+")


def is_alphanumeric(data: str) -> bool:
    """Whether all of ``data`` is in QR's alphanumeric set (upper case, digits, 9 signs)."""
    return _ALPHANUMERIC.fullmatch(data) is not None


@lru_cache(maxsize=256)
def matrix(data: str, level: str) -> tuple[tuple[bool, ...], ...]:
    """The symbol's modules, dark as True, without a quiet zone."""
    import qrcode
    from qrcode import constants, util

    if not data or len(data) > MAX_DATA:
        raise ValueError(f"QR data must be 1 to {MAX_DATA} characters")
    mode = util.MODE_ALPHA_NUM if is_alphanumeric(data) else util.MODE_8BIT_BYTE
    code = qrcode.QRCode(error_correction=getattr(constants, f"ERROR_CORRECT_{level}"), border=0)
    code.add_data(util.QRData(data.encode("utf-8"), mode=mode))
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def modules(data: str, level: str) -> int:
    """Modules along one side of the symbol for ``data``."""
    return len(matrix(data, level))


def module_mm(dots: int, dpi: int) -> float:
    return dots * 25.4 / dpi
