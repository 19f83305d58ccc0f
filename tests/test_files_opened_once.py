"""Files are opened once, checked on the open descriptor and read in bounded blocks.

Evidence files, brand files and the Markdown of a built edition: a file swapped for a link, a
pipe or a device after it was checked is never read, nothing outside the folder reaches an
output, and no run waits for ever on a pipe.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import struct
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from PIL import Image

import generator.build
from generator.audit.pack import PackEntry, verify_pack, write_pack
from generator.brand import load_brand
from generator.build import build_evidence_pack, build_profile
from generator.cli import EXIT_ERRORS, cli
from generator.editions import edition_files, read_edition
from generator.errors import CcdocsError, ProfileError
from generator.evidence import MAX_EVIDENCE_BYTES, EvidenceChanged, load_evidence
from generator.profile import load_profile

TIMEOUT = 120  # seconds; a build that waits on a pipe never ends
SECRET = b"outside the folder: must never reach a pack\n"
DRILL = b"drill held on 2026-01-10, all stages passed\n"
PROFILE = """\
organization: {id: swap, name: Swap}
assessment_date: 2026-03-01
records:
  - {id: r1, kind: emergency-test-record, date: 2026-01-10, file: evidence/drill.md}
"""


def finish_or_unblock(action: Callable[[], Any], pipes: Iterable[Path] = ()) -> dict[str, Any]:
    """Run ``action`` in a thread; fail when it is still running after TIMEOUT seconds.

    A reader stuck on a pipe is released (a writer opens and closes it) before the test fails.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = action()
        except BaseException as e:  # handed to the test
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    hung = thread.is_alive()
    if hung:
        for pipe in pipes:
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
    assert not hung, "waited on a pipe"
    return outcome


def _center(tmp_path: Path) -> Path:
    folder = tmp_path / "center"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "drill.md").write_bytes(DRILL)
    (folder / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_bytes(SECRET)
    (tmp_path / "outside" / "drill.md").write_bytes(DRILL)  # the same bytes, another folder
    return folder


def _swap_to_link_out(folder: Path) -> list[Path]:
    (folder / "evidence" / "drill.md").unlink()
    (folder / "evidence" / "drill.md").symlink_to(folder.parent / "outside" / "secret.md")
    return []


def _swap_to_link_with_the_same_bytes(folder: Path) -> list[Path]:
    (folder / "evidence" / "drill.md").unlink()
    (folder / "evidence" / "drill.md").symlink_to(folder.parent / "outside" / "drill.md")
    return []


def _swap_folder_to_link_out(folder: Path) -> list[Path]:
    shutil.rmtree(folder / "evidence")
    (folder / "evidence").symlink_to(folder.parent / "outside")  # holds a drill.md too
    return []


def _swap_to_pipe(folder: Path) -> list[Path]:
    (folder / "evidence" / "drill.md").unlink()
    os.mkfifo(folder / "evidence" / "drill.md")
    return [folder / "evidence" / "drill.md"]


SWAPS = [
    _swap_to_link_out,
    _swap_to_link_with_the_same_bytes,
    _swap_folder_to_link_out,
    _swap_to_pipe,
]


@pytest.mark.parametrize("swap", SWAPS, ids=lambda s: s.__name__.removeprefix("_swap_"))
def test_an_evidence_file_swapped_after_the_check_never_reaches_the_pack(
    tmp_path, catalog, monkeypatch, swap
):
    folder = _center(tmp_path)
    pipes: list[Path] = []
    load = generator.build.load_evidence

    def load_then_swap(profile: Any) -> Any:
        found = load(profile)
        assert found["evidence/drill.md"].status == "ok"  # checked and hashed as it was
        pipes.extend(swap(folder))
        return found

    monkeypatch.setattr(generator.build, "load_evidence", load_then_swap)
    outcome = finish_or_unblock(
        lambda: build_evidence_pack(folder / "profile.yaml", tmp_path / "out", catalog=catalog),
        pipes,
    )
    error = outcome.get("error")
    assert isinstance(error, EvidenceChanged), outcome
    assert str(error).startswith(f"{folder / 'evidence' / 'drill.md'}: evidence file changed")
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not [p for p in written if p.name == "evidence-pack.zip"]
    assert not [p for p in written if SECRET in p.read_bytes()]


def test_the_command_exits_1_naming_the_swapped_file(tmp_path, catalog, monkeypatch):
    folder = _center(tmp_path)
    load = generator.build.load_evidence

    def load_then_swap(profile: Any) -> Any:
        found = load(profile)
        _swap_folder_to_link_out(folder)
        return found

    monkeypatch.setattr(generator.build, "load_evidence", load_then_swap)
    args = ["evidence", str(folder / "profile.yaml"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_ERRORS, result.output
    assert f"{folder / 'evidence' / 'drill.md'}: evidence file changed" in result.output


def test_an_untouched_evidence_file_is_copied_into_the_pack(tmp_path, catalog):
    folder = _center(tmp_path)
    pack = build_evidence_pack(folder / "profile.yaml", tmp_path / "out", catalog=catalog)
    with zipfile.ZipFile(pack) as package:
        assert package.read("evidence/drill.md") == DRILL
    assert verify_pack(pack) == []


def test_an_evidence_file_over_the_cap_is_an_error_and_is_not_read(write_profile, tmp_path):
    (tmp_path / "evidence").mkdir()
    with (tmp_path / "evidence" / "drill.md").open("wb") as f:
        f.truncate(MAX_EVIDENCE_BYTES + 1)  # sparse: nothing to write, nothing is read
    profile = load_profile(write_profile(PROFILE))
    [info] = load_evidence(profile).values()
    assert info.status == "large"


def test_a_large_evidence_file_is_streamed_into_the_pack_not_held_in_memory(
    write_profile, tmp_path
):
    size = 64 * 1024 * 1024
    (tmp_path / "evidence").mkdir()
    with (tmp_path / "evidence" / "drill.md").open("wb") as f:
        f.truncate(size)
    [info] = load_evidence(load_profile(write_profile(PROFILE))).values()
    entry = PackEntry("evidence/drill.md", b"", "evidence", "drill", "2026-01-10", (), info)
    tracemalloc.start()
    try:
        write_pack(tmp_path / "p.zip", [entry], organization={"id": "x"}, collected=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size // 4
    assert verify_pack(tmp_path / "p.zip") == []


# -- brand folders ---------------------------------------------------------------------------


def _png(width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _brand(tmp_path: Path, logo: bytes = b"") -> Path:
    folder = tmp_path / "brand"
    folder.mkdir()
    text = "company: Acme\n"
    if logo:
        (folder / "logo.png").write_bytes(logo)
        text += "logo: logo.png\n"
    (folder / "brand.yaml").write_text(text, encoding="utf-8")
    return folder


def _jpeg_without_app_markers() -> bytes:
    """A JPEG any viewer shows, without the APP0/APP1 header Word's image reader looks for."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    data = buffer.getvalue()
    start = data.index(b"\xff\xe0")
    (length,) = struct.unpack(">H", data[start + 2 : start + 4])
    return data[:start] + data[start + 2 + length :]


def _png_with_damaged_pixels() -> bytes:
    data = _png()
    start = data.index(b"IDAT") + 4
    return data[:start] + b"\x00" * 12 + data[start + 12 :]


CORRUPT_LOGOS = {
    "png-magic-then-garbage": b"\x89PNG\r\n\x1a\ngarbage, not an image",
    "jpeg-magic-then-garbage": b"\xff\xd8\xff" + b"garbage" * 8,
    "truncated-png": _png()[:60],
    "png-with-damaged-pixels": _png_with_damaged_pixels(),
    "jpeg-word-cannot-place": _jpeg_without_app_markers(),
}


@pytest.mark.parametrize("name", CORRUPT_LOGOS)
def test_a_damaged_logo_with_image_magic_bytes_is_a_located_brand_error(tmp_path, name):
    folder = _brand(tmp_path, CORRUPT_LOGOS[name])
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    [finding] = caught.value.findings
    assert finding.format().startswith(
        f"{folder / 'brand.yaml'}:2:7: /logo: logo 'logo.png' is a damaged or unsupported image"
    )
    assert finding.hint == "open it in an image editor and save it again as PNG"


def test_a_damaged_logo_stops_a_word_build_with_exit_1_not_an_internal_error(tmp_path):
    folder = _brand(tmp_path, CORRUPT_LOGOS["png-magic-then-garbage"])
    args = ["build", "--brand", str(folder), "--out", str(tmp_path / "out"), "--format", "docx"]
    args += ["--lang", "en"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "brand.yaml:2:7: /logo: logo 'logo.png' is a damaged" in result.output
    assert not (tmp_path / "out").exists()


def test_a_logo_that_is_a_pipe_is_refused_without_waiting(tmp_path):
    folder = _brand(tmp_path)
    os.mkfifo(folder / "logo.png")
    (folder / "brand.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    outcome = finish_or_unblock(lambda: load_brand(folder), [folder / "logo.png"])
    [finding] = outcome["error"].findings
    assert finding.message == (
        "logo 'logo.png' is not a regular file (a folder, link, device or pipe)"
    )


def test_a_logo_over_its_cap_is_refused_unread(tmp_path):
    folder = _brand(tmp_path, b"x")
    with (folder / "logo.png").open("wb") as f:
        f.truncate(8 * 1024 * 1024 + 1)
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    assert caught.value.findings[0].message == "logo 'logo.png' is larger than 8 MiB"


def test_the_outputs_use_the_logo_as_checked_even_when_the_file_changes_later(tmp_path, catalog):
    logo = _png()
    brand = load_brand(_brand(tmp_path, logo))
    (tmp_path / "brand" / "logo.png").unlink()
    os.mkfifo(tmp_path / "brand" / "logo.png")  # swapped after the check: never opened again
    outcome = finish_or_unblock(
        lambda: build_profile(
            _minimal(tmp_path),
            tmp_path / "out",
            formats=("docx", "site"),
            catalog=catalog,
            brand=brand,
        ),
        [tmp_path / "brand" / "logo.png"],
    )
    result = outcome["value"]
    document = docx.Document(str(result.output / "docx" / "dr-plan.docx"))
    assert len(document.inline_shapes) == 1
    assert (result.output / "site" / "assets" / "brand" / "logo.png").read_bytes() == logo


def _minimal(tmp_path: Path) -> Path:
    path = tmp_path / "minimal.yaml"
    path.write_text("organization: {id: acme, name: Acme}\n", encoding="utf-8")
    return path


def test_a_brand_file_that_is_a_pipe_or_a_link_out_is_refused(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    os.mkfifo(folder / "brand.yaml")
    outcome = finish_or_unblock(lambda: load_brand(folder), [folder / "brand.yaml"])
    [finding] = outcome["error"].findings
    assert finding.format() == (
        f"{folder / 'brand.yaml'}: /: is not a regular file (a folder, link, device or pipe) "
        "(write brand.yaml as a plain file in the branding folder)"
    )
    (folder / "brand.yaml").unlink()
    (tmp_path / "elsewhere.yaml").write_text("company: Not Ours\n", encoding="utf-8")
    (folder / "brand.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    assert caught.value.findings[0].message == "leads out of the branding folder"


def test_pipes_and_oversized_files_among_the_templates_are_refused(tmp_path):
    folder = _brand(tmp_path)
    templates = folder / "templates" / "manual"
    templates.mkdir(parents=True)
    os.mkfifo(templates / "dr-plan.md.jinja")
    with (templates / "big.md.jinja").open("wb") as f:
        f.truncate(4 * 1024 * 1024 + 1)
    (templates / "out.md.jinja").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_text("secret", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_brand(folder)
    assert [f.format() for f in caught.value.findings] == [
        f"{templates / 'big.md.jinja'}: /: is larger than 4 MiB ({_TEMPLATE_HINT})",
        f"{templates / 'dr-plan.md.jinja'}: /: is not a regular file (a device, pipe or socket) "
        f"({_TEMPLATE_HINT})",
        f"{templates / 'out.md.jinja'}: /: leads out of its template folder ({_TEMPLATE_HINT})",
    ]


_TEMPLATE_HINT = "keep only template and label files, copied into the branding folder"


# -- built editions given to `ccdocs diff` ---------------------------------------------------


def _edition(tmp_path: Path, name: str, text: str = "# 预案\n\n## 范围 {#scope}\n\n正文\n") -> Path:
    folder = tmp_path / name / "acme"
    (folder / "manual").mkdir(parents=True)
    (folder / "manual" / "dr-plan.md").write_text(text, encoding="utf-8")
    return folder


def _diff(tmp_path: Path, old: Path, new: Path) -> Any:
    args = ["diff", str(old), str(new), "--out", str(tmp_path / "out")]
    return CliRunner().invoke(cli, args)


def test_a_markdown_file_that_is_not_utf8_is_a_clear_error_naming_it(tmp_path):
    old, new = _edition(tmp_path, "v1"), _edition(tmp_path, "v2")
    (new / "manual" / "dr-plan.md").write_bytes("# 预案\n".encode("gb18030"))
    result = _diff(tmp_path, old, new)
    assert result.exit_code == EXIT_ERRORS, result.output
    assert f"ccdocs: {new / 'manual' / 'dr-plan.md'}: not UTF-8 text (byte 4)" in result.output


def test_a_pipe_named_like_a_document_is_refused_without_waiting(tmp_path):
    old, new = _edition(tmp_path, "v1"), _edition(tmp_path, "v2")
    os.mkfifo(new / "manual" / "training-syllabus.md")
    pipes = [new / "manual" / "training-syllabus.md"]
    outcome = finish_or_unblock(lambda: read_edition(new), pipes)
    assert str(outcome["error"]) == (
        f"{new / 'manual' / 'training-syllabus.md'}: not a regular file (a folder, link, device "
        "or pipe); remove it from the edition"
    )
    outcome = finish_or_unblock(lambda: edition_files(new), pipes)  # build --since fingerprints
    assert isinstance(outcome.get("error"), CcdocsError)
    result = finish_or_unblock(lambda: _diff(tmp_path, old, new), pipes)["value"]
    assert result.exit_code == EXIT_ERRORS


def test_a_folder_named_like_a_document_is_an_error_not_a_crash(tmp_path):
    old, new = _edition(tmp_path, "v1"), _edition(tmp_path, "v2")
    (new / "manual" / "notes.md").mkdir()
    result = _diff(tmp_path, old, new)
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "notes.md: not a regular file" in result.output


def test_links_leading_out_of_an_edition_are_never_followed(tmp_path):
    old, new = _edition(tmp_path, "v1"), _edition(tmp_path, "v2")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "dr-plan.md").write_text("# secret\n", encoding="utf-8")
    (new / "manual" / "dr-plan.md").unlink()
    (new / "manual" / "dr-plan.md").symlink_to(tmp_path / "secret" / "dr-plan.md")
    result = _diff(tmp_path, old, new)
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "dr-plan.md: a link leading out of the edition's folder" in result.output
    shutil.rmtree(new / "manual")
    (new / "manual").symlink_to(tmp_path / "secret")  # the whole folder
    with pytest.raises(CcdocsError, match="a link leading out of the edition's folder"):
        read_edition(new)


def test_an_edition_document_over_the_cap_is_refused_unread(tmp_path):
    new = _edition(tmp_path, "v2")
    with (new / "manual" / "dr-plan.md").open("wb") as f:
        f.truncate(32 * 1024 * 1024 + 1)
    with pytest.raises(CcdocsError, match="larger than 32 MiB"):
        read_edition(new)
