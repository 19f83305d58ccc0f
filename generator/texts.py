"""Per-language texts: a profile text is given once, or per language (``{zh: ..., en: ...}``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_LANGUAGE_KEY = re.compile(r"^[a-z]{2}$")
DEFAULT_LANGUAGE = "zh"  # a profile's language when organization.language does not say


def per_language(value: Mapping[Any, Any]) -> bool:
    """A per-language text: a mapping of language codes to strings."""
    return bool(value) and all(
        isinstance(k, str) and _LANGUAGE_KEY.match(k) and isinstance(v, str)
        for k, v in value.items()
    )
