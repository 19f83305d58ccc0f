"""Batch builds: many clients in parallel, one client's errors never stop the others."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import bundled
from openpyxl import load_workbook

from generator.cli import EXIT_ERRORS, EXIT_OK, cli


def test_a_batch_builds_every_good_client_and_sums_them_up(tmp_path, write_profile):
    broken = write_profile(
        """
        organization:
          id: broken-client
          name: 坏配置中心
          seats: many
        """,
        name="broken.yaml",
    )
    out = tmp_path / "out"
    args = ["build", str(bundled("event-hotline")), str(broken), str(bundled("water-utility"))]
    result = CliRunner().invoke(cli, [*args, "-j", "2", "--format", "md,audit", "--out", str(out)])
    assert result.exit_code == EXIT_ERRORS, result.output
    assert "broken.yaml:4:10: /organization/seats: 'many' is not a whole number" in result.output
    assert "1 of 3 clients failed" in result.output
    assert (out / "event-hotline" / "manual" / "operations-manual.md").is_file()
    assert (out / "water-utility" / "audit" / "gap-report.json").is_file()
    assert not (out / "broken-client").exists()

    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "共 3 个客户：成功 2 个，失败 1 个。" in summary
    rows = [line for line in summary.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[2] for row in rows] == ["成功", "失败", "成功"]
    assert (
        "| 0 | 0 | 0 | 100.0% | CC-CMM-OC 2011：证据支持的等级为 L2 专业级（自评 L2 专业级）"
        in rows[0]
    )
    assert "broken.yaml:4:10" in summary

    book = load_workbook(out / "summary.xlsx")
    clients = book["clients"]
    assert clients.freeze_panes == "A2" and clients.auto_filter.ref
    table = [[c.value for c in row] for row in clients.iter_rows()]
    header = table[0]
    by_org = {row[header.index("organization")]: row for row in table[1:]}
    water = by_org["示例市自来水公司供水服务热线中心"]
    assert water[header.index("gaps")] == 13 and water[header.index("status")] == "ok"
    assert [r[header.index("status")] for r in table[1:]] == ["ok", "failed", "ok"]
    assert book["errors"].max_row == 2


def test_clients_with_the_same_id_are_not_built_into_one_folder(tmp_path, write_profile):
    twin = write_profile("extends: minimal\n", name="twin.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["build", str(bundled("minimal")), str(twin), "--format", "md", "--out", str(out)]
    )
    assert result.exit_code == EXIT_ERRORS
    assert "organization id 'minimal' is already built from" in result.output


def test_a_second_batch_run_keeps_every_output(tmp_path):
    out = tmp_path / "out"
    args = ["build", str(bundled("minimal")), str(bundled("water-utility")), "--format", "md"]
    assert CliRunner().invoke(cli, [*args, "--out", str(out)]).exit_code == EXIT_OK
    again = CliRunner().invoke(cli, [*args, "--out", str(out), "--lang", "en"])
    assert again.exit_code == EXIT_OK
    assert "8 written, 0 kept" in again.output
    third = CliRunner().invoke(cli, [*args, "--out", str(out), "--lang", "en"])
    assert third.output.count("0 written, 8 kept") == 2
    assert "2 clients: 2 built, 0 failed." in (out / "summary.md").read_text(encoding="utf-8")
