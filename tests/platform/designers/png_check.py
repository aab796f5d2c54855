"""What a downloaded chart PNG holds: its signature, size and first pixel, read with zlib
alone (the first pixel of the first row is stored as is under every PNG row filter)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from playwright.sync_api import Locator, Page

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def first_pixel(data: bytes) -> tuple[int, int, tuple[int, ...]]:
    """(width, height, the RGB(A) of the top left pixel) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == SIGNATURE, data[:16]
    at, idat = 8, b""
    width = height = channels = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    return width, height, tuple(raw[1 : 1 + channels])


def download_png(page: Page, button: Locator, folder: Path) -> tuple[str, bytes]:
    """Clicks ``button`` and answers the downloaded file's suggested name and bytes."""
    with page.expect_download() as caught:
        button.click()
    download = caught.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, path.read_bytes()
