"""An app folder as a zip: written with sorted names and fixed times (the same app gives the
same bytes) and read back into a directory with the limits an upload needs.

Reading refuses what could escape the target directory (absolute paths, ``..``), links, and
archives over :data:`MAX_FILES` files or :data:`MAX_BYTES` unpacked; a zip whose documents sit
in one top folder (``marketing/app.json``, as zipping a folder does) is read from that folder.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from jimu.errors import FieldError, ValidationFailed

MAX_FILES = 2000
MAX_BYTES = 50 * 1024 * 1024
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def zip_folder(root: Path) -> bytes:
    """The files under ``root`` as a zip (sorted, fixed times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed("The zip is not an app folder.", [FieldError("/file", message)])


def _safe_name(info: zipfile.ZipInfo) -> PurePosixPath:
    name = PurePosixPath(info.filename)
    if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
        raise _refuse(f"{info.filename!r} points outside the folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(f"{info.filename!r} is a link")
    return name


def unzip_folder(data: bytes, target: Path) -> Path:
    """Unpack ``data`` under ``target``; returns the app folder (the one holding app.json)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse("is not a zip file") from exc
    with archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        if len(files) > MAX_FILES:
            raise _refuse(f"holds more than {MAX_FILES} files")
        if sum(info.file_size for info in files) > MAX_BYTES:
            raise _refuse(f"unpacks to more than {MAX_BYTES // (1024 * 1024)} MB")
        for info in files:
            path = target.joinpath(*_safe_name(info).parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(info))
    if (target / "app.json").is_file():
        return target
    tops = [p for p in target.iterdir() if p.is_dir() and (p / "app.json").is_file()]
    if len(tops) == 1:
        return tops[0]
    raise _refuse("has no app.json (at its top or in one top folder)")
