"""Placeholders shown as such in every format.

A placeholder (``【待补充：…】``, from the label catalogue) is plain text in the Markdown. Before a
conversion each is wrapped in <mark> tags; the site shows <mark> as it is, and pandoc's filter
``placeholders.lua`` turns it into a highlight in Typst and a character style in DOCX.
"""

from __future__ import annotations

from pathlib import Path

from generator.render import placeholder_pattern

# The filter that shows the placeholders ``mark_placeholders`` marks (pandoc, DOCX and Typst).
PLACEHOLDERS_FILTER = Path(__file__).with_name("placeholders.lua")


def mark_placeholders(markdown: str, label: str) -> str:
    """``markdown`` with each placeholder the label ``label`` produces wrapped in <mark> tags,
    for PLACEHOLDERS_FILTER to highlight. Profile text is escaped before it reaches Markdown,
    so only ccdocs' own placeholders are marked."""
    if not label:
        return markdown
    return placeholder_pattern(label).sub(lambda m: f"<mark>{m[0]}</mark>", markdown)
