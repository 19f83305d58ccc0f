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
import threading
from pathlib import Path

import pypandoc
import typst

from generator.bundled import bundled_dir
from generator.errors import PublishError
from generator.messages import error
from generator.publish import PANDOC_MARKDOWN, DocumentFacts, diagrams
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
    """Lay out one rendered document as ``target`` (a .pdf file), using the folder ``work``.

    pandoc converts the Markdown to Typst markup, Typst lays out the pages. Typst holds the
    interpreter lock while it works, so beside other conversions (in a worker thread of the
    build) it runs in a process of its own; alone, it runs here, with the fonts found once.
    """
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{meta.doc_id}.typ"
    layout = (bundled_dir("site") / "print.typ").read_text(encoding="utf-8")
    source_text = mark_placeholders(markdown, meta.placeholder)
    body = typst_body(diagrams.for_print(source_text, work, "typst"))
    source.write_text(layout + "\n" + body, "utf-8")
    facts = json.dumps(_facts(meta, work), ensure_ascii=False)
    if threading.current_thread() is threading.main_thread():
        problem = compile_pdf(str(work), str(source), facts, str(target), fonts())
    else:
        problem = _compile_apart(work, source, facts, target)
    if problem:
        raise error(PublishError, "error.typst", name=target.name, reason=problem)
    return target


def _compile_apart(work: Path, source: Path, facts: str, target: Path) -> str:
    """``compile_pdf`` in a process of its own; "" when done, else the reason."""
    facts_file = work / f"{source.stem}.facts.json"
    facts_file.write_text(facts, encoding="utf-8")
    command = [sys.executable, str(COMPILER), str(work), str(source), str(facts_file), str(target)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8")
    except OSError as e:
        return f"it could not be started: {e}"
    if done.returncode != 0:
        return done.stderr.strip() or f"it stopped with status {done.returncode}"
    return ""


def typst_body(markdown: str) -> str:
    """The document as Typst markup, without its title (shown on the cover)."""
    body = _pandoc_typst(markdown)
    if _MARKER_AT_START.search(body):  # rare: only then is the filter worth its cost
        body = _pandoc_typst(markdown, f"--lua-filter={MARKERS_FILTER}")
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


def _pandoc_typst(markdown: str, *options: str) -> str:
    marks = [f"--lua-filter={PLACEHOLDERS_FILTER}"] if "<mark>" in markdown else []
    try:
        body: str = pypandoc.convert_text(
            markdown,
            "typst",
            format=PANDOC_MARKDOWN,
            # a line break between Chinese characters would read as a space
            extra_args=["--wrap=none", f"--lua-filter={TOKENS_FILTER}", *marks, *options],
            verify_format=False,  # fixed formats: no two extra pandoc runs to list them
        )
    except (RuntimeError, OSError) as e:
        raise error(PublishError, "error.pandoc-typst", reason=e) from e
    return body


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
