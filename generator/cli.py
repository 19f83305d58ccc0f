"""The ``ccdocs`` command: parse arguments, call the stages, print findings, choose the exit code.

Exit codes (also in the README and ``ccdocs --help``):

====  ==========================================================================================
0     done
1     the inputs need fixing: profile, brand folder, standards map, templates, a pack that does
      not match its manifest, or a batch client with such errors
2     usage: an unknown command, option or value
3     gaps: mandated content missing, with ``--strict`` or ``--fail-on``
4     the output could not be made: a folder or file ccdocs did not write, another build of the
      same organization running, a publishing tool or font missing or failing, a disk error such
      as a full disk, a port ``serve`` cannot open
5     internal error: a bug in ccdocs (run again with CCDOCS_DEBUG=1 and report it)
130   interrupted (Ctrl-C)
====  ==========================================================================================
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from generator.bundled import default_profile
from generator.errors import CcdocsError, Finding, OutputError, ProfileError
from generator.labels import LANGUAGES
from generator.messages import error, say_words, told, told_error, words
from generator.messages import text as said

if TYPE_CHECKING:
    from generator.batch import ClientOutcome
    from generator.brand import Brand
    from generator.build import BuildResult
    from generator.mandates import Check
    from generator.standards import Catalog

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_GAPS, EXIT_OUTPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    f"Exit codes: {EXIT_OK} done; {EXIT_ERRORS} the inputs need fixing; {EXIT_USAGE} usage; "
    f"{EXIT_GAPS} gaps under --strict or --fail-on; {EXIT_OUTPUT} the output could not be made "
    f"(folder not made by ccdocs, build running, tool or font missing, disk full); "
    f"{EXIT_INTERNAL} internal "
    f"error; {EXIT_INTERRUPTED} interrupted."
)
T = TypeVar("T")


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A parameter callback keeping its value in the context's meta, shared by the whole command
    line, so that an error stopping the command is told in the language chosen, else the
    profile's (``_error_language``)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        ctx.meta[f"ccdocs.{key}"] = value
        return value

    return remember


profile_argument = click.argument(
    "profile",
    required=False,
    type=click.Path(path_type=Path, dir_okay=False),
    callback=_remember("profile"),
)
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Output folder.",
)


def _lang_option(words: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --lang option, remembered for the language of an error that stops the command."""
    return click.option(
        "--lang",
        "language",
        type=click.Choice(LANGUAGES),
        callback=_remember("lang"),
        help=words,
    )


lang_option = _lang_option("Language of the documents (default: the profile's).")


workbook_out_option = click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The workbook to write (.xlsx).",
)


fail_on_option = click.option(
    "--fail-on",
    "fail_on",
    default="",
    callback=lambda ctx, param, value: _fail_on(value),
    help="Exit 3 when any item has one of these statuses: missing, partial, stale.",
)
assessment_option = click.option(
    "--assessment",
    "assessment",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="An assessor's workbook (ccdocs assess init): also write the assessment report.",
)
previous_option = click.option(
    "--previous",
    "previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The previous assessment, to follow up: findings closed, still open, new, overdue.",
)


def _fail_on(value: str) -> frozenset[str]:
    """The statuses of ``--fail-on``; a usage error for any other word."""
    statuses = frozenset(s.strip() for s in value.split(",") if s.strip())
    if statuses - {"missing", "partial", "stale"}:
        raise click.BadParameter("use missing, partial and/or stale", param_hint="--fail-on")
    return statuses


def _exit_on_failing(report: Mapping[str, Any], statuses: frozenset[str], lang: str) -> None:
    """Exit 3 naming the counts when an item of ``report`` has one of ``statuses``."""
    from generator.audit.gaps import failing

    bad = failing(report, set(statuses))
    if bad:
        numbers = {s: sum(1 for i in bad if i["status"] == s) for s in sorted(statuses)}
        counts = _status_counts(numbers, lang)
        message = said("summary.fail-on", lang, statuses=",".join(sorted(statuses)), counts=counts)
        echo(message, fg="red", err=True)
        sys.exit(EXIT_GAPS)


def _status_counts(numbers: Mapping[str, int], lang: str) -> str:
    """``2 missing, 1 stale`` in ``lang``."""
    return said("list_sep", lang).join(
        said("count.status", lang, count=n, status=words(f"status.{s}")) for s, n in numbers.items()
    )


def _wrote(file: Path, lang: str) -> None:
    echo(said("progress.wrote", lang, path=_display_path(file)))


brand_option = click.option(
    "--brand",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Branding folder: brand.yaml (company, logo, colours) and templates/ overrides.",
)


# Control characters from a profile (terminal escape sequences) are shown, not obeyed; so are
# the bidirectional controls that can make a line read differently from what it holds.
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def echo(message: object = "", *, err: bool = False, fg: str | None = None) -> None:
    """Print one message, its control characters written as \\xNN (\\uNNNN for bidi controls)."""
    text = _UNPRINTABLE.sub(_shown, str(message))
    click.secho(text, err=err, fg=fg)


def _shown(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _brand(folder: Path | None, language: str | None, profile: Path | None) -> Brand | None:
    """The brand of ``folder``; its errors are printed like a profile's, in the language chosen
    (else the profile's, else the locale's), then exit 1."""
    if folder is None:
        return None
    from generator.brand import load_brand

    return _or_exit(folder, lambda: load_brand(folder), _speaking(profile, language))


def _or_exit(path: Path, action: Callable[[], T], language: str | None = None) -> T:
    """Run a stage on ``path``; on profile errors print every finding, in the language chosen
    (else the profile's, else the locale's), and exit 1."""
    try:
        return action()
    except ProfileError as e:
        _exit_on_errors(path, e.findings, language)


def _exit_on_errors(path: Path, findings: list[Finding], language: str | None = None) -> NoReturn:
    """Print every finding, in the language chosen (else the profile's, else the locale's),
    then exit 1."""
    lang = _speaking(path, language)
    for finding in findings:
        echo(told(finding, lang).format(), err=True)
    echo(said("summary.not-written", lang, path=path, count=len(findings)), fg="red", err=True)
    sys.exit(EXIT_ERRORS)


def _speaking(path: Path | None, chosen: str | None, data: Any = None) -> str:
    """The language to tell the user in (``generator.profile.user_language``)."""
    from generator.profile import user_language

    return user_language(path, chosen, data)


class _Cli(click.Group):
    """The command group; turns ccdocs errors into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CcdocsError as e:
            _echo_error(e, _error_language(ctx))
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except (KeyboardInterrupt, click.Abort):
            echo("ccdocs: " + said("error.interrupted", _error_language(ctx)), err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as e:  # the process boundary: report, don't dump a traceback
            if os.environ.get("CCDOCS_DEBUG"):
                raise
            lang = _error_language(ctx)
            name = type(e).__name__
            echo("ccdocs: " + said("error.internal", lang, name=name, error=e), fg="red", err=True)
            echo(said("error.internal-next", lang), err=True)
            ctx.exit(EXIT_INTERNAL)


def _echo_error(error: CcdocsError, lang: str) -> None:
    """``ccdocs: `` and the error in ``lang``."""
    echo(f"ccdocs: {told_error(error, lang)}", fg="red", err=True)


def _error_language(ctx: click.Context) -> str:
    """The language of an error that stopped a command: the one chosen with --lang, else the
    profile's (the bundled one when the command's profile is left out), else the locale's."""
    meta = ctx.meta
    profile = meta.get("ccdocs.profile")
    if "ccdocs.profiles" in meta:  # build: one profile, none (the bundled one) or several
        profiles = meta["ccdocs.profiles"] or (default_profile(),)
        profile = profiles[0] if len(profiles) == 1 else None
    elif profile is None and "ccdocs.profile" in meta:
        profile = default_profile()
    return _speaking(profile, meta.get("ccdocs.lang"))


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(package_name="ccdocs")
@click.option(
    "--overlay",
    "overlays",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of a licensed standards pack to lay over the shipped map (repeatable).",
)
@click.pass_context
def cli(ctx: click.Context, overlays: tuple[Path, ...]) -> None:
    """Write a contact center's controlled documents from its profile, and audit them."""
    ctx.obj = {"overlays": overlays}


def _overlays() -> tuple[Path, ...]:
    """The overlay folders given on the command line."""
    obj = click.get_current_context().find_root().obj or {}
    return tuple(obj.get("overlays", ()))


def _catalog() -> Catalog:
    """The standards map with the overlays given on the command line."""
    return _load_catalog(_overlays())


@functools.cache
def _load_catalog(overlays: tuple[Path, ...]) -> Catalog:
    from generator.standards import load_catalog

    return load_catalog(overlays=overlays)


@cli.command()
@profile_argument
@click.option("--strict", is_flag=True, help="Fail (exit 3) when mandated content is missing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format of the findings.",
)
@_lang_option("Language of the findings (default: the profile's, else the locale's).")
def validate(profile: Path | None, strict: bool, fmt: str, language: str | None) -> None:
    """Check PROFILE (default: the bundled event hotline): errors, then gaps."""
    from generator.evidence import load_evidence
    from generator.mandates import profile_targets
    from generator.profile import load_profile
    from generator.validate import validate_profile

    path = _display_path(profile or default_profile())
    catalog = _catalog()
    try:
        loaded = load_profile(path)
    except ProfileError as e:
        _emit(fmt, path, list(e.findings), [], None, _speaking(path, language))
        sys.exit(EXIT_ERRORS)
    result = validate_profile(loaded, catalog, load_evidence(loaded))
    targets = [t.label for t in profile_targets(loaded.data, catalog)]
    summary = _summary(loaded.data, targets) if result.ok else None
    lang = _speaking(path, language, loaded.data)
    _emit(fmt, path, list(result.errors), list(result.gaps), summary, lang)
    if result.errors:
        sys.exit(EXIT_ERRORS)
    if strict and result.gaps:
        sys.exit(EXIT_GAPS)


@cli.command()
@click.argument(
    "profiles",
    nargs=-1,
    type=click.Path(path_type=Path, dir_okay=False),
    callback=_remember("profiles"),
)
@out_option
@lang_option
@click.option(
    "--format",
    "formats",
    default="md,docx,pdf,site,audit",
    show_default=True,
    help="Comma-separated output formats: md, docx, pdf, site, audit.",
)
@brand_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, None),
    default=1,
    show_default=True,
    help="Clients built in parallel processes.",
)
@click.option("--force", is_flag=True, help="Rebuild every output, even when nothing changed.")
@click.option(
    "--since",
    type=click.Path(path_type=Path, exists=True),
    help="Earlier profile or built edition: the site gets a change log against it.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 3) when mandated content is missing.")
@click.option(
    "--strict-language",
    is_flag=True,
    help="Fail (exit 1) when a document shows profile texts in another language than its own.",
)
def build(
    profiles: tuple[Path, ...],
    out_dir: Path,
    language: str | None,
    formats: str,
    brand: Path | None,
    jobs: int,
    force: bool,
    since: Path | None,
    strict: bool,
    strict_language: bool,
) -> None:
    """Write the manual set of each PROFILE (default: the bundled event hotline) into OUT/<org-id>/.

    With several profiles, each client is built on its own (in parallel with -j) and
    OUT/summary.md and OUT/summary.xlsx sum up every client's errors, gaps, level and coverage.
    Outputs whose inputs did not change since the last build are kept as they are.
    """
    from generator.build import FORMATS, build_profile

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"use a comma-separated list of {', '.join(FORMATS)}", param_hint="--format"
        )
    path = _display_path(profiles[0] if profiles else default_profile())
    look = _brand(brand, language, path if len(profiles) < 2 else None)
    if len(profiles) > 1:
        if since is not None:
            raise click.BadParameter("give --since with a single profile", param_hint="--since")
        _build_batch(profiles, out_dir, language, chosen, look, jobs, force, strict)
        return
    result = _or_exit(
        path,
        lambda: build_profile(
            path,
            out_dir,
            language=language,
            formats=chosen,
            overlays=_overlays(),
            brand=look,
            force=force,
            since=since,
        ),
        language,
    )
    lang = _speaking(path, language)
    for file in result.files:
        _wrote(file, lang)
    if result.reused:
        state = "progress.up-to-date" if result.up_to_date else "progress.unchanged"
        folder = _display_path(result.output)
        echo(said(state, lang, count=len(result.reused), folder=folder))
    if "audit" in chosen:
        _echo_audit(result.org_id, result.audit, lang)
    total = sum(result.placeholders.values())
    colour = "yellow" if result.gap_count else "green"
    built = said(
        "summary.built", lang, org=result.org_id, gaps=result.gap_count, placeholders=total
    )
    echo(built, fg=colour)
    if _echo_untranslated(result, strict_language, lang) and strict_language:
        echo(said("summary.strict-language", lang), err=True)
        sys.exit(EXIT_ERRORS)
    if strict and result.gap_count:
        sys.exit(EXIT_GAPS)


def _echo_untranslated(result: BuildResult, strict: bool, lang: str) -> bool:
    """Say which documents show profile texts in another language, and where the first are;
    True when any does."""
    untranslated = {doc: n for doc, n in result.untranslated.items() if n}
    if untranslated:
        counts = said("list_sep", lang).join(f"{doc} {n}" for doc, n in untranslated.items())
        colour = "red" if strict else "yellow"
        echo(said("summary.untranslated", lang, org=result.org_id, counts=counts), fg=colour)
        for where in result.untranslated_at:
            echo(f"  {where}")
    return bool(untranslated)


def _build_batch(
    profiles: tuple[Path, ...],
    out_dir: Path,
    language: str | None,
    formats: list[str],
    look: Brand | None,
    jobs: int,
    force: bool,
    strict: bool,
) -> None:
    """Build many clients; one client's errors never stop the others."""
    from generator.batch import BuildJob, build_many

    batch = [
        BuildJob(_display_path(p), out_dir, tuple(formats), language, _overlays(), look, force)
        for p in profiles
    ]
    lang = _speaking(None, language)
    label = said("progress.building", lang)
    with click.progressbar(length=len(batch), label=label, file=sys.stderr, show_pos=True) as bar:

        def progress(outcome: ClientOutcome) -> None:
            bar.update(1)
            if not outcome.ok:
                bar.label = said("progress.building-failed", lang, path=outcome.profile)

        outcomes = build_many(batch, jobs, progress)
    _echo_outcomes(outcomes, lang)
    codes = [o.exit_code for o in outcomes if not o.ok]
    codes += _write_batch_summary(outcomes, out_dir, language or "zh", look, lang)
    if codes:
        failed = sum(1 for o in outcomes if not o.ok)
        if failed:
            message = said("summary.clients-failed", lang, failed=failed, total=len(outcomes))
            echo(message, fg="red", err=True)
        sys.exit(min(codes))  # input errors (1) first: they need a fix
    if strict and any(o.gaps for o in outcomes):
        sys.exit(EXIT_GAPS)


def _write_batch_summary(
    outcomes: list[ClientOutcome], out_dir: Path, language: str, look: Brand | None, lang: str
) -> list[int]:
    """Write OUT/summary.md and OUT/summary.xlsx; the exit code when they could not be written
    (the clients' outputs stand all the same)."""
    from generator.batch import write_summary

    try:
        files = write_summary(outcomes, out_dir, language, look.template_dirs if look else ())
    except CcdocsError as e:
        _echo_error(e, lang)
        return [e.exit_code]
    for file in files:
        _wrote(file, lang)
    return []


def _echo_outcomes(outcomes: list[ClientOutcome], lang: str) -> None:
    """One line per client built; every error of a client that failed."""
    for outcome in outcomes:
        if outcome.ok:
            line = said(
                "summary.client",
                lang,
                org=outcome.org_id,
                gaps=outcome.gaps,
                placeholders=outcome.placeholders,
                written=outcome.written,
                kept=outcome.kept,
            )
            echo(line, fg="yellow" if outcome.gaps else "green")
        else:
            for message in outcome.errors:
                echo(message, err=True)
            echo(said("summary.client-failed", lang, path=outcome.profile), fg="red", err=True)


@cli.command()
@profile_argument
@out_option
@lang_option
@fail_on_option
@assessment_option
@previous_option
def audit(
    profile: Path | None,
    out_dir: Path,
    language: str | None,
    fail_on: frozenset[str],
    assessment: Path | None,
    previous: Path | None,
) -> None:
    """Write the gap report, scores and traceability of PROFILE into OUT/<org-id>/audit/; with
    --assessment, the assessment report into OUT/<org-id>/assessment/."""
    from generator.build import build_profile

    path = _display_path(profile or default_profile())
    result = _or_exit(
        path,
        lambda: build_profile(
            path, out_dir, language=language, formats=["audit"], overlays=_overlays()
        ),
        language,
    )
    lang = _speaking(path, language)
    for file in result.files:
        _wrote(file, lang)
    _echo_audit(result.org_id, result.audit, lang)
    if assessment is not None:
        org_id = result.org_id
        written = _or_exit(
            assessment,
            lambda: _assessment_report(path, assessment, previous, out_dir, org_id, language),
            lang,
        )
        for file in written:
            _wrote(file, lang)
    _exit_on_failing(result.audit["report"], fail_on, lang)


@cli.command("check-docs")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Assessment date (YYYY-MM-DD): records and reviews are judged as of this day.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="STANDARD[:LEVEL]",
    help="A standard (and level) to check against; repeatable. Default: the catalogue's.",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML file pinning files to catalogue entries: files: {name.docx: [entry-id, ...]}.",
)
@out_option
@lang_option
@fail_on_option
@assessment_option
@previous_option
def check_docs(
    folder: Path,
    as_of: Any,
    targets: tuple[str, ...],
    map_file: Path | None,
    out_dir: Path,
    language: str | None,
    fail_on: frozenset[str],
    assessment: Path | None,
    previous: Path | None,
) -> None:
    """Check a folder of documents ccdocs did not write (DOCX, PDF, XLSX, Markdown, text)
    against the standards' document catalogue; writes the gap report and document register
    into OUT/<folder>/check-docs/."""
    from generator.checkdocs.pins import read_pins
    from generator.checkdocs.run import check_folder, output_id
    from generator.checkdocs.write import write_outputs
    from generator.disk import disk_errors
    from generator.output import commit_stage, staged_output

    catalog = _catalog()
    chosen = _targets(targets, catalog)
    lang = _speaking(None, language)  # the terminal's: the register is in zh unless chosen
    pins = _or_exit(map_file, lambda: read_pins(map_file, catalog), lang) if map_file else {}

    def check() -> dict[str, Any]:
        label = said("progress.reading", lang)
        with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            return check_folder(folder, catalog, chosen, as_of.date(), pins, progress)

    doc_lang = language or "zh"
    assessed = None
    if assessment is not None:
        from generator.assessment.run import folder_assessment

        assessed = _or_exit(
            assessment, lambda: folder_assessment(folder, assessment, previous, catalog, doc_lang)
        )
    report = _or_exit(folder, check)
    with staged_output(out_dir, output_id(folder)) as stage, disk_errors(stage.target):
        written = write_outputs(report, catalog, doc_lang, stage.work / "check-docs")
        folders = ["check-docs"]
        if assessed is not None:
            from generator.assessment.publish import write_report

            written += write_report(assessed, doc_lang, stage.work / "assessment", ("docx", "pdf"))
            folders.append("assessment")
        commit_stage(stage, folders)
    for file in written:
        _wrote(stage.target / file.parent.name / file.name, lang)
    summary = report["summary"]
    counts = _status_counts({s: summary[s] for s in _STATUSES}, lang)
    unread = [r["file"] for r in report["register"] if r["status"] in ("unreadable", "no-text")]
    unknown = [r["file"] for r in report["register"] if r["status"] == "unclassified"]
    files, total = len(report["register"]), summary["total"]
    echo(said("summary.check-docs", lang, folder=folder, files=files, total=total, counts=counts))
    for code, listed in (("summary.not-read", unread), ("summary.not-recognized", unknown)):
        if listed:
            line = said(code, lang, count=len(listed), files=", ".join(listed))
            echo(f"  {line}", fg="yellow")
    _exit_on_failing(report, fail_on, lang)


@cli.group()
def assess() -> None:
    """An assessor's own assessment, kept apart from the center's profile."""


@assess.command("init")
@click.argument("subject", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The workbook to write: .xlsx, or .yaml for the same as text.",
)
@lang_option
def assess_init(subject: Path, out_file: Path, language: str | None) -> None:
    """Write the assessor's workbook for SUBJECT (a profile, or a folder of documents): one row
    per scored item, the center's self-scores read-only beside the assessor's columns."""
    from generator.assessment.workbook import scored_standard, write_workbook, write_yaml
    from generator.audit.maturity import self_scores
    from generator.labels import load_labels
    from generator.profile import load_profile
    from generator.render import template_dirs

    catalog = _catalog()
    standard = scored_standard(catalog)
    if subject.is_dir():
        data: Mapping[str, Any] = {}
        about = {"organization": subject.resolve().name, "subject": subject.name, "date": ""}
    else:
        data = _or_exit(subject, lambda: load_profile(subject)).data
        org = data.get("organization", {})
        name = org.get("name", "") if isinstance(org, Mapping) else ""
        about = {
            "organization": str(name.get("zh", name) if isinstance(name, Mapping) else name),
            "subject": subject.name,
            "date": str(data.get("assessment_date") or ""),
        }
    lang = language or str(data.get("language") or "zh")
    try:
        if out_file.suffix.lower() in (".yaml", ".yml"):
            write_yaml(out_file, standard, lang, about, self_scores(data))
        else:
            labels = load_labels(lang, template_dirs())
            write_workbook(out_file, catalog, standard, labels, lang, about, self_scores(data))
    except OSError as e:
        raise error(OutputError, "error.cannot-write", path=out_file, reason=e.strerror or e) from e
    count, short = len(standard.requirements), standard.short
    echo(
        said(
            "progress.assess-init", lang, path=_display_path(out_file), count=count, standard=short
        )
    )


@cli.group()
def intake() -> None:
    """The center's profile as a workbook to fill in, and back."""


@intake.command("new")
@click.option(
    "--preset",
    default="event-hotline",
    show_default=True,
    help="Bundled profile whose rows are the examples: bank-card-center, event-hotline, "
    "minimal, telecom, water-utility.",
)
@lang_option
@workbook_out_option
def intake_new(preset: str, language: str | None, out_file: Path) -> None:
    """Write a workbook to describe a center in: a sheet per section of the profile, the
    preset's rows as examples, the fields its targets mandate highlighted."""
    from generator.bundled import bundled_dir
    from generator.intake.run import export_workbook
    from generator.profile import load_profile
    from generator.scaffold import presets

    if preset not in presets():
        raise click.BadParameter(f"use one of {', '.join(presets())}", param_hint="--preset")
    path = bundled_dir("org_profiles") / f"{preset}.yaml"
    profile = load_profile(path)
    sheets = export_workbook(profile, out_file, _catalog(), language, preset, example=True)
    lang = _speaking(path, language, profile.data)
    shown = _display_path(out_file)
    echo(said("progress.intake-new", lang, path=shown, sheets=sheets, preset=preset))


@intake.command("export")
@click.argument(
    "profile",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    callback=_remember("profile"),
)
@lang_option
@workbook_out_option
@click.option(
    "--split-by",
    "split_by",
    type=click.Choice(["owner"]),
    help="A workbook per owner role, of the items it owns, into the folder --out names.",
)
def intake_export(
    profile: Path, language: str | None, out_file: Path, split_by: str | None
) -> None:
    """Write PROFILE (with the profiles it extends) as a workbook to fill in."""
    from generator.intake.run import export_workbook
    from generator.profile import load_profile
    from generator.validate import validate_profile

    catalog = _catalog()
    loaded = _or_exit(profile, lambda: load_profile(profile))
    errors = validate_profile(loaded, catalog).errors
    lang = _speaking(profile, language, loaded.data)
    if errors:
        _exit_on_errors(profile, list(errors), lang)
    if split_by == "owner":
        from generator.intake.run import export_by_owner

        books = _or_exit(profile, lambda: export_by_owner(loaded, out_file, catalog, language))
        shown = _display_path(out_file)
        echo(said("progress.intake-split", lang, count=len(books), folder=shown))
        return
    sheets = _or_exit(
        profile, lambda: export_workbook(loaded, out_file, catalog, language, profile.name)
    )
    echo(said("progress.intake-export", lang, path=_display_path(out_file), sheets=sheets))


@intake.command("import")
@click.argument(
    "workbooks",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
)
@lang_option
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The profile to write; when it exists, only the values that changed are written.",
)
def intake_import(workbooks: tuple[Path, ...], language: str | None, out_file: Path) -> None:
    """Read WORKBOOKS (made by intake new or export) back into a profile. Several workbooks
    (export --split-by owner) are merged by id over the existing profile --out names."""
    from generator.intake.run import import_parts, import_workbook, messages_language

    existed = out_file.exists()
    lang = messages_language(list(workbooks), language)
    if len(workbooks) > 1 and not existed:
        raise click.BadParameter(
            "several workbooks go into an existing profile", param_hint="--out"
        )
    if len(workbooks) > 1:
        changed = _or_exit(
            workbooks[0], lambda: import_parts(list(workbooks), out_file, _catalog(), lang)
        )
    else:
        workbook = workbooks[0]
        changed = _or_exit(workbook, lambda: import_workbook(workbook, out_file, _catalog(), lang))
    shown = _display_path(out_file)
    if not changed:
        echo(said("progress.intake-unchanged", lang, path=shown))
    else:
        code = "progress.intake-updated" if existed else "progress.intake-wrote"
        echo(said(code, lang, path=shown))


@intake.command("intervals")
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@lang_option
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A profile whose staffing forecast to replace (else the staffing block is printed).",
)
def intake_intervals(report: Path, language: str | None, out_file: Path | None) -> None:
    """Turn an ACD interval report (CSV, headers in Chinese or English) into the staffing
    forecast of one day: each interval's contacts averaged over the report's days."""
    from generator.intake.run import acd_forecast, forecast_into, forecast_text

    forecast = _or_exit(report, lambda: acd_forecast(report, language or "zh"))
    if out_file is None:
        click.echo(forecast_text(forecast), nl=False)
        return
    changed = _or_exit(out_file, lambda: forecast_into(out_file, forecast))
    shown, count = _display_path(out_file), len(forecast.intervals)
    code = "progress.intervals-updated" if changed else "progress.intervals-unchanged"
    echo(said(code, _speaking(out_file, language), path=shown, count=count))
    echo(forecast.method)


def _targets(values: tuple[str, ...], catalog: Catalog) -> list[Any]:
    """``--target STANDARD[:LEVEL]`` values as targets; the catalogue's default when none."""
    from generator.mandates import profile_targets

    entries = []
    for value in values:
        standard, _, level = value.partition(":")
        if standard not in catalog.standards:
            known = ", ".join(sorted(catalog.standards))
            message = f"unknown standard {standard!r}; one of {known}"
            raise click.BadParameter(message, param_hint="--target")
        if level and not level.isdigit():
            raise click.BadParameter(f"level {level!r} is not a number", param_hint="--target")
        entries.append({"standard": standard, "level": int(level or 1)})
    return profile_targets({"targets": entries}, catalog)


def _assessment_report(
    profile: Path,
    workbook: Path,
    previous: Path | None,
    out_dir: Path,
    org_id: str,
    language: str | None,
) -> list[Path]:
    """Read the assessor's workbook (and the previous one) and write the assessment report."""
    from generator.assessment.publish import write_report
    from generator.assessment.run import profile_assessment
    from generator.disk import disk_errors
    from generator.output import commit_stage, staged_output

    report, lang = profile_assessment(profile, workbook, previous, _catalog(), language)
    with staged_output(out_dir, org_id) as stage, disk_errors(stage.target):
        folder = stage.work / "assessment"
        names = [p.name for p in write_report(report, lang, folder, ("docx", "pdf"))]
        commit_stage(stage, ["assessment"])
    return [stage.target / "assessment" / name for name in names]


_STATUSES = ("present", "partial", "missing", "stale")


def _echo_audit(org_id: str, audit: Mapping[str, Any], lang: str) -> None:
    summary = audit["report"]["summary"]
    counts = _status_counts({s: summary[s] for s in _STATUSES}, lang)
    total, coverage = summary["total"], summary["coverage"]
    echo(said("summary.audit", lang, org=org_id, total=total, counts=counts, coverage=coverage))
    from generator.labels import load_labels
    from generator.render import maturity_headline, outcome_headline, template_dirs

    labels = load_labels(lang, template_dirs())
    for result in audit["maturity"]:
        echo(f"  {maturity_headline(labels, result, lang)}")
    for outcome in audit["outcomes"]:
        echo(f"  {outcome_headline(labels, outcome, lang)}")


@cli.command()
@profile_argument
@out_option
@lang_option
@brand_option
@assessment_option
@previous_option
def evidence(
    profile: Path | None,
    out_dir: Path,
    language: str | None,
    brand: Path | None,
    assessment: Path | None,
    previous: Path | None,
) -> None:
    """Zip documents, evidence, blank forms and the audit of PROFILE with a manifest; with
    --assessment, the assessment report and the workbooks too."""
    from generator.assessment.run import profile_assessment
    from generator.build import build_evidence_pack

    path = _display_path(profile or default_profile())
    look = _brand(brand, language, path)
    catalog = _catalog()
    assessed = None
    if assessment is not None:
        report, lang = _or_exit(
            assessment, lambda: profile_assessment(path, assessment, previous, catalog, language)
        )
        workbooks = [assessment] + ([previous] if previous else [])
        assessed = (report, lang, workbooks)
    pack = _or_exit(
        path,
        lambda: build_evidence_pack(
            path, out_dir, language=language, catalog=catalog, brand=look, assessment=assessed
        ),
        language,
    )
    _wrote(pack, _speaking(path, language))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--preset",
    default="event-hotline",
    show_default=True,
    help="Bundled profile to start from: bank-card-center, event-hotline, minimal, telecom, "
    "water-utility.",
)
@lang_option
def init(folder: Path, preset: str, language: str | None) -> None:
    """Start a new profile folder from a preset: profile, schema, evidence/ and a guide."""
    from generator.evidence import load_evidence
    from generator.mandates import profile_targets
    from generator.profile import load_profile
    from generator.scaffold import PROFILE_FILE, init_folder, presets
    from generator.validate import validate_profile

    if preset not in presets():
        raise click.BadParameter(f"use one of {', '.join(presets())}", param_hint="--preset")
    catalog = _catalog()
    written = init_folder(folder, preset, language, catalog)
    path = _display_path(folder / PROFILE_FILE)
    loaded = load_profile(path)
    lang = _speaking(path, language, loaded.data)
    for file in written:
        _wrote(file, lang)
    result = validate_profile(loaded, catalog, load_evidence(loaded))
    targets = [t.label for t in profile_targets(loaded.data, catalog)]
    summary = _summary(loaded.data, targets)
    _emit("text", path, list(result.errors), list(result.gaps), summary, lang)
    echo(said("summary.init-next", lang, path=path))


@cli.command()
@click.argument("old", type=click.Path(path_type=Path, exists=True))
@click.argument("new", type=click.Path(path_type=Path, exists=True))
@out_option
@lang_option
def diff(old: Path, new: Path, out_dir: Path, language: str | None) -> None:
    """Write the change log from OLD to NEW (two profiles, or two built editions).

    The log lists, per document and section, what was added, removed or changed, with
    suggested revision-history entries; it goes to OUT/<org-id>/changes/ as Markdown and JSON
    (the folder is replaced as a whole, and only if ccdocs wrote it).
    """
    from generator.build import render_profile
    from generator.editions import changes_data, compare, read_edition, render_changes
    from generator.output import write_folder

    def edition(path: Path) -> Any:
        shown = _display_path(path)
        return _or_exit(
            shown,
            lambda: read_edition(
                shown,
                render=lambda p: render_profile(p, language=language, catalog=_catalog()),
            ),
        )

    before, after = edition(old), edition(new)
    documents = compare(before, after)
    text = render_changes(
        before, after, documents, language or after.language, link_prefix="../manual/"
    )
    data = json.dumps(changes_data(before, after, documents), ensure_ascii=False, indent=2)
    texts = {"changes.md": text, "changes.json": data + "\n"}
    written = write_folder(out_dir, after.org_id, "changes", texts)
    lang = _speaking(None, language or after.language)
    for doc in documents:
        echo(said("summary.diff", lang, document=doc.document, **doc.counts))
    for file in written:
        _wrote(file, lang)
    if not new.is_dir():
        echo(said("summary.diff-site", lang, new=new, old=old))


@cli.command()
@click.argument("pack", type=click.Path(path_type=Path, dir_okay=False))
@_lang_option("Language of the problems found (default: the locale's).")
def verify(pack: Path, language: str | None) -> None:
    """Re-check every file of an evidence PACK against its manifest."""
    from generator.audit.pack import pack_problems

    problems = pack_problems(pack)
    lang = _speaking(None, language)
    for problem in problems:
        echo(say_words(problem, lang))
    if problems:
        echo(
            said("summary.verify-problems", lang, pack=pack, count=len(problems)),
            fg="red",
            err=True,
        )
        sys.exit(EXIT_ERRORS)
    echo(said("summary.verified", lang, pack=pack), fg="green")


def _address(value: str) -> str:
    """``host:port`` with a port from 1 to 65535, else a usage error."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise click.BadParameter("write host:port with a port from 1 to 65535, e.g. 127.0.0.1:8000")
    return value


def _serve_or_exit(profile: Path, project: Path, **options: Any) -> bool:
    """serve_profile, with a port that cannot be opened reported as an output problem (exit 4)."""
    from generator.serve import serve_profile

    try:
        return serve_profile(profile, project, **options)
    except OSError as e:
        if e.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        lang = _speaking(profile, options.get("language"))
        reason = e.strerror or e
        refused = said("error.cannot-serve", lang, address=options["address"], reason=reason)
        echo(f"ccdocs: {refused}", fg="red", err=True)
        echo(said("error.cannot-serve-next", lang), err=True)
        sys.exit(EXIT_OUTPUT)


@cli.command()
@profile_argument
@click.option(
    "--address",
    default="127.0.0.1:8000",
    show_default=True,
    callback=lambda _ctx, _param, value: _address(value),
    help="host:port to serve on.",
)
@lang_option
@brand_option
def serve(profile: Path | None, address: str, language: str | None, brand: Path | None) -> None:
    """Preview the site of PROFILE with live reload; edits are re-validated as you save."""
    import tempfile

    path = _display_path(profile or default_profile())

    def report(findings: list[Finding], summary: str, ok: bool) -> None:
        for finding in findings:
            echo(finding.format(), err=True)
        echo(summary, fg="green" if ok else "red", err=True)

    with tempfile.TemporaryDirectory(prefix="ccdocs-serve-") as project:
        if not _serve_or_exit(
            path,
            Path(project),
            address=address,
            language=language,
            report=report,
            catalog=_catalog(),
            brand=_brand(brand, language, path),
        ):
            sys.exit(EXIT_ERRORS)


@cli.command()
@click.option(
    "--standard", "standard_id", help="Add the mandates of this standard (e.g. cc-cmm-oc-2011)."
)
@click.option(
    "--level",
    type=click.IntRange(1, 5),
    default=1,
    show_default=True,
    help="Target level of --standard.",
)
def schema(standard_id: str | None, level: int) -> None:
    """Print the profile JSON Schema, with a standard's mandates when --standard is given."""
    from generator.mandate_schema import mandate_schema
    from generator.mandates import Target
    from generator.references import did_you_mean

    catalog = _catalog()
    targets = []
    if standard_id is not None:
        if standard_id not in catalog.standards:
            close = did_you_mean(standard_id, set(catalog.standards))
            hint = f" (did you mean '{close}'?)" if close else ""
            raise click.BadParameter(
                f"no standard '{standard_id}'{hint}; known: {', '.join(sorted(catalog.standards))}",
                param_hint="--standard",
            )
        targets = [Target(catalog.standards[standard_id], level)]
    click.echo(json.dumps(mandate_schema(catalog, targets), ensure_ascii=False, indent=2))


def _display_path(path: Path) -> Path:
    """A path relative to the working folder when it is inside it, so messages stay short."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _summary(data: dict[str, Any], targets: list[str]) -> dict[str, Any]:
    from generator.resolve.model import localize
    from generator.texts import DEFAULT_LANGUAGE

    raw = data.get("organization", {})
    org = localize(raw, raw.get("language", DEFAULT_LANGUAGE))
    counted = ("roles", "processes", "kpis", "risks", "records")
    counts = {key: len(data.get(key) or []) for key in counted}
    counts["emergency_plans"] = len((data.get("emergency") or {}).get("plans") or [])
    counts["training_modules"] = len((data.get("training") or {}).get("modules") or [])
    return {
        "organization": org.get("name"),
        "id": org.get("id"),
        "targets": targets,
        "counts": counts,
    }


def _emit(
    fmt: str,
    path: Path,
    errors: list[Finding],
    gaps: list[Check],
    summary: dict[str, Any] | None,
    lang: str,
) -> None:
    findings = [told(f, lang) for f in errors]
    if fmt == "json":
        payload = {
            "profile": str(path),
            "valid": not errors,
            "language": lang,
            "errors": [_finding_json(f) for f in findings],
            "gaps": [_gap_json(g, lang) for g in gaps],
            "summary": summary,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for finding in [*findings, *(told(g.to_finding(), lang) for g in gaps)]:
        echo(finding.format())
    _echo_summary(path, errors, gaps, summary, lang)


def _echo_summary(
    path: Path,
    errors: list[Finding],
    gaps: list[Check],
    summary: dict[str, Any] | None,
    lang: str,
) -> None:
    if errors:
        code = "summary.error" if len(errors) == 1 else "summary.errors"
        echo(said(code, lang, path=path, count=len(errors)), fg="red", err=True)
        return
    assert summary is not None
    name, org_id = summary["organization"], summary["id"]
    echo(said("summary.valid", lang, path=path, name=name, id=org_id), fg="green")
    echo("  " + said("summary.counts", lang, **summary["counts"]))
    targets = ", ".join(summary["targets"])
    colour = "yellow" if gaps else "green"
    echo("  " + said("summary.gaps", lang, count=len(gaps), targets=targets), fg=colour)


def _finding_json(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "file": str(loc.file),
        "line": loc.line,
        "column": loc.column,
        "pointer": loc.pointer,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
        "hint": finding.hint,
        "requirements": list(finding.requirement_ids),
    }


def _gap_json(gap: Check, lang: str) -> dict[str, Any]:
    record = _finding_json(told(gap.to_finding(), lang))
    record.update(
        {
            "kind": gap.kind,
            "subject": gap.subject,
            "status": gap.status,
            "gap_severity": gap.severity,
            "detail": gap.detail_text,
        }
    )
    return record


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the console script."""
    cli.main(args=argv, prog_name="ccdocs")
    sys.exit(EXIT_OK)
