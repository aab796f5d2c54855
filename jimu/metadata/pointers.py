"""JSON pointers (RFC 6901)."""

from __future__ import annotations

from collections.abc import Iterable


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Iterable[str | int]) -> str:
    return "".join(f"/{escape(p)}" for p in path)


def with_file(file: str | None, ptr: str) -> str:
    """``entities/lead.json#/fields/2`` when a file is known, else the bare pointer."""
    return f"{file}#{ptr}" if file else ptr
