"""Chinese for what click and typer print themselves: a bad option value, an unknown option, a
missing argument, the usage line, the error panel's and help panels' titles. Every message a user
sees is Chinese.

click's messages are built in English by the exception classes (typer ships its own copy of
click, with the texts inline), so they are translated where they are raised: ChineseGroup and
ChineseCommand wrap each usage error's `format_message` with translate(). A message this table
does not know passes through unchanged.
"""
from __future__ import annotations

import re

import typer
from typer.core import TyperCommand, TyperGroup

_KIND = {"File": "文件", "Directory": "文件夹", "Path": "路径", "file": "文件", "directory": "文件夹",
         "path": "路径", "integer": "整数", "float": "数字", "number": "数字", "boolean": "是/否值"}

# (English pattern over a whole message, Chinese), tried in order; groups may be translated again
PATTERNS: list[tuple[re.Pattern, str]] = [(re.compile(p, re.S), zh) for p, zh in [
    (r"Invalid value for (?P<hint>.+?): (?:Value error, )?(?P<rest>.*)", "{hint} 的值无效：{rest}"),
    (r"Invalid value: (?:Value error, )?(?P<rest>.*)", "参数值无效：{rest}"),
    (r"(?P<value>.+?) is not one of (?P<choices>.+?)\.?", "{value} 不是可用的值（可用：{choices}）"),
    (r"(?P<value>.+?) is not (?P<choice>'[^']*')\.?", "{value} 不是可用的值（只能是 {choice}）"),
    (r"(?P<value>.+?) is not a valid (?P<kind>integer|float|boolean)\.?(?P<rest>.*)", "{value} 不是有效的{kind}{rest}"),
    (r"(?P<value>\S+) is not in the range (?P<range>.+?)\.?", "{value} 不在范围 {range} 之内"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+?) does not exist\.?", "{kind} {name} 不存在"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+?) is a directory\.?", "{kind} {name} 是文件夹"),
    (r"(?P<kind>File|Directory|Path) (?P<name>.+?) is a file\.?", "{kind} {name} 是文件"),
    (r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<options>.*)\)| Did you mean (?P<mean>.*)\?)?",
     "没有这个选项：{name}{options}{mean}"),
    (r"No such command (?P<name>.+?)\.?", "没有这个命令：{name}"),
    (r"Missing argument (?P<name>.+?)\.?", "缺少参数 {name}"),
    (r"Missing option (?P<name>.+?)\.?(?P<rest>.*)", "缺少选项 {name}{rest}"),
    (r"Missing parameter:? ?(?P<name>.*?)\.?", "缺少参数 {name}"),
    (r"Missing command\.?", "缺少命令"),
    (r"Option (?P<name>.+?) requires an argument\.?", "选项 {name} 需要一个值"),
    (r"Option (?P<name>.+?) requires (?P<n>\d+) arguments\.?", "选项 {name} 需要 {n} 个值"),
    (r"Option (?P<name>.+?) does not take a value\.?", "选项 {name} 不带值"),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", "多余的参数（{args}）"),
    # typer's own coercion (pydantic-style wording)
    (r"Input should be a valid (?P<kind>integer|float|number|boolean)\b.*", "应为{kind}"),
]]


def translate(message: str) -> str:
    for pattern, zh in PATTERNS:
        m = pattern.fullmatch(message.strip())
        if m:
            parts = {k: (v or "") for k, v in m.groupdict().items()}
            if "kind" in parts:
                parts["kind"] = _KIND.get(parts["kind"], parts["kind"])
            if parts.get("options"):
                parts["options"] = f"（可用的选项：{parts['options']}）"
            if parts.get("mean"):
                parts["mean"] = f"（是不是要用 {parts['mean']}？）"
            if "rest" in parts and parts["rest"]:
                parts["rest"] = translate(parts["rest"])
            return zh.format(**parts)
    return message


def _chinese(exc: Exception) -> Exception:
    english = getattr(exc, "format_message", None)
    if callable(english) and not getattr(exc, "_xxgk_zh", False):
        exc.format_message = lambda: translate(english())  # the instance's method: this error only
        exc._xxgk_zh = True
    return exc


class _Chinese:
    """Mixed into the group and each command: errors raised while parsing are translated, and the
    usage line says 用法."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except Exception as e:
            raise _chinese(e)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助后退出"
        return option

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")


class ChineseCommand(_Chinese, TyperCommand):
    pass


class ChineseGroup(_Chinese, TyperGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as e:  # a subcommand's parse error surfaces here
            raise _chinese(e)


# typer's own texts (module constants of typer.rich_utils)
RICH_TEXTS = {"ERRORS_PANEL_TITLE": "错误", "ABORTED_TEXT": "已中止。",
              "RICH_HELP": "用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
              "ARGUMENTS_PANEL_TITLE": "参数", "OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "命令",
              "DEFAULT_STRING": "[默认：{}]", "REQUIRED_LONG_STRING": "[必填]"}


def install() -> None:
    import typer.rich_utils as rich_utils

    for name, text in RICH_TEXTS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)


__all__ = ["ChineseCommand", "ChineseGroup", "install", "translate", "typer"]
