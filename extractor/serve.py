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
    table (with its own short connection; only when serving on a loopback address).
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

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
PLUGIN_NAME = "xxgk_serve"


# ----------------------------------------------------------------------------- metadata

REPORT_COLUMNS = {
    "sha256": "文件内容的 SHA-256 哈希，报告的唯一编号（同一文件重新审核时不变）",
    "path": "审核时的文件路径", "name": "文件名",
    "format": "实际文件格式（按内容判断）：pdf、docx、html、txt……",
    "status": "读取状态：ok 完整读出；partial 部分读出（缺表或有警告）；error 处理出错；"
              "unsupported 格式不支持；not_a_report 不是年报；needs_ocr 扫描件需要OCR",
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
    "coverage": ("覆盖情况：机关 × 年度", "每个发布机关一行，每年一列：✓ = 有报告且无错误；“错误 N” = 有 N 个错误；“未读出” = 文件未能读出；空白 = 没有该年的报告。", {
        "发布机关": "发布机关", "报告数": "报告份数", "已有年度": "已有报告的年度", "错误": "错误总数"}),
    "paragraph_list": ("段落全文", "每个段落一行。搜索框按中文词语检索（结巴分词），例如 行政复议、信息处理费；多个词用空格分开表示同时出现。", {
        "id": "段落编号", "发布机关": "发布机关", "年度": "报告年度", "部分": "所属部分", "页码": "页码",
        "段序": "段落在报告中的顺序", "类型": "标题或正文", "段落": "段落原文", "报告": "报告详情"}),
    "review_orphans": ("问题已消失的审核决定", "这些审核决定对应的问题在最近一次审核中没有再出现（报告文件已更换，或检查规则已改变）。决定仍然保存；问题再次出现时会自动带上。", {
        "标记指纹": "标记指纹", "审核状态": "决定", "审核意见": "审核意见", "审核人": "审核人", "审核时间": "决定时间",
        "检查": "检查编号（决定时）", "发布机关": "发布机关（决定时）", "年度": "年度（决定时）",
        "决定时的说明": "问题说明（决定时）", "报告": "报告（决定时）"}),
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
        "description": "输入词语，例如 行政复议、信息处理费；多个词用空格分开，表示这些词都要出现。按相关程度排序。",
        "sql": """select pl.发布机关, pl.年度, pl.部分, pl.页码, pl.段落, pl.报告
from paragraphs_fts
join paragraph_list pl on pl.id = paragraphs_fts.rowid
where paragraphs_fts match jieba_fts(:q) and xxgk_contains(pl.段落, :q)
order by paragraphs_fts.rank""",
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
            "description": "每份审核过的报告一行。点一行看它的章节、段落、单元格和问题（页面下方“Links from other tables”）。",
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
    return _link(href, "、".join(keys), "查看这些单元格的原值和页码")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    cfg = _cfg(datasette)
    if not cfg or database != cfg["database"] or value is None:
        return None
    db = database
    if column == "报告" and isinstance(value, str) and len(value) == 64:
        return _link(f"{datasette.urls.table(db, 'reports')}/{value}", "详情", "报告的全部内容")
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
        form = await request.post_vars()
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
})();"""


@hookimpl
def extra_body_script(template, database, table, columns, view_name, request, datasette):
    cfg = _cfg(datasette)
    if not cfg or (database and database != cfg["database"]):
        return None
    return _BODY_SCRIPT.replace("CSS", json.dumps(_page_css(), ensure_ascii=False), 1)


@hookimpl
def register_routes(datasette):
    # Routes are collected when the Datasette object is built, before make_datasette attaches the
    # xxgk settings; the view itself answers 404 on a datasette that is not serving xxgk.
    return [(r"^/-/xxgk/review$", _review_route)]


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


def make_datasette(db_path: str | Path, prepare: bool = True, web_review: bool = True):
    """A Datasette serving db_path read-only with the xxgk metadata and plugin."""
    from datasette.app import Datasette

    db_path = Path(db_path).resolve()
    if prepare:
        V.prepare(db_path)
    register_plugin()
    name = db_path.stem
    ds = Datasette([str(db_path)], metadata=build_metadata(name, db_path), settings=dict(SETTINGS),
                   cors=False)
    ds._xxgk = {"database": name, "path": str(db_path), "web_review": web_review}
    return ds


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

    ds = make_datasette(db_path, prepare=prepare, web_review=is_loopback(host))
    tokenizer()  # load jieba now, not on the first search
    asyncio.run(ds.invoke_startup())
    kwargs = {}
    if "timeout_graceful_shutdown" in inspect.signature(uvicorn.Config).parameters:
        kwargs["timeout_graceful_shutdown"] = 3  # a browser's keep-alive must not block Ctrl+C
    uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, lifespan="on", workers=1,
                **kwargs)
