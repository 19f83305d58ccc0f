"""The evidence pack: reproducible to the byte, and verify names what changed."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner
from conftest import bundled

from generator.audit.pack import verify_pack
from generator.build import build_evidence_pack
from generator.cli import EXIT_ERRORS, cli
from generator.publish.package import write_zip


def _pack(tmp_path, name, catalog):
    return build_evidence_pack(bundled("water-utility"), tmp_path / name, catalog=catalog)


def test_the_same_inputs_give_a_byte_identical_pack(tmp_path, catalog):
    first, second = _pack(tmp_path, "a", catalog), _pack(tmp_path, "b", catalog)
    assert first.read_bytes() == second.read_bytes()


def test_the_manifest_lists_every_file_with_hash_dates_and_requirements(tmp_path, catalog):
    pack = _pack(tmp_path, "a", catalog)
    with zipfile.ZipFile(pack) as package:
        manifest = json.loads(package.read("manifest.json"))
        names = set(package.namelist())
    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) == names - {"manifest.json"}
    drill = files["evidence/water-utility/drill-2024.md"]
    assert drill["effective_date"] == "2024-09-20" and drill["collected_date"] == "2026-03-31"
    assert "cc-cmm-oc-2011/24" in drill["requirements"]
    assert files["forms/drill-record.md"]["requirements"] == ["cc-cmm-oc-2011/24"]
    assert {
        "documents/docx/operations-manual.docx",
        "documents/pdf/dr-plan.pdf",
        "audit/audit.xlsx",
        "index.html",
    } <= names
    assert verify_pack(pack) == []


def test_changing_one_byte_makes_verify_fail_and_name_the_file(tmp_path, catalog):
    pack = _pack(tmp_path, "a", catalog)
    with zipfile.ZipFile(pack) as package:
        entries = [(n, package.read(n)) for n in package.namelist()]
    tampered = [
        (n, d[:-1] + bytes([d[-1] ^ 1]) if n == "evidence/water-utility/drill-2024.md" else d)
        for n, d in entries
    ]
    write_zip(pack, tampered)
    assert verify_pack(pack) == [
        "evidence/water-utility/drill-2024.md: changed (sha256 does not match the manifest)"
    ]
    result = CliRunner().invoke(cli, ["verify", str(pack)])
    assert result.exit_code == EXIT_ERRORS
    assert "drill-2024.md: changed" in result.output


def test_verify_reports_missing_and_extra_files(tmp_path, catalog):
    pack = _pack(tmp_path, "a", catalog)
    with zipfile.ZipFile(pack) as package:
        entries = [(n, package.read(n)) for n in package.namelist() if n != "index.html"]
    write_zip(pack, [*entries, ("extra.txt", b"x")])
    assert verify_pack(pack) == [
        "index.html: missing from the pack",
        "extra.txt: not in the manifest",
    ]


def test_a_missing_evidence_file_is_a_gap_not_a_crash(tmp_path, catalog):
    folder = tmp_path / "center"
    folder.mkdir()
    text = bundled("water-utility").read_text(encoding="utf-8")
    (folder / "water.yaml").write_text(text, encoding="utf-8")  # no evidence files beside it
    pack = build_evidence_pack(folder / "water.yaml", tmp_path / "out", catalog=catalog)
    with zipfile.ZipFile(pack) as package:
        assert not [n for n in package.namelist() if n.startswith("evidence/")]
        report = json.loads(package.read("audit/gap-report.json"))
    assert report["summary"]["partial"] > 3


def test_no_entry_can_escape_on_extraction(tmp_path, catalog):
    """Evidence named in awkward ways still gives one safe, distinct entry per file."""
    folder = tmp_path / "center"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "drill.md").write_text("in evidence/\n", encoding="utf-8")
    (folder / "drill.md").write_text("beside the profile\n", encoding="utf-8")
    records = [
        ("r1", "evidence/drill.md"),
        ("r2", "./evidence//drill.md"),  # the same file, spelt differently
        ("r3", "drill.md"),  # another file that would take the same short name
        ("r4", "evidence\\drill.md"),
    ]
    lines = [
        "organization: {id: awkward, name: Awkward}",
        "assessment_date: 2026-03-01",
        "records:",
        *(
            f"  - {{id: {i}, kind: emergency-test-record, date: 2026-01-10, file: '{f}'}}"
            for i, f in records
        ),
    ]
    (folder / "p.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pack = build_evidence_pack(folder / "p.yaml", tmp_path / "out", catalog=catalog)
    with zipfile.ZipFile(pack) as package:
        names = package.namelist()
        evidence = {n: package.read(n) for n in names if n.startswith("evidence/")}
        package.extractall(tmp_path / "x")
    assert evidence == {
        "evidence/_/drill.md": b"beside the profile\n",
        "evidence/_/evidence/drill.md": b"in evidence/\n",
    }
    assert len(names) == len(set(names))
    extracted = {p.resolve() for p in (tmp_path / "x").rglob("*")}
    assert all(p.is_relative_to((tmp_path / "x").resolve()) for p in extracted)
    assert verify_pack(pack) == []


@pytest.mark.parametrize(
    "name", ["../x", "/etc/x", "a/../../x", "a\\..\\x", "C:/x", "a//b", "./a", "", "a\x00b"]
)
def test_unsafe_entry_names_are_never_written(tmp_path, name):
    with pytest.raises(ValueError, match="unsafe"):
        write_zip(tmp_path / "p.zip", [(name, b"x")])


def test_verify_survives_a_hostile_pack(tmp_path):
    pack = tmp_path / "p.zip"
    with zipfile.ZipFile(pack, "w") as package:
        package.writestr("../escape.txt", b"x")
        package.writestr("manifest.json", b'{"files": [{"path": 1}]}')
    assert verify_pack(pack) == [
        "../escape.txt: unsafe entry name",
        "manifest.json: unreadable ('size')",
    ]
    result = CliRunner().invoke(cli, ["verify", str(pack)])
    assert result.exit_code == EXIT_ERRORS
