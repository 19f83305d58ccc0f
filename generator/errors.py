"""Locations, findings and the exception types every stage raises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "gap", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a file, a 1-based line and column, and a JSON pointer."""

    file: Path
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class Finding:
    """One error, gap or warning about a profile, with its location and a hint."""

    location: Location
    message: str
    severity: Severity
    hint: str = ""
    requirement_ids: tuple[str, ...] = ()
    code: str = ""  # stable, for machines: the key of its words in the message catalogue
    args: tuple[tuple[str, Any], ...] = ()  # what fills those words

    def format(self) -> str:
        """The one-line, editor-clickable form: ``file:line:col: /pointer: message``."""
        pointer = self.location.pointer or "/"
        text = f"{self.location}: {pointer}: {self.message}"
        if self.requirement_ids:
            text += f" [{', '.join(self.requirement_ids)}]"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (str(loc.file), loc.line or 0, loc.column or 0, self.message)


class CcdocsError(Exception):
    """Base of every error ccdocs reports to a user; ``exit_code`` is what the command exits with.

    1: the inputs (profile, brand folder, standards map, templates, a pack to verify) need fixing.
    4: the output could not be made: a folder ccdocs does not own, another build of the same
    organization running, a publishing tool or font missing or failing, a disk error.

    Like a finding, an error may carry a ``code`` of the message catalogue and the ``arguments``
    that fill its words (``generator.messages.error`` makes one): its ``str()`` is the English
    words, for logs and the library's callers; the command tells it in the user's language.
    """

    exit_code = 1

    def __init__(
        self, message: str = "", *, code: str = "", arguments: tuple[tuple[str, Any], ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.arguments = arguments


class ProfileError(CcdocsError):
    """The profile cannot be used as written; carries every finding at once."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(f.format() for f in self.findings))


class StandardsMapError(CcdocsError):
    """A standards-map file is malformed or points at something that does not exist."""


class TemplateError(CcdocsError):
    """A template failed to render."""


class PublishError(CcdocsError):
    """A publishing tool (pandoc, Typst, MkDocs) failed or is missing."""

    exit_code = 4


class OutputError(CcdocsError):
    """The output folder cannot be written: not made by ccdocs, locked, or the disk refused."""

    exit_code = 4
