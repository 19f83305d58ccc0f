"""Tables and tokens of a DOCX body as a printed manual needs them.

pandoc gives every column of a table the same width and lets Word split a row across pages.
Here each table gets column widths from its content, the way a browser lays out an automatic
table: no column narrower than its longest unbreakable word (so ids and dates are never cut),
the rest of the text width shared out in proportion to what each column would need on one line.
Every row is kept on one page; the header row repeats (pandoc marks it) and is shaded by the
"Table" style. A hyphen between letters or digits (document numbers, dates, phone numbers, ids)
becomes Word's non-breaking hyphen, so a line never ends inside such a token.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from docx.oxml.ns import qn

_W_TBL, _W_TR, _W_TC, _W_P, _W_T = qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:p"), qn("w:t")
_W_CANT_SPLIT, _W_NO_BREAK_HYPHEN = qn("w:cantSplit"), qn("w:noBreakHyphen")
_XML_SPACE = qn("xml:space")
_W_W, _W_TYPE, _W_TBL_LAYOUT = qn("w:w"), qn("w:type"), qn("w:tblLayout")
_AFTER_LAYOUT = (qn("w:tblCellMar"), qn("w:tblLook"))
# Word's default cell margins (0.19 cm each side) and a little air, in twentieths of a point.
CELL_PADDING = 2 * 108 + 40
# How wide a character of the table text (10.5 pt) may be set, in twentieths of a point: a
# Chinese character is an em; a Latin letter or digit is taken at 0.6 em, as wide as the wider
# fallback faces a reader without Calibri lays it out in (DejaVu Sans' digits are 0.64 em).
_WIDE, _NARROW = 210, 126
_BOLD = 1.2  # bold Latin text is up to a fifth wider (DejaVu Sans Bold against DejaVu Sans)
# A column whose widest line is at most this wide is never wrapped when the table has room.
_SHORT = 10 * _WIDE
_WORD = re.compile(r"[（(“‘《「]?[0-9A-Za-z][0-9A-Za-z\-‑.:%+()]*/?[）)”’》」，。、；：]?")
_HYPHENATED = re.compile(r"(?<=[0-9A-Za-z])-(?=[0-9A-Za-z])")


def finish_tables(body: Any, text_width: int, skip: set[Any] | None = None) -> None:
    """Lay out every table of ``body`` (a w:body element) but those in ``skip``: column widths
    within ``text_width`` (twentieths of a point), rows that do not split across pages."""
    for table in body.iter(_W_TBL):
        if skip and table in skip:
            continue
        rows = [row for row in table if row.tag == _W_TR]
        for row in rows:
            _keep_row_together(row)
        grid = table.find(qn("w:tblGrid"))
        cells = [[cell for cell in row if cell.tag == _W_TC] for row in rows]
        columns = len(grid) if grid is not None else 0
        if not columns or any(len(row) != columns for row in cells):
            continue  # merged cells: leave the table as pandoc made it
        widths = column_widths(
            [[_cell_text(cell) for cell in row] for row in cells], text_width, columns
        )
        _set_widths(table, grid, cells, widths)


def column_widths(
    rows: list[list[str]], available: int, columns: int, *, header: bool = True
) -> list[int]:
    """Widths (twentieths of a point) of ``columns`` columns holding ``rows`` of texts (the first
    a bold header row, when ``header``), filling ``available``: each at least its longest word,
    a short column as wide as its widest line, and the rest shared by what each long column
    needs on one line beyond that."""
    least = [CELL_PADDING] * columns
    most = [CELL_PADDING] * columns
    for y, row in enumerate(rows):
        bold = _BOLD if y == 0 and header else 1.0  # the header row is set bold: wider
        for x, text in enumerate(row):
            least[x] = max(least[x], CELL_PADDING + round(_longest_word(text) * bold))
            most[x] = max(most[x], CELL_PADDING + round(_longest_line(text) * bold))
    if sum(most) <= available:  # everything fits on one line: share out the room left as well
        return _scaled(most, available)
    if sum(least) >= available:  # even the words do not fit: shrink them all alike
        return _scaled(least, available)
    short = [m <= _SHORT + CELL_PADDING for m in most]
    widths = [m if s else n for m, n, s in zip(most, least, short, strict=True)]
    if sum(widths) >= available or all(short):
        widths = least[:]  # no room to spare for the short ones first
        short = [False] * columns
    room = available - sum(widths)
    extra = [0 if s else m - w for m, w, s in zip(most, widths, short, strict=True)]
    total = sum(extra) or 1
    widths = [w + room * e // total for w, e in zip(widths, extra, strict=True)]
    widths[-1] += available - sum(widths)
    return widths


def line_width(texts: list[str], *, bold: bool = False) -> int:
    """The width of a column that sets each of ``texts`` on one line (short labels: a Chinese
    label may break between any two characters, which a label must not)."""
    factor = _BOLD if bold else 1.0
    return CELL_PADDING + round(max((_longest_line(t) for t in texts), default=0) * factor)


def _scaled(widths: list[int], total: int) -> list[int]:
    scaled = [w * total // sum(widths) for w in widths]
    scaled[-1] += total - sum(scaled)
    return scaled


def glyph_width(text: str) -> int:
    if text.isascii():  # no wide character among them: the common case, counted at once
        return _NARROW * len(text)
    return sum(_WIDE if unicodedata.east_asian_width(c) in "WF" else _NARROW for c in text)


def _longest_word(text: str) -> int:
    """The widest piece a line may not break inside: a run of Latin letters, digits and the
    marks that join them with the punctuation that clings to it (an opening bracket cannot end
    a line, a closing one or a comma cannot start one), else one Chinese character. A path
    may break after each "/"."""
    longest = max((glyph_width(w) for w in _WORD.findall(text)), default=0)
    wide = _WIDE if glyph_width(text) != _NARROW * len(text) else 0
    return max(longest, wide)


def _longest_line(text: str) -> int:
    return max((glyph_width(line) for line in text.split("\n")), default=0)


def _cell_text(cell: Any) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(_W_T)) for p in cell.iter(_W_P))


def child(parent: Any, tag: str, *, first: bool = False) -> Any:
    """The ``tag`` child of ``parent``, made (as its first child when ``first``) if missing."""
    name = _QN.get(tag) or _QN.setdefault(tag, qn(tag))
    found = next((c for c in parent if c.tag == name), None)  # lxml's find parses its path
    if found is None:
        found = parent.makeelement(name)  # as OxmlElement makes it, without its class lookup
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


_QN: dict[str, str] = {}  # prefixed tag -> Clark name, as qn gives it


def _set_widths(table: Any, grid: Any, cells: list[list[Any]], widths: list[int]) -> None:
    props = child(table, "w:tblPr", first=True)
    width = child(props, "w:tblW")
    width.set(_W_W, str(sum(widths)))
    width.set(_W_TYPE, "dxa")
    if props.find(_W_TBL_LAYOUT) is None:
        layout = props.makeelement(_W_TBL_LAYOUT)
        layout.set(_W_TYPE, "fixed")
        # after tblW, tblJc, tblCellSpacing, tblInd and tblBorders, shd; before tblCellMar, tblLook
        later = [c for c in props if c.tag in _AFTER_LAYOUT]
        if later:
            later[0].addprevious(layout)
        else:
            props.append(layout)
    texts = [str(value) for value in widths]
    for column, text in zip(grid, texts, strict=True):
        column.set(_W_W, text)
    for row in cells:
        for cell, text in zip(row, texts, strict=True):
            # tcPr comes first in a cell, tcW first in tcPr (cnfStyle aside)
            cell_width = child(child(cell, "w:tcPr", first=True), "w:tcW", first=True)
            cell_width.set(_W_W, text)
            cell_width.set(_W_TYPE, "dxa")


def _keep_row_together(row: Any) -> None:
    props = child(row, "w:trPr", first=True)
    if props.find(_W_CANT_SPLIT) is None:
        # cantSplit precedes trHeight and tblHeader
        props.insert(0, props.makeelement(_W_CANT_SPLIT))


def keep_tokens_whole(body: Any) -> None:
    """Make each hyphen between two letters or digits in ``body``'s text (dates, document
    numbers, phone numbers, ids) Word's non-breaking hyphen (w:noBreakHyphen), so Word never
    ends a line inside such a token. (LibreOffice may still break a run of digits that touches
    Chinese text between two digits: its line breaking for Chinese allows that anywhere.)"""
    for text in list(body.iter(_W_T)):
        value = text.text or ""
        if "-" not in value or not _HYPHENATED.search(value):
            continue
        parts = _HYPHENATED.split(value)
        text.text = parts[0]
        anchor = text
        for part in parts[1:]:
            hyphen = text.makeelement(_W_NO_BREAK_HYPHEN)
            anchor.addnext(hyphen)
            piece = text.makeelement(_W_T)
            piece.set(_XML_SPACE, "preserve")
            piece.text = part
            hyphen.addnext(piece)
            anchor = piece
