"""Live preview: a changed profile is re-validated; errors keep the last good pages."""

from __future__ import annotations

from conftest import bundled

from generator.serve import PROBLEMS, refresh


def test_refresh_rewrites_pages_and_keeps_them_when_the_profile_breaks(tmp_path, catalog):
    profile = tmp_path / "center.yaml"
    profile.write_text(bundled("minimal").read_text(encoding="utf-8"), encoding="utf-8")
    project = tmp_path / "project"
    reports: list[tuple[list, str]] = []

    def report(findings, summary):
        reports.append((findings, summary))

    assert refresh(profile, project, catalog, None, report)
    page = project / "docs" / "operations-manual.md"
    good = page.read_text(encoding="utf-8")
    assert "示例客户服务中心" in good and (project / "mkdocs.yml").is_file()

    profile.write_text(profile.read_text(encoding="utf-8") + "  seats: many\n", encoding="utf-8")
    assert not refresh(profile, project, catalog, None, report)
    findings, summary = reports[-1]
    assert findings[0].format().startswith(f"{profile}:8:10: /organization/seats:")
    assert "keeps the last good pages" in summary
    assert page.read_text(encoding="utf-8") == good
    banner = (project / PROBLEMS).read_text(encoding="utf-8")  # shown on every page
    assert "/organization/seats:" in banner and "keeps the last good pages" in banner

    profile.write_text(profile.read_text(encoding="utf-8").replace("many", "30"), encoding="utf-8")
    assert refresh(profile, project, catalog, None, report)
    assert "| 30 |" in page.read_text(encoding="utf-8")
    assert not (project / PROBLEMS).exists()


def test_the_watcher_survives_a_failing_rebuild_and_picks_up_the_next_save(
    tmp_path, catalog, monkeypatch
):
    import threading
    import time

    import generator.serve as serve

    profile = tmp_path / "center.yaml"
    profile.write_text("a: 1\n", encoding="utf-8")
    calls: list[int] = []
    reports: list[str] = []

    def failing_then_fine(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return True

    monkeypatch.setattr(serve, "refresh", failing_then_fine)
    stop = threading.Event()
    watcher = threading.Thread(
        target=serve._watch,
        args=(profile, tmp_path, catalog, None, lambda f, s: reports.append(s), None, 0.01, stop),
    )
    watcher.start()
    try:
        for n in (2, 3):
            time.sleep(0.05)
            profile.write_text("a: 1\n" + "b: 2\n" * n, encoding="utf-8")
            deadline = time.monotonic() + 10
            while len(calls) < n - 1 and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        stop.set()
        watcher.join(10)
    assert len(calls) == 2  # the second save was still picked up
    assert "could not be rebuilt (OSError" in reports[0] and "next save" in reports[0]


def test_serve_refuses_a_port_out_of_range_and_a_port_in_use():
    import socket

    from click.testing import CliRunner

    from generator.cli import EXIT_OUTPUT, EXIT_USAGE, cli

    runner = CliRunner()
    bad = runner.invoke(cli, ["serve", "--address", "127.0.0.1:70000"])
    assert bad.exit_code == EXIT_USAGE and "port from 1 to 65535" in bad.output
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = runner.invoke(cli, ["serve", "--address", f"127.0.0.1:{port}"])
    assert busy.exit_code == EXIT_OUTPUT, busy.output
    assert f"cannot serve on 127.0.0.1:{port}" in busy.output
