"""Compounds in the site's search index are cut into the dictionary words they are made of."""

from __future__ import annotations

import pytest

from generator.publish.search_words import FinerCut, parts

WORDS = {"服务", "水平", "质检", "满意", "满意度", "客户", "热线"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("服务水平", ["服务", "水平"]),
        ("质检员", ["质检", "员"]),
        ("客户满意度", ["客户", "满意度"]),  # the longer known part, not 满意 + 度
        ("服务热线", ["服务", "热线"]),
        ("热线", ["热线"]),  # two characters: already a word
        ("奥林匹克", ["奥林匹克"]),  # nothing known inside: a name stays whole
        ("CCCS-OP", ["CCCS-OP"]),
        ("服务A", ["服务A"]),  # not all Chinese
    ],
)
def test_a_compound_is_cut_into_known_words(word, expected):
    assert parts(word, WORDS.__contains__) == expected


def test_the_cut_covers_the_word_exactly():
    for word in ["服务水平", "质检员", "客户满意度", "服务热线质检", "水平服务满意度客户"]:
        assert "".join(parts(word, WORDS.__contains__)) == word


def test_jieba_words_come_out_finer_and_text_is_kept():
    import jieba

    sentence = "服务水平目标由质检员按月核对"
    words = list(FinerCut(jieba).cut(sentence))
    assert "".join(words) == sentence
    assert "服务水平" in jieba.lcut(sentence)  # jieba alone keeps the compound
    assert words[:2] == ["服务", "水平"]
