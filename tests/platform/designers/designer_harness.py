"""The Playwright harness every designer's browser tests use (Python, Debian's Chromium).

- :func:`designer_server`: a live server (uvicorn in a thread) on the test's database with the
  marketing app published and an administrator;
- :func:`open_browser` / :class:`DesignerBrowser`: a Chromium page signed in as a given user,
  that opens a designer in a given language (``open``) and waits until it is mounted;
- :meth:`DesignerBrowser.drag`: a REAL drag (mouse down, moves in steps, up), as SortableJS
  needs; Playwright's ``drag_to`` is too quick for it to notice;
- :meth:`DesignerBrowser.pinned_errors`: the server's errors shown beside their elements;
- every CSP violation, console error, uncaught exception and failed response (unless the test
  said it expects it: :meth:`DesignerBrowser.expect_failure`) is collected, and
  :meth:`DesignerBrowser.assert_clean` (called when the browser closes) fails the test on any.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from live_server import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, serve
from playwright.sync_api import (
    ConsoleMessage,
    Locator,
    Page,
    Response,
    expect,
    sync_playwright,
)

from jimu.app import create_app
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

REPO = Path(__file__).resolve().parents[3]
MARKETING = REPO / "examples" / "marketing"
# Publishing a whole app (a template, an import) takes seconds on a busy 2-core machine.
expect.set_options(timeout=TIMEOUT_MS)
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sample);
});
"""


def import_marketing(platform: Platform) -> None:
    from jimu.platform import metadata_store as store

    with begin_write(platform.engine) as conn:
        store.import_folder(conn, MARKETING, publish=True)


@contextmanager
def designer_server(platform: Platform) -> Iterator[str]:
    """A live server with the marketing app published; yields its base URL."""
    import_marketing(platform)
    with serve(create_app(platform=platform)) as base:
        yield base


@dataclass
class DesignerBrowser:
    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    #: (status, path) of failed responses the test provokes on purpose.
    expected_failures: set[tuple[int, str]] = field(default_factory=set)

    def expect_failure(self, status: int, path: str) -> None:
        """Do not count an answer ``status`` from ``path`` as a problem (a provoked error)."""
        self.expected_failures.add((status, path))

    def sign_in(self, username: str, password: str) -> None:
        self.page.goto(f"{self.base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        expect(self.page).not_to_have_url(f"{self.base}/login")

    def open(self, path: str, lang: str) -> Page:
        """Open the designer at ``path`` in ``lang`` (en / zh) and wait until it is mounted."""
        separator = "&" if "?" in path else "?"
        self.page.goto(f"{self.base}{path}{separator}lang={lang}")
        expect(self.page.locator("html[data-designer-ready]")).to_have_count(1)
        return self.page

    def drag(
        self, source: Locator, target: Locator, steps: int = 12, *, settle: bool = False
    ) -> None:
        """Press on ``source``, move in ``steps`` onto ``target``'s lower half, release.

        With ``settle``, pause on the way in and aim again at where ``target`` is now, as a
        person does: a list the pointer crossed on its way may have taken the dragged item
        for a moment (shifting everything below it), and SortableJS ignores the pointer for
        30 ms after each move it makes. Use it for targets whose place the drag itself moves."""
        start = source.bounding_box()
        end = target.bounding_box()
        assert start is not None and end is not None, "drag source or target is not visible"
        mouse = self.page.mouse
        mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        mouse.down()
        # A first small move starts SortableJS's drag; then glide to the target.
        mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2 + 4, steps=2)
        mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] * 0.75, steps=steps)
        if settle:
            for _ in range(2):
                self.page.wait_for_timeout(80)
                box = target.bounding_box()
                assert box is not None, "drag target went away"
                mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6, steps=3)
            self.page.wait_for_timeout(80)
        mouse.up()

    def pinned_errors(self) -> dict[str, list[str]]:
        """Pointer -> the error messages shown at the element that edits it."""
        found: dict[str, list[str]] = self.page.evaluate(
            """() => Object.fromEntries(
                 [...document.querySelectorAll('.pinned.has-error')].map((el) => [
                   el.dataset.pointer,
                   [...el.querySelectorAll(':scope > .pinned-error')]
                     .map((p) => p.textContent.trim()),
                 ]))"""
        )
        return found

    def collect_violations(self) -> None:
        try:
            violations = self.page.evaluate("window.__cspViolations || []")
        except Exception:  # the page is navigating: nothing recorded there yet
            return
        self.problems.extend(f"CSP: {v}" for v in violations)

    def assert_clean(self) -> None:
        self.collect_violations()
        assert self.problems == [], self.problems


@contextmanager
def open_browser(base: str, username: str, password: str) -> Iterator[DesignerBrowser]:
    """A Chromium page signed in as ``username``; fails at the end on any CSP violation,
    console error or uncaught exception."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            context.add_init_script(RECORD_VIOLATIONS)
            page = context.new_page()
            designer = DesignerBrowser(page, base)

            def note(message: ConsoleMessage) -> None:
                if message.text.startswith("Failed to load resource"):
                    return  # reported with its URL by note_response
                if message.type == "error" or "Content Security Policy" in message.text:
                    designer.problems.append(f"console: {message.text}")

            def note_response(response: Response) -> None:
                path = response.url.removeprefix(base).split("?")[0]
                expected = (response.status, path) in designer.expected_failures
                if response.status >= 400 and not expected and path != "/favicon.ico":
                    designer.problems.append(f"HTTP {response.status}: {response.url}")

            page.on("console", note)
            page.on("response", note_response)
            page.on("pageerror", lambda error: designer.problems.append(f"page error: {error}"))
            page.on("dialog", lambda dialog: dialog.accept())
            designer.sign_in(username, password)
            yield designer
            designer.assert_clean()
        finally:
            browser.close()


def open_options(page: Page, select: Locator) -> Locator:
    """Open an Element Plus select and answer the options of its own dropdown: the one its
    combobox names in ``aria-controls``. (Another select's dropdown may still be fading out,
    visible, and hold an option of the same name.)"""
    select.click()
    combobox = select.locator("input[role=combobox]").first
    if combobox.count() == 0:  # not an el-select: whatever dropdown is showing
        return page.locator(".el-select-dropdown__item:visible")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    listbox = combobox.get_attribute("aria-controls")
    return page.locator(f"[id='{listbox}'] .el-select-dropdown__item:visible")


def pick(page: Page, select: Locator, option: str) -> None:
    """Choose the option whose text is ``option`` in an Element Plus select, and wait until the
    select shows it (on a loaded machine the next step must not start before it rendered)."""
    options = open_options(page, select)
    exact = re.compile(rf"^\s*{re.escape(option)}\s*$")
    options.filter(has_text=exact).first.click()
    expect(select).to_contain_text(option)


def pick_field(page: Page, scope: Locator, name: str) -> None:
    """Choose the field ``name`` in the (first) field picker within ``scope``, and wait until
    the picker shows its label."""
    picker = scope.locator(".field-picker").first
    item = open_options(page, picker).and_(page.locator(f"[data-field={name}]"))
    label = item.locator(".field-label").inner_text().strip()
    item.click()
    expect(picker).to_contain_text(label)
