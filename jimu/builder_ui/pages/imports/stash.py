"""Uploaded import files kept between the check (dry run) and the import.

The import wizard checks a file first and imports it only when the user confirms, so the file
waits in ``<data_dir>/imports/`` under a random token, readable only by the user who uploaded
it. Files are removed once imported, and any older than a day when the next one arrives.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from jimu.errors import NotFound

STASH_FOLDER = "imports"
MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class StashedFile:
    token: str
    filename: str
    format: str
    data: bytes


class ImportStash:
    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / STASH_FOLDER

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not _TOKEN.match(token):
            raise NotFound("The uploaded file is no longer available.")
        return self.folder / f"{token}.bin", self.folder / f"{token}.json"

    def save(self, user_id: int, filename: str, file_format: str, data: bytes) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.remove_stale()
        token = secrets.token_urlsafe(24)
        blob, meta = self._paths(token)
        blob.write_bytes(data)
        info = {"user_id": user_id, "filename": filename, "format": file_format}
        meta.write_text(json.dumps(info), encoding="utf-8")
        return token

    def load(self, user_id: int, token: str) -> StashedFile:
        blob, meta = self._paths(token)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            data = blob.read_bytes()
        except (OSError, ValueError):
            raise NotFound("The uploaded file is no longer available.") from None
        if info.get("user_id") != user_id:
            raise NotFound("The uploaded file is no longer available.")
        return StashedFile(token, str(info["filename"]), str(info["format"]), data)

    def discard(self, token: str) -> None:
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def remove_stale(self) -> None:
        cutoff = time.time() - MAX_AGE_SECONDS
        for path in self.folder.glob("*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue
