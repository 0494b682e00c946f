"""The `xxgk` command: a typer app with one module per verb (audit.py, show.py, …), each a plain
top-level function registered here; the options several verbs share are defined once in
options.py. Heavy modules are imported inside the verbs, so that `xxgk --help` starts fast."""
from __future__ import annotations

import typer

from .zh import ChineseCommand, ChineseGroup
from .zh import install as _install_chinese

_install_chinese()  # typer's panel titles in Chinese; ChineseGroup/ChineseCommand translate click's errors
app = typer.Typer(cls=ChineseGroup, add_completion=False, no_args_is_help=True, options_metavar="[选项]",
                  help="xxgk：政府信息公开工作年度报告审核工具（提取章节、统计表并检查矛盾）")


def _version(value: bool) -> None:
    if value:
        from .. import __version__
        from ..schema import SCHEMA_VERSION

        typer.echo(f"xxgk {__version__}（数据库结构版本 {SCHEMA_VERSION}）")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="显示版本号后退出")):
    """xxgk：政府信息公开工作年度报告审核工具（提取章节、统计表并检查矛盾）"""


# The verbs, in the order `xxgk --help` lists them. Imported as modules (`extractor.cli.audit` stays
# the module; its function is `extractor.cli.audit.audit`).
from . import audit as _audit  # noqa: E402
from . import coverage as _coverage  # noqa: E402
from . import compare as _compare  # noqa: E402
from . import crossyear as _crossyear  # noqa: E402
from . import eval as _eval  # noqa: E402
from . import export as _export  # noqa: E402
from . import flags as _flags  # noqa: E402
from . import review as _review  # noqa: E402
from . import serve as _serve  # noqa: E402
from . import show as _show  # noqa: E402
from . import train as _train  # noqa: E402

COMMANDS = {
    "audit": _audit.audit,
    "show": _show.show,
    "flags": _flags.flags,
    "serve": _serve.serve,
    "review": _review.review,
    "export": _export.export,
    "coverage": _coverage.coverage,
    "crossyear": _crossyear.crossyear,
    "compare": _compare.compare,
    "train": _train.train,
    "eval": _eval.evaluate,
}
for _name, _fn in COMMANDS.items():
    app.command(_name, cls=ChineseCommand, options_metavar="[选项]")(_fn)


def main() -> None:
    from ..errors import SchemaError

    try:
        app()
    except SchemaError as e:  # a database from a newer xxgk, or not xxgk's: say so, no traceback
        typer.echo(str(e), err=True)
        raise SystemExit(2)


__all__ = ["app", "main", "COMMANDS"]
