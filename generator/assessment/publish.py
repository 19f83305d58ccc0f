"""The assessment report written out: Markdown, DOCX and PDF in the report's language, through
the same converters as the controlled documents."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.labels import load_labels
from generator.publish import DocumentFacts
from generator.publish.docx import publish_docx
from generator.publish.pdf import publish_pdf
from generator.render import escape_text, make_environment, render_template, template_dirs

TEMPLATE = "assessment/report.md.jinja"
NAME = "assessment-report"


def render_report(report: Mapping[str, Any], language: str) -> str:
    labels = load_labels(language, template_dirs())
    env = make_environment(template_dirs(), labels)
    context = {**escape_text({"report": report}), "lang": language}
    return str(render_template(env, TEMPLATE, context)).strip() + "\n"


def write_report(
    report: Mapping[str, Any], language: str, folder: Path, formats: tuple[str, ...]
) -> list[Path]:
    """``assessment-report.md`` (and .docx, .pdf, .json) in ``folder``, made if need be; the
    paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = load_labels(language, template_dirs())
    words, control = labels["assessment"], labels["control"]
    markdown = render_report(report, language)
    written = [folder / f"{NAME}.md", folder / f"{NAME}.json"]
    written[0].write_text(markdown, encoding="utf-8")
    written[1].write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    facts = DocumentFacts(
        doc_id=NAME,
        title=str(labels["assessment"]["title"]),
        organization=str(report["organization"] or report["subject"]),
        number="",
        version="",
        effective_date=str(report["date"] or ""),
        owner=str(labels["list_sep"]).join(report["assessors"]),
        page_of=str(labels["page_of"]),
        toc_title=str(labels["toc"]),
        language=language,
        cover=(
            (str(words["info"][1]), str(report["short"])),
            (str(words["info"][3]), str(report["date"] or "—")),
        ),
        signoff_heads=(
            str(control["signoff"]),
            str(words["name"]),
            str(control["signature"]),
            str(control["signature_date"]),
        ),
        signoff=(
            (str(words["assessor"]), str(labels["list_sep"]).join(report["assessors"])),
            (str(control["reviewer"]), ""),
            (str(control["approver"]), ""),
        ),
    )
    with tempfile.TemporaryDirectory(prefix="ccdocs-assessment-") as work:
        if "docx" in formats:
            written.append(publish_docx(markdown, facts, folder / f"{NAME}.docx", Path(work)))
        if "pdf" in formats:
            written.append(publish_pdf(markdown, facts, folder / f"{NAME}.pdf", Path(work)))
    return written
