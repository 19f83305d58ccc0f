"""Hostile input: profile text comes out as the characters typed, inert, in every format, and a
consultant's templates and labels stay in their sandbox and their own folder."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import markdown
import pypandoc
import pytest
import yaml
from click.testing import CliRunner
from conftest import OPEN_SHADOW_ROOTS, bundled, static_server
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from generator.audit.write import append_row
from generator.batch import ClientOutcome, write_summary
from generator.build import build_profile, render_profile
from generator.cli import EXIT_ERRORS, cli
from generator.errors import TemplateError
from generator.publish import PANDOC_MARKDOWN
from generator.render import (
    anchor,
    code,
    dot_text,
    escape_markdown,
    escape_text,
    fill,
    plain_text,
    template_dirs,
    verbatim,
    without_controls,
)

PWNED = "</title><script>window.__pwned=1</script>"
# Each payload has a field of its own in the hostile profile, and is looked for in every format.
PAYLOADS = {
    "organization.name": f"Acme {PWNED}",
    "organization.parent": '<img src=x onerror="window.__pwned=1">',
    "organization.industry": "[click](javascript:window.__pwned=1)",
    "positioning.vision": "<javascript:alert(1)>",
    "positioning.mission": "{{ 7*7 }}",
    "positioning.core_values": "{% include '/etc/passwd' %}",
    "positioning.position": "*emph* _u_ `code`",
    "positioning.culture_adoption": "# heading",
    "positioning.strategy.summary": "1. list",
    "positioning.social_responsibility": "$x$ H~2~O 2^10^ @cite",
    "processes.name": '=HYPERLINK("http://evil","x")',
    "processes.purpose": "![i](http://x/y.png)",
    "kpis.name": "~~~ fence",
    "kpis.definition": "::: div",
    "kpis.formula": "a\\",
    "roles.name": 'Lead "Q" #5; <b>x</b>',
}
RESPONSIBILITIES = ["!!! note", "{: .x}", "- item", "---"]
COMPANY = 'Brand <img src=x onerror="window.__pwned=1"> *co* "q"'
HOSTILE = f"""
extends: minimal
organization:
  name: {json.dumps(PAYLOADS["organization.name"])}
  parent: {json.dumps(PAYLOADS["organization.parent"])}
  industry: {json.dumps(PAYLOADS["organization.industry"])}
document_control:
  operations-manual: {{number: "<b>NUM</b>", version: '1" }} body {{ color: red', owner: lead_}}
positioning:
  vision: {json.dumps(PAYLOADS["positioning.vision"])}
  mission: {json.dumps(PAYLOADS["positioning.mission"])}
  core_values: [{json.dumps(PAYLOADS["positioning.core_values"])}]
  position: {json.dumps(PAYLOADS["positioning.position"])}
  culture_adoption: {json.dumps(PAYLOADS["positioning.culture_adoption"])}
  strategy: {{summary: {json.dumps(PAYLOADS["positioning.strategy.summary"])}}}
  social_responsibility: {json.dumps(PAYLOADS["positioning.social_responsibility"])}
  responsibilities: {json.dumps(RESPONSIBILITIES)}
roles:
  - {{id: lead_, name: {json.dumps(PAYLOADS["roles.name"])}}}
processes:
  - id: p1
    name: {json.dumps(PAYLOADS["processes.name"])}
    kind: business
    owner: lead_
    purpose: {json.dumps(PAYLOADS["processes.purpose"])}
kpis:
  - id: k1
    name: {json.dumps(PAYLOADS["kpis.name"])}
    definition: {json.dumps(PAYLOADS["kpis.definition"])}
    formula: {json.dumps(PAYLOADS["kpis.formula"])}
    owner: lead_
records:
  - id: drill-1
    kind: emergency-test-record
    title: {json.dumps(PAYLOADS["processes.name"])}
    date: 2008-07-12
"""
EVERY_PAYLOAD = [*PAYLOADS.values(), *RESPONSIBILITIES]
# Text that is Markdown, HTML, Jinja or a formula somewhere, for the read-back checks.
NASTY = [
    *EVERY_PAYLOAD,
    "<javascript:alert(1)>",
    "x_.y_.z __init__ duty_manager a__b",
    "a|b \\| c",
    "+---+\n| a |\n+---+",
    "a\n===\nb\n---",
    "    indented code\n\n\tand a tab",
    "\t\n1",
    "[TOC] [^1] ^[note] [x]{.y} <!-- c --> &amp; &#126;",
    "(@) example\nA. fancy\ni. roman\n#. hash",
    "Term\n: definition\n~ tilde",
    "% title\n%author",
    "```\nfenced\n```",
    "C# and F#",
    "\x02wzxhzdk:0\x03 \x00\x1b",
    "line\\\nbreak  \nhard",
]
MARKUP = "\\`*_{}[]()#+-.!|<>&~:=^$@%\"' \n\t1aZ中"
TEXTS = st.one_of(st.text(st.sampled_from(MARKUP), max_size=30), st.text(max_size=30))


def _squeezed(text: str) -> str:
    """``text`` without whitespace: line breaks and spacing are the renderer's to choose."""
    return "".join(text.split())


# -- reading escaped text back ---------------------------------------------------------------


def _document(text: str) -> tuple[str, str]:
    """Escaped ``text`` in the places templates put profile text, and the text it should show."""
    escaped = escape_markdown(text)
    line = " ".join(escaped.split("\n"))  # the |cell filter's single line
    source = f"{escaped}\n\n- {escaped}\n\n| a |\n|---|\n| {line} |\n\n## {line} {{#x}}\n"
    shown = _squeezed(without_controls(text))
    return source, shown * 2 + "a" + shown * 2


def _pandoc_ast(source: str, reader: str = PANDOC_MARKDOWN) -> Any:
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", reader, "-t", "json"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a pandoc JSON tree."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _pandoc_text(source: str) -> tuple[str, set[str]]:
    """The text pandoc reads from ``source``, and the kinds of element it is made of."""
    elements = list(_walk(_pandoc_ast(source)["blocks"]))
    text = "".join(e["c"] for e in elements if e["t"] == "Str")
    return text, {e["t"] for e in elements}


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.base.yml, taking a !!python/name tag for the name it gives."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda _, name, __: name)
SITE_CONFIG = yaml.load(
    (Path(__file__).parents[1] / "site" / "mkdocs.base.yml").read_text(encoding="utf-8"),
    _ConfigLoader,
)
SITE_EXTENSIONS = [
    e if isinstance(e, str) else next(iter(e)) for e in SITE_CONFIG["markdown_extensions"]
]


def _site_text(source: str) -> tuple[str, set[str]]:
    """The text Python-Markdown, with the site's extensions, shows for ``source``; its tags."""
    parser = _HtmlText()
    parser.feed(markdown.markdown(source, extensions=SITE_EXTENSIONS))
    parser.close()
    return "".join(parser.text), parser.tags


PANDOC_ELEMENTS = {"Para", "Plain", "BulletList", "Table", "Header", "Str", "Space", "SoftBreak"}
PANDOC_ELEMENTS |= {"LineBreak", "AlignDefault", "ColWidthDefault", "ColWidth"}
HTML_TAGS = {"p", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "h2", "br"}


def _assert_reads_back(text: str) -> None:
    source, expected = _document(text)
    shown, elements = _pandoc_text(source)
    assert (_squeezed(shown), elements - PANDOC_ELEMENTS) == (expected, set()), source
    shown, tags = _site_text(source)
    assert (_squeezed(shown), tags - HTML_TAGS) == (expected, set()), source


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_reads_back_as_typed_in_pandoc_and_on_the_site(text):
    _assert_reads_back(text)


@settings(max_examples=200, deadline=None, database=None)
@given(TEXTS)
def test_any_escaped_text_reads_back_as_typed(text):
    assume(_squeezed(without_controls(text)))
    _assert_reads_back(text)


def test_ids_enum_values_dates_and_times_are_left_as_they_are():
    for value in ("duty_manager", "duty-mgr", "a.b-c_d", "half-yearly", "2008-07-12", "08:30"):
        assert escape_markdown(value) == value
    assert escape_markdown("cc-cmm-oc-2011/23") == "cc-cmm-oc-2011/23"


def test_an_id_escaped_like_its_references_is_still_found():
    context = escape_text({"names": {"roles": {"lead_": "Lead"}}, "owner": "lead_"})
    assert context["names"]["roles"][context["owner"]] == "Lead"
    placeholders = escape_text({"placeholders": {"roles[].duties": ["x"]}})["placeholders"]
    assert "roles[].duties" in placeholders  # field paths are keys, not text


def test_filters_take_escaped_text_back_to_what_was_typed():
    escaped = escape_markdown('Lead "Q" #5; <b>x</b> | `y` \\N\n2')
    # no DOT escapes left, and no markup: Graphviz shows the entities as the characters
    assert dot_text(escaped) == 'Lead \\"Q\\" #5; &lt;b&gt;x&lt;/b&gt; | `y` \\\\N 2'
    assert anchor(escape_markdown("a_.b")) == anchor("a_.b") == "a-b"
    assert code(escape_markdown("roles[].duties")) == "`roles[].duties`"
    assert code(escape_markdown("a `b`")) == "`` a `b` ``"
    assert verbatim(escape_markdown("- # [x]")) == "- # [x]"
    assert plain_text(escape_markdown("1. *a* ~ : = & < >")) == "1. *a* ~ : = & < >"


# -- labels: plain fields only -----------------------------------------------------------------


def test_fill_substitutes_plain_fields_only():
    assert fill("第 {page} 页，共 {pages} 页 {{x}}", "page_of", page=1, pages=2) == (
        "第 1 页，共 2 页 {x}"
    )
    for label in ("{company.__class__}", "{company[0]}", "{company!r}", "{company:>9}", "{0}"):
        with pytest.raises(TemplateError, match="label 'prepared_by'"):
            fill(label, "prepared_by", company="Acme")
    with pytest.raises(TemplateError, match="label 'prepared_by'"):
        fill("{company", "prepared_by", company="Acme")
    with pytest.raises(TemplateError, match=r"\{other\} is not a field"):
        fill("{other}", "prepared_by", company="Acme")


def test_a_page_label_reaching_for_attributes_stops_docx_and_pdf(tmp_path):
    from generator.publish import DocumentFacts
    from generator.publish.docx import write_reference_doc
    from generator.publish.pdf import _facts

    facts = DocumentFacts("d", "T", "O", "N", "1", "", "", "{page.__class__}", "目录", "zh")
    with pytest.raises(TemplateError, match="page_of"):
        _facts(facts, tmp_path)
    with pytest.raises(TemplateError, match="page_of"):
        write_reference_doc(tmp_path / "reference.docx", facts)


def test_cover_texts_reach_pandoc_as_text_even_true_or_false(tmp_path):
    from generator.publish import DocumentFacts
    from generator.publish.docx import metadata
    from generator.publish.pandoc_run import Conversion, convert

    facts = DocumentFacts("d", "*T* $x$", "true", "N", "1", "2008-07-01", "", "", "目录", "zh")
    target = tmp_path / "d.json"
    convert([Conversion("", "json", target, metadata=metadata(facts))], tmp_path)
    meta = json.loads(target.read_text(encoding="utf-8"))["meta"]
    texts = {k: "".join(e["c"] for e in _walk(v) if e["t"] == "Str") for k, v in meta.items()}
    assert texts == {
        "title": "*T*$x$",
        "subtitle": "true",
        "toc-title": "目录",
    }
    assert {e["t"] for e in _walk(meta)} <= {"MetaInlines", "Str", "Space"}


def test_typst_markup_in_document_facts_is_printed_as_text(tmp_path):
    """The cover and running header get the facts as data (JSON in sys.inputs), never as code:
    Typst markup, a file read, quotes and brackets in them are printed as typed."""
    from generator.publish import DocumentFacts
    from generator.publish.pdf import publish_pdf

    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    nasty = '#read("secret.txt") ] ) } " \\ $x$ <l> @l *b* _i_'
    facts = DocumentFacts("d", nasty, nasty, nasty, nasty, nasty, "", "{page}/{pages}", nasty, "zh")
    pdf = publish_pdf("# T\n\n## 一\n\n正文\n", facts, tmp_path / "d.pdf", tmp_path / "work")
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "TOP-SECRET" not in text
    cover = text.split("\f")[0]
    assert cover.count('#read("secret.txt")') >= 2, cover  # the title and the organization


# -- spreadsheets --------------------------------------------------------------------------------


def _formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        return [
            n for n in book.namelist() if n.startswith("xl/worksheets/") and b"<f>" in book.read(n)
        ]


def test_spreadsheet_text_is_never_a_formula_or_an_error(tmp_path):
    book = Workbook()
    append_row(book.active, ['=HYPERLINK("http://evil","x")', "#N/A", "a\x01b", 3])
    book.save(tmp_path / "x.xlsx")
    assert _formulas(tmp_path / "x.xlsx") == []
    row = [c.value for c in next(load_workbook(tmp_path / "x.xlsx").active.iter_rows())]
    assert row == ['=HYPERLINK("http://evil","x")', "#N/A", "ab", 3]


def test_a_batch_summary_shows_hostile_names_and_errors_as_text(tmp_path):
    outcome = ClientOutcome(
        "=cmd|' /C calc'!A0",
        organization='=HYPERLINK("http://evil","x")',
        errors=("p.yaml:1:1: bad\n```\n# not a heading <script>x</script>",),
    )
    summary, workbook = write_summary([outcome], tmp_path, "en")
    assert _formulas(workbook) == []
    clients = [[c.value for c in r] for r in load_workbook(workbook)["clients"].iter_rows()]
    assert clients[1][:2] == ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil","x")']
    text = summary.read_text(encoding="utf-8")
    assert "\n````text\np.yaml:1:1: bad\n```\n# not a heading <script>x</script>\n````\n" in text
    shown, tags = _site_text(text)
    assert "# not a heading <script>x</script>" in shown and "script" not in tags


# -- consultant templates --------------------------------------------------------------------


def _brand(tmp_path: Path, files: dict[str, str]) -> Path:
    """A branding folder with only template overrides: path under templates/ -> text."""
    for name, text in files.items():
        path = tmp_path / "brand" / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "brand" / "templates").mkdir(parents=True, exist_ok=True)
    return tmp_path / "brand"


def _build(brand: Path, out: Path) -> Any:
    args = ["build", str(bundled("minimal")), "--brand", str(brand), "--format", "md"]
    return CliRunner().invoke(cli, [*args, "--out", str(out)])


SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside every template folder."""
    path = tmp_path / "outside" / "secret.md.jinja"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ L.placeholder.__class__ }}",
        "{% include '../../../etc/passwd' %}",
        "{% include '/etc/passwd' %}",
        "{% include 'manual/../../../../etc/passwd' %}",
    ],
)
def test_a_consultant_template_cannot_reach_internals_or_files(tmp_path, template):
    result = _build(_brand(tmp_path, {"manual/dr-plan.md.jinja": template}), tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "root:" not in result.output and "<class" not in result.output
    assert not (tmp_path / "out" / "minimal").exists()


@pytest.mark.parametrize("name", ["manual/dr-plan.md.jinja", "labels/zh.yaml"])
def test_a_linked_template_or_label_file_outside_the_folder_is_refused(tmp_path, secret, name):
    brand = _brand(tmp_path, {})
    (brand / "templates" / name).parent.mkdir()
    (brand / "templates" / name).symlink_to(secret)
    result = _build(brand, tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "leads out of its template folder" in result.output and SECRET not in result.output
    assert not (tmp_path / "out" / "minimal").exists()


def test_an_included_link_or_a_linked_folder_is_refused(tmp_path, secret):
    brand = _brand(tmp_path, {"manual/dr-plan.md.jinja": "{% include 'manual/_x.md.jinja' %}"})
    (brand / "templates" / "manual" / "_x.md.jinja").symlink_to(secret)
    result = _build(brand, tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS and SECRET not in result.output
    linked = _brand(tmp_path / "b", {})
    (secret.parent / "dr-plan.md.jinja").write_text(SECRET, encoding="utf-8")
    (linked / "templates" / "manual").symlink_to(secret.parent, target_is_directory=True)
    result = _build(linked, tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS and SECRET not in result.output
    assert not (tmp_path / "out" / "minimal").exists()


def test_a_label_reaching_for_attributes_is_a_template_error(tmp_path):
    shipped = template_dirs()[-1] / "labels" / "zh.yaml"
    labels = shipped.read_text(encoding="utf-8").replace(
        'placeholder: "【待补充：{field} - {requirements}】"',
        'placeholder: "{field.__class__.__mro__}"',
    )
    assert "__mro__" in labels
    result = _build(_brand(tmp_path, {"labels/zh.yaml": labels}), tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "{field.__class__.__mro__} is not a field it can fill" in result.output
    assert "<class" not in result.output


def test_a_brand_label_reaching_for_attributes_is_a_template_error(tmp_path):
    shipped = template_dirs()[-1] / "labels" / "zh.yaml"
    text = shipped.read_text(encoding="utf-8")
    labels = re.sub(r"(?m)^prepared_by: .*$", 'prepared_by: "{company.__class__}"', text)
    assert labels != text
    brand = _brand(tmp_path, {"labels/zh.yaml": labels})
    (brand / "brand.yaml").write_text("company: Acme\n", encoding="utf-8")
    result = _build(brand, tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "label 'prepared_by'" in result.output and "<class" not in result.output


def test_templates_in_the_consultant_folder_still_override(tmp_path, catalog):
    brand = _brand(tmp_path, {"manual/dr-plan.md.jinja": "# {{ org.name }} DR\n"})
    rendered = render_profile(bundled("minimal"), catalog=catalog, templates=[brand / "templates"])
    assert rendered.publication.documents["dr-plan"].startswith("# 示例客户服务中心 DR\n")


# -- a hostile profile in every format (end to end) -----------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, catalog) -> Path:
    """The hostile profile built in every format, branded by a company with a hostile name."""
    from generator.brand import load_brand

    folder = tmp_path_factory.mktemp("hostile")
    profile = folder / "profile.yaml"
    profile.write_text(textwrap.dedent(HOSTILE).lstrip(), encoding="utf-8")
    (folder / "brand").mkdir()
    (folder / "brand" / "brand.yaml").write_text(f"company: {json.dumps(COMPANY)}\n", "utf-8")
    brand = load_brand(folder / "brand")
    formats = ("md", "docx", "pdf", "audit", "site")
    return build_profile(
        profile, folder / "out", formats=formats, catalog=catalog, brand=brand
    ).output


@pytest.mark.e2e
def test_the_markdown_reads_back_as_typed(hostile):
    source = (hostile / "manual" / "operations-manual.md").read_text(encoding="utf-8")
    shown, elements = _pandoc_text(source)
    for payload in EVERY_PAYLOAD:
        assert _squeezed(payload) in _squeezed(shown), payload
    assert not elements & {"Image", "Code", "Math", "Cite", "RawInline", "Subscript", "Div"}
    links = [e["c"][2][0] for e in _walk(_pandoc_ast(source)) if e["t"] == "Link"]
    assert links and all(target.startswith("#") for target in links)


@pytest.mark.e2e
def test_the_docx_shows_the_text_and_has_no_links_or_math_from_it(hostile):
    path = hostile / "docx" / "operations-manual.docx"
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    shown = _squeezed("".join([p.text for p in document.paragraphs] + cells))
    for payload in EVERY_PAYLOAD:
        assert _squeezed(payload) in shown, payload
    with zipfile.ZipFile(path) as package:
        body = package.read("word/document.xml").decode("utf-8")
        relations = package.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "<m:oMath" not in body and "javascript" not in relations.lower()
    assert document.core_properties.subject == PAYLOADS["organization.name"]
    header = document.sections[0].header.paragraphs[0].text
    assert header == f'{COMPANY}    <b>NUM</b>  v1" }} body {{ color: red'
    assert f"编制单位：{COMPANY}" in [p.text for p in document.paragraphs]  # the cover


@pytest.mark.e2e
def test_the_pdf_shows_the_text_and_has_no_javascript_links(hostile):
    pdf = hostile / "pdf" / "operations-manual.pdf"
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for payload in EVERY_PAYLOAD:
        assert _squeezed(payload) in _squeezed(text), payload
    assert _squeezed('<b>NUM</b> v1" } body { color: red') in _squeezed(text)  # running header
    assert _squeezed(COMPANY) in _squeezed(text) and "编制单位：" in text
    urls = subprocess.run(["pdfinfo", "-url", str(pdf)], capture_output=True, text=True).stdout
    assert "javascript" not in urls.lower()


@pytest.mark.e2e
def test_the_spreadsheet_holds_text_not_formulas(hostile):
    workbook = hostile / "audit" / "audit.xlsx"
    assert _formulas(workbook) == []
    values = [c.value for row in load_workbook(workbook)["追溯矩阵"].iter_rows() for c in row]
    assert f"{PAYLOADS['processes.name']} (2008-07-12)" in values


@pytest.fixture(scope="module")
def site_url(hostile) -> Iterator[str]:
    with static_server(hostile / "site") as url:
        yield url


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["operations-manual", "index", "dr-plan", "gap-report"])
def test_the_site_shows_the_text_and_runs_none_of_it(browser, site_url, name):
    page = browser.new_page()
    page.add_init_script(OPEN_SHADOW_ROOTS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{site_url}/{name}.html", wait_until="networkidle")
    organization = PAYLOADS["organization.name"]
    assert page.evaluate("window.__pwned") is None and dialogs == []
    assert page.locator('a[href^="javascript:"], [onerror], iframe, img[src="x"]').count() == 0
    assert organization in page.title()
    assert page.get_attribute("a.md-header__button.md-logo", "title") == organization
    assert organization in page.inner_text(".md-header__topic")
    assert COMPANY in page.inner_text(".md-copyright")
    if name == "operations-manual":
        shown = _squeezed(page.inner_text("article"))
        for payload in EVERY_PAYLOAD:
            assert _squeezed(payload) in shown, payload
        drawn = page.inner_text(".ccdocs-diagram")
        assert _squeezed(PAYLOADS["roles.name"]) in _squeezed(drawn), drawn
    page.close()


def test_a_label_with_an_unknown_field_is_a_template_error_not_a_crash(tmp_path):
    shipped = template_dirs()[-1] / "labels" / "zh.yaml"
    text = shipped.read_text(encoding="utf-8")
    labels = re.sub(r"(?m)^placeholder: .*$", 'placeholder: "【待补充：{field} {century}】"', text)
    assert labels != text
    result = _build(_brand(tmp_path, {"labels/zh.yaml": labels}), tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "{century} is not a field it can fill ({field}, {requirements})" in result.output


def test_a_label_file_with_an_alias_bomb_is_refused_with_its_line(tmp_path):
    from test_profile import BILLION_LAUGHS

    result = _build(_brand(tmp_path, {"labels/zh.yaml": BILLION_LAUGHS}), tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "labels/zh.yaml:1:" in result.output and "more than 200,000 values" in result.output
