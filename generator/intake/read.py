"""Read an intake workbook back into a profile.

Sheets and headers are recognized in every shipped language, so a workbook made in English is
read in a Chinese run. What a cell cannot hold (a number that is not one, a text written once and
per language) is reported by the reader; everything else by the profile's own validator, whose
findings are moved from JSON pointers to the cells the values came from. Every problem is located
as ``center.xlsx:角色!C7: <the column's name>: ...`` and all are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import Finding, Location, ProfileError
from generator.fieldpath import escape_pointer_token
from generator.intake.cells import CellError, as_text, from_cells, set_path, table_steps
from generator.intake.layout import Field, Sheet
from generator.intake.words import (
    Column,
    field_name,
    intake_words,
    plain_field_name,
    plain_sheet_name,
    sheet_names,
    split_language,
    table_columns,
)
from generator.messages import relocated, told
from generator.profile import Profile
from generator.render import fill
from generator.standards import Catalog


@dataclass(frozen=True)
class Imported:
    """A workbook's profile and where each value came from."""

    data: dict[str, Any]
    cells: Mapping[str, tuple[str, str]]  # JSON pointer → (file:sheet!cell, the field in words)
    sheets: Mapping[str, str]  # sheet path → its name in this workbook
    problems: tuple[Finding, ...] = ()  # what the cells could not hold; those values left out


def read_intake(
    path: Path, layout: Sequence[Sheet], labels: Mapping[str, Mapping[str, Any]], language: str
) -> Imported:
    """The profile in the workbook at ``path``, with what its cells could not hold. ``labels``
    are the label catalogues of every shipped language; messages are in ``language``.
    ProfileError when the file is not a workbook."""
    reader = _Reader(path, layout, labels, language)
    if not reader.read():
        raise ProfileError(reader.problems)
    return Imported(reader.data, reader.cells, reader.found, tuple(reader.problems))


def workbook_language(path: Path, labels: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The language a workbook was made in, known by its instructions sheet's name."""
    from openpyxl import load_workbook

    try:
        names = set(load_workbook(path, read_only=True).sheetnames)
    except Exception:  # not a workbook: read_intake says so, located
        return None
    return next(
        (lang for lang, words in labels.items() if intake_words(words).get("about_sheet") in names),
        None,
    )


def check_intake(
    imported: Imported, path: Path, catalog: Catalog, hints: str = "", language: str = "en"
) -> list[Finding]:
    """Every error of an imported workbook: what its cells could not hold, then the profile
    validator's errors, moved from JSON pointers to the cells the values came from (one
    finding per cell: a value the reader refused is not reported again as missing). ``hints``
    is the label that points at the sheet of the ids a reference must use."""
    from generator.validate import validate_profile

    found = list(imported.problems)
    seen = {str(f.location.file) for f in found}
    profile = Profile(path, imported.data)  # findings keep their pointers: moved below
    for finding in validate_profile(profile, catalog).errors:
        where, words = _nearest(imported.cells, finding.location.pointer, str(path))
        if where not in seen:
            said = told(finding, language)
            hint = _sheet_hint(finding.hint, imported, hints, said.hint)
            found.append(relocated(said, Location(Path(where), pointer=words), hint))
    return found


_ID_HINT = re.compile(r"^use an id defined under (\S+)$")


def _sheet_hint(hint: str, imported: Imported, words: str, otherwise: str) -> str:
    """The validator's "use an id defined under roles" as the sheet the ids are on."""
    match = _ID_HINT.match(hint)
    sheet = imported.sheets.get(f"{match.group(1)}[]") if match else None
    return fill(words, "intake.errors.id_hint", sheet=sheet) if sheet and words else otherwise


def _nearest(cells: Mapping[str, tuple[str, str]], pointer: str, file: str) -> tuple[str, str]:
    probe = pointer
    while probe and probe not in cells:
        probe = probe.rsplit("/", 1)[0]
    return cells.get(probe, (file, pointer or "/"))


class _Reader:
    def __init__(
        self,
        path: Path,
        layout: Sequence[Sheet],
        labels: Mapping[str, Mapping[str, Any]],
        language: str,
    ) -> None:
        self.path, self.layout, self.labels, self.language = path, layout, labels, language
        self.errors = intake_words(labels[language]).get("errors", {})
        self.problems: list[Finding] = []
        self.data: dict[str, Any] = {}
        self.cells: dict[str, tuple[str, str]] = {}
        self.found: dict[str, str] = {}
        # (table path, key chain) → (item, its pointer); running counts of items without ids
        self.items: dict[tuple[str, tuple[Any, ...]], tuple[dict[str, Any], str]] = {}
        self.counts: dict[tuple[str, tuple[Any, ...]], int] = {}

    def problem(self, where: str, words: str, what: str, **values: Any) -> None:
        text = fill(str(self.errors.get(what, what)), f"intake.errors.{what}", **values)
        self.problems.append(Finding(Location(Path(where), pointer=words), text, "error"))

    def read(self) -> bool:
        """Read every sheet; False when the file is not a workbook."""
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as e:  # a damaged or foreign file: say so, at the file
            self.problem(str(self.path), "", "unreadable", reason=str(e) or type(e).__name__)
            return False
        by_name = self._sheet_paths()
        skipped = {
            str(intake_words(words).get("about_sheet", "about")) for words in self.labels.values()
        }
        present: dict[str, Any] = {}
        for name in book.sheetnames:
            if name in skipped:
                continue
            if name not in by_name:
                self.problem(f"{self.path}:{name}!A1", name, "unknown_sheet")
                continue
            present[by_name[name]] = book[name]
            self.found[by_name[name]] = name
        for sheet in self.layout:  # parents before their children
            if sheet.path in present:
                if sheet.kind == "fields":
                    self._fields(sheet, present[sheet.path])
                else:
                    self._table(sheet, present[sheet.path])
        book.close()
        return True

    def _sheet_paths(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for words in self.labels.values():
            for path, name in sheet_names(self.layout, words).items():
                found.setdefault(name, path)
        for sheet in self.layout:  # as a workbook made before the catalogue named it calls it
            found.setdefault(plain_sheet_name(sheet), sheet.path)
        return found

    def at(self, sheet: Any, row: int, column: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.path}:{sheet.title}!{get_column_letter(column)}{row}"

    # -- a fields sheet --------------------------------------------------------------------------

    def _fields(self, sheet: Sheet, book_sheet: Any) -> None:
        fields = {f.full: f for f in sheet.fields}
        rows = list(book_sheet.iter_rows(values_only=True))
        if not rows:
            return
        heads = [split_language(as_text(h))[1] if h is not None else None for h in rows[0][2:]]
        base = "/" + "/".join(sheet.path.split(".")) if sheet.path else ""
        for number, row in enumerate(rows[1:], start=2):
            code = as_text(row[0]).strip() if row and row[0] is not None else ""
            values = list(row[2:]) + [None] * (len(heads) - len(row[2:]))
            if not code:
                continue
            item = fields.get(code)
            if item is None:
                if any(v not in (None, "") for v in values):
                    self.problem(self.at(book_sheet, number, 1), code, "unknown_field")
                continue
            words = field_name(item, self.labels[self.language])
            where = self.at(book_sheet, number, 3)
            per = {lang: v for lang, v in zip(heads, values, strict=False) if lang}
            plain = values[0] if values else None
            value = self._value(item, plain, per, where, words)
            pointer = base + "/" + "/".join(escape_pointer_token(p) for p in item.path.split("."))
            if value is None:
                if item.required and "." not in item.path:
                    self.problem(where, words, "required")
                continue
            set_path(self._section(sheet.path), item.path, value)
            self.cells[pointer] = (where, words)
        if sheet.path and base not in self.cells:
            self.cells[base] = (self.at(book_sheet, 1, 1), book_sheet.title)

    def _section(self, path: str) -> dict[str, Any]:
        target = self.data
        for part in path.split(".") if path else ():
            target = target.setdefault(part, {})
        return target

    def _value(
        self, item: Field, plain: Any, per: Mapping[str, Any], where: str, words: str
    ) -> Any:
        try:
            return from_cells(item, plain, per)
        except CellError as e:
            self.problem(where, words, e.key, **e.values)
            return None

    # -- a table ---------------------------------------------------------------------------------

    def _table(self, sheet: Sheet, book_sheet: Any) -> None:
        rows = book_sheet.iter_rows(values_only=True)
        header = next(rows, ())
        columns = self._columns(sheet, book_sheet, header)
        for number, row in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            self._row(sheet, book_sheet, columns, number, row)

    def _columns(self, sheet: Sheet, book_sheet: Any, header: Sequence[Any]) -> list[Column | None]:
        known: dict[str, Column] = {}
        for words in self.labels.values():
            for each in table_columns(sheet, self.layout, words, ()):
                known.setdefault(each.header, each)
        for field in sheet.fields:  # as workbooks made before the catalogues named the field
            known.setdefault(plain_field_name(field), Column(field, header=plain_field_name(field)))
        columns: list[Column | None] = []
        for index, head in enumerate(header, start=1):
            text = as_text(head).strip() if head is not None else ""
            base, language = split_language(text)
            column: Column | None = known.get(text) or known.get(base)
            if column is not None and language and column.field is not None:
                column = Column(column.field, language, header=text)
            if text and column is None:
                self.problem(self.at(book_sheet, 1, index), text, "unknown_column")
            columns.append(column)
        return columns

    def _row(
        self,
        sheet: Sheet,
        book_sheet: Any,
        columns: Sequence[Column | None],
        number: int,
        row: Sequence[Any],
    ) -> None:
        cells = _RowCells()
        for index, (column, value) in enumerate(zip(columns, row, strict=False), start=1):
            if column is not None:
                cells.take(column, value, self.at(book_sheet, number, index), self._ids(column))
        item: dict[str, Any] = {}
        placed: dict[str, tuple[str, str]] = {}
        for field in sheet.fields:
            if field.path not in cells.where:
                continue
            cell, words = cells.where[field.path]
            words = split_language(words)[0]
            plain, per = cells.plain.get(field.path), cells.per.get(field.path, {})
            value = self._value(field, plain, per, cell, words)
            if value is None:
                if field.required and "." not in field.path:
                    self.problem(cell, words, "required")
                continue
            set_path(item, field.path, value)
            placed[field.path] = (cell, words)
        row_at = (self.at(book_sheet, number, 1), book_sheet.title)
        self._place(sheet, row_at, tuple(cells.chain), cells.own_key, item, placed)

    def _ids(self, column: Column) -> bool:
        parent = next((s for s in self.layout if s.path == column.parent), None)
        return parent is not None and parent.has_ids

    def _place(
        self,
        sheet: Sheet,
        row_at: tuple[str, str],
        chain: tuple[Any, ...],
        own_key: str | None,
        item: dict[str, Any],
        placed: Mapping[str, tuple[str, str]],
    ) -> None:
        """Put a row's item under its parent (or the profile) and note where its values came
        from."""
        target, pointer = self.data, ""
        if sheet.parents:
            parent = self.items.get((sheet.parents[-1], chain))
            if parent is None:
                shown = " / ".join(str(k) for k in chain)
                named = self.found.get(sheet.parents[-1], sheet.parents[-1])
                self.problem(*row_at, "no_parent", key=shown, sheet=named)
                return
            target, pointer = parent
        steps = table_steps(sheet.path)
        pointer += "".join("/" + escape_pointer_token(p) for p in steps[-2].split("."))
        if steps[-1] == "*":
            container = _container(target, steps[-2], dict)
            if own_key in container or not own_key:
                self.problem(*row_at, "duplicate_key", key=own_key or "")
                return
            container[own_key] = item
            pointer += "/" + escape_pointer_token(own_key)
            key: Any = own_key
        else:
            items = _container(target, steps[-2], list)
            pointer += f"/{len(items)}"
            items.append(item)
            self.counts[(sheet.path, chain)] = count = self.counts.get((sheet.path, chain), 0) + 1
            key = item.get("id") if sheet.has_ids else count
        self.items[(sheet.path, (*chain, key))] = (item, pointer)
        self.cells[pointer] = row_at
        for path, spot in placed.items():
            self.cells[pointer + "/" + "/".join(path.split("."))] = spot


class _RowCells:
    """A table row's cells by what they hold: parents' keys, its own key, each field's text
    written once and per language, and where each field's first cell is."""

    def __init__(self) -> None:
        self.chain: list[Any] = []
        self.own_key: str | None = None
        self.plain: dict[str, Any] = {}
        self.per: dict[str, dict[str, Any]] = {}
        self.where: dict[str, tuple[str, str]] = {}

    def take(self, column: Column, value: Any, cell: str, parent_has_ids: bool) -> None:
        if column.field is None:
            text = as_text(value).strip() if value is not None else ""
            if column.parent:
                self.chain.append(int(text) if text.isdigit() and not parent_has_ids else text)
            else:
                self.own_key = text
            return
        path = column.field.path
        if column.language is None:
            self.plain[path] = value
            self.where[path] = (cell, column.header)
        else:
            self.per.setdefault(path, {})[column.language] = value
            self.where.setdefault(path, (cell, column.header))


def _container(target: dict[str, Any], dotted: str, kind: type) -> Any:
    parts = dotted.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    return target.setdefault(parts[-1], kind())
