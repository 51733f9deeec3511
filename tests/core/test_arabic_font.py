"""The Arabic font subset the asset build makes (assets/subset_font.py, assets/build.mjs).

The subset is made here from the same source font with the same ranges as the build, so the
tests do not depend on a build of the real assets.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "node_modules" / "@fontsource" / "noto-sans-arabic" / "files"
          / "noto-sans-arabic-arabic-400-normal.woff2")
#: Arabic shaping: isolated, initial, medial and final forms, required ligatures, marks.
SHAPING_FEATURES = {"init", "medi", "fina", "rlig"}

pytestmark = pytest.mark.skipif(not SOURCE.is_file(), reason="node_modules not installed")


@cache
def arabic_range() -> frozenset[int]:
    """The code points of the build's ARABIC_CHARACTERS (subset and unicode-range alike)."""
    build = (ROOT / "assets" / "build.mjs").read_text(encoding="utf-8")
    found = re.search(r'const ARABIC_CHARACTERS = "([^"]+)"', build)
    assert found, "assets/build.mjs names no ARABIC_CHARACTERS"
    return frozenset(subset.parse_unicodes(found.group(1)))


@pytest.fixture(scope="module")
def subset_font(tmp_path_factory: pytest.TempPathFactory) -> TTFont:
    folder = tmp_path_factory.mktemp("fonts")
    woff2, woff = folder / "a.woff2", folder / "a.woff"
    ranges = ",".join(f"U+{c:04X}" for c in sorted(arabic_range()))
    subprocess.run([sys.executable, str(ROOT / "assets" / "subset_font.py"), str(SOURCE),
                    str(woff2), str(woff), ranges], check=True)
    assert woff.is_file()
    return TTFont(woff2)


def arabic_characters_of_the_interface() -> set[str]:
    """Every character of Arabic script in the Arabic translations."""
    with (ROOT / "translations" / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    text = "".join(
        "".join(m.string) if isinstance(m.string, tuple | list) else (m.string or "")
        for m in catalog)
    return {c for c in text if "ARABIC" in unicodedata.name(c, "")}


def test_the_subset_draws_every_arabic_character_the_interface_uses(
        subset_font: TTFont) -> None:
    used = arabic_characters_of_the_interface()
    assert len(used) > 30  # the letters at least: the translations were read
    cmap = subset_font.getBestCmap()
    missing = sorted(c for c in used if ord(c) not in cmap or ord(c) not in arabic_range())
    assert missing == [], [f"U+{ord(c):04X}" for c in missing]


def test_the_subset_keeps_arabic_shaping_and_is_much_smaller(subset_font: TTFont) -> None:
    features = {record.FeatureTag
                for record in subset_font["GSUB"].table.FeatureList.FeatureRecord}
    assert features >= SHAPING_FEATURES
    assert "mark" in {record.FeatureTag
                      for record in subset_font["GPOS"].table.FeatureList.FeatureRecord}
    full = TTFont(SOURCE)
    assert len(subset_font.getGlyphOrder()) < len(full.getGlyphOrder()) / 2


def test_latin_text_never_loads_the_arabic_font() -> None:
    # A character the page holds in the unicode-range makes the browser download the font.
    latin = {ord(c) for c in "AZaz09àèéìòù€«»–—’“”.,;:!?()@ "}
    assert not latin & arabic_range()
