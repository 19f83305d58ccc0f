"""The words the site's search index holds for Chinese text.

Material's search plugin cuts each run of Han characters with jieba and indexes the words;
the browser matches a query against the start of a word. jieba keeps some compounds whole
(服务水平, 质检员), so a search for 水平 or 质检 would miss them. Here every compound jieba
returns is cut once more into the dictionary words it is made of (服务 水平, 质检 员); the
text shown in search results is unchanged (the words are joined by zero-width spaces).

The browser side (``site/assets/javascripts/workers/ccdocs-search.js``) cuts a query the same
way, against the words of the index: a search for the whole compound asks for all its parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

# Part of the segmentation cache's key: change it when the cutting below changes.
VERSION = "finer-1"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # CJK ideographs
_LONGEST_PART = 4  # dictionary words inside a compound: two to four characters


def parts(word: str, known: Callable[[str], bool]) -> list[str]:
    """``word`` cut into the dictionary words it is made of, or ``[word]``.

    Only all-Han words of three characters or more are cut. Among the ways to cover the word
    with known words of two to four characters (shorter than the word) and single characters,
    the one with the fewest single characters wins, then the one with the fewest parts. A word
    no known part covers even in part stays whole: names are not broken into characters.
    """
    n = len(word)
    if n < 3 or not _HAN.fullmatch(word):
        return [word]
    # best[i]: (single characters, parts, the parts) for word[:i]
    best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - _LONGEST_PART), end):
            part = word[start:end]
            before = best[start]
            if before is None or len(part) == n or (len(part) > 1 and not known(part)):
                continue
            single = len(part) == 1
            candidate = (before[0] + single, before[1] + 1, [*before[2], part])
            current = best[end]
            if current is None or candidate[:2] < current[:2]:
                best[end] = candidate
    found = best[n]
    if found is None or found[0] == n:  # nothing known inside
        return [word]
    return found[2]


class FinerCut:
    """What Material's search plugin sees as the ``jieba`` module: ``cut`` returns jieba's
    words with compounds cut into their parts; everything else is jieba's own."""

    def __init__(self, jieba: Any) -> None:
        self._jieba = jieba

    def cut(self, sentence: str | bytes, *args: Any, **kwargs: Any) -> Iterator[str]:
        get = self._jieba.get_FREQ
        for word in self._jieba.cut(sentence, *args, **kwargs):
            yield from parts(word, lambda part: bool(get(part)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jieba, name)
