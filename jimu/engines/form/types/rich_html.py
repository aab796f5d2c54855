"""Sanitising rich text: the HTML the rich-text editor (Trix) writes, and nothing that runs.

The work is done by nh3 (Python bindings of the Rust ``ammonia`` sanitiser, MIT licence), which
parses the fragment as a browser would (so unclosed tags, entities such as ``jav&#x61;script:``
and odd spellings like ``<svg/onload=...>`` are seen as a browser sees them) and writes back only
the allowed tags and attributes. Links may only use the schemes in :data:`URL_SCHEMES`.
"""

from __future__ import annotations

import nh3

#: The tags Trix produces (blocks, inline formatting, lists, links, attachments' figures),
#: and a few common ones pasted from elsewhere that carry no behaviour.
TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "div",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "u",
        "ul",
    }
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Removed together with everything inside them (not just their tags).
DROPPED_WITH_CONTENT = frozenset({"script", "style"})


def sanitize_html(html: str) -> str:
    """``html`` with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
