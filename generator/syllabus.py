"""The training syllabus' own rules, as the standards map names them (a requirement's
``syllabus``): every onboarding module says how its learners are assessed, and a stated onboarding
total equals the sum of the onboarding modules' hours.

Each rule gives plain findings, ``(kind, subject, status, pointer, detail)``, which the mandate
layer turns into checks of the requirement that names the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from generator import fieldpath
from generator.messages import Words, words

# kind, subject, status, JSON pointer, detail
Finding = tuple[Literal["field", "total"], str, Literal["present", "partial"], str, str | Words]

ASSESSED = "training.modules[].assessment"
TOTAL = "training.onboarding_hours"


def syllabus_findings(data: Any, rules: tuple[str, ...]) -> list[Finding]:
    """What each rule finds in ``data``: its gaps, or one finding of status present."""
    findings: list[Finding] = []
    if "onboarding-assessed" in rules:
        findings += _unassessed(data) or [("field", ASSESSED, "present", "/training/modules", "")]
    if "onboarding-hours" in rules:
        findings += _hours_difference(data) or [("total", TOTAL, "present", "/training", "")]
    return findings


def _onboarding(data: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """(pointer, module) of every onboarding module; a module without a track is one."""
    return [
        (pointer, module)
        for pointer, module in fieldpath.values(data, "training.modules[]")
        if isinstance(module, Mapping) and module.get("track", "onboarding") == "onboarding"
    ]


def _unassessed(data: Any) -> list[Finding]:
    """An onboarding module without an assessment (or with ``none``); with one, without its pass
    mark or assessor."""
    found: list[Finding] = []
    for pointer, module in _onboarding(data):
        assessment = module.get("assessment")
        if assessment in (None, "none"):
            where = f"{pointer}/assessment" if assessment else pointer
            found.append(("field", ASSESSED, "partial", where, words("gap.not-assessed")))
            continue
        for key in ("pass_mark", "assessor"):
            if not fieldpath.is_filled(module.get(key)):
                detail = words("gap.assessed-without", assessment=assessment, field=key)
                found.append(("field", f"training.modules[].{key}", "partial", pointer, detail))
    return found


def _hours_difference(data: Any) -> list[Finding]:
    training = data.get("training") if isinstance(data, Mapping) else None
    stated = training.get("onboarding_hours") if isinstance(training, Mapping) else None
    if not _number(stated):
        return []
    summed = sum(m["hours"] for _, m in _onboarding(data) if _number(m.get("hours")))
    if abs(stated - summed) < 1e-9:
        return []
    detail = words("gap.hours", stated=f"{stated:g}", summed=f"{summed:g}")
    return [("total", TOTAL, "partial", "/training/onboarding_hours", detail)]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
