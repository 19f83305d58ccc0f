"""Format variants inside one Markdown text.

A template may give a diagram twice: Mermaid for the site, a readable list or table for print.

    <!-- diagram: site -->   ...Mermaid...
    <!-- diagram: print -->  ...fallback...
    <!-- diagram: end -->

``select_variant`` keeps the part meant for the given medium and drops the other.
"""

from __future__ import annotations

import re
from typing import Literal

_BLOCK = re.compile(
    r"<!-- diagram: site -->\n(?P<site>.*?)<!-- diagram: print -->\n(?P<print>.*?)"
    r"<!-- diagram: end -->\n",
    re.S,
)


def select_variant(markdown: str, medium: Literal["site", "print"]) -> str:
    return _BLOCK.sub(lambda m: m.group(medium), markdown)
