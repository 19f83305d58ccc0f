"""Render stage: the sandboxed Jinja environment, its filters and labels, Markdown per document.

Profile values are data: they are escaped once, where the model enters the templates (``&``, ``<``,
``>`` become entities and ``|`` is backslash-escaped, so no value can open HTML or break a table),
and Jinja never evaluates them. Wording comes from the label catalogue of the chosen language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2 import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from generator.bundled import bundled_dir
from generator.errors import TemplateError
from generator.resolve import DocumentModel

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available

LANGUAGES = ("zh", "en")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|"})


def template_dirs(overrides: Sequence[Path] = ()) -> list[Path]:
    """Folders searched for templates: a consultant's overrides first, then the shipped ones."""
    return [*overrides, bundled_dir("templates")]


def load_labels(language: str, dirs: Sequence[Path]) -> dict[str, Any]:
    """The label catalogue of ``language``, from the first template folder that has one."""
    if language not in LANGUAGES:
        raise TemplateError(f"no labels for language {language!r}; use one of {LANGUAGES}")
    for folder in dirs:
        path = folder / "labels" / f"{language}.yaml"
        if path.is_file():
            return _read_labels(path, path.stat().st_mtime_ns)
    raise TemplateError(f"no labels/{language}.yaml in {', '.join(map(str, dirs))}")


@functools.lru_cache(maxsize=16)
def _read_labels(path: Path, _mtime: int) -> dict[str, Any]:
    """A label file, parsed once per process (and again when it changes)."""
    try:
        labels: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as e:
        raise TemplateError(f"{path}: invalid YAML: {e}") from e
    return labels


def escape_text(value: Any) -> Any:
    """Deep copy of ``value`` with every string made safe to place in Markdown."""
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, Mapping):
        return {k: escape_text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_text(v) for v in value]
    return value


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
    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(d) for d in dirs]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        # "{#" opens Markdown heading attributes ({#anchor}), so comments use "{##" ... "##}".
        comment_start_string="{##",
        comment_end_string="##}",
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

    def render(self, name: str, extra: Mapping[str, Any] | None = None) -> str:
        """Markdown text of the template ``name``; ``extra`` adds computed data to the context."""
        context = {**self._context, **escape_text(extra or {})}
        try:
            return _tidy(self._env.get_template(name).render(context))
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
        for doc_id in model.context["documents"]
    }


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and end with exactly one newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# -- filters ------------------------------------------------------------------------------------


@pass_context
def cell(context: Context, value: Any) -> str:
    """A value as a single Markdown table cell: lists joined, line breaks flattened."""
    labels = context["L"]
    if value is None or value == "" or value == []:
        return str(labels["none"])
    if isinstance(value, list | tuple):
        return str(labels["item_sep"]).join(cell(context, v) for v in value)
    return " ".join(number(value).split("\n"))


def mermaid_text(value: Any) -> str:
    """Text inside a quoted Mermaid label: entities in Mermaid's own ``#name;`` form."""
    text = str(value)
    for entity, code in (("&amp;", "#amp;"), ("&lt;", "#lt;"), ("&gt;", "#gt;"), ("\\|", "#124;")):
        text = text.replace(entity, code)
    return text.replace('"', "#quot;")


def number(value: Any) -> str:
    """Numbers without a trailing .0; other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def anchor(value: Any) -> str:
    """A stable heading anchor from an id."""
    return re.sub(r"[^a-z0-9-]+", "-", str(value).lower()).strip("-")


FILTERS: dict[str, Callable[..., Any]] = {
    "cell": cell,
    "mermaid": mermaid_text,
    "num": number,
    "anchor": anchor,
}
