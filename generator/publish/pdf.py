"""PDF through Typst: pandoc turns the Markdown into Typst markup, Typst lays out the pages.

The page layout (A4, cover, contents with page numbers, running header and footer, tables) is
``site/print.typ``; the document's facts reach it as JSON in Typst's ``sys.inputs``, never as
Typst code. Typst reads files only inside the document's own work folder.

Chinese needs a CJK font. ccdocs looks among the fonts Typst finds for one and refuses to go on
without it, so a PDF never silently shows empty boxes.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import typst

from generator.bundled import bundled_dir
from generator.errors import PublishError
from generator.messages import error
from generator.publish import DocumentFacts, diagrams
from generator.publish.pandoc_run import Conversion, convert
from generator.publish.placeholders import PLACEHOLDERS_FILTER, mark_placeholders
from generator.publish.typst_compile import compile_pdf
from generator.render import label_parts

# Simplified-Chinese families, preferred first; Typst falls back to any installed font for a
# glyph the chosen one lacks.
CJK_FAMILIES = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "SimSun",
    "Microsoft YaHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
)
HEADING_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC")
PAGE_FIELDS = ("page", "pages")  # the page_of label's fields
MARKERS_FILTER = Path(__file__).with_name("typst-markers.lua")
TOKENS_FILTER = Path(__file__).with_name("typst-tokens.lua")  # dates, numbers, ids kept whole
# Text that Typst would read as a list, enumeration, term or heading marker because it starts a
# list item, a content block or a line after a hard break: pandoc escapes such text only at the
# start of a paragraph. Where this finds any (or something like it), the conversion is done
# again with MARKERS_FILTER, which escapes them all; a false alarm costs only that second run.
_MARKER_AT_START = re.compile(
    r"(?:^[ \t]*(?:[-+/]|\d+\.) +|\[|\\\n[ \t]*)(?:[-+=/]|\d+\.)(?: |\]|$)", re.M
)
COMPILER = Path(__file__).with_name("typst_compile.py")
# The document's own title heading (and the label pandoc gives it): the cover shows the title.
_TITLE = re.compile(r"\A\s*= [^\n]*\n(<[^>\n]+>\n)?")
_LABEL = re.compile(r"^<([^>\n]+)>$", re.M)
_LINK = re.compile(r"#link\(<([^>\n]+)>\)")
# A table's columns as pandoc writes them: a count, or relative widths when a source line is long.
_COLUMNS = re.compile(r"(#table\(\s*columns: )(\d+|\((?:[\d.]+%, ?)*[\d.]+%\))")
# A pipe table of the Markdown: its rows, and the line under the header.
_PIPE_ROW = re.compile(r"^\|.*\|[ \t]*$")
_RULE = re.compile(r"^\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$")
# The text block (A4 less 18 mm a side) in the units of the DOCX width rule, whose letter widths
# are those of 10.5 pt type: the PDF sets tables in 9 pt.
_TABLE_WIDTH = round((210 - 2 * 18) / 25.4 * 1440 * 10.5 / 9)


@functools.cache
def fonts() -> typst.Fonts:
    """The fonts Typst finds on this machine, looked up once per process."""
    return typst.Fonts()


def cjk_font(available: typst.Fonts | None = None) -> str:
    """The family of an installed font for Chinese; PublishError naming the package if none."""
    families = set((available or fonts()).families())
    for family in CJK_FAMILIES:
        if family in families:
            return family
    raise error(PublishError, "error.no-cjk-font")


def publish_pdf(markdown: str, meta: DocumentFacts, target: Path, work: Path) -> Path:
    """Lay out one rendered document as ``target`` (a .pdf file), using the folder ``work``."""
    return publish_pdf_all([(markdown, meta, target, work)])[0]


def publish_pdf_all(documents: Sequence[tuple[str, DocumentFacts, Path, Path]]) -> list[Path]:
    """Lay out rendered documents, each ``(markdown, facts, target .pdf, its work folder)``.

    One pandoc run converts them all to Typst markup; Typst lays out the pages. Typst holds
    the interpreter lock while it works, so beside other conversions (in a worker thread of
    the build) they are laid out in one process of their own; alone, here, with the fonts
    found once.
    """
    if not documents:
        return []
    layout = (bundled_dir("site") / "print.typ").read_text(encoding="utf-8")
    printed = []
    for markdown, meta, _, work in documents:
        work.mkdir(parents=True, exist_ok=True)
        source_text = mark_placeholders(markdown, meta.placeholder)
        printed.append((meta.doc_id, diagrams.for_print(source_text, work, "typst")))
    first = documents[0][3]  # pandoc's files beside the work folders, outside Typst's reach
    bodies = typst_bodies(printed, first.parent / f"{first.name}.pandoc")
    jobs = []
    for (_, meta, target, work), body in zip(documents, bodies, strict=True):
        source = work / f"{meta.doc_id}.typ"
        source.write_text(layout + "\n" + body, "utf-8")
        facts = json.dumps(_facts(meta, work), ensure_ascii=False)
        jobs.append((work, source, facts, target))
    if threading.current_thread() is threading.main_thread():
        for work, source, facts, target in jobs:
            problem = compile_pdf(str(work), str(source), facts, str(target), fonts())
            if problem:
                raise error(PublishError, "error.typst", name=target.name, reason=problem)
    else:
        _compile_apart(jobs)
    return [target for _, _, _, target in jobs]


def _compile_apart(jobs: Sequence[tuple[Path, Path, str, Path]]) -> None:
    """``compile_pdf`` for each job, in one process of its own; PublishError if one fails."""
    command = [sys.executable, str(COMPILER)]
    for work, source, facts, target in jobs:
        facts_file = work / f"{source.stem}.facts.json"
        facts_file.write_text(facts, encoding="utf-8")
        command += [str(work), str(source), str(facts_file), str(target)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
    except OSError as e:
        raise error(PublishError, "error.typst-start", reason=e) from e
    if done.returncode != 0:
        reason = done.stderr.strip() or f"it stopped with status {done.returncode}"
        name, _, message = reason.partition(": ")
        if name.endswith(".pdf") and message:
            raise error(PublishError, "error.typst", name=name, reason=message)
        raise error(PublishError, "error.typst-all", reason=reason)


def typst_body(markdown: str) -> str:
    """The document as Typst markup, without its title (shown on the cover)."""
    with tempfile.TemporaryDirectory() as scratch:
        return typst_bodies([("document", markdown)], Path(scratch))[0]


def typst_bodies(documents: Sequence[tuple[str, str]], scratch: Path) -> list[str]:
    """Each ``(name, markdown)`` as Typst markup without its title, converted by one pandoc
    run in the folder ``scratch``."""
    conversions = [
        Conversion(
            markdown,
            "typst",
            scratch / f"{name}.typ",
            filters=(TOKENS_FILTER, *([PLACEHOLDERS_FILTER] if "<mark>" in markdown else [])),
            wrap="none",  # a line break between Chinese characters would read as a space
        )
        for name, markdown in documents
    ]
    convert(conversions, scratch)
    bodies = [c.target.read_text(encoding="utf-8") for c in conversions]
    again = [i for i, body in enumerate(bodies) if _MARKER_AT_START.search(body)]
    if again:  # rare: only then is the filter worth its cost
        escaped = [
            replace(
                conversions[i],
                target=scratch / f"{documents[i][0]}.escaped.typ",
                filters=(*conversions[i].filters, MARKERS_FILTER),
            )
            for i in again
        ]
        convert(escaped, scratch)
        for i, conversion in zip(again, escaped, strict=True):
            bodies[i] = conversion.target.read_text(encoding="utf-8")
    return [_finished(body, text) for body, (_, text) in zip(bodies, documents, strict=True)]


def _finished(body: str, markdown: str) -> str:
    body = _TITLE.sub("", body, count=1)
    body = _with_widths(body, table_widths(markdown))
    # Typst refuses a link to a label no heading carries; such a link is shown as plain text.
    labels = set(_LABEL.findall(body))
    return _LINK.sub(lambda m: m[0] if m[1] in labels else "#", body)


def table_widths(markdown: str) -> list[list[float]]:
    """The column widths (percent of the text block) of each pipe table of ``markdown``, in
    order, by the rule the DOCX tables follow: each column at least its longest word, short
    columns on one line, the rest shared by what long ones need. Typst's own sizing of columns
    to their content squeezes a column of long words until a word runs into the next one."""
    from generator.publish.docx_tables import column_widths

    lines = markdown.split("\n")
    tables: list[list[float]] = []
    i = 0
    while i < len(lines) - 1:
        if not (_PIPE_ROW.match(lines[i]) and _RULE.match(lines[i + 1])):
            i += 1
            continue
        rows = [_cells(lines[i])]
        i += 2
        while i < len(lines) and _PIPE_ROW.match(lines[i]):
            rows.append(_cells(lines[i]))
            i += 1
        columns = len(rows[0])
        if any(len(row) != columns for row in rows):
            tables.append([])
            continue
        widths = column_widths(rows, _TABLE_WIDTH, columns)
        least = [max(_unbreakable(row[x]) for row in rows) for x in range(columns)]
        if any(w < n for w, n in zip(widths, least, strict=True)):
            tables.append([])  # a word wider than its share: Typst sizes by content, hyphenates
            continue
        tables.append([round(100 * w / sum(widths), 2) for w in widths])
    return tables


# What Typst will not break: a run of anything but spaces and Chinese (a URL, an identifier, a
# word with the punctuation around it), except after a "/".
_RUN = re.compile(r"[^\s\u3000-\u9fff\uff00-\uffef/]+/?")


def _unbreakable(text: str) -> int:
    """The width (in the units of the DOCX width rule, with the cell's padding) of the widest
    piece of ``text`` that Typst sets on one line."""
    from generator.publish.docx_tables import CELL_PADDING, glyph_width

    return CELL_PADDING + max((glyph_width(run) for run in _RUN.findall(text)), default=0)


def _cells(line: str) -> list[str]:
    """The texts of a pipe-table row, as a reader sees them (markup and escapes gone)."""
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [_plain(cell) for cell in cells]


def _plain(cell: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", cell)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their words
    text = re.sub(r"<[^>]+>|\{#[^}]*\}|\*\*|(?<![\w*])\*|\*(?![\w*])", "", text)
    return re.sub(r"\\(.)", r"\1", text).strip()


def _with_widths(body: str, widths: list[list[float]]) -> str:
    """``body`` with each table's columns set to ``widths`` (when the tables match one to one;
    otherwise, and for a table without widths, sized by Typst to their content)."""
    found = list(_COLUMNS.finditer(body))
    planned = iter(widths if len(widths) == len(found) else [[]] * len(found))

    def columns(match: re.Match[str]) -> str:
        written = match[2]
        count = written.count("%") if written.startswith("(") else int(written)
        share = next(planned)
        if len(share) != count:
            return f"{match[1]}{count}"
        return f"{match[1]}({', '.join(f'{w:g}%' for w in share)})"

    return _COLUMNS.sub(columns, body)


def _facts(meta: DocumentFacts, work: Path) -> dict[str, object]:
    family = cjk_font()
    logo = meta.brand.logo_data  # the bytes checked at load, not the file again
    logo_name = ""
    if logo:
        logo_name = "logo.png" if logo.startswith(b"\x89PNG") else "logo.jpg"
        (work / logo_name).write_bytes(logo)
    zh = meta.language == "zh"
    return {
        "title": meta.title,
        "organization": meta.organization,
        "subject": f"{meta.organization} {meta.title}",
        "keywords": [k for k in (meta.number, meta.doc_id) if k],
        "lang": "zh" if zh else "en",
        "region": "cn" if zh else "gb",
        "fonts": [family],
        "heading_fonts": [*HEADING_FAMILIES, family],
        "primary": meta.brand.primary,
        "accent": meta.brand.accent,
        "company": meta.brand.company,
        "running": meta.running,
        "cover": [list(row) for row in meta.cover],
        "signoff_heads": list(meta.signoff_heads),
        "signoff": [list(row) for row in meta.signoff],
        "classification": meta.classification,
        "watermark": meta.watermark,
        "draft_note": meta.draft_note,
        "prepared_by": meta.prepared_by,
        "toc_title": meta.toc_title,
        "page_of": label_parts(meta.page_of, "page_of", PAGE_FIELDS),
        "logo": logo_name,
        "logo_alt": meta.brand.company or meta.organization,
    }
