"""Page weight in the browser: bytes transferred, requests and largest contentful paint.

``python -m bench.page_weight`` serves a demo-seeded app from a temporary SQLite database on
127.0.0.1 (Werkzeug, in this process) and opens pages in the system Chromium with Playwright
on a throttled connection (Chrome DevTools' "fast 3G"), at 390 px wide:

- first visit: a fresh browser context (empty cache);
- repeat visit: the same page again in the same context (warm cache).

For each it records what went over the network (the DevTools protocol's encoded data
length: compressed bodies plus headers), the number of requests that reached the server,
the split by kind (document, stylesheet, script, font, image) and the largest contentful
paint. It prints a table and writes JSON to ``bench/results/``. Nothing here asserts a
size or a time: that is what the numbers are for.
"""

from __future__ import annotations

import argparse
import json
import platform
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DEMO_PASSWORD = "demo-password-for-page-weight"  # noqa: S105 - throw-away benchmark data
SCHOOL_YEAR = "2026/2027"
#: Chrome DevTools' "fast 3G" (Lighthouse's mobile throttling): 562.5 ms round trip,
#: about 1.6 Mbit/s down and 750 kbit/s up.
FAST_3G = {"offline": False, "latency": 562.5,
           "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
           "uploadThroughput": 750 * 1024 / 8 * 0.9}
#: (name, path, language) of the pages measured; the language is switched with its cookie.
PAGES = [
    ("home", "/", "it"),
    ("home ar", "/", "ar"),
    ("course search", "/courses/?q=informatica", "it"),
    ("login", "/account/login", "it"),
]
LCP_SCRIPT = """() => new Promise((resolve) => {
  let last = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) last = entry.startTime;
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(last), 200);
})"""


class _QuietHandler(WSGIRequestHandler):
    """No access log: it would drown the table."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log line."""


@contextmanager
def serve() -> Iterator[str]:
    """Serve a demo-seeded app on a free port of 127.0.0.1; yield its base URL."""
    from werkzeug.serving import make_server

    from orientamento import create_app
    from orientamento.core import clock
    from orientamento.demo.seed import seed_everything
    from orientamento.extensions import db

    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        app = create_app({
            "ENV_NAME": "testing", "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "smtp",
            "PUBLIC_URL": "http://127.0.0.1",
        })
        with app.app_context():
            db.create_all()
            seed_everything(DEMO_PASSWORD, SCHOOL_YEAR, clock.today())
            db.session.commit()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


@dataclass
class Visit:
    """What one page load cost."""

    bytes: int = 0
    requests: int = 0
    cached: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    lcp_ms: float = 0.0


class NetworkLog:
    """Requests of one page, from the DevTools protocol's Network events."""

    def __init__(self, cdp: Any) -> None:
        self.types: dict[str, str] = {}
        self.from_cache: set[str] = set()
        self.sizes: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.from_cache.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        if event["request"]["url"].startswith("http"):
            self.types[event["requestId"]] = event.get("type", "Other").lower()

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.from_cache.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def visit(self, lcp_ms: float) -> Visit:
        """Sum up the requests seen so far."""
        result = Visit(lcp_ms=round(lcp_ms, 1))
        for request_id, kind in self.types.items():
            if request_id in self.from_cache:
                result.cached += 1
                continue
            size = self.sizes.get(request_id, 0)
            result.requests += 1
            result.bytes += size
            result.by_type[kind] = result.by_type.get(kind, 0) + size
        return result

    def clear(self) -> None:
        """Forget the requests seen so far."""
        self.types.clear()
        self.from_cache.clear()
        self.sizes.clear()


def measure(browser: Any, base_url: str, path: str, language: str,
            width: int, throttle: bool) -> tuple[Visit, Visit]:
    """Load ``path`` twice in one fresh context: the first and the repeat visit."""
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="it-IT",
                                  base_url=base_url)
    try:
        if language != "it":
            # The language is chosen with the slim header's form; its answer sets a cookie.
            page = context.new_page()
            page.goto("/")
            with page.expect_navigation():
                page.locator(f'button[name="language"][value="{language}"]').click()
            page.close()
            # Measure from an empty cache anyway: only the cookie is kept.
            cookies = context.cookies()
            context.close()
            context = browser.new_context(viewport={"width": width, "height": 844},
                                          locale="it-IT", base_url=base_url)
            context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", FAST_3G)
        log = NetworkLog(cdp)
        visits = []
        for _ in range(2):
            log.clear()
            page.goto(path, wait_until="load")
            page.wait_for_load_state("networkidle")
            visits.append(log.visit(page.evaluate(LCP_SCRIPT)))
        return visits[0], visits[1]
    finally:
        context.close()


def run(width: int, throttle: bool, label: str) -> dict[str, Any]:
    """Measure every page; return the results."""
    from playwright.sync_api import sync_playwright

    rows = []
    with serve() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, path, language in PAGES:
                first, repeat = measure(browser, base_url, path, language, width, throttle)
                rows.append({"page": name, "path": path, "language": language,
                             "first": asdict(first), "repeat": asdict(repeat)})
        finally:
            browser.close()
    return {"label": label, "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": platform.platform(), "width": width,
            "network": "fast 3G" if throttle else "unthrottled", "pages": rows}


def print_table(result: dict[str, Any]) -> None:
    """Print one line per page and visit."""
    print(f"{result['label']}: {result['width']} px, {result['network']}")
    header = (f"{'page':<15} {'visit':<7} {'KB':>8} {'req':>4} {'cached':>6} {'LCP ms':>8}  "
              "KB by type")
    print(header)
    print("-" * len(header))
    for row in result["pages"]:
        for visit in ("first", "repeat"):
            data = row[visit]
            kinds = ", ".join(f"{kind} {size / 1024:.1f}"
                              for kind, size in sorted(data["by_type"].items()))
            print(f"{row['page']:<15} {visit:<7} {data['bytes'] / 1024:>8.1f} "
                  f"{data['requests']:>4} {data['cached']:>6} {data['lcp_ms']:>8.0f}  {kinds}")


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, measure, print and save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=390, help="viewport width (px)")
    parser.add_argument("--no-throttle", action="store_true", help="do not emulate fast 3G")
    parser.add_argument("--label", default="page-weight", help="name of the run in the JSON")
    args = parser.parse_args(argv)
    result = run(args.width, not args.no_throttle, args.label)
    print_table(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"page-weight-{args.label}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"written to {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
