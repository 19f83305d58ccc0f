"""``ccdocs check-docs``: a folder of documents ccdocs did not write, judged like a profile.

The folder is the bundled water utility's own documents handed over as an auditor gets them:
renamed, without ccdocs' markers, with the records' files beside them. check-docs must reach
the verdicts ``audit`` reaches on the profile; damaging a document must bring exactly the
matching finding.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import bundled
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from generator.build import build_profile, render_profile
from generator.checkdocs.run import check_folder
from generator.cli import EXIT_GAPS, cli
from generator.mandates import profile_targets

AS_OF = dt.date(2026, 3, 31)  # the water utility's assessment date
TARGETS = [{"standard": "cc-cmm-oc-2011", "level": 2}, {"standard": "cccs-op-2014"}]


@pytest.fixture(scope="module")
def built(tmp_path_factory, catalog) -> Path:
    out = tmp_path_factory.mktemp("built")
    formats = ("md", "docx", "pdf")
    return build_profile(bundled("water-utility"), out, formats=formats, catalog=catalog).output


def _hand_over(built: Path, folder: Path, markdown: bool = False) -> Path:
    """The documents as an auditor receives them: renamed, the records' files beside them."""
    folder.mkdir(parents=True)
    if markdown:
        for i, name in enumerate(["operations-manual", "dr-plan", "training-syllabus"]):
            shutil.copy(built / "manual" / f"{name}.md", folder / f"doc{i}.md")
    else:
        shutil.copy(built / "docx" / "operations-manual.docx", folder / "手册2026.docx")
        shutil.copy(built / "pdf" / "dr-plan.pdf", folder / "预案.pdf")
        shutil.copy(built / "docx" / "training-syllabus.docx", folder / "培训.docx")
    evidence = bundled("water-utility").parent / "evidence" / "water-utility"
    for i, record in enumerate(sorted(evidence.glob("*.md"))):
        (folder / "records").mkdir(exist_ok=True)
        shutil.copy(record, folder / "records" / f"r{i}.md")
    return folder


def _check(folder: Path, catalog, **options) -> dict:
    targets = profile_targets({"targets": TARGETS}, catalog)
    return check_folder(folder, catalog, targets, AS_OF, **options)


def _items(report: dict) -> dict[tuple[str, str, str], dict]:
    return {
        (item["requirement"], item["kind"], item["subject"]): item
        for std in report["standards"]
        for section in std["sections"]
        for item in section["items"]
    }


@pytest.fixture(scope="module")
def handed(built, tmp_path_factory) -> Path:
    return _hand_over(built, tmp_path_factory.mktemp("folder") / "received")


@pytest.fixture(scope="module")
def checked(handed, catalog) -> dict:
    return _check(handed, catalog)


def test_documents_and_records_get_the_verdicts_audit_gives_the_profile(checked, catalog):
    _same_verdicts(checked, catalog)


def test_english_documents_get_the_same_verdicts(tmp_path, catalog):
    built = build_profile(
        bundled("water-utility"), tmp_path / "en", language="en", formats=("md",), catalog=catalog
    ).output
    _same_verdicts(_check(_hand_over(built, tmp_path / "folder", markdown=True), catalog), catalog)


def _same_verdicts(checked: dict, catalog) -> None:
    audit = render_profile(bundled("water-utility"), catalog=catalog).publication.audit["report"]
    profile = _items(audit)
    field_gaps = {req for (req, kind, _), i in profile.items() if i["status"] != "present"}
    found = _items(checked)
    compared = 0
    for key, item in profile.items():
        if key[1] not in ("document", "record"):
            continue
        mine = found[key]
        compared += 1
        if mine["status"] == "partial" and item["status"] == "present":
            # named only by a placeholder: the profile lacks that content (a field gap there)
            assert key[0] in field_gaps, key
            assert mine["location"]["quote"].startswith(("【待补充", "[TO BE COMPLETED")), mine
            continue
        assert mine["status"] == item["status"], (key, mine, item)
    assert compared >= 30
    statuses = {k[2]: i["status"] for k, i in found.items() if k[1] == "record"}
    assert statuses["emergency-test-record"] == "stale"
    assert statuses["nda-review-record"] == "missing"


def test_every_find_says_where_and_what_matched(checked):
    items = _items(checked)
    stale = items[("cc-cmm-oc-2011/24", "record", "emergency-test-record")]
    assert stale["location"]["file"].startswith("records/r")
    assert "2024-09-20" in stale["location"]["quote"]
    assert "557 days" in stale["detail"]
    risks = items[("cc-cmm-oc-2011/20", "document", "risk-assessment")]
    assert risks["location"]["file"] == "预案.pdf" and risks["location"]["page"] >= 2
    assert "风险识别" in risks["location"]["heading"]
    stage = items[("cc-cmm-oc-2011/23", "content", "emergency-plan#public_information")]
    assert stage["status"] == "present" and "信息发布" in stage["location"]["quote"]


def test_the_register_lists_every_file_with_its_document_control(checked):
    rows = {row["file"]: row for row in checked["register"]}
    assert len(rows) == 3 + 5
    manual = rows["手册2026.docx"]
    assert manual["entries"][0] == "operations-manual"
    assert manual["control"]["number"] == "GS-RX-YY-01"
    assert manual["control"]["version"] == "3.1"
    # the water utility records no approval date: every document says so
    assert {rows[n]["status"] for n in ("手册2026.docx", "预案.pdf", "培训.docx")} == {"incomplete"}
    assert rows["预案.pdf"]["control_missing"] == ["approved_on"]
    assert rows["records/r0.md"]["entries"] == ["emergency-test-record"]


def test_damage_brings_exactly_its_finding(built, tmp_path, catalog):
    folder = _hand_over(built, tmp_path / "md", markdown=True)
    before = _check(folder, catalog)
    plan = folder / "doc1.md"
    text = plan.read_text(encoding="utf-8")
    # a DR plan without its public-information stage
    lines = [line for line in text.splitlines() if "信息发布" not in line]
    plan.write_text("\n".join(lines), encoding="utf-8")
    # the manual approved, the training syllabus's review more than a year old
    manual = folder / "doc0.md"
    manual.write_text(
        manual.read_text(encoding="utf-8").replace("| 批准日期 | — |", "| 批准日期 | 2026-01-10 |"),
        encoding="utf-8",
    )
    syllabus = folder / "doc2.md"
    old = syllabus.read_text(encoding="utf-8")
    for field in ("发布日期", "生效日期"):
        old = old.replace(f"| {field} | 2026-01-", f"| {field} | 2024-01-")
    syllabus.write_text(old.replace("| 批准日期 | — |", "| 批准日期 | 2024-01-10 |"), "utf-8")
    after = _check(folder, catalog)

    changed = {
        key: (item["status"], _items(after)[key]["status"])
        for key, item in _items(before).items()
        if item["status"] != _items(after)[key]["status"]
    }
    stage = "emergency-plan#public_information"
    assert changed == {
        ("cc-cmm-oc-2011/22", "content", stage): ("present", "missing"),
        ("cc-cmm-oc-2011/23", "content", stage): ("present", "missing"),
    }
    rows = {row["file"]: row for row in after["register"]}
    assert rows["doc0.md"]["status"] == "ok"
    assert rows["doc1.md"]["status"] == "incomplete"
    assert rows["doc2.md"]["status"] == "stale" and rows["doc2.md"]["control_date"] == "2024-01-20"


def test_files_that_cannot_be_judged_are_listed_not_dropped(tmp_path, catalog):
    from pypdf import PdfWriter

    folder = tmp_path / "odd"
    folder.mkdir()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with (folder / "scan.pdf").open("wb") as f:
        writer.write(f)
    (folder / "broken.docx").write_bytes(b"not a zip")
    (folder / "notes.txt").write_text("午餐菜单：周一饺子", encoding="utf-8")
    rows = {row["file"]: row["status"] for row in _check(folder, catalog)["register"]}
    assert rows == {"broken.docx": "unreadable", "notes.txt": "unclassified", "scan.pdf": "no-text"}


def test_a_map_pins_a_file_the_words_do_not_name(tmp_path, catalog):
    folder = tmp_path / "pinned"
    folder.mkdir()
    (folder / "scan-0042.md").write_text("# 扫描件 0042\n\n日期：2026-02-01\n", encoding="utf-8")
    plain = _items(_check(folder, catalog))
    key = ("cc-cmm-oc-2011/27", "record", "nda-review-record")
    assert plain[key]["status"] == "missing"
    pinned = _items(_check(folder, catalog, pinned={"scan-0042.md": ["nda-review-record"]}))
    assert pinned[key]["status"] == "present"
    assert pinned[key]["location"]["file"] == "scan-0042.md"


def test_the_command_writes_the_report_and_exits_on_the_chosen_statuses(handed, tmp_path):
    out = tmp_path / "out"
    args = ["check-docs", str(handed), "--as-of", "2026-03-31", "--out", str(out)]
    args += ["--target", "cc-cmm-oc-2011:2", "--target", "cccs-op-2014"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    folder = out / "received" / "check-docs"
    report = json.loads((folder / "gap-report.json").read_text(encoding="utf-8"))
    assert report["summary"]["stale"] == 1 and report["summary"]["missing"] == 1
    page = (folder / "gap-report.md").read_text(encoding="utf-8")
    assert "提供 保密协议年度审核记录" in page
    assert "records/r" in page and "预案.pdf 第 " in page
    site = (folder / "site" / "index.html").read_text(encoding="utf-8")
    assert "待办事项" in site and not (folder / ".site-project").exists()
    schema = json.loads(files("generator.audit").joinpath("gap-report.schema.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    book = load_workbook(folder / "check.xlsx")
    assert book.sheetnames == ["差距", "文件登记"]
    assert [c.value for c in book["文件登记"][1]][:4] == ["文件", "类型", "标题", "识别为"]
    failing = CliRunner().invoke(cli, [*args, "--fail-on", "stale"])
    assert failing.exit_code == EXIT_GAPS


def test_the_clock_is_never_read_and_a_bad_map_is_located(handed, tmp_path):
    result = CliRunner().invoke(cli, ["check-docs", str(handed), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--as-of" in result.output
    bad = tmp_path / "map.yaml"
    bad.write_text("files:\n  a.docx: [no-such-entry]\n", encoding="utf-8")
    args = ["check-docs", str(handed), "--as-of", "2026-03-31", "--map", str(bad)]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{bad}:2:12: /files/a.docx: unknown entry 'no-such-entry'" in result.output
    assert not (tmp_path / "out").exists()
