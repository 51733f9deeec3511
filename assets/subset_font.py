"""Subset a web font to the characters the pages use: called by assets/build.mjs.

``python assets/subset_font.py SOURCE OUT_WOFF2 OUT_WOFF UNICODES`` keeps the glyphs of
``UNICODES`` (``U+0600-06FF,U+200C-200D``: pyftsubset's syntax), every OpenType layout feature
(Arabic shaping needs init, medi, fina, rlig, mark...; the rest is kept so text looks exactly
as with the full font) and the glyphs those features reach, and writes a woff2 (brotli) and a
woff (zlib) file. fontTools and brotli come with WeasyPrint (``fonttools[woff]``), so the
project's virtual environment has them.

The output is reproducible (the font's modification time is kept), so its content-hashed
name changes only when the source font or the ranges do.
"""

from __future__ import annotations

import sys

from fontTools import subset
from fontTools.ttLib import TTFont


def subset_font(source: str, woff2: str, woff: str, unicodes: str) -> None:
    """Write ``source`` reduced to ``unicodes`` as ``woff2`` and ``woff``."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    for flavor, path in (("woff2", woff2), ("woff", woff)):
        font = TTFont(source, recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(unicodes))
        subsetter.subset(font)
        font.flavor = flavor
        font.save(path, reorderTables=True)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    subset_font(*sys.argv[1:])
