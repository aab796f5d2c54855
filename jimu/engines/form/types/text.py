"""Text-like field types: text, textarea, richtext, email, phone, url."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

import sqlalchemy as sa

from jimu.engines.form.model import Field
from jimu.engines.form.patterns import one_line
from jimu.engines.form.types.base import Converter, FieldContext, FieldType, InvalidValue
from jimu.engines.form.types.rich_html import sanitize_html

_LENGTH_PARAMS = {
    "min_length": {"type": "integer", "minimum": 0},
    "max_length": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "pattern": {"type": "string", "format": "regex"},
}


def _as_text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue("must be text", "type")
    return str(value)


class TextType(FieldType):
    name = "text"
    label: ClassVar = {"en": "Single-line text", "zh": "单行文本"}
    widget = "input"
    params: ClassVar = _LENGTH_PARAMS
    textual = True
    default_max = 255

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(int(field.get("max_length") or self.default_max))

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        limit = int(field.get("max_length") or self.default_max)

        def parse(value: Any) -> str:
            text = _as_text(value).strip()
            if "\n" in text or "\r" in text:
                raise InvalidValue("must be a single line", "format")
            if len(text) > limit:
                raise InvalidValue(f"must be at most {limit} characters long", "max_length")
            return text

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": one_line(self.limit(field))}

    def limit(self, field: Field) -> int:
        return int(field.get("max_length") or self.default_max)


class TextareaType(FieldType):
    name = "textarea"
    label: ClassVar = {"en": "Long text", "zh": "多行文本"}
    widget = "textarea"
    params: ClassVar = _LENGTH_PARAMS
    textual = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> str:
            return _as_text(value).replace("\r\n", "\n")

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string"}


class RichTextType(TextareaType):
    name = "richtext"
    label: ClassVar = {"en": "Rich text", "zh": "富文本"}
    widget = "richtext"

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> str:
            return sanitize_html(_as_text(value))

        return parse


#: An http(s) address with a host (what the parser keeps; it also completes "example.com").
#: A web address as the JSON Schema says it. No whitespace and no control character anywhere
#: (Python's whitespace includes \x1c-\x1f and \x85, ECMA's \s does not: both are listed).
WEB_ADDRESS = r"^https?://[^/?#\s\x00-\x1f\x7f\x85\[\]]+(?:[/?#][^\s\x00-\x1f\x7f\x85]*)?$"
_UNSAFE_IN_ADDRESS = re.compile(r"[\s\x00-\x1f\x7f\x85]")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class EmailType(FieldType):
    name = "email"
    label: ClassVar = {"en": "Email", "zh": "邮箱"}
    widget = "email"
    textual = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(320)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> str:
            text = _as_text(value).strip()
            if len(text) > 320 or not _EMAIL.match(text):
                raise InvalidValue("must be an email address like name@example.com", "format")
            local, domain = text.rsplit("@", 1)
            return f"{local}@{domain.lower()}"

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


_PHONE_NOISE = re.compile(r"[\s\-().]")
#: A Chinese mobile number (11 digits, 13x..19x).
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
#: A Chinese landline without its trunk 0: a 2-digit area code (10 Beijing, 2x) and an 8-digit
#: subscriber number, or a 3-digit area code (3xx..9xx) and a 7- or 8-digit one.
_CN_LANDLINE = re.compile(r"(?:(?:10|2\d)[1-9]\d{7}|[3-9]\d{2}[1-9]\d{6,7})")
#: Nationwide service numbers (400/800), dialled without a trunk 0.
_CN_SERVICE = re.compile(r"[48]00\d{7}")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def _chinese_number(national: str) -> str | None:
    """The number after ``+86`` for a Chinese number written nationally, or None."""
    if _CN_MOBILE.fullmatch(national) or _CN_SERVICE.fullmatch(national):
        return national
    if national.startswith("0") and _CN_LANDLINE.fullmatch(national[1:]):
        return national[1:]
    return None


def normalize_phone(raw: str) -> str:
    """``raw`` in E.164 form (``+8613812345678``); Chinese numbers may omit ``+86``.

    Chinese mobiles (``13812345678``), landlines with their area code in the national form
    (``010-12345678``, ``0755-1234 5678``) or the international one (``+86 10 1234 5678``,
    also ``+86 (0)10 ...``) and 400/800 service numbers are checked digit by digit; other
    countries' numbers need a leading ``+`` (or ``00``) and are checked for E.164 length only.
    """
    text = raw.strip()
    if not text.isdigit():
        text = _PHONE_NOISE.sub("", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        national = _chinese_number(text)
        if national is not None:
            return "+86" + national
    elif text.startswith("+86"):
        rest = text[3:]
        if _CN_LANDLINE.fullmatch(rest):
            return text
        national = _chinese_number(rest)
        if national is not None:
            return "+86" + national
        raise InvalidValue("is not a valid Chinese phone number", "format")
    elif _E164.fullmatch(text):
        return text
    raise InvalidValue(
        "must be a phone number like 13812345678, 010-12345678 or +86 10 1234 5678", "format"
    )


class PhoneType(FieldType):
    name = "phone"
    label: ClassVar = {"en": "Phone", "zh": "电话"}
    widget = "phone"

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(32)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> str:
            return normalize_phone(_as_text(value))

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": PHONE_PATTERN}


#: A phone number as stored (E.164); after +86 only what ``normalize_phone`` accepts as Chinese.
PHONE_PATTERN = (
    r"^\+(?:[1-79]\d{6,14}|8[0-57-9]\d{5,13}"
    r"|86(?:1[3-9]\d{9}|[48]00\d{7}|(?:10|2\d)[1-9]\d{7}|[3-9]\d{2}[1-9]\d{6,7}))$"
)


class UrlType(FieldType):
    name = "url"
    label: ClassVar = {"en": "URL", "zh": "网址"}
    widget = "url"
    textual = True

    def column_type(self, field: Field, ctx: FieldContext) -> sa.types.TypeEngine[Any]:
        return sa.String(2048)

    def parser(self, field: Field, ctx: FieldContext) -> Converter:
        def parse(value: Any) -> str:
            text = _as_text(value).strip()
            if "://" not in text and "." in text and " " not in text:
                text = "https://" + text
            try:
                parts = urlsplit(text)
            except ValueError:  # e.g. an unclosed "[" of an IPv6 host
                parts = None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                raise InvalidValue("must be a web address like https://example.com", "format")
            if _UNSAFE_IN_ADDRESS.search(text):
                raise InvalidValue("must be a web address like https://example.com", "format")
            if len(text) > 2048:
                raise InvalidValue("must be at most 2048 characters long", "max_length")
            return text

        return parse

    def value_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": WEB_ADDRESS, "maxLength": 2048}
