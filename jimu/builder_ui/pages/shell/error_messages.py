"""The record service's field messages, and the messages error pages show, in Chinese.

The service (and so the API) speaks English; a page shown in Chinese says the same thing in
Chinese: a field's problem next to its input or in the import's list of problems, a 403 or 404
page's explanation, a list query's problem above the list. Each entry is a pattern of one
English message and its Chinese wording; the parts in braces are carried over (a limit, a
value, a file name). A message without an entry is shown as the service wrote it, so nothing
is ever lost.
"""

from __future__ import annotations

import re

_ZH: list[tuple[str, str]] = [
    (r"is required", "必填"),
    (r"is required at this step", "本步骤必填"),
    (r"is read-only at this step", "本步骤只读,不能修改"),
    (r"'(?P<f>.+)' is not a field of this task's record", "{f} 不是本任务记录的字段"),
    (r"must be a number", "必须是数字"),
    (r"must be a whole number", "必须是整数"),
    (r"must be a whole number from 0 to (?P<top>\S+)", "必须是 0 到 {top} 之间的整数"),
    (r"must have at most (?P<n>\d+) decimal places", "最多 {n} 位小数"),
    (
        r"must have at most (?P<n>\d+) significant digits \(this database, SQLite, stores no"
        r" more exactly\)",
        "最多 {n} 位有效数字(当前数据库 SQLite 无法精确保存更多位)",
    ),
    (r"must be at most (?P<n>\d+) characters long", "最多 {n} 个字符"),
    (r"must be at least (?P<n>\d+) characters long", "至少 {n} 个字符"),
    (r"must be at least (?P<n>.+)", "不能小于 {n}"),
    (r"must be at most (?P<n>.+)", "不能大于 {n}"),
    (r"must match the pattern (?P<p>.+)", "格式不符合要求({p})"),
    (r"must be text", "必须是文本"),
    (r"must be a single line", "只能是一行文字"),
    (r"must be true or false", "必须是“是”或“否”"),
    (r"must be one of: (?P<o>.+)", "必须是以下之一:{o}"),
    (r"(?P<v>.+) is not one of: (?P<o>.+)", "{v} 不是可选项(可选:{o})"),
    (r"must be a list of options", "必须是选项列表"),
    (r"must be an email address like name@example\.com", "请输入正确的邮箱,如 name@example.com"),
    (r"is not a valid Chinese phone number", "不是有效的中国手机或座机号码"),
    (
        r"must be a phone number like .+",
        "请输入正确的电话号码,如 13812345678、010-12345678 或 +86 10 1234 5678",
    ),
    (r"must be a web address like https://example\.com", "请输入正确的网址,如 https://example.com"),
    (r"must be at most 2048 characters long", "最多 2048 个字符"),
    (r"must be a date like (?P<d>\S+)", "请输入日期,如 {d}"),
    (r"must be a date and time like (?P<d>\S+)", "请输入日期和时间,如 {d}"),
    (r"must be the id of a record \(a positive whole number\)", "必须是记录编号(正整数)"),
    (r"must be a list of record ids", "必须是记录编号的列表"),
    (r"must be a list of rows", "必须是行的列表"),
    (r"must be a list of uploaded files", "必须是已上传文件的列表"),
    (r"must have at most (?P<n>\d+) files", "最多 {n} 个文件"),
    (r"each file must be an uploaded file's key", "每个文件都必须是已上传的文件"),
    (r"file (?P<n>\d+) is not an uploaded file", "第 {n} 个文件不是已上传的文件"),
    (r"file (?P<n>\d+) belongs to another record", "第 {n} 个文件属于另一条记录"),
    (r"file (?P<n>\d+) was uploaded for another field", "第 {n} 个文件是为另一个字段上传的"),
    (r"file (?P<n>\d+) was uploaded by someone else", "第 {n} 个文件是别人上传的"),
    (r"file (?P<n>\d+) is attached twice", "第 {n} 个文件重复添加"),
    (r"was attached by another write", "已被另一次保存添加,请刷新后重试"),
    (r"is not an attachment field", "不是附件字段"),
    (r"(?P<f>.+) is larger than (?P<n>\d+) bytes", "{f} 超过 {n} 字节"),
    (r"(?P<f>.+) is not an accepted file type", "{f} 的文件类型不被接受"),
    (r"must be a province, city and district", "请选择省、市、区"),
    (r"must name at least a province", "至少选择省份"),
    (r"(?P<v>.+) is already taken", "{v} 已被占用"),
    (r"(?P<v>.+) is used twice", "{v} 重复出现"),
    (r"there is no user (?P<n>.+)", "用户 {n} 不存在"),
    (r"there is no (?P<e>\w+) record (?P<n>.+)", "找不到记录 {n}"),
    (r"is read-only for you", "你只能查看,不能修改"),
    (
        r"a field you may not see has a problem; ask an administrator",
        "有一个你看不到的字段不符合要求,请联系管理员",
    ),
    (r"is stale", "已被他人修改,请刷新后重试"),
    (r"is computed and cannot be set", "是计算字段,不能填写"),
    (r"is not a field of this entity", "不是这个表单的字段"),
    (r"'(?P<f>\w+)' is not a field of (?P<e>\w+)", "{f} 不是这个表单的字段"),
]
#: How the access policy's verbs read in Chinese (``You may not change ... records.``).
_VERBS_ZH = {
    "create": "新建",
    "read": "查看",
    "change": "修改",
    "delete": "删除",
    "export": "导出",
    "import": "导入",
}
#: What error pages, the import and the record list say besides a field's problem.
_PAGES_ZH: list[tuple[str, str]] = [
    (r"There is no (?P<e>\w+) record (?P<n>\d+)\.", "找不到编号为 {n} 的记录(它可能已被删除)。"),
    (r"There is no published app '(?P<a>.+)'\.", "没有已发布的应用“{a}”。"),
    (r"The app '(?P<a>.+)' has no entity '(?P<e>.+)'\.", "应用“{a}”中没有“{e}”。"),
    (r"There is no (?P<k>\w+) '(?P<n>.+)'.* in the app '(?P<a>.+)'\.", "应用“{a}”中没有“{n}”。"),
    (r"There is no public form '(?P<s>.+)'\.", "没有公开表单“{s}”。"),
    (r"There is no such attachment\.", "没有这个附件。"),
    (r"There is no user (?P<n>.+)\.", "用户 {n} 不存在。"),
    (r"There is no department (?P<n>.+)\.", "部门 {n} 不存在。"),
    (r"The uploaded file is no longer available\.", "上传的文件已失效,请重新上传。"),
    (r"Single sign-on is not set up .*", "尚未配置单点登录。"),
    (r"Only administrators may do this\.", "只有管理员可以执行此操作。"),
    (r"Only administrators may delete records for good\.", "只有管理员可以彻底删除记录。"),
    (
        r"You hold no role in '(?P<a>.+)' that reaches its records\.",
        "你在应用“{a}”中没有能访问记录的角色,请联系管理员。",
    ),
    *[
        (rf"You may not {verb} (?P<l>.+) records\.", f"你无权{zh}{{l}}记录。")
        for verb, zh in _VERBS_ZH.items()
    ],
    *[
        (
            rf"You may not {verb} the (?P<e>\w+) record (?P<n>\d+)\.",
            f"你无权{zh}编号为 {{n}} 的记录。",
        )
        for verb, zh in _VERBS_ZH.items()
    ],
    # The record list's query.
    (r"cannot sort by '(?P<f>.+)'", "不能按“{f}”排序"),
    (r"is not a valid cursor", "不是有效的翻页位置,请回到第一页"),
    (r"must be from 1 to (?P<n>\d+)", "必须在 1 到 {n} 之间"),
    # The import's file and columns.
    (r"no (?P<e>\w+) records are called (?P<v>.+)", "没有名为 {v} 的记录"),
    (
        r"(?P<c>\d+) (?P<e>\w+) records are called (?P<v>.+)",
        "有 {c} 条记录都名为 {v},无法确定是哪一条",
    ),
    (r"there is no such column in the file", "文件中没有这一列"),
    (r"'(?P<f>.+)' is already filled from the column '(?P<c>.*)'", "这个字段已由“{c}”列填写"),
    (
        r"columns (?P<a>\d+) and (?P<b>\d+) are both called '(?P<n>.*)': rename one of them in "
        r"the file",
        "第 {a} 列和第 {b} 列都叫“{n}”:请在文件中给其中一列改名",
    ),
    (r"must be UTF-8 encoded CSV", "必须是 UTF-8 编码的 CSV 文件"),
]
_COMPILED = [(re.compile(f"^{pattern}$"), text) for pattern, text in [*_ZH, *_PAGES_ZH]]


def in_chinese(message: str) -> str | None:
    """The Chinese wording of a service or page message, or None if there is none."""
    for pattern, text in _COMPILED:
        found = pattern.match(message)
        if found:
            return text.format(**found.groupdict())
    return None


def in_language(message: str, language: str) -> str:
    """``message`` (English) in ``language``: its Chinese wording when there is one."""
    if language == "zh":
        return in_chinese(message) or message
    return message
