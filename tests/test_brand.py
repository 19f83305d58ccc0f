"""Branding folders: located brand-file errors; company, logo and colours in every format."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from conftest import bundled

from generator.brand import load_brand
from generator.build import build_profile
from generator.bundled import bundled_dir
from generator.cli import EXIT_ERRORS, cli
from generator.errors import ProfileError

COMPANY = "远景联络咨询有限公司"


def png(width: int = 40, height: int = 20, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A solid-colour PNG, written by hand so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.fixture
def brand_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "logo.png").write_bytes(png())
    (folder / "brand.yaml").write_text(
        f"company: {COMPANY}\nlogo: logo.png\n"
        "colours:\n  primary: '#8B0000'\n  accent: '#FF8C00'\n",
        encoding="utf-8",
    )
    return folder


def test_brand_file_errors_name_file_line_and_column(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "brand.yaml").write_text(
        "company: X\ncolors:\n  primary: red\nlogo: ../outside.png\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    lines = [f.format() for f in caught.value.findings]
    assert lines == [
        f"{folder / 'brand.yaml'}:2:1: /colors: unknown key 'colors' (did you mean 'colours'?)"
        " (allowed here: colours, company, logo)"
    ]
    (folder / "brand.yaml").write_text(
        "colours:\n  primary: red\nlogo: ../outside.png\n", encoding="utf-8"
    )
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    [colour] = [f for f in caught.value.findings]
    assert colour.location.line == 2 and colour.location.column == 12
    (folder / "brand.yaml").write_text("logo: ../outside.png\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    [logo] = caught.value.findings
    assert "leaves the branding folder" in logo.message and logo.location.line == 1
    (folder / "logo.png").write_text("<svg/>", encoding="utf-8")
    (folder / "brand.yaml").write_text("company: X\nlogo: logo.png\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    [logo] = caught.value.findings
    assert logo.format().endswith(
        "brand.yaml:2:7: /logo: logo 'logo.png' is not a PNG or JPEG image (save the logo as PNG)"
    )


def test_cli_reports_a_bad_brand_without_traceback(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "brand.yaml").write_text("logo: missing.png\n", encoding="utf-8")
    command = ["build", "--brand", str(folder), "--out", str(tmp_path / "out"), "--format", "md"]
    result = CliRunner().invoke(cli, [*command, "--lang", "en"])
    assert result.exit_code == EXIT_ERRORS
    assert "brand.yaml:1:7: /logo: logo file 'missing.png' not found" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    told = CliRunner().invoke(cli, command)  # in the language of the bundled profile
    assert told.exit_code == EXIT_ERRORS
    assert "brand.yaml:1:7: /logo: 找不到标志文件 'missing.png' (请检查路径" in told.output
    assert "1 个错误；未写出任何文件" in told.output


def test_brand_reaches_docx_pdf_and_site(tmp_path, catalog, brand_dir):
    brand = load_brand(brand_dir)
    result = build_profile(
        bundled("minimal"), tmp_path, formats=("docx", "pdf", "site"), catalog=catalog, brand=brand
    )
    document = docx.Document(str(result.output / "docx" / "dr-plan.docx"))
    assert len(document.inline_shapes) == 1  # the logo on the cover
    header = document.sections[0].header.paragraphs[0].text
    assert header.startswith(COMPANY)
    assert f"编制单位：{COMPANY}" in [p.text for p in document.paragraphs]
    assert str(document.styles["Heading 1"].font.color.rgb) == "8B0000"

    pdf = result.output / "pdf" / "dr-plan.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert f"编制单位：{COMPANY}" in text
    assert text.count(COMPANY) >= 3  # cover, and the running header of the pages after it
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    assert len(images.stdout.splitlines()) == 3  # two header lines and the logo

    site = result.output / "site"
    assert (site / "assets" / "brand" / "logo.png").read_bytes() == (
        brand_dir / "logo.png"
    ).read_bytes()
    css = (site / "assets" / "stylesheets" / "brand.css").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #8B0000" in css
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/brand/logo.png"' in index and COMPANY in index


def test_brand_templates_override_the_shipped_ones(tmp_path, catalog, brand_dir):
    override = brand_dir / "templates" / "manual"
    override.mkdir(parents=True)
    (override / "dr-plan.md.jinja").write_text("# {{ org.name }} 灾备预案（咨询版）\n", "utf-8")
    result = build_profile(
        bundled("minimal"), tmp_path, formats=("md",), catalog=catalog, brand=load_brand(brand_dir)
    )
    text = (result.output / "manual" / "dr-plan.md").read_text(encoding="utf-8")
    assert text.startswith("# 示例客户服务中心 灾备预案（咨询版）")
    shipped = (result.output / "manual" / "operations-manual.md").read_text(encoding="utf-8")
    assert "咨询版" not in shipped


def test_without_a_brand_the_shipped_colours_apply(tmp_path, catalog):
    result = build_profile(bundled("minimal"), tmp_path, formats=("site",), catalog=catalog)
    css = (result.output / "site" / "assets" / "stylesheets" / "brand.css").read_text("utf-8")
    shipped = yaml.safe_load((bundled_dir("site") / "brand.yaml").read_text(encoding="utf-8"))
    assert f"--md-primary-fg-color: {shipped['colours']['primary']}" in css
