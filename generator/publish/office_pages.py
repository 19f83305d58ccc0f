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

TIMEOUT_SECONDS = 300  # a document's layout at most
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


Pages = list[tuple[int, str, int]]


def heading_pages_all(documents: Sequence[Path], work: Path) -> list[Pages | None]:
    """The headings of each of ``documents`` as LibreOffice lays it out: (level, text, page) in
    order, the page counted from the first as the footer's page field counts; None when there
    is no office program or the layout pass fails (the contents then goes without numbers).

    One office run lays them all out: starting LibreOffice costs about as much as laying out
    one of ccdocs' documents. The same bytes are laid out once: each result is kept in the
    user's cache."""
    program = office()
    if program is None:
        return [None] * len(documents)
    found: list[Pages | None] = []
    remembered: list[Path | None] = []
    for docx in documents:
        try:
            key = hashlib.sha256(docx.read_bytes()).hexdigest()
        except OSError:
            found.append(None)
            remembered.append(None)
            continue
        kept = cache_root() / "office-pages" / f"{office_identity()[:16]}-{key}.json"
        remembered.append(kept)
        pages = None
        with contextlib.suppress(OSError, ValueError, TypeError):
            pages = [(int(a), str(b), int(c)) for a, b, c in json.loads(kept.read_bytes())]
        found.append(pages)
    missing = [i for i, kept in enumerate(remembered) if kept is not None and found[i] is None]
    laid_out = _laid_out(program, [documents[i] for i in missing], work)
    for i, pages in zip(missing, laid_out, strict=True):
        found[i] = pages
        place = remembered[i]
        if pages is not None and place is not None:
            with contextlib.suppress(OSError):
                write_atomically(place, json.dumps(pages, ensure_ascii=False).encode("utf-8"))
    return found


def _laid_out(program: str, documents: Sequence[Path], work: Path) -> list[Pages | None]:
    """The headings of each of ``documents`` and their pages, from one LibreOffice run; None
    for a document it could not lay out."""
    if not documents:
        return []
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
            *(str(docx) for docx in documents),
        ]
        try:
            limit = TIMEOUT_SECONDS * len(documents)
            subprocess.run(command, capture_output=True, timeout=limit, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return [None] * len(documents)
    found = []
    for docx in documents:
        pdf = work / f"{docx.stem}.pdf"
        found.append(_outline(pdf))
        with contextlib.suppress(OSError):
            pdf.unlink()
    return found


def _outline(pdf: Path) -> Pages | None:
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


def _busy() -> OutputError:
    return OutputError("busy")  # caught below: another office run has the slot


@contextlib.contextmanager
def _profile() -> Iterator[Path]:
    """An office profile folder no other office run uses meanwhile: a free one of the user
    cache's slots (kept, so later runs start quicker), else a new one that is removed after."""
    folder = cache_root() / "office"
    with contextlib.ExitStack() as stack:
        for slot in range(_SLOTS):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                stack.enter_context(locked(folder / f"slot-{slot}.lock", _busy))
            except OutputError:
                continue  # another office run has it
            except OSError:
                break  # no cache folder to keep profiles in
            yield folder / f"profile-{slot}"
            return
        yield Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ccdocs-office-")))
