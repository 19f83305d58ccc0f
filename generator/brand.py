"""A consultant's branding: company name, logo and colours for covers, headers and the site.

A branding folder holds ``brand.yaml`` (checked against site/brand.schema.yaml, every error
located) and, optionally, ``templates/``, whose files override the shipped templates by relative
path. What the brand file leaves out comes from the shipped look, site/brand.yaml.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.bundled import bundled_dir
from generator.errors import Finding, Location, ProfileError
from generator.evidence import FileRefused, read_inside
from generator.messages import finding
from generator.profile import MAX_BYTES, Profile, parse_profile

BRAND_FILE = "brand.yaml"  # read like a profile: at most profile.MAX_BYTES
MAX_LOGO_BYTES = 8 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000  # 5000 x 5000: a cover logo is printed 4 cm wide
MAX_TEMPLATE_BYTES = MAX_BYTES  # each file under templates/, like a profile or a label file
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Brand:
    """The look applied to every output format."""

    primary: str
    accent: str
    company: str = ""
    logo: Path | None = None  # where the logo was read from; its suffix names its type
    templates: Path | None = None  # the branding folder's template overrides
    # The logo as read and checked at load: outputs take these bytes, never the file again.
    logo_data: bytes = field(default=b"", repr=False)
    logo_sha256: str = ""  # in the repr, so the build fingerprint covers the logo

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        return (self.templates,) if self.templates else ()


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (bundled_dir("site") / BRAND_FILE).read_text(encoding="utf-8")
    )
    return data


def default_brand() -> Brand:
    """The shipped look: no company, no logo, the default colours."""
    colours = _shipped()["colours"]
    return Brand(primary=colours["primary"], accent=colours["accent"])


def load_brand(folder: Path | None) -> Brand:
    """The brand of ``folder`` (None: the shipped look). ProfileError with located findings.

    Every file is read like evidence (see ``generator.evidence``): a regular file inside the
    folder, never a link leading out, a pipe or a device, and never more than its limit.
    """
    if folder is None:
        return default_brand()
    path = folder / BRAND_FILE
    templates = folder / "templates"
    problems = _template_findings(folder, templates)
    if not os.path.lexists(path):
        if problems or not templates.is_dir():
            raise ProfileError(problems or [_no_brand_file(path)])
        return _with_templates(default_brand(), templates)  # template overrides only
    brand = _read_brand_file(path)
    data = brand.data if isinstance(brand.data, dict) else {}
    errors, logo = _brand_errors(brand, folder)
    if errors or problems:
        raise ProfileError(errors + problems)
    from generator.render import without_controls  # only a brand folder needs it

    colours = {**_shipped()["colours"], **data.get("colours", {})}
    result = Brand(
        primary=colours["primary"].upper(),
        accent=colours["accent"].upper(),
        company=without_controls(data.get("company", "")),
        logo=_logo_path(folder, data["logo"]) if logo else None,
        logo_data=logo,
        logo_sha256=hashlib.sha256(logo).hexdigest() if logo else "",
    )
    return _with_templates(result, templates) if templates.is_dir() else result


def _no_brand_file(path: Path) -> Finding:
    return finding(Location(path), "brand.no-file")


def _read_brand_file(path: Path) -> Profile:
    """brand.yaml, read through one descriptor and parsed like a profile."""
    try:
        data = read_inside(path.parent, PurePosixPath(path.name), MAX_BYTES)
        return parse_profile(data.decode("utf-8"), path)
    except FileRefused as e:
        problem = finding(Location(path), f"brand.file-{e.status}", size=MAX_BYTES // 1024 // 1024)
    except UnicodeDecodeError:
        problem = finding(Location(path), "brand.not-utf8")
    except OSError as e:
        problem = finding(Location(path), "brand.unreadable", reason=e.strerror or e)
    raise ProfileError([problem])


def _brand_errors(brand: Profile, folder: Path) -> tuple[list[Finding], bytes]:
    """Schema errors of brand.yaml, else a problem with its logo; the logo's bytes."""
    from generator.validate import schema_errors

    schema = yaml.safe_load((bundled_dir("site") / "brand.schema.yaml").read_text("utf-8"))
    errors = schema_errors(brand, schema)
    data = brand.data if isinstance(brand.data, dict) else {}
    if errors or not data.get("logo"):
        return errors, b""
    logo, problem = _read_logo(folder, data["logo"])
    if problem:
        code, args = problem
        return [finding(brand.locate("/logo"), code, logo=data["logo"], **args)], b""
    return [], logo


def _with_templates(brand: Brand, templates: Path) -> Brand:
    return replace(brand, templates=templates.resolve())


def _logo_path(folder: Path, written: str) -> Path:
    return Path(os.path.realpath(folder / PurePosixPath(written.replace("\\", "/"))))


Problem = tuple[str, dict[str, Any]]  # a message code of the logo, and its arguments


def _read_logo(folder: Path, written: str) -> tuple[bytes, Problem | None]:
    """The bytes of the logo ``written`` in brand.yaml, or what is wrong with it."""
    relative = PurePosixPath(written.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or _CONTROL.search(written):
        return b"", ("brand.logo-leaves", {})
    try:
        data = read_inside(folder, relative, MAX_LOGO_BYTES)
    except FileNotFoundError:
        return b"", ("brand.logo-not-found", {})
    except FileRefused as e:
        return b"", (f"brand.logo-{e.status}", {"size": MAX_LOGO_BYTES // 1024 // 1024})
    except OSError as e:
        return b"", ("brand.logo-unreadable", {"reason": e.strerror or e})
    return data, _image_problem(data)


def _image_problem(data: bytes) -> Problem | None:
    """None when ``data`` is a PNG or JPEG image every output format can show."""
    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return ("brand.logo-not-image", {})
    # Imported only when there is a logo: most builds have none, and these imports are slow.
    from docx.image.image import Image as DocxImage
    from PIL import Image

    try:
        with _strict_decoding(), Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as image:
            if image.width * image.height > MAX_LOGO_PIXELS:
                return ("brand.logo-pixels", {"pixels": f"{MAX_LOGO_PIXELS:,}"})
            image.load()  # every byte decoded: a damaged image fails here, not in a build
        DocxImage.from_blob(data)  # what the Word cover needs of its header
    except _bad_image() as e:
        return ("brand.logo-damaged", {"reason": str(e) or type(e).__name__})
    return None


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow refusing truncated images and decompression bombs while a logo is checked.

    Pillow's switch for truncated images is process-wide: whichever library in the process set
    it, a logo is checked strictly.
    """
    from PIL import Image, ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _bad_image() -> tuple[type[BaseException], ...]:
    """What Pillow and python-docx raise on a damaged image: truncated or corrupt data, bad
    headers."""
    from docx.image.exceptions import (
        InvalidImageStreamError,
        UnexpectedEndOfFileError,
        UnrecognizedImageError,
    )
    from PIL import Image

    return (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        KeyError,
        struct.error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        InvalidImageStreamError,
        UnexpectedEndOfFileError,
        UnrecognizedImageError,
    )


def _template_findings(folder: Path, templates: Path) -> list[Finding]:
    """Errors for what the template folder holds that must not be read: links leading out of it,
    pipes, devices and sockets, files over ``MAX_TEMPLATE_BYTES``."""
    if not os.path.lexists(templates):
        return []
    base = Path(os.path.realpath(templates))
    if not base.is_relative_to(os.path.realpath(folder)):
        return [finding(Location(templates), "brand.templates-outside")]
    findings = []
    for current, folders, files in os.walk(templates):  # links to folders are not walked into
        for name in (*folders, *files):
            problem = _template_problem(base, Path(current) / name)
            if problem:
                size = MAX_TEMPLATE_BYTES // 1024 // 1024
                findings.append(finding(Location(Path(current) / name), problem, size=size))
    return findings


def _template_problem(base: Path, path: Path) -> str:
    if not Path(os.path.realpath(path)).is_relative_to(base):
        return "brand.template-outside"
    try:
        info = path.stat()
    except OSError:  # a dangling link or a loop: no template is found there
        return ""
    if stat.S_ISDIR(info.st_mode):
        return ""
    if not stat.S_ISREG(info.st_mode):
        return "brand.template-special"
    if info.st_size > MAX_TEMPLATE_BYTES:
        return "brand.template-large"
    return ""


def brand_files(brand: Brand) -> list[Path]:
    """Every file the brand reads at build time, for the fingerprint of a build.

    The logo is not among them: it was read at load, and ``logo_sha256`` stands for it.
    """
    if not brand.templates:
        return []
    return sorted(p for p in brand.templates.rglob("*") if p.is_file())
