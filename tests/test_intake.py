"""The manager's workbook: ``intake new`` and ``export`` write a profile as sheets to fill in,
``import`` reads them back, losslessly, into a new profile or as changes to an existing one, with
every problem located at its cell."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import PROFILES, bundled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from generator.cli import cli
from generator.errors import ProfileError
from generator.intake.layout import Field, Sheet, build_layout, keys_of
from generator.intake.read import read_intake
from generator.intake.run import all_labels, export_workbook
from generator.intake.words import field_name, intake_words
from generator.labels import LANGUAGES
from generator.profile import Profile, load_profile

BUNDLED = sorted(p.stem for p in PROFILES.glob("*.yaml"))


def _export(path: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["intake", "export", str(path), "--out", str(out), *args])
    assert result.exit_code == 0, result.output


def _import(workbook: Path, out: Path) -> Any:
    return CliRunner().invoke(cli, ["intake", "import", str(workbook), "--out", str(out)])


def _edit(workbook: Path, sheet: str, changes: dict[str, object]) -> Path:
    book = load_workbook(workbook)
    for cell, value in changes.items():
        book[sheet][cell] = value
    book.save(workbook)
    return workbook


def _cell(workbook: Path, sheet: str, header: str, row_id: str) -> str:
    """The address of the cell in column ``header`` of the row whose first column is ``row_id``."""
    rows = load_workbook(workbook)[sheet]
    column = next(c.column_letter for c in rows[1] if c.value == header)
    row = next(r[0].row for r in rows.iter_rows(min_row=2) if r[0].value == row_id)
    return f"{column}{row}"


# -- the round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_profile_comes_back_from_its_workbook_unchanged(name, tmp_path, catalog):
    profile = load_profile(bundled(name))
    out = tmp_path / f"{name}.xlsx"
    export_workbook(profile, out, catalog, None, name)
    layout = build_layout(catalog.profile_schema)
    assert read_intake(out, layout, all_labels(), "zh").data == profile.data


@pytest.mark.parametrize("name", BUNDLED)
def test_import_into_the_exported_profile_changes_no_byte(name, tmp_path):
    copy = tmp_path / "profile.yaml"
    shutil.copy(bundled(name), copy)
    _export(copy, tmp_path / "center.xlsx")
    result = _import(tmp_path / "center.xlsx", copy)
    assert result.exit_code == 0, result.output
    assert "没有值发生变化" in result.output  # in the workbook's language
    assert copy.read_bytes() == bundled(name).read_bytes()


def test_a_new_profile_from_a_workbook_loads_as_the_profile_exported(tmp_path):
    _export(bundled("water-utility"), tmp_path / "center.xlsx", "--lang", "en")
    result = _import(tmp_path / "center.xlsx", tmp_path / "new.yaml")
    assert result.exit_code == 0, result.output
    assert load_profile(tmp_path / "new.yaml").data == load_profile(bundled("water-utility")).data
    text = (tmp_path / "new.yaml").read_text(encoding="utf-8")
    assert text.index("organization:") < text.index("roles:") < text.index("assessment_date:")
    assert "access: '96000'" in text  # a number written as text stays text


# A generated profile: every sheet of the layout, random rows and values of each field's kind.
_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(
    str.strip
)
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n"),
    min_size=1,
    max_size=20,
).filter(str.strip)
_LANGS = st.sampled_from(LANGUAGES)


def _value(draw: Callable[..., Any], field: Field) -> Any:
    schema = field.schema
    if field.kind == "text":
        return draw(st.one_of(_TEXT, st.dictionaries(_LANGS, _TEXT, min_size=1)))
    if field.kind == "texts":
        item = st.one_of(_LINE, st.dictionaries(_LANGS, _LINE, min_size=1))
        return draw(st.lists(item, min_size=1, max_size=3))
    if field.kind == "list":
        one = st.sampled_from(field.enum) if field.enum else _LINE
        return draw(st.lists(one, min_size=1, max_size=3))
    if field.enum:
        return draw(st.sampled_from(field.enum))
    if schema.get("type") == "integer":
        return draw(st.integers(-(10**9), 10**9))
    if schema.get("type") == "number":
        return draw(
            st.one_of(st.integers(0, 10**6), st.floats(-1e9, 1e9, allow_nan=False).map(float))
        )
    if schema.get("format") == "date":
        day = draw(st.dates(dt.date(1901, 1, 1), dt.date(2100, 12, 31)))
        return day.isoformat()
    return draw(_TEXT)


def _item(draw: Callable[..., Any], sheet: Sheet, ident: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for number, field in enumerate(sheet.fields):
        if field.path == "id":
            value: Any = ident
        elif number == 0 or field.required or draw(st.booleans()):
            value = _value(draw, field)
        else:
            continue
        target = item
        *outer, last = field.path.split(".")
        for part in outer:
            target = target.setdefault(part, {})
        target[last] = value
    return item


def _fields(draw: Callable[..., Any], sheet: Sheet, data: dict[str, Any]) -> None:
    base = sheet.path.split(".") if sheet.path else []
    for field in sheet.fields:
        if field.required or draw(st.booleans()):
            *outer, last = base + field.path.split(".")
            target = data
            for part in outer:
                target = target.setdefault(part, {})
            target[last] = _value(draw, field)


def _rows(
    draw: Callable[..., Any], sheet: Sheet, owner: dict[str, Any], schema: Any, made: int
) -> list[dict[str, Any]]:
    """Rows of a table under one parent item (or the profile), put in place."""
    parent = sheet.parents[-1] if sheet.parents else ""
    rel = sheet.path.removeprefix(parent).lstrip(".").removesuffix("[]").removesuffix(".*")
    *outer, last = rel.split(".")
    if sheet.keyed:
        keys = draw(st.lists(st.sampled_from(keys_of(schema, sheet)), unique=True))
        entries = {key: _item(draw, sheet, key) for key in keys}
    else:
        ident = f"{last.replace('_', '-')}-{made}-"
        count = draw(st.integers(0, 2))
        entries = {str(i): _item(draw, sheet, f"{ident}{i}") for i in range(count)}
    if entries:
        for part in outer:
            owner = owner.setdefault(part, {})
        owner[last] = entries if sheet.keyed else list(entries.values())
    return list(entries.values())


@st.composite
def generated_profiles(draw: Callable[..., Any], layout: tuple[Sheet, ...], schema: Any) -> Any:
    """A profile with random rows and values on every sheet of ``layout``."""
    data: dict[str, Any] = {}
    items: dict[str, list[dict[str, Any]]] = {"": [data]}
    for sheet in layout:
        if sheet.kind == "fields":
            _fields(draw, sheet, data)
            continue
        made: list[dict[str, Any]] = []
        for owner in items[sheet.parents[-1] if sheet.parents else ""]:
            made += _rows(draw, sheet, owner, schema, len(made))
        items[sheet.path] = made
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_profiles_come_back_from_their_workbook_unchanged(
    data, catalog, tmp_path_factory
):
    layout = build_layout(catalog.profile_schema)
    profile_data = data.draw(generated_profiles(layout, catalog.profile_schema))
    out = tmp_path_factory.mktemp("generated") / "center.xlsx"
    export_workbook(Profile(out, profile_data), out, catalog, "zh", "generated")
    assert read_intake(out, layout, all_labels(), "zh").data == profile_data


def test_every_sheet_is_named_and_every_chinese_column_is_chinese(catalog):
    layout = build_layout(catalog.profile_schema)
    for language, labels in all_labels().items():
        named = intake_words(labels).get("sheets", {})
        assert [s.path for s in layout if s.path not in named] == [], language
    zh = all_labels()["zh"]
    english = {
        f.full: field_name(f, zh)
        for sheet in layout
        for f in sheet.fields
        if not re.search(r"[\u4e00-\u9fff]", field_name(f, zh))
    }
    assert english == {}


def test_a_workbook_whose_columns_were_named_by_their_keys_is_still_read(tmp_path, catalog):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook, "--lang", "en")
    book = load_workbook(workbook)
    sheet = book["Business impact"]
    for cell in sheet[1]:  # as workbooks made before the catalogue named these columns
        cell.value = {
            "RTO (minutes)": "rto minutes",
            "Maximum tolerable downtime (minutes)": ("mtd minutes"),
        }.get(cell.value, cell.value)
    book.save(workbook)
    layout = build_layout(catalog.profile_schema)
    data = read_intake(workbook, layout, all_labels(), "en").data
    expected = load_profile(bundled("water-utility")).data["emergency"]["business_impact"]
    assert data["emergency"]["business_impact"] == expected


def test_a_workbook_whose_sheets_were_named_by_their_path_is_still_read(tmp_path, catalog):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook)
    book = load_workbook(workbook)
    book["工作规范"].title = "work_rules"  # as workbooks made before the sheet had a name
    book["岗位工作规范"].title = "work_rules roles"
    book.save(workbook)
    layout = build_layout(catalog.profile_schema)
    data = read_intake(workbook, layout, all_labels(), "zh").data
    assert data["work_rules"] == load_profile(bundled("water-utility")).data["work_rules"]


# -- an existing profile keeps its comments and layout ------------------------------------------


def test_import_writes_only_the_changed_values_into_an_existing_profile(tmp_path):
    copy = tmp_path / "profile.yaml"
    shutil.copy(bundled("water-utility"), copy)
    workbook = tmp_path / "center.xlsx"
    _export(copy, workbook)
    _edit(workbook, "岗位", {_cell(workbook, "岗位", "编制人数", "csr"): 33})
    result = _import(workbook, copy)
    assert result.exit_code == 0, result.output
    before = bundled("water-utility").read_text(encoding="utf-8").splitlines()
    after = copy.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert "33" in changed[0][1] and "id: csr" in changed[0][1]
    assert after[0].startswith("# yaml-language-server")


def test_import_into_a_layered_profile_writes_the_change_into_the_layer(tmp_path):
    child = tmp_path / "profile.yaml"
    child.write_text("extends: telecom\norganization:\n  id: acme  # our id\n", encoding="utf-8")
    workbook = tmp_path / "center.xlsx"
    _export(child, workbook)
    address = _cell(workbook, "岗位", "编制人数", "csr")
    _edit(workbook, "岗位", {address: 77})
    result = _import(workbook, child)
    assert result.exit_code == 0, result.output
    text = child.read_text(encoding="utf-8")
    assert text.startswith("extends: telecom\norganization:\n  id: acme  # our id\n")
    assert "headcount: 77" in text and text.count("\n") < 10
    merged = load_profile(child).data
    assert next(r for r in merged["roles"] if r["id"] == "csr")["headcount"] == 77


def _delete_rows(workbook: Path, sheet: str, row_id: str) -> None:
    """Delete every row of ``sheet`` whose first column is ``row_id``, as a user would."""
    book = load_workbook(workbook)
    rows = book[sheet]
    for row in sorted(r[0].row for r in rows.iter_rows(min_row=2) if r[0].value == row_id)[::-1]:
        rows.delete_rows(row)
    book.save(workbook)


def test_a_deleted_row_of_an_inherited_item_is_written_as_its_omission(tmp_path):
    child = tmp_path / "profile.yaml"
    child.write_text("extends: water-utility\norganization:\n  id: acme  # our id\n", "utf-8")
    workbook = tmp_path / "center.xlsx"
    _export(child, workbook)
    _delete_rows(workbook, "流程", "billing")
    _delete_rows(workbook, "流程步骤", "billing")
    result = _import(workbook, child)
    assert result.exit_code == 0, result.output
    text = child.read_text(encoding="utf-8")
    assert text.endswith("processes:\n  - {id: billing, omit: true}\n"), text
    ids = [p["id"] for p in load_profile(child).data["processes"]]
    assert ids == ["repair", "complaint", "quality-check"]
    # The same workbook again changes nothing; the row given again undoes the omission.
    assert _import(workbook, child).exit_code == 0
    assert child.read_text(encoding="utf-8") == text
    _export(child, workbook)
    assert _import(workbook, child).exit_code == 0
    assert child.read_text(encoding="utf-8") == text
    owners = tmp_path / "owners"
    _export(child, owners, "--split-by", "owner")
    result = CliRunner().invoke(
        cli, ["intake", "import", *map(str, sorted(owners.glob("*.xlsx"))), "--out", str(child)]
    )
    assert result.exit_code == 0, result.output
    assert child.read_text(encoding="utf-8") == text  # the owners' workbooks keep the omission
    again = tmp_path / "again.xlsx"
    _export(bundled("water-utility"), again)
    assert _import(again, child).exit_code == 0
    restored = [p["id"] for p in load_profile(child).data["processes"]]
    assert restored == ["repair", "billing", "complaint", "quality-check"]
    assert "omit" not in child.read_text(encoding="utf-8")


# -- errors ----------------------------------------------------------------------------------------


def test_every_error_is_located_at_its_cell_and_nothing_is_written(tmp_path):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook)
    reports = _cell(workbook, "岗位", "上级岗位", "csr")
    heads = _cell(workbook, "岗位", "编制人数", "csr")
    name = _cell(workbook, "岗位", "岗位名称 [en]", "csr")
    _edit(workbook, "岗位", {reports: "team-leadr", heads: "十二", name: "Agent"})
    out = tmp_path / "profile.yaml"
    result = _import(workbook, out)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{workbook}:岗位!{heads}: 编制人数: 不是数字：十二；请填写数字" in lines
    assert any(x.startswith(f"{workbook}:岗位!{reports}: 上级岗位: 'team-leadr'") for x in lines)
    assert (
        f"{workbook}:岗位!{_cell(workbook, '岗位', '岗位名称', 'csr')}: 岗位名称: "
        "文字只能写一次或按语言分别写，不能两者都写；请清空其中一种"
    ) in lines
    assert not out.exists()
    assert "Traceback" not in result.output


def test_a_broken_reference_is_located_at_its_cell_with_the_validators_words(tmp_path):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook)
    reports = _cell(workbook, "岗位", "上级岗位", "csr")
    _edit(workbook, "岗位", {reports: "team-leadr"})
    result = _import(workbook, tmp_path / "profile.yaml")
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if f"岗位!{reports}" in x)
    assert line.startswith(
        f"{workbook}:岗位!{reports}: 上级岗位: 'team-leadr' 不是已定义的角色标识"
    )  # in the workbook's language
    assert line.endswith("(使用“岗位”表中已有的编号)")


def test_a_step_of_an_unknown_process_names_the_process_sheet(tmp_path):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook)
    _edit(workbook, "流程步骤", {"A2": "no-such-process"})
    result = _import(workbook, tmp_path / "profile.yaml")
    assert result.exit_code == 1
    assert (
        f"{workbook}:流程步骤!A2: 流程步骤: “流程”中没有编号为 no-such-process 的项；"
        "请先在“流程”中添加，或改为已有的编号"
    ) in result.output.splitlines()


def test_a_renamed_sheet_and_an_unknown_column_are_reported(tmp_path):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("minimal"), workbook)
    book = load_workbook(workbook)
    book["岗位"]["Z1"] = "备注"
    book["风险"].title = "我的风险"
    book.save(workbook)
    imported = read_intake(workbook, build_layout(_schema()), all_labels(), "zh")
    shown = sorted(f.format() for f in imported.problems)
    assert shown == [
        f"{workbook}:岗位!Z1: 备注: 不是这个工作表的列；请恢复原来的列标题，或删除这一列",
        f"{workbook}:我的风险!A1: 我的风险: "
        "不是组织档案的工作表；请按原名称保留工作表，或删除这个工作表",
    ]


def _schema() -> Any:
    from generator.standards import load_catalog

    return load_catalog().profile_schema


# -- what the manager sees -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("intake") / "center.xlsx"
    args = ["intake", "new", "--preset", "water-utility", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out


def test_long_headings_wrap_in_a_row_tall_enough_for_them(new_book):
    book = load_workbook(new_book)
    sheet = book["业务影响分析"]
    heads = {cell.value: cell for cell in sheet[1]}
    mtd = heads["最长可容忍中断时间 MTD（分钟）"]
    width = sheet.column_dimensions[mtd.column_letter].width
    assert width < 2 * len("最长可容忍中断时间") + len(" MTD（分钟）")  # more than a line's worth
    assert all(cell.alignment.wrap_text for cell in sheet[1])
    assert sheet.row_dimensions[1].height >= 3 * 15  # three lines of 11 pt type
    roles = book["岗位"]  # short headings keep one line
    assert roles.row_dimensions[1].height in (None, 15)


def test_a_new_workbook_has_a_sheet_per_section_with_the_presets_rows(new_book):
    book = load_workbook(new_book)
    for name in (
        "填写说明",
        "组织",
        "渠道",
        "服务水平",
        "岗位",
        "流程",
        "流程步骤",
        "关键绩效指标",
        "话务预测时段",
        "培训课程",
        "风险",
        "应急预案",
        "记录",
    ):
        assert name in book.sheetnames
    roles = book["岗位"]
    assert [c.value for c in roles[1]][:5] == [
        "编号",
        "岗位名称",
        "岗位名称 [zh]",
        "岗位名称 [en]",
        "上级岗位",
    ]
    assert roles.max_row > 3  # the preset's roles as examples
    assert any("示例" in str(c.value) for c in book["填写说明"]["A"])


def test_headers_carry_descriptions_and_mandated_fields_are_highlighted(new_book):
    roles = load_workbook(new_book)["岗位"]
    heads = {c.value: c for c in roles[1]}
    duties = heads["岗位职责"]
    assert duties.fill.fgColor.rgb.endswith("FCE4D6")
    assert "标准要求：" in duties.comment.text and "每行一项" in duties.comment.text
    assert not heads["编制人数"].fill.fgColor.rgb.endswith("FCE4D6")


def test_drop_downs_offer_enumerations_and_ids_of_other_sheets(new_book):
    book = load_workbook(new_book)
    lists = {
        str(v.sqref).split(":")[0]: v.formula1
        for v in book["流程步骤"].data_validations.dataValidation
    }
    assert lists["A2"] == "'流程'!$A$2:$A$2000"
    roles = {v.formula1 for v in book["岗位"].data_validations.dataValidation}
    assert '"junior,intermediate,senior"' in roles and "'岗位'!$A$2:$A$2000" in roles


def test_a_fields_sheet_locks_its_names_and_leaves_its_values_open(new_book):
    sheet = load_workbook(new_book)["组织"]
    assert sheet.protection.sheet
    assert sheet["A2"].value == "organization.id" and sheet["A2"].protection.locked
    assert not sheet["C2"].protection.locked


def test_an_english_workbook_is_read_in_a_chinese_run(tmp_path, catalog):
    out = tmp_path / "center.xlsx"
    _export(bundled("bank-card-center"), out, "--lang", "en")
    assert "Roles" in load_workbook(out).sheetnames
    layout = build_layout(catalog.profile_schema)
    data = read_intake(out, layout, all_labels(), "zh").data
    assert data == load_profile(bundled("bank-card-center")).data


def test_the_layout_follows_the_schema(catalog):
    """A section added to the schema gets its sheets: a fields sheet for its values, tables for
    its lists, child tables naming their parents."""
    schema = {
        **catalog.profile_schema,
        "properties": {
            **catalog.profile_schema["properties"],
            "outsourcing": {
                "type": "object",
                "properties": {
                    "policy": {"$ref": "#/$defs/text"},
                    "vendors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"$ref": "#/$defs/id"},
                                "reviews": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {"date": {"$ref": "#/$defs/date"}},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    }
    sheets = {s.path: s for s in build_layout(schema)}
    assert [f.kind for f in sheets["outsourcing"].fields] == ["text"]
    assert sheets["outsourcing.vendors[].reviews[]"].parents == ("outsourcing.vendors[]",)


def test_a_list_item_with_a_line_break_is_refused_at_its_line(tmp_path, catalog):
    path = tmp_path / "p.yaml"
    path.write_text(
        "organization: {id: x, name: X}\nroles:\n  - id: a\n    name: A\n"
        '    duties: ["one\\ntwo"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["intake", "export", str(path), "--out", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 1
    assert f"{path}:5:14: /roles/0/duties/0: a list item with a line break" in result.output


def test_intake_imports_no_command_line_and_only_the_cli_imports_intake():
    root = Path(__file__).resolve().parents[1] / "generator"
    for module in root.rglob("*.py"):
        names = {
            node.module
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        inside = module.parent.name == "intake"
        if inside:
            assert "generator.cli" not in names, module
        elif module.name != "cli.py":
            assert not any(n.startswith("generator.intake") for n in names), module


@pytest.mark.e2e
def test_a_workbook_saved_by_libreoffice_imports_the_same(tmp_path, catalog):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    workbook = tmp_path / "center.xlsx"
    _export(bundled("telecom"), workbook)
    out = tmp_path / "saved"
    convert = ["--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out)]
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", *convert, str(workbook)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    layout = build_layout(catalog.profile_schema)
    saved = read_intake(out / "center.xlsx", layout, all_labels(), "zh")
    assert saved.data == load_profile(bundled("telecom")).data
    book = load_workbook(out / "center.xlsx")
    steps = {v.formula1.replace("'", "") for v in book["流程步骤"].data_validations.dataValidation}
    assert {"流程!$A$2:$A$2000", "岗位!$A$2:$A$2000"} <= steps
    roles = {v.formula1 for v in book["岗位"].data_validations.dataValidation}
    assert '"junior,intermediate,senior"' in roles
    assert book["岗位"]["A1"].comment is not None
    assert book["组织"].protection.sheet and book["组织"]["A2"].protection.locked


def test_a_file_that_is_no_workbook_is_one_error_at_the_file(tmp_path, catalog):
    path = tmp_path / "center.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        read_intake(path, build_layout(catalog.profile_schema), all_labels(), "zh")
    [finding] = caught.value.findings
    assert finding.format().startswith(f"{path}: /: 无法读取工作簿：")


# -- ACD interval reports -----------------------------------------------------------------------

ACD_ZH = """日期,时段,呼入量,接通量,平均处理时长(秒)
2026-03-02,08:00-08:30,120,110,200
2026-03-02,08:30-09:00,150,140,190
2026-03-03,08:00-08:30,100,95,210
2026-03-03,08:30-09:00,170,160,180
"""
ACD_EN = """Interval Start;Calls Offered;Calls Answered;AHT
2026-03-02 10:00;12;11;0:03:20
2026-03-02 10:15;20;19;0:03:00
"""


def test_an_acd_report_in_chinese_becomes_the_forecast_with_its_method(tmp_path):
    report = tmp_path / "acd.csv"
    report.write_text(ACD_ZH, encoding="gb18030")
    result = CliRunner().invoke(cli, ["intake", "intervals", str(report)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "# 预测方法：每个时段的预测量取报表 acd.csv 中 2 天（2026-03-02 至 2026-03-03）"
        "同一时段呼入量的平均值。平均处理时长 193 秒为各时段平均处理时长按呼入量加权的平均值。"
    )
    staffing = yaml.safe_load(result.output)["staffing"]
    assert staffing == {
        "interval_minutes": 30,
        "aht_seconds": 193,
        "intervals": [{"start": "08:00", "contacts": 110}, {"start": "08:30", "contacts": 160}],
    }


def test_english_headers_times_of_day_and_aht_as_minutes_and_seconds_are_read(tmp_path):
    report = tmp_path / "acd.csv"
    report.write_text(ACD_EN, encoding="utf-8")
    result = CliRunner().invoke(cli, ["intake", "intervals", str(report), "--lang", "en"])
    assert result.exit_code == 0, result.output
    staffing = yaml.safe_load(result.output)["staffing"]
    assert staffing["interval_minutes"] == 15
    assert staffing["intervals"] == [
        {"start": "10:00", "contacts": 12},
        {"start": "10:15", "contacts": 20},
    ]
    assert staffing["aht_seconds"] == round((200 * 12 + 180 * 20) / 32)
    assert "over 1 days (2026-03-02 to 2026-03-02)" in result.output


def test_the_forecast_replaces_the_profiles_intervals_and_nothing_else(tmp_path):
    report = tmp_path / "acd.csv"
    report.write_text(ACD_ZH, encoding="utf-8")
    profile = tmp_path / "profile.yaml"
    shutil.copy(bundled("event-hotline"), profile)
    result = CliRunner().invoke(cli, ["intake", "intervals", str(report), "--out", str(profile)])
    assert result.exit_code == 0, result.output
    staffing = load_profile(profile).data["staffing"]
    assert staffing["intervals"] == [
        {"start": "08:00", "contacts": 110},
        {"start": "08:30", "contacts": 160},
    ]
    before = bundled("event-hotline").read_text(encoding="utf-8")
    after = profile.read_text(encoding="utf-8")
    head = before[: before.index("  aht_seconds:")]
    assert after.startswith(head)
    tail = before[before.index("\n\n", before.index("  intervals:")) :]
    assert after.endswith(tail)


def test_a_report_without_a_contacts_column_or_with_a_bad_row_is_located(tmp_path):
    report = tmp_path / "acd.csv"
    report.write_text("时段,备注\n08:00,x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["intake", "intervals", str(report)])
    assert result.exit_code == 1
    assert f"{report}:1: /: 找不到“呼入量”列" in result.output
    report.write_text("时段,呼入量\n08:00,12\n08:30,很多\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["intake", "intervals", str(report)])
    assert result.exit_code == 1
    assert f"{report}:3: /: 呼入量不是数字：很多" in result.output


# -- a workbook per owner ------------------------------------------------------------------------


def _split(tmp_path: Path) -> tuple[Path, Path]:
    profile = tmp_path / "profile.yaml"
    shutil.copy(bundled("water-utility"), profile)
    folder = tmp_path / "owners"
    args = ["intake", "export", str(profile), "--split-by", "owner", "--out", str(folder)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return profile, folder


def test_each_owner_gets_the_items_it_owns_and_the_merge_changes_nothing(tmp_path, catalog):
    profile, folder = _split(tmp_path)
    books = sorted(folder.glob("*.xlsx"))
    assert [b.stem for b in books] == [
        "hotline-manager",
        "it-admin",
        "quality-officer",
        "shift-lead",
        "trainer",
    ]
    layout = build_layout(catalog.profile_schema)
    lead = read_intake(folder / "shift-lead.xlsx", layout, all_labels(), "zh").data
    owned = [k["owner"] for k in lead["kpis"]] + [p["owner"] for p in lead.get("processes", [])]
    assert len(owned) >= 2 and set(owned) == {"shift-lead"}
    trainer = read_intake(folder / "trainer.xlsx", layout, all_labels(), "zh").data
    assert list(trainer["document_control"]) == ["training-syllabus"]
    result = _import_many(sorted(folder.glob("*.xlsx")), profile)
    assert result.exit_code == 0, result.output
    assert profile.read_bytes() == bundled("water-utility").read_bytes()


def _import_many(books: list[Path], out: Path) -> Any:
    args = ["intake", "import", *map(str, books), "--out", str(out)]
    return CliRunner().invoke(cli, args)


def test_owners_edits_are_merged_and_a_conflict_names_both_cells(tmp_path):
    profile, folder = _split(tmp_path)
    first, second = folder / "it-admin.xlsx", folder / "trainer.xlsx"
    _edit(first, "组织", {"C3": "甲"})
    _edit(second, "组织", {"C3": "乙"})
    result = _import_many([first, second], profile)
    assert result.exit_code == 1
    assert (
        f"{second}:组织!C3: 组织名称: differs from {first}:组织!C3 (甲 there, 乙 here) "
        "(give the value in one workbook, or the same in both)"
    ) in result.output.splitlines()
    _edit(second, "组织", {"C3": "甲"})
    result = _import_many([first, second], profile)
    assert result.exit_code == 0, result.output
    assert load_profile(profile).data["organization"]["name"] == "甲"


def test_an_english_workbooks_errors_are_in_english(tmp_path):
    workbook = tmp_path / "center.xlsx"
    _export(bundled("water-utility"), workbook, "--lang", "en")
    heads = _cell(workbook, "Roles", "Headcount", "csr")
    _edit(workbook, "Roles", {heads: "many"})
    result = _import(workbook, tmp_path / "profile.yaml")
    assert result.exit_code == 1
    assert f"{workbook}:Roles!{heads}: Headcount: not a number: many; write a number" in (
        result.output.splitlines()
    )


def test_a_mandated_field_of_a_fields_sheet_has_an_orange_name(new_book):
    sheet = load_workbook(new_book)["定位与战略"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "positioning.vision")
    assert row[1].fill.fgColor.rgb.endswith("FCE4D6")
    assert "标准要求：CC-CMM-OC" in row[1].comment.text
    assert sheet.sheet_properties.tabColor.rgb.endswith("FCE4D6")
