"""The audit's files: gap report (Markdown, JSON, XLSX), traceability, and the coverage chart."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.labels import load_labels
from generator.publish import Publication
from generator.publish.package import write_zip
from generator.render import fill, maturity_headline, subject_words, template_dirs

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
    write_workbook(workbook, audit, publication.language, labels, publication.names)
    return [*written, report_json, trace_json, workbook]


def coverage_svg(report: Mapping[str, Any], labels: Mapping[str, Any], language: str) -> str:
    """A stacked bar per section of every targeted standard: present, partial, stale, missing."""
    rows = [
        (_section_label(std["short"], sec, language), sec["summary"])
        for std in report["standards"]
        for sec in std["sections"]
    ]
    bar_w, row_h, top = 400, 22, 36
    bar_x = 16 + max((_text_width(label) for label, _ in rows), default=0)
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


def _section_label(standard: str, section: Mapping[str, Any], language: str) -> str:
    """A section as the chart names it: the standard, the section number when it has one,
    and its title in the report's language."""
    title = section["title"].get(language) or section["id"]
    number = section["id"] if re.fullmatch(r"[\d.]+", section["id"]) else ""
    return " ".join(part for part in (standard, number, title) if part)


def _text_width(text: str) -> int:
    """Width in pixels at the chart's 12 px: a Chinese character is a full em, others about
    0.6 em."""
    return sum(12 if unicodedata.east_asian_width(c) in "WF" else 7 for c in text)


def write_workbook(
    path: Path,
    audit: Mapping[str, Any],
    language: str,
    labels: Mapping[str, Any],
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Gaps, traceability, maturity and scores sheets in the build's language: headers, statuses,
    severities and remedies in words, statuses coloured, each sheet with filters, a frozen header,
    column widths and a print setup (landscape, fit to the page width, header on every page)."""
    from openpyxl import Workbook

    words = labels["audit"]
    book_words = words["workbook"]
    names = names or {}
    book = Workbook()
    gaps = book.active
    gaps.title = book_words["sheets"]["gaps"]
    append_row(gaps, book_words["gaps"])

    def where(item: Mapping[str, Any]) -> list[object]:
        """The profile file (a preset in words) and line of an open item."""
        if item["status"] == "present":
            return ["", None]
        loc = item["location"]
        preset = fill(words["preset_file"], "audit.preset_file", file=loc["file"])
        return [preset if loc["preset"] else loc["file"], loc["line"]]

    append_gap_rows(gaps, audit["report"], language, labels, names, where)
    trace = book.create_sheet(book_words["sheets"]["traceability"])
    append_row(trace, book_words["traceability"])
    for row in audit["trace"]:
        sections = row["sections"] or [{"document": "", "title": "", "anchor": ""}]
        evidence = "; ".join(f"{e['title']} ({e['date']})" for e in row["evidence"])
        for section in sections:
            document = names.get("documents", {}).get(section["document"], section["document"])
            append_row(
                trace,
                [
                    row["cite"],
                    row["title"][language],
                    document,
                    section["title"],
                    section["anchor"],
                    evidence,
                    words["statuses"].get(row["status"], row["status"]),
                ],
            )
            colour_status(trace, 7, row["status"])
    maturity = _maturity_sheets(book, audit["maturity"], language, labels)
    for sheet, widths in zip([gaps, trace, *maturity], _WIDTHS, strict=False):
        filter_sheet(sheet)
        lay_out(sheet, widths)
    save_book(book, path, audit["report"].get("assessment_date"))


def append_gap_rows(
    sheet: Any,
    report: Mapping[str, Any],
    language: str,
    labels: Mapping[str, Any],
    names: Mapping[str, Mapping[str, str]],
    where: Callable[[Mapping[str, Any]], list[object]],
) -> None:
    """One row per item of ``report`` (a gap report's data): standard, section, requirement,
    kind, subject in words, status (coloured), severity, the cells ``where`` gives for the
    item's location, the remedy in words and the raw subject."""
    words = labels["audit"]
    names = {**names, "rules": words["rules"]}
    for std in report["standards"]:
        for sec in std["sections"]:
            for item in sec["items"]:
                what = subject_words(item["kind"], item["subject"], labels["fields"], names)
                hint = words["hints"].get(item["hint_key"]) if item["hint_key"] else None
                append_row(
                    sheet,
                    [
                        std["short"],
                        sec["id"],
                        item["number"],
                        item["title"][language],
                        words["kinds"][item["kind"]],
                        what or item["subject"],
                        words["statuses"][item["status"]],
                        words["severities"][item["severity"]],
                        *where(item),
                        fill(hint, "audit.hints", subject=what or item["subject"]) if hint else "",
                        item["subject"],
                    ],
                )
                colour_status(sheet, 7, item["status"])


def save_book(book: Any, path: Path, date: str | None) -> None:
    """Save ``book`` stamped with ``date`` (the assessment date) as made and modified: the same
    inputs give the same bytes."""
    when = stamp(date)
    book.properties.creator = "ccdocs"
    book.properties.created = book.properties.modified = when
    book.save(str(path))
    pin_modified(path, when)


# Column widths (characters) of the gaps, traceability, maturity and scores sheets.
_WIDTHS = (
    (16, 8, 7, 28, 8, 24, 10, 9, 24, 6, 40, 30),
    (14, 28, 22, 28, 16, 40, 10),
    (16, 12, 12, 8, 14, 18, 10, 60),
    (16, 10, 28, 8, 8, 8, 40),
)
# Fill colours of the statuses: red for missing, amber for stale, yellow for partial, green.
_STATUS_FILLS = {"missing": "F8D7DA", "stale": "FFE5CC", "partial": "FFF3CD", "present": "D4EDDA"}


def colour_status(sheet: Any, column: int, status: str) -> None:
    from openpyxl.styles import PatternFill

    colour = _STATUS_FILLS.get(status)
    if colour:
        sheet.cell(row=sheet.max_row, column=column).fill = PatternFill("solid", fgColor=colour)


def lay_out(sheet: Any, widths: Sequence[int]) -> None:
    """Column widths, wrapped text in the wide columns, and a page setup for printing."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    wide = {i for i, width in enumerate(widths, 1) if width >= 20}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.column in wide:
                cell.alignment = wrap
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _maturity_sheets(
    book: Any, results: Sequence[Mapping[str, Any]], language: str, labels: Mapping[str, Any]
) -> list[Any]:
    """One row per standard with its supported and claimed level; one row per scored item."""
    if not results:
        return []
    book_words = labels["audit"]["workbook"]
    levels = book.create_sheet(book_words["sheets"]["maturity"])
    append_row(levels, book_words["maturity"])
    scores = book.create_sheet(book_words["sheets"]["scores"])
    append_row(scores, book_words["scores"])
    for result in results:
        supported = result["supported"]
        append_row(
            levels,
            [
                result["short"],
                result["level"],
                result["claimed_level"],
                book_words["yes"] if result["provisional"] else book_words["no"],
                labels["list_sep"].join(result["scope"]["scored"]),
                labels["list_sep"].join(result["scope"]["unscored"]),
                supported["total"]["score"]
                if supported["total"]["assessable"]
                else book_words["not_assessed"],
                maturity_headline(labels, result, language),
            ],
        )
        for row in _score_rows(result, language, labels):
            append_row(scores, row)
    return [levels, scores]


def _score_rows(
    result: Mapping[str, Any], language: str, labels: Mapping[str, Any]
) -> list[list[object]]:
    """Every claimed score with what counts of it and the gaps that cap it."""
    words = labels["audit"]
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
                    labels["list_sep"].join(
                        f"{words['kinds'][g['kind']]} {g['subject']}"
                        f"{labels['colon']}{words['statuses'][g['status']]}"
                        for g in gaps
                    ),
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


def pin_modified(path: Path, stamp: dt.datetime) -> None:
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


def stamp(date: str | None) -> dt.datetime:
    """The time a workbook says it was made: the assessment date (reproducible output)."""
    day = dt.date.fromisoformat(date) if date else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)
