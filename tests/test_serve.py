"""Live preview: a changed profile is re-validated; errors keep the last good pages."""

from __future__ import annotations

from conftest import bundled

from generator.serve import refresh


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

    profile.write_text(profile.read_text(encoding="utf-8").replace("many", "30"), encoding="utf-8")
    assert refresh(profile, project, catalog, None, report)
    assert "| 30 |" in page.read_text(encoding="utf-8")
