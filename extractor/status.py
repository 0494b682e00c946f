"""The two small vocabularies every stage shares, defined once: a report's Status and a flag's
Severity. Both are StrEnums, so they are stored, printed and compared as their plain values
("ok", "error"); each member carries its Chinese label and the order reviewers read them in."""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # a table or row could not be read exactly; the message names it
    NOT_A_REPORT = "not_a_report"
    # A saved page whose body only links to the report (附件：….pdf); the message names the file.
    ATTACHMENT = "attachment"
    NEEDS_OCR = "needs_ocr"
    NEEDS_SOFFICE = "needs_soffice"
    UNSUPPORTED = "unsupported"
    ERROR = "error"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_read(self) -> bool:
        """Read as a report (ok or partial): it has sections, cells and flags."""
        return self in (Status.OK, Status.PARTIAL)


_STATUS_LABELS = {
    Status.OK: "完整读出", Status.PARTIAL: "部分读出", Status.NOT_A_REPORT: "不是年报",
    Status.ATTACHMENT: "报告在附件中",
    Status.NEEDS_OCR: "需要OCR（扫描件）", Status.NEEDS_SOFFICE: "需要LibreOffice",
    Status.UNSUPPORTED: "格式不支持", Status.ERROR: "处理出错",
}
READ_STATUSES = (Status.OK, Status.PARTIAL)


class Severity(StrEnum):
    """Highest first: the member order is the order reviewers read flags in."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for error, 1 warning, 2 info (sort key)."""
        return list(Severity).index(self)

    def lowered(self) -> Severity:
        """One step less severe (info stays info)."""
        members = list(Severity)
        return members[min(self.rank + 1, len(members) - 1)]


_SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


def severity_rank(value: str) -> int:
    """Sort key for a stored severity string; unknown values last."""
    try:
        return Severity(value).rank
    except ValueError:
        return len(Severity)
