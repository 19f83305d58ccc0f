"""Every documented exit code, produced the way a user meets it: the installed command in a
process of its own (code 5, a bug, is provoked in-process)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import bundled

from generator import cli as cli_module
from generator.cli import (
    EXIT_ERRORS,
    EXIT_GAPS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_USAGE,
    cli,
)

CCDOCS = str(Path(sys.executable).parent / "ccdocs")


def ccdocs(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [CCDOCS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def assert_no_traceback(run: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in run.stdout + run.stderr


def test_the_codes_are_documented_in_the_help_and_the_readme():
    help_text = ccdocs("--help").stdout
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for code in (EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_GAPS, EXIT_OUTPUT, EXIT_INTERNAL):
        assert f" {code} " in help_text.replace("\n", " ")
        assert f"| {code} " in readme
    assert f"| {EXIT_INTERRUPTED} " in readme


def test_0_done_and_3_gaps_under_strict_or_fail_on(tmp_path):
    water = str(bundled("water-utility"))
    assert ccdocs("validate").returncode == EXIT_OK
    assert ccdocs("validate", water).returncode == EXIT_OK
    strict = ccdocs("validate", "--strict", water)
    assert strict.returncode == EXIT_GAPS
    audit = ccdocs("audit", water, "--out", str(tmp_path), "--fail-on", "missing,stale")
    assert audit.returncode == EXIT_GAPS
    assert_no_traceback(audit)


def test_1_the_inputs_need_fixing(tmp_path):
    broken = tmp_path / "p.yaml"
    broken.write_text("organization: {id: x, name: [1}\n", encoding="utf-8")
    for args in (["validate", str(broken)], ["build", str(broken), "--out", str(tmp_path)]):
        run = ccdocs(*args)
        assert run.returncode == EXIT_ERRORS
        assert f"{broken}:1:" in run.stdout + run.stderr
        assert_no_traceback(run)
    assert not (tmp_path / "x").exists()
    brandless = tmp_path / "brand"
    brandless.mkdir()
    assert ccdocs("build", "--brand", str(brandless)).returncode == EXIT_ERRORS


def test_2_usage(tmp_path):
    for args in (["buld"], ["build", "--format", "odt"], ["validate", "--nope"]):
        run = ccdocs(*args, cwd=tmp_path)
        assert run.returncode == EXIT_USAGE, args
        assert_no_traceback(run)


@pytest.mark.e2e
def test_4_the_output_could_not_be_made_when_a_tool_is_missing(tmp_path):
    """Without pandoc no document can be converted: say so, exit 4, and write nothing."""
    env = {**os.environ, "PYPANDOC_PANDOC": str(tmp_path / "no" / "pandoc")}
    run = ccdocs("build", "--format", "docx,pdf", "--out", str(tmp_path / "out"), env=env)
    assert run.returncode == EXIT_OUTPUT, run.stderr
    # in the bundled profile's language, the tool's own words as it gave them
    assert "pandoc 无法转换文档" in run.stderr
    assert "No pandoc was found" in run.stderr
    assert not list((tmp_path / "out").rglob("*.pdf")) and not list(
        (tmp_path / "out").rglob("*.docx")
    )
    assert_no_traceback(run)


def test_5_internal_error_is_reported_without_a_traceback(monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli_module, "_display_path", broken)
    monkeypatch.delenv("CCDOCS_DEBUG", raising=False)
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == EXIT_INTERNAL
    assert "内部错误：ZeroDivisionError：a bug" in result.output  # the bundled profile's language
    assert "CCDOCS_DEBUG=1" in result.output
    english = CliRunner().invoke(cli, ["validate", "--lang", "en"])
    assert "ccdocs: internal error: ZeroDivisionError: a bug" in english.output
    assert "Traceback" not in result.output


@pytest.mark.e2e
def test_130_interrupted(tmp_path):
    profile = tmp_path / "p.yaml"
    shutil.copy(bundled("event-hotline"), profile)
    process = subprocess.Popen(
        [CCDOCS, "build", str(profile), "--out", str(tmp_path / "out"), "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)  # well inside the build: it takes several seconds
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == EXIT_INTERRUPTED, out + err
    assert "ccdocs: 已中断；之前的输出保持不变" in err  # in the profile's language
    assert "Traceback" not in out + err
