"""The command tells what stops it in the user's language: a branding folder's and a check-docs
map's findings, the errors shown as ``ccdocs: ...`` and what ``ccdocs verify`` finds; chosen with
--lang, else the profile's language, else the locale's (C in the tests: English)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import EXIT_ERRORS, EXIT_OUTPUT, cli
from generator.errors import Location, OutputError, ProfileError
from generator.messages import catalogue, error, finding, told_error
from generator.publish.package import write_zip

ZH = """organization:
  id: demo
  name: 示例中心
  language: zh
"""


def _run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_bad_brand_folder_is_told_in_the_profiles_language(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(ZH, encoding="utf-8")
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "brand.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    (brand / "logo.png").write_bytes(b"GIF89a")  # not what its name says
    build = ["build", profile, "--brand", brand, "--out", tmp_path / "out", "--format", "md"]
    code, output = _run(*build)
    assert code == EXIT_ERRORS
    assert f"{brand / 'brand.yaml'}:1:7: /logo: 标志 'logo.png' 不是 PNG 或 JPEG 图片" in output
    assert "请将标志另存为 PNG 格式" in output and "1 个错误；未写出任何文件" in output
    code, output = _run(*build, "--lang", "en")
    assert "/logo: logo 'logo.png' is not a PNG or JPEG image (save the logo as PNG)" in output
    (brand / "brand.yaml").unlink()
    code, output = _run(*build)
    assert code == EXIT_ERRORS and "品牌文件夹中没有 brand.yaml" in output
    assert not (tmp_path / "out").exists()


def test_a_bad_check_docs_map_is_told_in_the_language_chosen(tmp_path):
    folder = tmp_path / "received"
    folder.mkdir()
    bad = tmp_path / "map.yaml"
    bad.write_text("files:\n  a.docx: [no-such-entry]\n  a.docx: process-catalogue\n", "utf-8")
    check = ["check-docs", folder, "--as-of", "2026-03-31", "--map", bad, "--out", tmp_path / "o"]
    code, output = _run(*check, "--lang", "zh")
    assert code == EXIT_ERRORS
    assert f"{bad}:2:12: /files/a.docx: 未知的条目 'no-such-entry'" in output
    assert "请使用 standards_map/documents.yaml 中的编号" in output
    assert f"{bad}:3:3: /files/a.docx: a.docx 被指定了两次 (只保留其中一行)" in output
    assert "2 个错误；未写出任何文件" in output
    bad.write_text("documents: []\n", encoding="utf-8")
    code, output = _run(*check, "--lang", "zh")
    assert "文件对照表需要一个 'files' 映射 (请写成 files: {文件名.docx: 条目编号})" in output
    code, output = _run(*check)  # the locale's
    assert "the map needs a 'files' mapping (write files: {name.docx: entry-id})" in output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh", "：不是 ccdocs 写出的（其中没有 .ccdocs-output 文件），ccdocs 不会替换它"),
        ("en", ": not written by ccdocs (it has no .ccdocs-output file), so ccdocs will not"),
    ],
)
def test_an_output_folder_ccdocs_did_not_write_is_refused_in_the_users_language(
    tmp_path, language, said
):
    profile = tmp_path / "p.yaml"
    profile.write_text(ZH, encoding="utf-8")
    out = tmp_path / "out"
    (out / "demo").mkdir(parents=True)
    (out / "demo" / "thesis.docx").write_text("years of work", encoding="utf-8")
    build = ["build", profile, "--out", out, "--format", "md"]
    code, output = _run(*build, *(["--lang", "en"] if language == "en" else []))
    assert code == EXIT_OUTPUT
    assert output.startswith(f"ccdocs: {out / 'demo'}{said}")
    assert sorted(p.name for p in (out / "demo").iterdir()) == ["thesis.docx"]


def test_an_error_keeps_its_english_words_and_is_told_in_chinese(tmp_path):
    refused = error(OutputError, "error.cannot-write", path=tmp_path / "x", reason="Disk full")
    assert str(refused) == f"{tmp_path / 'x'}: cannot be written (Disk full)"
    assert told_error(refused, "zh") == f"{tmp_path / 'x'}：无法写入（Disk full）"
    assert told_error(OutputError("as raised"), "zh") == "as raised"  # no code: as it was
    assert refused.exit_code == EXIT_OUTPUT
    empty = finding(Location(tmp_path / "p.yaml", 3, 5, "/name"), "schema.empty")
    assert told_error(ProfileError([empty]), "zh") == (
        f"{tmp_path / 'p.yaml'}:3:5: /name: 不能为空 (请填写内容或删除该键)"
    )


def _pack(path: Path) -> Path:
    """A pack whose manifest lists a.txt (changed since), b.txt (gone), not c.txt (added)."""
    listed = [
        {"path": "a.txt", "size": 1, "sha256": hashlib.sha256(b"y").hexdigest()},
        {"path": "b.txt", "size": 1, "sha256": hashlib.sha256(b"b").hexdigest()},
    ]
    manifest = json.dumps({"files": listed}).encode()
    write_zip(path, [("manifest.json", manifest), ("a.txt", b"x"), ("c.txt", b"c")])
    return path


def test_verify_names_what_differs_in_the_language_chosen(tmp_path, monkeypatch):
    pack = _pack(tmp_path / "pack.zip")
    code, output = _run("verify", pack, "--lang", "zh")
    assert code == EXIT_ERRORS
    assert output.splitlines() == [
        "a.txt：已被改动（SHA-256 校验值与清单不符）",
        "b.txt：证据包中缺少此文件",
        "c.txt：不在清单中",
        f"{pack}：3 个问题",
    ]
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert _run("verify", pack)[1] == output  # the locale's
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    code, output = _run("verify", pack)
    assert output.splitlines()[:3] == [
        "a.txt: changed (sha256 does not match the manifest)",
        "b.txt: missing from the pack",
        "c.txt: not in the manifest",
    ]


def test_every_code_of_the_new_families_is_in_both_catalogues_and_told_in_chinese():
    en, zh = catalogue("en"), catalogue("zh")
    families = ("brand.", "pins.", "error.", "verify.")
    codes = {code for code in en if code.startswith(families)}
    assert codes == {code for code in zh if code.startswith(families)}
    assert {code.split(".")[0] for code in codes} == {f.rstrip(".") for f in families}
    for code in codes:
        words = zh[code]["text"] if isinstance(zh[code], dict) else zh[code]
        assert re.search(r"[\u4e00-\u9fff]", words), code
