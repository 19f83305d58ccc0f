"""Reading documents made by hand: DOCX, PDF, XLSX, Markdown and text, damaged ones included.

The DOCX and PDF files are real ones, built by ccdocs from a bundled profile; the rest are made
here with the libraries an office would use.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from conftest import bundled
from pypdf import PdfReader, PdfWriter

from generator.build import build_profile
from generator.checkdocs import extract as module
from generator.checkdocs.extract import (
    Extracted,
    Heading,
    document_files,
    extract,
    extract_all,
)

A4 = (595, 842)


@pytest.fixture(scope="module")
def built(tmp_path_factory, catalog) -> Path:
    """The water utility's documents as DOCX and PDF."""
    out = tmp_path_factory.mktemp("built")
    result = build_profile(bundled("water-utility"), out, formats=("docx", "pdf"), catalog=catalog)
    return result.output


def document_control(doc_id: str) -> dict[str, object]:
    profile = yaml.safe_load(bundled("water-utility").read_text(encoding="utf-8"))
    control: dict[str, object] = profile["document_control"][doc_id]
    return control


# -- PDF ------------------------------------------------------------------------------------------


def test_pdf_text_is_real_chinese(built):
    path = built / "pdf" / "dr-plan.pdf"
    got = extract(path)
    assert got.error == ""
    assert got.kind == "pdf"
    assert got.text_layer
    assert len(got.pages) == len(PdfReader(path).pages)
    assert got.title == "灾备预案"  # the PDF's /Title
    number = document_control("dr-plan")["number"]
    # a table row stays on one line (poppler's layout mode: cells apart by spaces)
    assert [number] in [
        line.split()[1:] for line in got.pages[0].splitlines() if "文件编号" in line
    ]
    assert "呼叫平台故障" in got.text


def test_pdf_headings_come_from_the_outline_with_their_pages(built):
    got = extract(built / "pdf" / "dr-plan.pdf")
    assert Heading(2, "6.1 呼叫平台故障应急预案", 4) in got.headings
    assert [h.level for h in got.headings].count(1) >= 5
    for heading in got.headings:
        # A line of its own on that page: the contents page lists it with dot leaders instead.
        lines = [line.strip() for line in got.pages[heading.page - 1].splitlines()]
        assert heading.text in lines, heading
    pages = [h.page for h in got.headings]
    assert pages == sorted(pages)
    assert len(set(pages)) > 1


def test_pdf_without_text_is_a_scan(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(*A4)
    writer.add_blank_page(*A4)
    path = tmp_path / "扫描件.pdf"
    writer.write(path)
    got = extract(path)
    assert got.error == ""
    assert got.text_layer is False
    assert got.pages == ("", "")
    assert got.headings == ()
    assert got.title == "扫描件"


def test_pdf_locked_with_a_password_is_an_error(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(*A4)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    writer.write(path)
    got = extract(path)
    assert "encrypted" in got.error
    assert got.pages == ()


def test_pdf_restricted_with_an_empty_password_reads(built, tmp_path):
    writer = PdfWriter(clone_from=built / "pdf" / "dr-plan.pdf")
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "restricted.pdf"
    writer.write(path)
    got = extract(path)
    assert got.error == ""
    assert "呼叫平台故障" in got.text


def test_damaged_pdf_is_an_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(1).randbytes(2048))
    got = extract(path)
    assert got.error
    assert "\n" not in got.error
    assert got.pages == ()
    assert got.title == "broken"


# -- DOCX -----------------------------------------------------------------------------------------


def test_docx_headings_title_and_cover(built):
    got = extract(built / "docx" / "operations-manual.docx")
    assert got.error == ""
    assert (got.kind, got.title, len(got.pages)) == ("docx", "运营手册", 1)
    chapters = [h.text for h in got.headings if h.level == 1]
    assert {"1 总则", "2 定位与方向", "5 服务渠道与时间", "19 应急管理"} <= set(chapters)
    assert Heading(2, "5.1 服务水平目标", None) in got.headings
    lines = got.text.splitlines()
    assert lines[0] == "运营手册"  # a Title paragraph, which pandoc moves out of the body
    # The cover's number is typed with Word's non-breaking hyphens; it reads as typed here.
    number = document_control("operations-manual")["number"]
    assert f"文件编号 | {number}" in lines
    assert "编制 | 热线中心主任" in lines  # the empty signature cells after it are dropped
    assert not any(mark in got.text for mark in ("**", "](#", "<span", "<img"))


def test_docx_made_in_word_style(tmp_path):
    document = docx.Document()
    document.add_heading("供水热线运营手册", 0)
    document.add_heading("1\u3000总则", 1)  # an ideographic space, as Chinese Word users type
    document.add_paragraph("本手册适用于热线中心。")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "文件编号"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "GS-RX-YY-01"
    table.cell(1, 0).text = "说明"
    table.cell(1, 1).text = "第一段"
    table.cell(1, 1).add_paragraph("第二段")
    document.add_heading("1.1 范围", 2)
    path = tmp_path / "手册.docx"
    document.save(path)
    got = extract(path)
    assert got.error == ""
    assert got.title == "供水热线运营手册"
    assert got.headings == (Heading(1, "1 总则", None), Heading(2, "1.1 范围", None))
    assert got.text.splitlines() == [
        "供水热线运营手册",
        "1\u3000总则",
        "本手册适用于热线中心。",
        "文件编号 | GS-RX-YY-01",
        "说明 | 第一段 第二段",
        "1.1 范围",
    ]


@pytest.mark.parametrize(
    "content",
    [random.Random(0).randbytes(4096), b""],
    ids=["random-bytes", "empty"],
)
def test_damaged_docx_is_an_error(tmp_path, content):
    path = tmp_path / "运营手册.docx"
    path.write_bytes(content)
    got = extract(path)
    assert "damaged" in got.error
    assert "\n" not in got.error
    assert (got.kind, got.pages, got.headings, got.title) == ("docx", (), (), "运营手册")


def test_workbook_renamed_to_docx_is_an_error(tmp_path):
    path = tmp_path / "not-a-document.docx"
    openpyxl.Workbook().save(path)
    got = extract(path)
    assert got.error
    assert got.pages == ()


# -- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_sheets_are_pages(tmp_path):
    book = openpyxl.Workbook()
    control = book.active
    control.title = "文件控制"
    control.append(["文件编号", "GS-RX-YY-01"])
    control.append(["发布日期", dt.date(2026, 1, 8)])
    control.append(["评审时间", dt.datetime(2026, 1, 9, 14, 30)])
    control.append([])
    control.append(["版本", 3.1, None, None])
    control.append(["备注", None, "见附件"])
    book.create_sheet("修订记录").append(["版本", "日期"])
    path = tmp_path / "台账.xlsx"
    book.save(path)
    got = extract(path)
    assert got.error == ""
    assert got.kind == "xlsx"
    assert got.pages == (
        "文件控制\n"
        "文件编号 | GS-RX-YY-01\n"
        "发布日期 | 2026-01-08\n"
        "评审时间 | 2026-01-09 14:30\n"
        "版本 | 3.1\n"
        "备注 |  | 见附件",
        "修订记录\n版本 | 日期",
    )
    assert got.headings == (Heading(1, "文件控制", 1), Heading(1, "修订记录", 2))
    assert got.title == "文件控制"  # no title in its properties: the first sheet


def test_xlsx_title_from_its_properties(tmp_path):
    book = openpyxl.Workbook()
    book.properties.title = "话务量台账"
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert extract(path).title == "话务量台账"


# -- Markdown and text ----------------------------------------------------------------------------


def test_gb18030_text_reads(tmp_path):
    text = "服务水平目标\n文件编号：GS-RX-YY-01\n20 秒接通率不低于 80%\n"
    path = tmp_path / "说明.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    got = extract(path)
    assert got.error == ""
    assert (got.kind, got.pages, got.headings) == ("txt", (text,), ())
    assert got.title == "服务水平目标"


def test_utf16_text_with_its_mark_reads(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("应急预案", encoding="utf-16")
    assert extract(path).text == "应急预案"


def test_markdown_headings(tmp_path):
    path = tmp_path / "plan.MARKDOWN"
    path.write_text(
        "\ufeff前言\n"
        "# 4   服务渠道与时间 #\n"
        "正文\n"
        "```\n"
        "# 不是标题\n"
        "```\n"
        "## 4.1 服务水平目标\n"
        "#没有空格不是标题\n"
        "####### 七级不是标题\n",
        encoding="utf-8",
    )
    got = extract(path)
    assert got.kind == "md"
    assert got.headings == (
        Heading(1, "4 服务渠道与时间", None),
        Heading(2, "4.1 服务水平目标", None),
    )
    assert got.title == "4 服务渠道与时间"
    assert got.text.startswith("前言\n")  # the byte-order mark is not text


def test_empty_text_is_titled_by_its_name(tmp_path):
    path = tmp_path / "空白.md"
    path.write_bytes(b"")
    got = extract(path)
    assert (got.error, got.pages, got.title) == ("", ("",), "空白")


def test_unknown_suffix_is_not_a_document(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"data\.csv"):
        extract(path)


# -- the folder -----------------------------------------------------------------------------------


def test_document_files_skips_hidden_and_lock_files_and_sorts(tmp_path):
    names = [
        "sub/c.docx",
        "a.md",
        "B.PDF",
        "a-b.txt",
        "sub-x.xlsx",
        "sub/deeper/d.Markdown",
        ".hidden.md",
        ".git/x.md",
        "sub/.cache/y.pdf",
        "~$运营手册.docx",
        "sub/~$lock.xlsx",
        "notes.csv",
        "README",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "folder.md").mkdir()
    found = [path.relative_to(tmp_path).as_posix() for path in document_files(tmp_path)]
    assert found == [
        "B.PDF",
        "a-b.txt",
        "a.md",
        "sub/c.docx",
        "sub/deeper/d.Markdown",
        "sub-x.xlsx",
    ]


def test_extract_all_in_processes_matches_one_by_one(built, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    # The manual's PDF is left out: it alone takes longest to read.
    paths = [p for p in document_files(built) if p.name != "operations-manual.pdf"]
    paths.append(broken)
    assert len(paths) == 16  # eight documents as DOCX, seven as PDF, the broken file
    one_by_one = extract_all(paths, workers=1)
    assert [got.path for got in one_by_one] == paths
    assert extract_all(paths, workers=2) == one_by_one
    assert [bool(got.error) for got in one_by_one] == [False] * 15 + [True]


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the workers must inherit the reader that kills them",
)
def test_a_reader_that_dies_costs_only_its_file(tmp_path, monkeypatch):
    read_text = module._READERS["txt"]

    def dies_on_fatal(path: Path) -> Extracted:
        if path.stem == "fatal":
            os._exit(1)
        return read_text(path)

    monkeypatch.setitem(module._READERS, "txt", dies_on_fatal)
    paths = []
    for name in ("a", "fatal", "b", "c"):
        paths.append(tmp_path / f"{name}.txt")
        paths[-1].write_text(f"文本 {name}", encoding="utf-8")
    got = extract_all(paths, workers=2)
    assert [g.text for g in got] == ["文本 a", "", "文本 b", "文本 c"]
    assert "died" in got[1].error
