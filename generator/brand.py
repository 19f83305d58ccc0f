"""A consultant's branding: company name, logo and colours for covers, headers and the site.

A branding folder holds ``brand.yaml`` (checked against site/brand.schema.yaml, every error
located) and, optionally, ``templates/``, whose files override the shipped templates by relative
path. What the brand file leaves out comes from the shipped look, site/brand.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.bundled import bundled_dir
from generator.errors import Finding, Location, ProfileError
from generator.profile import read_profile

BRAND_FILE = "brand.yaml"


@dataclass(frozen=True)
class Brand:
    """The look applied to every output format."""

    primary: str
    accent: str
    company: str = ""
    logo: Path | None = None
    templates: Path | None = None  # the branding folder's template overrides

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
    """The brand of ``folder`` (None: the shipped look). ProfileError with located findings."""
    if folder is None:
        return default_brand()
    path = folder / BRAND_FILE
    templates = folder / "templates"
    if not path.is_file():
        if templates.is_dir():  # a folder of template overrides only
            return _with_templates(default_brand(), templates)
        raise ProfileError(
            [
                Finding(
                    Location(path),
                    "no brand.yaml in the branding folder",
                    "error",
                    "write brand.yaml (company, logo, colours) or a templates/ folder",
                )
            ]
        )
    from generator.render import without_controls  # only a brand folder needs these
    from generator.validate import schema_errors

    brand = read_profile(path)
    schema = yaml.safe_load((bundled_dir("site") / "brand.schema.yaml").read_text("utf-8"))
    errors = schema_errors(brand, schema)
    data = brand.data if isinstance(brand.data, dict) else {}
    logo = None
    if not errors and data.get("logo"):
        logo, problem = _logo(folder, data["logo"])
        if problem:
            errors.append(Finding(brand.locate("/logo"), problem[0], "error", problem[1]))
    if errors:
        raise ProfileError(errors)
    colours = {**_shipped()["colours"], **data.get("colours", {})}
    result = Brand(
        primary=colours["primary"].upper(),
        accent=colours["accent"].upper(),
        company=without_controls(data.get("company", "")),
        logo=logo,
    )
    return _with_templates(result, templates) if templates.is_dir() else result


def _with_templates(brand: Brand, templates: Path) -> Brand:
    return replace(brand, templates=templates.resolve())


def _logo(folder: Path, written: str) -> tuple[Path | None, tuple[str, str] | None]:
    relative = PurePosixPath(written.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts:
        return None, (f"logo '{written}' leaves the branding folder", "use a path inside it")
    root = folder.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        return None, (f"logo '{written}' leads out of the branding folder", "copy the file in")
    if not path.is_file():
        return None, (f"logo file '{written}' not found", "check the path, relative to brand.yaml")
    with path.open("rb") as f:
        head = f.read(8)
    if not head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return None, (f"logo '{written}' is not a PNG or JPEG image", "save the logo as PNG")
    return path, None


def brand_files(brand: Brand) -> list[Path]:
    """Every file the brand reads, for the fingerprint of a build."""
    files = [brand.logo] if brand.logo else []
    if brand.templates:
        files += sorted(p for p in brand.templates.rglob("*") if p.is_file())
    return files
