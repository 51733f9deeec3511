"""Message catalogues compile, are complete for Italian and Arabic, keep placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from orientamento.config import TRANSLATIONS_DIR
from orientamento.core.cli import COMPLETE_LOCALES

CATALOGUES = sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path):  # type: ignore[no-untyped-def]
    # A catalogue's locale is its folder's name; the template (messages.pot) has none.
    locale = path.parts[-3] if path.suffix == ".po" else None
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_the_three_languages_have_catalogues() -> None:
    assert {path.parts[-3] for path in CATALOGUES} == {"it", "en", "ar"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_compiles_with_valid_placeholders(path: Path, tmp_path: Path) -> None:
    catalog = _read(path)
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
    with (tmp_path / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.mark.parametrize("locale", COMPLETE_LOCALES)
def test_complete_locales_translate_every_message(locale: str) -> None:
    catalog = _read(TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po")
    missing = [
        message.id for message in catalog
        if message.id and (message.fuzzy or not all(
            message.string if isinstance(message.string, tuple) else [message.string]))
    ]
    assert missing == []


def test_catalogues_match_the_template() -> None:
    template = _read(TRANSLATIONS_DIR / "messages.pot")
    wanted = {message.id if isinstance(message.id, str) else message.id[0]
              for message in template if message.id}
    for path in CATALOGUES:
        have = {message.id if isinstance(message.id, str) else message.id[0]
                for message in _read(path) if message.id}
        assert wanted <= have, f"{path}: run `make update-messages`"
