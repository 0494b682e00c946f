"""A flag built on a value OCR was unsure of must not accuse the document.

`downgrade_low_confidence(report)` runs after the checks: every error-level flag that cites a
cell whose OCR confidence is below the threshold becomes a warning, and its message says the
value was read by OCR and needs a human look. Values read from a text layer (confidence None)
are never affected; warnings and infos are left alone.
"""
from __future__ import annotations

import math

from ..report import Flag, Report

THRESHOLD = 0.9
NOTE = "（数值由OCR识别，置信度{:.2f}，请人工核对）"


def lowest_confidence(flag: Flag) -> float | None:
    """The lowest OCR confidence among the flag's cells; None if none was read by OCR."""
    confs = [c.confidence for c in flag.cells if c.confidence is not None]
    return min(confs) if confs else None


def downgrade_low_confidence(report: Report, threshold: float = THRESHOLD) -> list[Flag]:
    """Turn error flags resting on low-confidence OCR values into warnings; returns those flags.

    Calling it twice changes nothing more (the downgraded flags are no longer errors).
    """
    changed = []
    for flag in report.flags:
        if flag.severity != "error":
            continue
        low = lowest_confidence(flag)
        if low is None or low >= threshold:
            continue
        flag.severity = "warning"
        # Rounded down: a value just under the threshold never prints as the threshold itself.
        flag.message += NOTE.format(math.floor(max(0.0, low) * 100) / 100)
        changed.append(flag)
    return changed
