"""Layered profiles: extends a preset or a file; merges by key and by id; keeps every position."""

from __future__ import annotations

import pytest
from conftest import bundled

from generator.errors import ProfileError
from generator.evidence import load_evidence
from generator.profile import load_profile
from generator.validate import validate_profile


def test_a_profile_extends_a_preset_and_merges_lists_by_id(write_profile):
    profile = load_profile(
        write_profile(
            """
        extends: water-utility
        organization:
          id: north-district
          seats: 55
        roles:
          - id: csr
            headcount: 50
          - id: night-lead
            name: 夜班班长
            reports_to: hotline-manager
        """
        )
    )
    data = profile.data
    assert "extends" not in data
    assert data["organization"]["name"] == "示例市自来水公司供水服务热线中心"  # from the preset
    assert (data["organization"]["id"], data["organization"]["seats"]) == ("north-district", 55)
    roles = {r["id"]: r for r in data["roles"]}
    assert roles["csr"]["headcount"] == 50 and roles["csr"]["name"] == "话务员"
    assert data["roles"][-1]["id"] == "night-lead"
    # Positions: overridden values point at the child, inherited ones at the preset.
    assert profile.locate("/organization/seats").file.name == "profile.yaml"
    assert profile.locate("/organization/name").file == bundled("water-utility")
    csr = next(i for i, r in enumerate(data["roles"]) if r["id"] == "csr")
    assert profile.locate(f"/roles/{csr}/headcount").line == 7
    assert profile.locate(f"/roles/{csr}/name").file == bundled("water-utility")


def test_errors_and_gaps_point_at_the_file_that_holds_the_value(write_profile, catalog):
    profile = load_profile(
        write_profile(
            """
        extends: water-utility
        roles:
          - id: night-lead
            name: 夜班班长
            reports_to: hotline-manger
        """
        )
    )
    result = validate_profile(profile, catalog, load_evidence(profile))
    [error] = result.errors
    assert error.format().endswith(
        "profile.yaml:5:17: /roles/7/reports_to: 'hotline-manger' is not a role id"
        " (did you mean 'hotline-manager'?) (use an id defined under roles)"
    )
    fixed = load_profile(write_profile("extends: water-utility\n", name="fixed.yaml"))
    gaps = validate_profile(fixed, catalog, load_evidence(fixed)).gaps
    culture = next(g for g in gaps if g.subject == "positioning.culture_adoption")
    assert culture.location.file == bundled("water-utility")
    # The preset's evidence files are found beside the preset, not beside the child.
    assert not [g for g in gaps if g.status == "partial" and g.kind == "record"]


def test_a_file_can_extend_a_file_which_extends_a_preset(write_profile, tmp_path):
    write_profile("extends: minimal\norganization:\n  seats: 20\n", name="base.yaml")
    child = load_profile(write_profile("extends: base.yaml\norganization:\n  id: child\n"))
    assert child.data["organization"] == {"id": "child", "name": "示例客户服务中心", "seats": 20}


def test_circular_and_unknown_extends_are_located_errors(write_profile):
    import pytest

    from generator.errors import ProfileError

    write_profile("extends: b.yaml\n", name="a.yaml")
    path_b = write_profile("extends: a.yaml\n", name="b.yaml")
    with pytest.raises(ProfileError, match="extends this profile again"):
        load_profile(path_b)
    path = write_profile("extends: no-such-preset\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.findings[0].format() == (
        f"{path}:1:10: /extends: no preset or file 'no-such-preset'"
        " (use a bundled preset name or a path to a profile file)"
    )


def test_a_base_outside_the_profiles_folder_and_the_current_folder_is_refused(
    tmp_path, monkeypatch
):
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("password: hunter2\n", encoding="utf-8")
    client = tmp_path / "work" / "clients" / "acme"
    client.mkdir(parents=True)
    profile = client / "profile.yaml"
    profile.write_text("extends: ../../../elsewhere/secret.yaml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(ProfileError) as caught:
        load_profile(profile)
    [finding] = caught.value.findings
    assert "is outside the profile's folder and the current folder" in finding.format()
    assert "hunter2" not in finding.format()
    # a link inside the folder that leads out is refused the same way
    (client / "base.yaml").symlink_to(secret)
    profile.write_text("extends: base.yaml\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="outside the profile's folder"):
        load_profile(profile)


def test_a_group_base_beside_the_clients_is_allowed_from_the_consultants_folder(
    tmp_path, monkeypatch
):
    group = tmp_path / "clients" / "group"
    group.mkdir(parents=True)
    (group / "base.yaml").write_text("organization: {id: g, name: Group}\n", encoding="utf-8")
    acme = tmp_path / "clients" / "acme"
    acme.mkdir()
    (acme / "profile.yaml").write_text("extends: ../group/base.yaml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_profile(acme / "profile.yaml").data["organization"]["id"] == "g"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("root:x:0:0:root:/root:/bin/bash\n", "its root is not a mapping"),
        ("a: [unclosed\nsecret: s3cr3t\n", "is not a valid profile layer"),
    ],
)
def test_a_base_that_is_not_a_profile_is_reported_without_its_content(tmp_path, text, message):
    (tmp_path / "base.txt").write_text(text, encoding="utf-8")
    (tmp_path / "p.yaml").write_text("extends: base.txt\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path / "p.yaml")
    [finding] = caught.value.findings
    assert message in finding.format() and finding.location.file == tmp_path / "p.yaml"
    assert "root:x" not in finding.format() and "s3cr3t" not in finding.format()


def test_a_changed_text_drops_the_bases_translations_of_the_old_one(write_profile):
    """Changing the Chinese (the profile's own language) of a bilingual preset text leaves no
    stale English beside it (the English documents then show the new Chinese and count it as
    untranslated); giving or correcting only a translation keeps the base's own text."""
    profile = load_profile(
        write_profile(
            """
        extends: event-hotline
        organization:
          parent: {zh: 市赛事服务中心}
          short_name: {zh: 观众热线, fr: Ligne des spectateurs}
          industry: {en: Sports events}
        """
        )
    )
    org = profile.data["organization"]
    assert org["parent"] == {"zh": "市赛事服务中心"}
    assert profile.locate("/organization/parent").file.name == "profile.yaml"
    assert org["short_name"] == {
        "zh": "观众热线",
        "en": "Spectator Hotline",
        "fr": "Ligne des spectateurs",
    }
    assert profile.locate("/organization/short_name/en").file == bundled("event-hotline")
    assert org["industry"] == {"zh": "大型赛事服务", "en": "Sports events"}


def test_a_changed_text_is_named_as_untranslated_in_the_english_build(write_profile, tmp_path):
    from generator.build import build_profile

    path = write_profile(
        """
        extends: event-hotline
        organization:
          parent: {zh: 市赛事服务中心}
        """
    )
    result = build_profile(path, tmp_path / "out", language="en", formats=("md",))
    assert any("profile.yaml:" in where and "parent" in where for where in result.untranslated_at)
    manual = (result.output / "manual" / "operations-manual.md").read_text(encoding="utf-8")
    assert "市赛事服务中心" in manual
    assert "Games Organising Committee – Spectator Services Department" not in manual


def test_an_omitted_item_of_the_base_is_left_out(write_profile, catalog):
    profile = load_profile(
        write_profile(
            """
        extends: water-utility
        processes:
          - {id: billing, omit: true}
          - id: repair
            name: 报修与抢修
        """
        )
    )
    ids = [p["id"] for p in profile.data["processes"]]
    assert "billing" not in ids and ids[0] == "repair"
    assert profile.data["processes"][0]["name"] == "报修与抢修"
    # Positions move up with the items after the omitted one.
    complaint = ids.index("complaint")
    assert profile.locate(f"/processes/{complaint}/id").file == bundled("water-utility")
    assert profile.locate(f"/processes/{complaint}/id").line > profile.locate("/processes/0").line
    assert validate_profile(profile, catalog, load_evidence(profile)).ok


def test_an_omission_that_matches_nothing_or_says_more_is_a_located_error(write_profile, catalog):
    profile = load_profile(
        write_profile(
            """
        extends: water-utility
        processes:
          - {id: billing-desk, omit: true}
        kpis:
          - id: csat
            omit: true
            name: 满意度
        roles:
          - {id: trainer, omit: true}
        """
        )
    )
    errors = [e.format() for e in validate_profile(profile, catalog).errors]
    assert [e.split("profile.yaml:")[-1] for e in errors if "profile.yaml:3:" in e] == [
        "3:24: /processes/4/omit: omit: no item 'billing-desk' inherited here to"
        " leave out (omit: true removes an item the extended profile has, written as only its"
        " id and omit: true; an item of this file is simply deleted)"
    ]
    assert any(
        "profile.yaml:6:5: /kpis/4/omit: omit: to leave out 'csat', give only" in e for e in errors
    )
    # The trainer is gone: what the preset says of them is reported there, naming the omission.
    dangling = [e for e in errors if "'trainer' is a role id left out by the omission at" in e]
    assert dangling and all(e.startswith(str(bundled("water-utility"))) for e in dangling)
    assert all("profile.yaml:9:5 (override this value with another id" in e for e in dangling)
    # Without a base, omit is the same error.
    alone = load_profile(write_profile("roles:\n  - {id: a, omit: true}\n", name="alone.yaml"))
    unmatched = validate_profile(alone, catalog).errors
    assert any("/roles/0/omit: omit: no item 'a'" in e.format() for e in unmatched)


def test_an_id_given_twice_in_an_extending_profile_is_a_located_error(write_profile):
    # The merge takes one item per id: without the error, the first override would be lost.
    path = write_profile(
        """
        extends: water-utility
        roles:
          - {id: csr, headcount: 50}
          - {id: trainer, headcount: 2}
          - {id: csr, name: 坐席代表}
        """
    )
    with pytest.raises(ProfileError) as raised:
        load_profile(path)
    [error] = raised.value.findings
    assert error.format().endswith(
        "profile.yaml:5:10: /roles/2/id: duplicate id 'csr' (ids must be unique within their list)"
    )
