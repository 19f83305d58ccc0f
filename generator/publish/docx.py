"""DOCX through pandoc, with a reference document that ccdocs derives from pandoc's own.

The reference document carries what pandoc takes from it: styles (East-Asian fonts, headings,
tables), page margins, and the header and footer (document number and version; "page X of Y").
After conversion ccdocs adds what pandoc leaves out: the cover logo, page breaks after the cover
and the table of contents (filled with the headings), and the document properties.

Both steps work on the package's parts: only the parts that change are parsed (with lxml, using
python-docx's element classes where they help: styles, header, footer, core properties) and
serialised as python-docx serialises them, and the package is written once, with fixed
timestamps. Loading the whole package as python-docx objects, saving it and rewriting the zip
again for reproducible bytes cost about a quarter of pandoc's own time on a large manual.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import io
import re
import subprocess
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pypandoc
from docx.enum.section import WD_HEADER_FOOTER, WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.image.image import Image as DocxImage
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.styles.styles import Styles
from lxml import etree

from generator.errors import PublishError
from generator.messages import error
from generator.publish import DocumentFacts, diagrams
from generator.publish.docx_tables import (
    child,
    column_widths,
    finish_tables,
    keep_tokens_whole,
    line_width,
)
from generator.publish.office_pages import heading_pages_all
from generator.publish.package import write_zip
from generator.publish.pandoc_run import Conversion, convert
from generator.publish.placeholders import PLACEHOLDERS_FILTER, mark_placeholders
from generator.render import escape_markdown, label_parts

# Word has no font fallback lists: name the Noto faces (Debian fonts-noto-cjk) and let the font
# table point Word at the Windows faces of the same family when the Noto ones are missing.
BODY_FONT = ("Noto Serif CJK SC", "SimSun")  # a Song face
HEADING_FONT = ("Noto Sans CJK SC", "SimHei")  # a Hei face
LATIN_FONT = "Calibri"
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}  # the page_of label's fields -> Word fields
# A4 margins, as the PDF's (site/print.typ); the header and footer sit 10 mm from the edge.
PAGE_MARGINS = {"top": Mm(22), "bottom": Mm(20), "side": Mm(18), "header": Mm(10)}
CLASSIFICATION_COLOUR = "B00020"  # as the PDF's
TEXT_WIDTH = Mm(210 - 2 * 18)  # A4 less the side margins
NON_BREAKING_HYPHEN = "\u2011"  # how a PDF reader gives Word's w:noBreakHyphen back
PLACEHOLDER_STYLE = "Placeholder"  # as placeholders.lua names it


def publish_docx(markdown: str, meta: DocumentFacts, target: Path, work: Path) -> Path:
    """Convert one rendered document to ``target`` (a .docx file)."""
    return publish_docx_all([(markdown, meta, target)], work)[0]


def publish_docx_all(
    documents: Sequence[tuple[str, DocumentFacts, Path]], work: Path
) -> list[Path]:
    """Convert rendered documents, each ``(markdown, facts, target .docx)``: one pandoc run
    converts them all, one LibreOffice run (when installed) lays them out for the contents'
    page numbers."""
    conversions = [_conversion(text, meta, target, work) for text, meta, target in documents]
    convert(conversions, work / "pandoc")
    finished = [_finish(target, meta) for _, meta, target in documents]
    waiting = [done for done in finished if done.entries]
    laid_out = heading_pages_all([done.path for done in waiting], work / "layout")
    for done, pages in zip(waiting, laid_out, strict=True):
        done.number(pages)
    return [target for _, _, target in documents]


def _conversion(markdown: str, meta: DocumentFacts, target: Path, work: Path) -> Conversion:
    source = _TITLE_HEADING.sub("", markdown, count=1)
    source = mark_placeholders(source, meta.placeholder)
    pictures = work / f"{target.stem}.diagrams"
    source = diagrams.for_print(source, pictures, "docx")
    return Conversion(
        source,
        "docx",
        target,
        filters=(PLACEHOLDERS_FILTER,) if "<mark>" in source else (),
        reference_doc=write_reference_doc(work / f"{target.stem}.reference.docx", meta),
        metadata=metadata(meta),
        lang=pandoc_lang(meta),
        toc_depth=2,  # chapters and sections
        shift_headings=-1,  # chapters are Word's Heading 1; the title is the cover's
        resources=pictures if diagrams.has_diagrams(markdown) else None,
    )


def pandoc_lang(meta: DocumentFacts) -> str:
    return "zh-CN" if meta.language == "zh" else "en-GB"


def metadata(meta: DocumentFacts) -> dict[str, str]:
    """The cover's title, subtitle, date and author, and the contents' title, for pandoc.

    pandoc reads these values as Markdown, so they are escaped like the body. (As a value of
    its ``--metadata`` option "true" or "false" would become a boolean, and the cover would
    lose it.)
    """
    values = {
        "title": meta.title,
        "subtitle": meta.organization,
        "toc-title": meta.toc_title,
        "author": meta.prepared_by,
    }
    return {key: escape_markdown(value) for key, value in values.items() if value}


# The parts ccdocs edits, as pandoc names them (its reference.docx and its output alike).
CONTENT_TYPES = "[Content_Types].xml"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
STYLES = "word/styles.xml"
FONT_TABLE = "word/fontTable.xml"
SETTINGS = "word/settings.xml"
CORE = "docProps/core.xml"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
# python-docx's parser settings, without its element classes (quicker on a large body): a part
# ccdocs rewrites is serialised exactly as python-docx would serialise it.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
_W_P, _W_T, _W_SDT, _W_BODY = qn("w:p"), qn("w:t"), qn("w:sdt"), qn("w:body")
_W_VAL, _W_NAME, _W_BOOKMARK = qn("w:val"), qn("w:name"), qn("w:bookmarkStart")
_W_STYLE_PATH = f"{qn('w:pPr')}/{qn('w:pStyle')}"
_W_INSTR_PATH = f".//{qn('w:instrText')}"
_TOC_LEVELS = {"Heading1": 1, "Heading2": 2}  # the contents list headings 1 and 2 (--toc-depth)
# The body's paragraphs styled as one of those headings.
_HEADINGS = etree.XPath(
    "w:p[w:pPr/w:pStyle[" + " or ".join(f"@w:val='{v}'" for v in _TOC_LEVELS) + "]]",
    namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"},
)
# The document's own title heading: the cover shows the title (from the metadata file).
_TITLE_HEADING = re.compile(r"\A\s*# [^\n]*\n")
# The paragraph properties the schema puts after w:overflowPunct (CT_PPrBase's sequence).
_AFTER_OVERFLOW_PUNCT = {
    qn(f"w:{tag}")
    for tag in [
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
}
_MEDIA_NAME = re.compile(r"([a-zA-Z]+)([1-9][0-9]*)?")  # python-docx's numbering of image parts


class _Package:
    """The parts of a DOCX package by name, in the order they were read."""

    def __init__(self, parts: Iterable[tuple[str, bytes]]) -> None:
        self.parts = dict(parts)

    @classmethod
    def read(cls, source: Path | bytes) -> _Package:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            return cls((info.filename, z.read(info)) for info in z.infolist())

    def write(self, path: Path) -> None:
        """The package, parts in their order, with fixed timestamps: reproducible bytes."""
        write_zip(path, self.parts.items(), sort=False)

    def part(self, name: str) -> bytes:
        try:
            return self.parts[name]
        except KeyError:
            raise error(PublishError, "error.pandoc-part", name=name) from None

    def next_name(self, template: str) -> str:
        """The first free name of ``template`` (a %d in it), as python-docx numbers new parts."""
        return next(
            template % n for n in range(1, len(self.parts) + 2) if template % n not in self.parts
        )

    def relate(self, reltype: str, target: str) -> str:
        """A new relationship of the main document; its id is the first free ``rIdN``."""
        rels = etree.fromstring(self.part(DOCUMENT_RELS))
        ids = {rel.get("Id") for rel in rels}
        rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
        etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=rid, Type=reltype, Target=target)
        self.parts[DOCUMENT_RELS] = serialize_part_xml(rels)
        return rid

    def add_part(
        self, name: str, blob: bytes, content_type: str, by_extension: bool = False
    ) -> None:
        """A new part; its content type given for its name, or for its extension if none is."""
        self.parts[name] = blob
        types = etree.fromstring(self.part(CONTENT_TYPES))
        extension = name.rpartition(".")[2].lower()
        defaults = types.findall(f"{{{_TYPES_NS}}}Default")
        known = {e.get("Extension", "").lower(): e.get("ContentType") for e in defaults}
        if by_extension and known.get(extension) == content_type:
            return
        if by_extension and extension not in known:
            entry = etree.SubElement(
                types, f"{{{_TYPES_NS}}}Default", Extension=extension, ContentType=content_type
            )
            if defaults:
                defaults[-1].addnext(entry)  # with the other defaults, before the overrides
        else:
            etree.SubElement(
                types, f"{{{_TYPES_NS}}}Override", PartName=f"/{name}", ContentType=content_type
            )
        self.parts[CONTENT_TYPES] = serialize_part_xml(types)


@functools.cache
def _pandoc_reference() -> bytes:
    """The bytes of pandoc's reference.docx, asked of pandoc once per process."""
    try:
        pandoc = pypandoc.get_pandoc_path()
        return subprocess.run(
            [pandoc, "--print-default-data-file", "reference.docx"], check=True, capture_output=True
        ).stdout
    except (subprocess.CalledProcessError, OSError) as e:
        raise error(PublishError, "error.pandoc-reference", reason=e) from e


def write_reference_doc(path: Path, meta: DocumentFacts) -> Path:
    """The reference document of one output: fonts, headings, tables, header and footer.

    pandoc's own reference.docx (every style pandoc uses), restyled part by part.
    """
    package = _Package(_styled_reference(meta.brand.primary))
    document: Any = parse_xml(package.part(DOCUMENT))
    section = document.sectPr_lst[0]
    _page_setup(section)
    company = f"{meta.brand.company}    " if meta.brand.company else ""
    running = f"{company}{meta.running}"
    _header(package, section, WD_HEADER_FOOTER.PRIMARY, running, meta)
    # the cover: no running header or page number, but the classification all the same
    _header(package, section, WD_HEADER_FOOTER.FIRST_PAGE, "", meta)
    _footer(package, section, meta.page_of)
    section.titlePg_val = True
    package.parts[DOCUMENT] = serialize_part_xml(document)
    package.write(path)
    return path


@functools.lru_cache(maxsize=8)
def _styled_reference(colour: str) -> tuple[tuple[str, bytes], ...]:
    """The parts of pandoc's reference.docx with ccdocs' styles and font table: the same for
    every document of one brand, so made once per process and colour."""
    package = _Package.read(_pandoc_reference())
    element = parse_xml(package.part(STYLES))
    styles = Styles(element)
    _style_fonts(styles)
    _style_headings(styles, colour)
    _style_tables(styles)
    _style_toc(styles)
    _style_placeholder(styles)
    _no_hanging_punctuation(element)
    package.parts[STYLES] = serialize_part_xml(element)
    _font_table_fallbacks(package)
    return tuple(package.parts.items())


def _style_placeholder(styles: Any) -> None:
    """The character style of placeholders (placeholders.lua puts them in it): highlighted."""
    style = styles.add_style(PLACEHOLDER_STYLE, WD_STYLE_TYPE.CHARACTER)
    style.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _no_hanging_punctuation(styles: Any) -> None:
    """Keep punctuation inside the text block: Word and LibreOffice otherwise let a line-end
    "、" or "。" hang into the margin (the PDF keeps it in too)."""
    props = child(child(child(styles, "w:docDefaults", first=True), "w:pPrDefault"), "w:pPr")
    if props.find(qn("w:overflowPunct")) is None:
        flag = OxmlElement("w:overflowPunct")
        flag.set(qn("w:val"), "0")
        # in its place in the schema's order of paragraph properties, before what follows it
        later = [child for child in props if child.tag in _AFTER_OVERFLOW_PUNCT]
        if later:
            later[0].addprevious(flag)
        else:
            props.append(flag)


def _set_fonts(style: Any, faces: tuple[str, str], size: float | None = None) -> None:
    font = style.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), faces[0])
    fonts.set(qn("w:hint"), "eastAsia")


def _style_fonts(styles: Any) -> None:
    names = {s.name for s in styles}
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Date", "Author"):
        if name in names:
            _set_fonts(styles[name], BODY_FONT, 10.5 if name == "Normal" else None)


def _style_headings(styles: Any, colour: str) -> None:
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
        style = styles[name]
        _set_fonts(style, HEADING_FONT, size)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))


def _style_tables(styles: Any) -> None:
    """Give pandoc's "Table" style single borders and a shaded header row."""
    table = [s for s in styles if s.name == "Table"]
    if not table:
        return
    props = table[0].element.find(qn("w:tblPr"))
    if props is None:
        props = OxmlElement("w:tblPr")
        table[0].element.append(props)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "808080")):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    for old in props.findall(qn("w:tblBorders")):
        props.remove(old)
    props.append(borders)
    # the header row (pandoc marks it, and it repeats on every page) shaded and bold
    for old in table[0].element.findall(qn("w:tblStylePr")):
        table[0].element.remove(old)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    run = OxmlElement("w:rPr")
    run.append(OxmlElement("w:b"))
    first.append(run)
    cell = OxmlElement("w:tcPr")
    shade = OxmlElement("w:shd")
    for key, value in (("val", "clear"), ("color", "auto"), ("fill", _LABEL_FILL)):
        shade.set(qn(f"w:{key}"), value)
    cell.append(shade)
    first.append(cell)
    table[0].element.append(first)


def _style_toc(styles: Any) -> None:
    """The paragraph styles of table-of-contents entries, as Word names them."""
    names = {s.name for s in styles}
    for level, indent in ((1, 0.0), (2, 0.74)):
        name = f"TOC {level}"
        if name in names:
            style = styles[name]
        else:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.paragraph_format.left_indent = Cm(indent)
            style.paragraph_format.space_after = Pt(2)
            _set_fonts(style, BODY_FONT)
        # the page number at the right margin, dots leading to it
        style.paragraph_format.tab_stops.add_tab_stop(
            TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )


def _font_table_fallbacks(package: _Package) -> None:
    """Font-table entries that name the Windows face Word may use instead of each Noto face."""
    root = etree.fromstring(package.part(FONT_TABLE))
    for face, alt in (BODY_FONT, HEADING_FONT):
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), face)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
    package.parts[FONT_TABLE] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )


def _field(paragraph: Any, instruction: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) to ``paragraph`` (a w:p element)."""
    run = paragraph.add_r()
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
        run.append(element)


def _page_setup(section: Any) -> None:
    """A4 portrait with the PDF's margins (site/print.typ), said explicitly: pandoc's reference
    document names no paper, and Word then takes the reader's default (US Letter in America)."""
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = PAGE_MARGINS["top"], PAGE_MARGINS["bottom"]
    section.left_margin = section.right_margin = PAGE_MARGINS["side"]
    margins = section.get_or_add_pgMar()
    margins.header = margins.footer = PAGE_MARGINS["header"]
    margins.gutter = 0


def _story(
    package: _Package, section: Any, kind: str, which: WD_HEADER_FOOTER = WD_HEADER_FOOTER.PRIMARY
) -> tuple[Any, str, Any]:
    """A new header or footer part of ``section``, as ``section.header`` (or ``footer``) would
    add it: its element, its name and its first paragraph. The caller serialises it when filled."""
    name = package.next_name(f"word/{kind}%d.xml")
    element: Any = parse_xml(_story_template(kind))
    if kind == "header":
        rid = package.relate(RT.HEADER, name.removeprefix("word/"))
        section.add_headerReference(which, rid)
        package.add_part(name, b"", CT.WML_HEADER)
    else:
        rid = package.relate(RT.FOOTER, name.removeprefix("word/"))
        section.add_footerReference(WD_HEADER_FOOTER.PRIMARY, rid)
        package.add_part(name, b"", CT.WML_FOOTER)
    paragraph = element.p_lst[0] if element.p_lst else element.add_p()
    return element, name, paragraph


@functools.cache
def _story_template(kind: str) -> bytes:
    """python-docx's empty header or footer part, the one ``section.header`` starts from."""
    return (importlib.resources.files("docx") / "templates" / f"default-{kind}.xml").read_bytes()


def _header(
    package: _Package, section: Any, which: WD_HEADER_FOOTER, text: str, meta: DocumentFacts
) -> None:
    """A header of ``text``, right-aligned, then the classification in bold red when there
    is one; a draft's watermark is anchored here too, so it is on every page."""
    classification = meta.classification
    element, name, paragraph = _story(package, section, "header", which)
    paragraph.clear_content()
    run = paragraph.add_r()
    if text:
        run.text = text + ("    " if classification else "")
    if classification:
        mark = paragraph.add_r()
        mark.text = classification
        props = mark.get_or_add_rPr()
        props._add_b()
        props.get_or_add_color().val = RGBColor.from_string(CLASSIFICATION_COLOUR)
    if meta.watermark:
        paragraph.append(_watermark(meta.watermark))
    paragraph.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.RIGHT
    package.parts[name] = serialize_part_xml(element)


# Word's own text watermark (Design > Watermark): a WordArt shape behind the text, centred on
# the page and turned 45°, in the VML Word writes for it and LibreOffice and WPS read.
_WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    "<w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"'
    ' path="m@7,l@8,m@5,21600l@6,21600e">'
    "<v:formulas>"
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + "</v:formulas>"
    '<v:path textpathok="t" o:connecttype="custom"'
    ' o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="ccdocs-watermark" o:spid="_x0000_s1025" type="#_x0000_t136"'
    ' style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:140pt;rotation:315;'
    "z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin"'
    ' o:allowincell="f" fillcolor="#b00020" stroked="f">'
    '<v:fill opacity=".2"/>'
    '<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt" string="{text}"/>'
    "</v:shape>"
    "</w:pict>"
    "</w:r>"
)


def _watermark(text: str) -> Any:
    """The run holding the watermark shape with ``text``."""
    from xml.sax.saxutils import quoteattr

    attribute = quoteattr(text)[1:-1]  # the text, escaped for an attribute in double quotes
    return parse_xml(_WATERMARK.replace("{font}", HEADING_FONT[0]).replace("{text}", attribute))


def _footer(package: _Package, section: Any, page_of: str) -> None:
    element, name, paragraph = _story(package, section, "footer")
    paragraph.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in label_parts(page_of, "page_of", PAGE_FIELDS):
        run = paragraph.add_r()
        if text:
            run.text = text
        if field:
            _field(paragraph, PAGE_FIELDS[field])
    package.parts[name] = serialize_part_xml(element)


@dataclass
class _Finished:
    """A DOCX written with its contents' headings, waiting for their page numbers."""

    path: Path
    package: _Package
    document: Any
    settings: bytes
    entries: list[tuple[int, str, Any]]

    def number(self, pages: list[tuple[int, str, int]] | None) -> None:
        """Write the contents' page numbers, when ``pages`` (the office layout) has them all."""
        if _number_toc(self.entries, pages):
            self.package.parts[DOCUMENT] = serialize_part_xml(self.document)
            self.package.parts[SETTINGS] = _update_fields(self.settings, False)
            self.package.write(self.path)


def _finish(path: Path, meta: DocumentFacts) -> _Finished:
    """Cover, page breaks after cover and contents, document properties, reproducible bytes.

    The package pandoc wrote is read once, the parts that change are rewritten, and the
    package is written with fixed timestamps; every other part keeps pandoc's bytes. The
    contents' page numbers come after, when LibreOffice has laid the document out.
    """
    package = _Package.read(path)
    document = etree.fromstring(package.part(DOCUMENT), _PARSER)
    body = document.find(_W_BODY)
    if body is None:
        raise error(PublishError, "error.pandoc-no-body", name=path.name)
    if meta.brand.logo_data:
        _cover_logo(package, document, body, meta.brand.logo_data)
    toc = body.find(_W_SDT)
    entries: list[tuple[int, str, Any]] = []
    finish_tables(body, TEXT_WIDTH.twips)
    if toc is not None:
        entries = _fill_toc(toc, body)
        for element in _cover_control(meta):
            toc.addprevious(element)
        toc.addprevious(_page_break())
        toc.addnext(_page_break())
    keep_tokens_whole(body)
    package.parts[DOCUMENT] = serialize_part_xml(document)
    settings = package.part(SETTINGS)
    # Until the contents has its page numbers, Word is asked to fill them when it opens the file.
    package.parts[SETTINGS] = _update_fields(settings, bool(entries))
    package.parts[CORE] = _core_properties(package.part(CORE), meta)
    package.write(path)
    return _Finished(path, package, document, settings, entries)


def _update_fields(settings: bytes, update: bool) -> bytes:
    """The settings part, asking Word to update fields on opening when ``update``."""
    root = etree.fromstring(settings, _PARSER)
    flag = root.find(qn("w:updateFields"))
    if update and flag is None:
        flag = OxmlElement("w:updateFields")
        flag.set(qn("w:val"), "true")
        root.append(flag)
    elif not update and flag is not None:
        root.remove(flag)
    return serialize_part_xml(root)


def _number_toc(
    entries: list[tuple[int, str, Any]], pages: list[tuple[int, str, int]] | None
) -> bool:
    """Give each contents entry its heading's page (a tab, then the number), when the laid-out
    headings are exactly the entries; else leave the entries as they are and say so (False)."""
    if not pages:
        return False
    laid_out = [
        (level, text.replace(NON_BREAKING_HYPHEN, "-").strip(), page)
        for level, text, page in pages
        if level <= 2
    ]
    if [(level, text) for level, text, _ in laid_out] != [
        (level, text.strip()) for level, text, _ in entries
    ]:
        return False
    for (_, _, link), (_, _, page) in zip(entries, laid_out, strict=True):
        tab = _sub(link, "w:r")
        _sub(tab, "w:tab")
        number = _sub(_sub(link, "w:r"), "w:t")
        number.text = str(page)
    return True


def _core_properties(blob: bytes, meta: DocumentFacts) -> bytes:
    element = parse_xml(blob)
    props = CoreProperties(element)
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
    return serialize_part_xml(element)


def _cover_logo(package: _Package, document: Any, body: Any, logo: bytes) -> None:
    """The brand's logo, 4 cm wide and centred, above the title on the cover.

    Named, related and numbered as python-docx's ``add_picture`` would (``word/media/imageN``,
    the first free relationship id, the next shape id).
    """
    image = DocxImage.from_blob(logo)  # as checked at load
    media = [
        _MEDIA_NAME.match(PurePosixPath(name).stem)
        for name in package.parts
        if name.startswith("word/media/")
    ]
    used = {int(m.group(2)) for m in media if m and m.group(2)}
    number = next((n for n in range(1, len(media) + 1) if n not in used), len(media) + 1)
    name = f"word/media/image{number}.{image.ext}"
    package.add_part(name, logo, image.content_type, by_extension=True)
    rid = package.relate(RT.IMAGE, name.removeprefix("word/"))
    ids = [int(value) for value in document.xpath("//@id") if value.isdigit()]
    width, height = image.scaled_dimensions(Cm(4), None)
    inline = CT_Inline.new_pic_inline(max(ids, default=0) + 1, rid, image.filename, width, height)
    paragraph: Any = OxmlElement("w:p")
    paragraph.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_r().add_drawing(inline)
    body.insert(0, paragraph)


def _fill_toc(toc: Any, body: Any) -> list[tuple[int, str, Any]]:
    """Put the headings into the contents field as its current result, linked to each heading:
    each entry's level, text and link element (the page number goes at its end).

    Readers that do not update fields, such as LibreOffice and WPS, show these entries instead
    of an empty contents.
    """
    field = next((p for p in toc.iter(_W_P) if p.find(_W_INSTR_PATH) is not None), None)
    if field is None:
        return []
    entries = []
    for element in _HEADINGS(body):  # candidates; the level is that of the first style given
        style = element.find(_W_STYLE_PATH)
        level = _TOC_LEVELS.get(style.get(_W_VAL) if style is not None else "")
        if not level:
            continue
        before = element.getprevious()  # a heading's bookmark is the body element before it
        bookmark = before.get(_W_NAME) if before is not None and before.tag == _W_BOOKMARK else None
        text = "".join(t.text or "" for t in element.iter(_W_T))
        entries.append((level, text, bookmark))
    if not entries:
        return []
    end = [r for r in field.iter(qn("w:fldChar")) if r.get(qn("w:fldCharType")) == "end"]
    for fld in end:  # the field now ends after the last entry
        fld.getparent().remove(fld)
    anchor = field
    filled = []
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
        filled.append((level, text, link))
    closing = OxmlElement("w:r")
    fld_end = OxmlElement("w:fldChar")
    fld_end.set(qn("w:fldCharType"), "end")
    closing.append(fld_end)
    anchor.append(closing)
    return filled


# The cover's tables are 120 mm wide, as in the PDF (in twentieths of a point).
_COVER_WIDTH = 6803
_SIGNOFF_ROW = 680  # 12 mm: room to sign
_LABEL_FILL = "E8EEF5"


def _cover_control(meta: DocumentFacts) -> list[Any]:
    """The cover's control fields and sign-off block: two tables, spaced, centred."""
    elements: list[Any] = [_spacer(480)]
    if meta.cover:
        rows = [[(label, True), (value, False)] for label, value in meta.cover]
        texts = [[label, value] for label, value in meta.cover]
        control = tuple(column_widths(texts, _COVER_WIDTH, 2, header=False))
        elements += [_table(rows, control, label_column=True), _spacer(360)]
    if meta.signoff:
        heads = [[(head, True) for head in meta.signoff_heads]]
        rows = [
            [(label, True), (name, False), ("", False), ("", False)] for label, name in meta.signoff
        ]
        # the first column as wide as its (bold) labels, at most a third; the rest shared:
        # room to sign and date
        labels = [meta.signoff_heads[0], *(label for label, _ in meta.signoff)]
        first = min(line_width(labels, bold=True), _COVER_WIDTH // 3)
        rest = (_COVER_WIDTH - first) // 3
        signoff = (first, rest, rest, _COVER_WIDTH - first - 2 * rest)
        elements.append(_table(heads + rows, signoff, header=True, height=_SIGNOFF_ROW))
    if meta.draft_note:
        elements += [_spacer(240), _note(meta.draft_note)]
    return elements


def _note(text: str) -> Any:
    """A paragraph of ``text`` in the classification's red (the cover's draft note)."""
    paragraph = OxmlElement("w:p")
    run = _sub(paragraph, "w:r")
    _sub(_sub(run, "w:rPr"), "w:color", val=CLASSIFICATION_COLOUR)
    t = _sub(run, "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    return paragraph


def _table(
    rows: list[list[tuple[str, bool]]],
    widths: tuple[int, ...],
    *,
    label_column: bool = False,
    header: bool = False,
    height: int = 0,
) -> Any:
    """A fixed-width, centred table in pandoc's "Table" style; each cell a text, bold or not.

    The first column is shaded when ``label_column``; the first row, when ``header`` (it repeats
    on a new page). Rows after the header are at least ``height`` high; no row splits.
    """
    table = OxmlElement("w:tbl")
    props = _sub(table, "w:tblPr")
    _sub(props, "w:tblStyle", val="Table")
    _sub(props, "w:tblW", w=str(sum(widths)), type="dxa")
    _sub(props, "w:jc", val="center")
    _sub(props, "w:tblLayout", type="fixed")
    # the table style shades a first row only when it is a header
    first = "1" if header else "0"
    _sub(props, "w:tblLook", val="0000", firstRow=first, lastRow="0", firstColumn="0")
    grid = _sub(table, "w:tblGrid")
    for width in widths:
        _sub(grid, "w:gridCol", w=str(width))
    for y, cells in enumerate(rows):
        row = _sub(table, "w:tr")
        row_props = _sub(row, "w:trPr")
        _sub(row_props, "w:cantSplit")
        if header and y == 0:
            _sub(row_props, "w:tblHeader")
        elif height:
            _sub(row_props, "w:trHeight", val=str(height), hRule="atLeast")
        for x, (text, bold) in enumerate(cells):
            cell = _sub(row, "w:tc")
            cell_props = _sub(cell, "w:tcPr")
            _sub(cell_props, "w:tcW", w=str(widths[x]), type="dxa")
            if (label_column and x == 0) or (header and y == 0):
                _sub(cell_props, "w:shd", val="clear", color="auto", fill=_LABEL_FILL)
            _sub(cell_props, "w:vAlign", val="center")
            paragraph = _sub(cell, "w:p")
            paragraph_props = _sub(paragraph, "w:pPr")
            _sub(paragraph_props, "w:spacing", before="40", after="40")
            if header and y == 0:
                _sub(paragraph_props, "w:jc", val="center")
            if text:
                run = _sub(paragraph, "w:r")
                if bold:
                    _sub(_sub(run, "w:rPr"), "w:b")
                t = _sub(run, "w:t")
                t.set(qn("xml:space"), "preserve")
                t.text = text
    return table


def _spacer(twips: int) -> Any:
    """An empty paragraph ``twips`` high (it also keeps two tables from joining)."""
    paragraph = OxmlElement("w:p")
    _sub(_sub(paragraph, "w:pPr"), "w:spacing", before="0", after=str(twips))
    return paragraph


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    """A new ``tag`` element (w: attributes given without their prefix) at the end of parent."""
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    parent.append(element)
    return element


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
