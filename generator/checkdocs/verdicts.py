"""The gap report of a folder of documents: each mandated document, its expected content and each
recurring record of the targeted standards, looked for in the files, with what matched quoted.

The same report as ``ccdocs audit`` writes for a profile (standards, sections, items, statuses),
with files, pages and headings where the profile report has lines. The rules are our own reading
of the catalogue (standards_map/documents.yaml, ``recognition``):

- a document kept as a chapter (kind ``section``) is present when a file's title or a heading
  names it, or a line of written content does; when only a placeholder line names it, partial;
  else missing. Each piece of content it ``expects`` is an item of its own, looked for in the
  part of the file where the document was found;
- a record is present when a file's title or name names it; its date is the first date on a
  line labelled as a date, else the first in the file, else one in its title or name; older
  than the mandate allows on the assessment date, stale; no date, partial;
- the profile's own fields (names, targets, cycles) are not assessed: a folder of documents
  has no profile. The report says so.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from generator.audit.gaps import REPORT_SCHEMA, WORST, item_entry, standard_entry, summary
from generator.checkdocs.control import Control, read_control
from generator.checkdocs.find import Document, Found
from generator.mandates import Target
from generator.standards import Catalog, CatalogueDocument, Requirement


def check_documents(
    documents: Sequence[Document],
    catalog: Catalog,
    targets: Sequence[Target],
    as_of: dt.date,
    languages: Sequence[str],
    pinned: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The report and the register, as plain data (the gap report's JSON schema). ``pinned``:
    file -> catalogue entries it is, whatever its words (the auditor's map)."""
    look = _Look(documents, catalog, languages, as_of, pinned or {})
    standards = []
    for target in targets:
        by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for req in target.standard.requirements:
            if req.level <= target.level:
                by_section[req.section] += look.items(req)
        standards.append(standard_entry(target, by_section))
    return {
        "schema": REPORT_SCHEMA,
        "organization": {"id": "", "name": ""},
        "profile": "",
        "assessment_date": as_of.isoformat(),
        "summary": summary([s["summary"] for s in standards]),
        "standards": standards,
        "maturity": [],  # scores come from an assessment, not from a folder of documents
        "outcomes": [],
        "register": look.register(),
    }


class _Look:
    """Finds, remembered per catalogue document, so each is looked for once."""

    def __init__(
        self,
        documents: Sequence[Document],
        catalog: Catalog,
        languages: Sequence[str],
        as_of: dt.date,
        pinned: Mapping[str, Sequence[str]],
    ) -> None:
        self.documents = documents
        self.catalog = catalog
        self.languages = languages
        self.as_of = as_of
        self.pinned = pinned
        self._found: dict[str, tuple[str, Found | None, Document | None]] = {}
        self._records: dict[str, list[tuple[dt.date | None, Found]]] = {}

    def phrases(self, words: Mapping[str, Sequence[str]]) -> list[str]:
        return [p for language in self.languages for p in words.get(language, ())]

    # -- documents kept as chapters ------------------------------------------------------------

    def section(self, doc: CatalogueDocument) -> tuple[str, Found | None, Document | None]:
        if doc.id not in self._found:
            self._found[doc.id] = self._section(doc)
        return self._found[doc.id]

    def _section(self, doc: CatalogueDocument) -> tuple[str, Found | None, Document | None]:
        for document in self.documents:
            if doc.id in self.pinned.get(document.name, ()):
                return "present", _pinned(document), document
        phrases = self.phrases(doc.recognize)
        records = self.record_files()
        for how in ("heading", "named", "line"):
            for document in self.documents:
                if how == "named" and document.name in records:
                    continue  # a record titled "information-system review" is not the systems
                found = getattr(document, how)(phrases)
                if found is not None:
                    return "present", found, document
        for document in self.documents:
            found = document.line(phrases, placeholders=True)
            if found is not None:
                return "partial", found, document
        return "missing", None, None

    # -- records ---------------------------------------------------------------------------------

    def record_files(self) -> set[str]:
        """The files some record of the catalogue names."""
        return {
            found.file
            for doc in self.catalog.documents.values()
            if doc.kind == "record"
            for _, found in self.records(doc)
        }

    def records(self, doc: CatalogueDocument) -> list[tuple[dt.date | None, Found]]:
        """Files that are this record, newest first (undated last)."""
        if doc.id not in self._records:
            labels = self.phrases(self.catalog.recognition.get("date_labels", {}))
            found = []
            for document in self.documents:
                named = document.named(self.phrases(doc.recognize))
                if doc.id in self.pinned.get(document.name, ()):
                    named = _pinned(document)
                if named is not None:
                    dates = document.dates(labels)
                    found.append((dates[0][0], dates[0][1]) if dates else (None, named))
            self._records[doc.id] = sorted(
                found, key=lambda pair: (pair[0] is None, -(pair[0] or dt.date.min).toordinal())
            )
        return self._records[doc.id]

    # -- the items of one requirement --------------------------------------------------------------

    def items(self, req: Requirement) -> list[dict[str, Any]]:
        items = []
        for doc_id in req.documents:
            doc = self.catalog.documents[doc_id]
            if doc.kind == "record":
                items.append(self._record_item(req, doc, None))
                continue
            status, found, document = self.section(doc)
            hint = "" if status == "present" else f"document-{status}"
            items.append(_item(req, "document", doc.id, status, found, hint))
            for expected in doc.expects:
                items.append(self._expected_item(req, doc, expected, found, document))
        for mandate in req.records:
            doc = self.catalog.documents[mandate.document]
            items.append(self._record_item(req, doc, mandate.max_age_days))
        return _worst_of_each(items)

    def _expected_item(
        self,
        req: Requirement,
        doc: CatalogueDocument,
        expected: Any,
        where: Found | None,
        document: Document | None,
    ) -> dict[str, Any]:
        subject = f"{doc.id}#{expected.id}"
        found = None
        if where is not None and document is not None:
            found = document.within(where, self.phrases(expected.words))
        status = "present" if found is not None else "missing"
        item = _item(req, "content", subject, status, found or where, "" if found else "content")
        item["detail"] = "" if found else f"no {expected.id} in {doc.id}"
        return item

    def _record_item(
        self, req: Requirement, doc: CatalogueDocument, max_age_days: int | None
    ) -> dict[str, Any]:
        records = self.records(doc)
        if not records:
            return _item(req, "record", doc.id, "missing", None, "record-missing-file")
        date, found = records[0]
        if date is None:
            item = _item(req, "record", doc.id, "partial", found, "record-undated")
            item["detail"] = "no date found in the file"
            return item
        if max_age_days is not None and (self.as_of - date).days > max_age_days:
            item = _item(req, "record", doc.id, "stale", found, "record-stale-file")
            age = (self.as_of - date).days
            item["detail"] = f"newest is {age} days old on {self.as_of}, allowed {max_age_days}"
            return item
        item = _item(req, "record", doc.id, "present", found, "")
        item["detail"] = date.isoformat()
        return item

    # -- the register ------------------------------------------------------------------------------

    def register(self) -> list[dict[str, Any]]:
        """Every file: what it was taken for, its document control and its status."""
        entries: dict[str, list[str]] = defaultdict(list)
        for doc_id, (_, found, _) in self._found.items():
            if found is not None and found.by in ("title", "map"):
                entries[found.file].append(doc_id)
        for doc_id, records in self._records.items():
            for _, found in records:
                entries[found.file].append(doc_id)
        for generated_id, generated in self.catalog.generated.items():
            phrases = self.phrases(generated.get("recognize", {}))
            for document in self.documents:
                pinned = generated_id in self.pinned.get(document.name, ())
                if pinned or (phrases and document.named(phrases) is not None):
                    entries[document.name].insert(0, generated_id)
        rules = self.catalog.recognition.get("control")
        rows = []
        for document in self.documents:
            names = list(dict.fromkeys(entries.get(document.name, [])))
            controlled = [n for n in names if n in self.catalog.generated] or [
                n for n in names if self.catalog.documents[n].kind == "section"
            ]
            control = (
                read_control(document, rules, self.languages, self.as_of)
                if controlled and rules
                else None
            )
            rows.append(_register_row(document, names, control))
        return rows


def _worst_of_each(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One item per kind and subject (a record both mandated and dated): the worst."""
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        key = (item["kind"], item["subject"])
        if key not in kept or WORST[item["status"]] > WORST[kept[key]["status"]]:
            kept[key] = item
    return list(kept.values())


def _pinned(document: Document) -> Found:
    """A file the auditor's map says is the document."""
    return Found(document.name, None, "", document.title, "", "map")


def _register_row(document: Document, names: list[str], control: Control | None) -> dict[str, Any]:
    extracted = document.extracted
    if extracted.error:
        status = "unreadable"
    elif not extracted.text_layer:
        status = "no-text"
    elif not names:
        status = "unclassified"
    elif control is not None and control.stale:
        status = "stale"
    elif control is not None and control.missing:
        status = "incomplete"
    else:
        status = "ok"
    return {
        "file": document.name,
        "kind": extracted.kind,
        "title": document.title,
        "entries": names,
        "control": dict(control.values) if control else None,
        "control_missing": list(control.missing) if control else [],
        "control_date": control.newest.isoformat() if control and control.newest else None,
        "status": status,
        "error": extracted.error,
    }


def _item(
    req: Requirement, kind: str, subject: str, status: str, found: Found | None, hint: str
) -> dict[str, Any]:
    """An item whose location is a file, page and heading, with the words that matched."""
    return item_entry(
        req,
        kind,
        subject,
        status,
        hint_key=hint,
        gaps=0 if status == "present" else 1,
        location={
            "file": found.file if found else "",
            "line": None,
            "column": None,
            "pointer": "",
            "preset": False,
            "page": found.page if found else None,
            "heading": found.heading if found else "",
            "quote": found.quote if found else "",
        },
    )
