"""Each app keeps its own security settings: building a production app does not make another
app in the same process redirect to HTTPS (the browser tests' live server did)."""

from __future__ import annotations

from tests.conftest import make_app


def test_a_force_https_app_does_not_change_another_apps_settings() -> None:
    plain = make_app("sqlite://", FORCE_HTTPS=False)
    make_app("sqlite://", FORCE_HTTPS=True)  # built later, as another test file would
    response = plain.test_client().get("/healthz")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
