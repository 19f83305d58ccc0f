"""Reproducible zip packages (DOCX, XLSX, the evidence pack): sorted entries, fixed timestamps.

The same content gives the same bytes, so checksums in a manifest stay meaningful.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]], *, sort: bool = True) -> Path:
    """Write ``entries`` (name, data) into ``path`` with fixed timestamps and permissions."""
    items = sorted(entries) if sort else list(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)
    return path


def normalise_zip(path: Path) -> Path:
    """Rewrite an existing package (keeping its entry order) with fixed timestamps."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    return write_zip(path, entries, sort=False)
