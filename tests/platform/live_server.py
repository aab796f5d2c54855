"""Real servers and a real browser for tests: uvicorn in a thread on a free port, and the
launch options of Debian's Chromium (tests/platform is on sys.path: ``import live_server``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Playwright's default timeout for the browser tests. Generous: CI runs two workers and their
#: browsers on two shared cores, where a publish (validate the app, plan its tables) once took
#: over 15 s. A passing test never waits for it.
TIMEOUT_MS = 30_000
STARTUP_WAIT_SECONDS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a free port; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(STARTUP_WAIT_SECONDS * 20):
        if server.started:
            break
        ready.wait(0.05)
    if not server.started:
        server.should_exit = True
        raise RuntimeError("the uvicorn server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_WAIT_SECONDS)
