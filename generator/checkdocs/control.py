"""Document control read from a document ccdocs did not write: number, version, dates, approver,
revision history; which required fields are missing and whether the newest control date is
older than the catalogue's maximum age on the assessment date.

A field is a line (or table row) that starts with one of its labels, the value after it: "文件编号
| GS-RX-YY-01", "版本：2.2", "Effective date 2025-06-01". Longer labels are tried first, so
"批准日期" is not read as "批准". A value of "—", "-", "无" or "N/A" is no value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.checkdocs.find import Document, parse_date, squash

_EMPTY = {"", "—", "-", "–", "无", "n/a", "none", "/"}
_DATED = ("effective_date", "issue_date", "approved_on")
_SEPARATORS = " \t|:："


@dataclass(frozen=True)
class Control:
    """What a document says about itself."""

    values: Mapping[str, str]  # field -> value as written ("" when the label has no value)
    missing: tuple[str, ...]  # required fields without a value
    newest: dt.date | None  # the newest of the effective, issue and approval dates
    stale: bool  # newest older than the maximum age on the assessment date

    @property
    def complete(self) -> bool:
        return not self.missing and not self.stale


def read_control(
    document: Document, rules: Mapping[str, Any], languages: Sequence[str], as_of: dt.date
) -> Control:
    labels = sorted(
        (
            (squash(label), name)
            for name, words in rules["fields"].items()
            for language in languages
            for label in words.get(language, ())
        ),
        key=lambda pair: -len(pair[0]),
    )
    values: dict[str, str] = {}
    for section in document.sections:
        for _, line in section.lines:
            found = _field(line, labels)
            if found and found[0] not in values:
                values[found[0]] = found[1]
    missing = tuple(name for name in rules["required"] if not values.get(name))
    dates = [d for name in _DATED if (d := parse_date(values.get(name, ""))) is not None]
    newest = max(dates, default=None)
    stale = newest is not None and (as_of - newest).days > int(rules["max_age_days"])
    return Control(values, missing, newest, stale)


def _field(line: str, labels: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(field, value) when ``line`` starts with a field's label."""
    text = line.strip().lstrip(_SEPARATORS)
    flat = squash(text)
    for label, name in labels:
        if label and flat.startswith(label):
            value = _after(text, label).strip(_SEPARATORS + "*").strip()
            return name, "" if value.lower() in _EMPTY else value
    return None


def _after(text: str, label: str) -> str:
    """``text`` after the characters that make up ``label`` (white space ignored)."""
    seen = 0
    for i, char in enumerate(text):
        if char.isspace():
            continue
        if seen == len(label):
            return text[i:]
        if char.lower() == label[seen]:
            seen += 1
        else:
            return ""
    return ""
