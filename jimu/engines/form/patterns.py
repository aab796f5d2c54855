"""Pieces of OpenAPI ``pattern`` strings that read text as the server's Python does.

JSON Schema patterns are ECMA-262 regular expressions, and the tools that check them (and
the fuzz suite's generators, which use Python's ``re``) disagree on ``\\s``: ECMA's has
U+FEFF but not U+001C..U+001F or U+0085, Python's ``str.strip`` the other way round. A
pattern describing text that the server strips spells the whitespace out instead.
"""

from __future__ import annotations

#: The characters ``str.strip()`` removes (``str.isspace``), as a character class body.
_SPACES = r"\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SPACE = f"[{_SPACES}]"
NOT_SPACE = f"[^{_SPACES}]"


def one_line(limit: int, *, required: bool = False) -> str:
    """A single-line text as the server reads it: stripped, then at most ``limit`` characters
    and no line break (``required``: not blank). The length is in the pattern, not in
    ``maxLength``, which would count the blanks that stripping removes."""
    inner = NOT_SPACE if limit < 2 else rf"{NOT_SPACE}(?:[^\r\n]{{0,{limit - 2}}}{NOT_SPACE})?"
    return rf"^{SPACE}*(?:{inner}){'' if required else '?'}{SPACE}*$"
