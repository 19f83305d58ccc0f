"""`ccdocs verify` on hostile packs: never "every file matches" for what an extractor would not
reproduce, never a whole entry in memory, and a malformed pack is an input error (exit 1)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import struct
import threading
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.audit.pack import MANIFEST, PackEntry, verify_pack, write_pack
from generator.cli import EXIT_ERRORS, cli

HELLO = b"hello, auditor\n"


def _manifest(files: dict[str, bytes]) -> bytes:
    listed = [
        {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for name, data in files.items()
    ]
    return json.dumps({"schema": "ccdocs-evidence-manifest/1", "files": listed}).encode()


def _zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a repeated name: that is the point
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for name, data in entries:
                package.writestr(name, data)
    return path


def _verify_cli(pack: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", str(pack)])
    return result.exit_code, result.output


def test_an_intact_pack_matches(tmp_path):
    entry = PackEntry("documents/a.md", HELLO, "document", "A", None, ())
    pack = write_pack(tmp_path / "p.zip", [entry], organization={"id": "x"}, collected=None)
    assert verify_pack(pack) == []
    code, output = _verify_cli(pack)
    assert code == 0 and "every file matches the manifest" in output


def test_a_repeated_entry_name_never_passes(tmp_path):
    pack = _zip(
        tmp_path / "p.zip",
        [
            ("a.txt", b"what one extractor keeps"),
            ("a.txt", HELLO),
            (MANIFEST, _manifest({"a.txt": HELLO})),
        ],
    )
    assert verify_pack(pack) == ["a.txt: appears 2 times in the pack"]
    code, output = _verify_cli(pack)
    assert code == EXIT_ERRORS and "every file matches" not in output
    assert f"{pack}: 1 problems" in output


def test_a_repeated_manifest_never_passes(tmp_path):
    manifest = _manifest({"a.txt": HELLO})
    pack = _zip(tmp_path / "p.zip", [("a.txt", HELLO), (MANIFEST, manifest), (MANIFEST, manifest)])
    assert verify_pack(pack) == ["manifest.json: appears 2 times in the pack"]


def test_a_symbolic_link_entry_never_passes(tmp_path):
    link = zipfile.ZipInfo("evidence/drill.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    target = b"../../../../etc/passwd"
    pack = _zip(
        tmp_path / "p.zip", [(link, target), (MANIFEST, _manifest({link.filename: target}))]
    )
    assert verify_pack(pack) == ["evidence/drill.md: a symbolic link, not a plain file"]
    code, output = _verify_cli(pack)
    assert code == EXIT_ERRORS and "every file matches" not in output


def test_a_device_or_folder_entry_never_passes(tmp_path):
    device = zipfile.ZipInfo("a.txt")
    device.external_attr = (stat.S_IFCHR | 0o644) << 16
    pack = _zip(tmp_path / "p.zip", [(device, HELLO), (MANIFEST, _manifest({"a.txt": HELLO}))])
    assert verify_pack(pack) == ["a.txt: a folder or special file, not a plain file"]


def _patch(data: bytes, name: str, central: int, local: int | None, value: bytes) -> bytes:
    """``data`` with ``value`` written at ``central`` bytes into the central-directory header of
    ``name`` (and at ``local`` bytes into its local header)."""
    out = bytearray(data)
    encoded = name.encode()
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(encoded)] != encoded:
        at = data.index(b"PK\x01\x02", at + 4)
    out[at + central : at + central + len(value)] = value
    if local is not None:
        (offset,) = struct.unpack("<I", data[at + 42 : at + 46])
        out[offset + local : offset + local + len(value)] = value
    return bytes(out)


def test_an_entry_declaring_more_than_the_cap_is_not_read(tmp_path):
    declared = 300 * 1024 * 1024
    manifest = json.dumps(
        {"files": [{"path": "big.bin", "size": declared, "sha256": "0" * 64}]}
    ).encode()
    data = _zip(tmp_path / "p.zip", [("big.bin", b"\0" * 1000), (MANIFEST, manifest)]).read_bytes()
    size = struct.pack("<I", declared)
    (tmp_path / "p.zip").write_bytes(_patch(data, "big.bin", 24, 22, size))
    assert verify_pack(tmp_path / "p.zip") == [
        "big.bin: larger than 256 MiB; not read (a zip bomb?)"
    ]


def test_entries_are_hashed_in_blocks_not_read_whole(tmp_path):
    size = 64 * 1024 * 1024
    zeros = b"\0" * size
    pack = _zip(tmp_path / "p.zip", [("big.bin", zeros), (MANIFEST, _manifest({"big.bin": zeros}))])
    del zeros
    tracemalloc.start()
    try:
        problems = verify_pack(pack)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == []
    assert peak < size // 4


def test_an_entry_holding_more_than_it_declares_is_cut_off(tmp_path):
    zeros = b"\0" * (1024 * 1024)
    manifest = json.dumps({"files": [{"path": "a.bin", "size": 10, "sha256": "0" * 64}]})
    data = _zip(tmp_path / "p.zip", [("a.bin", zeros), (MANIFEST, manifest.encode())]).read_bytes()
    (tmp_path / "p.zip").write_bytes(_patch(data, "a.bin", 24, 22, struct.pack("<I", 10)))
    [problem] = verify_pack(tmp_path / "p.zip")
    assert problem.startswith("a.bin: unreadable (Bad CRC-32")


# -- malformed packs: exit 1 naming the pack, never an internal error -----------------------


def _valid(tmp_path: Path) -> bytes:
    text = HELLO * 50
    entries = [("a.txt", text), (MANIFEST, _manifest({"a.txt": text}))]
    return _zip(tmp_path / "valid.zip", entries).read_bytes()


def _corrupt_deflate(tmp_path: Path) -> bytes:
    data = _valid(tmp_path)
    with zipfile.ZipFile(tmp_path / "valid.zip") as package:
        info = package.getinfo("a.txt")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    return data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size :]


def _manifest_entry(text: bytes) -> Callable[[Path], bytes]:
    """A pack of one intact file whose manifest is ``text``."""
    return lambda tmp_path: _zip(
        tmp_path / "m.zip", [("a.txt", HELLO), (MANIFEST, text)]
    ).read_bytes()


MALFORMED = {
    "not-a-zip": lambda tmp_path: b"this is not a zip file\n",
    "empty": lambda tmp_path: b"",
    "truncated": lambda tmp_path: _valid(tmp_path)[: len(_valid(tmp_path)) // 2],
    "truncated-end": lambda tmp_path: _valid(tmp_path)[:-10],
    "corrupt-deflate": _corrupt_deflate,
    "unknown-compression": lambda tmp_path: _patch(
        _valid(tmp_path), "a.txt", 10, None, struct.pack("<H", 99)
    ),
    "encrypted-entry": lambda tmp_path: _patch(
        _valid(tmp_path), "a.txt", 8, None, struct.pack("<H", 1)
    ),
    "manifest-not-json": _manifest_entry(b"{"),
    "manifest-not-utf8": _manifest_entry(b'{"files": "\xff\xfe"}'),
    "manifest-deeply-nested": _manifest_entry(b"[" * 100_000 + b"]" * 100_000),
    "manifest-a-list": _manifest_entry(b"[]"),
    "manifest-files-a-number": _manifest_entry(b'{"files": 5}'),
    "manifest-files-a-mapping": _manifest_entry(b'{"files": {"a.txt": 1}}'),
    "manifest-size-overflows": _manifest_entry(
        b'{"files": [{"path": "a.txt", "size": 1e400, "sha256": "x"}]}'
    ),
    "manifest-size-too-many-digits": _manifest_entry(
        b'{"files": [{"path": "a.txt", "size": ' + b"9" * 5000 + b', "sha256": "x"}]}'
    ),
    "manifest-path-not-text": _manifest_entry(
        b'{"files": [{"path": ["a.txt"], "size": 1, "sha256": "x"}]}'
    ),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_pack_is_an_input_error_naming_the_pack(tmp_path, kind):
    pack = tmp_path / "evidence-pack.zip"
    pack.write_bytes(MALFORMED[kind](tmp_path))
    problems = verify_pack(pack)
    assert problems
    code, output = _verify_cli(pack)
    assert code == EXIT_ERRORS, output
    assert f"{pack}: " in output and "internal error" not in output


def test_a_pack_that_is_a_pipe_is_refused_without_waiting(tmp_path):
    pack = tmp_path / "evidence-pack.zip"
    os.mkfifo(pack)
    outcome: dict[str, object] = {}
    thread = threading.Thread(target=lambda: outcome.update(v=verify_pack(pack)), daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():
        with contextlib.suppress(OSError):
            os.close(os.open(pack, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail("verify waited on a pipe")
    assert outcome["v"] == [
        f"{pack}: not a readable zip ({pack} is not a regular file); "
        "give an evidence pack that ccdocs wrote"
    ]


@pytest.mark.parametrize("name", ["a\x7fb.txt", "a\x9b31mb.txt", "a\x1bb.txt"])
def test_an_entry_name_with_a_control_character_never_passes(tmp_path, name):
    pack = _zip(tmp_path / "p.zip", [(name, HELLO), (MANIFEST, _manifest({name: HELLO}))])
    assert verify_pack(pack) == [f"{name}: unsafe entry name"]
