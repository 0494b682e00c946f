"""Human-readable rendering of a Report for `xxgk show` (rich)."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from .cellwords import cells_words, severity_word
from .report import Report
from .status import Status

SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def print_report(r: Report, console: Console) -> None:
    console.print(f"[bold]{r.title or r.document}[/bold]")
    console.print(f"文件 {r.document} · 格式 {r.format} · 状态 {r.status}", markup=False)
    console.print(f"发布单位 {r.issuer} · 年度 {r.report_year} · 模板 {r.template} "
                  f"({r.template_info.fingerprint}) · 发布日期 {r.published} · "
                  f"统计期限 {r.period_text}", markup=False)
    for m in r.messages:
        console.print(f"  ! {m}", markup=False)
    if not Status(r.status).is_read:
        return  # nothing was extracted; the message says why
    secs = RichTable(title="章节", show_lines=False)
    for col in ("key", "标题", "页", "开头"):
        secs.add_column(col)
    for s in r.sections:
        secs.add_row(s.key, s.heading, str(s.page or ""), s.starts_with)
    console.print(secs)
    for tbl, title in (("t1", "表二 主动公开"), ("t2", "表三 收到和处理申请"), ("t3", "表四 复议诉讼")):
        cells = [c for c in r.cells.values() if c.table == tbl]
        if not cells:
            continue
        t = RichTable(title=f"{title}（{len(cells)} 格）")
        for col in ("key", "行", "列", "值", "页"):
            t.add_column(col)
        for c in cells:
            t.add_row(c.key, c.row_label[:24], c.col_label, "" if c.value is None else str(c.value),
                      str(c.page or ""))
        console.print(t)
    if r.flags:
        t = RichTable(title=f"检查结果（{len(r.flags)}）")
        t.add_column("检查", no_wrap=True)
        t.add_column("级别", no_wrap=True)
        t.add_column("说明", overflow="fold", ratio=2)
        t.add_column("涉及单元格", overflow="fold", ratio=1)
        t.add_column("页", no_wrap=True)
        for f in r.flags:  # severity and cells in words, as in every other output (cellwords.py)
            t.add_row(f.check, f"[{SEVERITY_STYLE.get(f.severity, '')}]{severity_word(f.severity)}[/]",
                      f.message, cells_words(c.key for c in f.cells), str(f.page or ""))
        console.print(t)
