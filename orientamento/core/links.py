"""Links that leave the site (e-mails, calendar files): built from the configured public URL."""

from __future__ import annotations

from typing import Any

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """Build a link for an e-mail or a file from the configured public URL, never the Host
    header (a forged one would point people elsewhere)."""
    # Built from the URL map directly, so that CLI jobs (reminders) need no request context.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path
