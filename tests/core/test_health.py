"""Liveness and readiness probes."""

from flask.testing import FlaskClient

from tests.conftest import make_app


def test_healthz_answers_while_the_process_runs(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_answers_200_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"


def test_readyz_answers_503_when_the_database_is_unreachable() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    # Liveness does not depend on the database.
    assert app.test_client().get("/healthz").status_code == 200
