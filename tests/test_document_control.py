"""Printed documents as controlled documents: paper, cover, sign-off, classification, contents.

Checked on the files as their readers show them: the PDF through poppler, the DOCX through
python-docx and through LibreOffice's own layout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import bundled
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from generator.build import build_profile

DOCS = ("dr-plan", "operations-manual", "training-syllabus")
COVER_LABELS = {
    "zh": ["文件编号", "版本", "发布日期", "生效日期", "密级", "受控状态"],
    "en": [
        "Document number",
        "Version",
        "Issue date",
        "Effective date",
        "Classification",
        "Distribution",
    ],
}


@pytest.fixture(scope="module")
def hotline(tmp_path_factory, catalog) -> Path:
    out = tmp_path_factory.mktemp("control")
    formats = ("md", "docx", "pdf")
    return build_profile(bundled("event-hotline"), out, formats=formats, catalog=catalog).output


@pytest.fixture(scope="module")
def hotline_en(tmp_path_factory, catalog) -> Path:
    out = tmp_path_factory.mktemp("control-en")
    formats = ("docx", "pdf")
    result = build_profile(
        bundled("event-hotline"), out, formats=formats, catalog=catalog, language="en"
    )
    return result.output


def _pages(pdf: Path) -> list[str]:
    """The text of each page, as poppler reads it."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_is_a4_portrait_with_the_pdf_margins(hotline):
    for doc in DOCS:
        section = docx.Document(str(hotline / "docx" / f"{doc}.docx")).sections[0]
        sizes = (section.page_width, section.page_height, section.top_margin)
        assert [round(length.mm) for length in sizes] == [210, 297, 22]
        assert round(section.left_margin.mm) == round(section.right_margin.mm) == 18
        assert round(section.bottom_margin.mm) == 20


def test_libreoffice_lays_the_docx_out_on_a4(hotline, tmp_path):
    """Word and LibreOffice take the paper from the file: LibreOffice's PDF of it is A4."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is a test dependency (scripts/system-deps.sh test)"
    source = hotline / "docx" / "dr-plan.docx"
    profile = f"-env:UserInstallation={(tmp_path / 'office').as_uri()}"
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    subprocess.run([*command, str(source)], capture_output=True, check=True, timeout=300)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "dr-plan.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "(A4)" in info
    # the cover's labels each on one line of their cells, as LibreOffice sets them
    cover = _pages(tmp_path / "dr-plan.pdf")[0]
    for label in ("文件编号", "发布日期", "受控状态", "签署", "编制", "审核", "批准"):
        assert label in cover, label


@pytest.mark.parametrize("fixture", ["hotline", "hotline_en"])
def test_the_cover_shows_the_control_fields_and_a_sign_off_block(fixture, request):
    """Number, version, issue and effective dates, classification and copy status, labelled;
    then who prepares, reviews and approves, with room to sign and date."""
    folder = request.getfixturevalue(fixture)
    zh = fixture == "hotline"
    labels = COVER_LABELS["zh" if zh else "en"]
    values = ["OSCC-DR-001", "1.1", "2008-06-28", "2008-07-05"]
    values += ["机密", "受控"] if zh else ["Confidential", "Controlled copy"]
    fields = [text for pair in zip(labels, values, strict=True) for text in pair]
    signoff = (
        ["编制", "IT经理", "审核", "安全主管", "批准", "中心主任", "签字", "日期"]
        if zh
        else [
            "Owner",
            "IT Manager",
            "Reviewed by",
            "Security Officer",
            "Approved by",
            "Centre Director",
            "Signature",
        ]
    )
    cover = _squeezed(_pages(folder / "pdf" / "dr-plan.pdf")[0])
    # a role's name may wrap in its cell, between the lines of the cells beside it
    for text in fields + [word for name in signoff for word in name.split()]:
        assert _squeezed(text) in cover, text

    document = docx.Document(str(folder / "docx" / "dr-plan.docx"))
    control, sign = document.tables[0], document.tables[1]
    cells = [[c.text for c in row.cells] for row in control.rows]
    assert [label for label, _ in cells] == labels
    assert dict(cells)[fields[0]] == "OSCC-DR-001"
    rows = [[c.text for c in row.cells] for row in sign.rows]
    assert rows[1][:2] == signoff[:2] and rows[1][2:] == ["", ""]  # blank: signed on paper
    assert [row[0] for row in rows[1:]] == signoff[0:6:2]
    height = sign.rows[1]._tr.find(f"{qn('w:trPr')}/{qn('w:trHeight')}")
    assert int(height.get(qn("w:val"))) >= 567  # at least 1 cm to sign in
    # the cover comes before the contents
    body = document.element.body
    assert body.index(control._tbl) < body.index(body.find(qn("w:sdt")))


def test_a_classified_document_says_so_on_every_page(hotline):
    """The DR plan is 机密 and the manual 内部: on every page of both formats, cover included."""
    for doc, mark in (("dr-plan", "密级：机密"), ("operations-manual", "密级：内部")):
        pages = _pages(hotline / "pdf" / f"{doc}.pdf")
        assert len(pages) > 3
        assert all(mark in page for page in pages), doc
        document = docx.Document(str(hotline / "docx" / f"{doc}.docx"))
        section = document.sections[0]
        assert section.different_first_page_header_footer
        assert section.header.paragraphs[0].text.endswith(mark)
        assert section.first_page_header.paragraphs[0].text == mark


def test_a_public_document_carries_no_classification(tmp_path, write_profile, catalog):
    profile = write_profile(
        f"""
        extends: {bundled("event-hotline")}
        document_control:
          dr-plan: {{classification: public}}
        """
    )
    out = build_profile(profile, tmp_path / "out", formats=("pdf",), catalog=catalog).output
    assert not any("密级：" in page for page in _pages(out / "pdf" / "dr-plan.pdf"))
    assert "公开" in _pages(out / "pdf" / "dr-plan.pdf")[0]  # the cover still says which


def _toc_entries(path: Path) -> list[Paragraph]:
    document = docx.Document(str(path))
    every = [Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]
    return [p for p in every if p.style.name in ("TOC 1", "TOC 2")]


def test_without_an_office_program_word_is_asked_to_number_the_contents(hotline):
    path = hotline / "docx" / "dr-plan.docx"
    with zipfile.ZipFile(path) as package:
        assert b'<w:updateFields w:val="true"/>' in package.read("word/settings.xml")
    assert all(not re.search(r"\t\d+$", p.text) for p in _toc_entries(path))


def test_the_docx_contents_carries_the_page_numbers_libreoffice_lays_it_out_on(
    tmp_path, catalog, monkeypatch
):
    """With LibreOffice installed, each contents entry ends with its heading's page, and that
    is the page LibreOffice shows the heading on; Word is no longer asked to update fields."""
    from generator.publish.pool import cores

    runs = tmp_path / "office-runs.log"
    wrapper = tmp_path / "soffice"  # LibreOffice, each run logged with the documents it lays out
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{runs}"\nexec soffice "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CCDOCS_SOFFICE", str(wrapper))
    monkeypatch.setenv("CCDOCS_CACHE_DIR", str(tmp_path / "cache"))
    out = build_profile(
        bundled("event-hotline"), tmp_path / "out", formats=("docx",), catalog=catalog
    ).output
    laid_out = [
        [Path(arg).name for arg in line.split() if arg.endswith(".docx")]
        for line in runs.read_text().splitlines()
    ]
    # one office run per share of the documents, each document laid out once
    assert 1 <= len(laid_out) <= cores()
    written = sorted(p.name for p in (out / "docx").glob("*.docx"))
    assert len(written) == 8 and sorted(name for run in laid_out for name in run) == written
    again = build_profile(
        bundled("event-hotline"), tmp_path / "again", formats=("docx",), catalog=catalog
    ).output
    assert len(runs.read_text().splitlines()) == len(laid_out)  # laid out only once
    for doc in DOCS:
        assert (again / "docx" / f"{doc}.docx").read_bytes() == (
            out / "docx" / f"{doc}.docx"
        ).read_bytes()
    path = out / "docx" / "dr-plan.docx"
    entries = [p.text.rsplit("\t", 1) for p in _toc_entries(path)]
    assert len(entries) >= 10 and all(number.isdigit() for _, number in entries)
    with zipfile.ZipFile(path) as package:
        assert b"updateFields" not in package.read("word/settings.xml")
    soffice = shutil.which("soffice")
    assert soffice
    profile = f"-env:UserInstallation={(tmp_path / 'office').as_uri()}"
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    subprocess.run([*command, str(path)], capture_output=True, check=True, timeout=300)
    pages = _pages(tmp_path / "dr-plan.pdf")
    for heading, number in entries:
        page = pages[int(number) - 1]
        # the heading itself, at the start of a line on that page (not its contents entry)
        assert re.search(rf"^\s*{re.escape(heading)}\s*$", page, re.M), (heading, number)


def test_docx_tables_keep_rows_whole_repeat_a_shaded_header_and_fit_the_text_block(hotline):
    document = docx.Document(str(hotline / "docx" / "dr-plan.docx"))
    style = document.styles["Table"].element
    first = style.find(qn("w:tblStylePr"))
    assert first.get(qn("w:type")) == "firstRow"
    assert first.find(f"{qn('w:tcPr')}/{qn('w:shd')}").get(qn("w:fill")) == "E8EEF5"
    assert first.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    body_tables = document.tables[2:]  # after the cover's control and sign-off tables
    assert len(body_tables) > 5
    for table in body_tables:
        rows = table._tbl.tr_lst
        assert all(
            row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows
        )
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None  # repeats on a new page
        widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.gridCol_lst]
        assert abs(sum(widths) - round(Mm(174).twips)) <= 2  # the text block, A4 less 2 × 18 mm
    risks = next(t for t in body_tables if t.rows[0].cells[0].text == "风险")
    heads = [c.text for c in risks.rows[0].cells]
    columns = risks._tbl.tblGrid.gridCol_lst
    widths = dict(zip(heads, [int(c.get(qn("w:w"))) for c in columns], strict=True))
    assert widths["概率"] < widths["控制措施"] and widths["概率"] < widths["风险"]


def test_column_widths_follow_content():
    from generator.publish.docx_tables import column_widths

    # all on one line: the room is shared in proportion to what each column needs
    narrow, wide = column_widths([["1", "一段说明文字"]], 6000, 2)
    assert narrow < wide and narrow + wide == 6000
    # a long text column wraps; the short columns (a number, a date) keep their line
    long_text = "很长的说明" * 30
    widths = column_widths([["#", "2008-07-05", long_text]], 6000, 3)
    assert sum(widths) == 6000
    assert widths[1] >= 10 * 126 + 256  # the date, at 0.6 em a character, and the cell padding
    assert widths[2] > widths[1] > widths[0]
    # words that cannot fit at all: every column shrinks alike rather than one vanishing
    words = ["x" * 60] * 3
    assert column_widths([words], 6000, 3) == [2000, 2000, 2000]


@pytest.fixture(scope="module")
def water(tmp_path_factory, catalog) -> Path:
    out = tmp_path_factory.mktemp("draft")
    formats = ("md", "docx", "pdf", "site")
    return build_profile(bundled("water-utility"), out, formats=formats, catalog=catalog).output


def _watermarks(path: Path) -> set[str]:
    """The watermark texts in a DOCX's headers."""
    with zipfile.ZipFile(path) as package:
        headers = [n for n in package.namelist() if re.match(r"word/header\d+\.xml$", n)]
        xml = "".join(package.read(n).decode("utf-8") for n in headers)
    return set(re.findall(r'<v:textpath [^>]*string="([^"]*)"', xml))


def _tinted(pdf: Path, page: int) -> bool:
    """True when the middle of ``page`` shows the watermark's pale red: the PDF draws it as
    an artifact behind the text, which text extraction rightly leaves out."""
    from PIL import Image

    prefix = pdf.parent / f".tint-{pdf.stem}-{page}"
    command = ["pdftoppm", "-r", "20", "-f", str(page), "-l", str(page), "-png", str(pdf)]
    subprocess.run([*command, str(prefix)], check=True)
    [png] = pdf.parent.glob(f"{prefix.name}*.png")
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        middle = rgb.crop((width // 4, height // 3, 3 * width // 4, 2 * height // 3))
        pixels = list(middle.get_flattened_data())
    png.unlink()
    pale_red = [(r, g, b) for r, g, b in pixels if r - g > 8 and abs(g - b) < 6]
    return len(pale_red) > len(pixels) // 50


def test_a_draft_is_marked_on_every_page_and_a_final_document_is_not(water, hotline):
    """The water utility's documents have placeholders and no recorded approval: 草稿 across
    every page of the PDF and the DOCX, and why on the cover; the event hotline's are final."""
    for doc in DOCS:
        pages = _pages(water / "pdf" / f"{doc}.pdf")
        assert all(_tinted(water / "pdf" / f"{doc}.pdf", n) for n in range(1, len(pages) + 1))
        assert "本文件为草稿" in _squeezed(pages[0]) and "未记录批准日期" in _squeezed(pages[0])
        assert _watermarks(water / "docx" / f"{doc}.docx") == {"草稿"}
        cover = docx.Document(str(water / "docx" / f"{doc}.docx")).paragraphs
        assert any(p.text.startswith("本文件为草稿：") for p in cover)
        assert not _tinted(hotline / "pdf" / f"{doc}.pdf", 2)
        assert _watermarks(hotline / "docx" / f"{doc}.docx") == set()


def test_the_site_says_a_draft_is_one_and_links_to_the_open_items(water):
    page = (water / "site" / "operations-manual.html").read_text(encoding="utf-8")
    banner = page[page.index('class="admonition warning"') :][:2000]
    assert "草稿" in banner and "处待补充内容" in banner and 'href="gap-report.html"' in banner
    assert "<mark>【待补充：" in page  # each placeholder highlighted


def test_placeholders_are_highlighted_in_docx_and_pdf(water):
    document = docx.Document(str(water / "docx" / "operations-manual.docx"))
    style = document.styles["Placeholder"]
    assert style.font.highlight_color == WD_COLOR_INDEX.YELLOW
    styled = [
        run.text
        for paragraph in document.paragraphs
        for run in paragraph.runs
        if run.style is not None and run.style.name == "Placeholder"
    ]
    assert styled and all(text.startswith("【待补充：") for text in styled[:1])
    markdown = (water / "manual" / "operations-manual.md").read_text(encoding="utf-8")
    from generator.publish.pdf import typst_body
    from generator.publish.placeholders import mark_placeholders

    label = "【待补充：{field} - {requirements}】"
    body = typst_body(mark_placeholders(markdown, label))
    assert body.count('#highlight(fill: rgb("#fff3a0"))[【待补充：') == markdown.count("【待补充：")


@pytest.mark.parametrize(
    ("placeholders", "approved", "unmet", "reasons"),
    [
        (0, True, 0, []),  # final: nothing open, approval recorded
        (1, True, 0, ["1 处待补充内容"]),  # one placeholder is enough
        (0, False, 0, ["未记录批准日期"]),
        (0, True, 1, ["1 项所依据的要求尚未满足"]),
        (2, False, 3, ["2 处待补充内容", "未记录批准日期", "3 项所依据的要求尚未满足"]),
    ],
)
def test_a_document_is_a_draft_exactly_when_something_is_open(
    placeholders, approved, unmet, reasons
):
    """The rule (ours, from what a controlled document needs; no standard sets it): any
    placeholder, a missing approval date or any unmet requirement the document cites."""
    from generator.build import _with_draft
    from generator.labels import load_labels
    from generator.publish import DocumentFacts
    from generator.render import template_dirs

    labels = load_labels("zh", template_dirs())
    facts = DocumentFacts("d", "T", "O", "N", "1", "", "", "{page}/{pages}", "目录", "zh")
    marked = _with_draft(facts, labels, placeholders=placeholders, approved=approved, unmet=unmet)
    assert marked.watermark == ("草稿" if reasons else "")
    assert marked.draft_note == ("本文件为草稿：" + "、".join(reasons) if reasons else "")
