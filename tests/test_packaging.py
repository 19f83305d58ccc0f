"""A non-editable install finds its data folders from any working directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_installed_wheel_runs_from_another_directory(tmp_path: Path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("ccdocs-*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import generator.bundled as b; print(b.bundled_dir('standards_map')); "
            "print(b.default_profile())",
        ],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    map_dir, profile = probe.stdout.split()
    assert map_dir.startswith(str(site)) and Path(map_dir, "cc-cmm-oc-2011.yaml").is_file()
    assert Path(profile).is_file()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "有 0 个差距" in result.stdout
    for args in (
        ["init", "client", "--preset", "telecom"],
        ["build", "client/profile.yaml", "--format", "md,audit", "--brand", str(ROOT / "tests")],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
        )
        if args[0] == "build":  # no brand.yaml: a located error, in the zh profile's words
            assert run.returncode == 1 and "品牌文件夹中没有 brand.yaml" in run.stderr, run.stderr
            continue
        assert run.returncode == 0, run.stdout + run.stderr
    assert (elsewhere / "client" / "README.md").is_file()
    built = subprocess.run(
        [sys.executable, "-m", "generator", "build", "client/profile.yaml", "--format", "md"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (elsewhere / "build" / "telecom" / "manual" / "dr-plan.md").is_file()
