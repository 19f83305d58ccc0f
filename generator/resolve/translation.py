"""Translation coverage: the profile's texts a document shows in another language than its own.

A text given per language (``{zh: ..., en: ...}``) without the document's language is shown in
the first language it has; in an English document, a text given once, in Chinese, is shown in
Chinese. Each is found by its JSON pointer, so it can be named by file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from generator.fieldpath import escape_pointer_token
from generator.texts import per_language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def untranslated(data: Any, language: str, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, text shown) of every text of ``data`` not in ``language``."""
    if isinstance(data, Mapping):
        if per_language(data):
            if not data.get(language):  # shown in its first language, as localize does
                yield pointer, str(next(iter(data.values())))
            return
        for key, value in data.items():
            yield from untranslated(value, language, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from untranslated(value, language, f"{pointer}/{index}")
    elif isinstance(data, str) and language != "zh" and _HAN.search(data):
        yield pointer, data


def shown_in(
    texts: Sequence[tuple[str, str]],
    documents: Mapping[str, str],
    escape: Callable[[str], str],
) -> dict[str, list[str]]:
    """The pointers of ``texts`` each document shows, by document id: those whose first words
    (made Markdown by ``escape``, as the templates show them) its Markdown holds."""
    needles = [(p, escape(text.strip().split("\n", 1)[0].strip()[:24])) for p, text in texts]
    return {
        doc_id: [p for p, needle in needles if needle and needle in markdown]
        for doc_id, markdown in documents.items()
    }
