"""`xxgk serve`: browse the audit database in datasette 0.65.

- The reports database is served as datasette serves a mutable file: every datasette connection is
  opened `?mode=ro`, and xxgk defines no writable canned query, so datasette never writes to it.
- Before serving, `views.prepare` (one short writable connection) creates the reviewer views, the
  `reviews` tables and the jieba full-text index.
- Metadata is generated here (Chinese titles, descriptions of every table, view and column, facets,
  sort orders, label columns, canned queries), never read from a hand-edited file.
- This module is also a tiny in-process datasette plugin (registered with `pm.register`):
  * `prepare_connection` replaces datasette's `escape_fts()` on the reports database by a jieba-aware
    version, so the search box of `paragraphs` and `paragraph_list` finds 行政复议, and adds the
    SQL functions `jieba_fts(q)` and `xxgk_contains(text, q)` used by the search canned query;
  * `filters_from_request` keeps, after the FTS match, only rows whose text contains each typed
    piece literally (a search gives exactly the paragraphs a LIKE would, quickly);
  * `render_cell` turns report hashes, flag cells and flag fingerprints into links;
  * `register_routes` adds /-/xxgk/review, a form that records a reviewer decision in the `reviews`
    table (with its own short connection; only when serving on a loopback address). A POST is
    refused (403) unless it comes from this server's own pages (Origin, else Referer, else
    Sec-Fetch-Site: same-origin) and carries the CSRF token of its cookie: asgi-csrf alone lets
    a cookie-less or text/plain POST from another site through;
  * `asgi_wrapper` refuses (400) a request whose Host header is not this server (DNS rebinding:
    a page of evil.example whose name now resolves to 127.0.0.1): loopback names and addresses,
    and the host given with `--host`.
"""
from __future__ import annotations

import ipaddress
import json
import re
import socket
from pathlib import Path
from typing import Optional
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl

from . import views as V
from .cellwords import cells_words

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
PLUGIN_NAME = "xxgk_serve"


# ----------------------------------------------------------------------------- metadata

REPORT_COLUMNS = {
    "sha256": "文件内容的 SHA-256 哈希，报告的唯一编号（同一文件重新审核时不变）",
    "path": "审核时的文件路径", "name": "文件名",
    "format": "实际文件格式（按内容判断）：pdf、docx、html、txt……",
    "status": "读取状态：ok 完整读出；partial 部分读出（缺表或有警告）；error 处理出错；"
              "unsupported 格式不支持；not_a_report 不是年报；attachment 报告在附件中（网页只有附件链接）；"
              "needs_ocr 扫描件需要OCR",
    "message": "读取过程中的说明（中文）",
    "issuer": "发布机关（从标题或正文识别）", "report_year": "报告年度（统计年度，不是发布年份）",
    "template": "表格模板版本：v2021（国办公开办函〔2021〕30号）、v2019（〔2019〕60号试行格式）、hybrid 混用",
    "fingerprint": "模板版本判定依据（两版特征得分）",
    "published": "报告上印的发布日期（ISO 格式）", "title": "报告标题",
    "period_start": "统计期限起", "period_end": "统计期限止", "n_pages": "页数（PDF）",
    "n_cells": "读出的统计表单元格数", "n_errors": "“错误”级问题数", "n_warnings": "“警告”级问题数",
    "n_infos": "“提示”级问题数", "xxgk_version": "审核所用 xxgk 版本", "audited_at": "审核时间",
}
FLAG_COLUMNS = {
    "id": "标记编号", "report": "所属报告（点击查看报告）", "check_id": "检查编号，见规格 §C（如 R05 = 叙述称未发生行政复议但表四有数）",
    "severity": "级别：error 错误、warning 警告、info 提示", "message": "问题说明（中文）",
    "cells": "涉及的统计表单元格（点击查看这些单元格的原值、页码）", "page": "页码",
    "quote": "报告原文中相关的句子", "fingerprint": "标记指纹：检查+报告+单元格的稳定哈希；审核决定按它保存，重新审核后不变",
}
CELL_COLUMNS = {
    "id": "编号", "report": "所属报告", "tbl": "哪张表：t1 = 表二 主动公开（报告第二部分）；t2 = 表三 收到和处理申请（第三部分）；t3 = 表四 复议诉讼（第四部分）",
    "key": "单元格键，如 t2.new.natural_person（规格 §A）", "row_label": "报告上印的行名",
    "col_label": "报告上印的列名", "value": "读出的值（数字或原文）；空白单元格为空",
    "number": "数值（计算用；空白和非数字记为空）", "blank": "1 = 报告上此格空白",
    "raw": "单元格原文", "page": "页码", "bbox": "单元格在页面上的位置（PDF 坐标）",
    "confidence": "OCR 置信度（仅扫描件）",
}
PARAGRAPH_COLUMNS = {
    "id": "编号", "report": "所属报告", "idx": "段落在报告中的顺序（从0开始）",
    "section": "所属部分：overview 一、总体情况；active 二、主动公开；requests 三、收到和处理申请；"
               "review_litigation 四、复议诉讼；problems 五、问题及改进；other 六、其他事项；preamble 标题和前言",
    "is_heading": "1 = 标题行", "text": "段落原文", "tokens": "结巴分词结果（全文搜索用）",
    "page": "页码", "method": "判定所属部分的方法：rule 规则、classifier 分类器、position 位置",
    "confidence": "判定置信度",
}
SECTION_COLUMNS = {
    "id": "编号", "report": "所属报告", "position": "在报告中的顺序", "key": "部分（同段落表 section）",
    "heading": "报告上印的标题（去空白）", "number": "标题上印的序号（一、二……）", "page": "页码",
    "starts_with": "该部分正文的开头",
}
REVIEW_COLUMNS = {
    "fingerprint": "标记指纹（flags.fingerprint）", "status": "confirmed 已确认（问题属实）；dismissed 已驳回（不是问题）",
    "note": "审核意见", "reviewer": "审核人", "decided_at": "决定时间", "check_id": "检查编号（决定时）",
    "report": "报告（决定时）", "issuer": "发布机关（决定时）", "report_year": "年度（决定时）",
    "message": "问题说明（决定时）",
}

VIEW_DOC = {
    "report_overview": ("报告一览：哪些报告有错误", "每份报告一行，按错误数、警告数排序。点“问题”看原因，点“表二/表三/表四”看该报告的统计表原样，点“详情”看报告的全部内容。", {
        "发布机关": "发布机关", "年度": "报告年度", "错误": "“错误”级问题数", "警告": "“警告”级问题数",
        "提示": "“提示”级问题数", "待审核": "尚未审核的问题数", "已确认": "审核确认属实的问题数",
        "已驳回": "审核认为不是问题的数目", "问题": "该报告的问题清单", "表二": "二、主动公开政府信息情况（原样）",
        "表三": "三、收到和处理政府信息公开申请情况（原样）", "表四": "四、行政复议、行政诉讼情况（原样）",
        "段落": "报告全文（按段落）", "读取状态": "文件是否完整读出", "模板": "表格模板版本",
        "文件": "文件名", "标题": "报告标题", "发布日期": "报告上印的发布日期", "统计起": "统计期限起",
        "统计止": "统计期限止", "页数": "页数", "单元格数": "读出的统计表单元格数",
        "读取说明": "读取过程中的说明", "审核时间": "xxgk 审核时间", "报告": "报告详情"}),
    "flag_review": ("问题清单：每个问题及审核决定", "检查发现的每个问题（标记）一行：哪份报告、哪项检查、为什么、涉及哪些单元格和原文，以及审核决定。点“审核状态”记录决定（确认/驳回），或运行 xxgk review 标记指纹 --status confirmed|dismissed --note \"…\"。", {
        "发布机关": "发布机关", "年度": "报告年度", "检查": "检查编号（规格 §C）", "检查名称": "检查名称（检查目录 rules/checks.toml）",
        "级别": "错误、警告或提示", "说明": "问题说明", "涉及单元格": "涉及的统计表单元格（点击查看原值和页码）",
        "页码": "页码", "原文": "报告原文中相关的句子", "审核状态": "待审核、已确认（问题属实）或已驳回（不是问题）；点击修改",
        "审核意见": "审核意见", "审核人": "审核人", "审核时间": "决定时间",
        "标记指纹": "审核决定按它保存；重新审核后不变", "文件": "文件名", "报告": "报告详情", "标记编号": "flags 表中的编号"}),
    "check_failures": ("未通过各项检查的报告", "每项检查 × 每份报告一行：这份报告在这项检查上有几个问题。用“检查”分面选一项检查。", {
        "检查": "检查编号", "检查名称": "检查名称", "级别": "最高级别", "发布机关": "发布机关", "年度": "报告年度",
        "次数": "问题数", "待审核": "尚未审核", "已确认": "确认属实", "已驳回": "不是问题",
        "说明示例": "其中一条问题说明", "文件": "文件名", "报告": "报告详情"}),
    "t1_wide": ("表二：主动公开政府信息情况（原样）", "报告第二部分的表格，每份报告按模板顺序一行一项；列是两版模板的全部栏目（2021版只用前五栏；从“报告一览”点“表二”只显示该版栏目）。空白 = 报告上此格空白或未读出。本年收费金额单位为万元。", {
        "发布机关": "发布机关", "年度": "报告年度", "序号": "模板中的行序", "行": "信息内容（模板行名）",
        "原文行名": "报告上印的行名", "报告": "报告详情", "行键": "模板行键（rules/template.toml）"}),
    "t2_wide": ("表三：收到和处理政府信息公开申请情况（原样）", "报告第三部分的表格，每份报告按模板顺序一行一项，列为申请人类型。空白 = 报告上此格空白（按0计）或未读出。", {
        "发布机关": "发布机关", "年度": "报告年度", "序号": "模板中的行序", "行": "模板行名",
        "原文行名": "报告上印的行名", "报告": "报告详情", "行键": "模板行键（rules/template.toml）"}),
    "t3_wide": ("表四：政府信息公开行政复议、行政诉讼情况（原样）", "报告第四部分的表格（原表为一行15格，这里按行政复议、直接起诉、复议后起诉分三行）。", {
        "发布机关": "发布机关", "年度": "报告年度", "序号": "行序", "行": "复议或诉讼类别",
        "原文行名": "报告上印的表头", "报告": "报告详情", "行键": "模板键（rules/template.toml）"}),
    "issuer_trend": ("各机关逐年数据", "每个发布机关每年一行，主要数字逐年对比。“上年报告结转下年度”应等于本年的“上年结转”（检查 X01）。", {
        "发布机关": "发布机关", "年度": "报告年度", "模板": "模板版本", "本年新收": "表三 一、本年新收申请（总计）",
        "新收比上年": "本年新收减去该机关上一份报告的本年新收", "上年结转": "表三 二、上年结转（总计）",
        "上年报告结转下年度": "该机关上一份报告的“四、结转下年度继续办理”", "予以公开": "表三（一）予以公开（总计）",
        "办理总计": "表三（七）总计（总计）", "结转下年度": "表三 四、结转下年度继续办理（总计）",
        "行政复议": "表四 行政复议总计", "复议纠正": "表四 行政复议结果纠正",
        "复议纠错率（%）": "复议纠正 ÷ 行政复议总计 × 100（单位：%；纠正栏空白按0计）", "行政诉讼": "表四 直接起诉总计 + 复议后起诉总计",
        "行政许可决定": "表二 行政许可处理决定数量", "行政处罚决定": "表二 行政处罚处理决定数量",
        "错误": "该报告的错误数", "报告": "报告详情"}),
    "coverage": ("覆盖情况：机关 × 年度", "每个发布机关一行，每年一列：✓ = 有报告且无错误；“错误 N” = 有 N 个错误；“未读出” = 文件未能读出；缺 = 前后年份都有报告而这一年没有；空白 = 该机关这一年之前或之后没有报告。", {
        "发布机关": "发布机关", "报告数": "报告份数", "已有年度": "已有报告的年度", "错误": "错误总数"}),
    "paragraph_list": ("段落全文", "每个段落一行。搜索框按中文词语检索（结巴分词），例如 行政复议、信息处理费；多个词用空格分开表示同时出现。", {
        "id": "段落编号", "发布机关": "发布机关", "年度": "报告年度", "部分": "所属部分", "页码": "页码",
        "段序": "段落在报告中的顺序", "类型": "标题或正文", "段落": "段落原文", "报告": "报告详情"}),
    "review_orphans": ("问题已消失的审核决定", "这些审核决定对应的问题在最近一次审核中没有再出现（报告文件已更换，或检查规则已改变）。决定仍然保存；问题再次出现时会自动带上。", {
        "标记指纹": "标记指纹", "审核状态": "决定", "审核意见": "审核意见", "审核人": "审核人", "审核时间": "决定时间",
        "检查": "检查编号（决定时）", "发布机关": "发布机关（决定时）", "年度": "年度（决定时）",
        "决定时的说明": "问题说明（决定时）", "报告": "报告（决定时）"}),
    "comparison_list": ("年度对比与雷同报告", "同一机关相邻两年报告的对比（xxgk audit 结束时计算），以及同年度不同机关报告的文字雷同（X04）。相似度 ≥ 0.9 标为“雷同”；用“雷同”“比较”分面筛选。看某一对的详细对照：xxgk compare --db 数据库 文件 对比文件 -f html -o 对比.html。", {
        "比较": "同一机关相邻年度，或同年度不同机关", "雷同": "相似度 ≥ 0.9 时为“雷同”",
        "相似度": "第一、五、六部分屏蔽数字、年份和本机关名称后的文字相似度（与 X04 相同，0–1；同年度不同机关为 MinHash 估计值，误差约 ±0.04）",
        "发布机关": "较晚（或同年度）报告的发布机关", "年度": "报告年度", "对比机关": "对比报告的发布机关",
        "对比年度": "对比报告的年度", "变化单元格": "两年都有的统计表单元格中数值变化的个数",
        "大幅变化": "变为 5 倍以上或五分之一以下（两边都不小于 10）的单元格数", "问题数": "两份报告各自的问题和跨年度问题之和",
        "文件": "报告文件", "对比文件": "对比报告文件", "对照": "两份报告左右对照的页面（问题、文字、统计表）",
        "报告": "报告详情", "对比报告": "对比报告详情"}),
}


def _guide(db_name: str) -> str:
    u = lambda path: f"/{db_name}/{path}"  # noqa: E731
    return f"""
<div class="xxgk-guide">
<p>这里是 <code>xxgk audit</code> 的审核结果。不需要会 SQL：点下面的链接，再用表格上方的“分面”（facet）按机关、年度、检查筛选。</p>
<ol style="list-style: decimal; padding-left: 1.5em">
<li><strong>哪些报告有错误？</strong> <a href="{u('report_overview')}">报告一览</a>（按错误数排序）；
    只看本年度：<a href="{u('errors_this_year')}">本年度有错误的报告</a>。</li>
<li><strong>为什么？</strong> <a href="{u('flag_review')}">问题清单</a>：每个问题的检查、说明、涉及的单元格和原文；
    <a href="{u('contradictions')}">叙述与表格矛盾（R04/R05）</a>；<a href="{u('check_failures')}">按检查汇总</a>。</li>
<li><strong>表格说了什么？</strong> 在报告一览点“表二/表三/表四”，或打开
    <a href="{u('t1_wide')}">表二 主动公开</a>、<a href="{u('t2_wide')}">表三 收到和处理申请</a>、<a href="{u('t3_wide')}">表四 复议诉讼</a>（按报告上的版式）。</li>
<li><strong>逐年对比：</strong><a href="{u('issuer_trend')}">各机关逐年数据</a>、<a href="{u('correction_rate')}">复议纠错率最高的机关</a>、<a href="{u('coverage')}">覆盖情况（机关 × 年度）</a>。</li>
<li><strong>查原文：</strong><a href="{u('search')}">搜索段落</a>（中文分词，例如 行政复议）或 <a href="{u('paragraph_list')}">段落全文</a>。</li>
<li><strong>记录审核决定：</strong>在问题清单中点“审核状态”，选择确认（问题属实）或驳回（不是问题）并写意见；
    也可以运行 <code>xxgk review 标记指纹 --status confirmed --note "意见"</code>，或把问题清单导出为 CSV、填好“审核状态/审核意见”后
    <code>xxgk review --import 文件.csv</code>。决定按“标记指纹”保存，重新运行 <code>xxgk audit</code> 不会丢失。</li>
</ol>
</div>"""


CANNED_QUERIES = {
    "errors_this_year": {
        "title": "本年度有错误的报告",
        "description": "年度留空时为数据库中最新的报告年度。按错误数排序；“待审核错误”是尚未确认或驳回的错误。",
        "sql": """select r.issuer as 发布机关, r.report_year as 年度, r.n_errors as 错误, r.n_warnings as 警告,
  (select count(*) from flags f left join reviews v on v.fingerprint = f.fingerprint
    where f.report = r.sha256 and f.severity = 'error' and v.status is null) as 待审核错误,
  r.name as 文件, r.sha256 as 问题, r.sha256 as 报告
from reports r
where r.n_errors > 0
  and r.report_year = coalesce(nullif(trim(:year), ''), (select max(report_year) from reports))
order by r.n_errors desc, r.issuer""",
        "params": ["year"],
        "hide_sql": True,
    },
    "contradictions": {
        "title": "叙述与表格矛盾：R04 称未收到申请、R05 称未发生行政复议",
        "description": "正文说“未收到政府信息公开申请”（R04）或“未发生行政复议”（R05），而统计表有数。",
        "sql": """select 发布机关, 年度, 检查, 级别, 说明, 原文, 涉及单元格, 审核状态, 审核意见, 标记指纹, 报告
from flag_review
where 检查 in ('R04', 'R05')
order by 检查, 发布机关, 年度""",
        "hide_sql": True,
    },
    "correction_rate": {
        "title": "复议纠错率最高的机关",
        "description": "复议纠错率 = 表四 行政复议“结果纠正” ÷ 行政复议“总计”（t3.review.corrected / t3.review.total），只列有行政复议的报告。",
        "sql": """select 发布机关, 年度, 行政复议, 复议纠正, "复议纠错率（%）", 报告
from issuer_trend
where 行政复议 > 0
order by "复议纠错率（%）" desc, 行政复议 desc, 发布机关""",
        "hide_sql": True,
    },
    "search": {
        "title": "搜索段落（中文分词）",
        "description": "输入词语，例如 行政复议、信息处理费；多个词用空格分开，表示这些词都要出现。正文段落在前、标题在后，各按相关程度排序；找到的词标黄。",
        "sql": """select pl.发布机关, pl.年度, pl.部分, pl.页码, pl.段落, pl.报告
from paragraphs_fts
join paragraph_list pl on pl.id = paragraphs_fts.rowid
where paragraphs_fts match jieba_fts(:q) and xxgk_contains(pl.段落, :q)
order by pl.类型 = '标题', paragraphs_fts.rank""",
        "params": ["q"],
        "hide_sql": True,
    },
    "failing_check": {
        "title": "未通过某项检查的报告",
        "description": "填检查编号（如 R05、T2-01、D03）；留空列出全部。",
        "sql": """select * from check_failures
where trim(:check) = '' or upper(检查) = upper(trim(:check))
order by 检查, 发布机关, 年度""",
        "params": ["check"],
        "hide_sql": True,
    },
}


def _view_columns(db_path, view: str) -> list[str]:
    if not db_path:
        return []
    import sqlite3
    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
        try:
            return [r[1] for r in conn.execute(f'PRAGMA table_info("{view}")')]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def build_metadata(db_name: str, db_path=None) -> dict:
    """The datasette metadata for an xxgk database named db_name (its file stem). With db_path,
    the columns that depend on the data (coverage: one per year) are described too."""
    tables = {
        "reports": {
            "title": "报告（每个文件一行）",
            "description": "每份审核过的报告一行。点一行看它的章节、段落、单元格和问题（页面下方“其他表中与此相关的记录”）；报告审核页在“报告一览”的“审核页”链接。",
            "columns": REPORT_COLUMNS,
            "facets": ["issuer", "report_year", "template", "status"],
            "sort_desc": "n_errors",
            "label_column": "title",
        },
        "flags": {
            "title": "问题（检查发现的标记）",
            "description": "检查发现的每个问题。更方便的看法是“问题清单”视图（flag_review），那里有机关、年度和审核决定。",
            "columns": FLAG_COLUMNS,
            "facets": ["check_id", "severity"],
            "sort": "check_id",
            "label_column": "message",
        },
        "cells": {
            "title": "统计表单元格",
            "description": "三张统计表的每个单元格：键、印刷的行名列名、读出的值、原文和页码。",
            "columns": CELL_COLUMNS,
            "facets": ["tbl"],
            "label_column": "key",
        },
        "paragraphs": {
            "title": "段落",
            "description": "报告正文的每个段落。搜索框按中文词语检索（结巴分词）。",
            "columns": PARAGRAPH_COLUMNS,
            "facets": ["section"],
            "fts_table": V.FTS_TABLE,
            "fts_pk": "id",
            "label_column": "text",
        },
        "sections": {
            "title": "章节",
            "description": "六个部分的标题（一、总体情况……六、其他需要报告的事项）在报告中的位置。",
            "columns": SECTION_COLUMNS,
            "facets": ["key"],
            "label_column": "heading",
        },
        "reviews": {
            "title": "审核决定",
            "description": "审核人对问题的决定，按标记指纹保存；xxgk audit 从不删除这张表。",
            "columns": REVIEW_COLUMNS,
            "facets": ["status", "reviewer"],
            "sort_desc": "decided_at",
            "label_column": "note",
        },
        "check_settings": {
            "title": "审核所用检查设置", "hidden": True,
            "description": "xxgk audit 使用非默认检查设置（xxgk.toml、--select、--ignore）时记录的设置，"
                           "按报告“审核所用 xxgk 版本”中的设置指纹保存；更正读错的数字后按同样的设置重新检查。",
            "columns": {"digest": "设置指纹", "config": "设置（JSON）"},
        },
        "search_meta": {
            "title": "搜索索引信息", "hidden": True,
            "description": "记录 paragraphs.tokens 由哪个版本的分词生成（版本变了 xxgk serve 会重新分词）。",
            "columns": {"key": "项目", "value": "值"},
        },
        "issuers": {
            "title": "发布机关",
            "description": "跨报告识别出的发布机关（extractor/issuers.py）：淮安市洪泽区人民政府与洪泽区人民政府是同一机关；"
                           "规则无法判断的写在 rules/issuer_aliases.toml。",
            "columns": {"id": "机关编号", "name": "机关名称（含上级地区）", "level": "级别：central/province/city/county/township",
                        "kind": "类型：government 政府 / department 部门", "aliases": "报告上印过的其他名称（JSON）",
                        "key": "归并依据：地区链 + 机关主体"},
            "facets": ["level", "kind"], "label_column": "name",
        },
        "report_issuers": {
            "title": "报告与发布机关",
            "description": "每份报告属于哪个发布机关，以及识别依据。",
            "columns": {"report": "报告", "issuer_id": "机关", "printed": "报告上印的名称", "chain": "地区链（JSON）",
                        "levels": "各地区级别（JSON）", "body": "机关主体", "body_key": "主体归一", "group_key": "归并键（空 = 不与其他报告归并）",
                        "source": "名称来源：title 标题 / signature 落款", "parent_from": "上级地区取自 preamble 前言 / signature 落款",
                        "overrides": "别名文件的设定（JSON）"},
        },
        "crossyear_flags": {
            "title": "跨年度问题",
            "description": "同一机关相邻两年报告之间的检查（X01–X07）和同年度不同机关的文字雷同（X04，提示）。每条都指明两份报告。",
            "columns": {"id": "编号", "check_id": "检查编号", "severity": "级别", "message": "说明（含两份报告）",
                        "report": "较晚的报告", "other_report": "对比报告", "scope": "year 与上一年 / peer 同年度其他机关",
                        "issuer_id": "机关", "report_year": "年度", "other_year": "对比年度", "score": "X04 文字相似度",
                        "cells": "本报告涉及的单元格", "other_cells": "对比报告涉及的单元格", "fingerprint": "标记指纹"},
            "facets": ["check_id", "severity", "scope"],
        },
        "comparisons": {
            "title": "年度对比", "hidden": True,
            "description": "同一机关相邻两年报告的对比摘要（extractor/compare.py）；更方便的看法是“年度对比与雷同报告”视图。",
            "columns": {"report": "较晚的报告", "other_report": "较早的报告", "issuer_id": "机关", "report_year": "年度",
                        "other_year": "对比年度", "similarity": "文字相似度（第一、五、六部分，与 X04 相同）", "sections": "各部分相似度（JSON）",
                        "cells_compared": "两年都有的单元格数", "cells_changed": "数值变化的单元格数",
                        "big_jumps": "大幅变化的单元格数", "problems": "问题数", "errors": "错误数",
                        "version": "算法版本", "computed_at": "计算时间"},
        },
        "crossyear_text": {
            "title": "跨年度文字指纹", "hidden": True,
            "description": "第一、五、六部分屏蔽数字后的 MinHash 签名（X04 用）。",
            "columns": {"report": "报告", "report_year": "年度", "n_chars": "字符数", "minhash": "签名",
                        "version": "算法版本", "computed_at": "计算时间"},
        },
        "crossyear_lsh": {
            "title": "跨年度文字索引", "hidden": True,
            "description": "MinHash 分桶索引（同年度雷同查找用）。",
            "columns": {"report": "报告", "report_year": "年度", "band": "分段", "bucket": "桶"},
        },
        "issuer_coverage": {
            "title": "覆盖情况（逐年）",
            "description": "每个机关从第一份到最后一份报告之间的每一年一行；状态“缺失”表示这一年没有报告。",
            "columns": {"机关编号": "机关编号", "发布机关": "发布机关", "级别": "级别", "类型": "政府或部门",
                        "年度": "年度", "报告数": "该年报告份数", "状态": "有 / 缺失", "文件": "文件名"},
            "facets": ["级别", "类型", "状态"],
        },
        "issuer_coverage_matrix": {
            "title": "覆盖情况（机关 × 年度矩阵）",
            "description": "每个机关一行，每年一列：✓ 有报告，✓×n 有 n 份，缺 = 前后都有报告而这一年没有。与 xxgk coverage 相同。",
            "columns": {"机关编号": "机关编号", "发布机关": "发布机关", "级别": "级别", "类型": "政府或部门", "报告数": "报告份数"},
        },
        "issuer_reports": {
            "title": "各机关的报告",
            "description": "每份报告一行，按机关和年度排列，并给出报告上印的名称。",
            "columns": {"机关编号": "机关编号", "发布机关": "发布机关", "级别": "级别", "类型": "政府或部门", "年度": "年度",
                        "报告所印名称": "报告上印的名称", "文件": "文件名", "读取状态": "读取状态", "报告": "报告"},
            "facets": ["级别", "类型"],
        },
        "crossyear_flag_list": {
            "title": "跨年度问题清单",
            "description": "X01 结转衔接、X03 现行有效件数衔接、X04 文字雷同、X05 数字照抄、X06 模板倒退等，每条指明两份报告。",
            "columns": {"检查": "检查编号", "级别": "级别", "比较": "与上一年 / 同年度其他机关", "说明": "说明",
                        "相似度": "X04 文字相似度", "发布机关": "发布机关", "年度": "年度", "文件": "文件",
                        "对比年度": "对比年度", "对比文件": "对比文件", "涉及单元格": "本报告单元格",
                        "对比单元格": "对比报告单元格", "标记指纹": "标记指纹", "报告": "报告", "对比报告": "对比报告"},
            "facets": ["检查", "级别", "比较", "发布机关"],
        },
        "corrections": {
            "title": "读错数字的更正",
            "description": "审核人对读错的单元格（如扫描件把 8 认成 3）所做的更正：与提取结果分开保存，按文件 SHA-256 和单元格保存，"
                           "重新运行 xxgk audit 不会丢失；检查按更正后的数值运行，相关问题会注明由谁更正。在报告审核页点“更正”修改。",
            "columns": {"report": "报告（文件 SHA-256）", "key": "单元格", "value": "更正后的值（空 = 此格空白）",
                        "original": "原先读出的值", "reviewer": "更正人", "note": "说明", "corrected_at": "更正时间"},
            "sort_desc": "corrected_at",
        },
        "review_history": {
            "title": "审核记录（全部历史）",
            "description": "每次记录或撤销决定都追加一行（source：cli 命令行、csv:文件名 导入、web 网页）。",
            "columns": {"id": "编号", "fingerprint": "标记指纹", "status": "confirmed / dismissed / open（撤销）",
                        "note": "审核意见", "reviewer": "审核人", "decided_at": "时间", "source": "来源"},
            "sort_desc": "id",
        },
    }
    facets = {
        "report_overview": ["发布机关", "年度", "模板", "读取状态"],
        "flag_review": ["发布机关", "年度", "检查", "级别", "审核状态"],
        "check_failures": ["检查", "级别", "发布机关", "年度"],
        "t1_wide": ["发布机关", "年度"], "t2_wide": ["发布机关", "年度"], "t3_wide": ["发布机关", "年度"],
        "issuer_trend": ["发布机关", "年度", "模板"],
        "paragraph_list": ["发布机关", "年度", "部分"],
        "review_orphans": ["审核状态", "检查"],
        "comparison_list": ["比较", "雷同", "年度", "发布机关"],
    }
    for name, (title, desc, cols) in VIEW_DOC.items():
        cols = dict(cols)
        if name == "t1_wide":
            for k, label in V.t1_columns():
                cols[label] = f"表二栏目 {k}（{'、'.join(v for v, ks in V.T1_VERSION_COLUMNS.items() if k in ks)}）"
        elif name == "t2_wide":
            for k, label in V.t2_columns():
                extra = "；模板没有这一列，少数报告自加" if k == "legal_subtotal" else ""
                cols[label] = f"申请人类型 {k}（单位：件{extra}）"
        elif name == "t3_wide":
            for k, label in V.t3_layout()[1]:
                cols[label] = f"{k}（单位：件）"
        entry = {"title": title, "description": desc, "columns": cols}
        if name in facets:
            entry["facets"] = facets[name]
        if name == "coverage":
            for c in _view_columns(db_path, name):
                if re.fullmatch(r"\d{4}年", c):
                    cols[c] = f"{c}的报告：✓ 无错误；“错误 N” 有 N 个错误；“未读出” 文件未能读出；空白 = 没有报告"
        if name == "paragraph_list":
            entry.update({"fts_table": V.FTS_TABLE, "fts_pk": "id"})
        tables[name] = entry
    for c in _view_columns(db_path, "issuer_coverage_matrix"):
        if re.fullmatch(r"\d{4}年", c):
            tables["issuer_coverage_matrix"]["columns"][c] = f"{c}：✓ 有报告；✓×n 有 n 份；缺 = 前后年份都有报告而这一年没有"
    return {
        "title": "政府信息公开工作年度报告审核（xxgk）",
        "description_html": _guide(db_name),
        "databases": {
            db_name: {
                "title": "年报审核结果",
                "description_html": _guide(db_name),
                "tables": tables,
                "queries": {k: dict(q) for k, q in CANNED_QUERIES.items()},
            }
        },
    }


SETTINGS = {
    "default_page_size": 100,
    "default_facet_size": 8,
    "sql_time_limit_ms": 15000,  # the wide views of a few thousand reports, unfiltered
    "facet_time_limit_ms": 1000,
    "suggest_facets": False,
    "allow_download": True,
    "default_cache_ttl": 0,  # decisions change the pages: never show a cached one
}


# ----------------------------------------------------------------------------- the plugin

def _cfg(datasette) -> Optional[dict]:
    return getattr(datasette, "_xxgk", None)


def _jieba_escape_fts(query):
    from .segment import fts_query
    try:
        return fts_query(query or "")
    except Exception:  # never break the page: fall back to datasette's escaping
        from datasette.utils import escape_fts
        return escape_fts(query or "")


def _jieba_fts(query):
    return _jieba_escape_fts(query) or '""'  # '""' matches nothing (empty search box)


@hookimpl(trylast=True)  # after datasette's own prepare_connection, so our escape_fts wins
def prepare_connection(conn, database, datasette):
    cfg = _cfg(datasette)
    if not cfg or database != cfg["database"]:
        return
    conn.create_function("escape_fts", 1, _jieba_escape_fts)
    conn.create_function("jieba_fts", 1, _jieba_fts)
    conn.create_function("xxgk_contains", 2, _contains)


def _contains(text, query):
    from .segment import contains_all
    return 1 if contains_all(text or "", query or "") else 0


# The text column that the search box of each searchable table or view checks literally.
SEARCH_TEXT = {"paragraphs": "text", "paragraph_list": "段落"}


@hookimpl
def filters_from_request(request, database, table, datasette):
    """After the FTS match, keep the rows whose text contains each typed piece literally, so the
    search box finds exactly the paragraphs that contain 行政复议 (FTS makes it fast)."""
    cfg = _cfg(datasette)
    q = request.args.get("_search")
    if not cfg or database != cfg["database"] or table not in SEARCH_TEXT or not q:
        return None
    from datasette.filters import FilterArguments
    from datasette.utils import escape_sqlite

    return FilterArguments([f"xxgk_contains({escape_sqlite(SEARCH_TEXT[table])}, :xxgk_search)"],
                           {"xxgk_search": q})


def _row(row, key):
    try:
        return row[key]
    except (IndexError, KeyError, TypeError):
        return None


def _link(href: str, text: str, title: str = "") -> markupsafe.Markup:
    t = f' title="{markupsafe.escape(title)}"' if title else ""
    return markupsafe.Markup(f'<a href="{markupsafe.escape(href)}"{t}>{markupsafe.escape(text)}</a>')


def _url(datasette, db: str, table: str, **params) -> str:
    base = datasette.urls.table(db, table)
    pairs = []
    for k, v in params.items():
        if isinstance(v, (list, tuple)):
            pairs.extend((k, x) for x in v)
        elif v is not None:
            pairs.append((k, v))
    return base + ("?" + urlencode(pairs) if pairs else "")


def _cells_link(datasette, db, sha, cells_json):
    try:
        keys = json.loads(cells_json) if cells_json else []
    except (TypeError, ValueError):
        return None
    if not keys or not sha:
        return None
    href = _url(datasette, db, "cells", report=sha, key__in=",".join(keys),
                _col=["key", "row_label", "col_label", "value", "raw", "page"])
    return _link(href, cells_words(keys), "查看这些单元格的原值和页码")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    cfg = _cfg(datasette)
    if not cfg or database != cfg["database"] or value is None:
        return None
    db = database
    if column == "报告" and isinstance(value, str) and len(value) == 64:
        return _link(datasette.urls.path(f"{REPORT_PATH}/{value}"), "审核页", "报告的统计表、问题和原件截图")
    if column == "对照" and table == "comparison_list" and isinstance(value, str):  # extractor/compare.py
        return _link(datasette.urls.path(f"{COMPARE_PATH}/{value}"), "对照页", "两份报告左右对照：问题、文字、统计表")
    if table == "report_overview" or (table is None and column == "问题"):
        sha = value if isinstance(value, str) else None
        if sha and column == "问题":
            n = sum(_row(row, c) or 0 for c in ("错误", "警告", "提示")) if table else None
            return _link(_url(datasette, db, "flag_review", 报告=sha),
                         f"{n} 个问题" if n is not None else "问题清单")
        if sha and column in ("表二", "表三", "表四", "段落"):
            view = {"表二": "t1_wide", "表三": "t2_wide", "表四": "t3_wide", "段落": "paragraph_list"}[column]
            params = {"报告": sha, "_nocol": ["序号", "行键"] if column != "段落" else None}
            tpl = _row(row, "模板")
            if column == "表二" and tpl in V.T1_VERSION_COLUMNS:
                keep = set(V.T1_VERSION_COLUMNS[tpl])
                params["_nocol"] += [label for k, label in V.t1_columns() if k not in keep]
            return _link(_url(datasette, db, view, **params), column)
    if table == "corrections" and column == "key" and isinstance(value, str):
        from .cellwords import cell_words
        return markupsafe.Markup(f'<span title="{markupsafe.escape(value)}">{markupsafe.escape(cell_words(value))}</span>')
    if table == "corrections" and column == "report" and isinstance(value, str):
        return _link(datasette.urls.path(f"{REPORT_PATH}/{value}"), _names(datasette).get(value, value[:12] + "…"),
                     "报告审核页")
    if (table == "flags" and column == "cells") or column == "涉及单元格":
        sha = _row(row, "report") if table == "flags" else _row(row, "报告")
        return _cells_link(datasette, db, sha, value)
    if column == "审核状态" and _row(row, "标记指纹"):
        if cfg.get("web_review"):
            return _link(f"{datasette.urls.path('/-/xxgk/review')}?{urlencode({'fp': _row(row, '标记指纹')})}",
                         value, "记录或修改审核决定")
        return None
    if column in ("标记指纹",) or (table == "flags" and column == "fingerprint"):
        cmd = f'xxgk review {value} --status confirmed|dismissed --note "审核意见"'
        return markupsafe.Markup(f'<code title="{markupsafe.escape(cmd)}">{markupsafe.escape(value)}</code>')
    return None


_REVIEW_PAGE = """{% extends "base.html" %}
{% block title %}记录审核决定{% endblock %}
{% block content %}
<h1>记录审核决定</h1>
{% if flag %}
<table class="xxgk-flag">
{% for name, value in [("报告", (flag.issuer or "") ~ " " ~ (flag.report_year or "") ~ "（" ~ flag.name ~ "）"),
                       ("检查", flag.check_id ~ "（" ~ flag.severity_label ~ "）"), ("说明", flag.message),
                       ("原文", flag.quote), ("涉及单元格", flag.cells), ("当前决定", current), ("标记指纹", fp)] %}
  {% if value %}<tr><th style="text-align: left; vertical-align: top; padding: 2px 1em 2px 0; white-space: nowrap">{{ name }}</th><td style="border: none; padding: 2px 0">{{ value }}</td></tr>{% endif %}
{% endfor %}
</table>
<form method="post" action="{{ action }}">
  <input type="hidden" name="csrftoken" value="{{ csrftoken() }}">
  <input type="hidden" name="fp" value="{{ fp }}">
  <input type="hidden" name="next" value="{{ next }}">
  <p>
    <label style="width: auto"><input type="radio" name="status" value="confirmed"{% if status == "confirmed" %} checked{% endif %}> 确认（问题属实）</label><br>
    <label style="width: auto"><input type="radio" name="status" value="dismissed"{% if status == "dismissed" %} checked{% endif %}> 驳回（不是问题）</label><br>
    <label style="width: auto"><input type="radio" name="status" value="open"> 撤销决定（改回待审核）</label>
  </p>
  <p><label style="width: auto">审核意见<br><textarea name="note" rows="4" cols="60">{{ note or "" }}</textarea></label></p>
  <p><label style="width: auto">审核人 <input type="text" name="reviewer" value="{{ reviewer or "" }}"></label></p>
  <p><input type="submit" value="保存"></p>
</form>
{% else %}
<p>没有找到这个问题（标记指纹：<code>{{ fp }}</code>）。</p>
{% endif %}
<p><a href="{{ back }}">返回问题清单</a></p>
{% endblock %}"""


def _same_origin(headers: dict) -> bool:
    """The request comes from a page of this server: its Origin (else its Referer) names the
    Host it was sent to (asgi_wrapper has checked that Host), or the browser says same-origin.
    headers: lower-case names → values."""
    from urllib.parse import urlsplit

    host = (headers.get("host") or "").lower()
    for header in ("origin", "referer"):
        value = headers.get(header)
        if value:  # the first one present decides ("null" from a sandboxed page is foreign)
            return bool(host) and urlsplit(value).netloc.lower() == host
    return headers.get("sec-fetch-site") == "same-origin"


def _token_ok(request, form: dict, datasette) -> bool:
    """The form's CSRF token is the (signed) one of the request's own cookie."""
    cookie = request.cookies.get("ds_csrftoken") or ""
    token = form.get("csrftoken") or ""
    if not cookie or token != cookie:
        return False
    try:
        datasette.unsign(cookie, "csrftoken")
    except Exception:  # noqa: BLE001 - any bad signature
        return False
    return True


async def _checked_form(request, datasette):
    """(form, None) for a POST from this server's own page with a valid token; (None, a Chinese
    403) otherwise. Every write endpoint goes through it."""
    from datasette.utils.asgi import Response

    if _post_refused(request.headers):
        return None, Response.text(_FOREIGN_POST, status=403)
    form = await request.post_vars()
    if not _token_ok(request, form, datasette):
        return None, Response.text("拒绝：表单的安全令牌缺失或不符，请重新打开页面后提交", status=403)
    return form, None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REVIEW_PATH = "/-/xxgk/review"
WRITE_PATHS = (REVIEW_PATH, "/-/xxgk/correct")  # every POST endpoint: refused before asgi-csrf when foreign
_FOREIGN_POST = "拒绝：审核决定只能从本服务器的审核页面提交（请求来自其他网站或格式不对）"


def _post_refused(headers: dict) -> bool:
    """A POST to the review form that did not come from its own page as a form."""
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    return not _same_origin(headers) or ctype not in _FORM_TYPES


async def _review_route(request, datasette):
    from datasette.utils.asgi import Response

    cfg = _cfg(datasette)
    if not cfg:
        return Response.text("not found", status=404)
    db_name = cfg["database"]
    back = datasette.urls.table(db_name, "flag_review")
    if not cfg.get("web_review"):
        return Response.html("<p>网页审核只在本机（127.0.0.1）运行时开放。请用命令 xxgk review 记录审核决定。</p>",
                             status=403)
    if request.method == "POST":
        form, refused = await _checked_form(request, datasette)
        if refused is not None:
            return refused
        fp = (form.get("fp") or "").strip()
        nxt = form.get("next") or ""
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = back
        status = form.get("status") or ""
        if not status:
            datasette.add_message(request, "请选择“确认”“驳回”或“撤销决定”", datasette.WARNING)
            return Response.redirect(f"{datasette.urls.path('/-/xxgk/review')}?{urlencode({'fp': fp, 'next': nxt})}")
        try:
            V.record_decision(cfg["path"], fp, status, form.get("note"), form.get("reviewer") or None,
                              source="web")
        except V.ReviewError as e:
            datasette.add_message(request, str(e), datasette.ERROR)
            return Response.redirect(nxt)
        label = V.STATUS_LABELS.get(V.normalise_status(status), "已撤销决定")
        datasette.add_message(request, f"已保存：{label}（{fp}）", datasette.INFO)
        return Response.redirect(nxt)
    fp = (request.args.get("fp") or "").strip()
    nxt = request.args.get("next") or request.headers.get("referer") or back
    if "://" in nxt:  # keep only the path of a same-site referer
        from urllib.parse import urlsplit
        parts = urlsplit(nxt)
        nxt = parts.path + (f"?{parts.query}" if parts.query else "")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = back
    db = datasette.get_database(db_name)
    res = await db.execute(
        "SELECT f.check_id, f.severity, f.message, f.quote, f.cells, r.issuer, r.report_year, r.name "
        "FROM flags f LEFT JOIN reports r ON r.sha256 = f.report WHERE f.fingerprint = ? LIMIT 1", [fp])
    flag, current, status, note, reviewer = None, V.OPEN_LABEL, None, None, None
    if res.rows:
        r = res.rows[0]
        flag = {"check_id": r[0], "severity_label": V.SEVERITY_LABELS.get(r[1], r[1]), "message": r[2],
                "quote": r[3], "cells": "、".join(json.loads(r[4] or "[]")), "issuer": r[5],
                "report_year": r[6], "name": r[7]}
        dec = await db.execute("SELECT status, note, reviewer FROM reviews WHERE fingerprint = ?", [fp])
        if dec.rows:
            status, note, reviewer = dec.rows[0][0], dec.rows[0][1], dec.rows[0][2]
            current = V.STATUS_LABELS.get(status, status)
    template = datasette.jinja_env.from_string(_REVIEW_PAGE)
    html = await datasette.render_template(template, {
        "flag": flag, "fp": fp, "current": current, "status": status, "note": note,
        "reviewer": reviewer, "next": nxt, "back": back,
        "action": datasette.urls.path("/-/xxgk/review")}, request=request)
    return Response.html(html)


REPORT_PATH = "/-/xxgk/report"
EVIDENCE_PATH = "/-/xxgk/evidence"
_REPORT_PAGE = """{% extends "base.html" %}
{% block title %}{{ r.issuer or r.name }} {{ r.year or "" }} 审核{% endblock %}
{% block extra_head %}<style>
.xxgk-report { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
.xxgk-tables { flex: 3 1 36em; min-width: 0; }
.xxgk-flags { flex: 2 1 26em; max-height: 90vh; overflow-y: auto; position: sticky; top: 0.5em; }
table.xxgk-grid { border-collapse: collapse; margin-bottom: 1.2em; font-size: 0.85em; }
table.xxgk-grid th, table.xxgk-grid td { border: 1px solid #aaa; padding: 2px 6px; }
table.xxgk-grid td.num { text-align: right; min-width: 2.5em; }
table.xxgk-grid td.rowlabel { max-width: 18em; }
td.sev0 { background: #f8c9c4; outline: 2px solid #c0392b; cursor: pointer; }
td.sev1 { background: #fde9b8; outline: 2px solid #d68910; cursor: pointer; }
td.sev2 { background: #d6eaf8; cursor: pointer; }
.xxgk-flag { border-left: 5px solid #999; padding: 0.4em 0.6em; margin-bottom: 0.8em; background: #fafafa; }
.xxgk-flag.sev0 { border-color: #c0392b; } .xxgk-flag.sev1 { border-color: #d68910; } .xxgk-flag.sev2 { border-color: #2e86c1; }
.xxgk-flag.focus { box-shadow: 0 0 0 3px #2e86c1; }
.xxgk-flag .head { font-weight: bold; }
.xxgk-flag .para { font-size: 0.9em; color: #333; background: #fff; border: 1px solid #ddd; padding: 0.3em; }
.xxgk-flag mark { background: #ffe066; }
.xxgk-flag img { max-width: 100%; border: 1px solid #ccc; margin-top: 0.3em; }
.xxgk-followers { margin: 0.3em 0 0 0.6em; font-size: 0.9em; }
.xxgk-nav a { margin-right: 1.5em; }
ul.xxgk-cells { margin: 0; padding-left: 1.2em; }
td.fixed { font-style: italic; text-decoration: underline dotted; }
dl.xxgk-meta { display: grid; grid-template-columns: repeat(3, max-content minmax(6em, 1fr)); gap: 2px 0.8em; max-width: 72em; }
dl.xxgk-meta dt { font-weight: bold; } dl.xxgk-meta dd { margin: 0; }
</style>{% endblock %}
{% block crumbs %}<p class="crumbs"><a href="/">首页</a> / <a href="{{ overview }}">报告一览</a></p>{% endblock %}
{% block footer %}xxgk 政府信息公开年报审核{% endblock %}
{% block content %}
<h1>{{ r.issuer or "（未识别发布机关）" }} {{ r.year or "" }} 年度报告 审核</h1>
<p class="xxgk-nav">
{% if r.prev %}<a href="{{ page_url(r.prev) }}">← 上一份有错误的报告</a>{% endif %}
{% if r.next %}<a href="{{ page_url(r.next) }}">下一份有错误的报告 →</a>{% endif %}
<a href="{{ overview }}">报告一览</a> <a href="{{ flag_list }}">问题清单</a>
</p>
<dl class="xxgk-meta">{% for k, v in r.meta %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
<div class="xxgk-report">
<div class="xxgk-tables">
{% for t in r.tables %}
<h2>{{ t.name }} {{ t.title }}</h2>
{% if not t.found %}<p>未读出这张表。</p>{% else %}
<table class="xxgk-grid" data-table="{{ t.name }}">
<tr><th></th>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in t.rows %}<tr><td class="rowlabel">{{ row.label }}</td>
{% for c in row.cells %}<td class="num {{ c.cls }}{% if c.fixed %} fixed{% endif %}"{% if c.tip or c.fixed %} title="{{ c.tip }}{% if c.fixed %}
{{ c.fixed }}{% endif %}"{% endif %}{% if c.tip %} data-flags="{{ c.anchors|join(' ') }}"{% endif %}>{% if c.fixed %}✎{% endif %}{{ c.text }}</td>{% endfor %}</tr>
{% endfor %}</table>{% endif %}
{% endfor %}
</div>
<div class="xxgk-flags">
<h2>问题（{{ r.flags|length }} 条）</h2>
{% macro flag_box(f) %}
<div class="xxgk-flag {{ f.cls }}" id="{{ f.anchor }}" data-fingerprint="{{ f.fingerprint }}">
<div class="head">{{ f.severity_label }} · {{ f.check }}</div>
<div>{{ f.message }}</div>
{% if f.cell_details %}<div>涉及单元格：<ul class="xxgk-cells">{% for c in f.cell_details %}<li>{{ c.where }}：{{ c.value if c.value is not none else "空白" }}{% if c.page %}（第 {{ c.page }} 页）{% endif %}{% if correct_url %} <a class="xxgk-correct" href="{{ correct_url(c.key) }}" title="读错了？改成报告上印的数字">更正</a>{% endif %}</li>{% endfor %}</ul></div>{% endif %}
{% if f.page or (f.paragraph and f.paragraph.page) %}<div>页码：第 {{ f.page or f.paragraph.page }} 页</div>{% endif %}
{% if f.paragraph %}<div class="para">{{ f.paragraph.before }}<mark>{{ f.paragraph.quote }}</mark>{{ f.paragraph.after }}</div>{% endif %}
{% if f.image %}<div><img src="{{ f.image }}" alt="原件截图：{{ f.where or f.message }}" loading="lazy" onerror="this.parentNode.style.display='none'"></div>{% endif %}
{% if f.corrected %}<div class="corrected">{{ f.corrected }}</div>{% endif %}
<div>审核状态：{{ f.decision }}{% if f.note %}（{{ f.note }}）{% endif %}
{% if review_url %} <a href="{{ review_url(f.fingerprint) }}">记录决定</a>{% endif %}
</div>
</div>
{% endmacro %}
{% for f in r.groups %}
{{ flag_box(f) }}
{% if f.followers %}<details class="xxgk-followers"><summary>由同一原因引起的另外 {{ f.followers|length }} 条</summary>
{% for g in f.followers %}{{ flag_box(g) }}{% endfor %}</details>{% endif %}
{% endfor %}
{% if r.infos %}<details><summary>提示 {{ r.infos|length }} 条</summary>{% for f in r.infos %}{{ flag_box(f) }}{% endfor %}</details>{% endif %}
</div>
</div>
<script>
document.querySelectorAll("td[data-flags]").forEach(function (td) {
  td.addEventListener("click", function () {
    var id = td.getAttribute("data-flags").split(" ")[0], box = document.getElementById(id);
    if (!box) return;
    var d = box.closest("details"); if (d) d.open = true;
    document.querySelectorAll(".xxgk-flag.focus").forEach(function (b) { b.classList.remove("focus"); });
    box.classList.add("focus"); box.scrollIntoView({block: "center"});
  });
});
</script>
{% endblock %}"""



async def _report_route(request, datasette):
    """The reviewer's page for one report (extractor/workbench.py gathers it)."""
    from datasette.utils.asgi import Response

    from . import workbench
    from .evidence import PRINTED

    cfg = _cfg(datasette)
    if not cfg:
        return Response.text("not found", status=404)
    sha = request.url_vars["sha"]
    r = workbench.report_page(cfg["path"], sha)
    if r is None:
        return Response.html("<p>没有这份报告。</p>", status=404)
    printed = r["format"] in PRINTED and bool(r["path"]) and Path(r["path"]).is_file()  # moved: no image
    for f in r["flags"]:
        f["image"] = (datasette.urls.path(f"{EVIDENCE_PATH}/{sha}/{f['fingerprint']}.png")
                      if printed and (f["cells"] or f["quote"]) else None)
    db = cfg["database"]
    page_url = lambda s: datasette.urls.path(f"{REPORT_PATH}/{s}")  # noqa: E731
    review_url = None
    if cfg.get("web_review"):
        here = f"{REPORT_PATH}/{sha}"
        review_url = lambda fp: f"{datasette.urls.path(REVIEW_PATH)}?{urlencode({'fp': fp, 'next': here})}"  # noqa: E731
    correct_url = None
    if cfg.get("web_review"):
        correct_url = lambda key: f"{datasette.urls.path(CORRECT_PATH)}?{urlencode({'sha': sha, 'key': key})}"  # noqa: E731
    template = datasette.jinja_env.from_string(_REPORT_PAGE)
    html = await datasette.render_template(template, {
        "r": r, "page_url": page_url, "review_url": review_url, "correct_url": correct_url,
        "overview": datasette.urls.table(db, "report_overview"),
        "flag_list": _url(datasette, db, "flag_review", 报告=sha)}, request=request)
    return Response.html(html)


CORRECT_PATH = "/-/xxgk/correct"
_CORRECT_PAGE = """{% extends "base.html" %}
{% block title %}更正读错的数字{% endblock %}
{% block crumbs %}<p class="crumbs"><a href="/">首页</a> / <a href="{{ back }}">返回报告审核页</a></p>{% endblock %}
{% block footer %}xxgk 政府信息公开年报审核{% endblock %}
{% block content %}
<h1>更正读错的数字</h1>
<p>报告：{{ name }}</p>
<p>单元格：<strong>{{ where }}</strong>（第 {{ page or "?" }} 页）</p>
<p>当前读出：{{ current if current is not none else "空白" }}{% if original is not none %}（原读出 {{ original or "空白" }}）{% endif %}</p>
<p>只在读取出错（例如扫描件把 8 认成了 3）时更正；报告本身印错的数字不要更正，应确认问题。更正单独保存，重新运行 xxgk audit 不会丢失；保存后立即按更正后的数值重新检查这份报告。</p>
<form method="post" action="{{ action }}">
  <input type="hidden" name="csrftoken" value="{{ csrftoken() }}">
  <input type="hidden" name="sha" value="{{ sha }}">
  <input type="hidden" name="key" value="{{ key }}">
  <p><label style="width: auto">报告上印的数字（留空表示此格空白） <input type="text" name="value" value="{{ value or "" }}"></label></p>
  <p><label style="width: auto">审核人 <input type="text" name="reviewer" value="{{ reviewer or "" }}"></label></p>
  <p><label style="width: auto">说明<br><textarea name="note" rows="2" cols="50">{{ note or "" }}</textarea></label></p>
  <p><label style="width: auto"><input type="checkbox" name="withdraw" value="1"> 撤销更正（改回读出的值）</label></p>
  <p><input type="submit" value="保存并重新检查"></p>
</form>
{% endblock %}"""


async def _correct_route(request, datasette):
    """A reviewer's correction of a misread cell (extractor/corrections.py); the same loopback,
    Origin/Referer and CSRF-token checks as the review form."""
    from datasette.utils.asgi import Response

    from . import workbench as W
    from .cellwords import cell_words
    from .corrections import CorrectionError

    cfg = _cfg(datasette)
    if not cfg:
        return Response.text("not found", status=404)
    if not cfg.get("web_review"):
        return Response.html("<p>网页更正只在本机（127.0.0.1）运行时开放。</p>", status=403)
    if request.method == "POST":
        form, refused = await _checked_form(request, datasette)
        if refused is not None:
            return refused
        sha, key = (form.get("sha") or "").strip(), (form.get("key") or "").strip()
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            return Response.text("没有这份报告", status=400)
        back = datasette.urls.path(f"{REPORT_PATH}/{sha}")
        try:
            if form.get("withdraw"):
                res = W.withdraw_correction(cfg["path"], sha, key)
                done = "已撤销更正"
            else:
                res = W.record_correction(cfg["path"], sha, key, form.get("value"),
                                          form.get("reviewer") or V.reviewer_name(None), form.get("note") or None)
                done = f"已更正 {cell_words(key)}"
        except CorrectionError as e:
            datasette.add_message(request, str(e), datasette.ERROR)
            return Response.redirect(back)
        datasette.add_message(request, f"{done}，已重新检查：错误 {res['errors']} 个，警告 {res['warnings']} 个",
                              datasette.INFO)
        return Response.redirect(back)
    sha, key = (request.args.get("sha") or "").strip(), (request.args.get("key") or "").strip()
    db = datasette.get_database(cfg["database"])
    rep = await db.execute("SELECT name FROM reports WHERE sha256 = ?", [sha])
    if not rep.rows:
        return Response.html("<p>没有这份报告。</p>", status=404)
    cell = await db.execute("SELECT value, page FROM cells WHERE report = ? AND key = ?", [sha, key])
    fix = await db.execute("SELECT value, original, reviewer, note FROM corrections WHERE report = ? AND key = ?",
                           [sha, key]) if "corrections" in await db.table_names() else None
    f = fix.rows[0] if fix and fix.rows else None
    template = datasette.jinja_env.from_string(_CORRECT_PAGE)
    html = await datasette.render_template(template, {
        "sha": sha, "key": key, "name": rep.rows[0][0], "where": cell_words(key),
        "page": cell.rows[0][1] if cell.rows else None,
        "current": cell.rows[0][0] if cell.rows else None,
        "original": f[1] if f else None, "value": f[0] if f else None,
        "reviewer": f[2] if f else None, "note": f[3] if f else None,
        "back": datasette.urls.path(f"{REPORT_PATH}/{sha}"),
        "action": datasette.urls.path(CORRECT_PATH)}, request=request)
    return Response.html(html)


async def _evidence_route(request, datasette):
    from datasette.utils.asgi import Response

    from .evidence import render_evidence

    cfg = _cfg(datasette)
    if not cfg:
        return Response.text("not found", status=404)
    path = render_evidence(cfg["path"], request.url_vars["sha"], request.url_vars["fp"])
    if path is None:
        return Response.text("这个问题没有可截取的原件页面", status=404)
    return Response(path.read_bytes(), content_type="image/png",
                    headers={"cache-control": "max-age=3600"})


def _page_css() -> str:
    """Column widths for the long Chinese texts (datasette gives every cell the class col-<name>)."""
    from datasette.utils import to_css_class

    def col(name: str, scope: str = "") -> str:
        c = to_css_class(name)
        return f"{scope}th.col-{c}, {scope}td.col-{c}"

    rules = [
        (", ".join(col(n) for n in ("行", "原文行名", "原文", "标题", "部分")), "min-width: 11em"),
        (col("说明"), "min-width: 16em"),
        (", ".join(col(n) for n in ("问题", "年度", "审核状态", "级别")), "white-space: nowrap"),
        (", ".join([col("段落", "body.table-paragraph_list "), col("段落", "body.query-search "),
                    col("text", "body.table-paragraphs ")]), "min-width: 28em"),
    ]
    return " ".join(f"{sel} {{ {decl}; }}" for sel, decl in rules)


_BODY_SCRIPT = """(function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (dl) {  /* keep the rows on screen: column notes go into a closed <details> */
    var d = document.createElement("details"), s = document.createElement("summary");
    s.textContent = "栏目说明（点击展开）";
    d.className = "xxgk-column-notes";
    dl.parentNode.insertBefore(d, dl); d.appendChild(s); d.appendChild(dl);
  }
  document.querySelectorAll("th[data-column-description]").forEach(function (th) {
    th.title = th.getAttribute("data-column-description");
  });
  var css = document.createElement("style");
  css.textContent = CSS;
  document.head.appendChild(css);
  var lab = document.querySelector('label[for="_search"]');
  if (lab) { lab.textContent = "中文搜索："; }
  /* datasette's column menu and filter operators, built by its own scripts: in Chinese */
  var MENU = {"dropdown-sort-asc": "升序排列", "dropdown-sort-desc": "降序排列", "dropdown-facet": "按此栏分面",
              "dropdown-hide-column": "隐藏此栏", "dropdown-show-all-columns": "显示全部栏目",
              "dropdown-not-blank": "只看此栏不为空的行"};
  var OPS = {"contains": "包含", "endswith": "结尾是", "startswith": "开头是", "exact": "等于", "not": "不等于",
             "in": "属于（逗号分隔）", "notin": "不属于", "like": "匹配（like）", "notlike": "不匹配（like）",
             "glob": "匹配（glob）", "isblank__1": "为空", "notblank__1": "不为空", "isnull__1": "无值",
             "notnull__1": "有值", "date": "日期是", "arraycontains": "数组包含", "arraynotcontains": "数组不包含"};
  function zh() {
    Object.keys(MENU).forEach(function (cls) {
      document.querySelectorAll("a." + cls).forEach(function (a) { a.textContent = MENU[cls]; });
    });
    document.querySelectorAll("select[name^=_filter_op] option").forEach(function (o) {
      if (OPS[o.value]) { o.textContent = OPS[o.value]; }
    });
  }
  zh();
  window.addEventListener("load", zh);
  /* a search marks what it found in each paragraph */
  var params = new URLSearchParams(location.search);
  var words = (params.get("q") || params.get("_search") || "").split(/\\s+/).filter(function (w) { return w; });
  if (words.length) {
    document.querySelectorAll("table.rows-and-columns td").forEach(function (td) {
      var walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), nodes = [], n;
      while ((n = walker.nextNode())) { nodes.push(n); }
      nodes.forEach(function (node) {
        var text = node.nodeValue, frag = document.createDocumentFragment(), i = 0, found = false;
        while (i < text.length) {
          var best = -1, len = 0;
          words.forEach(function (w) { var at = text.indexOf(w, i); if (at >= 0 && (best < 0 || at < best)) { best = at; len = w.length; } });
          if (best < 0) break;
          frag.appendChild(document.createTextNode(text.slice(i, best)));
          var m = document.createElement("mark"); m.textContent = text.substr(best, len); frag.appendChild(m);
          i = best + len; found = true;
        }
        if (found) { frag.appendChild(document.createTextNode(text.slice(i))); node.parentNode.replaceChild(frag, node); }
      });
    });
  }
})();"""


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    cfg = _cfg(datasette)
    if not cfg or (database and database != cfg["database"]):
        return None
    return _BODY_SCRIPT.replace("CSS", json.dumps(_page_css(), ensure_ascii=False), 1)


LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_ALL_INTERFACES = ("0.0.0.0", "::", "")


def _host_name(host_header: str) -> str:
    """The name in a Host header, without the port: "127.0.0.1:8001" → 127.0.0.1, "[::1]:80" → ::1."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def host_allowed(host_header: str, served_host: str = DEFAULT_HOST) -> bool:
    """A Host header this server answers: loopback names and addresses, the --host it was given,
    and on all interfaces (--host 0.0.0.0) any IP address (an address cannot be rebound; a
    foreign name can)."""
    name = _host_name(host_header or "").rstrip(".")
    if not name:
        return False
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    served = _host_name(served_host or "")
    if name == served and served not in _ALL_INTERFACES:
        return True
    try:
        addr = ipaddress.ip_address(name)
    except ValueError:
        return served in _ALL_INTERFACES and name in {socket.gethostname().lower(), socket.getfqdn().lower()}
    return addr.is_loopback or served in _ALL_INTERFACES


async def _plain(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def checked(scope, receive, send):
            cfg = _cfg(datasette)
            if cfg and scope.get("type") == "http":
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
                host = headers.get("host", "")
                if not host_allowed(host, cfg.get("host", DEFAULT_HOST)):
                    return await _plain(send, 400, f"拒绝：主机名“{host}”不是本服务器（只接受 localhost、127.0.0.1 "
                                                   "和 --host 指定的地址），可能是 DNS 重绑定攻击")
                # Before asgi-csrf, which answers a foreign POST in English or not at all
                if (scope.get("method") == "POST" and scope.get("path", "").endswith(WRITE_PATHS)
                        and _post_refused(headers)):
                    return await _plain(send, 403, _FOREIGN_POST)
            await app(scope, receive, send)
        return checked
    return wrap


@hookimpl
def register_routes(datasette):
    # Routes are collected when the Datasette object is built, before make_datasette attaches the
    # xxgk settings; the view itself answers 404 on a datasette that is not serving xxgk.
    return [(r"^/-/xxgk/review$", _review_route),
            (r"^/-/xxgk/report/(?P<sha>[0-9a-f]{64})$", _report_route),
            (r"^/-/xxgk/correct$", _correct_route),
            (r"^/-/xxgk/evidence/(?P<sha>[0-9a-f]{64})/(?P<fp>[0-9a-f]{16})\.png$", _evidence_route),
            (r"^/-/xxgk/compare/(?P<b>[0-9a-f]{64})/(?P<a>[0-9a-f]{64})$", _compare_route)]


COMPARE_PATH = "/-/xxgk/compare"


async def _compare_route(request, datasette):
    """Two reports side by side (extractor/compare.py; the page `xxgk compare -f html` writes)."""
    import sqlite3

    from datasette.utils.asgi import Response

    from . import compare

    cfg = _cfg(datasette)
    if not cfg:
        return Response.text("not found", status=404)
    conn = sqlite3.connect(f"file:{cfg['path']}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT COUNT(*) FROM reports WHERE sha256 IN (?, ?)",
                        [request.url_vars["a"], request.url_vars["b"]]).fetchone()[0] < 2:
            return Response.html("<p>没有这两份报告。</p>", status=404)
        c = compare.compare_shas(conn, request.url_vars["a"], request.url_vars["b"])
    finally:
        conn.close()
    return Response.html(compare.render_html([c], f"{c.a.label} → {c.b.label}"))


# ----------------------------------------------------------------------------- Chinese chrome

# datasette's own templates with the words a reviewer reads put into Chinese: each file is copied
# from the installed datasette with these replacements into a cache folder, which datasette then
# prefers (its `template_dir`). A replacement that no longer matches (another datasette release)
# is skipped; tests/test_workbench.py scans the pages for English and catches it.
_ROWS = ('{{ "{:,}".format(filtered_table_rows_count) }} row{% if filtered_table_rows_count == 1 %}{% else %}s{% endif %}',
         '共 {{ "{:,}".format(filtered_table_rows_count) }} 行')
TEMPLATE_PATCHES = {
    "table.html": [
        ("{% if is_view %} (view){% endif %}", ""),
        _ROWS,
        ("{% if human_description_en %}{{ human_description_en }}{% endif %}",
         "{% if human_description_en %}{{ human_description_en|xxgk_where }}{% endif %}"),
        ('<label for="_search">Search:</label>', '<label for="_search">中文搜索：</label>'),
        ("- remove filter -", "- 取消筛选 -"), ("- column -", "- 选择栏目 -"),
        ('<option value="">Sort...</option>', '<option value="">排序……</option>'),
        (">Sort by {{ column.name }}<", ">按 {{ column.name }} 排序<"),
        ("> descending</label>", "> 降序</label>"),
        ('<input type="submit" value="Apply">', '<input type="submit" value="筛选">'),
        ("extra where clause{% if extra_wheres_for_ui|length != 1 %}s{% endif %}", "个附加条件"),
        ('">remove</a>]', '">取消</a>]'),
        ('<span class="underlined">View and edit SQL</span>', '<span class="underlined">查看和修改 SQL</span>'),
        ("This data as ", "导出："), ("(<a href=\"#export\">advanced</a>)", "（<a href=\"#export\">更多选项</a>）"),
        ("These facets timed out:", "这些分面超时："),
        (">Next page</a>", ">下一页</a>"),
        ("<h3>Advanced export</h3>", "<h3>更多导出选项</h3>"),
        ("JSON shape:", "JSON 格式："), (">default</a>", ">默认</a>"), (">array</a>", ">数组</a>"),
        (">newline-delimited</a>", ">每行一个</a>"), (">object</a>", ">对象</a>"),
        ("CSV options:", "CSV 选项："), ("> download file</label>", "> 下载文件</label>"),
        ("> expand labels</label>", "> 展开标签</label>"), ("> stream all rows</label>", "> 导出全部行</label>"),
        ('value="Export CSV"', 'value="导出 CSV"'),
        # the SQL of a view is for developers (`xxgk serve` users read the column notes)
        ("{% if view_definition %}", "{% if view_definition and false %}"),
        ("{% if table_definition %}", "{% if table_definition and false %}"),
        ("<title id=\"actions-menu-links-title\">Table actions</title>", "<title id=\"actions-menu-links-title\">操作</title>"),
    ],
    "query.html": [
        ('<h3>Custom SQL query{% if display_rows %} returning {% if truncated %}more than {% endif %}'
         '{{ "{:,}".format(display_rows|length) }} row{% if display_rows|length == 1 %}{% else %}s{% endif %}{% endif %}',
         '<h3>{% if display_rows %}查询结果：{% if truncated %}超过 {% endif %}'
         '{{ "{:,}".format(display_rows|length) }} 行{% else %}查询{% endif %}'),
        ("<h3>Query parameters</h3>", "<h3>查询条件</h3>"),
        ('>{{ show_hide_text }}</a>', '>{{ "显示 SQL" if show_hide_text == "show" else "隐藏 SQL" }}</a>'),
        ('value="Run SQL"', 'value="查询"'), (">Format SQL</button>", ">整理 SQL</button>"),
        ('class="canned-query-edit-sql">Edit SQL</a>', 'class="canned-query-edit-sql">修改 SQL</a>'),
        ("This data as ", "导出："),
        ("This query cannot be executed because the database is immutable.", "数据库只读，不能执行这个查询。"),
    ],
    "_crumbs.html": [('<a href="{{ item.href }}">{{ item.label }}</a>',
                      '<a href="{{ item.href }}">{{ "首页" if item.label == "home" else item.label }}</a>')],
    "_table.html": [('<p class="zero-results">0 records</p>', '<p class="zero-results">没有符合条件的记录</p>')],
    "_suggested_facets.html": [("Suggested facets:", "建议的分面：")],
    "_footer.html": [
        ('Powered by <a href="https://datasette.io/" title="Datasette v{{ datasette_version }}">Datasette</a>',
         'xxgk 政府信息公开年报审核（<a href="https://datasette.io/" title="Datasette v{{ datasette_version }}">Datasette</a>）'),
        ("&middot; Queries took {{ query_ms|round(3) }}ms", "&middot; 查询用时 {{ query_ms|round(1) }} 毫秒"),
    ],
    "database.html": [
        ("<h3>Custom SQL query</h3>", "<h3>自定义 SQL 查询</h3>"), ('value="Run SQL"', 'value="查询"'),
        (">Format SQL</button>", ">整理 SQL</button>"),
        ('<h2 id="queries">Queries</h2>', '<h2 id="queries">常用查询</h2>'),
        ('<h2 id="tables">Tables</h2>', '<h2 id="tables">数据表</h2>'),
        ('{% if table.count is none %}Many rows{% else %}{{ "{:,}".format(table.count) }} row{% if table.count == 1 %}{% else %}s{% endif %}{% endif %}',
         '{% if table.count is none %}很多行{% else %}{{ "{:,}".format(table.count) }} 行{% endif %}'),
        ('<h2 id="views">Views</h2>', '<h2 id="views">视图</h2>'),
        ("Download SQLite DB:", "下载数据库文件："),
    ],
    "row.html": [
        ("{{ table }}: {{ ', '.join(primary_key_values) }}", "{{ table }}：{{ primary_key_values|xxgk_names }}"),
        ("This data as ", "导出："), ("<h2>Links from other tables</h2>", "<h2>其他表中与此相关的记录</h2>"),
        ('{{ "{:,}".format(other.count) }} row{% if other.count == 1 %}{% else %}s{% endif %}</a>\n'
         '                from {{ other.other_column }} in {{ other.other_table }}',
         '{{ "{:,}".format(other.count) }} 行</a>\n                （{{ other.other_table }} 表的 {{ other.other_column }} 栏）'),
    ],
}


def chinese_templates() -> Path:
    """The folder of patched datasette templates (made once per datasette version)."""
    import datasette

    from .resources import cache_dir

    version = getattr(datasette, "__version__", None)
    if version is None:
        from datasette.version import __version__ as version
    key = json.dumps(TEMPLATE_PATCHES, sort_keys=True, ensure_ascii=False)
    import hashlib

    out = cache_dir() / "datasette-templates" / f"{version}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"
    if out.is_dir():
        return out
    src = Path(datasette.__file__).parent / "templates"
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for name, pairs in TEMPLATE_PATCHES.items():
        path = src / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            text = text.replace(old, new)
        (tmp / name).write_text(text, encoding="utf-8")
    if not out.exists():
        tmp.replace(out)
    return out


_SHA_RE = re.compile(r"\b[0-9a-f]{64}\b")


def _names(datasette) -> dict[str, str]:
    cfg = _cfg(datasette) or {}
    return cfg.get("names") or {}


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Filters of the patched templates: a sha256 shown as the report's file name."""
    def where(text):
        names = _names(datasette)
        text = _SHA_RE.sub(lambda m: names.get(m.group(0), m.group(0)[:12] + "…"), str(text or ""))
        text = re.sub(r'search matches "([^"]*)"', r"搜索“\1”", text)
        return (text.replace("where ", "筛选条件：").replace(" and ", " 且 ")
                .replace("sorted by ", "排序：").replace(" descending", "（降序）").replace(" ascending", "（升序）"))

    def names(values):
        known = _names(datasette)
        return "、".join(known.get(str(v), str(v)) for v in values or [])

    env.filters["xxgk_where"] = where
    env.filters["xxgk_names"] = names


# ----------------------------------------------------------------------------- launch

def register_plugin() -> None:
    """Register this module as an in-process datasette plugin (once per process)."""
    import sys

    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(sys.modules[__name__], name=PLUGIN_NAME)


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_datasette(db_path: str | Path, prepare: bool = True, web_review: bool = True,
                   host: str = DEFAULT_HOST):
    """A Datasette serving db_path read-only with the xxgk metadata and plugin; it answers only
    requests addressed to a loopback name or to `host` (the address it listens on)."""
    from datasette.app import Datasette

    db_path = Path(db_path).resolve()
    if prepare:
        V.prepare(db_path)
    register_plugin()
    name = db_path.stem
    ds = Datasette([str(db_path)], metadata=build_metadata(name, db_path), settings=dict(SETTINGS),
                   cors=False, template_dir=str(chinese_templates()))
    ds._xxgk = {"database": name, "path": str(db_path), "web_review": web_review, "host": host,
                "names": _report_names(db_path)}
    return ds


def _report_names(db_path: Path) -> dict[str, str]:
    """sha256 → file name, so that a filter or a title shows the file, not its hash."""
    import sqlite3
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT sha256, name FROM reports"))
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def port_free(host: str, port: int) -> bool:
    """True when (host, port) can be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True



def serve(db_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          prepare: bool = True, log_level: str = "warning") -> None:
    """Run the web server until interrupted."""
    import asyncio
    import inspect

    import uvicorn

    from .segment import tokenizer

    ds = make_datasette(db_path, prepare=prepare, web_review=is_loopback(host), host=host)
    tokenizer()  # load jieba now, not on the first search
    asyncio.run(ds.invoke_startup())
    kwargs = {}
    if "timeout_graceful_shutdown" in inspect.signature(uvicorn.Config).parameters:
        kwargs["timeout_graceful_shutdown"] = 3  # a browser's keep-alive must not block Ctrl+C
    uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, lifespan="on", workers=1,
                **kwargs)
