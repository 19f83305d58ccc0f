"""Page numbers for a DOCX contents list, from a layout pass by LibreOffice when it is installed.

A contents field in a DOCX holds the text its reader shows until fields are updated. Word updates
it when asked; LibreOffice and WPS show it as it is. ccdocs fills it with the headings, and with
their page numbers when a real office layout of the very file is at hand: LibreOffice (headless)
lays the DOCX out as a PDF, and the PDF's outline says on which page each heading landed.

The numbers are LibreOffice's. Word lays out text with its own metrics and may move a heading to
the next page on a long document; the reader who wants Word's own numbers updates the field
(F9). Without LibreOffice the contents lists the headings without numbers and asks Word to fill
them when the document opens (LibreOffice and WPS then show the headings only).

``$CCDOCS_SOFFICE`` names the office program, or ``none`` to skip the pass.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from generator.errors import OutputError
from generator.locks import locked
from generator.user_cache import cache_root, write_atomically

TIMEOUT_SECONDS = 300
_SLOTS = 8  # office profiles in the user's cache: one per office run at a time


def office() -> str | None:
    """The LibreOffice program to lay documents out with, None when there is none (or it is
    turned off with CCDOCS_SOFFICE=none)."""
    chosen = os.environ.get("CCDOCS_SOFFICE", "")
    if chosen.lower() == "none":
        return None
    return shutil.which(chosen) if chosen else shutil.which("soffice")


@functools.cache
def office_identity() -> str:
    """What identifies the office program's layout: its path and its version file, "-" when
    there is none. A build's outputs depend on it, so it is part of the build's fingerprint."""
    program = office()
    if program is None:
        return "-"
    real = Path(program).resolve()
    h = hashlib.sha256(str(real).encode("utf-8"))
    for name in ("versionrc", "version.ini"):
        with contextlib.suppress(OSError):
            h.update((real.parent / name).read_bytes())
    return h.hexdigest()


def heading_pages(docx: Path, work: Path) -> list[tuple[int, str, int]] | None:
    """The headings of ``docx`` as LibreOffice lays it out: (level, text, page) in order, the
    page counted from the first as the footer's page field counts. None when there is no office
    program or the layout pass fails; the contents then goes without numbers. The same bytes
    are laid out once: the result is kept in the user's cache."""
    program = office()
    if program is None:
        return None
    try:
        key = hashlib.sha256(docx.read_bytes()).hexdigest()
    except OSError:
        return None
    remembered = cache_root() / "office-pages" / f"{office_identity()[:16]}-{key}.json"
    with contextlib.suppress(OSError, ValueError, TypeError):
        return [(int(a), str(b), int(c)) for a, b, c in json.loads(remembered.read_bytes())]
    pages = _laid_out(program, docx, work)
    if pages is not None:
        with contextlib.suppress(OSError):
            write_atomically(remembered, json.dumps(pages, ensure_ascii=False).encode("utf-8"))
    return pages


def _laid_out(program: str, docx: Path, work: Path) -> list[tuple[int, str, int]] | None:
    """The headings of ``docx`` and their pages, from a LibreOffice run; None when it fails."""
    work.mkdir(parents=True, exist_ok=True)
    with _profile() as profile:
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(docx),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
    pdf = work / f"{docx.stem}.pdf"
    try:
        return _outline(pdf)
    finally:
        with contextlib.suppress(OSError):
            pdf.unlink()


def _outline(pdf: Path) -> list[tuple[int, str, int]] | None:
    """The PDF's outline: (level, title, page) of each entry, in order."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import Destination

    found: list[tuple[int, str, int]] = []

    def walk(items: Sequence[object], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            elif isinstance(item, Destination):
                page = reader.get_destination_page_number(item)
                if page is None:
                    raise ValueError("an outline entry without a page")
                found.append((level, str(item.title or ""), page + 1))

    try:
        reader = PdfReader(pdf)
        walk(reader.outline, 1)
    except (OSError, PyPdfError, ValueError, KeyError):
        return None
    return found


@contextlib.contextmanager
def _profile() -> Iterator[Path]:
    """An office profile folder no other office run uses meanwhile: a free one of the user
    cache's slots (kept, so later runs start quicker), else a new one that is removed after."""
    folder = cache_root() / "office"
    with contextlib.ExitStack() as stack:
        for slot in range(_SLOTS):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                stack.enter_context(locked(folder / f"slot-{slot}.lock", OutputError("busy")))
            except OutputError:
                continue  # another office run has it
            except OSError:
                break  # no cache folder to keep profiles in
            yield folder / f"profile-{slot}"
            return
        yield Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ccdocs-office-")))
