"""Every printed page of every bundled profile, in both languages, is A4 and keeps its text
inside the text block: measured on the PDF and on LibreOffice's layout of the DOCX, by the
glyph positions poppler reads (scripts/page_images.py measures the same)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import PROFILES

from generator.build import build_profile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from page_images import MM, office_pdfs, overflows, page_sizes

A4 = (210, 297)


@pytest.mark.e2e
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("profile", sorted(p.stem for p in PROFILES.glob("*.yaml")))
def test_every_page_is_a4_with_nothing_past_the_text_block(profile, language, tmp_path, catalog):
    built = build_profile(
        PROFILES / f"{profile}.yaml",
        tmp_path / "out",
        formats=("docx", "pdf"),
        catalog=catalog,
        language=language,
    ).output
    laid_out = office_pdfs(sorted((built / "docx").glob("*.docx")), tmp_path / "office")
    for pdf in [*sorted((built / "pdf").glob("*.pdf")), *laid_out]:
        sizes = {(round(w / MM), round(h / MM)) for w, h in page_sizes(pdf)}
        assert sizes == {A4}, pdf
        assert overflows(pdf) == [], pdf
