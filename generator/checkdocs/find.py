"""Finding catalogue documents, their content and their dates in extracted files.

A file is cut into sections at its headings; a phrase is found in a title, a heading or a
section's lines, compared without white space and case (PDF text comes with line breaks and
spaces where the layout had them). Lines that mark content as not written yet (placeholders)
and sections that only cite the standards are not content. Every find keeps what matched and
where, to be quoted in the report.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.checkdocs.extract import Extracted, Heading

_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(r"^[\d.]+")
_LIST_MARK = re.compile(r"^(?:[-*+•]|\d+[.)、])\s+")
# 2024-09-20, 2024/9/20, 2024.09.20, 2024 年 9 月 20 日
_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")


def squash(text: str) -> str:
    """``text`` without white space, lower case: how phrases are compared."""
    return _SPACE.sub("", text).lower()


def has_phrase(text: str, phrases: Iterable[str]) -> str:
    """The first of ``phrases`` found in ``text``, or "". A "*" in a phrase stands for up to a
    dozen other characters ("保密协议*审核" is in "保密协议适宜性与有效性审核记录")."""
    flat = squash(text)
    return next((p for p in phrases if _pattern(p).search(flat)), "")


@functools.lru_cache(maxsize=4096)
def _pattern(phrase: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in squash(phrase).split("*")]
    return re.compile(".{0,12}?".join(parts) if any(parts) else "(?!)")


@dataclass(frozen=True)
class Section:
    """The lines of a file under one heading (``heading`` None: before the first heading)."""

    heading: Heading | None
    lines: tuple[tuple[int | None, str], ...]  # (page, line)


@dataclass(frozen=True)
class Found:
    """Where a phrase was found: the file, the page, the heading over it and the words quoted."""

    file: str
    page: int | None
    heading: str
    quote: str
    phrase: str
    by: str = ""  # "title", "heading", "line", "placeholder" or "map": how it was found


@dataclass(frozen=True)
class Language:
    """The phrases of one language (or of every language: phrases of both are tried)."""

    placeholders: tuple[str, ...]
    skip_sections: tuple[str, ...]


class Document:
    """One extracted file, cut into sections, with placeholder lines and cited-only sections
    set apart."""

    def __init__(self, extracted: Extracted, name: str, language: Language) -> None:
        self.extracted = extracted
        self.name = name  # as the report shows it: relative to the folder checked
        self.title = extracted.title
        self.sections = _sections(extracted)
        self._language = language
        self.content = [s for s in self.sections if not self._skipped(s)]

    def _skipped(self, section: Section) -> bool:
        """A contents list or a section that only cites the standards: its heading is one of
        the skipped headings (numbering aside)."""
        if section.heading is None:
            return False
        words = _NUMBERING.sub("", squash(section.heading.text))
        return any(words == squash(p) for p in self._language.skip_sections)

    def named(self, phrases: Sequence[str]) -> Found | None:
        """The file's title or name carries one of ``phrases``."""
        for text in (self.title, self.extracted.path.stem):
            phrase = has_phrase(text, phrases)
            if phrase:
                page = 1 if self.extracted.kind == "pdf" else None
                return Found(self.name, page, "", text, phrase, "title")
        return None

    def heading(self, phrases: Sequence[str]) -> Found | None:
        """The first content heading carrying one of ``phrases``."""
        for section in self.content:
            if section.heading is None:
                continue
            phrase = has_phrase(section.heading.text, phrases)
            if phrase:
                h = section.heading
                return Found(self.name, _page(section, h), h.text, h.text, phrase, "heading")
        return None

    def line(self, phrases: Sequence[str], placeholders: bool = False) -> Found | None:
        """The first content line carrying one of ``phrases``: written content, or with
        ``placeholders`` a line that marks it as not written yet."""
        for section in self.content:
            for page, text in section.lines:
                if bool(has_phrase(text, self._language.placeholders)) != placeholders:
                    continue
                phrase = has_phrase(text, phrases)
                if phrase:
                    heading = section.heading.text if section.heading else ""
                    how = "placeholder" if placeholders else "line"
                    return Found(self.name, page, heading, _quote(text, phrase), phrase, how)
        return None

    def within(self, found: Found, phrases: Sequence[str]) -> Found | None:
        """One of ``phrases`` in written lines of the section ``found`` heads and the sections
        under it (the whole file when it was found by its title)."""
        scope = self._scope(found)
        for section in scope:
            texts = list(section.lines)
            if section.heading is not None:
                texts.insert(0, (section.heading.page, section.heading.text))
            for page, text in texts:
                if has_phrase(text, self._language.placeholders):
                    continue
                phrase = has_phrase(text, phrases)
                if phrase:
                    heading = section.heading.text if section.heading else ""
                    return Found(self.name, page, heading, _quote(text, phrase), phrase)
        return None

    def _scope(self, found: Found) -> list[Section]:
        if not found.heading:
            return self.content
        for i, section in enumerate(self.content):
            if section.heading is not None and section.heading.text == found.heading:
                level = section.heading.level
                scope = [section]
                for after in self.content[i + 1 :]:
                    if after.heading is not None and after.heading.level <= level:
                        break
                    scope.append(after)
                return scope
        return []

    def dates(self, labels: Sequence[str]) -> list[tuple[dt.date, Found]]:
        """Dates in the file: those on a line with one of ``labels`` first, then any other, then
        one in the title or file name."""
        labelled: list[tuple[dt.date, Found]] = []
        others: list[tuple[dt.date, Found]] = []
        for section in self.sections:
            heading = section.heading.text if section.heading else ""
            for page, text in section.lines:
                for date in _dates(text):
                    found = Found(self.name, page, heading, _quote(text, ""), "")
                    (labelled if has_phrase(text, labels) else others).append((date, found))
        named = [
            (date, Found(self.name, None, "", text, ""))
            for text in (self.title, self.extracted.path.stem)
            for date in _dates(text)
        ]
        return labelled + others + named


def _dates(text: str) -> list[dt.date]:
    dates = []
    for year, month, day in _DATE.findall(text):
        try:
            dates.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return dates


def parse_date(text: str) -> dt.date | None:
    """The first date written in ``text``."""
    found = _dates(text)
    return found[0] if found else None


def _quote(text: str, phrase: str) -> str:
    """The words around ``phrase`` in ``text``, at most about 80 characters (list marks off)."""
    text = _LIST_MARK.sub("", _SPACE.sub(" ", text).strip())
    if len(text) <= 80:
        return text
    at = text.lower().find(phrase.lower())
    start = max(0, at - 30) if at >= 0 else 0
    return ("…" if start else "") + text[start : start + 80] + "…"


def _page(section: Section, heading: Heading) -> int | None:
    if heading.page is not None:
        return heading.page
    return section.lines[0][0] if section.lines else None


def _sections(extracted: Extracted) -> list[Section]:
    """The file's lines cut at its headings, in order.

    A heading is a line whose words (without white space) are the heading's. Headings are
    matched from the end of the file backwards, so a contents list at the front, which repeats
    every heading, is read as lines and the headings in the body start the sections. A heading
    never met in the text (a PDF outline entry whose words the text splits) starts none.
    """
    paged = extracted.kind in ("pdf", "xlsx")
    lines = [
        (number if paged else None, text)
        for number, page in enumerate(extracted.pages, start=1)
        for raw in page.splitlines()
        if (text := _markup(raw)).strip()
    ]
    starts: dict[int, Heading] = {}
    headings = list(extracted.headings)
    for index in range(len(lines) - 1, -1, -1):
        if not headings:
            break
        page, text = lines[index]
        at = _heading_on(text, headings, page)
        if at is not None:
            starts[index] = headings[at]
            del headings[at:]  # headings after it were not met in the text
    sections: list[Section] = []
    current: Heading | None = None
    body: list[tuple[int | None, str]] = []
    for index, line in enumerate(lines):
        if index in starts:
            sections.append(Section(current, tuple(body)))
            current, body = starts[index], []
        else:
            body.append(line)
    sections.append(Section(current, tuple(body)))
    return [s for s in sections if s.heading is not None or s.lines]


def _heading_on(text: str, headings: list[Heading], page: int | None) -> int | None:
    """The index of the heading ``text`` is, among the last few not yet met."""
    flat = squash(text)
    for at in range(len(headings) - 1, max(-1, len(headings) - 5), -1):
        heading = headings[at]
        if heading.page is not None and page is not None and heading.page != page:
            continue
        words = squash(heading.text)
        if words and flat == words:
            return at
    return None


_MARKUP = re.compile(r"\{#[^}]*\}|<!--.*?-->|[*_`]+")


def _markup(line: str) -> str:
    """A Markdown line's words: heading marks, emphasis, anchors and comments dropped."""
    return _MARKUP.sub("", line).lstrip("#").strip() if line.lstrip().startswith("#") else line


def language_of(recognition: Mapping[str, object], languages: Sequence[str]) -> Language:
    """The placeholder and cited-only phrases of ``languages`` together."""

    def words(key: str) -> tuple[str, ...]:
        table = recognition.get(key, {})
        assert isinstance(table, Mapping)
        return tuple(p for language in languages for p in table.get(language, ()))

    return Language(words("placeholders"), words("skip_sections"))
