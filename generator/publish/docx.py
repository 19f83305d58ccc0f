"""DOCX through pandoc, with a reference document that ccdocs writes with python-docx.

The reference document carries what pandoc takes from it: styles (East-Asian fonts, headings,
tables), page margins, and the header and footer (document number and version; "page X of Y").
After conversion python-docx adds what pandoc leaves out: page breaks after the cover and the
table of contents, and the document properties.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import docx
import pypandoc
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from generator.errors import PublishError
from generator.publish import PANDOC_MARKDOWN, DocumentFacts
from generator.publish.package import normalise_zip
from generator.publish.variants import select_variant
from generator.render import escape_markdown, label_parts

# Word has no font fallback lists: name the Noto faces (Debian fonts-noto-cjk) and let the font
# table point Word at the Windows faces of the same family when the Noto ones are missing.
BODY_FONT = ("Noto Serif CJK SC", "SimSun")  # a Song face
HEADING_FONT = ("Noto Sans CJK SC", "SimHei")  # a Hei face
LATIN_FONT = "Calibri"
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}  # the page_of label's fields -> Word fields


def publish_docx(markdown: str, meta: DocumentFacts, target: Path, work: Path) -> Path:
    """Convert one rendered document to ``target`` (a .docx file)."""
    reference = work / f"{target.stem}.reference.docx"
    write_reference_doc(reference, meta)
    metadata = write_metadata(work / f"{target.stem}.metadata.json", meta)
    source = select_variant(markdown, "print")
    args = [
        f"--reference-doc={reference}",
        "--toc",
        "--toc-depth=2",
        f"--metadata-file={metadata}",
        "--quiet",
        f"--metadata=lang:{'zh-CN' if meta.language == 'zh' else 'en-GB'}",
    ]
    try:
        pypandoc.convert_text(
            source,
            "docx",
            format=PANDOC_MARKDOWN,
            outputfile=str(target),
            extra_args=args,
            verify_format=False,  # fixed formats: no two extra pandoc runs to list them
        )
    except (RuntimeError, OSError) as e:
        raise PublishError(f"pandoc could not write {target.name}: {e}") from e
    _finish(target, meta)
    return target


def write_metadata(path: Path, meta: DocumentFacts) -> Path:
    """The cover's title, subtitle, date and author, and the contents' title, for pandoc.

    pandoc reads the values of a metadata file as Markdown, so they are escaped like the body.
    (On its command line "true" or "false" would become a boolean, and the cover would lose it.)
    """
    values = {
        "title": meta.title,
        "subtitle": meta.organization,
        "toc-title": meta.toc_title,
        "date": meta.effective_date,
        "author": meta.prepared_by,
    }
    escaped = {key: escape_markdown(value) for key, value in values.items() if value}
    path.write_text(json.dumps(escaped, ensure_ascii=False), encoding="utf-8")
    return path


def default_reference_doc(path: Path) -> Path:
    """pandoc's own reference.docx: every style pandoc uses, ready to be restyled."""
    path.write_bytes(_pandoc_reference())
    return path


@functools.cache
def _pandoc_reference() -> bytes:
    """The bytes of pandoc's reference.docx, asked of pandoc once per process."""
    pandoc = pypandoc.get_pandoc_path()
    try:
        return subprocess.run(
            [pandoc, "--print-default-data-file", "reference.docx"], check=True, capture_output=True
        ).stdout
    except (subprocess.CalledProcessError, OSError) as e:
        raise PublishError(f"pandoc could not give its reference.docx: {e}") from e


def write_reference_doc(path: Path, meta: DocumentFacts) -> Path:
    """The reference document of one output: fonts, headings, tables, header and footer."""
    document = docx.Document(str(default_reference_doc(path)))
    _style_fonts(document)
    _style_headings(document, meta.brand.primary)
    _style_tables(document)
    _style_toc(document)
    section = document.sections[0]
    company = f"{meta.brand.company}    " if meta.brand.company else ""
    _header(section, f"{company}{meta.number}  v{meta.version}")
    _footer(section, meta.page_of)
    section.different_first_page_header_footer = True  # a bare cover, as in the PDF
    document.save(str(path))
    return path


def _set_fonts(style: Any, faces: tuple[str, str], size: float | None = None) -> None:
    font = style.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), faces[0])
    fonts.set(qn("w:hint"), "eastAsia")


def _style_fonts(document: Any) -> None:
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Date", "Author"):
        if name in [s.name for s in document.styles]:
            _set_fonts(document.styles[name], BODY_FONT, 10.5 if name == "Normal" else None)
    _font_table_fallbacks(document)


def _style_headings(document: Any, colour: str) -> None:
    sizes = {
        "Title": 26,
        "Subtitle": 16,
        "Heading 1": 16,
        "Heading 2": 14,
        "Heading 3": 12,
        "Heading 4": 11,
        "TOC Heading": 16,
    }
    for name, size in sizes.items():
        style = document.styles[name]
        _set_fonts(style, HEADING_FONT, size)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _style_tables(document: Any) -> None:
    """Give pandoc's "Table" style single borders and a shaded header row."""
    styles = [s for s in document.styles if s.name == "Table"]
    if not styles:
        return
    props = styles[0].element.find(qn("w:tblPr"))
    if props is None:
        props = OxmlElement("w:tblPr")
        styles[0].element.append(props)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "808080")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    for old in props.findall(qn("w:tblBorders")):
        props.remove(old)
    props.append(borders)


def _style_toc(document: Any) -> None:
    """The paragraph styles of table-of-contents entries, as Word names them."""
    names = {s.name for s in document.styles}
    for level, indent in ((1, 0.0), (2, 0.74)):
        name = f"TOC {level}"
        if name in names:
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.space_after = Pt(2)
        _set_fonts(style, BODY_FONT)


def _font_table_fallbacks(document: Any) -> None:
    """Font-table entries that name the Windows face Word may use instead of each Noto face."""
    for rel in document.part.rels.values():
        if not rel.reltype.endswith("/fontTable"):
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob)
        for face, alt in (BODY_FONT, HEADING_FONT):
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), face)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph: Any, instruction: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) to ``paragraph``."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    value = OxmlElement("w:t")
    value.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, value, end):
        run._r.append(element)


def _header(section: Any, text: str) -> None:
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    paragraph.text = text
    paragraph.alignment = 2  # right


def _footer(section: Any, page_of: str) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = 1  # centre
    for text, field in label_parts(page_of, "page_of", PAGE_FIELDS):
        paragraph.add_run(text)
        if field:
            _field(paragraph, PAGE_FIELDS[field])


def _finish(path: Path, meta: DocumentFacts) -> None:
    """Page breaks after cover and contents, document properties, reproducible bytes."""
    document = docx.Document(str(path))
    body = document.element.body
    if meta.brand.logo_data:
        _cover_logo(document, meta.brand.logo_data)
    toc = body.find(qn("w:sdt"))
    if toc is not None:
        _fill_toc(toc, body)
        toc.addprevious(_page_break())
        toc.addnext(_page_break())
    # Ask Word to fill the table of contents and page counts when the document is opened.
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
    props = document.core_properties
    props.title = meta.title
    props.subject = meta.organization
    props.author = meta.owner
    props.identifier = meta.number
    props.version = meta.version
    props.language = meta.language
    props.keywords = "ccdocs"
    stamp = _stamp(meta.effective_date or None)
    props.created = props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    document.save(str(path))
    normalise_zip(path)


def _cover_logo(document: Any, logo: bytes) -> None:
    """The brand's logo, 4 cm wide and centred, above the title on the cover."""
    paragraph = document.add_paragraph()
    paragraph.alignment = 1  # centre
    paragraph.add_run().add_picture(io.BytesIO(logo), width=Cm(4))  # as checked at load
    body = document.element.body
    body.remove(paragraph._p)
    body.insert(0, paragraph._p)


def _fill_toc(toc: Any, body: Any) -> None:
    """Put the headings into the contents field as its current result, linked to each heading.

    Word recomputes the field (with page numbers) when the document opens; readers that do not
    update fields, such as LibreOffice and WPS, show these entries instead of an empty contents.
    """
    field = next(
        (p for p in toc.iter(qn("w:p")) if p.find(f".//{qn('w:instrText')}") is not None), None
    )
    if field is None:
        return
    entries = []
    bookmark = None
    for element in body:
        if element.tag == qn("w:bookmarkStart"):
            bookmark = element.get(qn("w:name"))
            continue
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = {"Heading1": 1, "Heading2": 2}.get(
            style.get(qn("w:val")) if style is not None else ""
        )
        if element.tag == qn("w:p") and level:
            text = "".join(t.text or "" for t in element.iter(qn("w:t")))
            entries.append((level, text, bookmark))
        bookmark = None
    if not entries:
        return
    end = [r for r in field.iter(qn("w:fldChar")) if r.get(qn("w:fldCharType")) == "end"]
    for fld in end:  # the field now ends after the last entry
        fld.getparent().remove(fld)
    anchor = field
    for level, text, bookmark in entries:
        paragraph = OxmlElement("w:p")
        props = OxmlElement("w:pPr")
        style = OxmlElement("w:pStyle")
        style.set(qn("w:val"), f"TOC{level}")
        props.append(style)
        paragraph.append(props)
        link = OxmlElement("w:hyperlink")
        if bookmark:
            link.set(qn("w:anchor"), bookmark)
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
        link.append(run)
        paragraph.append(link)
        anchor.addnext(paragraph)
        anchor = paragraph
    closing = OxmlElement("w:r")
    fld_end = OxmlElement("w:fldChar")
    fld_end.set(qn("w:fldCharType"), "end")
    closing.append(fld_end)
    anchor.append(closing)


def _page_break() -> Any:
    paragraph = OxmlElement("w:p")
    run = OxmlElement("w:r")
    brk = OxmlElement("w:br")
    brk.set(qn("w:type"), "page")
    run.append(brk)
    paragraph.append(run)
    return paragraph


def _stamp(date: str | None) -> dt.datetime:
    day = dt.date.fromisoformat(date) if date else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
