"""Explains a syntax error of the parser in words an admin understands, in English and Chinese."""

from __future__ import annotations

import re
from collections.abc import Collection

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from jimu.engines.expr.formula_errors import FormulaProblem

_VALUE_START = frozenset(
    {"NUMBER", "STRING", "NAME", "BRACED", "CONTEXT", "LPAR", "LSQB", "MINUS", "PLUS", "BANG"}
)
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
_FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "【": "[",
    "】": "]",
    "＝": "=",
    "＞": ">",
    "＜": "<",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "＆": "&",
    "｛": "{",
    "｝": "}",
    "！": "!",
}


def end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last character that is not white space."""
    stripped = text.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


def _shown(token: Token) -> str:
    if token.type == "STRING":
        return f"the text {token}"
    return f"'{token}'"


def _shown_zh(token: Token) -> str:
    if token.type == "STRING":
        return f"文本 {token}"
    return f"“{token}”"


def explain(error: UnexpectedInput, text: str) -> FormulaProblem:
    if isinstance(error, UnexpectedCharacters):
        return _characters(error, text)
    if isinstance(error, UnexpectedToken):
        if error.token.type == "$END":
            return _early_end(error.expected, text)
        return _token(error.token, error.expected, text)
    line, column = error.line, error.column
    return FormulaProblem(line, column, "this formula is not valid", "公式写法不正确")


def _characters(error: UnexpectedCharacters, text: str) -> FormulaProblem:
    line, column = error.line, error.column
    position = error.pos_in_stream or 0
    char = text[position] if position < len(text) else ""
    if char in _FULL_WIDTH:
        plain = _FULL_WIDTH[char]
        en = f"'{char}' is a full-width (Chinese) character; type '{plain}' instead"
        zh = f"“{char}”是中文全角字符，请改用半角的 {plain}"
    elif char in "\"'":
        en = f"this text has no closing quote {char}"
        zh = f"这段文本缺少结尾的引号 {char}"
    elif char == "{":
        en = "this field name has no closing brace }"
        zh = "这个字段名缺少右大括号 }"
    elif char == "}":
        en = "there is a closing brace } without a matching {"
        zh = "多了一个右大括号 }，没有与之对应的 {"
    elif char == ";":
        en = "use a comma ',' to separate values, not ';'"
        zh = "请用逗号 , 分隔各个值，而不是分号 ;"
    elif char == "|" or char == "$":
        en = f"'{char}' cannot be used here"
        zh = f"这里不能使用“{char}”"
    else:
        en = f"the character '{char}' is not allowed in a formula"
        zh = f"公式中不能使用字符“{char}”"
    return FormulaProblem(line, column, en, zh)


def _early_end(expected: Collection[str], text: str) -> FormulaProblem:
    line, column = end_position(text)
    if not text.strip():
        return FormulaProblem(1, 1, "the formula is empty", "公式是空的")
    if "RPAR" in expected:
        en, zh = "a closing parenthesis ')' is missing", "缺少右括号 )"
    elif "RSQB" in expected:
        en, zh = "a closing bracket ']' is missing", "缺少右方括号 ]"
    else:
        en = "the formula ends too early; a value is missing at the end"
        zh = "公式不完整，末尾缺少一个值"
    return FormulaProblem(line, column, en, zh)


def _token(token: Token, expected: Collection[str], text: str) -> FormulaProblem:
    line, column = token.line or 0, token.column or 0
    wants_value = bool(_VALUE_START.intersection(expected))
    opened = open_brackets(text, token.start_pos or 0)
    depth = len(opened)
    if token.type in ("RPAR", "RSQB") and depth == 0:
        en, zh = _unmatched(token)
    elif token.type == "RPAR" and opened.endswith("["):
        en, zh = "a closing bracket ']' is missing before ')'", "“)” 前面缺少右方括号 ]"
    elif token.type == "RSQB" and opened.endswith("("):
        en, zh = "a closing parenthesis ')' is missing before ']'", "“]” 前面缺少右括号 )"
    elif wants_value and token.type not in _VALUE_START:
        en = f"a value is missing before {_shown(token)}"
        zh = f"{_shown_zh(token)} 前面缺少一个值"
    elif token.type in _VALUE_START:
        en, zh = _missing_separator(token, depth > 0, text)
    elif token.type in ("RPAR", "RSQB"):
        en, zh = _unmatched(token)
    elif token.type == "COMMA" and _THOUSANDS.match(text, max((token.start_pos or 0) - 1, 0)):
        en = "write numbers without thousands separators, like 10000"
        zh = "数字请不要写千位分隔符，例如 10000"
    elif token.type == "COMMA":
        en = "a comma ',' can only separate the values of a function, like IF(a, b, c)"
        zh = "逗号 , 只能用来分隔函数的各个值，例如 IF(a, b, c)"
    else:
        en = f"{_shown(token)} is not expected here"
        zh = f"这里不应出现 {_shown_zh(token)}"
    return FormulaProblem(line, column, en, zh)


def _unmatched(token: Token) -> tuple[str, str]:
    if token.type == "RPAR":
        return (
            "there is a closing parenthesis ')' without a matching '('",
            "多了一个右括号 )，没有与之对应的左括号 (",
        )
    return (
        "there is a closing bracket ']' without a matching '['",
        "多了一个右方括号 ]，没有与之对应的 [",
    )


def open_brackets(text: str, end: int) -> str:
    """The ( and [ still open at offset ``end`` of ``text``, innermost last (quotes and braces
    skipped)."""
    opened, index, closer = "", 0, ""
    while index < end:
        char = text[index]
        if closer:
            if char == "\\":
                index += 1
            elif char == closer:
                closer = ""
        elif char in "\"'":
            closer = char
        elif char == "{":
            closer = "}"
        elif char in "([":
            opened += char
        elif char in ")]":
            opened = opened[:-1]
        index += 1
    return opened


def _missing_separator(token: Token, inside: bool, text: str) -> tuple[str, str]:
    previous = _word_before(text, token)
    if token.type == "NAME" and previous:
        both = f"{previous} {token}"
        return (
            f"an operator is missing between '{previous}' and '{token}'; if '{both}' is one "
            f"field name, write it in braces: {{{both}}}",
            f"“{previous}”和“{token}”之间缺少运算符；如果“{both}”是一个字段名，"
            f"请用大括号括起来：{{{both}}}",
        )
    if inside:
        return (
            f"a comma ',' or an operator is missing before {_shown(token)}",
            f"{_shown_zh(token)} 前面缺少逗号 , 或运算符",
        )
    return (
        f"an operator is missing before {_shown(token)}",
        f"{_shown_zh(token)} 前面缺少运算符",
    )


def _word_before(text: str, token: Token) -> str:
    """The field name written just before ``token`` (separated by spaces only), if any."""
    start = token.start_pos or 0
    before = text[:start].rstrip(" \t")
    if len(before) == len(text[:start]):
        return ""
    end = len(before)
    begin = end
    while begin > 0 and (before[begin - 1].isalnum() or before[begin - 1] in "_."):
        begin -= 1
    word = before[begin:end]
    return word if word and not word[0].isdigit() else ""
