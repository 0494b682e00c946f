"""Map the printed tables of a Document to template cell keys (spec A.1, A.2).

Rows are recognised by their printed labels (rules/template.toml), never by position, so a
missing, extra or reordered row cannot shift values into the wrong key. Values are taken from
the right-hand end of a row: the distinct printed cells, one per data column, which copes with
merged label cells, a Word colspan artefact in a value cell and tables that lost their spans
(plain text). A row whose value cells are not all number-like is reported, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from ..document import Cell, Document, Table
from ..report import TABLE_NAMES, CellValue, TemplateInfo
from ..resources import load_rules as load
from .normalize import is_value_like, label_key, malformed_number, parse_value, similar, squash


@dataclass
class Mapped:
    cells: dict[str, CellValue] = field(default_factory=dict)
    info: TemplateInfo = field(default_factory=TemplateInfo)
    warnings: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)  # every label seen in t1/t2 (for the fingerprint)
    t2_rows: list[str] = field(default_factory=list)  # t2 row keys in printed order
    unread_rows: set[str] = field(default_factory=set)  # t2 row keys printed but not read
    table_pages: dict[str, Optional[int]] = field(default_factory=dict)

    def unread_row(self, table: str, row_key: str, printed: str, columns: list[tuple[str, str]],
                   page: Optional[int]) -> None:
        """A row seen but not read cell by cell: named in the warnings, its cells kept as
        unread (no value; the checks that need them are not run)."""
        self.warnings.append(f"{TABLE_NAMES[table]}“{printed}”一行的数值无法逐格读出，未记录该行")
        if table == "t2":
            self.unread_rows.add(row_key)
        self.info.unread += [{"key": f"{table}.{row_key}.{col}", "row_label": printed, "col_label": label,
                              "page": page} for col, label in columns]

    def put(self, key: str, cell: Cell, row_label: str, col_label: str) -> None:
        if key in self.cells:
            self.warnings.append(f"单元格 {key} 在表中出现两次（第二次为“{squash(cell.text)}”），已保留第一次的值")
            return
        value = parse_value(cell.text)
        self.cells[key] = CellValue(
            key=key, value=value, raw=cell.text, row_label=row_label,
            col_label=col_label, page=cell.page, bbox=cell.bbox, confidence=cell.confidence)
        if malformed_number(value):
            self.warnings.append(f"{self.cells[key].where}印为“{value}”，不是规范的数字："
                                 f"按原样记录，用到它的核对未进行")


def _tpl() -> dict:
    return load("template.toml")


def classify(table: Table) -> Optional[str]:
    """Which template table this is (t1/t2/t3), by its printed labels; None if it has none."""
    text = label_key("".join(c.text for c in table.cells), strip_numbering=False)
    tpl = _tpl()
    if any(m in text for m in tpl["t2"]["markers"]):
        return "t2"
    if "复议后起诉" in text or "未经复议直接起诉" in text or (
            "行政复议" in text and "行政诉讼" in text and "结果维持" in text):
        return "t3"
    if any(m in text for m in tpl["t1"]["markers"]):
        return "t1"
    return None


def _row_cells(grid_row: list[Optional[Cell]]) -> list[Cell]:
    """Distinct cells of a grid row, left to right (a merged cell once)."""
    out: list[Cell] = []
    for c in grid_row:
        if c is not None and (not out or out[-1] is not c) and c not in out:
            out.append(c)
    return out


def _split(cells: list[Cell], n: int) -> Optional[tuple[list[Cell], list[Cell]]]:
    """(label cells, value cells): the last n cells are the values when they are all value-like."""
    if len(cells) < n:
        return None
    values = cells[len(cells) - n:]
    if not all(is_value_like(c.text) for c in values):
        return None
    return cells[: len(cells) - n], values


def _match(label: str, options: dict[str, list[str]], fuzzy: float) -> tuple[Optional[str], bool]:
    """(key, exact) for a normalised label among {key: [labels]}; fuzzy matches are flagged."""
    if not label:
        return None, True
    for key, labels in options.items():
        if label in labels:
            return key, True
    best, best_key = 0.0, None
    for key, labels in options.items():
        for lab in labels:
            if len(lab) >= 4 and len(label) >= 4:
                s = similar(label, lab)
                if s > best:
                    best, best_key = s, key
    if best >= fuzzy:
        return best_key, False
    return None, True


def _joined_labels(label: str, options: dict[str, list[str]]) -> Optional[list[tuple[str, str]]]:
    """[(key, label), …] when `label` is two or more column labels run together, exactly: the
    header cell of a scan whose ruling between them was lost spans their columns and reads
    "本年制发件数本年废止件数"."""
    def parse(i: int) -> Optional[list[tuple[str, str]]]:
        if i == len(label):
            return []
        for key, labs in options.items():
            for lab in labs:
                if lab and label.startswith(lab, i):
                    rest = parse(i + len(lab))
                    if rest is not None:
                        return [(key, lab)] + rest
        return None

    parts = parse(0) if label else None
    return parts if parts and len(parts) >= 2 else None


class _T1:
    def __init__(self, out: Mapped):
        tpl = _tpl()
        self.out, self.fuzzy = out, tpl["fuzzy"]
        self.rows = {k: list(v) for k, v in tpl["t1"]["rows"].items()}
        self.cols = {k: list(v) for k, v in tpl["t1"]["columns"].items()}
        self.columns: list[tuple[str, str]] = []  # (key, printed label) of the current block

    def row(self, cells: list[Cell]) -> None:
        labels = [label_key(c.text) for c in cells]
        self.out.labels.update(l for l in labels if l)
        # A header row: 信息内容 followed by the column labels of this block.
        cols = []
        for c in cells:
            joined = _joined_labels(label_key(c.text), self.cols)
            cols += joined if joined and c.colspan >= len(joined) else [self.column(c.text)]
        if any(k for k, _ in cols) and not any(is_value_like(c.text) and squash(c.text) for c in cells):
            self.columns = [(k, t) for k, t in cols if k]
            self._blank_row_under_header(cells)
            return
        first = next((i for i, l in enumerate(labels) if l), None)
        if not self.columns or first is None:
            return
        key, exact = _match(labels[first], self.rows, self.fuzzy)
        if key is None:
            return
        printed = squash(cells[first].text)
        if not exact:
            self.out.info.misprinted.append(
                {"key": f"t1.{key}", "printed": printed, "expected": self.rows[key][0]})
        split = _split(cells[first + 1:], len(self.columns))
        # More figures than the block has known columns (a column label not recognised): which
        # figure is which is unknown.
        if split is None or any(squash(c.text) and is_value_like(c.text) for c in split[0]):
            self.out.unread_row("t1", key, printed, self.columns, cells[first].page)
            return
        for (col, col_label), cell in zip(self.columns, split[1]):
            self.out.put(f"t1.{key}.{col}", cell, printed, col_label)

    def _blank_row_under_header(self, cells: list[Cell]) -> None:
        """A row whose cells are all blank, printed right under the header of a table without
        rules, shows only its label, and that label reads as a further line of the header's
        信息内容 ("信息内容\n规章"): the row is printed, blank."""
        for c in cells:
            for line in c.text.split("\n")[1:]:
                key, exact = _match(label_key(line), self.rows, self.fuzzy)
                if key is None or not exact:
                    continue
                for col, col_label in self.columns:
                    if f"t1.{key}.{col}" not in self.out.cells:
                        self.out.put(f"t1.{key}.{col}", replace(c, text=""), squash(line), col_label)

    def column(self, text: str) -> tuple[Optional[str], str]:
        """(column key, printed label) of a header cell; the key None for no column label. A
        cell may hold its block's 第二十条 line above the label (printed without rules between
        them, the two lines were read as one cell): then the label is one of its lines."""
        for line in [text] + text.split("\n")[::-1]:
            label = label_key(line)
            for k, labs in self.cols.items():
                if label in labs or any(label.startswith(l) for l in labs if len(l) >= 6):
                    return k, squash(line)
        return None, squash(text)


class _T2:
    def __init__(self, out: Mapped):
        tpl = _tpl()["t2"]
        self.out, self.fuzzy = out, _tpl()["fuzzy"]
        self.col_labels = {k: list(v) for k, v in tpl["columns"].items()}
        self.groups = {k: list(v) for k, v in tpl["groups"].items()}
        self.subtotal = list(tpl["subtotal"]["labels"])
        self.top = {r["key"]: r["labels"] for r in tpl["rows"] if not r.get("group")}
        self.by_group: dict[str, dict[str, list[str]]] = {}
        for r in tpl["rows"]:
            if r.get("group"):
                self.by_group.setdefault(r["group"], {})[r["key"]] = r["labels"]
        self.columns: list[tuple[str, str]] = []
        self.seen_header: dict[str, tuple[int, str]] = {}
        self.group = ""
        self.in_body = False

    def _header(self, cells: list[Cell]) -> None:
        for c in cells:
            lab = label_key(c.text)
            joined = _joined_labels(lab, self.col_labels)
            if joined and c.colspan >= len(joined):  # labels run together over their columns
                for i, (k, printed) in enumerate(joined):
                    self.seen_header.setdefault(k, (c.col + i, printed))
                continue
            for k, labs in self.col_labels.items():
                if lab in labs and k not in self.seen_header:
                    self.seen_header[k] = (c.col, squash(c.text))
        order = [k for k in self.col_labels if k in self.seen_header]
        if "legal_subtotal" in order:  # an added column: place it where it is printed
            order.sort(key=lambda k: self.seen_header[k][0])
        self.columns = [(k, self.seen_header[k][1]) for k in order]

    def _group_of(self, label: str) -> Optional[str]:
        for g, labs in self.groups.items():
            if any(l in label for l in labs):
                return g
        return None

    def row(self, cells: list[Cell]) -> None:
        labels = [label_key(c.text) for c in cells]
        if not self.in_body and not any(self._top_match(l) for l in labels if l):
            self._header(cells)
            return
        columns = self.columns or [(k, self.col_labels[k][0]) for k in self.col_labels
                                   if k != "legal_subtotal"]
        split = _split(cells, len(columns))
        if split:
            label_cells = split[0]
        else:  # the labels are the cells before the first figure (a misread figure is no label)
            first = next((i for i, c in enumerate(cells) if squash(c.text) and is_value_like(c.text)), len(cells))
            label_cells = [c for c in cells[:first] if not is_value_like(c.text)]
        names = [label_key(c.text) for c in label_cells if label_key(c.text)]
        if not names:
            return
        self.out.labels.update(names)
        for n in names[:-1]:  # group cells to the left of the row's own label
            g = self._group_of(n)
            if g:
                self.group = g
        own = names[-1]
        key = self._key(own)
        if key is None:
            return
        self.in_body = True
        if split is None:
            self.out.unread_row("t2", key, squash(label_cells[-1].text), columns, label_cells[-1].page)
            return
        printed = squash(label_cells[-1].text)
        if key not in self.out.t2_rows:
            self.out.t2_rows.append(key)
        for (col, col_label), cell in zip(columns, split[1]):
            self.out.put(f"t2.{key}.{col}", cell, printed, col_label)

    def _top_match(self, label: str) -> Optional[str]:
        key, exact = _match(label, {k: v for k, v in self.top.items()
                                    if k in ("new", "carried_over")}, self.fuzzy)
        return key

    def _key(self, own: str) -> Optional[str]:
        if own in self.subtotal:
            return f"{self.group}._subtotal" if self.group else None
        g = self._group_of(own)
        if g is not None and own.endswith(self.groups[g][0]):
            # The group label itself carries values: v2019's single （六）其他处理 row, or a
            # subtotal printed on the group row.
            self.group = g
            return "other" if g == "other" else f"{g}._subtotal"
        if self.group:
            key, exact = _match(own, self.by_group[self.group], self.fuzzy)
            if key:
                if not exact:
                    self.out.info.misprinted.append(
                        {"key": f"t2.{key}", "printed": own,
                         "expected": self.by_group[self.group][key][0]})
                return key
        key, exact = _match(own, {k: v for k, v in self.top.items() if k != "other"}, self.fuzzy)
        if key:
            self.group = ""
            if not exact:
                self.out.info.misprinted.append(
                    {"key": f"t2.{key}", "printed": own, "expected": self.top[key][0]})
            return key
        # A numbered sub-row outside a known group: try every group (a cut group cell).
        for g, rows in self.by_group.items():
            key, exact = _match(own, rows, self.fuzzy)
            if key and exact and len(own) >= 4:
                self.group = g
                return key
        return None


def _t3(tables: list[Table], out: Mapped) -> None:
    tpl = _tpl()["t3"]
    keys = [f"t3.{g}.{r}" for g in tpl["groups"] for r in tpl["results"]]
    group_names = {"review": "行政复议", "lit_direct": "行政诉讼·未经复议直接起诉",
                   "lit_after_review": "行政诉讼·复议后起诉"}
    result_names = dict(zip(tpl["results"], tpl["result_labels"]))
    candidates = []
    for t in tables:
        for grid_row in t.grid():
            cells = _row_cells(grid_row)
            split = _split(cells, 15)
            if split and not any(label_key(c.text) in ("结果维持", "总计") for c in split[1]):
                candidates.append(split[1])
    if not candidates:
        out.warnings.append("表四（行政复议、行政诉讼）没有找到15个数值的数据行，未记录")
        return
    # The data row: the first with any printed value; else the first (an all-blank table).
    row = next((r for r in candidates if any(squash(c.text) for c in r)), candidates[0])
    for key, cell in zip(keys, row):
        _, g, r = key.split(".")
        out.put(key, cell, group_names[g], result_names[r])


def fingerprint(out: Mapped) -> dict:
    """Spec A.4: score the printed labels for each version."""
    v = _tpl()["versions"]
    labels = out.labels
    f21 = [l for l in v["v2021"]["labels"] if any(x == l or x.startswith(l) or
                                                 (l == "逾期未按收费通知" and l in x) for x in labels)]
    f19 = [l for l in v["v2019"]["labels"] if l in labels]
    if any("第二十条第九项" in x for x in labels) and "政府集中采购" not in f19:
        f19.append("第二十条第九项")
    if "other" in out.t2_rows:
        f19.append("（六）其他处理单行")
    elif any(k.startswith("other.") and k != "other._subtotal" for k in out.t2_rows):
        f21.append("（六）其他处理分三行")
    s21, s19 = len(f21), len(f19)
    if s21 == 0 and s19 == 0:
        fp = "pre2019_or_custom"
    elif s21 and s19:
        fp = "hybrid"
    else:
        fp = "v2021" if s21 else "v2019"
    template = "v2021" if s21 > s19 else "v2019" if s19 > s21 else "other"
    return {"fingerprint": fp, "template": template, "scores": {"v2021": s21, "v2019": s19},
            "features": {"v2021": f21, "v2019": f19}}


def required_rows(template: str) -> list[str]:
    rows = [r["key"] for r in _tpl()["t2"]["rows"]]
    if template == "v2019":
        return [r for r in rows if not r.startswith("other.")]
    return [r for r in rows if r != "other"]


def map_document(doc: Document) -> Mapped:
    out = Mapped()
    t1, t2 = _T1(out), _T2(out)
    by_kind: dict[str, list[Table]] = {"t1": [], "t2": [], "t3": []}
    prev_kind: Optional[str] = None
    prev_was_table = False
    for block in doc.blocks:
        if block.kind != "table" or block.table is None:
            if squash(block.text):
                prev_was_table = False
            continue
        kind = classify(block.table)
        if kind is None and prev_was_table:
            kind = prev_kind  # a continuation piece without labels of its own
        prev_was_table = True
        if kind is None:
            continue
        prev_kind = kind
        by_kind[kind].append(block.table)
        out.table_pages.setdefault(kind, block.table.page)
        if kind in ("t1", "t2"):
            handler = t1 if kind == "t1" else t2
            for grid_row in block.table.grid():
                handler.row(_row_cells(grid_row))
    if by_kind["t3"]:
        _t3(by_kind["t3"], out)
    out.info.tables_found = {k: bool(v) for k, v in by_kind.items()}
    fp = fingerprint(out)
    for name, value in fp.items():
        setattr(out.info, name, value)
    if by_kind["t2"]:
        # A row seen but not read is printed: it is unread, not missing.
        printed = set(out.t2_rows) | out.unread_rows
        out.info.missing_rows = [f"t2.{r}" for r in required_rows(fp["template"]) if r not in printed]
        out.info.extra_rows = [f"t2.{r}" for r in out.t2_rows if r.endswith("._subtotal")]
        out.info.extra_cols = ["t2.*.legal_subtotal"] if any(
            k.endswith(".legal_subtotal") for k in out.cells) else []
    return out
