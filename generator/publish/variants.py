"""Format variants inside one Markdown text.

A template may give a diagram twice: Mermaid for the site, a readable list or table for print.

    <!-- diagram: site -->   ...Mermaid...
    <!-- diagram: print -->  ...fallback...
    <!-- diagram: end -->

``select_variant`` keeps the part meant for the given medium and drops the other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from generator.render import placeholder_pattern

# The filter that shows the placeholders ``mark_placeholders`` marks (pandoc, DOCX and Typst).
PLACEHOLDERS_FILTER = Path(__file__).with_name("placeholders.lua")

_BLOCK = re.compile(
    r"<!-- diagram: site -->\n(?P<site>.*?)<!-- diagram: print -->\n(?P<print>.*?)"
    r"<!-- diagram: end -->\n",
    re.S,
)


def select_variant(markdown: str, medium: Literal["site", "print"]) -> str:
    return _BLOCK.sub(lambda m: m.group(medium), markdown)


def mark_placeholders(markdown: str, label: str) -> str:
    """``markdown`` with each placeholder the label ``label`` produces wrapped in <mark> tags,
    for PLACEHOLDERS_FILTER to highlight. Profile text is escaped before it reaches Markdown,
    so only ccdocs' own placeholders are marked."""
    if not label:
        return markdown
    return placeholder_pattern(label).sub(lambda m: f"<mark>{m[0]}</mark>", markdown)
