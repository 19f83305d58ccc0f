"""Synthetic organization profiles of a chosen size, valid and complete, for benchmarks.

Size 1 is the scale of the CCCS 7th edition: 236 processes, 75 KPIs, 300 roles and 50 emergency
scenarios. Every list of the bundled event hotline is scaled up with fresh ids.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from generator.bundled import default_profile

BASE = {"processes": 236, "kpis": 75, "roles": 300, "plans": 50}


def synthetic_profile(scale: int = 1, org_id: str = "synthetic") -> dict[str, Any]:
    data = yaml.safe_load(default_profile().read_text(encoding="utf-8"))
    data = _stringify_dates(data)
    data["organization"]["id"] = org_id
    data["organization"]["name"] = f"合成测试中心 {org_id}"
    roles = _roles(data["roles"], BASE["roles"] * scale)
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
    data["emergency"]["plans"] = _copies(data["emergency"]["plans"], BASE["plans"] * scale)
    return data


def write_synthetic(folder: Path, scale: int = 1, org_id: str = "synthetic") -> Path:
    path = folder / f"{org_id}.yaml"
    text = yaml.safe_dump(synthetic_profile(scale, org_id), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


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
    return roles


def _stringify_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stringify_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_dates(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
