"""Output folders: swapped in one step, marked, locked, never another's files deleted."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import bundled, file_tree

from generator import disk, markers, output
from generator.build import build_profile
from generator.cli import EXIT_OUTPUT, cli
from generator.errors import OutputError
from generator.markers import MARKER
from generator.output import commit_stage, recover_output, staged_output

FORMATS = ("md", "audit")
NEW_NAME = "新名称客户服务中心"
FOREIGN = "move it out of the output folder, or build into another --out"


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """A copy of the bundled minimal profile (organization id ``minimal``)."""
    path = tmp_path / "minimal.yaml"
    shutil.copy(bundled("minimal"), path)
    return path


def _rename(profile: Path, name: str = NEW_NAME) -> None:
    """Give the organization of ``profile`` a new name: every document changes."""
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("示例客户服务中心", name), encoding="utf-8")


def _marker(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MARKER).read_text(encoding="utf-8"))


def _build(profile: Path, out: Path, catalog: Any, **options: Any) -> Any:
    return build_profile(profile, out, formats=FORMATS, catalog=catalog, **options)


# --- the exchange --------------------------------------------------------------------------


def test_the_exchange_swaps_two_folders_in_one_step(tmp_path):
    if disk.renameat2() is None:
        pytest.skip("no renameat2 here")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.txt").write_text("old")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "new.txt").write_text("new")
    output.exchange(tmp_path / "a", tmp_path / "b")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["new.txt"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["old.txt"]


def test_a_commit_puts_the_whole_new_folder_in_place_and_leaves_no_stage(tmp_path):
    for text in ("first", "second"):
        with staged_output(tmp_path, "acme") as stage:
            (stage.work / "manual").mkdir()
            (stage.work / "manual" / "a.md").write_text(text)
            commit_stage(stage, ["manual"])
        assert (tmp_path / "acme" / "manual" / "a.md").read_text() == text
    assert _marker(tmp_path / "acme") == {"schema": "ccdocs-output/1", "files": []}
    assert _marker(tmp_path / "acme" / "manual")["files"] == ["a.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme"]


def test_every_output_folder_carries_a_marker_listing_what_ccdocs_wrote(tmp_path, profile, catalog):
    target = _build(profile, tmp_path, catalog).output
    assert _marker(target) == {"schema": "ccdocs-output/1", "files": [".ccdocs-state.json"]}
    assert _marker(target / "manual")["files"] == [
        "dr-plan.md",
        "operations-manual.md",
        "performance-appraisal.md",
        "position-descriptions.md",
        "qa-scorecard.md",
        "rewards-penalties.md",
        "training-syllabus.md",
        "work-rules.md",
    ]
    assert "audit.xlsx" in _marker(target / "audit")["files"]


# --- refusals ------------------------------------------------------------------------------


def test_an_org_folder_without_marker_is_refused_with_exit_4(tmp_path, profile):
    out = tmp_path / "out"
    (out / "minimal").mkdir(parents=True)
    (out / "minimal" / "thesis.docx").write_text("years of work")
    result = CliRunner().invoke(cli, ["build", str(profile), "--out", str(out), "--format", "md"])
    assert result.exit_code == EXIT_OUTPUT == 4
    assert (
        f"ccdocs: {out / 'minimal'}: not written by ccdocs (it has no .ccdocs-output file), so "
        f"ccdocs will not replace it; {FOREIGN} (output of a ccdocs without markers: delete it "
        "and build again)"
    ) in result.output
    assert sorted(p.name for p in (out / "minimal").iterdir()) == ["thesis.docx"]
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]


def test_a_foreign_file_in_a_format_folder_is_refused(tmp_path, profile, catalog):
    target = _build(profile, tmp_path, catalog).output
    (target / "manual" / "notes.txt").write_text("mine")
    before = file_tree(target)
    _rename(profile)
    with pytest.raises(OutputError) as refused:
        _build(profile, tmp_path, catalog)
    assert str(refused.value) == (
        f"{target / 'manual' / 'notes.txt'}: not written by ccdocs, and ccdocs would delete it "
        f"when it replaces {target / 'manual'}; {FOREIGN}"
    )
    assert file_tree(target) == before


def test_a_format_folder_ccdocs_did_not_make_is_refused_through_the_cli(tmp_path, profile):
    out = tmp_path / "out"
    args = ["build", str(profile), "--out", str(out), "--format", "md"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    (out / "minimal" / "audit").mkdir()  # made by hand, no marker
    result = CliRunner().invoke(cli, [*args[:-1], "md,audit"])
    assert result.exit_code == 4
    assert f"{out / 'minimal' / 'audit'}: not written by ccdocs" in result.output


def test_a_foreign_file_in_the_org_folder_is_kept_across_rebuilds(tmp_path, profile, catalog):
    target = _build(profile, tmp_path, catalog).output
    (target / "notes.txt").write_text("mine")
    (target / "mine").mkdir()
    (target / "mine" / "plan.md").write_text("my plan")
    _rename(profile)
    result = _build(profile, tmp_path, catalog)
    assert result.files and NEW_NAME in (target / "manual" / "dr-plan.md").read_text("utf-8")
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "mine" / "plan.md").read_text() == "my plan"
    assert _marker(target)["files"] == [".ccdocs-state.json"]


def test_the_evidence_pack_refuses_an_org_folder_ccdocs_did_not_write(tmp_path, profile, catalog):
    from generator.build import build_evidence_pack

    (tmp_path / "out" / "minimal").mkdir(parents=True)
    with pytest.raises(OutputError, match=r"has no \.ccdocs-output file"):
        build_evidence_pack(profile, tmp_path / "out", catalog=catalog)
    assert list((tmp_path / "out" / "minimal").iterdir()) == []


def test_diff_writes_a_marked_changes_folder_and_refuses_a_foreign_file(tmp_path, profile):
    old = tmp_path / "old.yaml"
    shutil.copy(profile, old)
    _rename(profile)
    out = tmp_path / "out"
    args = ["diff", str(old), str(profile), "--out", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    changes = out / "minimal" / "changes"
    assert _marker(changes)["files"] == ["changes.json", "changes.md"]
    assert (out / "minimal" / MARKER).is_file()
    (changes / "draft.md").write_text("mine")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 4
    assert f"{changes / 'draft.md'}: not written by ccdocs" in result.output
    assert (changes / "draft.md").read_text() == "mine"


# --- killed builds, the lock ---------------------------------------------------------------


def test_stages_left_by_killed_builds_are_removed_only_when_marked(tmp_path, profile, catalog):
    _build(profile, tmp_path, catalog)
    dead = tmp_path / ".minimal~stage-dead0000"
    (dead / "manual").mkdir(parents=True)
    (dead / "manual" / "dr-plan.md").write_text("half")
    (dead / MARKER).write_text("")  # killed while writing it
    (tmp_path / ".minimal~stage-empty000").mkdir()
    alien = tmp_path / ".minimal~stage-alien000"
    alien.mkdir()
    (alien / "keep.txt").write_text("not ccdocs's")
    other = tmp_path / ".minimal.eu~stage-live0000"  # another organization's build
    other.mkdir()
    (other / MARKER).write_text("")
    assert _build(profile, tmp_path, catalog).up_to_date
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        ".minimal.eu~stage-live0000",
        ".minimal~stage-alien000",
    ]


def test_a_second_build_of_the_same_organization_is_refused(tmp_path, profile, catalog):
    out = tmp_path / "out"
    with staged_output(out, "minimal"), pytest.raises(OutputError) as refused:
        _build(profile, out, catalog)
    assert str(refused.value) == (
        f"another ccdocs build of minimal is running in {out}; wait for it to finish, "
        "or build into another --out"
    )
    assert _build(profile, out, catalog).files
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]  # no lock file left


def _no_exchange(first: Path, second: Path) -> None:
    raise OSError(errno.EINVAL, "Invalid argument", str(first))


@pytest.mark.parametrize("missing", ["renameat2 refused (EINVAL)", "no renameat2"])
def test_without_the_exchange_two_renames_swap_and_a_kill_between_is_undone(
    tmp_path, profile, catalog, monkeypatch, missing
):
    if missing == "no renameat2":
        monkeypatch.setattr(disk, "renameat2", lambda: None)
    else:
        monkeypatch.setattr(output, "exchange", _no_exchange)
    out = tmp_path / "out"
    target = _build(profile, out, catalog).output
    _rename(profile)
    _build(profile, out, catalog)
    assert NEW_NAME in (target / "manual" / "dr-plan.md").read_text("utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]
    before = file_tree(target)
    os.rename(target, out / ".minimal~aside")  # killed between the two renames
    recover_output(out, "minimal")
    assert file_tree(target) == before
    shutil.copytree(target, out / ".minimal~aside")  # killed before the aside was removed
    assert _build(profile, out, catalog).up_to_date
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]


def test_a_disk_error_in_the_swap_leaves_the_previous_output(
    tmp_path, profile, catalog, monkeypatch
):
    def broken(first: Path, second: Path) -> None:
        raise OSError(errno.EIO, "Input/output error", str(first))

    out = tmp_path / "out"
    target = _build(profile, out, catalog).output
    before = file_tree(target)
    _rename(profile)
    monkeypatch.setattr(output, "exchange", broken)
    with pytest.raises(OutputError) as refused:
        _build(profile, out, catalog)
    assert str(refused.value).startswith(f"{target}: the output could not be written ([Errno 5]")
    assert file_tree(target) == before
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]


# --- crash injection -----------------------------------------------------------------------


class Killed(BaseException):
    """The simulated SIGKILL: no handler catches it."""


class _Crash:
    """Counts the file-system operations of the output modules; from the ``at``-th on, all fail."""

    def __init__(self) -> None:
        self.at: int | None = None
        self.calls = 0

    def arm(self, at: int | None) -> None:
        self.at, self.calls = at, 0

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.at is not None and self.calls >= self.at:
                raise Killed(f"step {self.calls}")  # the process is dead: nothing runs after
            return function(*args, **kwargs)

        return run


class _Module:
    """A module whose functions named in ``crashing`` go through ``crash``.

    ``fsync`` does nothing: a killed process loses nothing the kernel has, and the test runs
    many builds.
    """

    def __init__(self, module: Any, crashing: set[str], crash: _Crash) -> None:
        self._module, self._crashing, self._crash = module, crashing, crash

    def __getattr__(self, name: str) -> Any:
        if name == "fsync":
            return lambda fd: None
        value = getattr(self._module, name)
        return self._crash.wrap(value) if name in self._crashing else value


def _inject(monkeypatch: pytest.MonkeyPatch, exchange: Callable[..., None]) -> _Crash:
    crash = _Crash()
    ops = {"rename", "replace", "link", "unlink", "rmdir", "mkdir", "symlink"}
    monkeypatch.setattr(output, "os", _Module(os, ops, crash))
    monkeypatch.setattr(markers, "os", _Module(os, ops, crash))
    monkeypatch.setattr(output, "shutil", _Module(shutil, {"rmtree", "copy2"}, crash))
    monkeypatch.setattr(output, "exchange", crash.wrap(exchange))
    return crash


@pytest.mark.parametrize("exchange", ["renameat2", "two renames"])
def test_a_build_crashing_at_any_step_leaves_the_old_or_the_new_output(
    tmp_path, profile, catalog, monkeypatch, exchange
):
    seed = tmp_path / "seed"
    target = _build(profile, seed, catalog).output
    (target / "notes.txt").write_text("mine")  # a file of the user's, carried along
    old = file_tree(target)
    _rename(profile)
    crash = _inject(monkeypatch, output.exchange if exchange == "renameat2" else _no_exchange)
    shutil.copytree(seed, tmp_path / "clean")
    _build(profile, tmp_path / "clean", catalog)
    new, steps = file_tree(tmp_path / "clean" / "minimal"), crash.calls
    assert new != old and steps > 20, steps
    for at in range(1, steps + 1):
        out = shutil.copytree(seed, tmp_path / f"crash-{at}")
        crash.arm(at)
        with pytest.raises(Killed):
            _build(profile, out, catalog)
        crash.arm(None)
        if exchange != "renameat2":
            recover_output(out, "minimal")  # what the next build does first
        assert file_tree(out / "minimal") in (old, new), f"killed at step {at}"
        _build(profile, out, catalog)
        assert file_tree(out / "minimal") == new, f"next build after step {at}"
        assert sorted(p.name for p in out.iterdir()) == ["minimal"], f"leftovers of step {at}"
        shutil.rmtree(out)


@pytest.mark.e2e
def test_a_build_killed_at_any_moment_leaves_the_previous_output(tmp_path, profile):
    ccdocs = Path(sys.executable).parent / "ccdocs"
    out, target = tmp_path / "build", tmp_path / "build" / "minimal"
    command = [str(ccdocs), "build", str(profile), "--out", str(out), "--format", "md,docx,audit"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.monotonic() - started
    _rename(profile)
    for step in range(8):
        before = file_tree(target)
        build = subprocess.Popen(
            [*command, "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * (0.05 + 0.95 * step / 7))
        build.send_signal(signal.SIGKILL)
        build.wait()
        after = file_tree(target)
        if after == before:
            continue
        assert set(before) <= set(after), f"killed after {step}/7 of a build: files missing"
        manual = (target / "manual" / "operations-manual.md").read_text("utf-8")
        assert NEW_NAME in manual, f"killed after {step}/7 of a build: not the new build"
        again = subprocess.run(command, check=True, capture_output=True, text=True)
        assert "up to date" in again.stdout, f"killed after {step}/7 of a build: incomplete"
    subprocess.run(command, check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]
