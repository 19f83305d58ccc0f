"""The assessor's workbook: written for a profile (or a folder of documents), read back.

One row per scored item of a standard with levels (CC-CMM-OC): the center's self-scores beside
it, read-only, and the assessor's columns: C and F (the standard's scores, drop-downs), the
result grade (assessment.yaml, drop-down), evidence, finding, the corrective action's owner and
due date, comment, assessor and date. An "about" sheet names the organization, the standard and
the assessment date. The same content as YAML for those who prefer text.

Reading reports every problem at once, each located as ``file.xlsx:Sheet!C7`` (or
``file.yaml:line:col``) with the column's name, in the workbook's language.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Finding, Location, ProfileError
from generator.render import fill
from generator.standards import Catalog, Standard

COLUMNS = (
    "id",
    "section",
    "item",
    "self_c",
    "self_f",
    "c",
    "f",
    "grade",
    "evidence",
    "finding",
    "owner",
    "due",
    "comment",
    "assessor",
    "date",
)
_EDITABLE = COLUMNS[5:]


@dataclass(frozen=True)
class Row:
    """One scored item as the assessor recorded it."""

    requirement: str
    c: int | None = None
    f: int | None = None
    grade: str = ""
    evidence: tuple[str, ...] = ()
    finding: str = ""
    owner: str = ""
    due: dt.date | None = None
    comment: str = ""
    assessor: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class Assessment:
    """What an assessor's workbook (or YAML) holds."""

    standard: str
    organization: str
    subject: str  # the profile or folder assessed, as written on the about sheet
    date: dt.date | None
    rows: tuple[Row, ...] = field(default=())
    source: str = ""

    def scores(self) -> dict[str, dict[str, int]]:
        """The audited scores as {requirement uid: {dimension: score}}."""
        return {
            r.requirement: {k: v for k, v in (("c", r.c), ("f", r.f)) if v is not None}
            for r in self.rows
            if r.c is not None or r.f is not None
        }


def scored_standard(catalog: Catalog, standard_id: str | None = None) -> Standard:
    """The standard with levels an assessment scores (CC-CMM-OC unless named)."""
    for standard in catalog.standards.values():
        if standard.levels and standard_id in (None, standard.id):
            return standard
    raise KeyError(standard_id)


# -- writing ---------------------------------------------------------------------------------------


def write_workbook(
    path: Path,
    catalog: Catalog,
    standard: Standard,
    labels: Mapping[str, Any],
    language: str,
    about: Mapping[str, str],
    self_scores: Mapping[str, Mapping[str, int]],
) -> None:
    """The workbook for ``standard``: every item with its self-scores, the assessor's columns
    unlocked with drop-downs, the rest locked (protection without a password: it guards against
    slips, not people)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    from generator.audit.write import append_row, filter_sheet, lay_out, save_book

    words = labels["assessment"]
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet"]
    append_row(sheet, words["columns"])
    sections = {s.id: s.title[language] for top in standard.sections for s in top.walk()}
    for req in standard.requirements:
        own = self_scores.get(req.uid, {})
        append_row(
            sheet,
            [
                req.uid,
                f"{req.section} {sections.get(req.section, '')}".strip(),
                f"{req.number} {req.title[language]}",
                own.get("c"),
                own.get("f"),
            ],
        )
    rows = len(standard.requirements) + 1
    scores = ",".join(str(s) for s in standard.scoring.get("scores", [0, 5, 10]))
    grades = ",".join(g["title"][language] for g in catalog.grades)
    for column, options in (("F", scores), ("G", scores), ("H", grades)):
        check = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        sheet.add_data_validation(check)
        check.add(f"{column}2:{column}{rows}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    sheet.add_data_validation(dates)
    dates.add(f"L2:L{rows}")
    dates.add(f"O2:O{rows}")
    grey = PatternFill("solid", fgColor="EEEEEE")
    for row in sheet.iter_rows(min_row=2, max_row=rows):
        for cell in row[: len(COLUMNS)]:
            editable = COLUMNS[cell.column - 1] in _EDITABLE
            cell.protection = Protection(locked=not editable)
            if COLUMNS[cell.column - 1] in ("self_c", "self_f"):
                cell.fill = grey
            if COLUMNS[cell.column - 1] in ("due", "date"):
                cell.number_format = "yyyy-mm-dd"
    filter_sheet(sheet)
    lay_out(sheet, (20, 18, 36, 7, 7, 9, 9, 14, 28, 36, 14, 12, 28, 12, 12))
    sheet.column_dimensions["A"].hidden = False
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False  # filtering and sorting stay possible
    sheet.protection.sort = False
    info = book.create_sheet(words["info_sheet"])
    values = [about["organization"], standard.id, about["subject"], about["date"]]
    for name, value in zip(words["info"], values, strict=True):
        append_row(info, [name, value])
        info.cell(row=info.max_row, column=1).font = Font(bold=True)
    info.append([])
    append_row(info, [words["instructions"]])
    info.cell(row=info.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    info.merge_cells(start_row=info.max_row, start_column=1, end_row=info.max_row, end_column=2)
    info.row_dimensions[info.max_row].height = 120
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 80
    save_book(book, path, about["date"] or None)


def write_yaml(
    path: Path,
    standard: Standard,
    language: str,
    about: Mapping[str, str],
    self_scores: Mapping[str, Mapping[str, int]],
) -> None:
    """The same as YAML: one entry per item, the self-scores as a comment."""
    lines = [
        "# ccdocs assessment: fill c, f (0/5/10) and grade (compliant, observation, minor, major)",
        f"organization: {json.dumps(about['organization'], ensure_ascii=False)}",
        f"standard: {standard.id}",
        f"subject: {json.dumps(about['subject'], ensure_ascii=False)}",
        f"date: {about['date'] or ''}",
        "items:",
    ]
    for req in standard.requirements:
        own = self_scores.get(req.uid, {})
        mine = f"self: C {own.get('c', '-')}, F {own.get('f', '-')}"
        lines.append(f"  - requirement: {req.uid}  # {req.number} {req.title[language]}; {mine}")
        for key in ("c", "f", "grade", "evidence", "finding", "owner", "due", "comment"):
            lines.append(f"    {key}:")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- reading ---------------------------------------------------------------------------------------


def read_assessment(
    path: Path, catalog: Catalog, labels: Mapping[str, Any], evidence_root: Path
) -> Assessment:
    """The assessment in ``path`` (.xlsx or .yaml); ProfileError with every problem located."""
    reader = _Reader(path, catalog, labels, evidence_root)
    if path.suffix.lower() in (".yaml", ".yml"):
        return reader.from_yaml()
    return reader.from_workbook()


class _Reader:
    def __init__(
        self, path: Path, catalog: Catalog, labels: Mapping[str, Any], evidence_root: Path
    ) -> None:
        self.path = path
        self.catalog = catalog
        self.words = labels["assessment"]
        self.errors = self.words["errors"]
        self.sep = str(labels["list_sep"])
        self.evidence_root = evidence_root
        self.problems: list[Finding] = []
        self.grades = {g["id"]: g["id"] for g in catalog.grades}
        for g in catalog.grades:
            for title in g["title"].values():
                self.grades[title] = g["id"]

    def problem(self, where: str, column: str, key: str, **values: Any) -> None:
        message = fill(self.errors[key], f"assessment.errors.{key}", **values)
        self.problems.append(Finding(Location(Path(where), pointer=column), message, "error"))

    def fail(self, where: str, key: str, **values: Any) -> ProfileError:
        self.problem(where, "", key, **values)
        return ProfileError(self.problems)

    # -- the workbook ----------------------------------------------------------------------------

    def from_workbook(self) -> Assessment:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, data_only=True)
        except Exception as e:  # a damaged or foreign file: say so, located at the file
            raise self.fail(str(self.path), "unreadable", reason=str(e) or type(e).__name__) from e
        sheet = next((book[n] for n in book.sheetnames if n in _names("sheet")), None)
        if sheet is None:
            raise self.fail(str(self.path), "sheet", sheet=self.words["sheet"])
        about = next((book[n] for n in book.sheetnames if n in _names("info_sheet")), None)
        info = [row[1] if len(row) > 1 else None for row in about.values] if about else []
        info += [None] * (4 - len(info))
        heads = [str(c.value or "") for c in sheet[1]]

        def head(column: str) -> str:
            index = COLUMNS.index(column)
            return heads[index] if index < len(heads) and heads[index] else column

        rows: list[Row] = []
        seen: dict[str, str] = {}
        for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            values = dict(zip(COLUMNS, cells, strict=False))
            if not values.get("id"):
                continue

            def at(column: str, number: int = number) -> str:
                return f"{self.path}:{sheet.title}!{_letter(column)}{number}"

            rows += self._row(values, at, head, seen)
        standard_id = str(info[1]) if info[1] else None
        standard = self._standard(standard_id, f"{self.path}:{about.title if about else ''}!B2")
        self._known(rows, standard, seen)
        if self.problems:
            raise ProfileError(self.problems)
        return Assessment(
            standard=standard,
            organization=str(info[0] or ""),
            subject=str(info[2] or ""),
            date=_as_date(info[3]),
            rows=tuple(rows),
            source=self.path.name,
        )

    # -- YAML --------------------------------------------------------------------------------------

    def from_yaml(self) -> Assessment:
        try:
            root = yaml.compose(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise self.fail(str(self.path), "unreadable", reason=str(e)) from e
        top = _mapping(root)
        items = top.get("items")
        rows: list[Row] = []
        seen: dict[str, str] = {}
        for node in getattr(items, "value", []) or []:
            entry = _mapping(node)
            values = {k: _scalar(v) for k, v in entry.items()}
            values["id"] = values.pop("requirement", None)
            marks = {k: v.start_mark for k, v in entry.items()}

            def at(column: str, marks: Mapping[str, Any] = marks, node: Any = node) -> str:
                key = "requirement" if column == "id" else column
                mark = marks.get(key, node.start_mark)
                return f"{self.path}:{mark.line + 1}:{mark.column + 1}"

            rows += self._row(values, at, lambda column: column, seen)
        node = top.get("standard")
        where = f"{self.path}:{node.start_mark.line + 1}" if node else str(self.path)
        standard = self._standard(_scalar(node) if node else None, where)
        self._known(rows, standard, seen)
        if self.problems:
            raise ProfileError(self.problems)
        return Assessment(
            standard=standard,
            organization=str(_scalar(top.get("organization")) or ""),
            subject=str(_scalar(top.get("subject")) or ""),
            date=_as_date(_scalar(top.get("date"))),
            rows=tuple(rows),
            source=self.path.name,
        )

    # -- shared ----------------------------------------------------------------------------------

    def _row(
        self,
        values: Mapping[str, Any],
        at: Callable[[str], str],
        head: Callable[[str], str],
        seen: dict[str, str],
    ) -> list[Row]:
        uid = str(values.get("id")).strip()
        if uid in seen:
            self.problem(at("id"), head("id"), "duplicate", item=uid, other=seen[uid])
            return []
        seen[uid] = at("id")

        def check(column: str, key: str, **words: Any) -> None:
            self.problem(at(column), head(column), key, **words)

        grade = self._grade(values.get("grade"), check)
        evidence = _list(values.get("evidence"))
        for name in evidence:
            if not (self.evidence_root / name).is_file():
                check("evidence", "evidence", value=name, folder=str(self.evidence_root))
        due, date = (self._date(values.get(column), column, check) for column in ("due", "date"))
        owner = str(values.get("owner") or "").strip()
        corrective = {g["id"] for g in self.catalog.grades if g["corrective"]}
        if grade in corrective and (not owner or due is None):
            check("owner", "corrective")
        return [
            Row(
                requirement=uid,
                c=self._score(values.get("c"), "c", check),
                f=self._score(values.get("f"), "f", check),
                grade=grade,
                evidence=tuple(evidence),
                finding=str(values.get("finding") or "").strip(),
                owner=owner,
                due=due,
                comment=str(values.get("comment") or "").strip(),
                assessor=str(values.get("assessor") or "").strip(),
                date=date,
            )
        ]

    def _score(self, value: Any, column: str, check: Callable[..., None]) -> int | None:
        allowed = tuple(scored_standard(self.catalog).scoring.get("scores", (0, 5, 10)))
        if value in (None, ""):
            return None
        score = _integer(value)
        if score in allowed:
            return score
        check(column, "score", allowed=self.sep.join(str(a) for a in allowed), value=value)
        return None

    def _grade(self, value: Any, check: Callable[..., None]) -> str:
        text = str(value or "").strip()
        grade = self.grades.get(text, "") if text else ""
        if text and not grade:
            check("grade", "grade", value=text, allowed=self.sep.join(sorted(self.grades)))
        return grade

    def _date(self, value: Any, column: str, check: Callable[..., None]) -> dt.date | None:
        date = _as_date(value)
        if value not in (None, "") and date is None:
            check(column, "date", value=value)
        return date

    def _standard(self, standard_id: Any, where: str) -> str:
        try:
            return scored_standard(self.catalog, str(standard_id) if standard_id else None).id
        except KeyError:
            self.problem(where, "", "standard", value=standard_id)
            return ""

    def _known(self, rows: Sequence[Row], standard_id: str, seen: Mapping[str, str]) -> None:
        if not standard_id:
            return
        known = {r.uid for r in self.catalog.standards[standard_id].requirements}
        for row in rows:
            if row.requirement not in known:
                column = str(self.words["columns"][0])
                self.problem(seen[row.requirement], column, "unknown_item", item=row.requirement)


def _names(key: str) -> set[str]:
    """A sheet's name in every language: a workbook made in English is read in a Chinese run."""
    from generator.labels import LANGUAGES, load_labels
    from generator.render import template_dirs

    return {str(load_labels(lang, template_dirs())["assessment"][key]) for lang in LANGUAGES}


def _letter(column: str) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(COLUMNS.index(column) + 1))


def _integer(value: Any) -> int | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).replace("；", ";").replace("\n", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _mapping(node: Any) -> dict[str, Any]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value}


def _scalar(node: Any) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return [str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode)]
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.value != "" else None
    return None
