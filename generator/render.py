"""Render stage: the sandboxed Jinja environment, its filters and labels, Markdown per document.

Profile values are data: they are escaped once, where the model enters the templates, so that
each renders as exactly the characters typed in pandoc (DOCX, PDF) and in Python-Markdown (the
site), and Jinja never evaluates them. Wording comes from the label catalogue of the chosen
language. Templates and labels may come from a consultant's folder: they run in the sandbox, are
read only from inside their own folder, and labels fill in plain ``{name}`` fields only.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, pass_context
from jinja2 import TemplateError as JinjaError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from generator.bundled import bundled_dir
from generator.errors import TemplateError
from generator.evidence import FileRefused, read_inside
from generator.labels import inside, load_labels
from generator.resolve import DocumentModel
from generator.sandbox import BoundedEnvironment, render_bounded
from generator.template_cache import template_cache

# Characters no output can show: dropped. XML (DOCX, XLSX) cannot hold them, and Python-Markdown
# uses two of them (STX, ETX) to mark its placeholders.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INDENT = re.compile(r"^[ \t]+", re.M)
# What makes text active in pandoc's Markdown or in Python-Markdown with the site's extensions.
# Line starts: headings, list markers, rules and setext underlines, fences, admonitions (!!!),
# divs (:::) and definitions. Anywhere: emphasis, code, links and images, attribute lists,
# HTML and entities, table cells, and the closing hashes of a heading. An underscore between two
# letters or digits stays as it is: both read it as part of the word (ids like duty_manager).
_MARKUP = re.compile(
    r"""^(?P<number>\d+)(?P<delimiter>[.)])(?=\s|$)
      | ^-(?=\s|$|[-=_*\s]*$)
      | ^[#!+~:=]
      | \#(?=\#*[ \t]*$)
      | (?<![A-Za-z0-9])_ | _(?![A-Za-z0-9])
      | [\\`*\[\]{}&<>|]
    """,
    re.M | re.X,
)
# Python-Markdown backslash-escapes only \ ` * _ { } [ ] ( ) > # + - . ! and, with tables, |;
# the rest are numeric entities, which pandoc reads too.
_ESCAPES = {
    **{c: "\\" + c for c in "\\`*_{}[]|#!+-"},
    **{"&": "&amp;", "<": "&lt;", ">": "&gt;", "~": "&#126;", ":": "&#58;", "=": "&#61;"},
}
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "#126": "~", "#58": ":", "#61": "="}
_ESCAPED = re.compile(r"\\(.)|&(amp|lt|gt|#126|#58|#61);", re.S)
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")  # the profile schema's ids
# Text without any of these has nothing that _MARKUP, _INDENT or _CONTROLS would change.
_MAYBE_MARKUP = re.compile(
    r"[-\\`*\[\]{}&<>|_#!+~:=\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|^[ \t\d]", re.M
)


def template_dirs(overrides: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for templates: a consultant's overrides first, then the shipped ones."""
    return [*overrides, bundled_dir("templates")]


class FolderLoader(FileSystemLoader):
    """A FileSystemLoader that reads each template once, from inside its template folder.

    Jinja already refuses names with ``..`` and treats absolute names as relative; this also
    opens the file one folder at a time without following links (a link in a consultant's folder
    that points elsewhere is refused), only if it is a regular file of at most ``TEMPLATE_LIMIT``
    bytes, and reads it from that one open file.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # TemplateNotFound for names with ".."
        for folder in self.searchpath:
            path = posixpath.join(folder, *pieces)
            if os.path.lexists(path):
                return _template_source(Path(folder), PurePosixPath(*pieces), path)
        raise TemplateNotFound(template)


TEMPLATE_LIMIT = 4 * 1024 * 1024


def _template_source(folder: Path, relative: PurePosixPath, path: str) -> tuple[str, str, Any]:
    if not inside(path, folder):  # a link leading out: refused before anything is opened
        raise TemplateError(f"{path}: leads out of its template folder {folder}")
    try:
        stamp = os.stat(path).st_mtime_ns
        source = read_inside(folder, relative, TEMPLATE_LIMIT).decode("utf-8")
    except FileRefused as e:
        raise TemplateError(str(e)) from e
    except UnicodeDecodeError as e:
        raise TemplateError(f"{path}: not UTF-8 text at byte {e.start}; save it as UTF-8") from e
    except OSError as e:
        raise TemplateError(f"{path}: cannot read: {e.strerror}") from e
    return source, path, lambda: _stamp(path) == stamp


def _stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def escape_text(value: Any) -> Any:
    """Deep copy of ``value`` with every string made inert Markdown (see ``escape_markdown``).

    Mapping keys that are ids are escaped like the values that refer to them, so a lookup by
    an escaped id (``names.roles[owner]``) finds its entry; other keys stay as they are.
    """
    if isinstance(value, str):
        return escape_markdown(value)
    if isinstance(value, Mapping):
        return {_escape_key(k): escape_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_text(v) for v in value]
    return value


def _escape_key(key: Any) -> Any:
    # Of an id's characters only "_" can change.
    if isinstance(key, str) and "_" in key and _ID.fullmatch(key):
        return escape_markdown(key)
    return key


def escape_markdown(text: str) -> str:
    """Markdown that pandoc and Python-Markdown both render as exactly ``text``.

    Control characters are dropped and lines lose their leading spaces and tabs, which Markdown
    would not show either (four would start a code block); other whitespace is kept.
    """
    if not _MAYBE_MARKUP.search(text):
        return text  # most text: quicker to find nothing to escape than to escape it
    text = _INDENT.sub("", without_controls(re.sub(r"\r\n?", "\n", text)))
    return _MARKUP.sub(_escape_match, text)


def _escape_match(match: re.Match[str]) -> str:
    if match["number"]:
        return f"{match['number']}\\{match['delimiter']}"
    return _ESCAPES[match[0]]


def plain_text(text: str) -> str:
    """The characters that text escaped by ``escape_markdown`` stands for."""
    return _ESCAPED.sub(lambda m: m[1] if m[1] is not None else _ENTITIES[m[2]], text)


def without_controls(text: str) -> str:
    """``text`` without the control characters that no output format can show."""
    return _CONTROLS.sub("", text)


def make_environment(dirs: Sequence[Path], labels: Mapping[str, Any]) -> SandboxedEnvironment:
    """The template environment of ``dirs`` and ``labels``, kept per process.

    Compiling the templates is most of a render; a batch renders many profiles with the same
    templates. Jinja still checks each template file's time stamp and recompiles a changed one;
    a changed label file gives a new ``labels`` object, hence a new environment.
    """
    key = (tuple(dirs), id(labels))
    if key not in _ENVIRONMENTS:
        if len(_ENVIRONMENTS) >= 16:
            _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = _new_environment(dirs, labels)
    return _ENVIRONMENTS[key]


_ENVIRONMENTS: dict[tuple[tuple[Path, ...], int], SandboxedEnvironment] = {}


def _new_environment(dirs: Sequence[Path], labels: Mapping[str, Any]) -> SandboxedEnvironment:
    env = BoundedEnvironment(
        loader=FolderLoader([str(d) for d in dirs]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        # "{#" opens Markdown heading attributes ({#anchor}), so comments use "{##" ... "##}".
        comment_start_string="{##",
        comment_end_string="##}",
        bytecode_cache=template_cache(),
    )
    env.filters.update(FILTERS)
    env.globals["L"] = labels
    return env


class Renderer:
    """The environment and escaped context of one build, to render several templates with."""

    def __init__(self, model: DocumentModel, language: str, overrides: Sequence[Path] = ()):
        dirs = template_dirs(overrides)
        self.labels = load_labels(language, dirs)
        self.language = language
        self._env = make_environment(dirs, self.labels)
        self._context = {**escape_text(model.context), "lang": language}

    def with_data(self, extra: Mapping[str, Any]) -> Renderer:
        """A renderer whose context also holds ``extra``, escaped once for all its renders."""
        other = copy.copy(self)
        other._context = {**self._context, **escape_text(extra)}
        return other

    def render(self, name: str, extra: Mapping[str, Any] | None = None) -> str:
        """Markdown text of the template ``name``; ``extra`` adds computed data to the context."""
        context = {**self._context, **escape_text(extra or {})}
        return _tidy(render_template(self._env, name, context))


def render_template(env: SandboxedEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """The template ``name`` of ``env`` rendered with ``context``; TemplateError naming the
    template and line when it fails (a consultant's template may fail in any way)."""
    try:
        return render_bounded(env.get_template(name), dict(context))
    except JinjaError as e:
        where = f"{getattr(e, 'filename', None) or name}:{getattr(e, 'lineno', '?')}"
        raise TemplateError(f"{where}: {e}") from e


def render_documents(
    model: DocumentModel, language: str, overrides: Sequence[Path] = ()
) -> dict[str, str]:
    """Markdown text of every generated document, keyed by document id."""
    renderer = Renderer(model, language, overrides)
    return {
        doc_id: renderer.render(f"manual/{doc_id}.md.jinja")
        for doc_id in model.context["document_set"]
    }


def placeholder_pattern(template: str) -> re.Pattern[str]:
    """A regex matching the placeholders the label ``template`` produces."""
    prefix = template.split("{field}")[0]
    suffix = template.split("{requirements}")[-1]
    return re.compile(re.escape(prefix) + ".+?" + re.escape(suffix))


def fill(label: str, name: str, /, **values: Any) -> str:
    """``label`` with each ``{field}`` replaced by ``values[field]``, as ``str.format`` would.

    Only plain field names are filled: a label (perhaps a consultant's) cannot reach attributes
    or items of the values (``{company.__class__}``). TemplateError naming ``name`` otherwise.
    """
    return "".join(
        text + (str(values[field]) if field else "")
        for text, field in label_parts(label, name, values)
    )


def label_parts(label: str, name: str, fields: Collection[str]) -> list[tuple[str, str]]:
    """``label`` as (text, field) pairs, the field "" after the last text.

    TemplateError naming the label ``name`` when a field is not one of ``fields``, or has a
    conversion, a format spec, an attribute or an index.
    """
    try:
        parsed = list(string.Formatter().parse(label))
    except ValueError as e:
        raise TemplateError(f"label {name!r}: {e}: {label!r}") from e
    parts = []
    for text, field, spec, conversion in parsed:
        if field is not None and (field not in fields or spec or conversion):
            allowed = ", ".join(f"{{{f}}}" for f in sorted(fields)) or "none"
            raise TemplateError(
                f"label {name!r}: {{{field}}} is not a field it can fill ({allowed}): {label!r}"
            )
        parts.append((text, field or ""))
    return parts


def code_fence(lines: Iterable[str]) -> str:
    """A backtick fence longer than any run of backticks in ``lines``: none of them closes it."""
    return "`" * max(3, _longest_backticks(lines) + 1)


def _longest_backticks(texts: Iterable[str]) -> int:
    return max((len(run) for text in texts for run in re.findall("`+", text)), default=0)


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and end with exactly one newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def level_text(
    labels: Mapping[str, Any], level: int, name: Mapping[str, str] | None, lang: str
) -> str:
    """``L2 专业级``, or the label for below the first level."""
    if not level or not name:
        return str(labels["audit"]["below_first"])
    return f"L{level} {name.get(lang) or next(iter(name.values()))}"


def maturity_headline(labels: Mapping[str, Any], result: Mapping[str, Any], lang: str) -> str:
    """One sentence: the supported level, the claimed one, and what was not assessed."""
    audit = labels["audit"]
    text = fill(
        audit["headline"],
        "audit.headline",
        standard=result["short"],
        level=level_text(labels, result["level"], result["level_name"], lang),
        claimed=level_text(labels, result["claimed_level"], result["claimed_level_name"], lang),
    )
    if result["provisional"]:
        total = result["supported"]["total"]
        text += fill(
            audit["headline_provisional"],
            "audit.headline_provisional",
            unscored=str(labels["list_sep"]).join(result["scope"]["unscored"]) or labels["none"],
            total="" if total["assessable"] else audit["headline_total"],
        )
    return text


def outcome_headline(labels: Mapping[str, Any], result: Mapping[str, Any], lang: str) -> str:
    """One sentence: the outcome named, or whether the documents are ready for a review."""
    audit = labels["audit"]
    if result["outcome"] is None:
        key = "outcome_ready" if result["ready"] else "outcome_not_ready"
        missing = result["requirements"] - result["met"]
        return fill(audit[key], f"audit.{key}", standard=result["short"], missing=missing)
    rated = [c for c in result["categories"] if c["rated"]]
    name = result["name"]
    return fill(
        audit["outcome_named"],
        "audit.outcome_named",
        standard=result["short"],
        name=name.get(lang) or next(iter(name.values())),
        results=result["results"],
        exceeding=sum(1 for c in rated if c["exceeds"]),
        rated=len(rated),
    )


@pass_context
def outcome_headline_filter(context: Context, result: Mapping[str, Any]) -> str:
    return outcome_headline(context["L"], result, context["lang"])


@pass_context
def maturity_headline_filter(context: Context, result: Mapping[str, Any]) -> str:
    return maturity_headline(context["L"], result, context["lang"])


def subject_words(
    kind: str, subject: str, fields: Mapping[str, str], names: Mapping[str, Mapping[str, str]]
) -> str | None:
    """What a gap is about in words: a field by its name, a document or record by its title
    (``names["documents"]``), a training audience by its role's (or module's) name, a consistency
    rule by its words (``names["rules"]``); None where the catalogues have no words for it. The
    gap report and the audit workbook both say it so."""
    if kind in ("field", "date", "total"):
        return fields.get(subject)
    if kind in ("document", "record"):
        return names.get("documents", {}).get(subject)
    if kind == "content":  # content a document must show (ccdocs check-docs)
        return names.get("content", {}).get(subject)
    if kind == "audience":
        return names.get("roles", {}).get(subject) or names.get("modules", {}).get(subject)
    if kind == "rule":  # a consistency rule, by its words in the label catalogue
        return names.get("rules", {}).get(subject)
    return None


# -- filters ------------------------------------------------------------------------------------


@pass_context
def in_words(context: Context, item: Mapping[str, Any]) -> str:
    """A gap's subject in words (``subject_words``), else as code."""
    names = {
        **context["names"],
        "documents": context["document_names"],
        "rules": context["L"]["audit"]["rules"],
    }
    words = subject_words(item["kind"], plain_text(item["subject"]), context["L"]["fields"], names)
    return str(words) if words else code(item["subject"])


@pass_context
def cell(context: Context, value: Any) -> str:
    """A value as a single Markdown table cell: lists joined, line breaks flattened."""
    labels = context["L"]
    if value is None or value == "" or value == []:
        return str(labels["none"])
    if isinstance(value, list | tuple):
        return str(labels["item_sep"]).join(cell(context, v) for v in value)
    return " ".join(number(value).split("\n"))


def dot_text(value: Any) -> str:
    """Escaped text as the inside of a quoted Graphviz (DOT) string: one line, its backslashes
    and quotes escaped, so it is shown as written (no DOT escapes such as \\n or \\N), and
    "&", "<" and ">" as the character entities Graphviz reads in every label (the diagram's
    source in the Markdown then holds no markup either)."""
    text = " ".join(plain_text(str(value)).split("\n"))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fill_filter(label: Any, **values: Any) -> str:
    """The ``fill`` filter: a label with its ``{name}`` fields filled, as ``fill`` does."""
    return fill(str(label), "(in a template)", **values)


def code(value: Any) -> str:
    """Escaped text as an inline code span, which shows its characters as they are."""
    text = " ".join(plain_text(str(value)).split("\n"))
    fence = "`" * (_longest_backticks([text]) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def verbatim(value: Any) -> str:
    """Escaped text as typed, for a line of a fenced code block (where escapes would show)."""
    return plain_text(str(value))


def number(value: Any) -> str:
    """Numbers without a trailing .0; other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def anchor(value: Any) -> str:
    """A stable heading anchor from an id (escaped or not: both give the same anchor)."""
    return re.sub(r"[^a-z0-9-]+", "-", plain_text(str(value)).lower()).strip("-")


FILTERS: dict[str, Callable[..., Any]] = {
    "cell": cell,
    "code": code,
    "fill": fill_filter,
    "dot": dot_text,
    "in_words": in_words,
    "typed": plain_text,  # escaped text as typed, to look it up as a key (a KPI id)
    "num": number,
    "anchor": anchor,
    "verbatim": verbatim,
    "maturity_headline": maturity_headline_filter,
    "outcome_headline": outcome_headline_filter,
}
