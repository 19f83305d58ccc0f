"""Publish stage, checked with the programs people read the documents with."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import bundled
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from generator.build import build_profile
from generator.errors import PublishError
from generator.publish.pdf import CJK_FAMILIES, cjk_font

DOCS = (
    "dr-plan",
    "operations-manual",
    "performance-appraisal",
    "position-descriptions",
    "qa-scorecard",
    "rewards-penalties",
    "training-syllabus",
    "work-rules",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory, catalog) -> Path:
    out = tmp_path_factory.mktemp("publish")
    result = build_profile(
        bundled("water-utility"), out, formats=("md", "docx", "pdf"), catalog=catalog
    )
    return result.output


def _xml(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(part).decode("utf-8")


def test_every_document_is_written_in_every_format(built):
    for folder, suffix in (("manual", ".md"), ("docx", ".docx"), ("pdf", ".pdf")):
        assert sorted(p.stem for p in (built / folder).glob(f"*{suffix}")) == list(DOCS)


def test_docx_reopens_with_numbered_headings_and_properties(built):
    document = docx.Document(str(built / "docx" / "operations-manual.docx"))
    # chapters are Word's Heading 1 (the title is the cover's), so its navigation pane lists them
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "1 总则" in headings and "2 定位与方向" in headings and "21 术语" in headings
    props = document.core_properties
    assert (props.title, props.version, props.identifier) == ("运营手册", "3.1", "GS-RX-YY-01")
    assert props.author == "热线中心主任"
    assert props.created.date().isoformat() == "2026-01-15"


def test_docx_has_a_word_toc_field_cover_header_and_page_x_of_y(built):
    path = built / "docx" / "operations-manual.docx"
    body = _xml(path, "word/document.xml")
    assert re.search(r"<w:instrText[^>]*>\s*TOC \\o", body)
    assert '<w:updateFields w:val="true"/>' in _xml(path, "word/settings.xml")
    document = docx.Document(str(path))
    assert document.paragraphs[0].style.name == "Title"
    section = document.sections[0]
    assert "GS-RX-YY-01  v3.1" in section.header.paragraphs[0].text
    footer = "".join(
        _xml(path, name)
        for name in zipfile.ZipFile(path).namelist()
        if name.startswith("word/footer")
    )
    assert "NUMPAGES" in footer and "PAGE" in footer and "第 " in footer


def test_docx_contents_already_list_the_headings_linked_to_them(built):
    document = docx.Document(str(built / "docx" / "operations-manual.docx"))
    every = [Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]
    entries = [p for p in every if p.style.name in ("TOC 1", "TOC 2")]
    headings = [p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert [p.text for p in entries] == headings
    assert {p.style.name for p in entries} == {"TOC 1", "TOC 2"}
    body = _xml(built / "docx" / "operations-manual.docx", "word/document.xml")
    assert '<w:hyperlink w:anchor="positioning">' in body
    # The field still ends after the last entry, so Word replaces them with page numbers.
    toc = body[body.index("<w:sdt>") : body.index("</w:sdt>")]
    assert toc.count('w:fldCharType="begin"') == toc.count('w:fldCharType="end"') == 1


def test_docx_sets_east_asian_fonts_for_body_and_headings(built):
    document = docx.Document(str(built / "docx" / "operations-manual.docx"))

    def east_asian(style_name: str) -> str:
        fonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        return fonts.get(qn("w:eastAsia"))

    assert east_asian("Normal") == "Noto Serif CJK SC"
    assert east_asian("Heading 1") == "Noto Sans CJK SC"
    font_table = _xml(built / "docx" / "operations-manual.docx", "word/fontTable.xml")
    assert 'w:altName w:val="SimSun"' in font_table


def test_docx_and_pdf_draw_the_org_chart_as_a_picture(built):
    """The organization chart is a Graphviz drawing, not a list or diagram source: a PNG with
    its name as alternative text in the DOCX, vector text in the PDF."""
    document = docx.Document(str(built / "docx" / "operations-manual.docx"))
    pictures = document.inline_shapes
    assert len(pictures) == 1
    described = pictures[0]._inline.docPr.get("descr")
    assert described == "组织架构图"
    assert Cm(8) < pictures[0].width <= Cm(17.4)  # readable, within the text block
    text = _xml(built / "docx" / "operations-manual.docx", "word/document.xml")
    assert "digraph" not in text and "热线中心主任 ×1" not in text
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(built / "pdf" / "operations-manual.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "digraph" not in pdf_text
    chart = pdf_text[pdf_text.index("3.1 组织架构图", pdf_text.index("3.1 组织架构图") + 10) :]
    assert "热线中心主任" in chart[:3000] and "×1" in chart[:3000]


def test_docx_bytes_are_reproducible(tmp_path, catalog, built):
    again = build_profile(bundled("water-utility"), tmp_path, formats=("docx",), catalog=catalog)
    first = (built / "docx" / "dr-plan.docx").read_bytes()
    assert (again.output / "docx" / "dr-plan.docx").read_bytes() == first


def test_pdf_fonts_are_all_embedded_and_chinese_is_extractable(built):
    pdf = built / "pdf" / "operations-manual.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    assert any("CJK" in row for row in rows)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "定位与方向" in text and "第 2 页，共" in text and "GS-RX-YY-01" in text


def test_pdf_without_a_cjk_font_fails_naming_the_package():
    import typst

    assert cjk_font() in CJK_FAMILIES  # this machine has one
    only_typst_own = typst.Fonts(include_system_fonts=False)  # Latin and mono fonts only
    with pytest.raises(PublishError, match="fonts-noto-cjk"):
        cjk_font(only_typst_own)


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_and_converts_each_docx(built, tmp_path):
    for doc_id in DOCS:
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(built / "docx" / f"{doc_id}.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / f"{doc_id}.pdf")], capture_output=True, text=True, check=True
        ).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages >= 3, (doc_id, pages)
        contents = subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", str(tmp_path / f"{doc_id}.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "目录" in contents and "文件控制" in contents, (doc_id, contents[:200])


def _package_problems(path: Path) -> list[str]:
    """What is wrong with a DOCX package: a part without a content type, an override or an
    internal relationship naming a part that is not there, a timestamp that is not fixed."""
    import posixpath

    from lxml import etree

    problems = []
    with zipfile.ZipFile(path) as package:
        infos = package.infolist()
        names = {i.filename for i in infos}
        types = etree.fromstring(package.read("[Content_Types].xml"))
        defaults = {e.get("Extension").lower() for e in types if e.tag.endswith("Default")}
        overrides = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
        for name in sorted(names - overrides - {"[Content_Types].xml"}):
            if name.rpartition(".")[2].lower() not in defaults:
                problems.append(f"no content type: {name}")
        problems += [f"override of a missing part: {n}" for n in sorted(overrides - names)]
        for rels in sorted(n for n in names if n.endswith(".rels")):
            source = posixpath.dirname(posixpath.dirname(rels))
            for rel in etree.fromstring(package.read(rels)):
                if rel.get("TargetMode") == "External":
                    continue
                target = posixpath.normpath(posixpath.join(source, rel.get("Target")))
                if target.lstrip("/") not in names:
                    problems.append(f"{rels} {rel.get('Id')} -> missing {target}")
        fixed = (2000, 1, 1, 0, 0, 0)
        problems += [f"timestamp: {i.filename}" for i in infos if i.date_time != fixed]
    return problems


def test_docx_package_types_every_part_and_resolves_every_relationship(built):
    for doc_id in DOCS:
        assert _package_problems(built / "docx" / f"{doc_id}.docx") == [], doc_id


def test_docx_logo_contents_header_and_bytes_without_a_full_build(tmp_path):
    """publish_docx alone: the cover logo 4 cm wide and centred, contents linked to headings
    with XML-special text, the header with the company, a sound package, the same bytes twice."""
    import dataclasses
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from PIL import Image

    from generator.brand import default_brand
    from generator.publish import DocumentFacts
    from generator.publish.docx import publish_docx

    logo = io.BytesIO()
    Image.new("RGB", (200, 60), (20, 90, 200)).save(logo, "PNG", dpi=(150, 150))
    brand = dataclasses.replace(
        default_brand(), company="A & <B>", logo=Path("logo.png"), logo_data=logo.getvalue()
    )
    facts = DocumentFacts(
        "d", "T & <t>", "Org", "N-1", "2", "2024-03-01", "Owner", "{page}/{pages}", "Contents",
        "en", brand=brand,
    )  # fmt: skip
    markdown = "# T\n\n## Intro & more\n\nText.\n\n### Part *two* `x<y`\n\n"
    markdown += "| a | b |\n|---|---|\n| 1 | 2 |\n"
    paths = []
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
        paths.append(publish_docx(markdown, facts, tmp_path / run / "d.docx", tmp_path / run))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert _package_problems(paths[0]) == []

    document = docx.Document(str(paths[0]))
    [shape] = document.inline_shapes
    assert shape.width == Cm(4)
    assert abs(shape.height - Cm(4) * 60 / 200) < 1000  # the aspect ratio kept (EMU)
    cover = document.paragraphs[0]
    assert cover.alignment == WD_ALIGN_PARAGRAPH.CENTER and cover._p.xpath(".//w:drawing")
    assert document.paragraphs[1].style.name == "Title" and document.paragraphs[1].text == "T & <t>"
    every = [Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]
    entries = [(p.style.name, p.text) for p in every if p.style.name in ("TOC 1", "TOC 2")]
    assert entries == [("TOC 1", "Intro & more"), ("TOC 2", "Part two x<y")]
    assert document.sections[0].header.paragraphs[0].text == "A & <B>    N-1  v2"
    assert document.sections[0].different_first_page_header_footer
    props = document.core_properties
    assert (props.title, props.identifier, props.version) == ("T & <t>", "N-1", "2")
    assert props.created.date().isoformat() == "2024-03-01"
    assert len(document.tables) == 1


def test_text_that_typst_would_read_as_markup_at_a_block_start_is_escaped():
    from generator.publish.pdf import typst_body

    body = typst_body("# T\n\n| a |\n|---|\n| \\- item |\n\n- \\+ x\n- 1\\. y\n- &#61; z\n")
    assert "[\\- item]" in body
    assert "- \\+ x" in body and "- 1\\. y" in body and "- \\= z" in body
    plain = typst_body("# T\n\n| a |\n|---|\n| item - x |\n\n- x - y\n")
    assert "[item - x]" in plain and "- x - y" in plain


def test_without_graphviz_a_build_says_what_to_install(tmp_path, catalog, monkeypatch):
    import generator.publish.diagrams as diagrams

    monkeypatch.setattr(diagrams.shutil, "which", lambda name: None)
    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))  # nothing drawn before
    with pytest.raises(PublishError, match=r"needs Graphviz.*apt-get install graphviz"):
        build_profile(
            bundled("water-utility"), tmp_path / "out", formats=("docx",), catalog=catalog
        )
    assert not (tmp_path / "out" / "water-utility").exists()  # nothing half-written
