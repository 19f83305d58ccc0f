"""The audit's files: gap report (Markdown, JSON, XLSX), traceability, and the coverage chart."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.labels import load_labels
from generator.publish import Publication
from generator.publish.package import write_zip
from generator.render import maturity_headline, template_dirs

_COLOURS = {"present": "#2e7d32", "partial": "#f9a825", "stale": "#ef6c00", "missing": "#c62828"}


def publish_audit(publication: Publication, folder: Path) -> list[Path]:
    """Write the audit folder: Markdown pages, the SVG chart, JSON and the XLSX workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(publication.audit_pages.items()):
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    audit = publication.audit
    report_json = folder / "gap-report.json"
    payload = {**audit["report"], **{k: audit[k] for k in ("maturity", "outcomes", "method")}}
    report_json.write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    trace_json = folder / "traceability.json"
    trace_json.write_text(
        json.dumps(audit["trace"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    workbook = folder / "audit.xlsx"
    labels = load_labels(publication.language, template_dirs(publication.brand.template_dirs))
    write_workbook(workbook, audit, publication.language, labels)
    return [*written, report_json, trace_json, workbook]


def coverage_svg(report: Mapping[str, Any], labels: Mapping[str, Any], language: str) -> str:
    """A stacked bar per section of every targeted standard: present, partial, stale, missing."""
    rows = [
        (f"{std['short']} {sec['id']}", sec["summary"])
        for std in report["standards"]
        for sec in std["sections"]
    ]
    bar_x, bar_w, row_h, top = 190, 400, 22, 36
    height = top + row_h * len(rows) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{bar_x + bar_w + 70}" height="{height}" '
        f'font-family="Noto Sans CJK SC, sans-serif" font-size="12" role="img">',
        f"<title>{html.escape(labels['audit']['coverage'])}</title>",
    ]
    for i, (label, summary) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            f'<text x="{bar_x - 8}" y="{y + 14}" text-anchor="end">{html.escape(label)}</text>'
        )
        x = float(bar_x)
        for status in ("present", "partial", "stale", "missing"):
            width = bar_w * summary[status] / summary["total"] if summary["total"] else 0
            if width:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="16" '
                    f'fill="{_COLOURS[status]}"/>'
                )
            x += width
        parts.append(f'<text x="{bar_x + bar_w + 6}" y="{y + 14}">{summary["coverage"]}%</text>')
    legend_y = top + row_h * len(rows) + 20
    for j, status in enumerate(("present", "partial", "stale", "missing")):
        x = bar_x + j * 100
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{_COLOURS[status]}"/>'
        )
        name = html.escape(labels["audit"]["statuses"][status])
        parts.append(f'<text x="{x + 16}" y="{legend_y}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_workbook(
    path: Path, audit: Mapping[str, Any], language: str, labels: Mapping[str, Any]
) -> None:
    """Gaps, traceability, maturity and scores sheets, each with filters and a frozen header."""
    from openpyxl import Workbook

    book = Workbook()
    gaps = book.active
    gaps.title = "gaps"
    append_row(
        gaps,
        [
            "standard",
            "section",
            "requirement",
            "title",
            "kind",
            "subject",
            "status",
            "severity",
            "line",
            "column",
            "pointer",
            "detail",
            "hint",
        ],
    )
    for std in audit["report"]["standards"]:
        for sec in std["sections"]:
            for item in sec["items"]:
                loc = item["location"]
                append_row(
                    gaps,
                    [
                        std["short"],
                        sec["id"],
                        item["requirement"],
                        item["title"][language],
                        item["kind"],
                        item["subject"],
                        item["status"],
                        item["severity"],
                        loc["line"],
                        loc["column"],
                        loc["pointer"],
                        item["detail"],
                        item["hint"],
                    ],
                )
    trace = book.create_sheet("traceability")
    append_row(
        trace, ["requirement", "title", "document", "section", "anchor", "evidence", "status"]
    )
    for row in audit["trace"]:
        sections = row["sections"] or [{"document": "", "title": "", "anchor": ""}]
        evidence = "; ".join(f"{e['title']} ({e['date']})" for e in row["evidence"])
        for section in sections:
            append_row(
                trace,
                [
                    row["requirement"],
                    row["title"][language],
                    section["document"],
                    section["title"],
                    section["anchor"],
                    evidence,
                    row["status"],
                ],
            )
    sheets = [gaps, trace, *_maturity_sheets(book, audit["maturity"], language, labels)]
    for sheet in sheets:
        filter_sheet(sheet)
    book.properties.creator = "ccdocs"
    stamp = _stamp(audit["report"].get("assessment_date"))
    book.properties.created = book.properties.modified = stamp
    book.save(str(path))
    _pin_modified(path, stamp)


def _maturity_sheets(
    book: Any, results: Sequence[Mapping[str, Any]], language: str, labels: Mapping[str, Any]
) -> list[Any]:
    """One row per standard with its supported and claimed level; one row per scored item."""
    if not results:
        return []
    levels = book.create_sheet("maturity")
    append_row(levels, [*_LEVEL_COLUMNS, "statement"])
    scores = book.create_sheet("scores")
    append_row(scores, _SCORE_COLUMNS)
    for result in results:
        supported = result["supported"]
        append_row(
            levels,
            [
                result["short"],
                result["level"],
                result["claimed_level"],
                "yes" if result["provisional"] else "no",
                ", ".join(result["scope"]["scored"]),
                ", ".join(result["scope"]["unscored"]),
                supported["total"]["score"] if supported["total"]["assessable"] else "not assessed",
                maturity_headline(labels, result, language),
            ],
        )
        for row in _score_rows(result, language):
            append_row(scores, row)
    return [levels, scores]


_LEVEL_COLUMNS = ["standard", "supported_level", "claimed_level", "provisional"]
_LEVEL_COLUMNS += ["scored_sections", "unscored_sections", "total_score"]
_SCORE_COLUMNS = ["standard", "requirement", "title", "dimension", "claimed", "counted", "gaps"]


def _score_rows(result: Mapping[str, Any], language: str) -> list[list[object]]:
    """Every claimed score with what counts of it and the gaps that cap it."""
    capped = {(u["requirement"], u["dimension"]): u for u in result["unsupported"]}
    rows: list[list[object]] = []
    for uid, dims in result["claimed_scores"].items():
        for dim, claimed in sorted(dims.items()):
            entry = capped.get((uid, dim))
            gaps = entry["gaps"] if entry else []
            rows.append(
                [
                    result["short"],
                    uid,
                    result["titles"].get(uid, {}).get(language, ""),
                    dim,
                    claimed,
                    entry["supported"] if entry else claimed,
                    "; ".join(f"{g['status']} {g['kind']} {g['subject']}" for g in gaps),
                ]
            )
    return rows


def append_row(sheet: Any, values: Sequence[object]) -> None:
    """Append ``values`` as a row; strings are always text cells.

    openpyxl stores a string that starts with "=" as a formula and one like "#N/A" as an error;
    profile text must never become either. Control characters, which XML cannot hold, are
    dropped.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def filter_sheet(sheet: Any) -> None:
    """A bold, shaded, frozen header row and filters on every column: a sheet auditors sort."""
    from openpyxl.styles import Font, PatternFill

    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")


def _pin_modified(path: Path, stamp: dt.datetime) -> None:
    """openpyxl stamps the save time as "modified"; put the assessment date there instead."""
    with zipfile.ZipFile(path) as source:
        entries = [(i.filename, source.read(i)) for i in source.infolist()]
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    pinned = [
        (
            name,
            re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when, data)
            if name == "docProps/core.xml"
            else data,
        )
        for name, data in entries
    ]
    write_zip(path, pinned, sort=False)


def _stamp(date: str | None) -> dt.datetime:
    day = dt.date.fromisoformat(date) if date else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)
