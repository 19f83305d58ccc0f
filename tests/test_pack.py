"""The evidence pack: reproducible to the byte, and verify names what changed."""

from __future__ import annotations

import json
import zipfile

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
