"""Synthetic organization profiles of a chosen size, valid and complete, for benchmarks.

Size 1 is the scale of the CCCS 7th edition: 236 processes, 75 KPIs, 300 roles and 50 emergency
scenarios, with the bundled event hotline's 12 training modules. Every list of the bundled event
hotline is scaled up with fresh ids; each copied role attends the modules its template role
attends (or their copies, the roles shared out in proportion), so assignments grow with the roles.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import yaml

from generator.bundled import default_profile

BASE = {"processes": 236, "kpis": 75, "roles": 300, "plans": 50, "modules": 12}


def synthetic_profile(scale: int = 1, org_id: str = "synthetic") -> dict[str, Any]:
    data = yaml.safe_load(default_profile().read_text(encoding="utf-8"))
    data = _chinese(_stringify_dates(data))
    data["organization"]["id"] = org_id
    data["organization"]["name"] = f"合成测试中心 {org_id}"
    template_roles = data["roles"]
    roles = _roles(template_roles, BASE["roles"] * scale)
    role_ids = [r["id"] for r in roles]
    kpis = _copies(data["kpis"], BASE["kpis"] * scale)
    kpi_ids = [k["id"] for k in kpis]
    data["roles"], data["kpis"] = roles, kpis
    data["processes"] = [
        {
            **p,
            "owner": role_ids[i % len(role_ids)],
            "kpis": [kpi_ids[i % len(kpi_ids)]],
            "steps": [
                {**s, "role": role_ids[(i + j) % len(role_ids)]} for j, s in enumerate(p["steps"])
            ],
        }
        for i, p in enumerate(_copies(data["processes"], BASE["processes"] * scale))
    ]
    plans = data["emergency"]["plans"]
    data["emergency"]["plans"] = _copies(plans, BASE["plans"] * scale)
    for plan in data["emergency"]["plans"][len(plans) :]:
        plan.pop("recovery_steps", None)  # the template's plans keep theirs: below 4 MiB at 16x
    data["training"]["modules"] = _modules(
        data["training"]["modules"], BASE["modules"] * scale, roles, len(template_roles)
    )
    return data


def write_synthetic(folder: Path, scale: int = 1, org_id: str = "synthetic") -> Path:
    path = folder / f"{org_id}.yaml"
    # Flow style for lists and mappings of plain values: 16x stays below the loader's 4 MiB.
    profile = synthetic_profile(scale, org_id)
    text = yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(text, encoding="utf-8")
    return path


def bench_profiles(folder: Path, scales: list[int]) -> dict[str, Path]:
    """Profiles to edit in ``folder``: a copy of the bundled event hotline (with the evidence
    files it refers to) and a synthetic profile of each size in ``scales``, by name."""
    from generator.bundled import bundled_dir

    shutil.copytree(bundled_dir("org_profiles") / "evidence", folder / "evidence")
    profiles = {"bundled event hotline": folder / "event-hotline.yaml"}
    shutil.copy2(default_profile(), profiles["bundled event hotline"])
    for scale in scales:
        profiles[f"synthetic {scale}x"] = write_synthetic(folder, scale, f"syn{scale}")
    return profiles


def _copies(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    result = []
    for i in range(count):
        item = copy.deepcopy(items[i % len(items)])
        if i >= len(items):  # the originals keep their ids: the profile refers to them
            item["id"] = f"{item['id']}-{i}"
            for key in ("name", "title"):
                if key in item:
                    item[key] = f"{item[key]} {i}"
        result.append(item)
    return result


def _roles(template: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    roles = _copies(template, count)
    for i, role in enumerate(roles[len(template) :], start=len(template)):
        role["reports_to"] = roles[(i - 1) // 4]["id"]  # extra roles form a tree four wide
        role.pop("qualifications", None)  # the copies' duties suffice: 16x stays below 4 MiB
    return roles


def _modules(
    template: list[dict[str, Any]], count: int, roles: list[dict[str, Any]], originals: int
) -> list[dict[str, Any]]:
    """``count`` modules: the template's and copies of it, in generations of ``len(template)``.

    The roles are shared out over the generations in proportion to their place in the list:
    copied role ``i`` (of template role ``i % originals``) joins, in generation
    ``i * generations // len(roles)``, the audience of every module its template role attends.
    The original roles keep the original modules; a copy's audience is its generation's roles.
    """
    modules = _copies(template, count)
    everyone = {r["id"] for r in roles[:originals]}
    for module in modules[: len(template)]:
        if everyone <= set(module.get("audience", [])):  # e.g. security: every role attends
            module["audience"] = [r["id"] for r in roles]
    width = len(template)
    generations = -(-count // width)
    for module in modules[width:]:
        module["audience"] = []
    for i, role in enumerate(roles[originals:], start=originals):
        like = roles[i % originals]["id"]
        first = i * generations // len(roles) * width
        for k, module in enumerate(template[: len(modules)]):
            if len(modules[k].get("audience", [])) == len(roles):
                continue  # attended by every role already
            if like in module.get("audience", []) and first + k < count:
                modules[first + k].setdefault("audience", []).append(role["id"])
    return modules


def _chinese(value: Any) -> Any:
    """``value`` with each text given per language reduced to its Chinese: the documents the
    benchmarks build are Chinese, and a 16x profile stays below the loader's 4 MiB."""
    if isinstance(value, dict):
        if value and set(value) <= {"zh", "en"} and isinstance(value.get("zh"), str):
            return value["zh"]
        return {k: _chinese(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_chinese(v) for v in value]
    return value


def _stringify_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
