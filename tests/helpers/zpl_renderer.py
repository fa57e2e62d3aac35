"""The independent ZPL renderer (npm zpl-renderer-js, i.e. Zebrash) run through Node."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
from pathlib import Path

from PIL import Image

HERE = Path(__file__).parent.parent / "zpl"


def available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "zpl-renderer-js").is_dir()


def render(zpl: bytes, width_dots: int, height_dots: int, dpi: int) -> list[Image.Image]:
    """Every label the renderer draws from ``zpl``, as images."""
    if not available():
        raise AssertionError("zpl-renderer-js is not installed: run `make test` (needs Node)")
    dpmm = round(dpi / 25.4)
    result = subprocess.run(
        [
            "node",
            str(HERE / "render.cjs"),
            str(width_dots / dpmm),
            str(height_dots / dpmm),
            str(dpmm),
        ],
        input=zpl,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"zpl-renderer-js failed: {result.stderr.decode()}")
    return [
        Image.open(io.BytesIO(base64.b64decode(png))).convert("L")
        for png in json.loads(result.stdout)
    ]
