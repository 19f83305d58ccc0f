"""The manual's service norms, partner management and forms annex."""

from __future__ import annotations

import pytest

from generator.profile import load_profile
from generator.render import Renderer
from generator.resolve import resolve_model
from generator.validate import validate_profile
from tests.conftest import bundled

BASE = """\
organization:
  id: acme
  name: Acme
  type: in-house
  channels: [{id: phone, kind: voice, name: Phone}]
roles:
  - {id: lead, name: Lead, skill_level: senior}
  - {id: agent, name: Agent, reports_to: lead}
"""


def _manual(profile, catalog) -> str:
    model = resolve_model(profile, catalog, (), "en")
    return Renderer(model, "en").render("manual/operations-manual.md.jinja")


def test_service_norms_name_channels_by_id_and_an_unknown_one_is_located(write_profile, catalog):
    norms = "service_norms:\n  channels:\n    - {channel: phone, greeting: Hello}\n"
    path = write_profile(BASE + norms + "    - {channel: phnoe, closing: Bye}\n")
    [error] = validate_profile(load_profile(path), catalog).errors
    assert error.format() == (
        f"{path}:12:17: /service_norms/channels/1/channel: 'phnoe' is not a channel id "
        "(did you mean 'phone'?) (use an id defined under organization.channels)"
    )
    manual = _manual(load_profile(write_profile(BASE + norms)), catalog)
    assert "### 6.1 Phone {#norms-phone}\n\n- **Greeting**: Hello\n" in manual


def test_an_in_house_center_without_partners_says_so_and_lists_no_partner_form(
    write_profile, catalog
):
    manual = _manual(load_profile(write_profile(BASE)), catalog)
    assert "The centre uses no staff provided by partners or outsourcers." in manual
    annex = manual[manual.index("{#forms}") :]
    assert "| Shift handover record | [9 Floor management](#floor) |" in annex
    assert "Partner staff attendance" not in annex


@pytest.mark.parametrize("name", ["event-hotline", "telecom"])
def test_partners_commit_the_posts_of_the_roles_they_supply(name, catalog):
    heads = resolve_model(load_profile(bundled(name)), catalog, ()).context["partner_headcount"]
    assert heads["committed"] == heads["posts"] > 0 and heads["unsupplied"] == []


def test_partner_commitments_that_miss_posts_are_shown(write_profile, catalog):
    text = BASE.replace("skill_level: senior}", "skill_level: senior, from_partner: BPO}")
    text = text.replace("reports_to: lead}", "reports_to: lead, headcount: 8}")
    partners = (
        "partners:\n  organizations:\n    - {id: bpo, name: BPO, roles: [agent], headcount: 10}\n"
    )
    profile = load_profile(write_profile(text + partners))
    manual = _manual(profile, catalog)
    assert "The partners commit 10 staff in all; the roles they supply have 8 posts." in manual
    assert "**The two differ: check the partners' commitments" in manual
    assert "no partner supplies them: Lead.**" in manual
