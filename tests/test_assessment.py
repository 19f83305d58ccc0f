"""The assessor's own assessment: the workbook ``assess init`` writes, read back (also after
LibreOffice saved it), its errors located by sheet and cell, and the assessment report."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import bundled
from openpyxl import load_workbook

from generator.assessment.report import assessment_report
from generator.assessment.workbook import read_assessment
from generator.cli import cli
from generator.errors import ProfileError
from generator.labels import load_labels
from generator.render import template_dirs

LABELS = load_labels("zh", template_dirs())


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("assess") / "assessment.xlsx"
    result = CliRunner().invoke(
        cli, ["assess", "init", str(bundled("water-utility")), "--out", str(path)]
    )
    assert result.exit_code == 0, result.output
    return path


def _fill(blank: Path, target: Path, **changes: dict[int, object]) -> Path:
    """The workbook with every item scored 10/10 compliant, then ``changes`` per item number
    ({column letter: value})."""
    book = load_workbook(blank)
    sheet = book["评估"]
    for row in sheet.iter_rows(min_row=2):
        number = int(str(row[0].value).rsplit("/", 1)[1])
        row[5].value, row[6].value, row[7].value = 10, 10, "符合"
        row[13].value, row[14].value = "张评审", dt.date(2026, 4, 2)
        for column, value in changes.get(f"item{number}", {}).items():
            sheet[f"{column}{row[0].row}"] = value
    book.save(target)
    return target


MAJOR = {"H": "严重不符合", "G": 0, "J": "2025 年未开展应急演练", "K": "热线中心主任"}


def test_the_workbook_shows_self_scores_read_only_beside_the_assessors_columns(blank):
    book = load_workbook(blank)
    assert book.sheetnames == ["评估", "说明"]
    sheet = book["评估"]
    heads = [c.value for c in sheet[1]]
    assert heads[:8] == ["标识", "章节", "要求", "自评 C", "自评 F", "评审 C", "评审 F", "结论"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == 33
    item2 = rows["cc-cmm-oc-2011/2"]  # the water utility scores itself 0/0 there
    assert (item2[3].value, item2[4].value) == (0, 0)
    assert sheet.protection.sheet
    assert item2[3].protection.locked and not item2[5].protection.locked
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["F2:F34"] == '"0,5,10"'
    assert lists["H2:H34"] == '"符合,观察项,轻微不符合,严重不符合"'
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row[0]}
    assert about["标准"] == "cc-cmm-oc-2011" and about["评估日期"] == "2026-03-31"


def test_errors_are_located_by_sheet_and_cell_in_the_users_language(blank, tmp_path, catalog):
    filled = _fill(
        blank,
        tmp_path / "bad.xlsx",
        item3={"F": 7},
        item4={"H": "差不多"},
        item5={"I": "evidence/nowhere.pdf"},
        item24={"H": "严重不符合"},  # no owner, no due date
        item6={"A": "cc-cmm-oc-2011/99"},
        item7={"A": "cc-cmm-oc-2011/8"},
    )
    with pytest.raises(ProfileError) as caught:
        read_assessment(filled, catalog, LABELS, bundled("water-utility").parent)
    lines = [f.format() for f in caught.value.findings]
    text = "\n".join(lines)
    assert f"{filled}:评估!F4: 评审 C: 分数只能是 0、5、10，这里是 7" in text
    assert f"{filled}:评估!H5: 结论: 没有这个结论：差不多" in text
    assert f"{filled}:评估!I6: 证据: 找不到证据文件：evidence/nowhere.pdf" in text
    assert f"{filled}:评估!K25: 整改责任人: 该结论需要整改" in text
    assert f"{filled}:评估!A7: 标识: 没有这个评分条目：cc-cmm-oc-2011/99" in text
    twice = "条目 cc-cmm-oc-2011/8 出现了两次"
    assert f"{filled}:评估!A9: 标识: {twice}（另一行：{filled}:评估!A8）" in text


def test_the_report_sets_audited_scores_beside_self_scores_with_findings_and_a_plan(
    blank, tmp_path, catalog
):
    major = {**MAJOR, "L": dt.date(2026, 6, 30), "I": "evidence/water-utility/drill-2024.md"}
    filled = _fill(blank, tmp_path / "a.xlsx", item24=major, item14={"H": "观察项"})
    assessment = read_assessment(filled, catalog, LABELS, bundled("water-utility").parent)
    report = assessment_report(assessment, catalog, {}, None)
    assert [i["number"] for i in report["findings"]] == ["24", "14"]  # major first
    assert [(i["owner"], i["due"]) for i in report["plan"]] == [("热线中心主任", "2026-06-30")]
    # 33 items, all C 10, item 24's F 0: the audited scores reach L1
    assert report["audited_level"]["level"] >= 1
    assert report["self_level"]["level"] == 0  # nothing self-scored here


def test_a_follow_up_says_what_closed_what_is_open_what_is_new_and_what_is_overdue(
    blank, tmp_path, catalog
):
    root = bundled("water-utility").parent
    first = _fill(
        blank,
        tmp_path / "2026.xlsx",
        item24={**MAJOR, "L": dt.date(2026, 6, 30)},
        item14={"H": "轻微不符合", "K": "系统管理员", "L": dt.date(2026, 5, 1)},
    )
    book = load_workbook(first)
    book["说明"]["B4"] = "2026-03-31"
    book.save(first)
    second = _fill(
        blank,
        tmp_path / "2027.xlsx",
        item24={**MAJOR, "L": dt.date(2027, 6, 30)},
        item9={"H": "观察项"},
    )
    book = load_workbook(second)
    book["说明"]["B4"] = "2027-03-31"
    book.save(second)
    before = read_assessment(first, catalog, LABELS, root)
    now = read_assessment(second, catalog, LABELS, root)
    report = assessment_report(now, catalog, {}, None, before)
    follow = report["follow_up"]
    _assert_schema(json.loads(json.dumps(report, default=str)))
    assert follow["closed"] == ["cc-cmm-oc-2011/14"]
    assert follow["still_open"] == ["cc-cmm-oc-2011/24"]
    assert follow["new"] == ["cc-cmm-oc-2011/9"]
    assert follow["overdue"] == [
        {"requirement": "cc-cmm-oc-2011/24", "owner": "热线中心主任", "due": "2026-06-30"}
    ]


def test_the_yaml_form_reads_the_same(tmp_path, catalog):
    path = tmp_path / "a.yaml"
    result = CliRunner().invoke(
        cli, ["assess", "init", str(bundled("water-utility")), "--out", str(path)]
    )
    assert result.exit_code == 0
    blank = path.read_text(encoding="utf-8")
    assert "- requirement: cc-cmm-oc-2011/2  # 2 文化认同; self: C 0, F 0" in blank
    item = "  - requirement: cc-cmm-oc-2011/24\n    c: 10\n    f: 0\n    grade: major\n"
    head = blank.split("items:")[0] + "items:\n"
    path.write_text(head + item, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:  # a major finding without owner and due date
        read_assessment(path, catalog, LABELS, tmp_path)
    (finding,) = caught.value.findings
    assert str(finding.location) == f"{path}:7:5" and "该结论需要整改" in finding.message
    path.write_text(head + item + "    owner: 主任\n    due: 2026-06-30\n", encoding="utf-8")
    assessment = read_assessment(path, catalog, LABELS, tmp_path)
    assert assessment.scores() == {"cc-cmm-oc-2011/24": {"c": 10, "f": 0}}
    assert assessment.date == dt.date(2026, 3, 31)
    assert assessment.rows[0].due == dt.date(2026, 6, 30)


@pytest.mark.e2e
def test_a_workbook_saved_by_libreoffice_still_imports(blank, tmp_path, catalog):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    major = {**MAJOR, "L": dt.date(2026, 6, 30)}
    filled = _fill(blank, tmp_path / "filled.xlsx", item24=major)
    out = tmp_path / "saved"
    profile = tmp_path / "lo-profile"
    convert = ["--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out)]
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", *convert, str(filled)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    root = bundled("water-utility").parent
    saved = read_assessment(out / "filled.xlsx", catalog, LABELS, root)
    original = read_assessment(filled, catalog, LABELS, root)
    assert saved.rows == original.rows and saved.date == original.date
    book = load_workbook(out / "filled.xlsx")
    lists = {str(v.sqref): v.formula1 for v in book["评估"].data_validations.dataValidation}
    assert lists.get("H2:H34") == '"符合,观察项,轻微不符合,严重不符合"'


def test_audit_with_an_assessment_writes_the_report_in_three_formats(blank, tmp_path):
    major = {**MAJOR, "L": dt.date(2026, 6, 30)}
    filled = _fill(blank, tmp_path / "a.xlsx", item24=major)
    out = tmp_path / "out"
    args = ["audit", str(bundled("water-utility")), "--out", str(out), "--assessment", str(filled)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    folder = out / "water-utility" / "assessment"
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert names == [f"assessment-report.{s}" for s in ("docx", "json", "md", "pdf")]
    page = (folder / "assessment-report.md").read_text(encoding="utf-8")
    assert "| 24 应急规划测试与更新 | 2025 年未开展应急演练 | 热线中心主任 | 2026-06-30 |" in page
    assert "| 2 文化认同 | 0 | 0 | 10 | 10 | 符合 |" in page  # self 0/0 beside audited 10/10
    data = json.loads((folder / "assessment-report.json").read_text(encoding="utf-8"))
    assert data["self_level"]["level"] == 1
    _assert_schema(data)


def _assert_schema(data: dict) -> None:
    """``data`` follows the published schema of the assessment report."""
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    text = files("generator.assessment").joinpath("assessment-report.schema.json").read_text()
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(data)) == []
    bad = {**data, "items": [{**data["items"][0], "audited": {"c": 7}}]}
    assert list(Draft202012Validator(schema).iter_errors(bad))  # a score outside 0/5/10


def test_the_assessment_goes_into_the_evidence_pack_and_verify_covers_it(blank, tmp_path):
    import zipfile

    filled = _fill(blank, tmp_path / "a.xlsx", item24={**MAJOR, "L": dt.date(2026, 6, 30)})
    out = tmp_path / "out"
    args = ["evidence", str(bundled("water-utility")), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--assessment", str(filled)])
    assert result.exit_code == 0, result.output
    pack = out / "water-utility" / "evidence-pack.zip"
    with zipfile.ZipFile(pack) as z:
        manifest = json.loads(z.read("manifest.json"))
    entries = {e["path"]: e for e in manifest["files"]}
    for name in ("a.xlsx", "assessment-report.pdf", "assessment-report.md"):
        assert entries[f"assessment/{name}"]["kind"] == "assessment"
    assert CliRunner().invoke(cli, ["verify", str(pack)]).exit_code == 0


def test_a_folder_of_documents_is_assessed_without_self_scores(tmp_path):
    folder = tmp_path / "received"
    folder.mkdir()
    (folder / "drill.md").write_text("# 2026 年应急演练记录\n\n演练日期：2026-02-01\n", "utf-8")
    workbook = tmp_path / "assessment.xlsx"
    init = CliRunner().invoke(cli, ["assess", "init", str(folder), "--out", str(workbook)])
    assert init.exit_code == 0, init.output
    book = load_workbook(workbook)
    sheet = book["评估"]
    assert {(row[3].value, row[4].value) for row in sheet.iter_rows(min_row=2)} == {(None, None)}
    filled = _fill(workbook, tmp_path / "filled.xlsx", item24={"I": "drill.md"})
    out = tmp_path / "out"
    args = ["check-docs", str(folder), "--as-of", "2026-03-31", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--assessment", str(filled)])
    assert result.exit_code == 0, result.output
    page = (out / "received" / "assessment" / "assessment-report.md").read_text("utf-8")
    assert "| 24 应急规划测试与更新 | — | — | 10 | 10 | 符合 |" in page
    assert (out / "received" / "check-docs" / "gap-report.md").is_file()


def test_a_workbook_that_cannot_be_written_is_exit_4_with_the_reason(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where a folder should be", encoding="utf-8")
    target = blocked / "assessment.xlsx"
    result = CliRunner().invoke(
        cli, ["assess", "init", str(bundled("water-utility")), "--out", str(target)]
    )
    assert result.exit_code == 4 and f"{target}: cannot be written" in result.output
