"""Write the intake workbook: a profile (or a preset's example rows) as sheets a manager fills in.

Headers are in the workbook's language, each with the field's description as a comment; fields
the profile's targets mandate are highlighted and say which requirement asks for them;
enumerations and ids defined on other sheets have drop-downs; a fields sheet's names are locked
(protection without a password: it prevents slips, not people).
"""

from __future__ import annotations

import copy
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.intake.cells import get_path, rows_of, to_cells
from generator.intake.layout import Field, Sheet
from generator.intake.words import (
    Column,
    field_help,
    field_name,
    intake_words,
    sheet_names,
    table_columns,
    value_columns,
)
from generator.render import fill

_MANDATED = "FCE4D6"  # a mandated field's header
_HEADER = "DDE6F0"
_LOCKED = "EEEEEE"
_ROWS = 500  # drop-downs reach this far below the last example row


@dataclass(frozen=True)
class Intake:
    """What a workbook is made from."""

    data: Mapping[str, Any]
    language: str
    source: str  # the profile or preset, as the instructions sheet names it
    example: bool = False  # a preset's rows, to be replaced by the center's own
    mandated: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date: str | None = None


def write_intake(
    path: Path,
    intake: Intake,
    layout: Sequence[Sheet],
    labels: Mapping[str, Any],
    languages: Sequence[str],
    options: Mapping[str, Sequence[str]],
) -> None:
    """The workbook for ``intake``; ``options`` are the catalogue's lists (``catalog:standards``)
    offered as drop-downs."""
    from openpyxl import Workbook

    from generator.audit.write import save_book

    book = Workbook()
    writer = _Writer(book, intake, layout, labels, languages, options)
    writer.about(book.active)
    for sheet in layout:
        if sheet.kind == "fields":
            writer.fields_sheet(sheet)
        else:
            writer.table_sheet(sheet)
    save_book(book, path, intake.date)


class _Writer:
    def __init__(
        self,
        book: Any,
        intake: Intake,
        layout: Sequence[Sheet],
        labels: Mapping[str, Any],
        languages: Sequence[str],
        options: Mapping[str, Sequence[str]],
    ) -> None:
        self.book, self.intake, self.layout, self.labels = book, intake, layout, labels
        self.languages, self.options = list(languages), options
        self.words = intake_words(labels)
        self.names = sheet_names(layout, labels)
        self.id_parents = {s.path: s.has_ids for s in layout}
        self.id_ranges = self._id_ranges()
        self.styles: dict[str, Any] = {}

    def about(self, sheet: Any) -> None:
        from openpyxl.styles import Alignment, Font

        from generator.audit.write import append_row

        sheet.title = str(self.words.get("about_sheet", "about"))
        org = self.intake.data.get("organization", {})
        rows = [
            (self.words.get("organization", "organization"), _plain(org.get("name"))),
            (self.words.get("source", "source"), self.intake.source),
            (self.words.get("languages", "languages"), ", ".join(self.languages)),
        ]
        for name, value in rows:
            append_row(sheet, [str(name), value])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        notes = [self.words.get("instructions", "")]
        if self.intake.example:
            notes.append(self.words.get("example", ""))
        for note in notes:
            sheet.append([])
            append_row(sheet, [str(note)])
            cell = sheet.cell(row=sheet.max_row, column=1)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2
            )
            sheet.row_dimensions[sheet.max_row].height = 150 if note == notes[0] else 45
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 90
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.protection.sheet = True

    # -- a sheet of single values ----------------------------------------------------------------

    def fields_sheet(self, sheet: Sheet) -> None:
        from openpyxl.styles import PatternFill, Protection

        from generator.audit.write import append_row

        out = self.book.create_sheet(self.names[sheet.path])
        words = self.words.get("fields_columns", ["field", "name", "value"])
        value_name = str(words[2])
        texts = [f for f in sheet.fields if f.kind in ("text", "texts")]
        shape = texts[0] if texts else sheet.fields[0]
        heads = [c.header for c in value_columns(shape, value_name, self.languages)]
        append_row(out, [str(words[0]), str(words[1]), *heads])
        self._style_header(out)
        grey = PatternFill("solid", fgColor=_LOCKED)
        section = get_path(self.intake.data, sheet.path) if sheet.path else self.intake.data
        for number, item in enumerate(sheet.fields, start=2):
            cells = to_cells(item, get_path(section, item.path), self.languages)
            cells = cells[: len(heads)]
            append_row(out, [item.full, field_name(item, self.labels), *cells])
            for column in (1, 2):
                out.cell(row=number, column=column).fill = grey
            self._comment(out.cell(row=number, column=2), item)  # a mandated name turns orange
            for column in range(3, 3 + len(heads)):
                cell = out.cell(row=number, column=column)
                cell.protection = Protection(locked=False)
                self._format(cell, item)
                if item.kind not in ("text", "texts") and column > 3:
                    cell.fill = grey
            self._choices(out, item, f"C{number}")
        if self.intake.mandated.keys() & {f.full for f in sheet.fields}:
            out.sheet_properties.tabColor = _MANDATED
        self._lay_out(out, [30, 24, *([40] * len(heads))])
        out.column_dimensions["A"].hidden = False
        out.protection.sheet = True

    # -- a table ---------------------------------------------------------------------------------

    def table_sheet(self, sheet: Sheet) -> None:
        from generator.audit.write import append_row

        out = self.book.create_sheet(self.names[sheet.path])
        columns = table_columns(sheet, self.layout, self.labels, self.languages)
        append_row(out, [c.header for c in columns])
        self._style_header(out)
        styles = [self._style(c.field) for c in columns]
        count = 0
        for row in rows_of(self.intake.data, sheet, self.id_parents):
            *keys, own, item = row
            cells: list[Any] = [*keys] + ([own] if sheet.keyed else [])
            for f in sheet.fields:
                cells += to_cells(f, get_path(item, f.path), self.languages)
            count += 1
            _put_row(out, count + 1, cells, styles)
        last = count + 1 + _ROWS
        for index, column in enumerate(columns, start=1):
            head = out.cell(row=1, column=index)
            letter = head.column_letter
            if column.field is None:
                self._key_choices(out, sheet, column.parent, f"{letter}2:{letter}{last}")
                continue
            self._comment(head, column.field)
            if column.language is None:
                self._choices(out, column.field, f"{letter}2:{letter}{last}")
        mandated = self.intake.mandated
        if sheet.path in mandated or sheet.path.removesuffix("[]") in mandated:
            out.sheet_properties.tabColor = _MANDATED
        self._lay_out(out, [_width(c.field) for c in columns])
        self._fold_languages(out, columns, count + 1)
        out.auto_filter.ref = f"A1:{out.cell(row=1, column=len(columns)).column_letter}{count + 1}"

    # -- shared ------------------------------------------------------------------------------------

    def _style_header(self, out: Any) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        out.freeze_panes = "A2"
        for cell in out[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_HEADER)
            # A heading wider than its column (RTO (minutes) over a number) wraps, not cut off.
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def _comment(self, cell: Any, item: Field) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill

        lines = [field_help(item, self.labels)]
        cites = self.intake.mandated.get(item.full)
        if cites:
            mandated = str(self.words.get("mandated", "{cites}"))
            lines.append(fill(mandated, "intake.mandated", cites=", ".join(cites)))
            cell.fill = PatternFill("solid", fgColor=_MANDATED)
        if item.kind in ("list", "texts"):
            lines.append(str(self.words.get("one_per_line", "")))
        if item.kind == "list" and item.enum:
            lines.append(", ".join(str(e) for e in item.enum))
        text = "\n".join(line for line in lines if line)
        if text:
            cell.comment = Comment(text, "ccdocs", width=320, height=120)

    def _format(self, cell: Any, item: Field) -> None:
        style = self._style(item)
        if style is not None:
            cell._style = copy.copy(style)

    def _style(self, item: Field | None) -> Any:
        """The style of a value cell, made once per workbook and copied (setting a style on each
        cell of a large sheet costs seconds): dates as dates, texts and lists wrapped."""
        from openpyxl.styles import Alignment

        if item is None:
            return None
        kind = "date" if item.schema.get("format") == "date" else item.kind
        if kind not in ("date", "text", "texts", "list"):
            return None
        if kind not in self.styles:
            sample = self.book.active.cell(row=1000, column=50)
            if kind == "date":
                sample.number_format = "yyyy-mm-dd"
            else:
                sample.alignment = Alignment(wrap_text=True, vertical="top")
            self.styles[kind] = copy.copy(sample._style)
            self.book.active._cells.pop((1000, 50))
        return self.styles[kind]

    def _choices(self, out: Any, item: Field, cells: str) -> None:
        """A drop-down on ``cells``: the enumeration, the ids of another sheet, or a catalogue
        list; none for lists (a cell holds several values)."""
        if item.kind != "scalar":
            return
        if item.enum:
            self._list(out, cells, '"' + ",".join(str(e) for e in item.enum) + '"')
        elif item.ref in self.id_ranges:
            self._list(out, cells, self.id_ranges[item.ref])
        elif item.ref in self.options:
            self._list(out, cells, '"' + ",".join(self.options[item.ref]) + '"')

    def _key_choices(self, out: Any, sheet: Sheet, parent: str, cells: str) -> None:
        if parent and f"{parent}.id" in self.id_ranges:
            self._list(out, cells, self.id_ranges[f"{parent}.id"])
        elif not parent and sheet.keyed and self.options.get(sheet.path):
            self._list(out, cells, '"' + ",".join(self.options[sheet.path]) + '"')

    def _list(self, out: Any, cells: str, formula: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        if formula.startswith('"') and len(formula) > 257:
            return  # Excel's limit for a list written in the rule; the column stays free
        check = DataValidation(type="list", formula1=formula, allow_blank=True)
        check.showErrorMessage = False  # a warning-free hint: the import checks the value
        out.add_data_validation(check)
        check.add(cells)

    def _id_ranges(self) -> dict[str, str]:
        """``roles[].id`` → the range of the roles sheet's id column."""
        from openpyxl.utils import get_column_letter

        ranges = {}
        for sheet in self.layout:
            if sheet.kind != "table" or not sheet.has_ids:
                continue
            columns = table_columns(sheet, self.layout, self.labels, self.languages)
            index = next(i for i, c in enumerate(columns, 1) if c.field and c.field.path == "id")
            letter = get_column_letter(index)
            name = self.names[sheet.path].replace("'", "''")
            ranges[f"{sheet.path}.id"] = f"'{name}'!${letter}$2:${letter}$2000"
        return ranges

    def _lay_out(self, out: Any, widths: Sequence[int]) -> None:
        from openpyxl.utils import get_column_letter

        for index, width in enumerate(widths, start=1):
            out.column_dimensions[get_column_letter(index)].width = width
        # The headings wrap; a reader lays out row heights only as they are written, so the
        # heading row is made as tall as its longest heading needs.
        lines = [
            _lines(str(cell.value or ""), width)
            for cell, width in zip(out[1], widths, strict=False)
        ]
        if max(lines, default=1) > 1:
            out.row_dimensions[1].height = _LINE_HEIGHT * max(lines)
        out.page_setup.orientation = "landscape"
        out.page_setup.paperSize = out.PAPERSIZE_A4
        out.page_setup.fitToWidth = 1
        out.page_setup.fitToHeight = 0
        out.sheet_properties.pageSetUpPr.fitToPage = True
        out.print_title_rows = "1:1"

    def _fold_languages(self, out: Any, columns: Sequence[Column], rows: int) -> None:
        """Language columns nobody wrote in are folded away (the outline's "+" shows them):
        most texts are written once, in the document language."""
        for index, column in enumerate(columns, start=1):
            if column.language is None:
                continue
            cells = out.iter_rows(min_row=2, max_row=rows, min_col=index, max_col=index)
            if all(row[0].value is None for row in cells):
                dimension = out.column_dimensions[out.cell(row=1, column=index).column_letter]
                dimension.outline_level = 1
                dimension.hidden = True


def _put_row(out: Any, number: int, values: Sequence[Any], styles: Sequence[Any]) -> None:
    """One row of values, strings always text (never a formula or an error value), control
    characters XML cannot hold dropped, as the audit workbooks write them."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for column, (value, style) in enumerate(zip(values, styles, strict=False), start=1):
        if value is None:
            continue
        cell = out.cell(row=number, column=column)
        if isinstance(value, str):
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"
        else:
            cell.value = value
        if style is not None:
            cell._style = copy.copy(style)


_LINE_HEIGHT = 15  # points: one line of 11 pt text


def _lines(text: str, width: int) -> int:
    """The lines ``text`` (bold) takes in a column ``width`` characters wide: a Chinese
    character is two characters wide."""
    wide = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text) * 1.1
    return max(1, math.ceil(wide / max(width - 1, 1)))


def _width(item: Field | None) -> int:
    if item is None:
        return 16
    if item.kind in ("text", "texts"):
        return 30
    return 16 if item.path == "id" or item.ref else 12


def _plain(value: Any) -> str:
    if isinstance(value, Mapping):
        return " / ".join(str(v) for v in value.values())
    return "" if value is None else str(value)
