"""Resolve stage: turn a valid profile into the plain document model the templates render.

Everything computed lives here: Erlang C staffing, the KPI catalogue with its formulas, risk
scores, the training matrix, requirement titles and the placeholders for missing content.
"""

from __future__ import annotations

from generator.resolve.model import DocumentModel, resolve_model

__all__ = ["DocumentModel", "resolve_model"]
