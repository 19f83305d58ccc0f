"""The text of documents made by hand: DOCX, PDF, XLSX, Markdown and plain text.

Each file becomes an ``Extracted``: its text page by page, its headings and its title. A file
that cannot be read gives an ``Extracted`` whose ``error`` says why; nothing here raises for a
bad file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pypandoc
from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadError

SUFFIXES = (".docx", ".pdf", ".xlsx", ".md", ".markdown", ".txt")
_KINDS = {
    ".docx": "docx",
    ".pdf": "pdf",
    ".xlsx": "xlsx",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
}
_REASON_LENGTH = 200


@dataclass(frozen=True)
class Heading:
    """A heading of a document: its level (1 = chapter), its words, and its page if known."""

    level: int
    text: str
    page: int | None  # PDF: 1-based page; XLSX: sheet number; otherwise None


@dataclass(frozen=True)
class Extracted:
    """What one file says: its text page by page, its headings and its title."""

    path: Path
    kind: str  # "docx" | "pdf" | "xlsx" | "md" | "txt"
    pages: tuple[str, ...]  # per PDF page, per XLSX sheet; otherwise one entry
    headings: tuple[Heading, ...]
    title: str
    text_layer: bool  # False for a PDF with pages but no text in them: a scan
    error: str  # "" when read; otherwise why not, in one line

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


class _Unreadable(Exception):
    """A file this cannot read, for a reason its message states in full."""


def document_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (recursively) with a suffix in SUFFIXES (any case), sorted by
    relative path, skipping hidden files and folders and Office lock files (``~$…``)."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(Path(root, name) for name in names if _is_document(Path(root, name)))
    return sorted(found, key=lambda path: path.relative_to(folder).parts)


def _is_document(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~$")) or path.suffix.lower() not in SUFFIXES:
        return False
    return path.is_file()


def extract(path: Path) -> Extracted:
    """The text, headings and title of ``path``; ``error`` set when the file cannot be read.

    Raises ValueError only for a suffix not in SUFFIXES: that is no document to read at all.
    """
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path.name}: not a document this reads ({', '.join(SUFFIXES)})")
    try:
        return _READERS[kind](path)
    except Exception as error:  # any damage in the file is a reason to show, not a crash
        return _failed(path, kind, _reason(kind, error))


def extract_all(
    paths: Sequence[Path],
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Extracted]:
    """``extract`` of each path, in the given order; with ``workers`` > 1 in that many processes,
    since converting DOCX and parsing PDF are CPU-bound. ``progress(done, total)`` is called as
    files are read.

    A worker that dies (killed, out of memory) breaks the pool: each file it left is read again
    in a process of its own, so only a file that kills its reader again gets an error.
    """
    report = progress or (lambda done, total: None)
    report(0, len(paths))
    if workers <= 1 or len(paths) <= 1:
        results = []
        for path in paths:
            results.append(extract(path))
            report(len(results), len(paths))
        return results
    with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
        futures = [pool.submit(extract, path) for path in paths]
        for done, _ in enumerate(as_completed(futures), start=1):
            report(done, len(paths))
        return [_result(future, path) for future, path in zip(futures, paths, strict=True)]


def _result(future: Future[Extracted], path: Path) -> Extracted:
    try:
        return future.result()
    except BrokenProcessPool:
        return _alone(path)


def _alone(path: Path) -> Extracted:
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(extract, path).result()
        except BrokenProcessPool:
            reason = "the process reading it died (killed, or out of memory)"
            return _failed(path, _KINDS.get(path.suffix.lower(), ""), reason)


# -- results --------------------------------------------------------------------------------------


def _extracted(
    path: Path,
    kind: str,
    pages: Sequence[str],
    headings: Sequence[Heading],
    titles: Iterable[str | None] = (),
    text_layer: bool = True,
) -> Extracted:
    title = _title(path, titles, headings, pages)
    return Extracted(path, kind, tuple(pages), tuple(headings), title, text_layer, "")


def _failed(path: Path, kind: str, reason: str) -> Extracted:
    return Extracted(path, kind, (), (), path.stem, True, reason)


def _title(
    path: Path, titles: Iterable[str | None], headings: Sequence[Heading], pages: Sequence[str]
) -> str:
    """The first of: a title the file states, its first chapter, its first line, its name."""
    for title in titles:
        if title and title.strip():
            return _collapse(title)
    for heading in headings:
        if heading.level == 1:
            return heading.text
    for page in pages:
        for line in page.splitlines():
            if line.strip():
                return _collapse(line)
    return path.stem


def _reason(kind: str, error: Exception) -> str:
    if isinstance(error, _Unreadable):
        reason = str(error)
    elif isinstance(error, zipfile.BadZipFile):
        reason = f"damaged file: not a valid {kind.upper()} (zip) archive"
    elif isinstance(error, PdfReadError):
        reason = f"damaged PDF: {error}"
    elif isinstance(error, OSError):
        reason = f"cannot open the file: {error.strerror or error}"
    else:
        reason = f"cannot read this {kind.upper()} file: {type(error).__name__}: {error}"
    reason = _collapse(reason)
    return reason if len(reason) <= _REASON_LENGTH else reason[: _REASON_LENGTH - 1] + "…"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _row(cells: Iterable[str]) -> str:
    """A table row as one line, its cells joined by " | " up to the last that is not empty."""
    texts = list(cells)
    while texts and not texts[-1]:
        texts.pop()
    return " | ".join(texts)


# -- DOCX -----------------------------------------------------------------------------------------

_Line = tuple[str, int]  # a line of text and, for a heading, its level (0 for body text)
# Pandoc's DOCX reader takes these paragraph styles out of the body into the metadata.
_META_PARAGRAPHS = ("title", "subtitle", "author", "date", "abstract")
# Word's non-breaking hyphen is a hyphen that does not wrap; its soft hyphen shows only at a
# line end. Read as the hyphen and nothing, numbers such as GS-RX-YY-01 match as typed.
_WORD_HYPHENS = str.maketrans({"\u2011": "-", "\u00ad": None})


def _read_docx(path: Path) -> Extracted:
    title = docx.Document(str(path)).core_properties.title
    converted = pypandoc.convert_file(str(path), "json", format="docx", extra_args=["--quiet"])
    tree = json.loads(converted)
    meta = tree.get("meta", {})
    lines = [line for key in _META_PARAGRAPHS if key in meta for line in _meta_lines(meta[key])]
    body = list(_lines(tree["blocks"]))
    headings = [Heading(level, _collapse(text), None) for text, level in body if level]
    pages = ["\n".join([*lines, *(text for text, _ in body)])]
    titled = meta.get("title")
    return _extracted(path, "docx", pages, headings, (title, *_meta_lines(titled or {})))


def _meta_lines(value: Any) -> list[str]:
    kind, content = value.get("t"), value.get("c")
    if kind == "MetaInlines":
        return [_inlines(content)]
    if kind == "MetaBlocks":
        return [text for text, _ in _lines(content)]
    if kind == "MetaList":
        return [line for item in content for line in _meta_lines(item)]
    if kind == "MetaString":
        return [content]
    return []


def _lines(blocks: Any) -> Iterator[_Line]:
    for block in blocks:
        read = _BLOCKS.get(block["t"])
        if read is not None:
            yield from read(block.get("c"))


def _plain(blocks: Any) -> str:
    """The text of ``blocks`` on one line, as a table cell needs it."""
    return " ".join(line for text, _ in _lines(blocks) for line in text.splitlines() if line)


def _header(content: Any) -> Iterator[_Line]:
    level, _, inlines = content
    yield _inlines(inlines), level


def _table(content: Any) -> Iterator[_Line]:
    _, caption, _, head, bodies, foot = content
    yield from _lines(caption[1])
    rows = [*head[1]]
    for body in bodies:
        rows.extend([*body[2], *body[3]])
    rows.extend(foot[1])
    for row in rows:
        text = _row(_plain(cell[4]) for cell in row[1])
        if text:
            yield text, 0


def _item(marker: str, blocks: Any) -> Iterator[_Line]:
    for index, (text, _) in enumerate(_lines(blocks)):
        yield (marker if index == 0 else " " * len(marker)) + text, 0


def _bullets(items: Any) -> Iterator[_Line]:
    for item in items:
        yield from _item("- ", item)


def _numbered(content: Any) -> Iterator[_Line]:
    (start, _, _), items = content
    for number, item in enumerate(items, start):
        yield from _item(f"{number}. ", item)


def _definitions(items: Any) -> Iterator[_Line]:
    for term, definitions in items:
        yield _inlines(term), 0
        for definition in definitions:
            yield from _lines(definition)


def _figure(content: Any) -> Iterator[_Line]:
    _, caption, blocks = content
    yield from _lines(blocks)
    yield from _lines(caption[1])


_BLOCKS: dict[str, Callable[[Any], Iterable[_Line]]] = {
    "Plain": lambda inlines: [(_inlines(inlines), 0)],
    "Para": lambda inlines: [(_inlines(inlines), 0)],
    "LineBlock": lambda lines: [(_inlines(line), 0) for line in lines],
    "CodeBlock": lambda content: [(line, 0) for line in content[1].splitlines()],
    "Header": _header,
    "Table": _table,
    "BulletList": _bullets,
    "OrderedList": _numbered,
    "DefinitionList": _definitions,
    "Figure": _figure,
    "BlockQuote": _lines,
    "Div": lambda content: _lines(content[1]),
}
# Inlines that wrap others, and where they keep them.
_WRAPPERS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(
        ("Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps"),
        lambda content: content,
    ),
    **dict.fromkeys(("Span", "Link", "Image", "Cite"), lambda content: content[1]),
}
_QUOTES = {"DoubleQuote": "“”", "SingleQuote": "‘’"}


def _inlines(inlines: Any) -> str:
    return "".join(_inline(inline) for inline in inlines)


def _inline(inline: Any) -> str:
    kind, content = inline["t"], inline.get("c")
    if kind == "Str":
        return str(content).translate(_WORD_HYPHENS)
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "\n"
    if kind in ("Code", "Math"):
        return str(content[1])
    if kind == "Quoted":
        marks = _QUOTES.get(content[0]["t"], '""')
        return marks[0] + _inlines(content[1]) + marks[1]
    if kind == "Note":
        return " " + _plain(content)
    wrapped = _WRAPPERS.get(kind)
    return _inlines(wrapped(content)) if wrapped else ""


# -- PDF ------------------------------------------------------------------------------------------

# Word writes its PDFs' titles as "Microsoft Word - <file name>".
_WORD_PDF_TITLE = re.compile(r"Microsoft Word - (.*?)(?:\.docx?)?", re.IGNORECASE)


def _read_pdf(path: Path) -> Extracted:
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            _decrypt(reader)
        except _Unreadable:  # poppler opens more kinds of encryption than pypdf alone
            pages = _poppler_pages(path, 1)
            if not pages:
                raise
            return _extracted(path, "pdf", pages, [], (), any(p.strip() for p in pages))
    pages = _poppler_pages(path, len(reader.pages))
    if pages is None:
        pages = [page.extract_text() for page in reader.pages]
    title = reader.metadata.title if reader.metadata else None
    if title and (word := _WORD_PDF_TITLE.fullmatch(title.strip())):
        title = word.group(1)
    text_layer = not pages or any(page.strip() for page in pages)
    return _extracted(path, "pdf", pages, _outline(reader), (title,), text_layer)


def _poppler_pages(path: Path, count: int) -> list[str] | None:
    """The text of each page by poppler's ``pdftotext -layout``, or None without it.

    A table's row stays on one line ("文件编号   GS-RX-YY-01"), and it is more than ten times
    faster than pypdf's own extraction (bench/README.md); pypdf reads the outline either way.
    """
    tool = shutil.which("pdftotext")
    if tool is None or count == 0:
        return None
    try:
        done = subprocess.run(
            [tool, "-layout", "-enc", "UTF-8", "-q", str(path), "-"],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    pages = done.stdout.decode("utf-8", errors="replace").split("\f")
    if done.returncode != 0 or len(pages) < count:
        return None
    return [page.rstrip() for page in pages[: max(count, len(pages) - 1)]]


def _decrypt(reader: PdfReader) -> None:
    """Open a PDF locked with an empty password (one that only restricts printing or copying)."""
    try:
        opened = reader.decrypt("")
    except Exception as error:
        raise _Unreadable(f"encrypted PDF: cannot decrypt it ({error})") from error
    if opened == PasswordType.NOT_DECRYPTED:
        raise _Unreadable("encrypted PDF: it cannot be opened without a password")


def _outline(reader: PdfReader) -> list[Heading]:
    try:
        return list(_outline_items(reader, reader.outline, 1))
    except Exception:  # a broken outline costs the headings, not the text
        return []


def _outline_items(reader: PdfReader, items: Iterable[Any], level: int) -> Iterator[Heading]:
    for item in items:
        if isinstance(item, list):
            yield from _outline_items(reader, item, level + 1)
            continue
        text = _collapse(item.title or "")
        if text:
            number = reader.get_destination_page_number(item)
            yield Heading(level, text, number + 1 if number is not None and number >= 0 else None)


# -- XLSX -----------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> Extracted:
    # openpyxl warns about formatting and extensions it drops; the cells' values are whole.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [(sheet.title, list(_rows(sheet))) for sheet in book.worksheets]
            title = book.properties.title
        finally:
            book.close()
    pages = [f"{name}\n" + "\n".join(rows) for name, rows in sheets]
    headings = [Heading(1, _collapse(name), number) for number, (name, _) in enumerate(sheets, 1)]
    return _extracted(path, "xlsx", pages, headings, (title,))


def _rows(sheet: Any) -> Iterator[str]:
    # A read-only sheet trusts the size the file declares, which some writers leave at A1.
    sheet.reset_dimensions()
    for values in sheet.iter_rows(values_only=True):
        text = _row(_cell(value) for value in values)
        if text:
            yield text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# -- Markdown and plain text ----------------------------------------------------------------------

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# "## Scope {#scope}": pandoc's heading attributes, not words of the heading
_ATTRIBUTES = re.compile(r"\s*\{[#.][^}]*\}\s*$")


def _read_text(path: Path, kind: str) -> Extracted:
    text = _decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    headings = list(_atx_headings(text)) if kind == "md" else []
    return _extracted(path, kind, [text], headings)


def _decode(data: bytes) -> str:
    """UTF-8, or UTF-16 after its byte-order mark; else GB18030, as Chinese Windows saves."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _atx_headings(text: str) -> Iterator[Heading]:
    fence = ""
    for line in text.splitlines():
        marks = _FENCE.match(line)
        if fence:
            if marks and marks.group(1)[0] == fence[0] and len(marks.group(1)) >= len(fence):
                fence = ""
            continue
        if marks:
            fence = marks.group(1)
            continue
        heading = _ATX.fullmatch(line)
        if heading and heading.group(2):
            words = _collapse(_ATTRIBUTES.sub("", heading.group(2)))
            if words:
                yield Heading(len(heading.group(1)), words, None)


_READERS: dict[str, Callable[[Path], Extracted]] = {
    "docx": _read_docx,
    "pdf": _read_pdf,
    "xlsx": _read_xlsx,
    "md": lambda path: _read_text(path, "md"),
    "txt": lambda path: _read_text(path, "txt"),
}
