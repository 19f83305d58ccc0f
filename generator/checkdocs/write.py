"""The outputs of ``ccdocs check-docs``: the gap report as Markdown, JSON and an XLSX workbook
(gaps and the document register), in the chosen language."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.audit.gaps import STATUSES
from generator.audit.write import append_gap_rows, append_row, filter_sheet, lay_out, save_book
from generator.labels import load_labels
from generator.render import (
    escape_text,
    fill,
    make_environment,
    render_template,
    template_dirs,
)
from generator.standards import Catalog

TEMPLATE = "checkdocs/gap-report.md.jinja"
# Column widths (characters) of the gaps and register sheets.
_WIDTHS = (
    (16, 8, 7, 28, 8, 28, 10, 9, 24, 8, 24, 40, 40),
    (28, 6, 28, 28, 16, 8, 12, 14, 12, 16, 40),
)


def names(catalog: Catalog, language: str, labels: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Catalogue documents and the content they must show, in words."""
    documents = {doc.id: doc.title[language] for doc in catalog.documents.values()}
    documents |= {gid: g["title"][language] for gid, g in catalog.generated.items()}
    content_of = labels["check_docs"]["content_of"]
    content = {
        f"{doc.id}#{e.id}": fill(
            content_of,
            "check_docs.content_of",
            document=doc.title[language],
            content=e.title[language],
        )
        for doc in catalog.documents.values()
        for e in doc.expects
    }
    return {"documents": documents, "content": content}


def write_outputs(
    report: Mapping[str, Any], catalog: Catalog, language: str, folder: Path
) -> list[Path]:
    """gap-report.md, gap-report.json and check.xlsx in ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = load_labels(language, template_dirs())
    words = names(catalog, language, labels)
    markdown = folder / "gap-report.md"
    markdown.write_text(render_report(report, catalog, language, labels, words), "utf-8")
    _write_site(markdown.read_text("utf-8"), str(labels["check_docs"]["title"]), language, folder)
    data = folder / "gap-report.json"
    data.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    book = folder / "check.xlsx"
    write_workbook(book, report, language, labels, words)
    return [markdown, data, book]


def _write_site(markdown: str, title: str, language: str, folder: Path) -> None:
    """The report as the internal site shows it (one page, the theme's search): ``site/``."""
    from generator.publish import PUBLISHERS, Publication

    page = Publication(
        documents={}, facts={}, pages={"index.md": markdown}, site_name=title, language=language
    )
    _, publish = PUBLISHERS["site"]
    publish(page, folder / "site")
    shutil.rmtree(folder / ".site-project", ignore_errors=True)  # the MkDocs project it came from


def render_report(
    report: Mapping[str, Any],
    catalog: Catalog,
    language: str,
    labels: Mapping[str, Any],
    words: Mapping[str, Mapping[str, str]],
) -> str:
    env = make_environment(template_dirs(), labels)
    context = escape_text(
        {
            "report": report,
            "names": {"content": words["content"]},
            "document_names": words["documents"],
            "statuses": STATUSES,
            "max_age_days": catalog.recognition.get("control", {}).get("max_age_days", 0),
        }
    )
    return str(render_template(env, TEMPLATE, {**context, "lang": language}))


def write_workbook(
    path: Path,
    report: Mapping[str, Any],
    language: str,
    labels: Mapping[str, Any],
    words: Mapping[str, Mapping[str, str]],
) -> None:
    """The gaps sheet (every item, with file, page and the words that matched) and the
    register sheet, in the report's language, ready to filter and print."""
    from openpyxl import Workbook

    audit = labels["audit"]
    check = labels["check_docs"]
    book = Workbook()
    gaps = book.active
    gaps.title = audit["workbook"]["sheets"]["gaps"]
    append_row(gaps, check["gap_columns"])

    def where(item: Mapping[str, Any]) -> list[object]:
        loc = item["location"]
        return [loc["file"], loc["page"] or loc["heading"], loc["quote"]]

    append_gap_rows(gaps, report, language, labels, words, where)
    register = book.create_sheet(check["register"])
    append_row(register, check["register_columns"])
    for row in report["register"]:
        control = row["control"] or {}
        append_row(
            register,
            [
                row["file"],
                row["kind"].upper(),
                row["title"],
                labels["item_sep"].join(words["documents"].get(e, e) for e in row["entries"]),
                control.get("number", ""),
                control.get("version", ""),
                control.get("effective_date", ""),
                control.get("approver", ""),
                control.get("approved_on", ""),
                check["register_statuses"][row["status"]],
                labels["list_sep"].join(check["control_fields"][f] for f in row["control_missing"])
                or row["error"],
            ],
        )
    for sheet, widths in zip((gaps, register), _WIDTHS, strict=True):
        filter_sheet(sheet)
        lay_out(sheet, widths)
    save_book(book, path, report.get("assessment_date"))
