"""Batch builds: many clients' profiles built in parallel processes, then one summary of all.

Each client is built in its own process; one client's errors never stop the others: every
per-client step, the org-id check that reads every profile first included, turns a client's
failure into that client's outcome. The summary (each client's errors, gaps, level and
coverage) is written as Markdown and XLSX beside the clients' folders, each file swapped into
place whole and never over a file ccdocs did not write (``generator.output``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from generator.brand import Brand
from generator.errors import CcdocsError, ProfileError
from generator.labels import LANGUAGES, load_labels
from generator.messages import text, told, told_error
from generator.output import write_shared_files
from generator.profile import user_language
from generator.publish.pool import cores
from generator.render import (
    code_fence,
    escape_text,
    make_environment,
    maturity_headline,
    outcome_headline,
    render_template,
    template_dirs,
)

if TYPE_CHECKING:
    from generator.build import BuildResult
    from generator.standards import Catalog

T = TypeVar("T")

SUMMARY_TEMPLATE = "batch/summary.md.jinja"
COLUMNS = (
    "profile",
    "organization",
    "status",
    "errors",
    "gaps",
    "placeholders",
    "untranslated",
    "coverage",
    "levels",
    "outcomes",
    "written",
    "kept",
)


@dataclass(frozen=True)
class BuildJob:
    """One client to build, with the options every client of the batch shares."""

    profile: Path
    out_dir: Path
    formats: tuple[str, ...]
    language: str | None = None
    overlays: tuple[Path, ...] = ()
    brand: Brand | None = None
    force: bool = False
    workers: int = 1  # processes converting this client's documents


@dataclass(frozen=True)
class ClientOutcome:
    """What building one client gave: errors, or the counts of its summary row."""

    profile: str
    org_id: str = ""
    organization: str = ""
    errors: tuple[str, ...] = ()
    gaps: int = 0
    placeholders: int = 0
    untranslated: int = 0  # profile texts shown in another language than the documents'
    coverage: float | None = None
    levels: dict[str, str] = field(default_factory=dict)  # language -> maturity headlines
    outcomes: dict[str, str] = field(default_factory=dict)  # language -> review outcomes
    written: int = 0
    kept: int = 0
    exit_code: int = 1  # when it failed: the exit code of its error (see generator.cli)

    @property
    def ok(self) -> bool:
        return not self.errors

    def row(self, language: str) -> dict[str, Any]:
        """The summary row in ``language``: one value per column of COLUMNS."""
        return {
            "profile": self.profile,
            "organization": self.organization or self.org_id,
            "status": "ok" if self.ok else "failed",
            "errors": len(self.errors),
            "gaps": self.gaps,
            "placeholders": self.placeholders,
            "untranslated": self.untranslated,
            "coverage": self.coverage,
            "levels": self.levels.get(language, ""),
            "outcomes": self.outcomes.get(language, ""),
            "written": self.written,
            "kept": self.kept,
        }


def build_one(job: BuildJob) -> ClientOutcome:
    """Build one client; every failure becomes the outcome's errors, never an exception."""
    return _guarded(job.profile, functools.partial(_build_client, job), job.language)


def _build_client(job: BuildJob) -> ClientOutcome:
    from generator.build import build_profile

    result = build_profile(
        job.profile,
        job.out_dir,
        language=job.language,
        formats=job.formats,
        catalog=_catalog(job.overlays),
        brand=job.brand,
        force=job.force,
        workers=job.workers,
    )
    return _outcome(job, result)


def _outcome(job: BuildJob, result: BuildResult) -> ClientOutcome:
    """The summary row of a client built."""
    audit = result.audit
    summary = audit.get("report", {}).get("summary", {})
    verdicts = _headlines(audit, job.brand.template_dirs if job.brand else ())
    return ClientOutcome(
        str(job.profile),
        org_id=result.org_id,
        organization=audit.get("report", {}).get("organization", {}).get("name", ""),
        gaps=result.gap_count,
        placeholders=sum(result.placeholders.values()),
        untranslated=sum(result.untranslated.values()),
        coverage=summary.get("coverage"),
        levels=verdicts["levels"],
        outcomes=verdicts["outcomes"],
        written=len(result.files),
        kept=len(result.reused),
    )


def _guarded(profile: Path, step: Callable[[], T], language: str | None) -> T | ClientOutcome:
    """Run one client's ``step``; its failure becomes that client's failed outcome, told in
    ``language`` (else the client's profile's, else the locale's) as its own build would.

    Profile errors keep their file:line:col; other ccdocs errors their exit code; anything
    else is an internal error (exit 5) of this client alone.
    """
    name = str(profile)
    try:
        return step()
    except ProfileError as e:
        lang = user_language(profile, language)
        return ClientOutcome(name, errors=tuple(told(f, lang).format() for f in e.findings))
    except CcdocsError as e:
        message = f"{name}: {told_error(e, user_language(profile, language))}"
        return ClientOutcome(name, errors=(message,), exit_code=e.exit_code)
    except Exception as e:  # a batch reports one client's crash and goes on with the others
        said = text(
            "error.internal", user_language(profile, language), name=type(e).__name__, error=e
        )
        return ClientOutcome(name, errors=(f"{name}: {said}",), exit_code=5)


def _headlines(audit: Mapping[str, Any], overrides: Sequence[Path]) -> dict[str, dict[str, str]]:
    """The verdicts of the summary row, one text per language: ``levels`` (the supported and
    claimed maturity level of each standard) and ``outcomes`` (review outcome or readiness)."""
    dirs = template_dirs(overrides)
    labels = {lang: load_labels(lang, dirs) for lang in LANGUAGES}
    verdicts = {
        "levels": ("maturity", maturity_headline),
        "outcomes": ("outcomes", outcome_headline),
    }
    return {
        column: {
            lang: " / ".join(headline(labels[lang], r, lang) for r in audit.get(key, []))
            for lang in LANGUAGES
        }
        for column, (key, headline) in verdicts.items()
    }


@functools.cache
def _catalog(overlays: tuple[Path, ...]) -> Catalog:
    """The standards map, read once per worker process."""
    from generator.standards import load_catalog

    return load_catalog(overlays=overlays)


def build_many(
    jobs: Sequence[BuildJob],
    workers: int,
    progress: Callable[[ClientOutcome], None] = lambda _: None,
) -> list[ClientOutcome]:
    """Build ``jobs`` in ``workers`` processes; outcomes in the order of ``jobs``.

    A client refused before building (its profile fails to load, its organization id is
    another's) is not built; the others are.
    """
    # Clients side by side and conversions side by side share the cores: a client built alone
    # converts on every core, each of two clients on half of them.
    share = max(1, cores() // max(1, min(workers, len(jobs))))
    jobs = [replace(job, workers=share) for job in jobs]
    outcomes = _refused(jobs)
    for index in sorted(outcomes):
        progress(outcomes[index])
    todo = [i for i in range(len(jobs)) if i not in outcomes]
    if workers <= 1:
        for i in todo:
            outcomes[i] = build_one(jobs[i])
            progress(outcomes[i])
    else:
        _build_parallel(jobs, todo, workers, outcomes, progress)
    return [outcomes[i] for i in range(len(jobs))]


def _build_parallel(
    jobs: Sequence[BuildJob],
    todo: Sequence[int],
    workers: int,
    outcomes: dict[int, ClientOutcome],
    progress: Callable[[ClientOutcome], None],
) -> None:
    """Build the clients ``todo`` (indexes of ``jobs``) in processes, into ``outcomes``.

    A worker process that dies (killed, out of memory) breaks the whole pool: every client it
    left unbuilt is built again, each in a pool of its own, so only the one that kills its
    worker again fails.
    """
    broken = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(build_one, jobs[i]): i for i in todo}
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcomes[index] = future.result()
            except BrokenProcessPool:
                broken.append(index)
                continue
            except Exception as e:  # a result that could not come back from the worker
                where = str(jobs[index].profile)
                outcomes[index] = ClientOutcome(where, errors=(f"{where}: {e!r}",), exit_code=5)
            progress(outcomes[index])
    for index in sorted(broken):
        outcomes[index] = _build_alone(jobs[index])
        progress(outcomes[index])


def _build_alone(job: BuildJob) -> ClientOutcome:
    """``build_one`` in a process of its own; a failure when that process dies too."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(build_one, job).result()
        except BrokenProcessPool:
            where = str(job.profile)
            said = text("error.process-died", user_language(job.profile, job.language))
            message = f"{where}: {said}"
            return ClientOutcome(where, errors=(message,), exit_code=4)


def _refused(jobs: Sequence[BuildJob]) -> dict[int, ClientOutcome]:
    """Clients not to build: a profile that does not load, or one that would write into the
    same build/<org-id>/ folder as an earlier one. Each is checked on its own."""
    first: dict[str, str] = {}
    refused: dict[int, ClientOutcome] = {}
    for index, job in enumerate(jobs):
        org_id = _guarded(job.profile, functools.partial(_org_id, job.profile), job.language)
        if isinstance(org_id, ClientOutcome):
            refused[index] = org_id
        elif org_id is not None and org_id in first:
            lang = user_language(job.profile, job.language)
            said = text("error.same-org-id", lang, org=org_id, first=first[org_id])
            message = f"{job.profile}: {said}"
            refused[index] = ClientOutcome(str(job.profile), errors=(message,))
        elif org_id is not None:
            first[org_id] = str(job.profile)
    return refused


def _org_id(profile: Path) -> str | None:
    """The organization id of ``profile``, None when it has none usable as a folder name.

    A client that names its own id (the usual case) is read quickly for it alone; any other is
    loaded in full, its bases too, so a profile that does not load is refused here."""
    from generator.build import org_id_of
    from generator.profile import Profile, load_profile, own_data

    own = own_data(profile)
    if own is not None:
        org_id = org_id_of(Profile(profile, own, {}, {}))
        if org_id is not None:
            return org_id  # the client's own id is the one its build uses: a child layer wins
    return org_id_of(load_profile(profile))


def write_summary(
    outcomes: Sequence[ClientOutcome],
    out_dir: Path,
    language: str,
    templates: Sequence[Path] = (),
) -> list[Path]:
    """``summary.md`` and ``summary.xlsx`` of a batch in ``out_dir``.

    Raises OutputError naming the file when one of them is there and ccdocs did not write it,
    or when the disk refuses; the previous summary is then unchanged.
    """
    dirs = template_dirs(templates)
    labels = load_labels(language, dirs)
    env = make_environment(dirs, labels)
    failed = [o for o in outcomes if not o.ok]
    lines = [line for o in failed for e in o.errors for line in e.splitlines()]
    context = {
        "rows": escape_text([o.row(language) for o in outcomes]),
        # Error messages are shown as typed, in a code block no line of them can close.
        "failed": [escape_text(asdict(o)) for o in failed],
        "fence": code_fence(lines),
        "total": len(outcomes),
        "ok": len(outcomes) - len(failed),
    }
    text = render_template(env, SUMMARY_TEMPLATE, context)

    def write_markdown(path: Path) -> None:
        path.write_text(text, encoding="utf-8", newline="\n")

    def write_workbook(path: Path) -> None:
        _write_workbook(path, outcomes, language)

    writers = {"summary.md": write_markdown, "summary.xlsx": write_workbook}
    return write_shared_files(out_dir, writers)


def _write_workbook(path: Path, outcomes: Sequence[ClientOutcome], language: str) -> None:
    from openpyxl import Workbook

    from generator.audit.write import append_row, filter_sheet

    book = Workbook()
    sheet = book.active
    sheet.title = "clients"
    append_row(sheet, list(COLUMNS))
    for outcome in outcomes:
        row = outcome.row(language)
        append_row(sheet, [row[c] for c in COLUMNS])
    errors = book.create_sheet("errors")
    append_row(errors, ["profile", "error"])
    for outcome in outcomes:
        for message in outcome.errors:
            append_row(errors, [outcome.profile, message])
    for each in (sheet, errors):
        filter_sheet(each)
    book.properties.creator = "ccdocs"
    book.save(str(path))
