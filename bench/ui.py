"""Benchmark: what each designer page costs the browser, on the demo's marketing app.

    .venv/bin/python bench/ui.py [--loads 5]

For each designer page it prints the JavaScript and CSS the page loads from
``/static/designers/`` as gzip bytes (level 6, as a server or proxy would send them), the
shared runtime apart from the designer's own files, and the median time from navigation start
to the first usable render (the designer mounted: ``html[data-designer-ready-ms]``) in headless
Chromium (Debian's), over ``--loads`` cold loads (a fresh browser context each). Targets:
<= 350 KB per designer besides the shared runtime, <= 1 s. Then, in the entity designer on a
draft entity of 200 fields, the median time from moving a field (its down arrow, the same
store change as a drag) to the next animation frame, the DOM updated: target < 50 ms.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from playwright.sync_api import Response, sync_playwright

from jimu.app import create_app
from jimu.platform import metadata_store as store
from jimu.platform.auth.users import create_user
from jimu.platform.db import begin_write
from jimu.platform.demo import examples_dir
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PASSWORD = "bench-password-1"
#: (designer, page) pairs measured.
PAGES = [
    ("app (list)", "/design/apps"),
    ("app (editor)", "/design/apps/marketing"),
    ("entity (lead)", "/design/apps/marketing/entities/lead"),
    ("form (lead, default)", "/design/apps/marketing/entities/lead/forms/default"),
    ("rule (new, lead)", "/design/apps/marketing/rules/bench_rule?entity=lead"),
    ("report (pipeline)", "/design/apps/marketing/reports/pipeline_by_stage"),
    ("view (new, lead)", "/design/apps/marketing/views/lead/bench_view"),
    ("role (sales rep)", "/design/apps/marketing/roles/sales_rep"),
    ("organisation", "/admin/organisation"),
    ("dashboard (sales)", "/design/apps/marketing/dashboards/sales"),
    ("flow (contract)", "/design/apps/marketing/flows/contract_approval"),
    ("flow (service)", "/design/apps/marketing/flows/service_ticket"),
]
WIDE_FIELDS = 200
WIDE_PAGE = "/design/apps/marketing/entities/wide"
#: Moves the first field down, then waits for the next frame; returns the elapsed ms.
REORDER_JS = """async () => {
  const button = document.querySelector('.field-row .move-down');
  const start = performance.now();
  button.click();
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  return performance.now() - start;
}"""


@contextmanager
def server(platform: Platform) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(create_app(platform=platform), port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


def demo_platform(root: Path) -> Platform:
    settings = Settings(
        data_dir=root / "data", database_url=f"sqlite:///{root}/bench.db", secret_key="bench"
    )
    platform = Platform.from_settings(settings)
    upgrade(platform.engine)
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, examples_dir(), publish=True)
        fields = [{"name": f"f{i}", "type": "text"} for i in range(WIDE_FIELDS)]
        wide = {"kind": "entity", "name": "wide", "label": {"en": "Wide"}, "fields": fields}
        store.save_draft(conn, "marketing", "entity", "wide", wide)
    with platform.sessions() as db:
        create_user(db, "admin", PASSWORD, is_admin=True)
        db.commit()
    return platform


def collector(into: list[Response]) -> Callable[[Response], None]:
    """A response handler that keeps every response in ``into`` (Playwright wants a function)."""

    def keep(response: Response) -> None:
        into.append(response)

    return keep


def kb(size: int) -> str:
    return f"{size / 1024:7.1f} KB"


def measure(base: str, path: str, loads: int) -> tuple[dict[str, int], float]:
    """gzip bytes by part (runtime JS/CSS, designer JS/CSS) and the median ready time (ms)."""
    sizes: dict[str, int] = {}
    times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for i in range(loads):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/login")
                page.fill("#username", "admin")
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/apps")
                responses: list[Response] = []
                page.on("response", collector(responses))
                page.goto(base + path)
                page.wait_for_selector("html[data-designer-ready-ms]")
                ready = page.get_attribute("html", "data-designer-ready-ms")
                times.append(float(ready or "nan"))
                if i == 0:
                    for response in (r for r in responses if "/static/designers/" in r.url):
                        name = response.url.rsplit("/", 1)[-1].split("?")[0]
                        part = "runtime" if name.startswith("runtime-") else "designer"
                        kind = "css" if name.endswith(".css") else "js"
                        size = len(gzip.compress(response.body(), compresslevel=6))
                        sizes[f"{part} {kind}"] = sizes.get(f"{part} {kind}", 0) + size
                context.close()
        finally:
            browser.close()
    return sizes, statistics.median(times)


def measure_reorder(base: str, moves: int = 30) -> float:
    """The median ms from moving a field of the 200-field entity to the next frame."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context().new_page()
            page.goto(f"{base}/login")
            page.fill("#username", "admin")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/apps")
            page.goto(base + WIDE_PAGE)
            page.wait_for_selector("html[data-designer-ready-ms]")
            times = [float(page.evaluate(REORDER_JS)) for _ in range(moves)]
        finally:
            browser.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    loads = parser.parse_args().loads
    with tempfile.TemporaryDirectory() as tmp, server(demo_platform(Path(tmp))) as base:
        print(f"designer pages, gzip level 6, median of {loads} cold loads (headless Chromium)")
        header = f"{'page':<16}{'runtime JS':>12}{'runtime CSS':>12}"
        print(header + f"{'designer JS':>12}{'designer CSS':>13}{'ready':>9}")
        for name, path in PAGES:
            sizes, ready = measure(base, path, loads)
            row = [sizes.get(k, 0) for k in ("runtime js", "runtime css", "designer js")]
            row.append(sizes.get("designer css", 0))
            print(f"{name:<16}" + "".join(f"{kb(v):>12}" for v in row) + f"{ready:>8.0f}ms")
        print("targets: designer JS+CSS <= 350 KB besides the shared runtime; ready <= 1000 ms")
        reorder = measure_reorder(base)
        print(f"entity designer, {WIDE_FIELDS} fields: move a field to next frame {reorder:.1f} ms")
        print("target: < 50 ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
