"""Profile values as cell values and back, without loss.

A text written once goes in its own column, a text per language in its language columns. A list
is one cell, an item per line; a list of texts is one cell per column, the lines of the columns
aligned (line 3 of every column is item 3, so items written once and items per language can mix).
Dates are date cells; times, ids and other strings stay text. An enumeration's value is written
as the profile has it (``360`` stays a number).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from generator.intake.layout import Field, Sheet

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STEP = re.compile(r"\[\]|\.\*")


class CellError(ValueError):
    """A cell that cannot hold what its column needs; the message key of ``intake.errors``."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


# -- walking the profile ---------------------------------------------------------------------------


def table_steps(path: str) -> list[str]:
    """``processes[].steps[]`` as ``["processes", "[]", "steps", "[]"]``;
    ``document_control.*.revisions[]`` as ``["document_control", "*", "revisions", "[]"]``."""
    steps: list[str] = []
    pos = 0
    for match in _STEP.finditer(path):
        steps.append(path[pos : match.start()].lstrip("."))
        steps.append("*" if match.group(0) == ".*" else "[]")
        pos = match.end()
    return steps


def rows_of(data: Any, sheet: Sheet, id_parents: Mapping[str, bool]) -> Iterator[tuple[Any, ...]]:
    """Every row of a table sheet as (parent keys..., own key or None, item)."""
    steps = table_steps(sheet.path)
    yield from _walk(data, steps, 0, (), "", id_parents)


def _walk(
    value: Any, steps: Sequence[str], at: int, keys: tuple[Any, ...], path: str, ids: Any
) -> Iterator[tuple[Any, ...]]:
    container = get_path(value, steps[at])
    path += ("." if path else "") + steps[at]
    last = at + 2 >= len(steps)
    if steps[at + 1] == "*":
        entries = list(container.items()) if isinstance(container, Mapping) else []
        path += ".*"
    else:
        items = container if isinstance(container, list) else []
        path += "[]"
        entries = [(_item_key(item, i, ids.get(path, False)), item) for i, item in enumerate(items)]
    for key, item in entries:
        if last:
            own = key if steps[at + 1] == "*" else None
            yield (*keys, own, item)
        else:
            yield from _walk(item, steps, at + 2, (*keys, key), path, ids)


def _item_key(item: Any, index: int, by_id: bool) -> Any:
    if by_id and isinstance(item, Mapping):
        return item.get("id")
    return index + 1


def get_path(value: Any, dotted: str) -> Any:
    """The value at a dotted path inside ``value`` (``target.value``); None when absent."""
    for part in dotted.split(".") if dotted else ():
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


# -- profile value to cells ------------------------------------------------------------------------


def to_cells(field: Field, value: Any, languages: Sequence[str]) -> list[Any]:
    """The cells of ``value``: one, or for a text the text written once and one per language."""
    if field.kind == "text":
        if isinstance(value, Mapping):
            return [None, *(value.get(lang) for lang in languages)]
        return [value, *(None for _ in languages)]
    if field.kind == "texts":
        items = value if isinstance(value, list) else []
        plain = [item if isinstance(item, str) else "" for item in items]
        per = [[_own(item, lang) for item in items] for lang in languages]
        return [_lines(plain), *(_lines(column) for column in per)]
    if field.kind == "list":
        return [_lines([_as_text(v) for v in value]) if isinstance(value, list) else None]
    if isinstance(value, float) and float(f"{value:.15g}") != value:
        return [repr(value)]  # a spreadsheet keeps 15 digits: the exact number as text
    if isinstance(value, str) and _DATE.match(value) and field.schema.get("format") == "date":
        try:
            return [dt.date.fromisoformat(value)]
        except ValueError:
            return [value]
    return [value]


def _own(item: Any, language: str) -> str:
    return str(item.get(language, "")) if isinstance(item, Mapping) else ""


def _lines(values: Sequence[str]) -> str | None:
    return "\n".join(values) if any(values) else None


def lossy_items(value: Any) -> bool:
    """Whether a list of texts has an item with a line break (it would split into two items)."""
    items = value if isinstance(value, list) else []
    texts = [t for item in items for t in (item.values() if isinstance(item, Mapping) else [item])]
    return any("\n" in str(t) for t in texts)


# -- cells to a profile value ----------------------------------------------------------------------


def from_cells(field: Field, plain: Any, per_language: Mapping[str, Any]) -> Any:
    """The profile value of a field's cells, None when they are empty; CellError when a cell
    cannot be read as the field needs."""
    given = {lang: v for lang, v in per_language.items() if not _empty(v)}
    if field.kind == "text":
        if not _empty(plain) and given:
            raise CellError("once_or_per_language")
        if given:
            return {lang: as_text(v) for lang, v in given.items()}
        return None if _empty(plain) else as_text(plain)
    if field.kind == "texts":
        return _texts(plain, given)
    if field.kind == "list":
        if _empty(plain):
            return None
        return [scalar(field.schema, line) for line in _split(plain) if line.strip()]
    return None if _empty(plain) else scalar(field.schema, plain)


def _texts(plain: Any, given: Mapping[str, Any]) -> list[Any] | None:
    columns = {lang: _split(v) for lang, v in given.items()}
    own = _split(plain) if not _empty(plain) else []
    count = max([len(own), *(len(c) for c in columns.values())])
    items: list[Any] = []
    for i in range(count):
        text = own[i] if i < len(own) else ""
        per = {lang: c[i] for lang, c in columns.items() if i < len(c) and c[i]}
        if text and per:
            raise CellError("once_or_per_language_line", line=i + 1)
        if text or per:
            items.append(text or per)
    return items or None


def _split(value: Any) -> list[str]:
    return as_text(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def scalar(schema: Mapping[str, Any], value: Any) -> Any:
    """A single cell's value as the schema wants it; what does not fit is left for the
    validator, which names the rule, except numbers that are not numbers."""
    if "enum" in schema:
        text = as_text(value).strip()
        return next((e for e in schema["enum"] if str(e) == text), text)
    kind = schema.get("type")
    if kind in ("number", "integer"):
        return _number(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    return as_text(value)


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise CellError("number", value=value)
    if isinstance(value, int | float):
        return value
    text = as_text(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError as e:
        raise CellError("number", value=text) from e
    return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", text) else number


def as_text(value: Any) -> str:
    """A cell as text: dates as YYYY-MM-DD, times as HH:MM, whole numbers without '.0'."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
