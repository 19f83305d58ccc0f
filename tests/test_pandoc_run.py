"""Several conversions in one pandoc process give what the pandoc command line gives."""

from __future__ import annotations

import subprocess
import zipfile

import pytest
from conftest import bundled

from generator.errors import PublishError
from generator.publish.pandoc_run import Conversion, convert
from generator.publish.pdf import MARKERS_FILTER, TOKENS_FILTER
from generator.publish.placeholders import PLACEHOLDERS_FILTER


@pytest.fixture(scope="module")
def rendered():
    from generator.build import render_profile

    return render_profile(bundled("water-utility")).publication


def _parts(path):
    with zipfile.ZipFile(path) as package:
        # the creation time pandoc stamps is the only difference, and ccdocs replaces it
        return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


def _same_as_command_line(conversions, tmp_path):
    convert(conversions, tmp_path / "together")
    for i, conversion in enumerate(conversions):
        source = tmp_path / f"alone-{i}.md"
        source.write_text(conversion.source, encoding="utf-8")
        alone = conversion.target.with_name(f"alone-{conversion.target.name}")
        command = conversion.command_line(tmp_path, source)
        command[-1] = str(alone)
        subprocess.run(command, check=True, capture_output=True)
        yield conversion.target, alone


def test_docx_of_one_run_equals_the_command_lines(rendered, tmp_path):
    """Reference document, metadata file, language, contents, shifted headings, the
    placeholder filter and a diagram found through the resource path: the same package."""
    from generator.publish.docx import _conversion

    work = tmp_path / "work"
    work.mkdir()
    conversions = [
        _conversion(rendered.documents[doc], rendered.facts[doc], work / f"{doc}.docx", work)
        for doc in ("operations-manual", "dr-plan", "training-syllabus")
    ]
    assert any(c.resources for c in conversions) and any(c.filters for c in conversions)
    for together, alone in _same_as_command_line(conversions, tmp_path):
        assert _parts(together) == _parts(alone), together.name


def test_typst_of_one_run_equals_the_command_lines(rendered, tmp_path):
    filters = (TOKENS_FILTER, PLACEHOLDERS_FILTER, MARKERS_FILTER)
    conversions = [
        Conversion(text, "typst", tmp_path / f"{doc}.typ", filters=filters, wrap="none")
        for doc, text in sorted(rendered.documents.items())
    ]
    for together, alone in _same_as_command_line(conversions, tmp_path):
        assert together.read_text(encoding="utf-8") == alone.read_text(encoding="utf-8")


def test_a_conversion_that_fails_is_named_with_pandocs_reason(tmp_path):
    conversions = [
        Conversion("# A\n", "docx", tmp_path / "a.docx"),
        Conversion("# B\n", "docx", tmp_path / "b.docx", reference_doc=tmp_path / "gone.docx"),
    ]
    with pytest.raises(PublishError, match=r"pandoc could not write b\.docx: .*gone\.docx"):
        convert(conversions, tmp_path / "work")
