"""Reproducible zip packages (DOCX, XLSX, the evidence pack): sorted entries, fixed timestamps.

The same content gives the same bytes, so checksums in a manifest stay meaningful.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
# Writes one entry's content into the open entry, block by block: a large file is never held
# in memory whole.
EntryWriter = Callable[[IO[bytes]], object]


def write_zip(
    path: Path, entries: Iterable[tuple[str, bytes | EntryWriter]], *, sort: bool = True
) -> Path:
    """Write ``entries`` (name, data or a writer of the data) into ``path`` with fixed timestamps
    and permissions; writers are called in entry order.

    Every name must be a safe relative path (see ``safe_entry_name``) and appear once, so no
    entry can land outside the folder it is extracted into, or overwrite another.
    """
    items = sorted(entries, key=lambda entry: entry[0]) if sort else list(entries)
    names = [name for name, _ in items]
    unsafe = [n for n in names if not safe_entry_name(n)]
    twice = sorted(n for n, count in Counter(names).items() if count > 1)
    if unsafe or twice:
        raise ValueError(f"unsafe or repeated zip entry names: {unsafe + twice}")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if isinstance(data, bytes):
                package.writestr(info, data)
            else:
                with package.open(info, "w") as stream:
                    data(stream)
    return path


def safe_entry_name(name: str) -> bool:
    """True for a relative POSIX path of plain parts: no "..", ".", empty part, drive or
    backslash, no control character (C0, DEL or C1)."""
    parts = name.split("/")
    return (
        bool(name)
        and not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\\" for c in name)
        and all(part not in ("", ".", "..") for part in parts)
        and not parts[0].endswith(":")
    )


def normalise_zip(path: Path) -> Path:
    """Rewrite an existing package (keeping its entry order) with fixed timestamps."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    return write_zip(path, entries, sort=False)
