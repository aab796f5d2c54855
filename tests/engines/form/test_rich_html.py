"""The rich-text sanitiser: what browsers would run is gone, the editor's formatting stays."""

from __future__ import annotations

import pytest

from jimu.engines.form.types.rich_html import sanitize_html

ATTACKS = [
    ("<svg/onload=alert(1)>hello", "hello"),
    ('<p>before<script src="https://evil.example/x.js">', "<p>before</p>"),
    ("<p>before<script src=//evil.example/x.js>", "<p>before</p>"),
    ('<a href="jav&#x61;script:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<a href="  javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    (
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<a rel="noopener noreferrer nofollow">x</a>',
    ),
    ("<img src=x onerror=alert(1)>", '<img src="x">'),
    ("<iframe src=https://evil.example></iframe>after", "after"),
    ("<style>body{display:none}</style>text", "text"),
    ('<div style="position:fixed;inset:0">x</div>', "<div>x</div>"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
    ('<form action="https://evil.example"><input name=p></form>', ""),
    ("<!-- <script>alert(1)</script> -->ok", "ok"),
]


@pytest.mark.parametrize(("dirty", "clean"), ATTACKS)
def test_what_a_browser_would_run_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_the_editors_formatting_survives() -> None:
    trix = (
        "<div><strong>Bold</strong> <em>italic</em> <del>struck</del><br>next line</div>"
        "<h1>Heading</h1><blockquote>Quote</blockquote><pre>code  block</pre>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        '<div><a href="https://example.com/a?b=1&amp;c=2">link</a> '
        '<a href="mailto:li@example.com">mail</a> <a href="/apps/crm">inside</a></div>'
    )
    expected = trix.replace('">', '" rel="noopener noreferrer nofollow">')
    assert sanitize_html(trix) == expected


def test_sanitising_twice_changes_nothing() -> None:
    once = sanitize_html('<p>a<svg/onload=alert(1)><a href="https://x.example">b</a></p>')
    assert sanitize_html(once) == once
