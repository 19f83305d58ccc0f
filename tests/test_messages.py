"""Every finding ccdocs reports is worded by the label catalogues, in Chinese and in English.

The corpus below makes the validator produce each of its message codes; each finding is told in
both languages, and the Chinese words must be Chinese (no English sentence left in them).
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.continuity import RULES
from generator.errors import ProfileError
from generator.evidence import EVIDENCE_ERRORS, load_evidence
from generator.messages import catalogue, told
from generator.profile import load_profile
from generator.standards import load_catalog
from generator.validate import validate_profile

ROOT = Path(__file__).resolve().parent.parent

BASE = """organization:
  id: demo
  name: 示例中心
  language: zh
"""

# (a profile's text after the base, or a whole file when it starts with "!"; the code it gives)
CORPUS: list[tuple[str | bytes, str]] = [
    ("!", "file.not-regular"),  # a folder
    (b"a: \xff\xfe\n", "file.not-utf8"),
    ("组织: 中心\n".encode("gb18030"), "file.gb18030"),
    ("!a: \x07", "yaml.character"),
    ("!a: [1, 2\n", "yaml.syntax"),
    ("!a: !!python/object x\n", "yaml.tag"),
    ("!a: 1\na: 2\n", "yaml.duplicate-key"),
    ("!? [a]\n: 1\n", "yaml.key-not-text"),
    ("!a: 1" + "0" * 40 + "\n", "yaml.number-too-large"),
    ("!a: &x [*x]\n", "yaml.alias-loop"),
    ("!" + "a:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(70)), "yaml.too-deep-here"),
    ("extends: 3\n", "layer.not-text"),
    ("extends: no-such-preset\n", "layer.unknown"),
    ("extends: self.yaml\n", "layer.circle"),
    ("extends: ../outside.yaml\n", "layer.outside"),
    ("extends: broken.yaml\n", "layer.invalid"),
    ("extends: list.yaml\n", "layer.not-mapping"),
    ("extends: water-utility\nprocesses:\n  - {id: nope, omit: true}\n", "layer.omit-unmatched"),
    ("extends: water-utility\nkpis:\n  - {id: csat, omit: true, name: x}\n", "layer.omit-alone"),
    ("extends: water-utility\nkpis:\n  - {id: quality-score, omit: true}\n", "ref.omitted"),
    ("roles:\n  - {title: 座席}\n", "schema.required"),
    ("colour: blue\n", "schema.unknown-key"),
    ("staffing:\n  shrinkage: .nan\n", "schema.not-finite"),
    ("staffing:\n  shrinkage: many\n", "schema.type"),
    ("training:\n  modules:\n    - {id: m, title: x, track: sometimes}\n", "schema.enum"),
    ("risks:\n  - {id: r, title: x, impact: 9}\n", "schema.maximum"),
    ("risks:\n  - {id: r, title: x, impact: 0}\n", "schema.minimum"),
    ("staffing:\n  aht_seconds: 0\n", "schema.above"),
    ("staffing:\n  shrinkage: 100\n", "schema.below"),
    ("assessment_date: 2026-02-30\n", "schema.date"),
    ("roles:\n  - {id: Bad Id, title: x}\n", "schema.pattern"),
    ("positioning:\n  vision: ''\n", "schema.empty"),
    ("roles:\n  - {id: a, title: x}\n  - {id: a, title: y}\n", "ref.duplicate-id"),
    ("roles:\n  - {id: a, title: x, reports_to: b}\n", "ref.unknown"),
    (
        "training:\n  modules:\n    - {id: m, title: x, skills: [junior/9.9.9]}\n",
        "ref.unknown-catalog",
    ),
    (
        "roles:\n  - {id: a, title: x, reports_to: b}\n  - {id: b, title: y, reports_to: a}\n",
        "ref.loop",
    ),
    (
        "positioning:\n  strategy: {start: 2026-01-01, end: 2025-01-01}\n",
        "ref.order",
    ),
    (
        "staffing:\n  intervals:\n    - {start: '09:00', contacts: 10}\n"
        "    - {start: '08:00', contacts: 10}\n",
        "ref.increasing",
    ),
    ("quality:\n  form:\n    - {item: 礼貌, weight: 60}\n", "ref.sum"),
    ("targets:\n  - {standard: cccs-op-2014, level: 2}\n", "ref.level-none"),
    ("self_assessment:\n  - {requirement: cc-cmm-oc-2011/1, c: 7, f: 5}\n", "ref.score"),
    (
        "self_assessment:\n  - {requirement: cc-cmm-oc-2011/1, c: 5, f: 5}\n"
        "  - {requirement: cc-cmm-oc-2011/1, c: 5, f: 5}\n",
        "ref.scored-twice",
    ),
    (
        "records:\n  - {id: r, kind: emergency-test-record, date: 2026-01-01, file: ../x.md}\n",
        "evidence.outside",
    ),
    (
        "records:\n  - {id: r, kind: emergency-test-record, date: 2026-01-01, file: evidence}\n",
        "evidence.special",
    ),
    (
        "service_levels:\n  - {channel: phone, percent: 80, seconds: 20}\n"
        "staffing:\n  aht_seconds: 180\n  interval_minutes: 15\n"
        "  intervals:\n    - {start: '09:00', contacts: 100000000}\n",
        "workforce.too-many-agents",
    ),
    ("organization:\n  id: demo\n  name: x\n  language: zh\n", "gap"),
]

# Families of findings about files other than a profile, covered by their own tests below.
OTHER_FILES = ("brand.", "pins.")

# Codes made some other way than by a profile the corpus can hold: a file too large, a YAML
# error that is not a syntax error, a profile nested past the parser, values beyond the limits,
# evidence that cannot be read or is too large, two evidence files of one name, an AHT with no
# finite wait, a file that does not exist or cannot be read.
NOT_IN_CORPUS = {
    "file.too-large",
    "file.not-found",
    "file.unreadable",
    "yaml.error",
    "yaml.too-deep",
    "yaml.too-many-values",
    "yaml.too-much-text",
    "schema.unknown-key-none",
    "ref.level",  # a standard with some levels only: none shipped has that
    "schema.too-many",
    "schema.format",
    "schema.other",
    "evidence.unreadable",
    "evidence.large",
    "evidence.control",
    "evidence.ambiguous",
    "workforce.aht-too-long",
}

# Words that stay as they are in Chinese messages: names of formats, tools, keys and values.
KEPT = {
    "YAML",
    "UTF",
    "GBK",
    "GB18030",
    "iconv",
    "utf8",
    "NaN",
    "MiB",
    "KPI",
    "ccdocs",
    "validate",
    "extends",
    "records",
    "contacts",
    "true",
    "false",
    "YYYY",
    "HH",
    "MM",
    "DD",
    "Erlang",
    "CCCS",
    "PQ",
    "zh",
    "en",
    "CN",
    "nan",
    "inf",
    "GB",
    "Windows",
    "utf",
    "intermediate",
    "RRGGBB",
    "PNG",
    "JPEG",
    "RTO",
    "RPO",
    "MTD",
    "templates",
    "files",
    "documents",
    "generated",
    "docx",
    # tools, and the commands that install them
    "Graphviz",
    "pandoc",
    "Typst",
    "MkDocs",
    "Markdown",
    "DOCX",
    "CJK",
    "Debian",
    "Ubuntu",
    "apt",
    "get",
    "install",
    "graphviz",
    "fonts",
    "noto",
    "cjk",
    "CCDOCS",
    "DEBUG",
    "build",
    "zip",
    "SHA",
}


def _codes_of(catalogue_entries: dict[str, object]) -> set[str]:
    return {k for k, v in catalogue_entries.items() if isinstance(v, dict) and "text" in v}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_catalogues_hold_the_same_messages_with_the_same_blanks():
    en, zh = catalogue("en"), catalogue("zh")
    assert set(en) == set(zh)
    for code, entry in en.items():
        other = zh[code]
        if isinstance(entry, dict) and "text" in entry:
            assert isinstance(other, dict), code
            assert _fields(entry["text"]) == _fields(other["text"]), code
            assert _fields(entry.get("hint", "")) == _fields(other.get("hint", "")), code
        elif isinstance(entry, dict):  # a group of terms: nouns, patterns
            assert set(entry) == set(other), code
        else:
            assert _fields(str(entry)) == _fields(str(other)), code


def test_chinese_messages_are_written_in_chinese():
    left = {}
    for code, entry in catalogue("zh").items():
        texts = (
            [entry.get("text", ""), entry.get("hint", "")]
            if isinstance(entry, dict) and "text" in entry
            else list(entry.values())
            if isinstance(entry, dict)
            else [entry]
        )
        for text in texts:
            plain = re.sub(
                r"\{[^}]*\}|'[^']*'|\$.*|\^.*|--[a-z-]+|\b[a-z_]+(?:\.[a-z_]+)+|\b[a-z]+_[a-z_]+\b",
                "",
                str(text),
            )
            english = [w for w in re.findall(r"[A-Za-z]{2,}", plain) if w not in KEPT]
            if english:
                left[code] = english
    assert not left


def test_every_schema_pattern_and_reference_noun_has_words():
    catalog = load_catalog()
    schemas = [
        catalog.profile_schema,
        yaml.safe_load((ROOT / "site/brand.schema.yaml").read_text()),
    ]
    patterns = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for schema in schemas:
        walk(schema)
    nouns = {rule["what"] for rule in catalog.profile_schema["x-references"]}
    for language in ("en", "zh"):
        assert patterns <= set(catalogue(language)["patterns"]), language
        assert nouns <= set(catalogue(language)["nouns"]), language


def test_codes_named_in_the_code_exist():
    families = (
        "file|yaml|layer|schema|value|type|hint|ref|evidence|workforce|gap|status|kind"
        "|brand|pins|error"
    )
    files = r'(?!md"|xlsx"|yaml"|schema\.yaml")'  # file names, not codes: brand.yaml
    code = re.compile(rf'"((?:{families}|advice|summary)\.{files}[a-z0-9.-]+)"')
    used = set()
    for path in (ROOT / "generator").rglob("*.py"):
        used |= set(code.findall(path.read_text()))
    used |= {f"evidence.{s}" for s in EVIDENCE_ERRORS}
    used |= {f"type.{t}" for t in ("object", "array", "string", "integer", "number", "boolean")}
    used |= {f"status.{s}" for s in ("partial", "missing", "stale")}
    used |= {f"kind.{k}" for k in ("field", "document", "record", "date", "audience", "total")}
    hints = ("field", "document", "date", "audience", "total", "document-set")
    used |= {f"advice.{k}" for k in hints}
    used |= {f"advice.record-{s}" for s in ("missing", "partial", "stale")}
    used |= {f"advice.rule-{rule}" for rule in RULES} | {"kind.rule"}
    refused = ("outside", "special", "large")  # FileRefused's statuses
    for family in ("brand.file", "brand.logo", "error.edition"):
        used |= {f"{family}-{status}" for status in refused}
    missing = used - set(catalogue("en"))
    assert not missing


def _findings(tmp_path: Path, text: str | bytes):
    folder = tmp_path / "center"
    folder.mkdir()
    (folder / "evidence").mkdir()
    (folder / "self.yaml").write_text("extends: profile.yaml\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    (folder / "list.yaml").write_text("- a\n", encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(BASE, encoding="utf-8")
    path = folder / "profile.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text == "!":
        path = folder / "evidence"
    elif text.startswith("!"):
        path.write_text(text[1:], encoding="utf-8")
    else:
        body = text if text.startswith("organization:") else BASE + text
        path.write_text(body, encoding="utf-8")
    try:
        profile = load_profile(path)
    except ProfileError as e:
        return list(e.findings)
    result = validate_profile(profile, load_catalog(), load_evidence(profile))
    return list(result.errors) or [g.to_finding() for g in result.gaps]


def test_the_corpus_and_the_exceptions_cover_every_message_of_the_validator():
    codes = _codes_of(catalogue("en"))
    validator = {c for c in codes if not c.startswith(("summary.", "intake.", *OTHER_FILES))}
    assert validator == {code for _, code in CORPUS} | NOT_IN_CORPUS


@pytest.mark.parametrize(("text", "code"), CORPUS, ids=[code for _, code in CORPUS])
def test_each_error_is_told_in_both_languages(tmp_path, text, code):
    found = _findings(tmp_path, text)
    assert code in {f.code for f in found}, [f.format() for f in found]
    item = next(f for f in found if f.code == code)
    english, chinese = told(item, "en"), told(item, "zh")
    assert english.message == item.message and english.message
    assert chinese.message and chinese.message != english.message
    assert re.search(r"[\u4e00-\u9fff]", chinese.message + chinese.hint), chinese.format()


def test_validate_speaks_the_profiles_language_unless_told(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(BASE + "colour: blue\n", encoding="utf-8")
    runner = CliRunner()
    zh = runner.invoke(cli, ["validate", str(profile)])
    assert zh.exit_code == 1
    assert "未知的键 'colour'" in zh.output and "1 个错误" in zh.output
    en = runner.invoke(cli, ["validate", str(profile), "--lang", "en"])
    assert "unknown key 'colour'" in en.output and "1 error" in en.output
    data = json.loads(runner.invoke(cli, ["validate", str(profile), "--format", "json"]).output)
    assert data["language"] == "zh"
    assert data["errors"][0]["code"] == "schema.unknown-key"
    assert data["errors"][0]["message"].startswith("未知的键")


def test_without_a_stated_language_the_locale_decides(tmp_path, monkeypatch):
    profile = tmp_path / "p.yaml"
    profile.write_text("organization:\n  id: demo\n  name: x\ncolour: blue\n", encoding="utf-8")
    runner = CliRunner()
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert "未知的键" in runner.invoke(cli, ["validate", str(profile)]).output
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert "unknown key" in runner.invoke(cli, ["validate", str(profile)]).output


# Findings about files other than a profile, worded elsewhere: an assessment workbook's, and an
# intake workbook's or ACD report's cells (from the label catalogues' intake group, in the
# workbook's language).
WORDED_ELSEWHERE = {
    "workbook.py",
    "errors.py",
    "messages.py",
    "read.py",
    "intervals.py",
}


def test_findings_about_a_profile_are_made_from_message_codes():
    made_by_hand = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "generator").rglob("*.py"))
        if path.name not in WORDED_ELSEWHERE
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bFinding\(", line)
    ]
    assert not made_by_hand


# Errors raised with words of their own rather than a message code. Those only someone editing
# standards_map/ or the templates sees stay English: StandardsMapError, TemplateError and the
# template sandbox's SecurityError (raised in standards.py, labels.py, render.py, sandbox.py and
# the like). FileRefused is never shown as it is: each caller words what it refused. The office
# pool's "busy" lock error (office_pages.py) is caught where it is raised.
ENGLISH_ERRORS = {"StandardsMapError", "TemplateError", "SecurityError", "FileRefused"}
ENGLISH_AT = {"office_pages.py"}


def test_errors_shown_to_a_user_are_raised_with_message_codes():
    trees = {p: ast.parse(p.read_text()) for p in sorted((ROOT / "generator").rglob("*.py"))}
    kinds = {"CcdocsError"}
    for _ in range(3):  # subclasses of subclasses
        kinds |= {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id in kinds for b in node.bases)
        }
    assert {"OutputError", "PublishError", "EvidenceChanged"} <= kinds
    worded_here = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in trees.items()
        if path.name not in ENGLISH_AT
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in kinds - ENGLISH_ERRORS - {"ProfileError"}  # that one holds findings
    ]
    assert not worded_here


def test_every_message_made_in_the_code_gets_the_blanks_its_words_have():
    """A code raised, found or said with fewer arguments than its words have blanks would fail
    where it is made: each call with a code written out is checked against both catalogues."""
    makers = {"error": 1, "finding": 1, "words": 0, "said": 0, "text": 0}
    missing = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            at = makers.get(node.func.id)
            if at is None or len(node.args) <= at or any(k.arg is None for k in node.keywords):
                continue
            code = node.args[at]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue
            given = {k.arg for k in node.keywords} | {"hint"}
            for language in ("en", "zh"):
                entry = catalogue(language).get(code.value)
                if entry is None:
                    continue  # a label of another group, or checked by the test above
                texts = (
                    [entry["text"], entry.get("hint", "")] if isinstance(entry, dict) else [entry]
                )
                lacking = set().union(*(_fields(str(t)) for t in texts)) - given
                if lacking:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {code.value} {lacking}")
    assert not missing
