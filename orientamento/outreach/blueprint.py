"""The outreach blueprint, mounted at /outreach. Its pages are in views.py (the outreach
workers' queue and flags, the version overview, "contact me"), referrals/views.py (the service
operators' side) and calls/views.py (the call campaign); the app factory imports each."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("outreach", __name__)
