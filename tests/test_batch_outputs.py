"""Everything ccdocs writes outside build/<org-id>/, the user's files during a build, one client
never stopping a batch, and a full disk."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import bundled, file_tree
from openpyxl import load_workbook

from generator import batch, output
from generator.build import build_profile
from generator.cli import EXIT_ERRORS, EXIT_INTERNAL, EXIT_OK, EXIT_OUTPUT, cli
from generator.errors import OutputError
from generator.markers import MARKER, RETIRED, read_marker

FOREIGN = "move it out of the output folder, or build into another --out"
NEW_NAME = "新名称客户服务中心"


class Killed(BaseException):
    """The simulated SIGKILL: no handler catches it."""


@pytest.fixture
def clients(tmp_path: Path) -> list[Path]:
    """Two small clients: ``minimal`` and ``second`` (the same profile under another id)."""
    folder = tmp_path / "clients"
    folder.mkdir()
    first = folder / "minimal.yaml"
    shutil.copy(bundled("minimal"), first)
    second = folder / "second.yaml"
    second.write_text(
        "extends: minimal\norganization:\n  id: second\n  name: 第二中心\n", encoding="utf-8"
    )
    return [first, second]


def _batch(profiles: list[Path], out: Path, *more: str) -> Result:
    args = ["build", *map(str, profiles), "--format", "md", "--out", str(out), *more]
    return CliRunner().invoke(cli, args)


def _rename(profile: Path, name: str = NEW_NAME, old: str = "示例客户服务中心") -> None:
    """Give the organization of ``profile`` a new name: every document changes."""
    text = profile.read_text(encoding="utf-8")
    assert old in text
    profile.write_text(text.replace(old, name), encoding="utf-8")


# --- the batch summary and the lock files ------------------------------------------------------


def test_the_summary_is_swapped_in_whole_and_listed_in_the_marker_of_out(tmp_path, clients):
    out = tmp_path / "out"
    assert _batch(clients, out).exit_code == EXIT_OK
    first = (out / "summary.md").stat().st_ino
    again = _batch(clients, out)
    assert again.exit_code == EXIT_OK, again.output
    assert (out / "summary.md").stat().st_ino != first  # a new file renamed in, not rewritten
    assert "0 written, 8 kept" in again.output
    assert read_marker(out) == {"summary.md", "summary.xlsx"}
    assert sorted(p.name for p in out.iterdir()) == [
        MARKER,
        "minimal",
        "second",
        "summary.md",
        "summary.xlsx",
    ]


def test_a_summary_of_the_users_is_refused_with_exit_4_and_kept(tmp_path, clients):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.md").write_text("my own summary", encoding="utf-8")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT
    assert (
        f"ccdocs: {out / 'summary.md'}: not written by ccdocs, so ccdocs will not replace it; "
        f"{FOREIGN}"
    ) in result.output
    assert (out / "summary.md").read_text(encoding="utf-8") == "my own summary"
    assert not (out / "summary.xlsx").exists()
    assert "minimal: 83 gaps" in result.output  # the clients are built all the same
    assert (out / "second" / "manual" / "operations-manual.md").is_file()


@pytest.mark.parametrize("name", ["summary.md", "summary.xlsx"])
def test_a_summary_that_is_a_symlink_out_of_out_is_refused_and_never_followed(
    tmp_path, clients, name
):
    out = tmp_path / "out"
    assert _batch(clients, out).exit_code == EXIT_OK  # both listed in the marker now
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("not yours to write", encoding="utf-8")
    (out / name).unlink()
    (out / name).symlink_to(outside / "precious.txt")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT
    assert f"ccdocs: {out / name}: not written by ccdocs, so ccdocs will not replace it" in (
        result.output
    )
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "not yours to write"
    assert (out / name).is_symlink()


def test_a_marker_of_out_that_ccdocs_did_not_write_is_refused(tmp_path, clients):
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("my notes on the output\n", encoding="utf-8")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT
    assert f"ccdocs: {out / MARKER}: not a marker ccdocs wrote" in result.output
    assert (out / MARKER).read_text(encoding="utf-8") == "my notes on the output\n"


@pytest.mark.parametrize("lock", [".minimal.lock", ".~shared.lock"])
def test_a_lock_file_that_is_a_symlink_is_refused_and_nothing_is_made_outside(
    tmp_path, clients, lock
):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / lock).symlink_to(outside / "made-by-ccdocs")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT
    assert (
        f"{out / lock}: not a lock file of ccdocs (those are empty plain files), so ccdocs "
        f"will not use it; {FOREIGN}"
    ) in result.output
    assert list(outside.iterdir()) == []
    assert (out / lock).is_symlink()


def test_a_file_of_the_users_named_like_a_lock_is_neither_truncated_nor_deleted(tmp_path, clients):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".minimal.lock").write_text("my data", encoding="utf-8")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT
    assert f"{out / '.minimal.lock'}: not a lock file of ccdocs" in result.output
    assert (out / ".minimal.lock").read_text(encoding="utf-8") == "my data"
    assert (out / "second" / "manual").is_dir()  # the other client is built


def test_a_stale_empty_lock_file_is_taken_and_removed(tmp_path, clients):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".minimal.lock").touch()  # left by a killed build
    (out / ".~shared.lock").touch()
    assert _batch(clients, out).exit_code == EXIT_OK
    assert not (out / ".minimal.lock").exists() and not (out / ".~shared.lock").exists()


# --- the user's files during a build -----------------------------------------------------------


def _hook(
    monkeypatch: pytest.MonkeyPatch,
    before_swap: Callable[[Path], None] = lambda target: None,
    after_swap: Callable[[Path], None] = lambda old: None,
    *,
    exchange: bool = True,
) -> None:
    """Run ``before_swap(target)`` once the stage is assembled, ``after_swap(old)`` once the swap
    is done (``old`` holds the folder it replaced); without ``exchange``, two renames swap."""
    real_exchange, real_retire = output.exchange, output.retire_folder

    def swap(first: Path, second: Path) -> None:
        before_swap(second)
        if not exchange:
            raise OSError(errno.EINVAL, "Invalid argument", str(first))
        real_exchange(first, second)

    def retire(old: Path, target: Path, snapshot: Any = None) -> None:
        after_swap(old)
        real_retire(old, target, snapshot)

    monkeypatch.setattr(output, "exchange", swap)
    monkeypatch.setattr(output, "retire_folder", retire)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_files_saved_into_the_org_folder_during_the_build_are_kept(
    tmp_path, clients, catalog, monkeypatch, exchange
):
    profile = clients[0]
    target = build_profile(profile, tmp_path, formats=["md"], catalog=catalog).output
    (target / "notes.txt").write_text("v1", encoding="utf-8")
    (target / "old.txt").write_text("deleted while it built", encoding="utf-8")
    (target / "draft.txt").write_text("renamed while it built", encoding="utf-8")

    def before_swap(folder: Path) -> None:
        (folder / "old.txt").unlink()
        (folder / "draft.txt").rename(folder / "final.txt")
        (folder / "during.txt").write_text("saved while it built", encoding="utf-8")
        (folder / "mine").mkdir()
        (folder / "mine" / "plan.md").write_text("my plan", encoding="utf-8")
        (folder / "empty").mkdir()
        saved = folder / "notes.txt.tmp"  # an editor's save: a new file renamed over the old
        saved.write_text("v2", encoding="utf-8")
        saved.replace(folder / "notes.txt")

    def after_swap(old: Path) -> None:
        (old / "late.txt").write_text("saved in the old folder after the swap", encoding="utf-8")

    _hook(monkeypatch, before_swap, after_swap, exchange=exchange)
    _rename(profile)
    result = build_profile(profile, tmp_path, formats=["md"], catalog=catalog)
    assert NEW_NAME in (target / "manual" / "dr-plan.md").read_text(encoding="utf-8")
    assert result.files
    assert (target / "during.txt").read_text(encoding="utf-8") == "saved while it built"
    assert (target / "mine" / "plan.md").read_text(encoding="utf-8") == "my plan"
    assert (target / "empty").is_dir()
    assert (target / "notes.txt").read_text(encoding="utf-8") == "v2"
    assert (target / "late.txt").read_text(encoding="utf-8") == (
        "saved in the old folder after the swap"
    )
    assert (target / "final.txt").read_text(encoding="utf-8") == "renamed while it built"
    assert not (target / "old.txt").exists() and not (target / "draft.txt").exists()
    assert not (target / RETIRED).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_file_saved_into_a_format_folder_during_the_build_is_kept_then_refused(
    tmp_path, clients, catalog, monkeypatch
):
    profile = clients[0]
    target = build_profile(profile, tmp_path, formats=["md"], catalog=catalog).output

    def before_swap(folder: Path) -> None:
        (folder / "manual" / "draft.md").write_text("my draft", encoding="utf-8")

    _hook(monkeypatch, before_swap)
    _rename(profile)
    build_profile(profile, tmp_path, formats=["md"], catalog=catalog)
    assert (target / "manual" / "draft.md").read_text(encoding="utf-8") == "my draft"
    monkeypatch.undo()
    _rename(profile, "再一个名称", NEW_NAME)
    with pytest.raises(OutputError) as refused:
        build_profile(profile, tmp_path, formats=["md"], catalog=catalog)
    assert str(refused.value).startswith(f"{target / 'manual' / 'draft.md'}: not written by")
    assert (target / "manual" / "draft.md").read_text(encoding="utf-8") == "my draft"


def test_a_file_saved_just_before_a_kill_after_the_swap_reaches_the_next_build(
    tmp_path, clients, catalog, monkeypatch
):
    profile = clients[0]
    target = build_profile(profile, tmp_path, formats=["md"], catalog=catalog).output

    def after_swap(old: Path) -> None:
        (old / "late.txt").write_text("mine", encoding="utf-8")
        raise Killed

    _hook(monkeypatch, after_swap=after_swap)
    _rename(profile)
    with pytest.raises(Killed):
        build_profile(profile, tmp_path, formats=["md"], catalog=catalog)
    monkeypatch.undo()
    assert NEW_NAME in (target / "manual" / "dr-plan.md").read_text(encoding="utf-8")
    [old] = [p for p in tmp_path.iterdir() if p.name.startswith(".minimal~stage-")]
    assert (old / RETIRED).is_dir() and (old / "late.txt").is_file()
    build_profile(profile, tmp_path, formats=["md"], catalog=catalog)  # retires it first
    assert (target / "late.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_users_file_that_cannot_be_moved_back_after_a_kill_is_named_with_exit_4(
    tmp_path, clients, catalog, monkeypatch
):
    profile = clients[0]
    out = tmp_path / "out"
    target = build_profile(profile, out, formats=["md"], catalog=catalog).output
    (target / "notes.txt").write_text("v1", encoding="utf-8")

    def before_swap(folder: Path) -> None:
        (folder / "notes.txt").unlink()
        (folder / "notes.txt").write_text("v2, saved while it built", encoding="utf-8")

    def after_swap(old: Path) -> None:
        raise Killed

    _hook(monkeypatch, before_swap, after_swap)
    _rename(profile)
    with pytest.raises(Killed):
        build_profile(profile, out, formats=["md"], catalog=catalog)
    monkeypatch.undo()
    [old] = [p for p in out.iterdir() if p.name.startswith(".minimal~stage-")]
    result = CliRunner().invoke(cli, ["build", str(profile), "--format", "md", "--out", str(out)])
    assert result.exit_code == EXIT_OUTPUT
    assert (
        f"ccdocs: {old / 'notes.txt'}: saved into {target} while ccdocs replaced it, and it "
        f"cannot be moved back ({target / 'notes.txt'} is a different file); move it where you "
        "want it, then build again"
    ) in result.output
    assert (old / "notes.txt").read_text(encoding="utf-8") == "v2, saved while it built"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "v1"
    (old / "notes.txt").replace(target / "notes.txt")  # the user keeps the newer one
    result = CliRunner().invoke(cli, ["build", str(profile), "--format", "md", "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    assert (target / "notes.txt").read_text(encoding="utf-8") == "v2, saved while it built"
    assert sorted(p.name for p in out.iterdir()) == ["minimal"]


# --- one client never stops a batch ------------------------------------------------------------


def test_a_client_that_crashes_the_org_id_check_fails_alone(tmp_path, clients, monkeypatch):
    import generator.build

    crashing = tmp_path / "clients" / "crashing.yaml"
    shutil.copy(bundled("water-utility"), crashing)
    real = generator.build.org_id_of

    def org_id_of(profile: Any) -> Any:
        if Path(profile.path).name == "crashing.yaml":
            raise RecursionError("maximum recursion depth exceeded")
        return real(profile)

    monkeypatch.setattr(generator.build, "org_id_of", org_id_of)
    out = tmp_path / "out"
    result = _batch([clients[0], crashing, clients[1]], out)
    assert result.exit_code == EXIT_INTERNAL
    assert (  # in the language of the client's profile
        f"{crashing}: 内部错误：RecursionError：maximum recursion depth exceeded"
    ) in result.output
    assert "1 of 3 clients failed" in result.output
    assert (out / "minimal" / "manual").is_dir() and (out / "second" / "manual").is_dir()
    assert not (out / "water-utility").exists()
    rows = load_workbook(out / "summary.xlsx")["clients"]
    assert [row[2].value for row in rows.iter_rows(min_row=2)] == ["ok", "failed", "ok"]


def test_a_client_whose_profile_does_not_load_is_reported_at_its_line(tmp_path, clients):
    bad = tmp_path / "clients" / "bad.yaml"
    bad.write_text("organization:\n  id: bad\n  name: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _batch([bad, *clients], out)
    assert result.exit_code == EXIT_ERRORS
    assert f"{bad}:4:1: /: YAML syntax error" in result.output
    assert result.output.count("YAML syntax error") == 1  # reported once, not built
    assert (out / "minimal" / "manual").is_dir() and (out / "second" / "manual").is_dir()
    assert f"{bad}:4:1" in (out / "summary.md").read_text(encoding="utf-8")


def test_a_client_failing_after_its_build_fails_alone(tmp_path, clients, monkeypatch):
    real = batch._headlines

    def headlines(audit: Any, overrides: Any) -> Any:
        if audit["report"]["organization"]["id"] == "minimal":
            raise KeyError("levels")
        return real(audit, overrides)

    monkeypatch.setattr(batch, "_headlines", headlines)
    out = tmp_path / "out"
    result = _batch([*clients], out, "--format", "md,audit")
    assert result.exit_code == EXIT_INTERNAL, result.output
    assert "internal error: KeyError: 'levels'" in result.output
    assert "second: 83 gaps" in result.output
    assert (out / "summary.md").is_file()


def test_input_errors_come_first_in_the_exit_code_of_a_batch(tmp_path, clients):
    broken = tmp_path / "clients" / "broken.yaml"
    broken.write_text("organization:\n  id: broken\n  name: x\n  seats: many\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "summary.md").write_text("mine", encoding="utf-8")  # exit 4 on its own
    result = _batch([broken, *clients], tmp_path / "out")
    assert result.exit_code == EXIT_ERRORS
    assert f"{broken}:4:10: /organization/seats: 'many' is not a whole number" in result.output
    assert f"{tmp_path / 'out' / 'summary.md'}: not written by ccdocs" in result.output


# --- a full disk -------------------------------------------------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch, applies: Callable[[Path], bool]) -> None:
    """Every ``Path.write_text`` to a path ``applies`` accepts fails as on a full disk."""
    real = Path.write_text

    def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
        if applies(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)


@pytest.mark.parametrize("how", ["one client", "a batch"])
def test_a_full_disk_in_a_client_build_is_exit_4_and_keeps_the_previous_output(
    tmp_path, clients, monkeypatch, how
):
    out = tmp_path / "out"
    assert _batch(clients, out).exit_code == EXIT_OK
    before = file_tree(out)
    _rename(clients[0])
    _disk_full(monkeypatch, lambda path: path.name == "dr-plan.md")
    profiles = clients[:1] if how == "one client" else clients
    result = _batch(profiles, out, "--force")
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert f"{out / 'minimal'}: the output could not be written ([Errno 28] " in result.output
    assert "check the folder's permissions and free space" in result.output
    after = file_tree(out)
    assert {k: v for k, v in after.items() if k.startswith("minimal/")} == {
        k: v for k, v in before.items() if k.startswith("minimal/")
    }
    assert not [p.name for p in out.iterdir() if "~stage-" in p.name or p.suffix == ".lock"]


def test_a_full_disk_while_writing_the_summary_is_exit_4_and_keeps_the_previous_one(
    tmp_path, clients, monkeypatch
):
    out = tmp_path / "out"
    assert _batch(clients, out).exit_code == EXIT_OK
    before = {name: (out / name).read_bytes() for name in ("summary.md", "summary.xlsx")}
    _disk_full(monkeypatch, lambda path: path.name == "summary.md")
    result = _batch(clients, out)
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert (
        f"ccdocs: {out / 'summary.md'}: the output could not be written ([Errno 28] No space "
        "left on device"
    ) in result.output
    assert "0 written, 8 kept" in result.output
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == [
        MARKER,
        "minimal",
        "second",
        "summary.md",
        "summary.xlsx",
    ]


_REAL_BUILD_ONE = batch.build_one


def _dies_on_water(job):
    """``build_one`` whose process dies, as a kill would end it, for the water utility."""
    if "water" in str(job.profile):
        os._exit(9)
    return _REAL_BUILD_ONE(job)


def test_a_client_whose_worker_process_dies_fails_alone(tmp_path, monkeypatch):
    """A worker killed (out of memory, say) breaks the pool: the others are still built."""
    monkeypatch.setattr(batch, "build_one", _dies_on_water)
    jobs = [
        batch.BuildJob(bundled(name), tmp_path / "out", ("md",))
        for name in ("minimal", "water-utility", "event-hotline", "telecom")
    ]
    outcomes = batch.build_many(jobs, 2)
    assert [o.ok for o in outcomes] == [True, False, True, True], [o.errors for o in outcomes]
    assert outcomes[1].exit_code == 4
    assert "进程已终止" in outcomes[1].errors[0]  # in the language of the client's profile
