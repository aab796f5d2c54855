"""An app as a folder of JSON files (``app.json``, ``entities/*.json``, ``forms/*.json``, ...).

``read_folder`` parses every document and reports unreadable files with their name;
``write_folder`` writes canonical JSON (see :mod:`jimu.metadata.jsonio`), so writing what was
read gives the same bytes. Sample data (``sample/<entity>.jsonl``) is read separately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimu.errors import FieldError, ValidationFailed
from jimu.metadata.jsonio import dumps
from jimu.metadata.paths import FOLDERS, document_path


@dataclass
class AppFolder:
    """The documents of an app folder, with the file each came from."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def app(self) -> dict[str, Any] | None:
        return next((d for d in self.documents if d.get("kind") == "app"), None)


def _load(path: Path, relative: str, errors: list[FieldError]) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        errors.append(FieldError(f"{relative}#", "is not UTF-8 text", "encoding"))
        return None
    except json.JSONDecodeError as exc:
        errors.append(
            FieldError(f"{relative}#", f"is not valid JSON: {exc.msg} at line {exc.lineno}", "json")
        )
        return None
    if not isinstance(value, dict):
        errors.append(FieldError(f"{relative}#", "must hold one JSON object", "json"))
        return None
    return value


def read_folder(root: Path) -> AppFolder:
    """Every document of the app folder at ``root``; raises ValidationFailed for bad files."""
    if not (root / "app.json").is_file():
        raise ValidationFailed(
            f"{root} is not an app folder", [FieldError("app.json#", "is missing")]
        )
    errors: list[FieldError] = []
    result = AppFolder()
    paths = [root / "app.json"]
    for folder in FOLDERS.values():
        paths.extend(sorted((root / folder).glob("*.json")))
    for path in paths:
        relative = path.relative_to(root).as_posix()
        document = _load(path, relative, errors)
        if document is not None:
            result.documents.append(document)
            result.files.append(relative)
    if errors:
        raise ValidationFailed("Some files of the app folder cannot be read.", errors)
    return result


def write_folder(root: Path, documents: list[dict[str, Any]]) -> list[Path]:
    """Write ``documents`` as canonical JSON files under ``root``; returns the files written.

    Files of document folders that no document maps to are removed, so the folder mirrors the
    documents exactly (sample data and other files are left alone).
    """
    written: list[Path] = []
    for document in documents:
        path = root / document_path(document)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dumps(document)
        if not path.exists() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))
        written.append(path)
    keep = set(written)
    for folder in FOLDERS.values():
        for stale in (root / folder).glob("*.json"):
            if stale not in keep:
                stale.unlink()
    return written


def read_samples(root: Path) -> dict[str, list[dict[str, Any]]]:
    """``sample/<entity>.jsonl`` as records by entity name."""
    samples: dict[str, list[dict[str, Any]]] = {}
    errors: list[FieldError] = []
    for path in sorted((root / "sample").glob("*.jsonl")):
        relative = path.relative_to(root).as_posix()
        rows = samples.setdefault(path.stem, [])
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(FieldError(f"{relative}#/{number}", f"invalid JSON: {exc.msg}"))
                continue
            if isinstance(row, dict):
                rows.append(row)
            else:
                errors.append(FieldError(f"{relative}#/{number}", "must be a JSON object"))
    if errors:
        raise ValidationFailed("Some sample rows cannot be read.", errors)
    return samples
