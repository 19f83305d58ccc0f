"""Evidence names in the pack: one entry per file, never two files under one name, and names
that cannot be entry names are errors in the profile (exit 1), never an internal error."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.audit.pack import verify_pack
from generator.build import build_evidence_pack
from generator.cli import EXIT_ERRORS, EXIT_OK, cli


def _record(number: int, file: str) -> str:
    return (
        f"  - {{id: r{number}, kind: emergency-test-record, date: 2026-01-1{number}, "
        f"file: {file}}}\n"
    )


def _profile(folder: Path, files: list[str], head: str = "") -> Path:
    text = head or "organization: {id: names, name: Names}\nassessment_date: 2026-03-01\n"
    text += "records:\n" + "".join(_record(i, f) for i, f in enumerate(files, 1))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "p.yaml").write_text(text, encoding="utf-8")
    return folder / "p.yaml"


def _evidence(tmp_path: Path, pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as package:
        return {n: package.read(n) for n in package.namelist() if n.startswith("evidence/")}


def test_a_short_name_never_meets_the_long_name_of_another_file(tmp_path, catalog):
    """drill.md and evidence/drill.md both shorten to drill.md, so both take the long form,
    evidence/_/drill.md; a third file really named evidence/_/drill.md keeps its own entry."""
    folder = tmp_path / "center"
    for path in ("drill.md", "evidence/drill.md", "evidence/_/drill.md"):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(f"{path}\n", encoding="utf-8")
    profile = _profile(folder, ["drill.md", "evidence/drill.md", "evidence/_/drill.md"])
    pack = build_evidence_pack(profile, tmp_path / "out", catalog=catalog)
    assert _evidence(tmp_path, pack) == {
        "evidence/_/drill.md": b"drill.md\n",
        "evidence/_/evidence/drill.md": b"evidence/drill.md\n",
        "evidence/_/evidence/_/drill.md": b"evidence/_/drill.md\n",
    }
    assert verify_pack(pack) == []


@pytest.mark.parametrize("name", ["a\tb.md", "a\nb.md", "esc\x1b[31mred.md", "del\x7f.md"])
def test_an_evidence_name_with_a_control_character_is_a_located_error(tmp_path, name):
    folder = tmp_path / "center"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / name).write_text("drill\n", encoding="utf-8")
    written = '"evidence/' + name.encode("unicode_escape").decode("ascii") + '"'
    profile = _profile(folder, [written])
    result = CliRunner().invoke(cli, ["evidence", str(profile), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_ERRORS, result.output
    assert f"{profile}:4:" in result.output
    assert "has a control character (a tab, line break or escape) in it" in result.output
    assert "rename the file without it, and write the new name here" in result.output
    assert not (tmp_path / "out" / "names" / "evidence-pack.zip").exists()


def _layered(tmp_path: Path, same_folder: bool) -> Path:
    """A client profile extending a group base, kept in the same folder or in group/ below it."""
    client = tmp_path / "client"
    base = client if same_folder else client / "group"
    for folder, text in ((base, "base drill\n"), (client, "client drill\n")):
        (folder / "evidence").mkdir(parents=True, exist_ok=True)
        (folder / "evidence" / "drill.md").write_text(text, encoding="utf-8")
    _profile(base, ["evidence/drill.md"])
    (base / "p.yaml").rename(base / "base.yaml")
    extends = "extends: base.yaml\n" if same_folder else "extends: group/base.yaml\n"
    text = extends + "records:\n" + _record(2, "evidence/drill.md")
    (client / "client.yaml").write_text(text, encoding="utf-8")
    return client / "client.yaml"


def test_one_path_naming_different_files_in_two_layers_is_an_error(tmp_path):
    profile = _layered(tmp_path, same_folder=False)
    result = CliRunner().invoke(cli, ["evidence", str(profile), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_ERRORS, result.output
    assert (
        f"{tmp_path / 'client' / 'group' / 'base.yaml'}:4:67: /records/0/file: evidence path "
        "'evidence/drill.md' names two different files, one beside this profile and one beside "
        "a profile it extends or that extends it (give the two files different names)"
    ) in result.output


def test_one_path_naming_one_file_from_two_layers_is_one_entry(tmp_path, catalog):
    profile = _layered(tmp_path, same_folder=True)
    result = CliRunner().invoke(cli, ["evidence", str(profile), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_OK, result.output
    pack = tmp_path / "out" / "names" / "evidence-pack.zip"
    assert _evidence(tmp_path, pack) == {"evidence/drill.md": b"client drill\n"}
