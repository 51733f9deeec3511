"""Built assets in the browser: hashed, compressed, and not asked for again on a repeat visit.

Sizes and times are measured by ``python -m bench.page_weight``, not asserted here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import check_a11y, switch_language

pytestmark = pytest.mark.browser
HASHED_ASSET = re.compile(r"/static/dist/.+\.[0-9a-f]{12}\.[a-z0-9]+$")


class AssetRequests:
    """Requests for /static/ that reached the server, from the DevTools protocol."""

    def __init__(self, page: Any) -> None:
        self.sent: dict[str, str] = {}
        self.cached: set[str] = set()
        self.encodings: dict[str, str] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        if "/static/" in event["request"]["url"]:
            self.sent[event["requestId"]] = event["request"]["url"]

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])
        headers = {name.lower(): value for name, value in response["headers"].items()}
        self.encodings[event["requestId"]] = headers.get("content-encoding", "")

    def from_network(self) -> list[str]:
        """URLs of the assets the server was asked for (not served from the cache)."""
        return sorted(url for request_id, url in self.sent.items()
                      if request_id not in self.cached)

    def clear(self) -> None:
        """Forget what was seen."""
        self.sent.clear()
        self.cached.clear()
        self.encodings.clear()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_a_repeat_visit_asks_for_no_asset(new_page: Callable[..., Any], language: str) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    requests = AssetRequests(page)
    # The first visit (in the language chosen) fetches the assets, under hashed names.
    page.goto("/")
    if language != "it":
        switch_language(page, language)
    page.wait_for_load_state("networkidle")
    first = requests.from_network()
    requests.clear()
    for path in ("/", "/account/login", "/courses/?q=informatica", "/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert requests.sent, "no asset was used on the repeat visits"
    assert requests.from_network() == [], "repeat visits asked for assets"
    assert first and all(HASHED_ASSET.search(url) for url in first), first
    check_a11y(page)


def test_assets_arrive_compressed(new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    requests = AssetRequests(page)
    page.goto("/")
    page.wait_for_load_state("networkidle")
    text_assets = {request_id: url for request_id, url in requests.sent.items()
                   if re.search(r"\.(css|js|svg)$", url)}
    assert {url.rsplit(".", 1)[1] for url in text_assets.values()} == {"css", "js", "svg"}
    for request_id, url in text_assets.items():
        assert requests.encodings.get(request_id) == "br", url
    # The header's menu still opens (Bootstrap Italia's navbar plugin is in the bundle).
    page.locator('button[aria-controls="main-nav"]').click()
    page.locator("#main-nav a.nav-link").first.wait_for(state="visible")
    check_a11y(page)
