"""Crash injection: a kill at any step of any write leaves every file ccdocs writes as its previous
complete version or its new complete one, and touches nothing outside --out.

In-process, each file-system step of the output modules (and each write of a summary file) is
made to "kill" the process in turn: from that step on every operation fails, as if the process
were gone. A second test sends a real SIGKILL to a batch build in a subprocess.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import bundled, file_tree
from openpyxl import load_workbook

from generator import batch, clone, disk, locks, markers, output
from generator.markers import MARKER
from generator.output import place_file, staged_output

NEW_NAME = "新名称客户服务中心"
TOP_FILES = ("summary.md", "summary.xlsx", MARKER)


class Killed(BaseException):
    """The simulated SIGKILL: no handler catches it."""


class Crash:
    """Counts the steps of the output modules; from the ``at``-th on, every one fails."""

    def __init__(self) -> None:
        self.at: int | None = None
        self.calls = 0

    def arm(self, at: int | None) -> None:
        self.at, self.calls = at, 0

    def step(self) -> bool:
        """Count one step; True when the process is dead by now."""
        self.calls += 1
        return self.at is not None and self.calls >= self.at

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            if self.step():
                raise Killed(f"step {self.calls}")
            return function(*args, **kwargs)

        return run


class Crashing:
    """A module as the output modules see it: the functions named fail once killed.

    ``fsync`` does nothing: a killed process loses nothing the kernel has, and the test runs many
    builds.
    """

    def __init__(self, module: Any, crashing: set[str], crash: Crash) -> None:
        self._module, self._crashing, self._crash = module, crashing, crash

    def __getattr__(self, name: str) -> Any:
        if name == "fsync":
            return lambda fd: None
        value = getattr(self._module, name)
        return self._crash.wrap(value) if name in self._crashing else value


def _inject(monkeypatch: pytest.MonkeyPatch) -> Crash:
    """Kill points at every step of the output modules and in every write of a summary file.

    A summary file killed while it is written is left half-written where it was being written.
    """
    crash = Crash()
    ops = {"open", "rename", "replace", "link", "unlink", "rmdir", "mkdir", "symlink"}
    for module in (output, markers, clone, locks, disk):
        monkeypatch.setattr(module, "os", Crashing(os, ops, crash))
    for module in (output, clone):
        monkeypatch.setattr(module, "shutil", Crashing(shutil, {"rmtree", "copy2"}, crash))
    monkeypatch.setattr(output, "exchange", crash.wrap(output.exchange))
    monkeypatch.setattr(batch, "_write_workbook", crash.wrap(batch._write_workbook))
    real_write_text = Path.write_text

    def write_text(path: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if path.name == "summary.md" and crash.step():
            real_write_text(path, text[: len(text) // 2], *args, **kwargs)
            raise Killed(f"step {crash.calls}, half of {path.name} written")
        return real_write_text(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    return crash


def _top(out: Path) -> dict[str, str]:
    """The files ccdocs writes at the top of ``out``: name -> sha256 (of a workbook: of its
    cells, for its bytes hold the time it was saved). A workbook that does not load fails."""
    digests = {}
    for name in TOP_FILES:
        path = out / name
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            book = load_workbook(path)
            cells = [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]
            digests[name] = hashlib.sha256(repr(cells).encode()).hexdigest()
        else:
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _state(out: Path) -> dict[str, Any]:
    """What a reader finds in ``out``: every organization's folder and every top file."""
    folders = sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    return {"top": _top(out), **{p.name: file_tree(p) for p in folders}}


def _assert_old_or_new(out: Path, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
    now = _state(out)
    for name in set(old) | set(new):
        if name == "top":
            for file, digest in now["top"].items():
                assert digest in (old["top"].get(file), new["top"].get(file)), f"{file}, {where}"
        else:
            assert now.get(name) in (old.get(name), new.get(name)), f"{name}/, {where}"


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """Two clients, an output folder with a file of the user's, and a folder outside --out that a
    symbolic link of the user's in the output points at."""
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.copy(bundled("minimal"), clients / "minimal.yaml")
    (clients / "second.yaml").write_text(
        "extends: minimal\norganization:\n  id: second\n  name: 第二中心\n", encoding="utf-8"
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("outside --out", encoding="utf-8")
    return {"clients": clients, "outside": outside, "seed": tmp_path / "seed"}


def _batch_args(world: dict[str, Path], out: Path) -> list[str]:
    profiles = [str(world["clients"] / "minimal.yaml"), str(world["clients"] / "second.yaml")]
    return ["build", *profiles, "--format", "md", "--out", str(out)]


def _run(args: list[str]) -> None:
    from generator.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _seed(world: dict[str, Path]) -> Path:
    seed = world["seed"]
    _run(_batch_args(world, seed))
    (seed / "minimal" / "notes.txt").write_text("mine", encoding="utf-8")
    (seed / "minimal" / "link-out").symlink_to(world["outside"] / "precious.txt")
    (seed / "readme.txt").write_text("my notes on these outputs", encoding="utf-8")
    profile = world["clients"] / "minimal.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("示例客户服务中心", NEW_NAME), encoding="utf-8")
    return seed


def _diff_args(world: dict[str, Path], out: Path) -> list[str]:
    old = world["clients"] / "second.yaml"
    return ["diff", str(old), str(world["clients"] / "minimal.yaml"), "--out", str(out)]


@pytest.mark.parametrize("command", ["batch build", "diff"])
def test_a_kill_at_any_step_leaves_every_file_old_or_new_and_nothing_outside_touched(
    tmp_path, world, monkeypatch, command
):
    args = _batch_args if command == "batch build" else _diff_args
    seed = _seed(world)
    old, outside = _state(seed), file_tree(tmp_path / "outside") | file_tree(world["clients"])
    crash = _inject(monkeypatch)
    clean = shutil.copytree(seed, tmp_path / "clean", symlinks=True)
    _run(args(world, clean))
    new, steps = _state(clean), crash.calls
    assert new != old and steps > 20, steps
    for at in range(1, steps + 1):
        out = shutil.copytree(seed, tmp_path / f"crash-{at}", symlinks=True)
        crash.arm(at)
        with pytest.raises(Killed):
            _run(args(world, out))
        crash.arm(None)
        _assert_old_or_new(out, old, new, f"killed at step {at}")
        assert file_tree(tmp_path / "outside") | file_tree(world["clients"]) == outside, (
            f"step {at}"
        )
        _run(args(world, out))  # the next run mends what the kill left
        assert {k: v for k, v in _state(out).items() if k != "top"} == {
            k: v for k, v in new.items() if k != "top"
        }, f"next run after step {at}"
        hidden = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != MARKER]
        assert hidden == [], f"leftovers of step {at}"
        assert (out / "readme.txt").read_text(encoding="utf-8") == "my notes on these outputs"
        shutil.rmtree(out)


def test_a_kill_at_any_step_of_placing_a_file_leaves_the_old_or_the_new_file(
    tmp_path, world, monkeypatch
):
    seed = _seed(world)
    with staged_output(seed, "minimal") as stage:
        (stage.work / "evidence-pack.zip").write_bytes(b"old pack")
        place_file(stage, "evidence-pack.zip")
    old = _state(seed)
    crash = _inject(monkeypatch)
    for at in range(1, 100):
        out = shutil.copytree(seed, tmp_path / f"crash-{at}", symlinks=True)
        crash.arm(at)
        try:
            with staged_output(out, "minimal") as stage:
                (stage.work / "evidence-pack.zip").write_bytes(b"new pack")
                place_file(stage, "evidence-pack.zip")
        except Killed:
            pass
        else:
            break
        finally:
            crash.arm(None)
        pack = (out / "minimal" / "evidence-pack.zip").read_bytes()
        assert pack in (b"old pack", b"new pack"), f"killed at step {at}"
        assert file_tree(out / "minimal") == {
            **old["minimal"],
            "evidence-pack.zip": hashlib.sha256(pack).hexdigest(),
        }, f"killed at step {at}"
        shutil.rmtree(out)
    assert at > 5, at


# A batch build in a process of its own, sent SIGKILL at its N-th file-system step in the output
# modules (0: never; the number of steps is printed at the end).
DRIVER = textwrap.dedent(
    """
    import atexit, os, signal, sys
    from generator import markers, output
    from generator.cli import main

    KILL_AT, steps = int(sys.argv[1]), [0]
    OPS = {"rename", "replace", "link", "unlink", "rmdir", "mkdir"}

    class Os:
        def __getattr__(self, name):
            value = getattr(os, name)
            if name not in OPS:
                return value
            def run(*args, **kwargs):
                steps[0] += 1
                if steps[0] == KILL_AT:
                    os.kill(os.getpid(), signal.SIGKILL)
                return value(*args, **kwargs)
            return run

    output.os = markers.os = Os()
    atexit.register(lambda: print("steps", steps[0], file=sys.stderr))
    main(sys.argv[2:])
    """
)


@pytest.mark.e2e
def test_a_batch_sent_sigkill_at_any_step_leaves_every_file_old_or_new(tmp_path, world):
    seed = _seed(world)
    old, outside = _state(seed), file_tree(tmp_path / "outside")
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")

    def run(out: Path, at: int) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(driver), str(at), *_batch_args(world, out)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    clean = shutil.copytree(seed, tmp_path / "clean", symlinks=True)
    done = run(clean, 0)
    assert done.returncode == 0, done.stderr
    steps = int(done.stderr.rsplit("steps ", 1)[1])
    new = _state(clean)
    # every step of the summary (the last ones), and a few spread over the builds before it
    points = sorted({*range(1, steps, max(1, steps // 3)), *range(max(1, steps - 7), steps + 1)})
    for number, at in enumerate(points):
        out = shutil.copytree(seed, tmp_path / f"kill-{at}", symlinks=True)
        assert run(out, at).returncode == -signal.SIGKILL, f"step {at}"
        _assert_old_or_new(out, old, new, f"SIGKILL at step {at}")
        assert file_tree(tmp_path / "outside") == outside
        if number % 3 == 0:  # the in-process test checks the next run after every step
            assert run(out, 0).returncode == 0, f"next run after step {at}"
            assert {k: v for k, v in _state(out).items() if k != "top"} == {
                k: v for k, v in new.items() if k != "top"
            }, f"next run after step {at}"
        shutil.rmtree(out)
