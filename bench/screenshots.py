"""``python -m bench.screenshots DIR``: full-page screenshots of pages whose look must not change.

Takes the pages of ``bench.page_weight`` (Italian and Arabic home, course search, login) at
390 and 1280 px in the system Chromium, with the fonts loaded, into ``DIR`` as PNG files.
``--compare OTHER_DIR`` then compares each with the file of the same name in ``OTHER_DIR``
and prints how many pixels differ (0 when the look is unchanged). Use it around a change to
the assets: screenshots before, ``make assets``, screenshots after with ``--compare``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.page_weight import CHROMIUM, CHROMIUM_ARGS, PAGES, serve

WIDTHS = (390, 1280)


def shoot(browser: Any, base_url: str, path: str, language: str, width: int,
          target: Path) -> None:
    """Save a full-page screenshot of ``path`` in ``language`` at ``width`` px."""
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="it-IT",
                                  base_url=base_url)
    try:
        page = context.new_page()
        page.goto("/")
        if language != "it":
            with page.expect_navigation():
                page.locator(f'button[name="language"][value="{language}"]').click()
        page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
    finally:
        context.close()


def compare(first: Path, second: Path) -> tuple[int, int]:
    """Pixels that differ between two screenshots, and the pixels of the larger one."""
    from PIL import Image, ImageChops

    with Image.open(first) as a, Image.open(second) as b:
        if a.size != b.size:
            return max(a.size[0] * a.size[1], b.size[0] * b.size[1]), max(
                a.size[0] * a.size[1], b.size[0] * b.size[1])
        difference = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
        changed = sum(difference.point(lambda value: 255 if value else 0).histogram()[255:])
        return changed, a.size[0] * a.size[1]


def main(argv: list[str] | None = None) -> None:
    """Take the screenshots; compare them with another folder's if asked."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(prog="python -m bench.screenshots", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--compare", type=Path, default=None, metavar="OTHER_DIR")
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    names = []
    with serve() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, path, language in PAGES:
                for width in WIDTHS:
                    file_name = f"{name.replace(' ', '-')}-{width}.png"
                    shoot(browser, base_url, path, language, width, args.folder / file_name)
                    names.append(file_name)
        finally:
            browser.close()
    print(f"{len(names)} screenshots in {args.folder}")
    if args.compare is not None:
        for file_name in names:
            changed, total = compare(args.compare / file_name, args.folder / file_name)
            print(f"{file_name:28} {changed:>8} of {total} pixels differ")


if __name__ == "__main__":
    main()
