"""Page images of the printed documents, to look at them as a reader would, and what they measure.

Run: .venv/bin/python scripts/page_images.py [--out page-images] [--dpi 60] [PROFILE ...]

For each bundled profile (or the profiles given) in Chinese and English, ccdocs builds the DOCX
and the PDF; LibreOffice lays the DOCX out as a PDF (as a reader opening it would see it), and
poppler renders every page of both as PNG under ``<out>/<profile>.<lang>/<docx|pdf>/``. The script
then reports, per file, the page size and every word poppler finds outside the text block
(A4 less 18 mm each side): a table cut off at the page edge shows up here. It needs LibreOffice
and poppler-utils (``scripts/system-deps.sh test``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4  # points per millimetre
SIDE_MARGIN = 18 * MM  # the DOCX's and the PDF's left and right margins
LANGUAGES = ("zh", "en")
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
# Full-width punctuation a line may end (or start) with: its glyph box is a full em, its ink the
# first (or last) half or less, and both Typst and LibreOffice set it narrower at a line's end
# (start). Its box may reach up to 0.9 em beyond the text block; its ink does not.
_CLOSING = "，。、；：！？”’）》」』】〕…"
_OPENING = "“‘（《「『【〔"


@dataclass(frozen=True)
class Overflow:
    page: int  # 1-based
    x_min: float
    x_max: float
    text: str


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Width and height of every page, in points."""
    html = _bbox(pdf)
    return [
        (float(m[1]), float(m[2]))
        for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">', html)
    ]


def overflows(pdf: Path, margin: float = SIDE_MARGIN, tolerance: float = 1.0) -> list[Overflow]:
    """Every word of ``pdf`` that poppler finds left or right of the text block."""
    found = []
    for number, page in enumerate(_bbox(pdf).split("<page ")[1:], 1):
        width = float(re.search(r'width="([\d.]+)"', page)[1])  # type: ignore[index]
        for m in _WORD.finditer(page):
            x_min, x_max, text = float(m[1]), float(m[3]), m[5]
            em = float(m[4]) - float(m[2])
            before = 0.9 * em if text[:1] and text[0] in _OPENING else 0.0
            after = 0.9 * em if text[-1:] and text[-1] in _CLOSING else 0.0
            if x_min < margin - tolerance - before or x_max > width - margin + tolerance + after:
                found.append(Overflow(number, x_min, x_max, text))
    return found


def _bbox(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def office_pdfs(docx_files: list[Path], out: Path) -> list[Path]:
    """``docx_files`` laid out by LibreOffice as PDFs in ``out`` (one office run for all)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed: scripts/system-deps.sh test")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="page-images-office-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, docx_files),
        ]
        subprocess.run(command, capture_output=True, check=True, timeout=900)
    return [out / f"{path.stem}.pdf" for path in docx_files]


def render_pages(pdf: Path, out: Path, dpi: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    command = ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / pdf.stem)]
    subprocess.run(command, check=True)


def build(profile: Path, language: str, out: Path) -> Path:
    """The DOCX and PDF of ``profile`` in ``language``: its build/<org-id>/ folder."""
    command = [sys.executable, "-m", "generator", "build", str(profile), "--lang", language]
    command += ["--format", "docx,pdf", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profiles", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("page-images"))
    parser.add_argument("--dpi", type=int, default=60)
    options = parser.parse_args()
    profiles = options.profiles or sorted((ROOT / "org_profiles").glob("*.yaml"))
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        for profile in profiles:
            for language in LANGUAGES:
                name = f"{profile.stem}.{language}"
                built = build(profile, language, Path(tmp) / name)
                laid_out = office_pdfs(sorted((built / "docx").glob("*.docx")), Path(tmp) / "lo")
                pdfs = {"docx": laid_out, "pdf": sorted((built / "pdf").glob("*.pdf"))}
                for kind, files in pdfs.items():
                    for pdf in files:
                        render_pages(pdf, options.out / name / kind, options.dpi)
                        sizes = {f"{w / MM:.0f}×{h / MM:.0f} mm" for w, h in page_sizes(pdf)}
                        outside = overflows(pdf)
                        problems += len(outside)
                        print(f"{name} {kind} {pdf.stem}: {', '.join(sorted(sizes))}", end="")
                        print(f", {len(outside)} words outside the text block")
                        for word in outside[:5]:
                            print(f"    page {word.page}: {word.text!r} at {word.x_max:.0f} pt")
    print(f"page images in {options.out}/; {problems} words outside the text block")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
