"""The languages ccdocs speaks are the label catalogues it ships: a language is added as data."""

from __future__ import annotations

import click
from click.testing import CliRunner

from generator.bundled import bundled_dir
from generator.cli import cli
from generator.labels import LANGUAGES, load_labels, shipped_languages
from generator.messages import language_of
from generator.render import template_dirs
from generator.texts import DEFAULT_LANGUAGE


def test_the_languages_are_the_shipped_catalogues_default_first():
    folder = bundled_dir("templates") / "labels"
    assert set(LANGUAGES) == {path.stem for path in folder.glob("*.yaml")}
    assert LANGUAGES[0] == DEFAULT_LANGUAGE
    for language in LANGUAGES:
        assert load_labels(language, template_dirs())["messages"]


def test_a_new_catalogue_is_a_new_language(tmp_path):
    for code in ("en", "zh", "fr", "de"):
        (tmp_path / f"{code}.yaml").write_text("messages: {}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a catalogue", encoding="utf-8")
    assert shipped_languages(tmp_path) == (DEFAULT_LANGUAGE, "de", "en", "fr")


def test_lang_options_offer_every_language():
    for name in ("build", "validate", "verify"):
        command = cli.commands[name] if isinstance(cli, click.Group) else None
        assert command is not None
        (lang,) = [p for p in command.params if p.name == "language"]
        assert isinstance(lang.type, click.Choice)
        assert tuple(lang.type.choices) == LANGUAGES
    result = CliRunner().invoke(cli, ["validate", "--lang", "xx"])
    assert result.exit_code == 2 and "'xx'" in result.output


def test_the_locale_chooses_among_the_languages(monkeypatch):
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    for value, expected in [
        ("zh_CN.UTF-8", "zh"),
        ("zh_TW", "zh"),
        ("en_GB.UTF-8", "en"),
        ("fr_FR.UTF-8", "en"),  # no French catalogue: English
        ("C.UTF-8", "en"),
    ]:
        monkeypatch.setenv("LC_ALL", value)
        assert language_of(None) == expected, value
