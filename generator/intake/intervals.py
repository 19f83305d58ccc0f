"""An ACD interval report (CSV) as the staffing forecast of one day.

The columns are found by their headers, in Chinese or English (``intake.acd`` in the label
catalogues: 时段 / interval, 呼入量 / offered, 平均处理时长 / AHT, 日期 / date). The forecast of
an interval is the mean of the contacts offered in that interval over the days the report covers;
the average handle time is the mean of the intervals' AHT weighted by their contacts. Both are
stated with the result, so the manual can say how the forecast was made.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Finding, Location, ProfileError
from generator.render import fill

ROLES = ("start", "contacts", "aht", "date")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass(frozen=True)
class Forecast:
    """The staffing values an ACD report gives, and how they were derived."""

    interval_minutes: int
    intervals: tuple[Mapping[str, Any], ...]  # {start: "HH:MM", contacts: number}
    aht_seconds: int | None
    days: tuple[str, ...]  # the dates averaged, as written ("" when the report has no dates)
    method: str  # in the chosen language

    def staffing(self) -> dict[str, Any]:
        values: dict[str, Any] = {"interval_minutes": self.interval_minutes}
        if self.aht_seconds is not None:
            values["aht_seconds"] = self.aht_seconds
        values["intervals"] = [dict(i) for i in self.intervals]
        return values


def read_acd(
    path: Path, phrases: Mapping[str, Sequence[str]], words: Mapping[str, Any]
) -> Forecast:
    """The forecast in the ACD report at ``path``; ProfileError with every problem, located as
    ``acd.csv:LINE``. ``phrases`` are the header spellings of each column role in every
    language; ``words`` the ``intake.acd`` labels of the chosen language."""
    rows = _rows(path, words)
    header, body = rows[0], rows[1:]
    columns = _columns(header, phrases)
    _require(path, columns, phrases, words)
    problems = []
    totals: dict[str, list[float]] = {}
    handled: dict[str, list[tuple[float, float]]] = {}
    days: set[str] = set()
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        start = _start(_cell(row, columns["start"]))
        contacts = _number(_cell(row, columns["contacts"]))
        day = _day(row, columns)
        if start is None or contacts is None:
            role = "start" if start is None else "contacts"
            value = _cell(row, columns[role])
            message = fill(words["errors"][role], "intake.acd", value=value)
            problems.append(Finding(Location(path, number), message, "error", ""))
            continue
        days.add(day)
        totals.setdefault(start, []).append(contacts)
        aht = _number(_cell(row, columns["aht"])) if "aht" in columns else None
        if aht is not None:
            handled.setdefault(start, []).append((aht, contacts))
    if problems:
        raise ProfileError(problems)
    return _forecast(path, totals, handled, tuple(sorted(days)), words)


def _require(
    path: Path,
    columns: Mapping[str, int],
    phrases: Mapping[str, Sequence[str]],
    words: Mapping[str, Any],
) -> None:
    """ProfileError when the interval or the contacts column is missing."""
    problems = []
    for role in ("start", "contacts"):
        if role not in columns:
            message = fill(
                words["errors"]["no_column"],
                "intake.acd",
                column=words["roles"][role],
                looked_for=", ".join(phrases.get(role, ())),
            )
            problems.append(Finding(Location(path, 1), message, "error"))
    if problems:
        raise ProfileError(problems)


def _forecast(
    path: Path,
    totals: Mapping[str, list[float]],
    handled: Mapping[str, list[tuple[float, float]]],
    days: tuple[str, ...],
    words: Mapping[str, Any],
) -> Forecast:
    starts = sorted(totals)
    minutes = _interval(starts)
    if minutes not in (15, 30, 60) or len(starts) > 96:
        message = fill(words["errors"]["interval"], "intake.acd", minutes=minutes)
        raise ProfileError([Finding(Location(path, 2), message, "error")])
    intervals = tuple(
        {"start": start, "contacts": _round(sum(totals[start]) / len(totals[start]))}
        for start in starts
    )
    pairs = [pair for start in starts for pair in handled.get(start, [])]
    weight = sum(contacts for _, contacts in pairs)
    aht = round(sum(a * c for a, c in pairs) / weight) if weight else None
    dated = [d for d in days if d]
    method = fill(
        words["method"],
        "intake.acd.method",
        days=len(dated) or 1,
        first=dated[0] if dated else "—",
        last=dated[-1] if dated else "—",
        file=path.name,
    )
    if aht is not None:
        method += fill(words["method_aht"], "intake.acd.method_aht", aht=aht)
    return Forecast(minutes, intervals, aht, days, method)


def _rows(path: Path, words: Mapping[str, Any]) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        message = fill(words["errors"]["unreadable"], "intake.acd", reason=e.strerror or str(e))
        raise ProfileError([Finding(Location(path), message, "error")]) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # exports of Chinese ACDs are often GBK
        text = raw.decode("gb18030", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if row]
    if len(rows) < 2:
        message = fill(words["errors"]["empty"], "intake.acd")
        raise ProfileError([Finding(Location(path, 1), message, "error")])
    return rows


def _columns(header: Sequence[str], phrases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each role's column: the header that says one of its phrases, the longest phrase first
    (so 平均处理时长 is not taken for 处理量)."""
    found: dict[str, int] = {}
    candidates = sorted(
        ((role, phrase) for role in ROLES for phrase in phrases.get(role, ())),
        key=lambda pair: -len(pair[1]),
    )
    for role, phrase in candidates:
        if role in found:
            continue
        for index, head in enumerate(header):
            if index not in found.values() and _normal(phrase) in _normal(head):
                found[role] = index
                break
    return found


def _normal(text: str) -> str:
    return re.sub(r"[\s_()（）:：]", "", text).lower()


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _start(text: str) -> str | None:
    match = _TIME.search(text.split("-")[0] if _DATE.search(text) is None else text)
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def _day(row: Sequence[str], columns: Mapping[str, int]) -> str:
    for role in ("date", "start"):
        if role in columns:
            match = _DATE.search(_cell(row, columns[role]))
            if match:
                year, month, day = (int(g) for g in match.groups())
                return dt.date(year, month, day).isoformat()
    return ""


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").strip()
    if re.fullmatch(r"\d+:\d{2}(:\d{2})?", cleaned):  # an AHT written as m:ss or h:mm:ss
        parts = [int(p) for p in cleaned.split(":")]
        return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if number >= 0 else None


def _interval(starts: Sequence[str]) -> int:
    minutes = [int(s[:2]) * 60 + int(s[3:]) for s in starts]
    steps = [b - a for a, b in itertools.pairwise(minutes) if b > a]
    return min(steps) if steps else 60


def _round(value: float) -> int | float:
    rounded = round(value, 1)
    return int(rounded) if rounded.is_integer() else rounded
