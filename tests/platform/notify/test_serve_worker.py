"""``jimu serve`` runs the delivery worker in its process, unless told not to."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from jimu.platform.cli import serve_command
from jimu.platform.settings import Settings
from jimu.platform.state import Platform


def running_workers() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name == "jimu-deliveries"]


@pytest.mark.parametrize("enabled", [True, False])
def test_serve_runs_the_delivery_worker_while_it_serves(
    platform: Platform, settings: Settings, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    seen: list[list[str]] = []

    def fake_run(_app: Any, **_options: Any) -> None:
        seen.append(running_workers())

    monkeypatch.setattr(serve_command.uvicorn, "run", fake_run)
    serve_command.serve(settings.model_copy(update={"delivery_worker": enabled}))
    assert seen == [["jimu-deliveries"] if enabled else []]
    assert running_workers() == []  # stopped when the server stops
